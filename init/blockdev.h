/* blockdev.h - the block devices /init knows of, and their probes */
#ifndef INITKIT_BLOCKDEV_H
#define INITKIT_BLOCKDEV_H

#include <stddef.h>
#include <sys/types.h>

struct boot;
struct fs_info;
struct root_spec;
struct uevent;

/* Set when /sys/class/block must be read again: at the start, a block
 * device that changed or left, the periodic rescan, a fallback to look
 * for.  Scanning is the costly part. */
extern int block_dirty;

/* Is the root (b->rs) here?  Returns 1 and fills b->rootdev, rootdevnum
 * and rootfs when it is. */
int block_find_root(struct boot *b);

/* The same for any device specification (resume=): 1 and its /dev path,
 * number and probe when it is here.  Runs the actions of new devices. */
int block_find(const struct root_spec *rs, char *path, size_t size, dev_t *devnum,
	       struct fs_info *fs);

/* A block device the kernel announced (uevent "add"): known from the
 * event itself.  Returns 0, or -1 to rescan sysfs instead. */
int block_added(const struct uevent *ev);

/* A block device changed or left (/dev/NAME or NAME): read it again. */
void block_changed(const char *devname);

/* "vda (ext4 UUID=... LABEL=...), vdb (no filesystem recognised)" */
void block_describe(char *out, size_t size);

#endif
