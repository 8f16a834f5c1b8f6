/* fuzz_modset.c - modset_parse() on any modules.d set file.  Checks what
 * hookparse.h promises: each entry is one word (no blanks, no control
 * characters, not empty), its line number grows; '?' only marks, a
 * pattern is flagged as one; on error nothing is kept and the message
 * names the file; the result does not depend on the error buffer. */
#include <string.h>
#include "hookparse.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct modset s, s2;
	char err[256], small[5];
	unsigned int last = 0;
	size_t i, k;
	char *buf;
	int r;

	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	r = modset_parse("fuzz.set", buf, size, &s, err, sizeof(err));
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)));
	if (r) {
		FUZZ_CHECK(s.n == 0 && s.e == NULL);
		FUZZ_CHECK(!strncmp(err, "fuzz.set", 8));
	}
	for (i = 0; i < s.n; i++) {
		const struct modset_entry *e = &s.e[i];

		FUZZ_CHECK(e->line > last);
		last = e->line;
		FUZZ_CHECK(e->name[0] && e->name[0] != '#');
		for (k = 0; e->name[k]; k++)
			FUZZ_CHECK((unsigned char)e->name[k] > 0x20 && e->name[k] != 0x7f);
		FUZZ_CHECK(k <= TEXT_LINE_MAX);
		FUZZ_CHECK(e->glob == (strpbrk(e->name, "/*?[") != NULL));
	}
	FUZZ_CHECK(modset_parse(NULL, buf, size, &s2, small, sizeof(small)) == r);
	FUZZ_CHECK(memchr(small, '\0', sizeof(small)));
	FUZZ_CHECK(s2.n == s.n);
	modset_free(&s2);
	modset_free(&s);
	free(buf);
	return 0;
}
