/* genutil.h - small helpers of the generator: numbers from the command line,
 * messages with control characters escaped, errors, the way out of the
 * program's steps, bounded reads of text files. */
#ifndef INITKIT_GENUTIL_H
#define INITKIT_GENUTIL_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Parse @s as a decimal number from @min to @max: digits only (no sign, no
 * blanks, no "0x"), at least one.  Returns 0 with *@out set, -EINVAL if @s
 * is not such a number, -ERANGE if it is one outside [@min, @max] (however
 * many digits it has: nothing wraps).  *@out is untouched on error.
 */
int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/*
 * Copy @in to @out (@size bytes, NUL-terminated, cut at a character if too
 * small), so that it cannot drive a terminal: bytes 0x00-0x1f and 0x7f,
 * the C1 controls U+0080-U+009F, and bytes that are not part of valid
 * UTF-8 become \xNN (\t, \n and \r as such); valid UTF-8 text, including
 * non-ASCII letters, is kept.  Returns the length the whole escaped text
 * needs, without the NUL (as snprintf does).
 */
size_t str_escape(const char *in, char *out, size_t size);

/*
 * Print "mkinitramfs: " and the formatted message to stderr, escaped as
 * str_escape() does, in one write with a newline.  For the callers that
 * report: the generator's main program, and the warnings of modsel.c.
 */
void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vmsg(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/*
 * The way out of the program's own steps (main.c, options.c, hooks.c,
 * firmware.c), which report and exit; the rest of the generator returns
 * -errno instead.  die(): the message as msg() prints it, exit status 1.
 * usage_error(): the same for an option or argument that cannot be right
 * whatever the files say, exit status 2, as the manual page promises.
 */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* snprintf() into @out that refuses to cut a path short: die()s if the
 * path does not fit in @size bytes.  For the program's steps, as die(). */
void pathf(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* 1 if @p is a regular file (after symbolic links), else 0. */
int is_file(const char *p);

/*
 * The generator's one "format an error and return it": writes the message
 * into @err (@errlen bytes, always terminated, cut to fit) and returns
 * @code, a -errno.  Leaf functions report this way; their caller prints.
 * vfmt_err() is the same for wrappers that take their own "...".
 */
int fmt_err(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int vfmt_err(char *err, size_t errlen, int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/* Where a parse of a text file is (settings, hooks, module sets): the
 * file's name, the line being read, and where its message goes. */
struct text_pos {
	const char *name;
	unsigned int line;
	char *err;
	size_t errlen;
};

/* Set the message "NAME:LINE: ..." in @p->err and return -EINVAL. */
int fail_at(const struct text_pos *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Read the whole of @path into a malloc'd buffer (*@buf, NUL-terminated for
 * convenience; *@len bytes without it).  Returns 0 or -errno: -EFBIG if it
 * is larger than @max bytes, -EISDIR, -EINVAL if it is not a regular file
 * (never opened: open_regular()), -ENOENT, -EACCES, -ENOMEM, ...
 */
int read_file_max(const char *path, size_t max, char **buf, size_t *len);

#endif
