//! `uapigen import HEADER.h`: libclang reads an existing uAPI header and writes a schema
//! skeleton — structs (nested, named and anonymous unions, arrays), enums, `#define` integer
//! constants (a define inside a struct is placed `inside` it, above the field that follows),
//! doc comments — for a human to finish (size conventions, flag links, rules, revisions).
//!
//! A skeleton that is silently wrong is worse than none: what the schema cannot write as the
//! header has it is refused at its `header:line:col`, and what is written is proved (it loads,
//! libclang's layout of the header on every target and C's value of every constant match it)
//! before it is returned.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use super::clang::{
    self, untagged, Cursor, CursorKind, Detail, File, TranslationUnit, Type, TypeKind,
};
use crate::clang_proof::{c_args, compare, evaluate_on, measure, KernelTypes};
use crate::diag::{Diagnostic, Error, Source};
use crate::ir::{Aggregate, EnumDecl, Scalar};
use crate::layout::{DEFAULT_TARGET, TARGETS};
use crate::model::TargetId;

#[derive(Debug, Clone)]
struct Field {
    /// The flag set the bit defines above it make (filled in by `render`).
    flags: Option<String>,
    /// The `#if` conditions on <linux/libc-compat.h>'s macros around it inside its struct
    /// (filled in by `render`).
    libc_compat: Option<String>,
    /// Under an architecture's `#if` (`when`), or in its `#else` (`unless`: true).
    when: Option<(String, bool)>,
    /// A pointer to a struct no header defines (`struct xt_match *`).
    incomplete: bool,
    name: Option<String>,
    ty: Option<String>,
    /// A fixed array's length; `Some(0)` is an old header's `x[0]`, written `len = 0`.
    len: Option<u64>,
    /// A flexible array member, `x[]`.
    flexible: bool,
    /// A multi-dimensional array's further dimensions (`x[4][8]`: `len` 4, `dims` `[8]`).
    dims: Vec<u64>,
    /// An inline union or untagged struct: its members.
    inline: Option<(Aggregate, Vec<Field>)>,
    /// The member's own `__attribute__((aligned(n)))`.
    aligned: Option<String>,
    doc: Option<String>,
    offset: u32,
    /// The member path, for messages (`req.u.ring`).
    path: String,
    /// The struct this member's type names (`struct NAME`), which must be defined above.
    struct_ref: Option<String>,
    /// A bitfield's width.
    bits: Option<u32>,
    /// A member the header declares per byte order (`byte_order`).
    byte_order: bool,
    /// Its run's label, where two runs that are not bitfields stand side by side (md_p.h's
    /// `events_lo`/`events_hi` and `cp_events_lo`/`cp_events_hi`): its first member's name.
    byte_order_label: Option<String>,
    /// A bitfield of a run the big-endian branch declares in reverse as a whole
    /// (`byte_order = "word"`, drbd.h's `drbd_state`).
    byte_order_word: bool,
    /// A flexible array member declared with `__DECLARE_FLEX_ARRAY()`.
    declared: bool,
    /// An inline union or struct's `__attribute__((packed))`.
    packed: bool,
    /// `const` on its type.
    konst: bool,
    /// `volatile` on its type.
    volatile: bool,
    /// The typedef this member's type names (`canid_t`), which must be defined above.
    typedef_ref: Option<String>,
    /// An inline union or struct's tag (`struct fork_proc_event { ... } fork;`).
    tag: Option<String>,
    /// A struct ending in a flexible array member, embedded (`embeds_flexible`).
    embeds_flexible: bool,
    /// An enum without a tag declared as this member's type (`enum { ... } func;`): the
    /// `[[enum]]` (`member = true`) written above the struct, as (name, doc, values).
    member_enum: Option<(String, Option<String>, Vec<(String, i64, u32)>)>,
    /// A fixed array's length as the header writes it, when not a number (`IFNAMSIZ`, `200 -
    /// sizeof(unsigned long)`); kept by `render` when the schema can write it (`len_texts`).
    len_text: Option<String>,
    /// Declared by a call of a function-like macro (`RDMA_UAPI_PTR(void *, val_ptr);`): the
    /// macro and its arguments as written (`declared_by`).
    declared_by: Option<(String, Vec<String>)>,
}

/// Something import cannot write faithfully: where in the header, and why.
#[derive(Debug, Clone)]
struct Problem {
    offset: u32,
    len: usize,
    message: String,
}

#[derive(Debug, Clone)]
enum Item {
    Struct {
        name: String,
        /// A union at file scope (`[[union]]`).
        union: bool,
        /// No tag, named by a typedef (`typedef struct { ... } NAME;`).
        typedef: bool,
        /// Another header's struct this header's structs hold (`extern`): that header.
        extern_header: Option<String>,
        doc: Option<String>,
        /// `__attribute__((packed))`.
        packed: bool,
        /// `} EPOLL_PACKED;`: a macro packing it under an architecture's `#if` (the macro,
        /// the condition where it packs).
        packed_by: Option<(String, String)>,
        /// `__attribute__((aligned(n)))`.
        aligned: Option<String>,
        /// The `#pragma pack(n)` it is under (`directives`).
        pack: Option<u64>,
        /// `__attribute__((deprecated))` and `__attribute__((__may_alias__))`.
        deprecated: bool,
        may_alias: bool,
        fields: Vec<Field>,
        start: u32,
        end: u32,
        problems: Vec<Problem>,
        /// Declared in one branch of an architecture's `#if` at file scope (x86's asm/stat.h's
        /// `struct stat64`): the condition, and whether it is the `#else`'s (`unless`).
        when: Option<(String, bool)>,
    },
    Enum {
        name: Option<String>,
        doc: Option<String>,
        /// (name, value, where in the header).
        values: Vec<(String, i64, u32)>,
        /// Its values written other than by number (`Enumerators::forms`).
        forms: Vec<(String, String)>,
        /// Its values the header defines as themselves (`#define X X` for `#ifdef`).
        self_defined: Vec<String>,
        /// Declared alone, as a typedef's type (`typedef enum { ... } NAME;`) or as a member's.
        decl: EnumDecl,
        /// Another header's enum this header's members name (`extern`): that header.
        extern_header: Option<String>,
        /// `} __attribute__((packed));` (linux/usb/ch11.h's `hub_led_mode`).
        packed: bool,
    },
    Define {
        name: String,
        value: String,
        offset: u32,
        /// Another header's constant this header's use (`extern`): the header, as included.
        extern_header: Option<String>,
    },
    /// A function-like macro whose body is an integer expression over its parameters, or
    /// one ioctl call passing its type parameter on (drm.h's `DRM_IOWR`).
    Macro {
        name: String,
        params: Vec<String>,
        body: String,
        doc: Option<String>,
        /// Another header's macro this header's defines call (`extern`): that header.
        extern_header: Option<String>,
        /// `#ifndef NAME` ... `#endif` around another header's (`guarded_defines`); this
        /// header's own is read in `render`.
        ifndef: bool,
    },
    /// `typedef T NAME;` of a type a member may have (`[[typedef]]`).
    Typedef {
        name: String,
        ty: String,
        /// `typedef int __bitwise NAME;`.
        bitwise: bool,
        /// `typedef struct vring_desc __attribute__((aligned(16))) vring_desc_t;`: the
        /// schema's text for n.
        aligned: Option<String>,
        /// Another header's typedef this header's members name (`extern`): that header.
        extern_header: Option<String>,
    },
    /// A define in a form the importer does not read: listed for the author.
    Skipped { name: String },
    /// A declaration or directive the schema has no form for, which changes nothing import
    /// writes (a function, a variable, a typedef, a `_Static_assert`, a `#pragma`, a branch
    /// the preprocessor skipped ...): listed for the author as `what` and `why`.
    NotImported { what: String, why: String },
}

struct State {
    items: Vec<(u32, Item)>,
    /// Refusals of enums and defines: kept whatever `--struct` selects, as their items are.
    problems: Vec<Problem>,
    /// The header's text.
    source: String,
    /// The `#include <...>` directives the preprocessor took, in order.
    includes: Vec<String>,
    /// Where each of `includes` the header wrote is, by header.
    include_at: HashMap<String, u32>,
    /// The object-like macros of the other headers the translation unit read (not uapigen's
    /// own stubs), by name: their schema form and their header as a program includes it.
    others: HashMap<String, (String, String)>,
    /// The structs those headers define, by tag: as items of their own header, and that
    /// header as a program includes it.
    other_structs: HashMap<String, (Item, String)>,
    /// The text of each header of `other_structs`, by header as a program includes it.
    other_sources: HashMap<String, String>,
    /// The tagged enums those headers define, likewise (i915_drm.h's members name drm.h's
    /// `enum drm_vblank_seq_type`).
    other_enums: HashMap<String, (Item, String)>,
    /// The typedefs of the headers it includes that the schema can write: (what each names,
    /// the header), for an `extern` copy when this header's members name one.
    other_typedefs: HashMap<String, OtherTypedef>,
    /// This header's structs and unions without a tag that no typedef has named yet.
    untagged: Vec<(u32, Item)>,
    /// Their function-like macros a `[[macro]]` can hold, by name, likewise.
    other_macros: HashMap<String, (Item, String)>,
    /// The header's function-like macros a `[[macro]]` cannot hold, by name: why, for the
    /// defines that call them.
    unreadable_macros: HashMap<String, String>,
}

/// The comment text without its `/* */` or `/** */` markers and leading ` * `.
fn clean_comment(raw: &str) -> Option<String> {
    let body = raw
        .trim()
        .trim_start_matches("/**")
        .trim_start_matches("/*")
        .trim_end_matches("*/");
    let lines: Vec<String> = body
        .lines()
        .map(|l| {
            let t = l.trim_start();
            t.strip_prefix("* ")
                .or_else(|| t.strip_prefix('*'))
                .unwrap_or(t)
                .trim_end()
                .to_string()
        })
        .collect();
    let joined = lines.join("\n").trim().to_string();
    (!joined.is_empty()).then_some(joined)
}

fn doc_of(c: Cursor<'_>) -> Option<String> {
    clean_comment(&c.raw_comment())
}

/// The attributes written on a declaration, as libclang names their kind (`attribute(packed)`).
fn attributes_of(c: Cursor<'_>) -> Vec<String> {
    let mut found = Vec::new();
    c.visit_children(|a| {
        if a.is_attribute() {
            found.push(a.kind_spelling());
        }
    });
    found
}

/// The schema's text for the n of typedef `c`'s one `aligned(n)` (a number or a constant's
/// name), if it has one import reads.
fn typedef_aligned(c: Cursor<'_>) -> Option<String> {
    let mut found = Vec::new();
    c.visit_children(|a| {
        if a.is_attribute() && a.kind_spelling() == "attribute(aligned)" {
            found.push(aligned_value(a));
        }
    });
    match found.as_slice() {
        [Ok(n)] => Some(n.clone()),
        _ => None,
    }
}

/// Whether typedef `c` is written with sparse's `__bitwise` (`typedef int __bitwise
/// __kernel_rwf_t;`), which uapigen's <linux/types.h> defines empty, as the kernel's does for
/// a compiler.
fn is_bitwise(c: Cursor<'_>) -> bool {
    c.tokens()
        .iter()
        .any(|t| t == "__bitwise" || t == "__bitwise__")
}

/// The struct or union without a tag that typedef `c` names (`typedef struct { ... } NAME;`),
/// where it is defined.
fn untagged_record(c: Cursor<'_>) -> Option<Cursor<'_>> {
    let record = c.typedef_underlying().canonical();
    let decl = record.declaration();
    (record.kind() == TypeKind::Record && untagged(&decl.spelling()) && decl.is_definition())
        .then_some(decl)
}

/// The enum without a tag that typedef `c` names (`typedef enum { ... } NAME;`), where it is
/// defined.
fn untagged_enum(c: Cursor<'_>) -> Option<Cursor<'_>> {
    let e = c.typedef_underlying().canonical();
    let decl = e.declaration();
    (e.kind() == TypeKind::Enum && untagged(&decl.spelling()) && decl.is_definition())
        .then_some(decl)
}

/// What a typedef names, as the schema's `[[typedef]]` writes it (`__u32`, `unsigned short`,
/// `struct NAME`), or None when the schema cannot (an array, a pointer, an untagged struct,
/// another typedef, a qualifier or an attribute).
fn typedef_target(decl: Cursor<'_>) -> Option<String> {
    let u = decl.typedef_underlying();
    let text = u.spelling().trim().to_string();
    // An `aligned(n)` of a struct's or a scalar's typedef is the schema's `aligned`
    // (`typedef_aligned`; rdma/ib_user_mad.h's `packed_ulong` lowers `unsigned long`'s).
    let aligned_only = attributes_of(decl)
        .iter()
        .all(|a| a == "attribute(aligned)")
        && typedef_aligned(decl).is_some()
        && (text.starts_with("struct ")
            || text.starts_with("union ")
            || Scalar::from_c_name(&text).is_some());
    if u.is_qualified() || !(attributes_of(decl).is_empty() || aligned_only) {
        return None;
    }
    if Scalar::from_c_name(&text).is_some() {
        return Some(text);
    }
    // `typedef __u8 dvd_challenge[10];`: `__u8[10]`, which the skeleton writes as `type` and
    // `len`.
    if u.kind() == TypeKind::ConstantArray {
        let element = u.element();
        let e = element.spelling().trim().to_string();
        let n = u.array_len()?;
        return (element.kind() != TypeKind::ConstantArray
            && !element.is_qualified()
            && Scalar::from_c_name(&e).is_some()
            && (1..=65536).contains(&n))
        .then(|| format!("{e}[{n}]"));
    }
    // `typedef void __signalfn_t(int);` (asm-generic/signal-defs.h): the function's type,
    // `R (P, Q)`.
    if u.kind() == TypeKind::FunctionProto {
        return fn_pointer_type(u)
            .ok()
            .map(|t| t.replacen(" (*)(", " (", 1));
    }
    // `typedef __signalfn_t *__sighandler_t;`, `typedef void (*cb_t)(int);`, `typedef struct
    // bm *bm_p;`: the pointer as a member writes it.
    if u.kind() == TypeKind::Pointer {
        return pointer_type(u).ok();
    }
    // `typedef enum TAG NAME;` of a tagged enum defined (linux/dvb/frontend.h's).
    if let Some(tag) = text.strip_prefix("enum ") {
        let e = u.canonical();
        return (e.kind() == TypeKind::Enum
            && is_identifier(tag)
            && e.declaration().is_definition())
        .then_some(text);
    }
    let tag = text
        .strip_prefix("struct ")
        .or_else(|| text.strip_prefix("union "))?;
    // libclang names an untagged struct by its typedef: `typedef struct { ... } guid_t;`;
    // one only declared (`typedef struct pt_regs bpf_user_pt_regs_t;`) has no size.
    let record = u.canonical();
    (record.kind() == TypeKind::Record
        && is_identifier(tag)
        && !untagged(&record.declaration().spelling())
        && record.size().is_some())
    .then_some(text)
}

/// The n of an `aligned(n)` attribute as the schema writes it, from its tokens: a number
/// (decimal or hex, with C's suffixes), or a constant's name in quotes (linux/virtio_ring.h's
/// `aligned(VRING_USED_ALIGN_SIZE)`, which `generate` holds to a constant above); or why
/// import cannot read it (`aligned(sizeof(__u64))`).
fn aligned_value(a: Cursor<'_>) -> Result<String, String> {
    let tokens = a.tokens();
    let text = tokens.join("");
    let number = match tokens.as_slice() {
        [_, open, n, close] if open == "(" && close == ")" => {
            if is_identifier(n) {
                return Ok(toml_str(n));
            }
            let n = n.trim_end_matches(['u', 'U', 'l', 'L']);
            match n.strip_prefix("0x").or_else(|| n.strip_prefix("0X")) {
                Some(hex) => u64::from_str_radix(hex, 16).ok(),
                None => n.parse().ok(),
            }
        }
        _ => None,
    };
    match number {
        Some(n) if n.is_power_of_two() && n <= 4096 => Ok(n.to_string()),
        _ => Err(format!(
            "`{}`: the schema's `aligned` is a power of two up to 4096, written as a number \
             or a constant's name",
            if text.is_empty() { "aligned" } else { &text }
        )),
    }
}

/// Every member of `fields` and, through inline unions and structs, of theirs.
fn all_fields(fields: &[Field]) -> impl Iterator<Item = &Field> {
    let mut stack: Vec<&Field> = fields.iter().collect();
    std::iter::from_fn(move || {
        let f = stack.pop()?;
        if let Some((_, ms)) = &f.inline {
            stack.extend(ms.iter());
        }
        Some(f)
    })
}

/// What the schema writes for a C integer type that is not one of the kernel's, if any.
fn fixed_width(kind: TypeKind) -> Option<&'static str> {
    Some(match kind {
        TypeKind::UChar => "__u8",
        TypeKind::SChar => "__s8",
        TypeKind::UShort => "__u16",
        TypeKind::Short => "__s16",
        TypeKind::UInt => "__u32",
        TypeKind::Int => "__s32",
        TypeKind::ULongLong => "__u64",
        TypeKind::LongLong => "__s64",
        _ => return None,
    })
}

/// The schema's spelling of one of C's own integer types (plain `char` included: its
/// signedness differs, which rules account for; `long`, whose size does) or floating types,
/// if it is one.
fn c_builtin(kind: TypeKind) -> Option<&'static str> {
    let s = match kind {
        TypeKind::CharS | TypeKind::CharU => Scalar::Char,
        TypeKind::SChar => Scalar::SChar,
        TypeKind::UChar => Scalar::UChar,
        TypeKind::Short => Scalar::Short,
        TypeKind::UShort => Scalar::UShort,
        TypeKind::Int => Scalar::Int,
        TypeKind::UInt => Scalar::UInt,
        TypeKind::LongLong => Scalar::LongLong,
        TypeKind::ULongLong => Scalar::ULongLong,
        TypeKind::Long => Scalar::Long,
        TypeKind::ULong => Scalar::ULong,
        TypeKind::Float => Scalar::Float,
        TypeKind::Double => Scalar::Double,
        _ => return None,
    };
    Some(s.c_name())
}

/// The schema's `T *` for a pointer member (`const T *`, T `void`, an integer type the schema
/// has, `struct NAME` or `union NAME`), or why it has none. An installed header has lost `__user`
/// (headers_install deletes it), so the skeleton has none.
fn pointer_type(ty: Type) -> Result<String, String> {
    let to = ty.pointee();
    // `T **` (linux/sem.h's `struct sem_queue **`): the inner, unqualified `T *` as a pointer
    // member's, and a `*` more.
    if to.kind() == TypeKind::Pointer
        && !to.is_qualified()
        && !matches!(
            to.pointee().kind(),
            TypeKind::Pointer | TypeKind::FunctionProto
        )
    {
        return one_pointer_type(to).map(|p| format!("{p}*"));
    }
    one_pointer_type(ty)
}

/// `pointer_type` of one level of `*`.
fn one_pointer_type(ty: Type) -> Result<String, String> {
    let to = ty.pointee();
    if to.kind() == TypeKind::FunctionProto {
        return fn_pointer_type(to);
    }
    let konst = if to.is_const() { "const " } else { "" };
    if to.is_qualified() && konst.is_empty() {
        return Err("a pointer to a volatile type".to_string());
    }
    let canon = to.canonical();
    let spelled = to.spelling();
    let bare = spelled.strip_prefix("const ").unwrap_or(&spelled).trim();
    let base = if canon.kind() == TypeKind::Void {
        "void".to_string()
    } else if to.kind() == TypeKind::Typedef && Scalar::from_c_name(bare).is_some() {
        bare.to_string()
    } else if let (false, Some(c)) = (to.kind() == TypeKind::Typedef, c_builtin(canon.kind())) {
        c.to_string()
    } else if canon.kind() == TypeKind::Record
        && (bare.starts_with("struct ") || bare.starts_with("union "))
    {
        bare.to_string()
    } else if to.kind() == TypeKind::Typedef
        && canon.kind() == TypeKind::Record
        && untagged_record(to.declaration()).is_some()
    {
        // `typedef struct { ... } NAME;`: the schema's `typedef = true` struct NAME.
        bare.to_string()
    } else if to.kind() == TypeKind::Typedef
        && typedef_target(to.declaration())
            .is_some_and(|t| !t.ends_with(']') && !t.ends_with('*') && !t.contains("(*)"))
    {
        // A `[[typedef]]` of a scalar, a struct (linux/virtio_ring.h's `vring_desc_t *`) or a
        // function's type (`__signalfn_t *`).
        bare.to_string()
    } else {
        let what = if canon.kind() == TypeKind::Pointer {
            "a pointer to a pointer that is qualified or points to a pointer itself"
        } else if spelled.contains('(') {
            "a function pointer"
        } else {
            "a pointer to a type the schema has not"
        };
        return Err(format!(
            "{what} (`{spelled}`); the schema writes `T *` with T void, an integer type it has \
             or `struct NAME`, or `T **` (two levels of `*` at most)"
        ));
    };
    Ok(format!("{konst}{base} *"))
}

/// `R (*)(P, Q)` for a pointer to function type `f` (asm-generic/siginfo.h's `void
/// (*_function)(sigval_t)`): each type as C spells it, a pointer as a pointer member's.
fn fn_pointer_type(f: Type) -> Result<String, String> {
    let one = |t: Type| -> Result<String, String> {
        let canon = t.canonical();
        let spelled = t.spelling();
        if t.kind() == TypeKind::Pointer {
            return pointer_type(t);
        }
        if t.kind() == TypeKind::Typedef || Scalar::from_c_name(&spelled).is_some() {
            return Ok(spelled);
        }
        if let Some(c) = c_builtin(canon.kind()) {
            return Ok(c.to_string());
        }
        if canon.kind() == TypeKind::Record
            && (spelled.starts_with("struct ") || spelled.starts_with("union "))
        {
            return Ok(spelled);
        }
        Err(format!(
            "a function pointer whose `{spelled}` the schema cannot write"
        ))
    };
    let Some(params) = f.params() else {
        return Err(format!(
            "a function pointer with `...` or without a prototype (`{}`)",
            f.spelling()
        ));
    };
    let ret = match f.result() {
        r if r.kind() == TypeKind::Void => "void".to_string(),
        r => one(r)?,
    };
    let params = if params.is_empty() {
        "void".to_string()
    } else {
        params
            .into_iter()
            .map(one)
            .collect::<Result<Vec<_>, _>>()?
            .join(", ")
    };
    Ok(format!("{ret} (*)({params})"))
}

const TYPES: &str = "the schema writes only the kernel's types (__u8 … __u64, __s8 … __s64, \
                     __aligned_u64, __le16 … __be64, __aligned_le64, __aligned_be64, the \
                     __kernel_* types alike on every ABI), C's integers (char, short, int, \
                     long, long long, signed or unsigned), float, double and `struct NAME`";

/// Walks the members of one struct or union: the fields, and what cannot be written.
struct Walk<'a, 'tu> {
    fields: Vec<Field>,
    problems: &'a mut Vec<Problem>,
    /// The path of the record walked (`req`, `req.u`).
    owner: String,
    /// Where the record is, for members whose place is not in the header itself.
    at: u32,
    main_file: Option<File<'tu>>,
    /// The header's text.
    source: &'a str,
}

/// Whether a struct or union ends in a flexible array member (`x[]` or `x[0]`), as resolve's
/// `flexible_tail` finds one: any member that is one, or the last member, a struct that does
/// or an untagged union one of whose members does.
fn ends_flexible(record: Type<'_>) -> bool {
    let mut members = Vec::new();
    record.visit_fields(|m| members.push(m));
    if members.iter().any(flexible_member) {
        return true;
    }
    let Some(last) = members.last().map(|m| m.ty().canonical()) else {
        return false;
    };
    if last.kind() != TypeKind::Record {
        return false;
    }
    let decl = last.declaration();
    if decl.kind() == CursorKind::Union && untagged(&decl.spelling()) {
        let mut inner = Vec::new();
        last.visit_fields(|m| inner.push(m));
        inner.iter().any(|m| {
            flexible_member(m)
                || (m.ty().canonical().kind() == TypeKind::Record
                    && ends_flexible(m.ty().canonical()))
        })
    } else {
        ends_flexible(last)
    }
}

/// Whether member `m` is a flexible array member: `x[]`, or `x[0]` as written (a length that
/// is 0 as an expression, `4 - sizeof(__kernel_mode_t)` on x86-64, is a fixed zero-length
/// array); one a macro declares has no tokens of its own, and counts.
fn flexible_member(m: &Cursor<'_>) -> bool {
    let t = m.ty();
    t.kind() == TypeKind::IncompleteArray
        || (t.kind() == TypeKind::ConstantArray && t.array_len() == Some(0) && {
            let tokens = m.tokens();
            tokens.is_empty()
                || tokens
                    .windows(3)
                    .any(|w| w[0] == "[" && w[1] == "0" && w[2] == "]")
        })
}

/// A field as the schema writes it: a scalar's name, `struct NAME`, or a union; and what of it
/// the schema cannot express, in `w.problems`.
fn field_of(c: Cursor<'_>, w: &mut Walk<'_, '_>) -> Field {
    let name = c.spelling();
    let anonymous = untagged(&name);
    let path = if anonymous {
        w.owner.clone()
    } else {
        format!("{}.{name}", w.owner)
    };
    let place = c.location().spelling();
    let offset = place.offset;
    let (offset, len) = if place.file == w.main_file {
        (offset, if anonymous { 1 } else { name.len() })
    } else {
        (w.at, 1)
    };
    let mut refuse = |message: String| {
        w.problems.push(Problem {
            offset,
            len,
            message,
        })
    };
    let shown = if anonymous {
        format!("an anonymous member of `{}`", w.owner)
    } else {
        format!("`{path}`")
    };
    let bits = c.bit_width().map(|w| w.max(0) as u32);
    let mut ty = c.ty();
    let mut count = None;
    let mut flexible = false;
    match ty.kind() {
        // Where it may stand (last, outside unions, in a struct embedded nowhere) is resolve's
        // to judge, at the schema line this member becomes.
        TypeKind::IncompleteArray => {
            flexible = true;
            ty = ty.element();
        }
        TypeKind::ConstantArray => {
            let n = ty.array_len().unwrap_or(0);
            ty = ty.element();
            // `n == 0` is an old header's flexible array member, which `len = 0` writes.
            count = Some(n);
        }
        _ => {}
    }
    // A multi-dimensional array: its rows' dimensions, outermost first (`dims`).
    let mut dims = Vec::new();
    while ty.kind() == TypeKind::ConstantArray {
        dims.push(ty.array_len().unwrap_or(0));
        ty = ty.element();
    }
    // libclang spells a qualified type `const volatile T`; the schema keeps T and the
    // qualifiers apart (libclang 14 has no clang_getUnqualifiedType).
    let mut spelled = ty.spelling().trim().to_string();
    while let Some(rest) = ["const ", "volatile "]
        .iter()
        .find_map(|q| spelled.strip_prefix(q))
    {
        spelled = rest.trim_start().to_string();
    }
    let canon = ty.canonical();
    let decl = canon.declaration();
    let doc = doc_of(c);
    let (konst, volatile) = (ty.is_const(), ty.is_volatile());
    if (konst || volatile) && ty.kind() == TypeKind::Pointer {
        refuse(format!(
            "{shown} is a qualified pointer (`{}`): the schema qualifies what a member holds, \
             not a pointer",
            ty.spelling()
        ));
    }
    // Attributes on the member: only `__aligned_u64`'s aligned(8) has a schema spelling.
    // The word before the member's name as the header spells it: libclang's tokens of a
    // declaration that starts in a macro are empty, its type is the macro's expansion.
    let before = w.source.get(..offset as usize).unwrap_or("");
    let declared = &before[before.rfind([';', '{', '}']).map_or(0, |i| i + 1)..];
    // Comments are not words: io_uring.h writes `__aligned_u64 /* __s32 * */ fds;`.
    let uncommented = without_comments(declared);
    let written = uncommented.split_whitespace().last().unwrap_or("");
    // `__aligned_u64` and its endian kin: the base type with aligned(8), spelled as one word.
    let aligned_u64 = matches!(
        (written, spelled.as_str()),
        ("__aligned_u64", "__u64") | ("__aligned_le64", "__le64") | ("__aligned_be64", "__be64")
    );
    // A member declared by a function-like macro's call, its name an argument
    // (`RDMA_UAPI_PTR(void *, val_ptr);`): `declared_by`, its type and length those of the
    // macro's expansion (`expand_declared`), whose attributes are the macro's.
    let call = (place.file == w.main_file && !anonymous && canon.kind() != TypeKind::Record)
        .then(|| {
            let start = before.len() - declared.len();
            let rest = w.source.get(start..)?;
            let (m, args) = one_call(&without_comments(&rest[..rest.find(';')?]))?;
            // <linux/stddef.h>'s `__DECLARE_FLEX_ARRAY()` is the schema's own `flexible`.
            let own = crate::front::cexpr::INCLUDED_MACROS.contains(&m.as_str());
            (!own && args.iter().any(|a| *a == name)).then_some((m, args))
        })
        .flatten();
    // Its own `aligned(n)` is the schema's `aligned = n`; `__aligned_u64`'s is the type's.
    let mut aligned = None;
    let mut typed = aligned_u64;
    // The member's own `__attribute__((packed))` (linux/toshiba.h's `ebx`).
    let mut member_packed = false;
    c.visit_children(|a| {
        if !a.is_attribute() || call.is_some() {
            return;
        }
        match (a.kind_spelling().as_str(), typed) {
            ("attribute(packed)", _) if canon.kind() != TypeKind::Record && bits.is_none() => {
                member_packed = true
            }
            ("attribute(aligned)", true) => typed = false,
            ("attribute(aligned)", false) => match aligned_value(a) {
                Ok(n) => aligned = Some(n),
                Err(why) => refuse(format!("{shown} has {why}")),
            },
            (attr, _) => refuse(format!(
                "{shown} has {attr}: the schema writes a member's `aligned(n)`, no other \
                 attribute"
            )),
        }
    });
    let mut field = Field {
        flags: None,
        libc_compat: None,
        when: None,
        incomplete: false,
        name: (!anonymous).then_some(name.clone()),
        ty: None,
        len: count,
        flexible,
        dims,
        inline: None,
        aligned,
        doc,
        offset,
        path: path.clone(),
        struct_ref: None,
        bits,
        byte_order: false,
        byte_order_label: None,
        byte_order_word: false,
        declared: false,
        packed: false,
        konst,
        volatile,
        typedef_ref: None,
        tag: None,
        embeds_flexible: false,
        member_enum: None,
        len_text: count
            .filter(|_| place.file == w.main_file)
            .and_then(|_| array_len_text(w.source, offset as usize + name.len())),
        declared_by: None,
    };
    let record = decl.kind();
    let tag = decl.spelling();
    // A union, or a struct without a tag written where it is used (not through a typedef):
    // the schema's `union = [...]` and `struct = [...]`, anonymous when the member is.
    // A tagged one defined where the member is declared (`struct fork_proc_event { ... }
    // fork;`, linux/cn_proc.h): inline, with its `tag`.
    let defined_here = !untagged(&tag) && ty.kind() != TypeKind::Typedef && decl.is_defined_in(&c);
    // `typedef struct { ... } NAME;`'s type: the schema's struct named NAME (`typedef = true`).
    let typedef_record =
        ty.kind() == TypeKind::Typedef && canon.kind() == TypeKind::Record && untagged(&tag);
    let inline = match record {
        _ if canon.kind() != TypeKind::Record || typedef_record => None,
        // A tagged union is a `[[union]]` of its own, which the member names.
        CursorKind::Union if untagged(&tag) || defined_here => Some(Aggregate::Union),
        CursorKind::Struct
            if (untagged(&tag) && ty.kind() != TypeKind::Typedef) || defined_here =>
        {
            Some(Aggregate::Struct)
        }
        _ => None,
    };
    if defined_here {
        field.tag = Some(tag.clone());
    }
    if let Some(kind) = inline {
        let kw = kind.c_keyword();
        for attr in attributes_of(decl) {
            // `} __attribute__((packed));` is the member's `packed`.
            if attr == "attribute(packed)" {
                field.packed = true;
                continue;
            }
            // An anonymous one's `} __attribute__((aligned(8)));` (bpf.h's `__bpf_md_ptr`) is
            // its type's, which `aligned` writes so: libclang's alignment of the type is n, or
            // more where the members ask for more (where gcc ignores a smaller n).
            if let ("attribute(aligned)", true, Some(n)) = (attr.as_str(), anonymous, canon.align())
            {
                field.aligned = Some(n.to_string());
                continue;
            }
            refuse(format!(
                "the {kw} of {shown} has {attr}: the schema writes an inline {kw}'s `packed`, \
                 not its alignment"
            ));
        }
        let mut inner = Walk {
            fields: Vec::new(),
            problems: &mut *w.problems,
            owner: path,
            at: offset,
            main_file: w.main_file,
            source: w.source,
        };
        canon.visit_fields(|m| {
            let f = field_of(m, &mut inner);
            inner.fields.push(f);
        });
        // <linux/stddef.h>'s `__DECLARE_FLEX_ARRAY(TYPE, NAME)`: an anonymous struct of an
        // empty struct `__empty_NAME` and `TYPE NAME[]`, which the schema writes as the macro.
        if let (Aggregate::Struct, true, [empty, flex]) = (kind, anonymous, inner.fields.as_slice())
        {
            let empty_struct =
                matches!(&empty.inline, Some((Aggregate::Struct, ms)) if ms.is_empty());
            if empty_struct
                && flex.flexible
                && empty
                    .name
                    .as_deref()
                    .and_then(|n| n.strip_prefix("__empty_"))
                    == flex.name.as_deref()
            {
                let mut f = inner.fields.pop().expect("two fields");
                f.declared = true;
                // The problems the empty struct would raise are the macro's, not the header's.
                return f;
            }
        }
        field.inline = Some((kind, inner.fields));
        return field;
    }
    field.declared_by = call;
    field.packed = member_packed;
    // An unnamed bitfield (`__u32 :32;`, bpf.h's padding) is a bitfield, anonymous or not.
    if anonymous && bits.is_none() {
        refuse(format!(
            "{shown} is an anonymous member of a typedef'd type: C11 makes only an untagged \
             `struct {{ ... }};` or `union {{ ... }};` anonymous"
        ));
        return field;
    }
    let ty_name = if typedef_record {
        field.struct_ref = Some(spelled.clone());
        spelled.clone()
    } else if aligned_u64 {
        written.to_string()
    } else if ty.kind() == TypeKind::Typedef && Scalar::from_c_name(&spelled).is_some() {
        spelled.clone()
    } else if let Some(target) = (ty.kind() == TypeKind::Typedef
        && Scalar::from_c_name(&spelled).is_none())
    .then(|| typedef_target(ty.declaration()))
    .flatten()
    {
        // A typedef the schema writes (`canid_t`): the member names it, and the struct it
        // names, if any, must be the schema's too.
        field.typedef_ref = Some(spelled.clone());
        // (a typedef of a pointer to a struct needs it no more than a pointer member does).
        field.struct_ref = target
            .strip_prefix("struct ")
            .or_else(|| target.strip_prefix("union "))
            .filter(|t| !t.contains(['*', '(']))
            .map(str::to_string);
        spelled.clone()
    } else if canon.kind() == TypeKind::Record && record == CursorKind::Union {
        // Tagged (an untagged one is written inline above).
        if spelled != format!("union {tag}") {
            refuse(format!(
                "{shown} has type `{spelled}`, a typedef of `union {tag}`: the schema writes \
                 `union {tag}`; write it so in the header"
            ));
        }
        field.struct_ref = Some(tag.clone());
        format!("union {tag}")
    } else if canon.kind() == TypeKind::Record && record == CursorKind::Struct {
        if untagged(&tag) {
            refuse(format!(
                "{shown} has type `{spelled}`, a typedef of an untagged struct: the schema \
                 writes the struct inline (`struct {{ ... }} {name};`) or names a struct \
                 defined at file scope (`struct NAME member;`)"
            ));
        } else {
            if spelled != format!("struct {tag}") {
                refuse(format!(
                    "{shown} has type `{spelled}`, a typedef of `struct {tag}`: the schema \
                     writes `struct {tag}`; write it so in the header"
                ));
            }
            field.struct_ref = Some(tag.clone());
        }
        // Where C allows it (the last member) resolve needs no key; written everywhere, it
        // says what the header does.
        field.embeds_flexible = ends_flexible(canon);
        format!("struct {tag}")
    } else if let (false, Some(c)) = (ty.kind() == TypeKind::Typedef, c_builtin(canon.kind())) {
        c.to_string()
    } else if ty.kind() == TypeKind::Pointer {
        match pointer_type(ty) {
            Ok(t) => {
                // What it points to is the schema's, or another header's copied above (of
                // `T **`, T).
                let to = match ty.pointee() {
                    inner if t.ends_with("**") => inner.pointee(),
                    inner => inner,
                };
                if to.kind() == TypeKind::Typedef
                    && Scalar::from_c_name(to.spelling().trim_start_matches("const ").trim())
                        .is_none()
                {
                    field.typedef_ref = Some(
                        to.spelling()
                            .trim_start_matches("const ")
                            .trim()
                            .to_string(),
                    );
                }
                if to.canonical().kind() == TypeKind::Record && to.canonical().size().is_none() {
                    // Defined by no header (the kernel's own type): C's incomplete type.
                    field.incomplete = true;
                } else if to.canonical().kind() == TypeKind::Record {
                    let tag = to.canonical().declaration().spelling();
                    field.struct_ref = Some(if untagged(&tag) {
                        to.spelling()
                            .trim_start_matches("const ")
                            .trim()
                            .to_string()
                    } else {
                        tag
                    });
                }
                t
            }
            Err(why) => {
                refuse(format!("{shown} has type `{spelled}`: {why}"));
                spelled.clone()
            }
        }
    } else if canon.kind() == TypeKind::Enum
        && untagged(&decl.spelling())
        && ty.kind() == TypeKind::Typedef
        && !spelled.starts_with("__")
    {
        // `typedef enum { ... } NAME;`'s NAME: an `[[enum]]` with `typedef = true` above.
        spelled.clone()
    } else if canon.kind() == TypeKind::Enum
        && untagged(&decl.spelling())
        && ty.kind() != TypeKind::Typedef
        && decl.is_defined_in(&c)
    {
        // `enum { ... } func;`: an `[[enum]]` with `member = true`, named after the member.
        let name = path.replace('.', "_");
        let e = Enumerators::of(decl);
        w.problems.extend(e.problems);
        if let Some((n, _)) = e.forms.first() {
            w.problems.push(Problem {
                offset: e
                    .values
                    .iter()
                    .find(|v| v.0 == *n)
                    .map_or(field.offset, |v| v.2),
                len: n.len(),
                message: format!(
                    "enum value `{n}` is past 2^63 - 1 in an enum declared as a member's type, \
                     whose values import writes as numbers"
                ),
            });
        }
        field.member_enum = Some((name.clone(), None, e.values));
        format!("enum {name}")
    } else if canon.kind() == TypeKind::Enum
        && spelled.starts_with("enum ")
        && !untagged(&spelled["enum ".len()..])
    {
        // A tagged enum: the integer C gives it, which the schema computes from its values
        // (`type = "enum TAG"`, an `[[enum]]` of this header above).
        spelled.clone()
    } else {
        let what = match canon.kind() {
            TypeKind::Pointer | TypeKind::BlockPointer => {
                "a typedef of a pointer or a block pointer; the schema writes `T *` with T \
                 void, an integer type or `struct NAME`"
                    .to_string()
            }
            TypeKind::Enum => format!(
                "an enum, whose size is the compiler's choice; {TYPES}: write the integer the \
                 kernel copies (__u32) and link the enum with `enum = \"{}\"`",
                decl.spelling()
            ),
            TypeKind::Long | TypeKind::ULong => format!(
                "a typedef of `{}`, 4 bytes on 32-bit ABIs and 8 on 64-bit ones; {TYPES}: \
                 write `{}` or the `__kernel_*` type it stands for",
                canon.spelling(),
                canon.spelling()
            ),
            TypeKind::CharS | TypeKind::CharU => format!(
                "plain `char`, signed on some ABIs and unsigned on others; {TYPES}: write \
                 __u8 or __s8"
            ),
            _ => match (ty.kind(), fixed_width(canon.kind())) {
                (TypeKind::Typedef, Some(fixed)) => {
                    format!(
                        "a typedef of `{}`; {TYPES}: write {fixed}",
                        canon.spelling()
                    )
                }
                (TypeKind::Typedef, None) => {
                    format!("a typedef of `{}`; {TYPES}", canon.spelling())
                }
                (_, Some(fixed)) => format!("not a kernel type; {TYPES}: write {fixed}"),
                (_, None) => format!("not a kernel type; {TYPES}"),
            },
        };
        refuse(format!("{shown} has type `{spelled}`: {what}"));
        spelled.clone()
    };
    field.ty = Some(ty_name);
    field
}

/// Whether an enum's integer type is unsigned.
fn is_unsigned(k: TypeKind) -> bool {
    matches!(
        k,
        TypeKind::UChar
            | TypeKind::UShort
            | TypeKind::UInt
            | TypeKind::ULong
            | TypeKind::ULongLong
            | TypeKind::UInt128
            | TypeKind::CharU
    )
}

/// The values of an enum, read with the getter of the enum's own signedness; a value the
/// schema cannot hold (past 2^63 - 1, TOML's largest integer) is refused.
struct Enumerators {
    values: Vec<(String, i64, u32)>,
    /// The values the schema writes other than by their number, by name, as its key: `expr =
    /// "..."` for one past 2^63 - 1 (held wrapped in `values`) as the header writes it
    /// (perf_event.h's `(__u64)-32`), empty for such a one C counts on to; `ioctl = { ... }`
    /// for an ioctl number (binder.h's `BR_ERROR = _IOR('r', 0, __s32)`), each target's own.
    forms: Vec<(String, String)>,
    unsigned: bool,
    problems: Vec<Problem>,
}

impl Enumerators {
    /// The values of enum `decl`.
    fn of(decl: Cursor<'_>) -> Enumerators {
        let mut e = Enumerators {
            values: Vec::new(),
            forms: Vec::new(),
            unsigned: is_unsigned(decl.enum_integer_type().kind()),
            problems: Vec::new(),
        };
        decl.visit_children(|k| e.collect(k));
        e
    }

    fn collect(&mut self, c: Cursor<'_>) {
        if c.kind() != CursorKind::EnumConstant {
            return;
        }
        let name = c.spelling();
        let value: i128 = if self.unsigned {
            c.enum_unsigned_value() as i128
        } else {
            c.enum_value() as i128
        };
        let offset = c.location().spelling().offset;
        // `NAME = _IOR(...)`: the schema's `ioctl`, which is each target's number.
        let tokens = c.tokens();
        if let Some(DefineForm::Value(form)) = tokens
            .get(2)
            .filter(|m| matches!(m.as_str(), "_IO" | "_IOR" | "_IOW" | "_IOWR"))
            .map(|_| ioctl_form(&tokens[2..]))
        {
            self.values.push((name.clone(), value as i64, offset));
            self.forms.push((name, form));
            return;
        }
        // `NAME = __constant_cpu_to_be32(...)` (linux/tcp.h's): each byte order's value, as
        // the header writes it (the file read only for such a one).
        if tokens
            .get(2)
            .is_some_and(|m| crate::front::cexpr::is_byteorder(m))
        {
            if let Some(text) = initializer(c).filter(|t| !t.is_empty()) {
                self.values.push((name.clone(), value as i64, offset));
                self.forms
                    .push((name, format!("expr = {}", toml_str(&text))));
                return;
            }
        }
        match i64::try_from(value) {
            Ok(v) => self.values.push((name, v, offset)),
            // An unsigned enum's value past 2^63 - 1, as its C expression (the file read
            // only for such a one).
            Err(_) => match initializer(c).filter(|_| value <= i128::from(u64::MAX)) {
                Some(text) => {
                    self.values
                        .push((name.clone(), value as u64 as i64, offset));
                    let form = if text.is_empty() {
                        text
                    } else {
                        format!("expr = {}", toml_str(&text))
                    };
                    self.forms.push((name, form));
                }
                None => self.problems.push(Problem {
                    offset,
                    len: name.len(),
                    message: format!(
                        "enum value `{name}` is {value}, past 2^63 - 1, and written by no \
                         expression import can copy"
                    ),
                }),
            },
        }
    }
}

/// An enumerator's `= EXPR` as its file writes it (on one line), empty for none (C counts it
/// on from the one before); None where a comment is inside it or the file cannot be read.
fn initializer(c: Cursor<'_>) -> Option<String> {
    let r = c.extent();
    let (start, end) = (r.start().spelling(), r.end().spelling());
    let text = std::fs::read_to_string(start.file?.name()).ok()?;
    let decl = text.get(start.offset as usize..end.offset as usize)?;
    let Some((_, expr)) = decl.split_once('=') else {
        return Some(String::new());
    };
    let expr = expr.split_whitespace().collect::<Vec<_>>().join(" ");
    (!expr.is_empty() && !expr.contains("/*") && !expr.contains("//")).then_some(expr)
}

/// What a define becomes.
enum DefineForm {
    /// Schema text (`value = 1`, `bit = 3`, `char = ";"`).
    Value(String),
    /// Not a form the importer reads: listed for the author.
    Skip,
    /// A form it reads, with a value the schema would misstate.
    Refuse(String),
    /// A form it reads, with a part the schema cannot write (an ioctl's argument type): listed
    /// for the author with the reason.
    NotRead(String),
}

/// A C integer literal: its value and its type's width and signedness (C11 6.4.4.1, on
/// every target: `long` counts as 32 bits, its width on i686 and arm).
fn int_literal(t: &str) -> Option<(u64, u32, bool)> {
    let digits = t.trim_end_matches(['U', 'u', 'L', 'l']);
    let suffix = t[digits.len()..].to_ascii_lowercase();
    let value = if let Some(h) = digits.strip_prefix("0x").or(digits.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()?
    } else if digits.len() > 1 && digits.starts_with('0') {
        u64::from_str_radix(&digits[1..], 8).ok()?
    } else {
        digits.parse().ok()?
    };
    let unsigned = suffix.contains('u');
    let width = if suffix.contains("ll") { 64 } else { 32 };
    if value > u64::from(u32::MAX) && width == 32 {
        // A literal too large for int is long long (or unsigned) in C: wide enough.
        return Some((value, 64, unsigned));
    }
    Some((value, width, unsigned))
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The largest integer a schema value can be: TOML's.
const MAX_VALUE: u64 = i64::MAX as u64;

/// A define's value as schema text, if it is a plain integer, `(1 << N)`, a character, an OR
/// of names, `_IO(type, nr)` or another name.
fn define_value(c: Cursor<'_>) -> DefineForm {
    let words: Vec<String> = c.tokens().into_iter().skip(1).collect();
    let w: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|t| *t != "(" && *t != ")")
        .collect();
    // The definition as written, for a form whose value the others would keep but whose C
    // type they would not.
    let as_written = || DefineForm::Value(format!("expr = {}", toml_str(&c.macro_body())));
    match w.as_slice() {
        [v] if int_literal(v).is_some() => match int_literal(v) {
            // Past a TOML integer, or typed by a suffix (`2L`, `0x10U`): as C reads it.
            Some((n, _, _)) if n > MAX_VALUE || v.ends_with(['U', 'u', 'L', 'l']) => as_written(),
            // Hex is written back as hex, which keeps its type (`0x80000000` is an
            // `unsigned int`, `2147483648` a `long`).
            Some(_) if v.starts_with("0x") => DefineForm::Value(format!("value = {v}")),
            Some(_) if v.starts_with("0X") => DefineForm::Value(format!("value = 0x{}", &v[2..])),
            // Octal past `int` would become a decimal of another type.
            Some((n, _, _)) if n > i32::MAX as u64 && v.starts_with('0') => as_written(),
            Some((n, _, _)) => DefineForm::Value(format!("value = {n}")),
            None => DefineForm::Skip,
        },
        [one, "<<", "-", n] if int_literal(one).is_some_and(|l| l.0 == 1) => DefineForm::Refuse(
            format!("is `{one} << -{n}`: a negative shift is undefined in C"),
        ),
        [one, "<<", n] if int_literal(one).is_some_and(|l| l.0 == 1) => {
            let Some((_, width, unsigned)) = int_literal(one) else {
                return DefineForm::Skip;
            };
            // A shift by a constant's name (`1 << BFS_BSIZE_BITS`): an expression.
            let Some((n, _, _)) = int_literal(n) else {
                return as_written();
            };
            let limit = if unsigned { width } else { width - 1 };
            // Into the sign bit: C leaves it undefined, GCC and clang give the type's
            // minimum, and the kernel writes it (`(1 << 31)`); an expression keeps it so.
            if !unsigned && n == u64::from(limit) {
                return as_written();
            }
            // `bit = n` writes `(1 << n)`, `(1U << 31)` or `(1ULL << n)`: another one (`1U << 4`,
            // `1ULL << 3`) keeps its type as an expression.
            let canonical = match n {
                0..=30 => "1",
                31 => "1U",
                _ => "1ULL",
            };
            if n < u64::from(limit) && *one != canonical {
                return as_written();
            }
            if n >= u64::from(limit) {
                let why = if n >= u64::from(width) {
                    format!("a shift by {n} of a {width}-bit `{one}` is undefined in C")
                } else {
                    format!(
                        "`{one} << {n}` overflows the signed {width}-bit `{one}` (undefined in C)"
                    )
                };
                let wider = match n {
                    0..=31 => format!("; write `1U << {n}`"),
                    32..=63 => format!("; write `1ULL << {n}`"),
                    _ => String::new(),
                };
                DefineForm::Refuse(format!("is `{one} << {n}`: {why}{wider}"))
            } else {
                DefineForm::Value(format!("bit = {n}"))
            }
        }
        [ch] if ch.len() == 3 && ch.starts_with('\'') && ch.ends_with('\'') => {
            DefineForm::Value(format!("char = {}", toml_str(&ch[1..2])))
        }
        [m, ..] if matches!(*m, "_IO" | "_IOR" | "_IOW" | "_IOWR" | "_IOC") => ioctl_form(&words),
        // `#define COFF_FILHDR struct COFF_filehdr` (linux/coff.h): a name for the type, whose
        // struct must be above (checked with the others).
        [kw, tag] if matches!(*kw, "struct" | "union") && is_identifier(tag) => {
            DefineForm::Value(format!("tag = {}", toml_str(&format!("{kw} {tag}"))))
        }
        // C's string literals and names side by side (`"ethtool"`, `PREFIX "evm"`): a string
        // define; whether each name is a string define above is checked with the others.
        _ if crate::front::cstring::parse(&c.macro_body()).is_ok()
            && (words.iter().any(|t| t.starts_with('"')) || w.len() > 1) =>
        {
            DefineForm::Value(format!("string = {}", toml_text(&c.macro_body())))
        }
        // <asm/bitsperlong.h>'s words are no constant a schema defines, but each data
        // model's value (asm-generic/signal.h's `#define _NSIG_BPW __BITS_PER_LONG`).
        [id] if crate::front::cexpr::is_word_bits(id) => {
            DefineForm::Value(format!("expr = {}", toml_str(id)))
        }
        [id] if is_identifier(id) => DefineForm::Value(format!("alias = {}", toml_str(id))),
        ids if ids.len() >= 3
            && ids.iter().skip(1).step_by(2).all(|t| *t == "|")
            && ids.iter().step_by(2).all(|t| is_identifier(t)) =>
        {
            let names: Vec<String> = ids.iter().step_by(2).map(|t| toml_str(t)).collect();
            DefineForm::Value(format!("or = [{}]", names.join(", ")))
        }
        // Any other C integer constant expression, as written; what it names is checked
        // against the constants defined above it with the other forms' names.
        _ => {
            let body = c.macro_body();
            // `sizeof(struct can_frame)`: the schema takes its size, the same on every ABI.
            let sized = crate::front::cexpr::sizes_as_one(&body).unwrap_or_default();
            match parse_expr(&sized, &HashMap::new(), &HashSet::new()) {
                Ok(_) => DefineForm::Value(format!("expr = {}", toml_str(&body))),
                // A call of a function-like macro: whether the header defines it above, and
                // with as many parameters, is checked with the other names.
                Err(_) if crate::front::cexpr::calls(&body) => {
                    DefineForm::Value(format!("expr = {}", toml_str(&body)))
                }
                Err(_) => DefineForm::Skip,
            }
        }
    }
}

/// `#define NAME(a, b) body`: a `[[macro]]` when the body is made of an integer
/// expression's tokens and the parameters are named (no `...`); else listed for the author.
fn function_like(c: Cursor<'_>, name: String) -> Item {
    // <linux/ioctl.h>'s and <linux/const.h>'s own (asm-generic/ioctl.h defines `_IOR`),
    // and <asm/byteorder.h>'s conversions (linux/byteorder/little_endian.h defines
    // `__cpu_to_be16`): the generated header includes them rather than defining them.
    if crate::front::cexpr::INCLUDED_MACROS.contains(&name.as_str())
        || crate::front::cexpr::is_byteorder(&name)
    {
        return Item::Skipped { name };
    }
    let tokens = c.tokens();
    let Some(close) = tokens.iter().position(|t| t == ")") else {
        return Item::Skipped { name };
    };
    let params: Vec<String> = tokens
        .get(2..close)
        .unwrap_or(&[])
        .iter()
        .filter(|t| *t != ",")
        .cloned()
        .collect();
    if params.iter().any(|p| !is_identifier(p)) {
        return Item::Skipped { name };
    }
    let full = c.macro_body();
    let body = full
        .find(')')
        .map_or("", |i| full[i + 1..].trim())
        .to_string();
    // A member's declaration (`declared_by`), or an expression.
    let declares = crate::front::decl_macro::shape(&params, &body).is_none();
    if let (false, Err(e)) = (
        declares,
        crate::front::cexpr::Macro::new(params.clone(), &body),
    ) {
        return Item::NotImported {
            what: format!("#define {name}({})", params.join(", ")),
            why: format!(
                "its body is not what a `[[macro]]` holds (an integer expression's tokens, or \
                 one _IO/_IOR/_IOW/_IOWR call passing its type parameter on): {}",
                e.message
            ),
        };
    }
    Item::Macro {
        name,
        params,
        body,
        doc: None,
        extern_header: None,
        ifndef: false,
    }
}

/// Each member `declared_by` a macro's call takes the type and array length of the call's
/// expansion, as the schema writes the member (`__aligned_u64`, not libclang's `__u64`); one
/// whose macro declares no member as the schema writes one is refused, located.
fn expand_declared(state: &mut State) {
    let mut defs: HashMap<String, (Vec<String>, String)> = state
        .other_macros
        .iter()
        .filter_map(|(n, (m, _))| match m {
            Item::Macro { params, body, .. } => Some((n.clone(), (params.clone(), body.clone()))),
            _ => None,
        })
        .collect();
    for (_, it) in &state.items {
        if let Item::Macro {
            name, params, body, ..
        } = it
        {
            defs.insert(name.clone(), (params.clone(), body.clone()));
        }
    }
    // `copy`: another header's struct, copied as `extern` and never written, whose members
    // keep the expansion only.
    fn walk(
        fields: &mut [Field],
        defs: &HashMap<String, (Vec<String>, String)>,
        problems: &mut Vec<Problem>,
        copy: bool,
    ) {
        for f in fields {
            if let Some((_, ms)) = &mut f.inline {
                walk(ms, defs, problems, copy);
            }
            let Some((m, args)) = &f.declared_by else {
                continue;
            };
            // A macro no `[[macro]]` holds, as one declaring an aggregate (bpf.h's
            // `__bpf_md_ptr(type, name)`, a union of the member and padding bits, listed as
            // not imported): its expansion is read as the schema writes it, which the proof
            // holds to the header's layout.
            if defs.get(m).is_none_or(|(_, body)| body.contains('{')) {
                f.declared_by = None;
                continue;
            }
            let decl = defs.get(m).and_then(|(params, body)| {
                if crate::front::decl_macro::shape(params, body).is_some()
                    || params.len() != args.len()
                {
                    return None;
                }
                crate::front::decl_macro::parts(&crate::front::decl_macro::expand(
                    params, body, args,
                ))
            });
            match decl {
                Some((ty, name, array)) if Some(&name) == f.name.as_ref() => {
                    f.ty = Some(ty);
                    match array {
                        Some(a) if a.is_empty() => {}
                        Some(a) if a.parse::<u64>().is_ok() => f.len_text = None,
                        Some(a) => f.len_text = Some(a),
                        None => {}
                    }
                    if copy {
                        f.declared_by = None;
                    }
                }
                _ => problems.push(Problem {
                    offset: f.offset,
                    len: f.name.as_ref().map_or(1, String::len),
                    message: format!(
                        "`{}` is declared by `{m}({})`, whose body declares no member as the \
                         schema writes one (`TYPE NAME` or `TYPE NAME[LEN]`, NAME a parameter)",
                        f.path,
                        args.join(", ")
                    ),
                }),
            }
        }
    }
    for (_, it) in &mut state.items {
        if let Item::Struct {
            fields, problems, ..
        } = it
        {
            walk(fields, &defs, problems, false);
        }
    }
    for (it, _) in state.other_structs.values_mut() {
        if let Item::Struct {
            fields, problems, ..
        } = it
        {
            walk(fields, &defs, problems, true);
        }
    }
}

/// `M(a, b)`, a define's whole body one call of a function-like macro: M and the arguments,
/// each trimmed, split at the commas outside parentheses.
fn one_call(text: &str) -> Option<(String, Vec<String>)> {
    let text = text.trim();
    let name_end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    let name = &text[..name_end];
    let inner = text[name_end..]
        .trim_start()
        .strip_prefix('(')?
        .strip_suffix(')')?;
    if !is_identifier(name) {
        return None;
    }
    let mut args = Vec::new();
    let (mut depth, mut from) = (0usize, 0);
    for (i, ch) in inner.char_indices() {
        match ch {
            '(' => depth += 1,
            // The `)` that closes the call before the end: `M(a) + N(b)`.
            ')' if depth == 0 => return None,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                args.push(inner[from..i].trim().to_string());
                from = i + 1;
            }
            '\'' | '"' => return None,
            _ => {}
        }
    }
    args.push(inner[from..].trim().to_string());
    if args.len() == 1 && args[0].is_empty() {
        args.clear();
    }
    Some((name.to_string(), args))
}

/// `_IO(type, nr)`, `_IOR(type, nr, argtype)`, `_IOW(...)`, `_IOWR(...)`: `words` are the
/// macro's tokens after its name.
fn ioctl_form(words: &[String]) -> DefineForm {
    let not_read = |why: String| DefineForm::NotRead(why);
    let (Some(m), Some("("), Some(")")) = (
        words.first(),
        words.get(1).map(String::as_str),
        words.last().map(String::as_str),
    ) else {
        return DefineForm::Skip;
    };
    // The arguments, split at the commas outside parentheses.
    let mut args: Vec<Vec<&str>> = vec![Vec::new()];
    let mut depth = 0usize;
    for t in &words[2..words.len() - 1] {
        match t.as_str() {
            "," if depth == 0 => args.push(Vec::new()),
            "(" => depth += 1,
            ")" if depth == 0 => return DefineForm::Skip,
            ")" => depth -= 1,
            _ => {}
        }
        if !(t == "," && depth == 0) {
            args.last_mut().expect("one at least").push(t.as_str());
        }
    }
    // The direction and the argument's tokens: `_IOC(_IOC_NONE, type, nr, sizeof(T))`
    // (xen/privcmd.h) names both itself, `0` for no argument; `_IOR` ... by its name.
    let ioc = m == "_IOC";
    let (dir, arg_toks): (&str, Option<Vec<&str>>) = if ioc {
        if args.len() != 4 {
            return DefineForm::Skip;
        }
        let dir = match args[0].as_slice() {
            ["_IOC_NONE"] => "none",
            ["_IOC_READ"] => "r",
            ["_IOC_WRITE"] => "w",
            ["_IOC_READ", "|", "_IOC_WRITE"] | ["_IOC_WRITE", "|", "_IOC_READ"] => "rw",
            _ => {
                return not_read(format!(
                    "its direction `{}` is not _IOC_NONE, _IOC_READ, _IOC_WRITE or both",
                    args[0].join(" ")
                ))
            }
        };
        let size = match args[3].as_slice() {
            ["0"] => None,
            ["sizeof", "(", t @ .., ")"] => Some(t.to_vec()),
            other => {
                return not_read(format!(
                    "its size `{}` is not `sizeof(TYPE)` or 0",
                    other.join(" ")
                ))
            }
        };
        (dir, size)
    } else {
        let dir = match m.as_str() {
            "_IO" => "none",
            "_IOR" => "r",
            "_IOW" => "w",
            _ => "rw",
        };
        if args.len() != if dir == "none" { 2 } else { 3 } {
            return DefineForm::Skip;
        }
        (dir, args.get(2).cloned())
    };
    // `ioc = true` first, the direction after `nr` unless `_IO`'s (implied without `ioc`).
    let ioc_key = if ioc { "ioc = true, " } else { "" };
    // A name, an integer as TOML writes it, or any other C expression as a string.
    let operand = |key: &str, toks: &[&str]| -> Result<String, String> {
        match toks {
            [t] if is_identifier(t) => Ok(toml_str(t)),
            [t] if int_literal(t).is_some() => {
                let (n, ..) = int_literal(t).expect("an integer");
                if n > 0xff {
                    return Err(format!("its {key} {t} does not fit in 8 bits"));
                }
                // The header's spelling when TOML reads it alike (`0x01`), else the value.
                let plain = t.chars().all(|c| c.is_ascii_digit())
                    && (*t == "0" || !t.starts_with('0'))
                    || t.strip_prefix("0x")
                        .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()));
                Ok(if plain { t.to_string() } else { n.to_string() })
            }
            _ => {
                let text = toks.join(" ");
                match crate::front::cexpr::parse(&text) {
                    Ok(_) => Ok(toml_str(&text)),
                    Err(e) => Err(format!("its {key} `{text}` is not a C integer constant expression uapigen reads ({})", e.message)),
                }
            }
        }
    };
    // `_IOC`'s type and number follow its direction.
    let at = usize::from(ioc);
    let (ty, nr) = match (operand("type", &args[at]), operand("number", &args[at + 1])) {
        (Ok(ty), Ok(nr)) => (ty, nr),
        (Err(why), _) | (_, Err(why)) => return not_read(why),
    };
    let Some(toks) = arg_toks else {
        let dir = if dir == "none" {
            String::new()
        } else {
            format!(", dir = \"{dir}\"")
        };
        return DefineForm::Value(format!(
            "ioctl = {{ {ioc_key}type = {ty}, nr = {nr}{dir} }}"
        ));
    };
    // A type the schema writes: a struct, a scalar, one level of pointer to void, a scalar
    // or a struct (`const char *`), or an array of a struct or scalar (`int [ 2 ]` → `int[2]`).
    fn value_type(toks: &[&str]) -> bool {
        match toks {
            ["struct" | "union", n] => is_identifier(n),
            // A tagged enum of the header's (genwqe_card.h's `enum genwqe_card_state`).
            ["enum", n] => is_identifier(n),
            // A typedef's name (videodev2.h's `v4l2_std_id`), which resolve looks up.
            [n] if is_identifier(n) => true,
            _ => crate::ir::Scalar::from_c_name(&toks.join(" ")).is_some(),
        }
    }
    let (arg, known) = match toks.as_slice() {
        [base @ .., "*"] => {
            let pointee: Vec<&str> = base
                .iter()
                .copied()
                .filter(|t| *t != "const" && *t != "__user")
                .collect();
            let ok = !pointee.contains(&"*") && (pointee == ["void"] || value_type(&pointee));
            (format!("{} *", base.join(" ")), ok)
        }
        [base @ .., "[", n, "]"] if int_literal(n).is_some() && !base.contains(&"[") => {
            let n = int_literal(n).map_or(0, |l| l.0);
            (format!("{}[{n}]", base.join(" ")), value_type(base))
        }
        // A length named by a constant (joystick.h's `__u8[ABS_CNT]`), which must be above,
        // or an expression over such ones (`__u16[KEY_MAX - BTN_MISC + 1]`).
        [base @ .., "[", n, "]"] if is_identifier(n) && !base.contains(&"[") => {
            (format!("{}[{n}]", base.join(" ")), value_type(base))
        }
        [.., "]"] if array_expr(&toks).is_some() => {
            let (base, len) = array_expr(&toks).unwrap_or_default();
            (format!("{}[{len}]", base.join(" ")), value_type(base))
        }
        // C's `unsigned` alone is `unsigned int` (capi.h's `_IOR('C', 0x25, unsigned)`), as
        // import writes a member of it.
        ["unsigned"] => ("unsigned int".to_string(), true),
        ["signed"] => ("int".to_string(), true),
        _ => (toks.join(" "), value_type(&toks)),
    };
    if !known {
        return not_read(format!(
            "its argument type `{arg}` is neither a struct nor a type the schema knows"
        ));
    }
    DefineForm::Value(format!(
        "ioctl = {{ {ioc_key}type = {ty}, nr = {nr}, dir = \"{dir}\", size = {} }}",
        toml_str(&arg)
    ))
}

/// An ioctl argument `T[LEN]` whose length is a C expression (joystick.h's `__u16[KEY_MAX -
/// BTN_MISC + 1]`): the element's tokens and the length's text.
fn array_expr<'a>(toks: &'a [&'a str]) -> Option<(&'a [&'a str], String)> {
    let open = toks.iter().position(|t| *t == "[")?;
    let (base, rest) = toks.split_at(open);
    let len = rest.get(1..rest.len().checked_sub(1)?)?;
    if len.is_empty() || len.contains(&"[") || rest.last() != Some(&"]") {
        return None;
    }
    let text = len.join(" ");
    crate::front::cexpr::parse(&text).ok().map(|_| (base, text))
}

/// The struct or union an ioctl define's schema form names as its argument type (`size =
/// "struct X"`, or a wrapper macro's argument `"union X"`).
fn define_struct(value: &str) -> Option<String> {
    let i = ioctl_table(value)?;
    let size = match i.get("args").and_then(|a| a.as_array()) {
        // Only the argument type of a wrapper's arguments names a struct or union: the
        // others are integer expressions.
        Some(args) => args
            .iter()
            .filter_map(|a| a.as_str())
            .find(|a| a.contains("struct ") || a.contains("union "))?,
        None => i.get("size")?.as_str()?,
    };
    // A pointer needs no struct defined (C's incomplete type): its size is the pointer's.
    if size.trim_end().ends_with('*') && !size.contains("union ") {
        return None;
    }
    // `struct X`, `union X[2]`: X.
    let (_, rest) = size
        .split_once("struct ")
        .or_else(|| size.split_once("union "))?;
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The tag of the enum an ioctl define's schema form gives as its argument type (`size =
/// "enum genwqe_card_state"`).
fn define_enum(value: &str) -> Option<String> {
    let i = ioctl_table(value)?;
    let size = i.get("size")?.as_str()?.trim();
    let tag = size.strip_prefix("enum ")?.trim();
    is_identifier(tag).then(|| tag.to_string())
}

/// The name an ioctl define's schema form gives as its argument type (`size =
/// "v4l2_std_id"`), when it is a bare name: a typedef the header must define.
fn define_typedef_arg(value: &str) -> Option<String> {
    let i = ioctl_table(value)?;
    let size = i.get("size")?.as_str()?.trim();
    (is_identifier(size) && crate::ir::Scalar::from_c_name(size).is_none())
        .then(|| size.to_string())
}

/// Whether `name` is another kernel header's typedef of a scalar (videodev2.h's
/// `v4l2_std_id`) or of an array of one (ppp_defs.h's `ext_accm`), which an `extern` copy
/// writes with nothing else copied. The C library's
/// (matroxfb.h's `size_t`) are no uAPI header's to copy.
fn other_scalar_typedef(others: &HashMap<String, OtherTypedef>, name: &str) -> bool {
    others.get(name).is_some_and(|t| {
        let folder = t.header.split('/').next().unwrap_or("");
        // Or of an array of one (ppp_defs.h's `typedef __u32 ext_accm[8];`, `__u32[8]`).
        let element = t.ty.split_once('[').map_or(t.ty.as_str(), |(e, _)| e);
        Scalar::from_c_name(element).is_some()
            && (UAPI_FOLDERS.contains(&folder) || folder == "asm")
    })
}

/// Another header's typedef the schema can write, for an `extern` copy.
#[derive(Clone)]
struct OtherTypedef {
    /// What it names (`typedef_target`).
    ty: String,
    bitwise: bool,
    aligned: Option<String>,
    header: String,
}

/// An ioctl define's schema form (`ioctl = { ... }`) as a table.
fn ioctl_table(value: &str) -> Option<toml::Table> {
    let table = value.strip_prefix("ioctl = ")?;
    let t: toml::Table = toml::from_str(&format!("i = {table}")).ok()?;
    t.get("i")?.as_table().cloned()
}

/// Whether `name`, which the header uses and does not define, is an object-like macro of a
/// header it includes whose value the schema can write, as can every constant that value
/// uses: then each is queued (in `externs`, after those it uses) as an `extern` copy and
/// counts as `known`.
/// A struct or union a copied value takes `sizeof` of (linux/can.h's `CAN_MTU`) is copied with
/// it by `tag`, or the value is not copied.
fn adopt(
    name: &str,
    others: &HashMap<String, (String, String)>,
    macros: &HashMap<String, crate::front::cexpr::Macro>,
    known: &mut Vec<String>,
    externs: &mut Vec<(String, String, String)>,
    tag: &mut dyn FnMut(&str) -> bool,
    depth: usize,
) -> bool {
    if known.iter().any(|k| k == name) {
        return true;
    }
    let Some((value, header)) = others.get(name) else {
        return false;
    };
    // An ioctl number of another header's struct needs that struct: not copied here; nor is
    // a string, which no integer reads.
    if depth > 16 || define_struct(value).is_some() || value.starts_with("string = ") {
        return false;
    }
    let Ok(names) = define_names(value, macros, &HashSet::new()) else {
        return false;
    };
    if names
        .iter()
        .filter(|n| n.as_str() != name)
        .any(|n| !adopt(n, others, macros, known, externs, tag, depth + 1))
        || names.iter().any(|n| n == name)
        || !sizeof_tags(value).iter().all(|t| tag(t))
    {
        return false;
    }
    known.push(name.to_string());
    externs.push((name.to_string(), value.clone(), header.clone()));
    true
}

/// Whether `name` is a string define above (`strings`), or another header's of literals
/// alone, which is then queued as an `extern` copy (ip_tables.h's `XT_ERROR_TARGET`, of
/// x_tables.h) and counts as above.
fn adopt_string(
    name: &str,
    others: &HashMap<String, (String, String)>,
    strings: &mut Vec<String>,
    externs: &mut Vec<(String, String, String)>,
) -> bool {
    if strings.iter().any(|s| s == name) {
        return true;
    }
    let Some((value, header)) = others.get(name) else {
        return false;
    };
    let literal = form_str(value, "string").is_some_and(|t| {
        crate::front::cstring::parse(&t).is_ok_and(|p| {
            p.parts
                .iter()
                .all(|(p, _)| matches!(p, crate::front::cstring::Part::Literal(_)))
        })
    });
    if literal {
        strings.push(name.to_string());
        externs.push((name.to_string(), value.clone(), header.clone()));
    }
    literal
}

/// Whether `name` is a value of a tagged enum of a header this one includes: then that enum is
/// queued (in `enums`, once, at `at`) as an `extern` copy and its values count as `known`.
fn adopt_enum(
    name: &str,
    others: &HashMap<String, (Item, String)>,
    known: &mut Vec<String>,
    enums: &mut Vec<(String, u32)>,
    at: u32,
) -> bool {
    let found = others.iter().find_map(|(tag, (e, _))| match e {
        Item::Enum { values, .. } if values.iter().any(|(n, ..)| n == name) => Some((
            tag.clone(),
            values.iter().map(|(n, ..)| n.clone()).collect::<Vec<_>>(),
        )),
        _ => None,
    });
    let Some((tag, values)) = found else {
        return false;
    };
    known.extend(values);
    if !enums.iter().any(|(t, _)| *t == tag) {
        enums.push((tag, at));
    }
    true
}

/// The function-like macros of the headers it includes that `text` (an `expr`'s) calls and
/// the header does not define: each queued (in `externs`, once) as an `extern` copy and
/// known in `macros` from then on.
fn adopt_macros(
    text: &str,
    others: &HashMap<String, (Item, String)>,
    macros: &mut HashMap<String, crate::front::cexpr::Macro>,
    externs: &mut Vec<(Item, String)>,
) {
    for w in called(text) {
        if macros.contains_key(w) {
            continue;
        }
        let Some((item @ Item::Macro { params, body, .. }, h)) = others.get(w) else {
            continue;
        };
        if let Ok(m) = crate::front::cexpr::Macro::new(params.clone(), body) {
            macros.insert(w.to_string(), m);
            externs.push((item.clone(), h.clone()));
            // What it calls in turn: each macro is adopted once, so this ends.
            adopt_macros(body, others, macros, externs);
        }
    }
}

/// The names `text` calls: each identifier followed by `(`.
fn called(text: &str) -> Vec<&str> {
    crate::front::cexpr::words(text)
        .map(|w| (&text[w.clone()], &text[w.end..]))
        .filter(|(w, after)| {
            // A number's digits and suffix are skipped whole (`0x1f(` is no call), and so
            // are the operators on types (`offsetof(struct x, m)`).
            let operator = matches!(
                *w,
                "sizeof" | "offsetof" | "__builtin_offsetof" | "_Alignof" | "__alignof__"
            );
            !w.as_bytes()[0].is_ascii_digit() && !operator && after.trim_start().starts_with('(')
        })
        .map(|(w, _)| w)
        .collect()
}

/// The C text of an `expr` define's schema form (`expr = "..."`).
fn expr_text(value: &str) -> Option<String> {
    form_str(value, "expr")
}

/// The string a define's schema form `KEY = "..."` holds, when it is that form.
fn form_str(value: &str, key: &str) -> Option<String> {
    let text = value.strip_prefix(key)?.strip_prefix(" = ")?;
    let t: toml::Table = toml::from_str(&format!("v = {text}")).ok()?;
    Some(t.get("v")?.as_str()?.to_string())
}

/// A define whose body is one call of an ioctl wrapper macro (`DRM_IOWR(nr, struct x)`),
/// in the schema's form for it: `ioctl = { macro, args }`.
fn wrapper_form(
    value: &str,
    macros: &HashMap<String, crate::front::cexpr::Macro>,
) -> Option<String> {
    let (name, args) = one_call(&expr_text(value)?)?;
    let m = macros.get(&name)?;
    if m.io.is_none() || m.params.len() != args.len() {
        return None;
    }
    let args: Vec<String> = args.iter().map(|a| toml_str(a)).collect();
    Some(format!(
        "ioctl = {{ macro = {}, args = [{}] }}",
        toml_str(&name),
        args.join(", ")
    ))
}

/// Whether struct `name`, which the header uses and does not define, is a struct of a header
/// it includes that the schema can write whole, as can every struct it holds: then each is
/// queued (in `externs`, after those it holds) as an `extern` copy and counts as `defined`.
fn adopt_struct(
    name: &str,
    others: &HashMap<String, (Item, String)>,
    defined: &mut Vec<String>,
    externs: &mut Vec<(String, Item, String)>,
    depth: usize,
) -> bool {
    if defined.iter().any(|d| d == name) {
        return true;
    }
    let Some((
        item @ Item::Struct {
            fields, problems, ..
        },
        header,
    )) = others.get(name)
    else {
        return false;
    };
    if depth > 16 || !problems.is_empty() {
        return false;
    }
    for f in all_fields(fields) {
        if let Some(t) = &f.struct_ref {
            if t == name || !adopt_struct(t, others, defined, externs, depth + 1) {
                return false;
            }
        }
    }
    defined.push(name.to_string());
    externs.push((name.to_string(), item.clone(), header.clone()));
    true
}

/// Another header's constants (name, value, header), each after those it uses, as `extern`
/// defines above every item; the schema includes their headers.
fn insert_extern_defines(state: &mut State, externs: Vec<(String, String, String)>) {
    for (name, value, h) in externs.into_iter().rev() {
        if !state.includes.contains(&h) {
            state.includes.push(h.clone());
        }
        let item = Item::Define {
            name,
            value,
            offset: 0,
            extern_header: Some(h),
        };
        state.items.insert(0, (0, item));
    }
}

/// A copied struct's members are at offsets of its own header, not this one's.
fn set_offsets(fields: &mut [Field], offset: u32) {
    for f in fields {
        f.offset = offset;
        if let Some((_, ms)) = &mut f.inline {
            set_offsets(ms, offset);
        }
    }
}

/// Where the header uses struct `name`: the first member of its own structs of that type, or
/// of a copy that one of them holds (at most `depth` copies deep); 0 when none.
fn user_offset(
    name: &str,
    items: &[(u32, Item)],
    copies: &[(String, Item, String)],
    depth: usize,
) -> u32 {
    fn holder(fields: &[Field], name: &str) -> Option<u32> {
        fields.iter().find_map(|f| match &f.inline {
            Some((_, ms)) => holder(ms, name),
            None => (f.struct_ref.as_deref() == Some(name)).then_some(f.offset),
        })
    }
    let own = items.iter().find_map(|(_, it)| match it {
        Item::Struct {
            fields,
            extern_header: None,
            ..
        } => holder(fields, name),
        _ => None,
    });
    if let Some(o) = own {
        return o;
    }
    // An ioctl number whose argument it is (`_IOWR(KVMIO, 0x02, struct kvm_msr_list)`).
    let spelled = format!("struct {name}");
    let define = items.iter().find_map(|(o, it)| match it {
        Item::Define {
            value,
            extern_header: None,
            ..
        } if value.contains(&spelled) => Some(*o),
        _ => None,
    });
    if let Some(o) = define {
        return o;
    }
    if depth == 0 {
        return 0;
    }
    copies
        .iter()
        .find_map(|(copy, it, _)| match it {
            Item::Struct { fields, .. } if holder(fields, name).is_some() => {
                Some(user_offset(copy, items, copies, depth - 1))
            }
            _ => None,
        })
        .unwrap_or(0)
}

/// The constants a define's schema form names (through the macros it calls), or why its
/// expression cannot be read with the function-like macros defined above it.
fn define_names(
    value: &str,
    macros: &HashMap<String, crate::front::cexpr::Macro>,
    types: &HashSet<String>,
) -> Result<Vec<String>, String> {
    if let Some((name, args)) = ioctl_table(value).and_then(|t| wrapper_of(&t)) {
        let m = macros
            .get(&name)
            .ok_or_else(|| format!("`{name}` is no macro defined above it"))?;
        let (ty, nr) = m
            .io_operands(&args)
            .ok_or_else(|| format!("`{name}` takes {} arguments", m.params.len()))?;
        let size = m.io.as_ref().and_then(|b| b.size_param);
        // Each argument is evaluated on its own too, so what an unused one names counts.
        let numbers = args
            .iter()
            .enumerate()
            .filter(|(k, _)| Some(*k) != size)
            .map(|(_, a)| a.clone());
        let mut names = Vec::new();
        for text in [ty, nr].into_iter().chain(numbers) {
            let e = parse_expr(&text, macros, types).map_err(|e| e.message)?;
            names.extend(e.names.into_iter().map(|(n, _)| n));
        }
        return Ok(names);
    }
    if let Some(text) = form_str(value, "string") {
        return crate::front::cstring::parse(&text)
            .map(|parsed| {
                parsed
                    .parts
                    .into_iter()
                    .filter_map(|(p, _)| match p {
                        crate::front::cstring::Part::Name(n) => Some(n),
                        crate::front::cstring::Part::Literal(_) => None,
                    })
                    .collect()
            })
            .map_err(|e| e.message);
    }
    if let Some(text) = expr_text(value) {
        let text = crate::front::cexpr::sizes_as_one(&text).map_err(|e| e.message)?;
        return parse_expr(&text, macros, types)
            .map(|e| e.names.into_iter().map(|(n, _)| n).collect())
            .map_err(|e| e.message);
    }
    Ok(define_names_plain(value))
}

/// `text` parsed as an integer expression over `macros`, whose casts may name the typedefs
/// `types` (`((__sighandler_t)-1)` is a cast, not a subtraction); if it is none, as one whose
/// casts may name any typedef (`((v4l2_std_id)0x100)`), whether the header has it above is
/// resolve's to check.
fn parse_expr(
    text: &str,
    macros: &HashMap<String, crate::front::cexpr::Macro>,
    types: &HashSet<String>,
) -> Result<crate::front::cexpr::CExpr, crate::front::cexpr::CError> {
    let lookup = |n: &str| macros.get(n).cloned();
    let known = |n: &str| {
        (Scalar::from_c_name(n).is_none() && types.contains(n))
            .then_some(crate::front::cexpr::CType::Int)
    };
    crate::front::cexpr::parse_with_types(text, &lookup, &known).or_else(|_| {
        // Not a type the schema knows: those casts the strict parse took or refused.
        crate::front::cexpr::parse_with_types(text, &lookup, &|n| {
            Scalar::from_c_name(n)
                .is_none()
                .then_some(crate::front::cexpr::CType::Int)
        })
    })
}

/// What `alias = "NAME"` names.
fn alias_of(value: &str) -> Option<String> {
    form_str(value, "alias")
}

/// The names an `expr` define's casts take as types where the schema has no type of that
/// name (`((__kernel_rwf_t)1)`, `((__sighandler_t)0)`): what `parse_expr` took on trust.
fn cast_types(
    value: &str,
    macros: &HashMap<String, crate::front::cexpr::Macro>,
    types: &HashSet<String>,
) -> Vec<String> {
    let Some(text) = expr_text(value) else {
        return Vec::new();
    };
    let text = crate::front::cexpr::sizes_as_one(&text).unwrap_or(text);
    let lookup = |n: &str| macros.get(n).cloned();
    let seen = std::cell::RefCell::new(Vec::new());
    // Casts to the typedefs `types` first (`((__sighandler_t)-1)`), as `parse_expr` reads them.
    let known = |n: &str| {
        (Scalar::from_c_name(n).is_none() && types.contains(n)).then(|| {
            seen.borrow_mut().push(n.to_string());
            crate::front::cexpr::CType::Int
        })
    };
    if crate::front::cexpr::parse_with_types(&text, &lookup, &known).is_ok() {
        return seen.into_inner();
    }
    seen.borrow_mut().clear();
    let _ = crate::front::cexpr::parse_with_types(&text, &lookup, &|n| {
        Scalar::from_c_name(n).is_none().then(|| {
            seen.borrow_mut().push(n.to_string());
            crate::front::cexpr::CType::Int
        })
    });
    seen.into_inner()
}

/// The bare names an `expr` define takes the `sizeof` of (`sizeof(time_t)`,
/// `sizeof(XATTR_OS2_PREFIX)`): a type or a constant, which the schema must know.
fn sizeof_names(value: &str) -> Vec<String> {
    sizeof_types(value)
        .into_iter()
        .filter(|t| is_identifier(t))
        .collect()
}

/// What an `expr` define takes the `sizeof` of, as written (`struct can_frame`, `time_t`).
fn sizeof_types(value: &str) -> Vec<String> {
    let Some(text) = expr_text(value) else {
        return Vec::new();
    };
    crate::front::cexpr::sizeofs(&text)
        .unwrap_or_default()
        .into_iter()
        .map(|(_, t)| t)
        .collect()
}

/// The tags of the structs and unions a define's value takes `sizeof` of.
fn sizeof_tags(value: &str) -> Vec<String> {
    sizeof_types(value)
        .into_iter()
        .filter_map(|t| {
            let tag = t
                .strip_prefix("struct ")
                .or_else(|| t.strip_prefix("union "))?
                .trim();
            is_identifier(tag).then(|| tag.to_string())
        })
        .collect()
}

/// A wrapper macro's call in an ioctl's schema table: the macro and its arguments.
fn wrapper_of(t: &toml::Table) -> Option<(String, Vec<String>)> {
    let name = t.get("macro")?.as_str()?.to_string();
    let args = t
        .get("args")?
        .as_array()?
        .iter()
        .map(|a| a.as_str().map(str::to_string))
        .collect::<Option<Vec<String>>>()?;
    Some((name, args))
}

/// The constants a define's schema form other than `expr` names.
fn define_names_plain(value: &str) -> Vec<String> {
    if let Some(table) = value.strip_prefix("ioctl = ") {
        let Ok(t) = toml::from_str::<toml::Table>(&format!("i = {table}")) else {
            return Vec::new();
        };
        let mut names: Vec<String> = ["type", "nr"]
            .iter()
            .filter_map(|k| t.get("i")?.get(*k)?.as_str().map(str::to_string))
            .flat_map(|text| {
                crate::front::cexpr::parse(&text)
                    .map(|e| e.names.into_iter().map(|(n, _)| n).collect::<Vec<_>>())
                    .unwrap_or_default()
            })
            .collect();
        // An array argument's length named by constants: `__u8[ABS_CNT]`, `__u16[KEY_MAX -
        // BTN_MISC + 1]`.
        let size = t
            .get("i")
            .and_then(|i| i.get("size")?.as_str().map(str::to_string));
        if let Some(len) = size
            .as_deref()
            .and_then(|s| s.strip_suffix(']')?.rsplit_once('['))
            .map(|(_, n)| n.trim())
        {
            if let Ok(e) = crate::front::cexpr::parse(len) {
                names.extend(e.names.into_iter().map(|(n, _)| n));
            }
        }
        return names;
    }
    if value.starts_with("char = ") {
        return Vec::new();
    }
    value
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// One file-scope declaration or directive of the header (`main_file`) into `state`.
fn collect_top(c: Cursor<'_>, main_file: Option<File<'_>>, state: &mut State) {
    // Where the declaration is in the header: a declaration a macro of another header
    // expands to here is the header's too.
    let place = c.location().expansion();
    if place.file != main_file {
        return;
    }
    let offset = place.offset;
    let kind = c.kind();
    let spelled = c.spelling();
    // Whether a typedef names a scalar, or a struct or union this header defines above.
    let typedef_above = kind == CursorKind::Typedef
        && typedef_target(c).as_deref().is_none_or(|ty| {
            if let Some(tag) = ty.strip_prefix("enum ") {
                return state
                    .items
                    .iter()
                    .any(|(_, i)| matches!(i, Item::Enum { name: Some(name), .. } if name == tag));
            }
            // (a pointer's too: `typedef struct bm *bm_p;` has no form for an incomplete one)
            let ty = ty.trim_start_matches("const ");
            match ty
                .strip_prefix("struct ")
                .or_else(|| ty.strip_prefix("union "))
                .map(|t| t.trim_end_matches('*').trim())
            {
                Some(tag) => state
                    .items
                    .iter()
                    .any(|(_, i)| matches!(i, Item::Struct { name, .. } if name == tag)),
                None => true,
            }
        });
    let mut not_imported = |what: String, why: &str| {
        state.items.push((
            offset,
            Item::NotImported {
                what,
                why: why.to_string(),
            },
        ))
    };
    let definition = c.is_definition();
    match kind {
        CursorKind::Struct | CursorKind::Union | CursorKind::Enum if !definition => {
            let word = match kind {
                CursorKind::Struct => "struct",
                CursorKind::Union => "union",
                _ => "enum",
            };
            not_imported(
                format!("`{word} {spelled};`, a declaration without a body"),
                "the schema declares only what it defines",
            );
            return;
        }
        CursorKind::Function => {
            not_imported(
                format!("function `{spelled}` (`{}`)", c.ty().spelling()),
                "the schema describes the data that crosses the user/kernel line, not code",
            );
            return;
        }
        CursorKind::Var => {
            // Its type, a struct without a tag declared in it (linux/cxl_mem.h's `static
            // const struct { const char *name; } cxl_command_names[]`), is no uAPI type
            // either: it goes with the variable.
            let range = c.extent();
            let (start, end) = (
                range.start().expansion().offset,
                range.end().expansion().offset,
            );
            state.untagged.retain(|(o, _)| !(start <= *o && *o < end));
            // libclang spells an untagged type by its place: `struct (unnamed struct at
            // /path/cxl_mem.h:63:14)[26]`; the note says `struct { ... }[26]`.
            let ty = c.ty().spelling();
            let ty = match (ty.find("(unnamed "), ty.find(')')) {
                (Some(a), Some(b)) if a < b => format!("{}{{ ... }}{}", &ty[..a], &ty[b + 1..]),
                _ => ty,
            };
            not_imported(
                format!("variable `{spelled}` (`{ty}`)"),
                "the schema declares types and constants, not objects",
            );
            return;
        }
        CursorKind::Typedef if untagged_enum(c).is_some() => {
            // `typedef enum { ... } NAME;`: the enum just read, named NAME (`typedef = true`).
            let Some(decl) = untagged_enum(c) else {
                return;
            };
            let at = decl.location().expansion().offset;
            let enum_item = state.items.iter_mut().rev().find_map(|(o, i)| match i {
                Item::Enum { name, decl, .. } if *o == at && name.is_none() => Some((name, decl)),
                _ => None,
            });
            match enum_item {
                Some((name, decl)) => {
                    *name = Some(spelled);
                    *decl = EnumDecl::Typedef;
                }
                None => state.items.push((
                    offset,
                    Item::NotImported {
                        what: format!("typedef `{spelled}` of an enum without a tag"),
                        why: "its enum is not one import read".to_string(),
                    },
                )),
            }
            return;
        }
        CursorKind::Typedef if untagged_record(c).is_some() => {
            // `typedef struct { ... } NAME;`: the struct, named NAME, where it is defined.
            let Some(decl) = untagged_record(c) else {
                return;
            };
            let at = decl.location().expansion().offset;
            let mut item = struct_item(decl, spelled, at, main_file, &state.source);
            if let Item::Struct { typedef, .. } = &mut item {
                *typedef = true;
            }
            state.untagged.retain(|(o, _)| *o != at);
            state.items.push((at, item));
            return;
        }
        CursorKind::Typedef => {
            // The kernel's own types (`__s8`, `__le16`, `__kernel_mode_t`, `__virtio16`):
            // what uapigen's <linux/types.h> stands for, not the schema's. A header's own of
            // that spelling is its (linux/fs.h's `__kernel_rwf_t`, rpmsg_types.h's).
            let kernel_own = Scalar::from_c_name(&spelled).is_some();
            let target = typedef_target(c).filter(|_| !kernel_own && typedef_above);
            match target {
                Some(ty) => state.items.push((
                    offset,
                    Item::Typedef {
                        name: spelled,
                        ty,
                        bitwise: is_bitwise(c),
                        aligned: typedef_aligned(c),
                        extern_header: None,
                    },
                )),
                None => not_imported(
                    format!(
                        "typedef `{spelled}` (`{}`)",
                        c.typedef_underlying().spelling()
                    ),
                    if kernel_own {
                        "a type of the kernel's own (`__...`), which the headers uapigen's \
                         <linux/types.h> stands for define"
                    } else {
                        "the schema's typedefs name a scalar, a `struct NAME` or `union NAME` \
                         this header defines above, an array of a scalar, a pointer a member \
                         may be or a function's type (not another typedef, a qualified type or \
                         one with an attribute)"
                    },
                ),
            }
            return;
        }
        CursorKind::StaticAssert => {
            not_imported(
                "`_Static_assert`".to_string(),
                "the schema has no assertions; `uapigen check` proves the generated \
                 header's layout on every target",
            );
            return;
        }
        CursorKind::Inclusion => {
            // `#include <x>` is the schema's `includes`; a quoted one is not.
            let line = state.source.get(offset as usize..).unwrap_or("");
            let line = line.lines().next().unwrap_or("");
            if line.contains('<') {
                state.include_at.insert(spelled.clone(), offset);
                state.includes.push(spelled);
            } else {
                not_imported(
                    format!("`#include \"{spelled}\"`"),
                    "the schema's includes are `#include <...>` of the kernel's headers",
                );
            }
            return;
        }
        // Uses of macros, not declarations.
        CursorKind::MacroExpansion => return,
        CursorKind::Struct | CursorKind::Union | CursorKind::Enum | CursorKind::MacroDefinition => {
        }
        _ => {
            not_imported(
                format!("{} `{spelled}`", c.kind_spelling()),
                "a declaration `uapigen import` does not read",
            );
            return;
        }
    }
    if matches!(kind, CursorKind::Struct | CursorKind::Union) && definition {
        let item = struct_item(c, spelled.clone(), offset, main_file, &state.source);
        // One without a tag waits for the typedef that names it, if one does.
        if untagged(&spelled) {
            state.untagged.push((offset, item));
        } else {
            state.items.push((offset, item));
        }
    } else if kind == CursorKind::Enum && definition {
        let e = Enumerators::of(c);
        state.problems.extend(e.problems);
        let mut packed = false;
        for attr in attributes_of(c) {
            if attr == "attribute(packed)" {
                packed = true;
                continue;
            }
            state.problems.push(Problem {
                offset,
                len: spelled.len().max(1),
                message: format!(
                    "enum `{spelled}` has {attr}: the schema's enums are plain C enums, \
                     and the header it generates would drop it"
                ),
            });
        }
        let name = (!untagged(&spelled)).then_some(spelled);
        state.items.push((
            offset,
            Item::Enum {
                name,
                doc: doc_of(c),
                values: e.values,
                forms: e.forms,
                self_defined: Vec::new(),
                decl: EnumDecl::Alone,
                extern_header: None,
                packed,
            },
        ));
    } else if kind == CursorKind::MacroDefinition {
        let name = spelled;
        if c.is_function_like_macro() {
            let item = function_like(c, name.clone());
            if let Item::NotImported { why, .. } = &item {
                state.unreadable_macros.insert(name, why.clone());
            }
            state.items.push((offset, item));
            return;
        }
        match define_value(c) {
            // `or` reads its operands as bits; one written as an expression may be negative
            // (`(1<<31)`, INT_MIN), which only an `expr` ORs as C does.
            DefineForm::Value(value) if value.starts_with("or = ") && or_of_expr(c, state) => {
                state.items.push((
                    offset,
                    Item::Define {
                        name,
                        value: format!("expr = {}", toml_str(&c.macro_body())),
                        offset,
                        extern_header: None,
                    },
                ))
            }
            DefineForm::Value(value) => state.items.push((
                offset,
                Item::Define {
                    name,
                    value,
                    offset,
                    extern_header: None,
                },
            )),
            DefineForm::Skip => state.items.push((offset, Item::Skipped { name })),
            DefineForm::NotRead(why) => state.items.push((
                offset,
                Item::NotImported {
                    what: format!("#define {name}"),
                    why,
                },
            )),
            DefineForm::Refuse(why) => state.problems.push(Problem {
                offset,
                len: name.len(),
                message: format!("#define {name} {why}"),
            }),
        }
    }
}

/// The first array dimension's text after a member's name at `at` in `source`, when it is
/// not a number: `char device[200-sizeof(unsigned long)]`'s `200-sizeof(unsigned long)`, its
/// comments dropped and its whitespace one space.
fn array_len_text(source: &str, at: usize) -> Option<String> {
    let rest = source.get(at..)?;
    let rest = rest.trim_start().strip_prefix('[')?;
    let mut depth = 0usize;
    let end = rest.char_indices().find_map(|(i, c)| match c {
        '[' | '(' => {
            depth += 1;
            None
        }
        ')' => {
            depth = depth.saturating_sub(1);
            None
        }
        ']' if depth == 0 => Some(i),
        ']' => {
            depth -= 1;
            None
        }
        ';' | '{' | '}' => Some(usize::MAX),
        _ => None,
    })?;
    let text = without_comments(rest.get(..end)?);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty() && int_literal(&text).is_none()).then_some(text)
}

/// Keeps each array length's text (`len_text`) that the schema can write: the names in it
/// (outside `sizeof`) constants `known` above, no call, and no `sizeof` of a struct or union
/// (whose size the schema takes only in a define); the others are written as numbers.
fn len_texts(fields: &mut [Field], known: &HashSet<String>) {
    for f in fields {
        if let Some((_, ms)) = &mut f.inline {
            len_texts(ms, known);
        }
        let Some(text) = &f.len_text else {
            continue;
        };
        let sizeofs = crate::front::cexpr::sizeofs(text).unwrap_or_default();
        let plain_sizes = sizeofs
            .iter()
            .all(|(_, ty)| !ty.contains("struct") && !ty.contains("union"));
        let rest = crate::front::cexpr::sizes_as_one(text).unwrap_or_default();
        let ok = plain_sizes
            && !rest.is_empty()
            && called(&rest).is_empty()
            && len_names(text).iter().all(|w| known.contains(w));
        if !ok {
            f.len_text = None;
        }
    }
}

/// The names an array length's text uses outside `sizeof` (the constants it needs).
fn len_names(text: &str) -> Vec<String> {
    let rest = crate::front::cexpr::sizes_as_one(text).unwrap_or_default();
    crate::front::cexpr::words(&rest)
        .map(|r| &rest[r])
        .filter(|w| !w.starts_with(|c: char| c.is_ascii_digit()))
        .map(str::to_string)
        .collect()
}

/// Whether define `c` names a define above that import writes as an `expr`.
fn or_of_expr(c: Cursor<'_>, state: &State) -> bool {
    c.tokens().iter().skip(1).any(|t| {
        state.items.iter().rev().any(|(_, i)| {
            matches!(i, Item::Define { name, value, .. } if name == t && value.starts_with("expr = "))
        })
    })
}

/// A struct definition (`c`, at `offset` of `file`, whose text is `source`) as an item: its
/// fields, and what the schema cannot write of it.
fn struct_item(
    c: Cursor<'_>,
    spelled: String,
    offset: u32,
    main_file: Option<File<'_>>,
    source: &str,
) -> Item {
    let mut problems = Vec::new();
    let name = spelled;
    let shown = if untagged(&name) {
        "a struct without a tag".to_string()
    } else {
        format!("struct `{name}`")
    };
    let at = |len: usize, message: String| Problem {
        offset,
        len,
        message,
    };
    if untagged(&name) {
        problems.push(at(
            6,
            format!(
                "{shown}: the schema names every struct (`struct NAME {{ ... }};`, \
                 not a typedef of an anonymous struct)"
            ),
        ));
    }
    // `packed`, `aligned(n)`, `deprecated` and `__may_alias__`, as the schema writes them; any
    // other is refused.
    let mut packed = false;
    let mut aligned = None;
    let (mut deprecated, mut may_alias) = (false, false);
    c.visit_children(|a| {
        if !a.is_attribute() {
            return;
        }
        match a.kind_spelling().as_str() {
            "attribute(packed)" => packed = true,
            "attribute(aligned)" => match (aligned_value(a), c.ty().align()) {
                (Ok(n), _) => aligned = Some(n),
                // `aligned(sizeof(__u64))` (scsi/scsi_netlink.h): gcc makes the struct
                // max(n, its members') aligned, which is libclang's alignof; written as
                // that number, the layout proof then holds it on every target.
                // A bare `aligned` is the ABI's largest alignment, which differs
                // between ABIs: refused.
                (Err(_), Some(n)) if n.is_power_of_two() && n <= 4096 && a.tokens().len() > 1 => {
                    aligned = Some(n.to_string())
                }
                (Err(why), _) => problems.push(at(6, format!("{shown} has {why}"))),
            },
            // `deprecated` and `__may_alias__`, which libclang leaves unexposed: by their
            // tokens, plain (a message to `deprecated` has no schema spelling).
            attr => match a.tokens().as_slice() {
                [w] if w == "deprecated" || w == "__deprecated__" => deprecated = true,
                [w] if w == "may_alias" || w == "__may_alias__" => may_alias = true,
                _ => problems.push(at(
                    6,
                    format!(
                        "{shown} has {attr}: the schema writes a struct's `packed`, \
                         `aligned(n)`, `deprecated` and `__may_alias__`, no other attribute"
                    ),
                )),
            },
        }
    });
    let mut walk = Walk {
        fields: Vec::new(),
        problems: &mut problems,
        owner: name.clone(),
        at: offset,
        main_file,
        source,
    };
    c.ty().visit_fields(|m| {
        let f = field_of(m, &mut walk);
        walk.fields.push(f);
    });
    let mut fields = walk.fields;
    let range = c.extent();
    let (start, end) = (
        range.start().spelling().offset,
        range.end().spelling().offset,
    );
    // A struct declared by the byte order (ip.h's `#if defined(__LITTLE_ENDIAN_BITFIELD)`
    // orders iphdr's bitfields so): every target is read here with x86's <asm/byteorder.h>,
    // so its other declaration is never measured, and the schema's struct is one declaration.
    // The forms the schema writes (`byte_order`): a run of bitfields each byte's in reverse
    // in the big-endian branch, and runs of other members in reverse there (if_packet.h's
    // `fanout_args`; md_p.h's two pairs, one label each), read from that branch's text. Members
    // in the same place in both branches (ioam6.h's union) are written once. libclang's
    // big-endian layout (s390x, read with a <asm/byteorder.h> of its own) proves what is
    // written. Another header's copy keeps no member's place in its file, so there any such
    // branch is refused.
    let body = source.get(start as usize..end as usize).unwrap_or("");
    let own = c.location().spelling().file == main_file;
    // Per `#if`: the little-endian branch's bytes, and the big-endian branch's text.
    let mut regions: Vec<((u32, u32), &str)> = Vec::new();
    let mut refused: Option<&str> = None;
    // The branch open: (where it starts, little-endian).
    let mut open: Option<(u32, bool)> = None;
    let mut little_at: Option<(u32, u32)> = None;
    let mut big_text: Option<&str> = None;
    let mut at_line = start;
    for line in body.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with('#') {
            if let Some((o, little)) = open.take() {
                if little {
                    little_at = Some((o, at_line));
                } else {
                    let (a, b) = ((o - start) as usize, (at_line - start) as usize);
                    big_text = body.get(a..b);
                }
            }
            // `#else` after one byte order's branch is the other's (if_packet.h's
            // `fanout_args`), or, after both, the `#error` of neither.
            let test = byte_order_test(t).or_else(|| {
                let other = match (little_at.is_some(), big_text.is_some()) {
                    (true, false) => false,
                    (false, true) => true,
                    _ => return None,
                };
                (t.strip_prefix('#').map(str::trim_start) == Some("else")).then_some(other)
            });
            match test {
                Some(little) if own => open = Some((at_line + line.len() as u32, little)),
                _ if t.starts_with("#endif")
                    || t.starts_with("#else")
                    || t.starts_with("#error") => {}
                _ if t.contains("ENDIAN") || t.contains("BYTE_ORDER") => {
                    refused.get_or_insert(t);
                }
                _ => {}
            }
            if t.starts_with("#endif") {
                if let (Some(l), Some(b)) = (little_at.take(), big_text.take()) {
                    regions.push((l, b));
                } else if little_at.is_some() || big_text.is_some() {
                    refused.get_or_insert(t);
                }
                little_at = None;
                big_text = None;
            }
        }
        at_line += line.len() as u32;
    }
    if own {
        if let Some(r) = whole_per_byte_order(source, start, end) {
            regions.push(r);
        }
    }
    if refused.is_none() && !regions.is_empty() {
        if let Err(path) = mark_byte_order(&mut fields, &regions) {
            problems.push(at(
                name.len().max(1),
                format!(
                    "{shown} declares `{path}` by the byte order in an order the schema cannot \
                     write: it writes a run of bitfields each byte's in reverse, or runs of \
                     other members each in reverse (`byte_order`)"
                ),
            ));
        }
    }
    if let Some(line) = refused {
        problems.push(at(
            name.len().max(1),
            format!(
                "{shown} is declared by the byte order (`{}`): its other declaration is not \
                 measured, and the schema's struct is one declaration on every ABI",
                one_line(line)
            ),
        ));
    }
    // `} EPOLL_PACKED;`: packed where the macro is (linux/eventpoll.h), not on every target
    // as x86-64's reading has it.
    let packed_by = body
        .rfind('}')
        .map(|b| {
            let after = &source[start as usize + b + 1..];
            after[..after.find(';').unwrap_or(0)].trim()
        })
        .filter(|m| is_identifier(m) && own)
        .and_then(|m| packing_macro(source, m).map(|w| (m.to_string(), w)));
    let packed = packed && packed_by.is_none();
    Item::Struct {
        name,
        union: c.kind() == CursorKind::Union,
        typedef: false,
        extern_header: None,
        doc: doc_of(c),
        packed,
        packed_by,
        aligned,
        pack: None,
        deprecated,
        may_alias,
        fields,
        start,
        end,
        problems,
        when: None,
    }
}

/// The condition (as `when` writes it) under which macro `name` is `__attribute__((packed))`,
/// when the header defines it so in one branch of an architecture's `#if` and empty in the
/// other (linux/eventpoll.h's `EPOLL_PACKED` under `#ifdef __x86_64__`).
fn packing_macro(source: &str, name: &str) -> Option<String> {
    let defines: Vec<(u32, String)> = directive_lines(source)
        .into_iter()
        .filter(|d| d.word == "define")
        .filter_map(|d| {
            let rest = d.rest.strip_prefix(name)?;
            (rest.is_empty() || rest.starts_with([' ', '\t']))
                .then(|| (d.start, rest.split_whitespace().collect::<String>()))
        })
        .collect();
    let [(a, body_a), (b, body_b)] = defines.as_slice() else {
        return None;
    };
    let packs =
        |body: &str| body == "__attribute__((packed))" || body == "__attribute__((__packed__))";
    let (packing, _) = match (
        packs(body_a),
        packs(body_b),
        body_a.is_empty(),
        body_b.is_empty(),
    ) {
        (true, _, _, true) => (*a, *b),
        (_, true, true, _) => (*b, *a),
        _ => return None,
    };
    let (lo, hi) = ((*a).min(*b), (*a).max(*b));
    let region = arch_regions(source).into_iter().find(|r| {
        !r.other && r.start < lo && hi < r.end && r.else_at.is_some_and(|e| lo < e && e < hi)
    })?;
    // In the `#if` branch of an `#ifdef`, or the `#else` of an `#ifndef`: where it holds.
    let first = region.else_at.is_some_and(|e| packing < e);
    Some(if first != region.negated {
        region.condition
    } else {
        format!("!({})", region.condition)
    })
}

/// A kernel-doc comment: `struct NAME - summary`, `@member: text` lines (continued by
/// indented lines), then the description.
struct KernelDoc {
    summary: Option<String>,
    params: Vec<(String, String)>,
    body: Option<String>,
}

fn kernel_doc(doc: &str, name: &str) -> KernelDoc {
    let mut lines = doc.lines().peekable();
    let head = format!("struct {name} - ");
    let summary = match lines.peek() {
        Some(first) if first.starts_with(&head) => {
            let s = first[head.len()..].trim().to_string();
            lines.next();
            Some(s)
        }
        _ => None,
    };
    if summary.is_none() {
        return KernelDoc {
            summary: None,
            params: Vec::new(),
            body: Some(doc.to_string()),
        };
    }
    let mut params: Vec<(String, String)> = Vec::new();
    let mut body = Vec::new();
    for line in lines {
        if !body.is_empty() || (line.trim().is_empty() && !params.is_empty()) {
            body.push(line.to_string());
        } else if let Some(rest) = line.strip_prefix('@') {
            if let Some((p, text)) = rest.split_once(':') {
                params.push((p.trim().to_string(), text.trim().to_string()));
            }
        } else if let Some(last) = params.last_mut() {
            last.1.push('\n');
            last.1.push_str(line.trim());
        }
    }
    let body = body.join("\n").trim().to_string();
    KernelDoc {
        summary,
        params,
        body: (!body.is_empty()).then_some(body),
    }
}

/// Field docs from `@name` (or `@union.member`) lines, where the field has none of its own.
fn give_docs(fields: &mut [Field], prefix: &str, params: &[(String, String)]) {
    for f in fields {
        let path = match (&f.name, prefix.is_empty()) {
            (Some(n), true) => n.clone(),
            (Some(n), false) => format!("{prefix}.{n}"),
            (None, _) => prefix.to_string(),
        };
        if f.doc.is_none() && f.name.is_some() {
            f.doc = params
                .iter()
                .find(|(p, _)| *p == path || f.name.as_deref() == Some(p.as_str()))
                .map(|(_, t)| t.clone());
        }
        if let Some((_, ms)) = &mut f.inline {
            give_docs(ms, &path, params);
        }
    }
}

/// `s` as a TOML literal string (`'"ethtool"'`, C's escapes read as written) when it can be
/// one, else as a basic string.
fn toml_text(s: &str) -> String {
    if s.contains('\'') || s.chars().any(char::is_control) {
        toml_str(s)
    } else {
        format!("'{s}'")
    }
}

/// A TOML basic string: `"` and `\` escaped, control characters as `\uXXXX`.
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text as TOML: a multi-line string when it has lines, every `"`, `\` and control character
/// escaped so no text of the header can end the string.
fn quote(s: &str) -> String {
    if !s.contains('\n') {
        return toml_str(s);
    }
    let mut body = String::new();
    for ch in s.chars() {
        match ch {
            '"' => body.push_str("\\\""),
            '\\' => body.push_str("\\\\"),
            '\n' | '\t' => body.push(ch),
            c if c.is_control() => body.push_str(&format!("\\u{:04X}", c as u32)),
            c => body.push(c),
        }
    }
    format!("\"\"\"\n{body}\"\"\"")
}

/// One field as TOML; `spans` learns which line is where in the header.
fn field_toml(f: &Field, indent: &str, out: &mut String, spans: &mut Vec<Span>) {
    let first = out.matches('\n').count() + 1;
    spans.push(Span {
        lines: first..first + 1,
        offset: f.offset,
    });
    let mut parts = Vec::new();
    if let Some(n) = &f.name {
        parts.push(format!("name = \"{n}\""));
        // `self`, `_`: no Rust identifier, not even a raw one; the Rust field gets `self_`.
        if crate::names::rust_ident(n) == crate::names::RustIdent::Invalid
            && crate::names::is_c_identifier(n)
        {
            parts.push(format!("rust_name = \"{n}_\""));
        }
    }
    if let Some(t) = &f.ty {
        parts.push(format!("type = \"{t}\""));
    }
    match (&f.len_text, f.len) {
        (Some(t), Some(_)) => parts.push(format!("len = {}", toml_str(t))),
        (None, Some(n)) => parts.push(format!("len = {n}")),
        _ => {}
    }
    if f.flexible && f.declared {
        parts.push("flexible = \"__DECLARE_FLEX_ARRAY\"".to_string());
    } else if f.flexible {
        parts.push("flexible = true".to_string());
    }
    if !f.dims.is_empty() {
        let d: Vec<String> = f.dims.iter().map(u64::to_string).collect();
        parts.push(format!("dims = [{}]", d.join(", ")));
    }
    if let Some(n) = f.bits {
        parts.push(format!("bits = {n}"));
    }
    match (&f.byte_order_label, f.byte_order) {
        _ if f.byte_order_word => parts.push("byte_order = \"word\"".to_string()),
        (Some(l), true) => parts.push(format!("byte_order = {}", toml_str(l))),
        (None, true) => parts.push("byte_order = true".to_string()),
        _ => {}
    }
    if let Some(n) = &f.aligned {
        parts.push(format!("aligned = {n}"));
    }
    if let Some(g) = &f.flags {
        parts.push(format!("flags = \"{g}\""));
    }
    if let Some(d) = &f.doc {
        parts.push(format!("doc = {}", quote(d)));
    }
    if let Some(c) = &f.libc_compat {
        parts.push(format!("libc_compat = {}", toml_str(c)));
    }
    if let Some((c, negated)) = &f.when {
        let key = if *negated { "unless" } else { "when" };
        parts.push(format!("{key} = {}", toml_str(c)));
    }
    if f.incomplete {
        parts.push("incomplete = true".to_string());
    }
    if f.embeds_flexible {
        parts.push("embeds_flexible = true".to_string());
    }
    if let Some((m, args)) = &f.declared_by {
        let args: Vec<String> = args.iter().map(|a| toml_str(a)).collect();
        parts.push(format!(
            "declared_by = {{ macro = {}, args = [{}] }}",
            toml_str(m),
            args.join(", ")
        ));
    }
    if f.packed {
        parts.push("packed = true".to_string());
    }
    if f.konst {
        parts.push("const = true".to_string());
    }
    if f.volatile {
        parts.push("volatile = true".to_string());
    }
    match &f.inline {
        None => {
            let _ = writeln!(out, "{indent}{{ {} }},", parts.join(", "));
        }
        Some((kind, members)) => {
            if let Some(t) = &f.tag {
                parts.push(format!("tag = {}", toml_str(t)));
            }
            parts.push(format!("{} = [", kind.c_keyword()));
            let _ = writeln!(out, "{indent}{{ {}", parts.join(", "));
            for m in members {
                field_toml(m, &format!("{indent}    "), out, spans);
            }
            let _ = writeln!(out, "{indent}  ] }},");
        }
    }
}

/// An `#if` of the header's own text whose condition tests <linux/libc-compat.h>'s
/// `__UAPI_DEF_*` macros (linux/if.h's `#if __UAPI_DEF_IF_IFREQ`): the schema's `libc_compat`.
#[derive(Debug)]
struct CompatRegion {
    /// From the `#if` line to the end of its `#endif` line, in bytes.
    start: u32,
    end: u32,
    /// The condition, on one line.
    condition: String,
    /// It has an `#elif` or `#else`, which `libc_compat` cannot write.
    other_branch: bool,
}

/// `text` with each `/* ... */` a space.
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("/*") {
        out.push_str(&rest[..i]);
        out.push(' ');
        rest = rest[i..].find("*/").map_or("", |j| &rest[i + j + 2..]);
    }
    out.push_str(rest);
    out
}

/// A preprocessor directive of the header's text: where its line starts and where it ends
/// (its `\` continuations included), its word (`if`, `ifdef`, `else` ...) and the rest on one
/// line, comments out and words one space apart.
struct Directive {
    start: u32,
    end: u32,
    word: String,
    rest: String,
}

/// The directives of `source`, in order.
fn directive_lines(source: &str) -> Vec<Directive> {
    let mut out = Vec::new();
    let mut at = 0usize;
    let mut lines = source.split_inclusive('\n');
    while let Some(first) = lines.next() {
        let start = at;
        at += first.len();
        let mut line = first.trim_end_matches(['\n', '\r']).to_string();
        // A directive continued with `\` runs on.
        while line.ends_with('\\') {
            line.pop();
            match lines.next() {
                Some(next) => {
                    at += next.len();
                    line.push(' ');
                    line.push_str(next.trim_end_matches(['\n', '\r']));
                }
                None => break,
            }
        }
        let Some(directive) = line.trim_start().strip_prefix('#') else {
            continue;
        };
        let directive = directive.trim_start();
        let word: String = directive
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        // Comments are not the condition.
        let rest = without_comments(directive[word.len()..].split("//").next().unwrap_or(""));
        out.push(Directive {
            start: start as u32,
            end: at as u32,
            word,
            rest: rest.split_whitespace().collect::<Vec<_>>().join(" "),
        });
    }
    out
}

/// The header's `#if` regions on `__UAPI_DEF_*` conditions, outermost first.
fn compat_regions(source: &str) -> Vec<CompatRegion> {
    let mut regions: Vec<CompatRegion> = Vec::new();
    // Per open conditional: its region, when it is one.
    let mut stack: Vec<Option<usize>> = Vec::new();
    for d in directive_lines(source) {
        match d.word.as_str() {
            "if" => {
                // Only <linux/libc-compat.h>'s: linux/if_ether.h defines its own
                // `__UAPI_DEF_ETHHDR` under `#ifndef`, a form the schema has not.
                let names: Vec<&str> = d
                    .rest
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .filter(|w| w.starts_with("__UAPI_DEF_"))
                    .collect();
                let compat = !names.is_empty()
                    && names
                        .iter()
                        .all(|n| super::clang_proof::LIBC_COMPAT_MACROS.contains(n));
                if compat {
                    stack.push(Some(regions.len()));
                    regions.push(CompatRegion {
                        start: d.start,
                        end: u32::MAX,
                        condition: d.rest,
                        other_branch: false,
                    });
                } else {
                    stack.push(None);
                }
            }
            "ifdef" | "ifndef" => stack.push(None),
            "elif" | "else" => {
                if let Some(Some(r)) = stack.last() {
                    regions[*r].other_branch = true;
                }
            }
            "endif" => {
                if let Some(Some(r)) = stack.pop() {
                    regions[r].end = d.end;
                }
            }
            _ => {}
        }
    }
    regions
}

/// An `#if` of the header's own text on what the compiler predefines for an architecture
/// (`#ifdef __i386__`, `#if __BITS_PER_LONG == 64`: `front::when`), with at most an `#else`.
#[derive(Debug)]
struct ArchRegion {
    /// From the `#if` line to the end of its `#endif` line, in bytes.
    start: u32,
    end: u32,
    /// Where its `#else` is.
    else_at: Option<u32>,
    /// The condition, as `when` writes it (`#ifdef X` is `defined(X)`).
    condition: String,
    /// `#ifndef`: the first branch is the condition's `#else`.
    negated: bool,
    /// It has an `#elif`, or a conditional inside it, which `when` cannot write.
    other: bool,
}

/// The header's `#if` regions on architecture conditions `front::when` reads.
fn arch_regions(source: &str) -> Vec<ArchRegion> {
    let mut regions: Vec<ArchRegion> = Vec::new();
    let mut stack: Vec<Option<usize>> = Vec::new();
    for d in directive_lines(source) {
        let (condition, negated) = match d.word.as_str() {
            "if" => (d.rest, false),
            "ifdef" => (format!("defined({})", d.rest), false),
            "ifndef" => (format!("defined({})", d.rest), true),
            "elif" | "else" => {
                if let Some(Some(r)) = stack.last() {
                    let r = &mut regions[*r];
                    if d.word == "elif" || r.else_at.is_some() {
                        r.other = true;
                    }
                    r.else_at = Some(d.start);
                }
                continue;
            }
            "endif" => {
                if let Some(Some(r)) = stack.pop() {
                    regions[r].end = d.end;
                }
                continue;
            }
            _ => continue,
        };
        // One that answers alike on every target (`#if 0`, `#ifndef __ASSEMBLER__`) is no
        // architecture's, and inside one it leaves the branches as every target reads them;
        // so does one on a macro no target predefines (ptrace-abi.h's `__FRAME_OFFSETS`, a
        // program's own): import's proof holds each target's reading to libclang's.
        // One inside another is read under both (`cond_at`): x86's asm/sigcontext.h's
        // `#ifdef __ILP32__` member of the `#else` of `# ifdef __i386__`.
        let differs = crate::front::when::evaluate(&condition)
            .is_ok_and(|(_, on)| on.iter().any(|o| *o != on[0]));
        if differs {
            stack.push(Some(regions.len()));
            regions.push(ArchRegion {
                start: d.start,
                end: u32::MAX,
                else_at: None,
                condition,
                negated,
                other: false,
            });
        } else {
            stack.push(None);
        }
    }
    // Inside one `when` cannot write, none can be written either.
    for i in 0..regions.len() {
        let (start, end) = (regions[i].start, regions[i].end);
        if regions
            .iter()
            .any(|o| o.other && o.start < start && end <= o.end)
        {
            regions[i].other = true;
        }
    }
    regions
}

/// The `when` of what is at `offset` (a member of the struct that starts at `within`, or
/// with `within` 0 at file scope): the architecture regions around it after `within`, and
/// which branch of each; several nested ones are one condition, each branch's joined with
/// `&&` (`!(defined(__i386__)) && defined(__ILP32__)`). None inside a region `when` cannot
/// write.
fn when_at(regions: &[ArchRegion], offset: u32, within: u32) -> Option<(String, bool)> {
    when_from(regions, offset, within + 1)
}

/// `when_at` of the regions that start at `from` or after.
fn when_from(regions: &[ArchRegion], offset: u32, from: u32) -> Option<(String, bool)> {
    let around: Vec<&ArchRegion> = regions
        .iter()
        .filter(|r| r.start >= from && r.start < offset && offset < r.end)
        .collect();
    if around.iter().any(|r| r.other) {
        return None;
    }
    match around.as_slice() {
        [] => None,
        [r] => Some(r.branch_of(offset)),
        more => {
            let parts: Vec<String> = more
                .iter()
                .map(|r| match r.branch_of(offset) {
                    (c, false) if c.contains("||") => format!("({c})"),
                    (c, false) => c,
                    (c, true) => format!("!({c})"),
                })
                .collect();
            Some((parts.join(" && "), false))
        }
    }
}

impl ArchRegion {
    /// The `when` of what is at `offset` inside it: its condition, and whether that is in
    /// the branch where the condition fails (`unless`).
    fn branch_of(&self, offset: u32) -> (String, bool) {
        let in_else = self.else_at.is_some_and(|e| offset > e);
        (self.condition.clone(), in_else != self.negated)
    }
}

/// What `merge_struct` did.
enum Merged<'r> {
    /// Nothing: no architecture's `#if` in or around the struct.
    Not,
    /// Members of the `#if`s in its body, from the others (the struct's start and end).
    Inside((u32, u32)),
    /// Declared again in the region's other branch: the region, its own start and end, the
    /// other declaration's.
    Redeclared(&'r ArchRegion, (u32, u32), (u32, u32)),
}

/// Merges into struct `item` (x86-64's reading) the members the preprocessor skipped on
/// x86-64, from `theirs` (the same header's items as the other targets read them): the
/// members of each architecture's `#if` in its body, or, declared once per branch (x86's
/// asm/ptrace.h's `struct pt_regs` under `#ifdef __i386__` and its `#else`), each branch's
/// members; each with its `when`.
fn merge_struct<'r>(item: &mut Item, theirs: &[&Item], regions: &'r [ArchRegion]) -> Merged<'r> {
    let Item::Struct {
        name,
        fields,
        start,
        end,
        packed,
        aligned,
        ..
    } = item
    else {
        return Merged::Not;
    };
    if let Some(r) = regions
        .iter()
        .filter(|r| r.start < *start && *end <= r.end && !r.other)
        .last()
    {
        let declared_again = theirs.iter().find_map(|i| match i {
            Item::Struct {
                name: n,
                start: s,
                end: e,
                packed: p,
                aligned: a,
                ..
            } if n == name
                && *s != *start
                && r.start < *s
                && *e <= r.end
                && (p, a) == (&*packed, &*aligned) =>
            {
                Some((*s, *e))
            }
            _ => None,
        });
        if let Some((s, e)) = declared_again {
            // Both declarations' members: the other's, and what a nested `#if` of either
            // gives another target (asm/sigcontext.h's `#ifdef __ILP32__` inside the x86-64
            // one: arm's reading).
            let own = *start;
            add_missing(fields, theirs, name, |at| at == own || at == s);
            for f in fields.iter_mut() {
                f.when = when_from(regions, f.offset, r.start);
            }
            return Merged::Redeclared(r, (*start, *end), (s, e));
        }
    }
    if !regions
        .iter()
        .any(|r| r.start > *start && r.end <= *end && !r.other)
    {
        return Merged::Not;
    }
    // Each target's declaration, once (`theirs` holds one per target).
    add_missing(fields, theirs, name, |_| true);
    for f in fields.iter_mut() {
        f.when = when_at(regions, f.offset, *start);
    }
    Merged::Inside((*start, *end))
}

/// Adds to `fields` (in the header's order) the members of struct `name` that `theirs` (other
/// targets' readings) declare at a place `fields` has none, from the declarations starting
/// where `at` says.
fn add_missing(fields: &mut Vec<Field>, theirs: &[&Item], name: &str, at: impl Fn(u32) -> bool) {
    for i in theirs {
        let Item::Struct {
            name: n,
            fields: other,
            start,
            ..
        } = i
        else {
            continue;
        };
        if n != name || !at(*start) {
            continue;
        }
        for f in other {
            if !fields.iter().any(|g| g.offset == f.offset) {
                fields.push(f.clone());
            }
        }
    }
    fields.sort_by_key(|f| f.offset);
}

/// Merges into each struct of `state` whose body has an architecture's `#if` the members the
/// preprocessor skipped on x86-64, read from the targets whose branch they are (`extra`,
/// each read of the header on one), and sets every such member's `when`: the skeleton holds
/// every branch, as the header does.
fn merge_arch_members(state: &mut State, extra: &[State], regions: &[ArchRegion]) {
    let mut merged: Vec<(u32, u32)> = Vec::new();
    let mut branches: Vec<u32> = Vec::new();
    let mut redeclared: Vec<(&ArchRegion, String)> = Vec::new();
    let theirs: Vec<&Item> = extra
        .iter()
        .flat_map(|x| x.items.iter().map(|(_, i)| i))
        .filter(|i| matches!(i, Item::Struct { .. }))
        .collect();
    for (_, item) in state.items.iter_mut() {
        let Item::Struct { name, .. } = &*item else {
            continue;
        };
        let name = name.clone();
        match merge_struct(item, &theirs, regions) {
            Merged::Not => {}
            Merged::Inside(at) => merged.push(at),
            Merged::Redeclared(r, own, other) => {
                merged.push(other);
                merged.push(own);
                redeclared.push((r, name));
            }
        }
    }
    // A branch x86-64 skipped that declares only structs merged above is in the skeleton now.
    for (r, _) in &redeclared {
        let all_merged = extra
            .iter()
            .flat_map(|x| x.items.iter())
            .filter(|(at, _)| r.start < *at && *at < r.end)
            .filter(|(at, _)| !state.items.iter().any(|(o, _)| o == at))
            .all(|(_, i)| match i {
                Item::Struct { name, .. } => redeclared
                    .iter()
                    .any(|(q, n)| std::ptr::eq(*q, *r) && n == name),
                // What that target skipped: the branch x86-64 read.
                Item::NotImported { .. } => true,
                _ => false,
            });
        if all_merged {
            merged.push((r.start, r.end));
        }
    }
    // At file scope, a region whose other branches hold only defines and structs: those
    // too (x86's asm/auxvec.h's `AT_SYSINFO` under `#ifdef __i386__`, asm/stat.h's `struct
    // stat64`), each struct with its branch's condition, as x86-64's own structs there. A
    // branch with an enum stays skipped.
    let structs: Vec<(u32, u32)> = state
        .items
        .iter()
        .filter_map(|(_, i)| match i {
            Item::Struct { start, end, .. } => Some((*start, *end)),
            _ => None,
        })
        .collect();
    for r in regions.iter().filter(|r| !r.other) {
        if structs.iter().any(|(s, e)| *s < r.start && r.end <= *e) {
            continue;
        }
        let inside = |at: u32| r.start < at && at < r.end;
        let mut found: Vec<(u32, Item)> = Vec::new();
        let mut only_defines = true;
        for (at, item) in extra.iter().flat_map(|x| x.items.iter()) {
            if !inside(*at)
                || state.items.iter().any(|(o, _)| o == at)
                || found.iter().any(|(o, _)| o == at)
            {
                continue;
            }
            match item {
                Item::Define {
                    extern_header: None,
                    ..
                } => found.push((*at, item.clone())),
                // The other branch's declaration of a struct merged above.
                Item::Struct { .. } if merged.iter().any(|(s, e)| s <= at && at < e) => {}
                Item::Struct {
                    extern_header: None,
                    ..
                } => {
                    let mut item = item.clone();
                    if let Item::Struct { when, .. } = &mut item {
                        *when = when_at(regions, *at, 0);
                    }
                    found.push((*at, item));
                }
                // What another target did not import of its branch (a function-like macro),
                // for the author; not its note of the branch it skipped, x86-64's.
                Item::NotImported { .. } if *at != r.start && Some(*at) != r.else_at => {
                    found.push((*at, item.clone()));
                }
                Item::NotImported { .. } => {}
                _ => only_defines = false,
            }
        }
        if !only_defines {
            continue;
        }
        // x86-64's own structs in the region (not merged) are its branch's.
        for (at, item) in state.items.iter_mut() {
            if let Item::Struct {
                when,
                extern_header: None,
                ..
            } = item
            {
                let at = *at;
                if inside(at) && !merged.iter().any(|(s, e)| *s <= at && at < *e) {
                    *when = when_at(regions, at, 0);
                }
            }
        }
        if !found
            .iter()
            .any(|(_, i)| !matches!(i, Item::NotImported { .. }))
        {
            continue;
        }
        state.items.extend(found);
        // The branch x86-64 skipped, which starts at the `#if` or at its `#else`: a block
        // inside a branch that every target skips (ptrace-abi.h's `#if
        // defined(__ASSEMBLER__) || ...`) keeps its note.
        branches.push(r.start);
        branches.extend(r.else_at);
    }
    // The skipped lines inside a merged struct, or a merged region's branch, are its members
    // or defines now.
    state.items.retain(|(at, i)| {
        !(matches!(i, Item::NotImported { .. })
            && (merged.iter().any(|(s, e)| s <= at && at < e) || branches.contains(at)))
    });
}

/// The `libc_compat` of what is at `offset`: the conditions of the regions around it (that
/// begin after `within`, its struct's or enum's start, for what is inside one), joined with
/// `&&`.
fn compat_at(regions: &[CompatRegion], offset: u32, within: Option<u32>) -> Option<String> {
    let around: Vec<&str> = regions
        .iter()
        .filter(|r| r.start < offset && offset < r.end && within.is_none_or(|w| r.start > w))
        .map(|r| r.condition.as_str())
        .collect();
    match around.as_slice() {
        [] => None,
        [one] => Some(one.to_string()),
        many => Some(
            many.iter()
                .map(|c| format!("({c})"))
                .collect::<Vec<_>>()
                .join(" && "),
        ),
    }
}

/// Sets each member's `libc_compat`: the regions inside its struct (which starts at `start`).
fn set_compat(fields: &mut [Field], regions: &[CompatRegion], start: u32) {
    for f in fields {
        f.libc_compat = compat_at(regions, f.offset, Some(start));
        if let Some((_, ms)) = &mut f.inline {
            set_compat(ms, regions, start);
        }
    }
}

/// The ranges (byte offsets) of `file` the preprocessor skipped: inactive `#if` branches.
fn skipped_ranges(tu: &TranslationUnit, file: Option<File<'_>>) -> Vec<(u32, u32)> {
    let Some(file) = file else {
        return Vec::new();
    };
    tu.skipped_ranges(file)
        .iter()
        .map(|r| (r.start().spelling().offset, r.end().spelling().offset))
        .collect()
}

/// One line of header text fit for a TOML comment: no control character, at most 100 chars.
/// The byte order a struct body's `#if` or `#elif` tests, in the kernel's spellings: true
/// for little-endian (`defined(__LITTLE_ENDIAN_BITFIELD)`, aio_abi.h's `defined(__BYTE_ORDER)
/// ? __BYTE_ORDER == __LITTLE_ENDIAN : defined(__LITTLE_ENDIAN)`, scsi_bsg_ufs.h's
/// `defined(__LITTLE_ENDIAN)`), false for their big-endian twins; None for anything else.
fn byte_order_test(t: &str) -> Option<bool> {
    let rest = t.strip_prefix('#')?.trim_start();
    let cond = rest
        .strip_prefix("elif")
        .or_else(|| rest.strip_prefix("if"))?;
    if !cond.starts_with(|c: char| c.is_whitespace() || c == '(') {
        return None;
    }
    let cond = cond.split("/*").next().unwrap_or("");
    let c: String = cond.chars().filter(|c| !c.is_whitespace()).collect();
    const TESTS: [(&str, bool); 6] = [
        ("defined(__LITTLE_ENDIAN_BITFIELD)", true),
        (
            "defined(__BYTE_ORDER)?__BYTE_ORDER==__LITTLE_ENDIAN:defined(__LITTLE_ENDIAN)",
            true,
        ),
        ("defined(__LITTLE_ENDIAN)", true),
        ("defined(__BIG_ENDIAN_BITFIELD)", false),
        (
            "defined(__BYTE_ORDER)?__BYTE_ORDER==__BIG_ENDIAN:defined(__BIG_ENDIAN)",
            false,
        ),
        ("defined(__BIG_ENDIAN)", false),
    ];
    TESTS
        .iter()
        .find(|(t, _)| *t == c)
        .map(|(_, little)| *little)
}

/// A struct the header declares whole per byte order at file scope (perf_event.h's `#if
/// defined(__LITTLE_ENDIAN_BITFIELD)` `union perf_mem_data_src { ... };` `#elif
/// defined(__BIG_ENDIAN_BITFIELD)` its other declaration): its bytes `start..end`, the
/// declaration libclang read, as a byte-order region with the big-endian branch's text.
fn whole_per_byte_order(source: &str, start: u32, end: u32) -> Option<((u32, u32), &str)> {
    let before = source.get(..start as usize)?.trim_end();
    let test = before.rsplit('\n').next()?.trim();
    if byte_order_test(test) != Some(true) || !test.starts_with("#if") {
        return None;
    }
    let after = source.get(end as usize..)?;
    let rest = after.trim_start().strip_prefix(';')?.trim_start();
    let (line, big) = rest.split_once('\n')?;
    let line = line.trim();
    if byte_order_test(line) != Some(false) && line != "#else" {
        return None;
    }
    let close = big
        .match_indices('#')
        .find(|(i, _)| big[..*i].ends_with('\n') || *i == 0)
        .map_or(big.len(), |(i, _)| i);
    Some(((start, end), &big[..close]))
}

/// The names a run of C declarations declares, in order (`__u16 type_flags;`, `} type;`,
/// `bit0:1,`): each identifier followed by `;`, `,`, `:` or `[`, comments left out.
fn declarator_names(text: &str) -> Vec<String> {
    let text = without_comments(text);
    crate::front::cexpr::words(&text)
        .filter(|w| !text.as_bytes()[w.start].is_ascii_digit())
        .filter(|w| {
            matches!(
                text[w.end..].trim_start().bytes().next(),
                Some(b';' | b',' | b':' | b'[')
            )
        })
        .map(|w| text[w].to_string())
        .collect()
}

/// Marks the members in a byte-order `#if` (`regions`: each one's little-endian branch's
/// bytes, the declarations libclang read, and its big-endian branch's text): bitfields
/// (`byte_order`, whose per-byte reversal the s390x layout proves), and runs of other members
/// the big-endian branch declares in reverse, labelled where two stand side by side. Members
/// in the same order in both branches are left as they are. Err: a member declared in an
/// order no run reverses, by its path.
fn mark_byte_order(fields: &mut [Field], regions: &[((u32, u32), &str)]) -> Result<(), String> {
    let region_of = |o: u32| regions.iter().position(|((a, b), _)| o >= *a && o < *b);
    // This level's members in a region that are not bitfields: (region, index); and its
    // runs of bitfields there: (region, indices).
    let mut plain: Vec<(usize, usize)> = Vec::new();
    let mut bit_runs: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, f) in fields.iter_mut().enumerate() {
        if let Some((_, ms)) = &mut f.inline {
            mark_byte_order(ms, regions)?;
            continue;
        }
        match (region_of(f.offset), f.bits) {
            (Some(r), Some(_)) => {
                f.byte_order = true;
                match bit_runs.last_mut() {
                    Some((k, run)) if *k == r && run.last() == Some(&(i - 1)) => run.push(i),
                    _ => bit_runs.push((r, vec![i])),
                }
            }
            (Some(r), None) => plain.push((r, i)),
            (None, _) => {}
        }
    }
    // A run the big-endian branch declares in reverse as a whole, past one byte (where each
    // byte's reversal would be another order): `byte_order = "word"`. Any other order is
    // written per byte, which libclang's s390x layout then proves or refuses.
    for (r, run) in &bit_runs {
        let named: Vec<&str> = run
            .iter()
            .filter_map(|i| fields[*i].name.as_deref())
            .collect();
        let big: Vec<String> = declarator_names(regions[*r].1)
            .into_iter()
            .filter(|d| named.contains(&d.as_str()))
            .collect();
        let bits: u32 = run.iter().map(|i| fields[*i].bits.unwrap_or(0)).sum();
        if bits > 8 && named.len() > 1 && big.iter().eq(named.iter().rev()) {
            for i in run {
                fields[*i].byte_order_word = true;
            }
        }
    }
    for (r, (_, big)) in regions.iter().enumerate() {
        let le: Vec<usize> = plain
            .iter()
            .filter(|(k, _)| *k == r)
            .map(|(_, i)| *i)
            .collect();
        let Some(&first) = le.first() else {
            continue;
        };
        let name = |i: usize| fields[i].name.as_deref().unwrap_or("");
        let be: Vec<usize> = declarator_names(big)
            .into_iter()
            .filter_map(|d| le.iter().copied().find(|i| name(*i) == d))
            .collect();
        let mut sorted = be.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if be.len() != le.len() || sorted.len() != le.len() {
            return Err(fields[first].path.clone());
        }
        let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
        let mut k = 0;
        while k < le.len() {
            if le[k] == be[k] {
                k += 1;
                continue;
            }
            let end = (k + 2..=le.len()).find(|e| be[k..*e].iter().eq(le[k..*e].iter().rev()));
            let Some(e) = end.filter(|e| le[k..*e].windows(2).all(|w| w[1] == w[0] + 1)) else {
                return Err(fields[le[k]].path.clone());
            };
            runs.push(k..e);
            k = e;
        }
        let side_by_side = runs
            .windows(2)
            .any(|w| le[w[1].start] == le[w[0].end - 1] + 1);
        for run in runs {
            let label =
                side_by_side.then(|| fields[le[run.start]].name.clone().unwrap_or_default());
            for p in run {
                fields[le[p]].byte_order = true;
                fields[le[p]].byte_order_label.clone_from(&label);
            }
        }
    }
    Ok(())
}

fn one_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    let mut out: String = line
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(100)
        .collect();
    if line.chars().count() > 100 {
        out.push('…');
    }
    out
}

/// A `#pragma pack` of the header: `pack(n)` / `pack()`, `pack(push[, n])`, `pack(pop)`.
enum PackOp {
    Set(Option<u64>),
    Push(Option<u64>),
    Pop,
}

/// The preprocessor directives of the header that are neither a `#define`, an `#include` nor a
/// conditional (outside the skipped branches): a `#pragma` or another directive is listed for
/// the author; an `#undef` of a name defined above is refused, as the skeleton would keep it.
fn directives(
    tu: &TranslationUnit,
    file: Option<File<'_>>,
    skipped: &[(u32, u32)],
    state: &mut State,
) {
    let Some(file) = file else {
        return;
    };
    // (line, offset, spelling) of every token.
    let all: Vec<(u32, u32, String)> = tu
        .tokens(tu.range(file, 0, state.source.len() as u32))
        .into_iter()
        .map(|t| {
            let at = t.location.spelling();
            (at.line, at.offset, t.spelling)
        })
        .collect();
    let mut packs: Vec<(u32, PackOp)> = Vec::new();
    for (i, (line, offset, word)) in all.iter().enumerate() {
        let first_on_line = i == 0 || all[i - 1].0 != *line;
        if word != "#" || !first_on_line {
            continue;
        }
        if skipped.iter().any(|(s, e)| offset >= s && offset <= e) {
            continue;
        }
        let next = |k: usize| {
            all.get(i + k)
                .filter(|t| t.0 == *line)
                .map_or("", |t| t.2.as_str())
        };
        let text = one_line(state.source.get(*offset as usize..).unwrap_or(""));
        let item = |why: &str| Item::NotImported {
            what: format!("`{text}`"),
            why: why.to_string(),
        };
        match next(1) {
            "define" | "include" | "include_next" | "if" | "ifdef" | "ifndef" | "elif"
            | "elifdef" | "elifndef" | "else" | "endif" | "" => {}
            "undef" => {
                let name = next(2);
                // A function-like macro defined and undefined around declarations (atmdev.h's
                // `__HANDLE_ITEM(i)` building a struct's members), which no define calls:
                // scaffolding, whose result import reads expanded.
                let calls =
                    |value: &str| expr_text(value).is_some_and(|t| called(&t).contains(&name));
                let called_above = state.items.iter().any(|(o, it)| {
                    o < offset
                        && match it {
                            Item::Define { value, .. } => calls(value),
                            Item::Macro { body, .. } => called(body).contains(&name),
                            _ => false,
                        }
                });
                let scaffolding = state.items.iter().position(|(o, it)| {
                    o < offset && matches!(it, Item::Macro { name: n, .. } if n == name)
                });
                if let (Some(k), false) = (scaffolding, called_above) {
                    let (_, it) = &mut state.items[k];
                    let params = match it {
                        Item::Macro { params, .. } => params.join(", "),
                        _ => String::new(),
                    };
                    *it = Item::NotImported {
                        what: format!("#define {name}({params})"),
                        why: format!(
                            "the header undefines it below (line {line}) and no define above \
                             calls it: what it builds, import reads expanded"
                        ),
                    };
                    state.items.push((
                        *offset,
                        item("it undefines a macro the schema does not keep (above)"),
                    ));
                    continue;
                }
                let defined = state.items.iter().any(|(o, it)| {
                        o < offset
                            && matches!(it, Item::Define { name: n, .. } | Item::Macro { name: n, .. } | Item::Skipped { name: n } if n == name)
                    });
                if defined {
                    state.problems.push(Problem {
                        offset: *offset,
                        len: text.len(),
                        message: format!(
                            "`#undef {name}` of a name the header defines above: the \
                                 schema's defines stay defined; remove the #define or the #undef"
                        ),
                    });
                } else {
                    state.items.push((
                        *offset,
                        item("the schema has no #undef; the generated header never defines it"),
                    ));
                }
            }
            "pragma" if next(2) == "pack" => {
                let args: Vec<&str> = (3..)
                    .map(next)
                    .take_while(|t| !t.is_empty())
                    .filter(|t| !matches!(*t, "(" | ")" | ","))
                    .collect();
                match pack_op(&args) {
                    Some(op) => packs.push((*offset, op)),
                    None => state.items.push((
                        *offset,
                        item("a `#pragma pack` import does not read: `pack(n)`, `pack()`, `pack(push, n)` and `pack(pop)` are"),
                    )),
                }
            }
            "pragma" => state.items.push((
                *offset,
                item("the schema has no pragmas but `#pragma pack` (a struct's `pack`)"),
            )),
            _ => state.items.push((
                *offset,
                item("a preprocessor directive the schema has no form for"),
            )),
        }
    }
    // Each struct under a `#pragma pack(n)` takes its n, as the pragma stands where the struct
    // begins.
    let from = pack_in_force(packs);
    for (_, item) in state.items.iter_mut() {
        if let Item::Struct { start, pack, .. } = item {
            *pack = from
                .iter()
                .rev()
                .find(|(o, _)| o < start)
                .and_then(|(_, n)| *n);
        }
    }
}

/// `#pragma pack(ARGS)`'s operation: `pack(n)`, `pack()`, `pack(push[, n])` or `pack(pop)`.
fn pack_op(args: &[&str]) -> Option<PackOp> {
    match args {
        [] => Some(PackOp::Set(None)),
        ["push"] => Some(PackOp::Push(None)),
        ["pop"] => Some(PackOp::Pop),
        ["push", n] => n.parse().ok().map(|n| PackOp::Push(Some(n))),
        [n] => n.parse().ok().map(|n| PackOp::Set(Some(n))),
        _ => None,
    }
}

/// The packing in force from each `#pragma pack` on: (its offset, n or none).
fn pack_in_force(packs: Vec<(u32, PackOp)>) -> Vec<(u32, Option<u64>)> {
    let (mut current, mut stack) = (None, Vec::new());
    let mut from = Vec::with_capacity(packs.len());
    for (o, op) in packs {
        match op {
            PackOp::Set(n) => current = n,
            PackOp::Push(n) => {
                stack.push(current);
                if n.is_some() {
                    current = n;
                }
            }
            PackOp::Pop => current = stack.pop().flatten(),
        }
        from.push((o, current));
    }
    from
}

/// The `#pragma pack(n)` in force at `offset` of another header's `text`, where a struct
/// copied from it (`extern`) begins: linux/cciss_defs.h's `pack(1)` for cciss_ioctl.h. Read from
/// the text, conditionals aside: the proof's layout of the copy is libclang's, so a packing
/// read wrong is refused there, never written.
fn pack_at(text: &str, offset: u32) -> Option<u64> {
    let packs = directive_lines(text)
        .into_iter()
        .take_while(|d| d.start < offset)
        .filter(|d| d.word == "pragma")
        .filter_map(|d| {
            let args = d
                .rest
                .strip_prefix("pack")?
                .trim_start()
                .strip_prefix('(')?
                .split_once(')')?
                .0;
            let args: Vec<&str> = args
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .collect();
            Some((d.start, pack_op(&args)?))
        })
        .collect();
    pack_in_force(packs).last().and_then(|(_, n)| *n)
}

/// libclang's errors, with a note on the first of each kind that says why a kernel header
/// may not compile here.
fn explain(mut errors: Vec<Diagnostic>, header: &Path) -> Vec<Diagnostic> {
    let mut said = [false; 2];
    let file = header
        .file_name()
        .map_or(String::new(), |f| f.to_string_lossy().into_owned());
    for d in &mut errors {
        if Path::new(&d.path).file_name() != header.file_name() {
            d.notes.push(format!("in a header {file} includes"));
        }
        if d.message.starts_with("unknown type name") && !said[0] {
            said[0] = true;
            d.notes.push(
                "uapigen reads the header with -nostdinc against its own <linux/types.h>, which \
                 has the schema's types only (__u8 … __u64, __s8 … __s64, __aligned_u64, \
                 __le16 … __be64, __aligned_le64, __aligned_be64, the __kernel_* types alike \
                 on every ABI): the kernel's others (__kernel_uid_t, __virtio16, ...) are not \
                 types a schema can write"
                    .to_string(),
            );
        } else if d.message.contains("file not found") && !said[1] {
            said[1] = true;
            d.notes.push(
                "uapigen reads the header with -nostdinc: it finds its own <linux/types.h>, \
                 <linux/ioctl.h> and <linux/const.h>, the folder above the header's, and each -I DIR; pass the \
                 folder that holds this file with -I"
                    .to_string(),
            );
        }
    }
    errors
}

/// What the header declares and directs, as libclang reads it with `args`; a header that
/// does not compile is refused with libclang's errors.
/// `path` as a program includes it: a kernel header is a folder and a file (`linux/can.h`,
/// `asm/kvm.h`), so of its paths relative to `dirs` the shortest with a folder
/// (`/usr/include/x86_64-linux-gnu/asm/x.h` is `asm/x.h`, not `x86_64-linux-gnu/asm/x.h`;
/// `/usr/include/linux/can.h` is `linux/can.h` when `/usr/include/linux` is a folder too).
fn include_name(path: &str, dirs: &[&Path]) -> Option<String> {
    let path = Path::new(path);
    dirs.iter()
        .filter_map(|d| path.strip_prefix(d).ok())
        .filter(|rel| rel.components().count() >= 2)
        .filter(|rel| {
            rel.components()
                .all(|c| matches!(c, std::path::Component::Normal(_)))
        })
        .min_by_key(|rel| rel.components().count())
        .map(|rel| rel.to_string_lossy().into_owned())
}

/// A C library header's name as a program includes it (`time.h`, `sys/socket.h`), where `path`
/// is one of the stubs under `libc`.
fn libc_name(path: &str, libc: &Path) -> Option<String> {
    let rel = Path::new(path).strip_prefix(libc).ok()?;
    rel.components()
        .all(|c| matches!(c, std::path::Component::Normal(_)))
        .then(|| rel.to_string_lossy().into_owned())
}

fn read(
    header: &Path,
    args: &[String],
    source: String,
    include: &[&Path],
    (stub, libc): (&Path, &Path),
) -> Result<State, Error> {
    let include_name =
        |path: &str, dirs: &[&Path]| include_name(path, dirs).or_else(|| libc_name(path, libc));
    let path = header.display().to_string();
    let Some(tu) = TranslationUnit::parse(&path, None, args, Detail::Preprocessor)? else {
        return Err(Error::Usage(format!(
            "libclang could not parse {}",
            header.display()
        )));
    };
    let errors = tu.errors("");
    if !errors.is_empty() {
        return Err(Error::Schema(explain(errors, header)));
    }
    let mut state = State {
        items: Vec::new(),
        problems: Vec::new(),
        source,
        includes: Vec::new(),
        include_at: HashMap::new(),
        others: HashMap::new(),
        other_structs: HashMap::new(),
        other_sources: HashMap::new(),
        other_enums: HashMap::new(),
        other_typedefs: HashMap::new(),
        untagged: Vec::new(),
        other_macros: HashMap::new(),
        unreadable_macros: HashMap::new(),
    };
    let main_file = tu.file(&path);
    let mut texts: HashMap<String, Option<String>> = HashMap::new();
    // Each other header's defines alone under `#ifndef NAME` (`guarded_defines`).
    let mut guards: HashMap<String, HashSet<String>> = HashMap::new();
    tu.cursor().visit_children(|c| {
        // Another header's struct or union, by its tag or (`typedef struct { ... } NAME;`) the
        // typedef's name, for an `extern` copy.
        let record = match (c.kind(), untagged_record(c)) {
            (CursorKind::Typedef, Some(decl)) => Some((decl, true)),
            (CursorKind::Struct | CursorKind::Union, _)
                if c.is_definition() && !untagged(&c.spelling()) =>
            {
                Some((c, false))
            }
            _ => None,
        };
        if let Some((decl, typedef)) = record {
            let place = decl.location().spelling();
            if place.file.is_some() && place.file != main_file {
                let file = place.file.map(|f| f.name()).unwrap_or_default();
                let text = texts
                    .entry(file.clone())
                    .or_insert_with(|| Source::read(Path::new(&file)).ok().map(|s| s.text));
                // uapigen's <linux/types.h> holds <asm-generic/posix_types.h>'s one struct,
                // `__kernel_fsid_t` (statfs.h's, fanotify.h's), copied as <linux/types.h>'s.
                let header = include_name(&file, include).or_else(|| {
                    Path::new(&file)
                        .strip_prefix(stub)
                        .is_ok_and(|rel| rel == Path::new("linux/types.h"))
                        .then(|| "linux/types.h".to_string())
                });
                if let (Some(h), Some(text)) = (header, text.as_deref()) {
                    let mut item = struct_item(decl, c.spelling(), place.offset, place.file, text);
                    if let Item::Struct {
                        typedef: t, pack, ..
                    } = &mut item
                    {
                        *t = typedef;
                        *pack = pack_at(text, place.offset);
                    }
                    state
                        .other_sources
                        .entry(h.clone())
                        .or_insert_with(|| text.to_string());
                    state.other_structs.insert(c.spelling(), (item, h));
                }
            }
        }
        if c.kind() == CursorKind::Enum && c.is_definition() && !untagged(&c.spelling()) {
            let place = c.location().spelling();
            if place.file.is_some() && place.file != main_file {
                let other = place.file.and_then(|f| include_name(&f.name(), include));
                let e = Enumerators::of(c);
                if let (Some(h), true) = (other, e.problems.is_empty()) {
                    let item = Item::Enum {
                        name: Some(c.spelling()),
                        doc: None,
                        values: e.values,
                        forms: e.forms,
                        self_defined: Vec::new(),
                        decl: EnumDecl::Alone,
                        packed: attributes_of(c).iter().any(|a| a == "attribute(packed)"),
                        extern_header: None,
                    };
                    state.other_enums.insert(c.spelling(), (item, h));
                }
            }
        }
        if c.kind() == CursorKind::Typedef {
            let place = c.location().spelling();
            if place.file.is_some() && place.file != main_file {
                let other = place.file.and_then(|f| include_name(&f.name(), include));
                // Not the kernel's own (`__kernel_mode_t`, which i386 redefines); a header's
                // own of that spelling is its (cxl/features.h's `__uapi_uuid_t`).
                let own = Scalar::from_c_name(&c.spelling()).is_some();
                if let (Some(h), Some(ty), false) = (other, typedef_target(c), own) {
                    state.other_typedefs.insert(
                        c.spelling(),
                        OtherTypedef {
                            ty,
                            bitwise: is_bitwise(c),
                            aligned: typedef_aligned(c),
                            header: h,
                        },
                    );
                }
            }
        }
        if c.kind() == CursorKind::MacroDefinition {
            let place = c.location().spelling();
            if place.file.is_some() && place.file != main_file {
                let other = place.file.and_then(|f| include_name(&f.name(), include));
                if c.is_function_like_macro() {
                    if let (Some(h), mut m @ Item::Macro { .. }) =
                        (other, function_like(c, c.spelling()))
                    {
                        let file = place.file.map(|f| f.name()).unwrap_or_default();
                        let guarded = guards.entry(file.clone()).or_insert_with(|| {
                            Source::read(Path::new(&file))
                                .map(|s| guarded_defines(&s.text))
                                .unwrap_or_default()
                        });
                        if let Item::Macro { ifndef, .. } = &mut m {
                            *ifndef = guarded.contains(&c.spelling());
                        }
                        state.other_macros.insert(c.spelling(), (m, h));
                    }
                } else if let (Some(h), DefineForm::Value(v)) = (other, define_value(c)) {
                    state.others.insert(c.spelling(), (v, h));
                }
            }
        }
        collect_top(c, main_file, &mut state)
    });
    // Those no typedef named (`struct { ... } x;`): refused as they are.
    let untagged = std::mem::take(&mut state.untagged);
    state.items.extend(untagged);
    let skipped = skipped_ranges(&tu, main_file);
    directives(&tu, main_file, &skipped, &mut state);
    for (start, end) in skipped {
        let first = state.source.get(start as usize..).unwrap_or("");
        let first = first.lines().next().unwrap_or("").trim();
        let lines = state.source.get(start as usize..end as usize).unwrap_or("");
        let item = Item::NotImported {
            what: format!("`{first}` … ({} lines)", lines.lines().count().max(1)),
            why: "the preprocessor skipped them (on x86_64, as a program that includes the \
                  header sees it): nothing in them is imported"
                .to_string(),
        };
        state.items.push((start, item));
    }
    Ok(state)
}

/// Reads `header` (its own `#include <linux/types.h>` etc. resolved against uapigen's kernel
/// type definitions and `include`) and returns a schema skeleton for it.
pub fn import(header: &Path, include: &[&Path], family: &str) -> Result<String, Error> {
    import_structs(header, include, family, &[])
}

/// Like `import`, keeping only the named structs (and the structs they embed); enums and
/// defines are all kept. An empty list keeps everything.
///
/// What the schema cannot write as the header has it (a bitfield, a flexible or
/// multi-dimensional array, a pointer, a type that is not the kernel's, `packed` or another
/// layout attribute, an anonymous struct, a tagged or file-scope union, a value past 2^63 - 1,
/// a shift C leaves undefined, ...) is refused: `Error::Schema` with every declaration at its
/// `header:line:col`. What it writes is proved before it is returned: the skeleton loads with
/// every check of `uapigen generate`, and libclang lays the original header out exactly as the
/// skeleton on every target.
pub fn import_structs(
    header: &Path,
    include: &[&Path],
    family: &str,
    only: &[String],
) -> Result<String, Error> {
    if !is_identifier(family) {
        return Err(Error::Usage(format!(
            "family name {family:?} (--family, or the header's file name) is not a C identifier \
             (ASCII letters, digits and `_`, not starting with a digit): it names the schema, \
             the Rust module and the include guard; pass --family NAME"
        )));
    }
    let file = header
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !file.ends_with(".h")
        || file.len() < 3
        || !file
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
    {
        return Err(Error::Usage(format!(
            "{}: the file name must be NAME.h (ASCII letters, digits, `_`, `-` and `.`): it \
             becomes the schema's `header = \"linux/NAME.h\"`",
            header.display()
        )));
    }
    clang::load()?;
    let types = KernelTypes::new()?;
    let stub = types.dir.clone();
    // A regular file of bounded size in UTF-8, as every file uapigen reads: a FIFO under a
    // header's name must not block libclang, nor a device fill memory.
    let source = Source::read(header)?.text;
    // The C library's stubs last: a tree's own headers come first. A struct of theirs is
    // another header's (an `extern` copy, `extern = "sys/time.h"`).
    let dirs: Vec<&Path> = std::iter::once(stub.as_path())
        .chain(include.iter().copied())
        .chain(std::iter::once(types.libc.as_path()))
        .collect();
    // A header that uses <stddef.h>'s `size_t` or `NULL` without including anything that
    // defines it (linux/sysctl.h, linux/omapfb.h; linux/usb/audio.h's inline functions) is
    // read after it, as a program that compiles has it; the skeleton says so (`assumes`).
    let mut assumes: Vec<&str> = Vec::new();
    let mut flags = vec!["-fparse-all-comments", "-ferror-limit=0"];
    let args = c_args(DEFAULT_TARGET, &dirs, &flags);
    let stddef = |m: &str| {
        m.contains("unknown type name 'size_t'") || m.contains("undeclared identifier 'NULL'")
    };
    let mut state = match read(header, &args, source.clone(), include, (&stub, &types.libc)) {
        Err(Error::Schema(d)) if d.iter().any(|d| stddef(&d.message)) => {
            assumes.push("stddef.h");
            flags.extend(["-include", "stddef.h"]);
            let args = c_args(DEFAULT_TARGET, &dirs, &flags);
            read(header, &args, source.clone(), include, (&stub, &types.libc))?
        }
        r => r?,
    };
    // Members under an architecture's `#if` that x86-64 skips: read on the other targets too.
    let regions = arch_regions(&source);
    // So are another header's structs declared per architecture (x86's asm/ptrace.h's
    // `pt_regs`, which bpf_perf_event.h's `bpf_perf_event_data` holds), for their copies.
    let other_regions: HashMap<String, Vec<ArchRegion>> = state
        .other_sources
        .iter()
        .map(|(h, text)| (h.clone(), arch_regions(text)))
        .filter(|(_, r)| r.iter().any(|r| !r.other))
        .collect();
    let per_arch: Vec<String> = state
        .other_structs
        .iter()
        .filter(|(_, (item, h))| {
            let (Item::Struct { start, end, .. }, Some(rs)) = (item, other_regions.get(h)) else {
                return false;
            };
            rs.iter().any(|r| {
                !r.other && (r.start < *start && *end <= r.end || *start < r.start && r.end <= *end)
            })
        })
        .map(|(tag, _)| tag.clone())
        .collect();
    if regions.iter().any(|r| !r.other) || !per_arch.is_empty() {
        let mut extra = Vec::new();
        for t in &crate::layout::TARGETS[1..] {
            let args = c_args(t, &dirs, &flags);
            extra.push(read(
                header,
                &args,
                source.clone(),
                include,
                (&stub, &types.libc),
            )?);
        }
        merge_arch_members(&mut state, &extra, &regions);
        for tag in &per_arch {
            let theirs: Vec<&Item> = extra
                .iter()
                .filter_map(|x| Some(&x.other_structs.get(tag)?.0))
                .collect();
            if let Some((item, h)) = state.other_structs.get_mut(tag) {
                merge_struct(item, &theirs, &other_regions[h.as_str()]);
            }
        }
    }
    if !only.is_empty() {
        let missing: Vec<&String> = only
            .iter()
            .filter(|n| {
                !state
                    .items
                    .iter()
                    .any(|(_, i)| matches!(i, Item::Struct { name, .. } if name == *n))
            })
            .collect();
        if !missing.is_empty() {
            return Err(Error::Usage(format!(
                "{} defines no struct {}",
                header.display(),
                missing
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        // Keep the named structs and, transitively, the structs they embed.
        let mut keep: Vec<String> = only.to_vec();
        let mut i = 0;
        while i < keep.len() {
            let name = keep[i].clone();
            if let Some((_, Item::Struct { fields, .. })) = state
                .items
                .iter()
                .find(|(_, it)| matches!(it, Item::Struct { name: n, .. } if *n == name))
            {
                for t in all_fields(fields).filter_map(|f| f.struct_ref.as_ref()) {
                    if !keep.contains(t) {
                        keep.push(t.clone());
                    }
                }
            }
            i += 1;
        }
        state.items.retain(|(_, it)| match it {
            Item::Struct { name, .. } => keep.contains(name),
            _ => true,
        });
    }
    // A define naming something that is not a constant defined above it (`#define T __u32`,
    // a name from another header) is a form the schema cannot write: listed for the author.
    // libclang visits the macros before the declarations: back to the header's order.
    state.items.sort_by_key(|(o, _)| *o);
    expand_declared(&mut state);
    // A #define is expanded where it is used: it may name a define or struct the header has
    // below it (userfaultfd.h). Those are taken as defined unless they are themselves not
    // imported, in which case the pass runs again without them.
    let original = state.items.clone();
    let mut later: HashSet<String> = original
        .iter()
        .flat_map(|(_, i)| match i {
            // A string define is no integer an expression above may name.
            Item::Define { value, .. } if value.starts_with("string = ") => Vec::new(),
            Item::Define { name, .. } => vec![name.clone()],
            Item::Enum { values, .. } => values.iter().map(|(n, _, _)| n.clone()).collect(),
            _ => Vec::new(),
        })
        .collect();
    let string_names: HashSet<String> = original
        .iter()
        .filter_map(|(_, i)| match i {
            Item::Define { name, value, .. } if value.starts_with("string = ") => {
                Some(name.clone())
            }
            _ => None,
        })
        .collect();
    let later_structs: HashSet<String> = original
        .iter()
        .filter_map(|(_, i)| match i {
            Item::Struct { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    // Other headers' constants the header's defines use, each after those it uses; and
    // their structs the header's structs hold or its ioctls name.
    let mut externs: Vec<(String, String, String)>;
    let mut extern_structs: Vec<(String, Item, String)>;
    // Another header's tagged enums whose values a define names (xt_conntrack.h's
    // `IP_CT_NUMBER`): copied as `extern` enums, located at the first such define.
    let mut define_enums: Vec<(String, u32)>;
    // And their function-like macros the header's defines call (drm.h's `DRM_IOWR`).
    let mut extern_macros: Vec<(Item, String)>;
    // The typedefs the header defines, anywhere (a `#define` expands where it is used): an
    // ioctl may name one as its argument type.
    let typedef_names: HashSet<String> = state
        .items
        .iter()
        .filter_map(|(_, i)| match i {
            Item::Typedef { name, .. }
            | Item::Enum {
                name: Some(name),
                decl: EnumDecl::Typedef,
                ..
            }
            | Item::Struct {
                name,
                typedef: true,
                ..
            } => Some(name.clone()),
            _ => None,
        })
        .collect();
    let mut rounds = 0;
    loop {
        state.items = original.clone();
        externs = Vec::new();
        extern_structs = Vec::new();
        define_enums = Vec::new();
        extern_macros = Vec::new();
        let mut lost: Vec<String> = Vec::new();
        // Each define taken on the strength of names below it, with those names.
        let mut forward: Vec<(String, Vec<String>)> = Vec::new();
        let mut known: Vec<String> = Vec::new();
        let mut structs: Vec<String> = Vec::new();
        let mut c_enums: Vec<String> = Vec::new();
        let mut macros: HashMap<String, crate::front::cexpr::Macro> = HashMap::new();
        let mut self_defines: Vec<String> = Vec::new();
        // The defines above that stand for a struct's type (`COFF_FILHDR`), which `sizeof` takes.
        let mut type_defines: Vec<String> = Vec::new();
        // The string defines above, which a string define may join.
        let mut strings: Vec<String> = Vec::new();
        // A tag's other name is one on every target (vbox_vmmdev_types.h's, per word size,
        // stays the author's to write).
        let arch = arch_regions(&state.source);
        for (at, item) in state.items.iter_mut() {
            let per_arch = arch.iter().any(|r| r.start < *at && *at < r.end);
            if let Item::Enum { name: Some(n), .. } = item {
                c_enums.push(n.clone());
            }
            // Another header's macro a member is declared by (mlx5-abi.h's `RDMA_UAPI_PTR`).
            if let Item::Struct { fields, .. } = item {
                for (m, _) in all_fields(fields).filter_map(|f| f.declared_by.as_ref()) {
                    let call = format!("{m}()");
                    adopt_macros(&call, &state.other_macros, &mut macros, &mut extern_macros);
                }
            }
            if let Item::Define { value, .. } = item {
                if let Some(text) = expr_text(value) {
                    adopt_macros(&text, &state.other_macros, &mut macros, &mut extern_macros);
                }
                if let Some(v) = wrapper_form(value, &macros) {
                    *value = v;
                }
            }
            match item {
                Item::Struct { name, .. } => structs.push(name.clone()),
                // `_IOR(..., enum TAG)`: a tagged enum of this header's above, which the schema
                // writes as a C enum.
                Item::Define { name, value, .. }
                    if define_enum(value).is_some_and(|t| !c_enums.contains(&t)) =>
                {
                    let t = define_enum(value).unwrap_or_default();
                    lost.push(name.clone());
                    *item = Item::NotImported {
                        what: format!("#define {name}"),
                        why: format!(
                            "its argument type is `enum {t}`, which is not an enum this header \
                             defines above it; add it by hand"
                        ),
                    };
                }
                // `#define COFF_FILHDR struct COFF_filehdr` of a struct that is not above.
                Item::Define { name, value, .. }
                    if form_str(value, "tag").is_some_and(|t| {
                        per_arch
                            || !t
                                .split_once(' ')
                                .is_some_and(|(_, tag)| structs.iter().any(|s| s == tag))
                    }) =>
                {
                    let t = form_str(value, "tag").unwrap_or_default();
                    lost.push(name.clone());
                    *item = Item::NotImported {
                        what: format!("#define {name}"),
                        why: format!(
                            "it names the type `{t}`, which is not a struct this header defines \
                             above it (or it is under an architecture's `#if`); add it by hand"
                        ),
                    };
                }
                // ... of one above: a type `sizeof` may take below.
                Item::Define { name, value, .. } if form_str(value, "tag").is_some() => {
                    type_defines.push(name.clone());
                }
                // `#define nvme_admin_cmd nvme_passthru_cmd`: another name for a struct's tag
                // above, which `struct nvme_admin_cmd` below then names.
                Item::Define { name, value, .. }
                    if !per_arch && alias_of(value).is_some_and(|t| structs.contains(&t)) =>
                {
                    let t = alias_of(value).unwrap_or_default();
                    *value = format!("tag = {}", toml_str(&t));
                    structs.push(name.clone());
                }
                // `#define NAME OTHER` of a string define above (or another header's, copied
                // as `extern`): a string too.
                Item::Define { name, value, .. }
                    if !per_arch
                        && alias_of(value).is_some_and(|t| {
                            adopt_string(&t, &state.others, &mut strings, &mut externs)
                        }) =>
                {
                    let t = alias_of(value).unwrap_or_default();
                    *value = format!("string = {}", toml_text(&t));
                    strings.push(name.clone());
                }
                Item::Define { name, value, .. } if value.starts_with("string = ") => {
                    let names = define_names(value, &macros, &typedef_names).unwrap_or_default();
                    for n in &names {
                        adopt_string(n, &state.others, &mut strings, &mut externs);
                    }
                    let why = if per_arch {
                        Some(
                            "a string define under an architecture's `#if`: the schema's string \
                             defines are the same on every target; add it by hand"
                                .to_string(),
                        )
                    } else {
                        names.iter().find(|n| !strings.contains(n)).map(|n| {
                            format!(
                                "it joins `{n}`, which is no string define this header defines \
                                 above it; add it by hand"
                            )
                        })
                    };
                    match why {
                        Some(why) => {
                            lost.push(name.clone());
                            *item = Item::NotImported {
                                what: format!("#define {name}"),
                                why,
                            };
                        }
                        None => strings.push(name.clone()),
                    }
                }
                // A macro named as an enum constant above it (legal C: only a call expands it)
                // would be a second definition of the name in the schema.
                Item::Macro { name, .. } if known.contains(name) => {
                    *item = Item::NotImported {
                        what: format!("#define {name}(...)"),
                        why: format!(
                            "a function-like macro named as the constant `{name}` above it: the \
                         schema has one definition a name; add it by hand"
                        ),
                    };
                }
                Item::Macro {
                    name, params, body, ..
                } => {
                    if let Ok(m) = crate::front::cexpr::Macro::new(params.clone(), body) {
                        macros.insert(name.clone(), m);
                    }
                }
                Item::Enum { values, .. } => known.extend(values.iter().map(|(n, _, _)| n.clone())),
                Item::Define { name, value, .. }
                    if define_typedef_arg(value).is_some_and(|t| {
                        // <stddef.h>'s `size_t` is the schema's own (the ABI's word).
                        t != "size_t"
                            && !typedef_names.contains(&t)
                            && !other_scalar_typedef(&state.other_typedefs, &t)
                    }) =>
                {
                    let t = define_typedef_arg(value).unwrap_or_default();
                    lost.push(name.clone());
                    *item = Item::NotImported {
                        what: format!("#define {name}"),
                        why: format!(
                            "its argument type `{t}` is neither a struct nor a type the schema \
                             knows (a typedef of this header's)"
                        ),
                    };
                }
                Item::Define { name, value, .. }
                    if define_struct(value).is_some_and(|s| {
                        !structs.contains(&s)
                            && !later_structs.contains(&s)
                            && !adopt_struct(
                                &s,
                                &state.other_structs,
                                &mut structs,
                                &mut extern_structs,
                                0,
                            )
                    }) =>
                {
                    let s = define_struct(value).unwrap_or_default();
                    lost.push(name.clone());
                    *item = Item::NotImported {
                        what: format!("#define {name}"),
                        why: format!(
                            "its argument type is `struct {s}`, which is not a struct this header \
                         defines above it; add it by hand"
                        ),
                    };
                }
                Item::Define { name, value, .. } => {
                    let names = match define_names(value, &macros, &typedef_names) {
                        Ok(n) => n,
                        Err(why) => {
                            let text = expr_text(value).unwrap_or_default();
                            let unreadable = called(&text).into_iter().find_map(|m| {
                                let why = state.unreadable_macros.get(m)?;
                                (!macros.contains_key(m)).then(|| {
                                    format!("it calls `{m}`, which is not imported: {why}")
                                })
                            });
                            lost.push(name.clone());
                            *item = Item::NotImported {
                                what: format!("#define {name}"),
                                why: match unreadable {
                                    Some(u) => format!("{u}; add it by hand"),
                                    None => format!(
                                        "{why} (a function-like macro of another header, or one \
                                         whose body is not an integer expression); add it by hand"
                                    ),
                                },
                            };
                            continue;
                        }
                    };
                    // A cast to what is no type of the schema (a function pointer's typedef,
                    // the kernel's internal `u64`) is no integer constant the schema writes.
                    if let Some(t) = cast_types(value, &macros, &typedef_names)
                        .into_iter()
                        .find(|t| !typedef_names.contains(t))
                    {
                        lost.push(name.clone());
                        *item = Item::NotImported {
                            what: format!("#define {name}"),
                            why: format!(
                                "it casts to `{t}`, which is no type the schema has (a scalar of \
                                 the kernel's, or a typedef of an integer this header defines \
                                 above it); add it by hand"
                            ),
                        };
                        continue;
                    }
                    // `sizeof(NAME)` of what is neither a type nor a constant of the schema's
                    // above it (socket.h's `sizeof(time_t)`, the C library's type).
                    if let Some(t) = sizeof_names(value).into_iter().find(|t| {
                        Scalar::from_c_name(t).is_none()
                            && !typedef_names.contains(t)
                            && !type_defines.contains(t)
                            && !strings.contains(t)
                            && !known.contains(t)
                    }) {
                        lost.push(name.clone());
                        *item = Item::NotImported {
                            what: format!("#define {name}"),
                            why: format!(
                                "it takes `sizeof({t})`, and `{t}` is no type the schema has nor \
                                 a constant this header defines above it (a type of the C \
                                 library's); add it by hand"
                            ),
                        };
                        continue;
                    }
                    if names == [name.as_str()] && value.starts_with("alias = ") {
                        // `#define X X` under an enum's `X`, so that `#ifdef X` sees it: the
                        // enum value's `self_define`.
                        self_defines.push(name.clone());
                    } else if let Some(n) = names.iter().find(|n| {
                        !known.iter().any(|k| k == *n)
                            && !crate::front::cexpr::is_word_bits(n)
                            && !(later.contains(*n) && *n != name)
                            && !adopt(
                                n,
                                &state.others,
                                &macros,
                                &mut known,
                                &mut externs,
                                &mut |t| {
                                    structs.iter().any(|s| s == t)
                                        || adopt_struct(
                                            t,
                                            &state.other_structs,
                                            &mut structs,
                                            &mut extern_structs,
                                            0,
                                        )
                                },
                                0,
                            )
                            && !adopt_enum(
                                n,
                                &state.other_enums,
                                &mut known,
                                &mut define_enums,
                                *at,
                            )
                    }) {
                        lost.push(name.clone());
                        let why = if string_names.contains(n) {
                            format!(
                                "it uses `{n}`, a string define, as an integer (an expression \
                                 takes a string only through `sizeof`); add it by hand"
                            )
                        } else {
                            format!(
                                "it uses `{n}`, which is not a constant this header defines \
                                 above it (a type, or another header's); add it by hand"
                            )
                        };
                        *item = Item::NotImported {
                            what: format!("#define {name}"),
                            why,
                        };
                    } else {
                        let below: Vec<String> = names
                            .iter()
                            .filter(|n| !known.iter().any(|k| k == *n) && later.contains(*n))
                            .cloned()
                            .collect();
                        if !below.is_empty() {
                            forward.push((name.clone(), below));
                        }
                        known.push(name.clone());
                    }
                }
                _ => {}
            }
        }
        // Each `#define X X` is its enum value's `self_define`, no define of its own.
        if !self_defines.is_empty() {
            for (_, item) in state.items.iter_mut() {
                if let Item::Enum {
                    values,
                    self_defined,
                    ..
                } = item
                {
                    self_defined.extend(
                        self_defines
                            .iter()
                            .filter(|n| {
                                values.iter().any(|(v, ..)| v == *n) && !self_defined.contains(n)
                            })
                            .cloned()
                            .collect::<Vec<_>>(),
                    );
                }
            }
            let enum_values: HashSet<String> = state
                .items
                .iter()
                .filter_map(|(_, it)| match it {
                    Item::Enum { self_defined, .. } => Some(self_defined.iter().cloned()),
                    _ => None,
                })
                .flatten()
                .collect();
            state.items.retain(|(_, it)| {
                !matches!(it, Item::Define { name, extern_header: None, .. } if enum_values.contains(name))
            });
            // A self-define of no enum value here (another header's) is listed, as before.
            for n in self_defines.iter().filter(|n| !enum_values.contains(*n)) {
                if let Some((_, item)) = state
                    .items
                    .iter_mut()
                    .find(|(_, it)| matches!(it, Item::Define { name, .. } if name == n))
                {
                    lost.push(n.clone());
                    *item = Item::NotImported {
                        what: format!("`#define {n} {n}`"),
                        why: "a name defined as itself (for `#ifdef`), of no enum value of this \
                              header: the schema has no form for it"
                            .to_string(),
                    };
                }
            }
        }
        // A define not imported takes with it every define that named it from above, and
        // those that named them (a queue over the uses: a chain costs its length).
        let mut used_by: HashMap<&str, Vec<&str>> = HashMap::new();
        for (n, below) in &forward {
            for b in below {
                used_by.entry(b.as_str()).or_default().push(n.as_str());
            }
        }
        let mut gone: HashSet<String> = lost.iter().cloned().collect();
        let mut queue: Vec<String> = lost;
        while let Some(g) = queue.pop() {
            for u in used_by.get(g.as_str()).into_iter().flatten() {
                if gone.insert(u.to_string()) {
                    queue.push(u.to_string());
                }
            }
        }
        let before = later.len();
        later.retain(|n| !gone.contains(n));
        rounds += 1;
        // Bounded: after a few rounds, no define may name what is below it.
        if rounds >= 4 {
            later.clear();
        }
        if later.len() == before {
            break;
        }
    }
    // The copies come first (above every use), and the schema includes their headers: the
    // constants, then the macros (which name them where they are called).
    for (k, (mut item, h)) in extern_macros.into_iter().enumerate() {
        if !state.includes.contains(&h) {
            state.includes.push(h.clone());
        }
        if let Item::Macro { extern_header, .. } = &mut item {
            *extern_header = Some(h);
        }
        state.items.insert(k, (0, item));
    }
    insert_extern_defines(&mut state, externs);
    let src = Source::new(header.display().to_string(), source.clone());
    let refuse = |problems: Vec<Problem>| -> Error {
        let mut diags: Vec<(u32, Diagnostic)> = problems
            .into_iter()
            .map(|p| {
                let start = p.offset as usize;
                (
                    p.offset,
                    Diagnostic::at(&src, start..start + p.len.max(1), p.message),
                )
            })
            .collect();
        diags.sort_by_key(|(o, _)| *o);
        diags.dedup_by(|a, b| a.1 == b.1);
        Error::Schema(diags.into_iter().map(|(_, d)| d).collect())
    };
    let mut problems = std::mem::take(&mut state.problems);
    let regions = compat_regions(&source);
    for r in regions.iter().filter(|r| r.other_branch) {
        problems.push(Problem {
            offset: r.start,
            len: 1,
            message: format!(
                "`#if {}` has an `#else` or `#elif`: the schema's `libc_compat` writes an item \
                 inside `#if CONDITION` only",
                r.condition
            ),
        });
    }
    let mut pointers_out: Vec<(String, String)> = Vec::new();
    let mut defined: Vec<String> = extern_structs.iter().map(|(n, ..)| n.clone()).collect();
    let mut seen: HashSet<String> = state
        .items
        .iter()
        .filter_map(|(_, i)| match i {
            Item::Typedef { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    for (_, item) in &state.items {
        match item {
            Item::Struct {
                name,
                fields,
                problems: own,
                ..
            } => {
                problems.extend(own.iter().cloned());
                for f in all_fields(fields) {
                    let mut adopted = |t: &str, defined: &mut Vec<String>| {
                        defined.iter().any(|d| d == t)
                            || adopt_struct(
                                t,
                                &state.other_structs,
                                defined,
                                &mut extern_structs,
                                0,
                            )
                    };
                    // A pointer needs no layout of what it points to: to a tagged struct
                    // that is not one of this header's above (itself, one below, another
                    // header's), C's incomplete type. A typedef's struct has no tag to name.
                    let ty = f.ty.as_deref().unwrap_or("");
                    let tagged_pointer = ty.ends_with('*')
                        && ["struct ", "const struct ", "union ", "const union "]
                            .iter()
                            .any(|p| ty.starts_with(p));
                    if let Some(t) = f.struct_ref.as_deref().filter(|_| tagged_pointer) {
                        if !defined.iter().any(|d| d == t) {
                            pointers_out.push((f.path.clone(), t.to_string()));
                        }
                        continue;
                    }
                    if let Some(t) = f
                        .struct_ref
                        .as_deref()
                        .filter(|t| !adopted(t, &mut defined))
                    {
                        let message = match state.other_structs.get(t) {
                            // Another header's, which its copy cannot be (or one it holds).
                            Some((Item::Struct { problems: p, .. }, h)) => format!(
                                "`{}` has type `{}` of <{h}>, which an `extern` copy \
                                 cannot write: {}",
                                f.path,
                                f.ty.as_deref().unwrap_or(t),
                                p.first().map_or(
                                    "a struct it holds cannot be copied".to_string(),
                                    |p| p.message.clone()
                                )
                            ),
                            _ => format!(
                                "`{}` has type `{}`, which this header does not define above it \
                                 at file scope: the schema's `struct NAME` and `union NAME` are \
                                 of the same schema, defined above",
                                f.path,
                                f.ty.as_deref().unwrap_or(t),
                            ),
                        };
                        problems.push(Problem {
                            offset: f.offset,
                            len: f.name.as_ref().map_or(1, String::len),
                            message,
                        });
                    }
                }
                defined.push(name.clone());
            }
            _ => {}
        }
    }
    fn mark(fields: &mut [Field], paths: &HashSet<String>) {
        for f in fields {
            if paths.contains(&f.path) {
                f.incomplete = true;
                f.struct_ref = None;
            }
            if let Some((_, ms)) = &mut f.inline {
                mark(ms, paths);
            }
        }
    }
    // A struct copied from another header for a member below is above every item: a pointer
    // to it names it.
    let pointers_out: HashSet<String> = pointers_out
        .into_iter()
        .filter(|(_, t)| !extern_structs.iter().any(|(n, ..)| n == t))
        .map(|(path, _)| path)
        .collect();
    if !pointers_out.is_empty() {
        for (_, item) in &mut state.items {
            if let Item::Struct { fields, .. } = item {
                mark(fields, &pointers_out);
            }
        }
    }
    // A copied struct's array length naming a constant of its header (rdma/ib_user_mad.h's
    // `IB_USER_MAD_LONGS_PER_METHOD_MASK`, one per word size) copies that constant too, above
    // it; without one, the length is written as a number (`len_texts`).
    let mut known: Vec<String> = state
        .items
        .iter()
        .filter_map(|(_, i)| match i {
            Item::Define { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    let mut len_externs: Vec<(String, String, String)> = Vec::new();
    for (_, item, _) in &extern_structs {
        let Item::Struct { fields, .. } = item else {
            continue;
        };
        for text in all_fields(fields).filter_map(|f| f.len_text.as_deref()) {
            for n in len_names(text) {
                adopt(
                    &n,
                    &state.others,
                    &HashMap::new(),
                    &mut known,
                    &mut len_externs,
                    &mut |_| false,
                    0,
                );
            }
        }
    }
    insert_extern_defines(&mut state, len_externs);
    // Another header's typedefs the members name, copied as `extern` items; and those of a
    // scalar an ioctl's argument names (v4l2-subdev.h's `_IOR('V', 23, v4l2_std_id)`).
    let mut extern_typedefs: Vec<(String, OtherTypedef)> = Vec::new();
    for (_, item) in &state.items {
        let Item::Define { value, .. } = item else {
            continue;
        };
        let Some(t) = define_typedef_arg(value) else {
            continue;
        };
        if let (Some(other), false) = (state.other_typedefs.get(&t), seen.contains(&t)) {
            if other_scalar_typedef(&state.other_typedefs, &t) {
                seen.insert(t.clone());
                extern_typedefs.push((t.clone(), other.clone()));
            }
        }
    }
    let copied_structs = extern_structs.iter().map(|(_, i, _)| i);
    for item in state.items.iter().map(|(_, i)| i).chain(copied_structs) {
        let Item::Struct { fields, .. } = item else {
            continue;
        };
        for t in all_fields(fields).filter_map(|f| f.typedef_ref.as_ref()) {
            // This header's own, or one copied already, is not copied again.
            if let (Some(other), false) = (state.other_typedefs.get(t), seen.contains(t)) {
                seen.insert(t.clone());
                extern_typedefs.push((t.clone(), other.clone()));
            }
        }
    }
    // A copied typedef of a pointer to another typedef (`__sighandler_t`, `__signalfn_t *`)
    // after a copy of that one.
    let mut k = 0;
    while k < extern_typedefs.len() {
        let to = extern_typedefs[k]
            .1
            .ty
            .strip_suffix('*')
            .map(|b| b.trim().trim_start_matches("const ").to_string());
        if let Some(to) = to {
            if let (Some(other), false) = (state.other_typedefs.get(&to), seen.contains(&to)) {
                seen.insert(to.clone());
                extern_typedefs.insert(k, (to, other.clone()));
                continue;
            }
        }
        k += 1;
    }
    if !problems.is_empty() {
        return Err(refuse(problems));
    }
    // Another header's enums that members name (`enum TAG`, no enum of this header's): copies
    // before the copied structs, which may name them too, located at the first such member.
    let own_enums: HashSet<String> = state
        .items
        .iter()
        .filter_map(|(_, i)| match i {
            Item::Enum { name: Some(n), .. } => Some(n.clone()),
            _ => None,
        })
        .collect();
    let mut extern_enums: Vec<(Item, String, u32)> = Vec::new();
    for (tag, at) in &define_enums {
        if let (false, Some((e, h))) = (own_enums.contains(tag), state.other_enums.get(tag)) {
            extern_enums.push((e.clone(), h.clone(), *at));
        }
    }
    let holders = state
        .items
        .iter()
        .map(|(_, i)| i)
        .chain(extern_structs.iter().map(|(_, i, _)| i));
    for item in holders {
        let Item::Struct { fields, .. } = item else {
            continue;
        };
        for f in all_fields(fields) {
            let Some(tag) = f.ty.as_deref().and_then(|t| t.strip_prefix("enum ")) else {
                continue;
            };
            let copied = extern_enums
                .iter()
                .any(|(i, ..)| matches!(i, Item::Enum { name: Some(n), .. } if n == tag));
            if own_enums.contains(tag) || copied {
                continue;
            }
            if let Some((e, h)) = state.other_enums.get(tag) {
                extern_enums.push((e.clone(), h.clone(), f.offset));
            }
        }
    }
    // The copied structs after the copied constants, each after the structs it holds.
    let copies = state
        .items
        .iter()
        .take_while(|(_, i)| {
            matches!(
                i,
                Item::Define {
                    extern_header: Some(_),
                    ..
                } | Item::Macro {
                    extern_header: Some(_),
                    ..
                }
            )
        })
        .count();
    // A copy's lines are located where the header uses it: what is refused in a copy is
    // the member that holds it.
    let users: Vec<u32> = extern_structs
        .iter()
        .map(|(n, ..)| user_offset(n, &state.items, &extern_structs, 8))
        .collect();
    let enums = extern_enums.len();
    for (k, (mut item, h, user)) in extern_enums.into_iter().enumerate() {
        if !state.includes.contains(&h) {
            state.includes.push(h.clone());
        }
        if let Item::Enum {
            extern_header,
            values,
            ..
        } = &mut item
        {
            *extern_header = Some(h);
            for v in values.iter_mut() {
                v.2 = user;
            }
        }
        state.items.insert(copies + k, (0, item));
    }
    let copies = copies + enums;
    for (k, (_, mut item, h)) in extern_structs.into_iter().enumerate() {
        if !state.includes.contains(&h) {
            state.includes.push(h.clone());
        }
        if let Item::Struct {
            extern_header,
            start,
            end,
            fields,
            ..
        } = &mut item
        {
            *extern_header = Some(h);
            (*start, *end) = (0, 0);
            set_offsets(fields, users[k]);
        }
        state.items.insert(copies + k, (0, item));
    }
    // A typedef of a scalar before the copied structs, which may hold it; of a struct, right
    // after that struct, as another copied struct may hold it too (linux/cciss_defs.h's
    // `SCSI3Addr_struct`, held by `_PhysDevAddr_struct`).
    let after = copies
        + state.items[copies..]
            .iter()
            .take_while(|(o, _)| *o == 0)
            .count();
    let (mut before, mut behind) = (copies, after);
    for (
        name,
        OtherTypedef {
            ty,
            bitwise,
            aligned,
            header: h,
        },
    ) in extern_typedefs
    {
        if !state.includes.contains(&h) {
            state.includes.push(h.clone());
        }
        let names_struct = ty.starts_with("struct ") || ty.starts_with("union ");
        let tag = ty.split_once(' ').map_or("", |(_, t)| t).to_string();
        let item = Item::Typedef {
            name,
            ty,
            bitwise,
            aligned,
            extern_header: Some(h),
        };
        if names_struct {
            let at = state.items[copies..behind]
                .iter()
                .position(|(_, i)| matches!(i, Item::Struct { name, .. } if *name == tag))
                .map_or(behind, |p| copies + p + 1);
            state.items.insert(at, (0, item));
        } else {
            state.items.insert(before, (0, item));
            before += 1;
        }
        behind += 1;
    }
    let offsets: BTreeMap<String, u32> = state
        .items
        .iter()
        .filter_map(|(o, it)| match it {
            Item::Struct { name, .. } => Some((name.clone(), *o)),
            _ => None,
        })
        .collect();
    let (skeleton, spans) = render(
        family,
        header,
        &source,
        state.items,
        &state.includes,
        &state.include_at,
        &regions,
        &assumes,
    );
    let skeleton = verify(
        &skeleton,
        &spans,
        &offsets,
        family,
        header,
        &stub,
        &dirs[1..],
        &source,
        &refuse,
        &assumes,
    )?;
    drop(types);
    Ok(skeleton)
}

/// The proof that the skeleton says what the header says: it loads with every check
/// `uapigen generate` makes, libclang lays the header out on every target as the skeleton's
/// IR does, and every constant has the value C gives it on every target. A difference is
/// refused at the declaration it comes from (`refuse` locates it); the header failing to
/// compile for a target is refused with libclang's own errors. A struct the kernel ships with
/// implicit padding, or laid out differently on some ABIs, is what the header has once
/// libclang agrees, so it is marked an `abi_trap` (which `generate` accepts) rather than
/// refused: the skeleton returned is the one that loads.
#[allow(clippy::too_many_arguments)]
fn verify(
    skeleton: &str,
    spans: &[Span],
    offsets: &BTreeMap<String, u32>,
    family: &str,
    header: &Path,
    stub: &Path,
    include: &[&Path],
    header_text: &str,
    refuse: &dyn Fn(Vec<Problem>) -> Error,
    assumes: &[&str],
) -> Result<String, Error> {
    // Lines the traps below insert, in the final skeleton: a line after them came from the
    // line that many above it in `skeleton`, which `spans` maps to the header.
    let inserted: std::cell::RefCell<Vec<usize>> = std::cell::RefCell::new(Vec::new());
    let at = |line: usize| -> u32 {
        let line = line - inserted.borrow().iter().filter(|&&i| i < line).count();
        spans
            .iter()
            .find(|s| s.lines.contains(&line))
            .map_or(0, |s| s.offset)
    };
    let name = format!("{family}.toml");
    let file = header
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let located = |e: Error| -> Error {
        match e {
            Error::Schema(diags) => refuse(
                diags
                    .into_iter()
                    .map(|d| Problem {
                        offset: at(d.line),
                        len: 1,
                        message: format!(
                            "the schema import would write for this is refused: {}",
                            in_header(&d.message, &at, header_text, &file)
                        ),
                    })
                    .collect(),
            ),
            e => e,
        }
    };
    // The layout first: a header laid out otherwise (`#pragma pack`) is that, not the hole
    // the schema's natural layout of it would have.
    let checked =
        crate::lay_out(Source::new(name.clone(), skeleton.to_string()), &name).map_err(located)?;
    // The header by its path, not by a search of its own folder: a name of the C library's
    // the folder also has (linux/limits.h for <limits.h>, which linux/netfilter_ipv4.h
    // reads INT_MIN from) is the C library's, as a compiler's search has it, and the header
    // itself may have such a name (linux/limits.h, linux/time.h, asm/unistd.h).
    let mut dirs: Vec<&Path> = vec![stub];
    dirs.extend(include.iter().copied());
    let source: String = assumes
        .iter()
        .map(|a| format!("#include <{a}>\n"))
        .chain(std::iter::once(format!(
            "#include \"{}\"\n",
            header.display()
        )))
        .collect();
    // Per struct: the first target that differs, what differs there, and how many others do.
    let mut differ: BTreeMap<&str, (&str, Vec<String>, usize)> = BTreeMap::new();
    let latest = checked.latest();
    for (t, target) in TargetId::all() {
        let measured = measure(&source, &dirs, target)?;
        for (s, st) in latest.structs() {
            let what = match measured.get(&st.name) {
                // A struct of some targets (`when`) is declared on those only.
                Some(_) if !st.on(target) => vec![EXTRA.to_string()],
                None if !st.on(target) => Vec::new(),
                Some(m) => compare(m, latest.layout(s, t)),
                None => vec![MISSING.to_string()],
            };
            if what.is_empty() {
                continue;
            }
            differ
                .entry(&st.name)
                .and_modify(|d| d.2 += 1)
                .or_insert((target.triple, what, 0));
        }
    }
    let mut problems: Vec<Problem> = differ
        .into_iter()
        .map(|(name, (triple, what, others))| {
            let targets = if others > 0 {
                format!("{triple} and {others} other targets")
            } else {
                triple.to_string()
            };
            let message = if what.len() == 1 && what[0] == MISSING {
                format!(
                    "struct `{name}` is defined on {} but not on {targets} (an `#if` on the \
                     target): the schema's structs are the same on every target",
                    crate::layout::DEFAULT_TARGET.triple
                )
            } else if what.len() == 1 && what[0] == EXTRA {
                format!(
                    "struct `{name}` is defined on {targets}, where the condition import read \
                     leaves it out"
                )
            } else {
                format!(
                    "struct `{name}` is not laid out as the schema would write it (a `#pragma \
                     pack`, or another attribute import cannot see): on {targets}: {}",
                    what.join("; ").replace(" in the IR", " in the schema")
                )
            };
            Problem {
                offset: offsets.get(name).copied().unwrap_or(0),
                len: name.len(),
                message,
            }
        })
        .collect();
    let names: Vec<String> = latest
        .family()
        .constants()
        .map(|k| k.name.clone())
        .collect();
    // An ioctl number's macro is expanded where the number is used, so a header may leave
    // <linux/ioctl.h> to its user (linux/arcfb.h, linux/hidraw.h): its values are C's as a
    // user's program has them. (The header uapigen writes includes it itself.)
    let ioctls = latest
        .family()
        .constants()
        .any(|k| matches!(k.expr, crate::ir::Expr::Io { .. }));
    let mut used = if ioctls {
        format!("#include <linux/ioctl.h>\n{source}")
    } else {
        source.clone()
    };
    // And <linux/types.h>, whose `__poll_t` asm-generic/poll.h's `POLLFREE` casts to without
    // including it (not where no constant needs it: the headers that define the kernel's
    // types themselves clash with it).
    let kernel_cast = latest.family().constants().any(|k| {
        matches!(&k.expr, crate::ir::Expr::C { text, .. } if text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(|w| w.starts_with("__") && Scalar::from_c_name(w).is_some()))
    });
    if kernel_cast {
        used = format!("#include <linux/types.h>\n{used}");
    }
    // Likewise <linux/const.h>'s `_BITUL()` (linux/virtio_spi.h uses it without including it).
    let const_h = latest
        .family()
        .constants()
        .any(|k| k.calls(crate::front::cexpr::is_const_h));
    if const_h {
        used = format!("#include <linux/const.h>\n{used}");
    }
    // And <linux/bits.h>'s `__GENMASK()`, which reads the word's bits (linux/pci_regs.h).
    let bits_h = latest
        .family()
        .constants()
        .any(|k| k.calls(|m| crate::front::cexpr::BITS_H.contains(&m)));
    if bits_h {
        used = format!("#include <asm/bitsperlong.h>\n#include <linux/bits.h>\n{used}");
    }
    // And <stddef.h>'s `size_t` (matroxfb.h's `_IOR('n', 0xFB, size_t)`), which a program
    // using the number has.
    if latest
        .family()
        .constants()
        .any(|k| matches!(&k.expr, crate::ir::Expr::Io { size: Some(s), .. } if s.c == "size_t"))
    {
        used = format!("#include <stddef.h>\n{used}");
    }
    // And <stddef.h>'s `offsetof` (linux/fuse.h's `FUSE_NAME_OFFSET`), which a program
    // using it has.
    if latest
        .family()
        .constants()
        .any(|k| matches!(&k.expr, crate::ir::Expr::C { text, .. } if text.contains("offsetof")))
    {
        used = format!(
            "#ifndef offsetof\n#define offsetof(TYPE, MEMBER) __builtin_offsetof(TYPE, MEMBER)\n\
             #endif\n{used}"
        );
    }
    // Per constant: the first target where C's value is not the schema's.
    let mut wrong: BTreeMap<String, (&str, Option<u64>, Option<u64>)> = BTreeMap::new();
    for target in TARGETS {
        let values = evaluate_on(&used, &dirs, &names, target)?;
        let family = latest.family();
        for k in family.constants() {
            let c_value = values.get(&k.name).copied().flatten();
            // A define this target leaves out (`when`): its twin of the other branch, if any,
            // is the one compared; without one, C must not define it either.
            let expected = if k.on(target) {
                Some(family.value_on(k, target))
            } else if family.constants().any(|o| o.name == k.name && o.on(target)) {
                continue;
            } else {
                None
            };
            if c_value != expected && !wrong.contains_key(&k.name) {
                wrong.insert(k.name.clone(), (target.triple, c_value, expected));
            }
        }
    }
    for k in latest.family().constants() {
        let Some((triple, c_value, value)) = wrong.get(&k.name) else {
            continue;
        };
        let line = skeleton
            .lines()
            .position(|l| l.contains(&format!("name = \"{}\"", k.name)))
            .map_or(0, |i| i + 1);
        problems.push(Problem {
            offset: at(line),
            len: k.name.len(),
            message: format!(
                "`{}` is {} in C on {triple}, {} in the schema import would write{}",
                k.name,
                c_value.map_or(
                    "not an integer constant (or not defined)".to_string(),
                    |v| v.to_string()
                ),
                value.map_or("not defined".to_string(), |v| v.to_string()),
                if *triple == crate::layout::DEFAULT_TARGET.triple || *value != Some(k.value) {
                    ""
                } else {
                    " (its value on x86_64-linux-gnu): the schema's constants have one value \
                     on every target"
                }
            ),
        });
    }
    if !problems.is_empty() {
        return Err(refuse(problems));
    }
    // The header's layout, proved above: its holes and ABI differences are the kernel's.
    let trapped: Vec<&str> = latest
        .structs()
        .filter(|(s, st)| {
            // A struct of some targets (`when`) is compared where it is declared.
            let on: Vec<TargetId> = TargetId::all()
                .filter(|(_, t)| st.on(t))
                .map(|(t, _)| t)
                .collect();
            let first = latest.layout(*s, on[0]);
            // What `check` requires a trap for: the size, each member's place and size (an
            // alignment alone that differs, a `__u64`'s on i686, needs none).
            let same = |l: &crate::layout::StructLayout| {
                l.size == first.size
                    && l.members.len() == first.members.len()
                    && l.members
                        .iter()
                        .zip(&first.members)
                        .all(|(a, b)| (a.offset, a.size, a.bits) == (b.offset, b.size, b.bits))
            };
            !latest.hole_free(*s) || !on.iter().all(|t| same(latest.layout(*s, *t)))
        })
        .map(|(_, st)| st.name.as_str())
        .collect();
    let mut out = String::with_capacity(skeleton.len());
    for (i, l) in skeleton.lines().enumerate() {
        out.push_str(l);
        out.push('\n');
        let trap = l
            .strip_prefix("name = \"")
            .and_then(|n| n.strip_suffix('"'))
            .filter(|n| trapped.contains(n))
            .filter(|_| {
                i > 0
                    && matches!(
                        skeleton.lines().nth(i - 1),
                        Some("[[struct]]" | "[[union]]")
                    )
            });
        if trap.is_some() {
            out.push_str(
                "abi_trap = { revisions = [\"r1\"], note = \"as the kernel ships it: implicit \
                 padding, or a layout that differs between ABIs (import proved it with libclang \
                 on every target)\" }\n",
            );
            let before = inserted.borrow().len();
            inserted.borrow_mut().push(i + 2 + before);
        }
    }
    crate::load_source(Source::new(name.clone(), out.clone()), &name).map_err(located)?;
    Ok(out)
}

/// What `verify` notes of a struct libclang does not find on a target.
const MISSING: &str = "the header does not define it there";

/// `compare`'s answer for a struct libclang finds where the schema's `when` leaves it out.
const EXTRA: &str = "the header defines it there";

/// A schema message with its `at line N` (a line of the skeleton) said as the place in the
/// header that line came from.
fn in_header(message: &str, at: &dyn Fn(usize) -> u32, source: &str, file: &str) -> String {
    let Some(i) = message.find("at line ") else {
        return message.to_string();
    };
    let rest = &message[i + "at line ".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let Ok(line) = digits.parse::<usize>() else {
        return message.to_string();
    };
    let (l, c) = Source::new("", source).line_col(at(line) as usize);
    format!(
        "{}at {file}:{l}:{c}{}",
        &message[..i],
        &rest[digits.len()..]
    )
}

/// The folders of the kernel's `include/uapi`, as a program includes them (`<rdma/x.h>`).
const UAPI_FOLDERS: &[&str] = &[
    "linux",
    "asm-generic",
    "drm",
    "misc",
    "mtd",
    "rdma",
    "scsi",
    "sound",
    "video",
    "xen",
    "cxl",
    "fwctl",
    "regulator",
];

/// Which lines of the skeleton an item of the header became.
struct Span {
    lines: std::ops::Range<usize>,
    offset: u32,
}

/// The defines of `source` each alone under an `#ifndef` of their own name: `#ifndef X`,
/// `#define X ...` (or `#define X(a) ...`, rdma/ib_user_ioctl_verbs.h's `RDMA_UAPI_PTR`),
/// `#endif`; or `#ifndef X` around conditions that only define X (asm-generic/bitsperlong.h's
/// `__BITS_PER_LONG`, defined one way under `#if` and another under `#else`).
fn guarded_defines(source: &str) -> HashSet<String> {
    let lines = directive_lines(source);
    let defined = |d: &Directive| {
        let rest = &d.rest;
        let name = &rest[..rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len())];
        (name.to_string(), !rest[name.len()..].trim().is_empty())
    };
    let mut out = HashSet::new();
    for (i, d) in lines.iter().enumerate() {
        if d.word != "ifndef" {
            continue;
        }
        let x = d.rest.trim();
        let (mut depth, mut defines, mut only) = (0usize, 0usize, true);
        for e in &lines[i + 1..] {
            match e.word.as_str() {
                "if" | "ifdef" | "ifndef" => depth += 1,
                "elif" | "else" => {}
                "endif" if depth == 0 => break,
                "endif" => depth -= 1,
                "define" => match defined(e) {
                    (n, true) if n == x => defines += 1,
                    _ => only = false,
                },
                _ => only = false,
            }
        }
        if only && defines > 0 {
            out.insert(x.to_string());
        }
    }
    out
}

/// The skeleton, and which of its lines each item of the header became.
#[allow(clippy::too_many_arguments)]
fn render(
    family: &str,
    header: &Path,
    source: &str,
    mut items: Vec<(u32, Item)>,
    includes: &[String],
    include_at: &HashMap<String, u32>,
    regions: &[CompatRegion],
    assumes: &[&str],
) -> (String, Vec<Span>) {
    items.sort_by_key(|(o, _)| *o);
    let guarded = guarded_defines(source);
    // A struct's `packed_by` macro is the struct's to write, not a define left out.
    let packing: Vec<String> = items
        .iter()
        .filter_map(|(_, it)| match it {
            Item::Struct {
                packed_by: Some((m, _)),
                ..
            } => Some(format!("#define {m}")),
            _ => None,
        })
        .collect();
    items.retain(|(_, it)| !matches!(it, Item::NotImported { what, .. } if packing.contains(what)));
    let arch = arch_regions(source);
    // The include guard: the first `#ifndef NAME` that the next line `#define`s.
    let lines: Vec<&str> = source.lines().map(str::trim).collect();
    let guard_found = lines.windows(2).find_map(|w| {
        let g = w[0]
            .strip_prefix("#ifndef")
            .and_then(|g| g.split_whitespace().next())
            .filter(|g| is_identifier(g))?;
        let mut d = w[1].strip_prefix("#define")?.split_whitespace();
        (d.next() == Some(g) && d.next().is_none()).then(|| g.to_string())
    });
    let guard = guard_found
        .clone()
        .unwrap_or_else(|| format!("_UAPI_{}_H", family.to_uppercase()));
    let license_found = source.lines().find_map(|l| {
        l.split("SPDX-License-Identifier:")
            .nth(1)
            .map(|r| r.trim().trim_end_matches("*/").trim().to_string())
    });
    let license = license_found
        .clone()
        .unwrap_or_else(|| "GPL-2.0 WITH Linux-syscall-note".to_string());
    let file = header
        .file_name()
        .map_or("header.h".to_string(), |f| f.to_string_lossy().into_owned());
    let mut out = String::new();
    let _ = writeln!(out, "# Imported from {file} by `uapigen import`: a skeleton. Add each struct's size convention,");
    let _ = writeln!(out, "# flag and enum links, rules and revisions by hand.\n");
    // The folder of the kernel's include/uapi the header is in, when it is in one.
    let folder = header
        .parent()
        .and_then(Path::file_name)
        .map(|f| f.to_string_lossy().into_owned())
        .filter(|f| UAPI_FOLDERS.contains(&f.as_str()));
    let _ = writeln!(out, "[family]\nname = {}", toml_str(family));
    if folder.is_none() {
        let _ = writeln!(
            out,
            "# {file} is not in a folder of the kernel's include/uapi ({}): `header` is \
             uapigen's choice",
            UAPI_FOLDERS.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "header = {}",
        toml_str(&format!("{}/{file}", folder.as_deref().unwrap_or("linux")))
    );
    if guard_found.is_none() {
        let _ = writeln!(
            out,
            "# {file} has no include guard (`#ifndef NAME` then `#define NAME`): this one is \
             uapigen's choice"
        );
    }
    let _ = writeln!(out, "guard = {}", toml_str(&guard));
    if license_found.is_none() {
        let _ = writeln!(
            out,
            "# {file} has no SPDX-License-Identifier line: this license is uapigen's default; \
             write the header's own"
        );
    }
    let _ = writeln!(out, "license = {}", toml_str(&license));
    // A name the header gives that C++ reserves: C only, as the header is.
    let cpp = |n: &str| crate::names::CPP_KEYWORDS.contains(&n);
    let cpp_name = items.iter().find_map(|(_, i)| match i {
        Item::Struct { name, fields, .. } => std::iter::once(name.as_str())
            .chain(all_fields(fields).filter_map(|f| f.name.as_deref()))
            .find(|n| cpp(n)),
        Item::Enum { values, .. } => values.iter().map(|(n, ..)| n.as_str()).find(|n| cpp(n)),
        Item::Define { name, .. } | Item::Typedef { name, .. } | Item::Macro { name, .. } => {
            Some(name.as_str()).filter(|n| cpp(n))
        }
        _ => None,
    });
    if let Some(n) = cpp_name {
        let _ = writeln!(
            out,
            "# the header names `{n}`, a C++ keyword: it is C only, as the kernel's is\nc_only = true"
        );
    }
    // One the header writes below its constants: below the last define above it, which it
    // may need (linux/if.h's <linux/hdlc/ioctl.h> uses `IFNAMSIZ`).
    let first_item = items
        .iter()
        .filter(|(_, i)| {
            matches!(
                i,
                Item::Define {
                    extern_header: None,
                    ..
                } | Item::Struct {
                    extern_header: None,
                    ..
                } | Item::Enum { .. }
            )
        })
        .map(|(o, _)| *o)
        .min();
    let after = |h: &str| -> Option<&str> {
        let at = *include_at.get(h)?;
        if first_item.is_none_or(|f| at < f) {
            return None;
        }
        items
            .iter()
            .filter_map(|(o, i)| match i {
                Item::Define {
                    name,
                    extern_header: None,
                    ..
                } if *o < at => Some((*o, name.as_str())),
                _ => None,
            })
            .max_by_key(|(o, _)| *o)
            .map(|(_, n)| n)
    };
    if !assumes.is_empty() {
        let list: Vec<String> = assumes.iter().map(|a| toml_str(a)).collect();
        let _ = writeln!(
            out,
            "# {} uses what these define without including them: a program includes them first",
            header
                .file_name()
                .map_or(String::new(), |f| f.to_string_lossy().into_owned())
        );
        let _ = writeln!(out, "assumes = [{}]", list.join(", "));
    }
    let _ = writeln!(
        out,
        "includes = [{}]\n",
        includes
            .iter()
            .map(|i| match after(i) {
                Some(a) => format!("{{ header = {}, after = {} }}", toml_str(i), toml_str(a)),
                None => toml_str(i),
            })
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(out, "[[revision]]\nid = \"r1\"\nlabel = \"as imported\"");
    // Structs by their byte range, so a define inside one can be placed above its next field.
    let ranges: Vec<(String, u32, u32, Vec<Field>)> = items
        .iter()
        .filter_map(|(_, i)| match i {
            Item::Struct {
                name,
                start,
                end,
                fields,
                extern_header: None,
                ..
            } => Some((name.clone(), *start, *end, fields.clone())),
            _ => None,
        })
        .collect();
    let guard_name = guard.clone();
    // Whether struct `s`'s field `f` can take a flag set: an unsigned integer, not an array.
    fn holds_flags_of(ranges: &[(String, u32, u32, Vec<Field>)], s: &str, f: &str) -> bool {
        ranges.iter().any(|(name, _, _, fields)| {
            name == s
                && fields.iter().any(|x| {
                    x.name.as_deref() == Some(f)
                        && x.len.is_none()
                        && !x.flexible
                        && x.ty
                            .as_deref()
                            .and_then(Scalar::from_c_name)
                            .is_some_and(|t| !t.is_signed())
                })
        })
    }
    fn is_flags(f: &str) -> bool {
        f == "flags" || f.ends_with("_flags")
    }
    // The named field of struct `s` right above `offset`.
    fn field_above(
        ranges: &[(String, u32, u32, Vec<Field>)],
        s: &str,
        offset: u32,
    ) -> Option<String> {
        let (_, _, _, fields) = ranges.iter().find(|(name, ..)| name == s)?;
        fields
            .iter()
            .filter(|f| f.name.is_some() && f.offset < offset)
            .max_by_key(|f| f.offset)?
            .name
            .clone()
    }
    // Where a define sits inside a struct: the field right below it.
    let place = |offset: u32| -> Option<(String, String)> {
        let (s, _, _, fields) = ranges
            .iter()
            .find(|(_, start, end, _)| offset > *start && offset < *end)?;
        let next = fields
            .iter()
            .filter(|f| f.name.is_some() && f.offset > offset)
            .min_by_key(|f| f.offset)?;
        Some((s.clone(), next.name.clone().unwrap_or_default()))
    };
    // Bit defines above the same field are one flag set, linked to that field.
    // (struct, field) → its bits: (name, schema text, where in the header).
    type FlagSets = BTreeMap<(String, String), Vec<(String, String, u32)>>;
    let mut flag_sets: FlagSets = BTreeMap::new();
    for (_, item) in &items {
        if let Item::Define {
            name,
            value,
            offset,
            extern_header: None,
        } = item
        {
            // Only a field that can take a flag set (an unsigned integer, not an array) gets
            // one; bits above anything else stay plain defines inside the struct.
            // The field below takes the set, or a flags field right above it does.
            let holds_flags = |(s, f): &(String, String)| {
                holds_flags_of(&ranges, s, f)
                    || field_above(&ranges, s, *offset)
                        .is_some_and(|a| is_flags(&a) && holds_flags_of(&ranges, s, &a))
            };
            if let (true, Some(at)) = (
                value.starts_with("bit = "),
                place(*offset).filter(holds_flags),
            ) {
                flag_sets
                    .entry(at)
                    .or_default()
                    .push((name.clone(), value.clone(), *offset));
            }
        }
    }
    // Bits that repeat a value are not one set: defines in different inline structs above one
    // field (kvm_run's `notify.flags` and `msr.reason` bits, both 1 << 0) stay defines.
    flag_sets.retain(|_, bits| {
        let mut values: Vec<&str> = bits.iter().map(|b| b.1.as_str()).collect();
        values.sort_unstable();
        values.windows(2).all(|w| w[0] != w[1])
    });
    // Whose flags a set is: the field below it, unless that is not a flags field and the
    // one above is (vfio.h writes `__u32 flags;` and then its bits; iommu.h writes the bits
    // above their `flags`).
    let mut owners: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
    let mut owned: BTreeMap<(String, String), usize> = BTreeMap::new();
    for ((s, below), bits) in &flag_sets {
        let at = bits.first().map_or(0, |b| b.2);
        let above = field_above(&ranges, s, at).filter(|a| {
            !(is_flags(below) && holds_flags_of(&ranges, s, below))
                && is_flags(a)
                && holds_flags_of(&ranges, s, a)
        });
        let owner = above.unwrap_or_else(|| below.clone());
        *owned.entry((s.clone(), owner.clone())).or_default() += 1;
        owners.insert((s.clone(), below.clone()), (owner, String::new()));
    }
    for ((s, below), (owner, name)) in owners.iter_mut() {
        // Named after the field it belongs to, or after its place when two sets share one.
        let f = if owned[&(s.clone(), owner.clone())] == 1 {
            owner.as_str()
        } else {
            below.as_str()
        };
        *name = match f {
            "flags" => format!("{s}_flags"),
            f if f.ends_with("_flags") => format!("{s}_{f}"),
            f => format!("{s}_{f}_flags"),
        };
    }
    let set_name = |key: &(String, String)| owners[key].1.clone();
    for (_, item) in &mut items {
        if let Item::Struct { name, fields, .. } = item {
            for f in fields.iter_mut() {
                let field = f.name.clone().unwrap_or_default();
                if let Some((_, (_, set))) = owners
                    .iter()
                    .find(|((s, _), (owner, _))| s == name && *owner == field)
                    .filter(|_| f.bits.is_none())
                {
                    f.flags = Some(set.clone());
                }
            }
        }
    }
    let mut emitted_sets: Vec<(String, String)> = Vec::new();
    let mut seen = BTreeMap::new();
    let mut spans = Vec::new();
    // Lines of a field, an enum value or a flag: their own place, found before the item's.
    let mut fine = Vec::new();
    let line = |out: &String| out.matches('\n').count() + 1;
    let file_line_col = |offset: u32| {
        let (l, c) = Source::new("", source).line_col(offset as usize);
        format!("{file}:{l}:{c}")
    };
    // Each enum declared as a member's type, above its struct.
    let items: Vec<(u32, Item)> = items
        .into_iter()
        .flat_map(|(o, it)| {
            let mut out = Vec::new();
            if let Item::Struct { fields, .. } = &it {
                for (name, doc, values) in all_fields(fields).filter_map(|f| f.member_enum.clone())
                {
                    let item = Item::Enum {
                        name: Some(name),
                        doc,
                        values,
                        forms: Vec::new(),
                        self_defined: Vec::new(),
                        decl: EnumDecl::Member,
                        extern_header: None,
                        packed: false,
                    };
                    out.push((o, item));
                }
            }
            out.push((o, it));
            out
        })
        .collect();
    // A define between a struct's braces that an array length of the struct names
    // (asm-generic/siginfo.h's `__ADDR_BND_PKEY_PAD`, among `_sigfault`'s members) goes right
    // before the struct, at file scope: the schema takes a length over constants above it.
    let lens_of = |fields: &[Field]| -> HashSet<String> {
        all_fields(fields)
            .filter_map(|f| f.len_text.as_deref())
            .flat_map(len_names)
            .collect()
    };
    let hoist: Vec<(u32, u32, HashSet<String>)> = items
        .iter()
        .filter_map(|(_, it)| match it {
            Item::Struct {
                start,
                end,
                fields,
                extern_header: None,
                ..
            } => Some((*start, *end, lens_of(fields))),
            _ => None,
        })
        .collect();
    let mut hoisted: HashSet<String> = HashSet::new();
    let mut moved: Vec<(u32, (u32, Item))> = Vec::new();
    let mut items: Vec<(u32, Item)> = items
        .into_iter()
        .filter_map(|(o, it)| {
            let into = match &it {
                Item::Define { name, offset, .. } => hoist
                    .iter()
                    .find(|(s, e, used)| s < offset && offset < e && used.contains(name))
                    .map(|(s, ..)| *s),
                _ => None,
            };
            match (into, &it) {
                (Some(s), Item::Define { name, .. }) => {
                    hoisted.insert(name.clone());
                    moved.push((s, (o, it)));
                    None
                }
                _ => Some((o, it)),
            }
        })
        .collect();
    // Last first, so that each goes before the ones after it in the file.
    for (s, d) in moved.into_iter().rev() {
        let at = items
            .iter()
            .position(|(o, _)| *o >= s)
            .unwrap_or(items.len());
        items.insert(at, d);
    }
    // The constants written so far, which an array's length may name (`len_texts`).
    let mut known: HashSet<String> = HashSet::new();
    for (offset, item) in items {
        let first = line(&out);
        match &item {
            Item::Define { name, .. } => {
                known.insert(name.clone());
            }
            Item::Enum { values, .. } => known.extend(values.iter().map(|v| v.0.clone())),
            _ => {}
        }
        match item {
            Item::Struct {
                name,
                union,
                typedef,
                extern_header,
                doc,
                packed,
                packed_by,
                aligned,
                pack,
                deprecated,
                may_alias,
                mut fields,
                start,
                when,
                ..
            } => {
                let table = if union { "union" } else { "struct" };
                let _ = writeln!(out, "\n[[{table}]]\nname = \"{name}\"");
                if let Some((c, negated)) = &when {
                    let key = if *negated { "unless" } else { "when" };
                    let _ = writeln!(out, "{key} = {}", toml_str(c));
                }
                // An extern copy's offsets are its user's: its conditions are its own header's.
                if extern_header.is_none() {
                    if let Some(c) = compat_at(regions, offset, None) {
                        let _ = writeln!(out, "libc_compat = {}", toml_str(&c));
                    }
                    set_compat(&mut fields, regions, start);
                }
                len_texts(&mut fields, &known);
                if typedef {
                    let _ = writeln!(out, "typedef = true");
                }
                if let Some(h) = &extern_header {
                    let _ = writeln!(out, "extern = {}", toml_str(h));
                }
                if packed {
                    let _ = writeln!(out, "packed = true");
                }
                if let Some((m, w)) = packed_by {
                    let _ = writeln!(
                        out,
                        "packed_by = {{ macro = {}, when = {} }}",
                        toml_str(&m),
                        toml_str(&w)
                    );
                }
                if let Some(n) = aligned {
                    let _ = writeln!(out, "aligned = {n}");
                }
                if let Some(n) = pack {
                    let _ = writeln!(out, "pack = {n}");
                }
                if deprecated {
                    let _ = writeln!(out, "deprecated = true");
                }
                if may_alias {
                    let _ = writeln!(out, "may_alias = true");
                }
                let kd = doc.as_deref().map(|d| kernel_doc(d, &name));
                if let Some(kd) = &kd {
                    if let Some(sm) = &kd.summary {
                        let _ = writeln!(out, "summary = {}", quote(sm));
                    }
                    if let Some(d) = &kd.body {
                        let _ = writeln!(out, "doc = {}", quote(d));
                    }
                    give_docs(&mut fields, "", &kd.params);
                }
                let _ = writeln!(out, "fields = [");
                for f in &fields {
                    field_toml(f, "  ", &mut out, &mut fine);
                }
                let _ = writeln!(out, "]");
            }
            Item::Macro {
                name,
                params,
                body,
                doc,
                extern_header,
                ifndef,
            } => {
                let _ = writeln!(out, "\n[[macro]]\nname = {}", toml_str(&name));
                if let Some(h) = &extern_header {
                    let _ = writeln!(out, "extern = {}", toml_str(h));
                }
                // Another header's was read with it; this header's stands in `guarded`.
                if ifndef || (extern_header.is_none() && guarded.contains(&name)) {
                    let _ = writeln!(out, "ifndef = true");
                }
                let params: Vec<String> = params.iter().map(|p| toml_str(p)).collect();
                let _ = writeln!(out, "params = [{}]", params.join(", "));
                let _ = writeln!(out, "body = {}", toml_str(&body));
                if let Some(d) = doc {
                    let _ = writeln!(out, "doc = {}", quote(&d));
                }
            }
            Item::Typedef {
                name,
                ty,
                bitwise,
                aligned,
                extern_header,
            } => {
                // `__u8[10]`: an array's element and length.
                let (ty, len) = match ty.strip_suffix(']').and_then(|t| t.split_once('[')) {
                    Some((e, n)) => (e.to_string(), n.parse::<u64>().ok()),
                    None => (ty, None),
                };
                let _ = writeln!(
                    out,
                    "\n[[typedef]]\nname = {}\ntype = {}",
                    toml_str(&name),
                    toml_str(&ty)
                );
                if let Some(n) = len {
                    let _ = writeln!(out, "len = {n}");
                }
                if bitwise {
                    let _ = writeln!(out, "bitwise = true");
                }
                if let Some(a) = aligned {
                    let _ = writeln!(out, "aligned = {a}");
                }
                if let Some(h) = extern_header {
                    let _ = writeln!(out, "extern = {}", toml_str(&h));
                }
            }
            Item::Skipped { name } => {
                if name != guard_name {
                    let _ = writeln!(
                        out,
                        "\n# not imported: #define {name} at {}: not a form `uapigen import` \
                         reads (an integer constant expression, char, _IO/_IOR/_IOW/_IOWR, a name); add it by hand",
                        file_line_col(offset)
                    );
                }
            }
            Item::NotImported { what, why } => {
                let _ = writeln!(
                    out,
                    "\n# not imported: {what} at {}: {why}",
                    file_line_col(offset)
                );
            }
            Item::Enum {
                name,
                doc,
                values,
                forms,
                self_defined,
                decl,
                extern_header,
                packed,
            } => {
                let tag = name
                    .clone()
                    .unwrap_or_else(|| format!("anonymous_enum_{}", seen.len()));
                seen.insert(tag.clone(), ());
                let _ = writeln!(out, "\n[[enum]]\nname = \"{tag}\"");
                if let Some(h) = &extern_header {
                    let _ = writeln!(out, "extern = {}", toml_str(h));
                }
                if packed {
                    let _ = writeln!(out, "packed = true");
                }
                match decl {
                    EnumDecl::Typedef => {
                        let _ = writeln!(out, "typedef = true");
                    }
                    EnumDecl::Member => {
                        let _ = writeln!(out, "member = true");
                    }
                    EnumDecl::Alone if name.is_none() => {
                        let _ = writeln!(out, "anonymous = true");
                    }
                    EnumDecl::Alone => {}
                }
                // One declared as a member's type has its struct's condition.
                let compat = |at: u32, within: Option<u32>| {
                    (decl != EnumDecl::Member)
                        .then(|| compat_at(regions, at, within))
                        .flatten()
                };
                if let Some(c) = compat(offset, None) {
                    let _ = writeln!(out, "libc_compat = {}", toml_str(&c));
                }
                if let Some(d) = doc {
                    let _ = writeln!(out, "doc = {}", quote(&d));
                }
                // Past int: a value past 2^63 - 1, or an ioctl number with a direction, which
                // sets bit 31 on one encoding or the other (`_IOR` on x86-64, `_IOW` on
                // powerpc).
                let past = forms
                    .iter()
                    .any(|(_, f)| !f.starts_with("ioctl") || f.contains("dir ="));
                if past || values.iter().any(|(_, v, _)| i32::try_from(*v).is_err()) {
                    let _ = writeln!(out, "past_int = true");
                }
                let _ = writeln!(out, "values = [");
                for (i, (n, v, at)) in values.iter().enumerate() {
                    fine.push(Span {
                        lines: line(&out)..line(&out) + 1,
                        offset: *at,
                    });
                    // A second name for a value is an alias, as the schema writes it.
                    let mut also = if self_defined.contains(n) {
                        ", self_define = true".to_string()
                    } else {
                        String::new()
                    };
                    if let Some(c) = compat(*at, Some(offset)) {
                        also.push_str(&format!(", libc_compat = {}", toml_str(&c)));
                    }
                    let form = forms.iter().find(|(e, _)| e == n).map(|(_, t)| t);
                    match values[..i].iter().find(|(_, w, _)| w == v) {
                        _ if form.is_some_and(|t| t.is_empty()) => {
                            let _ = writeln!(out, "  {{ name = \"{n}\"{also} }},");
                        }
                        _ if form.is_some() => {
                            let t = form.map_or("", |t| t.as_str());
                            let _ = writeln!(out, "  {{ name = \"{n}\", {t}{also} }},");
                        }
                        Some((first, _, _)) => {
                            let _ =
                                writeln!(out, "  {{ name = \"{n}\", alias = \"{first}\"{also} }},");
                        }
                        None => {
                            let _ = writeln!(out, "  {{ name = \"{n}\", value = {v}{also} }},");
                        }
                    }
                }
                let _ = writeln!(out, "]");
            }
            Item::Define {
                name,
                value,
                extern_header: Some(h),
                ..
            } => {
                let _ = writeln!(
                    out,
                    "\n[[define]]\nname = \"{name}\"\nextern = {}\n{value}",
                    toml_str(&h)
                );
            }
            Item::Define {
                name,
                value,
                offset,
                ..
            } => {
                if name == guard_name {
                    continue;
                }
                let at = place(offset).filter(|_| !hoisted.contains(&name));
                if let Some(key) = at
                    .as_ref()
                    .filter(|k| value.starts_with("bit = ") && flag_sets.contains_key(*k))
                {
                    if !emitted_sets.contains(key) {
                        emitted_sets.push(key.clone());
                        let _ = writeln!(
                            out,
                            "\n[[flags]]\nname = \"{}\"\ninside = \"{}.{}\"\nvalues = [",
                            set_name(key),
                            key.0,
                            key.1
                        );
                        for (n, v, at) in &flag_sets[key] {
                            fine.push(Span {
                                lines: line(&out)..line(&out) + 1,
                                offset: *at,
                            });
                            let _ = writeln!(out, "  {{ name = \"{n}\", {v} }},");
                        }
                        let _ = writeln!(out, "]");
                    }
                    continue;
                }
                let _ = writeln!(out, "\n[[define]]\nname = \"{name}\"");
                // Inside a struct, the conditions within it (the struct carries its own).
                let within = at.as_ref().and_then(|(s, _)| {
                    ranges
                        .iter()
                        .find(|r| r.0 == *s)
                        .map(|(_, start, ..)| *start)
                });
                if let Some((s, f)) = &at {
                    let _ = writeln!(out, "inside = \"{s}.{f}\"");
                }
                if let Some(c) = compat_at(regions, offset, within) {
                    let _ = writeln!(out, "libc_compat = {}", toml_str(&c));
                }
                // At file scope, under an architecture's `#if`.
                let when = when_at(&arch, offset, 0);
                if let (None, Some((c, negated))) = (&at, &when) {
                    let key = if *negated { "unless" } else { "when" };
                    let _ = writeln!(out, "{key} = {}", toml_str(c));
                }
                // `#ifndef NAME` right around it alone (asm-generic/fcntl.h's `O_DIRECT`).
                if at.is_none()
                    && when.is_none()
                    && !value.starts_with("string = ")
                    && !value.starts_with("tag = ")
                    && guarded.contains(&name)
                    && compat_at(regions, offset, None).is_none()
                {
                    let _ = writeln!(out, "ifndef = true");
                }
                let _ = writeln!(out, "{value}");
            }
        }
        spans.push(Span {
            lines: first..line(&out) + 1,
            offset,
        });
    }
    fine.extend(spans);
    (out, fine)
}
