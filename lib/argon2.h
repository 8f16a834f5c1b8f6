/* argon2.h - Argon2i and Argon2id (version 0x13) and BLAKE2b (pure,
 * host-testable)
 *
 * LUKS2's default key derivation (issue 17): cryptsetup formats keyslots
 * with argon2id, and Debian's installer does too.  Written from RFC 9106
 * (Argon2) and RFC 7693 (BLAKE2b); tested against the reference
 * implementation's argon2 command and against keyslots cryptsetup made.
 * One thread: the lanes are computed in turn, which gives the same result
 * as the parallel computation. */
#ifndef INITKIT_ARGON2_H
#define INITKIT_ARGON2_H

#include <stddef.h>
#include <stdint.h>

struct blake2b {
	uint64_t h[8], t[2];
	uint8_t buf[128];
	size_t n, outlen;
};

/* BLAKE2b with an @outlen-byte digest (1-64), no key. */
void blake2b_init(struct blake2b *s, size_t outlen);
void blake2b_update(struct blake2b *s, const void *data, size_t len);
void blake2b_final(struct blake2b *s, uint8_t *out);

enum argon2_type { ARGON2_D = 0, ARGON2_I = 1, ARGON2_ID = 2 };

#define ARGON2_BLOCK 1024

/* The @outlen-byte tag of @pw and @salt: @t passes over @m_kib KiB, @lanes
 * lanes.  @mem is the caller's: argon2_mem_bytes(m_kib, lanes) bytes (the
 * helper maps it; it holds secrets: wipe it after).  Returns 0, or -EINVAL
 * for parameters RFC 9106 does not allow (m_kib < 8 * lanes, no lanes, no
 * pass, an empty output). */
size_t argon2_mem_bytes(uint32_t m_kib, uint32_t lanes);
int argon2(enum argon2_type type, const void *pw, size_t pwlen, const uint8_t *salt,
	   size_t saltlen, uint32_t t, uint32_t m_kib, uint32_t lanes, void *mem,
	   uint8_t *out, size_t outlen);

#endif
