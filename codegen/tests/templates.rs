//! The C emitters write the built-in templates' text directly, without handlebars, unless a
//! template is overridden (`emit::Templates`). The templates stay the documented output and
//! the judge: on every schema of the repository (the real ones, the golden test's, the
//! walkthrough's, the fuzz corpus's), on schemas made like the benchmark's, and on one that
//! holds what the others lack (empty texts, which handlebars' `{{#if}}` takes as false), the
//! files are byte for byte those handlebars renders from the templates, in every profile.

mod common;

use common::repo_root;
use uapigen::emit::{RustCrate, Templates};
use uapigen::plan::Tree;
use uapigen::profile::Profile;
use uapigen::Source;

/// Every file of every profile, written directly and through handlebars: the same.
fn same_both_ways(what: &str, models: &[uapigen::Checked]) {
    let direct = Templates::new(None).unwrap();
    let handlebars = Templates::new(None).unwrap().through_handlebars();
    let mut compared = 0;
    for profile in [
        Profile::Generated,
        Profile::Kernel,
        Profile::Qemu,
        Profile::RustVmm,
    ] {
        let plan = uapigen::plan(models, &Tree::of(profile, RustCrate::default())).unwrap();
        let a = plan.emit(&direct).unwrap();
        let b = plan.emit(&handlebars).unwrap();
        assert_eq!(
            a.files.keys().collect::<Vec<_>>(),
            b.files.keys().collect::<Vec<_>>()
        );
        for (path, text) in &a.files {
            let expected = &b.files[path];
            if text != expected {
                let line = text
                    .lines()
                    .zip(expected.lines())
                    .position(|(x, y)| x != y)
                    .map_or(text.lines().count().min(expected.lines().count()), |l| l);
                panic!(
                    "{what}, {profile:?}: {path} written directly differs from the template's \
                     rendering at line {}:\n  direct:     {:?}\n  handlebars: {:?}",
                    line + 1,
                    text.lines().nth(line),
                    expected.lines().nth(line)
                );
            }
            if path.ends_with(".h") {
                compared += 1;
            }
        }
    }
    assert!(compared > 0, "{what}: no C header compared");
}

/// Loaded without the history check: `widget.breaking.toml` breaks its ABI on purpose, and
/// its files are still files to compare.
fn load_file(path: &std::path::Path) -> uapigen::Checked {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let source = Source::read(path).unwrap();
    uapigen::load_revisions(source, &name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn real_schemas() {
    same_both_ways("schema/", &common::real_families());
}

#[test]
fn golden_schema() {
    let dir = repo_root().join("codegen/tests/golden/schema");
    same_both_ways("golden", &uapigen::load_dir(&dir).unwrap());
}

#[test]
fn walkthrough_and_fuzz_corpus() {
    let mut n = 0;
    for dir in ["examples/walkthrough", "fuzz/corpus/schema"] {
        let mut paths: Vec<_> = std::fs::read_dir(repo_root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            let model = load_file(&path);
            same_both_ways(&path.display().to_string(), std::slice::from_ref(&model));
            n += 1;
        }
    }
    assert!(n >= 8, "{n} schemas");
}

/// A schema as `scripts/bench-generate` writes them (its Python, in Rust), of `n` structs.
fn bench_schema(n: usize) -> String {
    let mut out = String::from(
        "[family]\nname = \"bench0\"\nheader = \"linux/bench0.h\"\n\
         guard = \"_UAPI_LINUX_BENCH0_H\"\nlicense = \"GPL-2.0 WITH Linux-syscall-note\"\n\
         includes = [\"linux/types.h\"]\n\n[[revision]]\nid = \"r1\"\nlabel = \"first\"\n\n\
         [[revision]]\nid = \"r2\"\nlabel = \"second: one field and one flag more per struct\"\n\n",
    );
    for i in 0..n {
        let s = format!("bench_s{i}");
        let up = s.to_uppercase();
        out += &format!(
            "[[flags]]\nname = \"{s}_flags\"\nvalues = [\n\
             \x20 {{ name = \"{up}_A\", bit = 0 }},\n\
             \x20 {{ name = \"{up}_B\", bit = 1 }},\n\
             \x20 {{ name = \"{up}_C\", bit = 2, since = \"r2\" }},\n]\n\n\
             [[struct]]\nname = \"{s}\"\nsummary = \"synthetic struct {i}\"\nconvention = \"size\"\n\
             min_size = {{ offsetofend = \"addr\" }}\nfields = [\n\
             \x20 {{ name = \"size\", type = \"__u32\", doc = \"sizeof\" }},\n\
             \x20 {{ name = \"flags\", type = \"__u32\", flags = \"{s}_flags\", doc = \"{up}_* flags\" }},\n\
             \x20 {{ name = \"id\", type = \"__u32\", doc = \"an object\" }},\n\
             \x20 {{ name = \"__reserved\", type = \"__u32\", reserved = true, doc = \"must be 0\" }},\n\
             \x20 {{ name = \"addr\", type = \"__aligned_u64\", doc = \"an address\" }},\n\
             \x20 {{ name = \"len\", type = \"__aligned_u64\", since = \"r2\", doc = \"a length\" }},\n\
             \x20 {{ name = \"tags\", type = \"__u16\", len = 4, since = \"r2\", doc = \"tags\" }},\n]\n\
             rules = [\n\
             \x20 {{ require = [{{ field = \"flags\", known_flags = true }}, {{ field = \"__reserved\", zero = true }}], errno = \"EOPNOTSUPP\" }},\n\
             \x20 {{ require = [{{ field = \"addr\", aligned = 4096 }}] }},\n\
             \x20 {{ when = [{{ field = \"flags\", has = \"{up}_C\" }}], require = [{{ field = \"len\", nonzero = true }}] }},\n]\n\n"
        );
    }
    out
}

#[test]
fn benchmark_schema() {
    let model = uapigen::load_source(Source::new("bench0.toml", bench_schema(40)), "bench0.toml")
        .unwrap_or_else(|e| panic!("{e}"));
    same_both_ways("bench0.toml", &[model]);
}

/// What handlebars takes as false and the direct writers must too: empty docs, comments
/// and labels, a revision whose validators differ from today's and one whose equal them.
#[test]
fn empty_texts_and_revisions() {
    let text = r#"
[family]
name = "edge"
header = "linux/edge.h"
guard = "_UAPI_LINUX_EDGE_H"
license = "GPL-2.0 WITH Linux-syscall-note"
includes = ["linux/types.h"]
description = """
First line.

After an empty line."""

[[revision]]
id = "r1"
label = ""

[[revision]]
id = "r2"
label = "two"

[[revision]]
id = "r3"
label = "three: nothing new for edge_b"

[[enum]]
name = "edge_kind"
values = [
  { name = "EDGE_KIND_A", doc = "" },
  { name = "EDGE_KIND_B", value = 4 },
]

[[define]]
name = "EDGE_MAGIC"
value = 0x42
doc = ""

[[struct]]
name = "edge_a"
doc = ""
convention = "argsz"
min_size = { offsetofend = "flags" }
fields = [
  { name = "argsz", type = "__u32", doc = "" },
  { name = "flags", type = "__u32", comment = "" },
  { name = "addr", type = "__aligned_u64", since = "r2" },
]
rules = [
  { when = [{ field = "flags", equals = 1 }], require = [{ field = "addr", nonzero = true }] },
]

[[struct]]
name = "edge_b"
summary = "a struct"
convention = "size"
min_size = { offsetofend = "flags" }
fields = [
  { name = "size", type = "__u32" },
  { name = "flags", type = "__u32" },
  { name = "v", type = "__aligned_u64", since = "r2" },
]
rules = [
  { require = [{ field = "v", below = 16 }], errno = "EINVAL" },
]
"#;
    match uapigen::load_source(Source::new("edge.toml", text), "edge.toml") {
        Ok(model) => same_both_ways("edge.toml", &[model]),
        Err(e) => panic!("the edge schema must load:\n{e}"),
    }
}
