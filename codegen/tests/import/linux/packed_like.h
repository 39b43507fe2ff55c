/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _UAPI_LINUX_PACKED_LIKE_H
#define _UAPI_LINUX_PACKED_LIKE_H

#include <linux/types.h>

/* linux/userio.h's spelling */
struct pl_cmd {
	__u8 type;
	__u8 data;
	__u32 value;
} __attribute__((__packed__));

struct pl_tstamp {
	__u32 byte_offset;
	__u64 copied_total;
	__u32 sampling_rate;
} __attribute__((packed, aligned(4)));

/* linux/cn_proc.h's attribute before the name, spaces as ebtables.h has them, hex */
struct pl_event {
	__u32 what;
	__u32 cpu;
	__u64 __attribute__((aligned(8))) timestamp_ns;
	__u8 data[8] __attribute__ ((aligned (0x10)));
	struct pl_cmd cmd;
	__u8 pad[2];
};

struct pl_wide {
	__u64 a;
	__u64 b;
} __attribute__((aligned(16)));

/* scsi/scsi_netlink.h's: written as libclang's alignof, 8 */
struct pl_netlink {
	__u8 version;
	__u8 transport;
	__u16 magic;
	__u16 msgtype;
	__u16 msglen;
} __attribute__((aligned(sizeof(__u64))));

#endif /* _UAPI_LINUX_PACKED_LIKE_H */
