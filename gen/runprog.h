/* runprog.h - run a host program without a shell and collect its output,
 * bounded in time and size (the generator runs "BUSYBOX --list-full"). */
#ifndef INITKIT_RUNPROG_H
#define INITKIT_RUNPROG_H

#include <stddef.h>

#define RUNPROG_ERR_MAX	256	/* bytes of the program's stderr kept */

struct runprog_result {
	int status;		/* waitpid() status, once it has exited */
	char *out;		/* its stdout, NUL-terminated (malloc'd) */
	size_t outlen;
	char err[RUNPROG_ERR_MAX];	/* the start of its stderr, NUL-terminated */
};

/*
 * Run the program @path (never looked up in PATH, never given to a shell)
 * with the arguments @argv as they are (argv[0] included: BusyBox picks its
 * applet by it) and the environment @envp, its
 * stdin /dev/null, in a process group of its own.  Collect its stdout (at
 * most @maxout bytes) and the start of its stderr into @res.
 *
 * Returns 0 once it has exited, whatever its status (see res->status), or
 * -errno: the error of execve() when it could not start (-ENOENT, -EACCES,
 * -ENOEXEC, ...); -ETIMEDOUT if it ran for more than @timeout_ms, or
 * -EFBIG if it wrote more than @maxout bytes (it is then killed, with its
 * process group); -ENOMEM, -EMFILE ...  On error res->out is NULL; res->err
 * holds what it wrote to stderr so far.  Free res->out either way.
 */
int runprog_capture(const char *path, char *const argv[], char *const envp[], int timeout_ms,
		  size_t maxout, struct runprog_result *res);

#endif
