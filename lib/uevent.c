/* uevent.c - parse a kernel uevent message (pure: no syscalls) */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "uevent.h"

/* The keys we keep, and where their values go. */
static const struct {
	char key[12];
	unsigned char len;
	unsigned char off;
} keys[] = {
#define KEY(k, field) { k "=", sizeof(k), offsetof(struct uevent, field) }
	KEY("ACTION", action), KEY("DEVPATH", devpath), KEY("SUBSYSTEM", subsystem),
	KEY("DEVNAME", devname), KEY("MODALIAS", modalias),
	KEY("MAJOR", major), KEY("MINOR", minor), KEY("DEVTYPE", devtype),
	KEY("PARTN", partn),
#undef KEY
};

/* "KEY=VALUE": point the field of KEY, if we keep it, at VALUE. */
static void field(const char *p, struct uevent *ev)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strncmp(p, keys[i].key, keys[i].len)) {
			*(const char **)((char *)ev + keys[i].off) = p + keys[i].len;
			return;
		}
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
	return ev->action ? 0 : -EINVAL;
}
