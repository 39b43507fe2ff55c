//! Golden tests: the emitted C and Rust are compared with committed files, and a difference is
//! shown as a unified diff. `UAPIGEN_BLESS=1 cargo test` rewrites the expected files instead.
//!
//! Two sets: the real schemas against `generated/` (so a stale `generated/` fails `cargo test`,
//! not only `uapigen check`), and `golden/schema/features.toml`, which uses every construct of
//! the format, against `golden/out/`. Both expected Rust crates are workspace members, so their
//! compile-time layout assertions run on every build.

mod common;

use std::path::Path;

use common::*;
use uapigen::emit::{RustCrate, Templates};

fn krate(name: &str, uaccess_path: &str) -> RustCrate {
    RustCrate {
        name: name.to_string(),
        uaccess_path: uaccess_path.to_string(),
    }
}

fn compare(families: &[uapigen::Checked], krate: &RustCrate, expected_dir: &Path) {
    let out = generate(families, &Templates::new(None).unwrap(), krate).unwrap();
    if std::env::var_os("UAPIGEN_BLESS").is_some_and(|v| v == "1") {
        out.write(expected_dir).unwrap();
        return;
    }
    let stale = out.check(expected_dir).unwrap();
    let report: Vec<String> = stale.iter().map(|s| s.to_string()).collect();
    assert!(
        stale.is_empty(),
        "emitted files differ from {} (rerun with UAPIGEN_BLESS=1 to accept):\n\n{}",
        expected_dir.display(),
        report.join("\n")
    );
}

const GOLDEN_CRATE: &str = "uapigen-golden-features";
/// From codegen/tests/golden/out/rust to uaccess.
const GOLDEN_UACCESS: &str = "../../../../../uaccess";

fn features() -> Vec<uapigen::Checked> {
    let dir = repo_root().join("codegen/tests/golden/schema");
    uapigen::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn generated_folder_is_what_the_schemas_emit() {
    compare(
        &real_families(),
        &RustCrate::default(),
        &repo_root().join("generated"),
    );
}

#[test]
fn features_schema_matches_golden() {
    compare(
        &features(),
        &krate(GOLDEN_CRATE, GOLDEN_UACCESS),
        &repo_root().join("codegen/tests/golden/out"),
    );
}

#[test]
fn features_header_compiles_clean() {
    let include = repo_root().join("codegen/tests/golden/out/include/uapi");
    let src =
        "#include <linux/features.h>\nint main(void) { return FEAT_KIND_NEXT == 11 ? 0 : 1; }\n";
    let exe = compile(
        "cc",
        "features.c",
        src,
        &[
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic-errors",
        ],
        &include,
    );
    run(&exe);
    compile(
        "c++",
        "features.cpp",
        src,
        &["-std=c++17", "-Wall", "-Wextra", "-Werror"],
        &include,
    );
}

/// Same input, same bytes: two generations (and a reload of the schema) agree exactly.
#[test]
fn generation_is_deterministic() {
    let t = Templates::new(None).unwrap();
    let a = generate(&real_families(), &t, &krate("x", "y")).unwrap();
    let b = generate(&real_families(), &t, &krate("x", "y")).unwrap();
    assert_eq!(a, b);
    let c = generate(&features(), &t, &krate("x", "y")).unwrap();
    let d = generate(&features(), &t, &krate("x", "y")).unwrap();
    assert_eq!(c, d);
}

/// A user template directory overrides the built-in template; a typo in it is an error, not
/// an empty string (strict mode).
#[test]
fn template_override_and_strict_mode() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("uapi_header.h.hbs"),
        "/* {{guard}} custom */\n",
    )
    .unwrap();
    let t = Templates::new(Some(dir.path())).unwrap();
    let out = generate(&features(), &t, &krate("x", "y")).unwrap();
    assert_eq!(
        out.files["include/uapi/linux/features.h"],
        "/* _UAPI_LINUX_FEATURES_H custom */\n"
    );

    std::fs::write(dir.path().join("uapi_header.h.hbs"), "/* {{gaurd}} */\n").unwrap();
    let t = Templates::new(Some(dir.path())).unwrap();
    let err = generate(&features(), &t, &krate("x", "y"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("gaurd"), "{err}");
}
