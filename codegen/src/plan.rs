//! The output planner: every file one generation writes, for a set of checked models and the
//! tree they go to. The CLI (`generate`, `check`), the [`Builder`](crate::Builder) and the
//! tests all ask it, so which files exist, where, and which emitter writes each is decided
//! here and nowhere else.
//!
//! Planning renders nothing: a reader that only needs to know what exists (the matrix, which
//! C validators it may call) pays for no template and no Rust formatting. [`Plan::emit`]
//! renders the files.

mod validators;

pub use validators::{c_validators, CValidator};

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::emit::c_validate::{self, CFlavour};
use crate::emit::{self, RustCrate, Templates};
use crate::headers_install::headers_install;
use crate::output::Output;
use crate::profile::Profile;
use crate::{Error, Model};

/// The tree a generation writes; its files follow from it.
#[derive(Clone, Debug)]
pub enum Tree {
    /// This repository's `generated/`: uAPI headers, user-space C validators, the Rust crate
    /// (named, and finding `uapigen-uaccess`, as `RustCrate` says).
    Generated(RustCrate),
    /// A kernel tree: uAPI headers and the validators as kernel code includes them.
    Kernel,
    /// A QEMU checkout: the uAPI headers as the kernel's `headers_install` leaves them.
    Qemu,
    /// Crates in bindgen's API for the rust-vmm crates: `<family>-bindings/` (their
    /// `validate` feature finding `uapigen-uaccess` as `RustCrate` says).
    RustVmm(RustCrate),
    /// A build script's output folder (the `Builder`). With `rust`, a module per family and
    /// `uapigen.rs` declaring each by its path in that folder (the one given); with `c`, the C
    /// headers as `generated/` has them.
    OutDir {
        /// The folder, when Rust is wanted: `#[path]` names the modules in it.
        rust: Option<PathBuf>,
        /// The C headers are wanted.
        c: bool,
    },
}

impl Tree {
    /// The tree of a `--profile`; `generated` has a Rust crate for `krate` to name, and
    /// `rust-vmm` takes where `uapigen-uaccess` is from it.
    pub fn of(profile: Profile, krate: RustCrate) -> Tree {
        match profile {
            Profile::Generated => Tree::Generated(krate),
            Profile::Kernel => Tree::Kernel,
            Profile::Qemu => Tree::Qemu,
            Profile::RustVmm => Tree::RustVmm(krate),
        }
    }
}

/// What writes a planned file, and what it reads.
#[derive(Clone, Debug)]
pub enum Emitter<'a> {
    /// A family's uAPI header (`emit::c_header`).
    Header(&'a Model),
    /// A family's uAPI header after the kernel's `headers_install` (a QEMU checkout's copy).
    InstalledHeader(&'a Model),
    /// A family's C validators (`emit::c_validate`), for user space or for kernel code.
    Validators(&'a Model, CFlavour),
    /// The C validators' shared user-copy primitives.
    Uaccess(CFlavour),
    /// A family's Rust module (`emit::rust`).
    Rust(&'a Model),
    /// The Rust crate's root, declaring every family's module.
    CrateRoot(Vec<emit::rust::LibEntry>),
    /// The Rust crate's manifest.
    Manifest(RustCrate),
    /// The Builder's `uapigen.rs`: every family's module, by its path in the folder.
    Modules(&'a [Model], PathBuf),
    /// A family's module in bindgen's API (`emit::rust_vmm`).
    RustVmm(&'a Model),
    /// The root of a family's bindgen-API crate.
    RustVmmLib(&'a Model),
    /// The manifest of a family's bindgen-API crate, and where it finds `uapigen-uaccess`.
    RustVmmManifest(&'a Model, String),
}

impl Emitter<'_> {
    /// Whom the file is written for, in messages: the schema, or what the families share.
    pub fn origin(&self) -> String {
        match self {
            Emitter::Header(m)
            | Emitter::InstalledHeader(m)
            | Emitter::Validators(m, _)
            | Emitter::Rust(m)
            | Emitter::RustVmm(m)
            | Emitter::RustVmmLib(m)
            | Emitter::RustVmmManifest(m, _) => m.family.source.path.clone(),
            Emitter::Uaccess(_) => "the validators' shared primitives".into(),
            Emitter::CrateRoot(_) => "the crate root".into(),
            Emitter::Manifest(_) => "the crate manifest".into(),
            Emitter::Modules(..) => "the module list".into(),
        }
    }

    /// The file's contents.
    pub fn emit(&self, templates: &Templates) -> Result<String, Error> {
        match self {
            Emitter::Header(m) => emit::c_header::emit(&m.family, templates),
            Emitter::InstalledHeader(m) => {
                headers_install(&emit::c_header::emit(&m.family, templates)?)
                    .map_err(|why| Error::Usage(format!("{}: {why}", m.family.schema_file)))
            }
            Emitter::Validators(m, flavour) => c_validate::emit_for(m, templates, *flavour),
            Emitter::Uaccess(flavour) => c_validate::emit_uaccess_for(templates, *flavour),
            Emitter::Rust(m) => emit::rust::emit(m),
            Emitter::CrateRoot(families) => emit::rust::emit_lib(families),
            Emitter::Manifest(krate) => Ok(emit::cargo_toml(krate)),
            Emitter::Modules(models, dir) => crate::builder::modules(models, dir),
            Emitter::RustVmm(m) => Ok(emit::rust_vmm::module(m)),
            Emitter::RustVmmLib(m) => emit::rust_vmm::lib(m),
            Emitter::RustVmmManifest(m, uaccess) => Ok(emit::rust_vmm::manifest(m, uaccess)),
        }
    }
}

/// One file of a plan.
#[derive(Clone, Debug)]
pub struct PlannedFile<'a> {
    /// Where it goes, relative to the output folder, with `/`.
    pub path: String,
    /// What writes it.
    pub emitter: Emitter<'a>,
}

/// Every file of one generation, each path claimed once, in the order they are rendered.
#[derive(Clone, Debug)]
pub struct Plan<'a> {
    /// The files.
    pub files: Vec<PlannedFile<'a>>,
}

impl Plan<'_> {
    /// Renders every file, on every core (each file is independent of the others); the
    /// first error in plan order is the one reported.
    pub fn emit(&self, templates: &Templates) -> Result<Output, Error> {
        let texts = crate::par_map(&self.files, |f| f.emitter.emit(templates));
        let mut out = Output::default();
        for (f, text) in self.files.iter().zip(texts) {
            out.add(f.path.clone(), text?);
        }
        Ok(out)
    }

    /// Renders every file and writes the ones that changed under `dir`, together with
    /// `parts` (other outputs under their folders: the lock files), as one transaction
    /// (`output::write_as_rendered`): each file goes to its temporary file as soon as it is
    /// rendered instead of all being held until the end. Returns, per output, the paths
    /// written, `dir`'s last.
    pub fn write(
        &self,
        templates: &Templates,
        dir: &std::path::Path,
        parts: &[(&Output, &std::path::Path)],
    ) -> Result<Vec<Vec<String>>, Error> {
        crate::output::write_as_rendered(parts, dir, &self.files, |f| {
            (f.path.clone(), f.emitter.emit(templates))
        })
    }
}

/// Plans every file `tree` holds for `models`. A path two things would write (two families
/// with one header, a family whose Rust file is the crate's own) is an error naming both,
/// never a silent overwrite.
pub fn plan<'a>(models: &'a [Model], tree: &Tree) -> Result<Plan<'a>, Error> {
    let shape = Shape::of(tree)?;
    let mut files = Vec::new();
    for m in models {
        files.extend(shape.family(m, tree));
    }
    let entries = models.iter().map(|m| emit::rust::LibEntry::of(&m.family));
    files.extend(shape.shared(
        models.iter().any(Model::validated),
        entries.collect(),
        Some(models),
        tree,
    ));
    claim(&files)?;
    Ok(Plan { files })
}

/// What every family's files in a tree have in common: the flavour of their C and where their
/// Rust modules go. The trees differ mostly in these, so one walk plans them all and a
/// family's files come in one order in every tree.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    c: Option<CFlavour>,
    modules_in: Option<&'static str>,
}

impl Shape {
    /// The shape of `tree`, whose crate (if it has one) must be one cargo takes.
    pub fn of(tree: &Tree) -> Result<Shape, Error> {
        let (c, modules_in) = match tree {
            Tree::Generated(krate) => {
                krate.check()?;
                (Some(CFlavour::USERSPACE), Some("rust/src/"))
            }
            Tree::Kernel => (Some(CFlavour::KERNEL), None),
            Tree::Qemu => (None, None),
            Tree::RustVmm(krate) => {
                krate.check()?;
                (None, None)
            }
            // `uapigen.rs` names the modules by path: they sit at the folder's top.
            Tree::OutDir { rust, c } => (
                c.then_some(CFlavour::USERSPACE),
                rust.is_some().then_some(""),
            ),
        };
        Ok(Shape { c, modules_in })
    }

    /// The files of one family's own in `tree`.
    pub fn family<'a>(&self, m: &'a Model, tree: &Tree) -> Vec<PlannedFile<'a>> {
        let mut files = Vec::new();
        let mut add = |path: String, emitter| files.push(PlannedFile { path, emitter });
        let f = &m.family;
        // A proposal's header belongs to no kernel, QEMU or rust-vmm tree.
        let drop_in = matches!(tree, Tree::Kernel | Tree::Qemu | Tree::RustVmm(_));
        if drop_in && f.proposal.is_some() {
            return files;
        }
        if self.c.is_some() {
            add(format!("include/uapi/{}", f.header), Emitter::Header(m));
        }
        if let Tree::Qemu = tree {
            add(
                format!("linux-headers/{}", f.header),
                Emitter::InstalledHeader(m),
            );
        }
        if let Tree::RustVmm(krate) = tree {
            let dir = emit::rust_vmm::crate_name(m);
            let uaccess = krate.uaccess_path.clone();
            add(
                format!("{dir}/Cargo.toml"),
                Emitter::RustVmmManifest(m, uaccess),
            );
            add(format!("{dir}/src/lib.rs"), Emitter::RustVmmLib(m));
            add(
                format!("{dir}/src/{}", emit::rust_vmm::module_file(&f.name)),
                Emitter::RustVmm(m),
            );
        }
        if let Some(dir) = self.modules_in {
            add(format!("{dir}{}.rs", f.name), Emitter::Rust(m));
        }
        if let Some(flavour) = self.c.filter(|_| m.validated()) {
            add(
                format!("include/{}/{}_validate.h", validators_dir(flavour), f.name),
                Emitter::Validators(m, flavour),
            );
        }
        files
    }

    /// The files the families share: the validators' primitives when one is `validated`, the
    /// crate root (from `entries`) and manifest, the Builder's module list (from `models`,
    /// when it is planned).
    pub fn shared<'a>(
        &self,
        validated: bool,
        entries: Vec<emit::rust::LibEntry>,
        models: Option<&'a [Model]>,
        tree: &Tree,
    ) -> Vec<PlannedFile<'a>> {
        let mut files = Vec::new();
        let mut add = |path: String, emitter| files.push(PlannedFile { path, emitter });
        if let Some(flavour) = self.c.filter(|_| validated) {
            add(
                format!("include/{}", flavour.uaccess_include()),
                Emitter::Uaccess(flavour),
            );
        }
        match tree {
            Tree::Generated(krate) => {
                add("rust/src/lib.rs".into(), Emitter::CrateRoot(entries));
                add("rust/Cargo.toml".into(), Emitter::Manifest(krate.clone()));
            }
            Tree::OutDir {
                rust: Some(dir), ..
            } => {
                if let Some(models) = models {
                    add("uapigen.rs".into(), Emitter::Modules(models, dir.clone()));
                }
            }
            _ => {}
        }
        files
    }
}

/// Where `<family>_validate.h` goes under `include/`: beside the shared primitives.
fn validators_dir(flavour: CFlavour) -> &'static str {
    flavour
        .uaccess_include()
        .rsplit_once('/')
        .map_or("", |(dir, _)| dir)
}

fn claim(files: &[PlannedFile]) -> Result<(), Error> {
    claim_paths(files.iter().map(|f| (f.path.as_str(), f.emitter.origin())))
}

/// Refuses a path two things would write, naming both: `files` are (path, whom it is for).
pub(crate) fn claim_paths<'a>(files: impl Iterator<Item = (&'a str, String)>) -> Result<(), Error> {
    let mut first: BTreeMap<&str, String> = BTreeMap::new();
    for (path, origin) in files {
        if let Some(before) = first.insert(path, origin.clone()) {
            return Err(Error::Usage(format!(
                "{path} would be written twice: for {before} and for {origin}"
            )));
        }
    }
    Ok(())
}
