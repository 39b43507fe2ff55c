//! The C consumer (examples/vmm/viommu.c): a VMM's vIOMMU code built against the QEMU-profile
//! headers with `-std=gnu11 -Wall -Wextra -Werror`, linked with this crate's staticlib and
//! run. It passes only if the bytes the C compiler lays out from the headers are the bytes
//! the runtime's generated validators expect; a stale header (one field's size edited in a
//! copy) makes it fail, though it still compiles.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use uapigen::plan::Tree;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `uapigen generate --profile qemu` into a fresh directory: its `linux-headers/`.
fn qemu_headers() -> PathBuf {
    let root = repo_root();
    let families = uapigen::load_dir(&root.join("schema")).expect("the schemas load");
    let templates = uapigen::emit::Templates::new(None).expect("templates load");
    let out = uapigen::plan(&families, &Tree::Qemu)
        .and_then(|plan| plan.emit(&templates))
        .expect("the qemu profile generates");
    let dir = tempfile::tempdir().unwrap().keep();
    out.write(&dir).expect("the qemu tree is written");
    dir.join("linux-headers")
}

/// The staticlib cargo built for this test run: `deps/libuapigen_capi-<hash>.a` next to the
/// test binary, the newest if several configurations left one.
fn staticlib() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    let mut libs: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(deps)
        .unwrap()
        .filter_map(|e| {
            let p = e.ok()?.path();
            let name = p.file_name()?.to_str()?;
            if !(name.starts_with("libuapigen_capi-") && name.ends_with(".a")) {
                return None;
            }
            Some((p.metadata().ok()?.modified().ok()?, p.clone()))
        })
        .collect();
    libs.sort();
    libs.pop()
        .unwrap_or_else(|| panic!("no libuapigen_capi-*.a in {}", deps.display()))
        .1
}

/// Builds the consumer against `linux_headers` and runs it. Panics if it does not compile.
fn build_and_run(linux_headers: &Path) -> Output {
    let root = repo_root();
    let dir = tempfile::tempdir().unwrap().keep();
    let exe = dir.join("viommu");
    let cc = Command::new("cc")
        .args(["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-O1"])
        .arg("-I")
        .arg(linux_headers)
        .arg("-I")
        .arg(root.join("capi/include"))
        .arg(root.join("examples/vmm/viommu.c"))
        .arg(staticlib())
        // What a Rust staticlib needs from the C library on Linux
        // (`rustc --print native-static-libs`).
        .args([
            "-lgcc_s",
            "-lutil",
            "-lrt",
            "-lpthread",
            "-lm",
            "-ldl",
            "-lc",
        ])
        .arg("-o")
        .arg(&exe)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `cc` ({e}): install gcc (Debian: build-essential)"));
    assert!(
        cc.status.success(),
        "the consumer does not build:\n{}",
        String::from_utf8_lossy(&cc.stderr)
    );
    Command::new(&exe).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn the_c_vmm_runs_against_the_runtime() {
    let out = build_and_run(&qemu_headers());
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "stdout:\n{stdout}\nstderr:\n{}",
        text(&out.stderr)
    );
    let steps: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        steps,
        [
            "ok bind_device",
            "ok get_hw_info",
            "ok ioas_alloc",
            "ok hwpt_alloc_parent",
            "ok hwpt_alloc_nested",
            "ok attach",
            "ok dma",
            "ok hwpt_invalidate",
            "ok size_too_small",
            "ok size_newer_zero_tail",
            "ok size_newer_nonzero_tail",
            "ok size_fault",
            "ok alloc_pasid",
            "ok bind_gpasid",
            "ok dma_pasid",
            "ok cache_invalidate",
            "ok cache_invalidate_overrun",
            "ok unbind_gpasid",
            "all ok",
        ]
    );
}

/// A copy of the QEMU tree with `from` replaced by `to` once inside `struct name { ... }` of
/// `header`.
fn stale_copy(header: &str, name: &str, from: &str, to: &str) -> PathBuf {
    let fresh = qemu_headers();
    let path = fresh.join("linux").join(header);
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text
        .find(&format!("struct {name} {{\n"))
        .unwrap_or_else(|| panic!("struct {name} in {header}"));
    let end = start + text[start..].find("\n};").unwrap();
    let at = start
        + text[start..end]
            .find(from)
            .unwrap_or_else(|| panic!("`{from}` in struct {name}"));
    let edited = format!("{}{to}{}", &text[..at], &text[at + from.len()..]);
    std::fs::write(&path, edited).unwrap();
    fresh
}

/// Runs the consumer against a stale header: it builds (the danger of a stale header), and
/// fails at `step`.
fn fails_at(headers: &Path, step: &str) {
    let out = build_and_run(headers);
    let stderr = text(&out.stderr);
    eprintln!("with the stale header: {stderr}");
    assert!(
        !out.status.success(),
        "passed with a stale header:\n{}",
        text(&out.stdout)
    );
    assert!(
        stderr.starts_with(&format!("FAIL {step}:")),
        "expected a failure at {step}, got:\n{stderr}"
    );
}

#[test]
fn one_byte_of_padding_in_a_stale_iommu_h_fails_the_invalidation() {
    // `padding[6]` → `padding[7]`: the granu union moves from 16 to 24; the runtime reads the
    // C program's padding as the address.
    let headers = stale_copy(
        "iommu.h",
        "iommu_cache_invalidate_info",
        "__u8 padding[6];",
        "__u8 padding[7];",
    );
    fails_at(&headers, "cache_invalidate");
}

#[test]
fn a_widened_flags_in_a_stale_iommufd_h_fails_the_allocation() {
    // `__u32 flags` → `__u64 flags` in iommu_hwpt_alloc: every later field moves by 8.
    let headers = stale_copy(
        "iommufd.h",
        "iommu_hwpt_alloc",
        "__u32 flags;",
        "__u64 flags;",
    );
    fails_at(&headers, "hwpt_alloc_parent");
}

#[test]
fn a_narrowed_addr_in_a_stale_iommufd_h_invalidates_the_wrong_page() {
    // `__aligned_u64 addr` → `__u32 addr`: the layout is unchanged, every ioctl returns 0, and
    // an IOVA above 4 GiB is silently truncated; only the IOTLB shows it.
    let headers = stale_copy(
        "iommufd.h",
        "iommu_hwpt_vtd_s1_invalidate",
        "__aligned_u64 addr;",
        "__u32 addr;",
    );
    fails_at(&headers, "hwpt_invalidate");
}
