/* test_elfdeps.c - a program's shared-library closure, checked against
 * ldd(1) on the host and against hand-made sysroots: binaries and
 * libraries compiled here with RPATH/RUNPATH/$ORIGIN, hand-crafted ELF32
 * and ELF64 files, truncated and corrupted copies. */
#include "unit.h"
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "elfdeps.h"

static char T[256];	/* scratch directory */
static char S[512];	/* the sysroot in it */
static bool have_m32;	/* the 32-bit shadow library came from cc -m32 */

#define LD64	"/lib64/ld-linux-x86-64.so.2 -> /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
#define LDREAL	"/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
#define LIBC	"/lib/x86_64-linux-gnu/libc.so.6"

/* ---- helpers -------------------------------------------------------- */

static void add_ok(struct elfdeps *d, const char *root, const char *path)
{
	int r = elfdeps_add(d, root, path);

	if (r)
		print_error("elfdeps_add(%s, %s) = %d: %s\n", root, path, r, d->err);
	assert_int_equal(r, 0);
}

static bool has(const struct elfdeps *d, const char *path)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (!strcmp(d->paths[i], path))
			return true;
	return false;
}

static void print_list(const struct elfdeps *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		print_error("  [%zu] %s%s%s\n", i, d->paths[i], d->links[i] ? " -> " : "",
			    d->links[i] ? d->links[i] : "");
}

/* The result, entry by entry: "path" or "path -> link", NULL-ended */
static void expect_list(const struct elfdeps *d, const char *const *exp)
{
	char got[2 * PATH_MAX];
	size_t i;

	for (i = 0; exp[i]; i++) {
		if (i >= d->n) {
			print_list(d);
			fail_msg("entry %zu missing, expected %s", i, exp[i]);
		}
		snprintf(got, sizeof(got), "%s%s%s", d->paths[i], d->links[i] ? " -> " : "",
			 d->links[i] ? d->links[i] : "");
		if (strcmp(got, exp[i])) {
			print_list(d);
			fail_msg("entry %zu is %s, expected %s", i, got, exp[i]);
		}
	}
	if (d->n != i) {
		print_list(d);
		fail_msg("%zu entries, expected %zu", d->n, i);
	}
}

static void expect_err(struct elfdeps *d, const char *root, const char *path, int err,
		       const char *const *words)
{
	size_t n0 = d->n, i;
	int r = elfdeps_add(d, root, path);

	if (r != err)
		print_error("elfdeps_add(%s) = %d (%s), expected %d\n", path, r, d->err, err);
	assert_int_equal(r, err);
	assert_true(d->err[0] != '\0');
	for (i = 0; words && words[i]; i++)
		if (!strstr(d->err, words[i]))
			fail_msg("message \"%s\" does not name \"%s\"", d->err, words[i]);
	assert_int_equal(d->n, n0);	/* left as it was */
}

/* A lexical normaliser written apart from the one under test */
static void norm(const char *in, char *out)
{
	char tmp[PATH_MAX], *parts[PATH_MAX / 2], *tok, *save = NULL;
	size_t n = 0, i;

	if (snprintf(tmp, sizeof(tmp), "%s", in) >= (int)sizeof(tmp))
		_exit(3);
	for (tok = strtok_r(tmp, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..")) {
			if (n)
				n--;
			continue;
		}
		parts[n++] = tok;
	}
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		strcat(out, "/");
		strcat(out, parts[i]);
	}
	if (!n)
		strcpy(out, "/");
}

/*
 * What the generator relies on, checked inside @root (chroot(2) in a
 * child: an oracle independent of the resolver under test): no duplicate;
 * a NULL link is a regular file; a link is that symlink's target, and the
 * name it leads to in the image is listed too.
 */
static void check_image(const struct elfdeps *d, const char *root)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char target[PATH_MAX], dir[PATH_MAX], join[2 * PATH_MAX], name[PATH_MAX];
		struct stat st;
		size_t i, j;
		ssize_t n;

		if (strcmp(root, "/") && (chroot(root) || chdir("/"))) {
			fprintf(stderr, "chroot %s: %s\n", root, strerror(errno));
			_exit(2);
		}
		for (i = 0; i < d->n; i++) {
			for (j = 0; j < i; j++)
				if (!strcmp(d->paths[i], d->paths[j])) {
					fprintf(stderr, "%s listed twice\n", d->paths[i]);
					_exit(1);
				}
			if (lstat(d->paths[i], &st)) {
				fprintf(stderr, "%s: %s\n", d->paths[i], strerror(errno));
				_exit(1);
			}
			if (!d->links[i]) {
				if (!S_ISREG(st.st_mode)) {
					fprintf(stderr, "%s: not a regular file\n", d->paths[i]);
					_exit(1);
				}
				continue;
			}
			n = readlink(d->paths[i], target, sizeof(target) - 1);
			if (n < 0 || (target[n] = '\0', strcmp(target, d->links[i]))) {
				fprintf(stderr, "%s: link %s is not the symlink's\n", d->paths[i],
					d->links[i]);
				_exit(1);
			}
			snprintf(dir, sizeof(dir), "%s", d->paths[i]);
			*strrchr(dir, '/') = '\0';
			snprintf(join, sizeof(join), "%s/%s", target[0] == '/' ? "" : dir, target);
			norm(join, name);
			for (j = 0; j < d->n && strcmp(d->paths[j], name); j++)
				;
			if (j == d->n) {
				fprintf(stderr, "%s -> %s: %s is not listed\n", d->paths[i],
					target, name);
				_exit(1);
			}
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
		print_message("(chroot not permitted: image check skipped)\n");
		return;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		print_list(d);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A sorted set of realpaths, duplicates removed */
struct set {
	char *v[256];
	size_t n;
};

static void set_add(struct set *s, const char *path)
{
	char *rp = realpath(path, NULL);
	size_t i;

	if (!rp)
		fail_msg("realpath(%s): %s", path, strerror(errno));
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], rp)) {
			free(rp);
			return;
		}
	assert_true(s->n < sizeof(s->v) / sizeof(s->v[0]));
	s->v[s->n++] = rp;
	qsort(s->v, s->n, sizeof(s->v[0]), cmp_str);
}

static void set_free(struct set *s)
{
	while (s->n)
		free(s->v[--s->n]);
}

/* ldd's closure of @bin, exactly as ldd prints the paths */
static size_t ldd_paths(const char *bin, char paths[][PATH_MAX], size_t max)
{
	char cmd[PATH_MAX + 32], line[2 * PATH_MAX];
	size_t n = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ldd '%s'", bin);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "=>"), *end;

		if (strstr(line, "not found"))
			fail_msg("ldd: %s", line);
		if (p) {
			p += 2;
		} else {
			p = line;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '/')
			continue;	/* linux-vdso.so.1 */
		end = p + strcspn(p, " \t\n");
		*end = '\0';
		assert_true(n < max);
		assert_true(snprintf(paths[n++], PATH_MAX, "%s", p) < PATH_MAX);
	}
	assert_int_equal(pclose(f), 0);
	return n;
}

/* The closure of @bin must be what ldd reports, plus the program */
static void check_against_ldd(const char *bin)
{
	static char lp[64][PATH_MAX];
	struct set want = { .n = 0 }, got = { .n = 0 };
	struct elfdeps d;
	char *self;
	size_t n, i;

	if (access(bin, X_OK))
		skip();
	n = ldd_paths(bin, lp, 64);
	assert_true(n >= 2);	/* at least libc and the interpreter */
	elfdeps_init(&d);
	add_ok(&d, "/", bin);
	assert_string_equal(d.paths[0], bin);

	/* the names ldd shows are the names we list */
	for (i = 0; i < n; i++)
		if (!has(&d, lp[i])) {
			print_list(&d);
			fail_msg("%s: ldd's %s is not listed", bin, lp[i]);
		}
	/* and the files are the same, nothing more */
	self = realpath(bin, NULL);
	assert_non_null(self);
	for (i = 0; i < n; i++)
		set_add(&want, lp[i]);
	for (i = 0; i < d.n; i++) {
		char *rp = realpath(d.paths[i], NULL);

		assert_non_null(rp);
		if (strcmp(rp, self))
			set_add(&got, d.paths[i]);
		free(rp);
	}
	if (want.n != got.n) {
		print_list(&d);
		fail_msg("%s: %zu files, ldd has %zu", bin, got.n, want.n);
	}
	for (i = 0; i < want.n; i++)
		assert_string_equal(got.v[i], want.v[i]);
	check_image(&d, "/");
	free(self);
	set_free(&want);
	set_free(&got);
	elfdeps_free(&d);
}

/* A new file each time: rewriting one in place makes ext4 flush it
 * (auto_da_alloc), which costs milliseconds a call here */
static void write_file(const char *path, const void *buf, size_t len, mode_t mode)
{
	FILE *f;

	unlink(path);
	f = fopen(path, "wb");

	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return unit_read(path, 0, (size_t)st.st_size, len);
}

/* ---- hand-made ELF files -------------------------------------------- */

#define CRAFT_MAX	4096
#define CRAFT_BASE	0x10000

struct craft {
	unsigned char cls;
	uint16_t machine, type;
	const char *interp;
	const char *needed[4];
	const char *soname, *rpath, *runpath;
};

struct layout {
	size_t size, phoff, phsz, interp, strtab, strsz, dyn, dsz, ndyn;
	size_t needed0;		/* string offset of the first DT_NEEDED */
};

/* [ehdr][PT_LOAD, PT_INTERP, PT_DYNAMIC][interp][strtab][dynamic], one
 * PT_LOAD mapping the whole file at CRAFT_BASE */
static size_t craft(const struct craft *cf, uint8_t *out, struct layout *L)
{
	bool is64 = cf->cls == ELFCLASS64;
	size_t ehsz = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	uint64_t dyn[16][2];
	size_t nd = 0, off, s = 1, i, ilen = cf->interp ? strlen(cf->interp) + 1 : 0;
	char *str;

	memset(out, 0, CRAFT_MAX);
	memset(L, 0, sizeof(*L));
	L->phsz = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	L->dsz = is64 ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn);
	L->phoff = ehsz;
	off = ehsz + 3 * L->phsz;
	L->interp = off;
	if (cf->interp)
		memcpy(out + off, cf->interp, ilen);
	off += ilen;
	L->strtab = off;
	str = (char *)out + off;
#define ADDSTR(tag, v) do { dyn[nd][0] = (tag); dyn[nd][1] = s; nd++; \
		strcpy(str + s, (v)); s += strlen(v) + 1; } while (0)
	L->needed0 = s;
	for (i = 0; i < 4 && cf->needed[i]; i++)
		ADDSTR(DT_NEEDED, cf->needed[i]);
	if (cf->soname)
		ADDSTR(DT_SONAME, cf->soname);
	if (cf->rpath)
		ADDSTR(DT_RPATH, cf->rpath);
	if (cf->runpath)
		ADDSTR(DT_RUNPATH, cf->runpath);
#undef ADDSTR
	L->strsz = s;
	dyn[nd][0] = DT_STRTAB;
	dyn[nd++][1] = CRAFT_BASE + L->strtab;
	dyn[nd][0] = DT_STRSZ;
	dyn[nd++][1] = s;
	dyn[nd][0] = DT_NULL;
	dyn[nd++][1] = 0;
	off = (off + s + 7) & ~(size_t)7;
	L->dyn = off;
	L->ndyn = nd;
	for (i = 0; i < nd; i++) {
		if (is64) {
			Elf64_Dyn d = { .d_tag = (Elf64_Sxword)dyn[i][0], .d_un.d_val = dyn[i][1] };

			memcpy(out + off + i * L->dsz, &d, sizeof(d));
		} else {
			Elf32_Dyn d = { .d_tag = (Elf32_Sword)dyn[i][0],
					.d_un.d_val = (Elf32_Word)dyn[i][1] };

			memcpy(out + off + i * L->dsz, &d, sizeof(d));
		}
	}
	off += nd * L->dsz;
	L->size = off;
	assert_true(off <= CRAFT_MAX);

	if (is64) {
		Elf64_Ehdr h = { .e_type = cf->type, .e_machine = cf->machine,
				 .e_version = EV_CURRENT, .e_phoff = L->phoff,
				 .e_ehsize = sizeof(h), .e_phentsize = sizeof(Elf64_Phdr),
				 .e_phnum = 3 };
		Elf64_Phdr p[3] = {
			{ .p_type = PT_LOAD, .p_vaddr = CRAFT_BASE, .p_filesz = off,
			  .p_memsz = off, .p_flags = PF_R, .p_align = 0x1000 },
			{ .p_type = cf->interp ? PT_INTERP : PT_NULL, .p_offset = L->interp,
			  .p_vaddr = CRAFT_BASE + L->interp, .p_filesz = ilen, .p_memsz = ilen },
			{ .p_type = PT_DYNAMIC, .p_offset = L->dyn, .p_vaddr = CRAFT_BASE + L->dyn,
			  .p_filesz = nd * L->dsz, .p_memsz = nd * L->dsz },
		};

		memcpy(h.e_ident, ELFMAG, SELFMAG);
		h.e_ident[EI_CLASS] = ELFCLASS64;
		h.e_ident[EI_DATA] = ELFDATA2LSB;
		h.e_ident[EI_VERSION] = EV_CURRENT;
		memcpy(out, &h, sizeof(h));
		memcpy(out + L->phoff, p, sizeof(p));
	} else {
		Elf32_Ehdr h = { .e_type = cf->type, .e_machine = cf->machine,
				 .e_version = EV_CURRENT, .e_phoff = (Elf32_Off)L->phoff,
				 .e_ehsize = sizeof(h), .e_phentsize = sizeof(Elf32_Phdr),
				 .e_phnum = 3 };
		Elf32_Phdr p[3] = {
			{ .p_type = PT_LOAD, .p_vaddr = CRAFT_BASE, .p_filesz = (Elf32_Word)off,
			  .p_memsz = (Elf32_Word)off, .p_flags = PF_R, .p_align = 0x1000 },
			{ .p_type = cf->interp ? PT_INTERP : PT_NULL,
			  .p_offset = (Elf32_Off)L->interp,
			  .p_vaddr = (Elf32_Addr)(CRAFT_BASE + L->interp),
			  .p_filesz = (Elf32_Word)ilen, .p_memsz = (Elf32_Word)ilen },
			{ .p_type = PT_DYNAMIC, .p_offset = (Elf32_Off)L->dyn,
			  .p_vaddr = (Elf32_Addr)(CRAFT_BASE + L->dyn),
			  .p_filesz = (Elf32_Word)(nd * L->dsz),
			  .p_memsz = (Elf32_Word)(nd * L->dsz) },
		};

		memcpy(h.e_ident, ELFMAG, SELFMAG);
		h.e_ident[EI_CLASS] = ELFCLASS32;
		h.e_ident[EI_DATA] = ELFDATA2LSB;
		h.e_ident[EI_VERSION] = EV_CURRENT;
		memcpy(out, &h, sizeof(h));
		memcpy(out + L->phoff, p, sizeof(p));
	}
	return off;
}

static void craft_to(const char *rel, const struct craft *cf)
{
	uint8_t buf[CRAFT_MAX];
	struct layout L;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s%s", S, rel);
	write_file(path, buf, craft(cf, buf, &L), 0755);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* ---- the sysroot ---------------------------------------------------- */

static int group_setup(void **state)
{
	char b[600];

	snprintf(T, sizeof(T), "%s", unit_tmpdir());
	snprintf(S, sizeof(S), "%s/sysroot", T);
	snprintf(b, sizeof(b), "%s/build", T);

	/* a merged-/usr layout with the host's libc and loader */
	unit_sh("set -e; mkdir -p %s; cd %s; mkdir -p usr/lib/x86_64-linux-gnu usr/bin lib64 "
		"etc/ld.so.conf.d etc/more.d opt/app/bin opt/app/lib opt/app/lib32 "
		"opt/app/lib/x86_64-linux-gnu opt/x86_64/lib opt/conf/lib opt/conf2/lib "
		"opt/conf3/lib opt/esc-target opt/esc-target2 opt/cyc/bin opt/cyc/lib "
		"opt/crafted opt/x32 usr/lib32 usr/lib/i386-linux-gnu %s; "
		"ln -s usr/lib lib; "
		"cp -L /lib/x86_64-linux-gnu/libc.so.6 usr/lib/x86_64-linux-gnu/; "
		"cp -L /lib64/ld-linux-x86-64.so.2 usr/lib/x86_64-linux-gnu/; "
		"ln -s /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 lib64/; "
		"ln -s /opt/esc-target opt/esc; "
		"ln -s ../../../../../../../../../../../opt/esc-target2 opt/esc2", S, S, b);
	/* ld.so.conf: comments, a relative include, a nested absolute one,
	 * the old DIR=TYPE form, a hwcap line */
	unit_sh("set -e; cd %s/etc; "
		"printf '# test\\ninclude ld.so.conf.d/*.conf\\n/opt/conf2/lib=libc5\\n"
		"hwcap 1 nosegneg\\n' > ld.so.conf; "
		"printf '/opt/conf/lib\\ninclude /etc/more.d/*.conf\\n' > ld.so.conf.d/a.conf; "
		"printf '  /opt/conf3/lib/   # trailing\\n' > more.d/x.conf", S);

	/* libfoo.so.1 needs libbar.so.1 (only in an ld.so.conf directory)
	 * and libbaz.so.1 (only next to libfoo); neither has a path */
	unit_sh("set -e; cd %s; "
		"printf '#include <unistd.h>\\nint baz(void){return (int)getpid();}\\n' > baz.c; "
		"echo 'int bar(void){return 2;}' > bar.c; "
		"printf 'int bar(void);int baz(void);\\nint foo(void){return bar()+baz();}\\n' > foo.c; "
		"printf 'int foo(void);\\nint main(void){return foo();}\\n' > app.c; "
		"printf 'int bar(void);int baz(void);\\nint main(void){return bar()+baz();}\\n' > app2.c; "
		"echo 'int main(void){return 0;}' > app0.c; "
		"cc -shared -fPIC -Wl,-soname,libbaz.so.1 -o libbaz.so.1 baz.c; "
		"cc -shared -fPIC -Wl,-soname,libbar.so.1 -o libbar.so.1 bar.c; "
		"cc -shared -fPIC -Wl,-soname,libfoo.so.1 -o libfoo.so.1.0 foo.c "
		"  -L. -l:libbar.so.1 -l:libbaz.so.1; "
		"ln -s libfoo.so.1.0 libfoo.so.1; "
		"cc -o app_rpath app.c -L. -l:libfoo.so.1 -Wl,-rpath-link,. "
		"  -Wl,--disable-new-dtags '-Wl,-rpath,$ORIGIN/../lib'; "
		"cc -o app_runpath app.c -L. -l:libfoo.so.1 -Wl,-rpath-link,. "
		"  -Wl,--enable-new-dtags '-Wl,-rpath,$ORIGIN/../lib'; "
		"cc -o app_runpath_ok app2.c -L. -l:libbar.so.1 -l:libbaz.so.1 "
		"  -Wl,--enable-new-dtags '-Wl,-rpath,$ORIGIN/../lib'; "
		"cc -o app_shadow app0.c -Wl,--no-as-needed -L. -l:libbaz.so.1 "
		"  -Wl,--enable-new-dtags '-Wl,-rpath,$ORIGIN/../lib32:$ORIGIN/../lib'; "
		"cc -o app_nodeflib app0.c -Wl,-z,nodefaultlib; "
		"cc -static -o app_static app0.c; cc -static-pie -o app_static_pie app0.c", b);
	/* the tags really are what the tests say they are */
	unit_sh("set -e; cd %s; readelf -d app_rpath | grep -q '(RPATH).*ORIGIN/../lib'; "
		"! readelf -d app_rpath | grep -q RUNPATH; "
		"readelf -d app_runpath | grep -q '(RUNPATH).*ORIGIN/../lib'; "
		"! readelf -d app_runpath | grep -q '(RPATH)'; "
		"! readelf -d libfoo.so.1.0 | grep -q PATH; "
		"readelf -d app_nodeflib | grep -q NODEFLIB; "
		"readelf -l app_static_pie | grep -q DYNAMIC; "
		"! readelf -l app_static app_static_pie | grep -q INTERP", b);
	/* $LIB and ${PLATFORM}; an absolute and an escaping symlinked dir */
	unit_sh("set -e; cd %s; "
		"for l in qux plat esc1 esc2; do echo \"int $l(void){return 0;}\" > $l.c; "
		"  cc -shared -fPIC -Wl,-soname,lib$l.so.1 -o lib$l.so.1 $l.c; done; "
		"cc -o app_dst app0.c -Wl,--no-as-needed -L. -l:libqux.so.1 -l:libplat.so.1 "
		"  -Wl,--enable-new-dtags '-Wl,-rpath,$ORIGIN/../$LIB:/opt/${PLATFORM}/lib'; "
		"cc -o app_esc app0.c -Wl,--no-as-needed -L. -l:libesc1.so.1 -l:libesc2.so.1 "
		"  -Wl,--enable-new-dtags -Wl,-rpath,/opt/esc:/opt/esc2", b);
	/* two libraries needing each other, found through their RUNPATH $ORIGIN */
	unit_sh("set -e; cd %s; "
		"echo 'int c1(void){return 1;}' > c1.c; echo 'int c2(void){return 2;}' > c2.c; "
		"printf 'int c1(void);\\nint main(void){return c1();}\\n' > app4.c; "
		"cc -shared -fPIC -Wl,-soname,libcyc1.so.1 -o libcyc1.so.1 c1.c; "
		"cc -shared -fPIC -Wl,-soname,libcyc2.so.1 -o libcyc2.so.1 c2.c "
		"  -Wl,--no-as-needed -L. -l:libcyc1.so.1 -Wl,--enable-new-dtags '-Wl,-rpath,$ORIGIN'; "
		"cc -shared -fPIC -Wl,-soname,libcyc1.so.1 -o c1.tmp c1.c "
		"  -Wl,--no-as-needed -L. -l:libcyc2.so.1 -Wl,--enable-new-dtags '-Wl,-rpath,$ORIGIN'; "
		"mv c1.tmp libcyc1.so.1; "
		"cc -o app_cyc app4.c -Wl,--no-as-needed -L. -l:libcyc1.so.1 -Wl,-rpath-link,. "
		"  -Wl,--enable-new-dtags '-Wl,-rpath,$ORIGIN/../lib'", b);
	/* RPATH handed down: libchaina (RPATH) -> libchainb (no path) ->
	 * libchainc, found in libchaina's RPATH; libneedsbaz (no path) */
	unit_sh("set -e; cd %s; "
		"echo 'int a(void){return 0;}' > a.c; "
		"printf 'int a(void);\\nint main(void){return a();}\\n' > app5.c; "
		"cc -shared -fPIC -Wl,-soname,libchainc.so.1 -o libchainc.so.1 a.c; "
		"cc -shared -fPIC -Wl,-soname,libchainb.so.1 -o libchainb.so.1 a.c "
		"  -Wl,--no-as-needed -L. -l:libchainc.so.1; "
		"cc -shared -fPIC -Wl,-soname,libchaina.so.1 -o libchaina.so.1 a.c "
		"  -Wl,--no-as-needed -L. -l:libchainb.so.1 -Wl,-rpath-link,. "
		"  -Wl,--disable-new-dtags '-Wl,-rpath,$ORIGIN/../../chain/alib'; "
		"cc -o app_chain app5.c -Wl,--no-as-needed -L. -l:libchaina.so.1 -Wl,-rpath-link,.; "
		"cc -shared -fPIC -Wl,-soname,libneedsbaz.so.1 -o libneedsbaz.so.1 a.c "
		"  -Wl,--no-as-needed -L. -l:libbaz.so.1; "
		"mkdir -p %s/opt/chain/bin %s/opt/chain/alib; "
		"cp app_chain %s/opt/chain/bin/; cp libchaina.so.1 libneedsbaz.so.1 %s/opt/conf/lib/; "
		"cp libchainb.so.1 libchainc.so.1 %s/opt/chain/alib/", b, S, S, S, S, S);
	unit_sh("set -e; cd %s; "
		"cp %s/libbaz.so.1 %s/libfoo.so.1.0 opt/app/lib/; ln -s libfoo.so.1.0 opt/app/lib/libfoo.so.1; "
		"cp %s/libbar.so.1 opt/conf/lib/; "
		"cp %s/libbaz.so.1 opt/conf/lib/libfoo.so.1; "	/* a decoy */
		"cp %s/libbaz.so.1 opt/conf2/lib/libconf2.so.1; cp %s/libbaz.so.1 opt/conf3/lib/libconf3.so.1; "
		"cp %s/libqux.so.1 opt/app/lib/x86_64-linux-gnu/; cp %s/libplat.so.1 opt/x86_64/lib/; "
		"cp %s/libesc1.so.1 opt/esc-target/; cp %s/libesc2.so.1 opt/esc-target2/; "
		"cp %s/libcyc1.so.1 %s/libcyc2.so.1 opt/cyc/lib/; cp %s/app_cyc opt/cyc/bin/; "
		"cd %s; cp app_rpath app_runpath app_runpath_ok app_shadow app_dst app_esc "
		"  app_nodeflib app_static app_static_pie %s/opt/app/bin/; "
		"ln -s ../../opt/app/bin/app_rpath %s/usr/bin/app-link",
		S, b, b, b, b, b, b, b, b, b, b, b, b, b, b, S, S);

	/* a 32-bit libbaz.so.1 shadowing the real one in RUNPATH order: from
	 * cc -m32 (no 32-bit libc needed), else a hand-made ELF32 header */
	{
		char cmd[1400];

		snprintf(cmd, sizeof(cmd), "cd %s && echo 'int baz(void){return 3;}' > baz32.c "
			 "&& cc -m32 -shared -nostdlib -fPIC -Wl,-soname,libbaz.so.1 "
			 "-o baz32.so baz32.c 2>/dev/null && cp baz32.so %s/opt/app/lib32/libbaz.so.1", b, S);
		have_m32 = system(cmd) == 0;
	}
	if (!have_m32) {
		struct craft cf = { .cls = ELFCLASS32, .machine = EM_386, .type = ET_DYN,
				    .soname = "libbaz.so.1" };

		craft_to("/opt/app/lib32/libbaz.so.1", &cf);
	}
	return 0;
}

static int group_teardown(void **state)
{
	unit_sh("rm -rf %s", T);
	return 0;
}

static void sys_rename(const char *from, const char *to)
{
	char a[PATH_MAX], b[PATH_MAX];

	snprintf(a, sizeof(a), "%s%s", S, from);
	snprintf(b, sizeof(b), "%s%s", S, to);
	if (rename(a, b))
		fail_msg("rename %s %s: %s", a, b, strerror(errno));
}

/* ---- the host, against ldd ------------------------------------------- */

static void test_ldd_e2fsck(void **state)
{
	check_against_ldd("/usr/sbin/e2fsck");
}

static void test_ldd_ls(void **state)
{
	check_against_ldd("/bin/ls");
}

static void test_ldd_ssh_keygen(void **state)
{
	check_against_ldd("/usr/bin/ssh-keygen");
}

/* The interpreter is a symlink into the multiarch directory on Debian 12:
 * both names are listed, the link as readlink() gives it. */
static void test_interp_symlink(void **state)
{
	char target[PATH_MAX];
	struct elfdeps d;
	size_t i;

	if (elfdeps_is_symlink("/lib64/ld-linux-x86-64.so.2", target, sizeof(target)) != 1)
		skip();
	elfdeps_init(&d);
	add_ok(&d, "/", "/bin/ls");
	for (i = 0; i < d.n && strcmp(d.paths[i], "/lib64/ld-linux-x86-64.so.2"); i++)
		;
	assert_true(i == 1);	/* right after the program */
	assert_non_null(d.links[i]);
	assert_string_equal(d.links[i], target);
	assert_true(has(&d, target));
	elfdeps_free(&d);
}

/* Two programs in one set: shared libraries once, everything of both */
static void test_two_programs(void **state)
{
	struct elfdeps a, b, both;
	size_t i;

	elfdeps_init(&a);
	elfdeps_init(&b);
	elfdeps_init(&both);
	add_ok(&a, "/", "/usr/sbin/e2fsck");
	add_ok(&b, "/", "/bin/ls");
	add_ok(&both, "/", "/usr/sbin/e2fsck");
	add_ok(&both, "/", "/bin/ls");
	for (i = 0; i < a.n; i++)
		assert_string_equal(both.paths[i], a.paths[i]);
	for (i = 0; i < b.n; i++)
		assert_true(has(&both, b.paths[i]));
	assert_true(both.n < a.n + b.n);	/* libc and the loader once */
	check_image(&both, "/");
	elfdeps_free(&a);
	elfdeps_free(&b);
	elfdeps_free(&both);
}

/* Static programs: just themselves (a static PIE has a PT_DYNAMIC, with
 * nothing in it to load) */
static void test_static(void **state)
{
	struct elfdeps d;

	elfdeps_init(&d);
	add_ok(&d, S, "/opt/app/bin/app_static");
	expect_list(&d, (const char *const[]){ "/opt/app/bin/app_static", NULL });
	add_ok(&d, S, "/opt/app/bin/app_static_pie");
	expect_list(&d, (const char *const[]){ "/opt/app/bin/app_static",
					       "/opt/app/bin/app_static_pie", NULL });
	elfdeps_free(&d);

	/* busybox-static's, from the host */
	if (access("/bin/busybox", X_OK))
		fail_msg("/bin/busybox: install busybox-static");
	if (system("readelf -l /bin/busybox | grep -q INTERP") == 0)
		skip();	/* a dynamic busybox */
	elfdeps_init(&d);
	add_ok(&d, "/", "/bin/busybox");
	expect_list(&d, (const char *const[]){ "/bin/busybox", NULL });
	elfdeps_free(&d);
}

/* ---- scripts ----------------------------------------------------------- */

static void test_script(void **state)
{
	struct elfdeps sh, d;
	char path[PATH_MAX];
	size_t i;

	snprintf(path, sizeof(path), "%s/hello.sh", T);
	write_file(path, "#!/bin/sh\necho hello\n", 21, 0755);
	elfdeps_init(&sh);
	elfdeps_init(&d);
	add_ok(&sh, "/", "/bin/sh");
	add_ok(&d, "/", path);
	assert_int_equal(d.n, sh.n + 1);
	assert_string_equal(d.paths[0], path);
	assert_null(d.links[0]);
	for (i = 0; i < sh.n; i++) {
		assert_string_equal(d.paths[i + 1], sh.paths[i]);
		if (sh.links[i])
			assert_string_equal(d.links[i + 1], sh.links[i]);
		else
			assert_null(d.links[i + 1]);
	}
	assert_true(has(&d, LIBC));
	check_image(&d, "/");
	elfdeps_free(&sh);
	elfdeps_free(&d);
}

static void test_script_forms(void **state)
{
	static const char *const sh_missing[] = { "/no/such/shell", "inner.sh", NULL };
	static const char *const deep[] = { "levels", NULL };
	static const char *const none[] = { "no interpreter", NULL };
	char path[PATH_MAX], body[PATH_MAX + 32];
	struct elfdeps d;
	int i;

	/* spaces, an argument, a script as the interpreter of a script */
	snprintf(path, sizeof(path), "%s/inner.sh", T);
	write_file(path, "#! \t/bin/sh -e\nexit 0\n", 22, 0755);
	snprintf(body, sizeof(body), "#!%s arg\n", path);
	snprintf(path, sizeof(path), "%s/outer.sh", T);
	write_file(path, body, strlen(body), 0755);
	elfdeps_init(&d);
	add_ok(&d, "/", path);
	assert_string_equal(d.paths[0], path);
	snprintf(path, sizeof(path), "%s/inner.sh", T);
	assert_string_equal(d.paths[1], path);
	assert_true(has(&d, "/bin/sh") && has(&d, LIBC));
	elfdeps_free(&d);

	/* no newline at all */
	snprintf(path, sizeof(path), "%s/nonl.sh", T);
	write_file(path, "#!/bin/sh", 9, 0755);
	elfdeps_init(&d);
	add_ok(&d, "/", path);
	assert_true(has(&d, "/bin/sh"));

	/* a missing interpreter: named, with the script */
	snprintf(path, sizeof(path), "%s/inner.sh", T);
	write_file(path, "#!/no/such/shell\n", 17, 0755);
	snprintf(path, sizeof(path), "%s/outer.sh", T);
	expect_err(&d, "/", path, -ENOENT, sh_missing);

	/* five levels of #! is more than the kernel follows */
	for (i = 0; i < 6; i++) {
		snprintf(path, sizeof(path), "%s/lvl%d.sh", T, i);
		if (i == 0)
			snprintf(body, sizeof(body), "#!/bin/sh\n");
		else
			snprintf(body, sizeof(body), "#!%s/lvl%d.sh\n", T, i - 1);
		write_file(path, body, strlen(body), 0755);
	}
	snprintf(path, sizeof(path), "%s/lvl4.sh", T);
	add_ok(&d, "/", path);
	snprintf(path, sizeof(path), "%s/lvl5.sh", T);
	expect_err(&d, "/", path, -ELOOP, deep);

	snprintf(path, sizeof(path), "%s/empty.sh", T);
	write_file(path, "#!  \nfoo\n", 9, 0755);
	expect_err(&d, "/", path, -ENOEXEC, none);
	elfdeps_free(&d);
}

static void test_bad_arguments(void **state)
{
	static const char *const notelf[] = { "passwd.txt", "not an ELF", NULL };
	static const char *const missing[] = { "/no/such/program", NULL };
	static const char *const empty[] = { "empty", "not an ELF", NULL };
	char path[PATH_MAX];
	struct elfdeps d;

	elfdeps_init(&d);
	snprintf(path, sizeof(path), "%s/passwd.txt", T);
	write_file(path, "root:x:0:0::/root:/bin/sh\n", 26, 0644);
	expect_err(&d, "/", path, -ENOEXEC, notelf);
	snprintf(path, sizeof(path), "%s/empty", T);
	write_file(path, "", 0, 0755);
	expect_err(&d, "/", path, -ENOEXEC, empty);
	expect_err(&d, "/", "/no/such/program", -ENOENT, missing);
	expect_err(&d, "/", "bin/ls", -EINVAL, NULL);
	expect_err(&d, "/", "/usr/bin", -ENOEXEC, NULL);	/* a directory */
	elfdeps_free(&d);
}

/* ---- the sysroot: search order ---------------------------------------- */

/* RPATH, with $ORIGIN, searched before ld.so.conf (the decoy libfoo there
 * is not taken), and inherited: libfoo has no path of its own, yet finds
 * libbaz through the executable's RPATH, as glibc does.  libc: the
 * default directories; its DT_NEEDED ld-linux-x86-64.so.2 is the
 * interpreter, already loaded under that soname. */
static void test_rpath(void **state)
{
	struct elfdeps d;

	elfdeps_init(&d);
	add_ok(&d, S, "/opt/app/bin/app_rpath");
	expect_list(&d, (const char *const[]){
		"/opt/app/bin/app_rpath", LD64, LDREAL,
		"/opt/app/lib/libfoo.so.1 -> libfoo.so.1.0", "/opt/app/lib/libfoo.so.1.0",
		LIBC, "/opt/conf/lib/libbar.so.1", "/opt/app/lib/libbaz.so.1", NULL });
	check_image(&d, S);
	elfdeps_free(&d);
}

/* DT_RPATH is handed down the chain of loaders: libchainb has no path,
 * yet finds libchainc through the RPATH of libchaina, which loaded it */
static void test_rpath_from_loader(void **state)
{
	struct elfdeps d;

	elfdeps_init(&d);
	add_ok(&d, S, "/opt/chain/bin/app_chain");
	expect_list(&d, (const char *const[]){
		"/opt/chain/bin/app_chain", LD64, LDREAL, "/opt/conf/lib/libchaina.so.1", LIBC,
		"/opt/chain/alib/libchainb.so.1", "/opt/chain/alib/libchainc.so.1", NULL });
	elfdeps_free(&d);
}

/* An object with both DT_RPATH and DT_RUNPATH (only a hand-made one has
 * both nowadays) has no RPATH for glibc, not even for what it loads */
static void test_rpath_ignored_with_runpath(void **state)
{
	static const char *const words[] = {
		"libbaz.so.1, needed by /opt/conf/lib/libneedsbaz.so.1,", NULL };
	struct craft cf = { .cls = ELFCLASS64, .machine = EM_X86_64, .type = ET_DYN,
			    .needed = { "libneedsbaz.so.1" }, .rpath = "/opt/app/lib" };
	struct elfdeps d;

	craft_to("/opt/crafted/both", &cf);
	elfdeps_init(&d);
	add_ok(&d, S, "/opt/crafted/both");
	expect_list(&d, (const char *const[]){
		"/opt/crafted/both", "/opt/conf/lib/libneedsbaz.so.1", "/opt/app/lib/libbaz.so.1",
		LIBC, LDREAL, NULL });
	elfdeps_free(&d);

	cf.runpath = "/opt/nowhere";
	craft_to("/opt/crafted/both", &cf);
	elfdeps_init(&d);
	expect_err(&d, S, "/opt/crafted/both", -ENOENT, words);
	elfdeps_free(&d);
}

/* What the interpreter needs (nothing, for glibc's) is looked up with the
 * executable's RPATH, though the executable did not load it */
static void test_interp_needs(void **state)
{
	struct craft ld = { .cls = ELFCLASS64, .machine = EM_X86_64, .type = ET_DYN,
			    .soname = "ld-test.so", .needed = { "libbaz.so.1" } };
	struct craft prog = { .cls = ELFCLASS64, .machine = EM_X86_64, .type = ET_EXEC,
			      .interp = "/opt/crafted/ld-test.so", .rpath = "/opt/app/lib" };
	struct elfdeps d;

	craft_to("/opt/crafted/ld-test.so", &ld);
	craft_to("/opt/crafted/interp", &prog);
	elfdeps_init(&d);
	add_ok(&d, S, "/opt/crafted/interp");
	expect_list(&d, (const char *const[]){
		"/opt/crafted/interp", "/opt/crafted/ld-test.so", "/opt/app/lib/libbaz.so.1",
		LIBC, LDREAL, NULL });
	elfdeps_free(&d);
}

/* RUNPATH is the requesting object's only: libfoo (no path of its own)
 * does not inherit the executable's, so libbaz is not found */
static void test_runpath_not_inherited(void **state)
{
	static const char *const words[] = {
		"libbaz.so.1, needed by /opt/app/lib/libfoo.so.1,", "not found", NULL };
	struct elfdeps d;

	elfdeps_init(&d);
	expect_err(&d, S, "/opt/app/bin/app_runpath", -ENOENT, words);
	elfdeps_free(&d);
}

static void test_runpath(void **state)
{
	struct elfdeps d;

	elfdeps_init(&d);
	add_ok(&d, S, "/opt/app/bin/app_runpath_ok");
	expect_list(&d, (const char *const[]){
		"/opt/app/bin/app_runpath_ok", LD64, LDREAL, "/opt/conf/lib/libbar.so.1",
		"/opt/app/lib/libbaz.so.1", LIBC, NULL });
	check_image(&d, S);
	elfdeps_free(&d);
}

/* $ORIGIN of a program reached through a symlink is the directory of the
 * file, as /proc/self/exe gives it */
static void test_origin_through_symlink(void **state)
{
	struct elfdeps d;

	elfdeps_init(&d);
	add_ok(&d, S, "/usr/bin/app-link");
	expect_list(&d, (const char *const[]){
		"/usr/bin/app-link -> ../../opt/app/bin/app_rpath", "/opt/app/bin/app_rpath",
		LD64, LDREAL, "/opt/app/lib/libfoo.so.1 -> libfoo.so.1.0",
		"/opt/app/lib/libfoo.so.1.0", LIBC, "/opt/conf/lib/libbar.so.1",
		"/opt/app/lib/libbaz.so.1", NULL });
	check_image(&d, S);
	elfdeps_free(&d);
}

static void test_dst(void **state)
{
	struct elfdeps d;

	elfdeps_init(&d);
	add_ok(&d, S, "/opt/app/bin/app_dst");
	expect_list(&d, (const char *const[]){
		"/opt/app/bin/app_dst", LD64, LDREAL,
		"/opt/app/lib/x86_64-linux-gnu/libqux.so.1", "/opt/x86_64/lib/libplat.so.1",
		LIBC, NULL });
	elfdeps_free(&d);
}

static void test_cycle(void **state)
{
	struct elfdeps d;

	elfdeps_init(&d);
	add_ok(&d, S, "/opt/cyc/bin/app_cyc");
	expect_list(&d, (const char *const[]){
		"/opt/cyc/bin/app_cyc", LD64, LDREAL, "/opt/cyc/lib/libcyc1.so.1", LIBC,
		"/opt/cyc/lib/libcyc2.so.1", NULL });
	elfdeps_free(&d);
}

/* Symlinks inside the root stay inside it: an absolute one, and one with
 * more ".." than there are directories (both lead nowhere on the host) */
static void test_root_confinement(void **state)
{
	struct elfdeps d;

	assert_int_equal(access("/opt/esc-target", F_OK), -1);
	assert_int_equal(access("/opt/esc-target2", F_OK), -1);
	elfdeps_init(&d);
	add_ok(&d, S, "/opt/app/bin/app_esc");
	expect_list(&d, (const char *const[]){
		"/opt/app/bin/app_esc", LD64, LDREAL, "/opt/esc/libesc1.so.1",
		"/opt/esc2/libesc2.so.1", LIBC, NULL });
	check_image(&d, S);
	/* where the files are on the host */
	{
		char want[PATH_MAX], got[PATH_MAX];

		snprintf(want, sizeof(want), "%s/opt/esc-target/libesc1.so.1", S);
		assert_int_equal(elfdeps_host_path(S, "/opt/esc/libesc1.so.1", got,
						   sizeof(got)), 0);
		assert_string_equal(got, want);
		snprintf(want, sizeof(want), "%s/opt/esc-target2/libesc2.so.1", S);
		assert_int_equal(elfdeps_host_path(S, "/opt/esc2/libesc2.so.1", got,
						   sizeof(got)), 0);
		assert_string_equal(got, want);
		snprintf(want, sizeof(want), "%s/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
			 S);
		assert_int_equal(elfdeps_host_path(S, "/lib64/ld-linux-x86-64.so.2", got,
						   sizeof(got)), 0);
		assert_string_equal(got, want);
		assert_int_equal(elfdeps_host_path(S, "/opt/esc/nothing", got, sizeof(got)),
				 -ENOENT);
		assert_int_equal(elfdeps_host_path("/", "/bin/../bin/ls", got, sizeof(got)), 0);
		assert_string_equal(got, "/usr/bin/ls");
		assert_int_equal(elfdeps_host_path(S, "/opt/esc/libesc1.so.1", got, 8),
				 -ENAMETOOLONG);
	}
	/* and the root may be given with a trailing slash */
	elfdeps_free(&d);
	elfdeps_init(&d);
	{
		char root[PATH_MAX];

		snprintf(root, sizeof(root), "%s/", S);
		add_ok(&d, root, "/opt/app/bin/app_esc");
		assert_int_equal(d.n, 6);
	}
	elfdeps_free(&d);
}

/* ld.so.conf: a relative include, a nested absolute include, DIR=TYPE,
 * comments and hwcap lines; a DT_NEEDED with a '/' is used as is, after
 * $ORIGIN; a DT_NEEDED name matches the soname of a loaded object */
static void test_conf_and_paths(void **state)
{
	static const char *const words[] = { "/opt/none/libx.so", "/opt/crafted/p2", NULL };
	struct craft cf = { .cls = ELFCLASS64, .machine = EM_X86_64, .type = ET_DYN,
			    .needed = { "libconf2.so.1", "libconf3.so.1",
					"$ORIGIN/../app/lib/./libbaz.so.1", "libbaz.so.1" } };
	struct elfdeps d;

	craft_to("/opt/crafted/p1", &cf);
	elfdeps_init(&d);
	add_ok(&d, S, "/opt/crafted/p1");
	/* libconf2/3 are copies of libbaz (soname libbaz.so.1), but other
	 * files, so each is loaded; "libbaz.so.1" is then the soname of an
	 * object already loaded (all three have it: the first matches) */
	expect_list(&d, (const char *const[]){
		"/opt/crafted/p1", "/opt/conf2/lib/libconf2.so.1", "/opt/conf3/lib/libconf3.so.1",
		"/opt/app/lib/libbaz.so.1", LIBC, LDREAL, NULL });
	elfdeps_free(&d);

	cf.needed[0] = "/opt/none/libx.so";
	cf.needed[1] = NULL;
	craft_to("/opt/crafted/p2", &cf);
	elfdeps_init(&d);
	expect_err(&d, S, "/opt/crafted/p2", -ENOENT, words);
	elfdeps_free(&d);
}

static void test_nodeflib(void **state)
{
	static const char *const words[] = { "libc.so.6", "app_nodeflib", "NODEFLIB", NULL };
	struct elfdeps d;

	elfdeps_init(&d);
	expect_err(&d, S, "/opt/app/bin/app_nodeflib", -ENOENT, words);
	elfdeps_free(&d);
}

/* ---- missing files ----------------------------------------------------- */

static void test_missing_library(void **state)
{
	static const char *const words[] = {
		"libbar.so.1", "needed by /opt/app/lib/libfoo.so.1", NULL };
	struct elfdeps d;
	char **before;
	size_t n, i;

	elfdeps_init(&d);
	add_ok(&d, S, "/opt/app/bin/app_dst");
	n = d.n;
	before = calloc(n, sizeof(*before));
	assert_non_null(before);
	for (i = 0; i < n; i++)
		before[i] = strdup(d.paths[i]);
	sys_rename("/opt/conf/lib/libbar.so.1", "/opt/conf/lib/libbar.so.1.away");
	expect_err(&d, S, "/opt/app/bin/app_rpath", -ENOENT, words);
	sys_rename("/opt/conf/lib/libbar.so.1.away", "/opt/conf/lib/libbar.so.1");
	/* left exactly as before the failed call */
	assert_int_equal(d.n, n);
	for (i = 0; i < n; i++) {
		assert_string_equal(d.paths[i], before[i]);
		free(before[i]);
	}
	free(before);
	add_ok(&d, S, "/opt/app/bin/app_rpath");
	elfdeps_free(&d);
}

static void test_missing_interpreter(void **state)
{
	static const char *const words[] = {
		LDREAL, "interpreter", "/opt/app/bin/app_rpath", NULL };
	struct elfdeps d;

	elfdeps_init(&d);
	sys_rename(LDREAL, LDREAL ".away");
	expect_err(&d, S, "/opt/app/bin/app_rpath", -ENOENT, words);
	sys_rename(LDREAL ".away", LDREAL);
	add_ok(&d, S, "/opt/app/bin/app_rpath");
	elfdeps_free(&d);
}

/* ---- other architectures ---------------------------------------------- */

/* A 32-bit libbaz.so.1 first in RUNPATH is skipped, as ld.so skips it */
static void test_shadow_32bit(void **state)
{
	static const char *const words[] = {
		"libbaz.so.1", "app_shadow", "/opt/app/lib32/libbaz.so.1", "32-bit i386", NULL };
	struct elfdeps d;

	print_message("(32-bit library from %s)\n", have_m32 ? "cc -m32" : "a hand-made header");
	elfdeps_init(&d);
	add_ok(&d, S, "/opt/app/bin/app_shadow");
	expect_list(&d, (const char *const[]){
		"/opt/app/bin/app_shadow", LD64, LDREAL, "/opt/app/lib/libbaz.so.1", LIBC, NULL });
	elfdeps_free(&d);

	/* a 64-bit library for another machine is skipped too */
	{
		static const char *const arm[] = { "/opt/app/lib32/libbaz.so.1",
						   "64-bit aarch64", NULL };
		struct craft cf = { .cls = ELFCLASS64, .machine = EM_AARCH64, .type = ET_DYN,
				    .soname = "libbaz.so.1" };

		sys_rename("/opt/app/lib32/libbaz.so.1", "/opt/app/lib32/libbaz.so.1.i386");
		craft_to("/opt/app/lib32/libbaz.so.1", &cf);
		elfdeps_init(&d);
		add_ok(&d, S, "/opt/app/bin/app_shadow");
		assert_true(has(&d, "/opt/app/lib/libbaz.so.1"));
		assert_false(has(&d, "/opt/app/lib32/libbaz.so.1"));
		sys_rename("/opt/app/lib/libbaz.so.1", "/opt/app/lib/libbaz.so.1.away");
		expect_err(&d, S, "/opt/app/bin/app_shadow", -ENOENT, arm);
		sys_rename("/opt/app/lib/libbaz.so.1.away", "/opt/app/lib/libbaz.so.1");
		sys_rename("/opt/app/lib32/libbaz.so.1.i386", "/opt/app/lib32/libbaz.so.1");
		elfdeps_free(&d);
	}

	/* with only the 32-bit one, not found -- and the message says why */
	elfdeps_init(&d);
	sys_rename("/opt/app/lib/libbaz.so.1", "/opt/app/lib/libbaz.so.1.away");
	expect_err(&d, S, "/opt/app/bin/app_shadow", -ENOENT, words);
	sys_rename("/opt/app/lib/libbaz.so.1.away", "/opt/app/lib/libbaz.so.1");
	elfdeps_free(&d);
}

/* A 32-bit program: its interpreter, 64-bit candidates skipped in the
 * i386 default directories; one image holds one architecture */
static void test_elf32(void **state)
{
	static const char *const mix64[] = { "app_rpath", "64-bit x86-64", "/opt/x32/prog",
					     "32-bit i386", NULL };
	static const char *const mix32[] = { "/opt/x32/prog", "32-bit i386", NULL };
	struct craft prog = { .cls = ELFCLASS32, .machine = EM_386, .type = ET_EXEC,
			      .interp = "/lib/ld-linux.so.2",
			      .needed = { "libc32.so.1", "libm32.so.1" } };
	struct craft ld = { .cls = ELFCLASS32, .machine = EM_386, .type = ET_DYN,
			    .soname = "ld-linux.so.2" };
	struct craft libc = { .cls = ELFCLASS32, .machine = EM_386, .type = ET_DYN,
			      .soname = "libc32.so.1", .needed = { "ld-linux.so.2" } };
	struct craft libm = { .cls = ELFCLASS32, .machine = EM_386, .type = ET_DYN,
			      .soname = "libm32.so.1", .needed = { "libc32.so.1" } };
	char from[PATH_MAX], to[PATH_MAX];
	struct elfdeps d;

	craft_to("/opt/x32/prog", &prog);
	craft_to("/usr/lib/ld-linux.so.2", &ld);
	craft_to("/usr/lib32/libc32.so.1", &libc);
	craft_to("/opt/conf/lib/libm32.so.1", &libm);
	/* a 64-bit decoy first in the i386 default directories */
	snprintf(from, sizeof(from), "%s/opt/app/lib/libbaz.so.1", S);
	snprintf(to, sizeof(to), "%s/usr/lib/i386-linux-gnu/libc32.so.1", S);
	unit_sh("cp %s %s", from, to);

	elfdeps_init(&d);
	add_ok(&d, S, "/opt/x32/prog");
	expect_list(&d, (const char *const[]){
		"/opt/x32/prog", "/lib/ld-linux.so.2", "/usr/lib32/libc32.so.1",
		"/opt/conf/lib/libm32.so.1", NULL });
	expect_err(&d, S, "/opt/app/bin/app_rpath", -ENOEXEC, mix64);
	elfdeps_free(&d);

	elfdeps_init(&d);
	add_ok(&d, S, "/opt/app/bin/app_rpath");
	expect_err(&d, S, "/opt/x32/prog", -ENOEXEC, mix32);
	elfdeps_free(&d);

	/* a failed first call does not fix the architecture */
	elfdeps_init(&d);
	sys_rename("/usr/lib32/libc32.so.1", "/usr/lib32/libc32.so.1.away");
	expect_err(&d, S, "/opt/x32/prog", -ENOENT, NULL);
	sys_rename("/usr/lib32/libc32.so.1.away", "/usr/lib32/libc32.so.1");
	add_ok(&d, S, "/opt/app/bin/app_rpath");
	elfdeps_free(&d);
}

/* ---- damaged files ----------------------------------------------------- */

/* End of the file image of the last PT_LOAD of an ELF64 file */
static size_t load_end64(const uint8_t *buf, size_t len)
{
	Elf64_Ehdr h;
	size_t end = 0, i;

	assert_true(len >= sizeof(h));
	memcpy(&h, buf, sizeof(h));
	for (i = 0; i < h.e_phnum; i++) {
		Elf64_Phdr p;

		memcpy(&p, buf + h.e_phoff + i * sizeof(p), sizeof(p));
		if (p.p_type == PT_LOAD && p.p_offset + p.p_filesz > end)
			end = p.p_offset + p.p_filesz;
	}
	return end;
}

/* A compiled program cut at every offset: damaged (-ENOEXEC, named)
 * while the cut is inside what the loader maps, fine after */
static void test_truncated(void **state)
{
	static const char *const words[] = { "/opt/app/bin/bad", NULL };
	char src[PATH_MAX], dst[PATH_MAX];
	size_t len, end, cut, fails = 0;
	struct elfdeps d;
	uint8_t *buf;

	snprintf(src, sizeof(src), "%s/opt/app/bin/app_rpath", S);
	snprintf(dst, sizeof(dst), "%s/opt/app/bin/bad", S);
	buf = slurp(src, &len);
	end = load_end64(buf, len);
	assert_true(end > 0 && end < len);
	elfdeps_init(&d);
	for (cut = 0; cut <= len; cut += cut < end + 64 ? 1 : 13) {
		write_file(dst, buf, cut, 0755);
		if (cut < end) {
			expect_err(&d, S, "/opt/app/bin/bad", -ENOEXEC, words);
			fails++;
		} else {
			add_ok(&d, S, "/opt/app/bin/bad");
			assert_int_equal(d.n, 8);
			elfdeps_free(&d);
			elfdeps_init(&d);
		}
	}
	assert_int_equal(fails, end);
	elfdeps_free(&d);
	unlink(dst);
	free(buf);
}

/* A damaged library found in the search path stops the search (as it
 * stops ld.so), and the message says who needed it */
static void test_truncated_library(void **state)
{
	static const char *const words[] = {
		"/opt/app/lib/libbaz.so.1", "needed by /opt/app/lib/libfoo.so.1", NULL };
	char path[PATH_MAX], keep[PATH_MAX];
	size_t len, cut;
	struct elfdeps d;
	uint8_t *buf;

	snprintf(path, sizeof(path), "%s/opt/app/lib/libbaz.so.1", S);
	assert_true(snprintf(keep, sizeof(keep), "%s.keep", path) < (int)sizeof(keep));
	buf = slurp(path, &len);
	assert_int_equal(rename(path, keep), 0);
	elfdeps_init(&d);
	for (cut = 0; cut < load_end64(buf, len); cut += 97) {
		write_file(path, buf, cut, 0755);
		expect_err(&d, S, "/opt/app/bin/app_rpath", -ENOEXEC, words);
	}
	assert_int_equal(rename(keep, path), 0);
	add_ok(&d, S, "/opt/app/bin/app_rpath");
	elfdeps_free(&d);
	free(buf);
}

/* Every byte of the headers, the dynamic section and the string table of
 * a compiled program set to values that break things: an error or a
 * (different) closure, never a crash (ASan and UBSan watch) */
static void test_corrupted_bytes(void **state)
{
	static const uint8_t vals[] = { 0x00, 0xff, 0x7f, 0x80, 0x01, 0x40 };
	char src[PATH_MAX], dst[PATH_MAX];
	size_t len, off, v, n = 0, counts[3] = { 0 };
	uint8_t *buf, *copy;
	Elf64_Ehdr h;
	Elf64_Phdr dyn = { 0 };
	struct elfdeps d;
	size_t i, regions[3][2];
	uint32_t seed = 12345;

	snprintf(src, sizeof(src), "%s/opt/app/bin/app_rpath", S);
	snprintf(dst, sizeof(dst), "%s/opt/app/bin/bad", S);
	buf = slurp(src, &len);
	copy = malloc(len);
	assert_non_null(copy);
	memcpy(&h, buf, sizeof(h));
	for (i = 0; i < h.e_phnum; i++) {
		Elf64_Phdr p;

		memcpy(&p, buf + h.e_phoff + i * sizeof(p), sizeof(p));
		if (p.p_type == PT_DYNAMIC)
			dyn = p;
	}
	assert_true(dyn.p_filesz > 0);
	regions[0][0] = 0;
	regions[0][1] = h.e_phoff + (size_t)h.e_phnum * sizeof(Elf64_Phdr);
	regions[1][0] = dyn.p_offset;
	regions[1][1] = dyn.p_offset + dyn.p_filesz;
	{	/* the string table: DT_STRTAB is a vaddr == offset in the
		 * first PT_LOAD of a PIE */
		Elf64_Dyn e;

		regions[2][0] = regions[2][1] = 0;
		for (off = dyn.p_offset; off < dyn.p_offset + dyn.p_filesz; off += sizeof(e)) {
			memcpy(&e, buf + off, sizeof(e));
			if (e.d_tag == DT_STRTAB)
				regions[2][0] = e.d_un.d_ptr;
			if (e.d_tag == DT_STRSZ)
				regions[2][1] = e.d_un.d_val;
		}
		assert_true(regions[2][0] > 0 && regions[2][1] > 0);
		regions[2][1] += regions[2][0];
	}

	elfdeps_init(&d);
	for (i = 0; i < 3; i++) {
		for (off = regions[i][0]; off < regions[i][1]; off++) {
			for (v = 0; v < sizeof(vals); v++) {
				int r;

				memcpy(copy, buf, len);
				copy[off] = (uint8_t)(vals[v] == 0x01 ? buf[off] ^ 1 : vals[v]);
				write_file(dst, copy, len, 0755);
				r = elfdeps_add(&d, S, "/opt/app/bin/bad");
				if (r != 0 && r != -ENOEXEC && r != -ENOENT)
					fail_msg("byte 0x%zx = 0x%02x: %d (%s)", off, copy[off],
						 r, d.err);
				if (r)
					assert_true(d.err[0] != '\0');
				counts[r == 0 ? 0 : r == -ENOEXEC ? 1 : 2]++;
				elfdeps_free(&d);
				elfdeps_init(&d);
				n++;
			}
		}
	}
	/* and random bytes at random places, several at a time */
	for (i = 0; i < 3000; i++) {
		int k, r;

		memcpy(copy, buf, len);
		for (k = 0; k < 1 + (int)(i % 4); k++) {
			size_t reg;

			seed = seed * 1103515245 + 12345;
			reg = (seed >> 16) % 3;
			seed = seed * 1103515245 + 12345;
			off = regions[reg][0] + (seed >> 8) % (regions[reg][1] - regions[reg][0]);
			seed = seed * 1103515245 + 12345;
			copy[off] = (uint8_t)(seed >> 16);
		}
		write_file(dst, copy, len, 0755);
		r = elfdeps_add(&d, S, "/opt/app/bin/bad");
		if (r != 0 && r != -ENOEXEC && r != -ENOENT)
			fail_msg("random #%zu: %d (%s)", i, r, d.err);
		counts[r == 0 ? 0 : r == -ENOEXEC ? 1 : 2]++;
		elfdeps_free(&d);
		elfdeps_init(&d);
	}
	print_message("(%zu single-byte variants + 3000 random: %zu ok, %zu ENOEXEC, "
		      "%zu ENOENT)\n", n, counts[0], counts[1], counts[2]);
	assert_true(counts[1] > 0 && counts[2] > 0);
	elfdeps_free(&d);
	unlink(dst);
	free(copy);
	free(buf);
}

/* Hand-made damage, one field at a time, each with its own message */
struct damage {
	const char *what;	/* in the message */
	void (*apply)(uint8_t *buf, const struct layout *L, size_t *len);
};

static void dmg_class(uint8_t *b, const struct layout *L, size_t *len) { b[EI_CLASS] = 3; }
static void dmg_data(uint8_t *b, const struct layout *L, size_t *len) { b[EI_DATA] = ELFDATA2MSB; }
static void dmg_version(uint8_t *b, const struct layout *L, size_t *len) { b[EI_VERSION] = 9; }
static void dmg_type(uint8_t *b, const struct layout *L, size_t *len)
{
	put16(b + offsetof(Elf64_Ehdr, e_type), ET_REL);
}
static void dmg_phoff(uint8_t *b, const struct layout *L, size_t *len)
{
	put64(b + offsetof(Elf64_Ehdr, e_phoff), 1u << 30);
}
static void dmg_phoff_wrap(uint8_t *b, const struct layout *L, size_t *len)
{
	put64(b + offsetof(Elf64_Ehdr, e_phoff), UINT64_MAX - 8);
}
static void dmg_phnum(uint8_t *b, const struct layout *L, size_t *len)
{
	put16(b + offsetof(Elf64_Ehdr, e_phnum), 1000);
}
static void dmg_phnum0(uint8_t *b, const struct layout *L, size_t *len)
{
	put16(b + offsetof(Elf64_Ehdr, e_phnum), 0);
}
static void dmg_xnum(uint8_t *b, const struct layout *L, size_t *len)
{
	put16(b + offsetof(Elf64_Ehdr, e_phnum), PN_XNUM);
}
static void dmg_phentsize(uint8_t *b, const struct layout *L, size_t *len)
{
	put16(b + offsetof(Elf64_Ehdr, e_phentsize), 55);
}
static uint8_t *ph(uint8_t *b, const struct layout *L, int i, size_t field)
{
	return b + L->phoff + (size_t)i * sizeof(Elf64_Phdr) + field;
}
static void dmg_load(uint8_t *b, const struct layout *L, size_t *len)
{
	put64(ph(b, L, 0, offsetof(Elf64_Phdr, p_filesz)), L->size + 1);
}
static void dmg_load_wrap(uint8_t *b, const struct layout *L, size_t *len)
{
	put64(ph(b, L, 0, offsetof(Elf64_Phdr, p_offset)), UINT64_MAX - 4);
}
static void dmg_interp_nul(uint8_t *b, const struct layout *L, size_t *len)
{
	uint64_t n;

	memcpy(&n, ph(b, L, 1, offsetof(Elf64_Phdr, p_filesz)), sizeof(n));
	b[L->interp + n - 1] = 'x';
}
static void dmg_interp_big(uint8_t *b, const struct layout *L, size_t *len)
{
	put64(ph(b, L, 1, offsetof(Elf64_Phdr, p_filesz)), 1u << 20);
}
static void dmg_interp_off(uint8_t *b, const struct layout *L, size_t *len)
{
	put64(ph(b, L, 1, offsetof(Elf64_Phdr, p_offset)), L->size - 1);
}
static void dmg_dyn_off(uint8_t *b, const struct layout *L, size_t *len)
{
	put64(ph(b, L, 2, offsetof(Elf64_Phdr, p_offset)), L->size);
}
static void dmg_dyn_big(uint8_t *b, const struct layout *L, size_t *len)
{
	put64(ph(b, L, 2, offsetof(Elf64_Phdr, p_filesz)), UINT64_MAX);
}
/* the dynamic entry with @tag */
static uint8_t *dent(uint8_t *b, const struct layout *L, int64_t tag)
{
	size_t i;

	for (i = 0; i < L->ndyn; i++) {
		Elf64_Dyn e;

		memcpy(&e, b + L->dyn + i * sizeof(e), sizeof(e));
		if (e.d_tag == tag)
			return b + L->dyn + i * sizeof(e);
	}
	fail_msg("no dynamic tag %lld", (long long)tag);
	return NULL;
}
static void dmg_strtab(uint8_t *b, const struct layout *L, size_t *len)
{
	put64(dent(b, L, DT_STRTAB) + 8, CRAFT_BASE + L->size + 100);
}
static void dmg_strtab_low(uint8_t *b, const struct layout *L, size_t *len)
{
	put64(dent(b, L, DT_STRTAB) + 8, CRAFT_BASE - 1);
}
static void dmg_no_strtab(uint8_t *b, const struct layout *L, size_t *len)
{
	put64(dent(b, L, DT_STRTAB), DT_DEBUG);
}
static void dmg_strsz(uint8_t *b, const struct layout *L, size_t *len)
{
	put64(dent(b, L, DT_STRSZ) + 8, L->size);
}
static void dmg_needed_off(uint8_t *b, const struct layout *L, size_t *len)
{
	put64(dent(b, L, DT_NEEDED) + 8, L->strsz);
}
static void dmg_needed_huge(uint8_t *b, const struct layout *L, size_t *len)
{
	put64(dent(b, L, DT_NEEDED) + 8, UINT64_MAX);
}
static void dmg_needed_empty(uint8_t *b, const struct layout *L, size_t *len)
{
	put64(dent(b, L, DT_NEEDED) + 8, 0);
}
static void dmg_unterminated(uint8_t *b, const struct layout *L, size_t *len)
{
	/* the table ends one byte early: its last string has no NUL */
	put64(dent(b, L, DT_STRSZ) + 8, L->strsz - 1);
}
static void dmg_runpath(uint8_t *b, const struct layout *L, size_t *len)
{
	put64(dent(b, L, DT_RUNPATH) + 8, L->strsz + 5);
}
static void dmg_short(uint8_t *b, const struct layout *L, size_t *len) { *len = 40; }
static void dmg_magic(uint8_t *b, const struct layout *L, size_t *len) { b[1] = 'e'; }

static void test_damaged_fields(void **state)
{
	static const struct damage dmg[] = {
		{ "invalid ELF class", dmg_class },
		{ "byte order", dmg_data },
		{ "ELF version", dmg_version },
		{ "neither an executable nor a shared object", dmg_type },
		{ "program headers at 0x40000000 run past", dmg_phoff },
		{ "run past the end", dmg_phoff_wrap },
		{ "1000 program headers", dmg_phnum },
		{ "no program headers", dmg_phnum0 },
		{ "extended program header", dmg_xnum },
		{ "program header size 55", dmg_phentsize },
		{ "PT_LOAD segment #0", dmg_load },
		{ "PT_LOAD segment #0", dmg_load_wrap },
		{ "PT_INTERP is not a NUL-terminated path", dmg_interp_nul },
		{ "PT_INTERP", dmg_interp_big },
		{ "PT_INTERP", dmg_interp_off },
		{ "PT_DYNAMIC", dmg_dyn_off },
		{ "PT_DYNAMIC", dmg_dyn_big },
		{ "outside every PT_LOAD", dmg_strtab },
		{ "outside every PT_LOAD", dmg_strtab_low },
		{ "no DT_STRTAB", dmg_no_strtab },
		{ "DT_STRSZ", dmg_strsz },
		{ "DT_NEEDED #0", dmg_needed_off },
		{ "DT_NEEDED #0", dmg_needed_huge },
		{ "DT_NEEDED #0", dmg_needed_empty },
		{ "DT_RUNPATH", dmg_unterminated },
		{ "DT_RUNPATH", dmg_runpath },
		{ "truncated ELF header", dmg_short },
		{ "not an ELF file", dmg_magic },
	};
	struct craft cf = { .cls = ELFCLASS64, .machine = EM_X86_64, .type = ET_EXEC,
			    .interp = "/lib64/ld-linux-x86-64.so.2",
			    .needed = { "libbaz.so.1" }, .runpath = "/opt/app/lib" };
	char path[PATH_MAX];
	uint8_t buf[CRAFT_MAX];
	struct layout L;
	struct elfdeps d;
	size_t i, len;

	snprintf(path, sizeof(path), "%s/opt/crafted/prog", S);
	/* the undamaged file works: the damage is what each case tests */
	len = craft(&cf, buf, &L);
	write_file(path, buf, len, 0755);
	elfdeps_init(&d);
	add_ok(&d, S, "/opt/crafted/prog");
	expect_list(&d, (const char *const[]){
		"/opt/crafted/prog", LD64, LDREAL, "/opt/app/lib/libbaz.so.1", LIBC, NULL });
	elfdeps_free(&d);

	for (i = 0; i < sizeof(dmg) / sizeof(dmg[0]); i++) {
		const char *words[] = { "/opt/crafted/prog: ", dmg[i].what, NULL };

		len = craft(&cf, buf, &L);
		dmg[i].apply(buf, &L, &len);
		write_file(path, buf, len, 0755);
		elfdeps_init(&d);
		print_message("(damage #%zu: %s)\n", i, dmg[i].what);
		expect_err(&d, S, "/opt/crafted/prog", -ENOEXEC, words);
		elfdeps_free(&d);
	}
}

/* The ELF32 reader: a whole hand-made 32-bit program cut everywhere,
 * and damage in its 32-bit fields */
static void test_damaged_elf32(void **state)
{
	static const char *const words[] = { "/opt/x32/bad: ", NULL };
	struct craft cf = { .cls = ELFCLASS32, .machine = EM_386, .type = ET_EXEC,
			    .interp = "/lib/ld-linux.so.2", .needed = { "libc32.so.1" },
			    .runpath = "/usr/lib32" };
	struct craft ld = { .cls = ELFCLASS32, .machine = EM_386, .type = ET_DYN,
			    .soname = "ld-linux.so.2" };
	char path[PATH_MAX];
	uint8_t buf[CRAFT_MAX], copy[CRAFT_MAX];
	struct layout L;
	struct elfdeps d;
	size_t len, cut;

	craft_to("/usr/lib/ld-linux.so.2", &ld);
	craft_to("/usr/lib32/libc32.so.1", &ld);
	snprintf(path, sizeof(path), "%s/opt/x32/bad", S);
	len = craft(&cf, buf, &L);
	write_file(path, buf, len, 0755);
	elfdeps_init(&d);
	add_ok(&d, S, "/opt/x32/bad");
	assert_int_equal(d.n, 3);
	elfdeps_free(&d);

	elfdeps_init(&d);
	for (cut = 0; cut < len; cut++) {
		write_file(path, buf, cut, 0755);
		expect_err(&d, S, "/opt/x32/bad", -ENOEXEC, words);
	}
	memcpy(copy, buf, len);
	put32(copy + offsetof(Elf32_Ehdr, e_phoff), 0xfffffff0u);
	write_file(path, copy, len, 0755);
	expect_err(&d, S, "/opt/x32/bad", -ENOEXEC, words);
	memcpy(copy, buf, len);
	put32(copy + L.dyn + 4, (uint32_t)L.strsz);	/* the DT_NEEDED offset */
	write_file(path, copy, len, 0755);
	expect_err(&d, S, "/opt/x32/bad", -ENOEXEC, words);
	memcpy(copy, buf, len);
	put32(copy + L.phoff + 2 * sizeof(Elf32_Phdr) + offsetof(Elf32_Phdr, p_filesz),
	      0xffffffffu);
	write_file(path, copy, len, 0755);
	expect_err(&d, S, "/opt/x32/bad", -ENOEXEC, words);
	elfdeps_free(&d);
}

/* ---- the helper -------------------------------------------------------- */

static void test_is_symlink(void **state)
{
	char path[PATH_MAX], target[PATH_MAX], small[4];

	snprintf(path, sizeof(path), "%s/link", T);
	assert_int_equal(symlink("some/where", path), 0);
	assert_int_equal(elfdeps_is_symlink(path, target, sizeof(target)), 1);
	assert_string_equal(target, "some/where");
	assert_int_equal(elfdeps_is_symlink(path, small, sizeof(small)), -ENAMETOOLONG);
	snprintf(path, sizeof(path), "%s/hello.sh", T);
	write_file(path, "#!/bin/sh\n", 10, 0755);
	assert_int_equal(elfdeps_is_symlink(path, target, sizeof(target)), 0);
	assert_int_equal(elfdeps_is_symlink("/no/such", target, sizeof(target)), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ldd_e2fsck),
		cmocka_unit_test(test_ldd_ls),
		cmocka_unit_test(test_ldd_ssh_keygen),
		cmocka_unit_test(test_interp_symlink),
		cmocka_unit_test(test_two_programs),
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_script),
		cmocka_unit_test(test_script_forms),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_rpath),
		cmocka_unit_test(test_rpath_from_loader),
		cmocka_unit_test(test_rpath_ignored_with_runpath),
		cmocka_unit_test(test_interp_needs),
		cmocka_unit_test(test_runpath_not_inherited),
		cmocka_unit_test(test_runpath),
		cmocka_unit_test(test_origin_through_symlink),
		cmocka_unit_test(test_dst),
		cmocka_unit_test(test_cycle),
		cmocka_unit_test(test_root_confinement),
		cmocka_unit_test(test_conf_and_paths),
		cmocka_unit_test(test_nodeflib),
		cmocka_unit_test(test_missing_library),
		cmocka_unit_test(test_missing_interpreter),
		cmocka_unit_test(test_shadow_32bit),
		cmocka_unit_test(test_elf32),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_truncated_library),
		cmocka_unit_test(test_corrupted_bytes),
		cmocka_unit_test(test_damaged_fields),
		cmocka_unit_test(test_damaged_elf32),
		cmocka_unit_test(test_is_symlink),
	};

	return cmocka_run_group_tests_name("elfdeps", tests, group_setup, group_teardown);
}
