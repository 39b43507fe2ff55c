//! The generated header a kernel release is held against: that of the newest revision of the
//! schema not newer than the release. `generated/` holds only the latest revision's header, so
//! an older one is emitted here, by the same emitter, from `Model::rev`'s family (the members,
//! values and defines that existed then) with the structs of later revisions, and enums left
//! with no constant yet, left out, as the kernel of that release did not have them.

use uapigen::ir::ItemRef;
use uapigen::model::RevId;
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
        .revs_by_id()
        .filter(|(_, r)| release_of(&r.id) <= release)
        .map(|(id, _)| id)
        .last()
}

/// The revision's id (`v6_11`).
pub fn id(model: &Checked, r: RevId) -> String {
    model.history.rev(r).id.clone()
}

/// The uAPI header of revision `r`, as the emitter writes the latest one.
pub fn header(model: &Checked, r: RevId, templates: &uapigen::emit::Templates) -> String {
    let view = model.rev(r);
    let mut family = view.family().clone();
    family.items.retain(|item| match *item {
        ItemRef::Struct(s) => view.exists(s),
        ItemRef::Group(g) => !view.family().group(g).values.is_empty(),
        ItemRef::Define(_) => true,
    });
    uapigen::emit::c_header::emit(&family, templates).unwrap_or_else(|e| panic!("{e}"))
}
