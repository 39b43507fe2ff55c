//! How a revision extends the one before it (REFERENCE.md §3): append at the end, add a union
//! member (a union may grow only as the last member), re-purpose reserved bytes or wrap a
//! member in a union together with a new flag; nothing existing is removed, moved, resized or
//! retyped. A struct's changes in the revision that fixed its acknowledged ABI trap are
//! deliberate.

use std::collections::HashMap;

use super::change::{Change, Finding, MemberName, Subject};
use super::published::constants;
use super::snapshot::{BaseType, Member, RevisionAbi, StructAbi};

/// How revision `next` extends `prev` (consecutive revisions of one family).
pub fn compare(prev: &RevisionAbi, next: &RevisionAbi) -> Vec<Finding> {
    let rev = &next.id;
    let judge = Change::judge_extension;
    let mut out = Vec::new();
    let holder_flags = holder_flags(prev, next);
    for (name, o) in &prev.structs {
        let subject = Subject::Struct(name.clone());
        let Some(n) = next.structs.get(name) else {
            out.push(Finding::new(rev, &subject, Change::StructRemoved, judge));
            continue;
        };
        let holder_flag = holder_flags.get(name.as_str()).map(|f| f.to_string());
        let mut found: Vec<Finding> = changes(rev, o, n, holder_flag)
            .into_iter()
            .map(|c| Finding::new(rev, &subject, c, judge))
            .collect();
        if let Some(note) = &n.abi_fix {
            for f in found
                .iter_mut()
                .filter(|f| f.verdict == super::Verdict::Breaking)
            {
                f.acknowledge(note);
            }
        }
        out.extend(found);
    }
    for name in next
        .structs
        .keys()
        .filter(|n| !prev.structs.contains_key(*n))
    {
        let subject = Subject::Struct(name.clone());
        out.push(Finding::new(
            rev,
            &subject,
            Change::StructAdded { published: false },
            judge,
        ));
    }
    for (name, change) in constants(&prev.constants, &next.constants, &next.sentinels) {
        let mut f = Finding::new(rev, &Subject::Constant(name.clone()), change, judge);
        // A removal the kernel made, with the schema's reason, is told but not refused.
        if let (Change::ConstantRemoved, Some(note)) = (&f.change, next.removed.get(&name)) {
            f.acknowledge_removal(note);
        }
        out.push(f);
    }
    out
}

/// A struct an array member holds has no flags of its own: the flag that says its new meaning
/// is in use is the holder's (vfio_pci_hot_reset_info's VFIO_PCI_HOT_RESET_FLAG_DEV_ID for
/// vfio_pci_dependent_device's devid). Per held struct, the first new flag of the first holder
/// (in name order) that has one, found in one pass: asking every struct about every other was
/// quadratic in a family's structs.
fn holder_flags<'a>(prev: &'a RevisionAbi, next: &'a RevisionAbi) -> HashMap<&'a str, &'a str> {
    let mut out = HashMap::new();
    for (holder, ho) in &prev.structs {
        let Some(hn) = next.structs.get(holder) else {
            continue;
        };
        let Some(flag) = hn.flags.difference(&ho.flags).next() else {
            continue;
        };
        for m in &hn.members {
            if let BaseType::Struct(s) = &m.ty.base {
                out.entry(s.as_str()).or_insert(flag.as_str());
            }
        }
    }
    out
}

/// An old member, and whether revision `rev` handed its name on: a reserved member whose name
/// comes back on other bytes within its own range was re-purposed (`__u32 __reserved` →
/// `__u8 x; __u8 __reserved[3]`), so it is compared as removed, and the new one as taking its
/// bytes.
struct Old<'a> {
    m: &'a Member,
    handed_on: bool,
}

impl Old<'_> {
    /// Whether it is the member a path names now.
    fn named(&self, path: &str) -> bool {
        !self.handed_on && self.m.path == path
    }
}

/// What changed in one struct from `o` to `n`, in the order the rules are told.
fn changes(rev: &str, o: &StructAbi, n: &StructAbi, holder_flag: Option<String>) -> Vec<Change> {
    let mut out = Vec::new();
    for (target, from) in o.align.iter() {
        let to = n.align.get(target);
        let now = to.unwrap_or(0);
        // A top-level ioctl argument is never laid out inside anything, so its alignment may
        // grow with an appended member (iommu_hwpt_alloc in v6.7); an embedded one's may not,
        // and none may shrink.
        if now < from || (now > from && n.embedded) {
            out.push(Change::AlignChanged { target, from, to });
        }
    }
    let nm = &n.members;
    let om: Vec<Old> = o
        .members
        .iter()
        .map(|m| Old {
            m,
            handed_on: m.reserved
                && nm.iter().any(|x| {
                    x.path == m.path
                        && (x.offset, x.size, &x.ty) != (m.offset, m.size, &m.ty)
                        && x.within(m)
                }),
        })
        .collect();
    let in_old = |path: &str| om.iter().any(|m| m.named(path));
    let old_size = o.size.default_target();
    // Re-purposing and wrapping are legal only with a flag the revision added, which says the
    // new meaning is in use; the first one is named.
    let flag = n.flags.difference(&o.flags).next().cloned().or(holder_flag);
    for f in o.flags.difference(&n.flags) {
        out.push(Change::FlagDropped { flag: f.clone() });
    }

    // Old members gone: re-purposed reserved bytes, or removed.
    let mut repurposed: Vec<&Member> = Vec::new();
    for m in om.iter().filter(|m| !nm.iter().any(|x| m.named(&x.path))) {
        let takers: Vec<String> = nm
            .iter()
            .filter(|x| !in_old(&x.path) && x.within(m.m))
            .map(|x| x.path.clone())
            .collect();
        if m.m.reserved && !takers.is_empty() {
            repurposed.push(m.m);
            out.push(Change::ReservedRepurposed {
                reserved: MemberName {
                    path: m.m.path.clone(),
                    until: m.handed_on.then(|| rev.to_string()),
                },
                into: takers,
                flag: flag.clone(),
            });
        } else {
            out.push(Change::MemberRemoved {
                path: m.m.path.clone(),
                offset: m.m.offset,
                size: m.m.size,
            });
        }
    }

    // Members both have: only a union at the end may grow.
    let last = om
        .iter()
        .enumerate()
        .filter(|(_, m)| m.m.top_level())
        .max_by_key(|(_, m)| m.m.offset)
        .map(|(i, _)| i);
    for (i, m) in om.iter().enumerate() {
        let Some(x) = nm.iter().find(|x| m.named(&x.path)) else {
            continue;
        };
        let (m, path, union) = (m.m, m.m.path.clone(), m.m.ty.is_union());
        if x.offset != m.offset {
            out.push(Change::MemberMoved {
                path,
                from: m.offset,
                to: x.offset,
            });
        } else if x.ty != m.ty {
            out.push(Change::MemberRetyped {
                path,
                from: m.ty.clone(),
                to: x.ty.clone(),
            });
        } else if x.size < m.size {
            out.push(Change::MemberShrank {
                path,
                from: m.size,
                to: x.size,
                union,
            });
        } else if x.size > m.size && ends_struct(m, &om, old_size) {
            out.push(Change::EndStructGrew {
                path,
                from: m.size,
                to: x.size,
            });
        } else if x.size > m.size {
            out.push(Change::MemberGrew {
                path,
                from: m.size,
                to: x.size,
                union,
                last: last == Some(i),
            });
        }
    }

    // A new union over exactly the bytes of an old member that keeps its name, offset and
    // type inside it (`__u32 out_data_type` → `union { in_data_type; out_data_type; }`): the
    // old layout is unchanged; the union's other members give the bytes a second meaning,
    // which, like re-purposing, needs a new flag to be chosen.
    let mut wraps: Vec<&Member> = Vec::new();
    for x in nm.iter().filter(|x| x.ty.is_union() && !in_old(&x.path)) {
        let kept = om.iter().find(|m| {
            (m.m.offset, m.m.size) == (x.offset, x.size)
                && nm.iter().any(|y| {
                    m.named(&y.path) && (y.offset, y.size, &y.ty) == (m.m.offset, m.m.size, &m.m.ty)
                })
        });
        let Some(kept) = kept else { continue };
        wraps.push(x);
        let with = nm
            .iter()
            .filter(|y| !in_old(&y.path) && !y.ty.is_union() && y.within(x))
            .map(|y| y.path.clone())
            .collect();
        out.push(Change::Wrapped {
            member: kept.m.path.clone(),
            with,
            flag: flag.clone(),
        });
    }

    // New members: appended, a new union member, or taking re-purposed or wrapped bytes.
    for x in nm.iter().filter(|x| !in_old(&x.path)) {
        if wraps.iter().chain(&repurposed).any(|w| x.within(w)) {
            continue;
        }
        let parent = x.parent();
        // A file-scope union's own members are union members too.
        let union_member = (n.union && x.top_level())
            || parent.is_some_and(|p| om.iter().any(|m| m.named(p) && m.m.ty.is_union()));
        // A member past the old end inside an untagged struct that ended the struct is
        // appended as a top-level one is (`range.more`).
        let in_end_struct = parent.is_some_and(|p| {
            om.iter()
                .any(|m| m.named(p) && ends_struct(m.m, &om, old_size))
        });
        if x.offset >= old_size && (x.top_level() || in_end_struct) {
            out.push(Change::MemberAppended {
                path: x.path.clone(),
                offset: x.offset,
                flag: flag.clone(),
            });
        } else if union_member {
            out.push(Change::UnionMemberAdded {
                path: x.path.clone(),
            });
        } else if !x.top_level()
            && nm
                .iter()
                .any(|p| Some(p.path.as_str()) == parent && !in_old(&p.path))
        {
            // A member of a member that is itself new: judged with its parent.
            continue;
        } else {
            out.push(Change::MemberInserted {
                path: x.path.clone(),
                offset: x.offset,
                old_size,
            });
        }
    }
    out
}

/// Whether `m` is an untagged struct (not an array of one) that ended the old struct, inside
/// no union: bytes it gains lie past the old `sizeof`, as an appended member's do.
fn ends_struct(m: &Member, om: &[Old], old_size: u64) -> bool {
    m.ty.base == BaseType::InlineStruct
        && m.ty.len.is_none()
        && m.offset + m.size == old_size
        && !om
            .iter()
            .any(|u| u.m.ty.base == BaseType::Union && !std::ptr::eq(u.m, m) && m.within(u.m))
}
