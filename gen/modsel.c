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
#include <unistd.h>
#include "hookparse.h"
#include "modsel.h"
#include "genutil.h"
#include "regfile.h"
#include "moddb.h"
#include "moddbw.h"

/* fmt_err() into ms->err, where modsel.h's callers find the reason */
static int seterr(struct modsel *ms, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int seterr(struct modsel *ms, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfmt_err(ms->err, sizeof(ms->err), err, fmt, ap);
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
		struct modsel_item *it = &ms->items[i];
		size_t k;

		for (k = 0; k < it->nneeds; k++)
			free(it->needs[k]);
		for (k = 0; k < it->npost; k++)
			free(it->post[k]);
		free(it->needs);
		free(it->post);
		free(it->name);
		free(it->path);
		free(it->relpath);
	}
	free(ms->items);
	free(ms->visiting);
	for (i = 0; i < ms->nset_hooks; i++)
		free(ms->set_hooks[i]);
	free(ms->set_hooks);
	if (ms->ctx)
		kmod_unref(ms->ctx);
	memset(ms, 0, sizeof(*ms));
}

static struct modsel_item *find_item(const struct modsel *ms, const char *name)
{
	size_t i;

	for (i = 0; i < ms->n; i++)
		if (!strcmp(ms->items[i].name, name))
			return &ms->items[i];
	return NULL;
}

static int selected(const struct modsel *ms, const char *name)
{
	size_t i;

	if (find_item(ms, name))
		return 1;
	for (i = 0; i < ms->nvisiting; i++)
		if (!strcmp(ms->visiting[i], name))
			return 1;
	return 0;
}

static void free_names(char **v, size_t n)
{
	while (n)
		free(v[--n]);
	free(v);
}

/* Names of the modules in @list that are selected (built-ins are not), in
 * *@out (*@n of them).  Returns 0 or -ENOMEM (with nothing to free). */
static int names_of(const struct modsel *ms, struct kmod_list *list, char ***out,
		    size_t *n)
{
	struct kmod_list *l;
	char **v = NULL;
	size_t k = 0;
	int r = 0;

	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);
		const char *name = kmod_module_get_name(m);

		if (!r && find_item(ms, name)) {
			char **nv = realloc(v, (k + 1) * sizeof(*v));

			if (nv)
				v = nv;
			if (!nv || !(v[k] = strdup(name)))
				r = -ENOMEM;
			else
				k++;
		}
		kmod_module_unref(m);
	}
	if (r) {
		free_names(v, k);
		v = NULL;
		k = 0;
	}
	*out = v;
	*n = k;
	return r;
}

/* Append an item for module @name at @path; NULL if out of memory (the
 * items are as they were: ms->n counts only complete ones). */
static struct modsel_item *push_item(struct modsel *ms, const char *name,
				     const char *path)
{
	size_t dl = strlen(ms->moddir);
	struct modsel_item *it;

	if (ms->n == ms->cap) {
		size_t cap = ms->cap ? 2 * ms->cap : 64;
		struct modsel_item *items = realloc(ms->items, cap * sizeof(*ms->items));

		if (!items)
			return NULL;
		ms->items = items;
		ms->cap = cap;
	}
	it = &ms->items[ms->n];
	memset(it, 0, sizeof(*it));
	it->name = strdup(name);
	it->path = strdup(path);
	it->lazy = ms->lazy;
	if (!strncmp(path, ms->moddir, dl) && path[dl] == '/')
		it->relpath = strdup(path + dl + 1);
	else {
		const char *base = strrchr(path, '/');
		char buf[PATH_MAX];

		snprintf(buf, sizeof(buf), "extra/%s", base ? base + 1 : path);
		it->relpath = strdup(buf);
	}
	if (!it->name || !it->path || !it->relpath) {
		free(it->name);
		free(it->path);
		free(it->relpath);
		return NULL;
	}
	ms->n++;
	return it;
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
			msg("%s is built into the kernel (%s)",
				name, origin);
		goto out;
	}
	/* libkmod opens the module later, blocking on a FIFO: regular files
	 * only (a missing one is reported where it is read) */
	{
		struct stat st;
		int fd = open_regular(path, 0, &st);

		if (fd == -EISDIR || fd == -EINVAL) {
			r = seterr(ms, fd, "%s: module %s: %s is %s, not a module file "
				   "(reinstall the kernel package, or run depmod)", origin,
				   name, path, file_kind(st.st_mode));
			goto out;
		}
		if (fd >= 0)
			close(fd);
	}
	if (ms->nvisiting == ms->capvisiting) {
		size_t cap = ms->capvisiting ? 2 * ms->capvisiting : 32;
		char **v = realloc(ms->visiting, cap * sizeof(char *));

		if (!v) {
			r = seterr(ms, -ENOMEM, "out of memory");
			goto out;
		}
		ms->visiting = v;
		ms->capvisiting = cap;
	}
	ms->visiting[ms->nvisiting++] = (char *)name;

	kmod_module_get_softdeps(mod, &pre, &post);
	deps = kmod_module_get_dependencies(mod);
	r = visit_list(ms, pre, name);
	if (!r)
		r = visit_list(ms, deps, name);
	ms->nvisiting--;
	if (!r) {
		struct modsel_item *it = push_item(ms, name, path);
		char **a = NULL, **d = NULL, **needs = NULL;
		size_t na = 0, nd = 0;

		/* needs = pre-softdeps then dependencies, as they were loaded */
		if (!it || names_of(ms, pre, &a, &na) || names_of(ms, deps, &d, &nd) ||
		    !(needs = realloc(a, (na + nd + 1) * sizeof(char *)))) {
			free_names(a, na);
			free_names(d, nd);
			r = seterr(ms, -ENOMEM, "out of memory");
			goto unref;
		}
		it->needs = needs;
		if (nd)
			memcpy(it->needs + na, d, nd * sizeof(char *));
		free(d);
		it->nneeds = na + nd;
		if (ms->verbose)
			msg("module %s (%s)", name, origin);
		r = visit_list(ms, post, name);
		if (!r) {
			it = find_item(ms, name);	/* items may have moved */
			if (names_of(ms, post, &it->post, &it->npost))
				r = seterr(ms, -ENOMEM, "out of memory");
		}
	}
unref:
	kmod_module_unref_list(deps);
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
		struct kmod_module *m = kmod_module_get_module(l);
		struct modsel_item *it;

		r = visit(ms, kmod_module_ref(m), origin);
		if (!r && (it = find_item(ms, kmod_module_get_name(m))) && ms->req > it->req)
			it->req = ms->req;
		kmod_module_unref(m);
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

static int mark_plain(struct modsel *ms, struct modsel_item *it, int depth)
{
	size_t i;
	int n = 0;

	if (it->plain || depth > 64)	/* the closure has no cycles; be sure */
		return 0;
	it->plain = 1;
	n++;
	for (i = 0; i < it->nneeds; i++) {
		struct modsel_item *d = find_item(ms, it->needs[i]);

		if (d)
			n += mark_plain(ms, d, depth + 1);
	}
	return n;
}

int modsel_mark_plain(struct modsel *ms, const char *alias)
{
	struct kmod_list *list = NULL, *l;
	int r, n = 0;

	r = kmod_module_new_from_lookup(ms->ctx, alias, &list);
	if (r < 0)
		return seterr(ms, r, "looking up '%s' failed: %s", alias, strerror(-r));
	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);
		struct modsel_item *it = find_item(ms, kmod_module_get_name(m));

		if (it)
			n += mark_plain(ms, it, 0);
		kmod_module_unref(m);
	}
	kmod_module_unref_list(list);
	return n;
}

int modsel_add_glob(struct modsel *ms, const char *glob, const char *origin)
{
	char path[PATH_MAX + 16], *line = NULL;
	size_t cap = 0;
	FILE *f;
	int r = 0, matched = 0;

	/* modules.dep lists every module depmod knows: "relpath: deps...",
	 * lines of any length (read whole: a cut tail is no module) */
	snprintf(path, sizeof(path), "%s/modules.dep", ms->moddir);
	f = fopen_regular(path);
	if (!f)
		return seterr(ms, -errno, "%s: cannot read %s: %s", origin, path,
			      strerror(errno));
	while (!r && getline(&line, &cap, f) > 0) {
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
	free(line);
	fclose(f);
	if (!r && !matched && ms->verbose)
		msg("%s: no module matches %s", origin, glob);
	return r;
}

int modsel_add_set(struct modsel *ms, const char *file, int strict)
{
	char origin[PATH_MAX + 32], err[sizeof(ms->err)], *buf;
	struct modset set;
	size_t len, i;
	int r;

	r = read_file_max(file, TEXT_FILE_MAX, &buf, &len);
	if (r == -EFBIG)
		return seterr(ms, r, "module set %s is larger than %d bytes: is it a set?",
			      file, TEXT_FILE_MAX);
	if (r)
		return seterr(ms, r, "cannot read module set %s: %s", file,
			      r == -EINVAL ? "not a regular file" : strerror(-r));
	r = modset_parse(file, buf, len, &set, err, sizeof(err));
	free(buf);
	if (r)
		return seterr(ms, r, "%s", err);
	for (i = 0; i < set.nhooks; i++) {
		size_t k;
		char **nh;

		for (k = 0; k < ms->nset_hooks; k++)
			if (!strcmp(ms->set_hooks[k], set.hooks[i]))
				break;
		if (k < ms->nset_hooks)
			continue;
		nh = realloc(ms->set_hooks, (ms->nset_hooks + 1) * sizeof(*nh));
		if (!nh) {
			modset_free(&set);
			return seterr(ms, -ENOMEM, "out of memory");
		}
		ms->set_hooks = nh;
		nh[ms->nset_hooks++] = set.hooks[i];
		set.hooks[i] = NULL;	/* ours now */
	}
	ms->lazy = set.lazy;
	for (i = 0; i < set.n && !r; i++) {
		const char *p = set.e[i].name;

		snprintf(origin, sizeof(origin), "%s:%u", file, set.e[i].line);
		if (set.e[i].glob) {
			enum modsel_request req = ms->req;

			/* a pattern sweeps in everything under a directory: each
			 * module only for its hardware, never unconditionally */
			if (ms->req > REQ_GLOB)
				ms->req = REQ_GLOB;
			r = modsel_add_glob(ms, p, origin);
			ms->req = req;
		} else {
			r = modsel_add(ms, p, origin);
			if (r == -ENOENT && !strict && (set.e[i].optional || ms->verbose)) {
				if (!set.e[i].optional || ms->verbose)
					msg("%s: module '%s' is not in this kernel; skipped",
					    origin, p);
				r = 0;
			} else if (r == -ENOENT && !strict) {
				msg("warning: %s: module '%s' is not in this kernel; skipped "
				    "(mark it '?%s' if that is expected)", origin, p, p);
				r = 0;
			}
		}
	}
	ms->lazy = 0;
	modset_free(&set);
	return r;
}

/* ---- the database /init reads (lib/moddbw.c writes the format) -------- */

/* An alias that names hardware (or a file system) is a reason to load the
 * module only when that is found at boot. */
static int on_demand_alias(const char *a)
{
	if (!strncmp(a, "fs-", 3))
		return 1;
	if (!strncmp(a, "devname:", 8) || !strncmp(a, "symbol:", 7))
		return 0;
	return strchr(a, ':') != NULL;	/* pci:, usb:, virtio:, scsi:, acpi*:... */
}

static size_t item_index(const struct modsel *ms, const char *name)
{
	size_t i;

	for (i = 0; i < ms->n; i++)
		if (!strcmp(ms->items[i].name, name))
			return i;
	return (size_t)-1;
}

int modsel_write_db(struct modsel *ms, const char *imgdir, FILE *out)
{
	struct moddbw w;
	size_t i, k;
	int r;

	r = moddbw_init(&w, out, ms->n);
	if (r) {
		moddbw_free(&w);
		return seterr(ms, r, "out of memory");
	}
	for (i = 0; i < ms->n; i++) {
		struct modsel_item *it = &ms->items[i];
		struct kmod_module *mod = NULL;
		struct kmod_list *info = NULL, *l;
		int demand = 0;

		if (kmod_module_new_from_name(ms->ctx, it->name, &mod) == 0 &&
		    kmod_module_get_info(mod, &info) >= 0) {
			kmod_list_foreach(l, info)
				if (!strcmp(kmod_module_info_get_key(l), "alias") &&
				    on_demand_alias(kmod_module_info_get_value(l)))
					demand = 1;
		}
		for (k = 0; k < it->nneeds; k++)
			moddbw_need(&w, item_index(ms, it->needs[k]));
		for (k = 0; k < it->npost; k++)
			moddbw_post(&w, item_index(ms, it->post[k]));
		/* at boot: what -m named, and set members no device can ask for */
		moddbw_module(&w, it->name, imgdir, it->relpath, it->req == REQ_EXPLICIT ||
			      (it->req == REQ_SET && !demand));
		if (ms->verbose)
			msg("%s: %s", it->name,
				it->req == REQ_EXPLICIT ? "loaded at boot (-m)" :
				it->req == REQ_SET ? (demand ? "loaded when its hardware or "
				"file system is found" : "loaded at boot (no device alias)") :
				it->req == REQ_GLOB ? (demand ? "loaded when its hardware is "
				"found" : "loaded only as a dependency (no device alias)") :
				"loaded as a dependency");
		kmod_module_info_free_list(info);
		if (mod)
			kmod_module_unref(mod);
	}
	for (i = 0; i < ms->n && !r; i++) {
		struct kmod_module *mod = NULL;
		struct kmod_list *info = NULL, *l;
		int got;

		if (kmod_module_new_from_name(ms->ctx, ms->items[i].name, &mod) < 0)
			continue;
		if ((got = kmod_module_get_info(mod, &info)) < 0) {
			r = seterr(ms, got, "cannot read %s: %s (is the module tree "
				   "complete? reinstall the kernel package or run depmod)",
				   ms->items[i].path, strerror(-got));
		} else {
			kmod_list_foreach(l, info) {
				const char *v = kmod_module_info_get_value(l);

				if (strcmp(kmod_module_info_get_key(l), "alias"))
					continue;
				/* A driver for a CPU feature: /init loads it only
				 * on a CPU that has it. */
				if (!strncmp(v, "cpu:", 4))
					moddbw_cpu(&w, v, i);
				/* Aliases make /init load a module for hardware
				 * or a file system it finds: only for what a set
				 * or -m asked for.  A dependency comes with the
				 * module that needs it. */
				if (ms->items[i].req != REQ_DEP)
					moddbw_alias(&w, v, i);
			}
		}
		kmod_module_info_free_list(info);
		kmod_module_unref(mod);
	}
	moddbw_free(&w);
	return r;
}

int modsel_check_db(struct modsel *ms, const char *text, size_t len)
{
	struct moddb db;
	char *copy;
	size_t i;
	int r, bad;

	if (len > MODDB_MAX_BYTES)
		return seterr(ms, -EFBIG, "the module database would be %zu bytes "
			      "(%zu modules), over the %d MiB allowed: /init holds it "
			      "in memory; select fewer modules", len, ms->n,
			      MODDB_MAX_BYTES >> 20);
	for (i = 0; i < ms->n; i++)
		if (strlen(ms->items[i].name) >= MODDB_NAME_MAX)
			return seterr(ms, -ENAMETOOLONG, "module %s (%s): /init takes "
				      "names of up to %d bytes (the kernel's own are "
				      "at most 55)", ms->items[i].name,
				      ms->items[i].path, MODDB_NAME_MAX - 1);
	/* /init's own parser, on a copy: it cuts the text into fields */
	copy = malloc(len + 1);
	if (!copy)
		return seterr(ms, -ENOMEM, "out of memory");
	memcpy(copy, text, len);
	copy[len] = '\0';
	r = moddb_parse(copy, &db, &bad);
	if (r)
		seterr(ms, r, "/init would refuse the module database (%zu modules; "
		       "line %d: %s)%s", ms->n, bad, strerror(-r),
		       r == -EINVAL ? ": a bug in mkinitramfs, please report it" : "");
	moddb_free(&db);
	free(copy);
	return r;
}

int modsel_firmware(struct modsel *ms,
		    void (*fn)(const char *module, const char *fw, void *arg), void *arg)
{
	size_t i;

	for (i = 0; i < ms->n; i++) {
		struct kmod_module *mod = NULL;
		struct kmod_list *info = NULL, *l;

		if (kmod_module_new_from_name(ms->ctx, ms->items[i].name, &mod) < 0)
			continue;
		if (kmod_module_get_info(mod, &info) >= 0) {
			kmod_list_foreach(l, info)
				if (!strcmp(kmod_module_info_get_key(l), "firmware"))
					fn(ms->items[i].name, kmod_module_info_get_value(l), arg);
		}
		kmod_module_info_free_list(info);
		kmod_module_unref(mod);
	}
	return 0;
}
