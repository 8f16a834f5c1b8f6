/* layout.h - what the generator puts in an image and /init looks for.
 * Paths are relative to the image's root (the generator's form); /init
 * prefixes them with "/". */
#ifndef INITKIT_LAYOUT_H
#define INITKIT_LAYOUT_H

#define LAYOUT_MODULES_DB "etc/initkit/modules.db"	/* see moddb.h */
#define LAYOUT_SENTINEL   "etc/initkit/complete"	/* written last */
#define LAYOUT_CMDLINE    "etc/initkit/cmdline"	/* defaults: the kernel's
							 * command line wins */
#define LAYOUT_INITRD     "initrd.image"		/* --cpio-front */
#define LAYOUT_HOOKS      "scripts"			/* scripts/STAGE/NAME */
#define LAYOUT_ACTIONS    "lib/initkit/actions"	/* actions/PROBE-TYPE */
#define LAYOUT_HELPERS    "lib/initkit"		/* helper programs */
#define LAYOUT_KEYMAP     "etc/initkit/keymap"	/* the console keymap,
							 * lib/keymap.h */

/* The stages that run the executables in LAYOUT_HOOKS/STAGE. */
#define LAYOUT_HOOK_STAGES \
	"init-top", "premount", "local-premount", "local-bottom", "init-bottom"

#endif
