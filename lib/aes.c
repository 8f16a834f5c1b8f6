/* aes.c - AES and the LUKS keyslot sector modes (see aes.h) */
#include <errno.h>
#include <string.h>
#include "aes.h"
#include "hash.h"

static uint8_t sbox[256], inv[256];

#define ROTL8(x, s) ((uint8_t)((x) << (s) | (x) >> (8 - (s))))

/* The S-box from its definition (the multiplicative inverse in GF(2^8),
 * then the affine map), once. */
static void tables(void)
{
	uint8_t p = 1, q = 1, x;

	if (sbox[0])
		return;
	do {
		p = (uint8_t)(p ^ (p << 1) ^ (p & 0x80 ? 0x1b : 0));	/* p * 3 */
		q ^= (uint8_t)(q << 1);					/* q / 3 */
		q ^= (uint8_t)(q << 2);
		q ^= (uint8_t)(q << 4);
		if (q & 0x80)
			q ^= 0x09;
		x = (uint8_t)(q ^ ROTL8(q, 1) ^ ROTL8(q, 2) ^ ROTL8(q, 3) ^ ROTL8(q, 4));
		sbox[p] = x ^ 0x63;
	} while (p != 1);
	sbox[0] = 0x63;
	for (x = 0;; x++) {
		inv[sbox[x]] = x;
		if (x == 255)
			break;
	}
}

static uint8_t xtime(uint8_t a)
{
	return (uint8_t)(a << 1 ^ (a & 0x80 ? 0x1b : 0));
}

static uint8_t gmul(uint8_t a, uint8_t b)
{
	uint8_t r = 0;

	for (; b; b >>= 1, a = xtime(a))
		if (b & 1)
			r ^= a;
	return r;
}

int aes_setkey(struct aes_key *k, const uint8_t *key, size_t len)
{
	unsigned nk = (unsigned)len / 4, i, total;
	uint8_t t[4], rcon = 1, tmp;

	if (len != 16 && len != 24 && len != 32)
		return -EINVAL;
	tables();
	k->rounds = (int)nk + 6;
	total = 4 * ((unsigned)k->rounds + 1);
	memcpy(k->rk, key, len);
	for (i = nk; i < total; i++) {
		memcpy(t, k->rk + 4 * (i - 1), 4);
		if (i % nk == 0) {
			tmp = t[0];
			t[0] = sbox[t[1]] ^ rcon;
			t[1] = sbox[t[2]];
			t[2] = sbox[t[3]];
			t[3] = sbox[tmp];
			rcon = xtime(rcon);
		} else if (nk > 6 && i % nk == 4) {
			t[0] = sbox[t[0]]; t[1] = sbox[t[1]]; t[2] = sbox[t[2]]; t[3] = sbox[t[3]];
		}
		k->rk[4 * i] = k->rk[4 * (i - nk)] ^ t[0];
		k->rk[4 * i + 1] = k->rk[4 * (i - nk) + 1] ^ t[1];
		k->rk[4 * i + 2] = k->rk[4 * (i - nk) + 2] ^ t[2];
		k->rk[4 * i + 3] = k->rk[4 * (i - nk) + 3] ^ t[3];
	}
	return 0;
}

static void add_key(uint8_t s[16], const uint8_t *rk)
{
	int i;

	for (i = 0; i < 16; i++)
		s[i] ^= rk[i];
}

void aes_encrypt(const struct aes_key *k, const uint8_t in[16], uint8_t out[16])
{
	uint8_t s[16], t[16];
	int r, c, i;

	memcpy(s, in, 16);
	add_key(s, k->rk);
	for (r = 1; r <= k->rounds; r++) {
		for (c = 0; c < 4; c++)		/* SubBytes and ShiftRows */
			for (i = 0; i < 4; i++)
				t[4 * c + i] = sbox[s[4 * ((c + i) % 4) + i]];
		if (r < k->rounds) {
			for (c = 0; c < 4; c++) {	/* MixColumns */
				uint8_t *a = t + 4 * c, a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];

				s[4 * c] = xtime(a0) ^ xtime(a1) ^ a1 ^ a2 ^ a3;
				s[4 * c + 1] = a0 ^ xtime(a1) ^ xtime(a2) ^ a2 ^ a3;
				s[4 * c + 2] = a0 ^ a1 ^ xtime(a2) ^ xtime(a3) ^ a3;
				s[4 * c + 3] = xtime(a0) ^ a0 ^ a1 ^ a2 ^ xtime(a3);
			}
		} else {
			memcpy(s, t, 16);
		}
		add_key(s, k->rk + 16 * r);
	}
	memcpy(out, s, 16);
}

void aes_decrypt(const struct aes_key *k, const uint8_t in[16], uint8_t out[16])
{
	uint8_t s[16], t[16];
	int r, c, i;

	memcpy(s, in, 16);
	add_key(s, k->rk + 16 * k->rounds);
	for (r = k->rounds - 1; r >= 0; r--) {
		for (c = 0; c < 4; c++)		/* InvShiftRows and InvSubBytes */
			for (i = 0; i < 4; i++)
				t[4 * ((c + i) % 4) + i] = inv[s[4 * c + i]];
		add_key(t, k->rk + 16 * r);
		if (r > 0) {
			for (c = 0; c < 4; c++) {	/* InvMixColumns */
				uint8_t *a = t + 4 * c, a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];

				s[4 * c] = gmul(a0, 14) ^ gmul(a1, 11) ^ gmul(a2, 13) ^ gmul(a3, 9);
				s[4 * c + 1] = gmul(a0, 9) ^ gmul(a1, 14) ^ gmul(a2, 11) ^ gmul(a3, 13);
				s[4 * c + 2] = gmul(a0, 13) ^ gmul(a1, 9) ^ gmul(a2, 14) ^ gmul(a3, 11);
				s[4 * c + 3] = gmul(a0, 11) ^ gmul(a1, 13) ^ gmul(a2, 9) ^ gmul(a3, 14);
			}
		} else {
			memcpy(s, t, 16);
		}
	}
	memcpy(out, s, 16);
}

/* ---- sector modes ----------------------------------------------------------- */

enum ivgen { IV_PLAIN, IV_PLAIN64, IV_ESSIV };

static void iv_for(enum ivgen g, const struct aes_key *essiv, uint64_t sector, uint8_t iv[16])
{
	int i;

	memset(iv, 0, 16);
	if (g == IV_PLAIN)
		sector &= 0xffffffffu;
	for (i = 0; i < 8; i++)
		iv[i] = (uint8_t)(sector >> (8 * i));
	if (g == IV_ESSIV)
		aes_encrypt(essiv, iv, iv);
}

static void xts_sector(const struct aes_key *k1, const struct aes_key *k2, const uint8_t iv[16],
		       uint8_t *p)
{
	uint8_t t[16], x[16];
	int b, i, carry;

	aes_encrypt(k2, iv, t);
	for (b = 0; b < 512; b += 16) {
		for (i = 0; i < 16; i++)
			x[i] = p[b + i] ^ t[i];
		aes_decrypt(k1, x, x);
		for (i = 0; i < 16; i++)
			p[b + i] = x[i] ^ t[i];
		carry = t[15] >> 7;		/* t *= alpha in GF(2^128) */
		for (i = 15; i > 0; i--)
			t[i] = (uint8_t)(t[i] << 1 | t[i - 1] >> 7);
		t[0] = (uint8_t)(t[0] << 1 ^ (carry ? 0x87 : 0));
	}
}

static void cbc_sector(const struct aes_key *k, const uint8_t iv[16], uint8_t *p)
{
	uint8_t prev[16], c[16];
	int b, i;

	memcpy(prev, iv, 16);
	for (b = 0; b < 512; b += 16) {
		memcpy(c, p + b, 16);
		aes_decrypt(k, c, p + b);
		for (i = 0; i < 16; i++)
			p[b + i] ^= prev[i];
		memcpy(prev, c, 16);
	}
}

int aes_sector_decrypt(const char *spec, const uint8_t *key, size_t keylen, uint64_t sector,
		       uint8_t *buf, size_t len)
{
	struct aes_key k1, k2;
	uint8_t iv[16], h[HASH_MAX_OUT];
	enum ivgen g;
	int xts;
	size_t off;

	if (!strcmp(spec, "aes-xts-plain64") || !strcmp(spec, "aes-xts-plain"))
		xts = 1, g = spec[13] ? IV_PLAIN64 : IV_PLAIN;
	else if (!strcmp(spec, "aes-cbc-plain64") || !strcmp(spec, "aes-cbc-plain"))
		xts = 0, g = spec[13] ? IV_PLAIN64 : IV_PLAIN;
	else if (!strcmp(spec, "aes-cbc-essiv:sha256"))
		xts = 0, g = IV_ESSIV;
	else
		return -EOPNOTSUPP;
	if (len % 512)
		return -EINVAL;
	if (xts) {
		if (keylen != 32 && keylen != 64)
			return -EINVAL;
		aes_setkey(&k1, key, keylen / 2);
		aes_setkey(&k2, key + keylen / 2, keylen / 2);
	} else {
		if (aes_setkey(&k1, key, keylen))
			return -EINVAL;
		if (g == IV_ESSIV) {
			hash_once(hash_find("sha256"), key, keylen, h);
			aes_setkey(&k2, h, 32);
		}
	}
	for (off = 0; off < len; off += 512, sector++) {
		iv_for(g, &k2, sector, iv);
		if (xts)
			xts_sector(&k1, &k2, iv, buf + off);
		else
			cbc_sector(&k1, iv, buf + off);
	}
	hash_wipe(&k1, sizeof(k1));
	hash_wipe(&k2, sizeof(k2));
	hash_wipe(h, sizeof(h));
	return 0;
}
