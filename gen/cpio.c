/* cpio.c - newc archive writer: one header formatter, nothing pasted */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include "cpio.h"

static const char zeros[4];

void cpio_init(struct cpio_writer *w, cpio_sink_fn sink, void *ctx)
{
	memset(w, 0, sizeof(*w));
	w->sink = sink;
	w->ctx = ctx;
	w->next_ino = 1;
}

static void hex8(char *out, uint32_t v)
{
	static const char hex[] = "0123456789ABCDEF";
	int i;

	for (i = 7; i >= 0; i--, v >>= 4)
		out[i] = hex[v & 15];
}

void cpio_format_header(char *out, uint32_t ino, const struct cpio_entry *e,
			size_t namesize)
{
	unsigned int nlink = e->nlink ? e->nlink : (S_ISDIR(e->mode) ? 2 : 1);
	const uint32_t fields[13] = {
		ino, e->mode, e->uid, e->gid, nlink, e->mtime, e->size,
		0, 0,			/* devmajor, devminor: not meaningful here */
		e->rdev_major, e->rdev_minor,
		(uint32_t)namesize,
		0,			/* check: only for the "070702" format */
	};
	int i;

	memcpy(out, CPIO_NEWC_MAGIC, 6);
	for (i = 0; i < 13; i++)
		hex8(out + 6 + 8 * i, fields[i]);
}

static int emit(struct cpio_writer *w, const void *buf, size_t len)
{
	int r;

	if (!len)
		return 0;
	r = w->sink(w->ctx, buf, len);
	if (r)
		return r;
	w->offset += len;
	return 0;
}

static int pad4(struct cpio_writer *w)
{
	return emit(w, zeros, (4 - (w->offset & 3)) & 3);
}

int cpio_header(struct cpio_writer *w, const struct cpio_entry *e)
{
	char hdr[CPIO_HEADER_LEN];
	size_t namesize = strlen(e->name) + 1;
	int r;

	if (w->pending)
		return -EINVAL;		/* previous entry's data incomplete */
	if (namesize > 4096 || !e->name[0] || e->name[0] == '/')
		return -EINVAL;
	cpio_format_header(hdr, w->next_ino++, e, namesize);
	r = emit(w, hdr, sizeof(hdr));
	if (!r)
		r = emit(w, e->name, namesize);
	if (!r)
		r = pad4(w);
	if (!r)
		w->pending = e->size;
	return r;
}

int cpio_data(struct cpio_writer *w, const void *buf, size_t len)
{
	int r;

	if (len > w->pending)
		return -EINVAL;
	r = emit(w, buf, len);
	if (r)
		return r;
	w->pending -= (uint32_t)len;
	return w->pending ? 0 : pad4(w);
}

int cpio_add(struct cpio_writer *w, const struct cpio_entry *e, const void *data)
{
	int r = cpio_header(w, e);

	if (!r && e->size)
		r = cpio_data(w, data, e->size);
	return r;
}

int cpio_trailer(struct cpio_writer *w)
{
	struct cpio_entry e = { .name = CPIO_TRAILER, .nlink = 1 };
	int r;

	r = cpio_add(w, &e, NULL);
	if (r)
		return r;
	/* The kernel does not need it, but tools like a 512-byte multiple. */
	while (!r && (w->offset & 511))
		r = emit(w, zeros, 4);	/* offset is 4-aligned after any entry */
	return r;
}
