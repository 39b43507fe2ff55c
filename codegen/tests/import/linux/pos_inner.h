/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* Uses a constant of the header that includes it, as linux/hdlc/ioctl.h uses linux/if.h's
 * IFNAMSIZ. */
#ifndef _LINUX_POS_INNER_H
#define _LINUX_POS_INNER_H

struct pos_settings {
	char name[POS_NAMSIZ];
	__u32 mode;
};

#endif
