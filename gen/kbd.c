/* kbd.c - the console keymap of an image (kbd.h) */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "compress.h"
#include "genutil.h"
#include "kbd.h"
#include "keymap.h"
#include "regfile.h"
#include "runprog.h"

#define SRC_MAX      (4u << 20)	/* a keymap's text: ckbcomp's are ~130 KB */
#define TEXT_MAX     (16u << 20)	/* inflated */
#define LOADKEYS_MS  20000

struct growbuf {
	uint8_t *b;
	size_t len, cap;
};

static int grow(void *ctx, const void *buf, size_t len)
{
	struct growbuf *g = ctx;
	uint8_t *nb;

	if (g->len + len > g->cap) {
		size_t cap = g->cap ? g->cap : 65536;

		while (cap < g->len + len)
			cap *= 2;
		nb = realloc(g->b, cap);
		if (!nb)
			return -ENOMEM;
		g->b = nb, g->cap = cap;
	}
	memcpy(g->b + g->len, buf, len);
	g->len += len;
	return 0;
}

/* Compile the keymap text @text with loadkeys, through a private file. */
static int compile(const char *path, const char *loadkeys, const uint8_t *text, size_t len,
		   uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
	static char *const envp[] = { "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", NULL };
	const char *tmpdir = getenv("TMPDIR");
	struct runprog_result res;
	char tmp[4096], *nl;
	size_t done = 0;
	int fd, r;

	if (!loadkeys)
		return fmt_err(err, errlen, -ENOENT, "%s: a keymap in loadkeys' text form; "
			       "compiling it needs kbd's loadkeys (apt-get install kbd), or give "
			       "the binary form (loadkeys -u -b FILE > FILE.bmap)", path);
	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
	if (snprintf(tmp, sizeof(tmp), "%s/initkit-keymap.XXXXXX", tmpdir) >= (int)sizeof(tmp))
		return fmt_err(err, errlen, -ENAMETOOLONG, "$TMPDIR is too long");
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return fmt_err(err, errlen, -errno, "%s: cannot make a file in %s: %s", path,
			       tmpdir, strerror(errno));
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = fmt_err(err, errlen, -EIO, "%s: cannot write %s: %s", path, tmp,
				    strerror(errno));
			close(fd);
			unlink(tmp);
			return r;
		}
		done += (size_t)n;
	}
	close(fd);
	{
		char *const argv[] = { "loadkeys", "-q", "-u", "-b", tmp, NULL };

		r = runprog_capture(loadkeys, argv, envp, LOADKEYS_MS, KEYMAP_MAX + 1, &res);
	}
	unlink(tmp);
	nl = strchr(res.err, '\n');
	if (nl)
		*nl = '\0';
	if (r == 0 && (!WIFEXITED(res.status) || WEXITSTATUS(res.status) != 0))
		r = -EINVAL;
	if (r == 0 && keymap_check((uint8_t *)res.out, res.outlen) < 0) {
		r = -EINVAL;
		snprintf(res.err, sizeof(res.err), "it wrote no binary keymap");
	}
	if (r) {
		free(res.out);
		return fmt_err(err, errlen, r, "%s: %s cannot compile it: %s", path, loadkeys,
			       res.err[0] ? res.err : strerror(-r));
	}
	*out = (uint8_t *)res.out;
	*outlen = res.outlen;
	return 0;
}

int kbd_keymap(const char *path, const char *loadkeys, uint8_t **out, size_t *len,
	       char *err, size_t errlen)
{
	struct growbuf g = { NULL, 0, 0 };
	char *raw = NULL;
	size_t rawlen = 0, used;
	int r;

	*out = NULL;
	*len = 0;
	r = read_file_max(path, SRC_MAX, &raw, &rawlen);
	if (r)
		return fmt_err(err, errlen, r, "%s: %s", path, r == -EFBIG ? "over 4 MiB: not a "
			       "keymap" : r == -EINVAL || r == -EISDIR || r == -ELOOP ?
			       "not a regular file" : strerror(-r));
	if (rawlen >= 2 && (uint8_t)raw[0] == 0x1f && (uint8_t)raw[1] == 0x8b) {
		r = comp_decompress_member(ALG_GZIP, (uint8_t *)raw, rawlen, &used, TEXT_MAX,
					   grow, &g);
		free(raw);
		if (r) {
			free(g.b);
			return fmt_err(err, errlen, r == -ENOMEM ? r : -EINVAL, "%s: %s", path,
				       r == -ENOMEM ? "out of memory" :
				       "gzip data that does not inflate to a keymap");
		}
	} else {
		g.b = (uint8_t *)raw, g.len = rawlen;
	}
	if (g.len >= KEYMAP_MAGIC_LEN && !memcmp(g.b, KEYMAP_MAGIC, KEYMAP_MAGIC_LEN)) {
		if (keymap_check(g.b, g.len) < 0) {
			free(g.b);
			return fmt_err(err, errlen, -EINVAL, "%s: a binary keymap (\"bkeymap\") "
				       "that is cut short or malformed; make it again with "
				       "loadkeys -u -b", path);
		}
		*out = g.b;
		*len = g.len;
		return 0;
	}
	if (memchr(g.b, '\0', g.len)) {
		free(g.b);
		return fmt_err(err, errlen, -EINVAL, "%s: neither a keymap in loadkeys' text "
			       "form nor a binary one (\"bkeymap\")", path);
	}
	r = compile(path, loadkeys, g.b, g.len, out, len, err, errlen);
	free(g.b);
	return r;
}

const char *kbd_loadkeys(void)
{
	static const char *const cands[] = { "/usr/bin/loadkeys", "/bin/loadkeys" };
	size_t i;

	for (i = 0; i < sizeof(cands) / sizeof(cands[0]); i++)
		if (access(cands[i], X_OK) == 0)
			return cands[i];
	return NULL;
}

/* The value of shell assignment @key="..." in /etc/default/keyboard. */
static void setting(const char *text, const char *key, char *val, size_t size)
{
	const char *p = text;
	size_t klen = strlen(key), n;

	val[0] = '\0';
	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, key, klen) || p[klen] != '=')
			continue;
		p += klen + 1;
		if (*p == '"' || *p == '\'') {
			char q = *p++;

			n = strcspn(p, q == '"' ? "\"\n" : "'\n");
		} else {
			n = strcspn(p, " \t\n#");
		}
		if (n >= size)
			n = size - 1;
		memcpy(val, p, n);
		val[n] = '\0';
	}
}

static int cached_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return !strncmp(d->d_name, "cached_", 7) && n > 15 &&
	       !strcmp(d->d_name + n - 8, ".kmap.gz");
}

int kbd_host(const char *root, char *src, size_t srcsize, char *layout, size_t lsize,
	     int *stale, char *err, size_t errlen)
{
	char path[4096], dir[4096], lay[128], var[128], *text = NULL;
	struct dirent **names = NULL;
	struct stat kst, cst;
	size_t len;
	int r, n, i, fd;

	*stale = 0;
	src[0] = layout[0] = '\0';
	snprintf(path, sizeof(path), "%s/etc/default/keyboard", root);
	r = read_file_max(path, 65536, &text, &len);
	if (r == -ENOENT)
		return 0;
	if (r)
		return fmt_err(err, errlen, r, "%s: %s", path, strerror(-r));
	setting(text, "XKBLAYOUT", lay, sizeof(lay));
	setting(text, "XKBVARIANT", var, sizeof(var));
	free(text);
	if (!lay[0] || (!strcmp(lay, "us") && !var[0]))
		return 0;
	snprintf(layout, lsize, "%s%s%s%s", lay, var[0] ? "(" : "", var, var[0] ? ")" : "");
	snprintf(dir, sizeof(dir), "%s/etc/console-setup", root);
	snprintf(src, srcsize, "%s/cached_UTF-8_del.kmap.gz", dir);
	fd = open_regular(src, 0, &cst);
	if (fd < 0) {
		src[0] = '\0';
		n = scandir(dir, &names, cached_name, alphasort);
		for (i = 0; i < n; i++) {
			if (!src[0] && snprintf(src, srcsize, "%s/%s", dir, names[i]->d_name) <
			    (int)srcsize && (fd = open_regular(src, 0, &cst)) < 0)
				src[0] = '\0';
			free(names[i]);
		}
		free(names);
	}
	if (fd < 0 || !src[0])
		return fmt_err(err, errlen, -ENOENT, "%s/etc/default/keyboard sets the keyboard "
			       "layout %s, but console-setup has not compiled it (no %s/cached_"
			       "*.kmap.gz): run setupcon --save-only, or give -K FILE", root,
			       layout, dir);
	close(fd);
	if (stat(path, &kst) == 0 && kst.st_mtime > cst.st_mtime)
		*stale = 1;
	return 1;
}
