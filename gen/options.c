/* options.c - what the run is asked to do: the command-line flags, the
 * settings file, and every default, in one place (options.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "common.h"
#include "compress.h"
#include "config.h"
#include "genutil.h"
#include "hooks.h"
#include "options.h"
#include "output.h"
#include "regfile.h"
#include "ukistep.h"

#ifndef INITKIT_DATADIR
#define INITKIT_DATADIR "/usr/local/lib/initkit"
#endif

static const char usage_text[] =
"Usage: mkinitramfs -o OUTPUT [-k KVER] [-b BASEDIR] [-m MODULE]... [-M SET]...\n"
"                   [--generic] [--hostonly | --no-hostonly] [-H HOOK]...\n"
"                   [--lazy-modules | --no-lazy-modules] [--fs-hint TYPE]\n"
"                   [-I PROG]... [-c ALG] [-l LEVEL] [-d DATADIR] [-i INIT]\n"
"                   [-j THREADS] [--microcode]\n"
"                   [--backup] [--format cpio|image] [--cpio-front] [-C FILE] [-v]\n"
"                   [--resume SPEC|auto|none] [-K KEYMAP]\n"
"                   [--uki OUT.efi [--cmdline TEXT] [--os-release FILE]\n"
"                    [--splash BMP] [--stub PATH] [--kernel PATH]\n"
"                    [--sign-key KEY --sign-cert CERT]]\n"
"       mkinitramfs -o OUTPUT [-c ALG] [-l LEVEL] [-v] [OPTION]... VERSION\n"
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
"      --no-hostonly    not --hostonly, whatever the settings file says\n"
"      --lazy-modules   each module gzipped on its own in an uncompressed\n"
"                       member: the kernel copies them, /init inflates\n"
"                       only those it loads (the default with --generic;\n"
"                       --no-lazy-modules: in the compressed archive)\n"
"      --fs-hint TYPE   the root's likely file system: /init loads it\n"
"                       beside the disk drivers (default with --generic:\n"
"                       that of the root mkinitramfs runs on; none: no hint)\n"
"      --hostonly       what this machine needs to reach its root: the\n"
"                       drivers from its root device up to the bus, and\n"
"                       the root's file system (-v says what and why);\n"
"                       LVM, MD and LUKS stacks add their sets (-M lvm,\n"
"                       -M md, -M luks; LUKS with the host's crypttab),\n"
"                       and the largest swap becomes the resume device\n"
"      --resume SPEC    the image's default resume= (UUID=, LABEL=,\n"
"                       PARTUUID=, /dev/...); auto: as --hostonly picks\n"
"                       it; none: no default (the command line still can)\n"
"  -K, --keymap FILE    the console keymap a LUKS passphrase is typed with:\n"
"                       loadkeys' text form (ckbcomp's output, console-\n"
"                       setup's cached_*.kmap.gz) or its binary form;\n"
"                       --hostonly takes the host's console-setup layout\n"
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
"      --uki OUT.efi    also (or, without -o, only) write a unified kernel\n"
"                       image: systemd's EFI stub with the kernel, this\n"
"                       image as initrd, os-release and the command line\n"
"      --cmdline TEXT   the UKI's kernel command line (none: the boot\n"
"                       loader's is used)\n"
"      --os-release FILE\n"
"                       the UKI's .osrel (default /etc/os-release, else\n"
"                       /usr/lib/os-release)\n"
"      --splash BMP     a boot splash image for the UKI\n"
"      --stub PATH      the EFI stub (default /usr/lib/systemd/boot/efi/\n"
"                       linuxx64.efi.stub, package systemd-boot-efi)\n"
"      --kernel PATH    the kernel (default BASEDIR/boot/vmlinuz-KVER)\n"
"      --sign-key KEY --sign-cert CERT\n"
"                       sign the UKI for Secure Boot with sbsign (PEM)\n"
"  -h, --help           show this help\n"
"      --list IMAGE     list the entries of IMAGE, like cpio -tv\n"
"      --extract IMAGE DIR\n"
"                       extract IMAGE into DIR, never writing outside it\n"
"\n"
"With no -m, -M, --generic or --hostonly, and none in the settings file\n"
"(MODULES=, SETS=, GENERIC=, HOSTONLY=), the image is --generic;\n"
"GENERIC=no in the settings file opts out.\n"
"\n"
"initramfs-tools' form: a VERSION after the options (mkinitramfs -o OUT\n"
"6.1.0-57-amd64) is the kernel version, as -k is; there -c, -l, -o and -v\n"
"mean what they mean to both.  initramfs-tools' -d CONFDIR and -r ROOT are\n"
"refused (initkit reads /etc/mkinitramfs.conf, and /init takes the root\n"
"from root=); a lone -k (keep the temporary directory) is ignored with a\n"
"warning: there is none.  Our -d DATADIR is --datadir in that form.\n"
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
	if (k[0] == '-')
		return "not a kernel version: it starts with '-' (an option?)";
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
	static const struct { int opt; const char *msg; } what[] = {
		{ 'o', "-o: empty path; name the file to write the image to" },
		{ 'k', "-k: empty kernel version; name one, as in BASEDIR/lib/modules/KVER" },
		{ 'b', "-b: empty path; name the directory holding lib/modules (/ by default)" },
		{ 'd', "-d: empty path; name the directory holding modules.d and hooks" },
		{ 'i', "-i: empty path; name the init to put in the image" },
		{ 'C', "-C: empty path; name the settings file" },
		{ 'K', "-K: empty path; name the keymap file (ckbcomp LAYOUT > FILE makes one)" },
		{ 'R', "--resume: empty; name the swap (UUID=..., /dev/...), or auto or none" },
		{ 'H', "-H: empty hook name; name a hook in DATADIR/hooks, or a hook file" },
		{ 'I', "-I: empty path; name the program to add" },
		{ 0x100, "--uki: empty path; name the EFI file to write (e.g. linux.efi)" },
		{ 0x102, "--os-release: empty path; name an os-release file" },
		{ 0x103, "--splash: empty path; name a BMP image" },
		{ 0x104, "--stub: empty path; name systemd's EFI stub" },
		{ 0x105, "--kernel: empty path; name the kernel image" },
		{ 0x106, "--sign-key: empty path; name the PEM private key" },
		{ 0x107, "--sign-cert: empty path; name the PEM certificate" },
	};
	size_t i;

	if (!arg || *arg)
		return;
	for (i = 0; i < ARRAY_SIZE(what); i++)
		if (what[i].opt == c)
			usage_error("%s", what[i].msg);
}

/* initramfs-tools' calling form, mkinitramfs -o OUTPUT [OPTION]... VERSION
 * (what its kernel hook, live-build and package scripts run): VERSION is
 * the kernel version.  Options that mean something else to it are
 * refused, or ignored with a word, never taken in our sense. */
static void itools_form(struct opts *o, const char *version)
{
	if (o->kver && strcmp(o->kver, version))
		usage_error("kernel version given twice: -k %s and %s (initramfs-tools' form "
			    "takes it after the options; give one)", o->kver, version);
	if (bad_kver(version))
		usage_error("'%s': %s", version, bad_kver(version));
	if (o->itools_d)
		usage_error("-d %s: in initramfs-tools' form (mkinitramfs -o OUTPUT VERSION) "
			    "-d is its configuration directory, which initkit does not read: "
			    "put settings in /etc/mkinitramfs.conf (or -C FILE); --datadir "
			    "names initkit's data directory", o->itools_d);
	if (o->itools_r)
		usage_error("-r %s: initramfs-tools' root device has no place in an initkit "
			    "image: /init takes the root from root= on the kernel command "
			    "line; drop -r (--hostonly reads this machine's root)", o->itools_r);
	if (o->itools_keep)
		msg("warning: -k: initramfs-tools' \"keep the temporary directory\" is "
		    "ignored: initkit builds in memory and has none (the image is the same)");
	o->kver = version;
}

void options_parse(int argc, char **argv, struct opts *o)
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
		{ "datadir", required_argument, NULL, 'D' },
		{ "init", required_argument, NULL, 'i' },
		{ "threads", required_argument, NULL, 'j' },
		{ "list", required_argument, NULL, 'L' },
		{ "generic", no_argument, NULL, 'G' },
		{ "config", required_argument, NULL, 'C' },
		{ "hostonly", no_argument, NULL, 'O' },
		{ "no-hostonly", no_argument, NULL, 'N' },
		{ "format", required_argument, NULL, 'F' },
		{ "install", required_argument, NULL, 'I' },
		{ "cpio-front", no_argument, NULL, 'P' },
		{ "backup", no_argument, NULL, 'B' },
		{ "microcode", no_argument, NULL, 'U' },
		{ "lazy-modules", no_argument, NULL, 0x108 },
		{ "no-lazy-modules", no_argument, NULL, 0x109 },
		{ "fs-hint", required_argument, NULL, 0x10a },
		{ "extract", required_argument, NULL, 'X' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "resume", required_argument, NULL, 'R' },
		{ "keymap", required_argument, NULL, 'K' },
		{ "uki", required_argument, NULL, 0x100 },
		{ "cmdline", required_argument, NULL, 0x101 },
		{ "os-release", required_argument, NULL, 0x102 },
		{ "splash", required_argument, NULL, 0x103 },
		{ "stub", required_argument, NULL, 0x104 },
		{ "kernel", required_argument, NULL, 0x105 },
		{ "sign-key", required_argument, NULL, 0x106 },
		{ "sign-cert", required_argument, NULL, 0x107 },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int c, r, i, j;

	memset(o, 0, sizeof(*o));
	o->lazy_modules = -1;
	/* initramfs-tools' -k takes no argument ("keep the temporary
	 * directory"); ours takes a kernel version, which never starts with
	 * '-'.  A -k last, or followed by an option, is theirs: taken out
	 * before getopt would take the next option for a version. */
	for (i = j = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < argc)
				argv[j++] = argv[i++];
			break;
		}
		if (!strcmp(argv[i], "-k") && (i + 1 == argc || argv[i + 1][0] == '-')) {
			o->itools_keep = 1;
			continue;
		}
		argv[j++] = argv[i];
	}
	argc = j;
	argv[argc] = NULL;
	o->basedir = "/";
	o->out.comp = ALG_GZIP;
	o->out.level = -1;
	while ((c = getopt_long(argc, argv, "o:k:b:m:M:H:I:c:l:d:i:j:C:K:r:vh", longopts, NULL)) != -1) {
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
		case 'd': o->datadir = optarg; o->itools_d = optarg; break;
		case 'D': o->datadir = optarg; break;
		case 'r': o->itools_r = optarg; break;
		case 'i': o->init = optarg; break;
		case 'R': o->resume = optarg; break;
		case 'K': o->keymap = optarg; break;
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
		case 0x108:
			o->lazy_modules = 1;
			break;
		case 0x109:
			o->lazy_modules = 0;
			break;
		case 0x10a:
			if (!*optarg || strlen(optarg) > 31 || strspn(optarg,
			    "abcdefghijklmnopqrstuvwxyz0123456789_.") != strlen(optarg))
				usage_error("--fs-hint %s: a file system type (ext4, xfs...) "
					    "or none", optarg);
			o->fs_hint = optarg;
			break;
		case 'C':
			o->config = optarg;
			break;
		case 'O':
			o->hostonly = 1;
			break;
		case 'N':
			o->hostonly = -1;
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
		case 0x100: o->uki = optarg; break;
		case 0x101: o->cmdline = optarg; break;
		case 0x102: o->os_release = optarg; break;
		case 0x103: o->splash = optarg; break;
		case 0x104: o->stub = optarg; break;
		case 0x105: o->kernel = optarg; break;
		case 0x106: o->sign_key = optarg; break;
		case 0x107: o->sign_cert = optarg; break;
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
	if (optind + 1 < argc)
		usage_error("unexpected argument '%s' (see --help)", argv[optind + 1]);
	if (optind < argc)
		itools_form(o, argv[optind]);
	else if (o->itools_keep || o->itools_r)
		usage_error("%s: initramfs-tools' option, in its form mkinitramfs -o OUTPUT "
			    "[OPTION]... VERSION; initkit's -k takes the kernel version",
			    o->itools_r ? "-r" : "-k");
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
	if (!o->output && c.output && !o->uki)	/* --uki: only what the flags say */
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
	if (o->lazy_modules < 0 && c.lazy_modules >= 0)
		o->lazy_modules = c.lazy_modules;
	if (c.hostonly == 1 && o->hostonly == 0)
		o->hostonly = 1;
	if (!o->resume && c.resume)
		o->resume = c.resume;
	if (!o->keymap && c.keymap)
		o->keymap = c.keymap;
	for (i = 0; c.modules && c.modules[i]; i++)
		add_arg(o->modules, &o->nmodules, c.modules[i], "MODULES");
	for (i = 0; c.sets && c.sets[i]; i++)
		add_arg(o->sets, &o->nsets, c.sets[i], "SETS");
	for (i = 0; c.hooks && c.hooks[i]; i++)
		add_arg(o->hooks, &o->nhooks, c.hooks[i], "HOOKS");

	/* Nothing selected, neither here nor in the file: an image that can
	 * reach any root the sets cover, never one without a driver. */
	if (o->hostonly < 0)
		o->hostonly = 0;
	if (!o->generic && !o->hostonly && !o->nsets && !o->nmodules && c.generic != 0) {
		o->generic = 1;
		o->default_generic = 1;
	}
	if (o->lazy_modules < 0)
		o->lazy_modules = o->generic ? 1 : -1;

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
	if (!o->output && !o->uki) {
		usage(stderr);
		usage_error("-o OUTPUT is required (or OUTPUT= in %s, or --uki OUT.efi)", path);
	}
}

/* What the options name is what it is meant to be, before anything is
 * built: a FIFO or a device given where a file is meant neither hangs the
 * run nor gets written over, and each mistake is named. */
static void check_args(struct opts *o)
{
	char err[PATH_MAX + 256], path[PATH_MAX];
	struct stat st;
	size_t i;
	int fd;

	if (o->output && output_check(o->output, o->out.backup, err, sizeof(err)))
		die("%s", err);
	if (o->uki)
		uki_check(o);
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

uint32_t source_date_epoch(void)
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

void options_complete(struct opts *o)
{
	static struct utsname uts;	/* o->kver may point into it */

	apply_config(o);
	if (o->cpio_front && !o->format_image)
		usage_error("--cpio-front goes with --format image");
	if (!o->uki && (o->cmdline || o->os_release || o->splash || o->stub || o->kernel ||
			o->sign_key || o->sign_cert))
		usage_error("--cmdline, --os-release, --splash, --stub, --kernel, --sign-key "
			    "and --sign-cert go with --uki OUT.efi");
	if (!o->kver) {
		if (uname(&uts) < 0)
			die("uname: %s", strerror(errno));
		o->kver = uts.release;
	}
	if (!o->datadir)
		o->datadir = find_datadir();
	if (!o->init) {
		static char initbuf[PATH_MAX];

		pathf(initbuf, sizeof(initbuf), "%s/init/init", o->datadir);
		if (!is_file(initbuf))
			pathf(initbuf, sizeof(initbuf), "%s/init", o->datadir);
		o->init = initbuf;
	}
	if (!is_file(o->init))
		die("no init at %s: build it with 'make', or pass -i FILE", o->init);
	{
		static char helperdir[PATH_MAX];
		char *slash;

		pathf(helperdir, sizeof(helperdir), "%s", o->init);
		slash = strrchr(helperdir, '/');
		if (slash)
			*slash = '\0';
		hooks_helperdir = slash ? (helperdir[0] ? helperdir : "/") : ".";
	}
	check_args(o);
}
