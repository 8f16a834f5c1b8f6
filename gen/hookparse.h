/* hookparse.h - the text the generator reads besides its settings file:
 * build hooks (DATADIR/hooks/, -H), module-set files (DATADIR/modules.d/,
 * -M) and the applet list of BusyBox.  Parsed from a buffer into structs;
 * no I/O, no messages printed: host-testable and fuzzed (tests/fuzz/fuzz_hook.c,
 * tests/fuzz/fuzz_modset.c).
 *
 * LINES (hooks and sets alike)
 *
 * - Lines end in LF or CR LF; the last one needs no end.  A line holds at
 *   most TEXT_LINE_MAX (8191) bytes, not counting its end: a longer one is
 *   an error, never split.  A file holds at most TEXT_FILE_MAX bytes.
 * - NUL and the other control characters except tab are errors, as is a
 *   UTF-8 byte order mark: the files are plain text.
 * - A line whose first character after blanks (spaces, tabs) is '#' is a
 *   comment.  Elsewhere '#' is an ordinary character: "file /etc/host#name"
 *   names /etc/host#name.  Blank lines are ignored.
 * - Words are separated by blanks; there is no quoting.
 *
 * BUILD HOOKS: one directive per line, its name first.
 *
 *   file HOST [PATH]      copy the host file HOST to PATH (default: HOST)
 *   binary PROGRAM...     programs (absolute paths), any number, with their
 *                         ELF interpreter and libraries
 *   hook NAME             what the hook NAME adds
 *   dir PATH              an empty directory
 *   link TARGET PATH      a symbolic link PATH -> TARGET (TARGET verbatim)
 *   applets BUSYBOX PATH  run BUSYBOX (an absolute path) --list-full and
 *                         link each applet it lists to PATH
 *   runtime SCRIPT STAGE  SCRIPT as LAYOUT_HOOKS/STAGE/NAME (NAME: SCRIPT's
 *                         last component); STAGE one of LAYOUT_HOOK_STAGES
 *   optional              later file and binary lines may name files the
 *                         host lacks
 *   helper NAME           initkit's helper program NAME (built beside the
 *                         init: init/NAME in the tree, DATADIR/NAME once
 *                         installed) as LAYOUT_HELPERS/NAME
 *   action TYPE PROGRAM   when a device whose probe type is TYPE (blkid's
 *                         name: LVM2_member...) appears, /init runs
 *                         PROGRAM (a path in the image) "add /dev/NAME";
 *                         a link LAYOUT_ACTIONS/TYPE -> PROGRAM
 *
 * Every PATH in the image is normalised (imgpath_norm()): a leading '/',
 * "//" and "." components go; a ".." component, an empty path or one
 * naming the image's root is an error naming the line.
 *
 * MODULE SETS: one module name, alias or fnmatch(3) pattern on module
 * paths (a word with one of / * ? [) per line; a leading '?' marks a name
 * some kernels lack.  "hook NAME" names a build hook the set needs (the
 * helper and action of a stacked-storage set).
 */
#ifndef INITKIT_HOOKPARSE_H
#define INITKIT_HOOKPARSE_H

#include <stddef.h>

#define TEXT_LINE_MAX	8191		/* bytes, without LF or CR LF */
#define TEXT_FILE_MAX	(1024 * 1024)	/* bytes of a hook or set file */
#define IMGPATH_MAX	4095		/* bytes of a normalised image path */

/*
 * Normalise @in, a path in the image, into @out (@size bytes): relative
 * to the image's root, no leading or doubled '/', no "." component.
 * Returns 0, -EINVAL for a ".." component, -ENOENT for a path naming
 * no entry ("", "/", "/./"), -EILSEQ for a control character,
 * -ENAMETOOLONG if it does not fit in @size or IMGPATH_MAX.
 */
int imgpath_norm(const char *in, char *out, size_t size);

enum hook_kind {
	HOOK_FILE, HOOK_BINARY, HOOK_HOOK, HOOK_DIR, HOOK_LINK, HOOK_APPLETS,
	HOOK_RUNTIME, HOOK_OPTIONAL, HOOK_HELPER, HOOK_ACTION,
};

#define ACTION_TYPE_MAX	23	/* bytes of a probe type (FS_TYPE_MAX - 1) */

struct hook_directive {
	enum hook_kind kind;
	unsigned int line;	/* 1-based */
	char **args;		/* the words after the directive name, NULL-terminated */
	size_t nargs;
	char *dest;		/* the normalised image path of file, dir and link
				 * (PATH), runtime (LAYOUT_HOOKS/STAGE/NAME) and
				 * applets (the BusyBox in the image); else NULL */
};

struct hook_prog {
	struct hook_directive *d;
	size_t n, cap;
};

/*
 * Parse the hook @buf[0..@len) (any bytes, no NUL needed); @name stands for
 * the file in messages.  Returns 0 with @out filled (free it with
 * hook_prog_free()), or -errno with @out empty and @err set to
 * "NAME:LINE: what is wrong and what to do": -EINVAL for any error in the
 * text, -EFBIG for a file over TEXT_FILE_MAX, -ENOMEM.  @err may be NULL
 * or @errlen 0; a long message is cut to fit.
 */
int hook_parse(const char *name, const char *buf, size_t len, struct hook_prog *out,
	       char *err, size_t errlen);
void hook_prog_free(struct hook_prog *p);

struct modset_entry {
	unsigned int line;
	char *name;		/* without the '?' */
	int optional;		/* written "?name" */
	int glob;		/* a pattern on module paths */
};

struct modset {
	struct modset_entry *e;
	size_t n, cap;
	char **hooks;		/* "hook NAME" lines: what the set needs */
	size_t nhooks;
	int lazy;		/* "store lazy": its modules gzipped one by one */
};

/* Parse a module-set file, as hook_parse() does a hook. */
int modset_parse(const char *name, const char *buf, size_t len, struct modset *out,
		 char *err, size_t errlen);
void modset_free(struct modset *s);

/*
 * Parse the output of "busybox --list-full": one applet path per line
 * ("bin/ls", "usr/sbin/chroot"), each normalised with imgpath_norm();
 * empty lines are skipped, and so is @self (the BusyBox's own normalised
 * path in the image).  Returns 0 with *@paths a malloc'd array of *@n
 * malloc'd strings, or -errno with nothing allocated and @err set to
 * "line N: ...": -EINVAL (a line that is no path in the image: "..",
 * control characters, too long), -ENOMEM.
 */
int applets_parse(const char *buf, size_t len, const char *self, char ***paths, size_t *n,
		  char *err, size_t errlen);
void applets_free(char **paths, size_t n);

#endif
