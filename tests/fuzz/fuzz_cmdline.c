/* fuzz_cmdline.c - cmdline_parse() on any /proc/cmdline, then
 * rootspec_parse() on root= and on every rootfallback= it kept. */
#include <string.h>
#include "cmdline.h"
#include "rootspec.h"
#include "fuzz.h"

static void check_spec(const char *s)
{
	struct root_spec rs;

	if (rootspec_parse(s, &rs))
		return;
	FUZZ_TERMINATED(rs.value);
	FUZZ_CHECK(rs.kind != ROOT_NONE);
	(void)rootspec_kind_name(rs.kind);
	FUZZ_CHECK(rootspec_id_equal(rs.kind, rs.value, rs.value));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_params bp;
	size_t n = size < CMDLINE_MAX - 1 ? size : CMDLINE_MAX - 1;
	const char *p, *end;
	char *buf;
	int v;

	/* exactly the bytes /init would have: ASan sees any over-read */
	buf = malloc(n + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, n);
	buf[n] = '\0';
	cmdline_parse(buf, &bp);

	FUZZ_TERMINATED(bp.root);
	FUZZ_TERMINATED(bp.rootfstype);
	FUZZ_TERMINATED(bp.rootflags);
	FUZZ_TERMINATED(bp.init);
	FUZZ_TERMINATED(bp.brk);
	FUZZ_TERMINATED(bp.blacklist);
	FUZZ_TERMINATED(bp.driver_pre);
	FUZZ_TERMINATED(bp.too_long);
	FUZZ_CHECK(bp.rootfallback_len <= sizeof(bp.rootfallback));
	FUZZ_CHECK(bp.modparams_len <= sizeof(bp.modparams));
	FUZZ_CHECK(!bp.rootfallback_len ||
		   bp.rootfallback[bp.rootfallback_len - 1] == '\0');
	FUZZ_CHECK(!bp.modparams_len || bp.modparams[bp.modparams_len - 1] == '\0');

	if (bp.root[0])
		check_spec(bp.root);
	p = bp.rootfallback;
	end = p + bp.rootfallback_len;
	for (; p < end; p += strlen(p) + 1)
		check_spec(p);

	/* the same buffer (now NUL-split) as a bare number and a spec */
	(void)parse_uint(buf, &v);
	check_spec(buf);
	free(buf);
	return 0;
}
