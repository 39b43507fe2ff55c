/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _LINUX_REDEFINE_LIKE_H
#define _LINUX_REDEFINE_LIKE_H

/* As linux/pkt_sched.h's TC_MQPRIO modes: the count, then #defined as the last value (the
 * enumerator is 2, the name C reads below is 1), and a define naming it. */
enum {
	RL_MODE_DCB,
	RL_MODE_CHANNEL,
	__RL_MODE_MAX
};

#define __RL_MODE_MAX (__RL_MODE_MAX - 1)
#define RL_MODE_LAST __RL_MODE_MAX

#endif /* _LINUX_REDEFINE_LIKE_H */
