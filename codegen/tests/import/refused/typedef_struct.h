/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>

typedef struct {
	__u32 lo;
	__u32 hi;
} ts_pair;

struct ts_req {
	__u32 argsz;
	ts_pair pair;
};
