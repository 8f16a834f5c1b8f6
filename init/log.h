/* log.h - the one output path of /init */
#ifndef INITKIT_LOG_H
#define INITKIT_LOG_H

#define LOG_LINE_MAX   2048	/* longest message */
#define LOG_RECORD_MAX 900	/* longest line: /dev/kmsg takes about 1 KiB */
#define LOG_PREFIX "initkit: "

/* printk levels */
#define L_CRIT   2
#define L_ERR    3
#define L_WARN   4
#define L_NOTICE 5
#define L_INFO   6
#define L_DEBUG  7

/* Open /dev/kmsg, falling back to /dev/console.  Returns 0 or -errno
 * (the fallback is still in place on error). */
int log_open(const char *kmsg, const char *console);
/* In a child process: its next line opens /dev/kmsg afresh, so that the
 * kernel's allowance of lines per open file is its own, not the parent's. */
void log_child(void);

/* One write() per line, prefixed; debug lines only when log_debug is set. */
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

extern int log_debug;

#endif
