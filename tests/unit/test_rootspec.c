/* test_rootspec.c - root= forms */
#include "unit.h"
#include <errno.h>
#include "rootspec.h"

static void test_forms(void **state)
{
	struct root_spec rs;

	assert_int_equal(rootspec_parse("UUID=3F1D-aa", &rs), 0);
	assert_int_equal(rs.kind, ROOT_UUID);
	assert_string_equal(rs.value, "3F1D-aa");

	assert_int_equal(rootspec_parse("LABEL=my root", &rs), 0);
	assert_int_equal(rs.kind, ROOT_LABEL);
	assert_string_equal(rs.value, "my root");

	assert_int_equal(rootspec_parse("PARTUUID=0000abcd-01", &rs), 0);
	assert_int_equal(rs.kind, ROOT_PARTUUID);
	assert_int_equal(rootspec_parse("PARTLABEL=root", &rs), 0);
	assert_int_equal(rs.kind, ROOT_PARTLABEL);

	assert_int_equal(rootspec_parse("/dev/disk/by-uuid/1234", &rs), 0);
	assert_int_equal(rs.kind, ROOT_UUID);
	assert_string_equal(rs.value, "1234");
	assert_int_equal(rootspec_parse("/dev/disk/by-label/x", &rs), 0);
	assert_int_equal(rs.kind, ROOT_LABEL);

	assert_int_equal(rootspec_parse("/dev/vda1", &rs), 0);
	assert_int_equal(rs.kind, ROOT_PATH);
	assert_string_equal(rs.value, "/dev/vda1");

	assert_int_equal(rootspec_parse("vda1", &rs), 0);
	assert_int_equal(rs.kind, ROOT_PATH);
	assert_string_equal(rs.value, "/dev/vda1");
}

static void test_devnum(void **state)
{
	struct root_spec rs;

	assert_int_equal(rootspec_parse("254:1", &rs), 0);
	assert_int_equal(rs.kind, ROOT_DEVNUM);
	assert_int_equal(rs.major, 254);
	assert_int_equal(rs.minor, 1);

	/* the kernel's hex encoding: 0x0801 = 8:1, 0x10300 = 259:0 */
	assert_int_equal(rootspec_parse("0801", &rs), 0);
	assert_int_equal(rs.kind, ROOT_DEVNUM);
	assert_int_equal(rs.major, 8);
	assert_int_equal(rs.minor, 1);
	assert_int_equal(rootspec_parse("10300", &rs), 0);
	assert_int_equal(rs.major, 259);
	assert_int_equal(rs.minor, 0);
}

static void test_bad(void **state)
{
	struct root_spec rs;
	char big[PARAM_VALUE_MAX + 16];

	assert_int_equal(rootspec_parse("", &rs), -EINVAL);
	assert_int_equal(rootspec_parse(NULL, &rs), -EINVAL);
	assert_int_equal(rootspec_parse("UUID=", &rs), -EINVAL);
	assert_int_equal(rootspec_parse("/etc/passwd", &rs), -EINVAL);
	assert_int_equal(rootspec_parse("/dev/", &rs), -EINVAL);
	assert_int_equal(rootspec_parse("8:x", &rs), -EINVAL);
	assert_int_equal(rootspec_parse(":1", &rs), -EINVAL);
	assert_int_equal(rootspec_parse("FOO=bar", &rs), -EINVAL);

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "LABEL=", 6);
	assert_int_equal(rootspec_parse(big, &rs), -ENAMETOOLONG);
}

static void test_id_equal(void **state)
{
	assert_true(rootspec_id_equal(ROOT_UUID, "3F1D2C4B-aa", "3f1d2c4b-AA"));
	assert_false(rootspec_id_equal(ROOT_UUID, "3f1d", "3f1d2"));
	assert_true(rootspec_id_equal(ROOT_LABEL, "Root", "Root"));
	assert_false(rootspec_id_equal(ROOT_LABEL, "root", "Root"));
	assert_true(rootspec_id_equal(ROOT_PARTUUID, "ABCD0001-01", "abcd0001-01"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_devnum),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_id_equal),
	};

	return cmocka_run_group_tests_name("rootspec", tests, NULL, NULL);
}
