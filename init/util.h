/* util.h - small syscall helpers shared by the stages */
#ifndef INITKIT_UTIL_H
#define INITKIT_UTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Milliseconds since boot (CLOCK_BOOTTIME, via /proc/uptime: klibc has no
 * clock_gettime).  Returns -1 before /proc is mounted. */
long uptime_ms(void);

void sleep_ms(long ms);

/* Read at most @size-1 bytes of @path into @buf, NUL-terminated.
 * Returns the length or -errno; -EFBIG if the file did not fit. */
ssize_t read_file(const char *path, char *buf, size_t size);

/* Write @len bytes of @buf to @path (O_WRONLY|O_CREAT|O_TRUNC). */
int write_file(const char *path, const char *buf, size_t len);

/* snprintf that reports truncation as -ENAMETOOLONG instead of hiding it. */
int path_fmt(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
