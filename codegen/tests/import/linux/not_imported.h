/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _UAPI_NOT_IMPORTED_H
#define _UAPI_NOT_IMPORTED_H

#include <linux/types.h>
#include "vfio_like.h"

enum ni_kind {
	NI_KIND_A = 1,
#define NI_KIND_A NI_KIND_A
	NI_KIND_B = 2,
};

static inline int ni_helper(int x) { return x + 1; }
extern int ni_counter;
typedef __u32 ni_handle_t;
typedef int (*ni_callback)(int, ...);
_Static_assert(sizeof(__u32) == 4, "a u32 is 4 bytes");
#pragma GCC visibility push(default)
struct ni_elsewhere;
#ifdef __KERNEL__
#define NI_KERNEL_ONLY 1
struct ni_kernel { __u32 a; };
#endif
#undef NI_NEVER_DEFINED
#ident "not imported"
__attribute__((deprecated)) extern int ni_old;

struct ni_req {
	__u32 argsz;
	__u32 flags;
};

#define NI_FLAG_ONE (1 << 0)

/* atmdev.h's members built by a macro the header undefines right after. */
#define NI_ITEMS __NI_ITEM(rx); __NI_ITEM(tx);
struct ni_stats {
#define __NI_ITEM(i) int i
	NI_ITEMS
#undef __NI_ITEM
	__u32 :32;
};

/* asm-generic/signal-defs.h's SIG_DFL: a cast to a typedef import does not write (a
 * variadic function's pointer). */
typedef void (*__ni_handler_t)(int, ...);
#define NI_SIG_DFL ((__ni_handler_t)0)

/* linux/cxl_mem.h's table: a variable whose type is a struct without a tag. */
static const struct {
	const char *name;
} ni_names[] __attribute__((__unused__)) = { { "a" }, { "b" } };

#endif
