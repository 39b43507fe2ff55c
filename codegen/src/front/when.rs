//! `when = "CONDITION"` and `unless = "CONDITION"` on a member: the header declares it under
//! `#if CONDITION` (or that condition's `#else`), a test of what the compiler predefines for
//! the architecture (`defined(__i386__)`) and of <asm/bitsperlong.h>'s `__BITS_PER_LONG`, as
//! asm-generic/msgbuf.h and x86's asm/ldt.h do. Each of `layout::TARGETS` answers it as its
//! compiler does; a name whose value uapigen does not know per target is refused, not taken
//! as C's 0.

use crate::model::layout::{Target, TARGETS};

use super::cexpr;

/// The macros a condition may test (codegen/tests/kernel_types.rs holds each target's answer
/// to its compiler and its asm/bitsperlong.h).
pub const MACROS: &[&str] = &[
    "__BITS_PER_LONG",
    "__x86_64__",
    "__x86_64",
    "__i386__",
    "__i386",
    "__aarch64__",
    "__arm__",
    "__riscv",
    "__powerpc64__",
    "__PPC64__",
    "__powerpc__",
    "__PPC__",
    "__s390x__",
    "__s390__",
    "__LP64__",
    "_LP64",
    "__ILP32__",
    "_ILP32",
    "__KERNEL__",
    "__ARCH_WANT_STAT64",
    "__ARCH_WANT_MEMFD_SECRET",
    "__ARCH_WANT_NEW_STAT",
    "__ARCH_WANT_RENAMEAT",
    "__ARCH_WANT_SET_GET_RLIMIT",
    "__ARCH_WANT_SYNC_FILE_RANGE2",
    "__ARCH_WANT_TIME32_SYSCALLS",
    "__SYSCALL_COMPAT",
    "__mc68000__",
    "__mips__",
    "__sparc__",
    "__arch64__",
    "__alpha__",
    "__ia64__",
    "__LITTLE_ENDIAN_BITFIELD",
    "__BIG_ENDIAN_BITFIELD",
    "__LITTLE_ENDIAN",
    "__BIG_ENDIAN",
    "__BYTE_ORDER",
];

/// Who defined the byte-order macros a condition tests: <asm/byteorder.h> alone (the kernel's
/// linux/byteorder/little_endian.h defines `__LITTLE_ENDIAN` 1234 and
/// `__LITTLE_ENDIAN_BITFIELD`, big_endian.h `__BIG_ENDIAN` 4321 and `__BIG_ENDIAN_BITFIELD`),
/// or the C library's <endian.h> first, as any C library header includes it (glibc defines
/// `__LITTLE_ENDIAN` 1234, `__BIG_ENDIAN` 4321 and `__BYTE_ORDER` the target's, on either
/// byte order; the kernel's then adds its `_BITFIELD` macro). A condition must answer alike
/// in both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    Kernel,
    Libc,
}

/// The macros whose answer depends on the reader: a condition that tests one needs
/// <asm/byteorder.h> included above it.
pub const BYTE_ORDER_MACROS: &[&str] = &[
    "__LITTLE_ENDIAN_BITFIELD",
    "__BIG_ENDIAN_BITFIELD",
    "__LITTLE_ENDIAN",
    "__BIG_ENDIAN",
    "__BYTE_ORDER",
];

/// What `t`'s compiler (gcc and clang alike: `-dM -E`) or <asm/bitsperlong.h> defines `name`
/// to: None for a name not in `MACROS`, `Some(None)` where it is not defined.
pub fn predefined(t: &Target, name: &str) -> Option<Option<i128>> {
    predefined_by(t, name, Reader::Kernel)
}

fn predefined_by(t: &Target, name: &str, reader: Reader) -> Option<Option<i128>> {
    let arch = t.rust_arch;
    let (little, big) = (Some(Some(1234)), Some(Some(4321)));
    match (name, reader) {
        ("__LITTLE_ENDIAN_BITFIELD", _) => return Some((!t.big_endian).then_some(1)),
        ("__BIG_ENDIAN_BITFIELD", _) => return Some(t.big_endian.then_some(1)),
        ("__LITTLE_ENDIAN", Reader::Libc) => return little,
        ("__BIG_ENDIAN", Reader::Libc) => return big,
        ("__LITTLE_ENDIAN", Reader::Kernel) => {
            return if t.big_endian { Some(None) } else { little }
        }
        ("__BIG_ENDIAN", Reader::Kernel) => return if t.big_endian { big } else { Some(None) },
        ("__BYTE_ORDER", Reader::Libc) => return if t.big_endian { big } else { little },
        ("__BYTE_ORDER", Reader::Kernel) => return Some(None),
        _ => {}
    }
    let lp64 = t.long_size == 8;
    let on = |yes: bool| Some(yes.then_some(1));
    match name {
        "__BITS_PER_LONG" => Some(Some(if lp64 { 64 } else { 32 })),
        "__x86_64__" | "__x86_64" => on(arch == "x86_64"),
        "__i386__" | "__i386" => on(arch == "x86"),
        "__aarch64__" => on(arch == "aarch64"),
        "__arm__" => on(arch == "arm"),
        "__riscv" => on(arch == "riscv64"),
        "__powerpc64__" | "__PPC64__" => on(arch == "powerpc64"),
        "__powerpc__" | "__PPC__" => on(arch == "powerpc64"),
        "__s390x__" | "__s390__" => on(arch == "s390x"),
        "__LP64__" | "_LP64" => on(lp64),
        "__ILP32__" | "_ILP32" => on(!lp64),
        // A program including a uAPI header is no kernel build (asm-generic/fcntl.h's
        // `#if __BITS_PER_LONG == 32 || defined(__KERNEL__)`).
        "__KERNEL__" => on(false),
        // An architecture's kernel-internal <asm/unistd.h> defines it for its compat stat64
        // (arm's, alpha's); no uAPI header of the 7 targets does (Debian unstable's 7.2, every
        // architecture: only asm-generic/stat.h and asm-generic/unistd.h test it).
        "__ARCH_WANT_STAT64" => on(false),
        // Likewise asm-generic/unistd.h's choices of system calls, which an architecture's
        // kernel-internal <asm/unistd.h> makes: no uAPI header of the 7 defines one
        // (Debian unstable's 7.2, every architecture).
        "__ARCH_WANT_MEMFD_SECRET"
        | "__ARCH_WANT_NEW_STAT"
        | "__ARCH_WANT_RENAMEAT"
        | "__ARCH_WANT_SET_GET_RLIMIT"
        | "__ARCH_WANT_SYNC_FILE_RANGE2"
        | "__ARCH_WANT_TIME32_SYSCALLS" => on(false),
        // The kernel's compat system call table defines it before including
        // asm-generic/unistd.h (arch/arm64/kernel/sys32.c); no program does.
        "__SYSCALL_COMPAT" => on(false),
        // Other architectures' compilers' (linux/a.out.h's `defined(__mc68000__)`,
        // linux/kd.h's `__sparc__`): none of the 7 predefines one.
        "__mc68000__" | "__mips__" | "__sparc__" | "__arch64__" | "__alpha__" | "__ia64__" => {
            on(false)
        }
        _ => None,
    }
}

/// The condition on one line, its words one space apart, and whether it holds on each of
/// `TARGETS`; the error says why it is refused.
pub fn evaluate(text: &str) -> Result<(String, Vec<bool>), String> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Err("is empty".into());
    }
    let mut out = Vec::with_capacity(TARGETS.len());
    for t in TARGETS {
        let [kernel, libc] = [Reader::Kernel, Reader::Libc].map(|r| -> Result<bool, String> {
            let expr = substitute(&text, t, r)?;
            let parsed =
                cexpr::parse(&expr).map_err(|e| format!("is not a condition: {}", e.message))?;
            let v = parsed
                .eval(cexpr::LP64, &|_| None)
                .map_err(|e| format!("is not a condition: {}", e.message))?;
            Ok(v.value != 0)
        });
        let kernel = kernel?;
        if kernel != libc? {
            return Err(format!(
                "{} on {} where only <asm/byteorder.h> defines the byte order, and {} \
                 where the C library's <endian.h> came first (it defines `__LITTLE_ENDIAN` \
                 and `__BIG_ENDIAN` on either byte order): test `__LITTLE_ENDIAN_BITFIELD` \
                 or `__BIG_ENDIAN_BITFIELD`, or `defined(__BYTE_ORDER) ? __BYTE_ORDER == \
                 __BIG_ENDIAN : defined(__BIG_ENDIAN)`",
                if kernel { "holds" } else { "fails" },
                t.triple,
                if kernel { "fails" } else { "holds" }
            ));
        }
        out.push(kernel);
    }
    Ok((text, out))
}

/// Whether condition `text` tests a macro of <asm/byteorder.h>'s (`BYTE_ORDER_MACROS`).
pub fn tests_byte_order(text: &str) -> bool {
    cexpr::words(text).any(|w| BYTE_ORDER_MACROS.contains(&&text[w]))
}

/// `text` with `defined(X)`, `defined X` and the known macros replaced by their value on `t`
/// as `reader` sees them.
fn substitute(text: &str, t: &Target, reader: Reader) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if !(c.is_ascii_alphabetic() || c == '_') {
            out.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let n = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let (word, after) = rest.split_at(n);
        rest = after;
        if word == "defined" {
            // `defined(X)` or `defined X`.
            let r = rest.trim_start();
            let (paren, r) = match r.strip_prefix('(') {
                Some(r) => (true, r.trim_start()),
                None => (false, r),
            };
            let m = r
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(r.len());
            let (name, mut r) = r.split_at(m);
            if name.is_empty() {
                return Err("has `defined` without a macro name".into());
            }
            if paren {
                r = r
                    .trim_start()
                    .strip_prefix(')')
                    .ok_or("has `defined(` without its `)`")?;
            }
            let v = predefined_by(t, name, reader).ok_or_else(|| unknown(name))?;
            out.push_str(if v.is_some() { "1" } else { "0" });
            rest = r;
            continue;
        }
        // <asm/byteorder.h> defines these empty: C's `#if` takes only `defined` of them.
        if word.ends_with("_ENDIAN_BITFIELD") {
            return Err(format!(
                "reads `{word}`, which <asm/byteorder.h> defines empty: test `defined({word})`"
            ));
        }
        match predefined_by(t, word, reader) {
            Some(v) => out.push_str(&v.unwrap_or(0).to_string()),
            None if word.chars().next().is_some_and(|c| c.is_ascii_digit()) => out.push_str(word),
            None => return Err(unknown(word)),
        }
    }
    Ok(out)
}

fn unknown(name: &str) -> String {
    format!(
        "tests `{name}`, whose value uapigen does not know on each target (it knows {})",
        MACROS.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(text: &str) -> Vec<&'static str> {
        let (_, v) = evaluate(text).unwrap();
        TARGETS
            .iter()
            .zip(v)
            .filter(|(_, y)| *y)
            .map(|(t, _)| t.rust_arch)
            .collect()
    }

    #[test]
    fn each_target_answers_as_its_compiler() {
        assert_eq!(
            on("__BITS_PER_LONG == 64"),
            ["x86_64", "aarch64", "riscv64", "powerpc64", "s390x"]
        );
        assert_eq!(on("defined(__i386__)"), ["x86"]);
        assert_eq!(on("defined __x86_64__ && !defined(__ILP32__)"), ["x86_64"]);
        assert_eq!(
            on("__BITS_PER_LONG != 64 || defined(__s390x__)"),
            ["x86", "arm", "s390x"]
        );
        // asm-generic/unistd.h's, which a kernel build's own <asm/unistd.h> would define.
        assert_eq!(
            on("defined(__ARCH_WANT_TIME32_SYSCALLS) || __BITS_PER_LONG != 32"),
            ["x86_64", "aarch64", "riscv64", "powerpc64", "s390x"]
        );
        assert_eq!(
            on("__BITS_PER_LONG == 32 || defined(__SYSCALL_COMPAT)"),
            ["x86", "arm"]
        );
    }

    #[test]
    fn byte_order_is_the_targets_whoever_defined_it() {
        assert_eq!(on("defined(__BIG_ENDIAN_BITFIELD)"), ["s390x"]);
        assert_eq!(
            on("defined(__LITTLE_ENDIAN_BITFIELD)").len(),
            TARGETS.len() - 1
        );
        // linux/acct.h's and linux/aio_abi.h's spelling, right with <endian.h> or without.
        assert_eq!(
            on("defined(__BYTE_ORDER) ? __BYTE_ORDER == __BIG_ENDIAN : defined(__BIG_ENDIAN)"),
            ["s390x"]
        );
        assert!(evaluate("__BIG_ENDIAN_BITFIELD")
            .unwrap_err()
            .contains("defines empty"));
        assert!(tests_byte_order("defined(__BIG_ENDIAN)"));
        assert!(!tests_byte_order("defined(__i386__)"));
        // Both are defined once <endian.h> came first: scsi_bsg_ufs.h's test holds on s390x
        // too then.
        for c in [
            "defined(__LITTLE_ENDIAN)",
            "defined(__BIG_ENDIAN)",
            "defined(__BYTE_ORDER)",
        ] {
            let e = evaluate(c).unwrap_err();
            assert!(e.contains("<endian.h> came first"), "{c}: {e}");
        }
    }

    #[test]
    fn an_unknown_name_is_refused_not_taken_as_zero() {
        let e = evaluate("defined(__or1k__)").unwrap_err();
        assert!(e.contains("`__or1k__`"), "{e}");
        let e = evaluate("CONFIG_X == 1").unwrap_err();
        assert!(e.contains("`CONFIG_X`"), "{e}");
        assert!(evaluate("defined(").is_err());
        assert!(evaluate("  ").is_err());
    }
}
