/* fuzz_md.c - md_sb_parse() at each offset of a device, and every member
 * it accepts fed into one md_array, whose decisions and names are then
 * asked for.
 *
 * Input: a flag byte, the device's size in bytes (8, little-endian), then
 * superblocks of up to MD_SB_READ bytes each, parsed as read at each of
 * md_sb_offsets(); superblock j is device 8:j.
 *   flag bit 0: set each superblock's checksum before parsing it, so that
 *               the fuzzer reaches the checks behind it;
 *   flag bit 1: whole arrays: one superblock, then up to 16 bytes, each
 *               one more member made from it (its checksum set): the low
 *               6 bits its member number, the high 2 how many events
 *               older it is. */
#include <errno.h>
#include <string.h>
#include "bytes.h"
#include "md.h"
#include "../unit/mdsb_build.h"
#include "fuzz.h"

#define HEAD	9
#define COPIES	16

/* The udev entry is lines of KEY:VALUE, whatever the name on the disk. */
static void check_udev(const struct md_member *m)
{
	char s[MD_NAME_MAX], buf[512], *p;
	int n = md_udev_entry(m, md_link_name(m, s) ? NULL : s, 1, buf, sizeof(buf));

	FUZZ_CHECK(n > 0 && (size_t)n == strlen(buf) && buf[n - 1] == '\n');
	for (p = buf; *p; p = strchr(p, '\n') + 1) {
		FUZZ_CHECK(strchr("SIEGQV", p[0]) && p[1] == ':');
		for (; *p != '\n'; p++)
			FUZZ_CHECK((unsigned char)*p >= ' ' && *p != 0x7f);
	}
}

static void check_member(const struct md_member *m)
{
	char s[MD_NAME_MAX], u[MD_UUID_STR];
	uint8_t used[MD_MINORS / 8];
	int n;

	FUZZ_TERMINATED(m->name);
	FUZZ_CHECK(m->major_version == 0 || m->major_version == 1);
	FUZZ_CHECK(m->raid_disks >= 1 && m->raid_disks <= MD_DISKS_MAX);
	FUZZ_CHECK(m->role < m->raid_disks && m->role >= MD_ROLE_FAULTY);
	md_uuid_str(m->uuid, u);
	FUZZ_CHECK(strlen(u) == MD_UUID_STR - 1 && md_uuid_match(m->uuid, u));
	if (!md_link_name(m, s)) {
		FUZZ_TERMINATED(s);
		FUZZ_CHECK(s[0] && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, ".."));
		FUZZ_CHECK(md_name_match(m, s));
	}
	check_udev(m);
	memset(used, 0, sizeof(used));
	n = md_choose_minor(m, used);
	FUZZ_CHECK(n >= 0 && n < MD_MINORS && n != 128);
	memset(used, 0xff, sizeof(used));
	FUZZ_CHECK(md_choose_minor(m, used) == -EBUSY);
}

static void check_array(const struct md_array *a)
{
	const struct md_slot *d[MD_DISKS_MAX + MD_EXTRA_MAX];
	int roles[MD_DISKS_MAX], n, i, miss, in_sync, run;
	mdu_array_info_t ai;
	mdu_disk_info_t di;

	miss = md_array_missing(a, roles, MD_DISKS_MAX);
	FUZZ_CHECK(miss >= 0 && miss <= a->sb.raid_disks);
	for (i = 0; i < miss && i < MD_DISKS_MAX; i++)
		FUZZ_CHECK(roles[i] >= 0 && roles[i] < a->sb.raid_disks);
	FUZZ_CHECK(md_array_complete(a) == (miss == 0));
	if (miss) {
		char ms[MD_MISSING_STR];

		md_missing_str(a, ms);
		FUZZ_CHECK(strlen(ms) < sizeof(ms) && strstr(ms, " of "));
	}
	run = md_array_runnable_degraded(a);
	if (a->sb.level == 0 && miss)
		FUZZ_CHECK(!run);
	if (miss == a->sb.raid_disks)
		FUZZ_CHECK(!run);
	n = md_array_devices(a, d, MD_DISKS_MAX + MD_EXTRA_MAX);
	FUZZ_CHECK(n >= a->sb.raid_disks - miss);
	for (i = 0, in_sync = 1; i < n; i++) {
		FUZZ_CHECK(d[i]->majmin[0]);
		if (i < a->sb.raid_disks)
			in_sync &= d[i]->in_sync;
		md_ioctl_disk(d[i], &di);
		FUZZ_CHECK(di.major == (int)d[i]->major && di.minor == (int)d[i]->minor);
	}
	/* every role there and in sync: nothing can stop it */
	if (!miss && in_sync)
		FUZZ_CHECK(run);
	md_ioctl_array(a, &ai);
	FUZZ_CHECK(ai.major_version == a->sb.major_version && !ai.raid_disks);
	check_member(&a->sb);
}

/* Parse the @n bytes at @sb as read at each offset, as device 8:@j; with
 * @dev >= 0, as member @dev, @older events older, checksum set. */
static void feed(struct md_array *a, const uint8_t *sb, size_t n, int fix,
		 const uint64_t off[4], uint64_t dev_bytes, size_t j, int dev, int older)
{
	static uint8_t pad[MDSB_SIZE];
	struct md_member m;
	char err[96], majmin[16];
	int i;

	snprintf(majmin, sizeof(majmin), "8:%zu", j);
	for (i = 0; i < 4; i++) {
		uint8_t *buf;

		if (off[i] == MD_NO_OFFSET)
			continue;
		memset(pad, 0, sizeof(pad));
		memcpy(pad, sb, n);
		if (dev >= 0 && i < 3) {
			struct mdp_superblock_1 *s1 = (struct mdp_superblock_1 *)pad;

			s1->dev_number = htole32((uint32_t)dev);
			s1->events = htole64(le64toh(s1->events) - (uint64_t)older);
		} else if (dev >= 0) {
			mdp_super_t *s0 = (mdp_super_t *)pad;

			s0->this_disk.number = (uint32_t)dev;
			s0->events_lo -= (uint32_t)older;
		}
		if (fix || dev >= 0)
			mdsb_csum(pad, i == 3 ? 0 : 1, 0);
		/* exactly as long as what was read: ASan sees any read past it */
		buf = malloc(n ? n : 1);
		if (!buf)
			return;
		memcpy(buf, pad, n);
		if (!md_sb_parse(buf, n, off[i], dev_bytes, &m, err, sizeof(err))) {
			check_member(&m);
			md_array_add(a, &m, majmin);
		} else {
			FUZZ_TERMINATED(err);
			FUZZ_CHECK(err[0] != '\0');
			FUZZ_CHECK(m.raid_disks == 0);
		}
		if (a->sb.raid_disks)
			check_array(a);
		free(buf);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct md_array a;
	uint64_t dev_bytes, off[4];
	size_t pos, j, n;

	if (size < HEAD)
		return 0;
	dev_bytes = le64(data + 1);
	md_sb_offsets(dev_bytes, off);
	memset(&a, 0, sizeof(a));
	if (data[0] & 2) {
		n = size - HEAD < MD_SB_READ ? size - HEAD : MD_SB_READ;
		feed(&a, data + HEAD, n, data[0] & 1, off, dev_bytes, 0, -1, 0);
		for (pos = HEAD + n, j = 1; pos < size && j <= COPIES; pos++, j++)
			feed(&a, data + HEAD, n, 1, off, dev_bytes, j, data[pos] & 63,
			     data[pos] >> 6);
		return 0;
	}
	for (pos = HEAD, j = 0; pos < size && j < 4; pos += MD_SB_READ, j++) {
		n = size - pos < MD_SB_READ ? size - pos : MD_SB_READ;
		feed(&a, data + pos, n, data[0] & 1, off, dev_bytes, j, -1, 0);
	}
	return 0;
}
