/* keymap.c - kbd's binary keymap (keymap.h) */
#include <errno.h>
#include <string.h>
#include "keymap.h"

int keymap_check(const uint8_t *b, size_t len)
{
	size_t i, n = 0;

	if (len < KEYMAP_HDR || len > KEYMAP_MAX || memcmp(b, KEYMAP_MAGIC, KEYMAP_MAGIC_LEN))
		return -EINVAL;
	for (i = 0; i < KEYMAP_NMAPS; i++) {
		if (b[KEYMAP_MAGIC_LEN + i] > 1)
			return -EINVAL;
		n += b[KEYMAP_MAGIC_LEN + i];
	}
	if (!n || len != KEYMAP_HDR + n * KEYMAP_NKEYS * 2)
		return -EINVAL;
	return (int)n;
}

int keymap_each(const uint8_t *b, size_t len,
		int (*fn)(void *ctx, unsigned map, unsigned key, unsigned value), void *ctx)
{
	const uint8_t *p = b + KEYMAP_HDR;
	unsigned map, key;
	int r;

	if (keymap_check(b, len) < 0)
		return -EINVAL;
	for (map = 0; map < KEYMAP_NMAPS; map++) {
		if (!b[KEYMAP_MAGIC_LEN + map])
			continue;
		for (key = 0; key < KEYMAP_NKEYS; key++, p += 2) {
			r = fn(ctx, map, key, (unsigned)p[0] | (unsigned)p[1] << 8);
			if (r)
				return r;
		}
	}
	return 0;
}
