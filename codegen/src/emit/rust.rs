//! Rust bindings: `#[repr(C)]` types, constants and open enums for one family, with
//! compile-time size, alignment and offset assertions (bindgen ≥ 0.70 style), so a wrong layout
//! breaks the build on every target. Emitted with quote, parsed back with syn, printed with
//! prettyplease.

use std::collections::HashMap;

use std::cell::RefCell;

use proc_macro2::{Ident, Span as PmSpan, TokenStream};
use quote::quote;

use crate::diag::Error;
use crate::emit::marker;
use crate::ir::*;
use crate::layout::TARGETS;
use crate::model::{Model, RevView, StructId};
pub use crate::names::camel;
use crate::names::{rust_ident, RustIdent};

thread_local! {
    /// The first name `ident` could not make an identifier of, since the last `unparse`.
    static INVALID: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// A Rust identifier for a C name; keywords (`type`) become raw identifiers (`r#type`). The
/// identifier policy (`names`) lets no other name through; should one come anyway, this does
/// not panic: it stands in a placeholder and `unparse` fails with an internal error.
pub fn ident(name: &str) -> Ident {
    match rust_ident(name) {
        RustIdent::Plain => Ident::new(name, PmSpan::call_site()),
        RustIdent::Raw => Ident::new_raw(name, PmSpan::call_site()),
        RustIdent::Invalid => {
            INVALID.with(|i| {
                i.borrow_mut().get_or_insert_with(|| name.to_string());
            });
            Ident::new("__uapigen_invalid_identifier", PmSpan::call_site())
        }
    }
}

/// The Rust type of a C struct or enum tag: `iommu_hwpt_alloc` → `IommuHwptAlloc`.
pub fn type_ident(c_name: &str) -> Ident {
    ident(&camel(c_name))
}

fn doc_attrs(doc: Option<&str>) -> TokenStream {
    let Some(doc) = doc else { return quote!() };
    let lines = doc.lines().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {}", link_urls(l))
        }
    });
    quote!(#(#[doc = #lines])*)
}

/// Kernel-doc writes bare URLs; rustdoc links only `<https://...>` (and warns on the rest).
fn link_urls(line: &str) -> String {
    line.split(' ')
        .map(|w| {
            if w.starts_with("https://") || w.starts_with("http://") {
                format!("<{w}>")
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A value that may differ per target: a literal when all agree, else a `cfg!` chain.
fn per_target(values: &[(&'static str, u64)]) -> TokenStream {
    let mut distinct: Vec<u64> = values.iter().map(|(_, v)| *v).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() == 1 {
        let v = proc_macro2::Literal::u64_unsuffixed(distinct[0]);
        return quote!(#v);
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
    let mut out = {
        let v = proc_macro2::Literal::u64_unsuffixed(common);
        quote!(#v)
    };
    for d in distinct.iter().rev().filter(|d| **d != common) {
        let arches: Vec<&str> = values
            .iter()
            .filter(|(_, v)| v == d)
            .map(|(a, _)| *a)
            .collect();
        let v = proc_macro2::Literal::u64_unsuffixed(*d);
        out = quote!(if cfg!(any(#(target_arch = #arches),*)) { #v } else { #out });
    }
    out
}

struct Ctx<'a> {
    view: RevView<'a>,
    family: &'a Family,
    layouts: &'a [crate::layout::FamilyLayout],
    /// Rust type of every constant, by name.
    const_types: HashMap<String, &'static str>,
}

/// The family's module: its latest revision at the top, then one module per revision
/// (`v6_7`) with the structs as they were then, each with that revision's layout assertions and
/// validator (the kernel of that revision), so a test can play an old user or an old kernel.
pub fn emit(model: &Model) -> Result<String, Error> {
    INVALID.with(|i| i.borrow_mut().take());
    let latest = model.latest();
    let family = latest.family();
    let ctx = Ctx {
        view: latest,
        family,
        layouts: latest.layouts(),
        const_types: const_types(family),
    };
    let marker_doc = format!(" {}", marker(family));
    let description = family
        .description
        .as_deref()
        .map(|d| {
            let lines = d.lines().map(|l| format!(" {l}"));
            quote!(#![doc = ""] #(#![doc = #lines])*)
        })
        .unwrap_or_default();
    let header = &family.header;
    let header_doc = format!(" Rust view of `include/uapi/{header}`.");

    let mut items = Vec::new();
    for item in &family.items {
        collect_item(&ctx, *item, &mut items);
    }
    // Each struct's code at the latest revision, to re-export it where a revision's is the same.
    let code = |c: &Ctx, si: usize| -> (Vec<TokenStream>, String) {
        let mut v = Vec::new();
        structure(c, si, &mut v);
        let text = v
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        (v, text)
    };
    let latest: Vec<String> = (0..family.structs.len())
        .map(|si| code(&ctx, si).1)
        .collect();
    let mut previous: Option<(Ident, Vec<Option<String>>)> = None;
    for view in model.revs() {
        // Constants come from the latest revision (`use super::*`): none is ever removed or
        // changed, but for a sentinel, which no struct of a revision module refers to.
        let ctx_r = Ctx {
            view,
            family: view.family(),
            layouts: view.layouts(),
            const_types: ctx.const_types.clone(),
        };
        let mut structs = Vec::new();
        let mut texts: Vec<Option<String>> = vec![None; view.family().structs.len()];
        for (StructId(si), st) in view.structs() {
            // The same code as the latest revision's (or the previous one's): the same type,
            // re-exported rather than defined again.
            let (tokens, text) = code(&ctx_r, si);
            let ty = type_ident(&st.name);
            if text == latest[si] {
                structs.push(quote!(pub use super::#ty;));
            } else if let Some((m, prev)) = previous
                .as_ref()
                .filter(|(_, p)| p[si].as_deref() == Some(text.as_str()))
            {
                let _ = prev;
                structs.push(quote!(pub use super::#m::#ty;));
            } else {
                structs.extend(tokens);
            }
            texts[si] = Some(text);
        }
        let rev = &family.revisions[view.id().0];
        let m = ident(&rev.id);
        let doc = format!(" The structs of revision `{}` ({}), laid out and validated as that revision's kernel does.", rev.id, rev.label);
        items.push(quote! {
            #[doc = #doc]
            pub mod #m {
                #[allow(unused_imports)]
                use super::*;
                #(#structs)*
            }
        });
        previous = Some((m, texts));
    }
    items.push(dispatcher(model));
    // The C names as C spells them, as bindgen keeps them: no case lint applies.
    let tokens = quote! {
        #![doc = #marker_doc]
        #![doc = ""]
        #![doc = #header_doc]
        #description
        #![allow(non_upper_case_globals, non_camel_case_types, non_snake_case)]
        #![allow(clippy::unreadable_literal, clippy::identity_op, clippy::unnecessary_cast, clippy::bad_bit_mask, clippy::nonminimal_bool, clippy::needless_return)]
        #(#items)*
    };
    unparse(tokens)
}

/// `copy_from_user_by_name`: revision `rev`'s validator of a struct named at run time, for
/// the compatibility matrix. Writes the kernel's bytes into `dst` (no allocation).
fn dispatcher(model: &Model) -> TokenStream {
    let mut arms = Vec::new();
    for view in model.revs() {
        let r = view.id().0;
        let m = ident(&model.history.revisions[r].id);
        for (sid, _) in view.validators() {
            let st = view.get(sid);
            let name = &st.name;
            let ty = type_ident(name);
            let r_lit = proc_macro2::Literal::usize_unsuffixed(r);
            let call = if st.convention == Some(Convention::UserData) {
                quote!(#m::#ty::copy_from_user(mem, user_data.0, src, user_data.1))
            } else {
                quote!(#m::#ty::copy_from_user(mem, src))
            };
            arms.push(quote!((#name, #r_lit) => ::core::option::Option::Some(#call.map(|v| put(&v, dst))),));
        }
    }
    // Without a validated struct there is nothing to put: an unused helper would warn.
    let put = (!arms.is_empty()).then(|| {
        quote! {
            fn put<T: ::uapigen_uaccess::Plain>(v: &T, dst: &mut [u8]) -> usize {
                let b = ::uapigen_uaccess::bytes_of(v);
                let n = b.len().min(dst.len());
                dst[..n].copy_from_slice(&b[..n]);
                n
            }
        }
    });
    quote! {
        /// Runs revision `rev`'s validator (0 = the oldest revision) of the struct called `name`,
        /// writing the kernel's bytes into `dst` and returning how many; `user_data` is the
        /// (type, length) driver data comes with. `None` when no such struct or revision.
        pub fn copy_from_user_by_name(
            name: &str,
            rev: usize,
            mem: &dyn ::uapigen_uaccess::UserMemory,
            src: u64,
            user_data: (u32, u32),
            dst: &mut [u8],
        ) -> ::core::option::Option<::core::result::Result<usize, ::uapigen_uaccess::Rejected>> {
            #put
            let _ = (&mem, src, user_data, &dst);
            match (name, rev) {
                #(#arms)*
                _ => ::core::option::Option::None,
            }
        }
    }
}

/// Parses the tokens back with syn (a self-check) and prints them with prettyplease.
pub fn unparse(tokens: TokenStream) -> Result<String, Error> {
    if let Some(name) = INVALID.with(|i| i.borrow_mut().take()) {
        return Err(Error::Internal(format!(
            "`{name}` reached the Rust emitter but is not a Rust identifier"
        )));
    }
    let file: syn::File = syn::parse2(tokens)
        .map_err(|e| Error::Internal(format!("emitted Rust does not parse: {e}")))?;
    Ok(prettyplease::unparse(&file))
}

fn const_types(family: &Family) -> HashMap<String, &'static str> {
    let mut types = HashMap::new();
    // A flag set or value set takes the type of the widest field that uses it.
    let mut group_type: HashMap<usize, Scalar> = HashMap::new();
    fn visit(fields: &[Field], group_type: &mut HashMap<usize, Scalar>) {
        for f in fields {
            if let (FieldType::Scalar(s), None) = (&f.ty, f.len) {
                for g in [f.flags, f.values].into_iter().flatten() {
                    let e = group_type.entry(g).or_insert(*s);
                    if s.size() > e.size() {
                        *e = *s;
                    }
                }
            }
            if let FieldType::Union(ms) = &f.ty {
                visit(ms, group_type);
            }
        }
    }
    for st in &family.structs {
        visit(&st.fields, &mut group_type);
    }
    for (gi, g) in family.groups.iter().enumerate() {
        let ty = match (group_type.get(&gi), &g.style) {
            (Some(s), _) => s.rust_name(),
            (None, _) if g.values.iter().any(|c| c.value > u32::MAX as u64) => "u64",
            (None, _) => "u32",
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
            Expr::Or(names) => names
                .iter()
                .filter_map(|n| types.get(n).copied())
                .max_by_key(|t| width(t))
                .unwrap_or("u32"),
            Expr::Alias(n) => types.get(n).copied().unwrap_or("u32"),
            _ if c.value > u32::MAX as u64 => "u64",
            _ => "u32",
        };
        types.insert(c.name.clone(), ty);
    }
    types
}

fn const_value(ctx: &Ctx, c: &Constant, ty: &str) -> TokenStream {
    match &c.expr {
        Expr::Literal(text) => {
            // The schema's spelling (`0x80`) when it is a Rust literal, else the value.
            match syn::parse_str::<syn::LitInt>(text) {
                Ok(lit) => quote!(#lit),
                Err(_) => {
                    let v = proc_macro2::Literal::u64_unsuffixed(c.value);
                    quote!(#v)
                }
            }
        }
        Expr::Bit(n) => {
            let n = proc_macro2::Literal::u32_unsuffixed(*n);
            quote!(1 << #n)
        }
        Expr::Or(names) => {
            let parts = names.iter().map(|n| cast(ctx, n, ty));
            quote!(#(#parts)|*)
        }
        Expr::Alias(n) => cast(ctx, n, ty),
        Expr::Char(ch) => {
            let b = proc_macro2::Literal::byte_character(*ch as u8);
            let t = ident(ty);
            quote!(#b as #t)
        }
        Expr::Io { ty: io_ty, nr } => {
            let a = cast(ctx, io_ty, ty);
            let b = cast(ctx, nr, ty);
            quote!((#a << 8) | #b)
        }
        Expr::Implicit => {
            let v = proc_macro2::Literal::u64_unsuffixed(c.value);
            quote!(#v)
        }
    }
}

/// A reference to another constant, cast when its type differs.
fn cast(ctx: &Ctx, name: &str, ty: &str) -> TokenStream {
    let id = ident(name);
    match ctx.const_types.get(name) {
        Some(t) if *t == ty => quote!(#id),
        _ => {
            let t = ident(ty);
            quote!((#id as #t))
        }
    }
}

fn constant_item(ctx: &Ctx, c: &Constant) -> TokenStream {
    let ty_name = ctx.const_types.get(&c.name).copied().unwrap_or("u32");
    let ty = ident(ty_name);
    let name = ident(&c.name);
    let value = const_value(ctx, c, ty_name);
    let doc = doc_attrs(Some(&constant_doc(c)));
    quote! { #doc pub const #name: #ty = #value; }
}

/// The schema's doc, or else the constant as the C header defines it, so every item has a doc.
fn constant_doc(c: &Constant) -> String {
    if let Some(d) = &c.doc {
        return d.clone();
    }
    match crate::emit::c_header::define_value(&c.expr) {
        v if v.is_empty() => format!("`{}` = {}.", c.name, c.value),
        v => format!("`{}` = `{v}`.", c.name),
    }
}

fn collect_item(ctx: &Ctx, item: ItemRef, out: &mut Vec<TokenStream>) {
    match item {
        ItemRef::Define(i) => out.push(constant_item(ctx, &ctx.family.defines[i].constant)),
        ItemRef::Group(i) => {
            let g = &ctx.family.groups[i];
            for c in &g.values {
                out.push(constant_item(ctx, c));
            }
            if let Style::Enum { tag: Some(tag) } = &g.style {
                out.push(open_enum(ctx, g, tag));
            }
        }
        ItemRef::Struct(i) => {
            let st = &ctx.family.structs[i];
            // Constants the header defines inside the struct come first in Rust.
            let mut placed = Vec::new();
            visit_before(&st.fields, &mut placed);
            for item in placed {
                collect_item(ctx, item, out);
            }
            structure(ctx, i, out);
        }
    }
}

fn visit_before(fields: &[Field], out: &mut Vec<ItemRef>) {
    for f in fields {
        out.extend(f.before.iter().copied());
        if let FieldType::Union(ms) = &f.ty {
            visit_before(ms, out);
        }
    }
}

/// An open enum: a newtype so values the kernel does not know are representable (and can be
/// rejected by a validator), with the known values as associated constants.
fn open_enum(ctx: &Ctx, g: &ConstGroup, tag: &str) -> TokenStream {
    let name = type_ident(tag);
    let ty_name = ctx
        .const_types
        .get(&g.values[0].name)
        .copied()
        .unwrap_or("u32");
    let ty = ident(ty_name);
    let doc = doc_attrs(Some(&format!(
        "`enum {tag}`{}",
        g.summary
            .as_deref()
            .map_or(String::new(), |s| format!(": {s}"))
    )));
    let consts = g.values.iter().map(|c| {
        let n = ident(&c.name);
        let d = doc_attrs(Some(&constant_doc(c)));
        quote!(#d pub const #n: Self = Self(#n);)
    });
    quote! {
        #doc
        #[repr(transparent)]
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(::zerocopy::FromBytes, ::zerocopy::IntoBytes, ::zerocopy::KnownLayout, ::zerocopy::Immutable)]
        pub struct #name(pub #ty);
        impl #name { #(#consts)* }
    }
}

fn has_union(ctx: &Ctx, fields: &[Field]) -> bool {
    fields.iter().any(|f| match &f.ty {
        FieldType::Union(_) => true,
        FieldType::Struct(i) => has_union(ctx, &ctx.family.structs[*i].fields),
        FieldType::Scalar(_) => false,
    })
}

fn has_big_array(ctx: &Ctx, fields: &[Field]) -> bool {
    fields.iter().any(|f| {
        f.len.is_some_and(|n| n > 32)
            || match &f.ty {
                FieldType::Struct(i) => has_big_array(ctx, &ctx.family.structs[*i].fields),
                FieldType::Union(ms) => has_big_array(ctx, ms),
                FieldType::Scalar(_) => false,
            }
    })
}

fn direct_aligned_u64(fields: &[Field]) -> bool {
    fields.iter().any(|f| match &f.ty {
        FieldType::Scalar(Scalar::AlignedU64) => true,
        FieldType::Union(ms) => direct_aligned_u64(ms),
        _ => false,
    })
}

fn structure(ctx: &Ctx, si: usize, out: &mut Vec<TokenStream>) {
    let st = &ctx.family.structs[si];
    let type_name = camel(&st.name);
    let mut doc = format!("`struct {}`", st.name);
    if let Some(s) = &st.summary {
        doc.push_str(&format!(": {s}"));
    }
    if let Some(d) = &st.doc {
        doc.push_str(&format!("\n\n{d}"));
    }
    aggregate(
        ctx,
        &type_name,
        Some(&doc),
        &st.fields,
        false,
        // zerocopy derives `IntoBytes` on unions only behind a cfg.
        ctx.view.into_bytes(StructId(si)),
        out,
    );

    // Layout assertions, one block per struct.
    let ty = ident(&type_name);
    let per = |f: &dyn Fn(&crate::layout::StructLayout) -> u64| -> TokenStream {
        let values: Vec<(&'static str, u64)> = ctx
            .layouts
            .iter()
            .map(|l| (l.target.rust_arch, f(&l.structs[si])))
            .collect();
        per_target(&values)
    };
    let size = per(&|l| l.size);
    let align = per(&|l| l.align);
    let c_name = &st.name;
    let mut asserts = vec![
        layout_assert(
            quote!(::core::mem::size_of::<#ty>()),
            size,
            format!("struct {c_name}: wrong size"),
        ),
        layout_assert(
            quote!(::core::mem::align_of::<#ty>()),
            align,
            format!("struct {c_name}: wrong alignment"),
        ),
    ];
    let base = &ctx.layouts[0].structs[si];
    for (mi, m) in base.members.iter().enumerate() {
        // Union members are asserted on the union type; anonymous unions by their Rust name.
        if m.depth != 0 {
            continue;
        }
        let f = &st.fields[m.index[0]];
        let fname = ident(&f.rust_name);
        let off = per(&|l| l.members[mi].offset);
        asserts.push(layout_assert(
            quote!(::core::mem::offset_of!(#ty, #fname)),
            off,
            format!("struct {c_name}: `{}` at the wrong offset", m.path),
        ));
    }
    let union_asserts = union_layout_asserts(ctx, si, &type_name, &st.fields, 0);
    out.push(quote! {
        const _: () = {
            #(#asserts)*
            #(#union_asserts)*
        };
    });
    out.push(crate::emit::rust_validate::emit(ctx.view, StructId(si)));
}

/// `if actual != expected { panic!(..) }` in a const block: a compile error naming what moved.
/// (Not `assert!`: prettyplease cannot format the tokens inside a macro call.)
fn layout_assert(actual: TokenStream, expected: TokenStream, message: String) -> TokenStream {
    quote! {
        if #actual != #expected {
            panic!(#message);
        }
    }
}

/// Size of each union type and offset 0 of each member, checked at compile time.
fn union_layout_asserts(
    ctx: &Ctx,
    si: usize,
    owner: &str,
    fields: &[Field],
    depth: usize,
) -> Vec<TokenStream> {
    let mut out = Vec::new();
    for f in fields {
        let FieldType::Union(ms) = &f.ty else {
            continue;
        };
        let uname = ident(&format!("{}{}", owner, camel(&f.rust_name)));
        let Some(mi) = ctx.layouts[0].structs[si].members.iter().position(|m| {
            m.is_union
                && m.depth == depth
                && std::ptr::eq(
                    crate::layout::field_at(&ctx.family.structs[si], &m.index).unwrap(),
                    f,
                )
        }) else {
            continue;
        };
        let values: Vec<(&'static str, u64)> = ctx
            .layouts
            .iter()
            .map(|l| {
                (
                    l.target.rust_arch,
                    l.structs[si].members[mi].size / f.len.unwrap_or(1),
                )
            })
            .collect();
        let size = per_target(&values);
        out.push(layout_assert(
            quote!(::core::mem::size_of::<#uname>()),
            size,
            format!("union {uname}: wrong size"),
        ));
        for m in ms {
            let mname = ident(&m.rust_name);
            out.push(layout_assert(
                quote!(::core::mem::offset_of!(#uname, #mname)),
                quote!(0),
                format!("union {uname}: `{}` not at offset 0", m.rust_name),
            ));
        }
        out.extend(union_layout_asserts(
            ctx,
            si,
            &uname.to_string(),
            ms,
            depth + 1,
        ));
    }
    out
}

/// A struct or union type, its union member types first.
#[allow(clippy::too_many_arguments)]
fn aggregate(
    ctx: &Ctx,
    type_name: &str,
    doc: Option<&str>,
    fields: &[Field],
    is_union: bool,
    into_bytes: bool,
    out: &mut Vec<TokenStream>,
) {
    let mut members = Vec::new();
    for f in fields {
        let mut ty = match &f.ty {
            FieldType::Scalar(s) => {
                let t = ident(s.rust_name());
                quote!(#t)
            }
            FieldType::Struct(i) => {
                let t = type_ident(&ctx.family.structs[*i].name);
                quote!(#t)
            }
            FieldType::Union(ms) => {
                let uname = format!("{}{}", type_name, camel(&f.rust_name));
                let udoc = match &f.name {
                    Some(n) => format!("The union `{n}` of [`{type_name}`]."),
                    None => format!("The anonymous union of [`{type_name}`]."),
                };
                aggregate(ctx, &uname, Some(&udoc), ms, true, false, out);
                let t = ident(&uname);
                quote!(#t)
            }
        };
        if let Some(n) = f.len {
            let n = proc_macro2::Literal::u64_unsuffixed(n);
            ty = quote!([#ty; #n]);
        }
        let name = ident(&f.rust_name);
        let fallback = match (&f.ty, &f.name) {
            (FieldType::Union(_), Some(n)) => format!("The union `{n}`."),
            (FieldType::Union(_), None) => "The anonymous union.".to_string(),
            (_, _) => format!("`{}`.", f.display_name()),
        };
        let fdoc = doc_attrs(Some(f.doc.as_deref().unwrap_or(&fallback)));
        members.push(quote!(#fdoc pub #name: #ty));
    }
    let name = ident(type_name);
    let doc = doc_attrs(doc);
    let repr = if direct_aligned_u64(fields) {
        // __aligned_u64 is 8-aligned on every ABI; Rust's u64 is not on i686.
        quote!(#[repr(C, align(8))])
    } else {
        quote!(#[repr(C)])
    };
    let plain = !is_union && !has_union(ctx, fields);
    let derive_default = plain && !has_big_array(ctx, fields);
    let derives = match (plain, derive_default) {
        (true, true) => quote!(#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]),
        (true, false) => quote!(#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]),
        _ => quote!(#[derive(Clone, Copy)]),
    };
    // zerocopy's derives, so a VMM reads and writes these types as bytes with no hand edits
    // (rust-vmm's kvm-bindings re-adds them after every regeneration).
    let zerocopy = if into_bytes {
        quote!(#[derive(::zerocopy::FromBytes, ::zerocopy::IntoBytes, ::zerocopy::KnownLayout, ::zerocopy::Immutable)])
    } else {
        quote!(#[derive(::zerocopy::FromBytes, ::zerocopy::KnownLayout, ::zerocopy::Immutable)])
    };
    let keyword = if is_union {
        quote!(union)
    } else {
        quote!(struct)
    };
    out.push(quote! {
        #doc
        #repr
        #derives
        #zerocopy
        pub #keyword #name { #(#members,)* }
    });
    if !derive_default {
        // Unions and arrays over 32 elements cannot derive Default. Every uAPI type is plain
        // integers all the way down, so all-zero bytes are a valid value.
        out.push(quote! {
            impl ::core::default::Default for #name {
                fn default() -> Self {
                    unsafe { ::core::mem::zeroed() }
                }
            }
        });
    }
}

/// `src/lib.rs` of the generated crate.
pub fn emit_lib(families: &[Family]) -> Result<String, Error> {
    INVALID.with(|i| i.borrow_mut().take());
    let mods = families.iter().map(|f| {
        let m = ident(&f.name);
        let doc = format!(
            " `include/uapi/{}`, from `{}`.",
            f.header,
            crate::emit::schema_file_text(f)
        );
        // rustfmt would reformat prettyplease's output, making `generated/` stale.
        quote!(#[doc = #doc] #[rustfmt::skip] pub mod #m;)
    });
    let targets = TARGETS
        .iter()
        .map(|t| t.triple)
        .collect::<Vec<_>>()
        .join(", ");
    let doc = format!(
        " Layouts are asserted at compile time for: {targets}. Every type is `#[repr(C)]` with explicit padding."
    );
    unparse(quote! {
        #![doc = " Generated by uapigen from schema/*.toml; do not edit."]
        #![doc = ""]
        #![doc = " Rust bindings of the kernel uAPI families that uapigen describes."]
        #![doc = #doc]
        #![no_std]
        #![warn(missing_docs)]
        #![allow(clippy::missing_safety_doc)]
        #(#mods)*
    })
}
