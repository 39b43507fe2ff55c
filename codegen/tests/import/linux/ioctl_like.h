/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* Import fixture: ioctl numbers as KVM, V4L2 and VFIO write them. */
#ifndef _UAPI_LINUX_IOCTL_LIKE_H
#define _UAPI_LINUX_IOCTL_LIKE_H
#include <linux/types.h>
#include <linux/ioctl.h>

#define IOCTL_LIKE_TYPE 0xAE
#define IOCTL_LIKE_BASE 100

struct ioctl_like_regs {
	__u32 flags;
	__u32 pad;
	__u64 rip;
	__u64 rsp[4];
};

#define IOCTL_LIKE_GET_REGS _IOR(IOCTL_LIKE_TYPE, 0x81, struct ioctl_like_regs)
#define IOCTL_LIKE_SET_REGS _IOW(IOCTL_LIKE_TYPE, 0x82, struct ioctl_like_regs)
#define IOCTL_LIKE_XCHG _IOWR(IOCTL_LIKE_TYPE, IOCTL_LIKE_BASE + 3, struct ioctl_like_regs)
#define IOCTL_LIKE_S_INPUT _IOWR('V', 39, int)
#define IOCTL_LIKE_G_PRIO _IOR('V', 67, __u32)
#define IOCTL_LIKE_RESET _IO(IOCTL_LIKE_TYPE, IOCTL_LIKE_BASE + 4)
#define IOCTL_LIKE_RUN _IO(IOCTL_LIKE_TYPE, 0x80)
#define IOCTL_LIKE_OLD_GET IOCTL_LIKE_GET_REGS
#define IOCTL_LIKE_LONG _IOW(IOCTL_LIKE_TYPE, 6, long)
#define IOCTL_LIKE_LATER _IOW(IOCTL_LIKE_TYPE, 7, struct ioctl_like_later)

/* A layout that differs between ABIs, and the number with it (NVME_IOCTL_SUBMIT_IO). */
struct ioctl_like_odd {
	__u32 a;
	__u64 b;
};

#define IOCTL_LIKE_SET_ODD _IOW(IOCTL_LIKE_TYPE, 9, struct ioctl_like_odd)

#endif
