/* test_argon2.c - lib/argon2.c: BLAKE2b against coreutils' b2sum at every
 * length around its block, Argon2d, Argon2i and Argon2id against the
 * reference implementation's argon2 command (Debian's argon2 package) over
 * passes, memory sizes that are not a multiple of the lanes, several
 * lanes and tags longer than one BLAKE2b output. */
#include "unit.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "argon2.h"

static char *dir;

static void test_blake2b(void **state)
{
	char path[512], cmd[1024], want[160], got[160];
	uint8_t data[400], out[64];
	size_t len, i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	snprintf(path, sizeof(path), "%s/b2.bin", dir);
	for (len = 0; len <= sizeof(data); len += len < 260 ? 1 : 47) {
		struct blake2b s;
		FILE *f = fopen(path, "wb");

		assert_non_null(f);
		fwrite(data, 1, len, f);
		fclose(f);
		snprintf(cmd, sizeof(cmd), "b2sum '%s'", path);
		unit_cmd_word(cmd, want, sizeof(want));
		blake2b_init(&s, 64);
		blake2b_update(&s, data, len / 2);
		blake2b_update(&s, data + len / 2, len - len / 2);
		blake2b_final(&s, out);
		unit_hex(out, 64, got);
		assert_string_equal(got, want);
	}
	unlink(path);
}

static void check(enum argon2_type type, uint32_t t, uint32_t m, uint32_t p, size_t len)
{
	static const char *const flags[] = { "-d", "-i", "-id" };
	char cmd[512], want[600], got[600];
	uint8_t out[256];
	void *mem = malloc(argon2_mem_bytes(m, p));

	assert_non_null(mem);
	snprintf(cmd, sizeof(cmd), "printf 'pass word' | argon2 'salt of 16 bytes' %s -t %u -k %u "
		 "-p %u -l %zu -r", flags[type], t, m, p, len);
	unit_cmd_word(cmd, want, sizeof(want));
	assert_int_equal(argon2(type, "pass word", 9, (const uint8_t *)"salt of 16 bytes", 16, t, m,
				p, mem, out, len), 0);
	unit_hex(out, len, got);
	assert_string_equal(got, want);
	free(mem);
}

static void test_argon2(void **state)
{
	check(ARGON2_ID, 2, 64, 4, 32);
	check(ARGON2_ID, 4, 32768, 1, 64);	/* cryptsetup's keyslot shape */
	check(ARGON2_ID, 1, 4100, 2, 64);	/* 4100 KiB: not a multiple of 4 lanes */
	check(ARGON2_ID, 3, 777, 5, 16);
	check(ARGON2_I, 3, 1024, 3, 100);	/* a tag longer than 64 bytes */
	check(ARGON2_I, 1, 8, 1, 32);		/* the least memory */
	check(ARGON2_D, 1, 32, 1, 32);
}

static void test_bad_parameters(void **state)
{
	uint8_t out[32], mem[8 * ARGON2_BLOCK];

	assert_int_equal(argon2(ARGON2_ID, "p", 1, (const uint8_t *)"saltsalt", 8, 1, 7, 1, mem,
				out, 32), -EINVAL);	/* under 8 KiB a lane */
	assert_int_equal(argon2(ARGON2_ID, "p", 1, (const uint8_t *)"saltsalt", 8, 0, 8, 1, mem,
				out, 32), -EINVAL);	/* no pass */
	assert_int_equal(argon2(ARGON2_ID, "p", 1, (const uint8_t *)"saltsalt", 8, 1, 8, 0, mem,
				out, 32), -EINVAL);	/* no lane */
	assert_int_equal(argon2_mem_bytes(8, 0), 0);
	assert_int_equal(argon2_mem_bytes(4100, 2), 4096 * ARGON2_BLOCK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blake2b),
		cmocka_unit_test(test_argon2),
		cmocka_unit_test(test_bad_parameters),
	};
	int r;

	dir = unit_tmpdir();
	r = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return r;
}
