/* test_lvm.c - LVM2 labels, metadata and device-mapper tables, against
 * physical volumes made by the real lvm (tests/unit/fixtures/lvm/make.sh)
 * and what lvm itself reports about them (NAME.expect); plus damaged
 * labels, headers and texts, and hand-written metadata for each error. */
#include "unit.h"
#include <errno.h>
#include <zlib.h>
#include "lvm.h"

#define FIX "tests/unit/fixtures/lvm/"

/* ---- fixtures ---------------------------------------------------------- */

/* A whole file, NUL-terminated; gzip'd ones are inflated.  The buffer is
 * exactly as long as the data (and the NUL) for ASan. */
static uint8_t *load(const char *name, size_t *len)
{
	char path[256];
	uint8_t *buf = NULL, *b;
	size_t n = 0;
	gzFile f;
	int r;

	snprintf(path, sizeof(path), FIX "%s", name);
	f = gzopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (run from the top of the tree)", path);
	for (;;) {
		buf = realloc(buf, n + 65536);
		assert_non_null(buf);
		r = gzread(f, buf + n, 65536);
		assert_true(r >= 0);
		if (!r)
			break;
		n += (size_t)r;
	}
	gzclose(f);
	b = malloc(n + 1);
	assert_non_null(b);
	memcpy(b, buf, n);
	b[n] = '\0';
	free(buf);
	*len = n;
	return b;
}

struct exp_pv { char uuid[64]; uint64_t pe_start, pe_count; };
struct exp_lv { char name[128], uuid[64], dm_path[300]; int active; };
struct exp_seg {
	char lv[128], type[32], ranges[256];
	uint64_t start, size, stripe_size;
	unsigned stripes;
};

struct expect {
	char vg[128], vg_uuid[64];
	uint64_t extent_size, seqno;
	struct exp_pv pv[4];
	struct exp_lv lv[16];
	struct exp_seg seg[16];
	unsigned npv, nlv, nseg;
	uint64_t wrap_off, wrap_size, wrap_mda;	/* wrap_size 0: no wrap */
};

static void read_expect(const char *name, struct expect *e)
{
	char path[256], line[1024];
	FILE *f;

	memset(e, 0, sizeof(*e));
	snprintf(path, sizeof(path), FIX "%s.expect", name);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b, c;
		unsigned k;
		int at = 0;

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "vg %127s %63s %llu %llu", e->vg, e->vg_uuid, &a, &b) == 4) {
			e->extent_size = a;
			e->seqno = b;
		} else if (sscanf(line, "pv %u", &k) == 1) {
			assert_int_equal(k, e->npv);
			assert_int_equal(sscanf(line, "pv %*u %63s %llu %llu", e->pv[k].uuid, &a, &b), 3);
			e->pv[k].pe_start = a;
			e->pv[k].pe_count = b;
			e->npv++;
		} else if (!strncmp(line, "lv ", 3)) {
			struct exp_lv *l = &e->lv[e->nlv++];

			assert_int_equal(sscanf(line, "lv %127s %63s %299s %d", l->name, l->uuid,
						l->dm_path, &l->active), 4);
		} else if (!strncmp(line, "seg ", 4)) {
			struct exp_seg *s = &e->seg[e->nseg++];

			assert_int_equal(sscanf(line, "seg %127s %llu %llu %31s %u %llu %n", s->lv,
						&a, &b, s->type, &s->stripes, &c, &at), 6);
			s->start = a;
			s->size = b;
			s->stripe_size = c;
			snprintf(s->ranges, sizeof(s->ranges), "%s", line + at);
		} else if (sscanf(line, "wrap %llu %llu %llu", &a, &b, &c) == 3) {
			e->wrap_off = a;
			e->wrap_size = b;
			e->wrap_mda = c;
		}
	}
	fclose(f);
	assert_true(e->npv > 0 && e->nlv > 0);
}

/* @id without dashes */
static void undash(char *out, const char *id)
{
	for (; *id; id++)
		if (*id != '-')
			*out++ = *id;
	*out = '\0';
}

/* The metadata text of PV @img as /init would read it: label, metadata
 * area header, the one or two pieces, their checksum. */
static char *read_text(const uint8_t *img, size_t len, struct lvm_label *l,
		       struct lvm_text_loc *loc, size_t *tlen)
{
	char *t;
	size_t n = 0;
	unsigned i;

	assert_int_equal(lvm_label_parse(img, LVM_LABEL_SCAN, l), 0);
	assert_int_equal(l->n_mda, 1);
	assert_true(l->mda_offset[0] + l->mda_size[0] <= len);
	assert_int_equal(lvm_mda_parse(img + l->mda_offset[0], LVM_MDA_HEADER,
				       l->mda_offset[0], l->mda_size[0], loc), 0);
	t = malloc(loc->len[0] + loc->len[1]);
	assert_non_null(t);
	for (i = 0; i < loc->n; i++) {
		assert_true(loc->off[i] + loc->len[i] <= l->mda_size[0]);
		memcpy(t + n, img + l->mda_offset[0] + loc->off[i], loc->len[i]);
		n += loc->len[i];
	}
	assert_int_equal(lvm_crc(LVM_CRC_INIT, t, n), loc->crc);
	*tlen = n;
	return t;
}

/* The table of every LV, against the segments lvs reports. */
static void check_tables(const struct lvm_vg *vg, const struct expect *e,
			 const char *const *dev, const int *pvk)
{
	unsigned i, j;

	for (i = 0; i < e->nlv; i++) {
		const struct exp_lv *x = &e->lv[i];
		const struct lvm_lv *lv = lvm_find_lv(vg, x->name);
		struct lvm_target *t;
		size_t nt = 0, k = 0;
		char err[256];
		int supported = 1, r;

		assert_non_null(lv);
		for (j = 0; j < e->nseg; j++)
			if (!strcmp(e->seg[j].lv, x->name))
				supported &= !strcmp(e->seg[j].type, "linear") ||
					     !strcmp(e->seg[j].type, "striped");
		r = lvm_lv_table(vg, lv, dev, &t, &nt, err, sizeof(err));
		if (!supported) {
			char want[256];

			assert_int_equal(r, -EINVAL);
			snprintf(want, sizeof(want), "%s/%s: segment type '%s' is not supported "
				 "(linear and striped are)", e->vg, x->name, lv->seg[0].type);
			assert_string_equal(err, want);
			continue;
		}
		assert_int_equal(r, 0);
		/* lvs lists segments in order */
		for (j = 0; j < e->nseg; j++) {
			const struct exp_seg *s = &e->seg[j];
			char want[512], *o = want, rng[256], *tok, *sv;

			if (strcmp(s->lv, x->name))
				continue;
			assert_true(k < nt);
			assert_int_equal(t[k].start, s->start * e->extent_size);
			assert_int_equal(t[k].len, s->size * e->extent_size);
			assert_string_equal(t[k].type, s->stripes > 1 ? "striped" : "linear");
			if (s->stripes > 1)
				o += sprintf(o, "%u %llu ", s->stripes, (unsigned long long)s->stripe_size);
			snprintf(rng, sizeof(rng), "%s", s->ranges);
			for (tok = strtok_r(rng, " ", &sv); tok; tok = strtok_r(NULL, " ", &sv)) {
				unsigned pk;
				unsigned long long first, last;

				assert_int_equal(sscanf(tok, "pv%u:%llu-%llu", &pk, &first, &last), 3);
				assert_int_equal(last - first + 1, s->size / s->stripes);
				o += sprintf(o, "%s %llu ", dev[pvk[pk]], (unsigned long long)
					     (e->pv[pk].pe_start + first * e->extent_size));
			}
			o[-1] = '\0';
			assert_string_equal(t[k].params, want);
			k++;
		}
		assert_int_equal(k, nt);
		lvm_targets_free(t);
	}
}

/* Everything about one fixture; returns the parsed VG when @keep. */
static void check_fixture(const char *name)
{
	static const char *const devname[] = { "254:0", "254:16", "8:3", "259:1" };
	struct expect e;
	struct lvm_vg *vg = NULL;
	const char *dev[4] = { NULL };
	int pvk[4];
	char err[256];
	unsigned k, i;

	read_expect(name, &e);
	for (k = 0; k < e.npv; k++) {
		struct lvm_label l;
		struct lvm_text_loc loc;
		char file[64], want[64];
		size_t len, tlen, flen;
		uint8_t *img, *ftext;
		char *text;
		struct lvm_vg *v;
		int idx;

		snprintf(file, sizeof(file), "%s.pv%u.gz", name, k);
		img = load(file, &len);
		text = read_text(img, len, &l, &loc, &tlen);
		undash(want, e.pv[k].uuid);
		assert_string_equal(l.pv_uuid, want);
		assert_int_equal(l.sector, 1);
		assert_int_equal(l.pe_start_hint, e.pv[k].pe_start * 512);
		assert_int_equal(len, l.pe_start_hint);
		if (k == 0) {
			/* the text make.sh cut out of the same area */
			snprintf(file, sizeof(file), "%s.txt", name);
			ftext = load(file, &flen);
			assert_int_equal(flen, tlen);
			assert_memory_equal(ftext, text, tlen);
			free(ftext);
			if (e.wrap_size) {
				assert_int_equal(loc.n, 2);
				assert_true(e.wrap_off + e.wrap_size > e.wrap_mda);
				assert_int_equal(loc.off[0], e.wrap_off);
				assert_int_equal(loc.len[0], e.wrap_mda - e.wrap_off);
				assert_int_equal(loc.off[1], LVM_MDA_HEADER);
				assert_int_equal(loc.len[0] + loc.len[1], e.wrap_size);
			} else {
				assert_int_equal(loc.n, 1);
			}
		}
		/* every PV holds the same metadata */
		if (lvm_meta_parse(text, tlen, &v, err, sizeof(err)))
			fail_msg("%s pv%u: %s", name, k, err);
		if (!vg) {
			vg = v;
		} else {
			assert_int_equal(v->seqno, vg->seqno);
			lvm_vg_free(v);
		}
		idx = lvm_find_pv(vg, l.pv_uuid);
		assert_true(idx >= 0 && (unsigned)idx < vg->npv);
		assert_int_equal(lvm_find_pv(vg, e.pv[k].uuid), idx);
		assert_int_equal(vg->pv[idx].pe_start, e.pv[k].pe_start);
		assert_int_equal(vg->pv[idx].pe_count, e.pv[k].pe_count);
		pvk[k] = idx;
		dev[idx] = devname[k];
		free(text);
		free(img);
	}
	assert_string_equal(vg->name, e.vg);
	assert_string_equal(vg->id, e.vg_uuid);
	assert_int_equal(vg->extent_size, e.extent_size);
	assert_int_equal(vg->seqno, e.seqno);
	assert_int_equal(vg->npv, e.npv);
	assert_int_equal(vg->nlv, e.nlv);
	for (i = 0; i < e.nlv; i++) {
		const struct exp_lv *x = &e.lv[i];
		const struct lvm_lv *lv = lvm_find_lv(vg, x->name);
		char dm[LVM_DM_NAME_MAX], uuid[LVM_DM_UUID_MAX], want[LVM_DM_UUID_MAX];
		char svg[LVM_DM_NAME_MAX], slv[LVM_DM_NAME_MAX];

		assert_non_null(lv);
		assert_string_equal(lv->id, x->uuid);
		assert_int_equal(lvm_lv_default_active(lv), x->active);
		assert_int_equal(lvm_dm_name(vg->name, lv->name, dm, sizeof(dm)), 0);
		assert_string_equal(dm, x->dm_path + strlen("/dev/mapper/"));
		assert_int_equal(lvm_split_dm_name(dm, svg, sizeof(svg), slv, sizeof(slv)), 0);
		assert_string_equal(svg, vg->name);
		assert_string_equal(slv, lv->name);
		assert_int_equal(lvm_dm_uuid(vg, lv, uuid, sizeof(uuid)), 0);
		strcpy(want, "LVM-");
		undash(want + 4, e.vg_uuid);
		undash(want + strlen(want), x->uuid);
		assert_string_equal(uuid, want);
		assert_int_equal(strlen(uuid), LVM_DM_UUID_MAX - 1);
	}
	check_tables(vg, &e, dev, pvk);
	lvm_vg_free(vg);
}

static void test_linear(void **state) { (void)state; check_fixture("linear"); }
static void test_span(void **state) { (void)state; check_fixture("span"); }
static void test_striped(void **state) { (void)state; check_fixture("striped"); }
static void test_dashes(void **state) { (void)state; check_fixture("dashes"); }
static void test_types(void **state) { (void)state; check_fixture("types"); }
static void test_wrap(void **state) { (void)state; check_fixture("wrap"); }

/* ---- damaged labels and headers -------------------------------------------- */

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void fix_label_crc(uint8_t *sec)
{
	put_le32(sec + 16, lvm_crc(LVM_CRC_INIT, sec + 20, 512 - 20));
}

static void fix_mda_crc(uint8_t *h)
{
	put_le32(h, lvm_crc(LVM_CRC_INIT, h + 4, 512 - 4));
}

static void test_label_damage(void **state)
{
	struct lvm_label l;
	size_t len, n;
	uint8_t *img = load("linear.pv0.gz", &len), *b;

	(void)state;
	assert_int_equal(lvm_label_parse(img, LVM_LABEL_SCAN, &l), 0);
	/* the CRC covers bytes 20-511 of the sector */
	img[512 + 100] ^= 1;
	assert_int_equal(lvm_label_parse(img, LVM_LABEL_SCAN, &l), -EINVAL);
	fix_label_crc(img + 512);
	assert_int_equal(lvm_label_parse(img, LVM_LABEL_SCAN, &l), 0);
	img[512 + 16] ^= 1;	/* the CRC itself */
	assert_int_equal(lvm_label_parse(img, LVM_LABEL_SCAN, &l), -EINVAL);
	img[512 + 16] ^= 1;
	/* a label copied to sector 2 still says sector 1: lvm ignores it */
	memcpy(img + 1024, img + 512, 512);
	memset(img + 512, 0, 512);
	assert_int_equal(lvm_label_parse(img, LVM_LABEL_SCAN, &l), -EINVAL);
	img[1024 + 8] = 2;
	fix_label_crc(img + 1024);
	assert_int_equal(lvm_label_parse(img, LVM_LABEL_SCAN, &l), 0);
	assert_int_equal(l.sector, 2);
	/* another label type, a pv_header offset out of the sector */
	memcpy(img + 1024 + 24, "LVM1 001", 8);
	fix_label_crc(img + 1024);
	assert_int_equal(lvm_label_parse(img, LVM_LABEL_SCAN, &l), -ENOENT);
	memcpy(img + 1024 + 24, "LVM2 001", 8);
	put_le32(img + 1024 + 20, 500);
	fix_label_crc(img + 1024);
	assert_int_equal(lvm_label_parse(img, LVM_LABEL_SCAN, &l), -EINVAL);
	put_le32(img + 1024 + 20, 32);
	/* a uuid that is no id; lists with no end */
	img[1024 + 40] = '-';
	fix_label_crc(img + 1024);
	assert_int_equal(lvm_label_parse(img, LVM_LABEL_SCAN, &l), -EINVAL);
	img[1024 + 40] = 'a';
	memset(img + 1024 + 72, 0xff, 512 - 72);
	fix_label_crc(img + 1024);
	assert_int_equal(lvm_label_parse(img, LVM_LABEL_SCAN, &l), -EINVAL);
	/* nothing there; every short buffer */
	memset(img, 0, LVM_LABEL_SCAN);
	assert_int_equal(lvm_label_parse(img, LVM_LABEL_SCAN, &l), -ENOENT);
	free(img);
	img = load("linear.pv0.gz", &len);
	for (n = 0; n <= LVM_LABEL_SCAN; n++) {
		b = malloc(n ? n : 1);
		memcpy(b, img, n);
		assert_int_equal(lvm_label_parse(b, n, &l), n < 1024 ? -ENOENT : 0);
		free(b);
	}
	free(img);
}

static void test_mda_damage(void **state)
{
	struct lvm_label l;
	struct lvm_text_loc loc;
	size_t len;
	uint8_t *img = load("linear.pv0.gz", &len), *h;
	uint64_t off;

	(void)state;
	assert_int_equal(lvm_label_parse(img, LVM_LABEL_SCAN, &l), 0);
	off = l.mda_offset[0];
	h = img + off;
	assert_int_equal(lvm_mda_parse(h, 512, off, l.mda_size[0], &loc), 0);
	assert_int_equal(lvm_mda_parse(h, 511, off, l.mda_size[0], &loc), -EINVAL);
	/* a header found somewhere else, or for a smaller area */
	assert_int_equal(lvm_mda_parse(h, 512, off + 512, l.mda_size[0], &loc), -EINVAL);
	assert_int_equal(lvm_mda_parse(h, 512, off, l.mda_size[0] - 512, &loc), -EINVAL);
	h[300] ^= 1;
	assert_int_equal(lvm_mda_parse(h, 512, off, l.mda_size[0], &loc), -EINVAL);
	fix_mda_crc(h);
	assert_int_equal(lvm_mda_parse(h, 512, off, l.mda_size[0], &loc), 0);
	/* the text's checksum: the caller's check sees a changed byte */
	img[off + loc.off[0] + 10] ^= 1;
	assert_int_not_equal(lvm_crc(LVM_CRC_INIT, img + off + loc.off[0], loc.len[0]), loc.crc);
	/* an ignored area, an empty one */
	h[60] |= 1;
	fix_mda_crc(h);
	assert_int_equal(lvm_mda_parse(h, 512, off, l.mda_size[0], &loc), -ENOENT);
	memset(h + 40, 0, 24);
	fix_mda_crc(h);
	assert_int_equal(lvm_mda_parse(h, 512, off, l.mda_size[0], &loc), -ENOENT);
	/* text bigger than the area, starting in the header */
	put_le32(h + 40, 100);
	put_le32(h + 48, 100);
	fix_mda_crc(h);
	assert_int_equal(lvm_mda_parse(h, 512, off, l.mda_size[0], &loc), -EINVAL);
	put_le32(h + 40, 512);
	put_le32(h + 48, (uint32_t)l.mda_size[0]);
	fix_mda_crc(h);
	assert_int_equal(lvm_mda_parse(h, 512, off, l.mda_size[0], &loc), -EINVAL);
	/* the most a wrapped text can be: the whole area but its header */
	put_le32(h + 40, (uint32_t)l.mda_size[0] - 512);
	put_le32(h + 48, (uint32_t)l.mda_size[0] - 512);
	fix_mda_crc(h);
	assert_int_equal(lvm_mda_parse(h, 512, off, l.mda_size[0], &loc), 0);
	assert_int_equal(loc.n, 2);
	assert_int_equal(loc.len[0], 512);
	assert_int_equal(loc.off[1] + loc.len[1], loc.off[0]);
	memcpy(h + 4, "x", 1);	/* the magic */
	fix_mda_crc(h);
	assert_int_equal(lvm_mda_parse(h, 512, off, l.mda_size[0], &loc), -EINVAL);
	free(img);
}

/* ---- hand-written metadata ------------------------------------------------- */

#define VGID "Q3ZziW-SuYH-UMae-niNV-um6a-rCTf-zGFAZ0"
#define PV0 "MkCaRp-PxTA-0HXX-sxwo-hzzF-c9h1-KcC7tj"
#define PV1 "doyAxb-ouV7-UtRz-evz9-fK8K-7zrO-XvXXyW"
#define LVID "cPAFAg-4BkO-VlNY-jHpG-CRB0-vuiF-Xc4O9s"

/* A VG of two PVs; @lvs is its logical_volumes section's contents. */
static char *vg_text(const char *lvs)
{
	static char buf[8192];

	snprintf(buf, sizeof(buf),
		 "vg0 {\nid = \"" VGID "\"\nseqno = 7\nstatus = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\n"
		 "extent_size = 8192\n"
		 "physical_volumes {\npv0 {\nid = \"" PV0 "\"\ndevice = \"/dev/vda2\"\n"
		 "status = [\"ALLOCATABLE\"]\npe_start = 2048\npe_count = 100\n}\n"
		 "pv1 {\nid = \"" PV1 "\"\ndevice = \"/dev/vdb\"\npe_start = 2048\npe_count = 50\n}\n}\n"
		 "logical_volumes {\n%s\n}\n}\n"
		 "contents = \"Text Format Volume Group\"\nversion = 1\n", lvs);
	return buf;
}

#define LV(name, flags, segs) \
	name " {\nid = \"" LVID "\"\nstatus = [\"READ\", \"WRITE\", \"VISIBLE\"]\n" \
	"flags = [" flags "]\n" segs "\n}\n"
#define SEG(n, start, count, rest) \
	"segment" #n " {\nstart_extent = " #start "\nextent_count = " #count "\n" rest "\n}\n"
#define LINEAR(pv, pe) "type = \"striped\"\nstripe_count = 1\nstripes = [\"" pv "\", " #pe "]"

/* Parse @text; returns the error code, the message in @err. */
static int parse(const char *text, struct lvm_vg **vg, char *err, size_t errlen)
{
	int r = lvm_meta_parse(text, strlen(text), vg, err, errlen);

	if (r)
		assert_null(*vg);
	return r;
}

static void expect_error(const char *text, const char *msg)
{
	struct lvm_vg *vg;
	char err[256];

	assert_int_equal(parse(text, &vg, err, sizeof(err)), -EINVAL);
	if (!strstr(err, msg))
		fail_msg("error \"%s\", expected \"%s\"", err, msg);
}

static void test_meta_handmade(void **state)
{
	struct lvm_vg *vg;
	const struct lvm_lv *lv;
	struct lvm_target *t;
	size_t nt;
	char err[256];
	const char *dev[2] = { "8:2", "8:16" };

	(void)state;
	assert_int_equal(parse(vg_text(
		LV("root", "", "segment_count = 2\n"
		   SEG(1, 0, 10, LINEAR("pv0", 5))
		   SEG(2, 10, 20, "type = \"striped\"\nstripe_count = 2\nstripe_size = 128\n"
			"stripes = [\"pv1\", 0, \"pv0\", 90]"))
		LV("skip", "\"ACTIVATION_SKIP\"", "segment_count = 1\n" SEG(1, 0, 1, LINEAR("pv1", 49)))),
		&vg, err, sizeof(err)), 0);
	assert_int_equal(vg->npv, 2);
	assert_int_equal(vg->nlv, 2);
	assert_int_equal(vg->flags, LVM_READ | LVM_WRITE);
	assert_string_equal(vg->pv[0].device, "/dev/vda2");
	assert_int_equal(lvm_find_pv(vg, PV1), 1);
	assert_int_equal(lvm_find_pv(vg, "doyAxbouV7UtRzevz9fK8K7zrOXvXXyW"), 1);
	assert_int_equal(lvm_find_pv(vg, "doyAxbouV7UtRzevz9fK8K7zrOXvXXyX"), -ENOENT);
	assert_null(lvm_find_lv(vg, "nothere"));
	lv = lvm_find_lv(vg, "root");
	assert_true(lvm_lv_default_active(lv));
	assert_false(lvm_lv_default_active(lvm_find_lv(vg, "skip")));
	assert_int_equal(lvm_lv_table(vg, lv, dev, &t, &nt, err, sizeof(err)), 0);
	assert_int_equal(nt, 2);
	assert_int_equal(t[0].start, 0);
	assert_int_equal(t[0].len, 10 * 8192);
	assert_string_equal(t[0].type, "linear");
	assert_string_equal(t[0].params, "8:2 43008");		/* 2048 + 5 * 8192 */
	assert_int_equal(t[1].start, 10 * 8192);
	assert_int_equal(t[1].len, 20 * 8192);
	assert_string_equal(t[1].type, "striped");
	assert_string_equal(t[1].params, "2 128 8:16 2048 8:2 739328");
	lvm_targets_free(t);
	/* a PV that is missing: named by its uuid */
	dev[0] = NULL;
	assert_int_equal(lvm_lv_table(vg, lv, dev, &t, &nt, err, sizeof(err)), -EINVAL);
	assert_null(t);
	assert_string_equal(err, "vg0/root: needs physical volume " PV0
			    " (pv0, last seen as /dev/vda2), which was not found");
	assert_int_equal(lvm_lv_table(vg, lvm_find_lv(vg, "skip"), dev, &t, &nt, err,
				      sizeof(err)), 0);
	lvm_targets_free(t);
	/* a PV the metadata marks missing is missing, device or not */
	dev[0] = "8:2";
	vg->pv[0].flags |= LVM_MISSING;
	assert_int_equal(lvm_lv_table(vg, lv, dev, &t, &nt, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "vg0/root: needs physical volume " PV0
			    " (pv0, last seen as /dev/vda2), which lvm has marked missing");
	vg->pv[0].flags = 0;
	vg->flags |= LVM_EXPORTED;
	assert_int_equal(lvm_lv_table(vg, lv, dev, &t, &nt, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "vg0/root: vg0 is exported to another system "
			    "(vgimport it there first)");
	lvm_vg_free(vg);

	/* the syntax: comments, escapes, single quotes, bare words, commas
	 * optional, unknown keys and sections, the header after the VG */
	{
	static const char text[] =
		"# comment\nvg0 { # more\n id = \"" VGID "\" seqno = 1 extent_size = 8\n"
		" future { x = [1 2 \"a\\\"b\\\\c\\q\"] deeper { y = 1.5 z = -3 } }\n"
		" description = 'single \"quoted\"' bare = word\n"
		" physical_volumes { pv0 { id = \"" PV0 "\" pe_start = +2048 pe_count = 1 } x = 1 }\n"
		" logical_volumes { odd = 1 }\n}\n"
		"contents=\"Text Format Volume Group\"\tversion=1\ncreation_time = 99999999999999999999999\0"
		"garbage { after the NUL";

	assert_int_equal(lvm_meta_parse(text, sizeof(text) - 1, &vg, err, sizeof(err)), 0);
	}
	assert_int_equal(vg->nlv, 0);
	assert_int_equal(vg->pv[0].pe_start, 2048);
	assert_null(vg->pv[0].device);
	lvm_vg_free(vg);

	/* unsupported types, stacked LVs: refused by the table, by name */
	assert_int_equal(parse(vg_text(
		LV("pool", "", "segment_count = 1\n" SEG(1, 0, 4,
		   "type = \"thin-pool\"\nmetadata = \"pool_tmeta\"\npool = \"pool_tdata\""))
		LV("stacked", "", "segment_count = 1\n" SEG(1, 0, 4, LINEAR("pool_tdata", 0)))),
		&vg, err, sizeof(err)), 0);
	dev[0] = "8:2";
	assert_int_equal(lvm_lv_table(vg, lvm_find_lv(vg, "pool"), dev, &t, &nt, err,
				      sizeof(err)), -EINVAL);
	assert_string_equal(err, "vg0/pool: segment type 'thin-pool' is not supported "
			    "(linear and striped are)");
	assert_int_equal(lvm_lv_table(vg, lvm_find_lv(vg, "stacked"), dev, &t, &nt, err,
				      sizeof(err)), -EINVAL);
	assert_string_equal(err, "vg0/stacked: segment1 is on 'pool_tdata', which is no "
			    "physical volume (stacked LVs are not supported)");
	lvm_vg_free(vg);
}

static void test_meta_errors(void **state)
{
	char buf[8192];

	(void)state;
	expect_error(vg_text(LV("root", "", "segment_count = 1\n" SEG(1, 0, 4,
		"type = \"striped\"\nstripe_count = 2\nstripe_size = 128\n"
		"stripes = [\"pv0\", 0, \"pv1\", 0, \"pv0\", 10]"))),
		"segment1 of vg0/root: stripes lists 3 entries, stripe_count says 2");
	expect_error(vg_text(LV("root", "", "segment_count = 1\n" SEG(1, 0, 3,
		"type = \"striped\"\nstripe_count = 2\nstripe_size = 128\n"
		"stripes = [\"pv0\", 0, \"pv1\", 0]"))),
		"segment1 of vg0/root: 3 extents do not divide into 2 stripes");
	expect_error(vg_text(LV("root", "", "segment_count = 1\n" SEG(1, 0, 4,
		"type = \"striped\"\nstripe_count = 2\nstripes = [\"pv0\", 0, \"pv1\", 0]"))),
		"segment1 of vg0/root: no stripe_size");
	expect_error(vg_text(LV("root", "", "segment_count = 2\n" SEG(1, 0, 4, LINEAR("pv0", 0)))),
		"vg0/root: segment_count is 2, but there is no segment2");
	expect_error(vg_text(LV("root", "", "segment_count = 2\n" SEG(1, 0, 4, LINEAR("pv0", 0))
		SEG(2, 5, 1, LINEAR("pv0", 9)))),
		"segment2 of vg0/root: starts at extent 5, not 4");
	expect_error(vg_text(LV("root", "", "segment_count = 1\n" SEG(1, 0, 4, LINEAR("pv1", 47)))),
		"segment1 of vg0/root: stripe 0, extents 47-50, ends past pv1 (50 extents)");
	expect_error(vg_text(LV("root", "", "segment_count = 1\n" SEG(1, 0, 4,
		"type = \"striped\"\nstripe_count = 1\nstripes = [0, \"pv0\"]"))),
		"segment1 of vg0/root: stripe 0 is not a name and an extent");
	expect_error(vg_text(LV("root", "", "segment_count = 1\n" SEG(1, 0, 4, "stripe_count = 1"))),
		"segment1 of vg0/root: no type");
	expect_error(vg_text(LV("root", "", "segment_count = 1\n" SEG(1, 0, 0, LINEAR("pv0", 0)))),
		"segment1 of vg0/root: extent_count is not a number from 1 to 4294967295");
	expect_error(vg_text(LV("bad/name", "", "segment_count = 1\n" SEG(1, 0, 1, LINEAR("pv0", 0)))),
		"vg0/bad/name: not a valid LV name");
	expect_error(vg_text("root { status = [] segment_count = 0 }"), "vg0/root: no valid id");
	expect_error(vg_text(LV("root", "", "segment_count = 9\n" SEG(1, 0, 1, LINEAR("pv0", 0)))),
		"vg0/root: segment_count is not a number from 1 to");
	expect_error(vg_text(LV("root", "", "segment_count = 1\n" SEG(1, 0, 1, LINEAR("pv0", 0))
		SEG(1, 0, 1, LINEAR("pv0", 0)))), "vg0/root: two segment1 sections");
	/* the syntax */
	expect_error("vg0 { id = \"x\" ", "metadata line 1: a section does not end");
	expect_error("a = 1\n}\n", "metadata line 2: a '}' closes no section");
	expect_error("a = \"open\nstring", "metadata line 2: the string of 'a' does not end");
	expect_error("a 1", "metadata line 1: '=' or '{' was expected after 'a'");
	expect_error("a = ]", "metadata line 1: 'a' has no value");
	expect_error("= 1", "metadata line 1: a name was expected");
	expect_error("a = [1, [2]]", "metadata line 1: 'a' has no value");
	strcpy(buf, "");
	for (int i = 0; i < 17; i++)
		strcat(buf, "a {");
	expect_error(buf, "metadata line 1: sections nest deeper than 16");
	/* the header and the VG */
	expect_error("vg0 { }", "not LVM2 text metadata of version 1");
	expect_error("contents = \"Text Format Volume Group\" version = 2 vg0 { }",
		     "not LVM2 text metadata of version 1");
	expect_error("contents = \"Text Format Volume Group\" version = 1",
		     "metadata: no volume group");
	expect_error("contents = \"Text Format Volume Group\" version = 1 a { } b { }",
		     "metadata: two volume groups, a and b");
	expect_error("contents = \"Text Format Volume Group\" version = 1 vg0 { id = \"" VGID
		     "\" seqno = 1 extent_size = 8 }", "vg0: no physical_volumes");
	expect_error("contents = \"Text Format Volume Group\" version = 1 vg0 { id = \"" VGID
		     "\" seqno = 1 }", "vg0: no extent_size");
	expect_error("contents = \"Text Format Volume Group\" version = 1 vg0 { id = \"abc\" }",
		     "vg0: no valid id");
	expect_error("contents = \"Text Format Volume Group\" version = 1 -vg { }",
		     "-vg: not a valid VG name");
	expect_error("contents = \"Text Format Volume Group\" version = 1 vg0 { id = \"" VGID
		     "\" seqno = 1 extent_size = 4294967295 physical_volumes { pv0 { id = \""
		     PV0 "\" pe_start = 0 pe_count = 4294967295 } } }",
		     "pv0 of vg0: its extents end past 2^62 sectors");
}

/* Every cut of a real text, and random damage: no crash, no stray read
 * (the copies are exactly as long as the text), 0 or -EINVAL. */
static void test_meta_mangled(void **state)
{
	struct lvm_vg *vg;
	char err[256];
	size_t len, n;
	uint8_t *text = load("types.txt", &len);
	const char *dev[64];
	int i, k, r;

	(void)state;
	for (k = 0; k < 64; k++)
		dev[k] = k % 3 == 2 ? NULL : "8:1";
	for (n = 0; n <= len; n++) {
		char *b = malloc(n ? n : 1);

		memcpy(b, text, n);
		r = lvm_meta_parse(b, n, &vg, err, sizeof(err));
		assert_true(r == 0 || r == -EINVAL);
		lvm_vg_free(vg);
		free(b);
	}
	srand(1);
	for (i = 0; i < 3000; i++) {
		char *b = malloc(len);
		static const char vals[] = "{}[]=\"'#,\n 0-9";

		memcpy(b, text, len);
		for (k = 0; k < 1 + rand() % 4; k++)
			b[rand() % len] = rand() % 2 ? (char)rand() : vals[rand() % (sizeof(vals) - 1)];
		r = lvm_meta_parse(b, len, &vg, err, sizeof(err));
		assert_true(r == 0 || r == -EINVAL);
		if (!r) {
			unsigned j;

			for (j = 0; j < vg->nlv; j++) {
				struct lvm_target *t;
				size_t nt;

				if (vg->npv <= 64 && !lvm_lv_table(vg, &vg->lv[j], dev, &t, &nt,
								   err, sizeof(err)))
					lvm_targets_free(t);
			}
		} else {
			assert_true(strlen(err) > 0);
		}
		lvm_vg_free(vg);
		free(b);
	}
	free(text);
}

/* ---- names ----------------------------------------------------------------- */

static void test_dm_names(void **state)
{
	char b[LVM_DM_NAME_MAX], vg[64], lv[64], big[200];

	(void)state;
	assert_int_equal(lvm_dm_name("my-vg", "root", b, sizeof(b)), 0);
	assert_string_equal(b, "my--vg-root");
	assert_int_equal(lvm_dm_name("vg", "a--b-", b, sizeof(b)), 0);
	assert_string_equal(b, "vg-a----b--");
	assert_int_equal(lvm_split_dm_name("vg-a----b--", vg, sizeof(vg), lv, sizeof(lv)), 0);
	assert_string_equal(vg, "vg");
	assert_string_equal(lv, "a--b-");
	assert_int_equal(lvm_split_dm_name("my--vg-root", vg, sizeof(vg), lv, sizeof(lv)), 0);
	assert_string_equal(vg, "my-vg");
	assert_string_equal(lv, "root");
	assert_int_equal(lvm_dm_name("vg", "lv", b, 6), 0);
	assert_int_equal(lvm_dm_name("vg", "lv", b, 5), -ENAMETOOLONG);
	assert_int_equal(lvm_dm_name("v-g", "lv", b, 7), -ENAMETOOLONG);
	memset(big, 'a', 130);
	big[130] = '\0';
	assert_int_equal(lvm_dm_name(big, "lv", big + 140, 60), -ENAMETOOLONG);
	assert_int_equal(lvm_dm_name("vg", big, b, sizeof(b)), -ENAMETOOLONG);
	/* no VG-LV pair: a layer, no separator, empty parts */
	assert_int_equal(lvm_split_dm_name("vg-lv-real", vg, sizeof(vg), lv, sizeof(lv)), -EINVAL);
	assert_int_equal(lvm_split_dm_name("vg--lv", vg, sizeof(vg), lv, sizeof(lv)), -EINVAL);
	assert_int_equal(lvm_split_dm_name("-lv", vg, sizeof(vg), lv, sizeof(lv)), -EINVAL);
	assert_int_equal(lvm_split_dm_name("vg-", vg, sizeof(vg), lv, sizeof(lv)), -EINVAL);
	assert_int_equal(lvm_split_dm_name("", vg, sizeof(vg), lv, sizeof(lv)), -EINVAL);
	assert_int_equal(lvm_split_dm_name("vg-lv", vg, 2, lv, sizeof(lv)), -ENAMETOOLONG);
	assert_int_equal(lvm_split_dm_name("vg-lv", vg, 3, lv, 3), 0);
	assert_int_equal(lvm_split_dm_name("vg-lv", vg, 3, lv, 2), -ENAMETOOLONG);
	assert_int_equal(lvm_split_dm_name("vg-lv", vg, 0, lv, 0), -ENAMETOOLONG);
}

static void test_crc(void **state)
{
	(void)state;
	/* chained over pieces as over the whole */
	assert_int_equal(lvm_crc(lvm_crc(LVM_CRC_INIT, "LVM2 ", 5), "metadata", 8),
			 lvm_crc(LVM_CRC_INIT, "LVM2 metadata", 13));
	/* zlib's CRC-32 is the same polynomial, with inversions */
	assert_int_equal(~lvm_crc(0xffffffffu, "123456789", 9), 0xcbf43926u);
	assert_int_equal(lvm_crc(LVM_CRC_INIT, "", 0), LVM_CRC_INIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc),
		cmocka_unit_test(test_linear),
		cmocka_unit_test(test_span),
		cmocka_unit_test(test_striped),
		cmocka_unit_test(test_dashes),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_label_damage),
		cmocka_unit_test(test_mda_damage),
		cmocka_unit_test(test_meta_handmade),
		cmocka_unit_test(test_meta_errors),
		cmocka_unit_test(test_meta_mangled),
		cmocka_unit_test(test_dm_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
