/* moddbw.c - write the module database (moddb.h) for the generator */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "moddbw.h"

int moddbw_init(struct moddbw *w, FILE *out, size_t n)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->n = n;
	w->closure = calloc(n ? n : 1, n ? n : 1);
	w->post = calloc(n ? n : 1, 1);
	if (!w->closure || !w->post)
		return -ENOMEM;
	fprintf(out, "# initkit module database: see lib/moddb.h\n");
	return 0;
}

void moddbw_free(struct moddbw *w)
{
	free(w->closure);
	free(w->post);
	memset(w, 0, sizeof(*w));
}

/* Needs come earlier in the load order, so their rows are complete when
 * a later module takes them in: one pass in order is enough. */
void moddbw_need(struct moddbw *w, size_t dep)
{
	unsigned char *c = w->closure + w->next * w->n;
	size_t j;

	if (w->next >= w->n || dep >= w->next)
		return;
	c[dep] = 1;
	for (j = 0; j < dep; j++)
		c[j] |= w->closure[dep * w->n + j];
}

void moddbw_post(struct moddbw *w, size_t dep)
{
	if (dep < w->n)
		w->post[dep] = 1;
}

/* A set of module indices: "1,4,7" ascending, or "-" if empty. */
static void put_list(FILE *out, const unsigned char *set, size_t n)
{
	size_t i;
	int first = 1;

	for (i = 0; i < n; i++)
		if (set[i]) {
			fprintf(out, first ? "%zu" : ",%zu", i);
			first = 0;
		}
	if (first)
		fputc('-', out);
}

void moddbw_module(struct moddbw *w, const char *name, const char *dir,
		   const char *file, int boot)
{
	if (w->next >= w->n)
		return;
	fprintf(w->out, "m\t%s\t%s/%s\t", name, dir, file);
	put_list(w->out, w->closure + w->next * w->n, w->n);
	fputc('\t', w->out);
	put_list(w->out, w->post, w->n);
	fprintf(w->out, "\t%d\n", boot ? 1 : 0);
	memset(w->post, 0, w->n);
	w->next++;
}

void moddbw_alias(struct moddbw *w, const char *pattern, size_t idx)
{
	if (!strpbrk(pattern, "\t\n"))
		fprintf(w->out, "a\t%s\t%zu\n", pattern, idx);
}

void moddbw_cpu(struct moddbw *w, const char *pattern, size_t idx)
{
	if (!strpbrk(pattern, "\t\n"))
		fprintf(w->out, "c\t%s\t%zu\n", pattern, idx);
}
