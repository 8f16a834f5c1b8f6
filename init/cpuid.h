/* cpuid.h - x86 CPU features asked of the CPU itself */
#ifndef INITKIT_CPUID_H
#define INITKIT_CPUID_H

/* Does the CPU report x86 feature @f (the kernel's numbering, as in
 * /sys/devices/system/cpu/modalias: word * 32 + bit) through CPUID?
 * 1 or 0; -1 if the kernel's word is not a CPUID register as it stands
 * (its own synthetic words), or not on x86.
 *
 * Only a 0 is certain: the kernel never has a feature its CPU lacks, but
 * may have turned one off (clearcpuid=, noxsave). */
int cpuid_feature(int f);

#endif
