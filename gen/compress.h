/* compress.h - in-process compression of image members, and decompression
 * of one member at a time, in the forms the Linux kernel's initramfs
 * unpacker accepts (gzip, zstd, xz with CRC32, lz4 legacy frames). */
#ifndef INITKIT_COMPRESS_H
#define INITKIT_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

enum comp_alg { ALG_NONE, ALG_GZIP, ALG_ZSTD, ALG_XZ, ALG_LZ4 };

/* "gzip", "zstd", "xz", "lz4", "none" -> 0, else -EINVAL. */
int comp_parse(const char *name, enum comp_alg *alg);

/* The name comp_parse() accepts; "?" for an unknown value. */
const char *comp_name(enum comp_alg alg);

/* Valid levels and the default: gzip 1-12 (7), zstd 1-19 (3), xz 0-9 (6),
 * lz4 1-12 (9), none 0-0 (0).  Returns 0 or -EINVAL. */
int comp_level_range(enum comp_alg alg, int *min, int *max, int *def);

/* Compress one whole member into a malloc'd *out.  level < 0 means the
 * default.  Same input and level give the same bytes: no timestamps, no
 * names, one thread.  ALG_NONE copies.  Returns 0, -EINVAL (bad level),
 * -ENOMEM or -EIO. */
int comp_buffer(enum comp_alg alg, int level, const void *in, size_t len,
		void **out, size_t *outlen);

/* The algorithm of a member starting at buf, by the two-byte magic the
 * kernel's decompress_method() uses; -1 if none of ours (a cpio "0707"
 * start, NULs, or bzip2/lzma/lzo, which initkit does not handle). */
int comp_detect(const uint8_t *buf, size_t len);

/* Where decompressed bytes go; non-zero aborts (and is returned). */
typedef int (*comp_out_fn)(void *ctx, const void *buf, size_t len);

/* Decompress the one member at in[0..inlen), passing its output to out in
 * pieces, and set *consumed to the compressed bytes it occupies; anything
 * after it (padding, the next member) is left alone.  Returns 0, out's
 * non-zero value, -EINVAL (corrupt or truncated), -EFBIG (more than
 * max_out bytes of output; nothing past max_out is passed on), -ENOTSUP
 * (well-formed, but not something the kernel accepts: xz with a check
 * other than none/CRC32, gzip header fields other than FNAME, a zstd window
 * over 128 MiB), or -ENOMEM.
 *
 * lz4 legacy streams have no end marker: like the kernel's unlz4, the
 * member ends at the end of the input, at a zero 32-bit word, or (here) at
 * the next legacy magic, which begins a new member; any other word is read
 * as the next block's size. */
int comp_decompress_member(enum comp_alg alg, const uint8_t *in, size_t inlen,
			   size_t *consumed, uint64_t max_out, comp_out_fn out,
			   void *ctx);

#endif
