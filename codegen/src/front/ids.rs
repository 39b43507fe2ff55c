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

impl RevId {
    /// The first revision: where an item without `since` starts.
    pub const FIRST: RevId = RevId(0);
}
