/* modules.c - loading kernel modules, on demand: for a device, for a file
 * system, by name.
 *
 * The generator resolved names, aliases, dependencies and softdeps on the
 * host and wrote MODULES_DB (see moddb.h): each module with the ascending
 * list of modules to load before it.  Here we only load: stage "modules"
 * (stage_modules.c) reads the database and loads what boot needs,
 * coldplug.c the drivers for the devices present, and root-wait feeds us
 * devices that appear later. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "actions.h"
#include "inflate.h"
#include "layout.h"
#include "init.h"
#include "log.h"
#include "moddb.h"
#include "modules.h"
#include "timeline.h"
#include "util.h"

#define PARAMS_MAX      512
#define MATCHES_MAX     16

enum { ST_NONE, ST_LOADING, ST_LOADED, ST_FAILED, ST_SKIPPED };

/* klibc has the syscall but no header declares it. */
extern int finit_module(int fd, const char *params, int flags);
extern int init_module(void *image, unsigned long len, const char *params);

struct modules mods;
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

/* .ko.xz, .ko.zst: the kernel decompresses them itself when it has
 * CONFIG_MODULE_DECOMPRESS (flag MODULE_INIT_COMPRESSED_FILE).  .ko.gz
 * (--lazy-modules, or a distribution's) we inflate ourselves. */
#define MODULE_INIT_COMPRESSED_FILE 4

static int compressed_module(const char *path)
{
	size_t n = strlen(path);

	return (n > 3 && !strcmp(path + n - 3, ".xz")) ||
	       (n > 4 && !strcmp(path + n - 4, ".zst"));
}

static int gz_module(const char *path)
{
	size_t n = strlen(path);

	return n > 3 && !strcmp(path + n - 3, ".gz");
}

/* NAME.ko.gz, as --lazy-modules stores modules: inflated here (the kernel
 * may have no decompressor for modules), then loaded from memory.  The
 * whole file is checked (size, CRC-32) before the kernel sees it.
 *
 * A module with others to load first (ext4: crc16, mbcache, jbd2) is
 * inflated ahead, by a child into shared memory, while the kernel links
 * those: on two CPUs the inflating costs no time. */
#define GZ_MODULE_MAX	(256u << 20)

static struct {
	int idx;		/* the module being inflated, or -1 */
	pid_t pid;
	uint8_t *buf;		/* MAP_SHARED, @size bytes */
	size_t size;
} ahead = { -1, 0, NULL, 0 };

/* The file open at @fd mapped, and the size it inflates to (<= 0: not
 * gzip). */
static uint8_t *map_gz(int fd, size_t *len, long long *size)
{
	struct stat st;
	uint8_t *in;

	*size = -1;
	in = fstat(fd, &st) < 0 || st.st_size < 18 ? MAP_FAILED :
		mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (in == MAP_FAILED)
		return NULL;
	*len = (size_t)st.st_size;
	*size = gzip_size(in, *len);
	if (*size > (long long)GZ_MODULE_MAX)
		*size = -1;
	return in;
}

static void inflate_ahead(int idx)
{
	const char *path = mods.db.mod[idx].path;
	long long size;
	size_t len;
	uint8_t *in, *buf;
	pid_t pid;

	int fd;

	if (ahead.idx >= 0 || !gz_module(path) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	in = map_gz(fd, &len, &size);
	close(fd);
	if (!in)
		return;
	buf = size > 0 ? mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0) : MAP_FAILED;
	pid = buf == MAP_FAILED ? -1 : fork();
	if (pid == 0) {
		long long n = gzip_inflate(in, len, buf, (size_t)size);

		_exit(n < 0 ? (int)-n : 0);	/* 0, or gzip_inflate()'s 1 to 5 */
	}
	munmap(in, len);
	if (pid < 0) {
		if (buf != MAP_FAILED)
			munmap(buf, (size_t)size);
		return;
	}
	ahead.idx = idx;
	ahead.pid = pid;
	ahead.buf = buf;
	ahead.size = (size_t)size;
}

static int insert_gz(int idx, int fd, const char *params, long long *t0, long long *c0)
{
	const char *path = mods.db.mod[idx].path;
	uint8_t *out = NULL, *in;
	long long size = -1, n = -4;
	size_t len;
	int r, st, shared = ahead.idx == idx;

	if (shared) {
		pid_t w;

		while ((w = waitpid(ahead.pid, &st, 0)) < 0 && errno == EINTR)
			;
		out = ahead.buf;
		size = (long long)ahead.size;
		n = w == ahead.pid && WIFEXITED(st) ? -WEXITSTATUS(st) : -2;
		if (!n)
			n = size;
		ahead.idx = -1;
	} else if ((in = map_gz(fd, &len, &size)) != NULL) {
		if (size > 0 && (out = malloc((size_t)size)) != NULL)
			n = gzip_inflate(in, len, out, (size_t)size);
		munmap(in, len);
	} else {
		n = -1;		/* shorter than any gzip file */
	}
	/* what follows is the kernel's: timed as loading */
	timing.inflate_us += uptime_us() - *t0;
	*t0 = uptime_us();
	*c0 = cpu_us();
	if (n >= 0)
		r = init_module(out, (unsigned long)n, params) < 0 ? -errno : 0;
	else if (size > 0 && !out)
		r = -ENOMEM;
	else {
		log_msg(L_ERR, "modules: %s: %s: the image is damaged; rebuild it",
			path, gzip_strerror(n));
		r = -EBADMSG;
	}
	if (shared)
		munmap(out, (size_t)size);
	else
		free(out);
	return r;
}

static int insert(struct boot *b, int idx)
{
	const struct moddb_module *m = &mods.db.mod[idx];
	int flags = compressed_module(m->path) ? MODULE_INIT_COMPRESSED_FILE : 0;
	char params[PARAMS_MAX];
	long long t0, c0;
	int fd, r = 0;

	params_for(b, m->name, params, sizeof(params));
	fd = open(m->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	mods.ninserts++;
	t0 = uptime_us();
	c0 = cpu_us();
	if (gz_module(m->path)) {
		r = insert_gz(idx, fd, params, &t0, &c0);
		if (r == -EEXIST)
			r = 0;
	} else if (finit_module(fd, params, flags) < 0 && errno != EEXIST)
		r = -errno;
	if (flags && (r == -EINVAL || r == -EOPNOTSUPP))
		r = -EOPNOTSUPP;	/* reported as: kernel cannot decompress it */
	timing.load_cpu_us += cpu_us() - c0;
	timing.load_us += uptime_us() - t0;
	close(fd);
	return r;
}

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
	return moddb_cpu_ok(&mods.db, idx, &cpu);
}

static void load_list(struct boot *b, const char *list, const char *why)
{
	int i;

	while ((i = moddb_next_index(&list)) >= 0)
		modules_load_idx(b, i, why);
}

/* Children loading modules while /init goes on (below): the file system
 * beside the disk drivers, an MD array's personality. */
#define CHILDREN_MAX 4
static pid_t children[CHILDREN_MAX];
static char child_name[CHILDREN_MAX][MODDB_NAME_MAX];

static int children_running(void)
{
	int i;

	for (i = 0; i < CHILDREN_MAX; i++)
		if (children[i] > 0)
			return 1;
	return 0;
}

/* While such a child runs, has it loaded module @name, or is it loading it?
 * Then wait for it to be live rather than hand the kernel the same module
 * again: a second copy is checked (its signature too) and linked before
 * the kernel finds the name taken, tens of ms wasted.  A module the child
 * did not load, or whose init failed, is the caller's to load. */
static int loaded_beside(const char *name)
{
	char path[24 + MODDB_NAME_MAX], state[16];
	int i;

	if (!children_running() ||
	    path_fmt(path, sizeof(path), "/sys/module/%s/initstate", name))
		return 0;
	for (i = 0; i < 10000; i++) {	/* 10 s at most: an init that hangs */
		if (read_file(path, state, sizeof(state)) <= 0)
			return 0;
		if (!strncmp(state, "live", 4))
			return 1;
		usleep(1000);		/* "coming": its init is running */
	}
	return 0;
}

/* Load module @idx after its closure, then its post-softdeps.  Returns 1 if
 * it was loaded now, 0 if it was there already or skipped, -errno. */
int modules_load_idx(struct boot *b, int idx, const char *why)
{
	const struct moddb_module *m = &mods.db.mod[idx];
	int r;

	if (mods.state[idx] != ST_NONE)
		return 0;
	if (in_list(b->bp.blacklist, m->name)) {
		mods.state[idx] = ST_SKIPPED;
		log_msg(L_INFO, "modules: %s is blacklisted on the command line; not "
			"loading it (%s)", m->name, why);
		return 0;
	}
	/* A driver for a CPU feature this CPU lacks (crc32c-intel without
	 * SSE4.2) would fail with ENODEV, but only after the kernel has read,
	 * checked and linked it, and waited for RCU twice: tens of ms. */
	if (m->cpu_req && !cpu_ok(idx)) {
		mods.state[idx] = ST_SKIPPED;
		log_msg(L_DEBUG, "modules: %s: not for this CPU; skipped", m->name);
		return 0;
	}
	if (loaded_beside(m->name)) {
		mods.state[idx] = ST_LOADED;
		log_msg(L_DEBUG, "modules: %s: loaded beside (%s)", m->name, why);
		return 0;
	}
	mods.state[idx] = ST_LOADING;
	if (*m->closure)
		inflate_ahead(idx);
	load_list(b, m->closure, m->name);
	r = insert(b, idx);
	if (r == -ENODEV) {
		/* Its init found no hardware: normal for alternatives such as
		 * crc32c-intel on a CPU without SSE4.2. */
		mods.state[idx] = ST_SKIPPED;
		log_msg(L_DEBUG, "modules: %s: no such device here; skipped", m->name);
		return 0;
	}
	if (r) {
		/* Go on: the root may not need this one. */
		mods.state[idx] = ST_FAILED;
		mods.nfailed++;
		log_msg(L_ERR, "modules: %s (%s) failed to load: %s%s; continuing "
			"without it", m->name, m->path, strerror(-r),
			r == -EOPNOTSUPP ? " (a compressed module needs a kernel with "
			"CONFIG_MODULE_DECOMPRESS)" : "");
		return r;
	}
	mods.state[idx] = ST_LOADED;
	mods.nloaded++;
	if (compressed_module(m->path)) {	/* passed through as packaged */
		const char *base = strrchr(m->path, '/');

		log_msg(L_DEBUG, "modules: loaded %s (%s); the kernel decompressed %s",
			m->name, why, base ? base + 1 : m->path);
	} else {
		log_msg(L_DEBUG, "modules: loaded %s (%s)", m->name, why);
	}
	load_list(b, m->post, m->name);
	return 1;
}

struct named {
	struct boot *b;
	const char *why;
	int n;
};

static int load_named(int idx, int fixed, void *arg)
{
	struct named *f = arg;

	(void)fixed;
	if (modules_load_idx(f->b, idx, f->why) >= 0)
		f->n++;
	return 0;	/* every module the alias names, as modprobe does */
}

int modules_load_name(struct boot *b, const char *name, const char *why)
{
	struct named f = { b, why, 0 };
	int idx;

	if (!mods.have_db)
		return 0;
	idx = moddb_find(&mods.db, name);
	if (idx >= 0)
		load_named(idx, 1, &f);
	else
		moddb_match(&mods.db, name, load_named, &f);
	return f.n;
}

void modules_mark_loaded(void)
{
	static char buf[16384];
	char *line, *next;
	ssize_t len;
	int idx;

	if (!mods.have_db || (len = read_file("/proc/modules", buf, sizeof(buf) - 1)) <= 0)
		return;
	buf[len] = '\0';
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line[strcspn(line, " ")] = '\0';
		idx = moddb_find(&mods.db, line);
		if (idx >= 0 && mods.state[idx] == ST_NONE)
			mods.state[idx] = ST_LOADED;
	}
}

int modules_count_match(int idx, int fixed, void *arg)
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
void modules_read_alias(int dfd, const char *dev, char *alias, size_t size)
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
int modules_has_driver(int dfd, const char *dev)
{
	char file[NAME_MAX + 16];
	struct stat st;

	return !path_fmt(file, sizeof(file), "%s/driver", dev) &&
	       fstatat(dfd, file, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int modules_bound(const char *syspath)
{
	return syspath && modules_has_driver(AT_FDCWD, syspath);
}

/* Load the modules matching a device, most specific first, until one of
 * them has taken the device (@syspath, if known).  Returns how many were
 * loaded. */
int modules_load_for(struct boot *b, const char *alias, const char *syspath)
{
	struct matches m;
	int i, loaded = 0;

	if (!mods.have_db)
		return 0;
	m.n = 0;
	moddb_match(&mods.db, alias, collect, &m);
	for (i = 0; i < m.n; i++) {
		if (i > 0 && modules_bound(syspath))
			break;
		if (modules_load_idx(b, m.idx[i], alias) == 1)
			loaded++;
	}
	return loaded;
}

int modules_load_device(struct boot *b, const char *alias, const char *devpath)
{
	char syspath[SYSPATH_MAX];

	if (!devpath || path_fmt(syspath, sizeof(syspath), "/sys%s", devpath))
		return modules_load_for(b, alias, NULL);
	return modules_load_for(b, alias, syspath);
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

			modules_read_alias(devs.fd, dev, alias, sizeof(alias));
			if (!alias[0] || !storage_like(alias) ||
			    modules_has_driver(devs.fd, dev))
				continue;
			if (mods.have_db)
				moddb_match(&mods.db, alias, modules_count_match, &hits);
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

/* ---- the root's file system, loaded beside the disk drivers ----------
 * An image with one file system module (the small and --hostonly ones),
 * or any image booted with rootfstype= naming one type, or a generic one
 * with a hint (LAYOUT_FS_HINT: the type the root likely has):
 * on a machine with two CPUs or more, a child loads it and what it needs
 * while /init loads the disk's drivers and waits for the root, so that the
 * kernel links ext4, jbd2 and the rest (2.5 MB) meanwhile instead of
 * after.  What needs the file system waits for the child first.
 * An image with one stack (-M md, or --hostonly on such a root) has the
 * child load that stack's first module before the file system's: md_mod
 * is ready when the first member appears.  /init loading it too meanwhile
 * only waits for the child's load (the kernel links a module once). */
static int several_cpus(void)
{
	static int known, several;
	char buf[64];

	/* "0" on one CPU; "0-1", "0,2" ... on more */
	if (!known) {
		known = 1;
		several = read_file("/sys/devices/system/cpu/online", buf, sizeof(buf)) > 0 &&
			  strpbrk(buf, "-,") != NULL;
	}
	return several;
}

/* ---- modules loaded behind /init's back ------------------------------
 * On two CPUs or more, a child loads them while /init goes on (the file
 * system beside the disk drivers; an MD array's personality while the
 * helper reads the members); on one, /init loads them itself when needed.
 * What needs one and finds it not yet there either waits for the child's
 * load (loaded_beside; the kernel links a module once) or, through the
 * kernel's request, loads it again, to no harm. */
static void loading_mark(const char *name, int on)
{
	char path[sizeof(LOADING_DIR) + MODDB_NAME_MAX];

	if (!*name || strchr(name, '/') || path_fmt(path, sizeof(path), LOADING_DIR "/%s", name))
		return;
	if (!on) {
		unlink(path);
		return;
	}
	mkdir("/run/initkit", 0755);	/* EEXIST or not: the write says */
	mkdir(LOADING_DIR, 0755);
	write_file(path, "", 0);
}

/* Fork a loading child, LOADING_DIR/@name marking it if @name is not "":
 * 0 in the child, its pid in /init, -1 where /init is to load itself (one
 * CPU, no free slot, no fork). */
static pid_t child_fork(const char *name)
{
	pid_t pid;
	int i;

	for (i = 0; i < CHILDREN_MAX && children[i] > 0; i++)
		;
	if (i == CHILDREN_MAX || !several_cpus() || strlen(name) >= MODDB_NAME_MAX)
		return -1;
	loading_mark(name, 1);
	pid = fork();
	if (pid < 0) {
		loading_mark(name, 0);
		return -1;
	}
	if (pid == 0) {
		log_child();
		return 0;
	}
	children[i] = pid;
	strcpy(child_name[i], name);
	return pid;
}

void modules_reap_behind(int block)
{
	int i, reaped = 0;
	pid_t r;

	for (i = 0; i < CHILDREN_MAX; i++) {
		if (children[i] <= 0)
			continue;
		while ((r = waitpid(children[i], NULL, block ? 0 : WNOHANG)) < 0 && errno == EINTR)
			;
		if (r) {		/* done, or not ours to wait for any more */
			children[i] = 0;
			loading_mark(child_name[i], 0);
			reaped = 1;
		}
	}
	if (reaped)
		modules_mark_loaded();
}

void modules_load_behind(struct boot *b, const char *name, const char *why)
{
	pid_t pid;
	int i;

	modules_reap_behind(0);
	for (i = 0; i < CHILDREN_MAX; i++)	/* loading already: the same again */
		if (children[i] > 0 && !strcmp(child_name[i], name))
			return;
	pid = child_fork(name);
	if (pid == 0) {
		modules_load_name(b, name, why);
		loading_mark(name, 0);
		_exit(0);
	}
	if (pid < 0)
		modules_load_name(b, name, why);
}

static int first_match(int idx, int fixed, void *arg)
{
	*(int *)arg = idx;
	return 1;
}

void modules_load_fs_early(struct boot *b)
{
	const char *t = b->bp.rootfstype;
	char type[FSTYPE_MAX], alias[FSTYPE_MAX + 4];
	const char *core;
	int i, fs = -1, stack = -1;

	if (!mods.have_db)
		return;
	if (*t) {
		/* rootfstype= names one type: that one, whatever the image has */
		if (list_next(&t, type, sizeof(type)) > 0 && list_next(&t, alias, 1) < 0 &&
		    !path_fmt(alias, sizeof(alias), "fs-%s", type))
			moddb_match(&mods.db, alias, first_match, &fs);
	} else {
		for (i = 0; i < mods.db.nmod && fs != -2; i++)
			if (mods.is_fs[i] && mods.state[i] == ST_NONE)
				fs = fs < 0 ? i : -2;
		/* several: the type the image was told the root likely has */
		if (fs == -2 && read_file("/" LAYOUT_FS_HINT, type, sizeof(type)) > 0) {
			type[strcspn(type, "\n")] = '\0';
			fs = -1;
			if (!path_fmt(alias, sizeof(alias), "fs-%s", type))
				moddb_match(&mods.db, alias, first_match, &fs);
		}
	}
	core = actions_only_core(b);
	if (core && ((stack = moddb_find(&mods.db, core)) < 0 || mods.state[stack] != ST_NONE))
		stack = -1;
	if ((fs < 0 && stack < 0) || child_fork("") != 0)
		return;
	if (stack >= 0)
		modules_load_idx(b, stack, "beside the disk drivers");
	if (fs >= 0)
		modules_load_idx(b, fs, "beside the disk drivers");
	_exit(0);
}

static void fs_child_wait(void)
{
	long long t0 = uptime_us();

	if (!children_running())
		return;
	modules_reap_behind(1);
	timing.load_us += uptime_us() - t0;	/* waiting for them: loading */
}

int modules_preload_fs(struct boot *b)
{
	const char *t = b->bp.rootfstype;
	char type[FSTYPE_MAX];
	int i, n;

	fs_child_wait();
	if (!mods.have_db)
		return 0;
	if (*t) {
		/* only what the user said the root is */
		while ((n = list_next(&t, type, sizeof(type))) >= 0)
			if (n && modules_load_fs(b, type))
				return 1;
		return 0;
	}
	for (i = 0; i < mods.db.nmod; i++)
		if (mods.is_fs[i] && mods.state[i] == ST_NONE) {
			modules_load_idx(b, i, "preloaded while waiting");
			return 1;
		}
	return 0;
}

int modules_load_fs(struct boot *b, const char *type)
{
	char alias[FSTYPE_MAX + 4];

	fs_child_wait();
	/* A file system built into the kernel, or loaded already, costs
	 * nothing here: it has no alias in the image, or is marked loaded. */
	if (path_fmt(alias, sizeof(alias), "fs-%s", type))
		return 0;
	return modules_load_for(b, alias, NULL);
}

int modules_loaded(void)
{
	return mods.nloaded;
}
