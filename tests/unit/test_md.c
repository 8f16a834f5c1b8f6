/* test_md.c - MD RAID superblocks (lib/md.c): the fixtures mdadm --examine
 * read (tests/unit/fixtures/md/, made by its make.sh), replayed without
 * mdadm; incremental assembly of raid0/1/5/6/10 arrays from superblocks
 * built in memory (mdsb_build.h); refusals, names, uuids; truncated and
 * mutated superblocks (ASan sees any read past an exactly sized buffer). */
#include "unit.h"
#include <errno.h>
#include <limits.h>
#include <zlib.h>
#include "common.h"
#include "md.h"
#include "mdsb_build.h"

#define ERRLEN 256

/* ---- helpers ----------------------------------------------------------------- */

static int parse(const struct mdsb *s, struct md_member *m, char *err)
{
	uint8_t buf[MDSB_SIZE];
	uint64_t off = mdsb_build(s, buf);

	return md_sb_parse(buf, sizeof(buf), off, s->dev_bytes, m, err, ERRLEN);
}

/* Parse @s and add it to @a as device @majmin; md_array_add()'s result. */
static int add(struct md_array *a, const struct mdsb *s, const char *majmin)
{
	struct md_member m;
	char err[ERRLEN];

	if (parse(s, &m, err))
		fail_msg("%s: %s", majmin, err);
	return md_array_add(a, &m, majmin);
}

static int missing(const struct md_array *a, char *out)
{
	int roles[MD_DISKS_MAX], n = md_array_missing(a, roles, MD_DISKS_MAX), i;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		sprintf(out + strlen(out), "%s%d", i ? "," : "", roles[i]);
	return n;
}

static void devices(const struct md_array *a, char *out)
{
	const struct md_slot *d[MD_DISKS_MAX + MD_EXTRA_MAX];
	int n = md_array_devices(a, d, MD_DISKS_MAX + MD_EXTRA_MAX), i;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		sprintf(out + strlen(out), "%s%s", i ? " " : "", d[i]->majmin);
}

#define MIB (1024 * 1024ULL)
#define R12(lvl, n, dev, ev) { .major = 1, .minor = 2, .uuid = MDSB_U1, \
	.name = "host:root", .level = (lvl), .raid_disks = (n), .chunk_sectors = 128, \
	.layout = (lvl) == 10 ? 0x102 : (lvl) >= 5 ? 2 : 0, .dev_bytes = 16 * MIB, \
	.events = (ev), .dev_number = (dev) }

/* ---- offsets ------------------------------------------------------------------ */

static void test_offsets(void **state)
{
	uint64_t off[4];

	assert_int_equal(md_sb_offsets(64 * MIB, off), 4);
	assert_true(off[0] == 4096 && off[1] == 0);
	assert_true(off[2] == (131072 - 16) * 512);
	assert_true(off[3] == (131072 - 128) * 512);
	/* not multiples: 1.0 rounds down to 4 KiB, 0.90 to 64 KiB */
	assert_int_equal(md_sb_offsets(64 * MIB + 7 * 512 + 100, off), 4);
	assert_true(off[2] == (131072 + 7 - 16 - 7) * 512);
	assert_true(off[3] == (131072 - 128) * 512);
	assert_int_equal(md_sb_offsets(23 * 512, off), 0);	/* too small */
	assert_true(off[0] == MD_NO_OFFSET && off[1] == MD_NO_OFFSET &&
		    off[2] == MD_NO_OFFSET && off[3] == MD_NO_OFFSET);
	assert_int_equal(md_sb_offsets(24 * 512, off), 3);
	assert_true(off[2] == 8 * 512 && off[3] == MD_NO_OFFSET);
	assert_int_equal(md_sb_offsets(64 * 1024, off), 4);	/* 0.90 at 0 */
	assert_true(off[3] == 0);
	assert_int_equal(md_sb_offsets(UINT64_MAX, off), 4);
}

/* ---- fixtures: what mdadm --examine read, replayed ---------------------------- */

static char fixdir[PATH_MAX + 32];

static void find_fixtures(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	assert_true(n > 0);
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(fixdir, sizeof(fixdir), "%s/../tests/unit/fixtures/md", exe);
}

/* The value of "KEY : VALUE" in mdadm's output, or NULL. */
static const char *examine_get(const char *text, const char *key, char *out, size_t size)
{
	const char *p = text;
	size_t k = strlen(key), n;

	while ((p = strstr(p, key))) {
		const char *line = p;

		while (line > text && line[-1] == ' ')
			line--;
		if ((line == text || line[-1] == '\n') && !strncmp(p + k, " : ", 3)) {
			p += k + 3;
			n = strcspn(p, "\n");
			if (n >= size)
				n = size - 1;
			memcpy(out, p, n);
			out[n] = '\0';
			return out;
		}
		p += k;
	}
	return NULL;
}

static unsigned long long examine_num(const char *text, const char *key)
{
	char v[256];

	assert_non_null(examine_get(text, key, v, sizeof(v)));
	return strtoull(v, NULL, 10);
}

static void check_fixture(const struct mdsb *s)
{
	char path[PATH_MAX + 64], text[8192], v[256], err[ERRLEN], u[MD_UUID_STR];
	uint8_t want[MDSB_SIZE], got[MDSB_SIZE + 1];
	unsigned long long bytes, off;
	struct md_member m;
	FILE *f;
	gzFile gz;
	size_t n;
	int r, is0 = s->major == 0;

	snprintf(path, sizeof(path), "%s/%s.examine", fixdir, s->fname);
	f = fopen(path, "r");
	if (!f)
		fail_msg("%s: missing: run tests/unit/fixtures/md/make.sh", path);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_int_equal(sscanf(text, "# %255[^:]: a %llu-byte member, superblock at byte %llu",
				v, &bytes, &off), 3);
	assert_string_equal(v, s->fname);

	/* the builder still writes what mdadm read */
	snprintf(path, sizeof(path), "%s/%s.sb.gz", fixdir, s->fname);
	gz = gzopen(path, "rb");
	assert_non_null(gz);
	assert_int_equal(gzread(gz, got, sizeof(got)), MDSB_SIZE);
	gzclose(gz);
	assert_true(mdsb_build(s, want) == off);
	assert_true(s->dev_bytes == bytes);
	if (memcmp(want, got, MDSB_SIZE))
		fail_msg("%s: mdsb_build.h no longer writes the fixture: run make.sh", s->fname);

	r = md_sb_parse(got, MDSB_SIZE, off, bytes, &m, err, sizeof(err));
	examine_get(text, "Checksum", v, sizeof(v));
	if (strstr(v, "expected")) {
		assert_int_equal(r, -EINVAL);
		assert_non_null(strstr(err, "checksum"));
		return;
	}
	assert_non_null(strstr(v, "correct"));
	if (examine_get(text, "Reshape pos'n", v, sizeof(v))) {
		assert_int_equal(r, -EOPNOTSUPP);
		assert_non_null(strstr(err, "reshape"));
		return;
	}
	if (r)
		fail_msg("%s: %s", s->fname, err);

	examine_get(text, "Version", v, sizeof(v));
	snprintf(path, sizeof(path), is0 ? "%d.%02d.00" : "%d.%d", m.major_version,
		 m.minor_version);
	assert_string_equal(v, path);
	md_uuid_str(m.uuid, u);
	assert_string_equal(examine_get(text, is0 ? "UUID" : "Array UUID", v, sizeof(v)), u);
	if (!is0) {
		examine_get(text, "Name", v, sizeof(v));
		v[strcspn(v, " ")] = '\0';	/* "  (local to host X)" */
		assert_string_equal(v, m.name);
		assert_int_equal(examine_num(text, "Super Offset"), off / 512);
		assert_int_equal(m.data_offset, examine_get(text, "Data Offset", v, sizeof(v)) ?
				 strtoull(v, NULL, 10) : 0);
		assert_int_equal(m.comp_sectors,
				 examine_get(text, "Used Dev Size", v, sizeof(v)) ?
				 strtoull(v, NULL, 10) : examine_num(text, "Avail Dev Size"));
	} else {
		assert_int_equal(m.comp_sectors, 2 * examine_num(text, "Used Dev Size"));
		assert_int_equal(m.preferred_minor, examine_num(text, "Preferred Minor"));
	}
	examine_get(text, "Raid Level", v, sizeof(v));
	assert_int_equal(m.level, atoi(v + 4));
	assert_int_equal(m.raid_disks, examine_num(text, "Raid Devices"));
	assert_true(m.events == examine_num(text, "Events"));
	assert_true(m.ctime == 1700000000);
	/* mdadm prints the array's size for the redundant levels only */
	assert_true(m.array_sectors == (examine_get(text, "Array Size", v, sizeof(v)) ?
					2 * strtoull(v, NULL, 10) : 0));
	if (examine_get(text, "Chunk Size", v, sizeof(v)))
		assert_int_equal(m.chunk_sectors, 2 * strtoul(v, NULL, 10));
	examine_get(text, "State", v, sizeof(v));
	assert_int_equal(m.clean, !strcmp(v, "clean"));
	if (is0) {
		char *t = strstr(text, "\nthis ");
		int num, maj, min, rd;

		assert_non_null(t);
		assert_int_equal(sscanf(t, "\nthis %d %d %d %d", &num, &maj, &min, &rd), 4);
		assert_int_equal(m.role, rd);
		assert_int_equal(m.dev_number, num);
	} else {
		examine_get(text, "Device Role", v, sizeof(v));
		if (!strcmp(v, "spare"))
			assert_int_equal(m.role, MD_ROLE_SPARE);
		else
			assert_int_equal(m.role, atoi(v + strlen("Active device ")));
	}
}

static void test_fixtures(void **state)
{
	size_t i;

	find_fixtures();
	for (i = 0; i < ARRAY_SIZE(mdsb_fixtures); i++)
		check_fixture(&mdsb_fixtures[i]);
}

/* ---- assembly ------------------------------------------------------------------- */

static void test_raid1_12(void **state)
{
	struct mdsb a0 = R12(1, 2, 0, 42), a1 = R12(1, 2, 1, 42);
	struct md_array a;
	mdu_array_info_t ai;
	mdu_disk_info_t di;
	const struct md_slot *d[4];
	char s[256];
	uint8_t used[MD_MINORS / 8] = { 0 };

	memset(&a, 0, sizeof(a));
	assert_int_equal(add(&a, &a1, "8:17"), 0);
	assert_false(md_array_complete(&a));
	assert_true(md_array_runnable_degraded(&a));
	assert_int_equal(missing(&a, s), 1);
	assert_string_equal(s, "0");
	assert_int_equal(add(&a, &a0, "8:1"), 0);
	assert_true(md_array_complete(&a));
	assert_true(md_array_runnable_degraded(&a));
	assert_int_equal(missing(&a, s), 0);
	devices(&a, s);
	assert_string_equal(s, "8:1 8:17");
	assert_string_equal(a.sb.name, "host:root");
	assert_true(a.sb.array_sectors == a.sb.comp_sectors);

	/* what the system-call side hands the kernel */
	md_ioctl_array(&a, &ai);
	assert_int_equal(ai.major_version, 1);
	assert_int_equal(ai.minor_version, 2);
	assert_int_equal(ai.raid_disks, 0);	/* "read the superblocks" */
	assert_int_equal(md_array_devices(&a, d, 4), 2);
	md_ioctl_disk(d[1], &di);
	assert_int_equal(di.major, 8);
	assert_int_equal(di.minor, 17);
	assert_int_equal(di.raid_disk, 0);
	assert_int_equal(di.state, 0);
	assert_int_equal(md_choose_minor(&a.sb, used), 127);
	assert_int_equal(md_link_name(&a.sb, s), 0);
	assert_string_equal(s, "root");
}

static void test_raid1_090(void **state)
{
	struct mdsb m0 = { .major = 0, .minor = 90, .uuid = MDSB_U2, .level = 1,
			   .raid_disks = 2, .dev_bytes = 16 * MIB, .events = 17,
			   .md_minor = 3 }, m1 = m0;
	struct md_array a;
	char s[256], u[MD_UUID_STR];
	uint8_t used[MD_MINORS / 8] = { 0 };

	m1.dev_number = 1;
	memset(&a, 0, sizeof(a));
	assert_int_equal(add(&a, &m0, "253:0"), 0);
	assert_false(md_array_complete(&a));
	assert_int_equal(missing(&a, s), 1);
	assert_string_equal(s, "1");
	assert_int_equal(add(&a, &m1, "253:16"), 0);
	assert_true(md_array_complete(&a));
	devices(&a, s);
	assert_string_equal(s, "253:0 253:16");
	md_uuid_str(a.sb.uuid, u);
	assert_string_equal(u, "a1b2c3d4:e5f60718:293a4b5c:6d7e8f90");
	assert_int_equal(a.sb.preferred_minor, 3);
	assert_int_equal(md_choose_minor(&a.sb, used), 3);
	used[0] = 1 << 3;
	assert_int_equal(md_choose_minor(&a.sb, used), 127);
	assert_int_equal(md_link_name(&a.sb, s), 0);
	assert_string_equal(s, "3");
	assert_true(md_name_match(&a.sb, "/dev/md/3"));
	assert_false(md_name_match(&a.sb, "/dev/md/0"));
}

static void test_raid0(void **state)
{
	struct mdsb m0 = R12(0, 2, 0, 5), m1 = R12(0, 2, 1, 5);
	struct md_array a;
	char s[64];

	memset(&a, 0, sizeof(a));
	assert_int_equal(add(&a, &m1, "8:16"), 0);
	assert_false(md_array_complete(&a));
	assert_false(md_array_runnable_degraded(&a));	/* never degraded */
	assert_int_equal(missing(&a, s), 1);
	assert_string_equal(s, "0");
	assert_true(a.sb.array_sectors == 0);		/* known once running */
	assert_int_equal(add(&a, &m0, "8:0"), 0);
	assert_true(md_array_complete(&a));
	assert_true(md_array_runnable_degraded(&a));
}

static void test_raid5_degraded(void **state)
{
	struct mdsb m[3] = { R12(5, 3, 0, 9), R12(5, 3, 1, 9), R12(5, 3, 2, 9) };
	struct md_array a;
	char s[64];
	int i;

	/* one of three missing: runnable, degraded */
	memset(&a, 0, sizeof(a));
	assert_int_equal(add(&a, &m[0], "8:0"), 0);
	assert_false(md_array_runnable_degraded(&a));	/* two missing */
	assert_int_equal(missing(&a, s), 2);
	assert_string_equal(s, "1,2");
	assert_int_equal(add(&a, &m[2], "8:32"), 0);
	assert_false(md_array_complete(&a));
	assert_true(md_array_runnable_degraded(&a));
	assert_int_equal(missing(&a, s), 1);
	assert_string_equal(s, "1");
	assert_true(a.sb.array_sectors == 2 * a.sb.comp_sectors);

	/* the same, shut down dirty: the kernel would refuse it */
	memset(&a, 0, sizeof(a));
	for (i = 0; i < 3; i++)
		m[i].dirty = 1;
	assert_int_equal(add(&a, &m[0], "8:0"), 0);
	assert_int_equal(add(&a, &m[2], "8:32"), 0);
	assert_false(md_array_runnable_degraded(&a));
	assert_int_equal(add(&a, &m[1], "8:16"), 0);
	assert_true(md_array_complete(&a));
	assert_true(md_array_runnable_degraded(&a));	/* complete: resyncs */
}

static void test_raid4_parity_missing(void **state)
{
	struct mdsb m[3] = { R12(4, 3, 0, 9), R12(4, 3, 1, 9), R12(4, 3, 2, 9) };
	struct md_array a;

	memset(&a, 0, sizeof(a));
	m[0].dirty = m[1].dirty = 1;
	assert_int_equal(add(&a, &m[0], "8:0"), 0);
	assert_int_equal(add(&a, &m[1], "8:16"), 0);
	/* only the parity member is missing: fine even dirty (mdadm) */
	assert_true(md_array_runnable_degraded(&a));
}

static void test_raid6(void **state)
{
	struct mdsb m[4] = { R12(6, 4, 0, 9), R12(6, 4, 1, 9), R12(6, 4, 2, 9),
			     R12(6, 4, 3, 9) };
	struct md_array a;

	memset(&a, 0, sizeof(a));
	assert_int_equal(add(&a, &m[3], "8:48"), 0);
	assert_false(md_array_runnable_degraded(&a));
	assert_int_equal(add(&a, &m[1], "8:16"), 0);
	assert_true(md_array_runnable_degraded(&a));	/* two of four */
	assert_true(a.sb.array_sectors == 2 * a.sb.comp_sectors);
}

static void test_raid10(void **state)
{
	struct mdsb m[4] = { R12(10, 4, 0, 9), R12(10, 4, 1, 9), R12(10, 4, 2, 9),
			     R12(10, 4, 3, 9) };
	struct md_array a;

	/* near=2 over 4: roles 0,1 hold one half, 2,3 the other */
	memset(&a, 0, sizeof(a));
	assert_int_equal(add(&a, &m[0], "8:0"), 0);
	assert_int_equal(add(&a, &m[1], "8:16"), 0);
	assert_false(md_array_runnable_degraded(&a));
	assert_int_equal(add(&a, &m[3], "8:48"), 0);
	assert_true(md_array_runnable_degraded(&a));
	memset(&a, 0, sizeof(a));
	assert_int_equal(add(&a, &m[0], "8:0"), 0);
	assert_int_equal(add(&a, &m[2], "8:32"), 0);
	assert_true(md_array_runnable_degraded(&a));
	assert_true(a.sb.array_sectors == 2 * a.sb.comp_sectors);

	/* far=2 over 3 (layout 0x201): every run of two roles from each
	 * start holds a copy */
	for (int i = 0; i < 3; i++) {
		m[i].raid_disks = 3;
		m[i].layout = 0x201;
	}
	memset(&a, 0, sizeof(a));
	assert_int_equal(add(&a, &m[0], "8:0"), 0);
	assert_false(md_array_runnable_degraded(&a));
	assert_int_equal(add(&a, &m[1], "8:16"), 0);
	assert_true(md_array_runnable_degraded(&a));
}

static void test_stale(void **state)
{
	struct mdsb fresh = R12(1, 2, 0, 100), old = R12(1, 2, 1, 98);
	struct md_array a;
	char s[64];

	/* older by more than 1, after the fresh one: refused */
	memset(&a, 0, sizeof(a));
	assert_int_equal(add(&a, &fresh, "8:0"), 0);
	assert_int_equal(add(&a, &old, "8:16"), -ESTALE);
	assert_false(md_array_complete(&a));
	devices(&a, s);
	assert_string_equal(s, "8:0");

	/* before it: kept, then left out once the fresh one is known */
	memset(&a, 0, sizeof(a));
	assert_int_equal(add(&a, &old, "8:16"), 0);
	assert_true(md_array_runnable_degraded(&a));
	assert_int_equal(add(&a, &fresh, "8:0"), 0);
	assert_true(a.sb.events == 100);
	assert_false(md_array_complete(&a));
	assert_true(md_array_runnable_degraded(&a));
	assert_int_equal(missing(&a, s), 1);
	assert_string_equal(s, "1");
	devices(&a, s);
	assert_string_equal(s, "8:0");

	/* older by exactly 1: still used (an interrupted update) */
	old.events = 99;
	memset(&a, 0, sizeof(a));
	assert_int_equal(add(&a, &fresh, "8:0"), 0);
	assert_int_equal(add(&a, &old, "8:16"), 0);
	assert_true(md_array_complete(&a));
}

static void test_same_role(void **state)
{
	struct mdsb x = R12(1, 2, 0, 10), y = R12(1, 2, 0, 11);
	struct md_array a;
	char s[64];

	memset(&a, 0, sizeof(a));
	assert_int_equal(add(&a, &x, "8:0"), 0);
	assert_int_equal(add(&a, &y, "8:16"), 0);	/* fresher: replaces */
	devices(&a, s);
	assert_string_equal(s, "8:16");
	memset(&a, 0, sizeof(a));
	assert_int_equal(add(&a, &y, "8:16"), 0);
	assert_int_equal(add(&a, &x, "8:0"), -ESTALE);
	devices(&a, s);
	assert_string_equal(s, "8:16");
	/* the same device read again replaces what was known of it */
	x.dev_number = 1;
	x.events = 11;
	assert_int_equal(add(&a, &x, "8:16"), 0);
	devices(&a, s);
	assert_string_equal(s, "8:16");
	assert_int_equal(missing(&a, s), 1);
	assert_string_equal(s, "0");
}

static void test_split_brain(void **state)
{
	/* each half ran alone: the fresher counts the other as failed, and
	 * the other counts the fresher as failed: only the fresher is used */
	struct mdsb x = R12(1, 2, 0, 60), y = R12(1, 2, 1, 59);
	struct md_array a;
	char s[64];

	x.roles = "0f";
	y.roles = "f1";
	memset(&a, 0, sizeof(a));
	assert_int_equal(add(&a, &y, "8:16"), 0);
	assert_int_equal(add(&a, &x, "8:0"), 0);
	assert_false(md_array_complete(&a));
	devices(&a, s);
	assert_string_equal(s, "8:0");
	/* but a member the fresher counts as failed while it still counts
	 * the fresher as working is kept, as mdadm does: the kernel decides */
	y.roles = "01";
	memset(&a, 0, sizeof(a));
	assert_int_equal(add(&a, &x, "8:0"), 0);
	assert_int_equal(add(&a, &y, "8:16"), 0);
	assert_true(md_array_complete(&a));
}

static void test_spares_and_faulty(void **state)
{
	struct mdsb m[4] = { R12(5, 3, 0, 9), R12(5, 3, 1, 9), R12(5, 3, 2, 9),
			     R12(5, 3, 3, 9) };
	struct mdsb bad = R12(5, 3, 1, 9);
	struct md_array a;
	struct md_member mm;
	char s[128], err[ERRLEN];
	int i;

	for (i = 0; i < 4; i++)
		m[i].roles = "012s";
	memset(&a, 0, sizeof(a));
	assert_int_equal(add(&a, &m[3], "8:48"), 0);	/* a spare first */
	assert_false(md_array_runnable_degraded(&a));
	assert_int_equal(add(&a, &m[0], "8:0"), 0);
	assert_int_equal(add(&a, &m[2], "8:32"), 0);
	assert_true(md_array_runnable_degraded(&a));
	devices(&a, s);
	assert_string_equal(s, "8:0 8:32 8:48");
	assert_int_equal(add(&a, &m[1], "8:16"), 0);
	devices(&a, s);
	assert_string_equal(s, "8:0 8:16 8:32 8:48");

	/* a spare from a later life of the array is left out */
	m[3].events = 20;
	assert_int_equal(add(&a, &m[3], "8:48"), 0);
	devices(&a, s);
	assert_string_equal(s, "8:0 8:16 8:32");

	/* a member whose own superblock calls it faulty */
	bad.roles = "0f2";
	assert_int_equal(parse(&bad, &mm, err), 0);
	assert_int_equal(mm.role, MD_ROLE_FAULTY);
	assert_int_equal(md_array_add(&a, &mm, "8:80"), -ENODEV);

	/* no more room for spares */
	for (i = 0; i < MD_EXTRA_MAX - 1; i++) {	/* 8:48 holds one */
		sprintf(s, "9:%d", i);
		m[3].events = 9;
		assert_int_equal(add(&a, &m[3], s), 0);
	}
	assert_int_equal(add(&a, &m[3], "9:100"), -ENOSPC);
}

static void test_recovering(void **state)
{
	struct mdsb x = R12(1, 2, 0, 7), y = R12(1, 2, 1, 7);
	struct md_array a;
	struct md_member m;
	char err[ERRLEN];

	y.feature_map = MD_FEATURE_RECOVERY_OFFSET;
	y.recovery_offset = 1000;
	assert_int_equal(parse(&y, &m, err), 0);
	assert_int_equal(m.role, 1);
	assert_false(m.in_sync);
	memset(&a, 0, sizeof(a));
	assert_int_equal(add(&a, &y, "8:16"), 0);
	assert_false(md_array_runnable_degraded(&a));	/* holds no whole copy */
	assert_int_equal(add(&a, &x, "8:0"), 0);
	assert_true(md_array_complete(&a));		/* the kernel resumes */

	/* a replacement is handed over beside the member it replaces */
	y.feature_map = MD_FEATURE_REPLACEMENT | MD_FEATURE_RECOVERY_OFFSET;
	y.roles = "000";
	y.dev_number = 2;
	assert_int_equal(add(&a, &y, "8:32"), 0);
	assert_true(md_array_complete(&a));
	devices(&a, err);
	assert_string_equal(err, "8:0 8:16 8:32");
}

static void test_other_arrays(void **state)
{
	struct mdsb x = R12(1, 2, 0, 7), y = R12(1, 2, 1, 7), z = R12(1, 2, 1, 7);
	struct md_array a;
	struct md_member c;

	y.uuid = MDSB_U2;
	z.level = 5;
	z.layout = 2;
	memset(&a, 0, sizeof(a));
	assert_int_equal(add(&a, &x, "8:0"), 0);
	assert_int_equal(add(&a, &y, "8:16"), -EXDEV);
	assert_int_equal(add(&a, &z, "8:16"), -EINVAL);
	assert_int_equal(md_array_add(&a, &a.sb, "8:"), -EINVAL);
	assert_int_equal(md_array_add(&a, &a.sb, ":1"), -EINVAL);
	assert_int_equal(md_array_add(&a, &a.sb, "4096:1"), -EINVAL);
	assert_int_equal(md_array_add(&a, &a.sb, "8:1048576"), -EINVAL);
	assert_int_equal(md_array_add(&a, &a.sb, "000000000000000000008:1"), -EINVAL);
	assert_int_equal(md_array_add(&a, &a.sb, "8:1x"), -EINVAL);
	c = a.sb;
	c.role = 1;
	assert_int_equal(md_array_add(&a, &c, "4095:1048575"), 0);
	assert_true(md_array_complete(&a));
}

/* ---- refusals -------------------------------------------------------------------- */

static void expect(const struct mdsb *s, int code, const char *words)
{
	struct md_member m;
	char err[ERRLEN];

	assert_int_equal(parse(s, &m, err), code);
	if (!strstr(err, words))
		fail_msg("\"%s\" does not say \"%s\"", err, words);
	assert_int_equal(m.raid_disks, 0);	/* nothing half-filled */
}

static void test_bad_checksum(void **state)
{
	struct mdsb x = R12(1, 2, 0, 7);
	struct mdsb y = { .major = 0, .minor = 90, .uuid = MDSB_U2, .level = 1,
			  .raid_disks = 2, .dev_bytes = 16 * MIB, .events = 17 };

	x.bad_csum = 1;
	y.bad_csum = 1;
	expect(&x, -EINVAL, "checksum");
	expect(&y, -EINVAL, "checksum");
}

static void test_refused(void **state)
{
	struct mdsb x = R12(5, 3, 0, 7);
	struct mdsb y = { .major = 0, .minor = 90, .uuid = MDSB_U2, .level = 5,
			  .layout = 2, .raid_disks = 3, .chunk_sectors = 128,
			  .dev_bytes = 16 * MIB, .events = 17 };
	struct md_member m;
	char err[ERRLEN];

	x.reshape_pos = 2048;
	expect(&x, -EOPNOTSUPP, "reshape");
	y.reshape_pos = 2048;			/* 0.91 */
	expect(&y, -EOPNOTSUPP, "reshape");
	y.reshape_pos = 0;
	y.other_endian = 1;
	expect(&y, -EOPNOTSUPP, "byte order");
	x.reshape_pos = 0;
	x.feature_map = MD_FEATURE_JOURNAL;
	expect(&x, -EOPNOTSUPP, "journal");
	x.feature_map = MD_FEATURE_PPL;
	expect(&x, -EOPNOTSUPP, "PPL");
	x.feature_map = MD_FEATURE_MULTIPLE_PPLS;
	expect(&x, -EOPNOTSUPP, "PPL");
	x.feature_map = MD_FEATURE_CLUSTERED;
	expect(&x, -EOPNOTSUPP, "cluster");
	x.feature_map = 1 << 20;
	expect(&x, -EOPNOTSUPP, "unknown features");
	x.feature_map = MD_FEATURE_BITMAP_OFFSET | MD_FEATURE_BAD_BLOCKS;
	assert_int_equal(parse(&x, &m, err), 0);	/* the kernel reads them */
	x.feature_map = 0;
	x.level = -1;
	expect(&x, -EOPNOTSUPP, "linear");
	x.level = -4;
	expect(&x, -EOPNOTSUPP, "multipath");
	x.level = 7;
	expect(&x, -EOPNOTSUPP, "level 7");
	x.level = 1;
	x.raid_disks = 65;
	expect(&x, -EOPNOTSUPP, "65 members");
	x.raid_disks = 64;
	x.dev_bytes = 64 * MIB;
	assert_int_equal(parse(&x, &m, err), 0);
	assert_int_equal(m.role, 0);
	assert_true(m.working == UINT64_MAX);
	x.level = 6;
	x.raid_disks = 3;
	expect(&x, -EINVAL, "raid6 of 3 members");
	x.level = 10;
	x.layout = 0x104;
	expect(&x, -EINVAL, "raid10 of 3 members, layout 0x104");
	x.level = 1;
	x.raid_disks = 0;
	expect(&x, -EINVAL, "raid1 of 0 members");
}

static void test_wrong_place(void **state)
{
	struct mdsb x = R12(1, 2, 0, 7), y = R12(1, 2, 0, 7);
	uint8_t buf[MDSB_SIZE];
	struct md_member m;
	char err[ERRLEN];
	uint64_t off;

	/* a 1.2 superblock is not a 1.1 one: super_offset says where */
	off = mdsb_build(&x, buf);
	assert_int_equal(md_sb_parse(buf, sizeof(buf), off, x.dev_bytes, &m, err, ERRLEN), 0);
	assert_int_equal(md_sb_parse(buf, sizeof(buf), 0, x.dev_bytes, &m, err, ERRLEN), -ENOENT);
	assert_non_null(strstr(err, "super_offset"));
	assert_int_equal(md_sb_parse(buf, sizeof(buf), 12345, x.dev_bytes, &m, err, ERRLEN),
			 -ENOENT);
	/* 1.0 and 1.1 where they belong */
	y.minor = 0;
	off = mdsb_build(&y, buf);
	assert_int_equal(md_sb_parse(buf, sizeof(buf), off, y.dev_bytes, &m, err, ERRLEN), 0);
	assert_int_equal(m.minor_version, 0);
	assert_true(m.data_offset == 0);
	/* the same bytes on a bigger device are not at its end any more */
	assert_int_equal(md_sb_parse(buf, sizeof(buf), off, y.dev_bytes + 4096, &m, err,
				     ERRLEN), -ENOENT);
	y.minor = 1;
	off = mdsb_build(&y, buf);
	assert_int_equal(md_sb_parse(buf, sizeof(buf), off, y.dev_bytes, &m, err, ERRLEN), 0);
	assert_int_equal(m.minor_version, 1);
	assert_int_equal(md_sb_parse(buf, sizeof(buf), off, y.dev_bytes - 1024 * 1024, &m,
				     err, ERRLEN), -EINVAL);
	assert_non_null(strstr(err, "smaller"));
	/* nothing at all; NULL err is fine */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(md_sb_parse(buf, sizeof(buf), 4096, 16 * MIB, &m, NULL, 0), -ENOENT);
	assert_int_equal(md_sb_parse(buf, 0, 4096, 16 * MIB, &m, err, ERRLEN), -ENOENT);
}

/* ---- names --------------------------------------------------------------------------- */

static void name_is(const char *set_name, int code, const char *link)
{
	struct md_member m;
	char out[MD_NAME_MAX];

	memset(&m, 0, sizeof(m));
	m.major_version = 1;
	snprintf(m.name, sizeof(m.name), "%s", set_name);
	assert_int_equal(md_link_name(&m, out), code);
	if (!code)
		assert_string_equal(out, link);
}

static void test_names(void **state)
{
	struct mdsb x = R12(1, 2, 0, 7);
	struct md_member m;
	char err[ERRLEN];

	name_is("myhost:root", 0, "root");
	name_is("root", 0, "root");
	name_is("a:b:c", 0, "b:c");
	name_is("h:a/b c\td", 0, "a-b_c_d");
	name_is("", -ENOENT, "");
	name_is("host:", -EINVAL, "");
	name_is("h:..", -EINVAL, "");
	name_is(".", -EINVAL, "");
	name_is("...", 0, "...");

	/* a 32-byte name has no NUL on disk */
	x.name = "0123456789abcdef0123456789abcdef";
	assert_int_equal(parse(&x, &m, err), 0);
	assert_string_equal(m.name, x.name);
	x.name = "myhost:root";
	assert_int_equal(parse(&x, &m, err), 0);
	assert_true(md_name_match(&m, "/dev/md/root"));
	assert_true(md_name_match(&m, "root"));
	assert_true(md_name_match(&m, "/dev/md/myhost:root"));
	assert_true(md_name_match(&m, "myhost:root"));
	assert_false(md_name_match(&m, "/dev/md/other"));
	assert_false(md_name_match(&m, "/dev/md/"));
	assert_false(md_name_match(&m, ""));
	assert_false(md_name_match(&m, "otherhost:root"));
	assert_false(md_name_match(&m, "/dev/md/root/"));
	x.name = "";
	assert_int_equal(parse(&x, &m, err), 0);
	assert_false(md_name_match(&m, "/dev/md/"));
	assert_false(md_name_match(&m, ""));
}

static void minor_is(const char *set_name, const uint8_t *used, int want)
{
	struct md_member m;

	memset(&m, 0, sizeof(m));
	m.major_version = 1;
	snprintf(m.name, sizeof(m.name), "%s", set_name);
	assert_int_equal(md_choose_minor(&m, used), want);
}

static void test_minors(void **state)
{
	uint8_t used[MD_MINORS / 8] = { 0 };
	struct md_member m;

	minor_is("host:0", used, 0);
	minor_is("7", used, 7);
	minor_is("md3", used, 3);
	minor_is("h:md/4", used, 4);
	minor_is("root", used, 127);
	minor_is("md", used, 127);
	minor_is("12a", used, 127);
	minor_is("511", used, 511);
	minor_is("512", used, 127);
	minor_is("99999999999", used, 127);
	used[127 / 8] |= 1 << (127 % 8);
	minor_is("root", used, 126);
	memset(used, 0xff, 16);			/* 0..127 */
	minor_is("root", used, 511);
	minor_is("200", used, 200);
	memset(used, 0xff, sizeof(used));
	used[128 / 8] = 0xfe;			/* only 128 free: never used */
	minor_is("root", used, -EBUSY);
	memset(&m, 0, sizeof(m));		/* 0.90 */
	m.preferred_minor = 4096;
	memset(used, 0, sizeof(used));
	assert_int_equal(md_choose_minor(&m, used), 127);
}

static void test_words(void **state)
{
	struct mdsb r5[3] = { R12(5, 3, 0, 9), R12(5, 3, 1, 9), R12(5, 3, 2, 9) };
	struct mdsb wide = R12(1, MD_DISKS_MAX, 0, 9);
	struct mdsb x = R12(1, 2, 0, 7);
	struct md_array a;
	struct md_member m;
	char s[MD_MISSING_STR], err[ERRLEN], buf[512];
	char want[MD_MISSING_STR] = "members ";
	int i, n;

	assert_string_equal(md_level_str(0), "raid0");
	assert_string_equal(md_level_str(1), "raid1");
	assert_string_equal(md_level_str(4), "raid4");
	assert_string_equal(md_level_str(5), "raid5");
	assert_string_equal(md_level_str(6), "raid6");
	assert_string_equal(md_level_str(10), "raid10");
	assert_string_equal(md_level_str(3), "raid?");

	memset(&a, 0, sizeof(a));
	assert_int_equal(add(&a, &r5[0], "8:0"), 0);
	md_missing_str(&a, s);
	assert_string_equal(s, "members 1, 2 of 3");
	assert_int_equal(add(&a, &r5[2], "8:32"), 0);
	md_missing_str(&a, s);
	assert_string_equal(s, "member 1 of 3");

	/* the longest: every role but 0 of the widest array fits */
	memset(&a, 0, sizeof(a));
	assert_int_equal(add(&a, &wide, "8:0"), 0);
	md_missing_str(&a, s);
	for (i = 1; i < MD_DISKS_MAX; i++)
		sprintf(want + strlen(want), "%s%d", i > 1 ? ", " : "", i);
	sprintf(want + strlen(want), " of %d", MD_DISKS_MAX);
	assert_string_equal(s, want);

	/* udev's database entry, as 63-md-raid-arrays.rules records it */
	x.name = "myhost:root";
	assert_int_equal(parse(&x, &m, err), 0);
	n = md_udev_entry(&m, "root", 1234, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf,
		"S:md/root\nI:1234\nE:MD_LEVEL=raid1\nE:MD_DEVICES=2\n"
		"E:MD_METADATA=1.2\nE:MD_UUID=3f1d2c4b:5a694e7f:8a1b2c3d:4e5f6a7b\n"
		"E:MD_DEVNAME=root\nE:MD_NAME=myhost:root\n"
		"G:systemd\nQ:systemd\nV:1\n");
	/* a line break in the on-disk name does not make a line */
	x.name = "h:a\nE:X=1";
	assert_int_equal(parse(&x, &m, err), 0);
	assert_true(md_udev_entry(&m, NULL, 1, buf, sizeof(buf)) > 0);
	assert_null(strstr(buf, "\nE:X"));
	assert_non_null(strstr(buf, "E:MD_NAME=h:a_E:X=1\n"));
	assert_null(strstr(buf, "S:md/"));
	assert_null(strstr(buf, "MD_DEVNAME"));
	/* 0.90: no name; cut short: refused, not truncated */
	x.major = 0;
	x.minor = 90;
	x.name = NULL;
	assert_int_equal(parse(&x, &m, err), 0);
	assert_true(md_udev_entry(&m, "0", 1, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "E:MD_METADATA=0.90\n"));
	assert_null(strstr(buf, "MD_NAME"));
	assert_int_equal(md_udev_entry(&m, "0", 1, buf, 40), -ENAMETOOLONG);
}

static void test_uuids(void **state)
{
	uint8_t u[16];
	char s[MD_UUID_STR];

	mdsb_uuid(MDSB_U2, u);
	md_uuid_str(u, s);
	assert_string_equal(s, "a1b2c3d4:e5f60718:293a4b5c:6d7e8f90");
	assert_true(md_uuid_match(u, "a1b2c3d4:e5f60718:293a4b5c:6d7e8f90"));
	assert_true(md_uuid_match(u, "A1B2C3D4:E5F60718:293A4B5C:6D7E8F90"));
	assert_true(md_uuid_match(u, "a1b2c3d4-e5f6-0718-293a-4b5c6d7e8f90"));
	assert_true(md_uuid_match(u, "a1b2c3d4e5f60718293a4b5c6d7e8f90"));
	assert_false(md_uuid_match(u, "a1b2c3d4:e5f60718:293a4b5c:6d7e8f9"));
	assert_false(md_uuid_match(u, "a1b2c3d4:e5f60718:293a4b5c:6d7e8f900"));
	assert_false(md_uuid_match(u, "a1b2c3d4:e5f60718:293a4b5c:6d7e8f91"));
	assert_false(md_uuid_match(u, "g1b2c3d4:e5f60718:293a4b5c:6d7e8f90"));
	assert_false(md_uuid_match(u, "a1b2c3d4 e5f60718 293a4b5c 6d7e8f90"));
	assert_false(md_uuid_match(u, ""));
}

/* ---- hostile bytes ------------------------------------------------------------------- */

/* Every length, and random damage: no stray read (each buffer is exactly
 * as long as said), no half-filled member, names terminated. */
static void sweep(const struct mdsb *s)
{
	uint8_t sb[MDSB_SIZE];
	uint64_t off = mdsb_build(s, sb);
	struct md_member m;
	struct md_array a;
	char err[ERRLEN];
	size_t n;
	int i, k, ok = 0;

	for (n = 0; n <= MDSB_SIZE; n++) {
		uint8_t *b = malloc(n ? n : 1);

		assert_non_null(b);
		memcpy(b, sb, n);
		if (!md_sb_parse(b, n, off, s->dev_bytes, &m, err, ERRLEN))
			assert_true(n >= 256);
		free(b);
	}
	srand(7);
	memset(&a, 0, sizeof(a));
	for (i = 0; i < 4000; i++) {
		uint8_t *b = malloc(MDSB_SIZE);

		assert_non_null(b);
		memcpy(b, sb, MDSB_SIZE);
		for (k = 0; k < 1 + rand() % 6; k++)
			b[rand() % (s->major ? 512 : MDSB_SIZE)] = (uint8_t)rand();
		if (i & 1)	/* past the checksum, to the checks behind it */
			mdsb_csum(b, s->major, 0);
		if (!md_sb_parse(b, MDSB_SIZE, off, s->dev_bytes, &m, err, 8)) {
			ok++;
			assert_non_null(memchr(m.name, '\0', sizeof(m.name)));
			assert_true(m.raid_disks >= 1 && m.raid_disks <= MD_DISKS_MAX);
			assert_true(m.role < m.raid_disks);
			md_array_add(&a, &m, "8:0");
			md_array_complete(&a);
			md_array_runnable_degraded(&a);
		} else {
			assert_true(strlen(err) < 8);
		}
		free(b);
	}
	assert_true(ok > 200);
}

static void test_hostile(void **state)
{
	struct mdsb x = R12(10, 4, 1, 7);
	struct mdsb y = { .major = 0, .minor = 90, .uuid = MDSB_U2, .level = 5,
			  .layout = 2, .raid_disks = 3, .chunk_sectors = 128,
			  .dev_bytes = 16 * MIB, .events = 17, .roles = "01s2" };

	sweep(&x);
	sweep(&y);
	/* a 1.x superblock whose max_dev reaches past a short read */
	x.roles = "0123ssssssssssssssssssss";
	sweep(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_raid1_12),
		cmocka_unit_test(test_raid1_090),
		cmocka_unit_test(test_raid0),
		cmocka_unit_test(test_raid5_degraded),
		cmocka_unit_test(test_raid4_parity_missing),
		cmocka_unit_test(test_raid6),
		cmocka_unit_test(test_raid10),
		cmocka_unit_test(test_stale),
		cmocka_unit_test(test_same_role),
		cmocka_unit_test(test_split_brain),
		cmocka_unit_test(test_spares_and_faulty),
		cmocka_unit_test(test_recovering),
		cmocka_unit_test(test_other_arrays),
		cmocka_unit_test(test_bad_checksum),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_wrong_place),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_minors),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_uuids),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
