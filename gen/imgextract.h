/* imgextract.h - extract any image imgread.h reads, without ever writing
 * outside the target directory. */
#ifndef INITKIT_IMGEXTRACT_H
#define INITKIT_IMGEXTRACT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "imgread.h"

struct img_extract_opts {
	uint64_t max_unpacked;	/* 0: IMG_MAX_UNPACKED */
	int no_devices;		/* skip device nodes even when root */
	FILE *notes;		/* skipped entries are reported here; NULL: not */
};

struct img_extract_stats {
	size_t files, dirs, links, hardlinks, nodes, skipped;
};

/* mkinitramfs --extract: extract into the existing directory dir.  Names
 * that are absolute, contain "..", or lead through a symlink (one already
 * there or one from the archive) are refused; existing symlinks are never
 * written through (a symlink entry may replace one).  Missing parent
 * directories are made 0755.  Files keep the archive's rwx bits (setuid,
 * setgid and sticky are dropped), directories get at least u+rwx (write
 * for group and others only once everything is extracted), device
 * nodes are made owner-only and only when running as root (otherwise
 * skipped with a note, like sockets), ownership is not restored.  Only
 * regular files this run creates (O_CREAT|O_EXCL|O_NOFOLLOW) are opened
 * to write: a later name of a hard-link set is linked to the file made
 * for its first name only while that name still holds that very file
 * (same device and inode, checked through O_PATH before it is opened),
 * else -ESTALE; device nodes and FIFOs are made, never opened.  A file
 * left incomplete by an error is removed.  The image is read as for
 * img_list(), and an empty one is -ENODATA too.  Returns 0 or -errno with err
 * naming the entry and the reason. */
int img_extract_ex(const char *path, const char *dir,
		   const struct img_extract_opts *o, struct img_extract_stats *st,
		   char *err, size_t errlen);

/* img_extract_ex() with the defaults, notes to stderr. */
int img_extract(const char *path, const char *dir, char *err, size_t errlen);

#endif
