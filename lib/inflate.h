/* inflate.h - a gzip (RFC 1952) reader for /init: the modules of a
 * generic image are stored each compressed on its own (NAME.ko.gz) in an
 * uncompressed member, so that the kernel copies them instead of
 * inflating all of them, and /init inflates only the ones it loads.
 *
 * Pure (no system calls), small (about 2.5 KB of code: zlib's inflate
 * would cost /init some 16 KB), and safe on any input: every length,
 * distance and table is checked, the output never grows past the size
 * the caller allows, and the CRC-32 and size in the trailer must match. */
#ifndef INITKIT_INFLATE_H
#define INITKIT_INFLATE_H

#include <stddef.h>
#include <stdint.h>

/* The uncompressed size a gzip file of @len bytes says it has (its
 * trailer's ISIZE, modulo 2^32), or -1 if it is too short to be one. */
long long gzip_size(const uint8_t *in, size_t len);

/* Inflate the single-member gzip file @in (@len bytes) into @out, which
 * holds @cap bytes; the result must be exactly gzip_size() bytes and at
 * most @cap.  Returns the bytes written, or a negative value:
 *   -1 not a gzip file (magic, method, reserved flags, header cut short)
 *   -2 corrupt deflate data (bad block type, code, length or distance)
 *   -3 the data runs past the end of the input
 *   -4 the output would not fit in @cap or differs from the size recorded
 *   -5 the CRC-32 does not match */
long long gzip_inflate(const uint8_t *in, size_t len, uint8_t *out, size_t cap);

/* A short English reason for a negative result above. */
const char *gzip_strerror(long long r);

#endif
