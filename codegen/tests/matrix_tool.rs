//! `uapigen matrix` tells the truth about what it ran: nothing to run is said plainly, a
//! missing or stale `--out` is refused before anything runs, a struct of any size fits the
//! harness, a cell without a case is not a pass, and no scratch folder outlives a run.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

/// A run of `uapigen` with its own `TMPDIR`, and the scratch folders it left there or in the
/// system's temporary folder (named after its process id).
struct Run {
    out: Output,
    leftovers: Vec<PathBuf>,
}

impl Run {
    fn text(&self) -> String {
        format!(
            "{}{}",
            String::from_utf8_lossy(&self.out.stdout),
            String::from_utf8_lossy(&self.out.stderr)
        )
    }
    fn code(&self) -> Option<i32> {
        self.out.status.code()
    }
}

fn run(args: &[&str], cwd: &Path, path: Option<&Path>) -> Run {
    let tmp = cwd.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_uapigen"));
    cmd.args(args)
        .current_dir(cwd)
        .env("TMPDIR", &tmp)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    if let Some(dir) = path {
        let old = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![dir.to_path_buf()];
        paths.extend(std::env::split_paths(&old));
        cmd.env("PATH", std::env::join_paths(paths).unwrap());
    }
    let child = cmd.spawn().unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    let mut leftovers = Vec::new();
    for dir in [tmp.clone(), std::env::temp_dir()] {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let ours = dir == tmp || name.contains(&format!("-{pid}-"));
            if ours && name.starts_with("uapigen-") {
                leftovers.push(p);
            }
        }
    }
    Run { out, leftovers }
}

/// A scratch project: `schema/<name>.toml` holding `toml`.
fn project(name: &str, toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("schema")).unwrap();
    std::fs::write(dir.path().join("schema").join(format!("{name}.toml")), toml).unwrap();
    dir
}

fn generate(dir: &Path) {
    let r = run(&["generate"], dir, None);
    assert_eq!(r.code(), Some(0), "{}", r.text());
}

const HEAD: &str = r#"[family]
name = "widget"
header = "linux/widget.h"
guard = "_UAPI_LINUX_WIDGET_H"
license = "GPL-2.0 WITH Linux-syscall-note"
includes = ["linux/types.h"]

[[revision]]
id = "v1"
"#;

/// A size-convention struct of `bytes` bytes (two revisions: the second adds `extra`).
fn sized(bytes: usize) -> String {
    format!(
        r#"{HEAD}
[[revision]]
id = "v2"

[[struct]]
name = "widget_big"
convention = "size"
min_size = {{ offsetofend = "data" }}
rules = [{{ require = [{{ field = "flags", zero = true }}] }}]
fields = [
  {{ name = "size", type = "__u32" }},
  {{ name = "flags", type = "__u32" }},
  {{ name = "data", type = "__u8", len = {} }},
  {{ name = "extra", type = "__aligned_u64", since = "v2" }},
]
"#,
        bytes - 16
    )
}

#[test]
fn no_validated_struct_is_nothing_to_run_not_a_compile_error() {
    let toml = format!(
        "{HEAD}\n[[struct]]\nname = \"widget_plain\"\nfields = [{{ name = \"a\", type = \"__u32\" }}]\n"
    );
    let dir = project("widget", &toml);
    // Nothing is validated, so there is nothing to generate validators for, or to miss.
    for generated in [false, true] {
        if generated {
            generate(dir.path());
        }
        let r = run(&["matrix"], dir.path(), None);
        let out = r.text();
        assert_eq!(r.code(), Some(0), "{out}");
        assert!(
            out.starts_with("nothing to run: no struct in the schema has a size convention"),
            "{out}"
        );
        assert!(!out.contains("compile"), "{out}");
        assert!(r.leftovers.is_empty(), "{:?}", r.leftovers);
        let r = run(&["matrix", "--format", "json"], dir.path(), None);
        assert_eq!(r.code(), Some(0), "{}", r.text());
        let json: serde_json::Value = serde_json::from_slice(&r.out.stdout).unwrap();
        assert_eq!(json["ok"], true);
        assert_eq!(json["structs"].as_array().map(Vec::len), Some(0));
    }
}

#[test]
fn missing_headers_are_refused_up_front_naming_them() {
    let dir = project("widget", &sized(64));
    let r = run(&["matrix"], dir.path(), None);
    let out = r.text();
    assert_eq!(r.code(), Some(2), "{out}");
    assert!(
        out.starts_with("matrix: the generated C validators are missing from generated:\n"),
        "{out}"
    );
    for f in [
        "generated/include/uapi/linux/widget.h",
        "generated/include/uapigen/widget_validate.h",
        "generated/include/uapigen/uaccess.h",
    ] {
        assert!(out.contains(&format!("  {f}\n")), "{out}");
    }
    assert!(
        out.contains("run `uapigen generate --out generated` (with the same --schema) first"),
        "{out}"
    );
    assert!(!out.contains("FAIL"), "{out}");
    assert!(r.leftovers.is_empty(), "{:?}", r.leftovers);

    // One file gone after a generate: exactly that one is named.
    generate(dir.path());
    std::fs::remove_file(
        dir.path()
            .join("generated/include/uapigen/widget_validate.h"),
    )
    .unwrap();
    let r = run(&["matrix", "--out", "generated"], dir.path(), None);
    let out = r.text();
    assert_eq!(r.code(), Some(2), "{out}");
    assert!(
        out.contains("missing from generated:\n  generated/include/uapigen/widget_validate.h\nrun"),
        "{out}"
    );
    assert!(r.leftovers.is_empty(), "{:?}", r.leftovers);
}

#[test]
fn stale_headers_are_refused_not_reported_as_fail_cells() {
    let dir = project("widget", &sized(64));
    generate(dir.path());
    let r = run(&["matrix"], dir.path(), None);
    assert_eq!(r.code(), Some(0), "{}", r.text());

    // A revision the headers do not have.
    let schema = dir.path().join("schema/widget.toml");
    let with_v3 = sized(64).replace("\n[[struct]]", "\n[[revision]]\nid = \"v3\"\n\n[[struct]]");
    std::fs::write(&schema, &with_v3).unwrap();
    let r = run(&["matrix"], dir.path(), None);
    let out = r.text();
    assert_eq!(r.code(), Some(2), "{out}");
    assert!(
        out.contains("matrix: the generated C validators in generated are stale:\n  generated/include/uapigen/widget_validate.h: lacks widget_big__v3_copy_from_user"),
        "{out}"
    );
    assert!(!out.contains("FAIL"), "{out}");

    // The same revisions, a different layout: the headers compile and are still stale.
    std::fs::write(&schema, sized(80)).unwrap();
    let r = run(&["matrix"], dir.path(), None);
    let out = r.text();
    assert_eq!(r.code(), Some(2), "{out}");
    assert!(
        out.contains("are stale (generated from another schema?):\n  struct widget_big: size 64 in the header, 80 in the schema\n"),
        "{out}"
    );
    assert!(
        out.contains("  widget_big.extra: offset 56 in the header, 72 in the schema\n"),
        "{out}"
    );
    assert!(!out.contains("FAIL"), "{out}");

    // Headers generated from another schema file.
    std::fs::rename(&schema, dir.path().join("schema/other.toml")).unwrap();
    let r = run(&["matrix"], dir.path(), None);
    let out = r.text();
    assert_eq!(r.code(), Some(2), "{out}");
    assert!(
        out.contains("generated/include/uapi/linux/widget.h: not generated from other.toml (it lacks the line `Generated by uapigen from other.toml; do not edit.`)"),
        "{out}"
    );
    assert!(r.leftovers.is_empty(), "{:?}", r.leftovers);
}

/// A revision whose rule compares a member a later revision re-purposed has no C validator (C
/// written against today's header cannot name the member, and reads its bytes only to test
/// them for zero). The matrix knows it from the
/// model: the headers are current, so it must not call them stale and send the user to
/// `generate`; it names the missing validator in that kernel's cells.
#[test]
fn a_revision_without_a_c_validator_is_named_not_called_stale() {
    let toml = format!(
        r#"{HEAD}
[[revision]]
id = "v2"

[[flags]]
name = "widget_rp_flags"
values = [{{ name = "WIDGET_RP_MODE", bit = 0, since = "v2" }}]

[[struct]]
name = "widget_rp"
convention = "size"
rules = [{{ require = [{{ field = "__reserved", below = 4 }}] }}]
fields = [
  {{ name = "size", type = "__u32" }},
  {{ name = "flags", type = "__u32", flags = "widget_rp_flags" }},
  {{ name = "__reserved", type = "__u32", reserved = true, until = "v2" }},
  {{ name = "mode", type = "__u32", since = "v2" }},
]
"#
    );
    let dir = project("widget", &toml);
    generate(dir.path());
    let validate = std::fs::read_to_string(
        dir.path()
            .join("generated/include/uapigen/widget_validate.h"),
    )
    .unwrap();
    assert!(
        !validate.contains("widget_rp__v1_copy_from_user("),
        "{validate}"
    );
    assert!(
        validate.contains("widget_rp__v2_copy_from_user("),
        "{validate}"
    );
    let r = run(&["matrix"], dir.path(), None);
    let out = r.text();
    assert_eq!(r.code(), Some(1), "{out}");
    assert!(!out.contains("stale"), "{out}");
    assert!(
        out.contains("  user \\ kernel  v1      v2      \n  v1             CRASH   pass    \n  v2             CRASH   pass    \n"),
        "{out}"
    );
    assert!(
        out.contains("    user v1 × kernel v1: generated C: exact match: the generated C has no validator of `widget_rp` for v1: a rule of that revision reads a member today's struct no longer has"),
        "{out}"
    );
    assert!(r.leftovers.is_empty(), "{:?}", r.leftovers);
}

/// The harness had a 4 KiB output buffer and 16 KiB input: a 5 KiB struct overflowed it, and
/// a 64 KiB one its input line too. Every buffer is now sized from the input or by `sizeof`.
#[test]
fn structs_of_5_and_64_kib_run_through_the_matrix() {
    for bytes in [5 * 1024, 64 * 1024] {
        let dir = project("widget", &sized(bytes));
        generate(dir.path());
        let r = run(&["matrix"], dir.path(), None);
        let out = r.text();
        assert_eq!(r.code(), Some(0), "{bytes}: {out}");
        assert!(
            out.contains(
                "  user \\ kernel  v1      v2      \n  v1             pass    pass    \n  v2             pass    pass    \n"
            ),
            "{bytes}: {out}"
        );
        assert!(out.contains("\nok: "), "{out}");
        let r = run(&["matrix", "--format", "json"], dir.path(), None);
        let json: serde_json::Value = serde_json::from_slice(&r.out.stdout).unwrap();
        let cells = &json["structs"][0]["cells"];
        // The diagonal plays the malicious sizes, up to 16 past the largest revision.
        assert!(cells[1][1]["cases"].as_u64().unwrap() > 256, "{cells}");
        assert!(r.leftovers.is_empty(), "{:?}", r.leftovers);
    }
}

#[test]
fn a_cell_without_cases_is_empty_and_fails_the_run() {
    // Two unconditional rules no struct can satisfy: the schema's own kernel refuses every
    // instance, so the matrix has no accepted case to start from.
    let toml = sized(64).replace(
        r#"rules = [{ require = [{ field = "flags", zero = true }] }]"#,
        r#"rules = [
  { require = [{ field = "flags", equals = 1 }] },
  { require = [{ field = "flags", equals = 2 }] },
]"#,
    );
    let dir = project("widget", &toml);
    generate(dir.path());
    let r = run(&["matrix"], dir.path(), None);
    let out = r.text();
    assert_eq!(r.code(), Some(1), "{out}");
    assert!(out.contains("  v1             EMPTY   EMPTY   \n"), "{out}");
    assert!(
        out.contains("    user v1 × kernel v1: no case run: v1's kernel refuses the struct the matrix starts from (size set, the unconditional rules satisfied as far as the matrix can, the rest zero): -EINVAL (flags == 1)"),
        "{out}"
    );
    assert!(
        out.ends_with("FAILED: 0 cases passed, 4 cells ran no case\n"),
        "{out}"
    );
    assert!(!out.contains("pass "), "{out}");
    let r = run(&["matrix", "--format", "json"], dir.path(), None);
    let json: serde_json::Value = serde_json::from_slice(&r.out.stdout).unwrap();
    assert_eq!(json["ok"], false);
    assert_eq!(json["structs"][0]["cells"][0][0]["result"], "empty");
    assert!(r.leftovers.is_empty(), "{:?}", r.leftovers);
}

/// Rules the matrix used to skip (`not_equals`, `has`, `at_least`) are satisfied by its
/// starting struct, so such a struct gets cases instead of empty cells.
#[test]
fn unconditional_not_equals_has_and_at_least_get_cases() {
    let toml = sized(64).replace(
        r#"rules = [{ require = [{ field = "flags", zero = true }] }]"#,
        r#"rules = [
  { require = [{ field = "flags", not_equals = 0 }] },
  { require = [{ field = "flags", has = 6 }] },
  { require = [{ field = "data", nonzero = true }] },
]"#,
    );
    let dir = project("widget", &toml);
    generate(dir.path());
    let r = run(&["matrix"], dir.path(), None);
    let out = r.text();
    assert_eq!(r.code(), Some(0), "{out}");
    assert!(!out.contains("EMPTY"), "{out}");
}

#[test]
fn a_failed_compile_leaves_no_scratch_folder() {
    let dir = project("widget", &sized(64));
    generate(dir.path());
    // A C compiler that fails: the harness is never built.
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let cc = bin.join("cc");
    std::fs::write(&cc, "#!/bin/sh\necho 'cc: broken on purpose' >&2\nexit 1\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&cc, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let r = run(&["matrix"], dir.path(), Some(&bin));
    let out = r.text();
    assert_eq!(r.code(), Some(2), "{out}");
    assert!(
        out.contains("the generated C validators in generated/include do not compile"),
        "{out}"
    );
    assert!(out.contains("cc: broken on purpose"), "{out}");
    assert!(r.leftovers.is_empty(), "{:?}", r.leftovers);

    // And a passing run leaves none either.
    let r = run(&["matrix"], dir.path(), None);
    assert_eq!(r.code(), Some(0), "{}", r.text());
    assert!(r.leftovers.is_empty(), "{:?}", r.leftovers);
}

/// The scratch folder is removed while a panic unwinds, not only on return.
#[test]
fn the_scratch_folder_goes_away_when_a_panic_unwinds() {
    let root = tempfile::tempdir().unwrap();
    let seen = std::panic::catch_unwind(|| {
        let dir = uapigen::clang_proof::ScratchDir::new_in(root.path(), "uapigen-matrix").unwrap();
        std::fs::write(dir.path().join("matrix.c"), "int main;").unwrap();
        assert!(dir.path().is_dir());
        panic!("unwinding");
    });
    assert!(seen.is_err());
    assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 0);
    // Two folders in a row never share a name, and neither is readable by others.
    let a = uapigen::clang_proof::ScratchDir::new_in(root.path(), "uapigen-matrix").unwrap();
    let b = uapigen::clang_proof::ScratchDir::new_in(root.path(), "uapigen-matrix").unwrap();
    assert_ne!(a.path(), b.path());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(a.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }
}

/// The library entry point refuses a compile failure without leaving its folder either.
#[test]
fn build_in_removes_its_folder_when_the_headers_do_not_compile() {
    let dir = project("widget", &sized(64));
    generate(dir.path());
    let fams = uapigen::load_dir(&dir.path().join("schema")).unwrap();
    let include = dir.path().join("generated/include");
    let validate = include.join("uapigen/widget_validate.h");
    let text = std::fs::read_to_string(&validate).unwrap();
    std::fs::write(&validate, format!("{text}\n#error broken on purpose\n")).unwrap();
    let root = tempfile::tempdir().unwrap();
    let e = uapigen::matrix_c::CValidators::build_in(root.path(), &include, &fams)
        .err()
        .expect("refused");
    assert!(e.to_string().contains("broken on purpose"), "{e}");
    assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 0);
    let _ = repo_root();
}

/// `sized(64)` and a second, correct struct: what a broken validator of one must not hide.
fn two_structs() -> String {
    format!(
        r#"{}
[[struct]]
name = "widget_small"
convention = "size"
min_size = {{ offsetofend = "flags" }}
fields = [
  {{ name = "size", type = "__u32" }},
  {{ name = "flags", type = "__u32" }},
]
"#,
        sized(64)
    )
}

/// Puts `body` at the start of `widget_big`'s v1 validator in the generated C.
fn break_v1_validator(dir: &Path, body: &str) {
    let validate = dir.join("generated/include/uapigen/widget_validate.h");
    let text = std::fs::read_to_string(&validate).unwrap();
    let head = "static inline int widget_big__v1_copy_from_user(struct widget_big *dst, const void *src)\n{\n";
    assert!(text.contains(head), "{text}");
    std::fs::write(&validate, text.replace(head, &format!("{head}\t{body}\n"))).unwrap();
}

/// A validator that crashes, aborts or exits took the harness down with it, and every case
/// after it showed as `FAIL ... got -EFAULT`. Now the cell and case it died on are named with
/// the signal or status, the run fails, and the rest of the matrix still runs (a fresh
/// harness from the next cell on).
#[test]
fn a_validator_that_kills_the_harness_is_named_with_its_cell_case_and_signal() {
    for (body, how) in [
        (
            "*(volatile int *)0 = 0;",
            "the harness was killed by signal 11 (SIGSEGV)",
        ),
        (
            "fprintf(stderr, \"widget: broken on purpose\\n\"); abort();",
            "the harness was killed by signal 6 (SIGABRT) (its stderr: \"widget: broken on purpose\")",
        ),
        ("exit(7);", "the harness exited with status 7"),
        (
            "printf(\"hello\\n\");",
            "the harness printed \"hello\" where the case's answer belongs (does the validator write to stdout?)",
        ),
    ] {
        let dir = project("widget", &two_structs());
        generate(dir.path());
        break_v1_validator(dir.path(), body);
        let r = run(&["matrix"], dir.path(), None);
        let out = r.text();
        assert_eq!(r.code(), Some(1), "{body}: {out}");
        assert!(!out.contains("EFAULT"), "{body}: {out}");
        assert!(!out.contains("FAIL "), "{body}: {out}");
        // Only v1's kernel runs the broken function: its column crashes, at each cell's first case.
        assert!(
            out.contains("widget widget_big (size convention)\n  user \\ kernel  v1      v2      \n  v1             CRASH   pass    \n  v2             CRASH   pass    \n"),
            "{body}: {out}"
        );
        assert!(
            out.contains(&format!("    user v1 × kernel v1: generated C: exact match: {how}; the rest of the cell was not run\n")),
            "{body}: {out}"
        );
        assert!(
            out.contains(&format!("    user v2 × kernel v1: generated C: new user, old kernel, known features only: {how}; the rest of the cell was not run\n")),
            "{body}: {out}"
        );
        // The other struct ran to the end.
        assert!(
            out.contains("widget widget_small (size convention)\n  user \\ kernel  v1      v2      \n  v1             pass    pass    \n  v2             pass    pass    \n"),
            "{body}: {out}"
        );
        assert!(out.contains(", 2 cells crashed\n"), "{body}: {out}");
        assert!(out.contains("\nFAILED: "), "{body}: {out}");
        let r = run(&["matrix", "--format", "json"], dir.path(), None);
        assert_eq!(r.code(), Some(1), "{}", r.text());
        let json: serde_json::Value = serde_json::from_slice(&r.out.stdout).unwrap();
        let cell = &json["structs"][0]["cells"][0][0];
        assert_eq!(cell["result"], "crash", "{cell}");
        assert_eq!(cell["case"], "exact match", "{cell}");
        assert_eq!(cell["how"], how, "{cell}");
        assert!(r.leftovers.is_empty(), "{:?}", r.leftovers);
    }
}

/// A validator that loops is killed after the time limit, and the cell says so.
#[test]
fn a_validator_that_loops_is_killed_and_named_as_a_hang() {
    let dir = project("widget", &two_structs());
    generate(dir.path());
    break_v1_validator(dir.path(), "for (;;)\n\t\t;");
    let fams = uapigen::load_dir(&dir.path().join("schema")).unwrap();
    let include = dir.path().join("generated/include");
    let started = std::time::Instant::now();
    let mut c = uapigen::matrix_c::CValidators::build(&include, &fams)
        .unwrap()
        .with_case_timeout(std::time::Duration::from_millis(500));
    let m = uapigen::matrix::run(&fams, &mut [&mut c]);
    // Two cells hang, each once for the limit: bounded, not forever.
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    assert!(!m.ok);
    let out = uapigen::matrix::table(&m);
    assert!(
        out.contains("  v1             HANG    pass    \n  v2             HANG    pass    \n"),
        "{out}"
    );
    assert!(
        out.contains("    user v1 × kernel v1: generated C: exact match: the harness did not answer within 0.5 s and was killed (a loop?); the rest of the cell was not run\n"),
        "{out}"
    );
    assert!(out.contains(", 2 cells hung\n"), "{out}");
    assert_eq!(uapigen::matrix_c::CASE_TIMEOUT.as_secs(), 10);
}

/// Structs that end in a flexible array member (golden/schema/flex.toml: `vfio_irq_set`, the
/// argsz/flags/data[] envelope, whose data arrives in r2) run through the matrix as any other:
/// the harness reports the member's offset (it has no sizeof), and the member r2 appends is no
/// byte a new user could set inside the struct.
#[test]
fn structs_ending_in_a_flexible_array_run_through_the_matrix() {
    let toml =
        std::fs::read_to_string(repo_root().join("codegen/tests/golden/schema/flex.toml")).unwrap();
    let dir = project("flex", &toml);
    generate(dir.path());
    let r = run(&["matrix"], dir.path(), None);
    let out = r.text();
    assert_eq!(r.code(), Some(0), "{out}");
    for s in ["vfio_irq_set", "vfio_device_feature", "flex_envelope"] {
        assert!(
            out.contains(&format!(
                "flex {s} (argsz convention)\n  user \\ kernel  r1      r2      \n  r1             pass    pass    \n  r2             pass    pass    \n"
            )),
            "{s}: {out}"
        );
    }
}

/// The golden schemas, which use every construct, pass their own matrix through the generated
/// C: each revision's kernel keeps the promises the schema makes (an old user on a new
/// kernel was refused once, when a `size` struct without `min_size` grew).
#[test]
fn the_golden_schemas_pass_their_matrix() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let tmp = tempfile::tempdir().unwrap();
    let r = run(
        &[
            "matrix",
            "--schema",
            &root.join("schema").display().to_string(),
            "--out",
            &root.join("out").display().to_string(),
        ],
        tmp.path(),
        None,
    );
    let out = r.text();
    assert_eq!(r.code(), Some(0), "{out}");
    assert!(out.contains("cases passed"), "{out}");
    // caps.toml's chain: its kernel's column and the malformed chains, through the C walker.
    assert!(
        out.contains("caps vfio_region_info chain\n  kernel  v7_2    malformed\n  walk    pass    pass    \n"),
        "{out}"
    );
    // convention.toml's struct a later kernel copies otherwise: each revision's convention.
    assert!(
        out.contains(
            "convention conv_bind (conventions by revision: r1: argsz, r2: size, r3: size)\n"
        ),
        "{out}"
    );
}

/// Inline structs (golden/schema/nest.toml): the generated C validator reads `lo` through an
/// anonymous struct in an anonymous union, `u.s.count` and `range.last` through named ones,
/// and agrees with the interpreter on every case the matrix makes of their rules.
#[test]
fn rules_through_inline_structs_run_through_the_matrix() {
    let toml =
        std::fs::read_to_string(repo_root().join("codegen/tests/golden/schema/nest.toml")).unwrap();
    let dir = project("nest", &toml);
    generate(dir.path());
    let r = run(&["matrix"], dir.path(), None);
    let out = r.text();
    assert_eq!(r.code(), Some(0), "{out}");
    assert!(
        out.contains("nest nest_req (size convention)\n  user \\ kernel  r1      \n  r1             pass    \n"),
        "{out}"
    );
}

/// A packed struct (golden/schema/packed.toml's `pk_query`: a `__u64` at byte 5, a `__u32`
/// array at byte 13) runs through the matrix as any other: the harness's sizeof and offsetof
/// are the schema's, and the generated C and Rust validators (which read its unaligned
/// fields by value) agree with the interpreter.
#[test]
fn a_packed_struct_runs_through_the_matrix() {
    let toml = std::fs::read_to_string(repo_root().join("codegen/tests/golden/schema/packed.toml"))
        .unwrap();
    let dir = project("packed", &toml);
    generate(dir.path());
    let r = run(&["matrix"], dir.path(), None);
    let out = r.text();
    assert_eq!(r.code(), Some(0), "{out}");
    assert!(
        out.contains(
            "packed pk_query (size convention)\n  user \\ kernel  r1      \n  r1             pass    \n"
        ),
        "{out}"
    );
}
