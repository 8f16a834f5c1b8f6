/* cmdline.c - kernel command line parsing (pure but for read(2) of the
 * file descriptor cmdline_read() is given) */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "cmdline.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

int cmdline_each(char *buf, int (*fn)(char *param, char *val, void *arg),
		 void *arg, int *unterminated_quote)
{
	char *p = buf;

	while (*p) {
		char *param, *val = NULL, *w;
		int inq = 0, r;

		while (is_space(*p))
			p++;
		if (!*p)
			break;

		/* Scan one argument, removing quotes as we go (w trails p). */
		param = w = p;
		for (; *p && (inq || !is_space(*p)); p++) {
			if (*p == '"') {
				inq = !inq;
				continue;
			}
			if (*p == '=' && !val) {
				*w++ = '\0';
				val = w;
				continue;
			}
			*w++ = *p;
		}
		if (inq && unterminated_quote)
			*unterminated_quote = 1;
		if (*p)
			p++;
		*w = '\0';

		r = fn(param, val, arg);
		if (r)
			return r;
	}
	return 0;
}

/* @buf (@len bytes) is the start of a longer line: cut it before its last
 * parameter, which may have been read only in part, and copy that
 * parameter's name (what precedes any '=', without quotes) to @name.
 * Spaces inside double quotes separate nothing, as in cmdline_each(). */
static size_t cut_last(char *buf, size_t len, char *name, size_t size)
{
	size_t i, start = 0, n = 0;
	int inq = 0, sep = 1;

	for (i = 0; i < len; i++) {
		if (!inq && is_space(buf[i])) {
			sep = 1;
			continue;
		}
		if (sep)
			start = i;
		sep = 0;
		if (buf[i] == '"')
			inq = !inq;
	}
	for (i = start; i < len && buf[i] != '=' && n + 1 < size; i++)
		if (buf[i] != '"')
			name[n++] = buf[i];
	name[n] = '\0';
	buf[start] = '\0';
	return start;
}

ssize_t cmdline_read(int fd, char *buf, size_t size, char *ignored, size_t ignored_size)
{
	size_t len = 0;
	ssize_t n;
	char c;

	ignored[0] = '\0';
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (len == size - 1 && read(fd, &c, 1) == 1)
		len = cut_last(buf, len, ignored, ignored_size);
	return (ssize_t)len;
}

int list_next(const char **p, char *item, size_t size)
{
	const char *s = *p;
	size_t n;

	if (!*s)
		return -1;
	n = strcspn(s, ",");
	*p = s + n + (s[n] == ',');
	if (n >= size)
		return 0;
	memcpy(item, s, n);
	item[n] = '\0';
	return (int)n;
}

int parse_uint(const char *s, int *out)
{
	long v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (*s - '0');
		if (v > 0x7fffffff)
			return -ERANGE;
	}
	*out = (int)v;
	return 0;
}

static int parse_int(const char *s, int *out)
{
	int r;

	if (s && *s == '-') {
		r = parse_uint(s + 1, out);
		if (!r)
			*out = -*out;
		return r;
	}
	return parse_uint(s, out);
}

/* Copy a value into a fixed field; remember the first one that does not fit. */
static void set_str(struct boot_params *bp, const char *name, char *dst,
		    size_t size, const char *val)
{
	size_t n = strlen(val);

	if (n >= size) {
		if (!bp->too_long[0]) {
			strncpy(bp->too_long, name, sizeof(bp->too_long) - 1);
			bp->too_long[sizeof(bp->too_long) - 1] = '\0';
		}
		return;		/* keep the previous value rather than a truncated one */
	}
	memcpy(dst, val, n + 1);
}

/* Append ",@val" to a list parameter; a value that does not fit is
 * reported like any over-long value. */
static void append_list(struct boot_params *bp, const char *name, char *dst,
			size_t size, const char *val)
{
	size_t have = strlen(dst), n = strlen(val);

	if (!n)
		return;
	if (have + n + 2 > size) {
		if (!bp->too_long[0]) {
			strncpy(bp->too_long, name, sizeof(bp->too_long) - 1);
			bp->too_long[sizeof(bp->too_long) - 1] = '\0';
		}
		return;
	}
	if (have)
		dst[have++] = ',';
	memcpy(dst + have, val, n + 1);
}

/* "mod.param=value" is for the module "mod" (modprobe reads these from
 * /proc/cmdline); keep them NUL-separated for the loader. */
static void add_modparam(struct boot_params *bp, const char *param, const char *val)
{
	size_t need = strlen(param) + (val ? strlen(val) + 1 : 0) + 1;
	char *d = bp->modparams + bp->modparams_len;

	if (bp->modparams_len + need > sizeof(bp->modparams)) {
		if (!bp->too_long[0])
			strcpy(bp->too_long, "module parameters");
		return;
	}
	strcpy(d, param);
	if (val) {
		strcat(d, "=");
		strcat(d, val);
	}
	bp->modparams_len += need;
}

static int parse_one(char *param, char *val, void *arg)
{
	struct boot_params *bp = arg;
	const char *dot = strchr(param, '.');
	int n;

	if (dot && dot != param && dot[1] && strncmp(param, "rd.", 3) &&
	    strncmp(param, "modprobe.", 9))
		add_modparam(bp, param, val);

	if (!val) {
		if (!strcmp(param, "ro"))
			bp->ro = RO_RO;
		else if (!strcmp(param, "rw"))
			bp->ro = RO_RW;
		else if (!strcmp(param, "rootwait"))
			bp->rootwait = 1;
		else if (!strcmp(param, "quiet"))
			bp->quiet = 1;
		else if (!strcmp(param, "debug"))
			bp->debug = 1;
		else if (!strcmp(param, "break"))	/* initramfs-tools: premount */
			set_str(bp, param, bp->brk, sizeof(bp->brk), "premount");
		else if (!strcmp(param, "rd.break"))	/* dracut: before switch_root */
			set_str(bp, param, bp->brk, sizeof(bp->brk), "init");
		else if (!strcmp(param, "noresume"))
			bp->noresume = 1;
		return 0;
	}

	if (!strcmp(param, "root"))
		set_str(bp, param, bp->root, sizeof(bp->root), val);
	else if (!strcmp(param, "rootfstype"))
		set_str(bp, param, bp->rootfstype, sizeof(bp->rootfstype), val);
	else if (!strcmp(param, "rootflags"))
		set_str(bp, param, bp->rootflags, sizeof(bp->rootflags), val);
	else if (!strcmp(param, "init"))
		set_str(bp, param, bp->init, sizeof(bp->init), val);
	else if (!strcmp(param, "break") || !strcmp(param, "rd.break"))
		set_str(bp, param, bp->brk, sizeof(bp->brk), val);
	else if (!strcmp(param, "modprobe.blacklist") ||
		 !strcmp(param, "rd.driver.blacklist"))
		append_list(bp, param, bp->blacklist, sizeof(bp->blacklist), val);
	else if (!strcmp(param, "rootfallback")) {
		size_t len = strlen(val) + 1;

		if (len > 1 && bp->rootfallback_len + len <= sizeof(bp->rootfallback)) {
			memcpy(bp->rootfallback + bp->rootfallback_len, val, len);
			bp->rootfallback_len += len;
		} else if (len > 1 && !bp->too_long[0]) {
			strcpy(bp->too_long, "rootfallback");
		}
	} else if (!strcmp(param, "rd.driver.pre"))
		append_list(bp, param, bp->driver_pre, sizeof(bp->driver_pre), val);
	else if (!strcmp(param, "rootdelay")) {
		if (!parse_uint(val, &n))
			bp->rootdelay = n;
	} else if (!strcmp(param, "panic")) {
		if (!parse_int(val, &n)) {
			bp->panic = n;
			bp->panic_set = 1;
		}
	} else if (!strcmp(param, "rd.shell")) {
		if (!parse_uint(val, &n))
			bp->rd_shell = n != 0;
	} else if (!strcmp(param, "debug")) {
		bp->debug = 1;
	} else if (!strcmp(param, "resume")) {
		set_str(bp, param, bp->resume, sizeof(bp->resume), val);
	} else if (!strcmp(param, "resume_offset")) {
		set_str(bp, param, bp->resume_offset, sizeof(bp->resume_offset), val);
	} else if (!strcmp(param, "noresume")) {
		bp->noresume = 1;
	} else if (!strcmp(param, "rd.lvm") || !strcmp(param, "rd.md") ||
		   !strcmp(param, "rd.luks")) {
		unsigned int bit = param[3] == 'l' ? (param[4] == 'v' ? RD_OFF_LVM : RD_OFF_LUKS)
				   : RD_OFF_MD;

		if (!parse_uint(val, &n)) {
			if (n)
				bp->rd_off &= ~bit;
			else
				bp->rd_off |= bit;
		}
	}
	return 0;
}

void cmdline_parse(char *buf, struct boot_params *bp)
{
	memset(bp, 0, sizeof(*bp));
	bp->ro = RO_UNSET;
	bp->rootdelay = -1;
	bp->rd_shell = -1;
	cmdline_each(buf, parse_one, bp, &bp->unterminated_quote);
}
