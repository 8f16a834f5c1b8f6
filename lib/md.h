/* md.h - Linux MD RAID superblocks (0.90, 1.0, 1.1, 1.2) and the decision
 * when an array can start (pure: no system calls, host-testable).
 *
 * A member disk is untrusted input: md_sb_parse() reads only inside the
 * buffer it is given, checks the checksum the kernel checks, and refuses
 * what /init cannot assemble with a message naming it.  The layouts come
 * from the kernel's <linux/raid/md_p.h>; the rules for using members
 * (freshness, enough members per level, device names) follow mdadm
 * --incremental, as cited at each function.
 *
 * How the caller assembles (all of it in the md helper's system-call side):
 *
 *   1. For each block device that appears: md_sb_offsets(size), read
 *      MD_SB_READ bytes at each offset that is not MD_NO_OFFSET and give
 *      them to md_sb_parse().  If several parse (a disk re-used with
 *      another metadata version), keep the one with the newest ctime, as
 *      mdadm's guess_super() does.  -ENOENT at every offset: not an md
 *      member, say nothing; another error: log "DEV: " and the message.
 *      A 0.90 superblock on a disk's last partition can also be at the
 *      end of the whole disk: use the partition (blkid does the same).
 *   2. md_array_add() the member to the array with its uuid (a zeroed
 *      struct md_array is empty and takes the first member it is given;
 *      -EXDEV means "another array": try the next one).
 *   3. md_array_complete(): start now.  Otherwise wait for more members;
 *      when the wait for the root times out, start the arrays that
 *      md_array_runnable_degraded() allows, logging md_array_missing():
 *      "md/root: member 1 of 2 missing (uuid ...), starting degraded".
 *   4. Start: pick the number with md_choose_minor() and the /dev/md/
 *      link with md_link_name(), then, as mdadm does for native (0.90 and
 *      1.x) metadata (util.c set_array_info() and add_disk(), Assemble.c):
 *        - write "mdN" to /sys/module/md_mod/parameters/new_array (makes
 *          the array; -EEXIST: already made), open /dev/mdN (block 9:N)
 *          O_RDWR;
 *        - ioctl(SET_ARRAY_INFO) with md_ioctl_array(): only the metadata
 *          version is set, which tells the kernel to take everything else
 *          from the members' superblocks;
 *        - ioctl(ADD_NEW_DISK) for each md_array_devices() entry, with
 *          md_ioctl_disk(): only major and minor are set, the kernel reads
 *          the role from the member's own superblock and refuses one with
 *          another uuid;
 *        - ioctl(RUN_ARRAY, NULL).  The kernel checks the members again
 *          (it drops non-fresh ones and refuses a dirty degraded raid4/5/6
 *          unless md_mod.start_dirty_degraded=1) and logs why in the
 *          kernel log: include its errno in the message.
 *      Then symlink /dev/md/NAME -> ../mdN (what udev's 63-md-raid-arrays
 *      rules would make) and wait for the device to have a size.
 *      Stale members are never handed to the kernel: as mdadm
 *      --incremental, they are left for the administrator to re-add.
 */
#ifndef INITKIT_MD_H
#define INITKIT_MD_H

#include <stddef.h>
#include <stdint.h>
#include <linux/raid/md_u.h>

#define MD_SB_READ	4096	/* bytes to read at each offset: a 0.90
				 * superblock is 4 KiB, a 1.x one 256 bytes
				 * + 2 per device slot, at most 4 KiB */
#define MD_NO_OFFSET	UINT64_MAX
#define MD_DISKS_MAX	64	/* raid_disks we accept: a sanity bound that
				 * lets a uint64_t hold a set of roles */
#define MD_EXTRA_MAX	8	/* spares and replacements kept per array */
#define MD_NAME_MAX	33	/* 1.x set_name is 32 bytes */
#define MD_UUID_STR	36	/* "8:8:8:8" hex digits, colons and NUL */
#define MD_MAJMIN_MAX	24	/* "4294967295:4294967295" and NUL */
#define MD_MINORS	512	/* md minors md_choose_minor() hands out */

#define MD_ROLE_SPARE	(-1)
#define MD_ROLE_FAULTY	(-2)

/*
 * Where to look for a superblock on a device of @dev_bytes bytes, in this
 * order: 1.2 (4 KiB from the start), 1.1 (0), 1.0 (8 to 12 KiB before the
 * end, 4 KiB aligned), 0.90 (the last 64 KiB-aligned 64 KiB).  An offset
 * the device is too small for (24 sectors for 1.x, 64 KiB for 0.90, as
 * mdadm) is MD_NO_OFFSET.  Returns how many offsets are usable.
 */
int md_sb_offsets(uint64_t dev_bytes, uint64_t off[4]);

/* One member, as its own superblock describes it.  Sizes in 512-byte
 * sectors. */
struct md_member {
	int major_version;	/* 0 or 1 */
	int minor_version;	/* 90 (or 91 after a finished reshape); 0, 1, 2 */
	uint8_t uuid[16];	/* the array's, in the order mdadm prints it
				 * (0.90: each 32-bit word most significant
				 * byte first) */
	char name[MD_NAME_MAX];	/* 1.x set_name, e.g. "host:root"; "" for 0.90 */
	int level;		/* 0, 1, 4, 5, 6 or 10 */
	int layout;
	int raid_disks;		/* 1..MD_DISKS_MAX */
	uint32_t chunk_sectors;
	uint64_t array_sectors;	/* the array's size; 0 for raid0, whose size
				 * depends on every member's */
	uint64_t comp_sectors;	/* the size used on each member */
	uint64_t data_offset;	/* where the data starts on the member */
	uint64_t ctime;		/* creation, seconds since the epoch */
	uint64_t events;	/* bumped at every superblock update */
	int role;		/* slot 0..raid_disks-1, MD_ROLE_SPARE or
				 * MD_ROLE_FAULTY */
	int in_sync;		/* 0: a role still being recovered (1.x
				 * recovery_offset) or a replacement */
	int dev_number;		/* the member's index in the superblock */
	int clean;		/* no resync pending */
	int preferred_minor;	/* 0.90: md_minor; -1 for 1.x */
	uint32_t feature_map;	/* 1.x MD_FEATURE_*; 0.90: BITMAP_OFFSET when
				 * it has an internal bitmap */
	uint64_t working;	/* bit r set: this superblock counts role r as
				 * working (mdadm's devmap) */
};

/*
 * Parse the @len bytes read at byte @sb_offset of a device of @dev_bytes
 * bytes (@sb_offset one of md_sb_offsets()'s).  Checks the magic, the
 * version against the place it was found (1.x: super_offset must say
 * where it is, as the kernel and mdadm insist), the checksum (0.90: the
 * kernel's calc_sb_csum over 4 KiB, folded to 16 bits as it compares;
 * 1.x: calc_sb_1_csum over 256 + 2 * max_dev bytes) and the sizes against
 * the device.  Returns 0 and fills @m, or writes why into @err (@errlen
 * bytes, cut to fit; may be NULL) and returns:
 *   -ENOENT      no md superblock here
 *   -EINVAL      a damaged or inconsistent superblock
 *   -EOPNOTSUPP  one we will not assemble: a reshape in progress, a write
 *                journal or PPL, a clustered array, linear, multipath,
 *                faulty or unknown levels, more than MD_DISKS_MAX
 *                members, a 0.90 superblock of the other byte order.
 * Bitmaps and bad-block logs are fine: the kernel reads them.
 */
int md_sb_parse(const uint8_t *buf, size_t len, uint64_t sb_offset,
		uint64_t dev_bytes, struct md_member *m, char *err, size_t errlen);

/* A member as the array keeps it. */
struct md_slot {
	char majmin[MD_MAJMIN_MAX];	/* "MAJ:MIN"; "" when the slot is empty */
	unsigned int major, minor;
	uint64_t events;
	uint64_t working;
	int in_sync;
	int clean;
};

/*
 * An array being assembled, one member at a time.  Zeroed, it is empty.
 * @sb is the freshest superblock of a member with a role (or the first
 * member's, while there is none): uuid, name, level, sizes.
 */
struct md_array {
	struct md_member sb;
	struct md_slot slot[MD_DISKS_MAX];	/* by role */
	struct md_slot extra[MD_EXTRA_MAX];	/* spares and replacements */
};

/*
 * Add member @m, read from block device @majmin ("MAJ:MIN"), to @a.  A
 * device added again replaces what was known of it.  Returns 0 when @m is
 * kept, or:
 *   -EXDEV   it belongs to another array (another uuid)
 *   -EINVAL  same uuid but another metadata version, level, layout, chunk
 *            or number of members (the kernel would refuse it too), or a
 *            malformed @majmin
 *   -ESTALE  its events count is older than the freshest role member's by
 *            more than 1 (mdadm's count_active()), or another member with
 *            the same role is fresher: it is not used
 *   -ENODEV  its own superblock calls it faulty
 *   -ENOSPC  no room for another spare (MD_EXTRA_MAX)
 * A member kept now can still become stale when a fresher one arrives:
 * the functions below decide on what is known when they are called.
 */
int md_array_add(struct md_array *a, const struct md_member *m, const char *majmin);

/* Every role has a member to hand to the kernel: nothing to wait for. */
int md_array_complete(const struct md_array *a);

/*
 * Enough in-sync members to run, possibly degraded (mdadm's enough()):
 * raid1 one; raid4/5 all but one, raid6 all but two, and then only if the
 * array was shut down clean (the kernel refuses a dirty degraded one);
 * raid10 a copy of every chunk, from the near/far layout; raid0 all.
 * True when complete too.  A member whose superblock counts the freshest
 * member as failed is not counted (mdadm's count_active() drops it: the
 * two halves of a split brain).
 */
int md_array_runnable_degraded(const struct md_array *a);

/* The roles without a member, in @roles (at most @max of them).  Returns
 * how many are missing, which may be more than @max. */
int md_array_missing(const struct md_array *a, int *roles, int max);

/* The members to hand to the kernel, role members in role order, then
 * spares: pointers into @a.  Returns how many (at most @max). */
int md_array_devices(const struct md_array *a, const struct md_slot **devs, int max);

/* mdadm's form of a uuid, "a1b2c3d4:e5f60718:293a4b5c:6d7e8f90", which
 * rd.md.uuid= and mdadm.conf use. */
void md_uuid_str(const uint8_t uuid[16], char out[MD_UUID_STR]);

/* Does @text name @uuid?  32 hex digits in either case; ':' and '-' are
 * ignored wherever they are (dracut accepts both forms).  1 or 0. */
int md_uuid_match(const uint8_t uuid[16], const char *text);

/*
 * The name of the /dev/md/ link, as mdadm --incremental makes it when it
 * trusts the name (the default without mdadm.conf): a 1.x name without the
 * "homehost:" prefix, '/' made '-' and white space or control bytes '_';
 * for 0.90 the preferred minor in decimal ("0" for /dev/md/0).  Returns 0,
 * -ENOENT if the array has no name, -EINVAL for "", "." or "..".
 */
int md_link_name(const struct md_member *m, char out[MD_NAME_MAX]);

/* Does @text (root=/dev/md/NAME, or NAME alone) name this array?  NAME may
 * be the link name or the whole 1.x name with its homehost prefix.  1 or 0. */
int md_name_match(const struct md_member *m, const char *text);

/*
 * The md minor to use (/dev/mdN).  0.90: the preferred minor; 1.x: the
 * number a numeric name gives ("0", "md0", "host:0", as mdadm's
 * create_mddev()), when it is below MD_MINORS and not marked in @used (a
 * bitmap of minors in use, bit N of byte N / 8).  Otherwise the highest
 * free one from 127 down to 0, then from 511 down to 129 (mdadm's
 * find_free_devnm()); users rely on /dev/md/NAME, not on this number.
 * Returns the minor, or -EBUSY if every one is used.
 */
int md_choose_minor(const struct md_member *m, const uint8_t used[MD_MINORS / 8]);

/* "raid0", "raid1", "raid4", "raid5", "raid6", "raid10": mdadm's names,
 * which udev's MD_LEVEL and our messages use. */
const char *md_level_str(int level);

/* The roles without a member, for a message: "member 1 of 2", "members 0,
 * 2 of 4".  Every role fits: "members " and " of 64" around 10 roles of
 * "N, " and 54 of "NN, ". */
#define MD_MISSING_STR	(16 + 4 * MD_DISKS_MAX)
void md_missing_str(const struct md_array *a, char out[MD_MISSING_STR]);

/*
 * The udev database entry (/run/udev/data/b9:MINOR) of an array started as
 * /dev/md/@link (may be NULL), what 63-md-raid-arrays.rules records from
 * `mdadm --detail --export`: MD_LEVEL, MD_DEVICES, MD_METADATA, MD_UUID,
 * MD_DEVNAME, MD_NAME, with @usec as the initialisation time.  udev in the
 * real root then treats the device as one it has seen.  Returns the length
 * written into @out (@size bytes, NUL-terminated) or -ENAMETOOLONG.
 */
int md_udev_entry(const struct md_member *sb, const char *link, long long usec,
		  char *out, size_t size);

/* The ioctl arguments, zeroed but for the fields the kernel reads when
 * the superblocks are on the members (see the top of this file). */
void md_ioctl_array(const struct md_array *a, mdu_array_info_t *ai);
void md_ioctl_disk(const struct md_slot *s, mdu_disk_info_t *di);

#endif
