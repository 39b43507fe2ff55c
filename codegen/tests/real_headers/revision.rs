//! The generated header a kernel release is held against: that of the newest revision of the
//! schema not newer than the release. `generated/` holds only the latest revision's header, so
//! an older one is emitted here, by the same emitter, from `Model::rev`'s family (the members,
//! values and defines that existed then) with the structs of later revisions, and enums left
//! with no constant yet, left out, as the kernel of that release did not have them.

use uapigen::ir::ItemRef;
use uapigen::model::{RevId, StructId};
use uapigen::Checked;

/// A revision id (`v6_11`) as a kernel release; ids are kernel versions by the schema's
/// convention, so one that is not is a schema this test cannot place.
fn release_of(id: &str) -> (u32, u32) {
    id.strip_prefix('v')
        .and_then(|v| v.split_once('_'))
        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
        .unwrap_or_else(|| {
            panic!("revision `{id}` is not named for a kernel release (vMAJOR_MINOR)")
        })
}

/// The newest revision of `model` at or before `release`, or None when the schema starts
/// later.
pub fn for_release(model: &Checked, release: (u32, u32)) -> Option<RevId> {
    // Revisions are listed oldest first.
    model
        .history
        .revisions
        .iter()
        .rposition(|r| release_of(&r.id) <= release)
        .map(RevId)
}

/// The revision's id (`v6_11`).
pub fn id(model: &Checked, r: RevId) -> String {
    model.history.revisions[r.0].id.clone()
}

/// The uAPI header of revision `r`, as the emitter writes the latest one.
pub fn header(model: &Checked, r: RevId, templates: &uapigen::emit::Templates) -> String {
    let view = model.rev(r);
    let mut family = view.family().clone();
    let groups = family.groups.clone();
    family.items.retain(|item| match *item {
        ItemRef::Struct(s) => view.exists(StructId(s)),
        ItemRef::Group(g) => !groups[g].values.is_empty(),
        ItemRef::Define(_) => true,
    });
    uapigen::emit::c_header::emit(&family, templates).unwrap_or_else(|e| panic!("{e}"))
}
