/* resume.c - resume= (see resume.h).
 *
 * The kernel resumes a hibernation image when "MAJ:MIN" is written to
 * /sys/power/resume, and never returns to us; if the device holds no image
 * the write fails or returns and we boot fresh.  It must happen before
 * anything writes to a disk the image was made over: so root-wait calls
 * resume_step() before it lets an array start degraded or the root be
 * mounted.  The actions that run meanwhile only read (LVM activation, MD
 * arrays started read-only until their first write, LUKS). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "blockdev.h"
#include "init.h"
#include "log.h"
#include "resume.h"
#include "util.h"

static struct root_spec spec;
static int pending;

int resume_init(struct boot *b)
{
	const char *r = b->bp.resume;

	pending = 0;
	if (!r[0])
		return 0;
	if (b->bp.noresume) {
		log_msg(L_INFO, "resume: noresume: booting fresh, %s is not looked at", r);
		return 0;
	}
	if (rootspec_parse(r, &spec)) {
		log_msg(L_WARN, "resume: resume=%s is not a device specification (write "
			"UUID=, LABEL=, PARTUUID=, /dev/NAME or MAJ:MIN); booting fresh", r);
		return 0;
	}
	pending = 1;
	return 1;
}

static int write_sys(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

int resume_step(struct boot *b, int give_up)
{
	char path[DEV_PATH_MAX], num[32];
	struct fs_info fs;
	dev_t dev;
	int r;

	if (!pending)
		return 1;
	if (!block_find(&spec, path, sizeof(path), &dev, &fs)) {
		if (!give_up)
			return 0;
		pending = 0;
		log_msg(L_WARN, "resume: %s never appeared; booting fresh (noresume on "
			"the command line skips the wait)", b->bp.resume);
		return 1;
	}
	pending = 0;
	if (!strcmp(fs.type, "swap") && !b->bp.resume_offset[0]) {
		log_msg(L_INFO, "resume: no hibernation image on %s (%s): booting fresh",
			b->bp.resume, path);
		return 1;
	}
	if (b->bp.resume_offset[0] &&
	    (r = write_sys("/sys/power/resume_offset", b->bp.resume_offset))) {
		log_msg(L_ERR, "resume: resume_offset=%s refused by the kernel (%s); "
			"booting fresh", b->bp.resume_offset, strerror(-r));
		return 1;
	}
	snprintf(num, sizeof(num), "%u:%u", major(dev), minor(dev));
	log_msg(L_NOTICE, "resume: resuming from %s (%s, %s)", path, num,
		fs.type[0] ? fs.type : "no signature seen");
	r = write_sys("/sys/power/resume", num);
	/* Still here: the kernel found no image it could restore. */
	log_msg(L_NOTICE, "resume: no image restored from %s (%s); booting fresh",
		path, r ? strerror(-r) : "the kernel declined it");
	return 1;
}
