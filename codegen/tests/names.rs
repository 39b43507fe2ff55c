//! What the identifier and text policy accepts compiles: Rust keywords as raw identifiers,
//! struct names that are Rust prelude names (`result` → `Result`), docs that contain `*/`, `/*`
//! and trigraphs. `uapigen generate` exits 0 on these schemas, and the output compiles as C11,
//! C23 and C++17 with warnings as errors, and as Rust with `cargo check`; text that tried to end
//! a comment stays inside it. Also: the values written into `Cargo.toml` are checked or escaped,
//! and no output file is written twice.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// Prelude and generated-code names as structs, enums and constants.
const PRELUDE: &str = r#"[family]
name = "prelude"
header = "linux/prelude.h"
guard = "_UAPI_PRELUDE_H"
license = "GPL-2.0 WITH Linux-syscall-note"

[[revision]]
id = "v1"

[[revision]]
id = "v2"

[[enum]]
name = "some"
values = [{ name = "SOME_A" }, { name = "SOME_B" }]

[[enum]]
name = "err"
values = [{ name = "ERR_A", value = 4 }]

[[define]]
name = "None"
value = 1

[[define]]
name = "Ok"
value = 2

[[flags]]
name = "result_flags"
values = [{ name = "RESULT_A", bit = 0 }, { name = "RESULT_B", bit = 1, since = "v2" }]

[[struct]]
name = "option"
fields = [{ name = "x", type = "__u32" }]

[[struct]]
name = "result"
convention = "size"
fields = [
  { name = "size", type = "__u32" },
  { name = "flags", type = "__u32", flags = "result_flags" },
  { name = "kind", type = "__u32", enum = "some" },
  { name = "opt", type = "struct option" },
]
rules = [
  { require = [{ field = "flags", known_flags = true }] },
  { when = [{ field = "kind", equals = "SOME_B" }], require = [{ field = "opt.x", not_equals = "None" }] },
]

[[struct]]
name = "default_"
fields = [{ name = "a", type = "__u32" }]

[[struct]]
name = "sized"
fields = [{ name = "a", type = "__u32" }]

[[struct]]
name = "vec"
fields = [{ name = "string", type = "__u32" }]

[[struct]]
name = "box"
fields = [{ name = "a", type = "__u32" }]

[[struct]]
name = "user_memory"
fields = [{ name = "a", type = "__u32" }]

[[struct]]
name = "rejected"
fields = [{ name = "a", type = "__u32" }]

[[struct]]
name = "iterator"
fields = [{ name = "a", type = "__u32" }]
"#;

/// Rust keywords as the family, revision, field, union member and constant names.
const KEYWORDS: &str = r#"[family]
name = "type"
header = "linux/kw.h"
guard = "_UAPI_KW_H"
license = "GPL-2.0 WITH Linux-syscall-note"

[[revision]]
id = "async"

[[revision]]
id = "gen"

[[flags]]
name = "match_flags"
values = [{ name = "yield", bit = 0 }, { name = "become", bit = 1, since = "gen" }]

[[define]]
name = "abstract"
value = 3

[[struct]]
name = "kw"
convention = "argsz"
min_size = { offsetofend = "match" }
fields = [
  { name = "argsz", type = "__u32" },
  { name = "match", type = "__u32", flags = "match_flags" },
  { name = "type", type = "__u32" },
  { name = "fn", type = "__u32" },
  { name = "dyn", type = "__u32" },
  { name = "priv", type = "__u32" },
  { name = "final", type = "__u32" },
  { name = "gen", type = "__u32" },
  { name = "await", type = "__u32" },
  { name = "self", rust_name = "self_", type = "__u32" },
  { name = "_", rust_name = "underscore", type = "__u32" },
  { name = "impl", union = [{ name = "loop", type = "__u32" }, { name = "move", type = "__u32" }] },
  { name = "unsafe", type = "__u32", since = "gen" },
  { name = "pad", type = "__u32", since = "gen" },
]
rules = [
  { require = [{ field = "match", known_flags = true }] },
  { when = [{ field = "type", equals = "abstract" }], require = [{ field = "impl.loop", has = "yield" }] },
  { require = [{ field = "fn", below = "abstract" }] },
]
"#;

/// Text that tried to end a comment, nest one, form a trigraph or end a Rust string.
const TEXT: &str = r#"[family]
name = "text"
header = "linux/text.h"
guard = "_UAPI_TEXT_H"
license = "(MIT OR Apache-2.0) AND GPL-2.0-only WITH Linux-syscall-note"
description = "*/ _Static_assert(0, \"description\"); /* ??/ and /* nested"

[[revision]]
id = "v1"
label = "*/ _Static_assert(0, \"label\"); /* \"); compile_error!(\"label"

[[flags]]
name = "text_flags"
doc = "*/ _Static_assert(0, \"group doc\"); /*"
values = [{ name = "TEXT_A", bit = 0, doc = "*/ _Static_assert(0, \"flag doc\"); /*" }]

[[enum]]
name = "text_kind"
values = [{ name = "TEXT_K0", doc = "*/ _Static_assert(0, \"enum doc\"); /*" }, { name = "TEXT_K1", doc = "two\n*/ _Static_assert(0, \"enum doc 2\"); /*" }]

[[define]]
name = "TEXT_D"
value = 1
doc = "*/ _Static_assert(0, \"define doc\"); /* ???/"

[[define]]
name = "TEXT_E"
value = 2
doc = "*/ _Static_assert(0, \"define doc\");\n/*\n```\nthis is not Rust\n```\n\n    nor is this"

[[struct]]
name = "text_s"
summary = "*/ _Static_assert(0, \"summary\"); /* ??="
doc = "*/ _Static_assert(0, \"struct doc\"); /*\n\"); compile_error!(\"doc"
convention = "size"
fields = [
  { name = "size", type = "__u32" },
  { name = "flags", type = "__u32", flags = "text_flags", doc = "*/ _Static_assert(0, \"field doc\"); /*" },
  { name = "kind", type = "__u32", enum = "text_kind", comment = "*/ _Static_assert(0, \"comment\"); /*" },
]
rules = [
  { require = [{ field = "flags", known_flags = true }], doc = "*/ _Static_assert(0, \"rule\"); /* \"); compile_error!(\"rule" },
]

[[struct]]
name = "text_plain"
doc = "*/ _Static_assert(0, \"plain doc\"); /*"
fields = [{ name = "a", type = "__u32" }]
"#;

/// A family named like the crate the generated code names as `::core`.
const CORE: &str = r#"[family]
name = "core"
header = "linux/core.h"
guard = "_UAPI_CORE_H"
license = "GPL-2.0 WITH Linux-syscall-note"

[[revision]]
id = "v1"

[[struct]]
name = "core_s"
convention = "size"
fields = [{ name = "size", type = "__u32" }, { name = "a", type = "__u32" }]
"#;

fn uapigen() -> Command {
    Command::new(env!("CARGO_BIN_EXE_uapigen"))
}

fn schema_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("schema")).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join("schema").join(name), text).unwrap();
    }
    dir
}

fn uaccess_path() -> String {
    repo_root().join("uaccess").to_str().unwrap().to_string()
}

/// `cargo check` of a generated crate, in a target folder shared by the tests' runs.
fn cargo_check(krate: &Path) {
    let out = Command::new(env!("CARGO"))
        .args(["check", "--offline", "--quiet", "--manifest-path"])
        .arg(krate.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", repo_root().join("target/names-check"))
        .env("RUSTFLAGS", "-D warnings")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo check of {} failed:\n{}",
        krate.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every header of `out` (uAPI and validators) compiled as C11, C23 and C++17, warnings as
/// errors.
fn compile_c(out: &Path, families: &[&str], headers: &[&str]) {
    let mut src = String::new();
    for h in headers {
        src.push_str(&format!("#include <{h}>\n"));
    }
    for f in families {
        src.push_str(&format!("#include <uapigen/{f}_validate.h>\n"));
    }
    src.push_str("int main(void) { return 0; }\n");
    let include = out.join("include");
    for (compiler, name, std) in [
        ("cc", "t.c", "-std=c11"),
        ("cc", "t.c", "-std=c2x"),
        ("c++", "t.cpp", "-std=c++17"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(name);
        std::fs::write(&file, &src).unwrap();
        let res = Command::new(compiler)
            .args([std, "-Wall", "-Wextra", "-Werror", "-fsyntax-only", "-I"])
            .arg(include.join("uapi"))
            .arg("-I")
            .arg(&include)
            .arg(&file)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {compiler}: {e}"));
        assert!(
            res.status.success(),
            "{compiler} {std}:\n{}",
            String::from_utf8_lossy(&res.stderr)
        );
    }
}

/// The accepted schemas generate output that compiles, in C, C++ and Rust.
#[test]
fn accepted_names_and_text_compile() {
    let dir = schema_dir(&[
        ("prelude.toml", PRELUDE),
        ("keywords.toml", KEYWORDS),
        ("text.toml", TEXT),
        ("core.toml", CORE),
    ]);
    let out = dir.path().join("out");
    let res = uapigen()
        .arg("generate")
        .arg("--schema")
        .arg(dir.path().join("schema"))
        .arg("--out")
        .arg(&out)
        .args(["--crate-name", "names-accepted", "--uaccess-path"])
        .arg(uaccess_path())
        .output()
        .unwrap();
    assert_eq!(
        res.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );

    // The text stayed inside its comments: a `_Static_assert(0, ...)` that got out fails C11.
    let text_h = std::fs::read_to_string(out.join("include/uapi/linux/text.h")).unwrap();
    assert!(
        text_h.contains(r#"*\/ _Static_assert(0, "summary"); /\* ?\?="#),
        "{text_h}"
    );
    assert!(!text_h.contains("*/ _Static_assert"), "{text_h}");
    let validate_h = std::fs::read_to_string(out.join("include/uapigen/text_validate.h")).unwrap();
    assert!(
        validate_h.contains(r#"/* *\/ _Static_assert(0, "rule"); /\* "); compile_error!("rule */"#),
        "{validate_h}"
    );
    assert!(
        validate_h.contains(r#"/* *\/ _Static_assert(0, "label"); /\*"#),
        "{validate_h}"
    );
    let keywords_rs = std::fs::read_to_string(out.join("rust/src/type.rs")).unwrap();
    assert!(keywords_rs.contains("pub r#match: u32"), "{keywords_rs}");
    assert!(keywords_rs.contains("pub mod r#async"), "{keywords_rs}");
    // The Rust doc is the schema's text, unescaped: it is a string, not a comment, to quote.
    let text_rs = std::fs::read_to_string(out.join("rust/src/text.rs")).unwrap();
    assert!(
        text_rs.contains(r#"/// `struct text_s`: */ _Static_assert(0, "summary"); /* ??="#),
        "{text_rs}"
    );

    compile_c(
        &out,
        &["prelude", "type", "text", "core"],
        &[
            "linux/prelude.h",
            "linux/kw.h",
            "linux/text.h",
            "linux/core.h",
        ],
    );
    cargo_check(&out.join("rust"));
}

/// `--crate-name` must be a name cargo takes; `--uaccess-path` is written as a TOML string, so
/// quotes and backslashes in it stay in the path; neither can add a line to `Cargo.toml`.
#[test]
fn cargo_toml_values_are_checked_or_escaped() {
    let dir = schema_dir(&[("core.toml", CORE)]);
    let generate = |args: &[&str]| {
        uapigen()
            .arg("generate")
            .arg("--schema")
            .arg(dir.path().join("schema"))
            .arg("--out")
            .arg(dir.path().join("out"))
            .args(args)
            .output()
            .unwrap()
    };
    for (name, why) in [
        ("x\"\n[workspace]\nmembers = [\"", "contains \"\\\"\""),
        ("", "is empty"),
        ("1abc", "starts with a digit"),
        ("a b", "contains \" \""),
        (&"a".repeat(65), "is 65 characters long; cargo allows 64"),
    ] {
        let res = generate(&["--crate-name", name]);
        let stderr = String::from_utf8_lossy(&res.stderr);
        assert_eq!(res.status.code(), Some(2), "{name:?}: {stderr}");
        assert!(
            stderr.contains(&format!("--crate-name: {name:?} {why}")),
            "{name:?}: {stderr}"
        );
        assert!(!dir.path().join("out").exists(), "{name:?} wrote output");
    }
    let res = generate(&["--uaccess-path", "a\nb"]);
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--uaccess-path: \"a\\nb\" contains the control character U+000A"),
        "{stderr}"
    );

    let odd = "../x\" }\n[patch]\\y'z";
    let odd = odd.replace('\n', "");
    let res = generate(&["--crate-name", "ok_name-2", "--uaccess-path", &odd]);
    assert_eq!(
        res.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let manifest = std::fs::read_to_string(dir.path().join("out/rust/Cargo.toml")).unwrap();
    let parsed: toml::Table = toml::from_str(&manifest).unwrap();
    assert_eq!(parsed["package"]["name"].as_str(), Some("ok_name-2"));
    assert_eq!(
        parsed["dependencies"]["uapigen-uaccess"]["path"].as_str(),
        Some(odd.as_str()),
        "{manifest}"
    );
    assert!(!parsed.contains_key("patch"), "{manifest}");
}

/// Two families with one header used to overwrite each other's header silently.
#[test]
fn two_families_with_one_header_are_refused() {
    let a = CORE.replace("name = \"core\"", "name = \"a\"");
    let b = CORE
        .replace("name = \"core\"", "name = \"b\"")
        .replace("core_s", "b_s");
    let dir = schema_dir(&[("a.toml", &a), ("b.toml", &b)]);
    let res = uapigen()
        .arg("generate")
        .arg("--schema")
        .arg(dir.path().join("schema"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(2), "{stderr}");
    let schema = dir.path().join("schema");
    assert!(
        stderr.contains(&format!(
            "{}:3:10: error: header `linux/core.h` is also the header of family `a` (a.toml)",
            schema.join("b.toml").display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "= note: {}:3:10: its header",
            schema.join("a.toml").display()
        )),
        "{stderr}"
    );
    assert!(!dir.path().join("out").exists());
}

/// Two families that define one C name: a program including both headers would not compile.
#[test]
fn two_families_with_one_c_name_are_refused() {
    let a = CORE.replace("name = \"core\"", "name = \"a\"");
    let b = CORE
        .replace("name = \"core\"", "name = \"b\"")
        .replace("linux/core.h", "linux/b.h")
        .replace("_UAPI_CORE_H", "_UAPI_B_H");
    let dir = schema_dir(&[("a.toml", &a), ("b.toml", &b)]);
    let err = uapigen::load_dir(&dir.path().join("schema")).unwrap_err();
    let text = err.to_string();
    let schema = dir.path().join("schema");
    assert!(
        text.contains(&format!(
            "{}:11:8: error: struct `core_s` of family `b` has the name of struct `core_s` of family `a` (a.toml): a program that includes both headers does not compile",
            schema.join("b.toml").display()
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "= note: {}:11:8: struct `core_s`",
            schema.join("a.toml").display()
        )),
        "{text}"
    );
}

/// The Builder plans its files as `generate` does: a file two schemas would write is refused,
/// naming both, before anything is written.
#[test]
fn builder_refuses_a_file_written_twice() {
    let dir = schema_dir(&[("core.toml", CORE)]);
    let schema = dir.path().join("schema/core.toml");
    let copy = dir.path().join("schema/copy.toml");
    std::fs::copy(&schema, &copy).unwrap();
    let out = dir.path().join("out");
    let err = uapigen::Builder::new()
        .schema(&schema)
        .schema(&copy)
        .out_dir(&out)
        .emit_rust()
        .compile()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "core.rs would be written twice: for {} and for {}",
            schema.display(),
            copy.display()
        )
    );
    assert!(!out.exists());

    // A family whose name is a Rust keyword gets a raw module name in `uapigen.rs`.
    let kw = dir.path().join("kw.toml");
    std::fs::write(&kw, KEYWORDS).unwrap();
    uapigen::Builder::new()
        .schema(&kw)
        .out_dir(&out)
        .emit_rust()
        .compile()
        .unwrap();
    let modules = std::fs::read_to_string(out.join("uapigen.rs")).unwrap();
    assert!(modules.contains("pub mod r#type;"), "{modules}");
}
