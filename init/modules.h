/* modules.h - loading kernel modules: at boot, for the hardware present,
 * for hardware that appears later, and for file systems */
#ifndef INITKIT_MODULES_H
#define INITKIT_MODULES_H

#include <stddef.h>
#include "layout.h"

struct boot;

#define MODULES_DB "/" LAYOUT_MODULES_DB

/* A device that appeared (uevent): load what matches its modalias, most
 * specific first, until one module has taken /sys@devpath. */
int modules_load_device(struct boot *b, const char *alias, const char *devpath);

/* Queue every device without a driver whose modalias the image matches,
 * storage controllers first. */
void modules_coldplug(struct boot *b);

/* Load the drivers of the next queued device; 0 when the queue is empty. */
int modules_coldplug_next(struct boot *b);
int modules_coldplug_left(void);
int modules_loaded(void);

/* Make sure file system @type is known to the kernel (loads fs-TYPE);
 * returns how many modules that loaded. */
int modules_load_fs(struct boot *b, const char *type);

/* While waiting idle for the root: load one more file system module the
 * root may need (those of rootfstype=, else any in the image).  Returns 1
 * if it did something, 0 when there is nothing left. */
int modules_preload_fs(struct boot *b);

/* Storage-like devices with no driver that no module in the image matches,
 * for the root-wait failure message: "pci:... usb:..." or "".  Walks sysfs:
 * only for when the wait has failed. */
void modules_unmatched(char *out, size_t size);

/* Microseconds spent inside finit_module(), for the timeline. */
long long modules_load_us(void);
long long modules_load_cpu_us(void);	/* CPU time inside finit_module() */

#endif
