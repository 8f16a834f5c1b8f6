/* modsel.c - module selection and dependency closure (libkmod) */
#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "modsel.h"

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p) {
		fprintf(stderr, "mkinitramfs: out of memory\n");
		exit(1);
	}
	return p;
}

static int seterr(struct modsel *ms, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int seterr(struct modsel *ms, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ms->err, sizeof(ms->err), fmt, ap);
	va_end(ap);
	return err;
}

int modsel_open(struct modsel *ms, const char *basedir, const char *kver)
{
	struct stat st;
	char dep[PATH_MAX + 16];
	int n;

	memset(ms, 0, sizeof(*ms));
	n = snprintf(ms->moddir, sizeof(ms->moddir), "%s%slib/modules/%s", basedir,
		     basedir[0] && basedir[strlen(basedir) - 1] == '/' ? "" : "/", kver);
	if (n < 0 || (size_t)n >= sizeof(ms->moddir))
		return seterr(ms, -ENAMETOOLONG, "module directory path too long");
	if (stat(ms->moddir, &st) < 0 || !S_ISDIR(st.st_mode))
		return seterr(ms, -ENOENT, "no module tree at %s: is kernel %s installed "
			      "there? (-k KVER, -b BASEDIR)", ms->moddir, kver);
	snprintf(dep, sizeof(dep), "%s/modules.dep.bin", ms->moddir);
	if (stat(dep, &st) < 0)
		return seterr(ms, -ENOENT, "%s is missing: run 'depmod%s%s %s' first",
			      dep, strcmp(basedir, "/") ? " -b " : "",
			      strcmp(basedir, "/") ? basedir : "", kver);
	ms->ctx = kmod_new(ms->moddir, NULL);
	if (!ms->ctx)
		return seterr(ms, -ENOMEM, "libkmod cannot open %s", ms->moddir);
	if (kmod_load_resources(ms->ctx) < 0) {
		kmod_unref(ms->ctx);
		ms->ctx = NULL;
		return seterr(ms, -EINVAL, "libkmod cannot read the indexes in %s "
			      "(run depmod)", ms->moddir);
	}
	return 0;
}

void modsel_close(struct modsel *ms)
{
	size_t i;

	for (i = 0; i < ms->n; i++) {
		free(ms->items[i].name);
		free(ms->items[i].path);
		free(ms->items[i].relpath);
	}
	free(ms->items);
	free(ms->visiting);
	if (ms->ctx)
		kmod_unref(ms->ctx);
	memset(ms, 0, sizeof(*ms));
}

static int selected(const struct modsel *ms, const char *name)
{
	size_t i;

	for (i = 0; i < ms->n; i++)
		if (!strcmp(ms->items[i].name, name))
			return 1;
	for (i = 0; i < ms->nvisiting; i++)
		if (!strcmp(ms->visiting[i], name))
			return 1;
	return 0;
}

static void push_item(struct modsel *ms, const char *name, const char *path)
{
	size_t dl = strlen(ms->moddir);
	struct modsel_item *it;

	if (ms->n == ms->cap) {
		ms->cap = ms->cap ? 2 * ms->cap : 64;
		ms->items = realloc(ms->items, ms->cap * sizeof(*ms->items));
		if (!ms->items) {
			fprintf(stderr, "mkinitramfs: out of memory\n");
			exit(1);
		}
	}
	it = &ms->items[ms->n++];
	it->name = xstrdup(name);
	it->path = xstrdup(path);
	if (!strncmp(path, ms->moddir, dl) && path[dl] == '/')
		it->relpath = xstrdup(path + dl + 1);
	else {
		const char *base = strrchr(path, '/');
		char buf[PATH_MAX];

		snprintf(buf, sizeof(buf), "extra/%s", base ? base + 1 : path);
		it->relpath = xstrdup(buf);
	}
}

static int visit(struct modsel *ms, struct kmod_module *mod, const char *origin);

static int visit_list(struct modsel *ms, struct kmod_list *list, const char *origin)
{
	struct kmod_list *l;
	int r = 0;

	kmod_list_foreach(l, list) {
		r = visit(ms, kmod_module_get_module(l), origin);
		if (r)
			break;
	}
	return r;
}

/* Post-order DFS: pre-softdeps, then dependencies, then the module, then
 * post-softdeps.  Emits a valid load order. */
static int visit(struct modsel *ms, struct kmod_module *mod, const char *origin)
{
	const char *name = kmod_module_get_name(mod);
	const char *path = kmod_module_get_path(mod);
	struct kmod_list *pre = NULL, *post = NULL, *deps;
	int r = 0;

	if (selected(ms, name))
		goto out;
	if (!path) {
		ms->nbuiltin++;
		if (ms->verbose)
			fprintf(stderr, "mkinitramfs: %s is built into the kernel (%s)\n",
				name, origin);
		goto out;
	}
	if (ms->nvisiting == ms->capvisiting) {
		ms->capvisiting = ms->capvisiting ? 2 * ms->capvisiting : 32;
		ms->visiting = realloc(ms->visiting, ms->capvisiting * sizeof(char *));
		if (!ms->visiting) {
			fprintf(stderr, "mkinitramfs: out of memory\n");
			exit(1);
		}
	}
	ms->visiting[ms->nvisiting++] = (char *)name;

	kmod_module_get_softdeps(mod, &pre, &post);
	r = visit_list(ms, pre, name);
	if (!r) {
		deps = kmod_module_get_dependencies(mod);
		r = visit_list(ms, deps, name);
		kmod_module_unref_list(deps);
	}
	ms->nvisiting--;
	if (!r) {
		push_item(ms, name, path);
		if (ms->verbose)
			fprintf(stderr, "mkinitramfs: module %s (%s)\n", name, origin);
		r = visit_list(ms, post, name);
	}
	kmod_module_unref_list(pre);
	kmod_module_unref_list(post);
out:
	kmod_module_unref(mod);
	return r;
}

int modsel_add(struct modsel *ms, const char *name, const char *origin)
{
	struct kmod_list *list = NULL, *l;
	int r;

	r = kmod_module_new_from_lookup(ms->ctx, name, &list);
	if (r < 0)
		return seterr(ms, r, "%s: looking up module '%s' failed: %s", origin,
			      name, strerror(-r));
	if (!list)
		return seterr(ms, -ENOENT, "%s: no module or alias '%s' in %s "
			      "(check the name with modinfo -k)", origin, name, ms->moddir);
	kmod_list_foreach(l, list) {
		r = visit(ms, kmod_module_get_module(l), origin);
		if (r)
			break;
	}
	kmod_module_unref_list(list);
	return r;
}

/* Module name from a path: basename without .ko*, '-' becomes '_'. */
static void path_to_name(const char *path, char *out, size_t size)
{
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	for (i = 0; base[i] && i + 1 < size; i++) {
		if (!strncmp(base + i, ".ko", 3) &&
		    (!base[i + 3] || base[i + 3] == '.'))
			break;
		out[i] = base[i] == '-' ? '_' : base[i];
	}
	out[i] = '\0';
}

int modsel_add_glob(struct modsel *ms, const char *glob, const char *origin)
{
	char path[PATH_MAX + 16], line[PATH_MAX];
	FILE *f;
	int r = 0, matched = 0;

	/* modules.dep lists every module depmod knows: "relpath: deps..." */
	snprintf(path, sizeof(path), "%s/modules.dep", ms->moddir);
	f = fopen(path, "re");
	if (!f)
		return seterr(ms, -errno, "%s: cannot read %s: %s", origin, path,
			      strerror(errno));
	while (!r && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), name[256];

		if (!colon)
			continue;
		*colon = '\0';
		if (fnmatch(glob, line, 0))
			continue;
		matched++;
		path_to_name(line, name, sizeof(name));
		r = modsel_add(ms, name, origin);
	}
	fclose(f);
	if (!r && !matched && ms->verbose)
		fprintf(stderr, "mkinitramfs: %s: no module matches %s\n", origin, glob);
	return r;
}

int modsel_add_set(struct modsel *ms, const char *file, int strict)
{
	char line[1024], origin[PATH_MAX + 32];
	FILE *f = fopen(file, "re");
	int lineno = 0, r = 0, optional;

	if (!f)
		return seterr(ms, -errno, "cannot read module set %s: %s", file,
			      strerror(errno));
	while (!r && fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			r = seterr(ms, -EINVAL, "%s:%d: line too long", file, lineno);
			break;
		}
		end = strchr(p, '#');
		if (end)
			*end = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strlen(p);
		while (end > p && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (!*p)
			continue;
		if (strpbrk(p, " \t"))
			r = seterr(ms, -EINVAL, "%s:%d: one module per line, got '%s'",
				   file, lineno, p);
		snprintf(origin, sizeof(origin), "%s:%d", file, lineno);
		if (r)
			break;
		optional = *p == '?';
		if (optional)
			p++;
		if (strpbrk(p, "/*?["))
			r = modsel_add_glob(ms, p, origin);
		else {
			r = modsel_add(ms, p, origin);
			if (r == -ENOENT && !strict && (optional || ms->verbose)) {
				if (!optional || ms->verbose)
					fprintf(stderr, "mkinitramfs: %s: module '%s' is not "
						"in this kernel; skipped\n", origin, p);
				r = 0;
			} else if (r == -ENOENT && !strict) {
				fprintf(stderr, "mkinitramfs: warning: %s: module '%s' is "
					"not in this kernel; skipped (mark it '?%s' if that "
					"is expected)\n", origin, p, p);
				r = 0;
			}
		}
	}
	fclose(f);
	return r;
}
