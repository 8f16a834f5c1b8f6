/* stage_mount.c - stage "mount": mount the root and find its init */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "actions.h"
#include "init.h"
#include "log.h"
#include "modules.h"
#include "timeline.h"
#include "util.h"

#define FSLIST_MAX 4096

/* The kernel's order when init= is not given (init/main.c). */
static const char *const default_inits[] = {
	"/sbin/init", "/etc/init", "/bin/init", "/bin/sh",
};

/* Is @path executable inside @root?  Checked from inside a chroot so that
 * absolute symlinks (/sbin/init -> /lib/systemd/systemd) resolve as they
 * will after the switch; the saved fd brings us back out. */
static int exists_in_root(struct boot *b, const char *root, const char *path)
{
	int oldroot = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long long t0 = uptime_us(), c0 = cpu_us();
	int ok = 0;
	struct stat st;

	if (oldroot < 0)
		return 0;
	if (chroot(root) == 0) {
		ok = stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		     access(path, X_OK) == 0;
		if (fchdir(oldroot) < 0 || chroot(".") < 0)
			ok = -1;	/* cannot happen as root; be loud if it does */
		chdir("/");
	}
	close(oldroot);
	/* This reads the root's directories from the disk. */
	timing.lookup_us += uptime_us() - t0;
	timing.lookup_cpu_us += cpu_us() - c0;
	return ok;
}

static int try_mount(struct boot *b, const char *type, unsigned long flags)
{
	const char *data = b->bp.rootflags[0] ? b->bp.rootflags : NULL;
	long long t0 = uptime_us(), c0 = cpu_us();
	int r = mount(b->rootdev, NEWROOT, type, flags, data) == 0 ? 0 : -errno;

	timing.mount_cpu_us += cpu_us() - c0;
	timing.mount_us += uptime_us() - t0;
	return r;
}

/* Append "type (error)" to the list of what was tried. */
static void note_try(char *tried, size_t size, const char *type, int err)
{
	size_t o = strlen(tried);

	if (o < size)
		snprintf(tried + o, size - o, "%s%.32s (%s)", o ? ", " : "", type,
			 strerror(-err));
}

int stage_mount(struct boot *b)
{
	unsigned long flags = b->bp.ro == RO_RW ? 0 : MS_RDONLY;
	char types[FSLIST_MAX], tried[512] = "", type[FSTYPE_MAX];
	const char *t;
	int r = -ENODEV, mounted = 0, n;
	size_t i;

	mkdir(NEWROOT, 0755);
	if (b->root_ready) {
		mounted = 1;	/* the initrd image is the root */
		types[0] = '\0';
	} else if (b->bp.rootfstype[0]) {
		strcpy(types, b->bp.rootfstype);
	} else if (b->rootfs.type[0]) {
		strcpy(types, b->rootfs.type);
	} else {
		/* Unknown to our probes: try what the kernel can mount. */
		char fs[FSLIST_MAX];
		char *line, *nl;
		size_t o = 0;

		if (read_file("/proc/filesystems", fs, sizeof(fs)) < 0)
			fs[0] = '\0';
		types[0] = '\0';
		for (line = fs; *line; line = nl) {
			nl = strchr(line, '\n');
			if (nl)
				*nl++ = '\0';
			else
				nl = line + strlen(line);
			if (!strncmp(line, "nodev", 5))
				continue;
			while (*line == '\t' || *line == ' ')
				line++;
			if (*line && o + strlen(line) + 2 < sizeof(types))
				o += snprintf(types + o, sizeof(types) - o, "%s%s",
					      o ? "," : "", line);
		}
	}

	for (t = types; !mounted && (n = list_next(&t, type, sizeof(type))) >= 0;) {
		if (!n)
			continue;
		modules_load_fs(b, type);
		r = try_mount(b, type, flags);
		if (r == 0) {
			mounted = 1;
			log_msg(L_INFO, "mount: %s on %s as %s (%s)", b->rootdev, NEWROOT,
				type, flags & MS_RDONLY ? "ro" : "rw");
		} else {
			note_try(tried, sizeof(tried), type, r);
		}
	}
	if (!mounted) {
		if (!tried[0])
			return fail(b, -ENODEV, "%s appeared but no filesystem type was "
				    "found to mount it; set rootfstype=", b->rootdev);
		return fail(b, r, "%s appeared but would not mount; tried %s. "
			    "Check rootfstype= and rootflags=, that the image has the "
			    "filesystem's module (-M ext4 ...), and fsck the disk",
			    b->rootdev, tried);
	}
	actions_event("root", NEWROOT);

	/* The real init: init= or the kernel's list. */
	if (b->bp.init[0]) {
		if (exists_in_root(b, NEWROOT, b->bp.init) == 1) {
			strcpy(b->init_path, b->bp.init);
			return 0;
		}
		return fail(b, -ENOENT, "mounted %s but init=%s is not an executable "
			    "file in it; fix init= or the root filesystem",
			    b->rootdev, b->bp.init);
	}
	for (i = 0; i < sizeof(default_inits) / sizeof(default_inits[0]); i++) {
		if (exists_in_root(b, NEWROOT, default_inits[i]) == 1) {
			strcpy(b->init_path, default_inits[i]);
			return 0;
		}
	}
	return fail(b, -ENOENT, "mounted %s but it has no init (tried /sbin/init, "
		    "/etc/init, /bin/init, /bin/sh); is root= the right filesystem? "
		    "Pass init=/path if it lives elsewhere", b->rootdev);
}
