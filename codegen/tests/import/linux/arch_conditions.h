/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _LINUX_ARCH_CONDITIONS_H
#define _LINUX_ARCH_CONDITIONS_H

#include <linux/types.h>

#if defined(__s390x__)
#define AC_VALUE 6
#else
#define AC_VALUE 4
#endif

#ifdef __i386__
#define AC_I386_ONLY 1
#endif

struct ac_times {
	__u64 id;
#if __BITS_PER_LONG == 64
	long stime;
#else
	unsigned long stime;
	unsigned long stime_high;
#endif
	unsigned long count;
#ifndef __x86_64__
	__u32 pad;
#endif
};

/* x86's asm/ptrace-abi.h: a condition inside a branch that every target answers alike. */
#ifdef __i386__
#define AC_FRAME 17
#else
#if defined(__ASSEMBLER__) || defined(AC_OFFSETS)
#define AC_R15 0
#endif
#ifndef __ASSEMBLER__
#define AC_RIP 128
#endif
#define AC_FRAME 168
#endif

/* Declared once per branch, as x86's asm/ptrace.h declares `struct pt_regs`. */
#ifdef __i386__
struct ac_regs {
	long bx;
	int ds;
};
#else
struct ac_regs {
	unsigned long r15;
	unsigned long bx;
/* Nested, as x86's asm/sigcontext.h's `__fpstate_pad`: under both conditions. */
#ifdef __ILP32__
	__u32 pad32;
#endif
};
#endif

/* Declared in one branch only, as x86's asm/stat.h's `struct stat64` (a define beside it). */
#ifdef __i386__
#define AC_STAT64_BROKEN 1
struct ac_stat64 {
	unsigned long long dev;
	unsigned long ino;
};
#else
struct ac_stat_wide {
	unsigned long ino;
};
#endif

/* asm-generic/stat.h's test: `__ARCH_WANT_STAT64` is no uAPI header's. */
#if __BITS_PER_LONG != 64 || defined(__ARCH_WANT_STAT64)
struct ac_stat32 {
	int mtime;
};
#endif

#endif /* _LINUX_ARCH_CONDITIONS_H */
