/* rmtree.c - free the initramfs before the switch (getdents, openat,
 * fstatat, unlinkat: no path is ever longer than one component) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "rmtree.h"
#include "util.h"

int rmtree_contents(int dirfd, dev_t dev)
{
	struct dir_iter dir;
	const char *name;
	unsigned char type;
	int r;

	/* a fresh open file: its own position, whoever else reads dirfd */
	r = dir_open(&dir, dirfd, ".");
	if (r)
		return r;
	while ((name = dir_next(&dir, &type))) {
		struct stat st;
		int isdir = type == DT_DIR;

		/* getdents says what a file is; only a directory (for its
		 * device: a mount point is not ours to empty), or a file
		 * system that does not say, needs a stat */
		if (isdir || type == DT_UNKNOWN) {
			if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
				if (!r)
					r = -errno;
				continue;
			}
			isdir = S_ISDIR(st.st_mode);
		}
		if (isdir) {
			int sub, e;

			if (st.st_dev != dev)
				continue;
			sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY |
				     O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				if (!r)
					r = -errno;
				continue;
			}
			e = rmtree_contents(sub, dev);
			if (e && !r)
				r = e;
			close(sub);
		}
		if (unlinkat(dirfd, name, isdir ? AT_REMOVEDIR : 0) < 0 &&
		    !r && !(isdir && errno == EBUSY))
			r = -errno;
	}
	dir_close(&dir);
	return r;
}
