/* archive.c - the entries as newc cpio members, compressed in parallel */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <pthread.h>
#include <libdeflate.h>
#include "compress.h"
#include "cpio.h"
#include "archive.h"
#include "genutil.h"
#include "regfile.h"

#define MAX_THREADS 64

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

void sink_free(struct sink *s)
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

/* @fn(@arg) in @n threads (this one among them, at most MAX_THREADS),
 * until each returns. */
static void run_workers(void *(*fn)(void *), void *arg, int n)
{
	pthread_t tid[MAX_THREADS];
	int i, started = 0;

	if (n > MAX_THREADS)
		n = MAX_THREADS;
	for (i = 1; i < n; i++)
		if (pthread_create(&tid[started], NULL, fn, arg) == 0)
			started++;
	fn(arg);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
}

int compress_all(struct sink *s)
{
	struct job j = { .s = s, .next = 0 };
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nthreads = s->o->threads > 0 ? s->o->threads : (int)(ncpu > 0 ? ncpu : 1);
	size_t k;

	if ((size_t)nthreads > s->n)
		nthreads = (int)s->n;
	pthread_mutex_init(&j.lock, NULL);
	run_workers(compress_worker, &j, nthreads);
	pthread_mutex_destroy(&j.lock);
	for (k = 0; k < s->n; k++)
		if (s->m[k].err)
			return s->m[k].err;
	return 0;
}

/* ---- modules gzipped one by one (--lazy-modules) --------------------
 * libdeflate's level 4: the 145 modules of --generic for Debian's 6.1
 * (24 MB) in 0.21 s, 7.15 MB; level 6: 0.65 s, 6.94 MB; level 9: 1.44 s,
 * 6.86 MB (2 CPUs).  The kernel only copies them, and /init inflates the
 * few it loads as fast whatever the level: speed wins.  The result
 * depends only on the file's bytes. */
#define GZ_LEVEL	4
#define GZ_MAX_BYTES	(512u << 20)	/* a module is a few MB at most */

struct gzjob {
	struct image *img;
	pthread_mutex_t lock;
	size_t next;
	int err;
	char *msg;
	size_t msglen;
};

static int gzip_one(struct img_entry *e, struct libdeflate_compressor *c,
		    char *err, size_t errlen)
{
	char *in;
	unsigned char *out;
	size_t got, cap, n;
	int r = read_file_max(e->src, GZ_MAX_BYTES, &in, &got);

	if (r == -EFBIG)
		return fmt_err(err, errlen, r, "%s (for /%s) is over %u MiB: not a module",
			       e->src, e->path, GZ_MAX_BYTES >> 20);
	if (r == -EISDIR || r == -EINVAL)
		return fmt_err(err, errlen, r, "%s (for /%s) is not a regular file",
			       e->src, e->path);
	if (r)
		return fmt_err(err, errlen, r, "cannot read %s (for /%s): %s", e->src,
			       e->path, strerror(-r));
	cap = libdeflate_gzip_compress_bound(c, got);
	out = malloc(cap);
	n = out ? libdeflate_gzip_compress(c, in, got, out, cap) : 0;
	free(in);
	if (!n) {
		free(out);
		return fmt_err(err, errlen, out ? -EIO : -ENOMEM, "gzip of %s failed%s",
			       e->src, out ? "" : ": out of memory");
	}
	free(e->src);
	e->src = NULL;
	e->data = out;
	e->size = n;
	e->kind = ENT_DATA;
	return 0;
}

static void *gzip_worker(void *arg)
{
	struct gzjob *j = arg;
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(GZ_LEVEL);
	char msg[512];

	for (;;) {
		size_t i;
		int r;

		pthread_mutex_lock(&j->lock);
		while (j->next < j->img->n && !(j->img->e[j->next].gzip &&
						j->img->e[j->next].kind == ENT_FILE))
			j->next++;
		i = j->err ? j->img->n : j->next++;
		pthread_mutex_unlock(&j->lock);
		if (i >= j->img->n)
			break;
		msg[0] = '\0';
		r = c ? gzip_one(&j->img->e[i], c, msg, sizeof(msg)) : -ENOMEM;
		if (r) {
			pthread_mutex_lock(&j->lock);
			if (!j->err) {
				j->err = r;
				snprintf(j->msg, j->msglen, "%s", msg[0] ? msg :
					 "gzip of the modules: out of memory");
			}
			pthread_mutex_unlock(&j->lock);
		}
	}
	libdeflate_free_compressor(c);
	return NULL;
}

int gzip_entries(struct image *img, int threads, char *err, size_t errlen)
{
	struct gzjob j = { .img = img, .msg = err, .msglen = errlen };
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	pthread_mutex_init(&j.lock, NULL);
	run_workers(gzip_worker, &j, threads > 0 ? threads : (int)(ncpu > 0 ? ncpu : 1));
	pthread_mutex_destroy(&j.lock);
	return j.err;
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
int write_archive(struct image *img, struct sink *s, char *err, size_t errlen)
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

