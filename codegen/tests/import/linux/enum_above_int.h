/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>

enum ea_wide {
	EA_WIDE_A = 1,
	EA_WIDE_B = 0x100000000ULL,
	EA_WIDE_C = 2,
};
