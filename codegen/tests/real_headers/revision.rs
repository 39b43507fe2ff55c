//! The generated header a kernel release is held against: that of the newest revision of the
//! schema not newer than the release. `generated/` holds only the latest revision's header, so
//! an older one is emitted here, by the same emitter, from `Model::rev`'s family (the members,
//! values and defines that existed then) with the structs of later revisions, and enums left
//! with no constant yet, left out, as the kernel of that release did not have them.

use uapigen::ir::ItemRef;
use uapigen::model::RevId;
use uapigen::Checked;

/// A revision id as a kernel release: `v6_11` (mainline, 6.11.0) or `v6_12_31` (a stable
/// branch's, 6.12.31). Ids are kernel versions by the schema's convention, so one that is not
/// is a schema this test cannot place.
fn release_of(id: &str) -> (u32, u32, u32) {
    let parts: Option<Vec<u32>> = id
        .strip_prefix('v')
        .map(|v| v.split('_').map(|n| n.parse().ok()).collect::<Option<_>>())
        .unwrap_or(None);
    match parts.as_deref() {
        Some(&[major, minor]) => (major, minor, 0),
        Some(&[major, minor, patch]) => (major, minor, patch),
        _ => panic!(
            "revision `{id}` is not named for a kernel release (vMAJOR_MINOR or vMAJOR_MINOR_PATCH)"
        ),
    }
}

/// The revision of `model` a kernel `release` has: the newest at or before it (a stable
/// release has its branch's newest revision at or before it, which is newer than the mainline
/// revision the branch started from), or None when the schema starts later.
pub fn for_release(model: &Checked, release: (u32, u32, u32)) -> Option<RevId> {
    model
        .history
        .revs_by_id()
        .map(|(id, r)| (release_of(&r.id), id))
        .filter(|(v, _)| *v <= release)
        .max()
        .map(|(_, id)| id)
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
        ItemRef::Define(_)
        | ItemRef::Macro(_)
        | ItemRef::Typedef(_)
        | ItemRef::TagAlias(_)
        | ItemRef::String(_) => true,
    });
    uapigen::emit::c_header::emit(&family, templates).unwrap_or_else(|e| panic!("{e}"))
}
