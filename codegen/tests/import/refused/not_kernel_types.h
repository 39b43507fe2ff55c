/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>

typedef unsigned long ty_size_t;
typedef __u32 ty_handle_t;

enum ty_kind {
	TY_KIND_A,
	TY_KIND_B,
};

struct ty_inner {
	__u32 v;
};

typedef struct ty_inner ty_inner_t;

struct ty_req {
	void *ptr;
	int count;
	unsigned int ucount;
	long l;
	char c;
	ty_size_t size;
	ty_handle_t handle;
	enum ty_kind kind;
	ty_inner_t inner;
	__u32 *const ro;
	void (*callback)(int, ...);
	__u64 ***pages;
	ty_size_t *sizes;
};
