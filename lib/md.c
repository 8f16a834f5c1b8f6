/* md.c - MD RAID superblocks and incremental assembly (pure: no syscalls)
 *
 * Field offsets come from the kernel's own structures (md_p.h) through
 * offsetof(), never from the buffer's alignment: a 1.x superblock is read
 * little-endian, a 0.90 one in the host's byte order, as the kernel
 * writes them.  Every length taken from the disk (max_dev, raid_disks,
 * the member index) is checked before it is used. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/raid/md_p.h>
#include "bytes.h"
#include "md.h"

#define F0(f)	offsetof(mdp_super_t, f)
#define F1(f)	offsetof(struct mdp_superblock_1, f)
#define SB1_SIZE	256	/* struct mdp_superblock_1 before dev_roles[] */
#define SB1_MAX_DEV	((4096 - SB1_SIZE) / 2)	/* the kernel's bound */
#define SB1_MIN_SECTORS	24	/* mdadm's smallest 1.x member */
#define ALL_ONES	(~(uint64_t)0)

/* A host-endian 32-bit word (0.90 superblocks), any alignment. */
static uint32_t he32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t he64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t bit(int r)
{
	return (uint64_t)1 << r;
}

static uint64_t all_roles(int n)
{
	return n >= 64 ? ALL_ONES : bit(n) - 1;
}

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

int md_sb_offsets(uint64_t dev_bytes, uint64_t off[4])
{
	uint64_t s = dev_bytes / 512;
	int n = 0;

	off[0] = off[1] = off[2] = off[3] = MD_NO_OFFSET;
	if (s >= SB1_MIN_SECTORS) {
		off[0] = 8 * 512;			/* 1.2 */
		off[1] = 0;				/* 1.1 */
		off[2] = ((s - 16) & ~(uint64_t)7) * 512;	/* 1.0 */
		n = 3;
	}
	if (s >= MD_RESERVED_SECTORS) {
		off[3] = MD_NEW_SIZE_SECTORS(s) * 512;	/* 0.90 */
		n++;
	}
	return n;
}

/* Checks shared by both formats, once level, layout and raid_disks are in
 * @m; fills array_sectors. */
static int check_geometry(struct md_member *m, char *err, size_t errlen)
{
	int n = m->raid_disks, near = m->layout & 255, copies, data = 0;
	const char *what = NULL;

	copies = near * ((m->layout >> 8) & 255);
	switch (m->level) {
	case LEVEL_LINEAR:
		what = "linear";
		break;
	case LEVEL_MULTIPATH:
		what = "multipath";
		break;
	case LEVEL_FAULTY:
		what = "faulty (a test personality)";
		break;
	case 0:
		data = n;
		break;
	case 1:
		data = 1;
		break;
	case 4: case 5:
		data = n - 1;
		break;
	case 6:
		data = n - 2;
		break;
	case 10:
		data = n;
		break;
	default:
		return fail(err, errlen, -EOPNOTSUPP, "unknown RAID level %d", m->level);
	}
	if (what)
		return fail(err, errlen, -EOPNOTSUPP,
			    "%s arrays are not assembled by initkit: use mdadm", what);
	if (n > MD_DISKS_MAX)
		return fail(err, errlen, -EOPNOTSUPP,
			    "%d members: more than the %d initkit assembles", n,
			    MD_DISKS_MAX);
	/* what the personalities accept: raid4/5 2 members, raid6 4, raid10
	 * all its copies */
	if (n < 1 || data < 1 + (m->level == 6) ||
	    (m->level == 10 && (!copies || copies > n)))
		return fail(err, errlen, -EINVAL, "raid%d of %d members, layout 0x%x",
			    m->level, n, (unsigned int)m->layout);

	/* the data members' share, as mdadm --examine computes Array Size */
	m->array_sectors = m->level ? m->comp_sectors * (uint64_t)data /
			   (uint64_t)(m->level == 10 ? copies : 1) : 0;
	return 0;
}

/* ---- 1.x -------------------------------------------------------------- */

/* Features we leave to mdadm (the kernel refuses unknown ones itself). */
static const struct {
	uint32_t bits;
	const char *why;
} refusals[] = {
	{ ~(uint32_t)MD_FEATURE_ALL, "unknown features (a newer md format?)" },
	{ MD_FEATURE_RESHAPE_ACTIVE,
	  "a reshape is in progress: finish it with mdadm --grow --continue" },
	{ MD_FEATURE_JOURNAL, "a write journal: assemble it with mdadm" },
	{ MD_FEATURE_PPL | MD_FEATURE_MULTIPLE_PPLS,
	  "a partial parity log (PPL): assemble it with mdadm" },
	{ MD_FEATURE_CLUSTERED, "a clustered array: it needs the cluster stack" },
};

static int parse_1(const uint8_t *sb, size_t len, uint64_t sb_sector,
		   uint64_t dev_sectors, struct md_member *m, char *err, size_t errlen)
{
	uint32_t max_dev, csum = 0, feat, k;
	uint64_t sum = 0, data_size, avail;
	size_t need, i;
	const uint8_t *roles = sb + SB1_SIZE;
	unsigned int role;
	int r;

	if (len < SB1_SIZE)
		return fail(err, errlen, -EINVAL, "superblock cut short");
	max_dev = le32(sb + F1(max_dev));
	if (max_dev > SB1_MAX_DEV)
		return fail(err, errlen, -EINVAL, "max_dev %u is over %u", max_dev,
			    SB1_MAX_DEV);
	need = SB1_SIZE + 2 * (size_t)max_dev;
	if (len < need)
		return fail(err, errlen, -EINVAL, "superblock cut short");
	if (le64(sb + F1(super_offset)) != sb_sector)
		return fail(err, errlen, -ENOENT, "no md superblock (super_offset is wrong)");

	/* calc_sb_1_csum: little-endian words, sb_csum counted as 0 */
	for (i = 0; i + 4 <= need; i += 4)
		if (i != F1(sb_csum))
			sum += le32(sb + i);
	if (need & 2)
		sum += le16(sb + need - 2);
	csum = (uint32_t)sum + (uint32_t)(sum >> 32);
	if (csum != le32(sb + F1(sb_csum)))
		return fail(err, errlen, -EINVAL, "bad checksum (0x%x, expected 0x%x)",
			    le32(sb + F1(sb_csum)), csum);

	feat = le32(sb + F1(feature_map));
	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		if (feat & refusals[i].bits)
			return fail(err, errlen, -EOPNOTSUPP, "%s (features 0x%x)",
				    refusals[i].why, feat);
	for (i = 0; i < 32; i++)	/* pad3, and pad0 */
		if (sb[F1(pad3) + i] || (i < 4 && sb[F1(pad0) + i]))
			return fail(err, errlen, -EOPNOTSUPP,
				    "padding in use (a newer md format?)");

	m->data_offset = le64(sb + F1(data_offset));
	data_size = le64(sb + F1(data_size));
	if (data_size < 10)
		return fail(err, errlen, -EINVAL, "data_size %llu is too small",
			    (unsigned long long)data_size);
	/* as super_1_load(): the data after the superblock (1.1, 1.2), or
	 * before it (1.0), inside the device */
	if (m->minor_version && m->data_offset < sb_sector + (need + 511) / 512)
		return fail(err, errlen, -EINVAL, "data_offset %llu overlaps the superblock",
			    (unsigned long long)m->data_offset);
	avail = m->minor_version ? dev_sectors - m->data_offset : sb_sector;
	if ((m->minor_version && m->data_offset > dev_sectors) || avail < data_size)
		return fail(err, errlen, -EINVAL,
			    "the device is smaller than the superblock says");

	memcpy(m->uuid, sb + F1(set_uuid), 16);
	for (i = 0; i < 32 && sb[F1(set_name) + i]; i++)
		m->name[i] = (char)sb[F1(set_name) + i];
	m->level = (int32_t)le32(sb + F1(level));
	m->layout = (int32_t)le32(sb + F1(layout));
	m->raid_disks = (int32_t)le32(sb + F1(raid_disks));
	m->chunk_sectors = le32(sb + F1(chunksize));
	m->comp_sectors = m->level == 0 ? data_size : le64(sb + F1(size));
	m->ctime = le64(sb + F1(ctime)) & MD_SUPERBLOCK_1_TIME_SEC_MASK;
	m->events = le64(sb + F1(events));
	m->clean = le64(sb + F1(resync_offset)) == ALL_ONES;
	m->preferred_minor = -1;
	m->feature_map = feat;
	r = check_geometry(m, err, errlen);
	if (r)
		return r;

	/* role_from_sb(): a member past max_dev is a spare */
	k = le32(sb + F1(dev_number));
	m->dev_number = (int)k;
	role = k < max_dev ? le16(roles + 2 * k) : MD_DISK_ROLE_SPARE;
	if (role == MD_DISK_ROLE_FAULTY)
		m->role = MD_ROLE_FAULTY;
	else if (role < (unsigned int)m->raid_disks)
		m->role = (int)role;
	else
		m->role = MD_ROLE_SPARE;	/* spare, journal, beyond the array */
	m->in_sync = !(feat & (MD_FEATURE_RECOVERY_OFFSET | MD_FEATURE_REPLACEMENT));
	for (k = 0; k < max_dev; k++) {
		role = le16(roles + 2 * k);
		if (role < (unsigned int)m->raid_disks)
			m->working |= bit((int)role);
	}
	return 0;
}

/* ---- 0.90 ------------------------------------------------------------- */

static int parse_0(const uint8_t *sb, size_t len, uint64_t sb_sector,
		   struct md_member *m, char *err, size_t errlen)
{
	uint64_t sum = 0, sectors;
	uint32_t csum, stored, w, size, nr, state;
	const uint8_t *d;
	size_t i;
	int k;

	if (len < MD_SB_BYTES)
		return fail(err, errlen, -EINVAL, "superblock cut short");
	if (he32(sb + F0(major_version)) != 0)
		return fail(err, errlen, -ENOENT, "no md superblock");
	m->minor_version = (int)he32(sb + F0(minor_version));
	if (m->minor_version < 90 || m->minor_version > 91)
		return fail(err, errlen, -EOPNOTSUPP, "unknown md version 0.%u",
			    he32(sb + F0(minor_version)));

	/* calc_sb_csum(), compared after md_csum_fold() as the kernel does */
	for (i = 0; i < MD_SB_BYTES; i += 4)
		if (i != F0(sb_csum))
			sum += he32(sb + i);
	csum = (uint32_t)sum + (uint32_t)(sum >> 32);
	stored = he32(sb + F0(sb_csum));
	w = (csum & 0xffff) + (csum >> 16);
	csum = (w & 0xffff) + (w >> 16);
	w = (stored & 0xffff) + (stored >> 16);
	if (csum != (w & 0xffff) + (w >> 16))
		return fail(err, errlen, -EINVAL, "bad checksum (0x%x)", stored);

	if (m->minor_version == 91 && he64(sb + F0(reshape_position)) != ALL_ONES)
		return fail(err, errlen, -EOPNOTSUPP,
			    "a reshape is in progress: finish it with mdadm --grow --continue");

	for (k = 0; k < 4; k++) {
		static const uint16_t word[4] = {
			F0(set_uuid0), F0(set_uuid1), F0(set_uuid2), F0(set_uuid3)
		};

		w = he32(sb + word[k]);
		m->uuid[4 * k] = (uint8_t)(w >> 24);
		m->uuid[4 * k + 1] = (uint8_t)(w >> 16);
		m->uuid[4 * k + 2] = (uint8_t)(w >> 8);
		m->uuid[4 * k + 3] = (uint8_t)w;
	}
	m->level = (int32_t)he32(sb + F0(level));
	m->layout = (int32_t)he32(sb + F0(layout));
	m->raid_disks = (int32_t)he32(sb + F0(raid_disks));
	m->chunk_sectors = he32(sb + F0(chunk_size)) / 512;
	size = he32(sb + F0(size));		/* KiB */
	m->comp_sectors = (uint64_t)size * 2;
	m->ctime = he32(sb + F0(ctime));
	m->events = (uint64_t)he32(sb + F0(events_hi)) << 32 | he32(sb + F0(events_lo));
	state = he32(sb + F0(state));
	m->clean = !!(state & (1 << MD_SB_CLEAN));
	if (state & (1 << MD_SB_BITMAP_PRESENT))
		m->feature_map = MD_FEATURE_BITMAP_OFFSET;
	m->preferred_minor = (int32_t)he32(sb + F0(md_minor));
	if ((uint32_t)m->raid_disks > MD_SB_DISKS)
		return fail(err, errlen, -EINVAL, "raid_disks %u is over %d",
			    (uint32_t)m->raid_disks, MD_SB_DISKS);
	k = check_geometry(m, err, errlen);
	if (k)
		return k;

	/* super_90_load(): the members' size fits the device (the kernel
	 * caps what it uses at 2^33 - 2 sectors) */
	sectors = sb_sector;
	if (sectors >= (uint64_t)2 << 32)
		sectors = ((uint64_t)2 << 32) - 2;
	if (m->level >= 1 && sectors < m->comp_sectors)
		return fail(err, errlen, -EINVAL,
			    "the device is smaller than the superblock says");

	/* The kernel takes the member's role from its own entry in disks[]. */
	nr = he32(sb + F0(this_disk) + offsetof(mdp_disk_t, number));
	if (nr >= MD_SB_DISKS)
		return fail(err, errlen, -EINVAL, "member number %u is over %d", nr,
			    MD_SB_DISKS);
	m->dev_number = (int)nr;
	m->in_sync = 1;
	m->role = MD_ROLE_SPARE;
	for (k = 0; k < MD_SB_DISKS; k++) {
		uint32_t st, rd;

		d = sb + F0(disks) + (size_t)k * sizeof(mdp_disk_t);
		st = he32(d + offsetof(mdp_disk_t, state));
		rd = he32(d + offsetof(mdp_disk_t, raid_disk));
		if ((uint32_t)k == nr) {
			if (st & (1 << MD_DISK_FAULTY))
				m->role = MD_ROLE_FAULTY;
			else if ((st & (1 << MD_DISK_SYNC)) && rd < (uint32_t)m->raid_disks)
				m->role = (int)rd;
		}
		if ((st & (1 << MD_DISK_ACTIVE | 1 << MD_DISK_SYNC | 1 << MD_DISK_FAULTY)) ==
		    (1 << MD_DISK_ACTIVE | 1 << MD_DISK_SYNC) && rd < (uint32_t)m->raid_disks)
			m->working |= bit((int)rd);
	}
	return 0;
}

int md_sb_parse(const uint8_t *buf, size_t len, uint64_t sb_offset,
		uint64_t dev_bytes, struct md_member *m, char *err, size_t errlen)
{
	uint64_t off[4];
	int minor = -1, r;

	memset(m, 0, sizeof(*m));
	if (err && errlen)
		err[0] = '\0';
	md_sb_offsets(dev_bytes, off);
	if (len >= 8 && le32(buf) == MD_SB_MAGIC && le32(buf + 4) == 1) {
		if (sb_offset == off[0])
			minor = 2;
		else if (sb_offset == off[1])
			minor = 1;
		else if (sb_offset == off[2])
			minor = 0;
	}
	if (minor >= 0) {
		m->major_version = 1;
		m->minor_version = minor;
		r = parse_1(buf, len, sb_offset / 512, dev_bytes / 512, m, err, errlen);
	} else if (len >= 4 && sb_offset == off[3] && he32(buf) == MD_SB_MAGIC) {
		r = parse_0(buf, len, sb_offset / 512, m, err, errlen);
	} else if (len >= 4 && sb_offset == off[3] &&
		   he32(buf) == __builtin_bswap32(MD_SB_MAGIC)) {
		r = fail(err, errlen, -EOPNOTSUPP, "a 0.90 superblock of the other byte "
			 "order: mdadm --assemble --update=byteorder fixes it");
	} else {
		r = fail(err, errlen, -ENOENT, "no md superblock");
	}
	if (r)
		memset(m, 0, sizeof(*m));
	return r;
}

/* ---- assembly ----------------------------------------------------------- */

/* "MAJ:MIN" within what dev_t holds (12 and 20 bits: the kernel refuses
 * more with -EOVERFLOW). */
static int parse_majmin(const char *s, struct md_slot *d)
{
	unsigned long v[2] = { 0, 0 };
	size_t n = 0;
	int k;

	for (k = 0; k < 2; k++) {
		size_t start = n;

		for (; s[n] >= '0' && s[n] <= '9'; n++) {
			v[k] = v[k] * 10 + (unsigned long)(s[n] - '0');
			if (v[k] >= (k ? 1ul << 20 : 1ul << 12) || n >= MD_MAJMIN_MAX - 2)
				return -EINVAL;	/* leading zeros too */
		}
		if (n == start || s[n] != (k ? '\0' : ':'))
			return -EINVAL;
		n++;
	}
	memcpy(d->majmin, s, n);	/* n < MD_MAJMIN_MAX, the NUL included */
	d->major = (unsigned int)v[0];
	d->minor = (unsigned int)v[1];
	return 0;
}

/* An events count older than the freshest by more than 1. */
static int stale(uint64_t ev, uint64_t max)
{
	return ev < max && max - ev > 1;
}

/* The role of the freshest member (the lowest of equals), -1 if none. */
static int freshest(const struct md_array *a)
{
	int r, best = -1;

	for (r = 0; r < a->sb.raid_disks; r++)
		if (a->slot[r].majmin[0] &&
		    (best < 0 || a->slot[r].events > a->slot[best].events))
			best = r;
	return best;
}

static int same_geometry(const struct md_member *x, const struct md_member *y)
{
	return x->major_version == y->major_version &&
	       x->minor_version == y->minor_version && x->level == y->level &&
	       x->layout == y->layout && x->chunk_sectors == y->chunk_sectors &&
	       x->raid_disks == y->raid_disks;
}

int md_array_add(struct md_array *a, const struct md_member *m, const char *majmin)
{
	struct md_slot s, *dst = NULL;
	int i, f;

	memset(&s, 0, sizeof(s));
	if (parse_majmin(majmin, &s) || m->raid_disks < 1 ||
	    m->raid_disks > MD_DISKS_MAX || m->role >= m->raid_disks)
		return -EINVAL;
	if (m->role == MD_ROLE_FAULTY)
		return -ENODEV;
	if (!a->sb.raid_disks)
		a->sb = *m;
	else if (memcmp(a->sb.uuid, m->uuid, sizeof(m->uuid)))
		return -EXDEV;
	else if (!same_geometry(&a->sb, m))
		return -EINVAL;

	/* what was known of this device goes: it was read again */
	for (i = 0; i < MD_DISKS_MAX + MD_EXTRA_MAX; i++) {
		struct md_slot *o = i < MD_DISKS_MAX ? &a->slot[i] :
				    &a->extra[i - MD_DISKS_MAX];

		if (!strcmp(o->majmin, s.majmin))
			memset(o, 0, sizeof(*o));
	}
	s.events = m->events;
	s.working = m->working;
	s.in_sync = m->in_sync;
	s.clean = m->clean;

	if (m->role < 0 || (m->feature_map & MD_FEATURE_REPLACEMENT)) {
		for (i = 0; i < MD_EXTRA_MAX && !dst; i++)
			if (!a->extra[i].majmin[0])
				dst = &a->extra[i];
		if (!dst)
			return -ENOSPC;
		*dst = s;
		return 0;
	}
	f = freshest(a);
	if (f >= 0 && stale(m->events, a->slot[f].events))
		return -ESTALE;
	dst = &a->slot[m->role];
	if (dst->majmin[0] && (dst->events > m->events ||
			       (dst->events == m->events && dst->in_sync >= m->in_sync)))
		return -ESTALE;
	*dst = s;
	if (f < 0 || m->events > a->slot[f].events)
		a->sb = *m;
	return 0;
}

/*
 * The roles with a member to hand to the kernel (*present) and, returned,
 * those of them in sync.  Left out: members older than the freshest by
 * more than 1, and those whose superblock counts the freshest one as
 * failed (count_active(): the freshest knows better).  *fresh is the
 * freshest role, -1 if none.
 */
static uint64_t members(const struct md_array *a, uint64_t *present, int *fresh)
{
	uint64_t p = 0, u = 0;
	int r, f = freshest(a);

	for (r = 0; f >= 0 && r < a->sb.raid_disks; r++) {
		const struct md_slot *s = &a->slot[r];

		if (!s->majmin[0] || stale(s->events, a->slot[f].events) ||
		    (r != f && !(s->working & bit(f))))
			continue;
		p |= bit(r);
		if (s->in_sync)
			u |= bit(r);
	}
	*present = p;
	*fresh = f;
	return u;
}

int md_array_complete(const struct md_array *a)
{
	uint64_t p;
	int f;

	members(a, &p, &f);
	return a->sb.raid_disks > 0 && p == all_roles(a->sb.raid_disks);
}

static int popcount(uint64_t v)
{
	int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

/* mdadm's enough(), on a set of roles */
static int enough(const struct md_member *sb, uint64_t avail, int clean)
{
	int n = sb->raid_disks, cnt = popcount(avail);
	int near = sb->layout & 255, copies = near * ((sb->layout >> 8) & 255);
	int first = 0, k, this, got;

	switch (sb->level) {
	case 1:
		return cnt >= 1;
	case 4:
		if (cnt == n - 1 && !(avail & bit(n - 1)))
			return 1;	/* only the parity member is missing */
		/* fall through */
	case 5:
		return cnt >= n - (clean ? 1 : 0);
	case 6:
		return cnt >= n - (clean ? 2 : 0);
	case 10:
		/* every run of `copies` roles, starting at each multiple of
		 * `near`, holds one of the copies of some chunks */
		if (!copies)
			return 0;
		do {
			for (k = got = 0, this = first; k < copies; k++) {
				got += !!(avail & bit(this));
				this = (this + 1) % n;
			}
			if (!got)
				return 0;
			first = (first + near) % n;
		} while (first);
		return 1;
	default:
		return cnt == n;
	}
}

int md_array_runnable_degraded(const struct md_array *a)
{
	uint64_t p, u;
	int f;

	u = members(a, &p, &f);
	return u && enough(&a->sb, u, a->slot[f].clean);
}

int md_array_missing(const struct md_array *a, int *roles, int max)
{
	uint64_t p;
	int r, n = 0, f;

	members(a, &p, &f);
	for (r = 0; r < a->sb.raid_disks; r++)
		if (!(p & bit(r))) {
			if (n < max)
				roles[n] = r;
			n++;
		}
	return n;
}

int md_array_devices(const struct md_array *a, const struct md_slot **devs, int max)
{
	uint64_t p;
	int r, n = 0, f;

	members(a, &p, &f);
	for (r = 0; r < a->sb.raid_disks && n < max; r++)
		if (p & bit(r))
			devs[n++] = &a->slot[r];
	/* spares from a later life of the array are left out, as mdadm does */
	for (r = 0; r < MD_EXTRA_MAX && n < max; r++)
		if (a->extra[r].majmin[0] &&
		    (f < 0 || a->extra[r].events <= a->slot[f].events))
			devs[n++] = &a->extra[r];
	return n;
}

/* ---- names ---------------------------------------------------------------- */

static const char hex[] = "0123456789abcdef";

void md_uuid_str(const uint8_t uuid[16], char out[MD_UUID_STR])
{
	int i, o = 0;

	for (i = 0; i < 16; i++) {
		if (i && !(i & 3))
			out[o++] = ':';
		out[o++] = hex[uuid[i] >> 4];
		out[o++] = hex[uuid[i] & 15];
	}
	out[o] = '\0';
}

int md_uuid_match(const uint8_t uuid[16], const char *text)
{
	int n = 0, v;
	char c;

	for (; (c = *text); text++) {
		if (c == ':' || c == '-')
			continue;
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!strchr(hex, c) || n >= 32)
			return 0;
		v = (int)(strchr(hex, c) - hex);
		if (v != ((n & 1) ? uuid[n / 2] & 15 : uuid[n / 2] >> 4))
			return 0;
		n++;
	}
	return n == 32;
}

int md_link_name(const struct md_member *m, char out[MD_NAME_MAX])
{
	const char *p = strchr(m->name, ':');
	size_t i;

	if (m->major_version == 0) {
		snprintf(out, MD_NAME_MAX, "%u", (unsigned int)m->preferred_minor);
		return 0;
	}
	if (!m->name[0])
		return -ENOENT;
	p = p ? p + 1 : m->name;
	for (i = 0; p[i] && i < MD_NAME_MAX - 1; i++) {
		unsigned char c = (unsigned char)p[i];

		out[i] = c == '/' ? '-' : c <= ' ' || c == 0x7f ? '_' : (char)c;
	}
	out[i] = '\0';
	if (!out[0] || !strcmp(out, ".") || !strcmp(out, ".."))
		return -EINVAL;
	return 0;
}

int md_name_match(const struct md_member *m, const char *text)
{
	char link[MD_NAME_MAX];

	if (!strncmp(text, "/dev/md/", 8))
		text += 8;
	if (!text[0])
		return 0;
	if (m->major_version && !strcmp(text, m->name))
		return 1;
	return !md_link_name(m, link) && !strcmp(text, link);
}

/* The minor a name asks for (create_mddev()), -1 if none. */
static int name_minor(const struct md_member *m)
{
	const char *p = strchr(m->name, ':');
	int v = 0;

	if (m->major_version == 0)
		return m->preferred_minor;
	p = p ? p + 1 : m->name;
	if (!strncmp(p, "md", 2))
		p += 2 + (p[2] == '/');
	if (!*p)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
		if (v >= MD_MINORS)
			return -1;
	}
	return v;
}

static int used_minor(const uint8_t *used, int n)
{
	return used[n / 8] & (1 << (n % 8));
}

int md_choose_minor(const struct md_member *m, const uint8_t used[MD_MINORS / 8])
{
	int want = name_minor(m), n;

	if (want >= 0 && want < MD_MINORS && !used_minor(used, want))
		return want;
	for (n = 127; n != 128; n = n ? n - 1 : MD_MINORS - 1)
		if (!used_minor(used, n))
			return n;
	return -EBUSY;
}

void md_ioctl_array(const struct md_array *a, mdu_array_info_t *ai)
{
	memset(ai, 0, sizeof(*ai));
	ai->major_version = a->sb.major_version;
	ai->minor_version = a->sb.minor_version;
}

void md_ioctl_disk(const struct md_slot *s, mdu_disk_info_t *di)
{
	memset(di, 0, sizeof(*di));
	di->major = (int)s->major;
	di->minor = (int)s->minor;
}

/* ---- words for messages and udev ------------------------------------------ */

const char *md_level_str(int level)
{
	switch (level) {
	case 0: return "raid0";
	case 1: return "raid1";
	case 4: return "raid4";
	case 5: return "raid5";
	case 6: return "raid6";
	case 10: return "raid10";
	}
	return "raid?";
}

void md_missing_str(const struct md_array *a, char out[MD_MISSING_STR])
{
	int roles[MD_DISKS_MAX], n = md_array_missing(a, roles, MD_DISKS_MAX), i;
	size_t o;

	o = (size_t)snprintf(out, MD_MISSING_STR, "member%s ", n > 1 ? "s" : "");
	for (i = 0; i < n && i < MD_DISKS_MAX; i++)
		o += (size_t)snprintf(out + o, MD_MISSING_STR - o, "%s%d", i ? ", " : "",
				      roles[i]);
	snprintf(out + o, MD_MISSING_STR - o, " of %d", a->sb.raid_disks);
}

int md_udev_entry(const struct md_member *sb, const char *link, long long usec,
		  char *out, size_t size)
{
	char uuid[MD_UUID_STR], name[MD_NAME_MAX];
	size_t i;
	int n;

	md_uuid_str(sb->uuid, uuid);
	/* the name comes from a disk: a line break in it must not make
	 * a line of the database */
	for (i = 0; sb->name[i] && i < MD_NAME_MAX - 1; i++)
		name[i] = (unsigned char)sb->name[i] < ' ' || sb->name[i] == 0x7f ? '_' :
			  sb->name[i];
	name[i] = '\0';
	n = snprintf(out, size,
		     "%s%s%s"
		     "I:%lld\n"
		     "E:MD_LEVEL=%s\n"
		     "E:MD_DEVICES=%d\n"
		     "E:MD_METADATA=%d.%d\n"
		     "E:MD_UUID=%s\n"
		     "%s%s%s"
		     "%s%s%s"
		     "G:systemd\nQ:systemd\nV:1\n",
		     link ? "S:md/" : "", link ? link : "", link ? "\n" : "",
		     usec, md_level_str(sb->level), sb->raid_disks,
		     sb->major_version, sb->minor_version, uuid,
		     link ? "E:MD_DEVNAME=" : "", link ? link : "", link ? "\n" : "",
		     name[0] ? "E:MD_NAME=" : "", name, name[0] ? "\n" : "");
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : n;
}
