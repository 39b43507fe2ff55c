//! The compatibility matrix: for every struct with a size convention and every pair (user
//! revision u, kernel revision k), the cases of iommu.rst's "Compatibility Checking":
//! 1. exact match (u = k): accepted;
//! 2. old user on a new kernel (u < k): accepted, the missing tail zero-filled;
//! 3. new user on an old kernel using only what k knows: accepted;
//! 4. new user using a field or flag k lacks: what k's kernel does (-E2BIG for a size
//!    convention's non-zero tail, k's flag rule's errno, or, for argsz bytes past k's size,
//!    silently ignored);
//! 5. a malicious in-range size with garbage: exactly what k's kernel does, never an over-read.
//!
//! The expected outcome of each case is k's kernel as the IR interpreter plays it (the
//! schema's semantics); each implementation under test (generated C, generated Rust) must
//! give the same errno and bytes, and cases 1–3 must be accepted by all.

use std::fmt::Write as _;

use serde::Serialize;
use uapigen_uaccess::{Errno, UserMemory};

use crate::interpret::{self, UserData};
use crate::ir::*;
use crate::model::{RevId, StructId, TargetId, Test};
use crate::Checked;

/// Where the matrix puts user buffers.
pub const BASE: u64 = 0x10_0000;

/// A user buffer at `BASE` of which the first `readable` bytes can be read; it remembers the
/// furthest byte read.
pub struct Buffer {
    /// The user's bytes, at `BASE`.
    pub bytes: Vec<u8>,
    /// How many of them can be read; a read beyond faults.
    pub readable: usize,
    /// The furthest byte read so far.
    pub read_end: std::cell::Cell<usize>,
}

impl Buffer {
    /// A buffer whose every byte can be read.
    pub fn new(bytes: Vec<u8>) -> Buffer {
        let readable = bytes.len();
        Buffer {
            bytes,
            readable,
            read_end: std::cell::Cell::new(0),
        }
    }
}

impl UserMemory for Buffer {
    fn copy_from_user(&self, dst: &mut [u8], addr: u64) -> usize {
        let mut n = 0;
        for (i, d) in dst.iter_mut().enumerate() {
            let Some(a) = addr.checked_add(i as u64) else {
                break;
            };
            let off = a.wrapping_sub(BASE) as usize;
            if a < BASE || off >= self.readable.min(self.bytes.len()) {
                break;
            }
            *d = self.bytes[off];
            n += 1;
        }
        if n > 0 {
            let end = (addr - BASE) as usize + n;
            self.read_end.set(self.read_end.get().max(end));
        }
        dst.len() - n
    }
}

/// One case the matrix plays.
#[derive(Debug, Clone)]
pub struct Case {
    /// The struct.
    pub struct_name: String,
    /// The kernel's revision.
    pub kernel: RevId,
    /// The user's bytes.
    pub bytes: Vec<u8>,
    /// Driver data's (type, length), which the enclosing command gives.
    pub user_data: Option<(u32, u32)>,
    /// What the case is, for a report.
    pub what: String,
    /// Cases 1–3: every implementation must accept it.
    pub must_accept: bool,
    /// Case 2: bytes from here to the kernel's size must come back zero.
    pub zero_from: Option<usize>,
    /// The furthest byte the convention allows to be read.
    pub read_bound: usize,
}

/// One case's outcome in an implementation: the kernel's bytes or its errno, and the furthest
/// byte read when the implementation can tell.
pub type Outcome = (Result<Vec<u8>, Errno>, Option<usize>);

/// Where and how an implementation stopped before it answered every case: a process that
/// died (a signal, an early exit) or stopped answering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    /// The case it was running: an index into the cases it was given.
    pub at: usize,
    /// What happened, for the report (`the harness was killed by signal 11 (SIGSEGV)`).
    pub how: String,
    /// It did not answer in time and was killed, rather than dying on its own.
    pub hung: bool,
}

/// An implementation of the validators of every revision: generated C, generated Rust...
pub trait Implementation {
    /// The implementation's name in reports.
    fn name(&self) -> &str;
    /// Runs every case; per case its outcome and the furthest byte read (if it can tell).
    fn run(&mut self, cases: &[Case]) -> Vec<Outcome>;
    /// Runs the cases until the implementation stops: the outcomes of the cases it answered
    /// (the first `stop.at` when it stopped) and where and how it stopped. What the matrix
    /// calls; an implementation that runs in this process cannot stop and keeps the default.
    fn run_until_stopped(&mut self, cases: &[Case]) -> (Vec<Outcome>, Option<Stop>) {
        (self.run(cases), None)
    }
}

/// The IR interpreter as an implementation (what `uapigen matrix` runs when nothing else is
/// asked for, and the oracle).
pub struct Interpreter<'a> {
    /// The families whose kernels it plays.
    pub families: &'a [Checked],
}

impl Interpreter<'_> {
    /// What the kernel of `case.kernel` makes of the bytes in `mem`.
    pub fn kernel(&self, case: &Case, mem: &Buffer) -> Result<Vec<u8>, Errno> {
        let (c, s) = find(self.families, &case.struct_name).expect("case names a struct");
        let plan = c
            .rev(case.kernel)
            .validator(s)
            .expect("cases are made for validated structs that exist");
        let ud = case
            .user_data
            .map(|(data_type, len)| UserData { data_type, len });
        interpret::run(plan, mem, BASE, ud).map_err(|r| r.errno)
    }
}

impl Implementation for Interpreter<'_> {
    fn name(&self) -> &str {
        "interpreter"
    }
    fn run(&mut self, cases: &[Case]) -> Vec<Outcome> {
        cases
            .iter()
            .map(|c| {
                let m = Buffer::new(c.bytes.clone());
                (self.kernel(c, &m), Some(m.read_end.get()))
            })
            .collect()
    }
}

/// The family and id of struct `name`.
pub fn find<'a>(families: &'a [Checked], name: &str) -> Option<(&'a Checked, StructId)> {
    families.iter().find_map(|c| {
        c.family
            .structs_by_id()
            .find(|(_, st)| st.name == name)
            .map(|(s, _)| (c, s))
    })
}

/// The smallest valid instance of struct `s` at revision `r` (size field set, every
/// `equals`, `nonzero`, `not_equals`, `has` and `at_least` of a rule whose `when` holds
/// satisfied in the order the rules give, again until nothing changes (a rule that applies to
/// zero flags, "without VADDR, READ or WRITE", sets a bit), the rest zero), or why there is
/// none: the rule with which the interpreter refuses it.
fn example(c: &Checked, s: StructId, r: RevId) -> Result<Vec<u8>, String> {
    let view = c.rev(r);
    let fam = view.family();
    let st = view.get(s);
    let Some(plan) = view.validator(s) else {
        return Err(format!("struct {} has no size convention", st.name));
    };
    let size = plan.size as usize;
    let mut b = vec![0u8; size];
    if plan.convention != Convention::UserData && size >= 4 {
        b[..4].copy_from_slice(&(size as u32).to_le_bytes());
    }
    // Each pass sets what a rule that applies asks for; a few passes reach what setting one
    // field makes another rule apply to.
    for _ in 0..4 {
        let before = b.clone();
        for rule in &plan.rules {
            if !crate::model::plan::all(&rule.when, &b) {
                continue;
            }
            for op in &rule.require {
                if op.field.is_none() {
                    continue;
                }
                let (off, len) = (op.offset, op.size);
                let cur = interpret::read(&b, off, len.min(8));
                let value = match op.test {
                    Test::Eq(x) => x,
                    Test::NonZero if cur == 0 => 1,
                    Test::Ne(x) if cur == x => x.wrapping_add(1),
                    Test::Has(x) => cur | x,
                    Test::AtLeast(x) => cur.max(x),
                    _ => continue,
                };
                let (off, len) = (off as usize, len as usize);
                b[off..off + len.min(8)].copy_from_slice(&value.to_le_bytes()[..len.min(8)]);
            }
        }
        if b == before {
            break;
        }
    }
    // A struct carrying payloads: PROBE the first one this revision has, which needs no data.
    if let Some((pp, c)) = plan
        .payload
        .as_ref()
        .and_then(|pp| pp.cases.first().map(|c| (pp, c)))
    {
        let (off, len) = (pp.offset, pp.size.min(8));
        let cur = interpret::read(&b, off, len) & !pp.mask;
        let v = cur | c.value | pp.probe;
        let (off, len) = (off as usize, len as usize);
        b[off..off + len].copy_from_slice(&v.to_le_bytes()[..len]);
    }
    let ud = user_data_of(fam, s, size);
    let m = Buffer::new(b.clone());
    interpret::run(
        plan,
        &m,
        BASE,
        ud.map(|(t, l)| UserData {
            data_type: t,
            len: l,
        }),
    )
    .map_err(|e| {
        format!(
            "{}'s kernel refuses the struct the matrix starts from (size set, the unconditional \
             rules satisfied as far as the matrix can, the rest zero): -{} ({})",
            c.history.rev(r).id,
            e.errno.name(),
            e.rule
        )
    })?;
    Ok(b)
}

/// The sizes the malicious cases play, up to 16 past the largest revision: every one for a
/// struct up to 1 KiB; for a larger one every size up to 256 and every size near a boundary
/// the kernel's behaviour depends on (a revision's min_size and size, a member's start and
/// end), so the cases grow with the members, not with the square of the size.
fn garbage_sizes(c: &Checked, s: StructId) -> Vec<usize> {
    let largest = c
        .revisions
        .iter()
        .map(|(_, l)| l[0].struct_(s).size as usize)
        .max()
        .unwrap_or(0);
    let top = largest + 16;
    if top <= 1024 {
        return (0..=top).collect();
    }
    let mut sizes: Vec<usize> = (0..=256).chain(top - 16..=top).collect();
    let mut near = |x: usize| sizes.extend(x.saturating_sub(2)..=(x + 2).min(top));
    for view in c.revs() {
        // Every revision's layout, those before the struct existed included.
        let l = view.layout(s, TargetId::DEFAULT);
        near(l.size as usize);
        if let Some(p) = view.validator(s) {
            near(p.min_size as usize);
        }
        for m in &l.members {
            near(m.offset as usize);
            near((m.offset + m.size) as usize);
        }
    }
    sizes.sort_unstable();
    sizes.dedup();
    sizes
}

fn user_data_of(fam: &Family, s: StructId, len: usize) -> Option<(u32, u32)> {
    let st = fam.struct_(s);
    (st.convention == Some(Convention::UserData)).then(|| {
        (
            st.validation
                .as_ref()
                .and_then(|v| v.data_type.as_ref())
                .map_or(0, |d| d.1 as u32),
            len as u32,
        )
    })
}

fn set_size(conv: Convention, b: &mut [u8], size: usize) {
    if conv != Convention::UserData && b.len() >= 4 {
        b[..4].copy_from_slice(&(size as u32).to_le_bytes());
    }
}

fn read_bound(conv: Convention, min: usize, ksize: usize, usize: usize) -> usize {
    match conv {
        Convention::Argsz => min.max(usize.min(ksize)),
        Convention::Size => 4usize.max(usize),
        Convention::UserData => usize,
    }
}

/// A small deterministic generator for garbage bytes (no dependency for a test input).
fn garbage(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// The rule of the kernel's plan that refuses an old user's `bytes` (zero-extended to the
/// kernel's `size_k`) and that the user's own revision did not have: a check the kernel began
/// making later (a rule's `since`, iommufd's READ-or-WRITE of v6.11), which may refuse what
/// an old user sends. None when the kernel accepts, or refuses by a rule both revisions have.
fn tightened_by(
    user: Option<&crate::model::ValidatorPlan>,
    kernel: Option<&crate::model::ValidatorPlan>,
    bytes: &[u8],
    size_k: usize,
) -> Option<String> {
    let (user, kernel) = (user?, kernel?);
    let mut at_k = bytes.to_vec();
    at_k.resize(size_k.max(bytes.len()), 0);
    let refusal = interpret::check_plan(kernel, &at_k).err()?;
    (!user.rules.iter().any(|r| r.text == refusal.rule)).then_some(refusal.rule)
}

/// Every case of the cell (u, k) of struct `s`, or why the cell has none.
pub fn cell_cases(c: &Checked, s: StructId, u: RevId, k: RevId) -> Result<Vec<Case>, String> {
    let name = c.family.struct_(s).name.clone();
    let (user, kernel) = (c.rev(u), c.rev(k));
    // The kernel's: a later revision may copy the struct otherwise (`convention_change`).
    let conv = kernel
        .validator(s)
        .map(|p| p.convention)
        .ok_or_else(|| format!("struct {name} has no validator in the kernel's revision"))?;
    let (fam_u, fam_k) = (user.family(), kernel.family());
    let size_u = user.layout(s, TargetId::DEFAULT).size as usize;
    let size_k = kernel.layout(s, TargetId::DEFAULT).size as usize;
    let min_k = kernel.validator(s).map_or(0, |p| p.min_size) as usize;
    let mut out = Vec::new();
    let mut push = |bytes: Vec<u8>, what: String, must_accept: bool, zero_from: Option<usize>| {
        let usize = if conv == Convention::UserData {
            bytes.len()
        } else {
            u32::from_le_bytes(bytes[..4].try_into().unwrap_or([0; 4])) as usize
        };
        let ud = user_data_of(fam_k, s, bytes.len());
        out.push(Case {
            struct_name: name.clone(),
            kernel: k,
            read_bound: read_bound(conv, min_k, size_k, usize),
            user_data: ud,
            bytes,
            what,
            must_accept,
            zero_from,
        });
    };
    let base = example(c, s, u.min(k))?;
    // The user's struct is its revision's size; what it sets is what min(u, k) knows.
    let mut mine = base.clone();
    mine.resize(size_u, 0);
    set_size(conv, &mut mine, size_u);
    let tightened = if u < k {
        tightened_by(user.validator(s), kernel.validator(s), &mine, size_k)
    } else {
        None
    };
    let class = match (u.cmp(&k), &tightened) {
        (std::cmp::Ordering::Equal, _) => "exact match".to_string(),
        (std::cmp::Ordering::Less, None) => "old user, new kernel".to_string(),
        (std::cmp::Ordering::Less, Some(rule)) => format!(
            "old user, new kernel, refused by a check the kernel began making after the \
             user's revision ({rule})"
        ),
        (std::cmp::Ordering::Greater, _) => "new user, old kernel, known features only".to_string(),
    };
    // Driver data longer than the kernel's struct is refused (-EINVAL), not zero-checked.
    let acceptable = !(conv == Convention::UserData && size_u > size_k) && tightened.is_none();
    push(mine.clone(), class, acceptable, (u < k).then_some(size_u));

    if u > k {
        // A field revision u added, set: past k's size (a tail k must refuse or ignore) or
        // inside it (re-purposed bytes).
        for m in &user.layout(s, TargetId::DEFAULT).members {
            let Some(f) = crate::layout::field_at(fam_u.struct_(s), &m.index) else {
                continue;
            };
            // A flexible array member has no byte within sizeof for the user to set: its
            // elements are the caller's, past what any validator copies.
            if c.history.rev(k).has(f.since, RevSet::EMPTY)
                || !matches!(f.ty, FieldType::Scalar(_))
                || f.flexible.is_some()
            {
                continue;
            }
            let mut b = mine.clone();
            b[m.offset as usize] = 1;
            push(
                b,
                format!(
                    "new user sets `{}` (since {}), unknown to {}",
                    m.path,
                    c.history.revs_named(f.since),
                    c.history.rev(k).id
                ),
                false,
                None,
            );
        }
        // A flag revision u added, in a field k has.
        for m in &kernel.layout(s, TargetId::DEFAULT).members {
            let Some(f) = crate::layout::field_at(fam_k.struct_(s), &m.index) else {
                continue;
            };
            let Some(g) = f.flags else { continue };
            for flag in fam_u
                .group(g)
                .values
                .iter()
                .filter(|v| !c.history.rev(k).has(v.since, RevSet::EMPTY))
            {
                let mut b = mine.clone();
                let (off, len) = (m.offset as usize, (m.size as usize).min(8));
                let cur = crate::interpret::read(&b, m.offset, len as u64) | flag.value;
                b[off..off + len].copy_from_slice(&cur.to_le_bytes()[..len]);
                push(
                    b,
                    format!(
                        "new user sets flag {} (since {}) in `{}`",
                        flag.name,
                        c.history.revs_named(flag.since),
                        m.path
                    ),
                    false,
                    None,
                );
            }
        }
    }
    payload_cases(c, s, u, k, &mine, &mut push);
    // Malicious: sizes from 0 to past the largest revision of the struct, over garbage.
    // What the kernel does with them does not depend on the user's revision, so they are
    // played once per kernel, in its diagonal cell.
    if u == k {
        for n in garbage_sizes(c, s) {
            // The seed only needs to differ per cell and size, so the numbers serve.
            let seed = (s.0 * 131 + u.0 * 17 + k.0) as u64 * 1000 + n as u64;
            let mut b = garbage(seed, n.max(4));
            set_size(conv, &mut b, n);
            b.truncate(if conv == Convention::UserData {
                n
            } else {
                n.max(4)
            });
            push(b, format!("garbage with size {n}"), false, None);
        }
    }
    Ok(out)
}

/// The cases of a struct carrying payloads (VFIO_DEVICE_FEATURE), on the user's struct
/// `mine`: in the diagonal cell, per payload k's kernel has, a PROBE with no data, each
/// supported operation with exactly the payload's bytes (accepted), one byte short, an
/// operation it does not support (alone and with PROBE), none at all (refused), and one
/// selector no payload has; off the diagonal, with a newer user, each payload the user's
/// revision has and k's lacks. The bytes are the struct, argsz counting the payload's bytes,
/// then the payload (zero).
fn payload_cases(
    c: &Checked,
    s: StructId,
    u: RevId,
    k: RevId,
    mine: &[u8],
    push: &mut impl FnMut(Vec<u8>, String, bool, Option<usize>),
) {
    let (user, kernel) = (c.rev(u), c.rev(k));
    let (Some(pk), Some(pu)) = (
        kernel.validator(s).and_then(|p| p.payload.as_ref()),
        user.validator(s).and_then(|p| p.payload.as_ref()),
    ) else {
        return;
    };
    let Some(ir) = kernel
        .get(s)
        .validation
        .as_ref()
        .and_then(|v| v.payload.as_ref())
    else {
        return;
    };
    let (get, set, probe) = (ir.get.text(), ir.set.text(), ir.probe.text());
    let bytes = |flags: u64, len: u64| -> Vec<u8> {
        let mut b = mine.to_vec();
        let (off, n) = (pk.offset as usize, pk.size.min(8) as usize);
        let cur =
            interpret::read(&b, pk.offset, n as u64) & !(pk.mask | pk.get | pk.set | pk.probe);
        b[off..off + n].copy_from_slice(&(cur | flags).to_le_bytes()[..n]);
        let argsz = pk.base + len;
        b[..4].copy_from_slice(&(argsz as u32).to_le_bytes());
        b.resize(pk.base.max(mine.len() as u64) as usize + len as usize, 0);
        b
    };
    if u == k {
        for p in &pk.cases {
            let n = &p.name;
            push(
                bytes(p.value | pk.probe, 0),
                format!("payload: PROBE {n}, no data"),
                true,
                None,
            );
            for (op, opname) in [(pk.get, &get), (pk.set, &set)] {
                if p.ops & op == 0 {
                    push(
                        bytes(p.value | op, p.minsz),
                        format!("payload: {opname} {n}, which it does not support"),
                        false,
                        None,
                    );
                    push(
                        bytes(p.value | op | pk.probe, 0),
                        format!("payload: PROBE {opname} {n}, which it does not support"),
                        false,
                        None,
                    );
                    continue;
                }
                push(
                    bytes(p.value | op, p.minsz),
                    format!("payload: {opname} {n} with its {} bytes", p.minsz),
                    true,
                    None,
                );
                if p.minsz > 0 {
                    push(
                        bytes(p.value | op, p.minsz - 1),
                        format!("payload: {opname} {n} one byte short"),
                        false,
                        None,
                    );
                }
            }
            push(
                bytes(p.value, p.minsz),
                format!("payload: {n} without {get}, {set} or {probe}"),
                false,
                None,
            );
        }
        if let Some(v) = (0..=pk.mask.min(1 << 16))
            .filter(|v| v & !pk.mask == 0)
            .find(|v| pk.cases.iter().all(|p| p.value != *v))
        {
            push(
                bytes(v | pk.probe, 0),
                format!("payload: PROBE {v:#x}, which selects no payload"),
                false,
                None,
            );
        }
    } else if u > k {
        for p in pu
            .cases
            .iter()
            .filter(|p| pk.cases.iter().all(|q| q.value != p.value))
        {
            let op = if p.ops & pk.get != 0 { pk.get } else { pk.set };
            push(
                bytes(p.value | op, p.minsz),
                format!(
                    "payload: new user asks for {}, unknown to {}",
                    p.name,
                    c.history.rev(k).id
                ),
                false,
                None,
            );
        }
    }
}

/// One cell of the matrix: one user revision against one kernel revision.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "result", rename_all = "lowercase")]
pub enum CellResult {
    /// Every case as expected.
    Pass {
        /// How many cases.
        cases: usize,
    },
    /// The first unexpected case.
    Fail {
        /// Which implementation.
        implementation: String,
        /// What the case is.
        case: String,
        /// The expected outcome.
        expected: String,
        /// What happened.
        got: String,
    },
    /// No case could be built, so nothing was checked: it fails the run like a FAIL (every
    /// cell of a validated struct has at least its accepted case), shown apart from one.
    Empty {
        /// Why there is no case.
        reason: String,
    },
    /// The implementation died while it ran a case of this cell (its process was killed by a
    /// signal or exited): the rest of the cell was not run; the matrix went on from the next
    /// cell in a fresh process.
    Crash {
        /// Which implementation.
        implementation: String,
        /// The case it died on.
        case: String,
        /// How it died.
        how: String,
    },
    /// The implementation did not answer a case of this cell in time and was killed: the rest
    /// of the cell was not run.
    Hang {
        /// Which implementation.
        implementation: String,
        /// The case it did not answer.
        case: String,
        /// What the time limit was.
        how: String,
    },
}

/// One struct's matrix.
#[derive(Debug, Clone, Serialize)]
pub struct StructMatrix {
    /// The family.
    pub family: String,
    /// The struct.
    #[serde(rename = "struct")]
    pub name: String,
    /// `argsz`, `size` or `user_data`: the newest revision's.
    pub convention: String,
    /// Each revision's (of `revisions`), which differ where a later kernel copies the struct
    /// otherwise (`convention_change`).
    pub conventions: Vec<String>,
    /// Revision ids where the struct exists: rows (user) and columns (kernel).
    pub revisions: Vec<String>,
    /// `cells[user][kernel]`.
    pub cells: Vec<Vec<CellResult>>,
}

/// The whole matrix.
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    /// No unexpected cell.
    pub ok: bool,
    /// The implementations run.
    pub implementations: Vec<String>,
    /// One matrix per validated struct.
    pub structs: Vec<StructMatrix>,
}

fn show(r: &Result<Vec<u8>, Errno>) -> String {
    match r {
        Ok(_) => "accepted".to_string(),
        Err(e) => format!("-{}", e.name()),
    }
}

impl Matrix {
    /// How many cases the passing cells played.
    pub fn passed_cases(&self) -> usize {
        self.structs
            .iter()
            .flat_map(|s| s.cells.iter().flatten())
            .map(|c| {
                if let CellResult::Pass { cases } = c {
                    *cases
                } else {
                    0
                }
            })
            .sum()
    }
}

/// (family, struct, user revision, kernel revision, its cases in the batch or why it has none).
type CellSpec = (
    usize,
    StructId,
    RevId,
    RevId,
    Result<std::ops::Range<usize>, String>,
);

/// The revisions that validate struct `s`: those it exists in, but one whose layout has holes
/// (an acknowledged ABI trap, vfio's `vfio_device_ioeventfd` before v6.12) has no validator.
fn validated_revs(c: &Checked, s: StructId) -> Vec<RevId> {
    c.revs()
        .filter(|v| v.exists(s) && v.validator(s).is_some())
        .map(|v| v.id())
        .collect()
}

/// Runs the matrix of every validated struct through `implementations`, against the oracle.
pub fn run(families: &[Checked], implementations: &mut [&mut dyn Implementation]) -> Matrix {
    let oracle = Interpreter { families };
    // All cases first, so each implementation runs them in one batch (one C process).
    let mut cells: Vec<CellSpec> = Vec::new();
    let mut cases = Vec::new();
    for (ci, c) in families.iter().enumerate() {
        for (si, st) in c.family.structs_by_id() {
            if st.validation.is_none() {
                continue;
            }
            let revs = validated_revs(c, si);
            for &u in &revs {
                for &k in &revs {
                    let start = cases.len();
                    let range = cell_cases(c, si, u, k).map(|cs| {
                        cases.extend(cs);
                        start..cases.len()
                    });
                    cells.push((ci, si, u, k, range));
                }
            }
        }
    }
    let expected: Vec<Result<Vec<u8>, Errno>> = cases
        .iter()
        .map(|c| oracle.kernel(c, &Buffer::new(c.bytes.clone())))
        .collect();
    // Where each cell's cases are, so an implementation that stops is restarted at the
    // next cell: one crash does not hide the rest of the matrix.
    let ranges: Vec<std::ops::Range<usize>> = cells
        .iter()
        .filter_map(|c| c.4.as_ref().ok().cloned())
        .collect();
    let results: Vec<(String, Vec<Option<Outcome>>, Vec<Stop>)> = implementations
        .iter_mut()
        .map(|i| {
            let mut outcomes: Vec<Option<Outcome>> = vec![None; cases.len()];
            let mut stops = Vec::new();
            let mut start = 0;
            while start < cases.len() {
                let (got, stop) = i.run_until_stopped(&cases[start..]);
                let answered = stop.as_ref().map_or(got.len(), |s| s.at.min(got.len()));
                for (j, o) in got.into_iter().take(answered).enumerate() {
                    outcomes[start + j] = Some(o);
                }
                let Some(mut stop) = stop else { break };
                stop.at = (start + stop.at).min(cases.len() - 1);
                start = ranges
                    .iter()
                    .find(|r| r.contains(&stop.at))
                    .map_or(stop.at + 1, |r| r.end);
                stops.push(stop);
            }
            (i.name().to_string(), outcomes, stops)
        })
        .collect();

    let mut out: Vec<StructMatrix> = Vec::new();
    for (ci, si, u, _k, range) in cells {
        let c = &families[ci];
        let revs = validated_revs(c, si);
        let name = c.family.struct_(si).name.clone();
        if out.last().is_none_or(|m| m.name != name) {
            out.push(StructMatrix {
                family: c.family.name.clone(),
                name: name.clone(),
                convention: c
                    .family
                    .struct_(si)
                    .convention
                    .map_or("", |v| v.name())
                    .to_string(),
                revisions: revs.iter().map(|r| c.history.rev(*r).id.clone()).collect(),
                conventions: revs
                    .iter()
                    .map(|r| {
                        let view = c.rev(*r);
                        view.family()
                            .struct_(si)
                            .convention
                            .map_or("", |v| v.name())
                            .to_string()
                    })
                    .collect(),
                cells: vec![Vec::new(); revs.len()],
            });
        }
        let row = revs.iter().position(|r| *r == u).unwrap_or(0);
        let range = match range {
            Ok(r) if r.is_empty() => Err("no case was built for this cell".to_string()),
            r => r,
        };
        let range = match range {
            Ok(r) => r,
            Err(reason) => {
                if let Some(m) = out.last_mut() {
                    m.cells[row].push(CellResult::Empty { reason });
                }
                continue;
            }
        };
        let mut result = CellResult::Pass { cases: range.len() };
        'cases: for i in range {
            let case = &cases[i];
            let exp = &expected[i];
            let fail = |implementation: &str, expected: String, got: String| CellResult::Fail {
                implementation: implementation.to_string(),
                case: case.what.clone(),
                expected,
                got,
            };
            if case.must_accept && exp.is_err() {
                result = fail("schema", "accepted".into(), show(exp));
                break;
            }
            for (iname, res, stops) in &results {
                let Some((got, read_end)) = &res[i] else {
                    let stop = stops.iter().find(|s| s.at == i);
                    let how = stop.map_or_else(
                        || "not run (internal: no outcome and no stop)".to_string(),
                        |s| s.how.clone(),
                    );
                    result = if stop.is_some_and(|s| s.hung) {
                        CellResult::Hang {
                            implementation: iname.clone(),
                            case: case.what.clone(),
                            how,
                        }
                    } else {
                        CellResult::Crash {
                            implementation: iname.clone(),
                            case: case.what.clone(),
                            how,
                        }
                    };
                    break 'cases;
                };
                if got != exp {
                    let detail = |r: &Result<Vec<u8>, Errno>| match r {
                        Ok(b) => format!(
                            "accepted {}",
                            b.iter().map(|x| format!("{x:02x}")).collect::<String>()
                        ),
                        Err(_) => show(r),
                    };
                    result = fail(iname, detail(exp), detail(got));
                    break 'cases;
                }
                if let (Ok(b), Some(z)) = (got, case.zero_from) {
                    if b.iter().skip(z).any(|x| *x != 0) {
                        result = fail(
                            iname,
                            format!("bytes from {z} zero-filled"),
                            "non-zero tail".into(),
                        );
                        break 'cases;
                    }
                }
                if read_end.is_some_and(|e| e > case.read_bound) {
                    result = fail(
                        iname,
                        format!("no byte read past {}", case.read_bound),
                        format!("read up to {}", read_end.unwrap_or(0)),
                    );
                    break 'cases;
                }
            }
        }
        if let Some(m) = out.last_mut() {
            m.cells[row].push(result);
        }
    }
    let ok = out.iter().all(|m| {
        m.cells
            .iter()
            .flatten()
            .all(|c| matches!(c, CellResult::Pass { .. }))
    });
    Matrix {
        ok,
        implementations: results.into_iter().map(|(n, _, _)| n).collect(),
        structs: out,
    }
}

/// One table per struct: rows are the user's revision, columns the kernel's.
pub fn table(m: &Matrix) -> String {
    let mut out = String::new();
    if m.structs.is_empty() {
        let _ = writeln!(
            out,
            "nothing to run: no struct in the schema has a size convention (`convention = \"argsz\"`, \
             `\"size\"` or `\"user_data\"`), so there is no validator to check"
        );
        return out;
    }
    let _ = writeln!(
        out,
        "compatibility matrix ({}; expected: the kernel of each revision as the schema defines it)",
        m.implementations.join(", ")
    );
    for s in &m.structs {
        // One convention, or each kernel revision's where a later one copies otherwise.
        let convention = if s.conventions.iter().all(|c| *c == s.convention) {
            format!("{} convention", s.convention)
        } else {
            let each: Vec<String> = s
                .revisions
                .iter()
                .zip(&s.conventions)
                .map(|(r, c)| format!("{r}: {c}"))
                .collect();
            format!("conventions by revision: {}", each.join(", "))
        };
        let _ = writeln!(out, "\n{} {} ({convention})", s.family, s.name);
        let w = s
            .revisions
            .iter()
            .map(|r| r.len())
            .max()
            .unwrap_or(4)
            .max(6)
            + 2;
        let first = "user \\ kernel".len() + 2;
        let _ = write!(out, "  {:<first$}", "user \\ kernel");
        for r in &s.revisions {
            let _ = write!(out, "{r:<w$}");
        }
        let _ = writeln!(out);
        let mut failures = Vec::new();
        for (row, r) in s.revisions.iter().enumerate() {
            let _ = write!(out, "  {r:<first$}");
            for (col, cell) in s.cells[row].iter().enumerate() {
                let text = match cell {
                    CellResult::Pass { .. } => "pass".to_string(),
                    CellResult::Fail {
                        implementation,
                        case,
                        expected,
                        got,
                    } => {
                        failures.push(format!("    user {r} × kernel {}: {implementation}: {case}: expected {expected}, got {got}", s.revisions[col]));
                        "FAIL".to_string()
                    }
                    CellResult::Empty { reason } => {
                        failures.push(format!(
                            "    user {r} × kernel {}: no case run: {reason}",
                            s.revisions[col]
                        ));
                        "EMPTY".to_string()
                    }
                    CellResult::Crash {
                        implementation,
                        case,
                        how,
                    }
                    | CellResult::Hang {
                        implementation,
                        case,
                        how,
                    } => {
                        failures.push(format!(
                            "    user {r} × kernel {}: {implementation}: {case}: {how}; the rest of the cell was not run",
                            s.revisions[col]
                        ));
                        let crashed = matches!(cell, CellResult::Crash { .. });
                        (if crashed { "CRASH" } else { "HANG" }).to_string()
                    }
                };
                let _ = write!(out, "{text:<w$}");
            }
            let _ = writeln!(out);
        }
        for f in failures {
            let _ = writeln!(out, "{f}");
        }
    }
    let cases = m.passed_cases();
    let count = |f: fn(&CellResult) -> bool| {
        m.structs
            .iter()
            .flat_map(|s| s.cells.iter().flatten())
            .filter(|c| f(c))
            .count()
    };
    let failed = count(|c| matches!(c, CellResult::Fail { .. }));
    let empty = count(|c| matches!(c, CellResult::Empty { .. }));
    let crashed = count(|c| matches!(c, CellResult::Crash { .. }));
    let hung = count(|c| matches!(c, CellResult::Hang { .. }));
    let n = |k: usize, what: &str| format!("{k} {what}{}", if k == 1 { "" } else { "s" });
    let mut verdict = format!("{} passed", n(cases, "case"));
    for (k, what) in [
        (failed, "failed"),
        (empty, "ran no case"),
        (crashed, "crashed"),
        (hung, "hung"),
    ] {
        if k > 0 {
            verdict.push_str(&format!(", {} {what}", n(k, "cell")));
        }
    }
    let _ = writeln!(out, "\n{}: {verdict}", if m.ok { "ok" } else { "FAILED" });
    out
}
