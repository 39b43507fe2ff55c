//! `generate --profile rust-vmm` replaces the bindgen crates `iommufd-bindings` 0.2.0 and
//! `vfio-bindings` 0.7.0: the published `iommufd-ioctls` 0.4.0 and `vfio-ioctls` 0.10.0 (with
//! its default `kvm`, and with `vfio_cdev`, which reaches both) build and pass their own tests
//! against the generated crates through `[patch.crates-io]`, with no dependency added by
//! default and with the published features (`fam-wrappers`) and uapigen's (`zerocopy`,
//! `validate`) on; every item of the published crates is there, by the same path and type; the generated crates' layout asserts and zerocopy
//! derives hold on x86-64 and i686; and their validators give the main profile's verdicts on
//! the same bytes. crates.io is asked only when cargo's cache lacks a crate (the first run);
//! after that it runs offline. Anything that cannot build fails the test: nothing here skips.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use uapigen::ir::{Expr, Style};

const IOMMUFD_IOCTLS: &str = "=0.4.0";
const VFIO_IOCTLS: &str = "=0.10.0";

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

/// This repository's root.
fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// The crates' features: what uapigen adds to bindgen's API.
const FEATURES: &str = "[\"zerocopy\", \"validate\"]";

fn generate(out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_uapigen"))
        .current_dir(repo())
        .args(["generate", "--profile", "rust-vmm", "--out"])
        .arg(out)
        // Absolute: the crates sit below the scratch folder, not beside `uaccess`.
        .arg("--uaccess-path")
        .arg(repo().join("uaccess"))
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "generate --profile rust-vmm failed:\n{}",
        String::from_utf8_lossy(&status.stderr)
    );
}

/// A published rust-vmm crate whose tests are run with generated crates patched in for the
/// bindgen ones it depends on.
struct Dependent {
    /// Its package name and exact version.
    name: &'static str,
    version: &'static str,
    /// The bindgen crates it reaches, each `(package, version asked for, module file)`, all
    /// patched with the generated crate of that name.
    bindings: &'static [(&'static str, &'static str, &'static str)],
    /// The summary line of its unit tests.
    passed: &'static str,
}

const IOMMUFD: Dependent = Dependent {
    name: "iommufd-ioctls",
    version: IOMMUFD_IOCTLS,
    bindings: &[("iommufd-bindings", "0.2.0", "src/iommufd.rs")],
    passed: "test result: ok. 1 passed",
};

/// vfio-ioctls 0.10.0 with its default feature `kvm` (kvm-ioctls and kvm-bindings come from
/// crates.io). Its 31 unit tests (and one doc test) stand in for the VFIO device with a mock
/// ioctl and a temporary file, so they run here, without /dev/vfio.
const VFIO: Dependent = Dependent {
    name: "vfio-ioctls",
    version: VFIO_IOCTLS,
    bindings: &[("vfio-bindings", "=0.7.0", "src/bindings/vfio.rs")],
    passed: "test result: ok. 31 passed",
};

/// Runs `dep`'s tests in workspace `name` with the generated crates patched in, its `features`
/// (a TOML array) on, and `bindings_features` on each bindings crate (as a VMM asks: on the
/// crates.io dependency the patch replaces); `probe` is a library of tests of the probe crate's
/// own, run too. Returns the lock file.
fn dependent_tests(
    name: &str,
    dep: &Dependent,
    features: Option<&str>,
    bindings_features: Option<&str>,
    probe: &str,
) -> String {
    let root = scratch();
    let gen = root.join(format!("{name}-out"));
    generate(&gen);
    let mut patch = String::new();
    let mut asked = String::new();
    for (krate, version, module) in dep.bindings {
        let dir = gen.join(krate);
        assert!(dir.join(module).is_file(), "no {krate}/{module}");
        patch += &format!("{krate} = {{ path = {:?} }}\n", dir.display().to_string());
        if let Some(f) = bindings_features {
            asked += &format!("{krate} = {{ version = \"{version}\", features = {f} }}\n");
        }
    }

    let ws = root.join(name);
    std::fs::create_dir_all(ws.join("probe/src")).unwrap();
    std::fs::write(
        ws.join("Cargo.toml"),
        format!(
            "[workspace]\nmembers = [\"probe\"]\nresolver = \"2\"\n\n[patch.crates-io]\n{patch}"
        ),
    )
    .unwrap();
    let features = features.map_or(String::new(), |f| format!(", features = {f}"));
    std::fs::write(
        ws.join("probe/Cargo.toml"),
        format!(
            "[package]\nname = \"probe\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\n{} = {{ version = \"{}\"{features} }}\n{asked}",
            dep.name, dep.version
        ),
    )
    .unwrap();
    std::fs::write(ws.join("probe/src/lib.rs"), probe).unwrap();

    let text = offline(
        &ws,
        &["test", "-p", dep.name, "-p", "probe"],
        &format!("{}' tests", dep.name),
    );
    assert!(
        text.contains(dep.passed),
        "{} did not pass its tests ({:?}):\n{text}",
        dep.name,
        dep.passed
    );
    let probe_tests: Vec<&str> = probe
        .split("#[test]")
        .skip(1)
        .filter_map(|t| t.split("fn ").nth(1)?.split('(').next())
        .collect();
    for t in probe_tests {
        assert!(
            text.contains(&format!("tests::{t} ... ok")),
            "the probe's {t} did not pass:\n{text}"
        );
    }
    // A patch cargo did not apply is only a warning: the lock file says whose crate was built.
    let lock = std::fs::read_to_string(ws.join("Cargo.lock")).unwrap();
    for (krate, ..) in dep.bindings {
        let entry = lock_entry(&lock, krate).unwrap_or_else(|| panic!("{krate} in the lock file"));
        assert!(
            !entry.contains("source ="),
            "the crates.io {krate} was built, not the generated one:\n{entry}"
        );
    }
    lock
}

/// Runs iommufd-ioctls' tests in workspace `name` with the generated crate patched in, its
/// `features` on (a TOML array) or none; returns the lock file.
fn iommufd_ioctls_tests(name: &str, features: Option<&str>) -> String {
    dependent_tests(name, &IOMMUFD, None, features, "")
}

/// The lock file's `[[package]]` entry of `name`.
fn lock_entry<'l>(lock: &'l str, name: &str) -> Option<&'l str> {
    let line = format!("name = \"{name}\"\n");
    lock.split("[[package]]").find(|p| p.contains(&line))
}

#[test]
fn iommufd_ioctls_builds_and_passes_on_the_generated_crate() {
    let lock = iommufd_ioctls_tests("ws", None);
    // Swapping bindgen's crate for this one adds nothing to a VMM's lock file.
    for dep in ["zerocopy", "uapigen-uaccess"] {
        assert!(
            lock_entry(&lock, dep).is_none(),
            "the default build locks {dep}:\n{lock}"
        );
    }
    let entry = lock_entry(&lock, "iommufd-bindings").unwrap();
    assert!(
        !entry.contains("dependencies"),
        "the generated crate has dependencies by default:\n{entry}"
    );
}

#[test]
fn iommufd_ioctls_builds_and_passes_with_uapigens_features_on() {
    let lock = iommufd_ioctls_tests("ws-features", Some(FEATURES));
    // The features did turn on what they add (else this would be the default build again).
    for dep in ["zerocopy", "uapigen-uaccess"] {
        assert!(
            lock_entry(&lock, dep).is_some(),
            "the features did not bring {dep} in:\n{lock}"
        );
    }
}

#[test]
fn vfio_ioctls_builds_and_passes_on_the_generated_crate() {
    let lock = dependent_tests("vfio-ws", &VFIO, None, None, "");
    let entry = lock_entry(&lock, "vfio-bindings").unwrap();
    assert!(
        !entry.contains("dependencies"),
        "the generated vfio-bindings has dependencies by default:\n{entry}"
    );
    for dep in ["zerocopy", "uapigen-uaccess"] {
        assert!(
            lock_entry(&lock, dep).is_none(),
            "the default build locks {dep}:\n{lock}"
        );
    }
}

/// The published crate's feature `fam-wrappers` (its `IrqSet`, exercised by the probe's test)
/// with uapigen's own features on.
#[test]
fn vfio_ioctls_passes_with_fam_wrappers_and_uapigens_features_on() {
    let lock = dependent_tests(
        "vfio-ws-features",
        &VFIO,
        None,
        Some("[\"fam-wrappers\", \"zerocopy\", \"validate\"]"),
        include_str!("rust_vmm/irq_set_probe.rs"),
    );
    let entry = lock_entry(&lock, "vfio-bindings").unwrap();
    for dep in ["vmm-sys-util", "zerocopy", "uapigen-uaccess"] {
        assert!(
            entry.contains(&format!("\"{dep}")),
            "the features did not bring {dep} in:\n{entry}"
        );
    }
}

/// vfio-ioctls' feature `vfio_cdev` (the cdev interface over iommufd) reaches iommufd-ioctls
/// and iommufd-bindings too: both bindgen crates are the generated ones.
#[test]
fn vfio_ioctls_vfio_cdev_passes_on_both_generated_crates() {
    const CDEV: Dependent = Dependent {
        bindings: &[
            ("vfio-bindings", "=0.7.0", "src/bindings/vfio.rs"),
            ("iommufd-bindings", "0.2.0", "src/iommufd.rs"),
        ],
        // Two more than without it: its cdev tests.
        passed: "test result: ok. 33 passed",
        ..VFIO
    };
    dependent_tests("vfio-ws-cdev", &CDEV, Some("[\"vfio_cdev\"]"), None, "");
}

#[test]
fn layout_asserts_and_derives_hold_on_x86_64_and_i686() {
    // Its own workspace: cargo would take the crates, below this repository's target/, for
    // members of uapigen's.
    let gen = scratch().join("layout-ws");
    generate(&gen);
    std::fs::write(
        gen.join("Cargo.toml"),
        "[workspace]\nmembers = [\"iommufd-bindings\", \"iommu-bindings\", \"vfio-bindings\"]\nresolver = \"2\"\n",
    )
    .unwrap();
    // Without features, bindgen's API alone; with them, zerocopy's derives (checked by
    // zerocopy at compile time) and the validators too; each feature alone (neither leans on
    // the other) on x86-64 only, since what differs per target is in both together.
    let (x86_64, i686) = ("x86_64-unknown-linux-gnu", "i686-unknown-linux-gnu");
    let runs = [
        (None, x86_64),
        (None, i686),
        (Some("--all-features"), x86_64),
        (Some("--all-features"), i686),
        (Some("--features=zerocopy"), x86_64),
        (Some("--features=validate"), x86_64),
        (Some("--features=fam-wrappers"), x86_64),
    ];
    for (features, target) in runs {
        let mut args = vec![
            "check",
            "-p",
            "iommufd-bindings",
            "-p",
            "iommu-bindings",
            "-p",
            "vfio-bindings",
        ];
        args.extend(["--target", target]);
        args.extend(features);
        offline(
            &gen,
            &args,
            &format!(
                "the crates for {target} {features:?} (its std: `rustup target add {target}`)"
            ),
        );
    }
}

#[test]
fn validators_give_the_main_profiles_verdicts() {
    let root = scratch();
    let gen = root.join("validate-out");
    generate(&gen);
    let ws = root.join("validate-ws");
    std::fs::create_dir_all(ws.join("src")).unwrap();
    let path = |p: &Path| format!("{:?}", p.display().to_string());
    std::fs::write(
        ws.join("Cargo.toml"),
        format!(
            "[package]\nname = \"validate-probe\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\n\
             iommufd-bindings = {{ path = {}, features = {FEATURES} }}\n\
             iommu-bindings = {{ path = {}, features = {FEATURES} }}\n\
             vfio-bindings = {{ path = {}, features = {FEATURES} }}\n\
             uapigen-bindings = {{ path = {} }}\n\
             uapigen-uaccess = {{ path = {} }}\n\
             zerocopy = {{ version = \"0.8\", default-features = false }}\n\n[workspace]\n",
            path(&gen.join("iommufd-bindings")),
            path(&gen.join("iommu-bindings")),
            path(&gen.join("vfio-bindings")),
            path(&repo().join("generated/rust")),
            path(&repo().join("uaccess")),
        ),
    )
    .unwrap();
    std::fs::write(
        ws.join("src/main.rs"),
        include_str!("rust_vmm/validate_probe.rs"),
    )
    .unwrap();
    let text = offline(&ws, &["run"], "the validators' probe");
    assert!(
        text.contains("cases agree;") && text.contains("revision sizes agree"),
        "the probe did not finish:\n{text}"
    );
}

/// `pub const|type|struct|union` names, with a constant's type, and every member with its type,
/// as text with the spaces taken out (rustfmt wraps bindgen's long lines; this crate's are not).
fn api(text: &str) -> std::collections::BTreeSet<String> {
    let flat: String = text
        .lines()
        // A doc's text may hold any bracket; rustfmt keeps each `#[doc]` on one line.
        .filter(|l| !l.trim_start().starts_with("//") && !l.trim_start().starts_with("#[doc"))
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ");
    // Statements end at `;`, `{`, `}` or `,` outside brackets (`[__u8; 3usize]` is one type).
    let mut stmts = Vec::new();
    let (mut depth, mut cur) = (0i32, String::new());
    for c in flat.chars() {
        cur.push(c);
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth -= 1,
            ';' | '{' | '}' | ',' if depth == 0 => stmts.push(std::mem::take(&mut cur)),
            _ => {}
        }
    }
    let mut items = std::collections::BTreeSet::new();
    let mut owner: Option<String> = None;
    for stmt in &stmts {
        let s = stmt.trim();
        // After any attribute or comment ahead of the item (a `]` inside the item, as in
        // `&[u8; 9]`, is the item's).
        let s = s.rsplit("*/ ").next().unwrap_or(s);
        let s = without_attributes(s);
        if let Some(rest) = s
            .strip_prefix("pub struct ")
            .or_else(|| s.strip_prefix("pub union "))
        {
            let name = rest.trim_end_matches('{').trim().to_string();
            items.insert(format!("type {name}"));
            owner = Some(name);
        } else if s == "}" {
            owner = None;
        } else if let Some(rest) = s.strip_prefix("pub const ") {
            let (name, ty) = rest.split_once(':').unwrap_or((rest, ""));
            let ty = ty.split('=').next().unwrap_or("").replace(' ', "");
            items.insert(format!("const {}: {ty}", name.trim()));
        } else if let Some(rest) = s.strip_prefix("pub type ") {
            items.insert(format!("type {}", rest.split('=').next().unwrap().trim()));
        } else if let (Some(o), Some(rest)) = (&owner, s.strip_prefix("pub ")) {
            if let Some((name, ty)) = rest.trim_end_matches(',').split_once(':') {
                items.insert(format!("{o}.{}: {}", name.trim(), ty.replace(' ', "")));
            }
        }
    }
    items
}

/// `s` after the attributes (`#[...]`, brackets nested) it starts with.
fn without_attributes(mut s: &str) -> &str {
    while let Some(rest) = s.strip_prefix("#[") {
        let mut depth = 1;
        let end = rest.char_indices().find_map(|(i, c)| {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(i)
        });
        let Some(end) = end else { return s };
        s = rest[end + 1..].trim_start();
    }
    s
}

/// The folder of published crate `name` `version` in cargo's cache (fetched once, through a
/// workspace without the patch).
fn published_dir(name: &str, version: &str) -> PathBuf {
    let ws = scratch().join(format!("bindgen-ws-{name}"));
    std::fs::create_dir_all(ws.join("src")).unwrap();
    std::fs::write(
        ws.join("Cargo.toml"),
        format!(
            "[package]\nname = \"bindgen-ws\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\n{name} = \"={version}\"\n\n[workspace]\n"
        ),
    )
    .unwrap();
    std::fs::write(ws.join("src/lib.rs"), "").unwrap();
    let meta = offline(
        &ws,
        &["metadata", "--format-version", "1"],
        "cargo metadata",
    );
    let folder = format!("{name}-{version}");
    let at = meta
        .find(&folder)
        .unwrap_or_else(|| panic!("{folder} in the metadata"));
    let start = meta[..at].rfind('"').unwrap() + 1;
    PathBuf::from(&meta[start..at + folder.len()])
}

/// The items of `theirs` that `ours` lacks or types otherwise, but those the target decides.
fn missing_items(
    theirs: &std::collections::BTreeSet<String>,
    ours: &std::collections::BTreeSet<String>,
) -> Vec<String> {
    // Where the target's `long` decides, this crate says so and bindgen froze x86-64's number.
    let target_dependent = ["__kernel_fd_set.fds_bits: "];
    theirs
        .difference(ours)
        .filter(|i| !target_dependent.iter().any(|t| i.starts_with(t)))
        .cloned()
        .collect()
}

#[test]
fn every_item_of_iommufd_bindings_0_2_0_is_there() {
    let dir = published_dir("iommufd-bindings", "0.2.0");
    let bindgen = std::fs::read_to_string(dir.join("src/iommufd.rs")).unwrap();

    let gen = scratch().join("out-api");
    generate(&gen);
    let ours = std::fs::read_to_string(gen.join("iommufd-bindings/src/iommufd.rs")).unwrap();
    let (theirs, ours) = (api(&bindgen), api(&ours));
    let missing = missing_items(&theirs, &ours);
    // 101 constants, 75 aliases and 39 structs and 1 union (one namespace), 176 members.
    assert_eq!(
        theirs.len(),
        392,
        "the bindgen crate's items were not all read"
    );
    assert!(
        missing.is_empty(),
        "items of iommufd-bindings 0.2.0 the generated crate lacks or types otherwise:\n{missing:#?}"
    );
    // What uapigen adds where a bindgen user can name it is the module `uapigen` (beside the
    // family's items, and re-exported at the root with them) and inherent items on bindgen's
    // types (the validators: `copy_from_user`, `check`, `MIN_SIZE`, ...). bindgen names no
    // item `uapigen` and gives its types no inherent items, so neither can meet its names.
    let named = |i: &String| {
        let name = i.split_once(' ').map_or(i.as_str(), |(_, n)| n);
        name.split([':', '.']).next().unwrap().trim().to_string()
    };
    assert!(
        !theirs.iter().map(named).any(|n| n == "uapigen"),
        "iommufd-bindings 0.2.0 has an item called `uapigen`"
    );
    assert!(ours.contains("type Revision"), "no uapigen::revisions");
    let inherent: Vec<&str> = bindgen
        .lines()
        .filter(|l| l.starts_with("impl") && !l.contains(" for "))
        .collect();
    assert!(
        inherent.is_empty(),
        "iommufd-bindings 0.2.0 has inherent impls, which the validators' names may meet:\n{inherent:#?}"
    );
    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    assert!(!lib.contains("uapigen"), "{lib}");
}

/// vfio-bindings 0.7.0's items, where it has them (`bindings::vfio`), and its FAM wrapper.
#[test]
fn every_item_of_vfio_bindings_0_7_0_is_there() {
    let dir = published_dir("vfio-bindings", "0.7.0");
    let bindgen = std::fs::read_to_string(dir.join("src/vfio_bindings/vfio.rs")).unwrap();
    let gen = scratch().join("out-api-vfio");
    generate(&gen);
    let ours = std::fs::read_to_string(gen.join("vfio-bindings/src/bindings/vfio.rs")).unwrap();
    let (theirs, ours) = (api(&bindgen), api(&ours));
    // 208 constants (the five device API strings among them), 58 aliases and 57 structs and
    // unions (one namespace), 205 members.
    assert_eq!(
        theirs.len(),
        528,
        "the bindgen crate's items were not all read"
    );
    let missing = missing_items(&theirs, &ours);
    assert!(
        missing.is_empty(),
        "items of vfio-bindings 0.7.0 the generated crate lacks or types otherwise:\n{missing:#?}"
    );
    // bindgen's 64-bit arithmetic, not C's `int` (which wraps `1 << 31` negative).
    assert!(ours.contains("const VFIO_REGION_TYPE_PCI_VENDOR_TYPE: u32"));
    // The module path: `bindings::vfio`, with the FAM wrappers beside it.
    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    assert!(lib.contains("pub mod bindings {") && lib.contains("pub use super::fam_wrappers::*;"));
    let fam = std::fs::read_to_string(dir.join("src/fam_wrappers.rs")).unwrap();
    let ours_lib = std::fs::read_to_string(gen.join("vfio-bindings/src/lib.rs")).unwrap();
    for item in [
        "pub type IrqSet = FamStructWrapper<vfio_irq_set>;",
        "generate_fam_struct_impl!(vfio_irq_set, u8, data, u32, count, ",
    ] {
        assert!(fam.contains(item), "vfio-bindings 0.7.0 has no {item}");
        assert!(
            ours_lib.contains(item),
            "the generated crate has no {item}:\n{ours_lib}"
        );
    }
    let manifest = std::fs::read_to_string(gen.join("vfio-bindings/Cargo.toml")).unwrap();
    for feature in [
        "fam-wrappers = [\"vmm-sys-util\"]",
        "vfio-v5_0_0 = []",
        "version = \"0.7.0\"",
    ] {
        assert!(manifest.contains(feature), "{feature} in:\n{manifest}");
    }
}

#[test]
fn constants_carry_the_schemas_docs() {
    let gen = scratch().join("out-docs");
    generate(&gen);
    let mut documented = 0;
    // A proposal's family has no bindings crate: the tree leaves it out.
    for checked in common::real_families()
        .into_iter()
        .filter(|c| c.family.proposal.is_none())
    {
        let f = &checked.family;
        let path = gen.join(format!(
            "{}-bindings/src/{}",
            f.name,
            uapigen::emit::rust_vmm::module_file(&f.name)
        ));
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // Each constant by bindgen's name, with the schema's doc.
        let mut consts = Vec::new();
        for g in &f.groups {
            let prefix = match &g.style {
                Style::Enum { tag: Some(t) } => format!("{t}_"),
                _ => String::new(),
            };
            for v in &g.values {
                consts.push((format!("{prefix}{}", v.name), v.doc.as_deref()));
            }
        }
        for d in &f.defines {
            // bindgen has no ioctl numbers.
            if !matches!(d.constant.expr, Expr::Io { .. }) {
                consts.push((d.constant.name.clone(), d.constant.doc.as_deref()));
            }
        }
        for (name, doc) in consts {
            let at = lines
                .iter()
                .position(|l| l.starts_with(&format!("pub const {name}:")))
                .unwrap_or_else(|| panic!("{}: no constant {name}", path.display()));
            let above = lines[at - 1];
            match doc.and_then(|d| d.lines().map(str::trim).find(|l| !l.is_empty())) {
                Some(first) => {
                    let quoted = format!("{first:?}");
                    assert!(
                        above.starts_with("#[doc = \"")
                            && above.contains(&quoted[1..quoted.len() - 1]),
                        "{name}: the schema's doc is not on it:\n{above}"
                    );
                    documented += 1;
                }
                None => assert!(
                    !above.starts_with("#[doc"),
                    "{name} has a doc the schema does not give it:\n{above}"
                ),
            }
        }
    }
    assert!(documented > 0, "no constant of the schemas has a doc");
}

/// The golden schemas' crates in the rust-vmm profile, generated into scratch folder `ws`.
fn golden_bindings(ws: &str) -> PathBuf {
    let gen = scratch().join(ws);
    let status = Command::new(env!("CARGO_BIN_EXE_uapigen"))
        .current_dir(repo())
        .args([
            "generate",
            "--profile",
            "rust-vmm",
            "--schema",
            "codegen/tests/golden/schema",
            "--out",
        ])
        .arg(&gen)
        .arg("--uaccess-path")
        .arg(repo().join("uaccess"))
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    gen
}

/// The golden schemas in the rust-vmm profile, into scratch folder `ws`: `<family>-bindings`'s
/// module holds each of `lines`, and the crate compiles (layout asserts included) on x86-64
/// and i686, with and without its features.
fn golden_bindings_compile(ws: &str, family: &str, lines: &[&str]) {
    let gen = golden_bindings(ws);
    let krate = format!("{family}-bindings");
    let module = std::fs::read_to_string(gen.join(format!("{krate}/src/{family}.rs"))).unwrap();
    for line in lines {
        assert!(module.contains(line), "{line:?} in:\n{module}");
    }
    std::fs::write(
        gen.join("Cargo.toml"),
        format!("[workspace]\nmembers = [\"{krate}\"]\nresolver = \"2\"\n"),
    )
    .unwrap();
    for target in ["x86_64-unknown-linux-gnu", "i686-unknown-linux-gnu"] {
        for features in [None, Some("--all-features")] {
            let mut args = vec!["check", "-p", &krate, "--target", target];
            args.extend(features);
            offline(&gen, &args, &format!("{krate} for {target} {features:?}"));
        }
    }
}

/// Every golden schema's crate in the rust-vmm profile compiles, layout asserts included, on
/// x86-64 and i686, with and without its features: `float`/`double` members are bindgen's
/// `f32`/`f64`, a type holding a pointer in an inline union derives no zerocopy byte view, and
/// one holding a struct that ends in a flexible array derives no `PartialEq` (neither has).
#[test]
fn every_golden_family_compiles_in_bindgens_api() {
    let _ = std::fs::remove_dir_all(scratch().join("all-ws"));
    let gen = golden_bindings("all-ws");
    let mut crates: Vec<String> = std::fs::read_dir(&gen)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with("-bindings"))
        .collect();
    crates.sort();
    assert!(crates.len() >= 19, "{crates:?}");
    let members: Vec<String> = crates.iter().map(|c| format!("{c:?}")).collect();
    std::fs::write(
        gen.join("Cargo.toml"),
        format!(
            "[workspace]\nmembers = [{}]\nresolver = \"2\"\n",
            members.join(", ")
        ),
    )
    .unwrap();
    for target in ["x86_64-unknown-linux-gnu", "i686-unknown-linux-gnu"] {
        for features in [None, Some("--all-features")] {
            let mut args = vec!["check", "--workspace", "--keep-going", "--target", target];
            args.extend(features);
            offline(
                &gen,
                &args,
                &format!("every golden crate for {target} {features:?}"),
            );
        }
    }
}

/// Structs that end in a flexible array member (golden/schema/flex.toml) in bindgen's API:
/// `pub data: __IncompleteArrayField<__u8>`, bindgen's type written into the crate once, with
/// the layout asserts (the member's offset included) holding on x86-64 and i686, zerocopy's
/// derives and the validators compiling too.
#[test]
fn flexible_array_members_are_bindgens_incomplete_array_field() {
    golden_bindings_compile(
        "flex-ws",
        "flex",
        &[
            "    pub data: __IncompleteArrayField<__u8>,\n",
            "    pub areas: __IncompleteArrayField<flex_sparse_mmap_area>,\n",
            "    pub entries: __IncompleteArrayField<kvm_msr_entry>,\n",
            "    assert!(::std::mem::offset_of!(vfio_irq_set, data) == 20);\n",
        ],
    );
    let module =
        std::fs::read_to_string(scratch().join("flex-ws/flex-bindings/src/flex.rs")).unwrap();
    assert_eq!(
        module
            .matches("pub struct __IncompleteArrayField<T>(::std::marker::PhantomData<T>, [T; 0]);")
            .count(),
        1,
        "{module}"
    );
}

/// Inline structs (golden/schema/nest.toml) in bindgen's API: an anonymous one is a
/// `__bindgen_anon_N` member, every untagged struct or union a `<outer>__bindgen_ty_N` type
/// numbered together, nested ones after their parent's name; the layout asserts hold on x86-64
/// and i686, zerocopy's derives (IntoBytes on the plain struct's inline struct too) and the
/// validators, which read `lo` through two anonymous members, compile.
#[test]
fn inline_structs_are_bindgens_anon_members_and_ty_types() {
    golden_bindings_compile(
        "nest-ws",
        "nest",
        &[
            "    pub __bindgen_anon_1: nest_req__bindgen_ty_1,\n",
            "    pub u: nest_req__bindgen_ty_2,\n",
            "    pub range: nest_req__bindgen_ty_3,\n",
            "    pub __bindgen_anon_2: nest_req__bindgen_ty_4,\n",
            "pub union nest_req__bindgen_ty_1 {\n    pub __bindgen_anon_1: nest_req__bindgen_ty_1__bindgen_ty_1,\n",
            "pub struct nest_req__bindgen_ty_1__bindgen_ty_1 {\n    pub lo: __u32,\n",
            "pub union nest_req__bindgen_ty_2 {\n    pub s: nest_req__bindgen_ty_2__bindgen_ty_1,\n",
            "    pub pts: [nest_plain__bindgen_ty_2; 4usize],\n",
            "    assert!(::std::mem::offset_of!(nest_req, __bindgen_anon_2) == 40);\n",
            "    pub pairs: [nest_req__bindgen_ty_5; 4usize],\n",
        ],
    );
}

/// Packed and aligned structs (golden/schema/packed.toml) as bindgen writes them:
/// `#[repr(C, packed)]`, `#[repr(C, packed(4))]`, `#[repr(C, align(n))]`, with the layout
/// asserts holding on x86-64 and i686, and zerocopy's derives and the validators (which read
/// a packed struct's fields by value) compiling too.
#[test]
fn packed_and_aligned_structs_are_bindgens_reprs() {
    golden_bindings_compile(
        "packed-ws",
        "packed",
        &[
            "#[repr(C, packed)]\n#[derive(Debug, Default, Copy, Clone, PartialEq)]\n",
            "#[repr(C, packed(4))]\n",
            "#[repr(C, align(8))]\n",
            "#[repr(C, align(16))]\n",
            "    assert!(::std::mem::offset_of!(pk_query, value) == 5);\n",
            // gcc's holes before members aligned past their Rust type, spelled out where
            // they are (the i686 one only there); the asserts hold on both targets.
            "    #[cfg(target_arch = \"x86\")]\n    pub __bindgen_padding_0: [u8; 4usize],\n    pub common: __u64,\n",
            "    pub __bindgen_padding_1: [u8; 4usize],\n    pub uid: __u32,\n",
            "    assert!(::std::mem::offset_of!(pk_remote, common) == 16);\n",
            // A layout no `#[repr]` follows: bindgen's opaque blob, sized and aligned as C's.
            "#[repr(C, align(4))]\n#[derive(Debug, Default, Copy, Clone, PartialEq)]\n",
            "pub struct pk_paddr {\n    pub _bindgen_opaque_blob: [u8; 12usize],\n}\n",
            "    assert!(::std::mem::size_of::<pk_paddr>() == 12);\n    assert!(::std::mem::align_of::<pk_paddr>() == 4);\n",
        ],
    );
}

/// golden/schema/stdint.toml in bindgen's API on x86-64 and i686, its layout asserts holding
/// on both: each architecture's own types (`__kernel_mode_t` ...) per `target_arch` in the
/// preamble, bindgen's x86-64 line on x86-64 and the target's <asm/posix_types.h> type
/// elsewhere; an array whose length differs between targets once per length.
#[test]
fn architecture_types_and_per_target_lengths_are_each_targets() {
    golden_bindings_compile(
        "stdint-ws",
        "stdint",
        &[
            "#[cfg(any(target_arch = \"x86\", target_arch = \"arm\"))]\npub type __kernel_mode_t = ::std::os::raw::c_ushort;\n",
            "#[cfg(any(target_arch = \"x86_64\", target_arch = \"aarch64\", target_arch = \"riscv64\", target_arch = \"powerpc64\", target_arch = \"s390x\"))]\npub type __kernel_mode_t = ::std::os::raw::c_uint;\n",
            "pub type __kernel_ino_t = __kernel_ulong_t;\n",
            "    #[cfg(any(target_arch = \"x86\", target_arch = \"arm\"))]\n    pub device: [::std::os::raw::c_char; 20usize],\n",
            "    #[cfg(any(target_arch = \"x86\", target_arch = \"arm\"))]\n    pub pad: [::std::os::raw::c_uchar; 2usize],\n",
        ],
    );
}

/// golden/schema/enums.toml's enums as bindgen names them, compiling on x86-64 and i686: a
/// typedef'd one by its typedef (`en_play_state_t_EN_STOPPED`), a typedef of a tagged one as
/// that enum's type, and one declared as a member's type by the struct that declares it
/// (`en_status__bindgen_ty_1`, its values `en_status_EN_ADD_COMMAND`, as drm/drm.h's
/// `drm_control_DRM_ADD_COMMAND` are).
#[test]
fn enums_declared_by_typedefs_and_members_are_named_as_bindgen_names_them() {
    golden_bindings_compile(
        "enums-ws",
        "enums",
        &[
            "pub const en_play_state_t_EN_STOPPED: en_play_state_t = 0;\n",
            "pub type en_play_state_t = ::std::os::raw::c_uint;\n",
            "pub type en_rate_t = en_rate;\n",
            "pub const en_status_EN_INST_HANDLER: en_status__bindgen_ty_1 = 7;\npub type en_status__bindgen_ty_1 = ::std::os::raw::c_uint;\n",
            "    pub func: en_status__bindgen_ty_1,\n    pub state: en_play_state_t,\n    pub rate: en_rate_t,\n",
        ],
    );
}

/// The capability chain of golden/schema/caps.toml (vfio_region_info and its capabilities,
/// `areas[]` flexible) in bindgen's API, compiling on x86-64 and i686.
#[test]
fn capability_chain_structs_are_bindgens() {
    golden_bindings_compile(
        "caps-ws",
        "caps",
        &[
            "pub struct vfio_info_cap_header {\n",
            "    pub areas: __IncompleteArrayField<vfio_region_sparse_mmap_area>,\n",
            "    pub cap_offset: __u32,\n",
        ],
    );
}

/// Pointer members (golden/schema/ptr.toml) as bindgen writes them: `*mut __u64`,
/// `*mut ::std::os::raw::c_void`, `*const ::std::os::raw::c_char`, `*mut ptr_bitmap`; no
/// `Default` derive (bindgen's all-zero impl instead, null pointers) and no zerocopy derives
/// (a pointer's bytes carry no provenance); the layout asserts hold on x86-64 and i686, where
/// `struct ptr_bitmap` is 24 and 20 bytes.
#[test]
fn pointers_are_bindgens_raw_pointers() {
    golden_bindings_compile(
        "ptr-ws",
        "ptr",
        &[
            "    pub data: *mut __u64,\n",
            "    pub buf: *mut ::std::os::raw::c_void,\n",
            "    pub name: *const ::std::os::raw::c_char,\n",
            "    pub bitmap: *mut ptr_bitmap,\n",
            "    pub ids: *const __u16,\n",
            "#[repr(C)]\n#[derive(Debug, Copy, Clone, PartialEq)]\npub struct ptr_bitmap {",
            "impl Default for ptr_bitmap {",
            // Each struct's size per revision: one test per size of the targets that have it.
            "size: [if cfg!(any(target_arch = \"x86\", target_arch = \"arm\")) { 24 } else { 40 }]",
        ],
    );
    // A define over ioctl numbers (golden/schema/assumes.toml's `AG_STAMP`, by the size of
    // `struct timeval`) takes each target's value, one test per value.
    let module = std::fs::read_to_string(
        scratch().join("ptr-ws/assumes_golden-bindings/src/assumes_golden.rs"),
    )
    .unwrap();
    let line = "pub const AG_STAMP: u32 = if cfg!(any(target_arch = \"x86\", target_arch = \"arm\")) { 35078 } else if cfg!(target_arch = \"powerpc64\") { 1074825478 } else { 2148567302 };\n";
    assert!(module.contains(line), "{line:?} in:\n{module}");
}

/// Ioctl numbers written through wrapper macros (golden/schema/extuse.toml's, through its own
/// `EXTUSE_IOR` and extdep's `EXTDEP_IOWR`) are left out with the wrappers, as bindgen leaves
/// out every function-like macro and every constant that expands to one; the constants they
/// are built on stay, and the crate compiles on x86-64 and i686.
#[test]
fn ioctl_wrappers_and_the_numbers_written_through_them_are_left_out() {
    golden_bindings_compile(
        "extuse-ws",
        "extuse",
        &[
            "pub const EXTDEP_IOCTL_BASE: u8 = 100u8;\n",
            "pub const EXTUSE_CMD_TIMER: u32 = 2;\n",
            "pub union extuse_value {\n",
        ],
    );
    for (family, gone) in [
        ("extuse", "EXTUSE_IOCTL_"),
        ("extdep", "EXTDEP_IOCTL_EVENT"),
    ] {
        let module = std::fs::read_to_string(
            scratch().join(format!("extuse-ws/{family}-bindings/src/{family}.rs")),
        )
        .unwrap();
        assert!(!module.contains(gone), "{gone} in:\n{module}");
    }
}
