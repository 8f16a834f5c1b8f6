/* main.c - /init: the boot sequence as a table of stages.
 *
 * As PID 1 (cpio-initrd): mounts, cmdline, modules, root-wait, mount,
 * switch.  Run by the kernel as /linuxrc (image-initrd, not PID 1): the
 * same up to root-wait, then the root's device number goes to
 * /proc/sys/kernel/real-root-dev and we exit so the kernel mounts it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "init.h"
#include "log.h"
#include "util.h"

#define TIMELINE_MAX 1024

int uevent_open(void);
int rescue_shell(const char *why);

static int stage_realrootdev(struct boot *b);

struct stage {
	const char *name;
	const char *brk;	/* break= point before this stage */
	int (*run)(struct boot *b);
	int as_pid1, as_linuxrc;
};

static const struct stage stages[] = {
	{ "mounts",    NULL,       stage_mounts,      1, 1 },
	{ "cmdline",   NULL,       stage_cmdline,     1, 1 },
	{ "modules",   "top",      stage_modules,     1, 1 },
	{ "root-wait", "premount", stage_rootwait,    1, 1 },
	{ "mount",     "mount",    stage_mount,       1, 0 },
	{ "switch",    "bottom",   stage_switch,      1, 0 },
	{ "real-root-dev", NULL,   stage_realrootdev, 0, 1 },
};

static char timeline[TIMELINE_MAX];
static size_t timeline_len;

static void timeline_mark(const char *stage)
{
	long ms = uptime_ms();
	int n = snprintf(timeline + timeline_len, sizeof(timeline) - timeline_len,
			 "%ld %s\n", ms, stage);

	if (n > 0 && (size_t)n < sizeof(timeline) - timeline_len)
		timeline_len += n;
	log_msg(L_DEBUG, "timeline: %s at %ld ms", stage, ms);
}

static void timeline_save(void)
{
	write_file(TIMELINE, timeline, timeline_len);
}

/* break=a,b,c: is @point in the list? */
static int break_at(const struct boot *b, const char *point)
{
	const char *p = b->bp.brk;
	size_t n = strlen(point);

	while (*p) {
		if (!strncmp(p, point, n) && (p[n] == ',' || !p[n]))
			return 1;
		p = strchr(p, ',');
		if (!p)
			break;
		p++;
	}
	return 0;
}

static int stage_realrootdev(struct boot *b)
{
	char num[16];
	unsigned int ma = major(b->rootdevnum), mi = minor(b->rootdevnum);
	/* new_encode_dev(), as the kernel reads real-root-dev */
	unsigned int v = (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
	int r, n = snprintf(num, sizeof(num), "%u\n", v);

	r = write_file("/proc/sys/kernel/real-root-dev", num, (size_t)n);
	if (r)
		return fail(b, r, "cannot write /proc/sys/kernel/real-root-dev: %s",
			    strerror(-r));
	log_msg(L_INFO, "linuxrc: real root is %s (%u:%u)", b->rootdev, ma, mi);
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
	cmdline_parse(empty, &b.bp);	/* defaults until /proc/cmdline is read */
	log_open("/dev/kmsg", "/dev/console");

	for (i = 0; i < sizeof(stages) / sizeof(stages[0]); i++) {
		const struct stage *s = &stages[i];
		int r;

		if (!(b.is_pid1 ? s->as_pid1 : s->as_linuxrc))
			continue;
		timeline_mark(s->name);
		if (s->brk && break_at(&b, s->brk)) {
			timeline_save();
			rescue_shell(s->brk);
		}
		if (s->run == stage_switch)
			timeline_save();
		while ((r = s->run(&b)) != 0) {
			timeline_save();
			if (boot_panic(&b, s->name) != 0)
				return 1;	/* as /linuxrc: give up, the kernel goes on */
		}
		if (s->run == stage_mounts) {
			/* /dev is devtmpfs now: log to its kmsg, and listen for
			 * devices before any driver is loaded. */
			log_open("/dev/kmsg", "/dev/console");
			log_msg(L_INFO, "starting (%s)", b.is_pid1 ? "init" : "linuxrc");
			r = uevent_open();
			if (r < 0)
				log_msg(L_WARN, "no uevent socket (%s): polling for devices",
					strerror(-r));
			else
				b.uevent_fd = r;
		}
	}
	return 0;
}
