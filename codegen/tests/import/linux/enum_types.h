/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* Enums as members' types, as drm/drm.h and linux/dvb/*.h declare them: a typedef of an enum
 * without a tag, a typedef of a tagged one, one declared as its member's type, with or without
 * a tag (6.1's linux/cn_proc.h's `enum what { ... } what;`); and an ioctl
 * through a wrapper, of a typedef defined below it, as drm/i915_drm.h's are. */
#ifndef _LINUX_ENUM_TYPES_H
#define _LINUX_ENUM_TYPES_H
#include <linux/types.h>
#include <linux/ioctl.h>

#define ET_IOW(nr, type)	_IOW('e', nr, type)
#define ET_IOCTL_SET		ET_IOW(1, et_status_t)

typedef enum {
	ET_STOPPED,
	ET_PLAYING,
	ET_PAUSED
} et_play_state_t;

enum et_rate {
	ET_RATE_NONE,
	ET_RATE_1_2 = 4,
};

typedef enum et_rate et_rate_t;

typedef struct et_status {
	enum {
		ET_ADD_COMMAND,
		ET_RM_COMMAND
	} func;
	et_play_state_t state;
	et_rate_t rate;
	int irq;
} et_status_t;

struct et_event {
	enum et_what {
		ET_EVENT_NONE = 0x00000000,
		ET_EVENT_FORK = 0x00000001,
		ET_EVENT_EXIT = 0x80000000
	} what;
	__u32 cpu;
};

#endif
