/* imgext2.c - write the image tree as an ext2 filesystem with libext2fs.
 *
 * The filesystem is made in a scratch file (unlinked as soon as libext2fs
 * has it open) that starts as zeros from ftruncate(), so blocks nobody
 * writes stay zero; it is read back into memory at the end.  The steps
 * follow mke2fs and its -d option: size the filesystem from the entry
 * list, ext2fs_initialize(), allocate the group tables, reserve inodes
 * 1-10, make / and /lost+found, then every entry in path order (a parent
 * sorts before its children), links made by us so that a full directory
 * block is met with ext2fs_expand_dir().  A last sweep sets every inode's
 * times; the superblock copies get their times and the lifetime-writes
 * counter set in the buffer, so nothing of the host or the clock remains.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2fs.h>
#include <et/com_err.h>
#include "imgext2.h"
#include "genutil.h"
#include "regfile.h"

#define BLOCK		IMGEXT2_BLOCK_SIZE
#define ADDR_PER_BLOCK	(BLOCK / 4)
#define BLOCKS_PER_GROUP (BLOCK * 8)
#define INODES_PER_BLOCK (BLOCK / IMGEXT2_INODE_SIZE)
#define DESC_PER_BLOCK	(BLOCK / 32)
#define MAX_INODES_PER_GROUP (BLOCK * 8)
#define FIRST_INO	11		/* inodes 1-10 are reserved */
#define FAST_LINK_MAX	59		/* targets up to this fit in i_block */
#define MAX_FILE_SIZE	0x7fffffffULL	/* no large_file feature */
#define MARGIN_FIXED_BLOCKS (64 * 1024 / BLOCK)
#define INODE_MARGIN	16
#define IO_CHUNK	(256 * 1024)

struct node {
	const char *path;		/* "a/b"; the root is not a node */
	const char *name;		/* last component of path */
	const struct img_entry *e;	/* NULL: a parent the list lacks */
	char *own;			/* path storage when e is NULL */
	uint64_t size;			/* file data bytes */
	size_t parent;			/* index of the parent; ROOT_IDX: / */
	ext2_ino_t ino;
	uint32_t dir_blocks, dir_used;	/* directories: entry packing */
};

#define ROOT_IDX ((size_t)-1)

struct build {
	const struct image *img;
	struct node *n;
	size_t nn;
	unsigned int root_mode;
	uint32_t root_blocks, root_used;
	int have_lpf;			/* the image has /lost+found */
	uint64_t data_blocks;		/* file, symlink and directory blocks */
	ext2_filsys fs;
	char *err;
	size_t errlen;
};

/* libext2fs codes are com_err codes, not errno values. */
static int ext2_errno(errcode_t code)
{
	if (code > 0 && code < 4096)
		return -(int)code;
	switch (code) {
	case EXT2_ET_NO_MEMORY:
		return -ENOMEM;
	case EXT2_ET_BLOCK_ALLOC_FAIL:
	case EXT2_ET_INODE_ALLOC_FAIL:
	case EXT2_ET_DIR_NO_SPACE:
	case EXT2_ET_TOOSMALL:
		return -ENOSPC;
	case EXT2_ET_DIR_EXISTS:
	case EXT2_ET_FILE_EXISTS:
		return -EEXIST;
	default:
		return -EIO;
	}
}

static void add_ext2_errors(void)
{
	initialize_ext2_error_table();
}

static const char *ext2_msg(errcode_t code)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, add_ext2_errors);
	return error_message(code);
}

static int fs_err(struct build *b, errcode_t code, const char *what, const char *path)
{
	return fmt_err(b->err, b->errlen, ext2_errno(code), "ext2 image: %s%s%s: %s",
		       what, path ? " /" : "", path ? path : "", ext2_msg(code));
}

/* ---- a content hash for the UUID and the hash seed --------------------
 * Not cryptographic: it only has to be stable and to differ between
 * different images.  Two 64-bit lanes over little-endian 8-byte words. */

struct chash {
	uint64_t a, b, len;
	unsigned char buf[8];
	unsigned int nbuf;
};

static uint64_t rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static uint64_t fmix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static void ch_word(struct chash *h, uint64_t w)
{
	h->a = rotl64((h->a ^ w) * 0x9e3779b97f4a7c15ULL, 29);
	h->b = rotl64(h->b + (w ^ 0xc2b2ae3d27d4eb4fULL), 31) * 0x87c37b91114253d5ULL;
}

static void ch_init(struct chash *h)
{
	memset(h, 0, sizeof(*h));
	h->a = 0x6a09e667f3bcc908ULL;
	h->b = 0xbb67ae8584caa73bULL;
}

static void ch_update(struct chash *h, const void *p, size_t n)
{
	const unsigned char *s = p;

	h->len += n;
	while (n) {
		h->buf[h->nbuf++] = *s++;
		n--;
		if (h->nbuf == 8) {
			uint64_t w = 0;
			int i;

			for (i = 7; i >= 0; i--)
				w = (w << 8) | h->buf[i];
			ch_word(h, w);
			h->nbuf = 0;
		}
	}
}

static void ch_u64(struct chash *h, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	ch_update(h, b, sizeof(b));
}

/* 32 bytes: the first 16 for the UUID, the rest for the hash seed. */
static void ch_final(struct chash *h, unsigned char out[32])
{
	uint64_t len = h->len, w[4];
	int i, j;

	ch_update(h, "\x80", 1);
	while (h->nbuf)
		ch_update(h, "", 1);
	ch_u64(h, len);
	w[0] = fmix64(h->a ^ rotl64(h->b, 17));
	w[1] = fmix64(h->b + h->a);
	w[2] = fmix64(w[0] ^ 0x3c6ef372fe94f82bULL);
	w[3] = fmix64(w[1] ^ 0xa54ff53a5f1d36f1ULL);
	for (i = 0; i < 4; i++)
		for (j = 0; j < 8; j++)
			out[8 * i + j] = (unsigned char)(w[i] >> (8 * j));
}

/* ---- the entry list --------------------------------------------------- */

static int cmp_entry_ptr(const void *a, const void *b)
{
	const struct img_entry *x = *(const struct img_entry *const *)a;
	const struct img_entry *y = *(const struct img_entry *const *)b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_node(const void *a, const void *b)
{
	return strcmp(((const struct node *)a)->path, ((const struct node *)b)->path);
}

/* The node for path[0..len), or NULL. */
static struct node *find_node(struct node *n, size_t nn, const char *path, size_t len)
{
	size_t lo = 0, hi = nn;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(n[mid].path, path, len);

		if (!c)
			c = n[mid].path[len] ? 1 : 0;
		if (!c)
			return &n[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int check_path(struct build *b, const char *path)
{
	const char *p = path, *slash;

	if (!*path || *path == '/')
		return fmt_err(b->err, b->errlen, -EINVAL, "ext2 image: bad path \"%s\"", path);
	for (;; p = slash + 1) {
		size_t len;

		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strlen(p);
		if (len == 0 || (len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.'))
			return fmt_err(b->err, b->errlen, -EINVAL, "ext2 image: "
				       "/%s: empty, \".\" or \"..\" path component", path);
		if (len > EXT2_NAME_LEN)
			return fmt_err(b->err, b->errlen, -ENAMETOOLONG, "ext2 image: "
				       "/%s: a name is longer than %d bytes", path,
				       EXT2_NAME_LEN);
		if (!slash)
			return 0;
	}
}

/* The surviving entries (the last of each path), sorted by path, plus the
 * parent directories nobody listed; the root's mode taken aside. */
static int collect(struct build *b)
{
	const struct image *img = b->img;
	const struct img_entry **sorted;
	size_t i, nn = 0, nextra = 0, cap;
	int r = 0;

	b->root_mode = 0755;
	if (img->err)	/* an image_add_*() ran out of memory */
		return fmt_err(b->err, b->errlen, img->err, "ext2 image: out of memory");
	sorted = malloc((img->n ? img->n : 1) * sizeof(*sorted));
	if (!sorted)
		return fmt_err(b->err, b->errlen, -ENOMEM, "ext2 image: out of memory");
	for (i = 0; i < img->n; i++)
		sorted[i] = &img->e[i];
	qsort(sorted, img->n, sizeof(*sorted), cmp_entry_ptr);

	cap = img->n + 1;
	b->n = calloc(cap, sizeof(*b->n));
	if (!b->n) {
		free(sorted);
		return fmt_err(b->err, b->errlen, -ENOMEM, "ext2 image: out of memory");
	}
	for (i = 0; i < img->n; i++) {
		const struct img_entry *e = sorted[i];

		if (i + 1 < img->n && !strcmp(e->path, sorted[i + 1]->path))
			continue;	/* superseded */
		if (!strcmp(e->path, ".")) {
			if (e->kind != ENT_DIR) {
				r = fmt_err(b->err, b->errlen, -EINVAL, "ext2 image: "
					    "the root must be a directory");
				break;
			}
			b->root_mode = e->mode & 07777;
			continue;
		}
		r = check_path(b, e->path);
		if (r)
			break;
		b->n[nn].path = e->path;
		b->n[nn].e = e;
		nn++;
	}
	free(sorted);
	b->nn = nn;
	if (r)
		return r;

	/* missing parents: every proper prefix must be listed */
	for (i = 0; i < nn; i++) {
		const char *path = b->n[i].path, *slash;

		for (slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
			size_t len = (size_t)(slash - path);
			struct node *t;

			if (find_node(b->n, nn, path, len) ||
			    find_node(b->n + nn, nextra, path, len))
				continue;
			if (nn + nextra == cap) {
				struct node *nb = realloc(b->n, 2 * cap * sizeof(*nb));

				if (!nb)
					return fmt_err(b->err, b->errlen, -ENOMEM,
						       "ext2 image: out of memory");
				memset(nb + cap, 0, cap * sizeof(*nb));
				b->n = nb;
				cap *= 2;
			}
			t = &b->n[nn + nextra];
			t->own = strndup(path, len);
			if (!t->own)
				return fmt_err(b->err, b->errlen, -ENOMEM,
					       "ext2 image: out of memory");
			t->path = t->own;
			nextra++;
			b->nn = nn + nextra;	/* so that the caller frees them */
			/* keep the extras sorted for find_node() */
			qsort(b->n + nn, nextra, sizeof(*b->n), cmp_node);
		}
	}
	b->nn = nn + nextra;
	qsort(b->n, b->nn, sizeof(*b->n), cmp_node);

	for (i = 0; i < b->nn; i++) {
		struct node *x = &b->n[i];
		const char *slash = strrchr(x->path, '/');

		x->name = slash ? slash + 1 : x->path;
		x->parent = ROOT_IDX;
		if (slash) {
			struct node *p = find_node(b->n, b->nn, x->path,
						   (size_t)(slash - x->path));

			if (p->e && p->e->kind != ENT_DIR)
				return fmt_err(b->err, b->errlen, -EINVAL, "ext2 image: "
					       "/%s: /%s is not a directory in the image",
					       x->path, p->path);
			x->parent = (size_t)(p - b->n);
		} else if (!strcmp(x->path, "lost+found")) {
			b->have_lpf = 1;
		}
	}
	return 0;
}

/* ---- sizing ----------------------------------------------------------- */

/* Blocks a file of @d data blocks occupies with the indirect blocks. */
static uint64_t with_indirect(uint64_t d)
{
	const uint64_t a = ADDR_PER_BLOCK;
	uint64_t total = d;

	if (d <= EXT2_NDIR_BLOCKS)
		return total;
	d -= EXT2_NDIR_BLOCKS;
	total += 1;				/* single */
	if (d <= a)
		return total;
	d -= a;
	total += 1 + (d < a * a ? (d + a - 1) / a : a);	/* double */
	if (d <= a * a)
		return total;
	d -= a * a;
	return total + 1 + (d + a * a - 1) / (a * a) + (d + a - 1) / a;	/* triple */
}

static uint32_t rec_len(size_t namelen)
{
	return (uint32_t)(8 + ((namelen + 3) & ~(size_t)3));
}

/* Entries are packed in the order they are made; a block that cannot take
 * the next one is left with its slack, as ext2fs_link() does at worst. */
static void dir_add(uint32_t *blocks, uint32_t *used, size_t namelen)
{
	uint32_t r = rec_len(namelen);

	if (*used + r > BLOCK) {
		(*blocks)++;
		*used = r;
	} else {
		*used += r;
	}
}

static int size_entries(struct build *b)
{
	size_t i;

	b->data_blocks = 0;
	b->root_blocks = 1;
	b->root_used = 2 * rec_len(2);			/* "." and ".." */
	if (!b->have_lpf) {
		dir_add(&b->root_blocks, &b->root_used, strlen("lost+found"));
		b->data_blocks += 1;
	}
	for (i = 0; i < b->nn; i++) {
		struct node *x = &b->n[i];
		const struct img_entry *e = x->e;
		struct stat st;

		if (x->parent == ROOT_IDX)
			dir_add(&b->root_blocks, &b->root_used, strlen(x->name));
		else
			dir_add(&b->n[x->parent].dir_blocks, &b->n[x->parent].dir_used,
				strlen(x->name));
		if (!e || e->kind == ENT_DIR) {
			x->dir_blocks = 1;
			x->dir_used = 2 * rec_len(2);
			continue;
		}
		switch (e->kind) {
		case ENT_FILE:
			if (stat(e->src, &st) < 0)
				return fmt_err(b->err, b->errlen, -errno, "cannot read %s "
					       "(for /%s): %s", e->src, x->path, strerror(errno));
			if (!S_ISREG(st.st_mode))
				return fmt_err(b->err, b->errlen, -EINVAL, "%s (for /%s) "
					       "is not a regular file", e->src, x->path);
			x->size = (uint64_t)st.st_size;
			break;
		case ENT_DATA:
			x->size = e->size;
			break;
		case ENT_LINK:
			if (strlen(e->src) >= BLOCK)
				return fmt_err(b->err, b->errlen, -ENAMETOOLONG,
					       "ext2 image: /%s: link target longer than "
					       "%d bytes", x->path, BLOCK - 1);
			if (strlen(e->src) > FAST_LINK_MAX)
				b->data_blocks += 1;
			continue;
		case ENT_NODE:
			switch (e->mode & S_IFMT) {
			case S_IFCHR: case S_IFBLK: case S_IFIFO: case S_IFSOCK:
				continue;
			}
			return fmt_err(b->err, b->errlen, -EINVAL, "ext2 image: /%s: "
				       "mode %o is not a device, FIFO or socket",
				       x->path, e->mode);
		default:
			return fmt_err(b->err, b->errlen, -EINVAL, "ext2 image: /%s: "
				       "unknown entry kind %d", x->path, (int)e->kind);
		}
		if (x->size > MAX_FILE_SIZE)
			return fmt_err(b->err, b->errlen, -EFBIG, "ext2 image: /%s: "
				       "%llu bytes; files must be under 2 GiB", x->path,
				       (unsigned long long)x->size);
		b->data_blocks += with_indirect((x->size + BLOCK - 1) / BLOCK);
	}
	/* every directory's count is complete once all entries are seen */
	b->data_blocks += with_indirect(b->root_blocks);
	for (i = 0; i < b->nn; i++)
		if (!b->n[i].e || b->n[i].e->kind == ENT_DIR)
			b->data_blocks += with_indirect(b->n[i].dir_blocks);
	return 0;
}

static int test_root(uint64_t a, uint64_t b)
{
	while (a >= b && a % b == 0)
		a /= b;
	return a == 1;
}

/* sparse_super: backups in groups 0, 1 and powers of 3, 5 and 7 */
static int group_has_super(uint64_t g)
{
	return g <= 1 || (g & 1 && (test_root(g, 3) || test_root(g, 5) || test_root(g, 7)));
}

/* The block and inode counts: data plus margin plus what the groups need,
 * chosen so that ext2fs_initialize() keeps them as they are (it drops a
 * last group too small for its tables). */
static void plan(const struct build *b, uint64_t *blocks, uint32_t *inodes)
{
	uint64_t want_inodes = (FIRST_INO - 1) + !b->have_lpf + b->nn;
	uint64_t data = b->data_blocks + b->data_blocks / 10 + MARGIN_FIXED_BLOCKS;
	uint64_t groups = 1, ipg, itb, desc, overhead, total, g, rem, last;

	want_inodes += want_inodes / 10 + INODE_MARGIN;
	for (;;) {
		ipg = (want_inodes + groups - 1) / groups;
		ipg = (ipg + 7) & ~(uint64_t)7;
		if (ipg > MAX_INODES_PER_GROUP) {
			groups++;
			continue;
		}
		itb = ipg / INODES_PER_BLOCK;
		desc = (groups + DESC_PER_BLOCK - 1) / DESC_PER_BLOCK;
		overhead = 0;
		for (g = 0; g < groups; g++)
			overhead += 2 + itb + (group_has_super(g) ? 1 + desc : 0);
		total = 1 + data + overhead;
		if ((total - 1 + BLOCKS_PER_GROUP - 1) / BLOCKS_PER_GROUP > groups) {
			groups = (total - 1 + BLOCKS_PER_GROUP - 1) / BLOCKS_PER_GROUP;
			continue;
		}
		if ((total - 1 + BLOCKS_PER_GROUP - 1) / BLOCKS_PER_GROUP < groups)
			total = 1 + (groups - 1) * BLOCKS_PER_GROUP + 1;
		rem = (total - 1) % BLOCKS_PER_GROUP;
		last = 2 + itb + (group_has_super(groups - 1) ? 1 + desc : 0);
		if (rem && rem < last + 50)
			total += last + 50 - rem;
		break;
	}
	*blocks = total;
	*inodes = (uint32_t)(ipg * groups);
}

/* ---- making the filesystem -------------------------------------------- */

static int link_in(struct build *b, ext2_ino_t dir, const char *name, ext2_ino_t ino,
		   int type, const char *path)
{
	errcode_t rc = ext2fs_link(b->fs, dir, name, ino, type);

	if (rc == EXT2_ET_DIR_NO_SPACE) {
		rc = ext2fs_expand_dir(b->fs, dir);
		if (!rc)
			rc = ext2fs_link(b->fs, dir, name, ino, type);
	}
	return rc ? fs_err(b, rc, "linking", path) : 0;
}

static int make_dir(struct build *b, ext2_ino_t parent, const char *name,
		    unsigned int mode, const char *path, ext2_ino_t *ret)
{
	struct ext2_inode inode;
	ext2_ino_t ino;
	errcode_t rc;
	int r;

	rc = ext2fs_new_inode(b->fs, parent, LINUX_S_IFDIR | mode, 0, &ino);
	if (!rc)
		rc = ext2fs_mkdir(b->fs, parent, ino, NULL);
	if (rc)
		return fs_err(b, rc, "making directory", path);
	r = link_in(b, parent, name, ino, EXT2_FT_DIR, path);
	if (r)
		return r;
	rc = ext2fs_read_inode(b->fs, ino, &inode);
	if (!rc) {
		inode.i_mode = LINUX_S_IFDIR | (mode & 07777);
		rc = ext2fs_write_inode(b->fs, ino, &inode);
	}
	if (rc)
		return fs_err(b, rc, "making directory", path);
	*ret = ino;
	return 0;
}

/* A new inode of @mode, linked into @parent, accounted. */
static int new_linked(struct build *b, ext2_ino_t parent, const struct node *x,
		      unsigned int mode, int type, ext2_ino_t *ret)
{
	errcode_t rc = ext2fs_new_inode(b->fs, parent, mode, 0, ret);
	int r;

	if (rc)
		return fs_err(b, rc, "allocating an inode for", x->path);
	r = link_in(b, parent, x->name, *ret, type, x->path);
	if (r)
		return r;
	ext2fs_inode_alloc_stats2(b->fs, *ret, +1, 0);
	return 0;
}

static int write_data(struct build *b, ext2_file_t f, const void *buf, size_t len,
		      const char *path)
{
	const char *p = buf;

	while (len) {
		unsigned int n = len > IO_CHUNK ? IO_CHUNK : (unsigned int)len, got = 0;
		errcode_t rc = ext2fs_file_write(f, p, n, &got);

		if (rc)
			return fs_err(b, rc, "writing", path);
		if (!got)
			return fmt_err(b->err, b->errlen, -EIO, "ext2 image: writing "
				       "/%s: no progress", path);
		p += got;
		len -= got;
	}
	return 0;
}

static int copy_file(struct build *b, ext2_file_t f, const struct node *x,
		     struct chash *h, unsigned char *buf)
{
	const struct img_entry *e = x->e;
	struct stat st;
	uint64_t left = x->size;
	int fd = open_regular(e->src, 0, &st), r = 0;	/* never a FIFO or device */

	if (fd < 0 && fd != -EISDIR && fd != -EINVAL)
		return fmt_err(b->err, b->errlen, fd, "cannot read %s (for /%s): %s",
			       e->src, x->path, strerror(-fd));
	if (fd < 0 || (uint64_t)st.st_size != x->size) {
		if (fd >= 0)
			close(fd);
		return fmt_err(b->err, b->errlen, -EIO, "%s (for /%s) changed while "
			       "the image was being made", e->src, x->path);
	}
	while (!r && left) {
		ssize_t n = read(fd, buf, left < IO_CHUNK ? left : IO_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = fmt_err(b->err, b->errlen, n < 0 ? -errno : -EIO,
				    "reading %s (for /%s): %s", e->src, x->path,
				    n < 0 ? strerror(errno) : "file shrank while being read");
			break;
		}
		ch_update(h, buf, (size_t)n);
		r = write_data(b, f, buf, (size_t)n, x->path);
		left -= (uint64_t)n;
	}
	close(fd);
	return r;
}

static int make_file(struct build *b, ext2_ino_t parent, const struct node *x,
		     struct chash *h, unsigned char *buf)
{
	const struct img_entry *e = x->e;
	struct ext2_inode inode;
	ext2_file_t f;
	ext2_ino_t ino;
	errcode_t rc;
	int r;

	r = new_linked(b, parent, x, LINUX_S_IFREG | e->mode, EXT2_FT_REG_FILE, &ino);
	if (r)
		return r;
	memset(&inode, 0, sizeof(inode));
	inode.i_mode = LINUX_S_IFREG | (e->mode & 07777);
	inode.i_links_count = 1;
	rc = ext2fs_write_new_inode(b->fs, ino, &inode);
	if (!rc)
		rc = ext2fs_file_open(b->fs, ino, EXT2_FILE_WRITE, &f);
	if (rc)
		return fs_err(b, rc, "creating", x->path);
	if (e->kind == ENT_DATA) {
		ch_update(h, e->data, e->size);
		r = write_data(b, f, e->data, e->size, x->path);
	} else {
		r = copy_file(b, f, x, h, buf);
	}
	rc = ext2fs_file_close(f);
	if (!r && rc)
		r = fs_err(b, rc, "writing", x->path);
	return r;
}

static int make_symlink(struct build *b, ext2_ino_t parent, const struct node *x)
{
	ext2_ino_t ino;
	errcode_t rc = ext2fs_new_inode(b->fs, parent, LINUX_S_IFLNK | 0777, 0, &ino);

	/* ext2fs_symlink() accounts the inode; the link is ours */
	if (!rc)
		rc = ext2fs_symlink(b->fs, parent, ino, NULL, x->e->src);
	if (rc)
		return fs_err(b, rc, "making symlink", x->path);
	return link_in(b, parent, x->name, ino, EXT2_FT_SYMLINK, x->path);
}

static int make_node(struct build *b, ext2_ino_t parent, const struct node *x)
{
	const struct img_entry *e = x->e;
	struct ext2_inode inode;
	ext2_ino_t ino;
	errcode_t rc;
	int type, r;

	switch (e->mode & S_IFMT) {
	case S_IFCHR: type = EXT2_FT_CHRDEV; break;
	case S_IFBLK: type = EXT2_FT_BLKDEV; break;
	case S_IFIFO: type = EXT2_FT_FIFO; break;
	default: type = EXT2_FT_SOCK; break;
	}
	r = new_linked(b, parent, x, e->mode, type, &ino);
	if (r)
		return r;
	memset(&inode, 0, sizeof(inode));
	inode.i_mode = (e->mode & S_IFMT) | (e->mode & 07777);
	inode.i_links_count = 1;
	/* The kernel's encoding (ext2_set_inode): the old 8:8 form in
	 * i_block[0] when both numbers fit, else the new 12:20 form
	 * (minor low 8, major, minor high 12) in i_block[1]. */
	if (e->rmaj < 256 && e->rmin < 256) {
		inode.i_block[0] = (e->rmaj << 8) | e->rmin;
	} else {
		inode.i_block[1] = (e->rmin & 0xff) | ((e->rmaj & 0xfff) << 8) |
				   ((e->rmin & ~0xffU) << 12);
	}
	rc = ext2fs_write_new_inode(b->fs, ino, &inode);
	return rc ? fs_err(b, rc, "creating", x->path) : 0;
}

static void hash_entry(struct chash *h, const struct node *x)
{
	const struct img_entry *e = x->e;

	ch_update(h, x->path, strlen(x->path) + 1);
	ch_u64(h, e ? (uint64_t)e->kind : (uint64_t)ENT_DIR);
	ch_u64(h, e ? e->mode : 0755);
	if (e && e->kind == ENT_NODE) {
		ch_u64(h, e->rmaj);
		ch_u64(h, e->rmin);
	}
	if (e && e->kind == ENT_LINK)
		ch_update(h, e->src, strlen(e->src) + 1);
	ch_u64(h, x->size);
}

static int populate(struct build *b, struct chash *h)
{
	unsigned char *buf = malloc(IO_CHUNK);
	size_t i;
	int r = 0;

	if (!buf)
		return fmt_err(b->err, b->errlen, -ENOMEM, "ext2 image: out of memory");
	for (i = 0; !r && i < b->nn; i++) {
		struct node *x = &b->n[i];
		ext2_ino_t parent = x->parent == ROOT_IDX ? EXT2_ROOT_INO :
				    b->n[x->parent].ino;

		hash_entry(h, x);
		if (!x->e || x->e->kind == ENT_DIR) {
			r = make_dir(b, parent, x->name, x->e ? x->e->mode : 0755,
				     x->path, &x->ino);
			continue;
		}
		switch (x->e->kind) {
		case ENT_FILE:
		case ENT_DATA:
			r = make_file(b, parent, x, h, buf);
			break;
		case ENT_LINK:
			r = make_symlink(b, parent, x);
			break;
		default:
			r = make_node(b, parent, x);
			break;
		}
	}
	free(buf);
	return r;
}

/* Every inode in use gets the image's times; nothing of the clock or of
 * libext2fs's generation counter stays. */
static int set_times(struct build *b)
{
	ext2_filsys fs = b->fs;
	uint32_t t = b->img->mtime;
	ext2_ino_t ino;

	for (ino = 1; ino <= fs->super->s_inodes_count; ino++) {
		struct ext2_inode inode;
		errcode_t rc;

		if (ino != EXT2_ROOT_INO && ino < EXT2_FIRST_INODE(fs->super))
			continue;
		if (!ext2fs_test_inode_bitmap2(fs->inode_map, ino))
			continue;
		rc = ext2fs_read_inode(fs, ino, &inode);
		if (!rc) {
			inode.i_atime = inode.i_ctime = inode.i_mtime = t;
			inode.i_dtime = 0;
			inode.i_generation = 0;
			inode.i_uid = inode.i_gid = 0;
			ext2fs_set_i_uid_high(inode, 0);
			ext2fs_set_i_gid_high(inode, 0);
			rc = ext2fs_write_inode(fs, ino, &inode);
		}
		if (rc)
			return fs_err(b, rc, "setting times", NULL);
	}
	return 0;
}

static int make_fs(struct build *b, const char *name, uint64_t blocks, uint32_t inodes)
{
	struct ext2_super_block param;
	ext2_filsys fs;
	ext2_ino_t ino;
	errcode_t rc;

	memset(&param, 0, sizeof(param));
	ext2fs_blocks_count_set(&param, blocks);
	param.s_inodes_count = inodes;
	param.s_log_block_size = 0;		/* 1024 */
	param.s_blocks_per_group = BLOCKS_PER_GROUP;
	param.s_rev_level = EXT2_DYNAMIC_REV;
	param.s_first_ino = FIRST_INO;
	param.s_inode_size = IMGEXT2_INODE_SIZE;
	param.s_feature_incompat = EXT2_FEATURE_INCOMPAT_FILETYPE;
	param.s_feature_ro_compat = EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER;
	param.s_max_mnt_count = -1;
	param.s_errors = EXT2_ERRORS_CONTINUE;

	rc = ext2fs_initialize(name, EXT2_FLAG_64BITS, &param, unix_io_manager, &fs);
	if (rc)
		return fs_err(b, rc, "initializing", NULL);
	b->fs = fs;
	if (ext2fs_blocks_count(fs->super) != blocks || fs->super->s_inodes_count < inodes)
		return fmt_err(b->err, b->errlen, -EIO, "ext2 image: libext2fs chose "
			       "%llu blocks and %u inodes instead of %llu and %u",
			       (unsigned long long)ext2fs_blocks_count(fs->super),
			       fs->super->s_inodes_count, (unsigned long long)blocks,
			       inodes);
	fs->now = b->img->mtime;
	fs->super->s_creator_os = EXT2_OS_LINUX;	/* whatever the build host */
	fs->super->s_checkinterval = 0;
	fs->super->s_mkfs_time = fs->super->s_lastcheck = b->img->mtime;
	fs->super->s_mtime = b->img->mtime;
	fs->super->s_kbytes_written = 0;
	fs->super->s_def_hash_version = EXT2_HASH_HALF_MD4;
	/* the dirhash signedness follows the host's char; pin it */
	fs->super->s_flags &= ~EXT2_FLAGS_UNSIGNED_HASH;
	fs->super->s_flags |= EXT2_FLAGS_SIGNED_HASH;

	rc = ext2fs_allocate_tables(fs);
	if (rc)
		return fs_err(b, rc, "allocating group tables", NULL);
	/* bad-blocks inode and the reserved ones, as mke2fs does */
	ext2fs_inode_alloc_stats2(fs, EXT2_BAD_INO, +1, 0);
	for (ino = EXT2_ROOT_INO + 1; ino < EXT2_FIRST_INODE(fs->super); ino++)
		ext2fs_inode_alloc_stats2(fs, ino, +1, 0);

	rc = ext2fs_mkdir(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, NULL);
	if (!rc) {
		struct ext2_inode inode;

		rc = ext2fs_read_inode(fs, EXT2_ROOT_INO, &inode);
		if (!rc) {
			inode.i_mode = LINUX_S_IFDIR | b->root_mode;
			rc = ext2fs_write_inode(fs, EXT2_ROOT_INO, &inode);
		}
	}
	if (rc)
		return fs_err(b, rc, "making the root directory", NULL);
	if (!b->have_lpf) {
		ext2_ino_t lpf;

		return make_dir(b, EXT2_ROOT_INO, "lost+found", 0700, "lost+found", &lpf);
	}
	return 0;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* In every superblock copy: the times the clock would give, and the
 * lifetime-writes counter; ext2 without metadata_csum has no checksum to
 * update. */
static void fix_superblocks(unsigned char *img, size_t len, uint32_t groups, uint32_t t)
{
	uint32_t g;

	for (g = 0; g < groups; g++) {
		size_t off;
		unsigned char *sb;

		if (!group_has_super(g))
			continue;
		off = g ? (size_t)(1 + (uint64_t)g * BLOCKS_PER_GROUP) * BLOCK : 1024;
		if (off + SUPERBLOCK_SIZE > len)
			break;
		sb = img + off;
		put_le32(sb + offsetof(struct ext2_super_block, s_mtime), t);
		put_le32(sb + offsetof(struct ext2_super_block, s_wtime), t);
		put_le32(sb + offsetof(struct ext2_super_block, s_mkfs_time), t);
		put_le32(sb + offsetof(struct ext2_super_block, s_lastcheck), t);
		sb[offsetof(struct ext2_super_block, s_wtime_hi)] = 0;
		sb[offsetof(struct ext2_super_block, s_mtime_hi)] = 0;
		sb[offsetof(struct ext2_super_block, s_mkfs_time_hi)] = 0;
		sb[offsetof(struct ext2_super_block, s_lastcheck_hi)] = 0;
		memset(sb + offsetof(struct ext2_super_block, s_kbytes_written), 0,
		       sizeof(((struct ext2_super_block *)0)->s_kbytes_written));
	}
}

static int read_back(struct build *b, int fd, size_t len, void **out)
{
	unsigned char *buf = malloc(len);
	size_t off = 0;

	if (!buf)
		return fmt_err(b->err, b->errlen, -ENOMEM, "ext2 image: out of memory "
			       "(%zu bytes)", len);
	while (off < len) {
		ssize_t n = pread(fd, buf + off, len - off, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int r = n < 0 ? -errno : -EIO;

			free(buf);
			return fmt_err(b->err, b->errlen, r, "ext2 image: reading the "
				       "scratch file back: %s",
				       n < 0 ? strerror(errno) : "short file");
		}
		off += (size_t)n;
	}
	*out = buf;
	return 0;
}

int imgext2_build(const struct image *img, const uint8_t uuid[16], void **out,
		  size_t *outlen, char *err, size_t errlen)
{
	struct build b = { .img = img, .err = err, .errlen = errlen };
	const char *tmpdir = getenv("TMPDIR");
	char name[PATH_MAX];
	unsigned char digest[32];
	struct chash h;
	uint64_t blocks = 0;
	uint32_t inodes = 0, groups = 0;
	size_t i, len = 0;
	int fd = -1, r;

	*out = NULL;
	*outlen = 0;
	if (err && errlen)
		err[0] = '\0';
	ch_init(&h);
	r = collect(&b);
	if (!r)
		r = size_entries(&b);
	if (r)
		goto out;
	plan(&b, &blocks, &inodes);
	if (blocks * BLOCK > SIZE_MAX / 2) {
		r = fmt_err(err, errlen, -EFBIG, "ext2 image: %llu KiB is too large",
			    (unsigned long long)blocks);
		goto out;
	}
	len = (size_t)(blocks * BLOCK);

	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
	if (snprintf(name, sizeof(name), "%s/initkit-ext2.XXXXXX", tmpdir) >= (int)sizeof(name)) {
		r = fmt_err(err, errlen, -ENAMETOOLONG, "ext2 image: $TMPDIR is too long");
		goto out;
	}
	fd = mkostemp(name, O_CLOEXEC);
	if (fd < 0) {
		r = fmt_err(err, errlen, -errno, "ext2 image: cannot make a scratch file "
			    "in %s: %s", tmpdir, strerror(errno));
		goto out;
	}
	if (ftruncate(fd, (off_t)len) < 0) {
		r = fmt_err(err, errlen, -errno, "ext2 image: scratch file %s: %s",
			    name, strerror(errno));
		unlink(name);
		goto out;
	}
	r = make_fs(&b, name, blocks, inodes);
	unlink(name);		/* libext2fs has it open, if it got that far */
	if (!r)
		r = populate(&b, &h);
	if (!r)
		r = set_times(&b);
	if (r)
		goto out;

	ch_final(&h, digest);
	if (uuid) {
		memcpy(b.fs->super->s_uuid, uuid, 16);
	} else {
		memcpy(b.fs->super->s_uuid, digest, 16);
		b.fs->super->s_uuid[6] = (b.fs->super->s_uuid[6] & 0x0f) | 0x80; /* v8 */
		b.fs->super->s_uuid[8] = (b.fs->super->s_uuid[8] & 0x3f) | 0x80;
	}
	for (i = 0; i < 4; i++) {
		const unsigned char *d = digest + 16 + 4 * i;

		b.fs->super->s_hash_seed[i] = (uint32_t)d[0] | (uint32_t)d[1] << 8 |
					      (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
	}
	b.fs->super->s_kbytes_written = 0;
	groups = b.fs->group_desc_count;
	ext2fs_mark_super_dirty(b.fs);
	{
		errcode_t rc = ext2fs_close_free(&b.fs);

		if (rc) {
			r = fs_err(&b, rc, "writing the filesystem", NULL);
			goto out;
		}
	}
	r = read_back(&b, fd, len, out);
	if (r)
		goto out;
	fix_superblocks(*out, len, groups, img->mtime);
	*outlen = len;
out:
	if (b.fs)
		ext2fs_free(b.fs);
	if (fd >= 0)
		close(fd);
	for (i = 0; i < b.nn; i++)
		free(b.n[i].own);
	free(b.n);
	return r;
}
