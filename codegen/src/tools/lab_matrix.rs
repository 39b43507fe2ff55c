//! The compatibility matrix against a real kernel (`uapigen matrix --kernel lab:K`): the cases
//! `matrix` builds for each struct an ioctl number takes (`Define::arg`), every user revision
//! against one kernel revision of the schema, written as a case file for the real-kernel lab's
//! guest (scripts/lab: `IOCTL-NAME HEX-BYTES` a line, the whole user buffer); the guest's
//! answers read back (its `CASE` lines, lab/guest/vfio_probe.c's format) and each judged
//! against what the schema's kernel of that revision does (the IR interpreter).
//!
//! A case the schema refuses must be refused by the kernel with the same errno, and one it
//! accepts accepted, or refused for what the struct's checks do not cover: the objects, state
//! or device the kernel has (an id naming no object: ENOENT). The table counts those apart
//! ("refused by the kernel"), each errno with how many; any other answer is a disagreement.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::ir::Errno;
use crate::matrix::{cell_cases, Buffer, Case, Interpreter};
use crate::model::{RevId, StructId};
use crate::Checked;

/// The cases of one family's structs against one of its kernel revisions.
pub struct Plan {
    /// The family.
    pub family: String,
    /// The kernel's revision, by id.
    pub kernel: String,
    /// One per (struct, user revision): the ioctl that takes the struct, and the cases.
    pub cells: Vec<Cell>,
    /// The structs an ioctl takes that have no case: (struct, why).
    pub left_out: Vec<(String, String)>,
}

/// One (struct, user revision) of a plan.
pub struct Cell {
    /// The struct.
    pub struct_name: String,
    /// The ioctl number's name.
    pub ioctl: String,
    /// The user's revision, by id.
    pub user: String,
    /// Its cases, in the order the case file has them.
    pub cases: Vec<Case>,
}

/// The cases of every struct of family `c` that an ioctl takes (of `only`, when it names
/// some), every user revision that validates it against kernel revision `kernel` (an id of
/// the family's).
pub fn plan(c: &Checked, kernel: &str, only: &[String]) -> Result<Plan, String> {
    if let Some(n) = only.iter().find(|n| {
        !c.family
            .structs
            .iter()
            .enumerate()
            .any(|(i, s)| s.name == **n && c.family.ioctl_taking(StructId(i)).is_some())
    }) {
        return Err(format!(
            "`{n}` is no struct of {} that an ioctl takes (`ioctl = {{ ..., arg = \"struct \
             {n}\" }}`)",
            c.family.name
        ));
    }
    let k = c
        .history
        .revisions
        .iter()
        .position(|r| r.id == kernel)
        .map(RevId)
        .ok_or_else(|| {
            format!(
                "`{kernel}` is no revision of {}: {}",
                c.family.name,
                c.history
                    .revisions
                    .iter()
                    .map(|r| r.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
    let mut cells = Vec::new();
    let mut left_out = Vec::new();
    for (i, st) in c.family.structs.iter().enumerate() {
        let s = StructId(i);
        let Some(ioctl) = c.family.ioctl_taking(s) else {
            continue;
        };
        if !only.is_empty() && !only.contains(&st.name) {
            continue;
        }
        if !c.rev(k).exists(s) {
            left_out.push((st.name.clone(), format!("not in {kernel}")));
            continue;
        }
        if c.rev(k).validator(s).is_none() {
            left_out.push((
                st.name.clone(),
                format!("no {kernel} validator (its {kernel} layout is an abi_trap)"),
            ));
            continue;
        }
        for u in c.revs().filter(|v| v.exists(s) && v.validator(s).is_some()) {
            cells.push(Cell {
                struct_name: st.name.clone(),
                ioctl: ioctl.constant.name.clone(),
                user: c.history.rev(u.id()).id.clone(),
                cases: cell_cases(c, s, u.id(), k)?,
            });
        }
    }
    if cells.is_empty() {
        return Err(format!(
            "{} has no struct an ioctl takes in {kernel} (`ioctl = {{ ..., arg = \"struct \
             NAME\" }}`)",
            c.family.name
        ));
    }
    Ok(Plan {
        family: c.family.name.clone(),
        kernel: kernel.to_string(),
        cells,
        left_out,
    })
}

impl Plan {
    /// How many cases.
    pub fn len(&self) -> usize {
        self.cells.iter().map(|c| c.cases.len()).sum()
    }

    /// Whether it has no case.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The guest's case file: `IOCTL-NAME HEX-BYTES`, one case a line, in order.
    pub fn case_file(&self) -> String {
        let mut out = String::new();
        for cell in &self.cells {
            for case in &cell.cases {
                out.push_str(&cell.ioctl);
                out.push(' ');
                for b in &case.bytes {
                    let _ = write!(out, "{b:02x}");
                }
                out.push('\n');
            }
        }
        out
    }
}

/// What the kernel answered one case: lab/guest/vfio_probe.c's `CASE n NAME argsz= len= ret=
/// errno= out=HEX` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The ioctl's name.
    pub name: String,
    /// The size the case asked with.
    pub argsz: u32,
    /// What `ioctl()` returned.
    pub ret: i32,
    /// `errno` after it (0 when it succeeded).
    pub errno: i32,
    /// The whole user buffer after the call.
    pub out: Vec<u8>,
}

impl Answer {
    /// The host's `u32` at byte `at` of the buffer after the call (0 past its end).
    pub fn u32_at(&self, at: usize) -> u32 {
        self.out
            .get(at..at + 4)
            .map_or(0, |b| u32::from_ne_bytes(b.try_into().unwrap_or([0; 4])))
    }

    /// Whether the kernel took it.
    pub fn ok(&self) -> bool {
        self.ret == 0 && self.errno == 0
    }
}

/// Every `CASE` line of the guest's results, in order; an error names the line that is not one.
pub fn answers(results: &str) -> Result<Vec<Answer>, String> {
    results
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("CASE "))
        .map(|(n, l)| answer(l).map_err(|e| format!("results line {}: {e}: {l}", n + 1)))
        .collect()
}

fn answer(line: &str) -> Result<Answer, String> {
    let mut words = line.split_whitespace().skip(2);
    let name = words.next().ok_or("no ioctl name")?.to_string();
    let kv: BTreeMap<&str, &str> = words.filter_map(|w| w.split_once('=')).collect();
    let get = |k: &str| kv.get(k).copied().ok_or_else(|| format!("no `{k}=`"));
    let num = |k: &str| -> Result<i64, String> {
        get(k)?
            .parse()
            .map_err(|e| format!("`{k}=` is no number ({e})"))
    };
    let hex = get("out")?;
    if hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("`out=` is no run of hex bytes".into());
    }
    let out: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0))
        .collect();
    if i64::try_from(out.len()) != Ok(num("len")?) {
        return Err(format!("`len=` is not the {} bytes of `out=`", out.len()));
    }
    let small = |k: &str| -> Result<i32, String> {
        i32::try_from(num(k)?).map_err(|_| format!("`{k}=` is out of range"))
    };
    Ok(Answer {
        name,
        argsz: u32::try_from(num("argsz")?).map_err(|_| "`argsz=` is out of range")?,
        ret: small("ret")?,
        errno: small("errno")?,
        out,
    })
}

/// One cell's verdict: how its cases went.
pub struct Verdict {
    /// How many cases.
    pub cases: usize,
    /// Answered as the schema says.
    pub agreed: usize,
    /// Accepted by the schema and refused by the kernel, by errno: what the checks do not
    /// cover (the kernel's objects and state, the device). With the first such case's `what`.
    pub refused: BTreeMap<i32, (usize, String)>,
    /// Every other answer: what the case is, the schema's answer and the kernel's.
    pub disagreements: Vec<String>,
}

/// An errno's name when the schema knows it (`EINVAL`), else its number.
pub fn errno_name(e: i32) -> String {
    Errno::ALL
        .iter()
        .find(|x| **x as i32 == e)
        .map_or(format!("errno {e}"), |x| x.name().to_string())
}

/// Judges `answers`, the last `plan.len()` of which are the case file's, against the schema's
/// kernel of the plan's revision; one verdict per cell.
pub fn judge(
    families: &[Checked],
    plan: &Plan,
    answers: &[Answer],
) -> Result<Vec<Verdict>, String> {
    let n = plan.len();
    if answers.len() < n {
        return Err(format!(
            "{} cases sent, {} answers came back",
            n,
            answers.len()
        ));
    }
    let oracle = Interpreter { families };
    let mut got = answers[answers.len() - n..].iter();
    let mut out = Vec::with_capacity(plan.cells.len());
    for cell in &plan.cells {
        let mut v = Verdict {
            cases: cell.cases.len(),
            agreed: 0,
            refused: BTreeMap::new(),
            disagreements: Vec::new(),
        };
        for case in &cell.cases {
            let a = got.next().ok_or("fewer answers than cases")?;
            if a.name != cell.ioctl || a.out.len() != case.bytes.len() {
                return Err(format!(
                    "the answer {} ({} bytes) is not to case `{}` of {} ({} bytes): the \
                     results are of another case file",
                    a.name,
                    a.out.len(),
                    case.what,
                    cell.ioctl,
                    case.bytes.len()
                ));
            }
            let schema = oracle
                .kernel(case, &Buffer::new(case.bytes.clone()))
                .err()
                .map(|e| e as i32);
            // `ioctl()` failed (-1) with its errno; any other return took the case.
            let kernel = (a.ret < 0).then_some(a.errno);
            match (schema, kernel) {
                (s, k) if s == k => v.agreed += 1,
                (None, Some(e)) => {
                    v.refused
                        .entry(e)
                        .or_insert_with(|| (0, case.what.clone()))
                        .0 += 1;
                }
                (s, k) => {
                    let show = |x: Option<i32>| {
                        x.map_or("accepted".into(), |e| format!("-{}", errno_name(e)))
                    };
                    v.disagreements.push(format!(
                        "{}, user {}: {}: schema {}, kernel {}",
                        cell.struct_name,
                        cell.user,
                        case.what,
                        show(s),
                        show(k)
                    ));
                }
            }
        }
        out.push(v);
    }
    Ok(out)
}

/// The plan's table: per struct, a row per user revision and the kernel's column.
pub fn table(plan: &Plan, verdicts: &[Verdict], kernel: &str) -> String {
    let mut out = format!(
        "real-kernel matrix: {}, {kernel} against the schema's {}\n",
        plan.family, plan.kernel
    );
    let mut last = "";
    for (cell, v) in plan.cells.iter().zip(verdicts) {
        if cell.struct_name != last {
            let _ = write!(
                out,
                "\n{} {} ({})\n  user \\ kernel  {}\n",
                plan.family, cell.struct_name, cell.ioctl, plan.kernel
            );
            last = &cell.struct_name;
        }
        let n = match v.cases {
            1 => "1 case".to_string(),
            n => format!("{n} cases"),
        };
        let refused: Vec<String> = v
            .refused
            .iter()
            .map(|(e, (k, what))| format!("{k} {}, first: {what}", errno_name(*e)))
            .collect();
        let cell_text = match (v.disagreements.len(), refused.is_empty()) {
            (0, true) => format!("pass ({n})"),
            (0, false) => format!("pass ({n}; refused by the kernel: {})", refused.join(", ")),
            (d, _) => format!("FAIL ({d} of {n})"),
        };
        let _ = writeln!(out, "  {:<15}{cell_text}", cell.user);
    }
    let total: usize = verdicts.iter().map(|v| v.cases).sum();
    let agreed: usize = verdicts.iter().map(|v| v.agreed).sum();
    let refused: usize = verdicts
        .iter()
        .flat_map(|v| v.refused.values())
        .map(|(k, _)| k)
        .sum();
    let disagreements: Vec<&String> = verdicts.iter().flat_map(|v| &v.disagreements).collect();
    let _ = writeln!(
        out,
        "\n{total} cases: {agreed} answered as the schema says, {refused} accepted by the \
         schema and refused by the kernel (its objects, state or device), {} disagreements",
        disagreements.len()
    );
    for (s, why) in &plan.left_out {
        let _ = writeln!(out, "  {s}: {why}, no case");
    }
    for d in disagreements {
        let _ = writeln!(out, "  disagreement: {d}");
    }
    out
}
