/* timeline.c - when each stage started, and where the time went:
 * TIMELINE, for the bench and for whoever wonders where boot time goes. */
#include <stdio.h>
#include "log.h"
#include "timeline.h"
#include "util.h"

#define TIMELINE_MAX 1024

struct timing timing;

static char timeline[TIMELINE_MAX];
static size_t timeline_len;

/* Our own CPU time so far: not inside finit_module, mount(2) or disk
 * reads. */
static long long own_cpu_us(void)
{
	return cpu_us() - timing.start_cpu_us - timing.load_cpu_us -
	       timing.io_cpu_us - timing.lookup_cpu_us - timing.mount_cpu_us;
}

/* "MS STAGE CPU": when each stage started, in ms since boot, and our own
 * CPU time so far, in us. */
void timeline_mark(const char *stage)
{
	long ms = uptime_ms();
	long long own = own_cpu_us();
	int n = snprintf(timeline + timeline_len, sizeof(timeline) - timeline_len,
			 "%ld %s %lld\n", ms, stage, own);

	if (n > 0 && (size_t)n < sizeof(timeline) - timeline_len)
		timeline_len += n;
	log_msg(L_DEBUG, "timeline: %s at %ld ms", stage, ms);
}

static int fmt_ms(char *out, size_t size, const char *what, long long us)
{
	int n = snprintf(out, size, "%s %lld.%lld", what, us / 1000,
			 (us < 0 ? -us : us) / 100 % 10);

	return n < 0 || (size_t)n >= size ? 0 : n;
}

/* The timeline, and where the time went.  Wall clock: in finit_module(),
 * blocked waiting for devices, reading disks (superblocks, partition
 * tables, the lookup of the init in the new root), in mount(2), in
 * hooks and shells, and the rest.  On one CPU the rest includes the kernel
 * threads that ran meanwhile, so our own CPU time (getrusage) outside
 * finit_module, mount and disk reads is given too: /init's overhead. */
void timeline_save(void)
{
	long long now = uptime_us(), total = now - timing.start_us;
	long long ld = timing.load_us, io = timing.io_us + timing.lookup_us;
	long long rest = total - ld - timing.wait_us - io - timing.mount_us - timing.hooks_us -
			 timing.actions_us - timing.inflate_us;
	long long own_cpu = own_cpu_us();
	char sum[320];
	size_t o = 0;

	o += fmt_ms(sum + o, sizeof(sum) - o, "ms: total", total);
	o += fmt_ms(sum + o, sizeof(sum) - o, ", finit_module", ld);
	o += fmt_ms(sum + o, sizeof(sum) - o, ", waiting for devices", timing.wait_us);
	o += fmt_ms(sum + o, sizeof(sum) - o, ", reading disks", io);
	o += fmt_ms(sum + o, sizeof(sum) - o, ", mount", timing.mount_us);
	o += fmt_ms(sum + o, sizeof(sum) - o, ", hooks", timing.hooks_us);
	if (timing.inflate_us)	/* only images made with --lazy-modules */
		o += fmt_ms(sum + o, sizeof(sum) - o, ", inflating modules", timing.inflate_us);
	if (timing.actions_us)	/* only images with stacked storage */
		o += fmt_ms(sum + o, sizeof(sum) - o, ", actions", timing.actions_us);
	o += fmt_ms(sum + o, sizeof(sum) - o, ", other", rest);
	o += fmt_ms(sum + o, sizeof(sum) - o, "; init's own CPU time", own_cpu);
	if (o + 32 < sizeof(timeline) - timeline_len) {
		int m = snprintf(timeline + timeline_len, sizeof(timeline) - timeline_len,
				 "%lld end\n# %s\n", now / 1000, sum);

		write_file(TIMELINE, timeline, timeline_len + (size_t)m);
	} else {
		write_file(TIMELINE, timeline, timeline_len);
	}
	log_msg(L_DEBUG, "timeline: %s (since /init started)", sum);
}
