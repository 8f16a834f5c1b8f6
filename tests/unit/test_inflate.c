/* test_inflate.c - /init's gzip reader (lib/inflate.c) against zlib and
 * libdeflate: every compression level and strategy, stored, fixed and
 * dynamic blocks, the kernel's own modules, and every kind of damage. */
#include "unit.h"
#include <libdeflate.h>
#include <zlib.h>
#include "common.h"
#include "inflate.h"

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	p = malloc(n > 0 ? (size_t)n : 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

/* text, small-alphabet runs, zeros and noise, as in a module */
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
		switch ((i / 3000) % 4) {
		case 0: p[i] = "init_module ext4 virtio_blk "[i % 28]; break;
		case 1: p[i] = (uint8_t)(x & 0x07); break;
		case 2: p[i] = 0; break;
		default: p[i] = (uint8_t)x;
		}
	}
	return p;
}

/* gzip by zlib: @level, @strategy (Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE,
 * Z_FIXED), with a file name in the header when @name */
static uint8_t *zlib_gzip(const uint8_t *in, size_t len, int level, int strategy,
			  int name, size_t *outlen)
{
	z_stream z;
	gz_header h;
	size_t cap = len + len / 100 + 1024;
	uint8_t *out = malloc(cap);

	memset(&z, 0, sizeof(z));
	memset(&h, 0, sizeof(h));
	assert_int_equal(deflateInit2(&z, level, Z_DEFLATED, 16 + 15, 8, strategy), Z_OK);
	if (name) {
		h.name = (Bytef *)"virtio_blk.ko";
		h.comment = (Bytef *)"a comment";
		h.extra = (Bytef *)"AB\2\0xy";
		h.extra_len = 6;
		h.hcrc = 1;
		assert_int_equal(deflateSetHeader(&z, &h), Z_OK);
	}
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*outlen = z.total_out;
	deflateEnd(&z);
	return out;
}

static void roundtrip(const uint8_t *in, size_t len, const uint8_t *gz, size_t gzlen)
{
	uint8_t *out = malloc(len ? len : 1);

	assert_int_equal(gzip_size(gz, gzlen), (long long)len);
	assert_int_equal(gzip_inflate(gz, gzlen, out, len), (long long)len);
	assert_memory_equal(out, in, len);
	free(out);
}

static void test_zlib_levels_and_strategies(void **state)
{
	static const size_t lens[] = { 0, 1, 100, 65535, 65536, 70000, 300000 };
	static const int strategies[] = { Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY,
					  Z_RLE, Z_FIXED };
	size_t i, s;
	int level;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		uint8_t *in = corpus(lens[i], (uint32_t)i + 7);

		for (level = 0; level <= 9; level++)
			for (s = 0; s < ARRAY_SIZE(strategies); s++) {
				size_t gzlen;
				uint8_t *gz = zlib_gzip(in, lens[i], level, strategies[s],
							(level + (int)s) & 1, &gzlen);

				roundtrip(in, lens[i], gz, gzlen);
				free(gz);
			}
		free(in);
	}
}

static void test_libdeflate_levels(void **state)
{
	size_t len = 400000, gzlen;
	uint8_t *in = corpus(len, 99), *gz = malloc(len + 1024);
	int level;

	(void)state;
	for (level = 0; level <= 12; level++) {
		struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);

		assert_non_null(c);
		gzlen = libdeflate_gzip_compress(c, in, len, gz, len + 1024);
		assert_true(gzlen > 0);
		roundtrip(in, len, gz, gzlen);
		libdeflate_free_compressor(c);
	}
	free(in);
	free(gz);
}

/* the test kernel's own modules, when tests/lib.sh's cache has them */
static void test_real_modules(void **state)
{
	const char *dir = getenv("INITKIT_UNIT_MODULES");
	static const char *const names[] = {
		"kernel/drivers/block/virtio_blk.ko", "kernel/fs/ext4/ext4.ko",
		"kernel/fs/jbd2/jbd2.ko",
	};
	size_t i, nread = 0;

	(void)state;
	if (!dir)
		skip();		/* tests/check.sh sets it */
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		char path[4096];
		size_t len, gzlen;
		uint8_t *in, *gz;
		struct libdeflate_compressor *c = libdeflate_alloc_compressor(9);

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		in = read_all(path, &len);
		if (!in)
			continue;
		nread++;
		gz = malloc(len + 1024);
		gzlen = libdeflate_gzip_compress(c, in, len, gz, len + 1024);
		roundtrip(in, len, gz, gzlen);
		libdeflate_free_compressor(c);
		free(in);
		free(gz);
	}
	assert_int_equal(nread, ARRAY_SIZE(names));
}

static void test_damage(void **state)
{
	size_t len = 50000, gzlen, i;
	uint8_t *in = corpus(len, 3), *out = malloc(len + 10), *bad;
	uint8_t *gz = zlib_gzip(in, len, 6, Z_DEFAULT_STRATEGY, 0, &gzlen);
	long long r;

	(void)state;
	/* not gzip */
	assert_int_equal(gzip_inflate(in, len, out, len), -1);
	assert_int_equal(gzip_inflate(gz, 10, out, len), -1);
	assert_int_equal(gzip_size(gz, 17), -1);
	bad = malloc(gzlen);
	memcpy(bad, gz, gzlen);
	bad[2] = 7;			/* method */
	assert_int_equal(gzip_inflate(bad, gzlen, out, len), -1);
	memcpy(bad, gz, gzlen);
	bad[3] = 0x20;			/* reserved flag */
	assert_int_equal(gzip_inflate(bad, gzlen, out, len), -1);
	/* room: less than the file says */
	assert_int_equal(gzip_inflate(gz, gzlen, out, len - 1), -4);
	/* a wrong size in the trailer */
	memcpy(bad, gz, gzlen);
	bad[gzlen - 4] ^= 1;
	assert_true(gzip_inflate(bad, gzlen, out, len + 10) < 0);
	/* a wrong CRC */
	memcpy(bad, gz, gzlen);
	bad[gzlen - 8] ^= 1;
	assert_int_equal(gzip_inflate(bad, gzlen, out, len), -5);
	/* cut short: the trailer moves into the data */
	for (i = 18; i < gzlen; i += 97)
		assert_true(gzip_inflate(gz, i, out, len) < 0);
	/* every byte of the data flipped in turn: an error or, rarely, other
	 * bytes with the CRC to catch them; never a crash (ASan) */
	for (i = 10; i < gzlen - 8; i++) {
		memcpy(bad, gz, gzlen);
		bad[i] ^= (uint8_t)(1u << (i % 8));
		r = gzip_inflate(bad, gzlen, out, len);
		/* the unused bits after the last block's end are free */
		assert_true(r < 0 || (r == (long long)len && !memcmp(out, in, len)));
	}
	assert_string_equal(gzip_strerror(-5), "CRC-32 mismatch");
	free(bad);
	free(gz);
	free(in);
	free(out);
}

/* hand-made streams: a distance before the start, a bad block type, an
 * over-subscribed code, a stored block whose length check fails */
static void test_handmade(void **state)
{
	/* gzip header, then deflate, then a trailer of CRC 0 and size @n */
	static const uint8_t hdr[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
	static const struct { uint8_t data[8]; size_t len; long long want; } cases[] = {
		{ { 0x07 }, 1, -2 },			/* BFINAL, type 3 */
		{ { 0x01, 0x01, 0x00, 0xff, 0xff }, 5, -2 },	/* stored, NLEN wrong */
		{ { 0x01, 0x05, 0x00, 0xfa, 0xff, 'a' }, 6, -3 },	/* stored, cut */
		/* fixed: length 3 at distance 1 with nothing before it */
		{ { 0x03, 0x02, 0x00 }, 3, -2 },
		/* dynamic, code-length code of 4 codes of length 1 */
		{ { 0x05, 0x00, 0x00, 0x49, 0x92, 0x24 }, 6, -2 },
	};
	uint8_t buf[64], out[16];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memcpy(buf, hdr, 10);
		memcpy(buf + 10, cases[i].data, cases[i].len);
		memset(buf + 10 + cases[i].len, 0, 8);
		buf[10 + cases[i].len + 4] = 3;
		assert_int_equal(gzip_inflate(buf, 18 + cases[i].len, out, sizeof(out)),
				 cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zlib_levels_and_strategies),
		cmocka_unit_test(test_libdeflate_levels),
		cmocka_unit_test(test_real_modules),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_handmade),
	};

	return cmocka_run_group_tests_name("inflate", tests, NULL, NULL);
}
