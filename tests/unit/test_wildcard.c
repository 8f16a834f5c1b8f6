/* test_wildcard.c - /init's pattern matcher, against the C library's fnmatch */
#include "unit.h"
#include <fnmatch.h>
#include "wildcard.h"

static void test_aliases(void **state)
{
	static const struct {
		const char *pattern, *str;
		int match;
	} cases[] = {
		{ "pci:v00001AF4d*sv*sd*bc*sc*i*",
		  "pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00", 1 },
		{ "pci:v00001AF4d*sv*sd*bc*sc*i*",
		  "pci:v00008086d00001001sv00001AF4sd00000002bc01sc00i00", 0 },
		{ "pci:v*d*sv*sd*bc01sc06i01*",
		  "pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01", 1 },
		{ "pci:v*d*sv*sd*bc01sc06i01*",
		  "pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i00", 0 },
		{ "virtio:d00000002v*", "virtio:d00000002v00001AF4", 1 },
		{ "virtio:d00000002v*", "virtio:d00000012v00001AF4", 0 },
		/* file2alias writes bcdDevice ranges as brackets */
		{ "usb:v0BDAp8179d0[0-1]*dc*dsc*dp*ic*isc*ip*in*",
		  "usb:v0BDAp8179d0100dc00dsc00dp00icFFiscFFipFFin00", 1 },
		{ "usb:v0BDAp8179d0[0-1]*dc*dsc*dp*ic*isc*ip*in*",
		  "usb:v0BDAp8179d0200dc00dsc00dp00icFFiscFFipFFin00", 0 },
		{ "cpu:type:x86,ven*fam*mod*:feature:*0094*",
		  "cpu:type:x86,ven0000fam0006mod003A:feature:,0000,0001,0094,00E5", 1 },
		{ "cpu:type:x86,ven*fam*mod*:feature:*0094*",
		  "cpu:type:x86,ven0000fam0006mod003A:feature:,0000,0001,0095,00E5", 0 },
		{ "fs-ext4", "fs-ext4", 1 },
		{ "fs-ext4", "fs-ext", 0 },
		{ "", "", 1 },
		{ "*", "", 1 },
		{ "?", "", 0 },
		{ "a[", "a[", 1 },		/* not closed: an ordinary '[' */
		{ "[]]", "]", 1 },
		{ "[!]]", "]", 0 },
		{ "[a-]", "-", 1 },
		{ "\\*", "*", 1 },
		{ "\\*", "a", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (wildcard_match(cases[i].pattern, cases[i].str) != cases[i].match)
			fail_msg("wildcard_match(\"%s\", \"%s\") should be %d", cases[i].pattern,
				 cases[i].str, cases[i].match);
		/* and the C library agrees */
		assert_int_equal(fnmatch(cases[i].pattern, cases[i].str, 0) == 0,
				 cases[i].match);
	}
}

/* The case that made klibc's fnmatch slow: a long CPU modalias, several
 * stars, no match; and a match that needs the last star moved far. */
static void test_long_cpu_modalias(void **state)
{
	char cpu[2048];
	int o, f;

	o = snprintf(cpu, sizeof(cpu), "cpu:type:x86,ven0002fam0006mod0006:feature:");
	for (f = 0; f < 300; f++)
		if (f != 0x94)
			o += snprintf(cpu + o, sizeof(cpu) - o, ",%04X", f);
	assert_false(wildcard_match("cpu:type:x86,ven*fam*mod*:feature:*0094*", cpu));
	assert_true(wildcard_match("cpu:type:x86,ven*fam*mod*:feature:*0093*0095*", cpu));
}

/* A random well-formed pattern over a small alphabet, so that matches and
 * near misses are both common. */
static void random_pattern(char *p, size_t size, unsigned *seed)
{
	static const char lit[] = "ab-!^]";
	static const char escaped[] = "*?[\\";
	static const char member[] = "ab-^!";
	size_t o = 0;
	int n = rand_r(seed) % 7, i;

	for (i = 0; i < n && o + 12 < size; i++) {
		switch (rand_r(seed) % 6) {
		case 0:
			p[o++] = '*';
			break;
		case 1:
			p[o++] = '?';
			break;
		case 2:
			p[o++] = '\\';
			p[o++] = escaped[rand_r(seed) % 4];
			break;
		case 3: {
			int m = 1 + rand_r(seed) % 3, j;

			p[o++] = '[';
			if (rand_r(seed) % 3 == 0)
				p[o++] = rand_r(seed) % 2 ? '!' : '^';
			if (rand_r(seed) % 4 == 0)
				p[o++] = ']';
			for (j = 0; j < m; j++) {
				if (rand_r(seed) % 4 == 0) {
					p[o++] = '\\';
					p[o++] = "]\\-"[rand_r(seed) % 3];
				} else {
					p[o++] = member[rand_r(seed) % 5];
				}
				if (rand_r(seed) % 3 == 0) {
					p[o++] = '-';
					p[o++] = "abc"[rand_r(seed) % 3];
				}
			}
			p[o++] = ']';
			break;
		}
		default:
			p[o++] = lit[rand_r(seed) % 6];
		}
	}
	p[o] = '\0';
}

static void test_same_as_fnmatch(void **state)
{
	static const char chars[] = "ab-!^]*?[\\c";
	unsigned seed = 20261122;
	char p[128], s[16];
	long matched = 0;
	int i, j, n;

	for (i = 0; i < 300000; i++) {
		random_pattern(p, sizeof(p), &seed);
		n = rand_r(&seed) % 9;
		for (j = 0; j < n; j++)
			s[j] = chars[rand_r(&seed) % (sizeof(chars) - 1)];
		s[n] = '\0';
		if (wildcard_match(p, s) != (fnmatch(p, s, 0) == 0))
			fail_msg("\"%s\" against \"%s\": wildcard_match says %d, fnmatch %d",
				 p, s, wildcard_match(p, s), fnmatch(p, s, 0) == 0);
		matched += wildcard_match(p, s);
	}
	/* the alphabet is small enough that the comparison saw both answers */
	assert_true(matched > 10000 && matched < 290000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_long_cpu_modalias),
		cmocka_unit_test(test_same_as_fnmatch),
	};

	return cmocka_run_group_tests_name("wildcard", tests, NULL, NULL);
}
