/* uevent.c - parse a kernel uevent message (pure: no syscalls) */
#include <errno.h>
#include <string.h>
#include "uevent.h"

static void field(const char *p, struct uevent *ev)
{
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
	else if (!strncmp(p, "DRIVER=", 7))
		ev->driver = p + 7;
	else if (!strncmp(p, "MAJOR=", 6))
		ev->major = p + 6;
	else if (!strncmp(p, "MINOR=", 6))
		ev->minor = p + 6;
	else if (!strncmp(p, "DEVTYPE=", 8))
		ev->devtype = p + 8;
	else if (!strncmp(p, "PARTN=", 6))
		ev->partn = p + 6;
}

int uevent_parse(char *buf, size_t len, struct uevent *ev)
{
	const char *p, *end = buf + len;

	memset(ev, 0, sizeof(*ev));
	buf[len] = '\0';
	/* The header "ACTION@DEVPATH" comes first; udev's monitor messages
	 * start "libudev" and carry a binary header: not ours. */
	if (!len || !strchr(buf, '@'))
		return -EINVAL;
	for (p = buf + strlen(buf) + 1; p < end; p += strlen(p) + 1)
		field(p, ev);
	ev->driver = NULL;	/* not a key of the messages */
	return ev->action ? 0 : -EINVAL;
}

void uevent_parse_file(char *buf, size_t len, struct uevent *ev)
{
	char *p, *nl;

	memset(ev, 0, sizeof(*ev));
	buf[len] = '\0';
	for (p = buf; *p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		else
			nl = p + strlen(p);
		field(p, ev);
	}
	ev->action = NULL;	/* a file has none */
}
