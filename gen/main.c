/* mkinitramfs.c - build an initramfs for a kernel: the static /init, the
 * modules it needs in load order, hooks; one reproducible newc archive. */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
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
#include "output.h"
#include "regfile.h"
#include "runprog.h"
#include "genutil.h"

#ifndef INITKIT_DATADIR
#define INITKIT_DATADIR "/usr/local/lib/initkit"
#endif

#define MAX_ARGS 256

struct opts {
	const char *output;
	const char *kver;
	const char *basedir;
	const char *datadir;
	const char *init;
	const char *modules[MAX_ARGS];
	size_t nmodules;
	const char *sets[MAX_ARGS];
	size_t nsets;
	const char *hooks[MAX_ARGS];
	size_t nhooks;
	const char *programs[MAX_ARGS];	/* -I: host programs with their libraries */
	size_t nprograms;
	struct out_opts out;
	int generic;			/* --generic: every module set */
	const char *config;		/* -C FILE */
	const char *level_arg;		/* -l LEVEL as written */
	int basedir_set, comp_set;	/* given as flags: the config file's lose */
	int microcode;			/* --microcode: early microcode first */
	int hostonly;			/* --hostonly */
	int format_image;		/* --format image: ext2, init as /linuxrc */
	int cpio_front;			/* --cpio-front: ... inside a cpio image */
	const char *list;		/* --list IMAGE */
	const char *extract;		/* --extract IMAGE DIR */
	const char *extract_dir;
};

static const char usage_text[] =
"Usage: mkinitramfs -o OUTPUT [-k KVER] [-b BASEDIR] [-m MODULE]... [-M SET]...\n"
"                   [--generic] [--hostonly] [-H HOOK]... [-I PROG]... [-c ALG]\n"
"                   [-l LEVEL] [-d DATADIR] [-i INIT] [-j THREADS] [--microcode]\n"
"                   [--backup] [--format cpio|image] [--cpio-front] [-C FILE] [-v]\n"
"       mkinitramfs --list IMAGE\n"
"       mkinitramfs --extract IMAGE DIR\n"
"\n"
"Build an initramfs (a compressed newc cpio archive) for kernel KVER, or\n"
"list or extract any image the kernel accepts.\n"
"\n"
"  -o, --output FILE    write the image to FILE (atomically: a failed run\n"
"                       leaves any previous FILE untouched)\n"
"  -k, --kver KVER      kernel version (default: the running kernel)\n"
"  -b, --basedir DIR    modules are in DIR/lib/modules/KVER (default: /)\n"
"  -m, --module NAME    add a module or alias, with its dependencies\n"
"  -M, --set SET        add the modules listed in DATADIR/modules.d/SET\n"
"      --generic        every set in DATADIR/modules.d: an image for any\n"
"                       machine (drivers load only for what is found)\n"
"      --hostonly       what this machine needs to reach its root: the\n"
"                       drivers from its root device up to the bus, and\n"
"                       the root's file system (-v says what and why)\n"
"      --format cpio|image\n"
"                       image: an ext2 image-initrd (the legacy flow) with\n"
"                       the init as /linuxrc, compressed with -c\n"
"      --cpio-front     with --format image: wrap it in a small cpio image\n"
"                       whose /init runs the legacy flow itself (kernels\n"
"                       without it: modular ramdisk driver, Linux >= 7.0)\n"
"      --microcode      put the CPU microcode of BASEDIR/lib/firmware/\n"
"                       {intel,amd}-ucode first, for the early loader\n"
"      --backup         keep the previous OUTPUT as OUTPUT.bak\n"
"  -H, --hook HOOK      run the build hook DATADIR/hooks/HOOK\n"
"  -I, --install PROG   add a host program with its ELF interpreter and\n"
"                       shared libraries (as the dynamic loader finds them)\n"
"  -c, --compress ALG   gzip (default), zstd, xz, lz4 or none\n"
"  -l, --level N        compression level: gzip 1-12 (default 7), zstd 1-19\n"
"                       (3), xz 0-9 (6), lz4 1-12 (9)\n"
"  -d, --datadir DIR    where modules.d/ and hooks/ are\n"
"  -i, --init FILE      the /init to put in the image\n"
"  -j, --threads N      compression threads (default: one per CPU); the\n"
"                       image is the same whatever N is\n"
"  -C, --config FILE    settings file (default /etc/mkinitramfs.conf, if it\n"
"                       exists); flags win, -m/-M/-H add to its lists\n"
"  -v, --verbose        say what is chosen and why\n"
"  -h, --help           show this help\n"
"      --list IMAGE     list the entries of IMAGE, like cpio -tv\n"
"      --extract IMAGE DIR\n"
"                       extract IMAGE into DIR, never writing outside it\n"
"\n"
"SOURCE_DATE_EPOCH sets every timestamp in the image (default 0), so the\n"
"same inputs always give the same bytes.\n";

static void usage(FILE *f)
{
	fputs(usage_text, f);
}

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The tree we were built in when run from it (./mkinitramfs next to
 * init/ and modules.d/), else the installed data directory. */
static const char *find_datadir(void)
{
	static char self[PATH_MAX];
	char probe[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(probe, sizeof(probe), "%s/init/main.c", self);
			if (is_file(probe)) {
				snprintf(probe, sizeof(probe), "%s/modules.d", self);
				if (is_dir(probe))
					return self;
			}
		}
	}
	return INITKIT_DATADIR;
}

static void add_arg(const char **list, size_t *n, const char *v, const char *opt)
{
	if (*n == MAX_ARGS)
		die("too many %s options (max %d)", opt, MAX_ARGS);
	list[(*n)++] = v;
}

/* A kernel version names one directory below BASEDIR/lib/modules, and
 * goes into the image's paths as it is: NULL if @k can be one, else why
 * not. */
static const char *bad_kver(const char *k)
{
	const char *p;

	if (!*k)
		return "empty kernel version";
	if (strchr(k, '/') || !strcmp(k, ".") || strstr(k, ".."))
		return "not a kernel version: one name below BASEDIR/lib/modules, "
		       "without '/' or '..' (like 6.1.0-56-amd64)";
	for (p = k; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return "not a kernel version: it has a space or a control character";
	return NULL;
}

/* An empty argument is never meant; say so before it becomes a path. */
static void check_nonempty(int c, const char *arg)
{
	static const struct { char opt; const char *msg; } what[] = {
		{ 'o', "-o: empty path; name the file to write the image to" },
		{ 'k', "-k: empty kernel version; name one, as in BASEDIR/lib/modules/KVER" },
		{ 'b', "-b: empty path; name the directory holding lib/modules (/ by default)" },
		{ 'd', "-d: empty path; name the directory holding modules.d and hooks" },
		{ 'i', "-i: empty path; name the init to put in the image" },
		{ 'C', "-C: empty path; name the settings file" },
		{ 'H', "-H: empty hook name; name a hook in DATADIR/hooks, or a hook file" },
		{ 'I', "-I: empty path; name the program to add" },
	};
	size_t i;

	if (!arg || *arg)
		return;
	for (i = 0; i < sizeof(what) / sizeof(what[0]); i++)
		if (what[i].opt == c)
			usage_error("%s", what[i].msg);
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "kver", required_argument, NULL, 'k' },
		{ "basedir", required_argument, NULL, 'b' },
		{ "module", required_argument, NULL, 'm' },
		{ "set", required_argument, NULL, 'M' },
		{ "hook", required_argument, NULL, 'H' },
		{ "compress", required_argument, NULL, 'c' },
		{ "level", required_argument, NULL, 'l' },
		{ "datadir", required_argument, NULL, 'd' },
		{ "init", required_argument, NULL, 'i' },
		{ "threads", required_argument, NULL, 'j' },
		{ "list", required_argument, NULL, 'L' },
		{ "generic", no_argument, NULL, 'G' },
		{ "config", required_argument, NULL, 'C' },
		{ "hostonly", no_argument, NULL, 'O' },
		{ "format", required_argument, NULL, 'F' },
		{ "install", required_argument, NULL, 'I' },
		{ "cpio-front", no_argument, NULL, 'P' },
		{ "backup", no_argument, NULL, 'B' },
		{ "microcode", no_argument, NULL, 'U' },
		{ "extract", required_argument, NULL, 'X' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int c, r;

	memset(o, 0, sizeof(*o));
	o->basedir = "/";
	o->out.comp = ALG_GZIP;
	o->out.level = -1;
	while ((c = getopt_long(argc, argv, "o:k:b:m:M:H:I:c:l:d:i:j:C:vh", longopts, NULL)) != -1) {
		check_nonempty(c, optarg);
		switch (c) {
		case 'o': o->output = optarg; break;
		case 'k':
			if (bad_kver(optarg))
				usage_error("-k %s: %s", optarg, bad_kver(optarg));
			o->kver = optarg;
			break;
		case 'b': o->basedir = optarg; o->basedir_set = 1; break;
		case 'm': add_arg(o->modules, &o->nmodules, optarg, "-m"); break;
		case 'M': add_arg(o->sets, &o->nsets, optarg, "-M"); break;
		case 'H': add_arg(o->hooks, &o->nhooks, optarg, "-H"); break;
		case 'I': add_arg(o->programs, &o->nprograms, optarg, "-I"); break;
		case 'd': o->datadir = optarg; break;
		case 'i': o->init = optarg; break;
		case 'v': o->out.verbose = 1; break;
		case 'j':
			if (parse_ulong(optarg, 1, CONFIG_THREADS_MAX, &v))
				usage_error("-j/--threads %s: the number of threads goes from 1 to %d",
					    optarg, CONFIG_THREADS_MAX);
			o->out.threads = (int)v;
			break;
		case 'c':
			o->comp_set = 1;
			if (comp_parse(optarg, &o->out.comp))
				usage_error("-c %s: unknown compression (use gzip, zstd, xz, "
					    "lz4 or none)", optarg);
			break;
		case 'l':
			/* the compressor's own range is checked once it is known
			 * (a later -c, or COMPRESS=); a number too large for any
			 * is kept as INT_MAX, never wrapped */
			r = parse_ulong(optarg, 0, INT_MAX, &v);
			if (r == -EINVAL)
				usage_error("-l %s: the level is a number: gzip 1-12, zstd 1-19, "
					    "xz 0-9, lz4 1-12", optarg);
			o->out.level = r ? INT_MAX : (int)v;
			o->level_arg = optarg;
			break;
		case 'L':
			o->list = optarg;
			break;
		case 'G':
			o->generic = 1;
			break;
		case 'C':
			o->config = optarg;
			break;
		case 'O':
			o->hostonly = 1;
			break;
		case 'F':
			if (!strcmp(optarg, "image"))
				o->format_image = 1;
			else if (!strcmp(optarg, "cpio"))
				o->format_image = 0;	/* the last --format wins */
			else
				usage_error("--format %s: use cpio (the default) or image",
					    optarg);
			break;
		case 'P':
			o->cpio_front = 1;
			break;
		case 'B':
			o->out.backup = 1;
			break;
		case 'U':
			o->microcode = 1;
			break;
		case 'X':
			o->extract = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (o->list || o->extract) {
		if (o->list && o->extract)
			usage_error("--list and --extract go one at a time");
		if (o->extract) {
			if (optind + 1 != argc)
				usage_error("--extract IMAGE DIR: name the directory to extract "
					    "into");
			o->extract_dir = argv[optind];
		} else if (optind < argc) {
			usage_error("unexpected argument '%s' (see --help)", argv[optind]);
		}
		return;
	}
	if (optind < argc)
		usage_error("unexpected argument '%s' (see --help)", argv[optind]);
}

/* The settings file: what the flags did not say.  Scalars from flags win;
 * -m, -M and -H add to the file's lists. */
static void apply_config(struct opts *o)
{
	static struct config c;
	const char *path = o->config ? o->config : CONFIG_DEFAULT_PATH;
	char err[1024];
	int r, min, max, def;
	unsigned int level_line = 0;	/* LEVEL= set it, on that line */
	size_t i;

	config_init(&c);
	r = config_parse(&c, path, err, sizeof(err));
	if (r == -ENOENT && !o->config)
		r = 0;		/* no /etc/mkinitramfs.conf: fine */
	else if (r)
		die("%s", err);
	if (!o->kver && c.kver) {
		if (bad_kver(c.kver))
			die("%s: KVER=%s: %s", path, c.kver, bad_kver(c.kver));
		o->kver = c.kver;
	}
	if (!o->basedir_set && c.basedir)
		o->basedir = c.basedir;
	if (!o->datadir && c.datadir)
		o->datadir = c.datadir;
	if (!o->init && c.init)
		o->init = c.init;
	if (!o->output && c.output)
		o->output = c.output;
	if (!o->comp_set && c.compress && comp_parse(c.compress, &o->out.comp))
		die("%s:%u: COMPRESS=%s: use gzip, zstd, xz, lz4 or none", path,
		    c.compress_line, c.compress);
	if (o->out.level < 0 && c.level >= 0) {
		o->out.level = c.level;
		level_line = c.level_line;
	}
	if (!o->out.threads && c.threads > 0)
		o->out.threads = c.threads;
	if (c.generic == 1)
		o->generic = 1;
	if (c.verbose == 1)
		o->out.verbose = 1;
	if (c.backup == 1)
		o->out.backup = 1;
	if (c.microcode == 1)
		o->microcode = 1;
	if (c.hostonly == 1)
		o->hostonly = 1;
	for (i = 0; c.modules && c.modules[i]; i++)
		add_arg(o->modules, &o->nmodules, c.modules[i], "MODULES");
	for (i = 0; c.sets && c.sets[i]; i++)
		add_arg(o->sets, &o->nsets, c.sets[i], "SETS");
	for (i = 0; c.hooks && c.hooks[i]; i++)
		add_arg(o->hooks, &o->nhooks, c.hooks[i], "HOOKS");

	comp_level_range(o->out.comp, &min, &max, &def);
	if (o->out.level >= 0 && (o->out.level < min || o->out.level > max)) {
		int comp_from_file = !o->comp_set && c.compress;

		if (level_line)
			die("%s:%u: LEVEL=%d: %s levels go from %d to %d (default %d): change "
			    "LEVEL%s, or pass -l", path, level_line, o->out.level,
			    comp_name(o->out.comp), min, max, def,
			    comp_from_file ? " or COMPRESS" : "");
		if (comp_from_file)
			die("-l %s: %s levels go from %d to %d (default %d); %s:%u sets "
			    "COMPRESS=%s", o->level_arg, comp_name(o->out.comp), min, max, def,
			    path, c.compress_line, c.compress);
		usage_error("-l %s: %s levels go from %d to %d (default %d)", o->level_arg,
			    comp_name(o->out.comp), min, max, def);
	}
	if (!o->output) {
		usage(stderr);
		usage_error("-o OUTPUT is required (or OUTPUT= in %s)", path);
	}
}

static uint32_t source_date_epoch(void)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	unsigned long v;

	if (!s || !*s)
		return 0;
	if (parse_ulong(s, 0, UINT32_MAX, &v))
		die("SOURCE_DATE_EPOCH=%s: use a number of seconds since 1970, from 0 to %lu",
		    s, (unsigned long)UINT32_MAX);
	return (uint32_t)v;
}

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

/* What the options name is what it is meant to be, before anything is
 * built: a FIFO or a device given where a file is meant neither hangs the
 * run nor gets written over, and each mistake is named. */
static void check_args(const struct opts *o)
{
	char err[PATH_MAX + 256], path[PATH_MAX];
	struct stat st;
	size_t i;
	int fd;

	if (output_check(o->output, o->out.backup, err, sizeof(err)))
		die("%s", err);
	for (i = 0; i < o->nhooks; i++) {
		const char *h = o->hooks[i];

		if (strchr(h, '/'))
			pathf(path, sizeof(path), "%s", h);
		else
			pathf(path, sizeof(path), "%s/hooks/%s", o->datadir, h);
		fd = open_regular(path, 0, &st);
		if (fd == -EISDIR || fd == -EINVAL)
			die("-H %s: %s is %s, not a hook file", h, path, file_kind(st.st_mode));
		if (fd < 0)
			die("hook %s: cannot read %s: %s (hooks are in %s/hooks)", h, path,
			    strerror(-fd), o->datadir);
		close(fd);
	}
	for (i = 0; i < o->nprograms; i++) {
		fd = open_regular(o->programs[i], 0, &st);
		if (fd == -ENOENT)
			die("-I %s: no such file on this host", o->programs[i]);
		if (fd == -EISDIR || fd == -EINVAL)
			die("-I %s: %s, not a program", o->programs[i], file_kind(st.st_mode));
		if (fd < 0)
			die("-I %s: %s", o->programs[i], strerror(-fd));
		close(fd);
	}
}

int main(int argc, char **argv)
{
	struct opts o;
	struct modsel ms;
	struct image img;
	struct utsname uts;
	char path[PATH_MAX], err[2048];
	size_t i;
	int r;

	parse_args(argc, argv, &o);
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
	apply_config(&o);
	if (o.cpio_front && !o.format_image)
		usage_error("--cpio-front goes with --format image");
	if (!o.kver) {
		if (uname(&uts) < 0)
			die("uname: %s", strerror(errno));
		o.kver = uts.release;
	}
	if (!o.datadir)
		o.datadir = find_datadir();
	if (!o.init) {
		static char initbuf[PATH_MAX];

		pathf(initbuf, sizeof(initbuf), "%s/init/init", o.datadir);
		if (!is_file(initbuf))
			pathf(initbuf, sizeof(initbuf), "%s/init", o.datadir);
		o.init = initbuf;
	}
	if (!is_file(o.init))
		die("no init at %s: build it with 'make', or pass -i FILE", o.init);
	check_args(&o);

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
