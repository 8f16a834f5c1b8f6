/* dm.h - device-mapper for the helpers: create a device from a table, the
 * /dev/mapper node and the udev database entry systemd waits for */
#ifndef INITKIT_DM_H
#define INITKIT_DM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct dm_target {
	uint64_t start, len;	/* sectors */
	const char *type;	/* "linear", "striped", "crypt" */
	const char *params;
};

/* Is there a device called @name already?  1 (and its number), 0, -errno. */
int dm_exists(const char *name, dev_t *dev);

/* Create device @name (uuid @uuid, may be NULL) with the @n targets, make
 * it live, and make /dev/mapper/@name.  @ro: read-only.  Returns 0 with
 * *@dev, or -errno with @err saying which step failed. */
int dm_create(const char *name, const char *uuid, const struct dm_target *t, size_t n,
	      int ro, dev_t *dev, char *err, size_t errlen);

/* Rename device @old to @name (DM_DEV_RENAME) and its /dev/mapper link.
 * Returns 0 or -errno (-ENXIO: no @old). */
int dm_rename(const char *old, const char *name);

/* Write /run/udev/data/b MAJ:MIN so that udev in the real root treats the
 * device as activated (DM_UDEV_PRIMARY_SOURCE_FLAG), as it would had it
 * seen the activation: else systemd never sees /dev/mapper/NAME. */
void dm_udev_db(dev_t dev, const char *name, const char *uuid);

/* mkdir -p, for /dev/VG and /run/initkit/... */
int mkdirs(const char *path, mode_t mode);

#endif
