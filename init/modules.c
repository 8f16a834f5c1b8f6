/* modules.c - stage "modules" and on-demand loading.
 *
 * The generator resolved names, aliases, dependencies and softdeps on the
 * host and wrote MODULES_DB (see moddb.h): each module with the ascending
 * list of modules to load before it.  Here we only load: rd.driver.pre=
 * first, then the modules marked for boot, then drivers for the devices
 * present (coldplug); root-wait feeds us devices that appear later. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "init.h"
#include "log.h"
#include "moddb.h"
#include "modules.h"
#include "util.h"

#define MODALIAS_MAX    256
#define PARAMS_MAX      512
#define SYSPATH_MAX     128
#define QUEUE_MAX       128
#define MATCHES_MAX     16

enum { ST_NONE, ST_LOADING, ST_LOADED, ST_FAILED, ST_SKIPPED };

/* klibc has the syscall but no header declares it. */
extern int finit_module(int fd, const char *params, int flags);

static struct moddb db;
static unsigned char *state;	/* db.nmod of each, sized with the database */
static unsigned char *is_fs;	/* has an fs-TYPE alias */
static int have_db, nloaded, nfailed, ninserts;
static long long load_us, load_cpu_us;

long long modules_load_us(void)
{
	return load_us;
}

long long modules_load_cpu_us(void)
{
	return load_cpu_us;
}

/* Is @name in the comma list @list? ('-' and '_' alike) */
static int in_list(const char *list, const char *name)
{
	char item[MODDB_NAME_MAX];
	int n;

	while ((n = list_next(&list, item, sizeof(item))) >= 0)
		if (n && modname_equal(item, name))
			return 1;
	return 0;
}

/* "name.a=1 name.b" on the command line become "a=1 b" for module name. */
static void params_for(const struct boot *b, const char *name, char *out, size_t size)
{
	const char *p = b->bp.modparams, *end = p + b->bp.modparams_len;
	size_t o = 0, nl = strlen(name);

	out[0] = '\0';
	for (; p < end; p += strlen(p) + 1) {
		const char *dot = strchr(p, '.');
		size_t n;
		char pre[MODDB_NAME_MAX];

		if (!dot || (size_t)(dot - p) != nl || nl >= sizeof(pre))
			continue;
		memcpy(pre, p, nl);
		pre[nl] = '\0';
		if (!modname_equal(pre, name))
			continue;
		n = strlen(dot + 1);
		if (o + n + 2 > size)
			break;
		if (o)
			out[o++] = ' ';
		memcpy(out + o, dot + 1, n + 1);
		o += n;
	}
}

/* .ko.xz, .ko.zst, .ko.gz: the kernel decompresses them itself when it
 * has CONFIG_MODULE_DECOMPRESS (flag MODULE_INIT_COMPRESSED_FILE). */
#define MODULE_INIT_COMPRESSED_FILE 4

static int compressed_module(const char *path)
{
	size_t n = strlen(path);

	return (n > 3 && !strcmp(path + n - 3, ".xz")) ||
	       (n > 4 && !strcmp(path + n - 4, ".zst")) ||
	       (n > 3 && !strcmp(path + n - 3, ".gz"));
}

static int insert(struct boot *b, int idx)
{
	const struct moddb_module *m = &db.mod[idx];
	int flags = compressed_module(m->path) ? MODULE_INIT_COMPRESSED_FILE : 0;
	char params[PARAMS_MAX];
	long long t0, c0;
	int fd, r = 0;

	params_for(b, m->name, params, sizeof(params));
	fd = open(m->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ninserts++;
	t0 = uptime_us();
	c0 = cpu_us();
	if (finit_module(fd, params, flags) < 0 && errno != EEXIST)
		r = -errno;
	if (flags && (r == -EINVAL || r == -EOPNOTSUPP))
		r = -EOPNOTSUPP;	/* reported as: kernel cannot decompress it */
	load_cpu_us += cpu_us() - c0;
	load_us += uptime_us() - t0;
	close(fd);
	return r;
}

static int load_idx(struct boot *b, int idx, const char *why);

/* Can module @idx work on this CPU?  Asked of the kernel's own feature
 * list, the CPU modalias ("cpu:type:x86,ven...:feature:,0000,...") that
 * module loading obeys: read once, when a CPU-feature driver is first due. */
static int cpu_ok(int idx)
{
	static char buf[4096];
	static struct moddb_cpu cpu;
	static int known;

	if (!known) {
		known = 1;
		if (read_file("/sys/devices/system/cpu/modalias", buf, sizeof(buf)) > 0) {
			buf[strcspn(buf, "\n")] = '\0';
			moddb_cpu_init(&cpu, buf);
		} else {
			moddb_cpu_init(&cpu, NULL);	/* the kernel does not say: try */
		}
	}
	return moddb_cpu_ok(&db, idx, &cpu);
}

static void load_list(struct boot *b, const char *list, const char *why)
{
	int i;

	while ((i = moddb_next_index(&list)) >= 0)
		load_idx(b, i, why);
}

/* Load module @idx after its closure, then its post-softdeps.  Returns 1 if
 * it was loaded now, 0 if it was there already or skipped, -errno. */
static int load_idx(struct boot *b, int idx, const char *why)
{
	const struct moddb_module *m = &db.mod[idx];
	int r;

	if (state[idx] != ST_NONE)
		return 0;
	if (in_list(b->bp.blacklist, m->name)) {
		state[idx] = ST_SKIPPED;
		log_msg(L_INFO, "modules: %s is blacklisted on the command line; not "
			"loading it (%s)", m->name, why);
		return 0;
	}
	/* A driver for a CPU feature this CPU lacks (crc32c-intel without
	 * SSE4.2) would fail with ENODEV, but only after the kernel has read,
	 * checked and linked it, and waited for RCU twice: tens of ms. */
	if (m->cpu_req && !cpu_ok(idx)) {
		state[idx] = ST_SKIPPED;
		log_msg(L_DEBUG, "modules: %s: not for this CPU; skipped", m->name);
		return 0;
	}
	state[idx] = ST_LOADING;
	load_list(b, m->closure, m->name);
	r = insert(b, idx);
	if (r == -ENODEV) {
		/* Its init found no hardware: normal for alternatives such as
		 * crc32c-intel on a CPU without SSE4.2. */
		state[idx] = ST_SKIPPED;
		log_msg(L_DEBUG, "modules: %s: no such device here; skipped", m->name);
		return 0;
	}
	if (r) {
		/* Go on: the root may not need this one. */
		state[idx] = ST_FAILED;
		nfailed++;
		log_msg(L_ERR, "modules: %s (%s) failed to load: %s%s; continuing "
			"without it", m->name, m->path, strerror(-r),
			r == -EOPNOTSUPP ? " (a compressed module needs a kernel with "
			"CONFIG_MODULE_DECOMPRESS)" : "");
		return r;
	}
	state[idx] = ST_LOADED;
	nloaded++;
	log_msg(L_DEBUG, "modules: loaded %s (%s)", m->name, why);
	load_list(b, m->post, m->name);
	return 1;
}

static int count_match(int idx, int fixed, void *arg)
{
	(*(int *)arg)++;
	return 1;	/* one is enough */
}

struct matches {
	int idx[MATCHES_MAX];
	int fixed[MATCHES_MAX];
	int n;
};

static int collect(int idx, int fixed, void *arg)
{
	struct matches *m = arg;
	int i;

	if (m->n == MATCHES_MAX)
		return 1;
	/* most specific first: ata_piix's own ID before ata_generic's class */
	for (i = m->n; i > 0 && m->fixed[i - 1] < fixed; i--) {
		m->idx[i] = m->idx[i - 1];
		m->fixed[i] = m->fixed[i - 1];
	}
	m->idx[i] = idx;
	m->fixed[i] = fixed;
	m->n++;
	return 0;
}

/* The modalias of device @dev (below the directory open at @dfd) into
 * @alias: "" if it has none.  The attribute, not the uevent file: the
 * kernel prints one string rather than the whole environment. */
static void read_alias(int dfd, const char *dev, char *alias, size_t size)
{
	char file[NAME_MAX + 16];
	ssize_t len = -1;
	int fd;

	if (!path_fmt(file, sizeof(file), "%s/modalias", dev) &&
	    (fd = openat(dfd, file, O_RDONLY | O_CLOEXEC)) >= 0) {
		len = read(fd, alias, size);
		close(fd);
	}
	if (len <= 0 || (size_t)len == size)
		len = 0;	/* none, or too long to be one we know */
	alias[len] = '\0';
	alias[strcspn(alias, "\n")] = '\0';
}

/* Has a driver taken device @dev?  Its "driver" link says. */
static int has_driver(int dfd, const char *dev)
{
	char file[NAME_MAX + 16];
	struct stat st;

	return !path_fmt(file, sizeof(file), "%s/driver", dev) &&
	       fstatat(dfd, file, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int bound(const char *syspath)
{
	return syspath && has_driver(AT_FDCWD, syspath);
}

/* Load the modules matching a device, most specific first, until one of
 * them has taken the device (@syspath, if known).  Returns how many were
 * loaded. */
static int load_for(struct boot *b, const char *alias, const char *syspath)
{
	struct matches m;
	int i, loaded = 0;

	if (!have_db)
		return 0;
	m.n = 0;
	moddb_match(&db, alias, collect, &m);
	for (i = 0; i < m.n; i++) {
		if (i > 0 && bound(syspath))
			break;
		if (load_idx(b, m.idx[i], alias) == 1)
			loaded++;
	}
	return loaded;
}

int modules_load_device(struct boot *b, const char *alias, const char *devpath)
{
	char syspath[SYSPATH_MAX];

	if (!devpath || path_fmt(syspath, sizeof(syspath), "/sys%s", devpath))
		return load_for(b, alias, NULL);
	return load_for(b, alias, syspath);
}

/* Devices worth naming when the root does not come up: storage and USB
 * controllers, USB mass storage, virtio disks, SCSI/NVMe/MMC devices. */
static int storage_like(const char *a)
{
	const char *bc = strstr(a, "bc");

	if (!strncmp(a, "pci:", 4))
		return bc && (!strncmp(bc, "bc01", 4) || !strncmp(bc, "bc0Csc03", 8) ||
			      !strncmp(bc, "bc08sc05", 8));
	if (!strncmp(a, "usb:", 4))
		return strstr(a, "ic08") != NULL;
	if (!strncmp(a, "virtio:", 7))
		return !strncmp(a, "virtio:d00000002v", 17) ||
		       !strncmp(a, "virtio:d00000008v", 17);
	return !strncmp(a, "scsi:", 5) || !strncmp(a, "nvme", 4) ||
	       !strncmp(a, "mmc:", 4) || !strncmp(a, "sdio:", 5);
}

/* After a failed wait only: walk the buses storage hangs off and name the
 * devices that have no driver bound and that no module in the image
 * matches. */
void modules_unmatched(char *out, size_t size)
{
	static const char *const storage_buses[] = {
		"pci", "usb", "virtio", "scsi", "mmc", "sdio",
	};
	char path[64], alias[MODALIAS_MAX];
	size_t o = 0, i;

	out[0] = '\0';
	for (i = 0; i < sizeof(storage_buses) / sizeof(storage_buses[0]); i++) {
		struct dir_iter devs;
		const char *dev;

		if (path_fmt(path, sizeof(path), "/sys/bus/%s/devices", storage_buses[i]) ||
		    dir_open(&devs, AT_FDCWD, path))
			continue;
		while ((dev = dir_next(&devs, NULL))) {
			int hits = 0, n;

			read_alias(devs.fd, dev, alias, sizeof(alias));
			if (!alias[0] || !storage_like(alias) || has_driver(devs.fd, dev))
				continue;
			if (have_db)
				moddb_match(&db, alias, count_match, &hits);
			if (hits)
				continue;
			n = snprintf(out + o, size - o, "%s%s", o ? " " : "", alias);
			if (n < 0 || (size_t)n >= size - o) {
				out[o] = '\0';
				break;
			}
			o += (size_t)n;
		}
		dir_close(&devs);
	}
}

int modules_preload_fs(struct boot *b)
{
	const char *t = b->bp.rootfstype;
	char type[FSTYPE_MAX];
	int i, n;

	if (!have_db)
		return 0;
	if (*t) {
		/* only what the user said the root is */
		while ((n = list_next(&t, type, sizeof(type))) >= 0)
			if (n && modules_load_fs(b, type))
				return 1;
		return 0;
	}
	for (i = 0; i < db.nmod; i++)
		if (is_fs[i] && state[i] == ST_NONE) {
			load_idx(b, i, "preloaded while waiting");
			return 1;
		}
	return 0;
}

int modules_load_fs(struct boot *b, const char *type)
{
	char alias[FSTYPE_MAX + 4];

	/* A file system built into the kernel, or loaded already, costs
	 * nothing here: it has no alias in the image, or is marked loaded. */
	if (path_fmt(alias, sizeof(alias), "fs-%s", type))
		return 0;
	return load_for(b, alias, NULL);
}

/* The buses worth walking: those whose devices an alias of the image can
 * match.  Devices that ACPI or a device tree describe ("acpi:", "of:")
 * are matched through their platform-bus twins. */
struct bus {
	const char *name;	/* in an alias pattern: not NUL-terminated */
	int len;
};
static struct bus *buses;	/* room for one per alias; 40-odd for every
				 * module of a kernel */
static int nbuses;

static void add_bus(const char *pattern)
{
	const char *name;
	int i, len = moddb_bus(pattern, &name);

	if (!len)
		return;
	/* the newest first: a module's aliases are mostly on one bus */
	for (i = nbuses; i-- > 0;)
		if (buses[i].len == len && !memcmp(buses[i].name, name, (size_t)len))
			return;
	buses[nbuses].name = name;
	buses[nbuses++].len = len;
}

/* Devices found at boot wait in a queue, the likeliest way to the root
 * first; root-wait takes them one at a time and stops when the root is
 * there.  What is left is the real system's udev's business. */
struct pending {
	char alias[MODALIAS_MAX];
	char syspath[SYSPATH_MAX];
	int prio;
	int inserts;	/* finit_module calls made when it was seen unbound */
};

static struct pending queue[QUEUE_MAX];
static int nqueue, qnext;

/* Lower is sooner: storage controllers (IDE, the slowest to probe, last
 * among them), then USB and SD hosts, then the rest. */
static int priority(const char *a)
{
	const char *bc = strstr(a, "bc");

	if (!strncmp(a, "pci:", 4) && bc) {
		if (!strncmp(bc, "bc01sc01", 8))
			return 5;
		if (!strncmp(bc, "bc01", 4))
			return 0;
		if (!strncmp(bc, "bc0Csc03i30", 11))
			return 10;
		if (!strncmp(bc, "bc0Csc03i20", 11))
			return 11;
		if (!strncmp(bc, "bc0Csc03", 8))
			return 12;
		if (!strncmp(bc, "bc08sc05", 8))
			return 13;
		return 30;
	}
	if (!strncmp(a, "virtio:", 7) || !strncmp(a, "scsi:", 5) ||
	    !strncmp(a, "usb:", 4) || !strncmp(a, "mmc:", 4))
		return 20;
	return 40;
}

static void enqueue(const char *alias, const char *syspath)
{
	struct pending *p;
	int i, prio = priority(alias);

	for (i = qnext; i < nqueue; i++)
		if (!strcmp(queue[i].syspath, syspath))
			return;		/* queued already */
	if (nqueue == QUEUE_MAX) {
		if (qnext == 0)
			return;
		memmove(queue, queue + qnext, (size_t)(nqueue - qnext) * sizeof(queue[0]));
		nqueue -= qnext;
		qnext = 0;
	}
	/* insert after those of equal priority: sysfs order otherwise */
	for (i = nqueue; i > qnext && queue[i - 1].prio > prio; i--)
		queue[i] = queue[i - 1];
	p = &queue[i];
	strcpy(p->alias, alias);
	strcpy(p->syspath, syspath);
	p->prio = prio;
	p->inserts = ninserts;
	nqueue++;
}

static void coldplug_bus(const struct bus *bus)
{
	char path[64], alias[MODALIAS_MAX], sys[SYSPATH_MAX];
	struct dir_iter devs;
	const char *dev;

	if (path_fmt(path, sizeof(path), "/sys/bus/%.*s/devices", bus->len, bus->name) ||
	    dir_open(&devs, AT_FDCWD, path))
		return;
	while ((dev = dir_next(&devs, NULL))) {
		int hits = 0;

		read_alias(devs.fd, dev, alias, sizeof(alias));
		if (!alias[0])
			continue;
		moddb_match(&db, alias, count_match, &hits);
		/* a built-in driver may have it already */
		if (hits && !has_driver(devs.fd, dev) &&
		    !path_fmt(sys, sizeof(sys), "%s/%s", path, dev))
			enqueue(alias, sys);
	}
	dir_close(&devs);
}

void modules_coldplug(struct boot *b)
{
	int i;

	for (i = 0; have_db && i < nbuses; i++)
		coldplug_bus(&buses[i]);
}

int modules_coldplug_next(struct boot *b)
{
	while (qnext < nqueue) {
		struct pending *p = &queue[qnext++];

		/* only a module loaded since it was seen can have bound it */
		if (p->inserts != ninserts && bound(p->syspath))
			continue;
		load_for(b, p->alias, p->syspath);
		return 1;
	}
	return 0;
}

int modules_coldplug_left(void)
{
	return nqueue - qnext;
}

int modules_loaded(void)
{
	return nloaded;
}

int stage_modules(struct boot *b)
{
	struct stat st;
	ssize_t len;
	const char *p;
	char name[MODDB_NAME_MAX], *buf;
	int r, bad, i, n;

	/* Read whole, into memory of its size (every module of a kernel
	 * makes 1.5 MB; the generator writes no more than MODDB_MAX_BYTES),
	 * and kept: the tables point into it. */
	if (stat(MODULES_DB, &st))
		return errno == ENOENT ? 0 :	/* no modules: all built in */
			fail(b, -errno, "cannot read %s: %s", MODULES_DB, strerror(errno));
	buf = malloc((size_t)st.st_size + 1);
	len = buf ? read_file(MODULES_DB, buf, (size_t)st.st_size + 1) : -ENOMEM;
	if (len < 0)
		return fail(b, (int)len, "cannot read %s: %s", MODULES_DB,
			    strerror((int)-len));
	r = moddb_parse(buf, &db, &bad);
	if (r == -EINVAL)
		return fail(b, r, "%s is damaged (line %d: %s); rebuild the image "
			    "with mkinitramfs", MODULES_DB, bad, strerror(-r));
	/* the buses, then a state and an is_fs of each module: the pages
	 * of the bus table that no bus needs are never touched */
	if (!r && !(buses = malloc(db.nalias * sizeof(*buses) + 2 * (size_t)db.nmod + 1)))
		r = -ENOMEM;
	if (r)
		return fail(b, r, "not enough memory for the module database (%lld "
			    "bytes)", (long long)st.st_size);
	state = (unsigned char *)(buses + db.nalias);
	is_fs = state + db.nmod;
	memset(state, 0, 2 * (size_t)db.nmod);
	for (i = 0; i < db.nalias; i++) {
		add_bus(db.alias[i].pattern);
		if (!strncmp(db.alias[i].pattern, "fs-", 3))
			is_fs[db.alias[i].module] = 1;
	}
	have_db = 1;

	/* rd.driver.pre=a,b: first, in that order */
	for (p = b->bp.driver_pre; (n = list_next(&p, name, sizeof(name))) >= 0;) {
		if (!n)
			continue;
		i = moddb_find(&db, name);
		if (i < 0)
			log_msg(L_WARN, "modules: rd.driver.pre=%s: no such module in "
				"this image", name);
		else
			load_idx(b, i, "rd.driver.pre");
	}
	for (i = 0; i < db.nmod; i++)
		if (db.mod[i].boot)
			load_idx(b, i, "image");
	modules_coldplug(b);
	log_msg(L_DEBUG, "modules: %d loaded at boot, %d devices queued",
		nloaded, nqueue);
	return 0;
}
