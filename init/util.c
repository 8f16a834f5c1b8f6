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

/* klibc has no clock_gettime(): where the system call is known here it is
 * made directly, for CLOCK_BOOTTIME (the kernel log's clock, and there
 * before /proc is).  Elsewhere, or on a kernel without it, /proc/uptime
 * (10 ms steps) is read once, and gettimeofday's microseconds count on
 * from there: nothing sets the wall clock while /init runs, and a step
 * backwards would only hold the clock still (it never runs back). */
static long long base_uptime_us = -1, base_tod_us, last_us;

#define BOOTTIME_CLOCK 7		/* CLOCK_BOOTTIME */
#define THREAD_CPUTIME_CLOCK 3	/* CLOCK_THREAD_CPUTIME_ID */

/* clock_gettime(@clock) in microseconds, or -1 where it cannot be had
 * (and from then on, without asking again). */
static long long clock_us(long clock)
{
	static unsigned int refused;
	struct timespec ts;
	long r;

	if (refused & 1u << clock)
		return -1;
#if defined(__x86_64__)
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(228L), "D"(clock), "S"(&ts)	/* clock_gettime */
			 : "rcx", "r11", "memory");
#elif defined(__aarch64__)
	{
		register long x8 __asm__("x8") = 113;	/* clock_gettime */
		register long x0 __asm__("x0") = clock;
		register long x1 __asm__("x1") = (long)&ts;

		__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1) : "memory");
		r = x0;
	}
#else
	(void)clock;
	r = -ENOSYS;
#endif
	if (r < 0) {
		refused |= 1u << clock;
		return -1;
	}
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

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
	long long now = clock_us(BOOTTIME_CLOCK);

	if (now >= 0)
		return now;
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
	/* /init is one thread: its CPU clock is the process's, and cheaper to
	 * read than getrusage, which sums the threads and fills a struct.
	 * Both are the scheduler's exact runtime, brought up to date. */
	long long us = clock_us(THREAD_CPUTIME_CLOCK);
	struct rusage ru;

	if (us >= 0)
		return us;
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
