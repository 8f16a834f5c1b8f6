/* firmware.h - the firmware of the selected modules, and the early
 * microcode.  These report and exit (genutil.h's die()); a file that is
 * not there is a warning: the image is still made. */
#ifndef INITKIT_FIRMWARE_H
#define INITKIT_FIRMWARE_H

#include <stddef.h>
#include <stdint.h>
#include "modsel.h"
#include "image.h"

/* Add to @img the firmware files the modules of @ms name, from
 * @basedir/lib/firmware in the kernel's search order (updates/KVER,
 * updates, KVER, then the top), each also as .zst or .xz; warn about
 * those not there.  @verbose says which file went in for which module. */
void firmware_add(struct image *img, struct modsel *ms, const char *basedir,
		  const char *kver, int verbose);

/* The uncompressed cpio the kernel's early loader looks for at the start
 * of the initrd, from @basedir/lib/firmware/{intel,amd}-ucode, its
 * entries dated @mtime: *@cpio (kept until the program ends) and *@len,
 * which is 0, after a warning, when this host has no microcode. */
void microcode_build(const char *basedir, uint32_t mtime, const void **cpio, size_t *len);

#endif
