/* test_parttable.c - part_lookup() on disk images partitioned by sfdisk and
 * fdisk, checked against what libblkid (partx) reports for them; plus
 * corrupt GPT headers, looping EBR chains and random damage.  Every read
 * the code asks for is checked to lie inside the disk size it was given. */
#include "unit.h"
#include <errno.h>
#include <fcntl.h>
#include "parttable.h"

#define MIB (1024 * 1024)

static char *tmp;
static char gpt_img[256], mbr_img[256];

struct disk {
	int fd;			/* or -1: @mem holds the disk */
	const uint8_t *mem;
	uint64_t size;
	unsigned long reads;
};

static int disk_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct disk *d = ctx;

	/* part_lookup must check every offset against disk_size itself. */
	assert_true(off <= d->size && len <= d->size - off);
	d->reads++;
	if (d->fd < 0) {
		memcpy(buf, d->mem + off, len);
		return 0;
	}
	return pread(d->fd, buf, len, (off_t)off) == (ssize_t)len ? 0 : -EIO;
}

static int lookup_file(const char *img, unsigned int ss, unsigned int partno,
		       struct part_info *pi, unsigned long *reads)
{
	struct disk d = { open(img, O_RDONLY), NULL, 0, 0 };
	int r;

	assert_true(d.fd >= 0);
	d.size = (uint64_t)lseek(d.fd, 0, SEEK_END);
	r = part_lookup(disk_read, &d, d.size, ss, partno, pi);
	close(d.fd);
	if (reads)
		*reads = d.reads;
	return r;
}

/* partx shows bytes that are not valid printable UTF-8 as "\xHH". */
static void unescape(char *s)
{
	char *o = s;
	unsigned int v;

	while (*s) {
		if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &v) == 1) {
			*o++ = (char)v;
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

/* libblkid's view of partition @n (via partx): column @col. */
static void partx_col(const char *img, unsigned int ss, unsigned int n,
		      const char *col, char *out, size_t size)
{
	char cmd[1024];
	size_t len;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "LC_ALL=C.UTF-8 partx -S %u -g -o %s -n %u '%s'",
		 ss, col, n, img);
	f = popen(cmd, "r");
	assert_non_null(f);
	len = fread(out, 1, size - 1, f);
	pclose(f);
	out[len] = '\0';
	while (len && (out[len - 1] == '\n' || out[len - 1] == ' '))
		out[--len] = '\0';
	unescape(out);
}

static void check_part(const char *img, unsigned int ss, unsigned int n,
		       const char *uuid, const char *label)
{
	struct part_info pi;
	char v[512];

	assert_int_equal(lookup_file(img, ss, n, &pi, NULL), 0);
	assert_string_equal(pi.uuid, uuid);
	assert_string_equal(pi.label, label);
	partx_col(img, ss, n, "UUID", v, sizeof(v));
	assert_string_equal(pi.uuid, v);
	partx_col(img, ss, n, "NAME", v, sizeof(v));
	assert_string_equal(pi.label, v);
}

/* ---- GPT fix-ups: the test's own CRC-32 and header/entry patching ----- */

static uint32_t crc32(const uint8_t *p, size_t n)
{
	uint32_t c = ~0u;
	int k;

	while (n--) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xEDB88320u : c >> 1;
	}
	return ~c;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void pio(int fd, void *buf, size_t len, off_t off, int wr)
{
	ssize_t n = wr ? pwrite(fd, buf, len, off) : pread(fd, buf, len, off);

	assert_int_equal(n, (ssize_t)len);
}

static void header_fix_crc(uint8_t *h)
{
	put32(h + 16, 0);
	put32(h + 16, crc32(h, get32(h + 12)));
}

/* Overwrite entry @idx in the array of the header at @lba, fix both CRCs. */
static void gpt_put_entry(int fd, uint64_t lba, uint32_t idx, const uint8_t *e)
{
	uint8_t h[512], *arr;
	uint64_t aoff;
	size_t alen;

	pio(fd, h, sizeof(h), (off_t)(lba * 512), 0);
	aoff = get64(h + 72) * 512;
	alen = (size_t)get32(h + 80) * 128;
	arr = malloc(alen);
	assert_non_null(arr);
	pio(fd, arr, alen, (off_t)aoff, 0);
	memcpy(arr + idx * 128, e, 128);
	pio(fd, arr, alen, (off_t)aoff, 1);
	put32(h + 88, crc32(arr, alen));
	header_fix_crc(h);
	pio(fd, h, sizeof(h), (off_t)(lba * 512), 1);
	free(arr);
}

/* A scratch copy of the GPT image, its fd open read-write. */
static int gpt_copy(char *path, size_t size, const char *name)
{
	int fd;

	snprintf(path, size, "%s/%s", tmp, name);
	unit_sh("cp --sparse=always '%s' '%s'", gpt_img, path);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	return fd;
}

static uint64_t last_lba(int fd)
{
	return (uint64_t)lseek(fd, 0, SEEK_END) / 512 - 1;
}

static void wipe_lba(int fd, uint64_t lba)
{
	uint8_t z[512] = { 0 };

	pio(fd, z, sizeof(z), (off_t)(lba * 512), 1);
}

/* ---- fixtures ------------------------------------------------------------ */

#define GPT_U1 "01234567-89AB-CDEF-0123-456789ABCDEF"
#define GPT_U2 "C0FFEE00-1234-4321-ABCD-00000000BEEF"
#define GPT_U3 "FEDCBA98-7654-3210-FEDC-BA9876543210"

static int group_setup(void **state)
{
	(void)state;
	tmp = unit_tmpdir();
	snprintf(gpt_img, sizeof(gpt_img), "%s/gpt.img", tmp);
	snprintf(mbr_img, sizeof(mbr_img), "%s/mbr.img", tmp);
	unit_sh("truncate -s 64M '%s' && printf '%%s\\n' 'label: gpt' "
		"'label-id: 6C9E3A1B-1111-2222-3333-444455556666' "
		"'start=2048, size=4096, type=L, uuid=" GPT_U1 ", name=\"root fs\"' "
		"'start=8192, size=4096, type=L, uuid=" GPT_U2 ", name=\"ünï ☃\"' "
		"'start=16384, size=4096, type=L, uuid=" GPT_U3 ", name=\"trailing  \"' "
		"| LC_ALL=C.UTF-8 sfdisk -q '%s'", gpt_img, gpt_img);
	unit_sh("truncate -s 32M '%s' && printf '%%s\\n' 'label: dos' "
		"'label-id: 0x1234abcd' "
		"'start=2048, size=4096, type=83' "
		"'start=6144, size=40960, type=5' "
		"'start=8192, size=4096, type=83' "
		"'start=14336, size=4096, type=82' "
		"| sfdisk -q '%s'", mbr_img, mbr_img);
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) ? -1 : 0;
}

/* ---- GPT ---------------------------------------------------------------- */

static void test_gpt(void **state)
{
	struct part_info pi;

	check_part(gpt_img, 512, 1, "01234567-89ab-cdef-0123-456789abcdef", "root fs");
	check_part(gpt_img, 512, 2, "c0ffee00-1234-4321-abcd-00000000beef", "ünï ☃");
	/* blkid drops the trailing spaces of a name, as of a label. */
	check_part(gpt_img, 512, 3, "fedcba98-7654-3210-fedc-ba9876543210", "trailing");
	/* Unused entries, entries past the array, partition 0. */
	assert_int_equal(lookup_file(gpt_img, 512, 4, &pi, NULL), -ENOENT);
	assert_string_equal(pi.uuid, "");
	assert_int_equal(lookup_file(gpt_img, 512, 128, &pi, NULL), -ENOENT);
	assert_int_equal(lookup_file(gpt_img, 512, 129, &pi, NULL), -ENOENT);
	assert_int_equal(lookup_file(gpt_img, 512, 0, &pi, NULL), -EINVAL);
	/* The wrong sector size finds no header at LBA 1. */
	assert_int_equal(lookup_file(gpt_img, 4096, 1, &pi, NULL), -ENOENT);
	assert_int_equal(lookup_file(gpt_img, 1000, 1, &pi, NULL), -EINVAL);
}

static void test_gpt_4k_sectors(void **state)
{
	char img[256];

	snprintf(img, sizeof(img), "%s/gpt4k.img", tmp);
	unit_sh("truncate -s 64M '%s' && printf 'g\\nn\\n1\\n\\n+1M\\nx\\nu\\n"
		"AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE\\nn\\nfour k\\nr\\nw\\n' | "
		"fdisk -b 4096 '%s' >/dev/null 2>&1", img, img);
	check_part(img, 4096, 1, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "four k");
	unlink(img);
}

/* Names outside the BMP (surrogate pairs), a lone surrogate, a name that
 * fills all 36 UTF-16 units with no NUL: compared with libblkid. */
static void test_gpt_name_encoding(void **state)
{
	static const uint16_t names[][36] = {
		{ 'x', 0xD83D, 0xDE00, 'y', 0 },		/* U+1F600 */
		{ 'a', 0xD800, 'b', 0 },			/* lone high */
		{ 0xDC00, 'c', 0 },				/* lone low */
		{ 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L',
		  'M', 'N', 'O', 'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X',
		  'Y', 'Z', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' },
		{ 0x00E9, 0x4E2D, 0x0100, ' ', 'z', 0 },
	};
	static const char *want[] = {
		"x\xF0\x9F\x98\x80y", "a\xED\xA0\x80" "b", "\xED\xB0\x80" "c",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
		"\xC3\xA9\xE4\xB8\xAD\xC4\x80 z",
	};
	char img[256];
	size_t i;
	int fd;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint8_t e[128] = { 0 };
		int k;

		fd = gpt_copy(img, sizeof(img), "gptname.img");
		memcpy(e, "\xAF\x3D\xC6\x0F\x83\x84\x72\x47\x8E\x79\x3D\x69\xD8\x47\x7D\xE4", 16);
		memcpy(e + 16, "\x10\x32\x54\x76\x98\xBA\xDC\xFE\x01\x23\x45\x67\x89\xAB\xCD\xEF", 16);
		put64(e + 32, 30720);
		put64(e + 40, 32767);
		for (k = 0; k < 36; k++) {
			e[56 + 2 * k] = (uint8_t)names[i][k];
			e[57 + 2 * k] = (uint8_t)(names[i][k] >> 8);
		}
		gpt_put_entry(fd, 1, 3, e);
		gpt_put_entry(fd, last_lba(fd), 3, e);
		close(fd);
		check_part(img, 512, 4, "76543210-ba98-fedc-0123-456789abcdef", want[i]);
		unlink(img);
	}
}

enum corruption {
	C_NENTRIES_HUGE, C_NENTRIES_ZERO, C_ESIZE_ZERO, C_ESIZE_HUGE, C_ESIZE_256,
	C_ELBA_HUGE, C_ELBA_LAST, C_HSIZE_SMALL, C_HSIZE_HUGE, C_MYLBA,
	C_USABLE, C_HDR_CRC, C_ARRAY_CRC, C_NONE
};

/* Damage the primary header (CRC kept valid unless that is the damage). */
static void corrupt_primary(int fd, enum corruption c)
{
	uint8_t h[512];
	int fix = 1;

	pio(fd, h, sizeof(h), 512, 0);
	switch (c) {
	case C_NENTRIES_HUGE:	put32(h + 80, 0xFFFFFFFFu); break;
	case C_NENTRIES_ZERO:	put32(h + 80, 0); break;
	case C_ESIZE_ZERO:	put32(h + 84, 0); break;
	case C_ESIZE_HUGE:	put32(h + 84, 1u << 31); break;
	case C_ESIZE_256:	put32(h + 84, 256); break;
	case C_ELBA_HUGE:	put64(h + 72, 1ULL << 62); break;
	case C_ELBA_LAST:	put64(h + 72, last_lba(fd)); break;
	case C_HSIZE_SMALL:	put32(h + 12, 91); fix = 0;
				put32(h + 16, 0); put32(h + 16, crc32(h, 92)); break;
	case C_HSIZE_HUGE:	put32(h + 12, 1u << 31); fix = 0; break;
	case C_MYLBA:		put64(h + 24, 2); break;
	case C_USABLE:		put64(h + 48, 1ULL << 40); break;
	case C_HDR_CRC:		h[56] ^= 1; fix = 0; break;
	case C_ARRAY_CRC:	put32(h + 88, get32(h + 88) ^ 1); break;
	case C_NONE:		break;
	}
	if (fix)
		header_fix_crc(h);
	pio(fd, h, sizeof(h), 512, 1);
}

static void test_gpt_corrupt_header(void **state)
{
	enum corruption c;
	struct part_info pi;
	char img[256];
	int fd;

	for (c = C_NENTRIES_HUGE; c < C_NONE; c++) {
		unsigned long reads;

		/* With the backup intact: it is used instead. */
		fd = gpt_copy(img, sizeof(img), "gptbad.img");
		corrupt_primary(fd, c);
		close(fd);
		assert_int_equal(lookup_file(img, 512, 1, &pi, NULL), 0);
		assert_string_equal(pi.uuid, "01234567-89ab-cdef-0123-456789abcdef");
		assert_string_equal(pi.label, "root fs");

		/* Without it: an error, not a crash, not a stray read. */
		fd = open(img, O_RDWR);
		assert_true(fd >= 0);
		wipe_lba(fd, last_lba(fd));
		close(fd);
		assert_int_equal(lookup_file(img, 512, 1, &pi, &reads), -EINVAL);
		assert_string_equal(pi.uuid, "");
		assert_true(reads < 200);
		unlink(img);
	}
}

static void test_gpt_missing(void **state)
{
	struct part_info pi;
	char img[256];
	int fd;

	/* No "EFI PART" anywhere. */
	fd = gpt_copy(img, sizeof(img), "gptnone.img");
	wipe_lba(fd, 1);
	wipe_lba(fd, last_lba(fd));
	close(fd);
	assert_int_equal(lookup_file(img, 512, 1, &pi, NULL), -ENOENT);
	unlink(img);

	/* A GPT without its protective MBR is not looked at. */
	fd = gpt_copy(img, sizeof(img), "gptnopmbr.img");
	wipe_lba(fd, 0);
	close(fd);
	assert_int_equal(lookup_file(img, 512, 1, &pi, NULL), -ENOENT);
	unlink(img);

	/* Only the backup is left (the kernel needs "gpt" for that). */
	fd = gpt_copy(img, sizeof(img), "gptbackup.img");
	wipe_lba(fd, 1);
	close(fd);
	assert_int_equal(lookup_file(img, 512, 2, &pi, NULL), 0);
	assert_string_equal(pi.uuid, "c0ffee00-1234-4321-abcd-00000000beef");
	unlink(img);
}

/* ---- MBR ---------------------------------------------------------------- */

static void test_mbr(void **state)
{
	struct part_info pi;

	check_part(mbr_img, 512, 1, "1234abcd-01", "");
	check_part(mbr_img, 512, 2, "1234abcd-02", "");	/* the extended one */
	check_part(mbr_img, 512, 5, "1234abcd-05", "");
	check_part(mbr_img, 512, 6, "1234abcd-06", "");
	assert_int_equal(lookup_file(mbr_img, 512, 3, &pi, NULL), -ENOENT);
	assert_int_equal(lookup_file(mbr_img, 512, 4, &pi, NULL), -ENOENT);
	assert_int_equal(lookup_file(mbr_img, 512, 7, &pi, NULL), -ENOENT);
	assert_int_equal(lookup_file(mbr_img, 512, 255, &pi, NULL), -ENOENT);
	assert_int_equal(lookup_file(mbr_img, 512, 256, &pi, NULL), -ENOENT);
	assert_int_equal(lookup_file(mbr_img, 512, 0, &pi, NULL), -EINVAL);
}

/* An in-memory copy of the first @size bytes of @img. */
static uint8_t *load(const char *img, size_t size)
{
	size_t got;
	uint8_t *m = unit_read(img, 0, size, &got);

	assert_int_equal(got, size);
	return m;
}

static int lookup_mem(const uint8_t *m, uint64_t size, unsigned int partno,
		      struct part_info *pi, unsigned long *reads)
{
	struct disk d = { -1, m, size, 0 };
	int r = part_lookup(disk_read, &d, size, 512, partno, pi);

	if (reads)
		*reads = d.reads;
	return r;
}

#define EXT_START	(6144 * 512)	/* the extended partition */

static void test_mbr_extended_types(void **state)
{
	static const uint8_t types[] = { 0x05, 0x0F, 0x85 };
	uint8_t *m = load(mbr_img, 16 * MIB);
	struct part_info pi;
	size_t i;

	for (i = 0; i < sizeof(types); i++) {
		m[446 + 16 + 4] = types[i];
		assert_int_equal(lookup_mem(m, 16 * MIB, 6, &pi, NULL), 0);
		assert_string_equal(pi.uuid, "1234abcd-06");
	}
	m[446 + 16 + 4] = 0x83;		/* no longer extended: no logicals */
	assert_int_equal(lookup_mem(m, 16 * MIB, 5, &pi, NULL), -ENOENT);
	free(m);
}

static void test_mbr_ebr_loops(void **state)
{
	uint8_t *m = load(mbr_img, 16 * MIB);
	uint8_t *ebr1 = m + EXT_START, *ebr2;
	struct part_info pi;
	unsigned long reads;

	/* The second EBR links back to the first: every lap yields two
	 * partitions, so the numbering runs to the kernel's limit. */
	ebr2 = m + EXT_START + (uint64_t)get32(ebr1 + 446 + 16 + 8) * 512;
	put32(ebr2 + 446 + 16 + 8, 0);
	ebr2[446 + 16 + 4] = 0x05;
	put32(ebr2 + 446 + 16 + 12, 2048);
	assert_int_equal(lookup_mem(m, 16 * MIB, 255, &pi, &reads), 0);
	assert_string_equal(pi.uuid, "1234abcd-ff");
	assert_true(reads < 300);
	assert_int_equal(lookup_mem(m, 16 * MIB, 256, &pi, &reads), -ENOENT);

	/* An EBR with nothing but a link to itself: given up after 100. */
	memset(ebr1 + 446, 0, 64);
	ebr1[446 + 16 + 4] = 0x05;
	put32(ebr1 + 446 + 16 + 8, 0);
	put32(ebr1 + 446 + 16 + 12, 2048);
	assert_int_equal(lookup_mem(m, 16 * MIB, 5, &pi, &reads), -ENOENT);
	assert_true(reads <= 102);

	/* A link far beyond the end of the disk. */
	put32(ebr1 + 446 + 16 + 8, 0xFFFFFFF0u);
	assert_int_equal(lookup_mem(m, 16 * MIB, 5, &pi, &reads), -ENOENT);
	assert_true(reads <= 2);
	free(m);
}

static void test_mbr_edges(void **state)
{
	uint8_t *m = load(mbr_img, 16 * MIB);
	struct part_info pi;

	/* A zero disk signature: blkid prints no PARTUUID, the kernel
	 * still matches PARTUUID=00000000-01. */
	memset(m + 440, 0, 4);
	assert_int_equal(lookup_mem(m, 16 * MIB, 1, &pi, NULL), 0);
	assert_string_equal(pi.uuid, "00000000-01");
	/* Partitions starting beyond the (smaller) disk do not exist. */
	assert_int_equal(lookup_mem(m, 2048 * 512, 1, &pi, NULL), -ENOENT);
	assert_int_equal(lookup_mem(m, 2049 * 512, 1, &pi, NULL), 0);
	/* A boot indicator that is not 0 or 0x80: a boot sector. */
	m[446] = 0x12;
	assert_int_equal(lookup_mem(m, 16 * MIB, 1, &pi, NULL), -ENOENT);
	m[446] = 0x80;
	assert_int_equal(lookup_mem(m, 16 * MIB, 1, &pi, NULL), 0);
	/* An 0xEE entry not at LBA 1: neither GPT nor MBR, as the kernel. */
	m[446 + 48 + 4] = 0xEE;
	put32(m + 446 + 48 + 8, 5);
	put32(m + 446 + 48 + 12, 5);
	assert_int_equal(lookup_mem(m, 16 * MIB, 1, &pi, NULL), -ENOENT);
	/* No 55 AA. */
	m[510] = 0;
	assert_int_equal(lookup_mem(m, 16 * MIB, 1, &pi, NULL), -ENOENT);
	free(m);
}

static void test_tiny_and_empty_disks(void **state)
{
	static const uint64_t sizes[] = { 0, 1, 511, 512, 1023, 1024, 1535, 4096 };
	uint8_t *m = load(gpt_img, 8192), *z = calloc(1, 8192);
	struct part_info pi;
	size_t i;

	assert_non_null(z);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_int_not_equal(lookup_mem(m, sizes[i], 1, &pi, NULL), 0);
		assert_int_equal(lookup_mem(z, sizes[i], 1, &pi, NULL), -ENOENT);
	}
	free(m);
	free(z);
}

/* Random damage to the tables; header CRCs are recomputed half of the
 * time so that the checks behind them are reached too.  Only the damaged
 * sectors are restored between rounds. */
static void test_fuzz(void **state)
{
	static const size_t hot[] = { 0, EXT_START, EXT_START + 2048 * 512 };
	uint8_t *g = load(gpt_img, 64 * MIB), *m = load(mbr_img, 8 * MIB);
	uint8_t *w = malloc(64 * MIB);
	struct part_info pi;
	unsigned long reads;
	int i, k, ok = 0;

	assert_non_null(w);
	srand(7);
	memcpy(w, g, 64 * MIB);
	for (i = 0; i < 3000; i++) {
		memcpy(w, g, 34 * 512);
		for (k = 0; k < 1 + rand() % 4; k++) {
			size_t off = rand() % 3 ? 512 + rand() % 92 : rand() % (34 * 512);

			w[off] = rand() % 2 ? (uint8_t)rand() : (uint8_t)-(rand() % 2);
		}
		if (rand() % 2) {
			if (get32(w + 512 + 12) > 512)	/* for the test's crc32 */
				put32(w + 512 + 12, 92);
			header_fix_crc(w + 512);
		}
		ok += !lookup_mem(w, 64 * MIB, 1 + rand() % 130, &pi, &reads);
		assert_true(strlen(pi.label) < sizeof(pi.label));
		/* MBR, then header and array (at most 4 MiB in 4 KiB
		 * reads) for the primary and for the backup. */
		assert_true(reads <= 1 + 2 * (1 + (4 * MIB) / 4096));
	}
	assert_true(ok > 0);		/* some rounds got through the checks */

	memcpy(w, m, 8 * MIB);
	for (i = 0; i < 3000; i++) {
		for (k = 0; k < 3; k++)
			memcpy(w + hot[k], m + hot[k], 512);
		for (k = 0; k < 1 + rand() % 6; k++) {
			size_t off = hot[rand() % 3] + 446 + rand() % 66;

			w[off] = rand() % 2 ? (uint8_t)rand() : (uint8_t)(0x05 * (rand() % 2));
		}
		lookup_mem(w, 8 * MIB, 1 + rand() % 12, &pi, &reads);
		assert_true(reads < 30000);
	}
	free(w);
	free(g);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gpt),
		cmocka_unit_test(test_gpt_4k_sectors),
		cmocka_unit_test(test_gpt_name_encoding),
		cmocka_unit_test(test_gpt_corrupt_header),
		cmocka_unit_test(test_gpt_missing),
		cmocka_unit_test(test_mbr),
		cmocka_unit_test(test_mbr_extended_types),
		cmocka_unit_test(test_mbr_ebr_loops),
		cmocka_unit_test(test_mbr_edges),
		cmocka_unit_test(test_tiny_and_empty_disks),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
