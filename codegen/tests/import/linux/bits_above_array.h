/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _UAPI_LINUX_BITS_ABOVE_ARRAY_H
#define _UAPI_LINUX_BITS_ABOVE_ARRAY_H

#include <linux/types.h>

/* linux/vmclock-abi.h has bit defines above an array: they are no flag set of it. */
struct baa_req {
	__u32 status;
#define BAA_FLAG_A (1 << 0)
#define BAA_FLAG_B (1 << 1)
	__u8 pad[2];
	__u16 count;
};

/* vfio.h writes a `flags` member and then its bits: they are its set, above whatever follows. */
struct baa_flags {
	__u32 flags;
#define BAA_FLAGS_READ (1 << 0)
#define BAA_FLAGS_WRITE (1 << 1)
	__u8 pad[4];
};

#endif
