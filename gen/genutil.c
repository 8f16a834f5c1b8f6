/* genutil.c - numbers, escaped messages, errors, the way out, bounded file
 * reads (genutil.h) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "genutil.h"
#include "regfile.h"

int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* The length of the valid UTF-8 sequence at @s (1 to 4), or 0 if the bytes
 * there are not one (overlong forms, surrogates and values over U+10FFFF
 * are not). */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;

		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;

		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 &&
		       (s[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

size_t str_escape(const char *in, char *out, size_t size)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t need = 0, k;
	int full = 0;

	if (size)
		out[0] = '\0';
	while (*s) {
		char piece[8];
		size_t n = utf8_len(s), plen;

		/* U+0080..U+009F: C2 80..C2 9F */
		if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)
			n = 0;
		if (n == 1 && (*s < 0x20 || *s == 0x7f))
			n = 0;
		if (n) {
			memcpy(piece, s, n);
			plen = n;
			s += n;
		} else {
			if (*s == '\t')
				plen = (size_t)snprintf(piece, sizeof(piece), "\\t");
			else if (*s == '\n')
				plen = (size_t)snprintf(piece, sizeof(piece), "\\n");
			else if (*s == '\r')
				plen = (size_t)snprintf(piece, sizeof(piece), "\\r");
			else
				plen = (size_t)snprintf(piece, sizeof(piece), "\\x%02x", *s);
			s++;
		}
		/* whole pieces only: never half an escape or a character */
		if (!full && need + plen < size) {
			for (k = 0; k < plen; k++)
				out[need + k] = piece[k];
			out[need + plen] = '\0';
		} else {
			full = 1;	/* keep what fitted; count the rest */
		}
		need += plen;
	}
	return need;
}

void vmsg(const char *fmt, va_list ap)
{
	char *raw = NULL, *esc;
	size_t need;

	if (vasprintf(&raw, fmt, ap) < 0) {
		fputs("mkinitramfs: out of memory\n", stderr);
		return;
	}
	need = str_escape(raw, NULL, 0);
	esc = malloc(need + sizeof("mkinitramfs: \n"));
	if (!esc) {
		free(raw);
		fputs("mkinitramfs: out of memory\n", stderr);
		return;
	}
	strcpy(esc, "mkinitramfs: ");
	str_escape(raw, esc + strlen(esc), need + 1);
	strcat(esc, "\n");
	fputs(esc, stderr);
	fflush(stderr);
	free(esc);
	free(raw);
}

void msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

static void vdie(int status, const char *fmt, va_list ap) __attribute__((noreturn));

/* Every message goes through vmsg(): control characters from arguments,
 * files and programs are escaped, never sent to the terminal. */
static void vdie(int status, const char *fmt, va_list ap)
{
	vmsg(fmt, ap);
	exit(status);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdie(1, fmt, ap);
}

void usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdie(2, fmt, ap);
}

void pathf(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		die("path longer than %zu bytes: %.80s...: use a shorter one", size - 1, out);
}

int is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int vfmt_err(char *err, size_t errlen, int code, const char *fmt, va_list ap)
{
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
	return code;
}

int fmt_err(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfmt_err(err, errlen, code, fmt, ap);
	va_end(ap);
	return code;
}

int fail_at(const struct text_pos *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || !p->errlen)
		return -EINVAL;
	n = snprintf(p->err, p->errlen, "%s:%u: ", p->name, p->line);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vfmt_err(p->err + n, p->errlen - (size_t)n, -EINVAL, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int read_file_max(const char *path, size_t max, char **buf, size_t *len)
{
	struct stat st;
	char *b = NULL, *nb;
	size_t got = 0, cap = 0;
	ssize_t n;
	int fd, r = 0;

	/* never a FIFO or a device: only a regular file is opened at all */
	fd = open_regular(path, 0, &st);
	if (fd < 0)
		return fd;
	for (;;) {
		if (got == cap) {
			if (cap > max) {
				r = -EFBIG;
				goto out;
			}
			cap = cap ? 2 * cap : 4096;
			if (cap > max + 1)
				cap = max + 1;
			nb = realloc(b, cap + 1);
			if (!nb) {
				r = -ENOMEM;
				goto out;
			}
			b = nb;
		}
		n = read(fd, b + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > max) {
			r = -EFBIG;
			goto out;
		}
	}
	if (!b && !(b = malloc(1))) {
		r = -ENOMEM;
		goto out;
	}
	b[got] = '\0';
	*buf = b;
	*len = got;
	b = NULL;
out:
	free(b);
	close(fd);
	return r;
}
