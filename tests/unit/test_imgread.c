/* test_imgread.c - walking images the way the kernel unpacks them,
 * listing like cpio -tv, and extraction that never leaves its directory */
#define _GNU_SOURCE
#include "unit.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/sysmacros.h>
#include "compress.h"
#include "cpio.h"
#include "imgextract.h"
#include "imgread.h"

#define OUTSIDE "/tmp/OUTSIDE"

static const char *tmp;		/* scratch directory */

/* ---- building images ------------------------------------------------ */

struct mem {
	uint8_t *p;
	size_t len, cap;
};

static void mem_put(struct mem *m, const void *buf, size_t len)
{
	if (m->len + len > m->cap) {
		m->cap = (m->len + len) * 2 + 64;
		m->p = realloc(m->p, m->cap);
		assert_non_null(m->p);
	}
	if (len)
		memcpy(m->p + m->len, buf, len);
	m->len += len;
}

static void mem_zeros(struct mem *m, size_t n)
{
	static const uint8_t z[64];

	while (n) {
		size_t k = n < sizeof(z) ? n : sizeof(z);

		mem_put(m, z, k);
		n -= k;
	}
}

static void mem_align(struct mem *m, size_t a)
{
	mem_zeros(m, (a - m->len % a) % a);
}

static void mem_free(struct mem *m)
{
	free(m->p);
	memset(m, 0, sizeof(*m));
}

/* The project's writer, its output cut into members at entry boundaries
 * by switching where it goes. */
struct builder {
	struct cpio_writer w;
	struct mem *cur;
};

static int bsink(void *ctx, const void *buf, size_t len)
{
	struct builder *b = ctx;

	mem_put(b->cur, buf, len);
	return 0;
}

static void b_init(struct builder *b, struct mem *first)
{
	cpio_init(&b->w, bsink, b);
	b->cur = first;
}

static void b_add(struct builder *b, const char *name, unsigned int mode,
		  const void *data, size_t size)
{
	struct cpio_entry e = { .name = name, .mode = mode, .size = (uint32_t)size,
				.mtime = 1234567 };

	assert_int_equal(cpio_add(&b->w, &e, data), 0);
}

static void b_link(struct builder *b, const char *name, const char *target)
{
	b_add(b, name, S_IFLNK | 0777, target, strlen(target));
}

static void b_node(struct builder *b, const char *name, unsigned int mode,
		   unsigned int maj, unsigned int min)
{
	struct cpio_entry e = { .name = name, .mode = mode, .rdev_major = maj,
				.rdev_minor = min };

	assert_int_equal(cpio_add(&b->w, &e, NULL), 0);
}

/* An entry by hand, for what the writer rightly refuses to make (absolute
 * names, lying sizes, chosen inode numbers).  @have data bytes follow. */
static void raw_entry(struct mem *m, uint32_t ino, const char *name,
		      unsigned int mode, uint32_t nlink, uint32_t size,
		      const void *data, size_t have)
{
	struct cpio_entry e = { .name = name, .mode = mode, .size = size,
				.nlink = nlink, .mtime = 1234567 };
	char hdr[CPIO_HEADER_LEN];

	assert_int_equal(m->len % 4, 0);
	cpio_format_header(hdr, ino, &e, strlen(name) + 1);
	mem_put(m, hdr, sizeof(hdr));
	mem_put(m, name, strlen(name) + 1);
	mem_align(m, 4);
	mem_put(m, data, have);
	if (have == size)
		mem_align(m, 4);
}

static void put_member(struct mem *img, enum comp_alg alg, const struct mem *raw)
{
	void *c;
	size_t clen;

	if (alg == ALG_NONE) {
		mem_put(img, raw->p, raw->len);
		return;
	}
	assert_int_equal(comp_buffer(alg, -1, raw->p, raw->len, &c, &clen), 0);
	mem_put(img, c, clen);
	free(c);
}

static uint8_t *noise(size_t len, uint32_t seed)
{
	uint8_t *p = malloc(len ? len : 1);
	uint32_t x = seed | 1;
	size_t i;

	assert_non_null(p);
	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (i / 1024) % 2 ? (uint8_t)x : "some text "[i % 10];
	}
	return p;
}

static void write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static char *read_text(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* ---- collecting a walk ---------------------------------------------- */

struct seen {
	char name[128];
	uint32_t mode, size, nlink, ino, maj, min, mtime;
	uint8_t *data;
};

struct seenlist {
	struct seen e[64];
	int n;
	int stop_at;		/* return -EINTR at this entry (1-based) */
};

static int collect(void *ctx, const struct img_entry_info *e)
{
	struct seenlist *s = ctx;
	struct seen *x;

	if (s->stop_at && s->n + 1 == s->stop_at)
		return -EINTR;
	assert_true(s->n < 64);
	x = &s->e[s->n++];
	snprintf(x->name, sizeof(x->name), "%s", e->name);
	x->mode = e->mode;
	x->size = e->size;
	x->nlink = e->nlink;
	x->ino = e->ino;
	x->maj = e->rdev_major;
	x->min = e->rdev_minor;
	x->mtime = e->mtime;
	x->data = malloc(e->size ? e->size : 1);
	assert_non_null(x->data);
	if (e->size) {
		assert_non_null(e->data);
		memcpy(x->data, e->data, e->size);
	}
	return 0;
}

static void seen_free(struct seenlist *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		free(s->e[i].data);
	s->n = 0;
}

static int walk_mem(const struct mem *img, uint64_t max, struct seenlist *s,
		    uint64_t *where)
{
	seen_free(s);
	*where = UINT64_MAX;
	return img_walk(img->p, img->len, max, collect, s, where);
}

/* ---- the mixed image ------------------------------------------------- */

#define SH_LEN	(100 * 1024)
#define BIG_LEN	(1536 * 1024)

/* raw | gzip | NULs | zstd | NULs to 4 | raw with the TRAILER */
static void build_mixed(struct mem *img, size_t *member_off)
{
	struct mem a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };
	uint8_t *sh = noise(SH_LEN, 1), *big = noise(BIG_LEN, 2);
	struct builder bl;

	b_init(&bl, &a);
	b_add(&bl, ".", S_IFDIR | 0755, NULL, 0);
	b_add(&bl, "etc", S_IFDIR | 0755, NULL, 0);
	b_add(&bl, "etc/hello", S_IFREG | 0644, "hello\n", 6);
	bl.cur = &b;
	b_add(&bl, "bin", S_IFDIR | 0755, NULL, 0);
	b_add(&bl, "bin/sh", S_IFREG | 0755, sh, SH_LEN);
	b_link(&bl, "bin/ash", "sh");
	bl.cur = &c;
	b_add(&bl, "dev", S_IFDIR | 0755, NULL, 0);
	b_node(&bl, "dev/console", S_IFCHR | 0600, 5, 1);
	b_add(&bl, "big", S_IFREG | 0600, big, BIG_LEN);
	bl.cur = &d;
	b_add(&bl, "last", S_IFREG | 0644, "end\n", 4);
	assert_int_equal(cpio_trailer(&bl.w), 0);

	memset(img, 0, sizeof(*img));
	put_member(img, ALG_NONE, &a);
	member_off[0] = img->len;
	put_member(img, ALG_GZIP, &b);
	mem_zeros(img, 8);
	member_off[1] = img->len;
	put_member(img, ALG_ZSTD, &c);
	mem_align(img, 4);
	member_off[2] = img->len;
	put_member(img, ALG_NONE, &d);
	mem_free(&a);
	mem_free(&b);
	mem_free(&c);
	mem_free(&d);
	free(sh);
	free(big);
}

static void test_walk_mixed(void **state)
{
	static const char *const names[] = {
		".", "etc", "etc/hello", "bin", "bin/sh", "bin/ash", "dev",
		"dev/console", "big", "last",
	};
	static struct seenlist s;
	uint8_t *sh = noise(SH_LEN, 1), *big = noise(BIG_LEN, 2);
	struct mem img;
	size_t off[3], i;
	uint64_t where;

	build_mixed(&img, off);
	assert_int_equal(comp_detect(img.p + off[0], 2), ALG_GZIP);
	assert_int_equal(comp_detect(img.p + off[1], 2), ALG_ZSTD);
	assert_int_equal(walk_mem(&img, UINT64_MAX, &s, &where), 0);
	assert_int_equal(s.n, 10);
	for (i = 0; i < 10; i++)
		assert_string_equal(s.e[i].name, names[i]);
	assert_memory_equal(s.e[2].data, "hello\n", 6);
	assert_int_equal(s.e[4].size, SH_LEN);
	assert_memory_equal(s.e[4].data, sh, SH_LEN);
	assert_int_equal(s.e[4].mode, S_IFREG | 0755);
	assert_int_equal(s.e[5].mode, S_IFLNK | 0777);
	assert_int_equal(s.e[5].size, 2);
	assert_memory_equal(s.e[5].data, "sh", 2);
	assert_int_equal(s.e[7].mode, S_IFCHR | 0600);
	assert_int_equal(s.e[7].maj, 5);
	assert_int_equal(s.e[7].min, 1);
	assert_int_equal(s.e[8].size, BIG_LEN);
	assert_memory_equal(s.e[8].data, big, BIG_LEN);
	assert_memory_equal(s.e[9].data, "end\n", 4);
	assert_int_equal(s.e[9].mtime, 1234567);

	/* the limit counts cpio bytes, compressed or not */
	assert_int_equal(walk_mem(&img, BIG_LEN, &s, &where), -EFBIG);
	assert_int_equal(where, off[1]);
	/* the consumer can stop the walk, and its error comes back */
	s.stop_at = 3;
	assert_int_equal(walk_mem(&img, UINT64_MAX, &s, &where), -EINTR);
	assert_int_equal(s.n, 2);
	s.stop_at = 0;
	seen_free(&s);
	mem_free(&img);
	free(sh);
	free(big);
}

/* Every algorithm in one image, with lz4's rule: its stream runs to the
 * end of the image or to a zero word. */
static void test_walk_all_algs(void **state)
{
	static const enum comp_alg algs[] = { ALG_XZ, ALG_LZ4, ALG_GZIP, ALG_ZSTD };
	static struct seenlist s;
	struct mem raw[5] = { { 0 } }, img = { 0 }, bad = { 0 };
	struct builder b;
	char name[32];
	size_t lz4_off = 0, i;
	uint64_t where;

	b_init(&b, &raw[0]);
	for (i = 0; i < 5; i++) {
		b.cur = &raw[i];
		snprintf(name, sizeof(name), "f%zu", i);
		b_add(&b, name, S_IFREG | 0644, name, strlen(name));
	}
	assert_int_equal(cpio_trailer(&b.w), 0);

	put_member(&img, ALG_NONE, &raw[0]);
	for (i = 0; i < 4; i++) {
		if (algs[i] == ALG_LZ4)
			lz4_off = img.len;
		put_member(&img, algs[i], &raw[i + 1]);
		if (algs[i] == ALG_LZ4)
			mem_zeros(&img, 4);	/* ends the lz4 stream */
	}
	assert_int_equal(walk_mem(&img, UINT64_MAX, &s, &where), 0);
	assert_int_equal(s.n, 5);
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		assert_string_equal(s.e[i].name, name);
	}

	/* lz4 then directly an uncompressed segment: the kernel would read
	 * "0707" as the next block's size; so do we, and refuse it */
	put_member(&bad, ALG_NONE, &raw[0]);
	lz4_off = bad.len;
	put_member(&bad, ALG_LZ4, &raw[1]);
	mem_align(&bad, 4);
	put_member(&bad, ALG_NONE, &raw[4]);
	assert_int_equal(walk_mem(&bad, UINT64_MAX, &s, &where), -EINVAL);
	assert_int_equal(where, lz4_off);
	/* lz4 as the last member needs nothing after it */
	bad.len = 0;
	put_member(&bad, ALG_NONE, &raw[0]);
	put_member(&bad, ALG_LZ4, &raw[4]);
	assert_int_equal(walk_mem(&bad, UINT64_MAX, &s, &where), 0);
	assert_int_equal(s.n, 2);

	seen_free(&s);
	for (i = 0; i < 5; i++)
		mem_free(&raw[i]);
	mem_free(&img);
	mem_free(&bad);
}

/* TRAILER!!! ends a segment, not the image: the kernel keeps going. */
static void test_walk_after_trailer(void **state)
{
	static struct seenlist s;
	struct mem m = { 0 };
	struct builder b;
	uint64_t where;

	b_init(&b, &m);
	b_add(&b, "x", S_IFREG | 0644, "1", 1);
	assert_int_equal(cpio_trailer(&b.w), 0);
	b_add(&b, "y", S_IFREG | 0644, "2", 1);
	assert_int_equal(cpio_trailer(&b.w), 0);
	assert_int_equal(walk_mem(&m, UINT64_MAX, &s, &where), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.e[0].name, "x");
	assert_string_equal(s.e[1].name, "y");
	/* empty and all-NUL images hold nothing, and that is fine for the
	 * walk, as for the kernel (--list and --extract refuse them:
	 * test_empty_images) */
	m.len = 0;
	assert_int_equal(walk_mem(&m, UINT64_MAX, &s, &where), 0);
	assert_int_equal(s.n, 0);
	mem_zeros(&m, 16);
	assert_int_equal(walk_mem(&m, UINT64_MAX, &s, &where), 0);
	assert_int_equal(s.n, 0);
	seen_free(&s);
	mem_free(&m);
}

/* 070702: the check field is the byte sum of the data. */
static void test_walk_crc_format(void **state)
{
	static struct seenlist s;
	struct mem m = { 0 };
	uint64_t where;
	char sum[9];

	raw_entry(&m, 1, "f", S_IFREG | 0644, 1, 3, "abc", 3);
	memcpy(m.p, "070702", 6);
	snprintf(sum, sizeof(sum), "%08X", 'a' + 'b' + 'c');
	memcpy(m.p + 6 + 8 * 12, sum, 8);
	assert_int_equal(walk_mem(&m, UINT64_MAX, &s, &where), 0);
	assert_int_equal(s.n, 1);
	memcpy(m.p + 6 + 8 * 12, "00000001", 8);
	assert_int_equal(walk_mem(&m, UINT64_MAX, &s, &where), -EINVAL);
	assert_int_equal(where, 0);
	seen_free(&s);
	mem_free(&m);
}

static void expect_bad(const struct mem *m, int rc, uint64_t want_where,
		       const char *what)
{
	static struct seenlist s;
	uint64_t where;
	int r = walk_mem(m, UINT64_MAX, &s, &where);

	if (r != rc || where != want_where)
		fail_msg("%s: got %d at %llu, want %d at %llu", what, r,
			 (unsigned long long)where, rc, (unsigned long long)want_where);
	seen_free(&s);
}

static void test_walk_refuses_malformed(void **state)
{
	struct mem m = { 0 }, good = { 0 }, raw = { 0 };
	uint8_t *big = noise(20000, 3);
	char longlink[4200];
	size_t g;

	raw_entry(&good, 1, "ok", S_IFREG | 0644, 1, 2, "ok", 2);
	g = good.len;

	mem_put(&m, "xyz!", 4);
	expect_bad(&m, -EINVAL, 0, "junk");

	m.len = 0;
	mem_put(&m, "\0", 1);
	mem_put(&m, good.p, good.len);
	expect_bad(&m, -EINVAL, 1, "header at an unaligned offset");

	m.len = 0;
	mem_put(&m, good.p, good.len);
	raw_entry(&m, 2, "big", S_IFREG | 0644, 1, 1000, "0123456789", 10);
	expect_bad(&m, -EINVAL, g, "size past the end");

	m.len = 0;
	mem_put(&m, good.p, 50);
	expect_bad(&m, -EINVAL, 0, "truncated header");

	m.len = 0;
	mem_put(&m, good.p, good.len - 2);
	expect_bad(&m, -EINVAL, 0, "image ends inside the padding");

	m.len = 0;
	mem_put(&m, good.p, good.len);
	memcpy(m.p, "070707", 6);
	expect_bad(&m, -EINVAL, 0, "odc magic");

	m.len = 0;
	mem_put(&m, good.p, good.len);
	m.p[6 + 8 + 3] = 'G';
	expect_bad(&m, -EINVAL, 0, "non-hex mode");

	m.len = 0;
	mem_put(&m, good.p, good.len);
	memcpy(m.p + 6 + 8 * 11, "00000000", 8);
	expect_bad(&m, -EINVAL, 0, "name size 0");

	m.len = 0;
	mem_put(&m, good.p, good.len);
	memcpy(m.p + 6 + 8 * 11, "00002000", 8);
	expect_bad(&m, -EINVAL, 0, "name size 8192");

	m.len = 0;
	mem_put(&m, good.p, good.len);
	memcpy(m.p + 6 + 8 * 11, "00000002", 8);	/* "ok" without its NUL */
	expect_bad(&m, -EINVAL, 0, "name not NUL-terminated");

	m.len = 0;
	memset(longlink, 'a', sizeof(longlink));
	raw_entry(&m, 1, "l", S_IFLNK | 0777, 1, sizeof(longlink), longlink,
		  sizeof(longlink));
	expect_bad(&m, -EINVAL, 0, "symlink target over 4096");

	m.len = 0;
	mem_put(&m, good.p, good.len);
	mem_put(&m, "\0A", 2);
	expect_bad(&m, -EINVAL, g + 1, "broken padding");

	m.len = 0;
	mem_put(&m, good.p, good.len);
	mem_put(&m, "BZh91AY&SY", 10);
	expect_bad(&m, -ENOTSUP, g, "bzip2");

	/* a member cut inside an entry */
	raw_entry(&raw, 3, "big", S_IFREG | 0644, 1, 20000, big, 20000);
	raw.len = 10000;
	m.len = 0;
	mem_put(&m, good.p, good.len);
	put_member(&m, ALG_GZIP, &raw);
	expect_bad(&m, -EINVAL, g, "member ends inside an entry");

	/* the first thing in the image a member with no cpio data: the
	 * kernel calls that junk */
	raw.len = 0;
	m.len = 0;
	put_member(&m, ALG_ZSTD, &raw);
	mem_put(&m, good.p, good.len);
	expect_bad(&m, -EINVAL, 0, "empty first member");

	/* trailing junk after a member */
	raw.len = 0;
	raw_entry(&raw, 4, "x", S_IFREG | 0644, 1, 1, "x", 1);
	m.len = 0;
	put_member(&m, ALG_XZ, &raw);
	g = m.len;
	mem_put(&m, "!", 1);
	expect_bad(&m, -EINVAL, g, "junk after a member");

	mem_free(&m);
	mem_free(&good);
	mem_free(&raw);
	free(big);
}

/* Cut and damaged images: never a crash, never a read past the end
 * (ASan watches), and an error offset inside the image. */
static void test_walk_fuzz(void **state)
{
	static const enum comp_alg algs[] = { ALG_GZIP, ALG_ZSTD, ALG_XZ, ALG_LZ4 };
	static struct seenlist s;
	struct mem raw[5] = { { 0 } }, img = { 0 };
	uint8_t *data = noise(3000, 4), *cut;
	struct builder b;
	uint32_t x = 12345;
	size_t i, len;
	uint64_t where;
	int r, fails = 0;

	b_init(&b, &raw[0]);
	for (i = 0; i < 5; i++) {
		char name[16];

		b.cur = &raw[i];
		snprintf(name, sizeof(name), "d%zu", i);
		b_add(&b, name, S_IFDIR | 0755, NULL, 0);
		snprintf(name, sizeof(name), "d%zu/f", i);
		b_add(&b, name, S_IFREG | 0644, data, 700 * i + 1);
	}
	assert_int_equal(cpio_trailer(&b.w), 0);
	put_member(&img, ALG_NONE, &raw[0]);
	for (i = 0; i < 4; i++) {
		put_member(&img, algs[i], &raw[i + 1]);
		mem_zeros(&img, 4);
	}
	assert_int_equal(walk_mem(&img, UINT64_MAX, &s, &where), 0);
	assert_int_equal(s.n, 10);

	for (len = 0; len < img.len; len++) {
		cut = malloc(len ? len : 1);
		memcpy(cut, img.p, len);
		seen_free(&s);
		r = img_walk(cut, len, UINT64_MAX, collect, &s, &where);
		if (r) {
			fails++;
			if (r != -EINVAL || where > len)
				fail_msg("cut at %zu: %d at %llu", len, r,
					 (unsigned long long)where);
		}
		free(cut);
	}
	assert_true(fails > (int)img.len / 2);	/* most cuts are truncations */
	for (i = 0; i < 3000; i++) {
		size_t at;
		uint8_t old;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		at = x % img.len;
		old = img.p[at];
		img.p[at] ^= (uint8_t)(1 + (x >> 24) % 255);
		seen_free(&s);
		r = img_walk(img.p, img.len, 1 << 20, collect, &s, &where);
		if (r > 0 || (r && where > img.len))
			fail_msg("flip at %zu: error offset %llu", at,
				 (unsigned long long)where);
		img.p[at] = old;
	}
	seen_free(&s);
	for (i = 0; i < 5; i++)
		mem_free(&raw[i]);
	mem_free(&img);
	free(data);
}

/* ---- listing -------------------------------------------------------- */

static void test_list_format(void **state)
{
	struct mem m = { 0 };
	struct builder b;
	char path[512], out[512], err[256];
	FILE *f;
	const char *want =
		"drwxr-xr-x   2 0        0               0 1970-01-15 06:56 etc\n"
		"-rwsr-xr-x   1 0        0               3 1970-01-15 06:56 etc/su\n"
		"lrwxrwxrwx   1 0        0               2 1970-01-15 06:56 etc/l -> su\n"
		"crw-------   1 0        0          5,   1 1970-01-01 00:00 dev/console\n"
		"-rw-r--r--   1 0        0               0 1970-01-15 06:56 a\\012b\n";

	b_init(&b, &m);
	b_add(&b, "etc", S_IFDIR | 0755, NULL, 0);
	b_add(&b, "etc/su", S_IFREG | 04755, "abc", 3);
	b_link(&b, "etc/l", "su");
	b_node(&b, "dev/console", S_IFCHR | 0600, 5, 1);
	b_add(&b, "a\nb", S_IFREG | 0644, NULL, 0);
	assert_int_equal(cpio_trailer(&b.w), 0);
	snprintf(path, sizeof(path), "%s/list.cpio", tmp);
	write_file(path, m.p, m.len);
	snprintf(out, sizeof(out), "%s/list.txt", tmp);
	f = fopen(out, "w");
	assert_non_null(f);
	assert_int_equal(img_list(path, f, err, sizeof(err)), 0);
	fclose(f);
	assert_string_equal(read_text(out), want);

	/* errors name the file and the place */
	write_file(path, m.p, 200);
	f = fopen(out, "w");
	assert_int_equal(img_list(path, f, err, sizeof(err)), -EINVAL);
	fclose(f);
	if (!strstr(err, path) || !strstr(err, "ends inside"))
		fail_msg("message: %s", err);
	snprintf(path, sizeof(path), "%s/does-not-exist", tmp);
	assert_int_equal(img_list(path, stdout, err, sizeof(err)), -ENOENT);
	mem_free(&m);
}

/* A tree on disk for GNU cpio to archive. */
static void make_tree(const char *dir)
{
	unit_sh("set -e; mkdir -p %s && cd %s && mkdir -p etc/modprobe.d usr/bin "
		"usr/lib/modules/6.1.0 empty-dir && echo hello > etc/hostname && "
		"printf 'options x y=1\\n' > etc/modprobe.d/x.conf && "
		"head -c 70000 /bin/ls > usr/bin/tool && chmod 0755 usr/bin/tool && "
		": > empty-file && chmod 0600 empty-file && ln -s usr/bin bin && "
		"ln -s ../../../tool usr/lib/modules/6.1.0/rel && mkfifo fifo && "
		"chmod 0750 usr/lib && ln etc/hostname etc/hardlink && "
		"touch -h -d @1000000 bin etc/hostname etc/modprobe.d etc", dir, dir);
}

static void test_list_matches_gnu_cpio(void **state)
{
	char tree[512], img[512], ours[512], gnu[512], err[256];
	char a[1024], b[1024];
	FILE *f, *fo, *fg;
	int n = 0;

	snprintf(tree, sizeof(tree), "%s/tree-list", tmp);
	snprintf(img, sizeof(img), "%s/gnu-list.cpio.gz", tmp);
	snprintf(ours, sizeof(ours), "%s/ours.txt", tmp);
	snprintf(gnu, sizeof(gnu), "%s/gnu.txt", tmp);
	make_tree(tree);
	unit_sh("cd %s && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9 > %s",
		tree, img);
	unit_sh("gzip -dc %s | cpio -itv --quiet > %s", img, gnu);
	f = fopen(ours, "w");
	assert_non_null(f);
	assert_int_equal(img_list(img, f, err, sizeof(err)), 0);
	fclose(f);

	/* mode, links, size, name, link target: the same, line by line */
	fo = fopen(ours, "r");
	fg = fopen(gnu, "r");
	assert_non_null(fo);
	assert_non_null(fg);
	while (fgets(a, sizeof(a), fo)) {
		char om[16], gm[16], on[512], gn[512], ot[512] = "", gt[512] = "";
		unsigned int ol, gl;
		unsigned long os, gs;

		assert_non_null(fgets(b, sizeof(b), fg));
		assert_true(sscanf(a, "%15s %u %*s %*s %lu %*s %*s %511s -> %511s",
				   om, &ol, &os, on, ot) >= 4);
		assert_true(sscanf(b, "%15s %u %*s %*s %lu %*s %*s %*s %511s -> %511s",
				   gm, &gl, &gs, gn, gt) >= 4);
		if (strcmp(om, gm) || ol != gl || os != gs || strcmp(on, gn) ||
		    strcmp(ot, gt))
			fail_msg("ours: %sgnu:  %s", a, b);
		n++;
	}
	assert_null(fgets(b, sizeof(b), fg));
	assert_int_equal(n, 17);	/* "." and the 16 things in the tree */
	fclose(fo);
	fclose(fg);
}

/* ---- extraction ----------------------------------------------------- */

static int ex(const char *img, const char *dir, const struct img_extract_opts *o,
	      struct img_extract_stats *st, char *err, size_t errlen)
{
	return img_extract_ex(img, dir, o, st, err, errlen);
}

static void test_extract_roundtrip(void **state)
{
	uint8_t *sh = noise(SH_LEN, 1), *big = noise(BIG_LEN, 2);
	struct img_extract_stats st;
	struct mem img, more = { 0 };
	char path[512], dir[512], p[600], err[512], lt[64];
	size_t off[3], n;
	struct stat sb, sb2;
	uint8_t *got;

	build_mixed(&img, off);
	/* and what the kernel does besides: hard links (data on the last
	 * name, as GNU cpio writes them), setuid, a closed directory, a fifo */
	raw_entry(&more, 900, "hl1", S_IFREG | 0640, 2, 0, NULL, 0);
	raw_entry(&more, 900, "hl2", S_IFREG | 0640, 2, 5, "link\n", 5);
	raw_entry(&more, 901, "suid", S_IFREG | 06755, 1, 2, "#!", 2);
	raw_entry(&more, 902, "closed", S_IFDIR | 0500, 2, 0, NULL, 0);
	raw_entry(&more, 903, "closed/inside", S_IFREG | 0400, 1, 2, "ro", 2);
	raw_entry(&more, 904, "pipe", S_IFIFO | 0620, 1, 0, NULL, 0);
	mem_put(&img, more.p, more.len);
	snprintf(path, sizeof(path), "%s/mixed.img", tmp);
	write_file(path, img.p, img.len);
	snprintf(dir, sizeof(dir), "%s/x-mixed", tmp);
	assert_int_equal(mkdir(dir, 0700), 0);

	if (ex(path, dir, NULL, &st, err, sizeof(err)))
		fail_msg("%s", err);
	snprintf(p, sizeof(p), "%s/etc/hello", dir);
	assert_string_equal(read_text(p), "hello\n");
	snprintf(p, sizeof(p), "%s/bin/sh", dir);
	got = unit_read(p, 0, SH_LEN + 1, &n);
	assert_int_equal(n, SH_LEN);
	assert_memory_equal(got, sh, SH_LEN);
	free(got);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0755);
	assert_int_equal(sb.st_mtime, 1234567);
	snprintf(p, sizeof(p), "%s/big", dir);
	got = unit_read(p, 0, BIG_LEN + 1, &n);
	assert_int_equal(n, BIG_LEN);
	assert_memory_equal(got, big, BIG_LEN);
	free(got);
	snprintf(p, sizeof(p), "%s/bin/ash", dir);
	assert_int_equal(readlink(p, lt, sizeof(lt)), 2);
	assert_memory_equal(lt, "sh", 2);
	snprintf(p, sizeof(p), "%s/hl1", dir);
	assert_int_equal(stat(p, &sb), 0);
	assert_string_equal(read_text(p), "link\n");
	snprintf(p, sizeof(p), "%s/hl2", dir);
	assert_int_equal(stat(p, &sb2), 0);
	assert_int_equal(sb.st_ino, sb2.st_ino);
	assert_int_equal(sb2.st_nlink, 2);
	assert_int_equal(sb2.st_mode & 07777, 0640);
	snprintf(p, sizeof(p), "%s/suid", dir);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0755);	/* setuid, setgid dropped */
	snprintf(p, sizeof(p), "%s/closed", dir);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);	/* u+rwx added */
	assert_int_equal(sb.st_mtime, 1234567);		/* set after its contents */
	snprintf(p, sizeof(p), "%s/closed/inside", dir);
	assert_string_equal(read_text(p), "ro");
	snprintf(p, sizeof(p), "%s/pipe", dir);
	assert_int_equal(lstat(p, &sb), 0);
	assert_true(S_ISFIFO(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0620);
	snprintf(p, sizeof(p), "%s/dev/console", dir);
	if (geteuid() == 0) {
		assert_int_equal(lstat(p, &sb), 0);
		assert_true(S_ISCHR(sb.st_mode));
		assert_int_equal(major(sb.st_rdev), 5);
		assert_int_equal(minor(sb.st_rdev), 1);
		assert_int_equal(sb.st_mode & 0777, 0600);
		assert_int_equal(st.nodes, 2);		/* console and the fifo */
	} else {
		assert_int_equal(lstat(p, &sb), -1);
		assert_int_equal(st.skipped, 1);
	}
	assert_int_equal(st.files, 7);	/* hello sh big last hl1 suid inside */
	assert_int_equal(st.hardlinks, 1);
	assert_int_equal(st.links, 1);
	assert_int_equal(st.dirs, 4);	/* etc bin dev closed; "." is the target */

	/* again on top of itself: replaces its own files, same result */
	if (img_extract(path, dir, err, sizeof(err)))
		fail_msg("%s", err);
	snprintf(p, sizeof(p), "%s/hl1", dir);
	assert_string_equal(read_text(p), "link\n");
	mem_free(&img);
	mem_free(&more);
	free(sh);
	free(big);
}

/* What GNU cpio -idm makes of a real archive, we make too. */
static void test_extract_matches_gnu_cpio(void **state)
{
	char tree[512], img[512], err[512];

	snprintf(tree, sizeof(tree), "%s/tree-x", tmp);
	snprintf(img, sizeof(img), "%s/gnu-x.cpio.gz", tmp);
	make_tree(tree);
	unit_sh("cd %s && find . | cpio -o -H newc --quiet | gzip > %s", tree, img);
	unit_sh("mkdir %s/x-ours %s/x-gnu && cd %s/x-gnu && gzip -dc %s | "
		"cpio -idm --quiet --no-absolute-filenames", tmp, tmp, tmp, img);
	{
		char dir[512];

		snprintf(dir, sizeof(dir), "%s/x-ours", tmp);
		if (img_extract(img, dir, err, sizeof(err)))
			fail_msg("%s", err);
	}
	unit_sh("cd %s && diff -r --no-dereference -x fifo x-ours x-gnu", tmp);
	/* type, mode, size, target, hard links; times of files (GNU cpio -m
	 * leaves directory times to the moment it filled them) */
	unit_sh("cd %s/x-ours && find . -printf '%%p %%y %%m %%s %%l %%n\\n' | sort "
		"> ../x-ours.txt && find . -type f -printf '%%p %%T@\\n' | sort "
		">> ../x-ours.txt", tmp);
	unit_sh("cd %s/x-gnu && find . -printf '%%p %%y %%m %%s %%l %%n\\n' | sort "
		"> ../x-gnu.txt && find . -type f -printf '%%p %%T@\\n' | sort "
		">> ../x-gnu.txt", tmp);
	unit_sh("cd %s && diff x-ours.txt x-gnu.txt && grep -q '^./fifo p 644' "
		"x-ours.txt && grep -q '^./etc/hostname f 644 6  2$' x-ours.txt", tmp);
	/* ours does set them, after filling them */
	unit_sh("cd %s/x-ours && test $(stat -c %%Y etc) = 1000000 && "
		"test $(stat -c %%Y etc/modprobe.d) = 1000000", tmp);
}

/* ---- extraction safety ---------------------------------------------- */

/* Entries of the sandbox besides "out" and @allowed. */
static int strays(const char *sb, const char *allowed, char *first, size_t len)
{
	DIR *d = opendir(sb);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, "out") ||
		    (allowed && !strcmp(de->d_name, allowed)))
			continue;
		if (!n++)
			snprintf(first, len, "%s", de->d_name);
	}
	closedir(d);
	return n;
}

static int exists(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0;
}

struct sandbox {
	char dir[256], out[512], img[512];
};

static void sandbox(struct sandbox *s, const char *tag)
{
	snprintf(s->dir, sizeof(s->dir), "%.200s/sb-%.40s", tmp, tag);
	snprintf(s->out, sizeof(s->out), "%s/out", s->dir);
	snprintf(s->img, sizeof(s->img), "%s/img-%s", tmp, tag);	/* outside */
	assert_int_equal(mkdir(s->dir, 0700), 0);
	assert_int_equal(mkdir(s->out, 0700), 0);
}

/* Extract @img in a fresh sandbox, expect @rc and @msg in the error, then
 * prove nothing appeared outside out/. */
static void hostile(const char *tag, const struct mem *img, int rc, const char *msg,
		    const struct img_extract_opts *o, const char *allowed,
		    struct sandbox *keep)
{
	struct sandbox s;
	char err[1024] = "", stray[256];
	int r;

	sandbox(&s, tag);
	if (keep)
		*keep = s;
	write_file(s.img, img->p, img->len);
	r = ex(s.img, s.out, o, NULL, err, sizeof(err));
	if (r != rc || (msg && !strstr(err, msg)))
		fail_msg("%s: got %d \"%s\", want %d \"%s\"", tag, r, err, rc, msg);
	if (strays(s.dir, allowed, stray, sizeof(stray)))
		fail_msg("%s: '%s' appeared outside the extraction directory", tag, stray);
	if (exists(OUTSIDE) || exists("/etc/abs"))
		fail_msg("%s: wrote outside", tag);
}

static void test_extract_refuses_escapes(void **state)
{
	struct mem m = { 0 };
	struct sandbox s;
	char stray[256], p[600], target[512];

	if (exists(OUTSIDE))
		fail_msg(OUTSIDE " exists before the test; remove it");
	/* the stray scan itself finds a stray */
	sandbox(&s, "scan");
	snprintf(p, sizeof(p), "%s/oops", s.dir);
	write_file(p, "x", 1);
	assert_int_equal(strays(s.dir, NULL, stray, sizeof(stray)), 1);
	assert_string_equal(stray, "oops");

	raw_entry(&m, 1, "/etc/abs", S_IFREG | 0644, 1, 3, "abs", 3);
	hostile("abs", &m, -EINVAL, "'/etc/abs': absolute name", NULL, NULL, NULL);

	m.len = 0;
	raw_entry(&m, 1, "../up", S_IFREG | 0644, 1, 2, "up", 2);
	hostile("dotdot", &m, -EINVAL, "'../up': '..' in the name", NULL, NULL, NULL);

	m.len = 0;
	raw_entry(&m, 1, "a", S_IFDIR | 0755, 2, 0, NULL, 0);
	raw_entry(&m, 2, "a/../../up", S_IFREG | 0644, 1, 2, "up", 2);
	hostile("dotdot2", &m, -EINVAL, "'a/../../up': '..' in the name", NULL, NULL,
		NULL);

	/* a symlink out, then a file through it */
	m.len = 0;
	raw_entry(&m, 1, "l", S_IFLNK | 0777, 1, strlen(OUTSIDE), OUTSIDE,
		  strlen(OUTSIDE));
	raw_entry(&m, 2, "l/x", S_IFREG | 0644, 1, 2, "x\n", 2);
	hostile("symlink-dir", &m, -ELOOP, "'l/x': 'l' is a symlink (to " OUTSIDE
		"); refusing to follow it", NULL, NULL, &s);
	snprintf(p, sizeof(p), "%s/l", s.out);
	assert_true(exists(p));		/* the link itself is made, inside */

	/* ... to a directory that exists, which a naive extractor would use */
	m.len = 0;
	snprintf(target, sizeof(target), "%s/sb-symlink-real", tmp);
	raw_entry(&m, 1, "m", S_IFLNK | 0777, 1, strlen(target), target,
		  strlen(target));
	raw_entry(&m, 2, "m/escaped", S_IFREG | 0644, 1, 2, "x\n", 2);
	hostile("symlink-real", &m, -ELOOP, "refusing to follow", NULL, NULL, NULL);

	/* ... a file over the symlink itself, and a directory */
	m.len = 0;
	raw_entry(&m, 1, "l", S_IFLNK | 0777, 1, strlen(OUTSIDE), OUTSIDE,
		  strlen(OUTSIDE));
	raw_entry(&m, 2, "l", S_IFREG | 0644, 1, 2, "x\n", 2);
	hostile("symlink-file", &m, -ELOOP, "'l': a symlink of that name exists; "
		"refusing to write through it", NULL, NULL, NULL);
	m.len = 0;
	raw_entry(&m, 1, "l", S_IFLNK | 0777, 1, strlen(OUTSIDE), OUTSIDE,
		  strlen(OUTSIDE));
	raw_entry(&m, 2, "l", S_IFDIR | 0755, 2, 0, NULL, 0);
	hostile("symlink-mkdir", &m, -ELOOP, "'l': a symlink of that name exists",
		NULL, NULL, NULL);

	/* a symlink to "..", then a file through it */
	m.len = 0;
	raw_entry(&m, 1, "up", S_IFLNK | 0777, 1, 2, "..", 2);
	raw_entry(&m, 2, "up/x", S_IFREG | 0644, 1, 2, "x\n", 2);
	hostile("symlink-up", &m, -ELOOP, "'up/x': 'up' is a symlink (to ..)", NULL,
		NULL, NULL);

	/* a device node behind a symlink */
	m.len = 0;
	raw_entry(&m, 1, "l", S_IFLNK | 0777, 1, strlen(OUTSIDE), OUTSIDE,
		  strlen(OUTSIDE));
	raw_entry(&m, 2, "l/mem", S_IFCHR | 0666, 1, 0, NULL, 0);
	hostile("symlink-node", &m, -ELOOP, "'l/mem': 'l' is a symlink", NULL, NULL,
		NULL);
	mem_free(&m);
}

static void test_extract_existing_files(void **state)
{
	struct mem m = { 0 };
	struct sandbox s;
	char p[600], q[600];

	/* a symlink already in the directory is not written through */
	sandbox(&s, "pre");
	snprintf(p, sizeof(p), "%s/pre", s.out);
	assert_int_equal(symlink(OUTSIDE, p), 0);
	raw_entry(&m, 1, "pre", S_IFREG | 0644, 1, 2, "x\n", 2);
	write_file(s.img, m.p, m.len);
	{
		char err[512];

		assert_int_equal(ex(s.img, s.out, NULL, NULL, err, sizeof(err)), -ELOOP);
		assert_non_null(strstr(err, "refusing to write through it"));
	}
	assert_false(exists(OUTSIDE));

	/* a hard link to a file outside is replaced, never written into */
	sandbox(&s, "hardlink");
	snprintf(p, sizeof(p), "%s/victim", s.dir);
	write_file(p, "original\n", 9);
	snprintf(q, sizeof(q), "%s/hl", s.out);
	assert_int_equal(link(p, q), 0);
	m.len = 0;
	raw_entry(&m, 1, "hl", S_IFREG | 0644, 1, 5, "evil\n", 5);
	write_file(s.img, m.p, m.len);
	{
		char err[512];

		if (ex(s.img, s.out, NULL, NULL, err, sizeof(err)))
			fail_msg("%s", err);
	}
	assert_string_equal(read_text(p), "original\n");
	assert_string_equal(read_text(q), "evil\n");
	mem_free(&m);
}

static void test_extract_device_nodes(void **state)
{
	struct img_extract_opts o = { 0 };
	struct img_extract_stats st;
	struct mem m = { 0 };
	struct sandbox s;
	char *notes = NULL, err[512], p[600];
	size_t nlen = 0;
	struct stat sb;

	raw_entry(&m, 1, "dev", S_IFDIR | 0755, 2, 0, NULL, 0);
	{	/* raw_entry() has no rdev */
		struct cpio_entry e = { .name = "dev/null2", .mode = S_IFCHR | 0666,
					.nlink = 1, .rdev_major = 1, .rdev_minor = 3 };
		char hdr[CPIO_HEADER_LEN];

		cpio_format_header(hdr, 2, &e, 10);
		mem_put(&m, hdr, sizeof(hdr));
		mem_put(&m, "dev/null2", 10);
		mem_align(&m, 4);
	}

	/* not allowed (as for a user): skipped, with a note */
	sandbox(&s, "nodev");
	write_file(s.img, m.p, m.len);
	o.no_devices = 1;
	o.notes = open_memstream(&notes, &nlen);
	assert_int_equal(ex(s.img, s.out, &o, &st, err, sizeof(err)), 0);
	fclose(o.notes);
	if (!strstr(notes, "skipped device node 'dev/null2' (c 1,3): device nodes "
		    "are disabled"))
		fail_msg("note: %s", notes);
	free(notes);
	assert_int_equal(st.skipped, 1);
	assert_int_equal(st.nodes, 0);
	snprintf(p, sizeof(p), "%s/dev/null2", s.out);
	assert_false(exists(p));

	/* as root: made, inside, owner-only */
	if (geteuid() == 0) {
		sandbox(&s, "dev");
		write_file(s.img, m.p, m.len);
		assert_int_equal(ex(s.img, s.out, NULL, &st, err, sizeof(err)), 0);
		snprintf(p, sizeof(p), "%s/dev/null2", s.out);
		assert_int_equal(lstat(p, &sb), 0);
		assert_true(S_ISCHR(sb.st_mode));
		assert_int_equal(sb.st_rdev, makedev(1, 3));
		assert_int_equal(sb.st_mode & 0777, 0600);
		assert_int_equal(st.nodes, 1);
	}
	mem_free(&m);
}

static void test_extract_refuses_bad_data(void **state)
{
	struct img_extract_opts o = { 0 };
	struct mem m = { 0 }, raw = { 0 };
	uint8_t *big = noise(200000, 5);
	struct sandbox s;
	char p[600];

	/* a size running past the end: refused before anything is made */
	raw_entry(&m, 1, "ok", S_IFREG | 0644, 1, 3, "ok\n", 3);
	raw_entry(&m, 2, "big", S_IFREG | 0644, 1, 1000, "0123456789", 10);
	hostile("past-end", &m, -EINVAL, "entry 'big': its 1000 bytes of data run "
		"past the end of the image (10 bytes left)", NULL, NULL, &s);
	snprintf(p, sizeof(p), "%s/ok", s.out);
	assert_true(exists(p));
	snprintf(p, sizeof(p), "%s/big", s.out);
	assert_false(exists(p));

	/* a truncated gzip member: the half-written file is removed */
	raw_entry(&raw, 1, "d", S_IFDIR | 0755, 2, 0, NULL, 0);
	raw_entry(&raw, 2, "d/big", S_IFREG | 0644, 1, 200000, big, 200000);
	m.len = 0;
	put_member(&m, ALG_GZIP, &raw);
	m.len = m.len * 6 / 10;
	hostile("gzip-cut", &m, -EINVAL, "gzip member at offset 0 is truncated or "
		"corrupt", NULL, NULL, &s);
	snprintf(p, sizeof(p), "%s/d/big", s.out);
	assert_false(exists(p));

	/* a zstd bomb: 64 MiB of zeros in a few KiB, a limit of 8 MiB */
	raw.len = 0;
	raw_entry(&raw, 1, "bomb", S_IFREG | 0644, 1, 64u << 20, NULL, 0);
	mem_zeros(&raw, 64u << 20);
	m.len = 0;
	put_member(&m, ALG_ZSTD, &raw);
	assert_true(m.len < 64 * 1024);
	o.max_unpacked = 8u << 20;
	hostile("bomb", &m, -EFBIG, "zstd member at offset 0: the image unpacks to "
		"more than 8388608 bytes", &o, NULL, &s);
	snprintf(p, sizeof(p), "%s/bomb", s.out);
	assert_false(exists(p));
	{
		static struct seenlist sl;
		uint64_t where;

		assert_int_equal(walk_mem(&m, 8u << 20, &sl, &where), -EFBIG);
		assert_int_equal(where, 0);
		seen_free(&sl);
	}

	/* xz with the CRC64 check xz(1) writes by default: the kernel says no */
	unit_sh("printf 'x' > %s/one && cd %s && echo one | cpio -o -H newc --quiet | "
		"xz > crc64.cpio.xz", tmp, tmp);
	{
		char img[512], err[512];

		snprintf(img, sizeof(img), "%s/crc64.cpio.xz", tmp);
		assert_int_equal(img_list(img, stdout, err, sizeof(err)), -ENOTSUP);
		if (!strstr(err, "xz --check=crc32"))
			fail_msg("%s", err);
	}
	mem_free(&m);
	mem_free(&raw);
	free(big);
}

/* ---- inputs that are not image files -------------------------------- */

/* fn(arg) in a child with a 10 s alarm: its wait status, so that a hang
 * or a crash (SIGBUS) fails the test instead of stopping it. */
static int in_child(int (*fn)(const void *), const void *arg)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (!pid) {
		/* cmocka's handlers would carry on with the next test here */
		signal(SIGBUS, SIG_DFL);
		signal(SIGSEGV, SIG_DFL);
		alarm(10);
		_exit(fn(arg));
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static char child_err[512];

static int list_to_null(const void *path)
{
	FILE *null = fopen("/dev/null", "w");
	int r = img_list(path, null, child_err, sizeof(child_err));

	if (r == -EINVAL && strstr(child_err, path) &&
	    strstr(child_err, ": a FIFO, not an image file"))
		return 0;
	fprintf(stderr, "img_list: %d %s\n", r, child_err);
	return 1;
}

static int extract_from(const void *path)
{
	char dir[512];
	int r;

	snprintf(dir, sizeof(dir), "%s/x-fifo", tmp);
	mkdir(dir, 0700);
	r = img_extract(path, dir, child_err, sizeof(child_err));
	if (r == -EINVAL && strstr(child_err, ": a FIFO, not an image file"))
		return 0;
	fprintf(stderr, "img_extract: %d %s\n", r, child_err);
	return 1;
}

static void test_inputs_not_files(void **state)
{
	char fifo[512], err[512];
	int st;

	snprintf(fifo, sizeof(fifo), "%s/fifo-in", tmp);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	/* no writer: an open without O_NONBLOCK never returns */
	st = in_child(list_to_null, fifo);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fail_msg("--list of a FIFO: %s", WIFSIGNALED(st) ? "hung" : "wrong error");
	st = in_child(extract_from, fifo);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fail_msg("--extract of a FIFO: %s", WIFSIGNALED(st) ? "hung" : "wrong error");
	assert_int_equal(img_list("/dev/null", stdout, err, sizeof(err)), -EINVAL);
	if (!strstr(err, "/dev/null: a character device, not an image file"))
		fail_msg("message: %s", err);
	assert_int_equal(img_list(tmp, stdout, err, sizeof(err)), -EISDIR);
	unlink(fifo);
}

/* The image is cut to nothing once the first line of the listing is
 * written: a reader that maps the file dies of SIGBUS on the next page;
 * one that read it first lists it whole. */
static const char *cut_path;
static int cut_lines;

static ssize_t cut_write(void *c, const char *buf, size_t len)
{
	if (memchr(buf, '\n', len) && !cut_lines++)
		assert_int_equal(truncate(cut_path, 0), 0);
	return (ssize_t)len;
}

static int list_cut(const void *path)
{
	cookie_io_functions_t io = { .write = cut_write };
	FILE *f = fopencookie(NULL, "w", io);
	int r;

	cut_path = path;
	setvbuf(f, NULL, _IONBF, 0);
	r = img_list(path, f, child_err, sizeof(child_err));
	fclose(f);
	if (r || cut_lines != 3) {
		fprintf(stderr, "img_list: %d %s, %d lines\n", r, child_err, cut_lines);
		return 1;
	}
	return 0;
}

static void test_list_cut_while_read(void **state)
{
	uint8_t *big = noise(1 << 20, 7);
	struct mem m = { 0 };
	char path[512];
	int st;

	raw_entry(&m, 1, "first", S_IFREG | 0644, 1, 1, "1", 1);
	raw_entry(&m, 2, "big", S_IFREG | 0644, 1, 1 << 20, big, 1 << 20);
	raw_entry(&m, 3, "last", S_IFREG | 0644, 1, 1, "3", 1);
	snprintf(path, sizeof(path), "%s/cut.cpio", tmp);
	write_file(path, m.p, m.len);
	st = in_child(list_cut, path);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fail_msg("--list of an image cut while listed: %s",
			 WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "failed");
	mem_free(&m);
	free(big);
}

/* Nothing to list or extract is an error naming the file. */
static void test_empty_images(void **state)
{
	struct mem m = { 0 };
	struct builder b;
	char path[512], dir[512], err[512], want[600];

	snprintf(path, sizeof(path), "%s/empty.img", tmp);
	snprintf(dir, sizeof(dir), "%s/x-empty", tmp);
	assert_int_equal(mkdir(dir, 0700), 0);
	write_file(path, "", 0);
	assert_int_equal(img_list(path, stdout, err, sizeof(err)), -ENODATA);
	snprintf(want, sizeof(want), "no cpio archive found in %s: the file is empty",
		 path);
	assert_string_equal(err, want);
	assert_int_equal(img_extract(path, dir, err, sizeof(err)), -ENODATA);
	assert_string_equal(err, want);
	mem_zeros(&m, 512);
	write_file(path, m.p, m.len);
	assert_int_equal(img_list(path, stdout, err, sizeof(err)), -ENODATA);
	if (!strstr(err, "its 512 bytes are all NUL padding"))
		fail_msg("message: %s", err);
	/* a trailer alone is an (empty) archive */
	m.len = 0;
	b_init(&b, &m);
	assert_int_equal(cpio_trailer(&b.w), 0);
	write_file(path, m.p, m.len);
	assert_int_equal(img_list(path, stdout, err, sizeof(err)), 0);
	assert_int_equal(img_extract(path, dir, err, sizeof(err)), 0);
	mem_free(&m);
}

/* a (a file, nlink 2), then a node named a, then b of a's set: b must not
 * become the node, nor the node be opened.  Before the fix, b was linked
 * to the device and opened O_WRONLY (with 10:130, /dev/watchdog, that
 * reboots). */
static void swap_entry(struct mem *m, const char *name, unsigned int mode,
		       unsigned int maj, unsigned int min)
{
	struct cpio_entry e = { .name = name, .mode = mode, .nlink = 1,
				.rdev_major = maj, .rdev_minor = min };
	char hdr[CPIO_HEADER_LEN];

	cpio_format_header(hdr, 77, &e, strlen(name) + 1);
	mem_put(m, hdr, sizeof(hdr));
	mem_put(m, name, strlen(name) + 1);
	mem_align(m, 4);
}

/* The notes stream of the next test: when the extractor notes the
 * socket, a FIFO takes the place of a, as another user writing the
 * directory could do. */
static char swap_dir[600];

static ssize_t swap_note(void *c, const char *buf, size_t len)
{
	char a[700], t[700];

	snprintf(a, sizeof(a), "%s/a", swap_dir);
	snprintf(t, sizeof(t), "%s/a.tmp", swap_dir);
	if (mkfifo(t, 0666) == 0)
		assert_int_equal(rename(t, a), 0);
	return (ssize_t)len;
}

static void test_extract_hardlink_swaps(void **state)
{
	static const struct { const char *tag; unsigned int mode, maj, min; } swaps[] = {
		{ "swap-chr", S_IFCHR | 0666, 1, 3 },
		{ "swap-fifo", S_IFIFO | 0666, 0, 0 },
		{ "swap-lnk", S_IFLNK | 0777, 0, 0 },
		{ "swap-file", S_IFREG | 0644, 0, 0 },
	};
	cookie_io_functions_t io = { .write = swap_note };
	struct img_extract_opts o = { 0 };
	struct mem m = { 0 };
	struct sandbox s;
	char p[600];
	struct stat sb;
	size_t i;

	for (i = 0; i < sizeof(swaps) / sizeof(swaps[0]); i++) {
		if (S_ISCHR(swaps[i].mode) && geteuid())
			continue;	/* only root makes devices */
		m.len = 0;
		raw_entry(&m, 5, "a", S_IFREG | 0644, 2, 5, "first", 5);
		if (S_ISLNK(swaps[i].mode))
			raw_entry(&m, 6, "a", swaps[i].mode, 1, 11, "/etc/passwd", 11);
		else if (S_ISREG(swaps[i].mode))
			raw_entry(&m, 6, "a", swaps[i].mode, 1, 6, "second", 6);
		else
			swap_entry(&m, "a", swaps[i].mode, swaps[i].maj, swaps[i].min);
		raw_entry(&m, 5, "b", S_IFREG | 0644, 2, 1, "x", 1);
		hostile(swaps[i].tag, &m, -ESTALE, "'b': hard link to 'a', which a "
			"later entry replaced", NULL, NULL, &s);
		snprintf(p, sizeof(p), "%s/b", s.out);
		assert_false(exists(p));
		snprintf(p, sizeof(p), "%s/a", s.out);
		assert_int_equal(lstat(p, &sb), 0);
		assert_int_equal(sb.st_mode & S_IFMT, swaps[i].mode & S_IFMT);
	}

	/* swapped behind the extractor's back: the file is checked, by its
	 * device and inode, before anything opens it */
	m.len = 0;
	raw_entry(&m, 5, "a", S_IFREG | 0644, 2, 5, "first", 5);
	raw_entry(&m, 6, "sock", S_IFSOCK | 0755, 1, 0, NULL, 0);
	raw_entry(&m, 5, "b", S_IFREG | 0644, 2, 1, "x", 1);
	sandbox(&s, "swap-behind");
	snprintf(swap_dir, sizeof(swap_dir), "%s", s.out);
	write_file(s.img, m.p, m.len);
	o.notes = fopencookie(NULL, "w", io);
	setvbuf(o.notes, NULL, _IONBF, 0);
	{
		char err[512];
		int r = ex(s.img, s.out, &o, NULL, err, sizeof(err));

		if (r != -ESTALE || !strstr(err, "'b': hard link to 'a', which is no "
					       "longer the file this extraction made"))
			fail_msg("got %d: %s", r, err);
	}
	fclose(o.notes);
	snprintf(p, sizeof(p), "%s/b", s.out);
	assert_false(exists(p));
	mem_free(&m);
}

/* Many sets, their names far apart, past several growths of the tables;
 * inode numbers of the archive that differ only in devmajor/devminor
 * are different sets. */
static void test_extract_many_hardlinks(void **state)
{
	struct img_extract_stats st;
	struct mem m = { 0 };
	struct sandbox s;
	char name[32], p[600], q[600], err[512], data[16];
	struct stat a, b;
	int i;

	for (i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "a%d", i);
		raw_entry(&m, (uint32_t)i, name, S_IFREG | 0644, 2, 0, NULL, 0);
	}
	/* same ino as a0, other device: a set of its own */
	memcpy(m.p + 6 + 8 * 7, "00000001", 8);
	for (i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "b%d", i);
		snprintf(data, sizeof(data), "%d", i);
		raw_entry(&m, (uint32_t)i, name, S_IFREG | 0644, 2, strlen(data),
			  data, strlen(data));
	}
	sandbox(&s, "many-links");
	write_file(s.img, m.p, m.len);
	if (ex(s.img, s.out, NULL, &st, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(st.files, 3001);
	assert_int_equal(st.hardlinks, 2999);
	for (i = 1; i < 3000; i += 7) {
		snprintf(p, sizeof(p), "%s/a%d", s.out, i);
		snprintf(q, sizeof(q), "%s/b%d", s.out, i);
		assert_int_equal(stat(p, &a), 0);
		assert_int_equal(stat(q, &b), 0);
		assert_int_equal(a.st_ino, b.st_ino);
		snprintf(data, sizeof(data), "%d", i);
		assert_string_equal(read_text(p), data);
	}
	snprintf(p, sizeof(p), "%s/a0", s.out);
	snprintf(q, sizeof(q), "%s/b0", s.out);
	assert_int_equal(stat(p, &a), 0);
	assert_int_equal(stat(q, &b), 0);
	assert_true(a.st_ino != b.st_ino);
	mem_free(&m);
}

/* A directory the archive makes writable by all (0777, 1777) is not so
 * while it is filled: no one else can plant anything in it meanwhile. */
static char open_dir[700];
static unsigned int open_mode_seen;

static ssize_t open_note(void *c, const char *buf, size_t len)
{
	struct stat sb;

	if (!open_mode_seen && stat(open_dir, &sb) == 0)
		open_mode_seen = sb.st_mode | S_IFMT;	/* never 0 once seen */
	return (ssize_t)len;
}

static void test_extract_dirs_closed_while_filled(void **state)
{
	cookie_io_functions_t io = { .write = open_note };
	struct img_extract_opts o = { 0 };
	struct mem m = { 0 };
	struct sandbox s;
	char err[512], p[600];
	struct stat sb;

	raw_entry(&m, 1, "open", S_IFDIR | 0777, 2, 0, NULL, 0);
	raw_entry(&m, 2, "open/sock", S_IFSOCK | 0755, 1, 0, NULL, 0);
	raw_entry(&m, 3, "open/f", S_IFREG | 0644, 1, 1, "f", 1);
	raw_entry(&m, 4, "twice", S_IFDIR | 0777, 2, 0, NULL, 0);
	raw_entry(&m, 5, "twice", S_IFDIR | 0750, 2, 0, NULL, 0);
	sandbox(&s, "open-dir");
	snprintf(open_dir, sizeof(open_dir), "%s/open", s.out);
	write_file(s.img, m.p, m.len);
	o.notes = fopencookie(NULL, "w", io);
	setvbuf(o.notes, NULL, _IONBF, 0);
	if (ex(s.img, s.out, &o, NULL, err, sizeof(err)))
		fail_msg("%s", err);
	fclose(o.notes);
	assert_true(open_mode_seen != 0);
	if (open_mode_seen & 022)
		fail_msg("open/ was mode %o while extracted into", open_mode_seen & 0777);
	assert_int_equal(stat(open_dir, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0777);
	snprintf(p, sizeof(p), "%s/twice", s.out);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0750);	/* the last entry wins */
	mem_free(&m);
}

/* ---- names in messages ---------------------------------------------- */

/* Control characters, invalid UTF-8, C1 and bidirectional controls are
 * escaped; printable UTF-8 is kept. */
static void test_escape(void **state)
{
	struct img_extract_opts o = { 0 };
	struct mem m = { 0 };
	struct sandbox s;
	char out[64], err[1024], *notes = NULL;
	size_t nlen = 0;

	assert_string_equal(img_escape("a\033[2Jb\\", out, sizeof(out)),
			    "a\\033[2Jb\\134");
	assert_string_equal(img_escape("caf\303\251", out, sizeof(out)), "caf\303\251");
	assert_string_equal(img_escape("c1\302\233x", out, sizeof(out)),
			    "c1\\302\\233x");
	assert_string_equal(img_escape("\342\200\256rtl", out, sizeof(out)),
			    "\\342\\200\\256rtl");	/* U+202E */
	assert_string_equal(img_escape("bad\377\300\200", out, sizeof(out)),
			    "bad\\377\\300\\200");	/* overlong NUL too */
	assert_string_equal(img_escape("\355\240\200", out, sizeof(out)),
			    "\\355\\240\\200");	/* a surrogate */
	assert_string_equal(img_escape("\360\237\230\200", out, sizeof(out)),
			    "\360\237\230\200");	/* U+1F600 */
	assert_string_equal(img_escape("\033\033\033\033", out, 16),
			    "\\033\\033\\033...");

	/* in the extractor's messages and notes: the entry and the image */
	raw_entry(&m, 1, "sock\033]0;x\a", S_IFSOCK | 0755, 1, 0, NULL, 0);
	raw_entry(&m, 2, "\033[2J/../x", S_IFREG | 0644, 1, 1, "x", 1);
	sandbox(&s, "esc\033");
	write_file(s.img, m.p, m.len);
	o.notes = open_memstream(&notes, &nlen);
	assert_int_equal(ex(s.img, s.out, &o, NULL, err, sizeof(err)), -EINVAL);
	fclose(o.notes);
	if (strchr(err, '\033') || !strstr(err, "'\\033[2J/../x': '..' in the name") ||
	    !strstr(err, "img-esc\\033"))
		fail_msg("message: %s", err);
	if (strchr(notes, '\033') || strchr(notes, '\a') ||
	    !strstr(notes, "img-esc\\033: skipped socket 'sock\\033]0;x\\007'"))
		fail_msg("note: %s", notes);
	free(notes);
	mem_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_mixed),
		cmocka_unit_test(test_walk_all_algs),
		cmocka_unit_test(test_walk_after_trailer),
		cmocka_unit_test(test_walk_crc_format),
		cmocka_unit_test(test_walk_refuses_malformed),
		cmocka_unit_test(test_walk_fuzz),
		cmocka_unit_test(test_list_format),
		cmocka_unit_test(test_list_matches_gnu_cpio),
		cmocka_unit_test(test_extract_roundtrip),
		cmocka_unit_test(test_extract_matches_gnu_cpio),
		cmocka_unit_test(test_extract_refuses_escapes),
		cmocka_unit_test(test_extract_existing_files),
		cmocka_unit_test(test_extract_device_nodes),
		cmocka_unit_test(test_extract_refuses_bad_data),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_inputs_not_files),
		cmocka_unit_test(test_list_cut_while_read),
		cmocka_unit_test(test_empty_images),
		cmocka_unit_test(test_extract_hardlink_swaps),
		cmocka_unit_test(test_extract_many_hardlinks),
		cmocka_unit_test(test_extract_dirs_closed_while_filled),
	};
	char cmd[256];
	int r;

	tmp = unit_tmpdir();
	r = cmocka_run_group_tests_name("imgread", tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd))
		r = 1;
	return r;
}
