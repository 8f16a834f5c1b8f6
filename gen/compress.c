/* compress.c - one member in, one member out; gzip (libdeflate to write,
 * zlib to read), zstd, xz (liblzma) and lz4 legacy frames (liblz4), in
 * the forms the kernel's lib/decompress_*.c read. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>
#include <lz4.h>
#include <lz4hc.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>
#include "common.h"
#include "compress.h"

#define OUT_CHUNK	(256 * 1024)	/* decompressed bytes per callback */
#define LZ4_MAGIC	0x184C2102u	/* legacy frame: what the kernel reads */
#define LZ4_BLOCK	(8u << 20)	/* the kernel's unlz4 fixes 8 MiB blocks */
#define ZSTD_MAGIC	0xFD2FB528u
#define ZSTD_WLOG_MAX	27		/* 128 MiB window, zstd's own default cap */
#define XZ_MEMLIMIT	(512u << 20)

/* gzip header flags (RFC 1952) */
#define GZ_FHCRC	0x02
#define GZ_FEXTRA	0x04
#define GZ_FNAME	0x08
#define GZ_FCOMMENT	0x10
#define GZ_FRESERVED	0xe0

static const struct {
	const char *name;
	int min, max, def;
} algs[] = {
	[ALG_NONE] = { "none", 0, 0, 0 },
	[ALG_GZIP] = { "gzip", 1, 12, 7 },
	[ALG_ZSTD] = { "zstd", 1, 19, 3 },	/* <= 19: window <= 8 MiB */
	[ALG_XZ]   = { "xz",   0, 9, 6 },
	[ALG_LZ4]  = { "lz4",  1, 12, 9 },	/* 1-2 fast, 3-12 HC, as lz4(1) */
};

#define NALGS ARRAY_SIZE(algs)

int comp_parse(const char *name, enum comp_alg *alg)
{
	size_t i;

	for (i = 0; i < NALGS; i++) {
		if (!strcmp(name, algs[i].name)) {
			*alg = (enum comp_alg)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *comp_name(enum comp_alg alg)
{
	return (unsigned int)alg < NALGS ? algs[alg].name : "?";
}

int comp_level_range(enum comp_alg alg, int *min, int *max, int *def)
{
	if ((unsigned int)alg >= NALGS)
		return -EINVAL;
	*min = algs[alg].min;
	*max = algs[alg].max;
	*def = algs[alg].def;
	return 0;
}

int comp_detect(const uint8_t *buf, size_t len)
{
	if (len < 2)
		return -1;
	/* lib/decompress.c: compressed_formats[] (bzip2, lzma, lzo omitted) */
	if (buf[0] == 0x1f && (buf[1] == 0x8b || buf[1] == 0x9e))
		return ALG_GZIP;
	if (buf[0] == 0x28 && buf[1] == 0xb5)
		return ALG_ZSTD;
	if (buf[0] == 0xfd && buf[1] == 0x37)
		return ALG_XZ;
	if (buf[0] == 0x02 && buf[1] == 0x21)
		return ALG_LZ4;
	return -1;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* ---- compression ---------------------------------------------------- */

static int gzip_compress(int level, const void *in, size_t len, uint8_t **out,
			 size_t *outlen)
{
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);
	size_t bound;
	int r = 0;

	if (!c)
		return -ENOMEM;
	bound = libdeflate_gzip_compress_bound(c, len);
	*out = malloc(bound);
	if (!*out) {
		r = -ENOMEM;
	} else {
		/* libdeflate writes MTIME 0 and no name: reproducible */
		*outlen = libdeflate_gzip_compress(c, in, len, *out, bound);
		if (!*outlen)
			r = -EIO;
	}
	libdeflate_free_compressor(c);
	return r;
}

static int zstd_compress(int level, const void *in, size_t len, uint8_t **out,
			 size_t *outlen)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	size_t bound = ZSTD_compressBound(len), n;
	int r = 0;

	if (!c)
		return -ENOMEM;
	/* One thread (nbWorkers 0, the default); the source size is known,
	 * so the window shrinks to fit small members. */
	if (ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1))) {
		ZSTD_freeCCtx(c);
		return -EINVAL;
	}
	*out = malloc(bound);
	if (!*out) {
		r = -ENOMEM;
	} else {
		n = ZSTD_compress2(c, *out, bound, in, len);
		if (ZSTD_isError(n))
			r = -EIO;
		else
			*outlen = n;
	}
	ZSTD_freeCCtx(c);
	return r;
}

static int xz_compress(int level, const void *in, size_t len, uint8_t **out,
		       size_t *outlen)
{
	lzma_options_lzma opt;
	lzma_filter filters[2];
	size_t bound = lzma_stream_buffer_bound(len), pos = 0;
	uint32_t dict = LZMA_DICT_SIZE_MIN;

	if (lzma_lzma_preset(&opt, (uint32_t)level))
		return -EINVAL;
	/* The kernel allocates the whole dictionary the header names; a
	 * dictionary larger than the member only costs boot-time memory. */
	while (dict < len && dict < opt.dict_size)
		dict <<= 1;
	if (dict < opt.dict_size)
		opt.dict_size = dict;
	filters[0].id = LZMA_FILTER_LZMA2;
	filters[0].options = &opt;
	filters[1].id = LZMA_VLI_UNKNOWN;
	filters[1].options = NULL;
	if (!bound)
		return -ENOMEM;
	*out = malloc(bound);
	if (!*out)
		return -ENOMEM;
	/* CRC32: the kernel's xz_dec knows no other check */
	if (lzma_stream_buffer_encode(filters, LZMA_CHECK_CRC32, NULL, in, len,
				      *out, &pos, bound) != LZMA_OK)
		return -EIO;
	*outlen = pos;
	return 0;
}

static int lz4_compress(int level, const void *in, size_t len, uint8_t **out,
			size_t *outlen)
{
	const char *src = in;
	size_t bound = 4, off, pos;
	uint8_t *o;

	for (off = 0; off < len; off += LZ4_BLOCK) {
		size_t n = len - off < LZ4_BLOCK ? len - off : LZ4_BLOCK;

		bound += 4 + (size_t)LZ4_compressBound((int)n);
	}
	o = *out = malloc(bound);
	if (!o)
		return -ENOMEM;
	put_le32(o, LZ4_MAGIC);
	pos = 4;
	for (off = 0; off < len; off += LZ4_BLOCK) {
		int n = (int)(len - off < LZ4_BLOCK ? len - off : LZ4_BLOCK);
		int cap = (int)(bound - pos - 4), c;

		if (level < LZ4HC_CLEVEL_MIN)
			c = LZ4_compress_fast(src + off, (char *)o + pos + 4, n, cap, 1);
		else
			c = LZ4_compress_HC(src + off, (char *)o + pos + 4, n, cap, level);
		if (c <= 0)
			return -EIO;
		put_le32(o + pos, (uint32_t)c);
		pos += 4 + (size_t)c;
	}
	*outlen = pos;
	return 0;
}

int comp_buffer(enum comp_alg alg, int level, const void *in, size_t len,
		void **out, size_t *outlen)
{
	uint8_t *buf = NULL;
	size_t n = 0;
	int r, min, max, def;

	*out = NULL;
	*outlen = 0;
	if (comp_level_range(alg, &min, &max, &def))
		return -EINVAL;
	if (level < 0)
		level = def;
	if (level < min || level > max)
		return -EINVAL;
	switch (alg) {
	case ALG_NONE:
		buf = malloc(len ? len : 1);
		if (!buf)
			return -ENOMEM;
		if (len)
			memcpy(buf, in, len);
		n = len;
		r = 0;
		break;
	case ALG_GZIP:
		r = gzip_compress(level, in, len, &buf, &n);
		break;
	case ALG_ZSTD:
		r = zstd_compress(level, in, len, &buf, &n);
		break;
	case ALG_XZ:
		r = xz_compress(level, in, len, &buf, &n);
		break;
	case ALG_LZ4:
		r = lz4_compress(level, in, len, &buf, &n);
		break;
	default:
		r = -EINVAL;
	}
	if (r) {
		free(buf);
		return r;
	}
	if (n && alg != ALG_NONE) {
		void *shrunk = realloc(buf, n);

		if (shrunk)
			buf = shrunk;
	}
	*out = buf;
	*outlen = n;
	return 0;
}

/* ---- decompression -------------------------------------------------- */

struct sink {
	comp_out_fn fn;
	void *ctx;
	uint64_t total, max;
};

static int emit(struct sink *s, const void *buf, size_t len)
{
	if (!len)
		return 0;
	if (len > s->max - s->total)
		return -EFBIG;
	s->total += len;
	return s->fn(s->ctx, buf, len);
}

static int gzip_member(const uint8_t *in, size_t inlen, size_t *consumed,
		       struct sink *s, uint8_t *buf)
{
	z_stream zs;
	size_t fed = 0;
	int r, zr;

	/* The kernel's gunzip checks 1f 8b 08, skips a FNAME and nothing
	 * else: any other optional field would be read as deflate data. */
	if (inlen < 10 || in[0] != 0x1f || in[1] != 0x8b || in[2] != 8 ||
	    (in[3] & GZ_FRESERVED))
		return -EINVAL;
	if (in[3] & (GZ_FHCRC | GZ_FEXTRA | GZ_FCOMMENT))
		return -ENOTSUP;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)	/* gzip only, one member */
		return -ENOMEM;
	for (;;) {
		if (!zs.avail_in && fed < inlen) {
			size_t n = inlen - fed < (1u << 30) ? inlen - fed : (1u << 30);

			zs.next_in = (Bytef *)(uintptr_t)(in + fed);
			zs.avail_in = (uInt)n;
			fed += n;
		}
		zs.next_out = buf;
		zs.avail_out = OUT_CHUNK;
		zr = inflate(&zs, Z_NO_FLUSH);
		r = emit(s, buf, OUT_CHUNK - zs.avail_out);
		if (r)
			break;
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_OK)
			continue;
		if (zr == Z_BUF_ERROR && (zs.avail_in || fed < inlen))
			continue;
		r = zr == Z_MEM_ERROR ? -ENOMEM : -EINVAL;	/* truncated, corrupt */
		break;
	}
	*consumed = fed - zs.avail_in;
	inflateEnd(&zs);
	return r;
}

static int zstd_member(const uint8_t *in, size_t inlen, size_t *consumed,
		       struct sink *s, uint8_t *buf)
{
	ZSTD_inBuffer zin = { in, inlen, 0 };
	ZSTD_DCtx *d;
	int r;

	if (inlen < 4 || get_le32(in) != ZSTD_MAGIC)
		return -EINVAL;
	d = ZSTD_createDCtx();
	if (!d)
		return -ENOMEM;
	ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, ZSTD_WLOG_MAX);
	for (;;) {
		ZSTD_outBuffer zout = { buf, OUT_CHUNK, 0 };
		size_t zr = ZSTD_decompressStream(d, &zout, &zin);

		if (ZSTD_isError(zr)) {
			switch (ZSTD_getErrorCode(zr)) {
			case ZSTD_error_frameParameter_windowTooLarge:
				r = -ENOTSUP;
				break;
			case ZSTD_error_memory_allocation:
				r = -ENOMEM;
				break;
			default:
				r = -EINVAL;
			}
			break;
		}
		r = emit(s, buf, zout.pos);
		if (r)
			break;
		if (zr == 0)		/* the frame is complete and flushed */
			break;
		if (zin.pos == zin.size && zout.pos < zout.size) {
			r = -EINVAL;	/* wants input that is not there */
			break;
		}
	}
	*consumed = zin.pos;
	ZSTD_freeDCtx(d);
	return r;
}

static int xz_member(const uint8_t *in, size_t inlen, size_t *consumed,
		     struct sink *s, uint8_t *buf)
{
	lzma_stream xs = LZMA_STREAM_INIT;
	lzma_ret lr;
	int r;

	/* One stream: no LZMA_CONCATENATED, so padding and whatever follows
	 * stay unread, as with the kernel's xz_dec. */
	lr = lzma_stream_decoder(&xs, XZ_MEMLIMIT, LZMA_TELL_ANY_CHECK);
	if (lr != LZMA_OK)
		return lr == LZMA_MEM_ERROR ? -ENOMEM : -EINVAL;
	xs.next_in = in;
	xs.avail_in = inlen;
	for (;;) {
		xs.next_out = buf;
		xs.avail_out = OUT_CHUNK;
		lr = lzma_code(&xs, LZMA_FINISH);
		r = emit(s, buf, OUT_CHUNK - xs.avail_out);
		if (r)
			break;
		if (lr == LZMA_OK)
			continue;
		if (lr == LZMA_GET_CHECK) {
			lzma_check c = lzma_get_check(&xs);

			if (c != LZMA_CHECK_NONE && c != LZMA_CHECK_CRC32) {
				r = -ENOTSUP;
				break;
			}
			continue;
		}
		if (lr == LZMA_STREAM_END)
			break;
		if (lr == LZMA_MEM_ERROR || lr == LZMA_MEMLIMIT_ERROR)
			r = -ENOMEM;
		else if (lr == LZMA_OPTIONS_ERROR || lr == LZMA_UNSUPPORTED_CHECK)
			r = -ENOTSUP;
		else
			r = -EINVAL;	/* FORMAT, DATA, BUF (truncated) */
		break;
	}
	*consumed = (size_t)xs.total_in;
	lzma_end(&xs);
	return r;
}

/* A legacy LZ4 block holds at most LZ4_BLOCK bytes, and a block of clen
 * compressed bytes at most 256 * clen: a literal costs an input byte, and
 * a match of 19 + 255 (k + 1) bytes costs at least k + 4 (token, offset,
 * k + 1 length bytes).  The output buffer is sized by that, not 8 MiB per
 * member: small images (and fuzz inputs) map far less. */
static int lz4_member(const uint8_t *in, size_t inlen, size_t *consumed,
		      struct sink *s)
{
	const size_t maxblock = (size_t)LZ4_compressBound((int)LZ4_BLOCK);
	size_t pos = 4, cap = 0;
	uint8_t *buf = NULL;
	int r = 0;

	if (inlen < 4 || get_le32(in) != LZ4_MAGIC)
		return -EINVAL;
	/* lib/decompress_unlz4.c: fewer than 4 bytes left or a zero word
	 * ends the stream; the magic again starts a new one (our caller
	 * sees it as the next member). */
	while (inlen - pos >= 4) {
		uint32_t clen = get_le32(in + pos);
		size_t want;
		int n;

		if (clen == 0 || clen == LZ4_MAGIC)
			break;
		if (clen > maxblock || clen > inlen - pos - 4) {
			r = -EINVAL;
			break;
		}
		want = (size_t)clen * 256 + 64;
		if (want > LZ4_BLOCK)
			want = LZ4_BLOCK;
		if (want > cap) {
			free(buf);
			buf = malloc(want);
			if (!buf) {
				r = -ENOMEM;
				break;
			}
			cap = want;
		}
		n = LZ4_decompress_safe((const char *)in + pos + 4, (char *)buf,
					(int)clen, (int)cap);
		if (n < 0) {
			r = -EINVAL;
			break;
		}
		r = emit(s, buf, (size_t)n);
		if (r)
			break;
		pos += 4 + clen;
	}
	free(buf);
	*consumed = pos;
	return r;
}

int comp_decompress_member(enum comp_alg alg, const uint8_t *in, size_t inlen,
			   size_t *consumed, uint64_t max_out, comp_out_fn out,
			   void *ctx)
{
	struct sink s = { .fn = out, .ctx = ctx, .total = 0, .max = max_out };
	uint8_t *buf;
	int r;

	*consumed = 0;
	if (alg == ALG_LZ4)
		return lz4_member(in, inlen, consumed, &s);
	if (alg != ALG_GZIP && alg != ALG_ZSTD && alg != ALG_XZ)
		return -EINVAL;
	buf = malloc(OUT_CHUNK);
	if (!buf)
		return -ENOMEM;
	if (alg == ALG_GZIP)
		r = gzip_member(in, inlen, consumed, &s, buf);
	else if (alg == ALG_ZSTD)
		r = zstd_member(in, inlen, consumed, &s, buf);
	else
		r = xz_member(in, inlen, consumed, &s, buf);
	free(buf);
	return r;
}
