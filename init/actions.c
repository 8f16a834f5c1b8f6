/* actions.c - block-device actions (see actions.h) */
#include <errno.h>
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
} types[TYPES_MAX];
static int ntypes;
static int none = 1;		/* the image has no actions at all */
static struct boot *boot;

/* Stacks the kernel command line switches off (dracut's names). */
static const struct {
	unsigned int bit;
	const char *param, *type;
} switches[] = {
	{ RD_OFF_LVM, "rd.lvm", "LVM2_member" },
	{ RD_OFF_MD, "rd.md", "linux_raid_member" },
	{ RD_OFF_LUKS, "rd.luks", "crypto_LUKS" },
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

static int run(const char *type, const char *event, const char *dev)
{
	char path[sizeof(ACTIONS_DIR) + FS_TYPE_MAX];
	char *argv[] = { path, (char *)event, (char *)dev, NULL };
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	long long t0 = uptime_us();
	pid_t pid;
	int status;

	if (path_fmt(path, sizeof(path), ACTIONS_DIR "/%s", type))
		return -ENAMETOOLONG;
	log_msg(L_DEBUG, "actions: %s %s%s%s", type, event, dev ? " " : "", dev ? dev : "");
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execve(path, argv, envp);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	timing.actions_us += uptime_us() - t0;
	if (WIFEXITED(status))
		status = WEXITSTATUS(status);
	else
		status = 128 + WTERMSIG(status);
	if (status)
		log_msg(L_WARN, "actions: %s %s%s%s: exit status %d", type, event,
			dev ? " " : "", dev ? dev : "", status);
	return status;
}

int action_add(const char *type, const char *name, const char *module)
{
	char dev[DEV_PATH_MAX];
	int i;

	if (none || (i = find_type(type)) < 0 || !types[i].exists)
		return 0;
	types[i].seen = 1;
	if (module[0])	/* not in the image: the action says what is missing */
		modules_load_name(boot, module, type);
	if (path_fmt(dev, sizeof(dev), "/dev/%s", name))
		return -ENAMETOOLONG;
	return run(type, "add", dev);
}

int actions_event(const char *event, const char *arg)
{
	int i, n = 0;

	for (i = 0; i < ntypes && !none; i++)
		if (types[i].exists && types[i].seen) {
			run(types[i].type, event, arg);
			n++;
		}
	return n;
}
