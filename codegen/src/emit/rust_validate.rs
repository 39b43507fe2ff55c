//! Rust validators: for each struct with a size convention, `copy_from_user` (the kernel's copy
//! sequence over a `UserMemory`) and `check` (the schema's rules in order). The copy primitives
//! live once in the `uapigen-uaccess` crate; only what differs per struct is generated.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::emit::pp::INDENT;
use crate::emit::rust::{ident, push_indent, type_ident};
use crate::emit::rust_syntax::Expr;
use crate::emit::rust_syntax::*;
use crate::ir::*;
use crate::model::{RevView, StructId};

fn errno(e: Errno) -> Expr {
    var(format!("::uapigen_uaccess::Errno::{}", ident(e.name())))
}

/// `base.a.b.c`, in `unsafe` when it reads a union member.
fn access(base: &'static str, path: &FieldPath) -> Expr {
    let mut read = var(base);
    for s in &path.segments {
        read = field(read, ident(&s.rust_name));
    }
    if path.through_union() {
        // Union members here are plain integers: every bit pattern is valid.
        Expr::Unsafe(Box::new(read))
    } else {
        read
    }
}

fn value(v: &ValueRef) -> Expr {
    match v.name.as_deref() {
        Some("U64_MAX") => var("u64::MAX"),
        Some("U32_MAX") => paren(cast(var("u32::MAX"), "u64")),
        Some("U16_MAX") => paren(cast(var("u16::MAX"), "u64")),
        Some("U8_MAX") => paren(cast(var("u8::MAX"), "u64")),
        Some(name) => paren(cast(var(ident(name)), "u64")),
        None => lit(format!("{}u64", v.value)),
    }
}

fn cond(family: &Family, base: &'static str, c: &Cond) -> Expr {
    let read = access(base, &c.field);
    if c.field.len.is_some() {
        let (op, name) = match c.pred {
            Pred::Zero => ("==", "all"),
            _ => ("!=", "any"),
        };
        let test = Expr::Closure(
            vec!["b".into()],
            Box::new(bin(Expr::Unary("*", Box::new(var("b"))), op, lit("0"))),
        );
        // `iter()` borrows the array, which Rust refuses of a packed struct's (possibly
        // unaligned) field: a packed one is copied out first.
        let read = if c.field.packed {
            call("::core::convert::identity", vec![read])
        } else {
            read
        };
        return method(method(read, "iter", vec![]), name, vec![test]);
    }
    let v = || paren(cast(access(base, &c.field), "u64"));
    match &c.pred {
        Pred::Equals(x) => bin(v(), "==", value(x)),
        Pred::NotEquals(x) => bin(v(), "!=", value(x)),
        Pred::Below(x) => bin(v(), "<", value(x)),
        Pred::Lacks(x) => bin(bin(v(), "&", value(x)), "==", lit("0")),
        Pred::Has(x) => bin(bin(v(), "&", value(x)), "==", value(x)),
        Pred::AtLeast(x) => bin(v(), ">=", value(x)),
        Pred::KnownFlags(g) => {
            let known = family.group(*g).values.iter().fold(lit("0u64"), |acc, c| {
                bin(acc, "|", paren(cast(var(ident(&c.name)), "u64")))
            });
            bin(bin(v(), "&", not(paren(known))), "==", lit("0"))
        }
        Pred::Zero => bin(v(), "==", lit("0")),
        Pred::NonZero => bin(v(), "!=", lit("0")),
        Pred::Aligned(n) => bin(bin(v(), "&", lit(format!("{}u64", n - 1))), "==", lit("0")),
    }
}

fn all(family: &Family, base: &'static str, conds: &[Cond]) -> Expr {
    match conds {
        [] => lit("true"),
        [one] => cond(family, base, one),
        [first, rest @ ..] => rest
            .iter()
            .fold(paren(cond(family, base, first)), |acc, c| {
                bin(acc, "&&", paren(cond(family, base, c)))
            }),
    }
}

/// `return ::core::result::Result::Err(::uapigen_uaccess::Rejected::new(errno, "text"));`
/// (`reject_text` writes it as text.)
fn reject(errno: Expr, text: &str) -> Stmt {
    Stmt::Semi(Expr::Return(Box::new(call(
        "::core::result::Result::Err",
        vec![call(
            "::uapigen_uaccess::Rejected::new",
            vec![errno, lit(str_lit(text))],
        )],
    ))))
}

fn if_stmt(cond: Expr, body: Vec<Stmt>) -> Stmt {
    Stmt::Expr(Expr::If(Box::new(cond), body, None))
}

/// `M: ::uapigen_uaccess::UserMemory + ?::core::marker::Sized`
fn user_memory() -> Vec<(String, Vec<Path>)> {
    vec![(
        "M".into(),
        vec![
            path("::uapigen_uaccess::UserMemory"),
            path("?::core::marker::Sized"),
        ],
    )]
}

/// `::core::result::Result<ok, ::uapigen_uaccess::Rejected>`
fn result(ok: Ty) -> Ty {
    Ty::Path(path_args(
        "::core::result::Result",
        vec![ok, ty("::uapigen_uaccess::Rejected")],
    ))
}

fn method_fn(
    docs: Vec<String>,
    name: &str,
    receiver: Option<&'static str>,
    params: Vec<(String, Ty)>,
    ret: Ty,
    body: Vec<Stmt>,
) -> FnItem {
    FnItem {
        docs,
        attrs: Vec::new(),
        public: true,
        name: name.into(),
        generics: user_memory(),
        receiver,
        params,
        ret: Some(ret),
        body,
    }
}

/// The payload checks after the rules: `::uapigen_uaccess::check_payload(flags, argsz, bits,
/// minsz, match flags & mask { value => Some((supported_ops, minsz)), .. }, unknown)?;`, the
/// kernel's switch on the selector (drivers/vfio/vfio_main.c, `vfio_ioctl_device_feature`)
/// and `vfio_check_feature` (include/linux/vfio.h).
fn payload(view: RevView, p: &Payload, pp: &crate::model::plan::PayloadPlan) -> Stmt {
    let u64_lit = |n: u64| lit(format!("{n}u64"));
    let flags = || cast(access("self", &p.field), "u64");
    let arms = pp
        .cases
        .iter()
        .map(|c| {
            let minsz = match c.body {
                PayloadBody::Struct(ps) => cast(
                    call(
                        format!(
                            "::core::mem::size_of::<{}>",
                            type_ident(&view.family().struct_(ps).name)
                        ),
                        vec![],
                    ),
                    "u64",
                ),
                PayloadBody::Bytes(n) => u64_lit(n),
            };
            (
                Pat::Lit(format!("{}u64", c.value)),
                call(
                    "::core::option::Option::Some",
                    vec![Expr::Tuple(vec![u64_lit(c.ops), minsz])],
                ),
            )
        })
        .chain(std::iter::once((
            Pat::Wild,
            var("::core::option::Option::None"),
        )))
        .collect();
    Stmt::Semi(Expr::Try(Box::new(call(
        "::uapigen_uaccess::check_payload",
        vec![
            flags(),
            cast(var("self.argsz"), "u64"),
            Expr::Tuple(vec![
                u64_lit(pp.mask),
                u64_lit(pp.get),
                u64_lit(pp.set),
                u64_lit(pp.probe),
            ]),
            u64_lit(pp.base),
            Expr::Match(Box::new(bin(flags(), "&", u64_lit(pp.mask))), arms),
            errno(pp.unknown),
        ],
    ))))
}

/// `unsafe impl Plain` and the validator `impl` block of struct `s` in revision `view`, at
/// column `indent`. Their shape is fixed but for the rules and the argsz copy: what does not
/// depend on the struct is printed once per column and kept (`fixed`), what depends only on
/// its names is written as text, and the rest goes through the printer, each piece a whole
/// item (or statement) at its column, as the printer would have printed it in place.
pub fn emit(view: RevView, s: StructId, indent: usize, out: &mut String) {
    let st = view.get(s);
    let ty_name = type_ident(&st.name);
    // Hole-free on every target (the check stage) and integers all the way down; an
    // acknowledged ABI trap with a hole is not, so it gets no byte view.
    // A union's bytes past a shorter member may never have been written: no byte view.
    if view.hole_free(s) && !st.union {
        plain_impl(&ty_name, indent, out);
    }
    let (Some(conv), Some(v), Some(plan)) = (st.convention, &st.validation, view.validator(s))
    else {
        return;
    };
    let min = plan.min_size as usize;
    let size = plan.size as usize;
    let col = indent + INDENT as usize;

    // `impl T {`: no break in it, whatever its length (`Rust::impl_begin` without a trait).
    push_indent(indent, out);
    out.push_str("impl ");
    out.push_str(&ty_name);
    out.push_str(" {\n");
    let min_doc = crate::names::cat(&[
        " The kernel's minimum size: ",
        &v.min_size.text(),
        " = ",
        &min.to_string(),
        ".",
    ]);
    doc(col, &min_doc, out);
    usize_const(col, "MIN_SIZE", min, out);
    match crate::emit::flexible_tail_text(view, s) {
        Some(tail) => {
            doc(
                col,
                " `sizeof`: the most the kernel reads as this struct. The validators copy at most",
                out,
            );
            doc(col, &format!(" this; {tail}."), out);
        }
        None => doc(
            col,
            " `sizeof`: the most the kernel reads as this struct.",
            out,
        ),
    }
    usize_const(col, "SIZE", size, out);
    if conv == Convention::Size {
        doc(
            col,
            &crate::names::cat(&[
                " Copies `struct ",
                &st.name,
                "` from user address `src` as its revision's kernel does: read the \
                 size, refuse it below `MIN_SIZE`, `copy_struct_from_user` (shorter: zero-filled; longer: \
                 the tail must be zero, else -E2BIG), then [`Self::check`].",
            ]),
            out,
        );
        // A kernel copying less than the struct (`convention_change`'s `ksize`) is told so.
        let whole = view.layout(s, crate::model::TargetId::DEFAULT).size as usize;
        let piece = if size < whole {
            Piece::SizeCopyKsize
        } else {
            Piece::SizeCopy
        };
        out.push_str(&fixed(piece, col));
    } else {
        let mut r = Rust::new(4096, col);
        copy_in(view, s, conv, &mut r);
        out.push_str(&r.finish());
    }
    out.push_str(&fixed(Piece::ByValue(conv == Convention::UserData), col));
    let check_doc = crate::names::cat(&[
        " The content checks of `struct ",
        &st.name,
        "`, in the kernel's order; the first that fails decides.",
    ]);
    doc(col, &check_doc, out);
    // `check`'s signature and its last statement, around the rules.
    let check = fixed(Piece::Check, col);
    let (head, tail) = check.split_at(last_lines(&check, 2));
    out.push_str(head);
    write_rules(view.family(), &v.rules, col + INDENT as usize, out);
    if let (Some(p), Some(pp)) = (&v.payload, &plan.payload) {
        stmt_text(&payload(view, p, pp), col + INDENT as usize, out);
    }
    out.push_str(tail);
    push_indent(indent, out);
    out.push_str("}\n");
}

/// `unsafe impl ::uapigen_uaccess::Plain for T {}`: one line when it fits (its one break, before
/// `for`, breaks only when the line is too long), else through the printer.
fn plain_impl(ty_name: &str, indent: usize, out: &mut String) {
    const HEAD: &str = "unsafe impl ::uapigen_uaccess::Plain for ";
    if HEAD.len() + ty_name.len() + " {}".len() <= budget(indent) {
        push_indent(indent, out);
        out.push_str(HEAD);
        out.push_str(ty_name);
        out.push_str(" {}\n");
        return;
    }
    let mut r = Rust::new(256, indent);
    r.impl_begin(true, Some(&path("::uapigen_uaccess::Plain")), ty_name);
    r.impl_end();
    out.push_str(&r.finish());
}

/// `/// text` at column `col`, as `Rust::doc` prints it.
fn doc(col: usize, text: &str, out: &mut String) {
    push_indent(col, out);
    out.push_str("///");
    out.push_str(text.trim_end_matches(' '));
    out.push('\n');
}

/// `pub const NAME: usize = {n}usize;`: no break in it (`Rust::item_const`).
fn usize_const(col: usize, name: &str, n: usize, out: &mut String) {
    push_indent(col, out);
    out.push_str("pub const ");
    out.push_str(name);
    out.push_str(": usize = ");
    out.push_str(&n.to_string());
    out.push_str("usize;\n");
}

/// Where the last `n` lines of `text` (which ends with a newline) start.
fn last_lines(text: &str, n: usize) -> usize {
    let mut end = text.len() - 1;
    for _ in 0..n {
        end = text[..end].rfind('\n').map_or(0, |i| i);
    }
    end + 1
}

/// The parts of a validator `impl` that are the same for every struct.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Piece {
    /// `size`'s `copy_from_user_into`, without its doc (which names the struct).
    SizeCopy,
    /// The same where the kernel's `ksize` is `SIZE`, below the struct's size.
    SizeCopyKsize,
    /// `copy_from_user`, with its doc; driver data's takes the type and length.
    ByValue(bool),
    /// `check` without its doc and with no rules: its signature and last statement.
    Check,
}

thread_local! {
    /// Each `Piece` as printed at a column.
    static FIXED: RefCell<HashMap<(Piece, usize), Rc<str>>> = RefCell::new(HashMap::new());
}

/// `piece` printed at column `col` (a whole item inside an `impl`), printed once per thread.
fn fixed(piece: Piece, col: usize) -> Rc<str> {
    FIXED.with(|f| {
        f.borrow_mut()
            .entry((piece, col))
            .or_insert_with(|| render(piece, col).into())
            .clone()
    })
}

fn render(piece: Piece, col: usize) -> String {
    let mut r = Rust::new(1024, col);
    let unit = || Ty::Tuple(Vec::new());
    match piece {
        Piece::SizeCopy | Piece::SizeCopyKsize => {
            let copy = if piece == Piece::SizeCopy {
                call(
                    "::uapigen_uaccess::size_copy",
                    vec![var("mem"), var("self"), var("src"), var("Self::MIN_SIZE")],
                )
            } else {
                call(
                    "::uapigen_uaccess::size_copy_ksize",
                    vec![
                        var("mem"),
                        var("self"),
                        var("src"),
                        var("Self::MIN_SIZE"),
                        var("Self::SIZE"),
                    ],
                )
            };
            r.item_fn(&method_fn(
                Vec::new(),
                "copy_from_user_into",
                Some("&mut self"),
                vec![mem_m(), ("src".into(), ty("u64"))],
                result(unit()),
                vec![
                    Stmt::Semi(Expr::Try(Box::new(copy))),
                    Stmt::Expr(method(var("self"), "check", vec![])),
                ],
            ))
        }
        Piece::ByValue(user_data) => r.item_fn(&by_value(user_data)),
        Piece::Check => r.item_fn(&FnItem {
            docs: Vec::new(),
            attrs: vec![Meta::Path("inline")],
            public: true,
            name: "check".into(),
            generics: Vec::new(),
            receiver: Some("&self"),
            params: Vec::new(),
            ret: Some(result(unit())),
            body: vec![Stmt::Expr(call(
                "::core::result::Result::Ok",
                vec![Expr::Tuple(Vec::new())],
            ))],
        }),
    }
    r.finish()
}

/// `mem: &M`
fn mem_m() -> (String, Ty) {
    ("mem".to_string(), Ty::Ref(false, Box::new(ty("M"))))
}

/// `!(require)`, or `(when) && !(require)`: when a rule refuses.
fn rule_test(family: &Family, rule: &Rule) -> Expr {
    let require = not(paren(all(family, "self", &rule.require)));
    if rule.when.is_empty() {
        require
    } else {
        bin(paren(all(family, "self", &rule.when)), "&&", require)
    }
}

/// The shape of `if rule_test(rule) { STAND_IN }` (`shape_stmt`'s bytes and texts), written
/// from the rule without building the tree; false for a rule with an array condition (a
/// closure, which has no shape). Half of a rule's cost was building, walking and dropping the
/// tree only to find a shape printed before.
fn rule_shape<'t>(family: &Family, rule: &'t Rule, k: &mut Shape<'t>) -> bool {
    if rule
        .when
        .iter()
        .chain(&rule.require)
        .any(|c| c.field.len.is_some())
    {
        return false;
    }
    k.tag(b'E');
    k.tag(b'I');
    if !rule.when.is_empty() {
        k.tag(b'B');
        k.fixed("&&");
        k.tag(b'(');
        all_shape(family, &rule.when, k);
    }
    k.tag(b'U');
    k.fixed("!");
    k.tag(b'(');
    all_shape(family, &rule.require, k);
    // `{ STAND_IN }`, no `else`.
    k.len(b'{', 1);
    k.tag(b'E');
    k.tag(b'P');
    k.text(STAND_IN);
    k.tag(b'n');
    true
}

/// `all`'s shape.
fn all_shape<'t>(family: &Family, conds: &'t [Cond], k: &mut Shape<'t>) {
    match conds {
        [] => {
            k.tag(b'l');
            k.text("true");
        }
        [one] => cond_shape(family, one, k),
        [first, rest @ ..] => {
            // Left-nested: every `&&` first, then the conditions in order.
            for _ in rest {
                k.tag(b'B');
                k.fixed("&&");
            }
            for c in std::iter::once(first).chain(rest) {
                k.tag(b'(');
                cond_shape(family, c, k);
            }
        }
    }
}

/// `cond`'s shape (not of an array condition).
fn cond_shape<'t>(family: &Family, c: &'t Cond, k: &mut Shape<'t>) {
    // `(base.a.b as u64)`, in `unsafe` through a union.
    let v = |k: &mut Shape<'t>| {
        k.tag(b'(');
        k.tag(b'C');
        if c.field.through_union() {
            k.tag(b'u');
        }
        for _ in &c.field.segments {
            k.tag(b'.');
        }
        k.tag(b'P');
        k.text("self");
        for s in &c.field.segments {
            k.text(ident(&s.rust_name));
        }
        k.tag(b'p');
        k.text("u64");
    };
    let bin = |k: &mut Shape<'t>, op: &str| {
        k.tag(b'B');
        k.fixed(op);
    };
    let lit = |k: &mut Shape<'t>, text: &'static str| {
        k.tag(b'l');
        k.text(text);
    };
    match &c.pred {
        Pred::Equals(x) | Pred::NotEquals(x) | Pred::Below(x) | Pred::AtLeast(x) => {
            let op = match &c.pred {
                Pred::Equals(_) => "==",
                Pred::NotEquals(_) => "!=",
                Pred::Below(_) => "<",
                _ => ">=",
            };
            bin(k, op);
            v(k);
            value_shape(x, k);
        }
        Pred::Lacks(x) => {
            bin(k, "==");
            bin(k, "&");
            v(k);
            value_shape(x, k);
            lit(k, "0");
        }
        Pred::Has(x) => {
            bin(k, "==");
            bin(k, "&");
            v(k);
            value_shape(x, k);
            value_shape(x, k);
        }
        Pred::KnownFlags(g) => {
            let values = &family.group(*g).values;
            bin(k, "==");
            bin(k, "&");
            v(k);
            k.tag(b'U');
            k.fixed("!");
            k.tag(b'(');
            for _ in values {
                bin(k, "|");
            }
            lit(k, "0u64");
            for c in values {
                k.tag(b'(');
                k.tag(b'C');
                k.tag(b'P');
                k.text(ident(&c.name));
                k.tag(b'p');
                k.text("u64");
            }
            lit(k, "0");
        }
        Pred::Zero | Pred::NonZero => {
            bin(
                k,
                if matches!(c.pred, Pred::Zero) {
                    "=="
                } else {
                    "!="
                },
            );
            v(k);
            lit(k, "0");
        }
        Pred::Aligned(n) => {
            bin(k, "==");
            bin(k, "&");
            v(k);
            k.tag(b'l');
            k.text(format!("{}u64", n - 1));
            lit(k, "0");
        }
    }
}

/// `value`'s shape.
fn value_shape<'t>(v: &ValueRef, k: &mut Shape<'t>) {
    let cast_of = |k: &mut Shape<'t>, fixed: Option<&str>, name: &str| {
        k.tag(b'(');
        k.tag(b'C');
        k.tag(b'P');
        match fixed {
            Some(f) => k.fixed(f),
            None => k.text(ident(name)),
        }
        k.tag(b'p');
        k.text("u64");
    };
    match v.name.as_deref() {
        Some("U64_MAX") => {
            k.tag(b'P');
            k.fixed("u64::MAX");
        }
        Some("U32_MAX") => cast_of(k, Some("u32::MAX"), ""),
        Some("U16_MAX") => cast_of(k, Some("u16::MAX"), ""),
        Some("U8_MAX") => cast_of(k, Some("u8::MAX"), ""),
        Some(name) => cast_of(k, None, name),
        None => {
            k.tag(b'l');
            k.text(format!("{}u64", v.value));
        }
    }
}

/// What stands in for a rule's `return` while the `if` around it is printed.
const STAND_IN: &str = "__uapigen_reject";

/// The rules, `if test { return Err(..); }` each, at statement column `col`. A `return` is
/// written as text (`reject_text`); an `if` goes through the printer (`stmt_text`: once per
/// shape) with a one-line stand-in for it, which an `if`'s layout does not depend on (its `{`
/// is followed by a hard break), and the stand-in's line is then replaced by its `return`.
fn write_rules(family: &Family, rules: &[Rule], col: usize, out: &mut String) {
    if rules.is_empty() {
        return;
    }
    let inner = col + INDENT as usize;
    let mut stand_in = String::new();
    push_indent(inner, &mut stand_in);
    stand_in.push_str(STAND_IN);
    stand_in.push('\n');
    let mut printed = String::with_capacity(1024);
    let mut body = String::with_capacity(1024);
    for rule in rules {
        let errno = crate::names::cat(&["::uapigen_uaccess::Errno::", &ident(rule.errno.name())]);
        body.clear();
        let written = reject_text(&errno, &str_lit(&rule.text), inner, &mut body);
        let then = if written {
            Stmt::Expr(var(STAND_IN))
        } else {
            reject(var(errno), &rule.text)
        };
        printed.clear();
        let mut shape = Shape::new(col);
        if written && rule_shape(family, rule, &mut shape) {
            let make = || if_stmt(rule_test(family, rule), vec![Stmt::Expr(var(STAND_IN))]);
            shaped_stmt_text(shape, col, make, &mut printed);
        } else {
            stmt_text(
                &if_stmt(rule_test(family, rule), vec![then]),
                col,
                &mut printed,
            );
        }
        if !written {
            out.push_str(&printed);
            continue;
        }
        // The stand-in's line is the last but the `}`'s.
        let at = printed.len() - (col + "}\n".len()) - stand_in.len();
        debug_assert_eq!(&printed[at..at + stand_in.len()], stand_in);
        debug_assert_eq!(printed.as_bytes()[at - 1], b'\n');
        out.push_str(&printed[..at]);
        out.push_str(&body);
        out.push_str(&printed[at + stand_in.len()..]);
    }
}

/// `return ::core::result::Result::Err(::uapigen_uaccess::Rejected::new(errno, text));` at
/// statement column `col`, as the printer breaks it when `Err(`'s arguments do not fit on
/// the line: the inner call on one line if it fits there, else one argument a line. False
/// (nothing written) when they might fit, which the printer is left to decide.
fn reject_text(errno: &str, text: &str, col: usize, out: &mut String) -> bool {
    const ERR: &str = "return ::core::result::Result::Err(";
    const NEW: &str = "::uapigen_uaccess::Rejected::new(";
    let args = errno.len() + ", ".len() + text.len();
    // `Err(`'s box: the inner call and its `)`, at least, after `return ..Err(` (and so the
    // statement is not one line either).
    if NEW.len() + args + ")".len() <= budget(col).saturating_sub(ERR.len()) {
        return false;
    }
    push_indent(col, out);
    out.push_str(ERR);
    out.push('\n');
    let inner = col + INDENT as usize;
    push_indent(inner, out);
    out.push_str(NEW);
    // `new(`'s box holds its arguments and the `)` up to the next break.
    if args + ")".len() <= budget(inner).saturating_sub(NEW.len()) {
        out.push_str(errno);
        out.push_str(", ");
        out.push_str(text);
        out.push_str("),\n");
    } else {
        out.push('\n');
        for arg in [errno, text] {
            push_indent(inner + INDENT as usize, out);
            out.push_str(arg);
            out.push_str(",\n");
        }
        push_indent(inner, out);
        out.push_str("),\n");
    }
    push_indent(col, out);
    out.push_str(");\n");
    true
}

/// `copy_from_user(mem, <args>)`: `copy_from_user_into` into a new value.
fn by_value(user_data: bool) -> FnItem {
    let (params, args): (Vec<(String, Ty)>, Vec<Expr>) = if user_data {
        (
            vec![
                ("data_type".into(), ty("u32")),
                ("uptr".into(), ty("u64")),
                ("len".into(), ty("u32")),
            ],
            vec![var("data_type"), var("uptr"), var("len")],
        )
    } else {
        (vec![("src".into(), ty("u64"))], vec![var("src")])
    };
    let mut ps = vec![mem_m()];
    ps.extend(params);
    let mut call_args = vec![var("mem")];
    call_args.extend(args);
    method_fn(
        vec![" [`Self::copy_from_user_into`] into a new value.".into()],
        "copy_from_user",
        None,
        ps,
        result(ty("Self")),
        vec![
            Stmt::Let(
                "mut dst",
                Expr::Call(
                    Box::new(Expr::QPath(
                        ty("Self"),
                        path("::core::default::Default"),
                        "default".into(),
                    )),
                    Vec::new(),
                ),
            ),
            Stmt::Semi(Expr::Try(Box::new(method(
                var("dst"),
                "copy_from_user_into",
                call_args,
            )))),
            Stmt::Expr(call("::core::result::Result::Ok", vec![var("dst")])),
        ],
    )
}

/// The argsz and driver-data `copy_from_user_into` (and driver data's `DATA_TYPE`), through
/// the printer: their bodies depend on the struct.
fn copy_in(view: RevView, s: StructId, conv: Convention, r: &mut Rust) {
    let family = view.family();
    let st = view.get(s);
    let (Some(v), Some(plan)) = (&st.validation, view.validator(s)) else {
        return;
    };
    let min = plan.min_size as usize;
    let size = plan.size as usize;
    let unit = || Ty::Tuple(Vec::new());
    match conv {
        Convention::Argsz => {
            let min_text = format!("argsz >= minsz ({} = {min})", v.min_size.text());
            // The field may have a `rust_name`: read it by the name the Rust struct gives it.
            let argsz_field = st
                .fields
                .iter()
                .find(|f| f.name.as_deref() == Some(conv.size_field()))
                .map_or_else(|| conv.size_field().to_string(), |f| f.rust_name.clone());
            let einval = || errno(Errno::EINVAL);
            let mut body = vec![
                Stmt::Let("dst", var("self")),
                Stmt::Semi(Expr::Try(Box::new(call(
                    "::uapigen_uaccess::ArgszCopy::head",
                    vec![var("mem"), var("dst"), var("src"), var("Self::MIN_SIZE")],
                )))),
                Stmt::Let("argsz", field(var("dst"), ident(&argsz_field))),
                if_stmt(
                    bin(
                        paren(cast(var("argsz"), "usize")),
                        "<",
                        var("Self::MIN_SIZE"),
                    ),
                    vec![reject(einval(), &min_text)],
                ),
            ];
            for (w, step) in v.min_size_when.iter().zip(&plan.size_steps) {
                body.push(if_stmt(
                    bin(
                        paren(all(family, "dst", &w.when)),
                        "&&",
                        bin(
                            paren(cast(var("argsz"), "usize")),
                            "<",
                            lit(format!("{}usize", step.need as usize)),
                        ),
                    ),
                    vec![reject(einval(), &step.text)],
                ));
            }
            body.push(Stmt::Semi(Expr::Try(Box::new(call(
                "::uapigen_uaccess::ArgszCopy::tail",
                vec![
                    var("mem"),
                    var("dst"),
                    var("src"),
                    var("Self::MIN_SIZE"),
                    var("argsz"),
                ],
            )))));
            body.push(Stmt::Expr(method(var("dst"), "check", vec![])));
            r.item_fn(&method_fn(
                vec![format!(
                    " Copies `struct {}` from user address `src` as its revision's kernel does: `minsz` bytes, \
                     the argsz checks, then `min(argsz, {size}) - minsz` more (bytes beyond the kernel's size are \
                     not read), then [`Self::check`].",
                    st.name
                )],
                "copy_from_user_into",
                Some("&mut self"),
                vec![mem_m(), ("src".into(), ty("u64"))],
                result(unit()),
                body,
            ));
        }
        Convention::Size => {}
        Convention::UserData => {
            let (dt_name, _) = v.data_type.clone().unwrap_or_default();
            r.doc(false, " The data type this struct is copied as.");
            r.item_const(
                true,
                "DATA_TYPE",
                &ty("u32"),
                &cast(var(ident(&dt_name)), "u32"),
            );
            r.item_fn(&method_fn(
                vec![format!(
                    " Copies driver data `struct {}` of type `data_type` and length `len` from `uptr`, as \
                     `iommu_copy_struct_from_user` does: the type must be `{dt_name}`, the length within \
                     `[MIN_SIZE, {size}]` (else -EINVAL), then `copy_struct_from_user` and [`Self::check`].",
                    st.name
                )],
                "copy_from_user_into",
                Some("&mut self"),
                vec![
                    mem_m(),
                    ("data_type".into(), ty("u32")),
                    ("uptr".into(), ty("u64")),
                    ("len".into(), ty("u32")),
                ],
                result(unit()),
                vec![
                    Stmt::Semi(Expr::Try(Box::new(call(
                        "::uapigen_uaccess::user_data_copy",
                        vec![
                            var("mem"),
                            var("self"),
                            var("Self::DATA_TYPE"),
                            var("data_type"),
                            var("uptr"),
                            cast(var("len"), "usize"),
                            var("Self::MIN_SIZE"),
                        ],
                    )))),
                    Stmt::Expr(method(var("self"), "check", vec![])),
                ],
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `reject_text` writes what the printer prints, at every length around its breaks.
    #[test]
    fn reject_text_is_the_printers() {
        let (mut one_line, mut broken) = (0, 0);
        for col in [0, 4, 8, 12, 16, 20, 28, 36, 48, 64] {
            for errno in ["E2BIG", "EINVAL", "EOPNOTSUPP", "ENAMETOOLONG"] {
                let errno = format!("::uapigen_uaccess::Errno::{errno}");
                for n in 0..120 {
                    let text = "x".repeat(n);
                    let mut r = Rust::new(1024, col);
                    r.stmt(&reject(var(errno.clone()), &text), false);
                    let printed = r.finish();
                    let mut direct = String::new();
                    if reject_text(&errno, &str_lit(&text), col, &mut direct) {
                        assert_eq!(direct, printed, "col {col}, {errno}, {n} bytes");
                        if direct.lines().count() == 3 {
                            one_line += 1;
                        } else {
                            broken += 1;
                        }
                    }
                }
            }
        }
        assert!(one_line > 0 && broken > 0, "{one_line} {broken}");
    }

    /// `plain_impl` writes what the printer prints, for names around the line's end.
    #[test]
    fn plain_impl_is_the_printers() {
        for col in [0, 4, 8, 12, 40] {
            for n in 1..80 {
                let name = "T".repeat(n);
                let mut r = Rust::new(256, col);
                r.impl_begin(true, Some(&path("::uapigen_uaccess::Plain")), &name);
                r.impl_end();
                let mut direct = String::new();
                plain_impl(&name, col, &mut direct);
                assert_eq!(direct, r.finish(), "col {col}, {n} bytes");
            }
        }
    }
}
