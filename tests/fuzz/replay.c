/* replay.c - run a fuzz target's LLVMFuzzerTestOneInput() on saved inputs,
 * without libFuzzer: tests/fuzz/regress.sh links it (gcc, ASan, UBSan)
 * with each tests/fuzz/fuzz_*.c.
 *
 *   replay [-b] FILE...
 *
 * -b first runs the built-in edge inputs: empty, one byte of each value
 * 0x00 '0' 0xff, and 64 KiB of 0xff.  Prints "replay: FILE" before each
 * input, so that a sanitizer report follows the name of what caused it.
 * A target's LLVMFuzzerInitialize(), if it has one (fuzz_extract's builds
 * its sandbox there), runs first, as libFuzzer runs it.
 * Returns 0, or 1 if a file cannot be read; a crash aborts. */
#include <errno.h>
#include <string.h>
#include "fuzz.h"

/* weak: most targets have none */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run(const char *name, const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);	/* exactly sized, as libFuzzer */

	if (!copy) {
		fprintf(stderr, "replay: %s: out of memory\n", name);
		return 1;
	}
	memcpy(copy, data, size);
	fprintf(stderr, "replay: %s\n", name);
	LLVMFuzzerTestOneInput(copy, size);
	free(copy);
	return 0;
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;
	int r;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (;;) {
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap = cap ? 2 * cap : 65536);

			if (!nb) {
				fprintf(stderr, "replay: %s: out of memory\n", path);
				free(buf);
				fclose(f);
				return 1;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (!n)
			break;
		len += n;
	}
	r = ferror(f);
	fclose(f);
	if (r) {
		fprintf(stderr, "replay: %s: read error\n", path);
		free(buf);
		return 1;
	}
	r = run(path, buf, len);
	free(buf);
	return r;
}

static int run_builtin(void)
{
	static const uint8_t bytes[] = { 0x00, '0', 0xff };
	static uint8_t ff[64 * 1024];
	char name[32];
	size_t i;

	run("<empty>", bytes, 0);
	for (i = 0; i < sizeof(bytes); i++) {
		snprintf(name, sizeof(name), "<byte 0x%02x>", bytes[i]);
		run(name, bytes + i, 1);
	}
	memset(ff, 0xff, sizeof(ff));
	return run("<64 KiB of 0xff>", ff, sizeof(ff));
}

int main(int argc, char **argv)
{
	int i = 1, bad = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	if (i < argc && !strcmp(argv[i], "-b")) {
		bad |= run_builtin();
		i++;
	}
	for (; i < argc; i++)
		bad |= run_file(argv[i]);
	return bad;
}
