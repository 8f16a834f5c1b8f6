/* no-thp.c - run a command with transparent huge pages off for it and
 * its children (prctl PR_SET_THP_DISABLE): the QEMU boots use it.
 *
 * QEMU asks for huge pages for the guest's RAM and for the code it
 * translates.  The first touch of each 2 MiB then makes the host zero a
 * whole huge page at once; on a host whose own memory is faulted in
 * lazily (a VM, such as the CI machines) that takes about 5 ms, charged
 * to whichever guest task happens to run.  perf shows it as clear_page
 * under do_huge_pmd_anonymous_page, reached from QEMU's guest-store
 * helpers and from tb_gen_code.  With 4 KiB pages the same cost is spread
 * over the memory each guest task actually touches, and a 20 ms figure is
 * not a lottery. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef PR_SET_THP_DISABLE
#define PR_SET_THP_DISABLE 41
#endif

int main(int argc, char *argv[])
{
	if (argc < 2) {
		fprintf(stderr, "usage: no-thp COMMAND [ARG...]\n");
		return 2;
	}
	/* Linux 3.15 and later; an older kernel just keeps its huge pages. */
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) < 0)
		fprintf(stderr, "no-thp: prctl(PR_SET_THP_DISABLE): %s; going on "
			"with huge pages\n", strerror(errno));
	execvp(argv[1], argv + 1);
	fprintf(stderr, "no-thp: cannot run %s: %s\n", argv[1], strerror(errno));
	return 127;
}
