/* test_probe.c - superblock probes against images made by the real mkfs
 * tools, checked against what blkid prints for the same image; plus
 * truncated, zeroed and mutated buffers (ASan/UBSan catch stray reads:
 * unit_read's buffer is exactly as long as what was read). */
#include "unit.h"
#include <errno.h>
#include <zlib.h>
#include "probe.h"

static char *tmp;

static int group_setup(void **state)
{
	(void)state;
	tmp = unit_tmpdir();
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) ? -1 : 0;
}

/* What `blkid -p -o value -s TAG` prints ("" when it prints nothing). */
static void blkid_tag(const char *img, const char *tag, char *out, size_t size)
{
	char cmd[1024];
	size_t n;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "blkid -p -o value -s %s '%s'", tag, img);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, size - 1, f);
	pclose(f);
	out[n] = '\0';
	if (n && out[n - 1] == '\n')
		out[n - 1] = '\0';
}

static void img_path(char *path, size_t size, const char *name)
{
	snprintf(path, size, "%s/%s", tmp, name);
}

/* Lengths worth probing one by one: around the superblocks. */
static int near_superblock(size_t n)
{
	return n <= 4096 || (n >= 0x8000 - 64 && n <= 0x8000 + 2048 + 64) ||
	       (n >= 0x10000 - 64 && n <= 0x10000 + 0x12B + 256 + 64);
}

/* Every truncation must be safe; one that still probes must agree on the
 * type (a partial superblock must never pass for another filesystem). */
static void truncation_sweep(const uint8_t *buf, size_t got, const char *type)
{
	struct fs_info fi;
	size_t n;

	for (n = 0; n <= got; n += near_superblock(n) ? 1 : 97) {
		uint8_t *b = malloc(n ? n : 1);

		assert_non_null(b);
		memcpy(b, buf, n);
		if (probe_fs(b, n, &fi) == 0)
			assert_string_equal(fi.type, type);
		free(b);
	}
}

/* Random damage to the superblock areas: no crash, no stray read. */
static void mutate_fuzz(const uint8_t *buf, size_t got)
{
	static const size_t hot[] = { 0, 1024, 0x8000, 0x10000 };
	uint8_t *b = malloc(got ? got : 1);
	struct fs_info fi;
	int i, k;

	assert_non_null(b);
	srand(1);
	for (i = 0; i < 3000; i++) {
		memcpy(b, buf, got);
		for (k = 0; k < 1 + rand() % 8 && got; k++) {
			size_t off = hot[rand() % 4] + (size_t)(rand() % 2048);
			static const uint8_t vals[] = { 0, 0xFF, 0x80, 0x7F, 1 };

			if (off < got)
				b[off] = rand() % 2 ? (uint8_t)rand() : vals[rand() % 5];
		}
		if (probe_fs(b, got, &fi) == 0) {
			assert_true(strlen(fi.type) < sizeof(fi.type));
			assert_true(strlen(fi.uuid) < sizeof(fi.uuid));
			assert_true(strlen(fi.label) < sizeof(fi.label));
		}
	}
	free(b);
}

/* The heart of every positive test: probe the image's first bytes, compare
 * with what was asked of mkfs and with what blkid says. */
static void check_image(const char *img, const char *type, const char *uuid,
			const char *label)
{
	char v[512];
	struct fs_info fi;
	size_t got;
	uint8_t *buf = unit_read(img, 0, PROBE_READ_SIZE, &got);

	assert_int_equal(probe_fs(buf, got, &fi), 0);
	assert_string_equal(fi.type, type);
	if (uuid)
		assert_string_equal(fi.uuid, uuid);
	assert_string_equal(fi.label, label);

	blkid_tag(img, "TYPE", v, sizeof(v));
	assert_string_equal(fi.type, v);
	blkid_tag(img, "UUID", v, sizeof(v));
	assert_string_equal(fi.uuid, v);
	blkid_tag(img, "LABEL", v, sizeof(v));
	assert_string_equal(fi.label, v);

	truncation_sweep(buf, got, type);
	mutate_fuzz(buf, got);
	free(buf);
}

/* ---- ext ------------------------------------------------------------- */

static void do_ext(const char *t, const char *uuid, const char *label)
{
	char img[256];

	img_path(img, sizeof(img), t);
	unit_sh("mke2fs -q -F -t %s -U %s -L '%s' '%s' 8M", t, uuid, label, img);
	check_image(img, t, uuid, label);
}

static void test_ext2(void **state)
{
	do_ext("ext2", "0a1b2c3d-4e5f-4061-8293-a4b5c6d7e8f9", "ext2 label");
}

static void test_ext3(void **state)
{
	do_ext("ext3", "11111111-2222-4333-8444-555555555555", "ext3-label");
}

static void test_ext4(void **state)
{
	do_ext("ext4", "deadbeef-0000-4000-8000-0123456789ab", "root");
}

static void test_ext4_label_edges(void **state)
{
	char img[256];

	/* blkid drops trailing spaces; a 16-byte label has no NUL. */
	img_path(img, sizeof(img), "ext4sp");
	unit_sh("mke2fs -q -F -t ext4 -U 12345678-1234-4234-8234-123456789abc "
		"-L 'trailing  ' '%s' 8M", img);
	check_image(img, "ext4", "12345678-1234-4234-8234-123456789abc", "trailing");
	unit_sh("mke2fs -q -F -t ext4 -U 12345678-1234-4234-8234-123456789abc "
		"-L 'sixteen-chars-ab' '%s' 8M", img);
	check_image(img, "ext4", "12345678-1234-4234-8234-123456789abc",
		    "sixteen-chars-ab");
	unit_sh("mke2fs -q -F -t ext4 -U 12345678-1234-4234-8234-123456789abc "
		"'%s' 8M", img);
	check_image(img, "ext4", "12345678-1234-4234-8234-123456789abc", "");
	unlink(img);
}

/* ---- xfs, btrfs ------------------------------------------------------ */

static void test_xfs(void **state)
{
	char img[256];

	img_path(img, sizeof(img), "xfs");
	unit_sh("truncate -s 320M '%s' && mkfs.xfs -q -f "
		"-m uuid=6f1c2a3b-4d5e-4f60-8172-839405a6b7c8 -L xfs_root '%s'",
		img, img);
	check_image(img, "xfs", "6f1c2a3b-4d5e-4f60-8172-839405a6b7c8", "xfs_root");
	unlink(img);
}

static void test_btrfs(void **state)
{
	char img[256], label[256];
	struct fs_info fi;
	uint8_t *buf;
	size_t got;

	img_path(img, sizeof(img), "btrfs");
	unit_sh("truncate -s 256M '%s' && mkfs.btrfs -q -f "
		"-U 9b8a7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d -L 'my btrfs' '%s' >/dev/null",
		img, img);
	check_image(img, "btrfs", "9b8a7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d", "my btrfs");

	/* The longest label mkfs.btrfs writes (254 bytes; the field has 256). */
	memset(label, 'L', 254);
	label[254] = '\0';
	unit_sh("mkfs.btrfs -q -f -U 9b8a7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d "
		"-L '%s' '%s' >/dev/null", label, img);
	check_image(img, "btrfs", "9b8a7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d", label);

	/* A label field with no NUL at all: cut to FS_LABEL_MAX - 1. */
	buf = unit_read(img, 0, PROBE_READ_SIZE, &got);
	assert_int_equal(got, PROBE_READ_SIZE);
	memset(buf + 0x10000 + 0x12B, 'M', 256);
	assert_int_equal(probe_fs(buf, got, &fi), 0);
	assert_int_equal(strlen(fi.label), FS_LABEL_MAX - 1);
	assert_int_equal(fi.label[0], 'M');
	free(buf);
	unlink(img);
}

/* ---- vfat ------------------------------------------------------------ */

static void do_vfat(const char *name, const char *opts, unsigned int kib,
		    const char *serial, const char *label, const char *uuid,
		    const char *want_label)
{
	char img[256];

	img_path(img, sizeof(img), name);
	unlink(img);
	unit_sh("mkfs.vfat %s -C '%s' %u -i %s %s%s%s >/dev/null 2>&1", opts,
		img, kib, serial, label ? "-n '" : "", label ? label : "",
		label ? "'" : "");
	check_image(img, "vfat", uuid, want_label);
	unlink(img);
}

static void test_vfat12(void **state)
{
	do_vfat("fat12", "", 1440, "ABCD1234", "FAT12LBL", "ABCD-1234", "FAT12LBL");
}

static void test_vfat16(void **state)
{
	do_vfat("fat16", "-F 16", 32768, "0000beef", "FAT16 LBL", "0000-BEEF",
		"FAT16 LBL");
}

static void test_vfat32(void **state)
{
	/* The root directory lies beyond PROBE_READ_SIZE here: the label
	 * comes from the boot sector's copy. */
	do_vfat("fat32", "-F 32", 65536, "DEADBEEF", "EFI", "DEAD-BEEF", "EFI");
}

static void test_vfat32_small_cluster_root_in_reach(void **state)
{
	/* -r/-R/-f 1 keep the FAT small, so the root directory is in reach. */
	do_vfat("fat32s", "-F 32 -R 2 -f 1 -s 8", 40000, "01020304", "NEAR",
		"0102-0304", "NEAR");
}

static void test_vfat_no_label(void **state)
{
	/* mkfs.fat writes "NO NAME" to the boot sector: no LABEL. */
	do_vfat("fat12n", "", 1440, "12345678", NULL, "1234-5678", "");
	do_vfat("fat32n", "-F 32", 65536, "87654321", NULL, "8765-4321", "");
}

static void test_vfat_lowercase_label(void **state)
{
	do_vfat("fatlc", "", 1440, "AAAA5555", "my disk", "AAAA-5555", "my disk");
}

/* Windows relabels only the root directory entry: blkid (and so we) take
 * the label from there when it is in reach. */
static void test_vfat_root_dir_label_wins(void **state)
{
	char img[256];
	size_t got;
	uint8_t *bs;
	unsigned long root;

	img_path(img, sizeof(img), "fatdir");
	unlink(img);
	unit_sh("mkfs.vfat -C '%s' 1440 -i 0badcafe -n BOOTLBL >/dev/null", img);
	bs = unit_read(img, 0, 512, &got);
	assert_int_equal(got, 512);
	root = ((unsigned long)(bs[14] | bs[15] << 8) +
		(unsigned long)bs[16] * (bs[22] | bs[23] << 8)) *
	       (unsigned long)(bs[11] | bs[12] << 8);
	free(bs);
	unit_sh("printf 'DIRLBL     ' | dd of='%s' bs=1 seek=%lu conv=notrunc "
		"status=none", img, root);
	check_image(img, "vfat", "0BAD-CAFE", "DIRLBL");
	unlink(img);
}

/* ---- squashfs, iso9660 ----------------------------------------------- */

static void test_squashfs(void **state)
{
	char img[256];

	img_path(img, sizeof(img), "sq");
	unit_sh("mkdir -p '%s/sqdir' && echo hello > '%s/sqdir/f' && "
		"mksquashfs '%s/sqdir' '%s' -noappend -quiet >/dev/null",
		tmp, tmp, tmp, img);
	/* Smaller than PROBE_READ_SIZE: the probe sees a short buffer. */
	check_image(img, "squashfs", "", "");
	unlink(img);
}

static void test_iso9660_xorriso(void **state)
{
	char img[256];

	img_path(img, sizeof(img), "x.iso");
	unit_sh("mkdir -p '%s/isodir' && echo hi > '%s/isodir/f' && "
		"xorriso -as mkisofs -quiet -V MY_ISO_LABEL "
		"--modification-date=2023010203040506 -o '%s' '%s/isodir' "
		">/dev/null 2>&1", tmp, tmp, img, tmp);
	check_image(img, "iso9660", "2023-01-02-03-04-05-06", "MY_ISO_LABEL");
	unlink(img);
}

static void test_iso9660_dates(void **state)
{
	char img[256];

	/* Creation and modification dates differ: blkid uses the
	 * modification date, the creation date only when that is unset. */
	img_path(img, sizeof(img), "d.iso");
	unit_sh("mkdir -p '%s/isodir' && xorriso -outdev '%s' -volid DATES "
		"-volume_date c 2020010203040500 -volume_date m 2021111213141500 "
		"-map '%s/isodir' / >/dev/null 2>&1", tmp, img, tmp);
	check_image(img, "iso9660", "2021-11-12-13-14-15-00", "DATES");
	unlink(img);
}

static void test_iso9660_genisoimage_joliet(void **state)
{
	char img[256];

	img_path(img, sizeof(img), "g.iso");
	unit_sh("mkdir -p '%s/isodir' && genisoimage -quiet -J "
		"-V 'Mixed Case Label' -o '%s' '%s/isodir'", tmp, img, tmp);
	check_image(img, "iso9660", NULL, "Mixed Case Label");
	unlink(img);
}

/* ---- containers: swap, LUKS, LVM, MD ---------------------------------- */

static void test_swap(void **state)
{
	char img[256];

	img_path(img, sizeof(img), "swap");
	unit_sh("truncate -s 8M '%s' && mkswap -q -U 6b1d2c3e-0000-4000-8000-5a5a5a5a5a5a "
		"-L swaplabel '%s'", img, img);
	check_image(img, "swap", "6b1d2c3e-0000-4000-8000-5a5a5a5a5a5a", "swaplabel");
	/* What hibernation leaves: the signature says an image is there. */
	unit_sh("printf S1SUSPEND | dd of='%s' bs=1 seek=4086 conv=notrunc status=none", img);
	check_image(img, "swsuspend", "6b1d2c3e-0000-4000-8000-5a5a5a5a5a5a", "swaplabel");
	unlink(img);
}

static void test_luks(void **state)
{
	char img[256];

	img_path(img, sizeof(img), "luks");
	unit_sh("truncate -s 24M '%s' && echo -n pw | cryptsetup -q luksFormat --type luks2 "
		"--pbkdf pbkdf2 --pbkdf-force-iterations 1000 --key-file - "
		"--uuid 1c2d3e4f-0000-4000-8000-0123456789ab --label cryptroot '%s'", img, img);
	check_image(img, "crypto_LUKS", "1c2d3e4f-0000-4000-8000-0123456789ab", "cryptroot");
	unit_sh("echo -n pw | cryptsetup -q luksFormat --type luks1 --pbkdf-force-iterations 1000 "
		"--key-file - --uuid 2c2d3e4f-0000-4000-8000-0123456789ab '%s'", img);
	check_image(img, "crypto_LUKS", "2c2d3e4f-0000-4000-8000-0123456789ab", "");
	unlink(img);
}

/* LVM's CRC: CRC-32 with LVM's initial value and no final inversion. */
static uint32_t lvm_crc_z(uint32_t init, const uint8_t *b, size_t n)
{
	return ~(uint32_t)crc32(~init & 0xffffffffUL, b, (uInt)n);
}

/* A PV label as pvcreate writes it, in sector @sec; blkid checks it all. */
static void write_pv_label(const char *img, int sec, const char *uuid32)
{
	uint8_t l[512] = { 0 };
	FILE *f = fopen(img, "r+b");
	uint32_t crc;

	memcpy(l, "LABELONE", 8);
	l[8] = (uint8_t)sec;			/* sector_xl */
	l[20] = 32;				/* offset_xl: pv_header */
	memcpy(l + 24, "LVM2 001", 8);
	memcpy(l + 32, uuid32, 32);		/* pv_header: id */
	l[64 + 3] = 0x04;			/* device_size_xl: 64 MiB */
	/* disk areas: one data area from 1 MiB, then the ends of the lists */
	l[72 + 2] = 0x10;
	crc = lvm_crc_z(0xf597a6cf, l + 20, 512 - 20);
	l[16] = crc & 0xff; l[17] = crc >> 8 & 0xff; l[18] = crc >> 16 & 0xff; l[19] = crc >> 24;
	assert_non_null(f);
	assert_int_equal(fseek(f, sec * 512, SEEK_SET), 0);
	assert_int_equal(fwrite(l, 1, sizeof(l), f), sizeof(l));
	fclose(f);
}

/* The module a stack member's action needs, as the probe names it. */
static void check_module(const char *img, const char *module)
{
	struct fs_info fi;
	size_t got;
	uint8_t *buf = unit_read(img, 0, PROBE_READ_SIZE, &got);

	assert_int_equal(probe_fs(buf, got, &fi), 0);
	assert_string_equal(fi.module, module);
	free(buf);
}

static void test_lvm_pv(void **state)
{
	char img[256];

	img_path(img, sizeof(img), "pv");
	unit_sh("rm -f '%s' && truncate -s 64M '%s'", img, img);
	write_pv_label(img, 1, "P0XQnTg2z4qAECDN8sXhZEMaWMbEqZpa");
	check_image(img, "LVM2_member", "P0XQnT-g2z4-qAEC-DN8s-XhZE-MaWM-bEqZpa", "");
	unit_sh("dd if=/dev/zero of='%s' bs=512 count=1 seek=1 conv=notrunc status=none", img);
	write_pv_label(img, 0, "abcdefABCDEF0123456789abcdefABCD");
	check_image(img, "LVM2_member", "abcdef-ABCD-EF01-2345-6789-abcd-efABCD", "");
	check_module(img, "dm_mod");
	unlink(img);
}

/* An MD 1.x superblock (raid1 of 2) at byte @off of the member, with the
 * checksum the kernel and blkid verify. */
static void write_md1(const char *img, uint64_t off, uint32_t minor_ver, int32_t level)
{
	uint8_t sb[1024] = { 0 };
	uint64_t sum = 0;
	uint32_t csum;
	FILE *f = fopen(img, "r+b");
	size_t i;

	memcpy(sb, "\xfc\x4e\x2b\xa9", 4);	/* magic, little-endian */
	sb[4] = 1;				/* major_version */
	memcpy(sb + 16, "\x3f\x8a\x11\x22\x33\x44\x45\x56\x87\x98\xa9\xba\xcb\xdc\xed\xfe", 16);
	memcpy(sb + 32, "initkit:root", 12);	/* set_name */
	memcpy(sb + 72, &level, 4);		/* level (x86: little-endian) */
	sb[80] = 0x00; sb[81] = 0x80;		/* size: 32768 sectors */
	sb[92] = 2;				/* raid_disks */
	for (i = 0; i < 8; i++)
		sb[128 + 16 + i] = (uint8_t)((off / 512) >> (8 * i));	/* super_offset */
	sb[220] = 2;				/* max_dev */
	/* dev_roles[2]: 0, 1 (le16) */
	sb[256 + 2] = 1;
	(void)minor_ver;
	for (i = 0; i < 256 + 2 * 2; i += 4)
		sum += (uint32_t)(sb[i] | sb[i + 1] << 8 | sb[i + 2] << 16 | (uint32_t)sb[i + 3] << 24);
	csum = (uint32_t)((sum & 0xffffffff) + (sum >> 32));
	sb[216] = csum & 0xff; sb[217] = csum >> 8 & 0xff;
	sb[218] = csum >> 16 & 0xff; sb[219] = csum >> 24;
	assert_non_null(f);
	assert_int_equal(fseek(f, (long)off, SEEK_SET), 0);
	assert_int_equal(fwrite(sb, 1, sizeof(sb), f), sizeof(sb));
	fclose(f);
}

static void test_md_12_and_11(void **state)
{
	char img[256];

	img_path(img, sizeof(img), "md");
	unit_sh("rm -f '%s' && truncate -s 16M '%s'", img, img);
	write_md1(img, 4096, 2, 1);
	check_image(img, "linux_raid_member", "3f8a1122-3344-4556-8798-a9bacbdcedfe",
		    "initkit:root");
	check_module(img, "md-level-1");	/* the personality, as the kernel asks */
	unit_sh("rm -f '%s' && truncate -s 16M '%s'", img, img);
	write_md1(img, 0, 1, 1);
	check_image(img, "linux_raid_member", "3f8a1122-3344-4556-8798-a9bacbdcedfe",
		    "initkit:root");
	write_md1(img, 0, 1, 10);
	check_module(img, "md-level-10");
	write_md1(img, 0, 1, -1);		/* linear */
	check_module(img, "md-level--1");
	write_md1(img, 0, 1, -4);		/* multipath: no personality asked for */
	check_module(img, "");
	unlink(img);
}

/* 1.0 and 0.90 live at the end: probe_md_end() on the device's tail, and a
 * RAID1 member whose start shows the array's ext4 is still a member. */
static void test_md_end(void **state)
{
	char img[256], v[64];
	const uint64_t bytes = 16 << 20;
	struct fs_info fi;
	uint8_t *tail;
	size_t got;

	img_path(img, sizeof(img), "mdend");
	unit_sh("rm -f '%s' && truncate -s 16M '%s' && mke2fs -q -F -t ext4 '%s'", img, img, img);
	write_md1(img, ((bytes / 512 - 16) & ~(uint64_t)7) * 512, 0, 5);
	tail = unit_read(img, bytes - PROBE_TAIL_SIZE, PROBE_TAIL_SIZE, &got);
	assert_int_equal(got, PROBE_TAIL_SIZE);
	assert_int_equal(probe_md_end(tail, got, bytes - got, bytes, &fi), 0);
	assert_string_equal(fi.type, "linux_raid_member");
	assert_string_equal(fi.uuid, "3f8a1122-3344-4556-8798-a9bacbdcedfe");
	assert_string_equal(fi.module, "md-level-5");
	blkid_tag(img, "TYPE", v, sizeof(v));
	assert_string_equal(v, "linux_raid_member");
	/* One byte short of the superblock: not found, no stray read. */
	assert_int_equal(probe_md_end(tail + PROBE_TAIL_SIZE - 8192 + 1, 8192 - 1 - 4096 + 255,
				      bytes - 8192 + 1, bytes, &fi), -ENOENT);
	free(tail);

	/* 0.90: magic, version 0, uuid words 5 and 13..15. */
	unit_sh("rm -f '%s' && truncate -s 16M '%s'", img, img);
	{
		uint8_t sb[4096] = { 0 };
		FILE *f = fopen(img, "r+b");

		memcpy(sb, "\xfc\x4e\x2b\xa9", 4);
		sb[8] = 90;
		memcpy(sb + 20, "\x01\x02\x03\x04", 4);
		memcpy(sb + 52, "\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10", 12);
		sb[28] = 0;			/* level: raid0 */
		assert_non_null(f);
		assert_int_equal(fseek(f, (long)(((bytes / 512) & ~127ULL) - 128) * 512, SEEK_SET), 0);
		assert_int_equal(fwrite(sb, 1, sizeof(sb), f), sizeof(sb));
		fclose(f);
	}
	tail = unit_read(img, bytes - PROBE_TAIL_SIZE, PROBE_TAIL_SIZE, &got);
	assert_int_equal(probe_md_end(tail, got, bytes - got, bytes, &fi), 0);
	assert_string_equal(fi.uuid, "01020304-0506-0708-090a-0b0c0d0e0f10");
	assert_string_equal(fi.module, "md-level-0");
	free(tail);
	/* Too small a device, or a tail that starts past the end. */
	assert_int_equal(probe_md_end(NULL, 0, 0, 4096, &fi), -ENOENT);
	assert_int_equal(probe_md_end(NULL, 0, bytes + 1, bytes, &fi), -ENOENT);
	unlink(img);
}

/* ---- negative ---------------------------------------------------------- */

static void test_zeroed_and_empty(void **state)
{
	static uint8_t zero[PROBE_READ_SIZE];
	uint8_t *ff = malloc(PROBE_READ_SIZE);
	struct fs_info fi;

	assert_int_equal(probe_fs(zero, sizeof(zero), &fi), -ENOENT);
	assert_string_equal(fi.type, "");
	assert_string_equal(fi.module, "");
	assert_int_equal(probe_fs(NULL, 0, &fi), -ENOENT);
	assert_int_equal(probe_fs(zero, 0, &fi), -ENOENT);
	assert_non_null(ff);
	memset(ff, 0xFF, PROBE_READ_SIZE);
	assert_int_equal(probe_fs(ff, PROBE_READ_SIZE, &fi), -ENOENT);
	free(ff);
}

static void test_magic_alone_is_not_enough(void **state)
{
	uint8_t *b = calloc(1, PROBE_READ_SIZE);
	struct fs_info fi;
	int i;

	assert_non_null(b);
	memcpy(b, "XFSB", 4);				/* xfs magic, no geometry */
	assert_int_equal(probe_fs(b, PROBE_READ_SIZE, &fi), -ENOENT);
	memset(b, 0, PROBE_READ_SIZE);
	memcpy(b, "hsqs", 4);				/* squashfs, version 0 */
	assert_int_equal(probe_fs(b, PROBE_READ_SIZE, &fi), -ENOENT);
	memset(b, 0, PROBE_READ_SIZE);
	memcpy(b + 0x10040, "_BHRfS_M", 8);		/* btrfs, bytenr 0 */
	assert_int_equal(probe_fs(b, PROBE_READ_SIZE, &fi), -ENOENT);
	memset(b, 0, PROBE_READ_SIZE);
	b[510] = 0x55;					/* 55 AA, no BPB */
	b[511] = 0xAA;
	assert_int_equal(probe_fs(b, PROBE_READ_SIZE, &fi), -ENOENT);
	memset(b, 0, PROBE_READ_SIZE);
	for (i = 0; i < 16; i++) {			/* CD001 but no PVD */
		b[0x8000 + i * 2048] = 2;
		memcpy(b + 0x8000 + i * 2048 + 1, "CD001", 5);
	}
	assert_int_equal(probe_fs(b, PROBE_READ_SIZE, &fi), -ENOENT);
	/* A PVD whose body is cut off by the end of the buffer. */
	b[0x8000] = 1;
	assert_int_equal(probe_fs(b, 0x8000 + 846, &fi), -ENOENT);
	assert_int_equal(probe_fs(b, 0x8000 + 847, &fi), 0);
	assert_string_equal(fi.type, "iso9660");
	assert_string_equal(fi.uuid, "");	/* binary-zero dates: none */
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ext2),
		cmocka_unit_test(test_ext3),
		cmocka_unit_test(test_ext4),
		cmocka_unit_test(test_ext4_label_edges),
		cmocka_unit_test(test_xfs),
		cmocka_unit_test(test_btrfs),
		cmocka_unit_test(test_vfat12),
		cmocka_unit_test(test_vfat16),
		cmocka_unit_test(test_vfat32),
		cmocka_unit_test(test_vfat32_small_cluster_root_in_reach),
		cmocka_unit_test(test_vfat_no_label),
		cmocka_unit_test(test_vfat_lowercase_label),
		cmocka_unit_test(test_vfat_root_dir_label_wins),
		cmocka_unit_test(test_squashfs),
		cmocka_unit_test(test_iso9660_xorriso),
		cmocka_unit_test(test_iso9660_dates),
		cmocka_unit_test(test_iso9660_genisoimage_joliet),
		cmocka_unit_test(test_swap),
		cmocka_unit_test(test_luks),
		cmocka_unit_test(test_lvm_pv),
		cmocka_unit_test(test_md_12_and_11),
		cmocka_unit_test(test_md_end),
		cmocka_unit_test(test_zeroed_and_empty),
		cmocka_unit_test(test_magic_alone_is_not_enough),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
