/* blockdev.c - the block devices /init knows of and what their probes
 * found: listed from /sys/class/block or taken from uevents; superblocks
 * and partition tables read as the root spec needs them. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "actions.h"
#include "blockdev.h"
#include "init.h"
#include "parttable.h"
#include "timeline.h"
#include "uevent.h"
#include "util.h"

#define MAX_BLKDEVS      128
#define BLKNAME_MAX      32

struct blkdev {
	char name[BLKNAME_MAX];
	dev_t dev;
	int present;		/* seen in the latest scan */
	int probed;		/* fs has been read (fs.type "" = unknown) */
	int part_probed;	/* the partition table has been read */
	int part_ok;		/* ... and has an entry for this partition */
	int partno;		/* 0 for a whole disk */
	int acted;		/* its probe type's action has run */
	char parent[BLKNAME_MAX];
	struct fs_info fs;
	struct part_info part;
};

static struct blkdev devs[MAX_BLKDEVS];
static int ndevs;
static uint8_t probe_buf[PROBE_READ_SIZE > PROBE_TAIL_SIZE ?
			 PROBE_READ_SIZE : PROBE_TAIL_SIZE];


static int read_sys(const char *name, const char *attr, char *buf, size_t size)
{
	char path[128];
	ssize_t n;

	if (path_fmt(path, sizeof(path), "/sys/class/block/%s/%s", name, attr))
		return -ENAMETOOLONG;
	n = read_file(path, buf, size);
	if (n < 0)
		return (int)n;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

/* The decimal number at the start of @s (NULL: none) into *@v; returns
 * where it ends, or NULL if there are no digits or more than 19. */
static const char *dec(const char *s, unsigned long long *v)
{
	int n = 0;

	*v = 0;
	for (; s && *s >= '0' && *s <= '9'; s++) {
		if (++n > 19)
			return NULL;
		*v = *v * 10 + (unsigned long long)(*s - '0');
	}
	return n ? s : NULL;
}

/* @s is a decimal number, all of it, at most @max: 0, or -EINVAL. */
static int whole_dec(const char *s, unsigned long long max, unsigned long long *v)
{
	const char *end = dec(s, v);

	return end && !*end && *v <= max ? 0 : -EINVAL;
}

static unsigned long long sys_num(const char *name, const char *attr)
{
	char buf[32];
	unsigned long long v;

	if (read_sys(name, attr, buf, sizeof(buf)) || whole_dec(buf, ULLONG_MAX, &v))
		return 0;
	return v;
}

static struct blkdev *find_dev(const char *name)
{
	int i;

	for (i = 0; i < ndevs; i++)
		if (!strcmp(devs[i].name, name))
			return &devs[i];
	return NULL;
}

static int dev_read(const char *name, uint64_t off, void *buf, size_t len)
{
	char path[BLKNAME_MAX + 8];
	long long t0 = uptime_us(), c0 = cpu_us();
	ssize_t n;
	int fd;

	if (path_fmt(path, sizeof(path), "/dev/%s", name))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, (off_t)off);
	if (n < 0)
		n = -errno;
	close(fd);
	timing.io_us += uptime_us() - t0;
	timing.io_cpu_us += cpu_us() - c0;
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

static int part_reader(void *ctx, uint64_t off, void *buf, size_t len)
{
	return dev_read(ctx, off, buf, len);
}

/* The parent disk of a partition: the directory above it in @link
 * (".../block/sda/sda1"), which this cuts. */
static void parent_from(struct blkdev *d, char *link)
{
	char *last, *prev;

	last = strrchr(link, '/');
	if (!last)
		return;
	*last = '\0';
	prev = strrchr(link, '/');
	prev = prev ? prev + 1 : link;
	if (strlen(prev) < sizeof(d->parent))
		strcpy(d->parent, prev);
}

static void find_parent(struct blkdev *d)
{
	char link[256], path[64];
	ssize_t n;

	if (path_fmt(path, sizeof(path), "/sys/class/block/%s", d->name))
		return;
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return;
	link[n] = '\0';
	parent_from(d, link);
}

/* Most superblocks (ext*, xfs, vfat, squashfs) sit in the first 4 KiB:
 * read that, and the whole probe window only when it is not enough. */
#define PROBE_FIRST_READ 4096

/* A partition table in the first sector @b: MBR entries or a GPT. */
static int has_ptable(const uint8_t *b)
{
	int i;

	if (b[510] != 0x55 || b[511] != 0xAA)
		return 0;
	if (!memcmp(b + 512, "EFI PART", 8))
		return 1;
	for (i = 0; i < 4; i++)
		if (b[446 + 16 * i + 4])	/* a partition type */
			return 1;
	return 0;
}

/* MD 1.0 and 0.90 keep their superblock at the end, and a RAID1 member
 * then shows the array's file system at its start: look there too, but
 * only in images that can assemble arrays, and not on a disk with a
 * partition table (its last partition's superblock would show at the
 * disk's end as well). */
static void probe_tail(struct blkdev *d, unsigned long long bytes)
{
	size_t len = bytes < PROBE_TAIL_SIZE ? (size_t)bytes : PROBE_TAIL_SIZE;
	struct fs_info fi;

	if (!action_exists("linux_raid_member") || !strcmp(d->fs.type, "linux_raid_member") ||
	    (!d->partno && strcmp(d->fs.type, "vfat") && has_ptable(probe_buf)))
		return;
	if (dev_read(d->name, bytes - len, probe_buf, len) == 0 &&
	    !probe_md_end(probe_buf, len, bytes - len, bytes, &fi))
		d->fs = fi;
}

static void probe_dev(struct blkdev *d)
{
	size_t len = PROBE_FIRST_READ;
	unsigned long long bytes = sys_num(d->name, "size") * 512ULL;

	if (bytes == 0)
		return;
	if (bytes < len)
		len = (size_t)bytes;
	if (dev_read(d->name, 0, probe_buf, len))
		return;		/* node not there yet, or no medium: retry later */
	d->probed = 1;
	if (probe_fs(probe_buf, len, &d->fs)) {
		len = bytes < PROBE_READ_SIZE ? (size_t)bytes : PROBE_READ_SIZE;
		if (len <= PROBE_FIRST_READ ||
		    dev_read(d->name, PROBE_FIRST_READ, probe_buf + PROBE_FIRST_READ,
			     len - PROBE_FIRST_READ) ||
		    probe_fs(probe_buf, len, &d->fs))
			d->fs.type[0] = '\0';
	}
	if (len >= 512)
		probe_tail(d, bytes);
}

static void probe_part(struct blkdev *d)
{
	unsigned long long bytes;
	unsigned int ssz;

	if (d->part_probed || !d->partno || !d->parent[0])
		return;
	bytes = sys_num(d->parent, "size") * 512ULL;
	ssz = (unsigned int)sys_num(d->parent, "queue/logical_block_size");
	if (!ssz)
		ssz = 512;
	/* A table that is absent or corrupt is an answer too; only a failed
	 * read (disk not ready) is worth another try on the next scan. */
	switch (part_lookup(part_reader, d->parent, bytes, ssz, d->partno, &d->part)) {
	case 0:
		d->part_probed = 1;
		d->part_ok = 1;
		break;
	case -ENOENT:
	case -EINVAL:
		d->part_probed = 1;
		break;
	}
}

/* "MAJ:MIN" as sysfs prints it */
static int parse_devnum(const char *s, unsigned int *ma, unsigned int *mi)
{
	unsigned long long a, b;

	/* "MAJ:MIN" */
	s = dec(s, &a);
	if (!s || *s != ':' || whole_dec(s + 1, UINT_MAX, &b) || a > UINT_MAX)
		return -EINVAL;
	*ma = (unsigned int)a;
	*mi = (unsigned int)b;
	return 0;
}

/* Refresh the list of block devices from /sys/class/block. */
static void scan(void)
{
	struct dir_iter dir;
	const char *name;
	int i;

	for (i = 0; i < ndevs; i++)
		devs[i].present = 0;
	if (dir_open(&dir, AT_FDCWD, "/sys/class/block"))
		return;
	while ((name = dir_next(&dir, NULL))) {
		struct blkdev *d;
		char buf[32];
		unsigned int ma, mi;

		if (strlen(name) >= BLKNAME_MAX)
			continue;
		d = find_dev(name);
		if (!d) {
			if (ndevs == MAX_BLKDEVS)
				continue;
			d = &devs[ndevs++];
			memset(d, 0, sizeof(*d));
			strcpy(d->name, name);
			if (read_sys(d->name, "dev", buf, sizeof(buf)) ||
			    parse_devnum(buf, &ma, &mi)) {
				ndevs--;
				continue;
			}
			d->dev = makedev(ma, mi);
			d->partno = (int)sys_num(d->name, "partition");
			if (d->partno)
				find_parent(d);
		}
		d->present = 1;
	}
	dir_close(&dir);
}

static int matches(const struct root_spec *rs, struct blkdev *d)
{
	switch (rs->kind) {
	case ROOT_DEVNUM:
		return d->dev == makedev(rs->major, rs->minor);
	case ROOT_UUID:
		return d->probed && d->fs.type[0] &&
		       rootspec_id_equal(rs->kind, rs->value, d->fs.uuid);
	case ROOT_LABEL:
		return d->probed && d->fs.type[0] &&
		       rootspec_id_equal(rs->kind, rs->value, d->fs.label);
	case ROOT_PARTUUID:
		probe_part(d);
		return d->part_ok &&
		       rootspec_id_equal(rs->kind, rs->value, d->part.uuid);
	case ROOT_PARTLABEL:
		probe_part(d);
		return d->part_ok && d->part.label[0] &&
		       rootspec_id_equal(rs->kind, rs->value, d->part.label);
	default:
		return 0;
	}
}

/* Set when /sys/class/block must be read again: at the start, a block
 * device that changed or left, the periodic rescan, a fallback to look
 * for.  Scanning is the costly part. */
int block_dirty = 1;

/* Is the device @rs names here?  Returns 1 and fills what it is. */
int block_find(const struct root_spec *rs, char *path, size_t size, dev_t *devnum,
	       struct fs_info *fs)
{
	int i;

	if (block_dirty) {
		scan();
		block_dirty = 0;
	}
	for (i = 0; i < ndevs; i++)
		if (devs[i].present && !devs[i].probed)
			probe_dev(&devs[i]);
	/* A PV, an MD member, a LUKS volume: its action makes the devices it
	 * holds, which come back here as new devices.  Every device is probed
	 * first, so that an action taking several (our MD helper) has all the
	 * members there are in one run. */
	for (i = 0; i < ndevs; i++) {
		struct blkdev *d = &devs[i];
		const char *names[ACTION_DEVS_MAX];
		int j, n = 0, most;

		if (!d->present || !d->probed || d->acted || !action_exists(d->fs.type))
			continue;
		most = action_devs(d->fs.type);
		for (j = i; j < ndevs && n < most; j++)
			if (devs[j].present && devs[j].probed && !devs[j].acted &&
			    !strcmp(devs[j].fs.type, d->fs.type)) {
				devs[j].acted = 1;
				names[n++] = devs[j].name;
			}
		action_add(d->fs.type, names, n, d->fs.module);
		block_dirty = 1;
	}
	if (rs->kind == ROOT_PATH) {
		struct stat st;

		if (stat(rs->value, &st) < 0 || !S_ISBLK(st.st_mode))
			return 0;
		for (i = 0; i < ndevs; i++)
			if (devs[i].present && devs[i].dev == st.st_rdev)
				break;
		if (i == ndevs || !devs[i].probed)
			return 0;	/* wait until it can be read */
		if (path_fmt(path, size, "%s", rs->value))
			return 0;
		*devnum = st.st_rdev;
		*fs = devs[i].fs;
		return 1;
	}
	for (i = 0; i < ndevs; i++) {
		if (devs[i].present && matches(rs, &devs[i])) {
			if (path_fmt(path, size, "/dev/%s", devs[i].name))
				continue;
			*devnum = devs[i].dev;
			*fs = devs[i].fs;
			return 1;
		}
	}
	return 0;
}

int block_find_root(struct boot *b)
{
	return block_find(&b->rs, b->rootdev, sizeof(b->rootdev), &b->rootdevnum,
			  &b->rootfs);
}

/* A block device the kernel announced: known from the event itself, with
 * no look at sysfs.  Returns 0, or -1 to rescan sysfs instead. */
int block_added(const struct uevent *ev)
{
	const char *name = ev->devname;
	unsigned long long ma, mi, pn = 0;
	struct blkdev *d;
	char path[256];

	if (whole_dec(ev->major, UINT_MAX, &ma) || whole_dec(ev->minor, UINT_MAX, &mi) ||
	    strchr(name, '/') || !ev->devpath || strlen(name) >= BLKNAME_MAX ||
	    strlen(ev->devpath) >= sizeof(path))
		return -1;
	if (ev->devtype && !strcmp(ev->devtype, "partition") &&
	    (whole_dec(ev->partn, INT_MAX, &pn) || !pn))
		return -1;
	d = find_dev(name);
	if (!d) {
		if (ndevs == MAX_BLKDEVS)
			return -1;
		d = &devs[ndevs++];
	}
	memset(d, 0, sizeof(*d));
	strcpy(d->name, name);
	d->dev = makedev((unsigned int)ma, (unsigned int)mi);
	d->partno = (int)pn;
	if (pn) {
		strcpy(path, ev->devpath);
		parent_from(d, path);
	}
	d->present = 1;
	return 0;
}

/* A block device changed or left: what was read of it is stale. */
void block_changed(const char *devname)
{
	const char *base = strrchr(devname, '/');
	struct blkdev *d = find_dev(base ? base + 1 : devname);

	if (d) {
		d->probed = 0;
		d->part_probed = 0;
		d->part_ok = 0;
	}
}

/* "vda (ext4 UUID=... LABEL=...), vdb (no filesystem recognised)" */
void block_describe(char *out, size_t size)
{
	size_t o = 0;
	int i, n;

	out[0] = '\0';
	for (i = 0; i < ndevs && o < size; i++) {
		struct blkdev *d = &devs[i];

		if (!d->present)
			continue;
		if (!d->probed)
			n = snprintf(out + o, size - o, "%s%s (unreadable)",
				     o ? ", " : "", d->name);
		else if (!d->fs.type[0])
			n = snprintf(out + o, size - o, "%s%s (no filesystem recognised)",
				     o ? ", " : "", d->name);
		else
			n = snprintf(out + o, size - o, "%s%s (%s UUID=%s%s%s)",
				     o ? ", " : "", d->name, d->fs.type, d->fs.uuid,
				     d->fs.label[0] ? " LABEL=" : "", d->fs.label);
		if (n < 0)
			break;
		o += (size_t)n;
	}
	if (o >= size && size > 4)
		strcpy(out + size - 4, "...");
	if (!out[0])
		snprintf(out, size, "none");
}
