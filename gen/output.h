/* output.h - the image written as a compressed newc archive (archive.c),
 * crash-safely: temporary file, fsync, read back, rename (commit.c). */
#ifndef INITKIT_OUTPUT_H
#define INITKIT_OUTPUT_H

#include <stddef.h>
#include "compress.h"
#include "image.h"

struct out_opts {
	enum comp_alg comp;
	int level;		/* -1: the compressor's default */
	int threads;		/* 0: one per CPU; never changes the bytes */
	int backup;		/* keep the previous OUTPUT as OUTPUT.bak */
	const void *prefix;	/* written first, as is (early microcode cpio) */
	size_t prefix_len;
	int verbose;
};

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

/* Write the image to @output atomically.  On failure returns -errno, leaves
 * any previous @output untouched and explains in @err. */
int image_write(struct image *img, const char *output, const struct out_opts *o,
		char *err, size_t errlen);

/* The image as image_write() would write it (@o's prefix first), into a
 * malloc'd *@buf of *@len bytes instead of a file: the UKI's initrd. */
int image_to_mem(struct image *img, const struct out_opts *o, void **buf, size_t *len,
		 char *err, size_t errlen);

#endif
