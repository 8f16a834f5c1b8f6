/* main.c - mkinitramfs: build an initramfs for a kernel (the static /init,
 * the modules it needs in load order, firmware, hooks; one reproducible
 * image), or list or extract one.  The recipe, in the order main() runs it:
 *   options     the flags, the settings file, the defaults   options.c
 *   step 1      select the modules                           select_modules()
 *   step 2      assemble the tree                            assemble(): hooks.c,
 *                                                            firmware.c
 *   step 3      choose the format and write it               archive.c, commit.c,
 *                                                            imgext2.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"
#include "compress.h"
#include "firmware.h"
#include "hooks.h"
#include "hostonly.h"
#include "regfile.h"
#include "imgext2.h"
#include "kbd.h"
#include "imgextract.h"
#include "imgread.h"
#include "modsel.h"
#include "options.h"
#include "output.h"
#include "genutil.h"
#include "rootspec.h"
#include "ukistep.h"

/* --list IMAGE, --extract IMAGE DIR: any image the kernel accepts. */
static int list_or_extract(const struct opts *o)
{
	char path[PATH_MAX], err[2048];

	if (o->list) {
		if (img_list(o->list, stdout, err, sizeof(err)))
			die("--list %s: %s", img_escape(o->list, path, sizeof(path)), err);
		return 0;
	}
	if (img_extract(o->extract, o->extract_dir, err, sizeof(err))) {
		char ed[PATH_MAX];

		die("--extract %s %s: %s", img_escape(o->extract, path, sizeof(path)),
		    img_escape(o->extract_dir, ed, sizeof(ed)), err);
	}
	return 0;
}

/* Add the module set @set (-M, or what --hostonly found the stack needs):
 * a path, or a name in DATADIR/modules.d. */
static void add_set(const struct opts *o, struct modsel *ms, const char *set)
{
	char path[PATH_MAX];

	if (strchr(set, '/'))
		pathf(path, sizeof(path), "%s", set);
	else
		pathf(path, sizeof(path), "%s/modules.d/%s", o->datadir, set);
	if (!is_file(path))
		die("-M %s: no module set %s (the sets are the files in %s/modules.d)",
		    set, path, o->datadir);
	ms->req = REQ_SET;
	if (modsel_add_set(ms, path, 0))
		die("%s", ms->err);
}

/* With --hostonly on a LUKS root: the image's /etc/crypttab and the key
 * files it names (hostonly_crypttab()). */
static char *crypttab_text;
static char **crypttab_keys;
static size_t ncrypttab_keys;

/* The image's default resume= ("" for none): --resume or RESUME=, else
 * with --hostonly the largest swap, as initramfs-tools picks it. */
static char resume_spec[80];

/* The console keymap's source: -K or KEYMAP=, else with --hostonly on a
 * LUKS root the host's console-setup keymap (kbd.h). */
static char keymap_src[4096];

/* A resume= value the image may carry: a device specification /init
 * parses, in one word. */
static void check_resume(const char *spec)
{
	struct root_spec rs;
	const char *p;

	for (p = spec; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == 0x7f)
			die("--resume %s: a device specification is one word without "
			    "quotes (UUID=..., LABEL=..., PARTUUID=..., /dev/NAME)", spec);
	if (rootspec_parse(spec, &rs) || strlen(spec) >= sizeof(resume_spec))
		die("--resume %s: not a device specification; write UUID=..., LABEL=..., "
		    "PARTUUID=..., PARTLABEL=..., /dev/NAME or MAJ:MIN, or auto or none",
		    spec);
}

/* With --hostonly on a LUKS root: the keyboard the passphrase is typed
 * on is the host's console-setup layout. */
static void hostonly_keymap(void)
{
	char layout[300], err[8192];
	int stale, r = kbd_host("", keymap_src, sizeof(keymap_src), layout, sizeof(layout),
				&stale, err, sizeof(err));

	if (r < 0) {
		msg("warning: --hostonly: %s; until then a passphrase is read as typed on a US "
		    "keyboard", err);
		keymap_src[0] = '\0';
	} else if (r > 0) {
		msg("--hostonly: console keymap %s from %s: a passphrase is read as typed on "
		    "that keyboard (-K FILE chooses another)", layout, keymap_src);
		if (stale)
			msg("warning: --hostonly: %s is older than /etc/default/keyboard; "
			    "setupcon --save-only brings it up to date", keymap_src);
	}
}

/* Walk from this machine's root device (and its resume device) down the
 * stack and up to the bus; resolve the drivers and modaliases found there,
 * the root's file system and the stack's sets against the target kernel's
 * modules.  A driver the target has built in is fine; a layer /init cannot
 * set up stops the build. */
static void add_hostonly(const struct opts *o, struct modsel *ms, int verbose)
{
	struct hostonly h;
	char alias[64];
	size_t i;
	int r = hostonly_detect(&h, "", "/");

	if (r) {
		/* its own status: the kernel hook falls back to --generic
		 * when the root cannot be walked (a chroot, a container) */
		msg("--hostonly: %s", h.err);
		exit(3);
	}
	if (!o->resume || strcmp(o->resume, "none")) {
		const char *spec = o->resume && strcmp(o->resume, "auto") ? o->resume : NULL;

		r = hostonly_resume(&h, "", spec);
		if (r < 0)
			die("--hostonly: %s; --resume none builds the image without one", h.err);
		if (r > 0) {
			snprintf(resume_spec, sizeof(resume_spec), "%s", h.resume);
			if (!spec)
				msg("--hostonly: resume=%s (%s, the largest swap partition, as "
				    "initramfs-tools picks it; --resume SPEC or RESUME= chooses "
				    "another, --resume none keeps none; noresume at boot skips "
				    "it)", h.resume, h.resume_dev);
		}
	}
	ms->req = REQ_SET;
	for (i = 0; i < h.nwhy; i++)
		if (verbose)
			msg("--hostonly: %s", h.why[i]);
	if (h.nunsupported) {
		for (i = 0; i < h.nunsupported; i++)
			msg("--hostonly: %s", h.unsupported[i]);
		die("--hostonly: this machine's root or resume device is on %s that "
		    "initkit cannot set up at boot (above); an image built anyway would "
		    "not boot it: build it with another tool, or with --generic for a "
		    "test", h.nunsupported > 1 ? "layers" : "a layer");
	}
	if (h.nluks) {
		static char tab[65536];
		ssize_t n = -ENOENT;
		int fd = open("/etc/crypttab", O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		struct stat st;

		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
			n = read(fd, tab, sizeof(tab));
		if (fd >= 0)
			close(fd);
		if (n >= (ssize_t)sizeof(tab))
			die("--hostonly: /etc/crypttab is over %zu bytes", sizeof(tab) - 1);
		r = hostonly_crypttab(&h, n >= 0 ? tab : NULL, n >= 0 ? (size_t)n : 0,
				      &crypttab_text, &crypttab_keys, &ncrypttab_keys);
		if (r)
			die("--hostonly: %s", r == -ENOMEM ? "out of memory" : h.err);
		for (i = 0; i < h.nluks; i++)
			msg("--hostonly: LUKS volume %s: unlocked at boot as the image's "
			    "/etc/crypttab says", h.luks[i]);
		if (!o->keymap)
			hostonly_keymap();
	}
	for (i = 0; i < h.nsets; i++) {
		msg("--hostonly: the stack needs -M %s: added", h.sets[i]);
		add_set(o, ms, h.sets[i]);
		ms->req = REQ_SET;
	}
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

/* Step 1: the modules, with their dependencies, from the sets (-M,
 * --generic), this machine's root (--hostonly) and the names (-m). */
static void select_modules(const struct opts *o, struct modsel *ms)
{
	char path[PATH_MAX];
	size_t i;
	int r;

	r = modsel_open(ms, o->basedir, o->kver);
	if (r)
		die("%s", ms->err);
	ms->verbose = o->out.verbose;
	for (i = 0; i < o->nsets; i++)
		add_set(o, ms, o->sets[i]);
	if (o->generic) {
		struct dirent **names;
		int k, n;

		if (o->default_generic && o->out.verbose)
			msg("no -m, -M, --generic or --hostonly, nor MODULES=, SETS=, GENERIC= "
			    "or HOSTONLY= in the settings: --generic (GENERIC=no opts out)");

		pathf(path, sizeof(path), "%s/modules.d", o->datadir);
		n = scandir(path, &names, NULL, alphasort);
		if (n < 0)
			die("--generic: cannot read %s: %s", path, strerror(errno));
		for (k = 0; k < n; k++) {
			char set[PATH_MAX * 2];

			pathf(set, sizeof(set), "%s/%s", path, names[k]->d_name);
			if (names[k]->d_name[0] != '.' && is_file(set)) {
				ms->req = REQ_SET;
				if (modsel_add_set(ms, set, 0))
					die("%s", ms->err);
			}
			free(names[k]);
		}
		free(names);
	}
	if (o->resume && strcmp(o->resume, "none") && strcmp(o->resume, "auto")) {
		check_resume(o->resume);
		snprintf(resume_spec, sizeof(resume_spec), "%s", o->resume);
	}
	if (o->hostonly)
		add_hostonly(o, ms, o->out.verbose);
	else if (o->resume && !strcmp(o->resume, "auto"))
		die("--resume auto: only with --hostonly (a generic image must not "
		    "name this machine's swap); name the device instead");
	for (i = 0; i < o->nmodules; i++) {
		char origin[PATH_MAX];

		/* the name is in modsel's messages whole; here a prefix will do */
		snprintf(origin, sizeof(origin), "-m %.*s", PATH_MAX - 8, o->modules[i]);
		ms->req = REQ_EXPLICIT;
		if (modsel_add(ms, o->modules[i], origin))
			die("%s", ms->err);
	}
}

/* The base of every image: mount points, the console, the init, the
 * modules of @ms and the database /init loads them from.  @lazy: 1 every
 * module gzipped on its own (--lazy-modules), -1 only those of the sets
 * that say "store lazy", 0 none. */
static void populate(struct image *img, struct modsel *ms, const char *kver,
		     const char *init, int lazy)
{
	static const char *const dirs[] = {
		"dev", "proc", "sys", "run", "root", "etc", "bin", "sbin", "lib",
	};
	char path[PATH_MAX], *list = NULL;
	size_t i, listlen = 0;
	FILE *lf;

	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		image_add_dir(img, dirs[i], 0755);
	image_add_node(img, "dev/console", S_IFCHR | 0600, 5, 1);
	image_add_node(img, "dev/kmsg", S_IFCHR | 0600, 1, 11);
	image_add_file(img, "init", init, 0755);

	pathf(path, sizeof(path), "/lib/modules/%s", kver);
	for (i = 0; i < ms->n; i++) {
		char ipath[PATH_MAX * 2];

		struct modsel_item *it = &ms->items[i];
		size_t n = strlen(it->relpath);

		/* The hinted file system's chain with --lazy-modules: as it
		 * is, but uncompressed too, so that neither the kernel nor
		 * /init inflates the modules the boot most likely needs first
		 * (fs_hint_type) */
		if (lazy > 0 && it->plain) {
			pathf(ipath, sizeof(ipath), "%s/%s", path, it->relpath);
			image_add_file_stored(img, ipath, it->path, 0644);
			continue;
		}
		/* --lazy-modules, or a set saying "store lazy" (@lazy -1):
		 * NAME.ko becomes NAME.ko.gz, in the image and in the database
		 * /init loads it by */
		if ((lazy > 0 || (lazy < 0 && it->lazy)) && n > 3 &&
		    !strcmp(it->relpath + n - 3, ".ko")) {
			char *gz = malloc(n + 4);

			if (!gz)
				die("out of memory");
			memcpy(gz, it->relpath, n);
			memcpy(gz + n, ".gz", 4);
			free(it->relpath);
			it->relpath = gz;
			pathf(ipath, sizeof(ipath), "%s/%s", path, it->relpath);
			image_add_file_gz(img, ipath, it->path, 0644);
			continue;
		}
		pathf(ipath, sizeof(ipath), "%s/%s", path, it->relpath);
		image_add_file(img, ipath, it->path, 0644);
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

/* --generic (or --fs-hint): the type of the root this runs on, which the
 * image will most likely boot (the kernel hook builds it on the machine),
 * for /init to load beside the disk drivers (layout.h); "" for none. */
static void fs_hint_type(const struct opts *o, char *type, size_t size)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	type[0] = '\0';
	if (o->fs_hint) {
		if (strcmp(o->fs_hint, "none"))
			snprintf(type, size, "%s", o->fs_hint);
	} else if (o->generic && (f = fopen_regular("/proc/self/mountinfo"))) {
		while (getline(&line, &cap, f) > 0) {
			struct hostonly_mount m;

			memset(&m, 0, sizeof(m));
			line[strcspn(line, "\n")] = '\0';
			if (!hostonly_mountinfo_line(line, &m) && !strcmp(m.point, "/") &&
			    strlen(m.fstype) < size &&
			    strspn(m.fstype, "abcdefghijklmnopqrstuvwxyz0123456789_.") ==
			    strlen(m.fstype))
				snprintf(type, size, "%s", m.fstype);	/* the last wins */
			hostonly_mount_free(&m);
		}
		free(line);
		fclose(f);
	}
}

/* The hint, for /init; with --lazy-modules, the modules /init loads for
 * it (fs-TYPE and what it needs: ext4, jbd2, mbcache, crc16, crc32c) are
 * stored plain in the uncompressed member: the boot most likely needs
 * them first, and neither the kernel nor /init then inflates them (2.5 MB
 * for ext4; the image grows by 1.9 MB). */
static void fs_hint(const struct opts *o, struct modsel *ms, struct image *img,
		    const char *type)
{
	char line[40], alias[40];
	int n;

	if (!type[0])
		return;
	snprintf(line, sizeof(line), "%s\n", type);
	image_add_data(img, LAYOUT_FS_HINT, line, strlen(line), 0644);
	if (o->out.verbose)
		msg("the root's likely file system: %s (--fs-hint)", type);
	if (o->format_image || o->lazy_modules <= 0)
		return;
	snprintf(alias, sizeof(alias), "fs-%s", type);
	n = modsel_mark_plain(ms, alias);
	if (n < 0)
		die("--fs-hint %s: %s", type, ms->err);
	if (o->out.verbose)
		msg("stored plain, not gzipped: %d modules for %s", n, alias);
}

/* Step 2: the tree: the base, the firmware the modules name, the hooks'
 * and -I's files, the sentinel; the early microcode goes in front. */
static void assemble(struct opts *o, struct modsel *ms, struct image *img)
{
	size_t i;

	char hint[32];

	image_init(img, source_date_epoch());
	fs_hint_type(o, hint, sizeof(hint));
	fs_hint(o, ms, img, hint);	/* before populate: it marks modules plain */
	populate(img, ms, o->kver, o->init, o->format_image ? 0 : o->lazy_modules);
	firmware_add(img, ms, o->basedir, o->kver, o->out.verbose);
	for (i = 0; i < o->nhooks; i++)
		hooks_run(img, o->datadir, o->hooks[i], o->out.verbose);
	/* The hooks the sets need (a stack's helper and action), unless -H
	 * ran them already. */
	for (i = 0; i < ms->nset_hooks; i++) {
		size_t k;

		for (k = 0; k < o->nhooks; k++)
			if (!strcmp(o->hooks[k], ms->set_hooks[i]))
				break;
		if (k == o->nhooks)
			hooks_run(img, o->datadir, ms->set_hooks[i], o->out.verbose);
	}
	for (i = 0; i < o->nprograms; i++) {
		if (!is_file(o->programs[i]))
			die("-I %s: no such file on this host", o->programs[i]);
		add_binary(img, o->programs[i], "-I");
	}
	if (crypttab_text) {
		image_add_data(img, "etc/crypttab", crypttab_text, strlen(crypttab_text), 0644);
		for (i = 0; i < ncrypttab_keys; i++) {
			if (!is_file(crypttab_keys[i]))
				die("--hostonly: /etc/crypttab names key file %s, which is not a "
				    "regular file here", crypttab_keys[i]);
			image_add_file(img, crypttab_keys[i] + 1, crypttab_keys[i], 0600);
		}
	}
	if (o->keymap || keymap_src[0]) {
		const char *src = o->keymap ? o->keymap : keymap_src;
		char err[8192];
		uint8_t *km;
		size_t kmlen;

		if (kbd_keymap(src, kbd_loadkeys(), &km, &kmlen, err, sizeof(err)))
			die("%s%s", o->keymap ? "-K " : "--hostonly: console keymap ", err);
		image_add_data(img, LAYOUT_KEYMAP, km, kmlen, 0644);
		free(km);
	}
	if (resume_spec[0]) {
		char line[sizeof(resume_spec) + 16];
		int n = snprintf(line, sizeof(line), "resume=%s\n", resume_spec);

		image_add_data(img, LAYOUT_CMDLINE, line, (size_t)n, 0644);
	}
	image_add_sentinel(img);
	if (o->microcode)
		microcode_build(o->basedir, img->mtime, &o->out.prefix, &o->out.prefix_len);
}

/* Step 3 with --format image: the tree as an ext2 filesystem, the init as /linuxrc
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
		populate(&front, &fms, o->kver, o->init, 0);
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
			return fmt_err(err, errlen, r, "compressing the ext2 image: %s",
				       strerror(-r));
		}
	}
	free(raw);
	r = image_write_raw(packed, packedlen, o->output, &o->out, err, errlen);
	free(packed);
	return r;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct modsel ms;
	struct image img;
	char err[2048];
	int r;

	options_parse(argc, argv, &o);
	if (o.list || o.extract)
		return list_or_extract(&o);
	options_complete(&o);

	select_modules(&o, &ms);
	assemble(&o, &ms, &img);

	/* step 3: the format, and the image written whole or not at all */
	if (o.out.verbose)
		msg("%zu modules (%zu built in) for %s",
			ms.n, ms.nbuiltin, o.kver);
	if (o.uki) {
		/* the UKI's initrd is this image: built once, in memory */
		struct out_opts raw = o.out;
		void *buf, *uki;
		size_t len, ukilen;

		r = image_to_mem(&img, &o.out, &buf, &len, err, sizeof(err));
		if (r)
			die("%s; the previous %s (if any) is untouched", err, o.uki);
		/* both built before either is written: a bad stub leaves both */
		uki = uki_make(&o, buf, len, &ukilen);
		raw.prefix = NULL;
		raw.prefix_len = 0;
		if (o.output) {
			r = image_write_raw(buf, len, o.output, &raw, err, sizeof(err));
			if (r)
				die("%s; the previous %s (if any) is untouched", err, o.output);
		}
		uki_save(&o, uki, ukilen);
		free(uki);
		free(buf);
		r = 0;
	} else if (o.format_image)
		r = write_image_format(&o, &img, err, sizeof(err));
	else
		r = image_write(&img, o.output, &o.out, err, sizeof(err));
	image_free(&img);
	modsel_close(&ms);
	if (r)
		die("%s; the previous %s (if any) is untouched", err, o.output);
	return 0;
}
