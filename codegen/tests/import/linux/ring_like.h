/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* A second hand-written header for the import tests: C-enum flags, an array of structs, an
 * anonymous union of arrays, signed fields and a size-first struct. */
#ifndef _UAPI_RING_LIKE_H
#define _UAPI_RING_LIKE_H

#include <linux/types.h>

enum ring_like_flags {
	RING_LIKE_F_WAKE = 1 << 0,
	RING_LIKE_F_POLL = 1 << 1,
	RING_LIKE_F_ONE = 0x4,
};

struct ring_like_slot {
	__u32 off;
	__s32 res;
};

struct ring_like_setup {
	__u32 size;
	__u32 flags;
	__s16 prio;
	__u16 nr_slots;
	__u32 __reserved;
	struct ring_like_slot slots[4];
	union {
		__u8 bytes[16];
		__aligned_u64 words[2];
	};
};

/* Not a form the importer reads: listed in the skeleton as a comment. */
#define RING_LIKE_SLOT_BYTES	(sizeof(struct ring_like_slot) * 4)

#endif /* _UAPI_RING_LIKE_H */
