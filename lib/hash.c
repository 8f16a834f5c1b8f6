/* hash.c - SHA-1, SHA-256, SHA-512, HMAC, PBKDF2 (see hash.h) */
#include <string.h>
#include "hash.h"

#define ROR32(x, n) ((x) >> (n) | (x) << (32 - (n)))
#define ROL32(x, n) ((x) << (n) | (x) >> (32 - (n)))
#define ROR64(x, n) ((x) >> (n) | (x) << (64 - (n)))

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

/* ---- SHA-1 ---------------------------------------------------------------- */

static void sha1_init(struct hash_ctx *c)
{
	static const uint32_t iv[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };

	memcpy(c->st.s32, iv, sizeof(iv));
}

static void sha1_compress(struct hash_ctx *c, const uint8_t *b)
{
	uint32_t w[80], a, bb, cc, d, e, f, k, t;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = get32(b + 4 * i);
	for (; i < 80; i++)
		w[i] = ROL32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = c->st.s32[0]; bb = c->st.s32[1]; cc = c->st.s32[2]; d = c->st.s32[3]; e = c->st.s32[4];
	for (i = 0; i < 80; i++) {
		if (i < 20)
			f = (bb & cc) | (~bb & d), k = 0x5a827999;
		else if (i < 40)
			f = bb ^ cc ^ d, k = 0x6ed9eba1;
		else if (i < 60)
			f = (bb & cc) | (bb & d) | (cc & d), k = 0x8f1bbcdc;
		else
			f = bb ^ cc ^ d, k = 0xca62c1d6;
		t = ROL32(a, 5) + f + e + k + w[i];
		e = d; d = cc; cc = ROL32(bb, 30); bb = a; a = t;
	}
	c->st.s32[0] += a; c->st.s32[1] += bb; c->st.s32[2] += cc; c->st.s32[3] += d; c->st.s32[4] += e;
}

/* ---- SHA-256 -------------------------------------------------------------- */

static const uint32_t k256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static void sha256_init(struct hash_ctx *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(c->st.s32, iv, sizeof(iv));
}

/* The rounds with the eight words renamed rather than moved. */
#define R256(a, b, c, d, e, f, g, h, i)						\
	do {									\
		uint32_t t1 = h + (ROR32(e, 6) ^ ROR32(e, 11) ^ ROR32(e, 25)) +	\
			      ((e & f) ^ (~e & g)) + k256[i] + w[i];		\
		d += t1;							\
		h = t1 + (ROR32(a, 2) ^ ROR32(a, 13) ^ ROR32(a, 22)) +		\
		    ((a & b) ^ (a & c) ^ (b & c));				\
	} while (0)

static void sha256_compress(struct hash_ctx *c, const uint8_t *blk)
{
	uint32_t w[64], a, b, cc, d, e, f, g, h;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = get32(blk + 4 * i);
	for (; i < 64; i++)
		w[i] = w[i - 16] + (ROR32(w[i - 15], 7) ^ ROR32(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
		       w[i - 7] + (ROR32(w[i - 2], 17) ^ ROR32(w[i - 2], 19) ^ (w[i - 2] >> 10));
	a = c->st.s32[0]; b = c->st.s32[1]; cc = c->st.s32[2]; d = c->st.s32[3];
	e = c->st.s32[4]; f = c->st.s32[5]; g = c->st.s32[6]; h = c->st.s32[7];
	for (i = 0; i < 64; i += 8) {
		R256(a, b, cc, d, e, f, g, h, i);
		R256(h, a, b, cc, d, e, f, g, i + 1);
		R256(g, h, a, b, cc, d, e, f, i + 2);
		R256(f, g, h, a, b, cc, d, e, i + 3);
		R256(e, f, g, h, a, b, cc, d, i + 4);
		R256(d, e, f, g, h, a, b, cc, i + 5);
		R256(cc, d, e, f, g, h, a, b, i + 6);
		R256(b, cc, d, e, f, g, h, a, i + 7);
	}
	c->st.s32[0] += a; c->st.s32[1] += b; c->st.s32[2] += cc; c->st.s32[3] += d;
	c->st.s32[4] += e; c->st.s32[5] += f; c->st.s32[6] += g; c->st.s32[7] += h;
}

/* ---- SHA-512 -------------------------------------------------------------- */

static const uint64_t k512[80] = {
	0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL, 0xe9b5dba58189dbbcULL,
	0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL, 0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL,
	0xd807aa98a3030242ULL, 0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
	0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL, 0xc19bf174cf692694ULL,
	0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL, 0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL,
	0x2de92c6f592b0275ULL, 0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
	0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL, 0xbf597fc7beef0ee4ULL,
	0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL, 0x06ca6351e003826fULL, 0x142929670a0e6e70ULL,
	0x27b70a8546d22ffcULL, 0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
	0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL, 0x92722c851482353bULL,
	0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL, 0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL,
	0xd192e819d6ef5218ULL, 0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
	0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL, 0x34b0bcb5e19b48a8ULL,
	0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL, 0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL,
	0x748f82ee5defb2fcULL, 0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
	0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL, 0xc67178f2e372532bULL,
	0xca273eceea26619cULL, 0xd186b8c721c0c207ULL, 0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL,
	0x06f067aa72176fbaULL, 0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
	0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL, 0x431d67c49c100d4cULL,
	0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL, 0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL,
};

static void sha512_init(struct hash_ctx *c)
{
	static const uint64_t iv[8] = {
		0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
		0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
		0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
	};

	memcpy(c->st.s64, iv, sizeof(iv));
}

#define R512(a, b, c, d, e, f, g, h, i)						\
	do {									\
		uint64_t t1 = h + (ROR64(e, 14) ^ ROR64(e, 18) ^ ROR64(e, 41)) +	\
			      ((e & f) ^ (~e & g)) + k512[i] + w[i];		\
		d += t1;							\
		h = t1 + (ROR64(a, 28) ^ ROR64(a, 34) ^ ROR64(a, 39)) +		\
		    ((a & b) ^ (a & c) ^ (b & c));				\
	} while (0)

static void sha512_compress(struct hash_ctx *c, const uint8_t *blk)
{
	uint64_t w[80], a, b, cc, d, e, f, g, h;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = get64(blk + 8 * i);
	for (; i < 80; i++)
		w[i] = w[i - 16] + (ROR64(w[i - 15], 1) ^ ROR64(w[i - 15], 8) ^ (w[i - 15] >> 7)) +
		       w[i - 7] + (ROR64(w[i - 2], 19) ^ ROR64(w[i - 2], 61) ^ (w[i - 2] >> 6));
	a = c->st.s64[0]; b = c->st.s64[1]; cc = c->st.s64[2]; d = c->st.s64[3];
	e = c->st.s64[4]; f = c->st.s64[5]; g = c->st.s64[6]; h = c->st.s64[7];
	for (i = 0; i < 80; i += 8) {
		R512(a, b, cc, d, e, f, g, h, i);
		R512(h, a, b, cc, d, e, f, g, i + 1);
		R512(g, h, a, b, cc, d, e, f, i + 2);
		R512(f, g, h, a, b, cc, d, e, i + 3);
		R512(e, f, g, h, a, b, cc, d, i + 4);
		R512(d, e, f, g, h, a, b, cc, i + 5);
		R512(cc, d, e, f, g, h, a, b, i + 6);
		R512(b, cc, d, e, f, g, h, a, i + 7);
	}
	c->st.s64[0] += a; c->st.s64[1] += b; c->st.s64[2] += cc; c->st.s64[3] += d;
	c->st.s64[4] += e; c->st.s64[5] += f; c->st.s64[6] += g; c->st.s64[7] += h;
}

static const struct hash_alg algs[] = {
	{ "sha1", 20, 64, sha1_init, sha1_compress },
	{ "sha256", 32, 64, sha256_init, sha256_compress },
	{ "sha512", 64, 128, sha512_init, sha512_compress },
};

const struct hash_alg *hash_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (!strcmp(algs[i].name, name))
			return &algs[i];
	return NULL;
}

/* ---- the common part -------------------------------------------------------- */

void hash_init(struct hash_ctx *c, const struct hash_alg *alg)
{
	c->alg = alg;
	c->len = 0;
	alg->init(c);
}

void hash_update(struct hash_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t bs = c->alg->block, have = (size_t)(c->len % bs), n;

	c->len += len;
	if (have) {
		n = bs - have < len ? bs - have : len;
		memcpy(c->buf + have, p, n);
		p += n;
		len -= n;
		if (have + n < bs)
			return;
		c->alg->compress(c, c->buf);
	}
	for (; len >= bs; p += bs, len -= bs)
		c->alg->compress(c, p);
	memcpy(c->buf, p, len);
}

/* The state as the digest's bytes (big-endian words). */
static void state_out(const struct hash_ctx *c, uint8_t *out)
{
	size_t i;

	for (i = 0; i < c->alg->out; i += c->alg->block == 128 ? 8 : 4)
		if (c->alg->block == 128)
			put64(out + i, c->st.s64[i / 8]);
		else
			put32(out + i, c->st.s32[i / 4]);
}

void hash_final(struct hash_ctx *c, uint8_t *out)
{
	size_t bs = c->alg->block, lenpos = bs - (bs == 128 ? 16 : 8), have = (size_t)(c->len % bs);
	uint64_t bits = c->len * 8;

	c->buf[have++] = 0x80;
	if (have > lenpos) {
		memset(c->buf + have, 0, bs - have);
		c->alg->compress(c, c->buf);
		have = 0;
	}
	memset(c->buf + have, 0, bs - have);
	put64(c->buf + bs - 8, bits);
	if (bs == 128)
		put64(c->buf + bs - 16, c->len >> 61);
	c->alg->compress(c, c->buf);
	state_out(c, out);
}

void hash_once(const struct hash_alg *alg, const void *data, size_t len, uint8_t *out)
{
	struct hash_ctx c;

	hash_init(&c, alg);
	hash_update(&c, data, len);
	hash_final(&c, out);
}

void hash_wipe(void *p, size_t len)
{
	volatile uint8_t *v = p;

	while (len--)
		*v++ = 0;
}

/* ---- PBKDF2 (RFC 8018, 5.2) with HMAC (RFC 2104) ---------------------------- */

void pbkdf2(const struct hash_alg *alg, const void *pw, size_t pwlen, const uint8_t *salt,
	    size_t saltlen, uint32_t iter, uint8_t *out, size_t outlen)
{
	struct hash_ctx inner, outer, c;
	uint8_t key[HASH_MAX_BLOCK], pad[HASH_MAX_BLOCK], u[HASH_MAX_OUT], t[HASH_MAX_OUT], be[4];
	uint8_t blk[HASH_MAX_BLOCK];
	uint64_t msgbits;
	size_t bs = alg->block, hl = alg->out, i, n;
	uint32_t block, k;

	/* HMAC's key: the password, hashed if longer than a block */
	memset(key, 0, sizeof(key));
	if (pwlen > bs)
		hash_once(alg, pw, pwlen, key);
	else
		memcpy(key, pw, pwlen);
	for (i = 0; i < bs; i++)
		pad[i] = key[i] ^ 0x36;
	hash_init(&inner, alg);
	hash_update(&inner, pad, bs);
	for (i = 0; i < bs; i++)
		pad[i] = key[i] ^ 0x5c;
	hash_init(&outer, alg);
	hash_update(&outer, pad, bs);

	for (block = 1; outlen; block++) {
		put32(be, block);
		c = inner;
		hash_update(&c, salt, saltlen);
		hash_update(&c, be, 4);
		hash_final(&c, u);
		c = outer;
		hash_update(&c, u, hl);
		hash_final(&c, u);
		memcpy(t, u, hl);
		/* The other iterations hash hl bytes after a block already
		 * hashed: one block, padded once here, compressed directly. */
		memset(blk, 0, bs);
		blk[hl] = 0x80;
		msgbits = (uint64_t)(bs + hl) * 8;
		for (i = 0; i < 8; i++)
			blk[bs - 1 - i] = (uint8_t)(msgbits >> (8 * i));
		for (k = 1; k < iter; k++) {
			memcpy(blk, u, hl);
			c = inner;
			alg->compress(&c, blk);
			state_out(&c, blk);
			c = outer;
			alg->compress(&c, blk);
			state_out(&c, u);
			for (i = 0; i < hl; i++)
				t[i] ^= u[i];
		}
		n = outlen < hl ? outlen : hl;
		memcpy(out, t, n);
		out += n;
		outlen -= n;
	}
	hash_wipe(key, sizeof(key));
	hash_wipe(pad, sizeof(pad));
	hash_wipe(u, sizeof(u));
	hash_wipe(t, sizeof(t));
	hash_wipe(blk, sizeof(blk));
	hash_wipe(&c, sizeof(c));
	hash_wipe(&inner, sizeof(inner));
	hash_wipe(&outer, sizeof(outer));
}
