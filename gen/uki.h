/* uki.h - a unified kernel image: systemd's EFI stub (a PE/COFF image)
 * with the kernel, the initrd, the command line and os-release appended as
 * sections, laid out as the UAPI UKI specification and systemd's stub read
 * them.  Pure: buffers in, buffers out, no exit(), no I/O. */
#ifndef INITKIT_UKI_H
#define INITKIT_UKI_H

#include <stddef.h>
#include <stdint.h>

#define PE_MAX_SECTIONS	96	/* the PE format's own limit is 96 */
#define PE_SECT_HDR	40	/* bytes of one section header */
#define PE_SCN_DATA_RO	0x40000040u	/* initialized data, readable */

struct pe_section {
	char name[9];		/* NUL-terminated; up to 8 bytes */
	uint32_t vsize, vaddr, rawsize, rawoff, flags;
};

/* What the headers of a PE image say, as uki_build() and the tests use it. */
struct pe_info {
	uint16_t machine, nsec, opt_magic;
	uint32_t sect_align, file_align, size_of_image, size_of_headers;
	uint32_t checksum;
	size_t checksum_off;	/* file offset of the CheckSum field */
	size_t sect_table;	/* file offset of the section table */
	size_t datadir_off;	/* file offset of the data directories */
	uint32_t ndatadir;
	size_t raw_end;		/* end of the last section's raw data */
	struct pe_section sec[PE_MAX_SECTIONS];
};

/* Parse the headers and the section table of the PE image @buf (@len
 * bytes).  0, or -ENOEXEC (not a PE image, or a broken one: said in @err). */
int pe_parse(const void *buf, size_t len, struct pe_info *pi, char *err, size_t errlen);

/* The PE checksum of @buf (@len bytes), the CheckSum field at @csum_off
 * counted as zero (what EDK2 and sbsign compute). */
uint32_t pe_checksum(const void *buf, size_t len, size_t csum_off);

/* The section @name of @pi, or NULL. */
const struct pe_section *pe_find(const struct pe_info *pi, const char *name);

struct uki_part {
	const char *name;	/* ".linux", ".initrd", ... (at most 8 bytes) */
	const void *data;
	size_t len;
};

/*
 * The stub @stub (@stublen bytes) with @parts appended as new sections, in
 * that order (the caller puts .linux last), into a malloc'd *@out of
 * *@outlen bytes.  The stub's sections (.sbat among them) stay as they are;
 * the new ones follow its last (and its SizeOfImage), at SectionAlignment
 * in memory and FileAlignment in the file; NumberOfSections, SizeOfImage,
 * SizeOfInitializedData and the CheckSum are updated; data after the
 * stub's last section (a signature: the certificate table) is dropped,
 * since a signature of the stub cannot cover the result.  Returns 0 or
 * -errno with @err: -ENOEXEC (not a PE image), -ENOSPC (no room in the
 * headers for the new section headers), -EEXIST (the stub has one of the
 * sections already), -EFBIG (over 4 GiB), -ENOMEM.
 */
int uki_build(const void *stub, size_t stublen, const struct uki_part *parts, size_t nparts,
	      void **out, size_t *outlen, char *err, size_t errlen);

#endif
