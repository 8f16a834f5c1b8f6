/* test_hookparse.c - build hooks, module sets and BusyBox's applet list,
 * parsed from buffers (hookparse.h) */
#include "unit.h"
#include <errno.h>
#include "hookparse.h"

static char err[512];

/* Parse @len bytes of @s from an exactly sized heap copy, so that
 * AddressSanitizer catches any read past the end. */
static int hook_n(struct hook_prog *p, const char *s, size_t len)
{
	char *b = malloc(len ? len : 1);
	int r;

	assert_non_null(b);
	memcpy(b, s, len);
	memset(err, 'x', sizeof(err));
	err[sizeof(err) - 1] = '\0';
	r = hook_parse("h", b, len, p, err, sizeof(err));
	free(b);
	return r;
}

static int hook(struct hook_prog *p, const char *s)
{
	return hook_n(p, s, strlen(s));
}

/* @s must fail with -EINVAL and a message starting with @want. */
static void hook_bad(const char *s, const char *want)
{
	struct hook_prog p;

	assert_int_equal(hook(&p, s), -EINVAL);
	if (strncmp(err, want, strlen(want)))
		fail_msg("input: %s\nwant: %s...\ngot:  %s", s, want, err);
	assert_int_equal(p.n, 0);
	assert_null(p.d);
}

static void norm(const char *in, int want_r, const char *want)
{
	char out[IMGPATH_MAX + 1];
	int r = imgpath_norm(in, out, sizeof(out));

	if (r != want_r)
		fail_msg("imgpath_norm(\"%s\") = %d, want %d", in, r, want_r);
	if (!r)
		assert_string_equal(out, want);
}

static void test_imgpath_norm(void **state)
{
	char small[8], *big;

	(void)state;
	norm("/etc/hostname", 0, "etc/hostname");
	norm("etc/hostname", 0, "etc/hostname");
	norm("//etc//./host#name/", 0, "etc/host#name");
	norm("./a/./b/.", 0, "a/b");
	norm("a/..b/c..", 0, "a/..b/c..");
	norm("...", 0, "...");
	norm("../escape", -EINVAL, NULL);
	norm("/etc/..", -EINVAL, NULL);
	norm("a/../b", -EINVAL, NULL);
	norm("", -ENOENT, NULL);
	norm("/", -ENOENT, NULL);
	norm("/././/", -ENOENT, NULL);
	norm("a\nb", -EILSEQ, NULL);
	norm("a\033b", -EILSEQ, NULL);
	assert_int_equal(imgpath_norm("/abcdefgh", small, sizeof(small)), -ENAMETOOLONG);
	assert_int_equal(imgpath_norm("/abcdefg", small, sizeof(small)), 0);
	assert_string_equal(small, "abcdefg");
	big = malloc(IMGPATH_MAX + 3);
	assert_non_null(big);
	memset(big, 'a', IMGPATH_MAX + 2);
	big[IMGPATH_MAX + 2] = '\0';
	norm(big, -ENAMETOOLONG, NULL);
	big[IMGPATH_MAX] = '\0';
	norm(big, 0, big);
	free(big);
}

static void test_directives(void **state)
{
	struct hook_prog p;
	const struct hook_directive *d;

	(void)state;
	assert_int_equal(hook(&p, "# busybox\n"
			      "file /bin/busybox\n"
			      "file /etc/host#name /etc/x\n"
			      "\n"
			      "  \t# indented comment\n"
			      "binary /a /b /c /d /e /f /g /h /i\n"
			      "hook other\n"
			      "dir //run/./x/\n"
			      "link ../lib/target /lib64/l\n"
			      "applets /bin/busybox /bin/busybox\n"
			      "runtime runtime/fsck-root.sh local-premount\n"
			      "optional\n"
			      "\tfile\t/a\t \t/b  "), 0);
	assert_string_equal(err, "");
	assert_int_equal(p.n, 10);
	d = &p.d[0];
	assert_int_equal(d->kind, HOOK_FILE);
	assert_int_equal(d->line, 2);
	assert_int_equal(d->nargs, 1);
	assert_string_equal(d->dest, "bin/busybox");
	d = &p.d[1];
	assert_string_equal(d->args[0], "/etc/host#name");
	assert_string_equal(d->dest, "etc/x");
	d = &p.d[2];
	assert_int_equal(d->kind, HOOK_BINARY);
	assert_int_equal(d->line, 6);
	assert_int_equal(d->nargs, 9);	/* no fixed limit */
	assert_string_equal(d->args[8], "/i");
	assert_null(d->args[9]);
	assert_null(d->dest);
	assert_int_equal(p.d[3].kind, HOOK_HOOK);
	assert_string_equal(p.d[3].args[0], "other");
	assert_int_equal(p.d[4].kind, HOOK_DIR);
	assert_string_equal(p.d[4].dest, "run/x");
	d = &p.d[5];
	assert_int_equal(d->kind, HOOK_LINK);
	assert_string_equal(d->args[0], "../lib/target");	/* a target is verbatim */
	assert_string_equal(d->dest, "lib64/l");
	assert_int_equal(p.d[6].kind, HOOK_APPLETS);
	assert_string_equal(p.d[6].dest, "bin/busybox");
	d = &p.d[7];
	assert_int_equal(d->kind, HOOK_RUNTIME);
	assert_string_equal(d->dest, "scripts/local-premount/fsck-root.sh");
	assert_int_equal(p.d[8].kind, HOOK_OPTIONAL);
	assert_int_equal(p.d[8].nargs, 0);
	d = &p.d[9];
	assert_int_equal(d->line, 13);
	assert_string_equal(d->args[1], "/b");
	assert_string_equal(d->dest, "b");
	hook_prog_free(&p);
	assert_int_equal(p.n, 0);
	hook_prog_free(&p);	/* twice: harmless */
}

static void test_hook_errors(void **state)
{
	(void)state;
	hook_bad("file /etc/hostname ../../escape\n",
		 "h:1: file ../../escape: '..' in a path in the image");
	hook_bad("dir /x\ndir ../updir\n", "h:2: dir ../updir: '..'");
	hook_bad("link /etc/shadow ../lnk\n", "h:1: link ../lnk: '..'");
	hook_bad("file ../hostname\n", "h:1: file ../hostname: '..'");
	hook_bad("dir /\n", "h:1: dir /: the path names the image's root itself");
	hook_bad("applets /bin/busybox /\n", "h:1: applets /: the path names");
	hook_bad("applets busybox /bin/busybox\n", "h:1: applets busybox: write the absolute");
	hook_bad("binary /bin/ls bin/cat\n", "h:1: binary bin/cat: write the program's absolute");
	hook_bad("runtime x.sh boot\n", "h:1: no runtime stage 'boot'");
	hook_bad("runtime dir/ premount\n", "h:1: runtime dir/: name a script file");
	hook_bad("runtime .. premount\n", "h:1: runtime ..: name a script file");
	hook_bad("dir /x # comment\n", "h:1: write dir PATH; this line has 3 words after 'dir' "
		 "('#' starts a comment only at the start of a line");
	hook_bad("file /a b c\n", "h:1: write file HOST [PATH]; this line has 3 words after "
		 "'file' (words are separated by blanks");
	hook_bad("link x\n", "h:1: write link TARGET PATH; this line has 1 word after");
	hook_bad("binary\n", "h:1: write binary PROGRAM...");
	hook_bad("optional yes\n", "h:1: write optional;");
	hook_bad("directory /x\n", "h:1: unknown directive 'directory'");
	hook_bad("#!/bin/sh\nFILE /x\n", "h:2: unknown directive 'FILE'");
	hook_bad("dir /a\ndir /b\033[2J\n", "h:2: control character 0x1b");
	hook_bad("dir /a\rdir /b\n", "h:1: control character 0x0d");
	hook_bad("\xef\xbb\xbf" "dir /a\n", "h:1: the file starts with a UTF-8 byte order mark");
	hook_bad("helper ../lvm\n", "h:1: helper ../lvm: name one of initkit's helper programs");
	hook_bad("helper\n", "h:1: write helper NAME;");
	hook_bad("action LVM2-member /x\n", "h:1: action LVM2-member: the type is a probe's name");
	hook_bad("action linux_raid_member_but_too_long /x\n", "h:1: action "
		 "linux_raid_member_but_too_long: the type");
	hook_bad("action LVM2_member lib/initkit/lvm\n", "h:1: action LVM2_member "
		 "lib/initkit/lvm: write the program's absolute path");
}

static void test_stack_directives(void **state)
{
	struct hook_prog p;

	(void)state;
	assert_int_equal(hook(&p, "helper lvm\naction LVM2_member /lib/initkit/lvm\n"), 0);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.d[0].kind, HOOK_HELPER);
	assert_string_equal(p.d[0].dest, "lib/initkit/lvm");
	assert_int_equal(p.d[1].kind, HOOK_ACTION);
	assert_string_equal(p.d[1].dest, "lib/initkit/actions/LVM2_member");
	assert_string_equal(p.d[1].args[1], "/lib/initkit/lvm");
	hook_prog_free(&p);
}

static void test_hook_lines(void **state)
{
	struct hook_prog p;
	char *buf;
	size_t n;

	(void)state;
	/* NUL */
	assert_int_equal(hook_n(&p, "dir /a\0b\n", 9), -EINVAL);
	assert_string_equal(err, "h:1: NUL byte: is this a text file?");
	/* CR LF, and no newline at the end */
	assert_int_equal(hook(&p, "dir /a\r\ndir /b"), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.d[0].dest, "a");
	assert_string_equal(p.d[1].dest, "b");
	hook_prog_free(&p);
	/* empty */
	assert_int_equal(hook_n(&p, "", 0), 0);
	assert_int_equal(p.n, 0);
	hook_prog_free(&p);

	/* a line of TEXT_LINE_MAX bytes is whole; one more is an error, never
	 * split into a second line */
	buf = malloc(2 * TEXT_LINE_MAX);
	assert_non_null(buf);
	memset(buf, ' ', TEXT_LINE_MAX);
	memcpy(buf, "binary", 6);
	for (n = 6; n + 10 <= TEXT_LINE_MAX; n += 10)
		memcpy(buf + n, " /bin/true", 10);
	memcpy(buf + TEXT_LINE_MAX - 3, " /x", 3);
	assert_int_equal(hook_n(&p, buf, TEXT_LINE_MAX), 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.d[0].args[p.d[0].nargs - 1], "/x");
	hook_prog_free(&p);
	buf[TEXT_LINE_MAX] = '\r';	/* CR LF does not count */
	buf[TEXT_LINE_MAX + 1] = '\n';
	assert_int_equal(hook_n(&p, buf, TEXT_LINE_MAX + 2), 0);
	hook_prog_free(&p);
	memset(buf + TEXT_LINE_MAX, 'x', 10);
	assert_int_equal(hook_n(&p, buf, TEXT_LINE_MAX + 1), -EINVAL);
	assert_string_equal(err, "h:1: line longer than 8191 bytes: split it (a directive or "
			    "module list may take several lines)");
	/* many words: the most a line can hold */
	for (n = 0; n < TEXT_LINE_MAX; n++)
		buf[n] = n % 2 ? ' ' : 'w';
	memcpy(buf, "dir", 3);
	assert_int_equal(hook_n(&p, buf, TEXT_LINE_MAX), -EINVAL);
	assert_non_null(strstr(err, "words after 'dir'"));
	free(buf);

	/* a file over TEXT_FILE_MAX */
	buf = calloc(TEXT_FILE_MAX + 1, 1);
	assert_non_null(buf);
	memset(buf, '\n', TEXT_FILE_MAX + 1);
	assert_int_equal(hook_parse("big", buf, TEXT_FILE_MAX + 1, &p, err, sizeof(err)), -EFBIG);
	assert_string_equal(err, "big: larger than 1048576 bytes: is this the right file?");
	assert_int_equal(hook_parse("big", buf, TEXT_FILE_MAX, &p, NULL, 0), 0);
	hook_prog_free(&p);
	free(buf);
}

static void test_err_buffer(void **state)
{
	struct hook_prog p;
	char small[8];

	(void)state;
	assert_int_equal(hook_parse("a-long-name", "dir ..\n", 7, &p, small, sizeof(small)),
			 -EINVAL);
	assert_string_equal(small, "a-long-");
	assert_int_equal(hook_parse("n", "dir ..\n", 7, &p, NULL, 0), -EINVAL);
	assert_int_equal(hook_parse(NULL, "dir ..\n", 7, &p, err, sizeof(err)), -EINVAL);
	assert_int_equal(strncmp(err, "hook:1: ", 8), 0);
}

static int set(struct modset *s, const char *text)
{
	size_t len = strlen(text);
	char *b = malloc(len ? len : 1);
	int r;

	assert_non_null(b);
	memcpy(b, text, len);
	r = modset_parse("s", b, len, s, err, sizeof(err));
	free(b);
	return r;
}

static void set_bad(const char *text, const char *want)
{
	struct modset s;

	assert_int_equal(set(&s, text), -EINVAL);
	if (strncmp(err, want, strlen(want)))
		fail_msg("input: %s\nwant: %s...\ngot:  %s", text, want, err);
	assert_int_equal(s.n, 0);
}

static void test_modset(void **state)
{
	struct modset s;

	(void)state;
	assert_int_equal(set(&s, "# virtio\nvirtio_blk\n  ?virtio_scsi  \n\n"
			     "kernel/drivers/ata/*\npci:v00008086d*\r\nmod#x\n"), 0);
	assert_int_equal(s.n, 5);
	assert_string_equal(s.e[0].name, "virtio_blk");
	assert_int_equal(s.e[0].line, 2);
	assert_false(s.e[0].optional);
	assert_false(s.e[0].glob);
	assert_string_equal(s.e[1].name, "virtio_scsi");
	assert_true(s.e[1].optional);
	assert_true(s.e[2].glob);
	assert_int_equal(s.e[2].line, 5);
	assert_true(s.e[3].glob);	/* '*': a pattern */
	assert_string_equal(s.e[3].name, "pci:v00008086d*");
	assert_string_equal(s.e[4].name, "mod#x");
	modset_free(&s);
	set_bad("ext4 # the root\n", "s:1: one module per line, and '#' starts a comment only");
	set_bad("ext4 jbd2\n", "s:1: one module per line: put 'jbd2' on a line of its own");
	set_bad("ext4\n?\n", "s:2: '?' names no module");
	set_bad("ext\0334\n", "s:1: control character 0x1b");
	set_bad("?#x\n", "s:1: '?#x': no module name starts with '#'");
	/* A set names the hooks it needs. */
	assert_int_equal(set(&s, "dm_mod\nhook lvm\nhook md\n"), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.nhooks, 2);
	assert_string_equal(s.hooks[0], "lvm");
	assert_string_equal(s.hooks[1], "md");
	modset_free(&s);
	set_bad("hook ../x\n", "s:1: hook ../x: name a hook in DATADIR/hooks");
	set_bad("hook a b\n", "s:1: one module per line: put 'a' on a line of its own");
	/* "store lazy": the set's modules gzipped one by one */
	assert_int_equal(set(&s, "md_mod\n"), 0);
	assert_false(s.lazy);
	modset_free(&s);
	assert_int_equal(set(&s, "md_mod\nstore lazy\nraid1\n"), 0);
	assert_true(s.lazy);
	assert_int_equal(s.n, 2);
	modset_free(&s);
	set_bad("store gzip\n", "s:1: store gzip: the one form is 'store lazy'");
	set_bad("store lazy now\n", "s:1: one module per line: put 'lazy' on a line of its own");
}

static void applets(const char *out, const char *self, int want_r, size_t want_n,
		    const char *first)
{
	char **paths;
	size_t n;
	int r = applets_parse(out, strlen(out), self, &paths, &n, err, sizeof(err));

	if (r != want_r)
		fail_msg("applets_parse(%s) = %d, want %d (%s)", out, r, want_r, err);
	if (r)
		return;
	assert_int_equal(n, want_n);
	if (first)
		assert_string_equal(paths[0], first);
	applets_free(paths, n);
}

static void test_applets(void **state)
{
	(void)state;
	applets("bin/sh\nbin/busybox\n/usr/bin/[\n\nsbin//chroot\n", "bin/busybox", 0, 3,
		"bin/sh");
	applets("", "bin/busybox", 0, 0, NULL);
	applets("bin/busybox\n", "bin/busybox", 0, 0, NULL);
	applets("bin/ls\n../../etc/evil\n", "bin/busybox", -EINVAL, 0, NULL);
	assert_string_equal(err, "line 2: '../../etc/evil' is no path in the image (it has a "
			    "'..' component)");
	applets("bin/ls\nbin/l\033s\n", "bin/busybox", -EINVAL, 0, NULL);
	assert_non_null(strstr(err, "line 2:"));
	applets("/\n", "bin/busybox", -EINVAL, 0, NULL);
	applets("bin/x\r\n", "bin/busybox", -EINVAL, 0, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imgpath_norm),
		cmocka_unit_test(test_directives),
		cmocka_unit_test(test_hook_errors),
		cmocka_unit_test(test_stack_directives),
		cmocka_unit_test(test_hook_lines),
		cmocka_unit_test(test_err_buffer),
		cmocka_unit_test(test_modset),
		cmocka_unit_test(test_applets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
