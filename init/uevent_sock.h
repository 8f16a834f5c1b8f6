/* uevent_sock.h - the kernel's uevents, on a netlink socket */
#ifndef INITKIT_UEVENT_SOCK_H
#define INITKIT_UEVENT_SOCK_H

struct boot;

/* The socket (NETLINK_KOBJECT_UEVENT), or -errno. */
int uevent_open(void);

/* Wait up to @ms for uevents on b->uevent_fd (0: just look) and handle
 * them; returns 1 if there were any.  The time blocked counts as waiting
 * for devices. */
int uevent_wait(struct boot *b, long ms);

#endif
