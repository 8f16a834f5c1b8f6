/* hostonly.h - what this machine needs to reach its root file system
 *
 * Walks sysfs the way the kernel laid it out: the root mount's
 * major:minor (from /proc/self/mountinfo), /sys/dev/block/MAJ:MIN, the
 * partition's disk, the slaves of stacked devices (device-mapper, md,
 * loop backing files, native NVMe multipath controllers), then every
 * ancestor up to /sys/devices, noting each bound driver, the module it
 * lives in and each modalias.  The generator (mkinitramfs --hostonly)
 * resolves the names and aliases with libkmod; nothing here needs it. */
#ifndef INITKIT_HOSTONLY_H
#define INITKIT_HOSTONLY_H

#include <stddef.h>

/* Bounds: sysfs is a tree, but a fake or corrupted one may loop. */
#define HOSTONLY_MAX_STACK	8	/* stacked layers: dm over md over ... */
#define HOSTONLY_MAX_DEVICES	256	/* block devices visited in all */
#define HOSTONLY_MAX_SLAVES	64	/* slaves of one device */
#define HOSTONLY_MAX_LEVELS	64	/* sysfs directories from a device up */
#define HOSTONLY_MAX_MOUNTS	65536	/* mountinfo entries */

struct hostonly {
	char fstype[32];	/* the file system type, e.g. "ext4" */
	char rootdev[64];	/* the block device of the mount, e.g. "vda1" */
	char **modules;		/* loadable modules of the drivers found, unique,
				 * in discovery order ("virtio_blk", "ahci") */
	size_t nmod;
	char **builtin;		/* drivers built into the kernel: the module name
				 * when sysfs knows it, else the driver name */
	size_t nbuiltin;
	char **modaliases;	/* modalias of each device on the path, unique;
				 * also "fs-TYPE" for a loop device's backing
				 * file system */
	size_t nalias;
	char **sets;		/* module sets (modules.d) the stack needs at
				 * boot: "lvm", "md"; unique */
	size_t nsets;
	char **luks;		/* LUKS volumes on the way: "NAME UUID", the
				 * mapping's name and the volume's UUID */
	size_t nluks;
	char **unsupported;	/* layers of the stack /init cannot assemble,
				 * one line each naming the device: the
				 * generator refuses to write the image */
	size_t nunsupported;
	char resume[80];	/* hostonly_resume(): "UUID=..." or "/dev/NAME" */
	char resume_dev[64];	/* ... and the block device, "dm-1" */
	char **why;		/* one line per decision, for -v */
	size_t nwhy;
	char err[1024];		/* why hostonly_detect failed */
};

/* Find what the mount on @mountpoint (normally "/") needs.
 * @sysroot: "" for the running system, or a directory holding a fake
 * tree (proc/self/mountinfo, sys/...) for tests.
 * Fills @h (which need not be initialised).  Returns 0, or -errno with
 * h->err set: -ENOENT (no such mount, no sysfs entry), -ENOTSUP (the
 * mount is not on a block device: tmpfs, nfs, overlay, ...), -ELOOP or
 * -E2BIG (a bound was hit), -EINVAL (malformed mountinfo or sysfs link),
 * -ENOMEM.  On failure @h keeps what was found so far; call
 * hostonly_free() either way. */
int hostonly_detect(struct hostonly *h, const char *sysroot, const char *mountpoint);

/* The hibernation device, as initramfs-tools picks it when RESUME is not
 * set: the largest swap on a block device in /proc/swaps (zram, whose
 * contents die with the machine, and swap files are skipped).  Named by
 * its UUID when the swap has one (read from its header), else /dev/NAME,
 * in h->resume; the devices below it are walked like the root's, their
 * modules and sets added to @h (call after hostonly_detect(), same @h).
 * @spec: the device given instead (resume=: UUID=, LABEL=, PARTUUID=,
 * PARTLABEL=, /dev/...), found through SYSROOT/dev's links and walked.
 * Returns 1 (found), 0 (no swap to resume from), or -errno with h->err. */
int hostonly_resume(struct hostonly *h, const char *sysroot, const char *spec);

/* The image's /etc/crypttab for the LUKS volumes h->luks: for each, the
 * line of the host's crypttab @tab (@len bytes; NULL: none) that names
 * the mapping or the volume (by UUID=, /dev/disk/by-uuid/ or
 * /dev/mapper/... name), else a line of our own ("NAME UUID=UUID none
 * luks") so that the mapping gets the name the root expects.  Written to
 * @out (a malloc'd string, caller frees); each key file a kept line names
 * (an absolute path, not none or -) is added to @keys.  Lines with a key
 * on a device (/dev/...) or a keyscript= are refused: -ENOTSUP, with
 * h->err naming the line.  Returns 0 or -errno. */
int hostonly_crypttab(struct hostonly *h, const char *tab, size_t len, char **out,
		      char ***keys, size_t *nkeys);

/* Release the lists; @h may then be reused.  Safe to call twice. */
void hostonly_free(struct hostonly *h);

/* ---- the pure parsers hostonly_detect() uses (unit tests, tests/fuzz/fuzz_sysfs.c) */

struct hostonly_mount {
	unsigned id;
	unsigned major, minor;
	char *root, *point, *fstype, *source;	/* malloc'd, unescaped */
};

/* Parse one line of /proc/self/mountinfo, "ID PARENT MAJ:MIN ROOT POINT
 * OPTS [OPTIONAL...] - TYPE SOURCE SUPEROPTS", without its newline; @line
 * is changed.  Returns 0, -EINVAL if malformed, -ENOMEM; on error @m may
 * hold some strings: hostonly_mount_free() it either way (@m zeroed first). */
int hostonly_mountinfo_line(char *line, struct hostonly_mount *m);
void hostonly_mount_free(struct hostonly_mount *m);

/* Resolve the relative sysfs link target @link found in directory @dir
 * (both relative to /sys) lexically into @out.  Returns 0, -EINVAL for an
 * absolute link or one climbing above /sys, -ENAMETOOLONG. */
int hostonly_resolve(char *out, size_t size, const char *dir, const char *link);

/* The module of a device-mapper target from the dm/uuid attribute, and of
 * an md array from its md/level attribute; NULL when none is known. */
const char *hostonly_dm_module(const char *uuid);
const char *hostonly_md_module(const char *level);

#endif
