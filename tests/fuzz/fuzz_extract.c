/* fuzz_extract.c - img_extract_ex() on any image, for real: files,
 * directories, symlinks, hard links and FIFOs are made.  So that a bug
 * cannot touch the host, LLVMFuzzerInitialize() first
 *   1. drops to nobody (65534) when run as root, and to no supplementary
 *      groups;
 *   2. enters a new user namespace (its root is that unprivileged uid
 *      outside: no host capability, no device nodes) and a new mount
 *      namespace, with every mount private;
 *   3. mounts a 64 MiB tmpfs (nosuid, nodev, noexec) on a scratch
 *      directory, which only this process sees.
 * It refuses to go on if any step fails.  Each input is written there as
 * img and extracted into out/; then, invariants: the result is 0 or
 * -errno, nothing appeared beside img, out/ and the canary, the canary is
 * unchanged, no file descriptor leaked, and an image extracted without
 * error lists without error.  libFuzzer's corpus and artifact directories
 * must be writable by the uid it runs as (tests/fuzz/run.sh sees to that). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "imgextract.h"
#include "imgread.h"
#include "fuzz.h"

#define FUZZ_MAX_UNPACKED (16u << 20)
#define NOBODY 65534
#define CANARY "the host's, not to be touched\n"

static char scratch[] = "/tmp/initkit-fuzz-extract.XXXXXX";
static char img[64], out[64], canary[64];
static FILE *null;

static void refuse(const char *what)
{
	fprintf(stderr, "fuzz_extract: %s: %s; refusing to run the extractor "
		"outside its sandbox\n", what, strerror(errno));
	exit(1);
}

static void write_proc(const char *file, const char *text)
{
	int fd = open(file, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		refuse(file);
	close(fd);
}

static void leave(void)
{
	umount2(scratch, MNT_DETACH);
	rmdir(scratch);
}

static void sandbox(void)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];

	if (!mkdtemp(scratch))
		refuse("mkdtemp");
	if (uid == 0) {
		if (chown(scratch, NOBODY, NOBODY) < 0)
			refuse("chown");
		if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
		    setresuid(NOBODY, NOBODY, NOBODY) < 0)
			refuse("dropping to nobody");
		uid = gid = NOBODY;
	}
	if (geteuid() == 0 || getuid() == 0)
		refuse("still root");
	/* changing ids made us undumpable: /proc/self would be root's, and
	 * LeakSanitizer could not stop the threads */
	prctl(PR_SET_DUMPABLE, 1);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		refuse("unshare(CLONE_NEWUSER | CLONE_NEWNS)");
	write_proc("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)uid);
	write_proc("/proc/self/uid_map", map);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)gid);
	write_proc("/proc/self/gid_map", map);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		refuse("making mounts private");
	if (mount("fuzz-extract", scratch, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=64m,mode=0700") < 0)
		refuse("mounting the scratch tmpfs");
	atexit(leave);
	snprintf(img, sizeof(img), "%s/img", scratch);
	snprintf(out, sizeof(out), "%s/out", scratch);
	snprintf(canary, sizeof(canary), "%s/canary", scratch);
	if (!(null = fopen("/dev/null", "w")))
		refuse("/dev/null");
	{
		FILE *c = fopen(canary, "w");

		if (!c || fputs(CANARY, c) < 0 || fclose(c))
			refuse(canary);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	sandbox();
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (type == FTW_DP || type == FTW_D)
		return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

static void clean_out(void)
{
	/* FTW_PHYS: symlinks are removed, never followed; directories the
	 * extractor made always keep u+rwx */
	FUZZ_CHECK(nftw(out, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0 || errno == ENOENT);
	FUZZ_CHECK(mkdir(out, 0700) == 0);
}

/* Only img, out and the canary in the scratch directory. */
static void check_scratch(void)
{
	DIR *d = opendir(scratch);
	struct dirent *de;
	char buf[sizeof(CANARY) + 8];
	FILE *c;
	size_t n;

	FUZZ_CHECK(d != NULL);
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    strcmp(de->d_name, "img") && strcmp(de->d_name, "out") &&
		    strcmp(de->d_name, "canary"))
			fprintf(stderr, "fuzz_extract: '%s' appeared outside out/\n",
				de->d_name);
		FUZZ_CHECK(!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
			   !strcmp(de->d_name, "img") || !strcmp(de->d_name, "out") ||
			   !strcmp(de->d_name, "canary"));
	}
	closedir(d);
	c = fopen(canary, "r");
	FUZZ_CHECK(c != NULL);
	n = fread(buf, 1, sizeof(buf), c);
	fclose(c);
	FUZZ_CHECK(n == strlen(CANARY) && !memcmp(buf, CANARY, n));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img_extract_opts o = { .max_unpacked = FUZZ_MAX_UNPACKED,
				      .notes = NULL };
	char err[2048];
	FILE *f;
	int r, fd, lowest;

	if (!null)	/* a replay without LLVMFuzzerInitialize(): never */
		refuse("no sandbox");
	o.notes = null;
	/* the first byte picks the device policy: made (and refused by the
	 * namespace) or skipped */
	o.no_devices = size && (data[0] & 1);
	f = fopen(img, "w");
	FUZZ_CHECK(f != NULL);
	FUZZ_CHECK(fwrite(data, 1, size, f) == size && fclose(f) == 0);
	clean_out();
	/* the lowest free descriptor, the same after the extraction (not
	 * after init: libFuzzer opens files of its own) */
	lowest = open("/dev/null", O_RDONLY | O_CLOEXEC);
	FUZZ_CHECK(lowest >= 0);
	close(lowest);
	r = img_extract_ex(img, out, &o, NULL, err, sizeof(err));
	FUZZ_CHECK(r <= 0);
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	FUZZ_CHECK(!r || err[0]);	/* an error says why */
	check_scratch();
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd != lowest)
		fprintf(stderr, "fuzz_extract: a file descriptor leaked (%d open)\n", fd);
	FUZZ_CHECK(fd == lowest);
	close(fd);
	if (!r) {
		r = img_list(img, null, err, sizeof(err));
		if (r)
			fprintf(stderr, "img_list: %s\n", err);
		FUZZ_CHECK(r == 0);
	}
	return 0;
}
