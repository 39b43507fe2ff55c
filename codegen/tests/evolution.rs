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
