/* wildcard.c - shell-style pattern matching for module aliases.
 *
 * klibc's fnmatch() retries every earlier '*' when a later part fails:
 * "cpu:type:x86,ven*fam*mod*:feature:*0094*" against a CPU's modalias of
 * some 500 bytes that lacks 0094 costs it tens of thousands of steps.
 * Here a failure goes back to the latest '*' only, and moves it one
 * character on: enough, because whatever an earlier '*' could have
 * swallowed the later one can too. */
#include <stddef.h>
#include "wildcard.h"

/* The bracket expression that starts at @p (its '[') against @c: its
 * length if @c is in it, 0 if not, -1 if it is not closed. */
static int bracket(const char *p, unsigned char c)
{
	const char *q = p + 1;
	int negate = 0, in = 0, first;

	if (*q == '!' || *q == '^') {
		negate = 1;
		q++;
	}
	/* a ']' first is a member (and may start a range), not the end */
	for (first = 1; first || *q != ']'; first = 0) {
		unsigned char lo, hi;

		if (!*q)
			return -1;
		if (*q == '\\' && q[1])
			q++;
		lo = hi = (unsigned char)*q++;
		if (q[0] == '-' && q[1] && q[1] != ']') {
			q++;
			if (*q == '\\' && q[1])
				q++;
			hi = (unsigned char)*q++;
		}
		if (lo <= c && c <= hi)
			in = 1;
	}
	return in != negate ? (int)(q + 1 - p) : 0;
}

/* One pattern element at @p against the character @c (not NUL): how many
 * pattern bytes it takes if it matches, else 0. */
static int element(const char *p, unsigned char c)
{
	int n;

	switch (*p) {
	case '?':
		return 1;
	case '[':
		n = bracket(p, c);
		if (n >= 0)
			return n;
		return c == '[';	/* not a bracket expression: itself */
	case '\\':
		if (p[1])
			return (unsigned char)p[1] == c ? 2 : 0;
		return c == '\\';
	default:
		return (unsigned char)*p == c;
	}
}

int wildcard_match(const char *p, const char *s)
{
	const char *star_p = NULL, *star_s = NULL;
	int n;

	for (;;) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (!*p)
				return 1;
			star_p = p;	/* the latest '*': only it is retried */
			star_s = s;
			continue;
		}
		if (*s) {
			n = element(p, (unsigned char)*s);
			if (n > 0) {
				p += n;
				s++;
				continue;
			}
		} else if (!*p) {
			return 1;
		}
		if (!star_p || !*star_s)
			return 0;
		p = star_p;
		s = ++star_s;
	}
}
