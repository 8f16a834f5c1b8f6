/* moddb.h - the module database the generator pre-digests for /init
 * (pure, host-testable); moddbw.h writes it.
 *
 * Text, one record per line, fields separated by one TAB:
 *   m NAME PATH CLOSURE POST BOOT   module record; the Nth "m" line is
 *                                   module N.  CLOSURE: indices of every
 *                                   module to load before it, ascending
 *                                   (a valid load order), or "-".  POST:
 *                                   post-softdeps, or "-".  BOOT: 1 to load
 *                                   at boot whatever the hardware.
 *   a PATTERN INDEX                 an alias (a wildcard.h pattern, as for
 *                                   fnmatch: modalias, "fs-TYPE", ...) of INDEX
 *   c PATTERN INDEX                 module INDEX is a driver for a CPU
 *                                   feature: it loads only on a CPU whose
 *                                   modalias matches PATTERN or another of
 *                                   its "c" lines (crc32c-intel: SSE4.2)
 * Lines starting with '#' are comments.  Module records come first.
 *
 * The tables are sized from the file, so a database of every module of a
 * kernel (4,000 modules, 26,000 aliases, 1.5 MB for Debian's 6.1) loads.
 * What /init still cannot take, the generator refuses to write
 * (modsel_check_db() runs this parser on what it wrote):
 *   - a module name of MODDB_NAME_MAX bytes or more (the kernel's own
 *     limit, MODULE_NAME_LEN, is 56);
 *   - a module index of more than six digits, a million modules;
 * and, as /init holds the file and its tables in memory, a file of more
 * than MODDB_MAX_BYTES, ten times every module of a kernel. */
#ifndef INITKIT_MODDB_H
#define INITKIT_MODDB_H

#include <stddef.h>

#define MODDB_MAX_BYTES   (16 * 1024 * 1024)
#define MODDB_NAME_MAX    64

struct moddb_module {
	const char *name;
	const char *path;
	const char *closure;	/* "1,4,7" or "" */
	const char *post;
	int boot;
	int cpu_req;		/* how many "c" lines it has */
};

struct moddb_alias {
	const char *pattern;
	int module;
	int fixed;		/* length of the literal prefix before any
				 * wildcard: a cheap filter before matching */
};

/* The tables are one allocation, as large as the file needs. */
struct moddb {
	struct moddb_module *mod;
	struct moddb_alias *alias;
	struct moddb_alias *cpu;	/* the "c" lines */
	int nmod, nalias, ncpu;
};

/* Parse @buf (modified in place; @db points into it), after counting its
 * records to allocate the tables once.  Returns 0 (free the tables with
 * moddb_free()), -EINVAL with *bad_line set for a malformed line (0: a
 * post list names a module that does not exist), or -ENOMEM; on an error
 * nothing stays allocated. */
int moddb_parse(char *buf, struct moddb *db, int *bad_line);

void moddb_free(struct moddb *db);

/* The bus whose devices alias @pattern can match: the length of its name,
 * with *@bus pointing at it ("pci" at the start of "pci:v*...",
 * "platform" for "acpi*:..." and "of:..."), or 0 for none (fs-TYPE,
 * char-major-10-*, ...). */
int moddb_bus(const char *pattern, const char **bus);

/* Call @fn for each module whose alias matches @modalias (each module at
 * most once per call), with the length of the alias's literal prefix: the
 * longer, the more specific the match.  Stops and returns @fn's value if
 * non-zero. */
int moddb_match(const struct moddb *db, const char *modalias,
		int (*fn)(int idx, int fixed, void *arg), void *arg);

/* A CPU as the kernel describes it: its modalias, as in
 * /sys/devices/system/cpu/modalias, with the features listed there as a
 * bitmap.  The kernel's list, not CPUID's: the kernel forces features on
 * (x2apic on some hosts), turns them off (clearcpuid=, errata, quirks), and
 * module loading obeys its list. */
#define MODDB_CPU_FEATURES 1024
struct moddb_cpu {
	const char *modalias;	/* NULL: the kernel does not say */
	int listed;		/* @has holds its feature list */
	unsigned char has[MODDB_CPU_FEATURES / 8];
};

/* Fill @cpu from @modalias (kept, not copied; NULL for unknown). */
void moddb_cpu_init(struct moddb_cpu *cpu, const char *modalias);

/* Can module @idx work on @cpu?  1 if it has no "c" line or one of them
 * matches the CPU's modalias; an unknown CPU counts as a match.  A line of
 * the usual shape, "any x86 CPU with feature F" (moddb_x86_feature()), is
 * answered from the bitmap, which gives what wildcard_match() would. */
int moddb_cpu_ok(const struct moddb *db, int idx, const struct moddb_cpu *cpu);

/* The feature a "c" line asks of any x86 CPU, as the kernel numbers it:
 * "cpu:type:x86,ven*fam*mod*:feature:*0094*" gives 0x94.  -1 for a line of
 * any other shape (a vendor, family or model; several features). */
int moddb_x86_feature(const char *pattern);

/* Index of the module named @name ('-' and '_' are the same), or -ENOENT. */
int moddb_find(const struct moddb *db, const char *name);

/* Walk a comma list of indices ("1,4,7"); returns the next index and
 * advances *p, or -1 at the end. */
int moddb_next_index(const char **p);

/* Module names compare with '-' and '_' as one character, as modprobe does. */
int modname_equal(const char *a, const char *b);

#endif
