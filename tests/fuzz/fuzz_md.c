/* fuzz_md.c - md_sb_parse() at each offset of a device, and every member
 * it accepts fed into one md_array, whose decisions and names are then
 * asked for.
 *
 * Input: a flag byte (bit 0: set the checksum of each superblock before
 * parsing it, so that the fuzzer reaches the checks behind it), the
 * device's size in bytes (8, little-endian), then up to four superblocks
 * of up to MD_SB_READ bytes each: superblock j is device 8:j, and is
 * parsed as read at each of md_sb_offsets(). */
#include <errno.h>
#include <string.h>
#include "bytes.h"
#include "md.h"
#include "../unit/mdsb_build.h"
#include "fuzz.h"

#define HEAD 9

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
	memset(used, 0, sizeof(used));
	n = md_choose_minor(m, used);
	FUZZ_CHECK(n >= 0 && n < MD_MINORS && n != 128);
	memset(used, 0xff, sizeof(used));
	FUZZ_CHECK(md_choose_minor(m, used) == -EBUSY);
}

static void check_array(const struct md_array *a)
{
	const struct md_slot *d[MD_DISKS_MAX + MD_EXTRA_MAX];
	int roles[MD_DISKS_MAX], n, i, miss, in_sync;

	miss = md_array_missing(a, roles, MD_DISKS_MAX);
	FUZZ_CHECK(miss >= 0 && miss <= a->sb.raid_disks);
	for (i = 0; i < miss; i++)
		FUZZ_CHECK(roles[i] >= 0 && roles[i] < a->sb.raid_disks);
	FUZZ_CHECK(md_array_complete(a) == (miss == 0));
	if (a->sb.level == 0 && miss)
		FUZZ_CHECK(!md_array_runnable_degraded(a));
	n = md_array_devices(a, d, MD_DISKS_MAX + MD_EXTRA_MAX);
	FUZZ_CHECK(n >= a->sb.raid_disks - miss);
	for (i = 0, in_sync = 1; i < n; i++) {
		FUZZ_CHECK(d[i]->majmin[0]);
		if (i < a->sb.raid_disks)
			in_sync &= d[i]->in_sync;
	}
	/* every role there and in sync: nothing can stop it */
	if (!miss && in_sync)
		FUZZ_CHECK(md_array_runnable_degraded(a));
	check_member(&a->sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct md_array a;
	struct md_member m;
	uint64_t dev_bytes, off[4];
	char err[96], majmin[16];
	size_t pos, j;
	int i;

	if (size < HEAD)
		return 0;
	dev_bytes = le64(data + 1);
	md_sb_offsets(dev_bytes, off);
	memset(&a, 0, sizeof(a));
	for (pos = HEAD, j = 0; pos < size && j < 4; pos += MD_SB_READ, j++) {
		size_t n = size - pos < MD_SB_READ ? size - pos : MD_SB_READ;

		for (i = 0; i < 4; i++) {
			uint8_t *buf;

			if (off[i] == MD_NO_OFFSET)
				continue;
			/* exactly as long as what was read: ASan sees any
			 * read past it */
			buf = malloc(n ? n : 1);
			if (!buf)
				return 0;
			if (data[0] & 1) {
				static uint8_t pad[MDSB_SIZE];

				memset(pad, 0, sizeof(pad));
				memcpy(pad, data + pos, n);
				mdsb_csum(pad, i == 3 ? 0 : 1, 0);
				memcpy(buf, pad, n);
			} else {
				memcpy(buf, data + pos, n);
			}
			if (!md_sb_parse(buf, n, off[i], dev_bytes, &m, err, sizeof(err))) {
				check_member(&m);
				snprintf(majmin, sizeof(majmin), "8:%zu", j);
				md_array_add(&a, &m, majmin);
				if (a.sb.raid_disks)
					check_array(&a);
			} else {
				FUZZ_TERMINATED(err);
				FUZZ_CHECK(err[0] != '\0');
				FUZZ_CHECK(m.raid_disks == 0);
			}
			free(buf);
		}
	}
	return 0;
}
