//! The evolution rules, as a catalogue: each breaking edit of a published schema is caught by
//! `diff` (a breaking change, or a located schema error) and by `check` (the ABI lock, or the
//! schema's own history), with a message naming the struct, the member or constant, and the
//! rule; each legal extension passes both with no alarm.

use uapigen::abi::{self, Verdict};
use uapigen::{Error, Source};

const BASE: &str = r#"[family]
name = "t"
header = "linux/t.h"
guard = "_UAPI_T_H"
license = "GPL-2.0 WITH Linux-syscall-note"

[[revision]]
id = "r1"
#R2

[[flags]]
name = "s_flags"
values = [
  { name = "S_A", bit = 0 },
  { name = "S_B", bit = 1 },
  #FLAG
]

[[enum]]
name = "s_kind"
values = [{ name = "S_KIND_X", value = 0 }, { name = "S_KIND_Y", value = 1 }]

[[struct]]
name = "s"
convention = "size"
min_size = { offsetofend = "tag" }
fields = [
  { name = "size", type = "__u32" },
  #INSERT
  { name = "flags", type = "__u32", flags = "s_flags" },
  { name = "count", type = "__u16", len = 2 },
  { name = "__reserved", type = "__u32", reserved = true },
  { name = "addr", type = "__aligned_u64" },
  { name = "kind", type = "__u32", enum = "s_kind" },
  { name = "__reserved2", type = "__u32", reserved = true },
  { name = "tag", type = "__u8", len = 8 },
  { name = "u", union = [
      { name = "a", type = "__u64" },
      { name = "b", type = "__u32", len = 4 },
      #MEMBER
    ] },
  #APPEND
]
"#;

const R2: &str = "[[revision]]\nid = \"r2\"";

/// The outcome of `diff BASE edited` and of `check` with BASE's lock, as one text.
fn judge(edited: &str) -> (String, bool, bool) {
    let base = uapigen::load_source(Source::new("t.toml", BASE), "t.toml")
        .unwrap_or_else(|e| panic!("base: {e}"));
    let lock = abi::snapshot(&base);
    let mut text = String::new();
    // diff
    let diff_breaking = match uapigen::load_revisions(Source::new("t.toml", edited), "t.toml") {
        Ok(new) => {
            let changes = abi::diff(&base, &new);
            for c in &changes {
                text.push_str(&format!("diff: {c}\n"));
            }
            changes.iter().any(|c| c.verdict == Verdict::Breaking)
        }
        Err(e) => {
            text.push_str(&format!("diff: {e}\n"));
            true
        }
    };
    // check: the schema's own history, then the lock.
    let check_breaking = match uapigen::load_source(Source::new("t.toml", edited), "t.toml") {
        Err(Error::Schema(d)) => {
            for x in &d {
                text.push_str(&format!("check: {x}\n"));
            }
            true
        }
        Err(e) => panic!("{e}"),
        Ok(new) => {
            let changes = abi::check_lock(&new, &lock);
            for c in &changes {
                text.push_str(&format!("check: {}\n", abi::located(&new, c)));
            }
            !changes.is_empty()
        }
    };
    (text, diff_breaking, check_breaking)
}

fn edit(pairs: &[(&str, &str)]) -> String {
    let mut s = BASE.to_string();
    for (from, to) in pairs {
        assert!(s.contains(from), "`{from}` not in the base schema");
        s = s.replacen(from, to, 1);
    }
    s
}

#[test]
fn base_schema_is_clean() {
    let (text, d, c) = judge(BASE);
    assert!(!d && !c, "{text}");
}

#[test]
fn breaking_edits_are_caught_by_diff_and_check() {
    let swap_a = r#"  { name = "kind", type = "__u32", enum = "s_kind" },
  { name = "__reserved2", type = "__u32", reserved = true },"#;
    let swap_b = r#"  { name = "__reserved2", type = "__u32", reserved = true },
  { name = "kind", type = "__u32", enum = "s_kind" },"#;
    let union_u = r#"  { name = "u", union = [
      { name = "a", type = "__u64" },
      { name = "b", type = "__u32", len = 4 },
      #MEMBER
    ] },"#;
    let cases: Vec<(&str, String, &[&str])> = vec![
        (
            "reorder fields",
            edit(&[(swap_a, swap_b)]),
            &[
                "struct s",
                "`kind` moved from offset 24 to 28",
                "published revision never changes",
            ],
        ),
        (
            "remove a field",
            edit(&[(union_u, "")]),
            &["struct s", "`u`", "removed"],
        ),
        (
            "change a type",
            edit(&[(
                r#"{ name = "__reserved2", type = "__u32""#,
                r#"{ name = "__reserved2", type = "__s32""#,
            )]),
            &[
                "struct s",
                "`__reserved2` type changed from `__u32` to `__s32`",
            ],
        ),
        (
            "change an array length",
            edit(&[(
                r#"{ name = "tag", type = "__u8", len = 8 }"#,
                r#"{ name = "tag", type = "__u8", len = 16 }"#,
            )]),
            &[
                "struct s",
                "`tag` size changed from 8 to 16",
                "`u` moved from offset 40 to 48",
            ],
        ),
        (
            "insert a field before a union",
            edit(&[(
                union_u,
                &format!("  {{ name = \"extra\", type = \"__u64\" }},\n{union_u}"),
            )]),
            &[
                "struct s",
                "`u` moved from offset 40 to 48",
                "`extra` added",
            ],
        ),
        (
            "insert a field before existing ones",
            edit(&[(
                "#INSERT",
                r#"{ name = "x", type = "__u32" }, { name = "y", type = "__u32" },"#,
            )]),
            &["struct s", "`flags` moved from offset 4 to 12"],
        ),
        (
            "grow a struct in the middle (new revision)",
            edit(&[
                ("#R2", R2),
                (
                    "#INSERT",
                    r#"{ name = "x", type = "__u32", since = "r2" }, { name = "y", type = "__u32", since = "r2" },"#,
                ),
            ]),
            &[
                "struct s",
                "revision r2",
                "`flags` moved from offset 4 to 12",
                "never removed, moved",
            ],
        ),
        (
            "shrink a union",
            edit(&[(
                r#"{ name = "b", type = "__u32", len = 4 }"#,
                r#"{ name = "b", type = "__u32", len = 2 }"#,
            )]),
            &["struct s", "`u` size changed from 16 to 8"],
        ),
        (
            "remove a flag",
            edit(&[("  { name = \"S_B\", bit = 1 },\n", "")]),
            &["constant S_B", "removed", "flag `S_B` no longer accepted"],
        ),
        (
            "move a flag bit",
            edit(&[(
                r#"{ name = "S_B", bit = 1 }"#,
                r#"{ name = "S_B", bit = 2 }"#,
            )]),
            &["constant S_B", "value changed from 0x2 to 0x4"],
        ),
        (
            "reuse a flag bit (new revision)",
            edit(&[
                ("#R2", R2),
                ("#FLAG", r#"{ name = "S_C", bit = 1, since = "r2" },"#),
            ]),
            &["flag `S_C` uses bit value 0x2, already used by `S_B`"],
        ),
        (
            "change an enum value",
            edit(&[(
                r#"{ name = "S_KIND_Y", value = 1 }"#,
                r#"{ name = "S_KIND_Y", value = 2 }"#,
            )]),
            &["constant S_KIND_Y", "value changed from 0x1 to 0x2"],
        ),
        (
            "re-purpose reserved bytes without a new flag",
            edit(&[
                ("#R2", R2),
                (
                    r#"{ name = "__reserved", type = "__u32", reserved = true },"#,
                    r#"{ name = "__reserved", type = "__u32", reserved = true, until = "r2" }, { name = "mode", type = "__u32", since = "r2" },"#,
                ),
            ]),
            &[
                "struct s",
                "reserved `__reserved` re-purposed as mode with no new flag",
                "only together with a new flag",
            ],
        ),
        (
            "change a published size",
            edit(&[("#APPEND", r#"{ name = "more", type = "__u64" },"#)]),
            &["struct s", "sizeof changed from 56 to 64", "`more` added"],
        ),
        (
            "change alignment on one target",
            edit(&[(
                r#"{ name = "addr", type = "__aligned_u64" }"#,
                r#"{ name = "addr", type = "__u64" }"#,
            )]),
            &[
                "struct s",
                "alignment changed from 8 to 4 on i686-linux-gnu",
            ],
        ),
        (
            "add an implicit hole",
            edit(&[(
                r#"{ name = "count", type = "__u16", len = 2 }"#,
                r#"{ name = "count", type = "__u16", len = 1 }"#,
            )]),
            &[
                "implicit padding hole in struct `s`",
                "between `count` and `__reserved`",
            ],
        ),
        (
            "wrap a member in a union without a new flag",
            edit(&[
                ("#R2", R2),
                (
                    r#"{ name = "kind", type = "__u32", enum = "s_kind" },"#,
                    r#"{ name = "kind", type = "__u32", enum = "s_kind", until = "r2" }, { union = [{ name = "in_kind", type = "__u32" }, { name = "kind", type = "__u32", enum = "s_kind" }], since = "r2", rust_name = "kinds" },"#,
                ),
            ]),
            &[
                "struct s",
                "`kind` wrapped in a union with in_kind with no new flag",
                "together with a new flag",
            ],
        ),
        (
            "remove a published revision",
            edit(&[("id = \"r1\"", "id = \"first\"")]),
            &["revision r1", "removed"],
        ),
    ];
    assert!(cases.len() >= 15);
    let mut failures = Vec::new();
    for (name, schema, words) in &cases {
        let (text, diff_breaking, check_breaking) = judge(schema);
        if !diff_breaking {
            failures.push(format!("{name}: diff saw nothing breaking:\n{text}"));
        }
        if !check_breaking {
            failures.push(format!("{name}: check saw nothing:\n{text}"));
        }
        for w in *words {
            if !text.contains(w) {
                failures.push(format!("{name}: no `{w}` in:\n{text}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn legal_extensions_pass_with_no_alarm() {
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "append a field with a flag",
            edit(&[
                ("#R2", R2),
                (
                    "#APPEND",
                    r#"{ name = "tail", type = "__u64", since = "r2" },"#,
                ),
                ("#FLAG", r#"{ name = "S_TAIL", bit = 2, since = "r2" },"#),
            ]),
            "member `tail` appended at offset 56, with flag S_TAIL",
        ),
        (
            "add a union member at the end",
            edit(&[
                ("#R2", R2),
                (
                    "#MEMBER",
                    r#"{ name = "c", type = "__u8", len = 24, since = "r2" },"#,
                ),
            ]),
            "last union `u` grew from 16 to 24 bytes",
        ),
        (
            "re-purpose reserved bytes with a flag",
            edit(&[
                ("#R2", R2),
                (
                    r#"{ name = "__reserved", type = "__u32", reserved = true },"#,
                    r#"{ name = "__reserved", type = "__u32", reserved = true, until = "r2" }, { name = "mode", type = "__u32", since = "r2" },"#,
                ),
                ("#FLAG", r#"{ name = "S_MODE", bit = 3, since = "r2" },"#),
            ]),
            "reserved `__reserved` re-purposed as mode, with flag S_MODE",
        ),
        (
            "wrap a member in a union with a flag",
            edit(&[
                ("#R2", R2),
                (
                    r#"{ name = "kind", type = "__u32", enum = "s_kind" },"#,
                    r#"{ name = "kind", type = "__u32", enum = "s_kind", until = "r2" }, { union = [{ name = "in_kind", type = "__u32" }, { name = "kind", type = "__u32", enum = "s_kind" }], since = "r2", rust_name = "kinds" },"#,
                ),
                ("#FLAG", r#"{ name = "S_IN", bit = 4, since = "r2" },"#),
            ]),
            "`kind` wrapped in a union with in_kind, with flag S_IN",
        ),
        (
            "add a flag bit",
            edit(&[
                ("#R2", R2),
                ("#FLAG", r#"{ name = "S_C", bit = 2, since = "r2" },"#),
            ]),
            "constant S_C (revision r2): added (0x4)",
        ),
    ];
    for (name, schema, says) in &cases {
        let (text, diff_breaking, check_breaking) = judge(schema);
        assert!(
            !diff_breaking && !check_breaking,
            "{name}: alarm raised:\n{text}"
        );
        assert!(text.contains(says), "{name}: expected `{says}` in:\n{text}");
    }
}

/// The lock's text is the typed snapshot's serde form: every published lock reads back into
/// the schema's own snapshot and writes out byte for byte as it is.
#[test]
fn published_locks_read_back_byte_for_byte() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema");
    for family in uapigen::load_dir(&root).unwrap() {
        let path = uapigen::lock_path(&root, &family.history);
        let text = std::fs::read_to_string(&path).unwrap();
        let lock = abi::parse_lock(&path.display().to_string(), &text).unwrap();
        assert_eq!(lock, abi::snapshot(&family), "{}", path.display());
        assert_eq!(abi::lock_text(&lock).unwrap(), text, "{}", path.display());
    }
}

/// A lock from before `sentinels`, `abi_fix` and `abi_trap` were written still reads; a member
/// line or a target it cannot read is refused, naming it (never dropped in silence).
#[test]
fn old_locks_read_and_bad_ones_are_named() {
    let lock = |members: &str, target: &str| {
        format!(
            "{}family = \"t\"\n\n[[revision]]\nid = \"r1\"\n\n[revision.structs.s]\n\
             members = [{members}]\nflags = [\"S_A\"]\nembedded = false\n\n\
             [revision.structs.s.size]\n{target} = 8\n\n[revision.structs.s.align]\n{target} = 8\n\n\
             [revision.constants]\nS_A = 1\n",
            abi::LOCK_HEADER
        )
    };
    let good = lock(
        r#""size @0 +4 : __u32", "pad @4 +4 : __u8[4] reserved""#,
        "x86_64-linux-gnu",
    );
    let parsed = abi::parse_lock("t.abi.lock", &good).unwrap();
    let s = &parsed.revision[0].structs["s"];
    assert_eq!(
        s.members[1],
        abi::Member {
            path: "pad".into(),
            offset: 4,
            size: 4,
            ty: abi::MemberType {
                base: abi::BaseType::Scalar(uapigen::ir::Scalar::U8),
                len: Some(4),
                flexible: false,
                dims: Vec::new(),
                bits: None,
            },
            reserved: true,
        }
    );
    assert!(parsed.revision[0].sentinels.is_empty());
    for (text, says) in [
        (
            lock(r#""size @0 4 : __u32""#, "x86_64-linux-gnu"),
            "not a uapigen ABI lock: `size @0 4 : __u32` is not a member",
        ),
        (
            lock(r#""size @0 +4 : __u33""#, "x86_64-linux-gnu"),
            "member `size`: unknown type `__u33`",
        ),
        (
            lock(r#""size @0 +4 : __u32""#, "mips-linux-gnu"),
            "unknown target `mips-linux-gnu`",
        ),
    ] {
        let e = abi::parse_lock("t.abi.lock", &text)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("t.abi.lock: ") && e.contains(says), "{e}");
    }
}

/// What changed is a value: the rules judge it, and the messages are written from it.
#[test]
fn changes_are_values() {
    let base = uapigen::load_source(Source::new("t.toml", BASE), "t.toml").unwrap();
    let swapped = edit(&[(
        r#"  { name = "kind", type = "__u32", enum = "s_kind" },
  { name = "__reserved2", type = "__u32", reserved = true },"#,
        r#"  { name = "__reserved2", type = "__u32", reserved = true },
  { name = "kind", type = "__u32", enum = "s_kind" },"#,
    )]);
    let new = uapigen::load_revisions(Source::new("t.toml", &swapped), "t.toml").unwrap();
    let found = abi::diff(&base, &new);
    let moved = found
        .iter()
        .find(|f| matches!(&f.change, abi::Change::MemberMoved { path, .. } if path == "kind"))
        .expect("kind moved");
    assert_eq!(
        moved.change,
        abi::Change::MemberMoved {
            path: "kind".into(),
            from: 24,
            to: 28
        }
    );
    assert_eq!(moved.subject, abi::Subject::Struct("s".into()));
    assert_eq!(
        (moved.verdict, moved.rule),
        (Verdict::Breaking, abi::Rule::Published)
    );
    assert!(found
        .iter()
        .any(|f| f.change == abi::Change::MembersReordered));
}

/// A flexible array member is part of the ABI: appended where `sizeof` already ended it is an
/// extension; removed, or turned into a fixed array, it is breaking; the lock writes it `[]`
/// (an old header's `[0]` too: the same ABI) and reads it back.
#[test]
fn a_flexible_array_member_is_part_of_the_abi() {
    let appended = edit(&[
        ("#R2", R2),
        (
            "#APPEND",
            r#"{ name = "data", type = "__u8", flexible = true, since = "r2" },"#,
        ),
    ]);
    let (text, d, c) = judge(&appended);
    assert!(!d && !c, "alarm raised:\n{text}");
    assert!(
        text.contains("member `data` appended at offset 56"),
        "{text}"
    );

    let family = |data: &str, r2: &str| {
        format!(
            "[family]\nname = \"t\"\nheader = \"linux/t.h\"\nguard = \"_UAPI_T_H\"\n\
             license = \"GPL-2.0 WITH Linux-syscall-note\"\n[[revision]]\nid = \"r1\"\n{r2}\n\
             [[struct]]\nname = \"env\"\nfields = [\n  {{ name = \"argsz\", type = \"__u32\" }},\n  \
             {{ name = \"flags\", type = \"__u32\" }},\n  {data}\n]\n"
        )
    };
    let base = family(r#"{ name = "data", type = "__u8", flexible = true },"#, "");
    let base = uapigen::load_source(Source::new("t.toml", base), "t.toml").unwrap();
    let lock = abi::snapshot(&base);
    let text = abi::lock_text(&lock).unwrap();
    assert!(text.contains("__u8[]"), "{text}");
    assert_eq!(abi::parse_lock("t.abi.lock", &text).unwrap(), lock);
    // `[0]` is the same ABI as `[]`: respelling it changes nothing.
    let zero = family(r#"{ name = "data", type = "__u8", len = 0 },"#, "");
    let zero = uapigen::load_source(Source::new("t.toml", zero), "t.toml").unwrap();
    assert!(abi::check_lock(&zero, &lock).is_empty());

    for (what, data, says) in [
        (
            "removed",
            r#"{ name = "data", type = "__u8", flexible = true, until = "r2" },"#,
            "member `data` (@8 +0) removed",
        ),
        (
            "made a fixed array",
            r#"{ name = "data", type = "__u8", len = 8 },"#,
            "`data`",
        ),
    ] {
        let edited = family(data, R2);
        let findings =
            match uapigen::load_revisions(Source::new("t.toml", edited.clone()), "t.toml") {
                Ok(new) => abi::diff(&base, &new),
                Err(e) => panic!("{what}: {e}"),
            };
        let shown: Vec<String> = findings.iter().map(|f| f.to_string()).collect();
        assert!(
            findings.iter().any(|f| f.verdict == Verdict::Breaking),
            "{what}: nothing breaking in {shown:?}"
        );
        assert!(shown.iter().any(|s| s.contains(says)), "{what}: {shown:?}");
    }
}

/// A `size` struct without `min_size` requires its whole size, so appending a member raises
/// what the kernel requires: users of the revision before are refused, which `check` says at
/// the struct (the matrix would find it too: an old user on the new kernel, -EINVAL).
#[test]
fn a_revision_that_raises_min_size_is_refused_at_the_struct() {
    let edited = edit(&[
        ("min_size = { offsetofend = \"tag\" }\n", ""),
        ("#R2", R2),
        (
            "#APPEND",
            "{ name = \"tail\", type = \"__u64\", since = \"r2\" },",
        ),
    ]);
    let e = uapigen::load_source(Source::new("t.toml", &edited), "t.toml")
        .err()
        .expect("refused")
        .to_string();
    assert!(
        e.contains("t.toml:25:8: error: struct `s`, revision r2: min_size (sizeof) grows from 56 to 64 bytes: a user built against r1 sends 56 bytes and is refused with -EINVAL"),
        "{e}"
    );
    let kept = edit(&[
        ("#R2", R2),
        (
            "#APPEND",
            "{ name = \"tail\", type = \"__u64\", since = \"r2\" },",
        ),
    ]);
    uapigen::load_source(Source::new("t.toml", &kept), "t.toml").unwrap_or_else(|e| panic!("{e}"));
}

/// Inline structs are part of the ABI as unions are: the lock writes an untagged struct as
/// `struct` (a tagged one stays `struct NAME`) and reads it back; each anonymous one is told
/// apart by its first member (a struct may hold several, and the lock matches by path); and a
/// member moved into an anonymous struct at another offset is caught.
#[test]
fn inline_structs_are_part_of_the_abi() {
    let family = |fields: &str, r2: &str| {
        format!(
            "[family]\nname = \"t\"\nheader = \"linux/t.h\"\nguard = \"_UAPI_T_H\"\n\
             license = \"GPL-2.0 WITH Linux-syscall-note\"\n[[revision]]\nid = \"r1\"\n{r2}\n\
             [[struct]]\nname = \"n\"\nfields = [\n  {{ name = \"argsz\", type = \"__u32\" }},\n  \
             {fields}\n]\n"
        )
    };
    let fields = r#"{ struct = [{ name = "lo", type = "__u32" }, { name = "hi", type = "__u32" }] },
  { name = "r", struct = [{ name = "first", type = "__u32" }] },
  { struct = [{ name = "tail", type = "__u32" }] },"#;
    let base = uapigen::load_source(Source::new("t.toml", family(fields, "")), "t.toml")
        .unwrap_or_else(|e| panic!("{e}"));
    let lock = abi::snapshot(&base);
    let text = abi::lock_text(&lock).unwrap();
    for line in [
        "\"(anonymous struct lo) @4 +8 : struct\"",
        "\"lo @4 +4 : __u32\"",
        "\"r @12 +4 : struct\"",
        "\"r.first @12 +4 : __u32\"",
        "\"(anonymous struct tail) @16 +4 : struct\"",
    ] {
        assert!(text.contains(line), "{line} in:\n{text}");
    }
    assert_eq!(abi::parse_lock("t.abi.lock", &text).unwrap(), lock);
    assert!(abi::check_lock(&base, &lock).is_empty());

    // `tail` moved to the front of the first anonymous struct: it and `lo`, `hi` moved.
    let moved = r#"{ struct = [{ name = "tail", type = "__u32" }, { name = "lo", type = "__u32" }, { name = "hi", type = "__u32" }] },
  { name = "r", struct = [{ name = "first", type = "__u32" }] },"#;
    let new = uapigen::load_revisions(Source::new("t.toml", family(moved, "")), "t.toml")
        .unwrap_or_else(|e| panic!("{e}"));
    let findings = abi::check_lock(&new, &lock);
    let shown: Vec<String> = findings.iter().map(|f| f.to_string()).collect();
    assert!(
        shown
            .iter()
            .any(|s| s.contains("member `tail` moved from offset 16 to 4")),
        "{shown:?}"
    );

    // An untagged struct that ends the struct may grow at its end, as the struct may: a
    // member appended inside it lands past the old sizeof. One before the end may not.
    let diff = |fields: &str| -> Vec<(String, Verdict)> {
        let new = uapigen::load_revisions(Source::new("t.toml", family(fields, R2)), "t.toml")
            .unwrap_or_else(|e| panic!("{e}"));
        abi::diff(&base, &new)
            .into_iter()
            .map(|f| (f.to_string(), f.verdict))
            .collect()
    };
    let at_end = diff(
        r#"{ struct = [{ name = "lo", type = "__u32" }, { name = "hi", type = "__u32" }] },
  { name = "r", struct = [{ name = "first", type = "__u32" }] },
  { struct = [{ name = "tail", type = "__u32" }, { name = "more", type = "__u32", since = "r2" }] },"#,
    );
    assert!(
        at_end.iter().all(|(_, v)| *v != Verdict::Breaking),
        "{at_end:?}"
    );
    assert!(
        at_end.iter().any(|(s, _)| s.contains(
            "untagged struct `(anonymous struct tail)` at the end grew from 4 to 8 bytes"
        )),
        "{at_end:?}"
    );
    assert!(
        at_end
            .iter()
            .any(|(s, _)| s.contains("member `more` appended at offset 20")),
        "{at_end:?}"
    );
    // A named one at the end too: its new member is `end.b`, appended.
    let named = |r2: &str, b: &str| {
        family(
            &format!(r#"{{ name = "end", struct = [{{ name = "a", type = "__u32" }}{b}] }},"#),
            r2,
        )
    };
    let old = uapigen::load_source(Source::new("t.toml", named("", "")), "t.toml").unwrap();
    let new = uapigen::load_revisions(
        Source::new(
            "t.toml",
            named(R2, r#", { name = "b", type = "__u32", since = "r2" }"#),
        ),
        "t.toml",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let found: Vec<(String, Verdict)> = abi::diff(&old, &new)
        .into_iter()
        .map(|f| (f.to_string(), f.verdict))
        .collect();
    assert!(
        found.iter().all(|(_, v)| *v != Verdict::Breaking),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(s, _)| s.contains("member `end.b` appended at offset 8")),
        "{found:?}"
    );
    let inside = diff(
        r#"{ struct = [{ name = "lo", type = "__u32" }, { name = "hi", type = "__u32" }] },
  { name = "r", struct = [{ name = "first", type = "__u32" }, { name = "second", type = "__u32", since = "r2" }] },
  { struct = [{ name = "tail", type = "__u32" }] },"#,
    );
    assert!(
        inside.iter().any(
            |(s, v)| *v == Verdict::Breaking && s.contains("member `r` grew from 4 to 8 bytes")
        ),
        "{inside:?}"
    );
}

/// Packing is part of the ABI: `packed = true` on a published struct whose members stay where
/// they were still makes it 1-aligned, which moves it inside any struct that embeds it and
/// in every array of it; `aligned = n` above the struct's alignment likewise.
#[test]
fn a_change_of_packing_or_alignment_is_breaking() {
    let family = |attrs: &str| {
        format!(
            "[family]\nname = \"t\"\nheader = \"linux/t.h\"\nguard = \"_UAPI_T_H\"\n\
             license = \"GPL-2.0 WITH Linux-syscall-note\"\n[[revision]]\nid = \"r1\"\n\
             [[struct]]\nname = \"s\"\n{attrs}fields = [\n  {{ name = \"a\", type = \"__u32\" }},\n  \
             {{ name = \"b\", type = \"__u16\" }},\n  {{ name = \"c\", type = \"__u16\" }},\n]\n\
             [[struct]]\nname = \"outer\"\nfields = [\n  {{ name = \"x\", type = \"__u64\" }},\n  \
             {{ name = \"y\", type = \"struct s\" }},\n]\n"
        )
    };
    let base = uapigen::load_source(Source::new("t.toml", family("")), "t.toml").unwrap();
    let lock = abi::snapshot(&base);
    for (what, attrs, says) in [
        ("packed", "packed = true\n", "alignment changed from 4 to 1"),
        (
            "aligned(8)",
            "aligned = 8\n",
            "alignment changed from 4 to 8",
        ),
    ] {
        let edited = family(attrs);
        let new = uapigen::load_revisions(Source::new("t.toml", edited.clone()), "t.toml")
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let findings = abi::diff(&base, &new);
        let shown: Vec<String> = findings.iter().map(|f| f.to_string()).collect();
        assert!(
            findings.iter().any(|f| f.verdict == Verdict::Breaking),
            "{what}: nothing breaking in {shown:?}"
        );
        assert!(shown.iter().any(|s| s.contains(says)), "{what}: {shown:?}");
        // And against the published lock.
        let checked = uapigen::load_source(Source::new("t.toml", edited), "t.toml")
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let changes = abi::check_lock(&checked, &lock);
        let shown: Vec<String> = changes
            .iter()
            .map(|c| abi::located(&checked, c).to_string())
            .collect();
        assert!(shown.iter().any(|s| s.contains(says)), "{what}: {shown:?}");
    }
}

/// An enum value without `value` counts on from the one before it in each revision, as C
/// counts it in that revision's header (vfio.h's `VFIO_AP_NUM_IRQS` is 1 in 6.12 and 2 in 7.2,
/// when `VFIO_AP_CFG_CHG_IRQ_INDEX` arrived before it): a value that moves so is breaking
/// unless it is the enum's sentinel; a flag cannot be one.
#[test]
fn an_implicit_enum_value_is_counted_per_revision_and_only_a_sentinel_may_move() {
    let schema = |num: &str| {
        format!(
            r#"[family]
name = "en"
header = "linux/en.h"
guard = "_UAPI_EN_H"
license = "GPL-2.0 WITH Linux-syscall-note"

[[revision]]
id = "r1"

[[revision]]
id = "r2"

[[enum]]
name = "en_irq"
anonymous = true
values = [
  {{ name = "EN_REQ_IRQ_INDEX" }},
  {{ name = "EN_CFG_IRQ_INDEX", since = "r2" }},
  {{ name = "EN_NUM_IRQS"{num} }},
]
"#
        )
    };
    let model = uapigen::load_source(
        Source::new("en.toml", &schema(", sentinel = true")),
        "en.toml",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let num = |r: usize| {
        let view = model.rev(uapigen::model::RevId(r));
        view.family()
            .constants()
            .find(|c| c.name == "EN_NUM_IRQS")
            .map(|c| c.value)
    };
    assert_eq!((num(0), num(1)), (Some(1), Some(2)));
    assert!(abi::snapshot(&model).revision[1]
        .sentinels
        .contains(&"EN_NUM_IRQS".to_string()));

    let err = uapigen::load_source(Source::new("en.toml", &schema("")), "en.toml")
        .err()
        .expect("a non-sentinel that moves")
        .to_string();
    assert!(
        err.contains(
            "en.toml:19:3: error: constant EN_NUM_IRQS, revision r2: value changed from 0x1 to 0x2"
        ),
        "{err}"
    );

    let flag = schema("")
        .replace("[[enum]]", "[[flags]]")
        .replace("anonymous = true\n", "")
        .replace(
            "values = [\n  { name = \"EN_REQ_IRQ_INDEX\" },\n  { name = \"EN_CFG_IRQ_INDEX\", since = \"r2\" },\n  { name = \"EN_NUM_IRQS\" },\n]",
            "values = [\n  { name = \"EN_A\", bit = 0, sentinel = true },\n]",
        );
    let err = uapigen::load_source(Source::new("en.toml", &flag), "en.toml")
        .err()
        .expect("a sentinel flag")
        .to_string();
    assert!(
        err.contains(
            "en.toml:16:40: error: `EN_A` is a flag: only an enum's value may be a sentinel"
        ),
        "{err}"
    );
}

/// A constant the kernel removed (vfio.h's `VFIO_TYPE1_NESTING_IOMMU` after 6.12): `until`
/// alone is refused, `until` with `removed` (the reason) makes the removal an acknowledged
/// one that `diff` and the history check report as such; `removed` needs `until` and is not
/// a sentinel's.
#[test]
fn a_constant_the_kernel_removed_is_acknowledged_with_its_reason() {
    let schema = |keys: &str| {
        format!(
            r#"[family]
name = "rm"
header = "linux/rm.h"
guard = "_UAPI_RM_H"
license = "GPL-2.0 WITH Linux-syscall-note"

[[revision]]
id = "r1"

[[revision]]
id = "r2"

[[define]]
name = "RM_OLD"
value = 6
{keys}
"#
        )
    };
    let err = uapigen::load_source(Source::new("rm.toml", &schema("until = \"r2\"")), "rm.toml")
        .err()
        .expect("until alone")
        .to_string();
    assert!(
        err.contains("rm.toml:16:9: error: only a sentinel may be redefined"),
        "{err}"
    );
    let acknowledged = schema("until = \"r2\"\nremoved = \"retired in r2\"");
    let model = uapigen::load_source(Source::new("rm.toml", &acknowledged), "rm.toml")
        .unwrap_or_else(|e| panic!("{e}"));
    let has = |r: usize| {
        model
            .rev(uapigen::model::RevId(r))
            .family()
            .constants()
            .any(|c| c.name == "RM_OLD")
    };
    assert_eq!((has(0), has(1)), (true, false));
    let lock = abi::snapshot(&model);
    assert_eq!(
        lock.revision[1].removed.get("RM_OLD").map(String::as_str),
        Some("retired in r2")
    );
    let findings = abi::compare_evolution(&lock.revision[0], &lock.revision[1]);
    let text: Vec<String> = findings.iter().map(|f| f.to_string()).collect();
    assert!(
        findings.iter().all(|f| f.verdict == Verdict::Compatible),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("removed by the kernel: retired in r2")),
        "{text:?}"
    );
    for (keys, says) in [
        (
            "removed = \"why\"",
            "rm.toml:16:11: error: `removed` needs `until`",
        ),
        (
            "until = \"r2\"\nsentinel = true\nremoved = \"why\"",
            "rm.toml:18:11: error: a sentinel moves, it is not removed",
        ),
    ] {
        let err = uapigen::load_source(Source::new("rm.toml", &schema(keys)), "rm.toml")
            .err()
            .unwrap_or_else(|| panic!("{keys} accepted"))
            .to_string();
        assert!(err.contains(says), "{keys}: {err}");
    }
}

/// The golden schemas' locks (multi-dimensional arrays, enum members, extern copies among
/// them) write out and read back as the same snapshot: `__u16[2][3][2]` keeps its
/// dimensions, and a row's shape changing is a change of the member's type.
#[test]
fn golden_snapshots_read_back_and_array_shapes_count() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/schema");
    for family in uapigen::load_dir(&root).unwrap() {
        let lock = abi::snapshot(&family);
        let text = abi::lock_text(&lock).unwrap();
        assert_eq!(
            abi::parse_lock("g.abi.lock", &text).unwrap(),
            lock,
            "{text}"
        );
        if family.family.name == "arrays" {
            assert!(text.contains("\"cube @64 +24 : __u16[2][3][2]\""), "{text}");
            assert!(text.contains("\"addr @4 +0 : __u8[][6]\""), "{text}");
        }
    }
    let flat: abi::MemberType = "__u32[16]".parse().unwrap();
    let rows: abi::MemberType = "__u32[4][4]".parse().unwrap();
    assert_eq!((rows.len, rows.dims.as_slice()), (Some(4), &[4][..]));
    assert_ne!(flat, rows);
    assert!("__u32[4][x]".parse::<abi::MemberType>().is_err());
}

/// A file-scope union (`[[union]]`) is in the lock with its members at 0; a later revision may
/// add a member (every member keeps its bytes, as `union bpf_attr` gains commands), and may not
/// change one.
#[test]
fn a_union_gains_members_and_keeps_them() {
    let family = |fields: &str, r2: &str| {
        format!(
            "[family]\nname = \"t\"\nheader = \"linux/t.h\"\nguard = \"_UAPI_T_H\"\n\
             license = \"GPL-2.0 WITH Linux-syscall-note\"\n[[revision]]\nid = \"r1\"\n{r2}\n\
             [[union]]\nname = \"u\"\nfields = [\n  {fields}\n]\n"
        )
    };
    let fields = r#"{ name = "a", type = "__u32" }, { name = "b", type = "__u16", len = 2 },"#;
    let base = uapigen::load_source(Source::new("t.toml", family(fields, "")), "t.toml")
        .unwrap_or_else(|e| panic!("{e}"));
    let lock = abi::snapshot(&base);
    let text = abi::lock_text(&lock).unwrap();
    for line in [
        "\"a @0 +4 : __u32\"",
        "\"b @0 +4 : __u16[2]\"",
        "union = true",
    ] {
        assert!(text.contains(line), "{line} in:\n{text}");
    }
    assert_eq!(abi::parse_lock("t.abi.lock", &text).unwrap(), lock);
    let diff = |fields: &str| -> Vec<(String, Verdict)> {
        let new = uapigen::load_revisions(Source::new("t.toml", family(fields, R2)), "t.toml")
            .unwrap_or_else(|e| panic!("{e}"));
        abi::diff(&base, &new)
            .into_iter()
            .map(|f| (f.to_string(), f.verdict))
            .collect()
    };
    let added = diff(&format!(
        "{fields} {{ name = \"c\", type = \"__u8\", len = 4, since = \"r2\" }},"
    ));
    assert!(
        added
            .iter()
            .any(|(s, v)| s.contains("union member `c` added") && *v != Verdict::Breaking),
        "{added:?}"
    );
    assert!(
        added.iter().all(|(_, v)| *v != Verdict::Breaking),
        "{added:?}"
    );
    let changed =
        diff(r#"{ name = "a", type = "__u64" }, { name = "b", type = "__u16", len = 2 },"#);
    assert!(
        changed.iter().any(|(_, v)| *v == Verdict::Breaking),
        "{changed:?}"
    );
}

/// A feature payload a revision's kernel takes with fewer operations, or with more bytes (its
/// struct grew), than its parent's refuses what a user of the parent sends (-EINVAL from
/// `vfio_check_feature`): `check` says so at the payload.
#[test]
fn a_payload_that_narrows_is_refused_at_the_payload() {
    let schema = |payloads: &str, grown: &str| {
        format!(
            r#"[family]
name = "t"
header = "linux/t.h"
guard = "_UAPI_T_H"
license = "GPL-2.0 WITH Linux-syscall-note"

[[revision]]
id = "r1"

[[revision]]
id = "r2"

[[struct]]
name = "feat"
convention = "argsz"
min_size = {{ offsetofend = "flags" }}
payload = {{ member = "data", field = "flags", mask = "F_MASK", get = "F_GET", set = "F_SET", probe = "F_PROBE" }}
payloads = [
{payloads}
]
fields = [
  {{ name = "argsz", type = "__u32" }},
  {{ name = "flags", type = "__u32" }},
  {{ name = "data", type = "__u8", flexible = true }},
]

[[struct]]
name = "state"
fields = [
  {{ name = "state", type = "__u32" }},
  {{ name = "fd", type = "__s32" }},
{grown}
]

[[define]]
name = "F_MASK"
value = 0xffff

[[define]]
name = "F_GET"
bit = 16

[[define]]
name = "F_SET"
bit = 17

[[define]]
name = "F_PROBE"
bit = 18
"#
        )
    };
    let load =
        |text: String| uapigen::load_source(Source::new("t.toml", &text), "t.toml").map(|_| ());
    let both = r#"  { equals = 1, struct = "state", supported_ops = ["F_GET", "F_SET"] },"#;
    load(schema(both, "")).unwrap_or_else(|e| panic!("{e}"));
    // GET and SET in r1, GET only from r2.
    let narrowed = r#"  { equals = 1, struct = "state", supported_ops = ["F_GET", "F_SET"], until = "r2" },
  { equals = 1, struct = "state", supported_ops = ["F_GET"], since = "r2" },"#;
    let e = load(schema(narrowed, "")).expect_err("refused").to_string();
    assert!(
        e.contains("t.toml:20:3: error: struct `feat`, revision r2: payload 1 supports fewer operations (0x10000, was 0x30000): a user built against r1 asking for one is refused with -EINVAL"),
        "{e}"
    );
    // The payload's struct grows in r2.
    let grown = r#"  { name = "len", type = "__aligned_u64", since = "r2" },"#;
    let e = load(schema(both, grown)).expect_err("refused").to_string();
    assert!(
        e.contains("t.toml:19:3: error: struct `feat`, revision r2: payload 1 needs 16 bytes, was 8: a user built against r1 sends 8 and is refused with -EINVAL"),
        "{e}"
    );
    // A payload the kernel removed (`until`) is said on purpose.
    let removed =
        r#"  { equals = 1, struct = "state", supported_ops = ["F_GET", "F_SET"], until = "r2" },"#;
    load(schema(removed, "")).unwrap_or_else(|e| panic!("{e}"));
}

/// The lock records an ioctl number's value, not its spelling: writing `_IOWR(...)` through a
/// wrapper macro that expands to it is no change, while a wrapper whose body or arguments
/// encode another number (`_IOR` for `_IOWR`, another command) breaks the published number,
/// named with both values.
#[test]
fn an_ioctl_number_written_through_a_wrapper_is_locked_by_its_value() {
    let schema = |body: &str, define: &str| {
        format!(
            r#"[family]
name = "wr"
header = "linux/wr.h"
guard = "_UAPI_WR_H"
license = "GPL-2.0 WITH Linux-syscall-note"

[[revision]]
id = "r1"

[[define]]
name = "WR_BASE"
char = "w"

[[macro]]
name = "WR_IOWR"
params = ["nr", "type"]
body = "{body}"

[[struct]]
name = "wr_arg"
fields = [{{ name = "a", type = "__u32" }}, {{ name = "b", type = "__u32" }}]

[[define]]
name = "WR_GET"
{define}
"#
        )
    };
    let wrapper = "_IOWR(WR_BASE, nr, type)";
    let through = "ioctl = { macro = \"WR_IOWR\", args = [\"0x40 + 1\", \"struct wr_arg\"] }";
    let load = |text: String| {
        uapigen::load_source(Source::new("wr.toml", &text), "wr.toml")
            .unwrap_or_else(|e| panic!("{e}\n{text}"))
    };
    let plain = load(schema(
        wrapper,
        "ioctl = { type = \"WR_BASE\", nr = \"0x40 + 1\", dir = \"rw\", size = \"struct wr_arg\" }",
    ));
    let lock = abi::snapshot(&plain);
    assert!(abi::check_lock(&load(schema(wrapper, through)), &lock).is_empty());
    for (body, define, was, now) in [
        (
            "_IOR(WR_BASE, nr, type)",
            through,
            0xc008_7741u64,
            0x8008_7741u64,
        ),
        (
            wrapper,
            "ioctl = { macro = \"WR_IOWR\", args = [\"0x40 + 2\", \"struct wr_arg\"] }",
            0xc008_7741,
            0xc008_7742,
        ),
    ] {
        let edited = load(schema(body, define));
        let findings = abi::check_lock(&edited, &lock);
        let text: Vec<String> = findings
            .iter()
            .map(|f| abi::located(&edited, f).to_string())
            .collect();
        assert!(
            text.iter().any(|t| t.contains(&format!(
                "constant WR_GET, revision r1: value changed from {was:#x} to {now:#x}"
            ))),
            "{body} {define}: {text:?}"
        );
    }
}
