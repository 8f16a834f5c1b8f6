/* probe.c - superblock probes (pure: no syscalls)
 *
 * Every probe gets the first @len bytes of a device and must not look past
 * them: each read is preceded by a check against @len, and no offset or
 * length taken from the disk is used before it has been checked too.  What
 * the probes report follows blkid(8): the type is the name mount(2) takes,
 * the UUID and label are what `blkid -p -o value -s UUID|LABEL` prints. */
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include "bytes.h"
#include "probe.h"

/* Are the @n bytes at @off inside a buffer of @len bytes? (overflow-safe) */
static int have(size_t len, uint64_t off, uint64_t n)
{
	return off <= len && n <= len - off;
}

static int is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

void probe_format_uuid(const uint8_t *u, char *out)
{
	static const char hex[] = "0123456789abcdef";
	int i, o = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[u[i] >> 4];
		out[o++] = hex[u[i] & 15];
	}
	out[o] = '\0';
}

/* blkid reports no UUID at all for an all-zero one. */
static void set_uuid(struct fs_info *fi, const uint8_t *u)
{
	int i;

	for (i = 0; i < 16; i++)
		if (u[i])
			break;
	if (i < 16)
		probe_format_uuid(u, fi->uuid);
}

static int is_space(uint8_t c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Copy a fixed-size, possibly unterminated on-disk label the way blkid does:
 * up to the first NUL, trailing white space dropped. */
static void copy_label(char *dst, size_t dstsize, const uint8_t *src, size_t n)
{
	size_t i;

	if (n >= dstsize)
		n = dstsize - 1;
	for (i = 0; i < n && src[i]; i++)
		dst[i] = (char)src[i];
	while (i > 0 && is_space((uint8_t)dst[i - 1]))
		i--;
	dst[i] = '\0';
}

/* ---- ext2/3/4 ------------------------------------------------------- */

#define EXT_SB_OFF		1024
#define EXT_MAGIC		0xEF53
#define EXT3_COMPAT_JOURNAL	0x0004
#define EXT3_INCOMPAT_JOURNAL_DEV 0x0008
/* Incompat/ro-compat features ext3 does not know: their presence means ext4. */
#define EXT3_INCOMPAT_SUPP	0x0016	/* filetype, recover, meta_bg */
#define EXT3_RO_COMPAT_SUPP	0x0007	/* sparse_super, large_file, btree_dir */

static int probe_ext(const uint8_t *buf, size_t len, struct fs_info *fi)
{
	const uint8_t *sb;
	uint32_t compat, incompat, ro_compat;

	if (len < EXT_SB_OFF + 1024)
		return -ENOENT;
	sb = buf + EXT_SB_OFF;
	if (le16(sb + 0x38) != EXT_MAGIC)
		return -ENOENT;
	compat = le32(sb + 0x5C);
	incompat = le32(sb + 0x60);
	ro_compat = le32(sb + 0x64);
	if (incompat & EXT3_INCOMPAT_JOURNAL_DEV)
		return -ENOENT;		/* an external journal, not mountable */

	if ((incompat & ~EXT3_INCOMPAT_SUPP) || (ro_compat & ~EXT3_RO_COMPAT_SUPP))
		strcpy(fi->type, "ext4");
	else if (compat & EXT3_COMPAT_JOURNAL)
		strcpy(fi->type, "ext3");
	else
		strcpy(fi->type, "ext2");
	set_uuid(fi, sb + 0x68);
	copy_label(fi->label, sizeof(fi->label), sb + 0x78, 16);
	return 0;
}

/* ---- xfs (superblock at 0, big-endian) ---------------------------------- */

#define XFS_SB_SIZE		512	/* one sector: all the fields below */
#define XFS_MAGIC		"XFSB"
#define XFS_MIN_AG_BLOCKS	64

static int probe_xfs(const uint8_t *sb, size_t len, struct fs_info *fi)
{
	uint32_t bsize, agblocks, agcount, rextsize;
	uint16_t sectsize, inodesize;
	uint8_t blocklog, sectlog, inodelog, inopblog;
	uint64_t dblocks, rext;

	if (len < XFS_SB_SIZE || memcmp(sb, XFS_MAGIC, 4))
		return -ENOENT;
	bsize = be32(sb + 4);
	dblocks = be64(sb + 8);
	rextsize = be32(sb + 80);
	agblocks = be32(sb + 84);
	agcount = be32(sb + 88);
	sectsize = be16(sb + 102);
	inodesize = be16(sb + 104);
	blocklog = sb[120];
	sectlog = sb[121];
	inodelog = sb[122];
	inopblog = sb[123];

	/* The sanity checks blkid makes, so a stray "XFSB" is not enough. */
	if (!agcount || sectlog < 9 || sectlog > 15 || sectsize != 1u << sectlog ||
	    blocklog < 9 || blocklog > 16 || bsize != 1u << blocklog ||
	    inodelog < 8 || inodelog > 11 || inodesize != 1u << inodelog ||
	    blocklog - inodelog != inopblog || sb[127] > 100)
		return -ENOENT;
	rext = (uint64_t)rextsize * bsize;
	if (rext < 4096 || rext > 1024 * 1024 * 1024)
		return -ENOENT;
	if (!dblocks || dblocks > (uint64_t)agcount * agblocks ||
	    dblocks < (uint64_t)(agcount - 1) * agblocks + XFS_MIN_AG_BLOCKS)
		return -ENOENT;

	strcpy(fi->type, "xfs");
	set_uuid(fi, sb + 32);
	copy_label(fi->label, sizeof(fi->label), sb + 108, 12);
	return 0;
}

/* ---- btrfs (superblock at 64 KiB) --------------------------------------- */

#define BTRFS_SB_OFF		0x10000
#define BTRFS_MAGIC		"_BHRfS_M"
#define BTRFS_LABEL_OFF		0x12B
#define BTRFS_LABEL_SIZE	256

static int probe_btrfs(const uint8_t *buf, size_t len, struct fs_info *fi)
{
	const uint8_t *sb;

	if (!have(len, BTRFS_SB_OFF, BTRFS_LABEL_OFF + BTRFS_LABEL_SIZE))
		return -ENOENT;
	sb = buf + BTRFS_SB_OFF;
	if (memcmp(sb + 0x40, BTRFS_MAGIC, 8) || le64(sb + 0x30) != BTRFS_SB_OFF)
		return -ENOENT;
	strcpy(fi->type, "btrfs");
	set_uuid(fi, sb + 0x20);		/* fsid */
	copy_label(fi->label, sizeof(fi->label), sb + BTRFS_LABEL_OFF,
		   BTRFS_LABEL_SIZE);
	return 0;
}

/* ---- squashfs 4 (superblock at 0, little-endian) ------------------------ */

#define SQUASHFS_SB_SIZE	96
#define SQUASHFS_MAGIC		"hsqs"

static int probe_squashfs(const uint8_t *sb, size_t len, struct fs_info *fi)
{
	uint32_t bsize;
	uint16_t blog;

	if (len < SQUASHFS_SB_SIZE || memcmp(sb, SQUASHFS_MAGIC, 4) ||
	    le16(sb + 28) != 4)
		return -ENOENT;		/* the kernel mounts only 4.x */
	bsize = le32(sb + 12);
	blog = le16(sb + 22);
	if (blog < 12 || blog > 20 || bsize != 1u << blog)
		return -ENOENT;
	strcpy(fi->type, "squashfs");
	return 0;
}

/* ---- iso9660 (volume descriptors from 32 KiB, 2 KiB each) --------------- */

#define ISO_VD_OFF		0x8000
#define ISO_SECTOR		2048
#define ISO_VD_MAX		16
#define ISO_VD_PRIMARY		1
#define ISO_VD_END		255
#define ISO_PVD_LABEL		40
#define ISO_PVD_CREATED		813
#define ISO_PVD_MODIFIED	830
#define ISO_DATE_SIZE		17	/* 16 digits and a time zone byte */

/* blkid's UUID: the date's 16 digits as "YYYY-MM-DD-HH-MM-SS-CC", printed as
 * they are.  Returns 0 if the date is unset (all '0', zone 0). */
static int iso_date_uuid(const uint8_t *d, char *out)
{
	int i, o = 0, zeros = 0, nul = 0;

	for (i = 0; i < 16; i++) {
		zeros += d[i] == '0';
		nul += d[i] == 0;
	}
	if (zeros == 16 && d[16] == 0)
		return 0;
	if (nul == 16)
		return 1;		/* blkid: an all-zero "UUID" is none */
	for (i = 0; i < 16 && d[i]; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10 || i == 12 || i == 14)
			out[o++] = '-';
		out[o++] = (char)d[i];
	}
	out[o] = '\0';
	return 1;
}

static int probe_iso9660(const uint8_t *buf, size_t len, struct fs_info *fi)
{
	const uint8_t *vd = NULL;
	size_t off;
	int i;

	for (i = 0, off = ISO_VD_OFF; i < ISO_VD_MAX; i++, off += ISO_SECTOR) {
		if (!have(len, off, 7) || memcmp(buf + off + 1, "CD001", 5) ||
		    buf[off] == ISO_VD_END)
			return -ENOENT;
		if (buf[off] == ISO_VD_PRIMARY) {
			vd = buf + off;
			break;
		}
	}
	if (!vd || !have(len, off, ISO_PVD_MODIFIED + ISO_DATE_SIZE))
		return -ENOENT;

	strcpy(fi->type, "iso9660");
	copy_label(fi->label, sizeof(fi->label), vd + ISO_PVD_LABEL, 32);
	/* blkid prefers the modification date; mkisofs sets both the same. */
	if (!iso_date_uuid(vd + ISO_PVD_MODIFIED, fi->uuid))
		iso_date_uuid(vd + ISO_PVD_CREATED, fi->uuid);
	return 0;
}

/* ---- vfat: FAT12/16/32 (boot sector at 0) ------------------------------- */

#define FAT_BS_SIZE		512
#define FAT_DIRENT		32
#define FAT_ATTR_VOLUME_ID	0x08
#define FAT_ATTR_DIR		0x10
#define FAT_ATTR_LFN		0x0F
#define FAT_ATTR_MASK		0x3F
#define FAT_ENTRY_FREE		0xE5
#define FAT12_MAX		0xFF4
#define FAT16_MAX		0xFFF4
#define FAT32_MAX		0x0FFFFFF6
#define FAT_LABEL_LEN		11

enum fat_dirlabel { FAT_LABEL_UNKNOWN, FAT_LABEL_NONE, FAT_LABEL_FOUND, FAT_LABEL_MORE };

/*
 * blkid takes LABEL from the volume-label entry of the root directory (the
 * boot-sector copy is only LABEL_FATBOOT).  Look for it in @n entries at
 * byte @off, as far as the buffer reaches.
 */
static enum fat_dirlabel fat_dir_label(const uint8_t *buf, size_t len,
				       uint64_t off, uint64_t n,
				       const uint8_t **label)
{
	uint64_t i;

	for (i = 0; i < n; i++, off += FAT_DIRENT) {
		const uint8_t *e;

		if (!have(len, off, FAT_DIRENT))
			return FAT_LABEL_UNKNOWN;
		e = buf + off;
		if (e[0] == 0)
			return FAT_LABEL_NONE;	/* end of directory */
		if (e[0] == FAT_ENTRY_FREE || le16(e + 20) || le16(e + 26) ||
		    (e[11] & FAT_ATTR_MASK) == FAT_ATTR_LFN)
			continue;
		if ((e[11] & (FAT_ATTR_VOLUME_ID | FAT_ATTR_DIR)) == FAT_ATTR_VOLUME_ID) {
			*label = e;
			return FAT_LABEL_FOUND;
		}
	}
	return FAT_LABEL_MORE;
}

static int fat_magic(const uint8_t *bs)
{
	return !memcmp(bs + 0x52, "MSWIN", 5) || !memcmp(bs + 0x52, "FAT32   ", 8) ||
	       !memcmp(bs + 0x36, "MSDOS", 5) || !memcmp(bs + 0x36, "FAT16   ", 8) ||
	       !memcmp(bs + 0x36, "FAT12   ", 8) || !memcmp(bs + 0x36, "FAT     ", 8);
}

static int probe_vfat(const uint8_t *bs, size_t len, struct fs_info *fi)
{
	uint32_t ssize, spc, reserved, nfats, dirents, sectors, fatlen, overhead;
	uint64_t fatsize, dirsecs, clusters, root;
	const uint8_t *serial = NULL, *boot_label = NULL, *dir_label = NULL;
	enum fat_dirlabel st;
	int fat32;

	if (len < FAT_BS_SIZE)
		return -ENOENT;
	if (!fat_magic(bs)) {
		/* Only a jump or the 55 AA signature: demand the signature and
		 * rule out the FAT-like headers OS/2 puts before JFS and HPFS. */
		if (bs[510] != 0x55 || bs[511] != 0xAA ||
		    !memcmp(bs + 0x36, "JFS     ", 8) ||
		    !memcmp(bs + 0x36, "HPFS    ", 8))
			return -ENOENT;
	}
	if (!memcmp(bs + 3, "-FVE-FS-", 8))
		return -ENOENT;		/* BitLocker */

	ssize = le16(bs + 0x0B);
	spc = bs[0x0D];
	reserved = le16(bs + 0x0E);
	nfats = bs[0x10];
	dirents = le16(bs + 0x11);
	sectors = le16(bs + 0x13);
	if (!sectors)
		sectors = le32(bs + 0x20);
	fatlen = le16(bs + 0x16);
	fat32 = !fatlen;
	if (fat32)
		fatlen = le32(bs + 0x24);

	if (!nfats || !reserved || !fatlen || !is_pow2(spc) ||
	    !(bs[0x15] == 0xF0 || bs[0x15] >= 0xF8) ||
	    !is_pow2(ssize) || ssize < 512 || ssize > 4096)
		return -ENOENT;
	fatsize = (uint64_t)fatlen * nfats;
	dirsecs = ((uint64_t)dirents * FAT_DIRENT + ssize - 1) / ssize;
	if (reserved + fatsize + dirsecs > sectors)
		return -ENOENT;
	overhead = (uint32_t)(reserved + fatsize + dirsecs);
	clusters = (sectors - overhead) / spc;
	if (clusters > (fat32 ? FAT32_MAX : FAT16_MAX))
		return -ENOENT;

	if (!fat32) {
		root = (reserved + fatsize) * ssize;
		st = fat_dir_label(bs, len, root, dirents, &dir_label);
		if (st == FAT_LABEL_MORE)
			st = FAT_LABEL_NONE;	/* the whole root dir was seen */
		if (bs[0x26] == 0x29)
			boot_label = bs + 0x2B;
		if (bs[0x26] == 0x28 || bs[0x26] == 0x29)
			serial = bs + 0x27;
	} else {
		uint32_t rootclus = le32(bs + 0x2C), fsinfo = le16(bs + 0x30);

		/* FSInfo must carry its signatures, or be all zeros. */
		if (fsinfo && have(len, (uint64_t)fsinfo * ssize, 512)) {
			const uint8_t *p = bs + (size_t)fsinfo * ssize;

			if (memcmp(p, "RRaA", 4) && memcmp(p, "RRdA", 4) &&
			    le32(p))
				return -ENOENT;
			if (memcmp(p + 484, "rrAa", 4) && le32(p + 484))
				return -ENOENT;
		}
		/* Only the root directory's first cluster; blkid follows
		 * the FAT chain, which is rarely inside the buffer. */
		st = FAT_LABEL_UNKNOWN;
		if (rootclus >= 2) {
			root = (reserved + fatsize +
				(uint64_t)(rootclus - 2) * spc) * ssize;
			st = fat_dir_label(bs, len, root,
					   (uint64_t)spc * ssize / FAT_DIRENT,
					   &dir_label);
			if (st == FAT_LABEL_MORE)
				st = FAT_LABEL_UNKNOWN;
		}
		if (bs[0x42] == 0x29)
			boot_label = bs + 0x47;
		serial = bs + 0x43;
	}

	strcpy(fi->type, "vfat");
	if (st == FAT_LABEL_FOUND) {
		uint8_t l[FAT_LABEL_LEN];

		memcpy(l, dir_label, sizeof(l));
		if (l[0] == 0x05)	/* a name starting with 0xE5 */
			l[0] = 0xE5;
		copy_label(fi->label, sizeof(fi->label), l, sizeof(l));
	} else if (st == FAT_LABEL_UNKNOWN && boot_label &&
		   memcmp(boot_label, "NO NAME    ", FAT_LABEL_LEN)) {
		/* Root directory beyond the buffer: the boot-sector copy,
		 * which mkfs.fat and fatlabel keep equal to it. */
		copy_label(fi->label, sizeof(fi->label), boot_label, FAT_LABEL_LEN);
	}
	if (serial && le32(serial)) {
		static const char hex[] = "0123456789ABCDEF";
		uint32_t v = le32(serial);
		int i, o = 0;

		for (i = 7; i >= 0; i--) {
			fi->uuid[o++] = hex[(v >> (i * 4)) & 15];
			if (i == 4)
				fi->uuid[o++] = '-';
		}
		fi->uuid[o] = '\0';
	}
	return 0;
}

/* ---- containers: what holds a file system rather than being one ---------
 * LVM physical volumes, MD RAID members, LUKS and swap (for resume=).  The
 * type names are blkid's; /init runs a device's action by that name. */

#define LVM_LABEL_ID	"LABELONE"
#define LVM_TYPE	"LVM2 001"

/* An LVM2 label in one of the first four sectors; the PV's UUID is 32
 * characters, printed by blkid in groups of 6-4-4-4-4-4-6. */
static int probe_lvm(const uint8_t *buf, size_t len, struct fs_info *fi)
{
	static const int groups[] = { 6, 4, 4, 4, 4, 4, 6 };
	uint64_t sec;

	for (sec = 0; sec < 4; sec++) {
		const uint8_t *l = buf + sec * 512;
		uint32_t hdr;
		size_t g, i, o = 0, in = 0;

		if (!have(len, sec * 512, 512))
			return -ENOENT;
		if (memcmp(l, LVM_LABEL_ID, 8) || le64(l + 8) != sec ||
		    memcmp(l + 24, LVM_TYPE, 8))
			continue;
		hdr = le32(l + 20);	/* pv_header, from the label's start */
		if (hdr < 32 || hdr > 512 - 32)
			return -ENOENT;
		for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
			if (g)
				fi->uuid[o++] = '-';
			for (i = 0; i < (size_t)groups[g]; i++, in++) {
				uint8_t c = l[hdr + in];

				if (c <= ' ' || c > '~')
					return -ENOENT;
				fi->uuid[o++] = (char)c;
			}
		}
		fi->uuid[o] = '\0';
		strcpy(fi->type, "LVM2_member");
		strcpy(fi->module, "dm_mod");
		return 0;
	}
	return -ENOENT;
}

#define MD_MAGIC	0xa92b4efcU

/* The personality an array of RAID @level needs, as the kernel asks for
 * it ("md-level-%d"; linear is -1); nothing for levels it has none of. */
static void md_module(struct fs_info *fi, int32_t level)
{
	if (level >= -1 && level <= 10)
		snprintf(fi->module, sizeof(fi->module), "md-level-%d", (int)level);
}

/* An MD RAID member whose version-1 superblock is at @off in @buf, which is
 * byte @abs of the device: 1.1 (0), 1.2 (4 KiB) or 1.0 (near the end).
 * blkid's LABEL is the array's name ("host:name"). */
static int md1_at(const uint8_t *buf, size_t len, uint64_t off, uint64_t abs,
		  struct fs_info *fi)
{
	const uint8_t *sb = buf + off;

	if (!have(len, off, 256) || le32(sb) != MD_MAGIC || le32(sb + 4) != 1)
		return -ENOENT;
	if (le64(sb + 128 + 16) != abs / 512)	/* super_offset: where it is */
		return -ENOENT;
	set_uuid(fi, sb + 16);
	copy_label(fi->label, sizeof(fi->label), sb + 32, 32);
	strcpy(fi->type, "linux_raid_member");
	md_module(fi, (int32_t)le32(sb + 72));
	return 0;
}

static int probe_md(const uint8_t *buf, size_t len, struct fs_info *fi)
{
	if (!md1_at(buf, len, 4096, 4096, fi))
		return 0;
	memset(fi, 0, sizeof(*fi));
	return md1_at(buf, len, 0, 0, fi);
}

int probe_md_end(const uint8_t *tail, size_t len, uint64_t tail_off, uint64_t dev_bytes,
		 struct fs_info *fi)
{
	uint64_t sectors = dev_bytes / 512, off;

	memset(fi, 0, sizeof(*fi));
	if (sectors < 256 || tail_off > dev_bytes)
		return -ENOENT;
	/* 1.0: 8 KiB from the end, 4 KiB aligned. */
	off = ((sectors - 16) & ~(uint64_t)7) * 512;
	if (off >= tail_off && !md1_at(tail, len, off - tail_off, off, fi))
		return 0;
	memset(fi, 0, sizeof(*fi));
	/* 0.90: the last 64 KiB-aligned 64 KiB block (little-endian on x86). */
	off = ((sectors & ~(uint64_t)127) - 128) * 512;
	if (off >= tail_off && have(len, off - tail_off, 4096)) {
		const uint8_t *sb = tail + (off - tail_off);
		uint8_t u[16];

		if (le32(sb) == MD_MAGIC && le32(sb + 4) == 0) {
			memcpy(u, sb + 5 * 4, 4);	/* set_uuid0 */
			memcpy(u + 4, sb + 13 * 4, 12);	/* set_uuid1..3 */
			set_uuid(fi, u);
			strcpy(fi->type, "linux_raid_member");
			md_module(fi, (int32_t)le32(sb + 7 * 4));
			return 0;
		}
	}
	memset(fi, 0, sizeof(*fi));
	return -ENOENT;
}

/* LUKS1 and LUKS2 share the magic, the version and the UUID's place. */
static int probe_luks(const uint8_t *buf, size_t len, struct fs_info *fi)
{
	static const uint8_t magic[6] = { 'L', 'U', 'K', 'S', 0xba, 0xbe };
	uint16_t v;

	if (!have(len, 0, 512) || memcmp(buf, magic, 6))
		return -ENOENT;
	v = be16(buf + 6);
	if (v != 1 && v != 2)
		return -ENOENT;
	copy_label(fi->uuid, sizeof(fi->uuid), buf + 168, 40);
	if (v == 2)
		copy_label(fi->label, sizeof(fi->label), buf + 24, 48);
	strcpy(fi->type, "crypto_LUKS");
	strcpy(fi->module, "dm_crypt");
	return 0;
}

/* Swap with 4 KiB pages: the signature ends the first page.  A swap area
 * holding a hibernation image is "swsuspend", as blkid says. */
static int probe_swap(const uint8_t *buf, size_t len, struct fs_info *fi)
{
	static const char *const suspend[] = { "S1SUSPEND", "S2SUSPEND", "ULSUSPEND",
					       "LINHIB0001" };
	const uint8_t *sig = buf + 4096 - 10;
	size_t i;

	if (!have(len, 0, 4096))
		return -ENOENT;
	if (!memcmp(sig, "SWAPSPACE2", 10) || !memcmp(sig, "SWAP-SPACE", 10)) {
		strcpy(fi->type, "swap");
	} else {
		for (i = 0; i < sizeof(suspend) / sizeof(suspend[0]); i++)
			if (!memcmp(sig, suspend[i], strlen(suspend[i])))
				break;
		if (i == sizeof(suspend) / sizeof(suspend[0]))
			return -ENOENT;
		strcpy(fi->type, "swsuspend");
	}
	if (le32(buf + 1024) == 1) {	/* version 1: UUID and label */
		set_uuid(fi, buf + 1024 + 12);
		copy_label(fi->label, sizeof(fi->label), buf + 1024 + 28, 16);
	}
	return 0;
}

/* Order matters only for ambiguous devices: the strongest magics first,
 * vfat (which can match on little more than 55 AA) last.  Containers come
 * first: an MD 1.2 member or a PV must not be mistaken for what it holds. */
static int (*const probes[])(const uint8_t *, size_t, struct fs_info *) = {
	probe_luks,
	probe_lvm,
	probe_md,
	probe_ext,
	probe_xfs,
	probe_btrfs,
	probe_squashfs,
	probe_iso9660,
	probe_swap,
	probe_vfat,
};

int probe_fs(const uint8_t *buf, size_t len, struct fs_info *fi)
{
	size_t i;

	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		memset(fi, 0, sizeof(*fi));
		if (!probes[i](buf, len, fi))
			return 0;
	}
	memset(fi, 0, sizeof(*fi));
	return -ENOENT;
}
