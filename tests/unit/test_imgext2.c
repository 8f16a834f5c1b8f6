/* test_imgext2.c - the image as an ext2 filesystem, checked with the
 * e2fsprogs tools: e2fsck -fn, debugfs, dumpe2fs */
#include "unit.h"
#include <errno.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <ext2fs/ext2_fs.h>
#include "imgext2.h"
#include "image.h"

#define MTIME 1700000000u	/* Tue Nov 14 22:13:20 2023 UTC */
#define BIG_SIZE (1536 * 1024 + 123)

static const char *tmp;		/* scratch directory */
static char big_src[256], small_src[256], empty_src[256];

/* ---- helpers ---------------------------------------------------------- */

/* stdout of a shell command (stderr dropped), as a malloc'd string. */
static char *run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *run(const char *fmt, ...)
{
	char cmd[4096], *out = NULL;
	size_t len = 0, cap = 0;
	va_list ap;
	FILE *p;
	int c;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	assert_non_null(p);
	while ((c = fgetc(p)) != EOF) {
		if (len + 2 > cap) {
			cap = cap ? 2 * cap : 4096;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		out[len++] = (char)c;
	}
	pclose(p);
	if (!out)
		out = calloc(1, 1);
	assert_non_null(out);
	out[len] = '\0';
	return out;
}

static void write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Build @img into a buffer; fail the test on error. */
static void *build(const struct image *img, const uint8_t *uuid, size_t *len)
{
	char err[512] = "";
	void *buf = NULL;
	int r = imgext2_build(img, uuid, &buf, len, err, sizeof(err));

	if (r)
		fail_msg("imgext2_build: %d: %s", r, err);
	assert_non_null(buf);
	assert_true(*len > 0 && *len % IMGEXT2_BLOCK_SIZE == 0);
	return buf;
}

/* Build @img and write it to @name in the scratch directory. */
static size_t build_to(const struct image *img, const char *name)
{
	char path[512];
	size_t len;
	void *buf = build(img, NULL, &len);

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	write_file(path, buf, len);
	free(buf);
	return len;
}

static void fsck_ok(const char *name)
{
	unit_sh("e2fsck -fn %s/%s >/dev/null 2>&1", tmp, name);
}

static char *debugfs(const char *name, const char *req)
{
	return run("TZ=UTC debugfs -R '%s' %s/%s 2>/dev/null", req, tmp, name);
}

struct lsent {
	unsigned int ino, mode, type, uid, gid;
	unsigned long long size;
};

/* The `debugfs ls -l` line of @entry in @dir. */
static struct lsent ls_entry(const char *img, const char *dir, const char *entry)
{
	char req[512], *out, *line, *save = NULL;
	struct lsent e;
	bool found = false;

	snprintf(req, sizeof(req), "ls -l %s", dir);
	out = debugfs(img, req);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[300];

		if (sscanf(line, "%u %o (%u) %u %u %llu %*s %*s %299s", &e.ino, &e.mode,
			   &e.type, &e.uid, &e.gid, &e.size, name) == 7 &&
		    !strcmp(name, entry)) {
			found = true;
			break;
		}
	}
	free(out);
	if (!found)
		fail_msg("%s: no entry %s in %s", img, entry, dir);
	return e;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected \"%s\" in:\n%s", needle, hay);
}

/* Deterministic bytes that do not compress or repeat. */
static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

/* The tree most tests use. */
static void sample_image(struct image *img, uint32_t mtime)
{
	image_init(img, mtime);
	image_add_dir(img, "/etc", 0755);
	image_add_dir(img, "/secret", 0700);
	image_add_data(img, "/etc/hello", "hello\n", 6, 0644);
	image_add_file(img, "/etc/motd", small_src, 0640);
	image_add_file(img, "/usr/lib/big.bin", big_src, 0644);
	image_add_file(img, "/empty", empty_src, 0600);
	image_add_file(img, "/bin/su", small_src, 04755);
	image_add_link(img, "/lib64", "usr/lib64");
	image_add_link(img, "/usr/lib/long",
		       "../../a/target/of/more/than/sixty/bytes/so/that/it/needs/a/block");
	image_add_node(img, "/dev/console", S_IFCHR | 0600, 5, 1);
	image_add_node(img, "/dev/vda", S_IFBLK | 0660, 254, 0);
	image_add_node(img, "/dev/nvme", S_IFBLK | 0660, 259, 70000);
	image_add_node(img, "/dev/initctl", S_IFIFO | 0600, 0, 0);
}

/* ---- tests ------------------------------------------------------------ */

static void test_tree_checks_clean(void **state)
{
	struct image img;
	struct lsent e;
	char *out;
	size_t len;

	sample_image(&img, MTIME);
	len = build_to(&img, "tree.img");
	image_free(&img);
	fsck_ok("tree.img");
	print_message("sample tree (1.5 MiB of files): %zu bytes\n", len);

	/* contents, byte for byte */
	unit_sh("debugfs -R 'cat /usr/lib/big.bin' %s/tree.img 2>/dev/null | cmp -s - %s",
		tmp, big_src);
	unit_sh("debugfs -R 'cat /etc/motd' %s/tree.img 2>/dev/null | cmp -s - %s",
		tmp, small_src);
	out = debugfs("tree.img", "cat /etc/hello");
	assert_string_equal(out, "hello\n");
	free(out);
	out = debugfs("tree.img", "cat /usr/lib/long");
	assert_string_equal(out, "../../a/target/of/more/than/sixty/bytes/so/that/it/needs/a/block");
	free(out);

	/* types, modes, owners, sizes */
	e = ls_entry("tree.img", "/etc", "hello");
	assert_int_equal(e.mode, 0100644);
	assert_int_equal(e.size, 6);
	assert_int_equal(e.uid, 0);
	assert_int_equal(e.gid, 0);
	e = ls_entry("tree.img", "/etc", "motd");
	assert_int_equal(e.mode, 0100640);
	e = ls_entry("tree.img", "/usr/lib", "big.bin");
	assert_int_equal(e.mode, 0100644);
	assert_int_equal(e.size, BIG_SIZE);
	e = ls_entry("tree.img", "/", "empty");
	assert_int_equal(e.mode, 0100600);
	assert_int_equal(e.size, 0);
	e = ls_entry("tree.img", "/bin", "su");
	assert_int_equal(e.mode, 0104755);
	e = ls_entry("tree.img", "/", "secret");
	assert_int_equal(e.mode, 040700);
	e = ls_entry("tree.img", "/", "usr");
	assert_int_equal(e.mode, 040755);	/* made by image_add_* as a parent */
	e = ls_entry("tree.img", "/", "lost+found");
	assert_int_equal(e.mode, 040700);
	e = ls_entry("tree.img", "/", "lib64");
	assert_int_equal(e.mode, 0120777);
	assert_int_equal(e.type, EXT2_FT_SYMLINK);
	e = ls_entry("tree.img", "/dev", "console");
	assert_int_equal(e.mode, 020600);
	assert_int_equal(e.type, EXT2_FT_CHRDEV);
	e = ls_entry("tree.img", "/dev", "vda");
	assert_int_equal(e.mode, 060660);
	assert_int_equal(e.type, EXT2_FT_BLKDEV);
	e = ls_entry("tree.img", "/dev", "initctl");
	assert_int_equal(e.mode, 010600);
	assert_int_equal(e.type, EXT2_FT_FIFO);
	e = ls_entry("tree.img", "/", ".");
	assert_int_equal(e.ino, EXT2_ROOT_INO);
	assert_int_equal(e.mode, 040755);
	assert_int_equal(e.uid, 0);
	assert_int_equal(e.gid, 0);

	out = debugfs("tree.img", "stat /dev/console");
	assert_contains(out, "Device major/minor number: 05:01");
	assert_contains(out, "User:     0   Group:     0");
	assert_contains(out, "ctime: 0x6553f100");
	assert_contains(out, "atime: 0x6553f100");
	assert_contains(out, "mtime: 0x6553f100");
	free(out);
	out = debugfs("tree.img", "stat /dev/vda");
	assert_contains(out, "Device major/minor number: 254:00");
	free(out);
	out = debugfs("tree.img", "stat /dev/nvme");
	assert_contains(out, "(New-style) Device major/minor number: 259:70000");
	free(out);
	out = debugfs("tree.img", "stat /lib64");
	assert_contains(out, "Fast link dest: \"usr/lib64\"");
	free(out);
	out = debugfs("tree.img", "stat /");
	assert_contains(out, "User:     0   Group:     0");
	assert_contains(out, "mtime: 0x6553f100");
	free(out);

	/* plain ext2: what any kernel's ext2 driver mounts */
	out = run("TZ=UTC dumpe2fs -h %s/tree.img 2>/dev/null", tmp);
	assert_contains(out, "Filesystem features:      filetype sparse_super\n");
	assert_contains(out, "Filesystem revision #:    1 (dynamic)");
	assert_contains(out, "Block size:               1024\n");
	assert_contains(out, "Inode size:\t          128\n");
	assert_contains(out, "Reserved block count:     0\n");
	assert_contains(out, "Maximum mount count:      -1\n");
	assert_contains(out, "Check interval:           0 (<none>)\n");
	assert_contains(out, "Filesystem created:       Tue Nov 14 22:13:20 2023\n");
	assert_contains(out, "Last write time:          Tue Nov 14 22:13:20 2023\n");
	assert_contains(out, "Last mount time:          Tue Nov 14 22:13:20 2023\n");
	assert_contains(out, "Last checked:             Tue Nov 14 22:13:20 2023\n");
	assert_contains(out, "Filesystem state:         clean\n");
	assert_null(strstr(out, "journal"));
	assert_null(strstr(out, "Lifetime writes"));
	free(out);
}

/* Every inode in use, owners and times, from debugfs's own listing. */
static void test_all_inodes_owned_by_root(void **state)
{
	struct image img;
	char *out, *line, *save = NULL;
	int n = 0;

	sample_image(&img, MTIME);
	build_to(&img, "own.img");
	image_free(&img);
	out = run("debugfs -R 'ls -l -p /' %s/own.img 2>/dev/null; "
		  "for d in etc secret usr usr/lib bin dev lost+found; do "
		  "debugfs -R \"ls -l -p /$d\" %s/own.img 2>/dev/null; done", tmp, tmp);
	/* -p: /ino/mode/uid/gid/name/size/ */
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned int ino, mode, uid, gid;

		if (sscanf(line, "/%u/%o/%u/%u/", &ino, &mode, &uid, &gid) != 4)
			continue;
		assert_int_equal(uid, 0);
		assert_int_equal(gid, 0);
		n++;
	}
	free(out);
	assert_true(n >= 20);
}

static void test_reproducible(void **state)
{
	static const uint8_t uuid[16] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
					  0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10 };
	struct image img;
	size_t l1, l2, l3;
	uint8_t *a, *b, *c;
	char *out;

	sample_image(&img, MTIME);
	a = build(&img, NULL, &l1);
	b = build(&img, NULL, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(a, b, l1);

	/* a caller's UUID is used as is, and changes nothing else but the
	 * superblock copies */
	c = build(&img, uuid, &l3);
	assert_int_equal(l1, l3);
	assert_memory_equal(c + 1024 + offsetof(struct ext2_super_block, s_uuid), uuid, 16);
	free(c);

	/* the derived UUID follows the content */
	image_add_data(&img, "/etc/extra", "x", 1, 0644);
	c = build(&img, NULL, &l3);
	assert_memory_not_equal(c + 1024 + offsetof(struct ext2_super_block, s_uuid),
				a + 1024 + offsetof(struct ext2_super_block, s_uuid), 16);
	/* RFC 9562 version 8 (vendor-specific), variant 10 */
	assert_int_equal(a[1024 + offsetof(struct ext2_super_block, s_uuid) + 6] >> 4, 8);
	assert_int_equal(a[1024 + offsetof(struct ext2_super_block, s_uuid) + 8] >> 6, 2);
	free(c);
	image_free(&img);

	{
		char path[512];

		snprintf(path, sizeof(path), "%s/uuid.img", tmp);
		sample_image(&img, MTIME);
		c = build(&img, uuid, &l3);
		image_free(&img);
		write_file(path, c, l3);
		free(c);
		fsck_ok("uuid.img");
		out = run("dumpe2fs -h %s 2>/dev/null", path);
		assert_contains(out, "Filesystem UUID:          01234567-89ab-cdef-fedc-ba9876543210\n");
		free(out);
	}
	free(a);
	free(b);
}

/* Bytes that differ between two builds differ only in 32-bit timestamp
 * words: @ta in one, @tb in the other. */
static size_t only_times_differ(const uint8_t *a, const uint8_t *b, size_t len,
				uint32_t ta, uint32_t tb)
{
	size_t off, words = 0;

	for (off = 0; off + 4 <= len; off += 4) {
		uint32_t x, y;

		if (!memcmp(a + off, b + off, 4))
			continue;
		x = (uint32_t)a[off] | (uint32_t)a[off + 1] << 8 |
		    (uint32_t)a[off + 2] << 16 | (uint32_t)a[off + 3] << 24;
		y = (uint32_t)b[off] | (uint32_t)b[off + 1] << 8 |
		    (uint32_t)b[off + 2] << 16 | (uint32_t)b[off + 3] << 24;
		if (x != ta || y != tb)
			fail_msg("offset %zu: %#x vs %#x, not the timestamps %#x/%#x",
				 off, x, y, ta, tb);
		words++;
	}
	return words;
}

static void test_mtime_changes_only_timestamps(void **state)
{
	struct image i1, i2, i0;
	size_t l1, l2, l0;
	uint8_t *a, *b, *z;
	char *out;

	sample_image(&i1, MTIME);
	sample_image(&i2, MTIME + 86400 * 365);
	sample_image(&i0, 0);
	a = build(&i1, NULL, &l1);
	b = build(&i2, NULL, &l2);
	z = build(&i0, NULL, &l0);
	assert_int_equal(l1, l2);
	assert_int_equal(l1, l0);
	assert_memory_not_equal(a, b, l1);
	/* atime, ctime, mtime of 19 inodes (17 entries, /, /lost+found);
	 * mkfs, write, mount and check time of the one superblock */
	assert_int_equal(only_times_differ(a, b, l1, MTIME, MTIME + 86400 * 365),
			 3 * 19 + 4);
	/* 0 is a time like any other: the clock does not creep in */
	assert_int_equal(only_times_differ(z, a, l1, 0, MTIME), 3 * 19 + 4);
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/epoch.img", tmp);
		write_file(path, z, l0);
	}
	fsck_ok("epoch.img");
	out = run("TZ=UTC dumpe2fs -h %s/epoch.img 2>/dev/null", tmp);
	assert_contains(out, "Last write time:          Thu Jan  1 00:00:00 1970\n");
	free(out);
	free(a);
	free(b);
	free(z);
	image_free(&i1);
	image_free(&i2);
	image_free(&i0);
}

static unsigned long long free_blocks(const char *name)
{
	char *out = run("dumpe2fs -h %s/%s 2>/dev/null | sed -n 's/^Free blocks: *//p'",
			tmp, name);
	unsigned long long n = strtoull(out, NULL, 10);

	free(out);
	return n;
}

static void test_size_follows_content(void **state)
{
	struct image img;
	uint8_t *data = malloc(4 << 20);
	size_t s_empty, s_small, s_big, s_bigger;

	assert_non_null(data);
	fill(data, 4 << 20, 7);

	image_init(&img, MTIME);
	s_empty = build_to(&img, "empty.img");
	fsck_ok("empty.img");
	image_add_node(&img, "/dev/console", S_IFCHR | 0600, 5, 1);
	image_add_data(&img, "/init", data, 20000, 0755);
	s_small = build_to(&img, "small.img");
	fsck_ok("small.img");
	image_add_data(&img, "/lib/a.bin", data, 1 << 20, 0644);
	s_big = build_to(&img, "big.img");
	fsck_ok("big.img");
	image_add_data(&img, "/lib/b.bin", data + 1, 3 << 20, 0644);
	s_bigger = build_to(&img, "bigger.img");
	fsck_ok("bigger.img");
	image_free(&img);
	free(data);
	print_message("sizes: empty %zu, /init + console %zu, +1 MiB %zu, +3 MiB %zu\n",
		      s_empty, s_small, s_big, s_bigger);

	assert_true(s_empty < s_small && s_small < s_big && s_big < s_bigger);
	/* content plus a tenth plus 64 KiB, plus metadata (inode tables,
	 * bitmaps, indirect blocks, directories) well under 64 KiB more */
	assert_true(s_small <= 20000 + 20000 / 10 + 128 * 1024);
	assert_true(s_big <= 20000 + (1 << 20) + ((20000 + (1 << 20)) / 10) + 128 * 1024);
	assert_true(s_bigger <= 20000 + (4 << 20) + ((20000 + (4 << 20)) / 10) + 128 * 1024);
	/* and at least the margin is free */
	assert_true(free_blocks("empty.img") >= 64);
	assert_true(free_blocks("small.img") >= 64);
	assert_true(free_blocks("big.img") >= 64 + (1 << 10) / 10);
	assert_true(free_blocks("bigger.img") >= 64 + (4 << 10) / 10);
}

static void test_many_files(void **state)
{
	struct image img;
	char path[64], data[32], *out;
	size_t len;
	int i;

	image_init(&img, MTIME);
	for (i = 0; i < 3000; i++) {
		snprintf(path, sizeof(path), "/lib/modules/file-%04d.ko", i);
		snprintf(data, sizeof(data), "module %d\n", i);
		image_add_data(&img, path, data, strlen(data), 0644);
	}
	for (i = 0; i < 300; i++) {
		snprintf(path, sizeof(path), "/top-%03d", i);
		image_add_dir(&img, path, 0755);
	}
	len = build_to(&img, "many.img");
	image_free(&img);
	print_message("3000 small files in one directory, 300 directories: %zu bytes\n", len);
	fsck_ok("many.img");
	out = run("debugfs -R 'ls /lib/modules' %s/many.img 2>/dev/null | "
		  "tr -s ' ' '\\n' | grep -c '^file-'", tmp);
	assert_int_equal(atoi(out), 3000);
	free(out);
	out = debugfs("many.img", "cat /lib/modules/file-2999.ko");
	assert_string_equal(out, "module 2999\n");
	free(out);
	out = debugfs("many.img", "cat /lib/modules/file-0000.ko");
	assert_string_equal(out, "module 0\n");
	free(out);
	out = run("debugfs -R 'ls /' %s/many.img 2>/dev/null | tr -s ' ' '\\n' | "
		  "grep -c '^top-'", tmp);
	assert_int_equal(atoi(out), 300);
	free(out);
}

static void test_missing_source(void **state)
{
	struct image img;
	char err[512] = "", missing[512];
	void *buf = (void *)1;
	size_t len = 1;
	int r;

	snprintf(missing, sizeof(missing), "%s/no-such-file", tmp);
	image_init(&img, MTIME);
	image_add_data(&img, "/etc/hello", "hello\n", 6, 0644);
	image_add_file(&img, "/sbin/gone", missing, 0755);
	r = imgext2_build(&img, NULL, &buf, &len, err, sizeof(err));
	image_free(&img);
	assert_int_equal(r, -ENOENT);
	assert_null(buf);
	assert_int_equal(len, 0);
	assert_contains(err, missing);
	assert_contains(err, "/sbin/gone");

	/* a directory is not a file */
	image_init(&img, MTIME);
	image_add_file(&img, "/etc/dir", tmp, 0644);
	r = imgext2_build(&img, NULL, &buf, &len, err, sizeof(err));
	image_free(&img);
	assert_int_equal(r, -EINVAL);
	assert_contains(err, "/etc/dir");
}

static void expect_error(struct image *img, int want, const char *in_msg)
{
	char err[512] = "";
	void *buf = NULL;
	size_t len = 0;
	int r = imgext2_build(img, NULL, &buf, &len, err, sizeof(err));

	image_free(img);
	assert_int_equal(r, want);
	assert_null(buf);
	assert_contains(err, in_msg);
}

static void test_refuses_what_ext2_cannot_hold(void **state)
{
	struct image img;
	char target[1100], name[300];

	memset(target, 'a', sizeof(target) - 1);
	target[sizeof(target) - 1] = '\0';
	image_init(&img, MTIME);
	image_add_link(&img, "/far", target);
	expect_error(&img, -ENAMETOOLONG, "/far");

	memset(name, 'n', sizeof(name) - 1);
	name[0] = '/';
	name[sizeof(name) - 1] = '\0';
	image_init(&img, MTIME);
	image_add_data(&img, name, "x", 1, 0644);
	expect_error(&img, -ENAMETOOLONG, "longer than 255");

	/* a file replacing a directory that still has children */
	image_init(&img, MTIME);
	image_add_data(&img, "/a/b", "x", 1, 0644);
	image_add_data(&img, "/a", "y", 1, 0644);
	expect_error(&img, -EINVAL, "/a is not a directory");

	image_init(&img, MTIME);
	image_add_data(&img, "/", "x", 1, 0644);
	expect_error(&img, -EINVAL, "root");

	image_init(&img, MTIME);
	image_add_node(&img, "/dev/odd", S_IFREG | 0644, 1, 2);
	expect_error(&img, -EINVAL, "/dev/odd");

	image_init(&img, MTIME);
	image_add_data(&img, "/a/../b", "x", 1, 0644);
	expect_error(&img, -EINVAL, "/a/..: empty, \".\" or \"..\"");
}

/* Duplicates (the last wins), the root's own mode, an image's own
 * /lost+found, parents the list lacks. */
static void test_duplicates_root_and_parents(void **state)
{
	struct image img;
	struct lsent e;
	char *out;
	size_t i, j;

	image_init(&img, MTIME);
	image_add_dir(&img, "/", 0711);
	image_add_data(&img, "/etc/conf", "first\n", 6, 0600);
	image_add_data(&img, "/etc/conf", "second\n", 7, 0644);
	image_add_dir(&img, "/etc", 0750);
	image_add_dir(&img, "/lost+found", 0755);
	image_add_data(&img, "/x/y/z", "deep\n", 5, 0644);
	/* drop the parents image_add_* made for /x/y/z */
	for (i = j = 0; i < img.n; i++) {
		if (!strcmp(img.e[i].path, "x") || !strcmp(img.e[i].path, "x/y")) {
			free(img.e[i].path);
			free(img.e[i].src);
			free(img.e[i].data);
			continue;
		}
		img.e[j++] = img.e[i];
	}
	img.n = j;
	build_to(&img, "dup.img");
	image_free(&img);
	fsck_ok("dup.img");

	out = debugfs("dup.img", "cat /etc/conf");
	assert_string_equal(out, "second\n");
	free(out);
	e = ls_entry("dup.img", "/etc", "conf");
	assert_int_equal(e.mode, 0100644);
	e = ls_entry("dup.img", "/", "etc");
	assert_int_equal(e.mode, 040750);
	e = ls_entry("dup.img", "/", ".");
	assert_int_equal(e.mode, 040711);
	e = ls_entry("dup.img", "/", "lost+found");
	assert_int_equal(e.mode, 040755);
	e = ls_entry("dup.img", "/", "x");
	assert_int_equal(e.mode, 040755);
	e = ls_entry("dup.img", "/x", "y");
	assert_int_equal(e.mode, 040755);
	out = debugfs("dup.img", "cat /x/y/z");
	assert_string_equal(out, "deep\n");
	free(out);
	out = run("debugfs -R 'ls /' %s/dup.img 2>/dev/null | grep -o 'lost+found' | wc -l",
		  tmp);
	assert_int_equal(atoi(out), 1);
	free(out);
}

/* The scratch file never outlives the call, and its place is $TMPDIR. */
static void test_scratch_file(void **state)
{
	struct image img;
	char dir[512], err[512] = "", *out;
	const char *old = getenv("TMPDIR");
	char *saved = old ? strdup(old) : NULL;
	void *buf = NULL;
	size_t len;
	int r;

	snprintf(dir, sizeof(dir), "%s/scratch", tmp);
	unit_sh("mkdir -p %s", dir);
	setenv("TMPDIR", dir, 1);

	sample_image(&img, MTIME);
	free(build(&img, NULL, &len));
	image_add_file(&img, "/gone", "/nonexistent/file", 0644);
	assert_int_equal(imgext2_build(&img, NULL, &buf, &len, err, sizeof(err)), -ENOENT);
	image_free(&img);
	out = run("ls -A %s", dir);
	assert_string_equal(out, "");
	free(out);

	setenv("TMPDIR", "/nonexistent/dir", 1);
	image_init(&img, MTIME);
	r = imgext2_build(&img, NULL, &buf, &len, err, sizeof(err));
	image_free(&img);
	assert_int_equal(r, -ENOENT);
	assert_contains(err, "/nonexistent/dir");

	if (saved) {
		setenv("TMPDIR", saved, 1);
		free(saved);
	} else {
		unsetenv("TMPDIR");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_checks_clean),
		cmocka_unit_test(test_all_inodes_owned_by_root),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_mtime_changes_only_timestamps),
		cmocka_unit_test(test_size_follows_content),
		cmocka_unit_test(test_many_files),
		cmocka_unit_test(test_missing_source),
		cmocka_unit_test(test_refuses_what_ext2_cannot_hold),
		cmocka_unit_test(test_duplicates_root_and_parents),
		cmocka_unit_test(test_scratch_file),
	};
	uint8_t *big = malloc(BIG_SIZE);
	char cmd[256];
	int r;

	tmp = unit_tmpdir();
	assert_non_null(big);
	fill(big, BIG_SIZE, 1);
	snprintf(big_src, sizeof(big_src), "%s/big.src", tmp);
	snprintf(small_src, sizeof(small_src), "%s/small.src", tmp);
	snprintf(empty_src, sizeof(empty_src), "%s/empty.src", tmp);
	write_file(big_src, big, BIG_SIZE);
	write_file(small_src, "Welcome to initkit.\n", 20);
	write_file(empty_src, "", 0);
	free(big);

	r = cmocka_run_group_tests_name("imgext2", tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd))
		r = 1;
	return r;
}
