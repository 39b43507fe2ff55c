//! uapigen's uAPI headers against the kernel's own, declaration by declaration (issue 14).
//!
//! The real headers are Debian's linux-libc-dev of four releases (scripts/fetch-kernel-headers,
//! run by scripts/setup). For each release and each family header it ships, libclang lists
//! what the real header and uapigen's header of the matching revision declare, and gcc
//! measures both with the same program on x86-64 and i686: every struct and union (size,
//! alignment, each member's offset and size), enum, enum constant, integer `#define` and ioctl
//! number. The findings are held to `real_headers/gaps.txt`, a ratchet: a new gap fails the
//! test, and so does a gap closed but still listed (`UAPIGEN_BLESS=1` rewrites the file).
//! `cargo test -p uapigen --test real_headers -- --nocapture` prints the report.

mod common;
#[path = "real_headers/compare.rs"]
mod compare;
#[path = "real_headers/kernels.rs"]
mod kernels;
#[path = "real_headers/probe.rs"]
mod probe;
#[path = "real_headers/revision.rs"]
mod revision;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use compare::{Finding, Kind};
use kernels::{Kernel, ABIS};
use uapigen::emit::Templates;
use uapigen::tools::header_decls::{self, Declarations};

const GAPS: &str = "codegen/tests/real_headers/gaps.txt";

/// The real header and uapigen's for one release, declared and measured.
struct Pair {
    real: Declarations,
    generated: Declarations,
    /// (ABI, findings), in `ABIS` order.
    findings: Vec<(&'static str, Vec<Finding>)>,
    counts: Vec<(usize, usize)>,
}

fn compare_release(
    k: &Kernel,
    model: &uapigen::Checked,
    rev: uapigen::model::RevId,
    templates: &Templates,
    scratch: &Path,
) -> Pair {
    let header = &model.family.header;
    let stem = format!("{}-{}", k.suite, model.family.name);
    let gen_dir = scratch.join(format!("gen-{stem}"));
    let gen_path = gen_dir.join(header);
    std::fs::create_dir_all(gen_path.parent().unwrap()).unwrap();
    std::fs::write(&gen_path, revision::header(model, rev, templates)).unwrap();

    // Names do not depend on the ABI: listed once, as on x86-64.
    let host = k.include_dirs(&ABIS[0]);
    let host: Vec<&Path> = host.iter().map(|p| p.as_path()).collect();
    let declared = |path: &Path, include: &[&Path]| {
        header_decls::declarations(path, include, uapigen::layout::DEFAULT_TARGET, &[])
            .unwrap_or_else(|e| panic!("libclang on {}:\n{e}", path.display()))
    };
    let real = declared(&k.include.join(header), &host);
    let generated = declared(&gen_path, &[&[gen_dir.as_path()], host.as_slice()].concat());

    let mut findings = Vec::new();
    let mut counts = Vec::new();
    for abi in ABIS {
        let include = k.include_dirs(abi);
        let r = probe::measure(
            header,
            &real,
            &include,
            abi,
            scratch,
            &format!("real-{stem}"),
        );
        let with_gen: Vec<_> = std::iter::once(gen_dir.clone()).chain(include).collect();
        let g = probe::measure(
            header,
            &generated,
            &with_gen,
            abi,
            scratch,
            &format!("gen-{stem}"),
        );
        counts.push((r.len(), g.len()));
        findings.push((abi.name, compare::compare(&r, &g)));
    }
    Pair {
        real,
        generated,
        findings,
        counts,
    }
}

/// The ratchet's line of a finding: a different measure keeps both values, so a gap that
/// changes is a change of the file too.
fn gap_line(k: &Kernel, header: &str, abi: &str, f: &Finding) -> String {
    let mut line = format!("{} {header} {abi} {} {}", k.name(), f.kind, f.key);
    if f.kind == Kind::Different {
        write!(line, ": {}", f.detail).unwrap();
    }
    line
}

fn report_pair(out: &mut String, pair: &Pair) {
    for note in pair
        .real
        .not_compared
        .iter()
        .chain(&pair.generated.not_compared)
    {
        writeln!(out, "    not compared: {note}").unwrap();
    }
    let mut previous: Option<&Vec<Finding>> = None;
    for ((abi, findings), (real, generated)) in pair.findings.iter().zip(&pair.counts) {
        let n = |kind| findings.iter().filter(|f| f.kind == kind).count();
        writeln!(
            out,
            "  {abi}: {real} measures in the real header, {generated} in uapigen's: \
             {} missing, {} different, {} extra",
            n(Kind::Missing),
            n(Kind::Different),
            n(Kind::Extra)
        )
        .unwrap();
        if previous == Some(findings) {
            writeln!(out, "    (the same findings as above)").unwrap();
            continue;
        }
        for f in findings {
            let detail = if f.detail.is_empty() {
                String::new()
            } else {
                format!(" ({})", f.detail)
            };
            let mark = if f.kind == Kind::Different {
                "  <-- WRONG"
            } else {
                ""
            };
            writeln!(out, "    {} {}{detail}{mark}", f.kind, f.key).unwrap();
        }
        previous = Some(findings);
    }
}

/// The expected gaps: the file's lines without comments and blanks.
fn expected_gaps(path: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

fn write_gaps(path: &Path, gaps: &BTreeSet<String>) {
    let mut text = String::from(
        "# What uapigen's uAPI headers lack or get wrong against the kernel's own\n\
         # (codegen/tests/real_headers.rs): RELEASE HEADER ABI missing|different|extra DECLARATION.\n\
         # The test fails when the findings are not exactly these lines: close a gap, then remove\n\
         # its line (UAPIGEN_BLESS=1 cargo test -p uapigen --test real_headers rewrites this file).\n",
    );
    for g in gaps {
        text.push_str(g);
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn generated_headers_against_the_kernels_own() {
    let kernels = kernels::fetched();
    let scratch = tempfile::tempdir().unwrap();
    kernels::require_compilers(scratch.path());
    let families = common::real_families();
    let templates = Templates::new(None).unwrap();

    let mut report = String::new();
    let mut gaps = BTreeSet::new();
    for k in &kernels {
        // A proposal's header (the nesting envelope) is in no kernel: nothing to compare.
        for model in families.iter().filter(|m| m.family.proposal.is_none()) {
            let header = &model.family.header;
            let title = format!(
                "Linux {} (Debian {}, linux-libc-dev {}): {header}",
                k.name(),
                k.suite,
                k.package
            );
            if !k.include.join(header).is_file() {
                // Only where the kernel had no such header: iommufd.h arrived in 6.2, the
                // userspace iommu.h left before 6.12. Anything else is a broken package.
                let v: Vec<u32> = k.name().split('.').filter_map(|x| x.parse().ok()).collect();
                let release = (
                    v.first().copied().unwrap_or(0),
                    v.get(1).copied().unwrap_or(0),
                );
                let absent = match header.as_str() {
                    "linux/iommufd.h" => release < (6, 2),
                    "linux/iommu.h" => release >= (6, 12),
                    _ => false,
                };
                assert!(
                    absent,
                    "{title}: the header is missing from the package: run scripts/setup"
                );
                writeln!(
                    report,
                    "== {title}: not in this release (the kernel had none)\n"
                )
                .unwrap();
                continue;
            }
            let Some(rev) = revision::for_release(model, k.release) else {
                // A history that starts later (vfio.toml models 6.1 on) claims nothing of an
                // older release; the report says so.
                writeln!(
                    report,
                    "== {title}: not compared: the schema's history starts at {}, after this release\n",
                    model.history.revisions[0].id
                )
                .unwrap();
                continue;
            };
            let latest = rev == model.latest().id();
            writeln!(
                report,
                "== {title} against uapigen's {}{}",
                revision::id(model, rev),
                if latest {
                    " (the latest, as in generated/)"
                } else {
                    ""
                }
            )
            .unwrap();
            let pair = compare_release(k, model, rev, &templates, scratch.path());
            report_pair(&mut report, &pair);
            report.push('\n');
            for (abi, findings) in &pair.findings {
                gaps.extend(findings.iter().map(|f| gap_line(k, header, abi, f)));
            }
        }
    }
    println!("{report}");

    let path = common::repo_root().join(GAPS);
    if std::env::var_os("UAPIGEN_BLESS").is_some_and(|v| v == "1") {
        write_gaps(&path, &gaps);
        return;
    }
    let expected = expected_gaps(&path);
    let new: Vec<_> = gaps.difference(&expected).collect();
    let closed: Vec<_> = expected.difference(&gaps).collect();
    let mut diff = String::new();
    for g in &new {
        writeln!(diff, "+ {g}").unwrap();
    }
    for g in &closed {
        writeln!(diff, "- {g}").unwrap();
    }
    assert!(
        new.is_empty() && closed.is_empty(),
        "the findings differ from {GAPS}: {} new (+: a regression, or a newer kernel), {} closed \
         (-: remove the line; UAPIGEN_BLESS=1 rewrites the file):\n{diff}\n{report}",
        new.len(),
        closed.len()
    );
}

/// The latest revision's header made here is generated/'s, so older ones made the same way are
/// what the emitter would write for them.
#[test]
fn the_latest_revision_header_is_the_generated_one() {
    let templates = Templates::new(None).unwrap();
    for model in common::real_families() {
        let latest = model.latest().id();
        let path = common::repo_root()
            .join("generated/include/uapi")
            .join(&model.family.header);
        let committed = std::fs::read_to_string(&path).unwrap();
        assert!(
            revision::header(&model, latest, &templates) == committed,
            "{}: the latest revision's header differs from the committed one",
            path.display()
        );
    }
}

/// The function-like macros of the generated headers that the kernel's have too compute
/// what the kernel's do: each called over the values its parameter's flags take (vfio.h's
/// `VFIO_DEVICE_STATE_VALID(state)` over every device state), by gcc, for the real header and
/// for uapigen's of the latest release.
#[test]
fn function_like_macros_compute_as_the_kernels_own() {
    let scratch = tempfile::tempdir().unwrap();
    let k = kernels::fetched()
        .into_iter()
        .max_by_key(|k| k.release)
        .expect("a fetched release");
    let calls: String = ["VFIO_DEVICE_STATE_VALID", "VFIO_DEVICE_STATE_IS_ERROR", "VFIO_DEVICE_STATE_SET_ERROR"]
        .iter()
        .map(|m| format!("\tfor (unsigned s = 0; s < 16; s++)\n\t\tprintf(\"{m}(%u) = %u\\n\", s, (unsigned)({m}(s)));\n"))
        .collect();
    let program = format!(
        "#include <stdio.h>\n#include <linux/vfio.h>\nint main(void)\n{{\n{calls}\treturn 0;\n}}\n"
    );
    let run = |include: &[std::path::PathBuf], stem: &str| -> String {
        let c = scratch.path().join(format!("{stem}.c"));
        let exe = scratch.path().join(stem);
        std::fs::write(&c, &program).unwrap();
        let mut cc = std::process::Command::new("gcc");
        cc.arg("-std=gnu11").arg("-o").arg(&exe).arg(&c);
        for d in include {
            cc.arg("-I").arg(d);
        }
        let out = cc.output().expect("gcc runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = std::process::Command::new(&exe).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let include = k.include_dirs(&ABIS[0]);
    let real = run(&include, "real");
    let generated_dir = common::repo_root().join("generated/include/uapi");
    let with_gen: Vec<_> = std::iter::once(generated_dir).chain(include).collect();
    let generated = run(&with_gen, "gen");
    assert_eq!(real.lines().count(), 48, "{real}");
    assert_eq!(generated, real);
}
