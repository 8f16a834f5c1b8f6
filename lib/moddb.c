/* moddb.c - parse and query the pre-digested module database */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "moddb.h"
#include "wildcard.h"

/* Split @line at TABs into at most @max fields; returns the count. */
static int split(char *line, char **f, int max)
{
	int n = 0;

	while (n < max) {
		f[n++] = line;
		line = strchr(line, '\t');
		if (!line)
			break;
		*line++ = '\0';
	}
	return line ? -1 : n;	/* more fields than expected */
}

static int valid_index_list(const char *s, int limit)
{
	const char *p = s;
	int i;

	if (!strcmp(s, "-"))
		return 1;
	while ((i = moddb_next_index(&p)) >= 0)
		if (i >= limit)
			return 0;
	return *p == '\0';
}

/* Where the line after @line starts (the end of the text if none); with
 * @cut, @line's newline becomes its terminating NUL. */
static char *line_end(char *line, int cut)
{
	char *next = strchr(line, '\n');

	if (!next)
		return line + strlen(line);
	if (cut)
		*next = '\0';
	return next + 1;
}

static int parse_records(char *buf, struct moddb *db, int *bad_line)
{
	char *line = buf, *next, *f[6];
	int lineno = 0, n;

	for (; *line; line = next) {
		lineno++;
		next = line_end(line, 1);
		if (!*line || *line == '#')
			continue;
		*bad_line = lineno;
		if (line[0] == 'm' && line[1] == '\t') {
			struct moddb_module *m;

			n = split(line + 2, f, 5);
			if (n != 5 || !*f[0] || strlen(f[0]) >= MODDB_NAME_MAX ||
			    *f[1] != '/' || (strcmp(f[4], "0") && strcmp(f[4], "1")))
				return -EINVAL;
			if (db->nalias || db->ncpu)
				return -EINVAL;		/* modules come first */
			m = &db->mod[db->nmod];
			m->name = f[0];
			m->path = f[1];
			m->closure = strcmp(f[2], "-") ? f[2] : "";
			m->post = strcmp(f[3], "-") ? f[3] : "";
			m->boot = f[4][0] == '1';
			m->cpu_req = 0;
			/* a closure may only name earlier modules: load order */
			if (!valid_index_list(f[2], db->nmod) ||
			    !valid_index_list(f[3], INT_MAX))
				return -EINVAL;
			db->nmod++;
		} else if ((line[0] == 'a' || line[0] == 'c') && line[1] == '\t') {
			struct moddb_alias *a;
			const char *p;
			int idx, cpu = line[0] == 'c';

			n = split(line + 2, f, 2);
			p = f[1];
			if (n != 2 || !*f[0] || (idx = moddb_next_index(&p)) < 0 ||
			    *p || idx >= db->nmod)
				return -EINVAL;
			if (cpu)
				db->mod[idx].cpu_req++;
			a = cpu ? &db->cpu[db->ncpu++] : &db->alias[db->nalias++];
			a->pattern = f[0];
			a->module = idx;
			a->fixed = (int)strcspn(f[0], "*?[\\");
		} else {
			return -EINVAL;
		}
	}
	/* post lists may name later modules: check them now */
	*bad_line = 0;
	for (n = 0; n < db->nmod; n++)
		if (!valid_index_list(db->mod[n].post, db->nmod))
			return -EINVAL;
	return 0;
}

int moddb_parse(char *buf, struct moddb *db, int *bad_line)
{
	static const char kinds[] = "mac";
	size_t count[3] = { 0, 0, 0 }, size;
	const char *k;
	char *line;
	int r;

	/* Size the tables first: a pass counting the lines that start with
	 * "m", "a" or "c".  The parse takes no more records of each kind. */
	for (line = buf; *line; line = line_end(line, 0))
		if ((k = strchr(kinds, *line)))
			count[k - kinds]++;
	size = count[0] * sizeof(*db->mod) + (count[1] + count[2]) * sizeof(*db->alias);
	db->nmod = db->nalias = db->ncpu = 0;
	*bad_line = 0;
	db->mod = malloc(size ? size : 1);
	if (!db->mod)
		return -ENOMEM;
	db->alias = (struct moddb_alias *)(db->mod + count[0]);
	db->cpu = db->alias + count[1];
	r = parse_records(buf, db, bad_line);
	if (r)
		moddb_free(db);
	return r;
}

void moddb_free(struct moddb *db)
{
	free(db->mod);
	db->mod = NULL;
	db->alias = db->cpu = NULL;
	db->nmod = db->nalias = db->ncpu = 0;
}

int moddb_bus(const char *pattern, const char **bus)
{
	size_t n = strcspn(pattern, ":*?[");

	/* "pci:...", "acpi*:..."; not "char-major-10-*" */
	if (!n || (pattern[n] != ':' && (pattern[n] != '*' || pattern[n + 1] != ':')))
		return 0;
	*bus = pattern;
	if ((n == 4 && !strncmp(pattern, "acpi", 4)) || (n == 2 && !strncmp(pattern, "of", 2))) {
		*bus = "platform";
		n = 8;
	}
	return (int)n;
}

int moddb_next_index(const char **p)
{
	const char *s = *p;
	int v = 0, digits = 0;

	if (*s == ',')
		s++;
	while (*s >= '0' && *s <= '9' && digits < 6) {
		v = v * 10 + (*s++ - '0');
		digits++;
	}
	if (!digits || (*s && *s != ','))
		return -1;
	*p = s;
	return v;
}

int moddb_match(const struct moddb *db, const char *modalias,
		int (*fn)(int idx, int fixed, void *arg), void *arg)
{
	/* A module may have many aliases matching one device: report once.
	 * Matches are few, so a small list of the ones reported will do. */
	int seen[64];
	int nseen = 0, i, j, r;
	size_t len = strlen(modalias);

	for (i = 0; i < db->nalias; i++) {
		const struct moddb_alias *a = &db->alias[i];

		if ((size_t)a->fixed > len || memcmp(a->pattern, modalias, (size_t)a->fixed))
			continue;
		if (!wildcard_match(a->pattern, modalias))
			continue;
		for (j = 0; j < nseen && seen[j] != a->module; j++)
			;
		if (j < nseen)
			continue;
		if (nseen < (int)(sizeof(seen) / sizeof(seen[0])))
			seen[nseen++] = a->module;
		r = fn(a->module, a->fixed, arg);
		if (r)
			return r;
	}
	return 0;
}

static int hexdigit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

void moddb_cpu_init(struct moddb_cpu *cpu, const char *modalias)
{
	static const char x86[] = "cpu:type:x86,ven";
	const char *p;
	int i, f, d;

	memset(cpu->has, 0, sizeof(cpu->has));
	cpu->modalias = modalias;
	cpu->listed = 0;
	if (!modalias || strncmp(modalias, x86, sizeof(x86) - 1))
		return;
	/* The pattern "cpu:type:x86,ven*fam*mod*:feature:*HHHH*" matches iff
	 * "fam", "mod" and ":feature:" follow in that order (the first of each
	 * is the most permissive choice) and HHHH occurs after ":feature:".
	 * In the kernel's list, ",0000,0001,0094", four hex digits in a row
	 * are exactly one feature. */
	if (!(p = strstr(modalias + sizeof(x86) - 1, "fam")) || !(p = strstr(p + 3, "mod")) ||
	    !(p = strstr(p + 3, ":feature:")))
		return;
	for (p += 9; *p == ','; p += 5) {
		for (f = 0, i = 1; i <= 4; i++) {
			if ((d = hexdigit(p[i])) < 0)
				break;
			f = f * 16 + d;
		}
		if (i <= 4 || (p[5] && p[5] != ',' && p[5] != '\n'))
			return;		/* not the kernel's shape: leave the rest to matching */
		if (f < MODDB_CPU_FEATURES)
			cpu->has[f / 8] |= 1 << (f % 8);
	}
	cpu->listed = !*p || (*p == '\n' && !p[1]);
}

int moddb_cpu_ok(const struct moddb *db, int idx, const struct moddb_cpu *cpu)
{
	int i, f;

	if (!db->mod[idx].cpu_req || !cpu->modalias)
		return 1;
	for (i = 0; i < db->ncpu; i++) {
		if (db->cpu[i].module != idx)
			continue;
		f = moddb_x86_feature(db->cpu[i].pattern);
		if (f >= 0 && f < MODDB_CPU_FEATURES && cpu->listed) {
			if (cpu->has[f / 8] & (1 << (f % 8)))
				return 1;
		} else if (wildcard_match(db->cpu[i].pattern, cpu->modalias)) {
			return 1;
		}
	}
	return 0;
}

int moddb_x86_feature(const char *pattern)
{
	static const char any[] = "cpu:type:x86,ven*fam*mod*:feature:*";
	const char *p = pattern + sizeof(any) - 1;
	int f = 0, i;

	if (strncmp(pattern, any, sizeof(any) - 1))
		return -1;
	for (i = 0; i < 4; i++, p++) {
		int d = hexdigit(*p);

		if (d < 0)
			return -1;
		f = f * 16 + d;
	}
	return p[0] == '*' && !p[1] ? f : -1;
}

int modname_equal(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;

		if (x != y)
			return 0;
	}
	return *a == *b;
}

int moddb_find(const struct moddb *db, const char *name)
{
	int i;

	for (i = 0; i < db->nmod; i++)
		if (modname_equal(db->mod[i].name, name))
			return i;
	return -ENOENT;
}
