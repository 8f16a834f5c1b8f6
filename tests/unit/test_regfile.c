/* test_regfile.c - open_regular(): regular files only, nothing else opened */
#include "unit.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include "regfile.h"

static char *dir;

static void path_of(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

static void test_regular(void **state)
{
	char p[512], buf[8];
	struct stat st;
	int fd;

	path_of(p, sizeof(p), "file");
	fd = open_regular(p, 0, &st);
	assert_true(fd >= 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 5);
	assert_int_equal(read(fd, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello", 5);
	/* read-only, close-on-exec */
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

static void test_symlink(void **state)
{
	char p[512];
	struct stat st;
	int fd;

	/* followed by default, to a regular file */
	path_of(p, sizeof(p), "link");
	fd = open_regular(p, 0, &st);
	assert_true(fd >= 0);
	assert_true(S_ISREG(st.st_mode));
	close(fd);
	/* refused with REG_NOFOLLOW, and said to be a link */
	assert_int_equal(open_regular(p, REG_NOFOLLOW, &st), -ELOOP);
	assert_true(S_ISLNK(st.st_mode));
	assert_string_equal(file_kind(st.st_mode), "a symbolic link");
	/* to a FIFO: refused, without waiting for a writer */
	path_of(p, sizeof(p), "fifolink");
	assert_int_equal(open_regular(p, 0, &st), -EINVAL);
	assert_true(S_ISFIFO(st.st_mode));
	/* dangling */
	path_of(p, sizeof(p), "dangling");
	assert_int_equal(open_regular(p, 0, &st), -ENOENT);
}

static void test_not_regular(void **state)
{
	char p[512];
	struct stat st;

	/* a FIFO nobody writes to: open() would wait forever */
	path_of(p, sizeof(p), "fifo");
	assert_int_equal(open_regular(p, 0, &st), -EINVAL);
	assert_string_equal(file_kind(st.st_mode), "a FIFO");
	assert_int_equal(open_regular(dir, 0, &st), -EISDIR);
	assert_string_equal(file_kind(st.st_mode), "a directory");
	assert_int_equal(open_regular("/dev/null", 0, &st), -EINVAL);
	assert_string_equal(file_kind(st.st_mode), "a character device");
	path_of(p, sizeof(p), "missing");
	assert_int_equal(open_regular(p, 0, &st), -ENOENT);
	assert_int_equal(open_regular("", 0, &st), -ENOENT);
}

static void test_no_fd_left(void **state)
{
	char p[512];
	struct stat st;
	int before = dup(0), after;

	/* every refusal closes what it opened */
	close(before);
	path_of(p, sizeof(p), "fifo");
	assert_int_equal(open_regular(p, 0, &st), -EINVAL);
	assert_int_equal(open_regular(dir, 0, &st), -EISDIR);
	path_of(p, sizeof(p), "link");
	assert_int_equal(open_regular(p, REG_NOFOLLOW, &st), -ELOOP);
	after = dup(0);
	close(after);
	assert_int_equal(after, before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regular),
		cmocka_unit_test(test_symlink),
		cmocka_unit_test(test_not_regular),
		cmocka_unit_test(test_no_fd_left),
	};
	int r;

	dir = unit_tmpdir();
	unit_sh("printf hello > %s/file && ln -s file %s/link && mkfifo %s/fifo && "
		"ln -s fifo %s/fifolink && ln -s nowhere %s/dangling", dir, dir, dir, dir, dir);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	unit_sh("rm -rf %s", dir);
	return r;
}
