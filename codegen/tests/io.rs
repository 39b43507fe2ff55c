//! Bad input from the outside (issue 12): layouts that would overflow, `decode`'s bytes, files
//! that are not small regular UTF-8 files, output folders that cannot be written, `diff`
//! operands that look like git options, and odd command lines. Each refusal exits 2 with its
//! exact message; none panics, hangs, or leaves anything half-written.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use common::*;

/// Runs uapigen in `cwd` with `stdin`, killed (and the test failed) after 60 s: a hang is a
/// failure, not a stuck test run.
fn run_with(args: &[&str], cwd: &Path, stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_uapigen"))
        .args(args)
        .current_dir(cwd)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    // uapigen may stop reading early (input too long): a broken pipe is expected then.
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("uapigen {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    feeder.join().unwrap();
    child.wait_with_output().unwrap()
}

fn run(args: &[&str], cwd: &Path) -> Output {
    run_with(args, cwd, b"")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Exit 2, stderr exactly `message` (plus the newline), nothing on stdout, no panic.
fn refused(o: &Output, message: &str) {
    let out = text(o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert_eq!(String::from_utf8_lossy(&o.stderr), format!("{message}\n"));
    assert!(o.stdout.is_empty(), "{out}");
}

/// A scratch folder with `schema/t.toml` = a family of the given structs.
fn family_dir(structs: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("schema")).unwrap();
    std::fs::write(
        dir.path().join("schema/t.toml"),
        format!(
            "[family]\nname = \"t\"\nheader = \"linux/t.h\"\nguard = \"G\"\nlicense = \"L\"\n\
             [[revision]]\nid = \"r\"\n{structs}"
        ),
    )
    .unwrap();
    dir
}

/// A copy of the real schemas in a scratch folder.
fn real_schemas() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("schema")).unwrap();
    for f in [
        "iommu.toml",
        "iommufd.toml",
        "iommu.abi.lock",
        "iommufd.abi.lock",
    ] {
        std::fs::copy(
            repo_root().join("schema").join(f),
            dir.path().join("schema").join(f),
        )
        .unwrap();
    }
    dir
}

/// Everything under `dir`, byte for byte: each entry's kind, contents or link target, and a
/// file's modification time (a folder's changes with any entry made and removed in it).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (String, Vec<u8>, SystemTime)> {
    let mut all = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            let (kind, bytes) = if m.is_dir() {
                todo.push(p.clone());
                ("dir", Vec::new())
            } else if m.is_symlink() {
                (
                    "link",
                    std::fs::read_link(&p)
                        .unwrap()
                        .into_os_string()
                        .into_encoded_bytes(),
                )
            } else {
                ("file", std::fs::read(&p).unwrap())
            };
            let time = if m.is_dir() {
                SystemTime::UNIX_EPOCH
            } else {
                m.modified().unwrap()
            };
            all.insert(
                p.strip_prefix(dir).unwrap().to_path_buf(),
                (kind.to_string(), bytes, time),
            );
        }
    }
    all
}

/// `dir` is as `before` was; else the paths that differ.
fn unchanged(dir: &Path, before: &BTreeMap<PathBuf, (String, Vec<u8>, SystemTime)>) {
    let after = snapshot(dir);
    let differ: Vec<&PathBuf> = before
        .keys()
        .chain(after.keys())
        .filter(|p| before.get(*p) != after.get(*p))
        .collect();
    assert!(differ.is_empty(), "changed: {differ:?}");
}

// 1. Layout arithmetic.

/// The example: nested arrays of 2^20 elements would be 2^83 bytes, which wrapped to a
/// size of 0 and was generated. Each struct is refused at the field that makes it too large;
/// nothing is written.
#[test]
fn nested_large_arrays_are_refused_at_the_field_not_wrapped() {
    let dir = family_dir(
        "[[struct]]\nname = \"a\"\nfields = [{ name = \"x\", type = \"__u64\", len = 1048576 }]\n\
         [[struct]]\nname = \"b\"\nfields = [{ name = \"y\", type = \"struct a\", len = 1048576 }]\n",
    );
    let o = run(&["generate"], dir.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.starts_with(
            "schema/t.toml:10:11: error: struct `a` is larger than the maximum struct size \
             (1048576 bytes, 1 MiB): `x` is 1048576 × 8 bytes = 8388608 bytes\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "schema/t.toml:13:11: error: struct `b` is larger than the maximum struct size \
             (1048576 bytes, 1 MiB): `y` is a struct `a`, itself too large\n"
        ),
        "{out}"
    );
    assert!(!dir.path().join("generated").exists());
    // `layout` prints no table for a struct it could not lay out, then the same errors.
    let o = run(&["layout", "b"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(o.stdout.is_empty(), "{}", text(&o));
}

/// Exactly 1 MiB is accepted; one member more crosses the maximum, and is the one located.
#[test]
fn the_maximum_is_exact_and_the_crossing_member_is_located() {
    let ok = family_dir(
        "[[struct]]\nname = \"big\"\nfields = [{ name = \"buf\", type = \"__u64\", len = 131072 }]\n",
    );
    let o = run(&["layout", "big"], ok.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("/* size: 1048576, align: 8, members: 1 */"));

    let dir = family_dir(
        "[[struct]]\nname = \"s\"\nfields = [\n  { name = \"buf\", type = \"__u64\", len = 131072 },\n  \
         { name = \"one\", type = \"__u32\" },\n  { name = \"pad\", type = \"__u32\" },\n]\n",
    );
    let o = run(&["generate"], dir.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.starts_with(
            "schema/t.toml:12:3: error: struct `s` is larger than the maximum struct size \
             (1048576 bytes, 1 MiB): `one` (4 bytes) would end at byte 1048580\n"
        ),
        "{out}"
    );
}

/// Inside a union, the member that crosses the maximum is the one located.
#[test]
fn a_union_member_over_the_maximum_is_located_at_the_member() {
    let dir = family_dir(
        "[[struct]]\nname = \"a\"\nfields = [{ name = \"x\", type = \"__u8\", len = 1024 }]\n\
         [[struct]]\nname = \"u\"\nfields = [\n  { name = \"n\", union = [\n    { name = \"m\", type = \"__u8\" },\n    \
         { name = \"w\", type = \"struct a\", len = 1048576 },\n  ] },\n]\n",
    );
    let o = run(&["generate"], dir.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.starts_with(
            "schema/t.toml:16:5: error: struct `u` is larger than the maximum struct size \
             (1048576 bytes, 1 MiB): `w` is 1048576 × 1024 bytes = 1073741824 bytes\n"
        ),
        "{out}"
    );
}

// 2. decode.

#[test]
fn decode_hex_is_strict_and_names_the_offset() {
    let dir = real_schemas();
    let syntax = "--hex takes pairs of hex digits, one per byte (`38 00 00 00`, `38000000`, \
                  `0x38, 0x00`); spaces, tabs, newlines and commas may separate bytes, and `0x` may prefix one";
    for (hex, message) in [
        ("é", format!("--hex: `é` at offset 0 is not a hex digit; {syntax}")),
        ("00 é", format!("--hex: `é` at offset 3 is not a hex digit; {syntax}")),
        ("+1+2", format!("--hex: `+` at offset 0 is not a hex digit; {syntax}")),
        ("00 1", format!("--hex: `1` at offset 3 is half a byte; {syntax}")),
        (
            "0x3800",
            "--hex: `0x` at offset 0 prefixes more than one byte: write `0x38, 0x..` (one byte each), or the bytes without `0x`".to_string(),
        ),
    ] {
        let o = run(&["decode", "iommu_fault", "--hex", hex], dir.path());
        refused(&o, &message);
    }
}

#[test]
fn decode_input_is_bounded_and_its_options_fit_the_struct() {
    let dir = real_schemas();
    let o = run_with(
        &["decode", "iommu_fault"],
        dir.path(),
        &vec![0u8; (1 << 20) + 1],
    );
    refused(
        &o,
        "<stdin>: more than 1048576 bytes; decode reads one struct, and no struct is larger (the maximum struct size)",
    );

    for (args, message) in [
        (
            &["decode", "iommu_fault", "--len", "4"][..],
            "--len: struct `iommu_fault` is not driver data (no size convention); --len and --data-type apply to convention = \"user_data\" only",
        ),
        (
            &["decode", "iommu_hwpt_alloc", "--data-type", "0"][..],
            "--data-type: struct `iommu_hwpt_alloc` is not driver data (size); --len and --data-type apply to convention = \"user_data\" only",
        ),
    ] {
        refused(&run(args, dir.path()), message);
    }

    // Edge values of driver data and empty input: a verdict, never a panic.
    for (args, verdict) in [
        (
            &[
                "decode",
                "iommu_hwpt_vtd_s1",
                "--len",
                "4294967295",
                "--hex",
                "00",
            ][..],
            "verdict: rejected, -EINVAL (length is outside [min_len, sizeof])",
        ),
        (
            &["decode", "iommu_hwpt_vtd_s1", "--len", "0", "--hex", ""][..],
            "verdict: rejected, -EINVAL (length is outside [min_len, sizeof])",
        ),
        (
            &["decode", "iommu_hwpt_vtd_s1", "--data-type", "4294967295"][..],
            "verdict: rejected, -EINVAL (data type does not match the struct's)",
        ),
        (
            &["decode", "iommu_fault"][..],
            "verdict: rejected, -EFAULT (0 bytes given, 64 needed)",
        ),
        (
            &["decode", "iommu_hwpt_alloc", "--hex", ""][..],
            "verdict: rejected, -EFAULT (get_user of the size field faulted)",
        ),
    ] {
        let o = run(args, dir.path());
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", text(&o));
        assert!(
            String::from_utf8_lossy(&o.stdout).ends_with(&format!("{verdict}\n")),
            "{args:?}: {}",
            text(&o)
        );
    }
}

// 3. Files.

/// A FIFO named like a schema blocked `open` forever; a symlink to /dev/zero grew memory
/// without limit. Both are refused before they are opened.
#[test]
fn schema_files_must_be_small_regular_files() {
    let dir = real_schemas();
    let schema = dir.path().join("schema");
    let fifo = Command::new("mkfifo")
        .arg(schema.join("a_fifo.toml"))
        .status()
        .unwrap();
    assert!(fifo.success());
    refused(
        &run(&["generate"], dir.path()),
        "schema/a_fifo.toml: not a regular file (a FIFO)",
    );
    std::fs::remove_file(schema.join("a_fifo.toml")).unwrap();

    std::os::unix::fs::symlink("/dev/zero", schema.join("a_zero.toml")).unwrap();
    refused(
        &run(&["check"], dir.path()),
        "schema/a_zero.toml: not a regular file (a character device)",
    );
    std::fs::remove_file(schema.join("a_zero.toml")).unwrap();

    std::fs::create_dir(schema.join("a_dir.toml")).unwrap();
    refused(
        &run(&["layout"], dir.path()),
        "schema/a_dir.toml: not a regular file (a folder)",
    );
    std::fs::remove_dir(schema.join("a_dir.toml")).unwrap();

    std::fs::write(schema.join("a_big.toml"), vec![b'#'; (4 << 20) + 1]).unwrap();
    refused(
        &run(&["decode", "iommu_fault"], dir.path()),
        "schema/a_big.toml: 4194305 bytes: larger than 4194304 bytes, the most uapigen reads",
    );
    assert!(!dir.path().join("generated").exists());
}

/// Invalid UTF-8 is located at its first bad byte, in a schema, a lock file, a template and a
/// `diff` operand: every file is read by the one reader.
#[test]
fn invalid_utf8_is_located_in_every_file_read() {
    let dir = real_schemas();
    let schema = dir.path().join("schema");
    let bad = |path: &Path| {
        let mut text = std::fs::read(path).unwrap();
        let at = text.windows(2).position(|w| w == b"\n\n").unwrap() + 1;
        text.splice(at..at, b"# caf\xe9\n".iter().copied());
        std::fs::write(path, text).unwrap();
        String::from_utf8_lossy(&std::fs::read(path).unwrap()[..at])
            .matches('\n')
            .count()
            + 1
    };

    std::fs::copy(schema.join("iommu.toml"), dir.path().join("old.toml")).unwrap();
    let line = bad(&dir.path().join("old.toml"));
    refused(
        &run(&["diff", "old.toml", "schema/iommu.toml"], dir.path()),
        &{
            let g = " ".repeat(line.to_string().len());
            format!(
                "old.toml:{line}:6: error: invalid UTF-8 (byte 0xe9)\n{g} |\n{line} | # caf\u{fffd}\n{g} |      ^\n{g} = note: uapigen reads UTF-8 text"
            )
        },
    );

    let line = bad(&schema.join("iommu.abi.lock"));
    let o = run(&["check", "--no-clang"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).starts_with(&format!(
            "schema/iommu.abi.lock:{line}:6: error: invalid UTF-8 (byte 0xe9)\n"
        )),
        "{}",
        text(&o)
    );
    std::fs::copy(
        repo_root().join("schema/iommu.abi.lock"),
        schema.join("iommu.abi.lock"),
    )
    .unwrap();

    std::fs::create_dir(dir.path().join("templates")).unwrap();
    std::fs::write(
        dir.path().join("templates/uaccess.h.hbs"),
        b"/* ok */\n/* \xff */\n",
    )
    .unwrap();
    let o = run(&["generate"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).starts_with("templates/uaccess.h.hbs:2:4: error: invalid UTF-8 (byte 0xff)\n"),
        "{}",
        text(&o)
    );
    std::fs::remove_dir_all(dir.path().join("templates")).unwrap();

    let line = bad(&schema.join("iommufd.toml"));
    let o = run(&["generate"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).starts_with(&format!(
            "schema/iommufd.toml:{line}:6: error: invalid UTF-8 (byte 0xe9)\n"
        )),
        "{}",
        text(&o)
    );
    assert!(!dir.path().join("generated").exists());
}

/// What `check` compares is read by the same reader: a FIFO or a folder where a generated
/// file belongs is named, not waited on.
#[test]
fn check_names_what_is_not_a_file_instead_of_blocking() {
    let dir = real_schemas();
    let o = run(&["generate"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let header = dir.path().join("generated/include/uapi/linux/iommu.h");
    std::fs::remove_file(&header).unwrap();
    assert!(Command::new("mkfifo")
        .arg(&header)
        .status()
        .unwrap()
        .success());
    let o = run(&["check", "--no-clang"], dir.path());
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).starts_with(
            "generated: include/uapi/linux/iommu.h: a FIFO, where the generator writes a file\n"
        ),
        "{}",
        text(&o)
    );
    // generate replaces it.
    let o = run(&["generate"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(std::fs::metadata(&header).unwrap().is_file());
}

// 4. No half-written output.

/// A file where a folder must be: before, `generate` exited 2 after writing the files before
/// it. Now nothing changes: not the files, not their timestamps, no folder, no temporary.
#[test]
fn a_failed_generate_leaves_out_as_it_was() {
    let dir = real_schemas();
    let out = dir.path().join("generated");
    let o = run(&["generate"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // A change that touches every family's files, then an obstacle sorted last.
    let schema = dir.path().join("schema/iommu.toml");
    let edited = std::fs::read_to_string(&schema).unwrap().replacen(
        "summary = \"",
        "summary = \"Edited: ",
        1,
    );
    std::fs::write(&schema, edited).unwrap();
    std::fs::remove_dir_all(out.join("rust/src")).unwrap();
    std::fs::write(out.join("rust/src"), "in the way\n").unwrap();
    std::fs::remove_dir_all(out.join("include/uapigen")).unwrap();
    let before = snapshot(&out);

    refused(
        &run(&["generate"], dir.path()),
        "generated/rust/src: not a folder (the output needs a folder there)",
    );
    unchanged(&out, &before);

    // A folder where a file must be.
    std::fs::remove_file(out.join("rust/src")).unwrap();
    std::fs::create_dir_all(out.join("rust/src/lib.rs/inside")).unwrap();
    let before = snapshot(&out);
    refused(
        &run(&["generate"], dir.path()),
        "generated/rust/src/lib.rs: is a folder, where the generator writes a file",
    );
    unchanged(&out, &before);

    // The folders it created are gone too: `fresh/new` does not exist, so `fresh/new/..` is
    // `fresh` only once `new` is created, and `fresh/rust` is in the way.
    std::fs::create_dir(dir.path().join("fresh")).unwrap();
    std::fs::write(dir.path().join("fresh/rust"), "").unwrap();
    let before = snapshot(dir.path());
    refused(
        &run(&["generate", "--out", "fresh/new/.."], dir.path()),
        "fresh/new/../rust: not a folder (the output needs a folder there)",
    );
    unchanged(dir.path(), &before);
}

/// `--publish` writes the lock files in the output's transaction: when the output fails, no
/// lock is published either.
#[test]
fn publish_writes_no_lock_when_the_output_fails() {
    let dir = real_schemas();
    std::fs::remove_file(dir.path().join("schema/iommu.abi.lock")).unwrap();
    std::fs::create_dir(dir.path().join("generated")).unwrap();
    std::fs::write(dir.path().join("generated/rust"), "in the way\n").unwrap();
    let before = snapshot(dir.path());
    refused(
        &run(&["generate", "--publish"], dir.path()),
        "generated/rust: not a folder (the output needs a folder there)",
    );
    unchanged(dir.path(), &before);

    std::fs::remove_file(dir.path().join("generated/rust")).unwrap();
    let o = run(&["generate", "--publish"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).starts_with("published schema/iommu.abi.lock\nwrote "));
    assert_eq!(
        std::fs::read(dir.path().join("schema/iommu.abi.lock")).unwrap(),
        std::fs::read(repo_root().join("schema/iommu.abi.lock")).unwrap()
    );
}

// 5. diff and git.

/// `git show --output=FILE` writes FILE: a `REV:PATH` operand could make git do so. An operand
/// whose REV or PATH starts with `-` is refused, nothing is written, and git is never asked.
#[test]
fn diff_operands_are_never_git_options() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let o = Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "git {args:?}: {}", text(&o));
    };
    git(&["init", "-q"]);
    git(&["config", "user.email", "t@example.com"]);
    git(&["config", "user.name", "t"]);
    std::fs::create_dir(dir.path().join("schema")).unwrap();
    std::fs::copy(
        repo_root().join("schema/iommu.toml"),
        dir.path().join("schema/iommu.toml"),
    )
    .unwrap();
    git(&["add", "."]);
    git(&["commit", "-qm", "x"]);
    let target = dir.path().join("written");
    let output = format!("--output={}:schema/iommu.toml", target.display());
    let prefixed = format!("HEAD:--output={}", target.display());
    for args in [
        vec!["diff", "--", &output, "schema/iommu.toml"],
        vec!["diff", "schema/iommu.toml", "--", &output],
        vec!["diff", "--", &prefixed, "schema/iommu.toml"],
        vec!["diff", "--", "-p:schema/iommu.toml", "schema/iommu.toml"],
    ] {
        let o = run(&args, dir.path());
        let bad = args
            .iter()
            .find(|a| a.contains("-p:") || a.contains("output"))
            .unwrap();
        refused(
            &o,
            &format!("{bad}: not a file, nor REV:PATH with a PATH and neither starting with `-`"),
        );
        assert!(!target.exists(), "{args:?} wrote {}", target.display());
    }
    // Without `--`, the argument parser refuses it first.
    let o = run(&["diff", &output, "schema/iommu.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(!target.exists());

    // A REV:PATH that is well-formed still works, and a tree is not a schema.
    let o = run(
        &["diff", "HEAD:schema/iommu.toml", "schema/iommu.toml"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(text(&o), "0 change(s), 0 breaking\n");
    let o = run(
        &["diff", ":schema/iommu.toml", "schema/iommu.toml"],
        dir.path(),
    );
    assert_eq!(text(&o), "0 change(s), 0 breaking\n");
    let o = run(&["diff", "HEAD:schema", "schema/iommu.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).starts_with("HEAD:schema: fatal:"), "{}", text(&o));
}

// 6. Odd command lines.

#[test]
fn folder_arguments_are_named_when_they_are_not_folders() {
    let dir = real_schemas();
    std::fs::write(dir.path().join("afile"), "").unwrap();
    for (args, message) in [
        (&["generate", "--out", "afile"][..], "--out afile: not a folder"),
        (&["check", "--out", "afile"][..], "--out afile: not a folder"),
        (&["generate", "--schema", "afile"][..], "--schema afile: not a folder"),
        (&["generate", "--schema", "nowhere"][..], "--schema nowhere: no such folder"),
        (&["layout", "--schema", "afile"][..], "--schema afile: not a folder"),
        (&["decode", "x", "--schema", "afile"][..], "--schema afile: not a folder"),
        (&["matrix", "--out", "afile"][..], "--out afile: not a folder"),
        (&["generate", "--templates", "afile"][..], "--templates afile: not a folder"),
        (&["decode", ""][..], "no struct named `` in schema"),
        (&["layout", ""][..], "no struct named `` in schema"),
        (
            &["layout", "--target", ""][..],
            "unknown target ``; known: x86_64-linux-gnu, i686-linux-gnu, aarch64-linux-gnu, arm-linux-gnueabihf, riscv64-linux-gnu, powerpc64le-linux-gnu, s390x-linux-gnu",
        ),
        (&["diff", "", "x"][..], ": no such file (use REV:PATH for a file in git)"),
        (&["diff", "schema", "x"][..], "schema: not a regular file (a folder)"),
    ] {
        refused(&run(args, dir.path()), message);
    }
    assert!(!dir.path().join("generated").exists());
}

/// Expressions a schema could make as deep or as long as a 4 MiB file allows, or macros that
/// double at every level, are refused at their place: never a stack overflow or a hang.
#[test]
fn deep_long_and_exploding_expressions_are_refused_not_crashing() {
    let deep = format!("{}1{}", "(".repeat(200_000), ")".repeat(200_000));
    let chain = vec!["1"; 100_000].join(" + ");
    let mut doubling =
        String::from("[[macro]]\nname = \"D0\"\nparams = [\"x\"]\nbody = \"((x) + (x))\"\n");
    for l in 1..40 {
        doubling.push_str(&format!(
            "\n[[macro]]\nname = \"D{l}\"\nparams = [\"x\"]\nbody = \"D{p}(D{p}(x))\"\n",
            p = l - 1
        ));
    }
    for (what, body, says) in [
        (
            "parentheses",
            format!("[[define]]\nname = \"X\"\nexpr = \"{deep}\"\n"),
            "more than 512 tokens",
        ),
        (
            "a chain",
            format!("[[define]]\nname = \"X\"\nexpr = \"{chain}\"\n"),
            "more than 512 tokens",
        ),
        (
            "doubling macros",
            format!("{doubling}\n[[define]]\nname = \"X\"\nexpr = \"D39(1)\"\n"),
            "grows past 8192 tokens, its rescans counted",
        ),
    ] {
        let dir = family_dir(&body);
        let o = run(&["check"], dir.path());
        let out = text(&o);
        assert_eq!(o.status.code(), Some(2), "{what}: {out}");
        assert!(out.contains("schema/t.toml:"), "{what}: {out}");
        assert!(out.contains(says), "{what}: {out}");
    }
}

/// Forward references cost their number, not its square: 20,000 defines each naming the one
/// below it, and a cycle of 5,001 with 15,000 waiting on it (as many messages to locate in a
/// 600 KB file), resolve or are refused within 60 s (debug build), the chain with C's value.
#[test]
fn long_chains_of_forward_references_resolve_in_linear_time() {
    let n = 20_000;
    let mut chain = String::from(
        "[family]\nname = \"chain\"\nheader = \"linux/chain.h\"\nguard = \"_UAPI_LINUX_CHAIN_H\"\n\
         license = \"GPL-2.0 WITH Linux-syscall-note\"\nincludes = [\"linux/types.h\"]\n\n\
         [[revision]]\nid = \"r1\"\nlabel = \"first\"\n",
    );
    for i in 0..n {
        chain += &format!(
            "\n[[define]]\nname = \"C{i}\"\nexpr = \"(C{} + 1)\"\n",
            i + 1
        );
    }
    chain += &format!("\n[[define]]\nname = \"C{n}\"\nvalue = 0\n");
    let start = Instant::now();
    let m = uapigen::load_source(
        uapigen::Source::new("chain.toml", chain.clone()),
        "chain.toml",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.family.defines[0].constant.value, n as u64);
    let cycle: String = chain.replace(
        &format!("name = \"C{n}\"\nvalue = 0"),
        &format!("name = \"C{n}\"\nexpr = \"(C{} + 1)\"", n - 5_000),
    );
    let e = uapigen::load_source(uapigen::Source::new("chain.toml", cycle), "chain.toml")
        .err()
        .expect("a cycle is refused")
        .to_string();
    // The 5,001 defines on the cycle are named, the 15,000 that only wait on it are not.
    assert_eq!(e.matches("is defined in terms of itself").count(), 5_001);
    assert!(
        e.contains("`C15000` is defined in terms of itself (a cycle of #defines)"),
        "{}",
        &e[..e.len().min(2000)]
    );
    assert!(
        !e.contains("`C14999` is defined"),
        "{}",
        &e[..e.len().min(2000)]
    );
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
}
