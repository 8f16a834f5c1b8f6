/* config.c - parse the generator's configuration file (format: config.h).
 *
 * Each line is bounds-checked and copied into a NUL-terminated buffer of
 * CONFIG_LINE_MAX + 1 bytes before it is looked at, so the parser proper
 * works on C strings and never sees the caller's buffer.  Settings go to a
 * scratch struct config and are moved into the caller's only when the
 * whole file is good. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"
#include "config.h"
#include "genutil.h"
#include "regfile.h"

#define ECHO_MAX	48	/* bytes of a bad value quoted back in a message */
#define SUGGEST_DIST	2	/* farthest "did you mean" */

enum kind { K_STR, K_COMP, K_INT, K_BOOL, K_LIST };

struct key {
	const char *name;
	enum kind kind;
	size_t off;		/* of the field in struct config */
	size_t line_off;	/* of its line number, or NO_LINE */
	int min, max;		/* K_INT */
	const char *hint;	/* K_INT: appended to the range in messages */
};

#define F(x) offsetof(struct config, x)
#define NO_LINE ((size_t)-1)

static const struct key keys[] = {
	{ "KVER",	K_STR,	F(kver),	NO_LINE, 0, 0, NULL },
	{ "BASEDIR",	K_STR,	F(basedir),	NO_LINE, 0, 0, NULL },
	{ "DATADIR",	K_STR,	F(datadir),	NO_LINE, 0, 0, NULL },
	{ "INIT",	K_STR,	F(init),	NO_LINE, 0, 0, NULL },
	{ "COMPRESS",	K_COMP,	F(compress),	F(compress_line), 0, 0, NULL },
	{ "LEVEL",	K_INT,	F(level),	F(level_line), 0, CONFIG_LEVEL_MAX,
	  " (gzip 1-12, zstd 1-19, xz 0-9, lz4 1-12)" },
	{ "THREADS",	K_INT,	F(threads),	F(threads_line), 1, CONFIG_THREADS_MAX, "" },
	{ "MODULES",	K_LIST,	F(modules),	NO_LINE, 0, 0, NULL },
	{ "SETS",	K_LIST,	F(sets),	NO_LINE, 0, 0, NULL },
	{ "HOOKS",	K_LIST,	F(hooks),	NO_LINE, 0, 0, NULL },
	{ "GENERIC",	K_BOOL,	F(generic),	NO_LINE, 0, 0, NULL },
	{ "HOSTONLY",	K_BOOL,	F(hostonly),	NO_LINE, 0, 0, NULL },
	{ "VERBOSE",	K_BOOL,	F(verbose),	NO_LINE, 0, 0, NULL },
	{ "BACKUP",	K_BOOL,	F(backup),	NO_LINE, 0, 0, NULL },
	{ "MICROCODE",	K_BOOL,	F(microcode),	NO_LINE, 0, 0, NULL },
	{ "LAZY_MODULES", K_BOOL, F(lazy_modules), NO_LINE, 0, 0, NULL },
	{ "OUTPUT",	K_STR,	F(output),	NO_LINE, 0, 0, NULL },
	{ "RESUME",	K_STR,	F(resume),	NO_LINE, 0, 0, NULL },
	{ "KEYMAP",	K_STR,	F(keymap),	NO_LINE, 0, 0, NULL },
};

#undef F

#define NKEYS ARRAY_SIZE(keys)

static const char *const compressors[] = { "gzip", "zstd", "xz", "lz4", "none" };

static char **str_field(struct config *c, const struct key *k)
{
	return (char **)((char *)c + k->off);
}

static int *int_field(struct config *c, const struct key *k)
{
	return (int *)((char *)c + k->off);
}

static char ***list_field(struct config *c, const struct key *k)
{
	return (char ***)((char *)c + k->off);
}

/* Where the key's line number goes, or NULL if it keeps none. */
static unsigned int *line_field(struct config *c, const struct key *k)
{
	return k->line_off == NO_LINE ? NULL : (unsigned int *)((char *)c + k->line_off);
}

static void list_free(char **l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; l[i]; i++)
		free(l[i]);
	free(l);
}

void config_init(struct config *c)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		if (line_field(c, &keys[i]))
			*line_field(c, &keys[i]) = 0;
		switch (keys[i].kind) {
		case K_STR:
		case K_COMP:
			*str_field(c, &keys[i]) = NULL;
			break;
		case K_INT:
		case K_BOOL:
			*int_field(c, &keys[i]) = -1;
			break;
		case K_LIST:
			*list_field(c, &keys[i]) = NULL;
			break;
		}
	}
}

void config_free(struct config *c)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		switch (keys[i].kind) {
		case K_STR:
		case K_COMP:
			free(*str_field(c, &keys[i]));
			break;
		case K_LIST:
			list_free(*list_field(c, &keys[i]));
			break;
		case K_INT:
		case K_BOOL:
			break;
		}
	}
	config_init(c);
}

/* Move every setting @from has into @to, replacing what @to had. */
static void config_move(struct config *to, struct config *from)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];

		if (line_field(from, k) && *line_field(from, k))
			*line_field(to, k) = *line_field(from, k);
		switch (k->kind) {
		case K_STR:
		case K_COMP:
			if (*str_field(from, k)) {
				free(*str_field(to, k));
				*str_field(to, k) = *str_field(from, k);
				*str_field(from, k) = NULL;
			}
			break;
		case K_INT:
		case K_BOOL:
			if (*int_field(from, k) >= 0)
				*int_field(to, k) = *int_field(from, k);
			break;
		case K_LIST:
			if (*list_field(from, k)) {
				list_free(*list_field(to, k));
				*list_field(to, k) = *list_field(from, k);
				*list_field(from, k) = NULL;
			}
			break;
		}
	}
}

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static int is_upper(char ch)
{
	return ch >= 'A' && ch <= 'Z';
}

static int is_name_char(char ch)
{
	return is_upper(ch) || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
}

static char upcase(char ch)
{
	return ch >= 'a' && ch <= 'z' ? (char)(ch - 'a' + 'A') : ch;
}

/* Optimal string alignment distance (Levenshtein plus swapping two
 * neighbours), ignoring case; anything over SUGGEST_DIST is reported as
 * SUGGEST_DIST + 1.  @b is a known key, so short. */
static int distance(const char *a, size_t la, const char *b)
{
	enum { N = 16 };
	int d[N + 1][N + 1];
	size_t lb = strlen(b), i, j;

	if (la > lb + SUGGEST_DIST || lb > la + SUGGEST_DIST || la > N || lb > N)
		return SUGGEST_DIST + 1;
	for (i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			int cost = upcase(a[i - 1]) != upcase(b[j - 1]);
			int v = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && upcase(a[i - 1]) == upcase(b[j - 2]) &&
			    upcase(a[i - 2]) == upcase(b[j - 1]) && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb] > SUGGEST_DIST ? SUGGEST_DIST + 1 : d[la][lb];
}

static int unknown_key(const struct text_pos *p, const char *name, size_t len)
{
	const char *best = NULL;
	int bestd = SUGGEST_DIST + 1;
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		int dist = distance(name, len, keys[i].name);

		if (dist < bestd) {
			bestd = dist;
			best = keys[i].name;
		}
	}
	if (best)
		return fail_at(p, "unknown setting '%.*s': did you mean %s?",
			    (int)(len > ECHO_MAX ? ECHO_MAX : len), name, best);
	return fail_at(p, "unknown setting '%.*s' (the settings are KVER, BASEDIR, DATADIR, "
		    "INIT, OUTPUT, COMPRESS, LEVEL, THREADS, MODULES, SETS, HOOKS, GENERIC, LAZY_MODULES, "
		    "HOSTONLY, VERBOSE, BACKUP and MICROCODE)",
		    (int)(len > ECHO_MAX ? ECHO_MAX : len), name);
}

static const struct key *find_key(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strlen(keys[i].name) == len && !memcmp(keys[i].name, name, len))
			return &keys[i];
	return NULL;
}

/* The length of @s without a trailing comment and blanks, at most @max. */
static size_t rest_len(const char *s, size_t max)
{
	size_t n = 0, end = 0;

	while (s[n] && n < max) {
		if (is_blank(s[n]) && s[n + 1] == '#')
			break;
		n++;
		if (!is_blank(s[n - 1]))
			end = n;
	}
	return end;
}

/* Read the value starting at @s (just after '=') into @out (room for the
 * whole line), up to the end of the line or a comment. */
static int read_value(const struct text_pos *p, const char *key, const char *s, char *out)
{
	const char *t;
	char *o = out;
	char quote = 0;

	if (*s == '\'') {
		quote = *s++;
		while (*s && *s != '\'')
			*o++ = *s++;
		if (!*s)
			return fail_at(p, "%s: no closing ' on this line: add one", key);
		s++;
	} else if (*s == '"') {
		quote = *s++;
		while (*s && *s != '"') {
			if (*s == '\\' && s[1] && strchr("\"\\$`", s[1])) {
				*o++ = s[1];
				s += 2;
				continue;
			}
			if (*s == '$' || *s == '`')
				return fail_at(p, "%s: '%c' would expand in sh and is not expanded "
					    "here: write the value out, escape it as \\%c, or use "
					    "single quotes", key, *s, *s);
			*o++ = *s++;
		}
		if (!*s)
			return fail_at(p, "%s: no closing \" on this line: add one", key);
		s++;
	} else if (is_blank(*s)) {
		t = s;
		while (is_blank(*t))
			t++;
		if (*t && *t != '#')
			return fail_at(p, "%s: space after '=': write %s=VALUE with no spaces "
				    "around '=', as in sh", key, key);
	} else {
		if (*s == '~')
			return fail_at(p, "%s: '~' is not expanded here: write the full path", key);
		while (*s && !is_blank(*s)) {
			if (strchr("\"'\\$`;&|<>()", *s))
				return fail_at(p, "%s: '%c' in an unquoted value: put the value "
					    "in single quotes", key, *s);
			*o++ = *s++;
		}
	}
	*o = '\0';
	t = s;
	while (is_blank(*s))
		s++;
	if (*s && (*s != '#' || s == t)) {	/* '#' after a quote is no comment */
		if (quote)
			return fail_at(p, "%s: '%.*s' after the closing %c: remove it, or make it "
				    "a comment with ' #'", key, ECHO_MAX, s, quote);
		return fail_at(p, "%s: unquoted space in the value: put the value in quotes "
			    "(%s=\"%.*s %.*s\")", key, key, ECHO_MAX, out,
			    (int)rest_len(s, ECHO_MAX), s);
	}
	return 0;
}

/* Split @s at spaces and tabs into a malloc'd NULL-terminated array. */
static int split_list(const char *s, char ***out)
{
	size_t n = 0, i;
	const char *t;
	char **l;

	for (t = s; *t; ) {
		while (is_blank(*t))
			t++;
		if (!*t)
			break;
		n++;
		while (*t && !is_blank(*t))
			t++;
	}
	l = calloc(n + 1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	for (t = s, i = 0; i < n; i++) {
		const char *w;

		while (is_blank(*t))
			t++;
		w = t;
		while (*t && !is_blank(*t))
			t++;
		l[i] = strndup(w, (size_t)(t - w));
		if (!l[i]) {
			list_free(l);
			return -ENOMEM;
		}
	}
	*out = l;
	return 0;
}

static int set_value(const struct text_pos *p, struct config *c, const struct key *k, const char *v)
{
	size_t i;
	unsigned long n;

	if (!*v && k->kind != K_LIST)
		return fail_at(p, "%s is empty: give a value, or delete the line to use the "
			    "default", k->name);
	switch (k->kind) {
	case K_COMP:
		for (i = 0; i < ARRAY_SIZE(compressors); i++)
			if (!strcmp(v, compressors[i]))
				break;
		if (i == ARRAY_SIZE(compressors))
			return fail_at(p, "COMPRESS=%.*s: unknown compression (use gzip, zstd, "
				    "xz, lz4 or none)", ECHO_MAX, v);
		/* fall through */
	case K_STR:
		*str_field(c, k) = strdup(v);
		return *str_field(c, k) ? 0 : -ENOMEM;
	case K_INT:
		if (parse_ulong(v, (unsigned long)k->min, (unsigned long)k->max, &n)) {
			*int_field(c, k) = -1;
			return fail_at(p, "%s=%.*s: use a number from %d to %d%s", k->name,
				    ECHO_MAX, v, k->min, k->max, k->hint);
		}
		*int_field(c, k) = (int)n;
		return 0;
	case K_BOOL:
		if (!strcmp(v, "yes"))
			*int_field(c, k) = 1;
		else if (!strcmp(v, "no"))
			*int_field(c, k) = 0;
		else
			return fail_at(p, "%s=%.*s: use yes or no", k->name, ECHO_MAX, v);
		return 0;
	case K_LIST:
		return split_list(v, list_field(c, k));
	}
	return -EINVAL;
}

/* One line, NUL-terminated, checked for length and bytes.  @seen holds the
 * line each key was first set on (0: not yet). */
static int parse_line(const struct text_pos *p, struct config *c, const char *line,
		      unsigned int *seen, char *val)
{
	const struct key *k;
	const char *s = line, *name, *t;
	size_t len;

	while (is_blank(*s))
		s++;
	if (!*s || *s == '#')
		return 0;
	name = s;
	while (is_name_char(*s))
		s++;
	len = (size_t)(s - name);
	if (len && is_blank(*s)) {
		for (t = s; is_blank(*t); t++)
			;
		if (*t == '=')
			return fail_at(p, "space before '=': write %.*s=VALUE with no spaces around "
				    "'=', as in sh", (int)(len > ECHO_MAX ? ECHO_MAX : len), name);
	}
	t = strchr(name, '=');
	if (!t || t == name)
		return fail_at(p, "expected KEY=VALUE, found '%.*s'", ECHO_MAX, name);
	if (t != s || (name[0] >= '0' && name[0] <= '9'))
		return fail_at(p, "'%.*s' is not a setting name: write KEY=VALUE with one of "
			    "the keys in the manual", (int)(t - name > ECHO_MAX ? ECHO_MAX :
			    t - name), name);
	k = find_key(name, len);
	if (!k)
		return unknown_key(p, name, len);
	if (seen[k - keys])
		return fail_at(p, "%s is already set on line %u: keep one of the two", k->name,
			    seen[k - keys]);
	seen[k - keys] = p->line;
	if (line_field(c, k))
		*line_field(c, k) = p->line;
	if (read_value(p, k->name, s + 1, val))
		return -EINVAL;
	return set_value(p, c, k, val);
}

/* Check the raw line @b[0..@n) and copy it into @line, NUL-terminated. */
static int take_line(const struct text_pos *p, const char *b, size_t n, char *line)
{
	size_t i;

	if (n && b[n - 1] == '\r')
		n--;
	if (n > CONFIG_LINE_MAX)
		return fail_at(p, "line longer than %d bytes: shorten it (a long module list "
			    "belongs in a set in modules.d/)", CONFIG_LINE_MAX);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)b[i];

		if (!ch)
			return fail_at(p, "NUL byte: is this a text file?");
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return fail_at(p, "control character 0x%02x: a configuration file is "
				    "plain text", ch);
	}
	if (p->line == 1 && n >= 3 && !memcmp(b, "\xef\xbb\xbf", 3))
		return fail_at(p, "the file starts with a UTF-8 byte order mark: save it "
			    "without one");
	memcpy(line, b, n);
	line[n] = '\0';
	return 0;
}

int config_parse_buf(struct config *c, const char *name, const char *buf, size_t len,
		     char *err, size_t errlen)
{
	struct text_pos p = { name ? name : "config", 0, err, errlen };
	unsigned int seen[NKEYS] = { 0 };
	char *line, *val;
	struct config tmp;
	size_t at = 0;
	int r = 0;

	if (err && errlen)
		err[0] = '\0';
	line = malloc(2 * (CONFIG_LINE_MAX + 1));
	if (!line)
		return -ENOMEM;
	val = line + CONFIG_LINE_MAX + 1;
	config_init(&tmp);
	while (at < len) {
		const char *nl = memchr(buf + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (buf + at)) : len - at;

		p.line++;
		r = take_line(&p, buf + at, n, line);
		if (!r)
			r = parse_line(&p, &tmp, line, seen, val);
		if (r)
			break;
		at += n + (nl ? 1 : 0);
	}
	if (r == -ENOMEM && err && errlen)
		snprintf(err, errlen, "%s:%u: out of memory", p.name, p.line);
	if (!r)
		config_move(c, &tmp);
	config_free(&tmp);
	free(line);
	return r;
}

static void set_err(char *err, size_t errlen, const char *name, int r, const char *what)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", name, what ? what : strerror(-r));
}

int config_parse(struct config *c, const char *path, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd, r;

	/* regular files only: a FIFO named -C must not hang the run */
	fd = open_regular(path, 0, &st);
	if (fd == -EISDIR || fd == -EINVAL) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %s, not a settings file", path,
				 file_kind(st.st_mode));
		return fd;
	}
	if (fd < 0) {
		set_err(err, errlen, path, fd, NULL);
		return fd;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if (cap > CONFIG_FILE_MAX + 1)
				cap = CONFIG_FILE_MAX + 1;
			nb = realloc(buf, cap);
			if (!nb) {
				r = -ENOMEM;
				set_err(err, errlen, path, r, NULL);
				goto out;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			set_err(err, errlen, path, r, NULL);
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > CONFIG_FILE_MAX) {
			r = -EFBIG;
			set_err(err, errlen, path, r, "larger than 1 MiB: is this the "
				"configuration file?");
			goto out;
		}
	}
	r = config_parse_buf(c, path, buf, len, err, errlen);
out:
	free(buf);
	close(fd);
	return r;
}
