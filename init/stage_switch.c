/* stage_switch.c - stage "switch": hand over to the real root's init.
 *
 * Checks before it destroys: PID 1, / is ramfs or tmpfs, the new root is a
 * different filesystem, its init exists (checked in stage "mount").  Then
 * moves the API mounts into the new root, empties the initramfs without
 * crossing mount points, moves the new root over / and execs the init. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include "init.h"
#include "log.h"
#include "rmtree.h"
#include "util.h"

#define RAMFS_MAGIC 0x858458f6
#define TMPFS_MAGIC 0x01021994

static const char *const moved_mounts[] = { "/dev", "/proc", "/sys", "/run" };

int stage_switch(struct boot *b)
{
	struct stat root_st, new_st;
	struct statfs sfs;
	char target[64];
	int rootfd;
	size_t i;

	if (!b->is_pid1)
		return fail(b, -EPERM, "not running as PID 1: cannot switch root");
	if (statfs("/", &sfs) < 0)
		return fail(b, -errno, "statfs(/): %s", strerror(errno));
	if ((unsigned long)sfs.f_type != RAMFS_MAGIC &&
	    (unsigned long)sfs.f_type != TMPFS_MAGIC)
		return fail(b, -EINVAL, "/ is not the initramfs (ramfs/tmpfs): "
			    "refusing to delete it");
	if (stat("/", &root_st) < 0 || stat(NEWROOT, &new_st) < 0)
		return fail(b, -errno, "stat: %s", strerror(errno));
	if (root_st.st_dev == new_st.st_dev)
		return fail(b, -EINVAL, "%s is not mounted (same device as /)", NEWROOT);

	for (i = 0; i < sizeof(moved_mounts) / sizeof(moved_mounts[0]); i++) {
		if (path_fmt(target, sizeof(target), NEWROOT "%s", moved_mounts[i]))
			continue;
		if (mount(moved_mounts[i], target, NULL, MS_MOVE, NULL) < 0) {
			log_msg(L_WARN, "switch: cannot move %s to %s (%s); unmounting it",
				moved_mounts[i], target, strerror(errno));
			umount2(moved_mounts[i], MNT_DETACH);
		}
	}

	rootfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd >= 0) {
		int r = rmtree_contents(rootfd, root_st.st_dev);

		if (r)
			log_msg(L_WARN, "switch: could not free all of the initramfs: %s",
				strerror(-r));
		close(rootfd);
	}

	if (chdir(NEWROOT) < 0)
		return fail(b, -errno, "chdir(%s): %s", NEWROOT, strerror(errno));
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return fail(b, -errno, "moving %s over /: %s", NEWROOT, strerror(errno));
	if (chroot(".") < 0 || chdir("/") < 0)
		return fail(b, -errno, "chroot into the new root: %s", strerror(errno));

	log_msg(L_DEBUG, "switch: exec %s", b->init_path);
	b->argv[0] = b->init_path;
	execv(b->init_path, b->argv);
	/* The initramfs is gone: nothing to go back to but a clear message. */
	return fail(b, -errno, "exec %s: %s", b->init_path, strerror(errno));
}
