/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* Members aligned as another struct, as linux/netfilter_bridge/ebtables.h writes them: 8 on
 * the 64-bit targets, where the struct holds a pointer, 4 on i686 and arm. */
#ifndef _UAPI_LINUX_ALIGNOF_LIKE_H
#define _UAPI_LINUX_ALIGNOF_LIKE_H

#include <linux/types.h>

struct al_replace {
	unsigned int nentries;
	char *entries;
};

struct al_entries {
	unsigned int distinguisher;
	unsigned char tag[3] __attribute__ ((aligned (__alignof__(struct al_replace))));
	char data[] __attribute__ ((aligned (__alignof__(struct al_replace))));
};

#endif /* _UAPI_LINUX_ALIGNOF_LIKE_H */
