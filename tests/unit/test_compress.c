/* test_compress.c - member compression and decompression, checked against
 * the command-line tools and the kernel's format rules */
#include "unit.h"
#include <errno.h>
#include <zstd.h>
#include "compress.h"

static const enum comp_alg real_algs[] = { ALG_GZIP, ALG_ZSTD, ALG_XZ, ALG_LZ4 };
#define NREAL (sizeof(real_algs) / sizeof(real_algs[0]))

static const char *tmp;		/* scratch directory */

static const char *const exts[] = {
	[ALG_GZIP] = "gz", [ALG_ZSTD] = "zst", [ALG_XZ] = "xz", [ALG_LZ4] = "lz4",
};

/* Something like an initramfs: text, binary-ish runs, zeros, noise. */
static uint8_t *corpus(size_t len, uint32_t seed)
{
	uint8_t *p = malloc(len ? len : 1);
	uint32_t x = seed | 1;
	size_t i;

	assert_non_null(p);
	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		switch ((i / 4096) % 4) {
		case 0: p[i] = "initramfs module text "[i % 22]; break;
		case 1: p[i] = (uint8_t)(x & 0x0f); break;
		case 2: p[i] = 0; break;
		default: p[i] = (uint8_t)x;
		}
	}
	return p;
}

struct outbuf {
	uint8_t *p;
	size_t len, cap;
	int calls;
	int fail_at;	/* return -EIO on this call (1-based); 0: never */
};

static int to_buf(void *ctx, const void *buf, size_t len)
{
	struct outbuf *o = ctx;

	o->calls++;
	if (o->fail_at && o->calls == o->fail_at)
		return -EIO;
	if (o->len + len > o->cap) {
		o->cap = (o->len + len) * 2;
		o->p = realloc(o->p, o->cap);
		assert_non_null(o->p);
	}
	memcpy(o->p + o->len, buf, len);
	o->len += len;
	return 0;
}

static void roundtrip(enum comp_alg alg, int level, const uint8_t *in, size_t len)
{
	struct outbuf o = { 0 };
	void *c, *c2;
	size_t clen, clen2, used;

	assert_int_equal(comp_buffer(alg, level, in, len, &c, &clen), 0);
	assert_true(clen > 0);
	assert_int_equal(comp_detect(c, clen), alg);
	assert_int_equal(comp_decompress_member(alg, c, clen, &used, len, to_buf, &o), 0);
	assert_int_equal(used, clen);
	assert_int_equal(o.len, len);
	if (len)
		assert_memory_equal(o.p, in, len);
	/* reproducible: same input and level, same bytes */
	assert_int_equal(comp_buffer(alg, level, in, len, &c2, &clen2), 0);
	assert_int_equal(clen2, clen);
	assert_memory_equal(c2, c, clen);
	free(c);
	free(c2);
	free(o.p);
}

static void test_names_and_levels(void **state)
{
	enum comp_alg a;
	int min, max, def;
	size_t i;

	for (i = 0; i < NREAL; i++) {
		assert_int_equal(comp_parse(comp_name(real_algs[i]), &a), 0);
		assert_int_equal(a, real_algs[i]);
	}
	assert_int_equal(comp_parse("none", &a), 0);
	assert_int_equal(a, ALG_NONE);
	assert_string_equal(comp_name(ALG_XZ), "xz");
	assert_string_equal(comp_name((enum comp_alg)42), "?");
	assert_int_equal(comp_parse("gz", &a), -EINVAL);
	assert_int_equal(comp_parse("ZSTD", &a), -EINVAL);
	assert_int_equal(comp_parse("", &a), -EINVAL);

	assert_int_equal(comp_level_range(ALG_GZIP, &min, &max, &def), 0);
	assert_true(min == 1 && max == 12 && def == 7);
	assert_int_equal(comp_level_range(ALG_XZ, &min, &max, &def), 0);
	assert_true(min == 0 && max == 9 && def == 6);
	assert_int_equal(comp_level_range(ALG_ZSTD, &min, &max, &def), 0);
	assert_true(min == 1 && max == 19 && def == 3);
	assert_int_equal(comp_level_range(ALG_LZ4, &min, &max, &def), 0);
	assert_true(min == 1 && max == 12 && def == 9);
	assert_int_equal(comp_level_range((enum comp_alg)42, &min, &max, &def), -EINVAL);
}

static void test_bad_level(void **state)
{
	void *c;
	size_t clen;
	size_t i;

	for (i = 0; i < NREAL; i++) {
		int min, max, def;

		comp_level_range(real_algs[i], &min, &max, &def);
		assert_int_equal(comp_buffer(real_algs[i], max + 1, "x", 1, &c, &clen),
				 -EINVAL);
		assert_null(c);
		if (min > 0)
			assert_int_equal(comp_buffer(real_algs[i], min - 1, "x", 1, &c,
						     &clen), -EINVAL);
	}
}

static void test_roundtrip_all_levels(void **state)
{
	size_t len = 300 * 1024, i;
	uint8_t *in = corpus(len, 1);

	for (i = 0; i < NREAL; i++) {
		int min, max, def;

		comp_level_range(real_algs[i], &min, &max, &def);
		roundtrip(real_algs[i], min, in, len);
		roundtrip(real_algs[i], def, in, len);
		roundtrip(real_algs[i], max, in, len);
		roundtrip(real_algs[i], -1, in, len);
		roundtrip(real_algs[i], def, in, 0);	/* an empty member */
		roundtrip(real_algs[i], def, in, 1);
	}
	free(in);
}

static void test_none_is_a_copy(void **state)
{
	void *c;
	size_t clen, used;
	struct outbuf o = { 0 };

	assert_int_equal(comp_buffer(ALG_NONE, -1, "0707", 4, &c, &clen), 0);
	assert_int_equal(clen, 4);
	assert_memory_equal(c, "0707", 4);
	assert_int_equal(comp_detect(c, clen), -1);
	assert_int_equal(comp_decompress_member(ALG_NONE, c, clen, &used, 100,
						to_buf, &o), -EINVAL);
	free(c);
}

/* Members one after another, with the padding the kernel skips between
 * them: each decodes alone and says exactly how long it was. */
static void test_concatenated(void **state)
{
	size_t la = 70000, lb = 50001, i;
	uint8_t *a = corpus(la, 2), *b = corpus(lb, 3);

	for (i = 0; i < NREAL; i++) {
		enum comp_alg alg = real_algs[i];
		struct outbuf o1 = { 0 }, o2 = { 0 };
		void *ca, *cb;
		size_t lca, lcb, used, pad;
		uint8_t *cat;

		assert_int_equal(comp_buffer(alg, -1, a, la, &ca, &lca), 0);
		assert_int_equal(comp_buffer(alg, -1, b, lb, &cb, &lcb), 0);
		for (pad = 0; pad <= 8; pad += 4) {
			cat = calloc(1, lca + pad + lcb);
			memcpy(cat, ca, lca);
			memcpy(cat + lca + pad, cb, lcb);
			o1.len = o2.len = 0;
			assert_int_equal(comp_decompress_member(alg, cat, lca + pad + lcb,
								&used, UINT64_MAX, to_buf,
								&o1), 0);
			assert_int_equal(used, lca);
			assert_int_equal(o1.len, la);
			assert_memory_equal(o1.p, a, la);
			assert_int_equal(comp_decompress_member(alg, cat + lca + pad, lcb,
								&used, UINT64_MAX, to_buf,
								&o2), 0);
			assert_int_equal(used, lcb);
			assert_int_equal(o2.len, lb);
			assert_memory_equal(o2.p, b, lb);
			free(cat);
		}
		free(ca);
		free(cb);
		free(o1.p);
		free(o2.p);
	}
	free(a);
	free(b);
}

/* Legacy lz4: 8 MiB blocks, each prefixed with its little-endian size. */
static void test_lz4_legacy_blocks(void **state)
{
	size_t len = (8u << 20) + 12345, used, b1;
	uint8_t *in = corpus(len, 4), *c;
	struct outbuf o = { 0 };
	void *cv;
	size_t clen;

	assert_int_equal(comp_buffer(ALG_LZ4, 1, in, len, &cv, &clen), 0);
	c = cv;
	assert_memory_equal(c, "\x02\x21\x4c\x18", 4);
	b1 = (size_t)c[4] | (size_t)c[5] << 8 | (size_t)c[6] << 16 | (size_t)c[7] << 24;
	assert_true(b1 > 0 && 8 + b1 + 4 < clen);
	/* the second block's size word, then its data, end the member */
	assert_int_equal(8 + b1 + 4 + ((size_t)c[8 + b1] | (size_t)c[9 + b1] << 8 |
				       (size_t)c[10 + b1] << 16 |
				       (size_t)c[11 + b1] << 24), clen);
	assert_int_equal(comp_decompress_member(ALG_LZ4, c, clen, &used, len, to_buf, &o),
			 0);
	assert_int_equal(used, clen);
	assert_int_equal(o.len, len);
	assert_memory_equal(o.p, in, len);
	free(cv);
	free(o.p);
	free(in);
}

static void test_truncated_and_corrupt(void **state)
{
	size_t len = 200 * 1024, i;
	uint8_t *in = corpus(len, 5);

	for (i = 0; i < NREAL; i++) {
		enum comp_alg alg = real_algs[i];
		struct outbuf o = { 0 };
		size_t clen, used, k;
		void *cv;
		uint8_t *c;

		assert_int_equal(comp_buffer(alg, -1, in, len, &cv, &clen), 0);
		c = cv;
		{
			/* cuts inside the stream (lz4: not at a block boundary,
			 * which would be a valid shorter stream) */
			const size_t cuts[] = { 1, 3, 9, clen / 2, clen - 1 };

			for (k = 0; k < sizeof(cuts) / sizeof(cuts[0]); k++) {
				uint8_t *t = malloc(cuts[k]);

				memcpy(t, c, cuts[k]);
				o.len = 0;
				if (comp_decompress_member(alg, t, cuts[k], &used, len,
							   to_buf, &o) != -EINVAL)
					fail_msg("%s cut at %zu of %zu: not refused",
						 comp_name(alg), cuts[k], clen);
				free(t);
			}
		}
		if (alg != ALG_LZ4) {	/* lz4 legacy frames carry no checksum */
			c[clen / 2] ^= 0x55;
			o.len = 0;
			assert_int_equal(comp_decompress_member(alg, c, clen, &used, len,
								to_buf, &o), -EINVAL);
		}
		free(cv);
		free(o.p);
	}
	free(in);
}

/* A bomb stops at the limit; nothing beyond it reaches the consumer, and
 * the consumer can stop the decompressor. */
static void test_max_out_and_abort(void **state)
{
	size_t len = 4u << 20, i;
	uint8_t *in = calloc(1, len);

	for (i = 0; i < NREAL; i++) {
		enum comp_alg alg = real_algs[i];
		struct outbuf o = { 0 };
		size_t clen, used;
		void *c;

		assert_int_equal(comp_buffer(alg, -1, in, len, &c, &clen), 0);
		assert_true(clen < len / 100);	/* a small bomb */
		assert_int_equal(comp_decompress_member(alg, c, clen, &used, len - 1,
							to_buf, &o), -EFBIG);
		assert_true(o.len <= len - 1);
		o.len = 0;
		assert_int_equal(comp_decompress_member(alg, c, clen, &used, len,
							to_buf, &o), 0);
		assert_int_equal(o.len, len);
		o.len = 0;
		o.calls = 0;
		o.fail_at = 1;
		assert_int_equal(comp_decompress_member(alg, c, clen, &used, len,
							to_buf, &o), -EIO);
		free(c);
		free(o.p);
	}
	free(in);
}

static void test_detect(void **state)
{
	assert_int_equal(comp_detect((const uint8_t *)"\x1f\x8b\x08", 3), ALG_GZIP);
	assert_int_equal(comp_detect((const uint8_t *)"\x28\xb5\x2f\xfd", 4), ALG_ZSTD);
	assert_int_equal(comp_detect((const uint8_t *)"\xfd" "7zXZ", 5), ALG_XZ);
	assert_int_equal(comp_detect((const uint8_t *)"\x02\x21\x4c\x18", 4), ALG_LZ4);
	assert_int_equal(comp_detect((const uint8_t *)"070701", 6), -1);
	assert_int_equal(comp_detect((const uint8_t *)"\0\0\0\0", 4), -1);
	assert_int_equal(comp_detect((const uint8_t *)"BZh9", 4), -1);
	assert_int_equal(comp_detect((const uint8_t *)"\x1f", 1), -1);
	assert_int_equal(comp_detect((const uint8_t *)"", 0), -1);
}

/* The headers the kernel looks at. */
static void test_kernel_headers(void **state)
{
	uint8_t *in = corpus(10000, 6), *c;
	void *cv;
	size_t clen;

	assert_int_equal(comp_buffer(ALG_GZIP, -1, in, 10000, &cv, &clen), 0);
	c = cv;
	/* 1f 8b, deflate, no flags (no name to skip), MTIME 0 */
	assert_memory_equal(c, "\x1f\x8b\x08\x00\x00\x00\x00\x00", 8);
	free(cv);
	assert_int_equal(comp_buffer(ALG_XZ, -1, in, 10000, &cv, &clen), 0);
	c = cv;
	/* stream flags: 00, check type 1 = CRC32 */
	assert_memory_equal(c, "\xfd" "7zXZ\0\x00\x01", 8);
	free(cv);
	assert_int_equal(comp_buffer(ALG_ZSTD, 19, in, 10000, &cv, &clen), 0);
	assert_memory_equal(cv, "\x28\xb5\x2f\xfd", 4);
	free(cv);
	free(in);
}

/* zstd at the top level keeps an 8 MiB window: a decoder limited to
 * windowLog 23 reads a member bigger than that. */
static void test_zstd_window(void **state)
{
	size_t len = 12u << 20, got = 0;
	uint8_t *in = corpus(len, 7), *out = malloc(1 << 20);
	ZSTD_DCtx *d = ZSTD_createDCtx();
	ZSTD_inBuffer zin;
	size_t clen, zr;
	void *c;

	assert_int_equal(comp_buffer(ALG_ZSTD, 19, in, len, &c, &clen), 0);
	ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, 23);
	zin.src = c;
	zin.size = clen;
	zin.pos = 0;
	do {
		ZSTD_outBuffer zout = { out, 1 << 20, 0 };

		zr = ZSTD_decompressStream(d, &zout, &zin);
		if (ZSTD_isError(zr))
			fail_msg("window over 8 MiB? %s", ZSTD_getErrorName(zr));
		got += zout.pos;
	} while (zr);
	assert_int_equal(got, len);
	ZSTD_freeDCtx(d);
	free(c);
	free(out);
	free(in);
}

static void write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* The reference tools accept what we write, alone and concatenated. */
static void test_tools_read_ours(void **state)
{
	const char *dir = tmp;
	size_t len = 300 * 1024, i;
	uint8_t *a = corpus(len, 8), *b = corpus(1000, 9);
	char path[512], raw[512], both[512];

	snprintf(raw, sizeof(raw), "%s/raw", dir);
	write_file(raw, a, len);
	snprintf(both, sizeof(both), "%s/both", dir);
	snprintf(path, sizeof(path), "%s/b", dir);
	write_file(path, b, 1000);
	unit_sh("cat %s %s/b > %s", raw, dir, both);
	for (i = 0; i < NREAL; i++) {
		enum comp_alg alg = real_algs[i];
		void *c1, *c2;
		size_t l1, l2;

		assert_int_equal(comp_buffer(alg, -1, a, len, &c1, &l1), 0);
		assert_int_equal(comp_buffer(alg, -1, b, 1000, &c2, &l2), 0);
		snprintf(path, sizeof(path), "%s/one.%s", dir, exts[alg]);
		write_file(path, c1, l1);
		snprintf(path, sizeof(path), "%s/two.%s", dir, exts[alg]);
		write_file(path, c2, l2);
		unit_sh("cat %s/one.%s %s/two.%s > %s/cat.%s", dir, exts[alg], dir,
			exts[alg], dir, exts[alg]);
		free(c1);
		free(c2);
	}
	unit_sh("gzip -t %s/one.gz && gzip -dc %s/one.gz | cmp -s - %s", dir, dir, raw);
	unit_sh("gzip -dc %s/cat.gz | cmp -s - %s", dir, both);
	unit_sh("zstd -q -t %s/one.zst && zstd -q -dc %s/one.zst | cmp -s - %s",
		dir, dir, raw);
	unit_sh("zstd -q -dc %s/cat.zst | cmp -s - %s", dir, both);
	unit_sh("xz -t %s/one.xz && xz -dc %s/one.xz | cmp -s - %s", dir, dir, raw);
	unit_sh("xz -dc %s/cat.xz | cmp -s - %s", dir, both);
	/* xz --robot --list: the check column says CRC32 */
	unit_sh("xz --robot --list %s/one.xz | grep -q '^file.*CRC32'", dir);
	unit_sh("lz4 -q -d -c %s/one.lz4 | cmp -s - %s", dir, raw);
	unit_sh("lz4 -q -d -c %s/cat.lz4 | cmp -s - %s", dir, both);
	free(a);
	free(b);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
	return unit_read(path, 0, (size_t)n, len);
}

static int decode_file(enum comp_alg alg, const char *path, const uint8_t *want,
		       size_t wantlen)
{
	struct outbuf o = { 0 };
	size_t len, used;
	uint8_t *c = slurp(path, &len);
	int r = comp_decompress_member(alg, c, len, &used, UINT64_MAX, to_buf, &o);

	if (!r) {
		assert_int_equal(used, len);
		assert_int_equal(o.len, wantlen);
		assert_memory_equal(o.p, want, wantlen);
	}
	free(o.p);
	free(c);
	return r;
}

/* And we read what the tools write, refusing what the kernel refuses. */
static void test_we_read_tools(void **state)
{
	const char *dir = tmp;
	size_t len = 100 * 1024;
	uint8_t *a = corpus(len, 10);
	char raw[512], p[512];

	snprintf(raw, sizeof(raw), "%s/in", dir);
	write_file(raw, a, len);
	/* gzip stores the file name (FNAME), which the kernel skips */
	unit_sh("cd %s && gzip -9 -c in > t.gz && "
		"test \"$(od -An -tx1 -j3 -N1 t.gz | tr -d ' ')\" = 08", dir);
	snprintf(p, sizeof(p), "%s/t.gz", dir);
	assert_int_equal(decode_file(ALG_GZIP, p, a, len), 0);
	unit_sh("zstd -q -19 -c %s > %s/t.zst", raw, dir);
	snprintf(p, sizeof(p), "%s/t.zst", dir);
	assert_int_equal(decode_file(ALG_ZSTD, p, a, len), 0);
	unit_sh("lz4 -q -l -9 -c %s > %s/t.lz4", raw, dir);
	snprintf(p, sizeof(p), "%s/t.lz4", dir);
	assert_int_equal(decode_file(ALG_LZ4, p, a, len), 0);
	unit_sh("xz --check=crc32 -c %s > %s/t32.xz", raw, dir);
	snprintf(p, sizeof(p), "%s/t32.xz", dir);
	assert_int_equal(decode_file(ALG_XZ, p, a, len), 0);
	unit_sh("xz --check=none -c %s > %s/tnone.xz", raw, dir);
	snprintf(p, sizeof(p), "%s/tnone.xz", dir);
	assert_int_equal(decode_file(ALG_XZ, p, a, len), 0);
	/* xz's default CRC64 and SHA-256: the kernel's xz_dec refuses them */
	unit_sh("xz -c %s > %s/t64.xz", raw, dir);
	snprintf(p, sizeof(p), "%s/t64.xz", dir);
	assert_int_equal(decode_file(ALG_XZ, p, a, len), -ENOTSUP);
	unit_sh("xz --check=sha256 -c %s > %s/t256.xz", raw, dir);
	snprintf(p, sizeof(p), "%s/t256.xz", dir);
	assert_int_equal(decode_file(ALG_XZ, p, a, len), -ENOTSUP);
	/* lz4's modern frame format: the kernel reads only legacy */
	unit_sh("lz4 -q -c %s > %s/tframe.lz4", raw, dir);
	snprintf(p, sizeof(p), "%s/tframe.lz4", dir);
	assert_int_equal(decode_file(ALG_LZ4, p, a, len), -EINVAL);
	free(a);
}

/* A gzip header with a comment: zlib would take it, the kernel's gunzip
 * would read the comment as deflate data. */
static void test_gzip_fields_kernel_cannot_skip(void **state)
{
	uint8_t *in = corpus(5000, 11), *g;
	struct outbuf o = { 0 };
	size_t clen, used;
	void *c;

	assert_int_equal(comp_buffer(ALG_GZIP, -1, in, 5000, &c, &clen), 0);
	g = malloc(clen + 3);
	memcpy(g, c, 10);
	g[3] |= 0x10;			/* FCOMMENT */
	memcpy(g + 10, "hi", 3);
	memcpy(g + 13, (uint8_t *)c + 10, clen - 10);
	assert_int_equal(comp_decompress_member(ALG_GZIP, g, clen + 3, &used,
						UINT64_MAX, to_buf, &o), -ENOTSUP);
	/* the same with the flag cleared (and the comment gone) is fine */
	assert_int_equal(comp_decompress_member(ALG_GZIP, c, clen, &used,
						UINT64_MAX, to_buf, &o), 0);
	assert_int_equal(o.len, 5000);
	free(g);
	free(c);
	free(o.p);
	free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_levels),
		cmocka_unit_test(test_bad_level),
		cmocka_unit_test(test_roundtrip_all_levels),
		cmocka_unit_test(test_none_is_a_copy),
		cmocka_unit_test(test_concatenated),
		cmocka_unit_test(test_lz4_legacy_blocks),
		cmocka_unit_test(test_truncated_and_corrupt),
		cmocka_unit_test(test_max_out_and_abort),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_kernel_headers),
		cmocka_unit_test(test_zstd_window),
		cmocka_unit_test(test_tools_read_ours),
		cmocka_unit_test(test_we_read_tools),
		cmocka_unit_test(test_gzip_fields_kernel_cannot_skip),
	};

	char cmd[256];
	int r;

	tmp = unit_tmpdir();
	r = cmocka_run_group_tests_name("compress", tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd))
		r = 1;
	return r;
}
