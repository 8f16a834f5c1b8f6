/* rmtree.h - delete a directory's contents without crossing mount points */
#ifndef INITKIT_RMTREE_H
#define INITKIT_RMTREE_H

#include <sys/types.h>

/* Remove everything below the directory open at @dirfd that lives on
 * device @dev; directories on other devices (mount points) are left alone.
 * Returns 0 or the first -errno met (it carries on past errors). */
int rmtree_contents(int dirfd, dev_t dev);

#endif
