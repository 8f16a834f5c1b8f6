/* stage_mounts.c - stage "mounts": the API filesystems /init and hooks
 * need; then "mounts-done": with /dev there, the log and the uevent socket. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "init.h"
#include "layout.h"
#include "log.h"
#include "timeline.h"
#include "uevent_sock.h"
#include "util.h"

static const struct {
	const char *src, *dir, *type, *opts;
	unsigned long flags;
} api_mounts[] = {
	{ "devtmpfs", "/dev", "devtmpfs", "mode=0755", MS_NOSUID },
	{ "proc", "/proc", "proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC },
	{ "sysfs", "/sys", "sysfs", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC },
	{ "tmpfs", "/run", "tmpfs", "mode=0755,size=10%", MS_NOSUID | MS_NODEV },
};

void unmount_api(struct boot *b)
{
	int i;

	for (i = (int)(sizeof(api_mounts) / sizeof(api_mounts[0])) - 1; i >= 0; i--)
		if (b->api_mounted & (1u << i))
			umount2(api_mounts[i].dir, MNT_DETACH);
	b->api_mounted = 0;
}

int stage_mounts(struct boot *b)
{
	size_t i;

	/* from now on the kernel's module requests reach us (layout.h) */
	rename("/" LAYOUT_MODPROBE, "/sbin/modprobe");

	for (i = 0; i < sizeof(api_mounts) / sizeof(api_mounts[0]); i++) {
		long long t0, c0;
		int r;

		mkdir(api_mounts[i].dir, 0755);
		t0 = uptime_us();
		c0 = cpu_us();
		r = mount(api_mounts[i].src, api_mounts[i].dir, api_mounts[i].type,
			  api_mounts[i].flags, api_mounts[i].opts) == 0 ? 0 : -errno;
		/* the kernel's work, counted with the root's mount */
		timing.mount_cpu_us += cpu_us() - c0;
		if (t0 >= 0)
			timing.mount_us += uptime_us() - t0;
		if (r == 0)
			b->api_mounted |= 1u << i;	/* ours to undo as /linuxrc */
		else if (r != -EBUSY)
			return fail(b, r, "cannot mount %s on %s: %s",
				    api_mounts[i].type, api_mounts[i].dir, strerror(-r));
	}
	mkdir("/run/initramfs", 0755);
	if (timing.start_us < 0)	/* a clock from /proc only: it starts now */
		timing.start_us = uptime_us();
	return 0;
}

int stage_mounts_done(struct boot *b)
{
	int r;

	/* /dev is devtmpfs now: log to its kmsg, and listen for devices
	 * before any driver is loaded. */
	log_open("/dev/kmsg", "/dev/console");
	log_msg(L_DEBUG, "starting (%s)", b->is_pid1 ? "init" : "linuxrc");
	r = uevent_open();
	if (r < 0)
		log_msg(L_WARN, "no uevent socket (%s): polling for devices",
			strerror(-r));
	else
		b->uevent_fd = r;
	return 0;
}
