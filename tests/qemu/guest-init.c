/* guest-init.c - the test root's /sbin/init: proves the switch worked.
 *
 * Prints one token line with what a test may assert (PID, how / is mounted,
 * the arguments it got), to the console and to the kernel log (so it carries
 * a printk timestamp comparable with /init's), then reboots (QEMU runs
 * with -no-reboot, so that ends the VM).
 *
 * With the argument hibernate=SWAPDEV (kernel command line "... --
 * hibernate=/dev/mapper/vg0-swap": the words after "--" are init's
 * arguments, and /init passes its own on), it first hibernates: it draws a
 * random nonce, which only this boot's memory holds, prints
 * "INITKIT-HIBERNATING nonce=N", swaps on SWAPDEV and writes "disk" to
 * /sys/power/state ("shutdown" in /sys/power/disk first: the guest powers
 * off once the image is written).  When a later boot resumes the image,
 * that write returns here: it prints "INITKIT-RESUMED nonce=N", the same
 * N, which proves the session came back, then the token line as always.
 * If hibernating fails it prints "INITKIT-HIBERNATE-FAILED" and why, then
 * the token line. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/reboot.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TOKEN "INITKIT-ROOT-OK"
#define HIBERNATE_ARG "hibernate="

int swapon(const char *path, int flags);	/* in klibc, not in its headers */

/* one line to the kernel log (with a printk timestamp) and the console */
static void say(const char *line, int n)
{
	int fd = open("/dev/kmsg", O_WRONLY);

	if (fd >= 0) {
		char k[1100];
		int m = snprintf(k, sizeof(k), "<5>%s", line);

		(void)!write(fd, k, m);
		close(fd);
	}
	(void)!write(1, line, n);
}

/* "INITKIT-INITRAMFS children=N status=S unevictable=K kB": once the
 * children /init left us are gone (its helper emptying the initramfs at
 * idle priority: sleeping gives it the CPU; 10 s at most), how many there
 * were, the last one's exit status, and how much memory the kernel cannot
 * evict, which is where a ramfs initramfs lives: near 0 once it is freed. */
static void initramfs_report(void)
{
	char buf[4096], line[128], *p;
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int i, fd, n, st, children = 0, status = -1;
	pid_t w;
	ssize_t r;

	for (i = 0; i < 1000; i++) {
		w = waitpid(-1, &st, WNOHANG);
		if (w > 0) {
			children++;
			status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			continue;
		}
		if (w < 0)
			break;	/* none left */
		nanosleep(&tick, NULL);
	}
	fd = open("/proc/meminfo", O_RDONLY);
	if (fd < 0)
		return;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[r > 0 ? r : 0] = '\0';
	p = strstr(buf, "Unevictable:");
	if (!p)
		return;
	p += strlen("Unevictable:");
	while (*p == ' ')
		p++;
	n = snprintf(line, sizeof(line), "INITKIT-INITRAMFS children=%d%s status=%d "
		     "unevictable=%ld kB\n", children, i < 1000 ? "" : "+", status,
		     strtol(p, NULL, 10));
	(void)!write(1, line, n);
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* 64 random bits from the kernel, or the clock if it has none to give */
static unsigned long long nonce(void)
{
	unsigned long long v = 0;
	int fd = open("/dev/urandom", O_RDONLY);

	if (fd < 0 || read(fd, &v, sizeof(v)) != sizeof(v)) {
		struct timeval tv;

		gettimeofday(&tv, NULL);
		v = (unsigned long long)tv.tv_sec * 1000003u ^ tv.tv_usec;
	}
	if (fd >= 0)
		close(fd);
	return v;
}

/* hibernate to swap device @dev; back here after a resume (returns 0) or
 * when the kernel refused (prints why, returns -errno) */
static int hibernate(const char *dev)
{
	char line[512];
	unsigned long long id = nonce();
	int n, r;

	n = snprintf(line, sizeof(line), "INITKIT-HIBERNATING nonce=%016llx swap=%s\n",
		     id, dev);
	say(line, n);
	r = swapon(dev, 0) < 0 ? -errno : 0;
	if (!r)
		r = write_file("/sys/power/disk", "shutdown");
	if (!r) {
		sync();
		r = write_file("/sys/power/state", "disk");
	}
	if (r) {
		n = snprintf(line, sizeof(line), "INITKIT-HIBERNATE-FAILED nonce=%016llx: "
			     "%s\n", id, strerror(-r));
		say(line, n);
		return r;
	}
	n = snprintf(line, sizeof(line), "INITKIT-RESUMED nonce=%016llx\n", id);
	say(line, n);
	return 0;
}

int main(int argc, char *argv[])
{
	char line[1024], cmd[64] = "";
	int n, i, fd;
	const char *mode;

	for (i = 1; i < argc; i++)
		if (!strncmp(argv[i], HIBERNATE_ARG, strlen(HIBERNATE_ARG)))
			hibernate(argv[i] + strlen(HIBERNATE_ARG));

	/* EROFS tells a read-only root apart from a read-write one. */
	mode = (access("/", W_OK) < 0 && errno == EROFS) ? "ro" : "rw";
	n = snprintf(line, sizeof(line), "%s pid=%d root=%s argc=%d", TOKEN,
		     (int)getpid(), mode, argc);
	for (i = 1; i < argc && n < (int)sizeof(line) - 64; i++)
		n += snprintf(line + n, sizeof(line) - n, " argv%d=%s", i, argv[i]);
	fd = open("/proc/self/comm", O_RDONLY);	/* proves /proc was moved */
	if (fd >= 0) {
		ssize_t r = read(fd, cmd, sizeof(cmd) - 1);

		cmd[r > 0 ? r - 1 : 0] = '\0';
		close(fd);
	}
	n += snprintf(line + n, sizeof(line) - n, " proc=%s", cmd[0] ? "yes" : "no");
	/* the legacy flow: is the old initrd image mounted on /initrd? */
	{
		struct stat rs, is;

		if (stat("/initrd", &is) < 0)
			n += snprintf(line + n, sizeof(line) - n, " initrd=absent");
		else
			n += snprintf(line + n, sizeof(line) - n, " initrd=%s",
				      stat("/", &rs) == 0 && rs.st_dev != is.st_dev ?
				      "mounted" : "empty");
	}
	n += snprintf(line + n, sizeof(line) - n, "\n");

	say(line, n);

	/* /init's timeline, passed on in /run */
	fd = open("/run/initramfs/timeline", O_RDONLY);
	if (fd >= 0) {
		char tl[2048], *p, *nl;
		ssize_t r = read(fd, tl, sizeof(tl) - 1);

		close(fd);
		tl[r > 0 ? r : 0] = '\0';
		for (p = tl; *p; p = nl) {
			nl = strchr(p, '\n');
			if (nl)
				*nl++ = '\0';
			else
				nl = p + strlen(p);
			n = snprintf(line, sizeof(line), "INITKIT-TIMELINE %s\n", p);
			(void)!write(1, line, n);
		}
	}
	initramfs_report();
	sync();
	/* QEMU runs with -no-reboot: a reboot ends it, on kernels without
	 * ACPI (the tiny test kernel) too, where power-off would only halt */
	reboot(RB_AUTOBOOT, NULL);
	return 0;
}
