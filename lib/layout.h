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
/* --generic: the file system type the root is likely to have (that of the
 * root mkinitramfs ran on, or --fs-hint): /init loads it beside the disk
 * drivers; a root of another type loads its own once found. */
#define LAYOUT_FS_HINT    "etc/initkit/fs-hint"
/* A link to /init that /init moves to /sbin/modprobe when it starts: the
 * kernel asks /sbin/modprobe for modules before /init runs too (its crypto
 * self-tests: "crypto-hmac(sha256)" and five more on Debian's 6.1), and an
 * image that had it there paid an exec of /init for each, inside the
 * kernel's initcalls.  Absent, the kernel's request fails at once. */
#define LAYOUT_MODPROBE   "lib/initkit/modprobe"
/* Runtime, not in the image: while /init has a child load module or
 * alias NAME behind its back (modules_load_behind), the file
 * LOADING_DIR/NAME exists; a helper about to need it (the MD helper before
 * starting an array, for "md-level-N") waits for it to go rather than have
 * the kernel ask /sbin/modprobe, an exec of /init that would wait too. */
#define LOADING_DIR       "/run/initkit/loading"
#define LAYOUT_KEYMAP     "etc/initkit/keymap"	/* the console keymap,
							 * lib/keymap.h */

/* The stages that run the executables in LAYOUT_HOOKS/STAGE. */
#define LAYOUT_HOOK_STAGES \
	"init-top", "premount", "local-premount", "local-bottom", "init-bottom"

#endif
