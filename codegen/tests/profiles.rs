//! `generate --profile kernel|qemu`: the trees land where a kernel tree and a QEMU checkout
//! keep these files, nothing user-space-illegal leaks into them, the QEMU headers build as a
//! VMM builds them, and the kernel-side validators build and run as kernel code includes them.

mod common;

use std::path::Path;
use std::process::Command;

use uapigen::emit::RustCrate;
use uapigen::plan::{Emitter, Tree};
use uapigen::profile::{headers_install, kernel_leaks, userspace_leaks};

fn uapigen(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_uapigen"))
        .current_dir(common::repo_root())
        .args(args)
        .output()
        .unwrap()
}

fn tree(profile: &str) -> std::path::PathBuf {
    let dir = tempfile::tempdir().unwrap().keep();
    let out = uapigen(&[
        "generate",
        "--profile",
        profile,
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// The planner's list for `tree`: each path, and the family whose uAPI header it is (`Header`
/// or `InstalledHeader`), if it is one.
fn planned(families: &[uapigen::Checked], tree: &Tree) -> Vec<(String, Option<String>)> {
    let plan = uapigen::plan(families, tree).unwrap();
    let mut out: Vec<(String, Option<String>)> = plan
        .files
        .iter()
        .map(|f| {
            let header = match f.emitter {
                Emitter::Header(m) | Emitter::InstalledHeader(m) => Some(m.family.name.clone()),
                _ => None,
            };
            (f.path.clone(), header)
        })
        .collect();
    out.sort();
    out
}

/// Where `generated/` keeps family `name`'s uAPI header, as the planner says.
fn generated_header(families: &[uapigen::Checked], name: &str) -> std::path::PathBuf {
    let (path, _) = planned(families, &Tree::Generated(RustCrate::default()))
        .into_iter()
        .find(|(_, h)| h.as_deref() == Some(name))
        .expect("every family has a uAPI header in generated/");
    common::repo_root().join("generated").join(path)
}

fn files(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_qemu_tree_is_linux_headers_as_headers_install_leaves_them() {
    let dir = tree("qemu");
    let got = files(&dir);
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "linux-headers/linux/iommu.h",
            "linux-headers/linux/iommufd.h",
            "linux-headers/linux/vfio.h",
        ]
    );
    let families = common::real_families();
    let plan = planned(&families, &Tree::Qemu);
    assert_eq!(
        names,
        plan.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
        "the CLI writes what the planner lists"
    );
    for ((name, text), (_, header_of)) in got.iter().zip(&plan) {
        assert_eq!(userspace_leaks(name, text), Vec::<String>::new());
        let header_of = header_of.as_deref().expect("a QEMU file is a uAPI header");
        let uapi = std::fs::read_to_string(generated_header(&families, header_of)).unwrap();
        assert_eq!(*text, headers_install(&uapi).unwrap(), "{name}");
        // headers_install drops `_UAPI` from the guard: QEMU's copy says `_IOMMUFD_H` for
        // `_UAPI_IOMMUFD_H`, `VFIO_H` for `_UAPIVFIO_H`.
        let uapi_guard = uapi
            .lines()
            .find_map(|l| l.strip_prefix("#ifndef "))
            .expect("a guard");
        let guard = uapi_guard.replacen("_UAPI", "", 1);
        assert!(
            text.contains(&format!("#ifndef {guard}\n#define {guard}\n"))
                && text.contains(&format!("#endif /* {guard} */")),
            "{name}: guard {guard}"
        );
        assert!(!text.contains("_UAPI"), "{name}");
        assert!(text.contains("/**"), "kernel-doc comments kept");
    }
    // builds the way QEMU builds: gnu11, warnings as errors, against linux-headers/
    let src = "#include <linux/iommu.h>\n#include <linux/iommufd.h>\n\
               int main(void) { struct iommu_hwpt_invalidate c = { .size = sizeof(c) };\n\
               struct iommu_cache_invalidate_info i = { .argsz = sizeof(i) };\n\
               return (int)(c.size + i.argsz) - 88; }\n";
    let exe = common::compile(
        "cc",
        "vmm.c",
        src,
        &["-std=gnu11", "-Wall", "-Wextra", "-Werror"],
        &dir.join("linux-headers"),
    );
    common::run(&exe);
}

/// Just enough of the kernel's headers for the validators: `__user`, `copy_from_user` (bytes
/// not copied), the attributes <linux/compiler.h> gives every user of <linux/uaccess.h>
/// (`noinline`, `__cold`, `__maybe_unused`, as include/linux/compiler_attributes.h and
/// compiler_types.h define them), and the string/errno headers.
const KERNEL_STUBS: &[(&str, &str)] = &[
    (
        "linux/uaccess.h",
        "#include <string.h>\n#define __user\n\
         #define noinline __attribute__((__noinline__))\n\
         #define __cold __attribute__((__cold__))\n\
         #define __maybe_unused __attribute__((__unused__))\n\
         static inline unsigned long copy_from_user(void *to, const void __user *from, unsigned long n)\n{ memcpy(to, from, n); return 0; }\n",
    ),
    ("linux/string.h", "#include <string.h>\n"),
    ("linux/errno.h", "#include <asm-generic/errno.h>\n"),
];

#[test]
fn the_kernel_tree_has_clean_uapi_headers_and_kernel_validators() {
    let dir = tree("kernel");
    let got = files(&dir);
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "include/linux/uapigen/iommu_validate.h",
            "include/linux/uapigen/iommufd_validate.h",
            "include/linux/uapigen/uaccess.h",
            "include/linux/uapigen/vfio_validate.h",
            "include/uapi/linux/iommu.h",
            "include/uapi/linux/iommufd.h",
            "include/uapi/linux/vfio.h",
        ]
    );
    let families = common::real_families();
    let plan = planned(&families, &Tree::Kernel);
    assert_eq!(
        names,
        plan.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
        "the CLI writes what the planner lists"
    );
    for ((name, text), (_, header_of)) in got.iter().zip(&plan) {
        assert!(
            text.lines().any(|l| l.starts_with('\t')),
            "{name}: kernel style indents with tabs"
        );
        if let Some(family) = header_of {
            assert_eq!(userspace_leaks(name, text), Vec::<String>::new());
            let generated = std::fs::read_to_string(generated_header(&families, family)).unwrap();
            assert_eq!(*text, generated, "{name}");
        } else {
            assert_eq!(kernel_leaks(name, text), Vec::<String>::new());
            assert!(
                !text.contains("memcpy((to)"),
                "{name}: no user-space copy fallback"
            );
            if name.ends_with("_validate.h") {
                assert!(
                    text.contains("const void __user *src"),
                    "{name}: user pointers are __user"
                );
            }
        }
    }
    // Kernel code includes the validator and copies a user struct with it.
    let stubs = tempfile::tempdir().unwrap().keep();
    for (path, text) in KERNEL_STUBS {
        std::fs::create_dir_all(stubs.join(path).parent().unwrap()).unwrap();
        std::fs::write(stubs.join(path), text).unwrap();
    }
    let src = "#include <linux/uapigen/iommufd_validate.h>\n#include <stdio.h>\n\
               int main(void) {\n\
               struct iommu_hwpt_invalidate u = { .size = 32, .entry_num = 1, .entry_len = 24, .data_uptr = 8 }, k;\n\
               int ok = iommu_hwpt_invalidate_copy_from_user(&k, (const void __user *)&u);\n\
               u.__reserved = 1;\n\
               int bad = iommu_hwpt_invalidate_copy_from_user(&k, (const void __user *)&u);\n\
               printf(\"%d %d\\n\", ok, bad); return 0; }\n";
    let stub_arg = format!("-I{}", stubs.display());
    let exe = common::compile(
        "cc",
        "kernel.c",
        src,
        &["-std=gnu11", "-Wall", "-Wextra", "-Werror", &stub_arg],
        &dir.join("include"),
    );
    assert_eq!(
        common::run(&exe),
        "0 -95\n",
        "accepted, then -EOPNOTSUPP for __reserved"
    );
}

#[test]
fn check_knows_each_profile_and_finds_a_stale_kernel_tree() {
    let dir = tree("kernel");
    let d = dir.to_str().unwrap();
    let out = uapigen(&["check", "--profile", "kernel", "--out", d]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let header = dir.join("include/uapi/linux/iommufd.h");
    let text = std::fs::read_to_string(&header).unwrap().replacen(
        "__u32 entry_len;",
        "__u16 entry_len;",
        1,
    );
    std::fs::write(&header, text).unwrap();
    let out = uapigen(&["check", "--profile", "kernel", "--out", d]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("include/uapi/linux/iommufd.h"));
    let out = uapigen(&["generate", "--profile", "vmm"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown profile is a usage error"
    );
}

#[test]
fn the_qemu_profile_refuses_a_gpl_header_without_the_syscall_note() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("schema");
    std::fs::create_dir(&schema).unwrap();
    std::fs::write(
        schema.join("t.toml"),
        "[family]\nname = \"t\"\nheader = \"linux/t.h\"\nguard = \"_UAPI_T_H\"\n\
         license = \"GPL-2.0\"\n\n[[revision]]\nid = \"r1\"\n\n\
         [[define]]\nname = \"T_X\"\nvalue = 1\n",
    )
    .unwrap();
    let out = uapigen(&[
        "generate",
        "--profile",
        "qemu",
        "--schema",
        schema.to_str().unwrap(),
        "--out",
        dir.path().join("qemu").to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("t.toml: headers_install refuses it")
            && stderr.contains("WITH Linux-syscall-note"),
        "{stderr}"
    );
    assert!(!dir.path().join("qemu").exists(), "nothing written");
}
