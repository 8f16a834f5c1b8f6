/* test_cpuid.c - CPUID's answers against the host kernel's own view */
#include "unit.h"
#include "cpuid.h"

/* Every feature the host kernel lists in a word CPUID answers for, CPUID
 * must report too: the kernel never has a feature its CPU lacks.  (The
 * converse may fail: a kernel can turn features off.) */
static void test_host_features(void **state)
{
	char buf[8192], *p;
	FILE *f = fopen("/sys/devices/system/cpu/modalias", "r");
	int checked = 0, n;

	if (!f)
		skip();		/* no sysfs here: nothing to compare with */
	n = (int)fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n > 0 ? n : 0] = '\0';
	p = strstr(buf, ":feature:");
	assert_non_null(p);
	for (p += 9; *p == ','; p += 5) {
		int feature = (int)strtol(p + 1, NULL, 16), r = cpuid_feature(feature);

		if (r < 0)
			continue;	/* a word of the kernel's own */
		if (r != 1)
			fail_msg("the kernel lists feature %d*32+%d; CPUID says %d",
				 feature / 32, feature % 32, r);
		checked++;
	}
	/* FPU (0), TSC (4), CX8 (8) and more: word 0 alone has dozens */
	assert_true(checked > 20);
	assert_int_equal(cpuid_feature(0), 1);
	/* the kernel's synthetic words, and nonsense */
	assert_int_equal(cpuid_feature(3 * 32 + 1), -1);
	assert_int_equal(cpuid_feature(-1), -1);
	assert_int_equal(cpuid_feature(40 * 32), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_features),
	};

	return cmocka_run_group_tests_name("cpuid", tests, NULL, NULL);
}
