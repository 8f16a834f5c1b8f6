/* tests/qemu/floor-init.c - the /init of the benchmarks' hand-made "floor"
 * image (floor_image in tests/lib.sh): only the unavoidable work.  Mounts
 * devtmpfs and proc, loads the modules listed in /etc/modules.list (one
 * path a line) with finit_module, polls for /dev/vda every 10 ms, mounts
 * it read-only as ext4, moves /dev and /proc into it (the root's init logs
 * through /dev/kmsg), switches and execs /sbin/init.  A module the machine
 * cannot use (ENODEV: crc32c-intel on a CPU without SSE4.2) is named on
 * stderr ("floor: not for this machine: PATH"), so that the image can be
 * built again without it.  Built with klcc by floor_image. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

extern int finit_module(int fd, const char *params, int flags);

static void say(const char *a, const char *b)
{
	const char *e = strerror(errno);

	(void)!write(2, "floor: ", 7); (void)!write(2, a, strlen(a));
	(void)!write(2, " ", 1); (void)!write(2, b, strlen(b));
	(void)!write(2, ": ", 2); (void)!write(2, e, strlen(e));
	(void)!write(2, "\n", 1);
}

int main(void)
{
	static char list[8192];
	char *p, *nl;
	int fd, n;
	struct stat st;
	struct timeval t0, t;
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("proc", "/proc", "proc", 0, NULL);
	fd = open("/etc/modules.list", O_RDONLY);
	n = fd < 0 ? 0 : read(fd, list, sizeof(list) - 1);
	list[n > 0 ? n : 0] = '\0';
	for (p = list; *p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		else
			nl = p + strlen(p);
		if (!*p)
			continue;
		fd = open(p, O_RDONLY);
		if (fd < 0) {
			say("module", p);
			continue;
		}
		if (finit_module(fd, "", 0) < 0) {
			/* ENODEV: no such hardware (crc32c-intel without SSE4.2) */
			if (errno == ENODEV) {
				(void)!write(2, "floor: not for this machine: ", 29);
				(void)!write(2, p, strlen(p));
				(void)!write(2, "\n", 1);
			} else if (errno != EEXIST) {
				say("module", p);
			}
		}
		close(fd);
	}
	gettimeofday(&t0, NULL);
	while (stat("/dev/vda", &st) < 0) {
		gettimeofday(&t, NULL);
		if (t.tv_sec - t0.tv_sec > 30) {
			say("waiting for", "/dev/vda");
			return 1;
		}
		nanosleep(&tick, NULL);
	}
	if (mount("/dev/vda", "/root", "ext4", MS_RDONLY, NULL) < 0) {
		say("mount", "/dev/vda");
		return 1;
	}
	mount("/dev", "/root/dev", NULL, MS_MOVE, NULL);
	mount("/proc", "/root/proc", NULL, MS_MOVE, NULL);
	if (chdir("/root") < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 ||
	    chroot(".") < 0 || chdir("/") < 0) {
		say("switch", "/root");
		return 1;
	}
	execl("/sbin/init", "init", (char *)0);
	say("exec", "/sbin/init");
	return 1;
}
