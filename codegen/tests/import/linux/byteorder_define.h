/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* A define of each byte order under `#if` and `#elif`, as linux/acct.h's ACCT_BYTEORDER. */
#ifndef _BYTEORDER_DEFINE_H
#define _BYTEORDER_DEFINE_H

#include <linux/types.h>
#include <asm/byteorder.h>

#define BD_VERSION	3

#if defined(__BYTE_ORDER) ? __BYTE_ORDER == __BIG_ENDIAN : defined(__BIG_ENDIAN)
#define BD_BYTEORDER	0x80	/* big-endian */
#elif defined(__BYTE_ORDER) ? __BYTE_ORDER == __LITTLE_ENDIAN : defined(__LITTLE_ENDIAN)
#define BD_BYTEORDER	0x00	/* little-endian */
#else
#error unspecified endianness
#endif

#endif
