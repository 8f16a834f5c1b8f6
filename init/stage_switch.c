/* stage_switch.c - stage "switch": hand over to the real root's init.
 *
 * Checks before it destroys: PID 1, / is ramfs or tmpfs, the new root is a
 * different filesystem, its init exists (checked in stage "mount").  Then
 * moves the API mounts into the new root, starts the emptying of the
 * initramfs (never crossing mount points) at idle priority, moves the new
 * root over / and execs the init. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include "init.h"
#include "log.h"
#include "rmtree.h"
#include "util.h"

#ifndef SCHED_IDLE
#define SCHED_IDLE 5	/* linux/sched.h; klibc's sched.h lacks it */
#endif
#define FREE_FD     3
#define RAMFS_MAGIC 0x858458f6
#define TMPFS_MAGIC 0x01021994

static const char *const moved_mounts[] = { "/dev", "/proc", "/sys", "/run" };

/* The initramfs is emptied by a process of its own at idle priority
 * (switch_free_main below): the root's init need not wait for a few MB of
 * pages to be given back, 8 ms on one slow CPU, and they are given back as
 * soon as the CPU has nothing better to do.  vfork and exec, not fork: a
 * copy of PID 1's page tables costs more than the exec.  Returns 0 if the
 * process is on its way. */
static int free_behind(int rootfd)
{
	static char *const argv[] = { FREE_ARGV0, NULL };
	static char *const envp[] = { NULL };
	struct sched_param sp = { 0 };
	int st;
	pid_t pid = vfork();

	if (pid == 0) {
		/* FREE_FD open across exec, whichever it is now */
		if (rootfd == FREE_FD ? fcntl(FREE_FD, F_SETFD, 0) == 0 :
		    dup2(rootfd, FREE_FD) == FREE_FD) {
			sched_setscheduler(0, SCHED_IDLE, &sp);
			execve("/init", argv, envp);
		}
		_exit(127);
	}
	/* it has run exec or exited by now: did it fail? */
	return pid < 0 || waitpid(pid, &st, WNOHANG) == pid ? -1 : 0;
}

/* Empty the initramfs, directory @fd on device @dev, never crossing into
 * other file systems (the new root may still be mounted below it). */
static int free_now(int fd, dev_t dev)
{
	int r = rmtree_contents(fd, dev);

	if (r)
		log_msg(L_WARN, "switch: could not free all of the initramfs: %s",
			strerror(-r));
	return r ? 1 : 0;
}

/* /init run as FREE_ARGV0 by free_behind: empty the directory on fd
 * FREE_FD, which must be a ramfs or tmpfs. */
int switch_free_main(void)
{
	struct statfs sfs;
	struct stat st;

	if (getpid() == 1 || fstatfs(FREE_FD, &sfs) < 0 || fstat(FREE_FD, &st) < 0 ||
	    !S_ISDIR(st.st_mode) || ((unsigned long)sfs.f_type != RAMFS_MAGIC &&
				     (unsigned long)sfs.f_type != TMPFS_MAGIC)) {
		log_msg(L_ERR, "%s: only for /init's switch to the root: empties the "
			"initramfs on fd %d", FREE_ARGV0, FREE_FD);
		return 2;
	}
	return free_now(FREE_FD, st.st_dev);
}

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
		if (free_behind(rootfd) < 0)
			free_now(rootfd, root_st.st_dev);	/* no helper: now, then */
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
