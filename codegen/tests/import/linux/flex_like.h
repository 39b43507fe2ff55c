/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _UAPI_LINUX_FLEX_LIKE_H
#define _UAPI_LINUX_FLEX_LIKE_H

#include <linux/types.h>

/**
 * struct flex_like_irq_set - VFIO_DEVICE_SET_IRQS, as linux/vfio.h writes it
 * @argsz: size of the struct and its data
 * @flags: what data holds
 * @index: the IRQ index
 * @start: the first vector
 * @count: how many vectors
 * @data: count elements
 */
struct flex_like_irq_set {
	__u32	argsz;
	__u32	flags;
	__u32	index;
	__u32	start;
	__u32	count;
	__u8	data[];
};

struct flex_like_area {
	__u64	offset;
	__u64	size;
};

/* iommufd style: an array of structs after the fixed part */
struct flex_like_areas {
	__u32	nr_areas;
	__u32	reserved;
	struct flex_like_area areas[];
};

/* An older header's zero-length array */
struct flex_like_msrs {
	__u32	nmsrs;
	__u32	pad;
	struct flex_like_area entries[0];
};

/* A plain __u64 element: 8-aligned on x86-64, 4 on i686 */
struct flex_like_u64 {
	__u32	count;
	__u32	pad;
	__u64	values[];
};

#endif /* _UAPI_LINUX_FLEX_LIKE_H */
