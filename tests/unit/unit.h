/* unit.h - helpers shared by the cmocka unit tests (host libc) */
#ifndef INITKIT_UNIT_H
#define INITKIT_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

/* A fresh scratch directory for one test program (the caller removes it,
 * e.g. unit_sh("rm -rf %s", dir)). */
static inline char *unit_tmpdir(void)
{
	static char dir[] = "/tmp/initkit-unit.XXXXXX";

	if (!mkdtemp(dir))
		fail_msg("mkdtemp: cannot make a scratch directory");
	return dir;
}

/* Run a shell command built from a format; fail the test if it fails. */
static inline void unit_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	r = system(cmd);
	if (r != 0)
		fail_msg("command failed (%d): %s", r, cmd);
}

/* Read up to @len bytes at @off of @path into a malloc'd buffer; *got is
 * set to what was read.  The buffer is exactly *got bytes long so that
 * AddressSanitizer catches any read past it. */
static inline uint8_t *unit_read(const char *path, long off, size_t len, size_t *got)
{
	FILE *f = fopen(path, "rb");
	uint8_t *tmp = malloc(len ? len : 1), *buf;
	size_t n;

	assert_non_null(f);
	assert_non_null(tmp);
	assert_int_equal(fseek(f, off, SEEK_SET), 0);
	n = fread(tmp, 1, len, f);
	fclose(f);
	buf = malloc(n ? n : 1);
	assert_non_null(buf);
	memcpy(buf, tmp, n);
	free(tmp);
	*got = n;
	return buf;
}

/* @n bytes as lower-case hex into @out (2 * @n + 1 bytes). */
static inline void unit_hex(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = '\0';
}

/* The first word of a shell command's output (up to a blank or newline):
 * what sha256sum, b2sum or a one-line python3 print. */
static inline void unit_cmd_word(const char *cmd, char *out, size_t size)
{
	FILE *f = popen(cmd, "r");
	size_t n;

	assert_non_null(f);
	n = fread(out, 1, size - 1, f);
	pclose(f);
	out[n] = '\0';
	out[strcspn(out, " \n")] = '\0';
}

#endif
