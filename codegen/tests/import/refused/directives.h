/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>

#define DI_FLAG 1
#undef DI_FLAG
#define DI_TWICE(x) ((x) * 2)
#define DI_FOUR DI_TWICE(2)
#undef DI_TWICE

enum di_small {
	DI_SMALL_A = 1,
} __attribute__((aligned(8)));
