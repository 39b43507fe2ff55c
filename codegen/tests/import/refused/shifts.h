/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>

#define SH_PAST_64	(1ULL << 64)
#define SH_SIGN_31	(1 << 31)
#define SH_SIGN_63	(1LL << 63)
#define SH_LONG_40	(1UL << 40)
#define SH_NEGATIVE	(1 << -1)
#define SH_TOO_BIG	0xffffffffffffffff
#define SH_FINE_63	(1ULL << 63)
#define SH_FINE_31	(1U << 31)
