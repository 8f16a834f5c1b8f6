/* luks_main.c - the LUKS action: LAYOUT_HELPERS/luks, run by /init for each
 * device whose probe says crypto_LUKS (actions.h):
 *
 *   luks add /dev/NAME  if the volume is wanted, unlock it with its key
 *                       file or the passphrase and open it with dm-crypt
 *                       as /dev/mapper/MAPNAME; what is inside (a file
 *                       system, an LVM PV) is probed by /init in turn
 *   luks final          name the volumes that stayed locked
 *   luks root /root     the root mounted: a volume whose mapping the
 *                       root's own /etc/crypttab names otherwise is
 *                       renamed to that name, so that systemd in the root
 *                       finds it open rather than asking again
 *   cryptroot-unlock    (a link to it, for the rescue shell, as Debian's
 *                       cryptsetup-initramfs names it): "add" every LUKS
 *                       volume present that is not open yet
 *
 * Which volumes: those rd.luks.uuid= names (any given: only those), else
 * those of the image's /etc/crypttab (any entry: only those), else every
 * one (a --generic image).  The mapping's name: the crypttab's, else
 * rd.luks.name=UUID=NAME, else luks-UUID, as systemd's generator names it.
 * The key: the crypttab's key file or rd.luks.key=PATH (files inside the
 * image), else the passphrase, asked on every console without echo, three
 * times, with the image's console keymap loaded first (LAYOUT_KEYMAP).  The key is derived, checked and wiped here (lib/luks.c): nothing
 * but dm-crypt's table, built here and wiped after, ever holds it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>
#include "cmdline.h"
#include "crypttab.h"
#include "dm.h"
#include "helper.h"
#include "hash.h"
#include "keymap.h"
#include "layout.h"
#include "log.h"
#include "luks.h"
#include "util.h"

#define STATE      "/run/initkit/luks"
#define CRYPTTAB   "/etc/crypttab"
#define ERR_MAX    256
#define LIST_MAX   1024
#define PASS_MAX   512		/* cryptsetup's interactive limit */
#define KEYFILE_MAX (8u << 20)	/* cryptsetup's default key file limit */
#define TRIES      3
#define MAPNAME_MAX 128

/* rd.luks.uuid=, rd.luks.name=, rd.luks.key=, rd.luks.options=: "a\0b\0" */
static char want_uuid[LIST_MAX], names[LIST_MAX], keys[LIST_MAX], options[LIST_MAX];
static size_t want_uuid_len, names_len, keys_len, options_len;

static int take(char *param, char *val, void *arg)
{
	char *list;
	size_t *len, n;

	(void)arg;
	if (!val || !*val)
		return 0;
	if (!strcmp(param, "rd.luks.uuid"))
		list = want_uuid, len = &want_uuid_len;
	else if (!strcmp(param, "rd.luks.name"))
		list = names, len = &names_len;
	else if (!strcmp(param, "rd.luks.key"))
		list = keys, len = &keys_len;
	else if (!strcmp(param, "rd.luks.options"))
		list = options, len = &options_len;
	else
		return 0;
	n = strlen(val) + 1;
	if (*len + n <= LIST_MAX) {
		memcpy(list + *len, val, n);
		*len += n;
	}
	return 0;
}

/* ---- the image's crypttab: NAME DEVICE KEYFILE OPTIONS ---- */

struct tab {
	char name[MAPNAME_MAX];
	char key[160];		/* "" for none */
	int discard;
	int any;		/* the crypttab has entries at all */
};

/* The entry for @uuid in crypttab @file, if any; tab->any says whether
 * there are entries. */
static int crypttab(const char *file, const char *uuid, struct tab *t)
{
	static char buf[16384];
	char *line, *next, *f[4];
	int found = 0, n;

	memset(t, 0, sizeof(*t));
	if (read_file(file, buf, sizeof(buf) - 1) <= 0)
		return 0;
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		n = crypttab_fields(line, f);
		if (n < 2)
			continue;
		t->any = 1;
		if (found || !crypttab_names_uuid(f[1], uuid))
			continue;
		found = 1;
		snprintf(t->name, sizeof(t->name), "%s", f[0]);
		if (n > 2 && strcmp(f[2], "none") && strcmp(f[2], "-"))
			snprintf(t->key, sizeof(t->key), "%s", f[2]);
		t->discard = n > 3 && strstr(f[3], "discard") != NULL;
	}
	return found;
}

/* rd.luks.name=UUID=NAME for @uuid, into @name. */
static int cmdline_name(const char *uuid, char *name, size_t size)
{
	const char *p;

	for (p = names; p < names + names_len; p += strlen(p) + 1) {
		const char *eq = strrchr(p, '=');
		char u[64];

		if (!eq || (size_t)(eq - p) >= sizeof(u))
			continue;
		memcpy(u, p, (size_t)(eq - p));
		u[eq - p] = '\0';
		if (crypttab_names_uuid(u, uuid))
			return path_fmt(name, size, "%s", eq + 1) ? -1 : 1;
	}
	return 0;
}

/* ---- keys ---- */

/* A key file inside the image: its whole content is the passphrase. */
static ssize_t read_key(const char *path, uint8_t **out)
{
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	*out = NULL;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > KEYFILE_MAX) {
		close(fd);
		return -EINVAL;
	}
	*out = malloc((size_t)st.st_size + 1);
	if (!*out) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, *out, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(*out);
		*out = NULL;
		return -EIO;
	}
	return n;
}

/* The consoles the kernel writes to (console=): their /dev paths. */
static int consoles(int *fds, struct termios *saved, int max)
{
	char buf[256], *p, *name, path[64];
	int n = 0;

	if (read_file("/sys/class/tty/console/active", buf, sizeof(buf)) <= 0)
		strcpy(buf, "console");
	buf[strcspn(buf, "\n")] = '\0';
	for (p = buf; n < max && (name = strsep(&p, " ")) != NULL;) {
		struct termios t;
		int fd;

		if (!*name || path_fmt(path, sizeof(path), "/dev/%s", name))
			continue;
		fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (tcgetattr(fd, &saved[n]) == 0) {
			t = saved[n];
			t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
			t.c_lflag |= ICANON;
			tcsetattr(fd, TCSAFLUSH, &t);
		}
		fds[n++] = fd;
	}
	return n;
}

struct kbd_ctx {
	int fd;
	unsigned failed;
};

static int set_entry(void *ctx, unsigned map, unsigned key, unsigned value)
{
	struct kbd_ctx *k = ctx;
	struct kbentry e;

	e.kb_table = (unsigned char)map;
	e.kb_index = (unsigned char)key;
	e.kb_value = (unsigned short)value;
	if (ioctl(k->fd, KDSKBENT, &e) < 0)
		k->failed++;
	return 0;
}

/* The image's console keymap (the generator's -K, or the host's layout
 * with --hostonly), once, through the first of the consoles that is a
 * virtual terminal: the keymaps are the same for all of them. */
static void load_keymap(const int *fds, int n)
{
	static uint8_t km[KEYMAP_MAX + 1];
	static int done;
	struct kbd_ctx k;
	ssize_t len;
	char type;
	int i;

	if (done)
		return;
	done = 1;
	len = read_file("/" LAYOUT_KEYMAP, (char *)km, sizeof(km));
	if (len == -ENOENT)
		return;
	if (len < 0 || keymap_check(km, (size_t)len) < 0) {
		log_msg(L_WARN, "luks: /%s: not a binary keymap; keys mean what they do on "
			"a US keyboard", LAYOUT_KEYMAP);
		return;
	}
	for (i = 0; i < n; i++) {
		if (ioctl(fds[i], KDGKBTYPE, &type) < 0)
			continue;
		k.fd = fds[i];
		k.failed = 0;
		keymap_each(km, (size_t)len, set_entry, &k);
		if (k.failed)
			log_msg(L_WARN, "luks: the console keymap: the kernel refused %u of its "
				"entries", k.failed);
		return;
	}
}

/* Ask for the passphrase of @what on every console; the first line typed
 * on any of them is it.  Returns its length, or -errno. */
static ssize_t ask(const char *what, int attempt, char *pass, size_t size)
{
	struct termios saved[4];
	struct pollfd pfd[4];
	int fds[4], n, i;
	ssize_t len = -EIO;
	char prompt[256];
	int plen;

	n = consoles(fds, saved, 4);
	if (!n)
		return -ENODEV;
	load_keymap(fds, n);
	if (attempt)
		plen = snprintf(prompt, sizeof(prompt), "Please enter the passphrase for %s "
				"(try %d of %d): ", what, attempt + 1, TRIES);
	else
		plen = snprintf(prompt, sizeof(prompt), "\nPlease enter the passphrase for %s: ",
				what);
	for (i = 0; i < n; i++) {
		if (write(fds[i], prompt, (size_t)plen) < 0)
			continue;
		pfd[i].fd = fds[i];
		pfd[i].events = POLLIN;
	}
	while (len == -EIO && poll(pfd, (nfds_t)n, -1) > 0) {
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			len = read(fds[i], pass, size - 1);
			if (len < 0 && errno == EINTR) {
				len = -EIO;
				continue;
			}
			break;
		}
	}
	if (len >= 0) {
		while (len > 0 && (pass[len - 1] == '\n' || pass[len - 1] == '\r'))
			len--;
		pass[len] = '\0';
	}
	for (i = 0; i < n; i++) {
		tcsetattr(fds[i], TCSAFLUSH, &saved[i]);
		if (write(fds[i], "\n", 1) < 0)
			;
		close(fds[i]);
	}
	return len;
}

/* ---- unlocking ---- */

/* Bytes of memory the kernel says are free for us. */
static uint64_t mem_available(void)
{
	char buf[2048], *p;

	if (read_file("/proc/meminfo", buf, sizeof(buf)) <= 0 ||
	    !(p = strstr(buf, "MemAvailable:")))
		return UINT64_MAX;
	return strtoull(p + 13, NULL, 10) * 1024;
}

/* Try @pass on each keyslot in turn.  0 with the key, -EPERM (no slot
 * takes it), -errno with @err. */
static int try_key(int fd, const struct luks_hdr *h, const void *pass, size_t passlen,
		   uint8_t *key, char *err, size_t errlen)
{
	unsigned i;
	int r = -EPERM;

	for (i = 0; i < h->nslots && r == -EPERM; i++) {
		const struct luks_keyslot *s = &h->slot[i];
		size_t memsz = luks_kdf_mem(s);
		uint8_t *area = malloc(s->area_size);
		void *mem = NULL;

		if (!area)
			return -ENOMEM;
		if (memsz && (memsz > mem_available() ||
			      (mem = mmap(NULL, memsz, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)) {
			snprintf(err, errlen, "keyslot %u needs %zu MiB of memory for %s; %llu MiB "
				 "are free", s->id, memsz >> 20, luks_kdf_name(s->kdf),
				 (unsigned long long)(mem_available() >> 20));
			free(area);
			return -ENOMEM;
		}
		r = helper_pread(fd, area, s->area_size, s->area_offset);
		if (r)
			snprintf(err, errlen, "keyslot %u: cannot read its key material: %s",
				 s->id, strerror(-r));
		else
			r = luks_unlock(h, s, pass, passlen, area, mem, key, err, errlen);
		hash_wipe(area, s->area_size);
		free(area);
		if (mem) {
			hash_wipe(mem, memsz);
			munmap(mem, memsz);
		}
	}
	return r;
}

/* Open the data with @key as /dev/mapper/@name. */
static int open_crypt(const char *path, dev_t src, const struct luks_hdr *h, const uint8_t *key,
		      const char *name, int discard, char *err, size_t errlen)
{
	char params[2 * LUKS_KEY_MAX + 256], uuid[160], hexkey[2 * LUKS_KEY_MAX + 1];
	unsigned long long bytes = 0;
	struct dm_target t;
	char sz[32], f[96], opts[64] = "";
	int nopt = 0, r;
	unsigned i;
	size_t o = 0;
	dev_t dev;

	if (path_fmt(f, sizeof(f), "/sys/dev/block/%u:%u/size", major(src), minor(src)) ||
	    read_file(f, sz, sizeof(sz)) <= 0) {
		snprintf(err, errlen, "%s: cannot read its size", path);
		return -EIO;
	}
	bytes = strtoull(sz, NULL, 10) * 512;
	if (h->size)
		bytes = h->offset + h->size <= bytes ? h->offset + h->size : 0;
	if (bytes <= h->offset) {
		snprintf(err, errlen, "%s: the data segment is past the device's end", path);
		return -EINVAL;
	}
	for (i = 0; i < h->key_size; i++)
		snprintf(hexkey + 2 * i, 3, "%02x", key[i]);
	if (discard)
		nopt++, o += (size_t)snprintf(opts + o, sizeof(opts) - o, " allow_discards");
	if (h->sector_size != 512)
		nopt++, snprintf(opts + o, sizeof(opts) - o, " sector_size:%u", h->sector_size);
	snprintf(params, sizeof(params), "%s %s %llu %u:%u %llu%s%s", h->cipher, hexkey,
		 (unsigned long long)h->iv_tweak, major(src), minor(src),
		 (unsigned long long)(h->offset / 512), nopt ? (nopt == 1 ? " 1" : " 2") : "", opts);
	snprintf(uuid, sizeof(uuid), "CRYPT-LUKS%d-", h->version);
	for (i = 0, o = strlen(uuid); h->uuid[i] && o < sizeof(uuid) - 1; i++)
		if (h->uuid[i] != '-')
			uuid[o++] = h->uuid[i];
	snprintf(uuid + o, sizeof(uuid) - o, "-%s", name);
	t.start = 0;
	t.len = (bytes - h->offset) / 512 / (h->sector_size / 512) * (h->sector_size / 512);
	t.type = "crypt";
	t.params = params;
	r = dm_create(name, uuid, &t, 1, 0, &dev, err, errlen);
	hash_wipe(params, sizeof(params));
	hash_wipe(hexkey, sizeof(hexkey));
	if (!r) {
		char line[MAPNAME_MAX + sizeof(uuid) + 2];

		dm_udev_db(dev, name, uuid);
		/* for "luks root": the mapping's name and dm uuid */
		snprintf(line, sizeof(line), "%s %s\n", name, uuid);
		if (!mkdirs(STATE "/open", 0755) &&
		    !path_fmt(f, sizeof(f), STATE "/open/%s", h->uuid))
			write_file(f, line, strlen(line));
	}
	return r;
}

static void note(const char *dir, const char *uuid, const char *msg)
{
	char f[128];

	if (mkdirs(dir, 0755) || path_fmt(f, sizeof(f), "%s/%s", dir, uuid))
		return;
	write_file(f, msg, strlen(msg));
}

static int add(const char *path)
{
	uint8_t peek[LUKS_HDR_PEEK], *hdr = NULL, key[LUKS_KEY_MAX], *kf = NULL;
	char err[ERR_MAX], name[MAPNAME_MAX], what[256], pass[PASS_MAX], msg[600];
	static struct luks_hdr h;
	struct tab tab;
	struct stat st;
	const char *keypath = NULL;
	ssize_t n;
	int fd, r, tries, want;
	dev_t dev;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		log_msg(L_ERR, "luks: %s: %s", path, strerror(errno));
		return 1;
	}
	r = helper_pread(fd, peek, sizeof(peek), 0);
	n = r ? r : luks_hdr_size(peek, sizeof(peek));
	if (n > 0 && (hdr = malloc((size_t)n)) != NULL && !helper_pread(fd, hdr, (size_t)n, 0))
		r = luks_parse(hdr, (size_t)n, &h, err, sizeof(err));
	else
		r = n < 0 ? (int)n : -EIO, snprintf(err, sizeof(err), "cannot read the header");
	free(hdr);
	if (r) {
		log_msg(L_ERR, "luks: %s: %s; not unlocked", path, r == -ENOENT ? "no LUKS header" : err);
		close(fd);
		return 1;
	}
	/* wanted? */
	crypttab(CRYPTTAB, h.uuid, &tab);
	want = tab.name[0] != 0;
	if (want_uuid_len) {
		const char *p;

		for (want = 0, p = want_uuid; p < want_uuid + want_uuid_len; p += strlen(p) + 1)
			want |= crypttab_names_uuid(p, h.uuid);
	} else if (tab.any && !want) {
		log_msg(L_INFO, "luks: %s (UUID %s) is not in the image's crypttab; left "
			"locked", path, h.uuid);
		close(fd);
		return 0;
	} else {
		want = 1;
	}
	if (!want) {
		log_msg(L_INFO, "luks: %s (UUID %s) is not one of rd.luks.uuid=; left locked",
			path, h.uuid);
		close(fd);
		return 0;
	}
	if (tab.name[0])
		snprintf(name, sizeof(name), "%s", tab.name);
	else if (cmdline_name(h.uuid, name, sizeof(name)) <= 0)
		snprintf(name, sizeof(name), "luks-%s", h.uuid);
	if (dm_exists(name, &dev) == 1) {
		close(fd);
		return 0;
	}
	if (!tab.discard && options_len)
		tab.discard = strstr(options, "discard") != NULL;
	snprintf(what, sizeof(what), "%s (%s)", name, path);

	/* a key file first: the crypttab's, else rd.luks.key= */
	keypath = tab.key[0] ? tab.key : keys_len ? keys : NULL;
	r = -EPERM;
	if (keypath) {
		char kp[160];

		if (path_fmt(kp, sizeof(kp), "%s", keypath))
			kp[0] = '\0';
		if (strchr(kp, ':')) {
			log_msg(L_WARN, "luks: rd.luks.key=%s: a key on another device is not "
				"supported; only a file inside the image", kp);
			kp[strcspn(kp, ":")] = '\0';
		}
		n = kp[0] ? read_key(kp, &kf) : -ENAMETOOLONG;
		if (n < 0) {
			log_msg(L_WARN, "luks: %s: key file %s: %s; asking for the passphrase",
				what, kp, n == -EINVAL ? "not a regular file of at most 8 MiB" :
				strerror((int)-n));
		} else {
			r = try_key(fd, &h, kf, (size_t)n, key, err, sizeof(err));
			hash_wipe(kf, (size_t)n);
			free(kf);
			if (r == -EPERM)
				log_msg(L_WARN, "luks: %s: key file %s opens no keyslot; asking "
					"for the passphrase", what, kp);
		}
	}
	for (tries = 0; r == -EPERM && tries < TRIES; tries++) {
		n = ask(what, tries, pass, sizeof(pass));
		if (n < 0) {
			snprintf(err, sizeof(err), "no console to ask for the passphrase on");
			r = (int)n;
			break;
		}
		r = try_key(fd, &h, pass, (size_t)n, key, err, sizeof(err));
		hash_wipe(pass, sizeof(pass));
		if (r == -EPERM)
			log_msg(L_ERR, "luks: %s: no key slot opens with that passphrase%s", what,
				tries + 1 < TRIES ? "; try again" : "");
	}
	if (!r)
		r = open_crypt(path, st.st_rdev, &h, key, name, tab.discard, err, sizeof(err));
	hash_wipe(key, sizeof(key));
	close(fd);
	if (r) {
		snprintf(msg, sizeof(msg), "%s: %s", what, r == -EPERM ?
			 "3 wrong passphrases" : err);
		note(STATE "/locked", h.uuid, msg);
		log_msg(L_ERR, "luks: %s; left locked", msg);
		return 1;
	}
	log_msg(L_INFO, "luks: unlocked %s as /dev/mapper/%s", path, name);
	return 0;
}

/* The root is mounted at @root: give each volume opened here the name the
 * root's crypttab gives it. */
static int root_names(const char *root)
{
	char file[256], path[160], line[400], *uuid;
	struct dir_iter d;
	const char *id;
	struct tab tab;
	dev_t dev;
	struct stat st;
	int r, failed = 0;

	/* the root's file: a regular one, never a FIFO that would stop the boot */
	if (path_fmt(file, sizeof(file), "%s" CRYPTTAB, root) || lstat(file, &st) < 0 ||
	    !S_ISREG(st.st_mode) || dir_open(&d, AT_FDCWD, STATE "/open"))
		return 0;
	while ((id = dir_next(&d, NULL))) {
		if (path_fmt(path, sizeof(path), STATE "/open/%s", id) ||
		    read_file(path, line, sizeof(line)) <= 0 || !(uuid = strchr(line, ' ')))
			continue;
		*uuid++ = '\0';
		uuid[strcspn(uuid, "\n")] = '\0';
		if (!crypttab(file, id, &tab) || !strcmp(tab.name, line))
			continue;
		r = dm_rename(line, tab.name);
		if (r) {
			log_msg(L_WARN, "luks: cannot rename %s to %s, the name the root's "
				"/etc/crypttab gives it: %s", line, tab.name, strerror(-r));
			failed = 1;
			continue;
		}
		if (dm_exists(tab.name, &dev) == 1)
			dm_udev_db(dev, tab.name, uuid);
		log_msg(L_INFO, "luks: renamed /dev/mapper/%s to %s, the name the root's "
			"/etc/crypttab gives it", line, tab.name);
	}
	dir_close(&d);
	return failed;
}

static int final(void)
{
	static char buf[16384];
	char *line, *next;

	helper_report(STATE "/locked", "luks: still locked: ", "");
	/* a volume whose header is elsewhere never shows as LUKS: say why */
	if (read_file(CRYPTTAB, buf, sizeof(buf)) <= 0)
		return 0;
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] != '#' && strstr(line, "header="))
			log_msg(L_ERR, "luks: crypttab: %s: a detached LUKS header (header=) is "
				"not supported; initkit reads the header from the volume itself",
				line);
	}
	return 0;
}

/* cryptroot-unlock, in the rescue shell: every LUKS volume present that
 * is not open yet, as /init would have unlocked it. */
static int unlock_all(void)
{
	uint8_t peek[LUKS_HDR_PEEK];
	struct dir_iter d;
	const char *name;
	char path[96];
	int fd, found = 0, failed = 0;

	log_open("/dev/kmsg", "/dev/console");
	helper_cmdline(take);
	if (dir_open(&d, AT_FDCWD, "/sys/class/block")) {
		log_msg(L_ERR, "cryptroot-unlock: cannot read /sys/class/block");
		return 1;
	}
	while ((name = dir_next(&d, NULL))) {
		if (path_fmt(path, sizeof(path), "/dev/%s", name) ||
		    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
			continue;
		if (helper_pread(fd, peek, sizeof(peek), 0) || luks_hdr_size(peek, sizeof(peek)) <= 0) {
			close(fd);
			continue;
		}
		close(fd);
		found++;
		failed |= add(path);
	}
	dir_close(&d);
	if (!found)
		log_msg(L_ERR, "cryptroot-unlock: no LUKS volume here; are its disk's "
			"modules loaded?");
	return found ? failed : 1;
}

int main(int argc, char **argv)
{
	static const struct helper_ops ops = { "luks", take, add, final, root_names };
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;

	if (argc > 0 && !strcmp(base ? base + 1 : argv[0], "cryptroot-unlock"))
		return unlock_all();
	return helper_main(argc, argv, &ops);
}
