/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _LINUX_SIZE_T_LIKE_H
#define _LINUX_SIZE_T_LIKE_H

#include <linux/types.h>

/* As linux/sysctl.h's __sysctl_args: `size_t` with nothing included that defines it. */
struct st_args {
	__u32 n;
	size_t len;
	size_t *lenp;
};

#endif /* _LINUX_SIZE_T_LIKE_H */
