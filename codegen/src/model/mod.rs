//! Model stage: the checked family, frozen, with everything the later stages need computed
//! once. Built by [`Model::new`] after resolve (and, for emitting, after check); emitters, the
//! interpreter, `decode`, the matrix and the lock check only read it.
//!
//! What it holds, per revision (oldest first, [`RevId`]): the family as it was then and its
//! layouts on every target (x86-64 first), which structs exist then, and the derived facts
//! (hole-free and byte-view facts, flag masks, and each validated struct's validator plan with
//! every condition lowered to `(offset, size, signedness) op value`). A struct keeps its
//! [`StructId`] in every revision; [`RevView::structs`] yields only those that exist.

pub mod caps;
pub mod layout;
pub mod plan;

use crate::ir::*;
use layout::{FamilyLayout, StructLayout, TARGETS};
pub use plan::{Op, RulePlan, SizeStep, Test, ValidatorPlan};

// The IR hands the ids out; the model's users reach them here.
pub use crate::front::ids::{DefineId, GroupId, RevId, StructId};

/// A target ABI: its index in [`layout::TARGETS`] (0 is x86-64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TargetId(pub usize);

impl TargetId {
    /// x86-64, the layout validators, the interpreter and the matrix run on.
    pub const DEFAULT: TargetId = TargetId(0);
}

/// A member of a struct as laid out: the struct and the member's index in its
/// [`StructLayout::members`]. A path through an embedded struct ends in that struct's member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldRef {
    /// The struct whose member it is.
    pub owner: StructId,
    /// Index into the owner's `StructLayout::members`.
    pub member: usize,
}

/// A flags field of a validated struct and its valid-bit mask in every revision (0 where
/// the field or the struct does not exist yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagField {
    /// The dotted C path from the struct (`granu.addr_info.flags`).
    pub path: String,
    /// The mask per revision, oldest first.
    pub masks: Vec<u64>,
}

/// A family that passed every check (or, from `lay_out`, was only laid out), with everything
/// derived from it. Fields are public for reading; nothing downstream changes them.
#[derive(Debug, Clone)]
pub struct Model {
    /// The family at its latest revision: what the headers and bindings describe.
    pub family: std::sync::Arc<Family>,
    /// Layouts of `family` on every target, x86-64 first.
    pub layouts: std::sync::Arc<Vec<FamilyLayout>>,
    /// The whole history: every field with its `since`/`until`.
    pub history: Family,
    /// Per revision (oldest first): the family then, and its layouts on every target.
    pub revisions: Vec<(std::sync::Arc<Family>, std::sync::Arc<Vec<FamilyLayout>>)>,
    facts: Vec<RevFacts>,
    flag_fields: Vec<Vec<FlagField>>,
    /// The latest revision's capability chains (`caps`), in bytes.
    pub caps: Vec<caps::Chain>,
}

/// What is derived of one revision, indexed by struct or group.
#[derive(Debug, Clone)]
struct RevFacts {
    exists: Vec<bool>,
    hole_free: Vec<bool>,
    into_bytes: Vec<bool>,
    masks: Vec<u64>,
    plans: Vec<Option<ValidatorPlan>>,
}

impl Model {
    /// Lays out every revision of `history` on every target and derives the facts.
    pub fn new(history: Family) -> Model {
        // Shared, not copied: the latest revision is both `revisions.last()` and `family`.
        type Rev = (std::sync::Arc<Family>, std::sync::Arc<Vec<FamilyLayout>>);
        let revisions: Vec<Rev> = (0..history.revisions.len().max(1))
            .map(|r| {
                let f = history.at_revision(RevId(r));
                let l = layout::layout_targets(&f, TARGETS);
                (std::sync::Arc::new(f), std::sync::Arc::new(l))
            })
            .collect();
        let (family, layouts) = revisions.last().cloned().expect("at least one revision");
        let (latest_fam, latest_lay) = (&family, &layouts[0]);
        let facts: Vec<RevFacts> = revisions
            .iter()
            .enumerate()
            .map(|(r, (f, l))| RevFacts::new(RevId(r), f, l, latest_fam, latest_lay))
            .collect();
        let flag_fields = history
            .structs_by_id()
            .map(|(s, _)| flag_fields(&revisions, &facts, s))
            .collect();
        let caps = caps::chains(&family, &layouts[0]);
        Model {
            caps,
            family,
            layouts,
            history,
            revisions,
            facts,
            flag_fields,
        }
    }

    /// The family at revision `r`.
    pub fn rev(&self, r: RevId) -> RevView<'_> {
        RevView { model: self, r }
    }

    /// The latest revision: what the headers and bindings describe.
    pub fn latest(&self) -> RevView<'_> {
        self.rev(RevId(self.revisions.len() - 1))
    }

    /// Every revision, oldest first.
    pub fn revs(&self) -> impl Iterator<Item = RevView<'_>> {
        (0..self.revisions.len()).map(|r| self.rev(RevId(r)))
    }

    /// The struct named `name`.
    pub fn struct_id(&self, name: &str) -> Option<StructId> {
        self.history
            .structs_by_id()
            .find(|(_, s)| s.name == name)
            .map(|(id, _)| id)
    }

    /// Whether any struct has a validator (in the latest revision).
    pub fn validated(&self) -> bool {
        self.family.structs.iter().any(|s| s.validation.is_some())
    }

    /// The flags fields of struct `s` with their mask per revision.
    pub fn flag_fields(&self, s: StructId) -> &[FlagField] {
        &self.flag_fields[s.0]
    }
}

/// One revision of a [`Model`].
#[derive(Debug, Clone, Copy)]
pub struct RevView<'a> {
    model: &'a Model,
    r: RevId,
}

impl<'a> RevView<'a> {
    /// Which revision.
    pub fn id(&self) -> RevId {
        self.r
    }

    /// The revision as the schema lists it.
    pub fn revision(&self) -> Option<&'a Revision> {
        self.model.history.revisions.get(self.r.0)
    }

    /// The family as it was at this revision. Struct slots of structs not yet added are kept
    /// (ids are stable); [`Self::structs`] leaves them out.
    pub fn family(&self) -> &'a Family {
        &self.model.revisions[self.r.0].0
    }

    /// The layouts on every target, x86-64 first.
    pub fn layouts(&self) -> &'a [FamilyLayout] {
        &self.model.revisions[self.r.0].1
    }

    /// The layout of struct `s` on target `t`.
    pub fn layout(&self, s: StructId, t: TargetId) -> &'a StructLayout {
        &self.layouts()[t.0].structs[s.0]
    }

    /// The struct `s`, whether or not it exists yet.
    pub fn get(&self, s: StructId) -> &'a Struct {
        self.family().struct_(s)
    }

    /// Whether struct `s` exists in this revision.
    pub fn exists(&self, s: StructId) -> bool {
        self.facts().exists[s.0]
    }

    /// The structs that exist in this revision, in schema order.
    pub fn structs(&self) -> impl Iterator<Item = (StructId, &'a Struct)> + 'a {
        let facts = self.facts();
        self.family()
            .structs_by_id()
            .filter(move |(s, _)| facts.exists[s.0])
    }

    /// Struct `s` has no padding on any target.
    pub fn hole_free(&self, s: StructId) -> bool {
        self.facts().hole_free[s.0]
    }

    /// Struct `s` is hole-free on every target and integers all the way down, no union: what
    /// zerocopy's `IntoBytes` derive needs.
    pub fn into_bytes(&self, s: StructId) -> bool {
        self.facts().into_bytes[s.0]
    }

    /// The valid bits of flags set `g` in this revision: the OR of its values then.
    pub fn flag_mask(&self, g: GroupId) -> u64 {
        self.facts().masks[g.0]
    }

    /// The validator of struct `s` in this revision: None when it has no size convention or
    /// does not exist yet.
    pub fn validator(&self, s: StructId) -> Option<&'a ValidatorPlan> {
        self.facts().plans[s.0].as_ref()
    }

    /// The structs with a validator in this revision.
    pub fn validators(&self) -> impl Iterator<Item = (StructId, &'a ValidatorPlan)> + 'a {
        self.facts()
            .plans
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.as_ref().map(|p| (StructId(i), p)))
    }

    fn facts(&self) -> &'a RevFacts {
        &self.model.facts[self.r.0]
    }
}

impl RevFacts {
    fn new(
        r: RevId,
        f: &Family,
        l: &[FamilyLayout],
        latest: &Family,
        latest_layout: &FamilyLayout,
    ) -> RevFacts {
        let rev = f.rev(r);
        let exists: Vec<bool> = f
            .structs
            .iter()
            .map(|s| rev.has(s.since, RevSet::EMPTY))
            .collect();
        let hole_free: Vec<bool> = f
            .structs_by_id()
            .map(|(s, st)| {
                l.iter()
                    .filter(|t| st.on(t.target))
                    .all(|t| t.struct_(s).holes.is_empty())
            })
            .collect();
        // Embedded structs come earlier (resolve guarantees it), so one pass in order: a
        // struct's entry is there exactly when it is earlier.
        let mut into_bytes: Vec<bool> = Vec::with_capacity(f.structs.len());
        for (s, st) in f.structs_by_id() {
            // An inline struct is plain when its members are (its holes are the struct's);
            // a union never is: its bytes past a shorter member are undefined.
            fn plain_fields(fields: &[Field], into_bytes: &[bool]) -> bool {
                fields.iter().all(|fd| match &fd.ty {
                    FieldType::Scalar(_) => true,
                    // zerocopy gives raw pointers no byte view (provenance).
                    FieldType::Pointer(_) => false,
                    FieldType::Struct(j) => into_bytes.get(j.0) == Some(&true),
                    FieldType::Inline(Aggregate::Struct, ms) => plain_fields(ms, into_bytes),
                    FieldType::Inline(Aggregate::Union, _) => false,
                })
            }
            let plain = !st.union && hole_free[s.0] && plain_fields(&st.fields, &into_bytes);
            into_bytes.push(plain);
        }
        let masks = f
            .groups
            .iter()
            .map(|g| g.values.iter().fold(0, |m, c| m | c.value))
            .collect();
        let plans = f
            .structs_by_id()
            .map(|(s, _)| {
                // A revision whose layout has holes (an acknowledged ABI trap: vfio's
                // `vfio_device_ioeventfd` before v6.12) has no validator: the Rust one would
                // copy bytes into padding through a byte view it does not have.
                if !exists[s.0] || !hole_free[s.0] {
                    return None;
                }
                let mut p = plan::lower(f, &l[0], s)?;
                p.in_latest = plan::locates_all(f, &l[0], latest, latest_layout, s);
                Some(p)
            })
            .collect();
        RevFacts {
            exists,
            hole_free,
            into_bytes,
            masks,
            plans,
        }
    }
}

/// The flags fields of struct `s` (embedded structs followed, arrays not), with the mask of
/// each revision.
fn flag_fields(
    revisions: &[(std::sync::Arc<Family>, std::sync::Arc<Vec<FamilyLayout>>)],
    facts: &[RevFacts],
    s: StructId,
) -> Vec<FlagField> {
    fn visit(
        fields: &[Field],
        prefix: &str,
        fam: &Family,
        masks: &[u64],
        r: usize,
        n: usize,
        out: &mut Vec<FlagField>,
    ) {
        for f in fields {
            let path = match (&f.name, prefix.is_empty()) {
                (Some(x), true) => x.clone(),
                (Some(x), false) => format!("{prefix}.{x}"),
                (None, _) => prefix.to_string(),
            };
            if let Some(g) = f.flags {
                let mask = masks[g.0];
                match out.iter_mut().find(|ff| ff.path == path) {
                    Some(ff) => ff.masks[r] = mask,
                    None => {
                        let mut masks = vec![0; n];
                        masks[r] = mask;
                        out.push(FlagField {
                            path: path.clone(),
                            masks,
                        });
                    }
                }
            }
            match &f.ty {
                FieldType::Inline(_, ms) => visit(ms, &path, fam, masks, r, n, out),
                FieldType::Struct(j) if !f.is_array() => {
                    visit(&fam.struct_(*j).fields, &path, fam, masks, r, n, out)
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    if revisions
        .iter()
        .all(|(f, _)| f.struct_(s).validation.is_none())
    {
        return out;
    }
    for (r, (fam, _)) in revisions.iter().enumerate() {
        visit(
            &fam.struct_(s).fields,
            "",
            fam,
            &facts[r].masks,
            r,
            revisions.len(),
            &mut out,
        );
    }
    out
}

// The targets by id, for the tools that walk every target's layout (the layout proof).
impl TargetId {
    /// Every target with its id, x86-64 first.
    pub fn all() -> impl Iterator<Item = (TargetId, &'static layout::Target)> {
        TARGETS.iter().enumerate().map(|(i, t)| (TargetId(i), t))
    }

    /// The target this id names.
    pub fn target(self) -> &'static layout::Target {
        &TARGETS[self.0]
    }
}
