//! One struct declared per architecture's `#if` branch: its members on every target, merged.

use super::*;

/// What `merge_struct` did.
pub(super) enum Merged<'r> {
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
pub(super) fn merge_struct<'r>(
    item: &mut Item,
    theirs: &[&Item],
    regions: &'r [ArchRegion],
) -> Merged<'r> {
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
pub(super) fn add_missing(
    fields: &mut Vec<Field>,
    theirs: &[&Item],
    name: &str,
    at: impl Fn(u32) -> bool,
) {
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
pub(super) fn merge_arch_members(state: &mut State, extra: &[State], regions: &[ArchRegion]) {
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

/// Splits each member declared once whose type a macro under an architecture's `#if` makes
/// another on some targets (x86's asm/sigcontext.h: `struct _fpstate fpstate;` after
/// `#define _fpstate _fpstate_32` under `#ifdef __i386__`, `_fpstate_64` in its `#else`) into
/// a member per type, each under the condition of a region of the header that holds on
/// exactly the targets that read it so; a member with no such region is left as x86-64 reads
/// it (import's proof then says where it differs).
pub(super) fn split_arch_types(state: &mut State, extra: &[State], regions: &[ArchRegion]) {
    // Each usable region's condition and the targets it holds on.
    let conditions: Vec<(&str, Vec<bool>)> = regions
        .iter()
        .filter(|r| !r.other)
        .filter_map(|r| {
            let (_, on) = crate::front::when::evaluate(&r.condition).ok()?;
            Some((r.condition.as_str(), on))
        })
        .collect();
    for (_, item) in state.items.iter_mut() {
        let Item::Struct { name, fields, .. } = item else {
            continue;
        };
        let mut split: Vec<(usize, Field)> = Vec::new();
        for (k, f) in fields.iter().enumerate() {
            if f.when.is_some() || f.inline.is_some() || f.ty.is_none() {
                continue;
            }
            // The member as each other target reads it (x86-64's is `f`).
            let theirs: Vec<Option<&Field>> = extra
                .iter()
                .map(|x| {
                    x.items.iter().find_map(|(_, i)| match i {
                        Item::Struct {
                            name: n,
                            fields: other,
                            ..
                        } if n == name => other.iter().find(|g| g.offset == f.offset),
                        _ => None,
                    })
                })
                .collect();
            let Some(other) = theirs.iter().flatten().find(|g| g.ty != f.ty) else {
                continue;
            };
            // x86-64's type on these targets, `other`'s on the rest; no third.
            let ours: Vec<bool> = std::iter::once(true)
                .chain(theirs.iter().map(|g| g.is_some_and(|g| g.ty == f.ty)))
                .collect();
            if theirs
                .iter()
                .any(|g| g.is_none_or(|g| g.ty != f.ty && g.ty != other.ty))
            {
                continue;
            }
            let Some((condition, negated)) = conditions.iter().find_map(|(c, on)| {
                if *on == ours {
                    Some((c.to_string(), false))
                } else if on.iter().zip(&ours).all(|(a, b)| a != b) {
                    Some((c.to_string(), true))
                } else {
                    None
                }
            }) else {
                continue;
            };
            let mut theirs = (*other).clone();
            theirs.when = Some((condition.clone(), !negated));
            split.push((k, theirs));
        }
        for (k, g) in split.into_iter().rev() {
            fields[k].when = g.when.clone().map(|(c, n)| (c, !n));
            fields.insert(k + 1, g);
        }
    }
}
