/* crypttab.h - lines of /etc/crypttab (pure): shared by the generator
 * (--hostonly copies the host's lines) and the luks helper (the image's
 * and the root's crypttab) */
#ifndef INITKIT_CRYPTTAB_H
#define INITKIT_CRYPTTAB_H

/* Split @line in place into its fields: name, device, key file, options.
 * Returns how many there are (0-4); a comment or a blank line has none. */
int crypttab_fields(char *line, char *f[4]);

/* Does device field @dev name the volume with UUID @uuid (UUID=...,
 * /dev/disk/by-uuid/..., luks-UUID or the bare UUID, any case)? */
int crypttab_names_uuid(const char *dev, const char *uuid);

#endif
