/* dm.c - device-mapper ioctls (see dm.h) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/dm-ioctl.h>
#include "dm.h"
#include "util.h"

#define CONTROL "/dev/mapper/control"

int mkdirs(const char *path, mode_t mode)
{
	char p[256];
	size_t i;

	if (path_fmt(p, sizeof(p), "%s", path))
		return -ENAMETOOLONG;
	for (i = 1; p[i]; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -errno;
		p[i] = '/';
	}
	return mkdir(p, mode) < 0 && errno != EEXIST ? -errno : 0;
}

/* The control node: devtmpfs makes it when dm_mod is loaded; opening a node
 * we made ourselves has the kernel load dm_mod through modprobe (which, in
 * our images, is /init). */
static int control(void)
{
	int fd = open(CONTROL, O_RDWR | O_CLOEXEC);

	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : -errno;
	mkdirs("/dev/mapper", 0755);
	if (mknod(CONTROL, S_IFCHR | 0600, makedev(10, 236)) < 0 && errno != EEXIST)
		return -errno;
	fd = open(CONTROL, O_RDWR | O_CLOEXEC);
	return fd >= 0 ? fd : -errno;
}

static void init_io(struct dm_ioctl *io, size_t size, const char *name)
{
	memset(io, 0, size);
	io->version[0] = DM_VERSION_MAJOR;
	io->data_size = (uint32_t)size;
	io->data_start = sizeof(*io);
	if (name)
		strncpy(io->name, name, sizeof(io->name) - 1);
}

/* The kernel's new_encode_dev() of the device number. */
static dev_t decode(uint64_t d)
{
	return makedev((unsigned)((d & 0xfff00) >> 8),
		       (unsigned)((d & 0xff) | ((d >> 12) & 0xfff00)));
}

int dm_exists(const char *name, dev_t *dev)
{
	struct dm_ioctl io;
	int fd = control(), r;

	if (fd < 0)
		return fd;
	init_io(&io, sizeof(io), name);
	r = ioctl(fd, DM_DEV_STATUS, &io);
	r = r < 0 ? (errno == ENXIO ? 0 : -errno) : 1;
	if (r == 1)
		*dev = decode(io.dev);
	close(fd);
	return r;
}

int dm_rename(const char *old, const char *name)
{
	struct {
		struct dm_ioctl io;
		char data[DM_NAME_LEN];
	} rq;
	char node[160], target[32];
	dev_t dev;
	int fd, r;

	if (strlen(name) >= DM_NAME_LEN || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, "..") || !name[0])
		return -EINVAL;
	if ((r = dm_exists(old, &dev)) != 1)
		return r ? r : -ENXIO;
	fd = control();
	if (fd < 0)
		return fd;
	init_io(&rq.io, sizeof(rq), old);
	strcpy(rq.data, name);
	r = ioctl(fd, DM_DEV_RENAME, &rq) < 0 ? -errno : 0;
	close(fd);
	if (r)
		return r;
	/* the /dev/mapper link follows */
	if (!path_fmt(node, sizeof(node), "/dev/mapper/%s", old))
		unlink(node);
	snprintf(target, sizeof(target), "../dm-%u", minor(dev));
	if (!path_fmt(node, sizeof(node), "/dev/mapper/%s", name) && symlink(target, node) < 0 &&
	    errno != EEXIST)
		return -errno;
	return 0;
}

int dm_create(const char *name, const char *uuid, const struct dm_target *t, size_t n,
	      int ro, dev_t *dev, char *err, size_t errlen)
{
	size_t size = sizeof(struct dm_ioctl), i;
	struct dm_ioctl *io;
	char *p, node[160], target[32];
	int fd, r = 0;
	const char *step = "DM_DEV_CREATE";

	for (i = 0; i < n; i++)
		size += (sizeof(struct dm_target_spec) + strlen(t[i].params) + 1 + 7) & ~(size_t)7;
	io = calloc(1, size);
	if (!io)
		return -ENOMEM;
	fd = control();
	if (fd < 0) {
		free(io);
		snprintf(err, errlen, "cannot open %s: %s (is dm_mod in the image?)", CONTROL,
			 strerror(-fd));
		return fd;
	}
	init_io(io, sizeof(*io), name);
	if (uuid)
		strncpy(io->uuid, uuid, sizeof(io->uuid) - 1);
	if (ioctl(fd, DM_DEV_CREATE, io) < 0)
		goto fail;
	*dev = decode(io->dev);

	step = "DM_TABLE_LOAD";
	init_io(io, size, name);
	io->target_count = (uint32_t)n;
	if (ro)
		io->flags |= DM_READONLY_FLAG;
	p = (char *)io + sizeof(*io);
	for (i = 0; i < n; i++) {
		struct dm_target_spec *s = (struct dm_target_spec *)p;
		size_t len = (sizeof(*s) + strlen(t[i].params) + 1 + 7) & ~(size_t)7;

		s->sector_start = t[i].start;
		s->length = t[i].len;
		strncpy(s->target_type, t[i].type, sizeof(s->target_type) - 1);
		strcpy(p + sizeof(*s), t[i].params);
		s->next = (uint32_t)len;
		p += len;
	}
	if (ioctl(fd, DM_TABLE_LOAD, io) < 0)
		goto fail_remove;

	step = "DM_DEV_SUSPEND (resume)";
	init_io(io, sizeof(*io), name);
	if (ioctl(fd, DM_DEV_SUSPEND, io) < 0)
		goto fail_remove;
	close(fd);
	free(io);

	/* A link to devtmpfs's node, as udev makes it: udev in the real root
	 * then finds its own link there, where it cannot replace a node
	 * ("Failed to create/update device symlink ... File exists"). */
	snprintf(target, sizeof(target), "../dm-%u", minor(*dev));
	if (path_fmt(node, sizeof(node), "/dev/mapper/%s", name) == 0 &&
	    symlink(target, node) < 0 && errno != EEXIST)
		r = -errno;
	if (r)
		snprintf(err, errlen, "cannot make %s: %s", node, strerror(-r));
	return r;

fail_remove:
	r = -errno;
	init_io(io, sizeof(*io), name);
	ioctl(fd, DM_DEV_REMOVE, io);
	errno = -r;
fail:
	r = -errno;
	snprintf(err, errlen, "%s %s: %s", step, name, strerror(-r));
	close(fd);
	free(io);
	return r;
}

void dm_udev_db(dev_t dev, const char *name, const char *uuid)
{
	char path[64], buf[512];
	int n;

	if (mkdirs("/run/udev/data", 0755))
		return;
	snprintf(path, sizeof(path), "/run/udev/data/b%u:%u", major(dev), minor(dev));
	n = snprintf(buf, sizeof(buf),
		     "S:mapper/%s\n"
		     "I:%lld\n"
		     "E:DM_UDEV_PRIMARY_SOURCE_FLAG=1\n"
		     "E:DM_UDEV_RULES_VSN=2\n"
		     "E:DM_NAME=%s\n"
		     "E:DM_UUID=%s\n"
		     "E:DM_SUSPENDED=0\n"
		     "E:DM_ACTIVATION=1\n"
		     "G:systemd\nQ:systemd\nV:1\n",
		     name, uptime_us(), name, uuid ? uuid : "");
	if (n > 0 && (size_t)n < sizeof(buf))
		write_file(path, buf, (size_t)n);
}
