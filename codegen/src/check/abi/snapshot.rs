//! A revision's ABI as values: what a lock file publishes and what the comparisons read.
//! Built from the frozen model's layouts; `lock.rs` is the only place that knows its text.
//!
//! It holds exactly what a lock file can give back, no more: a published revision is compared
//! with the schema by comparing the snapshot parsed from the lock with the one built here.
//! Field order is the lock's (the serializer writes them in this order).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::ir::{Aggregate, Family, Field, FieldType, RevSet, Scalar};
use crate::layout::{field_at, TARGETS};
use crate::model::{RevView, StructId, TargetId};
use crate::Checked;

/// A `schema/<family>.abi.lock` file: the published ABI of every revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    /// The family name.
    pub family: String,
    /// Every published revision, oldest first.
    pub revision: Vec<RevisionAbi>,
}

/// One revision's ABI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionAbi {
    /// The revision id.
    pub id: String,
    /// Each struct's ABI by name.
    pub structs: BTreeMap<String, StructAbi>,
    /// Each constant's value by name.
    pub constants: BTreeMap<String, u64>,
    /// Constants that are one past the last valid value: they move when values are added.
    /// In the family's order, which is the lock's.
    #[serde(default)]
    pub sentinels: Vec<String>,
    /// Constants the kernel removed by this revision, with the schema's reason.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub removed: BTreeMap<String, String>,
}

/// One struct's ABI in one revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StructAbi {
    /// `sizeof` on every target (the check stage keeps them equal; kept per target so a
    /// change on one is seen).
    pub size: PerTarget,
    /// `alignof` on every target.
    pub align: PerTarget,
    /// Every member, unions' members included, as laid out on x86-64.
    pub members: Vec<Member>,
    /// The flag constants its fields accept.
    pub flags: BTreeSet<String>,
    /// Another struct of the family has it as a member (its alignment then matters to others).
    #[serde(default)]
    pub embedded: bool,
    /// This revision fixed a shipped ABI trap of the struct (the schema's note).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abi_fix: Option<String>,
    /// This revision's layout is an acknowledged ABI trap (the schema's note).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abi_trap: Option<String>,
    /// A union (`[[union]]`): its members share offset 0.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub union: bool,
}

/// A number per target, for the targets a snapshot has (a lock written when uapigen knew
/// fewer has fewer).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PerTarget(pub(super) BTreeMap<TargetId, u64>);

impl PerTarget {
    /// The value on target `t`.
    pub fn get(&self, t: TargetId) -> Option<u64> {
        self.0.get(&t).copied()
    }

    /// Every target's value, in the order of the targets' triples: the lock's order, and the
    /// order differences are reported in.
    pub fn iter(&self) -> impl Iterator<Item = (TargetId, u64)> + '_ {
        let mut v: Vec<(TargetId, u64)> = self.0.iter().map(|(t, x)| (*t, *x)).collect();
        v.sort_by_key(|(t, _)| triple(*t));
        v.into_iter()
    }

    /// The value on x86-64, where validators run (or the first target a lock lists).
    pub fn default_target(&self) -> u64 {
        self.get(TargetId::DEFAULT)
            .or_else(|| self.iter().next().map(|(_, x)| x))
            .unwrap_or(0)
    }
}

/// The GNU triple of target `t`.
pub(super) fn triple(t: TargetId) -> &'static str {
    TARGETS[t.0].triple
}

/// One member as laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// `granu.addr_info.flags`; an anonymous union is `(anonymous union)` and adds no
    /// component to its members' paths.
    pub path: String,
    /// Offset in bytes.
    pub offset: u64,
    /// Size in bytes.
    pub size: u64,
    /// Its C type.
    pub ty: MemberType,
    /// Bytes that must be zero and may be re-purposed.
    pub reserved: bool,
}

impl Member {
    /// The member `path` is nested in, by name (`granu` of `granu.pasid_info`).
    pub fn parent(&self) -> Option<&str> {
        self.path.rsplit_once('.').map(|(p, _)| p)
    }

    /// Not below a named member (an anonymous union's members count as top-level: their
    /// paths do not say they are nested).
    pub fn top_level(&self) -> bool {
        !self.path.contains('.')
    }

    /// Whether it lies within `other`'s bytes.
    pub fn within(&self, other: &Member) -> bool {
        self.offset >= other.offset && self.offset + self.size <= other.offset + other.size
    }
}

/// A member's C type: a scalar, a struct or an inline union or struct, maybe an array of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberType {
    /// The element type.
    pub base: BaseType,
    /// The array length, for an array of a fixed length.
    pub len: Option<u64>,
    /// A flexible array member (`[]`; an old header's `[0]` is the same ABI): no size, and its
    /// offset is where the caller's elements begin.
    pub flexible: bool,
    /// A multi-dimensional array's further dimensions (`[4][8]`: `len` 4, `dims` `[8]`).
    pub dims: Vec<u64>,
    /// A bitfield: its width, and its first bit in the byte at the member's offset (0 to 7,
    /// in allocation order).
    pub bits: Option<(u32, u64)>,
}

/// The element type of a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseType {
    /// `__u32` ...
    Scalar(Scalar),
    /// `struct NAME`: by name, which is all a lock has.
    Struct(String),
    /// A union: its members follow it.
    Union,
    /// An untagged struct written inline (`struct { ... } s;`): its members follow it.
    InlineStruct,
    /// `__u64 *`, `const char *`: the C spelling, `__user` left out.
    Pointer(String),
}

impl MemberType {
    /// A union, not an array of one: the kind of member that may gain members.
    pub fn is_union(&self) -> bool {
        self.base == BaseType::Union && self.len.is_none() && !self.flexible
    }

    fn of(family: &Family, f: &Field, place: Option<crate::layout::BitPlace>) -> MemberType {
        let base = match &f.ty {
            FieldType::Scalar(s) => BaseType::Scalar(*s),
            FieldType::Pointer(p) => BaseType::Pointer(p.c_name(family)),
            FieldType::Struct(i) => BaseType::Struct(family.struct_(*i).name.clone()),
            FieldType::Inline(Aggregate::Union, _) => BaseType::Union,
            FieldType::Inline(Aggregate::Struct, _) => BaseType::InlineStruct,
        };
        MemberType {
            base,
            len: f.len,
            flexible: f.flexible.is_some(),
            dims: f.dims.clone(),
            bits: place.map(|b| (b.width, b.bit % 8)),
        }
    }
}

/// The ABI of every revision of a family.
pub fn snapshot(c: &Checked) -> Lock {
    Lock {
        family: c.history.name.clone(),
        revision: c.revs().map(|v| revision(v, &c.history)).collect(),
    }
}

fn revision(view: RevView, history: &Family) -> RevisionAbi {
    let (family, rev) = (view.family(), view.id());
    let at = history.rev(rev);
    let removed = history
        .defines
        .iter()
        .filter_map(|d| {
            let note = d.removed.as_ref()?;
            // Removed by now: it existed from `since`, and this revision is past `until`.
            (at.has(d.constant.since, RevSet::EMPTY) && !at.has(d.constant.since, d.until))
                .then(|| (d.constant.name.clone(), note.clone()))
        })
        .collect();
    let embedded = embedded(family);
    let targets = (0..view.layouts().len()).map(TargetId);
    let structs = view
        .structs()
        .map(|(id, st)| {
            // A struct of some targets (`when`) is locked where it exists; its members as the
            // first of them lays them out.
            let on = |t: &TargetId| st.on(&TARGETS[t.0]);
            let per_target = |f: fn(&crate::layout::StructLayout) -> u64| {
                PerTarget(
                    targets
                        .clone()
                        .filter(on)
                        .map(|t| (t, f(view.layout(id, t))))
                        .collect(),
                )
            };
            let first = targets.clone().find(on).unwrap_or(TargetId::DEFAULT);
            let members = view
                .layout(id, first)
                .members
                .iter()
                .filter_map(|m| {
                    let f = field_at(st, &m.index)?;
                    Some(Member {
                        path: m.path.clone(),
                        offset: m.offset,
                        size: m.size,
                        ty: MemberType::of(family, f, m.bits),
                        reserved: f.reserved,
                    })
                })
                .collect();
            let abi = StructAbi {
                size: per_target(|l| l.size),
                align: per_target(|l| l.align),
                members,
                flags: flags(family, id),
                embedded: embedded[id.0],
                abi_fix: st
                    .abi_trap
                    .as_ref()
                    .filter(|t| t.fixed.contains(rev))
                    .map(|t| t.note.clone()),
                abi_trap: st
                    .abi_trap
                    .as_ref()
                    .filter(|t| t.revisions.contains(&rev))
                    .map(|t| t.note.clone()),
                union: st.union,
            };
            (st.name.clone(), abi)
        })
        .collect();
    RevisionAbi {
        id: family.rev(rev).id.clone(),
        structs,
        constants: family
            .constants()
            .map(|c| (c.name.clone(), c.value))
            .collect(),
        sentinels: family
            .groups
            .iter()
            .flat_map(|g| g.values.iter().filter(|c| c.sentinel))
            .map(|c| c.name.clone())
            .chain(
                family
                    .defines
                    .iter()
                    .filter(|d| d.sentinel)
                    .map(|d| d.constant.name.clone()),
            )
            .collect(),
        removed,
    }
}

/// The flag constants the fields of struct `s` accept, unions' members' included (an
/// embedded struct's flags are its own).
fn flags(family: &Family, s: StructId) -> BTreeSet<String> {
    fn visit(fields: &[Field], family: &Family, out: &mut BTreeSet<String>) {
        for f in fields {
            if let Some(g) = f.flags {
                out.extend(family.group(g).values.iter().map(|c| c.name.clone()));
            }
            if let FieldType::Inline(_, ms) = &f.ty {
                visit(ms, family, out);
            }
        }
    }
    let mut out = BTreeSet::new();
    visit(&family.struct_(s).fields, family, &mut out);
    out
}

/// Per struct: whether another struct embeds it.
fn embedded(family: &Family) -> Vec<bool> {
    fn mark(fields: &[Field], out: &mut [bool]) {
        for f in fields {
            match &f.ty {
                FieldType::Struct(j) => out[j.0] = true,
                FieldType::Inline(_, ms) => mark(ms, out),
                FieldType::Scalar(_) | FieldType::Pointer(_) => {}
            }
        }
    }
    let mut out = vec![false; family.structs.len()];
    for s in &family.structs {
        mark(&s.fields, &mut out);
    }
    out
}
