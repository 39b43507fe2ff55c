//! The `uapigen` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use uapigen::emit::Templates;
use uapigen::layout::{target_by_triple, TARGETS};
use uapigen::Error;

#[derive(Parser)]
#[command(
    name = "uapigen",
    version,
    about = "Versioned, extensible Linux uAPI structs from one TOML schema"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct Paths {
    /// Folder of schema files (*.toml), one uAPI family each.
    #[arg(long, default_value = "schema")]
    schema: PathBuf,
    /// Folder the generated files go to.
    #[arg(long, default_value = "generated")]
    out: PathBuf,
    /// Folder of handlebars templates overriding the built-in ones (default: templates/ when it exists).
    #[arg(long)]
    templates: Option<PathBuf>,
    /// Package name of the generated Rust crate.
    #[arg(long, default_value = uapigen::emit::DEFAULT_CRATE_NAME)]
    crate_name: String,
    /// Path of the runtime/uaccess crate, relative to OUT/rust.
    #[arg(long, default_value = uapigen::emit::DEFAULT_UACCESS_PATH)]
    uaccess_path: String,
    /// Which tree OUT is: `generated` (this repository's generated/), `kernel` (a kernel
    /// tree: include/uapi/linux/ and the validators for kernel code), `qemu` (a QEMU
    /// checkout: linux-headers/linux/).
    #[arg(long, value_enum, default_value = "generated")]
    profile: uapigen::profile::Profile,
}

impl Paths {
    /// Every file of the chosen profile for these families.
    fn output(&self, families: &[uapigen::Checked]) -> Result<uapigen::output::Output, Error> {
        uapigen::profile::generate(families, &templates(self)?, &self.krate(), self.profile)
    }

    fn krate(&self) -> uapigen::emit::RustCrate {
        uapigen::emit::RustCrate {
            name: self.crate_name.clone(),
            uaccess_path: self.uaccess_path.clone(),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the output folder from the schemas (writes only files that changed).
    Generate {
        #[command(flatten)]
        paths: Paths,
        /// Also write schema/<family>.abi.lock: the ABI of every revision, from now on published
        /// (refused when an already-published revision changed).
        #[arg(long)]
        publish: bool,
    },
    /// Classify every change from OLD to NEW (schema files, or REV:PATH for a file in git) as
    /// compatible or breaking, with the rule; exit 1 on any breaking change.
    Diff {
        #[arg(value_name = "OLD")]
        old: String,
        #[arg(value_name = "NEW")]
        new: String,
    },
    /// Exit 1, naming each file, when the output folder differs from what would be generated,
    /// a published revision changed, or libclang's layout of the headers differs from the IR
    /// on any target. Never writes.
    Check {
        #[command(flatten)]
        paths: Paths,
        /// Skip the libclang layout proof.
        #[arg(long)]
        no_clang: bool,
    },
    /// Decode raw bytes of a struct (stdin, or --hex): every field by name, flags and enum values
    /// by name, and the validator's verdict with the rule that failed. Exit 1 when rejected.
    Decode {
        /// The struct the bytes are.
        #[arg(value_name = "STRUCT")]
        name: String,
        /// The bytes as hex ("38 00 00 00 01 ..."); default: raw bytes on stdin.
        #[arg(long)]
        hex: Option<String>,
        /// Driver data only: the data type the command gave (default: the struct's own).
        #[arg(long)]
        data_type: Option<u32>,
        /// Driver data only: the length the command gave (default: the bytes given).
        #[arg(long)]
        len: Option<u32>,
        /// Folder of schema files.
        #[arg(long, default_value = "schema")]
        schema: PathBuf,
    },
    /// Run the compatibility matrix: every validated struct, every (user revision, kernel
    /// revision) pair, through the generated C validators; exit 1 on any unexpected cell.
    Matrix {
        /// `table` (one per struct) or `json`.
        #[arg(long, default_value = "table", value_parser = ["table", "json"])]
        format: String,
        /// Folder of schema files.
        #[arg(long, default_value = "schema")]
        schema: PathBuf,
        /// The generated folder whose include/ holds the C validators.
        #[arg(long, default_value = "generated")]
        out: PathBuf,
    },
    /// Read a C header with libclang and print a schema skeleton (structs, unions, arrays,
    /// enums, integer #defines, kernel-doc) to finish by hand.
    Import {
        #[arg(value_name = "HEADER.h")]
        header: PathBuf,
        /// Only these structs (and the structs they embed); repeatable.
        #[arg(long = "struct", value_name = "NAME")]
        structs: Vec<String>,
        /// The family name (default: the header's file name without .h).
        #[arg(long)]
        family: Option<String>,
        /// Folders to search for the header's own includes (`<linux/...>` types are built in).
        #[arg(short = 'I', value_name = "DIR")]
        include: Vec<PathBuf>,
    },
    /// Print a pahole-style layout table of one struct, or of every struct.
    Layout {
        /// The struct to show (default: all).
        #[arg(value_name = "STRUCT")]
        name: Option<String>,
        /// Target ABI, e.g. i686-linux-gnu.
        #[arg(long, default_value = "x86_64-linux-gnu")]
        target: String,
        /// Folder of schema files.
        #[arg(long, default_value = "schema")]
        schema: PathBuf,
    },
}

fn templates(paths: &Paths) -> Result<Templates, Error> {
    let dir = match &paths.templates {
        Some(d) if !d.is_dir() => {
            return Err(Error::Usage(format!(
                "--templates {}: no such folder",
                d.display()
            )))
        }
        Some(d) => Some(d.clone()),
        None => Some(PathBuf::from("templates")).filter(|d| d.is_dir()),
    };
    Templates::new(dir.as_deref())
}

/// A schema to diff: a file, or `REV:PATH` read with `git show` (when no such file exists).
fn load_for_diff(arg: &str) -> Result<uapigen::Checked, Error> {
    let path = std::path::Path::new(arg);
    let (text, shown) = if path.exists() {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: arg.to_string(),
            message: e.to_string(),
        })?;
        (text, arg.to_string())
    } else if let Some((rev, file)) = arg.split_once(':') {
        let out = std::process::Command::new("git")
            .args(["show", &format!("{rev}:{file}")])
            .output()
            .map_err(|e| Error::Io {
                path: arg.to_string(),
                message: format!("cannot run git: {e}"),
            })?;
        if !out.status.success() {
            return Err(Error::Io {
                path: arg.to_string(),
                message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            });
        }
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            arg.to_string(),
        )
    } else {
        return Err(Error::Usage(format!(
            "{arg}: no such file (use REV:PATH for a file in git)"
        )));
    };
    let name = std::path::Path::new(arg.rsplit(':').next().unwrap_or(arg))
        .file_name()
        .map_or_else(|| arg.to_string(), |n| n.to_string_lossy().into_owned());
    uapigen::load_revisions(uapigen::Source::new(shown, text), &name)
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Generate { paths, publish } => {
            let families = uapigen::load_dir(&paths.schema)?;
            if publish {
                let changed = uapigen::check_locks(&paths.schema, &families)?;
                if !changed.is_empty() {
                    return Err(Error::Schema(changed));
                }
                for c in &families {
                    let path = uapigen::lock_path(&paths.schema, &c.history);
                    let text = uapigen::abi::lock_text(&uapigen::abi::snapshot(c))?;
                    if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                        std::fs::write(&path, text).map_err(|e| Error::Io {
                            path: path.display().to_string(),
                            message: e.to_string(),
                        })?;
                        println!("published {}", path.display());
                    }
                }
            }
            let output = paths.output(&families)?;
            let written = output.write(&paths.out)?;
            for w in &written {
                println!("wrote {}", paths.out.join(w).display());
            }
            println!(
                "{} files generated in {} ({} changed)",
                output.files.len(),
                paths.out.display(),
                written.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { paths, no_clang } => {
            let families = uapigen::load_dir(&paths.schema)?;
            let output = paths.output(&families)?;
            let stale = output.check(&paths.out)?;
            let changed = uapigen::check_locks(&paths.schema, &families)?;
            if !changed.is_empty() {
                eprintln!("{}", Error::Schema(changed));
                eprintln!("a published revision changed: put the change in a new [[revision]]");
                return Ok(ExitCode::from(1));
            }
            if !no_clang
                && stale.is_empty()
                && paths.profile == uapigen::profile::Profile::Generated
            {
                let mismatches =
                    uapigen::clang_proof::prove(&families, &paths.out.join("include"))?;
                if !mismatches.is_empty() {
                    for m in &mismatches {
                        eprintln!("layout proof: {m}");
                    }
                    eprintln!(
                        "{} layout difference(s) between libclang and the IR",
                        mismatches.len()
                    );
                    return Ok(ExitCode::from(1));
                }
                println!(
                    "layout proof: every struct matches libclang on {} targets",
                    uapigen::layout::TARGETS.len()
                );
            }
            if stale.is_empty() {
                println!(
                    "{}: up to date ({} files)",
                    paths.out.display(),
                    output.files.len()
                );
                return Ok(ExitCode::SUCCESS);
            }
            for s in &stale {
                eprintln!("{}: {s}", paths.out.display());
            }
            eprintln!("{} file(s) stale: run `uapigen generate`", stale.len());
            Ok(ExitCode::from(1))
        }
        Command::Diff { old, new } => {
            let (o, n) = (load_for_diff(&old)?, load_for_diff(&new)?);
            let changes = uapigen::abi::diff(&o, &n);
            for ch in &changes {
                println!("{ch}");
            }
            let breaking = changes
                .iter()
                .filter(|c| c.verdict == uapigen::abi::Verdict::Breaking)
                .count();
            println!("{} change(s), {breaking} breaking", changes.len());
            Ok(if breaking == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Import {
            header,
            structs,
            family,
            include,
        } => {
            if !header.is_file() {
                return Err(Error::Usage(format!(
                    "{}: no such header",
                    header.display()
                )));
            }
            let family = family.unwrap_or_else(|| {
                header
                    .file_stem()
                    .map_or("imported".into(), |s| s.to_string_lossy().replace('-', "_"))
            });
            // The folder above the header's, so `#include <linux/x.h>` beside it resolves.
            let mut dirs: Vec<PathBuf> = include;
            if let Some(up) = header.parent().and_then(|p| p.parent()) {
                dirs.push(up.to_path_buf());
            }
            let refs: Vec<&std::path::Path> = dirs.iter().map(|d| d.as_path()).collect();
            print!(
                "{}",
                uapigen::import::import_structs(&header, &refs, &family, &structs)?
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Matrix {
            format,
            schema,
            out,
        } => {
            let families = uapigen::load_dir(&schema)?;
            let mut c = uapigen::matrix_c::CValidators::build(&out.join("include"), &families)?;
            let m = uapigen::matrix::run(&families, &mut [&mut c]);
            if format == "json" {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&m).map_err(|e| Error::Internal(e.to_string()))?
                );
            } else {
                print!("{}", uapigen::matrix::table(&m));
            }
            Ok(if m.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Decode {
            name,
            hex,
            data_type,
            len,
            schema,
        } => {
            let families = uapigen::load_dir(&schema)?;
            let found = families.iter().find_map(|c| {
                c.family
                    .structs
                    .iter()
                    .position(|s| s.name == name)
                    .map(|si| (c, si))
            });
            let Some((c, si)) = found else {
                return Err(Error::Usage(format!(
                    "no struct named `{name}` in {}",
                    schema.display()
                )));
            };
            let bytes = match hex {
                Some(h) => uapigen::decode::parse_hex(&h)
                    .map_err(|e| Error::Usage(format!("--hex: {e}")))?,
                None => {
                    let mut b = Vec::new();
                    std::io::Read::read_to_end(&mut std::io::stdin(), &mut b).map_err(|e| {
                        Error::Io {
                            path: "<stdin>".into(),
                            message: e.to_string(),
                        }
                    })?;
                    b
                }
            };
            let user_data = match (data_type, len) {
                (None, None) => None,
                (t, l) => {
                    let default_type = c.family.structs[si]
                        .validation
                        .as_ref()
                        .and_then(|v| v.data_type.as_ref())
                        .map_or(0, |d| d.1 as u32);
                    Some(uapigen::interpret::UserData {
                        data_type: t.unwrap_or(default_type),
                        len: l.unwrap_or(bytes.len() as u32),
                    })
                }
            };
            let d = uapigen::decode::decode(&c.family, &c.layouts[0], si, &bytes, user_data);
            print!("{}", d.text);
            Ok(if d.verdict.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Layout {
            name,
            target,
            schema,
        } => {
            let Some(target) = target_by_triple(&target) else {
                let known: Vec<_> = TARGETS.iter().map(|t| t.triple).collect();
                return Err(Error::Usage(format!(
                    "unknown target `{target}`; known: {}",
                    known.join(", ")
                )));
            };
            // Laid out without the checks first: a struct with a hole is exactly when the table helps.
            let families = uapigen::lay_out_dir(&schema)?;
            let mut found = false;
            for c in &families {
                let layout = uapigen::layout::layout_family(&c.family, target);
                for (si, st) in c.family.structs.iter().enumerate() {
                    if name.as_ref().is_some_and(|n| *n != st.name) {
                        continue;
                    }
                    found = true;
                    println!(
                        "{}",
                        uapigen::pahole::table(&c.family, si, &layout.structs[si], target)
                    );
                }
            }
            if !found {
                return Err(Error::Usage(format!(
                    "no struct named `{}` in {}",
                    name.unwrap_or_default(),
                    schema.display()
                )));
            }
            uapigen::load_dir(&schema)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
