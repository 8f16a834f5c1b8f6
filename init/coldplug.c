/* coldplug.c - the devices present at boot: walk the buses the image's
 * aliases can match, queue the devices without a driver, likeliest way to
 * the root first, and load their drivers one device at a time while
 * root-wait looks for the root. */
#include <fcntl.h>
#include <string.h>
#include "init.h"
#include "moddb.h"
#include "modules.h"
#include "util.h"

#define QUEUE_MAX       128

/* The buses worth walking (see struct bus) */
struct bus *coldplug_buses;	/* room for one per alias; 40-odd for every
				 * module of a kernel */
static int nbuses;

void coldplug_add_bus(const char *pattern)
{
	const char *name;
	int i, len = moddb_bus(pattern, &name);

	if (!len)
		return;
	/* the newest first: a module's aliases are mostly on one bus */
	for (i = nbuses; i-- > 0;)
		if (coldplug_buses[i].len == len &&
		    !memcmp(coldplug_buses[i].name, name, (size_t)len))
			return;
	coldplug_buses[nbuses].name = name;
	coldplug_buses[nbuses++].len = len;
}

/* Devices found at boot wait in a queue, the likeliest way to the root
 * first; root-wait takes them one at a time and stops when the root is
 * there.  What is left is the real system's udev's business. */
struct pending {
	char alias[MODALIAS_MAX];
	char syspath[SYSPATH_MAX];
	int prio;
	int inserts;	/* finit_module calls made when it was seen unbound */
};

static struct pending queue[QUEUE_MAX];
static int nqueue, qnext;

/* Lower is sooner: storage controllers (IDE, the slowest to probe, last
 * among them), then USB and SD hosts, then the rest. */
static int priority(const char *a)
{
	const char *bc = strstr(a, "bc");

	if (!strncmp(a, "pci:", 4) && bc) {
		if (!strncmp(bc, "bc01sc01", 8))
			return 5;
		if (!strncmp(bc, "bc01", 4))
			return 0;
		if (!strncmp(bc, "bc0Csc03i30", 11))
			return 10;
		if (!strncmp(bc, "bc0Csc03i20", 11))
			return 11;
		if (!strncmp(bc, "bc0Csc03", 8))
			return 12;
		if (!strncmp(bc, "bc08sc05", 8))
			return 13;
		return 30;
	}
	if (!strncmp(a, "virtio:", 7) || !strncmp(a, "scsi:", 5) ||
	    !strncmp(a, "usb:", 4) || !strncmp(a, "mmc:", 4))
		return 20;
	return 40;
}

static void enqueue(const char *alias, const char *syspath)
{
	struct pending *p;
	int i, prio = priority(alias);

	for (i = qnext; i < nqueue; i++)
		if (!strcmp(queue[i].syspath, syspath))
			return;		/* queued already */
	if (nqueue == QUEUE_MAX) {
		if (qnext == 0)
			return;
		memmove(queue, queue + qnext, (size_t)(nqueue - qnext) * sizeof(queue[0]));
		nqueue -= qnext;
		qnext = 0;
	}
	/* insert after those of equal priority: sysfs order otherwise */
	for (i = nqueue; i > qnext && queue[i - 1].prio > prio; i--)
		queue[i] = queue[i - 1];
	p = &queue[i];
	strcpy(p->alias, alias);
	strcpy(p->syspath, syspath);
	p->prio = prio;
	p->inserts = mods.ninserts;
	nqueue++;
}

static void coldplug_bus(const struct bus *bus)
{
	char path[64], alias[MODALIAS_MAX], sys[SYSPATH_MAX];
	struct dir_iter devs;
	const char *dev;

	if (path_fmt(path, sizeof(path), "/sys/bus/%.*s/devices", bus->len, bus->name) ||
	    dir_open(&devs, AT_FDCWD, path))
		return;
	while ((dev = dir_next(&devs, NULL))) {
		int hits = 0;

		modules_read_alias(devs.fd, dev, alias, sizeof(alias));
		if (!alias[0])
			continue;
		moddb_match(&mods.db, alias, modules_count_match, &hits);
		/* a built-in driver may have it already */
		if (hits && !modules_has_driver(devs.fd, dev) &&
		    !path_fmt(sys, sizeof(sys), "%s/%s", path, dev))
			enqueue(alias, sys);
	}
	dir_close(&devs);
}

void modules_coldplug(struct boot *b)
{
	int i;

	for (i = 0; mods.have_db && i < nbuses; i++)
		coldplug_bus(&coldplug_buses[i]);
}

int modules_coldplug_next(struct boot *b)
{
	while (qnext < nqueue) {
		struct pending *p = &queue[qnext++];

		/* only a module loaded since it was seen can have bound it */
		if (p->inserts != mods.ninserts && modules_bound(p->syspath))
			continue;
		modules_load_for(b, p->alias, p->syspath);
		return 1;
	}
	return 0;
}

int modules_coldplug_left(void)
{
	return nqueue - qnext;
}
