/* fuzz_moddb.c - moddb_parse() on any etc/initkit/modules.db, then the
 * queries /init makes: moddb_match() for the modaliases of some common
 * hardware, moddb_cpu_ok() for two CPUs and moddb_find() by name. */
#include <string.h>
#include "moddb.h"
#include "fuzz.h"

static struct moddb db;		/* its tables: allocated by moddb_parse() */

static const char *const modaliases[] = {
	"pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00",
	"pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01",
	"virtio:d00000002v00001AF4",
	"virtio:d00000001v00001AF4",
	"acpi:PNP0A08:PNP0A03:",
	"usb:v0627p0001d0000dc00dsc00dp00ic03isc00ip00in00",
	"scsi:t-0x00",
	"platform:i8042",
	"fs-ext4",
	"fs-vfat",
	"",
};

static const char *const names[] = {
	"virtio_blk", "virtio-pci", "ext4", "crc32c_generic", "",
};

static int on_match(int idx, int fixed, void *arg)
{
	int *count = arg;

	FUZZ_CHECK(idx >= 0 && idx < db.nmod);
	FUZZ_CHECK(fixed >= 0);
	(void)strlen(db.mod[idx].name);
	(void)strlen(db.mod[idx].path);
	++*count;
	return *count == 1000;	/* exercise the early stop */
}

static void check_list(const char *list, int limit)
{
	const char *p = list;
	int i;

	while ((i = moddb_next_index(&p)) >= 0)
		FUZZ_CHECK(i < limit);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	size_t i;
	int bad, n, r;
	struct moddb_cpu intel, unknown;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	r = moddb_parse(buf, &db, &bad);
	if (r) {
		FUZZ_CHECK(bad >= 0 && !db.mod);
		free(buf);
		return 0;
	}
	FUZZ_CHECK(db.nmod >= 0 && db.nalias >= 0 && db.ncpu >= 0);
	for (n = 0; n < db.nmod; n++) {
		/* a closure names only earlier modules: a load order */
		check_list(db.mod[n].closure, n);
		check_list(db.mod[n].post, db.nmod);
		r = moddb_find(&db, db.mod[n].name);
		FUZZ_CHECK(r >= 0 && r <= n);
		FUZZ_CHECK(modname_equal(db.mod[r].name, db.mod[n].name));
	}
	for (n = 0; n < db.nalias; n++)
		FUZZ_CHECK(db.alias[n].module >= 0 && db.alias[n].module < db.nmod);
	for (n = 0; n < db.ncpu; n++)
		FUZZ_CHECK(db.cpu[n].module >= 0 && db.cpu[n].module < db.nmod);
	moddb_cpu_init(&intel, "cpu:type:x86,ven0000fam0006mod003F:feature:,0000,0001,0094");
	moddb_cpu_init(&unknown, NULL);
	for (n = 0; n < db.nmod; n++) {
		int ok = moddb_cpu_ok(&db, n, &intel);

		FUZZ_CHECK(moddb_cpu_ok(&db, n, &unknown));
		FUZZ_CHECK(ok || db.mod[n].cpu_req > 0);
	}
	for (i = 0; i < sizeof(modaliases) / sizeof(modaliases[0]); i++) {
		int count = 0;

		(void)moddb_match(&db, modaliases[i], on_match, &count);
	}
	/* an alias without wildcards, as a modalias, must match (patterns
	 * with wildcards are left out: a device never sends "*a*a*a*") */
	for (n = 0; n < db.nalias && n < 64; n++) {
		const char *pat = db.alias[n].pattern;
		int count = 0;

		if (pat[strcspn(pat, "*?[\\")])
			continue;
		(void)moddb_match(&db, pat, on_match, &count);
		FUZZ_CHECK(count >= 1);
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		r = moddb_find(&db, names[i]);
		FUZZ_CHECK(r < db.nmod);
	}
	for (n = 0; n < db.nalias; n++) {
		const char *pat = db.alias[n].pattern, *bus;
		int len = moddb_bus(pat, &bus);

		FUZZ_CHECK(len >= 0);
		if (len && bus != pat)
			FUZZ_CHECK(len == 8 && !memcmp(bus, "platform", 8));
		else
			FUZZ_CHECK(len < (int)strlen(pat) && !memchr(pat, ':', len));
	}
	moddb_free(&db);
	free(buf);
	return 0;
}
