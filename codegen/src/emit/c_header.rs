//! The kernel-style uAPI header (`include/uapi/linux/<family>.h`). This module shapes the IR
//! into a view (names, values as C text, comment lines); the C syntax is the handlebars
//! template `templates/uapi_header.h.hbs`, which a user can override. When nobody did, [`write`]
//! writes the template's text from the view directly (see [`Templates`]): a change to the
//! template is a change to `write`, and `codegen/tests/templates.rs` holds the two together.

use serde::Serialize;

use crate::diag::Error;
use crate::emit::{c_comment, comment_sep_of, marker, push, truthy, Templates};
use crate::ir::*;

#[derive(Serialize)]
struct HeaderView {
    license: String,
    marker: String,
    description: Vec<String>,
    guard: String,
    includes: Vec<String>,
    items: Vec<ItemView>,
    /// `#pragma pack()` after the last item, ending a run of `pack` structs.
    pragma_end: Option<String>,
}

#[derive(Serialize, Default)]
struct ItemView {
    comment: Option<CommentView>,
    #[serde(rename = "struct")]
    structure: Option<StructView>,
    #[serde(rename = "enum")]
    c_enum: Option<EnumView>,
    defines: Option<Vec<DefineLine>>,
    /// `typedef __u32 canid_t;`.
    typedef: Option<String>,
    /// `#if CONDITION` ... `#endif /* CONDITION */` around the item (`libc_compat`).
    libc_compat: Option<String>,
    /// `#ifndef NAME` ... `#endif` around a define (`Define::ifndef`).
    ifndef: Option<String>,
    /// `#include <...>` lines below the item (`includes_after`).
    includes_after: Vec<String>,
    /// Directive lines above the item: `#pragma pack()` ending the run of `pack` structs
    /// before it, `#pragma pack(n)` beginning one at it (linux/batadv_packet.h's `#pragma
    /// pack(2)`), a `packed_by` macro's definition, linux/socket.h's own typedef.
    pragmas: Vec<String>,
}

#[derive(Serialize)]
struct CommentView {
    /// `/** ... */` kernel-doc rather than a plain `/* ... */`.
    kerneldoc: bool,
    /// A one-line plain comment: `/* text */`.
    single: Option<String>,
    lines: Vec<String>,
    indent: String,
}

#[derive(Serialize)]
struct StructView {
    /// `struct` or `union`.
    keyword: &'static str,
    name: String,
    body: Vec<BodyLine>,
    /// ` __attribute__((packed))` after the closing brace, or nothing.
    attrs: String,
    /// No tag: `typedef struct { ... } NAME;`.
    typedef: bool,
}

#[derive(Serialize, Default)]
struct BodyLine {
    /// A preprocessor line written as it is (`#if defined(__LITTLE_ENDIAN_BITFIELD)`).
    directive: Option<String>,
    indent: String,
    define: Option<DefineLine>,
    comment: Option<String>,
    field: Option<FieldLine>,
    open: Option<String>,
    close: Option<CloseLine>,
}

#[derive(Serialize, Clone)]
struct DefineLine {
    name: String,
    pad: String,
    value: String,
    trailing: Option<String>,
}

#[derive(Serialize)]
struct FieldLine {
    ty: String,
    name: String,
    array: String,
    /// ` __attribute__((aligned(8)))` after the declarator, or nothing.
    attrs: String,
}

#[derive(Serialize)]
struct CloseLine {
    name: Option<String>,
}

#[derive(Serialize)]
struct EnumView {
    tag: Option<String>,
    /// `typedef enum { ... } NAME;`: NAME.
    typedef: Option<String>,
    /// ` __attribute__((packed))` after the closing brace, or nothing.
    attrs: String,
    values: Vec<EnumLine>,
    /// `#define NAME TEXT` below it, of its values' `redefine`s.
    redefines: Vec<DefineLine>,
}

#[derive(Serialize)]
struct EnumLine {
    comment: Option<CommentView>,
    name: String,
    init: Option<String>,
    trailing: Option<String>,
    /// `#define NAME NAME` below it, for `#ifdef`.
    self_define: bool,
    /// `#if CONDITION` above it: the first of a run of values under one `libc_compat`.
    open: Option<String>,
    /// `#endif /* CONDITION */` below it: the last of that run.
    close: Option<String>,
}

/// The kernel-style uAPI header of `family`.
pub fn emit(family: &Family, templates: &Templates) -> Result<String, Error> {
    // Another header's items come with its `#include`; an enum declared as a member's type
    // is written at the member.
    let written: Vec<ItemRef> = family
        .items
        .iter()
        .filter(|item| !family.is_extern(**item))
        .filter(
            |item| !matches!(item, ItemRef::Group(g) if family.group(*g).decl == EnumDecl::Member),
        )
        .copied()
        .collect();
    let view = HeaderView {
        license: family.license.clone(),
        marker: marker(family),
        description: family
            .description
            .iter()
            .flat_map(|d| d.lines().map(c_comment))
            .collect(),
        guard: family.guard.clone(),
        includes: includes(family),
        items: written
            .iter()
            .map(|item| {
                let mut view = item_view(family, *item);
                view.includes_after = includes_after(family, *item);
                view
            })
            .collect(),
        pragma_end: None,
    };
    let mut view = view;
    packed_macros(family, &written, &mut view.items);
    sa_family_typedef(family, &written, &mut view.items);
    view.pragma_end = pragmas(family, &written, &mut view.items);
    // About 200 bytes an item in the benchmark's schema.
    let capacity = 512 * view.items.len();
    templates.render_or_write("uapi_header.h", &view, capacity, write)
}

/// The header that declares `__kernel_sa_family_t`.
const SOCKET_H: &str = "linux/socket.h";

/// Whether a member of `family` has type `__kernel_sa_family_t`.
fn uses_sa_family(family: &Family) -> bool {
    family.any_field(&|f| matches!(f.ty, FieldType::Scalar(Scalar::KernelSaFamily)))
}

/// linux/socket.h's own `typedef unsigned short __kernel_sa_family_t;`, which every other
/// header has by including it: above its first struct.
fn sa_family_typedef(family: &Family, written: &[ItemRef], items: &mut [ItemView]) {
    if family.header != SOCKET_H || !uses_sa_family(family) {
        return;
    }
    let first = written.iter().position(|i| matches!(i, ItemRef::Struct(_)));
    if let Some(view) = first.and_then(|k| items.get_mut(k)) {
        view.pragmas.insert(
            0,
            "typedef unsigned short __kernel_sa_family_t;".to_string(),
        );
    }
}

/// Each `packed_by` macro's definition, above the first struct that writes it, as
/// linux/eventpoll.h defines `EPOLL_PACKED`.
fn packed_macros(family: &Family, written: &[ItemRef], items: &mut [ItemView]) {
    let mut defined: Vec<&str> = Vec::new();
    for (item, view) in written.iter().zip(items.iter_mut()) {
        let ItemRef::Struct(s) = item else {
            continue;
        };
        let Some(p) = &family.struct_(*s).packed_by else {
            continue;
        };
        if defined.contains(&p.name.as_str()) {
            continue;
        }
        defined.push(&p.name);
        view.pragmas.extend([
            format!("#if {}", p.when.tested()),
            format!("#define {} __attribute__((packed))", p.name),
            "#else".to_string(),
            format!("#define {}", p.name),
            "#endif".to_string(),
        ]);
    }
}

/// The `#pragma pack` lines of `items` (the header's, in order): a run of structs of one `pack`
/// inside one `#pragma pack(n)` ... `#pragma pack()`, as the kernel's headers write it; the
/// line that ends the last run, if one is open at the end.
fn pragmas(family: &Family, written: &[ItemRef], items: &mut [ItemView]) -> Option<String> {
    let mut open: Option<u64> = None;
    for (item, view) in written.iter().zip(items.iter_mut()) {
        let ItemRef::Struct(s) = item else {
            continue;
        };
        let want = family.struct_(*s).pack;
        if want == open {
            continue;
        }
        if open.is_some() {
            view.pragmas.push("#pragma pack()".to_string());
        }
        if let Some(n) = want {
            view.pragmas.push(format!("#pragma pack({n})"));
        }
        open = want;
    }
    open.map(|_| "#pragma pack()".to_string())
}

/// `templates/uapi_header.h.hbs` rendered with `v`, written directly (line for line the
/// template's; a `{{#if}}` of a text is false when the text is empty, as in handlebars).
fn write(v: &HeaderView, out: &mut String) {
    fn define(d: &DefineLine, out: &mut String) {
        push(out, &["#define ", &d.name, &d.pad, &d.value]);
        if let Some(t) = truthy(&d.trailing) {
            push(out, &[" /* ", t, " */"]);
        }
        out.push('\n');
    }
    fn comment(c: &CommentView, out: &mut String) {
        if let Some(single) = truthy(&c.single) {
            push(out, &[&c.indent, "/* ", single, " */\n"]);
            return;
        }
        out.push_str(&c.indent);
        out.push_str(if c.kerneldoc { "/**\n" } else { "/*\n" });
        for l in &c.lines {
            out.push_str(&c.indent);
            out.push_str(" *");
            if !l.is_empty() {
                out.push_str(comment_sep_of(l));
                out.push_str(l);
            }
            out.push('\n');
        }
        out.push_str(&c.indent);
        out.push_str(" */\n");
    }
    push(
        out,
        &[
            "/* SPDX-License-Identifier: ",
            &v.license,
            " */\n/* ",
            &v.marker,
            " */\n",
        ],
    );
    if !v.description.is_empty() {
        out.push_str("/*\n");
        for l in &v.description {
            out.push_str(" *");
            if !l.is_empty() {
                out.push_str(comment_sep_of(l));
                out.push_str(l);
            }
            out.push('\n');
        }
        out.push_str(" */\n");
    }
    push(
        out,
        &["\n#ifndef ", &v.guard, "\n#define ", &v.guard, "\n\n"],
    );
    for i in &v.includes {
        push(out, &["#include <", i, ">\n"]);
    }
    for item in &v.items {
        out.push('\n');
        for p in &item.pragmas {
            push(out, &[p, "\n"]);
        }
        if !item.pragmas.is_empty() {
            out.push('\n');
        }
        if let Some(c) = &item.comment {
            comment(c, out);
        }
        if let Some(g) = truthy(&item.libc_compat) {
            push(out, &["#if ", g, "\n"]);
        }
        if let Some(n) = truthy(&item.ifndef) {
            push(out, &["#ifndef ", n, "\n"]);
        }
        for d in item.defines.iter().flatten() {
            define(d, out);
        }
        if truthy(&item.ifndef).is_some() {
            out.push_str("#endif\n");
        }
        if let Some(t) = &item.typedef {
            push(out, &[t, "\n"]);
        }
        if let Some(e) = &item.c_enum {
            if truthy(&e.typedef).is_some() {
                out.push_str("typedef ");
            }
            out.push_str("enum ");
            if let Some(tag) = truthy(&e.tag) {
                out.push_str(tag);
                out.push(' ');
            }
            out.push_str("{\n");
            for l in &e.values {
                if let Some(o) = truthy(&l.open) {
                    push(out, &[o, "\n"]);
                }
                if let Some(c) = &l.comment {
                    comment(c, out);
                }
                out.push('\t');
                out.push_str(&l.name);
                if let Some(init) = truthy(&l.init) {
                    out.push_str(" = ");
                    out.push_str(init);
                }
                out.push(',');
                if let Some(t) = truthy(&l.trailing) {
                    push(out, &["\t/* ", t, " */"]);
                }
                out.push('\n');
                if l.self_define {
                    push(out, &["#define ", &l.name, "\t", &l.name, "\n"]);
                }
                if let Some(c) = truthy(&l.close) {
                    push(out, &[c, "\n"]);
                }
            }
            match truthy(&e.typedef) {
                Some(name) => push(out, &["}", &e.attrs, " ", name, ";\n"]),
                None => push(out, &["}", &e.attrs, ";\n"]),
            }
            if !e.redefines.is_empty() {
                out.push('\n');
                for d in &e.redefines {
                    define(d, out);
                }
            }
        }
        if let Some(st) = &item.structure {
            if st.typedef {
                push(out, &["typedef ", st.keyword, " {\n"]);
            } else {
                push(out, &[st.keyword, " ", &st.name, " {\n"]);
            }
            for b in &st.body {
                if let Some(d) = truthy(&b.directive) {
                    push(out, &[d, "\n"]);
                }
                if let Some(d) = &b.define {
                    define(d, out);
                }
                if let Some(c) = truthy(&b.comment) {
                    push(out, &[&b.indent, "/* ", c, " */\n"]);
                }
                if let Some(f) = &b.field {
                    push(
                        out,
                        &[&b.indent, &f.ty, " ", &f.name, &f.array, &f.attrs, ";\n"],
                    );
                }
                if let Some(open) = truthy(&b.open) {
                    push(out, &[&b.indent, open, " {\n"]);
                }
                if let Some(close) = &b.close {
                    out.push_str(&b.indent);
                    out.push('}');
                    if let Some(name) = truthy(&close.name) {
                        out.push(' ');
                        out.push_str(name);
                    }
                    out.push_str(";\n");
                }
            }
            if st.typedef {
                push(out, &["}", &st.attrs, " ", &st.name, ";\n"]);
            } else {
                push(out, &["}", &st.attrs, ";\n"]);
            }
        }
        if let Some(g) = truthy(&item.libc_compat) {
            push(out, &["#endif /* ", g, " */\n"]);
        }
        for h in &item.includes_after {
            push(out, &["#include <", h, ">\n"]);
        }
    }
    if let Some(p) = truthy(&v.pragma_end) {
        push(out, &["\n", p, "\n"]);
    }
    push(out, &["\n#endif /* ", &v.guard, " */\n"]);
}

/// The schema's `includes`, and the headers what the header uses comes from when the schema
/// does not list them, so the header compiles on its own: `<linux/types.h>` (`__u32`,
/// `__aligned_u64`) first, `<linux/ioctl.h>` (`_IO`) last.
fn includes(family: &Family) -> Vec<String> {
    // Those written below a constant are not at the top.
    let mut out: Vec<String> = family
        .includes
        .iter()
        .filter(|i| !family.includes_after.iter().any(|(h, _)| h == *i))
        .cloned()
        .collect();
    let listed = |h: &str| family.includes.iter().any(|i| i == h);
    // A cast to one of its types in an expression or a macro's body (drm_fourcc.h's
    // `(__u64)`) needs it as much as a member does.
    let kernel_type = |text: &str| {
        text.contains("__")
            && names_scalar(text, |w, s| {
                w.starts_with("__") && !matches!(s, Scalar::KernelSaFamily)
            })
    };
    let casts = family.constants().any(|c| match &c.expr {
        Expr::C { text, .. } => kernel_type(text),
        _ => false,
    }) || family.macros.iter().any(|m| kernel_type(&m.body));
    // As are `__bitwise` and the types a typedef names (`typedef __u16 __bitwise __rpmsg16;`).
    let typedefs = family
        .typedefs
        .iter()
        .any(|t| t.bitwise || matches!(t.ty, FieldType::Scalar(s) if s.c_name().starts_with("__")));
    if (!family.structs.is_empty() || casts || typedefs) && !listed("linux/types.h") {
        out.insert(0, "linux/types.h".to_string());
    }
    if family
        .constants()
        .any(|c| matches!(c.expr, Expr::Io { .. }))
        && !listed("linux/ioctl.h")
    {
        out.push("linux/ioctl.h".to_string());
    }
    let const_h = |c: &Constant| c.calls(crate::front::cexpr::is_const_h);
    if family.constants().any(const_h) && !listed("linux/const.h") {
        out.push("linux/const.h".to_string());
    }
    // <linux/bits.h>'s `__GENMASK()` reads <linux/const.h>'s `_UL()` and the word's bits,
    // and includes neither.
    let bits_h = |c: &Constant| c.calls(|m| crate::front::cexpr::BITS_H.contains(&m));
    if family.constants().any(bits_h) {
        for h in ["asm/bitsperlong.h", "linux/bits.h"] {
            if !listed(h) && !out.iter().any(|o| o == h) {
                out.push(h.to_string());
            }
        }
    }
    fn virtio(fields: &[Field]) -> bool {
        fields.iter().any(|f| match &f.ty {
            FieldType::Scalar(s) => {
                matches!(s, Scalar::Virtio16 | Scalar::Virtio32 | Scalar::Virtio64)
            }
            FieldType::Inline(_, ms) => virtio(ms),
            _ => false,
        })
    }
    let virtio = family.structs.iter().any(|st| virtio(&st.fields));
    if virtio && !listed("linux/virtio_types.h") {
        out.push("linux/virtio_types.h".to_string());
    }
    // fuse.h's `uint64_t`: <stdint.h>, as the header includes it.
    let stdint = |f: &Field| match &f.ty {
        FieldType::Scalar(s) => s.is_stdint(),
        FieldType::Pointer(p) => matches!(p.to, crate::ir::Pointee::Scalar(s) if s.is_stdint()),
        _ => false,
    };
    // ... or its constants' casts (`((uint32_t)(-1))`, fuse.h's).
    let stdint_cast = |c: &Constant| match &c.expr {
        // Every <stdint.h> type's name ends in `_t`: most expressions have none to look up.
        Expr::C { text, .. } if text.contains("_t") => names_scalar(text, |_, s| s.is_stdint()),
        _ => false,
    };
    // ... unless a program includes it first (linux/sctp.h's, `assumes`).
    if (family.any_field(&stdint) || family.constants().any(stdint_cast))
        && !listed("stdint.h")
        && !family.assumes.iter().any(|a| a == "stdint.h")
    {
        out.push("stdint.h".to_string());
    }
    // `__kernel_sa_family_t` is <linux/socket.h>'s, which declares it itself
    // (`sa_family_typedef`).
    if uses_sa_family(family) && !listed("linux/socket.h") && family.header != SOCKET_H {
        out.push("linux/socket.h".to_string());
    }
    // `__DECLARE_FLEX_ARRAY()` is <linux/stddef.h>'s.
    if family.any_field(&|f| f.flexible == Some(Flexible::Declared)) && !listed("linux/stddef.h") {
        out.push("linux/stddef.h".to_string());
    }
    // A run of bitfields declared per byte order tests <asm/byteorder.h>'s bitfield order; a
    // constant may call its conversions (`__cpu_to_be16()`, linux/if_tunnel.h's); a `when`
    // may test its macros (linux/acct.h's `ACCT_BYTEORDER`).
    let byteorder = |c: &Constant| c.calls(crate::front::cexpr::is_byteorder);
    let tests = |w: &Option<Box<crate::ir::When>>| {
        w.as_ref()
            .is_some_and(|w| crate::front::when::tests_byte_order(&w.text))
    };
    if (family.any_field(&|f| f.byte_order || tests(&f.when))
        || family.constants().any(|c| byteorder(c) || tests(&c.when))
        || family.structs.iter().any(|s| tests(&s.when)))
        && !listed("asm/byteorder.h")
    {
        out.push("asm/byteorder.h".to_string());
    }
    out
}

/// Whether a word of C text `text` names a scalar type that `which` takes (by its spelling and
/// type): a cast in an expression or a macro's body, which needs that type's header.
fn names_scalar(text: &str, which: impl Fn(&str, Scalar) -> bool) -> bool {
    text.split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
        .any(|w| Scalar::from_c_name(w).is_some_and(|s| which(w, s)))
}

/// Struct `s` as C declares it, members and attributes only (no comments, no constants
/// defined among its members): what an `extern` copy must declare as its header does.
pub(crate) fn declaration(family: &Family, s: crate::ir::StructId) -> String {
    let st = family.struct_(s);
    let mut body = Vec::new();
    field_lines(family, &st.fields, 1, &mut body);
    let mut out = if st.typedef {
        format!("typedef {} {{", st.keyword())
    } else {
        format!("{} {{", st.c_type())
    };
    for l in body {
        if let Some(f) = l.field {
            out += &format!(" {} {}{}{};", f.ty, f.name, f.array, f.attrs);
        }
        if let Some(o) = l.open {
            out += &format!(" {o} {{");
        }
        if let Some(c) = l.close {
            out += &format!(" }} {};", c.name.unwrap_or_default());
        }
    }
    let name = if st.typedef {
        format!(" {}", st.name)
    } else {
        String::new()
    };
    out + " }" + &struct_attributes(st) + &name
}

/// `typedef __u32 canid_t;`: what an extern copy is compared by.
pub(crate) fn typedef_line(family: &Family, t: crate::ir::TypedefId) -> String {
    let t = &family.typedefs[t.0];
    match &t.c_enum {
        Some((tag, _)) => format!("typedef enum {tag} {};", t.name),
        None => {
            let bitwise = if t.bitwise { " __bitwise" } else { "" };
            let array = t.len.map_or(String::new(), |n| format!("[{n}]"));
            // Between the type and the name, as linux/virtio_ring.h writes it.
            let aligned = t.aligned.as_ref().map_or(String::new(), |a| {
                let n = a.name.clone().unwrap_or_else(|| a.value.to_string());
                format!(" __attribute__((aligned({n})))")
            });
            match &t.ty {
                // `typedef void __signalfn_t(int);`, `typedef void (*handler_t)(int);`
                FieldType::Pointer(crate::ir::Pointer {
                    to: crate::ir::Pointee::Function(i),
                    ..
                }) => {
                    let f = &family.functions[*i];
                    match t.function {
                        true => {
                            let (ret, params) = f.c_parts();
                            format!("typedef {ret} {}{params};", t.name)
                        }
                        false => {
                            let (before, after) = f.c_around();
                            format!("typedef {before}{}{after};", t.name)
                        }
                    }
                }
                // `typedef __signalfn_t __user *__sighandler_t;`
                FieldType::Pointer(p) => {
                    format!("typedef {} {}{};", p.c_base(family), p.stars(), t.name)
                }
                ty => format!(
                    "typedef {}{bitwise}{aligned} {}{array};",
                    c_type(family, ty),
                    t.name
                ),
            }
        }
    }
}

/// `#define NAME value /* doc */` alone: a define of no integer (a tag's other name, a
/// string), whose one-line doc trails it.
fn lone_define(name: &str, value: &str, doc: Option<&str>) -> ItemView {
    let line = DefineLine {
        name: name.to_string(),
        pad: String::new(),
        value: value.to_string(),
        trailing: doc.filter(|d| !d.contains('\n')).map(c_comment),
    };
    ItemView {
        defines: Some(align_defines(vec![line])),
        ..Default::default()
    }
}

fn item_view(family: &Family, item: ItemRef) -> ItemView {
    match item {
        ItemRef::Struct(i) => {
            let st = family.struct_(i);
            let mut body = Vec::new();
            field_lines(family, &st.fields, 1, &mut body);
            ItemView {
                comment: struct_comment(st),
                // An architecture's `#if` (`when`), as a define's.
                libc_compat: st
                    .libc_compat
                    .clone()
                    .or_else(|| st.when.as_ref().map(|w| w.tested())),
                structure: Some(StructView {
                    keyword: st.keyword(),
                    name: st.name.clone(),
                    body,
                    attrs: struct_attributes(st),
                    typedef: st.typedef,
                }),
                ..Default::default()
            }
        }
        ItemRef::Group(i) => {
            let g = family.group(i);
            match &g.style {
                Style::Define => ItemView {
                    comment: group_comment(g, ""),
                    libc_compat: g.libc_compat.clone(),
                    defines: Some(align_defines(g.values.iter().map(define_line).collect())),
                    ..Default::default()
                },
                Style::Enum { tag } => ItemView {
                    comment: group_comment(g, ""),
                    libc_compat: g.libc_compat.clone(),
                    c_enum: Some(EnumView {
                        tag: tag.clone(),
                        typedef: (g.decl == EnumDecl::Typedef).then(|| g.name.clone()),
                        attrs: attributes(g.packed, None),
                        values: g
                            .values
                            .iter()
                            .enumerate()
                            .map(|(i, c)| EnumLine {
                                open: run_edge(&g.values, i, i.checked_sub(1))
                                    .map(|g| format!("#if {g}")),
                                close: run_edge(&g.values, i, Some(i + 1))
                                    .map(|g| format!("#endif /* {g} */")),
                                comment: c.comment.as_deref().and_then(|t| plain_comment(t, "\t")),
                                name: c.name.clone(),
                                init: enum_init(&c.expr),
                                trailing: if g.summary.is_some() {
                                    None
                                } else {
                                    c.doc.as_deref().map(c_comment)
                                },
                                self_define: g.self_defined.contains(&c.name),
                            })
                            .collect(),
                        redefines: align_defines(
                            g.values
                                .iter()
                                .filter_map(|c| Some((c, c.redefined.as_ref()?)))
                                .map(|(c, r)| DefineLine {
                                    name: c.name.clone(),
                                    pad: String::new(),
                                    value: r.text.clone(),
                                    trailing: None,
                                })
                                .collect(),
                        ),
                    }),
                    ..Default::default()
                },
            }
        }
        ItemRef::Define(i) => {
            let d = &family.define(i).constant;
            let mut line = define_line(d);
            let comment = match &d.doc {
                Some(doc) if doc.contains('\n') => {
                    line.trailing = None;
                    plain_comment(doc, "")
                }
                _ => None,
            };
            ItemView {
                comment,
                // An architecture's `#if` (`when`) is written as `libc_compat`'s is: its
                // `#else` (`unless`) as the negated condition.
                libc_compat: d
                    .libc_compat
                    .clone()
                    .or_else(|| d.when.as_ref().map(|w| w.tested())),
                ifndef: family.define(i).ifndef.then(|| d.name.clone()),
                defines: Some(align_defines(vec![line])),
                ..Default::default()
            }
        }
        ItemRef::Typedef(i) => {
            let t = &family.typedefs[i.0];
            ItemView {
                comment: t.doc.as_deref().and_then(|d| plain_comment(d, "")),
                typedef: Some(typedef_line(family, i)),
                ..Default::default()
            }
        }
        ItemRef::TagAlias(i) => {
            let a = &family.tag_aliases[i.0];
            let st = family.struct_(a.to);
            let body = match a.keyword {
                true => format!("{} {}", st.keyword(), st.name),
                false => st.name.clone(),
            };
            ItemView {
                // An architecture's `#if` (`when`), as a define's.
                libc_compat: a.when.as_ref().map(|w| w.tested()),
                ..lone_define(&a.name, &body, a.doc.as_deref())
            }
        }
        ItemRef::String(i) => {
            let d = &family.strings[i.0];
            lone_define(&d.name, &d.text, d.doc.as_deref())
        }
        ItemRef::Macro(i) => {
            let m = &family.macros[i.0];
            let line = DefineLine {
                name: format!("{}({})", m.name, m.params.join(", ")),
                pad: String::new(),
                value: m.body.clone(),
                trailing: None,
            };
            ItemView {
                comment: m.doc.as_deref().and_then(|d| plain_comment(d, "")),
                defines: Some(align_defines(vec![line])),
                ifndef: m.ifndef.then(|| m.name.clone()),
                ..Default::default()
            }
        }
    }
}

fn c_type(family: &Family, ty: &FieldType) -> String {
    match ty {
        FieldType::Scalar(s) => s.c_name().to_string(),
        FieldType::Struct(i) => family.struct_(*i).c_type(),
        FieldType::Inline(kind, _) => kind.c_keyword().to_string(),
        // `R (*name)(P)`: the return type here, the rest around the name.
        FieldType::Pointer(p) => match p.to {
            crate::ir::Pointee::Function(i) => family.functions[i]
                .ret
                .as_ref()
                .map_or("void".to_string(), |r| r.1.clone()),
            _ => p.c_base(family),
        },
    }
}

/// The headers the header includes right below `item` (`includes_after`): those whose
/// constant it defines.
fn includes_after(family: &Family, item: ItemRef) -> Vec<String> {
    if family.includes_after.is_empty() {
        return Vec::new();
    }
    let defines = |name: &str| match item {
        ItemRef::Define(d) => family.define(d).constant.name == name,
        ItemRef::String(i) => family.strings[i.0].name == name,
        ItemRef::Group(g) => family.group(g).values.iter().any(|c| c.name == name),
        _ => false,
    };
    family
        .includes_after
        .iter()
        .filter(|(_, after)| defines(after))
        .map(|(h, _)| h.clone())
        .collect()
}

/// A struct's attributes after its closing brace: `attributes`' and `deprecated`,
/// `__may_alias__` after them (linux/usb/functionfs.h's `packed, deprecated`).
fn struct_attributes(st: &Struct) -> String {
    if let Some(p) = &st.packed_by {
        return format!(" {}", p.name);
    }
    let aligned = st
        .aligned
        .map(|n| st.aligned_name.clone().unwrap_or_else(|| n.to_string()));
    if !st.deprecated && !st.may_alias {
        return attributes(st.packed, aligned);
    }
    let mut words = Vec::new();
    if st.packed {
        words.push("packed".to_string());
    }
    if let Some(n) = aligned {
        words.push(format!("aligned({n})"));
    }
    if st.deprecated {
        words.push("deprecated".to_string());
    }
    if st.may_alias {
        words.push("__may_alias__".to_string());
    }
    format!(" __attribute__(({}))", words.join(", "))
}

/// What a member's `aligned(n)` writes for n: the constant's name or the number, or
/// `__alignof__(struct X)`; none when its typedef's attribute gives it.
fn member_aligned(family: &Family, f: &Field) -> Option<String> {
    if f.typedef_aligned {
        return None;
    }
    if let Some(x) = f.aligned_of {
        return Some(format!("__alignof__({})", family.struct_(x).c_type()));
    }
    f.aligned
        .map(|n| f.aligned_name.clone().unwrap_or_else(|| n.to_string()))
}

/// ` __attribute__((packed))`, ` __attribute__((aligned(8)))` or both in one, spelled as the
/// kernel's uAPI headers spell them (sound/compress_params.h: `packed, aligned(4)`), after a
/// struct's closing brace or a member's declarator; empty for neither.
fn attributes(packed: bool, aligned: Option<String>) -> String {
    match (packed, aligned) {
        (false, None) => String::new(),
        (true, None) => " __attribute__((packed))".to_string(),
        (false, Some(n)) => format!(" __attribute__((aligned({n})))"),
        (true, Some(n)) => format!(" __attribute__((packed, aligned({n})))"),
    }
}

fn field_lines(family: &Family, fields: &[Field], depth: usize, out: &mut Vec<BodyLine>) {
    let directive = |d: String| BodyLine {
        directive: Some(d),
        ..Default::default()
    };
    let mut i = 0;
    while i < fields.len() {
        let f = &fields[i];
        // A run of members under one `libc_compat` condition.
        let guard = |j: Option<usize>| j.and_then(|j| fields.get(j)?.libc_compat.as_deref());
        if let Some(g) = f.libc_compat.as_deref() {
            if guard(i.checked_sub(1)) != Some(g) {
                out.push(directive(format!("#if {g}")));
            }
        }
        let end = |i: usize, out: &mut Vec<BodyLine>| {
            if let Some(g) = guard(Some(i)).filter(|g| guard(Some(i + 1)) != Some(g)) {
                out.push(directive(format!("#endif /* {g} */")));
            }
        };
        // A member under an architecture's `#if` (`when`), or its `#else` (`unless`): a run
        // of one condition, and the `#else` run right after its `#if` run, as
        // asm-generic/msgbuf.h writes `__BITS_PER_LONG == 64`'s.
        if let Some(w) = &f.when {
            // The `#else` of the `#if` run right before it, if any.
            let else_of = |j: usize, k: usize| {
                let (Some(a), Some(b)) = (
                    fields.get(j).and_then(|g| g.when.as_ref()),
                    fields.get(k).and_then(|g| g.when.as_ref()),
                ) else {
                    return false;
                };
                a.text == b.text && !a.negated && b.negated
            };
            let opens = i == 0 || !else_of(i - 1, i);
            let run = fields[i..]
                .iter()
                .take_while(|g| {
                    g.when
                        .as_ref()
                        .is_some_and(|v| v.text == w.text && v.negated == w.negated)
                })
                .count();
            out.push(directive(if opens {
                format!("#if {}", w.tested())
            } else {
                "#else".into()
            }));
            for g in &fields[i..i + run] {
                field_line(family, g, depth, true, out);
            }
            i += run;
            if !else_of(i - 1, i) {
                // The comment says what the `#if` tested: `!(X)` for an `#else` of its own.
                let tested = if opens { w.tested() } else { w.text.clone() };
                out.push(directive(format!("#endif /* {tested} */")));
            }
            continue;
        }
        if !f.byte_order {
            field_line(family, f, depth, true, out);
            end(i, out);
            i += 1;
            continue;
        }
        // A run declared per byte order, as the kernel's headers write one (linux/ip.h): each
        // byte's bitfields in reverse under `__BIG_ENDIAN_BITFIELD` (resolve and check made
        // the run tile whole bytes), or members that are not bitfields in reverse
        // (linux/if_packet.h's `fanout_args`).
        let plain = f.bits.is_none();
        let n = 1 + fields[i + 1..]
            .iter()
            .take_while(|g| g.continues_run())
            .count();
        let run: Vec<&Field> = fields[i..i + n].iter().collect();
        i += n;
        out.push(directive("#if defined(__LITTLE_ENDIAN_BITFIELD)".into()));
        for f in &run {
            field_line(family, f, depth, true, out);
        }
        out.push(directive("#elif defined(__BIG_ENDIAN_BITFIELD)".into()));
        // The run in reverse as a whole: members that are not bitfields, or bitfields that
        // keep their bits of a unit's value (drbd.h's `drbd_state`); else each byte's.
        if plain || f.byte_order_word {
            for g in run.iter().rev() {
                field_line(family, g, depth, false, out);
            }
        } else {
            // A run's last bitfield the big-endian declaration merges into the one before it
            // there is not declared; that one takes its bits (`Field::big_endian_bits`).
            let big = |g: &Field, out: &mut Vec<BodyLine>| match g.big_endian_bits {
                _ if g.byte_order_merged => {}
                Some(w) => {
                    let wide = Field {
                        bits: Some(w),
                        ..g.clone()
                    };
                    field_line(family, &wide, depth, false, out);
                }
                None => field_line(family, g, depth, false, out),
            };
            let mut byte: Vec<&Field> = Vec::new();
            let mut bits = 0;
            for f in &run {
                byte.push(f);
                bits += f.bits.unwrap_or(0);
                if bits % 8 == 0 {
                    for g in byte.drain(..).rev() {
                        big(g, out);
                    }
                }
            }
            for g in byte.into_iter().rev() {
                big(g, out);
            }
        }
        out.push(directive("#else".into()));
        out.push(directive("#error\t\"Please fix <asm/byteorder.h>\"".into()));
        out.push(directive("#endif".into()));
        end(i - 1, out);
    }
}

/// The `libc_compat` condition of `values[i]` where the value at `other` has another (or is
/// none): where a run of values under one condition opens or closes.
fn run_edge(values: &[Constant], i: usize, other: Option<usize>) -> Option<&str> {
    let g = values[i].libc_compat.as_deref()?;
    let o = other.and_then(|j| values.get(j)?.libc_compat.as_deref());
    (o != Some(g)).then_some(g)
}

/// One member's lines: the constants defined above it (`before`, when asked: a run declared
/// per byte order writes them once), its comment, and its declaration.
fn field_line(family: &Family, f: &Field, depth: usize, before: bool, out: &mut Vec<BodyLine>) {
    let indent = "\t".repeat(depth);
    {
        // Constants the kernel defines right above the field they belong to.
        let mut defines = Vec::new();
        for item in f.before.iter().filter(|_| before) {
            match item {
                ItemRef::Group(g) => {
                    let g = family.group(*g);
                    if let Some(doc) = &g.doc {
                        for l in doc.lines() {
                            out.push(BodyLine {
                                comment: Some(c_comment(l)),
                                ..Default::default()
                            });
                        }
                    }
                    defines.extend(g.values.iter().map(define_line));
                }
                ItemRef::Define(d) => defines.push(define_line(&family.define(*d).constant)),
                ItemRef::Struct(_)
                | ItemRef::Macro(_)
                | ItemRef::Typedef(_)
                | ItemRef::TagAlias(_)
                | ItemRef::String(_) => {}
            }
        }
        for d in align_defines(defines) {
            out.push(BodyLine {
                define: Some(d),
                ..Default::default()
            });
        }
        if let Some(c) = &f.comment {
            out.push(BodyLine {
                indent: indent.clone(),
                comment: Some(c_comment(c)),
                ..Default::default()
            });
        }
        let array = match f.bits {
            Some(w) => format!(":{w}"),
            None => f.c_array_suffix(),
        };
        if let Some(d) = &f.declared_by {
            // The call, which the macro expands to the member (`declared_by`).
            out.push(BodyLine {
                directive: Some(format!(
                    "{indent}{}({});",
                    family.macros[d.macro_id.0].name,
                    d.args.join(", ")
                )),
                ..Default::default()
            });
            return;
        }
        match &f.ty {
            FieldType::Inline(kind, members) => {
                out.push(BodyLine {
                    indent: indent.clone(),
                    open: Some(match &f.tag {
                        Some(tag) => format!("{} {tag}", kind.c_keyword()),
                        None => kind.c_keyword().to_string(),
                    }),
                    ..Default::default()
                });
                field_lines(family, members, depth + 1, out);
                out.push(BodyLine {
                    indent: indent.clone(),
                    close: Some(CloseLine {
                        name: match &f.name {
                            // `packed` is the type's, before the name (after it, gcc would
                            // pack the member and lay the type out unpacked: x86's
                            // asm/setup_data.h writes `} __attribute__((packed)) v1;`);
                            // `aligned` is the member's, after it.
                            Some(n) => Some(format!(
                                "{}{n}{array}{}",
                                if f.packed {
                                    "__attribute__((packed)) "
                                } else {
                                    ""
                                },
                                attributes(false, member_aligned(family, f))
                            )),
                            // An anonymous one's attributes stand alone, its type's: `}
                            // __attribute__((packed));`, bpf.h's `} __attribute__((aligned(8)));`.
                            None if f.packed || member_aligned(family, f).is_some() => Some(
                                attributes(f.packed, member_aligned(family, f))
                                    .trim_start()
                                    .to_string(),
                            ),
                            None => None,
                        },
                    }),
                    ..Default::default()
                });
            }
            // <linux/stddef.h>'s macro, as the kernel writes it: `__DECLARE_FLEX_ARRAY(struct
            // io_uring_buf, bufs);`.
            ty if f.flexible == Some(Flexible::Declared) => out.push(BodyLine {
                indent: indent.clone(),
                field: Some(FieldLine {
                    ty: format!("__DECLARE_FLEX_ARRAY({},", member_type(family, f, ty)),
                    name: format!("{})", f.name.as_deref().unwrap_or("")),
                    array: String::new(),
                    attrs: String::new(),
                }),
                ..Default::default()
            }),
            // An enum declared as the member's type: `enum { ... } func;` (drm/drm.h), or
            // with its tag, `enum what { ... } what;` (6.1's linux/cn_proc.h).
            _ if member_enum(family, f).is_some() => {
                let Some(g) = member_enum(family, f) else {
                    return;
                };
                out.push(BodyLine {
                    indent: indent.clone(),
                    open: Some(match &g.style {
                        Style::Enum { tag: Some(tag) } => format!("enum {tag}"),
                        _ => "enum".to_string(),
                    }),
                    ..Default::default()
                });
                let inner = "\t".repeat(depth + 1);
                for c in &g.values {
                    let mut line = format!("{inner}{}", c.name);
                    if let Some(init) = enum_init(&c.expr) {
                        line.push_str(" = ");
                        line.push_str(&init);
                    }
                    line.push(',');
                    if let Some(doc) = &c.doc {
                        line.push_str("\t/* ");
                        line.push_str(&c_comment(doc));
                        line.push_str(" */");
                    }
                    out.push(BodyLine {
                        directive: Some(line),
                        ..Default::default()
                    });
                    if g.self_defined.contains(&c.name) {
                        out.push(BodyLine {
                            directive: Some(format!("#define {}\t{}", c.name, c.name)),
                            ..Default::default()
                        });
                    }
                }
                out.push(BodyLine {
                    indent: indent.clone(),
                    close: Some(CloseLine {
                        name: Some(format!(
                            "{}{array}{}",
                            f.name.as_deref().unwrap_or(""),
                            attributes(false, member_aligned(family, f))
                        )),
                    }),
                    ..Default::default()
                });
            }
            ty => out.push(BodyLine {
                indent: indent.clone(),
                field: Some(FieldLine {
                    // A zero-length array is GNU C, which ISO C's -pedantic refuses; the kernel's
                    // uAPI headers mark such a declaration `__extension__` (asm-generic/int-ll64.h).
                    ty: match (f.flexible, f.len, &f.len_expr) {
                        (Some(Flexible::ZeroLength), ..) | (None, Some(0), None) => {
                            format!("__extension__ {}", member_type(family, f, ty))
                        }
                        _ => member_type(family, f, ty),
                    },
                    // The `*` binds to the declarator: `__u64 __user *data;`.
                    // A typedef's name says it all (`__sighandler_t sa_handler;`).
                    name: match ty {
                        FieldType::Pointer(_) if f.c_typedef.is_some() => {
                            f.name.clone().unwrap_or_default()
                        }
                        FieldType::Pointer(p) => match p.to {
                            crate::ir::Pointee::Function(i) => format!(
                                "(*{}{}",
                                f.name.as_deref().unwrap_or(""),
                                family.functions[i].c_around().1
                            ),
                            _ => format!("{}{}", p.stars(), f.name.as_deref().unwrap_or("")),
                        },
                        _ => f.name.clone().unwrap_or_default(),
                    },
                    array,
                    attrs: attributes(f.packed, member_aligned(family, f)),
                }),
                ..Default::default()
            }),
        }
    }
}

/// A member's type as the header declares it: its qualifiers, then its typedef's name, its
/// enum's (`enum TAG`) or the type itself.
fn member_type(family: &Family, f: &Field, ty: &FieldType) -> String {
    let q = f.qualifiers.c_prefix();
    match (f.c_typedef, &f.c_enum) {
        (Some(t), _) => format!("{q}{}", family.typedefs[t.0].name),
        // `typedef enum { ... } NAME;`'s members are of type NAME.
        (None, Some(name)) if f.values.map(|g| family.group(g).decl) == Some(EnumDecl::Typedef) => {
            format!("{q}{name}")
        }
        (None, Some(tag)) => format!("{q}enum {tag}"),
        (None, None) => format!("{q}{}", c_type(family, ty)),
    }
}

/// The enum declared as member `f`'s type (`member = true`), if it is one.
fn member_enum<'a>(family: &'a Family, f: &Field) -> Option<&'a ConstGroup> {
    let g = family.group(f.values?);
    (f.c_enum.is_some() && f.c_typedef.is_none() && g.decl == EnumDecl::Member).then_some(g)
}

/// How the header writes a constant's value (empty for an enum member without initialiser).
pub(crate) fn define_value(expr: &Expr) -> String {
    match expr {
        Expr::Literal(s) => s.clone(),
        // `1 << 31` overflows int and `1 << 32` is undefined: widen the one as the kernel does.
        Expr::Bit(n) if *n < 31 => format!("(1 << {n})"),
        Expr::Bit(n) if *n == 31 => "(1U << 31)".to_string(),
        Expr::Bit(n) => format!("(1ULL << {n})"),
        Expr::Or(names) => format!("({})", names.join(" | ")),
        Expr::Alias(n) => n.clone(),
        Expr::Char(c) => format!("('{c}')"),
        Expr::Io { via: Some(via), .. } => via.c(),
        Expr::Io {
            dir,
            ty,
            nr,
            size,
            ioc: true,
            ..
        } => {
            let size = size
                .as_ref()
                .map_or("0".to_string(), |s| format!("sizeof({})", s.c));
            format!("_IOC({}, {ty}, {nr}, {size})", dir.ioc_name())
        }
        Expr::Io {
            dir, ty, nr, size, ..
        } => match size {
            Some(size) => format!("{}({ty}, {nr}, {})", dir.macro_name(), size.c),
            None => format!("{}({ty}, {nr})", dir.macro_name()),
        },
        Expr::C { text, .. } => text.clone(),
        Expr::Implicit => String::new(),
    }
}

fn enum_init(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Implicit => None,
        // `1 << 31` would be INT_MIN: widen the one past int as the kernel does
        // (nl80211.h's `1U << 31`); resolve refuses bit 63 in an enum.
        Expr::Bit(n) if *n < 31 => Some(format!("1 << {n}")),
        Expr::Bit(31) => Some("1U << 31".to_string()),
        Expr::Bit(n) => Some(format!("1ULL << {n}")),
        other => Some(define_value(other)),
    }
}

fn define_line(c: &Constant) -> DefineLine {
    DefineLine {
        name: c.name.clone(),
        pad: String::new(),
        value: define_value(&c.expr),
        trailing: c
            .doc
            .as_deref()
            .filter(|d| !d.contains('\n'))
            .map(c_comment),
    }
}

/// Kernel style: the values of a run of defines start at one tab stop.
fn align_defines(mut lines: Vec<DefineLine>) -> Vec<DefineLine> {
    let width = lines
        .iter()
        .map(|l| "#define ".len() + l.name.len())
        .max()
        .unwrap_or(0);
    let column = (width / 8 + 1) * 8;
    for l in &mut lines {
        let len = "#define ".len() + l.name.len();
        let tabs = (column - len).div_ceil(8);
        l.pad = "\t".repeat(tabs.max(1));
    }
    lines
}

fn plain_comment(doc: &str, indent: &str) -> Option<CommentView> {
    let lines: Vec<String> = doc.lines().map(c_comment).collect();
    Some(CommentView {
        // kernel-doc reads a DOC: section only from a `/**` block.
        kerneldoc: doc.starts_with("DOC:"),
        single: (lines.len() == 1).then(|| lines[0].clone()),
        lines,
        indent: indent.to_string(),
    })
}

fn group_comment(g: &ConstGroup, indent: &str) -> Option<CommentView> {
    let tag = match &g.style {
        Style::Enum { tag: Some(t) } => Some(t.as_str()),
        _ => None,
    };
    match (&g.summary, tag) {
        (Some(summary), Some(tag)) => {
            let mut lines = vec![format!("enum {tag} - {}", c_comment(summary))];
            for c in &g.values {
                if let Some(doc) = &c.doc {
                    push_param(&mut lines, &c.name, doc);
                }
            }
            Some(kerneldoc(lines, g.doc.as_deref(), indent))
        }
        _ => g.doc.as_deref().and_then(|d| plain_comment(d, indent)),
    }
}

/// `@name: doc`, continuation lines indented under the text as kernel-doc allows.
fn push_param(lines: &mut Vec<String>, name: &str, doc: &str) {
    let mut doc_lines = doc.lines().map(c_comment);
    let first = doc_lines.next().unwrap_or_default();
    // Not `format!`: one of these a member of every struct.
    let mut line = String::with_capacity(name.len() + first.len() + 3);
    line.push('@');
    line.push_str(name);
    line.push_str(": ");
    line.push_str(&first);
    lines.push(line);
    for l in doc_lines {
        lines.push(if l.is_empty() {
            String::new()
        } else {
            // Spaces: after the template's ` * ` a tab is checkpatch's "space before tab".
            format!("{:w$}{l}", "", w = name.len() + 3)
        });
    }
}

fn struct_comment(st: &Struct) -> Option<CommentView> {
    let Some(summary) = &st.summary else {
        return st.doc.as_deref().and_then(|d| plain_comment(d, ""));
    };
    // kernel-doc names a typedef'd struct `struct NAME` too.
    let mut lines = vec![format!(
        "{} {} - {}",
        st.keyword(),
        st.name,
        c_comment(summary)
    )];
    fn params(fields: &[Field], prefix: &str, lines: &mut Vec<String>) {
        for f in fields {
            let path = match (&f.name, prefix.is_empty()) {
                (Some(n), true) => n.clone(),
                (Some(n), false) => format!("{prefix}.{n}"),
                (None, _) => prefix.to_string(),
            };
            // A name declared once per architecture (`when`, `unless`) is documented once.
            let again = f.when.is_some() && {
                let at = format!("@{path}:");
                lines.iter().any(|l| l.starts_with(&at))
            };
            if let (Some(doc), false, false) = (&f.doc, path.is_empty(), again) {
                push_param(lines, &path, doc);
            }
            if let FieldType::Inline(_, ms) = &f.ty {
                params(ms, &path, lines);
            }
        }
    }
    params(&st.fields, "", &mut lines);
    Some(kerneldoc(lines, st.doc.as_deref(), ""))
}

/// A kernel-doc block: the summary and `@member` lines, then the description after a blank line.
fn kerneldoc(mut lines: Vec<String>, doc: Option<&str>, indent: &str) -> CommentView {
    if let Some(doc) = doc {
        lines.push(String::new());
        lines.extend(doc.lines().map(c_comment));
    }
    CommentView {
        kerneldoc: true,
        single: None,
        lines,
        indent: indent.to_string(),
    }
}
