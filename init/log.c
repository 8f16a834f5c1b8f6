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
int log_debug;

int log_open(const char *kmsg, const char *console)
{
	int fd = open(kmsg, O_WRONLY | O_CLOEXEC | O_NOCTTY);

	if (fd >= 0) {
		log_fd = fd;
		log_is_kmsg = 1;
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

void log_msg(int level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;
	int n, m;

	if (level >= L_DEBUG && !log_debug)
		return;
	if (log_is_kmsg)
		n = snprintf(line, sizeof(line), "<%d>" LOG_PREFIX, level);
	else
		n = snprintf(line, sizeof(line), LOG_PREFIX);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if (n > (int)sizeof(line) - 2) {
		/* Say so rather than cut silently. */
		n = sizeof(line) - 6;
		memcpy(line + n, "[...]", 5);
		n += 5;
	}
	line[n++] = '\n';
	(void)!write(log_fd, line, n);
}
