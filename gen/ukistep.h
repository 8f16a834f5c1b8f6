/* ukistep.h - --uki: the unified kernel image as a step of the program
 * (reads the stub, the kernel, os-release and the splash, builds with
 * uki.c, signs with sbsign, writes crash-safely).  These report and exit,
 * as options.c does. */
#ifndef INITKIT_UKISTEP_H
#define INITKIT_UKISTEP_H

#include <stddef.h>
#include "options.h"

#define UKI_STUB_DEFAULT "/usr/lib/systemd/boot/efi/linuxx64.efi.stub"

/* Before anything is built: the defaults (--stub, --kernel, --os-release)
 * filled in, and every file --uki reads or writes checked: a bad one is
 * named, with what to do, and nothing is written. */
void uki_check(struct opts *o);

/* The UKI for the initrd @initrd (@len bytes: the image just built), signed
 * if asked: malloc'd, *@ukilen bytes.  Nothing is written to o->uki. */
void *uki_make(const struct opts *o, const void *initrd, size_t len, size_t *ukilen);

/* Write @uki to o->uki whole or not at all (commit.c). */
void uki_save(const struct opts *o, const void *uki, size_t len);

#endif
