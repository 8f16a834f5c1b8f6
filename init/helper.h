/* helper.h - what the stacked-storage helpers (lvm, luks) share: the
 * kernel command line, whole reads, and the messages kept for "final" */
#ifndef INITKIT_HELPER_H
#define INITKIT_HELPER_H

#include <stddef.h>
#include <stdint.h>

/* Call @take for each parameter of /proc/cmdline (lib/cmdline.h's
 * cmdline_each); nothing if it cannot be read. */
void helper_cmdline(int (*take)(char *param, char *val, void *arg));

/* Read exactly @len bytes at @off of @fd: 0, -errno, or -EIO if short. */
int helper_pread(int fd, void *buf, size_t len, uint64_t off);

/* Log at L_ERR, as "@before MESSAGE @after", each message kept as a file
 * in @dir (what stayed incomplete or locked), for the "final" event. */
void helper_report(const char *dir, const char *before, const char *after);

/* A helper's events (actions.h): @take reads its command-line parameters
 * before "add"; NULL events do nothing. */
struct helper_ops {
	const char *name;
	int (*take)(char *param, char *val, void *arg);
	int (*add)(const char *dev);
	int (*final)(void);
	int (*root)(const char *dir);
};

/* main() of a helper: dispatch "add /dev/NAME", "late", "final", "root DIR". */
int helper_main(int argc, char **argv, const struct helper_ops *ops);

#endif
