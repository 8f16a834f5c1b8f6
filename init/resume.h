/* resume.h - resume=: hand the hibernated system's swap to the kernel
 * before anything writes to any disk */
#ifndef INITKIT_RESUME_H
#define INITKIT_RESUME_H

struct boot;

/* Read resume=, resume_offset= and noresume.  Returns 1 if there is a
 * resume device to look for. */
int resume_init(struct boot *b);

/* Look for the resume device and, when it is there, give it to the kernel
 * (which does not return here if it holds an image).  @give_up: stop
 * looking (the root is here and the grace time is over, or the stack wait
 * ended).  Returns 1 once nothing is pending any more: whatever writes to
 * disks (a degraded array, fsck, the mount) may go ahead. */
int resume_step(struct boot *b, int give_up);

/* How long to wait for the resume device once the root has been found:
 * 5 s (initramfs-tools' RESUMEDELAY) after the root and after the last
 * device event, so that a disk still being enumerated (USB) or a driver
 * still to be loaded gets its chance; at most until the root's deadline,
 * or RESUME_WAIT_MAX ms after the root with rootwait. */
#define RESUME_GRACE_MS 5000
#define RESUME_WAIT_MAX 30000

#endif
