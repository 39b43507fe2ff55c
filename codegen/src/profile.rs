//! Output profiles: where the generated files go and in which dialect, for the people who
//! consume them.
//!
//! - `generated`: this repository's `generated/` (uAPI headers, user-space C validators, the
//!   Rust crate).
//! - `kernel`: a kernel tree. The uAPI headers in `include/uapi/linux/`, the validators as
//!   kernel code includes them (`include/linux/uapigen/`: `__user` pointers,
//!   `copy_from_user`, kernel headers only).
//! - `qemu`: a QEMU checkout. `linux-headers/linux/<family>.h` as QEMU's
//!   `scripts/update-linux-headers.sh` leaves them: the output of the kernel's
//!   `make headers_install` ([`crate::headers_install`]: no `__user`, no `__KERNEL__`
//!   blocks, no `<linux/compiler.h>`, `_UAPI` dropped from the guard), copied as is
//!   (`update-linux-headers.sh`: `for header in ... iommufd.h ...; do cp
//!   "$hdrdir/include/linux/$header" "$output/linux-headers/linux"`).
//! - `rust-vmm`: `<family>-bindings/` crates with the public API bindgen gives the rust-vmm
//!   crates (`iommufd-bindings`, `vfio-bindings`), so a VMM can `[patch.crates-io]` them in
//!   ([`crate::emit::rust_vmm`], whose `PUBLISHED` says how each published crate is laid out).
//!
//! Which files each profile holds is the planner's ([`Tree::of`](crate::plan::Tree::of)); this
//! module names the profiles and says what must never leak into their files.

pub use crate::headers_install::headers_install;

/// Which tree an output folder is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Profile {
    /// This repository's `generated/`.
    Generated,
    /// A kernel tree.
    Kernel,
    /// A QEMU checkout.
    Qemu,
    /// A crate per family in bindgen's API, as the rust-vmm crates (`iommufd-bindings`,
    /// `vfio-bindings`) have it.
    RustVmm,
}

/// What a user-space consumer must never see in a uAPI header: `__user`-style kernel
/// annotations, `__KERNEL__` blocks, and includes other than `<linux/…>` / `<asm/…>` uAPI
/// headers. One line per finding, `path:line: what`.
pub fn userspace_leaks(path: &str, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        let mut say = |what: &str| found.push(format!("{path}:{}: {what}: {}", i + 1, line.trim()));
        if t.starts_with("/*") || t.starts_with('*') || t.starts_with("//") {
            continue;
        }
        for word in ["__user", "__force", "__iomem", "__KERNEL__"] {
            if line.contains(word) {
                say(&format!("kernel-only `{word}`"));
            }
        }
        if let Some(rest) = t.strip_prefix("#include") {
            let inc = rest.trim();
            let uapi = (inc.starts_with("<linux/") || inc.starts_with("<asm/"))
                && inc != "<linux/compiler.h>";
            if !uapi {
                say("not a uAPI include");
            }
        }
    }
    found
}

/// What kernel code must never include: the C library's headers.
pub fn kernel_leaks(path: &str, text: &str) -> Vec<String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            l.trim_start().strip_prefix("#include").is_some_and(|inc| {
                let inc = inc.trim();
                !(inc.starts_with("<linux/")
                    || inc.starts_with("<uapi/")
                    || inc.starts_with("<asm/"))
            })
        })
        .map(|(i, l)| format!("{path}:{}: not a kernel include: {}", i + 1, l.trim()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaks_are_found_and_headers_install_leaves_none() {
        let text = "#include <linux/compiler.h>\n#include <linux/types.h>\nstruct a {\n\tvoid __user *p;\n};\n#ifdef __KERNEL__\n#if X\nint k;\n#endif\n#endif\nint u;\n";
        let out = headers_install(text).unwrap();
        assert_eq!(
            out,
            "\n#include <linux/types.h>\nstruct a {\n\tvoid *p;\n};\nint u;\n"
        );
        assert!(userspace_leaks("a.h", &out).is_empty());
        let leaks = userspace_leaks("a.h", text);
        assert_eq!(leaks.len(), 3, "{leaks:#?}");
        assert!(leaks[0].starts_with("a.h:1: not a uAPI include"));
        assert_eq!(
            kernel_leaks("v.h", "#include <string.h>\n#include <linux/uaccess.h>\n"),
            vec!["v.h:1: not a kernel include: #include <string.h>"]
        );
    }
}
