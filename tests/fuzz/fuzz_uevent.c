/* fuzz_uevent.c - uevent_parse() on any netlink message */
#include <string.h>
#include "uevent.h"
#include "fuzz.h"

static void touch(const char *s, const char *buf, size_t len)
{
	if (!s)
		return;
	FUZZ_CHECK(s >= buf && s <= buf + len);
	FUZZ_CHECK(strlen(s) <= (size_t)(buf + len - s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uevent ev;
	char *buf = malloc(size + 1);	/* uevent_parse() writes buf[len] */

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (!uevent_parse(buf, size, &ev)) {
		FUZZ_CHECK(ev.action != NULL);
		touch(ev.action, buf, size);
		touch(ev.devpath, buf, size);
		touch(ev.subsystem, buf, size);
		touch(ev.devname, buf, size);
		touch(ev.modalias, buf, size);
		touch(ev.major, buf, size);
		touch(ev.minor, buf, size);
		touch(ev.devtype, buf, size);
		touch(ev.partn, buf, size);
	}
	free(buf);
	return 0;
}
