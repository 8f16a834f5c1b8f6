/* uevent.c - parse a kernel uevent message (pure: no syscalls) */
#include <errno.h>
#include <string.h>
#include "uevent.h"

int uevent_parse(char *buf, size_t len, struct uevent *ev)
{
	const char *p, *end = buf + len;

	memset(ev, 0, sizeof(*ev));
	buf[len] = '\0';
	/* The header "ACTION@DEVPATH" comes first; udev's monitor messages
	 * start "libudev" and carry a binary header: not ours. */
	if (!len || !strchr(buf, '@'))
		return -EINVAL;
	for (p = buf + strlen(buf) + 1; p < end; p += strlen(p) + 1) {
		if (!strncmp(p, "ACTION=", 7))
			ev->action = p + 7;
		else if (!strncmp(p, "DEVPATH=", 8))
			ev->devpath = p + 8;
		else if (!strncmp(p, "SUBSYSTEM=", 10))
			ev->subsystem = p + 10;
		else if (!strncmp(p, "DEVNAME=", 8))
			ev->devname = p + 8;
		else if (!strncmp(p, "MODALIAS=", 9))
			ev->modalias = p + 9;
	}
	return ev->action ? 0 : -EINVAL;
}
