//! `generate` of a schema folder one family at a time: each family is loaded, its files are
//! rendered and written to their temporaries, and its model is dropped before the next is
//! loaded (two at a time, one per core), so the peak memory is a family's, not the tree's
//! (`load_dir` holds every model until the plan is written: 10,000 structs in ten families,
//! 530 MB for 134 MB of files). What the checks across families need is kept of each
//! (`Digest`); where one finds a problem, the families are loaded again to say it as
//! `load_dir` does. One transaction as `Plan::write`: nothing is in place until every file is
//! ready, and nothing at all on an error. `check` without the libclang proof (which measures
//! every header in one translation unit, from every model) compares the same way.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::emit::rust::LibEntry;
use crate::emit::Templates;
use crate::output::Stale;
use crate::plan::{Shape, Tree};
use crate::{load_path, load_source, Diagnostic, Error, Model};

/// What one generation wrote.
#[derive(Debug)]
pub struct Generated {
    /// The paths written (the files that changed), relative to the output folder, sorted.
    pub written: Vec<String>,
    /// How many files the tree has.
    pub files: usize,
}

/// What the checks across families and the shared files need of a family whose model is gone.
struct Digest {
    entry: LibEntry,
    validated: bool,
    /// The names no other family may declare (`names::claimed`).
    claims: BTreeSet<String>,
    /// The headers its `extern` copies are of.
    copies: BTreeSet<String>,
    /// Its files: (path, whom for), as `plan::claim` names them.
    paths: Vec<(String, String)>,
}

/// Generates `tree` under `out` from the schemas of `dir`, one family at a time. Not for the
/// Builder's `Tree::OutDir`, whose module list reads every model.
pub fn generate_dir(
    dir: &Path,
    tree: &Tree,
    templates: &Templates,
    out: &Path,
) -> Result<Generated, Error> {
    let (paths, shape) = start(dir, tree)?;
    let mut files = 0;
    let each = |path: &std::path::PathBuf, sink: &(dyn Fn(String, String) + Sync)| {
        let model = load_path(path, load_source)?;
        let planned = shape.family(&model, tree);
        // One after the other: the families already take every core, and a family's files
        // rendered together would hold more at once (10,000 structs: 238-271 MB, against
        // 264-291 MB with them on every core too, and no slower).
        let rendered = planned.iter().map(|f| {
            f.emitter
                .emit(templates)
                .map(|text| sink(f.path.clone(), text))
        });
        // A file that failed to render is reported after every family's schema errors and
        // the checks across families, as `load_dir` then `Plan::write` would.
        let failed = rendered.into_iter().find_map(Result::err);
        Ok((digest(&model, &planned), failed))
    };
    let finish = |results: Vec<Result<(Digest, Option<Error>), Error>>| {
        let (digests, failed): (Vec<Digest>, Vec<Option<Error>>) =
            crate::each_loaded(results)?.into_iter().unzip();
        across(dir, &paths, &digests)?;
        let entries = digests.iter().map(|d| d.entry.clone()).collect();
        let shared = shape.shared(digests.iter().any(|d| d.validated), entries, None, tree);
        claim(&digests, &shared)?;
        if let Some(e) = failed.into_iter().flatten().next() {
            return Err(e);
        }
        files = digests.iter().map(|d| d.paths.len()).sum::<usize>() + shared.len();
        shared
            .iter()
            .map(|f| Ok((f.path.clone(), f.emitter.emit(templates)?)))
            .collect()
    };
    let written = crate::output::write_streamed(&[], out, &paths, each, finish)?;
    Ok(Generated {
        written: written.into_iter().next_back().unwrap_or_default(),
        files,
    })
}

/// What `check_dir` found.
#[derive(Debug)]
pub struct Checked {
    /// How the output folder differs from what `generate` would write: the files in path
    /// order, then the leftovers (`Output::check`'s order).
    pub stale: Vec<Stale>,
    /// How many files the tree has.
    pub files: usize,
    /// Where a published revision changed (`check_locks`), family by family.
    pub locks: Vec<Diagnostic>,
}

/// Compares `out` with what `generate_dir` would write there, one family at a time, and the
/// published revisions with their lock files; never writes.
pub fn check_dir(
    dir: &Path,
    tree: &Tree,
    templates: &Templates,
    out: &Path,
) -> Result<Checked, Error> {
    let (paths, shape) = start(dir, tree)?;
    let compare = |f: &crate::plan::PlannedFile| -> Result<Option<Stale>, Error> {
        crate::output::check_file(out, &f.path, &f.emitter.emit(templates)?)
    };
    let results = crate::par_map(&paths, |path| {
        let model = load_path(path, load_source)?;
        let planned = shape.family(&model, tree);
        let mut stale = Vec::new();
        for f in &planned {
            stale.extend(compare(f)?);
        }
        let locks = crate::check_locks(dir, std::slice::from_ref(&model))?;
        Ok((digest(&model, &planned), stale, locks))
    });
    let mut digests = Vec::new();
    let (mut stale, mut locks) = (Vec::new(), Vec::new());
    for r in results {
        digests.push(r.map(|(d, s, l)| {
            stale.extend(s);
            locks.extend(l);
            d
        }));
    }
    let digests = crate::each_loaded(digests)?;
    across(dir, &paths, &digests)?;
    let entries = digests.iter().map(|d| d.entry.clone()).collect();
    let shared = shape.shared(digests.iter().any(|d| d.validated), entries, None, tree);
    claim(&digests, &shared)?;
    for f in &shared {
        stale.extend(compare(f)?);
    }
    stale.sort_by(|a, b| a.path().cmp(b.path()));
    let planned: BTreeSet<&String> = digests
        .iter()
        .flat_map(|d| d.paths.iter().map(|(p, _)| p))
        .chain(shared.iter().map(|f| &f.path))
        .collect();
    let files = planned.len();
    stale.extend(crate::output::leftovers(out, &planned));
    Ok(Checked {
        stale,
        files,
        locks,
    })
}

/// The schemas of `dir` and the shape of `tree`, which is not the Builder's: its module list
/// reads every model.
fn start(dir: &Path, tree: &Tree) -> Result<(Vec<std::path::PathBuf>, Shape), Error> {
    if matches!(tree, Tree::OutDir { .. }) {
        return Err(Error::Internal(
            "a build script's tree is planned with every model (`plan`)".into(),
        ));
    }
    Ok((crate::schema_paths(dir)?, Shape::of(tree)?))
}

fn digest(m: &Model, planned: &[crate::plan::PlannedFile]) -> Digest {
    let f = &*m.family;
    let copies = f
        .items
        .iter()
        .filter_map(|i| f.extern_header_of(*i))
        .cloned()
        .collect();
    Digest {
        entry: LibEntry::of(f),
        validated: m.validated(),
        claims: crate::names::claimed(f)
            .into_iter()
            .map(|(name, ..)| name)
            .collect(),
        copies,
        paths: planned
            .iter()
            .map(|p| (p.path.clone(), p.emitter.origin()))
            .collect(),
    }
}

/// The checks across families (`load_dir`'s): two families of one name or one header, a name
/// two declare, an `extern` copy of a header the tree has. Where the digests find one, the
/// families are loaded again and checked as `load_dir` does, which says what it is (a copy
/// that agrees with its header is no problem: only the families it involves are loaded).
fn across(dir: &Path, paths: &[std::path::PathBuf], digests: &[Digest]) -> Result<(), Error> {
    let mut names = BTreeSet::new();
    let mut headers = BTreeMap::new();
    let mut claimed: BTreeMap<&str, usize> = BTreeMap::new();
    let mut clash = false;
    for (i, d) in digests.iter().enumerate() {
        clash |= !names.insert(&d.entry.name);
        clash |= headers.insert(&d.entry.header, i).is_some();
        for c in &d.claims {
            clash |= *claimed.entry(c).or_insert(i) != i;
        }
    }
    if clash {
        return crate::load_dir(dir).map(drop);
    }
    // The families whose copies are of a header of the tree, and those headers' families.
    let mut involved = BTreeSet::new();
    for (i, d) in digests.iter().enumerate() {
        for h in &d.copies {
            if let Some(j) = headers.get(h) {
                involved.extend([i, *j]);
            }
        }
    }
    if involved.is_empty() {
        return Ok(());
    }
    let involved: Vec<&std::path::PathBuf> = involved.into_iter().map(|i| &paths[i]).collect();
    let models = crate::par_map(&involved, |p| load_path(p, load_source))
        .into_iter()
        .collect::<Result<Vec<Model>, Error>>()?;
    let diags = crate::extern_copies(&models);
    if diags.is_empty() {
        Ok(())
    } else {
        Err(Error::Schema(diags))
    }
}

/// `plan`'s claim over the families' files and the shared ones.
fn claim(digests: &[Digest], shared: &[crate::plan::PlannedFile]) -> Result<(), Error> {
    crate::plan::claim_paths(
        digests
            .iter()
            .flat_map(|d| d.paths.iter().map(|(p, o)| (p.as_str(), o.clone())))
            .chain(shared.iter().map(|f| (f.path.as_str(), f.emitter.origin()))),
    )
}
