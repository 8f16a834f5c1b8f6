/* fuzz_inflate.c - gzip_inflate() on any bytes: the .ko.gz modules /init
 * inflates.  The output buffer is exactly as large as the caller allows
 * (the trailer's size, capped), so ASan sees any write past it; whatever
 * is accepted must agree with zlib. */
#include <string.h>
#include <zlib.h>
#include "inflate.h"
#include "fuzz.h"

#define CAP (4u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long long want = gzip_size(data, size), r;
	size_t cap = want < 0 || (unsigned long long)want > CAP ? 1024 : (size_t)want;
	uint8_t *out = malloc(cap ? cap : 1);

	if (!out)
		return 0;
	r = gzip_inflate(data, size, out, cap);
	FUZZ_CHECK(r >= -5 && r <= (long long)cap);
	if (r >= 0) {
		/* zlib agrees on what the file holds */
		uint8_t *ref = malloc(cap + 1);
		z_stream z;
		int zr;

		FUZZ_CHECK(r == want);
		memset(&z, 0, sizeof(z));
		if (ref && inflateInit2(&z, 16 + 15) == Z_OK) {
			z.next_in = (Bytef *)data;
			z.avail_in = (uInt)size;
			z.next_out = ref;
			z.avail_out = (uInt)cap + 1;
			zr = inflate(&z, Z_FINISH);
			FUZZ_CHECK(zr == Z_STREAM_END);
			FUZZ_CHECK(z.total_out == (uLong)r && !memcmp(ref, out, (size_t)r));
			inflateEnd(&z);
		}
		free(ref);
	}
	free(out);
	return 0;
}
