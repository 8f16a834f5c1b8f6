/* lvm_main.c - the LVM action: LAYOUT_HELPERS/lvm, run by /init for each
 * LVM physical volume that appears (actions.h):
 *
 *   lvm add /dev/NAME  note the PV; once every PV of its volume group is
 *                      here, activate the VG's logical volumes: linear and
 *                      striped, as `vgchange -aay` would, or those named by
 *                      rd.lvm.lv= (rd.lvm.vg= limits the VGs)
 *   lvm final          name the volume groups that stayed incomplete and
 *                      the PVs they miss
 *
 * Nothing is written to the disks: no metadata update, no partial
 * activation.  What was seen is kept in /run/initkit/lvm between calls:
 * pv/UUID ("/dev/NAME MAJ:MIN"), incomplete/VG (why). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "cmdline.h"
#include "dm.h"
#include "helper.h"
#include "log.h"
#include "lvm.h"
#include "util.h"

#define STATE   "/run/initkit/lvm"
#define ERR_MAX 512
#define NAMES_MAX 1024

/* rd.lvm.vg= and rd.lvm.lv=, each as often as given: "a\0b\0" */
static char want_vg[NAMES_MAX], want_lv[NAMES_MAX];
static size_t want_vg_len, want_lv_len;

static int take(char *param, char *val, void *arg)
{
	char *list = !strcmp(param, "rd.lvm.vg") ? want_vg :
		     !strcmp(param, "rd.lvm.lv") ? want_lv : NULL;
	size_t *len = list == want_vg ? &want_vg_len : &want_lv_len;
	size_t n;

	(void)arg;
	if (!list || !val || !*val)
		return 0;
	n = strlen(val) + 1;
	if (*len + n <= NAMES_MAX) {
		memcpy(list + *len, val, n);
		*len += n;
	}
	return 0;
}

static int listed(const char *list, size_t len, const char *a, const char *b)
{
	const char *p;

	for (p = list; p < list + len; p += strlen(p) + 1) {
		size_t n = strlen(a);

		if (!b ? !strcmp(p, a) :
		    !strncmp(p, a, n) && p[n] == '/' && !strcmp(p + n + 1, b))
			return 1;
	}
	return 0;
}

/* A PV as read from its device: the label, the metadata text, and its
 * number. */
struct pv {
	struct lvm_label label;
	char *text;
	size_t textlen;
	dev_t dev;
};

/* Read the label and the newest metadata text of the PV at @path.
 * Returns 0, -ENOENT (no label, or no metadata on this PV), -errno. */
static int read_pv(const char *path, struct pv *pv, char *err, size_t errlen)
{
	uint8_t buf[LVM_LABEL_SCAN > LVM_MDA_HEADER ? LVM_LABEL_SCAN : LVM_MDA_HEADER];
	struct lvm_text_loc loc;
	struct stat st;
	unsigned m;
	int fd, r;

	memset(pv, 0, sizeof(*pv));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		if (fd >= 0)
			close(fd);
		return r;
	}
	pv->dev = st.st_rdev;
	r = helper_pread(fd, buf, LVM_LABEL_SCAN, 0);
	if (!r)
		r = lvm_label_parse(buf, LVM_LABEL_SCAN, &pv->label);
	for (m = 0; !r && m < pv->label.n_mda; m++) {
		r = helper_pread(fd, buf, LVM_MDA_HEADER, pv->label.mda_offset[m]);
		if (!r)
			r = lvm_mda_parse(buf, LVM_MDA_HEADER, pv->label.mda_offset[m],
					  pv->label.mda_size[m], &loc);
		if (r == -ENOENT || r == -EINVAL) {
			r = 0;		/* the other copy, if any */
			continue;
		}
		if (r)
			break;
		pv->textlen = (size_t)(loc.len[0] + (loc.n > 1 ? loc.len[1] : 0));
		pv->text = malloc(pv->textlen + 1);
		if (!pv->text) {
			r = -ENOMEM;
			break;
		}
		r = helper_pread(fd, pv->text, (size_t)loc.len[0],
			      pv->label.mda_offset[m] + loc.off[0]);
		if (!r && loc.n > 1)
			r = helper_pread(fd, pv->text + loc.len[0], (size_t)loc.len[1],
				      pv->label.mda_offset[m] + loc.off[1]);
		if (!r && lvm_crc(LVM_CRC_INIT, pv->text, pv->textlen) != loc.crc)
			r = -EINVAL;
		if (!r) {
			pv->text[pv->textlen] = '\0';
			break;
		}
		free(pv->text);
		pv->text = NULL;
		if (r != -EINVAL)
			break;
		r = 0;	/* a damaged copy: try the other */
	}
	close(fd);
	if (r == -EINVAL || r == -ENOENT)
		snprintf(err, errlen, "%s: %s", path, r == -ENOENT ? "no LVM label" :
			 "damaged LVM label or metadata");
	else if (r)
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
	if (!r && !pv->text) {
		snprintf(err, errlen, "%s: no metadata on this PV (pvcreate "
			 "--metadatacopies 0): the VG's other PVs have it", path);
		r = -ENOENT;
	}
	return r;
}

/* The file that says where PV @uuid (32 characters, no dashes) was seen. */
static void pv_file(char *path, size_t size, const char *uuid)
{
	char id[LVM_ID_LEN + 1];
	size_t i, o = 0;

	for (i = 0; uuid[i] && o < LVM_ID_LEN; i++)
		if (uuid[i] != '-')
			id[o++] = uuid[i];
	id[o] = '\0';
	path_fmt(path, size, STATE "/pv/%s", id);
}

/* Where PV @uuid was seen: "/dev/NAME" and "MAJ:MIN", or -ENOENT. */
static int pv_seen(const char *uuid, char *path, size_t psize, char *num, size_t nsize)
{
	char f[128], buf[128], *sp;

	pv_file(f, sizeof(f), uuid);
	if (read_file(f, buf, sizeof(buf)) <= 0)
		return -ENOENT;
	sp = strchr(buf, ' ');
	if (!sp)
		return -ENOENT;
	*sp++ = '\0';
	sp[strcspn(sp, "\n")] = '\0';
	if (path_fmt(path, psize, "%s", buf) || path_fmt(num, nsize, "%s", sp))
		return -ENAMETOOLONG;
	return 0;
}

static void link_lv(const char *vg, const char *lv, dev_t dev)
{
	char dir[160], link[320], target[32];

	if (path_fmt(dir, sizeof(dir), "/dev/%s", vg) || mkdirs(dir, 0755) ||
	    path_fmt(link, sizeof(link), "%s/%s", dir, lv))
		return;
	snprintf(target, sizeof(target), "../dm-%u", minor(dev));
	unlink(link);
	if (symlink(target, link) < 0)
		log_msg(L_WARN, "lvm: cannot link %s: %s", link, strerror(errno));
}

/* Activate what is wanted of @vg, whose PVs are the devices @pv_dev. */
static int activate(const struct lvm_vg *vg, const char *const *pv_dev)
{
	char err[ERR_MAX], name[LVM_DM_NAME_MAX], uuid[LVM_DM_UUID_MAX];
	unsigned i;
	int failed = 0, n = 0;

	for (i = 0; i < vg->nlv; i++) {
		const struct lvm_lv *lv = &vg->lv[i];
		struct lvm_target *t;
		struct dm_target *dt;
		size_t nt, k;
		dev_t dev;
		int r;

		if (want_lv_len ? !listed(want_lv, want_lv_len, vg->name, lv->name) :
		    !lvm_lv_default_active(lv))
			continue;
		if (lvm_dm_name(vg->name, lv->name, name, sizeof(name)) ||
		    lvm_dm_uuid(vg, lv, uuid, sizeof(uuid)))
			continue;
		if (dm_exists(name, &dev) == 1)
			continue;
		r = lvm_lv_table(vg, lv, pv_dev, &t, &nt, err, sizeof(err));
		if (r) {
			log_msg(L_ERR, "lvm: %s; not activated", err);
			failed++;
			continue;
		}
		dt = calloc(nt, sizeof(*dt));
		if (!dt) {
			lvm_targets_free(t);
			return -ENOMEM;
		}
		for (k = 0; k < nt; k++) {
			dt[k].start = t[k].start;
			dt[k].len = t[k].len;
			dt[k].type = t[k].type;
			dt[k].params = t[k].params;
		}
		r = dm_create(name, uuid, dt, nt, !(lv->flags & LVM_WRITE), &dev, err,
			      sizeof(err));
		free(dt);
		lvm_targets_free(t);
		if (r) {
			log_msg(L_ERR, "lvm: %s/%s: %s", vg->name, lv->name, err);
			failed++;
			continue;
		}
		link_lv(vg->name, lv->name, dev);
		dm_udev_db(dev, name, uuid);
		log_msg(L_INFO, "lvm: activated %s/%s as /dev/mapper/%s (dm-%u)", vg->name,
			lv->name, name, minor(dev));
		n++;
	}
	return failed ? 1 : 0;
}

static int add(const char *path)
{
	char err[ERR_MAX], f[160], line[160], why[768];
	struct pv pv, other;
	struct lvm_vg *vg, *newer;
	char **paths, **nums;
	unsigned i, missing = 0;
	size_t o = 0;
	int r;

	r = read_pv(path, &pv, err, sizeof(err));
	if (r == -ENOENT && pv.label.pv_uuid[0]) {
		/* A PV without metadata: noted, so that its VG can complete. */
		goto note;
	}
	if (r) {
		log_msg(L_WARN, "lvm: %s", err);
		return 1;
	}
note:
	if (mkdirs(STATE "/pv", 0755) || mkdirs(STATE "/incomplete", 0755))
		return 1;
	pv_file(f, sizeof(f), pv.label.pv_uuid);
	snprintf(line, sizeof(line), "%s %u:%u\n", path, major(pv.dev), minor(pv.dev));
	write_file(f, line, strlen(line));
	if (!pv.text)
		return 0;
	r = lvm_meta_parse(pv.text, pv.textlen, &vg, err, sizeof(err));
	free(pv.text);
	if (r) {
		log_msg(L_ERR, "lvm: %s: metadata: %s", path, err);
		return 1;
	}
	if (want_vg_len && !listed(want_vg, want_vg_len, vg->name, NULL)) {
		log_msg(L_INFO, "lvm: %s: volume group %s is not one of rd.lvm.vg=; left "
			"alone", path, vg->name);
		lvm_vg_free(vg);
		return 0;
	}
	if (vg->flags & LVM_EXPORTED) {
		log_msg(L_WARN, "lvm: volume group %s is exported (vgexport); left alone",
			vg->name);
		lvm_vg_free(vg);
		return 0;
	}
	paths = calloc(vg->npv + 1, sizeof(*paths));
	nums = calloc(vg->npv + 1, sizeof(*nums));
	why[0] = '\0';
	if (!paths || !nums) {
		lvm_vg_free(vg);
		return 1;
	}
	for (i = 0; i < vg->npv; i++) {
		paths[i] = malloc(64);
		nums[i] = malloc(32);
		if (!paths[i] || !nums[i] ||
		    pv_seen(vg->pv[i].id, paths[i], 64, nums[i], 32)) {
			free(nums[i]);
			nums[i] = NULL;
			missing++;
			if (o < sizeof(why)) {
				int n = snprintf(why + o, sizeof(why) - o,
						 "%sPV %s (last seen as %s)", missing > 1 ? ", " : "",
						 vg->pv[i].id, vg->pv[i].device ? vg->pv[i].device : "?");
				o += n > 0 ? (size_t)n : 0;
			}
		}
	}
	path_fmt(f, sizeof(f), STATE "/incomplete/%s", vg->name);
	if (missing) {
		char msg[1024];
		int n = snprintf(msg, sizeof(msg), "volume group %s is incomplete: %u of %u "
				 "physical volumes missing: %s", vg->name, missing, vg->npv,
				 why);

		if (n > 0)
			write_file(f, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
		log_msg(L_INFO, "lvm: %s: %u of %u physical volumes here; waiting",
			vg->name, vg->npv - missing, vg->npv);
		r = 0;
		goto out;
	}
	unlink(f);
	/* Every PV is here: the newest metadata among them wins. */
	for (i = 0; i < vg->npv; i++) {
		if (strcmp(paths[i], path) == 0 || read_pv(paths[i], &other, err, sizeof(err)))
			continue;
		if (!lvm_meta_parse(other.text, other.textlen, &newer, err, sizeof(err))) {
			if (newer->seqno > vg->seqno && !strcmp(newer->id, vg->id)) {
				lvm_vg_free(vg);
				vg = newer;
			} else {
				lvm_vg_free(newer);
			}
		}
		free(other.text);
	}
	r = activate(vg, (const char *const *)nums);
out:
	for (i = 0; i < vg->npv; i++) {
		free(paths[i]);
		free(nums[i]);
	}
	free(paths);
	free(nums);
	lvm_vg_free(vg);
	return r;
}

static int final(void)
{
	helper_report(STATE "/incomplete", "lvm: ", "; not activated (initkit never activates "
		      "a volume group partially)");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct helper_ops ops = { "lvm", take, add, final, NULL };

	return helper_main(argc, argv, &ops);
}
