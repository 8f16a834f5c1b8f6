/* test_hostonly.c - host-only detection against fake sysfs trees laid out
 * like the kernel's (relative symlinks, partitions below their disk,
 * drivers under /sys/bus, modules under /sys/module), and once against
 * this machine, checked with lsblk, findmnt, udevadm and readlink. */
#include "unit.h"
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include "hostonly.h"

static char *tmp;
static char root[PATH_MAX];	/* the fake tree being built */

static int group_setup(void **state)
{
	(void)state;
	tmp = unit_tmpdir();
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[PATH_MAX + 32];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) ? -1 : 0;
}

/* ---- building fake trees ---- */

static void pf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* snprintf that fails the test instead of truncating. */
static void pf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		fail_msg("path too long: %s...", buf);
}

static void tree(const char *name)
{
	pf(root, sizeof(root), "%s/%s", tmp, name);
	unit_sh("mkdir -p '%s/proc/self' '%s/sys/dev/block' '%s/sys/class/block' "
		"'%s/sys/module' '%s/sys/devices'", root, root, root, root, root);
}

static void mkdirs(const char *rel)
{
	unit_sh("mkdir -p '%s/%s'", root, rel);
}

/* Write @text to @rel below the tree, creating the parent directories. */
static void put(const char *rel, const char *text)
{
	char p[2 * PATH_MAX];
	FILE *f;

	pf(p, sizeof(p), "%s/%s", root, rel);
	unit_sh("mkdir -p \"$(dirname '%s')\"", p);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void mountinfo(const char *text)
{
	put("proc/self/mountinfo", text);
}

/* A relative symlink @link -> @to, both below sys/, the way the kernel
 * makes them: one "../" per directory of the link's path. */
static void sys_ln(const char *link, const char *to)
{
	char target[PATH_MAX] = "", p[2 * PATH_MAX];
	const char *s;
	struct stat st;

	for (s = link; (s = strchr(s, '/')); s++)
		strcat(target, "../");
	strcat(target, to);
	pf(p, sizeof(p), "%s/sys/%s", root, link);
	if (lstat(p, &st) == 0)
		return;
	unit_sh("mkdir -p \"$(dirname '%s')\"", p);
	if (symlink(target, p) < 0)
		fail_msg("symlink %s -> %s: %s", p, target, strerror(errno));
}

/* A block device directory, found from /sys/dev/block and /sys/class/block. */
static void blockdev(const char *majmin, const char *path, int partition)
{
	char p[PATH_MAX];

	pf(p, sizeof(p), "sys/%s", path);
	mkdirs(p);
	pf(p, sizeof(p), "sys/%s/dev", path);
	put(p, majmin);
	pf(p, sizeof(p), "dev/block/%s", majmin);
	sys_ln(p, path);
	pf(p, sizeof(p), "class/block/%s", strrchr(path, '/') + 1);
	sys_ln(p, path);
	if (partition) {
		pf(p, sizeof(p), "sys/%s/partition", path);
		put(p, "1\n");
	}
}

/* A module the kernel shows as built in: /sys/module/NAME without initstate. */
static void builtin_module(const char *mod)
{
	char p[PATH_MAX];

	pf(p, sizeof(p), "sys/module/%s/parameters", mod);
	mkdirs(p);
}

/* A module the kernel shows as loaded: /sys/module/NAME/initstate. */
static void loaded_module(const char *mod)
{
	char p[PATH_MAX];
	struct stat st;

	pf(p, sizeof(p), "%s/sys/module/%s", root, mod);
	if (stat(p, &st) == 0)
		return;
	pf(p, sizeof(p), "sys/module/%s/initstate", mod);
	put(p, "live\n");
}

/* Bind device @dev (below sys/) to driver @drv of @bus; @mod NULL: the
 * driver has no module link (built in). */
static void bind(const char *dev, const char *bus, const char *drv, const char *mod)
{
	char p[PATH_MAX], q[PATH_MAX];

	pf(p, sizeof(p), "sys/bus/%s/drivers/%s", bus, drv);
	mkdirs(p);
	pf(p, sizeof(p), "%s/driver", dev);
	pf(q, sizeof(q), "bus/%s/drivers/%s", bus, drv);
	sys_ln(p, q);
	if (!mod)
		return;
	loaded_module(mod);
	pf(p, sizeof(p), "bus/%s/drivers/%s/module", bus, drv);
	pf(q, sizeof(q), "module/%s", mod);
	sys_ln(p, q);
}

static void modalias(const char *dev, const char *alias)
{
	char p[PATH_MAX], text[1024];

	pf(p, sizeof(p), "sys/%s/modalias", dev);
	pf(text, sizeof(text), "%s\n", alias);
	put(p, text);
}

#define VIRTIO_PCI	"devices/pci0000:00/0000:00:04.0"
#define VIRTIO_DEV	VIRTIO_PCI "/virtio1"
#define VDA		VIRTIO_DEV "/block/vda"
#define VIRTIO_PCI2	"devices/pci0000:00/0000:00:07.0"
#define VIRTIO_DEV2	VIRTIO_PCI2 "/virtio4"
#define VDB		VIRTIO_DEV2 "/block/vdb"
#define PCI_ALIAS	"pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00"
#define VIRTIO_ALIAS	"virtio:d00000002v00001AF4"

/* vda behind a virtio-pci function, with both drivers as modules. */
static void virtio_disk(void)
{
	blockdev("254:0", VDA, 0);
	bind(VIRTIO_DEV, "virtio", "virtio_blk", "virtio_blk");
	modalias(VIRTIO_DEV, VIRTIO_ALIAS);
	bind(VIRTIO_PCI, "pci", "virtio-pci", "virtio_pci");
	modalias(VIRTIO_PCI, PCI_ALIAS);
}

static void virtio_disk2(void)
{
	blockdev("254:16", VDB, 0);
	bind(VIRTIO_DEV2, "virtio", "virtio_blk", "virtio_blk");
	modalias(VIRTIO_DEV2, VIRTIO_ALIAS);
	bind(VIRTIO_PCI2, "pci", "virtio-pci", "virtio_pci");
	modalias(VIRTIO_PCI2, PCI_ALIAS);
}

/* ---- checking results ---- */

static void dump(const struct hostonly *h, int r)
{
	size_t i;

	if (!getenv("UNIT_VERBOSE"))
		return;
	print_message("r=%d err='%s' fstype=%s rootdev=%s\n", r, h->err, h->fstype, h->rootdev);
	for (i = 0; i < h->nwhy; i++)
		print_message("  why: %s\n", h->why[i]);
}

/* @v must be exactly the NULL-terminated @want, in order. */
static void assert_strv(char **v, size_t n, const char *const *want)
{
	size_t i;

	for (i = 0; want[i]; i++) {
		if (i >= n)
			fail_msg("list has %zu entries, expected '%s' at %zu", n, want[i], i);
		assert_string_equal(v[i], want[i]);
	}
	if (i != n)
		fail_msg("list has %zu entries, expected %zu (extra: '%s')", n, i, v[i]);
}

static int has(char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

static void assert_why(const struct hostonly *h, const char *line)
{
	size_t i;

	for (i = 0; i < h->nwhy; i++)
		if (!strcmp(h->why[i], line))
			return;
	for (i = 0; i < h->nwhy; i++)
		print_message("  why[%zu]: %s\n", i, h->why[i]);
	fail_msg("no explanation line '%s'", line);
}

static void assert_contains(const char *s, const char *needle)
{
	if (!strstr(s, needle))
		fail_msg("'%s' does not contain '%s'", s, needle);
}

static int detect(struct hostonly *h, const char *mp)
{
	int r = hostonly_detect(h, root, mp);

	dump(h, r);
	return r;
}

/* ---- the cases ---- */

static void test_virtio_partition(void **state)
{
	static const char *const mods[] = { "virtio_blk", "virtio_pci", NULL };
	static const char *const aliases[] = { VIRTIO_ALIAS, PCI_ALIAS, NULL };
	struct hostonly h;

	(void)state;
	tree("virtio");
	virtio_disk();
	blockdev("254:1", VDA "/vda1", 1);
	bind("devices", "platform", "trap", "trap");	/* above the walk's end */
	modalias("devices", "trap:alias");
	mountinfo("22 27 0:21 / /proc rw,relatime - proc proc rw\n"
		  "27 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,discard\n");
	assert_int_equal(detect(&h, "/"), 0);
	assert_string_equal(h.err, "");
	assert_string_equal(h.fstype, "ext4");
	assert_string_equal(h.rootdev, "vda1");
	assert_strv(h.modules, h.nmod, mods);
	assert_int_equal(h.nbuiltin, 0);
	assert_strv(h.modaliases, h.nalias, aliases);
	assert_int_equal(h.nwhy, 2);
	assert_string_equal(h.why[0], "/ is ext4 on /dev/vda1 (254:1, mount 27)");
	assert_string_equal(h.why[1], "vda1 -> vda -> virtio1 (virtio_blk: module virtio_blk) "
			    "-> 0000:00:04.0 (virtio-pci: module virtio_pci)");
	hostonly_free(&h);
	assert_null(h.modules);
	assert_int_equal(h.nmod, 0);
	hostonly_free(&h);
}

static void test_nvme(void **state)
{
	static const char *const mods[] = { "nvme", NULL };
	static const char *const builtin[] = { "pcieport", NULL };
	const char *bridge = "devices/pci0000:00/0000:00:1c.0";
	const char *ctrl = "devices/pci0000:00/0000:00:1c.0/0000:05:00.0";
	char p[PATH_MAX];
	struct hostonly h;

	(void)state;
	tree("nvme");
	pf(p, sizeof(p), "%s/nvme/nvme0/nvme0n1", ctrl);
	blockdev("259:0", p, 0);
	pf(p, sizeof(p), "%s/nvme/nvme0/nvme0n1/nvme0n1p2", ctrl);
	blockdev("259:2", p, 1);
	pf(p, sizeof(p), "sys/%s/nvme/nvme0/dev", ctrl);
	put(p, "243:0\n");	/* the class device: no driver */
	bind(ctrl, "pci", "nvme", "nvme");
	modalias(ctrl, "pci:v0000144Dd0000A808sv0000144Dsd0000A801bc01sc08i02");
	bind(bridge, "pci", "pcieport", NULL);
	mountinfo("1 0 259:2 / / rw - xfs /dev/nvme0n1p2 rw\n");
	assert_int_equal(detect(&h, "/"), 0);
	assert_string_equal(h.fstype, "xfs");
	assert_string_equal(h.rootdev, "nvme0n1p2");
	assert_strv(h.modules, h.nmod, mods);
	assert_strv(h.builtin, h.nbuiltin, builtin);
	assert_int_equal(h.nalias, 1);
	assert_why(&h, "nvme0n1p2 -> nvme0n1 -> 0000:05:00.0 (nvme: module nvme) -> "
		   "0000:00:1c.0 (pcieport: built-in)");
	hostonly_free(&h);
}

/* Native NVMe multipath (the default where CONFIG_NVME_MULTIPATH=y): the
 * disk hangs below the subsystem, which links to its controllers. */
static void test_nvme_multipath(void **state)
{
	static const char *const mods[] = { "nvme", NULL };
	const char *subsys = "devices/virtual/nvme-subsystem/nvme-subsys0";
	char p[PATH_MAX];
	struct hostonly h;

	(void)state;
	tree("nvme-mp");
	pf(p, sizeof(p), "%s/nvme0n1", subsys);
	blockdev("259:0", p, 0);
	pf(p, sizeof(p), "%s/nvme0n1/nvme0n1p1", subsys);
	blockdev("259:1", p, 1);
	mkdirs("sys/devices/pci0000:00/0000:00:05.0/nvme/nvme0");
	mkdirs("sys/devices/pci0000:00/0000:00:06.0/nvme/nvme1");
	pf(p, sizeof(p), "%s/nvme0", subsys);
	sys_ln(p, "devices/pci0000:00/0000:00:05.0/nvme/nvme0");
	pf(p, sizeof(p), "%s/nvme1", subsys);
	sys_ln(p, "devices/pci0000:00/0000:00:06.0/nvme/nvme1");
	pf(p, sizeof(p), "%s/subsystem", subsys);
	sys_ln(p, "class/nvme-subsystem");
	bind("devices/pci0000:00/0000:00:05.0", "pci", "nvme", "nvme");
	bind("devices/pci0000:00/0000:00:06.0", "pci", "nvme", "nvme");
	mountinfo("1 0 259:1 / / rw - ext4 /dev/nvme0n1p1 rw\n");
	assert_int_equal(detect(&h, "/"), 0);
	assert_strv(h.modules, h.nmod, mods);
	assert_int_equal(h.nbuiltin, 0);
	assert_why(&h, "nvme0n1p1 -> nvme0n1 -> nvme-subsys0 (native NVMe multipath; "
		   "controllers: nvme0 nvme1)");
	assert_why(&h, "nvme0 -> 0000:00:05.0 (nvme: module nvme)");
	assert_why(&h, "nvme1 -> 0000:00:06.0 (nvme: module nvme)");
	hostonly_free(&h);

	/* A subsystem without controller links cannot be walked: say so. */
	unit_sh("rm '%s/sys/%s/nvme0' '%s/sys/%s/nvme1'", root, subsys, root, subsys);
	assert_int_equal(detect(&h, "/"), -ENOENT);
	assert_contains(h.err, "links to no controller");
	hostonly_free(&h);
}

static void test_sata_ahci(void **state)
{
	static const char *const mods[] = { "sd_mod", "ahci", NULL };
	const char *sdev = "devices/pci0000:00/0000:00:1f.2/ata3/host2/target2:0:0/2:0:0:0";
	char p[PATH_MAX];
	struct hostonly h;

	(void)state;
	tree("sata");
	pf(p, sizeof(p), "%s/block/sda", sdev);
	blockdev("8:0", p, 0);
	pf(p, sizeof(p), "%s/block/sda/sda1", sdev);
	blockdev("8:1", p, 1);
	bind(sdev, "scsi", "sd", "sd_mod");
	modalias(sdev, "scsi:t-0x00");
	bind("devices/pci0000:00/0000:00:1f.2", "pci", "ahci", "ahci");
	modalias("devices/pci0000:00/0000:00:1f.2",
		 "pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01");
	mountinfo("1 0 8:1 / / rw - ext4 /dev/sda1 rw\n");
	assert_int_equal(detect(&h, "/"), 0);
	assert_strv(h.modules, h.nmod, mods);
	assert_int_equal(h.nalias, 2);
	assert_string_equal(h.modaliases[0], "scsi:t-0x00");
	assert_why(&h, "sda1 -> sda -> 2:0:0:0 (sd: module sd_mod) -> 0000:00:1f.2 "
		   "(ahci: module ahci)");
	hostonly_free(&h);
}

static void test_usb_stick(void **state)
{
	static const char *const mods[] = { "sd_mod", "usb_storage", "usbcore", "xhci_pci", NULL };
	const char *hcd = "devices/pci0000:00/0000:00:14.0";
	const char *udev = "devices/pci0000:00/0000:00:14.0/usb2/2-1";
	const char *intf = "devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0";
	char sdev[PATH_MAX], p[PATH_MAX];
	struct hostonly h;

	(void)state;
	tree("usb");
	pf(sdev, sizeof(sdev), "%s/host6/target6:0:0/6:0:0:0", intf);
	pf(p, sizeof(p), "%s/block/sdb", sdev);
	blockdev("8:16", p, 0);
	pf(p, sizeof(p), "%s/block/sdb/sdb1", sdev);
	blockdev("8:17", p, 1);
	bind(sdev, "scsi", "sd", "sd_mod");
	bind(intf, "usb", "usb-storage", "usb_storage");
	modalias(intf, "usb:v0781p5583d0100dc00dsc00dp00ic08isc06ip50in00");
	bind(udev, "usb", "usb", "usbcore");
	bind("devices/pci0000:00/0000:00:14.0/usb2", "usb", "usb", "usbcore");
	modalias("devices/pci0000:00/0000:00:14.0/usb2",
		 "usb:v1D6Bp0003d0606dc09dsc00dp03ic09isc00ip00in00");
	bind(hcd, "pci", "xhci_hcd", "xhci_pci");
	modalias(hcd, "pci:v00008086d0000A36Dsv00001028sd00000869bc0Csc03i30");
	mountinfo("1 0 8:17 / / rw - vfat /dev/sdb1 rw\n");
	assert_int_equal(detect(&h, "/"), 0);
	assert_string_equal(h.fstype, "vfat");
	assert_string_equal(h.rootdev, "sdb1");
	assert_strv(h.modules, h.nmod, mods);
	assert_int_equal(h.nbuiltin, 0);
	assert_int_equal(h.nalias, 3);
	assert_why(&h, "sdb1 -> sdb -> 6:0:0:0 (sd: module sd_mod) -> 2-1:1.0 (usb-storage: "
		   "module usb_storage) -> 2-1 (usb: module usbcore) -> usb2 (usb: module "
		   "usbcore) -> 0000:00:14.0 (xhci_hcd: module xhci_pci)");
	hostonly_free(&h);
}

#define LUKS_HEX "4c554B53000240008000000000000002"

static void test_dm_crypt(void **state)
{
	static const char *const mods[] = { "dm_crypt", "virtio_blk", "virtio_pci", NULL };
	static const char *const builtin[] = { "dm_mod", NULL };
	struct hostonly h;

	(void)state;
	tree("dmcrypt");
	virtio_disk();
	blockdev("254:2", VDA "/vda2", 1);
	blockdev("253:0", "devices/virtual/block/dm-0", 0);
	put("sys/devices/virtual/block/dm-0/dm/uuid", "CRYPT-LUKS2-" LUKS_HEX "-root\n");
	put("sys/devices/virtual/block/dm-0/dm/name", "root\n");
	sys_ln("devices/virtual/block/dm-0/slaves/vda2", VDA "/vda2");
	builtin_module("dm_mod");
	loaded_module("dm_crypt");
	mountinfo("30 1 253:0 / / rw,relatime - ext4 /dev/mapper/root rw\n");
	assert_int_equal(detect(&h, "/"), 0);
	assert_string_equal(h.rootdev, "dm-0");
	assert_strv(h.modules, h.nmod, mods);
	assert_strv(h.builtin, h.nbuiltin, builtin);
	assert_int_equal(h.nwhy, 3);
	assert_string_equal(h.why[1], "dm-0: device-mapper (uuid CRYPT-LUKS2-" LUKS_HEX "-root): "
			    "dm_mod (built-in) dm_crypt (module); slaves: vda2");
	assert_string_equal(h.why[2], "vda2 -> vda -> virtio1 (virtio_blk: module virtio_blk) "
			    "-> 0000:00:04.0 (virtio-pci: module virtio_pci)");
	hostonly_free(&h);
}

#define LVM_UUID "LVM-0123456789abcdef0123456789ABCDEFfedcba9876543210FEDCBA9876543210"

/* An LVM volume on a partition: the lvm set; dm-crypt is named as what
 * /init cannot set up (test_dm_crypt's tree). */
static void test_lvm_set(void **state)
{
	static const char *const sets[] = { "lvm", NULL };
	struct hostonly h;

	(void)state;
	tree("lvm");
	virtio_disk();
	blockdev("254:2", VDA "/vda2", 1);
	blockdev("253:0", "devices/virtual/block/dm-0", 0);
	put("sys/devices/virtual/block/dm-0/dm/uuid", LVM_UUID "\n");
	put("sys/devices/virtual/block/dm-0/dm/name", "vg0-root\n");
	sys_ln("devices/virtual/block/dm-0/slaves/vda2", VDA "/vda2");
	loaded_module("dm_mod");
	mountinfo("30 1 253:0 / / rw,relatime - ext4 /dev/mapper/vg0-root rw\n");
	assert_int_equal(detect(&h, "/"), 0);
	assert_strv(h.sets, h.nsets, sets);
	assert_int_equal(h.nunsupported, 0);
	hostonly_free(&h);

	/* LUKS: the luks set, the mapping's name and the volume's UUID */
	tree("dmcrypt");
	assert_int_equal(detect(&h, "/"), 0);
	assert_int_equal(h.nsets, 1);
	assert_string_equal(h.sets[0], "luks");
	assert_int_equal(h.nluks, 1);
	assert_string_equal(h.luks[0], "root 4c554b53-0002-4000-8000-000000000002");
	assert_int_equal(h.nunsupported, 0);
	hostonly_free(&h);

	/* dm-crypt of another kind is named */
	put("sys/devices/virtual/block/dm-0/dm/uuid", "CRYPT-PLAIN-root\n");
	assert_int_equal(detect(&h, "/"), 0);
	assert_int_equal(h.nunsupported, 1);
	assert_string_equal(h.unsupported[0], "dm-0 (root): dm-crypt that is not LUKS (dm uuid "
			    "CRYPT-PLAIN-root: plain, BitLocker, TrueCrypt, verity or integrity); "
			    "initkit unlocks LUKS1 and LUKS2 volumes only");
	hostonly_free(&h);
}

/* The image's crypttab: the host's line for the root's volume (by name or
 * UUID), its key file; a line of our own when the host has none; key
 * scripts and keys on devices refused by name. */
static void test_crypttab(void **state)
{
	struct hostonly h;
	char *out, **keys = NULL;
	size_t nkeys = 0;
	static const char tab[] =
		"# <target> <source> <key> <options>\n"
		"other UUID=11111111-2222-3333-4444-555555555555 none luks\n"
		"sda5_crypt UUID=4C554B53-0002-4000-8000-000000000002 /etc/keys/root.key luks,discard\n"
		"swap /dev/sdb2 /dev/urandom swap\n";

	(void)state;
	memset(&h, 0, sizeof(h));
	h.luks = calloc(3, sizeof(*h.luks));
	h.luks[0] = strdup("sda5_crypt 4c554b53-0002-4000-8000-000000000002");
	h.nluks = 1;
	assert_int_equal(hostonly_crypttab(&h, tab, strlen(tab), &out, &keys, &nkeys), 0);
	assert_string_equal(out, "sda5_crypt UUID=4c554b53-0002-4000-8000-000000000002 "
			    "/etc/keys/root.key luks,discard\n");
	assert_int_equal(nkeys, 1);
	assert_string_equal(keys[0], "/etc/keys/root.key");
	free(out);
	/* no line for it, no crypttab: the mapping's name still */
	h.luks[1] = strdup("cr 0a0a0a0a-0002-4000-8000-000000000002");
	h.nluks = 2;
	assert_int_equal(hostonly_crypttab(&h, NULL, 0, &out, &keys, &nkeys), 0);
	assert_string_equal(out, "sda5_crypt UUID=4c554b53-0002-4000-8000-000000000002 none luks\n"
			    "cr UUID=0a0a0a0a-0002-4000-8000-000000000002 none luks\n");
	free(out);
	/* the key on a device; a keyscript */
	free(h.luks[0]);
	h.luks[0] = strdup("swap 0b0b0b0b-0002-4000-8000-000000000002");
	assert_int_equal(hostonly_crypttab(&h, tab, strlen(tab), &out, &keys, &nkeys), -ENOTSUP);
	assert_null(out);
	assert_non_null(strstr(h.err, "swap: key /dev/urandom is not a file"));
	{
		static const char ks[] = "swap UUID=x none luks,keyscript=/lib/x\n";

		assert_int_equal(hostonly_crypttab(&h, ks, strlen(ks), &out, &keys, &nkeys),
				 -ENOTSUP);
		assert_non_null(strstr(h.err, "keyscript="));
	}
	{
		static const char hd[] = "swap UUID=x none luks,header=/boot/h.img\n";

		assert_int_equal(hostonly_crypttab(&h, hd, strlen(hd), &out, &keys, &nkeys),
				 -ENOTSUP);
		assert_non_null(strstr(h.err, "swap: a detached LUKS header (header=)"));
	}
	while (nkeys)
		free(keys[--nkeys]);
	free(keys);
	hostonly_free(&h);
}

/* LVM layers /init does not activate: a thin pool's hidden layer (uuid
 * suffix), a volume on other volumes (raid, thin), a dm device of another
 * tool; each is named with its device and dm name. */
static void test_lvm_unsupported(void **state)
{
	struct hostonly h;

	(void)state;
	tree("lvmthin");
	virtio_disk();
	blockdev("254:2", VDA "/vda2", 1);
	blockdev("253:0", "devices/virtual/block/dm-0", 0);
	blockdev("253:1", "devices/virtual/block/dm-1", 0);
	blockdev("253:2", "devices/virtual/block/dm-2", 0);
	put("sys/devices/virtual/block/dm-2/dm/uuid", LVM_UUID "-tpool\n");
	put("sys/devices/virtual/block/dm-2/dm/name", "vg0-pool-tpool\n");
	put("sys/devices/virtual/block/dm-1/dm/uuid", "LVM-0123456789abcdef0123456789ABCDEF"
	    "00000000000000000000000000000000\n");
	put("sys/devices/virtual/block/dm-1/dm/name", "vg0-thin\n");
	put("sys/devices/virtual/block/dm-0/dm/uuid", "mpath-3600a0b80\n");
	put("sys/devices/virtual/block/dm-0/dm/name", "mpatha\n");
	sys_ln("devices/virtual/block/dm-0/slaves/dm-1", "devices/virtual/block/dm-1");
	sys_ln("devices/virtual/block/dm-1/slaves/dm-2", "devices/virtual/block/dm-2");
	sys_ln("devices/virtual/block/dm-2/slaves/vda2", VDA "/vda2");
	loaded_module("dm_mod");
	mountinfo("30 1 253:0 / / rw - ext4 /dev/mapper/mpatha rw\n");
	assert_int_equal(detect(&h, "/"), 0);
	assert_int_equal(h.nsets, 0);
	assert_int_equal(h.nunsupported, 3);
	assert_string_equal(h.unsupported[0], "dm-0 (mpatha): a device-mapper device not "
			    "made by LVM (dm uuid mpath-3600a0b80); initkit sets up LVM volumes "
			    "only");
	assert_string_equal(h.unsupported[1], "dm-1 (vg0-thin): a logical volume built on "
			    "other logical volumes (thin, snapshot, cache, raid or mirror); "
			    "initkit activates linear and striped logical volumes only");
	assert_string_equal(h.unsupported[2], "dm-2 (vg0-pool-tpool): a hidden LVM layer (dm "
			    "uuid suffix -tpool: thin pool, snapshot or cache); initkit "
			    "activates linear and striped logical volumes only");
	hostonly_free(&h);
}

/* md: native superblocks take the md set; IMSM/DDF containers are named. */
static void test_md_sets(void **state)
{
	static const char *const sets[] = { "lvm", "md", NULL };
	struct hostonly h;

	(void)state;
	tree("lvmonmd");
	virtio_disk();
	virtio_disk2();
	blockdev("9:127", "devices/virtual/block/md127", 0);
	put("sys/devices/virtual/block/md127/md/level", "raid1\n");
	put("sys/devices/virtual/block/md127/md/metadata_version", "1.2\n");
	sys_ln("devices/virtual/block/md127/slaves/vda", VDA);
	sys_ln("devices/virtual/block/md127/slaves/vdb", VDB);
	blockdev("253:0", "devices/virtual/block/dm-0", 0);
	put("sys/devices/virtual/block/dm-0/dm/uuid", LVM_UUID "\n");
	put("sys/devices/virtual/block/dm-0/dm/name", "vg0-root\n");
	sys_ln("devices/virtual/block/dm-0/slaves/md127", "devices/virtual/block/md127");
	mountinfo("30 1 253:0 / / rw - ext4 /dev/mapper/vg0-root rw\n");
	assert_int_equal(detect(&h, "/"), 0);
	assert_strv(h.sets, h.nsets, sets);
	assert_int_equal(h.nunsupported, 0);
	hostonly_free(&h);

	tree("imsm");
	virtio_disk();
	blockdev("9:126", "devices/virtual/block/md126", 0);
	put("sys/devices/virtual/block/md126/md/level", "raid1\n");
	put("sys/devices/virtual/block/md126/md/metadata_version", "external:/md127/0\n");
	sys_ln("devices/virtual/block/md126/slaves/vda", VDA);
	mountinfo("30 1 9:126 / / rw - ext4 /dev/md126 rw\n");
	assert_int_equal(detect(&h, "/"), 0);
	assert_int_equal(h.nsets, 0);
	assert_int_equal(h.nunsupported, 1);
	assert_string_equal(h.unsupported[0], "md126: an md array with external metadata "
			    "(external:/md127/0: IMSM or DDF firmware RAID); initkit assembles "
			    "native MD superblocks (0.90, 1.x) only");
	hostonly_free(&h);

	/* a level the md helper refuses */
	tree("mdlinear");
	virtio_disk();
	blockdev("9:125", "devices/virtual/block/md125", 0);
	put("sys/devices/virtual/block/md125/md/level", "linear\n");
	put("sys/devices/virtual/block/md125/md/metadata_version", "1.2\n");
	sys_ln("devices/virtual/block/md125/slaves/vda", VDA);
	mountinfo("30 1 9:125 / / rw - ext4 /dev/md125 rw\n");
	assert_int_equal(detect(&h, "/"), 0);
	assert_int_equal(h.nsets, 0);
	assert_int_equal(h.nunsupported, 1);
	assert_string_equal(h.unsupported[0], "md125: an md array of level linear; initkit "
			    "assembles raid0, raid1, raid4, raid5, raid6 and raid10 only");
	hostonly_free(&h);
}

/* A swap header (version 1) with @uuid at 1036, its signature at 4086. */
static void put_swap(const char *rel, const unsigned char uuid[16])
{
	unsigned char page[4096] = { 0 };
	char p[2 * PATH_MAX];
	FILE *f;

	page[1024] = 1;				/* version */
	page[1028] = 0xff; page[1029] = 0x0f;	/* last page */
	memcpy(page + 1036, uuid, 16);
	memcpy(page + 4086, "SWAPSPACE2", 10);
	pf(p, sizeof(p), "%s/%s", root, rel);
	unit_sh("mkdir -p \"$(dirname '%s')\"", p);
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(page, 1, sizeof(page), f), sizeof(page));
	assert_int_equal(fclose(f), 0);
}

/* resume: the largest swap partition in /proc/swaps, by its UUID (zram and
 * files skipped), its stack walked; or the device named, through /dev's
 * links; no swap at all is 0. */
static void test_resume(void **state)
{
	static const unsigned char u[16] = { 0x5a, 0xb0, 0xc0, 0xde, 0x11, 0x11, 0x42, 0x22,
					     0x83, 0x33, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a };
	static const char *const sets[] = { "lvm", NULL };
	char p[2 * PATH_MAX];
	struct hostonly h;

	(void)state;
	tree("resume");
	virtio_disk();
	blockdev("254:1", VDA "/vda1", 1);
	blockdev("254:2", VDA "/vda2", 1);
	blockdev("253:1", "devices/virtual/block/dm-1", 0);
	put("sys/devices/virtual/block/dm-1/dm/uuid", LVM_UUID "\n");
	put("sys/devices/virtual/block/dm-1/dm/name", "vg0-swap\n");
	sys_ln("devices/virtual/block/dm-1/slaves/vda2", VDA "/vda2");
	blockdev("252:0", "devices/virtual/block/zram0", 0);
	loaded_module("dm_mod");
	put_swap("dev/dm-1", u);
	put("dev/vda1", "not a swap header\n");
	unit_sh("mkdir -p '%s/dev/mapper' && ln -s ../dm-1 '%s/dev/mapper/vg0-swap'", root, root);
	put("proc/swaps", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
	    "/dev/vda1                               partition\t1024\t\t0\t\t-2\n"
	    "/dev/mapper/vg0-swap                    partition\t16380\t\t0\t\t-3\n"
	    "/dev/zram0                              partition\t999999\t\t0\t\t100\n"
	    "/swapfile                               file\t\t888888\t\t0\t\t-4\n");
	mountinfo("30 1 254:1 / / rw - ext4 /dev/vda1 rw\n");
	assert_int_equal(detect(&h, "/"), 0);
	pf(p, sizeof(p), "%s", root);
	assert_int_equal(hostonly_resume(&h, p, NULL), 1);
	assert_string_equal(h.resume, "UUID=5ab0c0de-1111-4222-8333-5a5a5a5a5a5a");
	assert_string_equal(h.resume_dev, "dm-1");
	assert_strv(h.sets, h.nsets, sets);
	assert_why(&h, "resume: UUID=5ab0c0de-1111-4222-8333-5a5a5a5a5a5a "
		   "(/dev/mapper/vg0-swap, 16380 KiB: the largest swap partition in /proc/swaps)");
	hostonly_free(&h);

	/* named: through /dev/disk/by-uuid */
	unit_sh("mkdir -p '%s/dev/disk/by-uuid' && ln -s ../../vda2 "
		"'%s/dev/disk/by-uuid/0000-1111'", root, root);
	assert_int_equal(detect(&h, "/"), 0);
	assert_int_equal(hostonly_resume(&h, p, "UUID=0000-1111"), 1);
	assert_string_equal(h.resume, "UUID=0000-1111");
	assert_string_equal(h.resume_dev, "vda2");
	assert_int_equal(h.nsets, 0);
	hostonly_free(&h);
	assert_int_equal(detect(&h, "/"), 0);
	assert_int_equal(hostonly_resume(&h, p, "LABEL=nothere"), -ENOENT);
	assert_non_null(strstr(h.err, "resume device LABEL=nothere: no such block device"));
	hostonly_free(&h);

	/* no swap in use */
	put("proc/swaps", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	assert_int_equal(detect(&h, "/"), 0);
	assert_int_equal(hostonly_resume(&h, p, NULL), 0);
	assert_string_equal(h.resume, "");
	hostonly_free(&h);
}

/* md raid1 over three partitions, two of them on one disk: each disk is
 * walked once. */
static void test_md_raid1(void **state)
{
	static const char *const mods[] = { "md_mod", "raid1", "virtio_blk", "virtio_pci", NULL };
	static const char *const aliases[] = { VIRTIO_ALIAS, PCI_ALIAS, NULL };
	struct hostonly h;

	(void)state;
	tree("md");
	virtio_disk();
	virtio_disk2();
	blockdev("254:1", VDA "/vda1", 1);
	blockdev("254:2", VDA "/vda2", 1);
	blockdev("254:17", VDB "/vdb1", 1);
	blockdev("9:0", "devices/virtual/block/md0", 0);
	blockdev("259:7", "devices/virtual/block/md0/md0p1", 1);
	put("sys/devices/virtual/block/md0/md/level", "raid1\n");
	sys_ln("devices/virtual/block/md0/slaves/vda1", VDA "/vda1");
	sys_ln("devices/virtual/block/md0/slaves/vda2", VDA "/vda2");
	sys_ln("devices/virtual/block/md0/slaves/vdb1", VDB "/vdb1");
	mountinfo("5 1 259:7 / / rw - ext4 /dev/md0p1 rw\n");
	assert_int_equal(detect(&h, "/"), 0);
	assert_string_equal(h.rootdev, "md0p1");
	assert_strv(h.modules, h.nmod, mods);
	assert_strv(h.modaliases, h.nalias, aliases);
	assert_why(&h, "md0p1 -> md0: md raid1: md_mod (module) raid1 (module); slaves: vda1 "
		   "vda2 vdb1");
	assert_why(&h, "vda2 -> vda (walked above)");
	assert_why(&h, "vdb1 -> vdb -> virtio4 (virtio_blk: module virtio_blk) -> "
		   "0000:00:07.0 (virtio-pci: module virtio_pci)");
	assert_int_equal(h.nwhy, 5);
	hostonly_free(&h);
}

/* No module link: built in.  A module link to a /sys/module entry without
 * initstate: built in too (the kernel links built-in drivers that carry a
 * module name). */
static void test_builtin(void **state)
{
	static const char *const builtin[] = { "virtio_blk", "virtio_pci", NULL };
	struct hostonly h;

	(void)state;
	tree("builtin");
	blockdev("254:0", VDA, 0);
	bind(VIRTIO_DEV, "virtio", "virtio_blk", NULL);
	builtin_module("virtio_pci");
	bind(VIRTIO_PCI, "pci", "virtio-pci", "virtio_pci");
	mountinfo("27 1 254:0 / / rw - ext4 /dev/vda rw\n");
	assert_int_equal(detect(&h, "/"), 0);
	assert_string_equal(h.rootdev, "vda");
	assert_int_equal(h.nmod, 0);
	assert_strv(h.builtin, h.nbuiltin, builtin);
	assert_int_equal(h.nalias, 0);
	assert_why(&h, "vda -> virtio1 (virtio_blk: built-in) -> 0000:00:04.0 "
		   "(virtio-pci: built-in virtio_pci)");
	hostonly_free(&h);
}

static void test_mountinfo_escapes_overmount(void **state)
{
	static const char *const mods[] = { "virtio_blk", "virtio_pci", NULL };
	struct hostonly h;

	(void)state;
	tree("escapes");
	virtio_disk();
	blockdev("254:1", VDA "/vda1", 1);
	blockdev("254:2", VDA "/vda2", 1);
	blockdev("254:3", VDA "/vda3", 1);
	mountinfo("20 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
		  "21 20 0:5 / /proc rw - proc proc rw\n"
		  "40 20 254:2 / /mnt/my\\040disk rw,relatime shared:5 master:3 propagate_from:2 "
		  "unbindable - xfs /dev/vda2 rw,attr2\n"
		  "41 20 254:3 /sub\\040dir\\011x / rw,relatime - ext2 /dev/by\\134label rw\n"
		  "\n");
	/* The last entry for / wins: it is mounted over the others. */
	assert_int_equal(detect(&h, "/"), 0);
	assert_string_equal(h.fstype, "ext2");
	assert_string_equal(h.rootdev, "vda3");
	assert_string_equal(h.why[0], "/ is ext2 on /dev/by\\label (254:3, mount 41, "
			    "subtree /sub dir\tx)");
	assert_strv(h.modules, h.nmod, mods);
	hostonly_free(&h);

	assert_int_equal(detect(&h, "/mnt/my disk"), 0);
	assert_string_equal(h.fstype, "xfs");
	assert_string_equal(h.rootdev, "vda2");
	hostonly_free(&h);
	assert_int_equal(detect(&h, "/mnt/my disk//"), 0);
	assert_string_equal(h.rootdev, "vda2");
	hostonly_free(&h);
	/* Escapes are undone before comparing, never matched raw. */
	assert_int_equal(detect(&h, "/mnt/my\\040disk"), -ENOENT);
	hostonly_free(&h);
}

static void test_not_block(void **state)
{
	static const char *const roots[] = {
		"1 0 0:25 / / rw - tmpfs none rw,size=4k\n",
		"1 0 0:52 / / rw - nfs4 server:/export rw,vers=4.2\n",
		"2 1 0:30 / / rw - overlay overlay rw,lowerdir=/a,upperdir=/b,workdir=/c\n",
	};
	static const char *const types[] = { "tmpfs", "nfs4", "overlay" };
	struct hostonly h;
	size_t i;

	(void)state;
	tree("notblock");
	for (i = 0; i < 3; i++) {
		mountinfo(roots[i]);
		assert_int_equal(detect(&h, "/"), -ENOTSUP);
		assert_string_equal(h.fstype, types[i]);
		assert_contains(h.err, "host-only needs a block device root");
		assert_contains(h.err, types[i]);
		assert_int_equal(h.nmod + h.nbuiltin, 0);
		hostonly_free(&h);
		hostonly_free(&h);
	}
}

static void test_missing_sysfs_entry(void **state)
{
	struct hostonly h;

	(void)state;
	tree("missing");
	virtio_disk();
	mountinfo("1 0 254:9 / / rw - ext4 /dev/vda9 rw\n");
	assert_int_equal(detect(&h, "/"), -ENOENT);
	assert_contains(h.err, "/sys/dev/block/254:9 does not exist");
	assert_contains(h.err, "/dev/vda9");
	hostonly_free(&h);

	/* A link that leaves /sys/devices is refused, not followed. */
	unit_sh("ln -s ../../../etc '%s/sys/dev/block/254:9'", root);
	assert_int_equal(detect(&h, "/"), -EINVAL);
	assert_contains(h.err, "not a link into /sys/devices");
	hostonly_free(&h);
	unit_sh("ln -sfn ../../bus/virtio '%s/sys/dev/block/254:9'", root);
	assert_int_equal(detect(&h, "/"), -EINVAL);
	assert_contains(h.err, "-> ../../bus/virtio: not a link into /sys/devices");
	hostonly_free(&h);
}

static void test_bad_arguments_and_mountinfo(void **state)
{
	static const char *const bad[] = {
		"27 1 254:1 / / rw\n",				/* no separator */
		"x 1 254:1 / / rw - ext4 /dev/vda1 rw\n",	/* id */
		"27 1 254 / / rw - ext4 /dev/vda1 rw\n",	/* major:minor */
		"27 1 254:1x / / rw - ext4 /dev/vda1 rw\n",
		"27 1 254:1 / / rw - ext4\n",			/* no source */
	};
	struct hostonly h;
	size_t i;

	(void)state;
	tree("badmi");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mountinfo(bad[i]);
		assert_int_equal(detect(&h, "/"), -EINVAL);
		assert_contains(h.err, "line 1 is malformed");
		hostonly_free(&h);
	}
	mountinfo("1 0 254:1 / /boot rw - ext4 /dev/vda1 rw\n");
	assert_int_equal(detect(&h, "/"), -ENOENT);
	assert_contains(h.err, "nothing is mounted on /");
	hostonly_free(&h);
	assert_int_equal(detect(&h, "boot"), -EINVAL);
	hostonly_free(&h);
	unit_sh("rm '%s/proc/self/mountinfo'", root);
	assert_int_equal(detect(&h, "/"), -ENOENT);
	assert_contains(h.err, "proc/self/mountinfo");
	hostonly_free(&h);
	assert_int_equal(hostonly_detect(&h, "/nonexistent/initkit", "/"), -ENOENT);
	hostonly_free(&h);
}

/* btrfs shows 0:N: the source names one device, /sys/fs/btrfs all of them. */
static void test_btrfs(void **state)
{
	static const char *const mods[] = { "virtio_blk", "virtio_pci", NULL };
	const char *devs = "fs/btrfs/5a1b2c3d-0000-4000-8000-000000000001/devices";
	char p[PATH_MAX];
	struct hostonly h;

	(void)state;
	tree("btrfs");
	virtio_disk();
	virtio_disk2();
	blockdev("254:2", VDA "/vda2", 1);
	blockdev("254:17", VDB "/vdb1", 1);
	pf(p, sizeof(p), "%s/vda2", devs);
	sys_ln(p, VDA "/vda2");
	pf(p, sizeof(p), "%s/vdb1", devs);
	sys_ln(p, VDB "/vdb1");
	mkdirs("sys/fs/btrfs/features");
	put("dev/disk/by-label/root", "");
	unit_sh("rm '%s/dev/disk/by-label/root' && ln -s ../../vda2 '%s/dev/disk/by-label/root'",
		root, root);
	mountinfo("27 1 0:33 /@ / rw,relatime - btrfs /dev/disk/by-label/root rw,subvol=/@\n");
	assert_int_equal(detect(&h, "/"), 0);
	assert_string_equal(h.fstype, "btrfs");
	assert_string_equal(h.rootdev, "vda2");
	assert_strv(h.modules, h.nmod, mods);
	assert_why(&h, "btrfs 0:33 from /dev/disk/by-label/root: filesystem "
		   "5a1b2c3d-0000-4000-8000-000000000001 on vda2 vdb1");
	assert_why(&h, "vdb1 -> vdb -> virtio4 (virtio_blk: module virtio_blk) -> "
		   "0000:00:07.0 (virtio-pci: module virtio_pci)");
	hostonly_free(&h);

	/* An unusable source with a single btrfs: that one. */
	mountinfo("27 1 0:33 /@ / rw,relatime - btrfs /dev/root rw\n");
	assert_int_equal(detect(&h, "/"), 0);
	assert_string_equal(h.rootdev, "vda2");
	hostonly_free(&h);

	/* ... with two, no guessing. */
	pf(p, sizeof(p), "sys/fs/btrfs/5a1b2c3d-0000-4000-8000-000000000002/devices");
	mkdirs(p);
	assert_int_equal(detect(&h, "/"), -ENOENT);
	assert_contains(h.err, "cannot tell which block devices hold btrfs 0:33");
	hostonly_free(&h);

	/* A source sysfs knows, missing from /sys/fs/btrfs: that device alone. */
	mountinfo("27 1 0:33 /@ / rw,relatime - btrfs /dev/vdb1 rw\n");
	unit_sh("rm -r '%s/sys/fs/btrfs'", root);
	assert_int_equal(detect(&h, "/"), 0);
	assert_string_equal(h.rootdev, "vdb1");
	assert_strv(h.modules, h.nmod, mods);
	hostonly_free(&h);
}

/* A root image on a loop device, its backing file on a vfat partition. */
static void test_loop_root(void **state)
{
	static const char *const mods[] = { "loop", "virtio_blk", "virtio_pci", NULL };
	struct hostonly h;

	(void)state;
	tree("loop");
	virtio_disk();
	blockdev("254:1", VDA "/vda1", 1);
	blockdev("7:0", "devices/virtual/block/loop0", 0);
	put("sys/devices/virtual/block/loop0/loop/backing_file", "/data/img/root.img\n");
	loaded_module("loop");
	mountinfo("20 1 254:1 / /data rw - vfat /dev/vda1 rw\n"
		  "21 1 0:5 / /data/img rw - tmpfs none rw\n"
		  "22 1 254:1 /img /data/img rw - vfat /dev/vda1 rw\n"
		  "30 1 7:0 / / rw - ext4 /dev/loop0 rw\n");
	assert_int_equal(detect(&h, "/"), 0);
	assert_string_equal(h.rootdev, "loop0");
	assert_strv(h.modules, h.nmod, mods);
	assert_true(has(h.modaliases, h.nalias, "fs-vfat"));
	assert_why(&h, "loop0: loop device backed by /data/img/root.img: loop (module)");
	assert_why(&h, "backing file /data/img/root.img is on vfat (/dev/vda1, 254:1, "
		   "mounted on /data/img): alias fs-vfat");
	hostonly_free(&h);
}

/* Loops in slaves/ end: a revisit is skipped, a chain deeper than the
 * bound is refused. */
static void test_bounded_stacking(void **state)
{
	char p[PATH_MAX], q[PATH_MAX];
	struct hostonly h;
	int i;

	(void)state;
	tree("cycle");
	virtio_disk();
	blockdev("253:0", "devices/virtual/block/dm-0", 0);
	blockdev("253:1", "devices/virtual/block/dm-1", 0);
	put("sys/devices/virtual/block/dm-0/dm/uuid", "LVM-abc\n");
	put("sys/devices/virtual/block/dm-1/dm/uuid", "\n");
	sys_ln("devices/virtual/block/dm-0/slaves/dm-1", "devices/virtual/block/dm-1");
	sys_ln("devices/virtual/block/dm-1/slaves/dm-0", "devices/virtual/block/dm-0");
	sys_ln("devices/virtual/block/dm-1/slaves/vda", VDA);
	mountinfo("1 0 253:0 / / rw - ext4 /dev/dm-0 rw\n");
	assert_int_equal(detect(&h, "/"), 0);
	assert_why(&h, "dm-0 (walked above)");
	assert_why(&h, "dm-1: device-mapper (no uuid): dm_mod (module); slaves: dm-0 vda");
	assert_true(has(h.modules, h.nmod, "virtio_blk"));
	hostonly_free(&h);

	tree("deep");
	for (i = 0; i < 2 * HOSTONLY_MAX_STACK; i++) {
		pf(p, sizeof(p), "devices/virtual/block/dm-%d", i);
		pf(q, sizeof(q), "253:%d", i);
		blockdev(q, p, 0);
		pf(q, sizeof(q), "sys/%s/dm/uuid", p);
		put(q, "LVM-x\n");
		pf(p, sizeof(p), "devices/virtual/block/dm-%d/slaves/dm-%d", i, i + 1);
		pf(q, sizeof(q), "devices/virtual/block/dm-%d", i + 1);
		sys_ln(p, q);
	}
	mountinfo("1 0 253:0 / / rw - ext4 /dev/dm-0 rw\n");
	assert_int_equal(detect(&h, "/"), -ELOOP);
	assert_contains(h.err, "stacked more than");
	hostonly_free(&h);
}

/* ---- this machine ---- */

static void sh_out(const char *cmd, char *out, size_t size)
{
	FILE *f = popen(cmd, "r");
	size_t n;

	assert_non_null(f);
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	if (pclose(f) != 0)
		fail_msg("command failed: %s", cmd);
	while (n && out[n - 1] == '\n')
		out[--n] = '\0';
}

static int known(const struct hostonly *h, const char *name)
{
	return has(h->modules, h->nmod, name) || has(h->builtin, h->nbuiltin, name);
}

static void test_real_machine(void **state)
{
	/* For each disk below the root (lsblk -s), the driver of its device
	 * (readlink -f, as the brief asks), then every driver udevadm's path
	 * passes on the way to /sys/devices: "driver module" per line. */
	static const char script[] =
		"set -e; src=$(findmnt -no SOURCE / | sed 's/\\[.*//'); "
		"lsblk -rnso NAME,TYPE \"$src\" | awk '$2 == \"disk\" {print $1}' | "
		"while read d; do "
		"  if [ -e /sys/block/$d/device/driver ]; then "
		"    drv=$(readlink -f /sys/block/$d/device/driver); "
		"    mod=-; [ -e $drv/module ] && mod=$(basename $(readlink -f $drv/module)); "
		"    echo \"$(basename $drv) $mod\"; "
		"  fi; "
		"  p=/sys$(udevadm info -q path -n /dev/$d); "
		"  while [ \"$p\" != /sys/devices ] && [ \"$p\" != /sys ]; do "
		"    if [ -L $p/driver ]; then "
		"      mod=$(readlink $p/driver/module 2>/dev/null || true); "
		"      echo \"$(basename $(readlink $p/driver)) $(basename \"${mod:-/-}\")\"; "
		"    fi; p=$(dirname $p); "
		"  done; "
		"done";
	char fstype[64], expect[8192], dev[256], *line, *save = NULL;
	struct hostonly h;
	size_t i, checked = 0;
	int r;

	(void)state;
	r = hostonly_detect(&h, "", "/");
	print_message("hostonly_detect(\"\", \"/\") = %d%s%s\n", r, r ? ": " : "", h.err);
	print_message("  fstype=%s rootdev=%s\n", h.fstype, h.rootdev);
	for (i = 0; i < h.nwhy; i++)
		print_message("  why: %s\n", h.why[i]);
	for (i = 0; i < h.nmod; i++)
		print_message("  module: %s\n", h.modules[i]);
	for (i = 0; i < h.nbuiltin; i++)
		print_message("  built-in: %s\n", h.builtin[i]);
	for (i = 0; i < h.nalias; i++)
		print_message("  modalias: %s\n", h.modaliases[i]);
	assert_int_equal(r, 0);

	sh_out("findmnt -no FSTYPE /", fstype, sizeof(fstype));
	assert_string_equal(h.fstype, fstype);
	sh_out("basename \"$(readlink -f \"$(findmnt -no SOURCE / | sed 's/\\[.*//')\")\"",
	       dev, sizeof(dev));
	assert_string_equal(h.rootdev, dev);
	assert_true(h.nmod + h.nbuiltin > 0);

	sh_out(script, expect, sizeof(expect));
	for (line = strtok_r(expect, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char drv[128], mod[128];

		assert_int_equal(sscanf(line, "%127s %127s", drv, mod), 2);
		print_message("  expected driver %s (module %s)\n", drv, mod);
		if (!known(&h, drv) && !(strcmp(mod, "-") && known(&h, mod)))
			fail_msg("driver %s (module %s) on the root's path is not reported", drv,
				 mod);
		checked++;
	}
	assert_true(checked > 0);
	hostonly_free(&h);
}

/* ---- the pure parsers (also fuzzed: tests/fuzz/fuzz_sysfs.c) ---- */

static int mline(const char *text, struct hostonly_mount *m)
{
	char *copy = strdup(text);
	int r;

	assert_non_null(copy);
	memset(m, 0, sizeof(*m));
	r = hostonly_mountinfo_line(copy, m);
	free(copy);
	return r;
}

static void test_mountinfo_line(void **state)
{
	struct hostonly_mount m;

	(void)state;
	assert_int_equal(mline("29 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw", &m), 0);
	assert_int_equal(m.id, 29);
	assert_int_equal(m.major, 254);
	assert_int_equal(m.minor, 1);
	assert_string_equal(m.point, "/");
	assert_string_equal(m.fstype, "ext4");
	assert_string_equal(m.source, "/dev/vda1");
	hostonly_mount_free(&m);
	assert_int_equal(mline("30 29 0:42 /@\\040x /mnt\\011t rw - btrfs  rw", &m), 0);
	assert_string_equal(m.root, "/@ x");
	assert_string_equal(m.point, "/mnt\tt");
	assert_string_equal(m.source, "");	/* an empty source exists */
	hostonly_mount_free(&m);
	/* empty type, root or mount point: malformed, not a mount of nothing */
	assert_int_equal(mline("22 1 253:0 / / r -  253:0 x", &m), -EINVAL);
	hostonly_mount_free(&m);
	assert_int_equal(mline("22 1 253:0 / / r - \\000 /dev/x rw", &m), -EINVAL);
	hostonly_mount_free(&m);
	assert_int_equal(mline("22 1 253:0  / r - ext4 /dev/x rw", &m), -EINVAL);
	hostonly_mount_free(&m);
	assert_int_equal(mline("22 1 253 / / r - ext4 /dev/x rw", &m), -EINVAL);
	hostonly_mount_free(&m);
	assert_int_equal(mline("22 1 1:2 / / r ext4 /dev/x rw", &m), -EINVAL);
	hostonly_mount_free(&m);
	assert_int_equal(mline("4294967296 1 1:2 / / r - ext4 /dev/x rw", &m), -EINVAL);
	hostonly_mount_free(&m);
}

static void test_resolve_and_names(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(hostonly_resolve(out, sizeof(out), "devices/virtual/block/dm-0/slaves",
					  "../../../../pci0000:00/vda/vda1"), 0);
	assert_string_equal(out, "devices/pci0000:00/vda/vda1");
	assert_int_equal(hostonly_resolve(out, sizeof(out), "dev/block", "../../../x"), -EINVAL);
	assert_int_equal(hostonly_resolve(out, sizeof(out), "dev/block", "/sys/devices"), -EINVAL);
	assert_int_equal(hostonly_resolve(out, 8, "dev/block", "../../devices/long"), -ENAMETOOLONG);
	assert_string_equal(hostonly_dm_module("CRYPT-LUKS2-0123-root"), "dm_crypt");
	assert_string_equal(hostonly_dm_module("CRYPT-VERITY-x"), "dm_verity");
	assert_string_equal(hostonly_dm_module("LVM-abc-tpool"), "dm_thin_pool");
	assert_null(hostonly_dm_module("LVM-abc"));
	assert_string_equal(hostonly_md_module("raid5"), "raid456");
	assert_null(hostonly_md_module("container"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mountinfo_line),
		cmocka_unit_test(test_resolve_and_names),
		cmocka_unit_test(test_virtio_partition),
		cmocka_unit_test(test_nvme),
		cmocka_unit_test(test_nvme_multipath),
		cmocka_unit_test(test_sata_ahci),
		cmocka_unit_test(test_usb_stick),
		cmocka_unit_test(test_dm_crypt),
		cmocka_unit_test(test_lvm_set),
		cmocka_unit_test(test_lvm_unsupported),
		cmocka_unit_test(test_crypttab),
		cmocka_unit_test(test_md_sets),
		cmocka_unit_test(test_resume),
		cmocka_unit_test(test_md_raid1),
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_mountinfo_escapes_overmount),
		cmocka_unit_test(test_not_block),
		cmocka_unit_test(test_missing_sysfs_entry),
		cmocka_unit_test(test_bad_arguments_and_mountinfo),
		cmocka_unit_test(test_btrfs),
		cmocka_unit_test(test_loop_root),
		cmocka_unit_test(test_bounded_stacking),
		cmocka_unit_test(test_real_machine),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
