/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>

#define SC_TWICE 2
#define SC_TWICE 2
