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

/* A directory read with getdents() into the caller's buffer: klibc's
 * opendir() mallocs 16 KiB and closedir() unmaps it again, which costs
 * more than the reading under an emulator. */
struct dir_iter {
	int fd;
	int pos, len;
	char buf[2048] __attribute__((aligned(8)));
};

/* Open @path (relative to @atfd, or AT_FDCWD) for reading; 0 or -errno. */
int dir_open(struct dir_iter *d, int atfd, const char *path);

/* The next entry's name, "." and ".." left out, and its DT_ type if
 * @type; NULL at the end or on an error. */
const char *dir_next(struct dir_iter *d, unsigned char *type);

void dir_close(struct dir_iter *d);

/* snprintf that reports truncation as -ENAMETOOLONG instead of hiding it. */
int path_fmt(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
