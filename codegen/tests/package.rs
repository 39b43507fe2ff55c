//! The published crate is usable from crates.io: `cargo package` packs `uapigen` and the
//! `uapigen-uaccess` it depends on (and verifies that each builds alone from its `.crate`),
//! and a crate outside the workspace, depending on the unpacked packages as a user of
//! crates.io would (uapigen without its `cli` feature), runs `uapigen::Builder` in its
//! build.rs on a schema, compiles the bindings, and gets byte for byte what this crate emits.
//!
//! Everything builds under `target/package-test/`, so a second run rebuilds only what changed.
//! No network: `--offline`, with the dependencies from cargo's local registry cache.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use uapigen::emit::{self, Templates};
use uapigen::Source;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn cargo() -> Command {
    let mut c = Command::new(env!("CARGO"));
    // Each build says where its target folder is; the outer `cargo test`'s is not theirs.
    c.env_remove("CARGO_TARGET_DIR");
    // Nothing here is debugged; without debug info the two builds take a third of the disk.
    c.env("CARGO_PROFILE_DEV_DEBUG", "false");
    c
}

fn run(what: &str, cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Writes `path` only when its contents differ, so cargo sees an unchanged file as unchanged.
fn write_if_changed(path: &Path, contents: &str) {
    if std::fs::read(path).ok().as_deref() == Some(contents.as_bytes()) {
        return;
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

/// Unpacks `krate` into `into/<name>-<version>/` unless that folder already holds this very
/// package. The files keep the extraction time, not the archive's (cargo dates every file of
/// a package 2006): cargo judges a path dependency fresh by its files' times, and a changed
/// file dated 2006 would leave a stale build in place.
fn unpack(krate: &Path, into: &Path) -> PathBuf {
    let name = krate.file_stem().unwrap().to_str().unwrap();
    let dir = into.join(name);
    let unpacked_from = into.join(format!("{name}.crate"));
    let bytes = std::fs::read(krate).unwrap();
    if dir.is_dir() && std::fs::read(&unpacked_from).ok() == Some(bytes.clone()) {
        return dir;
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(into).unwrap();
    run(
        "tar",
        Command::new("tar")
            .arg("-xzmf")
            .arg(krate)
            .arg("-C")
            .arg(into),
    );
    assert!(
        dir.is_dir(),
        "{} did not unpack to {}",
        krate.display(),
        dir.display()
    );
    // Last: an interrupted unpacking is redone.
    std::fs::write(&unpacked_from, bytes).unwrap();
    dir
}

/// The user crate: build.rs generates the widget family's Rust and C with the Builder, the
/// library compiles the Rust and carries the files, the binary prints them and runs a
/// validator.
fn user_crate(dir: &Path, uapigen: &Path, uaccess: &Path, schema: &str) {
    let manifest = format!(
        r#"[package]
name = "uapigen-package-user"
version = "0.0.0"
edition = "2021"
publish = false

# Its own workspace: not a member of the repository's.
[workspace]

[dependencies]
uapigen-uaccess = "{VERSION}"
zerocopy = {{ version = "0.8", default-features = false, features = ["derive"] }}

[build-dependencies]
uapigen = {{ version = "{VERSION}", default-features = false }}

# The packages as crates.io would serve them.
[patch.crates-io]
uapigen = {{ path = {uapigen:?} }}
uapigen-uaccess = {{ path = {uaccess:?} }}
"#
    );
    write_if_changed(&dir.join("Cargo.toml"), &manifest);
    write_if_changed(&dir.join("schema/widget.toml"), schema);
    write_if_changed(
        &dir.join("build.rs"),
        r#"fn main() -> Result<(), uapigen::Error> {
    uapigen::Builder::new()
        .schema("schema/widget.toml")
        .emit_rust()
        .emit_c()
        .compile()?;
    Ok(())
}
"#,
    );
    write_if_changed(
        &dir.join("src/lib.rs"),
        r#"include!(concat!(env!("OUT_DIR"), "/uapigen.rs"));

macro_rules! out {
    ($f:literal) => {
        ($f, include_str!(concat!(env!("OUT_DIR"), "/", $f)))
    };
}

pub const FILES: &[(&str, &str)] = &[
    out!("widget.rs"),
    out!("include/uapi/linux/widget.h"),
    out!("include/uapigen/widget_validate.h"),
    out!("include/uapigen/uaccess.h"),
];
"#,
    );
    write_if_changed(
        &dir.join("src/main.rs"),
        r#"use uapigen_package_user::{widget::WidgetInfo, FILES};

fn main() {
    for (name, text) in FILES {
        print!("=== {name}\n{text}");
    }
    let unknown_flag = WidgetInfo { argsz: 12, flags: 2, num_queues: 1 };
    match unknown_flag.check() {
        Ok(()) => println!("=== check\naccepted"),
        Err(r) => println!("=== check\n{r}"),
    }
}
"#,
    );
}

#[test]
fn packaged_crate_builds_bindings_from_a_build_script_outside_the_workspace() {
    let root = common::repo_root();
    let base = root.join("target/package-test");

    run(
        "cargo package -p uapigen -p uapigen-uaccess",
        cargo()
            .current_dir(&root)
            .args(["package", "-p", "uapigen", "-p", "uapigen-uaccess"])
            .args(["--allow-dirty", "--offline", "--target-dir"])
            .arg(&base),
    );
    let unpacked = base.join("unpacked");
    let krate = |name: &str| base.join(format!("package/{name}-{VERSION}.crate"));
    let uapigen = unpack(&krate("uapigen"), &unpacked);
    let uaccess = unpack(&krate("uapigen-uaccess"), &unpacked);
    for t in ["uapi_header.h.hbs", "validate.h.hbs", "uaccess.h.hbs"] {
        assert!(
            uapigen.join("templates").join(t).is_file(),
            "the package lacks templates/{t}"
        );
    }

    let schema_path = root.join("examples/walkthrough/widget.v1.toml");
    let schema = std::fs::read_to_string(&schema_path).unwrap();
    let user = base.join("user");
    user_crate(&user, &uapigen, &uaccess, &schema);
    let out = run(
        "cargo run (the user crate)",
        cargo()
            .current_dir(&user)
            .args(["run", "-q", "--offline"])
            .env("CARGO_TARGET_DIR", base.join("user-target")),
    );

    // A build script needs the library only: no argument parser in the build.
    let lock = std::fs::read_to_string(user.join("Cargo.lock")).unwrap();
    assert!(
        !lock.contains("name = \"clap"),
        "the user crate's build pulls clap in:\n{lock}"
    );

    let model = uapigen::load_source(Source::read(&schema_path).unwrap(), "widget.toml")
        .unwrap_or_else(|e| panic!("{e}"));
    let templates = Templates::new(None).unwrap();
    let mut expected = String::new();
    for (name, text) in [
        ("widget.rs", emit::rust::emit(&model).unwrap()),
        (
            "include/uapi/linux/widget.h",
            emit::c_header::emit(&model.family, &templates).unwrap(),
        ),
        (
            "include/uapigen/widget_validate.h",
            emit::c_validate::emit(&model, &templates).unwrap(),
        ),
        (
            "include/uapigen/uaccess.h",
            emit::c_validate::emit_uaccess(&templates).unwrap(),
        ),
    ] {
        expected.push_str(&format!("=== {name}\n{text}"));
    }
    let stdout = String::from_utf8(out.stdout).unwrap();
    let (files, check) = stdout
        .rsplit_once("=== check\n")
        .unwrap_or_else(|| panic!("no validator verdict in:\n{stdout}"));
    assert!(
        files == expected,
        "the packaged Builder's files differ from this crate's:\n{}",
        similar::TextDiff::from_lines(expected.as_str(), files)
            .unified_diff()
            .header("this crate", "the package")
    );
    assert!(
        check.contains("EINVAL") && check.contains("flags has only widget_info_flags bits"),
        "flag bit 1 is not a widget_info flag, the generated validator said: {check}"
    );
}
