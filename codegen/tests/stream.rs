//! `generate` one family at a time (`uapigen::stream`) against the plan of every model at
//! once (`load_dir`, `plan`): the same files in every tree, and the same refusals, with
//! nothing written, when the families do not go together.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use uapigen::plan::Tree;
use uapigen::{RustCrate, Templates};

/// Every file under `dir`, by its path there.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut all = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().to_string();
                all.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    all
}

fn golden_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(repo_root().join("codegen/tests/golden/schema")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    dir
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let p = dir.join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{from} not in {file}");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn every_tree_is_the_plan_of_every_model() {
    let schema = repo_root().join("codegen/tests/golden/schema");
    let models = uapigen::load_dir(&schema).unwrap();
    let templates = Templates::new(None).unwrap();
    let krate = RustCrate {
        name: "golden-bindings".into(),
        uaccess_path: "../../uaccess".into(),
    };
    for tree in [
        Tree::Generated(krate.clone()),
        Tree::Kernel,
        Tree::Qemu,
        Tree::RustVmm(krate.clone()),
    ] {
        let (streamed, planned) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let done =
            uapigen::stream::generate_dir(&schema, &tree, &templates, streamed.path()).unwrap();
        let plan = uapigen::plan(&models, &tree).unwrap();
        plan.write(&templates, planned.path(), &[]).unwrap();
        let (s, p) = (files(streamed.path()), files(planned.path()));
        assert_eq!(
            s.keys().collect::<Vec<_>>(),
            p.keys().collect::<Vec<_>>(),
            "{tree:?}"
        );
        assert!(s == p, "{tree:?}: a file differs");
        assert_eq!(done.files, plan.files.len(), "{tree:?}");
        let mut written: Vec<&String> = s.keys().collect();
        written.sort();
        assert_eq!(done.written.iter().collect::<Vec<_>>(), written, "{tree:?}");
        // Again over its own output: nothing changes.
        let again =
            uapigen::stream::generate_dir(&schema, &tree, &templates, streamed.path()).unwrap();
        assert!(again.written.is_empty(), "{tree:?}: {:?}", again.written);
    }
}

/// Where the families do not go together, `generate` says what `load_dir` says, and writes
/// nothing: two families' constant of one name, two families of one header, a schema error
/// in each of two families (both reported), an `extern` copy that drifts from its family.
#[test]
fn families_that_do_not_go_together_are_refused_as_load_dir_refuses_them() {
    let cases: [(&str, &dyn Fn(&Path)); 4] = [
        ("a constant of another family's name", &|d| {
            edit(
                d,
                "flex.toml",
                "[[revision]]",
                "[[define]]\nname = \"EXTDEP_BASE\"\nvalue = 1\n\n[[revision]]",
            )
        }),
        ("two families of one header", &|d| {
            edit(
                d,
                "flex.toml",
                "header = \"linux/flex.h\"",
                "header = \"linux/packed.h\"",
            )
        }),
        ("a schema error in two families", &|d| {
            edit(
                d,
                "flex.toml",
                "[[revision]]",
                "[[define]]\nname = \"X\"\n\n[[revision]]",
            );
            edit(
                d,
                "ptr.toml",
                "[[revision]]",
                "[[define]]\nname = \"Y\"\n\n[[revision]]",
            );
        }),
        ("a copy that drifts from its family", &|d| {
            edit(d, "extuse.toml", "value = 183", "value = 184")
        }),
    ];
    let templates = Templates::new(None).unwrap();
    for (what, break_it) in cases {
        let dir = golden_copy();
        break_it(dir.path());
        let expected = match uapigen::load_dir(dir.path()) {
            Ok(_) => panic!("{what}: load_dir accepted it"),
            Err(e) => e.to_string(),
        };
        let out = tempfile::tempdir().unwrap();
        let tree = Tree::Generated(RustCrate::default());
        match uapigen::stream::generate_dir(dir.path(), &tree, &templates, out.path()) {
            Ok(_) => panic!("{what}: generated"),
            Err(e) => assert_eq!(e.to_string(), expected, "{what}"),
        }
        assert!(files(out.path()).is_empty(), "{what}: files left");
    }
}

/// `check` one family at a time finds what the plan of every model finds, in its order: a
/// file that differs, one missing, a leftover, and a published revision that changed.
#[test]
fn check_finds_what_the_plan_of_every_model_finds() {
    let dir = golden_copy();
    let templates = Templates::new(None).unwrap();
    let tree = Tree::Generated(RustCrate::default());
    let out = tempfile::tempdir().unwrap();
    uapigen::stream::generate_dir(dir.path(), &tree, &templates, out.path()).unwrap();
    let fresh = uapigen::stream::check_dir(dir.path(), &tree, &templates, out.path()).unwrap();
    assert!(
        fresh.stale.is_empty() && fresh.locks.is_empty(),
        "{fresh:?}"
    );
    let models = uapigen::load_dir(dir.path()).unwrap();
    let output = uapigen::plan(&models, &tree)
        .unwrap()
        .emit(&templates)
        .unwrap();
    assert_eq!(fresh.files, output.files.len());
    let o = out.path();
    std::fs::write(o.join("include/uapi/linux/flex.h"), "stale\n").unwrap();
    std::fs::remove_file(o.join("rust/src/ptr.rs")).unwrap();
    std::fs::write(o.join("rust/src/leftover.rs"), "").unwrap();
    std::fs::write(o.join("include/uapigen/left.h"), "").unwrap();
    let streamed = uapigen::stream::check_dir(dir.path(), &tree, &templates, o).unwrap();
    let planned = output.check(o).unwrap();
    assert_eq!(streamed.stale, planned);
    assert_eq!(planned.len(), 4, "{planned:?}");
    // A lock file whose published revision no longer matches.
    let lock = uapigen::lock_path(dir.path(), &models[0].history);
    let snapshot = uapigen::abi::snapshot(&models[0]);
    let text = uapigen::abi::lock_text(&snapshot).unwrap();
    std::fs::write(&lock, text.replacen("@0", "@4", 1)).unwrap();
    let locked = uapigen::stream::check_dir(dir.path(), &tree, &templates, o).unwrap();
    assert_eq!(
        locked.locks,
        uapigen::check_locks(dir.path(), &models).unwrap()
    );
    assert!(!locked.locks.is_empty());
}

/// A file that fails to render (a template naming what its data lacks) is reported as the plan
/// of every model reports it, after the families' own errors, and nothing is written; with a
/// schema error in a family too, that one is reported, as `load_dir` reports it first.
#[test]
fn a_file_that_fails_to_render_is_reported_after_the_schemas_errors() {
    let templates_dir = tempfile::tempdir().unwrap();
    std::fs::write(
        templates_dir.path().join("uapi_header.h.hbs"),
        "/* {{gaurd}} */\n",
    )
    .unwrap();
    let templates = Templates::new(Some(templates_dir.path())).unwrap();
    let tree = Tree::Generated(RustCrate::default());
    let dir = golden_copy();
    let out = tempfile::tempdir().unwrap();
    let models = uapigen::load_dir(dir.path()).unwrap();
    let planned = uapigen::plan(&models, &tree)
        .unwrap()
        .write(&templates, out.path(), &[])
        .unwrap_err()
        .to_string();
    let streamed = uapigen::stream::generate_dir(dir.path(), &tree, &templates, out.path())
        .unwrap_err()
        .to_string();
    assert!(streamed.contains("gaurd"), "{streamed}");
    assert_eq!(streamed, planned);
    assert!(files(out.path()).is_empty());
    edit(
        dir.path(),
        "ptr.toml",
        "[[revision]]",
        "[[define]]\nname = \"Y\"\n\n[[revision]]",
    );
    let schema = uapigen::load_dir(dir.path()).unwrap_err().to_string();
    let streamed = uapigen::stream::generate_dir(dir.path(), &tree, &templates, out.path())
        .unwrap_err()
        .to_string();
    assert_eq!(streamed, schema);
    assert!(files(out.path()).is_empty());
}
