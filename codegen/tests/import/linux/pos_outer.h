/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* Includes a header below the constant it needs, as linux/if.h includes <linux/hdlc/ioctl.h>
 * below IFNAMSIZ. */
#ifndef _LINUX_POS_OUTER_H
#define _LINUX_POS_OUTER_H
#include <linux/types.h>

#define POS_NAMSIZ	16
#define POS_ALIASZ	256
#include <linux/pos_inner.h>

struct pos_req {
	char name[POS_NAMSIZ];
	struct pos_settings settings;
};

#endif
