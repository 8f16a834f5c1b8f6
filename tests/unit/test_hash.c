/* test_hash.c - lib/hash.c: SHA-1/256/512 against coreutils at every length
 * around the block boundaries, PBKDF2 against RFC 6070's vectors and
 * Python's hashlib, and a LUKS volume key's digest as cryptsetup wrote it. */
#include "unit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hash.h"
#include "luks.h"

static char *dir;

static void test_sha_lengths(void **state)
{
	static const char *const tools[] = { "sha1sum", "sha256sum", "sha512sum" };
	static const char *const names[] = { "sha1", "sha256", "sha512" };
	char path[512], cmd[1024], want[160], got[160];
	uint8_t data[300], out[HASH_MAX_OUT];
	size_t len, a, i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 131 + 7);
	snprintf(path, sizeof(path), "%s/hash.bin", dir);
	for (a = 0; a < 3; a++) {
		const struct hash_alg *alg = hash_find(names[a]);

		assert_non_null(alg);
		for (len = 0; len <= sizeof(data); len += len < 140 ? 1 : 37) {
			struct hash_ctx c;
			FILE *f = fopen(path, "wb");

			assert_non_null(f);
			fwrite(data, 1, len, f);
			fclose(f);
			snprintf(cmd, sizeof(cmd), "%s '%s'", tools[a], path);
			unit_cmd_word(cmd, want, sizeof(want));
			/* in two pieces: the buffering across updates */
			hash_init(&c, alg);
			hash_update(&c, data, len / 3);
			hash_update(&c, data + len / 3, len - len / 3);
			hash_final(&c, out);
			unit_hex(out, alg->out, got);
			assert_string_equal(got, want);
		}
	}
	unlink(path);
	assert_null(hash_find("md5"));
}

static void check_pbkdf2(const char *hash, const char *pw, const char *salt, uint32_t iter,
			 size_t len, const char *want)
{
	uint8_t out[200];
	char got[401];

	assert_true(len <= sizeof(out));
	pbkdf2(hash_find(hash), pw, strlen(pw), (const uint8_t *)salt, strlen(salt), iter, out, len);
	unit_hex(out, len, got);
	assert_string_equal(got, want);
}

static void test_pbkdf2(void **state)
{
	char cmd[512], want[401];
	static const char *const names[] = { "sha1", "sha256", "sha512" };
	size_t a;

	/* RFC 6070 */
	check_pbkdf2("sha1", "password", "salt", 1, 20, "0c60c80f961f0e71f3a9b524af6012062fe037a6");
	check_pbkdf2("sha1", "password", "salt", 4096, 20, "4b007901b765489abead49d926f721d065a429c1");
	check_pbkdf2("sha1", "passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096,
		     25, "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038");
	/* longer than a block (the key is hashed first), several output blocks */
	for (a = 0; a < 3; a++) {
		snprintf(cmd, sizeof(cmd), "python3 -c \"import hashlib; print(hashlib.pbkdf2_hmac("
			 "'%s', b'k'*150, b'NaCl', 1000, 150).hex())\"", names[a]);
		unit_cmd_word(cmd, want, sizeof(want));
		check_pbkdf2(names[a], "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
			     "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
			     "NaCl", 1000, 150, want);
	}
}

/* The volume key cryptsetup made, through pbkdf2, is the header's digest. */
static void test_luks_digest(void **state)
{
	char img[512], cmd[1024], keyhex[200], got[200];
	uint8_t key[LUKS_KEY_MAX], d[HASH_MAX_OUT], *buf;
	struct luks_hdr h;
	size_t n, i;
	int v;

	for (v = 1; v <= 2; v++) {
		snprintf(img, sizeof(img), "%s/digest.img", dir);
		unit_sh("rm -f '%s' && truncate -s 20M '%s' && printf secret | cryptsetup luksFormat -q "
			"--type luks%d --pbkdf pbkdf2 --pbkdf-force-iterations 1000 %s '%s' - >/dev/null",
			img, img, v, v == 1 ? "--hash sha1" : "--hash sha512", img);
		snprintf(cmd, sizeof(cmd), "printf secret | cryptsetup luksDump --dump-volume-key -q "
			 "--key-file - '%s' 2>/dev/null | sed -n '/MK dump:/,$p' | sed 's/^MK dump://' | "
			 "tr -d ' \\t\\n'", img);
		unit_cmd_word(cmd, keyhex, sizeof(keyhex));
		buf = unit_read(img, 0, 16384, &n);
		assert_int_equal(luks_parse(buf, n, &h, got, sizeof(got)), 0);
		assert_int_equal(strlen(keyhex), 2 * h.key_size);
		for (i = 0; i < h.key_size; i++)
			sscanf(keyhex + 2 * i, "%2hhx", &key[i]);
		pbkdf2(hash_find(h.digest_hash), key, h.key_size, h.digest_salt, h.digest_salt_len,
		       h.digest_iterations, d, h.digest_len);
		assert_memory_equal(d, h.digest, h.digest_len);
		key[0] ^= 1;	/* a wrong key does not match */
		pbkdf2(hash_find(h.digest_hash), key, h.key_size, h.digest_salt, h.digest_salt_len,
		       h.digest_iterations, d, h.digest_len);
		assert_memory_not_equal(d, h.digest, h.digest_len);
		free(buf);
		unlink(img);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha_lengths),
		cmocka_unit_test(test_pbkdf2),
		cmocka_unit_test(test_luks_digest),
	};

	int r;

	dir = unit_tmpdir();
	r = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return r;
}
