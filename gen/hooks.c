/* hooks.c - running build hooks: what their directives add to the image
 * (the language itself is parsed by hookparse.c), and host programs with
 * their libraries (hooks.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "elfdeps.h"
#include "genutil.h"
#include "hookparse.h"
#include "hooks.h"
#include "image.h"
#include "runprog.h"

/* A build hook is a text file of directives (the language: hookparse.h):
 *   file HOST [IMAGE]     copy a host file (to the same path by default)
 *   binary PROGRAM...     programs with their ELF interpreter and libraries
 *   hook NAME             everything another hook adds
 *   dir PATH              an empty directory
 *   link TARGET PATH      a symbolic link
 *   applets BUSYBOX DIR   links to BUSYBOX for each applet it lists
 *   runtime SCRIPT STAGE  install SCRIPT (DATADIR/hooks/SCRIPT if relative)
 *                         as /scripts/STAGE/NAME, run by /init at STAGE
 *   optional              the following file lines may be missing on the host
 */

#define HOOK_DEPTH_MAX		8		/* hooks including hooks */
#define APPLETS_TIMEOUT_MS	10000		/* BUSYBOX --list-full */
#define APPLETS_OUT_MAX		(1024 * 1024)	/* bytes of its output */

/* The entry the image has at @path (the last added: it wins), or NULL. */
static const struct img_entry *find_entry(const struct image *img, const char *path)
{
	size_t i;

	for (i = img->n; i-- > 0;)
		if (!strcmp(img->e[i].path, path))
			return &img->e[i];
	return NULL;
}

/* Why a hook may not put an entry (a directory if @is_dir) at @dest, a
 * normalised image path, or NULL if it may: /init and /etc/initkit are
 * the generator's; an entry cannot go below one that is no directory, nor
 * turn a directory into a file or a link (or back): in the archive the
 * later entry would win and the kernel, or --extract, would go through it. */
static const char *hook_dest_conflict(const struct image *img, const char *dest, int is_dir,
				      char *why, size_t size)
{
	const struct img_entry *e;
	char prefix[IMGPATH_MAX + 1];
	size_t i, len = strlen(dest);

	if (!strcmp(dest, "init") || !strncmp(dest, "init/", 5) ||
	    !strcmp(dest, "etc/initkit") || !strncmp(dest, "etc/initkit/", 12)) {
		snprintf(why, size, "/%.200s is the generator's own (the init is chosen with -i)",
			 dest);
		return why;
	}
	for (i = 1; i <= len && len <= IMGPATH_MAX; i++) {
		if (dest[i] != '/' && dest[i] != '\0')
			continue;
		memcpy(prefix, dest, i);
		prefix[i] = '\0';
		e = find_entry(img, prefix);
		if (!e)
			continue;
		if (i < len && e->kind != ENT_DIR) {
			snprintf(why, size, "/%.200s is a %s in the image, not a directory", prefix,
				 e->kind == ENT_LINK ? "symbolic link" : "file");
			return why;
		}
		if (i == len && (e->kind == ENT_DIR) != !!is_dir) {
			snprintf(why, size, "/%.200s is a %s in the image already", prefix,
				 e->kind == ENT_DIR ? "directory" : e->kind == ENT_LINK ?
				 "symbolic link" : "file");
			return why;
		}
	}
	return NULL;
}

/* The environment of the programs hooks run: nothing of ours. */
static char *const child_env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL };

/* Run "BUSYBOX --list-full" (no shell: the name is an argument, as is) and
 * link each applet it lists to /SELF, the BusyBox in the image. */
static void busybox_applets(struct image *img, const char *busybox, const char *self,
			    const char *where, int verbose)
{
	/* argv[0] "busybox" whatever the file is called: BusyBox runs the
	 * applet named by argv[0], and only "busybox" takes --list-full */
	char *argv[] = { "busybox", "--list-full", NULL };
	char err[512], target[IMGPATH_MAX + 2], **paths;
	struct runprog_result res;
	size_t n, i;
	int r;

	r = runprog_capture(busybox, argv, child_env, APPLETS_TIMEOUT_MS, APPLETS_OUT_MAX, &res);
	res.err[strcspn(res.err, "\n")] = '\0';	/* its first line */
	if (r == -ETIMEDOUT)
		die("%s: %s --list-full did not finish within %d s (killed); is it BusyBox?",
		    where, busybox, APPLETS_TIMEOUT_MS / 1000);
	if (r == -EFBIG)
		die("%s: %s --list-full wrote more than %d KiB (killed); is it BusyBox?",
		    where, busybox, APPLETS_OUT_MAX / 1024);
	if (r)
		die("%s: cannot run %s --list-full: %s", where, busybox, strerror(-r));
	if (WIFSIGNALED(res.status))
		die("%s: %s --list-full was killed by signal %d%s%s; is it BusyBox?", where,
		    busybox, WTERMSIG(res.status), res.err[0] ? ": " : "", res.err);
	if (WEXITSTATUS(res.status))
		die("%s: %s --list-full exited with status %d%s%s; is it BusyBox "
		    "(apt-get install busybox-static)?", where, busybox,
		    WEXITSTATUS(res.status), res.err[0] ? ": " : "", res.err);
	r = applets_parse(res.out, res.outlen, self, &paths, &n, err, sizeof(err));
	free(res.out);
	if (r)
		die("%s: %s --list-full: %s", where, busybox, err);
	if (!n)
		die("%s: %s --list-full listed no applets; is it BusyBox?", where, busybox);
	snprintf(target, sizeof(target), "/%s", self);
	for (i = 0; i < n; i++) {
		/* an applet never replaces what the image has, nor becomes
		 * /linuxrc: with --format image that is our init (a hook line
		 * 'link /bin/busybox /linuxrc' still makes BusyBox's init it) */
		const char *why = !strcmp(paths[i], "linuxrc") ?
			"with --format image, /linuxrc is the init" :
			!strcmp(paths[i], "sbin/modprobe") ?
			"BusyBox's modprobe cannot read the image's module database; "
			"/init answers as modprobe where a set needs it (hooks/modprobe)" :
			hook_dest_conflict(img, paths[i], 0, err, sizeof(err));

		if (!why && find_entry(img, paths[i]))
			why = "the image has one";
		if (why) {
			if (verbose)
				msg("%s: applet /%s skipped: %s", where, paths[i], why);
			continue;
		}
		image_add_link(img, paths[i], target);
	}
	applets_free(paths, n);
}

/* A host program with its ELF interpreter and shared libraries, found as
 * the dynamic loader finds them; symbolic links stay links. */
void add_binary(struct image *img, const char *path, const char *where)
{
	char ipath[IMGPATH_MAX + 1], why[512];
	struct elfdeps d;
	size_t i;

	elfdeps_init(&d);
	if (elfdeps_add(&d, "/", path))
		die("%s: %s", where, d.err);
	for (i = 0; i < d.n; i++) {
		struct stat st;

		/* elfdeps_add() gives normalised absolute paths: checked anyway */
		if (imgpath_norm(d.paths[i], ipath, sizeof(ipath)))
			die("%s: %s: not a path the image can hold", where, d.paths[i]);
		if (hook_dest_conflict(img, ipath, 0, why, sizeof(why)))
			die("%s: %s (needed for %s)", where, why, path);
		if (d.links[i]) {
			image_add_link(img, ipath, d.links[i]);
		} else {
			if (stat(d.paths[i], &st) < 0)
				die("%s: %s: %s", where, d.paths[i], strerror(errno));
			image_add_file(img, ipath, d.paths[i],
				       (st.st_mode & 0111) ? 0755 : 0644);
		}
	}
	elfdeps_free(&d);
}


/* A host file a hook names: 1 if it is there, 0 if it may be missing
 * (optional) and is, else an error. */
static int host_file(const char *file, int optional, int verbose, const char *where)
{
	if (is_file(file))
		return 1;
	if (!optional)
		die("%s: %s is not on this host (install it, or drop the hook)", where, file);
	if (verbose)
		msg("%s: %s not on this host; skipped", where, file);
	return 0;
}

static void run_hook(struct image *img, const char *datadir, const char *name,
		     int verbose, int depth)
{
	char path[PATH_MAX], where[PATH_MAX + 16], err[1024], *buf;
	struct hook_prog prog;
	int optional = 0, r;
	size_t len, i, k;

	if (strchr(name, '/'))
		pathf(path, sizeof(path), "%s", name);
	else
		pathf(path, sizeof(path), "%s/hooks/%s", datadir, name);
	r = read_file_max(path, TEXT_FILE_MAX, &buf, &len);
	if (r == -EFBIG)
		die("hook %s: %s is larger than %d bytes: is it a hook?", name, path,
		    TEXT_FILE_MAX);
	if (r)
		die("hook %s: cannot read %s: %s (hooks are in %s/hooks)", name, path,
		    strerror(-r), datadir);
	r = hook_parse(path, buf, len, &prog, err, sizeof(err));
	free(buf);
	if (r)
		die("%s", err);
	for (i = 0; i < prog.n; i++) {
		const struct hook_directive *d = &prog.d[i];
		char src[PATH_MAX];
		struct stat st;

		snprintf(where, sizeof(where), "%s:%u", path, d->line);
		if (d->dest && d->kind != HOOK_APPLETS &&
		    hook_dest_conflict(img, d->dest, d->kind == HOOK_DIR, err, sizeof(err)))
			die("%s: %s: choose another path", where, err);
		switch (d->kind) {
		case HOOK_OPTIONAL:
			optional = 1;
			break;
		case HOOK_FILE:
			if (!host_file(d->args[0], optional, verbose, where))
				break;
			if (stat(d->args[0], &st) < 0)
				die("%s: %s: %s", where, d->args[0], strerror(errno));
			image_add_file(img, d->dest, d->args[0],
				       (st.st_mode & 0111) ? 0755 : 0644);
			break;
		case HOOK_BINARY:
			for (k = 0; k < d->nargs; k++)
				if (host_file(d->args[k], optional, verbose, where))
					add_binary(img, d->args[k], where);
			break;
		case HOOK_HOOK:
			if (depth >= HOOK_DEPTH_MAX)
				die("%s: hooks include each other more than %d deep: is "
				    "there a loop?", where, HOOK_DEPTH_MAX);
			run_hook(img, datadir, d->args[0], verbose, depth + 1);
			break;
		case HOOK_DIR:
			image_add_dir(img, d->dest, 0755);
			break;
		case HOOK_LINK:
			image_add_link(img, d->dest, d->args[0]);
			break;
		case HOOK_RUNTIME:
			if (d->args[0][0] == '/')
				pathf(src, sizeof(src), "%s", d->args[0]);
			else
				pathf(src, sizeof(src), "%s/hooks/%s", datadir, d->args[0]);
			if (!is_file(src))
				die("%s: runtime hook %s does not exist", where, src);
			image_add_file(img, d->dest, src, 0755);
			break;
		case HOOK_HELPER:
			/* beside the init, else where make or make install put it */
			pathf(src, sizeof(src), "%s/%s", hooks_helperdir, d->args[0]);
			if (!is_file(src))
				pathf(src, sizeof(src), "%s/init/%s", datadir, d->args[0]);
			if (!is_file(src))
				pathf(src, sizeof(src), "%s/%s", datadir, d->args[0]);
			if (!is_file(src))
				die("%s: initkit's helper %s is not in %s (make builds it beside "
				    "the init; -i names the init)", where, d->args[0],
				    hooks_helperdir);
			image_add_file(img, d->dest, src, 0755);
			break;
		case HOOK_ACTION:
			image_add_link(img, d->dest, d->args[1]);
			break;
		case HOOK_APPLETS:
			if (!is_file(d->args[0]))
				die("%s: %s is not on this host (apt-get install "
				    "busybox-static)", where, d->args[0]);
			busybox_applets(img, d->args[0], d->dest, where, verbose);
			break;
		}
	}
	hook_prog_free(&prog);
}

const char *hooks_helperdir = ".";

void hooks_run(struct image *img, const char *datadir, const char *name, int verbose)
{
	run_hook(img, datadir, name, verbose, 0);
}
