/* modules.h - loading kernel modules: at boot, for the hardware present,
 * for hardware that appears later, and for file systems */
#ifndef INITKIT_MODULES_H
#define INITKIT_MODULES_H

#include <stddef.h>
#include "layout.h"
#include "moddb.h"

struct boot;

#define MODULES_DB "/" LAYOUT_MODULES_DB
#define MODALIAS_MAX    256
#define SYSPATH_MAX     128

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

/* The image's only file system module, if it has one, loaded by a child
 * beside the disk drivers on a machine of two CPUs or more (the two
 * functions above wait for it). */
void modules_load_fs_early(struct boot *b);

/* Load module or alias @name as modules_load_name() does, by a child on a
 * machine of two CPUs or more, while /init goes on (by /init itself on
 * one).  modules_reap_behind() collects those children that are done, or
 * with @block all of them (what loads a file system waits for them
 * first). */
void modules_load_behind(struct boot *b, const char *name, const char *why);
void modules_reap_behind(int block);

/* Storage-like devices with no driver that no module in the image matches,
 * for the root-wait failure message: "pci:... usb:..." or "".  Walks sysfs:
 * only for when the wait has failed. */
void modules_unmatched(char *out, size_t size);

/* Read the module database (none in the image: 0, mods.have_db unset). */
int modules_db_load(struct boot *b);

/* /init run as modprobe (the kernel's request_module(), or a helper):
 * load each NAME (a module name or an alias) with its dependencies. */
int modprobe_main(struct boot *b, int argc, char **argv);

/* Inside the loader: modules.c loads, coldplug.c queues the devices
 * present at boot, stage_modules.c reads the database and sets these up. */
struct modules {
	struct moddb db;
	unsigned char *state;	/* db.nmod of each, sized with the database */
	unsigned char *is_fs;	/* has an fs-TYPE alias */
	int have_db, nloaded, nfailed, ninserts;
};
extern struct modules mods;

/* Load module @idx after its closure, then its post-softdeps.  Returns 1 if
 * it was loaded now, 0 if it was there already or skipped, -errno. */
int modules_load_idx(struct boot *b, int idx, const char *why);

/* Load the modules matching a device, most specific first, until one of
 * them has taken the device (@syspath, if known).  Returns how many were
 * loaded. */
int modules_load_for(struct boot *b, const char *alias, const char *syspath);

/* The modalias of device @dev (below the directory open at @dfd), "" if
 * none; whether a driver has taken it (by directory, by /sys path). */
void modules_read_alias(int dfd, const char *dev, char *alias, size_t size);
int modules_has_driver(int dfd, const char *dev);
int modules_bound(const char *syspath);

/* Load @name, a module name or an alias (every module it names, as
 * modprobe does), with dependencies; @why for the log.  Returns how many
 * modules of the image it names (loaded now or before), 0 if none. */
int modules_load_name(struct boot *b, const char *name, const char *why);

/* Another process's /init loaded some already (/init as modprobe, run by
 * the kernel or a helper): mark what /proc/modules lists, so that neither
 * they nor their dependencies are read and checked by the kernel again
 * only to be refused as duplicates. */
void modules_mark_loaded(void);

/* moddb_match() callback: counts matches into *(int *)@arg, stops at one. */
int modules_count_match(int idx, int fixed, void *arg);

/* The buses worth walking: those whose devices an alias of the image can
 * match.  Devices that ACPI or a device tree describe ("acpi:", "of:")
 * are matched through their platform-bus twins. */
struct bus {
	const char *name;	/* in an alias pattern: not NUL-terminated */
	int len;
};
extern struct bus *coldplug_buses;	/* room for one per alias */
void coldplug_add_bus(const char *pattern);	/* if it is a new one */

#endif
