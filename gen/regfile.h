/* regfile.h - open a path only if it is a regular file.  The generator
 * runs as root on paths that others can write: a FIFO planted where an
 * input is expected must not hang it, and a device must never be opened. */
#ifndef INITKIT_REGFILE_H
#define INITKIT_REGFILE_H

#include <stdio.h>
#include <sys/stat.h>

#define REG_NOFOLLOW 1	/* a symbolic link as the last component is refused */

/* Open @path read-only if it is a regular file, without opening anything
 * else on the way: the path is looked up with O_PATH (which opens no
 * device and waits for no FIFO writer), checked with fstat, and only then
 * opened, through /proc/self/fd (else by name again, O_NONBLOCK, and
 * checked to be the same file).  Fills @st.  Returns the descriptor, or
 * -errno: -EISDIR for a directory, -ELOOP for a symbolic link with
 * REG_NOFOLLOW, -EINVAL for anything else that is not a regular file
 * (file_kind(@st->st_mode) names it). */
int open_regular(const char *path, int flags, struct stat *st);

/* open_regular() as a stdio stream for reading; NULL with errno set
 * (EINVAL: not a regular file). */
FILE *fopen_regular(const char *path);

/* "a regular file", "a directory", "a FIFO", ...: for messages. */
const char *file_kind(mode_t mode);

#endif
