//! uapigen: one TOML schema per kernel uAPI family → kernel-style C headers, Rust types,
//! validators and compatibility tests.
//!
//! The pipeline ([`pipeline`] runs it for one schema; ARCHITECTURE.md is the map), one folder
//! a stage:
//! - `front` (front end): `schema` parses the text, `resolve` builds the IR (`ir`);
//! - `model`: every revision laid out on every target (`model::layout`) and the derived facts
//!   (validator plans, flag masks, byte-view facts), built once and then only read;
//! - `check`: the rules a uAPI must follow (`check`), and how revisions extend each other and
//!   what a lock published (`check::abi`);
//! - `emit`: the model → the text of each file; [`plan()`] says which files a tree has and
//!   which emitter writes each, `output` writes them (or compares them with a folder);
//! - `tools`: what else reads the model (`interpret`, `decode`, `matrix`, `pahole`, the
//!   libclang proof) and the importers (`import`, `headers_install`).
//!
//! The facade, what a build script or another tool needs: [`Builder`] (a `build.rs`), or
//! [`load`] a folder of schemas → [`plan()`] the files of a [`Tree`] → [`Plan::emit`] them
//! with the [`Templates`] → [`Output::write`]; every failure is an [`Error`]. The stages'
//! modules stay public for the CLI, the tools, the fuzz targets and the tests, but are
//! hidden from these docs: they change as the stages do.
#![warn(missing_docs)]

pub mod builder;
#[doc(hidden)]
pub mod check;
#[doc(hidden)]
pub mod diag;
#[doc(hidden)]
pub mod emit;
#[doc(hidden)]
pub mod front;
#[doc(hidden)]
pub mod model;
#[doc(hidden)]
pub mod output;
pub mod plan;
#[doc(hidden)]
pub mod profile;
/// `generate` one family at a time.
pub mod stream;
#[doc(hidden)]
pub mod tools;

// The modules' paths before the stages had folders, kept for the crates that use them.
pub use check::abi;
pub use front::{ir, names, resolve, schema, when};
pub use model::layout;
pub use tools::{
    chain_c, chain_matrix, clang_proof, decode, headers_install, import, interpret, lab_matrix,
    libc_stubs, matrix, matrix_c, pahole,
};

pub use builder::Builder;
pub use emit::{RustCrate, Templates};
pub use output::Output;
pub use plan::{plan, Plan, Tree};

use std::path::Path;

pub use diag::{Diagnostic, Error, Source};
use ir::Family;
pub use model::Model;

/// A family that passed every check: the [`Model`] (the name the rest of the crate and its
/// users knew it by).
pub type Checked = Model;

/// The whole pipeline for one schema text, stage by stage: parse → resolve → model (layouts on
/// every target, derived facts) → check (every revision; the revisions' history) → the model
/// everything downstream reads.
pub fn pipeline(source: Source, schema_file: &str) -> Result<Model, Error> {
    let raw = schema::parse(&source)?;
    let family = resolve::resolve(raw, source, schema_file)?;
    let model = Model::new(family);
    check_revisions(&model)?;
    abi::check_history(&model)?;
    Ok(model)
}

/// parse → resolve → layout → check, for one schema text.
pub fn load_source(source: Source, schema_file: &str) -> Result<Checked, Error> {
    pipeline(source, schema_file)
}

/// Like `load_source`, without judging how the revisions extend each other: for `diff`,
/// which classifies exactly that.
pub fn load_revisions(source: Source, schema_file: &str) -> Result<Checked, Error> {
    let laid_out = lay_out(source, schema_file)?;
    check_revisions(&laid_out)?;
    Ok(laid_out)
}

/// Every revision must be a valid uAPI on its own, not only the latest; a problem all
/// revisions share is reported once.
fn check_revisions(laid_out: &Model) -> Result<(), Error> {
    let mut diags: Vec<Diagnostic> = Vec::new();
    for (f, l) in &laid_out.revisions {
        match check::check(f, l) {
            Ok(()) => {}
            Err(Error::Schema(d)) => diags.extend(
                d.into_iter()
                    .filter(|d| !diags.contains(d))
                    .collect::<Vec<_>>(),
            ),
            Err(e) => return Err(e),
        }
    }
    if !diags.is_empty() {
        return Err(Error::Schema(diags));
    }
    Ok(())
}

/// An `extern` item is a copy of another header's: where that header is a family of the same
/// tree, the copy must be what the family defines (a struct laid out the same on every target,
/// a constant of the same value, a macro of the same parameters and body), or the bindings
/// would drift from the header the C side includes.
fn extern_copies(models: &[Model]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for m in models {
        let f = &*m.family;
        let copies = f.items.iter().filter(|i| f.is_extern(**i));
        for item in copies {
            let (name, header, span, what) = match *item {
                ir::ItemRef::Struct(i) => {
                    let st = f.struct_(i);
                    (&st.name, &st.extern_header, &st.name_span, "struct")
                }
                ir::ItemRef::Define(i) => {
                    let d = f.define(i);
                    (
                        &d.constant.name,
                        &d.extern_header,
                        &d.constant.span,
                        "constant",
                    )
                }
                ir::ItemRef::Macro(i) => {
                    let mac = &f.macros[i.0];
                    (&mac.name, &mac.extern_header, &mac.span, "macro")
                }
                ir::ItemRef::Typedef(i) => {
                    let t = &f.typedefs[i.0];
                    (&t.name, &t.extern_header, &t.span, "typedef")
                }
                ir::ItemRef::Group(i) => {
                    let g = f.group(i);
                    (&g.name, &g.extern_header, &g.span, "enum")
                }
                ir::ItemRef::String(i) => {
                    let d = &f.strings[i.0];
                    (&d.name, &d.extern_header, &d.span, "string")
                }
                // Never another header's (`is_extern`).
                ir::ItemRef::TagAlias(_) => continue,
            };
            let Some(header) = header else { continue };
            let Some(o) = models.iter().find(|o| &o.family.header == header) else {
                continue;
            };
            let of = &*o.family;
            let differs = match *item {
                ir::ItemRef::Struct(i) => match of.structs.iter().position(|s| &s.name == name) {
                    None => Some("has no such struct".to_string()),
                    Some(oi) => {
                        let (mine, theirs) = (
                            emit::c_header::declaration(f, i),
                            emit::c_header::declaration(of, ir::StructId(oi)),
                        );
                        if mine != theirs {
                            Some(format!("declares it `{theirs}` (the copy: `{mine}`)"))
                        } else {
                            m.layouts
                                .iter()
                                .zip(o.layouts.iter())
                                .find(|(a, b)| a.structs[i.0] != b.structs[oi])
                                .map(|(a, _)| {
                                    format!("lays it out otherwise on {}", a.target.triple)
                                })
                        }
                    }
                },
                ir::ItemRef::Define(i) => {
                    let mine = &f.define(i).constant;
                    match of.constants().find(|c| &c.name == name) {
                        None => Some("has no such constant".to_string()),
                        Some(c) => crate::layout::TARGETS
                            .iter()
                            .find(|t| f.value_on(mine, t) != of.value_on(c, t))
                            .map(|t| {
                                format!(
                                    "gives it {:#x} on {} (the copy: {:#x})",
                                    of.value_on(c, t),
                                    t.triple,
                                    f.value_on(mine, t)
                                )
                            }),
                    }
                }
                ir::ItemRef::Macro(i) => {
                    let mine = &f.macros[i.0];
                    match of.macros.iter().find(|x| &x.name == name) {
                        None => Some("has no such macro".to_string()),
                        Some(x) if x.params != mine.params || x.body != mine.body => Some(format!(
                            "defines it as ({}) {}",
                            x.params.join(", "),
                            x.body
                        )),
                        Some(_) => None,
                    }
                }
                ir::ItemRef::Typedef(i) => match of.typedefs.iter().position(|x| &x.name == name) {
                    None => Some("has no such typedef".to_string()),
                    Some(oi) => {
                        let theirs = emit::c_header::typedef_line(of, ir::TypedefId(oi));
                        (theirs != emit::c_header::typedef_line(f, i))
                            .then(|| format!("declares it `{theirs}`"))
                    }
                },
                ir::ItemRef::Group(i) => {
                    // The same values, by name, in the same order.
                    let values = |g: &ir::ConstGroup| -> Vec<(String, u64)> {
                        g.values.iter().map(|c| (c.name.clone(), c.value)).collect()
                    };
                    match of.groups.iter().find(|g| &g.name == name) {
                        None => Some("has no such enum".to_string()),
                        Some(g) if values(g) != values(f.group(i)) => Some(format!(
                            "gives it the values {}",
                            values(g)
                                .iter()
                                .map(|(n, v)| format!("{n} = {v}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                        Some(_) => None,
                    }
                }
                ir::ItemRef::String(i) => {
                    let mine = &f.strings[i.0];
                    match of.strings.iter().find(|x| &x.name == name) {
                        None => Some("has no such string".to_string()),
                        Some(x) if x.bytes != mine.bytes => {
                            Some(format!("defines it as `{}`", x.text))
                        }
                        Some(_) => None,
                    }
                }
                ir::ItemRef::TagAlias(_) => None,
            };
            if let Some(why) = differs {
                diags.push(Diagnostic::at(
                    &f.source,
                    span.clone(),
                    format!(
                        "extern {what} `{name}` is a copy of {header}'s, and family `{}` ({}) {why}",
                        of.name, of.schema_file
                    ),
                ));
            }
        }
    }
    diags
}

/// The lock file of a family's schema: `schema/iommu.toml` → `schema/iommu.abi.lock`.
pub fn lock_path(schema_dir: &Path, family: &Family) -> std::path::PathBuf {
    let stem = family
        .schema_file
        .strip_suffix(".toml")
        .unwrap_or(&family.schema_file);
    schema_dir.join(format!("{stem}.abi.lock"))
}

/// The published revisions that changed, per family with a lock file.
pub fn check_locks(schema_dir: &Path, families: &[Checked]) -> Result<Vec<Diagnostic>, Error> {
    let mut out = Vec::new();
    for c in families {
        let path = lock_path(schema_dir, &c.history);
        let Some(text) = diag::read_text_if_exists(&path)? else {
            continue;
        };
        let lock = abi::parse_lock(&path.display().to_string(), &text)?;
        for ch in abi::check_lock(c, &lock) {
            out.push(abi::located(c, &ch).note(format!("published in {}", path.display())));
        }
    }
    Ok(out)
}

/// parse → resolve → layout, without the check stage: for showing the layout of a schema
/// that fails its checks (`uapigen layout` on a struct with a hole). Not for emitting.
pub fn lay_out(source: Source, schema_file: &str) -> Result<Checked, Error> {
    let raw = schema::parse(&source)?;
    let family = resolve::resolve(raw, source, schema_file)?;
    Ok(Model::new(family))
}

/// Every `*.toml` schema of `dir`, loaded and checked: the facade's first step.
pub fn load(dir: &Path) -> Result<Vec<Model>, Error> {
    load_dir(dir)
}

/// Every `*.toml` schema in `dir`, in file-name order, each checked. Errors of all files are
/// reported together.
pub fn load_dir(dir: &Path) -> Result<Vec<Checked>, Error> {
    load_dir_with(dir, load_source)
}

/// Like `load_dir`, without the check stage (see `lay_out`).
pub fn lay_out_dir(dir: &Path) -> Result<Vec<Checked>, Error> {
    load_dir_with(dir, lay_out)
}

/// `f` over `items` on every core the machine has (families are independent until they are
/// compared), the results in `items`' order so output and diagnostics do not depend on timing.
pub(crate) fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut slots: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    let done = std::sync::Mutex::new(&mut slots);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                done.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(r);
            });
        }
    });
    slots
        .into_iter()
        .map(|r| r.expect("every item was mapped"))
        .collect()
}

/// The `*.toml` schemas of `dir`, in file-name order; none is an error.
pub(crate) fn schema_paths(dir: &Path) -> Result<Vec<std::path::PathBuf>, Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::Io {
        path: dir.display().to_string(),
        message: e.to_string(),
    })?;
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(Error::Usage(format!(
            "no *.toml schema in {}",
            dir.display()
        )));
    }
    Ok(paths)
}

/// A schema file's family, loaded by `load`: its file name is the one messages give.
pub(crate) fn load_path(
    path: &Path,
    load: fn(Source, &str) -> Result<Checked, Error>,
) -> Result<Checked, Error> {
    let file = path.file_name().unwrap_or_default().to_string_lossy();
    Source::read(path).and_then(|source| load(source, &file))
}

/// What each schema file gave, or the errors of them all together: every schema error, in
/// file order (another error: the first).
pub(crate) fn each_loaded<T>(results: Vec<Result<T, Error>>) -> Result<Vec<T>, Error> {
    let mut loaded = Vec::new();
    let mut diags = Vec::new();
    for r in results {
        match r {
            Ok(t) => loaded.push(t),
            Err(Error::Schema(d)) => diags.extend(d),
            Err(e) => return Err(e),
        }
    }
    if !diags.is_empty() {
        return Err(Error::Schema(diags));
    }
    Ok(loaded)
}

fn load_dir_with(
    dir: &Path,
    load: fn(Source, &str) -> Result<Checked, Error>,
) -> Result<Vec<Checked>, Error> {
    let paths = schema_paths(dir)?;
    let checked = each_loaded(par_map(&paths, |path| load_path(path, load)))?;
    let mut names = std::collections::BTreeMap::new();
    for c in &checked {
        if let Some(prev) = names.insert(c.family.name.clone(), c.family.schema_file.clone()) {
            return Err(Error::Usage(format!(
                "family `{}` is defined by both {prev} and {}",
                c.family.name, c.family.schema_file
            )));
        }
    }
    // Each family writes its own header: two with the same one would overwrite each other.
    let mut headers: std::collections::BTreeMap<&str, &Family> = std::collections::BTreeMap::new();
    let mut diags = Vec::new();
    for c in &checked {
        let f = &c.family;
        if let Some(first) = headers.insert(&f.header, f) {
            let (line, col) = first.source.line_col(first.header_span.start);
            diags.push(
                Diagnostic::at(
                    &f.source,
                    f.header_span.clone(),
                    format!(
                        "header `{}` is also the header of family `{}` ({})",
                        f.header, first.name, first.schema_file
                    ),
                )
                .note(format!("{}:{line}:{col}: its header", first.source.path)),
            );
        }
    }
    let families: Vec<&Family> = checked.iter().map(|c| &*c.family).collect();
    diags.extend(names::across_families(&families));
    diags.extend(extern_copies(&checked));
    if !diags.is_empty() {
        return Err(Error::Schema(diags));
    }
    Ok(checked)
}
