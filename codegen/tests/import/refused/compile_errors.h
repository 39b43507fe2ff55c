/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>
#include <linux/broken_types.h>

struct ce_req {
	__virtio16 a;
	__virtio32 b;
	__kernel_size_t c;
	__virtio64 d;
	__virtio64 e;
	__virtio64 f;
	__virtio64 g;
	__virtio64 h;
	__virtio64 i;
	__virtio64 j;
	__virtio64 k;
	__virtio64 l;
	__virtio64 m;
	__virtio64 n;
	__virtio64 o;
	__virtio64 p;
	__virtio64 q;
	__virtio64 r;
	__virtio64 s;
	__virtio64 t;
	__virtio64 u;
	__virtio64 v;
};

#include <asm/ce_missing.h>
