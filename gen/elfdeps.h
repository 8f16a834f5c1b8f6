/* elfdeps.h - a host program's shared-library closure, found the way the
 * dynamic loader (ld.so(8)) finds it */
#ifndef INITKIT_ELFDEPS_H
#define INITKIT_ELFDEPS_H

#include <stddef.h>
#include <stdint.h>

#define ELFDEPS_ERR_MAX	1024

/*
 * The result: every name the image needs, in discovery order, no duplicates.
 *
 * paths[i] is an absolute path inside the root passed to elfdeps_add(),
 * lexically normalised (no "//", "." or ".." components); with root "/"
 * it is the host path.  It is the name the loader (or the kernel, for
 * PT_INTERP and "#!") will ask for in the image.
 *
 * links[i] is NULL when paths[i] is a regular file: copy it into the image
 * (from paths[i] when the root is "/", else from elfdeps_host_path()).
 * Otherwise paths[i] is a symlink and links[i] its readlink() target,
 * verbatim: make a symlink entry.  The name that target leads to (resolved
 * against the directory of paths[i], as the image will resolve it, since
 * the image's directories are real ones) is in paths[] too, and so on down
 * to a regular file.  So the image needs no directory symlinks: on a
 * merged-/usr host both /lib64/ld-linux-x86-64.so.2 (a symlink to
 * /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2) and that name (a regular
 * file, reached on the host through the /lib -> usr/lib directory link)
 * are listed.
 */
struct elfdeps {
	char **paths;
	char **links;		/* parallel to paths[] */
	size_t n, cap;
	char err[ELFDEPS_ERR_MAX];	/* why the last call failed */

	/* private: the architecture of the first program added */
	unsigned char elf_class;	/* ELFCLASS32/64; 0 until then */
	uint16_t elf_machine;
	char *first;
};

void elfdeps_init(struct elfdeps *d);
void elfdeps_free(struct elfdeps *d);

/*
 * Add @path (absolute, inside @root), the symlinks its last component goes
 * through, its ELF interpreter (PT_INTERP) and every DT_NEEDED library,
 * recursively and cycle-safe, looked up as ld.so does; a "#!" script adds
 * itself and its interpreter's closure.  @root prefixes every lookup and
 * confines symlinks like chroot(2) would ("/" or NULL: the host).
 *
 * Returns 0, or -errno with d->err naming the file and the problem:
 *   -ENOENT   @path, its interpreter or a needed library is missing (the
 *             message names the library and the object that needs it);
 *   -ENOEXEC  not an ELF file or script, a damaged ELF file, or one whose
 *             class or machine differs from the first program added;
 *   -ELOOP    more than 5 "#!" scripts in a row (the kernel's limit), or a
 *             symlink loop;
 *   -EINVAL   @path is not absolute; -ENOMEM, -ENAMETOOLONG, ...
 * On failure d is left as it was before the call.
 */
int elfdeps_add(struct elfdeps *d, const char *root, const char *path);

/*
 * The host file behind @path inside @root, all symlinks followed and kept
 * inside the root as elfdeps_add() does (with root "/": realpath(3)).
 * Returns 0 or -errno (-ENOENT, -ELOOP, -ENAMETOOLONG, ...).
 */
int elfdeps_host_path(const char *root, const char *path, char *out, size_t size);

/*
 * Is @path (a host path) a symlink?  1 with its readlink() target in
 * @target, 0 if not, -errno on error (-ENAMETOOLONG if @size is too small).
 */
int elfdeps_is_symlink(const char *path, char *target, size_t size);

#endif
