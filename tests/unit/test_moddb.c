/* test_moddb.c - the module database /init reads */
#include "unit.h"
#include <errno.h>
#include "moddb.h"
#include "moddbw.h"
#include "wildcard.h"

static struct moddb db;

static const char sample[] =
	"# comment\n"
	"m\tvirtio_ring\t/lib/modules/k/virtio_ring.ko\t-\t-\t0\n"
	"m\tvirtio\t/lib/modules/k/virtio.ko\t0\t-\t0\n"
	"m\tvirtio_pci\t/lib/modules/k/virtio_pci.ko\t0,1\t3\t0\n"
	"m\tcrc32c-intel\t/lib/modules/k/crc32c-intel.ko\t-\t-\t1\n"
	"a\tpci:v00001AF4d*sv*sd*bc*sc*i*\t2\n"
	"a\tvirtio:d00000002v*\t1\n"
	"a\tfs-ext4\t3\n"
	"a\tpci:v*d*sv*sd*bc01sc06i01*\t2\n";

static int parse(const char *text)
{
	static char buf[4096];
	int bad = -1;

	moddb_free(&db);	/* the previous test's tables */
	snprintf(buf, sizeof(buf), "%s", text);
	return moddb_parse(buf, &db, &bad);
}

struct hits {
	int idx[8];
	int n;
};

static int collect(int idx, int fixed, void *arg)
{
	struct hits *h = arg;

	h->idx[h->n++] = idx;
	return 0;
}

static void test_parse(void **state)
{
	assert_int_equal(parse(sample), 0);
	assert_int_equal(db.nmod, 4);
	assert_int_equal(db.nalias, 4);
	assert_string_equal(db.mod[2].name, "virtio_pci");
	assert_string_equal(db.mod[2].closure, "0,1");
	assert_string_equal(db.mod[2].post, "3");
	assert_string_equal(db.mod[0].closure, "");
	assert_int_equal(db.mod[3].boot, 1);
	assert_int_equal(db.alias[0].fixed, 14);	/* "pci:v00001AF4d" */
}

static void test_match(void **state)
{
	struct hits h = { .n = 0 };

	assert_int_equal(parse(sample), 0);
	/* two aliases of module 2 match this device: reported once */
	moddb_match(&db, "pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc06i01", collect, &h);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.idx[0], 2);

	h.n = 0;
	moddb_match(&db, "virtio:d00000002v00001AF4", collect, &h);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.idx[0], 1);

	h.n = 0;
	moddb_match(&db, "fs-ext4", collect, &h);
	assert_int_equal(h.n, 1);
	h.n = 0;
	moddb_match(&db, "fs-ext", collect, &h);
	assert_int_equal(h.n, 0);
	h.n = 0;
	moddb_match(&db, "pci:v00008086d00007010sv00001AF4sd00001100bc01sc01i80", collect, &h);
	assert_int_equal(h.n, 0);
}

static void test_find_and_indices(void **state)
{
	const char *p = "3,17,0";

	assert_int_equal(parse(sample), 0);
	assert_int_equal(moddb_find(&db, "crc32c_intel"), 3);	/* '-' = '_' */
	assert_int_equal(moddb_find(&db, "virtio-pci"), 2);
	assert_int_equal(moddb_find(&db, "nope"), -ENOENT);
	assert_int_equal(moddb_next_index(&p), 3);
	assert_int_equal(moddb_next_index(&p), 17);
	assert_int_equal(moddb_next_index(&p), 0);
	assert_int_equal(moddb_next_index(&p), -1);
	assert_true(modname_equal("usb-storage", "usb_storage"));
	assert_false(modname_equal("usb_storage", "usb_stor"));
}

/* "c" lines: drivers for a CPU feature load only where it is */
static void test_cpu(void **state)
{
	static const char text[] =
		"m\tcrc32c_intel\t/k/crc32c-intel.ko\t-\t-\t0\n"
		"m\tcrc32c_generic\t/k/crc32c_generic.ko\t-\t-\t0\n"
		"m\taesni\t/k/aesni.ko\t-\t-\t0\n"
		"c\tcpu:type:x86,ven*fam*mod*:feature:*0094*\t0\n"
		"a\tcrc32c\t1\n"
		"c\tcpu:type:x86,ven0000fam*mod*:feature:*0099*\t2\n"
		"c\tcpu:type:x86,ven*fam*mod*:feature:*0150*\t2\n";
	const char *qemu64 = "cpu:type:x86,ven0002fam000Fmod006B:feature:,0000,0001,"
			     "0002,0003,0004,0080,0081";
	const char *intel = "cpu:type:x86,ven0000fam0006mod003F:feature:,0000,0094,0099";
	struct hits h = { .n = 0 };
	struct moddb_cpu q, i, amd, unknown;

	moddb_cpu_init(&q, qemu64);
	moddb_cpu_init(&i, intel);
	moddb_cpu_init(&amd, "cpu:type:x86,ven0002fam0017mod0001:feature:,0150");
	moddb_cpu_init(&unknown, NULL);
	assert_int_equal(parse(text), 0);
	assert_int_equal(db.ncpu, 3);
	assert_int_equal(db.nalias, 1);		/* "c" lines are no aliases */
	assert_int_equal(db.mod[0].cpu_req, 1);
	assert_int_equal(db.mod[1].cpu_req, 0);
	assert_int_equal(db.mod[2].cpu_req, 2);
	assert_false(moddb_cpu_ok(&db, 0, &q));
	assert_true(moddb_cpu_ok(&db, 0, &i));
	assert_true(moddb_cpu_ok(&db, 1, &q));	/* no requirement */
	/* any of its lines will do: the vendor does not match, the other one */
	assert_false(moddb_cpu_ok(&db, 2, &q));
	assert_true(moddb_cpu_ok(&db, 2, &i));
	assert_true(moddb_cpu_ok(&db, 2, &amd));
	assert_true(moddb_cpu_ok(&db, 0, &unknown));	/* CPU unknown: try it */
	/* a CPU's modalias is no device to load drivers for */
	moddb_match(&db, intel, collect, &h);
	assert_int_equal(h.n, 0);
	/* like "a": after the modules, for a module that exists */
	assert_int_equal(parse("m\ta\t/a.ko\t-\t-\t0\nc\tcpu:*\t1\n"), -EINVAL);
	assert_int_equal(parse("m\ta\t/a.ko\t-\t-\t0\nc\tcpu:*\t0\n"
			       "m\tb\t/b.ko\t-\t-\t0\n"), -EINVAL);
	assert_int_equal(parse("m\ta\t/a.ko\t-\t-\t0\nc\t\t0\n"), -EINVAL);
}

/* The "c" lines the feature bitmap answers: any x86 CPU, one feature. */
static void test_x86_feature(void **state)
{
	assert_int_equal(moddb_x86_feature("cpu:type:x86,ven*fam*mod*:feature:*0094*"), 0x94);
	assert_int_equal(moddb_x86_feature("cpu:type:x86,ven*fam*mod*:feature:*0000*"), 0);
	assert_int_equal(moddb_x86_feature("cpu:type:x86,ven*fam*mod*:feature:*01FF*"), 0x1ff);
	/* a vendor, family or model: not ours to answer */
	assert_int_equal(moddb_x86_feature("cpu:type:x86,ven0000fam*mod*:feature:*0099*"), -1);
	assert_int_equal(moddb_x86_feature("cpu:type:x86,ven*fam0006mod*:feature:*0099*"), -1);
	/* several features, or none */
	assert_int_equal(moddb_x86_feature("cpu:type:x86,ven*fam*mod*:feature:*0094*0099*"), -1);
	assert_int_equal(moddb_x86_feature("cpu:type:x86,ven*fam*mod*:feature:*"), -1);
	/* not four hex digits, lower case (the kernel prints %04X), other CPUs */
	assert_int_equal(moddb_x86_feature("cpu:type:x86,ven*fam*mod*:feature:*094*"), -1);
	assert_int_equal(moddb_x86_feature("cpu:type:x86,ven*fam*mod*:feature:*00a9*"), -1);
	assert_int_equal(moddb_x86_feature("cpu:type:aarch64:feature:*0003*"), -1);
	assert_int_equal(moddb_x86_feature("cpu:type:x86,ven*fam*mod*:feature:*0094"), -1);
}

/* Recorded CPU modaliases of real machines and guests, with the decision
 * for crc32c-intel (SSE4.2, 4*32+20 = 0x94) and for a driver that asks for
 * x2apic (4*32+21 = 0x95).  The kernel's list decides, whatever CPUID says. */
static const char crc_db[] =
	"m\tcrc32c_intel\t/k/crc32c-intel.ko\t-\t-\t0\n"
	"m\tx2apic_user\t/k/x.ko\t-\t-\t0\n"
	"c\tcpu:type:x86,ven*fam*mod*:feature:*0094*\t0\n"
	"c\tcpu:type:x86,ven*fam*mod*:feature:*0095*\t1\n";

static void test_cpu_recorded(void **state)
{
	static const struct {
		const char *what, *modalias;
		int crc, x2apic;
	} cases[] = {
		/* an AMD host whose kernel forces x2apic on though CPUID leaf 1
		 * does not report it (CPUID's "no" is not the kernel's) */
		{ "x2apic forced", "cpu:type:x86,ven0002fam001Amod0002:feature:,0000,0001,0002,0003,"
		  "0004,0005,0006,0007,0008,0009,000B,000D,000E,000F,0010,0011,0013,0017,0018,"
		  "0019,001A,001C,0020,0021,0022,0023,0024,0025,0026,0027,0028,0029,002B,002C,"
		  "002D,002E,002F,0030,0031,0034,0036,0037,0038,003D,0064,0065,0068,006E,0070,"
		  "0074,0075,0076,0077,0078,0079,007A,007F,0080,0081,0089,008C,008D,0093,0094,"
		  "0095,0096,0097,0098,0099,009A,009B,009C,009D,009E,009F,00C0,00C4,00C7,00C8,"
		  "00D6,00EA,00EB,00ED,00F3,00FC,0105,0106,0107,0108,0109,010A,010B,010F,0110,"
		  "0123,0125,0128,0129,0130,0131,0133,0135,0137,0138,013C,013D,013E,013F,0140,"
		  "0141,0142,0165,016C,0184,0185,018B,01A0,01A2,01C2,0201,0206,0208,0209,020A,"
		  "020B,020C,020E,021B,021C,0244,0248,0280,0281,0282,0286,0289,0294,029E", 1, 1 },
		/* the same CPU booted with clearcpuid=148: SSE4.2 gone from the
		 * kernel's list, still in CPUID */
		{ "clearcpuid=148", "cpu:type:x86,ven0002fam001Amod0002:feature:,0000,0001,0002,0003,"
		  "0080,0081,0089,008C,008D,0093,0095,0096,0097,0098,0099,009A", 0, 1 },
		/* QEMU's default qemu64: no SSE4.2, no x2apic */
		{ "qemu64", "cpu:type:x86,ven0002fam000Fmod006B:feature:,0000,0001,0002,0003,0004,"
		  "0005,0006,0007,0008,0009,000B,000C,000D,000E,000F,0010,0013,0017,0018,0019,"
		  "001A,0034,0058,0059,0061,0064,0080,0083,00A1", 0, 0 },
		/* the last feature in the list, and a newline as sysfs gives it */
		{ "last, newline", "cpu:type:x86,ven0000fam0006mod003F:feature:,0000,0094\n", 1, 0 },
		/* another architecture: nothing x86 matches */
		{ "arm64", "cpu:type:aarch64:feature:,0000,0001,0094,0095", 0, 0 },
		/* not the kernel's shape: decided by matching the text */
		{ "odd shape", "cpu:type:x86,ven0000fam0006mod003F:feature:,0000,00941,0095x", 1, 1 },
		{ "no feature list", "cpu:type:x86,ven0000fam0006mod003F", 0, 0 },
	};
	struct moddb_cpu cpu;
	size_t n;

	assert_int_equal(parse(crc_db), 0);
	for (n = 0; n < sizeof(cases) / sizeof(cases[0]); n++) {
		moddb_cpu_init(&cpu, cases[n].modalias);
		if (moddb_cpu_ok(&db, 0, &cpu) != cases[n].crc ||
		    moddb_cpu_ok(&db, 1, &cpu) != cases[n].x2apic)
			fail_msg("%s: crc32c-intel %d (want %d), x2apic %d (want %d)",
				 cases[n].what, moddb_cpu_ok(&db, 0, &cpu), cases[n].crc,
				 moddb_cpu_ok(&db, 1, &cpu), cases[n].x2apic);
	}
}

/* The bitmap answers exactly what wildcard_match() answers for the
 * "any x86 CPU with feature F" lines, on random lists of the kernel's shape
 * and on damaged ones. */
static void test_cpu_bitmap_equals_matching(void **state)
{
	static const char head[][40] = {
		"cpu:type:x86,ven0000fam0006mod003F", "cpu:type:x86,ven0002fam0019mod0001",
		"cpu:type:x86,venfammod", "cpu:type:x86,ven0000mod0001fam0006",
		"cpu:type:x86,ven0000fam0006", "cpu:type:arm,ven0000fam0006mod0000",
	};
	char modalias[4096], pattern[64];
	unsigned int seed = 12345;
	int round, checked = 0;

	for (round = 0; round < 20000; round++) {
		int o, k, nf, f, want, got;
		struct moddb_cpu cpu;
		char text[128];

		seed = seed * 1103515245 + 12345;
		o = snprintf(modalias, sizeof(modalias), "%s:feature:",
			     head[(seed >> 16) % (sizeof(head) / sizeof(head[0]))]);
		nf = (int)((seed >> 8) % 40);
		for (k = 0, f = 0; k < nf; k++) {
			seed = seed * 1103515245 + 12345;
			f += 1 + (int)((seed >> 16) % 40);
			o += snprintf(modalias + o, sizeof(modalias) - o, ",%04X", f % 0x500);
		}
		seed = seed * 1103515245 + 12345;
		if ((seed >> 16) % 8 == 0 && o > 20)	/* damage one character */
			modalias[(seed >> 4) % o] = "x,0F:\n"[(seed >> 20) % 6];
		seed = seed * 1103515245 + 12345;
		f = (int)((seed >> 16) % 0x500);
		snprintf(pattern, sizeof(pattern), "cpu:type:x86,ven*fam*mod*:feature:*%04X*", f);
		snprintf(text, sizeof(text), "m\tx\t/x.ko\t-\t-\t0\nc\t%s\t0\n", pattern);
		assert_int_equal(parse(text), 0);
		moddb_cpu_init(&cpu, modalias);
		want = wildcard_match(pattern, modalias);
		got = moddb_cpu_ok(&db, 0, &cpu);
		if (got != want)
			fail_msg("feature %04X in \"%s\": bitmap %d, matching %d", f, modalias, got, want);
		checked += cpu.listed;
	}
	assert_true(checked > 5000);	/* many went through the bitmap */
}

static void test_bad(void **state)
{
	/* a closure naming a later module is not a load order */
	assert_int_equal(parse("m\ta\t/a.ko\t1\t-\t0\nm\tb\t/b.ko\t-\t-\t0\n"), -EINVAL);
	/* an alias for a module that does not exist */
	assert_int_equal(parse("m\ta\t/a.ko\t-\t-\t0\na\tx\t5\n"), -EINVAL);
	/* post list out of range */
	assert_int_equal(parse("m\ta\t/a.ko\t-\t9\t0\n"), -EINVAL);
	/* missing fields, extra fields, relative path, bad flag, unknown record */
	assert_int_equal(parse("m\ta\t/a.ko\t-\t-\n"), -EINVAL);
	assert_int_equal(parse("m\ta\t/a.ko\t-\t-\t0\textra\n"), -EINVAL);
	assert_int_equal(parse("m\ta\ta.ko\t-\t-\t0\n"), -EINVAL);
	assert_int_equal(parse("m\ta\t/a.ko\t-\t-\t2\n"), -EINVAL);
	assert_int_equal(parse("x\ty\n"), -EINVAL);
	/* modules after aliases */
	assert_int_equal(parse("m\ta\t/a.ko\t-\t-\t0\na\tx\t0\nm\tb\t/b.ko\t-\t-\t0\n"), -EINVAL);
	/* garbage index */
	assert_int_equal(parse("m\ta\t/a.ko\t0x\t-\t0\n"), -EINVAL);
	assert_int_equal(parse(""), 0);
	assert_int_equal(db.nmod, 0);
}

/* The tables are sized from the file: a database of every module of a
 * kernel (Debian's 6.1: 4,023 modules, 26,222 aliases) loads, and so do
 * module indices past 65,535. */
static void test_sized_from_file(void **state)
{
	enum { NMOD = 70000, NALIAS = 30000 };
	size_t size = (size_t)NMOD * 40 + NALIAS * 40, o = 0;
	char *big = malloc(size);
	int i, bad = -1;
	struct hits h = { .n = 0 };

	assert_non_null(big);
	for (i = 0; i < NMOD; i++)
		o += snprintf(big + o, size - o, "m\tm%d\t/m.ko\t%s\t-\t0\n", i,
			      i ? "0" : "-");
	for (i = 0; i < NALIAS; i++)
		o += snprintf(big + o, size - o, "a\tpci:v%08Xd*\t%d\n", i, NMOD - 1 - i);
	assert_true(o < size - 1);
	moddb_free(&db);
	assert_int_equal(moddb_parse(big, &db, &bad), 0);
	assert_int_equal(db.nmod, NMOD);
	assert_int_equal(db.nalias, NALIAS);
	assert_int_equal(db.ncpu, 0);
	assert_string_equal(db.mod[NMOD - 1].name, "m69999");
	assert_int_equal(db.alias[0].module, NMOD - 1);
	moddb_match(&db, "pci:v00000000d00001234", collect, &h);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.idx[0], NMOD - 1);
	assert_int_equal(moddb_find(&db, "m69998"), NMOD - 2);
	moddb_free(&db);
	free(big);
}

static void test_limits(void **state)
{
	char name[MODDB_NAME_MAX + 32];

	/* a name as long as the kernel allows (55), and one it cannot have */
	snprintf(name, sizeof(name), "m\t%055d\t/a.ko\t-\t-\t0\n", 0);
	assert_int_equal(parse(name), 0);
	snprintf(name, sizeof(name), "m\t%0*d\t/a.ko\t-\t-\t0\n", MODDB_NAME_MAX, 0);
	assert_int_equal(parse(name), -EINVAL);
	assert_null(db.mod);	/* nothing stays allocated on an error */
	/* an index of seven digits: more modules than the format has */
	assert_int_equal(parse("m\ta\t/a.ko\t-\t-\t0\na\tx\t0000000\n"), -EINVAL);
}

static void test_bus(void **state)
{
	const char *bus = NULL;
	static const char pci[] = "pci:v00001AF4d*sv*sd*bc*sc*i*";

	assert_int_equal(moddb_bus(pci, &bus), 3);
	assert_ptr_equal(bus, pci);
	assert_int_equal(moddb_bus("virtio:d00000002v*", &bus), 6);
	assert_int_equal(moddb_bus("acpi*:PNP0A03:*", &bus), 8);
	assert_memory_equal(bus, "platform", 8);
	assert_int_equal(moddb_bus("of:N*T*Cfoo", &bus), 8);
	assert_memory_equal(bus, "platform", 8);
	assert_int_equal(moddb_bus("dmi*:svnLENOVO:*", &bus), 3);
	assert_int_equal(moddb_bus("ofx:y", &bus), 3);
	/* no bus: a file system, a device number, a name */
	assert_int_equal(moddb_bus("fs-ext4", &bus), 0);
	assert_int_equal(moddb_bus("char-major-10-229", &bus), 0);
	assert_int_equal(moddb_bus("block-major-8-*", &bus), 0);
	assert_int_equal(moddb_bus("crc32c", &bus), 0);
	assert_int_equal(moddb_bus(":x", &bus), 0);
	assert_int_equal(moddb_bus("", &bus), 0);
	/* a long name is a bus all the same: /init has no table to fill */
	assert_int_equal(moddb_bus("a-bus-with-a-rather-long-name:x", &bus), 29);
}

static int teardown(void **state)
{
	moddb_free(&db);
	return 0;
}

/* The writer's output is what the parser reads: closures made transitive,
 * needs that do not come earlier ignored, patterns the format cannot hold
 * left out. */
static void test_write(void **state)
{
	static const char want[] =
		"# initkit module database: see lib/moddb.h\n"
		"m\tvirtio_ring\t/lib/modules/k/virtio_ring.ko\t-\t-\t0\n"
		"m\tvirtio\t/lib/modules/k/virtio.ko\t0\t-\t0\n"
		"m\tvirtio_pci\t/lib/modules/k/virtio_pci.ko\t0,1\t3\t0\n"
		"m\tcrc32c-intel\t/lib/modules/k/crc32c-intel.ko\t-\t-\t1\n"
		"c\tcpu:type:x86,ven*fam*mod*:feature:*0094*\t3\n"
		"a\tpci:v00001AF4d*sv*sd*bc*sc*i*\t2\n"
		"a\tfs-ext4\t3\n";
	struct moddbw w;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(moddbw_init(&w, f, 4), 0);
	moddbw_module(&w, "virtio_ring", "/lib/modules/k", "virtio_ring.ko", 0);
	moddbw_need(&w, 0);
	moddbw_need(&w, 1);		/* itself: ignored */
	moddbw_module(&w, "virtio", "/lib/modules/k", "virtio.ko", 0);
	moddbw_need(&w, 1);		/* and virtio's own need, 0 */
	moddbw_need(&w, (size_t)-1);	/* not selected */
	moddbw_post(&w, 3);
	moddbw_module(&w, "virtio_pci", "/lib/modules/k", "virtio_pci.ko", 0);
	moddbw_module(&w, "crc32c-intel", "/lib/modules/k", "crc32c-intel.ko", 2);
	moddbw_cpu(&w, "cpu:type:x86,ven*fam*mod*:feature:*0094*", 3);
	moddbw_alias(&w, "pci:v00001AF4d*sv*sd*bc*sc*i*", 2);
	moddbw_alias(&w, "bad\tpattern", 2);
	moddbw_cpu(&w, "cpu:bad\n", 3);
	moddbw_alias(&w, "fs-ext4", 3);
	moddbw_free(&w);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(text, want);
	assert_int_equal(parse(text), 0);
	assert_int_equal(db.nmod, 4);
	assert_int_equal(db.ncpu, 1);
	assert_int_equal(db.mod[3].cpu_req, 1);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_find_and_indices),
		cmocka_unit_test(test_cpu),
		cmocka_unit_test(test_x86_feature),
		cmocka_unit_test(test_cpu_recorded),
		cmocka_unit_test(test_cpu_bitmap_equals_matching),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_sized_from_file),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_bus),
		cmocka_unit_test(test_write),
	};

	return cmocka_run_group_tests_name("moddb", tests, NULL, teardown);
}
