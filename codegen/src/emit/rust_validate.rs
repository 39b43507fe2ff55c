//! Rust validators: for each struct with a size convention, `copy_from_user` (the kernel's copy
//! sequence over a `UserMemory`) and `check` (the schema's rules in order). The copy primitives
//! live once in the `uapigen-uaccess` crate; only what differs per struct is generated.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::rust::{ident, type_ident};
use crate::ir::*;
use crate::model::{RevView, StructId};

fn errno(e: Errno) -> TokenStream {
    let e = ident(e.name());
    quote!(::uapigen_uaccess::Errno::#e)
}

/// `base.a.b.c` as u64, in `unsafe` when it reads a union member.
fn access(base: &TokenStream, path: &FieldPath) -> TokenStream {
    let segs = path.segments.iter().map(|s| ident(&s.rust_name));
    let read = quote!(#base #(.#segs)*);
    if path.through_union() {
        // Union members here are plain integers: every bit pattern is valid.
        quote!(unsafe { #read })
    } else {
        read
    }
}

fn value(v: &ValueRef) -> TokenStream {
    match v.name.as_deref() {
        Some("U64_MAX") => quote!(u64::MAX),
        Some("U32_MAX") => quote!((u32::MAX as u64)),
        Some("U16_MAX") => quote!((u16::MAX as u64)),
        Some("U8_MAX") => quote!((u8::MAX as u64)),
        Some(name) => {
            let id = ident(name);
            quote!((#id as u64))
        }
        None => {
            let lit = proc_macro2::Literal::u64_suffixed(v.value);
            quote!(#lit)
        }
    }
}

fn cond(family: &Family, base: &TokenStream, c: &Cond) -> TokenStream {
    let read = access(base, &c.field);
    if c.field.len.is_some() {
        return match c.pred {
            Pred::Zero => quote!(#read.iter().all(|b| *b == 0)),
            _ => quote!(#read.iter().any(|b| *b != 0)),
        };
    }
    let v = quote!((#read as u64));
    match &c.pred {
        Pred::Equals(x) => {
            let x = value(x);
            quote!(#v == #x)
        }
        Pred::NotEquals(x) => {
            let x = value(x);
            quote!(#v != #x)
        }
        Pred::Below(x) => {
            let x = value(x);
            quote!(#v < #x)
        }
        Pred::Lacks(x) => {
            let x = value(x);
            quote!(#v & #x == 0)
        }
        Pred::Has(x) => {
            let x = value(x);
            quote!(#v & #x == #x)
        }
        Pred::AtLeast(x) => {
            let x = value(x);
            quote!(#v >= #x)
        }
        Pred::KnownFlags(g) => {
            let names = family.groups[*g].values.iter().map(|c| ident(&c.name));
            quote!(#v & !(0u64 #(| (#names as u64))*) == 0)
        }
        Pred::Zero => quote!(#v == 0),
        Pred::NonZero => quote!(#v != 0),
        Pred::Aligned(n) => {
            let m = proc_macro2::Literal::u64_suffixed(n - 1);
            quote!(#v & #m == 0)
        }
    }
}

fn all(family: &Family, base: &TokenStream, conds: &[Cond]) -> TokenStream {
    match conds {
        [] => quote!(true),
        [one] => cond(family, base, one),
        _ => {
            let parts = conds.iter().map(|c| cond(family, base, c));
            quote!(#((#parts))&&*)
        }
    }
}

/// `unsafe impl Plain` and the validator `impl` block of struct `s` in revision `view`.
pub fn emit(view: RevView, s: StructId) -> TokenStream {
    let family = view.family();
    let st = view.get(s);
    let ty = type_ident(&st.name);
    // Hole-free on every target (the check stage) and integers all the way down; an
    // acknowledged ABI trap with a hole is not, so it gets no byte view.
    let plain = if view.hole_free(s) {
        quote!(unsafe impl ::uapigen_uaccess::Plain for #ty {})
    } else {
        quote!()
    };
    let (Some(conv), Some(v), Some(plan)) = (st.convention, &st.validation, view.validator(s))
    else {
        return plain;
    };
    let min = plan.min_size as usize;
    let size = plan.size as usize;
    let min_doc = format!(" The kernel's minimum size: {} = {min}.", v.min_size.text());
    let self_ = quote!(self);
    let dst = quote!(dst);

    let rules = v.rules.iter().map(|r| {
        let when = all(family, &self_, &r.when);
        let require = all(family, &self_, &r.require);
        let e = errno(r.errno);
        let text = &r.text;
        if r.when.is_empty() {
            quote!(if !(#require) { return ::core::result::Result::Err(::uapigen_uaccess::Rejected::new(#e, #text)); })
        } else {
            quote!(if (#when) && !(#require) { return ::core::result::Result::Err(::uapigen_uaccess::Rejected::new(#e, #text)); })
        }
    });
    let check_doc = format!(
        " The content checks of `struct {}`, in the kernel's order; the first that fails decides.",
        st.name
    );

    // `copy_from_user(mem, <args>)`: `copy_from_user_into` into a new value.
    let (params, args) = match conv {
        Convention::UserData => (
            quote!(data_type: u32, uptr: u64, len: u32),
            quote!(data_type, uptr, len),
        ),
        _ => (quote!(src: u64), quote!(src)),
    };
    let by_value = quote! {
        /// [`Self::copy_from_user_into`] into a new value.
        pub fn copy_from_user<M: ::uapigen_uaccess::UserMemory + ?::core::marker::Sized>(mem: &M, #params) -> ::core::result::Result<Self, ::uapigen_uaccess::Rejected> {
            let mut dst = <Self as ::core::default::Default>::default();
            dst.copy_from_user_into(mem, #args)?;
            ::core::result::Result::Ok(dst)
        }
    };
    let copy = match conv {
        Convention::Argsz => {
            let min_text = format!("argsz >= minsz ({} = {min})", v.min_size.text());
            // The field may have a `rust_name`: read it by the name the Rust struct gives it.
            let argsz_field = st
                .fields
                .iter()
                .find(|f| f.name.as_deref() == Some(conv.size_field()))
                .map_or_else(|| conv.size_field().to_string(), |f| f.rust_name.clone());
            let argsz_field = ident(&argsz_field);
            let size_rules = v.min_size_when.iter().zip(&plan.size_steps).map(|(w, step)| {
                let when = all(family, &dst, &w.when);
                let need = step.need as usize;
                let text = &step.text;
                quote!(if (#when) && (argsz as usize) < #need {
                    return ::core::result::Result::Err(::uapigen_uaccess::Rejected::new(::uapigen_uaccess::Errno::EINVAL, #text));
                })
            });
            let doc = format!(
                " Copies `struct {}` from user address `src` as the v5.10 kernel does: `minsz` bytes, \
                 the argsz checks, then `min(argsz, {size}) - minsz` more (bytes beyond the kernel's size are \
                 not read), then [`Self::check`].",
                st.name
            );
            quote! {
                #[doc = #doc]
                pub fn copy_from_user_into<M: ::uapigen_uaccess::UserMemory + ?::core::marker::Sized>(&mut self, mem: &M, src: u64) -> ::core::result::Result<(), ::uapigen_uaccess::Rejected> {
                    let dst = self;
                    ::uapigen_uaccess::ArgszCopy::head(mem, dst, src, Self::MIN_SIZE)?;
                    let argsz = dst.#argsz_field;
                    if (argsz as usize) < Self::MIN_SIZE {
                        return ::core::result::Result::Err(::uapigen_uaccess::Rejected::new(::uapigen_uaccess::Errno::EINVAL, #min_text));
                    }
                    #(#size_rules)*
                    ::uapigen_uaccess::ArgszCopy::tail(mem, dst, src, Self::MIN_SIZE, argsz)?;
                    dst.check()
                }
                #by_value
            }
        }
        Convention::Size => {
            let doc = format!(
                " Copies `struct {}` from user address `src` as iommufd's ioctl path does: read the \
                 size, refuse it below `MIN_SIZE`, `copy_struct_from_user` (shorter: zero-filled; longer: \
                 the tail must be zero, else -E2BIG), then [`Self::check`].",
                st.name
            );
            quote! {
                #[doc = #doc]
                pub fn copy_from_user_into<M: ::uapigen_uaccess::UserMemory + ?::core::marker::Sized>(&mut self, mem: &M, src: u64) -> ::core::result::Result<(), ::uapigen_uaccess::Rejected> {
                    ::uapigen_uaccess::size_copy(mem, self, src, Self::MIN_SIZE)?;
                    self.check()
                }
                #by_value
            }
        }
        Convention::UserData => {
            let (dt_name, _) = v.data_type.clone().unwrap_or_default();
            let dt = ident(&dt_name);
            let doc = format!(
                " Copies driver data `struct {}` of type `data_type` and length `len` from `uptr`, as \
                 `iommu_copy_struct_from_user` does: the type must be `{dt_name}`, the length within \
                 `[MIN_SIZE, {size}]` (else -EINVAL), then `copy_struct_from_user` and [`Self::check`].",
                st.name
            );
            quote! {
                /// The data type this struct is copied as.
                pub const DATA_TYPE: u32 = #dt as u32;
                #[doc = #doc]
                pub fn copy_from_user_into<M: ::uapigen_uaccess::UserMemory + ?::core::marker::Sized>(&mut self, mem: &M, data_type: u32, uptr: u64, len: u32) -> ::core::result::Result<(), ::uapigen_uaccess::Rejected> {
                    ::uapigen_uaccess::user_data_copy(mem, self, Self::DATA_TYPE, data_type, uptr, len as usize, Self::MIN_SIZE)?;
                    self.check()
                }
                #by_value
            }
        }
    };

    quote! {
        #plain
        impl #ty {
            #[doc = #min_doc]
            pub const MIN_SIZE: usize = #min;
            /// `sizeof`: the most the kernel reads as this struct.
            pub const SIZE: usize = #size;
            #copy
            #[doc = #check_doc]
            #[inline]
            pub fn check(&self) -> ::core::result::Result<(), ::uapigen_uaccess::Rejected> {
                #(#rules)*
                ::core::result::Result::Ok(())
            }
        }
    }
}
