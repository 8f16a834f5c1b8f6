/* timeline.h - when each stage started, and where the time went */
#ifndef INITKIT_TIMELINE_H
#define INITKIT_TIMELINE_H

#define TIMELINE "/run/initramfs/timeline"

/* Where the time goes, in microseconds: the one record of it in /init.
 * Each place that spends time adds to its field. */
struct timing {
	long long start_us;	/* /init's start (-1: no clock until /proc) */
	long long start_cpu_us;	/* our CPU time when /init started */
	long long wait_us;	/* blocked waiting for devices */
	long long load_us;	/* in finit_module() */
	long long inflate_us;	/* inflating NAME.ko.gz (--lazy-modules) */
	long long load_cpu_us;
	long long io_us;	/* reading superblocks and partition tables */
	long long io_cpu_us;
	long long lookup_us;	/* finding the init in the new root */
	long long lookup_cpu_us;
	long long mount_us;	/* in mount(2): /dev /proc /sys /run, the root */
	long long mount_cpu_us;
	long long hooks_us;	/* in runtime hooks and rescue shells */
	long long actions_us;	/* in block-device actions (LVM, MD, LUKS) */
};

extern struct timing timing;

/* Note that @stage starts now (a line of TIMELINE: "MS STAGE CPU"). */
void timeline_mark(const char *stage);

/* Write TIMELINE, with a summary of where the time went, now: before a
 * shell, a panic or the switch to the real init. */
void timeline_save(void);

#endif
