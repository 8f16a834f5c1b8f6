/* md_main.c - the MD RAID action: LAYOUT_HELPERS/md, run by /init for each
 * device whose probe says linux_raid_member (actions.h), with mdadm
 * --incremental's rules (lib/md.h):
 *
 *   md add /dev/NAME...  note each member; once every role of its array
 *                     has a member, start the array (rd.md.uuid= limits
 *                     which); /init gives all the members it has found
 *   md late           after the stack wait: start degraded the arrays
 *                     that can run without their missing members
 *   md final          at the root deadline: name the arrays not started
 *                     and the members they miss
 *
 * rd.md=0 is /init's (actions.c): the helper is not run at all.
 *
 * Nothing is written before late but by the kernel starting a complete
 * array (it may update the superblocks, as with mdadm): a degraded start,
 * which marks the missing member out of date for good, waits until resume=
 * has had its chance (/init runs late only then).
 *
 * State between calls, in /run/initkit/md/UUID/: one file per member,
 * named MAJ:MIN, holding "/dev/NAME ROLE EVENTS"; "running" holding mdN
 * once the array is started.  The superblocks are read again from the
 * members at each call: the array is rebuilt from what the disks say, not
 * from a copy of it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/major.h>
#include <linux/raid/md_u.h>
#include "cmdline.h"
#include "dm.h"
#include "init.h"
#include "log.h"
#include "layout.h"
#include "md.h"
#include "util.h"

#define STATE      "/run/initkit/md"
#define NEW_ARRAY  "/sys/module/md_mod/parameters/new_array"
#define ERR_MAX    256
#define UUIDS_MAX  1024
#define DIR_MAX    (sizeof(STATE) + MD_UUID_STR + 1)
#define FILE_MAX   (DIR_MAX + MD_MAJMIN_MAX + 8)

/* rd.md.uuid=, as often as given: "a\0b\0" */
static char want[UUIDS_MAX];
static size_t want_len;

static int take(char *param, char *val, void *arg)
{
	size_t n;

	(void)arg;
	if (strcmp(param, "rd.md.uuid") || !val || !*val)
		return 0;
	n = strlen(val) + 1;
	if (want_len + n <= UUIDS_MAX) {
		memcpy(want + want_len, val, n);
		want_len += n;
	}
	return 0;
}

/* rd.md.uuid= into want[]; returns the stack wait in seconds, as /init
 * computed it from the same command line. */
static long read_cmdline(void)
{
	static char buf[CMDLINE_MAX], copy[CMDLINE_MAX];
	static struct boot_params bp;
	char ignored[64];
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC), q;
	ssize_t n;

	bp.rootdelay = -1;
	if (fd < 0)
		return stack_wait_ms(&bp) / 1000;
	n = cmdline_read(fd, buf, sizeof(buf), ignored, sizeof(ignored));
	close(fd);
	if (n < 0)
		return stack_wait_ms(&bp) / 1000;
	memcpy(copy, buf, (size_t)n + 1);
	cmdline_each(buf, take, NULL, &q);
	cmdline_parse(copy, &bp);
	return stack_wait_ms(&bp) / 1000;
}

static int wanted(const uint8_t uuid[16])
{
	const char *p;

	if (!want_len)
		return 1;
	for (p = want; p < want + want_len; p += strlen(p) + 1)
		if (md_uuid_match(uuid, p))
			return 1;
	return 0;
}

/* The superblock of the device at @path, with its number.  Where several
 * versions parse (a disk re-used), the newest ctime wins, as mdadm's
 * guess_super().  0, -ENOENT (none), or -errno with @err saying why. */
static int read_member(const char *path, struct md_member *m, dev_t *dev, char *err,
		       size_t errlen)
{
	static uint8_t buf[MD_SB_READ];
	uint64_t off[4], size;
	struct md_member c;
	struct stat st;
	int fd, i, r = -ENOENT, found = 0;

	err[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = -errno;
		snprintf(err, errlen, "%s", strerror(-r));
		if (fd >= 0)
			close(fd);
		return r;
	}
	*dev = st.st_rdev;
	size = (uint64_t)lseek(fd, 0, SEEK_END);
	md_sb_offsets(size, off);
	for (i = 0; i < 4; i++) {
		char e[ERR_MAX];
		ssize_t n;
		int p;

		if (off[i] == MD_NO_OFFSET)
			continue;
		n = pread(fd, buf, MD_SB_READ, (off_t)off[i]);
		if (n <= 0)
			continue;
		p = md_sb_parse(buf, (size_t)n, off[i], size, &c, e, sizeof(e));
		if (!p && (!found || c.ctime > m->ctime)) {
			*m = c;
			found = 1;
		} else if (p && p != -ENOENT && r == -ENOENT) {
			r = p;
			snprintf(err, errlen, "%s", e);
		}
	}
	close(fd);
	return found ? 0 : r;
}

static void array_dir(char *dir, const uint8_t uuid[16])
{
	char u[MD_UUID_STR];

	md_uuid_str(uuid, u);
	path_fmt(dir, DIR_MAX, STATE "/%s", u);
}

/* The array's name for messages: its /dev/md/ link name, or its uuid. */
static void array_name(const struct md_member *sb, char out[MD_UUID_STR])
{
	char l[MD_NAME_MAX];

	if (sb->major_version == 0)	/* /dev/md/0 is better called md0 */
		snprintf(out, MD_UUID_STR, "md%d", sb->preferred_minor);
	else if (md_link_name(sb, l))
		md_uuid_str(sb->uuid, out);
	else
		snprintf(out, MD_UUID_STR, "%s", l);
}

/* Rebuild the array of @dir from its members' superblocks; @skip (a
 * MAJ:MIN, or NULL) is left out.  Returns the members read. */
static int rebuild(const char *dir, struct md_array *a, const char *skip)
{
	struct dir_iter d;
	const char *name;
	char f[FILE_MAX], line[128], err[ERR_MAX];
	struct md_member m;
	dev_t dev;
	int n = 0;

	memset(a, 0, sizeof(*a));
	if (dir_open(&d, AT_FDCWD, dir))
		return 0;
	while ((name = dir_next(&d, NULL))) {
		if (!strcmp(name, "running") || (skip && !strcmp(name, skip)) ||
		    path_fmt(f, sizeof(f), "%s/%s", dir, name) ||
		    read_file(f, line, sizeof(line)) <= 0)
			continue;
		line[strcspn(line, " \n")] = '\0';
		if (read_member(line, &m, &dev, err, sizeof(err)))
			continue;	/* gone or changed: not a member now */
		if (!md_array_add(a, &m, name))
			n++;
	}
	dir_close(&d);
	return n;
}

/* "mdN" if the array of @dir is started, else "". */
static void running(const char *dir, char out[16])
{
	char f[FILE_MAX];

	out[0] = '\0';
	if (!path_fmt(f, sizeof(f), "%s/running", dir) && read_file(f, out, 16) > 0)
		out[strcspn(out, "\n")] = '\0';
}

/* md_mod is loaded on demand (modules.d/md): ask /init, our modprobe. */
static void load_md_mod(void)
{
	char *argv[] = { "/sbin/modprobe", "-q", "md_mod", NULL };
	char *envp[] = { NULL };
	struct stat st;
	pid_t pid;
	int status;

	if (stat(NEW_ARRAY, &st) == 0)
		return;
	pid = fork();
	if (pid == 0) {
		execve(argv[0], argv, envp);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
}

/* If /init has a child loading the personality of @level (layout.h,
 * LOADING_DIR), wait for it, 10 s at most: starting the array meanwhile
 * would have the kernel run /sbin/modprobe for it, one more exec of /init,
 * which would only wait for the same load. */
static void personality_wait(int level)
{
	char path[sizeof(LOADING_DIR) + 24];
	struct stat st;
	int i;

	snprintf(path, sizeof(path), LOADING_DIR "/md-level-%d", level);
	for (i = 0; i < 10000 && stat(path, &st) == 0; i++)
		usleep(1000);
}

/* The minors of the md devices there are: bit N of byte N / 8. */
static void used_minors(uint8_t used[MD_MINORS / 8])
{
	struct dir_iter d;
	const char *name;

	memset(used, 0, MD_MINORS / 8);
	if (dir_open(&d, AT_FDCWD, "/sys/block"))
		return;
	while ((name = dir_next(&d, NULL))) {
		char *end;
		long n;

		if (strncmp(name, "md", 2) || name[2] < '0' || name[2] > '9')
			continue;
		n = strtol(name + 2, &end, 10);
		if (!*end && n >= 0 && n < MD_MINORS)
			used[n / 8] |= (uint8_t)(1 << (n % 8));
	}
	dir_close(&d);
}

/* The links udev's 63-md-raid-arrays.rules would make, and its database
 * entry: systemd in the real root then sees a device udev knows. */
static void announce(const struct md_member *sb, int minor)
{
	char link[MD_NAME_MAX], path[64 + MD_NAME_MAX], target[16], buf[512];
	int have_link = !md_link_name(sb, link), n;

	snprintf(target, sizeof(target), "../md%d", minor);
	if (have_link && !mkdirs("/dev/md", 0755)) {
		snprintf(path, sizeof(path), "/dev/md/%s", link);
		unlink(path);
		symlink(target, path);
		/* root=/dev/md/HOST:NAME names it too (mdadm's full name) */
		if (sb->major_version && strchr(sb->name, ':') &&
		    !strchr(sb->name, '/') && strcmp(sb->name, link)) {
			snprintf(path, sizeof(path), "/dev/md/%s", sb->name);
			unlink(path);
			symlink(target, path);
		}
	}
	n = md_udev_entry(sb, have_link ? link : NULL, uptime_us(), buf, sizeof(buf));
	if (n > 0 && !mkdirs("/run/udev/data", 0755)) {
		snprintf(path, sizeof(path), "/run/udev/data/b%d:%d", MD_MAJOR, minor);
		write_file(path, buf, (size_t)n);
	}
}

/* Start @a as mdadm does for 0.90 and 1.x metadata (lib/md.h, step 4):
 * make mdN, tell it the metadata version, hand it the members, run it.
 * Returns the minor, or -errno with @err saying which step failed. */
static int start(const struct md_array *a, char *err, size_t errlen)
{
	const struct md_slot *devs[MD_DISKS_MAX + MD_EXTRA_MAX];
	uint8_t used[MD_MINORS / 8];
	mdu_array_info_t ai;
	mdu_disk_info_t di;
	char name[16], node[24];
	const char *step;
	int minor, fd, i = 0, n, r;

	load_md_mod();
	used_minors(used);
	minor = md_choose_minor(&a->sb, used);
	if (minor < 0) {
		snprintf(err, errlen, "no free md device number");
		return minor;
	}
	snprintf(name, sizeof(name), "md%d", minor);
	snprintf(node, sizeof(node), "/dev/%s", name);
	r = write_file(NEW_ARRAY, name, strlen(name));
	if (r && r != -EEXIST) {
		snprintf(err, errlen, "cannot make %s: %s: %s (is md_mod in the image?)",
			 name, NEW_ARRAY, strerror(-r));
		return r;
	}
	/* devtmpfs has made the node; make it if /dev is not devtmpfs */
	if (mknod(node, S_IFBLK | 0600, makedev(MD_MAJOR, minor)) < 0 && errno != EEXIST) {
		r = -errno;
		snprintf(err, errlen, "cannot make %s: %s", node, strerror(-r));
		return r;
	}
	fd = open(node, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot open %s: %s", node, strerror(-r));
		return r;
	}
	step = "SET_ARRAY_INFO";
	md_ioctl_array(a, &ai);
	if (ioctl(fd, SET_ARRAY_INFO, &ai) < 0)
		goto fail;
	step = "ADD_NEW_DISK";
	n = md_array_devices(a, devs, MD_DISKS_MAX + MD_EXTRA_MAX);
	for (i = 0; i < n; i++) {
		md_ioctl_disk(devs[i], &di);
		if (ioctl(fd, ADD_NEW_DISK, &di) < 0)
			goto fail;
	}
	step = "RUN_ARRAY";
	personality_wait(a->sb.level);
	if (ioctl(fd, RUN_ARRAY, NULL) < 0)
		goto fail;
	close(fd);
	return minor;
fail:
	r = -errno;
	snprintf(err, errlen, "%s: %s %s: %s (the kernel log says why)", name, step,
		 step[0] == 'A' ? devs[i]->majmin : "", strerror(-r));
	ioctl(fd, STOP_ARRAY, NULL);	/* so that a later try starts afresh */
	close(fd);
	return r;
}

/* Start the array of @dir, noting it as running; @how: "" or "degraded". */
static int assemble(const char *dir, const struct md_array *a, const char *how)
{
	char err[ERR_MAX], nm[MD_UUID_STR], f[FILE_MAX], name[16];
	int missing[1], minor;
	int nmiss = md_array_missing(a, missing, 1);

	array_name(&a->sb, nm);
	minor = start(a, err, sizeof(err));
	if (minor < 0) {
		log_msg(L_ERR, "md: cannot start %s: %s", nm, err);
		return 1;
	}
	snprintf(name, sizeof(name), "md%d\n", minor);
	if (!path_fmt(f, sizeof(f), "%s/running", dir))
		write_file(f, name, strlen(name));
	announce(&a->sb, minor);
	log_msg(L_INFO, "md: assembled md%d (%s, %s, %d of %d members%s%s)", minor, nm,
		md_level_str(a->sb.level), a->sb.raid_disks - nmiss, a->sb.raid_disks,
		how[0] ? ", " : "", how);
	return 0;
}

static int add(const char *path)
{
	char err[ERR_MAX], dir[DIR_MAX], f[FILE_MAX], majmin[MD_MAJMIN_MAX], line[128];
	char nm[MD_UUID_STR], md[16], miss[MD_MISSING_STR];
	static struct md_array a;
	struct md_member m;
	dev_t dev;
	int r;

	r = read_member(path, &m, &dev, err, sizeof(err));
	if (r == -ENOENT)
		return 0;	/* the probe saw one the parser does not: say nothing */
	if (r) {
		log_msg(L_WARN, "md: %s: %s; not assembled", path, err);
		return 1;
	}
	array_name(&m, nm);
	if (!wanted(m.uuid)) {
		md_uuid_str(m.uuid, f);
		log_msg(L_INFO, "md: %s: array %s (uuid %s) is not one of rd.md.uuid=; left "
			"alone", path, nm, f);
		return 0;
	}
	array_dir(dir, m.uuid);
	snprintf(majmin, sizeof(majmin), "%u:%u", major(dev), minor(dev));
	running(dir, md);
	if (md[0]) {
		/* Not hot-added: after a degraded start it is out of date, and
		 * bringing it back means a resync, the administrator's call
		 * (mdadm --incremental, too, re-adds only with a bitmap). */
		log_msg(L_WARN, "md: %s: member %d of %s came after %s started; not added "
			"(mdadm /dev/%s --re-add %s once booted)", path, m.role, nm, md, md,
			path);
		return 0;
	}
	if (mkdirs(dir, 0755) || path_fmt(f, sizeof(f), "%s/%s", dir, majmin))
		return 1;
	rebuild(dir, &a, majmin);
	r = md_array_add(&a, &m, majmin);
	if (r == -ESTALE || r == -ENODEV) {
		log_msg(L_WARN, "md: %s: %s member of %s (events %llu); not used (mdadm "
			"--re-add it once booted)", path, r == -ESTALE ? "an out-of-date" :
			"a faulty", nm, (unsigned long long)m.events);
		return 0;
	}
	if (r) {
		log_msg(L_WARN, "md: %s: does not fit array %s: %s; not used", path, nm,
			r == -ENOSPC ? "too many spares" : "its metadata version, level, "
			"layout or size differs from the other members'");
		return 0;
	}
	snprintf(line, sizeof(line), "%s %d %llu\n", path, m.role, (unsigned long long)m.events);
	write_file(f, line, strlen(line));
	if (md_array_complete(&a))
		return assemble(dir, &a, "");
	md_missing_str(&a, miss);
	log_msg(L_INFO, "md: %s: member %d of array %s (%s); waiting for %s", path, m.role, nm,
		md_level_str(a.sb.level), miss);
	return 0;
}

/* late (@late 1): start degraded what can run; final: say what is not
 * running. */
static int each_array(int late, long wait_s)
{
	static struct md_array a;
	char dir[DIR_MAX], md[16], nm[MD_UUID_STR], miss[MD_MISSING_STR];
	struct dir_iter d;
	const char *name;
	int r = 0;

	if (dir_open(&d, AT_FDCWD, STATE))
		return 0;
	while ((name = dir_next(&d, NULL))) {
		if (path_fmt(dir, sizeof(dir), STATE "/%s", name))
			continue;
		running(dir, md);
		if (md[0] || !rebuild(dir, &a, NULL))
			continue;
		array_name(&a.sb, nm);
		md_missing_str(&a, miss);
		if (late && md_array_complete(&a)) {
			r |= assemble(dir, &a, "");	/* an earlier start failed */
		} else if (late && md_array_runnable_degraded(&a)) {
			log_msg(L_WARN, "md: starting %s degraded: %s missing after the %ld s "
				"stack wait", nm, miss, wait_s);
			r |= assemble(dir, &a, "degraded");
		} else if (late) {
			log_msg(L_WARN, "md: %s (%s): %s missing; it cannot run without them: "
				"not started", nm, md_level_str(a.sb.level), miss);
		} else {
			log_msg(L_ERR, "md: %s (%s, uuid %s) not started: %s missing; are "
				"their disks attached, their drivers in the image?", nm,
				md_level_str(a.sb.level), name, miss);
		}
	}
	dir_close(&d);
	return r;
}

int main(int argc, char **argv)
{
	log_open("/dev/kmsg", "/dev/console");
	if (argc >= 3 && !strcmp(argv[1], "add")) {
		int i, r = 0;

		read_cmdline();
		for (i = 2; i < argc; i++)	/* /init gives the members it has */
			r |= add(argv[i]);
		return r;
	}
	if (argc == 2 && !strcmp(argv[1], "late"))
		return each_array(1, read_cmdline());
	if (argc == 2 && !strcmp(argv[1], "final"))
		return each_array(0, 0);
	if (argc == 3 && !strcmp(argv[1], "root"))
		return 0;	/* nothing to fit to the root */
	log_msg(L_ERR, "md: usage: md add /dev/NAME... | late | final | root DIR");
	return 2;
}
