//! Shared by the integration tests: where the repository is, loading the real schemas, and
//! running the system C compiler (a missing compiler fails the test; it never skips).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub fn real_families() -> Vec<uapigen::Checked> {
    match uapigen::load_dir(&repo_root().join("schema")) {
        Ok(f) => f,
        Err(e) => panic!("the real schemas must load:\n{e}"),
    }
}

/// What `uapigen generate` writes for these families, as the planner lists it.
pub fn generate(
    families: &[uapigen::Checked],
    templates: &uapigen::emit::Templates,
    krate: &uapigen::emit::RustCrate,
) -> Result<uapigen::Output, uapigen::Error> {
    uapigen::plan(families, &uapigen::plan::Tree::Generated(krate.clone()))?.emit(templates)
}

pub fn family<'a>(families: &'a [uapigen::Checked], name: &str) -> &'a uapigen::Checked {
    families
        .iter()
        .find(|c| c.family.name == name)
        .expect("family exists")
}

/// Compiles `source` with `compiler` and `args`; returns the path of the output binary.
pub fn compile(
    compiler: &str,
    source_name: &str,
    source: &str,
    args: &[&str],
    include: &Path,
) -> PathBuf {
    let dir = tempfile::tempdir().unwrap().keep();
    let src = dir.join(source_name);
    std::fs::write(&src, source).unwrap();
    let exe = dir.join("a.out");
    let out = Command::new(compiler)
        .args(args)
        .arg("-I")
        .arg(include)
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `{compiler}` ({e}): install gcc/g++ (Debian: build-essential)")
        });
    assert!(
        out.status.success(),
        "{compiler} {args:?} failed on {}:\n{}",
        src.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    exe
}

pub fn run(exe: &Path) -> String {
    let out = Command::new(exe).output().unwrap();
    assert!(
        out.status.success(),
        "{} failed:\n{}",
        exe.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The text of the section whose heading line starts with `heading`, up to the next heading.
pub fn markdown_section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let start = doc
        .find(&format!("\n{heading}"))
        .unwrap_or_else(|| panic!("no section `{heading}`"))
        + 1;
    let body = &doc[start..];
    // The next heading outside a code block (a TOML comment starts with `#` too).
    let mut in_fence = false;
    let mut at = 0;
    for (i, line) in body.split_inclusive('\n').enumerate() {
        if line.starts_with("```") {
            in_fence = !in_fence;
        } else if i > 0 && !in_fence && line.starts_with('#') {
            return &body[..at];
        }
        at += line.len();
    }
    body
}
