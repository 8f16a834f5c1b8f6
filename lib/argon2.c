/* argon2.c - Argon2 (RFC 9106) and BLAKE2b (RFC 7693); see argon2.h */
#include <errno.h>
#include <string.h>
#include "argon2.h"

#define ROR64(x, n) ((x) >> (n) | (x) << (64 - (n)))

static uint64_t ld64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void st64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void st32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

/* ---- BLAKE2b ---------------------------------------------------------------- */

static const uint64_t b2iv[8] = {
	0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
	0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

static const uint8_t sigma[12][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
	{ 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
	{ 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
	{ 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
	{ 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
	{ 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
	{ 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
	{ 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
	{ 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
};

#define B2G(a, b, c, d, x, y)						\
	do {								\
		a = a + b + x; d = ROR64(d ^ a, 32);			\
		c = c + d;     b = ROR64(b ^ c, 24);			\
		a = a + b + y; d = ROR64(d ^ a, 16);			\
		c = c + d;     b = ROR64(b ^ c, 63);			\
	} while (0)

static void b2compress(struct blake2b *s, const uint8_t *blk, int last)
{
	uint64_t m[16], v[16];
	int i, r;

	for (i = 0; i < 16; i++)
		m[i] = ld64(blk + 8 * i);
	for (i = 0; i < 8; i++) {
		v[i] = s->h[i];
		v[i + 8] = b2iv[i];
	}
	v[12] ^= s->t[0];
	v[13] ^= s->t[1];
	if (last)
		v[14] = ~v[14];
	for (r = 0; r < 12; r++) {
		const uint8_t *z = sigma[r];

		B2G(v[0], v[4], v[8], v[12], m[z[0]], m[z[1]]);
		B2G(v[1], v[5], v[9], v[13], m[z[2]], m[z[3]]);
		B2G(v[2], v[6], v[10], v[14], m[z[4]], m[z[5]]);
		B2G(v[3], v[7], v[11], v[15], m[z[6]], m[z[7]]);
		B2G(v[0], v[5], v[10], v[15], m[z[8]], m[z[9]]);
		B2G(v[1], v[6], v[11], v[12], m[z[10]], m[z[11]]);
		B2G(v[2], v[7], v[8], v[13], m[z[12]], m[z[13]]);
		B2G(v[3], v[4], v[9], v[14], m[z[14]], m[z[15]]);
	}
	for (i = 0; i < 8; i++)
		s->h[i] ^= v[i] ^ v[i + 8];
}

void blake2b_init(struct blake2b *s, size_t outlen)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->h, b2iv, sizeof(s->h));
	s->h[0] ^= 0x01010000ULL ^ outlen;	/* depth 1, fanout 1, no key */
	s->outlen = outlen;
}

void blake2b_update(struct blake2b *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len) {
		size_t k;

		if (s->n == 128) {	/* a full block, not the last: compress */
			s->t[0] += 128;
			if (s->t[0] < 128)
				s->t[1]++;
			b2compress(s, s->buf, 0);
			s->n = 0;
		}
		k = 128 - s->n < len ? 128 - s->n : len;
		memcpy(s->buf + s->n, p, k);
		s->n += k;
		p += k;
		len -= k;
	}
}

void blake2b_final(struct blake2b *s, uint8_t *out)
{
	uint8_t full[64];
	size_t i;

	s->t[0] += s->n;
	if (s->t[0] < s->n)
		s->t[1]++;
	memset(s->buf + s->n, 0, 128 - s->n);
	b2compress(s, s->buf, 1);
	for (i = 0; i < 8; i++)
		st64(full + 8 * i, s->h[i]);
	memcpy(out, full, s->outlen);
	memset(full, 0, sizeof(full));
}

/* H' (RFC 9106, 3.3): a hash of any length from BLAKE2b. */
static void hprime(uint8_t *out, size_t outlen, const uint8_t *in, size_t inlen)
{
	struct blake2b s;
	uint8_t len[4], v[64];

	st32(len, (uint32_t)outlen);
	if (outlen <= 64) {
		blake2b_init(&s, outlen);
		blake2b_update(&s, len, 4);
		blake2b_update(&s, in, inlen);
		blake2b_final(&s, out);
		return;
	}
	blake2b_init(&s, 64);
	blake2b_update(&s, len, 4);
	blake2b_update(&s, in, inlen);
	blake2b_final(&s, v);
	memcpy(out, v, 32);
	out += 32;
	outlen -= 32;
	while (outlen > 64) {
		blake2b_init(&s, 64);
		blake2b_update(&s, v, 64);
		blake2b_final(&s, v);
		memcpy(out, v, 32);
		out += 32;
		outlen -= 32;
	}
	blake2b_init(&s, outlen);
	blake2b_update(&s, v, 64);
	blake2b_final(&s, out);
	memset(v, 0, sizeof(v));
}

/* ---- the compression function G (RFC 9106, 3.5-3.6) ------------------------ */

typedef struct { uint64_t v[128]; } block;

static uint64_t fblamka(uint64_t x, uint64_t y)
{
	return x + y + 2 * (uint64_t)(uint32_t)x * (uint32_t)y;
}

#define GB(a, b, c, d)							\
	do {								\
		a = fblamka(a, b); d = ROR64(d ^ a, 32);		\
		c = fblamka(c, d); b = ROR64(b ^ c, 24);		\
		a = fblamka(a, b); d = ROR64(d ^ a, 16);		\
		c = fblamka(c, d); b = ROR64(b ^ c, 63);		\
	} while (0)

/* The permutation P on 16 words at the given indices. */
#define P16(v, i0, i1, i2, i3, i4, i5, i6, i7, i8, i9, i10, i11, i12, i13, i14, i15)	\
	do {										\
		GB(v[i0], v[i4], v[i8], v[i12]);					\
		GB(v[i1], v[i5], v[i9], v[i13]);					\
		GB(v[i2], v[i6], v[i10], v[i14]);					\
		GB(v[i3], v[i7], v[i11], v[i15]);					\
		GB(v[i0], v[i5], v[i10], v[i15]);					\
		GB(v[i1], v[i6], v[i11], v[i12]);					\
		GB(v[i2], v[i7], v[i8], v[i13]);					\
		GB(v[i3], v[i4], v[i9], v[i14]);					\
	} while (0)

/* @out = G(@x, @y), or with @xor_out: @out ^= G(@x, @y) (passes after the
 * first, version 0x13). */
static void gfun(block *out, const block *x, const block *y, int xor_out)
{
	block r, z;
	int i;

	for (i = 0; i < 128; i++)
		r.v[i] = x->v[i] ^ y->v[i];
	z = r;
	/* rows: eight 16-word registers in a row */
	for (i = 0; i < 8; i++) {
		uint64_t *v = z.v + 16 * i;

		P16(v, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
	}
	/* columns: the 2-word pieces of each row, 8 apart */
	for (i = 0; i < 8; i++) {
		uint64_t *v = z.v + 2 * i;

		P16(v, 0, 1, 16, 17, 32, 33, 48, 49, 64, 65, 80, 81, 96, 97, 112, 113);
	}
	for (i = 0; i < 128; i++)
		out->v[i] = (xor_out ? out->v[i] : 0) ^ z.v[i] ^ r.v[i];
}

/* ---- Argon2 --------------------------------------------------------------- */

size_t argon2_mem_bytes(uint32_t m_kib, uint32_t lanes)
{
	if (!lanes)
		return 0;
	return (size_t)(m_kib / (4 * lanes)) * 4 * lanes * ARGON2_BLOCK;
}

static void block_from(block *b, const uint8_t *p)
{
	int i;

	for (i = 0; i < 128; i++)
		b->v[i] = ld64(p + 8 * i);
}

int argon2(enum argon2_type type, const void *pw, size_t pwlen, const uint8_t *salt,
	   size_t saltlen, uint32_t t, uint32_t m_kib, uint32_t lanes, void *mem,
	   uint8_t *out, size_t outlen)
{
	block *B = mem, addr, zero, input;
	uint8_t h0[64 + 8], tmp[ARGON2_BLOCK], w[4];
	uint32_t q, seglen, mprime, pass, sl, lane, i;
	struct blake2b s;

	if (!lanes || lanes > 0xffffff || m_kib < 8 * lanes || !t || !outlen || outlen > 0xffffffffu)
		return -EINVAL;
	mprime = m_kib / (4 * lanes) * 4 * lanes;
	q = mprime / lanes;
	seglen = q / 4;

	/* H0 */
	blake2b_init(&s, 64);
	st32(w, lanes); blake2b_update(&s, w, 4);
	st32(w, (uint32_t)outlen); blake2b_update(&s, w, 4);
	st32(w, m_kib); blake2b_update(&s, w, 4);
	st32(w, t); blake2b_update(&s, w, 4);
	st32(w, 0x13); blake2b_update(&s, w, 4);
	st32(w, (uint32_t)type); blake2b_update(&s, w, 4);
	st32(w, (uint32_t)pwlen); blake2b_update(&s, w, 4);
	blake2b_update(&s, pw, pwlen);
	st32(w, (uint32_t)saltlen); blake2b_update(&s, w, 4);
	blake2b_update(&s, salt, saltlen);
	st32(w, 0); blake2b_update(&s, w, 4);	/* no secret */
	blake2b_update(&s, w, 4);		/* no associated data */
	blake2b_final(&s, h0);

	/* the first two blocks of each lane */
	for (lane = 0; lane < lanes; lane++) {
		for (i = 0; i < 2; i++) {
			st32(h0 + 64, i);
			st32(h0 + 68, lane);
			hprime(tmp, ARGON2_BLOCK, h0, sizeof(h0));
			block_from(&B[lane * q + i], tmp);
		}
	}
	memset(&zero, 0, sizeof(zero));
	for (pass = 0; pass < t; pass++)
		for (sl = 0; sl < 4; sl++)
			for (lane = 0; lane < lanes; lane++) {
				int indep = type == ARGON2_I ||
					    (type == ARGON2_ID && pass == 0 && sl < 2);
				uint64_t counter = 0;
				uint32_t idx = pass == 0 && sl == 0 ? 2 : 0;

				if (indep) {
					memset(&input, 0, sizeof(input));
					input.v[0] = pass;
					input.v[1] = lane;
					input.v[2] = sl;
					input.v[3] = mprime;
					input.v[4] = t;
					input.v[5] = (uint64_t)type;
				}
				for (; idx < seglen; idx++) {
					uint32_t cur = lane * q + sl * seglen + idx;
					uint32_t prev = cur % q == 0 ? cur + q - 1 : cur - 1;
					uint64_t rnd, x, y, area, start;
					uint32_t rlane, ref;

					if (indep) {
						if (idx % 128 == 0 || (pass == 0 && sl == 0 && idx == 2)) {
							if (idx % 128 == 0 || counter == 0) {
								input.v[6] = ++counter;
								gfun(&addr, &zero, &input, 0);
								gfun(&addr, &zero, &addr, 0);
							}
						}
						rnd = addr.v[idx % 128];
					} else {
						rnd = B[prev].v[0];
					}
					rlane = pass == 0 && sl == 0 ? lane : (uint32_t)((rnd >> 32) % lanes);
					if (rlane == lane)
						area = pass == 0 ? (uint64_t)sl * seglen + idx - 1
								 : (uint64_t)q - seglen + idx - 1;
					else
						area = (pass == 0 ? (uint64_t)sl * seglen : (uint64_t)q - seglen) -
						       (idx == 0 ? 1 : 0);
					x = (rnd & 0xffffffffULL) * (rnd & 0xffffffffULL) >> 32;
					y = area * x >> 32;
					start = pass == 0 || sl == 3 ? 0 : (uint64_t)(sl + 1) * seglen;
					ref = (uint32_t)((start + area - 1 - y) % q);
					gfun(&B[cur], &B[prev], &B[rlane * q + ref], pass > 0);
				}
			}

	/* the tag: H' of the XOR of the lanes' last blocks */
	for (lane = 1; lane < lanes; lane++)
		for (i = 0; i < 128; i++)
			B[q - 1].v[i] ^= B[lane * q + q - 1].v[i];
	for (i = 0; i < 128; i++)
		st64(tmp + 8 * i, B[q - 1].v[i]);
	hprime(out, outlen, tmp, ARGON2_BLOCK);
	memset(tmp, 0, sizeof(tmp));
	memset(h0, 0, sizeof(h0));
	return 0;
}
