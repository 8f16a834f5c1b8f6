/* tests/qemu/store-init.c - the /init of tests/bench-store.sh's images:
 * the floor (tests/qemu/floor-init.c: only the unavoidable work) with a
 * choice of module store, to compare ways of keeping a generic image's
 * modules compressed until /init picks the ones it loads.  /etc/store
 * names the store:
 *   gz     each module of /etc/modules.list (one path a line) is read from
 *          PATH.gz, inflated into memory with lib/inflate.c and loaded with
 *          init_module (design A, initkit's lazy modules, one at a time)
 *   sqfs   the modules of /etc/pre.list ("PATH" or "PATH PARAMS" a line)
 *          are loaded first with finit_module (loop.ko, squashfs.ko:
 *          uncompressed in the image), a free loop device
 *          (LOOP_CTL_GET_FREE) is attached read-only to /modules.img
 *          (LOOP_CONFIGURE, else LOOP_SET_FD and LOOP_SET_STATUS64, with
 *          autoclear), mounted read-only at /m as squashfs, and each module
 *          of /etc/modules.list (paths under /m) is loaded from there with
 *          finit_module (the kernel decompresses the blocks); /m is then
 *          unmounted, which frees the loop device (design B)
 *   erofs  the same with -t erofs (pre.list: erofs.ko and what it needs)
 * Then as the floor: mounts devtmpfs and proc first, polls for /dev/vda
 * every 10 ms, mounts it read-only as ext4, moves /dev and /proc into it,
 * switches and execs /sbin/init.  Nothing is printed on success; an error
 * names its step and path on stderr ("store: STEP PATH: REASON").  A module
 * the machine cannot use (ENODEV: crc32c-intel without SSE4.2) is named
 * ("store: not for this machine: PATH") so that the image can be built
 * again without it.  Built with klcc by tests/bench-store.sh, linked with
 * lib/inflate.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/loop.h>
#include "inflate.h"

extern int finit_module(int fd, const char *params, int flags);
extern int init_module(void *image, unsigned long len, const char *params);

#define MODULE_MAX	(64u << 20)	/* no module inflates to more */

static void put(const char *s)
{
	(void)!write(2, s, strlen(s));
}

/* "store: STEP PATH: WHY", WHY strerror(errno) when NULL */
static void say(const char *step, const char *path, const char *why)
{
	if (!why)
		why = strerror(errno);
	put("store: "); put(step); put(" "); put(path); put(": "); put(why); put("\n");
}

/* read file @path (at most @size - 1 bytes) into @buf as a string: 0, or
 * -1 said */
static int read_text(const char *path, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		say("open", path, NULL);
		return -1;
	}
	while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			say("read", path, NULL);
			close(fd);
			return -1;
		}
		got += (size_t)n;
	}
	close(fd);
	if (got == size - 1) {
		say("read", path, "too long");
		return -1;
	}
	buf[got] = '\0';
	return 0;
}

/* the outcome of a module load: EEXIST is success, ENODEV is named */
static void loaded(int r, const char *path)
{
	if (r == 0 || errno == EEXIST)
		return;
	if (errno == ENODEV) {
		put("store: not for this machine: "); put(path); put("\n");
		return;
	}
	say("module", path, NULL);
}

/* finit_module of the file a line names: "PATH" or "PATH PARAMS" */
static void load_file(char *path)
{
	char *params = strchr(path, ' ');
	int fd, r;

	if (params)
		*params++ = '\0';
	else
		params = "";
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		say("open", path, NULL);
		return;
	}
	r = finit_module(fd, params, 0);
	loaded(r, path);
	close(fd);
}

/* @path.gz inflated into memory, then init_module */
static void load_gz(char *path)
{
	char gz[512];
	struct stat st;
	uint8_t *in, *out;
	long long size, n;
	int fd, r;

	if ((size_t)snprintf(gz, sizeof(gz), "%s.gz", path) >= sizeof(gz)) {
		say("open", path, "path too long");
		return;
	}
	fd = open(gz, O_RDONLY);
	if (fd < 0) {
		say("open", gz, NULL);
		return;
	}
	if (fstat(fd, &st) < 0) {
		say("stat", gz, NULL);
		close(fd);
		return;
	}
	in = st.st_size > 0 ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)
			    : MAP_FAILED;
	if (in == MAP_FAILED) {
		say("mmap", gz, st.st_size > 0 ? NULL : "empty file");
		close(fd);
		return;
	}
	close(fd);
	size = gzip_size(in, (size_t)st.st_size);
	if (size <= 0 || size > MODULE_MAX) {
		say("inflate", gz, "not a gzip file of a module's size");
		munmap(in, (size_t)st.st_size);
		return;
	}
	out = malloc((size_t)size);
	if (!out) {
		say("inflate", gz, NULL);
		munmap(in, (size_t)st.st_size);
		return;
	}
	n = gzip_inflate(in, (size_t)st.st_size, out, (size_t)size);
	munmap(in, (size_t)st.st_size);
	if (n != size) {
		say("inflate", gz, n < 0 ? gzip_strerror(n) : "wrong size");
		free(out);
		return;
	}
	r = init_module(out, (unsigned long)n, "");
	loaded(r, path);
	free(out);
}

/* for each line of @list, @fn(line) */
static void each_line(char *list, void (*fn)(char *))
{
	char *p, *nl;

	for (p = list; *p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		else
			nl = p + strlen(p);
		if (*p)
			fn(p);
	}
}

/* a free loop device attached read-only to @img, its path in @dev
 * (@devlen bytes): the open loop device's fd, or -1 said */
static int attach_loop(const char *img, char *dev, size_t devlen)
{
	struct loop_config cfg;
	struct loop_info64 info;
	int ctl, n, lfd, bfd;

	ctl = open("/dev/loop-control", O_RDWR);
	if (ctl < 0) {
		say("open", "/dev/loop-control", NULL);
		return -1;
	}
	n = ioctl(ctl, LOOP_CTL_GET_FREE, NULL);
	if (n < 0) {
		say("LOOP_CTL_GET_FREE", "/dev/loop-control", NULL);
		close(ctl);
		return -1;
	}
	close(ctl);
	snprintf(dev, devlen, "/dev/loop%d", n);
	bfd = open(img, O_RDONLY);
	if (bfd < 0) {
		say("open", img, NULL);
		return -1;
	}
	lfd = open(dev, O_RDONLY);
	if (lfd < 0) {
		say("open", dev, NULL);
		close(bfd);
		return -1;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = (unsigned int)bfd;
	cfg.info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
	if (ioctl(lfd, LOOP_CONFIGURE, &cfg) < 0) {
		/* before Linux 5.8: no LOOP_CONFIGURE */
		if (errno != EINVAL && errno != ENOTTY) {
			say("LOOP_CONFIGURE", dev, NULL);
			goto fail;
		}
		if (ioctl(lfd, LOOP_SET_FD, (void *)(long)bfd) < 0) {
			say("LOOP_SET_FD", dev, NULL);
			goto fail;
		}
		memset(&info, 0, sizeof(info));
		info.lo_flags = LO_FLAGS_AUTOCLEAR;	/* read-only: bfd is */
		if (ioctl(lfd, LOOP_SET_STATUS64, &info) < 0) {
			say("LOOP_SET_STATUS64", dev, NULL);
			(void)ioctl(lfd, LOOP_CLR_FD, NULL);
			goto fail;
		}
	}
	close(bfd);	/* the loop device holds the file */
	return lfd;
fail:
	close(bfd);
	close(lfd);
	return -1;
}

int main(void)
{
	static char mode[16], list[16384], pre[1024];
	char dev[32];
	const char *fstype = NULL;
	int lfd;
	struct stat st;
	struct timeval t0, t;
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) < 0)
		say("mount", "/dev", NULL);
	if (mount("proc", "/proc", "proc", 0, NULL) < 0)
		say("mount", "/proc", NULL);
	if (read_text("/etc/store", mode, sizeof(mode)) < 0 ||
	    read_text("/etc/modules.list", list, sizeof(list)) < 0)
		return 1;
	mode[strcspn(mode, "\n")] = '\0';
	if (!strcmp(mode, "sqfs"))
		fstype = "squashfs";
	else if (!strcmp(mode, "erofs"))
		fstype = "erofs";
	else if (strcmp(mode, "gz")) {
		say("read", "/etc/store", "not gz, sqfs or erofs");
		return 1;
	}
	if (!fstype) {
		each_line(list, load_gz);
	} else {
		if (read_text("/etc/pre.list", pre, sizeof(pre)) < 0)
			return 1;
		each_line(pre, load_file);
		lfd = attach_loop("/modules.img", dev, sizeof(dev));
		if (lfd < 0)
			return 1;
		if (mount(dev, "/m", fstype, MS_RDONLY, NULL) < 0) {
			say("mount", dev, NULL);
			return 1;
		}
		close(lfd);	/* autoclear: detached once /m is unmounted */
		each_line(list, load_file);
		if (umount("/m") < 0)
			say("umount", "/m", NULL);
	}
	gettimeofday(&t0, NULL);
	while (stat("/dev/vda", &st) < 0) {
		gettimeofday(&t, NULL);
		if (t.tv_sec - t0.tv_sec > 30) {
			say("waiting for", "/dev/vda", NULL);
			return 1;
		}
		nanosleep(&tick, NULL);
	}
	if (mount("/dev/vda", "/root", "ext4", MS_RDONLY, NULL) < 0) {
		say("mount", "/dev/vda", NULL);
		return 1;
	}
	if (mount("/dev", "/root/dev", NULL, MS_MOVE, NULL) < 0)
		say("move", "/dev", NULL);
	if (mount("/proc", "/root/proc", NULL, MS_MOVE, NULL) < 0)
		say("move", "/proc", NULL);
	if (chdir("/root") < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 ||
	    chroot(".") < 0 || chdir("/") < 0) {
		say("switch", "/root", NULL);
		return 1;
	}
	execl("/sbin/init", "init", (char *)0);
	say("exec", "/sbin/init", NULL);
	return 1;
}
