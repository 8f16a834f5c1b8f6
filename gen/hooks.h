/* hooks.h - running build hooks (the language: hookparse.h) and adding
 * host programs with their libraries.  These report and exit (genutil.h's
 * die()): they are the program's steps. */
#ifndef INITKIT_HOOKS_H
#define INITKIT_HOOKS_H

#include "image.h"

/* Run the build hook @name (a path if it has a '/', else
 * @datadir/hooks/@name) into @img: every directive, and the hooks it
 * includes.  @verbose says what is skipped and why. */
void hooks_run(struct image *img, const char *datadir, const char *name, int verbose);

/* Where the "helper" directive finds initkit's helper programs: the
 * directory of the init the image gets. */
extern const char *hooks_helperdir;

/* Add the host program @path to @img with its ELF interpreter and shared
 * libraries, found as the dynamic loader finds them; symbolic links stay
 * links.  @where starts the messages ("-I", "FILE:LINE"). */
void add_binary(struct image *img, const char *path, const char *where);

#endif
