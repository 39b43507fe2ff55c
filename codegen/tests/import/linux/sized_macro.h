/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _LINUX_SIZED_MACRO_H
#define _LINUX_SIZED_MACRO_H

#include <linux/types.h>

/* As linux/gfs2_ondisk.h's GFS2_DIRENT_SIZE and GFS2_MIN_DIRENT_SIZE: a macro whose body
 * takes the size of a struct below it, and a define calling it. */
#define SM_SIZE(n) ((sizeof(struct sm_d) + (n) + 7) & ~7)
#define SM_MIN (SM_SIZE(1))
#define SM_TWICE(a, b) (SM_SIZE(a) + SM_SIZE(b))
#define SM_PAIR SM_TWICE(1, 9)

struct sm_d {
	__u32 a;
	__u16 b;
	unsigned long c;
};

#endif /* _LINUX_SIZED_MACRO_H */
