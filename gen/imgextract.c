/* imgextract.c - mkinitramfs --extract: write an image's entries below a
 * directory without ever writing outside it or through a symlink. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "genutil.h"
#include "imgextract.h"
#include "imgwalk.h"

/* ---- img_extract ---------------------------------------------------- */

/* A hard-link set of the archive (entries with nlink >= 2 and the same
 * ino, devmajor, devminor): the file this run made for its first name.
 * Later names are linked to that file only while its first name still
 * holds it: same st_dev and st_ino, a regular file, and not removed by
 * this run since (gone). */
struct hardlink {
	uint32_t ino, maj, min;	/* the archive's */
	int gone;
	dev_t dev;		/* the file made for it */
	ino_t file;
	char *name;		/* its first name, normalised */
};

struct dirtime {
	char *name;		/* normalised */
	uint32_t mtime, mode;
};

struct xctx {
	const char *path;	/* the image, escaped, for notes */
	int rootfd;
	int devices_ok;
	const struct img_extract_opts *o;
	struct img_extract_stats st;
	int fd, pfd;		/* the file being written, its directory */
	char base[NAME_MAX_LEN + 1];
	char norm[NAME_MAX_LEN + 1];	/* the current entry, normalised */
	char ename[ESC_LEN];		/* the current entry, for messages */
	struct hardlink *links;
	size_t nlinks, caplinks;
	uint32_t *by_key, *by_file;	/* hashed: link index + 1, 0 if free */
	size_t nslots;			/* a power of 2, over 2 * nlinks */
	struct dirtime *dirs;
	size_t ndirs, capdirs;
	char msg[MSG_LEN + ESC_LEN];
};

static int xerr(struct xctx *x, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int xerr(struct xctx *x, int r, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(x->msg, sizeof(x->msg), "'%s': ", x->ename);

	va_start(ap, fmt);
	vsnprintf(x->msg + n, sizeof(x->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return r;
}

/* "./a//b/." -> "a/b"; "" for the top.  Refuses absolute names and "..". */
static int normalise(struct xctx *x, const char *name)
{
	const char *p = name;
	size_t o = 0;

	if (name[0] == '/')
		return xerr(x, -EINVAL, "absolute name; refusing to write outside "
			    "the extraction directory");
	while (*p) {
		const char *c = p;
		size_t n;

		while (*p && *p != '/')
			p++;
		n = (size_t)(p - c);
		while (*p == '/')
			p++;
		if (!n || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return xerr(x, -EINVAL, "'..' in the name; refusing to write "
				    "outside the extraction directory");
		if (o)
			x->norm[o++] = '/';
		memcpy(x->norm + o, c, n);
		o += n;
	}
	x->norm[o] = '\0';
	return 0;
}

/* Explain why component @comp of @path (ending at @end) could not be
 * entered. */
static int refuse_component(struct xctx *x, int dfd, const char *path,
			    size_t end, const char *comp, int r)
{
	char target[256], t[ESC_LEN], pe[ESC_LEN];
	struct stat st;
	ssize_t n;

	img_esc(path, end, pe, sizeof(pe));
	if (fstatat(dfd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode)) {
			n = readlinkat(dfd, comp, target, sizeof(target));
			return xerr(x, -ELOOP, "'%s' is a symlink (to %s); refusing to "
				    "follow it", pe, n < 0 ? "?" :
				    img_esc(target, (size_t)n, t, sizeof(t)));
		}
		if (!S_ISDIR(st.st_mode))
			return xerr(x, -ENOTDIR, "'%s' is not a directory", pe);
	}
	return xerr(x, r, "cannot open directory '%s': %s", pe, strerror(-r));
}

/* Open the directory that holds x->norm (or @path), one component at a
 * time with O_NOFOLLOW from the extraction directory, making missing ones
 * when @create.  *base points at the last component. */
static int open_parent(struct xctx *x, char *path, int create, int *pfd,
		       const char **base)
{
	char *p = path, *slash;
	int fd = fcntl(x->rootfd, F_DUPFD_CLOEXEC, 0), nfd;

	if (fd < 0)
		return xerr(x, -errno, "dup: %s", strerror(errno));
	while ((slash = strchr(p, '/'))) {
		*slash = '\0';
		nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, p, 0755) < 0 && errno != EEXIST) {
				int r = -errno;

				char pe[ESC_LEN];

				*slash = '/';
				close(fd);
				return xerr(x, r, "cannot make directory '%s': %s",
					    img_esc(path, strlen(path), pe, sizeof(pe)),
					    strerror(-r));
			}
			nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				     O_CLOEXEC);
		}
		if (nfd < 0) {
			int r = refuse_component(x, fd, path, (size_t)(slash - path),
						 p, -errno);

			*slash = '/';
			close(fd);
			return r;
		}
		*slash = '/';
		close(fd);
		fd = nfd;
		p = slash + 1;
	}
	*pfd = fd;
	*base = p;
	return 0;
}

/* Make room for a new entry named @base in @pfd: a symlink there is only
 * ever replaced by a symlink, a directory never by anything else; other
 * existing files are removed (never written into: they may be hard links
 * to files outside). */
static void forget_file(struct xctx *x, const struct stat *st);

static int clear_slot(struct xctx *x, int pfd, const char *base, uint32_t mode)
{
	struct stat st;

	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : xerr(x, -errno, "%s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		return S_ISDIR(mode) ? 0 : xerr(x, -EISDIR, "a directory of that "
						"name exists; not replacing it");
	if (S_ISLNK(st.st_mode) && !S_ISLNK(mode))
		return xerr(x, -ELOOP, "a symlink of that name exists; refusing to "
			    "write through it");
	if (S_ISREG(st.st_mode))
		forget_file(x, &st);
	if (unlinkat(pfd, base, 0) < 0)
		return xerr(x, -errno, "cannot replace the existing file: %s",
			    strerror(errno));
	return 0;
}

static void fd_times(int fd, uint32_t mtime)
{
	struct timespec ts[2] = { { (time_t)mtime, 0 }, { (time_t)mtime, 0 } };

	futimens(fd, ts);
}

static void link_times(int pfd, const char *base, uint32_t mtime)
{
	struct timespec ts[2] = { { (time_t)mtime, 0 }, { (time_t)mtime, 0 } };

	utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW);
}

static void note(struct xctx *x, const char *what, const char *detail,
		 const char *why)
{
	x->st.skipped++;
	if (x->o->notes)
		fprintf(x->o->notes, "%s: skipped %s '%s'%s: %s\n", x->path, what,
			x->ename, detail, why);
}

/* Room for one more element in an array of @n; the array or NULL. */
static void *grow(void *arr, size_t n, size_t *cap, size_t size)
{
	size_t nc;

	if (n < *cap)
		return arr;
	nc = *cap ? 2 * *cap : 64;
	arr = realloc(arr, nc * size);
	if (arr)
		*cap = nc;
	return arr;
}

/* Hard-link sets are found by hash, from the archive's (ino, devmajor,
 * devminor) and from the device and inode of the file made: one look per
 * entry, not a scan of every set (60000 entries took 2 s). */
static size_t mix(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ULL ^ b;

	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 29;
	return (size_t)h;
}

static size_t key_hash(uint32_t ino, uint32_t maj, uint32_t min)
{
	return mix(ino, (uint64_t)maj << 32 | min);
}

static size_t file_hash(dev_t dev, ino_t file)
{
	return mix((uint64_t)dev, (uint64_t)file);
}

static void slot_put(uint32_t *tab, size_t nslots, size_t h, size_t i)
{
	while (tab[h & (nslots - 1)])
		h++;
	tab[h & (nslots - 1)] = (uint32_t)(i + 1);
}

/* Room in the hash tables for one more set. */
static int link_room(struct xctx *x)
{
	uint32_t *k, *f;
	size_t n, i;

	if (2 * (x->nlinks + 1) <= x->nslots)
		return 0;
	if (x->nlinks >= UINT32_MAX / 4)
		return -ENOMEM;
	n = x->nslots ? 2 * x->nslots : 256;
	k = calloc(n, sizeof(*k));
	f = calloc(n, sizeof(*f));
	if (!k || !f) {
		free(k);
		free(f);
		return -ENOMEM;
	}
	for (i = 0; i < x->nlinks; i++) {
		struct hardlink *l = &x->links[i];

		slot_put(k, n, key_hash(l->ino, l->maj, l->min), i);
	}
	/* by_file holds one set per file: those it holds now */
	for (i = 0; i < x->nslots; i++) {
		if (x->by_file[i]) {
			struct hardlink *l = &x->links[x->by_file[i] - 1];

			slot_put(f, n, file_hash(l->dev, l->file), x->by_file[i] - 1);
		}
	}
	free(x->by_key);
	free(x->by_file);
	x->by_key = k;
	x->by_file = f;
	x->nslots = n;
	return 0;
}

static struct hardlink *find_link(struct xctx *x, const struct img_entry_info *e)
{
	size_t h = key_hash(e->ino, e->dev_major, e->dev_minor);
	uint32_t i;

	if (!x->nslots)
		return NULL;
	for (; (i = x->by_key[h & (x->nslots - 1)]); h++) {
		struct hardlink *l = &x->links[i - 1];

		if (l->ino == e->ino && l->maj == e->dev_major && l->min == e->dev_minor)
			return l;
	}
	return NULL;
}

/* The by_file slot of the set made as file @dev/@file, or NULL. */
static uint32_t *file_slot(struct xctx *x, dev_t dev, ino_t file)
{
	size_t h = file_hash(dev, file);
	uint32_t *t;

	if (!x->nslots)
		return NULL;
	for (; *(t = &x->by_file[h & (x->nslots - 1)]); h++) {
		struct hardlink *l = &x->links[*t - 1];

		if (l->dev == dev && l->file == file)
			return t;
	}
	return NULL;
}

/* The name x->norm, a regular file @st, is being removed: if it is the
 * first name of a hard-link set, later names of the set must not be
 * linked to whatever takes its place. */
static void forget_file(struct xctx *x, const struct stat *st)
{
	uint32_t *t = file_slot(x, st->st_dev, st->st_ino);

	if (t && !strcmp(x->links[*t - 1].name, x->norm))
		x->links[*t - 1].gone = 1;
}

static int remember_link(struct xctx *x, const struct img_entry_info *e,
			 const struct stat *st)
{
	struct hardlink *nl;
	uint32_t *t;

	if (link_room(x))
		return xerr(x, -ENOMEM, "out of memory");
	nl = grow(x->links, x->nlinks, &x->caplinks, sizeof(*x->links));
	if (nl)
		x->links = nl;
	if (!nl || !(x->links[x->nlinks].name = strdup(x->norm)))
		return xerr(x, -ENOMEM, "out of memory");
	nl = &x->links[x->nlinks];
	nl->ino = e->ino;
	nl->maj = e->dev_major;
	nl->min = e->dev_minor;
	nl->gone = 0;
	nl->dev = st->st_dev;
	nl->file = st->st_ino;
	slot_put(x->by_key, x->nslots, key_hash(nl->ino, nl->maj, nl->min), x->nlinks);
	/* a file that is new has the inode of no live set: one that had it
	 * is gone (its file was removed), and the slot passes to this one */
	t = file_slot(x, nl->dev, nl->file);
	if (t) {
		x->links[*t - 1].gone = 1;
		*t = (uint32_t)(x->nlinks + 1);
	} else {
		slot_put(x->by_file, x->nslots, file_hash(nl->dev, nl->file), x->nlinks);
	}
	x->nlinks++;
	return 0;
}

/* Open the file that O_PATH descriptor @opath stands for, with @flags:
 * through /proc/self/fd, which reopens that very inode whatever its name
 * now points to.  Without /proc, by name, with O_NOFOLLOW|O_NONBLOCK, and
 * only if it is still the same file (the caller checked it a moment ago;
 * only someone else writing the directory could swap it in between).
 * A file of the set made read-only by an earlier entry is given u+rw
 * first (x_end sets the archive's mode again).  Returns a descriptor or
 * -errno. */
static int reopen(int opath, const struct stat *want, int pfd, const char *base,
		  int flags)
{
	char proc[64];
	struct stat st;
	int fd;

	flags |= O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", opath);
	fd = open(proc, flags);
	if (fd < 0 && errno == EACCES &&
	    chmod(proc, (want->st_mode & 07777) | S_IRUSR | S_IWUSR) == 0)
		fd = open(proc, flags);
	if (fd < 0 && errno == ENOENT)
		fd = openat(pfd, base, flags | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_dev != want->st_dev ||
	    st.st_ino != want->st_ino) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

/* The next name of hard-link set @hl: linked to the file made for its
 * first name, checked to be that file before anything opens it. */
static int add_link(struct xctx *x, const struct img_entry_info *e,
		    struct hardlink *hl, int pfd, const char *base)
{
	char old[NAME_MAX_LEN + 1], ne[ESC_LEN];
	const char *obase, *first = img_esc(hl->name, strlen(hl->name), ne, sizeof(ne));
	struct stat st;
	int r, opfd, fd;

	if (hl->gone)
		return xerr(x, -ESTALE, "hard link to '%s', which a later entry "
			    "replaced; refusing to link to what is there now "
			    "(a broken or hostile archive)", first);
	snprintf(old, sizeof(old), "%s", hl->name);
	r = open_parent(x, old, 0, &opfd, &obase);
	if (r)
		return r;
	/* flags 0: a symlink there would be linked itself, never followed */
	r = linkat(opfd, obase, pfd, base, 0) < 0 ? -errno : 0;
	close(opfd);
	if (r)
		return xerr(x, r, "hard link to '%s': %s", first, strerror(-r));
	/* O_PATH opens nothing: a device or FIFO is not touched */
	fd = openat(pfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_dev != hl->dev || st.st_ino != hl->file) {
		r = fd < 0 ? -errno : -ESTALE;
		if (fd >= 0)
			close(fd);
		unlinkat(pfd, base, 0);
		return xerr(x, r, "hard link to '%s', which is no longer the file "
			    "this extraction made; refusing to write to it", first);
	}
	/* the data of a later name replaces the file's (the kernel's way);
	 * a name without data only sets mode and time */
	r = reopen(fd, &st, pfd, base, e->size ? O_WRONLY : O_RDONLY);
	close(fd);
	if (r >= 0 && e->size && ftruncate(r, 0) < 0) {
		int t = -errno;

		close(r);
		r = t;
	}
	if (r < 0) {
		unlinkat(pfd, base, 0);
		return xerr(x, r, "hard link to '%s': cannot open it again%s: %s",
			    first, r == -ESTALE ? "" : " (is /proc mounted?)",
			    r == -ESTALE ? "something else took its place" :
			    strerror(-r));
	}
	x->fd = r;
	x->st.hardlinks++;
	return 0;
}

static int open_file(struct xctx *x, const struct img_entry_info *e, int pfd,
		     const char *base)
{
	struct hardlink *hl = e->nlink >= 2 ? find_link(x, e) : NULL;
	struct stat st;
	int r, fd;

	r = clear_slot(x, pfd, base, e->mode);
	if (r)
		return r;
	if (hl)
		return add_link(x, e, hl, pfd, base);
	/* made here and now: O_EXCL, so nothing that was there is opened */
	fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK |
		    O_NOCTTY | O_CLOEXEC, 0600);
	if (fd < 0)
		return xerr(x, -errno, "cannot create: %s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		unlinkat(pfd, base, 0);
		return xerr(x, -EINVAL, "not a regular file after creating it");
	}
	if (e->nlink >= 2 && (r = remember_link(x, e, &st))) {
		close(fd);
		unlinkat(pfd, base, 0);
		return r;
	}
	x->st.files++;
	x->fd = fd;
	return 0;
}

static int make_dir(struct xctx *x, const struct img_entry_info *e, int pfd,
		    const char *base)
{
	struct dirtime *nd;
	struct stat st;
	int fd, r;

	if (mkdirat(pfd, base, 0700) < 0) {
		if (errno != EEXIST)
			return xerr(x, -errno, "cannot make the directory: %s",
				    strerror(errno));
		if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return xerr(x, -errno, "%s", strerror(errno));
		if (!S_ISDIR(st.st_mode)) {
			r = clear_slot(x, pfd, base, e->mode);
			if (r)
				return r;
			if (mkdirat(pfd, base, 0700) < 0)
				return xerr(x, -errno, "cannot make the directory: %s",
					    strerror(errno));
		}
	}
	fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return xerr(x, -errno, "cannot open the directory: %s", strerror(errno));
	/* at least u+rwx, so that extraction can go on inside it; write
	 * for group and others only at the end (dir_finish), so that no one
	 * else can plant anything in it while it is filled */
	r = fchmod(fd, (e->mode & 0755) | 0700) < 0 ? -errno : 0;
	close(fd);
	if (r)
		return xerr(x, r, "chmod: %s", strerror(-r));
	nd = grow(x->dirs, x->ndirs, &x->capdirs, sizeof(*x->dirs));
	if (nd)
		x->dirs = nd;
	if (!nd || !(x->dirs[x->ndirs].name = strdup(x->norm)))
		return xerr(x, -ENOMEM, "out of memory");
	x->dirs[x->ndirs].mode = (e->mode & 0777) | 0700;
	x->dirs[x->ndirs++].mtime = e->mtime;
	x->st.dirs++;
	return 0;
}

static int make_link(struct xctx *x, const struct img_entry_info *e, int pfd,
		     const char *base)
{
	char target[LINK_MAX_LEN + 1];
	int r;

	if (!e->size || memchr(e->data, 0, e->size))
		return xerr(x, -EINVAL, "%s symlink target", e->size ? "a NUL in the" :
			    "an empty");
	memcpy(target, e->data, e->size);
	target[e->size] = '\0';
	r = clear_slot(x, pfd, base, e->mode);
	if (r)
		return r;
	/* made, never followed: its target may point anywhere */
	if (symlinkat(target, pfd, base) < 0)
		return xerr(x, -errno, "cannot make the symlink: %s", strerror(errno));
	link_times(pfd, base, e->mtime);
	x->st.links++;
	return 0;
}

static int make_node(struct xctx *x, const struct img_entry_info *e, int pfd,
		     const char *base)
{
	char dev[64];
	mode_t perm = e->mode & 0777;
	int r;

	if (S_ISSOCK(e->mode)) {
		note(x, "socket", "", "sockets cannot be extracted");
		return 0;
	}
	if (S_ISCHR(e->mode) || S_ISBLK(e->mode)) {
		snprintf(dev, sizeof(dev), " (%c %u,%u)", S_ISCHR(e->mode) ? 'c' : 'b',
			 e->rdev_major, e->rdev_minor);
		if (!x->devices_ok) {
			note(x, "device node", dev, x->o->no_devices ?
			     "device nodes are disabled" : "not running as root");
			return 0;
		}
		perm &= 0600;	/* owner-only: an image cannot plant an open door */
	}
	r = clear_slot(x, pfd, base, e->mode);
	if (r)
		return r;
	if (mknodat(pfd, base, (e->mode & S_IFMT) | perm,
		    makedev(e->rdev_major, e->rdev_minor)) < 0)
		return xerr(x, -errno, "mknod: %s", strerror(errno));
	/* undo the umask; never through a symlink (if this fails, the node
	 * just keeps fewer permissions) */
	if (fchmodat(pfd, base, perm, AT_SYMLINK_NOFOLLOW) < 0) {
		/* fewer permissions: fine (and _FORTIFY_SOURCE wants it said) */
	}
	link_times(pfd, base, e->mtime);
	x->st.nodes++;
	return 0;
}

static int x_entry(void *ctx, const struct img_entry_info *e)
{
	struct xctx *x = ctx;
	const char *base;
	char path[NAME_MAX_LEN + 1];
	int r, pfd;

	img_esc(e->name, strlen(e->name), x->ename, sizeof(x->ename));
	r = normalise(x, e->name);
	if (r)
		return r;
	if (!S_ISREG(e->mode) && !S_ISLNK(e->mode) && e->size)
		return xerr(x, -EINVAL, "a %s with %u bytes of data (malformed "
			    "archive)", S_ISDIR(e->mode) ? "directory" : "special file",
			    e->size);
	if (!x->norm[0]) {
		if (S_ISDIR(e->mode))
			return 0;	/* the extraction directory itself */
		return xerr(x, -EINVAL, "names the extraction directory itself but "
			    "is not a directory");
	}
	switch (e->mode & S_IFMT) {
	case S_IFREG: case S_IFDIR: case S_IFLNK: case S_IFCHR: case S_IFBLK:
	case S_IFIFO: case S_IFSOCK:
		break;
	default:
		return xerr(x, -EINVAL, "unknown file type (mode 0%o)", e->mode);
	}
	memcpy(path, x->norm, strlen(x->norm) + 1);
	r = open_parent(x, path, 1, &pfd, &base);
	if (r)
		return r;
	if (S_ISREG(e->mode)) {
		r = open_file(x, e, pfd, base);
		if (!r) {
			x->pfd = pfd;		/* kept until the data is in */
			snprintf(x->base, sizeof(x->base), "%s", base);
			return 0;
		}
	} else if (S_ISDIR(e->mode)) {
		r = make_dir(x, e, pfd, base);
	} else if (S_ISLNK(e->mode)) {
		r = make_link(x, e, pfd, base);
	} else {
		r = make_node(x, e, pfd, base);
	}
	close(pfd);
	return r;
}

static int x_data(void *ctx, const uint8_t *buf, size_t len)
{
	struct xctx *x = ctx;

	while (len) {
		ssize_t n = write(x->fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return xerr(x, n < 0 ? -errno : -EIO, "write: %s",
				    n < 0 ? strerror(errno) : "no progress");
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int x_end(void *ctx, const struct img_entry_info *e)
{
	struct xctx *x = ctx;
	int r = 0;

	if (x->fd < 0)
		return 0;
	/* the archive's rwx bits; setuid, setgid and sticky dropped */
	if (fchmod(x->fd, e->mode & 0777) < 0)
		r = xerr(x, -errno, "chmod: %s", strerror(errno));
	fd_times(x->fd, e->mtime);
	if (close(x->fd) < 0 && !r)
		r = xerr(x, -errno, "close: %s", strerror(errno));
	x->fd = -1;
	if (r)
		unlinkat(x->pfd, x->base, 0);
	close(x->pfd);
	x->pfd = -1;
	return r;
}

/* The directory of x->dirs[i], opened again from the top, or -1. */
static int open_dir_again(struct xctx *x, size_t i)
{
	char path[NAME_MAX_LEN + 1];
	const char *base;
	int pfd, fd;

	snprintf(path, sizeof(path), "%s", x->dirs[i].name);
	if (open_parent(x, path, 0, &pfd, &base))
		return -1;
	fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(pfd);
	return fd;
}

/* Once everything is in: directory modes in archive order (the last
 * entry of a name wins), then times, deepest first (entries made inside
 * a directory change its time). */
static int dir_finish(struct xctx *x)
{
	size_t i;
	int fd, r;

	for (i = 0; i < x->ndirs; i++) {
		fd = open_dir_again(x, i);
		if (fd < 0)
			continue;
		r = fchmod(fd, x->dirs[i].mode) < 0 ? -errno : 0;
		close(fd);
		if (r) {
			char en[ESC_LEN];

			img_esc(x->dirs[i].name, strlen(x->dirs[i].name), en, sizeof(en));
			snprintf(x->msg, sizeof(x->msg), "'%s': chmod: %s", en,
				 strerror(-r));
			return r;
		}
	}
	for (i = x->ndirs; i-- > 0;) {
		fd = open_dir_again(x, i);
		if (fd >= 0) {
			fd_times(fd, x->dirs[i].mtime);
			close(fd);
		}
	}
	return 0;
}

int img_extract_ex(const char *path, const char *dir,
		   const struct img_extract_opts *o, struct img_extract_stats *st,
		   char *err, size_t errlen)
{
	static const struct walk_ops ops = { x_entry, x_data, x_end };
	static const struct img_extract_opts defaults;
	struct walk_err *we = NULL;
	struct xctx *x = NULL;
	char ep[ESC_LEN], ed[ESC_LEN];
	const uint8_t *img;
	size_t len, i;
	int r;

	if (errlen)
		err[0] = '\0';
	if (!o)
		o = &defaults;
	img_esc(path, strlen(path), ep, sizeof(ep));
	img_esc(dir, strlen(dir), ed, sizeof(ed));
	r = img_load(path, ep, o->max_unpacked ? o->max_unpacked :
		     IMG_MAX_UNPACKED, &img, &len, err, errlen);
	if (r)
		return r;
	x = calloc(1, sizeof(*x));
	we = malloc(sizeof(*we));
	if (!x || !we) {
		r = fmt_err(err, errlen, -ENOMEM, "%s: out of memory", ep);
		goto out;
	}
	x->path = ep;
	x->o = o;
	x->fd = x->pfd = -1;
	x->devices_ok = !o->no_devices && geteuid() == 0;
	x->rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (x->rootfd < 0) {
		r = fmt_err(err, errlen, -errno, "%s: %s", ed, strerror(errno));
		goto out;
	}
	r = img_stream(img, len, o->max_unpacked ? o->max_unpacked : IMG_MAX_UNPACKED,
		       &ops, x, we);
	if (x->fd >= 0) {
		/* stopped inside a file: do not leave half of it behind */
		close(x->fd);
		unlinkat(x->pfd, x->base, 0);
	}
	if (x->pfd >= 0)
		close(x->pfd);
	if (r && we->from_cb)
		fmt_err(err, errlen, r, "%s: %s", ep, x->msg);
	else if (r)
		fmt_err(err, errlen, r, "%s: %s", ep, we->msg);
	else if (!(r = img_none_found(we, ep, len, err, errlen)) && (r = dir_finish(x)))
		fmt_err(err, errlen, r, "%s: %s", ep, x->msg);
	close(x->rootfd);
	if (st)
		*st = x->st;
out:
	if (x) {
		for (i = 0; i < x->nlinks; i++)
			free(x->links[i].name);
		for (i = 0; i < x->ndirs; i++)
			free(x->dirs[i].name);
		free(x->links);
		free(x->by_key);
		free(x->by_file);
		free(x->dirs);
	}
	free(x);
	free(we);
	img_unload(img);
	return r;
}

int img_extract(const char *path, const char *dir, char *err, size_t errlen)
{
	struct img_extract_opts o = { .notes = stderr };

	return img_extract_ex(path, dir, &o, NULL, err, errlen);
}
