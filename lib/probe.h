/* probe.h - filesystem superblock probes (pure, bounds-checked, host-testable)
 *
 * A disk is untrusted input: every probe reads only inside the buffer it is
 * given and returns -ENOENT when the bytes are not its filesystem. */
#ifndef INITKIT_PROBE_H
#define INITKIT_PROBE_H

#include <stddef.h>
#include <stdint.h>

/* Bytes from the start of a device a caller must read so that every probe
 * can see its superblock (btrfs keeps its at 64 KiB). */
#define PROBE_READ_SIZE (68 * 1024)

#define FS_TYPE_MAX  24		/* "linux_raid_member" */
#define FS_UUID_MAX  40		/* 36 for a DCE UUID, plus room */
#define FS_LABEL_MAX 256	/* btrfs labels are up to 255 bytes */
#define FS_MODULE_MAX 16	/* "md-level-10" */

struct fs_info {
	char type[FS_TYPE_MAX];		/* name for mount(2): ext4, xfs... */
	char uuid[FS_UUID_MAX];		/* as blkid prints it */
	char label[FS_LABEL_MAX];
	/* For the members of a stack, the module (a name or the alias the
	 * kernel asks for) that using the device needs: "dm_mod" for an LVM
	 * PV, "md-level-N" for an MD member (the personality, with md_mod
	 * below it), "dm_crypt" for LUKS.  /init loads it before the device's action runs,
	 * rather than have the kernel ask through /sbin/modprobe.  "" for
	 * the rest. */
	char module[FS_MODULE_MAX];
};

/* Identify the filesystem whose first @len bytes are in @buf.
 * Returns 0 and fills @fi, or -ENOENT if no probe recognises it. */
int probe_fs(const uint8_t *buf, size_t len, struct fs_info *fi);

/* The bytes at the end of a device an MD member's 1.0 or 0.90 superblock
 * can be in: read the last PROBE_TAIL_SIZE bytes (or the whole device if
 * smaller) for probe_md_end(). */
#define PROBE_TAIL_SIZE (128 * 1024)

/* Is there an MD superblock of version 1.0 or 0.90 (both at the end) in
 * @tail, the @len bytes from byte @tail_off of a device of @dev_bytes?
 * Returns 0 and fills @fi (type "linux_raid_member"), or -ENOENT. */
int probe_md_end(const uint8_t *tail, size_t len, uint64_t tail_off, uint64_t dev_bytes,
		 struct fs_info *fi);

/* Format 16 bytes as a lower-case DCE UUID string (37 bytes with NUL). */
void probe_format_uuid(const uint8_t *u, char *out);

#endif
