/* test_genutil.c - numbers from the command line, escaped messages and
 * bounded file reads (genutil.h) */
#include "unit.h"
#include <errno.h>
#include <limits.h>
#include "genutil.h"

static void test_parse_ulong(void **state)
{
	unsigned long v = 77;

	(void)state;
	assert_int_equal(parse_ulong("0", 0, 19, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_ulong("19", 0, 19, &v), 0);
	assert_int_equal(v, 19);
	assert_int_equal(parse_ulong("007", 0, 19, &v), 0);
	assert_int_equal(v, 7);
	v = 77;
	/* out of range, however many digits: nothing wraps */
	assert_int_equal(parse_ulong("20", 0, 19, &v), -ERANGE);
	assert_int_equal(parse_ulong("0", 1, 64, &v), -ERANGE);
	assert_int_equal(parse_ulong("4294967297", 1, 64, &v), -ERANGE);
	assert_int_equal(parse_ulong("99999999999999", 0, 19, &v), -ERANGE);
	assert_int_equal(parse_ulong("18446744073709551616", 0, ULONG_MAX, &v), -ERANGE);
	assert_int_equal(parse_ulong("999999999999999999999999999", 0, ULONG_MAX, &v), -ERANGE);
	/* digits only */
	assert_int_equal(parse_ulong("", 0, 19, &v), -EINVAL);
	assert_int_equal(parse_ulong("-1", 0, 19, &v), -EINVAL);
	assert_int_equal(parse_ulong("+4", 0, 19, &v), -EINVAL);
	assert_int_equal(parse_ulong(" 4", 0, 19, &v), -EINVAL);
	assert_int_equal(parse_ulong("4 ", 0, 19, &v), -EINVAL);
	assert_int_equal(parse_ulong("0x10", 0, 19, &v), -EINVAL);
	assert_int_equal(parse_ulong("1e3", 0, 19000, &v), -EINVAL);
	assert_int_equal(parse_ulong(NULL, 0, 19, &v), -EINVAL);
	assert_int_equal(v, 77);	/* untouched on error */
	assert_int_equal(parse_ulong("18446744073709551615", 0, ULONG_MAX, &v), 0);
	assert_true(v == ULONG_MAX);
}

static void esc(const char *in, const char *want)
{
	char out[256];
	size_t n = str_escape(in, out, sizeof(out));

	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
	assert_int_equal(str_escape(in, NULL, 0), strlen(want));
}

static void test_escape(void **state)
{
	(void)state;
	esc("plain text: /etc/hostname", "plain text: /etc/hostname");
	esc("a\033[31mred", "a\\x1b[31mred");
	esc("bell\a tab\t nl\n cr\r del\177", "bell\\x07 tab\\t nl\\n cr\\r del\\x7f");
	esc("", "");
	/* UTF-8 is kept; C1 controls and broken sequences are not */
	esc("modul\303\251 \342\202\254 \360\237\230\200", "modul\303\251 \342\202\254 \360\237\230\200");
	esc("c1 \302\233x \302\205", "c1 \\xc2\\x9bx \\xc2\\x85");
	esc("\302\240nbsp", "\302\240nbsp");
	esc("lone \200 \377 \303", "lone \\x80 \\xff \\xc3");
	esc("overlong \300\257 \340\200\257", "overlong \\xc0\\xaf \\xe0\\x80\\xaf");
	esc("surrogate \355\240\200", "surrogate \\xed\\xa0\\x80");
	esc("too big \364\220\200\200", "too big \\xf4\\x90\\x80\\x80");
	esc("cut \342\202", "cut \\xe2\\x82");
}

static void test_escape_small_buffer(void **state)
{
	char out[8];
	size_t n;

	(void)state;
	/* whole escapes only, always terminated */
	n = str_escape("ab\033cdefgh", out, sizeof(out));
	assert_int_equal(n, strlen("ab\\x1bcdefgh"));
	assert_string_equal(out, "ab\\x1bc");
	n = str_escape("\303\251\303\251\303\251\303\251", out, 6);
	assert_int_equal(n, 8);
	assert_string_equal(out, "\303\251\303\251");
	n = str_escape("abc", out, 1);
	assert_int_equal(n, 3);
	assert_string_equal(out, "");
}

static void test_read_file_max(void **state)
{
	char *tmp = unit_tmpdir(), path[PATH_MAX], *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/f", tmp);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("0123456789", f);
	fclose(f);
	assert_int_equal(read_file_max(path, 10, &buf, &len), 0);
	assert_int_equal(len, 10);
	assert_string_equal(buf, "0123456789");
	free(buf);
	assert_int_equal(read_file_max(path, 9, &buf, &len), -EFBIG);
	assert_int_equal(read_file_max(tmp, 100, &buf, &len), -EISDIR);
	snprintf(path, sizeof(path), "%s/none", tmp);
	assert_int_equal(read_file_max(path, 100, &buf, &len), -ENOENT);
	snprintf(path, sizeof(path), "%s/empty", tmp);
	fclose(fopen(path, "w"));
	assert_int_equal(read_file_max(path, 100, &buf, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
	unit_sh("rm -rf '%s'", tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ulong),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_small_buffer),
		cmocka_unit_test(test_read_file_max),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
