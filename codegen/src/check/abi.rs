//! The ABI a family publishes, revision by revision: every struct's size and alignment on
//! every target, every member's offset, size and type, every constant's value, and the flags
//! each struct's fields accept. Three uses:
//! - `schema/<family>.abi.lock` (`uapigen generate --publish`): `check` fails when a published
//!   revision's ABI changes;
//! - `uapigen diff OLD NEW`: every change classified compatible or breaking, with its rule;
//! - the schema's own history: each revision must extend the previous one legally
//!   (REFERENCE.md §3: append at the end, add a union member at the end, or re-purpose
//!   reserved bytes with a new flag).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, Error};
use crate::ir::*;
use crate::layout::field_at;
use crate::model::{RevView, StructId};
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
    #[serde(default)]
    pub sentinels: Vec<String>,
}

/// One struct's ABI in one revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StructAbi {
    /// `sizeof` on every target (the check stage keeps them equal; kept per target so a
    /// change on one is seen).
    pub size: BTreeMap<String, u64>,
    /// `alignof` on every target.
    pub align: BTreeMap<String, u64>,
    /// `path @offset +size : type`, with ` reserved` for bytes that must be zero.
    pub members: Vec<String>,
    /// The flag constants its fields accept.
    pub flags: Vec<String>,
    /// Another struct of the family has it as a member (its alignment then matters to others).
    #[serde(default)]
    pub embedded: bool,
    /// This revision fixed a shipped ABI trap of the struct (the schema's note).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abi_fix: Option<String>,
    /// This revision's layout is an acknowledged ABI trap (the schema's note).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abi_trap: Option<String>,
}

/// One member, parsed back from its lock line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// `granu.addr_info.flags`.
    pub path: String,
    /// Offset in bytes.
    pub offset: u64,
    /// Size in bytes.
    pub size: u64,
    /// The C type.
    pub ty: String,
    /// Bytes that must be zero and may be re-purposed.
    pub reserved: bool,
}

impl Member {
    fn line(&self) -> String {
        format!(
            "{} @{} +{} : {}{}",
            self.path,
            self.offset,
            self.size,
            self.ty,
            if self.reserved { " reserved" } else { "" }
        )
    }

    fn parse(line: &str) -> Option<Member> {
        let (path, rest) = line.split_once(" @")?;
        let (offset, rest) = rest.split_once(" +")?;
        let (size, ty) = rest.split_once(" : ")?;
        let (ty, reserved) = match ty.strip_suffix(" reserved") {
            Some(t) => (t, true),
            None => (ty, false),
        };
        Some(Member {
            path: path.to_string(),
            offset: offset.parse().ok()?,
            size: size.parse().ok()?,
            ty: ty.to_string(),
            reserved,
        })
    }
}

impl StructAbi {
    /// The members, parsed from their lock lines.
    pub fn members(&self) -> Vec<Member> {
        self.members
            .iter()
            .filter_map(|l| Member::parse(l))
            .collect()
    }

    fn x86_64_size(&self) -> u64 {
        self.size
            .get("x86_64-linux-gnu")
            .copied()
            .unwrap_or_else(|| self.size.values().next().copied().unwrap_or(0))
    }
}

fn type_text(family: &Family, f: &Field) -> String {
    let base = match &f.ty {
        FieldType::Scalar(s) => s.c_name().to_string(),
        FieldType::Struct(i) => format!("struct {}", family.structs[*i].name),
        FieldType::Union(_) => "union".to_string(),
    };
    match f.len {
        Some(n) => format!("{base}[{n}]"),
        None => base,
    }
}

/// Per struct: whether another struct embeds it.
fn embedded(family: &Family) -> Vec<bool> {
    fn mark(fields: &[Field], out: &mut [bool]) {
        for f in fields {
            match &f.ty {
                FieldType::Struct(j) => out[*j] = true,
                FieldType::Union(ms) => mark(ms, out),
                FieldType::Scalar(_) => {}
            }
        }
    }
    let mut out = vec![false; family.structs.len()];
    for s in &family.structs {
        mark(&s.fields, &mut out);
    }
    out
}

fn revision_abi(view: RevView) -> RevisionAbi {
    let (family, layouts, rev) = (view.family(), view.layouts(), view.id().0);
    let mut structs = BTreeMap::new();
    let embedded = embedded(family);
    for (StructId(si), st) in view.structs() {
        let members = layouts[0].structs[si]
            .members
            .iter()
            .filter_map(|m| field_at(st, &m.index).map(|f| (m, f)))
            .map(|(m, f)| {
                Member {
                    path: m.path.clone(),
                    offset: m.offset,
                    size: m.size,
                    ty: type_text(family, f),
                    reserved: f.reserved,
                }
                .line()
            })
            .collect();
        let mut flags = BTreeSet::new();
        fn visit(fields: &[Field], family: &Family, flags: &mut BTreeSet<String>) {
            for f in fields {
                if let Some(g) = f.flags {
                    flags.extend(family.groups[g].values.iter().map(|c| c.name.clone()));
                }
                if let FieldType::Union(ms) = &f.ty {
                    visit(ms, family, flags);
                }
            }
        }
        visit(&st.fields, family, &mut flags);
        structs.insert(
            st.name.clone(),
            StructAbi {
                size: layouts
                    .iter()
                    .map(|l| (l.target.triple.to_string(), l.structs[si].size))
                    .collect(),
                align: layouts
                    .iter()
                    .map(|l| (l.target.triple.to_string(), l.structs[si].align))
                    .collect(),
                members,
                flags: flags.into_iter().collect(),
                embedded: embedded[si],
                abi_fix: st
                    .abi_trap
                    .as_ref()
                    .filter(|t| t.fixed == Some(rev))
                    .map(|t| t.note.clone()),
                abi_trap: st
                    .abi_trap
                    .as_ref()
                    .filter(|t| t.revisions.contains(&rev))
                    .map(|t| t.note.clone()),
            },
        );
    }
    RevisionAbi {
        id: family.revisions[rev].id.clone(),
        structs,
        constants: family
            .constants()
            .map(|c| (c.name.clone(), c.value))
            .collect(),
        sentinels: family
            .defines
            .iter()
            .filter(|d| d.sentinel)
            .map(|d| d.constant.name.clone())
            .collect(),
    }
}

/// The ABI of every revision of a family.
pub fn snapshot(c: &Checked) -> Lock {
    Lock {
        family: c.history.name.clone(),
        revision: c.revs().map(revision_abi).collect(),
    }
}

/// The comment at the top of every lock file.
pub const LOCK_HEADER: &str =
    "# Generated by `uapigen generate --publish`: the published ABI of each revision.\n\
# `uapigen check` fails when a revision listed here changes. Do not edit.\n";

/// The lock file's text.
pub fn lock_text(lock: &Lock) -> Result<String, Error> {
    let body = toml::to_string_pretty(lock)
        .map_err(|e| Error::Internal(format!("cannot write the ABI lock: {e}")))?;
    Ok(format!("{LOCK_HEADER}{body}"))
}

/// Parses a lock file; `path` is for the error message.
pub fn parse_lock(path: &str, text: &str) -> Result<Lock, Error> {
    toml::from_str(text).map_err(|e| Error::Io {
        path: path.to_string(),
        message: format!("not a uapigen ABI lock: {}", e.message()),
    })
}

/// Whether a change keeps old binaries working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Old binaries keep working.
    Compatible,
    /// Some old binary breaks.
    Breaking,
}

/// One classified difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Compatible or breaking.
    pub verdict: Verdict,
    /// The revision the change is in.
    pub revision: String,
    /// `struct iommu_hwpt_alloc`, `constant IOMMU_VTD_S1_SRE`...
    pub subject: String,
    /// What changed.
    pub what: String,
    /// The rule that classifies it.
    pub rule: &'static str,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = match self.verdict {
            Verdict::Compatible => "compatible",
            Verdict::Breaking => "breaking",
        };
        write!(
            f,
            "{v}: {} (revision {}): {} [{}]",
            self.subject, self.revision, self.what, self.rule
        )
    }
}

/// Rule: published revisions are frozen.
pub const RULE_PUBLISHED: &str = "a published revision never changes; changes go in a new revision";
/// Rule: growth only at the end.
pub const RULE_APPEND: &str = "a struct may grow only at its end";
/// Rule: unions may gain members; grow only at the end.
pub const RULE_UNION: &str =
    "a union may gain members; it may grow only when it is the struct's last member";
/// Rule: re-purposing reserved bytes needs a new flag.
pub const RULE_REPURPOSE: &str = "reserved bytes may be re-purposed only together with a new flag";
/// Rule: nothing existing changes.
pub const RULE_KEEP: &str =
    "members, constants and flags are never removed, moved, resized or retyped";
/// Rule: wrapping a member in a union.
pub const RULE_WRAP: &str =
    "a member may be wrapped in a union that keeps its name, offset and type, together with a new flag";
/// Rule: a shipped ABI trap fixed in its named revision.
pub const RULE_ABI_FIX: &str =
    "a shipped ABI trap may be fixed in a revision the schema names (abi_trap.fixed)";
/// Rule: sentinels move.
pub const RULE_SENTINEL: &str =
    "a sentinel (one past the last valid value) moves when values are added";
/// Rule: alignment never changes (except growing on a struct nothing embeds).
pub const RULE_ALIGN: &str = "a struct's alignment never changes on any target (it may grow only for a struct nothing embeds)";

fn change(
    verdict: Verdict,
    revision: &str,
    subject: String,
    what: String,
    rule: &'static str,
) -> Change {
    Change {
        verdict,
        revision: revision.to_string(),
        subject,
        what,
        rule,
    }
}

/// Every difference between two states of the same published revision: all breaking.
pub fn compare_published(old: &RevisionAbi, new: &RevisionAbi) -> Vec<Change> {
    let rev = &old.id;
    let mut out = Vec::new();
    let b = |subject: String, what: String| {
        change(Verdict::Breaking, rev, subject, what, RULE_PUBLISHED)
    };
    for (name, o) in &old.structs {
        let subject = format!("struct {name}");
        let Some(n) = new.structs.get(name) else {
            out.push(b(subject, "removed".into()));
            continue;
        };
        for (t, s) in &o.size {
            if n.size.get(t) != Some(s) {
                out.push(b(
                    subject.clone(),
                    format!(
                        "sizeof changed from {s} to {} on {t}",
                        n.size.get(t).map_or("-".into(), |x| x.to_string())
                    ),
                ));
            }
        }
        for (t, a) in &o.align {
            if n.align.get(t) != Some(a) {
                out.push(change(
                    Verdict::Breaking,
                    rev,
                    subject.clone(),
                    format!(
                        "alignment changed from {a} to {} on {t}",
                        n.align.get(t).map_or("-".into(), |x| x.to_string())
                    ),
                    RULE_ALIGN,
                ));
            }
        }
        out.extend(member_changes(
            rev,
            &subject,
            &o.members(),
            &n.members(),
            RULE_PUBLISHED,
        ));
        for f in &o.flags {
            if !n.flags.contains(f) {
                out.push(b(subject.clone(), format!("flag `{f}` no longer accepted")));
            }
        }
        for f in &n.flags {
            if !o.flags.contains(f) {
                out.push(b(subject.clone(), format!("gained flag `{f}`")));
            }
        }
    }
    for name in new.structs.keys().filter(|n| !old.structs.contains_key(*n)) {
        out.push(b(
            format!("struct {name}"),
            "added to a published revision".into(),
        ));
    }
    out.extend(constant_changes(rev, &old.constants, &new.constants, true));
    out
}

/// Members of the old layout that moved, changed size or type, were removed, or were
/// reordered.
fn member_changes(
    rev: &str,
    subject: &str,
    old: &[Member],
    new: &[Member],
    rule: &'static str,
) -> Vec<Change> {
    let mut out = Vec::new();
    // Every change found here breaks the same rule for the same struct.
    let mut breaking = |what: String| {
        out.push(change(
            Verdict::Breaking,
            rev,
            subject.to_string(),
            what,
            rule,
        ))
    };
    for o in old {
        let Some(n) = new.iter().find(|n| n.path == o.path) else {
            breaking(format!(
                "member `{}` (@{} +{}) removed",
                o.path, o.offset, o.size
            ));
            continue;
        };
        if n.offset != o.offset {
            breaking(format!(
                "member `{}` moved from offset {} to {}",
                o.path, o.offset, n.offset
            ));
        }
        if n.size != o.size {
            breaking(format!(
                "member `{}` size changed from {} to {}",
                o.path, o.size, n.size
            ));
        }
        if n.ty != o.ty {
            breaking(format!(
                "member `{}` type changed from `{}` to `{}`",
                o.path, o.ty, n.ty
            ));
        }
        if n.reserved != o.reserved && rule == RULE_PUBLISHED {
            breaking(format!("member `{}` reserved marking changed", o.path));
        }
    }
    if rule == RULE_PUBLISHED {
        for n in new.iter().filter(|n| !old.iter().any(|o| o.path == n.path)) {
            breaking(format!("member `{}` added", n.path));
        }
        let common = |a: &[Member], b: &[Member]| -> Vec<String> {
            a.iter()
                .filter(|m| b.iter().any(|x| x.path == m.path))
                .map(|m| m.path.clone())
                .collect()
        };
        if common(old, new) != common(new, old) {
            breaking("members reordered".into());
        }
    }
    out
}

fn constant_changes(
    rev: &str,
    old: &BTreeMap<String, u64>,
    new: &BTreeMap<String, u64>,
    published: bool,
) -> Vec<Change> {
    let mut out = Vec::new();
    let rule = if published { RULE_PUBLISHED } else { RULE_KEEP };
    for (k, v) in old {
        match new.get(k) {
            None => out.push(change(
                Verdict::Breaking,
                rev,
                format!("constant {k}"),
                "removed".into(),
                rule,
            )),
            Some(n) if n != v => out.push(change(
                Verdict::Breaking,
                rev,
                format!("constant {k}"),
                format!("value changed from {v:#x} to {n:#x}"),
                rule,
            )),
            _ => {}
        }
    }
    for (k, v) in new.iter().filter(|(k, _)| !old.contains_key(*k)) {
        let verdict = if published {
            Verdict::Breaking
        } else {
            Verdict::Compatible
        };
        out.push(change(
            verdict,
            rev,
            format!("constant {k}"),
            format!("added ({v:#x})"),
            rule,
        ));
    }
    out
}

/// How revision `next` extends `prev` (consecutive revisions of one family).
pub fn compare_evolution(prev: &RevisionAbi, next: &RevisionAbi) -> Vec<Change> {
    let rev = &next.id;
    let mut out = Vec::new();
    for (name, o) in &prev.structs {
        let subject = format!("struct {name}");
        let start = out.len();
        let Some(n) = next.structs.get(name) else {
            out.push(change(
                Verdict::Breaking,
                rev,
                subject,
                "removed".into(),
                RULE_KEEP,
            ));
            continue;
        };
        for (t, a) in &o.align {
            let now = n.align.get(t).copied().unwrap_or(0);
            // A top-level ioctl argument is never laid out inside anything, so its alignment
            // may grow with an appended member (iommu_hwpt_alloc in v6.7); an embedded one's
            // may not, and none may shrink.
            if now < *a || (now > *a && n.embedded) {
                out.push(change(
                    Verdict::Breaking,
                    rev,
                    subject.clone(),
                    format!("alignment changed from {a} to {now} on {t}"),
                    RULE_ALIGN,
                ));
            }
        }
        let (mut om, nm) = (o.members(), n.members());
        // A reserved member whose name comes back on other bytes within its own range was
        // re-purposed, its name handed on (`__u32 __reserved` → `__u8 x; __u8 __reserved[3]`):
        // compare it as removed, and the new one as taking its bytes.
        for m in om.iter_mut() {
            let renamed = nm.iter().any(|x| {
                x.path == m.path
                    && (x.offset, x.size, &x.ty) != (m.offset, m.size, &m.ty)
                    && m.reserved
                    && x.offset >= m.offset
                    && x.offset + x.size <= m.offset + m.size
            });
            if renamed {
                m.path = format!("{} (until {rev})", m.path);
            }
        }
        let old_size = o.x86_64_size();
        let new_flags: Vec<&String> = n.flags.iter().filter(|f| !o.flags.contains(f)).collect();
        for f in o.flags.iter().filter(|f| !n.flags.contains(f)) {
            out.push(change(
                Verdict::Breaking,
                rev,
                subject.clone(),
                format!("flag `{f}` no longer accepted"),
                RULE_KEEP,
            ));
        }
        // Re-purposed: an old reserved member gone, its bytes taken by new members.
        let mut repurposed: Vec<&Member> = Vec::new();
        for m in om.iter().filter(|m| !nm.iter().any(|x| x.path == m.path)) {
            let takers: Vec<&Member> = nm
                .iter()
                .filter(|x| {
                    !om.iter().any(|y| y.path == x.path)
                        && x.offset >= m.offset
                        && x.offset + x.size <= m.offset + m.size
                })
                .collect();
            if m.reserved && !takers.is_empty() {
                repurposed.push(m);
                let names: Vec<&str> = takers.iter().map(|t| t.path.as_str()).collect();
                if new_flags.is_empty() {
                    out.push(change(
                        Verdict::Breaking,
                        rev,
                        subject.clone(),
                        format!(
                            "reserved `{}` re-purposed as {} with no new flag",
                            m.path,
                            names.join(", ")
                        ),
                        RULE_REPURPOSE,
                    ));
                } else {
                    out.push(change(
                        Verdict::Compatible,
                        rev,
                        subject.clone(),
                        format!(
                            "reserved `{}` re-purposed as {}, with flag {}",
                            m.path,
                            names.join(", "),
                            new_flags[0]
                        ),
                        RULE_REPURPOSE,
                    ));
                }
            } else {
                out.push(change(
                    Verdict::Breaking,
                    rev,
                    subject.clone(),
                    format!("member `{}` (@{} +{}) removed", m.path, m.offset, m.size),
                    RULE_KEEP,
                ));
            }
        }
        // Members both have: only a union at the end may grow.
        let last_top = om
            .iter()
            .filter(|m| !m.path.contains('.'))
            .max_by_key(|m| m.offset)
            .map(|m| m.path.clone());
        for m in &om {
            let Some(x) = nm.iter().find(|x| x.path == m.path) else {
                continue;
            };
            let is_union = m.ty == "union";
            if x.offset != m.offset {
                out.push(change(
                    Verdict::Breaking,
                    rev,
                    subject.clone(),
                    format!(
                        "member `{}` moved from offset {} to {}",
                        m.path, m.offset, x.offset
                    ),
                    RULE_KEEP,
                ));
            } else if x.ty != m.ty {
                out.push(change(
                    Verdict::Breaking,
                    rev,
                    subject.clone(),
                    format!(
                        "member `{}` type changed from `{}` to `{}`",
                        m.path, m.ty, x.ty
                    ),
                    RULE_KEEP,
                ));
            } else if x.size < m.size {
                out.push(change(
                    Verdict::Breaking,
                    rev,
                    subject.clone(),
                    format!(
                        "member `{}` shrank from {} to {} bytes",
                        m.path, m.size, x.size
                    ),
                    if is_union { RULE_UNION } else { RULE_KEEP },
                ));
            } else if x.size > m.size {
                if is_union && last_top.as_deref() == Some(m.path.as_str()) {
                    out.push(change(
                        Verdict::Compatible,
                        rev,
                        subject.clone(),
                        format!(
                            "last union `{}` grew from {} to {} bytes",
                            m.path, m.size, x.size
                        ),
                        RULE_UNION,
                    ));
                } else {
                    out.push(change(
                        Verdict::Breaking,
                        rev,
                        subject.clone(),
                        format!(
                            "member `{}` grew from {} to {} bytes",
                            m.path, m.size, x.size
                        ),
                        if is_union { RULE_UNION } else { RULE_APPEND },
                    ));
                }
            }
        }
        // A new union over exactly the bytes of an old member that keeps its name, offset and
        // type inside it (`__u32 out_data_type` → `union { in_data_type; out_data_type; }`):
        // the old layout is unchanged; the union's other members give the bytes a second
        // meaning, which, like re-purposing, needs a new flag to be chosen.
        let mut wraps: Vec<&Member> = Vec::new();
        for x in nm
            .iter()
            .filter(|x| x.ty == "union" && !om.iter().any(|m| m.path == x.path))
        {
            let kept = om.iter().find(|m| {
                (m.offset, m.size) == (x.offset, x.size)
                    && nm.iter().any(|y| {
                        y.path == m.path && (y.offset, y.size, &y.ty) == (m.offset, m.size, &m.ty)
                    })
            });
            let Some(kept) = kept else { continue };
            wraps.push(x);
            let others: Vec<&str> = nm
                .iter()
                .filter(|y| {
                    !om.iter().any(|m| m.path == y.path)
                        && y.ty != "union"
                        && y.offset >= x.offset
                        && y.offset + y.size <= x.offset + x.size
                })
                .map(|y| y.path.as_str())
                .collect();
            match new_flags.first() {
                Some(f) => out.push(change(
                    Verdict::Compatible,
                    rev,
                    subject.clone(),
                    format!(
                        "`{}` wrapped in a union with {}, with flag {f}",
                        kept.path,
                        others.join(", ")
                    ),
                    RULE_WRAP,
                )),
                None => out.push(change(
                    Verdict::Breaking,
                    rev,
                    subject.clone(),
                    format!(
                        "`{}` wrapped in a union with {} with no new flag",
                        kept.path,
                        others.join(", ")
                    ),
                    RULE_WRAP,
                )),
            }
        }
        // New members: appended, a new union member, or taking re-purposed bytes.
        for x in nm.iter().filter(|x| !om.iter().any(|m| m.path == x.path)) {
            if wraps
                .iter()
                .any(|w| x.offset >= w.offset && x.offset + x.size <= w.offset + w.size)
            {
                continue;
            }
            let in_repurposed = repurposed
                .iter()
                .any(|m| x.offset >= m.offset && x.offset + x.size <= m.offset + m.size);
            let parent = x.path.rsplit_once('.').map(|(p, _)| p.to_string());
            let union_member = parent
                .as_ref()
                .is_some_and(|p| om.iter().any(|m| &m.path == p && m.ty == "union"));
            if in_repurposed {
                continue;
            } else if x.offset >= old_size && !x.path.contains('.') {
                let flag = new_flags
                    .first()
                    .map_or(String::new(), |f| format!(", with flag {f}"));
                out.push(change(
                    Verdict::Compatible,
                    rev,
                    subject.clone(),
                    format!("member `{}` appended at offset {}{flag}", x.path, x.offset),
                    RULE_APPEND,
                ));
            } else if union_member {
                out.push(change(
                    Verdict::Compatible,
                    rev,
                    subject.clone(),
                    format!("union member `{}` added", x.path),
                    RULE_UNION,
                ));
            } else if x.path.contains('.')
                && nm.iter().any(|p| {
                    Some(&p.path) == parent.as_ref() && !om.iter().any(|m| m.path == p.path)
                })
            {
                // A member of a member that is itself new: judged with its parent.
                continue;
            } else {
                out.push(change(
                    Verdict::Breaking,
                    rev,
                    subject.clone(),
                    format!(
                        "member `{}` inserted at offset {}, inside the old struct ({} bytes)",
                        x.path, x.offset, old_size
                    ),
                    RULE_APPEND,
                ));
            }
        }
        // The revision that fixed an acknowledged ABI trap: its changes are deliberate.
        if let Some(note) = &n.abi_fix {
            for ch in out[start..]
                .iter_mut()
                .filter(|c| c.verdict == Verdict::Breaking)
            {
                ch.verdict = Verdict::Compatible;
                ch.what = format!("{} (acknowledged ABI fix: {note})", ch.what);
                ch.rule = RULE_ABI_FIX;
            }
        }
    }
    for name in next
        .structs
        .keys()
        .filter(|n| !prev.structs.contains_key(*n))
    {
        out.push(change(
            Verdict::Compatible,
            rev,
            format!("struct {name}"),
            "added".into(),
            RULE_APPEND,
        ));
    }
    for ch in constant_changes(rev, &prev.constants, &next.constants, false) {
        let name = ch.subject.strip_prefix("constant ").unwrap_or("");
        if ch.what.starts_with("value changed") && next.sentinels.iter().any(|s| s == name) {
            out.push(Change {
                verdict: Verdict::Compatible,
                rule: RULE_SENTINEL,
                ..ch
            });
        } else {
            out.push(ch);
        }
    }
    out
}

/// The schema's own history: each revision extends the previous one legally.
pub fn check_history(c: &Checked) -> Result<(), Error> {
    let lock = snapshot(c);
    let mut diags = Vec::new();
    for pair in lock.revision.windows(2) {
        for ch in compare_evolution(&pair[0], &pair[1])
            .into_iter()
            .filter(|c| c.verdict == Verdict::Breaking)
        {
            diags.push(located(c, &ch));
        }
    }
    if diags.is_empty() {
        Ok(())
    } else {
        Err(Error::Schema(diags))
    }
}

/// A diagnostic at the struct (or constant) a change is about.
pub fn located(c: &Checked, ch: &Change) -> Diagnostic {
    let f = &c.history;
    let span = ch
        .subject
        .strip_prefix("struct ")
        .and_then(|n| f.struct_by_name(n))
        .map(|s| s.name_span.clone())
        .or_else(|| {
            ch.subject
                .strip_prefix("constant ")
                .and_then(|n| f.constants().find(|k| k.name == n))
                .map(|k| k.span.clone())
        })
        .unwrap_or(0..0);
    Diagnostic::at(
        &f.source,
        span,
        format!("{}, revision {}: {}", ch.subject, ch.revision, ch.what),
    )
    .note(format!("rule: {}", ch.rule))
}

/// Published revisions (the lock) against the schema now: every drift is breaking.
pub fn check_lock(c: &Checked, lock: &Lock) -> Vec<Change> {
    let now = snapshot(c);
    let mut out = Vec::new();
    for old in &lock.revision {
        match now.revision.iter().find(|r| r.id == old.id) {
            Some(new) => out.extend(compare_published(old, new)),
            None => out.push(change(
                Verdict::Breaking,
                &old.id,
                format!("revision {}", old.id),
                "published, but no longer in the schema".into(),
                RULE_PUBLISHED,
            )),
        }
    }
    out
}

/// `uapigen diff OLD NEW`: revisions both have must be identical; revisions only NEW has must
/// extend their predecessor legally.
pub fn diff(old: &Checked, new: &Checked) -> Vec<Change> {
    let (o, n) = (snapshot(old), snapshot(new));
    let mut out = Vec::new();
    for r in &o.revision {
        match n.revision.iter().find(|x| x.id == r.id) {
            Some(x) => out.extend(compare_published(r, x)),
            None => out.push(change(
                Verdict::Breaking,
                &r.id,
                format!("revision {}", r.id),
                "removed".into(),
                RULE_PUBLISHED,
            )),
        }
    }
    for (i, r) in n.revision.iter().enumerate() {
        if o.revision.iter().any(|x| x.id == r.id) {
            continue;
        }
        match i.checked_sub(1) {
            Some(p) => out.extend(compare_evolution(&n.revision[p], r)),
            None => out.push(change(
                Verdict::Compatible,
                &r.id,
                format!("revision {}", r.id),
                "first revision".into(),
                RULE_APPEND,
            )),
        }
    }
    out
}
