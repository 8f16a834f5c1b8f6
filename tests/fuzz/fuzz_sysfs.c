/* fuzz_sysfs.c - what --hostonly reads from /proc and /sys (hostonly.c).
 * The first byte picks the mode:
 *
 *   even: the pure parsers, on each line of the rest: a mountinfo line
 *         (hostonly_mountinfo_line()), a sysfs link target resolved from a
 *         device directory (hostonly_resolve()), a dm uuid and an md level
 *         (hostonly_dm_module(), hostonly_md_module());
 *   odd:  hostonly_detect() on a small fake system made once per process
 *         (a virtio disk vda with partition vda1 below a dm-0, as
 *         test_hostonly.c builds them), whose files come from the input,
 *         split at NUL bytes: proc/self/mountinfo, dm-0's dm/uuid, its
 *         md/level, its loop/backing_file, and virtio1's modalias.
 *
 * Checks: strings end inside their arrays; a parsed mount has all four
 * strings; a resolved path stays below /sys (no "..", no leading '/');
 * hostonly_detect() either fills h or sets h->err, and frees cleanly. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "hostonly.h"
#include "fuzz.h"
#include "scratch.h"

static char root[64];

static void mkdirs(const char *rel)
{
	char p[PATH_MAX], *s;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
}

static void put(const char *rel, const void *data, size_t size)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
	close(fd);
}

static void link_to(const char *rel, const char *target)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	FUZZ_CHECK(symlink(target, p) == 0);
}

#define VIRTIO "sys/devices/pci0000:00/0000:00:04.0/virtio1"

static void setup(void)
{
	fuzz_scratch("sysfs", root, sizeof(root));
	mkdirs("proc/self");
	mkdirs("dev/mapper");
	mkdirs("sys/dev/block");
	mkdirs("sys/class/block");
	mkdirs("sys/module/virtio_blk");
	put("sys/module/virtio_blk/initstate", "live\n", 5);
	mkdirs("sys/module/virtio_pci/parameters");
	mkdirs("sys/bus/virtio/drivers/virtio_blk");
	link_to("sys/bus/virtio/drivers/virtio_blk/module", "../../../../module/virtio_blk");
	mkdirs("sys/bus/pci/drivers/virtio-pci");
	link_to("sys/bus/pci/drivers/virtio-pci/module", "../../../../module/virtio_pci");
	mkdirs(VIRTIO "/block/vda/vda1");
	put(VIRTIO "/block/vda/vda1/partition", "1\n", 2);
	link_to(VIRTIO "/driver", "../../../../bus/virtio/drivers/virtio_blk");
	link_to("sys/devices/pci0000:00/0000:00:04.0/driver", "../../../bus/pci/drivers/virtio-pci");
	put("sys/devices/pci0000:00/0000:00:04.0/modalias",
	    "pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00\n", 54);
	mkdirs("sys/devices/virtual/block/dm-0/dm");
	mkdirs("sys/devices/virtual/block/dm-0/md");
	mkdirs("sys/devices/virtual/block/dm-0/loop");
	mkdirs("sys/devices/virtual/block/dm-0/slaves");
	link_to("sys/devices/virtual/block/dm-0/slaves/vda1",
		"../../../../pci0000:00/0000:00:04.0/virtio1/block/vda/vda1");
	link_to("sys/dev/block/254:1", "../../devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda1");
	link_to("sys/dev/block/254:0", "../../devices/pci0000:00/0000:00:04.0/virtio1/block/vda");
	link_to("sys/dev/block/253:0", "../../devices/virtual/block/dm-0");
	link_to("sys/class/block/dm-0", "../../devices/virtual/block/dm-0");
	link_to("sys/class/block/vda1", "../../devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda1");
	link_to("dev/mapper/root", "../dm-0");
	mkdirs("sys/fs/btrfs/0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3/devices");
	link_to("sys/fs/btrfs/0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3/devices/dm-0",
		"../../../../devices/virtual/block/dm-0");
}

/* The next NUL-separated piece of @data, as a NUL-terminated copy. */
static char *piece(const uint8_t **data, size_t *size, size_t *len)
{
	const uint8_t *nul = memchr(*data, '\0', *size);
	size_t n = nul ? (size_t)(nul - *data) : *size;
	char *s = malloc(n + 1);

	FUZZ_CHECK(s);
	memcpy(s, *data, n);
	s[n] = '\0';
	*data += n + (nul ? 1 : 0);
	*size -= n + (nul ? 1 : 0);
	*len = n;
	return s;
}

static void pure(const uint8_t *data, size_t size)
{
	static const char *const dirs[] = {
		"devices/virtual/block/dm-0/slaves", "dev/block", "", "devices",
	};
	char out[PATH_MAX];
	size_t i;

	while (size) {
		const uint8_t *nl = memchr(data, '\n', size);
		size_t n = nl ? (size_t)(nl - data) : size;
		struct hostonly_mount m;
		char *line = malloc(n + 1), *copy = malloc(n + 1);

		FUZZ_CHECK(line && copy);
		memcpy(line, data, n);
		line[n] = '\0';
		memcpy(copy, line, n + 1);
		data += n + (nl ? 1 : 0);
		size -= n + (nl ? 1 : 0);

		memset(&m, 0, sizeof(m));
		if (hostonly_mountinfo_line(copy, &m) == 0)
			FUZZ_CHECK(m.root && m.point && m.fstype && m.source);
		hostonly_mount_free(&m);

		for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
			if (strlen(line) != n)	/* a NUL inside: no link holds one */
				break;
			if (hostonly_resolve(out, sizeof(out), dirs[i], line) == 0) {
				FUZZ_TERMINATED(out);
				FUZZ_CHECK(out[0] != '/');
				FUZZ_CHECK(strcmp(out, "..") && strncmp(out, "../", 3) &&
					   !strstr(out, "/../") && !strstr(out, "//"));
			}
		}
		FUZZ_CHECK(hostonly_resolve(out, 8, "devices/virtual", line) != 0 ||
			   strlen(out) < 8);
		(void)hostonly_dm_module(line);
		(void)hostonly_md_module(line);
		free(line);
		free(copy);
	}
}

static void detect(const uint8_t *data, size_t size)
{
	static const char *const files[] = {
		"proc/self/mountinfo",
		"sys/devices/virtual/block/dm-0/dm/uuid",
		"sys/devices/virtual/block/dm-0/md/level",
		"sys/devices/virtual/block/dm-0/loop/backing_file",
		VIRTIO "/modalias",
	};
	struct hostonly h;
	size_t i, len;
	int r;

	if (!root[0])
		setup();
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *s = piece(&data, &size, &len);

		put(files[i], s, len);
		free(s);
	}
	r = hostonly_detect(&h, root, "/");
	FUZZ_TERMINATED(h.err);
	FUZZ_TERMINATED(h.fstype);
	FUZZ_TERMINATED(h.rootdev);
	if (r) {
		FUZZ_CHECK(r < 0 && h.err[0]);
	} else {
		FUZZ_CHECK(h.fstype[0]);
		for (i = 0; i < h.nmod; i++)
			FUZZ_CHECK(h.modules[i][0]);
		for (i = 0; i < h.nalias; i++)
			(void)strlen(h.modaliases[i]);
	}
	for (i = 0; i < h.nwhy; i++)
		(void)strlen(h.why[i]);
	hostonly_free(&h);
	hostonly_free(&h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] & 1)
		detect(data + 1, size - 1);
	else
		pure(data + 1, size - 1);
	return 0;
}
