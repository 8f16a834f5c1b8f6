/* actions.c - block-device actions (see actions.h) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "actions.h"
#include "common.h"
#include "init.h"
#include "layout.h"
#include "log.h"
#include "modules.h"
#include "timeline.h"
#include "util.h"

#define ACTIONS_DIR  "/" LAYOUT_ACTIONS
#define TYPES_MAX    8

/* What is known of each probe type asked about: whether the image has an
 * action for it, and whether a device of it has been seen. */
static struct {
	char type[FS_TYPE_MAX];
	int exists;
	int seen;
	int native;	/* our own MD helper: 1; not: -1; not asked yet: 0 */
} types[TYPES_MAX];
static int ntypes;
static int none = 1;		/* the image has no actions at all */
static struct boot *boot;

/* Stacks the kernel command line switches off (dracut's names), and the
 * module each cannot start without (the others it loads as it goes). */
static const struct {
	unsigned int bit;
	const char *param, *type, *core;
} switches[] = {
	{ RD_OFF_LVM, "rd.lvm", "LVM2_member", "dm_mod" },
	{ RD_OFF_MD, "rd.md", "linux_raid_member", "md_mod" },
	{ RD_OFF_LUKS, "rd.luks", "crypto_LUKS", "dm_crypt" },
};

void actions_init(struct boot *b)
{
	struct stat st;
	size_t i;

	boot = b;
	none = stat(ACTIONS_DIR, &st) < 0 || !S_ISDIR(st.st_mode);
	for (i = 0; i < ARRAY_SIZE(switches) && !none; i++) {
		if (!(b->bp.rd_off & switches[i].bit) || ntypes == TYPES_MAX)
			continue;
		strcpy(types[ntypes++].type, switches[i].type);	/* exists = 0 */
		log_msg(L_INFO, "actions: %s=0: %s devices are left alone",
			switches[i].param, switches[i].type);
	}
}

const char *actions_only_core(const struct boot *b)
{
	struct dir_iter d;
	const char *name, *core = NULL;
	int n = 0;
	size_t i;

	if (dir_open(&d, AT_FDCWD, ACTIONS_DIR))
		return NULL;
	while ((name = dir_next(&d, NULL)) && ++n == 1)
		for (i = 0; i < ARRAY_SIZE(switches); i++)
			if (!strcmp(name, switches[i].type) && !(b->bp.rd_off & switches[i].bit))
				core = switches[i].core;
	dir_close(&d);
	return n == 1 ? core : NULL;
}

/* The entry for @type, looked up in the image the first time. */
static int find_type(const char *type)
{
	char path[sizeof(ACTIONS_DIR) + FS_TYPE_MAX];
	struct stat st;
	int i;

	for (i = 0; i < ntypes; i++)
		if (!strcmp(types[i].type, type))
			return i;
	if (ntypes == TYPES_MAX || strlen(type) >= FS_TYPE_MAX ||
	    path_fmt(path, sizeof(path), ACTIONS_DIR "/%s", type))
		return -1;
	strcpy(types[ntypes].type, type);
	types[ntypes].exists = stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
			       (st.st_mode & 0111);
	return ntypes++;
}

int action_exists(const char *type)
{
	int i;

	if (none || !type[0])
		return 0;
	i = find_type(type);
	return i >= 0 && types[i].exists;
}

/* Start @type's action with @event and the @n arguments @args (devices,
 * the root's directory, or none); returns its pid, or -errno.  vfork: no
 * copy of /init's page tables (its module database, a generic image's
 * modules) for a child that only execs. */
static pid_t spawn(const char *type, const char *event, char **args, int n)
{
	char path[sizeof(ACTIONS_DIR) + FS_TYPE_MAX];
	char list[(ACTION_DEVS_MAX + 1) * DEV_PATH_MAX];
	char *argv[ACTION_DEVS_MAX + 3];
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	size_t o = 0;
	pid_t pid;
	int i;

	if (path_fmt(path, sizeof(path), ACTIONS_DIR "/%s", type))
		return -ENAMETOOLONG;
	argv[0] = path;
	argv[1] = (char *)event;
	list[0] = '\0';
	for (i = 0; i < n && i < ACTION_DEVS_MAX; i++) {
		argv[i + 2] = args[i];
		if (log_debug && o < sizeof(list))	/* for the debug line only */
			o += (size_t)snprintf(list + o, sizeof(list) - o, " %.*s",
					      DEV_PATH_MAX, args[i]);
	}
	argv[i + 2] = NULL;
	log_msg(L_DEBUG, "actions: %s %s%s", type, event, list);
	pid = vfork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execve(path, argv, envp);
		_exit(127);
	}
	return pid;
}

/* Wait for the action @pid; its status, said if not 0. */
static int reap(pid_t pid, const char *type, const char *event)
{
	int status;

	if (pid < 0)
		return pid;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		status = WEXITSTATUS(status);
	else
		status = 128 + WTERMSIG(status);
	if (status)
		log_msg(L_WARN, "actions: %s %s: exit status %d", type, event, status);
	return status;
}

static int run(const char *type, const char *event, const char *arg)
{
	long long t0 = uptime_us();
	char *args[1] = { (char *)arg };
	int r;

	r = reap(spawn(type, event, args, arg ? 1 : 0), type, event);
	timing.actions_us += uptime_us() - t0;
	return r;
}

/* Is @type's action our own MD helper (hooks/md)?  It takes several
 * members in one run, needs the RAID personality only to start a complete
 * array (a child loads it meanwhile, and the helper waits for that load:
 * LOADING_DIR), and has nothing to do at the root (not run for "root"). */
static int native_md(int i)
{
	char path[sizeof(ACTIONS_DIR) + FS_TYPE_MAX], target[32];
	ssize_t n;

	if (types[i].native < 0)
		return 0;
	if (!types[i].native) {
		types[i].native = -1;
		if (!path_fmt(path, sizeof(path), ACTIONS_DIR "/%s", types[i].type) &&
		    (n = readlink(path, target, sizeof(target) - 1)) > 0) {
			target[n] = '\0';
			if (!strcmp(target, "/" LAYOUT_HELPERS "/md"))
				types[i].native = 1;
		}
	}
	return types[i].native > 0;
}

int action_devs(const char *type)
{
	int i;

	if (none || (i = find_type(type)) < 0 || !types[i].exists)
		return 1;
	return native_md(i) ? ACTION_DEVS_MAX : 1;
}

int action_add(const char *type, const char **names, int n, const char *module)
{
	char devs[ACTION_DEVS_MAX][DEV_PATH_MAX], *args[ACTION_DEVS_MAX];
	long long t0, t1;
	pid_t pid;
	int i, k, r;

	if (none || (i = find_type(type)) < 0 || !types[i].exists || n < 1)
		return 0;
	types[i].seen = 1;
	for (k = 0; k < n && k < ACTION_DEVS_MAX; k++) {
		if (path_fmt(devs[k], sizeof(devs[k]), "/dev/%s", names[k]))
			return -ENAMETOOLONG;
		args[k] = devs[k];
	}
	/* the module (not in the image: the action says what is missing) */
	if (module[0] && !native_md(i))
		modules_load_name(boot, module, type);
	t0 = uptime_us();
	pid = spawn(type, "add", args, k);
	t1 = uptime_us();
	if (module[0] && native_md(i)) {
		/* by a child: the next member's helper need not wait for it;
		 * an array complete before the load is done has the kernel ask
		 * /init as modprobe, which waits for it */
		modules_load_behind(boot, module, type);
	}
	t1 = uptime_us() - t1;	/* timed as loading, not in the action */
	r = reap(pid, type, "add");
	timing.actions_us += uptime_us() - t0 - t1;
	return r;
}

int actions_event(const char *event, const char *arg)
{
	int i, n = 0;

	for (i = 0; i < ntypes && !none; i++)
		if (types[i].exists && types[i].seen) {
			if (!strcmp(event, "root") && native_md(i))
				continue;
			run(types[i].type, event, arg);
			n++;
		}
	return n;
}
