/* options.h - what the run is asked to do: the command-line flags, the
 * settings file (config.h) and every default, in one place.  These report
 * and exit (genutil.h's die() and usage_error()): they are the program's. */
#ifndef INITKIT_OPTIONS_H
#define INITKIT_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include "output.h"

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
	const char *fs_hint;		/* --fs-hint TYPE|none; NULL: as --generic */
	int lazy_modules;		/* --lazy-modules 1, --no-lazy-modules 0,
					 * unset -1; resolved: 1 with --generic,
					 * else -1: the modules of the sets that
					 * say "store lazy" (md, lvm, luks) */
	int hostonly;			/* --hostonly; --no-hostonly: -1 */
	const char *itools_d;		/* -d in that form: its CONFDIR, refused */
	const char *itools_r;		/* -r ROOT: initramfs-tools' root, refused */
	int itools_keep;		/* a lone -k: initramfs-tools' "keep the temp dir" */
	int default_generic;		/* no selection: --generic chosen (for -v) */
	const char *resume;		/* --resume SPEC|auto|none; NULL unset */
	const char *keymap;		/* -K FILE; NULL unset */
	int format_image;		/* --format image: ext2, init as /linuxrc */
	int cpio_front;			/* --cpio-front: ... inside a cpio image */
	const char *list;		/* --list IMAGE */
	const char *extract;		/* --extract IMAGE DIR */
	const char *extract_dir;
	/* --uki OUT.efi: a unified kernel image (ukistep.h) */
	const char *uki, *cmdline, *os_release, *splash, *stub, *kernel;
	const char *sign_key, *sign_cert;
};

/* The command line into @o: usage errors exit with status 2, -h prints
 * the help and exits.  With --list or --extract, @o is complete. */
void options_parse(int argc, char **argv, struct opts *o);

/* The rest of @o for a build: the settings file (-C FILE, else
 * /etc/mkinitramfs.conf if there is one) for what the flags did not say,
 * then the defaults (the running kernel, the data directory, its init);
 * last, that what the options name is what it is meant to be. */
void options_complete(struct opts *o);

/* SOURCE_DATE_EPOCH, the time of every entry in the image (default 0). */
uint32_t source_date_epoch(void);

#endif
