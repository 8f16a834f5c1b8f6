/* rootspec.c - root= parsing (pure: no syscalls) */
#include <errno.h>
#include <string.h>
#include "rootspec.h"

static const struct {
	const char *prefix;
	enum root_kind kind;
} prefixes[] = {
	{ "UUID=", ROOT_UUID },
	{ "LABEL=", ROOT_LABEL },
	{ "PARTUUID=", ROOT_PARTUUID },
	{ "PARTLABEL=", ROOT_PARTLABEL },
	{ "/dev/disk/by-uuid/", ROOT_UUID },
	{ "/dev/disk/by-label/", ROOT_LABEL },
	{ "/dev/disk/by-partuuid/", ROOT_PARTUUID },
	{ "/dev/disk/by-partlabel/", ROOT_PARTLABEL },
};

const char *rootspec_kind_name(enum root_kind kind)
{
	switch (kind) {
	case ROOT_UUID: return "UUID=";
	case ROOT_LABEL: return "LABEL=";
	case ROOT_PARTUUID: return "PARTUUID=";
	case ROOT_PARTLABEL: return "PARTLABEL=";
	default: return "";
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_num(const char *s, const char *end, int base, unsigned int *out)
{
	unsigned long v = 0;

	if (s == end)
		return -EINVAL;
	for (; s < end; s++) {
		int d = hexval(*s);

		if (d < 0 || d >= base)
			return -EINVAL;
		v = v * base + d;
		if (v > 0xffffffffUL)
			return -ERANGE;
	}
	*out = (unsigned int)v;
	return 0;
}

static int copy_value(struct root_spec *rs, const char *v)
{
	size_t n = strlen(v);

	if (n == 0)
		return -EINVAL;
	if (n >= sizeof(rs->value))
		return -ENAMETOOLONG;
	memcpy(rs->value, v, n + 1);
	return 0;
}

int rootspec_parse(const char *s, struct root_spec *rs)
{
	const char *colon;
	size_t i;

	memset(rs, 0, sizeof(*rs));
	if (!s || !*s)
		return -EINVAL;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i].prefix);

		if (!strncmp(s, prefixes[i].prefix, n)) {
			rs->kind = prefixes[i].kind;
			return copy_value(rs, s + n);
		}
	}

	if (s[0] == '/') {
		if (strncmp(s, "/dev/", 5) || !s[5])
			return -EINVAL;
		rs->kind = ROOT_PATH;
		return copy_value(rs, s);
	}

	/* MAJ:MIN, decimal */
	colon = strchr(s, ':');
	if (colon) {
		if (parse_num(s, colon, 10, &rs->major) ||
		    parse_num(colon + 1, colon + 1 + strlen(colon + 1), 10, &rs->minor))
			return -EINVAL;
		rs->kind = ROOT_DEVNUM;
		return copy_value(rs, s);
	}

	/* The kernel's old hex form, e.g. 0801 = 8:1 (new_encode_dev). */
	{
		unsigned int v;

		if (!parse_num(s, s + strlen(s), 16, &v)) {
			rs->kind = ROOT_DEVNUM;
			rs->major = (v & 0xfff00) >> 8;
			rs->minor = (v & 0xff) | ((v >> 12) & 0xfff00);
			return copy_value(rs, s);
		}
	}

	/* A bare name as the kernel accepts it: root=vda1 means /dev/vda1. */
	if (strlen(s) + 5 >= sizeof(rs->value))
		return -ENAMETOOLONG;
	if (strchr(s, '=') || strchr(s, '/'))
		return -EINVAL;
	rs->kind = ROOT_PATH;
	strcpy(rs->value, "/dev/");
	strcat(rs->value, s);
	return 0;
}

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

int rootspec_id_equal(enum root_kind kind, const char *want, const char *have)
{
	if (kind == ROOT_LABEL || kind == ROOT_PARTLABEL)
		return !strcmp(want, have);
	for (; *want && *have; want++, have++)
		if (lower(*want) != lower(*have))
			return 0;
	return *want == *have;
}
