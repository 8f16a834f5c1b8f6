/* modprobe.c - /init as modprobe.
 *
 * The kernel asks for modules itself: an MD array for its personality
 * ("md-level-1"), dm-crypt for its ciphers ("crypto-xts(aes)"), the
 * device-mapper control node for dm_mod.  It runs /sbin/modprobe -q --
 * NAME, which images with stacked storage link to /init; the helpers call
 * it by name too.  The database and the loader are /init's own. */
#include <errno.h>
#include <string.h>
#include "init.h"
#include "log.h"
#include "modules.h"

struct found {
	struct boot *b;
	const char *name;
	int n;
};

static int load_match(int idx, int fixed, void *arg)
{
	struct found *f = arg;

	(void)fixed;
	if (modules_load_idx(f->b, idx, f->name) >= 0)
		f->n++;
	return 0;	/* every module the alias names, as modprobe does */
}

int modprobe_main(struct boot *b, int argc, char **argv)
{
	int i, quiet = 0, missing = 0;

	log_open("/dev/kmsg", "/dev/console");
	stage_cmdline(b);	/* blacklists and module parameters */
	if (modules_db_load(b) || !mods.have_db)
		return 1;
	for (i = 1; i < argc; i++) {
		struct found f = { b, argv[i], 0 };
		int idx;

		if (!strcmp(argv[i], "-q")) {
			quiet = 1;
			continue;
		}
		if (argv[i][0] == '-')
			continue;	/* --, -b, -a: nothing to change here */
		idx = moddb_find(&mods.db, argv[i]);
		if (idx >= 0)
			load_match(idx, 1, &f);
		else
			moddb_match(&mods.db, argv[i], load_match, &f);
		if (!f.n) {
			missing++;
			if (!quiet)
				log_msg(L_WARN, "modprobe: %s: not in this image", argv[i]);
		}
	}
	return missing ? 1 : 0;
}
