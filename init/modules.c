/* modules.c - stage "modules": load what the generator listed, in order.
 *
 * The generator resolved dependencies and softdeps on the host and wrote
 * MODULES_LIST: one module per line, "path [parameters]", in load order. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "init.h"
#include "log.h"
#include "util.h"

#define MODULES_LIST_MAX (64 * 1024)

/* klibc has the syscalls but no header declares them. */
extern int finit_module(int fd, const char *params, int flags);

/* Returns 0 if loaded or already there, else -errno. */
static int load_one(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (finit_module(fd, params, 0) < 0 && errno != EEXIST)
		r = -errno;
	close(fd);
	return r;
}

int stage_modules(struct boot *b)
{
	static char list[MODULES_LIST_MAX];
	ssize_t n = read_file(MODULES_LIST, list, sizeof(list));
	char *line, *next;
	int loaded = 0, failed = 0;

	if (n == -ENOENT)
		return 0;	/* an image without modules: all built in */
	if (n < 0)
		return fail(b, (int)n, "cannot read %s: %s", MODULES_LIST,
			    strerror((int)-n));

	for (line = list; *line; line = next) {
		char *params, *end;
		int r;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (!*line || *line == '#')
			continue;
		params = strchr(line, ' ');
		if (params)
			*params++ = '\0';
		else
			params = line + strlen(line);
		end = strrchr(line, '/');
		r = load_one(line, params);
		if (r == -ENODEV) {
			/* The module's init found no hardware for it: normal for
			 * alternatives such as crc32c-intel without SSE4.2. */
			log_msg(L_INFO, "modules: %s: no such device here; skipped",
				end ? end + 1 : line);
		} else if (r) {
			/* Go on: the root may not need this one. */
			log_msg(L_ERR, "modules: %s: %s; continuing without it",
				end ? end + 1 : line, strerror(-r));
			failed++;
		} else {
			log_msg(L_DEBUG, "modules: loaded %s", end ? end + 1 : line);
			loaded++;
		}
	}
	log_msg(L_INFO, "modules: %d loaded, %d failed", loaded, failed);
	return 0;
}
