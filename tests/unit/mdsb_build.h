/* mdsb_build.h - build MD RAID superblocks (0.90, 1.0, 1.1, 1.2) for the
 * tests, from the kernel's own structures (<linux/raid/md_p.h>), the way
 * mdadm and the kernel write them.  Host only.
 *
 * Checked against mdadm once: tests/unit/fixtures/md/make.sh writes the
 * mdsb_fixtures[] below into sparse files and records what
 * `mdadm --examine` says of each; test_md.c replays those records without
 * mdadm and checks that this builder still writes the same bytes. */
#ifndef INITKIT_MDSB_BUILD_H
#define INITKIT_MDSB_BUILD_H

#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/raid/md_p.h>

#define MDSB_SIZE 4096

struct mdsb {
	const char *fname;	/* fixture name (make.sh), or NULL */
	int major, minor;	/* 0.90, 1.0, 1.1 or 1.2 */
	const char *uuid;	/* 32 hex digits, as mdadm prints them */
	const char *name;	/* 1.x set_name */
	int level, layout, raid_disks;
	uint32_t chunk_sectors;
	uint64_t dev_bytes;	/* the member device */
	uint64_t comp_sectors;	/* 0: what the device holds, to the chunk */
	uint64_t data_offset;	/* 1.1, 1.2; 0: 2048 */
	uint64_t events;
	int dev_number;		/* this member: its role is roles[dev_number] */
	const char *roles;	/* one character per device slot: '0'-'9' a
				 * role, 's' spare, 'f' faulty; NULL: the
				 * roles 0..raid_disks-1 */
	uint32_t feature_map;	/* 1.x */
	int dirty;		/* a resync is pending */
	int md_minor;		/* 0.90 */
	uint64_t ctime;		/* 0: 1700000000 */
	int bad_csum;		/* store the checksum plus one */
	uint64_t reshape_pos;	/* != 0: a reshape (1.x feature, 0.91) */
	uint64_t recovery_offset;	/* 1.x, with MD_FEATURE_RECOVERY_OFFSET */
	int other_endian;	/* 0.90 written by the other byte order */
};

static inline int mdsb_role(const struct mdsb *s, int k)
{
	char c;

	if (!s->roles)
		return k < s->raid_disks ? k : -1;
	if (k >= (int)strlen(s->roles))
		return -1;
	c = s->roles[k];
	return c == 's' ? -1 : c == 'f' ? -2 : c - '0';
}

static inline int mdsb_slots(const struct mdsb *s)
{
	return s->roles ? (int)strlen(s->roles) : s->raid_disks;
}

static inline void mdsb_uuid(const char *hex, uint8_t out[16])
{
	int i;

	for (i = 0; i < 16; i++) {
		unsigned int v;

		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

static inline uint64_t mdsb_offset(const struct mdsb *s)
{
	uint64_t sect = s->dev_bytes / 512;

	if (s->major == 0)
		return MD_NEW_SIZE_SECTORS(sect) * 512;
	if (s->minor == 0)
		return ((sect - 16) & ~(uint64_t)7) * 512;
	return s->minor == 1 ? 0 : 4096;
}

/* Set the checksum of the superblock in @buf (MDSB_SIZE bytes) to what
 * the kernel computes: calc_sb_1_csum() for 1.x, mdadm's unfolded
 * calc_sb0_csum() for 0.90 (host order).  Plus @plus, to break it. */
static inline void mdsb_csum(uint8_t *buf, int major, uint32_t plus)
{
	uint64_t sum = 0;
	uint32_t w;
	int k, size;

	if (major == 0) {
		mdp_super_t *sb = (mdp_super_t *)buf;

		sb->sb_csum = 0;
		for (k = 0; k < MD_SB_BYTES; k += 4) {
			memcpy(&w, buf + k, 4);
			sum += w;
		}
		sb->sb_csum = (uint32_t)sum + (uint32_t)(sum >> 32) + plus;
	} else {
		struct mdp_superblock_1 *sb = (struct mdp_superblock_1 *)buf;

		size = 256 + 2 * (int)(le32toh(sb->max_dev) % 1921);
		sb->sb_csum = 0;
		for (k = 0; k + 4 <= size; k += 4) {
			memcpy(&w, buf + k, 4);
			sum += le32toh(w);
		}
		if (size & 2)
			sum += (uint32_t)(buf[size - 2] | buf[size - 1] << 8);
		sb->sb_csum = htole32((uint32_t)sum + (uint32_t)(sum >> 32) + plus);
	}
}

static inline void mdsb_build_1(const struct mdsb *s, uint8_t *buf)
{
	struct mdp_superblock_1 *sb = (struct mdp_superblock_1 *)buf;
	uint64_t sect = s->dev_bytes / 512, off = mdsb_offset(s) / 512, data_size;
	uint64_t chunk = s->chunk_sectors ? s->chunk_sectors : 8;
	int k, n = mdsb_slots(s);

	sb->magic = htole32(MD_SB_MAGIC);
	sb->major_version = htole32(1);
	sb->feature_map = htole32(s->feature_map | (s->reshape_pos ? MD_FEATURE_RESHAPE_ACTIVE : 0));
	mdsb_uuid(s->uuid, sb->set_uuid);
	strncpy(sb->set_name, s->name ? s->name : "", sizeof(sb->set_name));
	sb->ctime = htole64(s->ctime ? s->ctime : 1700000000);
	sb->level = htole32((uint32_t)s->level);
	sb->layout = htole32((uint32_t)s->layout);
	sb->chunksize = htole32(s->chunk_sectors);
	sb->raid_disks = htole32((uint32_t)s->raid_disks);
	if (s->feature_map & MD_FEATURE_BITMAP_OFFSET)
		sb->bitmap_offset = htole32(8);
	if (s->reshape_pos) {
		sb->new_level = sb->level;
		sb->reshape_position = htole64(s->reshape_pos);
		sb->delta_disks = htole32(1);
		sb->new_layout = sb->layout;
		sb->new_chunk = sb->chunksize;
	}
	if (s->minor == 0) {
		sb->data_offset = 0;
		data_size = off;
	} else {
		sb->data_offset = htole64(s->data_offset ? s->data_offset : 2048);
		data_size = sect - le64toh(sb->data_offset);
	}
	sb->data_size = htole64(data_size);
	sb->size = htole64(s->comp_sectors ? s->comp_sectors : data_size & ~(chunk - 1));
	sb->super_offset = htole64(off);
	sb->recovery_offset = htole64(s->recovery_offset);
	sb->dev_number = htole32((uint32_t)s->dev_number);
	mdsb_uuid(s->uuid, sb->device_uuid);
	sb->device_uuid[15] ^= (uint8_t)(s->dev_number + 1);
	sb->utime = sb->ctime;
	sb->events = htole64(s->events);
	sb->resync_offset = htole64(s->dirty ? 0 : ~(uint64_t)0);
	sb->max_dev = htole32((uint32_t)n);
	for (k = 0; k < n; k++) {
		int r = mdsb_role(s, k);

		sb->dev_roles[k] = htole16(r == -1 ? MD_DISK_ROLE_SPARE :
					   r == -2 ? MD_DISK_ROLE_FAULTY : (uint16_t)r);
	}
	mdsb_csum(buf, 1, !!s->bad_csum);
}

static inline void mdsb_build_0(const struct mdsb *s, uint8_t *buf)
{
	mdp_super_t *sb = (mdp_super_t *)buf;
	uint64_t off = mdsb_offset(s) / 512, chunk = s->chunk_sectors ? s->chunk_sectors : 8;
	uint8_t u[16];
	uint32_t *w = (uint32_t *)buf;
	int k, n = mdsb_slots(s), active = 0, failed = 0, spare = 0;

	mdsb_uuid(s->uuid, u);
	sb->md_magic = MD_SB_MAGIC;
	sb->major_version = 0;
	sb->minor_version = s->reshape_pos ? 91 : 90;
	sb->set_uuid0 = (uint32_t)u[0] << 24 | u[1] << 16 | u[2] << 8 | u[3];
	sb->set_uuid1 = (uint32_t)u[4] << 24 | u[5] << 16 | u[6] << 8 | u[7];
	sb->set_uuid2 = (uint32_t)u[8] << 24 | u[9] << 16 | u[10] << 8 | u[11];
	sb->set_uuid3 = (uint32_t)u[12] << 24 | u[13] << 16 | u[14] << 8 | u[15];
	sb->ctime = (uint32_t)(s->ctime ? s->ctime : 1700000000);
	sb->level = (uint32_t)s->level;
	sb->size = (uint32_t)((s->comp_sectors ? s->comp_sectors : off & ~(chunk - 1)) / 2);
	sb->nr_disks = (uint32_t)n;
	sb->raid_disks = (uint32_t)s->raid_disks;
	sb->md_minor = (uint32_t)s->md_minor;
	sb->utime = sb->ctime;
	sb->state = s->dirty ? 0 : 1 << MD_SB_CLEAN;
	sb->events_hi = (uint32_t)(s->events >> 32);
	sb->events_lo = (uint32_t)s->events;
	sb->cp_events_hi = sb->events_hi;
	sb->cp_events_lo = sb->events_lo;
	sb->recovery_cp = s->dirty ? 0 : ~0u;
	sb->reshape_position = s->reshape_pos ? s->reshape_pos : 0;
	if (s->reshape_pos) {
		sb->new_level = sb->level;
		sb->delta_disks = 1;
		sb->new_layout = (uint32_t)s->layout;
		sb->new_chunk = s->chunk_sectors * 512;
	}
	sb->layout = (uint32_t)s->layout;
	sb->chunk_size = s->chunk_sectors * 512;
	for (k = 0; k < n && k < MD_SB_DISKS; k++) {
		int r = mdsb_role(s, k);
		mdp_disk_t *d = &sb->disks[k];

		d->number = (uint32_t)k;
		d->major = 8;
		d->minor = (uint32_t)(16 * k);
		d->raid_disk = r >= 0 ? (uint32_t)r : (uint32_t)k;
		if (r >= 0) {
			d->state = 1 << MD_DISK_ACTIVE | 1 << MD_DISK_SYNC;
			active++;
		} else if (r == -2) {
			d->state = 1 << MD_DISK_FAULTY | 1 << MD_DISK_REMOVED;
			failed++;
		} else {
			spare++;
		}
	}
	sb->active_disks = (uint32_t)active;
	sb->working_disks = (uint32_t)(active + spare);
	sb->failed_disks = (uint32_t)failed;
	sb->spare_disks = (uint32_t)spare;
	sb->this_disk = sb->disks[s->dev_number];
	mdsb_csum(buf, 0, !!s->bad_csum);
	if (s->other_endian)
		for (k = 0; k < MD_SB_BYTES / 4; k++)
			w[k] = __builtin_bswap32(w[k]);
}

/* Write the superblock @s describes into @buf (MDSB_SIZE bytes, zeroed
 * here); returns its byte offset on the member. */
static inline uint64_t mdsb_build(const struct mdsb *s, uint8_t *buf)
{
	memset(buf, 0, MDSB_SIZE);
	if (s->major == 0)
		mdsb_build_0(s, buf);
	else
		mdsb_build_1(s, buf);
	return mdsb_offset(s);
}

/* ---- the fixtures make.sh checks with mdadm --examine ---------------------- */

#define MDSB_U1 "3f1d2c4b5a694e7f8a1b2c3d4e5f6a7b"
#define MDSB_U2 "a1b2c3d4e5f60718293a4b5c6d7e8f90"
#define MDSB_U3 "00112233445566778899aabbccddeeff"
#define MDSB_MIB (1024 * 1024ULL)

static const struct mdsb mdsb_fixtures[] = {
	{ .fname = "r1-12-m0", .major = 1, .minor = 2, .uuid = MDSB_U1,
	  .name = "fixture-host:root", .level = 1, .raid_disks = 2,
	  .dev_bytes = 64 * MDSB_MIB, .events = 42, .dev_number = 0 },
	{ .fname = "r1-12-m1", .major = 1, .minor = 2, .uuid = MDSB_U1,
	  .name = "fixture-host:root", .level = 1, .raid_disks = 2,
	  .dev_bytes = 64 * MDSB_MIB, .events = 42, .dev_number = 1 },
	{ .fname = "r1-090-m0", .major = 0, .minor = 90, .uuid = MDSB_U2,
	  .level = 1, .raid_disks = 2, .dev_bytes = 64 * MDSB_MIB + 12345,
	  .events = 17, .dev_number = 0, .md_minor = 0 },
	{ .fname = "r1-090-m1", .major = 0, .minor = 90, .uuid = MDSB_U2,
	  .level = 1, .raid_disks = 2, .dev_bytes = 64 * MDSB_MIB + 12345,
	  .events = 17, .dev_number = 1, .md_minor = 0 },
	{ .fname = "r1-10", .major = 1, .minor = 0, .uuid = MDSB_U1,
	  .name = "boot", .level = 1, .raid_disks = 2,
	  .dev_bytes = 32 * MDSB_MIB + 7 * 512, .events = 9, .dev_number = 1 },
	{ .fname = "r1-11", .major = 1, .minor = 1, .uuid = MDSB_U1,
	  .name = "fixture-host:home", .level = 1, .raid_disks = 3,
	  .dev_bytes = 32 * MDSB_MIB, .events = 5, .dev_number = 2 },
	{ .fname = "r0-12", .major = 1, .minor = 2, .uuid = MDSB_U3, .name = "data",
	  .level = 0, .raid_disks = 2, .chunk_sectors = 1024,
	  .dev_bytes = 64 * MDSB_MIB, .events = 3, .dev_number = 1 },
	{ .fname = "r5-12-m2", .major = 1, .minor = 2, .uuid = MDSB_U3,
	  .name = "fixture-host:big", .level = 5, .layout = 2, .raid_disks = 3,
	  .chunk_sectors = 1024, .dev_bytes = 64 * MDSB_MIB, .events = 1234567,
	  .dev_number = 2 },
	{ .fname = "r5-12-spare", .major = 1, .minor = 2, .uuid = MDSB_U3,
	  .name = "fixture-host:big", .level = 5, .layout = 2, .raid_disks = 3,
	  .chunk_sectors = 1024, .dev_bytes = 64 * MDSB_MIB, .events = 1234567,
	  .dev_number = 3, .roles = "012s" },
	{ .fname = "r5-12-degraded-dirty", .major = 1, .minor = 2, .uuid = MDSB_U3,
	  .name = "fixture-host:big", .level = 5, .layout = 2, .raid_disks = 3,
	  .chunk_sectors = 1024, .dev_bytes = 64 * MDSB_MIB, .events = 1234570,
	  .dev_number = 0, .roles = "0f2", .dirty = 1 },
	{ .fname = "r6-090", .major = 0, .minor = 90, .uuid = MDSB_U2,
	  .level = 6, .layout = 2, .raid_disks = 4, .chunk_sectors = 128,
	  .dev_bytes = 48 * MDSB_MIB, .events = 77, .dev_number = 3, .md_minor = 5 },
	{ .fname = "r10-12", .major = 1, .minor = 2, .uuid = MDSB_U1,
	  .name = "fixture-host:r10", .level = 10, .layout = 0x102, .raid_disks = 4,
	  .chunk_sectors = 1024, .dev_bytes = 64 * MDSB_MIB, .events = 8,
	  .dev_number = 1 },
	{ .fname = "r5-12-reshape", .major = 1, .minor = 2, .uuid = MDSB_U3,
	  .name = "fixture-host:big", .level = 5, .layout = 2, .raid_disks = 4,
	  .chunk_sectors = 1024, .dev_bytes = 64 * MDSB_MIB, .events = 99,
	  .dev_number = 0, .reshape_pos = 4096 },
	{ .fname = "r1-12-badsum", .major = 1, .minor = 2, .uuid = MDSB_U1,
	  .name = "fixture-host:root", .level = 1, .raid_disks = 2,
	  .dev_bytes = 64 * MDSB_MIB, .events = 42, .dev_number = 0, .bad_csum = 1 },
	{ .fname = "r1-090-badsum", .major = 0, .minor = 90, .uuid = MDSB_U2,
	  .level = 1, .raid_disks = 2, .dev_bytes = 64 * MDSB_MIB + 12345,
	  .events = 17, .dev_number = 0, .bad_csum = 1 },
};

#endif
