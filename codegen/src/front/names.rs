//! What a schema may name things, and what text it may write: the one policy every name and
//! every piece of free text passes before it reaches C, C++ or Rust (docs/schema.md, "Names
//! and text"). `resolve` applies it to each name where the schema writes it (so a refusal is
//! located) and then to the family as a whole ([`collisions`]: two names that would become one
//! identifier of the generated code). The emitters rely on it: a name that passed is a valid,
//! non-colliding identifier in every language the output is compiled as.
//!
//! - C and C++ keywords are refused (the generated headers are compiled as C11, C23 and
//!   C++17, by users and by the tests).
//! - Rust keywords become raw identifiers (`r#type`), except `self`, `Self`, `super`, `crate`
//!   and `_`, which Rust has no raw form of: refused (a field takes a `rust_name`).
//! - Names the generated code itself uses (macros of the headers it includes, its parameters
//!   and locals, the `uapigen_` prefix) are refused where a schema name could shadow or
//!   replace them. The Rust prelude is not: the generated Rust names it by full path
//!   (`::core::result::Result`), so a struct `result` is just `Result`.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use crate::diag::{Diagnostic, Source};
use crate::ir::*;

/// Keywords of C11 and C23 (C23 makes `bool`, `true`, `false`, `alignas`, ... keywords; in
/// C11 they are macros of `<stdbool.h>`, `<stdalign.h>`, `<assert.h>`, `<stdnoreturn.h>`).
#[rustfmt::skip]
pub const C_KEYWORDS: &[&str] = &[
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
    "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
    "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
    "union", "unsigned", "void", "volatile", "while", "_Alignas", "_Alignof", "_Atomic",
    "_Bool", "_Complex", "_Generic", "_Imaginary", "_Noreturn", "_Static_assert",
    "_Thread_local", "alignas", "alignof", "bool", "constexpr", "false", "nullptr",
    "static_assert", "thread_local", "true", "typeof", "typeof_unqual", "_BitInt",
    "_Decimal32", "_Decimal64", "_Decimal128", "noreturn", "complex", "imaginary",
    "asm", "__asm__", "__attribute__", "__extension__", "__inline__", "__typeof__",
];

/// C++ (to C++23) keywords that are not C keywords, alternative tokens included: a member
/// named `class` or `new` breaks every C++ user of the header.
#[rustfmt::skip]
pub const CPP_KEYWORDS: &[&str] = &[
    "and", "and_eq", "bitand", "bitor", "catch", "char8_t", "char16_t", "char32_t", "class",
    "co_await", "co_return", "co_yield", "compl", "concept", "consteval", "constinit",
    "const_cast", "decltype", "delete", "dynamic_cast", "explicit", "export", "friend",
    "mutable", "namespace", "new", "noexcept", "not", "not_eq", "operator", "or", "or_eq",
    "private", "protected", "public", "reinterpret_cast", "requires", "static_cast",
    "template", "this", "throw", "try", "typeid", "typename", "using", "virtual", "wchar_t",
    "xor", "xor_eq",
];

/// Names the generated C uses that a schema name would replace (a `#define`) or collide with:
/// macros and types of the headers it includes (`<linux/types.h>`, `<stddef.h>`,
/// `<string.h>`, `<errno.h>`, the kernel's `<linux/uaccess.h>`) and its own.
#[rustfmt::skip]
pub const C_RESERVED: &[&str] = &[
    "NULL", "offsetof", "errno", "size_t", "memset", "memcpy", "copy_from_user",
    "check_zeroed_user", "copy_struct_from_user", "EFAULT", "EINVAL", "E2BIG", "EOPNOTSUPP",
    "UAPI_COPY_FROM_USER", "__user", "__KERNEL__", "__EXPORTED_HEADERS__", "_IO", "__u8",
    "__u16", "__u32", "__u64", "__s8", "__s16", "__s32", "__s64", "__aligned_u64",
];

/// The errnos the generated validators return, which <errno.h> (user space) or
/// <linux/errno.h> (the kernel) defines for them.
pub const VALIDATOR_ERRNOS: &[&str] = &["EFAULT", "EINVAL", "E2BIG", "EOPNOTSUPP"];

/// The parameters and locals of the generated validators, C and Rust. A constant with one of
/// these names would be shadowed by it (C: a rule reads the parameter, silently) or would
/// turn the binding into a pattern (Rust: does not compile).
#[rustfmt::skip]
pub const VALIDATOR_LOCALS: &[&str] = &[
    "dst", "src", "minsz", "end", "argsz", "usize", "ret", "data_type", "len", "size", "mask",
    "rev", "buf", "p", "n", "missing", "i", "from", "ksize", "b", "mem", "uptr", "v", "name",
    "user_data", "put", "copy_from_user_by_name",
];

/// Rust keywords of every edition (strict and reserved), `gen` (2024) included.
#[rustfmt::skip]
pub const RUST_KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
    "where", "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final",
    "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Keywords with no raw identifier (`r#self` is not Rust).
pub const RUST_UNRAWABLE: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Rust's primitive types: a module of that name (a revision's) would shadow the type in the
/// family module, whose code uses them.
#[rustfmt::skip]
pub const RUST_PRIMITIVES: &[&str] = &[
    "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32",
    "i64", "i128", "isize", "f16", "f32", "f64", "f128",
];

/// Family names whose Rust file is already taken: `rust/src/lib.rs` (the crate root),
/// `rust/src/main.rs` (cargo would build it as a binary), the Builder's `uapigen.rs`.
pub const FAMILY_RESERVED: &[&str] = &["lib", "main", "uapigen"];

/// What a name is: decides which languages it reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `[family] name`: Rust module and file, validator header file, C prefixes.
    Family,
    /// `[family] guard`: a C macro.
    Guard,
    /// A struct's C tag; its Rust type is the CamelCase of it.
    Struct,
    /// A field or union member's C name; also its Rust name unless `rust_name` says otherwise.
    Field,
    /// A field or union member's C name when it has a `rust_name`.
    FieldCOnly,
    /// `rust_name`.
    RustName,
    /// A `#define`, flag or enum constant: a C macro or enumerator and a Rust `const`.
    Constant,
    /// A C enum tag; its Rust open enum is the CamelCase of it.
    EnumTag,
    /// A revision id: a Rust module, part of C names.
    Revision,
    /// A function-like macro or one of its parameters: C only.
    Macro,
    /// A `[[typedef]]`: a C typedef and a Rust `type` alias of that name.
    Typedef,
}

impl Role {
    /// How a message names it.
    pub fn what(self) -> &'static str {
        match self {
            Role::Family => "family name",
            Role::Guard => "include guard",
            Role::Struct => "struct name",
            Role::Field | Role::FieldCOnly => "field name",
            Role::RustName => "rust_name",
            Role::Constant => "constant name",
            Role::EnumTag => "enum tag",
            Role::Revision => "revision id",
            Role::Macro => "macro name",
            Role::Typedef => "typedef name",
        }
    }

    fn reaches_c(self) -> bool {
        matches!(
            self,
            Role::Guard
                | Role::Macro
                | Role::Typedef
                | Role::Struct
                | Role::Field
                | Role::FieldCOnly
                | Role::Constant
                | Role::EnumTag
        )
    }

    /// Whether the name itself is a Rust identifier of the output.
    fn rust_ident(self) -> bool {
        matches!(
            self,
            Role::Family
                | Role::Field
                | Role::RustName
                | Role::Constant
                | Role::Revision
                | Role::Typedef
        )
    }

    /// Whether its CamelCase is a Rust type name of the output.
    fn rust_type(self) -> bool {
        matches!(self, Role::Struct | Role::EnumTag)
    }
}

/// `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_c_identifier(s: &str) -> bool {
    let b = s.as_bytes();
    // Bytes, not chars (a byte of a non-ASCII char is no identifier byte either), checked
    // without stopping early, which the compiler vectorises: every name is checked.
    matches!(b.first(), Some(c) if c.is_ascii_alphabetic() || *c == b'_')
        && b.iter().fold(true, |ok, &c| {
            ok & (c.is_ascii_alphanumeric() | (c == b'_'))
        })
}

/// `iommu_hwpt_alloc` → `IommuHwptAlloc`: the Rust type name of a C struct or enum tag.
pub fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for part in name.split('_') {
        let mut c = part.chars();
        if let Some(first) = c.next() {
            out.push(first.to_ascii_uppercase());
            out.push_str(c.as_str());
        }
    }
    out
}

/// How a name is written as a Rust identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RustIdent {
    /// As it is.
    Plain,
    /// `r#name`: a keyword.
    Raw,
    /// Not at all: not an identifier, or a keyword with no raw form.
    Invalid,
}

/// A word list asked about every name of every schema (several lists per name): sorted once
/// and binary-searched, instead of scanned (or hashed: SipHash costs more than the search),
/// and searched only for a name in the class of one of its words.
struct Words {
    list: &'static [&'static str],
    sorted: std::sync::OnceLock<(Vec<&'static str>, [u64; 256])>,
}

impl Words {
    const fn new(list: &'static [&'static str]) -> Words {
        Words {
            list,
            sorted: std::sync::OnceLock::new(),
        }
    }

    /// A name's first and last bytes and length, folded into 16,384 classes: the identifiers
    /// checked (every field and type name, for every emitter) are rarely in the class of any
    /// word, so most are answered without searching.
    fn class(name: &str) -> usize {
        let b = name.as_bytes();
        (usize::from(b[0] & 0x1f) << 9)
            | (usize::from(b[b.len() - 1] & 0x1f) << 4)
            | (b.len() & 0xf)
    }

    fn contains(&self, name: &str) -> bool {
        let (sorted, classes) = self.sorted.get_or_init(|| {
            let mut v = self.list.to_vec();
            v.sort_unstable();
            let mut classes = [0u64; 256];
            for w in &v {
                let c = Self::class(w);
                classes[c / 64] |= 1 << (c % 64);
            }
            (v, classes)
        });
        if name.is_empty() {
            return false;
        }
        let c = Self::class(name);
        classes[c / 64] & (1 << (c % 64)) != 0 && sorted.binary_search(&name).is_ok()
    }
}

static C_KEYWORD: Words = Words::new(C_KEYWORDS);
static CPP_KEYWORD: Words = Words::new(CPP_KEYWORDS);
static C_RESERVED_NAME: Words = Words::new(C_RESERVED);
static RUST_KEYWORD: Words = Words::new(RUST_KEYWORDS);
static RUST_UNRAWABLE_NAME: Words = Words::new(RUST_UNRAWABLE);

/// Whether and how `name` is a Rust identifier.
pub fn rust_ident(name: &str) -> RustIdent {
    if !is_c_identifier(name) || RUST_UNRAWABLE_NAME.contains(name) {
        RustIdent::Invalid
    } else if RUST_KEYWORD.contains(name) {
        RustIdent::Raw
    } else {
        RustIdent::Plain
    }
}

/// Why `name` cannot be a `role`, or None when it can.
pub fn refuse(name: &str, role: Role) -> Option<String> {
    refuse_in(name, role, false)
}

/// `refuse`, in a family whose header is C only (`c_only`), where a C++ keyword may be a name.
pub fn refuse_in(name: &str, role: Role, c_only: bool) -> Option<String> {
    let what = role.what();
    if !is_c_identifier(name) {
        return Some(format!("{what} `{name}` is not a C identifier"));
    }
    if role.reaches_c() {
        if C_KEYWORD.contains(name) {
            return Some(format!("{what} `{name}` is a C keyword"));
        }
        if CPP_KEYWORD.contains(name) && !c_only {
            return Some(format!(
                "{what} `{name}` is a C++ keyword: the generated headers are also compiled as C++ \
                 (a header that is C only, as the kernel's linux/keyctl.h is, says `c_only = true` \
                 in [family])"
            ));
        }
        // The errnos the validators return are <errno.h>'s: a family without validators
        // (asm-generic/errno-base.h itself) may define them (`collisions` says where not).
        if C_RESERVED_NAME.contains(name)
            && !(role == Role::Constant && VALIDATOR_ERRNOS.contains(&name))
        {
            return Some(format!(
                "{what} `{name}` is a name the generated C uses (a macro, type or function of the headers it includes)"
            ));
        }
    }
    if role != Role::Family
        && role != Role::Revision
        && role != Role::RustName
        && name
            .to_ascii_lowercase()
            .trim_start_matches('_')
            .starts_with("uapigen_")
    {
        return Some(format!(
            "{what} `{name}`: names starting with `uapigen_` are the generated validators'"
        ));
    }
    if role == Role::Constant && VALIDATOR_LOCALS.contains(&name) {
        return Some(format!(
            "{what} `{name}` is a parameter or variable of the generated validators, which would hide the constant or break the code"
        ));
    }
    if role.rust_ident() && RUST_UNRAWABLE_NAME.contains(name) {
        let hint = if role == Role::Field {
            "; give the field a `rust_name`"
        } else {
            ""
        };
        return Some(format!(
            "{what} `{name}` cannot be a Rust identifier, not even a raw one (r#{name}){hint}"
        ));
    }
    if role.rust_type() {
        let ty = camel(name);
        if ty.is_empty() {
            return Some(format!(
                "{what} `{name}` has no Rust type name: CamelCase drops its underscores and nothing is left"
            ));
        }
        if ty.starts_with(|c: char| c.is_ascii_digit()) {
            return Some(format!(
                "{what} `{name}` has no Rust type name: its CamelCase `{ty}` starts with a digit"
            ));
        }
        if rust_ident(&ty) != RustIdent::Plain {
            return Some(format!(
                "{what} `{name}`: its Rust type name `{ty}` is a Rust keyword"
            ));
        }
    }
    if role == Role::Revision && name.eq_ignore_ascii_case("nr_revisions") {
        return Some(format!(
            "{what} `{name}`: UAPIGEN_<FAMILY>_NR_REVISIONS is the generated revision count"
        ));
    }
    if role == Role::Typedef && RUST_PRIMITIVES.contains(&name) {
        return Some(format!(
            "{what} `{name}` would be a Rust type alias hiding the primitive type `{name}`, which \
             the bindings use"
        ));
    }
    if role == Role::Revision && RUST_PRIMITIVES.contains(&name) {
        return Some(format!(
            "{what} `{name}` names a Rust module that would hide the primitive type `{name}`"
        ));
    }
    if role == Role::Family && FAMILY_RESERVED.contains(&name) {
        return Some(format!(
            "{what} `{name}` would write rust/src/{name}.rs, a file the generated crate (or uapigen::Builder) already uses"
        ));
    }
    None
}

/// Why `text` cannot be written into a comment, doc or string of the output, or None. Control
/// characters (other than newline and tab) and Unicode bidirectional controls are refused:
/// compilers reject or warn on them (`-Wbidi-chars`, rustc's `text_direction_codepoint_in_comment`);
/// a line may not end in a backslash, which C joins with the next line. `one_line` also
/// refuses newlines.
pub fn refuse_text(text: &str, what: &str, one_line: bool) -> Option<String> {
    for c in text.chars() {
        if c == '\n' && one_line {
            return Some(format!("{what} must be one line"));
        }
        let bidi = matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if (c.is_control() && c != '\n' && c != '\t') || bidi {
            return Some(format!(
                "{what} contains the control character U+{:04X}",
                c as u32
            ));
        }
    }
    if text.lines().any(|l| l.trim_end().ends_with('\\')) {
        return Some(format!(
            "{what} has a line ending in a backslash, which C joins with the next line"
        ));
    }
    None
}

/// Why `path` cannot be a header path below `include/uapi/` or an `#include <...>`, or None:
/// relative, `/`-separated components of `[A-Za-z0-9_.-]`, none empty, `.` or `..`.
pub fn refuse_path(path: &str) -> Option<String> {
    if path.is_empty() {
        return Some("is empty".into());
    }
    if path.starts_with('/') {
        return Some("is absolute".into());
    }
    if let Some(c) = path
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/')))
    {
        return Some(format!(
            "contains {:?}: only letters, digits, `_`, `.`, `-` and `/` are allowed",
            c.to_string()
        ));
    }
    if path
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
    {
        return Some("has an empty, `.` or `..` component".into());
    }
    None
}

/// Why `license` is not an SPDX license expression, or None: license ids, `WITH`, `AND`, `OR`
/// and parentheses, made of `[A-Za-z0-9.+:-]`, on one line.
pub fn refuse_license(license: &str) -> Option<String> {
    if license.trim().is_empty() {
        return Some("is empty".into());
    }
    if let Some(c) = license.chars().find(|c| {
        !(c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | ':' | '-' | '(' | ')' | ' '))
    }) {
        return Some(format!(
            "contains {:?}: an SPDX expression is license ids, WITH, AND, OR and parentheses",
            c.to_string()
        ));
    }
    None
}

/// One identifier of the generated code, and the schema item it comes from.
struct Origin<'a> {
    what: What<'a>,
    span: &'a Span,
}

/// A schema item as a message names it: written out only when a message is, since every
/// name of every family is claimed and almost none collides.
#[derive(Clone, PartialEq)]
enum What<'a> {
    Struct(&'a str),
    Enum(&'a str),
    /// A member and its struct.
    Member(&'a str, &'a str),
    Guard,
    Constant(&'a str),
    Validator(&'a str),
    /// A struct and a flags field's path.
    ValidFlags(&'a str, String),
    Revision(&'a str),
    /// An inline union's or struct's keyword, name as shown and its owner's Rust name.
    Inline(&'static str, String, String),
}

impl std::fmt::Display for What<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            What::Struct(n) => write!(f, "struct `{n}`"),
            What::Enum(n) => write!(f, "enum `{n}`"),
            What::Member(n, owner) => write!(f, "member `{n}` of `{owner}`"),
            What::Guard => f.write_str("the include guard"),
            What::Constant(n) => write!(f, "constant `{n}`"),
            What::Validator(s) => write!(f, "the validator of struct `{s}`"),
            What::ValidFlags(s, path) => write!(f, "the valid-flags table of `{s}.{path}`"),
            What::Revision(id) => write!(f, "revision `{id}`"),
            What::Inline(kw, n, owner) => write!(f, "the {kw} `{n}` of `{owner}`"),
        }
    }
}

/// rustc's FxHash: the keys here are a schema's names, short and many (every struct, member
/// and constant), which SipHash took a third of the name checks to hash; resisting chosen
/// keys buys nothing when the keys are the schema's own.
#[derive(Default)]
pub(crate) struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            self.add(u64::from_le_bytes(w.try_into().unwrap()));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut last = [0; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
pub(crate) type FxSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

/// The names claimed in one namespace of the generated code.
type Space<'a> = FxMap<Cow<'a, str>, Origin<'a>>;

/// Records `name` in `space`; a second item with the same name gets a diagnostic at it, with
/// a note pointing at the first.
fn claim<'a>(
    space: &mut Space<'a>,
    source: &Source,
    diags: &mut Vec<Diagnostic>,
    name: impl Into<Cow<'a, str>>,
    what: What<'a>,
    span: &'a Span,
    language: &str,
) {
    match space.entry(name.into()) {
        Entry::Occupied(e) if e.get().span == span && e.get().what == what => {}
        Entry::Occupied(e) => {
            let (name, first) = (e.key(), e.get());
            // Reported at whichever the schema writes second.
            let (at, at_what, other, other_what) = if span.start >= first.span.start {
                (span, &what, first.span, &first.what)
            } else {
                (first.span, &first.what, span, &what)
            };
            let (line, col) = source.line_col(other.start);
            diags.push(
                Diagnostic::at(
                    source,
                    at.clone(),
                    format!(
                        "{at_what} is `{name}` in the generated {language}, as is {other_what} (line {line})"
                    ),
                )
                .note(format!(
                    "{}:{line}:{col}: {other_what} is defined here",
                    source.path
                )),
            );
        }
        Entry::Vacant(e) => {
            e.insert(Origin { what, span });
        }
    }
}

/// `parts` as one string, sized once: `format!` of text only, at a third of its cost.
pub(crate) fn cat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// Two schema names that become one identifier of the generated C or Rust: every pair, each at
/// its second definition. Run on a family that resolved without errors.
pub fn collisions<'a>(family: &'a Family) -> Vec<Diagnostic> {
    let src = &family.source;
    let guard_span = &family.guard_span;
    let mut diags = Vec::new();

    // C: tags (struct and enum share one namespace), members, and macros with the ordinary
    // identifiers (a `#define` replaces any of them, so a constant may share no name at all).
    let mut tags: Space<'a> = Space::default();
    for st in &family.structs {
        claim(
            &mut tags,
            src,
            &mut diags,
            st.name.as_str(),
            What::Struct(&st.name),
            &st.name_span,
            "C",
        );
    }
    for g in &family.groups {
        if let Style::Enum { tag: Some(t) } = &g.style {
            claim(
                &mut tags,
                src,
                &mut diags,
                t.as_str(),
                What::Enum(t),
                &g.span,
                "C",
            );
        }
    }
    let mut members: Space<'a> = Space::default();
    fn visit_members<'a>(fields: &'a [Field], owner: &'a str, out: &mut Space<'a>) {
        for f in fields {
            if let Some(n) = &f.name {
                out.entry(Cow::Borrowed(n.as_str())).or_insert(Origin {
                    what: What::Member(n, owner),
                    span: &f.span,
                });
            }
            if let FieldType::Inline(_, ms) = &f.ty {
                visit_members(ms, owner, out);
            }
        }
    }
    for st in &family.structs {
        visit_members(&st.fields, &st.name, &mut members);
    }
    let mut ordinary: Space<'a> = Space::default();
    claim(
        &mut ordinary,
        src,
        &mut diags,
        family.guard.as_str(),
        What::Guard,
        guard_span,
        "C",
    );
    // A family with validators includes <errno.h> with them: an errno they return is not
    // the family's to define.
    if family.structs.iter().any(|s| s.convention.is_some()) {
        for c in family
            .constants()
            .filter(|c| VALIDATOR_ERRNOS.contains(&c.name.as_str()))
        {
            diags.push(Diagnostic::at(
                src,
                c.span.clone(),
                format!(
                    "constant name `{}` is a name the generated C uses: the validators of this \
                     family's structs return it, as <errno.h> defines it",
                    c.name
                ),
            ));
        }
    }
    for c in family.constants() {
        let what = What::Constant(&c.name);
        for other in [&tags, &members] {
            if let Some(first) = other.get(c.name.as_str()) {
                let (line, col) = src.line_col(first.span.start);
                diags.push(
                    Diagnostic::at(
                        src,
                        c.span.clone(),
                        format!(
                            "{what} has the name of {} (line {line}): a #define would replace it",
                            first.what
                        ),
                    )
                    .note(format!(
                        "{}:{line}:{col}: {} is defined here",
                        src.path, first.what
                    )),
                );
            }
        }
        // A sentinel is defined once per revision range, with its own span each time.
        if ordinary
            .get(c.name.as_str())
            .is_some_and(|o| o.what == what)
        {
            continue;
        }
        claim(
            &mut ordinary,
            src,
            &mut diags,
            c.name.as_str(),
            what,
            &c.span,
            "C",
        );
    }
    if let Some(first) = tags
        .get(family.guard.as_str())
        .or(members.get(family.guard.as_str()))
    {
        let (line, _) = src.line_col(first.span.start);
        diags.push(Diagnostic::at(
            src,
            guard_span.clone(),
            format!(
                "the include guard `{}` has the name of {} (line {line}): the #define would replace it",
                family.guard, first.what
            ),
        ));
    }
    // The validator header's functions and macros, per validated struct and revision.
    for st in family.structs.iter().filter(|s| s.validation.is_some()) {
        let s = &st.name;
        let upper = s.to_uppercase();
        // Not `format!`: ten of these a struct.
        let mut names = vec![
            cat(&[s, "_check"]),
            cat(&[s, "_copy_from_user"]),
            cat(&["uapigen_", s, "_size"]),
            cat(&["UAPIGEN_", &upper, "_MIN_SIZE"]),
            cat(&["UAPIGEN_", &upper, "_SIZE"]),
        ];
        for r in family
            .revisions
            .iter()
            .filter(|r| r.has(st.since, RevSet::EMPTY))
        {
            names.push(cat(&[s, "__", &r.id, "_check"]));
            names.push(cat(&[s, "__", &r.id, "_copy_from_user"]));
        }
        for n in names {
            claim(
                &mut ordinary,
                src,
                &mut diags,
                n,
                What::Validator(s),
                &st.name_span,
                "C",
            );
        }
        let mut flag_paths = Vec::new();
        flag_fields(family, &st.fields, "", &mut flag_paths);
        for (path, span) in flag_paths {
            claim(
                &mut ordinary,
                src,
                &mut diags,
                format!("uapigen_{s}_{}_valid", path.replace('.', "_")),
                What::ValidFlags(s, path),
                span,
                "C",
            );
        }
    }
    for r in &family.revisions {
        claim(
            &mut ordinary,
            src,
            &mut diags,
            format!(
                "UAPIGEN_{}_{}",
                family.name.to_uppercase(),
                r.id.to_uppercase()
            ),
            What::Revision(&r.id),
            &r.span,
            "C",
        );
    }

    // Rust: the family module's type namespace (structs, unions, open enums, revision
    // modules) and value namespace (constants, open enums' constructors).
    let mut types: Space<'a> = Space::default();
    let mut values: Space<'a> = Space::default();
    for st in &family.structs {
        let ty = camel(&st.name);
        claim(
            &mut types,
            src,
            &mut diags,
            ty.clone(),
            What::Struct(&st.name),
            &st.name_span,
            "Rust",
        );
        rust_fields(
            &family.revisions,
            src,
            &mut diags,
            &mut types,
            &ty,
            &st.fields,
        );
    }
    for g in &family.groups {
        if let Style::Enum { tag: Some(t) } = &g.style {
            claim(
                &mut types,
                src,
                &mut diags,
                camel(t),
                What::Enum(t),
                &g.span,
                "Rust",
            );
            claim(
                &mut values,
                src,
                &mut diags,
                camel(t),
                What::Enum(t),
                &g.span,
                "Rust",
            );
        }
    }
    for r in &family.revisions {
        claim(
            &mut types,
            src,
            &mut diags,
            r.id.as_str(),
            What::Revision(&r.id),
            &r.span,
            "Rust",
        );
    }
    for c in family.constants() {
        let what = What::Constant(&c.name);
        if values.get(c.name.as_str()).is_some_and(|o| o.what == what) {
            continue;
        }
        claim(
            &mut values,
            src,
            &mut diags,
            c.name.as_str(),
            what,
            &c.span,
            "Rust",
        );
    }
    diags
}
/// The names family `f` declares that no other family of a tree may (`across_families`): its
/// include guard, its own structs and enum tags, and its own constants (not the `extern`
/// copies of another header's), each with where it is and what it is.
pub fn claimed(f: &Family) -> Vec<(String, &Span, String)> {
    let guard_span = &f.guard_span;
    let mut names: Vec<(String, &Span, String)> = vec![(
        f.guard.clone(),
        guard_span,
        format!("the include guard `{}`", f.guard),
    )];
    // An extern item is another header's: its copy names nothing new (crate::extern_copies
    // holds it to that header's family when the tree has both).
    for st in f.structs.iter().filter(|st| st.extern_header.is_none()) {
        names.push((
            st.name.clone(),
            &st.name_span,
            format!("struct `{}`", st.name),
        ));
    }
    for g in f.groups.iter().filter(|g| g.extern_header.is_none()) {
        if let Style::Enum { tag: Some(t) } = &g.style {
            names.push((t.clone(), &g.span, format!("enum `{t}`")));
        }
    }
    let mut constants: Vec<&Constant> = Vec::new();
    let mut once = HashSet::with_hasher(BuildHasherDefault::<FxHasher>::default());
    let externs: HashSet<&str, BuildHasherDefault<FxHasher>> = f
        .defines
        .iter()
        .filter(|d| d.extern_header.is_some())
        .map(|d| d.constant.name.as_str())
        .chain(
            f.groups
                .iter()
                .filter(|g| g.extern_header.is_some())
                .flat_map(|g| g.values.iter().map(|c| c.name.as_str())),
        )
        .collect();
    for c in f.constants() {
        if !externs.contains(c.name.as_str()) && once.insert(c.name.as_str()) {
            constants.push(c);
        }
    }
    for c in constants {
        names.push((c.name.clone(), &c.span, format!("constant `{}`", c.name)));
    }
    names
}

/// Names two families would both define in C, where a program may include both headers (and
/// the kernel does): structs and enum tags, constants, guards, and the validators' functions
/// of a struct. Each is reported in the later family, with a note at the earlier.
pub fn across_families(families: &[&Family]) -> Vec<Diagnostic> {
    let mut seen: FxMap<String, (&Family, &Span, String)> = FxMap::default();
    let mut diags = Vec::new();
    for f in families {
        let names = claimed(f);
        for (name, span, what) in names {
            match seen.get(&name) {
                Some((first, first_span, first_what)) if first.name != f.name => {
                    let (line, col) = first.source.line_col(first_span.start);
                    diags.push(
                        Diagnostic::at(
                            &f.source,
                            span.clone(),
                            format!(
                                "{what} of family `{}` has the name of {first_what} of family `{}` ({}): a program that includes both headers does not compile",
                                f.name, first.name, first.schema_file
                            ),
                        )
                        .note(format!("{}:{line}:{col}: {first_what}", first.source.path)),
                    );
                }
                Some(_) => {}
                None => {
                    seen.insert(name, (f, span, what));
                }
            }
        }
    }
    diags
}

/// Paths of a struct's fields with a flags set, as the validator's tables name them.
fn flag_fields<'a>(
    family: &'a Family,
    fields: &'a [Field],
    prefix: &str,
    out: &mut Vec<(String, &'a Span)>,
) {
    for f in fields {
        let path = match (&f.name, prefix.is_empty()) {
            (Some(x), true) => x.clone(),
            (Some(x), false) => format!("{prefix}.{x}"),
            (None, _) => prefix.to_string(),
        };
        if f.flags.is_some() && !out.iter().any(|(p, _)| *p == path) {
            out.push((path.clone(), &f.span));
        }
        match &f.ty {
            FieldType::Inline(_, ms) => flag_fields(family, ms, &path, out),
            FieldType::Struct(j) if !f.is_array() => {
                flag_fields(family, &family.struct_(*j).fields, &path, out)
            }
            _ => {}
        }
    }
}

/// Rust names inside one struct or union: its fields' Rust names are unique, and each union
/// gets a type named after its owner and field.
fn rust_fields<'a>(
    revisions: &[Revision],
    src: &Source,
    diags: &mut Vec<Diagnostic>,
    types: &mut Space<'a>,
    owner: &str,
    fields: &'a [Field],
) {
    // A name may come back once the earlier field's revisions end (a re-purposed reserved
    // field), as `resolve` allows for the C names.
    let mut names: Vec<&Field> = Vec::new();
    for f in fields {
        // Members on no common target (a `when` and its `unless`) are under exclusive `cfg`s.
        let targets_meet = |g: &Field| match (&g.when, &f.when) {
            (Some(a), Some(b)) => a.on.iter().zip(&b.on).any(|(x, y)| *x && *y),
            _ => true,
        };
        let overlaps = |g: &&&Field| {
            g.rust_name == f.rust_name
                && targets_meet(g)
                && revisions
                    .iter()
                    .any(|r| r.has(g.since, g.until) && r.has(f.since, f.until))
        };
        if let Some(first) = names.iter().find(overlaps) {
            let (line, col) = src.line_col(first.span.start);
            diags.push(
                Diagnostic::at(
                    src,
                    f.span.clone(),
                    format!(
                        "field `{}` of `{owner}` is `{}` in the generated Rust, as is field `{}` (line {line})",
                        f.display_name(),
                        f.rust_name,
                        first.display_name()
                    ),
                )
                .note(format!("{}:{line}:{col}: the first is defined here", src.path)),
            );
        }
        names.push(f);
        if let FieldType::Inline(kind, ms) = &f.ty {
            let uname = format!("{owner}{}", camel(&f.rust_name));
            claim(
                types,
                src,
                diags,
                uname.clone(),
                What::Inline(
                    kind.c_keyword(),
                    f.display_name().to_string(),
                    owner.to_string(),
                ),
                &f.span,
                "Rust",
            );
            rust_fields(revisions, src, diags, types, &uname, ms);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_by_language() {
        assert!(refuse("int", Role::Field).unwrap().contains("C keyword"));
        assert!(refuse("class", Role::Field)
            .unwrap()
            .contains("C++ keyword"));
        assert_eq!(refuse("type", Role::Field), None);
        assert_eq!(rust_ident("type"), RustIdent::Raw);
        assert_eq!(rust_ident("gen"), RustIdent::Raw);
        assert_eq!(rust_ident("self"), RustIdent::Invalid);
        assert!(refuse("self", Role::Field).unwrap().contains("rust_name"));
        assert_eq!(refuse("self", Role::FieldCOnly), None);
        assert!(refuse("_", Role::Struct)
            .unwrap()
            .contains("nothing is left"));
        assert!(refuse("_1", Role::Struct)
            .unwrap()
            .contains("starts with a digit"));
        assert!(refuse("self_", Role::Struct).unwrap().contains("keyword"));
        assert_eq!(refuse("result", Role::Struct), None);
    }

    #[test]
    fn paths_and_licenses() {
        assert_eq!(refuse_path("linux/iommu.h"), None);
        assert!(refuse_path("linux/a\nb.h").is_some());
        assert!(refuse_path("linux//a.h").is_some());
        assert!(refuse_path("./a.h").is_some());
        assert_eq!(refuse_license("GPL-2.0 WITH Linux-syscall-note"), None);
        assert_eq!(
            refuse_license("(MIT OR Apache-2.0) AND LicenseRef-x:y"),
            None
        );
        assert!(refuse_license("MIT */ int x; /*").is_some());
    }
}
