/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>
#include <linux/broken_types.h>

struct ce_req {
	__le32 a;
	__be16 b;
	__kernel_size_t c;
	__le32 d;
	__le32 e;
	__le32 f;
	__le32 g;
	__le32 h;
	__le32 i;
	__le32 j;
	__le32 k;
	__le32 l;
	__le32 m;
	__le32 n;
	__le32 o;
	__le32 p;
	__le32 q;
	__le32 r;
	__le32 s;
	__le32 t;
	__le32 u;
	__le32 v;
};

#include <asm/ce_missing.h>
