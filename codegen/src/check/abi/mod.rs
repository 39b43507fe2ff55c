//! The ABI a family publishes, revision by revision: every struct's size and alignment on
//! every target, every member's offset, size and type, every constant's value, and the flags
//! each struct's fields accept. Three uses:
//! - `schema/<family>.abi.lock` (`uapigen generate --publish`): `check` fails when a published
//!   revision's ABI changes;
//! - `uapigen diff OLD NEW`: every change classified compatible or breaking, with its rule;
//! - the schema's own history: each revision must extend the previous one legally
//!   (REFERENCE.md §3: append at the end, add a union member at the end, or re-purpose
//!   reserved bytes with a new flag).
//!
//! `snapshot` takes a revision's ABI from the model as values; `published` and `extension`
//! compare two of them into [`Change`]s, judged by value; `change` writes the messages;
//! `lock` is the only place the lock file's text is known.

mod change;
mod extension;
mod lock;
mod published;
mod snapshot;

pub use change::{Change, Finding, MemberName, Rule, Subject, Verdict};
pub use lock::{lock_text, parse_lock, LOCK_HEADER};
pub use snapshot::{
    snapshot, BaseType, Lock, Member, MemberType, PerTarget, RevisionAbi, StructAbi,
};

use crate::diag::{Diagnostic, Error};
use crate::Checked;

/// Every difference between two states of the same published revision: all breaking.
pub fn compare_published(old: &RevisionAbi, new: &RevisionAbi) -> Vec<Finding> {
    published::compare(old, new)
}

/// How revision `next` extends `prev` (consecutive revisions of one family).
pub fn compare_evolution(prev: &RevisionAbi, next: &RevisionAbi) -> Vec<Finding> {
    extension::compare(prev, next)
}

/// The schema's own history: each revision extends its parent legally (a mainline revision
/// the mainline revision before it, a stable branch's revision its `base`).
pub fn check_history(c: &Checked) -> Result<(), Error> {
    let lock = snapshot(c);
    let breaking: Vec<_> = c
        .history
        .revs_by_id()
        .filter_map(|(r, rev)| Some((rev.parent?, r)))
        .flat_map(|(p, r)| extension::compare(&lock.revision[p.0], &lock.revision[r.0]))
        .filter(|f| f.verdict == Verdict::Breaking)
        .collect();
    let mut diags: Vec<Diagnostic> = breaking.iter().map(|f| located(c, f)).collect();
    // A struct whose members already broke says so; its minimum moving with them is the same edit.
    diags.extend(
        min_size_growth(c)
            .into_iter()
            .filter(|(name, _)| {
                !breaking
                    .iter()
                    .any(|f| matches!(&f.subject, Subject::Struct(n) if n == name))
            })
            .map(|(_, d)| d),
    );
    diags.extend(payload_narrowing(c));
    if diags.is_empty() {
        Ok(())
    } else {
        Err(Error::Schema(diags))
    }
}

/// A payload (`payloads`) whose kernel takes less than its parent's did: an operation it no
/// longer supports, or more bytes than the parent's `minsz` (its struct grew), which a user
/// built against the parent gets -EINVAL for (include/linux/vfio.h, `vfio_check_feature`).
/// A payload the schema ends with `until` is the kernel's removal, said on purpose.
fn payload_narrowing(c: &Checked) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (r, rev) in c.history.revs_by_id() {
        let Some(p) = rev.parent else { continue };
        let (before, after) = (c.rev(p), c.rev(r));
        for (s, st) in after.structs() {
            let (Some(old), Some(new)) = (
                before.validator(s).and_then(|v| v.payload.as_ref()),
                after.validator(s).and_then(|v| v.payload.as_ref()),
            ) else {
                continue;
            };
            for o in &old.cases {
                let Some(n) = new.cases.iter().find(|n| n.value == o.value) else {
                    continue;
                };
                let why = if o.ops & !n.ops != 0 {
                    format!(
                        "supports fewer operations ({:#x}, was {:#x}): a user built against {} asking for one is refused with -EINVAL",
                        n.ops,
                        o.ops,
                        c.history.rev(p).id
                    )
                } else if n.minsz > o.minsz {
                    format!(
                        "needs {} bytes, was {}: a user built against {} sends {} and is refused with -EINVAL",
                        n.minsz,
                        o.minsz,
                        c.history.rev(p).id,
                        o.minsz
                    )
                } else {
                    continue;
                };
                let span = c
                    .history
                    .struct_(s)
                    .validation
                    .as_ref()
                    .and_then(|v| v.payload.as_ref())
                    .and_then(|pl| {
                        pl.cases
                            .iter()
                            .rev()
                            .find(|k| k.equals.value == n.value && rev.has(k.since, k.until))
                    })
                    .map_or(st.name_span.clone(), |k| k.span.clone());
                out.push(
                    Diagnostic::at(
                        &c.history.source,
                        span,
                        format!(
                            "struct `{}`, revision {}: payload {} {why}",
                            st.name, rev.id, n.name
                        ),
                    )
                    .note("rule: a revision's kernel takes every payload its parent took, with the same operations and no more bytes (a payload struct does not grow)"),
                );
            }
        }
    }
    out
}

/// A revision whose kernel requires more bytes than its parent's: a user built against the
/// parent sends the parent's size and is refused with -EINVAL. (A `size` struct without
/// `min_size` requires its whole size, which grows with every appended member.)
fn min_size_growth(c: &Checked) -> Vec<(String, Diagnostic)> {
    let mut out = Vec::new();
    for (r, rev) in c.history.revs_by_id() {
        let Some(p) = rev.parent else { continue };
        let (before, after) = (c.rev(p), c.rev(r));
        for (s, st) in after.structs() {
            let (Some(old), Some(new)) = (before.validator(s), after.validator(s)) else {
                continue;
            };
            if new.min_size > old.min_size {
                let text = st
                    .validation
                    .as_ref()
                    .map_or_else(|| "sizeof".to_string(), |v| v.min_size.text());
                out.push((
                    st.name.clone(),
                    Diagnostic::at(
                        &c.history.source,
                        st.name_span.clone(),
                        format!(
                            "struct `{}`, revision {}: min_size ({text}) grows from {} to {} bytes: a user built against {} sends {} bytes and is refused with -EINVAL",
                            st.name,
                            rev.id,
                            old.min_size,
                            new.min_size,
                            c.history.rev(p).id,
                            old.min_size
                        ),
                    )
                    .note("rule: a revision may not raise the size the kernel requires; write the first revision's as `min_size` (`{ offsetofend = \"<its last member>\" }`)"),
                ));
            }
        }
    }
    out
}

/// A diagnostic at the struct (or constant) a finding is about.
pub fn located(c: &Checked, f: &Finding) -> Diagnostic {
    let family = &c.history;
    let span = match &f.subject {
        Subject::Struct(n) => family.struct_by_name(n).map(|s| s.name_span.clone()),
        Subject::Constant(n) => family
            .constants()
            .find(|k| &k.name == n)
            .map(|k| k.span.clone()),
        Subject::Revision(_) => None,
    }
    .unwrap_or(0..0);
    Diagnostic::at(
        &family.source,
        span,
        format!("{}, revision {}: {}", f.subject, f.revision, f.what()),
    )
    .note(format!("rule: {}", f.rule))
}

/// Published revisions (the lock) against the schema now: every drift is breaking.
pub fn check_lock(c: &Checked, lock: &Lock) -> Vec<Finding> {
    let now = snapshot(c);
    let mut out = Vec::new();
    for old in &lock.revision {
        match now.revision.iter().find(|r| r.id == old.id) {
            Some(new) => out.extend(published::compare(old, new)),
            None => out.push(revision_finding(&old.id, Change::RevisionUnpublished)),
        }
    }
    out
}

/// `uapigen diff OLD NEW`: revisions both have must be identical; revisions only NEW has must
/// extend their parent legally.
pub fn diff(old: &Checked, new: &Checked) -> Vec<Finding> {
    let (o, n) = (snapshot(old), snapshot(new));
    let mut out = Vec::new();
    for r in &o.revision {
        match n.revision.iter().find(|x| x.id == r.id) {
            Some(x) => out.extend(published::compare(r, x)),
            None => out.push(revision_finding(&r.id, Change::RevisionRemoved)),
        }
    }
    for (i, r) in n.revision.iter().enumerate() {
        if o.revision.iter().any(|x| x.id == r.id) {
            continue;
        }
        match new.history.rev(crate::ir::RevId(i)).parent {
            Some(p) => out.extend(extension::compare(&n.revision[p.0], r)),
            None => out.push(revision_finding(&r.id, Change::FirstRevision)),
        }
    }
    out
}

/// A change to a whole revision, about that revision.
fn revision_finding(id: &str, change: Change) -> Finding {
    Finding::new(
        id,
        &Subject::Revision(id.to_string()),
        change,
        Change::judge_extension,
    )
}
