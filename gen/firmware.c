/* firmware.c - the firmware the selected modules name, and the early
 * microcode cpio for the front of the image (firmware.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "common.h"
#include "cpio.h"
#include "firmware.h"
#include "genutil.h"
#include "image.h"
#include "modsel.h"
#include "regfile.h"

struct fwctx {
	struct image *img;
	const char *basedir, *kver;
	int verbose, missing;
};

/* The kernel's search order (drivers/base/firmware_loader), each name
 * also in its compressed forms. */
static void add_firmware(const char *module, const char *fw, void *arg)
{
	static const char *const ext[] = { "", ".zst", ".xz" };
	struct fwctx *c = arg;
	char dir[PATH_MAX], src[PATH_MAX], dst[PATH_MAX], s[4][PATH_MAX];
	size_t i, k;

	pathf(s[0], sizeof(s[0]), "updates/%s/", c->kver);
	pathf(s[1], sizeof(s[1]), "updates/");
	pathf(s[2], sizeof(s[2]), "%s/", c->kver);
	s[3][0] = '\0';
	for (i = 0; i < 4; i++) {
		pathf(dir, sizeof(dir), "%s%slib/firmware/%s", c->basedir,
		      c->basedir[strlen(c->basedir) - 1] == '/' ? "" : "/", s[i]);
		for (k = 0; k < ARRAY_SIZE(ext); k++) {
			pathf(src, sizeof(src), "%s%s%s", dir, fw, ext[k]);
			if (!is_file(src))
				continue;
			pathf(dst, sizeof(dst), "lib/firmware/%s%s%s", s[i], fw, ext[k]);
			image_add_file(c->img, dst, src, 0644);
			if (c->verbose)
				msg("firmware %s for %s", dst, module);
			return;
		}
	}
	c->missing++;
	msg("warning: module %s wants firmware %s, which is "
		"not in %s/lib/firmware; the device may not work (install its "
		"firmware package)", module, fw, strcmp(c->basedir, "/") ? c->basedir : "");
}

struct membuf {
	unsigned char *p;
	size_t len, cap;
};

static int to_membuf(void *ctx, const void *buf, size_t len)
{
	struct membuf *m = ctx;

	if (m->len + len > m->cap) {
		m->cap = (m->len + len) * 2;
		m->p = realloc(m->p, m->cap);
		if (!m->p)
			return -ENOMEM;
	}
	memcpy(m->p + m->len, buf, len);
	m->len += len;
	return 0;
}

/* Concatenate the files of @dir (sorted; those ending in @suffix if
 * given) into *out.  Returns how many files went in. */
static int cat_dir(const char *dir, const char *suffix, struct membuf *out)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), k, used = 0;

	for (k = 0; k < n; k++) {
		char path[PATH_MAX];
		size_t nl = strlen(names[k]->d_name);
		FILE *f;

		pathf(path, sizeof(path), "%s/%s", dir, names[k]->d_name);
		if (names[k]->d_name[0] != '.' && is_file(path) &&
		    (!suffix || (nl > strlen(suffix) &&
				 !strcmp(names[k]->d_name + nl - strlen(suffix), suffix))) &&
		    (f = fopen_regular(path))) {
			unsigned char buf[65536];
			size_t got;

			while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
				if (to_membuf(out, buf, got))
					die("out of memory");
			if (ferror(f))
				die("--microcode: reading %s: %s", path, strerror(errno));
			fclose(f);
			used++;
		}
		free(names[k]);
	}
	if (n > 0)
		free(names);
	return used;
}

/* The uncompressed cpio the kernel's early loader looks for at the very
 * start of the initrd: kernel/x86/microcode/{GenuineIntel,AuthenticAMD}.bin */
static void build_microcode(const char *basedir, uint32_t mtime, struct membuf *out)
{
	static const struct { const char *dir, *suffix, *name; } vendors[] = {
		{ "intel-ucode", NULL, "kernel/x86/microcode/GenuineIntel.bin" },
		{ "amd-ucode", ".bin", "kernel/x86/microcode/AuthenticAMD.bin" },
	};
	static const char *const dirs[] = { "kernel", "kernel/x86", "kernel/x86/microcode" };
	struct cpio_writer w;
	size_t i;
	int any = 0;

	cpio_init(&w, to_membuf, out);
	for (i = 0; i < ARRAY_SIZE(vendors); i++) {
		char dir[PATH_MAX];
		struct membuf blob = { 0 };

		pathf(dir, sizeof(dir), "%s%slib/firmware/%s", basedir,
		      basedir[strlen(basedir) - 1] == '/' ? "" : "/", vendors[i].dir);
		if (!cat_dir(dir, vendors[i].suffix, &blob))
			continue;
		if (!any) {
			size_t d;

			for (d = 0; d < ARRAY_SIZE(dirs); d++) {
				struct cpio_entry e = { .name = dirs[d], .mode = S_IFDIR | 0755,
							.mtime = mtime };

				if (cpio_add(&w, &e, NULL))
					die("out of memory");
			}
		}
		any = 1;
		{
			struct cpio_entry e = { .name = vendors[i].name, .mode = S_IFREG | 0644,
						.mtime = mtime, .size = (uint32_t)blob.len };

			if (cpio_add(&w, &e, blob.p))
				die("out of memory");
		}
		free(blob.p);
	}
	if (!any) {
		msg("warning: --microcode: no microcode in "
			"%s/lib/firmware/intel-ucode or amd-ucode (install intel-microcode "
			"or amd64-microcode); the image has none",
			strcmp(basedir, "/") ? basedir : "");
		return;
	}
	if (cpio_trailer(&w))
		die("out of memory");
}

void firmware_add(struct image *img, struct modsel *ms, const char *basedir,
		  const char *kver, int verbose)
{
	struct fwctx fc = { img, basedir, kver, verbose, 0 };

	modsel_firmware(ms, add_firmware, &fc);
}

void microcode_build(const char *basedir, uint32_t mtime, const void **cpio, size_t *len)
{
	static struct membuf mc;

	build_microcode(basedir, mtime, &mc);
	*cpio = mc.p;
	*len = mc.len;
}
