/* test_uki.c - uki_build(): a UKI's section table parsed back: the names
 * in order, alignment, no overlap, the contents, the headers updated; the
 * refusals (not PE, no room for the headers, a stub that is a UKI). */
#include "unit.h"
#include <errno.h>
#include "bytes.h"
#include "uki.h"

#define SA 0x1000
#define FA 0x200
#define STUB_SYSTEMD "/usr/lib/systemd/boot/efi/linuxx64.efi.stub"

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }

/* A PE32+ stub as systemd's is laid out: headers in @hdrsize bytes, .text
 * and .sbat, then @trailer bytes after the last section (a signature the
 * certificate table points to). */
static uint8_t *make_stub(size_t hdrsize, size_t trailer, size_t *len)
{
	size_t total = hdrsize + 2 * FA + trailer;
	uint8_t *b = calloc(1, total), *opt, *s;
	const uint32_t lfanew = 0x80;

	b[0] = 'M';
	b[1] = 'Z';
	put32(b + 0x3c, lfanew);
	memcpy(b + lfanew, "PE\0\0", 4);
	put16(b + lfanew + 4, 0x8664);
	put16(b + lfanew + 6, 2);
	put16(b + lfanew + 20, 240);
	opt = b + lfanew + 24;
	put16(opt, 0x20b);
	put32(opt + 32, SA);
	put32(opt + 36, FA);
	put32(opt + 56, 3 * SA);
	put32(opt + 60, (uint32_t)hdrsize);
	put32(opt + 108, 16);
	if (trailer) {
		put32(opt + 112 + 4 * 8, (uint32_t)(hdrsize + 2 * FA));
		put32(opt + 112 + 4 * 8 + 4, (uint32_t)trailer);
	}
	s = opt + 240;
	memcpy(s, ".text", 5);
	put32(s + 8, 0x10);
	put32(s + 12, SA);
	put32(s + 16, FA);
	put32(s + 20, (uint32_t)hdrsize);
	put32(s + 36, 0x60000020);
	memset(b + hdrsize, 0xc3, 0x10);
	s += PE_SECT_HDR;
	memcpy(s, ".sbat", 5);
	put32(s + 8, 0x20);
	put32(s + 12, 2 * SA);
	put32(s + 16, FA);
	put32(s + 20, (uint32_t)(hdrsize + FA));
	put32(s + 36, PE_SCN_DATA_RO);
	memcpy(b + hdrsize + FA, "sbat,1,SBAT Version,sbat,1,\n", 28);
	memset(b + hdrsize + 2 * FA, 0x5a, trailer);
	*len = total;
	return b;
}

static void test_layout(void **state)
{
	static const char cmdline[] = "root=UUID=x ro", osrel[] = "ID=test\n";
	uint8_t initrd[5000], kernel[9000];
	const struct uki_part parts[] = {
		{ ".osrel", osrel, sizeof(osrel) - 1 },
		{ ".cmdline", cmdline, sizeof(cmdline) - 1 },
		{ ".initrd", initrd, sizeof(initrd) },
		{ ".linux", kernel, sizeof(kernel) },
	};
	static const char *const want[] = { ".text", ".sbat", ".osrel", ".cmdline", ".initrd",
					     ".linux" };
	struct pe_info *pi = malloc(sizeof(*pi)), *stubpi = malloc(sizeof(*stubpi));
	size_t stublen, len, i;
	uint8_t *stub = make_stub(0x400, 0, &stublen);
	void *out;
	char err[256];

	for (i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i * 7);
	for (i = 0; i < sizeof(kernel); i++)
		kernel[i] = (uint8_t)(i * 13 + 1);
	kernel[0] = 'M';
	assert_int_equal(pe_parse(stub, stublen, stubpi, err, sizeof(err)), 0);
	assert_int_equal(uki_build(stub, stublen, parts, 4, &out, &len, err, sizeof(err)), 0);
	assert_int_equal(pe_parse(out, len, pi, err, sizeof(err)), 0);
	assert_int_equal(pi->nsec, 6);
	for (i = 0; i < 6; i++)
		assert_string_equal(pi->sec[i].name, want[i]);
	/* the stub's sections as they were */
	for (i = 0; i < 2; i++)
		assert_memory_equal(&pi->sec[i], &stubpi->sec[i], sizeof(pi->sec[i]));
	assert_memory_equal((uint8_t *)out + pi->sec[1].rawoff, stub + stubpi->sec[1].rawoff,
			    stubpi->sec[1].rawsize);
	for (i = 2; i < 6; i++) {
		const struct pe_section *s = &pi->sec[i], *p = &pi->sec[i - 1];

		/* aligned, after the one before in memory and in the file */
		assert_int_equal(s->vaddr % SA, 0);
		assert_int_equal(s->rawoff % FA, 0);
		assert_int_equal(s->rawsize % FA, 0);
		assert_true(s->vaddr >= p->vaddr + (p->vsize ? p->vsize : p->rawsize));
		assert_true(s->rawoff >= p->rawoff + p->rawsize);
		assert_true(s->rawsize >= s->vsize);
		assert_true((size_t)s->rawoff + s->rawsize <= len);
		assert_int_equal(s->vsize, parts[i - 2].len);
		assert_memory_equal((uint8_t *)out + s->rawoff, parts[i - 2].data, parts[i - 2].len);
		assert_int_equal(s->flags, PE_SCN_DATA_RO);
	}
	/* .linux last, SizeOfImage covering it, the checksum right */
	assert_non_null(pe_find(pi, ".linux"));
	assert_ptr_equal(pe_find(pi, ".linux"), &pi->sec[5]);
	assert_int_equal(pi->size_of_image % SA, 0);
	assert_true(pi->size_of_image >= pi->sec[5].vaddr + pi->sec[5].vsize);
	assert_int_equal(pi->size_of_headers, 0x400);
	assert_int_equal(pi->checksum, pe_checksum(out, len, pi->checksum_off));
	assert_int_equal(len, pi->sec[5].rawoff + pi->sec[5].rawsize);
	free(out);
	free(stub);
	free(pi);
	free(stubpi);
}

/* A signature after the stub's last section is dropped, and the table
 * that pointed to it cleared. */
static void test_signature_dropped(void **state)
{
	const struct uki_part part = { ".linux", "MZ", 2 };
	struct pe_info *pi = malloc(sizeof(*pi));
	size_t stublen, len;
	uint8_t *stub = make_stub(0x400, 300, &stublen), *o;
	void *out;
	char err[256];

	assert_int_equal(uki_build(stub, stublen, &part, 1, &out, &len, err, sizeof(err)), 0);
	assert_int_equal(pe_parse(out, len, pi, err, sizeof(err)), 0);
	o = out;
	assert_int_equal(le32(o + pi->datadir_off + 4 * 8), 0);
	assert_int_equal(le32(o + pi->datadir_off + 4 * 8 + 4), 0);
	assert_int_equal(pi->sec[2].rawoff, 0x400 + 2 * FA);
	assert_int_equal(len, 0x400 + 3 * FA);
	free(out);
	free(stub);
	free(pi);
}

static void test_refusals(void **state)
{
	const struct uki_part parts[7] = {
		{ ".osrel", "a", 1 }, { ".cmdline", "b", 1 }, { ".uname", "c", 1 },
		{ ".splash", "d", 1 }, { ".initrd", "e", 1 }, { ".linux", "MZ", 2 },
		{ ".sbat", "x", 1 },
	};
	/* headers with room for the table and one more header, not six */
	size_t hdrsize = 0x80 + 24 + 240 + 3 * PE_SECT_HDR, stublen, len;
	uint8_t *stub = make_stub(hdrsize, 0, &stublen);
	void *out = (void *)1;
	char err[256];

	assert_int_equal(uki_build(stub, stublen, parts, 6, &out, &len, err, sizeof(err)),
			 -ENOSPC);
	assert_null(out);
	assert_non_null(strstr(err, "no room in the stub's headers for 6 more section headers"));
	assert_int_equal(uki_build(stub, stublen, parts + 5, 1, &out, &len, err, sizeof(err)), 0);
	free(out);
	free(stub);

	stub = make_stub(0x400, 0, &stublen);
	/* bytes in use after the table are not room */
	stub[0x80 + 24 + 240 + 2 * PE_SECT_HDR + 5] = 1;
	assert_int_equal(uki_build(stub, stublen, parts, 6, &out, &len, err, sizeof(err)),
			 -ENOSPC);
	stub[0x80 + 24 + 240 + 2 * PE_SECT_HDR + 5] = 0;
	/* a section the stub has already */
	assert_int_equal(uki_build(stub, stublen, parts + 6, 1, &out, &len, err, sizeof(err)),
			 -EEXIST);
	assert_non_null(strstr(err, ".sbat"));
	/* a name over 8 bytes */
	{
		const struct uki_part longname = { ".toolongname", "x", 1 };

		assert_int_equal(uki_build(stub, stublen, &longname, 1, &out, &len, err,
					   sizeof(err)), -EINVAL);
	}
	/* not PE: text, a DOS header alone, a truncated image */
	assert_int_equal(uki_build("ID=debian\n", 10, parts, 1, &out, &len, err, sizeof(err)),
			 -ENOEXEC);
	assert_non_null(strstr(err, "not a PE/COFF image"));
	{
		uint8_t dos[0x80] = { 'M', 'Z' };

		assert_int_equal(uki_build(dos, sizeof(dos), parts, 1, &out, &len, err,
					   sizeof(err)), -ENOEXEC);
	}
	assert_int_equal(uki_build(stub, 0x200, parts, 1, &out, &len, err, sizeof(err)), -ENOEXEC);
	/* a section past the end of the file */
	assert_int_equal(uki_build(stub, stublen - 1, parts, 1, &out, &len, err, sizeof(err)),
			 -ENOEXEC);
	assert_non_null(strstr(err, ".sbat runs past the end"));
	free(stub);
}

/* Debian's stub, when installed: the checksum the linker wrote is the one
 * pe_checksum() computes, and a UKI from it keeps its .sbat. */
static void test_systemd_stub(void **state)
{
	FILE *f = fopen(STUB_SYSTEMD, "rb");
	const struct uki_part part = { ".linux", "MZ", 2 };
	struct pe_info *pi, *upi;
	const struct pe_section *a, *b;
	uint8_t *stub;
	size_t len, ulen;
	void *out;
	char err[256];

	if (!f)
		skip();
	stub = malloc(1 << 20);
	len = fread(stub, 1, 1 << 20, f);
	fclose(f);
	pi = malloc(sizeof(*pi));
	upi = malloc(sizeof(*upi));
	assert_int_equal(pe_parse(stub, len, pi, err, sizeof(err)), 0);
	if (pi->checksum)
		assert_int_equal(pi->checksum, pe_checksum(stub, len, pi->checksum_off));
	assert_int_equal(uki_build(stub, len, &part, 1, &out, &ulen, err, sizeof(err)), 0);
	assert_int_equal(pe_parse(out, ulen, upi, err, sizeof(err)), 0);
	a = pe_find(pi, ".sbat");
	b = pe_find(upi, ".sbat");
	assert_non_null(a);
	assert_non_null(b);
	assert_memory_equal(stub + a->rawoff, (uint8_t *)out + b->rawoff, a->vsize);
	assert_int_equal(upi->nsec, pi->nsec + 1);
	assert_string_equal(upi->sec[upi->nsec - 1].name, ".linux");
	assert_true(upi->sec[upi->nsec - 1].vaddr >= pi->size_of_image);
	free(out);
	free(stub);
	free(pi);
	free(upi);
}

/* Broken stubs never crash the builder (under ASan/UBSan here): every
 * truncation of a stub, and bytes of its headers changed at random; what
 * it accepts parses back with the new sections. */
static void test_mutations(void **state)
{
	const struct uki_part parts[] = { { ".initrd", "abc", 3 }, { ".linux", "MZ", 2 } };
	struct pe_info *pi = malloc(sizeof(*pi));
	size_t stublen, len, cut, i;
	uint8_t *stub = make_stub(0x400, 64, &stublen), *m = malloc(stublen);
	uint32_t seed = 12345;
	void *out;
	char err[256];

	for (cut = 0; cut <= stublen; cut++) {
		int r = uki_build(stub, cut, parts, 2, &out, &len, err, sizeof(err));

		if (r == 0) {
			assert_int_equal(pe_parse(out, len, pi, err, sizeof(err)), 0);
			free(out);
		} else {
			assert_null(out);
		}
	}
	for (i = 0; i < 20000; i++) {
		int k, r;

		memcpy(m, stub, stublen);
		for (k = 0; k < 1 + (int)(i % 4); k++) {
			seed = seed * 1103515245u + 12345u;
			m[(seed >> 8) % 0x400] = (uint8_t)(seed >> 24);
		}
		r = uki_build(m, stublen, parts, 2, &out, &len, err, sizeof(err));
		if (r == 0) {
			assert_int_equal(pe_parse(out, len, pi, err, sizeof(err)), 0);
			assert_non_null(pe_find(pi, ".linux"));
			free(out);
		}
	}
	free(m);
	free(stub);
	free(pi);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_signature_dropped),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_systemd_stub),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
