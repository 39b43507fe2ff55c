//! Reading libclang's cursors: a member's type, attributes and doc comment as a `Field`, an
//! enum's values.

use super::*;

/// The comment text without its `/* */` or `/** */` markers and leading ` * `.
pub(super) fn clean_comment(raw: &str) -> Option<String> {
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

pub(super) fn doc_of(c: Cursor<'_>) -> Option<String> {
    clean_comment(&c.raw_comment())
}

/// The attributes written on a declaration, as libclang names their kind (`attribute(packed)`).
pub(super) fn attributes_of(c: Cursor<'_>) -> Vec<String> {
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
pub(super) fn typedef_aligned(c: Cursor<'_>) -> Option<String> {
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
pub(super) fn is_bitwise(c: Cursor<'_>) -> bool {
    c.tokens()
        .iter()
        .any(|t| t == "__bitwise" || t == "__bitwise__")
}

/// The struct or union without a tag that typedef `c` names (`typedef struct { ... } NAME;`),
/// where it is defined.
pub(super) fn untagged_record(c: Cursor<'_>) -> Option<Cursor<'_>> {
    let record = c.typedef_underlying().canonical();
    let decl = record.declaration();
    (record.kind() == TypeKind::Record && untagged(&decl.spelling()) && decl.is_definition())
        .then_some(decl)
}

/// The enum without a tag that typedef `c` names (`typedef enum { ... } NAME;`), where it is
/// defined.
pub(super) fn untagged_enum(c: Cursor<'_>) -> Option<Cursor<'_>> {
    let e = c.typedef_underlying().canonical();
    let decl = e.declaration();
    (e.kind() == TypeKind::Enum && untagged(&decl.spelling()) && decl.is_definition())
        .then_some(decl)
}

/// What a typedef names, as the schema's `[[typedef]]` writes it (`__u32`, `unsigned short`,
/// `struct NAME`), or None when the schema cannot (an array, a pointer, an untagged struct,
/// another typedef, a qualifier or an attribute).
pub(super) fn typedef_target(decl: Cursor<'_>) -> Option<String> {
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
pub(super) fn aligned_value(a: Cursor<'_>) -> Result<String, String> {
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

/// A member's `aligned(n)` as the schema writes it: `aligned_value`'s, or an alignment per
/// target, `aligned(__alignof__(struct X))` (linux/netfilter_bridge/ebtables.h's `data[]`),
/// as that text.
fn member_aligned_value(a: Cursor<'_>) -> Result<String, String> {
    let tokens = a.tokens();
    match tokens
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [_, "(", "__alignof__", "(", kw @ ("struct" | "union"), name, ")", ")"] => {
            Ok(toml_str(&format!("__alignof__({kw} {name})")))
        }
        _ => aligned_value(a),
    }
}

/// Every member of `fields` and, through inline unions and structs, of theirs.
pub(super) fn all_fields(fields: &[Field]) -> impl Iterator<Item = &Field> {
    let mut stack: Vec<&Field> = fields.iter().collect();
    std::iter::from_fn(move || {
        let f = stack.pop()?;
        if let Some((_, ms)) = &f.inline {
            stack.extend(ms.iter());
        }
        Some(f)
    })
}

/// Walks the members of one struct or union: the fields, and what cannot be written.
pub(super) struct Walk<'a, 'tu> {
    pub(super) fields: Vec<Field>,
    pub(super) problems: &'a mut Vec<Problem>,
    /// The path of the record walked (`req`, `req.u`).
    pub(super) owner: String,
    /// Where the record is, for members whose place is not in the header itself.
    pub(super) at: u32,
    pub(super) main_file: Option<File<'tu>>,
    /// The header's text.
    pub(super) source: &'a str,
}

/// Whether a struct or union ends in a flexible array member (`x[]` or `x[0]`), as resolve's
/// `flexible_tail` finds one: any member that is one, or the last member, a struct that does
/// or an untagged union one of whose members does.
pub(super) fn ends_flexible(record: Type<'_>) -> bool {
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
pub(super) fn flexible_member(m: &Cursor<'_>) -> bool {
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
pub(super) fn field_of(c: Cursor<'_>, w: &mut Walk<'_, '_>) -> Field {
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
            ("attribute(aligned)", false) => match member_aligned_value(a) {
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
        byte_order_merged: false,
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
        field.member_enum = Some(MemberEnum {
            name: name.clone(),
            tagged: false,
            values: member_enum_values(w, decl, field.offset),
        });
        format!("enum {name}")
    } else if canon.kind() == TypeKind::Enum
        && spelled.starts_with("enum ")
        && !untagged(&spelled["enum ".len()..])
        && decl.is_defined_in(&c)
    {
        // `enum what { ... } what;` (6.1's linux/cn_proc.h): C gives the tag file scope, but
        // the header declares it here, which `member = true` with `tagged = true` writes.
        field.member_enum = Some(MemberEnum {
            name: decl.spelling(),
            tagged: true,
            values: member_enum_values(w, decl, field.offset),
        });
        spelled.clone()
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
pub(super) fn is_unsigned(k: TypeKind) -> bool {
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
pub(super) struct Enumerators {
    pub(super) values: Vec<(String, i64, u32)>,
    /// The values the schema writes other than by their number, by name, as its key: `expr =
    /// "..."` for one past 2^63 - 1 (held wrapped in `values`) as the header writes it
    /// (perf_event.h's `(__u64)-32`), empty for such a one C counts on to; `ioctl = { ... }`
    /// for an ioctl number (binder.h's `BR_ERROR = _IOR('r', 0, __s32)`), each target's own.
    pub(super) forms: Vec<(String, String)>,
    pub(super) unsigned: bool,
    pub(super) problems: Vec<Problem>,
}

impl Enumerators {
    /// The values of enum `decl`.
    pub(super) fn of(decl: Cursor<'_>) -> Enumerators {
        let mut e = Enumerators {
            values: Vec::new(),
            forms: Vec::new(),
            unsigned: is_unsigned(decl.enum_integer_type().kind()),
            problems: Vec::new(),
        };
        decl.visit_children(|k| e.collect(k));
        e
    }

    pub(super) fn collect(&mut self, c: Cursor<'_>) {
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

/// The values of an enum declared as a member's type, which import writes as numbers: one
/// past 2^63 - 1 is a problem.
fn member_enum_values(w: &mut Walk<'_, '_>, decl: Cursor<'_>, at: u32) -> Vec<(String, i64, u32)> {
    let e = Enumerators::of(decl);
    w.problems.extend(e.problems);
    if let Some((n, _)) = e.forms.first() {
        w.problems.push(Problem {
            offset: e.values.iter().find(|v| v.0 == *n).map_or(at, |v| v.2),
            len: n.len(),
            message: format!(
                "enum value `{n}` is past 2^63 - 1 in an enum declared as a member's type, whose \
                 values import writes as numbers"
            ),
        });
    }
    e.values
}
