//! `generate --profile rust-vmm` replaces the bindgen crate `iommufd-bindings` 0.2.0: the
//! published `iommufd-ioctls` 0.4.0 builds and passes its own tests against the generated
//! crate through `[patch.crates-io]`, and the generated crate's layout asserts hold on x86-64
//! and i686. crates.io is asked only when cargo's cache lacks a crate (the first run); after
//! that it runs offline. Anything that cannot build fails the test: nothing here skips.

use std::path::{Path, PathBuf};
use std::process::Command;

const IOMMUFD_IOCTLS: &str = "=0.4.0";

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    // The outer `cargo test`'s settings are not the scratch workspace's.
    for var in [
        "CARGO_TARGET_DIR",
        "CARGO_MANIFEST_DIR",
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
    ] {
        c.env_remove(var);
    }
    c.env("CARGO_TARGET_DIR", scratch().join("target"));
    c
}

/// Kept between runs, so the lock file and the build are cargo's cache, not a new download.
fn scratch() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("rust-vmm")
}

fn run(mut c: Command, what: &str) -> String {
    let out = c
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run cargo: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{text}",
        out.status
    );
    text
}

/// Runs `args` offline; when cargo's cache lacks something, fetches it once and runs offline.
fn offline(ws: &Path, args: &[&str], what: &str) -> String {
    let mut c = cargo();
    c.current_dir(ws).args(args).arg("--offline");
    match c.output() {
        Ok(o) if o.status.success() => {
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            )
        }
        _ => {
            let mut fetch = cargo();
            fetch.current_dir(ws).arg("fetch");
            run(fetch, "cargo fetch (crates.io, for the first run)");
            let mut again = cargo();
            again.current_dir(ws).args(args).arg("--offline");
            run(again, what)
        }
    }
}

fn generate(out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_uapigen"))
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap())
        .args(["generate", "--profile", "rust-vmm", "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "generate --profile rust-vmm failed:\n{}",
        String::from_utf8_lossy(&status.stderr)
    );
}

#[test]
fn iommufd_ioctls_builds_and_passes_on_the_generated_crate() {
    let root = scratch();
    let gen = root.join("out");
    generate(&gen);
    let krate = gen.join("iommufd-bindings");
    assert!(krate.join("src/iommufd.rs").is_file());

    let ws = root.join("ws");
    std::fs::create_dir_all(ws.join("probe/src")).unwrap();
    std::fs::write(
        ws.join("Cargo.toml"),
        format!(
            "[workspace]\nmembers = [\"probe\"]\nresolver = \"2\"\n\n\
             [patch.crates-io]\niommufd-bindings = {{ path = {:?} }}\n",
            krate.display().to_string()
        ),
    )
    .unwrap();
    std::fs::write(
        ws.join("probe/Cargo.toml"),
        format!(
            "[package]\nname = \"probe\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\niommufd-ioctls = \"{IOMMUFD_IOCTLS}\"\n"
        ),
    )
    .unwrap();
    std::fs::write(ws.join("probe/src/lib.rs"), "").unwrap();

    let text = offline(
        &ws,
        &["test", "-p", "iommufd-ioctls"],
        "iommufd-ioctls' tests",
    );
    assert!(
        text.contains("test result: ok. 1 passed"),
        "iommufd-ioctls ran no test:\n{text}"
    );
    // A patch cargo did not apply is only a warning: the lock file says whose crate was built.
    let lock = std::fs::read_to_string(ws.join("Cargo.lock")).unwrap();
    let entry = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"iommufd-bindings\""))
        .expect("iommufd-bindings in the lock file");
    assert!(
        !entry.contains("source ="),
        "the crates.io crate was built, not the generated one:\n{entry}"
    );
}

#[test]
fn layout_asserts_hold_on_x86_64_and_i686() {
    // Its own workspace: cargo would take the crates, below this repository's target/, for
    // members of uapigen's.
    let gen = scratch().join("layout-ws");
    generate(&gen);
    std::fs::write(
        gen.join("Cargo.toml"),
        "[workspace]\nmembers = [\"iommufd-bindings\", \"iommu-bindings\"]\nresolver = \"2\"\n",
    )
    .unwrap();
    for krate in ["iommufd-bindings", "iommu-bindings"] {
        for target in ["x86_64-unknown-linux-gnu", "i686-unknown-linux-gnu"] {
            let mut c = cargo();
            c.current_dir(&gen)
                .args(["check", "--offline", "-p", krate, "--target", target]);
            let out = c.output().unwrap();
            assert!(
                out.status.success(),
                "{krate} does not build for {target} (its std: `rustup target add {target}`):\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
