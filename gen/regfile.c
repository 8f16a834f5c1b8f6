/* regfile.c - open a path only if it is a regular file. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include "regfile.h"

const char *file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFDIR: return "a directory";
	case S_IFLNK: return "a symbolic link";
	case S_IFIFO: return "a FIFO";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFSOCK: return "a socket";
	}
	return "not a file";
}

static int not_regular(mode_t mode)
{
	if (S_ISDIR(mode))
		return -EISDIR;
	if (S_ISLNK(mode))
		return -ELOOP;
	return -EINVAL;
}

int open_regular(const char *path, int flags, struct stat *st)
{
	char proc[64];
	struct stat again;
	int nofollow = (flags & REG_NOFOLLOW) ? O_NOFOLLOW : 0;
	int pfd, fd, r;

	/* O_PATH|O_NOFOLLOW gives the link itself: fstat says what it is */
	pfd = open(path, O_PATH | O_CLOEXEC | nofollow);
	if (pfd < 0)
		return -errno;
	if (fstat(pfd, st) < 0) {
		r = -errno;
		close(pfd);
		return r;
	}
	if (!S_ISREG(st->st_mode)) {
		close(pfd);
		return not_regular(st->st_mode);
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	fd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno != ENOENT) {
		r = -errno;
		close(pfd);
		return r;
	}
	close(pfd);
	if (fd < 0) {
		/* no /proc (a chroot): by name again, and make sure it is
		 * the file looked at; O_NONBLOCK, should it be a FIFO now */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | nofollow);
		if (fd < 0)
			return -errno;
	}
	if (fstat(fd, &again) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (!S_ISREG(again.st_mode) || again.st_dev != st->st_dev ||
	    again.st_ino != st->st_ino) {
		*st = again;
		close(fd);
		return S_ISREG(again.st_mode) ? -EAGAIN : not_regular(again.st_mode);
	}
	return fd;
}

FILE *fopen_regular(const char *path)
{
	struct stat st;
	FILE *f;
	int fd = open_regular(path, 0, &st);

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return f;
}
