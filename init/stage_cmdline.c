/* stage_cmdline.c - stage "cmdline": read /proc/cmdline and the root spec */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "init.h"
#include "layout.h"

#define IMAGE_SENTINEL "/" LAYOUT_SENTINEL
#include "log.h"
#include "util.h"

/* The image's defaults (mkinitramfs --resume, --hostonly): parameters
 * read before /proc/cmdline, so that the kernel's command line wins. */
#define DEFAULTS_MAX 1024

int stage_cmdline(struct boot *b)
{
	/* touched only as far as it is read */
	static char buf[DEFAULTS_MAX + CMDLINE_MAX];
	char ignored[64], sentinel[64];
	ssize_t d = read_file("/" LAYOUT_CMDLINE, buf, DEFAULTS_MAX);
	int r, fd;
	ssize_t n;

	if (d == -EFBIG)
		log_msg(L_WARN, "cmdline: /%s is over %d bytes; its defaults are "
			"ignored", LAYOUT_CMDLINE, DEFAULTS_MAX - 1);
	d = d > 0 ? d : 0;
	buf[d++] = ' ';
	fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -errno : cmdline_read(fd, buf + d, CMDLINE_MAX, ignored,
					   sizeof(ignored));

	if (fd >= 0)
		close(fd);
	if (n < 0)
		return fail(b, (int)n, "cannot read /proc/cmdline: %s", strerror((int)-n));
	cmdline_parse(buf, &b->bp);
	log_debug = b->bp.debug;

	/* Bad input costs a warning, never the boot. */
	if (ignored[0])
		log_msg(L_WARN, "cmdline: /proc/cmdline is longer than %d bytes; "
			"ignored %s and every parameter after it", CMDLINE_MAX - 1,
			ignored);
	if (b->bp.unterminated_quote)
		log_msg(L_WARN, "cmdline: unterminated double quote; the rest of the "
			"line was read as one value; check the boot loader entry");
	if (b->bp.too_long[0])
		log_msg(L_WARN, "cmdline: value of %s= is too long (max %d bytes) and "
			"was ignored", b->bp.too_long, PARAM_VALUE_MAX - 1);

	/* mkinitramfs writes this entry last: without it, the kernel unpacked
	 * only part of the image (it says "Initramfs unpacking failed"). */
	n = read_file(IMAGE_SENTINEL, sentinel, sizeof(sentinel));
	if (n < 0 && n != -EFBIG)
		return fail(b, -EBADF, "this initramfs is incomplete: the kernel unpacked "
			    "only part of it (a truncated or damaged image file, a full "
			    "/boot?); rebuild it with mkinitramfs");
	if (!b->bp.root[0])
		return fail(b, -EINVAL, "no root= on the kernel command line; "
			    "append root=UUID=..., root=LABEL=... or root=/dev/NAME");
	r = rootspec_parse(b->bp.root, &b->rs);
	if (r)
		return fail(b, r, "root=%s is not a device specification "
			    "(use /dev/NAME, MAJ:MIN, UUID=, LABEL=, PARTUUID= or PARTLABEL=)",
			    b->bp.root);
	log_msg(L_DEBUG, "cmdline: root=%s rootfstype=%s rootflags=%s %s",
		b->bp.root, b->bp.rootfstype, b->bp.rootflags,
		b->bp.ro == RO_RW ? "rw" : "ro");
	return 0;
}
