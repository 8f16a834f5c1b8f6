/* cpuid.c - x86 CPU features asked of the CPU itself.
 *
 * The kernel's feature words that are CPUID output registers verbatim,
 * and have been since long before any kernel /init runs on: 0 (leaf 1
 * EDX), 1 (0x80000001 EDX), 4 (leaf 1 ECX), 6 (0x80000001 ECX), 9, 16 and
 * 18 (leaf 7.0 EBX, ECX, EDX).  The features drivers ask for (SSE4.2,
 * AES-NI, PCLMULQDQ, AVX, AVX2, SHA-NI, VAES...) live there. */
#include <stddef.h>
#include "cpuid.h"

#if defined(__x86_64__) || defined(__i386__)

static void cpuid(unsigned int leaf, unsigned int sub, unsigned int r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

int cpuid_feature(int f)
{
	static const struct {
		unsigned char word, reg;	/* reg: 0 EAX ... 3 EDX */
		unsigned int leaf;
	} words[] = {
		{ 0, 3, 1 }, { 1, 3, 0x80000001 }, { 4, 2, 1 }, { 6, 2, 0x80000001 },
		{ 9, 1, 7 }, { 16, 2, 7 }, { 18, 3, 7 },
	};
	unsigned int r[4], max;
	size_t i;

	if (f < 0)
		return -1;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (words[i].word == f / 32)
			break;
	if (i == sizeof(words) / sizeof(words[0]))
		return -1;
	/* a leaf past the CPU's last one has no features (and CPUID would
	 * answer with the last leaf's registers) */
	cpuid(words[i].leaf & 0x80000000, 0, r);
	max = r[0];
	if (words[i].leaf > max)
		return 0;
	cpuid(words[i].leaf, 0, r);
	return (r[words[i].reg] >> (f % 32)) & 1;
}

#else

int cpuid_feature(int f)
{
	(void)f;
	return -1;
}

#endif
