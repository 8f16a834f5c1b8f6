/* fuzz_imgread.c - img_walk() on any initramfs image: newc and crc
 * segments, NUL padding, gzip/zstd/xz/lz4 members.  An image it accepts
 * is listed with img_list() too (through a memfd: it wants a path), which
 * must accept it as well (unless it holds no cpio data at all: -ENODATA),
 * and walked again with a limit of half its size, which must give the same
 * or -EFBIG. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "imgread.h"
#include "fuzz.h"

#define FUZZ_MAX_UNPACKED (16u << 20)

static size_t entries;

static int on_entry(void *ctx, const struct img_entry_info *e)
{
	unsigned int *sum = ctx;
	size_t n = strlen(e->name), i;

	entries++;
	/* "" is possible (name size 1): the kernel skips it, --extract
	 * refuses it unless it is a directory (the top) */
	FUZZ_CHECK(n <= 4096);
	if (e->size) {
		FUZZ_CHECK(e->data != NULL);	/* "size bytes" */
		for (i = 0; i < e->size; i += 4096)	/* every page is there */
			*sum += e->data[i];
		*sum += e->data[e->size - 1];
	}
	return 0;
}

static void list_too(const uint8_t *data, size_t size)
{
	static FILE *null;
	char path[64], err[512];
	int fd, r;

	if (!null && !(null = fopen("/dev/null", "w")))
		return;
	fd = memfd_create("fuzz-img", MFD_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		r = img_list(path, null, err, sizeof(err));
		/* an image of no cpio data at all is refused (-ENODATA); one
		 * that has entries cannot be that */
		if (r && (r != -ENODATA || entries))
			fprintf(stderr, "img_list: %s\n", err);
		FUZZ_CHECK(r == 0 || (r == -ENODATA && !entries));
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int sum = 0;
	uint64_t where = 0;
	int r;

	entries = 0;
	r = img_walk(data, size, FUZZ_MAX_UNPACKED, on_entry, &sum, &where);
	FUZZ_CHECK(r <= 0);
	if (r) {
		FUZZ_CHECK(where <= size);
		return 0;
	}
	list_too(data, size);
	/* with a lower limit: the same walk, or -EFBIG */
	r = img_walk(data, size, size / 2, on_entry, &sum, &where);
	FUZZ_CHECK(r == 0 || r == -EFBIG);
	return 0;
}
