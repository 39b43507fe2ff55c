//! The set of files one generation produces, and the two things done with it: write the files
//! that changed (`generate`), or compare with what is on disk without writing (`check`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::Error;

/// Relative path (with `/`) → contents. Ordered, so every listing is deterministic.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Output {
    /// Relative path → contents.
    pub files: BTreeMap<String, String>,
}

/// One way `generated/` differs from what the generator emits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stale {
    /// A file the generator emits is not there.
    Missing(String),
    /// A file differs from what the generator emits.
    Differs {
        /// The file.
        path: String,
        /// A unified diff from the file to what it should be.
        diff: String,
    },
    /// A file in an output folder the generator does not produce (a leftover).
    Extra(String),
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stale::Missing(p) => write!(f, "{p}: missing (run `uapigen generate`)"),
            Stale::Differs { path, diff } => {
                write!(f, "{path}: differs from what the schema generates\n{diff}")
            }
            Stale::Extra(p) => write!(f, "{p}: not produced by the generator (a leftover?)"),
        }
    }
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// The folders the generator owns: anything else in them is a leftover.
fn owned_dirs(out: &Output) -> Vec<String> {
    let mut dirs: Vec<String> = out
        .files
        .keys()
        .filter_map(|p| p.rsplit_once('/').map(|(d, _)| d.to_string()))
        .collect();
    dirs.sort();
    dirs.dedup();
    dirs
}

impl Output {
    /// Adds (or replaces) a file.
    pub fn add(&mut self, path: impl Into<String>, contents: String) {
        self.files.insert(path.into(), contents);
    }

    /// Writes the files whose contents changed and returns their paths; untouched files keep
    /// their timestamps, so builds that depend on them do not rerun.
    pub fn write(&self, dir: &Path) -> Result<Vec<String>, Error> {
        let mut written = Vec::new();
        for (rel, contents) in &self.files {
            let path = dir.join(rel);
            if std::fs::read(&path).ok().as_deref() == Some(contents.as_bytes()) {
                continue;
            }
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
            }
            std::fs::write(&path, contents).map_err(|e| io(&path, e))?;
            written.push(rel.clone());
        }
        Ok(written)
    }

    /// Compares with `dir`; never writes.
    pub fn check(&self, dir: &Path) -> Result<Vec<Stale>, Error> {
        let mut stale = Vec::new();
        for (rel, contents) in &self.files {
            let path = dir.join(rel);
            match std::fs::read(&path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    stale.push(Stale::Missing(rel.clone()))
                }
                Err(e) => return Err(io(&path, e)),
                Ok(bytes) if bytes == contents.as_bytes() => {}
                Ok(bytes) => {
                    let old = String::from_utf8_lossy(&bytes);
                    let diff = similar::TextDiff::from_lines(old.as_ref(), contents.as_str())
                        .unified_diff()
                        .context_radius(2)
                        .header(
                            &format!("a/{rel} (on disk)"),
                            &format!("b/{rel} (generated)"),
                        )
                        .to_string();
                    stale.push(Stale::Differs {
                        path: rel.clone(),
                        diff,
                    });
                }
            }
        }
        for d in owned_dirs(self) {
            let full = dir.join(&d);
            let Ok(entries) = std::fs::read_dir(&full) else {
                continue;
            };
            let mut names: Vec<PathBuf> =
                entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            names.sort();
            for p in names {
                if p.is_file() {
                    let rel = format!("{d}/{}", p.file_name().unwrap().to_string_lossy());
                    if !self.files.contains_key(&rel) {
                        stale.push(Stale::Extra(rel));
                    }
                }
            }
        }
        Ok(stale)
    }
}
