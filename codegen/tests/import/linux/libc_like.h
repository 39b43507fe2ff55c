/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _LINUX_LIBC_LIKE_H
#define _LINUX_LIBC_LIKE_H

#include <linux/types.h>
#include <asm/bitsperlong.h>
#include <linux/ioctl.h>

/* The C library's, with nothing included that declares them: as linux/errqueue.h's
 * `struct timespec`, linux/phonet.h's `struct sockaddr`, linux/sctp.h's `MSG_FIN` and
 * `uint32_t`, linux/hdlc/ioctl.h's `IFNAMSIZ`. */
struct ll_stamp {
	struct timespec ts[3];
};

struct ll_addr {
	__u16 family;
	__u8 zero[sizeof(struct sockaddr) - sizeof(__u16)];
};

struct ll_info {
	uint32_t delay;
	char master[IFNAMSIZ];
};

enum ll_flags {
	LL_EOF = MSG_FIN,
};

/* As linux/sockios.h's `SIOCGSTAMP`: defines that take the size of the C library's struct
 * (not expanded in the header, so it needs nothing included until used), one choosing
 * between ioctl numbers, which powerpc encodes its own way. */
#define LL_STAMP_SIZE (sizeof(struct timeval))
#define LL_STAMP_OLD 0x8906
#define LL_STAMP_NEW _IOR(0x89, 0x06, long long[2])
#define LL_STAMP ((sizeof(struct timeval)) == 8 ? LL_STAMP_OLD : LL_STAMP_NEW)

/* As asm-generic/socket.h's `SO_TIMESTAMP`: one define on 64-bit ABIs, another over <time.h>'s
 * `time_t` elsewhere, and a define on every target that names it. */
#define LL_OPT_OLD 29
#define LL_OPT_NEW 63
#if __BITS_PER_LONG == 64
#define LL_OPT LL_OPT_OLD
#else
#define LL_OPT (sizeof(time_t) == sizeof(__kernel_long_t) ? LL_OPT_OLD : LL_OPT_NEW)
#endif
#define LL_SCM_OPT LL_OPT

#endif /* _LINUX_LIBC_LIKE_H */
