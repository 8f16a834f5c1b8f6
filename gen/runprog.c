/* runprog.c - run a program with posix_spawn(3), no shell (runprog.h) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "runprog.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void kill_wait(pid_t pid)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* Start @path with stdout on @outfd and stderr on @errfd. */
static int start(const char *path, char *const argv[], char *const envp[], int outfd,
		 int errfd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t all, none;
	int r;

	if ((r = posix_spawn_file_actions_init(&fa)))
		return -r;
	if ((r = posix_spawnattr_init(&at))) {
		posix_spawn_file_actions_destroy(&fa);
		return -r;
	}
	sigfillset(&all);
	sigemptyset(&none);
	r = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (!r)
		r = posix_spawn_file_actions_adddup2(&fa, outfd, 1);
	if (!r)
		r = posix_spawn_file_actions_adddup2(&fa, errfd, 2);
	if (!r)
		r = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
					     POSIX_SPAWN_SETSIGMASK);
	if (!r)
		r = posix_spawnattr_setpgroup(&at, 0);
	if (!r)
		r = posix_spawnattr_setsigdefault(&at, &all);
	if (!r)
		r = posix_spawnattr_setsigmask(&at, &none);
	if (!r)
		r = posix_spawn(pid, path, &fa, &at, argv, envp);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return -r;
}

int runprog_capture(const char *path, char *const argv[], char *const envp[], int timeout_ms,
		  size_t maxout, struct runprog_result *res)
{
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, r = 0, status;
	size_t cap = 4096, errlen = 0;
	long long deadline = now_ms() + timeout_ms;
	struct pollfd pf[2];
	pid_t pid = -1;
	char *out;

	memset(res, 0, sizeof(*res));
	out = malloc(cap + 1);
	if (!out)
		return -ENOMEM;
	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		r = -errno;
		goto out;
	}
	r = start(path, argv, envp, outp[1], errp[1], &pid);
	close(outp[1]);
	close(errp[1]);
	outp[1] = errp[1] = -1;
	if (r) {
		pid = -1;
		goto out;
	}
	pf[0].fd = outp[0];
	pf[1].fd = errp[0];
	pf[0].events = pf[1].events = POLLIN;
	while (pf[0].fd >= 0 || pf[1].fd >= 0) {
		long long left = deadline - now_ms();
		char buf[4096];
		ssize_t n;
		int i;

		if (left <= 0) {
			r = -ETIMEDOUT;
			goto out;
		}
		n = poll(pf, 2, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		for (i = 0; i < 2; i++) {
			if (pf[i].fd < 0 || !pf[i].revents)
				continue;
			n = read(pf[i].fd, buf, sizeof(buf));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {	/* EOF, or an error: nothing more comes */
				pf[i].fd = -1;
				continue;
			}
			if (i == 1) {	/* stderr: keep the start */
				size_t k = (size_t)n;

				if (k > sizeof(res->err) - 1 - errlen)
					k = sizeof(res->err) - 1 - errlen;
				memcpy(res->err + errlen, buf, k);
				errlen += k;
				res->err[errlen] = '\0';
				continue;
			}
			if (res->outlen + (size_t)n > maxout) {
				r = -EFBIG;
				goto out;
			}
			if (res->outlen + (size_t)n > cap) {
				char *no;

				while (res->outlen + (size_t)n > cap)
					cap *= 2;
				no = realloc(out, cap + 1);
				if (!no) {
					r = -ENOMEM;
					goto out;
				}
				out = no;
			}
			memcpy(out + res->outlen, buf, (size_t)n);
			res->outlen += (size_t)n;
		}
	}
	/* both pipes closed: wait for the exit, still within the time */
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			r = -errno;
			goto out;
		}
		if (now_ms() >= deadline) {
			r = -ETIMEDOUT;
			goto out;
		}
		usleep(1000);
	}
	pid = -1;
	res->status = status;
	out[res->outlen] = '\0';
	res->out = out;
	out = NULL;
out:
	if (pid > 0)
		kill_wait(pid);
	if (outp[0] >= 0)
		close(outp[0]);
	if (errp[0] >= 0)
		close(errp[0]);
	if (outp[1] >= 0)
		close(outp[1]);
	if (errp[1] >= 0)
		close(errp[1]);
	free(out);
	if (r)
		res->outlen = 0;
	return r;
}
