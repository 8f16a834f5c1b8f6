/* crypttab.c - lines of /etc/crypttab (see crypttab.h) */
#include <string.h>
#include "crypttab.h"

int crypttab_fields(char *line, char *f[4])
{
	char *p = line;
	int n;

	for (n = 0; n < 4; n++) {
		p += strspn(p, " \t");
		if (!*p || *p == '#')
			break;
		f[n] = p;
		p += strcspn(p, " \t");
		if (*p)
			*p++ = '\0';
	}
	return n;
}

int crypttab_names_uuid(const char *dev, const char *uuid)
{
	if (!strncasecmp(dev, "UUID=", 5))
		dev += 5;
	else if (!strncmp(dev, "/dev/disk/by-uuid/", 18))
		dev += 18;
	else if (!strncasecmp(dev, "luks-", 5))
		dev += 5;
	return !strcasecmp(dev, uuid);
}
