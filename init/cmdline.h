/* cmdline.h - kernel command line parsing for /init (pure, host-testable) */
#ifndef INITKIT_CMDLINE_H
#define INITKIT_CMDLINE_H

#include <stddef.h>

#define CMDLINE_MAX     4096	/* COMMAND_LINE_SIZE on x86 is 2048; leave room */
#define PARAM_VALUE_MAX 256	/* longest value we keep for any parameter */
#define FSTYPE_MAX      64
#define BREAK_MAX       64
#define MODPARAMS_MAX   1024

enum { RO_UNSET = -1, RO_RW = 0, RO_RO = 1 };

struct boot_params {
	char root[PARAM_VALUE_MAX];
	char rootfstype[FSTYPE_MAX];
	char rootflags[PARAM_VALUE_MAX];
	char init[PARAM_VALUE_MAX];
	char brk[BREAK_MAX];		/* break= / rd.break= stage list */
	int ro;				/* RO_UNSET, RO_RW, RO_RO */
	int rootdelay;			/* seconds, -1 = unset */
	int rootwait;			/* wait for ever */
	int panic;			/* panic=N; 0 = wait for ever */
	int panic_set;
	int rd_shell;			/* -1 unset, 0 no shell, 1 shell */
	int quiet;
	int debug;
	/* Lists that accumulate over occurrences (comma-separated names). */
	char blacklist[PARAM_VALUE_MAX];	/* modprobe.blacklist=, rd.driver.blacklist= */
	char driver_pre[PARAM_VALUE_MAX];	/* rd.driver.pre= */
	/* rootfallback=SPEC, once per fallback, NUL-separated, in order */
	char rootfallback[PARAM_VALUE_MAX];
	size_t rootfallback_len;
	/* "module.param[=value]" parameters, NUL-separated, for modules */
	char modparams[MODPARAMS_MAX];
	size_t modparams_len;
	/* Problems found while parsing, reported by the caller.  The parser
	 * never stops on them: a bad parameter must not cost the boot. */
	int unterminated_quote;
	char too_long[64];		/* name of the first over-long parameter */
};

/*
 * Split @buf the way the kernel's next_arg() does: parameters are separated
 * by spaces; double quotes group spaces (no escapes) and are removed; the
 * value starts after the first '='.  Calls @fn for each parameter with
 * @val NULL when there is no '='.  Stops early if @fn returns non-zero and
 * returns that value.  @buf is modified in place (NUL terminators).
 */
int cmdline_each(char *buf, int (*fn)(char *param, char *val, void *arg),
		 void *arg, int *unterminated_quote);

/* Fill @bp from the command line in @buf (modified in place).  The last
 * occurrence of a parameter wins; unknown parameters are ignored. */
void cmdline_parse(char *buf, struct boot_params *bp);

/* Walk a comma list ("a,b,,c"): copy the next item to @item and return
 * its length, 0 for an empty item or one too long for @size (skip it), or
 * -1 at the end of the list.  Advances *p. */
int list_next(const char **p, char *item, size_t size);

/* Parse a non-negative decimal integer; -EINVAL if not one. */
int parse_uint(const char *s, int *out);

#endif
