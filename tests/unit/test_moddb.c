/* test_moddb.c - the module database /init reads */
#include "unit.h"
#include <errno.h>
#include "moddb.h"

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

	assert_int_equal(parse(text), 0);
	assert_int_equal(db.ncpu, 3);
	assert_int_equal(db.nalias, 1);		/* "c" lines are no aliases */
	assert_int_equal(db.mod[0].cpu_req, 1);
	assert_int_equal(db.mod[1].cpu_req, 0);
	assert_int_equal(db.mod[2].cpu_req, 2);
	assert_false(moddb_cpu_ok(&db, 0, qemu64));
	assert_true(moddb_cpu_ok(&db, 0, intel));
	assert_true(moddb_cpu_ok(&db, 1, qemu64));	/* no requirement */
	/* any of its lines will do: the vendor does not match, the other one */
	assert_false(moddb_cpu_ok(&db, 2, qemu64));
	assert_true(moddb_cpu_ok(&db, 2, intel));
	assert_true(moddb_cpu_ok(&db, 2,
		"cpu:type:x86,ven0002fam0017mod0001:feature:,0150"));
	assert_true(moddb_cpu_ok(&db, 0, NULL));	/* CPU unknown: try it */
	/* a CPU's modalias is no device to load drivers for */
	moddb_match(&db, intel, collect, &h);
	assert_int_equal(h.n, 0);
	/* like "a": after the modules, for a module that exists */
	assert_int_equal(parse("m\ta\t/a.ko\t-\t-\t0\nc\tcpu:*\t1\n"), -EINVAL);
	assert_int_equal(parse("m\ta\t/a.ko\t-\t-\t0\nc\tcpu:*\t0\n"
			       "m\tb\t/b.ko\t-\t-\t0\n"), -EINVAL);
	assert_int_equal(parse("m\ta\t/a.ko\t-\t-\t0\nc\t\t0\n"), -EINVAL);
}

/* The "c" lines CPUID can answer: any x86 CPU, one feature. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_find_and_indices),
		cmocka_unit_test(test_cpu),
		cmocka_unit_test(test_x86_feature),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_sized_from_file),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_bus),
	};

	return cmocka_run_group_tests_name("moddb", tests, NULL, teardown);
}
