/* modprobe.c - /init as modprobe.
 *
 * The kernel asks for modules itself: an MD array for its personality
 * ("md-level-1"), dm-crypt for its ciphers ("crypto-xts(aes)"), the
 * device-mapper control node for dm_mod.  It runs /sbin/modprobe -q --
 * NAME, which images with stacked storage link to /init; the helpers call
 * it by name too.  The database and the loader are /init's own. */
#include <string.h>
#include "init.h"
#include "log.h"
#include "modules.h"

int modprobe_main(struct boot *b, int argc, char **argv)
{
	int i, quiet = 0, missing = 0;

	log_open("/dev/kmsg", "/dev/console");
	stage_cmdline(b);	/* blacklists and module parameters */
	if (modules_db_load(b) || !mods.have_db)
		return 1;
	modules_mark_loaded();
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-q")) {
			quiet = 1;
			continue;
		}
		if (argv[i][0] == '-')
			continue;	/* --, -b, -a: nothing to change here */
		if (!modules_load_name(b, argv[i], argv[i])) {
			missing++;
			if (!quiet)
				log_msg(L_WARN, "modprobe: %s: not in this image", argv[i]);
		}
	}
	return missing ? 1 : 0;
}
