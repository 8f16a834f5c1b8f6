/* inflate.c - gzip and deflate (RFC 1951, 1952) decoding into a buffer
 * whose size is known in advance (see inflate.h).
 *
 * Huffman codes are decoded with one table indexed by the next FAST_BITS
 * bits of input (most codes of a module are that short), and canonically,
 * bit by bit, when the code is longer.  The output is the whole file, so
 * it is also the window that distances point into. */
#include <string.h>
#include "inflate.h"

#define FAST_BITS	10
#define MAX_BITS	15

struct huff {
	uint16_t fast[1 << FAST_BITS];	/* symbol << 4 | length; 0: longer */
	uint16_t count[MAX_BITS + 1];	/* codes of each length */
	uint16_t sym[288];		/* symbols in canonical order */
};

/* @w read from memory as a little-endian value */
static uint64_t le64(uint64_t w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

struct state {
	const uint8_t *in;
	size_t pos, len;
	uint64_t bits;			/* next input bits, first in bit 0 */
	unsigned nbits;
	size_t pad;			/* zero bytes fed past the input's end */
	uint8_t *out;
	size_t o, cap;
	struct huff lit, dist;
};

static void refill(struct state *s)
{
	if (s->pos + 8 <= s->len) {
		/* eight bytes at once; the whole ones that fit are taken */
		uint64_t w;

		memcpy(&w, s->in + s->pos, 8);
		w = le64(w);
		s->bits |= w << s->nbits;
		s->pos += (63 - s->nbits) >> 3;
		s->nbits |= 56;
		return;
	}
	while (s->nbits <= 56) {
		uint64_t b = 0;

		if (s->pos < s->len)
			b = s->in[s->pos++];
		else
			s->pad++;
		s->bits |= b << s->nbits;
		s->nbits += 8;
	}
}

static unsigned getbits(struct state *s, unsigned n)
{
	unsigned v;

	if (s->nbits < n)
		refill(s);
	v = (unsigned)(s->bits & ((1u << n) - 1));
	s->bits >>= n;
	s->nbits -= n;
	return v;
}

/* Were bits used that lie past the input's end? */
static int overrun(const struct state *s)
{
	return s->pad * 8 > s->nbits;
}

/* Tables for the code of @n symbols with lengths @lens.  An incomplete
 * code is taken (its missing codes fail when met); an over-subscribed
 * one is not. */
static int build(struct huff *h, const uint8_t *lens, unsigned n)
{
	uint16_t offs[MAX_BITS + 1];
	unsigned i, len, code = 0, idx = 0;
	int left = 1;

	memset(h->count, 0, sizeof(h->count));
	for (i = 0; i < n; i++)
		h->count[lens[i]]++;
	for (len = 1; len <= MAX_BITS; len++) {
		left = (left << 1) - h->count[len];
		if (left < 0)
			return -1;
	}
	offs[1] = 0;
	for (len = 1; len < MAX_BITS; len++)
		offs[len + 1] = offs[len] + h->count[len];
	for (i = 0; i < n; i++)
		if (lens[i])
			h->sym[offs[lens[i]]++] = (uint16_t)i;
	memset(h->fast, 0, sizeof(h->fast));
	for (len = 1; len <= FAST_BITS; len++, code <<= 1) {
		unsigned k;

		for (k = 0; k < h->count[len]; k++, idx++, code++) {
			unsigned rev = 0, b, j;

			for (b = 0; b < len; b++)
				rev |= ((code >> b) & 1) << (len - 1 - b);
			for (j = rev; j < (1u << FAST_BITS); j += 1u << len)
				h->fast[j] = (uint16_t)(h->sym[idx] << 4 | len);
		}
	}
	return 0;
}

static int decode(struct state *s, const struct huff *h)
{
	unsigned e, len, code = 0, first = 0, idx = 0;

	if (s->nbits < MAX_BITS)
		refill(s);
	e = h->fast[s->bits & ((1u << FAST_BITS) - 1)];
	if (e) {
		s->bits >>= e & 15;
		s->nbits -= e & 15;
		return (int)(e >> 4);
	}
	for (len = 1; len <= MAX_BITS; len++) {
		unsigned count = h->count[len];

		code |= (unsigned)(s->bits & 1);
		s->bits >>= 1;
		s->nbits--;
		if (code - first < count)
			return h->sym[idx + code - first];
		idx += count;
		first = (first + count) << 1;
		code <<= 1;
	}
	return -1;
}

static const uint16_t len_base[29] = {
	3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
	35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const uint8_t len_extra[29] = {
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
	3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const uint16_t dist_base[30] = {
	1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
	257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
	8193, 12289, 16385, 24577 };
static const uint8_t dist_extra[30] = {
	0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
	7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };

/* The symbols of one compressed block, up to its end code. */
static int codes(struct state *s)
{
	for (;;) {
		int sym = decode(s, &s->lit);
		unsigned len, dist;
		uint8_t *p;

		if (sym < 256) {
			if (sym < 0)
				return -2;
			if (s->o >= s->cap)
				return -4;
			s->out[s->o++] = (uint8_t)sym;
			continue;
		}
		if (sym == 256)
			return 0;
		sym -= 257;
		if (sym >= 29)
			return -2;
		len = len_base[sym] + getbits(s, len_extra[sym]);
		sym = decode(s, &s->dist);
		if (sym < 0 || sym >= 30)
			return -2;
		dist = dist_base[sym] + getbits(s, dist_extra[sym]);
		if (dist > s->o)
			return -2;
		if (len > s->cap - s->o)
			return -4;
		p = s->out + s->o;
		s->o += len;
		if (dist >= 8 && s->cap - s->o >= 8) {
			/* eight at a time: the last copy may run up to 7 bytes
			 * past the match, inside the buffer, and later output
			 * overwrites them */
			uint8_t *end = p + len;

			do {
				memcpy(p, p - dist, 8);
				p += 8;
			} while (p < end);
		} else {
			while (len--) {
				*p = p[-(ptrdiff_t)dist];
				p++;
			}
		}
	}
}

static int stored(struct state *s)
{
	unsigned len, k;

	getbits(s, s->nbits & 7);
	len = getbits(s, 16);
	if ((getbits(s, 16) ^ 0xffff) != len)
		return -2;
	/* give back the whole bytes still in the bit buffer */
	k = s->nbits / 8;
	if (s->pad > k)
		return -3;
	s->pos -= k - s->pad;
	s->pad = 0;
	s->bits = 0;
	s->nbits = 0;
	if (len > s->len - s->pos)
		return -3;
	if (len > s->cap - s->o)
		return -4;
	memcpy(s->out + s->o, s->in + s->pos, len);
	s->o += len;
	s->pos += len;
	return 0;
}

static int fixed(struct state *s)
{
	uint8_t lens[288];

	memset(lens, 8, 144);
	memset(lens + 144, 9, 112);
	memset(lens + 256, 7, 24);
	memset(lens + 280, 8, 8);
	build(&s->lit, lens, 288);
	memset(lens, 5, 30);
	build(&s->dist, lens, 30);
	return codes(s);
}

static int dynamic(struct state *s)
{
	static const uint8_t order[19] = {
		16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15 };
	uint8_t lens[286 + 30];
	unsigned nlit, ndist, ncode, i;

	nlit = getbits(s, 5) + 257;
	ndist = getbits(s, 5) + 1;
	ncode = getbits(s, 4) + 4;
	if (nlit > 286 || ndist > 30)
		return -2;
	memset(lens, 0, 19);
	for (i = 0; i < ncode; i++)
		lens[order[i]] = (uint8_t)getbits(s, 3);
	if (build(&s->lit, lens, 19))
		return -2;
	for (i = 0; i < nlit + ndist;) {
		int sym = decode(s, &s->lit);
		unsigned rep, val = 0;

		if (sym < 0)
			return -2;
		if (sym < 16) {
			lens[i++] = (uint8_t)sym;
			continue;
		}
		if (sym == 16) {
			if (!i)
				return -2;
			val = lens[i - 1];
			rep = 3 + getbits(s, 2);
		} else if (sym == 17) {
			rep = 3 + getbits(s, 3);
		} else {
			rep = 11 + getbits(s, 7);
		}
		if (rep > nlit + ndist - i)
			return -2;
		memset(lens + i, (int)val, rep);
		i += rep;
	}
	if (!lens[256] || build(&s->lit, lens, nlit) || build(&s->dist, lens + nlit, ndist))
		return -2;
	return codes(s);
}

/* CRC-32 four bytes at a step (slicing by 4: 4 KB of tables made at
 * first use); byte by byte it took as long as the inflating. */
static uint32_t crc32_of(const uint8_t *p, size_t n)
{
	static uint32_t t[4][256];
	uint32_t c = 0xffffffffu;
	size_t i;

	if (!t[0][1])
		for (i = 0; i < 256; i++) {
			uint32_t v = (uint32_t)i;
			int k;

			for (k = 0; k < 8; k++)
				v = v & 1 ? 0xedb88320u ^ (v >> 1) : v >> 1;
			t[0][i] = v;
		}
	if (!t[3][1])
		for (i = 0; i < 256; i++)
			for (int k = 1; k < 4; k++)
				t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
	for (; n >= 4; n -= 4, p += 4) {
		c ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		     (uint32_t)p[3] << 24;
		c = t[3][c & 0xff] ^ t[2][(c >> 8) & 0xff] ^ t[1][(c >> 16) & 0xff] ^
		    t[0][c >> 24];
	}
	for (; n; n--)
		c = t[0][(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

long long gzip_size(const uint8_t *in, size_t len)
{
	return len < 18 ? -1 : (long long)le32(in + len - 4);
}

/* The offset of the deflate data after the gzip header, or -1. */
static long long header(const uint8_t *in, size_t len)
{
	size_t p = 10, end;
	unsigned flg;

	if (len < 18 || in[0] != 0x1f || in[1] != 0x8b || in[2] != 8 || (in[3] & 0xe0))
		return -1;
	flg = in[3];
	end = len - 8;
	if (flg & 4) {			/* FEXTRA */
		if (p + 2 > end)
			return -1;
		p += 2 + (in[p] | (size_t)in[p + 1] << 8);
	}
	if (flg & 8)			/* FNAME */
		while (p < end && in[p++])
			;
	if (flg & 16)			/* FCOMMENT */
		while (p < end && in[p++])
			;
	if (flg & 2) {			/* FHCRC: the header's CRC-32, low half */
		if (p + 2 > end || (crc32_of(in, p) & 0xffff) != (in[p] | (unsigned)in[p + 1] << 8))
			return -1;
		p += 2;
	}
	return p > end ? -1 : (long long)p;
}

long long gzip_inflate(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	struct state s;
	long long start = header(in, len);
	int last, r;

	if (start < 0)
		return -1;
	if ((uint64_t)gzip_size(in, len) > cap)
		return -4;
	memset(&s, 0, sizeof(s));
	s.in = in;
	s.pos = (size_t)start;
	s.len = len - 8;
	s.out = out;
	s.cap = (size_t)gzip_size(in, len);
	do {
		unsigned type;

		last = (int)getbits(&s, 1);
		type = getbits(&s, 2);
		if (overrun(&s))
			return -3;
		if (type == 0)
			r = stored(&s);
		else if (type == 1)
			r = fixed(&s);
		else if (type == 2)
			r = dynamic(&s);
		else
			r = -2;
		if (!r && overrun(&s))
			r = -3;
		if (r)
			return r;
	} while (!last);
	/* the trailer follows the last block's last byte: nothing between */
	if (s.pos - (s.nbits / 8 - s.pad) != s.len)
		return -2;
	if (s.o != s.cap)
		return -4;
	if (crc32_of(out, s.o) != le32(in + len - 8))
		return -5;
	return (long long)s.o;
}

const char *gzip_strerror(long long r)
{
	switch (r) {
	case -1: return "not a gzip file";
	case -2: return "corrupt compressed data";
	case -3: return "compressed data cut short";
	case -4: return "size differs from the one recorded";
	case -5: return "CRC-32 mismatch";
	}
	return "unknown error";
}
