//! Rust bindings: `#[repr(C)]` types, constants and open enums for one family, with
//! compile-time size, alignment and offset assertions (bindgen ≥ 0.70 style), so a wrong layout
//! breaks the build on every target. Written as `rust_syntax` values and laid out as
//! prettyplease lays the same code out (`pp`), one struct at a time.

use std::borrow::Cow;
use std::cell::RefCell;

use crate::diag::Error;
use crate::emit::marker;
use crate::emit::pp::INDENT;
use crate::emit::rust_syntax::Expr;
use crate::emit::rust_syntax::*;
use crate::front::cexpr::CType;
use crate::ir::*;
use crate::layout::{rust_repr, RustRepr, TARGETS};
use crate::model::{Model, RevView, StructId};
pub use crate::names::camel;
use crate::names::{rust_ident, FxMap, RustIdent};

thread_local! {
    /// The first name `ident` could not make an identifier of, since the last `take_invalid`.
    static INVALID: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// A Rust identifier for a C name; keywords (`type`) become raw identifiers (`r#type`). The
/// identifier policy (`names`) lets no other name through; should one come anyway, this does
/// not panic: it stands in a placeholder and the emitter fails with an internal error.
pub fn ident(name: &str) -> String {
    match rust_ident(name) {
        RustIdent::Plain => name.to_string(),
        RustIdent::Raw => format!("r#{name}"),
        RustIdent::Invalid => {
            INVALID.with(|i| {
                i.borrow_mut().get_or_insert_with(|| name.to_string());
            });
            "__uapigen_invalid_identifier".to_string()
        }
    }
}

/// Fails if `ident` met a name that is not an identifier since the last call.
fn take_invalid() -> Result<(), Error> {
    match INVALID.with(|i| i.borrow_mut().take()) {
        Some(name) => Err(Error::Internal(format!(
            "`{name}` reached the Rust emitter but is not a Rust identifier"
        ))),
        None => Ok(()),
    }
}

/// The Rust type of a C struct or enum tag: `iommu_hwpt_alloc` → `IommuHwptAlloc`.
pub fn type_ident(c_name: &str) -> String {
    ident(&camel(c_name))
}

/// A doc text as doc lines: one per line, each after a space. Kernel-doc's literal blocks
/// (indented after a blank line, `e.g::`) would be Markdown code blocks, which rustdoc
/// compiles as doctests in every crate that includes the bindings: they become ```text
/// fences.
fn doc_lines(doc: Option<&str>) -> Vec<String> {
    let Some(doc) = doc else { return Vec::new() };
    // One line, not indented (no fence): most docs, a member's.
    let one_plain_line = !(doc.is_empty()
        || doc.bytes().any(|b| b == b'\n' || b == b'\r')
        || doc.starts_with("    ")
        || doc.starts_with('\t'));
    if one_plain_line {
        let mut line = String::with_capacity(doc.len() + 1);
        line.push(' ');
        link_urls(doc, &mut line);
        return vec![line];
    }
    let lines: Vec<&str> = doc.lines().collect();
    let mut out = Vec::with_capacity(lines.len());
    let mut fenced = false;
    for (i, l) in lines.iter().enumerate() {
        let indented = l.starts_with("    ") || l.starts_with('\t');
        let after_blank = i == 0 || lines[i - 1].trim().is_empty();
        if indented && !fenced && after_blank {
            out.push(" ```text".to_string());
            fenced = true;
        } else if fenced && !indented && !l.trim().is_empty() {
            out.push(" ```".to_string());
            fenced = false;
        }
        let mut line = String::with_capacity(l.len() + 1);
        if !l.is_empty() {
            line.push(' ');
            if fenced {
                line.push_str(l);
            } else {
                link_urls(l, &mut line);
            }
        }
        out.push(line);
    }
    if fenced {
        out.push(" ```".to_string());
    }
    out
}

/// Kernel-doc prose as rustdoc reads it: a bare URL (rustdoc links only `<https://...>`, and
/// warns on the rest) gets its angle brackets, and a bracket that is not one of uapigen's own
/// [`links`] is escaped (`bits[07:04]` is not a link to an item `07:04`).
fn link_urls(line: &str, out: &mut String) {
    if !line.contains("http") && !line.contains('[') && !line.contains(']') {
        out.push_str(line);
        return;
    }
    let line = escape_brackets(line);
    let linked = line
        .split(' ')
        .map(|w| {
            let Some(i) = w.find("https://").or_else(|| w.find("http://")) else {
                return w.to_string();
            };
            let (before, url) = w.split_at(i);
            let end = url.trim_end_matches([')', '.', ',', ';', ':']).len();
            format!("{before}<{}>{}", &url[..end], &url[end..])
        })
        .collect::<Vec<_>>()
        .join(" ");
    out.push_str(&linked);
}

fn escape_brackets(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        let own_link = match c {
            '[' => chars.get(i + 1) == Some(&'`'),
            ']' => i > 0 && chars[i - 1] == '`',
            _ => true,
        };
        if !own_link {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The architectures' own types the family's members have (`__kernel_mode_t` ...), each an
/// alias per `target_arch` of the primitive its <asm/posix_types.h> gives it there
/// (`Scalar::arch_layout`); on an architecture not laid out here, asm-generic's (riscv64's).
fn arch_aliases(family: &Family) -> String {
    let cfg = arch_cfg;
    let primitive = |(size, signed): (u64, bool)| match (size, signed) {
        (2, false) => "u16",
        (4, false) => "u32",
        (4, true) => "i32",
        _ => "u64",
    };
    // Which are used, in one walk over the members (most families use none).
    let used = std::cell::RefCell::new(Vec::new());
    family.any_field(&|f| {
        let s = match &f.ty {
            FieldType::Scalar(x) => Some(*x),
            FieldType::Pointer(p) => match p.to {
                Pointee::Scalar(x) => Some(x),
                _ => None,
            },
            _ => None,
        };
        if let Some(s) = s.filter(|s| s.is_arch()) {
            used.borrow_mut().push(s);
        }
        false
    });
    let mut used = used.into_inner();
    used.extend(family.typedefs.iter().filter_map(|t| match t.ty {
        FieldType::Scalar(x) if x.is_arch() => Some(x),
        _ => None,
    }));
    let mut r = Rust::new(1024, 0);
    for s in Scalar::ALL.into_iter().filter(|s| used.contains(s)) {
        let generic = s.arch_layout("riscv64");
        let mut kinds = crate::layout::targets_by(|t| s.arch_layout(t.rust_arch));
        kinds.sort_unstable_by_key(|(k, _)| *k);
        let mut named: Vec<Meta> = Vec::new();
        let doc = format!(
            " `{}`, which each architecture's <asm/posix_types.h> defines.",
            s.c_name()
        );
        for (k, arches) in kinds.into_iter().filter(|(k, _)| *k != generic) {
            named.extend(arches.iter().map(|a| cfg(a)));
            r.doc(false, &doc);
            r.attr(
                false,
                &Meta::List(
                    "cfg",
                    vec![Meta::List("any", arches.into_iter().map(cfg).collect())],
                ),
            );
            r.item_type_alias(s.c_name(), primitive(k));
        }
        r.doc(false, &doc);
        r.attr(
            false,
            &Meta::List(
                "cfg",
                vec![Meta::List("not", vec![Meta::List("any", named)])],
            ),
        );
        r.item_type_alias(s.c_name(), primitive(generic));
    }
    r.finish()
}

/// A value that may differ per target: a literal when all agree, else a `cfg!` chain.
fn per_target(values: &[(&'static str, u64)]) -> Expr {
    let mut distinct: Vec<u64> = values.iter().map(|(_, v)| *v).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() == 1 {
        return lit(distinct[0].to_string());
    }
    // The value most targets have is the `else`; the rest are named.
    let common = *distinct
        .iter()
        .max_by_key(|d| {
            (
                values.iter().filter(|(_, v)| v == *d).count(),
                std::cmp::Reverse(**d),
            )
        })
        .unwrap();
    let mut out = lit(common.to_string());
    for d in distinct.iter().rev().filter(|d| **d != common) {
        let cond = cfg_any_arch(values.iter().filter(|(_, v)| v == d).map(|(a, _)| *a));
        out = Expr::If(
            Box::new(cond),
            vec![Stmt::Expr(lit(d.to_string()))],
            Some(vec![Stmt::Expr(out)]),
        );
    }
    out
}

struct Ctx<'a> {
    view: RevView<'a>,
    family: &'a Family,
    layouts: &'a [crate::layout::FamilyLayout],
    /// Rust type of every constant, by name.
    const_types: &'a FxMap<String, &'static str>,
}

/// Derive lists, as the attribute items.
fn derive(items: &[&'static str]) -> Meta {
    Meta::List("derive", items.iter().map(|i| Meta::Path(i)).collect())
}

pub(crate) const ZEROCOPY_ALL: &[&str] = &[
    "::zerocopy::FromBytes",
    "::zerocopy::IntoBytes",
    "::zerocopy::KnownLayout",
    "::zerocopy::Immutable",
];
pub(crate) const ZEROCOPY_READ: &[&str] = &[
    "::zerocopy::FromBytes",
    "::zerocopy::KnownLayout",
    "::zerocopy::Immutable",
];

/// The family's module: its latest revision at the top, then one module per revision
/// (`v6_7`) with the structs as they were then, each with that revision's layout assertions and
/// validator (the kernel of that revision), so a test can play an old user or an old kernel.
pub fn emit(model: &Model) -> Result<String, Error> {
    INVALID.with(|i| i.borrow_mut().take());
    let latest = model.latest();
    let family = latest.family();
    let const_types = const_types(family);
    let ctx = Ctx {
        view: latest,
        family,
        layouts: latest.layouts(),
        const_types: &const_types,
    };
    // About 4 KiB a struct and revision in the benchmark's schema: grown from empty, 9 MB of
    // a 1,000-struct file were copied as often as it doubled.
    let mut out = String::with_capacity(4096 * family.structs.len() * (1 + family.revisions.len()));

    let mut head = Rust::new(4096, 0);
    head.doc(true, &format!(" {}", marker(family)));
    head.doc(true, "");
    head.doc(
        true,
        &format!(" Rust view of `include/uapi/{}`.", family.header),
    );
    if let Some(d) = family.description.as_deref() {
        head.doc(true, "");
        for l in d.lines() {
            head.doc(true, &format!(" {l}"));
        }
    }
    // The C names as C spells them, as bindgen keeps them: no case lint applies.
    head.attr(
        true,
        &Meta::List(
            "allow",
            vec![
                Meta::Path("non_upper_case_globals"),
                Meta::Path("non_camel_case_types"),
                Meta::Path("non_snake_case"),
            ],
        ),
    );
    head.attr(
        true,
        &Meta::List(
            "allow",
            [
                "clippy::unreadable_literal",
                "clippy::identity_op",
                "clippy::unnecessary_cast",
                "clippy::bad_bit_mask",
                "clippy::nonminimal_bool",
                "clippy::needless_return",
            ]
            .into_iter()
            .map(Meta::Path)
            .collect(),
        ),
    );
    out.push_str(&head.finish());
    if has_bitfields(family) {
        out.push_str(BITFIELD_HELPERS);
    }
    out.push_str(&arch_aliases(family));

    // Each struct's code at the latest revision, to re-export it where a revision's is the same.
    let mut latest_code: Vec<Option<String>> = vec![None; family.structs.len()];
    for item in &family.items {
        collect_item(&ctx, *item, &mut out, &mut latest_code);
    }
    // The previous revision: its module's name, its view, and per struct its code at column
    // 0, when it has been rendered.
    let mut previous: Option<(String, RevView, Vec<Code>)> = None;
    for view in model.revs() {
        // Constants come from the latest revision (`use super::*`): none is ever removed or
        // changed, but for a sentinel, which no struct of a revision module refers to.
        let ctx_r = ctx_of(view, &const_types);
        let rev = family.rev(view.id());
        let m = ident(&rev.id);
        let mut r = Rust::new(256, 0);
        r.doc(false, &format!(" The structs of revision `{}` ({}), laid out and validated as that revision's kernel does.", rev.id, rev.label));
        out.push_str(&r.finish());
        out.push_str("pub mod ");
        out.push_str(&m);
        out.push_str(" {\n");
        let mut body = Rust::new(4096, 4);
        body.attr(
            false,
            &Meta::List("allow", vec![Meta::Path("unused_imports")]),
        );
        body.item_use(false, "super::*");
        out.push_str(&body.finish());
        out.push_str(&format!(
            "    /// The revision's index, as `copy_from_user_by_name` takes it.\n    pub const REVISION: usize = {};\n",
            view.id().0
        ));
        // A sentinel this revision gives another value (`IOMMU_SVA_VTD_GPASID_LAST`, `1 << 6`
        // in v5.10): the revision's own, where `use super::*` would take the latest's.
        for d in view.family().defines.iter().filter(|d| d.sentinel) {
            let c = &d.constant;
            let latest_value = latest
                .family()
                .defines
                .iter()
                .find(|l| l.sentinel && l.constant.name == c.name)
                .map(|l| l.constant.value);
            if latest_value == Some(c.value) {
                continue;
            }
            let ty_name = const_types.get(&c.name).copied().unwrap_or("u32");
            let mut value = String::new();
            flat(&const_value(&ctx_r, c, ty_name), &mut value, usize::MAX);
            out.push_str(&format!(
                "    /// `{}` as this revision defines it.\n    pub const {}: {ty_name} = {value};\n",
                c.name,
                ident(&c.name)
            ));
        }
        let mut texts: Vec<Code> = (0..view.family().structs.len())
            .map(|_| Code::Absent)
            .collect();
        for (s, st) in view.structs() {
            // The same code as the latest revision's (or the previous one's): the same type,
            // re-exported rather than defined again. The latest revision's view is the latest
            // code itself. Code whose size differs on some target differs (its size
            // assertion does), so it is not rendered just to be compared: a revision's
            // struct that grew since is rendered once, in its module, not twice.
            let is_latest = view.id() == latest.id();
            let mut text: Option<String> = if is_latest && latest_code[s.0].is_none() {
                Some(String::new())
            } else {
                None
            };
            let ty = type_ident(&st.name);
            let mut r = Rust::new(64, 4);
            let as_latest = match &latest_code[s.0] {
                // The latest revision's own code: not copied only to be compared with itself.
                // (No revision comes after the latest to compare with its text.)
                Some(_) if is_latest => same_sizes(view, latest, s),
                Some(l) if same_sizes(view, latest, s) => {
                    *l == *text.get_or_insert_with(|| structure(&ctx_r, s, 0))
                }
                _ => false,
            };
            let as_previous = match &mut previous {
                Some((_, pv, p)) if !as_latest && same_sizes(view, *pv, s) => {
                    if let Code::Unrendered = p[s.0] {
                        p[s.0] = Code::Text(structure(&ctx_of(*pv, &const_types), s, 0));
                    }
                    match &p[s.0] {
                        Code::Text(t) => *t == *text.get_or_insert_with(|| structure(&ctx_r, s, 0)),
                        _ => false,
                    }
                }
                _ => false,
            };
            if let Some(w) = st.when.as_ref().filter(|_| as_latest || as_previous) {
                r.attr(false, &cfg_arches(&w.arches()));
            }
            if as_latest {
                r.item_use(true, &format!("super::{ty}"));
                out.push_str(&r.finish());
            } else if as_previous {
                let pm = &previous.as_ref().expect("compared with it").0;
                r.item_use(true, &format!("super::{pm}::{ty}"));
                out.push_str(&r.finish());
            } else {
                out.push_str(&structure(&ctx_r, s, 4));
            }
            texts[s.0] = match text {
                Some(mut t) => {
                    // Kept until the next revision is compared: at its length, not the
                    // printer's 8 KiB.
                    t.shrink_to_fit();
                    Code::Text(t)
                }
                None => Code::Unrendered,
            };
        }
        out.push_str("}\n");
        previous = Some((m, view, texts));
    }
    out.push_str(&super::rust_caps::emit(model));
    out.push_str(&dispatcher(model));
    take_invalid()?;
    Ok(out)
}

/// A struct's code in a revision module, at column 0, as the next revision compares with it.
enum Code {
    /// The struct is not in that revision.
    Absent,
    /// Not rendered yet: nothing needed it so far.
    Unrendered,
    Text(String),
}

/// The context of revision `view`'s module.
fn ctx_of<'a>(view: RevView<'a>, const_types: &'a FxMap<String, &'static str>) -> Ctx<'a> {
    Ctx {
        view,
        family: view.family(),
        layouts: view.layouts(),
        const_types,
    }
}

/// Whether struct `s` has the same size on every target in revisions `a` and `b`: when not,
/// their code differs, by the size assertion's value if nothing else. A revision without
/// the struct has no code to compare.
fn same_sizes(a: RevView, b: RevView, s: StructId) -> bool {
    a.exists(s)
        && b.exists(s)
        && a.layouts()
            .iter()
            .zip(b.layouts())
            .all(|(x, y)| x.struct_(s).size == y.struct_(s).size)
}

fn const_value(ctx: &Ctx, c: &Constant, ty: &str) -> Expr {
    match &c.expr {
        crate::ir::Expr::Literal(text) => {
            // The schema's spelling (`0x80`) when it is a Rust literal, else the value.
            if rust_int_literal(text) {
                lit(text.clone())
            } else {
                lit(signed_text(c, ty))
            }
        }
        crate::ir::Expr::Bit(n) => bin(lit("1"), "<<", lit(n.to_string())),
        crate::ir::Expr::Or(names) => {
            let mut parts = names.iter().map(|n| const_ref(ctx, n, ty));
            let first = parts.next().unwrap_or_else(|| lit("0"));
            parts.fold(first, |acc, p| bin(acc, "|", p))
        }
        // A name the header redefines below its enum: C reads the define's value, where
        // Rust's constant of the name is the enumerator's.
        crate::ir::Expr::Alias(n)
            if ctx
                .family
                .alias_target(n)
                .is_some_and(|x| x.redefined.is_some()) =>
        {
            lit(signed_text(c, ty))
        }
        crate::ir::Expr::Alias(n) => const_ref(ctx, n, ty),
        crate::ir::Expr::Char(ch) => {
            Expr::Cast(Box::new(lit(byte_lit(*ch as u8))), self::ty(ident(ty)))
        }
        crate::ir::Expr::Io {
            dir,
            ty: io_ty,
            nr,
            size,
            ..
        } => {
            // A name stays a name; an integer or an expression (`'V'`, `VFIO_BASE + 0`) is
            // its value, as an `expr` define's is, and the doc shows the C.
            let operand = |text: &str, v: u64| {
                if crate::names::is_c_identifier(text) {
                    const_ref(ctx, text, ty)
                } else {
                    lit(v.to_string())
                }
            };
            let mut e = io_dir(*dir);
            if let Some(size) = size {
                // `sizeof` the argument, per target where it differs (a `__u64` after a
                // `__u32` on i686), as the struct's own size assertion has it.
                let per: Vec<(&'static str, u64)> = crate::layout::TARGETS
                    .iter()
                    .zip(&size.bytes)
                    .map(|(t, b)| (t.rust_arch, *b))
                    .collect();
                let mut bytes = per_target(&per);
                if matches!(bytes, Expr::If(..)) {
                    bytes = paren(bytes);
                }
                e = bin(e, "|", paren(bin(bytes, "<<", lit("16"))));
            }
            e = bin(
                e,
                "|",
                paren(bin(operand(io_ty, (c.value >> 8) & 0xff), "<<", lit("8"))),
            );
            bin(e, "|", operand(nr, c.value & 0xff))
        }
        // Over ioctl numbers, which powerpc encodes its own way (linux/sockios.h's
        // `SIOCGSTAMP`): each target's value (non-negative: resolve refuses another).
        e @ crate::ir::Expr::C {
            powerpc: Some(_), ..
        } => {
            let per: Vec<(&'static str, u64)> = crate::layout::TARGETS
                .iter()
                .map(|t| (t.rust_arch, e.c_value_on(t).unwrap_or(0) as u64))
                .collect();
            per_target(&per)
        }
        // A value of each byte order's own, through <asm/byteorder.h>'s conversions
        // (linux/if_tunnel.h's `__cpu_to_be16(0x8000)`; resolve gave it one value per model).
        crate::ir::Expr::C {
            value,
            big_endian: Some(big),
            ..
        } => Expr::If(
            Box::new(Expr::Macro(
                path("cfg"),
                vec![
                    Tt::Ident("target_endian".into()),
                    Tt::Punct('='),
                    Tt::Lit(str_lit("big")),
                ],
            )),
            vec![Stmt::Expr(lit(big.to_string()))],
            Some(vec![Stmt::Expr(lit(value.to_string()))]),
        ),
        // A value of each data model's own (`sizeof(struct iw_event)`), or of 64 bits: each
        // model's value.
        crate::ir::Expr::C {
            value,
            ilp32: Some(small),
            ..
        } if !is_word_cut(*value, *small) || !(ty.contains("c_") || ty == "usize") => Expr::If(
            Box::new(cfg_pointer_width_32()),
            vec![Stmt::Expr(lit(small.to_string()))],
            Some(vec![Stmt::Expr(lit(value.to_string()))]),
        ),
        // A value of the ABI's word: the 64-bit value, cut to the target's `long` by `as`, as
        // C's is on ILP32.
        crate::ir::Expr::C {
            value,
            ilp32: Some(_),
            ..
        } => {
            let (v, word) = if ty.ends_with("c_long") {
                (format!("{}i64", *value as i64), "::core::ffi::c_long")
            } else if ty == "usize" {
                (format!("{}u64", *value as u64), "usize")
            } else {
                (format!("{}u64", *value as u64), "::core::ffi::c_ulong")
            };
            Expr::Cast(
                Box::new(lit(v)),
                crate::emit::rust_syntax::Ty::Path(path(word)),
            )
        }
        // Its value: C's conversions and types are not Rust's, the doc shows the expression.
        crate::ir::Expr::C { value, .. } => lit(value.to_string()),
        crate::ir::Expr::Implicit => lit(signed_text(c, ty)),
    }
}

/// Whether `small` is `value` cut to 32 bits as C cuts a `long` on ILP32 (`(-1ul)`), which an
/// `as` cast does in Rust, not a value of its own (`sizeof(unsigned long)`).
pub(crate) fn is_word_cut(value: i128, small: i128) -> bool {
    small == i128::from(value as i32) || small == i128::from(value as u32)
}

/// `cfg!(target_pointer_width = "32")`: ILP32.
fn cfg_pointer_width_32() -> Expr {
    Expr::Macro(
        path("cfg"),
        vec![
            Tt::Ident("target_pointer_width".into()),
            Tt::Punct('='),
            Tt::Lit(str_lit("32")),
        ],
    )
}

/// A constant of the ABI's word (`(-1ul)`) in Rust: its 64-bit value as the target's
/// `c_long`/`c_ulong` (`ty`), which `as` cuts to 32 bits where `long` is.
pub(crate) fn word_value(value: i128, ty: &str) -> String {
    if ty.ends_with("c_long") {
        format!("{}i64 as {ty}", value as i64)
    } else {
        format!("{}u64 as {ty}", value as u64)
    }
}

/// `c`'s value in Rust type `ty`: a negative enum value (held sign-extended) as such.
fn signed_text(c: &Constant, ty: &str) -> String {
    if ty.starts_with('i') {
        (c.value as i64).to_string()
    } else {
        c.value.to_string()
    }
}

/// `cfg!(any(target_arch = "a", ...))`.
fn cfg_any_arch<'a>(arches: impl Iterator<Item = &'a str>) -> Expr {
    let mut tts = Vec::new();
    for a in arches {
        if !tts.is_empty() {
            tts.push(Tt::Punct(','));
        }
        tts.push(Tt::Ident("target_arch".into()));
        tts.push(Tt::Punct('='));
        tts.push(Tt::Lit(str_lit(a)));
    }
    Expr::Macro(path("cfg"), vec![Tt::Ident("any".into()), Tt::Paren(tts)])
}

/// `dir << _IOC_DIRSHIFT`, the direction bits of `_IO()`, `_IOR()`, `_IOW()`, `_IOWR()`:
/// asm-generic's (`_IOC_NONE` 0, `_IOC_WRITE` 1, `_IOC_READ` 2, at bit 30) on most ABIs;
/// where the architecture's `asm/ioctl.h` makes `_IOC_NONE` 1, `_IOC_READ` 2, `_IOC_WRITE` 4
/// at bit 29 with 13 size bits (powerpc, mips, sparc; alpha too, which Rust does not target),
/// theirs, as Debian's linux-libc-dev headers for those architectures define them. The size
/// field starts at bit 16 on both, and `resolve` keeps a size within 13 bits.
fn io_dir(dir: crate::ir::IoDir) -> Expr {
    use crate::ir::IocEncoding::{Generic, Powerpc};
    let arches = [
        "powerpc",
        "powerpc64",
        "mips",
        "mips64",
        "mips32r6",
        "mips64r6",
        "sparc",
        "sparc64",
    ];
    let cond = cfg_any_arch(arches.into_iter());
    let shifted = |bits: u64, shift: u32| {
        if bits == 0 {
            lit("0")
        } else {
            bin(lit(bits.to_string()), "<<", lit(shift.to_string()))
        }
    };
    paren(Expr::If(
        Box::new(cond),
        vec![Stmt::Expr(shifted(dir.bits(Powerpc), Powerpc.dir_shift()))],
        Some(vec![Stmt::Expr(shifted(
            dir.bits(Generic),
            Generic.dir_shift(),
        ))]),
    ))
}

/// Whether `text` is an integer literal as Rust (and syn) reads one: decimal, `0x`, `0o` or
/// `0b` digits with `_` separators, and an optional integer suffix.
fn rust_int_literal(text: &str) -> bool {
    let (digits, radix) = if let Some(r) = text.strip_prefix("0x") {
        (r, 16)
    } else if let Some(r) = text.strip_prefix("0o") {
        (r, 8)
    } else if let Some(r) = text.strip_prefix("0b") {
        (r, 2)
    } else {
        (text, 10)
    };
    let end = digits
        .find(|c: char| !(c.is_digit(radix) || c == '_'))
        .unwrap_or(digits.len());
    let (num, suffix) = digits.split_at(end);
    if !num.chars().any(|c| c.is_digit(radix)) || (radix == 10 && num.starts_with('_')) {
        return false;
    }
    matches!(
        suffix,
        "" | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "u128"
            | "usize"
            | "i8"
            | "i16"
            | "i32"
            | "i64"
            | "i128"
            | "isize"
    )
}

/// A reference to another constant, cast when its type differs.
fn const_ref(ctx: &Ctx, name: &str, ty: &str) -> Expr {
    let id = var(ident(name));
    match ctx.const_types.get(name) {
        Some(t) if *t == ty => id,
        _ => paren(Expr::Cast(Box::new(id), self::ty(ident(ty)))),
    }
}

/// A constant at column 0, written as text when `pub const NAME: T = value;` fits on its line
/// (no box of `Rust::item_const` then breaks), else through the printer.
fn constant_text(ctx: &Ctx, c: &Constant, out: &mut String) {
    let ty_name = ctx.const_types.get(&c.name).copied().unwrap_or("u32");
    let value = const_value(ctx, c, ty_name);
    let mut doc = constant_doc(c, ty_name);
    // The enumerator's value, as bindgen's; C reads the define's below the enum.
    if let Some(r) = &c.redefined {
        doc.push_str(&format!(
            "\n\nBelow its enum the header defines `{}` as `{}`, {}: what C reads of the name \
             there.",
            c.name, r.text, r.value
        ));
    }
    let docs = doc_lines(Some(&doc));
    let name = ident(&c.name);
    // Under an architecture's `#if` in C (`when`): where the targets that have it are.
    if let Some(w) = &c.when {
        attr_text(0, &cfg_arches(&w.arches()), out);
    }
    let start = out.len();
    doc_text(0, &docs, out);
    let line = out.len();
    out.push_str("pub const ");
    out.push_str(&name);
    out.push_str(": ");
    // A primitive, or the target's `long` (a constant of the ABI's word), a path.
    let ty_text = if ty_name.starts_with("::") {
        ty_name.to_string()
    } else {
        ident(ty_name)
    };
    out.push_str(&ty_text);
    out.push_str(" = ");
    if flat(&value, out, usize::MAX) && out.len() - line + ";".len() <= budget(0) {
        out.push_str(";\n");
        return;
    }
    out.truncate(start);
    let mut r = Rust::new(256, 0);
    r.docs(false, &docs);
    r.item_const(true, &name, &ty(ty_text), &value);
    out.push_str(&r.finish());
}

/// The schema's doc, or else the constant as the C header defines it, so every item has a doc.
fn constant_doc(c: &Constant, ty: &str) -> String {
    if let Some(d) = &c.doc {
        return d.clone();
    }
    match crate::emit::c_header::define_value(&c.expr) {
        v if v.is_empty() => format!("`{}` = {}.", c.name, signed_text(c, ty)),
        v => format!("`{}` = `{v}`.", c.name),
    }
}

/// `pub const NAME: &[u8; N] = b"...\0";`, as bindgen writes a C string define: the array, its
/// NUL included. prettyplease never breaks a `const` after its `=` (`neverbreak`), nor a
/// literal, so the line is one whatever its length; `rustfmt` (the `rust-vmm` profile's
/// layout, as bindgen's crates are formatted) puts the value on the next line past the budget.
pub fn string_const(name: &str, d: &StringDefine, rustfmt: bool) -> String {
    let mut bytes = d.bytes.clone();
    bytes.push(0);
    let head = format!("pub const {name}: &[u8; {}] =", bytes.len());
    let value = byte_str_lit(&bytes);
    if !rustfmt || head.len() + 1 + value.len() + 1 <= budget(0) {
        format!("{head} {value};")
    } else {
        format!("{head}\n    {value};")
    }
}

/// One item of the family at the latest revision; a struct's code is kept in `latest_code`.
fn collect_item(ctx: &Ctx, item: ItemRef, out: &mut String, latest_code: &mut [Option<String>]) {
    match item {
        // A function-like macro has no Rust form (bindgen leaves them out too); the
        // constants written with it carry their values. Nor has another name for a tag: the
        // type is the struct's.
        ItemRef::Macro(_) | ItemRef::TagAlias(_) => {}
        ItemRef::String(i) => {
            let d = &ctx.family.strings[i.0];
            let doc = d
                .doc
                .clone()
                .unwrap_or_else(|| format!("`{}` = `{}`.", d.name, d.text));
            doc_text(0, &doc_lines(Some(&doc)), out);
            out.push_str(&string_const(&ident(&d.name), d, false));
            out.push('\n');
        }
        // bindgen's alias; the members keep what it names, the same type to Rust.
        ItemRef::Typedef(i) => {
            let t = &ctx.family.typedefs[i.0];
            let doc = t
                .doc
                .clone()
                .unwrap_or_else(|| format!("C's `typedef` `{}`.", t.name));
            doc_text(0, &doc_lines(Some(&doc)), out);
            let named = match &t.ty {
                FieldType::Scalar(s) => s.rust_name().to_string(),
                FieldType::Struct(s) => type_ident(&ctx.family.struct_(*s).name),
                // A function's type is Rust's (never null) function pointer, which a C pointer
                // to it wraps in an `Option`.
                FieldType::Pointer(p) => {
                    let aliased = match pointer_ty(ctx, p) {
                        Ty::Path(Path { mut args, .. }) if t.function => args.remove(0),
                        other => other,
                    };
                    let mut r = Rust::new(128, 0);
                    r.item_type_alias_ty(&ident(&t.name), &aliased);
                    out.push_str(&r.finish());
                    return;
                }
                FieldType::Inline(..) => {
                    unreachable!("resolve gives a typedef a named type")
                }
            };
            // `typedef __u8 dvd_challenge[10];`: an array.
            let named = match t.len {
                Some(n) => format!("[{named}; {n}]"),
                None => named,
            };
            out.push_str(&format!("pub type {} = {named};\n", ident(&t.name)));
        }
        ItemRef::Define(i) => {
            let d = ctx.family.define(i);
            match d.arg {
                // The struct an `_IO` number takes, which its value does not say.
                Some(s) => {
                    let name = &ctx.family.struct_(s).name;
                    let mut c = d.constant.clone();
                    let doc =
                        constant_doc(&c, ctx.const_types.get(&c.name).copied().unwrap_or("u32"));
                    c.doc = Some(format!(
                        "{doc}\n\nIts argument: `struct {name}` ([`{}`]).",
                        camel(name)
                    ));
                    constant_text(ctx, &c, out);
                }
                None => constant_text(ctx, &d.constant, out),
            }
        }
        ItemRef::Group(i) => {
            let g = ctx.family.group(i);
            for c in &g.values {
                constant_text(ctx, c, out);
            }
            if let Style::Enum { tag: Some(tag) } = &g.style {
                let mut r = Rust::new(1024, 0);
                open_enum(ctx, g, tag, &mut r);
                out.push_str(&r.finish());
            }
            // `typedef enum { ... } NAME;`: NAME, as a `[[typedef]]`'s is.
            if g.decl == crate::ir::EnumDecl::Typedef {
                let doc = format!("C's `typedef enum {{ ... }} {}`.", g.name);
                doc_text(0, &doc_lines(Some(&doc)), out);
                out.push_str(&format!(
                    "pub type {} = {};\n",
                    ident(&g.name),
                    g.enum_repr().rust_name()
                ));
            }
        }
        ItemRef::Struct(i) => {
            let st = ctx.family.struct_(i);
            // Constants the header defines inside the struct come first in Rust.
            let mut placed = Vec::new();
            visit_before(&st.fields, &mut placed);
            for item in placed {
                collect_item(ctx, item, out, latest_code);
            }
            let mut text = structure(ctx, i, 0);
            out.push_str(&text);
            // Kept until the last revision is compared: at its length, not the printer's
            // 8 KiB (160 MB of a 10,000-struct generation's peak).
            text.shrink_to_fit();
            latest_code[i.0] = Some(text);
        }
    }
}

fn visit_before(fields: &[Field], out: &mut Vec<ItemRef>) {
    for f in fields {
        out.extend(f.before.iter().copied());
        if let FieldType::Inline(_, ms) = &f.ty {
            visit_before(ms, out);
        }
    }
}

/// An open enum: a newtype so values the kernel does not know are representable (and can be
/// rejected by a validator), with the known values as associated constants.
fn open_enum(ctx: &Ctx, g: &ConstGroup, tag: &str, r: &mut Rust) {
    let name = type_ident(tag);
    let ty_name = ctx
        .const_types
        .get(&g.values[0].name)
        .copied()
        .unwrap_or("u32");
    r.docs(
        false,
        &doc_lines(Some(&format!(
            "`enum {tag}`{}",
            g.summary
                .as_deref()
                .map_or(String::new(), |s| format!(": {s}"))
        ))),
    );
    r.attr(false, &Meta::List("repr", vec![Meta::Path("transparent")]));
    r.attr(
        false,
        &derive(&[
            "Clone",
            "Copy",
            "Debug",
            "Default",
            "PartialEq",
            "Eq",
            "Hash",
            "PartialOrd",
            "Ord",
        ]),
    );
    r.attr(false, &derive(ZEROCOPY_ALL));
    r.item_tuple_struct(&name, &ty(ident(ty_name)));
    r.impl_begin(false, None, &name);
    for c in &g.values {
        let n = ident(&c.name);
        r.docs(false, &doc_lines(Some(&constant_doc(c, ty_name))));
        r.item_const(true, &n, &ty("Self"), &call("Self", vec![var(n.clone())]));
    }
    r.impl_end();
}

fn has_union(ctx: &Ctx, fields: &[Field]) -> bool {
    fields.iter().any(|f| match &f.ty {
        FieldType::Inline(Aggregate::Union, _) => true,
        FieldType::Inline(Aggregate::Struct, ms) => has_union(ctx, ms),
        FieldType::Struct(i) => {
            let inner = ctx.family.struct_(*i);
            inner.union || has_union(ctx, &inner.fields)
        }
        FieldType::Scalar(_) | FieldType::Pointer(_) => false,
    })
}

/// Whether a member, at any depth, is a raw pointer: no `Default` to derive and no zerocopy
/// byte view (a pointer's bytes carry no provenance).
fn has_pointer(ctx: &Ctx, fields: &[Field]) -> bool {
    fields.iter().any(|f| match &f.ty {
        FieldType::Pointer(_) => true,
        FieldType::Inline(_, ms) => has_pointer(ctx, ms),
        FieldType::Struct(i) => has_pointer(ctx, &ctx.family.struct_(*i).fields),
        FieldType::Scalar(_) => false,
    })
}

/// Whether a member, at any depth, is a `float` or `double`: no `Eq` or `Hash` to derive.
fn has_float(ctx: &Ctx, fields: &[Field]) -> bool {
    fields.iter().any(|f| match &f.ty {
        FieldType::Scalar(s) => s.is_float(),
        FieldType::Inline(_, ms) => has_float(ctx, ms),
        FieldType::Struct(i) => has_float(ctx, &ctx.family.struct_(*i).fields),
        FieldType::Pointer(_) => false,
    })
}

fn has_big_array(ctx: &Ctx, fields: &[Field]) -> bool {
    fields.iter().any(|f| {
        f.max_len().is_some_and(|n| n > 32)
            || f.dims.iter().any(|d| *d > 32)
            || match &f.ty {
                FieldType::Struct(i) => has_big_array(ctx, &ctx.family.struct_(*i).fields),
                FieldType::Inline(_, ms) => has_big_array(ctx, ms),
                FieldType::Scalar(_) | FieldType::Pointer(_) => false,
            }
    })
}

/// `#[repr(C)]` with the modifiers `layout::rust_repr` chose: `align(8)` for a
/// `__aligned_u64` (8-aligned on every ABI; Rust's u64 is not on i686), gcc's `aligned(n)`,
/// `packed` or `packed(n)`.
pub(crate) fn repr_attr(repr: RustRepr) -> Meta {
    let mut list = vec![Meta::Path("C")];
    match repr.packed {
        Some(1) => list.push(Meta::Path("packed")),
        Some(n) => list.push(Meta::List("packed", vec![Meta::Path(power_of_two(n))])),
        None => {}
    }
    if let Some(n) = repr.align {
        list.push(Meta::List("align", vec![Meta::Path(power_of_two(n))]));
    }
    Meta::List("repr", list)
}

/// An alignment (a power of two, at most 4096: resolve refuses others) as a token.
fn power_of_two(n: u64) -> &'static str {
    const ALL: [&str; 13] = [
        "1", "2", "4", "8", "16", "32", "64", "128", "256", "512", "1024", "2048", "4096",
    ];
    ALL[(n.trailing_zeros() as usize).min(ALL.len() - 1)]
}

/// Struct `s`'s code (its types, layout assertions and validator), at column `indent`.
fn structure(ctx: &Ctx, s: StructId, indent: usize) -> String {
    let st = ctx.family.struct_(s);
    // A struct of some targets (`Struct::when`): its items under their `cfg`, its layout
    // asserted and its bitfields read as the targets that have it lay it out, the first of
    // them taking x86-64's place.
    if let Some(w) = &st.when {
        let present: Vec<crate::layout::FamilyLayout> = ctx
            .layouts
            .iter()
            .filter(|l| st.on(l.target))
            .cloned()
            .collect();
        let own = Ctx {
            layouts: &present,
            ..*ctx
        };
        let text = structure_on(&own, s, indent);
        let mut attr = String::new();
        attr_text(indent, &cfg_arches(&w.arches()), &mut attr);
        return crate::emit::each_item_under(&text, indent, &attr);
    }
    structure_on(ctx, s, indent)
}

/// `structure` as laid out on `ctx.layouts` (for a struct of some targets, theirs).
fn structure_on(ctx: &Ctx, s: StructId, indent: usize) -> String {
    let st = ctx.family.struct_(s);
    let mut out = String::with_capacity(8192);
    let type_name = camel(&st.name);
    let mut doc = format!("`{}`", st.c_type());
    if let Some(s) = &st.summary {
        doc.push_str(&format!(": {s}"));
    }
    if let Some(d) = &st.doc {
        doc.push_str(&format!("\n\n{d}"));
    }
    if st.rust_opaque {
        opaque(ctx, s, &type_name, &doc, indent, &mut out);
        return out;
    }
    aggregate(
        ctx,
        s,
        &type_name,
        Some(&doc),
        &st.fields,
        crate::layout::RustRepr {
            zero_align: crate::layout::rust_zero_align(ctx.family, ctx.layouts, s),
            ..rust_repr(&st.fields, st.packed, st.aligned)
        },
        st.union,
        // zerocopy derives `IntoBytes` on unions only behind a cfg.
        ctx.view.into_bytes(s),
        &padding(ctx, s, &[]),
        &[],
        indent,
        &mut out,
    );

    // Layout assertions, one block per struct.
    let ty_id = ident(&type_name);
    let per = |f: &dyn Fn(&crate::layout::StructLayout) -> u64| -> Vec<(&'static str, u64)> {
        ctx.layouts
            .iter()
            .map(|l| (l.target.rust_arch, f(l.struct_(s))))
            .collect()
    };
    let c_name = &st.name;
    let kw = if st.union { "union " } else { "struct " };
    let mut checks = Vec::from(size_align_checks(ctx, s, &ty_id));
    let base = ctx.layouts[0].struct_(s);
    // A member some targets leave out (`Field::when`) is checked under its own `cfg`, and
    // found on each target by its index path, as are members a big-endian target declares in
    // reverse (`byte_order`) or does not declare (`byte_order_merged`); without these, every
    // target's members are in the same order.
    let mut only_some: Vec<(Meta, LayoutCheck)> = Vec::new();
    let by_path = st
        .fields
        .iter()
        .any(|f| f.when.is_some() || f.reversed_member())
        || Field::any(&st.fields, &|f| f.byte_order_merged);
    for (mi, m) in base.members.iter().enumerate().filter(|_| !by_path) {
        // Union members are asserted on the union type; anonymous unions by their Rust name.
        if m.depth != 0 {
            continue;
        }
        let f = &st.fields[m.index[0]];
        if f.bits.is_some() {
            continue;
        }
        checks.push(LayoutCheck {
            actual: Measure::Offset(Cow::Borrowed(&ty_id), ident(&f.rust_name)),
            expected: per(&|l| l.members[mi].offset),
            message: Message::Parts([kw, c_name, ": `", &m.path, "` at the wrong offset"]),
        });
    }
    for (i, f) in st.fields.iter().enumerate().filter(|_| by_path) {
        if f.bits.is_some() {
            continue;
        }
        let at: Vec<(&'static str, Option<&crate::layout::MemberLayout>)> = ctx
            .layouts
            .iter()
            .map(|l| (l.target.rust_arch, l.struct_(s).member_at(&[i])))
            .collect();
        let Some(m) = at.iter().find_map(|(_, m)| *m) else {
            continue;
        };
        let check = LayoutCheck {
            actual: Measure::Offset(Cow::Borrowed(&ty_id), ident(&f.rust_name)),
            expected: at
                .iter()
                .filter_map(|(a, m)| Some((*a, (*m)?.offset)))
                .collect(),
            message: Message::Parts([kw, c_name, ": `", &m.path, "` at the wrong offset"]),
        };
        match &f.when {
            Some(w) => only_some.push((cfg_arches(&w.arches()), check)),
            None => checks.push(check),
        }
    }
    // Each run of bitfields' bytes where C's bitfields are.
    let run_names: Vec<String> = (1..=base
        .bit_runs
        .iter()
        .filter(|r| r.at_index.len() == 1)
        .count())
        .map(|k| format!("_bitfield_{k}"))
        .collect();
    for (k, run_name) in run_names.iter().enumerate() {
        checks.push(LayoutCheck {
            actual: Measure::Offset(Cow::Borrowed(&ty_id), run_name.clone()),
            expected: per(&|l| {
                l.bit_runs
                    .iter()
                    .filter(|r| r.at_index.len() == 1)
                    .nth(k)
                    .map_or(0, |r| r.start)
            }),
            message: Message::Text(format!("struct {c_name}: `{run_name}` at the wrong offset")),
        });
    }
    // An inline union or struct some targets leave out (`when`): its type's layout under
    // the member's `cfg`, as the targets that have it lay it out.
    let inline = |f: &&Field| matches!(f.ty, FieldType::Inline(..));
    for f in st.fields.iter().filter(inline).filter(|f| f.when.is_none()) {
        union_layout_asserts(ctx, s, &type_name, std::slice::from_ref(f), 0, &mut checks);
    }
    let present: Vec<(&Field, Vec<crate::layout::FamilyLayout>)> = st
        .fields
        .iter()
        .filter(inline)
        .filter(|f| f.when.is_some())
        .map(|f| {
            (
                f,
                ctx.layouts
                    .iter()
                    .filter(|l| f.on(l.target))
                    .cloned()
                    .collect(),
            )
        })
        .collect();
    for (f, layouts) in &present {
        let own = Ctx { layouts, ..*ctx };
        let mut mine = Vec::new();
        union_layout_asserts(&own, s, &type_name, std::slice::from_ref(*f), 0, &mut mine);
        let arches: Vec<&str> = layouts.iter().map(|l| l.target.rust_arch).collect();
        only_some.extend(mine.into_iter().map(|c| (cfg_arches(&arches), c)));
    }
    layout_block(&checks, indent, &mut out);
    for (cfg, check) in &only_some {
        attr_text(indent, cfg, &mut out);
        layout_block(std::slice::from_ref(check), indent, &mut out);
    }
    crate::emit::rust_validate::emit(ctx.view, s, indent, &mut out);
    out
}

/// The assertions of struct `s`'s Rust type `ty_id`'s size and alignment, on each target.
fn size_align_checks<'a>(ctx: &Ctx<'a>, s: StructId, ty_id: &'a str) -> [LayoutCheck<'a>; 2] {
    let st = ctx.family.struct_(s);
    let kw = if st.union { "union " } else { "struct " };
    let per = |f: &dyn Fn(&crate::layout::StructLayout) -> u64| -> Vec<(&'static str, u64)> {
        ctx.layouts
            .iter()
            .map(|l| (l.target.rust_arch, f(l.struct_(s))))
            .collect()
    };
    [
        LayoutCheck {
            actual: Measure::Size(Cow::Borrowed(ty_id)),
            expected: per(&|l| l.size),
            message: Message::Parts([kw, &st.name, ": wrong size", "", ""]),
        },
        LayoutCheck {
            actual: Measure::Align(Cow::Borrowed(ty_id)),
            expected: per(&|l| l.align),
            message: Message::Parts([kw, &st.name, ": wrong alignment", "", ""]),
        },
    ]
}

/// Struct `s`'s opaque type (`Struct::rust_opaque`): its bytes, sized and aligned as C's (one
/// size and alignment on every target: `check`), with its size and alignment asserted.
fn opaque(ctx: &Ctx, s: StructId, type_name: &str, doc: &str, indent: usize, out: &mut String) {
    let l = ctx.layouts[0].struct_(s);
    let pad = " ".repeat(indent);
    let doc = format!(
        "{doc}\n\nOpaque: C lays it out as no Rust type can; its {} bytes, {}-aligned as C's.",
        l.size, l.align
    );
    doc_text(indent, &doc_lines(Some(&doc)), out);
    let repr = match l.align {
        1 => "#[repr(C)]".to_string(),
        a => format!("#[repr(C, align({}))]", power_of_two(a)),
    };
    let zerocopy: String = ZEROCOPY_ALL
        .iter()
        .map(|d| format!("{pad}    {d}"))
        .collect::<Vec<_>>()
        .join(",\n");
    out.push_str(&format!(
        "{pad}{repr}\n{pad}#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n{pad}#[derive(\n{}\n{pad})]\n\
         {pad}pub struct {type_name} {{\n{pad}    /// The struct's bytes.\n{pad}    pub _opaque: [u8; {}],\n{pad}}}\n\
         {pad}impl ::core::default::Default for {type_name} {{\n\
         {pad}    fn default() -> Self {{\n{pad}        Self {{ _opaque: [0; {}] }}\n{pad}    }}\n{pad}}}\n",
        zerocopy,
        l.size,
        l.size
    ));
    let ty_id = ident(type_name);
    layout_block(&size_align_checks(ctx, s, &ty_id), indent, out);
    crate::emit::rust_validate::emit(ctx.view, s, indent, out);
}

/// The zero-length array before member `f` that aligns it as gcc's `aligned(__alignof__(struct
/// X))` does on `arches` (`layout::rust_align_markers`): `__uapigen_align_<member>`, under
/// each group of targets' `cfg`.
fn align_marker(ctx: &Ctx, f: &Field, a: u64, arches: &[&str]) -> Member {
    let x = f
        .aligned_of
        .map_or("", |x| ctx.family.struct_(x).name.as_str());
    Member {
        docs: vec![format!(
            " The alignment of `struct {x}` here, {a}, which gcc's \
             `aligned(__alignof__(struct {x}))` gives `{}`.",
            f.display_name()
        )],
        cfg: (arches.len() < ctx.layouts.len()).then(|| cfg_arches(arches)),
        name: format!("__uapigen_align_{}", f.name.as_deref().unwrap_or_default()),
        ty: Ty::Array(Box::new(ty(align_type(a))), "0".to_string()),
    }
}

/// The integer of alignment `a` whose zero-length array aligns a packed type
/// (`RustRepr::zero_align`) or a member (`layout::rust_align_markers`), which the layout
/// stage chose where one is that aligned.
pub(crate) fn align_type(a: u64) -> &'static str {
    crate::layout::align_integer(a).unwrap_or("u64")
}

/// Padding bytes before a struct's member on some targets (`layout::rust_paddings`).
type Padding = crate::layout::Padding;

/// `path`: the aggregate's (empty: the struct; a field's index path: its inline one).
fn padding(ctx: &Ctx, s: StructId, path: &[usize]) -> Vec<Padding> {
    crate::layout::rust_paddings(ctx.family, ctx.layouts, s, path)
}

/// A member's array lengths and the `cfg` of the targets that have each, when its `len_expr`
/// differs between targets (linux/x25.h's `200-sizeof(unsigned long)`); None when one length
/// is every target's.
fn len_variants(f: &Field) -> Option<Vec<(Option<Meta>, Option<u64>)>> {
    let on = f.len_expr.as_ref()?.on.as_ref()?;
    Some(
        crate::layout::targets_by(|t| on[t.index()])
            .into_iter()
            .map(|(n, arches)| (Some(cfg_arches(&arches)), Some(n)))
            .collect(),
    )
}

/// `cfg(any(target_arch = "...", ...))` of these targets.
pub(crate) fn cfg_arches(arches: &[&str]) -> Meta {
    Meta::List("cfg", vec![arches_pred(arches)])
}

/// The predicate of `cfg_arches`: `target_arch = "x86_64"`, or `any(...)` of several.
pub(crate) fn arches_pred(arches: &[&str]) -> Meta {
    match arches {
        [one] => arch_cfg(one),
        _ => Meta::List("any", arches.iter().map(|a| arch_cfg(a)).collect()),
    }
}

/// `target_arch = "..."` of a target laid out here, as an attribute's words.
fn arch_cfg(arch: &str) -> Meta {
    Meta::Path(match arch {
        "x86_64" => "target_arch = \"x86_64\"",
        "x86" => "target_arch = \"x86\"",
        "aarch64" => "target_arch = \"aarch64\"",
        "arm" => "target_arch = \"arm\"",
        "riscv64" => "target_arch = \"riscv64\"",
        "powerpc64" => "target_arch = \"powerpc64\"",
        _ => "target_arch = \"s390x\"",
    })
}

/// `parts` as one string, sized once (`format!` was a tenth of `structure`).
fn concat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// What a layout assertion measures (the struct's type borrowed: not a copy per assertion).
enum Measure<'a> {
    /// `::core::mem::size_of::<T>()`
    Size(Cow<'a, str>),
    /// `::core::mem::align_of::<T>()`
    Align(Cow<'a, str>),
    /// `::core::mem::offset_of!(T, f)`
    Offset(Cow<'a, str>, String),
}

/// A layout assertion's message: the struct's, in the pieces it is written from (not joined
/// into a string of its own to be copied into a literal); an inline type's, as text.
enum Message<'a> {
    Parts([&'a str; 5]),
    Text(String),
}

impl Message<'_> {
    fn text(&self) -> Cow<'_, str> {
        match self {
            Message::Parts(parts) => Cow::Owned(concat(parts)),
            Message::Text(t) => Cow::Borrowed(t),
        }
    }

    /// The message as a string literal (`str_lit`), appended to `out`.
    fn write_lit(&self, out: &mut String) {
        match self {
            // A C struct's name, a member path and fixed text: printable ASCII without `"`
            // or `\\` (names are identifiers), their own literal in quotes.
            Message::Parts(parts) => {
                debug_assert!(parts.iter().all(|p| p
                    .bytes()
                    .all(|b| matches!(b, 0x20..=0x7e) && b != b'"' && b != b'\\')));
                out.push('"');
                for p in parts {
                    out.push_str(p);
                }
                out.push('"');
            }
            Message::Text(t) => push_str_lit(t, out),
        }
    }
}

impl Measure<'_> {
    fn expr(&self) -> Expr {
        let of = |f: &'static str, t: &str| {
            Expr::Call(
                Box::new(Expr::Path(path_args(f, vec![ty(t.to_string())]))),
                Vec::new(),
            )
        };
        match self {
            Measure::Size(t) => of("::core::mem::size_of", t),
            Measure::Align(t) => of("::core::mem::align_of", t),
            Measure::Offset(t, f) => Expr::Macro(
                path("::core::mem::offset_of"),
                vec![
                    Tt::Ident(t.to_string()),
                    Tt::Punct(','),
                    Tt::Ident(f.to_string()),
                ],
            ),
        }
    }

    /// The one-line form `expr` prints as.
    fn write(&self, out: &mut String) {
        let (open, t, f) = match self {
            Measure::Size(t) => ("::core::mem::size_of::<", t, None),
            Measure::Align(t) => ("::core::mem::align_of::<", t, None),
            Measure::Offset(t, f) => ("::core::mem::offset_of!(", t, Some(f)),
        };
        out.push_str(open);
        out.push_str(t);
        match f {
            Some(f) => {
                out.push_str(", ");
                out.push_str(f);
                out.push(')');
            }
            None => out.push_str(">()"),
        }
    }
}

/// `if actual != expected { panic!(message) }` in a const block: a compile error naming what
/// moved. (Not `assert!`: prettyplease cannot format the tokens inside a macro call.)
struct LayoutCheck<'a> {
    actual: Measure<'a>,
    /// The value on each target.
    expected: Vec<(&'static str, u64)>,
    message: Message<'a>,
}

impl LayoutCheck<'_> {
    fn stmt(&self) -> Stmt {
        Stmt::Expr(Expr::If(
            Box::new(bin(self.actual.expr(), "!=", per_target(&self.expected))),
            vec![Stmt::Macro(
                path("panic"),
                vec![Tt::Lit(str_lit(&self.message.text()))],
            )],
            None,
        ))
    }

    /// The statement as the printer prints it when the condition and the `panic!` each fit on
    /// their line, at statement column `col`; false (and `out` as it was) when one does not.
    fn write(&self, col: usize, out: &mut String) -> bool {
        let start = out.len();
        push_indent(col, out);
        out.push_str("if ");
        self.actual.write(out);
        out.push_str(" != ");
        let ok = match self.expected.split_first() {
            Some((first, rest)) if rest.iter().all(|v| v.1 == first.1) => {
                out.push_str(&first.1.to_string());
                true
            }
            _ => flat(&per_target(&self.expected), out, usize::MAX),
        };
        // `if cond` and ` {` within the line (`Rust::expr_if`).
        if !ok || out.len() - start - col + 2 > budget(col) {
            out.truncate(start);
            return false;
        }
        out.push_str(" {\n");
        let line = out.len();
        let inner = col + INDENT as usize;
        push_indent(inner, out);
        out.push_str("panic!(");
        self.message.write_lit(out);
        out.push(')');
        // The `;` after it within the line (`Rust::stmt`).
        if out.len() - line - inner >= budget(inner) {
            out.truncate(start);
            return false;
        }
        out.push_str(";\n");
        push_indent(col, out);
        out.push_str("}\n");
        true
    }
}

/// `n` spaces.
pub(crate) fn push_indent(n: usize, out: &mut String) {
    const SPACES: &str = "                                                                ";
    let mut n = n;
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

/// The layout assertions as `const _: () = { .. };` at column `indent`. Their shape is fixed,
/// so they are written as text, as the printer prints them when every line fits (a third of
/// a struct's printing was these); a block with a line that does not goes through the printer.
fn layout_block(checks: &[LayoutCheck<'_>], indent: usize, out: &mut String) {
    let start = out.len();
    push_indent(indent, out);
    out.push_str("const _: () = {\n");
    let col = indent + INDENT as usize;
    if checks.iter().all(|k| k.write(col, out)) {
        push_indent(indent, out);
        out.push_str("};\n");
        return;
    }
    out.truncate(start);
    let stmts: Vec<Stmt> = checks.iter().map(LayoutCheck::stmt).collect();
    let mut r = Rust::new(4096, indent);
    r.const_block(&stmts);
    out.push_str(&r.finish());
}

/// Size of each inline union and struct type and the offset of each member (0 in a union),
/// checked at compile time.
fn union_layout_asserts(
    ctx: &Ctx,
    s: StructId,
    owner: &str,
    fields: &[Field],
    depth: usize,
    out: &mut Vec<LayoutCheck<'_>>,
) {
    for f in fields {
        let FieldType::Inline(kind, ms) = &f.ty else {
            continue;
        };
        let kw = kind.c_keyword();
        let uname = ident(&inline_type_name(owner, f));
        let base = ctx.layouts[0].struct_(s);
        let Some(mi) = base.members.iter().position(|m| {
            m.is_inline
                && m.depth == depth
                && std::ptr::eq(
                    crate::layout::field_at(ctx.family.struct_(s), &m.index).unwrap(),
                    f,
                )
        }) else {
            continue;
        };
        // By its index path: a member under `when` before it moves it in the list.
        let at = &base.members[mi].index;
        // (offset, size) on a target.
        let member = |l: &crate::layout::FamilyLayout| {
            l.struct_(s).member_at(at).map(|m| (m.offset, m.size))
        };
        let values: Vec<(&'static str, u64)> = ctx
            .layouts
            .iter()
            .map(|l| {
                (
                    l.target.rust_arch,
                    member(l)
                        .and_then(|_| crate::layout::element_size(f, l))
                        .unwrap_or(0),
                )
            })
            .collect();
        out.push(LayoutCheck {
            actual: Measure::Size(Cow::Owned(uname.clone())),
            expected: values,
            message: Message::Text(format!("{kw} {uname}: wrong size")),
        });
        // An inline struct's runs of bitfields, from its start.
        let inner_runs = |l: &'_ crate::layout::FamilyLayout| -> Vec<u64> {
            let sl = l.struct_(s);
            let start = member(l).map_or(0, |m| m.0);
            sl.bit_runs
                .iter()
                .filter(|r| r.at_index.len() == at.len() + 1 && r.at_index.starts_with(at))
                .map(|r| r.start - start)
                .collect()
        };
        for k in 0..inner_runs(&ctx.layouts[0]).len() {
            let run_name = format!("_bitfield_{}", k + 1);
            out.push(LayoutCheck {
                actual: Measure::Offset(Cow::Owned(uname.clone()), run_name.clone()),
                expected: ctx
                    .layouts
                    .iter()
                    .map(|l| {
                        (
                            l.target.rust_arch,
                            inner_runs(l).get(k).copied().unwrap_or(0),
                        )
                    })
                    .collect(),
                message: Message::Text(format!("struct {uname}: `{run_name}` at the wrong offset")),
            });
        }
        for (j, m) in ms.iter().enumerate() {
            if m.bits.is_some() {
                continue;
            }
            let expected: Vec<(&'static str, u64)> = match kind {
                Aggregate::Union => ctx
                    .layouts
                    .iter()
                    .map(|l| (l.target.rust_arch, 0))
                    .collect(),
                // From the inline struct's start, per target: its members' padding may
                // differ between ABIs as a struct's does.
                Aggregate::Struct => {
                    let mut inner = at.clone();
                    inner.push(j);
                    if base.member_at(&inner).is_none() {
                        continue;
                    }
                    ctx.layouts
                        .iter()
                        .map(|l| {
                            let sl = l.struct_(s);
                            let offset = sl.member_at(&inner).map_or(0, |m| m.offset)
                                - member(l).map_or(0, |m| m.0);
                            (l.target.rust_arch, offset)
                        })
                        .collect()
                }
            };
            let message = match kind {
                Aggregate::Union => format!("union {uname}: `{}` not at offset 0", m.rust_name),
                Aggregate::Struct => {
                    format!("struct {uname}: `{}` at the wrong offset", m.rust_name)
                }
            };
            out.push(LayoutCheck {
                actual: Measure::Offset(Cow::Owned(uname.clone()), ident(&m.rust_name)),
                expected,
                message: Message::Text(message),
            });
        }
        union_layout_asserts(ctx, s, &uname, ms, depth + 1, out);
    }
}

/// A struct or union type, its inline member types first.
#[allow(clippy::too_many_arguments)]
fn aggregate(
    ctx: &Ctx,
    s: StructId,
    type_name: &str,
    doc: Option<&str>,
    fields: &[Field],
    repr: RustRepr,
    is_union: bool,
    into_bytes: bool,
    pads: &[Padding],
    at_path: &[usize],
    indent: usize,
    out: &mut String,
) {
    let mut members = Vec::new();
    let runs = bit_runs(ctx, s, fields);
    // Each run's alignment first, at offset 0 where a zero-length array moves nothing: the
    // alignment its bitfields' types give the struct, as bindgen's `_bitfield_align_N`.
    for (k, run) in runs.iter().enumerate() {
        if let Some(t) = run.align_type {
            members.push(Member {
                docs: vec![format!(
                    " The alignment the bitfields of `_bitfield_{}` give the type.",
                    k + 1
                )],
                cfg: None,
                name: format!("_bitfield_align_{}", k + 1),
                ty: Ty::Array(Box::new(ty(t)), "0".to_string()),
            });
        }
    }
    // gcc's `packed, aligned(n)` of members less aligned: the alignment, from a zero-length
    // array at offset 0.
    if let Some(a) = repr.zero_align {
        members.push(Member {
            docs: vec![format!(
                " The alignment gcc's `aligned({a})` gives the type, which `packed({a})` allows."
            )],
            cfg: None,
            name: "__uapigen_align".to_string(),
            ty: Ty::Array(Box::new(ty(align_type(a))), "0".to_string()),
        });
    }
    let marks = crate::layout::rust_align_markers(ctx.family, ctx.layouts, s, at_path);
    // Where the members of the run declared per byte order being written start.
    let mut run_from = 0;
    for (i, f) in fields.iter().enumerate() {
        for (_, a, arches) in marks.iter().filter(|m| m.0 == i) {
            members.push(align_marker(ctx, f, *a, arches));
        }
        for (k, (_, bytes, arches)) in pads.iter().enumerate().filter(|(_, p)| p.0 == i) {
            members.push(Member {
                docs: vec![format!(
                    " Padding: the {bytes} bytes gcc leaves before `{}`, whose alignment is \
                     more than its Rust type's.",
                    f.display_name()
                )],
                cfg: (arches.len() < ctx.layouts.len()).then(|| cfg_arches(arches)),
                name: format!("__uapigen_pad_{}", k + 1),
                ty: Ty::Array(Box::new(ty("u8")), bytes.to_string()),
            });
        }
        if f.bits.is_some() {
            // A run's bytes, once, where its first bitfield is; its bits are read by the
            // accessors below.
            if let Some((k, run)) = runs.iter().enumerate().find(|(_, r)| r.first == i) {
                let names: Vec<String> = run
                    .members
                    .iter()
                    .map(|m| format!("`{}`", fields[m.field].display_name()))
                    .collect();
                members.push(Member {
                    docs: doc_lines(Some(&format!(
                        "The bytes of the bitfields {}: read and written by their accessors.",
                        if names.is_empty() {
                            "(padding only)".to_string()
                        } else {
                            names.join(", ")
                        }
                    ))),
                    cfg: None,
                    name: format!("_bitfield_{}", k + 1),
                    ty: Ty::Array(Box::new(ty("u8")), run.bytes.to_string()),
                });
            }
            continue;
        }
        let mut t = match &f.ty {
            FieldType::Scalar(s) => ty(s.rust_name()),
            FieldType::Pointer(p) => pointer_ty(ctx, p),
            FieldType::Struct(i) => ty(type_ident(&ctx.family.struct_(*i).name)),
            FieldType::Inline(kind, ms) => {
                let kw = kind.c_keyword();
                let uname = inline_type_name(type_name, f);
                let udoc = match &f.name {
                    Some(n) => format!("The {kw} `{n}` of [`{type_name}`]."),
                    None => format!("The anonymous {kw} of [`{type_name}`]."),
                };
                let inner_union = *kind == Aggregate::Union;
                let inner_path: Vec<usize> = at_path.iter().copied().chain([i]).collect();
                // An inline struct of a plain struct is plain too (`Model::into_bytes`).
                let inner_bytes = into_bytes && !inner_union;
                aggregate(
                    ctx,
                    s,
                    &uname,
                    Some(&udoc),
                    ms,
                    crate::layout::inline_repr(f, ms),
                    inner_union,
                    inner_bytes,
                    &padding(ctx, s, &inner_path),
                    &inner_path,
                    indent,
                    out,
                );
                ty(ident(&uname))
            }
        };
        // `[4][8]`: an array of 4 rows of 8.
        for d in f.dims.iter().rev() {
            t = Ty::Array(Box::new(t), d.to_string());
        }
        // A length that differs between targets: the member once per length, under the
        // `cfg` of the targets that have it.
        let variants = len_variants(f);
        // A flexible array member as a zero-length array: the element's alignment at the C
        // offset and no size, so the struct is the C struct; its elements are the caller's.
        if f.flexible.is_some() {
            t = Ty::Array(Box::new(t), "0".to_string());
        }
        let docs = match f.doc.as_deref() {
            Some(d) => doc_lines(Some(d)),
            None => {
                let fallback = match (&f.ty, &f.name) {
                    (FieldType::Inline(kind, _), Some(n)) => {
                        format!("The {} `{n}`.", kind.c_keyword())
                    }
                    (FieldType::Inline(kind, _), None) => {
                        format!("The anonymous {}.", kind.c_keyword())
                    }
                    (_, _) if f.flexible.is_some() => format!(
                        "`{}{}`: a flexible array member, whose elements follow the struct.",
                        f.display_name(),
                        f.c_array_suffix()
                    ),
                    (_, _) => format!("`{}`.", f.display_name()),
                };
                doc_lines(Some(&fallback))
            }
        };
        let array = |t: Ty, len: Option<u64>| match len {
            Some(n) => Ty::Array(Box::new(t), n.to_string()),
            None => t,
        };
        if f.byte_order && f.byte_order_starts {
            run_from = members.len();
        }
        match variants {
            None => members.push(Member {
                docs,
                // Under `#if` in C (`when`): in Rust, where the targets that have it are.
                cfg: f.when.as_ref().map(|w| cfg_arches(&w.arches())),
                name: ident(&f.rust_name),
                ty: array(t, f.len),
            }),
            Some(variants) => {
                for (cfg, len) in variants {
                    members.push(Member {
                        docs: docs.clone(),
                        cfg,
                        name: ident(&f.rust_name),
                        ty: array(t.clone(), len),
                    });
                }
            }
        }
        // A run declared per byte order ends here: in this order on a little-endian target,
        // in reverse on a big-endian one, as the C header's two declarations (resolve left
        // such a member no `when` of its own).
        if f.byte_order && !fields.get(i + 1).is_some_and(Field::continues_run) {
            let endian = |e: &'static str| Some(Meta::List("cfg", vec![Meta::Path(e)]));
            let big: Vec<Member> = members[run_from..]
                .iter_mut()
                .rev()
                .map(|m| {
                    m.cfg = endian("target_endian = \"little\"");
                    Member {
                        docs: m.docs.clone(),
                        cfg: endian("target_endian = \"big\""),
                        name: m.name.clone(),
                        ty: m.ty.clone(),
                    }
                })
                .collect();
            members.extend(big);
        }
    }
    let name = ident(type_name);
    doc_text(indent, &doc_lines(doc), out);
    match (&ctx.family.struct_(s).packed_by, at_path.is_empty()) {
        // Packed where the macro's condition holds (linux/eventpoll.h's `EPOLL_PACKED`).
        (Some(p), true) => {
            let packed = rust_repr(fields, true, ctx.family.struct_(s).aligned);
            for (cfg, r) in [
                (arches_pred(&p.when.arches()), packed),
                (Meta::List("not", vec![arches_pred(&p.when.arches())]), repr),
            ] {
                attr_text(
                    indent,
                    &Meta::List("cfg_attr", vec![cfg, repr_attr(r)]),
                    out,
                );
            }
        }
        _ => attr_text(indent, &repr_attr(repr), out),
    }
    let plain = !is_union && !has_union(ctx, fields);
    let pointer = has_pointer(ctx, fields);
    let big_run = runs.iter().any(|r| r.bytes > 32);
    let derive_default = plain && !has_big_array(ctx, fields) && !pointer && !big_run;
    // A NaN is not equal to itself, and function pointers compare unpredictably: neither
    // derives `Eq` or `Hash`, and a function pointer no `PartialEq` either.
    let fn_pointer = ctx.family.has_fn_pointer(fields);
    let float = fn_pointer || has_float(ctx, fields);
    let derives: &[&'static str] = match (plain, derive_default, float) {
        (true, _, true) if fn_pointer => &["Clone", "Copy", "Debug"],
        (true, true, false) => &[
            "Clone",
            "Copy",
            "Debug",
            "Default",
            "PartialEq",
            "Eq",
            "Hash",
        ],
        (true, false, false) => &["Clone", "Copy", "Debug", "PartialEq", "Eq", "Hash"],
        // A NaN is not equal to itself.
        (true, true, true) => &["Clone", "Copy", "Debug", "Default", "PartialEq"],
        (true, false, true) => &["Clone", "Copy", "Debug", "PartialEq"],
        _ => &["Clone", "Copy"],
    };
    attr_text(indent, &derive(derives), out);
    // zerocopy's derives, so a VMM reads and writes these types as bytes with no hand edits
    // (rust-vmm's kvm-bindings re-adds them after every regeneration).
    if !pointer {
        attr_text(
            indent,
            &derive(if into_bytes {
                ZEROCOPY_ALL
            } else {
                ZEROCOPY_READ
            }),
            out,
        );
    }
    struct_text(
        indent,
        if is_union { "union " } else { "struct " },
        &name,
        &members,
        out,
    );
    if !derive_default {
        // Unions, arrays over 32 elements and raw pointers cannot derive Default. Every uAPI
        // type is integers and pointers all the way down, so all-zero bytes (null pointers)
        // are a valid value.
        let mut r = Rust::new(1024, indent);
        r.impl_begin(false, Some(&path("::core::default::Default")), &name);
        r.item_fn(&FnItem {
            docs: Vec::new(),
            attrs: Vec::new(),
            public: false,
            name: "default".into(),
            generics: Vec::new(),
            receiver: None,
            params: Vec::new(),
            ret: Some(ty("Self")),
            body: vec![Stmt::Expr(Expr::Unsafe(Box::new(call(
                "::core::mem::zeroed",
                Vec::new(),
            ))))],
        });
        r.impl_end();
        out.push_str(&r.finish());
    }
    bit_accessors(&name, fields, &runs, indent, out);
}

/// A run of bitfields as the Rust type holds it.
struct RustRun {
    /// Index in the aggregate's fields of its first bitfield.
    first: usize,
    /// Its bytes.
    bytes: u64,
    /// The Rust type whose alignment its named bitfields give the type (None: only padding).
    align_type: Option<&'static str>,
    /// Its named bitfields.
    members: Vec<RunMember>,
}

/// A named bitfield of a run.
struct RunMember {
    /// Index in the aggregate's fields.
    field: usize,
    /// Declared per byte order: `bit` is the little-endian declaration's, which a big-endian
    /// target mirrors within the byte (`byte_order_bit`).
    byte_order: bool,
    /// Reversed as a whole instead (`Field::byte_order_word`): mirrored within the run's
    /// bits on a big-endian target (`word_order_bit`).
    word: Option<u64>,
    /// Its first bit, from the run's first byte.
    bit: u64,
    width: u32,
}

/// The runs of bitfields among `fields` (a struct's own, or an inline struct's of struct
/// `s`), from the first target's layout: the check stage refused a struct whose runs are
/// laid out otherwise on another target (`layout::bitfields_differ`).
fn bit_runs(ctx: &Ctx, s: StructId, fields: &[Field]) -> Vec<RustRun> {
    let st = ctx.family.struct_(s);
    crate::layout::runs_among(st, ctx.layouts[0].struct_(s), fields)
        .into_iter()
        .map(|r| {
            // The first of the widest types.
            let widest = r
                .named
                .iter()
                .filter_map(|(i, _)| match fields[*i].ty {
                    FieldType::Scalar(sc) => Some(sc),
                    _ => None,
                })
                .fold(None, |w: Option<Scalar>, sc| match w {
                    Some(w) if w.size() >= sc.size() => Some(w),
                    _ => Some(sc),
                });
            RustRun {
                first: r.first,
                bytes: r.run.end - r.run.start,
                align_type: widest.map(|sc| sc.rust_name()),
                members: r
                    .named
                    .iter()
                    .map(|(i, b)| RunMember {
                        field: *i,
                        // A merged one keeps its whole bytes on either byte order.
                        byte_order: fields[*i].byte_order && !fields[*i].byte_order_merged,
                        word: fields[*i]
                            .byte_order_word
                            .then_some((r.run.end - r.run.start) * 8),
                        bit: b.bit,
                        width: b.width,
                    })
                    .collect(),
            }
        })
        .collect()
}

/// `impl T { fn x(&self) -> u8; fn set_x(&mut self, value: u8) }` for each named bitfield,
/// through the family's `bitfield_get`/`bitfield_set` (`BITFIELD_HELPERS`).
fn bit_accessors(name: &str, fields: &[Field], runs: &[RustRun], indent: usize, out: &mut String) {
    if runs.iter().all(|r| r.members.is_empty()) {
        return;
    }
    let pad = |n: usize| " ".repeat(n);
    let (i0, i1, i2) = (pad(indent), pad(indent + 4), pad(indent + 8));
    out.push_str(&format!("{i0}impl {name} {{\n"));
    for (k, run) in runs.iter().enumerate() {
        for m in &run.members {
            let f = &fields[m.field];
            let FieldType::Scalar(sc) = f.ty else {
                continue;
            };
            let t = sc.rust_name();
            let getter = ident(&f.rust_name);
            let setter = ident(&format!("set_{}", f.rust_name));
            let storage = format!("self._bitfield_{}", k + 1);
            let width = m.width;
            let bit = match (m.byte_order, m.word) {
                (true, Some(bits)) => format!("word_order_bit({}, {width}, {bits})", m.bit),
                (true, None) => format!("byte_order_bit({}, {width})", m.bit),
                _ => m.bit.to_string(),
            };
            let read = if sc.is_signed() {
                format!("bitfield_get_signed(&{storage}, {bit}, {width}) as {t}")
            } else {
                format!("bitfield_get(&{storage}, {bit}, {width}) as {t}")
            };
            // Under `when`, on the targets that have it (x86's asm/ldt.h's `lm`).
            let cfg = |out: &mut String| {
                if let Some(w) = &f.when {
                    attr_text(indent + 4, &cfg_arches(&w.arches()), out);
                }
            };
            out.push_str(&format!(
                "{i1}/// `{}`: bits {} to {} of `_bitfield_{}`{}.\n",
                f.display_name(),
                m.bit,
                m.bit + u64::from(width) - 1,
                k + 1,
                match (m.byte_order, m.word) {
                    (true, Some(_)) => {
                        " on a little-endian ABI, mirrored in the run on a big-endian one"
                    }
                    (true, None) => {
                        " on a little-endian ABI, mirrored in its byte on a big-endian one"
                    }
                    _ => "",
                },
            ));
            // A signature too long for its line (a long name) is broken as the printer
            // breaks it; the rest is one line each.
            let accessor =
                |out: &mut String, sig: String, body: String, item: &dyn Fn() -> FnItem| {
                    out.push_str(&format!("{i1}#[inline]\n"));
                    if sig.len() <= budget(indent + 4) {
                        out.push_str(&format!("{i1}{sig}\n{i2}{body}\n{i1}}}\n"));
                    } else {
                        let mut f = item();
                        f.body = vec![Stmt::Expr(var(body))];
                        let mut r = Rust::new(256, indent + 4);
                        r.item_fn(&f);
                        out.push_str(&r.finish());
                    }
                };
            let item = |name: &str, receiver, params, ret| FnItem {
                docs: Vec::new(),
                attrs: Vec::new(),
                public: true,
                name: name.to_string(),
                generics: Vec::new(),
                receiver: Some(receiver),
                params,
                ret,
                body: Vec::new(),
            };
            cfg(out);
            accessor(
                out,
                format!("pub fn {getter}(&self) -> {t} {{"),
                read,
                &|| item(&getter, "&self", Vec::new(), Some(ty(t))),
            );
            out.push_str(&format!(
                "{i1}/// Sets `{}` to the low {width} bits of `value`.\n",
                f.display_name(),
            ));
            cfg(out);
            accessor(
                out,
                format!("pub fn {setter}(&mut self, value: {t}) {{"),
                format!("bitfield_set(&mut {storage}, {bit}, {width}, value as u64)"),
                &|| {
                    item(
                        &setter,
                        "&mut self",
                        vec![("value".to_string(), ty(t))],
                        None,
                    )
                },
            );
        }
    }
    out.push_str(&format!("{i0}}}\n"));
}

/// The family's bitfield reads and writes, written once where a family has bitfields (the
/// revision modules see them through `use super::*`). C allocates a bitfield's bits from the
/// least significant bit of each byte on a little-endian ABI, and from the most significant on
/// a big-endian one, where the first bit is the value's most significant too.
pub const BITFIELD_HELPERS: &str = "\
/// Reads `width` bits from bit `bit` of `bytes`, in C's allocation order.
#[inline]
#[allow(dead_code)]
fn bitfield_get(bytes: &[u8], bit: u64, width: u32) -> u64 {
    let mut value = 0u64;
    for i in 0..u64::from(width) {
        let at = bit + i;
        let byte = bytes[(at / 8) as usize];
        let (set, shift) = if cfg!(target_endian = \"big\") {
            ((byte >> (7 - at % 8)) & 1, u64::from(width) - 1 - i)
        } else {
            ((byte >> (at % 8)) & 1, i)
        };
        value |= u64::from(set) << shift;
    }
    value
}
/// `bitfield_get` of a signed bitfield: its top bit is the sign.
#[inline]
#[allow(dead_code)]
fn bitfield_get_signed(bytes: &[u8], bit: u64, width: u32) -> i64 {
    let unused = 64 - width;
    ((bitfield_get(bytes, bit, width) << unused) as i64) >> unused
}
/// A bitfield of a run declared per byte order: its first bit on this target, from the
/// little-endian declaration's (the big-endian one reverses each byte's bitfields).
#[inline]
#[allow(dead_code)]
fn byte_order_bit(bit: u64, width: u32) -> u64 {
    if cfg!(target_endian = \"big\") {
        bit / 8 * 8 + (8 - bit % 8 - u64::from(width))
    } else {
        bit
    }
}
/// A bitfield of a run reversed as a whole on a big-endian target (`byte_order = \"word\"`):
/// its first bit on this target, from the little-endian declaration's, in a run of `bits`.
#[inline]
#[allow(dead_code)]
fn word_order_bit(bit: u64, width: u32, bits: u64) -> u64 {
    if cfg!(target_endian = \"big\") { bits - bit - u64::from(width) } else { bit }
}
/// Writes the low `width` bits of `value` where `bitfield_get` reads them.
#[inline]
#[allow(dead_code)]
fn bitfield_set(bytes: &mut [u8], bit: u64, width: u32, value: u64) {
    for i in 0..u64::from(width) {
        let at = bit + i;
        let (mask, shift) = if cfg!(target_endian = \"big\") {
            (0x80u8 >> (at % 8), u64::from(width) - 1 - i)
        } else {
            (1u8 << (at % 8), i)
        };
        let byte = &mut bytes[(at / 8) as usize];
        if (value >> shift) & 1 == 1 {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
    }
}
";

/// Whether any struct of `family` has a bitfield.
fn has_bitfields(family: &Family) -> bool {
    family.any_field(&|f| f.bits.is_some())
}

/// Doc lines at column `col`, as `Rust::docs` prints them.
fn doc_text(col: usize, docs: &[String], out: &mut String) {
    for d in docs {
        push_indent(col, out);
        out.push_str("///");
        out.push_str(d.trim_end_matches(' '));
        out.push('\n');
    }
}

/// An outer attribute at column `col`: one line when it fits (`Rust::attr` prints it as one
/// piece of text then), else through the printer.
fn attr_text(col: usize, meta: &Meta, out: &mut String) {
    let start = out.len();
    push_indent(col, out);
    out.push_str("#[");
    flat_meta(meta, out);
    out.push(']');
    if out.len() - start - col <= budget(col) {
        out.push('\n');
        return;
    }
    // Printed once per text and column (the zerocopy derives of every struct): the printer
    // lays out what the flat text spells, an attribute's items being paths.
    let flat_text = out[start + col..].to_string();
    out.truncate(start);
    BROKEN_ATTRS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some((_, _, printed)) = cache.iter().find(|(c, t, _)| *c == col && *t == flat_text) {
            out.push_str(printed);
            return;
        }
        let mut r = Rust::new(256, col);
        r.attr(false, meta);
        let printed = r.finish();
        out.push_str(&printed);
        cache.push((col, flat_text, printed));
    });
}

thread_local! {
    /// `attr_text`'s attributes that do not fit on their line, as printed: (column, one-line
    /// form, printed).
    static BROKEN_ATTRS: RefCell<Vec<(usize, String, String)>> = const { RefCell::new(Vec::new()) };
}

/// `pub struct Name { fields }` (or a union) at column `col`, each field with its docs, as
/// `Rust::item_struct` prints it: no line of it can break, but a type with generic
/// arguments or a tuple, which goes through the printer.
fn struct_text(col: usize, keyword: &'static str, name: &str, fields: &[Member], out: &mut String) {
    if fields.iter().any(|m| has_args(&m.ty)) {
        let mut r = Rust::new(1024, col);
        r.item_struct(keyword, name, fields);
        out.push_str(&r.finish());
        return;
    }
    push_indent(col, out);
    out.push_str("pub ");
    out.push_str(keyword);
    out.push_str(name);
    if fields.is_empty() {
        out.push_str(" {}\n");
        return;
    }
    out.push_str(" {\n");
    let inner = col + INDENT as usize;
    for m in fields {
        doc_text(inner, &m.docs, out);
        if let Some(cfg) = &m.cfg {
            attr_text(inner, cfg, out);
        }
        push_indent(inner, out);
        out.push_str("pub ");
        out.push_str(&m.name);
        out.push_str(": ");
        flat_type(&m.ty, out);
        out.push_str(",\n");
    }
    push_indent(col, out);
    out.push_str("}\n");
}

/// Whether a type has a break in it (generic arguments, a tuple), which the printer may take.
fn has_args(t: &Ty) -> bool {
    match t {
        Ty::Path(p) | Ty::Dyn(p) => !p.args.is_empty(),
        Ty::Array(e, _) | Ty::Ref(_, e) | Ty::Slice(e) => has_args(e),
        Ty::Tuple(_) | Ty::BareFn(..) => true,
    }
}

/// A pointer member's Rust type: `*mut T` or `*const T`, as bindgen writes a C pointer (`void *`
/// as `c_void`); a function pointer as `Option<unsafe extern "C" fn(P, Q) -> R>` (None: NULL).
fn pointer_ty(ctx: &Ctx, p: &Pointer) -> Ty {
    let i = match p.to {
        Pointee::Function(i) => i,
        // `__signalfn_t *`: the function type's alias, which may be null.
        Pointee::Typedef(t) if ctx.family.typedefs[t.0].function => {
            return Ty::Path(Path {
                text: "::core::option::Option".into(),
                args: vec![ty(ident(&ctx.family.typedefs[t.0].name))],
            })
        }
        _ => return ty(pointer_type(ctx, p)),
    };
    let f = &ctx.family.functions[i];
    let one = |t: &FieldType| match t {
        FieldType::Scalar(s) => ty(s.rust_name()),
        FieldType::Pointer(q) => pointer_ty(ctx, q),
        FieldType::Struct(i) => ty(type_ident(&ctx.family.struct_(*i).name)),
        FieldType::Inline(..) => unreachable!("resolve gives a parameter a named type"),
    };
    let params = f.params.iter().map(|(t, _)| one(t)).collect();
    let ret = f.ret.as_ref().map(|(t, _)| Box::new(one(t)));
    Ty::Path(Path {
        text: "::core::option::Option".into(),
        args: vec![Ty::BareFn(params, ret)],
    })
}

/// `*mut T` or `*const T` of a pointer to data.
fn pointer_type(ctx: &Ctx, p: &Pointer) -> String {
    let to = match p.to {
        Pointee::Function(_) => unreachable!("pointer_ty writes a function pointer"),
        Pointee::Void => "::core::ffi::c_void".to_string(),
        Pointee::Scalar(s) => s.rust_name().to_string(),
        Pointee::Struct(i) => type_ident(&ctx.family.struct_(i).name),
        // No layout to give a Rust type: the pointer alone, which is all the ABI holds.
        Pointee::Incomplete(_) => "::core::ffi::c_void".to_string(),
        // What it names, as a member of the typedef is.
        Pointee::Typedef(i) => match &ctx.family.typedefs[i.0].ty {
            FieldType::Scalar(s) => s.rust_name().to_string(),
            FieldType::Struct(s) => type_ident(&ctx.family.struct_(*s).name),
            FieldType::Pointer(_) | FieldType::Inline(..) => {
                unreachable!("resolve refuses a pointer to a typedef of a pointer")
            }
        },
    };
    let inner = format!("*{} {to}", if p.konst { "const" } else { "mut" });
    if p.to_pointer {
        format!("*mut {inner}")
    } else {
        inner
    }
}

/// What the crate root says of a family's module: its name, header and schema file (the
/// file name as a Rust comment may hold it).
#[derive(Clone, Debug)]
pub struct LibEntry {
    /// The family's name, its module's.
    pub name: String,
    /// Its header under `include/uapi/`.
    pub header: String,
    /// `crate::emit::schema_file_text` of it.
    pub schema_file: String,
}

impl LibEntry {
    /// A family's entry.
    pub fn of(f: &Family) -> LibEntry {
        LibEntry {
            name: f.name.clone(),
            header: f.header.clone(),
            schema_file: crate::emit::schema_file_text(f),
        }
    }
}

/// `src/lib.rs` of the generated crate.
pub fn emit_lib(families: &[LibEntry]) -> Result<String, Error> {
    INVALID.with(|i| i.borrow_mut().take());
    let targets = TARGETS
        .iter()
        .map(|t| t.triple)
        .collect::<Vec<_>>()
        .join(", ");
    let mut r = Rust::new(4096, 0);
    r.doc(
        true,
        " Generated by uapigen from schema/*.toml; do not edit.",
    );
    r.doc(true, "");
    r.doc(
        true,
        " Rust bindings of the kernel uAPI families that uapigen describes.",
    );
    r.doc(
        true,
        &format!(" Layouts are asserted at compile time for: {targets}. Every type is `#[repr(C)]` with explicit padding."),
    );
    r.attr(true, &Meta::Path("no_std"));
    r.attr(true, &Meta::List("warn", vec![Meta::Path("missing_docs")]));
    r.attr(
        true,
        &Meta::List("allow", vec![Meta::Path("clippy::missing_safety_doc")]),
    );
    for f in families {
        r.doc(
            false,
            &format!(" `include/uapi/{}`, from `{}`.", f.header, f.schema_file),
        );
        // rustfmt would reformat the layout, making `generated/` stale.
        r.attr(false, &Meta::Path("rustfmt::skip"));
        r.mod_decl(&ident(&f.name));
    }
    let text = r.finish();
    take_invalid()?;
    Ok(text)
}

/// `#[rustfmt::skip] #[path = "abs"] pub mod name;`: a family's module where a build script
/// wrote it (`uapigen::Builder`).
pub fn path_module(name: &str, abs: &str) -> Result<String, Error> {
    INVALID.with(|i| i.borrow_mut().take());
    let mut r = Rust::new(256, 0);
    r.attr(false, &Meta::Path("rustfmt::skip"));
    r.attr_name_value("path", &str_lit(abs));
    r.mod_decl(&ident(name));
    let text = r.finish();
    take_invalid()?;
    Ok(text)
}

/// `copy_from_user_by_name`: revision `rev`'s validator of a struct named at run time, for
/// the compatibility matrix. Writes the kernel's bytes into `dst` (no allocation).
fn dispatcher(model: &Model) -> String {
    // Each arm written as text where the printer would print it so (one pattern and body
    // that fit their lines: every arm of a real schema), its one-line forms written directly;
    // the function, with the match's last arm only, goes through the printer and the arms are
    // put in above that one. Printing the 2,000 arms of 1,000 structs was a twelfth of the
    // Rust emitter.
    let mut validated = 0;
    let mut arm_texts = String::new();
    let mut as_text = true;
    let (mut pat, mut body) = (String::new(), String::new());
    for view in model.revs() {
        let m = ident(&model.history.rev(view.id()).id);
        let r = view.id().0.to_string();
        for (sid, _) in view.validators() {
            let st = view.get(sid);
            validated += 1;
            if !as_text {
                continue;
            }
            pat.clear();
            pat.push('(');
            push_str_lit(&st.name, &mut pat);
            pat.push_str(", ");
            pat.push_str(&r);
            pat.push(')');
            body.clear();
            let user_data = st.convention == Some(Convention::UserData);
            arm_body_text(&m, &type_ident(&st.name), user_data, &mut body);
            let some = "::core::option::Option::Some".len();
            as_text = arm_layout(&pat, &body, some, DISPATCH_ARM_COL, &mut arm_texts);
        }
    }
    let mut arms = Vec::new();
    for view in model.revs().filter(|_| !as_text) {
        let m = ident(&model.history.rev(view.id()).id);
        // The generated dispatcher is called with the revision's index, as a number.
        let r = view.id().0;
        for (sid, _) in view.validators() {
            let st = view.get(sid);
            let user_data = st.convention == Some(Convention::UserData);
            arms.push((
                Pat::Tuple(vec![Pat::Lit(str_lit(&st.name)), Pat::Lit(r.to_string())]),
                arm_body(&m, &type_ident(&st.name), user_data),
            ));
        }
    }
    arms.push((Pat::Wild, var("::core::option::Option::None")));
    let mut body = Vec::new();
    // Without a validated struct there is nothing to put: an unused helper would warn.
    if validated > 0 {
        body.push(Stmt::Fn(FnItem {
            docs: Vec::new(),
            attrs: Vec::new(),
            public: false,
            name: "put".into(),
            generics: vec![("T".into(), vec![path("::uapigen_uaccess::Plain")])],
            receiver: None,
            params: vec![
                ("v".into(), Ty::Ref(false, Box::new(ty("T")))),
                (
                    "dst".into(),
                    Ty::Ref(true, Box::new(Ty::Slice(Box::new(ty("u8"))))),
                ),
            ],
            ret: Some(ty("usize")),
            body: vec![
                Stmt::Let("b", call("::uapigen_uaccess::bytes_of", vec![var("v")])),
                Stmt::Let(
                    "n",
                    method(
                        method(var("b"), "len", vec![]),
                        "min",
                        vec![method(var("dst"), "len", vec![])],
                    ),
                ),
                Stmt::Semi(method(
                    Expr::Index(
                        Box::new(var("dst")),
                        Box::new(Expr::RangeTo(Box::new(var("n")))),
                    ),
                    "copy_from_slice",
                    vec![Expr::Ref(Box::new(Expr::Index(
                        Box::new(var("b")),
                        Box::new(Expr::RangeTo(Box::new(var("n")))),
                    )))],
                )),
                Stmt::Expr(var("n")),
            ],
        }));
    }
    body.push(Stmt::Let(
        "_",
        Expr::Tuple(vec![
            Expr::Ref(Box::new(var("mem"))),
            var("src"),
            var("user_data"),
            Expr::Ref(Box::new(var("dst"))),
        ]),
    ));
    body.push(Stmt::Expr(Expr::Match(
        Box::new(Expr::Tuple(vec![var("name"), var("rev")])),
        arms,
    )));
    let f = FnItem {
        docs: vec![
            " Runs revision `rev`'s validator (0 = the oldest revision) of the struct called `name`,".into(),
            " writing the kernel's bytes into `dst` and returning how many; `user_data` is the".into(),
            " (type, length) driver data comes with. `None` when no such struct or revision.".into(),
        ],
        attrs: Vec::new(),
        public: true,
        name: "copy_from_user_by_name".into(),
        generics: Vec::new(),
        receiver: None,
        params: vec![
            ("name".into(), Ty::Ref(false, Box::new(ty("str")))),
            ("rev".into(), ty("usize")),
            ("mem".into(), Ty::Ref(false, Box::new(Ty::Dyn(path("::uapigen_uaccess::UserMemory"))))),
            ("src".into(), ty("u64")),
            ("user_data".into(), Ty::Tuple(vec![ty("u32"), ty("u32")])),
            ("dst".into(), Ty::Ref(true, Box::new(Ty::Slice(Box::new(ty("u8")))))),
        ],
        ret: Some(Ty::Path(path_args(
            "::core::option::Option",
            vec![Ty::Path(path_args(
                "::core::result::Result",
                vec![ty("usize"), ty("::uapigen_uaccess::Rejected")],
            ))],
        ))),
        body,
    };
    let mut r = Rust::new(64 * 1024 + arm_texts.len(), 0);
    r.item_fn(&f);
    let mut text = r.finish();
    if as_text {
        // Before the last arm: the line after the last `{`-ending line of the match's head.
        let last = text
            .rfind(&format!("\n{}_ => ", " ".repeat(DISPATCH_ARM_COL)))
            .expect("the match's last arm")
            + 1;
        text.insert_str(last, &arm_texts);
    }
    text
}

/// The column of `copy_from_user_by_name`'s match arms.
const DISPATCH_ARM_COL: usize = 8;

/// `Some(m::T::copy_from_user(..).map(|v| put(&v, dst)))` on one line: the one-line form of
/// a dispatcher arm's body (`arm_body`).
fn arm_body_text(m: &str, ty: &str, user_data: bool, out: &mut String) {
    out.push_str("::core::option::Option::Some(");
    out.push_str(m);
    out.push_str("::");
    out.push_str(ty);
    out.push_str("::copy_from_user(mem, ");
    out.push_str(if user_data {
        "user_data.0, src, user_data.1"
    } else {
        "src"
    });
    out.push_str(").map(|v| put(&v, dst)))");
}

/// A dispatcher arm's body as syntax.
fn arm_body(m: &str, ty: &str, user_data: bool) -> Expr {
    let f = format!("{m}::{ty}::copy_from_user");
    let call = if user_data {
        call(
            f,
            vec![
                var("mem"),
                field(var("user_data"), "0"),
                var("src"),
                field(var("user_data"), "1"),
            ],
        )
    } else {
        call(f, vec![var("mem"), var("src")])
    };
    let put = Expr::Closure(vec!["v".into()], Box::new(call_put()));
    self::call(
        "::core::option::Option::Some",
        vec![method(call, "map", vec![put])],
    )
}

/// Match arm `pat => body,` at column `col`, as `Rust::arm` prints it when the pattern fits
/// on the line and the body is a one-argument call (`Some(..)`) that fits on its line, or
/// whose argument does (`arm_layout`). False (nothing written) otherwise.
#[cfg(test)]
fn arm_text(pat: &Pat, body: &Expr, col: usize, out: &mut String) -> bool {
    let mut pat_text = String::new();
    let mut body_text = String::new();
    if !flat_pat(pat, &mut pat_text) || !flat(body, &mut body_text, usize::MAX) {
        return false;
    }
    let Expr::Call(f, args) = body else {
        return false;
    };
    let (Expr::Path(p), [arg]) = (f.as_ref(), args.as_slice()) else {
        return false;
    };
    if !p.args.is_empty() || matches!(arg, Expr::Closure(..) | Expr::Unsafe(..) | Expr::Tuple(..)) {
        return false;
    }
    arm_layout(&pat_text, &body_text, p.text.len(), col, out)
}

/// Match arm `pat => body,` at column `col`, from the one-line forms of its pattern and its
/// body (a call of a path `f_len` long with one argument, not a block): whole on the
/// pattern's line, or in braces on its own line, or with its argument on its own line, as
/// the printer lays them out. False (nothing written) when none fits.
fn arm_layout(pat: &str, body: &str, f_len: usize, col: usize, out: &mut String) -> bool {
    // The pattern's box holds ` => ` up to the arm's `neverbreak`.
    let head = pat.len() + " => ".len();
    if head > budget(col) {
        return false;
    }
    push_indent(col, out);
    out.push_str(pat);
    out.push_str(" => ");
    if head + body.len() <= budget(col) {
        out.push_str(body);
        out.push_str(",\n");
        return true;
    }
    let inner = col + INDENT as usize;
    if body.len() <= budget(inner) {
        out.push_str("{\n");
        push_indent(inner, out);
        out.push_str(body);
    } else {
        // `f(` and the argument on its own line, with a `,` after it.
        let arg_len = body.len() - f_len - "()".len();
        if arg_len > budget(inner + INDENT as usize) {
            out.truncate(out.len() - col - head);
            return false;
        }
        out.push_str("{\n");
        push_indent(inner, out);
        out.push_str(&body[..f_len + 1]);
        out.push('\n');
        push_indent(inner + INDENT as usize, out);
        out.push_str(&body[f_len + 1..body.len() - 1]);
        out.push_str(",\n");
        push_indent(inner, out);
        out.push(')');
    }
    out.push('\n');
    push_indent(col, out);
    out.push_str("}\n");
    true
}

/// A pattern's one-line form; false for one that is not a literal or a tuple of them.
#[cfg(test)]
fn flat_pat(pat: &Pat, out: &mut String) -> bool {
    match pat {
        Pat::Lit(s) => out.push_str(s),
        Pat::Wild => out.push('_'),
        // `(x)` is printed without a comma: left to the printer.
        Pat::Tuple(elems) if elems.len() == 1 => return false,
        Pat::Tuple(elems) => {
            out.push('(');
            for (i, e) in elems.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if !flat_pat(e, out) {
                    return false;
                }
            }
            out.push(')');
        }
    }
    true
}

/// `put(&v, dst)`
fn call_put() -> Expr {
    call("put", vec![Expr::Ref(Box::new(var("v"))), var("dst")])
}

/// The Rust type of a constant with this value, as bindgen picks it for a macro: `u32` or
/// `u64` when non-negative, `i32` or `i64` when negative.
pub(crate) fn int_type_of(value: i128) -> &'static str {
    match value {
        v if v < i128::from(i32::MIN) => "i64",
        v if v < 0 => "i32",
        v if v <= i128::from(u32::MAX) => "u32",
        _ => "u64",
    }
}

fn const_types(family: &Family) -> FxMap<String, &'static str> {
    let mut types = FxMap::default();
    // A flag set or value set takes the type of the widest field that uses it.
    let mut group_type: FxMap<GroupId, Scalar> = FxMap::default();
    fn visit(fields: &[Field], group_type: &mut FxMap<GroupId, Scalar>) {
        for f in fields {
            if let (FieldType::Scalar(s), None) = (&f.ty, f.len) {
                for g in [f.flags, f.values].into_iter().flatten() {
                    let e = group_type.entry(g).or_insert(*s);
                    if s.size() > e.size() {
                        *e = *s;
                    }
                }
            }
            if let FieldType::Inline(_, ms) = &f.ty {
                visit(ms, group_type);
            }
        }
    }
    for st in &family.structs {
        visit(&st.fields, &mut group_type);
    }
    for (gi, g) in family.groups_by_id() {
        // Else the type C gives the enum (a flag set's is unsigned).
        let ty = match group_type.get(&gi) {
            Some(s) => s.rust_name(),
            None => g.enum_repr().rust_name(),
        };
        for c in &g.values {
            types.insert(c.name.clone(), ty);
        }
    }
    let width = |t: &str| match t {
        "u8" => 1,
        "u16" => 2,
        "u32" => 4,
        _ => 8,
    };
    for d in &family.defines {
        let c = &d.constant;
        let ty = match &c.expr {
            crate::ir::Expr::Or(names) => names
                .iter()
                .filter_map(|n| types.get(n).copied())
                .max_by_key(|t| width(t))
                .unwrap_or("u32"),
            crate::ir::Expr::Alias(n) => types.get(n).copied().unwrap_or("u32"),
            // A pointer's value (`SIG_DFL`'s `((__sighandler_t)0)`): its address, as the libc
            // crate has `SIG_DFL`.
            crate::ir::Expr::C { .. } if c.is_pointer() => "usize",
            // One value per data model in a 64-bit type (`long long`): 64 bits on both.
            crate::ir::Expr::C {
                ilp32: Some(_),
                types,
                ..
            } if matches!(types[1], CType::LongLong) => "i64",
            crate::ir::Expr::C {
                ilp32: Some(_),
                types,
                ..
            } if matches!(types[1], CType::ULongLong) => "u64",
            // An `int` over `__BITS_PER_LONG` (asm-generic/signal.h's `_NSIG_WORDS`): as
            // one value is typed.
            crate::ir::Expr::C {
                value,
                ilp32: Some(small),
                types,
                ..
            } if matches!(types[1], CType::Int | CType::UInt) => {
                if *value >= 0 && *small >= 0 {
                    "u32"
                } else {
                    "i32"
                }
            }
            crate::ir::Expr::C {
                ilp32: Some(_),
                types,
                ..
            } if types[1].signed() => "::core::ffi::c_long",
            crate::ir::Expr::C { ilp32: Some(_), .. } => "::core::ffi::c_ulong",
            crate::ir::Expr::C { value, .. } => int_type_of(*value),
            _ if c.value > u32::MAX as u64 => "u64",
            _ => "u32",
        };
        // A name defined once per architecture (`when`, `unless`) takes its widest type.
        match types.get(&c.name) {
            Some(t) if c.when.is_some() && width(t) >= width(ty) => {}
            _ => {
                types.insert(c.name.clone(), ty);
            }
        }
    }
    types
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `arm_body_text` is the one-line form of `arm_body`.
    #[test]
    fn arm_body_text_is_flat() {
        for user_data in [false, true] {
            let mut direct = String::new();
            arm_body_text("r1", "IommuHwptAlloc", user_data, &mut direct);
            let mut flat_text = String::new();
            assert!(flat(
                &arm_body("r1", "IommuHwptAlloc", user_data),
                &mut flat_text,
                usize::MAX
            ));
            assert_eq!(direct, flat_text);
        }
    }

    /// `arm_text` writes what the printer prints, for names around each of its line ends.
    #[test]
    fn arm_text_is_the_printers() {
        let mut written = [0; 3];
        for n in 1..100 {
            for (user_data, some) in [
                (false, "::core::option::Option::Some"),
                (true, "::core::option::Option::Some"),
                (false, "S"),
            ] {
                let name = "s".repeat(n);
                let f = format!("r1::{}::copy_from_user", "T".repeat(n / 2 + 1));
                let arm = || {
                    let args = if user_data {
                        vec![
                            var("mem"),
                            field(var("user_data"), "0"),
                            var("src"),
                            field(var("user_data"), "1"),
                        ]
                    } else {
                        vec![var("mem"), var("src")]
                    };
                    let put = Expr::Closure(vec!["v".into()], Box::new(call_put()));
                    (
                        Pat::Tuple(vec![Pat::Lit(str_lit(&name)), Pat::Lit("1".into())]),
                        call(some, vec![method(call(f.clone(), args), "map", vec![put])]),
                    )
                };
                let (pat, body) = arm();
                let mut direct = String::new();
                if !arm_text(&pat, &body, DISPATCH_ARM_COL, &mut direct) {
                    continue;
                }
                let mut r = Rust::new(1024, 4);
                r.stmt(
                    &Stmt::Expr(Expr::Match(Box::new(var("x")), vec![arm()])),
                    true,
                );
                let printed = r.finish();
                let lines: Vec<&str> = printed.split_inclusive('\n').collect();
                let arms = lines[1..lines.len() - 1].concat();
                assert_eq!(direct, arms, "{n} bytes, user data {user_data}");
                written[(direct.lines().count() - 1) / 2] += 1;
            }
        }
        assert!(written.iter().all(|&w| w > 0), "{written:?}");
    }
}

/// The Rust type of an inline union or struct: its C tag's (`struct fork_proc_event { ... }
/// fork;` is `ForkProcEvent`), else its owner's type and its member's name.
fn inline_type_name(owner: &str, f: &Field) -> String {
    match &f.tag {
        Some(t) => camel(t),
        None => format!("{owner}{}", camel(&f.rust_name)),
    }
}
