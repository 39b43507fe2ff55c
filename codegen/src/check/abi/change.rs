//! What a comparison finds, as values: a [`Change`] says what differs, [`Finding`] adds where
//! (revision, subject) and how it is judged (verdict, rule). Verdict and rule are functions of
//! the change's value ([`Change::judge_published`], [`Change::judge_extension`]); the text of
//! every message is written here only.

use std::fmt;

use super::snapshot::{triple, MemberType};
use crate::model::TargetId;

/// Whether a change keeps old binaries working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Old binaries keep working.
    Compatible,
    /// Some old binary breaks.
    Breaking,
}

/// The evolution rule that classifies a change (REFERENCE.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Published revisions are frozen.
    Published,
    /// Growth only at the end.
    Append,
    /// Unions may gain members; grow only at the end.
    Union,
    /// Re-purposing reserved bytes needs a new flag.
    Repurpose,
    /// Nothing existing changes.
    Keep,
    /// Wrapping a member in a union.
    Wrap,
    /// A shipped ABI trap fixed in its named revision.
    AbiFix,
    /// Sentinels move.
    Sentinel,
    /// Alignment never changes (except growing on a struct nothing embeds).
    Align,
    /// A constant the kernel removed, acknowledged by the schema.
    Removed,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rule::Published => "a published revision never changes; changes go in a new revision",
            Rule::Append => "a struct may grow only at its end",
            Rule::Union => {
                "a union may gain members; it may grow only when it is the struct's last member"
            }
            Rule::Repurpose => "reserved bytes may be re-purposed only together with a new flag",
            Rule::Keep => {
                "members, constants and flags are never removed, moved, resized or retyped"
            }
            Rule::Wrap => "a member may be wrapped in a union that keeps its name, offset and type, together with a new flag (its struct's, or that of the struct whose array holds it)",
            Rule::AbiFix => {
                "a shipped ABI trap may be fixed in a revision the schema names (abi_trap.fixed)"
            }
            Rule::Sentinel => {
                "a sentinel (one past the last valid value) moves when values are added"
            }
            Rule::Align => "a struct's alignment never changes on any target (it may grow only for a struct nothing embeds)",
            Rule::Removed => "a constant is removed only where the kernel removed it, with the schema's reason (`removed`)",
        })
    }
}

/// What a change is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A revision, by id.
    Revision(String),
    /// A struct, by name.
    Struct(String),
    /// A constant, by name.
    Constant(String),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Revision(r) => write!(f, "revision {r}"),
            Subject::Struct(s) => write!(f, "struct {s}"),
            Subject::Constant(c) => write!(f, "constant {c}"),
        }
    }
}

/// A member as a change names it. When a re-purposing hands a reserved member's name on to a
/// new member on its bytes (`__u32 __reserved` → `__u8 x; __u8 __reserved[3]`), the old one is
/// named with the revision that ended it (`__reserved (until v6_15)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberName {
    /// Its path.
    pub path: String,
    /// The revision its name was handed on in.
    pub until: Option<String>,
}

impl fmt::Display for MemberName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)?;
        match &self.until {
            Some(r) => write!(f, " (until {r})"),
            None => Ok(()),
        }
    }
}

/// One difference between two states of an ABI. The comparison of a published revision with
/// its new state (`published.rs`) says only what differs; the comparison of a revision with
/// the one before (`extension.rs`) also records the facts its rules judge by (which way a
/// member's size went, whether a flag came with it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// `diff`: a revision of OLD is not in NEW.
    RevisionRemoved,
    /// A revision of the lock is not in the schema.
    RevisionUnpublished,
    /// `diff`: the first revision of NEW, which OLD does not have.
    FirstRevision,
    /// A struct is gone.
    StructRemoved,
    /// A new struct.
    StructAdded {
        /// Into a revision that was published already.
        published: bool,
    },
    /// `sizeof` differs on a target.
    SizeChanged {
        /// The target.
        target: TargetId,
        /// Before.
        from: u64,
        /// After; None when the new state has no such target.
        to: Option<u64>,
    },
    /// `alignof` differs on a target.
    AlignChanged {
        /// The target.
        target: TargetId,
        /// Before.
        from: u64,
        /// After; None when the new state has no such target.
        to: Option<u64>,
    },
    /// A flag its fields accepted is no longer accepted.
    FlagDropped {
        /// The flag constant.
        flag: String,
    },
    /// Its fields accept a new flag.
    FlagGained {
        /// The flag constant.
        flag: String,
    },
    /// A member is gone.
    MemberRemoved {
        /// Its path.
        path: String,
        /// Its offset.
        offset: u64,
        /// Its size.
        size: u64,
    },
    /// A member is at another offset.
    MemberMoved {
        /// Its path.
        path: String,
        /// Before.
        from: u64,
        /// After.
        to: u64,
    },
    /// A member has another size.
    MemberResized {
        /// Its path.
        path: String,
        /// Before.
        from: u64,
        /// After.
        to: u64,
    },
    /// A member got smaller (its offset and type kept).
    MemberShrank {
        /// Its path.
        path: String,
        /// Before.
        from: u64,
        /// After.
        to: u64,
        /// It is a union.
        union: bool,
    },
    /// An untagged struct that ended the struct, in no union, got larger: its new members
    /// are appended at the struct's end (`struct { __u32 tail; __u32 more; };`).
    EndStructGrew {
        /// Its path.
        path: String,
        /// Before.
        from: u64,
        /// After.
        to: u64,
    },
    /// A member got larger (its offset and type kept).
    MemberGrew {
        /// Its path.
        path: String,
        /// Before.
        from: u64,
        /// After.
        to: u64,
        /// It is a union.
        union: bool,
        /// It is the struct's last top-level member.
        last: bool,
    },
    /// A member has another type.
    MemberRetyped {
        /// Its path.
        path: String,
        /// Before.
        from: MemberType,
        /// After.
        to: MemberType,
    },
    /// A member became, or stopped being, reserved.
    ReservedMarkingChanged {
        /// Its path.
        path: String,
    },
    /// A new member in a published revision.
    MemberAdded {
        /// Its path.
        path: String,
    },
    /// The members both states have are in another order.
    MembersReordered,
    /// A new member after the old struct's end.
    MemberAppended {
        /// Its path.
        path: String,
        /// Its offset.
        offset: u64,
        /// The first flag the revision added to the struct.
        flag: Option<String>,
    },
    /// A new member of a union the old struct has.
    UnionMemberAdded {
        /// Its path.
        path: String,
    },
    /// A new member inside the old struct's bytes.
    MemberInserted {
        /// Its path.
        path: String,
        /// Its offset.
        offset: u64,
        /// The old struct's size (x86-64).
        old_size: u64,
    },
    /// A reserved member gone, new members on its bytes.
    ReservedRepurposed {
        /// The reserved member.
        reserved: MemberName,
        /// The new members on its bytes.
        into: Vec<String>,
        /// The first flag the revision added to the struct.
        flag: Option<String>,
    },
    /// A member wrapped in a new union that keeps its name, offset and type.
    Wrapped {
        /// The member.
        member: String,
        /// The union's other new members.
        with: Vec<String>,
        /// The first flag the revision added to the struct.
        flag: Option<String>,
    },
    /// A constant is gone.
    ConstantRemoved,
    /// A constant has another value.
    ConstantChanged {
        /// Before.
        from: u64,
        /// After.
        to: u64,
        /// The constant is a sentinel in the new state.
        sentinel: bool,
    },
    /// A new constant.
    ConstantAdded {
        /// Its value.
        value: u64,
    },
}

impl Change {
    /// A published revision never changes: every difference breaks its rule, an alignment
    /// change the alignment rule.
    pub fn judge_published(&self) -> (Verdict, Rule) {
        match self {
            Change::AlignChanged { .. } => (Verdict::Breaking, Rule::Align),
            _ => (Verdict::Breaking, Rule::Published),
        }
    }

    /// How a change from one revision to the next is judged.
    pub fn judge_extension(&self) -> (Verdict, Rule) {
        use Verdict::{Breaking, Compatible};
        let with_flag = |flag: &Option<String>| if flag.is_some() { Compatible } else { Breaking };
        match self {
            Change::RevisionRemoved | Change::RevisionUnpublished => (Breaking, Rule::Published),
            Change::FirstRevision => (Compatible, Rule::Append),
            Change::StructAdded { published: true } => (Breaking, Rule::Published),
            Change::StructAdded { published: false } => (Compatible, Rule::Append),
            Change::AlignChanged { .. } => (Breaking, Rule::Align),
            Change::MemberShrank { union, .. } => {
                (Breaking, if *union { Rule::Union } else { Rule::Keep })
            }
            Change::MemberGrew {
                union: true,
                last: true,
                ..
            } => (Compatible, Rule::Union),
            Change::MemberGrew { union, .. } => {
                (Breaking, if *union { Rule::Union } else { Rule::Append })
            }
            Change::MemberAppended { .. } | Change::EndStructGrew { .. } => {
                (Compatible, Rule::Append)
            }
            Change::UnionMemberAdded { .. } => (Compatible, Rule::Union),
            Change::MemberInserted { .. } => (Breaking, Rule::Append),
            Change::ReservedRepurposed { flag, .. } => (with_flag(flag), Rule::Repurpose),
            Change::Wrapped { flag, .. } => (with_flag(flag), Rule::Wrap),
            Change::ConstantChanged { sentinel: true, .. } => (Compatible, Rule::Sentinel),
            Change::ConstantAdded { .. } => (Compatible, Rule::Keep),
            // Some of these only the published comparison reports (a revision's size is
            // judged through its members here); whatever changes what exists breaks.
            Change::StructRemoved
            | Change::SizeChanged { .. }
            | Change::FlagDropped { .. }
            | Change::FlagGained { .. }
            | Change::MemberRemoved { .. }
            | Change::MemberMoved { .. }
            | Change::MemberResized { .. }
            | Change::MemberRetyped { .. }
            | Change::ReservedMarkingChanged { .. }
            | Change::MemberAdded { .. }
            | Change::MembersReordered
            | Change::ConstantRemoved
            | Change::ConstantChanged { .. } => (Breaking, Rule::Keep),
        }
    }
}

fn or_dash(x: &Option<u64>) -> String {
    x.map_or("-".into(), |x| x.to_string())
}

fn with_flag(flag: &Option<String>) -> String {
    flag.as_ref()
        .map_or(String::new(), |f| format!(", with flag {f}"))
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::RevisionRemoved | Change::StructRemoved | Change::ConstantRemoved => {
                f.write_str("removed")
            }
            Change::RevisionUnpublished => f.write_str("published, but no longer in the schema"),
            Change::FirstRevision => f.write_str("first revision"),
            Change::StructAdded { published: true } => f.write_str("added to a published revision"),
            Change::StructAdded { published: false } => f.write_str("added"),
            Change::SizeChanged { target, from, to } => write!(
                f,
                "sizeof changed from {from} to {} on {}",
                or_dash(to),
                triple(*target)
            ),
            Change::AlignChanged { target, from, to } => write!(
                f,
                "alignment changed from {from} to {} on {}",
                or_dash(to),
                triple(*target)
            ),
            Change::FlagDropped { flag } => write!(f, "flag `{flag}` no longer accepted"),
            Change::FlagGained { flag } => write!(f, "gained flag `{flag}`"),
            Change::MemberRemoved { path, offset, size } => {
                write!(f, "member `{path}` (@{offset} +{size}) removed")
            }
            Change::MemberMoved { path, from, to } => {
                write!(f, "member `{path}` moved from offset {from} to {to}")
            }
            Change::MemberResized { path, from, to } => {
                write!(f, "member `{path}` size changed from {from} to {to}")
            }
            Change::MemberShrank { path, from, to, .. } => {
                write!(f, "member `{path}` shrank from {from} to {to} bytes")
            }
            Change::MemberGrew {
                path,
                from,
                to,
                union,
                last,
            } => {
                let what = if *union && *last { "last union" } else { "member" };
                write!(f, "{what} `{path}` grew from {from} to {to} bytes")
            }
            Change::EndStructGrew { path, from, to } => {
                write!(f, "untagged struct `{path}` at the end grew from {from} to {to} bytes")
            }
            Change::MemberRetyped { path, from, to } => {
                write!(f, "member `{path}` type changed from `{from}` to `{to}`")
            }
            Change::ReservedMarkingChanged { path } => {
                write!(f, "member `{path}` reserved marking changed")
            }
            Change::MemberAdded { path } => write!(f, "member `{path}` added"),
            Change::MembersReordered => f.write_str("members reordered"),
            Change::MemberAppended { path, offset, flag } => write!(
                f,
                "member `{path}` appended at offset {offset}{}",
                with_flag(flag)
            ),
            Change::UnionMemberAdded { path } => write!(f, "union member `{path}` added"),
            Change::MemberInserted {
                path,
                offset,
                old_size,
            } => write!(
                f,
                "member `{path}` inserted at offset {offset}, inside the old struct ({old_size} bytes)"
            ),
            Change::ReservedRepurposed {
                reserved,
                into,
                flag: Some(flag),
            } => write!(
                f,
                "reserved `{reserved}` re-purposed as {}, with flag {flag}",
                into.join(", ")
            ),
            Change::ReservedRepurposed {
                reserved,
                into,
                flag: None,
            } => write!(
                f,
                "reserved `{reserved}` re-purposed as {} with no new flag",
                into.join(", ")
            ),
            Change::Wrapped {
                member,
                with,
                flag: Some(flag),
            } => write!(
                f,
                "`{member}` wrapped in a union with {}, with flag {flag}",
                with.join(", ")
            ),
            Change::Wrapped {
                member,
                with,
                flag: None,
            } => write!(
                f,
                "`{member}` wrapped in a union with {} with no new flag",
                with.join(", ")
            ),
            Change::ConstantChanged { from, to, .. } => {
                write!(f, "value changed from {from:#x} to {to:#x}")
            }
            Change::ConstantAdded { value } => write!(f, "added ({value:#x})"),
        }
    }
}

/// One change, where it is and how it is judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Compatible or breaking.
    pub verdict: Verdict,
    /// The revision the change is in.
    pub revision: String,
    /// The struct, constant or revision it concerns.
    pub subject: Subject,
    /// What changed.
    pub change: Change,
    /// The rule that classifies it.
    pub rule: Rule,
    /// The note of the acknowledged ABI trap whose fix this change is (it is then compatible,
    /// under [`Rule::AbiFix`], whatever it would break otherwise).
    pub abi_fix: Option<String>,
}

impl Finding {
    /// `change`, judged by `judge`.
    pub fn new(
        revision: &str,
        subject: &Subject,
        change: Change,
        judge: fn(&Change) -> (Verdict, Rule),
    ) -> Finding {
        let (verdict, rule) = judge(&change);
        Finding {
            verdict,
            revision: revision.to_string(),
            subject: subject.clone(),
            change,
            rule,
            abi_fix: None,
        }
    }

    /// Made deliberate by the revision that fixed the struct's acknowledged ABI trap.
    pub fn acknowledge(&mut self, note: &str) {
        self.verdict = Verdict::Compatible;
        self.rule = Rule::AbiFix;
        self.abi_fix = Some(note.to_string());
    }

    /// A constant the kernel removed, with the schema's reason.
    pub fn acknowledge_removal(&mut self, note: &str) {
        self.verdict = Verdict::Compatible;
        self.rule = Rule::Removed;
        self.abi_fix = Some(note.to_string());
    }

    /// What changed, as the messages say it.
    pub fn what(&self) -> String {
        match (&self.abi_fix, self.rule) {
            (Some(note), Rule::Removed) => {
                format!("{} (removed by the kernel: {note})", self.change)
            }
            (Some(note), _) => format!("{} (acknowledged ABI fix: {note})", self.change),
            (None, _) => self.change.to_string(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = match self.verdict {
            Verdict::Compatible => "compatible",
            Verdict::Breaking => "breaking",
        };
        write!(
            f,
            "{v}: {} (revision {}): {} [{}]",
            self.subject,
            self.revision,
            self.what(),
            self.rule
        )
    }
}
