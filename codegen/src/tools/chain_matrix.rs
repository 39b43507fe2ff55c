//! Capability chains in the compatibility matrix. Per chain (an info struct with `caps`),
//! one column per kernel revision where the struct exists: the chains that kernel returns,
//! laid out as `vfio_info_cap_add()` and the GET_INFO handlers lay them out (every
//! capability the revision knows, alone and together; a buffer larger than the chain; an
//! argsz too small for it, answered with the size needed and `cap_offset` 0), which every
//! walker must hand back capability by capability. Then one column of malformed chains (a
//! short buffer, a loop, an overlap, a misaligned offset, a header or a known struct past the
//! buffer), which every walker must refuse with the errno and at the offset its header
//! documents (`uapigen_vfio_cap_walk` in the C, `CapError` in the Rust).
//!
//! The walkers are the latest revision's (one walker per info struct, as the header has):
//! a kernel's column is what a user built against today's header sees on that kernel.
//! Each case carries its expected walk, built with its bytes; no second walker decides it.

use std::fmt::Write as _;

use serde::Serialize;

use crate::matrix::CellResult;
use crate::model::caps::Chain;
use crate::model::{RevId, TargetId};
use crate::Checked;

/// One capability a walk handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// The header's id.
    pub id: u16,
    /// The header's version.
    pub version: u16,
    /// Its offset from the start of the buffer.
    pub offset: u32,
    /// Its bytes: up to the next capability, or to the buffer's end.
    pub len: u32,
}

/// A whole walk: the capabilities in order, then the end or the error that stopped it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Walk {
    /// What was handed out before the end or the error.
    pub caps: Vec<Seen>,
    /// `(errno, offset)`: the errno as a positive number (Linux's), the offset the walker
    /// reports with it. None: the chain ended.
    pub error: Option<(i32, u64)>,
}

/// One chain the matrix walks.
#[derive(Debug, Clone)]
pub struct ChainCase {
    /// The info struct.
    pub info: String,
    /// The kernel that built it; None for a malformed chain.
    pub kernel: Option<RevId>,
    /// What the case is, for a report.
    pub what: String,
    /// The buffer: the info struct, then the chain, as the user's argsz long.
    pub bytes: Vec<u8>,
    /// The walk every implementation must give.
    pub expected: Walk,
}

/// A walker under test: the generated C, the generated Rust.
pub trait ChainWalker {
    /// Its name in reports.
    fn name(&self) -> &str;
    /// The walk of each case in order; if it stopped early (a crash), the walks it gave and
    /// why it stopped.
    fn walk(&mut self, cases: &[ChainCase]) -> (Vec<Walk>, Option<String>);
}

/// One chain's row: a cell per kernel revision, then the malformed chains.
#[derive(Debug, Clone, Serialize)]
pub struct ChainRow {
    /// The family.
    pub family: String,
    /// The info struct.
    pub info: String,
    /// Kernel revisions where the info struct exists.
    pub revisions: Vec<String>,
    /// One cell per revision.
    pub cells: Vec<CellResult>,
    /// The malformed chains.
    pub malformed: CellResult,
}

/// Every chain's row.
#[derive(Debug, Clone, Serialize)]
pub struct ChainMatrix {
    /// No unexpected cell.
    pub ok: bool,
    /// The walkers run.
    pub walkers: Vec<String>,
    /// One row per chain.
    pub chains: Vec<ChainRow>,
}

/// The bytes of a chain under construction, in the chain's layout.
struct Bytes<'a> {
    ch: &'a Chain,
    b: Vec<u8>,
}

impl Bytes<'_> {
    fn put16(&mut self, at: u64, v: u16) {
        let at = at as usize;
        self.b[at..at + 2].copy_from_slice(&v.to_ne_bytes());
    }
    fn put32(&mut self, at: u64, v: u32) {
        let at = at as usize;
        self.b[at..at + 4].copy_from_slice(&v.to_ne_bytes());
    }
    /// The info struct's argsz, flags (the chain's bit or not) and first offset.
    fn info(&mut self, argsz: u64, caps_flag: bool, first: u64) {
        let ch = self.ch;
        self.put32(ch.argsz_offset, argsz as u32);
        // Other flags set too: a walker must test the chain's bit, not the whole word.
        let others = !(ch.flag.value as u32) & 0x3;
        let flags = others | if caps_flag { ch.flag.value as u32 } else { 0 };
        self.put32(ch.flags_offset, flags);
        self.put32(ch.cap_offset_offset, first as u32);
    }
    /// A capability's header at `at`.
    fn header(&mut self, at: u64, id: u16, version: u16, next: u64) {
        let ch = self.ch;
        self.put16(at + ch.id_offset, id);
        self.put16(at + ch.version_offset, version);
        self.put32(at + ch.next_offset, next as u32);
    }
}

/// A buffer of `len` bytes, the info struct's and the capabilities' bodies filled with a
/// pattern (a walker must read only the header's fields).
fn buffer(ch: &Chain, len: u64) -> Bytes<'_> {
    Bytes {
        ch,
        b: vec![0x5a; len as usize],
    }
}

fn align_up(x: u64, a: u64) -> u64 {
    x.div_ceil(a.max(1)) * a.max(1)
}

/// A capability as a kernel adds it: id, version, the bytes it takes.
#[derive(Debug, Clone, Copy)]
struct Add {
    id: u16,
    version: u16,
    size: u64,
}

/// The chain `adds` as a kernel whose info struct is `info_size` bytes returns it to a
/// buffer of `len` bytes (at least the chain's end), and the walk that gives them back:
/// each capability at the next multiple of `round` (1 for a kernel that does not round:
/// 6.1's `vfio_info_cap_add()`), the first at `info_size` (`vfio_info_cap_shift()`), linked
/// in order, the last one's next 0.
fn laid_out(
    ch: &Chain,
    info_size: u64,
    round: u64,
    adds: &[Add],
    len: Option<u64>,
) -> (Vec<u8>, Walk) {
    let mut at = Vec::new();
    let mut end = info_size;
    for a in adds {
        let o = if at.is_empty() {
            end
        } else {
            align_up(end, round)
        };
        at.push(o);
        end = o + a.size;
    }
    let len = len.unwrap_or(end).max(end).max(ch.info_size);
    let mut b = buffer(ch, len);
    b.info(len, !adds.is_empty(), at.first().copied().unwrap_or(0));
    let mut walk = Walk::default();
    for (i, a) in adds.iter().enumerate() {
        let next = at.get(i + 1).copied().unwrap_or(0);
        b.header(at[i], a.id, a.version, next);
        let stop = if next > at[i] { next } else { len };
        walk.caps.push(Seen {
            id: a.id,
            version: a.version,
            offset: at[i] as u32,
            len: (stop - at[i]) as u32,
        });
    }
    (b.b, walk)
}

/// The capabilities kernel revision `k` knows, with their `sizeof` then.
fn known_at(c: &Checked, ch: &Chain, k: RevId) -> Vec<Add> {
    let view = c.rev(k);
    ch.known
        .iter()
        .filter(|kc| view.exists(kc.cap))
        .map(|kc| Add {
            id: kc.id.value as u16,
            version: kc.version,
            size: view.layout(kc.cap, TargetId::DEFAULT).size,
        })
        .collect()
}

/// The cases of kernel revision `k`'s column.
fn kernel_cases(c: &Checked, ch: &Chain, k: RevId) -> Vec<ChainCase> {
    let rev = &c.history.rev(k).id;
    let info = c.family.struct_(ch.info).name.clone();
    let info_size = c.rev(k).layout(ch.info, TargetId::DEFAULT).size;
    let round = if ch.rounds[k.0] { ch.align } else { 1 };
    let adds = known_at(c, ch, k);
    let mut out = Vec::new();
    let mut push = |what: String, (bytes, expected): (Vec<u8>, Walk)| {
        out.push(ChainCase {
            info: info.clone(),
            kernel: Some(k),
            what,
            bytes,
            expected,
        })
    };
    push(
        format!("{rev}'s answer without a chain"),
        laid_out(ch, info_size, round, &[], None),
    );
    if adds.is_empty() {
        return out;
    }
    push(
        format!("every capability {rev} knows, argsz exactly the chain's end"),
        laid_out(ch, info_size, round, &adds, None),
    );
    let end = laid_out(ch, info_size, round, &adds, None).0.len() as u64;
    push(
        format!("every capability {rev} knows, argsz 64 bytes larger"),
        laid_out(ch, info_size, round, &adds, Some(end + 64)),
    );
    if adds.len() > 1 {
        // The kernel adds them in its handler's order, not the schema's (6.1's type1 puts
        // the 12-byte DMA_AVAIL before IOVA_RANGE, which then sits at a multiple of 4).
        let reversed: Vec<Add> = adds.iter().rev().copied().collect();
        push(
            format!("every capability {rev} knows, in reverse order"),
            laid_out(ch, info_size, round, &reversed, None),
        );
        for a in &adds {
            push(
                format!("{rev}'s capability {} alone", a.id),
                laid_out(ch, info_size, round, &[*a], None),
            );
        }
    }
    // argsz too small for the chain: the kernel writes the size it needs into argsz, sets
    // the flag and leaves cap_offset 0 (vfio_pci_core.c, VFIO_DEVICE_GET_REGION_INFO).
    let mut shorts = vec![end - 1, ch.info_size.max(info_size)];
    shorts.dedup();
    for short in shorts {
        if short >= end || short < ch.info_size {
            continue;
        }
        let mut b = buffer(ch, short);
        b.info(end, true, 0);
        push(
            format!("argsz {short}, too small for {rev}'s chain of {end} bytes"),
            (
                b.b,
                Walk {
                    caps: Vec::new(),
                    error: Some((ENOSPC, end)),
                },
            ),
        );
    }
    out
}

const EINVAL: i32 = 22;
const ENOSPC: i32 = 28;
const ELOOP: i32 = 40;
const EOVERFLOW: i32 = 75;

/// The malformed chains, built on the latest revision's layout and capabilities (a
/// capability the schema does not know when it knows none).
fn malformed_cases(c: &Checked, ch: &Chain) -> Vec<ChainCase> {
    let info = c.family.struct_(ch.info).name.clone();
    let i = ch.info_size;
    let h = ch.header_size;
    // The walker's alignment: what every revision's chains have.
    let a = ch.walk_align.max(1);
    let latest = c.latest().id();
    let adds = known_at(c, ch, latest);
    // A capability larger than its alignment, when one is known, so that a next offset can
    // point inside it; else the header alone, as an unknown id is.
    let unknown = Add {
        id: adds
            .iter()
            .map(|x| x.id)
            .max()
            .unwrap_or(0)
            .wrapping_add(100),
        version: 1,
        size: h,
    };
    let big = adds.iter().copied().find(|x| x.size > a).unwrap_or(unknown);
    let first = align_up(i, a);
    let mut out = Vec::new();
    let mut push = |what: &str, bytes: Vec<u8>, caps: Vec<Seen>, error: Option<(i32, u64)>| {
        out.push(ChainCase {
            info: info.clone(),
            kernel: None,
            what: what.to_string(),
            bytes,
            expected: Walk { caps, error },
        })
    };
    let seen = |add: Add, offset: u64, len: u64| Seen {
        id: add.id,
        version: add.version,
        offset: offset as u32,
        len: (len - offset) as u32,
    };
    // One capability at `first` followed by room, its next set by the case.
    let one = |next: u64, len: u64| {
        let mut b = buffer(ch, len);
        b.info(len, true, first);
        b.header(first, big.id, big.version, next);
        b.b
    };

    for len in [0, i - 1] {
        let b = buffer(ch, len).b;
        push(
            &format!("a buffer of {len} bytes, shorter than the info struct"),
            b,
            Vec::new(),
            Some((EINVAL, len)),
        );
    }
    let mut b = buffer(ch, i + 64);
    b.info(i + 64, true, 0);
    push(
        "the flag set, cap_offset 0 and argsz within the buffer: no chain",
        b.b,
        Vec::new(),
        None,
    );
    if align_up(i, a) > a && a > 1 {
        let at = align_up(i, a) - a;
        let mut b = buffer(ch, i + 64);
        b.info(i + 64, true, at);
        push(
            "the first capability inside the info struct",
            b.b,
            Vec::new(),
            Some((EINVAL, at)),
        );
    }
    if a > 1 {
        let at = first + a / 2;
        let mut b = buffer(ch, at + 64);
        b.info(at + 64, true, at);
        push(
            "the first capability misaligned",
            b.b,
            Vec::new(),
            Some((EINVAL, at)),
        );
    }
    let mut b = buffer(ch, first + h - 1);
    b.info(first + h - 1, true, first);
    push(
        "the first header past the buffer",
        b.b,
        Vec::new(),
        Some((EOVERFLOW, first)),
    );
    if big.size > h {
        let len = first + big.size - 1;
        let mut b = buffer(ch, len);
        b.info(len, true, first);
        b.header(first, big.id, big.version, 0);
        push(
            "a known capability cut short by the buffer",
            b.b,
            Vec::new(),
            Some((EOVERFLOW, first)),
        );
    }
    // Room after the capability, a whole number of alignments.
    let len = first + align_up(big.size, a) + align_up(64, a);
    push(
        "a next offset pointing at its own capability",
        one(first, len),
        vec![seen(big, first, len)],
        Some((ELOOP, first)),
    );
    if big.size > a {
        let next = first + a;
        push(
            "a next offset inside the capability before it",
            one(next, len),
            vec![seen(big, first, next)],
            Some((EINVAL, next)),
        );
    }
    if a > 1 {
        let next = first + align_up(big.size, a) + a / 2;
        push(
            "a next offset misaligned",
            one(next, len),
            vec![seen(big, first, next)],
            Some((EINVAL, next)),
        );
    }
    push(
        "a next offset at the buffer's end",
        one(len, len),
        vec![seen(big, first, len)],
        Some((EOVERFLOW, len)),
    );
    let far = u64::from(u32::MAX) / a * a;
    push(
        "a next offset near 4 GiB",
        one(far, len),
        vec![seen(big, first, len)],
        Some((EOVERFLOW, far)),
    );
    // Two capabilities, the second pointing back at the first.
    let second = first + align_up(big.size, a);
    let len = second + align_up(h, a) + align_up(64, a);
    let mut b = buffer(ch, len);
    b.info(len, true, first);
    b.header(first, big.id, big.version, second);
    b.header(second, unknown.id, unknown.version, first);
    push(
        "a second capability pointing back at the first",
        b.b,
        vec![seen(big, first, second), seen(unknown, second, len)],
        Some((ELOOP, first)),
    );
    // An unknown capability (and a known id with another version) between known ones is
    // handed out with its bytes; the walk goes on.
    let other = Add {
        version: big.version.wrapping_add(1),
        size: h,
        ..big
    };
    let mut chain = vec![unknown, other];
    chain.extend(adds.iter().copied());
    let (bytes, walk) = laid_out(ch, i, ch.align, &chain, None);
    push(
        "capabilities the schema does not know among the known ones",
        bytes,
        walk.caps,
        None,
    );
    out
}

/// Every chain's cases: each kernel revision's column, then the malformed ones; with the
/// row, column (None: malformed) they belong to.
fn all_cases(families: &[Checked]) -> Vec<(usize, usize, Option<usize>, ChainCase)> {
    let mut out = Vec::new();
    let mut row = 0;
    for (fi, c) in families.iter().enumerate() {
        for ch in &c.caps {
            let mut col = 0;
            for view in c.revs().filter(|v| v.exists(ch.info)) {
                for case in kernel_cases(c, ch, view.id()) {
                    out.push((fi, row, Some(col), case));
                }
                col += 1;
            }
            for case in malformed_cases(c, ch) {
                out.push((fi, row, None, case));
            }
            row += 1;
        }
    }
    out
}

fn show(w: &Walk) -> String {
    let mut s = String::new();
    for c in &w.caps {
        let _ = write!(
            s,
            "cap {}v{} at {} ({} bytes); ",
            c.id, c.version, c.offset, c.len
        );
    }
    match w.error {
        None => s.push_str("end"),
        Some((e, off)) => {
            let name = match e {
                EINVAL => "EINVAL".to_string(),
                ENOSPC => "ENOSPC".to_string(),
                ELOOP => "ELOOP".to_string(),
                EOVERFLOW => "EOVERFLOW".to_string(),
                _ => format!("errno {e}"),
            };
            let _ = write!(s, "-{name} at {off}");
        }
    }
    s
}

/// Walks every chain case through `walkers` and compares each walk with the case's.
pub fn run(families: &[Checked], walkers: &mut [&mut dyn ChainWalker]) -> ChainMatrix {
    let cases = all_cases(families);
    let plain: Vec<ChainCase> = cases.iter().map(|c| c.3.clone()).collect();
    let results: Vec<(String, Vec<Walk>, Option<String>)> = walkers
        .iter_mut()
        .map(|w| {
            let (walks, stop) = w.walk(&plain);
            (w.name().to_string(), walks, stop)
        })
        .collect();
    let mut rows: Vec<ChainRow> = Vec::new();
    let mut row_of = Vec::new();
    for (fi, c) in families.iter().enumerate() {
        for ch in &c.caps {
            let revisions: Vec<String> = c
                .revs()
                .filter(|v| v.exists(ch.info))
                .map(|v| c.history.rev(v.id()).id.clone())
                .collect();
            row_of.push(fi);
            rows.push(ChainRow {
                family: c.family.name.clone(),
                info: c.family.struct_(ch.info).name.clone(),
                cells: vec![CellResult::Pass { cases: 0 }; revisions.len()],
                revisions,
                malformed: CellResult::Pass { cases: 0 },
            });
        }
    }
    for (i, (_, row, col, case)) in cases.iter().enumerate() {
        let r = &mut rows[*row];
        let cell = match col {
            Some(k) => &mut r.cells[*k],
            None => &mut r.malformed,
        };
        let CellResult::Pass { cases: n } = cell else {
            continue;
        };
        *n += 1;
        for (name, walks, stop) in &results {
            let verdict = match walks.get(i) {
                None => Some(CellResult::Crash {
                    implementation: name.clone(),
                    case: case.what.clone(),
                    how: stop
                        .clone()
                        .unwrap_or_else(|| "no walk was returned for it".into()),
                }),
                Some(w) if *w != case.expected => Some(CellResult::Fail {
                    implementation: name.clone(),
                    case: case.what.clone(),
                    expected: show(&case.expected),
                    got: show(w),
                }),
                Some(_) => None,
            };
            if let Some(v) = verdict {
                *cell = v;
                break;
            }
        }
    }
    let ok = rows.iter().all(|r| {
        r.cells
            .iter()
            .chain([&r.malformed])
            .all(|c| matches!(c, CellResult::Pass { .. }))
    });
    ChainMatrix {
        ok,
        walkers: results.into_iter().map(|(n, _, _)| n).collect(),
        chains: rows,
    }
}

/// One table per chain: a column per kernel revision and the malformed chains.
pub fn table(m: &ChainMatrix) -> String {
    let mut out = String::new();
    if m.chains.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\ncapability chains ({}; expected: each kernel revision's chains handed back whole, \
         malformed ones refused)",
        m.walkers.join(", ")
    );
    let mut cases = 0;
    let mut bad = 0;
    for r in &m.chains {
        let _ = writeln!(out, "\n{} {} chain", r.family, r.info);
        let w = r
            .revisions
            .iter()
            .map(|x| x.len())
            .max()
            .unwrap_or(4)
            .max(6)
            + 2;
        let _ = write!(out, "  {:<8}", "kernel");
        for rev in &r.revisions {
            let _ = write!(out, "{rev:<w$}");
        }
        let _ = writeln!(out, "malformed");
        let _ = write!(out, "  {:<8}", "walk");
        let mut notes = Vec::new();
        for (cell, col) in r
            .cells
            .iter()
            .zip(r.revisions.iter().map(String::as_str))
            .chain([(&r.malformed, "malformed")])
        {
            let text = match cell {
                CellResult::Pass { cases: n } => {
                    cases += n;
                    "pass"
                }
                CellResult::Fail {
                    implementation,
                    case,
                    expected,
                    got,
                } => {
                    notes.push(format!(
                        "    {col}: {implementation}: {case}: expected {expected}, got {got}"
                    ));
                    "FAIL"
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
                    notes.push(format!("    {col}: {implementation}: {case}: {how}"));
                    "CRASH"
                }
                CellResult::Empty { reason } => {
                    notes.push(format!("    {col}: {reason}"));
                    "EMPTY"
                }
            };
            if text != "pass" {
                bad += 1;
            }
            let _ = write!(out, "{text:<w$}");
        }
        let _ = writeln!(out);
        for n in notes {
            let _ = writeln!(out, "{n}");
        }
    }
    let _ = writeln!(
        out,
        "\n{}: {cases} chain cases passed{}",
        if m.ok { "ok" } else { "FAILED" },
        if bad > 0 {
            format!(", {bad} cells did not")
        } else {
            String::new()
        }
    );
    out
}
