/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _UAPI_IOCTL_NUMBERS_H
#define _UAPI_IOCTL_NUMBERS_H
#include <linux/types.h>
#include <linux/ioctl.h>

struct ioctl_numbers_odd {
	__u32 a;
	__u64 b;
};

#define IOCTL_NUMBERS_GET _IOR('N', 1, struct ioctl_numbers_odd)
#define IOCTL_NUMBERS_RUN _IO('N', 2)
#define IOCTL_NUMBERS_GET_MASK (IOCTL_NUMBERS_GET | 1)

#endif
