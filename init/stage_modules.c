/* stage_modules.c - stage "modules": read the module database, load
 * rd.driver.pre= and the modules marked for boot, queue the devices
 * present (coldplug). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "init.h"
#include "log.h"
#include "moddb.h"
#include "modules.h"
#include "util.h"

int modules_db_load(struct boot *b)
{
	struct stat st;
	ssize_t len;
	char *buf;
	int r, bad, i;

	/* Read whole, into memory of its size (every module of a kernel
	 * makes 1.5 MB; the generator writes no more than MODDB_MAX_BYTES),
	 * and kept: the tables point into it. */
	if (stat(MODULES_DB, &st))
		return errno == ENOENT ? 0 :	/* no modules: all built in */
			fail(b, -errno, "cannot read %s: %s", MODULES_DB, strerror(errno));
	buf = malloc((size_t)st.st_size + 1);
	len = buf ? read_file(MODULES_DB, buf, (size_t)st.st_size + 1) : -ENOMEM;
	if (len < 0)
		return fail(b, (int)len, "cannot read %s: %s", MODULES_DB,
			    strerror((int)-len));
	r = moddb_parse(buf, &mods.db, &bad);
	if (r == -EINVAL)
		return fail(b, r, "%s is damaged (line %d: %s); rebuild the image "
			    "with mkinitramfs", MODULES_DB, bad, strerror(-r));
	/* the buses, then a state and an is_fs of each module: the pages
	 * of the bus table that no bus needs are never touched */
	if (!r && !(coldplug_buses = malloc(mods.db.nalias * sizeof(*coldplug_buses) +
					    2 * (size_t)mods.db.nmod + 1)))
		r = -ENOMEM;
	if (r)
		return fail(b, r, "not enough memory for the module database (%lld "
			    "bytes)", (long long)st.st_size);
	mods.state = (unsigned char *)(coldplug_buses + mods.db.nalias);
	mods.is_fs = mods.state + mods.db.nmod;
	memset(mods.state, 0, 2 * (size_t)mods.db.nmod);
	for (i = 0; i < mods.db.nalias; i++) {
		coldplug_add_bus(mods.db.alias[i].pattern);
		if (!strncmp(mods.db.alias[i].pattern, "fs-", 3))
			mods.is_fs[mods.db.alias[i].module] = 1;
	}
	mods.have_db = 1;
	return 0;
}

int stage_modules(struct boot *b)
{
	const char *p;
	char name[MODDB_NAME_MAX];
	int r, i, n;

	r = modules_db_load(b);
	if (r || !mods.have_db)
		return r;

	/* rd.driver.pre=a,b: first, in that order */
	for (p = b->bp.driver_pre; (n = list_next(&p, name, sizeof(name))) >= 0;) {
		if (!n)
			continue;
		i = moddb_find(&mods.db, name);
		if (i < 0)
			log_msg(L_WARN, "modules: rd.driver.pre=%s: no such module in "
				"this image", name);
		else
			modules_load_idx(b, i, "rd.driver.pre");
	}
	for (i = 0; i < mods.db.nmod; i++)
		if (mods.db.mod[i].boot)
			modules_load_idx(b, i, "image");
	modules_coldplug(b);
	modules_load_fs_early(b);
	log_msg(L_DEBUG, "modules: %d loaded at boot, %d devices queued",
		mods.nloaded, modules_coldplug_left());
	return 0;
}
