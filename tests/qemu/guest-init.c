/* guest-init.c - the test root's /sbin/init: proves the switch worked.
 *
 * Prints one token line with what a test may assert (PID, how / is mounted,
 * the arguments it got), to the console and to the kernel log (so it carries
 * a printk timestamp comparable with /init's), then reboots (QEMU runs
 * with -no-reboot, so that ends the VM). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/reboot.h>
#include <unistd.h>

#define TOKEN "INITKIT-ROOT-OK"

int main(int argc, char *argv[])
{
	char line[1024], cmd[64] = "";
	int n, i, fd;
	const char *mode;

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

	fd = open("/dev/kmsg", O_WRONLY);
	if (fd >= 0) {
		char k[1100];
		int m = snprintf(k, sizeof(k), "<5>%s", line);

		(void)!write(fd, k, m);
		close(fd);
	}
	(void)!write(1, line, n);

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
	sync();
	/* QEMU runs with -no-reboot: a reboot ends it, on kernels without
	 * ACPI (the tiny test kernel) too, where power-off would only halt */
	reboot(RB_AUTOBOOT, NULL);
	return 0;
}
