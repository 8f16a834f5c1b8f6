/* imgwalk.h - what imgread.c lends the extractor: the streaming walk
 * beneath img_list() and img_extract(), the image file read whole, names
 * escaped for messages.  imgread.h is the reader's interface for others. */
#ifndef INITKIT_IMGWALK_H
#define INITKIT_IMGWALK_H

#include <stddef.h>
#include <stdint.h>
#include "imgread.h"

#define NAME_MAX_LEN	4096	/* namesize incl. NUL: the kernel's PATH_MAX */
#define LINK_MAX_LEN	4096	/* symlink target: the kernel's PATH_MAX */
#define ESC_LEN		(4 * 256 + 4)	/* an escaped name in a message */
#define MSG_LEN		(ESC_LEN + 256)	/* the parser's: one name and words */
#define WMSG_LEN	(MSG_LEN + 256)	/* the walk's: that, with where */

/* What a walk's consumer sees: entry() once the header, name (and a
 * symlink's target, in e->data) are known; data() for the bytes of any
 * other entry; end() when they are complete.  Non-zero stops the walk. */
struct walk_ops {
	int (*entry)(void *ctx, const struct img_entry_info *e);
	int (*data)(void *ctx, const uint8_t *buf, size_t len);
	int (*end)(void *ctx, const struct img_entry_info *e);
};

struct walk_err {
	uint64_t where;
	int found;		/* a cpio header or a member was seen */
	int from_cb;		/* the consumer failed; its own message stands */
	char msg[WMSG_LEN];
};

/* @s[0..@len) as img_escape() writes it; @outlen is at least 8. */
const char *img_esc(const char *s, size_t len, char *out, size_t outlen);

/* Walk img[0..len) as img_walk() does, but hand each entry to @ops in
 * pieces as it is read (memory does not grow with an entry's size).
 * Returns 0 or -errno; @we says where and why, or that @ops failed. */
int img_stream(const uint8_t *img, size_t len, uint64_t max,
	       const struct walk_ops *ops, void *ctx, struct walk_err *we);

/* Read the regular file @path (@ep: its name escaped, for messages) whole
 * into *@img, at most @max bytes.  0 or -errno, explained in @err; free
 * the image with img_unload(). */
int img_load(const char *path, const char *ep, uint64_t max,
	     const uint8_t **img, size_t *len, char *err, size_t errlen);
void img_unload(const uint8_t *img);

/* -ENODATA, explained in @err, if the walk found no cpio data in the
 * @len bytes of @ep; else 0. */
int img_none_found(const struct walk_err *we, const char *ep, size_t len,
		   char *err, size_t errlen);

#endif
