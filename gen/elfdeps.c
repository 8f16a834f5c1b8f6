/* elfdeps.c - a host program's shared-library closure, found the way the
 * dynamic loader finds it (ld.so(8), glibc's elf/dl-load.c).
 *
 * One call is one process: the program, its PT_INTERP, then its DT_NEEDED
 * libraries breadth first, which is glibc's load order.  Each DT_NEEDED
 * name is looked up as _dl_map_object() does:
 *
 *   1. a name with a '/' is used as is ($ORIGIN and the like expanded);
 *   2. a name an object is already loaded as (a DT_NEEDED name, its
 *      DT_SONAME or, for the interpreter, its PT_INTERP) is that object;
 *   3. unless the requesting object has DT_RUNPATH: the DT_RPATH of the
 *      requesting object, of the object that loaded it, and so on up to
 *      the executable, then the executable's own (an object that has
 *      DT_RUNPATH has no DT_RPATH: glibc drops it);
 *   4. the DT_RUNPATH of the requesting object;
 *   5. the directories of /etc/ld.so.conf and its "include"s, which are
 *      what ldconfig puts in /etc/ld.so.cache;
 *   6. the default directories of the architecture.
 *
 * DF_1_NODEFLIB skips the default directories in 5 and 6.  A candidate of
 * another ELF class or machine is skipped as ld.so skips it; a candidate
 * that is not a sound ELF file is an error, as it is for ld.so.  A file
 * reached under two names is one object; both names are recorded.
 *
 * In RPATH and RUNPATH, $ORIGIN is the directory of the object's name as it
 * was opened -- for the program, of its last name after the symlinks in
 * the last component (what /proc/self/exe shows in the image).  $LIB is
 * Debian's multiarch "lib/<triplet>" (glibc as Debian builds it: tried with
 * LD_DEBUG=libs) and $PLATFORM the architecture's base name ("x86_64"):
 * glibc on the host may say "haswell", but the image may boot elsewhere.
 *
 * Names are lexically normalised: the image's directories are real ones,
 * so there /opt/app/bin/../lib is /opt/app/lib.  Files are read inside
 * the root, resolving symlinks (absolute ones and "..") the way chroot(2)
 * would.
 *
 * Not modelled: LD_LIBRARY_PATH and LD_PRELOAD (no environment to speak of
 * at boot), /etc/ld.so.preload, the glibc-hwcaps/ and legacy hwcap
 * subdirectories, the contents of ld.so.cache (the ld.so.conf directories
 * are searched instead: a library ldconfig has not indexed yet is still
 * found), dlopen()ed libraries (NSS modules, libgcc_s for pthread_cancel:
 * add them by path like a program).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"
#include "elfdeps.h"
#include "genutil.h"
#include "regfile.h"

#define ED_PATH_MAX	PATH_MAX	/* a name, a symlink target */
#define ED_MAX_LINKS	40		/* symlinks in one lookup: the kernel's */
#define ED_MAX_SCRIPT	5		/* "#!" scripts in a row: Linux 6's limit */
#define ED_SHEBANG_MAX	256		/* the "#!" line read: BINPRM_BUF_SIZE */
#define ED_MAX_INCLUDE	8		/* ld.so.conf "include" nesting */
#define ED_MAX_DYN	(1u << 20)	/* bytes of PT_DYNAMIC we accept */
#define ED_MAX_STRTAB	(64u << 20)	/* bytes of DT_STRTAB we accept */
#define ED_NAME_SHOW	200		/* a name quoted in a message */

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ELFDATA_HOST	ELFDATA2LSB
#else
#define ELFDATA_HOST	ELFDATA2MSB
#endif

/* elf_load(): the file is sound ELF, but of another class or machine */
#define ELF_OTHER	1

/* ---- architectures --------------------------------------------------- */

struct arch {
	unsigned char cls;
	uint16_t machine;
	const char *name;
	const char *lib;	/* $LIB */
	const char *platform;	/* $PLATFORM */
	const char *dirs[7];	/* default search directories, NULL-ended */
};

static const struct arch arches[] = {
	{ ELFCLASS64, EM_X86_64, "64-bit x86-64", "lib/x86_64-linux-gnu", "x86_64",
	  { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64",
	    "/usr/lib64", "/lib", "/usr/lib", NULL } },
	{ ELFCLASS32, EM_386, "32-bit i386", "lib/i386-linux-gnu", "i686",
	  { "/lib/i386-linux-gnu", "/usr/lib/i386-linux-gnu", "/lib32",
	    "/usr/lib32", "/lib", "/usr/lib", NULL } },
	{ ELFCLASS64, EM_AARCH64, "64-bit aarch64", "lib/aarch64-linux-gnu", "aarch64",
	  { "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64",
	    "/usr/lib64", "/lib", "/usr/lib", NULL } },
};

static const struct arch arch_other = {
	0, 0, NULL, "lib", "", { "/lib", "/usr/lib", NULL }
};

static const struct arch *arch_find(unsigned char cls, uint16_t machine)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(arches); i++)
		if (arches[i].cls == cls && arches[i].machine == machine)
			return &arches[i];
	return &arch_other;
}

static const char *arch_name(unsigned char cls, uint16_t machine, char *buf, size_t size)
{
	const struct arch *a = arch_find(cls, machine);

	if (a->name)
		return a->name;
	snprintf(buf, size, "%d-bit machine %u", cls == ELFCLASS64 ? 64 : 32, machine);
	return buf;
}

/* ---- string vectors --------------------------------------------------- */

struct strv {
	char **v;
	size_t n, cap;
};

static int strv_push(struct strv *s, const char *str)
{
	char *dup;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		char **v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	dup = strdup(str);
	if (!dup)
		return -ENOMEM;
	s->v[s->n++] = dup;
	return 0;
}

static bool strv_has(const struct strv *s, const char *str)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], str))
			return true;
	return false;
}

static void strv_free(struct strv *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

/* ---- one call's state ------------------------------------------------- */

struct elf_info {
	unsigned char cls;
	uint16_t machine;
	char *interp;		/* PT_INTERP */
	char *soname;
	char *rpath;
	char *runpath;
	struct strv needed;
	uint64_t flags1;	/* DT_FLAGS_1 */
};

struct obj {
	char *name;		/* as opened: glibc's l_name */
	char *origin;		/* $ORIGIN */
	struct strv names;	/* what it answers to: glibc's l_libname */
	struct elf_info e;
	dev_t dev;
	ino_t ino;
	long loader;		/* the object that loaded it; -1: none */
};

struct ctx {
	struct elfdeps *d;
	char root[ED_PATH_MAX];	/* "" for "/" */
	const struct arch *arch;
	unsigned char cls;	/* of the program being resolved */
	uint16_t machine;
	struct strv conf;	/* ld.so.conf directories */
	bool conf_loaded;
	struct obj *obj;	/* the process's objects, in load order */
	size_t nobj, capobj;
};

/* A name and the symlinks in its last component, down to a regular file */
struct chain {
	size_t n;
	char *name[ED_MAX_LINKS + 1];
	char *link[ED_MAX_LINKS + 1];
	char host[ED_PATH_MAX];	/* where the regular file is on the host */
	struct stat st;		/* of that file */
};

/* ---- messages --------------------------------------------------------- */

static int fail(struct ctx *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* fmt_err() into the caller's elfdeps */
static int fail(struct ctx *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfmt_err(c->d->err, sizeof(c->d->err), err, fmt, ap);
	va_end(ap);
	return err;
}

/* A damaged or unsuitable ELF file: "name: what" */
static int bad(struct ctx *c, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(struct ctx *c, const char *name, const char *fmt, ...)
{
	va_list ap;
	int len;

	len = snprintf(c->d->err, sizeof(c->d->err), "%.*s: ", ED_NAME_SHOW, name);
	va_start(ap, fmt);
	vsnprintf(c->d->err + len, sizeof(c->d->err) - (size_t)len, fmt, ap);
	va_end(ap);
	return -ENOEXEC;
}

/* Append context to the message already in d->err */
static void add_context(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_context(struct ctx *c, const char *fmt, ...)
{
	size_t len = strlen(c->d->err);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->d->err + len, sizeof(c->d->err) - len, fmt, ap);
	va_end(ap);
}

/* ---- paths ------------------------------------------------------------ */

/* Normalise a path lexically into an absolute one without "//", "." or
 * ".." components; a relative path is taken from "/". */
static int lexnorm(const char *in, char *out, size_t size)
{
	const char *p = in;
	size_t len = 0;

	while (*p) {
		const char *end;
		size_t clen;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchrnul(p, '/');
		clen = (size_t)(end - p);
		if (clen == 2 && p[0] == '.' && p[1] == '.') {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
		} else if (!(clen == 1 && p[0] == '.')) {
			if (len + 1 + clen + 1 > size)
				return -ENAMETOOLONG;
			out[len++] = '/';
			memcpy(out + len, p, clen);
			len += clen;
		}
		p = end;
	}
	if (len == 0) {
		if (size < 2)
			return -ENAMETOOLONG;
		out[len++] = '/';
	}
	out[len] = '\0';
	return 0;
}

/* The directory of a normalised absolute path */
static void dir_of(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash && slash != path ? (size_t)(slash - path) : 1;

	if (len >= size)
		len = size - 1;
	memcpy(out, path, len);
	out[len] = '\0';
	if (len == 1)
		out[0] = '/';
}

/* @dir/@name, normalised */
static int join(const char *dir, const char *name, char *out, size_t size)
{
	char tmp[ED_PATH_MAX];

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/%s", dir, name) >= sizeof(tmp))
		return -ENAMETOOLONG;
	return lexnorm(tmp, out, size);
}

static int host_path(const struct ctx *c, const char *path, char *out, size_t size)
{
	if ((size_t)snprintf(out, size, "%s%s", c->root, path) >= size)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Resolve @path inside the root, following symlinks (the last component's
 * only if @follow_last), with absolute targets and ".." kept inside the
 * root.  @out gets the physical path inside the root.
 */
static int resolve(const char *root, const char *path, bool follow_last,
		   char *out, size_t size)
{
	char rest[ED_PATH_MAX], tmp[ED_PATH_MAX], host[ED_PATH_MAX];
	char target[ED_PATH_MAX];
	const char *p;
	size_t len = 0;
	int links = 0;

	if (strlen(path) >= sizeof(rest) || size < 2)
		return -ENAMETOOLONG;
	strcpy(rest, path);
	p = rest;
	out[0] = '\0';
	for (;;) {
		const char *end, *q;
		struct stat st;
		size_t clen, newlen;
		bool last;
		ssize_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchrnul(p, '/');
		clen = (size_t)(end - p);
		for (q = end; *q == '/'; q++)
			;
		last = !*q;
		if (clen == 1 && p[0] == '.') {
			p = end;
			continue;
		}
		if (clen == 2 && p[0] == '.' && p[1] == '.') {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			out[len] = '\0';
			p = end;
			continue;
		}
		newlen = len + 1 + clen;
		if (newlen + 1 > size)
			return -ENAMETOOLONG;
		out[len] = '/';
		memcpy(out + len + 1, p, clen);
		out[newlen] = '\0';
		p = end;
		if (last && !follow_last) {
			len = newlen;
			break;
		}
		if ((size_t)snprintf(host, sizeof(host), "%s%s", root, out) >= sizeof(host))
			return -ENAMETOOLONG;
		if (lstat(host, &st))
			return -errno;
		if (S_ISLNK(st.st_mode)) {
			if (++links > ED_MAX_LINKS)
				return -ELOOP;
			n = readlink(host, target, sizeof(target));
			if (n < 0)
				return -errno;
			if ((size_t)n >= sizeof(target))
				return -ENAMETOOLONG;
			target[n] = '\0';
			if ((size_t)snprintf(tmp, sizeof(tmp), "%s/%s", target, p) >= sizeof(tmp))
				return -ENAMETOOLONG;
			strcpy(rest, tmp);
			p = rest;
			if (target[0] == '/')
				len = 0;
			out[len] = '\0';
			continue;
		}
		if (!last && !S_ISDIR(st.st_mode))
			return -ENOTDIR;
		len = newlen;
	}
	if (len == 0)
		strcpy(out, "/");
	return 0;
}

static void chain_free(struct chain *ch)
{
	size_t i;

	for (i = 0; i < ch->n; i++) {
		free(ch->name[i]);
		free(ch->link[i]);
	}
	ch->n = 0;
}

static const char *chain_file(const struct chain *ch)
{
	return ch->name[ch->n - 1];
}

/*
 * Follow @name (normalised, inside the root) through the symlinks of its
 * last component down to a regular file.  Sets d->err on failure.
 */
static int chain_follow(struct ctx *c, const char *name, struct chain *ch)
{
	char cur[ED_PATH_MAX], next[ED_PATH_MAX], phys[ED_PATH_MAX];
	char target[ED_PATH_MAX], dir[ED_PATH_MAX];
	int r;

	ch->n = 0;
	if (strlen(name) >= sizeof(cur))
		return fail(c, -ENAMETOOLONG, "%.*s...: name too long", ED_NAME_SHOW, name);
	strcpy(cur, name);
	for (;;) {
		ssize_t n;

		if (ch->n > ED_MAX_LINKS)
			return fail(c, -ELOOP, "%.*s: too many levels of symbolic links",
				    ED_NAME_SHOW, name);
		r = resolve(c->root, cur, false, phys, sizeof(phys));
		if (!r)
			r = host_path(c, phys, ch->host, sizeof(ch->host));
		if (!r && lstat(ch->host, &ch->st))
			r = -errno;
		if (r)
			return fail(c, r, "%.*s: %s", ED_NAME_SHOW, cur, strerror(-r));
		ch->name[ch->n] = strdup(cur);
		ch->link[ch->n] = NULL;
		if (!ch->name[ch->n])
			return -ENOMEM;
		ch->n++;
		if (S_ISREG(ch->st.st_mode))
			return 0;
		if (!S_ISLNK(ch->st.st_mode))
			return bad(c, cur, "not a regular file");
		n = readlink(ch->host, target, sizeof(target));
		if (n < 0)
			return fail(c, -errno, "%.*s: %s", ED_NAME_SHOW, cur, strerror(errno));
		if ((size_t)n >= sizeof(target))
			return fail(c, -ENAMETOOLONG, "%.*s: symlink target too long",
				    ED_NAME_SHOW, cur);
		target[n] = '\0';
		ch->link[ch->n - 1] = strdup(target);
		if (!ch->link[ch->n - 1])
			return -ENOMEM;
		dir_of(cur, dir, sizeof(dir));
		r = target[0] == '/' ? lexnorm(target, next, sizeof(next))
				     : join(dir, target, next, sizeof(next));
		if (r)
			return fail(c, r, "%.*s: symlink target too long", ED_NAME_SHOW, cur);
		strcpy(cur, next);
	}
}

/* ---- the result ------------------------------------------------------- */

static bool d_has(const struct elfdeps *d, const char *path)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (!strcmp(d->paths[i], path))
			return true;
	return false;
}

static int d_record(struct elfdeps *d, const char *path, const char *link)
{
	char *p, *l = NULL;

	if (d_has(d, path))
		return 0;
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 32;
		char **paths = realloc(d->paths, cap * sizeof(*paths));

		if (!paths)
			return -ENOMEM;
		d->paths = paths;
		paths = realloc(d->links, cap * sizeof(*paths));
		if (!paths)
			return -ENOMEM;
		d->links = paths;
		d->cap = cap;
	}
	p = strdup(path);
	if (link)
		l = strdup(link);
	if (!p || (link && !l)) {
		free(p);
		free(l);
		return -ENOMEM;
	}
	d->paths[d->n] = p;
	d->links[d->n] = l;
	d->n++;
	return 0;
}

static int record_chain(struct ctx *c, const struct chain *ch)
{
	size_t i;
	int r;

	for (i = 0; i < ch->n; i++) {
		r = d_record(c->d, ch->name[i], ch->link[i]);
		if (r)
			return r;
	}
	return 0;
}

/* ---- ELF -------------------------------------------------------------- */

struct phdr {
	uint32_t type;
	uint64_t offset, vaddr, filesz;
};

static void elf_info_free(struct elf_info *e)
{
	free(e->interp);
	free(e->soname);
	free(e->rpath);
	free(e->runpath);
	strv_free(&e->needed);
	memset(e, 0, sizeof(*e));
}

/* Read exactly @len bytes at @off; the caller checked them against the size */
static int read_at(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -ENOEXEC;	/* shrank under us */
		got += (size_t)r;
	}
	return 0;
}

/* [off, off + len) lies inside a file of @size bytes */
static bool in_file(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* The NUL-terminated string at @off of a string table, or NULL */
static const char *str_at(const char *tab, uint64_t size, uint64_t off)
{
	if (off >= size || !memchr(tab + off, '\0', (size_t)(size - off)))
		return NULL;
	return tab + off;
}

struct dyn_scan {
	uint64_t *needed;	/* string offsets */
	size_t nneeded;
	uint64_t strtab, strsz, soname, rpath, runpath;
	bool has_strtab, has_strsz, has_soname, has_rpath, has_runpath;
};

static int dyn_strings(struct ctx *c, const char *name, int fd, uint64_t size,
		       const struct phdr *ph, size_t phnum, const struct dyn_scan *s,
		       struct elf_info *e)
{
	uint64_t off = 0, avail = 0, strsz;
	char *tab = NULL;
	const char *str;
	bool found = false;
	size_t i;
	int r;

	if (!s->has_strtab)
		return bad(c, name, "the dynamic section names libraries but has no DT_STRTAB");
	for (i = 0; i < phnum && !found; i++) {
		if (ph[i].type != PT_LOAD || s->strtab < ph[i].vaddr ||
		    s->strtab - ph[i].vaddr >= ph[i].filesz)
			continue;
		off = ph[i].offset + (s->strtab - ph[i].vaddr);
		avail = ph[i].filesz - (s->strtab - ph[i].vaddr);
		found = true;
	}
	if (!found)
		return bad(c, name, "DT_STRTAB 0x%llx is outside every PT_LOAD segment",
			   (unsigned long long)s->strtab);
	strsz = s->has_strsz ? s->strsz : avail;
	if (strsz > avail)
		return bad(c, name, "DT_STRSZ %llu runs past the end of its segment",
			   (unsigned long long)strsz);
	if (strsz == 0 || strsz > ED_MAX_STRTAB || !in_file(off, strsz, size))
		return bad(c, name, "the string table (%llu bytes at 0x%llx) is not in the file",
			   (unsigned long long)strsz, (unsigned long long)off);
	tab = malloc((size_t)strsz);
	if (!tab)
		return -ENOMEM;
	r = read_at(fd, tab, (size_t)strsz, off);
	if (r) {
		r = r == -ENOEXEC ? bad(c, name, "file shrank while read") : r;
		goto out;
	}

	for (i = 0; i < s->nneeded; i++) {
		str = str_at(tab, strsz, s->needed[i]);
		if (!str || !*str) {
			r = bad(c, name, "DT_NEEDED #%zu: string offset 0x%llx is not a name in "
				"the string table (%llu bytes)", i,
				(unsigned long long)s->needed[i], (unsigned long long)strsz);
			goto out;
		}
		r = strv_push(&e->needed, str);
		if (r)
			goto out;
	}
	{
		const struct { bool has; uint64_t off; char **to; const char *tag; } one[] = {
			{ s->has_soname, s->soname, &e->soname, "DT_SONAME" },
			{ s->has_rpath, s->rpath, &e->rpath, "DT_RPATH" },
			{ s->has_runpath, s->runpath, &e->runpath, "DT_RUNPATH" },
		};

		for (i = 0; i < ARRAY_SIZE(one); i++) {
			if (!one[i].has)
				continue;
			str = str_at(tab, strsz, one[i].off);
			if (!str) {
				r = bad(c, name, "%s: string offset 0x%llx is outside the string "
					"table (%llu bytes)", one[i].tag,
					(unsigned long long)one[i].off, (unsigned long long)strsz);
				goto out;
			}
			*one[i].to = strdup(str);
			if (!*one[i].to) {
				r = -ENOMEM;
				goto out;
			}
		}
	}
	r = 0;
out:
	free(tab);
	return r;
}

static int elf_dynamic(struct ctx *c, const char *name, int fd, uint64_t size,
		       const struct phdr *ph, size_t phnum, const struct phdr *dyn,
		       struct elf_info *e)
{
	size_t entsize = e->cls == ELFCLASS64 ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn);
	struct dyn_scan s = { 0 };
	unsigned char *buf;
	size_t i, count;
	int r;

	if (!in_file(dyn->offset, dyn->filesz, size))
		return bad(c, name, "PT_DYNAMIC (%llu bytes at 0x%llx) runs past the end of "
			   "the file (%llu bytes)", (unsigned long long)dyn->filesz,
			   (unsigned long long)dyn->offset, (unsigned long long)size);
	if (dyn->filesz > ED_MAX_DYN)
		return bad(c, name, "PT_DYNAMIC of %llu bytes is implausibly large",
			   (unsigned long long)dyn->filesz);
	count = (size_t)dyn->filesz / entsize;
	if (count == 0)
		return 0;
	buf = malloc(count * entsize);
	s.needed = calloc(count, sizeof(*s.needed));
	if (!buf || !s.needed) {
		r = -ENOMEM;
		goto out;
	}
	r = read_at(fd, buf, count * entsize, dyn->offset);
	if (r) {
		r = r == -ENOEXEC ? bad(c, name, "file shrank while read") : r;
		goto out;
	}
	for (i = 0; i < count; i++) {
		int64_t tag;
		uint64_t val;

		if (e->cls == ELFCLASS64) {
			Elf64_Dyn d64;

			memcpy(&d64, buf + i * entsize, sizeof(d64));
			tag = d64.d_tag;
			val = d64.d_un.d_val;
		} else {
			Elf32_Dyn d32;

			memcpy(&d32, buf + i * entsize, sizeof(d32));
			tag = d32.d_tag;
			val = d32.d_un.d_val;
		}
		if (tag == DT_NULL)
			break;
		switch (tag) {
		case DT_NEEDED:
			s.needed[s.nneeded++] = val;
			break;
		case DT_STRTAB:
			s.strtab = val;
			s.has_strtab = true;
			break;
		case DT_STRSZ:
			s.strsz = val;
			s.has_strsz = true;
			break;
		case DT_SONAME:
			s.soname = val;
			s.has_soname = true;
			break;
		case DT_RPATH:
			s.rpath = val;
			s.has_rpath = true;
			break;
		case DT_RUNPATH:
			s.runpath = val;
			s.has_runpath = true;
			break;
		case DT_FLAGS_1:
			e->flags1 = val;
			break;
		}
	}
	/* glibc: "If both RUNPATH and RPATH are given, the latter is ignored." */
	if (s.has_runpath)
		s.has_rpath = false;
	r = 0;
	if (s.nneeded || s.has_soname || s.has_rpath || s.has_runpath)
		r = dyn_strings(c, name, fd, size, ph, phnum, &s, e);
out:
	free(s.needed);
	free(buf);
	return r;
}

/*
 * Read the ELF file @fd (@size bytes, called @name in messages) into @e.
 * With @want_cls set, a sound file of another class or machine gives
 * ELF_OTHER (checked as early as ld.so checks it).
 */
static int elf_load(struct ctx *c, const char *name, int fd, uint64_t size,
		    struct elf_info *e, unsigned char want_cls, uint16_t want_machine)
{
	union {
		unsigned char ident[EI_NIDENT];
		Elf32_Ehdr h32;
		Elf64_Ehdr h64;
	} h;
	size_t hlen = size < sizeof(h) ? (size_t)size : sizeof(h);
	uint64_t phoff;
	uint16_t type, phentsize, phnum;
	size_t phsize, i;
	unsigned char *buf = NULL;
	struct phdr *ph = NULL;
	const struct phdr *interp = NULL, *dyn = NULL;
	int r;

	if (size < EI_NIDENT)
		return bad(c, name, "not an ELF file (%llu bytes)", (unsigned long long)size);
	memset(&h, 0, sizeof(h));
	r = read_at(fd, &h, hlen, 0);
	if (r)
		return r == -ENOEXEC ? bad(c, name, "file shrank while read") : r;
	if (memcmp(h.ident, ELFMAG, SELFMAG))
		return bad(c, name, "not an ELF file");
	if (h.ident[EI_CLASS] != ELFCLASS32 && h.ident[EI_CLASS] != ELFCLASS64)
		return bad(c, name, "invalid ELF class %u", h.ident[EI_CLASS]);
	e->cls = h.ident[EI_CLASS];
	/* e_machine is at the same offset in both classes */
	if (hlen >= offsetof(Elf32_Ehdr, e_machine) + sizeof(h.h32.e_machine))
		e->machine = h.h32.e_machine;
	if (want_cls && e->cls != want_cls)
		return ELF_OTHER;
	if (h.ident[EI_DATA] != ELFDATA_HOST)
		return bad(c, name, "ELF byte order %u is not the host's", h.ident[EI_DATA]);
	if (h.ident[EI_VERSION] != EV_CURRENT)
		return bad(c, name, "invalid ELF version %u", h.ident[EI_VERSION]);
	if (e->cls == ELFCLASS64) {
		if (hlen < sizeof(h.h64))
			return bad(c, name, "truncated ELF header (%llu bytes)",
				   (unsigned long long)size);
		type = h.h64.e_type;
		phoff = h.h64.e_phoff;
		phentsize = h.h64.e_phentsize;
		phnum = h.h64.e_phnum;
		phsize = sizeof(Elf64_Phdr);
	} else {
		if (hlen < sizeof(h.h32))
			return bad(c, name, "truncated ELF header (%llu bytes)",
				   (unsigned long long)size);
		type = h.h32.e_type;
		phoff = h.h32.e_phoff;
		phentsize = h.h32.e_phentsize;
		phnum = h.h32.e_phnum;
		phsize = sizeof(Elf32_Phdr);
	}
	if (want_cls && e->machine != want_machine)
		return ELF_OTHER;
	if (type != ET_EXEC && type != ET_DYN)
		return bad(c, name, "ELF type %u is neither an executable nor a shared object",
			   type);
	if (phnum == 0)
		return bad(c, name, "no program headers");
	if (phnum == PN_XNUM)
		return bad(c, name, "extended program header numbering is not supported");
	if (phentsize != phsize)
		return bad(c, name, "program header size %u, expected %zu", phentsize, phsize);
	if (!in_file(phoff, (uint64_t)phnum * phsize, size))
		return bad(c, name, "%u program headers at 0x%llx run past the end of the "
			   "file (%llu bytes)", phnum, (unsigned long long)phoff,
			   (unsigned long long)size);

	buf = malloc((size_t)phnum * phsize);
	ph = calloc(phnum, sizeof(*ph));
	if (!buf || !ph) {
		r = -ENOMEM;
		goto out;
	}
	r = read_at(fd, buf, (size_t)phnum * phsize, phoff);
	if (r) {
		r = r == -ENOEXEC ? bad(c, name, "file shrank while read") : r;
		goto out;
	}
	for (i = 0; i < phnum; i++) {
		if (e->cls == ELFCLASS64) {
			Elf64_Phdr p;

			memcpy(&p, buf + i * phsize, sizeof(p));
			ph[i] = (struct phdr){ p.p_type, p.p_offset, p.p_vaddr, p.p_filesz };
		} else {
			Elf32_Phdr p;

			memcpy(&p, buf + i * phsize, sizeof(p));
			ph[i] = (struct phdr){ p.p_type, p.p_offset, p.p_vaddr, p.p_filesz };
		}
		/* A segment the file does not hold: truncated, or nonsense. */
		if (ph[i].type == PT_LOAD && !in_file(ph[i].offset, ph[i].filesz, size)) {
			r = bad(c, name, "PT_LOAD segment #%zu (%llu bytes at 0x%llx) runs past "
				"the end of the file (%llu bytes): truncated?", i,
				(unsigned long long)ph[i].filesz,
				(unsigned long long)ph[i].offset, (unsigned long long)size);
			goto out;
		}
		if (ph[i].type == PT_INTERP && !interp)
			interp = &ph[i];
		if (ph[i].type == PT_DYNAMIC && !dyn)
			dyn = &ph[i];
	}

	if (interp) {
		if (interp->filesz < 2 || interp->filesz > ED_PATH_MAX ||
		    !in_file(interp->offset, interp->filesz, size)) {
			r = bad(c, name, "PT_INTERP (%llu bytes at 0x%llx) is not in the file "
				"or not a path", (unsigned long long)interp->filesz,
				(unsigned long long)interp->offset);
			goto out;
		}
		e->interp = malloc((size_t)interp->filesz);
		if (!e->interp) {
			r = -ENOMEM;
			goto out;
		}
		r = read_at(fd, e->interp, (size_t)interp->filesz, interp->offset);
		if (r) {
			r = r == -ENOEXEC ? bad(c, name, "file shrank while read") : r;
			goto out;
		}
		if (e->interp[interp->filesz - 1] != '\0' || e->interp[0] == '\0') {
			r = bad(c, name, "PT_INTERP is not a NUL-terminated path");
			goto out;
		}
	}
	r = dyn ? elf_dynamic(c, name, fd, size, ph, phnum, dyn, e) : 0;
out:
	free(ph);
	free(buf);
	if (r)
		elf_info_free(e);
	return r;
}

/* Open and read the regular file at the end of @ch */
static int chain_load(struct ctx *c, const struct chain *ch, struct elf_info *e,
		      unsigned char want_cls, uint16_t want_machine)
{
	int fd, r;

	/* lstat() found a regular file: should it have become a FIFO or a
	 * link since, neither wait for a writer nor follow */
	fd = open(ch->host, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return fail(c, -errno, "%.*s: %s", ED_NAME_SHOW, chain_file(ch),
			    strerror(errno));
	r = elf_load(c, chain_file(ch), fd, (uint64_t)ch->st.st_size, e, want_cls,
		     want_machine);
	close(fd);
	return r;
}

/* ---- the objects of one process --------------------------------------- */

static void objs_free(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->nobj; i++) {
		free(c->obj[i].name);
		free(c->obj[i].origin);
		strv_free(&c->obj[i].names);
		elf_info_free(&c->obj[i].e);
	}
	free(c->obj);
	c->obj = NULL;
	c->nobj = c->capobj = 0;
}

/* The object @name (a DT_NEEDED name, or a path) is already loaded as */
static long obj_match(const struct ctx *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nobj; i++)
		if (!strcmp(c->obj[i].name, name) || strv_has(&c->obj[i].names, name))
			return (long)i;
	return -1;
}

/*
 * Take the object at the end of @ch, read into @e (consumed), loaded as
 * @as (NULL: the program) by @loader.  Records its names.  A file already
 * loaded under another name is that object.
 */
static int obj_take(struct ctx *c, const struct chain *ch, struct elf_info *e,
		    const char *as, long loader, bool program)
{
	char origin[ED_PATH_MAX];
	struct obj *o;
	size_t i;
	int r;

	r = record_chain(c, ch);
	if (r)
		goto err;
	for (i = 0; i < c->nobj; i++) {
		if (c->obj[i].dev != ch->st.st_dev || c->obj[i].ino != ch->st.st_ino)
			continue;
		elf_info_free(e);
		return as ? strv_push(&c->obj[i].names, as) : 0;
	}
	if (c->nobj == c->capobj) {
		size_t cap = c->capobj ? 2 * c->capobj : 16;
		struct obj *v = realloc(c->obj, cap * sizeof(*v));

		if (!v) {
			r = -ENOMEM;
			goto err;
		}
		c->obj = v;
		c->capobj = cap;
	}
	o = &c->obj[c->nobj];
	memset(o, 0, sizeof(*o));
	dir_of(program ? chain_file(ch) : ch->name[0], origin, sizeof(origin));
	o->name = strdup(ch->name[0]);
	o->origin = strdup(origin);
	o->dev = ch->st.st_dev;
	o->ino = ch->st.st_ino;
	o->loader = loader;
	o->e = *e;
	memset(e, 0, sizeof(*e));
	c->nobj++;
	if (!o->name || !o->origin)
		return -ENOMEM;
	if (as && (r = strv_push(&o->names, as)))
		return r;
	if (o->e.soname && (r = strv_push(&o->names, o->e.soname)))
		return r;
	return 0;
err:
	elf_info_free(e);
	return r;
}

/* ---- search directories ----------------------------------------------- */

static bool is_default_dir(const struct ctx *c, const char *dir)
{
	size_t i;

	for (i = 0; c->arch->dirs[i]; i++)
		if (!strcmp(c->arch->dirs[i], dir))
			return true;
	return false;
}

static int conf_parse(struct ctx *c, const char *file, int depth);

/* "include PATTERN": relative patterns are relative to the including file */
static int conf_include(struct ctx *c, const char *from, const char *pat, int depth)
{
	char dir[ED_PATH_MAX], full[ED_PATH_MAX], host[ED_PATH_MAX];
	size_t rootlen = strlen(c->root), i;
	glob_t g;
	int r = 0;

	if (depth >= ED_MAX_INCLUDE)
		return fail(c, -ELOOP, "%.*s: \"include\" nested more than %d deep",
			    ED_NAME_SHOW, from, ED_MAX_INCLUDE);
	dir_of(from, dir, sizeof(dir));
	if (pat[0] == '/')
		r = lexnorm(pat, full, sizeof(full));
	else
		r = join(dir, pat, full, sizeof(full));
	if (!r)
		r = host_path(c, full, host, sizeof(host));
	if (r)
		return fail(c, r, "%.*s: include %.*s: pattern too long", ED_NAME_SHOW, from,
			    ED_NAME_SHOW, pat);
	r = glob(host, 0, NULL, &g);
	if (r == GLOB_NOMATCH)
		return 0;
	if (r)
		return fail(c, r == GLOB_NOSPACE ? -ENOMEM : -EIO,
			    "%.*s: include %.*s: cannot expand the pattern", ED_NAME_SHOW,
			    from, ED_NAME_SHOW, pat);
	r = 0;
	for (i = 0; i < g.gl_pathc && !r; i++)
		if (strlen(g.gl_pathv[i]) > rootlen)
			r = conf_parse(c, g.gl_pathv[i] + rootlen, depth + 1);
	globfree(&g);
	return r;
}

/* Parse an ld.so.conf as ldconfig does: one directory a line, "include"
 * lines, "hwcap" lines (ignored), '#' comments */
static int conf_parse(struct ctx *c, const char *file, int depth)
{
	char phys[ED_PATH_MAX], host[ED_PATH_MAX], dir[ED_PATH_MAX];
	char *line = NULL, *p, *end;
	size_t cap = 0;
	FILE *f;
	int r;

	r = resolve(c->root, file, true, phys, sizeof(phys));
	if (r == -ENOENT)
		return 0;
	if (!r)
		r = host_path(c, phys, host, sizeof(host));
	if (r)
		return fail(c, r, "%.*s: %s", ED_NAME_SHOW, file, strerror(-r));
	f = fopen_regular(host);	/* a FIFO here would hang the generator */
	if (!f) {
		if (errno == ENOENT)
			return 0;
		return fail(c, -errno, "%.*s: %s", ED_NAME_SHOW, file,
			    errno == EINVAL ? "not a regular file" : strerror(errno));
	}
	while (!r && getline(&line, &cap, f) > 0) {
		p = line + strcspn(line, "#\n");
		*p = '\0';
		for (p = line; isspace((unsigned char)*p); p++)
			;
		end = p + strlen(p);
		while (end > p && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (!*p)
			continue;
		if (!strncmp(p, "include", 7) && isspace((unsigned char)p[7])) {
			char *save = NULL, *tok;

			for (tok = strtok_r(p + 7, " \t", &save); tok && !r;
			     tok = strtok_r(NULL, " \t", &save))
				r = conf_include(c, file, tok, depth);
			continue;
		}
		if (!strncmp(p, "hwcap", 5) && isspace((unsigned char)p[5]))
			continue;
		/* the old "DIR=TYPE" form */
		end = strchr(p, '=');
		if (end)
			*end = '\0';
		if (lexnorm(p, dir, sizeof(dir)) == 0 && !strv_has(&c->conf, dir))
			r = strv_push(&c->conf, dir);
	}
	free(line);
	fclose(f);
	return r;
}

/* Expand $ORIGIN, $LIB and $PLATFORM (or ${...}) in @len bytes of @in */
static size_t dst_len(const char *s, size_t len, const char *tok)
{
	size_t n = strlen(tok);

	if (len >= n + 2 && s[0] == '{' && !memcmp(s + 1, tok, n) && s[n + 1] == '}')
		return n + 2;
	if (len >= n && !memcmp(s, tok, n) &&
	    (len == n || !(isalnum((unsigned char)s[n]) || s[n] == '_')))
		return n;
	return 0;
}

static int dst_expand(const struct ctx *c, const char *in, size_t len, const char *origin,
		      char *out, size_t size)
{
	const struct { const char *tok, *val; } dst[] = {
		{ "ORIGIN", origin }, { "LIB", c->arch->lib }, { "PLATFORM", c->arch->platform },
	};
	size_t i = 0, o = 0, k, skip, vlen;

	while (i < len) {
		const char *val = NULL;

		skip = 0;
		if (in[i] == '$') {
			for (k = 0; k < ARRAY_SIZE(dst) && !val; k++) {
				skip = dst_len(in + i + 1, len - i - 1, dst[k].tok);
				if (skip)
					val = dst[k].val;
			}
		}
		if (val) {
			vlen = strlen(val);
			if (o + vlen >= size)
				return -ENAMETOOLONG;
			memcpy(out + o, val, vlen);
			o += vlen;
			i += 1 + skip;
			continue;
		}
		if (o + 1 >= size)
			return -ENAMETOOLONG;
		out[o++] = in[i++];
	}
	out[o] = '\0';
	return 0;
}

/* Accumulates which candidates were skipped, for the message */
struct skipped {
	char first[ED_PATH_MAX];
	char what[64];
	unsigned int n;
};

/*
 * Try @dir/@name for @li.  0: found (*idx set), 1: not there, <0: error (a
 * candidate that is there but not a sound ELF file stops ld.so too).
 */
static int try_dir(struct ctx *c, const char *dir, const char *name, long li,
		   struct skipped *sk)
{
	char path[ED_PATH_MAX], buf[64];
	struct chain ch = { 0 };
	struct elf_info e = { 0 };
	int r;

	if (join(dir, name, path, sizeof(path)))
		return 1;
	r = chain_follow(c, path, &ch);
	if (r == -ENOMEM)
		goto out;
	if (r) {
		r = 1;
		goto out;
	}
	r = chain_load(c, &ch, &e, c->cls, c->machine);
	if (r == ELF_OTHER) {
		if (!sk->n++) {
			snprintf(sk->first, sizeof(sk->first), "%s", chain_file(&ch));
			snprintf(sk->what, sizeof(sk->what), "%s", e.cls ?
				 arch_name(e.cls, e.machine, buf, sizeof(buf)) :
				 "of another ELF class");
		}
		elf_info_free(&e);
		r = 1;
		goto out;
	}
	if (r == -EACCES) {	/* skipped by ld.so too */
		r = 1;
		goto out;
	}
	if (r < 0) {
		add_context(c, " (found for %.*s, needed by %.*s)", ED_NAME_SHOW, name,
			    ED_NAME_SHOW, c->obj[li].name);
		goto out;
	}
	r = obj_take(c, &ch, &e, name, li, false);
out:
	chain_free(&ch);
	return r;
}

/* Try each directory of a colon-separated @list owned by object @owner */
static int try_list(struct ctx *c, const char *list, long owner, const char *name,
		    long li, struct skipped *sk)
{
	char dir[ED_PATH_MAX];
	const char *p = list, *end;
	int r;

	for (;; p = end + 1) {
		end = strchrnul(p, ':');
		if (end > p && !dst_expand(c, p, (size_t)(end - p), c->obj[owner].origin,
					   dir, sizeof(dir))) {
			r = try_dir(c, dir, name, li, sk);
			if (r <= 0)
				return r;
		}
		if (!*end)
			return 1;
	}
}

static int conf_load(struct ctx *c)
{
	if (c->conf_loaded)
		return 0;
	c->conf_loaded = true;
	return conf_parse(c, "/etc/ld.so.conf", 0);
}

/* Find @name (no '/') for object @li as _dl_map_object() does */
static int search(struct ctx *c, long li, const char *name)
{
	struct skipped sk = { .n = 0 };
	bool did_main = false, nodeflib;
	const char *runpath = c->obj[li].e.runpath;
	char where[64] = "the ";
	size_t i;
	long l;
	int r;

	if (!runpath) {
		for (l = li; l >= 0; l = c->obj[l].loader) {
			if (!c->obj[l].e.rpath)
				continue;
			r = try_list(c, c->obj[l].e.rpath, l, name, li, &sk);
			if (r <= 0)
				return r;
			did_main |= l == 0;
			strcpy(where, "DT_RPATH, the ");
		}
		if (!did_main && c->obj[0].e.rpath) {
			r = try_list(c, c->obj[0].e.rpath, 0, name, li, &sk);
			if (r <= 0)
				return r;
			strcpy(where, "DT_RPATH, the ");
		}
	} else {
		r = try_list(c, runpath, li, name, li, &sk);
		if (r <= 0)
			return r;
		strcpy(where, "its DT_RUNPATH, the ");
	}
	nodeflib = c->obj[li].e.flags1 & DF_1_NODEFLIB;
	r = conf_load(c);
	if (r)
		return r;
	for (i = 0; i < c->conf.n; i++) {
		if (nodeflib && is_default_dir(c, c->conf.v[i]))
			continue;
		r = try_dir(c, c->conf.v[i], name, li, &sk);
		if (r <= 0)
			return r;
	}
	for (i = 0; !nodeflib && c->arch->dirs[i]; i++) {
		r = try_dir(c, c->arch->dirs[i], name, li, &sk);
		if (r <= 0)
			return r;
	}
	r = fail(c, -ENOENT, "%.*s, needed by %.*s, was not found in %s/etc/ld.so.conf "
		 "directories or %s; install the package that ships it",
		 ED_NAME_SHOW, name, ED_NAME_SHOW, c->obj[li].name, where,
		 nodeflib ? "(DF_1_NODEFLIB) not the default ones" : "the default ones");
	if (sk.n)
		add_context(c, " (skipped %u of another architecture, e.g. %.*s: %s)", sk.n,
			    ED_NAME_SHOW, sk.first, sk.what);
	return r;
}

/* The object for DT_NEEDED @name of object @li */
static int need(struct ctx *c, long li, const char *name)
{
	char path[ED_PATH_MAX], dst[ED_PATH_MAX], buf[64], buf2[64];
	struct chain ch = { 0 };
	struct elf_info e = { 0 };
	int r;

	/* "$ORIGIN/libfoo.so" and the like: expanded as in DT_RUNPATH */
	if (strchr(name, '$')) {
		if (dst_expand(c, name, strlen(name), c->obj[li].origin, dst, sizeof(dst)))
			return fail(c, -ENAMETOOLONG, "%.*s...: name too long (needed by %.*s)",
				    ED_NAME_SHOW, name, ED_NAME_SHOW, c->obj[li].name);
		name = dst;
	}
	if (!strchr(name, '/'))
		return obj_match(c, name) >= 0 ? 0 : search(c, li, name);

	/* a path: used as is (a relative one from "/", the cwd at boot) */
	if (lexnorm(name, path, sizeof(path)))
		return fail(c, -ENAMETOOLONG, "%.*s...: name too long (needed by %.*s)",
			    ED_NAME_SHOW, name, ED_NAME_SHOW, c->obj[li].name);
	if (obj_match(c, path) >= 0)
		return 0;
	r = chain_follow(c, path, &ch);
	if (r) {
		add_context(c, " (needed by %.*s)", ED_NAME_SHOW, c->obj[li].name);
		goto out;
	}
	r = chain_load(c, &ch, &e, c->cls, c->machine);
	if (r == ELF_OTHER)
		r = bad(c, chain_file(&ch), "%s ELF, but %.*s is %s",
			arch_name(e.cls, e.machine, buf, sizeof(buf)), ED_NAME_SHOW,
			c->obj[li].name, arch_name(c->cls, c->machine, buf2, sizeof(buf2)));
	if (r) {
		elf_info_free(&e);
		add_context(c, " (needed by %.*s)", ED_NAME_SHOW, c->obj[li].name);
		goto out;
	}
	r = obj_take(c, &ch, &e, path, li, false);
out:
	chain_free(&ch);
	return r;
}

/* ---- programs --------------------------------------------------------- */

/* The interpreter of a "#!" line, as the kernel's binfmt_script reads it */
static int shebang(struct ctx *c, const char *name, const char *buf, char *out,
		   size_t size)
{
	size_t i = 2, start;

	while (i < ED_SHEBANG_MAX && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	start = i;
	while (i < ED_SHEBANG_MAX && buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' &&
	       buf[i] != '\0')
		i++;
	if (i == start)
		return bad(c, name, "\"#!\" names no interpreter");
	if (i == ED_SHEBANG_MAX)
		return bad(c, name, "the \"#!\" line is longer than %d bytes", ED_SHEBANG_MAX - 1);
	if (i - start >= size)
		return bad(c, name, "the \"#!\" interpreter name is too long");
	memcpy(out, buf + start, i - start);
	out[i - start] = '\0';
	return 0;
}

/* The interpreter (PT_INTERP) of the program: glibc's rtld map */
static int add_interp(struct ctx *c)
{
	char path[ED_PATH_MAX], buf[64], buf2[64];
	struct chain ch = { 0 };
	struct elf_info e = { 0 };
	int r;

	if (lexnorm(c->obj[0].e.interp, path, sizeof(path)))
		return bad(c, c->obj[0].name, "PT_INTERP too long");
	r = chain_follow(c, path, &ch);
	if (r) {
		add_context(c, " (the ELF interpreter of %.*s)", ED_NAME_SHOW, c->obj[0].name);
		goto out;
	}
	r = chain_load(c, &ch, &e, c->cls, c->machine);
	if (r == ELF_OTHER)
		r = bad(c, chain_file(&ch), "%s ELF, but %.*s is %s",
			arch_name(e.cls, e.machine, buf, sizeof(buf)), ED_NAME_SHOW,
			c->obj[0].name, arch_name(c->cls, c->machine, buf2, sizeof(buf2)));
	if (r) {
		elf_info_free(&e);
		add_context(c, " (the ELF interpreter of %.*s)", ED_NAME_SHOW, c->obj[0].name);
		goto out;
	}
	r = obj_take(c, &ch, &e, path, -1, false);
out:
	chain_free(&ch);
	return r;
}

static int add_program(struct ctx *c, const char *path, const char *script, int depth)
{
	char name[ED_PATH_MAX], interp[ED_PATH_MAX], head[ED_SHEBANG_MAX];
	char buf1[64], buf2[64];
	struct chain ch = { 0 };
	struct elf_info e = { 0 };
	struct elfdeps *d = c->d;
	ssize_t n;
	size_t i;
	int fd, r;

	if (lexnorm(path, name, sizeof(name)))
		return fail(c, -ENAMETOOLONG, "%.*s...: name too long", ED_NAME_SHOW, path);
	r = chain_follow(c, name, &ch);
	if (r) {
		if (script)
			add_context(c, " (the \"#!\" interpreter of %.*s)", ED_NAME_SHOW, script);
		goto out;
	}
	fd = open(ch.host, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		r = fail(c, -errno, "%.*s: %s", ED_NAME_SHOW, chain_file(&ch), strerror(errno));
		goto out;
	}
	memset(head, 0, sizeof(head));
	n = pread(fd, head, sizeof(head), 0);
	if (n >= 2 && head[0] == '#' && head[1] == '!') {
		close(fd);
		r = shebang(c, chain_file(&ch), head, interp, sizeof(interp));
		if (!r && depth >= ED_MAX_SCRIPT)
			r = fail(c, -ELOOP, "%.*s: more than %d levels of \"#!\" interpreters",
				 ED_NAME_SHOW, chain_file(&ch), ED_MAX_SCRIPT);
		if (!r)
			r = record_chain(c, &ch);
		if (!r)
			r = add_program(c, interp, ch.name[0], depth + 1);
		goto out;
	}
	r = elf_load(c, chain_file(&ch), fd, (uint64_t)ch.st.st_size, &e, d->elf_class,
		     d->elf_machine);
	close(fd);
	if (r == ELF_OTHER) {
		r = bad(c, chain_file(&ch), "%s ELF, but the first program added (%.*s) is "
			"%s: one image holds one architecture",
			arch_name(e.cls, e.machine, buf1, sizeof(buf1)), ED_NAME_SHOW,
			d->first, arch_name(d->elf_class, d->elf_machine, buf2, sizeof(buf2)));
		elf_info_free(&e);
	}
	if (r) {
		if (script)
			add_context(c, " (the \"#!\" interpreter of %.*s)", ED_NAME_SHOW, script);
		goto out;
	}
	if (!d->elf_class) {
		d->first = strdup(ch.name[0]);
		if (!d->first) {
			elf_info_free(&e);
			r = -ENOMEM;
			goto out;
		}
		d->elf_class = e.cls;
		d->elf_machine = e.machine;
	}
	c->cls = e.cls;
	c->machine = e.machine;
	c->arch = arch_find(e.cls, e.machine);

	/* a new process: a new set of objects */
	objs_free(c);
	r = obj_take(c, &ch, &e, NULL, -1, true);
	if (!r && c->obj[0].e.interp)
		r = add_interp(c);
	/* breadth first, in DT_NEEDED order: glibc's _dl_map_object_deps() */
	for (i = 0; !r && i < c->nobj; i++) {
		size_t j;

		for (j = 0; !r && j < c->obj[i].e.needed.n; j++)
			r = need(c, (long)i, c->obj[i].e.needed.v[j]);
	}
out:
	chain_free(&ch);
	return r;
}

/* ---- API -------------------------------------------------------------- */

void elfdeps_init(struct elfdeps *d)
{
	memset(d, 0, sizeof(*d));
}

static void d_truncate(struct elfdeps *d, size_t n)
{
	while (d->n > n) {
		d->n--;
		free(d->paths[d->n]);
		free(d->links[d->n]);
	}
}

void elfdeps_free(struct elfdeps *d)
{
	d_truncate(d, 0);
	free(d->paths);
	free(d->links);
	free(d->first);
	memset(d, 0, sizeof(*d));
}

int elfdeps_add(struct elfdeps *d, const char *root, const char *path)
{
	struct ctx *c;
	size_t n0 = d->n, len;
	bool had_arch = d->elf_class != 0;
	int r;

	d->err[0] = '\0';
	if (!path || path[0] != '/') {
		snprintf(d->err, sizeof(d->err), "%.*s: not an absolute path", ED_NAME_SHOW,
			 path ? path : "(null)");
		return -EINVAL;
	}
	if (!root || !*root)
		root = "/";
	len = strlen(root);
	while (len > 1 && root[len - 1] == '/')
		len--;
	if (len >= ED_PATH_MAX) {
		snprintf(d->err, sizeof(d->err), "%.*s...: root too long", ED_NAME_SHOW, root);
		return -ENAMETOOLONG;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->d = d;
	if (!(len == 1 && root[0] == '/'))
		memcpy(c->root, root, len);
	c->arch = &arch_other;

	r = add_program(c, path, NULL, 0);

	objs_free(c);
	strv_free(&c->conf);
	free(c);
	if (r < 0) {
		if (r == -ENOMEM && !d->err[0])
			snprintf(d->err, sizeof(d->err), "%.*s: out of memory", ED_NAME_SHOW, path);
		d_truncate(d, n0);
		if (!had_arch) {
			free(d->first);
			d->first = NULL;
			d->elf_class = 0;
			d->elf_machine = 0;
		}
	}
	return r;
}

int elfdeps_host_path(const char *root, const char *path, char *out, size_t size)
{
	char phys[ED_PATH_MAX], rootbuf[ED_PATH_MAX];
	size_t len;
	int r;

	if (!root || !*root)
		root = "/";
	len = strlen(root);
	while (len > 0 && root[len - 1] == '/')
		len--;
	if (len >= sizeof(rootbuf))
		return -ENAMETOOLONG;
	memcpy(rootbuf, root, len);
	rootbuf[len] = '\0';
	r = resolve(rootbuf, path, true, phys, sizeof(phys));
	if (r)
		return r;
	if ((size_t)snprintf(out, size, "%s%s", rootbuf, phys) >= size)
		return -ENAMETOOLONG;
	return 0;
}

int elfdeps_is_symlink(const char *path, char *target, size_t size)
{
	struct stat st;
	ssize_t n;

	if (lstat(path, &st))
		return -errno;
	if (!S_ISLNK(st.st_mode))
		return 0;
	n = readlink(path, target, size);
	if (n < 0)
		return -errno;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	target[n] = '\0';
	return 1;
}
