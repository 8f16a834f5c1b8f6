/* commit.c - write the image to a temporary file beside OUTPUT, read it
 * back, then rename: a failed or interrupted run leaves OUTPUT as it was. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "archive.h"
#include "common.h"
#include "genutil.h"
#include "output.h"
#include "regfile.h"

static int write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- crash safety ---------------------------------------------------
 * The image goes to a temporary file .BASE.XXXXXX beside OUTPUT, created
 * exclusively (mode 0600) and flock()ed from then until it has been renamed
 * over OUTPUT.  Every name is handled relative to one descriptor of the
 * directory.  A run killed outright leaves its temporary file, unlocked;
 * the next run for the same OUTPUT removes it.  It removes nothing else:
 * only regular files of this user, mode 0600, with exactly that name shape,
 * that no live run holds locked.  Those are looked at with fstatat()
 * first, so a FIFO, device or symbolic link is never opened, and another
 * user's file never touched. */

#define TMP_SUFFIX_LEN 6
#define BAK_SUFFIX ".bak"

static const char tmp_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/* For the signal handler: what to remove if we are interrupted. */
static int out_dfd = -1;
static char tmp_name[NAME_MAX + 1];	/* .BASE.XXXXXX, ours while it exists */
static char bak_name[NAME_MAX + 1];	/* .BASE.XXXXXX.bak: the link to the old OUTPUT */
static volatile sig_atomic_t have_tmp, have_bak;

static void on_signal(int sig)
{
	if (have_bak)
		unlinkat(out_dfd, bak_name, 0);
	if (have_tmp)
		unlinkat(out_dfd, tmp_name, 0);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_signals(void (*handler)(int))
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		signal(sigs[i], handler);
}

/* Is @name ".@base." followed by TMP_SUFFIX_LEN characters of tmp_chars,
 * then @suffix? */
static int is_temp_name(const char *name, const char *base, const char *suffix)
{
	size_t blen = strlen(base), i;

	if (name[0] != '.' || strncmp(name + 1, base, blen) || name[blen + 1] != '.')
		return 0;
	name += blen + 2;
	for (i = 0; i < TMP_SUFFIX_LEN; i++)
		if (!name[i] || !strchr(tmp_chars, name[i]))
			return 0;
	return !strcmp(name + TMP_SUFFIX_LEN, suffix);
}

/* A regular file of ours, as we create temporary files (mode 0600)? */
static int ours(const struct stat *st)
{
	return S_ISREG(st->st_mode) && st->st_uid == geteuid() &&
	       (st->st_mode & 07777) == 0600;
}

/* Remove @name if it is a temporary file of ours that no live run holds. */
static void remove_if_stale(int dfd, const char *name)
{
	struct stat st, fst;
	int fd;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !ours(&st))
		return;
	/* a regular file of ours: opening it cannot block or reach a device */
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &fst) == 0 && fst.st_dev == st.st_dev && fst.st_ino == st.st_ino &&
	    ours(&fst) && flock(fd, LOCK_EX | LOCK_NB) == 0)
		unlinkat(dfd, name, 0);	/* its run died: see make_temp() */
	close(fd);
}

/* A run killed with SIGKILL (or a crash) leaves its temporary file, and,
 * killed in keep_backup(), a link to the previous OUTPUT: remove those. */
static void remove_stale(int dfd, const char *base)
{
	char companion[NAME_MAX + 1];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (is_temp_name(de->d_name, base, ""))
			remove_if_stale(dfd, de->d_name);
	/* a backup link is stale once its run's temporary file is gone: the
	 * run removes the link before it renames that file */
	rewinddir(d);
	while ((de = readdir(d))) {
		size_t n;

		if (!is_temp_name(de->d_name, base, BAK_SUFFIX) ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid != geteuid())
			continue;
		n = strlen(de->d_name) - strlen(BAK_SUFFIX);
		memcpy(companion, de->d_name, n);
		companion[n] = '\0';
		if (fstatat(dfd, companion, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
			unlinkat(dfd, de->d_name, 0);
	}
	closedir(d);
}

static void random_suffix(char *out)
{
	static unsigned int counter;
	unsigned char rnd[TMP_SUFFIX_LEN];
	size_t i;

	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
		struct timespec ts;
		unsigned long long v;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		v = (unsigned long long)ts.tv_nsec * 2654435761u ^
		    (unsigned long long)getpid() << 20 ^ counter++;
		for (i = 0; i < sizeof(rnd); i++, v >>= 7)
			rnd[i] = (unsigned char)v;
	}
	for (i = 0; i < TMP_SUFFIX_LEN; i++)
		out[i] = tmp_chars[rnd[i] % (sizeof(tmp_chars) - 1)];
	out[TMP_SUFFIX_LEN] = '\0';
}

/* Create our temporary file .@base.XXXXXX in @dfd and lock it; its name is
 * left in tmp_name.  Another run's remove_stale() may find the file in the
 * moment between its creation and our lock, take it for stale and remove
 * it: we then see it has no name left, and make another. */
static int make_temp(int dfd, const char *base)
{
	int tries, fd;

	for (tries = 0; tries < 100; tries++) {
		struct stat st;
		int n = snprintf(tmp_name, sizeof(tmp_name), ".%s.", base);

		if (n < 0 || (size_t)n + TMP_SUFFIX_LEN + strlen(BAK_SUFFIX) >= sizeof(tmp_name))
			return -ENAMETOOLONG;
		random_suffix(tmp_name + n);
		fd = openat(dfd, tmp_name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
			    O_NOCTTY | O_CLOEXEC, 0600);
		if (fd < 0) {
			if (errno == EEXIST)
				continue;
			return -errno;
		}
		have_tmp = 1;
		/* Only a run of ours can open a 0600 file of ours, and it holds
		 * the lock only while it looks.  0600 whatever the umask: that
		 * is how remove_stale() knows our files. */
		if (flock(fd, LOCK_EX) < 0 || fchmod(fd, 0600) < 0 || fstat(fd, &st) < 0) {
			int r = -errno;

			unlinkat(dfd, tmp_name, 0);
			have_tmp = 0;
			close(fd);
			return r;
		}
		if (st.st_nlink > 0)
			return fd;
		have_tmp = 0;	/* removed under us: the name is not ours now */
		close(fd);
	}
	return -EEXIST;
}

/* Is @name in @dfd absent or a regular file, fit to be replaced by rename()?
 * -EISDIR, -ELOOP (a symbolic link) or -EINVAL if not; *kind says what. */
static int replaceable(int dfd, const char *name, const char **kind)
{
	struct stat st;

	*kind = NULL;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISREG(st.st_mode))
		return 0;
	*kind = file_kind(st.st_mode);
	return S_ISDIR(st.st_mode) ? -EISDIR : S_ISLNK(st.st_mode) ? -ELOOP : -EINVAL;
}

/* Split @output into its directory and file name; 0 or -errno with @err. */
static int split_output(const char *output, char *dir, char *base, size_t size,
			char *err, size_t errlen)
{
	const char *slash = strrchr(output, '/');
	size_t len = strlen(output);

	if (!len)
		return fmt_err(err, errlen, -EINVAL, "empty output path: name the image "
			       "file (-o)");
	if (len >= size)
		return fmt_err(err, errlen, -ENAMETOOLONG, "%.80s...: output path too long",
			       output);
	if (output[len - 1] == '/')
		return fmt_err(err, errlen, -EISDIR, "%s ends in '/': name the image file "
			       "in that directory (-o %sinitrd.img)", output, output);
	if (!slash) {
		strcpy(dir, ".");
		strcpy(base, output);
	} else {
		memcpy(dir, output, (size_t)(slash - output));
		dir[slash - output] = '\0';
		if (!dir[0])
			strcpy(dir, "/");
		strcpy(base, slash + 1);
	}
	if (!strcmp(base, ".") || !strcmp(base, ".."))
		return fmt_err(err, errlen, -EISDIR, "%s is a directory: name the image "
			       "file in it (-o)", output);
	/* .BASE.XXXXXX.bak must be a valid name */
	if (strlen(base) + 2 + TMP_SUFFIX_LEN + strlen(BAK_SUFFIX) > NAME_MAX)
		return fmt_err(err, errlen, -ENAMETOOLONG, "%s: file name too long for its "
			       "temporary files (at most %d characters)", output,
			       NAME_MAX - 2 - TMP_SUFFIX_LEN - (int)strlen(BAK_SUFFIX));
	return 0;
}

/* The checks of output_check() on the directory open as @dfd. */
static int check_targets(int dfd, const char *output, int backup, char *err, size_t errlen)
{
	char bak[NAME_MAX + 1];
	const char *base = strrchr(output, '/'), *kind;
	int r;

	base = base ? base + 1 : output;
	r = replaceable(dfd, base, &kind);
	if (r && kind)
		return fmt_err(err, errlen, r, "%s is %s: name a regular file, or a new "
			       "one, for the image to replace (-o)", output, kind);
	if (r)
		return fmt_err(err, errlen, r, "%s: %s", output, strerror(-r));
	if (!backup)
		return 0;
	if (snprintf(bak, sizeof(bak), "%s" BAK_SUFFIX, base) >= (int)sizeof(bak))
		return fmt_err(err, errlen, -ENAMETOOLONG, "%s: name too long", output);
	r = replaceable(dfd, bak, &kind);
	if (r && kind)
		return fmt_err(err, errlen, r, "--backup would replace %s" BAK_SUFFIX ", which "
			       "is %s: remove it, or drop --backup", output, kind);
	if (r)
		return fmt_err(err, errlen, r, "%s" BAK_SUFFIX ": %s", output, strerror(-r));
	return 0;
}

/* Open @output's directory; 0 or -errno with @err. */
static int open_output_dir(const char *output, const char *dir, char *err, size_t errlen)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd >= 0)
		return dfd;
	if (errno == ENOENT)
		return fmt_err(err, errlen, -ENOENT, "%s: directory %s does not exist: "
			       "create it first", output, dir);
	if (errno == ENOTDIR)
		return fmt_err(err, errlen, -ENOTDIR, "%s: %s is not a directory", output, dir);
	return fmt_err(err, errlen, -errno, "%s: cannot open the directory %s: %s", output,
		       dir, strerror(errno));
}

int output_check(const char *output, int backup, char *err, size_t errlen)
{
	char dir[PATH_MAX], base[PATH_MAX];
	int r, dfd;

	err[0] = '\0';
	r = split_output(output, dir, base, sizeof(dir), err, errlen);
	if (r)
		return r;
	dfd = open_output_dir(output, dir, err, errlen);
	if (dfd < 0)
		return dfd;
	r = check_targets(dfd, output, backup, err, errlen);
	if (!r && faccessat(dfd, ".", W_OK | X_OK, AT_EACCESS) < 0)
		r = fmt_err(err, errlen, -errno, "%s: cannot write to the directory %s: %s",
			    output, dir, strerror(errno));
	close(dfd);
	return r;
}

/* OUTPUT.bak becomes the previous OUTPUT, atomically: a hard link to it
 * under our own name (our temporary file's, with .bak), renamed over
 * OUTPUT.bak.  No other run uses that name while our temporary file
 * exists, and we remove it before our temporary file is renamed. */
static int keep_backup(int dfd, const char *base, const char *output, char *err,
		       size_t errlen)
{
	char bak[NAME_MAX + 1];
	const char *kind;
	int r = 0;

	if (snprintf(bak, sizeof(bak), "%s" BAK_SUFFIX, base) >= (int)sizeof(bak) ||
	    snprintf(bak_name, sizeof(bak_name), "%s" BAK_SUFFIX, tmp_name) >=
	    (int)sizeof(bak_name))
		return fmt_err(err, errlen, -ENAMETOOLONG, "%s: name too long", output);
	if (linkat(dfd, base, dfd, bak_name, 0) < 0) {
		if (errno == ENOENT)
			return 0;	/* nothing to keep */
		return fmt_err(err, errlen, -errno, "keeping %s" BAK_SUFFIX ": linking %s: %s",
			       output, output, strerror(errno));
	}
	have_bak = 1;
	r = replaceable(dfd, bak, &kind);
	if (r)
		fmt_err(err, errlen, r, "--backup would replace %s" BAK_SUFFIX ", which is "
			"%s: remove it, or drop --backup", output, kind ? kind : strerror(-r));
	else if (renameat(dfd, bak_name, dfd, bak) < 0)
		r = fmt_err(err, errlen, -errno, "keeping %s" BAK_SUFFIX ": %s", output,
			    strerror(errno));
	/* rename() between two names of one file (another run's backup of
	 * the same OUTPUT) does nothing and succeeds: the link stays */
	unlinkat(dfd, bak_name, 0);
	have_bak = 0;
	return r;
}

/* Read the file back and compare with what was meant to be written: a
 * full or failing disk must not leave an image that looks complete. */
static int verify_range(int fd, off_t *pos, const unsigned char *want, size_t len,
			unsigned char *buf)
{
	size_t off = 0;

	while (off < len) {
		size_t n = len - off < IO_CHUNK ? len - off : IO_CHUNK;
		ssize_t got = pread(fd, buf, n, *pos);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return got < 0 ? -errno : -EIO;
		if (memcmp(buf, want + off, (size_t)got))
			return -EIO;
		off += (size_t)got;
		*pos += got;
	}
	return 0;
}

static int verify_file(int fd, const struct sink *s, const struct out_opts *o)
{
	unsigned char *buf = malloc(IO_CHUNK);
	off_t pos = 0;
	size_t i;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	if (o->prefix_len)
		r = verify_range(fd, &pos, o->prefix, o->prefix_len, buf);
	for (i = 0; !r && i < s->n; i++)
		r = verify_range(fd, &pos, s->m[i].out, s->m[i].outlen, buf);
	if (!r) {
		char c;

		if (pread(fd, &c, 1, pos) != 0)
			r = -EIO;	/* longer than intended */
	}
	free(buf);
	return r;
}

static int commit(const struct sink *s, const char *output, const struct out_opts *o,
		  size_t nentries, char *err, size_t errlen);

/* The image's members, archived and compressed, in @s (@what names the
 * output in messages): all the reading of inputs, before anything is
 * written.  The caller frees @s with sink_free() whatever this returns. */
static int build_sink(struct image *img, struct sink *s, const char *what,
		      const struct out_opts *o, char *err, size_t errlen)
{
	int r;

	err[0] = '\0';
	memset(s, 0, sizeof(*s));
	if (img->err)	/* an image_add_*() ran out of memory */
		return fmt_err(err, errlen, img->err, "building the image: %s",
			       strerror(-img->err));
	s->what = what;
	s->o = o;
	r = gzip_entries(img, o->threads, err, errlen);
	if (!r)
		r = write_archive(img, s, err, errlen);
	if (!r) {
		r = compress_all(s);
		if (r)
			fmt_err(err, errlen, r, "compressing: %s", strerror(-r));
	}
	return r;
}

int image_write(struct image *img, const char *output, const struct out_opts *o,
		char *err, size_t errlen)
{
	struct sink s;
	int r = build_sink(img, &s, output, o, err, errlen);

	if (!r)
		r = commit(&s, output, o, img->nwritten, err, errlen);
	sink_free(&s);
	return r;
}

int image_to_mem(struct image *img, const struct out_opts *o, void **buf, size_t *len,
		 char *err, size_t errlen)
{
	struct sink s;
	unsigned char *b;
	size_t i, total = o->prefix_len;
	int r = build_sink(img, &s, "the UKI's initrd", o, err, errlen);

	*buf = NULL;
	*len = 0;
	for (i = 0; !r && i < s.n; i++)
		total += s.m[i].outlen;
	b = r ? NULL : malloc(total ? total : 1);
	if (!r && !b)
		r = fmt_err(err, errlen, -ENOMEM, "out of memory for a %zu-byte image", total);
	if (!r) {
		if (o->prefix_len)
			memcpy(b, o->prefix, o->prefix_len);
		total = o->prefix_len;
		for (i = 0; i < s.n; i++) {
			memcpy(b + total, s.m[i].out, s.m[i].outlen);
			total += s.m[i].outlen;
		}
		*buf = b;
		*len = total;
	}
	sink_free(&s);
	return r;
}

int image_write_raw(const void *data, size_t len, const char *output,
		    const struct out_opts *o, char *err, size_t errlen)
{
	struct sink s;
	struct member m;
	int r;

	err[0] = '\0';
	memset(&s, 0, sizeof(s));
	memset(&m, 0, sizeof(m));
	m.out = (unsigned char *)data;
	m.outlen = len;
	s.what = output;
	s.o = o;
	s.m = &m;
	s.n = 1;
	r = commit(&s, output, o, 1, err, errlen);
	return r;
}

/* Write the members of @s to a temporary file beside @output, fsync, read
 * back, rename, fsync the directory.  The temporary file stays locked until
 * it has been renamed: another run's remove_stale() never takes it. */
static int commit(const struct sink *s, const char *output, const struct out_opts *o,
		  size_t nentries, char *err, size_t errlen)
{
	char dir[PATH_MAX], base[PATH_MAX];
	const char *kind;
	uint64_t total = 0;
	size_t i;
	int r, fd, dfd;

	r = split_output(output, dir, base, sizeof(dir), err, errlen);
	if (r)
		return r;
	dfd = open_output_dir(output, dir, err, errlen);
	if (dfd < 0)
		return dfd;
	r = check_targets(dfd, output, o->backup, err, errlen);
	if (r) {
		close(dfd);
		return r;
	}
	out_dfd = dfd;
	catch_signals(on_signal);
	remove_stale(dfd, base);
	fd = make_temp(dfd, base);
	if (fd < 0) {
		r = fmt_err(err, errlen, fd, "cannot create a temporary file in %s: %s",
			    dir, strerror(-fd));
		goto out;
	}
	if (o->prefix_len) {
		r = write_all(fd, o->prefix, o->prefix_len);
		total += o->prefix_len;
	}
	for (i = 0; !r && i < s->n; i++) {
		r = write_all(fd, s->m[i].out, s->m[i].outlen);
		total += s->m[i].outlen;
	}
	if (r)
		fmt_err(err, errlen, r, "writing %s/%s: %s", dir, tmp_name, strerror(-r));
	if (!r && fsync(fd) < 0)
		r = fmt_err(err, errlen, -errno, "fsync %s/%s: %s", dir, tmp_name,
			    strerror(errno));
	if (!r && (r = verify_file(fd, s, o)))
		fmt_err(err, errlen, r, "%s/%s does not read back as written (%s)",
			dir, tmp_name, strerror(-r));
	if (!r && o->backup)
		r = keep_backup(dfd, base, output, err, errlen);
	/* OUTPUT may have changed since it was checked: a last look */
	if (!r && (r = replaceable(dfd, base, &kind))) {
		if (kind)
			fmt_err(err, errlen, r, "%s is %s now: name a regular file, or "
				"a new one, for the image to replace (-o)", output, kind);
		else
			fmt_err(err, errlen, r, "%s: %s", output, strerror(-r));
	}
	if (!r && renameat(dfd, tmp_name, dfd, base) < 0)
		r = fmt_err(err, errlen, -errno, "renaming %s/%s to %s: %s", dir, tmp_name,
			    output, strerror(errno));
	if (r)
		unlinkat(dfd, tmp_name, 0);
	have_tmp = 0;
	if (!r)
		fsync(dfd);	/* the rename, on disk */
	/* fsync() has reported any write-back error: close() has none to add */
	close(fd);
	if (!r && o->verbose)
		fprintf(stderr, "mkinitramfs: wrote %s (%llu bytes, %zu entries, "
			"%zu members)\n", output, (unsigned long long)total, nentries, s->n);
out:
	catch_signals(SIG_DFL);
	out_dfd = -1;
	close(dfd);
	return r;
}
