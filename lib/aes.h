/* aes.h - AES (FIPS 197) and the sector modes LUKS keyslots use (pure,
 * host-testable)
 *
 * Only to decrypt a LUKS keyslot's key material (a few hundred KiB, once
 * per passphrase tried): the data itself is dm-crypt's, in the kernel.  In
 * the helper rather than through AF_ALG: no af_alg and algif_skcipher
 * modules in the image, and the same code runs in the host's tests, where
 * cryptsetup's own keyslots check it.  Modes, by dm-crypt's names:
 *   xts-plain64          (LUKS2's and cryptsetup's default; 256- or
 *                         512-bit keys: AES-128 or AES-256 twice)
 *   cbc-essiv:sha256     (LUKS1's old default)
 *   cbc-plain64, cbc-plain, xts-plain
 * Table-free byte-oriented AES: small, and fast enough for a keyslot. */
#ifndef INITKIT_AES_H
#define INITKIT_AES_H

#include <stddef.h>
#include <stdint.h>

struct aes_key {
	uint8_t rk[240];	/* round keys: 16 * (rounds + 1) bytes */
	int rounds;		/* 10, 12, 14 */
};

/* @len: 16, 24 or 32 bytes.  Returns 0 or -EINVAL. */
int aes_setkey(struct aes_key *k, const uint8_t *key, size_t len);
void aes_encrypt(const struct aes_key *k, const uint8_t in[16], uint8_t out[16]);
void aes_decrypt(const struct aes_key *k, const uint8_t in[16], uint8_t out[16]);

/* Decrypt @len bytes (a multiple of 512) in place as dm-crypt would with
 * cipher @spec ("aes-xts-plain64"...), key @key of @keylen bytes, the
 * first 512-byte sector numbered @sector.  Returns 0, -EINVAL (a key
 * length the mode does not take), -EOPNOTSUPP (a cipher or mode not here:
 * the message is the caller's, naming @spec). */
int aes_sector_decrypt(const char *spec, const uint8_t *key, size_t keylen, uint64_t sector,
		       uint8_t *buf, size_t len);

#endif
