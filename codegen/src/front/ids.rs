//! Typed indices into a [`Family`](super::ir::Family)'s tables. Each wraps the position in
//! one `Vec`, so a struct index cannot be used where a group or a revision is meant; the
//! model and every later stage speak the same ids (re-exported from `model`).
//!
//! The ids live here, not in `model`, because resolve is where they are handed out: the IR
//! is the first thing indexed by them.

/// A struct of a family: its index in `Family::structs`, the same in every revision (a
/// revision's view keeps the slot of a struct not yet added).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StructId(pub usize);

/// A revision of a family: its index in `Family::revisions`, oldest first, so revisions
/// compare in history order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RevId(pub usize);

/// A `[[flags]]` set or `[[enum]]`: its index in `Family::groups`, the same in every revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupId(pub usize);

/// A single `[[define]]`: its index in `Family::defines`. Unlike the other ids it is only
/// valid in the family it came from: a revision's view drops the defines it lacks and
/// renumbers the rest (`Family::at_revision`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DefineId(pub usize);

/// A `[[macro]]`: an index into `Family::macros`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MacroId(pub usize);

/// A `[[typedef]]`: an index into `Family::typedefs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypedefId(pub usize);

/// A `[[define]]` of a struct's tag (`tag = ...`): an index into `Family::tag_aliases`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TagAliasId(pub usize);

/// A `[[define]]` of a string (`string = ...`): an index into `Family::strings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StringId(pub usize);

impl RevId {
    /// The first revision: where an item without `since` starts.
    pub const FIRST: RevId = RevId(0);
}

/// A set of revisions of one family, as a bit per `RevId` (a family lists at most
/// [`RevSet::CAPACITY`] revisions; resolve refuses more).
///
/// Two uses: where an item begins or ends (`since`, `until`: the first revision of each line
/// of history with the change; usually one, more when a mainline change was backported to a
/// stable branch), and a revision's `line`, the revisions whose changes it has (itself and
/// its ancestors). An item exists in revision `r` when its `since` meets `r`'s line and its
/// `until` does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RevSet(u128);

impl RevSet {
    /// The most revisions a family may list.
    pub const CAPACITY: usize = 128;
    /// No revision: an `until` that never comes.
    pub const EMPTY: RevSet = RevSet(0);

    /// Just `r`.
    pub fn one(r: RevId) -> RevSet {
        RevSet(1 << r.0)
    }

    /// This set with `r` added.
    pub fn with(self, r: RevId) -> RevSet {
        RevSet(self.0 | 1 << r.0)
    }

    pub fn contains(self, r: RevId) -> bool {
        self.0 >> r.0 & 1 == 1
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether a revision whose line is `line` has reached one of these revisions.
    pub fn meets(self, line: RevSet) -> bool {
        self.0 & line.0 != 0
    }

    /// The revisions, oldest listed first.
    pub fn iter(self) -> impl Iterator<Item = RevId> {
        // The set bits only, lowest first (not a test of all 128).
        let mut rest = self.0;
        std::iter::from_fn(move || {
            if rest == 0 {
                return None;
            }
            let i = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            Some(RevId(i))
        })
    }
}
