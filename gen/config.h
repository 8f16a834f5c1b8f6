/* config.h - the generator's configuration file: /etc/mkinitramfs.conf,
 * or the file named by -C FILE.
 *
 * FORMAT
 *
 * One setting per line, written as a shell assignment, so that a shell
 * may also source the file and read the same values:
 *
 *	# /etc/mkinitramfs.conf
 *	COMPRESS=zstd
 *	LEVEL=19
 *	MODULES="nvme ext4 dm-crypt"	# like -m nvme -m ext4 -m dm-crypt
 *	HOSTONLY=yes
 *	OUTPUT='/boot/initrd.img'
 *
 * - Blank lines (or lines of only spaces and tabs) are ignored.
 * - '#' starts a comment at the start of a line (after any indentation)
 *   or after whitespace.  Elsewhere it is part of the value, as in sh:
 *   KVER=6.1#2 sets "6.1#2".
 * - KEY=VALUE, with no whitespace on either side of '='.  "KEY =value",
 *   "KEY= value" and "KEY = value" are errors (in sh they run commands).
 *   Indentation before KEY is allowed.
 * - A value is bare, or wholly inside double or single quotes (the quotes
 *   are removed; "a"b and a"b" are errors, not concatenations):
 *     '...'  every byte up to the next ' is literal;
 *     "..."  \" \\ \$ and \` stand for " \ $ and `; a backslash before
 *            any other character is kept, as in sh ("a\b" is a\b).
 *   Nothing is expanded.  A $ or ` outside single quotes (and not escaped
 *   inside double quotes) is an error rather than a silent difference
 *   from sh; so is a bare value starting with ~.
 * - A bare value ends at whitespace; only a comment may follow.  It may
 *   not contain quotes, \, $, `, ;, &, |, <, >, ( or ): quote it.
 * - After a closing quote only whitespace and a comment may follow.
 * - An empty value (KEY= or KEY="") is an error, except for the
 *   three lists, where it sets an empty list (how that combines with -m,
 *   -M and -H is the caller's choice).
 * - Keys are upper case.  Each may appear once per file.
 * - Lines end in LF or CR LF; the last line needs no newline.  A line
 *   holds at most CONFIG_LINE_MAX (4096) bytes, not counting its end.
 *   NUL and other control characters (except tab) are errors, as is a
 *   UTF-8 byte order mark.  A file may be at most CONFIG_FILE_MAX bytes.
 *
 * SETTINGS, with the mkinitramfs option each stands for
 *
 *	KVER=VERSION		-k: kernel version
 *	BASEDIR=DIR		-b: modules are in DIR/lib/modules/KVER
 *	DATADIR=DIR		-d: where modules.d/ and hooks/ are
 *	INIT=FILE		-i: the /init to put in the image
 *	OUTPUT=FILE		-o: the image to write
 *	COMPRESS=ALG		-c: gzip, zstd, xz, lz4 or none
 *	LEVEL=N			-l: compression level, 0 to 19 here; the range of
 *				the compressor finally chosen (COMPRESS or -c)
 *				is the caller's check
 *	THREADS=N		-j: compression threads, 1 to 64
 *	MODULES="NAME ..."	-m NAME for each: modules or aliases
 *	SETS="SET ..."		-M SET for each: DATADIR/modules.d/SET
 *	HOOKS="HOOK ..."	-H HOOK for each: DATADIR/hooks/HOOK
 *	GENERIC=yes|no		--generic: every module set
 *	HOSTONLY=yes|no		only what this machine needs
 *	VERBOSE=yes|no		-v: say what is chosen and why
 *	BACKUP=yes|no		keep the previous image
 *	MICROCODE=yes|no	include CPU microcode
 *	LAZY_MODULES=yes|no	--lazy-modules: each module compressed on its
 *				own, inflated by /init when loaded
 *
 * List values are split at spaces and tabs; "a  b" is two words.
 * yes and no are lower case; nothing else is accepted.
 *
 * The parser only reads the file.  Which of the file and the command line
 * wins, and whether an absent file matters, is for the caller.
 */
#ifndef INITKIT_CONFIG_H
#define INITKIT_CONFIG_H

#include <stddef.h>

#define CONFIG_DEFAULT_PATH	"/etc/mkinitramfs.conf"
#define CONFIG_LINE_MAX		4096		/* bytes, without LF or CR LF */
#define CONFIG_FILE_MAX		(1024 * 1024)	/* bytes */
#define CONFIG_LEVEL_MAX	19		/* zstd's; the others' are lower */
#define CONFIG_THREADS_MAX	64

struct config {
	/* each string NULL when unset; lists as NULL-terminated arrays (malloc'd) */
	char *kver, *basedir, *datadir, *init, *compress, *output, *resume, *keymap;
	int level, threads;			/* -1 when unset */
	char **modules, **sets, **hooks;	/* NULL when unset */
	int generic, hostonly, verbose, backup, microcode;	/* -1 unset, 0 no, 1 yes */
	int lazy_modules;					/* the same */
	/* the line that set COMPRESS, LEVEL and THREADS (0: unset), for the
	 * caller's messages about their combination ("FILE:LINE: LEVEL=19:
	 * gzip levels go from 1 to 12") */
	unsigned int compress_line, level_line, threads_line;
};

/* Every setting unset. */
void config_init(struct config *c);

/* Free what @c holds and leave it as config_init() does. */
void config_free(struct config *c);

/* Parse @path.  Returns 0, -ENOENT if the file does not exist (the caller
 * decides whether that matters: the default /etc/mkinitramfs.conf may be
 * absent, a -C FILE may not), or -EINVAL with @err set to
 * "FILE:LINE: what is wrong and what to do" for: an unknown key (with the
 * closest known key when one is within edit distance 2: "did you mean
 * COMPRESS?"), a malformed line, a bad value, a key given twice (naming
 * the line that set it first).  Other errors: -errno (-EISDIR, -EINVAL for
 * a FIFO, device or socket, which are never opened, -EACCES, -EFBIG for a
 * file over CONFIG_FILE_MAX, -ENOMEM, ...) with @err naming the file; @err
 * is set for -ENOENT too.
 *
 * The settings the file makes replace those already in @c; the others are
 * left alone, so files can be layered.  On error @c is unchanged.
 * @err may be NULL or @errlen 0; a long message is cut to fit. */
int config_parse(struct config *c, const char *path, char *err, size_t errlen);

/* The same from @buf[0..@len), which may hold any bytes and need not end
 * in NUL; @name stands for the file in messages. */
int config_parse_buf(struct config *c, const char *name, const char *buf, size_t len,
		     char *err, size_t errlen);

#endif
