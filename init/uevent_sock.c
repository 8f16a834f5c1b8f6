/* uevent_sock.c - the kernel's uevents, heard on a netlink socket:
 * drivers for the devices that appear, news of block devices for
 * root-wait. */
#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "blockdev.h"
#include "init.h"
#include "log.h"
#include "modules.h"
#include "timeline.h"
#include "uevent.h"
#include "uevent_sock.h"
#include "util.h"

#define UEVENT_BUF       8192
#define UEVENT_RCVBUF    (4 * 1024 * 1024)

int uevent_open(void)
{
	struct sockaddr_nl sa;
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			NETLINK_KOBJECT_UEVENT);

	if (fd < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = 1;	/* the kernel's own multicast group */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* Drain the socket: load drivers for devices that appear, take note of
 * block devices that come, forget what we knew of those that changed or
 * left. */
static void drain_uevents(struct boot *b)
{
	static char buf[UEVENT_BUF];
	struct uevent ev;
	ssize_t n;

	for (;;) {
		n = recv(b->uevent_fd, buf, sizeof(buf) - 1, 0);
		if (n < 0 && errno == ENOBUFS) {
			/* Events were lost: look at every device and disk
			 * again, with more room from now on.  (The default,
			 * net.core.rmem_default, holds a hundred events or so:
			 * enough for most boots, and a setsockopt less.) */
			int sz = UEVENT_RCVBUF;

			if (setsockopt(b->uevent_fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz,
				       sizeof(sz)) < 0)
				setsockopt(b->uevent_fd, SOL_SOCKET, SO_RCVBUF, &sz,
					   sizeof(sz));
			log_msg(L_DEBUG, "root-wait: uevents were lost; looking at "
				"every device again");
			modules_coldplug(b);
			block_dirty = 1;
			continue;
		}
		if (n <= 0)
			break;
		if (uevent_parse(buf, (size_t)n, &ev))
			continue;
		if (ev.modalias && !strcmp(ev.action, "add"))
			modules_load_device(b, ev.modalias, ev.devpath);
		if (!ev.subsystem || strcmp(ev.subsystem, "block"))
			continue;
		if (ev.devname && !strcmp(ev.action, "add") && !block_added(&ev))
			continue;
		block_dirty = 1;
		if (ev.devname && strcmp(ev.action, "add"))
			block_changed(ev.devname);
	}
}

/* Wait up to @ms for uevents (0: just look) and handle them; returns 1
 * if there were any.  The time blocked counts as waiting for devices. */
int uevent_wait(struct boot *b, long ms)
{
	struct pollfd pfd = { .fd = b->uevent_fd, .events = POLLIN };
	long long t0 = ms ? uptime_us() : 0;	/* "just look" waits for nothing */
	int r;

	if (b->uevent_fd < 0)
		return 0;
	r = poll(&pfd, 1, (int)ms);
	if (ms)
		timing.wait_us += uptime_us() - t0;
	if (r <= 0)
		return 0;
	drain_uevents(b);
	return 1;
}
