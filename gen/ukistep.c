/* ukistep.c - --uki OUT.efi: the image just built, in a unified kernel
 * image (ukistep.h).  The sections, in the order systemd's ukify writes
 * them: .osrel, .cmdline, .uname, .splash, .initrd, and .linux last. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "common.h"
#include "genutil.h"
#include "output.h"
#include "regfile.h"
#include "runprog.h"
#include "uki.h"
#include "ukistep.h"

#define STUB_MAX	(16u << 20)
#define KERNEL_MAX	(512u << 20)
#define OSREL_MAX	(64u << 10)
#define SPLASH_MAX	(32u << 20)
#define SBSIGN_MS	120000
#define SBSIGN_OUT_MAX	(64u << 10)

static const char *const sbsign_paths[] = { "/usr/bin/sbsign", "/usr/local/bin/sbsign" };

/* Check that @path (given as @opt) is a regular file we can read; else
 * die naming it and saying what to do (@hint). */
static void check_input(const char *opt, const char *path, const char *hint)
{
	struct stat st;
	int fd = open_regular(path, 0, &st);

	if (fd >= 0) {
		close(fd);
		return;
	}
	if (fd == -EISDIR || fd == -EINVAL)
		die("%s %s: %s, not a regular file; %s", opt, path, file_kind(st.st_mode), hint);
	die("%s %s: %s; %s", opt, path, strerror(-fd), hint);
}

static const char *find_sbsign(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sbsign_paths); i++)
		if (access(sbsign_paths[i], X_OK) == 0)
			return sbsign_paths[i];
	return NULL;
}

void uki_check(struct opts *o)
{
	static char kernel[PATH_MAX];
	char err[PATH_MAX + 256];

	if (o->format_image)
		usage_error("--uki goes with --format cpio: the UKI's initrd is the cpio image");
	if (!!o->sign_key != !!o->sign_cert)
		usage_error("%s: signing needs both --sign-key KEY and --sign-cert CERT",
			    o->sign_key ? "--sign-key without --sign-cert" :
			    "--sign-cert without --sign-key");
	if (output_check(o->uki, o->out.backup, err, sizeof(err)))
		die("--uki %s", err);
	if (!o->stub)
		o->stub = UKI_STUB_DEFAULT;
	check_input("--stub", o->stub, o->stub == (const char *)UKI_STUB_DEFAULT ?
		    "install systemd-boot-efi (Debian's EFI stub), or name one with --stub" :
		    "name systemd's EFI stub, linuxx64.efi.stub");
	if (!o->kernel) {
		pathf(kernel, sizeof(kernel), "%s%sboot/vmlinuz-%s", o->basedir,
		      o->basedir[strlen(o->basedir) - 1] == '/' ? "" : "/", o->kver);
		o->kernel = kernel;
	}
	check_input("--kernel", o->kernel, "install that kernel, or name its image with "
		    "--kernel PATH");
	if (!o->os_release) {
		o->os_release = is_file("/etc/os-release") ? "/etc/os-release" :
				"/usr/lib/os-release";
	}
	check_input("--os-release", o->os_release, "name an os-release file (see "
		    "os-release(5)) with --os-release FILE");
	if (o->splash)
		check_input("--splash", o->splash, "name a BMP image");
	if (o->sign_key) {
		check_input("--sign-key", o->sign_key, "name the PEM private key to sign with");
		check_input("--sign-cert", o->sign_cert, "name the PEM certificate of that key");
		if (!find_sbsign())
			die("--sign-key: no sbsign in /usr/bin: install sbsigntool");
	}
}

/* The whole of @path (@opt's file) into *@buf; die with a clear message. */
static void slurp(const char *opt, const char *path, size_t max, char **buf, size_t *len)
{
	int r = read_file_max(path, max, buf, len);

	if (r == -EFBIG)
		die("%s %s: over %zu MiB; is it the right file?", opt, path, max >> 20);
	if (r == -EISDIR || r == -EINVAL || r == -ELOOP)
		die("%s %s: not a regular file", opt, path);
	if (r)
		die("%s %s: cannot read it: %s", opt, path, strerror(-r));
}

/* Sign @data with sbsign into a malloc'd buffer.  sbsign reads and writes
 * files: they go to a private directory of ours, removed after. */
static void sign(const struct opts *o, const void *data, size_t len, void **out,
		 size_t *outlen)
{
	char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL };
	char dirbuf[PATH_MAX], in[PATH_MAX + 16], signed_path[PATH_MAX + 16], *buf, *p;
	const char *tmpdir = getenv("TMPDIR"), *sbsign = find_sbsign();
	struct runprog_result res;
	size_t n;
	int fd, r;

	if (!tmpdir || *tmpdir != '/' || strlen(tmpdir) + 24 >= sizeof(dirbuf))
		tmpdir = "/tmp";
	snprintf(dirbuf, sizeof(dirbuf), "%s/initkit-uki.XXXXXX", tmpdir);
	if (!mkdtemp(dirbuf))
		die("--sign-key: cannot make a temporary directory %s (TMPDIR): %s", dirbuf,
		    strerror(errno));
	snprintf(in, sizeof(in), "%s/unsigned.efi", dirbuf);
	snprintf(signed_path, sizeof(signed_path), "%s/signed.efi", dirbuf);
	fd = open(in, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	r = fd < 0 ? -errno : 0;
	for (n = 0; !r && n < len;) {
		ssize_t w = write(fd, (const char *)data + n, len - n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			r = -errno;
		else
			n += (size_t)w;
	}
	if (fd >= 0 && close(fd) < 0 && !r)
		r = -errno;
	if (!r) {
		char *const argv[] = { "sbsign", "--key", (char *)o->sign_key, "--cert",
				       (char *)o->sign_cert, "--output", signed_path, in, NULL };

		r = runprog_capture(sbsign, argv, envp, SBSIGN_MS, SBSIGN_OUT_MAX, &res);
		free(res.out);
		if (!r && (!WIFEXITED(res.status) || WEXITSTATUS(res.status))) {
			/* its lines as one */
			for (p = res.err; *p; p++)
				if (*p == '\n')
					*p = p[1] ? ' ' : '\0';
			unlink(in);
			unlink(signed_path);
			rmdir(dirbuf);
			if (strstr(res.err, "pass phrase"))
				die("--sign-key %s: the key is encrypted, and sbsign would ask for "
				    "its passphrase: give a decrypted copy (openssl pkey -in KEY "
				    "-out PLAIN.key), kept private", o->sign_key);
			die("--sign-key %s --sign-cert %s: %s failed: %s; check that the key "
			    "and the certificate are a PEM pair", o->sign_key, o->sign_cert,
			    sbsign, res.err[0] ? res.err : "no message");
		}
	}
	if (!r)
		r = read_file_max(signed_path, KERNEL_MAX + STUB_MAX + (64u << 20), &buf, &n);
	unlink(in);
	unlink(signed_path);
	rmdir(dirbuf);
	if (r)
		die("--sign-key: signing in %s: %s", dirbuf, strerror(-r));
	*out = buf;
	*outlen = n;
}

void *uki_make(const struct opts *o, const void *initrd, size_t len, size_t *ukilen)
{
	struct uki_part parts[6];
	char *stub, *kernel, *osrel, *splash = NULL, err[2048];
	size_t stublen, kernlen, osrellen, splashlen = 0, n = 0, outlen;
	void *out;
	int r;

	slurp("--stub", o->stub, STUB_MAX, &stub, &stublen);
	slurp("--kernel", o->kernel, KERNEL_MAX, &kernel, &kernlen);
	slurp("--os-release", o->os_release, OSREL_MAX, &osrel, &osrellen);
	if (kernlen < 2 || kernel[0] != 'M' || kernel[1] != 'Z')
		die("--kernel %s: not an EFI-bootable kernel image (no MZ header): name a "
		    "bzImage/vmlinuz built with CONFIG_EFI_STUB", o->kernel);
	if (o->splash) {
		slurp("--splash", o->splash, SPLASH_MAX, &splash, &splashlen);
		if (splashlen < 2 || splash[0] != 'B' || splash[1] != 'M')
			die("--splash %s: not a BMP image (the stub shows only BMP)", o->splash);
	}
	parts[n++] = (struct uki_part){ ".osrel", osrel, osrellen };
	if (o->cmdline)
		parts[n++] = (struct uki_part){ ".cmdline", o->cmdline, strlen(o->cmdline) };
	parts[n++] = (struct uki_part){ ".uname", o->kver, strlen(o->kver) };
	if (splash)
		parts[n++] = (struct uki_part){ ".splash", splash, splashlen };
	parts[n++] = (struct uki_part){ ".initrd", initrd, len };
	parts[n++] = (struct uki_part){ ".linux", kernel, kernlen };
	r = uki_build(stub, stublen, parts, n, &out, &outlen, err, sizeof(err));
	if (r)
		die("--stub %s: %s; the previous %s (if any) is untouched", o->stub, err, o->uki);
	free(stub);
	free(kernel);
	free(osrel);
	free(splash);
	if (o->sign_key) {
		void *signed_buf;
		size_t signed_len;

		sign(o, out, outlen, &signed_buf, &signed_len);
		free(out);
		out = signed_buf;
		outlen = signed_len;
	}
	if (o->out.verbose)
		msg("unified kernel image: %zu bytes (initrd %zu, kernel %zu)%s", outlen, len,
		    kernlen, o->sign_key ? ", signed" : "");
	*ukilen = outlen;
	return out;
}

void uki_save(const struct opts *o, const void *uki, size_t len)
{
	struct out_opts uo = o->out;
	char err[2048];

	uo.prefix = NULL;
	uo.prefix_len = 0;
	if (image_write_raw(uki, len, o->uki, &uo, err, sizeof(err)))
		die("--uki: %s; the previous %s (if any) is untouched", err, o->uki);
}
