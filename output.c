/* output.c - build the entry list, write it as newc cpio through a
 * compressor into a temporary file beside the output, then rename. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <pthread.h>
#include "compress.h"
#include "cpio.h"
#include "output.h"

#define IO_CHUNK (256 * 1024)
#define MAX_THREADS 64

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fprintf(stderr, "mkinitramfs: out of memory\n");
		exit(1);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
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

/* "/a//b/" -> "a/b" */
static char *norm_path(const char *p)
{
	char *out = xmalloc(strlen(p) + 2), *o = out;

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

static struct img_entry *add(struct image *img, const char *path, enum ent_kind kind)
{
	struct img_entry *e;
	char *np = norm_path(path), *slash;

	/* parents first (duplicates are merged when writing) */
	for (slash = strchr(np, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		image_add_dir(img, np, 0755);
		*slash = '/';
	}
	if (img->n == img->cap) {
		img->cap = img->cap ? 2 * img->cap : 256;
		img->e = realloc(img->e, img->cap * sizeof(*img->e));
		if (!img->e) {
			fprintf(stderr, "mkinitramfs: out of memory\n");
			exit(1);
		}
	}
	e = &img->e[img->n];
	memset(e, 0, sizeof(*e));
	e->path = np;
	e->kind = kind;
	e->seq = img->n++;
	return e;
}

void image_add_dir(struct image *img, const char *path, unsigned int mode)
{
	add(img, path, ENT_DIR)->mode = mode & 07777;
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

void image_add_file(struct image *img, const char *path, const char *src,
		    unsigned int mode)
{
	struct img_entry *e = add(img, path, ENT_FILE);

	e->mode = mode & 07777;
	e->src = xstrdup(src);
	e->leading = already_compressed(path);
}

void image_add_data(struct image *img, const char *path, const void *data,
		    size_t size, unsigned int mode)
{
	struct img_entry *e = add(img, path, ENT_DATA);

	e->mode = mode & 07777;
	e->data = memcpy(xmalloc(size), data, size);
	e->size = size;
}

void image_add_node(struct image *img, const char *path, unsigned int mode,
		    unsigned int rmaj, unsigned int rmin)
{
	struct img_entry *e = add(img, path, ENT_NODE);

	e->mode = mode;
	e->rmaj = rmaj;
	e->rmin = rmin;
}

int image_has(const struct image *img, const char *path)
{
	size_t i;

	for (i = 0; i < img->n; i++)
		if (!strcmp(img->e[i].path, path))
			return 1;
	return 0;
}

void image_add_sentinel(struct image *img)
{
	static const char text[] = "this initramfs was unpacked to the end\n";

	image_add_data(img, IMAGE_SENTINEL, text, sizeof(text) - 1, 0644);
	img->e[img->n - 1].last = 1;
}

void image_add_link(struct image *img, const char *path, const char *target)
{
	struct img_entry *e = add(img, path, ENT_LINK);

	e->mode = 0777;
	e->src = xstrdup(target);
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

static struct member *cur_member(struct sink *s)
{
	if (s->n == 0 || s->force_new || s->m[s->n - 1].len >= MEMBER_TARGET) {
		s->force_new = 0;
		if (s->n == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 16;
			s->m = realloc(s->m, s->cap * sizeof(*s->m));
			if (!s->m) {
				fprintf(stderr, "mkinitramfs: out of memory\n");
				exit(1);
			}
		}
		memset(&s->m[s->n], 0, sizeof(s->m[0]));
		s->n++;
	}
	return &s->m[s->n - 1];
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

static void sink_boundary(struct sink *s)
{
	cur_member(s);
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

int fmt_err(char *err, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return r;
}

static int write_file_entry(struct cpio_writer *w, struct cpio_entry *ce,
			    const struct img_entry *e, unsigned char *buf,
			    char *err, size_t errlen)
{
	struct stat st;
	int fd = open(e->src, O_RDONLY | O_CLOEXEC), r;
	uint64_t left;

	if (fd < 0)
		return fmt_err(err, errlen, -errno, "cannot read %s (for /%s): %s",
			       e->src, e->path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > UINT32_MAX) {
		close(fd);
		return fmt_err(err, errlen, -EINVAL, "%s (for /%s) is not a regular "
			       "file under 4 GiB", e->src, e->path);
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
	unsigned char *buf = xmalloc(IO_CHUNK);
	size_t i, nlead = 0;
	int r = 0, pass;

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
			sink_boundary(s);
			r = write_entry(&w, img, e, buf, err, errlen);
			img->nwritten++;
		}
	}
	for (i = 0; !r && i < img->n; i++) {
		if (!img->e[i].last || superseded(img, i))
			continue;
		sink_boundary(s);
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

/* ---- crash safety --------------------------------------------------- */

/* OUTPUT.bak becomes the previous OUTPUT, atomically: a hard link to it
 * under a temporary name, renamed over OUTPUT.bak. */
static int keep_backup(const char *output, const char *dir)
{
	char bak[PATH_MAX], tmp[PATH_MAX];
	int fd;

	if (access(output, F_OK) < 0)
		return 0;	/* nothing to keep */
	if (snprintf(bak, sizeof(bak), "%s.bak", output) >= (int)sizeof(bak) ||
	    snprintf(tmp, sizeof(tmp), "%s/.bak.XXXXXX", dir) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	close(fd);
	unlink(tmp);
	if (link(output, tmp) < 0)
		return -errno;
	if (rename(tmp, bak) < 0) {
		int r = -errno;

		unlink(tmp);
		return r;
	}
	return 0;
}

/* A run killed with SIGKILL (or a crash) leaves its temporary file: the
 * next run for the same OUTPUT removes those no live run holds locked. */
static void remove_stale(const char *dir, const char *base)
{
	char prefix[NAME_MAX + 2];
	struct dirent *de;
	size_t plen;
	DIR *d;
	int dfd;

	if (snprintf(prefix, sizeof(prefix), ".%s.", base) >= (int)sizeof(prefix))
		return;
	plen = strlen(prefix);
	d = opendir(dir);
	if (!d)
		return;
	dfd = dirfd(d);
	while ((de = readdir(d))) {
		int fd;

		if (strncmp(de->d_name, prefix, plen) || strlen(de->d_name) != plen + 6)
			continue;
		fd = openat(dfd, de->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			unlinkat(dfd, de->d_name, 0);
		close(fd);
	}
	closedir(d);
}

static char tmp_path[PATH_MAX];

static void on_signal(int sig)
{
	if (tmp_path[0])
		unlink(tmp_path);
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
 * back, rename, fsync the directory. */
static int commit(const struct sink *s, const char *output, const struct out_opts *o,
		  size_t nentries, char *err, size_t errlen)
{
	char dirbuf[PATH_MAX], basebuf[PATH_MAX];
	const char *dir, *base;
	uint64_t total = 0;
	size_t i;
	int r = 0, fd, dfd;

	if (strlen(output) >= sizeof(dirbuf))
		return fmt_err(err, errlen, -ENAMETOOLONG, "output path too long");
	strcpy(dirbuf, output);
	strcpy(basebuf, output);
	dir = dirname(dirbuf);
	base = basename(basebuf);
	if (snprintf(tmp_path, sizeof(tmp_path), "%s/.%s.XXXXXX", dir, base) >=
	    (int)sizeof(tmp_path))
		return fmt_err(err, errlen, -ENAMETOOLONG, "output path too long");


	catch_signals(on_signal);
	remove_stale(dir, base);
	fd = mkostemp(tmp_path, O_CLOEXEC);	/* O_EXCL, mode 0600 */
	if (fd >= 0)
		flock(fd, LOCK_EX);	/* ours while we write: see remove_stale() */
	if (fd < 0) {
		r = -errno;
		tmp_path[0] = '\0';
		catch_signals(SIG_DFL);
		return fmt_err(err, errlen, r, "cannot create a temporary file in %s: %s",
			       dir, strerror(-r));
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
		fmt_err(err, errlen, r, "writing %s: %s", tmp_path, strerror(-r));
	if (!r && fsync(fd) < 0)
		r = fmt_err(err, errlen, -errno, "fsync %s: %s", tmp_path, strerror(errno));
	if (!r && (r = verify_file(fd, s, o)))
		fmt_err(err, errlen, r, "%s does not read back as written (%s)",
			tmp_path, strerror(-r));
	if (close(fd) < 0 && !r)
		r = fmt_err(err, errlen, -errno, "closing %s: %s", tmp_path, strerror(errno));
	if (!r && o->backup && (r = keep_backup(output, dir)))
		fmt_err(err, errlen, r, "keeping %s.bak: %s", output, strerror(-r));
	if (!r && rename(tmp_path, output) < 0)
		r = fmt_err(err, errlen, -errno, "renaming %s to %s: %s", tmp_path,
			    output, strerror(errno));
	if (r)
		unlink(tmp_path);
	tmp_path[0] = '\0';
	catch_signals(SIG_DFL);
	if (!r) {
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
		if (o->verbose)
			fprintf(stderr, "mkinitramfs: wrote %s (%llu bytes, %zu entries, "
				"%zu members)\n", output, (unsigned long long)total,
				nentries, s->n);
	}
	return r;
}
