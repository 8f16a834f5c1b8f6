/* test_cmdline.c - kernel command line parsing */
#include "unit.h"
#include <errno.h>
#include <fcntl.h>
#include "cmdline.h"

static struct boot_params parse(const char *s)
{
	static char buf[CMDLINE_MAX];
	struct boot_params bp;

	snprintf(buf, sizeof(buf), "%s", s);
	cmdline_parse(buf, &bp);
	return bp;
}

static void test_defaults(void **state)
{
	struct boot_params bp = parse("");

	assert_string_equal(bp.root, "");
	assert_int_equal(bp.ro, RO_UNSET);
	assert_int_equal(bp.rootdelay, -1);
	assert_int_equal(bp.rd_shell, -1);
	assert_int_equal(bp.rootwait, 0);
	assert_int_equal(bp.panic_set, 0);
}

static void test_basic(void **state)
{
	struct boot_params bp = parse("BOOT_IMAGE=/vmlinuz console=ttyS0 root=UUID=abcd "
				      "rootfstype=ext4,xfs rootflags=data=ordered rw "
				      "rootdelay=12 rootwait init=/bin/foo panic=-1 quiet "
				      "debug rd.shell=0 break=premount,mount\n");

	assert_string_equal(bp.root, "UUID=abcd");
	assert_string_equal(bp.rootfstype, "ext4,xfs");
	assert_string_equal(bp.rootflags, "data=ordered");	/* first '=' splits */
	assert_int_equal(bp.ro, RO_RW);
	assert_int_equal(bp.rootdelay, 12);
	assert_int_equal(bp.rootwait, 1);
	assert_string_equal(bp.init, "/bin/foo");
	assert_int_equal(bp.panic, -1);
	assert_int_equal(bp.panic_set, 1);
	assert_int_equal(bp.quiet, 1);
	assert_int_equal(bp.debug, 1);
	assert_int_equal(bp.rd_shell, 0);
	assert_string_equal(bp.brk, "premount,mount");
}

static void test_resume_and_stacks(void **state)
{
	struct boot_params bp = parse("resume=UUID=6b1d2c3e-0000-4000-8000-5a5a5a5a5a5a "
				      "resume_offset=34816 rd.lvm=0 rd.md=1 rd.luks=0");

	assert_string_equal(bp.resume, "UUID=6b1d2c3e-0000-4000-8000-5a5a5a5a5a5a");
	assert_string_equal(bp.resume_offset, "34816");
	assert_int_equal(bp.noresume, 0);
	assert_int_equal(bp.rd_off, RD_OFF_LVM | RD_OFF_LUKS);
	/* The last word wins; bad numbers change nothing. */
	bp = parse("rd.lvm=0 rd.lvm=1 rd.md=0 rd.md=x noresume resume=/dev/vda2");
	assert_int_equal(bp.rd_off, RD_OFF_MD);
	assert_int_equal(bp.noresume, 1);
	assert_string_equal(bp.resume, "/dev/vda2");
	/* rd.lvm.vg= and friends are the helpers' business, not switches. */
	bp = parse("rd.lvm.vg=vg0 rd.lvm.lv=vg0/root rd.md.uuid=1:2:3:4");
	assert_int_equal(bp.rd_off, 0);
	assert_int_equal(bp.modparams_len, 0);
}

static void test_last_wins(void **state)
{
	struct boot_params bp = parse("root=/dev/sda1 ro root=LABEL=x rw ro");

	assert_string_equal(bp.root, "LABEL=x");
	assert_int_equal(bp.ro, RO_RO);
}

static void test_quotes(void **state)
{
	struct boot_params bp = parse("root=\"LABEL=my root\" rootflags=\"a b\"c x");

	/* quotes group spaces and are removed, no escapes (kernel next_arg) */
	assert_string_equal(bp.root, "LABEL=my root");
	assert_string_equal(bp.rootflags, "a bc");
	assert_int_equal(bp.unterminated_quote, 0);

	bp = parse("\"root=LABEL=q s\" rw");
	assert_string_equal(bp.root, "LABEL=q s");
	assert_int_equal(bp.ro, RO_RW);
}

static void test_unterminated_quote(void **state)
{
	struct boot_params bp = parse("rw root=\"LABEL=open ended ro");

	assert_int_equal(bp.unterminated_quote, 1);
	assert_string_equal(bp.root, "LABEL=open ended ro");	/* to the end */
	assert_int_equal(bp.ro, RO_RW);
}

static void test_too_long(void **state)
{
	char line[2 * PARAM_VALUE_MAX + 64];
	struct boot_params bp;

	snprintf(line, sizeof(line), "root=/dev/vda root=/dev/%0*d rw", PARAM_VALUE_MAX, 7);
	bp = parse(line);
	/* the over-long value is refused, never truncated; the earlier one stays */
	assert_string_equal(bp.root, "/dev/vda");
	assert_string_equal(bp.too_long, "root");
	assert_int_equal(bp.ro, RO_RW);
}

static void test_bad_numbers(void **state)
{
	struct boot_params bp = parse("rootdelay=abc panic=5x rootdelay=-3 rd.shell=yes");

	assert_int_equal(bp.rootdelay, -1);
	assert_int_equal(bp.panic_set, 0);
	assert_int_equal(bp.rd_shell, -1);
}

static void test_break_without_value(void **state)
{
	struct boot_params bp = parse("break");

	assert_string_equal(bp.brk, "premount");
	bp = parse("rd.break=top");
	assert_string_equal(bp.brk, "top");
	bp = parse("rd.break");
	assert_string_equal(bp.brk, "init");
}

static void test_driver_lists(void **state)
{
	struct boot_params bp = parse("modprobe.blacklist=a,b rd.driver.blacklist=c "
				      "rd.driver.pre=x rd.driver.pre=y,z");

	/* these accumulate over occurrences, as dracut does */
	assert_string_equal(bp.blacklist, "a,b,c");
	assert_string_equal(bp.driver_pre, "x,y,z");
}

static void test_modparams(void **state)
{
	struct boot_params bp = parse("usb_storage.delay_use=0 root=/dev/sda "
				      "ext4.x rd.debug=1 usb-storage.quirks=1:2:u");
	const char *p = bp.modparams;

	assert_string_equal(p, "usb_storage.delay_use=0");
	p += strlen(p) + 1;
	assert_string_equal(p, "ext4.x");
	p += strlen(p) + 1;
	assert_string_equal(p, "usb-storage.quirks=1:2:u");	/* rd.* is ours */
	p += strlen(p) + 1;
	assert_true(p == bp.modparams + bp.modparams_len);
}

static int count_fn(char *param, char *val, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static void test_each_whitespace(void **state)
{
	char buf[] = "  a=1\t\tb   c=\"\"  \n";
	int n = 0, uq = 0;

	assert_int_equal(cmdline_each(buf, count_fn, &n, &uq), 0);
	assert_int_equal(n, 3);
}

static void test_list_next(void **state)
{
	const char *p = "ext4,,xfs,waytoolongforit,btrfs";
	char item[8];

	assert_int_equal(list_next(&p, item, sizeof(item)), 4);
	assert_string_equal(item, "ext4");
	assert_int_equal(list_next(&p, item, sizeof(item)), 0);	/* empty */
	assert_int_equal(list_next(&p, item, sizeof(item)), 3);
	assert_string_equal(item, "xfs");
	assert_int_equal(list_next(&p, item, sizeof(item)), 0);	/* too long */
	assert_int_equal(list_next(&p, item, sizeof(item)), 5);
	assert_string_equal(item, "btrfs");
	assert_int_equal(list_next(&p, item, sizeof(item)), -1);
	p = "";
	assert_int_equal(list_next(&p, item, sizeof(item)), -1);
}

static void test_parse_uint(void **state)
{
	int v;

	assert_int_equal(parse_uint("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_uint("2147483647", &v), 0);
	assert_int_equal(parse_uint("2147483648", &v), -ERANGE);
	assert_int_equal(parse_uint("", &v), -EINVAL);
	assert_int_equal(parse_uint("1 ", &v), -EINVAL);
}

/* cmdline_read() reads /proc/cmdline at boot; here it reads files, and
 * these tests are the only ones of a long line.  No QEMU case can make
 * one: a boot loader passes at most COMMAND_LINE_SIZE (2048 bytes on
 * x86), and bootconfig, which appends up to 32 KiB to what /proc/cmdline
 * shows, is not in Debian's kernel (CONFIG_BOOT_CONFIG is not set); a
 * file bound over /proc/cmdline would be hidden by the proc /init mounts.
 * Longer than the 64 KiB read, no kernel makes one at all. */
static char *tmpdir;

/* Write @text to a file and read it back with cmdline_read() into a
 * buffer of @size bytes. */
static ssize_t read_text(const char *text, size_t len, char *buf, size_t size,
			 char *ignored, size_t isize)
{
	char path[256];
	FILE *f;
	ssize_t n;
	int fd;

	if (!tmpdir)
		tmpdir = unit_tmpdir();
	snprintf(path, sizeof(path), "%s/cmdline", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = cmdline_read(fd, buf, size, ignored, isize);
	close(fd);
	return n;
}

/* Longer than the 4 KiB /init used to take (it failed the boot): all of it */
static void test_read_long(void **state)
{
	static char text[6000], buf[CMDLINE_MAX];
	struct boot_params bp;
	char ignored[64];
	size_t o = 0;
	int i;

	for (i = 0; i < 50; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "pad%02d=%0100d ", i, i);
	o += (size_t)snprintf(text + o, sizeof(text) - o, "root=UUID=abcd rw\n");
	assert_true(o > 4096);
	assert_int_equal(read_text(text, o, buf, sizeof(buf), ignored, sizeof(ignored)), o);
	assert_string_equal(ignored, "");
	cmdline_parse(buf, &bp);
	assert_string_equal(bp.root, "UUID=abcd");
	assert_int_equal(bp.ro, RO_RW);
}

/* Longer than the read: what fits is parsed, the parameter cut in two is
 * left out and named, and so is nothing that follows; the boot goes on. */
static void test_read_over_bound(void **state)
{
	size_t len = CMDLINE_MAX + 8192, o = 0;
	char *text = malloc(len + 64), ignored[64];
	static char buf[CMDLINE_MAX];
	struct boot_params bp;

	assert_non_null(text);
	o += (size_t)snprintf(text, len, "root=LABEL=r rootdelay=7 ");
	while (o < CMDLINE_MAX - 200)
		o += (size_t)snprintf(text + o, len - o, "x=%080d ", 0);
	/* a parameter across the end of what is read */
	o += (size_t)snprintf(text + o, len - o, "\"straddle=%0400d\" ", 1);
	o += (size_t)snprintf(text + o, len - o, "rw rootdelay=9\n");
	assert_int_equal(read_text(text, o, buf, sizeof(buf), ignored, sizeof(ignored)),
			 strstr(text, "\"straddle") - text);
	assert_string_equal(ignored, "straddle");
	cmdline_parse(buf, &bp);
	assert_string_equal(bp.root, "LABEL=r");
	assert_int_equal(bp.rootdelay, 7);	/* not the 9 after the cut */
	assert_int_equal(bp.ro, RO_UNSET);
	assert_int_equal(bp.unterminated_quote, 0);
	free(text);
}

/* Where the cut falls, with a small buffer */
static void test_read_cut(void **state)
{
	char buf[10], ignored[8];

	/* fits exactly: nothing left out */
	assert_int_equal(read_text("a=1 b=222", 9, buf, sizeof(buf), ignored, sizeof(ignored)), 9);
	assert_string_equal(buf, "a=1 b=222");
	assert_string_equal(ignored, "");
	/* cut inside a value */
	assert_int_equal(read_text("a=1 b=2222", 10, buf, sizeof(buf), ignored, sizeof(ignored)), 4);
	assert_string_equal(buf, "a=1 ");
	assert_string_equal(ignored, "b");
	/* the buffer ends between two parameters: the last one read may
	 * have been whole, but it is the one named, and left out */
	assert_int_equal(read_text("a=1 b=22 c", 10, buf, sizeof(buf), ignored, sizeof(ignored)), 4);
	assert_string_equal(ignored, "b");
	/* a space inside quotes separates nothing */
	assert_int_equal(read_text("q x=\"a b c d\"", 14, buf, sizeof(buf), ignored,
				   sizeof(ignored)), 2);
	assert_string_equal(buf, "q ");
	assert_string_equal(ignored, "x");
	/* one parameter longer than everything: all of it left out; a long
	 * name is cut to fit the message */
	assert_int_equal(read_text("verylongname=1", 14, buf, sizeof(buf), ignored,
				   sizeof(ignored)), 0);
	assert_string_equal(buf, "");
	assert_string_equal(ignored, "verylon");
	/* an error is -errno */
	assert_int_equal(cmdline_read(-1, buf, sizeof(buf), ignored, sizeof(ignored)), -EBADF);
}

static int cleanup(void **state)
{
	if (tmpdir)
		unit_sh("rm -rf %s", tmpdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_last_wins),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_unterminated_quote),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_break_without_value),
		cmocka_unit_test(test_each_whitespace),
		cmocka_unit_test(test_driver_lists),
		cmocka_unit_test(test_resume_and_stacks),
		cmocka_unit_test(test_modparams),
		cmocka_unit_test(test_list_next),
		cmocka_unit_test(test_parse_uint),
		cmocka_unit_test(test_read_long),
		cmocka_unit_test(test_read_over_bound),
		cmocka_unit_test(test_read_cut),
	};

	return cmocka_run_group_tests_name("cmdline", tests, NULL, cleanup);
}
