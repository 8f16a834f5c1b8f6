/* mkinitramfs.c - build an initramfs for a kernel: the static /init, the
 * modules it needs in load order, hooks; one reproducible newc archive. */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "compress.h"
#include "config.h"
#include "cpio.h"
#include "elfdeps.h"
#include "hookparse.h"
#include "hostonly.h"
#include "imgext2.h"
#include "imgread.h"
#include "modsel.h"
#include "options.h"
#include "output.h"
#include "regfile.h"
#include "runprog.h"
#include "genutil.h"

/* ---- build hooks ----------------------------------------------------
 * A build hook is a text file of directives (the language: hookparse.h):
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
static int set_err(char *err, size_t errlen, int r, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, strerror(-r));
	return r;
}

static void add_binary(struct image *img, const char *path, const char *where)
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

/* The base of every image: mount points, the console, the init, the
 * modules of @ms and the database /init loads them from. */
static void populate(struct image *img, struct modsel *ms, const char *kver,
		     const char *init)
{
	static const char *const dirs[] = {
		"dev", "proc", "sys", "run", "root", "etc", "bin", "sbin", "lib",
	};
	char path[PATH_MAX], *list = NULL;
	size_t i, listlen = 0;
	FILE *lf;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		image_add_dir(img, dirs[i], 0755);
	image_add_node(img, "dev/console", S_IFCHR | 0600, 5, 1);
	image_add_node(img, "dev/kmsg", S_IFCHR | 0600, 1, 11);
	image_add_file(img, "init", init, 0755);

	pathf(path, sizeof(path), "/lib/modules/%s", kver);
	for (i = 0; i < ms->n; i++) {
		char ipath[PATH_MAX * 2];

		pathf(ipath, sizeof(ipath), "%s/%s", path, ms->items[i].relpath);
		image_add_file(img, ipath, ms->items[i].path, 0644);
	}
	if (ms->n) {
		lf = open_memstream(&list, &listlen);
		if (!lf)
			die("out of memory");
		if (modsel_write_db(ms, path, lf))
			die("%s", ms->err);
		fclose(lf);
		if (modsel_check_db(ms, list, listlen))
			die("%s", ms->err);
		image_add_data(img, LAYOUT_MODULES_DB, list, listlen, 0644);
		free(list);
	}
}

/* --format image: the tree as an ext2 filesystem, the init as /linuxrc
 * (the legacy image-initrd flow).  Alone: compressed, for kernels that run
 * that flow themselves.  With --cpio-front: inside a small cpio image whose
 * /init does the flow in userspace (loop and ext2 drivers only). */
static int write_image_format(struct opts *o, struct image *img, char *err, size_t errlen)
{
	void *raw, *packed;
	size_t rawlen, packedlen;
	int r;

	/* a /linuxrc of the user's (a hook's) stays; else ours */
	if (!image_has(img, "linuxrc"))
		image_add_file(img, "linuxrc", o->init, 0755);
	r = imgext2_build(img, NULL, &raw, &rawlen, err, errlen);
	if (r)
		return r;
	if (o->out.verbose)
		msg("ext2 image of %zu bytes", rawlen);
	if (o->cpio_front) {
		struct modsel fms;
		struct image front;

		r = modsel_open(&fms, o->basedir, o->kver);
		if (r)
			die("%s", fms.err);
		fms.verbose = o->out.verbose;
		fms.req = REQ_EXPLICIT;	/* the front loads them at every boot */
		if (modsel_add(&fms, "loop", "--cpio-front: to hold the image"))
			die("%s", fms.err);
		r = modsel_add(&fms, "fs-ext2", "--cpio-front: to mount the image");
		if (r && r != -ENOENT)	/* built in: fine */
			die("%s", fms.err);
		image_init(&front, img->mtime);
		populate(&front, &fms, o->kver, o->init);
		image_add_data(&front, LAYOUT_INITRD, raw, rawlen, 0600);
		image_add_sentinel(&front);
		free(raw);
		r = image_write(&front, o->output, &o->out, err, errlen);
		image_free(&front);
		modsel_close(&fms);
		return r;
	}
	if (o->out.comp == ALG_NONE) {
		packed = raw;
		packedlen = rawlen;
		raw = NULL;
	} else {
		r = comp_buffer(o->out.comp, o->out.level, raw, rawlen, &packed, &packedlen);
		if (r) {
			free(raw);
			return set_err(err, errlen, r, "compressing the ext2 image");
		}
	}
	free(raw);
	r = image_write_raw(packed, packedlen, o->output, &o->out, err, errlen);
	free(packed);
	return r;
}

/* ---- --hostonly -------------------------------------------------------- */

/* Walk from this machine's root device up to its bus; resolve the drivers
 * and modaliases found there, and the root's file system, against the
 * target kernel's modules.  A driver the target has built in is fine. */
static void add_hostonly(struct modsel *ms, int verbose)
{
	struct hostonly h;
	char alias[64];
	size_t i;
	int r = hostonly_detect(&h, "", "/");

	if (r)
		die("--hostonly: %s", h.err);
	ms->req = REQ_SET;
	for (i = 0; i < h.nwhy; i++)
		if (verbose)
			msg("--hostonly: %s", h.why[i]);
	for (i = 0; i < h.nmod; i++) {
		r = modsel_add(ms, h.modules[i], "--hostonly: root device driver");
		if (r == -ENOENT)
			msg("warning: --hostonly: this machine's "
				"root needs %s, which the target kernel does not have as "
				"a module (built in there?)", h.modules[i]);
		else if (r)
			die("%s", ms->err);
	}
	for (i = 0; i < h.nalias; i++) {
		r = modsel_add(ms, h.modaliases[i], "--hostonly: root device");
		if (r && r != -ENOENT)
			die("%s", ms->err);
	}
	if (h.fstype[0]) {
		snprintf(alias, sizeof(alias), "fs-%s", h.fstype);
		r = modsel_add(ms, alias, "--hostonly: root file system");
		if (r && r != -ENOENT)
			die("%s", ms->err);
		if (verbose && r == -ENOENT)
			msg("--hostonly: %s is built into the "
				"target kernel", h.fstype);
	}
	if (!h.nmod && !h.nalias && !h.nbuiltin)
		msg("warning: --hostonly: no driver found "
			"between the root (%s) and its bus; add what it needs with -m",
			h.rootdev);
	hostonly_free(&h);
}

/* ---- firmware -------------------------------------------------------- */

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
		for (k = 0; k < sizeof(ext) / sizeof(ext[0]); k++) {
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

/* ---- early microcode -------------------------------------------------- */

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
	for (i = 0; i < sizeof(vendors) / sizeof(vendors[0]); i++) {
		char dir[PATH_MAX];
		struct membuf blob = { 0 };

		pathf(dir, sizeof(dir), "%s%slib/firmware/%s", basedir,
		      basedir[strlen(basedir) - 1] == '/' ? "" : "/", vendors[i].dir);
		if (!cat_dir(dir, vendors[i].suffix, &blob))
			continue;
		if (!any) {
			size_t d;

			for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
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

int main(int argc, char **argv)
{
	struct opts o;
	struct modsel ms;
	struct image img;
	char path[PATH_MAX], err[2048];
	size_t i;
	int r;

	options_parse(argc, argv, &o);
	if (o.list) {
		if (img_list(o.list, stdout, err, sizeof(err)))
			die("--list %s: %s", img_escape(o.list, path, sizeof(path)), err);
		return 0;
	}
	if (o.extract) {
		if (img_extract(o.extract, o.extract_dir, err, sizeof(err))) {
			char ed[PATH_MAX];

			die("--extract %s %s: %s", img_escape(o.extract, path, sizeof(path)),
			    img_escape(o.extract_dir, ed, sizeof(ed)), err);
		}
		return 0;
	}
	options_complete(&o);

	r = modsel_open(&ms, o.basedir, o.kver);
	if (r)
		die("%s", ms.err);
	ms.verbose = o.out.verbose;
	for (i = 0; i < o.nsets; i++) {
		if (strchr(o.sets[i], '/'))
			pathf(path, sizeof(path), "%s", o.sets[i]);
		else
			pathf(path, sizeof(path), "%s/modules.d/%s", o.datadir, o.sets[i]);
		if (!is_file(path))
			die("-M %s: no module set %s (the sets are the files in "
			    "%s/modules.d)", o.sets[i], path, o.datadir);
		ms.req = REQ_SET;
		if (modsel_add_set(&ms, path, 0))
			die("%s", ms.err);
	}
	if (o.generic) {
		struct dirent **names;
		int k, n;

		pathf(path, sizeof(path), "%s/modules.d", o.datadir);
		n = scandir(path, &names, NULL, alphasort);
		if (n < 0)
			die("--generic: cannot read %s: %s", path, strerror(errno));
		for (k = 0; k < n; k++) {
			char set[PATH_MAX * 2];

			pathf(set, sizeof(set), "%s/%s", path, names[k]->d_name);
			if (names[k]->d_name[0] != '.' && is_file(set)) {
				ms.req = REQ_SET;
				if (modsel_add_set(&ms, set, 0))
					die("%s", ms.err);
			}
			free(names[k]);
		}
		free(names);
	}
	if (o.hostonly)
		add_hostonly(&ms, o.out.verbose);
	for (i = 0; i < o.nmodules; i++) {
		char origin[PATH_MAX];

		/* the name is in modsel's messages whole; here a prefix will do */
		snprintf(origin, sizeof(origin), "-m %.*s", PATH_MAX - 8, o.modules[i]);
		ms.req = REQ_EXPLICIT;
		if (modsel_add(&ms, o.modules[i], origin))
			die("%s", ms.err);
	}

	image_init(&img, source_date_epoch());
	populate(&img, &ms, o.kver, o.init);
	{
		struct fwctx fc = { &img, o.basedir, o.kver, o.out.verbose, 0 };

		modsel_firmware(&ms, add_firmware, &fc);
	}
	for (i = 0; i < o.nhooks; i++)
		run_hook(&img, o.datadir, o.hooks[i], o.out.verbose, 0);
	for (i = 0; i < o.nprograms; i++) {
		if (!is_file(o.programs[i]))
			die("-I %s: no such file on this host", o.programs[i]);
		add_binary(&img, o.programs[i], "-I");
	}
	image_add_sentinel(&img);
	if (o.microcode) {
		static struct membuf mc;

		build_microcode(o.basedir, img.mtime, &mc);
		o.out.prefix = mc.p;
		o.out.prefix_len = mc.len;
	}

	if (o.out.verbose)
		msg("%zu modules (%zu built in) for %s",
			ms.n, ms.nbuiltin, o.kver);
	if (o.format_image)
		r = write_image_format(&o, &img, err, sizeof(err));
	else
		r = image_write(&img, o.output, &o.out, err, sizeof(err));
	image_free(&img);
	modsel_close(&ms);
	if (r)
		die("%s; the previous %s (if any) is untouched", err, o.output);
	return 0;
}
