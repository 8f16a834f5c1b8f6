/* imgread.c - walk an initramfs image the way the kernel's
 * unpack_to_rootfs() does (init/initramfs.c), and list it; imgextract.c
 * extracts it on the same walk.
 *
 * The walk mirrors the kernel's state machine: at the top level a '0' at
 * a 4-aligned offset starts an uncompressed newc segment, NULs are skipped
 * and anything else must be a compressed member; after every entry the
 * parser is back in "Reset", where NULs are skipped and a new header must
 * start at a 4-aligned offset.  A member's data must end in Reset, so
 * members are cut at entry boundaries.  Entries are streamed: a file's
 * data reaches the consumer in pieces, so memory does not grow with the
 * size an entry claims. */
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
#include "compress.h"
#include "genutil.h"
#include "imgread.h"
#include "imgwalk.h"

#define HDR_LEN		110
#define TRAILER		"TRAILER!!!"

/* name plus padding: keeps 110 + N_ALIGN(n) a multiple of 4 */
#define N_ALIGN(n)	((((n) + 1) & ~3u) + 2)

/* ---- small helpers -------------------------------------------------- */

/* The length of the printable UTF-8 character at s[0..len), or 0 if its
 * first byte must be escaped: an invalid or overlong sequence, a C1
 * control (U+0080 to U+009F, which some terminals obey), or a character
 * that reorders or breaks the text around it (bidirectional controls, line
 * and paragraph separators). */
static size_t utf8_printable(const unsigned char *s, size_t len)
{
	size_t n, i;
	uint32_t c;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff) || c <= 0x9f || c == 0x61c ||
	    c == 0x200e || c == 0x200f || (c >= 0x2028 && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069))
		return 0;
	return n;
}

/* How s[0..len) starts in a message: the number of bytes copied as they
 * are, or 0 if the first byte is written as \ooo instead. */
static size_t esc_run(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	if (u[0] >= 0x80)
		return utf8_printable(u, len);
	return u[0] < 0x20 || u[0] == 0x7f || u[0] == '\\' ? 0 : 1;
}

const char *img_esc(const char *s, size_t len, char *out, size_t outlen)
{
	size_t o = 0, i = 0, n;

	while (i < len) {
		n = esc_run(s + i, len - i);
		if (o + (n ? n : 4) + 4 > outlen)
			break;
		if (n) {
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		} else {
			o += (size_t)snprintf(out + o, outlen - o, "\\%03o",
					      (unsigned char)s[i++]);
		}
	}
	if (i < len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

const char *img_escape(const char *s, char *out, size_t outlen)
{
	if (!outlen)
		return out;
	if (outlen < 8) {
		out[0] = '\0';
		return out;
	}
	return img_esc(s, strlen(s), out, outlen);
}

static void put_escaped(FILE *f, const char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		n = esc_run(s + i, len - i);
		if (n) {
			fwrite(s + i, 1, n, f);
			i += n;
		} else {
			fprintf(f, "\\%03o", (unsigned char)s[i++]);
		}
	}
}

/* ---- the newc parser ------------------------------------------------ */

enum pstate { P_FIRST, P_RESET, P_HEADER, P_NAME, P_LINK, P_DATA, P_PAD };

struct parser {
	const struct walk_ops *ops;
	void *ctx;
	enum pstate state;
	int raw;		/* in an uncompressed segment */
	uint64_t off;		/* offset in the current stream */
	uint64_t end;		/* raw: where the image ends */
	uint64_t entry_off;	/* the current entry's header */
	uint64_t need;		/* bytes the current state still wants */
	size_t have;		/* bytes collected in hdr/name/link */
	int trailer, csum;
	uint32_t check, sum, namesize;
	struct img_entry_info e;
	int failed, cb_failed;	/* the parser's error, or the consumer's */
	uint64_t err_off;
	char msg[MSG_LEN];
	uint64_t member_out;	/* bytes the current member produced */
	char hdr[HDR_LEN];
	char name[N_ALIGN(NAME_MAX_LEN) + 1];
	uint8_t link[LINK_MAX_LEN + 1];
};

static int perr(struct parser *p, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(struct parser *p, uint64_t off, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
	p->failed = 1;
	p->err_off = off;
	return -EINVAL;
}

static int cb(struct parser *p, int r)
{
	if (r)
		p->cb_failed = 1;
	return r;
}

static int hex8(const char *s, uint32_t *v)
{
	uint32_t x = 0;
	int i;

	for (i = 0; i < 8; i++) {
		char c = s[i];

		x <<= 4;
		if (c >= '0' && c <= '9')
			x |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			x |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			x |= (uint32_t)(c - 'A' + 10);
		else
			return -EINVAL;
	}
	*v = x;
	return 0;
}

static int got_header(struct parser *p)
{
	static const char *const fields[13] = {
		"ino", "mode", "uid", "gid", "nlink", "mtime", "filesize",
		"devmajor", "devminor", "rdevmajor", "rdevminor", "namesize",
		"check",
	};
	uint32_t v[13];
	int i;

	if (!memcmp(p->hdr, "070701", 6))
		p->csum = 0;
	else if (!memcmp(p->hdr, "070702", 6))
		p->csum = 1;
	else if (!memcmp(p->hdr, "070707", 6))
		return perr(p, p->entry_off, "old portable (070707) cpio header; "
			    "the kernel reads only newc (cpio -H newc)");
	else
		return perr(p, p->entry_off, "no cpio magic (070701 or 070702)");
	for (i = 0; i < 13; i++)
		if (hex8(p->hdr + 6 + 8 * i, &v[i]))
			return perr(p, p->entry_off, "cpio header field %s is not "
				    "8 hex digits", fields[i]);
	memset(&p->e, 0, sizeof(p->e));
	p->e.ino = v[0];
	p->e.mode = v[1];
	p->e.uid = v[2];
	p->e.gid = v[3];
	p->e.nlink = v[4];
	p->e.mtime = v[5];
	p->e.size = v[6];
	p->e.dev_major = v[7];
	p->e.dev_minor = v[8];
	p->e.rdev_major = v[9];
	p->e.rdev_minor = v[10];
	p->namesize = v[11];
	p->check = v[12];
	p->sum = 0;
	if (p->namesize < 1 || p->namesize > NAME_MAX_LEN)
		return perr(p, p->entry_off, "name size %u is out of range "
			    "(1 to %d)", p->namesize, NAME_MAX_LEN);
	p->state = P_NAME;
	p->need = N_ALIGN(p->namesize);
	p->have = 0;
	return 0;
}

static int begin_pad(struct parser *p)
{
	p->need = (4 - (p->off & 3)) & 3;
	p->state = p->need ? P_PAD : P_RESET;
	return 0;
}

static int end_entry(struct parser *p)
{
	char en[ESC_LEN];
	int r;

	if (p->csum && S_ISREG(p->e.mode) && p->sum != p->check)
		return perr(p, p->entry_off, "entry '%s': data checksum mismatch "
			    "(header %08x, data %08x)",
			    img_esc(p->name, strlen(p->name), en, sizeof(en)),
			    p->check, p->sum);
	if (!p->trailer && (r = cb(p, p->ops->end(p->ctx, &p->e))))
		return r;
	return begin_pad(p);
}

static int got_name(struct parser *p)
{
	char en[ESC_LEN];
	size_t n = p->namesize;
	int r;

	if (p->name[n - 1] != '\0')
		return perr(p, p->entry_off, "entry name is not NUL-terminated");
	if (strlen(p->name) != n - 1)
		return perr(p, p->entry_off, "entry name '%s' has a NUL inside",
			    img_esc(p->name, strlen(p->name), en, sizeof(en)));
	p->e.name = p->name;
	p->trailer = !strcmp(p->name, TRAILER);
	if (p->raw && p->e.size > p->end - p->off)
		return perr(p, p->entry_off, "entry '%s': its %u bytes of data run "
			    "past the end of the image (%llu bytes left)",
			    img_esc(p->name, n - 1, en, sizeof(en)), p->e.size,
			    (unsigned long long)(p->end - p->off));
	p->need = p->e.size;
	if (S_ISLNK(p->e.mode) && !p->trailer) {
		if (p->e.size > LINK_MAX_LEN)
			return perr(p, p->entry_off, "entry '%s': symlink target of "
				    "%u bytes (the kernel's limit is %d)",
				    img_esc(p->name, n - 1, en, sizeof(en)), p->e.size,
				    LINK_MAX_LEN);
		p->state = P_LINK;
		p->have = 0;
		if (p->need)
			return 0;
		p->e.data = p->link;
		if ((r = cb(p, p->ops->entry(p->ctx, &p->e))))
			return r;
		return end_entry(p);
	}
	if (!p->trailer && (r = cb(p, p->ops->entry(p->ctx, &p->e))))
		return r;
	p->state = P_DATA;
	return p->need ? 0 : end_entry(p);
}

/* Why the parser stopped short, for "ends inside ..." messages. */
static const char *where_in(struct parser *p, char *buf, size_t len)
{
	char en[ESC_LEN];

	if (p->state == P_HEADER || p->state == P_NAME)
		snprintf(buf, len, "a cpio header");
	else
		snprintf(buf, len, "entry '%s'",
			 img_esc(p->name, strlen(p->name), en, sizeof(en)));
	return buf;
}

/* Feed stream bytes.  In an uncompressed segment, stop (with *used < len)
 * at a byte that can only start a compressed member. */
static int feed(struct parser *p, const uint8_t *buf, size_t len, size_t *used)
{
	size_t i = 0, n;
	int r = 0;

	*used = 0;
	while (i < len && !r) {
		switch (p->state) {
		case P_RESET:
			while (i < len && !buf[i]) {
				i++;
				p->off++;
			}
			if (i == len)
				break;
			if (p->off & 3)
				return perr(p, p->off, "byte 0x%02x at an unaligned "
					    "offset after an entry (broken padding)",
					    buf[i]);
			if (buf[i] != '0') {
				if (p->raw) {
					*used = i;
					return 0;
				}
				return perr(p, p->off, "junk (byte 0x%02x) where a "
					    "cpio header should start", buf[i]);
			}
			/* fall through */
		case P_FIRST:
			p->state = P_HEADER;
			p->entry_off = p->off;
			p->have = 0;
			p->name[0] = '\0';
			break;
		case P_HEADER:
			n = len - i < HDR_LEN - p->have ? len - i : HDR_LEN - p->have;
			memcpy(p->hdr + p->have, buf + i, n);
			p->have += n;
			i += n;
			p->off += n;
			if (p->have == HDR_LEN)
				r = got_header(p);
			break;
		case P_NAME:
			n = len - i < p->need - p->have ? len - i : p->need - p->have;
			memcpy(p->name + p->have, buf + i, n);
			p->have += n;
			i += n;
			p->off += n;
			if (p->have == p->need) {
				p->name[p->have] = '\0';
				r = got_name(p);
			}
			break;
		case P_LINK:
			n = len - i < p->need - p->have ? len - i : p->need - p->have;
			memcpy(p->link + p->have, buf + i, n);
			p->have += n;
			i += n;
			p->off += n;
			if (p->have == p->need) {
				p->e.data = p->link;
				r = cb(p, p->ops->entry(p->ctx, &p->e));
				if (!r)
					r = end_entry(p);
			}
			break;
		case P_DATA:
			n = len - i < p->need ? len - i : (size_t)p->need;
			if (p->csum) {
				size_t k;

				for (k = 0; k < n; k++)
					p->sum += buf[i + k];
			}
			if (!p->trailer && (r = cb(p, p->ops->data(p->ctx, buf + i, n))))
				return r;
			i += n;
			p->off += n;
			p->need -= n;
			if (!p->need)
				r = end_entry(p);
			break;
		case P_PAD:
			n = len - i < p->need ? len - i : (size_t)p->need;
			i += n;
			p->off += n;
			p->need -= n;
			if (!p->need)
				p->state = P_RESET;
			break;
		}
	}
	*used = i;
	return r;
}

/* ---- the image ------------------------------------------------------ */

static int member_out(void *ctx, const void *buf, size_t len)
{
	struct parser *p = ctx;
	size_t used;

	p->member_out += len;
	return feed(p, buf, len, &used);
}

static const char *other_method(const uint8_t *b, size_t len)
{
	if (len < 2)
		return NULL;
	if (b[0] == 'B' && b[1] == 'Z')
		return "bzip2";
	if (b[0] == 0x5d && b[1] == 0x00)
		return "lzma";
	if (b[0] == 0x89 && b[1] == 0x4c)
		return "lzo";
	return NULL;
}

static int member_err(struct walk_err *we, int r, enum comp_alg alg, size_t pos,
		      uint64_t total, uint64_t max)
{
	const char *a = comp_name(alg);

	switch (r) {
	case -EFBIG:
		snprintf(we->msg, sizeof(we->msg), "%s member at offset %zu: the image "
			 "unpacks to more than %llu bytes (after %llu); refusing it as "
			 "a decompression bomb", a, pos, (unsigned long long)max,
			 (unsigned long long)total);
		break;
	case -ENOTSUP:
		snprintf(we->msg, sizeof(we->msg), "%s member at offset %zu: %s", a, pos,
			 alg == ALG_XZ ? "uses an integrity check other than CRC32 or "
			 "none, which the kernel's xz cannot verify (xz --check=crc32)" :
			 alg == ALG_GZIP ? "has gzip header fields (FEXTRA, FCOMMENT or "
			 "FHCRC) the kernel does not skip" :
			 "needs a window over 128 MiB");
		break;
	case -ENOMEM:
		snprintf(we->msg, sizeof(we->msg), "%s member at offset %zu: out of "
			 "memory", a, pos);
		break;
	default:
		snprintf(we->msg, sizeof(we->msg), "%s member at offset %zu is "
			 "truncated or corrupt%s", a, pos, alg == ALG_LZ4 ?
			 " (the kernel reads an lz4 stream up to the end of the image "
			 "or a zero word)" : "");
	}
	return r;
}

int img_stream(const uint8_t *img, size_t len, uint64_t max,
	       const struct walk_ops *ops, void *ctx, struct walk_err *we)
{
	struct parser *p = calloc(1, sizeof(*p));
	uint64_t total = 0;
	size_t pos = 0;
	char tmp[ESC_LEN + 16];
	int r = 0;

	memset(we, 0, sizeof(*we));
	if (!p) {
		snprintf(we->msg, sizeof(we->msg), "out of memory");
		return -ENOMEM;
	}
	p->ops = ops;
	p->ctx = ctx;
	p->state = P_FIRST;
	while (pos < len && !r) {
		size_t used, consumed = 0;
		int alg;

		if (img[pos] == '0' && !(pos & 3)) {
			/* an uncompressed segment: offsets are the image's */
			we->found = 1;
			p->raw = 1;
			p->off = pos;
			p->end = len;
			p->state = P_FIRST;
			r = feed(p, img + pos, len - pos, &used);
			pos += used;
			total += used;
			if (r) {
				we->where = p->failed ? p->err_off : p->entry_off;
				if (p->failed)
					snprintf(we->msg, sizeof(we->msg), "offset %llu: %s",
						 (unsigned long long)p->err_off, p->msg);
			} else if (total > max) {
				we->where = pos;
				snprintf(we->msg, sizeof(we->msg), "offset %zu: the image "
					 "unpacks to more than %llu bytes", pos,
					 (unsigned long long)max);
				r = -EFBIG;
			} else if (pos == len && p->state != P_RESET) {
				we->where = p->entry_off;
				r = -EINVAL;
				snprintf(we->msg, sizeof(we->msg), "offset %llu: the image "
					 "ends inside %s", (unsigned long long)p->entry_off,
					 where_in(p, tmp, sizeof(tmp)));
			}
			continue;
		}
		if (!img[pos]) {
			pos++;
			continue;
		}
		alg = comp_detect(img + pos, len - pos);
		if (alg < 0) {
			const char *m = other_method(img + pos, len - pos);

			we->where = pos;
			if (m) {
				snprintf(we->msg, sizeof(we->msg), "offset %zu: %s-compressed "
					 "data, which initkit cannot read", pos, m);
				r = -ENOTSUP;
			} else {
				snprintf(we->msg, sizeof(we->msg), "offset %zu: %s", pos,
					 img[pos] == '0' ? "cpio header at an unaligned offset" :
					 "junk: neither a cpio header nor a compressed member");
				r = -EINVAL;
			}
			break;
		}
		/* a member: the kernel counts its offsets from 0 */
		we->found = 1;
		p->raw = 0;
		p->off = 0;
		p->member_out = 0;
		r = comp_decompress_member((enum comp_alg)alg, img + pos, len - pos,
					   &consumed, max - total, member_out, p);
		total += p->member_out;
		we->where = pos;
		if (r && p->failed) {
			snprintf(we->msg, sizeof(we->msg), "%s member at offset %zu, "
				 "offset %llu of its data: %s", comp_name(alg), pos,
				 (unsigned long long)p->err_off, p->msg);
		} else if (r && !p->cb_failed) {
			member_err(we, r, (enum comp_alg)alg, pos, total, max);
		} else if (!r && p->state != P_RESET) {
			r = -EINVAL;
			if (p->state == P_FIRST)
				snprintf(we->msg, sizeof(we->msg), "%s member at offset %zu "
					 "holds no cpio data", comp_name(alg), pos);
			else
				snprintf(we->msg, sizeof(we->msg), "%s member at offset %zu "
					 "ends inside %s (members must be cut between "
					 "entries)", comp_name(alg), pos,
					 where_in(p, tmp, sizeof(tmp)));
		} else if (!r && !consumed) {
			r = member_err(we, -EINVAL, (enum comp_alg)alg, pos, total, max);
		}
		pos += consumed;
	}
	we->from_cb = r && p->cb_failed;
	free(p);
	return r;
}

/* ---- img_walk: whole entries ---------------------------------------- */

struct collect {
	img_entry_fn fn;
	void *ctx;
	struct img_entry_info e;
	uint8_t *buf;
	size_t len, cap;
	int r;
};

static int collect_entry(void *ctx, const struct img_entry_info *e)
{
	struct collect *c = ctx;

	c->e = *e;
	c->len = 0;
	return 0;
}

static int collect_data(void *ctx, const uint8_t *buf, size_t len)
{
	struct collect *c = ctx;

	if (c->len + len > c->cap) {
		/* grow with the data that really arrives, never by the size
		 * the header claims */
		size_t cap = c->cap ? c->cap : 64 * 1024;
		uint8_t *nb;

		while (cap < c->len + len)
			cap *= 2;
		if (cap > c->e.size)
			cap = c->e.size;
		nb = realloc(c->buf, cap);
		if (!nb)
			return c->r = -ENOMEM;
		c->buf = nb;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, buf, len);
	c->len += len;
	return 0;
}

static int collect_end(void *ctx, const struct img_entry_info *e)
{
	struct collect *c = ctx;

	if (!S_ISLNK(c->e.mode))
		c->e.data = c->len ? c->buf : NULL;
	return c->r = c->fn(c->ctx, &c->e);
}

int img_walk(const uint8_t *img, size_t len, uint64_t max_unpacked,
	     img_entry_fn fn, void *ctx, uint64_t *where)
{
	static const struct walk_ops ops = { collect_entry, collect_data, collect_end };
	struct collect c = { .fn = fn, .ctx = ctx };
	struct walk_err *we = malloc(sizeof(*we));
	int r;

	if (!we)
		return -ENOMEM;
	r = img_stream(img, len, max_unpacked, &ops, &c, we);
	if (r && where)
		*where = we->where;
	free(we);
	free(c.buf);
	return r;
}

/* ---- reading the file ------------------------------------------------ */

static const char *file_type(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:	return "a directory";
	case S_IFIFO:	return "a FIFO";
	case S_IFCHR:	return "a character device";
	case S_IFBLK:	return "a block device";
	case S_IFSOCK:	return "a socket";
	default:	return "not a regular file";
	}
}

/* Read the @size bytes fstat gave for @fd into a new buffer, and make
 * sure that is all there is. */
static int read_all(int fd, uint64_t size, uint64_t max, const char *ep,
		    const uint8_t **img, size_t *len, char *err, size_t errlen)
{
	uint64_t got = 0;
	uint8_t *buf, extra;
	ssize_t n = 0;

	if (size > max || size > SIZE_MAX - 1)
		return fmt_err(err, errlen, -EFBIG, "%s: %llu bytes, more than the "
			       "%llu an image may unpack to", ep,
			       (unsigned long long)size, (unsigned long long)max);
	buf = malloc(size ? (size_t)size : 1);
	if (!buf)
		return fmt_err(err, errlen, -ENOMEM, "%s: out of memory for its "
			       "%llu bytes", ep, (unsigned long long)size);
	while (got < size) {
		n = read(fd, buf + got, (size_t)(size - got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (uint64_t)n;
	}
	if (n < 0 || (got == size && (n = read(fd, &extra, 1)) < 0)) {
		int r = -errno;

		free(buf);
		return fmt_err(err, errlen, r, "%s: %s", ep, strerror(-r));
	}
	if (got < size || n > 0) {
		free(buf);
		return fmt_err(err, errlen, -EIO, "%s: its size changed while it was "
			       "read (%llu bytes, then %s%llu); is something writing "
			       "it?  Run again once it is complete", ep,
			       (unsigned long long)size, got < size ? "" : "more than ",
			       (unsigned long long)got);
	}
	*img = buf;
	*len = (size_t)size;
	return 0;
}

/* 0 if @st is a regular file; else -errno, with err saying what it is. */
static int not_a_file(const struct stat *st, const char *ep, char *err,
		      size_t errlen)
{
	if (S_ISREG(st->st_mode))
		return 0;
	return fmt_err(err, errlen, S_ISDIR(st->st_mode) ? -EISDIR : -EINVAL,
		       "%s: %s, not an image file; give the path of the image "
		       "itself%s", ep, file_type(st->st_mode),
		       S_ISFIFO(st->st_mode) || S_ISCHR(st->st_mode) ?
		       " (save a stream to a file first)" : S_ISBLK(st->st_mode) ?
		       " (copy it out of the device to a file first)" : "");
}

/* The whole image in memory: read, not mapped, so that a file cut while
 * we read it gives an error instead of SIGBUS, and one that changes under
 * us is noticed.  The file may hold no more than @max bytes (what it may
 * unpack to: its cpio bytes count, compressed members are not larger). */
int img_load(const char *path, const char *ep, uint64_t max,
	     const uint8_t **img, size_t *len, char *err, size_t errlen)
{
	struct stat st, fst;
	int fd, r;

	*img = NULL;
	*len = 0;
	/* Only a regular file is opened: opening a device can act (a
	 * watchdog starts, a tape rewinds), a FIFO would wait for a writer.
	 * O_NONBLOCK and O_NOCTTY in case it is swapped for one in between,
	 * which fstat then sees. */
	if (stat(path, &st) < 0)
		return fmt_err(err, errlen, -errno, "%s: %s", ep, strerror(errno));
	if ((r = not_a_file(&st, ep, err, errlen)))
		return r;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return fmt_err(err, errlen, -errno, "%s: %s", ep, strerror(errno));
	if (fstat(fd, &fst) < 0) {
		r = -errno;
		close(fd);
		return fmt_err(err, errlen, r, "%s: %s", ep, strerror(-r));
	}
	if ((r = not_a_file(&fst, ep, err, errlen))) {
		close(fd);
		return r;
	}
	r = read_all(fd, (uint64_t)fst.st_size, max, ep, img, len, err, errlen);
	close(fd);
	return r;
}

/* An image the kernel would take as nothing: refused, since no one lists
 * or extracts an empty image on purpose (a wrong path, a file cut to
 * nothing). */
int img_none_found(const struct walk_err *we, const char *ep, size_t len,
		   char *err, size_t errlen)
{
	if (we->found)
		return 0;
	if (!len)
		return fmt_err(err, errlen, -ENODATA, "no cpio archive found in %s: "
			       "the file is empty", ep);
	return fmt_err(err, errlen, -ENODATA, "no cpio archive found in %s: its "
		       "%zu bytes are all NUL padding; is it the image you meant?",
		       ep, len);
}

void img_unload(const uint8_t *img)
{
	free((void *)(uintptr_t)img);
}

/* ---- img_list ------------------------------------------------------- */

static void mode_string(uint32_t mode, char *s)
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	switch (mode & S_IFMT) {
	case S_IFREG:  s[0] = '-'; break;
	case S_IFDIR:  s[0] = 'd'; break;
	case S_IFLNK:  s[0] = 'l'; break;
	case S_IFCHR:  s[0] = 'c'; break;
	case S_IFBLK:  s[0] = 'b'; break;
	case S_IFIFO:  s[0] = 'p'; break;
	case S_IFSOCK: s[0] = 's'; break;
	default:       s[0] = '?';
	}
	for (i = 0; i < 9; i++)
		s[1 + i] = mode & (0400u >> i) ? rwx[i] : '-';
	if (mode & S_ISUID)
		s[3] = mode & S_IXUSR ? 's' : 'S';
	if (mode & S_ISGID)
		s[6] = mode & S_IXGRP ? 's' : 'S';
	if (mode & S_ISVTX)
		s[9] = mode & S_IXOTH ? 't' : 'T';
	s[10] = '\0';
}

static int list_entry(void *ctx, const struct img_entry_info *e)
{
	FILE *out = ctx;
	char ms[11], size[32], date[32];
	time_t t = (time_t)e->mtime;
	struct tm tm;

	mode_string(e->mode, ms);
	if (S_ISCHR(e->mode) || S_ISBLK(e->mode))
		snprintf(size, sizeof(size), "%u,%4u", e->rdev_major, e->rdev_minor);
	else
		snprintf(size, sizeof(size), "%u", e->size);
	if (!gmtime_r(&t, &tm) || !strftime(date, sizeof(date), "%Y-%m-%d %H:%M", &tm))
		snprintf(date, sizeof(date), "?");
	fprintf(out, "%s %3u %-8u %-8u %8s %s ", ms, e->nlink, e->uid, e->gid, size,
		date);
	put_escaped(out, e->name, strlen(e->name));
	if (S_ISLNK(e->mode)) {
		fputs(" -> ", out);
		put_escaped(out, (const char *)e->data, e->size);
	}
	putc('\n', out);
	return ferror(out) ? -EIO : 0;
}

static int list_data(void *ctx, const uint8_t *buf, size_t len)
{
	return 0;
}

static int list_end(void *ctx, const struct img_entry_info *e)
{
	return 0;
}

int img_list(const char *path, FILE *out, char *err, size_t errlen)
{
	static const struct walk_ops ops = { list_entry, list_data, list_end };
	struct walk_err *we;
	char ep[ESC_LEN];
	const uint8_t *img;
	size_t len;
	int r;

	if (errlen)
		err[0] = '\0';
	img_esc(path, strlen(path), ep, sizeof(ep));
	r = img_load(path, ep, IMG_MAX_UNPACKED, &img, &len, err, errlen);
	if (r)
		return r;
	we = malloc(sizeof(*we));
	if (!we) {
		img_unload(img);
		return fmt_err(err, errlen, -ENOMEM, "%s: out of memory", ep);
	}
	r = img_stream(img, len, IMG_MAX_UNPACKED, &ops, out, we);
	if (r && we->from_cb)
		fmt_err(err, errlen, r, "%s: writing the listing: %s", ep, strerror(-r));
	else if (r)
		fmt_err(err, errlen, r, "%s: %s", ep, we->msg);
	else if (!(r = img_none_found(we, ep, len, err, errlen)) &&
		 (fflush(out) || ferror(out)))
		r = fmt_err(err, errlen, -EIO, "%s: writing the listing failed", ep);
	free(we);
	img_unload(img);
	return r;
}
