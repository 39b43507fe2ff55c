//! Every mistake a schema author can make gets a located message — file:line:col, the offending
//! line and a caret — and a non-zero exit, never a panic. Each case says where the error must
//! point: the first occurrence of `at` in the schema text.

mod common;

use std::process::Command;

use uapigen::{Error, Source};

const HEAD: &str = r#"[family]
name = "t"
header = "linux/t.h"
guard = "_UAPI_T_H"
license = "GPL-2.0 WITH Linux-syscall-note"

[[revision]]
id = "r1"
"#;

struct Case {
    name: &'static str,
    body: &'static str,
    /// Text the error must point at (its first occurrence in the schema).
    at: &'static str,
    /// Words the message must contain.
    says: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "unknown type",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u31\" }]\n",
        at: "\"__u31\"",
        says: "unknown type `__u31`",
    },
    Case {
        name: "duplicate field",
        body: "[[struct]]\nname = \"s\"\nfields = [\n  { name = \"a\", type = \"__u32\" },\n  { name = \"a\", type = \"__u16\" },\n  { name = \"b\", type = \"__u16\" },\n]\n",
        at: "{ name = \"a\", type = \"__u16\" }",
        says: "two fields named `a`",
    },
    Case {
        name: "duplicate field through an anonymous union",
        body: "[[struct]]\nname = \"s\"\nfields = [\n  { name = \"a\", type = \"__u32\" },\n  { union = [{ name = \"a\", type = \"__u32\" }] },\n]\n",
        at: "{ name = \"a\", type = \"__u32\" }]",
        says: "two fields named `a`",
    },
    Case {
        name: "unknown key",
        body: "[[struct]]\nname = \"s\"\nsise = 4\nfields = [{ name = \"a\", type = \"__u32\" }]\n",
        at: "sise",
        says: "unknown field `sise`",
    },
    Case {
        name: "flag bit used twice",
        body: "[[flags]]\nname = \"f\"\nvalues = [{ name = \"A\", bit = 0 }, { name = \"B\", bit = 0 }]\n",
        at: "{ name = \"B\", bit = 0 }",
        says: "already used by `A`",
    },
    Case {
        name: "flag wider than its field",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u8\", flags = \"f\" }, { name = \"b\", type = \"__u8\" }]\n\n[[flags]]\nname = \"f\"\nvalues = [{ name = \"LOW\", bit = 0 }, { name = \"HIGH\", bit = 8 }]\n",
        at: "{ name = \"HIGH\", bit = 8 }",
        says: "does not fit in `s.a`, a 8-bit field",
    },
    Case {
        name: "enum value clash",
        body: "[[enum]]\nname = \"e\"\nvalues = [{ name = \"X\", value = 1 }, { name = \"Y\", value = 1 }]\n",
        at: "{ name = \"Y\", value = 1 }",
        says: "`Y` = 1 clashes with `X`",
    },
    Case {
        name: "implicit enum value clash",
        body: "[[enum]]\nname = \"e\"\nvalues = [{ name = \"X\", value = 1 }, { name = \"Y\", value = 0 }, { name = \"Z\" }]\n",
        at: "{ name = \"Z\" }",
        says: "`Z` = 1 clashes with `X`",
    },
    Case {
        name: "implicit padding hole",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }, { name = \"b\", type = \"__u64\" }]\n",
        at: "{ name = \"b\", type = \"__u64\" }",
        says: "implicit padding hole in struct `s`: 4 bytes at offset 4 between `a` and `b`",
    },
    Case {
        name: "tail padding",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__aligned_u64\" }, { name = \"b\", type = \"__u32\" }]\n",
        at: "{ name = \"b\", type = \"__u32\" }",
        says: "4 bytes at offset 12 after `b` (tail padding)",
    },
    Case {
        name: "union tail padding",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"u\", union = [{ name = \"a\", type = \"__u32\", len = 3 }, { name = \"b\", type = \"__aligned_u64\" }] }]\n",
        at: "{ name = \"u\"",
        says: "4 bytes at offset 12 after `u` (tail padding)",
    },
    Case {
        name: "unknown struct",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"struct nope\" }]\n",
        at: "\"struct nope\"",
        says: "unknown struct `nope`",
    },
    Case {
        name: "struct used before it is defined",
        body: "[[struct]]\nname = \"outer\"\nfields = [{ name = \"a\", type = \"struct inner\" }]\n\n[[struct]]\nname = \"inner\"\nfields = [{ name = \"x\", type = \"__u32\" }]\n",
        at: "\"struct inner\"",
        says: "unknown struct `inner`",
    },
    Case {
        name: "union with no members",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"u\", union = [] }]\n",
        at: "[] }",
        says: "a union needs at least one member",
    },
    Case {
        name: "struct with no fields",
        body: "[[struct]]\nname = \"s\"\nfields = []\n",
        at: "[]",
        says: "struct `s` has no fields",
    },
    Case {
        name: "since names an unknown revision",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", since = \"r9\" }]\n",
        at: "\"r9\"",
        says: "`since` names revision `r9`, which the family does not list",
    },
    Case {
        name: "struct defined twice",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"b\", type = \"__u32\" }]\n",
        at: "\"s\"\nfields = [{ name = \"b\"",
        says: "struct `s` is defined twice (first at line 11)",
    },
    Case {
        name: "constant defined twice",
        body: "[[define]]\nname = \"K\"\nvalue = 1\n\n[[define]]\nname = \"K\"\nvalue = 2\n",
        at: "\"K\"\nvalue = 2",
        says: "constant `K` is defined twice (first at line 11)",
    },
    Case {
        name: "argsz convention without argsz first",
        body: "[[struct]]\nname = \"s\"\nconvention = \"argsz\"\nmin_size = { offsetofend = \"argsz\" }\nfields = [{ name = \"flags\", type = \"__u32\" }, { name = \"argsz\", type = \"__u32\" }]\n",
        at: "{ name = \"flags\"",
        says: "its first field must be `__u32 argsz`",
    },
    Case {
        name: "unknown convention",
        body: "[[struct]]\nname = \"s\"\nconvention = \"length\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n",
        at: "\"length\"",
        says: "unknown size convention `length`",
    },
    Case {
        name: "inside names a missing field",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[define]]\nname = \"K\"\ninside = \"s.b\"\nvalue = 1\n",
        at: "\"s.b\"",
        says: "struct `s` has no top-level field `b`",
    },
    Case {
        name: "define with two values",
        body: "[[define]]\nname = \"K\"\nvalue = 1\nbit = 2\n",
        at: "[[define]]",
        says: "needs exactly one of `value`, `bit`, `or`, `char`, `ioctl`, `alias` (it has 2)",
    },
    Case {
        name: "or names an unknown constant",
        body: "[[define]]\nname = \"A\"\nbit = 1\n\n[[define]]\nname = \"M\"\nor = [\"A\", \"B\"]\n",
        at: "\"B\"",
        says: "unknown constant `B`",
    },
    Case {
        name: "flags link names an enum",
        body: "[[enum]]\nname = \"e\"\nvalues = [{ name = \"X\" }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", flags = \"e\" }]\n",
        at: "\"e\" }",
        says: "`flags = \"e\"` names a [[enum]]",
    },
    Case {
        name: "bit out of range",
        body: "[[flags]]\nname = \"f\"\nvalues = [{ name = \"A\", bit = 64 }]\n",
        at: "64",
        says: "bit 64 is out of range (0 to 63)",
    },
    Case {
        name: "anonymous non-union field",
        body: "[[struct]]\nname = \"s\"\nfields = [{ type = \"__u32\" }]\n",
        at: "{ type",
        says: "only a union may be anonymous",
    },
    Case {
        name: "C enum value beyond int",
        body: "[[flags]]\nname = \"f\"\nstyle = \"enum\"\nvalues = [{ name = \"A\", bit = 31 }]\n",
        at: "{ name = \"A\", bit = 31 }",
        says: "`A` = 0x80000000 does not fit in a C enum (int)",
    },
    Case {
        name: "doc on an anonymous union",
        body: "[[struct]]\nname = \"s\"\nfields = [{ union = [{ name = \"a\", type = \"__u32\" }], doc = \"lost\" }]\n",
        at: "\"lost\"",
        says: "an anonymous union has no name kernel-doc can document",
    },
    Case {
        name: "argsz convention without min_size",
        body: "[[struct]]\nname = \"s\"\nconvention = \"argsz\"\nfields = [{ name = \"argsz\", type = \"__u32\" }]\n",
        at: "\"argsz\"\nfields",
        says: "uses the `argsz` convention and needs `min_size`",
    },
    Case {
        name: "rule on an unknown field",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }]\nrules = [{ require = [{ field = \"flagz\", zero = true }] }]\n",
        at: "\"flagz\"",
        says: "struct `s` has no field `flagz`",
    },
    Case {
        name: "known_flags on a field without a flag set",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"f\", type = \"__u32\" }]\nrules = [{ require = [{ field = \"f\", known_flags = true }] }]\n",
        at: "true }] }]",
        says: "`f` has no `flags` set",
    },
    Case {
        name: "condition with two predicates",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"f\", type = \"__u32\" }]\nrules = [{ require = [{ field = \"f\", zero = true, nonzero = true }] }]\n",
        at: "{ field = \"f\"",
        says: "a condition needs exactly one of",
    },
    Case {
        name: "unknown errno",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }]\nrules = [{ require = [{ field = \"size\", nonzero = true }], errno = \"ENOSPC\" }]\n",
        at: "\"ENOSPC\"",
        says: "errno `ENOSPC` is not one a validator returns",
    },
    Case {
        name: "discriminant outside min_size",
        body: "[[struct]]\nname = \"s\"\nconvention = \"argsz\"\nmin_size = { offsetofend = \"argsz\" }\nmin_size_when = [{ when = [{ field = \"kind\", equals = 1 }], offsetofend = \"kind\" }]\nfields = [{ name = \"argsz\", type = \"__u32\" }, { name = \"kind\", type = \"__u32\" }]\n",
        at: "{ field = \"kind\"",
        says: "`kind` (bytes 4..8) is not within min_size (4 bytes)",
    },
    Case {
        name: "rules without a convention",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }]\nrules = [{ require = [{ field = \"a\", zero = true }] }]\n",
        at: "{ require",
        says: "has validation settings but no `convention`",
    },
    Case {
        name: "alignment not a power of two",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }]\nrules = [{ require = [{ field = \"size\", aligned = 12 }] }]\n",
        at: "12",
        says: "alignment 12 is not a power of two",
    },
    Case {
        name: "abi_trap on a revision without a trap",
        body: "[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"n\" }\nfields = [{ name = \"a\", type = \"__u32\" }, { name = \"b\", type = \"__u32\" }]\n",
        at: "\"s\"\nabi_trap",
        says: "`abi_trap` lists revision r1, but its layout there is one layout on every ABI with no hole",
    },
    Case {
        name: "TOML syntax error",
        body: "[[struct]]\nname = \"s\nfields = []\n",
        at: "\nfields = []",
        says: "",
    },
    Case {
        name: "field name is not a C identifier",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"2x\", type = \"__u32\" }]\n",
        at: "\"2x\"",
        says: "field name `2x` is not a C identifier",
    },
    Case {
        name: "revision id that cannot name a module",
        body: "[[revision]]\nid = \"5.10\"\n",
        at: "\"5.10\"",
        says: "revision id `5.10` is not a C identifier",
    },
];

fn line_col(text: &str, at: &str) -> (usize, usize) {
    let offset = text
        .find(at)
        .unwrap_or_else(|| panic!("`{at}` not in schema"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = offset - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}

#[test]
fn every_bad_schema_gets_a_located_message() {
    assert!(CASES.len() >= 15);
    let mut failures = Vec::new();
    for case in CASES {
        let text = format!("{HEAD}\n{}", case.body);
        let result = std::panic::catch_unwind(|| {
            uapigen::load_source(Source::new("bad.toml", text.clone()), "bad.toml")
        });
        let diags = match result {
            Err(_) => {
                failures.push(format!("{}: panicked", case.name));
                continue;
            }
            Ok(Ok(_)) => {
                failures.push(format!("{}: accepted", case.name));
                continue;
            }
            Ok(Err(Error::Schema(d))) => d,
            Ok(Err(other)) => {
                failures.push(format!("{}: unlocated error {other}", case.name));
                continue;
            }
        };
        let (line, col) = line_col(&text, case.at);
        let hit = diags.iter().find(|d| d.message.contains(case.says));
        match hit {
            None => failures.push(format!(
                "{}: no message says {:?}; got:\n{}",
                case.name,
                case.says,
                Error::Schema(diags.clone())
            )),
            Some(d) => {
                let rendered = d.to_string();
                let prefix = format!("bad.toml:{line}:{col}: error: ");
                let source_line = text.lines().nth(line - 1).unwrap();
                if !rendered.starts_with(&prefix)
                    || !rendered.contains(&format!("{line} | {source_line}"))
                {
                    failures.push(format!(
                        "{}: expected {prefix}… showing line {line}; got:\n{rendered}",
                        case.name
                    ));
                }
                if !rendered
                    .lines()
                    .last()
                    .is_some_and(|l| l.contains('^') || l.contains("= note"))
                {
                    failures.push(format!("{}: no caret:\n{rendered}", case.name));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases wrong:\n\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n\n")
    );
}

/// All errors of a file come out in one run, not one per run.
#[test]
fn errors_are_reported_together() {
    let text = format!(
        "{HEAD}\n[[struct]]\nname = \"s\"\nfields = [{{ name = \"a\", type = \"__u31\" }}, {{ name = \"b\", type = \"__u32\", since = \"r9\" }}]\n"
    );
    let Err(Error::Schema(diags)) = uapigen::load_source(Source::new("bad.toml", text), "bad.toml")
    else {
        panic!("must fail")
    };
    assert_eq!(diags.len(), 2, "{diags:?}");
}

#[test]
fn cli_exits_non_zero_with_the_location() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("schema");
    std::fs::create_dir(&schema).unwrap();
    let text = format!("{HEAD}\n{}", CASES[0].body);
    std::fs::write(schema.join("bad.toml"), &text).unwrap();
    let (line, col) = line_col(&text, CASES[0].at);
    for sub in ["generate", "check"] {
        let out = Command::new(env!("CARGO_BIN_EXE_uapigen"))
            .arg(sub)
            .arg("--schema")
            .arg(&schema)
            .arg("--out")
            .arg(dir.path().join("out"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{sub}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "bad.toml:{line}:{col}: error: unknown type `__u31`"
            )),
            "{sub}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            !dir.path().join("out").exists(),
            "{sub} wrote output for a bad schema"
        );
    }
}
