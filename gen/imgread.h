/* imgread.h - read any initramfs image the kernel's unpack_to_rootfs()
 * accepts: newc segments, NUL padding, compressed members; list it.
 * imgextract.h extracts it. */
#ifndef INITKIT_IMGREAD_H
#define INITKIT_IMGREAD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Total unpacked cpio bytes img_list() and img_extract() accept. */
#define IMG_MAX_UNPACKED (4ULL << 30)

struct img_entry_info {
	const char *name;	/* as stored: NUL-terminated, no other NUL */
	uint32_t mode, uid, gid, nlink, mtime, size, rdev_major, rdev_minor;
	const uint8_t *data;	/* size bytes; for symlinks the target (not
				 * NUL-terminated) */
	uint32_t ino, dev_major, dev_minor;	/* hard links: same triple */
};

/* Room for any name img_escape() writes in full: 4 bytes per byte. */
#define IMG_ESC_LEN (4 * 4096 + 4)

/* @s made safe to print into @out (@outlen bytes, at least 8): control
 * characters (C0, DEL, C1), backslashes, bytes that are not valid UTF-8,
 * and the Unicode controls that reorder or break lines (bidirectional
 * overrides and isolates, U+2028/U+2029) are written as \ooo, one per
 * byte; valid printable UTF-8 is kept.  A name that does not fit ends in
 * "...".  Every message and listing line naming an entry or a path the
 * user gave goes through it, so an image cannot drive the terminal.
 * Returns @out. */
const char *img_escape(const char *s, char *out, size_t outlen);

typedef int (*img_entry_fn)(void *ctx, const struct img_entry_info *e);

/* Call fn for every entry of the image img[0..len), in order; TRAILER!!!
 * entries are not passed on (they end a segment; more may follow, as the
 * kernel keeps going).  e and what it points to are valid during the call
 * only.  A non-zero return from fn stops the walk and is returned.  Each
 * entry is held whole in memory for fn, so memory use is the largest entry
 * (at most max_unpacked); img_list() and img_extract() stream instead.
 *
 * Stricter than the kernel, which skips or half-reads these: header digits
 * that are not hex, name sizes of 0 or over 4096, names with a NUL inside
 * or none at the end, symlink targets over 4096 bytes, a truncated tail,
 * a 070702 entry whose data does not match its checksum (6.1 refuses that
 * too).
 *
 * Returns 0, -EINVAL for anything malformed or truncated (stricter than
 * the kernel, which silently accepts a truncated uncompressed tail),
 * -EFBIG when the cpio data (uncompressed segments plus decompressed
 * members) exceeds max_unpacked, -ENOTSUP for a member the kernel would
 * refuse or that initkit cannot read (bzip2, lzma, lzo), -ENOMEM.  On
 * error *where (if not NULL) is the image offset of the problem: the bad
 * byte or header in an uncompressed segment, the start of the member for
 * a problem inside compressed data. */
int img_walk(const uint8_t *img, size_t len, uint64_t max_unpacked,
	     img_entry_fn fn, void *ctx, uint64_t *where);

/* mkinitramfs --list: one line per entry to out, like `cpio -tv
 * --numeric-uid-gid` but with the time in UTC ISO form:
 *   drwxr-xr-x   2 0        0               0 1970-01-01 00:00 etc
 *   crw-------   1 0        0          5,   1 1970-01-01 00:00 dev/console
 *   lrwxrwxrwx   1 0        0               7 1970-01-01 00:00 sbin -> usr/bin
 * Names and targets are written as img_escape() writes them.  The image
 * must be a regular file (nothing else is opened); it is read whole into
 * memory first, and a file whose size changes while it is read is an
 * error (-EIO), never a crash.  An image with no cpio data at all (empty,
 * or only NUL padding), which img_walk() accepts as the kernel does, is
 * -ENODATA: "no cpio archive found in IMAGE". */
int img_list(const char *path, FILE *out, char *err, size_t errlen);

#endif
