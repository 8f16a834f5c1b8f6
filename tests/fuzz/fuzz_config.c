/* fuzz_config.c - config_parse_buf() on any /etc/mkinitramfs.conf, on top
 * of settings from an earlier file (layering), then config_free().
 * Checks what config.h promises: on error the settings are unchanged; the
 * same file gives the same result whatever the size of the error buffer;
 * the message always fits. */
#include <string.h>
#include "config.h"
#include "fuzz.h"

static const char base[] =
	"COMPRESS=gzip\n"
	"LEVEL=5\n"
	"MODULES=\"nvme ext4\"\n"
	"OUTPUT='/boot/initrd.img'\n"
	"HOSTONLY=no\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c, before;
	char err[256], small[8];
	char *buf;
	int r, r2;

	/* exactly the bytes: the buffer need not end in NUL */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);

	config_init(&c);
	FUZZ_CHECK(config_parse_buf(&c, "base.conf", base, sizeof(base) - 1,
				    err, sizeof(err)) == 0);
	before = c;
	r = config_parse_buf(&c, "fuzz.conf", buf, size, err, sizeof(err));
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	if (r)
		FUZZ_CHECK(!memcmp(&before, &c, sizeof(c)));
	config_free(&c);

	config_init(&c);
	r2 = config_parse_buf(&c, NULL, buf, size, small, sizeof(small));
	FUZZ_CHECK(memchr(small, '\0', sizeof(small)) != NULL);
	FUZZ_CHECK(r2 == r);
	/* and again on top of itself: each replaced setting is freed */
	if (!r2)
		FUZZ_CHECK(config_parse_buf(&c, NULL, buf, size, NULL, 0) == 0);
	config_free(&c);
	free(buf);
	return 0;
}
