/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* ioctl numbers written through wrapper macros, this header's and another's. */
#ifndef _WRAPPER_LIKE_H
#define _WRAPPER_LIKE_H

#include <linux/types.h>
#include <linux/wrapper_base.h>

#define WL_CMD_GET	0x00
#define WL_CMD_SET	0x01

/* The other header's wrappers, of a union and a struct below. */
#define WL_IOCTL_GET	WB_IOWR(WB_COMMAND_BASE + WL_CMD_GET, union wl_arg)
#define WL_IOCTL_SET	WB_IOW (WB_COMMAND_BASE + WL_CMD_SET, struct wl_req)
#define WL_IOCTL_RESET	WB_IO(WB_COMMAND_BASE + 0x02)
#define WL_FLAG		WB_SHIFTED(1)

/* This header's own, its number an expression of its parameter. */
#define WL_IOR(n, t)	_IOR('W', 0x10 + (n), t)
#define WL_IOCTL_PEEK	WL_IOR(1, __u64)

/* Wrappers that forward to the other header's, pasting its name (armada_drm.h's) or calling
 * a parameter (pvr_drm.h's); the first of a struct below. */
#define WL_FWD(dir, name, str) \
	WB_##dir(WB_COMMAND_BASE + WL_CMD_##name, struct wl_##str)
#define WL_IOCTL_FWD	WL_FWD(IOR, GET, req)
#define WL_CALL(_ioctl, _mode, _data) _mode(WB_COMMAND_BASE + (_ioctl), union wl_##_data)

/* Forms the schema cannot write. */
#define WL_ABS(a)	_IOR('W', 0x40 + (a), struct wl_req)
#define WL_PASTE(dir, n)	_IO##dir('W', n)
#define WL_IOCTL_PASTED	WL_PASTE(, 3)

struct wl_req {
	__u32 a;
	__u32 b;
};

union wl_arg {
	__u32 in;
	__u64 out;
};

#define WL_IOCTL_POKE	WL_IOR(2, struct wl_req)
#define WL_IOCTL_CALL	WL_CALL(0x05, WB_IOWR, arg)
#define WL_IOCTL_STD	_IOR('W', 0x20, wb_std_id)
#define WL_IOCTL_ACCM	_IOR('W', 0x21, wb_accm)
#define WL_IOCTL_LAST	_IOC_NR(WL_IOCTL_ACCM)
#define WL_KIND_DNAT	(1 << (WB_KIND_NUMBER + 2))

#endif
