/* test_uevent.c - kernel uevent messages */
#include "unit.h"
#include <errno.h>
#include "uevent.h"

/* Parse a copy of the message @msg (a char array; the parser writes one
 * byte past it) in @buf. */
#define PARSE(msg, buf, ev) \
	(memcpy(buf, msg, sizeof(msg)), uevent_parse(buf, sizeof(msg) - 1, ev))

static void test_add(void **state)
{
	static char msg[] = "add@/devices/pci0000:00/0000:00:04.0/virtio1\0"
		"ACTION=add\0DEVPATH=/devices/pci0000:00/0000:00:04.0/virtio1\0"
		"SUBSYSTEM=virtio\0MODALIAS=virtio:d00000002v00001AF4\0SEQNUM=1234\0";
	char buf[sizeof(msg) + 1];
	struct uevent ev;

	assert_int_equal(PARSE(msg, buf, &ev), 0);
	assert_string_equal(ev.action, "add");
	assert_string_equal(ev.subsystem, "virtio");
	assert_string_equal(ev.modalias, "virtio:d00000002v00001AF4");
	assert_string_equal(ev.devpath, "/devices/pci0000:00/0000:00:04.0/virtio1");
	assert_null(ev.devname);
}

static void test_block_remove(void **state)
{
	static char msg[] = "remove@/block/sda/sda1\0ACTION=remove\0DEVPATH=/block/sda/sda1\0"
		"SUBSYSTEM=block\0DEVNAME=sda1\0DEVTYPE=partition";
	char buf[sizeof(msg) + 1];
	struct uevent ev;

	/* no NUL after the last field: the parser adds it */
	assert_int_equal(PARSE(msg, buf, &ev), 0);
	assert_string_equal(ev.action, "remove");
	assert_string_equal(ev.devname, "sda1");
	assert_null(ev.modalias);
}

static void test_not_kernel(void **state)
{
	char buf[64] = "libudev\0\xfe\xed\xca\xfe";
	char empty[4] = "";
	char noaction[32] = "add@/x\0SUBSYSTEM=block";
	struct uevent ev;

	assert_int_equal(uevent_parse(buf, 12, &ev), -EINVAL);
	assert_int_equal(uevent_parse(empty, 0, &ev), -EINVAL);
	assert_int_equal(uevent_parse(noaction, 22, &ev), -EINVAL);
}

static void test_truncated_everywhere(void **state)
{
	static const char msg[] = "add@/devices/x\0ACTION=add\0MODALIAS=pci:v1\0SUBSYSTEM=pci";
	size_t len;

	/* every prefix: never reads past the end (ASan), fields stay inside */
	for (len = 0; len <= sizeof(msg) - 1; len++) {
		char *buf = malloc(len + 1);
		struct uevent ev;

		memcpy(buf, msg, len);
		if (uevent_parse(buf, len, &ev) == 0) {
			assert_true(ev.action >= buf && ev.action <= buf + len);
			if (ev.modalias)
				assert_true(ev.modalias + strlen(ev.modalias) <= buf + len);
		}
		free(buf);
	}
}

/* what root-wait takes a new block device from */
static void test_block_add(void **state)
{
	static char msg[] = "add@/devices/pci0000:00/0000:00:03.0/virtio0/block/vda/vda2\0"
		"ACTION=add\0DEVPATH=/devices/pci0000:00/0000:00:03.0/virtio0/block/vda/vda2\0"
		"SUBSYSTEM=block\0MAJOR=254\0MINOR=2\0DEVNAME=vda2\0DEVTYPE=partition\0"
		"DISKSEQ=1\0PARTN=2\0SEQNUM=900";
	char buf[sizeof(msg) + 1];
	struct uevent ev;

	assert_int_equal(PARSE(msg, buf, &ev), 0);
	assert_string_equal(ev.major, "254");
	assert_string_equal(ev.minor, "2");
	assert_string_equal(ev.devtype, "partition");
	assert_string_equal(ev.partn, "2");
	assert_string_equal(ev.devname, "vda2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_block_remove),
		cmocka_unit_test(test_not_kernel),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_block_add),
	};

	return cmocka_run_group_tests_name("uevent", tests, NULL, NULL);
}
