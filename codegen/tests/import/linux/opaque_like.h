/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* Layouts no Rust #[repr] follows, as linux/sctp.h's and linux/target_core_user.h's. */
#ifndef _OPAQUE_LIKE_H
#define _OPAQUE_LIKE_H

#include <linux/types.h>

struct ol_params {
	__u32 assoc;
	__u8 flag;
	__u32 mtu;
	__u8 pad[3];
} __attribute__((packed, aligned(4)));

struct ol_mailbox {
	__u16 version;
	__u16 flags;
	__u32 head;
	__u32 tail __attribute__((__aligned__(64)));
} __attribute__((packed));

/* linux/hdreg.h's ide_reg_valid_s: a named bitfield directly in a union. */
typedef union ol_valid_s {
	unsigned all : 16;
	struct {
		unsigned data : 1;
		unsigned error : 1;
	} b;
} ol_valid_t;

struct ol_plain {
	__u32 a;
	struct ol_params p;
	ol_valid_t valid;
};

#endif
