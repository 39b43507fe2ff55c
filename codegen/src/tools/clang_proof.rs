//! The layout proof: libclang (loaded at run time through clang-sys, so building uapigen does
//! not need it) parses the emitted uAPI headers for every target triple, and every struct's
//! size and alignment and every member's offset and size (union members included) must equal
//! the IR's layout for that target.
//!
//! The headers are parsed with `-nostdinc` against uapigen's own `<linux/types.h>`, which
//! defines the types as the kernel's `include/uapi/asm-generic/int-ll64.h` and
//! `include/uapi/linux/types.h` do (`__u64` is `unsigned long long`; `__aligned_u64` is
//! `__u64 __attribute__((aligned(8)))`): the host's headers are for the host's ABI only.

use std::collections::BTreeMap;
use std::path::Path;

use super::clang::{untagged, CursorKind, Detail, TranslationUnit, Type, TypeKind};
use crate::diag::Error;
use crate::layout::Target;
use crate::model::TargetId;
use crate::Checked;

/// The word's bits, as asm-generic/bitsperlong.h of 7.2 defines them where the architecture
/// does not (each of the 7 targets' own agrees), for <linux/types.h> and <asm/bitsperlong.h>
/// here.
macro_rules! bits_per_long {
    () => {
        "#ifndef __BITS_PER_LONG\n#define __BITS_PER_LONG (__CHAR_BIT__ * __SIZEOF_LONG__)\n#endif\n\
#ifndef __BITS_PER_LONG_LONG\n#define __BITS_PER_LONG_LONG 64\n#endif\n"
    };
}

/// The word's types (`__kernel_long_t`, `__kernel_size_t` ...) and those each architecture's
/// <asm/posix_types.h> defines its own way (`Scalar::arch_layout`), per target, for
/// <linux/types.h> and <asm/posix_types.h> here.
macro_rules! arch_types {
    () => {
        "typedef long __kernel_long_t;\ntypedef unsigned long __kernel_ulong_t;\n\
#if __SIZEOF_LONG__ == 8\n\
typedef __kernel_ulong_t __kernel_size_t;\ntypedef __kernel_long_t __kernel_ssize_t;\n\
typedef __kernel_long_t __kernel_ptrdiff_t;\n\
#else\n\
typedef unsigned int __kernel_size_t;\ntypedef int __kernel_ssize_t;\ntypedef int __kernel_ptrdiff_t;\n\
#endif\n\
#if defined(__i386__) || defined(__arm__)\n\
typedef unsigned short __kernel_mode_t;\ntypedef unsigned short __kernel_ipc_pid_t;\n\
typedef unsigned short __kernel_uid_t;\ntypedef unsigned short __kernel_gid_t;\n\
#else\n\
typedef unsigned int __kernel_mode_t;\ntypedef int __kernel_ipc_pid_t;\n\
typedef unsigned int __kernel_uid_t;\ntypedef unsigned int __kernel_gid_t;\n\
#endif\n\
#if defined(__x86_64__) || defined(__aarch64__)\n\
typedef unsigned short __kernel_old_uid_t;\ntypedef unsigned short __kernel_old_gid_t;\n\
#else\n\
typedef __kernel_uid_t __kernel_old_uid_t;\ntypedef __kernel_gid_t __kernel_old_gid_t;\n\
#endif\n\
#if defined(__x86_64__) || defined(__powerpc64__)\ntypedef unsigned long __kernel_old_dev_t;\n\
#elif defined(__i386__) || defined(__arm__) || defined(__s390x__)\n\
typedef unsigned short __kernel_old_dev_t;\n\
#else\ntypedef unsigned int __kernel_old_dev_t;\n#endif\n\
#ifdef __s390x__\ntypedef unsigned int __kernel_ino_t;\n\
#else\ntypedef __kernel_ulong_t __kernel_ino_t;\n#endif\n"
    };
}

/// A `<linux/types.h>` for libclang on any target: the uAPI integer types, no system headers;
/// `__bitwise` empty, as the kernel's is for user space (so `typedef __u32 __bitwise x;`
/// parses and a member of such a type is refused as a typedef, at the member), and the
/// kernel's endian types (`__le32`, `__aligned_le64` ...), which the schema has; and the
/// `__kernel_*` types of <asm-generic/posix_types.h> that are alike on every ABI laid out here
/// (`codegen/tests/kernel_types.rs` holds them to the real headers with gcc), and those an
/// architecture redefines (`__kernel_uid_t` is an `unsigned short` on i686 and arm) as each
/// of the 7 targets' <asm/posix_types.h> does (`Scalar::arch_layout`). And
/// <linux/stddef.h>'s macros (`__struct_group()`, `__counted_by()` ...), which the kernel's
/// <linux/types.h> brings in through <linux/posix_types.h>: headers use them without
/// including it. And `__BITS_PER_LONG`, which the kernel's <linux/types.h> brings in from
/// <asm/bitsperlong.h>, and which a member's `when` may test. And <asm-generic/posix_types.h>'s
/// one struct, `__kernel_fsid_t` (statfs.h's, fanotify.h's members), which import copies as
/// <linux/types.h>'s.
pub const TYPES_H: &str = concat!(
    "#ifndef _LINUX_TYPES_H\n#define _LINUX_TYPES_H\n",
    bits_per_long!(),
    "typedef unsigned char __u8;\ntypedef signed char __s8;\n\
typedef unsigned short __u16;\ntypedef signed short __s16;\n\
typedef unsigned int __u32;\ntypedef signed int __s32;\n\
typedef unsigned long long __u64;\ntypedef signed long long __s64;\n\
#define __aligned_u64 __u64 __attribute__((aligned(8)))\n\
#define __bitwise\n#define __bitwise__\n\
typedef __u16 __bitwise __le16;\ntypedef __u16 __bitwise __be16;\n\
typedef __u32 __bitwise __le32;\ntypedef __u32 __bitwise __be32;\n\
typedef __u64 __bitwise __le64;\ntypedef __u64 __bitwise __be64;\n\
#define __aligned_be64 __be64 __attribute__((aligned(8)))\n\
#define __aligned_le64 __le64 __attribute__((aligned(8)))\n\
typedef long __kernel_long_t;\ntypedef unsigned long __kernel_ulong_t;\n\
typedef __kernel_long_t __kernel_off_t;\ntypedef __kernel_long_t __kernel_time_t;\n\
typedef __kernel_long_t __kernel_old_time_t;\ntypedef __kernel_long_t __kernel_clock_t;\n\
typedef __kernel_long_t __kernel_suseconds_t;\n\
typedef long long __kernel_loff_t;\ntypedef long long __kernel_time64_t;\n\
typedef int __kernel_pid_t;\ntypedef int __kernel_daddr_t;\ntypedef int __kernel_timer_t;\n\
typedef int __kernel_clockid_t;\ntypedef int __kernel_key_t;\ntypedef int __kernel_mqd_t;\n\
typedef unsigned int __kernel_uid32_t;\ntypedef unsigned int __kernel_gid32_t;\n\
#if !defined(__kernel_fsid_t) && !defined(__ASM_GENERIC_POSIX_TYPES_H)\n\
typedef struct {\n\tint\tval[2];\n} __kernel_fsid_t;\n\
#define __kernel_fsid_t __kernel_fsid_t\n#endif\n\
",
    arch_types!(),
    "\
typedef __u16 __bitwise __sum16;\ntypedef __u32 __bitwise __wsum;\n\
typedef unsigned __bitwise __poll_t;\n\
#ifndef _LINUX_STDDEF_H\n#define _LINUX_STDDEF_H\n\
#ifndef __always_inline\n#define __always_inline __inline__\n#endif\n\
#define __struct_group_tag(TAG) TAG\n\
#define __struct_group(TAG, NAME, ATTRS, MEMBERS...) \\\n\
\tunion { struct { MEMBERS } ATTRS; struct __struct_group_tag(TAG) { MEMBERS } ATTRS NAME; } ATTRS\n\
#define __DECLARE_FLEX_ARRAY(TYPE, NAME) struct { struct { } __empty_ ## NAME; TYPE NAME[]; }\n\
#define __counted_by(m)\n#define __counted_by_le(m)\n#define __counted_by_be(m)\n\
#define __counted_by_ptr(m)\n#define __kernel_nonstring\n#endif\n\
#endif\n"
);

/// A `<linux/stddef.h>` (vfio.h includes it from Linux 6.13 on) with the annotations of the
/// kernel's uapi one that change no layout, and its `__always_inline`, which
/// <linux/swab.h> uses (ioam6.h includes <asm/byteorder.h> before <linux/types.h>);
/// uapigen's headers write none of its macros.
pub const STDDEF_H: &str = "#ifndef _LINUX_STDDEF_H\n#define _LINUX_STDDEF_H\n\
#ifndef __always_inline\n#define __always_inline __inline__\n#endif\n\
#ifndef __counted_by\n#define __counted_by(m)\n#endif\n\
#ifndef __counted_by_le\n#define __counted_by_le(m)\n#endif\n\
#ifndef __counted_by_be\n#define __counted_by_be(m)\n#endif\n\
#define __kernel_nonstring\n\
#ifndef __DECLARE_FLEX_ARRAY\n\
#define __DECLARE_FLEX_ARRAY(TYPE, NAME) struct { struct { } __empty_ ## NAME; TYPE NAME[]; }\n\
#endif\n\
#endif\n";

/// `<linux/socket.h>` where the include path has none beyond this one: its
/// `__kernel_sa_family_t`, the type a schema's member may have; where it has the kernel's
/// (import reads real trees), that one, whole.
pub const SOCKET_H: &str = "#if __has_include_next(<linux/socket.h>)\n\
#include_next <linux/socket.h>\n#else\n\
#ifndef _UAPI_LINUX_SOCKET_H\n#define _UAPI_LINUX_SOCKET_H\n\
typedef unsigned short __kernel_sa_family_t;\n#endif\n#endif\n";

/// `<linux/libc-compat.h>` where the include path has none beyond this one: every
/// `__UAPI_DEF_*` macro of Linux 6.1's and 7.2's, 1, as the kernel's own defines them when no
/// C library header came first (the branch a `-nostdinc` read takes). A schema's
/// `libc_compat` condition naming another macro is 0 here, so the proof finds its item
/// missing. Where the path has the kernel's, that one.
pub const LIBC_COMPAT_H: &str = "#if __has_include_next(<linux/libc-compat.h>)\n\
#include_next <linux/libc-compat.h>\n#else\n\
#ifndef _UAPI_LIBC_COMPAT_H\n#define _UAPI_LIBC_COMPAT_H\n\
#define __UAPI_DEF_IF_IFCONF 1\n\
#define __UAPI_DEF_IF_IFMAP 1\n\
#define __UAPI_DEF_IF_IFNAMSIZ 1\n\
#define __UAPI_DEF_IF_IFREQ 1\n\
#define __UAPI_DEF_IF_NET_DEVICE_FLAGS 1\n\
#define __UAPI_DEF_IF_NET_DEVICE_FLAGS_LOWER_UP_DORMANT_ECHO 1\n\
#define __UAPI_DEF_IN6_ADDR 1\n\
#define __UAPI_DEF_IN6_ADDR_ALT 1\n\
#define __UAPI_DEF_IN6_PKTINFO 1\n\
#define __UAPI_DEF_IN_ADDR 1\n\
#define __UAPI_DEF_IN_CLASS 1\n\
#define __UAPI_DEF_IN_IPPROTO 1\n\
#define __UAPI_DEF_IN_PKTINFO 1\n\
#define __UAPI_DEF_IP6_MTUINFO 1\n\
#define __UAPI_DEF_IPPROTO_V6 1\n\
#define __UAPI_DEF_IPV6_MREQ 1\n\
#define __UAPI_DEF_IPV6_OPTIONS 1\n\
#define __UAPI_DEF_IP_MREQ 1\n\
#define __UAPI_DEF_SOCKADDR_IN 1\n\
#define __UAPI_DEF_SOCKADDR_IN6 1\n\
#define __UAPI_DEF_XATTR 1\n\
#define __UAPI_DEF_IPX_CONFIG_DATA 1\n\
#define __UAPI_DEF_IPX_INTERFACE_DEFINITION 1\n\
#define __UAPI_DEF_IPX_ROUTE_DEF 1\n\
#define __UAPI_DEF_IPX_ROUTE_DEFINITION 1\n\
#define __UAPI_DEF_SOCKADDR_IPX 1\n\
#endif\n#endif\n";

/// The `__UAPI_DEF_*` macros <linux/libc-compat.h> defines in Linux 6.1 and 7.2 (the IPX ones
/// until 6.x removed IPX), as `LIBC_COMPAT_H` defines them.
pub const LIBC_COMPAT_MACROS: &[&str] = &[
    "__UAPI_DEF_IF_IFCONF",
    "__UAPI_DEF_IF_IFMAP",
    "__UAPI_DEF_IF_IFNAMSIZ",
    "__UAPI_DEF_IF_IFREQ",
    "__UAPI_DEF_IF_NET_DEVICE_FLAGS",
    "__UAPI_DEF_IF_NET_DEVICE_FLAGS_LOWER_UP_DORMANT_ECHO",
    "__UAPI_DEF_IN6_ADDR",
    "__UAPI_DEF_IN6_ADDR_ALT",
    "__UAPI_DEF_IN6_PKTINFO",
    "__UAPI_DEF_IN_ADDR",
    "__UAPI_DEF_IN_CLASS",
    "__UAPI_DEF_IN_IPPROTO",
    "__UAPI_DEF_IN_PKTINFO",
    "__UAPI_DEF_IP6_MTUINFO",
    "__UAPI_DEF_IPPROTO_V6",
    "__UAPI_DEF_IPV6_MREQ",
    "__UAPI_DEF_IPV6_OPTIONS",
    "__UAPI_DEF_IP_MREQ",
    "__UAPI_DEF_SOCKADDR_IN",
    "__UAPI_DEF_SOCKADDR_IN6",
    "__UAPI_DEF_XATTR",
    "__UAPI_DEF_IPX_CONFIG_DATA",
    "__UAPI_DEF_IPX_INTERFACE_DEFINITION",
    "__UAPI_DEF_IPX_ROUTE_DEF",
    "__UAPI_DEF_IPX_ROUTE_DEFINITION",
    "__UAPI_DEF_SOCKADDR_IPX",
];

/// `<stdint.h>`'s exact-width types, which a header read with `-nostdinc` has not (fuse.h
/// includes it): the compiler's own definitions of them for the target, as the C library's
/// are (`uint64_t` is `unsigned long` on LP64 and `unsigned long long` on ILP32), and its
/// `uintptr_t` (Linux 6.1's linux/virtio_ring.h casts to it in `vring_init`).
pub const STDINT_H: &str = "#ifndef _STDINT_H\n#define _STDINT_H\n\
typedef __INT8_TYPE__ int8_t;\ntypedef __INT16_TYPE__ int16_t;\n\
typedef __INT32_TYPE__ int32_t;\ntypedef __INT64_TYPE__ int64_t;\n\
typedef __UINT8_TYPE__ uint8_t;\ntypedef __UINT16_TYPE__ uint16_t;\n\
typedef __UINT32_TYPE__ uint32_t;\ntypedef __UINT64_TYPE__ uint64_t;\n\
typedef __INTPTR_TYPE__ intptr_t;\ntypedef __UINTPTR_TYPE__ uintptr_t;\n#endif\n";

/// `<asm/byteorder.h>` for the target being read, whichever it is: its bitfield order
/// (`__LITTLE_ENDIAN_BITFIELD` or `__BIG_ENDIAN_BITFIELD`, and `__LITTLE_ENDIAN` or
/// `__BIG_ENDIAN`, which the header's per-byte-order declarations test) from the compiler's
/// own `__BYTE_ORDER__`, and the kernel's
/// <linux/byteorder/*.h> for it where the include path has them. Import and the proof read
/// every target with one architecture's asm/ folder (x86's), whose own byteorder.h would give
/// s390x the little-endian declaration. Where the tree has no <linux/byteorder/*.h> (the
/// golden tests), its conversions (`__cpu_to_be16()` ...) from the compiler's byte swaps.
pub const BYTEORDER_H: &str =
    "#ifndef _UAPIGEN_ASM_BYTEORDER_H\n#define _UAPIGEN_ASM_BYTEORDER_H\n\
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__\n\
#if __has_include(<linux/byteorder/big_endian.h>)\n#include <linux/byteorder/big_endian.h>\n\
#endif\n#ifndef __BIG_ENDIAN\n#define __BIG_ENDIAN 4321\n#endif\n\
#ifndef __BIG_ENDIAN_BITFIELD\n#define __BIG_ENDIAN_BITFIELD\n#endif\n\
#else\n\
#if __has_include(<linux/byteorder/little_endian.h>)\n#include <linux/byteorder/little_endian.h>\n\
#endif\n#ifndef __LITTLE_ENDIAN\n#define __LITTLE_ENDIAN 1234\n#endif\n\
#ifndef __LITTLE_ENDIAN_BITFIELD\n#define __LITTLE_ENDIAN_BITFIELD\n#endif\n\
#endif\n\
#ifndef __cpu_to_be16\n\
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__\n\
#define __uapigen_swab16(x) ((__u16)__builtin_bswap16((__u16)(x)))\n\
#define __uapigen_swab32(x) ((__u32)__builtin_bswap32((__u32)(x)))\n\
#define __uapigen_swab64(x) ((__u64)__builtin_bswap64((__u64)(x)))\n\
#define __cpu_to_be16(x) ((__u16)(x))\n\
#define __constant_cpu_to_be16(x) ((__u16)(x))\n\
#define __be16_to_cpu(x) ((__u16)(x))\n\
#define __constant_be16_to_cpu(x) ((__u16)(x))\n\
#define __cpu_to_le16(x) __uapigen_swab16(x)\n\
#define __constant_cpu_to_le16(x) __uapigen_swab16(x)\n\
#define __le16_to_cpu(x) __uapigen_swab16(x)\n\
#define __constant_le16_to_cpu(x) __uapigen_swab16(x)\n\
#define __cpu_to_be32(x) ((__u32)(x))\n\
#define __constant_cpu_to_be32(x) ((__u32)(x))\n\
#define __be32_to_cpu(x) ((__u32)(x))\n\
#define __constant_be32_to_cpu(x) ((__u32)(x))\n\
#define __cpu_to_le32(x) __uapigen_swab32(x)\n\
#define __constant_cpu_to_le32(x) __uapigen_swab32(x)\n\
#define __le32_to_cpu(x) __uapigen_swab32(x)\n\
#define __constant_le32_to_cpu(x) __uapigen_swab32(x)\n\
#define __cpu_to_be64(x) ((__u64)(x))\n\
#define __constant_cpu_to_be64(x) ((__u64)(x))\n\
#define __be64_to_cpu(x) ((__u64)(x))\n\
#define __constant_be64_to_cpu(x) ((__u64)(x))\n\
#define __cpu_to_le64(x) __uapigen_swab64(x)\n\
#define __constant_cpu_to_le64(x) __uapigen_swab64(x)\n\
#define __le64_to_cpu(x) __uapigen_swab64(x)\n\
#define __constant_le64_to_cpu(x) __uapigen_swab64(x)\n\
#else\n\
#define __uapigen_swab16(x) ((__u16)__builtin_bswap16((__u16)(x)))\n\
#define __uapigen_swab32(x) ((__u32)__builtin_bswap32((__u32)(x)))\n\
#define __uapigen_swab64(x) ((__u64)__builtin_bswap64((__u64)(x)))\n\
#define __cpu_to_be16(x) __uapigen_swab16(x)\n\
#define __constant_cpu_to_be16(x) __uapigen_swab16(x)\n\
#define __be16_to_cpu(x) __uapigen_swab16(x)\n\
#define __constant_be16_to_cpu(x) __uapigen_swab16(x)\n\
#define __cpu_to_le16(x) ((__u16)(x))\n\
#define __constant_cpu_to_le16(x) ((__u16)(x))\n\
#define __le16_to_cpu(x) ((__u16)(x))\n\
#define __constant_le16_to_cpu(x) ((__u16)(x))\n\
#define __cpu_to_be32(x) __uapigen_swab32(x)\n\
#define __constant_cpu_to_be32(x) __uapigen_swab32(x)\n\
#define __be32_to_cpu(x) __uapigen_swab32(x)\n\
#define __constant_be32_to_cpu(x) __uapigen_swab32(x)\n\
#define __cpu_to_le32(x) ((__u32)(x))\n\
#define __constant_cpu_to_le32(x) ((__u32)(x))\n\
#define __le32_to_cpu(x) ((__u32)(x))\n\
#define __constant_le32_to_cpu(x) ((__u32)(x))\n\
#define __cpu_to_be64(x) __uapigen_swab64(x)\n\
#define __constant_cpu_to_be64(x) __uapigen_swab64(x)\n\
#define __be64_to_cpu(x) __uapigen_swab64(x)\n\
#define __constant_be64_to_cpu(x) __uapigen_swab64(x)\n\
#define __cpu_to_le64(x) ((__u64)(x))\n\
#define __constant_cpu_to_le64(x) ((__u64)(x))\n\
#define __le64_to_cpu(x) ((__u64)(x))\n\
#define __constant_le64_to_cpu(x) ((__u64)(x))\n\
#endif\n\
#endif\n\
#endif\n";

/// `<asm/posix_types.h>` for the target being read, whichever it is: the architecture's own
/// types and the word's `__kernel_size_t` as <linux/types.h> here defines them per target
/// (each named by a macro, as the kernel's headers do, so asm-generic's skips them), then
/// asm-generic/posix_types.h for the rest (`__kernel_pid_t`, `__kernel_fsid_t` ...) where the
/// include path has it. Import and the proof read every
/// target with one architecture's asm/ folder (x86's), whose posix_types_64.h would give
/// aarch64 x86-64's `__kernel_old_dev_t`.
pub const POSIX_TYPES_H: &str = concat!(
    "#ifndef _UAPIGEN_ASM_POSIX_TYPES_H\n#define _UAPIGEN_ASM_POSIX_TYPES_H\n",
    arch_types!(),
    "\
#define __kernel_long_t __kernel_long_t\n#define __kernel_ino_t __kernel_ino_t\n\
#define __kernel_mode_t __kernel_mode_t\n#define __kernel_ipc_pid_t __kernel_ipc_pid_t\n\
#define __kernel_uid_t __kernel_uid_t\n#define __kernel_old_uid_t __kernel_old_uid_t\n\
#define __kernel_old_dev_t __kernel_old_dev_t\n#define __kernel_size_t __kernel_size_t\n\
#if __has_include(<asm-generic/posix_types.h>)\n#include <asm-generic/posix_types.h>\n#endif\n\
#endif\n"
);

/// `<asm/bitsperlong.h>` for the target being read: the word's bits (`bits_per_long!`).
/// Import and the proof read every target with x86's asm/ folder, whose bitsperlong.h says 32
/// on aarch64 (it tests `__x86_64__`); a member's `when` on `__BITS_PER_LONG`
/// (asm-generic/msgbuf.h) would be read on the wrong branch.
pub const BITSPERLONG_H: &str = concat!(
    "#ifndef _UAPIGEN_ASM_BITSPERLONG_H\n#define _UAPIGEN_ASM_BITSPERLONG_H\n",
    bits_per_long!(),
    "#endif\n"
);

/// `<linux/bits.h>`: 7.2's `__GENMASK()` and `__GENMASK_ULL()`, as uapigen's expressions
/// expand them (`cexpr::BITS_H`); like the kernel's, it includes nothing.
pub const BITS_H: &str = "#ifndef _LINUX_BITS_H\n#define _LINUX_BITS_H\n\
#define __GENMASK(h, l) (((~_UL(0)) << (l)) & (~_UL(0) >> (__BITS_PER_LONG - 1 - (h))))\n\
#define __GENMASK_ULL(h, l) (((~_ULL(0)) << (l)) & (~_ULL(0) >> (__BITS_PER_LONG_LONG - 1 - (h))))\n\
#endif\n";

/// The kernel's `<linux/virtio_types.h>`: the virtio types, a device's byte order.
pub const VIRTIO_TYPES_H: &str = "#ifndef _UAPI_LINUX_VIRTIO_TYPES_H\n\
#define _UAPI_LINUX_VIRTIO_TYPES_H\n#include <linux/types.h>\n\
typedef __u16 __bitwise __virtio16;\ntypedef __u32 __bitwise __virtio32;\n\
typedef __u64 __bitwise __virtio64;\n#endif\n";

/// The kernel's `<linux/const.h>` (include/uapi/linux/const.h of 7.2, its C part but
/// `__KERNEL_DIV_ROUND_CLOSEST`, a statement expression), for the defines written with
/// `_BITUL()` and its kin; uapigen's expressions expand them alike (`cexpr::CONST_H`).
pub const CONST_H: &str = "#ifndef _LINUX_CONST_H\n#define _LINUX_CONST_H\n\
#define __AC(X,Y) (X##Y)\n#define _AC(X,Y) __AC(X,Y)\n#define _AT(T,X) ((T)(X))\n\
#define _UL(x) (_AC(x, UL))\n#define _ULL(x) (_AC(x, ULL))\n\
#define _BITUL(x) (_UL(1) << (x))\n#define _BITULL(x) (_ULL(1) << (x))\n\
#define _BIT128(x) ((unsigned __int128)(1) << (x))\n\
#define __ALIGN_KERNEL(x, a) __ALIGN_KERNEL_MASK(x, (__typeof__(x))(a) - 1)\n\
#define __ALIGN_KERNEL_MASK(x, mask) (((x) + (mask)) & ~(mask))\n\
#define __KERNEL_DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))\n\
#endif\n";

/// A `<linux/ioctl.h>` with `_IO()`, `_IOR()`, `_IOW()` and `_IOWR()` and the macros that
/// take a number apart (`_IOC_NR()` ...), for the same reason:
/// asm-generic/ioctl.h's encoding, and where the target is powerpc (or mips or sparc)
/// arch/powerpc/include/uapi/asm/ioctl.h's (13 size bits, 3 direction bits, `_IOC_NONE` 1,
/// `_IOC_READ` 2, `_IOC_WRITE` 4), so each target's numbers are its own.
pub const IOCTL_H: &str = "#ifndef _LINUX_IOCTL_H\n#define _LINUX_IOCTL_H\n\
#if defined(__powerpc__) || defined(__mips__) || defined(__sparc__)\n\
#define _IOC_SIZEBITS 13\n#define _IOC_DIRBITS 3\n\
#define _IOC_NONE 1U\n#define _IOC_READ 2U\n#define _IOC_WRITE 4U\n\
#else\n\
#define _IOC_SIZEBITS 14\n#define _IOC_DIRBITS 2\n\
#define _IOC_NONE 0U\n#define _IOC_WRITE 1U\n#define _IOC_READ 2U\n\
#endif\n\
#define _IOC_NRBITS 8\n#define _IOC_TYPEBITS 8\n\
#define _IOC_NRSHIFT 0\n#define _IOC_TYPESHIFT (_IOC_NRSHIFT + _IOC_NRBITS)\n\
#define _IOC_SIZESHIFT (_IOC_TYPESHIFT + _IOC_TYPEBITS)\n\
#define _IOC_DIRSHIFT (_IOC_SIZESHIFT + _IOC_SIZEBITS)\n\
#define _IOC(dir, type, nr, size) (((dir) << _IOC_DIRSHIFT) | ((type) << _IOC_TYPESHIFT) | \
((nr) << _IOC_NRSHIFT) | ((size) << _IOC_SIZESHIFT))\n\
#define _IOC_TYPECHECK(t) (sizeof(t))\n\
#define _IO(type, nr) _IOC(_IOC_NONE, (type), (nr), 0)\n\
#define _IOR(type, nr, size) _IOC(_IOC_READ, (type), (nr), (_IOC_TYPECHECK(size)))\n\
#define _IOW(type, nr, size) _IOC(_IOC_WRITE, (type), (nr), (_IOC_TYPECHECK(size)))\n\
#define _IOWR(type, nr, size) _IOC(_IOC_READ | _IOC_WRITE, (type), (nr), (_IOC_TYPECHECK(size)))\n\
#define _IOC_NRMASK ((1 << _IOC_NRBITS)-1)\n#define _IOC_TYPEMASK ((1 << _IOC_TYPEBITS)-1)\n\
#define _IOC_SIZEMASK ((1 << _IOC_SIZEBITS)-1)\n#define _IOC_DIRMASK ((1 << _IOC_DIRBITS)-1)\n\
#define _IOC_DIR(nr) (((nr) >> _IOC_DIRSHIFT) & _IOC_DIRMASK)\n\
#define _IOC_TYPE(nr) (((nr) >> _IOC_TYPESHIFT) & _IOC_TYPEMASK)\n\
#define _IOC_NR(nr) (((nr) >> _IOC_NRSHIFT) & _IOC_NRMASK)\n\
#define _IOC_SIZE(nr) (((nr) >> _IOC_SIZESHIFT) & _IOC_SIZEMASK)\n\
#endif\n";

/// What libclang says of one struct on one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measured {
    /// `sizeof`.
    pub size: u64,
    /// `alignof`.
    pub align: u64,
    /// Member path (anonymous unions add no component) → (offset, size, a bitfield's first
    /// bit and width); a bitfield's offset and size are the bytes its bits touch.
    pub members: BTreeMap<String, (u64, u64, Option<(u64, u32)>)>,
}

/// One difference between libclang and the IR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The target triple.
    pub target: &'static str,
    /// The family.
    pub family: String,
    /// `struct` or `constant`.
    pub kind: &'static str,
    /// The struct's or constant's name.
    pub struct_name: String,
    /// What differs.
    pub what: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} {} ({}): {}",
            self.target, self.kind, self.struct_name, self.family, self.what
        )
    }
}

/// A private folder of its own under the system's temporary folder (`TMPDIR`), removed with
/// everything in it when dropped: on success, on every early return, and while a panic
/// unwinds. Created with a fresh name and mode 0700, never reused: a folder someone else
/// created (or a symlink planted) under a predictable name would let them swap the files a
/// tool compiles or parses.
#[derive(Debug)]
pub struct ScratchDir {
    path: std::path::PathBuf,
}

impl ScratchDir {
    /// `TMPDIR/<prefix>-<pid>-<n>-<nonce>`.
    pub fn new(prefix: &str) -> Result<ScratchDir, Error> {
        ScratchDir::new_in(&std::env::temp_dir(), prefix)
    }

    /// `<root>/<prefix>-<pid>-<n>-<nonce>`.
    pub fn new_in(root: &Path, prefix: &str) -> Result<ScratchDir, Error> {
        static USES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let mut last = None;
        for _ in 0..64 {
            let n = USES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let nonce = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let path = root.join(format!("{prefix}-{}-{n}-{nonce:x}", std::process::id()));
            let mut builder = std::fs::DirBuilder::new();
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            match builder.create(&path) {
                Ok(()) => return Ok(ScratchDir { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => {
                    return Err(Error::Io {
                        path: path.display().to_string(),
                        message: e.to_string(),
                    })
                }
            }
        }
        Err(Error::Io {
            path: root.display().to_string(),
            message: format!(
                "cannot create a fresh `{prefix}-*` folder: {}",
                last.map_or_else(String::new, |e| e.to_string())
            ),
        })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A folder with uapigen's `linux/types.h` and `linux/ioctl.h`, unique per use (parallel
/// proofs and imports must not share or remove it), removed when dropped.
pub(crate) struct KernelTypes {
    pub dir: std::path::PathBuf,
    /// The C library's headers uAPI headers include (`libc_stubs`), searched after `dir`.
    pub libc: std::path::PathBuf,
    _scratch: ScratchDir,
}

impl KernelTypes {
    pub(crate) fn new() -> Result<KernelTypes, Error> {
        let scratch = ScratchDir::new("uapigen-kernel-types")?;
        let dir = scratch.path().to_path_buf();
        let linux = dir.join("linux");
        let io = |e: std::io::Error| Error::Io {
            path: linux.display().to_string(),
            message: e.to_string(),
        };
        std::fs::create_dir(&linux).map_err(io)?;
        std::fs::write(linux.join("types.h"), TYPES_H).map_err(io)?;
        std::fs::write(linux.join("ioctl.h"), IOCTL_H).map_err(io)?;
        std::fs::write(linux.join("const.h"), CONST_H).map_err(io)?;
        std::fs::write(linux.join("bits.h"), BITS_H).map_err(io)?;
        std::fs::write(linux.join("virtio_types.h"), VIRTIO_TYPES_H).map_err(io)?;
        std::fs::write(dir.join("stdint.h"), STDINT_H).map_err(io)?;
        std::fs::write(linux.join("socket.h"), SOCKET_H).map_err(io)?;
        std::fs::write(linux.join("libc-compat.h"), LIBC_COMPAT_H).map_err(io)?;
        std::fs::create_dir(dir.join("asm")).map_err(io)?;
        std::fs::write(dir.join("asm/byteorder.h"), BYTEORDER_H).map_err(io)?;
        std::fs::write(dir.join("asm/posix_types.h"), POSIX_TYPES_H).map_err(io)?;
        std::fs::write(dir.join("asm/bitsperlong.h"), BITSPERLONG_H).map_err(io)?;
        let libc = dir.join("libc");
        std::fs::create_dir(&libc).map_err(io)?;
        super::libc_stubs::write(&libc).map_err(io)?;
        Ok(KernelTypes {
            dir,
            libc,
            _scratch: scratch,
        })
    }
}

// Where the proof's callers have always found it.
pub use super::clang::load;

/// The command line every header is parsed with for `target`: C11, no system headers,
/// `include` searched in order; `extra` goes before the target. A uAPI header in the kernel
/// tree may write `__user`, which the kernel's build defines away (include/linux/
/// compiler_types.h, force-included) and headers_install deletes.
pub(crate) fn c_args(target: &Target, include: &[&Path], extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["-x", "c", "-std=c11", "-nostdinc", "-D__user="]
        .iter()
        .chain(extra)
        .map(|a| a.to_string())
        .collect();
    args.push(format!("--target={}", target.triple));
    for dir in include {
        args.push("-I".to_string());
        args.push(dir.display().to_string());
    }
    args
}

/// Parses `source` for `target` and measures every struct it defines.
pub fn measure(
    source: &str,
    include: &[&Path],
    target: &Target,
) -> Result<BTreeMap<String, Measured>, Error> {
    let args = c_args(target, include, &["-ferror-limit=0"]);
    let Some(tu) = TranslationUnit::parse(
        "uapigen_layout_proof.c",
        Some(source),
        &args,
        Detail::Declarations,
    )?
    else {
        return Err(Error::Usage(format!(
            "libclang could not parse the headers for {}",
            target.triple
        )));
    };
    let errors = tu.errors(&format!("on {}: ", target.triple));
    if !errors.is_empty() {
        return Err(Error::Schema(errors));
    }
    let mut found = BTreeMap::new();
    tu.cursor().visit_children(|c| {
        if matches!(c.kind(), CursorKind::Struct | CursorKind::Union) && c.is_definition() {
            found.insert(c.spelling(), c.ty());
        }
        // `typedef struct { ... } NAME;`: measured by NAME.
        if c.kind() == CursorKind::Typedef {
            let record = c.typedef_underlying().canonical();
            let tag = record.declaration().spelling();
            if record.kind() == TypeKind::Record && untagged(&tag) {
                found.insert(c.spelling(), record);
            }
        }
    });
    Ok(found
        .into_iter()
        .map(|(name, ty)| {
            let mut members = BTreeMap::new();
            members_of(ty, "", 0, &mut members);
            let measured = Measured {
                size: ty.size().unwrap_or(0),
                align: ty.align().unwrap_or(0),
                members,
            };
            (name, measured)
        })
        .collect())
}

/// The members of record `ty` at offset `base`, under `prefix`, into `out`.
fn members_of(
    ty: Type<'_>,
    prefix: &str,
    base: u64,
    out: &mut BTreeMap<String, (u64, u64, Option<(u64, u32)>)>,
) {
    ty.visit_fields(|c| {
        let name = c.spelling();
        let anonymous = name.is_empty() || name.contains("(anonymous");
        let ty = c.ty().canonical();
        let bit = base * 8 + c.field_offset_bits().unwrap_or(0);
        let offset = bit / 8;
        let width = c.bit_width().map(|w| w.max(0) as u32);
        // A flexible array member (`T x[]`) is incomplete, so libclang gives it no size; it
        // has an offset and adds nothing to sizeof, as the IR's does.
        let size = match (ty.kind(), width) {
            (_, Some(w)) => (bit + u64::from(w)).div_ceil(8) - offset,
            (TypeKind::IncompleteArray, None) => 0,
            _ => ty.size().unwrap_or(0),
        };
        // An unnamed bitfield is padding: the IR lists no member for it.
        if width.is_some() && anonymous {
            return;
        }
        let path = match (anonymous, prefix.is_empty()) {
            (true, _) => prefix.to_string(),
            (false, true) => name,
            (false, false) => format!("{prefix}.{name}"),
        };
        if !anonymous {
            out.insert(path.clone(), (offset, size, width.map(|w| (bit, w))));
        }
        // Union members and an untagged struct's are members of the struct (as in the IR); a
        // tagged struct's are its own. Of an array of them, flexible too, the IR lays out the
        // first element.
        let record = match ty.kind() {
            TypeKind::ConstantArray | TypeKind::IncompleteArray => ty.element().canonical(),
            _ => ty,
        };
        if record.kind() == TypeKind::Record {
            let ty = record;
            let decl = ty.declaration();
            let tag = decl.spelling();
            // A tagged struct defined where the member is declared (`struct fork_proc_event
            // { ... } fork;`) is inline in the IR, with its `tag`.
            if decl.kind() == CursorKind::Union || untagged(&tag) || decl.is_defined_in(&c) {
                members_of(ty, &path, offset, out);
            }
        }
    });
}

/// Proves the headers under `include` (which holds `uapi/linux/*.h`) against the latest
/// revision of every family, on every target. Returns every difference; none means proved.
pub fn prove(families: &[Checked], include: &Path) -> Result<Vec<Mismatch>, Error> {
    prove_with(families, include, &[])
}

/// Like `prove`, with `extra` folders searched after the generated headers: where the headers
/// an `extern` item comes from are (the proof measures the copy in the header that includes
/// its own).
pub fn prove_with(
    families: &[Checked],
    include: &Path,
    extra: &[&Path],
) -> Result<Vec<Mismatch>, Error> {
    let types = KernelTypes::new()?;
    // Not in import's stubs: a real header's own <linux/stddef.h> has the macros it uses.
    let stddef = types.dir.join("linux/stddef.h");
    std::fs::write(&stddef, STDDEF_H).map_err(|e| Error::Io {
        path: stddef.display().to_string(),
        message: e.to_string(),
    })?;
    // <stddef.h>'s `offsetof`, which a program using linux/fuse.h's `FUSE_NAME_OFFSET` has,
    // and its `size_t`, which one using matroxfb.h's `_IOR('n', 0xFB, size_t)` has.
    let size_t = families.iter().any(|c| {
        c.latest().family().constants().any(
            |k| matches!(&k.expr, crate::ir::Expr::Io { size: Some(s), .. } if s.c == "size_t"),
        )
    });
    let source: String = std::iter::once(
        "#ifndef offsetof\n#define offsetof(TYPE, MEMBER) __builtin_offsetof(TYPE, MEMBER)\n#endif\n"
            .to_string(),
    )
    .chain(size_t.then(|| "#include <stddef.h>\n".to_string()))
    .chain(
        families
            .iter()
            .flat_map(|c| {
                // What a family's header assumes included before it (`assumes`), first.
                let f = c.latest().family();
                f.assumes
                    .iter()
                    .map(|a| format!("#include <{a}>\n"))
                    .chain(std::iter::once(format!("#include <{}>\n", f.header)))
            }),
    )
    .collect();
    let uapi = include.join("uapi");
    let dirs: Vec<&Path> = [types.dir.as_path(), uapi.as_path(), types.libc.as_path()]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    let mut out = Vec::new();
    for (t, target) in TargetId::all() {
        let measured = measure(&source, &dirs, target).map_err(|e| match e {
            // A header the generated ones include and this tree does not hold: an extern
            // item's own, which the proof needs to measure the copy.
            Error::Schema(diags) if extra.is_empty() => Error::Schema(
                diags
                    .into_iter()
                    .map(|d| {
                        if d.message.contains("file not found") {
                            d.note("pass -I DIR with the folder of the headers the schemas' `includes` name beyond their own (an `extern` item's header), e.g. -I /usr/include")
                        } else {
                            d
                        }
                    })
                    .collect(),
            ),
            e => e,
        })?;
        for latest in families.iter().map(Checked::latest) {
            for (s, st) in latest.structs() {
                let mismatch = |what: String| Mismatch {
                    target: target.triple,
                    family: latest.family().name.clone(),
                    kind: "struct",
                    struct_name: st.name.clone(),
                    what,
                };
                // A struct this target leaves out (`when`) is not declared there.
                if !st.on(target) {
                    if measured.contains_key(&st.name) {
                        out.push(mismatch(
                            "declared by libclang, not on this target in the IR".into(),
                        ));
                    }
                    continue;
                }
                let Some(m) = measured.get(&st.name) else {
                    out.push(mismatch("not found in the header".into()));
                    continue;
                };
                out.extend(compare(m, latest.layout(s, t)).into_iter().map(mismatch));
            }
        }
        // Every constant's value on this target: an ioctl number's is the target's encoding
        // of its argument's size there (the stub <linux/ioctl.h> has powerpc's).
        let names: Vec<String> = families
            .iter()
            .flat_map(|c| c.latest().family().constants().map(|k| k.name.clone()))
            .collect();
        let values = evaluate_on(&source, &dirs, &names, target)?;
        for family in families.iter().map(|c| c.latest().family()) {
            for k in family.constants() {
                let c = values.get(&k.name).copied().flatten();
                // A define this target leaves out (`when`) is undefined there, unless its
                // twin of the `#else` defines the name.
                if !k.on(target) {
                    let twin = family.constants().any(|o| o.name == k.name && o.on(target));
                    if !twin && c.is_some() {
                        out.push(Mismatch {
                            target: target.triple,
                            family: family.name.clone(),
                            kind: "constant",
                            struct_name: k.name.clone(),
                            what: "defined by libclang, not on this target in the IR".into(),
                        });
                    }
                    continue;
                }
                // An enum value the header then #defines as an expression of its name: C
                // reads the define's value (`Family::c_reads`).
                let ir = family.c_reads(k, target);
                if c != Some(ir) {
                    out.push(Mismatch {
                        target: target.triple,
                        family: family.name.clone(),
                        kind: "constant",
                        struct_name: k.name.clone(),
                        what: format!(
                            "{} by libclang, {ir} in the IR",
                            c.map_or("not an integer constant".to_string(), |v| v.to_string())
                        ),
                    });
                }
            }
        }
        // Every string define's array: its size (the NUL included) and each byte, as C
        // folds `NAME[i]` of a literal.
        let strings: Vec<&crate::ir::StringDefine> = families
            .iter()
            .flat_map(|c| c.latest().family().strings.iter())
            .collect();
        let exprs: Vec<String> = strings
            .iter()
            .flat_map(|d| {
                std::iter::once(format!("sizeof({})", d.name))
                    .chain((0..=d.bytes.len()).map(|i| format!("(unsigned char){}[{i}]", d.name)))
            })
            .collect();
        let values = evaluate_on(&source, &dirs, &exprs, target)?;
        for family in families.iter().map(|c| c.latest().family()) {
            for d in &family.strings {
                let mut bytes = d.bytes.clone();
                bytes.push(0);
                let size = values
                    .get(&format!("sizeof({})", d.name))
                    .copied()
                    .flatten();
                let read: Option<Vec<u8>> = (0..bytes.len())
                    .map(|i| {
                        let v = values
                            .get(&format!("(unsigned char){}[{i}]", d.name))
                            .copied()
                            .flatten()?;
                        u8::try_from(v).ok()
                    })
                    .collect();
                if size != Some(bytes.len() as u64) || read.as_deref() != Some(&bytes[..]) {
                    out.push(Mismatch {
                        target: target.triple,
                        family: family.name.clone(),
                        kind: "string",
                        struct_name: d.name.clone(),
                        what: format!(
                            "{} by libclang, {:?} ({} bytes) in the IR",
                            match (size, &read) {
                                (Some(n), Some(r)) =>
                                    format!("{:?} ({n} bytes)", String::from_utf8_lossy(r)),
                                (Some(n), None) => format!("{n} bytes, not read"),
                                _ => "not a string".to_string(),
                            },
                            String::from_utf8_lossy(&bytes),
                            bytes.len()
                        ),
                    });
                }
            }
        }
    }
    Ok(out)
}

/// Every difference between libclang's measure of a struct and the IR's layout of it.
pub(crate) fn compare(m: &Measured, ir: &crate::layout::StructLayout) -> Vec<String> {
    let mut out = Vec::new();
    if (m.size, m.align) != (ir.size, ir.align) {
        out.push(format!(
            "sizeof/alignof {}/{} by libclang, {}/{} in the IR",
            m.size, m.align, ir.size, ir.align
        ));
    }
    for member in ir
        .members
        .iter()
        .filter(|x| !x.path.contains("(anonymous "))
    {
        let ir_bits = member.bits.map(|b| (b.bit, b.width));
        match m.members.get(&member.path) {
            Some(&(o, s, b)) if (o, s, b) == (member.offset, member.size, ir_bits) => {}
            Some(&(_, _, b)) if b.is_some() || ir_bits.is_some() => {
                let bits = |b: Option<(u64, u32)>| match b {
                    Some((bit, w)) => format!("bits {bit}..{} ({w})", bit + u64::from(w)),
                    None => "not a bitfield".to_string(),
                };
                out.push(format!(
                    "`{}` at {} by libclang, {} in the IR",
                    member.path,
                    bits(b),
                    bits(ir_bits)
                ))
            }
            Some(&(o, s, _)) => out.push(format!(
                "`{}` at offset {o} size {s} by libclang, offset {} size {} in the IR",
                member.path, member.offset, member.size
            )),
            None => out.push(format!("`{}` is not in the header", member.path)),
        }
    }
    out
}

/// The value C gives each of `names` after `source` (x86-64), as `unsigned long long`: a
/// negative value comes back as its two's complement, `None` when it is not an integer
/// constant expression.
pub fn evaluate(
    source: &str,
    include: &[&Path],
    names: &[String],
) -> Result<BTreeMap<String, Option<u64>>, Error> {
    evaluate_on(source, include, names, crate::layout::DEFAULT_TARGET)
}

/// Like `evaluate`, on `target`: a header may give a constant another value, or none, on
/// another ABI.
pub fn evaluate_on(
    source: &str,
    include: &[&Path],
    names: &[String],
    target: &Target,
) -> Result<BTreeMap<String, Option<u64>>, Error> {
    // A floating constant (linux/synclink.h's `#define SYNCLINK_H_VERSION 3.6`) is no
    // integer, though C converts it to one: not a constant here.
    let mut text = source.to_string();
    text.push_str("extern unsigned long long uapigen_not_an_integer;\n");
    for (i, n) in names.iter().enumerate() {
        text.push_str(&format!(
            "static const unsigned long long uapigen_value_{i} = _Generic(({n}), float: \
             uapigen_not_an_integer, double: uapigen_not_an_integer, long double: \
             uapigen_not_an_integer, default: (unsigned long long)({n}));\n"
        ));
    }
    let args = c_args(target, include, &[]);
    let mut found: BTreeMap<usize, Option<u64>> = BTreeMap::new();
    // No translation unit leaves every value unknown, as a constant C cannot evaluate is.
    if let Some(tu) =
        TranslationUnit::parse("uapigen_values.c", Some(&text), &args, Detail::Declarations)?
    {
        tu.cursor().visit_children(|c| {
            if c.kind() != CursorKind::Var {
                return;
            }
            if let Some(i) = c
                .spelling()
                .strip_prefix("uapigen_value_")
                .and_then(|i| i.parse::<usize>().ok())
            {
                found.insert(i, c.evaluate_int());
            }
        });
    }
    Ok(names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), found.get(&i).copied().flatten()))
        .collect())
}
