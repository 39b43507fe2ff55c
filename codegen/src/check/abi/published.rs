//! A published revision against its state now (the lock against the schema, or `diff`'s OLD
//! against NEW): it must not have changed at all, so every difference is reported as it is,
//! and every one breaks.

use std::collections::BTreeMap;

use super::change::{Change, Finding, Subject};
use super::snapshot::{Member, RevisionAbi};

/// Every difference between two states of the same published revision.
pub fn compare(old: &RevisionAbi, new: &RevisionAbi) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut add = |subject: &Subject, changes: Vec<Change>| {
        out.extend(
            changes
                .into_iter()
                .map(|c| Finding::new(&old.id, subject, c, Change::judge_published)),
        )
    };
    for (name, o) in &old.structs {
        let subject = Subject::Struct(name.clone());
        let Some(n) = new.structs.get(name) else {
            add(&subject, vec![Change::StructRemoved]);
            continue;
        };
        let mut changes = Vec::new();
        for (target, from) in o.size.iter() {
            let to = n.size.get(target);
            if to != Some(from) {
                changes.push(Change::SizeChanged { target, from, to });
            }
        }
        for (target, from) in o.align.iter() {
            let to = n.align.get(target);
            if to != Some(from) {
                changes.push(Change::AlignChanged { target, from, to });
            }
        }
        changes.extend(members(&o.members, &n.members));
        changes.extend(
            o.flags
                .difference(&n.flags)
                .map(|f| Change::FlagDropped { flag: f.clone() }),
        );
        changes.extend(
            n.flags
                .difference(&o.flags)
                .map(|f| Change::FlagGained { flag: f.clone() }),
        );
        add(&subject, changes);
    }
    for name in new.structs.keys().filter(|n| !old.structs.contains_key(*n)) {
        add(
            &Subject::Struct(name.clone()),
            vec![Change::StructAdded { published: true }],
        );
    }
    for (name, change) in constants(&old.constants, &new.constants, &new.sentinels) {
        add(&Subject::Constant(name), vec![change]);
    }
    out
}

/// Every member of the old layout that moved, changed size, type or reserved marking, or was
/// removed; members added; and whether the members both have kept their order.
fn members(old: &[Member], new: &[Member]) -> Vec<Change> {
    let mut out = Vec::new();
    for o in old {
        let Some(n) = new.iter().find(|n| n.path == o.path) else {
            out.push(Change::MemberRemoved {
                path: o.path.clone(),
                offset: o.offset,
                size: o.size,
            });
            continue;
        };
        let path = || o.path.clone();
        if n.offset != o.offset {
            out.push(Change::MemberMoved {
                path: path(),
                from: o.offset,
                to: n.offset,
            });
        }
        if n.size != o.size {
            out.push(Change::MemberResized {
                path: path(),
                from: o.size,
                to: n.size,
            });
        }
        if n.ty != o.ty {
            out.push(Change::MemberRetyped {
                path: path(),
                from: o.ty.clone(),
                to: n.ty.clone(),
            });
        }
        if n.reserved != o.reserved {
            out.push(Change::ReservedMarkingChanged { path: path() });
        }
    }
    for n in new.iter().filter(|n| !old.iter().any(|o| o.path == n.path)) {
        out.push(Change::MemberAdded {
            path: n.path.clone(),
        });
    }
    let common = |a: &[Member], b: &[Member]| -> Vec<String> {
        a.iter()
            .filter(|m| b.iter().any(|x| x.path == m.path))
            .map(|m| m.path.clone())
            .collect()
    };
    if common(old, new) != common(new, old) {
        out.push(Change::MembersReordered);
    }
    out
}

/// Constants removed, changed or added, by name (a sentinel's move is told as such; whether it
/// may is the judge's).
pub(super) fn constants(
    old: &BTreeMap<String, u64>,
    new: &BTreeMap<String, u64>,
    sentinels: &[String],
) -> Vec<(String, Change)> {
    let mut out = Vec::new();
    for (k, &from) in old {
        match new.get(k) {
            None => out.push((k.clone(), Change::ConstantRemoved)),
            Some(&to) if to != from => out.push((
                k.clone(),
                Change::ConstantChanged {
                    from,
                    to,
                    sentinel: sentinels.contains(k),
                },
            )),
            _ => {}
        }
    }
    for (k, &value) in new.iter().filter(|(k, _)| !old.contains_key(*k)) {
        out.push((k.clone(), Change::ConstantAdded { value }));
    }
    out
}
