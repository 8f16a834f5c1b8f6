/* lvm.h - LVM2 physical volumes, metadata and device-mapper tables (pure,
 * host-testable)
 *
 * /init activates the logical volumes it needs itself (issue 16).  The
 * system-call side reads devices and loads tables; this half turns the bytes
 * it read into those tables:
 *   1. the first LVM_LABEL_SCAN bytes of a device: lvm_label_parse() finds
 *      the PV label (uuid, metadata areas);
 *   2. the LVM_MDA_HEADER bytes at a metadata area's start: lvm_mda_parse()
 *      says where the current metadata text is and its checksum;
 *   3. the text: lvm_meta_parse() gives the volume group (the copy with the
 *      highest seqno wins when PVs disagree);
 *   4. lvm_lv_table() gives the device-mapper table of one LV, lvm_dm_name()
 *      and lvm_dm_uuid() its name and uuid, the ones lvm itself uses.
 * Everything read from a disk is untrusted: bad input gives -EINVAL (with a
 * message where there is room for one), never a read outside the buffers.
 * Only linear and striped segments become tables; any other segment type is
 * kept by name and refused by lvm_lv_table(). */
#ifndef INITKIT_LVM_H
#define INITKIT_LVM_H

#include <stddef.h>
#include <stdint.h>

#define LVM_SECTOR	512
#define LVM_LABEL_SCAN	2048		/* the label is in one of sectors 0-3 */
#define LVM_MDA_HEADER	512		/* the metadata area header */
#define LVM_CRC_INIT	0xf597a6cfu
#define LVM_ID_LEN	32		/* a uuid without its dashes */
/* The largest metadata text accepted: lvm keeps the text under half of its
 * metadata area, 1 MiB by default, about 1,500 LVs; 64 MiB is some 100,000
 * LVs, more than lvm itself can handle. */
#define LVM_TEXT_MAX	(64u << 20)
#define LVM_DM_NAME_MAX	128		/* DM_NAME_LEN, with the NUL */
#define LVM_DM_UUID_MAX	(4 + 2 * LVM_ID_LEN + 1)	/* "LVM-" VGID LVID */

/* ---- the label (sectors 0-3 of a physical volume) ---- */

struct lvm_label {
	char pv_uuid[LVM_ID_LEN + 1];	/* as on disk: 32 chars, no dashes */
	unsigned sector;		/* where the label was: 0-3 */
	uint64_t dev_size;		/* bytes, when pvcreate ran */
	uint64_t pe_start_hint;		/* bytes: the first data area, or 0 */
	unsigned n_mda;			/* metadata areas: 0, 1 or 2 */
	uint64_t mda_offset[2], mda_size[2];	/* bytes from the device start */
};

/* LVM's CRC-32 (polynomial 0xedb88320, no final inversion): start with
 * LVM_CRC_INIT, feed the result back in to continue over another buffer. */
uint32_t lvm_crc(uint32_t initial, const void *buf, size_t len);

/* Find and check the label in @buf, the first @len (LVM_LABEL_SCAN) bytes
 * of a device.  Returns 0, -ENOENT if no sector holds an LVM2 label,
 * -EINVAL if one does but is damaged (checksum, sector number, layout). */
int lvm_label_parse(const uint8_t *buf, size_t len, struct lvm_label *l);

/* ---- the metadata area header ---- */

/* Where the current metadata text is, relative to the area's start: one
 * piece, or two when the text wraps round the end of the circular buffer
 * to just after the header.  The text is len[0] + len[1] bytes (at most
 * LVM_TEXT_MAX); lvm_crc() over the pieces in order must give @crc. */
struct lvm_text_loc {
	uint64_t off[2], len[2];
	unsigned n;			/* 1 or 2 */
	uint32_t crc;
};

/* Parse the LVM_MDA_HEADER bytes at the start of the metadata area found by
 * the label at byte @mda_offset, @mda_size bytes long.  Returns 0,
 * -ENOENT if the area holds no metadata (a PV in no VG, or an area lvm was
 * told to ignore: read another PV's), -EINVAL if the header is damaged. */
int lvm_mda_parse(const uint8_t *hdr, size_t len, uint64_t mda_offset,
		  uint64_t mda_size, struct lvm_text_loc *loc);

/* ---- the volume group, from the metadata text ---- */

/* status and flags words, of the VG, a PV or an LV */
#define LVM_READ		0x01
#define LVM_WRITE		0x02
#define LVM_VISIBLE		0x04	/* an LV the user made (not a pool's part) */
#define LVM_ACTIVATION_SKIP	0x08	/* lvcreate -ky: activated only when named */
#define LVM_EXPORTED		0x10	/* a VG for another system: vgexport */
#define LVM_MISSING		0x20	/* a PV lvm knows to be missing */
#define LVM_NOAUTOACTIVATE	0x40

struct lvm_pv {
	const char *name;		/* "pv0": what segments refer to */
	const char *id;			/* "xxxxxx-xxxx-...-xxxxxx" */
	const char *device;		/* where it was last seen: a hint only */
	unsigned flags;
	uint64_t pe_start, pe_count;	/* sectors, extents */
};

/* One stripe of a segment: extents from @pe on PV @pv, or on something
 * that is no PV (@pv -1: a stacked LV, which lvm_lv_table() refuses). */
struct lvm_area {
	int pv;
	const char *name;
	uint64_t pe;
};

struct lvm_seg {
	uint64_t start_extent, extent_count;
	const char *type;		/* "striped" (also linear), "thin", ... */
	unsigned stripe_count;		/* 0 for types other than striped */
	uint64_t stripe_size;		/* sectors; 0 for one stripe */
	struct lvm_area *stripes;
};

struct lvm_lv {
	const char *name, *id;
	unsigned flags;
	unsigned nseg;
	struct lvm_seg *seg;		/* in order, end to end from extent 0 */
};

struct lvm_vg {
	const char *name, *id;
	uint64_t seqno;
	uint64_t extent_size;		/* sectors */
	unsigned flags;
	unsigned npv, nlv;
	struct lvm_pv *pv;
	struct lvm_lv *lv;
	/* where the LVs' segments, the segments' stripes and every string
	 * above are kept (freed by lvm_vg_free()) */
	unsigned nsegs, nareas;
	struct lvm_seg *segs;
	struct lvm_area *areas;
	char *strings;
};

/* Parse the metadata text (@len bytes, or up to a NUL).  Returns 0 with
 * *@vgp to free with lvm_vg_free(), -EINVAL with a message in @err naming
 * what is wrong ("segment2 of vg0/root: stripes lists 3 entries,
 * stripe_count says 2"), or -ENOMEM.  Keys it does not know are ignored;
 * segments of types it does not know are kept with their type only. */
int lvm_meta_parse(const char *text, size_t len, struct lvm_vg **vgp,
		   char *err, size_t errlen);

void lvm_vg_free(struct lvm_vg *vg);

/* The LV called @name, or NULL. */
const struct lvm_lv *lvm_find_lv(const struct lvm_vg *vg, const char *name);

/* The index of the PV whose uuid is @uuid (with or without dashes, as the
 * label has it), or -ENOENT. */
int lvm_find_pv(const struct lvm_vg *vg, const char *uuid);

/* Whether `vgchange -ay` would activate @lv: visible, no activation skip
 * flag.  (lvchange -ay VG/LV, as for root=, activates any LV.) */
int lvm_lv_default_active(const struct lvm_lv *lv);

/* ---- device-mapper ---- */

struct lvm_target {
	uint64_t start, len;		/* sectors */
	const char *type;		/* "linear" or "striped" */
	char *params;			/* "MAJ:MIN OFFSET", "N CHUNK MAJ:MIN OFFSET..." */
};

/* The table of @lv, one target per segment.  @pv_dev[i] is "MAJ:MIN" of
 * the device of PV i of @vg, or NULL where it was not found.  Returns 0
 * with *@t (free with lvm_targets_free()) and *@nt set; -EINVAL with a
 * message in @err for a segment type other than linear and striped, a
 * missing PV (named by its uuid; also one the metadata marks MISSING), a
 * stacked LV, or an exported VG; -ENOMEM.  Load the table read-only when
 * @lv->flags lacks LVM_WRITE. */
int lvm_lv_table(const struct lvm_vg *vg, const struct lvm_lv *lv,
		 const char *const *pv_dev, struct lvm_target **t, size_t *nt,
		 char *err, size_t errlen);

void lvm_targets_free(struct lvm_target *t);

/* The device-mapper (/dev/mapper) name of @vg/@lv, as lvm makes it: each
 * '-' doubled, the two joined by '-' ("my-vg", "root" -> "my--vg-root").
 * Returns 0 or -ENAMETOOLONG if it does not fit @len (or DM's limit). */
int lvm_dm_name(const char *vg, const char *lv, char *buf, size_t len);

/* The reverse, for root=/dev/mapper/my--vg-root.  Returns 0, -EINVAL for a
 * name that is no VG-LV pair (or an LV's hidden layer, "vg-lv-real"),
 * -ENAMETOOLONG if a part does not fit its buffer. */
int lvm_split_dm_name(const char *name, char *vg, size_t vglen,
		      char *lv, size_t lvlen);

/* The device-mapper uuid lvm gives @lv: "LVM-" + the VG's id + the LV's,
 * without dashes (udev rules and systemd see the same as under lvm).
 * Returns 0 or -ENAMETOOLONG. */
int lvm_dm_uuid(const struct lvm_vg *vg, const struct lvm_lv *lv,
		char *buf, size_t len);

#endif
