/* fuzz.h - shared by the fuzz targets (tests/fuzz/fuzz_*.c) and tests/fuzz/replay.c.
 *
 * Each target is one LLVMFuzzerTestOneInput().  Built with clang's
 * -fsanitize=fuzzer it is a libFuzzer binary (tests/fuzz/run.sh); linked with
 * tests/fuzz/replay.c by gcc it replays saved inputs (tests/fuzz/regress.sh). */
#ifndef INITKIT_FUZZ_H
#define INITKIT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* optional: run once before any input (libFuzzer, and tests/fuzz/replay.c) */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* An invariant the parser documents: abort() so that libFuzzer keeps the
 * input as a crash and the replay fails. */
#define FUZZ_CHECK(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

/* A string field must end inside its array. */
#define FUZZ_TERMINATED(arr) FUZZ_CHECK(memchr((arr), '\0', sizeof(arr)) != NULL)

#endif
