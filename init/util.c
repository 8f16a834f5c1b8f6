/* util.c - small syscall helpers */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "util.h"

/* klibc has no clock_gettime: read /proc/uptime (CLOCK_BOOTTIME, 10 ms
 * steps) once, then count from there with gettimeofday's microseconds.
 * Nothing sets the wall clock while /init runs; a step backwards would
 * only hold the clock still (it never runs back). */
static long long base_uptime_us = -1, base_tod_us, last_us;

static long long tod_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

static int read_uptime_us(long long *out)
{
	char buf[64];
	long long sec = 0, frac = 0, scale = 100000;
	ssize_t n;
	int fd = open("/proc/uptime", O_RDONLY | O_CLOEXEC);
	char *p;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (p = buf; *p >= '0' && *p <= '9'; p++)
		sec = sec * 10 + (*p - '0');
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9' && scale >= 1; p++, scale /= 10)
			frac += (*p - '0') * scale;
	*out = sec * 1000000 + frac;
	return 0;
}

long long uptime_us(void)
{
	long long now;

	if (base_uptime_us < 0) {
		if (read_uptime_us(&base_uptime_us))
			return -1;
		base_tod_us = tod_us();
	}
	now = base_uptime_us + (tod_us() - base_tod_us);
	if (now < last_us)
		now = last_us;
	last_us = now;
	return now;
}

long long cpu_us(void)
{
	struct rusage ru;

	/* utime + stime add up to the scheduler's exact runtime: the kernel
	 * brings the running task's figure up to date for this call. */
	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

long uptime_ms(void)
{
	long long us = uptime_us();

	return us < 0 ? -1 : (long)(us / 1000);
}

void sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

ssize_t read_file(const char *path, char *buf, size_t size)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((size_t)total < size - 1) {
		n = read(fd, buf + total, size - 1 - total);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		total += n;
	}
	buf[total] = '\0';
	if ((size_t)total == size - 1) {
		char c;

		if (read(fd, &c, 1) == 1) {
			close(fd);
			return -EFBIG;
		}
	}
	close(fd);
	return total;
}

int write_file(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return (size_t)n == len ? 0 : -EIO;
}

int path_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

int dir_open(struct dir_iter *d, int atfd, const char *path)
{
	d->pos = d->len = 0;
	d->fd = openat(atfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return d->fd < 0 ? -errno : 0;
}

const char *dir_next(struct dir_iter *d, unsigned char *type)
{
	for (;;) {
		struct dirent *de;

		if (d->pos >= d->len) {
			int n = getdents(d->fd, (struct dirent *)d->buf, sizeof(d->buf));

			if (n <= 0)
				return NULL;
			d->len = n;
			d->pos = 0;
		}
		de = (struct dirent *)(d->buf + d->pos);
		d->pos += de->d_reclen;
		if (de->d_name[0] == '.' && (!de->d_name[1] ||
		    (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (type)
			*type = de->d_type;
		return de->d_name;
	}
}

void dir_close(struct dir_iter *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}
