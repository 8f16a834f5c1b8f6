/* fuzz_parttable.c - part_lookup() on any disk.
 *
 * Input: a 4-byte prefix, then the whole disk.
 *   byte 0, bits 0-1: logical block size 512, 4096, 1024 or 65536
 *   byte 0, bit 2:    the disk claims 1 MiB more than it holds (reads
 *                     there fail with -EIO, as on a failing device)
 *   byte 0, bit 3:    the CRCs of the GPT headers in block 1 and the last
 *                     block and of their entry arrays are made right first,
 *                     so that mutated headers and entries get past the
 *                     CRC checks to the code behind them
 *   bytes 1-2:        partition number 1 + (LE16 % 300)
 *   byte 3:           unused
 * tests/fuzz/seeds.sh writes real GPT and MBR disks behind such a prefix. */
#include <errno.h>
#include <string.h>
#include <zlib.h>
#include "bytes.h"
#include "parttable.h"
#include "fuzz.h"

struct disk {
	const uint8_t *buf;
	size_t len;
};

static int read_disk(void *ctx, uint64_t off, void *buf, size_t len)
{
	const struct disk *d = ctx;

	if (off > d->len || len > d->len - off)
		return -EIO;
	memcpy(buf, d->buf + off, len);
	return 0;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Make the CRCs of the GPT header at block @lba (and of its entry array,
 * when the disk holds it) right. */
static void fix_gpt(uint8_t *disk, size_t len, unsigned int ss, uint64_t lba)
{
	uint8_t *h;
	uint64_t off, arr, n;
	uint32_t hsize;

	if (lba > len / ss)
		return;
	off = lba * ss;
	if (off + 92 > len || memcmp(disk + off, "EFI PART", 8))
		return;
	h = disk + off;
	hsize = le32(h + 12);
	if (hsize < 92 || hsize > ss || hsize > 4096 || hsize > len - off)
		return;
	arr = le64(h + 72);
	n = (uint64_t)le32(h + 80) * 128;
	if (arr <= len / ss && n <= len - arr * ss)
		put_le32(h + 88, (uint32_t)crc32(0, disk + arr * ss, (uInt)n));
	put_le32(h + 16, 0);
	put_le32(h + 16, (uint32_t)crc32(0, h, hsize));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int sectors[4] = { 512, 4096, 1024, 65536 };
	struct part_info pi;
	struct disk d;
	uint64_t disk_size;
	unsigned int ss, partno;
	uint8_t *copy;
	int r;

	if (size < 4)
		return 0;
	ss = sectors[data[0] & 3];
	partno = 1 + (unsigned int)(data[1] | data[2] << 8) % 300;
	d.len = size - 4;
	copy = malloc(d.len ? d.len : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 4, d.len);
	if (data[0] & 8 && d.len >= ss) {
		fix_gpt(copy, d.len, ss, 1);
		fix_gpt(copy, d.len, ss, d.len / ss - 1);
	}
	d.buf = copy;
	disk_size = d.len + (data[0] & 4 ? 1u << 20 : 0);
	r = part_lookup(read_disk, &d, disk_size, ss, partno, &pi);
	FUZZ_CHECK(r <= 0);
	if (!r) {
		FUZZ_TERMINATED(pi.uuid);
		FUZZ_TERMINATED(pi.label);
		FUZZ_CHECK(pi.uuid[0] != '\0');
	}
	free(copy);
	return 0;
}
