/* rmtree.c - free the initramfs before the switch (openat/fstatat/unlinkat,
 * so no path is ever longer than one component) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "rmtree.h"

int rmtree_contents(int dirfd, dev_t dev)
{
	int fd = dup(dirfd), r = 0;
	DIR *dir;
	struct dirent *de;

	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		r = -errno;
		close(fd);
		return r;
	}
	while ((de = readdir(dir))) {
		struct stat st;
		int isdir;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (!r)
				r = -errno;
			continue;
		}
		isdir = S_ISDIR(st.st_mode);
		if (isdir) {
			int sub;

			if (st.st_dev != dev)
				continue;	/* a mount point: not ours to empty */
			sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY |
				     O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				if (!r)
					r = -errno;
				continue;
			}
			{
				int e = rmtree_contents(sub, dev);

				if (e && !r)
					r = e;
			}
			close(sub);
		}
		if (unlinkat(dirfd, de->d_name, isdir ? AT_REMOVEDIR : 0) < 0 &&
		    !r && !(isdir && errno == EBUSY))
			r = -errno;
	}
	closedir(dir);
	return r;
}
