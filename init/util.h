/* util.h - small syscall helpers shared by the stages */
#ifndef INITKIT_UTIL_H
#define INITKIT_UTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Time since boot (CLOCK_BOOTTIME at the first call, via /proc/uptime,
 * then advanced with gettimeofday: klibc has no clock_gettime).  Never
 * goes backwards.  -1 before /proc is mounted. */
long long uptime_us(void);
long uptime_ms(void);

/* CPU time this process has used, kernel time included, to the
 * microsecond (getrusage); 0 if unknown. */
long long cpu_us(void);

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
