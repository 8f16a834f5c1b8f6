/* hookparse.c - build hooks, module sets and BusyBox's applet list, parsed
 * from buffers (format: hookparse.h).
 *
 * Each line is bounds-checked and copied into a NUL-terminated buffer of
 * TEXT_LINE_MAX + 1 bytes before it is split into words, so nothing is
 * ever cut or read past the caller's buffer. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "genutil.h"
#include "hookparse.h"
#include "layout.h"

#define ECHO_MAX	160	/* bytes of a word quoted back in a message */

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* ---- lines and words ---- */

struct reader {
	const char *buf;
	size_t len, at;
	char *line;		/* TEXT_LINE_MAX + 1 bytes */
	char **words;		/* room for TEXT_LINE_MAX / 2 + 1 words */
	size_t nwords;
};

/* The next line into r->line, checked; 1 if there is one, 0 at the end,
 * -EINVAL with the message set. */
static int next_line(struct reader *r, struct text_pos *p)
{
	const char *b, *nl;
	size_t n, i;

	if (r->at >= r->len)
		return 0;
	b = r->buf + r->at;
	nl = memchr(b, '\n', r->len - r->at);
	n = nl ? (size_t)(nl - b) : r->len - r->at;
	r->at += n + (nl ? 1 : 0);
	p->line++;
	if (n && b[n - 1] == '\r')
		n--;
	if (n > TEXT_LINE_MAX)
		return fail_at(p, "line longer than %d bytes: split it (a directive or module "
			    "list may take several lines)", TEXT_LINE_MAX);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)b[i];

		if (!ch)
			return fail_at(p, "NUL byte: is this a text file?");
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return fail_at(p, "control character 0x%02x: the file is plain text; "
				    "remove it", ch);
	}
	if (p->line == 1 && n >= 3 && !memcmp(b, "\xef\xbb\xbf", 3))
		return fail_at(p, "the file starts with a UTF-8 byte order mark: save it "
			    "without one");
	memcpy(r->line, b, n);
	r->line[n] = '\0';
	return 1;
}

/* Split r->line at blanks; a comment line or a blank one has no words. */
static void split_words(struct reader *r)
{
	char *s = r->line;

	r->nwords = 0;
	while (is_blank(*s))
		s++;
	if (*s == '#')
		return;
	while (*s) {
		r->words[r->nwords++] = s;
		while (*s && !is_blank(*s))
			s++;
		if (*s)
			*s++ = '\0';
		while (is_blank(*s))
			s++;
	}
}

static int reader_open(struct reader *r, const char *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
	r->line = malloc(TEXT_LINE_MAX + 1);
	r->words = malloc((TEXT_LINE_MAX / 2 + 1) * sizeof(*r->words));
	if (!r->line || !r->words) {
		free(r->line);
		free(r->words);
		return -ENOMEM;
	}
	return 0;
}

static void reader_close(struct reader *r)
{
	free(r->line);
	free(r->words);
}

/* A hint for a line whose later word starts with '#', which the old
 * format took for a comment. */
static const char *hash_hint(const struct reader *r)
{
	size_t i;

	for (i = 1; i < r->nwords; i++)
		if (r->words[i][0] == '#')
			return " ('#' starts a comment only at the start of a line: put the "
			       "comment on a line of its own)";
	return "";
}

static int too_big(const struct text_pos *p, size_t len)
{
	if (len <= TEXT_FILE_MAX)
		return 0;
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, "%s: larger than %d bytes: is this the right "
			 "file?", p->name, TEXT_FILE_MAX);
	return -EFBIG;
}

/* ---- image paths ---- */

int imgpath_norm(const char *in, char *out, size_t size)
{
	const char *s = in, *e;
	size_t o = 0, clen, i;

	if (size > IMGPATH_MAX + 1)
		size = IMGPATH_MAX + 1;
	if (!size)
		return -ENAMETOOLONG;
	for (i = 0; in[i]; i++)
		if ((unsigned char)in[i] < 0x20 || in[i] == 0x7f)
			return -EILSEQ;
	while (*s) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = strchrnul(s, '/');
		clen = (size_t)(e - s);
		if (clen == 1 && s[0] == '.') {
			s = e;
			continue;
		}
		if (clen == 2 && s[0] == '.' && s[1] == '.')
			return -EINVAL;
		if (o + !!o + clen >= size)
			return -ENAMETOOLONG;
		if (o)
			out[o++] = '/';
		memcpy(out + o, s, clen);
		o += clen;
		s = e;
	}
	if (!o)
		return -ENOENT;
	out[o] = '\0';
	return 0;
}

/* Normalise the image path @word of directive @what into a malloc'd string. */
static int take_path(const struct text_pos *p, const char *what, const char *word, char **dest)
{
	char *buf = malloc(IMGPATH_MAX + 1);
	int r;

	if (!buf)
		return -ENOMEM;
	r = imgpath_norm(word, buf, IMGPATH_MAX + 1);
	if (r) {
		free(buf);
		if (r == -EINVAL)
			return fail_at(p, "%s %.*s: '..' in a path in the image: write the path "
				    "from the image's root, without '..'", what, ECHO_MAX, word);
		if (r == -ENOENT)
			return fail_at(p, "%s %.*s: the path names the image's root itself: name "
				    "a path below it", what, ECHO_MAX, word);
		if (r == -ENAMETOOLONG)
			return fail_at(p, "%s %.*s...: the path in the image is longer than %d "
				    "bytes", what, ECHO_MAX, word, IMGPATH_MAX);
		return fail_at(p, "%s: a control character in the path", what);
	}
	*dest = buf;
	return 0;
}

/* ---- build hooks ---- */

/* A word of letters, digits and the characters of @extra, 1 to @max long. */
static int plain_name(const char *w, size_t max, const char *extra)
{
	size_t n = strlen(w), i;

	if (!n || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!((w[i] >= 'a' && w[i] <= 'z') || (w[i] >= 'A' && w[i] <= 'Z') ||
		      (w[i] >= '0' && w[i] <= '9') || strchr(extra, w[i])))
			return 0;
	return 1;
}

static const struct {
	const char *name;
	enum hook_kind kind;
	size_t min, max;	/* words after the name (SIZE_MAX: any number) */
	const char *usage;
} directives[] = {
	{ "file",	HOOK_FILE,	1, 2, "file HOST [PATH]" },
	{ "binary",	HOOK_BINARY,	1, SIZE_MAX, "binary PROGRAM..." },
	{ "hook",	HOOK_HOOK,	1, 1, "hook NAME" },
	{ "dir",	HOOK_DIR,	1, 1, "dir PATH" },
	{ "link",	HOOK_LINK,	2, 2, "link TARGET PATH" },
	{ "applets",	HOOK_APPLETS,	2, 2, "applets BUSYBOX PATH" },
	{ "runtime",	HOOK_RUNTIME,	2, 2, "runtime SCRIPT STAGE" },
	{ "optional",	HOOK_OPTIONAL,	0, 0, "optional" },
	{ "helper",	HOOK_HELPER,	1, 1, "helper NAME" },
	{ "action",	HOOK_ACTION,	2, 2, "action TYPE PROGRAM" },
};

#define NDIRECTIVES ARRAY_SIZE(directives)

void hook_prog_free(struct hook_prog *p)
{
	size_t i, k;

	for (i = 0; i < p->n; i++) {
		for (k = 0; k < p->d[i].nargs; k++)
			free(p->d[i].args[k]);
		free(p->d[i].args);
		free(p->d[i].dest);
	}
	free(p->d);
	memset(p, 0, sizeof(*p));
}

/* The runtime directive: a known stage, a script with a file name. */
static int runtime_dest(const struct text_pos *p, const char *script, const char *stage,
			char **dest)
{
	static const char *const stages[] = { LAYOUT_HOOK_STAGES };
	const char *base = strrchr(script, '/');
	char *path;
	size_t k;
	int r;

	for (k = 0; k < ARRAY_SIZE(stages); k++)
		if (!strcmp(stage, stages[k]))
			break;
	if (k == ARRAY_SIZE(stages))
		return fail_at(p, "no runtime stage '%.*s' (init-top, premount, local-premount, "
			    "local-bottom, init-bottom)", ECHO_MAX, stage);
	base = base ? base + 1 : script;
	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return fail_at(p, "runtime %.*s: name a script file, not a directory", ECHO_MAX,
			    script);
	if (asprintf(&path, LAYOUT_HOOKS "/%s/%s", stage, base) < 0)
		return -ENOMEM;
	r = take_path(p, "runtime", path, dest);
	free(path);
	return r;
}

static int add_directive(const struct text_pos *p, const struct reader *r, void *prog)
{
	struct hook_prog *out = prog;
	struct hook_directive *d;
	const char *what = r->words[0];
	size_t nargs = r->nwords - 1, k, i;
	int ret = 0;

	for (k = 0; k < NDIRECTIVES; k++)
		if (!strcmp(what, directives[k].name))
			break;
	if (k == NDIRECTIVES)
		return fail_at(p, "unknown directive '%.*s' (the directives are file, binary, "
			    "hook, dir, link, applets, runtime, optional, helper and action)", ECHO_MAX, what);
	if (nargs < directives[k].min || nargs > directives[k].max)
		return fail_at(p, "write %s; this line has %zu word%s after '%s'%s",
			    directives[k].usage, nargs, nargs == 1 ? "" : "s", what,
			    *hash_hint(r) ? hash_hint(r) : nargs > directives[k].max ?
			    " (words are separated by blanks, with no quoting: a name "
			    "holding blanks cannot be written)" : "");
	if (out->n == out->cap) {
		size_t cap = out->cap ? 2 * out->cap : 16;
		struct hook_directive *nd = realloc(out->d, cap * sizeof(*nd));

		if (!nd)
			return -ENOMEM;
		out->d = nd;
		out->cap = cap;
	}
	d = &out->d[out->n];
	memset(d, 0, sizeof(*d));
	d->kind = directives[k].kind;
	d->line = p->line;
	d->args = calloc(nargs + 1, sizeof(*d->args));
	if (!d->args)
		return -ENOMEM;
	out->n++;	/* from here on, hook_prog_free() frees it */
	for (i = 0; i < nargs; i++) {
		d->args[i] = strdup(r->words[i + 1]);
		if (!d->args[i])
			return -ENOMEM;
		d->nargs++;
	}
	switch (d->kind) {
	case HOOK_FILE:
		ret = take_path(p, what, d->args[nargs - 1], &d->dest);
		break;
	case HOOK_DIR:
		ret = take_path(p, what, d->args[0], &d->dest);
		break;
	case HOOK_LINK:
		ret = take_path(p, what, d->args[1], &d->dest);
		break;
	case HOOK_APPLETS:
		if (d->args[0][0] != '/')
			return fail_at(p, "applets %.*s: write the absolute path of the BusyBox "
				    "to run", ECHO_MAX, d->args[0]);
		ret = take_path(p, what, d->args[1], &d->dest);
		break;
	case HOOK_BINARY:
		for (i = 0; i < nargs; i++)
			if (d->args[i][0] != '/')
				return fail_at(p, "binary %.*s: write the program's absolute path",
					    ECHO_MAX, d->args[i]);
		break;
	case HOOK_RUNTIME:
		ret = runtime_dest(p, d->args[0], d->args[1], &d->dest);
		break;
	case HOOK_HELPER:
		if (!plain_name(d->args[0], 64, "-_"))
			return fail_at(p, "helper %.*s: name one of initkit's helper programs "
				    "(letters, digits, '-' and '_')", ECHO_MAX, d->args[0]);
		if (asprintf(&d->dest, LAYOUT_HELPERS "/%s", d->args[0]) < 0)
			return -ENOMEM;
		break;
	case HOOK_ACTION:
		if (!plain_name(d->args[0], ACTION_TYPE_MAX, "_"))
			return fail_at(p, "action %.*s: the type is a probe's name as blkid prints "
				    "it (LVM2_member, linux_raid_member, crypto_LUKS): letters, "
				    "digits and '_', at most %d", ECHO_MAX, d->args[0],
				    ACTION_TYPE_MAX);
		if (d->args[1][0] != '/')
			return fail_at(p, "action %s %.*s: write the program's absolute path in "
				    "the image", d->args[0], ECHO_MAX, d->args[1]);
		if (asprintf(&d->dest, LAYOUT_ACTIONS "/%s", d->args[0]) < 0)
			return -ENOMEM;
		break;
	case HOOK_HOOK:
	case HOOK_OPTIONAL:
		break;
	}
	return ret;
}

/* Both languages' one loop: each line with words goes to @add, until the
 * end, a refused line or -ENOMEM (named with the line here). */
static int parse_lines(struct text_pos *p, const char *buf, size_t len,
		       int (*add)(const struct text_pos *, const struct reader *, void *),
		       void *out)
{
	struct reader r;
	int ret;

	if (p->err && p->errlen)
		p->err[0] = '\0';
	ret = too_big(p, len);
	if (ret)
		return ret;
	ret = reader_open(&r, buf, len);
	if (ret)
		return ret;
	while ((ret = next_line(&r, p)) > 0) {
		split_words(&r);
		if (!r.nwords)
			continue;
		ret = add(p, &r, out);
		if (ret)
			break;
	}
	reader_close(&r);
	if (ret == -ENOMEM && p->err && p->errlen)
		snprintf(p->err, p->errlen, "%s:%u: out of memory", p->name, p->line);
	return ret;
}

int hook_parse(const char *name, const char *buf, size_t len, struct hook_prog *out,
	       char *err, size_t errlen)
{
	struct text_pos p = { name ? name : "hook", 0, err, errlen };
	int ret;

	memset(out, 0, sizeof(*out));
	ret = parse_lines(&p, buf, len, add_directive, out);
	if (ret)
		hook_prog_free(out);
	return ret;
}

/* ---- module sets ---- */

void modset_free(struct modset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->e[i].name);
	free(s->e);
	for (i = 0; i < s->nhooks; i++)
		free(s->hooks[i]);
	free(s->hooks);
	memset(s, 0, sizeof(*s));
}

static int add_entry(const struct text_pos *p, const struct reader *r, void *set)
{
	struct modset *out = set;
	struct modset_entry *e;
	const char *w = r->words[0];
	int optional = w[0] == '?';

	if (r->nwords == 2 && !strcmp(w, "hook")) {
		char **nh;

		if (!plain_name(r->words[1], 64, "-_."))
			return fail_at(p, "hook %.*s: name a hook in DATADIR/hooks", ECHO_MAX,
				    r->words[1]);
		nh = realloc(out->hooks, (out->nhooks + 1) * sizeof(*nh));
		if (!nh)
			return -ENOMEM;
		out->hooks = nh;
		if (!(nh[out->nhooks] = strdup(r->words[1])))
			return -ENOMEM;
		out->nhooks++;
		return 0;
	}
	if (r->nwords == 2 && !strcmp(w, "store")) {
		if (strcmp(r->words[1], "lazy"))
			return fail_at(p, "store %.*s: the one form is 'store lazy' (this set's "
				    "modules gzipped one by one, inflated by /init when loaded)",
				    ECHO_MAX, r->words[1]);
		out->lazy = 1;
		return 0;
	}
	if (r->nwords > 1 && *hash_hint(r))
		return fail_at(p, "one module per line, and '#' starts a comment only at the "
			    "start of a line: put the comment on a line of its own");
	if (r->nwords > 1)
		return fail_at(p, "one module per line: put '%.*s' on a line of its own",
			    ECHO_MAX, r->words[1]);
	if (optional)
		w++;
	if (!*w)
		return fail_at(p, "'?' names no module: write ?NAME");
	if (*w == '#')
		return fail_at(p, "'?%.*s': no module name starts with '#'; a comment is a line "
			    "starting with '#'", ECHO_MAX, w);
	if (out->n == out->cap) {
		size_t cap = out->cap ? 2 * out->cap : 32;
		struct modset_entry *ne = realloc(out->e, cap * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		out->e = ne;
		out->cap = cap;
	}
	e = &out->e[out->n];
	e->line = p->line;
	e->optional = optional;
	e->glob = strpbrk(w, "/*?[") != NULL;
	e->name = strdup(w);
	if (!e->name)
		return -ENOMEM;
	out->n++;
	return 0;
}

int modset_parse(const char *name, const char *buf, size_t len, struct modset *out,
		 char *err, size_t errlen)
{
	struct text_pos p = { name ? name : "set", 0, err, errlen };
	int ret;

	memset(out, 0, sizeof(*out));
	ret = parse_lines(&p, buf, len, add_entry, out);
	if (ret)
		modset_free(out);
	return ret;
}

/* ---- BusyBox's applet list ---- */

void applets_free(char **paths, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

int applets_parse(const char *buf, size_t len, const char *self, char ***paths, size_t *n,
		  char *err, size_t errlen)
{
	char **v = NULL, *path = NULL, *line = NULL;
	size_t nv = 0, cap = 0, at = 0, lineno = 0;
	int r = 0;

	*paths = NULL;
	*n = 0;
	if (err && errlen)
		err[0] = '\0';
	line = malloc(IMGPATH_MAX + 1);
	path = malloc(IMGPATH_MAX + 1);
	if (!line || !path) {
		r = -ENOMEM;
		goto out;
	}
	while (at < len) {
		const char *b = buf + at, *nl = memchr(b, '\n', len - at);
		size_t ln = nl ? (size_t)(nl - b) : len - at;

		at += ln + (nl ? 1 : 0);
		lineno++;
		if (!ln)
			continue;
		if (ln > IMGPATH_MAX || memchr(b, '\0', ln)) {
			r = -EINVAL;
			if (err && errlen)
				snprintf(err, errlen, "line %zu: %s", lineno, ln > IMGPATH_MAX ?
					 "longer than a path in the image may be" : "a NUL byte");
			goto out;
		}
		memcpy(line, b, ln);
		line[ln] = '\0';
		r = imgpath_norm(line, path, IMGPATH_MAX + 1);
		if (r) {
			if (err && errlen)
				snprintf(err, errlen, "line %zu: '%.*s' is no path in the image "
					 "(%s)", lineno, ECHO_MAX, line, r == -EINVAL ?
					 "it has a '..' component" : r == -EILSEQ ?
					 "a control character" : r == -ENOENT ? "empty" :
					 "too long");
			r = -EINVAL;
			goto out;
		}
		if (self && !strcmp(path, self))
			continue;
		if (nv == cap) {
			char **nn = realloc(v, (cap = cap ? 2 * cap : 64) * sizeof(*nn));

			if (!nn) {
				r = -ENOMEM;
				goto out;
			}
			v = nn;
		}
		v[nv] = strdup(path);
		if (!v[nv]) {
			r = -ENOMEM;
			goto out;
		}
		nv++;
	}
out:
	free(line);
	free(path);
	if (r == -ENOMEM && err && errlen)
		snprintf(err, errlen, "out of memory");
	if (r) {
		applets_free(v, nv);
		return r;
	}
	*paths = v;
	*n = nv;
	return 0;
}
