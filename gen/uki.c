/* uki.c - a unified kernel image built from systemd's EFI stub (uki.h).
 *
 * PE/COFF as the stub has it: the DOS header ("MZ", e_lfanew at 0x3c), the
 * signature "PE\0\0", the COFF header (20 bytes), the optional header
 * (PE32 or PE32+, with the alignments, SizeOfImage, SizeOfHeaders, the
 * CheckSum and the data directories), then the section table, 40 bytes a
 * section, all within SizeOfHeaders.  New sections need their headers
 * there: the space between the table and the first section's data must be
 * free (zeros), as it is in the stubs systemd builds. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "bytes.h"
#include "genutil.h"
#include "uki.h"

#define DOS_LFANEW	0x3c
#define COFF_HDR	20
/* offsets in the optional header, the same for PE32 and PE32+ */
#define OPT_SIZE_INIT_DATA	8
#define OPT_SECT_ALIGN	32
#define OPT_FILE_ALIGN	36
#define OPT_SIZE_IMAGE	56
#define OPT_SIZE_HEADERS 60
#define OPT_CHECKSUM	64
/* the number of data directories and where they start, by format */
#define OPT32_NDIR	92
#define OPT64_NDIR	108
#define DIR_SECURITY	4	/* the certificate table (a signature) */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static uint64_t align_up(uint64_t v, uint32_t a)
{
	return (v + a - 1) / a * a;
}

static int valid_align(uint32_t a)
{
	return a && !(a & (a - 1));
}

int pe_parse(const void *buf, size_t len, struct pe_info *pi, char *err, size_t errlen)
{
	const uint8_t *b = buf, *opt, *s;
	uint32_t lfanew;
	uint16_t optsize;
	size_t i, off;

	memset(pi, 0, sizeof(*pi));
	if (len < 0x40 || b[0] != 'M' || b[1] != 'Z')
		return fmt_err(err, errlen, -ENOEXEC, "not a PE/COFF image (no MZ header)");
	lfanew = le32(b + DOS_LFANEW);
	if (lfanew > len || len - lfanew < 4 + COFF_HDR ||
	    memcmp(b + lfanew, "PE\0\0", 4))
		return fmt_err(err, errlen, -ENOEXEC, "not a PE/COFF image (no PE signature)");
	pi->machine = le16(b + lfanew + 4);
	pi->nsec = le16(b + lfanew + 6);
	optsize = le16(b + lfanew + 20);
	off = lfanew + 4 + COFF_HDR;
	if (optsize < OPT_CHECKSUM + 4 || len - off < optsize)
		return fmt_err(err, errlen, -ENOEXEC, "truncated PE optional header");
	opt = b + off;
	pi->opt_magic = le16(opt);
	if (pi->opt_magic == 0x20b) {
		if (optsize < OPT64_NDIR + 4)
			return fmt_err(err, errlen, -ENOEXEC, "truncated PE32+ optional header");
		pi->ndatadir = le32(opt + OPT64_NDIR);
		pi->datadir_off = off + OPT64_NDIR + 4;
	} else if (pi->opt_magic == 0x10b) {
		if (optsize < OPT32_NDIR + 4)
			return fmt_err(err, errlen, -ENOEXEC, "truncated PE32 optional header");
		pi->ndatadir = le32(opt + OPT32_NDIR);
		pi->datadir_off = off + OPT32_NDIR + 4;
	} else {
		return fmt_err(err, errlen, -ENOEXEC, "unknown PE optional header magic 0x%x",
			       pi->opt_magic);
	}
	if (pi->ndatadir > (optsize - (pi->datadir_off - off)) / 8)
		pi->ndatadir = (uint32_t)((optsize - (pi->datadir_off - off)) / 8);
	pi->sect_align = le32(opt + OPT_SECT_ALIGN);
	pi->file_align = le32(opt + OPT_FILE_ALIGN);
	pi->size_of_image = le32(opt + OPT_SIZE_IMAGE);
	pi->size_of_headers = le32(opt + OPT_SIZE_HEADERS);
	pi->checksum = le32(opt + OPT_CHECKSUM);
	pi->checksum_off = off + OPT_CHECKSUM;
	/* FileAlignment: a power of 2 up to 64 KiB, as the PE format says (a
	 * larger one would only pad the file) */
	if (!valid_align(pi->sect_align) || !valid_align(pi->file_align) ||
	    pi->file_align > pi->sect_align || pi->file_align > 0x10000)
		return fmt_err(err, errlen, -ENOEXEC, "bad PE alignments (section %u, file %u)",
			       pi->sect_align, pi->file_align);
	pi->sect_table = off + optsize;
	if (pi->nsec == 0 || pi->nsec > PE_MAX_SECTIONS)
		return fmt_err(err, errlen, -ENOEXEC, "%u sections: a PE image has 1 to %d",
			       pi->nsec, PE_MAX_SECTIONS);
	if (pi->sect_table + (size_t)pi->nsec * PE_SECT_HDR > len ||
	    pi->sect_table + (size_t)pi->nsec * PE_SECT_HDR > pi->size_of_headers)
		return fmt_err(err, errlen, -ENOEXEC, "the section table runs past the headers");
	if (pi->size_of_headers > len)
		return fmt_err(err, errlen, -ENOEXEC, "truncated PE headers");
	pi->raw_end = pi->size_of_headers;
	for (i = 0; i < pi->nsec; i++) {
		struct pe_section *ps = &pi->sec[i];

		s = b + pi->sect_table + i * PE_SECT_HDR;
		memcpy(ps->name, s, 8);
		ps->name[8] = '\0';
		ps->vsize = le32(s + 8);
		ps->vaddr = le32(s + 12);
		ps->rawsize = le32(s + 16);
		ps->rawoff = le32(s + 20);
		ps->flags = le32(s + 36);
		if (ps->rawsize && ((uint64_t)ps->rawoff + ps->rawsize > len))
			return fmt_err(err, errlen, -ENOEXEC, "section %s runs past the end of "
				       "the file", ps->name);
		if (ps->rawsize && ps->rawoff < pi->size_of_headers)
			return fmt_err(err, errlen, -ENOEXEC, "section %s overlaps the headers",
				       ps->name);
		if (ps->rawsize && (size_t)ps->rawoff + ps->rawsize > pi->raw_end)
			pi->raw_end = (size_t)ps->rawoff + ps->rawsize;
	}
	return 0;
}

uint32_t pe_checksum(const void *buf, size_t len, size_t csum_off)
{
	const uint8_t *b = buf;
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < len; i += 2) {
		uint32_t w = b[i] | (i + 1 < len ? b[i + 1] << 8 : 0);

		if (i == csum_off || i == csum_off + 2)
			w = 0;
		sum += w;
		sum = (sum & 0xffff) + (sum >> 16);
	}
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint32_t)(sum + len);
}

const struct pe_section *pe_find(const struct pe_info *pi, const char *name)
{
	size_t i;

	for (i = 0; i < pi->nsec; i++)
		if (!strcmp(pi->sec[i].name, name))
			return &pi->sec[i];
	return NULL;
}

/* Is there room for @n more section headers after the table, in bytes the
 * headers do not use, before the first section's data?  0 or -ENOSPC. */
static int header_room(const uint8_t *b, const struct pe_info *pi, size_t n, size_t *limit)
{
	size_t end = pi->sect_table + (size_t)pi->nsec * PE_SECT_HDR, want, i;

	/* SizeOfHeaders may grow up to the first section's data */
	*limit = pi->raw_end;
	for (i = 0; i < pi->nsec; i++)
		if (pi->sec[i].rawsize && pi->sec[i].rawoff < *limit)
			*limit = pi->sec[i].rawoff;
	/* ... and must stay below the first section in memory */
	for (i = 0; i < pi->nsec; i++)
		if (pi->sec[i].vaddr < *limit)
			*limit = pi->sec[i].vaddr;
	want = end + n * PE_SECT_HDR;
	if (want > *limit)
		return -ENOSPC;
	for (i = end; i < want; i++)
		if (b[i])
			return -ENOSPC;
	return 0;
}

int uki_build(const void *stub, size_t stublen, const struct uki_part *parts, size_t nparts,
	      void **out, size_t *outlen, char *err, size_t errlen)
{
	const uint8_t *sb = stub;
	struct pe_info pi;
	uint64_t vend = 0, fend, total, added = 0;
	size_t i, limit, newhdrs;
	uint8_t *o, *opt;
	int r;

	*out = NULL;
	*outlen = 0;
	r = pe_parse(stub, stublen, &pi, err, errlen);
	if (r)
		return r;
	if (pi.nsec + nparts > PE_MAX_SECTIONS)
		return fmt_err(err, errlen, -ENOSPC, "%u sections and %zu more: over the PE "
			       "limit of %d", pi.nsec, nparts, PE_MAX_SECTIONS);
	for (i = 0; i < nparts; i++) {
		if (strlen(parts[i].name) > 8)
			return fmt_err(err, errlen, -EINVAL, "section name %s: over 8 bytes",
				       parts[i].name);
		if (pe_find(&pi, parts[i].name))
			return fmt_err(err, errlen, -EEXIST, "the stub has a %s section "
				       "already: is it a UKI rather than a stub?", parts[i].name);
	}
	if (header_room(sb, &pi, nparts, &limit))
		return fmt_err(err, errlen, -ENOSPC, "no room in the stub's headers for %zu "
			       "more section headers (%zu bytes free, %zu needed); use a stub "
			       "built with room for them, such as systemd-boot-efi's",
			       nparts, limit > pi.sect_table + (size_t)pi.nsec * PE_SECT_HDR ?
			       limit - pi.sect_table - (size_t)pi.nsec * PE_SECT_HDR : 0,
			       nparts * PE_SECT_HDR);
	/* where the stub's sections end in memory; the new ones follow */
	for (i = 0; i < pi.nsec; i++) {
		uint32_t sz = pi.sec[i].vsize ? pi.sec[i].vsize : pi.sec[i].rawsize;

		if ((uint64_t)pi.sec[i].vaddr + sz > vend)
			vend = (uint64_t)pi.sec[i].vaddr + sz;
	}
	/* and after what the stub's SizeOfImage claims (objcopy may round it
	 * past its last section): nothing the loader maps for the stub */
	if (pi.size_of_image > vend)
		vend = pi.size_of_image;
	vend = align_up(vend, pi.sect_align);
	fend = align_up(pi.raw_end, pi.file_align);
	total = fend;
	for (i = 0; i < nparts; i++)
		total += align_up(parts[i].len, pi.file_align);
	if (total > UINT32_MAX || vend + (total - fend) + nparts * (uint64_t)pi.sect_align >
	    UINT32_MAX)
		return fmt_err(err, errlen, -EFBIG, "the image would be over 4 GiB");
	o = calloc(1, (size_t)total);
	if (!o)
		return fmt_err(err, errlen, -ENOMEM, "out of memory for a %llu-byte image",
			       (unsigned long long)total);
	memcpy(o, sb, pi.raw_end);
	newhdrs = pi.sect_table + (size_t)pi.nsec * PE_SECT_HDR;
	for (i = 0; i < nparts; i++) {
		uint8_t *h = o + newhdrs + i * PE_SECT_HDR;
		uint32_t rawsize = (uint32_t)align_up(parts[i].len, pi.file_align);

		memcpy(h, parts[i].name, strlen(parts[i].name));
		put32(h + 8, (uint32_t)parts[i].len);		/* VirtualSize */
		put32(h + 12, (uint32_t)vend);			/* VirtualAddress */
		put32(h + 16, rawsize);				/* SizeOfRawData */
		put32(h + 20, (uint32_t)fend);			/* PointerToRawData */
		put32(h + 36, PE_SCN_DATA_RO);			/* Characteristics */
		if (parts[i].len)
			memcpy(o + fend, parts[i].data, parts[i].len);
		fend += rawsize;
		vend += align_up(parts[i].len ? parts[i].len : 1, pi.sect_align);
		added += rawsize;
	}
	put16(o + le32(sb + DOS_LFANEW) + 6, (uint16_t)(pi.nsec + nparts));
	opt = o + pi.checksum_off - OPT_CHECKSUM;
	put32(opt + OPT_SIZE_IMAGE, (uint32_t)vend);
	if (newhdrs + nparts * PE_SECT_HDR > pi.size_of_headers)
		put32(opt + OPT_SIZE_HEADERS,
		      (uint32_t)align_up(newhdrs + nparts * PE_SECT_HDR, pi.file_align));
	put32(opt + OPT_SIZE_INIT_DATA, (uint32_t)(le32(opt + OPT_SIZE_INIT_DATA) + added));
	/* a signature of the stub: dropped with the bytes it was in */
	if (pi.ndatadir > DIR_SECURITY)
		memset(o + pi.datadir_off + DIR_SECURITY * 8, 0, 8);
	/* no COFF symbol table in an image we write */
	memset(o + le32(sb + DOS_LFANEW) + 4 + 8, 0, 8);
	put32(o + pi.checksum_off, pe_checksum(o, (size_t)total, pi.checksum_off));
	*out = o;
	*outlen = (size_t)total;
	return 0;
}
