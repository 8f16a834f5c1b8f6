/* cpio.h - the one newc ("070701") archive writer */
#ifndef INITKIT_CPIO_H
#define INITKIT_CPIO_H

#include <stddef.h>
#include <stdint.h>

#define CPIO_NEWC_MAGIC "070701"
#define CPIO_HEADER_LEN 110
#define CPIO_TRAILER "TRAILER!!!"

struct cpio_entry {
	const char *name;	/* relative path, no leading '/' ("." allowed) */
	unsigned int mode;	/* S_IFxxx | permissions */
	unsigned int uid, gid;
	unsigned int nlink;	/* 0: 2 for directories, 1 otherwise */
	uint32_t mtime;
	uint32_t size;		/* data bytes (symlink: target length) */
	unsigned int rdev_major, rdev_minor;
};

/* Where the archive's bytes go; returns 0 or -errno. */
typedef int (*cpio_sink_fn)(void *ctx, const void *buf, size_t len);

struct cpio_writer {
	cpio_sink_fn sink;
	void *ctx;
	uint64_t offset;	/* bytes written so far */
	uint32_t next_ino;
	uint32_t pending;	/* data bytes the current entry still owes */
};

void cpio_init(struct cpio_writer *w, cpio_sink_fn sink, void *ctx);

/* Write @e's header and name.  If e->size > 0 the caller then writes exactly
 * e->size bytes with cpio_data() (in any number of calls). */
int cpio_header(struct cpio_writer *w, const struct cpio_entry *e);
int cpio_data(struct cpio_writer *w, const void *buf, size_t len);

/* Header + all data in one call. */
int cpio_add(struct cpio_writer *w, const struct cpio_entry *e, const void *data);

/* The TRAILER!!! entry; the archive is complete after it. */
int cpio_trailer(struct cpio_writer *w);

/* Format one header into @out (CPIO_HEADER_LEN bytes, no NUL). */
void cpio_format_header(char *out, uint32_t ino, const struct cpio_entry *e,
			size_t namesize);

#endif
