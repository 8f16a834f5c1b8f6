/* luks.h - LUKS1 and LUKS2 headers (pure: no system calls, host-testable)
 *
 * The first step of unlocking a LUKS volume at boot (issue 17): what the
 * header says.  The caller reads LUKS_HDR_PEEK bytes from the device's
 * start, asks luks_hdr_size() how much header there is (592 bytes for
 * LUKS1, the binary header and its JSON area for LUKS2), reads that much
 * and gives it to luks_parse(), which fills a struct luks_hdr: the data
 * segment's cipher, offset and sector size, each keyslot's key derivation
 * (pbkdf2, argon2i, argon2id), anti-forensic split and key-material area,
 * and the volume key's digest that tells the right key from a wrong one.
 *
 * A disk is untrusted input: nothing is read outside the buffer, every
 * number is range-checked, and what cannot be unlocked from the header
 * alone is refused with a message naming it: tokens (TPM2, FIDO2, a
 * keyring), a reencryption in progress, several data segments, LUKS2
 * "requirements".  The checksum of a LUKS2 header (and the choice between
 * its two copies) is the caller's: it needs the hash, which lives with the
 * key derivation.  Layouts: the LUKS1 specification (version 1.2.3) and
 * the LUKS2 on-disk format (version 1.1.x), as cryptsetup writes them. */
#ifndef INITKIT_LUKS_H
#define INITKIT_LUKS_H

#include <stddef.h>
#include <stdint.h>

#define LUKS_HDR_PEEK	 4096		/* enough to tell the version and size */
#define LUKS1_HDR_SIZE	 592
#define LUKS2_HDR_BIN	 4096		/* the binary header before the JSON */
#define LUKS2_HDR_MAX	 (4u << 20)	/* the largest LUKS2 header: 4 MiB */
#define LUKS_SLOTS_MAX	 32		/* LUKS2 keyslots 0-31; LUKS1 has 8 */
#define LUKS_SALT_MAX	 64
#define LUKS_KEY_MAX	 64		/* a volume key: 512 bits (aes-xts-512) */
#define LUKS_DIGEST_MAX	 64
#define LUKS_CIPHER_MAX	 64		/* "aes-xts-plain64", "serpent-cbc-essiv:sha256" */
#define LUKS_HASH_MAX	 32		/* "sha256" */
#define LUKS_UUID_MAX	 40
#define LUKS_LABEL_MAX	 48
#define LUKS_JSON_TOKENS 4096		/* a JSON area with more is refused */

enum luks_kdf { LUKS_PBKDF2, LUKS_ARGON2I, LUKS_ARGON2ID };

struct luks_keyslot {
	unsigned id;			/* its number: 0-7 (LUKS1), 0-31 */
	enum luks_kdf kdf;
	char hash[LUKS_HASH_MAX];	/* pbkdf2's hash */
	uint32_t iterations;		/* pbkdf2's iterations, argon2's time */
	uint32_t memory_kib, cpus;	/* argon2 */
	uint8_t salt[LUKS_SALT_MAX];
	size_t salt_len;
	uint32_t stripes;		/* the anti-forensic split */
	char af_hash[LUKS_HASH_MAX];
	char cipher[LUKS_CIPHER_MAX];	/* of the key-material area */
	uint32_t area_key_size;		/* bytes of the key derived for it */
	uint64_t area_offset, area_size;	/* bytes from the device start */
	uint32_t key_size;		/* the volume key it holds, bytes */
	int priority;			/* 0: tried last (LUKS2 "ignore"), 1, 2 */
};

struct luks_hdr {
	int version;			/* 1 or 2 */
	char uuid[LUKS_UUID_MAX];
	char label[LUKS_LABEL_MAX];	/* LUKS2 only */
	/* the data: the one segment */
	char cipher[LUKS_CIPHER_MAX];	/* dm-crypt's form: "aes-xts-plain64" */
	uint32_t key_size;		/* the volume key, bytes */
	uint64_t offset;		/* bytes from the device start */
	uint64_t size;			/* bytes; 0: to the device's end */
	uint64_t iv_tweak;		/* sectors */
	uint32_t sector_size;		/* 512 (LUKS1), 512-4096 */
	/* the volume key's digest: pbkdf2 of the key */
	char digest_hash[LUKS_HASH_MAX];
	uint32_t digest_iterations;
	uint8_t digest_salt[LUKS_SALT_MAX];
	size_t digest_salt_len;
	uint8_t digest[LUKS_DIGEST_MAX];
	size_t digest_len;
	/* the keyslots that can open it, highest priority first */
	unsigned nslots;
	struct luks_keyslot slot[LUKS_SLOTS_MAX];
};

/* How many bytes of header the device has, from its first @len bytes (at
 * least LUKS_HDR_PEEK, or a LUKS1 header's 592): LUKS1_HDR_SIZE, or a
 * LUKS2 header's hdr_size (binary header and JSON area).  -ENOENT: not
 * LUKS; -EINVAL: a LUKS magic with a version or size that is not. */
int luks_hdr_size(const uint8_t *buf, size_t len);

/* Parse the header in @buf (@len bytes, as luks_hdr_size() said).
 * Returns 0; -ENOENT if not LUKS; -EINVAL or -EOPNOTSUPP with @err (of
 * @errlen bytes) saying what is wrong or what is not supported, naming
 * the keyslot, token or requirement. */
int luks_parse(const uint8_t *buf, size_t len, struct luks_hdr *h, char *err, size_t errlen);

/* ---- unlocking: from a passphrase (or key file) to the volume key ---- */

/* The anti-forensic merge (LUKS1 spec, AF-merge): @stripes pieces of
 * @size bytes in @split (the decrypted key material) to one, in @out,
 * diffused with hash @hash.  Returns 0 or -EOPNOTSUPP (hash unknown). */
int luks_af_merge(const char *hash, const uint8_t *split, size_t size, uint32_t stripes,
		  uint8_t *out);

/* Bytes of scratch memory luks_unlock() needs for keyslot @s: argon2's
 * blocks (0 for pbkdf2). */
size_t luks_kdf_mem(const struct luks_keyslot *s);

/* Try @pass (@passlen bytes) on keyslot @s of @h: derive the area key,
 * decrypt @area (the keyslot's area_size bytes read from area_offset;
 * decrypted in place), merge the stripes and check the volume key against
 * the digest.  @mem: luks_kdf_mem() bytes.  Returns 0 with the key in
 * @key (h->key_size bytes), -EPERM if the passphrase is not this slot's,
 * -EOPNOTSUPP for a hash or cipher not supported here (@err names it). */
int luks_unlock(const struct luks_hdr *h, const struct luks_keyslot *s, const void *pass,
		size_t passlen, uint8_t *area, void *mem, uint8_t *key, char *err, size_t errlen);

/* The name of @kdf: "pbkdf2", "argon2i", "argon2id". */
const char *luks_kdf_name(enum luks_kdf kdf);

#endif
