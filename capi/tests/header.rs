//! `include/uapigen/runtime.h` is what cbindgen emits from `src/lib.rs` with `cbindgen.toml`:
//! a signature, constant or doc comment changed without the header fails here.
//! `UAPIGEN_BLESS=1` rewrites the header instead.

use std::path::Path;

/// cbindgen's header for the crate at `dir`.
fn emit(dir: &Path) -> String {
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .unwrap_or_else(|e| panic!("cbindgen cannot read src/lib.rs: {e}"));
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("cbindgen writes UTF-8")
}

#[test]
fn the_header_is_what_cbindgen_emits() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = dir.join("include/uapigen/runtime.h");
    let emitted = emit(dir);
    if std::env::var_os("UAPIGEN_BLESS").is_some_and(|v| v == "1") {
        // Renamed into place: the compile test below may be reading the header meanwhile.
        let tmp = path.with_extension("h.new");
        std::fs::write(&tmp, &emitted).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        return;
    }
    let committed =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        committed == emitted,
        "{} is stale: it is not what cbindgen emits from src/lib.rs \
         (rerun with UAPIGEN_BLESS=1 to accept).\n--- cbindgen emits:\n{emitted}",
        path.display()
    );
}

/// The header alone, as a C11 program and a C++17 one include it: no warning.
#[test]
fn the_header_compiles_as_c11_and_cxx17() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    for (compiler, file, flags) in [
        ("cc", "t.c", &["-std=c11", "-pedantic-errors"][..]),
        // A flexible array member is a C++ extension g++ accepts; -pedantic would refuse it.
        ("c++", "t.cc", &["-std=c++17"][..]),
    ] {
        let src = tmp.path().join(file);
        std::fs::write(
            &src,
            "#include <uapigen/runtime.h>\n\
             int main(void) { return sizeof(struct uapigen_nesting_op) == 8 ? 0 : 1; }\n",
        )
        .unwrap();
        let out = std::process::Command::new(compiler)
            .args(flags)
            .args(["-Wall", "-Wextra", "-Werror", "-fsyntax-only", "-I"])
            .arg(dir.join("include"))
            .arg(&src)
            .output()
            .unwrap_or_else(|e| panic!("cannot run `{compiler}` ({e}): run scripts/setup"));
        assert!(
            out.status.success(),
            "{compiler} {flags:?} refuses the header:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The comparison above sees a signature change: one parameter widened in a copy of the
/// source gives another header.
#[test]
fn a_changed_signature_changes_the_header() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let copy = tempfile::tempdir().unwrap();
    std::fs::create_dir(copy.path().join("src")).unwrap();
    std::fs::copy(dir.join("cbindgen.toml"), copy.path().join("cbindgen.toml")).unwrap();
    let src = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    let from = "    hwpt_id: u32,\n";
    assert!(
        src.contains(from),
        "uapigen_iommufd_attach's hwpt_id in src/lib.rs"
    );
    std::fs::write(
        copy.path().join("src/lib.rs"),
        src.replace(from, "    hwpt_id: u64,\n"),
    )
    .unwrap();
    let emitted = emit(copy.path());
    assert!(
        emitted.contains("uint32_t dev_id, uint64_t hwpt_id);"),
        "{emitted}"
    );
    let committed = std::fs::read_to_string(dir.join("include/uapigen/runtime.h")).unwrap();
    assert_ne!(emitted, committed);
}
