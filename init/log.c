/* log.c - one write() per line to /dev/kmsg with a fixed prefix, falling
 * back to the console (stderr) when kmsg cannot be opened. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "log.h"

static int log_fd = 2;
static int log_is_kmsg;
static int lines_on_fd;
static const char *kmsg_path;
int log_debug;

/* The kernel rate-limits each open /dev/kmsg to 10 lines per 5 s and
 * drops the rest ("output lines suppressed due to ratelimiting"): a fresh
 * open has a fresh allowance, so reopen before it runs out. */
#define KMSG_LINES_PER_OPEN 8

int log_open(const char *kmsg, const char *console)
{
	int fd = open(kmsg, O_WRONLY | O_CLOEXEC | O_NOCTTY);

	if (fd >= 0) {
		if (log_is_kmsg && log_fd > 2)
			close(log_fd);
		log_fd = fd;
		log_is_kmsg = 1;
		kmsg_path = kmsg;
		lines_on_fd = 0;
		return 0;
	}
	fd = -errno;
	if (console) {
		int c = open(console, O_WRONLY | O_CLOEXEC | O_NOCTTY);

		if (c >= 0)
			log_fd = c;
	}
	log_is_kmsg = 0;
	return fd;
}

/* One write() per line: /dev/kmsg refuses records over about 1 KiB, so a
 * long message goes out as several lines, cut at spaces, the later ones
 * indented. */
static void emit(int level, const char *text, size_t len, int cont)
{
	char line[LOG_RECORD_MAX + 32];
	int n;

	if (log_is_kmsg)
		n = snprintf(line, sizeof(line), "<%d>" LOG_PREFIX "%s", level,
			     cont ? "  " : "");
	else
		n = snprintf(line, sizeof(line), LOG_PREFIX "%s", cont ? "  " : "");
	memcpy(line + n, text, len);
	n += (int)len;
	line[n++] = '\n';
	if (log_is_kmsg && ++lines_on_fd > KMSG_LINES_PER_OPEN) {
		int fd = open(kmsg_path, O_WRONLY | O_CLOEXEC | O_NOCTTY);

		if (fd >= 0) {
			close(log_fd);
			log_fd = fd;
			lines_on_fd = 1;
		}
	}
	(void)!write(log_fd, line, n);
}

void log_child(void)
{
	lines_on_fd = KMSG_LINES_PER_OPEN;
}

void log_msg(int level, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	const char *p;
	va_list ap;
	int m, cont = 0;
	size_t left;

	if (level >= L_DEBUG && !log_debug)
		return;
	va_start(ap, fmt);
	m = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	if ((size_t)m >= sizeof(msg))	/* say so rather than cut silently */
		memcpy(msg + sizeof(msg) - 6, "[...]", 6);
	for (p = msg, left = strlen(msg); left; cont = 1) {
		size_t len = left;

		if (len > LOG_RECORD_MAX) {
			len = LOG_RECORD_MAX;
			while (len > LOG_RECORD_MAX / 2 && p[len] != ' ')
				len--;
			if (p[len] != ' ')
				len = LOG_RECORD_MAX;
		}
		emit(level, p, len, cont);
		p += len;
		left -= len;
		while (left && *p == ' ') {
			p++;
			left--;
		}
	}
}
