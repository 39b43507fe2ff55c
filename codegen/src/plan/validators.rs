//! Which revisions' C validators a `<family>_validate.h` defines, known from the model: the
//! matrix calls them, and must know which exist before it compiles a line, not learn it from
//! whatever header it is pointed at.

use crate::model::{Model, RevId, StructId};

/// One revision's C validator of one struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CValidator {
    /// The struct.
    pub struct_id: StructId,
    /// The revision whose kernel it plays.
    pub rev: RevId,
    /// `<struct>__<rev>_copy_from_user`.
    pub function: String,
}

/// Every revision's C validator of `model`, struct by struct, oldest revision first.
///
/// `emit::c_validate` writes one wherever the revision has a validator whose rules read only
/// members today's struct still has (`ValidatorPlan::in_latest`): the C is written against
/// today's header, which cannot name a re-purposed member. One identical to the latest's or
/// the previous revision's is a one-line wrapper, still under its own name.
pub fn c_validators(model: &Model) -> Vec<CValidator> {
    let mut out = Vec::new();
    for (s, st) in model.history.structs_by_id() {
        for view in model.revs() {
            let Some(plan) = view.validator(s) else {
                continue;
            };
            let Some(rev) = view.revision().filter(|_| plan.in_latest) else {
                continue;
            };
            out.push(CValidator {
                struct_id: s,
                rev: view.id(),
                function: format!("{}__{}_copy_from_user", st.name, rev.id),
            });
        }
    }
    out
}
