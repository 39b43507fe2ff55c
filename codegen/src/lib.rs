//! uapigen: one TOML schema per kernel uAPI family → kernel-style C headers, Rust types and
//! (later) validators and compatibility tests.
//!
//! The pipeline, one module a stage:
//! `schema` (parse) → `resolve` (→ `ir`) → `layout` (per target ABI) → `check` → `emit`.
#![warn(missing_docs)]

pub mod abi;
pub mod builder;
pub mod check;
pub mod clang_proof;
pub mod decode;
pub mod diag;
pub mod emit;
pub mod headers_install;
pub mod import;
pub mod interpret;
pub mod ir;
pub mod layout;
pub mod matrix;
pub mod matrix_c;
pub mod names;
pub mod output;
pub mod pahole;
pub mod profile;
pub mod resolve;
pub mod schema;

pub use builder::Builder;

use std::path::Path;

pub use diag::{Diagnostic, Error, Source};
use ir::Family;
use layout::{FamilyLayout, TARGETS};
use output::Output;

/// A family that passed every check, with its layout on every target (x86-64 first).
#[derive(Debug, Clone)]
pub struct Checked {
    /// The family at its latest revision: what the headers and bindings describe.
    pub family: Family,
    /// Layouts of `family` on every target, x86-64 first.
    pub layouts: Vec<FamilyLayout>,
    /// The whole history: every field with its `since`/`until`.
    pub history: Family,
    /// Per revision (oldest first): the family then, and its layouts on every target.
    pub revisions: Vec<(Family, Vec<FamilyLayout>)>,
}

impl Checked {
    fn new(history: Family) -> Checked {
        let lay_out = |f: &Family| -> Vec<FamilyLayout> {
            TARGETS
                .iter()
                .map(|t| layout::layout_family(f, t))
                .collect()
        };
        let revisions: Vec<(Family, Vec<FamilyLayout>)> = (0..history.revisions.len().max(1))
            .map(|r| {
                let f = history.at_revision(r);
                let l = lay_out(&f);
                (f, l)
            })
            .collect();
        let (family, layouts) = revisions.last().cloned().expect("at least one revision");
        Checked {
            family,
            layouts,
            history,
            revisions,
        }
    }
}

/// parse → resolve → layout → check, for one schema text.
pub fn load_source(source: Source, schema_file: &str) -> Result<Checked, Error> {
    let laid_out = load_revisions(source, schema_file)?;
    abi::check_history(&laid_out)?;
    Ok(laid_out)
}

/// Like `load_source`, without judging how the revisions extend each other: for `diff`,
/// which classifies exactly that.
pub fn load_revisions(source: Source, schema_file: &str) -> Result<Checked, Error> {
    let laid_out = lay_out(source, schema_file)?;
    // Every revision must be a valid uAPI on its own, not only the latest; a problem all
    // revisions share is reported once.
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
    Ok(laid_out)
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
    Ok(Checked::new(family))
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

fn load_dir_with(
    dir: &Path,
    load: fn(Source, &str) -> Result<Checked, Error>,
) -> Result<Vec<Checked>, Error> {
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
    let mut checked = Vec::new();
    let mut diags = Vec::new();
    for path in paths {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        match load(Source::read(&path)?, &file) {
            Ok(c) => checked.push(c),
            Err(Error::Schema(d)) => diags.extend(d),
            Err(e) => return Err(e),
        }
    }
    if !diags.is_empty() {
        return Err(Error::Schema(diags));
    }
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
    let families: Vec<&Family> = checked.iter().map(|c| &c.family).collect();
    diags.extend(names::across_families(&families));
    if !diags.is_empty() {
        return Err(Error::Schema(diags));
    }
    Ok(checked)
}

/// The files of one generation, each path claimed once: a path two things would write (two
/// families with one header, a family whose Rust file is the crate's own) is an error naming
/// both, never a silent overwrite. Every output profile and the Builder plan through it.
#[derive(Debug, Default)]
pub struct Plan {
    out: Output,
    from: std::collections::BTreeMap<String, String>,
}

impl Plan {
    /// Adds file `path`, written for `from` (a schema file, or what else asks for it).
    pub fn add(
        &mut self,
        path: impl Into<String>,
        from: &str,
        contents: String,
    ) -> Result<(), Error> {
        let path = path.into();
        if let Some(first) = self.from.get(&path) {
            return Err(Error::Usage(format!(
                "{path} would be written twice: for {first} and for {from}"
            )));
        }
        self.from.insert(path.clone(), from.to_string());
        self.out.add(path, contents);
        Ok(())
    }

    /// The planned files.
    pub fn finish(self) -> Output {
        self.out
    }
}

/// Every file of `generated/` for these families; `krate` names the Rust crate and its dependency path.
pub fn generate(
    families: &[Checked],
    templates: &emit::Templates,
    krate: &emit::RustCrate,
) -> Result<Output, Error> {
    krate.check()?;
    let mut out = Plan::default();
    for c in families {
        let f = &c.family;
        let from = &f.schema_file;
        out.add(
            format!("include/uapi/{}", f.header),
            from,
            emit::c_header::emit(f, templates)?,
        )?;
        out.add(
            format!("rust/src/{}.rs", f.name),
            from,
            emit::rust::emit(f, &c.layouts, &c.revisions)?,
        )?;
        if f.structs.iter().any(|s| s.validation.is_some()) {
            out.add(
                format!("include/uapigen/{}_validate.h", f.name),
                from,
                emit::c_validate::emit(f, &c.layouts[0], &c.revisions, templates)?,
            )?;
        }
    }
    let validated = families
        .iter()
        .any(|c| c.family.structs.iter().any(|s| s.validation.is_some()));
    if validated {
        out.add(
            "include/uapigen/uaccess.h",
            "the validators' shared primitives",
            emit::c_validate::emit_uaccess(templates)?,
        )?;
    }
    let fams: Vec<Family> = families.iter().map(|c| c.family.clone()).collect();
    out.add(
        "rust/src/lib.rs",
        "the crate root",
        emit::rust::emit_lib(&fams)?,
    )?;
    out.add(
        "rust/Cargo.toml",
        "the crate manifest",
        emit::cargo_toml(krate),
    )?;
    Ok(out.finish())
}
