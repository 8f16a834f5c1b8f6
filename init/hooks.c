/* hooks.c - runtime hooks: executables in /scripts/STAGE/, run in name
 * order at their stage; scripts run through the image's shell. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "init.h"
#include "layout.h"
#include "log.h"
#include "timeline.h"
#include "util.h"

#define HOOKS_DIR  "/" LAYOUT_HOOKS
#define HOOKS_MAX  64
#define HOOK_NAME_MAX 64

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int run_one(struct boot *b, const char *stage, const char *path)
{
	char env_root[DEV_PATH_MAX + 8], env_type[FS_TYPE_MAX + 16];
	char env_stage[64];
	char *envp[] = {
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "rootmnt=" NEWROOT,
		env_root, env_type, env_stage, NULL,
	};
	char *argv[] = { (char *)path, NULL };
	char *shargv[] = { RESCUE_SHELL, (char *)path, NULL };
	pid_t pid;
	int status;

	path_fmt(env_root, sizeof(env_root), "ROOT=%s", b->rootdev);
	path_fmt(env_type, sizeof(env_type), "ROOTFSTYPE=%s", b->rootfs.type);
	path_fmt(env_stage, sizeof(env_stage), "INITKIT_STAGE=%s", stage);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execve(path, argv, envp);
		if (errno == ENOEXEC)	/* a script without #! */
			execve(RESCUE_SHELL, shargv, envp);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int run_hooks(struct boot *b, const char *stage)
{
	static char names[HOOKS_MAX][HOOK_NAME_MAX];
	static int no_hooks;
	char dir[64], path[64 + HOOK_NAME_MAX];
	struct dir_iter d;
	struct stat st;
	const char *name;
	int n = 0, i, failed = 0;
	long long t0;

	/* An image without hooks has no HOOKS_DIR: one look tells, for
	 * every stage. */
	if (no_hooks)
		return 0;
	if (stat(HOOKS_DIR, &st) < 0 && errno == ENOENT) {
		no_hooks = 1;
		return 0;
	}
	t0 = uptime_us();
	if (path_fmt(dir, sizeof(dir), HOOKS_DIR "/%s", stage))
		return 0;
	if (dir_open(&d, AT_FDCWD, dir))
		return 0;	/* no hooks for this stage */
	while ((name = dir_next(&d, NULL))) {
		if (name[0] == '.')
			continue;
		if (strlen(name) >= HOOK_NAME_MAX || n == HOOKS_MAX) {
			log_msg(L_ERR, "hooks: %s/%s: skipped (more than %d hooks or a "
				"name over %d bytes)", dir, name, HOOKS_MAX,
				HOOK_NAME_MAX - 1);
			continue;
		}
		strcpy(names[n++], name);
	}
	dir_close(&d);
	qsort(names, n, sizeof(names[0]), cmp_name);

	for (i = 0; i < n; i++) {
		struct stat st;
		int r;

		if (path_fmt(path, sizeof(path), "%s/%s", dir, names[i]) ||
		    stat(path, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
			continue;
		log_msg(L_DEBUG, "hooks: running %s", path);
		r = run_one(b, stage, path);
		if (r) {
			failed++;
			log_msg(L_ERR, "hooks: %s hook %s failed (%s %d); continuing",
				stage, path, r < 0 ? "error" : "exit status", r < 0 ? -r : r);
		}
	}
	timing.hooks_us += uptime_us() - t0;
	return failed;
}
