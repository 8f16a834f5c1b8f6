/* moddb-load.c - load a modules.db as /init does, with /init's parser
 * (host build, sanitizers), and say what it holds:
 *   moddb-load FILE [MODALIAS...]
 * prints "modules N aliases N cpu N buses N" and the buses, then for each
 * MODALIAS the modules that match it, most specific first as /init tries
 * them.  Exit status 1 if the parser refuses the file.  Used by
 * tests/gen/limits.sh on a database of every module of a kernel. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "moddb.h"

struct hit {
	int idx, fixed;
};

static int collect(int idx, int fixed, void *arg)
{
	struct hit *h = arg;
	int n = 0;

	while (h[n].idx >= 0)
		n++;
	if (n < 63) {
		h[n].idx = idx;
		h[n].fixed = fixed;
		h[n + 1].idx = -1;
	}
	return 0;
}

static int by_fixed(const void *a, const void *b)
{
	return ((const struct hit *)b)->fixed - ((const struct hit *)a)->fixed;
}

int main(int argc, char **argv)
{
	struct moddb db;
	FILE *f;
	char *buf;
	long size;
	int r, bad, i, j, nbuses = 0;
	const char **bus;
	int *buslen;

	if (argc < 2) {
		fprintf(stderr, "usage: moddb-load FILE [MODALIAS...]\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		perror(argv[1]);
		return 2;
	}
	buf = malloc((size_t)size + 1);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		perror(argv[1]);
		return 2;
	}
	fclose(f);
	buf[size] = '\0';
	r = moddb_parse(buf, &db, &bad);
	if (r) {
		printf("refused: line %d: %s\n", bad, strerror(-r));
		free(buf);
		return 1;
	}
	/* the buses /init walks at coldplug (modules.c's add_bus()) */
	bus = calloc((size_t)db.nalias + 1, sizeof(*bus));
	buslen = calloc((size_t)db.nalias + 1, sizeof(*buslen));
	for (i = 0; bus && buslen && i < db.nalias; i++) {
		const char *name;
		int len = moddb_bus(db.alias[i].pattern, &name);

		for (j = 0; len && j < nbuses; j++)
			if (buslen[j] == len && !memcmp(bus[j], name, (size_t)len))
				break;
		if (len && j == nbuses) {
			bus[nbuses] = name;
			buslen[nbuses++] = len;
		}
	}
	printf("modules %d aliases %d cpu %d buses %d\n", db.nmod, db.nalias, db.ncpu, nbuses);
	for (j = 0; j < nbuses; j++)
		printf("%s%.*s", j ? " " : "buses: ", buslen[j], bus[j]);
	printf("\n");
	for (i = 2; i < argc; i++) {
		struct hit h[64];
		int n;

		h[0].idx = -1;
		moddb_match(&db, argv[i], collect, h);
		for (n = 0; h[n].idx >= 0; n++)
			;
		qsort(h, (size_t)n, sizeof(h[0]), by_fixed);
		printf("%s:", argv[i]);
		for (j = 0; j < n; j++)
			printf(" %s", db.mod[h[j].idx].name);
		printf("\n");
	}
	free(bus);
	free(buslen);
	moddb_free(&db);
	free(buf);
	return 0;
}
