/* parttable.h - GPT and MBR partition tables, for PARTUUID= and PARTLABEL=
 * (pure: reads go through a callback, every field is bounds-checked). */
#ifndef INITKIT_PARTTABLE_H
#define INITKIT_PARTTABLE_H

#include <stddef.h>
#include <stdint.h>
#include "probe.h"

struct part_info {
	char uuid[FS_UUID_MAX];		/* GPT: the entry's unique GUID, lower
					 * case; MBR: "SSSSSSSS-PP" as blkid */
	char label[FS_LABEL_MAX];	/* GPT name as UTF-8; "" on MBR */
};

/* Read exactly @len bytes at byte offset @off of the whole disk.
 * Returns 0 or -errno. */
typedef int (*part_read_fn)(void *ctx, uint64_t off, void *buf, size_t len);

/*
 * Look up partition @partno (numbered as the kernel numbers them: GPT entry
 * index + 1; MBR 1-4 primary, 5+ logical in extended-chain order) on a disk
 * of @disk_size bytes with @sector_size-byte logical blocks.
 * Returns 0 and fills @out, -ENOENT if there is no table or no such
 * partition, -EINVAL if the table is corrupt, or the reader's -errno.
 */
int part_lookup(part_read_fn rd, void *ctx, uint64_t disk_size,
		unsigned int sector_size, unsigned int partno,
		struct part_info *out);

#endif
