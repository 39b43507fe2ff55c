//! The C library's headers as import and the layout proof read them (`libc_stubs`), held by gcc
//! to the machine's real glibc on x86-64 and i686: every type's size, alignment and C type,
//! every struct member's offset, size and type, and every constant's value and type. The real
//! headers are measured by a program; the stubs must then pass a `_Static_assert` of each value
//! compiled with `-nostdinc` against the stubs alone.

mod common;

use common::*;

/// An integer code per C integer type: `_Generic` tells `long` from `long long` where their
/// sizes agree, which a size test would not.
const TYPE_CODE: &str = "#define TYPE_CODE(x) _Generic((x), char: 1, signed char: 2, \
    unsigned char: 3, short: 4, unsigned short: 5, int: 6, unsigned int: 7, long: 8, \
    unsigned long: 9, long long: 10, unsigned long long: 11, default: 0)\n";

/// The headers a probe includes, as a uAPI header includes them.
const INCLUDES: &[&str] = &[
    "stddef.h",
    "stdlib.h",
    "string.h",
    "limits.h",
    "endian.h",
    "unistd.h",
    "time.h",
    "sys/types.h",
    "sys/time.h",
    "sys/socket.h",
    "sys/ioctl.h",
    "netinet/in.h",
    "netinet/if_ether.h",
    "net/if.h",
];

const TYPES: &[&str] = &[
    "size_t",
    "ptrdiff_t",
    "wchar_t",
    "time_t",
    "clockid_t",
    "suseconds_t",
    "off_t",
    "pid_t",
    "uid_t",
    "gid_t",
    "mode_t",
    "ssize_t",
    "sa_family_t",
    "socklen_t",
    "in_port_t",
    "in_addr_t",
];

const STRUCTS: &[(&str, &[&str])] = &[
    ("timespec", &["tv_sec", "tv_nsec"]),
    ("itimerspec", &["it_interval", "it_value"]),
    ("timeval", &["tv_sec", "tv_usec"]),
    ("timezone", &["tz_minuteswest", "tz_dsttime"]),
    ("sockaddr", &["sa_family", "sa_data"]),
    (
        "sockaddr_storage",
        &["ss_family", "__ss_padding", "__ss_align"],
    ),
];

const CONSTANTS: &[&str] = &[
    "CHAR_BIT",
    "SCHAR_MAX",
    "SCHAR_MIN",
    "UCHAR_MAX",
    "CHAR_MIN",
    "CHAR_MAX",
    "SHRT_MAX",
    "SHRT_MIN",
    "USHRT_MAX",
    "INT_MAX",
    "INT_MIN",
    "UINT_MAX",
    "LONG_MAX",
    "LONG_MIN",
    "ULONG_MAX",
    "LLONG_MAX",
    "LLONG_MIN",
    "ULLONG_MAX",
    "__LITTLE_ENDIAN",
    "__BIG_ENDIAN",
    "__PDP_ENDIAN",
    "__BYTE_ORDER",
    "LITTLE_ENDIAN",
    "BIG_ENDIAN",
    "PDP_ENDIAN",
    "BYTE_ORDER",
    "_IOR('x', 1, struct timeval)",
    "_IOW('x', 2, struct sockaddr)",
    "offsetof(struct sockaddr, sa_data)",
    "MSG_OOB",
    "MSG_PEEK",
    "MSG_DONTROUTE",
    "MSG_CTRUNC",
    "MSG_PROXY",
    "MSG_TRUNC",
    "MSG_DONTWAIT",
    "MSG_EOR",
    "MSG_WAITALL",
    "MSG_FIN",
    "MSG_SYN",
    "MSG_CONFIRM",
    "MSG_RST",
    "MSG_ERRQUEUE",
    "MSG_NOSIGNAL",
    "MSG_MORE",
    "MSG_WAITFORONE",
    "MSG_BATCH",
    "MSG_ZEROCOPY",
    "MSG_FASTOPEN",
    "MSG_CMSG_CLOEXEC",
    "IF_NAMESIZE",
    "IFNAMSIZ",
];

/// Every integer constant expression the stubs must agree on.
fn expressions() -> Vec<String> {
    let mut out = Vec::new();
    for t in TYPES {
        out.push(format!("sizeof({t})"));
        out.push(format!("_Alignof({t})"));
        out.push(format!("TYPE_CODE(({t})0)"));
    }
    for (s, members) in STRUCTS {
        out.push(format!("sizeof(struct {s})"));
        out.push(format!("_Alignof(struct {s})"));
        for m in *members {
            out.push(format!("offsetof(struct {s}, {m})"));
            out.push(format!("sizeof(((struct {s} *)0)->{m})"));
            out.push(format!("TYPE_CODE(((struct {s} *)0)->{m})"));
        }
    }
    for c in CONSTANTS {
        out.push(format!("{c}"));
        out.push(format!("TYPE_CODE({c})"));
    }
    out
}

fn includes() -> String {
    INCLUDES
        .iter()
        .map(|h| format!("#include <{h}>\n"))
        .collect()
}

/// The stubs under `stubs`, with uapigen's <linux/ioctl.h> (which <sys/ioctl.h> includes).
fn stubs() -> tempfile::TempDir {
    let stubs = tempfile::tempdir().unwrap();
    uapigen::libc_stubs::write(stubs.path()).unwrap();
    std::fs::create_dir(stubs.path().join("linux")).unwrap();
    std::fs::write(
        stubs.path().join("linux/ioctl.h"),
        uapigen::clang_proof::IOCTL_H,
    )
    .unwrap();
    stubs
}

/// Measures every expression with the real glibc for `flag` (-m64, -m32), then asserts each
/// value against the stubs under `stubs`; gcc's errors where they differ.
fn judge(stubs: &std::path::Path, flag: &str) -> Result<(), String> {
    let exprs = expressions();
    let mut probe = format!(
        "{}#include <stdio.h>\n{TYPE_CODE}int main(void) {{\n",
        includes()
    );
    for e in &exprs {
        probe.push_str(&format!("\tprintf(\"%lld\\n\", (long long)({e}));\n"));
    }
    probe.push_str("\treturn 0;\n}\n");
    let dir = tempfile::tempdir().unwrap();
    let real = run(&compile(
        "gcc",
        "real.c",
        &probe,
        &["-std=gnu11", "-Wall", "-Werror", flag],
        dir.path(),
    ));
    let values: Vec<&str> = real.lines().collect();
    assert_eq!(values.len(), exprs.len(), "{flag}: {real}");

    let mut check = format!("{}{TYPE_CODE}", includes());
    for (e, v) in exprs.iter().zip(&values) {
        // C has no literal of -2^63: the negation of 2^63 is unsigned.
        let literal = match v.parse::<i64>() {
            Ok(i64::MIN) => "(-9223372036854775807LL - 1)".to_string(),
            _ => format!("{v}LL"),
        };
        check.push_str(&format!(
            "_Static_assert((long long)({e}) == {literal}, \"{} is {v} in glibc ({flag})\");\n",
            e.replace('"', "\\\"").replace('\'', "\\'")
        ));
    }
    let src = dir.path().join("stub.c");
    std::fs::write(&src, &check).unwrap();
    let out = std::process::Command::new("gcc")
        .args(["-std=gnu11", "-Wall", "-Werror", "-nostdinc", "-c", flag])
        .arg("-I")
        .arg(stubs)
        .arg(&src)
        .arg("-o")
        .arg(dir.path().join("stub.o"))
        .output()
        .expect("gcc runs (scripts/setup installs it)");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn the_c_library_stubs_are_glibc_on_x86_64_and_i686() {
    assert!(
        expressions().len() > 100,
        "{} expressions",
        expressions().len()
    );
    // Every stub is measured: none is left out of the probe.
    let mut listed: Vec<&str> = uapigen::libc_stubs::HEADERS
        .iter()
        .map(|(p, _)| *p)
        .collect();
    listed.sort();
    let mut probed = INCLUDES.to_vec();
    probed.sort();
    assert_eq!(listed, probed);
    let stubs = stubs();
    for flag in ["-m64", "-m32"] {
        if let Err(e) = judge(stubs.path(), flag) {
            panic!("the stubs differ from glibc ({flag}):\n{e}");
        }
    }
}

/// The judge can fail: a `timeval` whose `tv_usec` is an `int` is caught, at that member.
#[test]
fn a_wrong_stub_fails_the_judge() {
    let stubs = stubs();
    let time = stubs.path().join("sys/time.h");
    let text = std::fs::read_to_string(&time).unwrap();
    assert!(text.contains("long tv_usec;"));
    std::fs::write(&time, text.replace("long tv_usec;", "int tv_usec;")).unwrap();
    let err = judge(stubs.path(), "-m64").expect_err("a 12-byte timeval passed");
    assert!(err.contains("(struct timeval *)0)->tv_usec) is 8"), "{err}");
}
