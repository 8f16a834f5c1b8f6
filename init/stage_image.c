/* stage_image.c - stages "image" and "initrd": the legacy image-initrd
 * flow, done in userspace for kernels that cannot (their ramdisk driver is
 * a module, or Linux >= 7.0).
 *
 * The cpio front carries /initrd.image, a filesystem image.  As the kernel
 * once did (init/do_mounts_initrd.c): put it in a block device (a loop
 * device here), mount it on /initrd, run its /linuxrc chrooted there, take
 * the root it names through /proc/sys/kernel/real-root-dev (or the file
 * /real-root-dev in the image where that sysctl does not exist), else the
 * root= of the command line; and once the real root is mounted, move the
 * image to its /initrd if there is one, else release it.  root=/dev/ram0
 * means the image is the root. */
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include "init.h"
#include "layout.h"
#include "log.h"
#include "timeline.h"
#include "util.h"

#define IMAGE_FILE   "/" LAYOUT_INITRD
#define IMAGE_MNT    "/initrd"
#define REAL_ROOT_DEV "/proc/sys/kernel/real-root-dev"

static const char *const child_mounts[] = {
	IMAGE_MNT "/dev", IMAGE_MNT "/proc", IMAGE_MNT "/sys", IMAGE_MNT "/run",
};

static int attach_loop(struct boot *b)
{
	int ctl, n, img, r = 0;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return fail(b, -errno, "cannot open /dev/loop-control (%s): the image "
			    "needs the loop driver in the front (-m loop)", strerror(errno));
	n = ioctl(ctl, LOOP_CTL_GET_FREE, NULL);
	close(ctl);
	if (n < 0)
		return fail(b, -errno, "no free loop device: %s", strerror(errno));
	if (path_fmt(b->loopdev, sizeof(b->loopdev), "/dev/loop%d", n))
		return fail(b, -ENAMETOOLONG, "loop device name");
	b->loopfd = open(b->loopdev, O_RDWR | O_CLOEXEC);
	if (b->loopfd < 0)
		return fail(b, -errno, "%s: %s", b->loopdev, strerror(errno));
	img = open(IMAGE_FILE, O_RDWR | O_CLOEXEC);
	if (img < 0)
		return fail(b, -errno, IMAGE_FILE ": %s", strerror(errno));
	if (ioctl(b->loopfd, LOOP_SET_FD, (void *)(long)img) < 0)
		r = fail(b, -errno, "attaching " IMAGE_FILE " to %s: %s", b->loopdev,
			 strerror(errno));
	close(img);
	return r;
}

/* Run the image's /linuxrc chrooted in it; 0 when it exited 0. */
static int run_linuxrc(struct boot *b)
{
	static char *const argv[] = { "/linuxrc", NULL };
	static char *const envp[] = {
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/", "TERM=linux", NULL,
	};
	pid_t pid;
	int status;
	size_t i;

	long long t0 = uptime_us();

	log_msg(L_INFO, "image: running /linuxrc of the initrd image");
	pid = fork();
	if (pid < 0)
		return fail(b, -errno, "fork: %s", strerror(errno));
	if (pid == 0) {
		if (chroot(IMAGE_MNT) < 0 || chdir("/") < 0)
			_exit(126);
		execve("/linuxrc", argv, envp);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return fail(b, -errno, "waitpid: %s", strerror(errno));
	timing.hooks_us += uptime_us() - t0;	/* the user's program, not ours */
	/* what it mounted inside the image is its business no more */
	for (i = 0; i < sizeof(child_mounts) / sizeof(child_mounts[0]); i++)
		umount2(child_mounts[i], MNT_DETACH);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return fail(b, -ECHILD, "/linuxrc of the initrd image failed with exit "
			    "status %d%s; see its messages above. Fix it, or boot with "
			    "break=premount to try it by hand", WEXITSTATUS(status),
			    WEXITSTATUS(status) == 127 ? " (it could not be run)" : "");
	return fail(b, -ECHILD, "/linuxrc of the initrd image was killed by signal %d",
		    WTERMSIG(status));
}

/* The root /linuxrc named, as the kernel encodes it (new_encode_dev). */
static unsigned long named_root(void)
{
	char buf[32];
	unsigned long v = 0;
	char *p;

	if (read_file(REAL_ROOT_DEV, buf, sizeof(buf)) <= 0 &&
	    read_file(IMAGE_MNT "/real-root-dev", buf, sizeof(buf)) <= 0)
		return 0;
	for (p = buf; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (unsigned long)(*p - '0');
	return v;
}

int stage_image(struct boot *b)
{
	struct stat st;
	unsigned long v;
	int r;

	if (!b->is_pid1 || stat(IMAGE_FILE, &st) < 0)
		return 0;	/* an ordinary initramfs */
	if (!b->image) {
		r = attach_loop(b);
		if (r)
			return r;
		mkdir(IMAGE_MNT, 0755);
		if (mount(b->loopdev, IMAGE_MNT, "ext2", 0, NULL) < 0 &&
		    mount(b->loopdev, IMAGE_MNT, "ext4", 0, NULL) < 0)
			return fail(b, -errno, "cannot mount the initrd image (%s on %s): "
				    "%s; is it an ext2 image, and is its driver in the "
				    "front?", b->loopdev, IMAGE_MNT, strerror(errno));
		b->image = 1;
		log_msg(L_INFO, "image: " IMAGE_FILE " is mounted on " IMAGE_MNT
			" from %s", b->loopdev);
	}

	/* root=/dev/ram0: the image is the root, as in the kernel's flow */
	if (b->rs.kind == ROOT_PATH && !strcmp(b->rs.value, "/dev/ram0")) {
		mkdir(NEWROOT, 0755);
		if (mount(IMAGE_MNT, NEWROOT, NULL, MS_MOVE, NULL) < 0)
			return fail(b, -errno, "moving the image to %s: %s", NEWROOT,
				    strerror(errno));
		strcpy(b->rootdev, b->loopdev);
		strcpy(b->rootfs.type, "ext2");
		b->root_ready = 1;
		b->image = 0;
		return 0;
	}

	if (access(IMAGE_MNT "/linuxrc", X_OK) < 0) {
		log_msg(L_WARN, "image: the initrd image has no /linuxrc; using root=%s",
			b->bp.root);
		return 0;
	}
	write_file(REAL_ROOT_DEV, "0\n", 2);	/* so that we see whether it wrote */
	unlink(IMAGE_MNT "/real-root-dev");
	r = run_linuxrc(b);
	if (r)
		return r;
	v = named_root();
	if (v) {
		unsigned int ma = (unsigned int)((v & 0xfff00) >> 8);
		unsigned int mi = (unsigned int)((v & 0xff) | ((v >> 12) & 0xfff00));

		memset(&b->rs, 0, sizeof(b->rs));
		b->rs.kind = ROOT_DEVNUM;
		b->rs.major = ma;
		b->rs.minor = mi;
		snprintf(b->rs.value, sizeof(b->rs.value), "%u:%u", ma, mi);
		snprintf(b->bp.root, sizeof(b->bp.root), "%u:%u", ma, mi);
		log_msg(L_INFO, "image: /linuxrc named %u:%u as the root", ma, mi);
	} else if (!b->bp.root[0]) {
		return fail(b, -EINVAL, "/linuxrc named no root (real-root-dev) and "
			    "there is no root= either");
	} else {
		log_msg(L_INFO, "image: /linuxrc named no root; using root=%s", b->bp.root);
	}
	return 0;
}

int stage_initrd_place(struct boot *b)
{
	struct stat st;

	if (!b->image)
		return 0;
	if (stat(NEWROOT IMAGE_MNT, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (mount(IMAGE_MNT, NEWROOT IMAGE_MNT, NULL, MS_MOVE, NULL) == 0) {
			log_msg(L_INFO, "image: the initrd image stays mounted on /initrd");
			return 0;
		}
		log_msg(L_WARN, "image: cannot move it to the root's /initrd (%s); "
			"releasing it", strerror(errno));
	}
	if (umount2(IMAGE_MNT, 0) < 0)
		umount2(IMAGE_MNT, MNT_DETACH);
	ioctl(b->loopfd, LOOP_CLR_FD, NULL);
	unlink(IMAGE_FILE);
	log_msg(L_INFO, "image: released the initrd image");
	return 0;
}
