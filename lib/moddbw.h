/* moddbw.h - write the module database /init reads: the generator's half
 * of the format moddb.h describes and parses.  Host only: /init links the
 * reader, never this. */
#ifndef INITKIT_MODDBW_H
#define INITKIT_MODDBW_H

#include <stddef.h>
#include <stdio.h>

/* The modules are written in load order, each after every module it
 * needs; its aliases and CPU lines follow them all. */
struct moddbw {
	FILE *out;
	size_t n;		/* modules the database holds */
	size_t next;		/* the module whose record comes next */
	unsigned char *closure;	/* n rows of n: what each module needs,
				 * directly or not */
	unsigned char *post;	/* the next module's post-softdeps */
};

/* Start a database of @n modules on @out (its first line).  Returns 0 or
 * -ENOMEM; free with moddbw_free() either way. */
int moddbw_init(struct moddbw *w, FILE *out, size_t n);
void moddbw_free(struct moddbw *w);

/* The next module needs module @dep loaded first (a dependency or a
 * pre-softdep): its closure takes @dep and all that @dep needs.  A @dep
 * that does not come before it (a cycle; (size_t)-1, none) is ignored. */
void moddbw_need(struct moddbw *w, size_t dep);

/* The next module has module @dep as a post-softdep; one out of range is
 * ignored. */
void moddbw_post(struct moddbw *w, size_t dep);

/* Write the next module's record: @name, its path in the image @dir/@file,
 * the needs and post-softdeps given since the last record, and @boot (load
 * it at boot whatever the hardware). */
void moddbw_module(struct moddbw *w, const char *name, const char *dir,
		   const char *file, int boot);

/* After the modules: an alias of module @idx, or a CPU modalias pattern it
 * is a driver for.  A pattern with a TAB or a newline cannot be written in
 * the format and is left out. */
void moddbw_alias(struct moddbw *w, const char *pattern, size_t idx);
void moddbw_cpu(struct moddbw *w, const char *pattern, size_t idx);

#endif
