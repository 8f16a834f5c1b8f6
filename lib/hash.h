/* hash.h - SHA-1, SHA-256 and SHA-512, HMAC and PBKDF2 (pure, host-testable)
 *
 * What LUKS needs to tell a passphrase's key from another (issue 17): the
 * keyslots' pbkdf2, the volume key's digest, the anti-forensic split's
 * diffusion, the LUKS2 header checksum.  Written from FIPS 180-4 (the
 * hashes), RFC 2104 (HMAC) and RFC 8018 (PBKDF2); tested against their
 * published vectors and against cryptsetup's own headers.  In the helper,
 * not in the kernel's crypto API: a pbkdf2 of a million iterations is two
 * million hash calls, each a system call through AF_ALG. */
#ifndef INITKIT_HASH_H
#define INITKIT_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_MAX_OUT	64
#define HASH_MAX_BLOCK	128

struct hash_ctx {
	const struct hash_alg *alg;
	uint64_t len;			/* bytes fed so far */
	union {
		uint32_t s32[8];
		uint64_t s64[8];
	} st;
	uint8_t buf[HASH_MAX_BLOCK];
};

struct hash_alg {
	const char *name;		/* "sha1", "sha256", "sha512" */
	size_t out, block;
	void (*init)(struct hash_ctx *c);
	void (*compress)(struct hash_ctx *c, const uint8_t *block);
};

/* The hash LUKS names @name ("sha256"; "sha1", "sha512"), or NULL. */
const struct hash_alg *hash_find(const char *name);

void hash_init(struct hash_ctx *c, const struct hash_alg *alg);
void hash_update(struct hash_ctx *c, const void *data, size_t len);
/* alg->out bytes to @out; @c is left as it is (hash_wipe() it when it
 * held a secret). */
void hash_final(struct hash_ctx *c, uint8_t *out);
void hash_once(const struct hash_alg *alg, const void *data, size_t len, uint8_t *out);

/* PBKDF2-HMAC-@alg of @pw and @salt, @iter iterations, @outlen bytes. */
void pbkdf2(const struct hash_alg *alg, const void *pw, size_t pwlen, const uint8_t *salt,
	    size_t saltlen, uint32_t iter, uint8_t *out, size_t outlen);

/* Wipe @len bytes at @p in a way the compiler keeps. */
void hash_wipe(void *p, size_t len);

#endif
