/* timeline.h - when each stage started, and where the time went */
#ifndef INITKIT_TIMELINE_H
#define INITKIT_TIMELINE_H

struct boot;

/* Note that @stage starts now (a line of TIMELINE: "MS STAGE CPU"). */
void timeline_mark(const struct boot *b, const char *stage);

/* Write TIMELINE, with a summary of where the time went, now: before a
 * shell, a panic or the switch to the real init. */
void timeline_save(struct boot *b);

#endif
