/* common.h - the few helpers every part uses: /init, the generator, the
 * unit tests and the fuzzers. */
#ifndef INITKIT_COMMON_H
#define INITKIT_COMMON_H

/* the number of elements of an array (not of a pointer) */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
