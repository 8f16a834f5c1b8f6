/* main.c - /init: the boot sequence as a table of stages.
 *
 * As PID 1 (cpio-initrd): mounts, cmdline, modules, root-wait, mount,
 * switch.  Run by the kernel as /linuxrc (image-initrd, not PID 1): the
 * same up to root-wait, then the root's device number goes to
 * /proc/sys/kernel/real-root-dev and we exit so the kernel mounts it. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "init.h"
#include "modules.h"
#include "log.h"
#include "timeline.h"
#include "util.h"

/* Who runs a stage, and what the runner does around it. */
#define PID1     1	/* as /init, PID 1 (cpio-initrd) */
#define LINUXRC  2	/* as /linuxrc (image-initrd) */
#define HANDOVER 4	/* hands over to the real init: save the timeline first */

/* A stage with run == NULL runs the hooks in /scripts/NAME. */
struct stage {
	const char *name;
	const char *brk;	/* break= point before this stage */
	int (*run)(struct boot *b);
	int flags;
};

/* break= points are initramfs-tools' (top, modules, premount, mount,
 * bottom, init); rd.break= also takes dracut's names (see below). */
static const struct stage stages[] = {
	/* before the log exists: messages go to the console */
	{ "mounts",         NULL,       stage_mounts,       PID1 | LINUXRC },
	/* /dev is there: the log goes to /dev/kmsg, devices are heard of */
	{ "mounts-done",    NULL,       stage_mounts_done,  PID1 | LINUXRC },
	{ "cmdline",        NULL,       stage_cmdline,      PID1 | LINUXRC },
	{ "init-top",       "top",      NULL,               PID1 | LINUXRC },
	{ "modules",        "modules",  stage_modules,      PID1 | LINUXRC },
	{ "premount",       "premount", NULL,               PID1 | LINUXRC },
	{ "image",          NULL,       stage_image,        PID1 },
	{ "root-wait",      NULL,       stage_rootwait,     PID1 | LINUXRC },
	{ "local-premount", NULL,       NULL,               PID1 },
	{ "mount",          "mount",    stage_mount,        PID1 },
	{ "local-bottom",   NULL,       NULL,               PID1 },
	{ "init-bottom",    "bottom",   NULL,               PID1 },
	{ "initrd",         NULL,       stage_initrd_place, PID1 },
	{ "switch",         "init",     stage_switch,       PID1 | HANDOVER },
	{ "real-root-dev",  NULL,       stage_realrootdev,  LINUXRC },
};

/* dracut's rd.break= names, on our points */
static const struct {
	const char *dracut, *ours;
} break_aliases[] = {
	{ "cmdline", "top" }, { "pre-udev", "modules" }, { "pre-trigger", "modules" },
	{ "initqueue", "premount" }, { "pre-mount", "mount" },
	{ "pre-pivot", "bottom" }, { "cleanup", "init" },
};

/* break=a,b,c: is @point in the list? (dracut's names count too) */
static int break_at(const struct boot *b, const char *point)
{
	const char *p = b->bp.brk;
	char item[BREAK_MAX];
	size_t i;
	int n;

	while ((n = list_next(&p, item, sizeof(item))) >= 0) {
		const char *name = item;

		for (i = 0; i < sizeof(break_aliases) / sizeof(break_aliases[0]); i++)
			if (!strcmp(item, break_aliases[i].dracut))
				name = break_aliases[i].ours;
		if (n && !strcmp(name, point))
			return 1;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	static struct boot b;
	char empty[1] = "";
	size_t i;

	b.argc = argc;
	b.argv = argv;
	b.is_pid1 = getpid() == 1;
	b.uevent_fd = -1;
	/* The clock the timeline counts from, and our CPU time then (PID 1's
	 * own count starts with the kernel thread, long before /init ran). */
	timing.start_us = uptime_us();
	timing.start_cpu_us = cpu_us();
	cmdline_parse(empty, &b.bp);	/* defaults until /proc/cmdline is read */
	if (!b.is_pid1 && argc > 0) {
		const char *base = strrchr(argv[0], '/');

		if (!strcmp(base ? base + 1 : argv[0], "modprobe"))
			return modprobe_main(&b, argc, argv);
		if (!strcmp(argv[0], FREE_ARGV0))
			return switch_free_main();
	}
	/* Until /dev is mounted, messages go to fd 2: the console, which the
	 * kernel opened for us (as /init and as /linuxrc alike). */

	for (i = 0; i < sizeof(stages) / sizeof(stages[0]); i++) {
		const struct stage *s = &stages[i];
		int r;

		if (!(s->flags & (b.is_pid1 ? PID1 : LINUXRC)))
			continue;
		if (timing.start_us >= 0)	/* else no clock before /proc */
			timeline_mark(s->name);
		if (s->brk && break_at(&b, s->brk)) {
			long long t0 = uptime_us();

			timeline_save();
			if (rescue_shell(s->brk) == -ENOENT)
				log_msg(L_WARN, "break=%s: this image has no shell (build it "
					"with -H busybox); going on", s->brk);
			timing.hooks_us += uptime_us() - t0;
		}
		if (!s->run) {
			run_hooks(&b, s->name);
			continue;
		}
		if (s->flags & HANDOVER)
			timeline_save();
		while ((r = s->run(&b)) != 0) {
			long long t0 = uptime_us();

			timeline_save();
			if (boot_panic(&b, s->name) != 0)
				return 1;	/* as /linuxrc: give up, the kernel goes on */
			timing.hooks_us += uptime_us() - t0;
		}
	}
	return 0;
}
