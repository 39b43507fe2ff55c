/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* A struct that ends in a flexible array member where ISO C takes none and GNU C takes it, as
 * the kernel's headers do: before another member (linux/netfilter/x_tables.h), as a flexible
 * array's element (linux/igmp.h), in an array and in a union (linux/jffs2.h). */
#ifndef _LINUX_GNU_FLEX_H
#define _LINUX_GNU_FLEX_H
#include <linux/types.h>

struct gf_entry {
	__u16 size;
	__u16 kind;
	__u8 data[];
};

struct gf_standard {
	struct gf_entry entry;
	__s32 verdict;
};

struct gf_table {
	__u32 count;
	struct gf_entry first[2];
	struct gf_entry entries[];
};

union gf_node {
	struct gf_entry entry;
	struct gf_standard standard;
	__u32 raw;
};

/* Where C allows it, at the end of a struct. */
struct gf_last {
	__u32 n;
	struct gf_entry entry;
};

#define GF_FLAG_DIRECT	(1 << 30)
#define GF_FLAG_RAW	(1 << 31)
#define GF_FLAGS	(GF_FLAG_DIRECT | GF_FLAG_RAW)

#endif
