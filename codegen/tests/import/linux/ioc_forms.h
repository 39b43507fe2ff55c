/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _LINUX_IOC_FORMS_H
#define _LINUX_IOC_FORMS_H

#include <linux/types.h>
#include <linux/ioctl.h>

struct ioc_arg {
	__u32 a;
	__u32 b;
};

#define IOC_BIND	_IOC(_IOC_NONE, 'X', 1, sizeof(struct ioc_arg))
#define IOC_RESET	_IOC(_IOC_READ | _IOC_WRITE, 'X', 2, 0)
#define IOC_HANDLE	_IOR('X', 3, struct ioc_opaque*)

/* genwqe_card.h's ioctl of a tagged enum's value. */
enum ioc_state {
	IOC_UNUSED,
	IOC_USED,
};
#define IOC_GET_STATE	_IOR('X', 4, enum ioc_state)

#endif /* _LINUX_IOC_FORMS_H */
