/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>

enum ev_wide {
	EV_WIDE_ZERO = 0,
	EV_WIDE_ALL = /* every bit */ 0xffffffffffffffffULL,
	EV_WIDE_TOP = 0x8000000000000000ULL,
	EV_WIDE_MAX = 0x7fffffffffffffffULL,
};

enum ev_signed {
	EV_SIGNED_NEG = -1,
	EV_SIGNED_POS = 1,
};

struct ev_holder {
	enum {
		EV_MEMBER_TOP = 0x8000000000000000ULL,
	} kind;
};
