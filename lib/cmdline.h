/* cmdline.h - kernel command line parsing for /init (pure, host-testable) */
#ifndef INITKIT_CMDLINE_H
#define INITKIT_CMDLINE_H

#include <stddef.h>
#include <sys/types.h>

/* The longest command line read.  COMMAND_LINE_SIZE is 2048 on x86, but
 * bootconfig (up to 32 KiB) adds to what /proc/cmdline shows. */
#define CMDLINE_MAX     65536
#define PARAM_VALUE_MAX 256	/* longest value we keep for any parameter */
#define FSTYPE_MAX      64
#define BREAK_MAX       64
#define MODPARAMS_MAX   1024

enum { RO_UNSET = -1, RO_RW = 0, RO_RO = 1 };

/* Stacks switched off on the command line (dracut's rd.lvm=0, rd.md=0,
 * rd.luks=0): their block-device actions do not run. */
enum { RD_OFF_LVM = 1, RD_OFF_MD = 2, RD_OFF_LUKS = 4 };

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
	unsigned int rd_off;		/* RD_OFF_* */
	char resume[PARAM_VALUE_MAX];	/* resume=: the hibernation image's swap */
	char resume_offset[24];		/* resume_offset=: pages into a swap file */
	int noresume;
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

/* Read the command line from @fd into @buf (@size bytes, NUL-terminated).
 * If there is more than @size-1 bytes, the last parameter read (perhaps
 * only in part) and all after it are left out, and its name is copied to
 * @ignored (@ignored_size bytes; "" when nothing was left out).  Returns
 * the length kept, or -errno. */
ssize_t cmdline_read(int fd, char *buf, size_t size, char *ignored, size_t ignored_size);

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
