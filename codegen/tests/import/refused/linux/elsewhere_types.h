/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _EW_TYPES_H
#define _EW_TYPES_H
struct ew_range {
	__u64 start;
	__u64 len;
};
#endif
