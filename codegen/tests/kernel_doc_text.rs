//! The docs are the kernel's own (issue 14): the kernel's scripts/kernel-doc (Debian's
//! linux-source-7.2, fetched by scripts/fetch-linux-scripts) renders the real uAPI header and
//! uapigen's of the same revision as reStructuredText (`-rst`, the mode that prints every
//! struct, union and enum summary, member and constant, section and DOC block), and the two
//! renderings are compared declaration by declaration, text by text. Only whitespace is
//! normalized: each paragraph's line-wrapping and indentation collapse to single spaces, and
//! paragraph breaks stay. The `**Definition**` code block kernel-doc prints is not doc text
//! and is left out (tests/real_headers.rs holds the declarations to the kernel's).
//!
//! The headers: iommufd.h of Linux 7.2 (Debian unstable) against uapigen's revision for 7.2,
//! the latest (generated/'s header); iommu.h of Linux 5.10 (Debian bullseye) against uapigen's
//! revision for 5.10, v5_10 (tests/real_headers/revision.rs emits it as the emitter writes
//! generated/'s v5_13 header, whose kernel-doc is the same but for a kernel the cache lacks).
//!
//! The differences that remain are held to `kernel_doc_text/differences.txt`, a ratchet: one
//! line a text, `HEADER DECLARATION TEXT [HASH] -- REASON`, the hash that of both renderings,
//! so a difference that changes is a change of the file. The test fails when the differences
//! are not exactly those lines, or a line gives no reason (`UAPIGEN_BLESS=1` rewrites the
//! file, keeping the reasons of the lines that stay and marking new ones `?`).
//! `cargo test -p uapigen --test kernel_doc_text -- --nocapture` prints the report.

mod common;
#[allow(dead_code)]
#[path = "real_headers/kernels.rs"]
mod kernels;
#[path = "real_headers/revision.rs"]
mod revision;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use uapigen::emit::Templates;

const DIFFERENCES: &str = "codegen/tests/kernel_doc_text/differences.txt";

/// The family headers held to a real one: (header, Debian suite of the real one).
const PAIRS: &[(&str, &str)] = &[
    ("linux/iommufd.h", "unstable"),
    ("linux/iommu.h", "bullseye"),
];

fn kernel_doc() -> PathBuf {
    let cache = std::env::var_os("UAPIGEN_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/uapigen")
        });
    let tool = cache.join("linux-scripts/current/scripts/kernel-doc");
    assert!(
        tool.exists(),
        "{} missing: run scripts/setup (it runs scripts/fetch-linux-scripts)",
        tool.display()
    );
    tool
}

/// One declaration's texts as kernel-doc renders them: `summary`, `@member` (members and enum
/// constants), `section NAME` (Description, Note, Return...), `text` (a DOC block's).
type Texts = BTreeMap<String, String>;

/// `kernel-doc -rst FILE`, its declarations (`struct iommu_destroy`, `DOC General ioctl
/// format`) in the order it prints them, each with its texts.
fn rendered(tool: &Path, file: &Path) -> Vec<(String, Texts)> {
    let out = Command::new(tool)
        .arg("-rst")
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", tool.display()));
    assert!(
        out.status.success(),
        "kernel-doc -rst {}:\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let rst = String::from_utf8(out.stdout).unwrap();
    let decls = parse_rst(&rst);
    assert!(
        !decls.is_empty(),
        "kernel-doc found no kernel-doc in {}",
        file.display()
    );
    decls
}

fn parse_rst(rst: &str) -> Vec<(String, Texts)> {
    // Each declaration's fields in order, each with its raw lines.
    type Fields = Vec<(String, Vec<String>)>;
    let mut decls: Vec<(String, Fields)> = Vec::new();
    // The text lines go to `field` of the last declaration; None drops them (the container
    // directive, the Definition block, the gap between a list heading and its first item).
    let mut field: Option<String> = None;
    let mut in_list = false;
    let mut doc_title: Option<String> = None;
    for line in rst.lines() {
        let t = line.trim();
        if let Some(rest) = line.strip_prefix(".. c:") {
            if let Some((kind, name)) = rest.split_once(":: ") {
                decls.push((format!("{kind} {}", name.trim()), Vec::new()));
                field = Some("summary".into());
                in_list = false;
                doc_title = None;
                continue;
            }
        }
        if let Some(name) = line.strip_prefix(".. _").and_then(|r| r.strip_suffix(':')) {
            decls.push((format!("DOC {name}"), Vec::new()));
            field = Some("text".into());
            in_list = false;
            doc_title = Some(format!("**{name}**"));
            continue;
        }
        if decls.is_empty() {
            continue;
        }
        if t.starts_with(".. container::") {
            field = None;
            continue;
        }
        if t == "**Definition**::" {
            field = None;
            in_list = false;
            continue;
        }
        if doc_title.as_deref() == Some(t) {
            doc_title = None;
            continue;
        }
        let heading = t
            .strip_prefix("**")
            .and_then(|r| r.strip_suffix("**"))
            .filter(|h| !h.is_empty() && !h.contains('*'));
        if let Some(h) = heading {
            if matches!(h, "Members" | "Constants" | "Parameters") {
                field = None;
                in_list = true;
            } else {
                field = Some(format!("section {h}"));
                in_list = false;
            }
            continue;
        }
        let item = t
            .strip_prefix("``")
            .and_then(|r| r.strip_suffix("``"))
            .filter(|i| !i.is_empty() && !i.contains('`'));
        if let (true, Some(i)) = (in_list, item) {
            field = Some(format!("@{i}"));
            continue;
        }
        if let Some(f) = &field {
            let fields = &mut decls.last_mut().unwrap().1;
            match fields.last_mut() {
                Some((name, lines)) if name == f => lines.push(line.to_string()),
                _ => fields.push((f.clone(), vec![line.to_string()])),
            }
        }
    }
    decls
        .into_iter()
        .map(|(name, fields)| {
            let mut texts = Texts::new();
            for (f, lines) in fields {
                let text = normalize(&lines);
                // A field met twice (a second Description) is one text.
                let slot = texts.entry(f).or_default();
                if !slot.is_empty() && !text.is_empty() {
                    slot.push_str(" ¶ ");
                }
                slot.push_str(&text);
            }
            texts.retain(|_, t| !t.is_empty());
            (name, texts)
        })
        .collect()
}

/// Paragraphs (blank-line separated), each with its whitespace collapsed, joined by ` ¶ `.
fn normalize(lines: &[String]) -> String {
    let mut paragraphs = Vec::new();
    let mut current = Vec::new();
    for l in lines {
        if l.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join(" "));
                current.clear();
            }
        } else {
            current.extend(l.split_whitespace());
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join(" "));
    }
    paragraphs.join(" ¶ ")
}

/// FNV-1a of both renderings, as 8 hex digits: a difference that changes changes its line.
fn hash(real: &str, ours: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in real.bytes().chain([0]).chain(ours.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{:08x}", (h >> 32) as u32 ^ h as u32)
}

struct Difference {
    key: String,
    real: Option<String>,
    ours: Option<String>,
}

impl Difference {
    fn line(&self) -> String {
        let none = "";
        let real = self.real.as_deref().unwrap_or(none);
        let ours = self.ours.as_deref().unwrap_or(none);
        format!("{} [{}]", self.key, hash(real, ours))
    }
}

struct Compared {
    declarations: usize,
    identical: usize,
    texts: usize,
    differences: Vec<Difference>,
}

fn compare(header: &str, real: &[(String, Texts)], ours: &[(String, Texts)]) -> Compared {
    let ours_by: BTreeMap<&str, &Texts> = ours.iter().map(|(n, t)| (n.as_str(), t)).collect();
    let real_by: BTreeMap<&str, &Texts> = real.iter().map(|(n, t)| (n.as_str(), t)).collect();
    let mut names: Vec<&str> = real.iter().map(|(n, _)| n.as_str()).collect();
    names.extend(
        ours.iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| !real_by.contains_key(n)),
    );
    let empty = Texts::new();
    let mut c = Compared {
        declarations: names.len(),
        identical: 0,
        texts: 0,
        differences: Vec::new(),
    };
    for name in names {
        let r = real_by.get(name).copied();
        let o = ours_by.get(name).copied();
        let (rt, ot) = (r.unwrap_or(&empty), o.unwrap_or(&empty));
        let mut fields: Vec<&String> = rt.keys().collect();
        fields.extend(ot.keys().filter(|k| !rt.contains_key(*k)));
        let before = c.differences.len();
        if r.is_none() || o.is_none() {
            // A declaration one side lacks is one difference, not one per text.
            c.differences.push(Difference {
                key: format!("{header} {name} (declaration)"),
                real: r.map(|t| format!("{t:?}")),
                ours: o.map(|t| format!("{t:?}")),
            });
        } else {
            for f in fields {
                c.texts += 1;
                let (a, b) = (rt.get(f), ot.get(f));
                if a != b {
                    c.differences.push(Difference {
                        key: format!("{header} {name} {f}"),
                        real: a.cloned(),
                        ours: b.cloned(),
                    });
                }
            }
        }
        if c.differences.len() == before {
            c.identical += 1;
        }
    }
    c
}

/// The ratchet's lines: `KEY [HASH]` → reason.
fn expected(path: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(" -- ") {
            Some((k, r)) => (k.to_string(), r.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

fn write_expected(path: &Path, lines: &BTreeMap<String, String>) {
    let mut text = String::from(
        "# Where kernel-doc renders uapigen's header other than the kernel's own\n\
         # (codegen/tests/kernel_doc_text.rs): HEADER DECLARATION TEXT [HASH] -- REASON.\n\
         # The test fails when the differences are not exactly these lines, or a line has no\n\
         # reason (`?`): fix the schema's text, then remove the line (UAPIGEN_BLESS=1 cargo test\n\
         # -p uapigen --test kernel_doc_text rewrites this file, keeping the reasons).\n",
    );
    for (k, r) in lines {
        writeln!(text, "{k} -- {r}").unwrap();
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn kernel_doc_renders_the_kernels_text() {
    let tool = kernel_doc();
    let kernels = kernels::fetched();
    let families = common::real_families();
    let templates = Templates::new(None).unwrap();
    let scratch = tempfile::tempdir().unwrap();

    let mut report = String::new();
    let mut found: BTreeMap<String, &Difference> = BTreeMap::new();
    let mut all = Vec::new();
    for &(header, suite) in PAIRS {
        let k = kernels.iter().find(|k| k.suite == suite).unwrap();
        let real = k.include.join(header);
        assert!(
            real.is_file(),
            "{}: missing: run scripts/setup (it runs scripts/fetch-kernel-headers)",
            real.display()
        );
        let model = families
            .iter()
            .find(|m| m.family.header == header)
            .unwrap_or_else(|| panic!("no family writes {header}"));
        let rev = revision::for_release(model, k.release)
            .unwrap_or_else(|| panic!("{header}: the schema has no revision for {}", k.name()));
        let ours = scratch.path().join(header.replace('/', "-"));
        std::fs::write(&ours, revision::header(model, rev, &templates)).unwrap();
        let c = compare(header, &rendered(&tool, &real), &rendered(&tool, &ours));
        writeln!(
            report,
            "== {header}: Linux {} (Debian {suite}) against uapigen's {}{}: {} declarations, {} \
             identical; {} texts compared, {} differences",
            k.name(),
            revision::id(model, rev),
            if rev == model.latest().id() {
                " (the latest, as in generated/)"
            } else {
                ""
            },
            c.declarations,
            c.identical,
            c.texts,
            c.differences.len()
        )
        .unwrap();
        all.push(c);
    }
    for c in &all {
        for d in &c.differences {
            writeln!(
                report,
                "-- {}\n   kernel: {}\n   ours:   {}",
                d.line(),
                d.real.as_deref().unwrap_or("(none)"),
                d.ours.as_deref().unwrap_or("(none)")
            )
            .unwrap();
            found.insert(d.line(), d);
        }
    }
    println!("{report}");

    let path = common::repo_root().join(DIFFERENCES);
    let listed = expected(&path);
    if std::env::var_os("UAPIGEN_BLESS").is_some_and(|v| v == "1") {
        let lines = found
            .keys()
            .map(|k| {
                let reason = listed.get(k).cloned().unwrap_or_else(|| "?".into());
                (k.clone(), reason)
            })
            .collect();
        write_expected(&path, &lines);
        return;
    }
    let found: BTreeSet<&String> = found.keys().collect();
    let listed_keys: BTreeSet<&String> = listed.keys().collect();
    let mut diff = String::new();
    for k in found.difference(&listed_keys) {
        writeln!(diff, "+ {k}").unwrap();
    }
    for k in listed_keys.difference(&found) {
        writeln!(diff, "- {k}").unwrap();
    }
    assert!(
        diff.is_empty(),
        "kernel-doc's renderings differ other than {DIFFERENCES} lists (+: new, -: closed, \
         remove the line; UAPIGEN_BLESS=1 rewrites the file):\n{diff}\n{report}"
    );
    let unexplained: Vec<_> = listed
        .iter()
        .filter(|(_, r)| r.is_empty() || r.as_str() == "?")
        .map(|(k, _)| k.as_str())
        .collect();
    assert!(
        unexplained.is_empty(),
        "{DIFFERENCES}: lines without a reason:\n{}",
        unexplained.join("\n")
    );
}

#[test]
fn the_rst_reader_sees_every_text() {
    let rst = "\
.. _General format:

**General format**

The ioctl interface
follows a format.

 - ENOTTY: no

.. c:struct:: iommu_destroy

  ioctl(IOMMU_DESTROY)

.. container:: kernelindent

  **Definition**::

    struct iommu_destroy {
        __u32 size;
    };

  **Members**

  ``size``
    sizeof(struct
    iommu_destroy)


**Description**

Destroy **any** object.

**Note**

x

.. c:enum:: e

  Summary

.. container:: kernelindent

    **Constants**

    ``A``
      a value
";
    let decls = parse_rst(rst);
    let names: Vec<&str> = decls.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["DOC General format", "struct iommu_destroy", "enum e"]
    );
    assert_eq!(
        decls[0].1["text"],
        "The ioctl interface follows a format. ¶ - ENOTTY: no"
    );
    let s = &decls[1].1;
    assert_eq!(s.len(), 4, "{s:?}");
    assert_eq!(s["summary"], "ioctl(IOMMU_DESTROY)");
    assert_eq!(s["@size"], "sizeof(struct iommu_destroy)");
    assert_eq!(s["section Description"], "Destroy **any** object.");
    assert_eq!(s["section Note"], "x");
    assert_eq!(decls[2].1["@A"], "a value");
}
