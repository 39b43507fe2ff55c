/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>
#include <linux/elsewhere_types.h>

struct ew_req {
	__u32 argsz;
	__u32 flags;
	struct ew_range range;
};
