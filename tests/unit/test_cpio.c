/* test_cpio.c - the newc writer, read back by GNU cpio */
#include "unit.h"
#include <errno.h>
#include <sys/stat.h>
#include "cpio.h"

struct membuf {
	uint8_t data[1 << 16];
	size_t len;
};

static int to_mem(void *ctx, const void *buf, size_t len)
{
	struct membuf *m = ctx;

	if (m->len + len > sizeof(m->data))
		return -ENOSPC;
	memcpy(m->data + m->len, buf, len);
	m->len += len;
	return 0;
}

static int fail_sink(void *ctx, const void *buf, size_t len)
{
	return -EIO;
}

static void write_sample(struct membuf *m)
{
	struct cpio_writer w;
	struct cpio_entry dir = { .name = "etc", .mode = S_IFDIR | 0755, .mtime = 1234 };
	struct cpio_entry f = { .name = "etc/hello", .mode = S_IFREG | 0644, .size = 6,
				.mtime = 1234 };
	struct cpio_entry odd = { .name = "etc/odd-name.txt", .mode = S_IFREG | 0600,
				  .size = 3, .mtime = 1234 };
	struct cpio_entry node = { .name = "console", .mode = S_IFCHR | 0600,
				   .rdev_major = 5, .rdev_minor = 1 };
	struct cpio_entry ln = { .name = "etc/link", .mode = S_IFLNK | 0777, .size = 5 };

	m->len = 0;
	cpio_init(&w, to_mem, m);
	assert_int_equal(cpio_add(&w, &node, NULL), 0);
	assert_int_equal(cpio_add(&w, &dir, NULL), 0);
	assert_int_equal(cpio_add(&w, &f, "hello\n"), 0);
	/* data in pieces */
	assert_int_equal(cpio_header(&w, &odd), 0);
	assert_int_equal(cpio_data(&w, "a", 1), 0);
	assert_int_equal(cpio_data(&w, "bc", 2), 0);
	assert_int_equal(cpio_add(&w, &ln, "hello"), 0);
	assert_int_equal(cpio_trailer(&w), 0);
	assert_int_equal(w.offset, m->len);
}

static void test_layout(void **state)
{
	static struct membuf m;
	char expect[CPIO_HEADER_LEN + 1];
	struct cpio_entry node = { .name = "console", .mode = S_IFCHR | 0600,
				   .rdev_major = 5, .rdev_minor = 1 };

	write_sample(&m);
	assert_int_equal(m.len % 512, 0);
	assert_memory_equal(m.data, "070701", 6);
	cpio_format_header(expect, 1, &node, 8);
	expect[CPIO_HEADER_LEN] = '\0';
	assert_memory_equal(m.data, expect, CPIO_HEADER_LEN);
	/* ino 1, mode 020600, nlink 1, rdev 5:1, namesize 8 */
	assert_memory_equal(m.data + 6, "00000001000021800000000000000000", 32);
	assert_memory_equal(m.data + 6 + 8 * 9, "0000000500000001", 16);
	assert_memory_equal(m.data + CPIO_HEADER_LEN, "console\0", 8);
}

static void test_gnu_cpio_reads_it(void **state)
{
	static struct membuf m;
	char *dir = unit_tmpdir(), path[512], cmd[1024], line[256];
	FILE *f, *p;
	int n = 0;

	write_sample(&m);
	snprintf(path, sizeof(path), "%s/a.cpio", dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(m.data, 1, m.len, f), m.len);
	fclose(f);

	snprintf(cmd, sizeof(cmd), "cpio -itv --quiet < %s", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		if (n == 0)
			assert_non_null(strstr(line, "5,   1"));
		n++;
	}
	assert_int_equal(pclose(p), 0);
	assert_int_equal(n, 5);

	unit_sh("cd %s && mkdir x && cd x && cpio -idm --quiet < ../a.cpio 2>/dev/null; "
		"test \"$(cat etc/hello)\" = hello && test \"$(cat etc/odd-name.txt)\" = abc "
		"&& test \"$(readlink etc/link)\" = hello "
		"&& test \"$(stat -c %%a etc/odd-name.txt)\" = 600 "
		"&& test \"$(stat -c %%Y etc/hello)\" = 1234", dir);
	unit_sh("rm -rf %s", dir);
}

static void test_errors(void **state)
{
	static struct membuf m;
	struct cpio_writer w;
	struct cpio_entry f = { .name = "f", .mode = S_IFREG | 0644, .size = 4 };
	struct cpio_entry abs = { .name = "/abs", .mode = S_IFREG | 0644 };
	struct cpio_entry empty = { .name = "", .mode = S_IFREG | 0644 };

	m.len = 0;
	cpio_init(&w, to_mem, &m);
	assert_int_equal(cpio_add(&w, &abs, NULL), -EINVAL);
	assert_int_equal(cpio_add(&w, &empty, NULL), -EINVAL);
	assert_int_equal(cpio_header(&w, &f), 0);
	assert_int_equal(cpio_data(&w, "12345", 5), -EINVAL);	/* more than size */
	assert_int_equal(cpio_header(&w, &f), -EINVAL);		/* data still owed */
	assert_int_equal(cpio_data(&w, "1234", 4), 0);

	cpio_init(&w, fail_sink, NULL);
	assert_int_equal(cpio_add(&w, &f, "abcd"), -EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_gnu_cpio_reads_it),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests_name("cpio", tests, NULL, NULL);
}
