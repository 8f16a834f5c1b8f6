/* rootspec.h - the root= device specification (pure, host-testable) */
#ifndef INITKIT_ROOTSPEC_H
#define INITKIT_ROOTSPEC_H

#include "cmdline.h"

enum root_kind {
	ROOT_NONE = 0,
	ROOT_PATH,	/* /dev/NAME */
	ROOT_DEVNUM,	/* MAJ:MIN or the kernel's hex number */
	ROOT_UUID,	/* UUID=, /dev/disk/by-uuid/ */
	ROOT_LABEL,	/* LABEL=, /dev/disk/by-label/ */
	ROOT_PARTUUID,	/* PARTUUID=, /dev/disk/by-partuuid/ */
	ROOT_PARTLABEL,	/* PARTLABEL=, /dev/disk/by-partlabel/ */
};

struct root_spec {
	enum root_kind kind;
	char value[PARAM_VALUE_MAX];	/* path, uuid, label... as given */
	unsigned int major, minor;	/* ROOT_DEVNUM */
};

/* Parse @s into @rs.  Returns 0, -EINVAL for an empty or malformed value,
 * -ENAMETOOLONG if it does not fit. */
int rootspec_parse(const char *s, struct root_spec *rs);

/* "UUID=..." style text for messages. */
const char *rootspec_kind_name(enum root_kind kind);

/* Compare identifiers the way blkid users expect: UUIDs case-insensitively,
 * labels exactly. */
int rootspec_id_equal(enum root_kind kind, const char *want, const char *have);

#endif
