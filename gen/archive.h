/* archive.h - the image as a newc archive in memory, cut into members
 * that are compressed in parallel: what commit.c writes to OUTPUT. */
#ifndef INITKIT_ARCHIVE_H
#define INITKIT_ARCHIVE_H

#include <stddef.h>
#include "output.h"

/* input files are read, and the image read back, in pieces of this size */
#define IO_CHUNK (256 * 1024)

struct member {
	unsigned char *raw;
	size_t len, cap;
	unsigned char *out;	/* compressed */
	size_t outlen;
	int err;
};

struct sink {
	const char *what;	/* output file name, for messages */
	const struct out_opts *o;
	struct member *m;
	size_t n, cap;
	size_t leading;		/* members [0, leading) are not compressed */
	int force_new;		/* the next entry starts a new member */
	int err;
};

/* The entries of @img, sorted, as a newc archive in @s's members.  Returns
 * 0 or -errno, explained in @err. */
int write_archive(struct image *img, struct sink *s, char *err, size_t errlen);

/* Replace each gzip entry of @img by its file gzipped (libdeflate, in
 * @threads threads, 0: one per CPU).  Returns 0 or -errno, explained in
 * @err (naming the file). */
int gzip_entries(struct image *img, int threads, char *err, size_t errlen);

/* Compress every member (the threads of s->o); 0 or a member's -errno. */
int compress_all(struct sink *s);

void sink_free(struct sink *s);

#endif
