/* wildcard.h - shell-style pattern matching for module aliases */
#ifndef INITKIT_WILDCARD_H
#define INITKIT_WILDCARD_H

/* Does @str match @pattern, as fnmatch(pattern, str, 0) would?  '*' (any
 * run, '/' and leading dots included), '?', bracket expressions with '!'
 * or '^' and ranges, and backslash escapes; a '[' with no closing ']' is
 * an ordinary character.  Not [:class:]: no module alias has one.  Time is at most the product of
 * the two lengths: a '*' is never retried once a later one has matched,
 * which is what keeps a modalias of hundreds of bytes against a pattern
 * of several stars cheap. */
int wildcard_match(const char *pattern, const char *str);

#endif
