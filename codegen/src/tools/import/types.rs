//! The C types the schema writes, from libclang's: fixed-width scalars, C's builtins, pointers
//! and pointers to functions.

use super::*;

/// What the schema writes for a C integer type that is not one of the kernel's, if any.
pub(super) fn fixed_width(kind: TypeKind) -> Option<&'static str> {
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
pub(super) fn c_builtin(kind: TypeKind) -> Option<&'static str> {
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
pub(super) fn pointer_type(ty: Type) -> Result<String, String> {
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
pub(super) fn one_pointer_type(ty: Type) -> Result<String, String> {
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
pub(super) fn fn_pointer_type(f: Type) -> Result<String, String> {
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

pub(super) const TYPES: &str =
    "the schema writes only the kernel's types (__u8 … __u64, __s8 … __s64, \
                     __aligned_u64, __le16 … __be64, __aligned_le64, __aligned_be64, the \
                     __kernel_* types alike on every ABI), C's integers (char, short, int, \
                     long, long long, signed or unsigned), float, double and `struct NAME`";
