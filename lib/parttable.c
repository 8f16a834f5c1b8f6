/* parttable.c - GPT and MBR partition lookups for PARTUUID= and PARTLABEL=
 * (pure: every read goes through the caller's callback).
 *
 * Partitions are numbered as the kernel numbers them, and the rules for
 * what counts as a table follow the kernel's efi.c and msdos.c, because a
 * partition the kernel did not create has no device to mount.  The strings
 * are what blkid prints as PART_ENTRY_UUID and PART_ENTRY_NAME. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "bytes.h"
#include "parttable.h"

#define SECTOR_MIN		512
#define SECTOR_MAX		65536
#define IO_BUF			4096	/* a GPT header; a chunk of entries */

#define MBR_SIZE		512
#define MBR_DISKSIG_OFF		440
#define MBR_PART_OFF		446
#define MBR_PART_SIZE		16
#define MBR_SIG_OFF		510
#define MBR_TYPE_GPT		0xEE
#define MBR_MAX_PARTNO		255	/* the kernel's DISK_MAX_PARTS - 1 */
#define MBR_MAX_FRUITLESS	100	/* EBR links without a data partition */

#define GPT_HDR_MIN		92
#define GPT_ENTRY_SIZE		128
#define GPT_MAX_ARRAY		(4u << 20)	/* the kernel's kmalloc limit */
#define GPT_NAME_UNITS		36

struct disk {
	part_read_fn rd;
	void *ctx;
	uint64_t size;
	uint64_t ss;		/* logical block size */
};

struct gpt_hdr {
	uint64_t entry_lba;
	uint32_t nentries;
	uint32_t entries_crc;
};

/* Read @len bytes at @off, refusing anything outside the disk. */
static int disk_read(const struct disk *d, uint64_t off, void *buf, size_t len)
{
	if (off > d->size || len > d->size - off)
		return -EINVAL;
	return d->rd(d->ctx, off, buf, len);
}

/* CRC-32 (IEEE 802.3, reflected), bitwise: small beats fast here. */
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
	int k;

	while (n--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
	}
	return crc;
}

/* ---- GPT ---------------------------------------------------------------- */

/* Read and check the GPT header at @lba, as the kernel's is_gpt_valid(). */
static int gpt_header(const struct disk *d, uint64_t lba, uint8_t *buf,
		      struct gpt_hdr *h)
{
	uint64_t last = d->size / d->ss - 1, first_use, last_use, arr_off;
	size_t n = d->ss < IO_BUF ? (size_t)d->ss : IO_BUF;
	uint32_t hsize, crc;
	int r;

	if (lba > last)
		return -ENOENT;
	r = disk_read(d, lba * d->ss, buf, n);
	if (r)
		return r;
	if (memcmp(buf, "EFI PART", 8))
		return -ENOENT;
	hsize = le32(buf + 12);
	if (hsize < GPT_HDR_MIN || hsize > n)
		return -EINVAL;
	crc = le32(buf + 16);
	memset(buf + 16, 0, 4);
	if ((crc32_update(~0u, buf, hsize) ^ ~0u) != crc)
		return -EINVAL;
	if (le64(buf + 24) != lba)
		return -EINVAL;
	first_use = le64(buf + 40);
	last_use = le64(buf + 48);
	if (first_use > last || last_use > last || last_use < first_use)
		return -EINVAL;
	if (le32(buf + 84) != GPT_ENTRY_SIZE)
		return -EINVAL;		/* the kernel and blkid accept only 128 */
	h->entry_lba = le64(buf + 72);
	h->nentries = le32(buf + 80);
	h->entries_crc = le32(buf + 88);
	if (!h->nentries || h->nentries > GPT_MAX_ARRAY / GPT_ENTRY_SIZE ||
	    h->entry_lba > last)
		return -EINVAL;
	arr_off = h->entry_lba * d->ss;
	if ((uint64_t)h->nentries * GPT_ENTRY_SIZE > d->size - arr_off)
		return -EINVAL;
	return 0;
}

/* Read the whole entry array (to check its CRC) and keep entry @idx. */
static int gpt_entries(const struct disk *d, const struct gpt_hdr *h,
		       uint32_t idx, uint8_t *buf, uint8_t *entry)
{
	uint64_t off = h->entry_lba * d->ss;
	uint64_t end = off + (uint64_t)h->nentries * GPT_ENTRY_SIZE;
	uint64_t want = off + (uint64_t)idx * GPT_ENTRY_SIZE;
	uint32_t crc = ~0u;
	int r;

	while (off < end) {
		/* IO_BUF is a multiple of the entry size: none straddles. */
		size_t n = end - off < IO_BUF ? (size_t)(end - off) : IO_BUF;

		r = disk_read(d, off, buf, n);
		if (r)
			return r;
		crc = crc32_update(crc, buf, n);
		if (want >= off && want - off < n)
			memcpy(entry, buf + (want - off), GPT_ENTRY_SIZE);
		off += n;
	}
	if ((crc ^ ~0u) != h->entries_crc)
		return -EINVAL;
	return 0;
}

static int gpt_load(const struct disk *d, uint64_t lba, uint32_t idx,
		    uint8_t *buf, uint8_t *entry, uint32_t *nentries)
{
	struct gpt_hdr h = { 0, 0, 0 };
	int r;

	r = gpt_header(d, lba, buf, &h);
	if (!r)
		r = gpt_entries(d, &h, idx, buf, entry);
	*nentries = h.nentries;
	return r;
}

/* A GUID in GPT's mixed-endian layout, as lower-case 8-4-4-4-12. */
static void gpt_format_guid(const uint8_t *g, char *out)
{
	uint8_t u[16];

	u[0] = g[3]; u[1] = g[2]; u[2] = g[1]; u[3] = g[0];
	u[4] = g[5]; u[5] = g[4];
	u[6] = g[7]; u[7] = g[6];
	memcpy(u + 8, g + 8, 8);
	probe_format_uuid(u, out);
}

/* UTF-16LE to UTF-8 up to the first NUL, as blkid's ul_encode_to_utf8():
 * surrogate pairs are joined, a lone surrogate is encoded as it stands;
 * trailing white space is dropped, as blkid does for PART_ENTRY_NAME. */
static void utf16le_to_utf8(const uint8_t *src, size_t units, char *dst,
			    size_t dstsize)
{
	size_t i, o = 0;

	for (i = 0; i < units; i++) {
		uint32_t c = le16(src + 2 * i);

		if (c >= 0xD800 && c <= 0xDBFF && i + 1 < units) {
			uint32_t c2 = le16(src + 2 * (i + 1));

			if (c2 >= 0xDC00 && c2 <= 0xDFFF) {
				c = 0x10000 + ((c - 0xD800) << 10) + (c2 - 0xDC00);
				i++;
			}
		}
		if (!c)
			break;
		if (c < 0x80) {
			if (o + 1 >= dstsize)
				break;
			dst[o++] = (char)c;
		} else if (c < 0x800) {
			if (o + 2 >= dstsize)
				break;
			dst[o++] = (char)(0xC0 | c >> 6);
			dst[o++] = (char)(0x80 | (c & 0x3F));
		} else if (c < 0x10000) {
			if (o + 3 >= dstsize)
				break;
			dst[o++] = (char)(0xE0 | c >> 12);
			dst[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
			dst[o++] = (char)(0x80 | (c & 0x3F));
		} else {
			if (o + 4 >= dstsize)
				break;
			dst[o++] = (char)(0xF0 | c >> 18);
			dst[o++] = (char)(0x80 | ((c >> 12) & 0x3F));
			dst[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
			dst[o++] = (char)(0x80 | (c & 0x3F));
		}
	}
	while (o > 0 && (dst[o - 1] == ' ' ||
			 (dst[o - 1] >= '\t' && dst[o - 1] <= '\r')))
		o--;
	dst[o] = '\0';
}

static int gpt_lookup(const struct disk *d, unsigned int partno,
		      struct part_info *out)
{
	uint8_t buf[IO_BUF], e[GPT_ENTRY_SIZE];
	uint64_t last = d->size / d->ss - 1, first_lba, last_lba;
	uint32_t idx = partno - 1, nentries = 0;
	int r, i;

	memset(e, 0, sizeof(e));
	/* The primary header; if it is bad, the backup in the last block
	 * (the kernel does that only with "gpt" on its command line). */
	r = gpt_load(d, 1, idx, buf, e, &nentries);
	if (r) {
		int rb;

		memset(e, 0, sizeof(e));
		rb = gpt_load(d, last, idx, buf, e, &nentries);
		if (rb)
			return r == -ENOENT ? rb : r;
	}
	if (idx >= nentries)
		return -ENOENT;
	for (i = 0; i < 16 && !e[i]; i++)
		;
	if (i == 16)
		return -ENOENT;		/* unused entry */
	first_lba = le64(e + 32);
	last_lba = le64(e + 40);
	if (first_lba > last || last_lba > last)
		return -ENOENT;		/* the kernel skips such entries */
	gpt_format_guid(e + 16, out->uuid);
	utf16le_to_utf8(e + 56, GPT_NAME_UNITS, out->label, sizeof(out->label));
	return 0;
}

/* ---- MBR ---------------------------------------------------------------- */

static int mbr_is_extended(uint8_t type)
{
	return type == 0x05 || type == 0x0F || type == 0x85;
}

/*
 * Walk the EBR chain of the extended partition at byte @first (@first_size
 * bytes long) as the kernel's parse_extended() does, numbering logical
 * partitions from *@next.  Returns 0 with *@start set when @partno is met.
 * Bounded: the chain ends after MBR_MAX_FRUITLESS links that yield no
 * partition, and every partition found brings *@next closer to the limit.
 */
static int mbr_walk(const struct disk *d, uint64_t first, uint64_t first_size,
		    unsigned int partno, unsigned int *next, uint64_t *start)
{
	uint8_t ebr[MBR_SIZE];
	uint64_t this = first, this_size = first_size;
	int loopct = 0, i, r;

	for (;;) {
		const uint8_t *p;

		if (++loopct > MBR_MAX_FRUITLESS || *next > MBR_MAX_PARTNO)
			return -ENOENT;
		if (this > d->size || d->size - this < MBR_SIZE)
			return -ENOENT;	/* the kernel stops at the disk's end */
		r = disk_read(d, this, ebr, MBR_SIZE);
		if (r)
			return r;
		if (ebr[MBR_SIG_OFF] != 0x55 || ebr[MBR_SIG_OFF + 1] != 0xAA)
			return -ENOENT;

		/* Data partitions first: usually entry 0, but DR-DOS and OS/2
		 * use others; entries 2 and 3 must lie inside the extended
		 * partition, since they sometimes hold garbage. */
		for (i = 0, p = ebr + MBR_PART_OFF; i < 4; i++, p += MBR_PART_SIZE) {
			uint64_t offs, size;

			if (!le32(p + 12) || mbr_is_extended(p[4]))
				continue;
			offs = le32(p + 8) * d->ss;
			size = le32(p + 12) * d->ss;
			if (i >= 2 && (offs + size > this_size ||
				       this + offs < first ||
				       this + offs + size > first + first_size))
				continue;
			if ((*next)++ == partno) {
				*start = this + offs;
				return 0;
			}
			loopct = 0;
			if (*next > MBR_MAX_PARTNO)
				return -ENOENT;
		}
		/* Then the link to the next EBR, relative to the first. */
		for (i = 0, p = ebr + MBR_PART_OFF; i < 4; i++, p += MBR_PART_SIZE)
			if (le32(p + 12) && mbr_is_extended(p[4]))
				break;
		if (i == 4)
			return -ENOENT;
		this = first + le32(p + 8) * d->ss;
		this_size = le32(p + 12) * d->ss;
	}
}

static int mbr_lookup(const struct disk *d, const uint8_t *mbr,
		      unsigned int partno, struct part_info *out)
{
	const uint8_t *p = mbr + MBR_PART_OFF;
	uint64_t start = 0;
	unsigned int next = 5;
	int i, r = -ENOENT;

	/* A boot indicator other than 0 or 0x80: a boot sector, not a table. */
	for (i = 0; i < 4; i++)
		if (p[i * MBR_PART_SIZE] & 0x7F)
			return -ENOENT;
	if (partno > MBR_MAX_PARTNO)
		return -ENOENT;

	if (partno <= 4) {
		p += (partno - 1) * MBR_PART_SIZE;
		if (!le32(p + 12))
			return -ENOENT;
		start = le32(p + 8) * d->ss;
		r = 0;
	} else {
		for (i = 0; i < 4 && r == -ENOENT; i++, p += MBR_PART_SIZE)
			if (le32(p + 12) && mbr_is_extended(p[4]))
				r = mbr_walk(d, le32(p + 8) * d->ss,
					     le32(p + 12) * d->ss, partno,
					     &next, &start);
		if (r)
			return r;
	}
	if (start >= d->size)
		return -ENOENT;		/* the kernel ignores it: beyond EOD */
	snprintf(out->uuid, sizeof(out->uuid), "%08x-%02x",
		 (unsigned int)le32(mbr + MBR_DISKSIG_OFF), partno);
	return 0;
}

/* ---- entry point -------------------------------------------------------- */

int part_lookup(part_read_fn rd, void *ctx, uint64_t disk_size,
		unsigned int sector_size, unsigned int partno,
		struct part_info *out)
{
	struct disk d = { rd, ctx, disk_size, sector_size };
	uint8_t mbr[MBR_SIZE];
	const uint8_t *p;
	int i, r;

	memset(out, 0, sizeof(*out));
	if (!partno || sector_size < SECTOR_MIN || sector_size > SECTOR_MAX ||
	    (sector_size & (sector_size - 1)))
		return -EINVAL;
	if (disk_size < 2 * (uint64_t)sector_size)
		return -ENOENT;		/* no room for an MBR and a GPT header */
	r = disk_read(&d, 0, mbr, sizeof(mbr));
	if (r)
		return r;
	if (mbr[MBR_SIG_OFF] != 0x55 || mbr[MBR_SIG_OFF + 1] != 0xAA)
		return -ENOENT;

	/* Protective (or hybrid) MBR: an 0xEE entry starting at LBA 1. */
	for (i = 0, p = mbr + MBR_PART_OFF; i < 4; i++, p += MBR_PART_SIZE)
		if (p[4] == MBR_TYPE_GPT && le32(p + 8) == 1)
			break;
	if (i < 4) {
		r = gpt_lookup(&d, partno, out);
		if (r)
			memset(out, 0, sizeof(*out));
		return r;
	}
	/* The kernel's msdos parser leaves any disk with an 0xEE entry alone. */
	for (i = 0, p = mbr + MBR_PART_OFF; i < 4; i++, p += MBR_PART_SIZE)
		if (p[4] == MBR_TYPE_GPT)
			return -ENOENT;
	return mbr_lookup(&d, mbr, partno, out);
}
