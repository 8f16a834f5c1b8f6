/* fuzz_luks.c - luks_hdr_size() and luks_parse() on a device's first bytes,
 * exactly as long as the input (ASan sees any read past it), and the
 * invariants luks.h promises of what it accepts. */
#include <errno.h>
#include <string.h>
#include "luks.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct luks_hdr h;
	char err[160];
	unsigned i;
	int n, r;

	n = luks_hdr_size(data, size);
	FUZZ_CHECK(n == -ENOENT || n == -EINVAL || n == LUKS1_HDR_SIZE ||
		   (n >= 16384 && (unsigned)n <= LUKS2_HDR_MAX));
	r = luks_parse(data, size, &h, err, sizeof(err));
	FUZZ_TERMINATED(err);
	if (r) {
		FUZZ_CHECK(r == -ENOENT || r == -EINVAL || r == -EOPNOTSUPP);
		FUZZ_CHECK(r == -ENOENT || err[0]);
		FUZZ_CHECK(h.nslots == 0 && h.version == 0);
		return 0;
	}
	FUZZ_CHECK(n > 0 && (size_t)n <= size);
	FUZZ_CHECK(h.version == 1 || h.version == 2);
	FUZZ_TERMINATED(h.uuid);
	FUZZ_TERMINATED(h.label);
	FUZZ_TERMINATED(h.cipher);
	FUZZ_TERMINATED(h.digest_hash);
	FUZZ_CHECK(h.cipher[0] && h.digest_hash[0]);
	FUZZ_CHECK(h.key_size >= 1 && h.key_size <= LUKS_KEY_MAX);
	FUZZ_CHECK(h.sector_size >= 512 && h.sector_size <= 4096 && h.offset % 512 == 0);
	FUZZ_CHECK(h.digest_len >= 1 && h.digest_len <= LUKS_DIGEST_MAX && h.digest_iterations);
	FUZZ_CHECK(h.digest_salt_len >= 1 && h.digest_salt_len <= LUKS_SALT_MAX);
	FUZZ_CHECK(h.nslots >= (h.version == 2) && h.nslots <= LUKS_SLOTS_MAX);
	for (i = 0; i < h.nslots; i++) {
		const struct luks_keyslot *s = &h.slot[i];

		FUZZ_TERMINATED(s->hash);
		FUZZ_TERMINATED(s->af_hash);
		FUZZ_TERMINATED(s->cipher);
		FUZZ_CHECK(s->id < LUKS_SLOTS_MAX && s->iterations && s->stripes);
		FUZZ_CHECK(s->key_size == h.key_size);
		FUZZ_CHECK(s->area_key_size >= 1 && s->area_key_size <= LUKS_KEY_MAX);
		FUZZ_CHECK(s->salt_len >= 1 && s->salt_len <= LUKS_SALT_MAX);
		FUZZ_CHECK((uint64_t)s->stripes * s->key_size <= s->area_size);
		FUZZ_CHECK(s->area_offset + s->area_size >= s->area_offset);
		FUZZ_CHECK(s->priority >= 0 && s->priority <= 2);
		FUZZ_CHECK(s->kdf != LUKS_PBKDF2 || s->hash[0]);
		FUZZ_CHECK(s->kdf == LUKS_PBKDF2 || (s->memory_kib >= 8 * s->cpus && s->cpus));
		if (i)
			FUZZ_CHECK(h.slot[i - 1].priority >= s->priority);
	}
	return 0;
}
