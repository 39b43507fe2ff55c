//! The `uapigen` command line.

use std::path::PathBuf;
use std::process::ExitCode;

// std's `print!` panics when the reader has gone (`uapigen layout | head`); these end the
// program as a Unix filter does, and report any other failure to write.
macro_rules! print {
    ($($t:tt)*) => { $crate::stdout_write(format_args!($($t)*)) };
}
macro_rules! println {
    ($($t:tt)*) => { $crate::stdout_write(format_args!("{}\n", format_args!($($t)*))) };
}

/// Writes `args` to stdout: exit status 141 (a shell's for a filter SIGPIPE ended) when the
/// reader closed the pipe, 1 with a message on any other error.
fn stdout_write(args: std::fmt::Arguments) {
    use std::io::Write;
    if let Err(e) = std::io::stdout().lock().write_fmt(args) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(141);
        }
        eprintln!("uapigen: writing to stdout: {e}");
        std::process::exit(1);
    }
}

use clap::{Parser, Subcommand};
use uapigen::emit::Templates;
use uapigen::layout::{target_by_triple, TARGETS};
use uapigen::model::TargetId;
use uapigen::Error;

// glibc's malloc was a third of `generate`'s instructions, and its per-thread arenas grow by
// `mprotect` a few pages at a time; mimalloc: 10,000 structs in 1.41 → 1.06 s (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: MiMalloc = MiMalloc;

/// mimalloc, as the `mimalloc` crate's `MiMalloc` but for the alignment: that one calls
/// `mi_malloc_aligned` for every block, whose checks were a tenth of `generate`'s
/// instructions. `mi_malloc` aligns a block of `size` bytes to `min(size, 16)` at least (its
/// `MI_MAX_ALIGN_SIZE`; as C's `malloc` aligns to `max_align_t`), which is what std's `System`
/// relies on too: the aligned calls only for the rest.
struct MiMalloc;

/// mimalloc's `MI_MAX_ALIGN_SIZE`.
const MIN_ALIGN: usize = 16;

fn plain(align: usize, size: usize) -> bool {
    align <= MIN_ALIGN && align <= size
}

// SAFETY: each call is mimalloc's own for the layout; blocks are freed by `mi_free` whatever
// call made them.
unsafe impl std::alloc::GlobalAlloc for MiMalloc {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys as mi;
        if plain(layout.align(), layout.size()) {
            unsafe { mi::mi_malloc(layout.size()) as *mut u8 }
        } else {
            unsafe { mi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8 }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys as mi;
        if plain(layout.align(), layout.size()) {
            unsafe { mi::mi_zalloc(layout.size()) as *mut u8 }
        } else {
            unsafe { mi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8 }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        unsafe { libmimalloc_sys::mi_free(ptr.cast()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        use libmimalloc_sys as mi;
        if plain(layout.align(), new_size) {
            unsafe { mi::mi_realloc(ptr.cast(), new_size) as *mut u8 }
        } else {
            unsafe { mi::mi_realloc_aligned(ptr.cast(), new_size, layout.align()) as *mut u8 }
        }
    }
}

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
    /// Folder of handlebars templates overriding the built-in ones (default: ./templates when it
    /// exists; the built-in ones are compiled in from codegen/templates/).
    #[arg(long)]
    templates: Option<PathBuf>,
    /// Package name of the generated Rust crate.
    #[arg(long, default_value = uapigen::emit::DEFAULT_CRATE_NAME)]
    crate_name: String,
    /// Path of the uaccess crate (uapigen-uaccess), relative to OUT/rust (`--profile rust-vmm`:
    /// to OUT/<family>-bindings, for the crates' `validate` feature).
    #[arg(long, default_value = uapigen::emit::DEFAULT_UACCESS_PATH)]
    uaccess_path: String,
    /// Which tree OUT is: `generated` (this repository's generated/), `kernel` (a kernel
    /// tree: include/uapi/linux/ and the validators for kernel code), `qemu` (a QEMU
    /// checkout: linux-headers/linux/), `rust-vmm` (`<family>-bindings/` crates in bindgen's
    /// API, for the rust-vmm crates: iommufd-bindings, vfio-bindings).
    #[arg(long, value_enum, default_value = "generated")]
    profile: uapigen::profile::Profile,
}

impl Paths {
    /// Every file of the chosen profile for these families.
    fn output(&self, families: &[uapigen::Checked]) -> Result<uapigen::Output, Error> {
        self.plan(families)?.emit(&templates(self)?)
    }

    /// The files of the chosen profile for these families, not rendered yet.
    fn plan<'a>(&self, families: &'a [uapigen::Checked]) -> Result<uapigen::Plan<'a>, Error> {
        uapigen::plan(families, &self.tree())
    }

    /// The tree `--profile` says, with this crate's name and `uapigen-uaccess` path.
    fn tree(&self) -> uapigen::plan::Tree {
        uapigen::plan::Tree::of(self.profile, self.krate())
    }

    /// `--schema` must be a folder; `--out` one, or not there yet.
    fn folders(&self) -> Result<(), Error> {
        folder("--schema", &self.schema, true)?;
        folder("--out", &self.out, false)
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
        /// Folders holding the headers `extern` items come from, for the libclang proof, which
        /// measures the copies in the generated headers that include them (e.g. `-I
        /// /usr/include` for linux-libc-dev's); searched after the generated headers.
        #[arg(short = 'I', value_name = "DIR")]
        include: Vec<PathBuf>,
    },
    /// Decode raw bytes of a struct (stdin, or --hex): every field by name, flags and enum values
    /// by name, and the validator's verdict with the rule that failed. Exit 1 when rejected.
    Decode {
        /// The struct the bytes are.
        #[arg(value_name = "STRUCT")]
        name: String,
        /// The bytes as hex: pairs of hex digits ("38 00 00 00", "38000000", "0x38, 0x00"), spaces,
        /// tabs, newlines and commas may separate bytes, `0x` may prefix one; anything else is
        /// refused. Default: raw bytes on stdin. At most 1 MiB (1048576 bytes) either way, the
        /// maximum struct size.
        #[arg(long)]
        hex: Option<String>,
        /// Driver data (convention = "user_data") only: the data type the command gave
        /// (default: the struct's own).
        #[arg(long)]
        data_type: Option<u32>,
        /// Driver data (convention = "user_data") only: the length the command gave (default:
        /// the bytes given).
        #[arg(long)]
        len: Option<u32>,
        /// Folder of schema files.
        #[arg(long, default_value = "schema")]
        schema: PathBuf,
    },
    /// Run the compatibility matrix: every validated struct, every (user revision, kernel
    /// revision) pair, through the generated C validators; exit 1 on any unexpected cell.
    /// With `--kernel lab:K`, one family's cases against one kernel revision through a real
    /// kernel instead: the real-kernel lab's guest (`--lab`) sends each through the ioctl
    /// that takes the struct, and each answer is judged against the schema's.
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
        /// `lab:K`: the real-kernel lab's kernel K (`lab:iommufd-7.2`, `lab:iommufd-6.12`,
        /// `lab:debian-6.1`), which `--lab --kernel K` boots.
        #[arg(long, value_name = "lab:K", requires = "family")]
        kernel: Option<String>,
        /// With `--kernel`: the family whose structs go through the kernel.
        #[arg(long)]
        family: Option<String>,
        /// With `--kernel`: the schema's revision that kernel is (default: the family's latest).
        #[arg(long, requires = "kernel")]
        revision: Option<String>,
        /// With `--kernel`: only these structs (default: every struct an ioctl takes);
        /// repeatable.
        #[arg(long = "struct", value_name = "NAME", requires = "kernel")]
        structs: Vec<String>,
        /// With `--kernel`: the lab's script, run as `LAB --kernel K --cases FILE --out FILE`.
        #[arg(long, default_value = "scripts/lab", requires = "kernel")]
        lab: PathBuf,
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

/// What `generate` wrote: the lock files published (`--publish`), the files that changed, and
/// how many the tree has.
fn report_generated(paths: &Paths, published: &[String], written: &[String], files: usize) {
    for l in published {
        println!("published {}", paths.schema.join(l).display());
    }
    for w in written {
        println!("wrote {}", paths.out.join(w).display());
    }
    println!(
        "{files} files generated in {} ({} changed)",
        paths.out.display(),
        written.len()
    );
}

/// `check`'s verdict on the output folder: up to date, or each stale file; a published
/// revision that changed (`locks`) first, which a new `[[revision]]` must say instead.
fn report_check(
    out: &std::path::Path,
    stale: Vec<uapigen::output::Stale>,
    files: usize,
    locks: Vec<uapigen::Diagnostic>,
) -> ExitCode {
    if !locks.is_empty() {
        eprintln!("{}", Error::Schema(locks));
        eprintln!("a published revision changed: put the change in a new [[revision]]");
        return ExitCode::from(1);
    }
    if stale.is_empty() {
        println!("{}: up to date ({files} files)", out.display());
        return ExitCode::SUCCESS;
    }
    for s in &stale {
        eprintln!("{}: {s}", out.display());
    }
    eprintln!("{} file(s) stale: run `uapigen generate`", stale.len());
    ExitCode::from(1)
}

fn templates(paths: &Paths) -> Result<Templates, Error> {
    let dir = match &paths.templates {
        Some(d) => {
            folder("--templates", d, true)?;
            Some(d.clone())
        }
        // A project's own templates/ overrides without a flag, as before the built-in copy
        // moved into the crate; in this repository there is none, so the built-ins render.
        None => Some(PathBuf::from("templates")).filter(|d| d.is_dir()),
    };
    Templates::new(dir.as_deref())
}

/// A schema to diff: a file, or `REV:PATH` read from git (when no such file exists).
fn load_for_diff(arg: &str) -> Result<uapigen::Checked, Error> {
    let path = std::path::Path::new(arg);
    let source = if std::fs::symlink_metadata(path).is_ok() {
        uapigen::Source::read(path)?
    } else if let Some((rev, file)) = arg.split_once(':') {
        uapigen::Source::from_bytes(arg, git_blob(arg, rev, file)?)?
    } else {
        return Err(Error::Usage(format!(
            "{arg}: no such file (use REV:PATH for a file in git)"
        )));
    };
    let name = std::path::Path::new(arg.rsplit(':').next().unwrap_or(arg))
        .file_name()
        .map_or_else(|| arg.to_string(), |n| n.to_string_lossy().into_owned());
    uapigen::load_revisions(source, &name)
}

/// The file `PATH` at git revision `REV`, at most `MAX_FILE_SIZE` bytes. Neither part can
/// be taken for an option: one starting with `-` is refused, and `--end-of-options` ends
/// git's options before the object name all the same.
fn git_blob(arg: &str, rev: &str, file: &str) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    use std::process::{Command, Stdio};
    // An empty REV is git's own (`:PATH`, the index); an empty PATH is a tree.
    if file.is_empty() || rev.starts_with('-') || file.starts_with('-') {
        return Err(Error::Usage(format!(
            "{arg}: not a file, nor REV:PATH with a PATH and neither starting with `-`"
        )));
    }
    let io = |message: String| Error::Io {
        path: arg.to_string(),
        message,
    };
    let mut child = Command::new("git")
        .args(["cat-file", "blob", "--end-of-options", arg])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| io(format!("cannot run git: {e}")))?;
    let mut stderr = child.stderr.take().expect("piped");
    // Read beside stdout, so that neither pipe can fill and stall git.
    let errors = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = (&mut stderr).take(64 << 10).read_to_end(&mut text);
        text
    });
    let limit = uapigen::diag::MAX_FILE_SIZE;
    let mut blob = Vec::new();
    let read = child
        .stdout
        .take()
        .expect("piped")
        .take(limit + 1)
        .read_to_end(&mut blob);
    let too_large = blob.len() as u64 > limit;
    if too_large {
        let _ = child.kill();
    }
    let status = child.wait().map_err(|e| io(format!("git: {e}")))?;
    let errors = errors.join().unwrap_or_default();
    if too_large {
        return Err(io(format!(
            "larger than {limit} bytes, the most uapigen reads"
        )));
    }
    read.map_err(|e| io(format!("reading from git: {e}")))?;
    if !status.success() {
        return Err(io(String::from_utf8_lossy(&errors).trim().to_string()));
    }
    Ok(blob)
}

/// What `uapigen matrix --kernel` asks for.
struct LabAsk<'a> {
    kernel: &'a str,
    family: &'a str,
    revision: Option<&'a str>,
    structs: &'a [String],
}

/// `uapigen matrix --kernel lab:K --family F`: F's cases against its revision `revision`
/// through the real-kernel lab's kernel K, judged; exit 1 on any disagreement.
fn lab_matrix(
    families: &[uapigen::Checked],
    asked: &LabAsk,
    lab: &std::path::Path,
    format: &str,
) -> Result<ExitCode, Error> {
    use uapigen::lab_matrix;
    let LabAsk {
        kernel,
        family,
        revision,
        structs,
    } = *asked;
    let Some(k) = kernel.strip_prefix("lab:").filter(|k| !k.is_empty()) else {
        return Err(Error::Usage(format!(
            "`--kernel {kernel}`: write `lab:K`, K a kernel of the lab (`lab:iommufd-7.2`)"
        )));
    };
    if format != "table" {
        return Err(Error::Usage(
            "`--kernel` prints a table: `--format json` is the models' matrix's".into(),
        ));
    }
    let c = families
        .iter()
        .find(|c| c.family.name == family)
        .ok_or_else(|| {
            Error::Usage(format!(
                "`--family {family}`: no such family ({})",
                families
                    .iter()
                    .map(|c| c.family.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    let latest = c.history.rev(c.latest().id()).id.clone();
    let plan = lab_matrix::plan(c, revision.unwrap_or(&latest), structs).map_err(Error::Usage)?;
    // The case file and the results, this process's own, removed when it is done.
    let dir = std::env::temp_dir().join(format!("uapigen-lab-matrix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    let out = lab_run(&dir, &plan, k, lab);
    let _ = std::fs::remove_dir_all(&dir);
    let text = out?;
    let answers = lab_matrix::answers(&text).map_err(Error::Usage)?;
    let verdicts = lab_matrix::judge(families, &plan, &answers).map_err(Error::Usage)?;
    let name = text
        .lines()
        .find_map(|l| l.strip_prefix("SETUP kernel "))
        .map_or(format!("lab:{k}"), |v| format!("Linux {v} (lab:{k})"));
    print!("{}", lab_matrix::table(&plan, &verdicts, &name));
    Ok(if verdicts.iter().all(|v| v.disagreements.is_empty()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A file's I/O error, located at the file.
fn io(p: &std::path::Path, e: std::io::Error) -> Error {
    Error::Io {
        path: p.display().to_string(),
        message: e.to_string(),
    }
}

/// Writes `plan`'s case file in `dir`, runs the lab's kernel `k` on it and returns its results.
fn lab_run(
    dir: &std::path::Path,
    plan: &uapigen::lab_matrix::Plan,
    k: &str,
    lab: &std::path::Path,
) -> Result<String, Error> {
    let cases = dir.join("cases");
    let results = dir.join("results");
    std::fs::write(&cases, plan.case_file()).map_err(|e| io(&cases, e))?;
    let run = std::process::Command::new(lab)
        .args(["--kernel", k, "--cases"])
        .arg(&cases)
        .arg("--out")
        .arg(&results)
        .output()
        .map_err(|e| Error::Io {
            path: lab.display().to_string(),
            message: format!("cannot run the lab ({e}): `--lab` names scripts/lab"),
        })?;
    if !run.status.success() {
        return Err(Error::Usage(format!(
            "{} --kernel {k} failed ({}):\n{}",
            lab.display(),
            run.status,
            String::from_utf8_lossy(&run.stderr).trim_end()
        )));
    }
    std::fs::read_to_string(&results).map_err(|e| io(&results, e))
}

/// A folder argument must be one (`--schema`, `--out`): said with the argument's name.
fn folder(arg: &str, path: &std::path::Path, must_exist: bool) -> Result<(), Error> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(Error::Usage(format!(
            "{arg} {}: not a folder",
            path.display()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::Usage(format!(
            "{arg} {}: no such folder",
            path.display()
        ))),
        Err(e) => Err(Error::Usage(format!("{arg} {}: {e}", path.display()))),
    }
}

/// Decode's input: `--hex`, or stdin; either at most the maximum struct size.
fn decode_input(hex: Option<&str>) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let max = uapigen::layout::MAX_STRUCT_SIZE;
    let (what, bytes) = match hex {
        Some(h) => (
            "--hex",
            uapigen::decode::parse_hex(h).map_err(|e| Error::Usage(format!("--hex: {e}")))?,
        ),
        None => {
            let mut b = Vec::new();
            std::io::stdin()
                .take(max + 1)
                .read_to_end(&mut b)
                .map_err(|e| Error::Io {
                    path: "<stdin>".into(),
                    message: e.to_string(),
                })?;
            ("<stdin>", b)
        }
    };
    if bytes.len() as u64 > max {
        return Err(Error::Usage(format!(
            "{what}: more than {max} bytes; decode reads one struct, and no struct is larger (the maximum struct size)"
        )));
    }
    Ok(bytes)
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Generate { paths, publish } => {
            paths.folders()?;
            // One family at a time: the peak memory is a family's, not the tree's.
            if !publish {
                let done = uapigen::stream::generate_dir(
                    &paths.schema,
                    &paths.tree(),
                    &templates(&paths)?,
                    &paths.out,
                )?;
                report_generated(&paths, &[], &done.written, done.files);
                return Ok(ExitCode::SUCCESS);
            }
            let families = uapigen::load_dir(&paths.schema)?;
            // The lock files go in the same transaction as the output: both or neither.
            let mut locks = uapigen::Output::default();
            let changed = uapigen::check_locks(&paths.schema, &families)?;
            if !changed.is_empty() {
                return Err(Error::Schema(changed));
            }
            for c in &families {
                let path = uapigen::lock_path(&paths.schema, &c.history);
                let rel = path.strip_prefix(&paths.schema).unwrap_or(&path);
                locks.add(
                    rel.to_string_lossy(),
                    uapigen::abi::lock_text(&uapigen::abi::snapshot(c))?,
                );
            }
            // Each file is written (to its temporary) as soon as it is rendered, not held.
            let templates = templates(&paths)?;
            let plan = paths.plan(&families)?;
            let [published, written]: [Vec<String>; 2] = plan
                .write(&templates, &paths.out, &[(&locks, &paths.schema)])?
                .try_into()
                .map_err(|_| Error::Internal("one list of written files per folder".into()))?;
            report_generated(&paths, &published, &written, plan.files.len());
            // The process ends here: freeing every model piece by piece would cost what the
            // kernel does at exit for nothing (4 % of a 10,000-struct generate).
            drop(plan);
            std::mem::forget(families);
            Ok(ExitCode::SUCCESS)
        }
        Command::Check {
            paths,
            no_clang,
            include,
        } => {
            paths.folders()?;
            // Without the layout proof, which reads every model at once: one family at a time.
            if no_clang || paths.profile != uapigen::profile::Profile::Generated {
                let checked = uapigen::stream::check_dir(
                    &paths.schema,
                    &paths.tree(),
                    &templates(&paths)?,
                    &paths.out,
                )?;
                return Ok(report_check(
                    &paths.out,
                    checked.stale,
                    checked.files,
                    checked.locks,
                ));
            }
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
                let extra: Vec<&std::path::Path> = include.iter().map(PathBuf::as_path).collect();
                let mismatches = uapigen::clang_proof::prove_with(
                    &families,
                    &paths.out.join("include"),
                    &extra,
                )?;
                if !mismatches.is_empty() {
                    for m in &mismatches {
                        eprintln!("layout proof: {m}");
                    }
                    eprintln!(
                        "{} layout or value difference(s) between libclang and the IR",
                        mismatches.len()
                    );
                    return Ok(ExitCode::from(1));
                }
                println!(
                    "layout proof: every struct matches libclang on {} targets",
                    uapigen::layout::TARGETS.len()
                );
            }
            Ok(report_check(
                &paths.out,
                stale,
                output.files.len(),
                Vec::new(),
            ))
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
                header.file_stem().map_or("imported".into(), |s| {
                    s.to_string_lossy().replace(['-', '.'], "_")
                })
            });
            // The folder above the header's, so `#include <linux/x.h>` beside it resolves,
            // unless a folder given holds the header: then it names the header's includes
            // (`linux/usb/ch9.h`, not `usb/ch9.h` from above linux/usb/gadgetfs.h).
            let mut dirs: Vec<PathBuf> = include;
            let given = dirs.iter().any(|d| header.starts_with(d));
            if let Some(up) = header.parent().and_then(|p| p.parent()).filter(|_| !given) {
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
            kernel: Some(kernel),
            family,
            revision,
            structs,
            lab,
            format,
            schema,
            ..
        } => {
            folder("--schema", &schema, true)?;
            let families = uapigen::load_dir(&schema)?;
            let asked = LabAsk {
                kernel: &kernel,
                family: family.as_deref().unwrap_or_default(),
                revision: revision.as_deref(),
                structs: &structs,
            };
            lab_matrix(&families, &asked, &lab, &format)
        }
        Command::Matrix {
            format,
            schema,
            out,
            family,
            ..
        } => {
            if family.is_some() {
                return Err(Error::Usage(
                    "`--family` chooses what goes through a real kernel: it goes with \
                     `--kernel lab:K`"
                        .into(),
                ));
            }
            folder("--schema", &schema, true)?;
            // A missing --out is reported by the matrix itself, naming the headers it needs.
            folder("--out", &out, false)?;
            let families = uapigen::load_dir(&schema)?;
            let mut c = uapigen::matrix_c::CValidators::build(&out.join("include"), &families)?;
            let m = uapigen::matrix::run(&families, &mut [&mut c]);
            let mut walkers =
                uapigen::chain_c::CChainWalkers::build(&out.join("include"), &families)?;
            let chains = uapigen::chain_matrix::run(&families, &mut [&mut walkers]);
            let ok = m.ok && chains.ok;
            if format == "json" {
                let internal = |e: serde_json::Error| Error::Internal(e.to_string());
                let mut v = serde_json::to_value(&m).map_err(internal)?;
                v["ok"] = ok.into();
                v["chains"] = serde_json::to_value(&chains).map_err(internal)?;
                println!("{}", serde_json::to_string_pretty(&v).map_err(internal)?);
            } else {
                print!("{}", uapigen::matrix::table(&m));
                print!("{}", uapigen::chain_matrix::table(&chains));
            }
            Ok(if ok {
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
            folder("--schema", &schema, true)?;
            let families = uapigen::load_dir(&schema)?;
            let found = families.iter().find_map(|c| {
                c.family
                    .structs_by_id()
                    .find(|(_, st)| st.name == name)
                    .map(|(s, _)| (c, s))
            });
            let Some((c, s)) = found else {
                return Err(Error::Usage(format!(
                    "no struct named `{name}` in {}",
                    schema.display()
                )));
            };
            let st = c.family.struct_(s);
            let x86_64 = &uapigen::layout::TARGETS[0];
            if let Some(w) = st.when.as_ref().filter(|_| !st.on(x86_64)) {
                return Err(Error::Usage(format!(
                    "struct `{name}` is not declared on {}, the target decode lays structs out \
                     as: it exists on {} only",
                    x86_64.triple,
                    w.arches().join(", ")
                )));
            }
            let driver_data = st.convention == Some(uapigen::ir::Convention::UserData);
            if !driver_data && (data_type.is_some() || len.is_some()) {
                return Err(Error::Usage(format!(
                    "{}: struct `{name}` is not driver data ({}); --len and --data-type apply to convention = \"user_data\" only",
                    if len.is_some() { "--len" } else { "--data-type" },
                    st.convention.map_or("no size convention", |c| c.name()),
                )));
            }
            let bytes = decode_input(hex.as_deref())?;
            let user_data = match (data_type, len) {
                (None, None) => None,
                (t, l) => {
                    let own = st
                        .validation
                        .as_ref()
                        .and_then(|v| v.data_type.as_ref())
                        .and_then(|d| u32::try_from(d.1).ok());
                    let given = u32::try_from(bytes.len()).ok();
                    match (t.or(own), l.or(given)) {
                        (Some(data_type), Some(len)) => {
                            Some(uapigen::interpret::UserData { data_type, len })
                        }
                        _ => None,
                    }
                }
            };
            let d = uapigen::decode::decode_rev(c.latest(), s, &bytes, user_data);
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
            folder("--schema", &schema, true)?;
            // Laid out without the checks first: a struct with a hole is exactly when the table helps.
            let families = uapigen::lay_out_dir(&schema)?;
            let mut found = false;
            // The model's own layouts: `layout` shows what every emitter uses.
            let (t, _) = TargetId::all()
                .find(|(_, t)| t.triple == target.triple)
                .expect("a known target has an id");
            for c in &families {
                let rev = c.latest();
                for (s, st) in rev.structs() {
                    if name.as_ref().is_some_and(|n| *n != st.name) {
                        continue;
                    }
                    // A struct of some targets (`when`) has no layout where it is not declared.
                    if !st.on(target) {
                        if name.is_some() {
                            return Err(Error::Usage(format!(
                                "struct `{}` is not declared on {}: it exists where `{}` {} ({})",
                                st.name,
                                target.triple,
                                st.when.as_ref().map_or("", |w| w.text.as_str()),
                                if st.when.as_ref().is_some_and(|w| w.negated) {
                                    "fails"
                                } else {
                                    "holds"
                                },
                                st.when
                                    .as_ref()
                                    .map_or(String::new(), |w| w.arches().join(", "))
                            )));
                        }
                        continue;
                    }
                    found = true;
                    // Its layout stops where it crosses the maximum: the check error says where.
                    if rev.layout(s, t).too_large.is_some() {
                        continue;
                    }
                    println!("{}", uapigen::pahole::struct_table(rev, s, t));
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
