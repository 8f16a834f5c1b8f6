/* fuzz_lvm.c - the LVM2 parsers of lib/lvm.c, from a disk's head to the
 * device-mapper tables.
 *
 * Input: a mode byte, then
 *   bit 0 set:   a metadata text: lvm_meta_parse(), then every LV's table,
 *                names and uuid; and the text's start as a dm name
 *   bit 0 clear: the head of a physical volume: lvm_label_parse() on its
 *                first sectors, lvm_mda_parse() on each metadata area
 *                header inside the input, the text where the header says,
 *                then as above
 *   bit 1:       the checksums of the label and of the metadata area
 *                headers are made right first, and the text's is not
 *                checked, so that mutations get past them
 * tests/fuzz/seeds.sh writes the fixtures of tests/unit/fixtures/lvm/ in
 * both forms. */
#include <errno.h>
#include <string.h>
#include "bytes.h"
#include "lvm.h"
#include "fuzz.h"

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* a copy exactly @n bytes long: ASan sees a read past it */
static uint8_t *copy_of(const uint8_t *p, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);

	if (b)
		memcpy(b, p, n);
	return b;
}

static void check_lv(const struct lvm_vg *vg, const struct lvm_lv *lv, const char *const *dev)
{
	char name[LVM_DM_NAME_MAX], v[LVM_DM_NAME_MAX], l[LVM_DM_NAME_MAX];
	char uuid[LVM_DM_UUID_MAX], err[256];
	struct lvm_target *t;
	uint64_t end = 0;
	size_t nt, k;
	const struct lvm_lv *found = lvm_find_lv(vg, lv->name);

	FUZZ_CHECK(found && !strcmp(found->name, lv->name));
	if (!lvm_dm_name(vg->name, lv->name, name, sizeof(name))) {
		/* the names lvm_meta_parse() accepts go there and back */
		FUZZ_CHECK(!lvm_split_dm_name(name, v, sizeof(v), l, sizeof(l)));
		FUZZ_CHECK(!strcmp(v, vg->name) && !strcmp(l, lv->name));
	}
	FUZZ_CHECK(!lvm_dm_uuid(vg, lv, uuid, sizeof(uuid)));
	FUZZ_CHECK(strlen(uuid) == LVM_DM_UUID_MAX - 1);
	(void)lvm_lv_default_active(lv);
	if (vg->npv > 64)
		return;
	err[0] = '\0';
	if (lvm_lv_table(vg, lv, dev, &t, &nt, err, sizeof(err))) {
		FUZZ_CHECK(err[0] != '\0');
		return;
	}
	/* the targets cover the LV end to end */
	FUZZ_CHECK(nt == lv->nseg && nt > 0);
	for (k = 0; k < nt; k++) {
		FUZZ_CHECK(t[k].start == end && t[k].len > 0);
		FUZZ_CHECK(t[k].params[0] != '\0');
		end += t[k].len;
	}
	FUZZ_CHECK(end == (lv->seg[nt - 1].start_extent + lv->seg[nt - 1].extent_count) *
			  vg->extent_size);
	lvm_targets_free(t);
}

static void text(const char *s, size_t n)
{
	static const char *dev[64];
	struct lvm_vg *vg;
	char err[256], v[LVM_DM_NAME_MAX], l[LVM_DM_NAME_MAX], name[200];
	unsigned k;

	for (k = 0; k < 64; k++)
		dev[k] = k % 5 == 4 ? NULL : "254:17";
	snprintf(name, sizeof(name), "%.*s", (int)(n < 199 ? n : 199), s);
	(void)lvm_split_dm_name(name, v, sizeof(v), l, sizeof(l));
	err[0] = '\0';
	if (lvm_meta_parse(s, n, &vg, err, sizeof(err))) {
		FUZZ_CHECK(!vg && err[0] != '\0');
		return;
	}
	FUZZ_CHECK(vg->npv > 0);
	for (k = 0; k < vg->npv; k++) {
		int i = lvm_find_pv(vg, vg->pv[k].id);

		FUZZ_CHECK(i >= 0 && (unsigned)i <= k);
	}
	for (k = 0; k < vg->nlv; k++)
		check_lv(vg, &vg->lv[k], dev);
	lvm_vg_free(vg);
}

static void disk(uint8_t *d, size_t size, int fix)
{
	struct lvm_label lb;
	struct lvm_text_loc loc;
	size_t n = size < LVM_LABEL_SCAN ? size : LVM_LABEL_SCAN;
	unsigned i, s;
	uint8_t *b;

	if (fix)
		for (s = 0; (s + 1) * 512 <= n; s++)
			if (!memcmp(d + s * 512, "LABELONE", 8))
				put_le32(d + s * 512 + 16,
					 lvm_crc(LVM_CRC_INIT, d + s * 512 + 20, 512 - 20));
	if (!(b = copy_of(d, n)))
		return;
	if (lvm_label_parse(b, n, &lb)) {
		free(b);
		return;
	}
	free(b);
	FUZZ_TERMINATED(lb.pv_uuid);
	FUZZ_CHECK(lb.n_mda <= 2 && lb.sector < 4);
	for (i = 0; i < lb.n_mda; i++) {
		uint64_t off = lb.mda_offset[i];
		size_t hn;
		char *t;
		int r;

		if (off >= size)
			continue;
		hn = size - off < LVM_MDA_HEADER ? size - off : LVM_MDA_HEADER;
		if (fix && hn == LVM_MDA_HEADER)
			put_le32(d + off, lvm_crc(LVM_CRC_INIT, d + off + 4, LVM_MDA_HEADER - 4));
		if (!(b = copy_of(d + off, hn)))
			return;
		r = lvm_mda_parse(b, hn, off, lb.mda_size[i], &loc);
		free(b);
		if (r)
			continue;
		FUZZ_CHECK(loc.n == 1 || loc.n == 2);
		FUZZ_CHECK(loc.off[0] >= LVM_MDA_HEADER && loc.off[0] + loc.len[0] <= lb.mda_size[i]);
		FUZZ_CHECK(loc.n == 1 || (loc.off[1] == LVM_MDA_HEADER &&
					  loc.off[1] + loc.len[1] <= loc.off[0]));
		FUZZ_CHECK(loc.len[0] + loc.len[1] <= LVM_TEXT_MAX);
		if (off + loc.off[0] + loc.len[0] > size ||
		    (loc.n == 2 && off + loc.off[1] + loc.len[1] > size))
			continue;
		t = malloc(loc.len[0] + loc.len[1] + 1);
		if (!t)
			return;
		memcpy(t, d + off + loc.off[0], loc.len[0]);
		memcpy(t + loc.len[0], d + off + loc.off[1], loc.len[1]);
		if (fix || lvm_crc(LVM_CRC_INIT, t, loc.len[0] + loc.len[1]) == loc.crc)
			text(t, loc.len[0] + loc.len[1]);
		free(t);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *d;

	if (!size)
		return 0;
	d = copy_of(data + 1, size - 1);
	if (!d)
		return 0;
	if (data[0] & 1)
		text((const char *)d, size - 1);
	else
		disk(d, size - 1, data[0] & 2);
	free(d);
	return 0;
}
