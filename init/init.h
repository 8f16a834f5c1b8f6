/* init.h - the boot context shared by the stages of /init */
#ifndef INITKIT_INIT_H
#define INITKIT_INIT_H

#include <sys/types.h>
#include "cmdline.h"
#include "probe.h"
#include "rootspec.h"

#define NEWROOT      "/root"
#define RESCUE_SHELL "/bin/sh"
#define MSG_MAX      1536
#define DEV_PATH_MAX 64
#define DEFAULT_ROOT_TIMEOUT 30	/* seconds, as initramfs-tools */
#define STACK_WAIT_MAX 10000	/* ms before an MD array may start degraded */

/* The stack wait: members of an MD array that are not here by then are
 * taken as missing (a third of the root's time, at most STACK_WAIT_MAX).
 * Here because the md helper names it in its message too. */
static inline long stack_wait_ms(const struct boot_params *bp)
{
	long t = (bp->rootdelay >= 0 ? bp->rootdelay : DEFAULT_ROOT_TIMEOUT) * 1000L;

	return bp->rootwait || t / 3 > STACK_WAIT_MAX ? STACK_WAIT_MAX : t / 3;
}

struct boot {
	struct boot_params bp;
	struct root_spec rs;
	int is_pid1;
	int argc;
	char **argv;			/* our own argv: passed on to the real init */
	int uevent_fd;			/* NETLINK_KOBJECT_UEVENT, -1 if none */
	char rootdev[DEV_PATH_MAX];	/* /dev/NAME of the root once found */
	dev_t rootdevnum;
	struct fs_info rootfs;		/* what the probe saw on it */
	char init_path[PARAM_VALUE_MAX];/* the real init, inside NEWROOT */
	char msg[MSG_MAX];		/* why the failing stage failed */
	int image;			/* the initrd image is mounted on /initrd */
	unsigned int api_mounted;	/* which of /dev /proc /sys /run we mounted */
	int root_ready;			/* the root is on NEWROOT already */
	int loopfd;
	char loopdev[32];
};

/* Each stage returns 0 or -errno, explaining a failure in b->msg. */
int stage_mounts(struct boot *b);
int stage_mounts_done(struct boot *b);	/* the log, the uevent socket */
int stage_cmdline(struct boot *b);
int stage_modules(struct boot *b);
int stage_rootwait(struct boot *b);
int stage_mount(struct boot *b);
int stage_switch(struct boot *b);
/* /init run as FREE_ARGV0: stage_switch's helper that frees the initramfs */
#define FREE_ARGV0 "initkit-free"
int switch_free_main(void);
int stage_image(struct boot *b);		/* /initrd.image: the legacy flow */
int stage_initrd_place(struct boot *b);
int stage_realrootdev(struct boot *b);	/* as /linuxrc: the kernel mounts it */
void unmount_api(struct boot *b);	/* undo what stage_mounts mounted */

/* Run the executables in /scripts/@stage in name order; returns how many
 * failed (each is logged by name). */
int run_hooks(struct boot *b, const char *stage);

/* Formats the failure reason into b->msg; returns @err for tail calls. */
int fail(struct boot *b, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Run the rescue shell on the console, if the image has one (-ENOENT);
 * returns when the user exits it. */
int rescue_shell(const char *why);

/* The one way out on failure: explain, offer the rescue shell if the image
 * has one (returns 0 when the user left it, so the stage is retried),
 * otherwise reboot or wait as panic= says (does not return). */
int boot_panic(struct boot *b, const char *stage);

#endif
