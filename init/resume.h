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

/* Seconds to wait for the resume device once the root has been found
 * (initramfs-tools' RESUMEDELAY). */
#define RESUME_GRACE_MS 5000

#endif
