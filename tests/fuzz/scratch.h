/* scratch.h - for the fuzz targets that read files (elf, sysfs); include
 * after fuzz.h, with _GNU_SOURCE defined first. */
#ifndef INITKIT_FUZZ_SCRATCH_H
#define INITKIT_FUZZ_SCRATCH_H

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fuzz.h"

/* A scratch directory for targets that read files (elf, sysfs): made once
 * in /dev/shm (else /tmp) as "initkit-fuzz-TAG.XXXXXX" into @root, and
 * removed with all it holds at exit. */
static char fuzz_scratch_dir[64];

static int fuzz_rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	return remove(p);
}

static void fuzz_scratch_cleanup(void)
{
	if (fuzz_scratch_dir[0])
		nftw(fuzz_scratch_dir, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void fuzz_scratch(const char *tag, char *root, size_t size)
{
	snprintf(fuzz_scratch_dir, sizeof(fuzz_scratch_dir), "%s/initkit-fuzz-%s.XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", tag);
	FUZZ_CHECK(mkdtemp(fuzz_scratch_dir));
	atexit(fuzz_scratch_cleanup);
	snprintf(root, size, "%s", fuzz_scratch_dir);
}

#endif
