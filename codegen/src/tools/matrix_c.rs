//! The generated C validators as a matrix implementation: a harness that dispatches to every
//! revision's `<struct>__<rev>_copy_from_user`, compiled once with the system C compiler
//! against an include folder (generated/include), fed all cases on stdin in one process.
//!
//! Which headers there are and which validators they define is the planner's to say
//! ([`crate::plan::c_validators`]); the headers' text is read only to refuse stale ones.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use uapigen_uaccess::Errno;

use crate::clang_proof::ScratchDir;
use crate::diag::Error;
use crate::emit::RustCrate;
use crate::ir::Convention;
use crate::matrix::{find, Case, Implementation, Outcome, Stop};
use crate::model::{RevId, StructId, TargetId};
use crate::plan::{Emitter, Tree};
use crate::Checked;

/// The generated C validators of every revision, compiled once into a harness, as an implementation.
pub struct CValidators<'a> {
    /// None when no struct is validated: nothing to compile, no case to run.
    harness: Option<Harness>,
    dispatch: Vec<Entry>,
    families: &'a [Checked],
    /// How long one case may take (`CASE_TIMEOUT` unless `with_case_timeout` says otherwise).
    timeout: std::time::Duration,
}

/// The harness's user memory: `UAPI_COPY_FROM_USER` copying the readable prefix of a
/// buffer (`g_base`, `g_readable`) and remembering the furthest byte read (`g_read_end`).
/// Shared with the end-to-end tests' harness.
pub const PRELUDE: &str = r#"#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char *g_base;
static size_t g_readable, g_read_end;

/* copy_from_user semantics: the readable prefix is copied, the rest is reported. */
static size_t harness_copy(void *to, const void *from, size_t n)
{
	const unsigned char *f = (const unsigned char *)from;
	size_t ok = 0;

	while (ok < n && f + ok >= g_base && (size_t)(f + ok - g_base) < g_readable) {
		((unsigned char *)to)[ok] = f[ok];
		ok++;
	}
	if (ok && (size_t)(f + ok - g_base) > g_read_end)
		g_read_end = (size_t)(f + ok - g_base);
	return n - ok;
}
#define UAPI_COPY_FROM_USER(to, from, n) harness_copy((to), (from), (n))
"#;

fn io(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// One function the harness dispatches to: a struct's validator of one revision.
#[derive(Debug, Clone)]
struct Entry {
    struct_name: String,
    rev: RevId,
    function: String,
}

/// The folder `include` belongs to (`generated/include` → `generated`), for messages.
fn out_of(include: &Path) -> String {
    include
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| ".".to_string(), |p| p.display().to_string())
}

/// The families with at least one validated struct: the only ones with C validators.
fn validated(families: &[Checked]) -> impl Iterator<Item = &Checked> {
    families
        .iter()
        .filter(|c| c.family.structs.iter().any(|s| s.validation.is_some()))
}

/// A C file the harness needs, where the planner puts it under `include/`.
pub(crate) struct Needed<'a> {
    /// Relative to the include folder (`uapigen/iommufd_validate.h`).
    pub(crate) rel: String,
    /// The family it is generated from; None for the shared primitives.
    pub(crate) family: Option<&'a Checked>,
    /// The family's validators (rather than its uAPI header).
    pub(crate) validators: bool,
}

/// The C of `generated/` the harness includes: every validated family's uAPI header and
/// validators, and the shared primitives.
pub(crate) fn needed(families: &[Checked]) -> Result<Vec<Needed<'_>>, Error> {
    let plan = crate::plan(families, &Tree::Generated(RustCrate::default()))?;
    Ok(plan
        .files
        .into_iter()
        .filter_map(|f| {
            let rel = f.path.strip_prefix("include/")?.to_string();
            let (family, validators) = match f.emitter {
                Emitter::Header(m) if m.validated() => (Some(m), false),
                Emitter::Validators(m, _) => (Some(m), true),
                Emitter::Uaccess(_) => (None, false),
                _ => return None,
            };
            Some(Needed {
                rel,
                family,
                validators,
            })
        })
        .collect())
}

/// Refuses, before anything is compiled, an include folder that lacks a file the harness
/// needs or whose validators were generated from another schema: either would show up as
/// FAIL cells that say nothing about the validators.
fn check_include(include: &Path, families: &[Checked]) -> Result<(), Error> {
    let out = out_of(include);
    let regenerate = format!("run `uapigen generate --out {out}` (with the same --schema) first");
    let mut missing = Vec::new();
    let mut stale = Vec::new();
    for n in needed(families)? {
        let path = include.join(&n.rel);
        let Some(c) = n.family else {
            if !path.is_file() {
                missing.push(path.display().to_string());
            }
            continue;
        };
        let marker = crate::emit::marker(&c.family);
        match std::fs::read_to_string(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                missing.push(path.display().to_string())
            }
            Err(e) => return Err(io(&path, e)),
            Ok(text) if !text.contains(&marker) => stale.push(format!(
                "{}: not generated from {} (it lacks the line `{marker}`)",
                path.display(),
                c.family.schema_file
            )),
            Ok(text) if n.validators => {
                let lacking: Vec<String> = entries(c)
                    .into_iter()
                    .map(|e| e.function)
                    .filter(|f| !text.contains(&format!("{f}(")))
                    .collect();
                if !lacking.is_empty() {
                    stale.push(format!(
                        "{}: lacks {} (generated from another revision of the schema?)",
                        path.display(),
                        lacking.join(", ")
                    ));
                }
            }
            Ok(_) => {}
        }
    }
    if !missing.is_empty() {
        return Err(Error::Usage(format!(
            "matrix: the generated C validators are missing from {out}:\n{}\n{regenerate}",
            missing
                .iter()
                .map(|m| format!("  {m}"))
                .collect::<Vec<_>>()
                .join("\n")
        )));
    }
    if !stale.is_empty() {
        return Err(Error::Usage(format!(
            "matrix: the generated C validators in {out} are stale:\n{}\n{regenerate}",
            stale
                .iter()
                .map(|m| format!("  {m}"))
                .collect::<Vec<_>>()
                .join("\n")
        )));
    }
    Ok(())
}

/// Every (struct, revision) whose C validator the harness calls, in a fixed order: the
/// harness's dispatch numbers.
fn entries(c: &Checked) -> Vec<Entry> {
    crate::plan::c_validators(c)
        .into_iter()
        .map(|v| Entry {
            struct_name: c.history.struct_(v.struct_id).name.clone(),
            rev: v.rev,
            function: v.function,
        })
        .collect()
}

/// Why the generated C has no validator of `struct_name` for revision `rev`, for a case
/// that needs one.
fn no_validator(families: &[Checked], struct_name: &str, rev: RevId) -> String {
    let Some((c, s)) = find(families, struct_name) else {
        return format!("the generated C has no struct `{struct_name}`");
    };
    let id = c
        .history
        .revisions
        .get(rev.0)
        .map_or("?", |r| r.id.as_str());
    let why = match c.rev(rev).validator(s) {
        Some(p) if !p.in_latest => {
            ": a rule of that revision reads a member today's struct no longer has, which C \
             written against today's header cannot name"
        }
        _ => "",
    };
    format!("the generated C has no validator of `{struct_name}` for {id}{why}")
}

impl<'a> CValidators<'a> {
    /// Builds the harness against `include` (the folder holding `uapi/` and `uapigen/`).
    ///
    /// Refused (`Error::Usage`) when a file the harness needs is missing, when the headers
    /// were generated from another schema (marker line, a revision's validator, or a struct's
    /// size or member offsets differ from the schema's), or when they do not compile. With no
    /// validated struct there is nothing to compile and the implementation runs no case.
    pub fn build(include: &Path, families: &'a [Checked]) -> Result<CValidators<'a>, Error> {
        CValidators::build_in(&std::env::temp_dir(), include, families)
    }

    /// Like `build`, with the scratch folder (source and binary, removed on every path) under
    /// `tmp` instead of the system's temporary folder.
    pub fn build_in(
        tmp: &Path,
        include: &Path,
        families: &'a [Checked],
    ) -> Result<CValidators<'a>, Error> {
        let mut dispatch: Vec<Entry> = Vec::new();
        for c in validated(families) {
            dispatch.extend(entries(c));
        }
        if dispatch.is_empty() {
            return Ok(CValidators {
                harness: None,
                dispatch,
                families,
                timeout: CASE_TIMEOUT,
            });
        }
        check_include(include, families)?;
        let includes: Vec<String> = needed(families)?
            .into_iter()
            .filter(|n| n.validators)
            .map(|n| n.rel)
            .collect();
        let src = harness_source(families, &includes);
        let dir = ScratchDir::new_in(tmp, "uapigen-matrix")?;
        let file = dir.path().join("matrix.c");
        std::fs::write(&file, src).map_err(|e| io(&file, e))?;
        let exe = dir.path().join("matrix");
        let out = compile(&file, &exe, include)?;
        if !out.status.success() {
            return Err(Error::Usage(format!(
                "the generated C validators in {} do not compile (if they were generated from \
                 another schema, run `uapigen generate --out {}` first):\n{}",
                include.display(),
                out_of(include),
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        let v = CValidators {
            harness: Some(Harness { exe, _dir: dir }),
            dispatch,
            families,
            timeout: CASE_TIMEOUT,
        };
        v.check_layout(include)?;
        Ok(v)
    }

    /// The harness's `sizeof` and `offsetof` of every validated struct against the schema's
    /// layout: a header from another schema that still compiles is stale, not a FAIL.
    fn check_layout(&self, include: &Path) -> Result<(), Error> {
        let Some(h) = &self.harness else {
            return Ok(());
        };
        let out = Command::new(&h.exe)
            .arg("layout")
            .output()
            .map_err(|e| io(&h.exe, e))?;
        if !out.status.success() {
            return Err(Error::Usage(format!(
                "matrix: the harness built from the C headers in {} {} before it reported their \
                 layout (it runs no validator then){}",
                include.display(),
                describe(out.status),
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .map(|l| format!("\n  {l}"))
                    .collect::<String>()
            )));
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let mut stale = Vec::new();
        for (line, (what, expected)) in text.lines().zip(expected_layout(self.families)) {
            if line.trim().parse::<u64>().ok() != Some(expected) {
                stale.push(format!(
                    "{what} {} in the header, {expected} in the schema",
                    line.trim()
                ));
            }
        }
        if stale.is_empty() {
            Ok(())
        } else {
            Err(Error::Usage(format!(
                "matrix: the generated C headers in {} are stale (generated from another \
                 schema?):\n{}\nrun `uapigen generate --out {}` (with the same --schema) first",
                include.display(),
                stale
                    .iter()
                    .map(|m| format!("  {m}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
                out_of(include)
            )))
        }
    }
}

/// Compiles a harness `file` into `exe` against the headers under `include` (its `uapi/`
/// first), warnings as errors; the compiler's output for the caller's message.
pub(crate) fn compile(
    file: &Path,
    exe: &Path,
    include: &Path,
) -> Result<std::process::Output, Error> {
    Command::new("cc")
        .args(["-std=gnu99", "-O1", "-Wall", "-Wextra", "-Werror", "-I"])
        .arg(include.join("uapi"))
        .arg("-I")
        .arg(include)
        .arg(file)
        .arg("-o")
        .arg(exe)
        .output()
        .map_err(|e| {
            Error::Usage(format!(
                "cannot run the C compiler `cc` ({e}): install gcc (scripts/setup)"
            ))
        })
}

/// The compiled harness and the folder that holds it (removed when dropped).
struct Harness {
    exe: PathBuf,
    _dir: ScratchDir,
}

/// The members whose place the harness reports: named ones (anonymous unions and structs are
/// reached through their members' names, as in C), not inside an array of unions or structs
/// (C names those `pts[0].a`; the array itself is reported).
fn layout_members(c: &Checked, s: StructId) -> impl Iterator<Item = &crate::layout::MemberLayout> {
    let st = c.family.struct_(s);
    c.layouts[0]
        .struct_(s)
        .members
        .iter()
        .filter(|m| !m.path.contains('('))
        .filter(move |m| {
            (1..m.index.len())
                .all(|k| crate::layout::field_at(st, &m.index[..k]).is_none_or(|f| !f.is_array()))
        })
}

/// What the harness's `layout` mode prints, line by line: (what, value).
fn expected_layout(families: &[Checked]) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for c in validated(families) {
        for (si, st) in c.family.structs_by_id() {
            if st.validation.is_none() {
                continue;
            }
            let l = c.layouts[0].struct_(si);
            out.push((format!("struct {}: size", st.name), l.size));
            for m in layout_members(c, si) {
                out.push((format!("{}.{}: offset", st.name, m.path), m.offset));
                out.push((format!("{}.{}: size", st.name, m.path), m.size));
            }
        }
    }
    out
}

/// The harness: every buffer sized from the input or by `sizeof`, so a struct of any size fits.
/// Input, per case: `ID TYPE LEN N\n` then N bytes; output: `RET READ_END LEN\n` then LEN bytes
/// of the kernel's struct. `harness layout` prints `expected_layout`'s values instead.
fn harness_source(families: &[Checked], includes: &[String]) -> String {
    let mut src = String::from(PRELUDE);
    let mut dispatch = String::new();
    let mut layout = String::new();
    let mut id = 0usize;
    let _ = writeln!(src, "#include <stddef.h>");
    for i in includes {
        let _ = writeln!(src, "#include <{i}>");
    }
    for c in validated(families) {
        for (si, st) in c.family.structs_by_id() {
            if st.validation.is_none() {
                continue;
            }
            let _ = writeln!(
                layout,
                "\t\tprintf(\"%zu\\n\", sizeof(struct {}));",
                st.name
            );
            for m in layout_members(c, si) {
                // sizeof of a flexible array member does not compile: it has no size.
                let flexible =
                    crate::layout::field_at(st, &m.index).is_some_and(|f| f.flexible.is_some());
                let size = if flexible {
                    "(size_t)0".to_string()
                } else {
                    format!("sizeof(((struct {0} *)0)->{1})", st.name, m.path)
                };
                let _ = writeln!(
                    layout,
                    "\t\tprintf(\"%zu\\n%zu\\n\", offsetof(struct {0}, {1}), {size});",
                    st.name, m.path
                );
            }
        }
        for e in entries(c) {
            let st = c
                .family
                .structs
                .iter()
                .find(|s| s.name == e.struct_name)
                .expect("entries come from the family");
            let args = if st.convention == Some(Convention::UserData) {
                "buf, (__u32)type, (__u32)len"
            } else {
                "buf"
            };
            let _ = writeln!(
                dispatch,
                "\t\tcase {id}: {{\n\t\t\tstruct {name} *d = malloc(sizeof(*d));\n\n\t\t\tif (!d)\n\t\t\t\treturn 3;\n\t\t\tmemset(d, 0xa5, sizeof(*d));\n\t\t\tret = {f}(d, {args});\n\t\t\treport(ret, d, sizeof(*d));\n\t\t\tfree(d);\n\t\t\tbreak;\n\t\t}}",
                name = st.name,
                f = e.function,
            );
            id += 1;
        }
    }
    let _ = write!(
        src,
        r#"
static void report(int ret, const void *d, size_t len)
{{
	printf("%d %zu %zu\n", ret, g_read_end, len);
	fwrite(d, 1, len, stdout);
}}

int main(int argc, char **argv)
{{
	unsigned long id, type, len, n;

	if (argc > 1 && !strcmp(argv[1], "layout")) {{
{layout}		return 0;
	}}
	while (scanf("%lu %lu %lu %lu", &id, &type, &len, &n) == 4) {{
		unsigned char *buf;
		int ret = 0;

		if (getchar() != '\n')
			return 2;
		buf = malloc(n ? n : 1);
		if (!buf)
			return 3;
		if (fread(buf, 1, n, stdin) != n)
			return 2;
		g_base = buf;
		g_readable = n;
		g_read_end = 0;
		switch (id) {{
{dispatch}		default:
			return 2;
		}}
		free(buf);
		/* Each answer whole on the pipe before the next case runs, and only once the
		 * case's memory is freed: a crash is attributed to the case that caused it. */
		if (fflush(stdout))
			return 2;
	}}
	return 0;
}}
"#
    );
    src
}

/// How long the harness may take over one case before it is taken to hang: a validator
/// answers in microseconds, so this only ever catches a loop (or a machine stopped dead).
pub const CASE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How much of the harness's stderr a report quotes (its last lines).
const STDERR_TAIL: usize = 2000;

/// What the reader of the harness's stdout hands on, case by case.
enum Answer {
    /// (return value, furthest byte read, the kernel's struct).
    Case(i64, i64, Vec<u8>),
    /// A line that is not an answer: the validator printed to stdout itself, or worse.
    Garbled(String),
}

/// Reads whole answers from the harness: `RET READ_END LEN\n` then LEN bytes. An answer cut
/// short by the end of the stream is no answer.
fn read_answers(out: impl std::io::Read, tx: std::sync::mpsc::Sender<Answer>) {
    use std::io::{BufRead as _, Read as _};
    let mut r = std::io::BufReader::new(out);
    loop {
        let mut head = Vec::new();
        match r.read_until(b'\n', &mut head) {
            Ok(0) | Err(_) => return,
            Ok(_) if head.last() != Some(&b'\n') => return,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&head[..head.len() - 1]).into_owned();
        let parts: Vec<Option<i64>> = text.split(' ').map(|x| x.parse().ok()).collect();
        let [Some(ret), Some(read_end), Some(len)] = parts[..] else {
            let _ = tx.send(Answer::Garbled(text.chars().take(80).collect()));
            return;
        };
        let Ok(len) = usize::try_from(len) else {
            let _ = tx.send(Answer::Garbled(text));
            return;
        };
        if len > crate::layout::MAX_STRUCT_SIZE as usize {
            let _ = tx.send(Answer::Garbled(text));
            return;
        }
        let mut body = vec![0u8; len];
        if r.read_exact(&mut body).is_err() {
            return;
        }
        if tx.send(Answer::Case(ret, read_end, body)).is_err() {
            return;
        }
    }
}

/// `killed by signal 11 (SIGSEGV)` or `exited with status 7`.
pub(crate) fn describe(status: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        if let Some(sig) = status.signal() {
            let name = match sig {
                1 => "SIGHUP",
                2 => "SIGINT",
                3 => "SIGQUIT",
                4 => "SIGILL",
                5 => "SIGTRAP",
                6 => "SIGABRT",
                7 => "SIGBUS",
                8 => "SIGFPE",
                9 => "SIGKILL",
                11 => "SIGSEGV",
                13 => "SIGPIPE",
                15 => "SIGTERM",
                24 => "SIGXCPU",
                25 => "SIGXFSZ",
                31 => "SIGSYS",
                _ => "",
            };
            return if name.is_empty() {
                format!("was killed by signal {sig}")
            } else {
                format!("was killed by signal {sig} ({name})")
            };
        }
    }
    match status.code() {
        Some(c) => format!("exited with status {c}"),
        None => format!("ended ({status})"),
    }
}

impl CValidators<'_> {
    /// The same validators, with another limit on the time one case may take.
    pub fn with_case_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The kernel's bytes of one answer, as the interpreter gives them.
    fn outcome(&self, case: &Case, ret: i64, read_end: i64, bytes: Vec<u8>) -> Outcome {
        let read_end = Some(read_end.max(0) as usize);
        if ret != 0 {
            return (
                Err(i32::try_from(ret)
                    .ok()
                    .and_then(Errno::from_negative)
                    .unwrap_or(Errno::EFAULT)),
                read_end,
            );
        }
        // Today's struct holds the revision's: past the revision's size it must be zero.
        let ksize = find(self.families, &case.struct_name)
            .map(|(c, s)| c.rev(case.kernel).layout(s, TargetId::DEFAULT).size as usize)
            .unwrap_or(bytes.len());
        if bytes.iter().skip(ksize).all(|b| *b == 0) {
            (Ok(bytes[..ksize.min(bytes.len())].to_vec()), read_end)
        } else {
            (Ok(bytes), read_end)
        }
    }
}

impl Implementation for CValidators<'_> {
    fn name(&self) -> &str {
        "generated C"
    }

    /// The outcome of every case; a case the harness did not answer (it died or hung, see
    /// `run_until_stopped`, which the matrix calls) is -EFAULT here.
    fn run(&mut self, cases: &[Case]) -> Vec<Outcome> {
        let (mut out, _) = self.run_until_stopped(cases);
        out.resize(cases.len(), (Err(Errno::EFAULT), None));
        out
    }

    fn run_until_stopped(&mut self, cases: &[Case]) -> (Vec<Outcome>, Option<Stop>) {
        let stop = |at: usize, how: String, hung: bool| Some(Stop { at, how, hung });
        let Some(h) = &self.harness else {
            return (
                Vec::new(),
                (!cases.is_empty()).then(|| Stop {
                    at: 0,
                    how: "no harness was built (no validated struct)".into(),
                    hung: false,
                }),
            );
        };
        let ids: Vec<Option<usize>> = cases
            .iter()
            .map(|c| {
                self.dispatch
                    .iter()
                    .position(|e| e.struct_name == c.struct_name && e.rev == c.kernel)
            })
            .collect();
        // A kernel without a C validator (the planner knows which) stops the run at its first
        // case, saying why, rather than the harness dying on an unknown id.
        if let Some(at) = ids.iter().position(Option::is_none) {
            let (outcomes, stop) = match at {
                0 => (Vec::new(), None),
                _ => self.run_until_stopped(&cases[..at]),
            };
            let case = &cases[at];
            return (
                outcomes,
                stop.or_else(|| {
                    Some(Stop {
                        at,
                        how: no_validator(self.families, &case.struct_name, case.kernel),
                        hung: false,
                    })
                }),
            );
        }
        let mut input: Vec<u8> = Vec::new();
        for (c, id) in cases.iter().zip(ids.into_iter().flatten()) {
            let (t, l) = c.user_data.unwrap_or((0, 0));
            let _ = writeln!(input, "{id} {t} {l} {}", c.bytes.len());
            input.extend_from_slice(&c.bytes);
        }
        let spawned = Command::new(&h.exe)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) => {
                return (
                    Vec::new(),
                    stop(
                        0,
                        format!("the harness {} could not be started: {e}", h.exe.display()),
                        false,
                    ),
                )
            }
        };
        let (Some(mut stdin), Some(stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return (
                Vec::new(),
                stop(0, "the harness's pipes could not be opened".into(), false),
            );
        };
        // A harness that dies stops reading: the write then fails, which says nothing more.
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let errors = std::thread::spawn(move || {
            let mut all = Vec::new();
            let _ = std::io::Read::read_to_end(&mut stderr, &mut all);
            let text = String::from_utf8_lossy(&all).into_owned();
            let tail = text.len().saturating_sub(STDERR_TAIL);
            let start = (tail..=text.len())
                .find(|i| text.is_char_boundary(*i))
                .unwrap_or(text.len());
            text[start..].trim().to_string()
        });
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || read_answers(stdout, tx));
        let mut outcomes = Vec::with_capacity(cases.len());
        // Why the harness stopped early, if it did: (the case, what happened, hung).
        let mut early: Option<(usize, String, bool)> = None;
        for (i, case) in cases.iter().enumerate() {
            match rx.recv_timeout(self.timeout) {
                Ok(Answer::Case(ret, read_end, bytes)) => {
                    outcomes.push(self.outcome(case, ret, read_end, bytes))
                }
                Ok(Answer::Garbled(line)) => {
                    early = Some((
                        i,
                        format!(
                            "the harness printed {line:?} where the case's answer belongs \
                             (does the validator write to stdout?)"
                        ),
                        false,
                    ));
                    break;
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    early = Some((
                        i,
                        format!(
                            "the harness did not answer within {} s and was killed (a loop?)",
                            self.timeout.as_secs_f64()
                        ),
                        true,
                    ));
                    break;
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    early = Some((i, String::new(), false));
                    break;
                }
            }
        }
        if early.as_ref().is_some_and(|e| !e.1.is_empty()) {
            let _ = child.kill();
        }
        let status = child.wait();
        drop(rx);
        let _ = reader.join();
        let _ = writer.join();
        let stderr = errors.join().unwrap_or_default();
        let said = if stderr.is_empty() {
            String::new()
        } else {
            format!(" (its stderr: {stderr:?})")
        };
        let how = |status: &std::io::Result<std::process::ExitStatus>| match status {
            Ok(s) => describe(*s),
            Err(e) => format!("could not be waited for ({e})"),
        };
        match early {
            Some((at, what, hung)) if !what.is_empty() => {
                (outcomes, stop(at, format!("{what}{said}"), hung))
            }
            Some((at, _, _)) => (
                outcomes,
                stop(at, format!("the harness {}{said}", how(&status)), false),
            ),
            None => match status {
                Ok(s) if s.success() => (outcomes, None),
                // Every case answered, then it died: blame the last, which it was still in.
                other => {
                    let at = cases.len().saturating_sub(1);
                    outcomes.truncate(at);
                    (
                        outcomes,
                        stop(
                            at,
                            format!("the harness {} after answering it{said}", how(&other)),
                            false,
                        ),
                    )
                }
            },
        }
    }
}
