/* image.h - the entries of an image: a set of paths, each a directory,
 * file, data, node or link, that image_write() (output.h) writes as cpio
 * and imgext2_build() packs as ext2. */
#ifndef INITKIT_IMAGE_H
#define INITKIT_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include "layout.h"

enum ent_kind { ENT_DIR, ENT_FILE, ENT_DATA, ENT_NODE, ENT_LINK };

struct img_entry {
	char *path;		/* in the image, no leading '/' */
	enum ent_kind kind;
	unsigned int mode;	/* permission bits (and S_IFCHR/S_IFBLK for nodes) */
	char *src;		/* ENT_FILE: host path; ENT_LINK: target */
	void *data;		/* ENT_DATA */
	size_t size;
	unsigned int rmaj, rmin;
	size_t seq;		/* insertion order: the later of two duplicates wins */
	int leading;		/* already compressed: goes in the uncompressed
				 * leading member, not compressed twice */
	int last;		/* written after everything else */
	int gzip;		/* ENT_FILE stored gzipped (path ends ".gz"):
				 * gzip_entries() makes it ENT_DATA */
};

struct image {
	struct img_entry *e;
	size_t n, cap;
	uint32_t mtime;		/* every entry's timestamp */
	size_t nwritten;	/* entries in the archive (duplicates merged) */
	int err;		/* -ENOMEM once an image_add_*() ran out of memory */
};

void image_init(struct image *img, uint32_t mtime);
void image_free(struct image *img);

/* Each adds the missing parent directories too.  Paths may start with '/'.
 * Each returns 0 or -ENOMEM; running out of memory is also remembered in
 * img->err, which image_write() and imgext2_build() report, so a caller
 * may add many entries and check once. */
int image_add_dir(struct image *img, const char *path, unsigned int mode);
int image_add_file(struct image *img, const char *path, const char *src,
		   unsigned int mode);
/* @src gzipped on its own as @path (which ends in ".gz"), in the
 * uncompressed leading member: --lazy-modules. */
/* A file as it is, in the uncompressed leading member (the kernel copies
 * it, inflating nothing): the hinted file system's modules of an image
 * with --lazy-modules. */
int image_add_file_stored(struct image *img, const char *path, const char *src,
			  unsigned int mode);
int image_add_file_gz(struct image *img, const char *path, const char *src,
		      unsigned int mode);
int image_add_data(struct image *img, const char *path, const void *data,
		   size_t size, unsigned int mode);
int image_add_node(struct image *img, const char *path, unsigned int mode,
		   unsigned int rmaj, unsigned int rmin);
int image_add_link(struct image *img, const char *path, const char *target);

/* Does an entry for @path exist? */
int image_has(const struct image *img, const char *path);

/* The entry written after all others (LAYOUT_SENTINEL): /init checks for
 * it to know that the kernel unpacked the whole image.  0 or -ENOMEM. */
int image_add_sentinel(struct image *img);

/* Is @path's data compressed already (.xz, .zst, .gz, .bz2, .lz4)? */
int already_compressed(const char *path);

#endif
