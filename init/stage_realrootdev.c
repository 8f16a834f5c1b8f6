/* stage_realrootdev.c - stage "real-root-dev", as /linuxrc (image-initrd,
 * not PID 1): the root's device number goes to
 * /proc/sys/kernel/real-root-dev and we exit, so that the kernel mounts it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include "init.h"
#include "log.h"
#include "modules.h"
#include "util.h"

int stage_realrootdev(struct boot *b)
{
	char num[16];
	unsigned int ma = major(b->rootdevnum), mi = minor(b->rootdevnum);
	/* new_encode_dev(), as the kernel reads real-root-dev */
	unsigned int v = (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
	int r, n = snprintf(num, sizeof(num), "%u\n", v);

	/* the kernel mounts it: its file system must be there */
	if (b->rootfs.type[0])
		modules_load_fs(b, b->rootfs.type);
	r = write_file("/proc/sys/kernel/real-root-dev", num, (size_t)n);
	if (r == -ENOENT)	/* no such sysctl: the file our image flow reads */
		r = write_file("/real-root-dev", num, (size_t)n);
	if (r)
		return fail(b, r, "cannot write /proc/sys/kernel/real-root-dev: %s",
			    strerror(-r));
	log_msg(L_INFO, "linuxrc: real root is %s (%u:%u)", b->rootdev, ma, mi);
	/* leave the image unmountable: the kernel moves it to the root's
	 * /initrd or unmounts it after we exit */
	unmount_api(b);
	return 0;
}
