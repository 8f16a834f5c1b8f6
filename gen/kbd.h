/* kbd.h - the console keymap of an image (lib/keymap.h): from -K FILE, or
 * with --hostonly from the host's console-setup, compiled to kbd's binary
 * form by kbd's loadkeys.  The luks helper loads it before it asks for a
 * passphrase. */
#ifndef INITKIT_KBD_H
#define INITKIT_KBD_H

#include <stddef.h>
#include <stdint.h>

/* The keymap in @path as the image carries it, into a malloc'd *@out:
 * a binary keymap ("loadkeys -b" output) is checked and taken as it is; a
 * keymap in loadkeys' text form (what "ckbcomp LAYOUT" writes and
 * console-setup caches) is compiled with @loadkeys ("loadkeys -u -b");
 * either may be gzip-compressed.  Only a regular file is read.  0, or
 * -errno with @err naming the file and what to do. */
int kbd_keymap(const char *path, const char *loadkeys, uint8_t **out, size_t *len,
	       char *err, size_t errlen);

/* The host's console keymap as console-setup configures it, under @root
 * ("" for this machine): 1 with @src the compiled keymap console-setup
 * keeps (ROOT/etc/console-setup/cached_*.kmap.gz) and @layout "de" (or
 * "de(nodeadkeys)"), @stale set if that file is older than
 * /etc/default/keyboard; 0 if the keyboard is the kernel's own (no
 * /etc/default/keyboard, or XKBLAYOUT=us with no variant); -ENOENT with
 * @err when another layout is set but nothing compiled it. */
int kbd_host(const char *root, char *src, size_t srcsize, char *layout, size_t lsize,
	     int *stale, char *err, size_t errlen);

/* The first of /usr/bin/loadkeys, /bin/loadkeys that exists, else NULL. */
const char *kbd_loadkeys(void);

#endif
