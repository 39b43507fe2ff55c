/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _LINUX_ARCH_TYPES_H
#define _LINUX_ARCH_TYPES_H

#include <linux/types.h>

/* As x86's asm/sigcontext.h: a name for one struct's tag on i686 and another's elsewhere, and
 * a member declared once with it, whose type is each target's struct. */
struct at_state_32 {
	__u32 cw;
	__u32 space[20];
};

struct at_state_64 {
	__u16 cwd;
	__u16 swd;
	__u32 space[32];
};

#ifdef __i386__
# define at_state at_state_32
#else
# define at_state at_state_64
#endif

struct at_x {
	struct at_state state;
	__u32 magic;
	struct at_state *next;
};

#endif /* _LINUX_ARCH_TYPES_H */
