/* luks.c - LUKS1 and LUKS2 headers (see luks.h) */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "aes.h"
#include "argon2.h"
#include "bytes.h"
#include "hash.h"
#include "luks.h"

static const uint8_t magic1[6] = { 'L', 'U', 'K', 'S', 0xba, 0xbe };

#define ERR(e, ...) (snprintf(err, errlen, __VA_ARGS__), (e))

/* A fixed-size field of the binary header as a C string: printable bytes
 * only, up to the first NUL. */
static int field(char *out, size_t size, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && p[i]; i++)
		if (p[i] < ' ' || p[i] > '~' || i + 1 >= size)
			return -EINVAL;
	memcpy(out, p, i);
	out[i] = '\0';
	return 0;
}

const char *luks_kdf_name(enum luks_kdf kdf)
{
	return kdf == LUKS_PBKDF2 ? "pbkdf2" : kdf == LUKS_ARGON2I ? "argon2i" : "argon2id";
}

/* hdr_size: 16 KiB to 4 MiB, a power of two (cryptsetup's rule). */
static int luks2_size_ok(uint64_t n)
{
	return n >= 16384 && n <= LUKS2_HDR_MAX && !(n & (n - 1));
}

int luks_hdr_size(const uint8_t *buf, size_t len)
{
	uint64_t n;

	if (len < 8 || memcmp(buf, magic1, 6))
		return -ENOENT;
	switch (be16(buf + 6)) {
	case 1:
		return LUKS1_HDR_SIZE;
	case 2:
		if (len < 16)
			return -EINVAL;
		n = be64(buf + 8);
		return luks2_size_ok(n) ? (int)n : -EINVAL;
	default:
		return -EINVAL;
	}
}

/* ---- LUKS1 ---------------------------------------------------------------- */

#define LUKS1_ACTIVE	0x00ac71f3u
#define LUKS1_INACTIVE	0x0000deadu
#define LUKS1_SLOTS	8

static int parse1(const uint8_t *b, size_t len, struct luks_hdr *h, char *err, size_t errlen)
{
	char name[32], mode[32];
	unsigned i;

	if (len < LUKS1_HDR_SIZE)
		return ERR(-EINVAL, "LUKS1 header cut short: %zu of %d bytes", len, LUKS1_HDR_SIZE);
	if (field(name, sizeof(name), b + 8, 32) || field(mode, sizeof(mode), b + 40, 32) ||
	    field(h->digest_hash, sizeof(h->digest_hash), b + 72, 32) ||
	    field(h->uuid, sizeof(h->uuid), b + 168, 40))
		return ERR(-EINVAL, "LUKS1 header: a text field is not text");
	if (!name[0] || !mode[0] || !h->digest_hash[0])
		return ERR(-EINVAL, "LUKS1 header: no cipher or hash");
	if (snprintf(h->cipher, sizeof(h->cipher), "%s-%s", name, mode) >= (int)sizeof(h->cipher))
		return ERR(-EINVAL, "LUKS1 header: cipher %s-%s too long", name, mode);
	h->key_size = be32(b + 108);
	if (h->key_size == 0 || h->key_size > LUKS_KEY_MAX)
		return ERR(-EOPNOTSUPP, "LUKS1 header: a %u-byte volume key (at most %d)",
			   h->key_size, LUKS_KEY_MAX);
	h->offset = (uint64_t)be32(b + 104) * 512;
	h->sector_size = 512;
	memcpy(h->digest, b + 112, 20);
	h->digest_len = 20;
	memcpy(h->digest_salt, b + 132, 32);
	h->digest_salt_len = 32;
	h->digest_iterations = be32(b + 164);
	if (!h->digest_iterations)
		return ERR(-EINVAL, "LUKS1 header: the volume key digest has 0 iterations");
	for (i = 0; i < LUKS1_SLOTS; i++) {
		const uint8_t *k = b + 208 + 48 * i;
		struct luks_keyslot *s = &h->slot[h->nslots];
		uint32_t active = be32(k);
		uint64_t bytes;

		if (active == LUKS1_INACTIVE)
			continue;
		if (active != LUKS1_ACTIVE)
			return ERR(-EINVAL, "LUKS1 keyslot %u: state %#x is neither active nor "
				   "inactive", i, active);
		s->id = i;
		s->kdf = LUKS_PBKDF2;
		strcpy(s->hash, h->digest_hash);
		strcpy(s->af_hash, h->digest_hash);
		strcpy(s->cipher, h->cipher);
		s->iterations = be32(k + 4);
		memcpy(s->salt, k + 8, 32);
		s->salt_len = 32;
		s->area_offset = (uint64_t)be32(k + 40) * 512;
		s->stripes = be32(k + 44);
		s->key_size = s->area_key_size = h->key_size;
		s->priority = 1;
		if (!s->iterations || !s->stripes || s->stripes > 1u << 20)
			return ERR(-EINVAL, "LUKS1 keyslot %u: %u iterations, %u stripes", i,
				   s->iterations, s->stripes);
		bytes = (uint64_t)s->stripes * h->key_size;
		s->area_size = (bytes + 511) / 512 * 512;
		if (s->area_offset < LUKS1_HDR_SIZE || (h->offset && s->area_offset + s->area_size > h->offset))
			return ERR(-EINVAL, "LUKS1 keyslot %u: key material at byte %llu overlaps "
				   "the header or the data", i, (unsigned long long)s->area_offset);
		h->nslots++;
	}
	return 0;
}

/* ---- JSON (LUKS2's metadata) ---------------------------------------------
 * A strict tokenizer: every value becomes a token with its extent and the
 * index of the token after it, so that objects are walked without
 * recursion when they are read.  Strings keep their escapes: the names and
 * values LUKS2 uses have none, and one that has them matches nothing. */

enum { J_OBJ, J_ARR, J_STR, J_NUM, J_LIT };
#define J_DEPTH 16

struct jtok {
	uint8_t type;
	uint32_t start, end;	/* J_STR: inside the quotes */
	uint32_t next;		/* the token after this value and its members */
};

struct json {
	const char *s;
	size_t len, pos;
	struct jtok *t;
	unsigned n, max;
};

static void ws(struct json *j)
{
	while (j->pos < j->len && strchr(" \t\r\n", j->s[j->pos]) && j->s[j->pos])
		j->pos++;
}

static int newtok(struct json *j, int type)
{
	if (j->n == j->max)
		return -E2BIG;
	j->t[j->n].type = (uint8_t)type;
	j->t[j->n].start = (uint32_t)j->pos;
	return (int)j->n++;
}

static int jstring(struct json *j)
{
	int k;

	if (j->pos >= j->len || j->s[j->pos] != '"')
		return -EINVAL;
	j->pos++;
	if ((k = newtok(j, J_STR)) < 0)
		return k;
	while (j->pos < j->len && j->s[j->pos] != '"') {
		unsigned char c = (unsigned char)j->s[j->pos];

		if (c < ' ')
			return -EINVAL;
		if (c == '\\') {
			if (++j->pos >= j->len || !strchr("\"\\/bfnrtu", j->s[j->pos]) || !j->s[j->pos])
				return -EINVAL;
		}
		j->pos++;
	}
	if (j->pos >= j->len)
		return -EINVAL;
	j->t[k].end = (uint32_t)j->pos++;
	j->t[k].next = j->n;
	return k;
}

static int jvalue(struct json *j, int depth)
{
	int k, r;
	char c, close;

	ws(j);
	if (j->pos >= j->len)
		return -EINVAL;
	c = j->s[j->pos];
	if (c == '"')
		return jstring(j);
	if (c == '{' || c == '[') {
		if (depth >= J_DEPTH)
			return -EINVAL;
		close = c == '{' ? '}' : ']';
		if ((k = newtok(j, c == '{' ? J_OBJ : J_ARR)) < 0)
			return k;
		j->pos++;
		ws(j);
		if (j->pos < j->len && j->s[j->pos] == close) {
			j->pos++;
		} else {
			for (;;) {
				if (c == '{') {
					ws(j);
					if ((r = jstring(j)) < 0)
						return r;
					ws(j);
					if (j->pos >= j->len || j->s[j->pos] != ':')
						return -EINVAL;
					j->pos++;
				}
				if ((r = jvalue(j, depth + 1)) < 0)
					return r;
				ws(j);
				if (j->pos >= j->len)
					return -EINVAL;
				if (j->s[j->pos] == close) {
					j->pos++;
					break;
				}
				if (j->s[j->pos++] != ',')
					return -EINVAL;
			}
		}
		j->t[k].end = (uint32_t)j->pos;
		j->t[k].next = j->n;
		return k;
	}
	if ((k = newtok(j, c == '-' || (c >= '0' && c <= '9') ? J_NUM : J_LIT)) < 0)
		return k;
	if (j->t[k].type == J_NUM) {
		if (c == '-')
			j->pos++;
		if (j->pos >= j->len || j->s[j->pos] < '0' || j->s[j->pos] > '9')
			return -EINVAL;
		while (j->pos < j->len && ((j->s[j->pos] >= '0' && j->s[j->pos] <= '9') ||
					   strchr(".eE+-", j->s[j->pos])) && j->s[j->pos])
			j->pos++;
	} else {
		static const char *const lits[] = { "true", "false", "null" };
		size_t i, n;

		for (i = 0; i < 3; i++) {
			n = strlen(lits[i]);
			if (j->len - j->pos >= n && !memcmp(j->s + j->pos, lits[i], n))
				break;
		}
		if (i == 3)
			return -EINVAL;
		j->pos += n;
	}
	j->t[k].end = (uint32_t)j->pos;
	j->t[k].next = j->n;
	return k;
}

static int jeq(const struct json *j, int k, const char *str)
{
	size_t n = strlen(str);

	return k >= 0 && j->t[k].type == J_STR && j->t[k].end - j->t[k].start == n &&
	       !memcmp(j->s + j->t[k].start, str, n);
}

/* The value of member @key of object @obj, or -1. */
static int jget(const struct json *j, int obj, const char *key)
{
	unsigned i;

	if (obj < 0 || j->t[obj].type != J_OBJ)
		return -1;
	for (i = (unsigned)obj + 1; i < j->t[obj].next; i = j->t[i + 1].next)
		if (jeq(j, (int)i, key))
			return (int)i + 1;
	return -1;
}

/* The members of an object or array: iterate with k = jfirst(), k = jnext(). */
static int jfirst(const struct json *j, int c)
{
	unsigned i = (unsigned)c + 1;

	if (c < 0 || (j->t[c].type != J_OBJ && j->t[c].type != J_ARR) || i >= j->t[c].next)
		return -1;
	return (int)i;
}

static int jnext(const struct json *j, int c, int k)
{
	unsigned i = j->t[c].type == J_OBJ ? j->t[k + 1].next : j->t[k].next;

	return i < j->t[c].next ? (int)i : -1;
}

/* A string token copied out (no escapes allowed). */
static int jstr(const struct json *j, int k, char *out, size_t size)
{
	size_t n;

	if (k < 0 || j->t[k].type != J_STR)
		return -EINVAL;
	n = j->t[k].end - j->t[k].start;
	if (n >= size || memchr(j->s + j->t[k].start, '\\', n))
		return -EINVAL;
	memcpy(out, j->s + j->t[k].start, n);
	out[n] = '\0';
	return 0;
}

/* An unsigned integer: a JSON number, or a string of digits (LUKS2 writes
 * 64-bit values as strings). */
static int ju64(const struct json *j, int k, uint64_t *v)
{
	uint32_t i, end;

	if (k < 0 || (j->t[k].type != J_NUM && j->t[k].type != J_STR))
		return -EINVAL;
	i = j->t[k].start;
	end = j->t[k].end;
	if (i == end)
		return -EINVAL;
	for (*v = 0; i < end; i++) {
		unsigned d = (unsigned char)j->s[i] - '0';

		if (d > 9 || *v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		*v = *v * 10 + d;
	}
	return 0;
}

static int ju32(const struct json *j, int k, uint32_t *v)
{
	uint64_t w;

	if (ju64(j, k, &w) || w > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)w;
	return 0;
}

/* Base64 (RFC 4648, with padding) of a string token into @out. */
static int jb64(const struct json *j, int k, uint8_t *out, size_t size, size_t *outlen)
{
	uint32_t acc = 0, i;
	unsigned bits = 0, pad = 0;
	size_t n = 0;

	if (k < 0 || j->t[k].type != J_STR)
		return -EINVAL;
	for (i = j->t[k].start; i < j->t[k].end; i++) {
		char c = j->s[i];
		int v;

		if (c == '=') {
			pad++;
			continue;
		}
		if (pad)
			return -EINVAL;	/* data after the padding */
		v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 :
		    c >= '0' && c <= '9' ? c - '0' + 52 : c == '+' ? 62 : c == '/' ? 63 : -1;
		if (v < 0)
			return -EINVAL;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == size)
				return -EINVAL;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	if (pad > 2 || (j->t[k].end - j->t[k].start) % 4)
		return -EINVAL;
	*outlen = n;
	return 0;
}

/* Does array @arr hold the string @id? */
static int jhas(const struct json *j, int arr, const char *id)
{
	int k;

	if (arr < 0 || j->t[arr].type != J_ARR)
		return 0;
	for (k = jfirst(j, arr); k >= 0; k = jnext(j, arr, k))
		if (jeq(j, k, id))
			return 1;
	return 0;
}

/* ---- LUKS2 ----------------------------------------------------------------- */

/* Does array @arr hold keyslot number @id (as a string)? */
static int jhas_id(const struct json *j, int arr, unsigned id)
{
	char s[12];

	snprintf(s, sizeof(s), "%u", id);
	return jhas(j, arr, s);
}

/* An object member's number: "0".."31" for keyslots, any for the rest. */
static int jid(const struct json *j, int k, unsigned max, unsigned *id)
{
	uint32_t v;

	if (ju32(j, k, &v) || j->t[k].type != J_STR || v > max)
		return -EINVAL;
	*id = v;
	return 0;
}

static int slot2(const struct json *j, int key, int ks, struct luks_hdr *h, char *err,
		 size_t errlen)
{
	struct luks_keyslot *s = &h->slot[h->nslots];
	char type[16];
	int kdf, af, area, p;
	uint64_t prio;

	if (jid(j, key, LUKS_SLOTS_MAX - 1, &s->id))
		return ERR(-EINVAL, "LUKS2 keyslot names are 0-%d", LUKS_SLOTS_MAX - 1);
	if (jstr(j, jget(j, ks, "type"), type, sizeof(type)))
		return ERR(-EINVAL, "LUKS2 keyslot %u: no type", s->id);
	if (!strcmp(type, "reencrypt"))
		return ERR(-EOPNOTSUPP, "LUKS2 keyslot %u: a reencryption is in progress; "
			   "finish it with cryptsetup reencrypt before booting from it", s->id);
	if (strcmp(type, "luks2"))
		return ERR(-EOPNOTSUPP, "LUKS2 keyslot %u: type %s is not supported", s->id, type);
	kdf = jget(j, ks, "kdf");
	af = jget(j, ks, "af");
	area = jget(j, ks, "area");
	if (ju32(j, jget(j, ks, "key_size"), &s->key_size) || !s->key_size ||
	    s->key_size > LUKS_KEY_MAX)
		return ERR(-EINVAL, "LUKS2 keyslot %u: no key_size of 1-%d bytes", s->id, LUKS_KEY_MAX);
	/* kdf */
	if (jstr(j, jget(j, kdf, "type"), type, sizeof(type)))
		return ERR(-EINVAL, "LUKS2 keyslot %u: no kdf type", s->id);
	if (!strcmp(type, "pbkdf2")) {
		s->kdf = LUKS_PBKDF2;
		if (jstr(j, jget(j, kdf, "hash"), s->hash, sizeof(s->hash)) ||
		    ju32(j, jget(j, kdf, "iterations"), &s->iterations) || !s->iterations)
			return ERR(-EINVAL, "LUKS2 keyslot %u: pbkdf2 needs hash and iterations", s->id);
	} else if (!strcmp(type, "argon2i") || !strcmp(type, "argon2id")) {
		s->kdf = strcmp(type, "argon2id") ? LUKS_ARGON2I : LUKS_ARGON2ID;
		if (ju32(j, jget(j, kdf, "time"), &s->iterations) || !s->iterations ||
		    ju32(j, jget(j, kdf, "memory"), &s->memory_kib) || s->memory_kib < 8 ||
		    ju32(j, jget(j, kdf, "cpus"), &s->cpus) || !s->cpus || s->cpus > 16777215 ||
		    s->memory_kib < 8 * s->cpus)
			return ERR(-EINVAL, "LUKS2 keyslot %u: %s needs time, memory and cpus", s->id, type);
	} else {
		return ERR(-EOPNOTSUPP, "LUKS2 keyslot %u: key derivation %s is not supported",
			   s->id, type);
	}
	if (jb64(j, jget(j, kdf, "salt"), s->salt, sizeof(s->salt), &s->salt_len) || !s->salt_len)
		return ERR(-EINVAL, "LUKS2 keyslot %u: no salt", s->id);
	/* af */
	if (!jeq(j, jget(j, af, "type"), "luks1"))
		return ERR(-EOPNOTSUPP, "LUKS2 keyslot %u: only the luks1 anti-forensic split "
			   "is supported", s->id);
	if (ju32(j, jget(j, af, "stripes"), &s->stripes) || !s->stripes || s->stripes > 1u << 20 ||
	    jstr(j, jget(j, af, "hash"), s->af_hash, sizeof(s->af_hash)))
		return ERR(-EINVAL, "LUKS2 keyslot %u: af needs stripes and hash", s->id);
	/* area */
	if (!jeq(j, jget(j, area, "type"), "raw"))
		return ERR(-EOPNOTSUPP, "LUKS2 keyslot %u: only raw key-material areas are "
			   "supported", s->id);
	if (ju64(j, jget(j, area, "offset"), &s->area_offset) ||
	    ju64(j, jget(j, area, "size"), &s->area_size) ||
	    jstr(j, jget(j, area, "encryption"), s->cipher, sizeof(s->cipher)) ||
	    ju32(j, jget(j, area, "key_size"), &s->area_key_size) || !s->area_key_size ||
	    s->area_key_size > LUKS_KEY_MAX)
		return ERR(-EINVAL, "LUKS2 keyslot %u: area needs offset, size, encryption "
			   "and key_size", s->id);
	if ((uint64_t)s->stripes * s->key_size > s->area_size || s->area_offset % 512 ||
	    s->area_offset > UINT64_MAX - s->area_size)
		return ERR(-EINVAL, "LUKS2 keyslot %u: %u stripes of %u bytes do not fit its "
			   "%llu-byte area", s->id, s->stripes, s->key_size,
			   (unsigned long long)s->area_size);
	s->priority = 1;
	if ((p = jget(j, ks, "priority")) >= 0) {
		if (ju64(j, p, &prio) || prio > 2)
			return ERR(-EINVAL, "LUKS2 keyslot %u: priority is 0, 1 or 2", s->id);
		s->priority = (int)prio;
	}
	return 0;
}

static int parse2(const uint8_t *b, size_t len, struct luks_hdr *h, char *err, size_t errlen)
{
	static struct jtok toks[LUKS_JSON_TOKENS];
	struct json j = { 0 };
	uint64_t hsize = be64(b + 8);
	int root, ksl, segs, seg, digs, dig = -1, toksobj, cfg, req, k, r;
	unsigned used = 0, tokslots = 0, i;
	char type[32], tokname[32] = "";

	if (!luks2_size_ok(hsize) || hsize > len)
		return ERR(-EINVAL, "LUKS2 header: size %llu (have %zu bytes)",
			   (unsigned long long)hsize, len);
	if (be64(b + 256) != 0)
		return ERR(-EINVAL, "LUKS2 header: this copy says it is at byte %llu, not 0",
			   (unsigned long long)be64(b + 256));
	if (field(h->label, sizeof(h->label), b + 24, 48) || field(h->uuid, sizeof(h->uuid), b + 168, 40))
		return ERR(-EINVAL, "LUKS2 header: a text field is not text");
	/* The JSON area: the text, then NULs to its end. */
	j.s = (const char *)b + LUKS2_HDR_BIN;
	j.len = strnlen(j.s, hsize - LUKS2_HDR_BIN);
	j.t = toks;
	j.max = LUKS_JSON_TOKENS;
	r = jvalue(&j, 0);
	if (r == -E2BIG)
		return ERR(-EINVAL, "LUKS2 metadata: more than %d JSON values", LUKS_JSON_TOKENS);
	ws(&j);
	if (r < 0 || j.pos != j.len || j.t[0].type != J_OBJ)
		return ERR(-EINVAL, "LUKS2 metadata: not valid JSON (at byte %zu)", j.pos);
	root = 0;
	ksl = jget(&j, root, "keyslots");
	segs = jget(&j, root, "segments");
	digs = jget(&j, root, "digests");
	toksobj = jget(&j, root, "tokens");
	cfg = jget(&j, root, "config");
	if (ksl < 0 || segs < 0 || digs < 0 || cfg < 0 || j.t[ksl].type != J_OBJ ||
	    j.t[segs].type != J_OBJ || j.t[digs].type != J_OBJ)
		return ERR(-EINVAL, "LUKS2 metadata: keyslots, segments, digests or config missing");
	req = jget(&j, jget(&j, cfg, "requirements"), "mandatory");
	if (jfirst(&j, req) >= 0) {
		if (jstr(&j, jfirst(&j, req), type, sizeof(type)))
			strcpy(type, "?");
		return ERR(-EOPNOTSUPP, "LUKS2 metadata: requirement \"%s\" is not supported", type);
	}
	/* the one data segment */
	seg = jfirst(&j, segs);
	if (seg < 0)
		return ERR(-EINVAL, "LUKS2 metadata: no data segment");
	if (jnext(&j, segs, seg) >= 0)
		return ERR(-EOPNOTSUPP, "LUKS2 metadata: several data segments (a reencryption "
			   "in progress?)");
	seg++;
	if (!jeq(&j, jget(&j, seg, "type"), "crypt"))
		return ERR(-EOPNOTSUPP, "LUKS2 segment 0: only crypt segments are supported");
	if (jget(&j, seg, "integrity") >= 0)
		return ERR(-EOPNOTSUPP, "LUKS2 segment 0: authenticated encryption (dm-integrity) "
			   "is not supported");
	if (ju64(&j, jget(&j, seg, "offset"), &h->offset) ||
	    ju64(&j, jget(&j, seg, "iv_tweak"), &h->iv_tweak) ||
	    jstr(&j, jget(&j, seg, "encryption"), h->cipher, sizeof(h->cipher)) ||
	    ju32(&j, jget(&j, seg, "sector_size"), &h->sector_size))
		return ERR(-EINVAL, "LUKS2 segment 0: needs offset, iv_tweak, encryption and "
			   "sector_size");
	if (h->sector_size < 512 || h->sector_size > 4096 || (h->sector_size & (h->sector_size - 1)) ||
	    h->offset % 512)
		return ERR(-EINVAL, "LUKS2 segment 0: sector size %u, offset %llu", h->sector_size,
			   (unsigned long long)h->offset);
	if (!jeq(&j, jget(&j, seg, "size"), "dynamic") &&
	    (ju64(&j, jget(&j, seg, "size"), &h->size) || !h->size || h->size % h->sector_size))
		return ERR(-EINVAL, "LUKS2 segment 0: size is \"dynamic\" or a number of bytes");
	/* the digest of segment 0's key */
	for (k = jfirst(&j, digs); k >= 0; k = jnext(&j, digs, k))
		if (jhas(&j, jget(&j, k + 1, "segments"), "0")) {
			dig = k + 1;
			break;
		}
	if (dig < 0)
		return ERR(-EINVAL, "LUKS2 metadata: no digest for segment 0");
	if (!jeq(&j, jget(&j, dig, "type"), "pbkdf2"))
		return ERR(-EOPNOTSUPP, "LUKS2 digest: only pbkdf2 digests are supported");
	if (jstr(&j, jget(&j, dig, "hash"), h->digest_hash, sizeof(h->digest_hash)) ||
	    ju32(&j, jget(&j, dig, "iterations"), &h->digest_iterations) || !h->digest_iterations ||
	    jb64(&j, jget(&j, dig, "salt"), h->digest_salt, sizeof(h->digest_salt),
		 &h->digest_salt_len) || !h->digest_salt_len ||
	    jb64(&j, jget(&j, dig, "digest"), h->digest, sizeof(h->digest), &h->digest_len) ||
	    !h->digest_len)
		return ERR(-EINVAL, "LUKS2 digest: needs hash, iterations, salt and digest");
	/* keyslots that a token holds the key of need that token */
	for (k = jfirst(&j, toksobj); k >= 0; k = jnext(&j, toksobj, k)) {
		int sl = jget(&j, k + 1, "keyslots"), e;

		if (!tokname[0] && jstr(&j, jget(&j, k + 1, "type"), tokname, sizeof(tokname)))
			strcpy(tokname, "?");
		for (e = jfirst(&j, sl); e >= 0; e = jnext(&j, sl, e))
			if (!jid(&j, e, LUKS_SLOTS_MAX - 1, &i))
				tokslots |= 1u << i;
	}
	for (k = jfirst(&j, ksl); k >= 0; k = jnext(&j, ksl, k)) {
		if ((r = slot2(&j, k, k + 1, h, err, errlen)))
			return r;
		i = h->slot[h->nslots].id;
		if (used & 1u << i)
			return ERR(-EINVAL, "LUKS2 keyslot %u: named twice", i);
		used |= 1u << i;
		if (tokslots & 1u << i || !jhas_id(&j, jget(&j, dig, "keyslots"), i)) {
			memset(&h->slot[h->nslots], 0, sizeof(h->slot[0]));
			continue;	/* a token's, or not for segment 0's key */
		}
		if (h->key_size && h->slot[h->nslots].key_size != h->key_size)
			return ERR(-EINVAL, "LUKS2 keyslot %u: a %u-byte key, another keyslot's "
				   "%u", i, h->slot[h->nslots].key_size, h->key_size);
		h->key_size = h->slot[h->nslots].key_size;
		h->nslots++;
	}
	if (!h->nslots && tokslots)
		return ERR(-EOPNOTSUPP, "LUKS2: every keyslot is held by a token (%s); tokens "
			   "(TPM2, FIDO2, PKCS#11) are not supported: add a passphrase with "
			   "cryptsetup luksAddKey", tokname);
	if (!h->nslots)
		return ERR(-EINVAL, "LUKS2: no keyslot opens the data segment");
	return 0;
}

/* Stable order: priority 2, then 1, then 0; by number within. */
static void sort_slots(struct luks_hdr *h)
{
	unsigned i, k;

	for (i = 1; i < h->nslots; i++)
		for (k = i; k > 0 && h->slot[k - 1].priority < h->slot[k].priority; k--) {
			struct luks_keyslot t = h->slot[k];

			h->slot[k] = h->slot[k - 1];
			h->slot[k - 1] = t;
		}
}

int luks_parse(const uint8_t *buf, size_t len, struct luks_hdr *h, char *err, size_t errlen)
{
	int r = luks_hdr_size(buf, len);

	memset(h, 0, sizeof(*h));
	if (errlen)
		err[0] = '\0';
	if (r == -ENOENT)
		return r;
	if (r < 0)
		return ERR(-EINVAL, "LUKS header: version %u or its size is not valid",
			   len >= 8 ? be16(buf + 6) : 0);
	h->version = be16(buf + 6);
	r = h->version == 1 ? parse1(buf, len, h, err, errlen) : parse2(buf, len, h, err, errlen);
	if (r) {
		memset(h, 0, sizeof(*h));
		return r;
	}
	sort_slots(h);
	return 0;
}

/* ---- unlocking ------------------------------------------------------------ */

/* AF's diffusion: each digest-sized piece of @d becomes H(be32(i) || piece),
 * the last, shorter piece too, truncated. */
static void diffuse(const struct hash_alg *alg, uint8_t *d, size_t size)
{
	uint8_t h[HASH_MAX_OUT], be[4];
	size_t i, off, n;
	struct hash_ctx c;

	for (i = 0, off = 0; off < size; i++, off += n) {
		n = size - off < alg->out ? size - off : alg->out;
		be[0] = (uint8_t)(i >> 24); be[1] = (uint8_t)(i >> 16);
		be[2] = (uint8_t)(i >> 8); be[3] = (uint8_t)i;
		hash_init(&c, alg);
		hash_update(&c, be, 4);
		hash_update(&c, d + off, n);
		hash_final(&c, h);
		memcpy(d + off, h, n);
	}
	hash_wipe(&c, sizeof(c));
	hash_wipe(h, sizeof(h));
}

int luks_af_merge(const char *hash, const uint8_t *split, size_t size, uint32_t stripes,
		  uint8_t *out)
{
	const struct hash_alg *alg = hash_find(hash);
	uint32_t i;
	size_t k;

	if (!alg)
		return -EOPNOTSUPP;
	memset(out, 0, size);
	for (i = 0; i < stripes; i++) {
		for (k = 0; k < size; k++)
			out[k] ^= split[(size_t)i * size + k];
		if (i + 1 < stripes)
			diffuse(alg, out, size);
	}
	return 0;
}

size_t luks_kdf_mem(const struct luks_keyslot *s)
{
	return s->kdf == LUKS_PBKDF2 ? 0 : argon2_mem_bytes(s->memory_kib, s->cpus);
}

int luks_unlock(const struct luks_hdr *h, const struct luks_keyslot *s, const void *pass,
		size_t passlen, uint8_t *area, void *mem, uint8_t *key, char *err, size_t errlen)
{
	const struct hash_alg *kdfh = NULL, *dh = hash_find(h->digest_hash);
	uint8_t akey[LUKS_KEY_MAX], d[LUKS_DIGEST_MAX];
	size_t need = (size_t)s->stripes * s->key_size;
	int r;

	if (errlen)
		err[0] = '\0';
	if (s->kdf == LUKS_PBKDF2 && !(kdfh = hash_find(s->hash)))
		return ERR(-EOPNOTSUPP, "keyslot %u: hash %s is not supported", s->id, s->hash);
	if (!dh || !hash_find(s->af_hash))
		return ERR(-EOPNOTSUPP, "keyslot %u: hash %s is not supported", s->id,
			   dh ? s->af_hash : h->digest_hash);
	if (h->digest_len > dh->out)
		return ERR(-EINVAL, "the volume key digest is longer than %s gives", h->digest_hash);
	if (s->kdf == LUKS_PBKDF2)
		pbkdf2(kdfh, pass, passlen, s->salt, s->salt_len, s->iterations, akey, s->area_key_size);
	else if (argon2(s->kdf == LUKS_ARGON2I ? ARGON2_I : ARGON2_ID, pass, passlen, s->salt,
			s->salt_len, s->iterations, s->memory_kib, s->cpus, mem, akey,
			s->area_key_size))
		return ERR(-EINVAL, "keyslot %u: argon2 parameters refused", s->id);
	r = aes_sector_decrypt(s->cipher, akey, s->area_key_size, 0, area,
			       (need + 511) / 512 * 512);
	hash_wipe(akey, sizeof(akey));
	if (r == -EOPNOTSUPP)
		return ERR(r, "keyslot %u: cipher %s is not supported (aes-xts-plain64, "
			   "aes-cbc-essiv:sha256, aes-cbc-plain64 are)", s->id, s->cipher);
	if (r)
		return ERR(r, "keyslot %u: a %u-byte key does not fit cipher %s", s->id,
			   s->area_key_size, s->cipher);
	luks_af_merge(s->af_hash, area, s->key_size, s->stripes, key);
	hash_wipe(area, need);
	pbkdf2(dh, key, s->key_size, h->digest_salt, h->digest_salt_len, h->digest_iterations,
	       d, h->digest_len);
	if (memcmp(d, h->digest, h->digest_len)) {
		hash_wipe(key, s->key_size);
		return -EPERM;
	}
	return 0;
}
