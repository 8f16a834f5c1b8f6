/* lvm.c - LVM2 labels, metadata areas, metadata text and device-mapper
 * tables (pure: no syscalls)
 *
 * The on-disk layout follows LVM2's lib/label/label.h and
 * lib/format_text/layout.h (all little-endian):
 *   label_header  (in one of sectors 0-3)  "LABELONE", u64 sector, u32 crc
 *                 of bytes 20-511 of the sector, u32 offset of the
 *                 pv_header, "LVM2 001"
 *   pv_header     uuid[32], u64 device size, then {u64 offset, u64 size}
 *                 lists of data areas and of metadata areas, each ended by
 *                 an entry whose offset is 0
 *   mda_header    u32 crc of bytes 4-511, magic[16], u32 version (1),
 *                 u64 start, u64 size, raw_locn[] {u64 offset, u64 size,
 *                 u32 checksum, u32 flags}: slot 0 is the committed text
 * The text is what libdm's config parser reads (libdm/libdm-config.c):
 * sections "name { ... }", values "key = value", arrays "[ a, b ]", strings
 * in double quotes (\" and \\ escaped) or single quotes, '#' comments. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bytes.h"
#include "lvm.h"

/* ---- CRC ------------------------------------------------------------- */

/* The nibble-at-a-time table: 64 bytes instead of 1 KiB; the text is read
 * once per boot. */
uint32_t lvm_crc(uint32_t crc, const void *buf, size_t len)
{
	static const uint32_t tab[16] = {
		0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
		0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
		0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
		0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c
	};
	const uint8_t *p = buf;

	while (len--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ tab[crc & 15];
		crc = (crc >> 4) ^ tab[crc & 15];
	}
	return crc;
}

/* ---- ids and names ------------------------------------------------------ */

static int id_char(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '!' || c == '#';
}

/* The next character of an id, dashes skipped (0 at its end). */
static int id_next(const char **s)
{
	while (**s == '-')
		(*s)++;
	return **s ? *(*s)++ : 0;
}

/* An id of lvm's: 32 id characters, with dashes anywhere (lvm writes
 * 6-4-4-4-4-4-6). */
static int id_valid(const char *s)
{
	int n = 0, c;

	while ((c = id_next(&s)) && id_char(c))
		n++;
	return !c && n == LVM_ID_LEN;
}

static int id_equal(const char *a, const char *b)
{
	int c;

	do {
		c = id_next(&a);
		if (c != id_next(&b))
			return 0;
	} while (c);
	return 1;
}

/* lvm's rule for VG and LV names (lib/misc/lvm-string.c). */
static int name_valid(const char *n)
{
	size_t i;

	if (!*n || *n == '-' || !strcmp(n, ".") || !strcmp(n, ".."))
		return 0;
	for (i = 0; n[i]; i++)
		if (!strchr("._-+", n[i]) && (!id_char(n[i]) || n[i] == '!' || n[i] == '#'))
			return 0;
	return i < LVM_DM_NAME_MAX;
}

/* ---- label ------------------------------------------------------------ */

int lvm_label_parse(const uint8_t *buf, size_t len, struct lvm_label *l)
{
	int r = -ENOENT;
	unsigned s, i;

	for (s = 0; s < 4 && (s + 1) * LVM_SECTOR <= len; s++) {
		const uint8_t *lh = buf + s * LVM_SECTOR, *end = lh + LVM_SECTOR, *d;
		uint32_t off;

		if (memcmp(lh, "LABELONE", 8))
			continue;
		/* lvm skips a label with a wrong sector number or checksum */
		if (le64(lh + 8) != s || le32(lh + 16) != lvm_crc(LVM_CRC_INIT, lh + 20,
								  LVM_SECTOR - 20)) {
			r = -EINVAL;
			continue;
		}
		if (memcmp(lh + 24, "LVM2 001", 8))
			continue;
		off = le32(lh + 20);
		if (off < 32 || off > LVM_SECTOR - 40)
			return -EINVAL;
		d = lh + off;
		memset(l, 0, sizeof(*l));
		memcpy(l->pv_uuid, d, LVM_ID_LEN);
		if (strlen(l->pv_uuid) != LVM_ID_LEN || !id_valid(l->pv_uuid))
			return -EINVAL;
		l->sector = s;
		l->dev_size = le64(d + 32);
		/* the data areas, then the metadata areas */
		d += 40;
		for (i = 0; i < 2; i++) {
			for (; d + 16 <= end && le64(d); d += 16) {
				if (!i && !l->pe_start_hint)
					l->pe_start_hint = le64(d);
				if (i && l->n_mda < 2) {
					l->mda_offset[l->n_mda] = le64(d);
					l->mda_size[l->n_mda++] = le64(d + 8);
				}
			}
			if (d + 16 > end)
				return -EINVAL;		/* a list with no end */
			d += 16;
		}
		return 0;
	}
	return r;
}

/* ---- metadata area header ------------------------------------------------ */

#define RAW_LOCN_IGNORED 1

int lvm_mda_parse(const uint8_t *h, size_t len, uint64_t mda_offset,
		  uint64_t mda_size, struct lvm_text_loc *loc)
{
	uint64_t size, off, n;

	if (len < LVM_MDA_HEADER ||
	    le32(h) != lvm_crc(LVM_CRC_INIT, h + 4, LVM_MDA_HEADER - 4) ||
	    memcmp(h + 4, " LVM2 x[5A%r0N*>", 16) || le32(h + 20) != 1 ||
	    le64(h + 24) != mda_offset)
		return -EINVAL;
	size = le64(h + 32);
	off = le64(h + 40);
	n = le64(h + 48);
	if (size < LVM_MDA_HEADER || size > mda_size)
		return -EINVAL;
	if ((!off && !n) || (le32(h + 60) & RAW_LOCN_IGNORED))
		return -ENOENT;
	/* the text starts after the header and wraps round to just after it:
	 * at most the whole area but the header (lvm checks the same) */
	if (off < LVM_MDA_HEADER || off >= size || !n ||
	    n > size - LVM_MDA_HEADER || n > LVM_TEXT_MAX)
		return -EINVAL;
	loc->crc = le32(h + 56);
	loc->off[0] = off;
	loc->off[1] = LVM_MDA_HEADER;
	loc->n = 1;
	loc->len[1] = 0;
	if (n > size - off) {
		loc->len[1] = n - (size - off);
		loc->n = 2;
		n = size - off;
	}
	loc->len[0] = n;
	return 0;
}

/* ---- the text: a tree of nodes ---------------------------------------------- */

enum { K_SECT, K_ARRAY, K_STR, K_INT, K_OTHER };

/* A section, a key with its value (scalars inline, an array's elements as
 * children), or an array element (no key).  Indices, not pointers: the
 * array grows with realloc. */
struct node {
	const char *key;
	const char *str;
	uint64_t num;
	int kind;
	int child, next;
};

struct parser {
	const char *p, *end;		/* the text still to read */
	char *out, *out_end;		/* where strings are copied */
	struct node *n;
	int nn, cap;
	unsigned line;
	char *err;
	size_t errlen;
	char what[320];			/* what the messages are about */
	/* what is built from the tree */
	struct lvm_vg *vg;
	unsigned segcap, areacap;
	int *slot;			/* the segment nodes of one LV */
	unsigned slotcap;
};

#define DEPTH_MAX 16	/* lvm's text has 5 levels; unknown sections a few more */

/* The message, after "WHAT: " when there is a subject. */
static int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	size_t n = 0;

	if (ps->errlen) {
		if (*ps->what)
			n = (size_t)snprintf(ps->err, ps->errlen, "%s: ", ps->what);
		if (n < ps->errlen) {
			va_start(ap, fmt);
			vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
			va_end(ap);
		}
	}
	return -EINVAL;
}

/* What the next messages are about: "segment2 of vg0/root". */
static void about(struct parser *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ps->what, sizeof(ps->what), fmt, ap);
	va_end(ap);
}

/* Make room for one more element of a growing array. */
static int grow(void **arr, unsigned *cap, unsigned n, size_t size)
{
	void *a;
	unsigned c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 16;
	a = realloc(*arr, c * size);
	if (!a)
		return -ENOMEM;
	*arr = a;
	*cap = c;
	return 0;
}

static int new_node(struct parser *ps, int parent, int *last, const char *key)
{
	struct node *n;
	unsigned cap = (unsigned)ps->cap;

	if (grow((void **)&ps->n, &cap, (unsigned)ps->nn, sizeof(*ps->n)))
		return -ENOMEM;
	ps->cap = (int)cap;
	n = &ps->n[ps->nn];
	memset(n, 0, sizeof(*n));
	n->key = key;
	n->child = n->next = -1;
	if (*last >= 0)
		ps->n[*last].next = ps->nn;
	else if (parent >= 0)
		ps->n[parent].child = ps->nn;
	*last = ps->nn;
	return ps->nn++;
}

static void skip_space(struct parser *ps)
{
	while (ps->p < ps->end) {
		char c = *ps->p;

		if (c == '#') {
			while (ps->p < ps->end && *ps->p != '\n')
				ps->p++;
		} else if (c == '\n') {
			ps->line++;
			ps->p++;
		} else if (c == ' ' || (c >= '\t' && c <= '\r')) {
			ps->p++;
		} else {
			break;
		}
	}
}

static int is_delim(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || strchr("#={}[],\"'", c);
}

/* A word: a name, a bare value or a number, up to a delimiter. */
static const char *word(struct parser *ps)
{
	const char *s = ps->p;
	char *o = ps->out;

	while (ps->p < ps->end && !is_delim(*ps->p))
		ps->p++;
	if (ps->p == s || ps->p - s >= ps->out_end - o)
		return NULL;
	memcpy(o, s, (size_t)(ps->p - s));
	o[ps->p - s] = '\0';
	ps->out = o + (ps->p - s) + 1;
	return o;
}

/* The value at ps->p into node @i: a quoted string or a word. */
static int scalar(struct parser *ps, int i, const char *key)
{
	struct node *n = &ps->n[i];
	char q = ps->p < ps->end ? *ps->p : 0;
	const char *s;
	char *o = ps->out;
	uint64_t v = 0;

	n->kind = K_STR;
	n->str = o;
	if (q == '"' || q == '\'') {
		for (ps->p++; ps->p < ps->end && *ps->p != q; ps->p++) {
			/* libdm keeps a backslash before anything but \ and " */
			if (q == '"' && *ps->p == '\\' && ps->p + 1 < ps->end &&
			    (ps->p[1] == '"' || ps->p[1] == '\\'))
				ps->p++;
			if (*ps->p == '\n')
				ps->line++;
			*o++ = *ps->p;
		}
		if (ps->p == ps->end)
			return fail(ps, "metadata line %u: the string of '%s' does not end",
				    ps->line, key);
		ps->p++;
		*o++ = '\0';
		ps->out = o;
		return 0;
	}
	if (!(s = word(ps)))
		return fail(ps, "metadata line %u: '%s' has no value", ps->line, key);
	if (*s == '+' || *s == '-' || *s == '.' || (*s >= '0' && *s <= '9')) {
		/* a number: only what lvm writes (decimal, not negative) is one */
		n->kind = K_OTHER;
		s += *s == '+';
		do {
			if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
				return 0;
			v = v * 10 + (uint64_t)(*s - '0');
		} while (*++s);
		n->kind = K_INT;
		n->num = v;
	}
	return 0;
}

/* The contents of a section (or of the whole text, @depth 0) up to its
 * closing brace. */
static int section(struct parser *ps, int parent, int depth)
{
	int last = -1, i, r, elast;
	const char *key;

	for (;;) {
		skip_space(ps);
		if (ps->p == ps->end || *ps->p == '}') {
			if ((ps->p == ps->end) != !depth)
				return fail(ps, "metadata line %u: %s", ps->line,
					    depth ? "a section does not end"
						  : "a '}' closes no section");
			if (depth)
				ps->p++;
			return 0;
		}
		if (!(key = word(ps)))
			return fail(ps, "metadata line %u: a name was expected", ps->line);
		if ((i = new_node(ps, parent, &last, key)) < 0)
			return i;
		skip_space(ps);
		if (ps->p < ps->end && *ps->p == '{') {
			ps->p++;
			if (depth == DEPTH_MAX)
				return fail(ps, "metadata line %u: sections nest deeper than %d",
					    ps->line, DEPTH_MAX);
			ps->n[i].kind = K_SECT;
			if ((r = section(ps, i, depth + 1)))
				return r;
			continue;
		}
		if (ps->p == ps->end || *ps->p != '=')
			return fail(ps, "metadata line %u: '=' or '{' was expected after '%s'",
				    ps->line, key);
		ps->p++;
		skip_space(ps);
		if (ps->p == ps->end || *ps->p != '[') {
			if ((r = scalar(ps, i, key)))
				return r;
			continue;
		}
		ps->p++;
		ps->n[i].kind = K_ARRAY;
		elast = -1;
		for (;;) {
			skip_space(ps);
			if (ps->p < ps->end && *ps->p == ']') {
				ps->p++;
				break;
			}
			if ((r = new_node(ps, i, &elast, NULL)) < 0 || (r = scalar(ps, r, key)))
				return r;
			skip_space(ps);
			if (ps->p < ps->end && *ps->p == ',')
				ps->p++;
		}
	}
}

/* ---- from the tree to the volume group ----------------------------------- */

/* The child of @sect called @key (the last one, as in libdm), or NULL. */
static const struct node *get(const struct parser *ps, int sect, const char *key)
{
	const struct node *found = NULL;
	int i;

	for (i = ps->n[sect].child; i >= 0; i = ps->n[i].next)
		if (ps->n[i].key && !strcmp(ps->n[i].key, key))
			found = &ps->n[i];
	return found;
}

/* A number @key of @sect, at least @min, at most @max. */
static int get_num(struct parser *ps, int sect, const char *key,
		   uint64_t min, uint64_t max, uint64_t *v)
{
	const struct node *n = get(ps, sect, key);

	if (!n)
		return fail(ps, "no %s", key);
	if (n->kind != K_INT || n->num < min || n->num > max)
		return fail(ps, "%s is not a number from %llu to %llu", key,
			    (unsigned long long)min, (unsigned long long)max);
	*v = n->num;
	return 0;
}

static const char *get_str(const struct parser *ps, int sect, const char *key)
{
	const struct node *n = get(ps, sect, key);

	return n && n->kind == K_STR ? n->str : NULL;
}

static int get_id(struct parser *ps, int sect, const char **id)
{
	*id = get_str(ps, sect, "id");
	if (!*id || !id_valid(*id))
		return fail(ps, "no valid id");
	return 0;
}

/* The words of "status" and "flags" that matter here. */
static unsigned get_flags(const struct parser *ps, int sect)
{
	static const char *const names[] = {
		"READ", "WRITE", "VISIBLE", "ACTIVATION_SKIP", "EXPORTED", "MISSING",
		"NOAUTOACTIVATE"
	};
	static const char *const keys[] = { "status", "flags" };
	const struct node *a;
	unsigned f = 0, k, j;
	int i;

	for (k = 0; k < 2; k++) {
		if (!(a = get(ps, sect, keys[k])) || a->kind != K_ARRAY)
			continue;
		for (i = a->child; i >= 0; i = ps->n[i].next)
			for (j = 0; j < sizeof(names) / sizeof(names[0]); j++)
				if (ps->n[i].kind == K_STR && !strcmp(ps->n[i].str, names[j]))
					f |= 1u << j;
	}
	return f;
}

static unsigned count_sections(const struct parser *ps, const struct node *parent)
{
	unsigned c = 0;
	int i;

	for (i = parent ? parent->child : -1; i >= 0; i = ps->n[i].next)
		c += ps->n[i].kind == K_SECT;
	return c;
}

/* Offsets and sizes in sectors stay under 2^62: far beyond any device, and
 * no sum of two of them overflows. */
#define SECTORS_MAX (1ull << 62)
#define U32_MAX 0xffffffffull
#define STRIPES_MAX 128		/* lvm's MAX_STRIPES */

static int parse_pv(struct parser *ps, int i, struct lvm_pv *pv)
{
	const struct lvm_vg *vg = ps->vg;
	int r;

	pv->name = ps->n[i].key;
	about(ps, "%s of %s", pv->name, vg->name);
	if ((r = get_id(ps, i, &pv->id)) ||
	    (r = get_num(ps, i, "pe_start", 0, SECTORS_MAX, &pv->pe_start)) ||
	    (r = get_num(ps, i, "pe_count", 0, U32_MAX, &pv->pe_count)))
		return r;
	if (pv->pe_count * vg->extent_size > SECTORS_MAX - pv->pe_start)
		return fail(ps, "its extents end past 2^62 sectors");
	pv->device = get_str(ps, i, "device");
	pv->flags = get_flags(ps, i);
	return 0;
}

/* The index of the PV a segment names, or -1: lvm calls them pv0, pv1... */
static int pv_index(const struct lvm_vg *vg, const char *name)
{
	unsigned k;

	if (!strncmp(name, "pv", 2)) {
		k = (unsigned)atoi(name + 2);
		if (k < vg->npv && !strcmp(vg->pv[k].name, name))
			return (int)k;
	}
	for (k = 0; k < vg->npv; k++)
		if (!strcmp(vg->pv[k].name, name))
			return (int)k;
	return -1;
}

static int parse_stripes(struct parser *ps, int i, struct lvm_seg *sg)
{
	struct lvm_vg *vg = ps->vg;
	const struct node *a = get(ps, i, "stripes");
	uint64_t v, per;
	unsigned n = 0, k;
	int e, r;

	if ((r = get_num(ps, i, "stripe_count", 1, STRIPES_MAX, &v)))
		return r;
	sg->stripe_count = (unsigned)v;
	if (v > 1 && (r = get_num(ps, i, "stripe_size", 1, U32_MAX, &sg->stripe_size)))
		return r;
	if (sg->extent_count % v)
		return fail(ps, "%llu extents do not divide into %u stripes",
			    (unsigned long long)sg->extent_count, sg->stripe_count);
	per = sg->extent_count / v;
	if (!a || a->kind != K_ARRAY)
		return fail(ps, "no stripes list");
	for (e = a->child; e >= 0; e = ps->n[e].next)
		n++;
	if (n != 2 * v)
		return fail(ps, "stripes lists %u entries, stripe_count says %u", n / 2, sg->stripe_count);
	for (e = a->child, k = 0; k < n / 2; k++, e = ps->n[ps->n[e].next].next) {
		const struct node *nm = &ps->n[e], *pe = &ps->n[nm->next];
		struct lvm_area *ar;

		if (grow((void **)&vg->areas, &ps->areacap, vg->nareas, sizeof(*vg->areas)))
			return -ENOMEM;
		ar = &vg->areas[vg->nareas++];
		if (nm->kind != K_STR || pe->kind != K_INT)
			return fail(ps, "stripe %u is not a name and an extent", k);
		ar->name = nm->str;
		ar->pe = pe->num;
		ar->pv = pv_index(vg, nm->str);
		if (ar->pv >= 0 && (ar->pe > U32_MAX ||
				    ar->pe + per > vg->pv[ar->pv].pe_count))
			return fail(ps, "stripe %u, extents %llu-%llu, ends past %s (%llu extents)",
				    k, (unsigned long long)ar->pe,
				    (unsigned long long)(ar->pe + per - 1), nm->str,
				    (unsigned long long)vg->pv[ar->pv].pe_count);
	}
	return 0;
}

static int parse_seg(struct parser *ps, const char *lvname, unsigned k, int i,
		     uint64_t *next)
{
	struct lvm_vg *vg = ps->vg;
	struct lvm_seg *sg = &vg->segs[vg->nsegs - 1];
	int r;

	about(ps, "segment%u of %s/%s", k + 1, vg->name, lvname);
	if ((r = get_num(ps, i, "start_extent", 0, U32_MAX, &sg->start_extent)) ||
	    (r = get_num(ps, i, "extent_count", 1, U32_MAX, &sg->extent_count)))
		return r;
	if (sg->start_extent != *next)
		return fail(ps, "starts at extent %llu, not %llu",
			    (unsigned long long)sg->start_extent, (unsigned long long)*next);
	*next += sg->extent_count;
	if (*next > U32_MAX)
		return fail(ps, "ends past extent 2^32");
	if (!(sg->type = get_str(ps, i, "type")))
		return fail(ps, "no type");
	if (strcmp(sg->type, "striped") && strcmp(sg->type, "linear"))
		return 0;	/* kept by name: lvm_lv_table() refuses it */
	return parse_stripes(ps, i, sg);
}

/* Where segment node @key ("segmentN") goes: N - 1, or -1. */
static int seg_slot(const char *key, uint64_t count)
{
	uint64_t v = 0;

	if (strncmp(key, "segment", 7) || key[7] < '1' || key[7] > '9')
		return -1;
	for (key += 7; *key >= '0' && *key <= '9' && v <= count; key++)
		v = v * 10 + (uint64_t)(*key - '0');
	return *key || v > count ? -1 : (int)(v - 1);
}

static int parse_lv(struct parser *ps, int i, struct lvm_lv *lv)
{
	struct lvm_vg *vg = ps->vg;
	uint64_t count, next = 0;
	unsigned k, children = 0;
	int c, s, r;

	lv->name = ps->n[i].key;
	about(ps, "%s/%s", vg->name, lv->name);
	if (!name_valid(lv->name))
		return fail(ps, "not a valid LV name");
	if ((r = get_id(ps, i, &lv->id)))
		return r;
	lv->flags = get_flags(ps, i);
	for (c = ps->n[i].child; c >= 0; c = ps->n[c].next)
		children++;
	if ((r = get_num(ps, i, "segment_count", 1, children, &count)))
		return r;
	if (ps->slotcap < count) {
		int *sl = realloc(ps->slot, (size_t)count * sizeof(int));

		if (!sl)
			return -ENOMEM;
		ps->slot = sl;
		ps->slotcap = (unsigned)count;
	}
	for (k = 0; k < count; k++)
		ps->slot[k] = -1;
	for (c = ps->n[i].child; c >= 0; c = ps->n[c].next) {
		if (ps->n[c].kind != K_SECT || (s = seg_slot(ps->n[c].key, count)) < 0)
			continue;
		if (ps->slot[s] >= 0)
			return fail(ps, "two segment%d sections", s + 1);
		ps->slot[s] = c;
	}
	lv->nseg = (unsigned)count;
	for (k = 0; k < count; k++)
		if (ps->slot[k] < 0)
			return fail(ps, "segment_count is %llu, but there is no segment%u",
				    (unsigned long long)count, k + 1);
	for (k = 0; k < count; k++) {
		if (grow((void **)&vg->segs, &ps->segcap, vg->nsegs, sizeof(*vg->segs)))
			return -ENOMEM;
		memset(&vg->segs[vg->nsegs++], 0, sizeof(*vg->segs));
		if ((r = parse_seg(ps, lv->name, k, ps->slot[k], &next)))
			return r;
	}
	return 0;
}

static int parse_vg(struct parser *ps)
{
	struct lvm_vg *vg = ps->vg;
	const struct node *pvs, *lvs;
	const char *s;
	unsigned k;
	int i = -1, c, r;
	uint64_t v;

	s = get_str(ps, 0, "contents");
	if (!s || strcmp(s, "Text Format Volume Group") ||
	    get_num(ps, 0, "version", 1, 1, &v))
		return fail(ps, "not LVM2 text metadata of version 1");
	for (c = ps->n[0].child; c >= 0; c = ps->n[c].next)
		if (ps->n[c].kind == K_SECT) {
			if (i >= 0)
				return fail(ps, "metadata: two volume groups, %s and %s",
					    ps->n[i].key, ps->n[c].key);
			i = c;
		}
	if (i < 0)
		return fail(ps, "metadata: no volume group");
	vg->name = ps->n[i].key;
	about(ps, "%s", vg->name);
	if (!name_valid(vg->name))
		return fail(ps, "not a valid VG name");
	if ((r = get_id(ps, i, &vg->id)) ||
	    (r = get_num(ps, i, "seqno", 0, UINT64_MAX, &vg->seqno)) ||
	    (r = get_num(ps, i, "extent_size", 1, U32_MAX, &vg->extent_size)))
		return r;
	vg->flags = get_flags(ps, i);

	pvs = get(ps, i, "physical_volumes");
	lvs = get(ps, i, "logical_volumes");
	vg->npv = count_sections(ps, pvs);
	vg->nlv = count_sections(ps, lvs);
	if (!vg->npv)
		return fail(ps, "no physical_volumes");
	vg->pv = calloc(vg->npv, sizeof(*vg->pv));
	vg->lv = calloc(vg->nlv ? vg->nlv : 1, sizeof(*vg->lv));
	if (!vg->pv || !vg->lv)
		return -ENOMEM;
	for (k = 0, c = pvs->child; c >= 0; c = ps->n[c].next)
		if (ps->n[c].kind == K_SECT && (r = parse_pv(ps, c, &vg->pv[k++])))
			return r;
	for (k = 0, c = lvs ? lvs->child : -1; c >= 0; c = ps->n[c].next)
		if (ps->n[c].kind == K_SECT && (r = parse_lv(ps, c, &vg->lv[k++])))
			return r;
	/* the arrays are in place: point each LV at its segments, each
	 * segment at its stripes */
	{
		struct lvm_seg *sg = vg->segs;
		struct lvm_area *ar = vg->areas;

		for (k = 0; k < vg->nlv; k++) {
			vg->lv[k].seg = sg;
			sg += vg->lv[k].nseg;
		}
		for (k = 0; k < vg->nsegs; k++)
			if (vg->segs[k].stripe_count) {
				vg->segs[k].stripes = ar;
				ar += vg->segs[k].stripe_count;
			}
	}
	return 0;
}

int lvm_meta_parse(const char *text, size_t len, struct lvm_vg **vgp,
		   char *err, size_t errlen)
{
	struct parser ps;
	const char *nul;
	int r, last = -1;

	*vgp = NULL;
	if (errlen)
		*err = '\0';
	memset(&ps, 0, sizeof(ps));
	ps.err = err;
	ps.errlen = errlen;
	if ((nul = memchr(text, '\0', len)))
		len = (size_t)(nul - text);
	if (len > LVM_TEXT_MAX)
		return fail(&ps, "metadata: %lu bytes, more than %u", (unsigned long)len,
			    LVM_TEXT_MAX);
	ps.p = text;
	ps.end = text + len;
	ps.line = 1;
	ps.vg = calloc(1, sizeof(*ps.vg));
	/* each string takes at most the bytes of its token and one more */
	ps.out = malloc(len + 1);
	if (!ps.vg || !ps.out) {
		free(ps.out);
		free(ps.vg);
		return -ENOMEM;
	}
	ps.vg->strings = ps.out;
	ps.out_end = ps.out + len + 1;
	r = new_node(&ps, -1, &last, "");
	if (r >= 0) {
		ps.n[0].kind = K_SECT;
		r = section(&ps, 0, 0);
	}
	if (!r)
		r = parse_vg(&ps);
	free(ps.n);
	free(ps.slot);
	if (r) {
		lvm_vg_free(ps.vg);
		if (r == -ENOMEM && errlen)
			snprintf(err, errlen, "metadata: out of memory");
		return r;
	}
	*vgp = ps.vg;
	return 0;
}

void lvm_vg_free(struct lvm_vg *vg)
{
	if (!vg)
		return;
	free(vg->pv);
	free(vg->lv);
	free(vg->segs);
	free(vg->areas);
	free(vg->strings);
	free(vg);
}

const struct lvm_lv *lvm_find_lv(const struct lvm_vg *vg, const char *name)
{
	unsigned k;

	for (k = 0; k < vg->nlv; k++)
		if (!strcmp(vg->lv[k].name, name))
			return &vg->lv[k];
	return NULL;
}

int lvm_find_pv(const struct lvm_vg *vg, const char *uuid)
{
	unsigned k;

	for (k = 0; k < vg->npv; k++)
		if (id_equal(vg->pv[k].id, uuid))
			return (int)k;
	return -ENOENT;
}

int lvm_lv_default_active(const struct lvm_lv *lv)
{
	return (lv->flags & (LVM_VISIBLE | LVM_ACTIVATION_SKIP)) == LVM_VISIBLE;
}

/* ---- device-mapper --------------------------------------------------------- */

#define NUM_MAX 21	/* a 64-bit number in decimal, and a space */

int lvm_lv_table(const struct lvm_vg *vg, const struct lvm_lv *lv,
		 const char *const *pv_dev, struct lvm_target **tp, size_t *nt,
		 char *err, size_t errlen)
{
	struct parser ps;
	struct lvm_target *t;
	size_t size = 0, k;
	unsigned s;
	char *o;

	*tp = NULL;
	*nt = 0;
	ps.err = err;
	ps.errlen = errlen;
	about(&ps, "%s/%s", vg->name, lv->name);
	if (vg->flags & LVM_EXPORTED)
		return fail(&ps, "%s is exported to another system (vgimport it there "
			    "first)", vg->name);
	/* check every segment, and size the parameters */
	for (k = 0; k < lv->nseg; k++) {
		const struct lvm_seg *sg = &lv->seg[k];

		if (!sg->stripe_count)
			return fail(&ps, "segment type '%s' is not supported "
				    "(linear and striped are)", sg->type);
		size += 2 * NUM_MAX;
		for (s = 0; s < sg->stripe_count; s++) {
			const struct lvm_area *a = &sg->stripes[s];
			const struct lvm_pv *pv;

			if (a->pv < 0)
				return fail(&ps, "segment%u is on '%s', which is no "
					    "physical volume (stacked LVs are not supported)",
					    (unsigned)k + 1, a->name);
			pv = &vg->pv[a->pv];
			if (!pv_dev[a->pv] || (pv->flags & LVM_MISSING))
				return fail(&ps, "needs physical volume %s (%s, last "
					    "seen as %s), which %s", pv->id, pv->name,
					    pv->device ? pv->device : "?", pv_dev[a->pv] ?
					    "lvm has marked missing" : "was not found");
			size += strlen(pv_dev[a->pv]) + 1 + NUM_MAX;
		}
	}
	t = malloc(lv->nseg * sizeof(*t) + size);
	if (!t)
		return -ENOMEM;
	o = (char *)(t + lv->nseg);
	for (k = 0; k < lv->nseg; k++) {
		const struct lvm_seg *sg = &lv->seg[k];

		t[k].start = sg->start_extent * vg->extent_size;
		t[k].len = sg->extent_count * vg->extent_size;
		t[k].params = o;
		if (sg->stripe_count == 1) {
			t[k].type = "linear";
		} else {
			t[k].type = "striped";
			o += sprintf(o, "%u %llu ", sg->stripe_count,
				     (unsigned long long)sg->stripe_size);
		}
		for (s = 0; s < sg->stripe_count; s++) {
			const struct lvm_area *a = &sg->stripes[s];

			o += sprintf(o, "%s %llu ", pv_dev[a->pv], (unsigned long long)
				     (vg->pv[a->pv].pe_start + a->pe * vg->extent_size));
		}
		o[-1] = '\0';
	}
	*tp = t;
	*nt = lv->nseg;
	return 0;
}

void lvm_targets_free(struct lvm_target *t)
{
	free(t);
}

/* Append @s to @o with each '-' doubled; NULL if it does not fit @end. */
static char *dm_escape(char *o, const char *end, const char *s)
{
	for (; *s; s++) {
		if (end - o <= 1 + (*s == '-'))	/* and the NUL */
			return NULL;
		if (*s == '-')
			*o++ = '-';
		*o++ = *s;
	}
	return o;
}

int lvm_dm_name(const char *vg, const char *lv, char *buf, size_t len)
{
	const char *end = buf + (len < LVM_DM_NAME_MAX ? len : LVM_DM_NAME_MAX);
	char *o;

	if (!(o = dm_escape(buf, end, vg)) || end - o < 2)
		return -ENAMETOOLONG;
	*o++ = '-';
	if (!(o = dm_escape(o, end, lv)))
		return -ENAMETOOLONG;
	*o = '\0';
	return 0;
}

/* Copy one part of a dm name, "--" back to "-", up to a single '-' or the
 * end; returns where it stopped, or NULL if it does not fit. */
static const char *dm_unescape(const char *s, char *o, size_t len)
{
	size_t n = 0;

	for (; *s && (*s != '-' || s[1] == '-'); s += 1 + (*s == '-')) {
		if (n + 1 >= len)
			return NULL;
		o[n++] = *s;
	}
	if (!len)
		return NULL;
	o[n] = '\0';
	return s;
}

int lvm_split_dm_name(const char *name, char *vg, size_t vglen,
		      char *lv, size_t lvlen)
{
	const char *s = dm_unescape(name, vg, vglen);

	if (!s)
		return -ENAMETOOLONG;
	if (*s != '-' || !*vg)
		return -EINVAL;
	if (!(s = dm_unescape(s + 1, lv, lvlen)))
		return -ENAMETOOLONG;
	return *s || !*lv ? -EINVAL : 0;
}

/* Append @id without its dashes. */
static char *id_copy(char *o, const char *id)
{
	int c;

	while ((c = id_next(&id)))
		*o++ = (char)c;
	return o;
}

int lvm_dm_uuid(const struct lvm_vg *vg, const struct lvm_lv *lv, char *buf, size_t len)
{
	char *o;

	if (len < LVM_DM_UUID_MAX)
		return -ENAMETOOLONG;
	memcpy(buf, "LVM-", 4);
	o = id_copy(buf + 4, vg->id);
	*id_copy(o, lv->id) = '\0';
	return 0;
}
