/* test_luks.c - lib/luks.c against headers cryptsetup writes (luksFormat on
 * a file needs no device-mapper), compared field by field with what
 * cryptsetup luksDump says; then hand-made LUKS2 metadata for what must be
 * refused. */
#include "unit.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "aes.h"
#include "luks.h"

static char img[512];

/* The value after "KEY:" in luksDump's output, first occurrence after
 * the line containing @after (or from the start). */
static void dump_value(const char *after, const char *key, char *out, size_t size)
{
	char cmd[1024], line[512];
	int armed = !after;
	FILE *f;

	out[0] = '\0';
	snprintf(cmd, sizeof(cmd), "cryptsetup luksDump '%s'", img);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *p = line;

		if (!armed) {
			armed = after && strstr(line, after);
			continue;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (!strncmp(p, key, strlen(key)) && p[strlen(key)] == ':') {
			p += strlen(key) + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			p[strcspn(p, "\n")] = '\0';
			snprintf(out, size, "%.47s", p);	/* a hex line: 16 bytes */
			p = out + strlen(out);
			while (p > out && p[-1] == ' ')
				*--p = '\0';
			break;
		}
	}
	pclose(f);
}

/* luksDump prints salts and digests as hex bytes over several lines: the
 * first line is enough to compare (16 bytes). */
static void hex16(const uint8_t *b, char *out)
{
	int i;

	for (i = 0; i < 16; i++)
		sprintf(out + 3 * i, "%02x ", b[i]);
	out[47] = '\0';
}

static void parse_img(struct luks_hdr *h)
{
	char err[256];
	size_t got;
	uint8_t *buf = unit_read(img, 0, LUKS2_HDR_MAX, &got);
	int n;

	n = luks_hdr_size(buf, got);
	assert_true(n > 0 && (size_t)n <= got);
	assert_int_equal(luks_parse(buf, (size_t)n, h, err, sizeof(err)), 0);
	free(buf);
}

static void format(const char *args)
{
	unit_sh("rm -f '%s' && truncate -s 24M '%s' && printf secret | cryptsetup luksFormat -q "
		"%s '%s' - >/dev/null", img, img, args, img);
}

static void test_luks2_argon2id(void **state)
{
	struct luks_hdr h;
	char v[256], hex[52];

	format("--type luks2 --pbkdf argon2id --pbkdf-force-iterations 4 --pbkdf-memory 32768 "
	       "--pbkdf-parallel 2 --label rootdisk --sector-size 4096");
	parse_img(&h);
	assert_int_equal(h.version, 2);
	dump_value(NULL, "UUID", v, sizeof(v));
	assert_string_equal(h.uuid, v);
	assert_string_equal(h.label, "rootdisk");
	assert_string_equal(h.cipher, "aes-xts-plain64");
	assert_int_equal(h.key_size, 64);
	assert_int_equal(h.sector_size, 4096);
	assert_int_equal(h.size, 0);		/* dynamic */
	dump_value("Data segments", "offset", v, sizeof(v));
	assert_int_equal(h.offset, strtoull(v, NULL, 10));
	assert_int_equal(h.nslots, 1);
	assert_int_equal(h.slot[0].id, 0);
	assert_int_equal(h.slot[0].kdf, LUKS_ARGON2ID);
	assert_string_equal(luks_kdf_name(h.slot[0].kdf), "argon2id");
	assert_int_equal(h.slot[0].iterations, 4);
	assert_int_equal(h.slot[0].memory_kib, 32768);
	assert_int_equal(h.slot[0].cpus, 2);
	assert_int_equal(h.slot[0].salt_len, 32);
	dump_value("PBKDF", "Salt", v, sizeof(v));
	hex16(h.slot[0].salt, hex);
	assert_string_equal(hex, v);
	dump_value("Keyslots", "AF stripes", v, sizeof(v));
	assert_int_equal(h.slot[0].stripes, strtoul(v, NULL, 10));
	assert_string_equal(h.slot[0].af_hash, "sha256");
	assert_string_equal(h.slot[0].cipher, "aes-xts-plain64");
	assert_int_equal(h.slot[0].area_key_size, 64);
	dump_value("Keyslots", "Area offset", v, sizeof(v));
	assert_int_equal(h.slot[0].area_offset, strtoull(v, NULL, 10));
	dump_value("Keyslots", "Area length", v, sizeof(v));
	assert_int_equal(h.slot[0].area_size, strtoull(v, NULL, 10));
	/* the volume key's digest */
	assert_string_equal(h.digest_hash, "sha256");
	dump_value("Digests", "Iterations", v, sizeof(v));
	assert_int_equal(h.digest_iterations, strtoul(v, NULL, 10));
	dump_value("Digests", "Salt", v, sizeof(v));
	hex16(h.digest_salt, hex);
	assert_string_equal(hex, v);
	dump_value("Digests", "Digest", v, sizeof(v));
	hex16(h.digest, hex);
	assert_string_equal(hex, v);
	assert_int_equal(h.digest_len, 32);
}

/* pbkdf2 keyslots, a second one with a higher priority: tried first. */
static void test_luks2_pbkdf2_priority(void **state)
{
	struct luks_hdr h;
	char v[256];

	format("--type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --hash sha512 "
	       "--cipher aes-xts-plain64 --key-size 256");
	unit_sh("printf secret > '%s.old' && printf other > '%s.new' && cryptsetup luksAddKey -q "
		"--pbkdf pbkdf2 --pbkdf-force-iterations 1001 --key-file '%s.old' '%s' '%s.new' && "
		"rm -f '%s.old' '%s.new'", img, img, img, img, img, img, img);
	unit_sh("cryptsetup config --priority prefer --key-slot 1 '%s'", img);
	parse_img(&h);
	assert_int_equal(h.key_size, 32);
	dump_value("Data segments", "sector", v, sizeof(v));
	assert_int_equal(h.sector_size, strtoul(v, NULL, 10));
	assert_int_equal(h.nslots, 2);
	assert_int_equal(h.slot[0].id, 1);	/* "prefer" first */
	assert_int_equal(h.slot[0].priority, 2);
	assert_int_equal(h.slot[0].iterations, 1001);
	assert_int_equal(h.slot[1].id, 0);
	assert_int_equal(h.slot[1].kdf, LUKS_PBKDF2);
	assert_string_equal(h.slot[1].hash, "sha512");
	assert_int_equal(h.slot[1].iterations, 1000);
	dump_value(NULL, "UUID", v, sizeof(v));
	assert_string_equal(h.uuid, v);
}

static void test_luks1(void **state)
{
	struct luks_hdr h;
	char v[256], hex[52];

	format("--type luks1 --pbkdf-force-iterations 1000 --hash sha256");
	parse_img(&h);
	assert_int_equal(h.version, 1);
	dump_value(NULL, "UUID", v, sizeof(v));
	assert_string_equal(h.uuid, v);
	assert_string_equal(h.cipher, "aes-xts-plain64");
	assert_int_equal(h.key_size, 64);
	assert_int_equal(h.sector_size, 512);
	dump_value(NULL, "Payload offset", v, sizeof(v));
	assert_int_equal(h.offset, strtoull(v, NULL, 10) * 512);
	dump_value(NULL, "MK iterations", v, sizeof(v));
	assert_int_equal(h.digest_iterations, strtoul(v, NULL, 10));
	dump_value(NULL, "MK digest", v, sizeof(v));
	hex16(h.digest, hex);
	assert_string_equal(hex, v);
	assert_int_equal(h.digest_len, 20);
	assert_string_equal(h.digest_hash, "sha256");
	assert_int_equal(h.nslots, 1);
	assert_int_equal(h.slot[0].kdf, LUKS_PBKDF2);
	assert_int_equal(h.slot[0].iterations, 1000);
	dump_value("Key Slot 0", "Key material offset", v, sizeof(v));
	assert_int_equal(h.slot[0].area_offset, strtoull(v, NULL, 10) * 512);
	dump_value("Key Slot 0", "AF stripes", v, sizeof(v));
	assert_int_equal(h.slot[0].stripes, strtoul(v, NULL, 10));
	assert_int_equal(h.slot[0].area_size, 64 * 4000);
	dump_value("Key Slot 0", "Salt", v, sizeof(v));
	hex16(h.slot[0].salt, hex);
	assert_string_equal(hex, v);
}

/* ---- unlocking ------------------------------------------------------------ */

/* The volume key cryptsetup reports for passphrase "secret", as bytes. */
static size_t dump_key(uint8_t *key)
{
	char cmd[1024], hexkey[300];
	size_t n = 0, i;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "printf secret | cryptsetup luksDump --dump-volume-key -q "
		 "--key-file - '%s' 2>/dev/null | sed -n '/MK dump:/,$p' | sed 's/^MK dump://' | "
		 "tr -d ' \\t\\n'", img);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(hexkey, 1, sizeof(hexkey) - 1, f);
	pclose(f);
	hexkey[n] = '\0';
	for (i = 0; i < n / 2; i++)
		sscanf(hexkey + 2 * i, "%2hhx", &key[i]);
	return n / 2;
}

/* Format with @args, then open every keyslot with "secret" and with a
 * wrong passphrase, natively, and compare with cryptsetup's volume key. */
static void unlock_as_cryptsetup(const char *args)
{
	uint8_t want[LUKS_KEY_MAX], key[LUKS_KEY_MAX], *area;
	struct luks_hdr h;
	char err[256];
	size_t got;
	void *mem;

	format(args);
	parse_img(&h);
	assert_int_equal(dump_key(want), h.key_size);
	assert_true(h.nslots >= 1);
	mem = malloc(luks_kdf_mem(&h.slot[0]) + 1);
	assert_non_null(mem);
	area = unit_read(img, (long)h.slot[0].area_offset, h.slot[0].area_size, &got);
	assert_int_equal(got, h.slot[0].area_size);
	assert_int_equal(luks_unlock(&h, &h.slot[0], "secret", 6, area, mem, key, err,
				     sizeof(err)), 0);
	assert_memory_equal(key, want, h.key_size);
	free(area);
	area = unit_read(img, (long)h.slot[0].area_offset, h.slot[0].area_size, &got);
	assert_int_equal(luks_unlock(&h, &h.slot[0], "secreT", 6, area, mem, key, err,
				     sizeof(err)), -EPERM);
	free(area);
	free(mem);
}

static void test_unlock(void **state)
{
	unlock_as_cryptsetup("--type luks2 --pbkdf argon2id --pbkdf-force-iterations 4 "
			     "--pbkdf-memory 32768 --pbkdf-parallel 2");
	unlock_as_cryptsetup("--type luks2 --pbkdf argon2i --pbkdf-force-iterations 4 "
			     "--pbkdf-memory 8192 --pbkdf-parallel 1 --key-size 256");
	unlock_as_cryptsetup("--type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 "
			     "--hash sha512 --sector-size 4096");
	unlock_as_cryptsetup("--type luks1 --pbkdf-force-iterations 1000 --hash sha1");
	unlock_as_cryptsetup("--type luks1 --pbkdf-force-iterations 1000 --hash sha256 "
			     "--cipher aes-cbc-essiv:sha256 --key-size 256");
	unlock_as_cryptsetup("--type luks1 --pbkdf-force-iterations 1000 --hash sha256 "
			     "--cipher aes-cbc-plain64 --key-size 128");
}

/* FIPS 197, appendix C: the three key sizes both ways. */
static void test_aes_fips197(void **state)
{
	static const char *const want[3] = {
		"69c4e0d86a7b0430d8cdb78070b4c55a", "dda97ca4864cdfe06eaf70a0ec0d7191",
		"8ea2b7ca516745bfeafc49904b496089",
	};
	uint8_t key[32], pt[16], ct[16], back[16];
	struct aes_key k;
	char hex[40];
	int i, n;

	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < 16; i++)
		pt[i] = (uint8_t)(i * 0x11);
	for (n = 0; n < 3; n++) {
		assert_int_equal(aes_setkey(&k, key, 16 + 8 * (size_t)n), 0);
		aes_encrypt(&k, pt, ct);
		for (i = 0; i < 16; i++)
			sprintf(hex + 2 * i, "%02x", ct[i]);
		assert_string_equal(hex, want[n]);
		aes_decrypt(&k, ct, back);
		assert_memory_equal(back, pt, 16);
	}
	assert_int_equal(aes_setkey(&k, key, 20), -EINVAL);
}

/* A cipher that is not here: LUKS1's cipher name changed in the header
 * (cryptsetup itself would need the host's device-mapper for serpent). */
static void test_unsupported_cipher(void **state)
{
	uint8_t key[LUKS_KEY_MAX], *area, *buf;
	struct luks_hdr h;
	char err[256];
	size_t got;

	format("--type luks1 --pbkdf-force-iterations 1000");
	buf = unit_read(img, 0, LUKS1_HDR_SIZE, &got);
	memcpy(buf + 8, "serpent\0", 8);
	assert_int_equal(luks_parse(buf, got, &h, err, sizeof(err)), 0);
	assert_string_equal(h.cipher, "serpent-xts-plain64");
	area = unit_read(img, (long)h.slot[0].area_offset, h.slot[0].area_size, &got);
	assert_int_equal(luks_unlock(&h, &h.slot[0], "secret", 6, area, NULL, key, err,
				     sizeof(err)), -EOPNOTSUPP);
	assert_non_null(strstr(err, "serpent-xts-plain64"));
	free(area);
	free(buf);
}

/* ---- refused ------------------------------------------------------------ */

static const char *const good_json[4] = {
	"{\"keyslots\":{\"0\":{\"type\":\"luks2\",\"key_size\":64,\"af\":{\"type\":\"luks1\","
	"\"stripes\":4000,\"hash\":\"sha256\"},\"area\":{\"type\":\"raw\",\"offset\":\"32768\","
	"\"size\":\"258048\",\"encryption\":\"aes-xts-plain64\",\"key_size\":64},\"kdf\":{\"type\":"
	"\"argon2id\",\"time\":4,\"memory\":32768,\"cpus\":1,\"salt\":\"MnSBPj3NxsWsp9lvkkhRSw8CzKFW"
	"ZLh//QYaBJTobW8=\"}}},",
	"\"segments\":{\"0\":{\"type\":\"crypt\",\"offset\":\"16777216\","
	"\"size\":\"dynamic\",\"iv_tweak\":\"0\",\"encryption\":\"aes-xts-plain64\",\"sector_size\":"
	"4096", "}},\"digests\":{\"0\":{\"type\":\"pbkdf2\",\"keyslots\":[\"0\"],\"segments\":[\"0\"],"
	"\"hash\":\"sha256\",\"iterations\":1000,\"salt\":\"NqLFix9PIcAtbotf9ihI7n5rHi3ETWi7vzGkUQJ7"
	"uJU=\",\"digest\":\"G2C9mLD4KnpT2ZKWyutDlyWH1zHu61cC1cz1MZYu03Y=\"}},\"config\":{"
	"\"json_size\":\"12288\",\"keyslots_size\":\"16744448\"", "}}"
};

/* A LUKS2 header in memory: good_json with three extras (after
 * "keyslots", inside segment 0, inside config). */
static int parse_json(const char *tokens, const char *seg, const char *cfg, char *err,
		      struct luks_hdr *h)
{
	static uint8_t b[16384];
	int r;

	memset(b, 0, sizeof(b));
	memcpy(b, "LUKS\xba\xbe\x00\x02\x00\x00\x00\x00\x00\x00\x40\x00", 16);
	memcpy(b + 168, "79abe933-24a2-4f3e-b46f-72b286c9795f", 36);
	snprintf((char *)b + 4096, sizeof(b) - 4096, "%s%s%s%s%s%s%s", good_json[0], tokens,
		 good_json[1], seg, good_json[2], cfg, good_json[3]);
	assert_int_equal(luks_hdr_size(b, sizeof(b)), 16384);
	r = luks_parse(b, sizeof(b), h, err, 256);
	return r;
}

static void test_refused(void **state)
{
	struct luks_hdr h;
	char err[256];

	assert_int_equal(parse_json("", "", "", err, &h), 0);
	assert_int_equal(h.nslots, 1);
	assert_int_equal(h.offset, 16777216);
	/* a TPM2 token holds the only keyslot */
	assert_int_equal(parse_json("\"tokens\":{\"0\":{\"type\":\"systemd-tpm2\",\"keyslots\":[\"0\"]}},",
				    "", "", err, &h), -EOPNOTSUPP);
	assert_non_null(strstr(err, "systemd-tpm2"));
	assert_non_null(strstr(err, "luksAddKey"));
	/* a token on another keyslot leaves the passphrase's */
	assert_int_equal(parse_json("\"tokens\":{\"0\":{\"type\":\"systemd-fido2\",\"keyslots\":[\"5\"]}},",
				    "", "", err, &h), 0);
	assert_int_equal(h.nslots, 1);
	/* authenticated encryption, requirements, damaged JSON */
	assert_int_equal(parse_json("", ",\"integrity\":{\"type\":\"hmac(sha256)\"}", "", err, &h),
			 -EOPNOTSUPP);
	assert_non_null(strstr(err, "dm-integrity"));
	assert_int_equal(parse_json("", "", ",\"requirements\":{\"mandatory\":[\"online-reencrypt-v2\"]}",
				    err, &h), -EOPNOTSUPP);
	assert_non_null(strstr(err, "online-reencrypt-v2"));
	assert_int_equal(parse_json("", "", ",", err, &h), -EINVAL);
	assert_non_null(strstr(err, "not valid JSON"));
	assert_int_equal(h.nslots, 0);
	/* not LUKS at all; a bad version; a size that is no power of two */
	assert_int_equal(luks_parse((const uint8_t *)"LUKX\xba\xbe\0\2", 8, &h, err, 256), -ENOENT);
	assert_int_equal(luks_hdr_size((const uint8_t *)"LUKS\xba\xbe\0\3", 8), -EINVAL);
	assert_int_equal(luks_hdr_size((const uint8_t *)"LUKS\xba\xbe\0\2\0\0\0\0\0\0\x41\0", 16),
			 -EINVAL);
	assert_int_equal(luks_parse((const uint8_t *)"LUKS\xba\xbe\0\2\0\0\0\0\0\0\x40\0", 16, &h,
				    err, 256), -EINVAL);
	assert_non_null(strstr(err, "size"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_luks2_argon2id),
		cmocka_unit_test(test_luks2_pbkdf2_priority),
		cmocka_unit_test(test_luks1),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_unlock),
		cmocka_unit_test(test_aes_fips197),
		cmocka_unit_test(test_unsupported_cipher),
	};
	int r;

	snprintf(img, sizeof(img), "%s/luks.img", unit_tmpdir());
	r = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(img);
	*strrchr(img, '/') = '\0';
	rmdir(img);
	return r;
}
