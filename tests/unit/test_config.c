/* test_config.c - the configuration file parser (format: config.h) */
#include "unit.h"
#include <errno.h>
#include <sys/stat.h>
#include "config.h"

#define NAME "t.conf"

static char err[512];

/* Parse @len bytes of @s from an exactly sized heap copy, so that
 * AddressSanitizer catches any read past the end. */
static int parse_n(struct config *c, const char *s, size_t len)
{
	char *b = malloc(len ? len : 1);
	int r;

	assert_non_null(b);
	memcpy(b, s, len);
	memset(err, 'x', sizeof(err));
	err[sizeof(err) - 1] = '\0';
	r = config_parse_buf(c, NAME, b, len, err, sizeof(err));
	free(b);
	return r;
}

static int parse(struct config *c, const char *s)
{
	return parse_n(c, s, strlen(s));
}

/* Parse @s, which must succeed, into a fresh *c. */
static void ok(struct config *c, const char *s)
{
	int r;

	config_init(c);
	r = parse(c, s);
	if (r)
		fail_msg("parse failed (%d): %s\ninput: %s", r, err, s);
	assert_string_equal(err, "");
}

/* Every setting of @c unset. */
static void assert_unset(const struct config *c)
{
	assert_null(c->kver);
	assert_null(c->basedir);
	assert_null(c->datadir);
	assert_null(c->init);
	assert_null(c->compress);
	assert_null(c->output);
	assert_int_equal(c->level, -1);
	assert_int_equal(c->threads, -1);
	assert_null(c->modules);
	assert_null(c->sets);
	assert_null(c->hooks);
	assert_int_equal(c->generic, -1);
	assert_int_equal(c->hostonly, -1);
	assert_int_equal(c->verbose, -1);
	assert_int_equal(c->backup, -1);
	assert_int_equal(c->microcode, -1);
	assert_int_equal(c->lazy_modules, -1);
	assert_int_equal(c->compress_line, 0);
	assert_int_equal(c->level_line, 0);
	assert_int_equal(c->threads_line, 0);
}

/* @s must fail with -EINVAL, a message starting "t.conf:LINE: " and
 * holding every one of the NULL-terminated strings after @line; and must
 * leave the config untouched. */
static void bad(const char *s, size_t len, unsigned int line, ...)
{
	struct config c;
	char prefix[64];
	const char *want;
	va_list ap;
	int r;

	config_init(&c);
	r = parse_n(&c, s, len);
	if (r != -EINVAL)
		fail_msg("expected -EINVAL, got %d (%s) for: %.*s", r, err, (int)len, s);
	snprintf(prefix, sizeof(prefix), NAME ":%u: ", line);
	if (strncmp(err, prefix, strlen(prefix)))
		fail_msg("message '%s' does not start with '%s'", err, prefix);
	va_start(ap, line);
	while ((want = va_arg(ap, const char *)))
		if (!strstr(err, want))
			fail_msg("message '%s' lacks '%s'", err, want);
	va_end(ap);
	assert_unset(&c);
	config_free(&c);
}

#define BAD(s, line, ...) bad(s, strlen(s), line, __VA_ARGS__, (const char *)NULL)

static void assert_list(char **l, ...)
{
	const char *want;
	size_t i = 0;
	va_list ap;

	assert_non_null(l);
	va_start(ap, l);
	while ((want = va_arg(ap, const char *))) {
		assert_non_null(l[i]);
		assert_string_equal(l[i], want);
		i++;
	}
	va_end(ap);
	assert_null(l[i]);
}

#define LIST(l, ...) assert_list(l, __VA_ARGS__, (const char *)NULL)
#define EMPTY_LIST(l) assert_list(l, (const char *)NULL)

static void test_init_free(void **state)
{
	struct config c;

	memset(&c, 0x5a, sizeof(c));
	config_init(&c);
	assert_unset(&c);
	config_free(&c);
	assert_unset(&c);
	ok(&c, "KVER=6.1.0\nMODULES=\"a b\"\nLEVEL=3\nVERBOSE=yes\n");
	assert_non_null(c.kver);
	config_free(&c);
	assert_unset(&c);
	config_free(&c);	/* twice is harmless */
}

static void test_every_key(void **state)
{
	struct config c;

	ok(&c,
	   "KVER=6.1.0-18-amd64\n"
	   "BASEDIR=/srv/root\n"
	   "DATADIR=/usr/lib/initkit\n"
	   "INIT=/usr/lib/initkit/init\n"
	   "COMPRESS=zstd\n"
	   "LEVEL=19\n"
	   "THREADS=4\n"
	   "MODULES=\"nvme ext4 dm-crypt\"\n"
	   "SETS='storage net'\n"
	   "HOOKS=lvm\n"
	   "GENERIC=yes\n"
	   "HOSTONLY=no\n"
	   "VERBOSE=yes\n"
	   "BACKUP=no\n"
	   "MICROCODE=yes\n"
	   "OUTPUT=/boot/initrd.img-6.1.0-18-amd64\n");
	assert_string_equal(c.kver, "6.1.0-18-amd64");
	assert_string_equal(c.basedir, "/srv/root");
	assert_string_equal(c.datadir, "/usr/lib/initkit");
	assert_string_equal(c.init, "/usr/lib/initkit/init");
	assert_string_equal(c.compress, "zstd");
	assert_int_equal(c.level, 19);
	assert_int_equal(c.threads, 4);
	LIST(c.modules, "nvme", "ext4", "dm-crypt");
	LIST(c.sets, "storage", "net");
	LIST(c.hooks, "lvm");
	assert_int_equal(c.generic, 1);
	assert_int_equal(c.hostonly, 0);
	assert_int_equal(c.verbose, 1);
	assert_int_equal(c.backup, 0);
	assert_int_equal(c.microcode, 1);
	assert_string_equal(c.output, "/boot/initrd.img-6.1.0-18-amd64");
	config_free(&c);

	/* the other half of each yes/no */
	ok(&c, "GENERIC=no\nHOSTONLY=yes\nVERBOSE=no\nBACKUP=yes\nMICROCODE=no\n");
	assert_int_equal(c.generic, 0);
	assert_int_equal(c.hostonly, 1);
	assert_int_equal(c.verbose, 0);
	assert_int_equal(c.backup, 1);
	assert_int_equal(c.microcode, 0);
	assert_null(c.kver);
	assert_int_equal(c.level, -1);
	config_free(&c);

	/* an empty file sets nothing */
	ok(&c, "");
	assert_unset(&c);
	config_free(&c);
}

static void test_compress_values(void **state)
{
	static const char *const algs[] = { "gzip", "zstd", "xz", "lz4", "none" };
	char line[64];
	struct config c;
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		snprintf(line, sizeof(line), "COMPRESS=%s\n", algs[i]);
		ok(&c, line);
		assert_string_equal(c.compress, algs[i]);
		config_free(&c);
	}
	BAD("COMPRESS=bzip2\n", 1, "COMPRESS=bzip2", "gzip, zstd, xz, lz4 or none");
	BAD("COMPRESS=GZIP\n", 1, "COMPRESS=GZIP", "unknown compression");
	BAD("COMPRESS=\n", 1, "COMPRESS is empty");
}

static void test_numbers(void **state)
{
	struct config c;

	ok(&c, "LEVEL=0\nTHREADS=1\n");
	assert_int_equal(c.level, 0);
	assert_int_equal(c.threads, 1);
	config_free(&c);
	ok(&c, "LEVEL=19\nTHREADS=64\n");
	assert_int_equal(c.level, 19);
	assert_int_equal(c.threads, 64);
	config_free(&c);
	ok(&c, "LEVEL=\"007\"\n");
	assert_int_equal(c.level, 7);
	config_free(&c);

	BAD("LEVEL=20\n", 1, "LEVEL=20", "from 0 to 19", "zstd 1-19");
	BAD("LEVEL=abc\n", 1, "LEVEL=abc", "number");
	BAD("LEVEL=-1\n", 1, "LEVEL=-1", "number");
	BAD("LEVEL=+3\n", 1, "LEVEL=+3");
	BAD("LEVEL=3x\n", 1, "LEVEL=3x");
	BAD("LEVEL=' 3'\n", 1, "LEVEL= 3");
	BAD("LEVEL=99999999999999999999999\n", 1, "LEVEL=9999", "from 0 to 19");
	BAD("LEVEL=\n", 1, "LEVEL is empty");
	BAD("THREADS=0\n", 1, "THREADS=0", "from 1 to 64");
	BAD("THREADS=65\n", 1, "THREADS=65", "from 1 to 64");
	BAD("THREADS=four\n", 1, "THREADS=four");
	BAD("THREADS=4294967297\n", 1, "THREADS=4294967297");
}

static void test_bools(void **state)
{
	static const char *const keys[] = { "GENERIC", "HOSTONLY", "VERBOSE", "BACKUP",
					     "MICROCODE" };
	static const char *const bad_vals[] = { "Yes", "YES", "true", "1", "y", "on", "no2" };
	char line[64], want[64];
	size_t i, j;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		for (j = 0; j < sizeof(bad_vals) / sizeof(bad_vals[0]); j++) {
			snprintf(line, sizeof(line), "\n%s=%s\n", keys[i], bad_vals[j]);
			snprintf(want, sizeof(want), "%s=%s: use yes or no", keys[i], bad_vals[j]);
			BAD(line, 2, want);
		}
		snprintf(line, sizeof(line), "%s=\n", keys[i]);
		snprintf(want, sizeof(want), "%s is empty", keys[i]);
		BAD(line, 1, want);
	}
}

static void test_lists(void **state)
{
	struct config c;

	ok(&c, "MODULES=\"  a\tb   c \"\nSETS=''\nHOOKS=\"\"\n");
	LIST(c.modules, "a", "b", "c");
	EMPTY_LIST(c.sets);		/* set, and empty */
	EMPTY_LIST(c.hooks);
	config_free(&c);

	ok(&c, "MODULES=\nSETS=one\n");
	EMPTY_LIST(c.modules);
	LIST(c.sets, "one");
	assert_null(c.hooks);
	config_free(&c);

	ok(&c, "MODULES='crypto-aes pci:v*d*' # aliases too\n");
	LIST(c.modules, "crypto-aes", "pci:v*d*");
	config_free(&c);
}

static void test_quoting(void **state)
{
	struct config c;

	ok(&c, "KVER=\"6.1 rc\"\nOUTPUT='/boot/my initrd'\n");
	assert_string_equal(c.kver, "6.1 rc");
	assert_string_equal(c.output, "/boot/my initrd");
	config_free(&c);

	/* double quotes: \" \\ \$ \` escape; other backslashes stay (as in sh) */
	ok(&c, "KVER=\"a\\\"b\\\\c\\$d\\`e\\nf\\\"\"\n");
	assert_string_equal(c.kver, "a\"b\\c$d`e\\nf\"");
	config_free(&c);

	/* single quotes: every byte literal */
	ok(&c, "KVER='a\\b$c\"d`e#f'\nINIT='/x\\'\n");
	assert_string_equal(c.kver, "a\\b$c\"d`e#f");
	assert_string_equal(c.init, "/x\\");
	config_free(&c);

	/* '#' inside a word or inside quotes is not a comment */
	ok(&c, "KVER=6.1#2\nINIT=\"/x #y\"\n");
	assert_string_equal(c.kver, "6.1#2");
	assert_string_equal(c.init, "/x #y");
	config_free(&c);

	/* other bytes pass through: '=' in a value, UTF-8, a lone '~' later */
	ok(&c, "OUTPUT=/boot/a=b~\nBASEDIR=/srv/r\xc3\xa9pertoire\n");
	assert_string_equal(c.output, "/boot/a=b~");
	assert_string_equal(c.basedir, "/srv/r\xc3\xa9pertoire");
	config_free(&c);

	BAD("KVER=\"6.1\n", 1, "KVER", "no closing \"");
	BAD("KVER='6.1\n", 1, "KVER", "no closing '");
	BAD("KVER='it\\'s'\n", 1, "KVER", "'s'' after the closing '");	/* no \' in '' */
	BAD("KVER=\"6.1\\\"\n", 1, "KVER", "no closing \"");
	BAD("\nKVER=\"6.1\"x\n", 2, "KVER", "'x' after the closing \"");
	BAD("KVER='6.1' x\n", 1, "KVER", "'x' after the closing '");
	BAD("KVER=\"6.1\"#c\n", 1, "KVER", "after the closing");
	BAD("KVER=\"a\"\"b\"\n", 1, "KVER", "after the closing");
	BAD("MODULES=a b\n", 1, "MODULES", "unquoted space", "MODULES=\"a b\"");
	BAD("MODULES=a b c  # x\n", 1, "MODULES=\"a b c\")");
	BAD("KVER=a\"b\"\n", 1, "KVER", "'\"' in an unquoted value");
	BAD("KVER=a'b'\n", 1, "KVER", "'''");
	BAD("KVER=a\\ b\n", 1, "KVER", "'\\'");
	BAD("KVER=$(uname -r)\n", 1, "KVER", "'$'");
	BAD("KVER=`uname -r`\n", 1, "KVER", "'`'");
	BAD("KVER=a;b\n", 1, "KVER", "';'");
	BAD("OUTPUT=a>b\n", 1, "OUTPUT", "'>'");
	BAD("OUTPUT=\"/boot/initrd-$KVER\"\n", 1, "OUTPUT", "'$' would expand", "\\$");
	BAD("OUTPUT=\"`x`\"\n", 1, "OUTPUT", "'`' would expand");
	BAD("OUTPUT=~/initrd\n", 1, "OUTPUT", "'~' is not expanded");
	BAD("KVER=\"\"\n", 1, "KVER is empty");
	BAD("KVER=''  # nothing\n", 1, "KVER is empty");
}

static void test_comments(void **state)
{
	struct config c;

	ok(&c,
	   "# a comment\n"
	   "\n"
	   "   \t \n"
	   "\t# indented comment\n"
	   "  KVER=6.1\t# trailing\n"
	   "OUTPUT=\"/a\" # after quotes\n"
	   "INIT='/i'\t#tab then comment\n"
	   "BASEDIR=/b   \n"
	   "MODULES= # an empty list\n"
	   "#DATADIR=/commented/out\n");
	assert_string_equal(c.kver, "6.1");
	assert_string_equal(c.output, "/a");
	assert_string_equal(c.init, "/i");
	assert_string_equal(c.basedir, "/b");
	EMPTY_LIST(c.modules);
	assert_null(c.datadir);
	config_free(&c);

	BAD("# ok\n\nLEVEL= # still empty\n", 3, "LEVEL is empty");
}

static void test_malformed(void **state)
{
	BAD("KVER\n", 1, "expected KEY=VALUE", "'KVER'");
	BAD("# c\nhello world\n", 2, "expected KEY=VALUE", "'hello world'");
	BAD("=6.1\n", 1, "expected KEY=VALUE", "'=6.1'");
	BAD("KVER =6.1\n", 1, "space before '='", "KVER=VALUE");
	BAD("KVER = 6.1\n", 1, "space before '='", "KVER=VALUE");
	BAD("KVER\t=6.1\n", 1, "space before '='");
	BAD("KVER= 6.1\n", 1, "KVER", "space after '='", "KVER=VALUE");
	BAD("KVER=\t6.1\n", 1, "space after '='");
	BAD("1KVER=6.1\n", 1, "'1KVER' is not a setting name");
	BAD("K-VER=6.1\n", 1, "'K-VER' is not a setting name");
	BAD("export KVER=6.1\n", 1, "'export KVER' is not a setting name");
	BAD("KVER=6.1\nKVER\n", 2, "expected KEY=VALUE");
}

static void test_unknown_keys(void **state)
{
	BAD("COMPRES=zstd\n", 1, "unknown setting 'COMPRES'", "did you mean COMPRESS?");
	BAD("\n\nCOMRPESS=zstd\n", 3, "'COMRPESS'", "did you mean COMPRESS?");
	BAD("compress=zstd\n", 1, "'compress'", "did you mean COMPRESS?");
	BAD("MODULE=ext4\n", 1, "did you mean MODULES?");
	BAD("HOOK=lvm\n", 1, "did you mean HOOKS?");
	BAD("THREAD=2\n", 1, "did you mean THREADS?");
	BAD("HOST_ONLY=yes\n", 1, "did you mean HOSTONLY?");
	BAD("MICROCDE=yes\n", 1, "did you mean MICROCODE?");
	BAD("OUTPT=/x\n", 1, "did you mean OUTPUT?");
	/* distance 2: two edits */
	BAD("CMPRES=zstd\n", 1, "'CMPRES'", "did you mean COMPRESS?");
	BAD("MODUL=ext4\n", 1, "did you mean MODULES?");
	BAD("kvr=6.1\n", 1, "did you mean KVER?");
	/* two swaps of neighbours count as two edits, not four */
	BAD("OCMRPESS=zstd\n", 1, "did you mean COMPRESS?");
	/* distance 3 and more: no guess, the list instead */
	BAD("KERNELVER=6.1\n", 1, "unknown setting 'KERNELVER'", "the settings are KVER");
	BAD("XYZZY=1\n", 1, "unknown setting 'XYZZY' (", "MICROCODE)");
	{
		struct config c;

		config_init(&c);
		assert_int_equal(parse(&c, "XYZZY=1\n"), -EINVAL);
		assert_null(strstr(err, "did you mean"));
		assert_int_equal(parse(&c, "COMPRESSION_LEVEL=1\n"), -EINVAL);
		assert_null(strstr(err, "did you mean"));
		assert_int_equal(parse(&c, "MODU=1\n"), -EINVAL);	/* distance 3 */
		assert_null(strstr(err, "did you mean"));
		assert_int_equal(parse(&c, "CMPRE=1\n"), -EINVAL);
		assert_null(strstr(err, "did you mean"));
	}
}

static void test_duplicates(void **state)
{
	BAD("KVER=1\nKVER=1\n", 2, "KVER is already set on line 1");
	BAD("# x\nLEVEL=3\n\nCOMPRESS=xz\n\nLEVEL=4\n", 6, "LEVEL is already set on line 2");
	/* even when the first was an empty list */
	BAD("MODULES=\nSETS=a\nMODULES=b\n", 3, "MODULES is already set on line 1");
}

static void test_crlf(void **state)
{
	struct config c;

	ok(&c, "# dos\r\nKVER=6.1\r\nMODULES=\"a b\"\r\n\r\nVERBOSE=yes # c\r\nOUTPUT='/o'\r\n");
	assert_string_equal(c.kver, "6.1");
	LIST(c.modules, "a", "b");
	assert_int_equal(c.verbose, 1);
	assert_string_equal(c.output, "/o");
	config_free(&c);

	/* a CR anywhere but before the LF is a control character */
	BAD("KVER=6.1\nINIT=a\rb\n", 2, "control character 0x0d");
	BAD("KVER=6.1\r\r\n", 1, "control character 0x0d");
	BAD("KVER=6.1\nLEVEL=3\x1b\n", 2, "control character 0x1b");
	BAD("KVER=6.1\x7f\n", 1, "control character 0x7f");
	/* errors on CR LF files still name the right line */
	BAD("KVER=6.1\r\nLEVEL=x\r\n", 2, "LEVEL=x:");
}

static void test_no_trailing_newline(void **state)
{
	struct config c;

	ok(&c, "KVER=6.1\nOUTPUT=/boot/x");
	assert_string_equal(c.kver, "6.1");
	assert_string_equal(c.output, "/boot/x");
	config_free(&c);
	ok(&c, "KVER=6.1\r\nLEVEL=5\r");
	assert_int_equal(c.level, 5);
	config_free(&c);
	ok(&c, "# only a comment");
	assert_unset(&c);
	config_free(&c);
	ok(&c, "\n\n");
	assert_unset(&c);
	config_free(&c);
	BAD("KVER=6.1\nLEVEL=", 2, "LEVEL is empty");
	BAD("KVER=\"6.1", 1, "no closing \"");
}

static void test_nul_byte(void **state)
{
	static const char a[] = "KVER=6.1\n# x\nINIT=/a\0b\nOUTPUT=/o\n";
	static const char b[] = "\0";
	static const char d[] = "KVER=6.1\n\0";
	static const char e[] = "# ok\n\n\nKVER=6\0";

	bad(a, sizeof(a) - 1, 3, "NUL byte", (const char *)NULL);
	bad(b, sizeof(b) - 1, 1, "NUL byte", (const char *)NULL);
	bad(d, sizeof(d) - 1, 2, "NUL byte", (const char *)NULL);
	bad(e, sizeof(e) - 1, 4, "NUL byte", (const char *)NULL);
	/* a NUL inside a comment is still an error */
	bad("# \0\n", 4, 1, "NUL byte", (const char *)NULL);
}

static void test_long_line(void **state)
{
	size_t n = CONFIG_LINE_MAX + 16, vlen;
	char *s = malloc(n + 8);
	struct config c;

	assert_non_null(s);
	/* exactly CONFIG_LINE_MAX bytes: fine, with LF or CR LF */
	vlen = CONFIG_LINE_MAX - strlen("OUTPUT=");
	memcpy(s, "OUTPUT=", 7);
	memset(s + 7, 'a', vlen);
	memcpy(s + 7 + vlen, "\r\n", 3);
	ok(&c, s);
	assert_int_equal(strlen(c.output), vlen);
	config_free(&c);
	/* one more: an error naming the line */
	memset(s + 7, 'a', vlen + 1);
	memcpy(s + 7 + vlen + 1, "\n", 2);
	bad(s, strlen(s), 1, "longer than 4096 bytes", (const char *)NULL);
	/* on line 3, as a comment, without a newline */
	memcpy(s, "\n\n#", 3);
	memset(s + 3, 'b', CONFIG_LINE_MAX - 1);
	bad(s, 2 + CONFIG_LINE_MAX + 1, 3, "longer than 4096", (const char *)NULL);
	free(s);
}

static void test_bom(void **state)
{
	BAD("\xef\xbb\xbfKVER=6.1\n", 1, "byte order mark");
}

/* Settings from a second parse replace those of a first; a failed parse
 * changes nothing, not even the lines before its error. */
static void test_layering(void **state)
{
	struct config c;

	ok(&c, "KVER=1\nLEVEL=3\nMODULES=\"a b\"\nVERBOSE=yes\n");
	assert_int_equal(parse(&c, "KVER=2\nMODULES=c\nBACKUP=no\n"), 0);
	assert_string_equal(c.kver, "2");
	assert_int_equal(c.level, 3);
	LIST(c.modules, "c");
	assert_int_equal(c.verbose, 1);
	assert_int_equal(c.backup, 0);

	assert_int_equal(parse(&c, "KVER=3\nLEVEL=4\nMODULES=d\nVERBOSE=no\nBOGUS=1\n"),
			 -EINVAL);
	assert_string_equal(err, NAME ":5: unknown setting 'BOGUS' (the settings are KVER, "
			    "BASEDIR, DATADIR, INIT, OUTPUT, COMPRESS, LEVEL, THREADS, MODULES, "
			    "SETS, HOOKS, GENERIC, LAZY_MODULES, HOSTONLY, VERBOSE, BACKUP and MICROCODE)");
	assert_string_equal(c.kver, "2");
	assert_int_equal(c.level, 3);
	LIST(c.modules, "c");
	assert_int_equal(c.verbose, 1);
	config_free(&c);
}

/* The lines of COMPRESS, LEVEL and THREADS, for the caller's messages about
 * their combination: kept through layering, untouched by a failed parse. */
static void test_lines(void **state)
{
	struct config c;

	(void)state;
	ok(&c, "# settings\nCOMPRESS=gzip\n\nLEVEL=19\nKVER=1\n");
	assert_int_equal(c.compress_line, 2);
	assert_int_equal(c.level_line, 4);
	assert_int_equal(c.threads_line, 0);
	assert_int_equal(parse(&c, "THREADS=4\nLEVEL=3\n"), 0);
	assert_int_equal(c.compress_line, 2);
	assert_int_equal(c.level_line, 2);
	assert_int_equal(c.threads_line, 1);
	assert_int_equal(parse(&c, "\n\nLEVEL=5\nBOGUS=1\n"), -EINVAL);
	assert_int_equal(c.level_line, 2);
	assert_int_equal(c.level, 3);
	config_free(&c);
	assert_int_equal(c.level_line, 0);
	assert_int_equal(c.compress_line, 0);
}

/* Exact messages, as a user sees them. */
static void test_messages(void **state)
{
	static const struct {
		const char *in, *msg;
	} t[] = {
		{ "COMPRES=zstd", NAME ":1: unknown setting 'COMPRES': did you mean COMPRESS?" },
		{ "KVER=1\n\nKVER=2",
		  NAME ":3: KVER is already set on line 1: keep one of the two" },
		{ "KVER = 1", NAME ":1: space before '=': write KVER=VALUE with no spaces around "
			      "'=', as in sh" },
		{ "COMPRESS=bz2", NAME ":1: COMPRESS=bz2: unknown compression (use gzip, zstd, "
				  "xz, lz4 or none)" },
		{ "THREADS=0", NAME ":1: THREADS=0: use a number from 1 to 64" },
		{ "LEVEL=20", NAME ":1: LEVEL=20: use a number from 0 to 19 (gzip 1-12, zstd "
			      "1-19, xz 0-9, lz4 1-12)" },
		{ "GENERIC=1", NAME ":1: GENERIC=1: use yes or no" },
		{ "KVER", NAME ":1: expected KEY=VALUE, found 'KVER'" },
		{ "INIT='x", NAME ":1: INIT: no closing ' on this line: add one" },
	};
	struct config c;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		config_init(&c);
		assert_int_equal(parse(&c, t[i].in), -EINVAL);
		assert_string_equal(err, t[i].msg);
		config_free(&c);
	}
}

/* A tiny or absent error buffer: no overflow, message cut to fit. */
static void test_err_buffer(void **state)
{
	struct config c;
	char small[8];

	config_init(&c);
	memset(small, 'x', sizeof(small));
	assert_int_equal(config_parse_buf(&c, "a-long-file-name.conf", "FOO=1", 5, small,
					  sizeof(small)), -EINVAL);
	assert_string_equal(small, "a-long-");
	assert_int_equal(config_parse_buf(&c, "n", "FOO=1", 5, NULL, 0), -EINVAL);
	assert_int_equal(config_parse_buf(&c, "n", "FOO=1", 5, small, 0), -EINVAL);
	assert_int_equal(config_parse_buf(&c, NULL, "FOO=1", 5, small, sizeof(small)), -EINVAL);
	assert_string_equal(small, "config:");
	assert_int_equal(config_parse_buf(&c, "n", NULL, 0, small, sizeof(small)), 0);
	assert_string_equal(small, "");
	assert_unset(&c);
}

static void test_file(void **state)
{
	char *dir = unit_tmpdir();
	char path[256], missing[256];
	struct config c;
	FILE *f;
	int r;

	snprintf(path, sizeof(path), "%s/mkinitramfs.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# test\nCOMPRESS=xz\nLEVEL=9\nMODULES=\"virtio_blk ext4\"\n", f);
	fclose(f);
	config_init(&c);
	r = config_parse(&c, path, err, sizeof(err));
	assert_int_equal(r, 0);
	assert_string_equal(c.compress, "xz");
	assert_int_equal(c.level, 9);
	LIST(c.modules, "virtio_blk", "ext4");
	config_free(&c);

	/* an error names the file and line */
	f = fopen(path, "a");
	assert_non_null(f);
	fputs("LEVEL=8\n", f);
	fclose(f);
	assert_int_equal(config_parse(&c, path, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/mkinitramfs.conf:5: LEVEL is already set on line 3"));
	assert_int_equal(strncmp(err, path, strlen(path)), 0);
	assert_unset(&c);

	snprintf(missing, sizeof(missing), "%s/nope.conf", dir);
	assert_int_equal(config_parse(&c, missing, err, sizeof(err)), -ENOENT);
	assert_int_equal(strncmp(err, missing, strlen(missing)), 0);
	assert_int_equal(config_parse(&c, missing, NULL, 0), -ENOENT);
	assert_int_equal(config_parse(&c, dir, err, sizeof(err)), -EISDIR);
	assert_int_equal(strncmp(err, dir, strlen(dir)), 0);
	assert_unset(&c);
	/* a FIFO or a device is never opened: no waiting for a writer */
	unit_sh("mkfifo %s/fifo.conf", dir);
	snprintf(missing, sizeof(missing), "%s/fifo.conf", dir);
	assert_int_equal(config_parse(&c, missing, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/fifo.conf: a FIFO, not a settings file"));
	assert_int_equal(config_parse(&c, "/dev/null", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "/dev/null: a character device, not a settings file");
	assert_unset(&c);

	/* over CONFIG_FILE_MAX: -EFBIG (comments only, so not a line error) */
	f = fopen(path, "w");
	assert_non_null(f);
	for (r = 0; r < CONFIG_FILE_MAX / 64 + 1; r++)
		fprintf(f, "# %061d\n", r);
	fclose(f);
	assert_int_equal(config_parse(&c, path, err, sizeof(err)), -EFBIG);
	assert_non_null(strstr(err, "larger than 1 MiB"));

	/* an empty file is fine */
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(config_parse(&c, path, err, sizeof(err)), 0);
	assert_unset(&c);
	unit_sh("rm -rf %s", dir);
}

/* ---- random input ---------------------------------------------------- */

static uint32_t rng = 0x1badb002;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static int valid_word(const char *w)
{
	return *w && !strpbrk(w, " \t");
}

/* What a successful parse must look like, whatever the input. */
static void check_sane(const struct config *c)
{
	char *const *strs[] = { &c->kver, &c->basedir, &c->datadir, &c->init, &c->compress,
				&c->output };
	char **const *lists[] = { &c->modules, &c->sets, &c->hooks };
	const int *bools[] = { &c->generic, &c->hostonly, &c->verbose, &c->backup,
			       &c->microcode, &c->lazy_modules };
	size_t i, j;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (*strs[i])
			assert_true(**strs[i] != '\0');
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (*lists[i])
			for (j = 0; (*lists[i])[j]; j++)
				assert_true(valid_word((*lists[i])[j]));
	for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++)
		assert_true(*bools[i] >= -1 && *bools[i] <= 1);
	assert_true(c->level >= -1 && c->level <= CONFIG_LEVEL_MAX);
	assert_true(c->threads == -1 || (c->threads >= 1 && c->threads <= CONFIG_THREADS_MAX));
	if (c->compress)
		assert_non_null(strstr(" gzip zstd xz lz4 none ", c->compress));
}

static void fuzz_one(const char *b, size_t len, int *nok, int *nbad)
{
	char *copy = malloc(len ? len : 1);
	struct config c;
	int r;

	assert_non_null(copy);
	memcpy(copy, b, len);
	config_init(&c);
	err[0] = 'x';
	err[1] = '\0';
	r = config_parse_buf(&c, "fuzz", copy, len, err, sizeof(err));
	if (r == 0) {
		assert_string_equal(err, "");
		check_sane(&c);
		(*nok)++;
	} else {
		if (r != -EINVAL)
			fail_msg("unexpected %d on %zu bytes", r, len);
		assert_int_equal(strncmp(err, "fuzz:", 5), 0);
		assert_true(strlen(err) < sizeof(err));
		assert_true(strlen(err) > 8);
		assert_unset(&c);
		(*nbad)++;
	}
	config_free(&c);
	free(copy);
}

static void test_random(void **state)
{
	static const char seed_conf[] =
		"# seed\nKVER=6.1\nCOMPRESS=zstd\nLEVEL=3\nTHREADS=2\n"
		"MODULES=\"a b\\\"c\"\nSETS='x y'\nHOOKS=h # c\nGENERIC=yes\n"
		"HOSTONLY=no\r\nVERBOSE=yes\nBACKUP=no\nMICROCODE=yes\nOUTPUT=/o";
	static const char alphabet[] = "=\"'#\\ \t\n\r\0$`~;KVERLEVELMODULESyesno019azAZ";
	char buf[600];
	int i, nok = 0, nbad = 0;
	size_t len, j;

	for (i = 0; i < 4000; i++) {
		switch (i % 3) {
		case 0:		/* bytes from a syntax-heavy alphabet */
			len = rnd() % 300;
			for (j = 0; j < len; j++)
				buf[j] = alphabet[rnd() % (sizeof(alphabet) - 1)];
			break;
		case 1:		/* any bytes */
			len = rnd() % 200;
			for (j = 0; j < len; j++)
				buf[j] = (char)rnd();
			break;
		default: {	/* a few mutations of a good file */
			int m, nm = 1 + rnd() % 3;

			len = sizeof(seed_conf) - 1;
			memcpy(buf, seed_conf, len);
			for (m = 0; m < nm; m++) {
				size_t at = len ? rnd() % len : 0;

				switch (rnd() % 4) {
				case 0:
					if (len)
						buf[at] = alphabet[rnd() % (sizeof(alphabet) - 1)];
					break;
				case 1:
					if (len < sizeof(buf) - 1) {
						memmove(buf + at + 1, buf + at, len - at);
						buf[at] = alphabet[rnd() % (sizeof(alphabet) - 1)];
						len++;
					}
					break;
				case 2:
					if (len) {
						memmove(buf + at, buf + at + 1, len - at - 1);
						len--;
					}
					break;
				default:
					len = at;	/* truncate */
				}
			}
		}
		}
		fuzz_one(buf, len, &nok, &nbad);
	}
	/* both outcomes were exercised */
	assert_true(nok > 100);
	assert_true(nbad > 100);
	/* and the unmutated seed parses */
	nok = 0;
	fuzz_one(seed_conf, sizeof(seed_conf) - 1, &nok, &nbad);
	assert_int_equal(nok, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_free),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_compress_values),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_bools),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_no_trailing_newline),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_layering),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_err_buffer),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
