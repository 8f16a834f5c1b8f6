/* fuzz_probe.c - probe_fs() on the first bytes of a device. */
#include <string.h>
#include "probe.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fs_info fi;
	size_t n = size < PROBE_READ_SIZE ? size : PROBE_READ_SIZE;
	uint8_t *buf;

	/* a short read from a small device: the buffer is exactly what was
	 * read, so ASan sees a probe that looks past it */
	buf = malloc(n ? n : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, n);
	if (!probe_fs(buf, n, &fi)) {
		FUZZ_TERMINATED(fi.type);
		FUZZ_TERMINATED(fi.uuid);
		FUZZ_TERMINATED(fi.label);
		FUZZ_CHECK(fi.type[0] != '\0');
	}
	free(buf);
	return 0;
}
