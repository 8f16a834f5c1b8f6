/* modsel.h - choose kernel modules and resolve their closure with libkmod */
#ifndef INITKIT_MODSEL_H
#define INITKIT_MODSEL_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

struct kmod_ctx;

enum modsel_request {
	REQ_DEP = 0,	/* pulled in by another module */
	REQ_GLOB,	/* matched a set's path pattern: only for its hardware */
	REQ_SET,	/* named by a set: loaded when its hardware is present,
			 * or at boot if no device can ask for it */
	REQ_EXPLICIT,	/* named with -m: loaded at every boot */
};

struct modsel_item {
	char *name;
	char *path;	/* absolute path on the host */
	char *relpath;	/* path below the module directory */
	char **needs;	/* pre-softdeps and dependencies (selected ones) */
	size_t nneeds;
	char **post;	/* post-softdeps */
	size_t npost;
	enum modsel_request req;
	int lazy;	/* added by a set that says "store lazy" */
	int plain;	/* never gzipped on its own: modsel_mark_plain */
};

struct modsel {
	struct kmod_ctx *ctx;
	char moddir[PATH_MAX];		/* BASEDIR/lib/modules/KVER */
	struct modsel_item *items;	/* in load order */
	size_t n, cap;
	char **visiting;		/* names on the DFS stack (cycle guard) */
	size_t nvisiting, capvisiting;
	size_t nbuiltin;
	enum modsel_request req;	/* what modsel_add calls are for */
	int lazy;			/* modules added now: from a "store lazy" set */
	int verbose;
	char **set_hooks;		/* the sets' "hook NAME" lines, once each */
	size_t nset_hooks;
	char err[1024];			/* why the last call failed */
};

/* Open the module tree of @kver below @basedir.  Returns 0 or -errno with
 * ms->err explaining. */
int modsel_open(struct modsel *ms, const char *basedir, const char *kver);
void modsel_close(struct modsel *ms);

/* Add a module by name or alias, with its dependencies and softdeps first.
 * @origin names where the request came from, for messages.  A built-in
 * module is noted and skipped.  -ENOENT if nothing matches. */
int modsel_add(struct modsel *ms, const char *name, const char *origin);

/* Add every module whose path below the module directory matches the
 * fnmatch(3) pattern @glob (e.g. "kernel/drivers/ata/ *"). */
int modsel_add_glob(struct modsel *ms, const char *glob, const char *origin);

/* Read a set file (format: hookparse.h): one module name, alias or path
 * glob per line, comment lines starting with '#'; "?name" marks a module
 * some kernels lack (silent when missing).  Other names missing from this
 * kernel are warnings (sets are generic); @strict makes them errors.  A
 * malformed file is an error naming its line. */
int modsel_add_set(struct modsel *ms, const char *file, int strict);

/* Mark plain the selected modules that alias @alias names ("fs-ext4") and
 * those they need, recursively: what /init loads for it.  Returns how many
 * were marked, or -errno with ms->err set. */
int modsel_mark_plain(struct modsel *ms, const char *alias);

/* Call @fn with each firmware file name (the modules' "firmware" field) of
 * the selected modules, and the module that names it. */
int modsel_firmware(struct modsel *ms,
		    void (*fn)(const char *module, const char *fw, void *arg), void *arg);

/* Write the module database /init reads (see lib/moddb.h) for the
 * selected modules, installed below @imgdir (e.g. "/lib/modules/KVER").
 * Returns 0 or -errno with ms->err set. */
int modsel_write_db(struct modsel *ms, const char *imgdir, FILE *out);

/* Refuse (-errno, ms->err set) a database of @len bytes at @text that
 * /init could not take: too large, or one its parser rejects (the limits
 * in lib/moddb.h). */
int modsel_check_db(struct modsel *ms, const char *text, size_t len);

#endif
