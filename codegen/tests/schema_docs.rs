//! docs/schema.md stays the reference of the schema format: every key the parser accepts has a
//! row in its section's table (the keys are read from the parser's own serde definitions, so a
//! new key without a row fails here), and the complete example generates and passes the
//! matrix.

mod common;

use std::process::Command;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use uapigen::schema::*;

/// A deserializer that only records the field names a struct asks for.
struct Keys;

#[derive(Debug)]
struct Recorded(Vec<&'static str>);

impl std::fmt::Display for Recorded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl std::error::Error for Recorded {}

impl de::Error for Recorded {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Recorded(Vec::new())
    }
}

impl<'de> Deserializer<'de> for Keys {
    type Error = Recorded;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Recorded> {
        Err(Recorded(Vec::new()))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Recorded> {
        Err(Recorded(fields.to_vec()))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// The TOML keys of a parser type.
fn keys<T: for<'de> Deserialize<'de>>() -> Vec<&'static str> {
    match T::deserialize(Keys) {
        Err(Recorded(k)) if !k.is_empty() => k,
        _ => panic!("not a struct"),
    }
}

#[test]
fn every_parser_key_has_a_row_in_docs_schema_md() {
    let doc = std::fs::read_to_string(common::repo_root().join("docs/schema.md")).unwrap();
    let sections: [(&str, Vec<&str>); 18] = [
        ("## Top-level tables", keys::<RawSchema>()),
        ("### `[family]`", keys::<RawFamily>()),
        ("### `[[revision]]`", keys::<RawRevision>()),
        ("### `[[struct]]`", keys::<RawStruct>()),
        ("### Fields", keys::<RawField>()),
        ("#### `caps`", keys::<RawCaps>()),
        ("#### `capability`", keys::<RawCapability>()),
        ("#### `payload`", keys::<RawPayload>()),
        ("#### `payloads`", keys::<RawPayloadCase>()),
        ("### `min_size`", keys::<RawSizeRef>()),
        ("### `min_size_when`", keys::<RawMinSizeWhen>()),
        ("### `rules`", keys::<RawRule>()),
        ("### Conditions", keys::<RawCond>()),
        ("### `abi_trap`", keys::<RawAbiTrap>()),
        ("### `[[flags]]` and `[[enum]]`", keys::<RawGroup>()),
        ("### Values", keys::<RawValue>()),
        ("### `[[define]]`", keys::<RawDefine>()),
        ("### `ioctl`", keys::<RawIoctl>()),
    ];
    let mut missing = Vec::new();
    for (heading, keys) in &sections {
        let text = common::markdown_section(&doc, heading);
        for key in keys {
            if !text.contains(&format!("\n| `{key}` |")) {
                missing.push(format!("{heading}: `{key}`"));
            }
        }
    }
    assert!(missing.is_empty(), "keys without a row: {missing:#?}");
}

#[test]
fn the_complete_example_generates_and_passes_the_matrix() {
    let doc = std::fs::read_to_string(common::repo_root().join("docs/schema.md")).unwrap();
    let example = common::markdown_section(&doc, "## A complete example");
    let start = example.find("```toml\n").expect("a toml block") + 8;
    let toml = &example[start..start + example[start..].find("```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("schema");
    std::fs::create_dir(&schema).unwrap();
    std::fs::write(schema.join("example.toml"), toml).unwrap();
    for args in [
        &["generate"][..],
        &["matrix"][..],
        &["check", "--no-clang"][..],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_uapigen"))
            .args(args)
            .arg("--schema")
            .arg(&schema)
            .arg("--out")
            .arg(dir.path().join("generated"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // `has` and `at_least`: a flag that needs more size (DESIGN: clone3's CLONE_INTO_CGROUP
    // needs CLONE_ARGS_SIZE_VER2). struct gizmo_query: size 0, flags 4, out_caps 8, level 16,
    // pad 17, range.start 24, range.length 32; 40 bytes, 24 before v2.
    let query = |size: u32, flags: u32, length: u64| {
        let mut b = vec![0u8; size as usize];
        b[0..4].copy_from_slice(&size.to_ne_bytes());
        b[4..8].copy_from_slice(&flags.to_ne_bytes());
        if size >= 40 {
            b[32..40].copy_from_slice(&length.to_ne_bytes());
        }
        b
    };
    let range = 2;
    let cases = [
        (
            query(24, range, 0),
            "rejected, -EINVAL (if flags has GIZMO_QUERY_RANGE: size >= GIZMO_QUERY_SIZE_VER2)",
            -22,
        ),
        (
            query(40, range, 0),
            "rejected, -EINVAL (if flags == GIZMO_QUERY_RANGE: range.length is non-zero)",
            -22,
        ),
        (query(40, range, 4096), "accepted", 0),
        (query(24, 1, 0), "accepted", 0),
    ];
    let mut harness = String::from(
        "#include <stdio.h>\n#include <uapigen/gizmo_validate.h>\n\
         int main(void)\n{\n\tstruct gizmo_query q;\n",
    );
    let mut expected = String::new();
    for (bytes, verdict, errno) in &cases {
        let hex: Vec<String> = bytes.iter().map(|x| format!("{x:02x}")).collect();
        let out = Command::new(env!("CARGO_BIN_EXE_uapigen"))
            .args(["decode", "gizmo_query", "--hex", &hex.join(" "), "--schema"])
            .arg(&schema)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(&format!("verdict: {verdict}")),
            "{hex:?}:\n{text}"
        );
        assert_eq!(out.status.success(), *errno == 0, "{hex:?}");
        let c: Vec<String> = bytes.iter().map(|x| format!("{x}")).collect();
        harness.push_str(&format!(
            "\t{{\n\t\tstatic const unsigned char u[] = {{ {} }};\n\t\tprintf(\"%d\\n\", gizmo_query_copy_from_user(&q, u));\n\t}}\n",
            c.join(", ")
        ));
        expected.push_str(&format!("{errno}\n"));
    }
    harness.push_str("\treturn 0;\n}\n");
    let include = dir.path().join("generated/include");
    let uapi = include.join("uapi");
    let exe = common::compile(
        "cc",
        "gizmo.c",
        &harness,
        &["-std=c99", "-Wall", "-Werror", "-I", uapi.to_str().unwrap()],
        &include,
    );
    // The generated C decides as the interpreter behind `decode` does.
    assert_eq!(common::run(&exe), expected);
}
