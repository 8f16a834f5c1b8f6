/* output.h - the image: a sorted set of entries written as a compressed
 * newc archive, crash-safely (temporary file, fsync, read back, rename). */
#ifndef INITKIT_OUTPUT_H
#define INITKIT_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include "compress.h"
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
};

struct image {
	struct img_entry *e;
	size_t n, cap;
	uint32_t mtime;		/* every entry's timestamp */
	size_t nwritten;	/* entries in the archive (duplicates merged) */
	int err;		/* -ENOMEM once an image_add_*() ran out of memory */
};

struct out_opts {
	enum comp_alg comp;
	int level;		/* -1: the compressor's default */
	int threads;		/* 0: one per CPU; never changes the bytes */
	int backup;		/* keep the previous OUTPUT as OUTPUT.bak */
	const void *prefix;	/* written first, as is (early microcode cpio) */
	size_t prefix_len;
	int verbose;
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

/* Write @len bytes (an image built elsewhere: the ext2 format) to @output
 * with the same care as image_write(). */
int image_write_raw(const void *data, size_t len, const char *output,
		    const struct out_opts *o, char *err, size_t errlen);

/* Can the image be written to @output: a path that does not end in '/', in
 * an existing directory this user may write, naming nothing or a regular
 * file (not a symbolic link, device, FIFO, socket or directory); with
 * @backup, @output.bak likewise?  Checked before anything is built, and
 * again by the writers.  Returns 0 or -errno, explained in @err. */
int output_check(const char *output, int backup, char *err, size_t errlen);

/* Is @path's data compressed already (.xz, .zst, .gz, .bz2, .lz4)? */
int already_compressed(const char *path);

/* Write the image to @output atomically.  On failure returns -errno, leaves
 * any previous @output untouched and explains in @err. */
int image_write(struct image *img, const char *output, const struct out_opts *o,
		char *err, size_t errlen);

#endif
