/* output.c - build the entry list, write it as newc cpio through a
 * compressor into a temporary file beside the output, then rename. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include "compress.h"
#include "cpio.h"
#include "output.h"
#include "genutil.h"
#include "regfile.h"

#define IO_CHUNK (256 * 1024)
#define MAX_THREADS 64

/* Out of memory: the image remembers it (img->err) and image_write()
 * reports it, so that callers may add entries without checking each. */
static int oom(struct image *img)
{
	img->err = -ENOMEM;
	return -ENOMEM;
}

void image_init(struct image *img, uint32_t mtime)
{
	memset(img, 0, sizeof(*img));
	img->mtime = mtime;
}

void image_free(struct image *img)
{
	size_t i;

	for (i = 0; i < img->n; i++) {
		free(img->e[i].path);
		free(img->e[i].src);
		free(img->e[i].data);
	}
	free(img->e);
	memset(img, 0, sizeof(*img));
}

/* "/a//b/" -> "a/b"; NULL if out of memory */
static char *norm_path(const char *p)
{
	char *out = malloc(strlen(p) + 2), *o = out;

	if (!out)
		return NULL;
	while (*p == '/')
		p++;
	while (*p) {
		if (*p == '/' && (p[1] == '/' || !p[1])) {
			p++;
			continue;
		}
		*o++ = *p++;
	}
	*o = '\0';
	if (!out[0])
		strcpy(out, ".");
	return out;
}

/* The new entry for @path; NULL (and img->err set) if out of memory. */
static struct img_entry *add(struct image *img, const char *path, enum ent_kind kind)
{
	struct img_entry *e;
	char *np = norm_path(path), *slash;

	if (!np) {
		oom(img);
		return NULL;
	}
	/* parents first (duplicates are merged when writing) */
	for (slash = strchr(np, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		image_add_dir(img, np, 0755);
		*slash = '/';
	}
	if (img->n == img->cap) {
		size_t cap = img->cap ? 2 * img->cap : 256;
		struct img_entry *v = realloc(img->e, cap * sizeof(*img->e));

		if (!v) {
			free(np);
			oom(img);
			return NULL;
		}
		img->e = v;
		img->cap = cap;
	}
	e = &img->e[img->n];
	memset(e, 0, sizeof(*e));
	e->path = np;
	e->kind = kind;
	e->seq = img->n++;
	return e;
}

int image_add_dir(struct image *img, const char *path, unsigned int mode)
{
	struct img_entry *e = add(img, path, ENT_DIR);

	if (!e)
		return -ENOMEM;
	e->mode = mode & 07777;
	return 0;
}

int already_compressed(const char *path)
{
	static const char *const ext[] = { ".xz", ".zst", ".gz", ".bz2", ".lz4" };
	size_t n = strlen(path), i;

	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t k = strlen(ext[i]);

		if (n > k && !strcmp(path + n - k, ext[i]))
			return 1;
	}
	return 0;
}

int image_add_file(struct image *img, const char *path, const char *src,
		   unsigned int mode)
{
	struct img_entry *e = add(img, path, ENT_FILE);

	if (!e)
		return -ENOMEM;
	e->mode = mode & 07777;
	e->leading = already_compressed(path);
	e->src = strdup(src);
	return e->src ? 0 : oom(img);
}

int image_add_data(struct image *img, const char *path, const void *data,
		   size_t size, unsigned int mode)
{
	struct img_entry *e = add(img, path, ENT_DATA);

	if (!e)
		return -ENOMEM;
	e->mode = mode & 07777;
	e->data = malloc(size ? size : 1);
	if (!e->data)
		return oom(img);
	memcpy(e->data, data, size);
	e->size = size;
	return 0;
}

int image_add_node(struct image *img, const char *path, unsigned int mode,
		   unsigned int rmaj, unsigned int rmin)
{
	struct img_entry *e = add(img, path, ENT_NODE);

	if (!e)
		return -ENOMEM;
	e->mode = mode;
	e->rmaj = rmaj;
	e->rmin = rmin;
	return 0;
}

int image_has(const struct image *img, const char *path)
{
	size_t i;

	for (i = 0; i < img->n; i++)
		if (!strcmp(img->e[i].path, path))
			return 1;
	return 0;
}

int image_add_sentinel(struct image *img)
{
	static const char text[] = "this initramfs was unpacked to the end\n";
	int r = image_add_data(img, LAYOUT_SENTINEL, text, sizeof(text) - 1, 0644);

	if (!r)
		img->e[img->n - 1].last = 1;
	return r;
}

int image_add_link(struct image *img, const char *path, const char *target)
{
	struct img_entry *e = add(img, path, ENT_LINK);

	if (!e)
		return -ENOMEM;
	e->mode = 0777;
	e->src = strdup(target);
	return e->src ? 0 : oom(img);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct img_entry *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- members and compression ----------------------------------------
 * The archive is built in memory as a list of members cut at entry
 * boundaries once a member reaches MEMBER_TARGET bytes.  Each member is
 * compressed on its own (in parallel) and the results are concatenated:
 * the kernel's unpacker is back in its Reset state after every complete
 * entry, so it accepts a new gzip member there, and zcat | cpio sees one
 * archive.  Cuts depend only on sizes, never on the thread count. */

#define MEMBER_TARGET (512 * 1024)

struct member {
	unsigned char *raw;
	size_t len, cap;
	unsigned char *out;	/* compressed */
	size_t outlen;
	int err;
};

struct sink {
	const char *what;	/* output file name, for messages */
	const struct out_opts *o;
	struct member *m;
	size_t n, cap;
	size_t leading;		/* members [0, leading) are not compressed */
	int force_new;		/* the next entry starts a new member */
	int err;
};

/* The member the next entry goes to: a new one at a cut.  0 or -ENOMEM. */
static int cur_member(struct sink *s)
{
	if (s->n == 0 || s->force_new || s->m[s->n - 1].len >= MEMBER_TARGET) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 16;
			struct member *m = realloc(s->m, cap * sizeof(*s->m));

			if (!m)
				return -ENOMEM;
			s->m = m;
			s->cap = cap;
		}
		s->force_new = 0;
		memset(&s->m[s->n], 0, sizeof(s->m[0]));
		s->n++;
	}
	return 0;
}

/* cpio sink: append to the current member; a new one begins only when
 * sink_boundary() is called between entries. */
static int sink_write(void *ctx, const void *buf, size_t len)
{
	struct sink *s = ctx;
	struct member *m = &s->m[s->n - 1];

	if (m->len + len > m->cap) {
		size_t cap = m->cap ? m->cap : 64 * 1024;

		while (cap < m->len + len)
			cap *= 2;
		m->raw = realloc(m->raw, cap);
		if (!m->raw)
			return -ENOMEM;
		m->cap = cap;
	}
	memcpy(m->raw + m->len, buf, len);
	m->len += len;
	return 0;
}

static int sink_boundary(struct sink *s)
{
	return cur_member(s);
}

static void sink_free(struct sink *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->m[i].raw);
		free(s->m[i].out);
	}
	free(s->m);
	s->m = NULL;
	s->n = s->cap = 0;
}

struct job {
	struct sink *s;
	pthread_mutex_t lock;
	size_t next;
};

static void compress_member(const struct out_opts *o, struct member *m, int store)
{
	void *out = NULL;

	if (o->comp == ALG_NONE || store) {
		m->out = m->raw;
		m->outlen = m->len;
		m->raw = NULL;
		return;
	}
	m->err = comp_buffer(o->comp, o->level, m->raw, m->len, &out, &m->outlen);
	m->out = out;
}

static void *compress_worker(void *arg)
{
	struct job *j = arg;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&j->lock);
		i = j->next++;
		pthread_mutex_unlock(&j->lock);
		if (i >= j->s->n)
			return NULL;
		compress_member(j->s->o, &j->s->m[i], i < j->s->leading);
	}
}

static int compress_all(struct sink *s)
{
	struct job j = { .s = s, .next = 0 };
	pthread_t tid[MAX_THREADS];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nthreads = s->o->threads > 0 ? s->o->threads : (int)(ncpu > 0 ? ncpu : 1);
	int i, started = 0;
	size_t k;

	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;
	if ((size_t)nthreads > s->n)
		nthreads = (int)s->n;
	pthread_mutex_init(&j.lock, NULL);
	for (i = 1; i < nthreads; i++)
		if (pthread_create(&tid[started], NULL, compress_worker, &j) == 0)
			started++;
	compress_worker(&j);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&j.lock);
	for (k = 0; k < s->n; k++)
		if (s->m[k].err)
			return s->m[k].err;
	return 0;
}

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

/* ---- the archive ---------------------------------------------------- */

static int write_file_entry(struct cpio_writer *w, struct cpio_entry *ce,
			    const struct img_entry *e, unsigned char *buf,
			    char *err, size_t errlen)
{
	struct stat st;
	int fd = open_regular(e->src, 0, &st), r;	/* a FIFO would hang us */
	uint64_t left;

	if (fd == -EISDIR || fd == -EINVAL)
		return fmt_err(err, errlen, fd, "%s (for /%s) is %s, not a regular file",
			       e->src, e->path, file_kind(st.st_mode));
	if (fd < 0)
		return fmt_err(err, errlen, fd, "cannot read %s (for /%s): %s",
			       e->src, e->path, strerror(-fd));
	if (st.st_size > UINT32_MAX) {
		close(fd);
		return fmt_err(err, errlen, -EFBIG, "%s (for /%s) is over 4 GiB, more "
			       "than a cpio entry holds", e->src, e->path);
	}
	ce->size = (uint32_t)st.st_size;
	r = cpio_header(w, ce);
	for (left = ce->size; !r && left;) {
		ssize_t n = read(fd, buf, left < IO_CHUNK ? left : IO_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = fmt_err(err, errlen, n < 0 ? -errno : -EIO,
				    "reading %s: %s", e->src,
				    n < 0 ? strerror(errno) : "file shrank while being read");
			break;
		}
		r = cpio_data(w, buf, (size_t)n);
		left -= (uint64_t)n;
	}
	close(fd);
	return r;
}

static int write_entry(struct cpio_writer *w, const struct image *img,
		       const struct img_entry *e, unsigned char *buf,
		       char *err, size_t errlen)
{
	struct cpio_entry ce = { .name = e->path, .mtime = img->mtime };

	switch (e->kind) {
	case ENT_DIR:
		ce.mode = S_IFDIR | e->mode;
		return cpio_add(w, &ce, NULL);
	case ENT_DATA:
		ce.mode = S_IFREG | e->mode;
		ce.size = (uint32_t)e->size;
		return cpio_add(w, &ce, e->data);
	case ENT_LINK:
		ce.mode = S_IFLNK | 0777;
		ce.size = (uint32_t)strlen(e->src);
		return cpio_add(w, &ce, e->src);
	case ENT_NODE:
		ce.mode = e->mode;
		ce.rdev_major = e->rmaj;
		ce.rdev_minor = e->rmin;
		return cpio_add(w, &ce, NULL);
	case ENT_FILE:
		ce.mode = S_IFREG | e->mode;
		return write_file_entry(w, &ce, e, buf, err, errlen);
	}
	return -EINVAL;
}

/* Of several entries for one path, the last added wins. */
static int superseded(const struct image *img, size_t i)
{
	return i + 1 < img->n && !strcmp(img->e[i].path, img->e[i + 1].path);
}

/* Files compressed already (and, so that they can be created, every
 * directory) go first, in a member of their own that is not compressed
 * again; the rest follows in compressed members.  The kernel takes an
 * uncompressed cpio followed by compressed ones, and tools that read
 * cpio streams see one archive if there is nothing to lead with. */
static int write_archive(struct image *img, struct sink *s, char *err, size_t errlen)
{
	struct cpio_writer w;
	unsigned char *buf = malloc(IO_CHUNK);
	size_t i, nlead = 0;
	int r = 0, pass;

	if (!buf)
		return fmt_err(err, errlen, -ENOMEM, "building the archive for %s: %s",
			       s->what, strerror(ENOMEM));
	cpio_init(&w, sink_write, s);
	qsort(img->e, img->n, sizeof(*img->e), cmp_entry);
	for (i = 0; i < img->n; i++)
		if (img->e[i].leading && !superseded(img, i))
			nlead++;
	img->nwritten = 0;
	for (pass = nlead ? 0 : 1; !r && pass < 2; pass++) {
		if (pass == 1 && nlead) {
			s->leading = s->n;	/* members before this are stored */
			s->force_new = 1;
		}
		for (i = 0; !r && i < img->n; i++) {
			const struct img_entry *e = &img->e[i];
			int first = e->kind == ENT_DIR || e->leading;

			if (superseded(img, i) || e->last ||
			    (nlead && first != (pass == 0)))
				continue;
			r = sink_boundary(s);
			if (!r)
				r = write_entry(&w, img, e, buf, err, errlen);
			img->nwritten++;
		}
	}
	for (i = 0; !r && i < img->n; i++) {
		if (!img->e[i].last || superseded(img, i))
			continue;
		r = sink_boundary(s);
		if (!r)
			r = write_entry(&w, img, &img->e[i], buf, err, errlen);
		img->nwritten++;
	}
	if (!r)
		r = cpio_trailer(&w);
	free(buf);
	if (r && !err[0])
		fmt_err(err, errlen, r, "building the archive for %s: %s", s->what,
			strerror(-r));
	return r;
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

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
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

int image_write(struct image *img, const char *output, const struct out_opts *o,
		char *err, size_t errlen)
{
	struct sink s;
	int r;

	err[0] = '\0';
	if (img->err)	/* an image_add_*() ran out of memory */
		return fmt_err(err, errlen, img->err, "building the image: %s",
			       strerror(-img->err));
	/* Everything that reads inputs happens before the disk is touched. */
	memset(&s, 0, sizeof(s));
	s.what = output;
	s.o = o;
	r = write_archive(img, &s, err, errlen);
	if (!r) {
		r = compress_all(&s);
		if (r)
			fmt_err(err, errlen, r, "compressing: %s", strerror(-r));
	}
	if (!r)
		r = commit(&s, output, o, img->nwritten, err, errlen);
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
