//! Rust validators: for each struct with a size convention, `copy_from_user` (the kernel's copy
//! sequence over a `UserMemory`) and `check` (the schema's rules in order). The copy primitives
//! live once in the `uapigen-uaccess` crate; only what differs per struct is generated.

use crate::emit::rust::{ident, type_ident};
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

/// `unsafe impl Plain` and the validator `impl` block of struct `s` in revision `view`, at
/// column `indent`.
pub fn emit(view: RevView, s: StructId, indent: usize, out: &mut String) {
    let mut r = Rust::new(4096, indent);
    items(view, s, &mut r);
    out.push_str(&r.finish());
}

fn items(view: RevView, s: StructId, r: &mut Rust) {
    let family = view.family();
    let st = view.get(s);
    let ty_name = type_ident(&st.name);
    // Hole-free on every target (the check stage) and integers all the way down; an
    // acknowledged ABI trap with a hole is not, so it gets no byte view.
    if view.hole_free(s) {
        r.impl_begin(true, Some(&path("::uapigen_uaccess::Plain")), &ty_name);
        r.impl_end();
    }
    let (Some(conv), Some(v), Some(plan)) = (st.convention, &st.validation, view.validator(s))
    else {
        return;
    };
    let min = plan.min_size as usize;
    let size = plan.size as usize;
    let unit = || Ty::Tuple(Vec::new());
    let mem_m = || ("mem".to_string(), Ty::Ref(false, Box::new(ty("M"))));

    let rules: Vec<Stmt> = v
        .rules
        .iter()
        .map(|rule| {
            let require = not(paren(all(family, "self", &rule.require)));
            let test = if rule.when.is_empty() {
                require
            } else {
                bin(paren(all(family, "self", &rule.when)), "&&", require)
            };
            if_stmt(test, vec![reject(errno(rule.errno), &rule.text)])
        })
        .collect();

    // `copy_from_user(mem, <args>)`: `copy_from_user_into` into a new value.
    let (params, args): (Vec<(String, Ty)>, Vec<Expr>) = match conv {
        Convention::UserData => (
            vec![
                ("data_type".into(), ty("u32")),
                ("uptr".into(), ty("u64")),
                ("len".into(), ty("u32")),
            ],
            vec![var("data_type"), var("uptr"), var("len")],
        ),
        _ => (vec![("src".into(), ty("u64"))], vec![var("src")]),
    };
    let by_value = {
        let mut ps = vec![mem_m()];
        ps.extend(params.iter().cloned());
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
    };

    r.impl_begin(false, None, &ty_name);
    r.docs(
        false,
        &[format!(
            " The kernel's minimum size: {} = {min}.",
            v.min_size.text()
        )],
    );
    r.item_const(true, "MIN_SIZE", &ty("usize"), &lit(format!("{min}usize")));
    match crate::emit::flexible_tail_text(view, s) {
        Some(tail) => r.docs(
            false,
            &[
                " `sizeof`: the most the kernel reads as this struct. The validators copy at most"
                    .to_string(),
                format!(" this; {tail}."),
            ],
        ),
        None => r.doc(
            false,
            " `sizeof`: the most the kernel reads as this struct.",
        ),
    }
    r.item_const(true, "SIZE", &ty("usize"), &lit(format!("{size}usize")));
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
                    " Copies `struct {}` from user address `src` as the v5.10 kernel does: `minsz` bytes, \
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
        Convention::Size => {
            r.item_fn(&method_fn(
                vec![format!(
                    " Copies `struct {}` from user address `src` as iommufd's ioctl path does: read the \
                     size, refuse it below `MIN_SIZE`, `copy_struct_from_user` (shorter: zero-filled; longer: \
                     the tail must be zero, else -E2BIG), then [`Self::check`].",
                    st.name
                )],
                "copy_from_user_into",
                Some("&mut self"),
                vec![mem_m(), ("src".into(), ty("u64"))],
                result(unit()),
                vec![
                    Stmt::Semi(Expr::Try(Box::new(call(
                        "::uapigen_uaccess::size_copy",
                        vec![var("mem"), var("self"), var("src"), var("Self::MIN_SIZE")],
                    )))),
                    Stmt::Expr(method(var("self"), "check", vec![])),
                ],
            ));
        }
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
    r.item_fn(&by_value);
    let mut body = rules;
    body.push(Stmt::Expr(call(
        "::core::result::Result::Ok",
        vec![Expr::Tuple(Vec::new())],
    )));
    r.item_fn(&FnItem {
        docs: vec![format!(
            " The content checks of `struct {}`, in the kernel's order; the first that fails decides.",
            st.name
        )],
        attrs: vec![Meta::Path("inline")],
        public: true,
        name: "check".into(),
        generics: Vec::new(),
        receiver: Some("&self"),
        params: Vec::new(),
        ret: Some(result(unit())),
        body,
    });
    r.impl_end();
}
