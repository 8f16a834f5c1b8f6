/* stage_rootwait.c - stage "root-wait": find the root device, waiting for it.
 *
 * Event-driven: the uevent netlink socket wakes us when block devices come
 * and go.  A new one is taken from its event (name, number, partition);
 * /sys/class/block is read at the start, when one changes or leaves, and
 * at least once a second in case events were dropped.  One deadline on a
 * monotonic clock. */
#include <errno.h>
#include <string.h>
#include "actions.h"
#include "blockdev.h"
#include "init.h"
#include "log.h"
#include "modules.h"
#include "resume.h"
#include "timeline.h"
#include "uevent_sock.h"
#include "util.h"

#define PROGRESS_EVERY   5000	/* ms between "still waiting" lines */
#define RESCAN_EVERY     1000	/* ms: rescan even without events */
#define IDLE_PRELOAD     250	/* ms without events before preloading */

/* root= did not come: is one of the rootfallback= devices here? */
static int try_fallbacks(struct boot *b)
{
	const char *p = b->bp.rootfallback, *end = p + b->bp.rootfallback_len;
	struct root_spec want = b->rs;

	block_dirty = 1;	/* one fresh look at what is there */
	for (; p < end; p += strlen(p) + 1) {
		if (rootspec_parse(p, &b->rs)) {
			log_msg(L_WARN, "root-wait: rootfallback=%s is not a device "
				"specification; ignored", p);
			continue;
		}
		if (block_find_root(b)) {
			log_msg(L_WARN, "root-wait: %s never appeared; using "
				"rootfallback=%s (%s)", b->bp.root, p, b->rootdev);
			return 1;
		}
	}
	b->rs = want;
	return 0;
}

/* When to stop waiting for the resume device once the root is here (at
 * @root_at): RESUME_GRACE_MS after the root came and after the last device
 * event or module load (a USB disk still enumerating, drivers still being
 * loaded for the devices found at boot: the swap may be on any of them),
 * but no later than the root's own deadline (rootwait: RESUME_WAIT_MAX
 * after the root). */
static long resume_give_up_at(long root_at, long last_event, long deadline)
{
	long at = (root_at > last_event ? root_at : last_event) + RESUME_GRACE_MS;
	long cap = deadline >= 0 ? deadline : root_at + RESUME_WAIT_MAX;

	if (cap < root_at + RESUME_GRACE_MS)
		cap = root_at + RESUME_GRACE_MS;
	return at < cap ? at : cap;
}

int stage_rootwait(struct boot *b)
{
	long start = uptime_ms(), now, deadline, next_progress, late_at, root_at = -1;
	long long t0;
	long last_event = start, last_scan = start;
	long long acted = timing.actions_us;
	int preload_done = 0, late_done = 0, found, resumed;
	int timeout_s = b->bp.rootdelay >= 0 ? b->bp.rootdelay : DEFAULT_ROOT_TIMEOUT;
	char seen[384];

	if (b->root_ready)
		return 0;	/* the initrd image is the root */
	deadline = b->bp.rootwait ? -1 : start + timeout_s * 1000L;
	next_progress = start + PROGRESS_EVERY;
	late_at = start + stack_wait_ms(&b->bp);
	actions_init(b);
	resume_init(b);

	for (;;) {
		long wait, resume_at = 0;

		found = block_find_root(b);
		now = uptime_ms();
		/* The time actions took (a passphrase being typed) does not
		 * count against the root's deadline or the stack wait. */
		if (timing.actions_us - acted >= 1000) {
			long shift = (long)((timing.actions_us - acted) / 1000);

			acted += shift * 1000LL;
			if (deadline >= 0)
				deadline += shift;
			late_at += shift;
		}
		if (found && root_at < 0)
			root_at = now;
		if (found)
			resume_at = resume_give_up_at(root_at, last_event, deadline);
		/* Nothing may write to a disk before the resume device has had
		 * its chance: it is waited for a little after the root came and
		 * the devices settled, or until the stack wait is over. */
		resumed = resume_step(b, found ? now >= resume_at :
					 now >= late_at || (deadline >= 0 && now >= deadline));
		if (found && resumed)
			break;
		if (b->uevent_fd < 0)
			block_dirty = 1;	/* polling: no events to say so */
		if (!late_done && resumed && now >= late_at) {
			late_done = 1;
			if (actions_event("late", NULL)) {
				block_dirty = 1;
				continue;
			}
		}
		if (!found && deadline >= 0 && now >= deadline) {
			char nodrv[512];

			if (try_fallbacks(b))
				return 0;

			actions_event("final", NULL);
			block_describe(seen, sizeof(seen));
			modules_unmatched(nodrv, sizeof(nodrv));
			return fail(b, -ETIMEDOUT,
				    "%s: device never appeared: timed out after %d s; "
				    "block devices seen: %s.%s%s Check root= on the kernel "
				    "command line, and that the image has the drivers "
				    "for the disk's bus (-M SET); rootdelay=N or rootwait "
				    "wait longer",
				    b->bp.root, timeout_s, seen,
				    nodrv[0] ? " Devices with no driver in this image: " : "",
				    nodrv[0] ? nodrv : "");
		}
		if (now >= next_progress) {
			block_describe(seen, sizeof(seen));
			if (found)
				log_msg(L_NOTICE, "root-wait: %s is here; waiting for the resume "
					"device %s; block devices: %s", b->bp.root,
					b->bp.resume, seen);
			else if (deadline >= 0)
				log_msg(L_NOTICE, "root-wait: waiting for %s (%ld s, giving up "
					"in %ld s); block devices: %s", b->bp.root,
					(now - start) / 1000, (deadline - now + 999) / 1000, seen);
			else
				log_msg(L_NOTICE, "root-wait: waiting for %s (%ld s, rootwait: "
					"no time limit); block devices: %s", b->bp.root,
					(now - start) / 1000, seen);
			next_progress = now + PROGRESS_EVERY;
		}
		wait = next_progress - now;
		if (wait > RESCAN_EVERY)
			wait = RESCAN_EVERY;
		if (deadline >= 0 && !found && deadline - now < wait)
			wait = deadline - now;
		if (!late_done && late_at - now < wait)
			wait = late_at - now > 0 ? late_at - now : 0;
		if (found && resume_at - now < wait)
			wait = resume_at - now > 0 ? resume_at - now : 0;
		/* Events first; then the drivers for the devices found at boot,
		 * one device at a time, likeliest first, looking for the root
		 * after each. */
		if (uevent_wait(b, 0)) {
			last_event = uptime_ms();
			continue;
		}
		if (now - last_scan >= RESCAN_EVERY) {
			block_dirty = 1;	/* in case an event was missed */
			last_scan = now;
		}
		if (modules_coldplug_next(b)) {
			last_event = uptime_ms();
			continue;
		}
		/* Nothing has happened for a while (a USB disk settling, say):
		 * use the time to load the file system module the root will
		 * need.  Only when idle, so that a disk already on its way is
		 * never kept waiting behind a big module. */
		if (!found && now - last_event >= IDLE_PRELOAD && !preload_done) {
			if (!modules_preload_fs(b))
				preload_done = 1;
			continue;
		}
		if (wait > IDLE_PRELOAD && !preload_done && !found)
			wait = IDLE_PRELOAD;
		if (b->uevent_fd < 0) {
			t0 = uptime_us();
			sleep_ms(wait < 100 ? wait : 100);
			timing.wait_us += uptime_us() - t0;
		} else if (uevent_wait(b, wait)) {
			last_event = uptime_ms();
		}
	}
	log_msg(L_INFO, "root-wait: %s is %s (%s) after %ld ms; %d modules loaded%s",
		b->bp.root, b->rootdev, b->rootfs.type[0] ? b->rootfs.type : "unknown type",
		uptime_ms() - start, modules_loaded(),
		modules_coldplug_left() ? ", the other devices are left to the real system" : "");
	return 0;
}
