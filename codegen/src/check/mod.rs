//! Check stage: the rules a uAPI schema must follow, on the IR and its layouts for every target.
//! - no implicit padding (it differs across ABIs and leaks kernel stack bytes);
//! - one layout on every ABI (or the struct would need a compat ioctl);
//! - the size convention's field comes first and is a `__u32`;
//! - flag bits are distinct and fit every field that uses the set; enum values are distinct and
//!   fit their fields.
//!
//! `abi` is the other half of checking: how revisions extend each other and what a lock file
//! published, on the model.

pub mod abi;

use crate::diag::{Diagnostic, Diagnostics, Error};
use crate::ir::*;
use crate::layout::{field_at, FamilyLayout};
use crate::names::FxMap;

/// The check stage: every layout error of the family on every target (holes, ABI differences), located.
pub fn check(family: &Family, layouts: &[FamilyLayout]) -> Result<(), Error> {
    let mut diags = Diagnostics::default();
    let src = &family.source;
    let at = |span: &Span, msg: String| Diagnostic::at(src, span.clone(), msg);

    let all_layouts = layouts;
    for (si, st) in family.structs_by_id() {
        // A struct of some targets (`when`) is judged where it exists; its bitfields on every
        // target, since the rust-vmm profile reads them as x86-64 lays them out (where it is
        // laid out all the same).
        let present: Vec<FamilyLayout>;
        let layouts = match &st.when {
            Some(_) => {
                present = all_layouts
                    .iter()
                    .filter(|l| st.on(l.target))
                    .cloned()
                    .collect();
                &present[..]
            }
            None => all_layouts,
        };
        // Too large: the layout stopped at the member that crosses the maximum, so nothing
        // else about the struct can be judged. Reported once, at the first target.
        let big: Vec<_> = layouts
            .iter()
            .filter_map(|l| Some((l.target.triple, l.struct_(si).too_large.as_ref()?)))
            .collect();
        if let Some((_, t)) = big.first() {
            let span = field_at(st, &t.at_index).map_or(st.name_span.clone(), |f| f.span.clone());
            let on: Vec<&str> = big.iter().map(|(triple, _)| *triple).collect();
            let why = match (t.embeds, field_at(st, &t.at_index)) {
                (Some(j), Some(f)) => format!(
                    "`{}` is a struct `{}`, itself too large",
                    f.display_name(),
                    family.struct_(j).name
                ),
                _ => t.why.clone(),
            };
            diags.push(
                at(
                    &span,
                    format!(
                        "struct `{}` is larger than the maximum struct size ({} bytes, 1 MiB): {}",
                        st.name,
                        crate::layout::MAX_STRUCT_SIZE,
                        why
                    ),
                )
                .note(format!("on {}", on.join(", ")))
                .note("the largest real uAPI structs are a page (struct kvm_xsave: 4096 bytes)"),
            );
            continue;
        }
        // Holes: report each once, at the first target that has it, naming the others. A
        // revision whose layout the schema acknowledges as a shipped ABI trap is exempt.
        let trap = st.trap_at(family);
        if trap {
            // An acknowledged trap must be one: holes, or a layout that differs between ABIs,
            // its alignment included (a plain `__u64` makes a struct 4-aligned on i686, which
            // moves whatever follows it in a struct that embeds it).
            let base = layouts[0].struct_(si);
            let real = layouts.iter().any(|l| {
                let o = l.struct_(si);
                !o.holes.is_empty()
                    || o.size != base.size
                    || o.align != base.align
                    || o.members
                        .iter()
                        .zip(&base.members)
                        .any(|(a, b)| a.offset != b.offset || a.size != b.size || a.bits != b.bits)
            });
            if !real {
                let rev = family
                    .revision
                    .map_or(String::new(), |r| family.rev(r).id.clone());
                diags.push(
                    at(&st.name_span, format!("struct `{}`: `abi_trap` lists revision {rev}, but its layout there is one layout on every ABI (size, alignment, members' offsets and sizes) with no hole", st.name))
                        .note("list only the revisions whose shipped layout is the trap"),
                );
            }
        }
        let mut reported: Vec<(u64, u64)> = Vec::new();
        for fl in layouts.iter().filter(|_| !trap) {
            for hole in &fl.struct_(si).holes {
                if reported.contains(&(hole.offset, hole.size)) {
                    continue;
                }
                reported.push((hole.offset, hole.size));
                let span =
                    field_at(st, &hole.at_index).map_or(st.name_span.clone(), |f| f.span.clone());
                let place = match (&hole.after, &hole.before) {
                    (Some(a), Some(b)) => format!("between `{a}` and `{b}`"),
                    (Some(a), None) => format!("after `{a}` (tail padding)"),
                    (None, Some(b)) => format!("before `{b}`"),
                    (None, None) => String::new(),
                };
                let others: Vec<&str> = layouts
                    .iter()
                    .filter(|l| {
                        l.struct_(si)
                            .holes
                            .iter()
                            .any(|h| h.offset == hole.offset && h.size == hole.size)
                    })
                    .map(|l| l.target.triple)
                    .collect();
                let what = match hole.bits {
                    Some((bit, n)) => {
                        format!("{n} bit{} at bit {bit}", if n == 1 { "" } else { "s" })
                    }
                    None => format!(
                        "{} byte{} at offset {}",
                        hole.size,
                        if hole.size == 1 { "" } else { "s" },
                        hole.offset
                    ),
                };
                diags.push(
                    at(
                        &span,
                        format!("implicit padding hole in struct `{}`: {what} {place}", st.name),
                    )
                    .note(format!("on {}", others.join(", ")))
                    .note(abi_difference(layouts, si, &hole.before))
                    .note("uAPI structs must spell out padding: add a `__reserved`/`padding` field, or use __aligned_u64"),
                );
            }
        }
        if !reported.is_empty() {
            continue;
        }
        // One layout on every ABI.
        let layouts_to_compare: &[FamilyLayout] = if trap { &layouts[..1] } else { layouts };
        let base = layouts[0].struct_(si);
        for fl in &layouts_to_compare[1..] {
            let other = fl.struct_(si);
            // A run declared per byte order is in reverse on the other byte order, each
            // member keeping its place in the word the run makes (members that are not
            // bitfields, and bitfields reversed as a whole): its members are where that
            // target's declaration puts them (the sizes around them still compared).
            // So are a run's last bitfield the big-endian declaration merges into another, and
            // that other (`byte_order = "merged"`), which the layout proof holds there.
            let reversible = |f: &Field| {
                f.reversed_member()
                    || f.byte_order_word
                    || f.byte_order_merged
                    || f.big_endian_bits.is_some()
            };
            let reordered = fl.target.big_endian != layouts[0].target.big_endian
                && Field::any(&st.fields, &reversible);
            // Where the lists differ (a merged bitfield is not declared there), by index.
            let moved = base
                .members
                .iter()
                .enumerate()
                .filter_map(|(k, a)| {
                    let at = other.members.get(k);
                    let b = match at {
                        Some(b) if !reordered || a.index == b.index => b,
                        _ if reordered => {
                            other.members.iter().find(|m| m.index == a.index).or(at)?
                        }
                        _ => at?,
                    };
                    Some((a, b))
                })
                .filter(|(a, _)| !(reordered && field_at(st, &a.index).is_some_and(reversible)))
                .find(|(a, b)| a.offset != b.offset || a.size != b.size);
            if let Some((a, b)) = moved {
                let span = field_at(st, &a.index).map_or(st.name_span.clone(), |f| f.span.clone());
                diags.push(
                    at(
                        &span,
                        format!(
                            "struct `{}` has a different layout on {} than on {}: `{}` is at offset {} (size {}) there and at {} (size {}) here",
                            st.name, fl.target.triple, layouts[0].target.triple, a.path, b.offset, b.size, a.offset, a.size
                        ),
                    )
                    .note("a uAPI struct needs one layout on every ABI; use __aligned_u64 or explicit padding"),
                );
                break;
            }
            if base.size != other.size {
                diags.push(
                    at(
                        &st.name_span,
                        format!(
                            "struct `{}` is {} bytes on {} but {} bytes on {}",
                            st.name, base.size, layouts[0].target.triple, other.size, fl.target.triple
                        ),
                    )
                    .note("a uAPI struct needs one size on every ABI; use __aligned_u64 or explicit padding"),
                );
                break;
            }
        }

        // gcc's packing and alignment attributes that no Rust type can follow: reported once,
        // at the first target where the Rust type would differ.
        // A target whose layout rules an earlier one has has its layouts and answer too: not
        // asked again (3 of the 7 targets are asked; this was 17 M of 623 at 1,000 structs).
        // An opaque Rust type is C's bytes, one size and alignment on every target.
        if st.rust_opaque {
            let shape = |fl: &crate::layout::FamilyLayout| {
                let l = fl.struct_(si);
                (l.size, l.align)
            };
            let first = shape(&layouts[0]);
            if let Some(fl) = layouts.iter().find(|fl| shape(fl) != first) {
                let other = shape(fl);
                diags.push(
                    at(
                        &st.name_span,
                        format!(
                            "struct `{}` is {} bytes {}-aligned on {} but {} bytes {}-aligned \
                             on {}: its opaque Rust type has one size and alignment",
                            st.name,
                            first.0,
                            first.1,
                            layouts[0].target.triple,
                            other.0,
                            other.1,
                            fl.target.triple
                        ),
                    )
                    .note("an opaque type is the struct's bytes, `#[repr(C, align(n))]`"),
                );
            }
        }
        if let Some((fl, (index, why))) = layouts
            .iter()
            .enumerate()
            .filter(|_| !st.rust_opaque)
            .filter(|&(i, fl)| {
                !layouts[..i]
                    .iter()
                    .any(|e| std::sync::Arc::ptr_eq(&e.structs, &fl.structs))
            })
            .find_map(|(_, fl)| Some((fl, crate::layout::rust_unfaithful(family, fl, si)?)))
        {
            let span = field_at(st, &index).map_or(st.name_span.clone(), |f| f.span.clone());
            diags.push(
                at(
                    &span,
                    format!("struct `{}` has no Rust type of its layout on {}: {why}", st.name, fl.target.triple),
                )
                .note("Rust's #[repr(C)] has `packed`, `packed(n)` or `align(n)` on a whole type, never both, and no alignment of a member; `rust_opaque = true` makes its Rust type its bytes"),
            );
        }

        if let Some((index, why)) = crate::layout::byte_order_misfit(family, &all_layouts[0], si) {
            let span = field_at(st, &index).map_or(st.name_span.clone(), |f| f.span.clone());
            diags.push(at(&span, format!("struct `{}`: {why}", st.name)));
        } else if let Some((index, triple, why)) = (!st.rust_opaque)
            .then(|| crate::layout::bitfields_differ(family, all_layouts, si))
            .flatten()
        {
            let span = field_at(st, &index).map_or(st.name_span.clone(), |f| f.span.clone());
            diags.push(
                at(
                    &span,
                    format!("struct `{}` has no Rust type of its bitfields on {triple}: {why}", st.name),
                )
                .note("the Rust type holds a run of bitfields as its bytes and reads each bitfield at one place on every target"),
            );
        }

        if let Some(conv) = st.convention.filter(|c| *c != Convention::UserData) {
            // A struct a later kernel copies otherwise keeps its first convention's field.
            let changed = st
                .validation
                .as_ref()
                .is_some_and(|v| !v.changes.is_empty());
            let want = if changed {
                Convention::Argsz.size_field()
            } else {
                conv.size_field()
            };
            match st.fields.first() {
                Some(f) if f.name.as_deref() == Some(want) && matches!(f.ty, FieldType::Scalar(Scalar::U32)) && !f.is_array() && f.bits.is_none() => {}
                Some(f) => diags.push(at(
                    &f.span,
                    format!(
                        "struct `{}` uses the `{want}` convention, so its first field must be `__u32 {want}`",
                        st.name
                    ),
                )),
                None => {}
            }
        }

        visit_fields(&st.fields, &mut |f| check_links(family, st, f, &mut diags));
        // The Rust type's methods: a validated struct's own, and two per named bitfield (a
        // struct without bitfields has no accessor to clash: most, so it is not walked).
        if !layouts[0].struct_(si).bit_runs.is_empty() {
            let own: &[&str] = match (st.convention, &st.validation) {
                (Some(_), Some(_)) => &["check", "copy_from_user", "copy_from_user_into"],
                _ => &[],
            };
            accessor_clashes(src, st, &st.fields, own, &mut diags);
        }

        if let (Some(conv), Some(v)) = (st.convention, &st.validation) {
            // The command hands the driver its data type as a __u32.
            if let Some((name, value)) = v.data_type.as_ref().filter(|d| d.1 > u32::MAX as u64) {
                diags.push(at(
                    &st.name_span,
                    format!(
                        "struct `{}`: data_type `{name}` = {value:#x} does not fit the __u32 data type a command passes",
                        st.name
                    ),
                ));
            }
            let fl = &layouts[0];
            let Some(min) = crate::layout::size_of_ref(family, fl, si, &v.min_size) else {
                diags.push(at(
                    &st.name_span,
                    format!(
                        "struct `{}`: min_size {} names a field a revision of it does not have",
                        st.name,
                        v.min_size.text()
                    ),
                ));
                continue;
            };
            let size_end = if conv == Convention::UserData { 0 } else { 4 };
            if min < size_end {
                diags.push(at(
                    &st.name_span,
                    format!(
                        "struct `{}`: min_size {} ({}) does not cover the `{}` field",
                        st.name,
                        min,
                        v.min_size.text(),
                        conv.size_field()
                    ),
                ));
            }
            // A later kernel's `ksize` lies between min_size and the struct's size.
            for k in v.changes.iter().filter_map(|c| c.ksize.as_ref()) {
                let whole = fl.struct_(si).size;
                match crate::layout::size_of_ref(family, fl, si, k) {
                    Some(n) if n >= min && n <= whole => {}
                    n => diags.push(at(
                        &st.name_span,
                        format!(
                            "struct `{}`: `convention_change`'s ksize {} ({}) is not between \
                             min_size ({min}) and the struct's size ({whole})",
                            st.name,
                            k.text(),
                            n.map_or("names no field".to_string(), |n| n.to_string()),
                        ),
                    )),
                }
            }
            // A discriminant is read from the first copy, so it must lie within min_size.
            for w in &v.min_size_when {
                for c in &w.when {
                    let (off, len) =
                        crate::layout::locate(family, fl, si, &c.field).unwrap_or((0, 0));
                    let end = off.saturating_add(len);
                    if end > min {
                        diags.push(
                            at(
                                &c.span,
                                format!(
                                    "`{}` (bytes {}..{}) is not within min_size ({} bytes), so it is not read when this size is checked",
                                    c.field.text,
                                    off,
                                    end,
                                    min
                                ),
                            )
                            .note("the kernel copies min_size bytes, checks argsz, then copies the rest"),
                        );
                    }
                }
                let Some(need) = crate::layout::size_of_ref(family, fl, si, &w.size) else {
                    diags.push(at(
                        &w.span,
                        format!(
                            "{} names a field a revision of `{}` does not have",
                            w.size.text(),
                            st.name
                        ),
                    ));
                    continue;
                };
                if need < min {
                    diags.push(at(
                        &w.span,
                        format!(
                            "{} ({need}) is below min_size ({min}): the rule can never fail",
                            w.size.text()
                        ),
                    ));
                }
            }
        }
    }

    for g in &family.groups {
        let mut seen: FxMap<u64, &Constant> = FxMap::default();
        for c in &g.values {
            if matches!(c.expr, Expr::Alias(_)) {
                continue;
            }
            if let Some(first) = seen.get(&c.value) {
                let what = match g.kind {
                    GroupKind::Flags => format!(
                        "flag `{}` uses bit value {:#x}, already used by `{}`",
                        c.name, c.value, first.name
                    ),
                    GroupKind::Enum => format!(
                        "`{}` = {} clashes with `{}` in enum `{}`",
                        c.name, c.value, first.name, g.name
                    ),
                };
                diags.push(
                    at(&c.span, what).note("write `alias = \"NAME\"` if the same value is meant"),
                );
            } else {
                seen.insert(c.value, c);
            }
            if g.kind == GroupKind::Flags
                && c.value.count_ones() != 1
                && !matches!(c.expr, Expr::Or(_))
            {
                diags.push(at(
                    &c.span,
                    format!("flag `{}` = {:#x} is not a single bit", c.name, c.value),
                ));
            }
        }
    }

    // ISO C (before C23) holds an enumerator's value in an int; GCC and C23 let an enum
    // go past it, which the schema says with `past_int` (nl80211.h's `1U << 31`).
    for g in &family.groups {
        if matches!(g.style, Style::Enum { .. }) && !g.past_int {
            // An enum past 2^63 - 1 is unsigned: `(__u64)-32` is past int. An ioctl number
            // is each target's (`_IOW` is past int on powerpc only), as is a value through
            // <asm/byteorder.h>'s conversions.
            let past = |v: u64| {
                if g.past_i64 {
                    i32::try_from(v).is_err()
                } else {
                    i32::try_from(v as i64).is_err()
                }
            };
            for c in g.values.iter().filter(|c| {
                if c.may_vary() {
                    crate::layout::TARGETS
                        .iter()
                        .any(|t| past(family.value_on(c, t)))
                } else {
                    past(c.value)
                }
            }) {
                diags.push(
                    at(
                        &c.span,
                        format!(
                            "`{}` = {} does not fit in a C enum (int)",
                            c.name,
                            g.value_text(c)
                        ),
                    )
                    .note(format!(
                        "write `past_int = true` on `{}` to have it as GCC and C23 do (the \
                         header is then not ISO C before C23), or `style = \"define\"`",
                        g.name
                    )),
                );
            }
        }
    }

    // Where the placement is inside a struct, a C enum body cannot go there.
    for g in &family.groups {
        if g.inside.is_some() && g.style != Style::Define {
            diags.push(at(
                &g.span,
                format!(
                    "`{}` is a C enum; only `style = \"define\"` groups can sit inside a struct",
                    g.name
                ),
            ));
        }
    }

    diags.finish()
}

/// Where the member after a hole sits on the ABIs that lay it out differently: the reason
/// such a struct would need a compat ioctl.
fn abi_difference(layouts: &[FamilyLayout], si: StructId, member: &Option<String>) -> String {
    let find = |l: &FamilyLayout| {
        member
            .as_ref()
            .and_then(|p| l.struct_(si).members.iter().find(|m| &m.path == p))
            .map(|m| m.offset)
    };
    let base = find(&layouts[0]);
    let differ: Vec<String> = layouts[1..]
        .iter()
        .filter_map(|l| {
            let o = find(l)?;
            (Some(o) != base).then(|| {
                format!(
                    "{} at offset {o} on {}",
                    member.as_deref().unwrap_or(""),
                    l.target.triple
                )
            })
        })
        .collect();
    match (base, differ.is_empty()) {
        (Some(b), false) => format!(
            "the layout differs between ABIs: {} at offset {b} on {}, {}",
            member.as_deref().unwrap_or(""),
            layouts[0].target.triple,
            differ.join(", ")
        ),
        _ => "the same hole on every ABI listed: still padding the kernel forbids".to_string(),
    }
}

fn visit_fields<'a>(fields: &'a [Field], f: &mut impl FnMut(&'a Field)) {
    for field in fields {
        f(field);
        if let FieldType::Inline(_, ms) = &field.ty {
            visit_fields(ms, f);
        }
    }
}

/// Named bitfields whose Rust accessors (`x()`, `set_x()`) would be defined twice on one
/// type: by another bitfield's, or by the type's own methods (`own`). An inline struct is a
/// type of its own, with no other methods.
fn accessor_clashes(
    src: &crate::diag::Source,
    st: &Struct,
    fields: &[Field],
    own: &[&str],
    diags: &mut Diagnostics,
) {
    let mut seen: Vec<String> = own.iter().map(|s| s.to_string()).collect();
    for f in fields {
        if let FieldType::Inline(Aggregate::Struct, ms) = &f.ty {
            accessor_clashes(src, st, ms, &[], diags);
        }
        if f.bits.is_none() || f.name.is_none() {
            continue;
        }
        for name in [f.rust_name.clone(), format!("set_{}", f.rust_name)] {
            if seen.contains(&name) {
                diags.push(
                    Diagnostic::at(
                        src,
                        f.span.clone(),
                        format!(
                            "the Rust type of struct `{}` would have two methods `{name}`: the \
                             bitfield `{}`'s accessor and another",
                            st.name,
                            f.display_name()
                        ),
                    )
                    .note("give the bitfield another `rust_name`"),
                );
            }
            seen.push(name);
        }
    }
}

fn check_links(family: &Family, st: &Struct, f: &Field, diags: &mut Diagnostics) {
    let src = &family.source;
    for (gi, key) in [(f.flags, "flags"), (f.values, "enum")] {
        let Some(gi) = gi else { continue };
        let g = family.group(gi);
        // A member of an enum type is that enum's integer, signed when a value is negative,
        // in every revision (a value past int added later would change its size).
        if let (Some(tag), "enum") = (&f.c_enum, key) {
            let want = g.enum_repr().scalar();
            if !matches!(f.ty, FieldType::Scalar(s) if s == want) {
                diags.push(Diagnostic::at(
                    src,
                    f.span.clone(),
                    format!(
                        "`{}.{}` is an `enum {tag}`, which C makes a `{}` in this revision: the \
                         enum's type changed between revisions, and the member's size or sign \
                         with it",
                        st.name,
                        f.display_name(),
                        want.c_name()
                    ),
                ));
            }
            continue;
        }
        let scalar = match (&f.ty, f.is_array()) {
            // A word's bits above 31 exist on the 64-bit ABIs only.
            (FieldType::Scalar(s), false) if !s.is_signed() && !s.varies() => *s,
            _ => {
                diags.push(Diagnostic::at(
                    src,
                    f.span.clone(),
                    format!(
                        "`{key} = \"{}\"` needs an unsigned integer field of one size on every ABI, but `{}.{}` is not one",
                        g.name,
                        st.name,
                        f.display_name()
                    ),
                ));
                continue;
            }
        };
        let bits = scalar.size() * 8;
        let signed = g.enum_repr().signed;
        for c in &g.values {
            if signed && (c.value as i64) < 0 {
                diags.push(
                    Diagnostic::at(
                        src,
                        c.span.clone(),
                        format!(
                            "`{}` = {} is negative, and `{}.{}` is unsigned",
                            c.name,
                            c.value as i64,
                            st.name,
                            f.display_name(),
                        ),
                    )
                    .note(format!("the field uses `{key} = \"{}\"`", g.name)),
                );
            } else if bits < 64 && c.value >> bits != 0 {
                diags.push(
                    Diagnostic::at(
                        src,
                        c.span.clone(),
                        format!(
                            "`{}` = {:#x} does not fit in `{}.{}`, a {}-bit field",
                            c.name,
                            c.value,
                            st.name,
                            f.display_name(),
                            bits
                        ),
                    )
                    .note(format!("the field uses `{key} = \"{}\"`", g.name)),
                );
            }
        }
    }
}
