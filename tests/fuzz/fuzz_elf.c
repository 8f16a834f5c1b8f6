/* fuzz_elf.c - the ELF reader behind -I and the "binary" hook directive:
 * elfdeps_add() on any bytes as a program.  elfdeps_add() takes a path
 * inside a root, so each input is written to a scratch root made once per
 * process (on /dev/shm when there is one):
 *
 *   ROOT/bin/prog                          the input
 *   ROOT/lib/x86_64-linux-gnu/libfuzz.so.1 the input too, so a DT_NEEDED
 *                                          "libfuzz.so.1" is read again
 *   ROOT/lib/x86_64-linux-gnu/libc.so.6    the input (a common name)
 *   ROOT/etc/ld.so.conf                    the input when the first byte is
 *                                          odd, else one line: /usr/local/lib
 *   ROOT/sbin/sh -> ../bin/prog            a symlink, for "#!/sbin/sh"
 *
 * Checks what elfdeps.h promises: on failure d is as it was (empty) and
 * the message is set; on success every path is absolute and normalised
 * (no "//", "." or ".." component), each symlink has a target, and the
 * first is the program. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "elfdeps.h"
#include "fuzz.h"
#include "scratch.h"

static char root[64];

static void put(const char *rel, const uint8_t *data, size_t size)
{
	char p[128];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
	close(fd);
}

static void setup(void)
{
	static const char *const dirs[] = { "bin", "sbin", "etc", "lib", "lib/x86_64-linux-gnu" };
	char p[128];
	size_t i;

	fuzz_scratch("elf", root, sizeof(root));
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
		FUZZ_CHECK(mkdir(p, 0755) == 0);
	}
	snprintf(p, sizeof(p), "%s/sbin/sh", root);
	FUZZ_CHECK(symlink("../bin/prog", p) == 0);
}

static void check_path(const char *p)
{
	size_t n = strlen(p);

	FUZZ_CHECK(p[0] == '/');
	FUZZ_CHECK(!strstr(p, "//"));
	FUZZ_CHECK(!strstr(p, "/./") && !strstr(p, "/../"));
	FUZZ_CHECK(n == 1 || p[n - 1] != '/');
	FUZZ_CHECK(!(n >= 2 && !strcmp(p + n - 2, "/.")));
	FUZZ_CHECK(!(n >= 3 && !strcmp(p + n - 3, "/..")));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char conf[] = "/usr/local/lib\n";
	struct elfdeps d;
	size_t i;
	int r;

	if (!root[0])
		setup();
	put("bin/prog", data, size);
	put("lib/x86_64-linux-gnu/libfuzz.so.1", data, size);
	put("lib/x86_64-linux-gnu/libc.so.6", data, size);
	if (size && (data[0] & 1))
		put("etc/ld.so.conf", data, size);
	else
		put("etc/ld.so.conf", (const uint8_t *)conf, sizeof(conf) - 1);

	elfdeps_init(&d);
	r = elfdeps_add(&d, root, "/bin/prog");
	FUZZ_TERMINATED(d.err);
	if (r) {
		FUZZ_CHECK(r < 0);
		FUZZ_CHECK(d.n == 0);
		FUZZ_CHECK(d.err[0]);
	} else {
		FUZZ_CHECK(d.n >= 1);
		FUZZ_CHECK(!strcmp(d.paths[0], "/bin/prog"));
		for (i = 0; i < d.n; i++) {
			check_path(d.paths[i]);
			if (d.links[i])
				FUZZ_CHECK(d.links[i][0]);
		}
		/* again: everything is known, nothing is added */
		i = d.n;
		FUZZ_CHECK(elfdeps_add(&d, root, "/bin/prog") == 0);
		FUZZ_CHECK(d.n == i);
	}
	elfdeps_free(&d);
	return 0;
}
