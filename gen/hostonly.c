/* hostonly.c - walk sysfs from the root mount to the drivers it needs
 *
 * Everything is read relative to a directory fd of SYSROOT and of
 * SYSROOT/sys, and sysfs symlinks (always relative in the kernel's
 * layout) are resolved lexically, so a fake tree built by a test behaves
 * like the real one.  No logging here: decisions go to h->why, failures
 * to h->err. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"
#include "crypttab.h"
#include "genutil.h"
#include "hostonly.h"
#include "probe.h"

#define HO_LINE_MAX	65536	/* longest mountinfo line accepted */
#define HO_ATTR_MAX	1024	/* longest sysfs attribute read (modalias, uuid) */
#define HO_WHY_MAX	4096	/* longest why line */
#define HO_DEVLINKS	8	/* symlink hops followed below /dev */

struct walk {
	struct hostonly *h;
	const char *sysroot;
	int rootfd;		/* SYSROOT or / */
	int sysfd;		/* SYSROOT/sys */
	struct hostonly_mount *mnts;
	size_t nmnt;
	char **seen;		/* device directories already walked */
	size_t nseen;
	size_t ndev;
};

static int seterr(struct hostonly *h, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* fmt_err() into h->err */
static int seterr(struct hostonly *h, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfmt_err(h->err, sizeof(h->err), err, fmt, ap);
	va_end(ap);
	return err;
}

/* Append a copy of @s to the list (@unique: unless it is there).
 * Returns 1 if added, 0 if already present, -ENOMEM. */
static int strv_add(char ***v, size_t *n, const char *s, int unique)
{
	char **nv, *d;
	size_t i;

	if (unique)
		for (i = 0; i < *n; i++)
			if (!strcmp((*v)[i], s))
				return 0;
	d = strdup(s);
	if (!d)
		return -ENOMEM;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv) {
		free(d);
		return -ENOMEM;
	}
	nv[(*n)++] = d;
	*v = nv;
	return 1;
}

static void strv_free(char ***v, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
	*n = 0;
}

static int nomem(struct hostonly *h)
{
	return seterr(h, -ENOMEM, "out of memory");
}

static int add_why(struct walk *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int add_why(struct walk *w, const char *fmt, ...)
{
	char line[HO_WHY_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return seterr(w->h, -ENAMETOOLONG, "explanation line too long: %.80s...", line);
	if (strv_add(&w->h->why, &w->h->nwhy, line, 0) < 0)
		return nomem(w->h);
	return 0;
}

/* snprintf-append to a bounded buffer; -ENAMETOOLONG instead of truncating. */
static int app(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int app(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - len) {
		buf[len] = '\0';
		return -ENAMETOOLONG;
	}
	return 0;
}

/* ---- paths ---- */

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* Drop the last component of a relative path; -ENOENT if there is none. */
static int path_up(char *p)
{
	char *s = strrchr(p, '/');

	if (!s)
		return -ENOENT;
	*s = '\0';
	return 0;
}

static int catpath(char *out, size_t size, const char *a, const char *b)
{
	int n = snprintf(out, size, "%s/%s", a, b);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Resolve the relative symlink @link found in directory @dir (both relative
 * to the same fd) without touching the file system.  Sysfs links point
 * from real directories to real directories, so ".." is lexical.
 * -EINVAL for an absolute link or one climbing above the fd. */
int hostonly_resolve(char *out, size_t size, const char *dir, const char *link)
{
	const char *s = link, *e;
	size_t len, clen;

	if (link[0] == '/')
		return -EINVAL;
	len = strlen(dir);
	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(out, dir, len + 1);
	while (*s) {
		e = strchrnul(s, '/');
		clen = (size_t)(e - s);
		if (clen == 0 || (clen == 1 && s[0] == '.')) {
			/* nothing */
		} else if (clen == 2 && s[0] == '.' && s[1] == '.') {
			if (len == 0)
				return -EINVAL;
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			out[len] = '\0';
		} else {
			if (len + !!len + clen >= size)
				return -ENAMETOOLONG;
			if (len)
				out[len++] = '/';
			memcpy(out + len, s, clen);
			len += clen;
			out[len] = '\0';
		}
		s = *e ? e + 1 : e;
	}
	return 0;
}

/* ---- reading sysfs ---- */

static int exists(int dirfd, const char *path)
{
	struct stat st;

	return fstatat(dirfd, path, &st, 0) == 0;
}

/* Read the attribute @path into @buf, trailing newlines removed.
 * Returns the length or -errno; -EFBIG if it does not fit. */
static ssize_t read_attr(int dirfd, const char *path, char *buf, size_t size)
{
	ssize_t n, got = 0;
	int fd;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)got < size) {
		n = read(fd, buf + got, size - (size_t)got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		got += n;
	}
	close(fd);
	if ((size_t)got >= size)
		return -EFBIG;
	while (got > 0 && buf[got - 1] == '\n')
		got--;
	buf[got] = '\0';
	return got;
}

static ssize_t read_link(int dirfd, const char *path, char *buf, size_t size)
{
	ssize_t n = readlinkat(dirfd, path, buf, size);

	if (n < 0)
		return -errno;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return n;
}

/* Read the sysfs link @dir/@name and resolve it to a path below /sys/devices. */
static int sys_link(struct walk *w, const char *dir, const char *name, char *out, size_t size)
{
	char lpath[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	int r;

	if (catpath(lpath, sizeof(lpath), dir, name) < 0)
		return seterr(w->h, -ENAMETOOLONG, "sysfs path too long: %s/%s", dir, name);
	n = read_link(w->sysfd, lpath, target, sizeof(target));
	if (n < 0)
		return seterr(w->h, (int)n, "cannot read the link %s/sys/%s: %s", w->sysroot,
			      lpath, strerror((int)-n));
	r = hostonly_resolve(out, size, dir, target);
	if (r < 0 || strncmp(out, "devices/", 8))
		return seterr(w->h, r < 0 ? r : -EINVAL, "%s/sys/%s -> %s: not a link into "
			      "/sys/devices", w->sysroot, lpath, target);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory @path of sysfs, sorted; at most @max. */
static int list_dir(struct walk *w, const char *path, char ***names, size_t *n, size_t max)
{
	struct dirent *de;
	DIR *d;
	int fd, r = 0;

	*names = NULL;
	*n = 0;
	fd = openat(w->sysfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (*n >= max) {
			r = seterr(w->h, -E2BIG, "%s/sys/%s: more than %zu entries", w->sysroot,
				   path, max);
			break;
		}
		if (strv_add(names, n, de->d_name, 0) < 0) {
			r = nomem(w->h);
			break;
		}
	}
	closedir(d);
	if (r < 0) {
		strv_free(names, n);
		return r;
	}
	if (*n > 1)
		qsort(*names, *n, sizeof(**names), cmp_str);
	return 0;
}

/* ---- /proc/self/mountinfo ---- */

/* Undo the kernel's octal escapes (\040 space, \011 tab, \012 newline,
 * \134 backslash) in place. */
static void unescape(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

static int parse_uint(const char *s, char stop, unsigned *v, const char **end)
{
	unsigned long x = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	while (*s >= '0' && *s <= '9') {
		x = x * 10 + (unsigned long)(*s++ - '0');
		if (x > 0xffffffffUL)
			return -EINVAL;
	}
	if (*s != stop)
		return -EINVAL;
	*v = (unsigned)x;
	if (end)
		*end = s;
	return 0;
}

/* One line: ID PARENT MAJ:MIN ROOT POINT OPTS [OPTIONAL...] - TYPE SOURCE SUPEROPTS */
int hostonly_mountinfo_line(char *line, struct hostonly_mount *m)
{
	char *f[64], *s = line;
	const char *e;
	size_t n = 0, dash;

	while (s && *s) {
		if (n == ARRAY_SIZE(f))
			return -EINVAL;
		f[n++] = strsep(&s, " ");
	}
	for (dash = 6; dash < n; dash++)
		if (!strcmp(f[dash], "-"))
			break;
	if (dash + 2 >= n)
		return -EINVAL;
	if (parse_uint(f[0], '\0', &m->id, NULL) < 0 ||
	    parse_uint(f[2], ':', &m->major, &e) < 0 ||
	    parse_uint(e + 1, '\0', &m->minor, NULL) < 0)
		return -EINVAL;
	unescape(f[3]);
	unescape(f[4]);
	unescape(f[dash + 1]);
	unescape(f[dash + 2]);
	/* one space between fields; only the source may be empty ("") */
	if (!*f[3] || !*f[4] || !*f[dash + 1])
		return -EINVAL;
	m->root = strdup(f[3]);
	m->point = strdup(f[4]);
	m->fstype = strdup(f[dash + 1]);
	m->source = strdup(f[dash + 2]);
	if (!m->root || !m->point || !m->fstype || !m->source)
		return -ENOMEM;
	return 0;
}

void hostonly_mount_free(struct hostonly_mount *m)
{
	free(m->root);
	free(m->point);
	free(m->fstype);
	free(m->source);
	memset(m, 0, sizeof(*m));
}

static void free_mounts(struct walk *w)
{
	size_t i;

	for (i = 0; i < w->nmnt; i++)
		hostonly_mount_free(&w->mnts[i]);
	free(w->mnts);
	w->mnts = NULL;
	w->nmnt = 0;
}

static int read_mountinfo(struct walk *w)
{
	struct hostonly_mount *nm;
	size_t cap = 0, lineno = 0, linecap = 0;
	char *line = NULL;
	ssize_t len;
	FILE *f;
	int fd, r = 0;

	fd = openat(w->rootfd, "proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !(f = fdopen(fd, "r"))) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		return seterr(w->h, r, "cannot read %s/proc/self/mountinfo: %s (is /proc mounted?)",
			      w->sysroot, strerror(-r));
	}
	while ((len = getline(&line, &linecap, f)) > 0) {
		lineno++;
		if (len > HO_LINE_MAX) {
			r = seterr(w->h, -E2BIG, "mountinfo line %zu is longer than %d bytes",
				   lineno, HO_LINE_MAX);
			break;
		}
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (!len)
			continue;
		if (w->nmnt == HOSTONLY_MAX_MOUNTS) {
			r = seterr(w->h, -E2BIG, "more than %d mounts in mountinfo",
				   HOSTONLY_MAX_MOUNTS);
			break;
		}
		if (w->nmnt == cap) {
			cap = cap ? cap * 2 : 32;
			nm = realloc(w->mnts, cap * sizeof(*nm));
			if (!nm) {
				r = nomem(w->h);
				break;
			}
			w->mnts = nm;
		}
		memset(&w->mnts[w->nmnt], 0, sizeof(w->mnts[0]));
		r = hostonly_mountinfo_line(line, &w->mnts[w->nmnt]);
		w->nmnt++;	/* so that free_mounts sees partial strings */
		if (r == -ENOMEM) {
			r = nomem(w->h);
			break;
		}
		if (r < 0) {
			r = seterr(w->h, r, "%s/proc/self/mountinfo line %zu is malformed",
				   w->sysroot, lineno);
			break;
		}
	}
	if (!r && ferror(f))
		r = seterr(w->h, -EIO, "error reading %s/proc/self/mountinfo", w->sysroot);
	free(line);
	fclose(f);
	return r;
}

/* The mount holding @path: the longest mount point that is a prefix of it
 * at a component boundary; the last one listed on a tie (over-mounts). */
static const struct hostonly_mount *mount_of(struct walk *w, const char *path)
{
	const struct hostonly_mount *best = NULL;
	size_t i, len, bestlen = 0;

	for (i = 0; i < w->nmnt; i++) {
		const char *pt = w->mnts[i].point;

		len = strlen(pt);
		if (!strcmp(pt, "/"))
			len = 0;
		else if (strncmp(path, pt, len) || (path[len] != '/' && path[len] != '\0'))
			continue;
		if (!best || len >= bestlen) {
			best = &w->mnts[i];
			bestlen = len;
		}
	}
	return best;
}

/* ---- drivers and modules ---- */

/* A loadable module has /sys/module/NAME/initstate; a built-in one only
 * parameters/ or version there.  With no entry at all, trust the caller's
 * libkmod (modules.builtin) and report it as a module. */
static int loadable(struct walk *w, const char *mod)
{
	char p[PATH_MAX];

	if (snprintf(p, sizeof(p), "module/%s/initstate", mod) >= (int)sizeof(p))
		return 1;
	if (exists(w->sysfd, p))
		return 1;
	path_up(p);
	return !exists(w->sysfd, p);
}

static int toolong(struct walk *w, const char *what)
{
	return seterr(w->h, -ENAMETOOLONG, "path or explanation too long near %.200s", what);
}

/* Record module @mod by name (dm_mod, raid1, loop), noting it in @what. */
static int note_module(struct walk *w, const char *mod, char *what, size_t size)
{
	struct hostonly *h = w->h;
	int r, load = loadable(w, mod);

	if (load)
		r = strv_add(&h->modules, &h->nmod, mod, 1);
	else
		r = strv_add(&h->builtin, &h->nbuiltin, mod, 1);
	if (r < 0)
		return nomem(h);
	if (app(what, size, " %s (%s)", mod, load ? "module" : "built-in") < 0)
		return toolong(w, what);
	return 0;
}

/* Record the driver @drv bound to device @dev and its module @mod (NULL:
 * no module link, so built in); append " -> dev (drv: ...)" to @chain. */
static int note_driver(struct walk *w, const char *dev, const char *drv, const char *mod,
		       char *chain, size_t size)
{
	struct hostonly *h = w->h;
	int r;

	if (mod && loadable(w, mod)) {
		if (strv_add(&h->modules, &h->nmod, mod, 1) < 0)
			return nomem(h);
		r = app(chain, size, " -> %s (%s: module %s)", dev, drv, mod);
	} else {
		if (strv_add(&h->builtin, &h->nbuiltin, mod ? mod : drv, 1) < 0)
			return nomem(h);
		if (mod && strcmp(mod, drv))
			r = app(chain, size, " -> %s (%s: built-in %s)", dev, drv, mod);
		else
			r = app(chain, size, " -> %s (%s: built-in)", dev, drv);
	}
	return r < 0 ? toolong(w, chain) : 0;
}

/* One directory on the way up: its driver, the driver's module, its modalias. */
static int level(struct walk *w, const char *dir, char *chain, size_t size, int *ndrv)
{
	char p[PATH_MAX], drv[PATH_MAX], mod[PATH_MAX], alias[HO_ATTR_MAX];
	ssize_t n;
	int r;

	if (catpath(p, sizeof(p), dir, "driver") < 0)
		return toolong(w, dir);
	n = read_link(w->sysfd, p, drv, sizeof(drv));
	if (n >= 0) {
		(*ndrv)++;
		if (catpath(p, sizeof(p), dir, "driver/module") < 0)
			return toolong(w, dir);
		n = read_link(w->sysfd, p, mod, sizeof(mod));
		if (n < 0 && n != -ENOENT)
			return seterr(w->h, (int)n, "cannot read %s/sys/%s: %s", w->sysroot, p,
				      strerror((int)-n));
		r = note_driver(w, base(dir), base(drv), n >= 0 ? base(mod) : NULL, chain, size);
		if (r < 0)
			return r;
	} else if (n != -ENOENT && n != -EINVAL) {
		return seterr(w->h, (int)n, "cannot read %s/sys/%s: %s", w->sysroot, p,
			      strerror((int)-n));
	}

	if (catpath(p, sizeof(p), dir, "modalias") < 0)
		return toolong(w, dir);
	n = read_attr(w->sysfd, p, alias, sizeof(alias));
	if (n > 0) {
		if (strv_add(&w->h->modaliases, &w->h->nalias, alias, 1) < 0)
			return nomem(w->h);
	} else if (n < 0 && n != -ENOENT) {
		return seterr(w->h, (int)n, "cannot read %s/sys/%s: %s", w->sysroot, p,
			      strerror((int)-n));
	}
	return 0;
}

static int seen(struct walk *w, const char *dir)
{
	size_t i;

	for (i = 0; i < w->nseen; i++)
		if (!strcmp(w->seen[i], dir))
			return 1;
	return 0;
}

static int mark_seen(struct walk *w, const char *dir)
{
	return strv_add(&w->seen, &w->nseen, dir, 1) < 0 ? nomem(w->h) : 0;
}

static int walk_up(struct walk *w, const char *start, char *chain, int quiet, int depth);

/* "nvme0", "nvme12": a controller's name (not "nvme0n1", not "subsystem"). */
static int is_ctrl_name(const char *name)
{
	const char *d = name + 4;

	return !strncmp(name, "nvme", 4) && *d >= '0' && *d <= '9' &&
	       strspn(d, "0123456789") == strlen(d);
}

/* Native NVMe multipath: the head disk hangs below
 * /sys/devices/virtual/nvme-subsystem/nvme-subsysN, which links to its
 * controllers (nvme0 -> ../../../pci0000:00/.../nvme/nvme0).  Walk each. */
static int walk_nvme(struct walk *w, const char *subsys, char *chain, int depth)
{
	char ctrl[PATH_MAX], sub[HO_WHY_MAX];
	char **names = NULL;
	size_t n = 0, i, k = 0;
	int r;

	if (depth > HOSTONLY_MAX_STACK)
		return seterr(w->h, -ELOOP, "%s: stacked more than %d deep", base(subsys),
			      HOSTONLY_MAX_STACK);
	r = list_dir(w, subsys, &names, &n, HOSTONLY_MAX_SLAVES * 4);
	if (r < 0) {
		if (r != -E2BIG && r != -ENOMEM)
			seterr(w->h, r, "cannot list %s/sys/%s: %s", w->sysroot, subsys, strerror(-r));
		return r;
	}
	for (i = 0; i < n; i++)
		k += is_ctrl_name(names[i]);
	if (!k) {
		r = seterr(w->h, -ENOENT, "%s: NVMe subsystem %s links to no controller "
			   "(nvme0 ...), so its driver cannot be found", chain, base(subsys));
		goto out;
	}
	r = app(chain, HO_WHY_MAX, " -> %s (native NVMe multipath; controllers:", base(subsys));
	for (i = 0; i < n && r == 0; i++)
		if (is_ctrl_name(names[i]))
			r = app(chain, HO_WHY_MAX, " %s", names[i]);
	if (r == 0)
		r = app(chain, HO_WHY_MAX, ")");
	if (r < 0) {
		r = toolong(w, chain);
		goto out;
	}
	r = add_why(w, "%s", chain);
	for (i = 0; i < n && r == 0; i++) {
		if (!is_ctrl_name(names[i]))
			continue;
		r = sys_link(w, subsys, names[i], ctrl, sizeof(ctrl));
		if (r < 0 || seen(w, ctrl))
			continue;
		r = mark_seen(w, ctrl);
		if (r < 0)
			break;
		snprintf(sub, sizeof(sub), "%s", names[i]);
		r = walk_up(w, ctrl, sub, 0, depth + 1);
	}
out:
	strv_free(&names, &n);
	return r;
}

static int is_nvme_subsys(const char *p)
{
	static const char pre[] = "devices/virtual/nvme-subsystem/";

	return !strncmp(p, pre, sizeof(pre) - 1) && p[sizeof(pre) - 1] &&
	       !strchr(p + sizeof(pre) - 1, '/');
}

/* From @start up to /sys/devices, appending each bound driver to @chain
 * (HO_WHY_MAX bytes), then record it.  @quiet: a stacked device already
 * explained; say nothing unless a driver turns up. */
static int walk_up(struct walk *w, const char *start, char *chain, int quiet, int depth)
{
	char p[PATH_MAX], subsys[PATH_MAX] = "";
	int levels = 0, ndrv = 0, r;

	if (strlen(start) >= sizeof(p))
		return toolong(w, start);
	strcpy(p, start);
	while (strcmp(p, "devices")) {
		if (++levels > HOSTONLY_MAX_LEVELS)
			return seterr(w->h, -ELOOP, "%s/sys/%s: more than %d directories deep",
				      w->sysroot, start, HOSTONLY_MAX_LEVELS);
		r = level(w, p, chain, HO_WHY_MAX, &ndrv);
		if (r < 0)
			return r;
		if (is_nvme_subsys(p))
			strcpy(subsys, p);
		if (path_up(p) < 0)
			break;
	}
	if (subsys[0])
		return walk_nvme(w, subsys, chain, depth);
	if (!ndrv && quiet)
		return 0;
	if (!ndrv && app(chain, HO_WHY_MAX, " (no driver bound on the way up: a virtual "
			 "device, or the kernel core)") < 0)
		return toolong(w, chain);
	return add_why(w, "%s", chain);
}

/* The module of a device-mapper target, guessed from the uuid prefix the
 * user-space tool sets.  LVM's linear and striped targets are in dm_mod;
 * its raid, cache and integrity layers are not visible here. */
const char *hostonly_dm_module(const char *uuid)
{
	if (!strncmp(uuid, "CRYPT-VERITY-", 13))
		return "dm_verity";
	if (!strncmp(uuid, "CRYPT-INTEGRITY-", 16) || !strncmp(uuid, "CRYPT-SUBDEV-", 13))
		return "dm_integrity";
	if (!strncmp(uuid, "CRYPT-", 6))
		return "dm_crypt";
	if (!strncmp(uuid, "mpath-", 6))
		return "dm_multipath";
	if (!strncmp(uuid, "LVM-", 4)) {
		if (strstr(uuid, "-tpool"))
			return "dm_thin_pool";
		if (strstr(uuid, "-cow") || strstr(uuid, "-real"))
			return "dm_snapshot";
	}
	return NULL;
}

const char *hostonly_md_module(const char *level)
{
	static const char *const map[][2] = {
		{ "raid0", "raid0" }, { "raid1", "raid1" }, { "raid4", "raid456" },
		{ "raid5", "raid456" }, { "raid6", "raid456" }, { "raid10", "raid10" },
		{ "linear", "linear" }, { "multipath", "multipath" }, { "faulty", "faulty" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (!strcmp(level, map[i][0]))
			return map[i][1];
	return NULL;
}

static int walk_block(struct walk *w, const char *devpath, int depth);
static int walk_mount(struct walk *w, const struct hostonly_mount *m, int depth, int is_root);

/* A loop device's backing file: the file system holding it, and its device. */
static int walk_backing(struct walk *w, const char *file, int depth)
{
	const struct hostonly_mount *m = mount_of(w, file);
	char alias[64];
	int r;

	if (!m || file[0] != '/')
		return add_why(w, "backing file %s: no mount holds it (deleted?); its device "
			       "is not included", file);
	r = snprintf(alias, sizeof(alias), "fs-%s", m->fstype);
	if (r < 0 || (size_t)r >= sizeof(alias))
		return toolong(w, m->fstype);
	if (strv_add(&w->h->modaliases, &w->h->nalias, alias, 1) < 0)
		return nomem(w->h);
	r = add_why(w, "backing file %s is on %s (%s, %u:%u, mounted on %s): alias %s",
		    file, m->fstype, m->source, m->major, m->minor, m->point, alias);
	if (r < 0)
		return r;
	return walk_mount(w, m, depth, 0);
}

/* A module set the stack needs at boot (modules.d/@set: its modules and
 * the hook with /init's action for it). */
static int note_set(struct walk *w, const char *set)
{
	return strv_add(&w->h->sets, &w->h->nsets, set, 1) < 0 ? nomem(w->h) : 0;
}

static int note_unsupported(struct walk *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A layer /init cannot set up: the generator names it and stops. */
static int note_unsupported(struct walk *w, const char *fmt, ...)
{
	char line[HO_WHY_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return strv_add(&w->h->unsupported, &w->h->nunsupported, line, 1) < 0 ?
		nomem(w->h) : 0;
}

/* Is one of the slaves of @disk itself an LVM volume? */
static int lvm_over_lvm(struct walk *w, const char *disk)
{
	char dir[PATH_MAX], link[PATH_MAX], p[PATH_MAX], uuid[HO_ATTR_MAX];
	char **slaves = NULL;
	size_t n = 0, i;
	int found = 0;

	if (catpath(dir, sizeof(dir), disk, "slaves") < 0 ||
	    list_dir(w, dir, &slaves, &n, HOSTONLY_MAX_SLAVES) < 0)
		return 0;
	for (i = 0; i < n && !found; i++)
		found = sys_link(w, dir, slaves[i], link, sizeof(link)) == 0 &&
			catpath(p, sizeof(p), link, "dm/uuid") == 0 &&
			read_attr(w->sysfd, p, uuid, sizeof(uuid)) > 0 &&
			!strncmp(uuid, "LVM-", 4);
	strv_free(&slaves, &n);
	return found;
}

/* What /init can set up of a device-mapper device: LVM's linear and
 * striped volumes, with the lvm set; the rest is unsupported, named.
 * LVM's dm uuid is "LVM-" and the VG's and LV's ids (64 characters);
 * a suffix ("-tpool", "-cow", "-real", "-cdata"...) marks a hidden layer. */
static int dm_layer(struct walk *w, const char *disk, const char *uuid)
{
	char p[PATH_MAX], name[HO_ATTR_MAX] = "";
	const char *dev = base(disk);

	if (catpath(p, sizeof(p), disk, "dm/name") < 0 ||
	    read_attr(w->sysfd, p, name, sizeof(name)) <= 0)
		strcpy(name, "no name");
	if (!strncmp(uuid, "LVM-", 4)) {
		if (strlen(uuid) > 4 + 64)
			return note_unsupported(w, "%s (%s): a hidden LVM layer (dm uuid "
						"suffix %s: thin pool, snapshot or cache); "
						"initkit activates linear and striped logical "
						"volumes only", dev, name, uuid + 4 + 64);
		if (lvm_over_lvm(w, disk))
			return note_unsupported(w, "%s (%s): a logical volume built on other "
						"logical volumes (thin, snapshot, cache, raid "
						"or mirror); initkit activates linear and "
						"striped logical volumes only", dev, name);
		return note_set(w, "lvm");
	}
	if (!strncmp(uuid, "CRYPT-LUKS1-", 12) || !strncmp(uuid, "CRYPT-LUKS2-", 12)) {
		/* CRYPT-LUKSn-<32 hex digits of the volume's UUID>-NAME */
		const char *hx = uuid + 12;
		char line[HO_ATTR_MAX + 48];
		size_t i, o;

		for (i = 0; i < 32 && isxdigit((unsigned char)hx[i]); i++)
			;
		if (i < 32 || hx[32] != '-')
			return note_unsupported(w, "%s (%s): dm-crypt with a dm uuid cryptsetup "
						"does not write (%s)", dev, name, uuid);
		o = (size_t)snprintf(line, sizeof(line), "%s ", name);
		for (i = 0; i < 32 && o < sizeof(line) - 2; i++) {
			if (i == 8 || i == 12 || i == 16 || i == 20)
				line[o++] = '-';
			line[o++] = (char)tolower((unsigned char)hx[i]);
		}
		line[o] = '\0';
		if (strv_add(&w->h->luks, &w->h->nluks, line, 1) < 0)
			return -ENOMEM;
		return note_set(w, "luks");
	}
	if (!strncmp(uuid, "CRYPT-", 6))
		return note_unsupported(w, "%s (%s): dm-crypt that is not LUKS (dm uuid %s: "
					"plain, BitLocker, TrueCrypt, verity or integrity); "
					"initkit unlocks LUKS1 and LUKS2 volumes only", dev,
					name, uuid);
	return note_unsupported(w, "%s (%s): a device-mapper device not made by LVM (%s%s); "
				"initkit sets up LVM volumes only", dev, name,
				uuid[0] ? "dm uuid " : "no dm uuid", uuid);
}

/* An md array: the md set assembles native superblocks (0.90, 1.x). */
static int md_layer(struct walk *w, const char *disk, const char *level)
{
	char p[PATH_MAX], meta[HO_ATTR_MAX] = "";

	if (catpath(p, sizeof(p), disk, "md/metadata_version") < 0 ||
	    read_attr(w->sysfd, p, meta, sizeof(meta)) <= 0)
		meta[0] = '\0';
	if (!strcmp(level, "container") || !strncmp(meta, "external", 8))
		return note_unsupported(w, "%s: an md array with external metadata (%s%s: "
					"IMSM or DDF firmware RAID); initkit assembles "
					"native MD superblocks (0.90, 1.x) only", base(disk),
					meta[0] ? meta : "level ", meta[0] ? "" : level);
	/* the levels lib/md.c refuses at boot: say so now, not at boot */
	if (!strcmp(level, "linear") || !strcmp(level, "multipath") ||
	    !strcmp(level, "faulty"))
		return note_unsupported(w, "%s: an md array of level %s; initkit assembles "
					"raid0, raid1, raid4, raid5, raid6 and raid10 only",
					base(disk), level);
	return note_set(w, "md");
}

/* dm, md, loop and anything else with slaves/.  Returns 1 if @disk is such
 * a stacked device (its lower devices walked), 0 if not, or -errno. */
static int stacked(struct walk *w, const char *disk, const char *chain, int depth)
{
	char p[PATH_MAX], attr[HO_ATTR_MAX], backing[PATH_MAX] = "", what[HO_WHY_MAX] = "";
	char link[PATH_MAX], slavedir[PATH_MAX];
	char **slaves = NULL;
	size_t nslaves = 0, i;
	const char *mod;
	ssize_t n;
	int r = 0;

	if (catpath(p, sizeof(p), disk, "dm") < 0)
		return toolong(w, disk);
	if (exists(w->sysfd, p)) {
		if (catpath(p, sizeof(p), disk, "dm/uuid") < 0)
			return toolong(w, disk);
		n = read_attr(w->sysfd, p, attr, sizeof(attr));
		if (n <= 0)
			attr[0] = '\0';
		if (app(what, sizeof(what), "device-mapper (%s%s):", attr[0] ? "uuid " : "no uuid",
			attr) < 0)
			return toolong(w, attr);
		r = note_module(w, "dm_mod", what, sizeof(what));
		mod = hostonly_dm_module(attr);
		if (!r && mod)
			r = note_module(w, mod, what, sizeof(what));
		if (!r)
			r = dm_layer(w, disk, attr);
		if (r < 0)
			return r;
	}

	if (catpath(p, sizeof(p), disk, "md/level") < 0)
		return toolong(w, disk);
	n = read_attr(w->sysfd, p, attr, sizeof(attr));
	if (n > 0) {
		if (app(what, sizeof(what), "%smd %s:", what[0] ? " " : "", attr) < 0)
			return toolong(w, attr);
		r = note_module(w, "md_mod", what, sizeof(what));
		mod = hostonly_md_module(attr);
		if (!r && mod)
			r = note_module(w, mod, what, sizeof(what));
		else if (!r && strcmp(attr, "container"))
			r = app(what, sizeof(what), " (no module known for this level)");
		if (!r)
			r = md_layer(w, disk, attr);
		if (r < 0)
			return r;
	}

	if (catpath(p, sizeof(p), disk, "loop/backing_file") < 0)
		return toolong(w, disk);
	n = read_attr(w->sysfd, p, backing, sizeof(backing));
	if (n > 0) {
		if (app(what, sizeof(what), "%sloop device backed by %s:", what[0] ? " " : "",
			backing) < 0)
			return toolong(w, backing);
		r = note_module(w, "loop", what, sizeof(what));
		if (r < 0)
			return r;
	} else {
		backing[0] = '\0';
	}

	if (catpath(slavedir, sizeof(slavedir), disk, "slaves") < 0)
		return toolong(w, disk);
	r = list_dir(w, slavedir, &slaves, &nslaves, HOSTONLY_MAX_SLAVES);
	if (r == -ENOENT || r == -ENOTDIR) {
		r = 0;
	} else if (r < 0) {
		if (r != -E2BIG && r != -ENOMEM)
			seterr(w->h, r, "cannot list %s/sys/%s: %s", w->sysroot, slavedir,
			       strerror(-r));
		return r;
	}
	if (!what[0] && !nslaves)
		return 0;

	if (!what[0])
		r = app(what, sizeof(what), "stacked device");
	if (!r && nslaves)
		r = app(what, sizeof(what), "; slaves:");
	for (i = 0; i < nslaves && !r; i++)
		r = app(what, sizeof(what), " %s", slaves[i]);
	if (r < 0)
		r = toolong(w, what);
	else
		r = add_why(w, "%s: %s", chain, what);
	for (i = 0; i < nslaves && !r; i++) {
		r = sys_link(w, slavedir, slaves[i], link, sizeof(link));
		if (!r)
			r = walk_block(w, link, depth + 1);
	}
	strv_free(&slaves, &nslaves);
	if (!r && backing[0])
		r = walk_backing(w, backing, depth + 1);
	return r < 0 ? r : 1;
}

static int set_rootdev(struct walk *w, const char *name)
{
	if (w->h->rootdev[0])
		return 0;
	if (strlen(name) >= sizeof(w->h->rootdev))
		return seterr(w->h, -ENAMETOOLONG, "device name too long: %s", name);
	strcpy(w->h->rootdev, name);
	return 0;
}

/* A block device directory below /sys/devices (a partition or a disk). */
static int walk_block(struct walk *w, const char *devpath, int depth)
{
	char disk[PATH_MAX], p[PATH_MAX], chain[HO_WHY_MAX];
	int r;

	if (depth > HOSTONLY_MAX_STACK)
		return seterr(w->h, -ELOOP, "%s: block devices stacked more than %d deep "
			      "(a loop in slaves/?)", base(devpath), HOSTONLY_MAX_STACK);
	if (++w->ndev > HOSTONLY_MAX_DEVICES)
		return seterr(w->h, -E2BIG, "more than %d block devices below %s",
			      HOSTONLY_MAX_DEVICES, w->h->rootdev);
	r = set_rootdev(w, base(devpath));
	if (r < 0)
		return r;
	if (strlen(devpath) >= sizeof(disk))
		return toolong(w, devpath);
	strcpy(disk, devpath);
	snprintf(chain, sizeof(chain), "%s", base(devpath));
	if (catpath(p, sizeof(p), disk, "partition") < 0)
		return toolong(w, disk);
	if (exists(w->sysfd, p)) {
		path_up(disk);
		if (app(chain, sizeof(chain), " -> %s", base(disk)) < 0)
			return toolong(w, chain);
	}
	if (seen(w, disk))
		return add_why(w, "%s (walked above)", chain);
	r = mark_seen(w, disk);
	if (r < 0)
		return r;
	r = stacked(w, disk, chain, depth);
	if (r < 0)
		return r;
	return walk_up(w, disk, chain, r > 0, depth);
}

/* The block device name behind @source ("/dev/vda2", "/dev/mapper/x",
 * "/dev/disk/by-uuid/..."), following symlinks below SYSROOT/dev. */
static int dev_name(struct walk *w, const char *source, char *out, size_t size)
{
	char p[PATH_MAX], dir[PATH_MAX], t[PATH_MAX], q[PATH_MAX];
	int i, r;

	if (strncmp(source, "/dev/", 5) || strlen(source) >= sizeof(p))
		return -ENOENT;
	strcpy(p, source + 1);
	for (i = 0; i < HO_DEVLINKS; i++) {
		if (read_link(w->rootfd, p, t, sizeof(t)) < 0)
			break;
		strcpy(dir, p);
		path_up(dir);
		r = t[0] == '/' ? hostonly_resolve(q, sizeof(q), "", t + 1) :
				  hostonly_resolve(q, sizeof(q), dir, t);
		if (r < 0)
			return r;
		strcpy(p, q);
	}
	if (strncmp(p, "dev/", 4) || strlen(base(p)) >= size)
		return -ENOENT;
	strcpy(out, base(p));
	if (catpath(q, sizeof(q), "class/block", out) < 0 || !exists(w->sysfd, q))
		return -ENOENT;
	return 0;
}

/* btrfs shows an anonymous 0:N device: find its block devices from the
 * source and /sys/fs/btrfs/UUID/devices/ (all of them: a multi-device
 * file system needs every one). */
static int walk_btrfs(struct walk *w, const struct hostonly_mount *m, int depth)
{
	char name[NAME_MAX + 1] = "", uuid[NAME_MAX + 1] = "", one[NAME_MAX + 1] = "";
	char p[PATH_MAX], link[PATH_MAX], what[HO_WHY_MAX] = "";
	char **names = NULL;
	size_t n = 0, i, nfs = 0;
	int r;

	if (dev_name(w, m->source, name, sizeof(name)) < 0)
		name[0] = '\0';
	r = list_dir(w, "fs/btrfs", &names, &n, HOSTONLY_MAX_DEVICES);
	if (r < 0 && r != -ENOENT)
		return r == -E2BIG || r == -ENOMEM ? r :
			seterr(w->h, r, "cannot list %s/sys/fs/btrfs: %s", w->sysroot, strerror(-r));
	for (i = 0; i < n; i++) {
		if (snprintf(p, sizeof(p), "fs/btrfs/%s/devices", names[i]) >= (int)sizeof(p) ||
		    !exists(w->sysfd, p) || strlen(names[i]) >= sizeof(uuid))
			continue;
		nfs++;
		strcpy(one, names[i]);
		if (name[0] && catpath(link, sizeof(link), p, name) == 0 &&
		    exists(w->sysfd, link)) {
			strcpy(uuid, names[i]);
			break;
		}
	}
	strv_free(&names, &n);
	if (!uuid[0] && !name[0] && nfs == 1)
		strcpy(uuid, one);

	if (uuid[0]) {
		if (name[0] && (r = set_rootdev(w, name)) < 0)
			return r;
		snprintf(p, sizeof(p), "fs/btrfs/%s/devices", uuid);
		r = list_dir(w, p, &names, &n, HOSTONLY_MAX_SLAVES);
		if (r < 0)
			return r == -E2BIG || r == -ENOMEM ? r :
				seterr(w->h, r, "cannot list %s/sys/%s: %s", w->sysroot, p,
				       strerror(-r));
		for (i = 0; i < n && !r; i++)
			r = app(what, sizeof(what), " %s", names[i]);
		if (r < 0)
			r = toolong(w, what);
		else
			r = add_why(w, "btrfs %u:%u from %s: filesystem %s on%s", m->major,
				    m->minor, m->source, uuid, what);
		for (i = 0; i < n && !r; i++) {
			r = sys_link(w, p, names[i], link, sizeof(link));
			if (!r)
				r = walk_block(w, link, depth);
		}
		strv_free(&names, &n);
		return r;
	}
	if (name[0]) {
		r = add_why(w, "btrfs %u:%u from %s: not listed in /sys/fs/btrfs; walking %s "
			    "alone", m->major, m->minor, m->source, name);
		if (!r)
			r = sys_link(w, "class/block", name, link, sizeof(link));
		return r < 0 ? r : walk_block(w, link, depth);
	}
	return seterr(w->h, -ENOENT, "cannot tell which block devices hold btrfs %u:%u "
		      "(source '%s'): no %s/sys/fs/btrfs/UUID/devices/ lists it", m->major,
		      m->minor, m->source, w->sysroot);
}

static int walk_mount(struct walk *w, const struct hostonly_mount *m, int depth, int is_root)
{
	char name[32], link[PATH_MAX];
	int r;

	if (m->major == 0) {
		if (!strcmp(m->fstype, "btrfs"))
			return walk_btrfs(w, m, depth);
		if (!is_root)
			return add_why(w, "%s is %s, not on a block device: nothing to walk",
				       m->point, m->fstype);
		return seterr(w->h, -ENOTSUP, "%s is %s from '%s' (%u:%u), not on a block "
			      "device: host-only needs a block device root (disk, partition, "
			      "dm or md); build a generic image instead", m->point, m->fstype,
			      m->source, m->major, m->minor);
	}
	snprintf(name, sizeof(name), "%u:%u", m->major, m->minor);
	r = sys_link(w, "dev/block", name, link, sizeof(link));
	if (r == -ENOENT)
		return seterr(w->h, -ENOENT, "%s is %s on %s (%s), but %s/sys/dev/block/%s "
			      "does not exist: is sysfs mounted on %s/sys, and is this the "
			      "mount table of this system?", m->point, m->fstype, m->source,
			      name, w->sysroot, name, w->sysroot);
	if (r < 0)
		return r;
	return walk_block(w, link, depth);
}

/* Open SYSROOT and its sys/ for a walk, and read its mount table. */
static int walk_begin(struct walk *w, struct hostonly *h, const char *sysroot)
{
	memset(w, 0, sizeof(*w));
	w->h = h;
	w->rootfd = w->sysfd = -1;
	w->sysroot = sysroot ? sysroot : "";
	w->rootfd = open(w->sysroot[0] ? w->sysroot : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->rootfd < 0)
		return seterr(h, -errno, "cannot open %s: %s", w->sysroot, strerror(errno));
	w->sysfd = openat(w->rootfd, "sys", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->sysfd < 0)
		return seterr(h, -errno, "cannot open %s/sys: %s (is sysfs mounted?)",
			      w->sysroot, strerror(errno));
	return read_mountinfo(w);
}

static void walk_end(struct walk *w)
{
	free_mounts(w);
	strv_free(&w->seen, &w->nseen);
	if (w->sysfd >= 0)
		close(w->sysfd);
	if (w->rootfd >= 0)
		close(w->rootfd);
}

int hostonly_detect(struct hostonly *h, const char *sysroot, const char *mountpoint)
{
	const struct hostonly_mount *m = NULL;
	struct walk w;
	char mp[PATH_MAX];
	size_t i, len;
	int r;

	memset(h, 0, sizeof(*h));
	if (!mountpoint || mountpoint[0] != '/')
		return seterr(h, -EINVAL, "mount point '%s' is not an absolute path",
			      mountpoint ? mountpoint : "(null)");
	len = strlen(mountpoint);
	if (len >= sizeof(mp))
		return seterr(h, -ENAMETOOLONG, "mount point too long");
	memcpy(mp, mountpoint, len + 1);
	while (len > 1 && mp[len - 1] == '/')
		mp[--len] = '\0';

	r = walk_begin(&w, h, sysroot);
	if (r < 0)
		goto out;
	for (i = w.nmnt; i-- > 0;) {
		if (!strcmp(w.mnts[i].point, mp)) {
			m = &w.mnts[i];
			break;
		}
	}
	if (!m) {
		r = seterr(h, -ENOENT, "nothing is mounted on %s according to "
			   "%s/proc/self/mountinfo", mp, w.sysroot);
		goto out;
	}
	if (strlen(m->fstype) >= sizeof(h->fstype)) {
		r = seterr(h, -ENAMETOOLONG, "file system type too long: %.64s", m->fstype);
		goto out;
	}
	strcpy(h->fstype, m->fstype);
	r = add_why(&w, "%s is %s on %s (%u:%u, mount %u%s%s)", mp, m->fstype, m->source,
		    m->major, m->minor, m->id, strcmp(m->root, "/") ? ", subtree " : "",
		    strcmp(m->root, "/") ? m->root : "");
	if (!r)
		r = walk_mount(&w, m, 0, 1);
out:
	walk_end(&w);
	return r;
}

/* The largest swap partition in SYSROOT/proc/swaps, as written there
 * ("/dev/dm-1", octal escapes undone), in @out; 0 if there is none. */
static int largest_swap(struct walk *w, char *out, size_t size, unsigned long long *kib)
{
	size_t linecap = 0;
	char *line = NULL;
	FILE *f;
	int fd;

	*kib = 0;
	out[0] = '\0';
	fd = openat(w->rootfd, "proc/swaps", O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;		/* a kernel without swap */
	if (fd < 0 || !(f = fdopen(fd, "r"))) {
		int r = -errno;

		if (fd >= 0)
			close(fd);
		return seterr(w->h, r, "cannot read %s/proc/swaps: %s", w->sysroot,
			      strerror(-r));
	}
	while (getline(&line, &linecap, f) > 0) {
		char name[PATH_MAX], type[32];
		unsigned long long sz;

		/* "Filename Type Size Used Priority"; the header fails the scan */
		if (sscanf(line, "%4095s %31s %llu", name, type, &sz) != 3 ||
		    strcmp(type, "partition") || strncmp(name, "/dev/", 5) ||
		    !strncmp(name, "/dev/zram", 9))
			continue;
		unescape(name);
		if (sz > *kib && strlen(name) < size) {
			*kib = sz;
			strcpy(out, name);
		}
	}
	free(line);
	fclose(f);
	return out[0] ? 1 : 0;
}

/* The UUID in the swap header of SYSROOT/dev/@name, or "". */
static void swap_uuid(struct walk *w, const char *name, char *uuid, size_t size)
{
	static uint8_t buf[PROBE_READ_SIZE];
	struct fs_info fi;
	struct stat st;
	char p[PATH_MAX];
	ssize_t n;
	int fd;

	uuid[0] = '\0';
	if (snprintf(p, sizeof(p), "dev/%s", name) >= (int)sizeof(p))
		return;
	/* a device or, in a test tree, a file; never a FIFO */
	fd = openat(w->rootfd, p, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && (S_ISBLK(st.st_mode) || S_ISREG(st.st_mode))) {
		n = pread(fd, buf, sizeof(buf), 0);
		if (n > 0 && !probe_fs(buf, (size_t)n, &fi) && !strcmp(fi.type, "swap") &&
		    fi.uuid[0] && strlen(fi.uuid) < size)
			strcpy(uuid, fi.uuid);
	}
	close(fd);
}

/* The device a resume= spec names, through SYSROOT/dev's links. */
static int spec_dev(struct walk *w, const char *spec, char *name, size_t size)
{
	static const char *const by[][2] = {
		{ "UUID=", "/dev/disk/by-uuid/" }, { "LABEL=", "/dev/disk/by-label/" },
		{ "PARTUUID=", "/dev/disk/by-partuuid/" },
		{ "PARTLABEL=", "/dev/disk/by-partlabel/" },
	};
	char p[PATH_MAX];
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(by); i++) {
		n = strlen(by[i][0]);
		if (!strncmp(spec, by[i][0], n)) {
			if (snprintf(p, sizeof(p), "%s%s", by[i][1], spec + n) >= (int)sizeof(p))
				return -ENAMETOOLONG;
			return dev_name(w, p, name, size);
		}
	}
	return dev_name(w, spec, name, size);
}

int hostonly_resume(struct hostonly *h, const char *sysroot, const char *spec)
{
	char swap[PATH_MAX], name[64], uuid[FS_UUID_MAX], link[PATH_MAX];
	unsigned long long kib = 0;
	struct walk w;
	int r;

	h->resume[0] = h->resume_dev[0] = '\0';
	r = walk_begin(&w, h, sysroot);
	if (r < 0)
		goto out;
	if (spec) {
		if (strlen(spec) >= sizeof(h->resume)) {
			r = seterr(h, -ENAMETOOLONG, "resume device '%.80s...' too long", spec);
			goto out;
		}
		strcpy(h->resume, spec);
		r = spec_dev(&w, spec, name, sizeof(name));
		if (r < 0) {
			r = seterr(h, -ENOENT, "resume device %s: no such block device on "
				   "this machine (%s/dev has no link for it)", spec, w.sysroot);
			goto out;
		}
		r = add_why(&w, "resume: %s is %s", spec, name);
	} else {
		r = largest_swap(&w, swap, sizeof(swap), &kib);
		if (r <= 0)
			goto out;
		r = dev_name(&w, swap, name, sizeof(name));
		if (r < 0) {
			r = seterr(h, -ENOENT, "the swap %s in %s/proc/swaps is not a block "
				   "device this machine's sysfs knows", swap, w.sysroot);
			goto out;
		}
		swap_uuid(&w, name, uuid, sizeof(uuid));
		if (uuid[0])
			snprintf(h->resume, sizeof(h->resume), "UUID=%s", uuid);
		else
			snprintf(h->resume, sizeof(h->resume), "/dev/%s", name);
		r = add_why(&w, "resume: %s (%s, %llu KiB: the largest swap partition in "
			    "/proc/swaps)", h->resume, swap, kib);
	}
	strcpy(h->resume_dev, name);
	if (!r)
		r = sys_link(&w, "class/block", name, link, sizeof(link));
	if (!r)
		r = walk_block(&w, link, 0);
	if (!r)
		r = 1;
out:
	walk_end(&w);
	return r;
}

void hostonly_free(struct hostonly *h)
{
	strv_free(&h->sets, &h->nsets);
	strv_free(&h->unsupported, &h->nunsupported);
	strv_free(&h->luks, &h->nluks);
	strv_free(&h->modules, &h->nmod);
	strv_free(&h->builtin, &h->nbuiltin);
	strv_free(&h->modaliases, &h->nalias);
	strv_free(&h->why, &h->nwhy);
}

/* ---- the image's crypttab ---- */

int hostonly_crypttab(struct hostonly *h, const char *tab, size_t len, char **out,
		      char ***keys, size_t *nkeys)
{
	char *buf = NULL, *text = NULL;
	size_t tlen = 0, i;
	int r = 0;

	*out = NULL;
	if (tab) {
		buf = malloc(len + 1);
		if (!buf)
			return -ENOMEM;
	}
	for (i = 0; i < h->nluks && !r; i++) {
		char name[HO_ATTR_MAX], uuid[48], add[HO_ATTR_MAX * 2 + 400];
		const char *sp = strchr(h->luks[i], ' ');
		char *line, *next, *f[4];
		int found = 0, n, k;
		char *grown;

		if (!sp || (size_t)(sp - h->luks[i]) >= sizeof(name) || strlen(sp + 1) >= sizeof(uuid))
			continue;
		memcpy(name, h->luks[i], (size_t)(sp - h->luks[i]));
		name[sp - h->luks[i]] = '\0';
		strcpy(uuid, sp + 1);
		if (buf) {
			memcpy(buf, tab, len);
			buf[len] = '\0';
		}
		for (line = buf; line && *line && !found; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			k = crypttab_fields(line, f);
			if (k < 2 || (strcmp(f[0], name) && !crypttab_names_uuid(f[1], uuid)))
				continue;
			found = 1;
			if (k > 3 && strstr(f[3], "keyscript=")) {
				snprintf(h->err, sizeof(h->err), "/etc/crypttab: %s: a keyscript= "
					 "cannot run in initkit's image; give a key file or type "
					 "the passphrase at boot", f[0]);
				r = -ENOTSUP;
				break;
			}
			if (k > 3 && strstr(f[3], "header=")) {
				snprintf(h->err, sizeof(h->err), "/etc/crypttab: %s: a detached LUKS "
					 "header (header=) is not supported: initkit reads the "
					 "header from the volume itself", f[0]);
				r = -ENOTSUP;
				break;
			}
			if (k > 2 && strcmp(f[2], "none") && strcmp(f[2], "-")) {
				if (f[2][0] != '/' || !strncmp(f[2], "/dev/", 5) || strchr(f[2], ':')) {
					snprintf(h->err, sizeof(h->err), "/etc/crypttab: %s: key %s is "
						 "not a file; initkit reads key files from the "
						 "image only", f[0], f[2]);
					r = -ENOTSUP;
					break;
				}
				if (strv_add(keys, nkeys, f[2], 1) < 0) {
					r = -ENOMEM;
					break;
				}
			}
			/* the mapping's name, the volume by UUID, the key, the options */
			n = snprintf(add, sizeof(add), "%s UUID=%s %s %s\n", name, uuid,
				     k > 2 ? f[2] : "none", k > 3 ? f[3] : "luks");
			if (n < 0 || (size_t)n >= sizeof(add)) {
				r = -E2BIG;
				break;
			}
		}
		if (r)
			break;
		if (!found)
			snprintf(add, sizeof(add), "%s UUID=%s none luks\n", name, uuid);
		grown = realloc(text, tlen + strlen(add) + 1);
		if (!grown) {
			r = -ENOMEM;
			break;
		}
		text = grown;
		strcpy(text + tlen, add);
		tlen += strlen(add);
	}
	free(buf);
	if (r) {
		free(text);
		return r;
	}
	*out = text;
	return 0;
}
