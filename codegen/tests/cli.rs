//! The `uapigen` command line as a user runs it: generate, check (never writes; exit 1 naming
//! each stale file), layout (pahole-style), and usage errors (exit 2, a message, no panic).

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

fn uapigen(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_uapigen"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A copy of the real schemas in a scratch folder, generated once.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("schema")).unwrap();
    for f in ["iommu.toml", "iommufd.toml"] {
        std::fs::copy(
            repo_root().join("schema").join(f),
            dir.path().join("schema").join(f),
        )
        .unwrap();
    }
    let o = uapigen(&["generate"], dir.path());
    assert!(o.status.success(), "{}", text(&o));
    dir
}

#[test]
fn generate_then_check_passes_and_generate_again_writes_nothing() {
    let dir = scratch();
    let o = uapigen(&["check"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let before = std::fs::metadata(dir.path().join("generated/include/uapi/linux/iommu.h"))
        .unwrap()
        .modified()
        .unwrap();
    let o = uapigen(&["generate"], dir.path());
    assert!(text(&o).contains("(0 changed)"), "{}", text(&o));
    let after = std::fs::metadata(dir.path().join("generated/include/uapi/linux/iommu.h"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after, "an unchanged file is not rewritten");
}

#[test]
fn check_names_each_stale_file_and_never_writes() {
    let dir = scratch();
    let header = dir.path().join("generated/include/uapi/linux/iommu.h");
    let edited = std::fs::read_to_string(&header)
        .unwrap()
        .replace("__u8 padding[6];", "__u8 padding[7];");
    std::fs::write(&header, &edited).unwrap();
    std::fs::remove_file(dir.path().join("generated/rust/src/iommufd.rs")).unwrap();
    std::fs::write(
        dir.path().join("generated/rust/src/old_family.rs"),
        "// leftover\n",
    )
    .unwrap();

    let o = uapigen(&["check"], dir.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("include/uapi/linux/iommu.h: differs"), "{out}");
    assert!(
        out.contains("-\t__u8 padding[7];") && out.contains("+\t__u8 padding[6];"),
        "diff shown: {out}"
    );
    assert!(out.contains("rust/src/iommufd.rs: missing"), "{out}");
    assert!(
        out.contains("rust/src/old_family.rs: not produced by the generator"),
        "{out}"
    );
    assert!(out.contains("3 file(s) stale"), "{out}");
    assert_eq!(
        std::fs::read_to_string(&header).unwrap(),
        edited,
        "check must not write"
    );
    assert!(
        !dir.path().join("generated/rust/src/iommufd.rs").exists(),
        "check must not write"
    );
}

#[test]
fn layout_prints_a_pahole_table() {
    let dir = scratch();
    let o = uapigen(&["layout", "iommu_cache_invalidate_info"], dir.path());
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.starts_with("struct iommu_cache_invalidate_info {\t/* x86_64-linux-gnu */"),
        "{out}"
    );
    for row in [
        "argsz;",
        "padding[6];",
        "union {",
        "pasid_info;",
        "addr_info;",
        "} granu;",
    ] {
        assert!(out.contains(row), "{row} in {out}");
    }
    let granu = out.lines().find(|l| l.contains("} granu;")).unwrap();
    assert!(granu.ends_with("/*    16    40 */"), "{granu}");
    let addr = out.lines().find(|l| l.contains("addr_info;")).unwrap();
    assert!(addr.ends_with("/*    16    40 */"), "{addr}");
    assert!(
        out.contains("/* size: 56, align: 8, members: 6 */"),
        "{out}"
    );
    assert!(
        out.contains("/* sum members: 56, holes: 0, sum holes: 0 */"),
        "{out}"
    );
}

#[test]
fn layout_on_i686_shows_the_4_byte_u64_alignment() {
    let dir = scratch();
    let o = uapigen(
        &[
            "layout",
            "iommu_fault_unrecoverable",
            "--target",
            "i686-linux-gnu",
        ],
        dir.path(),
    );
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("/* i686-linux-gnu */"), "{out}");
    assert!(
        out.contains("/* size: 32, align: 4, members: 6 */"),
        "{out}"
    );
}

#[test]
fn layout_of_all_structs_lists_both_families() {
    let dir = scratch();
    let out = text(&uapigen(&["layout"], dir.path()));
    assert!(
        out.contains("struct iommu_fault {") && out.contains("struct iommu_hwpt_invalidate {"),
        "{out}"
    );
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    let dir = scratch();
    for (args, says) in [
        (
            &["layout", "no_such_struct"][..],
            "no struct named `no_such_struct`",
        ),
        (
            &["layout", "--target", "vax-dec-vms"][..],
            "unknown target `vax-dec-vms`; known: x86_64-linux-gnu",
        ),
        (&["generate", "--schema", "nowhere"][..], "nowhere"),
        (
            &["generate", "--templates", "nowhere"][..],
            "--templates nowhere: no such folder",
        ),
        (&["frobnicate"][..], "unrecognized subcommand"),
    ] {
        let o = uapigen(args, dir.path());
        let out = text(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {out}");
        assert!(out.contains(says), "{args:?}: {out}");
        assert!(!out.contains("panicked"), "{out}");
    }
}

/// A struct with a hole: the table shows it, then the check error comes, exit 2.
#[test]
fn layout_shows_a_hole_then_reports_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("schema")).unwrap();
    std::fs::write(
        dir.path().join("schema/t.toml"),
        "[family]\nname = \"t\"\nheader = \"linux/t.h\"\nguard = \"G\"\nlicense = \"L\"\n[[revision]]\nid = \"r\"\n\
         [[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }, { name = \"b\", type = \"__u64\" }]\n",
    )
    .unwrap();
    let o = uapigen(&["layout", "s"], dir.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("\t/* hole: 4 bytes at offset 4 */"), "{out}");
    assert!(
        out.contains("/* sum members: 12, holes: 1, sum holes: 4 */"),
        "{out}"
    );
    assert!(
        out.contains("schema/t.toml:10:43: error: implicit padding hole in struct `s`"),
        "{out}"
    );
}

#[test]
fn decode_names_fields_flags_and_the_failing_rule() {
    let dir = scratch();
    // argsz 56, version 1, cache IOTLB|PASID, granularity ADDR: ADDR forbids the PASID cache.
    let hex = "38000000 01000000 05 02 000000000000 0000000000000000 0000000000000000 00100000 00000000 0010000000000000 0100000000000000";
    let o = uapigen(
        &["decode", "iommu_cache_invalidate_info", "--hex", hex],
        dir.path(),
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("cache                        = 0x5 (IOMMU_CACHE_INV_TYPE_IOTLB | IOMMU_CACHE_INV_TYPE_PASID)"), "{out}");
    assert!(
        out.contains("granularity                  = 2 (IOMMU_INV_GRANU_ADDR)"),
        "{out}"
    );
    assert!(out.contains("granu.addr_info.granule_size = 4096"), "{out}");
    assert!(
        out.contains("verdict: rejected, -EINVAL (if granularity == IOMMU_INV_GRANU_ADDR: cache lacks IOMMU_CACHE_INV_TYPE_PASID)"),
        "{out}"
    );

    // Raw bytes on stdin; an iommufd struct with a non-zero byte past the kernel's size.
    let mut bytes = vec![0u8; 40];
    bytes[0] = 40;
    bytes[39] = 1;
    let mut child = Command::new(env!("CARGO_BIN_EXE_uapigen"))
        .args(["decode", "iommu_hwpt_invalidate"])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &bytes).unwrap();
    let o = child.wait_with_output().unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("verdict: rejected, -E2BIG (bytes beyond the kernel's struct must be zero)"),
        "{out}"
    );

    let ok = "20000000 03000000 0020000000000000 00000000 18000000 02000000 00000000";
    let o = uapigen(
        &["decode", "iommu_hwpt_invalidate", "--hex", ok],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("verdict: accepted"));

    let o = uapigen(
        &["decode", "iommu_hwpt_invalidate", "--hex", "zz"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("--hex: `z` at offset 0 is not a hex digit;"),
        "{}",
        text(&o)
    );
}

#[test]
fn publish_then_drift_fails_check_and_publish_refuses() {
    let dir = scratch();
    let o = uapigen(&["generate", "--publish"], dir.path());
    assert!(o.status.success(), "{}", text(&o));
    assert!(dir.path().join("schema/iommu.abi.lock").exists());
    assert_eq!(uapigen(&["check"], dir.path()).status.code(), Some(0));

    // Edit a published revision: move IOMMU_SVA_GPASID_VAL to bit 1.
    let schema = dir.path().join("schema/iommu.toml");
    let text_before = std::fs::read_to_string(&schema).unwrap();
    let edited = text_before.replace(
        r#"{ name = "IOMMU_SVA_GPASID_VAL", bit = 0,"#,
        r#"{ name = "IOMMU_SVA_GPASID_VAL", bit = 1,"#,
    );
    assert_ne!(edited, text_before);
    std::fs::write(&schema, edited).unwrap();
    uapigen(&["generate"], dir.path());
    let o = uapigen(&["check"], dir.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains(
            "constant IOMMU_SVA_GPASID_VAL, revision v5_10: value changed from 0x1 to 0x2"
        ),
        "{out}"
    );
    assert!(out.contains("a published revision never changes"), "{out}");
    let o = uapigen(&["generate", "--publish"], dir.path());
    assert_eq!(
        o.status.code(),
        Some(2),
        "publish must refuse: {}",
        text(&o)
    );
}

#[test]
fn diff_classifies_and_reads_git_revisions() {
    let dir = scratch();
    let git = |args: &[&str]| {
        let o = Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    git(&["init", "-q"]);
    git(&["-c", "user.name=t", "-c", "user.email=t@t", "add", "schema"]);
    git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-qm",
        "base",
    ]);
    let o = uapigen(
        &["diff", "HEAD:schema/iommufd.toml", "schema/iommufd.toml"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("0 change(s), 0 breaking"), "{}", text(&o));

    // A new revision appending to iommu_hwpt_invalidate with a flag: compatible.
    let schema = dir.path().join("schema/iommufd.toml");
    let base = std::fs::read_to_string(&schema).unwrap();
    let grown = base
        .replace(
            "label = \"Linux v7.1: IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED\"",
            "label = \"Linux v7.1: IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED\"\n\n[[revision]]\nid = \"next\"",
        )
        .replace(
            "Output the number of requests successfully handled by kernel.\"\"\" },\n  { name = \"__reserved\", type = \"__u32\", reserved = true, doc = \"Must be 0.\" },\n]",
            "Output the number of requests successfully handled by kernel.\"\"\" },\n  { name = \"__reserved\", type = \"__u32\", reserved = true, doc = \"Must be 0\" },\n  { name = \"extra\", type = \"__aligned_u64\", since = \"next\" },\n]",
        );
    assert!(grown.contains("since = \"next\""));
    std::fs::write(&schema, &grown).unwrap();
    let o = uapigen(
        &["diff", "HEAD:schema/iommufd.toml", "schema/iommufd.toml"],
        dir.path(),
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("compatible: struct iommu_hwpt_invalidate (revision next): member `extra` appended at offset 32"), "{out}");

    // Moving a published field: breaking, exit 1.
    std::fs::write(
        &schema,
        base.replace(
            "{ name = \"entry_len\", type = \"__u32\"",
            "{ name = \"entry_len\", type = \"__u16\", len = 2",
        ),
    )
    .unwrap();
    let o = uapigen(
        &["diff", "HEAD:schema/iommufd.toml", "schema/iommufd.toml"],
        dir.path(),
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("breaking: struct iommu_hwpt_invalidate (revision v6_8): member `entry_len` type changed from `__u32` to `__u16[2]`"), "{out}");

    let o = uapigen(&["diff", "nowhere.toml", "schema/iommufd.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn matrix_passes_on_the_real_families_as_table_and_json() {
    let dir = scratch();
    let o = uapigen(&["matrix"], dir.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("iommufd iommu_hwpt_alloc (size convention)"),
        "{out}"
    );
    // Columns are as wide as the longest revision id.
    assert!(
        out.lines().any(|l| l.starts_with("  user \\ kernel")
            && l.split_whitespace()
                .skip(3)
                .take(3)
                .eq(["v6_6", "v6_7", "v6_8"])),
        "{out}"
    );
    assert!(out.contains("ok: "), "{out}");
    let o = uapigen(&["matrix", "--format", "json"], dir.path());
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(json["ok"], true);
    assert_eq!(json["implementations"][0], "generated C");
    let hwpt = json["structs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["struct"] == "iommu_hwpt_alloc")
        .unwrap();
    assert_eq!(hwpt["cells"][0][2]["result"], "pass");
}

#[test]
fn import_prints_a_skeleton_that_loads() {
    let dir = scratch();
    let header = repo_root().join("codegen/tests/import/linux/vfio_like.h");
    let o = uapigen(
        &[
            "import",
            header.to_str().unwrap(),
            "--struct",
            "vfio_like_request",
        ],
        dir.path(),
    );
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        out.contains("name = \"vfio_like_request\"") && out.contains("name = \"vfio_like_range\""),
        "{out}"
    );
    std::fs::create_dir(dir.path().join("imported")).unwrap();
    std::fs::write(dir.path().join("imported/vfio_like.toml"), &out).unwrap();
    let o = uapigen(
        &["layout", "vfio_like_request", "--schema", "imported"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("/* size: 48, align: 8, members: 8 */"),
        "{}",
        text(&o)
    );
    let o = uapigen(&["import", "nothere.h"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("nothere.h: no such header"));
}

/// `decode` of a struct that ends in a flexible array: the fixed part field by field, the
/// member's offset, and the bytes past sizeof counted as its elements, not decoded; the
/// argsz validator copies sizeof bytes and judges them (argsz below minsz: -EINVAL).
#[test]
fn decode_shows_a_flexible_array_member_and_leaves_its_elements() {
    let schema = repo_root().join("codegen/tests/golden/schema");
    let schema = schema.to_str().unwrap();
    // argsz 28, flags DATA_BOOL | ACTION_TRIGGER, index 1, start 0, count 8, 8 data bytes.
    let hex = "1c000000 22000000 01000000 00000000 08000000 0101010101010101";
    let o = uapigen(
        &["decode", "--schema", schema, "vfio_irq_set", "--hex", hex],
        Path::new("."),
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("struct vfio_irq_set (28 bytes given, sizeof 20, argsz)"),
        "{out}"
    );
    assert!(
        out.contains(
            "(8 bytes past sizeof: the elements of the flexible array `data`, not decoded)"
        ),
        "{out}"
    );
    assert!(out.contains("count                        = 8"), "{out}");
    assert!(
        out.contains("data                         = flexible array at offset 20 (its elements follow sizeof)"),
        "{out}"
    );
    assert!(!out.contains("01 01"), "the elements are not shown: {out}");
    assert!(out.contains("verdict: accepted"), "{out}");

    let hex = "10000000 22000000 01000000 00000000 08000000";
    let o = uapigen(
        &["decode", "--schema", schema, "vfio_irq_set", "--hex", hex],
        Path::new("."),
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("verdict: rejected, -EINVAL (argsz >= minsz (offsetofend(count) = 20))"),
        "{out}"
    );
}

/// `decode` through inline structs: the members of anonymous ones by their own names (`lo`,
/// `pad`), of named ones by their paths (`u.s.count`, `range.last`), an array of one as its
/// bytes; and the verdict of a rule that reads `lo` through two anonymous members.
#[test]
fn decode_reads_members_through_inline_structs() {
    let schema = repo_root().join("codegen/tests/golden/schema");
    let schema = schema.to_str().unwrap();
    // size 64, kind 1, lo 0 hi 7, u.s.count 1 width 1 depth 2, range 1..2, tail 3, pairs.
    let hex = "40000000 01000000 00000000 07000000 0100 0102 00000000 0000000000000000 \
               01000000 02000000 03000000 00000000 01000200 03000400 05000600 07000800";
    let o = uapigen(
        &["decode", "--schema", schema, "nest_req", "--hex", hex],
        Path::new("."),
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    for line in [
        "  lo                           = 0\n",
        "  hi                           = 7\n",
        "  u.s.count                    = 1\n",
        "  range.last                   = 2\n",
        "  pad                          = 0\n",
        "  pairs                        = [01 00 02 00 03 00 04 00 05 00 06 00 07 00 08 00]\n",
        "verdict: rejected, -EINVAL (a split address has its low half)\n",
    ] {
        assert!(out.contains(line), "{line:?} in:\n{out}");
    }
    assert!(!out.contains("pairs.key"), "{out}");
}

/// `check`'s libclang proof measures an `extern` copy in the generated header, which includes
/// the copy's own header: without that header's folder it says to pass `-I`, with it the
/// copy is held to the real header on every target.
#[test]
fn check_proves_extern_copies_against_the_header_given_with_i() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("schema")).unwrap();
    let schema = "[family]\nname = \"aud\"\nheader = \"linux/aud.h\"\nguard = \"_UAPI_LINUX_AUD_H\"\n\
        license = \"GPL-2.0 WITH Linux-syscall-note\"\nincludes = [\"linux/types.h\", \"linux/extdep.h\"]\n\n\
        [[revision]]\nid = \"r1\"\nlabel = \"first\"\n\n\
        [[define]]\nname = \"EXTDEP_MACHINE\"\nextern = \"linux/extdep.h\"\nvalue = 183\n\n\
        [[define]]\nname = \"AUD_ARCH\"\nexpr = \"(EXTDEP_MACHINE | 0x80000000U)\"\n";
    let write = |s: &str| std::fs::write(dir.path().join("schema/aud.toml"), s).unwrap();
    write(schema);
    let o = uapigen(&["generate"], dir.path());
    assert!(o.status.success(), "{}", text(&o));
    // The golden tree's linux/extdep.h is the header the copy comes from.
    let real = repo_root().join("codegen/tests/golden/out/include/uapi");
    let real = real.to_str().unwrap();

    let o = uapigen(&["check"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("'linux/extdep.h' file not found"),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("= note: pass -I DIR"), "{}", text(&o));

    let o = uapigen(&["check", "-I", real], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("every struct matches libclang on 7 targets"),
        "{}",
        text(&o)
    );

    write(&schema.replace("value = 183", "value = 184"));
    let o = uapigen(&["generate"], dir.path());
    assert!(o.status.success(), "{}", text(&o));
    let o = uapigen(&["check", "-I", real], dir.path());
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("layout proof: x86_64-linux-gnu: constant EXTDEP_MACHINE (aud): 183 by libclang, 184 in the IR"),
        "{t}"
    );
    assert!(t.contains("14 layout or value difference(s)"), "{t}");
}

/// A stand-in for scripts/lab at `path`: `--cases FILE --out FILE` as the lab takes them, each
/// case answered with `ret` and `errno` and its bytes back as they were sent.
fn fake_lab(path: &Path, ret: i32, errno: i32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(
        path,
        format!(
            "#!/bin/sh\nwhile [ $# -gt 0 ]; do\n  case \"$1\" in\n    --cases) cases=$2; shift ;;\n    \
             --out) out=$2; shift ;;\n  esac\n  shift\ndone\n\
             echo 'SETUP kernel 9.9.9-fake' >\"$out\"\nn=0\n\
             while read -r name hex; do\n  n=$((n + 1))\n  \
             echo \"CASE $n $name argsz=0 len=$((${{#hex}} / 2)) ret={ret} errno={errno} out=$hex\"\n\
             done <\"$cases\" >>\"$out\"\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// `matrix --kernel lab:K` runs the lab's script on the cases it writes and judges what comes
/// back: what the command line asks wrongly is refused first (exit 2, a message); a lab that
/// fails says why; a kernel that takes every case disagrees wherever the schema refuses one
/// (exit 1, each listed), and one that refuses every case with ENOENT where the schema accepts
/// is counted apart, as the kernel's objects.
#[test]
fn matrix_through_a_lab_judges_the_kernels_answers() {
    let dir = scratch();
    fn lab(f: &str) -> [&str; 4] {
        ["--family", "iommufd", "--lab", f]
    }
    for (args, says) in [
        (
            vec!["matrix", "--kernel", "iommufd-7.2", "--family", "iommufd"],
            "`--kernel iommufd-7.2`: write `lab:K`",
        ),
        (
            vec!["matrix", "--kernel", "lab:x", "--family", "nowhere"],
            "`--family nowhere`: no such family (iommu, iommufd)",
        ),
        (
            vec!["matrix", "--family", "iommufd"],
            "it goes with `--kernel lab:K`",
        ),
        (
            vec![
                "matrix",
                "--kernel",
                "lab:x",
                "--family",
                "iommufd",
                "--revision",
                "v9",
            ],
            "`v9` is no revision of iommufd: v6_2, v6_6",
        ),
        (
            vec![
                "matrix",
                "--kernel",
                "lab:x",
                "--family",
                "iommufd",
                "--struct",
                "iommu_iova_range",
            ],
            "`iommu_iova_range` is no struct of iommufd that an ioctl takes",
        ),
        (
            vec!["matrix", "--kernel", "lab:x", "--family", "iommu"],
            "iommu has no struct an ioctl takes in v5_13",
        ),
        (
            [&["matrix", "--kernel", "lab:x"][..], &lab("nowhere")[..]].concat(),
            "cannot run the lab",
        ),
    ] {
        let o = uapigen(&args, dir.path());
        let out = text(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {out}");
        assert!(out.contains(says), "{args:?}: {out}");
        assert!(!out.contains("panicked"), "{out}");
    }

    let failing = dir.path().join("failing-lab");
    std::fs::write(
        &failing,
        "#!/bin/sh\necho 'qemu-system-x86_64 not found' >&2\nexit 1\n",
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&failing, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let o = uapigen(
        &[
            &["matrix", "--kernel", "lab:x"][..],
            &lab(failing.to_str().unwrap())[..],
        ]
        .concat(),
        dir.path(),
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.contains("--kernel x failed") && out.contains("qemu-system-x86_64 not found"),
        "{out}"
    );

    let taking = dir.path().join("taking-lab");
    fake_lab(&taking, 0, 0);
    let args = [
        &[
            "matrix",
            "--kernel",
            "lab:x",
            "--struct",
            "iommu_ioas_alloc",
        ][..],
        &lab(taking.to_str().unwrap())[..],
    ]
    .concat();
    let o = uapigen(&args, dir.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.starts_with(
            "real-kernel matrix: iommufd, Linux 9.9.9-fake (lab:x) against the schema's v7_1\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("iommufd iommu_ioas_alloc (IOMMU_IOAS_ALLOC)"),
        "{out}"
    );
    // iommu_ioas_alloc's `flags` must be 0 (EOPNOTSUPP): a kernel that takes it disagrees.
    assert!(out.contains("schema -EOPNOTSUPP, kernel accepted"), "{out}");
    assert!(!out.contains(" 0 disagreements"), "{out}");

    let refusing = dir.path().join("refusing-lab");
    fake_lab(&refusing, -1, 2);
    let args = [
        &["matrix", "--kernel", "lab:x", "--struct", "iommu_destroy"][..],
        &lab(refusing.to_str().unwrap())[..],
    ]
    .concat();
    let o = uapigen(&args, dir.path());
    let out = text(&o);
    // Every case the schema accepts is refused (ENOENT), every one it refuses disagrees.
    assert!(
        out.contains("  v6_2           pass (1 case; refused by the kernel: 1 ENOENT, first: old user, new kernel)"),
        "{out}"
    );
    assert!(
        out.contains("  v7_1           FAIL (24 of 26 cases)"),
        "{out}"
    );
    assert!(out.contains("schema -EINVAL, kernel -ENOENT"), "{out}");
    assert_eq!(o.status.code(), Some(1), "{out}");
}

#[test]
fn a_reader_that_goes_away_ends_the_output_without_a_panic() {
    // `uapigen layout | head -1`: the pipe's reader closed before anything is written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_uapigen"))
        .args(["layout", "--schema"])
        .arg(repo_root().join("schema"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(141), "{err}");
    assert!(err.is_empty(), "{err}");
}
