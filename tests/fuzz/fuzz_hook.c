/* fuzz_hook.c - hook_parse() on any build hook, and applets_parse() on the
 * same bytes as the output of "busybox --list-full".  Checks what
 * hookparse.h promises: every image path is normalised (imgpath_norm()
 * gives it back unchanged: no '..', '.', '//', leading '/' or control
 * character); on error nothing is kept and the message starts with
 * "NAME:LINE: "; the result does not depend on the size of the error
 * buffer. */
#include <errno.h>
#include <string.h>
#include "hookparse.h"
#include "fuzz.h"

static void check_path(const char *p)
{
	static char again[IMGPATH_MAX + 1];
	size_t i;

	FUZZ_CHECK(p && *p && p[0] != '/');
	FUZZ_CHECK(strlen(p) <= IMGPATH_MAX);
	FUZZ_CHECK(imgpath_norm(p, again, sizeof(again)) == 0);
	FUZZ_CHECK(!strcmp(p, again));
	for (i = 0; p[i]; i++)
		FUZZ_CHECK((unsigned char)p[i] >= 0x20 && p[i] != 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hook_prog p, p2;
	char err[256], small[6], **paths;
	unsigned int last = 0;
	size_t i, k, n;
	char *buf;
	int r, r2;

	buf = malloc(size ? size : 1);	/* exactly the bytes, no NUL */
	if (!buf)
		return 0;
	memcpy(buf, data, size);

	r = hook_parse("fuzz.hook", buf, size, &p, err, sizeof(err));
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)));
	if (r) {
		FUZZ_CHECK(r == -EINVAL || r == -EFBIG || r == -ENOMEM);
		FUZZ_CHECK(p.n == 0 && p.d == NULL);
		FUZZ_CHECK(!strncmp(err, "fuzz.hook", 9));
	} else {
		FUZZ_CHECK(err[0] == '\0');
	}
	for (i = 0; i < p.n; i++) {
		const struct hook_directive *d = &p.d[i];

		FUZZ_CHECK(d->line > last);
		last = d->line;
		FUZZ_CHECK(d->args[d->nargs] == NULL);
		for (k = 0; k < d->nargs; k++) {
			FUZZ_CHECK(d->args[k][0]);
			FUZZ_CHECK(!strpbrk(d->args[k], " \t\r\n"));
		}
		switch (d->kind) {
		case HOOK_FILE:
		case HOOK_DIR:
		case HOOK_LINK:
		case HOOK_APPLETS:
		case HOOK_RUNTIME:
			check_path(d->dest);
			break;
		case HOOK_BINARY:
			for (k = 0; k < d->nargs; k++)
				FUZZ_CHECK(d->args[k][0] == '/');
			/* fall through */
		default:
			FUZZ_CHECK(d->dest == NULL);
		}
		if (d->kind == HOOK_RUNTIME)
			FUZZ_CHECK(!strncmp(d->dest, "scripts/", 8));
	}
	r2 = hook_parse("fuzz.hook", buf, size, &p2, small, sizeof(small));
	FUZZ_CHECK(r2 == r);
	FUZZ_CHECK(memchr(small, '\0', sizeof(small)));
	FUZZ_CHECK(p2.n == p.n);
	hook_prog_free(&p2);
	hook_prog_free(&p);

	r = applets_parse(buf, size, "bin/busybox", &paths, &n, err, sizeof(err));
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)));
	if (r) {
		FUZZ_CHECK(paths == NULL && n == 0);
	} else {
		for (i = 0; i < n; i++) {
			check_path(paths[i]);
			FUZZ_CHECK(strcmp(paths[i], "bin/busybox"));
		}
		applets_free(paths, n);
	}
	free(buf);
	return 0;
}
