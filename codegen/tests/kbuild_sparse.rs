//! The kernel profile's validators as kernel code: every function of
//! `include/linux/uapigen/*_validate.h` (from `generate --profile kernel`) referenced from an
//! out-of-tree module, built by Kbuild against Debian's kernel headers (`linux-headers-amd64`)
//! with `W=1` and checked by sparse (`C=2`), `__user` annotations included: no warning, no
//! error. A validator that read a `__user` pointer directly, or a header that did not build
//! as kernel code, fails here.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Debian's kernel build tree (`/usr/src/linux-headers-<version>-amd64`), newest first.
fn kbuild_dir() -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/src")
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    dirs.retain(|d| {
        d.file_name().is_some_and(|n| {
            n.to_string_lossy().starts_with("linux-headers-")
                && n.to_string_lossy().ends_with("-amd64")
        }) && d.join("Makefile").exists()
    });
    dirs.sort();
    let Some(dir) = dirs.pop() else {
        panic!("no /usr/src/linux-headers-*-amd64: run scripts/setup (it installs linux-headers-amd64 and sparse)");
    };
    let sparse = Command::new("sparse").arg("--version").output();
    assert!(
        sparse.is_ok_and(|o| o.status.success()),
        "sparse is missing: run scripts/setup (it installs linux-headers-amd64 and sparse)"
    );
    dir
}

/// The names of the `static inline` functions a header defines.
fn functions(header: &str) -> Vec<String> {
    header
        .lines()
        .filter_map(|l| l.strip_prefix("static inline "))
        .filter_map(|rest| {
            let name_end = rest.find('(')?;
            let name = rest[..name_end].rsplit([' ', '*']).next()?;
            Some(name.to_string())
        })
        .collect()
}

#[test]
fn kernel_profile_validators_build_with_kbuild_w1_and_pass_sparse() {
    let kbuild = kbuild_dir();
    let tmp = tempfile::tempdir().unwrap();
    let module = tmp.path().join("module");
    let out = Command::new(env!("CARGO_BIN_EXE_uapigen"))
        .args(["generate", "--profile", "kernel", "--out"])
        .arg(&module)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut headers: Vec<PathBuf> = std::fs::read_dir(module.join("include/linux/uapigen"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with("_validate.h"))
        .collect();
    headers.sort();
    assert!(headers.len() >= 2, "{headers:?}");
    let mut src = String::from(
        "// SPDX-License-Identifier: GPL-2.0\n\
         /* Every validator uapigen emits for the kernel, referenced so Kbuild and sparse judge it. */\n\
         #include <linux/module.h>\n",
    );
    let mut names = Vec::new();
    for h in &headers {
        let file = h.file_name().unwrap().to_string_lossy().to_string();
        src.push_str(&format!("#include <linux/uapigen/{file}>\n"));
        names.extend(functions(&std::fs::read_to_string(h).unwrap()));
    }
    assert!(names.len() > 100, "only {} functions found", names.len());
    src.push('\n');
    for n in &names {
        // A typed pointer to each makes the compiler and sparse take every body in.
        src.push_str(&format!(
            "static typeof({n}) *const uapigen_use_{n} __used = {n};\n"
        ));
    }
    src.push_str(
        "\nstatic int __init uapigen_validate_init(void)\n{\n\treturn 0;\n}\n\n\
         static void __exit uapigen_validate_exit(void)\n{\n}\n\n\
         module_init(uapigen_validate_init);\nmodule_exit(uapigen_validate_exit);\n\
         MODULE_LICENSE(\"GPL\");\nMODULE_DESCRIPTION(\"uapigen validators under Kbuild and sparse\");\n",
    );
    std::fs::write(module.join("uapigen_validate.c"), src).unwrap();
    // NOSTDINC_FLAGS comes before the kernel's own include paths, whose uapi/ has an older
    // iommufd.h than the generated one.
    std::fs::write(
        module.join("Kbuild"),
        "obj-m := uapigen_validate.o\nNOSTDINC_FLAGS += -I$(src)/include\n",
    )
    .unwrap();

    let out = Command::new("make")
        .arg("-C")
        .arg(&kbuild)
        .arg(format!("M={}", module.display()))
        .args(["W=1", "C=2", "modules"])
        .output()
        .expect("make runs");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "Kbuild failed:\n{log}");
    assert!(log.contains("CHECK"), "sparse did not run (C=2):\n{log}");
    let complaints: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("warning:") || l.contains("error:"))
        .collect();
    assert!(
        complaints.is_empty(),
        "Kbuild W=1 / sparse:\n{}",
        complaints.join("\n")
    );
    assert!(module.join("uapigen_validate.ko").exists(), "{log}");
}
