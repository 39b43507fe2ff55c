/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>

#ifdef __x86_64__
enum ept_x86_only {
	EPT_A = 1,
};
#endif
