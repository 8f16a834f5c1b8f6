/* keymap.h - the console keymap an image carries (LAYOUT_KEYMAP), in kbd's
 * binary form: what "loadkeys -b" writes and BusyBox's loadkmap reads.
 *
 *   "bkeymap"            7 bytes
 *   flags[256]           1 if keymap i (a combination of modifiers) follows
 *   for each flagged i:  128 little-endian 16-bit entries, the values the
 *                        kernel's KDSKBENT takes for keymap i, keys 0-127
 *
 * The generator checks it (gen/keymap.c); the luks helper loads it before
 * it asks for a passphrase, so that the keys typed mean what they mean on
 * the user's keyboard (pure, no syscalls). */
#ifndef INITKIT_KEYMAP_H
#define INITKIT_KEYMAP_H

#include <stddef.h>
#include <stdint.h>

#define KEYMAP_MAGIC   "bkeymap"
#define KEYMAP_MAGIC_LEN 7
#define KEYMAP_NMAPS   256	/* MAX_NR_KEYMAPS */
#define KEYMAP_NKEYS   128	/* NR_KEYS */
#define KEYMAP_HDR     (KEYMAP_MAGIC_LEN + KEYMAP_NMAPS)
#define KEYMAP_MAX     (KEYMAP_HDR + KEYMAP_NMAPS * KEYMAP_NKEYS * 2)

/* How many keymaps @b holds (1-256), or -EINVAL if it is not a whole
 * binary keymap: its magic, flags of 0 or 1, at least one keymap, and
 * exactly the bytes its flags announce. */
int keymap_check(const uint8_t *b, size_t len);

/* Call @fn(ctx, map, key, value) for every entry of a checked keymap, in
 * order; stops at and returns the first non-zero return. */
int keymap_each(const uint8_t *b, size_t len,
		int (*fn)(void *ctx, unsigned map, unsigned key, unsigned value), void *ctx);

#endif
