/* helper.c - shared by the stacked-storage helpers (see helper.h) */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "cmdline.h"
#include "helper.h"
#include "log.h"
#include "util.h"

void helper_cmdline(int (*take)(char *param, char *val, void *arg))
{
	static char buf[CMDLINE_MAX];
	char ignored[64];
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC), q;

	if (fd < 0)
		return;
	if (cmdline_read(fd, buf, sizeof(buf), ignored, sizeof(ignored)) >= 0)
		cmdline_each(buf, take, NULL, &q);
	close(fd);
}

int helper_pread(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(fd, buf, len, (off_t)off);

	return n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
}

void helper_report(const char *dir, const char *before, const char *after)
{
	struct dir_iter d;
	const char *name;
	char path[160], msg[1100];

	if (dir_open(&d, AT_FDCWD, dir))
		return;
	while ((name = dir_next(&d, NULL))) {
		if (path_fmt(path, sizeof(path), "%s/%s", dir, name) ||
		    read_file(path, msg, sizeof(msg)) <= 0)
			continue;
		log_msg(L_ERR, "%s%s%s", before, msg, after);
	}
	dir_close(&d);
}

int helper_main(int argc, char **argv, const struct helper_ops *ops)
{
	log_open("/dev/kmsg", "/dev/console");
	if (argc == 3 && !strcmp(argv[1], "add")) {
		helper_cmdline(ops->take);
		return ops->add(argv[2]);
	}
	if (argc == 2 && !strcmp(argv[1], "final"))
		return ops->final ? ops->final() : 0;
	if (argc == 3 && !strcmp(argv[1], "root"))
		return ops->root ? ops->root(argv[2]) : 0;
	if (argc == 2 && !strcmp(argv[1], "late"))
		return 0;
	log_msg(L_ERR, "%s: usage: %s add /dev/NAME | late | final | root DIR", ops->name,
		ops->name);
	return 2;
}
