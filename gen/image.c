/* image.c - the entries of an image: each path added with its parent
 * directories, in order (of two entries for one path, the later wins). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "image.h"

/* Out of memory: the image remembers it (img->err) and image_write()
 * reports it, so that callers may add entries without checking each. */
static int oom(struct image *img)
{
	img->err = -ENOMEM;
	return -ENOMEM;
}

void image_init(struct image *img, uint32_t mtime)
{
	memset(img, 0, sizeof(*img));
	img->mtime = mtime;
}

void image_free(struct image *img)
{
	size_t i;

	for (i = 0; i < img->n; i++) {
		free(img->e[i].path);
		free(img->e[i].src);
		free(img->e[i].data);
	}
	free(img->e);
	memset(img, 0, sizeof(*img));
}

/* "/a//b/" -> "a/b"; NULL if out of memory */
static char *norm_path(const char *p)
{
	char *out = malloc(strlen(p) + 2), *o = out;

	if (!out)
		return NULL;
	while (*p == '/')
		p++;
	while (*p) {
		if (*p == '/' && (p[1] == '/' || !p[1])) {
			p++;
			continue;
		}
		*o++ = *p++;
	}
	*o = '\0';
	if (!out[0])
		strcpy(out, ".");
	return out;
}

/* The new entry for @path; NULL (and img->err set) if out of memory. */
static struct img_entry *add(struct image *img, const char *path, enum ent_kind kind)
{
	struct img_entry *e;
	char *np = norm_path(path), *slash;

	if (!np) {
		oom(img);
		return NULL;
	}
	/* parents first (duplicates are merged when writing) */
	for (slash = strchr(np, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		image_add_dir(img, np, 0755);
		*slash = '/';
	}
	if (img->n == img->cap) {
		size_t cap = img->cap ? 2 * img->cap : 256;
		struct img_entry *v = realloc(img->e, cap * sizeof(*img->e));

		if (!v) {
			free(np);
			oom(img);
			return NULL;
		}
		img->e = v;
		img->cap = cap;
	}
	e = &img->e[img->n];
	memset(e, 0, sizeof(*e));
	e->path = np;
	e->kind = kind;
	e->seq = img->n++;
	return e;
}

int image_add_dir(struct image *img, const char *path, unsigned int mode)
{
	struct img_entry *e = add(img, path, ENT_DIR);

	if (!e)
		return -ENOMEM;
	e->mode = mode & 07777;
	return 0;
}

int already_compressed(const char *path)
{
	static const char *const ext[] = { ".xz", ".zst", ".gz", ".bz2", ".lz4" };
	size_t n = strlen(path), i;

	for (i = 0; i < ARRAY_SIZE(ext); i++) {
		size_t k = strlen(ext[i]);

		if (n > k && !strcmp(path + n - k, ext[i]))
			return 1;
	}
	return 0;
}

int image_add_file(struct image *img, const char *path, const char *src,
		   unsigned int mode)
{
	struct img_entry *e = add(img, path, ENT_FILE);

	if (!e)
		return -ENOMEM;
	e->mode = mode & 07777;
	e->leading = already_compressed(path);
	e->src = strdup(src);
	return e->src ? 0 : oom(img);
}

int image_add_file_stored(struct image *img, const char *path, const char *src,
			  unsigned int mode)
{
	int r = image_add_file(img, path, src, mode);

	if (!r)
		img->e[img->n - 1].leading = 1;
	return r;
}

int image_add_file_gz(struct image *img, const char *path, const char *src,
		      unsigned int mode)
{
	int r = image_add_file(img, path, src, mode);

	if (!r) {
		img->e[img->n - 1].gzip = 1;
		img->e[img->n - 1].leading = 1;
	}
	return r;
}

int image_add_data(struct image *img, const char *path, const void *data,
		   size_t size, unsigned int mode)
{
	struct img_entry *e = add(img, path, ENT_DATA);

	if (!e)
		return -ENOMEM;
	e->mode = mode & 07777;
	e->data = malloc(size ? size : 1);
	if (!e->data)
		return oom(img);
	memcpy(e->data, data, size);
	e->size = size;
	return 0;
}

int image_add_node(struct image *img, const char *path, unsigned int mode,
		   unsigned int rmaj, unsigned int rmin)
{
	struct img_entry *e = add(img, path, ENT_NODE);

	if (!e)
		return -ENOMEM;
	e->mode = mode;
	e->rmaj = rmaj;
	e->rmin = rmin;
	return 0;
}

int image_has(const struct image *img, const char *path)
{
	size_t i;

	for (i = 0; i < img->n; i++)
		if (!strcmp(img->e[i].path, path))
			return 1;
	return 0;
}

int image_add_sentinel(struct image *img)
{
	static const char text[] = "this initramfs was unpacked to the end\n";
	int r = image_add_data(img, LAYOUT_SENTINEL, text, sizeof(text) - 1, 0644);

	if (!r)
		img->e[img->n - 1].last = 1;
	return r;
}

int image_add_link(struct image *img, const char *path, const char *target)
{
	struct img_entry *e = add(img, path, ENT_LINK);

	if (!e)
		return -ENOMEM;
	e->mode = 0777;
	e->src = strdup(target);
	return e->src ? 0 : oom(img);
}
