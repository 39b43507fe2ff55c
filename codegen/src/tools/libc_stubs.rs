//! The C library's headers that uAPI headers include (<sys/socket.h> in linux/if.h,
//! <sys/time.h> in linux/input.h and linux/videodev2.h, <time.h> in sound/asound.h ...), as
//! import and the layout proof read them: libclang runs with `-nostdinc` for seven targets,
//! and the host has one C library, for its own ABI.
//!
//! Each stub declares what the kernel's headers take from it, laid out as glibc 2.36 (Debian
//! bookworm) lays it out on Linux without `_TIME_BITS=64` or `_FILE_OFFSET_BITS=64`: the
//! type glibc's `bits/typesizes.h` gives (`__time_t` and `__suseconds_t` are `long`), spelled
//! as the plain C type, so that it follows each target. `codegen/tests/libc_stubs.rs` holds
//! every type, member and constant here to the real glibc with gcc on x86-64 and i686.
//!
//! A struct a uAPI header takes from here becomes an `extern` copy in the schema (`extern =
//! "sys/time.h"`): the generated header includes the real C library's header, whose layout on
//! a 32-bit ABI built with `_TIME_BITS=64` differs, as the original's does.

/// Each stub: its path under the include folder, and its text.
pub const HEADERS: &[(&str, &str)] = &[
    ("stddef.h", STDDEF_H),
    ("stdlib.h", STDLIB_H),
    ("string.h", STRING_H),
    ("limits.h", LIMITS_H),
    ("endian.h", ENDIAN_H),
    ("unistd.h", UNISTD_H),
    ("time.h", TIME_H),
    ("sys/types.h", SYS_TYPES_H),
    ("sys/time.h", SYS_TIME_H),
    ("sys/socket.h", SYS_SOCKET_H),
    ("sys/ioctl.h", SYS_IOCTL_H),
    ("netinet/in.h", NETINET_IN_H),
    ("netinet/if_ether.h", NETINET_IF_ETHER_H),
    ("net/if.h", NET_IF_H),
];

/// The compiler's own <stddef.h> (gcc's and clang's define these from the target's macros).
const STDDEF_H: &str = "#ifndef _UAPIGEN_STDDEF_H\n#define _UAPIGEN_STDDEF_H\n\
typedef __SIZE_TYPE__ size_t;\ntypedef __PTRDIFF_TYPE__ ptrdiff_t;\n\
typedef __WCHAR_TYPE__ wchar_t;\n\
#define NULL ((void *)0)\n\
#define offsetof(TYPE, MEMBER) __builtin_offsetof(TYPE, MEMBER)\n\
#endif\n";

const STDLIB_H: &str = "#ifndef _STDLIB_H\n#define _STDLIB_H\n#include <stddef.h>\n#endif\n";

const STRING_H: &str = "#ifndef _STRING_H\n#define _STRING_H\n#include <stddef.h>\n#endif\n";

/// The compiler's <limits.h>, from the target's macros.
const LIMITS_H: &str = "#ifndef _UAPIGEN_LIMITS_H\n#define _UAPIGEN_LIMITS_H\n\
#define CHAR_BIT __CHAR_BIT__\n\
#define SCHAR_MAX __SCHAR_MAX__\n#define SCHAR_MIN (-SCHAR_MAX - 1)\n\
#define UCHAR_MAX (SCHAR_MAX * 2 + 1)\n\
#ifdef __CHAR_UNSIGNED__\n#define CHAR_MIN 0\n#define CHAR_MAX UCHAR_MAX\n\
#else\n#define CHAR_MIN SCHAR_MIN\n#define CHAR_MAX SCHAR_MAX\n#endif\n\
#define SHRT_MAX __SHRT_MAX__\n#define SHRT_MIN (-SHRT_MAX - 1)\n\
#define USHRT_MAX (SHRT_MAX * 2 + 1)\n\
#define INT_MAX __INT_MAX__\n#define INT_MIN (-INT_MAX - 1)\n\
#define UINT_MAX (INT_MAX * 2U + 1U)\n\
#define LONG_MAX __LONG_MAX__\n#define LONG_MIN (-LONG_MAX - 1L)\n\
#define ULONG_MAX (LONG_MAX * 2UL + 1UL)\n\
#define LLONG_MAX __LONG_LONG_MAX__\n#define LLONG_MIN (-LLONG_MAX - 1LL)\n\
#define ULLONG_MAX (LLONG_MAX * 2ULL + 1ULL)\n\
#endif\n";

/// glibc's <endian.h>: the byte orders as numbers and the target's, from the compiler.
const ENDIAN_H: &str = "#ifndef _ENDIAN_H\n#define _ENDIAN_H\n\
#ifndef __LITTLE_ENDIAN\n#define __LITTLE_ENDIAN 1234\n#endif\n\
#ifndef __BIG_ENDIAN\n#define __BIG_ENDIAN 4321\n#endif\n\
#define __PDP_ENDIAN 3412\n\
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__\n#define __BYTE_ORDER __BIG_ENDIAN\n\
#else\n#define __BYTE_ORDER __LITTLE_ENDIAN\n#endif\n\
#define __FLOAT_WORD_ORDER __BYTE_ORDER\n\
#define LITTLE_ENDIAN __LITTLE_ENDIAN\n#define BIG_ENDIAN __BIG_ENDIAN\n\
#define PDP_ENDIAN __PDP_ENDIAN\n#define BYTE_ORDER __BYTE_ORDER\n\
#endif\n";

const UNISTD_H: &str = "#ifndef _UNISTD_H\n#define _UNISTD_H\n#include <sys/types.h>\n\
int getpagesize(void);\n#endif\n";

/// bits/types/struct_timespec.h, under its guard, which <time.h> and <sys/time.h> (through
/// <sys/select.h>) both include, and the kernel's linux/time.h tests too.
macro_rules! timespec {
    () => {
        "#ifndef _STRUCT_TIMESPEC\n#define _STRUCT_TIMESPEC 1\n\
struct timespec {\n\tlong tv_sec;\n\tlong tv_nsec;\n};\n#endif\n"
    };
}

/// `time_t` is `__time_t`, `long` (bits/typesizes.h: `__TIME_T_TYPE __SYSCALL_SLONG_TYPE`).
const TIME_H: &str = concat!(
    "#ifndef _TIME_H\n#define _TIME_H\n#include <stddef.h>\n\
typedef long time_t;\ntypedef int clockid_t;\n",
    timespec!(),
    "\
struct itimerspec {\n\tstruct timespec it_interval;\n\tstruct timespec it_value;\n};\n\
#endif\n"
);

/// bits/typesizes.h's types: `__SWORD_TYPE` (`ssize_t`) is `int` on 32-bit ABIs.
const SYS_TYPES_H: &str = "#ifndef _SYS_TYPES_H\n#define _SYS_TYPES_H\n#include <stddef.h>\n\
typedef long time_t;\ntypedef long suseconds_t;\ntypedef long off_t;\n\
typedef int pid_t;\ntypedef unsigned int uid_t;\ntypedef unsigned int gid_t;\n\
typedef unsigned int mode_t;\n\
#if __SIZEOF_LONG__ == 8\ntypedef long ssize_t;\n#else\ntypedef int ssize_t;\n#endif\n\
#endif\n";

/// bits/types/struct_timeval.h: `__time_t tv_sec; __suseconds_t tv_usec;`; and `struct
/// timespec`, which linux/videodev2.h takes from here.
const SYS_TIME_H: &str = concat!(
    "#ifndef _SYS_TIME_H\n#define _SYS_TIME_H\n#include <sys/types.h>\n",
    timespec!(),
    "struct timeval {\n\tlong tv_sec;\n\tlong tv_usec;\n};\n\
struct timezone {\n\tint tz_minuteswest;\n\tint tz_dsttime;\n};\n\
#endif\n"
);

/// bits/sockaddr.h and bits/socket.h: `sa_family_t` is `unsigned short int`; a
/// `sockaddr_storage` is 128 bytes, aligned as `unsigned long` (`__ss_aligntype`); the `MSG_*`
/// flags of `send`/`recv` (enumerators of an enum of `int`s, each also #defined to its name),
/// which linux/sctp.h's `SCTP_EOF` takes.
const SYS_SOCKET_H: &str = "#ifndef _SYS_SOCKET_H\n#define _SYS_SOCKET_H\n\
#include <sys/types.h>\n\
typedef unsigned short sa_family_t;\ntypedef unsigned int socklen_t;\n\
struct sockaddr {\n\tsa_family_t sa_family;\n\tchar sa_data[14];\n};\n\
struct sockaddr_storage {\n\tsa_family_t ss_family;\n\
\tchar __ss_padding[128 - sizeof(unsigned short) - sizeof(unsigned long)];\n\
\tunsigned long __ss_align;\n};\n\
#define MSG_OOB 0x01\n\
#define MSG_PEEK 0x02\n\
#define MSG_DONTROUTE 0x04\n\
#define MSG_CTRUNC 0x08\n\
#define MSG_PROXY 0x10\n\
#define MSG_TRUNC 0x20\n\
#define MSG_DONTWAIT 0x40\n\
#define MSG_EOR 0x80\n\
#define MSG_WAITALL 0x100\n\
#define MSG_FIN 0x200\n\
#define MSG_SYN 0x400\n\
#define MSG_CONFIRM 0x800\n\
#define MSG_RST 0x1000\n\
#define MSG_ERRQUEUE 0x2000\n\
#define MSG_NOSIGNAL 0x4000\n\
#define MSG_MORE 0x8000\n\
#define MSG_WAITFORONE 0x10000\n\
#define MSG_BATCH 0x40000\n\
#define MSG_ZEROCOPY 0x4000000\n\
#define MSG_FASTOPEN 0x20000000\n\
#define MSG_CMSG_CLOEXEC 0x40000000\n\
#endif\n";

/// glibc's <net/if.h>, for linux/hdlc/ioctl.h's `IFNAMSIZ` (which linux/if.h defines before
/// including it). Its guard is not glibc's `_NET_IF_H`, which <linux/libc-compat.h> tests to
/// leave `struct ifreq` and the `IFF_*` flags to the C library, which this stub does not
/// declare.
const NET_IF_H: &str = "#ifndef _UAPIGEN_NET_IF_H\n#define _UAPIGEN_NET_IF_H\n\
#define IF_NAMESIZE 16\n#define IFNAMSIZ IF_NAMESIZE\n#endif\n";

/// glibc's <sys/ioctl.h> brings the kernel's `_IO()` family.
const SYS_IOCTL_H: &str = "#ifndef _SYS_IOCTL_H\n#define _SYS_IOCTL_H\n\
#include <linux/ioctl.h>\n#endif\n";

/// glibc's <netinet/in.h>, for linux/mptcp.h: its port and address types. Its guard is not
/// glibc's `_NETINET_IN_H`, which <linux/libc-compat.h> tests to leave `struct in_addr`,
/// `sockaddr_in`, `in6_addr`, `sockaddr_in6` and the `IPPROTO_*` values to the C library: so
/// the kernel's <linux/in.h> and <linux/in6.h> declare them, laid out as glibc's are (held to
/// glibc by codegen/tests/libc_stubs.rs), and an `extern` copy names the kernel's header.
const NETINET_IN_H: &str = "#ifndef _UAPIGEN_NETINET_IN_H
#define _UAPIGEN_NETINET_IN_H
\
#include <sys/socket.h>
\
typedef unsigned short in_port_t;
typedef unsigned int in_addr_t;
\
#endif
";

/// glibc's <netinet/if_ether.h> declares ARP's `struct ether_arp` and includes the kernel's
/// <linux/if_ether.h>; linux/netfilter_bridge.h includes it only for what it may define of
/// <linux/if_ether.h>'s `__UAPI_DEF_ETHHDR` (glibc's does not), and includes
/// <linux/if_ether.h> itself: the header takes nothing from it.
const NETINET_IF_ETHER_H: &str =
    "#ifndef __NETINET_IF_ETHER_H\n#define __NETINET_IF_ETHER_H 1\n#endif\n";

/// Writes every stub under `dir` (which must exist).
pub fn write(dir: &std::path::Path) -> std::io::Result<()> {
    for (path, text) in HEADERS {
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(file, text)?;
    }
    Ok(())
}
