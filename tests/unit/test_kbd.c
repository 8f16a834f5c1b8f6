/* test_kbd.c - the console keymap: lib/keymap.c's reader of kbd's binary
 * form, gen/kbd.c's compiling with kbd's own loadkeys and its reading of
 * the host's console-setup. */
#include "unit.h"
#include <errno.h>
#include <sys/stat.h>
#include <sys/time.h>
#include "kbd.h"
#include "keymap.h"

#define DE "tests/qemu/luks/de.kmap"

static char *dir;

static int count(void *ctx, unsigned map, unsigned key, unsigned value)
{
	(void)map, (void)key, (void)value;
	(*(unsigned *)ctx)++;
	return 0;
}

struct find {
	unsigned map, key, value;
};

static int find(void *ctx, unsigned map, unsigned key, unsigned value)
{
	struct find *f = ctx;

	if (map == f->map && key == f->key)
		f->value = value;
	return 0;
}

static unsigned entry(const uint8_t *km, size_t len, unsigned map, unsigned key)
{
	struct find f = { map, key, 0xffff };

	assert_int_equal(keymap_each(km, len, find, &f), 0);
	return f.value;
}

/* The text form compiled by loadkeys: German keys where kbd puts them. */
static void test_compile_text(void **state)
{
	char err[1024];
	uint8_t *km;
	size_t len;
	unsigned n = 0;
	int maps;

	(void)state;
	assert_non_null(kbd_loadkeys());
	assert_int_equal(kbd_keymap(DE, kbd_loadkeys(), &km, &len, err, sizeof(err)), 0);
	maps = keymap_check(km, len);
	assert_true(maps > 1);
	assert_int_equal(len, KEYMAP_HDR + (size_t)maps * KEYMAP_NKEYS * 2);
	assert_int_equal(keymap_each(km, len, count, &n), 0);
	assert_int_equal(n, (unsigned)maps * KEYMAP_NKEYS);
	/* plain map: key 21 (US y) is z, 44 (US z) is y, 53 (US /) is -;
	 * the values KDSKBENT takes: K(KT_LETTER, c) = 0x0b00 | c */
	assert_int_equal(entry(km, len, 0, 21), 0x0b7a);
	assert_int_equal(entry(km, len, 0, 44), 0x0b79);
	assert_int_equal(entry(km, len, 0, 53), 0x002d);
	/* shift: key 53 is _ */
	assert_int_equal(entry(km, len, 1, 53), 0x005f);
	free(km);
}

/* gzip'd, as console-setup caches it; and the binary form taken as is. */
static void test_gzip_and_binary(void **state)
{
	char p[512], q[512], err[1024];
	uint8_t *a, *b, *c;
	size_t alen, blen, clen;

	(void)state;
	snprintf(p, sizeof(p), "%s/de.kmap.gz", dir);
	unit_sh("gzip -9n < %s > %s", DE, p);
	assert_int_equal(kbd_keymap(DE, kbd_loadkeys(), &a, &alen, err, sizeof(err)), 0);
	assert_int_equal(kbd_keymap(p, kbd_loadkeys(), &b, &blen, err, sizeof(err)), 0);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	/* binary: no loadkeys needed */
	snprintf(q, sizeof(q), "%s/de.bmap", dir);
	unit_sh("loadkeys -q -u -b %s > %s", DE, q);
	assert_int_equal(kbd_keymap(q, NULL, &c, &clen, err, sizeof(err)), 0);
	assert_int_equal(alen, clen);
	assert_memory_equal(a, c, alen);
	free(a), free(b), free(c);
}

static void expect_err(const char *path, const char *loadkeys, int code, const char *text)
{
	char err[1024];
	uint8_t *km = (uint8_t *)1;
	size_t len = 1;

	assert_int_equal(kbd_keymap(path, loadkeys, &km, &len, err, sizeof(err)), code);
	assert_null(km);
	if (!strstr(err, text) || !strstr(err, path))
		fail_msg("%s: message \"%s\" lacks \"%s\" or the path", path, err, text);
}

static void test_refusals(void **state)
{
	char p[512];

	(void)state;
	/* no loadkeys for a text keymap: what to do */
	expect_err(DE, NULL, -ENOENT, "apt-get install kbd");
	/* a binary keymap cut short */
	snprintf(p, sizeof(p), "%s/short.bmap", dir);
	unit_sh("loadkeys -q -u -b %s | head -c 1000 > %s", DE, p);
	expect_err(p, NULL, -EINVAL, "cut short or malformed");
	/* what loadkeys cannot read */
	snprintf(p, sizeof(p), "%s/bad.kmap", dir);
	unit_sh("printf 'keycode 16 = no_such_keysym_here\\n' > %s", p);
	expect_err(p, kbd_loadkeys(), -EINVAL, "cannot compile it");
	/* binary junk */
	snprintf(p, sizeof(p), "%s/junk", dir);
	unit_sh("head -c 600 /dev/zero > %s", p);
	expect_err(p, kbd_loadkeys(), -EINVAL, "neither a keymap");
	/* gzip that is not whole */
	snprintf(p, sizeof(p), "%s/cut.gz", dir);
	unit_sh("gzip -9n < %s | head -c 500 > %s", DE, p);
	expect_err(p, kbd_loadkeys(), -EINVAL, "does not inflate");
	/* never a FIFO, a directory or a device */
	snprintf(p, sizeof(p), "%s/fifo", dir);
	unit_sh("mkfifo %s", p);
	expect_err(p, kbd_loadkeys(), -EINVAL, "not a regular file");
	expect_err(dir, kbd_loadkeys(), -EISDIR, "not a regular file");
	expect_err("/dev/zero", kbd_loadkeys(), -EINVAL, "not a regular file");
	snprintf(p, sizeof(p), "%s/none", dir);
	expect_err(p, kbd_loadkeys(), -ENOENT, "No such file");
}

static void test_check(void **state)
{
	uint8_t km[KEYMAP_HDR + 2 * KEYMAP_NKEYS * 2];

	(void)state;
	memset(km, 0, sizeof(km));
	memcpy(km, KEYMAP_MAGIC, KEYMAP_MAGIC_LEN);
	assert_int_equal(keymap_check(km, KEYMAP_HDR), -EINVAL);	/* no map */
	km[KEYMAP_MAGIC_LEN + 0] = 1;
	km[KEYMAP_MAGIC_LEN + 5] = 1;
	assert_int_equal(keymap_check(km, sizeof(km)), 2);
	assert_int_equal(keymap_check(km, sizeof(km) - 1), -EINVAL);
	km[KEYMAP_MAGIC_LEN + 5] = 2;				/* a flag not 0/1 */
	assert_int_equal(keymap_check(km, sizeof(km)), -EINVAL);
	km[KEYMAP_MAGIC_LEN + 5] = 1;
	km[0] = 'B';
	assert_int_equal(keymap_check(km, sizeof(km)), -EINVAL);
	assert_int_equal(keymap_check(km, 3), -EINVAL);
}

/* console-setup on a machine under @root */
static void host(const char *keyboard, const char *cached)
{
	unit_sh("rm -rf %s/root && mkdir -p %s/root/etc/default %s/root/etc/console-setup",
		dir, dir, dir);
	if (keyboard)
		unit_sh("printf '%s' > %s/root/etc/default/keyboard", keyboard, dir);
	if (cached)
		unit_sh("gzip -9n < %s > %s/root/etc/console-setup/%s", DE, dir, cached);
}

static int host_run(char *src, char *layout, int *stale, char *err)
{
	char root[512];

	snprintf(root, sizeof(root), "%s/root", dir);
	return kbd_host(root, src, 4096, layout, 256, stale, err, 1024);
}

static void test_host(void **state)
{
	char src[4096], layout[256], err[1024], p[600];
	int stale;

	(void)state;
	/* no console-setup: the kernel's own keymap */
	host(NULL, NULL);
	assert_int_equal(host_run(src, layout, &stale, err), 0);
	/* us: nothing to load */
	host("XKBMODEL=\"pc105\"\\nXKBLAYOUT=\"us\"\\nXKBVARIANT=\"\"\\n", "cached_UTF-8_del.kmap.gz");
	assert_int_equal(host_run(src, layout, &stale, err), 0);
	/* de: console-setup's compiled keymap */
	host("# KEYBOARD CONFIGURATION FILE\\nXKBMODEL=\"pc105\"\\nXKBLAYOUT=\"de\"\\n"
	     "XKBVARIANT=\"nodeadkeys\"\\nXKBOPTIONS=\"\"\\nBACKSPACE=\"guess\"\\n",
	     "cached_UTF-8_del.kmap.gz");
	assert_int_equal(host_run(src, layout, &stale, err), 1);
	assert_string_equal(layout, "de(nodeadkeys)");
	snprintf(p, sizeof(p), "%s/root/etc/console-setup/cached_UTF-8_del.kmap.gz", dir);
	assert_string_equal(src, p);
	/* the settings changed after it was compiled: stale */
	assert_int_equal(stale, 0);
	unit_sh("touch -d '2001-01-01' %s", p);
	assert_int_equal(host_run(src, layout, &stale, err), 1);
	assert_int_equal(stale, 1);
	/* another charmap's file is taken too; unquoted values */
	host("XKBLAYOUT=fr\\n", "cached_ISO-8859-15_del.kmap.gz");
	assert_int_equal(host_run(src, layout, &stale, err), 1);
	assert_string_equal(layout, "fr");
	assert_non_null(strstr(src, "cached_ISO-8859-15_del.kmap.gz"));
	/* a layout, nothing compiled: what to do */
	host("XKBLAYOUT=\"fr\"\\n", NULL);
	assert_int_equal(host_run(src, layout, &stale, err), -ENOENT);
	assert_non_null(strstr(err, "setupcon --save-only"));
	assert_non_null(strstr(err, "fr"));
	/* a FIFO where the compiled keymap is: never opened */
	host("XKBLAYOUT=\"fr\"\\n", NULL);
	unit_sh("mkfifo %s/root/etc/console-setup/cached_UTF-8_del.kmap.gz", dir);
	assert_int_equal(host_run(src, layout, &stale, err), -ENOENT);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_compile_text),
		cmocka_unit_test(test_gzip_and_binary),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_host),
	};
	int r;

	dir = unit_tmpdir();
	r = cmocka_run_group_tests(tests, NULL, NULL);
	unit_sh("rm -rf %s", dir);
	return r;
}
