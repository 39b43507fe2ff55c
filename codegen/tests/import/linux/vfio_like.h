/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * A hand-written header in the shape of VFIO's uAPI, for the import tests: argsz and flags
 * first, flags defined inside the struct above their field, a named union, an anonymous
 * union, arrays, a nested struct, an enum and an _IO() number.
 */
#ifndef _UAPI_VFIO_LIKE_H
#define _UAPI_VFIO_LIKE_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define VFIO_LIKE_TYPE	(';')
#define VFIO_LIKE_BASE	100

enum vfio_like_kind {
	VFIO_LIKE_KIND_NONE,
	VFIO_LIKE_KIND_RANGE = 4,
	VFIO_LIKE_KIND_ALL,
};

/**
 * struct vfio_like_range - one range
 * @start: first byte
 * @size: bytes
 */
struct vfio_like_range {
	__aligned_u64 start;
	__aligned_u64 size;
};

struct vfio_like_request {
	__u32 argsz;
#define VFIO_LIKE_FLAGS_READ	(1 << 0)
#define VFIO_LIKE_FLAGS_WRITE	(1 << 1)
#define VFIO_LIKE_FLAGS_RW	(VFIO_LIKE_FLAGS_READ | VFIO_LIKE_FLAGS_WRITE)
	__u32 flags;
	__u16 index;
	__u8 kind;
	__u8 pad[5];
	union {
		struct vfio_like_range range;
		__u64 cookie[2];
	} data;
	union {
		__s32 fd;
		__u32 handle;
	};
	__u32 tail[3];
};

#define VFIO_LIKE_REQUEST	_IO(VFIO_LIKE_TYPE, VFIO_LIKE_BASE)

#endif /* _UAPI_VFIO_LIKE_H */
