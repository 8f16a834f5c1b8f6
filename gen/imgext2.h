/* imgext2.h - the image as an ext2 filesystem (the legacy image-initrd
 * flow: /dev/ram0 mounted as the initial root), built in-process with
 * libext2fs: no loop device, no root rights, the same bytes for the same
 * image. */
#ifndef INITKIT_IMGEXT2_H
#define INITKIT_IMGEXT2_H

#include <stddef.h>
#include <stdint.h>
#include "image.h"

/* The filesystem it makes: revision 1, 1 KiB blocks, 128-byte inodes,
 * features filetype and sparse_super only (no journal, resize_inode,
 * dir_index, ext_attr, large_file, extents, 64bit, metadata_csum), so any
 * ext2 driver from Linux 2.2 on mounts it; no blocks reserved for root,
 * no mount-count or interval checks.  Room: the content plus a tenth plus
 * 64 KiB free, and a tenth more inodes than entries plus 16. */
#define IMGEXT2_BLOCK_SIZE 1024
#define IMGEXT2_INODE_SIZE 128

/* Build an ext2 filesystem holding every entry of @img.  The entry list is
 * taken as image_add_*() leaves it, in any order and with duplicates: of
 * several entries for one path the one added last (highest seq) wins, as
 * in the cpio writer; @img is not modified.  Parents the list lacks are
 * made (0755); the path "." is the root directory (default 0755).  Owners
 * are 0:0; every inode timestamp and the superblock's mkfs, write, mount
 * and check times are img->mtime.  /lost+found is made (0700) unless the
 * image has one.  ENT_NODE may be a character or block device, a FIFO or a
 * socket.
 *
 * @uuid: the filesystem UUID; NULL derives one from the content (paths,
 * types, modes, device numbers, link targets and file data, not the
 * mtime), as is the directory hash seed always.  The same image therefore
 * gives the same bytes, and another img->mtime changes only timestamps.
 *
 * On success *out is a malloc'd buffer of *outlen bytes (a multiple of
 * IMGEXT2_BLOCK_SIZE) holding the raw filesystem.  Returns 0 or -errno with
 * a message in @err naming the entry at fault: -ENOENT and the like for a
 * source file that cannot be read, -EINVAL for a bad path or a type the
 * image cannot hold, -EFBIG for a file of 2 GiB or more, -ENAMETOOLONG for
 * a name over 255 bytes or a link target over 1023, -ENOSPC/-ENOMEM/-EIO
 * from libext2fs.  A scratch file is made in $TMPDIR (else /tmp) and
 * unlinked at once; nothing is left behind. */
int imgext2_build(const struct image *img, const uint8_t uuid[16], void **out,
		  size_t *outlen, char *err, size_t errlen);

#endif
