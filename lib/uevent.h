/* uevent.h - the kernel's uevent netlink messages (pure, host-testable) */
#ifndef INITKIT_UEVENT_H
#define INITKIT_UEVENT_H

#include <stddef.h>

/* Fields point into the message; NULL when absent. */
struct uevent {
	const char *action;	/* add, remove, change, bind... */
	const char *devpath;	/* /devices/... */
	const char *subsystem;
	const char *devname;	/* sda1, or disk/by-... relative to /dev */
	const char *modalias;
	const char *major, *minor;	/* of a device node */
	const char *devtype;	/* disk, partition, usb_device... */
	const char *partn;	/* a partition's number */
};

/* Parse one message of @len bytes in @buf ("ACTION@DEVPATH\0KEY=VALUE\0...";
 * @buf must have room for a NUL at @buf[len], which this writes).
 * Returns 0, or -EINVAL if it is not a kernel uevent (udev's own "libudev"
 * messages, or no ACTION). */
int uevent_parse(char *buf, size_t len, struct uevent *ev);

#endif
