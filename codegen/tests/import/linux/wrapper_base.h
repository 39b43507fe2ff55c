/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* What wrapper_like.h builds on, as a drm driver's header builds on drm/drm.h. */
#ifndef _WRAPPER_BASE_H
#define _WRAPPER_BASE_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define WB_IOCTL_BASE			'd'
#define WB_IO(nr)			_IO(WB_IOCTL_BASE,nr)
#define WB_IOR(nr,type)		_IOR(WB_IOCTL_BASE,nr,type)
#define WB_IOW(nr,type)		_IOW(WB_IOCTL_BASE,nr,type)
#define WB_IOWR(nr,type)		_IOWR(WB_IOCTL_BASE,nr,type)

#define WB_COMMAND_BASE                0x40
/* nf_conntrack_common.h's enum, whose count xt_conntrack.h's defines shift by. */
enum wb_kind {
	WB_KIND_A,
	WB_KIND_B,
	WB_KIND_NUMBER,
};
/* videodev2.h's v4l2_std_id, which v4l2-subdev.h's ioctls pass. */
typedef __u64 wb_std_id;
typedef __u32 wb_accm[8];
#define WB_SHIFTED(x)	((x) << 4)

#endif
