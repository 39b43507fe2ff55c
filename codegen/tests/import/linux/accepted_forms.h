/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* Forms the importer reads and must write exactly as C means them. */
#ifndef _UAPI_ACCEPTED_FORMS_H /* the guard, with a comment after it */
#define _UAPI_ACCEPTED_FORMS_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define AF_OCTAL	010
#define AF_HEX		0x7fffffffffffffff
#define AF_QUOTE	'"'
#define AF_BACKSLASH	'\\'
#define AF_TOP_U32	(1U << 31)
#define AF_TOP_U64	(1ULL << 63)
#define AF_LOW		(1 << 30)
#define AF_CAST		((__u32)4)
#define AF_FN(x)	((x) + 1)
#define AF_TYPE	__u32
#define AF_ALIAS	AF_OCTAL
#define AF_SIGN_31	(1 << 31)
#define AF_MASK_40	((1ULL << 40) - 1)
#define AF_ALL_ONES	0xffffffffffffffffULL
#define AF_NEG		(-22)
#define AF_SHIFTED	(AF_LOW | AF_OCTAL << 2)
#define AF_OTHER	(AF_LOW | O_CLOEXEC)

enum af_wide {
	AF_WIDE_MAX = 0x7fffffff,
	AF_WIDE_ONE = 1,
};

/**
 * struct af_req - a "quoted" summary \ with a backslash
 * @argsz: its size
 * @flags: "flags" in quotes
 */
struct af_req {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 value;
};

/* Qualifiers as headers_install writes them (drm.h's `__volatile__ unsigned int lock`). */
struct af_mbox {
	__volatile__ unsigned int lock;
	const __u32 ro;
	const volatile __u16 both[2];
	__u32 pad;
	__volatile__ __aligned_u64 stamp;
	__u32 self;	/* no Rust identifier: imported with a rust_name */
	__u32 _;
};

/* bpf.h's pointer of 8 bytes on every ABI, its padding bits, and its `[0]` alone. */
#define af_md_ptr(type, name)	\
union {				\
	type name;		\
	__u64 :64;		\
} __attribute__((aligned(8)))

struct af_md {
	__u32 len;
	__u32 :32;
	af_md_ptr(__u32 *, data);
	__u32 mark;
	__u32 pad;
};

struct af_args {
	__u64 args[0];
};

/* linux/usb/functionfs.h's legacy header and linux/btrfs.h's search header. */
struct af_legacy {
	__u32 magic;
	__u32 length;
} __attribute__((packed, deprecated));

struct af_view {
	__u64 transid;
	__u32 type;
	__u32 len;
} __attribute__ ((__may_alias__));

/* nvme_ioctl.h's other name for a struct's tag, and an ioctl of it. */
#define af_req_old af_req
#define AF_IOCTL_OLD _IOWR('A', 1, struct af_req_old)
/* linux/coff.h's name for a struct's type, and its size. */
#define AF_REQ_T	struct af_req
#define AF_REQ_SIZE	sizeof(AF_REQ_T)

/* asm-generic/statfs.h's member of <asm-generic/posix_types.h>'s one struct. */
struct af_statfs {
	__kernel_fsid_t f_fsid;
	__u32 f_flags;
};

/* linux/cdrom.h's typedef of an array, and a member of it. */
typedef __u8 af_challenge[10];
struct af_dvd {
	__u8 agid;
	af_challenge chal;
	__u8 pad;
};

/* asm-generic/siginfo.h's define among a struct's members, which an array below takes as
 * its length (one per data model: `__alignof__`), and a function pointer member. */
struct af_fault {
	void *addr;
#define AF_PAD  (__alignof__(void *) < sizeof(short) ? \
		 sizeof(short) : __alignof__(void *))
	struct {
		char dummy[AF_PAD];
		void *lower;
	} bnd;
	void (*notify)(int, struct af_fault *);
};

/* asm-generic/signal-defs.h's typedefs of a function type and of pointers, the values it
 * casts to one, and asm-generic/signal.h's members of them. */
typedef void af_signalfn_t(int);
typedef af_signalfn_t *af_sighandler_t;
typedef int (*af_cb_t)(struct af_fault *, unsigned long);
typedef struct af_dvd *af_dvd_p;
#define AF_SIG_DFL	((af_sighandler_t)0)
#define AF_SIG_ERR	((af_sighandler_t)-1)
#define AF_BPW		__BITS_PER_LONG
/* asm-generic/bitsperlong.h's: the compiler's own macros, under an #ifndef of its name. */
#ifndef AF_LONG_BITS
#if defined(__CHAR_BIT__) && defined(__SIZEOF_LONG__)
#define AF_LONG_BITS	(__CHAR_BIT__ * __SIZEOF_LONG__)
#else
#define AF_LONG_BITS	32
#endif
#endif
#define AF_WORDS	(64 / AF_BPW)
struct af_action {
	af_sighandler_t handler;
	af_signalfn_t *direct;
	af_cb_t cb;
	af_dvd_p dvd;
	unsigned long mask[AF_WORDS];
};

/* linux/fs.h's own `__`-named type, sparse's `__bitwise`, and a cast to it. */
typedef int __bitwise __af_rwf_t;
#define AF_RWF_HIPRI	((__af_rwf_t)0x00000001)

#endif
