//! A few hundred seeded mutations of the real schemas (and of the walkthrough's and the schema
//! reference's) through the real `uapigen generate`: every run exits 0 or 2, never panics or
//! reports an internal error, and a refusal is located (`file:line:col: error:`) or names the
//! argument it concerns and leaves `--out` empty; every acceptance writes only below `--out`, its
//! headers compile as C11 and as C++17 with warnings as errors, and its Rust crate passes
//! `cargo check` without a warning (issue 12: "every refusal located, every acceptance
//! compiles").
//!
//! Deterministic: mutant N is drawn from its own SplitMix64 stream, so a failure names a number
//! that reproduces it alone: `UAPIGEN_MUTANT=N cargo test -p uapigen --test mutations -- --nocapture`
//! runs that mutant only and prints where its schema and output are kept.
//!
//! The mutants are written and the generated Rust checked as one throwaway workspace (one
//! member per accepted mutant, one `cargo check --keep-going`) below `CARGO_TARGET_TMPDIR`,
//! whose dependencies stay compiled between runs.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::*;
use toml::Value;

/// How many mutants; each is distinct from the others and from its seed.
const MUTANTS: usize = 320;
/// The stream every mutant's generator is derived from.
const BASE_SEED: u64 = 0x0012_5eed_0f15_5712;
/// A `generate` that takes longer hangs (the real schemas take a fraction of a second).
const GENERATE_TIMEOUT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------------
// The generator

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast and good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn for_mutant(n: usize) -> Rng {
        let mut r = Rng(BASE_SEED ^ (n as u64).wrapping_mul(0xa076_1d64_78bd_642f));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

// ---------------------------------------------------------------------------------------------
// The schema as a list of top-level entries, in file order

/// `[family]` or one `[[struct]]` (etc.): the file's order of these matters (a constant is
/// defined above what refers to it), which `toml::Table` does not keep, so the document is
/// kept as this list and written back by `render`.
#[derive(Clone, PartialEq)]
struct Entry {
    key: String,
    array: bool,
    table: Value,
}

type Doc = Vec<Entry>;

#[derive(Clone, Debug, PartialEq)]
enum Seg {
    Key(String),
    Idx(usize),
}

type TPath = Vec<Seg>;

/// A string value written as a bare integer: TOML integers are i64, and the values above it
/// (2^63, 2^64 - 1, 2^64) are what a hostile schema writes to reach the parser's limits.
const BIG: &str = "\u{0}uapigen-mutation-big-integer:";

fn parse_doc(text: &str) -> Doc {
    let table: toml::Table = toml::from_str(text).expect("a seed parses");
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut doc = Vec::new();
    // Lines inside a multi-line string (a doc's `[0, INT_MAX]`) are text, not headers.
    let mut in_text = false;
    for line in text.lines() {
        let line = line.trim();
        let was_in_text = in_text;
        in_text ^= line.matches("\"\"\"").count() % 2 == 1;
        if was_in_text {
            continue;
        }
        let (key, array) = if let Some(k) = line.strip_prefix("[[") {
            (k.strip_suffix("]]").expect("[[key]]"), true)
        } else if let Some(k) = line.strip_prefix('[') {
            (k.strip_suffix(']').expect("[key]"), false)
        } else {
            continue;
        };
        let i = seen.entry(key.to_string()).or_default();
        let value = match (&table[key], array) {
            (Value::Array(a), true) => a[*i].clone(),
            (t @ Value::Table(_), false) => t.clone(),
            _ => panic!("a seed has a header `{line}` this test does not know"),
        };
        *i += 1;
        doc.push(Entry {
            key: key.to_string(),
            array,
            table: value,
        });
    }
    for (key, value) in &table {
        let n = match value {
            Value::Array(a) => a.len(),
            _ => 1,
        };
        assert_eq!(
            seen.get(key),
            Some(&n),
            "every top-level `{key}` is a [header]"
        );
    }
    doc
}

fn render(doc: &Doc) -> String {
    let mut out = String::new();
    for e in doc {
        if e.array {
            writeln!(out, "[[{}]]", e.key).unwrap();
        } else {
            writeln!(out, "[{}]", e.key).unwrap();
        }
        match &e.table {
            Value::Table(t) => {
                for (k, v) in t {
                    key(k, &mut out);
                    out.push_str(" = ");
                    match v {
                        // One member, value or rule a line, so a diff shows which.
                        Value::Array(a) if a.iter().any(Value::is_table) => {
                            out.push_str("[\n");
                            for x in a {
                                out.push_str("  ");
                                inline(x, &mut out);
                                out.push_str(",\n");
                            }
                            out.push(']');
                        }
                        _ => inline(v, &mut out),
                    }
                    out.push('\n');
                }
            }
            other => panic!("an entry is a table, not {other:?}"),
        }
        out.push('\n');
    }
    out
}

fn key(k: &str, out: &mut String) {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        out.push_str(k);
    } else {
        string(k, out);
    }
}

fn string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_ascii_graphic() || c == ' ' => out.push(c),
            c => write!(out, "\\u{:04X}", c as u32).unwrap(),
        }
    }
    out.push('"');
}

fn inline(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => match s.strip_prefix(BIG) {
            Some(digits) => out.push_str(digits),
            None => string(s, out),
        },
        Value::Integer(i) => write!(out, "{i}").unwrap(),
        Value::Float(f) => write!(out, "{f:?}").unwrap(),
        Value::Boolean(b) => write!(out, "{b}").unwrap(),
        Value::Datetime(d) => write!(out, "{d}").unwrap(),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                inline(x, out);
            }
            out.push(']');
        }
        Value::Table(t) => {
            if t.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push_str("{ ");
            for (i, (k, x)) in t.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                key(k, out);
                out.push_str(" = ");
                inline(x, out);
            }
            out.push_str(" }");
        }
    }
}

fn get<'a>(doc: &'a Doc, path: &[Seg]) -> &'a Value {
    let Seg::Idx(i) = path[0] else {
        panic!("a path starts at an entry")
    };
    let mut v = &doc[i].table;
    for s in &path[1..] {
        v = match (s, v) {
            (Seg::Key(k), Value::Table(t)) => &t[k.as_str()],
            (Seg::Idx(i), Value::Array(a)) => &a[*i],
            _ => panic!("path {path:?} does not exist"),
        };
    }
    v
}

fn get_mut<'a>(doc: &'a mut Doc, path: &[Seg]) -> &'a mut Value {
    let Seg::Idx(i) = path[0] else {
        panic!("a path starts at an entry")
    };
    let mut v = &mut doc[i].table;
    for s in &path[1..] {
        v = match (s, v) {
            (Seg::Key(k), Value::Table(t)) => t.get_mut(k.as_str()).expect("key exists"),
            (Seg::Idx(i), Value::Array(a)) => &mut a[*i],
            _ => panic!("path {path:?} does not exist"),
        };
    }
    v
}

/// Every value of the document with its path, parents first.
fn visit(doc: &Doc, f: &mut dyn FnMut(&[Seg], &Value)) {
    fn walk(v: &Value, path: &mut TPath, f: &mut dyn FnMut(&[Seg], &Value)) {
        f(path, v);
        match v {
            Value::Table(t) => {
                for (k, x) in t {
                    path.push(Seg::Key(k.clone()));
                    walk(x, path, f);
                    path.pop();
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    path.push(Seg::Idx(i));
                    walk(x, path, f);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    for (i, e) in doc.iter().enumerate() {
        walk(&e.table, &mut vec![Seg::Idx(i)], f);
    }
}

fn last_key(path: &[Seg]) -> Option<&str> {
    match path.last() {
        Some(Seg::Key(k)) => Some(k),
        _ => None,
    }
}

/// `struct[3].fields[1].name`, for the report.
fn show(doc: &Doc, path: &[Seg]) -> String {
    let mut s = String::new();
    for (n, seg) in path.iter().enumerate() {
        match (n, seg) {
            (0, Seg::Idx(i)) => {
                let e = &doc[*i];
                let same = doc[..*i].iter().filter(|x| x.key == e.key).count();
                if e.array {
                    write!(s, "{}[{same}]", e.key).unwrap();
                } else {
                    s.push_str(&e.key);
                }
            }
            (_, Seg::Key(k)) => write!(s, ".{k}").unwrap(),
            (_, Seg::Idx(i)) => write!(s, "[{i}]").unwrap(),
        }
    }
    s
}

// ---------------------------------------------------------------------------------------------
// What a mutation can touch

#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Family,
    Revision,
    Struct,
    Field,
    RustName,
    Set,
    Constant,
}

struct Sites {
    /// Names: (path, kind, value).
    idents: Vec<(TPath, Kind, String)>,
    /// doc, summary, label, license, description, comment, note.
    texts: Vec<TPath>,
    /// Tables that may take a text key they lack: (path, key).
    text_slots: Vec<(TPath, &'static str)>,
    ints: Vec<TPath>,
    /// Members with a `type`.
    members: Vec<TPath>,
    /// Members whose type is `struct NAME`.
    embedded: Vec<TPath>,
    /// Every array (its path), and `None` for the list of top-level entries.
    arrays: Vec<Option<TPath>>,
    /// Every key of every table.
    keys: Vec<TPath>,
    /// `since` and `until`.
    since: Vec<TPath>,
    /// Tables that may take a `since`.
    since_slots: Vec<TPath>,
    /// convention, errno, style, anonymous, reserved.
    switches: Vec<TPath>,
    revisions: Vec<String>,
    structs: Vec<String>,
}

const TEXT_KEYS: &[&str] = &[
    "doc",
    "summary",
    "label",
    "license",
    "description",
    "comment",
    "note",
];
const NAME_KEYS: &[&str] = &["name", "id", "rust_name"];

fn kind_of(doc: &Doc, path: &[Seg]) -> Option<Kind> {
    let Seg::Idx(i) = path[0] else { return None };
    let top = doc[i].key.as_str();
    let k = last_key(path)?;
    let in_ = |key: &str| path.iter().any(|s| *s == Seg::Key(key.into()));
    Some(match (top, k, path.len()) {
        (_, "rust_name", _) => Kind::RustName,
        ("family", "name", 2) => Kind::Family,
        ("revision", "id", 2) => Kind::Revision,
        ("struct", "name", 2) => Kind::Struct,
        ("flags" | "enum", "name", 2) => Kind::Set,
        ("define", "name", 2) => Kind::Constant,
        ("struct", "name", _) if in_("fields") => Kind::Field,
        ("flags" | "enum", "name", _) if in_("values") => Kind::Constant,
        _ => return None,
    })
}

fn sites(doc: &Doc) -> Sites {
    let mut s = Sites {
        idents: vec![],
        texts: vec![],
        text_slots: vec![],
        ints: vec![],
        members: vec![],
        embedded: vec![],
        arrays: vec![None],
        keys: vec![],
        since: vec![],
        since_slots: vec![],
        switches: vec![],
        revisions: vec![],
        structs: vec![],
    };
    visit(doc, &mut |path, v| {
        let k = last_key(path);
        if path.len() > 1 && k.is_some() {
            s.keys.push(path.to_vec());
        }
        match v {
            Value::String(x) => {
                if let (Some(k), Some(kind)) = (k, kind_of(doc, path)) {
                    if NAME_KEYS.contains(&k) {
                        s.idents.push((path.to_vec(), kind, x.clone()));
                        match kind {
                            Kind::Revision => s.revisions.push(x.clone()),
                            Kind::Struct => s.structs.push(x.clone()),
                            _ => {}
                        }
                    }
                }
                if k.is_some_and(|k| TEXT_KEYS.contains(&k)) {
                    s.texts.push(path.to_vec());
                }
                if matches!(k, Some("since" | "until")) {
                    s.since.push(path.to_vec());
                }
                if matches!(k, Some("convention" | "errno" | "style")) {
                    s.switches.push(path.to_vec());
                }
            }
            Value::Integer(_) => s.ints.push(path.to_vec()),
            Value::Boolean(_) => {
                if matches!(k, Some("anonymous" | "reserved")) {
                    s.switches.push(path.to_vec());
                }
            }
            Value::Array(_) => s.arrays.push(Some(path.to_vec())),
            Value::Table(t) => {
                let top = match path[0] {
                    Seg::Idx(i) => doc[i].key.as_str(),
                    Seg::Key(_) => unreachable!(),
                };
                let slots: &[&'static str] = match (top, path.len()) {
                    ("family", 1) => &["description"],
                    ("revision", 1) => &["label"],
                    ("struct", 1) => &["summary", "doc"],
                    ("flags" | "enum", 1) => &["summary", "doc"],
                    ("define", 1) => &["doc"],
                    _ if t.contains_key("require") => &["doc"],
                    _ if t.contains_key("type") || t.contains_key("union") => &["doc", "comment"],
                    _ if t.contains_key("name") => &["doc"],
                    _ => &[],
                };
                for slot in slots {
                    s.text_slots.push((path.to_vec(), slot));
                }
                if t.contains_key("name")
                    && !matches!(top, "family" | "revision")
                    && !t.contains_key("require")
                {
                    s.since_slots.push(path.to_vec());
                }
                if let Some(Value::String(ty)) = t.get("type") {
                    s.members.push(path.to_vec());
                    if ty.starts_with("struct ") {
                        s.embedded.push(path.to_vec());
                    }
                }
                if top == "struct" && path.len() == 1 && !t.contains_key("convention") {
                    s.switches.push(
                        path.iter()
                            .cloned()
                            .chain([Seg::Key("convention".into())])
                            .collect(),
                    );
                }
            }
            _ => {}
        }
    });
    s
}

// ---------------------------------------------------------------------------------------------
// The mutation operators

/// Identifiers a C compiler, a C++ compiler, rustc or the generated code's own names may choke
/// on, and a few that are not identifiers at all.
const HOSTILE_NAMES: &[&str] = &[
    // C and C++ keywords and reserved names
    "int",
    "extern",
    "else",
    "class",
    "bool",
    "char",
    "void",
    "struct",
    "union",
    "register",
    "static",
    "sizeof",
    "template",
    "new",
    "delete",
    "this",
    "namespace",
    "_Bool",
    "_Static_assert",
    "__reserved",
    "__u32",
    "NULL",
    "errno",
    "EINVAL",
    "memcpy",
    "size_t",
    "offsetof",
    "main",
    // Rust keywords: those that cannot be raw identifiers first
    "self",
    "Self",
    "super",
    "crate",
    "_",
    "type",
    "match",
    "async",
    "fn",
    "mod",
    "move",
    "dyn",
    "gen",
    // names of the Rust prelude and of what the generated code uses
    "result",
    "option",
    "vec",
    "string",
    "box",
    "Result",
    "Option",
    "Some",
    "None",
    "Ok",
    "Err",
    "Vec",
    "String",
    "Box",
    "u32",
    "usize",
    "core",
    "std",
    "alloc",
    "zerocopy",
    "uapigen_uaccess",
    "UserMemory",
    "Rejected",
    "Default",
    "Copy",
    "PartialEq",
    "SIZE",
    "MIN_SIZE",
    "check",
    "copy_from_user",
    "copy_from_user_into",
    "uapigen_check_zeroed_user",
    "UAPI_COPY_FROM_USER",
    // not identifiers
    "",
    "1abc",
    "a-b",
    "a b",
    "a.b",
    "r#type",
    "é",
    "a\nb",
    "*/",
];

const HOSTILE_TEXTS: &[&str] = &[
    "*/",
    "/*",
    "end */ int injected; /* start",
    "*/ #define INJECTED 1 /*",
    "a\nb",
    "line one\n\n\nline four",
    "\n#define INJECTED 1\n",
    "trailing backslash \\",
    "backslash\\\nnewline",
    "quote \" and ' and `",
    "{{name}}",
    "{{{family}}}",
    "{{#each x}}y{{/each}}",
    "{{",
    "}}",
    "carriage\rreturn",
    "tab\there",
    "\u{202e}reversed",
    "// a line comment",
    "trigraph ??/",
    "",
    " * @evil: a fake kernel-doc member",
    "@size: a doc that looks like a member",
    "ünïcödé 中文",
    "nul \u{0} byte",
    "```rust\nfn main() {}\n```",
    "#[doc = \"x\"]",
    "\"\"\"",
    "]] [[struct]]",
    "-->",
];

const HOSTILE_HEADERS: &[&str] = &[
    "linux/a\nb.h",
    "linux/a b.h",
    "linux/a\"b.h",
    "linux/a>b.h",
    "linux/a\\b.h",
    "../x.h",
    "linux/../../x.h",
    "/abs/x.h",
    "linux/x",
    "linux/.h",
    ".h",
    "linux//x.h",
    "./x.h",
    "linux/x.h/",
    "x.h",
    "a/b/c/d.h",
    "linux/*/x.h",
    "uapigen/uaccess.h",
    "../uapigen/uaccess.h",
    "linux/é.h",
    "",
    "linux/x.h\0",
    "linux/CON.h",
    "linux/-x.h",
];

const HOSTILE_GUARDS: &[&str] = &[
    "int",
    "_UAPI_X_H\n#define X",
    "1X",
    "",
    "__u32",
    "NULL",
    "_Bool",
    "_UAPI_X_H */",
    "a b",
];

const HOSTILE_INCLUDES: &[&str] = &[
    "linux/types.h>\n#error injected",
    "linux/types.h\"",
    "x>",
    "",
    "linux/types.h */",
    "<linux/types.h>",
];

const TYPES: &[&str] = &[
    "__u8",
    "__u16",
    "__u32",
    "__u64",
    "__aligned_u64",
    "__s32",
    "__u8",
    "__u16",
    "__u32",
    "__u64",
    "__aligned_u64",
    "__s32",
    "__s8",
    "__s16",
    "__s64",
    "__u128",
    "int",
    "__be32",
    "struct",
    "__u32 ",
];

/// 2^63, 2^64 - 1 and 2^64 are written through `BIG`.
const NUMBERS: &[i128] = &[
    0,
    1,
    2,
    3,
    7,
    31,
    32,
    63,
    64,
    255,
    256,
    4096,
    65535,
    65536,
    (1 << 31) - 1,
    1 << 31,
    (1 << 32) - 1,
    1 << 32,
    1 << 53,
    (1 << 63) - 1,
    1 << 63,
    (1 << 64) - 1,
    1 << 64,
    -1,
    -(1 << 63),
];

const LENGTHS: &[i128] = &[
    0,
    1,
    2,
    3,
    5,
    64,
    4096,
    1 << 16,
    1 << 20,
    (1 << 20) + 1,
    1 << 24,
    1 << 31,
    1 << 32,
    (1 << 32) + 1,
    1 << 40,
    (1 << 63) - 1,
    (1 << 64) - 1,
];

fn number(n: i128) -> Value {
    match i64::try_from(n) {
        Ok(i) => Value::Integer(i),
        Err(_) => Value::String(format!("{BIG}{n}")),
    }
}

fn shown_value(v: &Value) -> String {
    let mut s = String::new();
    inline(v, &mut s);
    s
}

/// `iommu_hwpt_alloc` → `IommuHwptAlloc`, as the Rust emitter names types.
fn camel(name: &str) -> String {
    name.split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next().map_or(String::new(), |f| {
                f.to_ascii_uppercase().to_string() + c.as_str()
            })
        })
        .collect()
}

/// Replaces every identifier-like token `old` of `s` by `new`.
fn retoken(s: &str, old: &str, new: &str) -> String {
    let mut out = String::new();
    let mut token = String::new();
    for c in s.chars().chain(['\u{1}']) {
        if c.is_ascii_alphanumeric() || c == '_' {
            token.push(c);
            continue;
        }
        out.push_str(if token == old { new } else { &token });
        token.clear();
        if c != '\u{1}' {
            out.push(c);
        }
    }
    out
}

/// Renames the name at `path` to `new`, and every reference to it: in the whole document for a
/// struct, set, constant, revision or family; within its struct (and `inside = "S.name"`) for a
/// member. Other names are left alone, so a collision stays a collision.
fn rename(doc: &mut Doc, path: &[Seg], kind: Kind, new: &str) {
    let old = match get(doc, path) {
        Value::String(s) => s.clone(),
        _ => unreachable!(),
    };
    let Seg::Idx(owner) = path[0] else {
        unreachable!()
    };
    let owner_name = match &doc[owner].table.get("name") {
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    let mut refs: Vec<TPath> = Vec::new();
    visit(doc, &mut |p, v| {
        if let Value::String(s) = v {
            let k = last_key(p);
            let is_name = k.is_some_and(|k| NAME_KEYS.contains(&k)) && kind_of(doc, p).is_some();
            if p == path || is_name || s.starts_with(BIG) || !s.contains(old.as_str()) {
                return;
            }
            let scoped = match kind {
                Kind::Field | Kind::RustName => {
                    p[0] == path[0] || (k == Some("inside") && *s == format!("{owner_name}.{old}"))
                }
                _ => true,
            };
            if scoped {
                refs.push(p.to_vec());
            }
        }
    });
    for p in refs {
        let v = get_mut(doc, &p);
        if let Value::String(s) = v {
            if matches!(kind, Kind::Field | Kind::RustName) && last_key(&p) == Some("inside") {
                *s = format!("{owner_name}.{new}");
            } else {
                *s = retoken(s, &old, new);
            }
        }
    }
    *get_mut(doc, path) = Value::String(new.to_string());
}

fn set_key(doc: &mut Doc, table: &[Seg], key: &str, v: Value) {
    match get_mut(doc, table) {
        Value::Table(t) => {
            t.insert(key.to_string(), v);
        }
        _ => unreachable!(),
    }
}

fn remove_key(doc: &mut Doc, path: &[Seg]) {
    let (last, parent) = path.split_last().unwrap();
    match (get_mut(doc, parent), last) {
        (Value::Table(t), Seg::Key(k)) => {
            t.remove(k.as_str());
        }
        _ => unreachable!(),
    }
}

const OPERATORS: &[(&str, u32)] = &[
    ("rename", 16),
    ("collide", 10),
    ("shadow", 4),
    ("case", 6),
    ("rust_name", 4),
    ("text", 14),
    ("number", 8),
    ("array-len", 6),
    ("nested-array", 4),
    ("dup", 7),
    ("delete", 7),
    ("since", 6),
    ("retype", 6),
    ("switch", 4),
    ("header", 4),
    ("plain", 3),
];

/// Applies one operator chosen by `rng` to `doc`; what it did, or None when the seed has no
/// site for it.
fn mutate(doc: &mut Doc, s: &Sites, rng: &mut Rng) -> Option<String> {
    let total: u32 = OPERATORS.iter().map(|o| o.1).sum();
    let mut at = (rng.next() % u64::from(total)) as u32;
    let op = OPERATORS
        .iter()
        .find(|o| {
            if at < o.1 {
                true
            } else {
                at -= o.1;
                false
            }
        })
        .unwrap()
        .0;
    match op {
        "rename" | "collide" | "case" => {
            let (path, kind, old) = rng.pick(&s.idents).clone();
            let same: Vec<&String> = s
                .idents
                .iter()
                .filter(|x| x.1 == kind && x.2 != old)
                .map(|x| &x.2)
                .collect();
            let new = match op {
                "rename" => rng.pick(HOSTILE_NAMES).to_string(),
                "collide" => {
                    if !same.is_empty() && rng.chance(50) {
                        rng.pick(&same).to_string()
                    } else {
                        let other = rng.pick(&s.idents).2.clone();
                        if other == old {
                            return None;
                        }
                        other
                    }
                }
                _ => {
                    let w = if same.is_empty() || rng.chance(25) {
                        old.clone()
                    } else {
                        rng.pick(&same).to_string()
                    };
                    let variants = [
                        w.to_uppercase(),
                        w.to_lowercase(),
                        camel(&w),
                        format!("{w}_"),
                        format!("_{w}"),
                        w.replacen('_', "__", 1),
                        w.replace('_', ""),
                    ];
                    let v = rng.pick(&variants).clone();
                    if v == old {
                        return None;
                    }
                    v
                }
            };
            rename(doc, &path, kind, &new);
            Some(format!(
                "{op}: {:?} {} `{}` -> `{}`",
                kind,
                show(doc, &path),
                old.escape_debug(),
                new.escape_debug()
            ))
        }
        "shadow" => {
            // A constant spelled like a member: a #define of it rewrites the struct.
            let constants: Vec<&(TPath, Kind, String)> =
                s.idents.iter().filter(|x| x.1 == Kind::Constant).collect();
            let fields: Vec<&String> = s
                .idents
                .iter()
                .filter(|x| x.1 == Kind::Field)
                .map(|x| &x.2)
                .collect();
            if constants.is_empty() || fields.is_empty() {
                return None;
            }
            let (path, kind, old) = (*rng.pick(&constants)).clone();
            let new = rng.pick(&fields).to_string();
            rename(doc, &path, kind, &new);
            Some(format!(
                "shadow: {:?} {} `{old}` -> `{new}` (a member's name)",
                kind,
                show(doc, &path)
            ))
        }
        "rust_name" => {
            let members: Vec<&TPath> = s.members.iter().collect();
            let path = rng.pick(&members).to_vec();
            let new = rng.pick(HOSTILE_NAMES);
            set_key(doc, &path, "rust_name", Value::String(new.to_string()));
            Some(format!(
                "rust_name: {}.rust_name = `{}`",
                show(doc, &path),
                new.escape_debug()
            ))
        }
        "text" => {
            let text = rng.pick(HOSTILE_TEXTS).to_string();
            if rng.chance(70) && !s.texts.is_empty() {
                let path = rng.pick(&s.texts).clone();
                let v = get_mut(doc, &path);
                let Value::String(old) = v else {
                    unreachable!()
                };
                let how = if rng.chance(50) {
                    *old = format!("{old} {text}");
                    "+="
                } else {
                    *old = text.clone();
                    "="
                };
                Some(format!("text: {} {how} {:?}", show(doc, &path), text))
            } else {
                let (path, key) = rng.pick(&s.text_slots).clone();
                set_key(doc, &path, key, Value::String(text.clone()));
                Some(format!("text: {}.{key} = {:?}", show(doc, &path), text))
            }
        }
        "number" => {
            if s.ints.is_empty() {
                return None;
            }
            let path = rng.pick(&s.ints).clone();
            let n = number(*rng.pick(NUMBERS));
            let shown = shown_value(&n);
            *get_mut(doc, &path) = n;
            Some(format!("number: {} = {shown}", show(doc, &path)))
        }
        "array-len" => {
            let path = rng.pick(&s.members).clone();
            let n = number(*rng.pick(LENGTHS));
            let shown = shown_value(&n);
            set_key(doc, &path, "len", n);
            Some(format!("array-len: {}.len = {shown}", show(doc, &path)))
        }
        "nested-array" => {
            // A struct embedded as an array, with an array inside it: the product is what
            // overflows a careless layout.
            if s.embedded.is_empty() {
                return None;
            }
            let outer = rng.pick(&s.embedded).clone();
            let Value::String(ty) = &get(doc, &outer)["type"] else {
                unreachable!()
            };
            let inner_name = ty.trim_start_matches("struct ").to_string();
            let inner_members: Vec<TPath> = s
                .members
                .iter()
                .filter(|p| {
                    matches!(p[0], Seg::Idx(i) if doc[i].key == "struct"
                        && doc[i].table.get("name").and_then(Value::as_str) == Some(inner_name.as_str()))
                })
                .cloned()
                .collect();
            if inner_members.is_empty() {
                return None;
            }
            let inner = rng.pick(&inner_members).clone();
            let (a, b) = (*rng.pick(LENGTHS), *rng.pick(LENGTHS));
            set_key(doc, &outer, "len", number(a));
            set_key(doc, &inner, "len", number(b));
            Some(format!(
                "nested-array: {}.len = {a}, {}.len = {b}",
                show(doc, &outer),
                show(doc, &inner)
            ))
        }
        "dup" | "delete" => {
            let at = rng.pick(&s.arrays).clone();
            if op == "delete" && rng.chance(35) {
                let path = rng.pick(&s.keys).clone();
                remove_key(doc, &path);
                return Some(format!("delete: key {}", show(doc, &path)));
            }
            match at {
                None => {
                    let i = rng.below(doc.len());
                    let what = show(doc, &[Seg::Idx(i)]);
                    if op == "dup" {
                        let e = doc[i].clone();
                        doc.insert(i + 1, e);
                    } else {
                        doc.remove(i);
                    }
                    Some(format!("{op}: entry {what}"))
                }
                Some(path) => {
                    let Value::Array(a) = get_mut(doc, &path) else {
                        unreachable!()
                    };
                    if a.is_empty() {
                        return None;
                    }
                    let i = rng.below(a.len());
                    if op == "dup" {
                        let x = a[i].clone();
                        a.insert(i + 1, x);
                    } else {
                        a.remove(i);
                    }
                    Some(format!("{op}: {}[{i}]", show(doc, &path)))
                }
            }
        }
        "since" => {
            let distinct: Vec<(TPath, String)> = s
                .since
                .iter()
                .map(|p| (p.clone(), get(doc, p).as_str().unwrap().to_string()))
                .collect();
            if distinct.len() >= 2 && rng.chance(50) {
                let a = rng.pick(&distinct).clone();
                let b = rng.pick(&distinct).clone();
                if a.1 == b.1 {
                    return None;
                }
                *get_mut(doc, &a.0) = Value::String(b.1.clone());
                *get_mut(doc, &b.0) = Value::String(a.1.clone());
                Some(format!(
                    "since: swapped {} ({}) and {} ({})",
                    show(doc, &a.0),
                    a.1,
                    show(doc, &b.0),
                    b.1
                ))
            } else if !s.revisions.is_empty() {
                let path = rng.pick(&s.since_slots).clone();
                let key = if rng.chance(80) { "since" } else { "until" };
                let rev = rng.pick(&s.revisions).clone();
                set_key(doc, &path, key, Value::String(rev.clone()));
                Some(format!("since: {}.{key} = {rev}", show(doc, &path)))
            } else {
                None
            }
        }
        "retype" => {
            let path = rng.pick(&s.members).clone();
            let ty = if rng.chance(15) && !s.structs.is_empty() {
                format!("struct {}", rng.pick(&s.structs))
            } else {
                rng.pick(TYPES).to_string()
            };
            let old = get(doc, &path)["type"].as_str().unwrap().to_string();
            if old == ty {
                return None;
            }
            set_key(doc, &path, "type", Value::String(ty.clone()));
            Some(format!("retype: {}.type {old} -> {ty}", show(doc, &path)))
        }
        "switch" => {
            let path = rng.pick(&s.switches).clone();
            let k = last_key(&path).unwrap().to_string();
            let v = match k.as_str() {
                "convention" => Value::String(
                    rng.pick(&["argsz", "size", "user_data", "none"])
                        .to_string(),
                ),
                "errno" => Value::String(
                    rng.pick(&["EINVAL", "EOPNOTSUPP", "E2BIG", "ENOENT"])
                        .to_string(),
                ),
                "style" => Value::String(rng.pick(&["define", "enum"]).to_string()),
                _ => Value::Boolean(!get(doc, &path).as_bool().unwrap()),
            };
            let (last, parent) = path.split_last().unwrap();
            let Seg::Key(last) = last else { unreachable!() };
            let shown = shown_value(&v);
            set_key(doc, parent, last, v);
            Some(format!("switch: {} = {shown}", show(doc, &path)))
        }
        "plain" => {
            // Structs without validators: the bindings alone, for one struct or all.
            let all = rng.chance(40);
            let structs: Vec<usize> = (0..doc.len()).filter(|&i| doc[i].key == "struct").collect();
            if structs.is_empty() {
                return None;
            }
            let one = *rng.pick(&structs);
            for i in structs {
                if all || i == one {
                    if let Value::Table(t) = &mut doc[i].table {
                        for k in [
                            "convention",
                            "min_size",
                            "min_size_when",
                            "rules",
                            "data_type",
                        ] {
                            t.remove(k);
                        }
                    }
                }
            }
            Some(if all {
                "plain: every struct without convention and rules".to_string()
            } else {
                format!(
                    "plain: {} without convention and rules",
                    show(doc, &[Seg::Idx(one)])
                )
            })
        }
        "header" => {
            let family = doc.iter().position(|e| e.key == "family")?;
            let at = [Seg::Idx(family)];
            let (k, v) = match rng.below(3) {
                0 => (
                    "header",
                    Value::String(rng.pick(HOSTILE_HEADERS).to_string()),
                ),
                1 => ("guard", Value::String(rng.pick(HOSTILE_GUARDS).to_string())),
                _ => {
                    let mut includes = match doc[family].table.get("includes") {
                        Some(Value::Array(a)) => a.clone(),
                        _ => vec![],
                    };
                    includes.push(Value::String(rng.pick(HOSTILE_INCLUDES).to_string()));
                    ("includes", Value::Array(includes))
                }
            };
            let shown = shown_value(&v);
            set_key(doc, &at, k, v);
            Some(format!("header: family.{k} = {shown}"))
        }
        _ => unreachable!(),
    }
}

// ---------------------------------------------------------------------------------------------
// Seeds and mutants

struct Seed {
    name: String,
    doc: Doc,
}

fn seeds() -> Vec<Seed> {
    let root = repo_root();
    let mut out = Vec::new();
    for file in [
        "schema/iommu.toml",
        "schema/iommufd.toml",
        "examples/walkthrough/widget.v1.toml",
        "examples/walkthrough/widget.v2.toml",
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        out.push(Seed {
            name: file.to_string(),
            doc: parse_doc(&text),
        });
    }
    let reference = std::fs::read_to_string(root.join("docs/schema.md")).unwrap();
    let section = markdown_section(&reference, "## A complete example");
    let start = section.find("```toml\n").expect("the example") + "```toml\n".len();
    let len = section[start..].find("\n```").unwrap();
    out.push(Seed {
        name: "docs/schema.md (A complete example)".to_string(),
        doc: parse_doc(&section[start..start + len + 1]),
    });
    out
}

struct Mutant {
    number: usize,
    seed: usize,
    /// What each operator did; empty for a seed as it is.
    changes: Vec<String>,
    text: String,
}

fn mutants(seeds: &[Seed]) -> Vec<Mutant> {
    let seed_sites: Vec<Sites> = seeds.iter().map(|s| sites(&s.doc)).collect();
    let mut out: Vec<Mutant> = Vec::new();
    let mut seen = HashSet::new();
    for (i, s) in seeds.iter().enumerate() {
        let text = render(&s.doc);
        seen.insert(text.clone());
        out.push(Mutant {
            number: i,
            seed: i,
            changes: vec![],
            text,
        });
    }
    let mut n = seeds.len();
    while out.len() < seeds.len() + MUTANTS {
        let mut rng = Rng::for_mutant(n);
        let seed = rng.below(seeds.len());
        let mut doc = seeds[seed].doc.clone();
        let ops = match rng.below(10) {
            0 => 3,
            1 | 2 => 2,
            _ => 1,
        };
        let mut changes = Vec::new();
        for _ in 0..ops {
            // The seed's sites are found once; a second operator looks again.
            let fresh;
            let s = if changes.is_empty() {
                &seed_sites[seed]
            } else {
                fresh = sites(&doc);
                &fresh
            };
            if let Some(c) = mutate(&mut doc, s, &mut rng) {
                changes.push(c);
            }
        }
        let text = render(&doc);
        if !changes.is_empty() && seen.insert(text.clone()) {
            out.push(Mutant {
                number: n,
                seed,
                changes,
                text,
            });
        }
        n += 1;
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Running them

#[derive(Default)]
struct Outcome {
    /// `generate` exited 0 and wrote only below `--out`.
    accepted: bool,
    refused: bool,
    /// (what, the first lines of the evidence)
    failures: Vec<(String, String)>,
}

fn first_lines(s: &str, n: usize) -> String {
    let mut out: Vec<&str> = s.lines().take(n).collect();
    if s.lines().count() > n {
        out.push("...");
    }
    out.join("\n")
}

fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() && !p.is_symlink() {
            out.extend(files_below(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// `schema/x.toml:12:3: error: ...`
fn located(line: &str) -> bool {
    let Some((head, _)) = line.split_once(": error: ") else {
        return false;
    };
    let mut parts = head.rsplitn(3, ':');
    let col = parts.next().unwrap_or("");
    let line_no = parts.next().unwrap_or("");
    let file = parts.next().unwrap_or("");
    !file.is_empty()
        && !line_no.is_empty()
        && !col.is_empty()
        && line_no.bytes().all(|b| b.is_ascii_digit())
        && col.bytes().all(|b| b.is_ascii_digit())
}

const ARGUMENTS: &[&str] = &[
    "--schema",
    "--out",
    "--templates",
    "--crate-name",
    "--uaccess-path",
    "--profile",
];

fn run_one(m: &Mutant, dir: &Path, file: &str) -> Outcome {
    let mut o = Outcome::default();
    let schema = dir.join("schema");
    std::fs::create_dir_all(&schema).unwrap();
    std::fs::write(schema.join(file), &m.text).unwrap();
    let uaccess = repo_root().join("uaccess");
    let mut child = Command::new(env!("CARGO_BIN_EXE_uapigen"))
        .current_dir(dir)
        .env("RUST_BACKTRACE", "0")
        .args([
            "generate",
            "--schema",
            "schema",
            "--out",
            "out",
            "--crate-name",
        ])
        .arg(format!("mutant-{:03}", m.number))
        .arg("--uaccess-path")
        .arg(&uaccess)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the uapigen binary runs");
    // Read both pipes while waiting, so a chatty child cannot block on a full pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut s).ok();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut s).ok();
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if start.elapsed() > GENERATE_TIMEOUT {
            child.kill().ok();
            child.wait().ok();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = String::from_utf8_lossy(&out_reader.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned();
    let Some(status) = status else {
        o.failures.push((
            format!("hang: generate still running after {GENERATE_TIMEOUT:?}"),
            first_lines(&stderr, 10),
        ));
        return o;
    };
    let both = format!("{stdout}{stderr}");
    if both.contains("panicked") || status.code() == Some(101) {
        o.failures.push((
            format!("panic (exit {:?})", status.code()),
            first_lines(&stderr, 6),
        ));
        return o;
    }
    if both.contains("internal error") {
        o.failures
            .push(("internal error".into(), first_lines(&stderr, 8)));
    }
    let written = files_below(&dir.join("out"));
    match status.code() {
        Some(0) => {
            o.accepted = true;
            let stray: Vec<String> = files_below(dir)
                .into_iter()
                .filter(|p| !p.starts_with(dir.join("out")) && !p.starts_with(&schema))
                .map(|p| p.display().to_string())
                .collect();
            if !stray.is_empty() {
                o.failures.push((
                    "wrote outside --out".into(),
                    first_lines(&stray.join("\n"), 6),
                ));
            }
            if written.is_empty() {
                o.failures
                    .push(("exit 0 without output".into(), first_lines(&both, 6)));
            }
            compile_c(dir, &written, &mut o);
        }
        Some(2) => {
            o.refused = true;
            let first = stderr.lines().next().unwrap_or("");
            if !located(first) && !ARGUMENTS.iter().any(|a| stderr.contains(a)) {
                o.failures.push((
                    "refusal neither located (file:line:col: error:) nor naming an argument".into(),
                    first_lines(&stderr, 8),
                ));
            }
            if !written.is_empty() {
                o.failures.push((
                    "half-written output: exit 2 left files in --out".into(),
                    first_lines(
                        &written
                            .iter()
                            .map(|p| p.display().to_string())
                            .collect::<Vec<_>>()
                            .join("\n"),
                        6,
                    ),
                ));
            }
        }
        code => o.failures.push((
            format!("exit {code:?} (only 0 and 2 are allowed)"),
            first_lines(&both, 8),
        )),
    }
    o
}

/// Every emitted header in its own translation unit (as a user includes it alone), as C11 and
/// as C++17, each language in one compiler run.
fn compile_c(dir: &Path, written: &[PathBuf], o: &mut Outcome) {
    let headers: Vec<&PathBuf> = written
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "h"))
        .collect();
    if headers.is_empty() {
        o.failures.push(("no header emitted".into(), String::new()));
        return;
    }
    let tu = dir.join("tu");
    std::fs::create_dir_all(&tu).unwrap();
    let mut units = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        // Through a link, so a header whose name cannot be spelled in an #include still is
        // compiled (its own #includes are <...> and use the -I paths).
        let link = tu.join(format!("h{i}.h"));
        std::os::unix::fs::symlink(h, &link).unwrap();
        let unit = tu.join(format!("t{i}.c"));
        // A header of #defines only would be an empty translation unit.
        std::fs::write(
            &unit,
            format!("#include \"h{i}.h\"\ntypedef int uapigen_mutation_tu_{i};\n"),
        )
        .unwrap();
        units.push(unit);
    }
    let include = dir.join("out/include");
    for (compiler, flags) in [
        (
            "cc",
            &[
                "-std=c11",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-pedantic-errors",
            ][..],
        ),
        (
            "c++",
            &["-x", "c++", "-std=c++17", "-Wall", "-Wextra", "-Werror"][..],
        ),
    ] {
        let out = Command::new(compiler)
            .args(flags)
            .arg("-fsyntax-only")
            .arg("-I")
            .arg(include.join("uapi"))
            .arg("-I")
            .arg(&include)
            .args(&units)
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run `{compiler}` ({e}): install gcc/g++ (Debian: build-essential)")
            });
        if !out.status.success() {
            let mut text = String::from_utf8_lossy(&out.stderr).into_owned();
            for (i, h) in headers.iter().enumerate() {
                text = text.replace(
                    &format!("{}", tu.join(format!("h{i}.h")).display()),
                    &h.strip_prefix(dir).unwrap_or(h).display().to_string(),
                );
            }
            let text = text.replace(&format!("{}/", dir.display()), "");
            let what = if compiler == "cc" {
                "C11 does not compile (cc -std=c11 -Wall -Wextra -Werror -pedantic-errors)"
            } else {
                "C++17 does not compile (c++ -std=c++17 -Wall -Wextra -Werror)"
            };
            o.failures.push((what.into(), first_lines(&text, 14)));
        }
    }
}

/// `cargo check` of every accepted mutant's crate as members of one workspace; errors and
/// warnings by mutant number.
fn cargo_check(work: &Path, accepted: &[usize]) -> BTreeMap<usize, Vec<String>> {
    let mut found: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut members = Vec::new();
    for &n in accepted {
        let manifest = work.join(format!("m{n:03}/out/rust/Cargo.toml"));
        // A manifest cargo cannot read would stop the whole workspace: blame it here.
        let text = std::fs::read_to_string(&manifest).unwrap_or_default();
        match toml::from_str::<toml::Table>(&text) {
            Ok(t)
                if t.get("package")
                    .and_then(|p| p.get("name"))
                    .and_then(Value::as_str)
                    == Some(format!("mutant-{n:03}").as_str()) =>
            {
                members.push(format!("m{n:03}/out/rust"));
            }
            Ok(_) => found.entry(n).or_default().push(format!(
                "rust/Cargo.toml does not name the package --crate-name gave:\n{}",
                first_lines(&text, 8)
            )),
            Err(e) => found
                .entry(n)
                .or_default()
                .push(format!("rust/Cargo.toml is not TOML: {e}")),
        }
    }
    if members.is_empty() {
        return found;
    }
    let mut manifest = String::from("[workspace]\nresolver = \"2\"\nmembers = [\n");
    for m in &members {
        writeln!(manifest, "  \"{m}\",").unwrap();
    }
    manifest.push_str("]\n");
    std::fs::write(work.join("Cargo.toml"), manifest).unwrap();
    // The main workspace's lock: the same zerocopy, and --offline needs no registry.
    std::fs::copy(repo_root().join("Cargo.lock"), work.join("Cargo.lock")).unwrap();
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mutations-target");
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(work)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .args([
            "check",
            "--offline",
            "--workspace",
            "--keep-going",
            "--message-format=json",
            "--quiet",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in stdout.lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-message" {
            continue;
        }
        let manifest = msg["manifest_path"].as_str().unwrap_or("");
        let Some(n) = Path::new(manifest)
            .strip_prefix(work)
            .ok()
            .and_then(|p| p.components().next())
            .and_then(|c| {
                c.as_os_str()
                    .to_str()?
                    .strip_prefix('m')?
                    .parse::<usize>()
                    .ok()
            })
        else {
            continue;
        };
        let level = msg["message"]["level"].as_str().unwrap_or("");
        let text = msg["message"]["message"].as_str().unwrap_or("");
        // rustc's closing tallies repeat what was already said.
        if !matches!(level, "error" | "warning")
            || text.starts_with("aborting due to")
            || text.ends_with("warnings emitted")
            || text.ends_with("warning emitted")
        {
            continue;
        }
        let rendered = msg["message"]["rendered"].as_str().unwrap_or(text);
        found
            .entry(n)
            .or_default()
            .push(rendered.replace(&format!("{}/", work.display()), ""));
    }
    if !out.status.success() && found.is_empty() {
        panic!(
            "cargo check of the mutants' crates failed without a compiler message:\n{}",
            first_lines(&String::from_utf8_lossy(&out.stderr), 40)
        );
    }
    found
}

fn diff(seed: &str, mutant: &str) -> String {
    let d = similar::TextDiff::from_lines(seed, mutant);
    let text = d
        .unified_diff()
        .context_radius(1)
        .header("seed", "mutant")
        .to_string();
    first_lines(&text, 30)
}

#[test]
fn seeded_schema_mutations_are_refused_with_a_location_or_compile() {
    let started = Instant::now();
    let seeds = seeds();
    let mut mutants = mutants(&seeds);
    let only: Option<usize> = std::env::var("UAPIGEN_MUTANT")
        .ok()
        .map(|v| v.parse().expect("UAPIGEN_MUTANT is a mutant number"));
    if let Some(n) = only {
        mutants.retain(|m| m.number == n);
        assert!(!mutants.is_empty(), "no mutant {n}");
        let m = &mutants[0];
        println!(
            "mutant {n} of {}: {}\nkept in {}",
            seeds[m.seed].name,
            m.changes.join("; "),
            Path::new(env!("CARGO_TARGET_TMPDIR"))
                .join(format!("mutations/m{n:03}"))
                .display()
        );
    }
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mutations");
    if work.exists() {
        std::fs::remove_dir_all(&work).unwrap();
    }
    std::fs::create_dir_all(&work).unwrap();

    let file_of = |m: &Mutant| {
        let stem = Path::new(&seeds[m.seed].name)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .split('.')
            .next()
            .unwrap()
            .to_string();
        format!("{stem}.toml")
    };
    let outcomes: Vec<Mutex<Outcome>> = mutants.iter().map(|_| Mutex::default()).collect();
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(m) = mutants.get(i) else { break };
                let dir = work.join(format!("m{:03}", m.number));
                *outcomes[i].lock().unwrap() = run_one(m, &dir, &file_of(m));
            });
        }
    });
    let mut outcomes: Vec<Outcome> = outcomes
        .into_iter()
        .map(|o| o.into_inner().unwrap())
        .collect();
    let generated = started.elapsed();

    let accepted: Vec<usize> = mutants
        .iter()
        .zip(&outcomes)
        .filter(|(_, o)| o.accepted)
        .map(|(m, _)| m.number)
        .collect();
    // A crate identical to one already checked (a mutation that only reached the C) is
    // checked once: the same sources give the same messages.
    let mut same_as: BTreeMap<usize, usize> = BTreeMap::new();
    let mut first: BTreeMap<Vec<u8>, usize> = BTreeMap::new();
    for &n in &accepted {
        let mut sources = Vec::new();
        for f in files_below(&work.join(format!("m{n:03}/out/rust/src"))) {
            sources.extend(f.file_name().unwrap().as_encoded_bytes());
            sources.push(0);
            sources.extend(std::fs::read(&f).unwrap_or_default());
            sources.push(0);
        }
        same_as.insert(n, *first.entry(sources).or_insert(n));
    }
    let distinct: Vec<usize> = first.values().copied().collect();
    let rust = cargo_check(&work, &distinct);
    let rust = same_as
        .iter()
        .filter_map(|(&n, checked)| Some((n, rust.get(checked)?.clone())));
    for (n, messages) in rust {
        let i = mutants.iter().position(|m| m.number == n).unwrap();
        let errors = messages.iter().filter(|m| m.starts_with("error")).count();
        let text: Vec<String> = messages
            .iter()
            .take(3)
            .map(|m| first_lines(m, 12))
            .collect();
        outcomes[i].failures.push((
            format!(
                "Rust does not pass cargo check cleanly: {errors} errors, {} warnings \
                 (a warning fails as C's -Werror does)",
                messages.len() - errors
            ),
            text.join("\n"),
        ));
    }

    // The report: per operator, how many were accepted, refused, failed; then every failure.
    let mut tally: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    let mut report = String::new();
    let mut failed = 0;
    for (m, o) in mutants.iter().zip(&outcomes) {
        let op = m
            .changes
            .first()
            .map_or("none (the seed)", |c| c.split(':').next().unwrap())
            .to_string();
        let t = tally.entry(op).or_default();
        t[usize::from(o.refused)] += usize::from(o.accepted || o.refused);
        if o.failures.is_empty() {
            continue;
        }
        t[2] += 1;
        failed += 1;
        writeln!(
            report,
            "\n=== mutant {} of {} (UAPIGEN_MUTANT={}; kept in {})",
            m.number,
            seeds[m.seed].name,
            m.number,
            work.join(format!("m{:03}", m.number)).display()
        )
        .unwrap();
        for c in &m.changes {
            writeln!(report, "    {c}").unwrap();
        }
        for (what, evidence) in &o.failures {
            writeln!(report, "  FAIL {what}").unwrap();
            for l in evidence.lines() {
                writeln!(report, "    | {l}").unwrap();
            }
        }
        if !m.changes.is_empty() {
            for l in diff(&render(&seeds[m.seed].doc), &m.text).lines() {
                writeln!(report, "    {l}").unwrap();
            }
        }
    }
    let mut summary = format!(
        "{} mutants ({} seeds as they are) in {:.1?} (generate and C: {:.1?}); operator: accepted / refused / failed\n",
        mutants.len(),
        mutants.iter().filter(|m| m.changes.is_empty()).count(),
        started.elapsed(),
        generated
    );
    for (op, [a, r, f]) in &tally {
        writeln!(summary, "  {op:>14}: {a:>4} / {r:>4} / {f:>4}").unwrap();
    }
    println!("{summary}");

    for (m, o) in mutants.iter().zip(&outcomes) {
        if m.changes.is_empty() {
            assert!(
                o.accepted,
                "seed {} as this test writes it back must be accepted:{report}",
                seeds[m.seed].name
            );
        }
    }
    if only.is_none() {
        // Mutants that all die in the parser would test nothing past it.
        let accepted = outcomes.iter().filter(|o| o.accepted).count();
        let refused = outcomes.iter().filter(|o| o.refused).count();
        assert!(
            accepted * 4 >= mutants.len() && refused * 4 >= mutants.len(),
            "the mutants reach both outcomes: {accepted} accepted, {refused} refused\n{summary}"
        );
    }
    assert!(
        failed == 0,
        "{failed} of {} mutants failed:\n{report}\n{summary}",
        mutants.len()
    );
}
