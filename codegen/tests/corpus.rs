//! The corpus test (issue 15): every header of Debian's linux-libc-dev, imported, generated
//! again and compared with the original, declaration by declaration.
//!
//! For Linux 6.1 (Debian bookworm) and 7.2 (unstable), as scripts/fetch-kernel-headers
//! unpacked them, every header of the package is taken — `linux/` with its subfolders,
//! `asm-generic/`, the other uAPI folders (`drm/`, `rdma/`, `misc/`, `sound/` ...) and x86's
//! `asm/` (of `x86_64-linux-gnu`; the other architectures' asm/ folders are not read). Each
//! is run through `uapigen import` (the library's, with `-I` the package's include folder and
//! its `x86_64-linux-gnu`, so `<asm/...>` and the kernel's other headers resolve), the skeleton
//! is loaded and its header emitted as `uapigen generate` writes it, and the two headers are
//! compared as `real_headers.rs` compares uapigen's own with the kernel's: libclang lists what
//! each declares, gcc measures both on x86-64 and i686 (every struct and union's size and
//! alignment, every member's offset and size or bitfield bits, every enum constant, integer
//! `#define` and ioctl number).
//!
//! A header is round-tripped when import accepts it and nothing of the original is missing
//! from the regenerated header or measured differently, on either ABI. What only the
//! regenerated header declares ("extra") does not count against it; it is reported. Neither do
//! the declarations the comparison does not measure (function-like macros, typedefs,
//! functions): a round-tripped header that drops some is counted in the report. A header that
//! declares nothing measured (only includes, or only macros that are not integers) is
//! round-tripped when import accepts it and the regenerated header also compiles.
//!
//! The round-tripped headers are held to `corpus/round_tripped.txt`, a ratchet: one that stops
//! round-tripping fails the test, and so does one that starts and is not listed
//! (`UAPIGEN_BLESS=1` rewrites the file). The summary — K/N per release and the first reason
//! of each other header, by class — is printed (`-- --nocapture`); `UAPIGEN_CORPUS_DETAIL=1`
//! prints every header's reason too. `UAPIGEN_CORPUS_ONLY=linux/phonet.h,linux/sctp.h` runs
//! those headers alone, held to their lines of the ratchet.

mod common;
#[path = "real_headers/compare.rs"]
mod compare;
#[path = "real_headers/kernels.rs"]
mod kernels;
#[path = "real_headers/probe.rs"]
mod probe;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use compare::{Finding, Kind};
use kernels::{Kernel, ABIS};
use uapigen::tools::header_decls;

const RATCHET: &str = "codegen/tests/corpus/round_tripped.txt";

/// The scratch folder of the compiler's headers libclang's listing needs (<stdint.h>).
const STUBS: &str = "stubs";

/// The suites the corpus is taken from: the kernel Debian stable installs and unstable's.
const CORPUS_SUITES: &[&str] = &["bookworm", "unstable"];

/// The uAPI folders of the package besides `linux/` and `asm-generic/` (the multiarch folders
/// hold the architectures' asm/).
const FOLDERS: &[&str] = &[
    "linux",
    "asm-generic",
    "cxl",
    "drm",
    "fwctl",
    "misc",
    "mtd",
    "rdma",
    "regulator",
    "scsi",
    "sound",
    "video",
    "xen",
];

/// x86's asm/, in the package's x86-64 multiarch folder.
const ARCH: &str = "x86_64-linux-gnu";

/// One header of a package.
struct Header {
    /// As a program includes it (`linux/vfio.h`, `asm/kvm.h`).
    name: String,
    /// The file.
    path: PathBuf,
}

/// What became of one header.
#[derive(Debug, Clone)]
enum Outcome {
    RoundTripped {
        /// Measures only the regenerated header has (on the ABI with the most).
        extra: Vec<String>,
        /// Declarations of the original that are not measured and the regenerated header
        /// lacks (function-like macros, typedefs ...), by kind.
        unmeasured_lost: Vec<String>,
        /// Whether the original declares anything measured.
        measured: bool,
        /// What the comparison held equal on both ABIs: structs and unions, their members,
        /// constants (defines and enumerators).
        compared: [usize; 3],
    },
    Failed {
        /// The class the first reason falls in.
        class: String,
        /// Every class of reason the header has (import's refusals; one for the comparison).
        classes: BTreeSet<String>,
        /// The first reason, as said.
        first: String,
    },
}

fn headers_of(k: &Kernel) -> Vec<Header> {
    fn walk(dir: &Path, rel: &str, out: &mut Vec<Header>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let path = e.path();
            let rel = format!("{rel}/{name}");
            if path.is_dir() {
                walk(&path, &rel, out);
            } else if name.ends_with(".h") {
                out.push(Header { name: rel, path });
            }
        }
    }
    let mut out = Vec::new();
    for folder in FOLDERS {
        walk(&k.include.join(folder), folder, &mut out);
    }
    walk(&k.include.join(ARCH).join("asm"), "asm", &mut out);
    assert!(
        out.iter().any(|h| h.name == "linux/types.h") && out.iter().any(|h| h.name == "asm/kvm.h"),
        "{}: the package under {} lacks linux/types.h or x86's asm/: rerun \
         scripts/fetch-kernel-headers --refresh (scripts/setup runs it)",
        k.name(),
        k.include.display()
    );
    out
}

/// The class of one of import's reasons (its own refusals, or libclang's compile errors).
fn import_class(message: &str) -> String {
    let m = message;
    let has = |s: &str| m.contains(s);
    let class = if has("unknown type name '__kernel_") {
        "compile error: a __kernel_* type (uapigen's own <linux/types.h> has none)"
    } else if has("unknown type name") {
        "compile error: another unknown type (__sum16, size_t, ...)"
    } else if has("type name requires a specifier or qualifier")
        || has("expected ';' at end of declaration list")
    {
        "compile error: __struct_group(), __counted_by() ... (the kernel's <linux/stddef.h>, \
         which uapigen's own <linux/types.h> does not include)"
    } else if has("undeclared identifier '__BITS_PER_LONG'") {
        "compile error: __BITS_PER_LONG (<asm/bitsperlong.h>, which uapigen's own \
         <linux/types.h> does not include)"
    } else if has("file not found") {
        let file = m.split('\'').nth(1).unwrap_or("");
        let kernel = [
            "linux/",
            "asm/",
            "asm-generic/",
            "xen/",
            "drm/",
            "rdma/",
            "sound/",
        ]
        .iter()
        .any(|p| file.starts_with(p));
        if kernel {
            "compile error: an included kernel header not found"
        } else {
            "compile error: includes a libc header (<sys/socket.h>, <stdlib.h> ...; read with -nostdinc)"
        }
    } else if has("is declared by the byte order") {
        "a struct declared by the byte order (`#if defined(__LITTLE_ENDIAN_BITFIELD)` ...)"
    } else if has("a bitfield directly in a union") || has("of its bitfields on") {
        "bitfield the schema cannot write (in a union; placed otherwise on some ABI)"
    } else if has("is a flexible array member, so it must be the last member") {
        "flexible array member (or [0]) before another member"
    } else if has("which ends in the flexible array member") {
        "a struct that ends in a flexible array member, embedded in another"
    } else if has("is a flexible array member inside a union") {
        "flexible array member in a union"
    } else if has("is a flexible array member inside an inline struct") {
        "flexible array member in an untagged struct member"
    } else if has("multi-dimensional array") {
        "multi-dimensional array"
    } else if has("a pointer, whose size") {
        "pointer member"
    } else if has("plain `char`") {
        "member type: plain char"
    } else if has("an enum, whose size") {
        "member type: an enum"
    } else if has("bytes on 32-bit ABIs") {
        "member type: long / unsigned long (or a typedef of one)"
    } else if has("a typedef of `struct") || has(", a typedef of `") {
        "member type: a typedef of a struct"
    } else if has(": a typedef of") {
        "member type: a typedef that is not the kernel's (__kernel_*, __virtio*, ...)"
    } else if has("not a kernel type") {
        "member type: a C integer type (int, unsigned, short ...)"
    } else if has("which an `extern` copy cannot write") {
        "member type: a struct of another header that cannot be copied (what it holds)"
    } else if has("which this header does not define above it") {
        "member type: a struct of another header, or defined below"
    } else if has("has a qualified type") {
        "member type: const/volatile"
    } else if has("the schema writes a struct's `packed` and `aligned(n)`, no other") {
        "attribute on a struct other than packed and aligned(n)"
    } else if has("the schema writes a member's `aligned(n)`, no other") {
        "attribute on a member other than aligned(n)"
    } else if has("the schema's `aligned` is a power of two up to 4096, written as a number") {
        "aligned(n) import does not read (a macro, sizeof on a member)"
    } else if has("the schema cannot express a union's packing") {
        "packed or aligned union member"
    } else if has("has no Rust type of its layout") {
        "packing no Rust type can follow (packed holding an aligned struct ...)"
    } else if has("attribute") && has("enum") {
        "attribute on an enum"
    } else if has("a typedef of an untagged struct") {
        "member type: a typedef of an untagged struct"
    } else if has("a struct without a tag") {
        "struct without a tag (typedef'd)"
    } else if has("at file scope: the schema has no union types") {
        "union at file scope"
    } else if has("the schema writes unions inline") {
        "tagged union member"
    } else if has("implicit padding hole") {
        "implicit padding hole (refused by generate's checks)"
    } else if has("overflows the signed") || has("undefined in C") {
        "shift C leaves undefined (1 << 31 ...)"
    } else if has("past 2^63 - 1, and written by no expression")
        || has("past 2^63 - 1 in an enum declared as a member")
    {
        "enum value past 2^63-1"
    } else if has("does not fit in a C enum") {
        "enum constant that does not fit an int"
    } else if has(" in C on ") && has("in the schema import would write") {
        "a constant that differs between targets, or is not defined on some"
    } else if has("is not laid out as the schema would write it") {
        "a struct laid out otherwise on some target (#ifdef __i386__, #pragma pack ...)"
    } else if has("is a name the generated C uses") {
        "name taken by the generated C"
    } else if has("cannot be a Rust identifier") {
        "name that cannot be a Rust identifier"
    } else if has("#undef") {
        "#undef of a define above"
    } else if has("the schema import would write for this is refused") {
        "refused by generate's checks (other)"
    } else if has("is not a C identifier") || has("the file name must be NAME.h") {
        "file name not a family name"
    } else {
        // libclang's other errors, with their names left out.
        return format!("compile error: {}", normalise(m));
    };
    class.to_string()
}

/// A message with its quoted names and numbers left out, to group like errors.
fn normalise(m: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    for c in m.chars() {
        match quote {
            Some(q) if c == q => {
                out.push('…');
                out.push(c);
                quote = None;
            }
            Some(_) => {}
            None if c == '\'' || c == '`' => {
                out.push(c);
                quote = Some(c);
            }
            None if c.is_ascii_digit() => {
                if !out.ends_with('N') {
                    out.push('N')
                }
            }
            None => out.push(c),
        }
    }
    out.chars().take(100).collect()
}

/// The body of `#define name` in a header's text: the rest of its line and the lines it
/// continues with `\`, comments left out.
fn define_body(text: &str, name: &str) -> Option<String> {
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        let Some(rest) = t.strip_prefix('#') else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix("define") else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(after) = rest.strip_prefix(name) else {
            continue;
        };
        if !after.starts_with([' ', '\t', '/']) && !after.is_empty() {
            continue;
        }
        let mut body = after.to_string();
        while body.trim_end().ends_with('\\') {
            body = body
                .trim_end()
                .trim_end_matches('\\')
                .trim_end()
                .to_string();
            body.push(' ');
            body.push_str(lines.next().unwrap_or("").trim_start());
        }
        // Comments out: `/* ... */` (closed on the same logical line) and `//`.
        let mut out = String::new();
        let mut rest = body.as_str();
        while let Some(i) = rest.find("/*") {
            out.push_str(&rest[..i]);
            rest = rest[i..].find("*/").map_or("", |j| &rest[i + j + 2..]);
        }
        out.push_str(rest);
        let out = out.split("//").next().unwrap_or("").trim().to_string();
        return Some(out);
    }
    None
}

/// What kind of define body import does not read, for the table.
fn define_form(body: &str) -> &'static str {
    let b = body.trim();
    let words: Vec<&str> = b
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let calls = b.contains('(')
        && b.char_indices().any(|(i, c)| {
            c == '('
                && b[..i]
                    .trim_end()
                    .ends_with(|p: char| p.is_ascii_alphanumeric() || p == '_')
        });
    let first = words.first().copied().unwrap_or("");
    if b.is_empty() {
        "nothing (an empty define, which import leaves out)"
    } else if ["_IO", "_IOR", "_IOW", "_IOWR"].contains(&first) {
        "an ioctl number whose argument type the schema cannot write (a pointer, an array, long, size_t, a struct not above)"
    } else if words.contains(&"sizeof") {
        "sizeof"
    } else if b.starts_with('"') {
        "a string"
    } else if b.trim_start_matches('(').starts_with('-') {
        "a negative value"
    } else if calls && !b.starts_with("((") && !b.starts_with("(__") && !b.starts_with("(~") {
        "a function-like macro's value (_BITUL(n), K(a, b) ...)"
    } else if b.contains('~') || b.contains("(__u") || b.contains("(__s") || b.contains("(int)") {
        "a cast or ~"
    } else if words.len() == 1 && !first.starts_with(|c: char| c.is_ascii_digit()) {
        "another header's constant"
    } else {
        "an expression (A - 1, A + n, n << A, A | n ...)"
    }
}

/// The class of the first finding of the comparison.
fn finding_class(f: &Finding, skeleton: &str, header: &str) -> String {
    let what = if f.key.starts_with("const ") {
        "constant"
    } else if f.key.starts_with("enum ") {
        "enum"
    } else if f.key.contains('.') {
        "member"
    } else {
        "struct or union"
    };
    match f.kind {
        Kind::Missing => {
            let name = f.key.strip_prefix("const ").unwrap_or("");
            if !name.is_empty() && skeleton.contains(&format!("# not imported: #define {name} ")) {
                let form = define_body(header, name).map_or("?", |b| define_form(&b));
                format!("round trip: a #define import does not read: {form}")
            } else {
                format!("round trip: missing {what}")
            }
        }
        Kind::Different => {
            let (real, generated) = f
                .detail
                .strip_prefix("real `")
                .and_then(|d| d.split_once("`, uapigen `"))
                .unwrap_or(("", ""));
            let form = |v: &str| v.split(" = ").next().unwrap_or("").to_string();
            if what == "constant" && form(real) != form(generated) {
                format!(
                    "round trip: a constant's form differs ({} → {})",
                    form(real),
                    form(generated)
                )
            } else {
                format!("round trip: different {what}")
            }
        }
        Kind::Extra => format!("round trip: extra {what}"),
    }
}

/// The kind of a declaration `header_decls` does not measure, from how it lists it
/// (`#define F(...): a function-like macro`, `TypedefDecl t` ...).
fn unmeasured_kind(note: &str) -> String {
    if note.ends_with("a function-like macro") {
        "function-like macro".into()
    } else if note.ends_with("not an integer constant expression") {
        "#define that is not an integer".into()
    } else if note.ends_with("a declaration without a body") {
        "declaration without a body".into()
    } else {
        let kind = note.split(' ').next().unwrap_or(note);
        kind.strip_suffix("Decl").unwrap_or(kind).to_lowercase()
    }
}

fn failed(class: String, first: String) -> Outcome {
    Outcome::Failed {
        classes: BTreeSet::from([class.clone()]),
        class,
        first,
    }
}

/// Import → load → emit → compare, for one header.
fn round_trip(
    k: &Kernel,
    h: &Header,
    templates: &uapigen::emit::Templates,
    scratch: &Path,
) -> Outcome {
    let arch = k.include.join(ARCH);
    let include = [k.include.as_path(), arch.as_path()];
    let family = Path::new(&h.name)
        .file_stem()
        .map(|s| s.to_string_lossy().replace(['-', '.'], "_"))
        .unwrap_or_default();
    let skeleton = match uapigen::import::import(&h.path, &include, &family) {
        Ok(s) => s,
        Err(uapigen::Error::Schema(diags)) => {
            let classes: Vec<String> = diags.iter().map(|d| import_class(&d.message)).collect();
            let first = diags
                .first()
                .map(|d| format!("{}:{}:{}: {}", d.path, d.line, d.col, d.message))
                .unwrap_or_default();
            return Outcome::Failed {
                class: classes.first().cloned().unwrap_or_default(),
                classes: classes.into_iter().collect(),
                first,
            };
        }
        Err(e) => {
            let m = e.to_string();
            return failed(import_class(&m), m);
        }
    };
    let file = format!("{family}.toml");
    let checked = match uapigen::load_source(uapigen::Source::new(&file, skeleton.clone()), &file) {
        Ok(c) => c,
        Err(e) => {
            return failed(
                "round trip: the skeleton does not load".into(),
                e.to_string(),
            )
        }
    };
    let text = match uapigen::emit::c_header::emit(&checked.family, templates) {
        Ok(t) => t,
        Err(e) => return failed("round trip: generate fails".into(), e.to_string()),
    };
    let stem = h.name.replace(['/', '.'], "_");
    let dir = scratch.join(format!("{}-{stem}", k.suite));
    let gen_dir = dir.join("gen");
    let gen_path = gen_dir.join(&h.name);
    std::fs::create_dir_all(gen_path.parent().unwrap()).unwrap();
    std::fs::write(&gen_path, text).unwrap();

    // Names do not depend on the ABI: listed once, as on x86-64.
    let mut host = k.include_dirs(&ABIS[0]);
    host.push(scratch.join(STUBS));
    let host: Vec<&Path> = host.iter().map(|p| p.as_path()).collect();
    // What the header assumes included before it (the skeleton's `assumes`: linux/sysctl.h's
    // <stddef.h>), before both.
    let assumes = &checked.family.assumes;
    let declared = |path: &Path, include: &[&Path]| {
        header_decls::declarations(path, include, uapigen::layout::DEFAULT_TARGET, assumes)
    };
    let real = match declared(&h.path, &host) {
        Ok(d) => d,
        Err(e) => {
            return failed(
                "round trip: libclang cannot list the original's declarations".into(),
                e.to_string(),
            )
        }
    };
    let with_gen = [&[gen_dir.as_path()], host.as_slice()].concat();
    let generated = match declared(&gen_path, &with_gen) {
        Ok(d) => d,
        Err(e) => {
            return failed(
                "round trip: the regenerated header does not compile (libclang)".into(),
                e.to_string(),
            )
        }
    };
    let unmeasured: BTreeSet<&String> = generated.not_compared.iter().collect();
    let unmeasured_lost = real
        .not_compared
        .iter()
        .filter(|n| !unmeasured.contains(n))
        .cloned()
        .collect();

    // What is missing by name needs no compiler.
    let by_name = compare::compare(&probe::keys(&real), &probe::keys(&generated));
    if let Some(f) = by_name.iter().find(|f| f.kind == Kind::Missing) {
        let text = std::fs::read_to_string(&h.path).unwrap_or_default();
        let body = f
            .key
            .strip_prefix("const ")
            .and_then(|n| Some(format!(" (#define {n} {})", define_body(&text, n)?)))
            .unwrap_or_default();
        return failed(
            finding_class(f, &skeleton, &text),
            format!("{} {}{body}", f.kind, f.key),
        );
    }
    let mut extra: Vec<String> = Vec::new();
    // A header that declares members per architecture (`#ifdef __i386__`, `#if
    // __BITS_PER_LONG == 64`) has other names on i686: listed there again.
    let source_text = std::fs::read_to_string(&h.path).unwrap_or_default();
    let per_abi = ARCH_TESTS.iter().any(|m| source_text.contains(m));
    for (ai, abi) in ABIS.iter().enumerate() {
        let include = k.include_dirs(abi);
        let listed = if per_abi && ai > 0 {
            let target = uapigen::layout::target_by_triple(&format!("{}-linux-gnu", abi.name))
                .expect("an ABI uapigen lays out");
            let mut dirs = include.clone();
            dirs.push(scratch.join(STUBS));
            let dirs: Vec<&Path> = dirs.iter().map(|p| p.as_path()).collect();
            let with_gen = [&[gen_dir.as_path()], dirs.as_slice()].concat();
            match (
                header_decls::declarations(&h.path, &dirs, target, assumes),
                header_decls::declarations(&gen_path, &with_gen, target, assumes),
            ) {
                (Ok(r), Ok(g)) => Some((r, g)),
                (Err(e), _) | (_, Err(e)) => {
                    return failed(
                        format!(
                            "round trip: libclang cannot list the declarations ({})",
                            abi.name
                        ),
                        e.to_string(),
                    )
                }
            }
        } else {
            None
        };
        let (real, generated) = match &listed {
            Some((r, g)) => (r, g),
            None => (&real, &generated),
        };
        let r = match probe::try_measure(&h.name, real, &include, abi, &dir, "real") {
            Ok(m) => m,
            Err(e) => {
                return failed(
                    format!(
                        "round trip: gcc cannot build the original's probe ({})",
                        abi.name
                    ),
                    e,
                )
            }
        };
        let with_gen: Vec<_> = std::iter::once(gen_dir.clone()).chain(include).collect();
        let g = match probe::try_measure(&h.name, generated, &with_gen, abi, &dir, "gen") {
            Ok(m) => m,
            Err(e) => {
                return failed(
                    format!(
                        "round trip: gcc cannot build the regenerated probe ({})",
                        abi.name
                    ),
                    e,
                )
            }
        };
        let findings = compare::compare(&r, &g);
        if let Some(f) = findings.iter().find(|f| f.kind != Kind::Extra) {
            let detail = if f.detail.is_empty() {
                String::new()
            } else {
                format!(": {}", f.detail)
            };
            return failed(
                finding_class(f, &skeleton, ""),
                format!("{}: {} {}{detail}", abi.name, f.kind, f.key),
            );
        }
        if findings.len() > extra.len() {
            extra = findings.into_iter().map(|f| f.key).collect();
        }
    }
    // Where the original has <linux/libc-compat.h>'s conditions, the C library's headers that
    // turn them off come first, as a program including both has them: what compiles with the
    // original compiles with the regenerated header.
    let text = std::fs::read_to_string(&h.path).unwrap_or_default();
    if text.contains("__UAPI_DEF_") {
        let include = k.include_dirs(&ABIS[0]);
        let first = LIBC_FIRST
            .iter()
            .map(|l| format!("#include <{l}>\n"))
            .collect::<String>();
        let src = format!(
            "{first}#include <{}>\nint main(void) {{ return 0; }}\n",
            h.name
        );
        let with_gen: Vec<_> = std::iter::once(gen_dir.clone())
            .chain(include.iter().cloned())
            .collect();
        let (real_ok, _) = syntax_ok(&src, &include, &dir, "libc-real");
        let (gen_ok, errors) = syntax_ok(&src, &with_gen, &dir, "libc-gen");
        if real_ok && !gen_ok {
            return failed(
                "round trip: the regenerated header clashes with C library headers included \
                 first (<linux/libc-compat.h>'s conditions)"
                    .into(),
                errors,
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let keys = probe::keys(&real);
    let mut compared = [0; 3];
    for k in keys.keys() {
        let i = if k.starts_with("const ") {
            2
        } else if k.contains('.') {
            1
        } else if k.starts_with("struct ") || k.starts_with("union ") {
            0
        } else {
            continue;
        };
        compared[i] += 1;
    }
    Outcome::RoundTripped {
        extra,
        unmeasured_lost,
        measured: !keys.is_empty(),
        compared,
    }
}

/// What a header tests to declare members per architecture (`front::when`'s macros).
const ARCH_TESTS: &[&str] = &[
    "__BITS_PER_LONG",
    "__i386__",
    "__x86_64__",
    "__ILP32__",
    "__LP64__",
    "_LP64",
    "_ILP32",
];

/// glibc's headers that <linux/libc-compat.h> answers (they set its `__UAPI_DEF_*` to 0).
const LIBC_FIRST: &[&str] = &["netinet/in.h", "net/if.h", "sys/xattr.h"];

/// Whether gcc compiles `src` (x86-64) with `include` before the system's headers; its
/// errors when not.
fn syntax_ok(src: &str, include: &[PathBuf], dir: &Path, stem: &str) -> (bool, String) {
    let file = dir.join(format!("{stem}.c"));
    std::fs::write(&file, src).unwrap();
    let mut cc = std::process::Command::new("gcc");
    cc.args(["-std=gnu11", "-fsyntax-only", "-m64"]);
    for d in include {
        cc.arg("-I").arg(d);
    }
    let out = cc
        .arg(&file)
        .output()
        .expect("gcc runs (scripts/setup installs it)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every header of `k`, on as many threads as there are cores.
fn run_release(k: &Kernel, scratch: &Path) -> Vec<(String, Outcome)> {
    let mut headers = headers_of(k);
    if let Some(only) = only() {
        headers.retain(|h| only.contains(&h.name));
    }
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                uapigen::clang_proof::load().unwrap_or_else(|e| panic!("{e}"));
                let templates = uapigen::emit::Templates::new(None).unwrap();
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(h) = headers.get(i) else { break };
                    let outcome = round_trip(k, h, &templates, scratch);
                    results.lock().unwrap().push((h.name.clone(), outcome));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.0.cmp(&b.0));
    results
}

/// The headers `UAPIGEN_CORPUS_ONLY` names (comma-separated), if it is set.
fn only() -> Option<BTreeSet<String>> {
    let v = std::env::var("UAPIGEN_CORPUS_ONLY").ok()?;
    Some(v.split(',').map(|h| h.trim().to_string()).collect())
}

/// The ratchet's lines: `RELEASE HEADER`.
fn expected(path: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

fn write_ratchet(path: &Path, lines: &BTreeSet<String>) {
    let mut text = String::from(
        "# The headers of Debian's linux-libc-dev that `uapigen import` → `generate` round-trips\n\
         # (codegen/tests/corpus.rs): RELEASE HEADER. The test fails when the round-tripped\n\
         # headers are not exactly these lines (UAPIGEN_BLESS=1 cargo test -p uapigen --test\n\
         # corpus rewrites this file).\n",
    );
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

/// K/N and the reasons of the rest, by class of the first reason, most common first.
fn summary(name: &str, k: &Kernel, results: &[(String, Outcome)]) -> String {
    let mut out = String::new();
    let n = results.len();
    let mut done = 0;
    let (mut only_macros, mut with_extra, mut lost) = (0, 0, 0);
    let mut compared = [0; 3];
    let mut lost_kinds: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut first: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut any: BTreeMap<&str, usize> = BTreeMap::new();
    let mut only: BTreeMap<&str, usize> = BTreeMap::new();
    for (header, o) in results {
        match o {
            Outcome::RoundTripped {
                extra,
                unmeasured_lost,
                measured,
                compared: c,
            } => {
                done += 1;
                for (sum, n) in compared.iter_mut().zip(c) {
                    *sum += n;
                }
                only_macros += usize::from(!measured);
                with_extra += usize::from(!extra.is_empty());
                lost += usize::from(!unmeasured_lost.is_empty());
                let kinds: Vec<String> =
                    unmeasured_lost.iter().map(|n| unmeasured_kind(n)).collect();
                let distinct: BTreeSet<&String> = kinds.iter().collect();
                for kind in distinct {
                    let n = kinds.iter().filter(|k| *k == kind).count();
                    let e = lost_kinds.entry(kind.clone()).or_default();
                    e.0 += 1;
                    e.1 += n;
                }
            }
            Outcome::Failed { class, classes, .. } => {
                first.entry(class).or_default().push(header);
                for c in classes {
                    *any.entry(c).or_default() += 1;
                }
                if classes.len() == 1 {
                    *only.entry(class).or_default() += 1;
                }
            }
        }
    }
    writeln!(
        out,
        "== Linux {name} (Debian {}, linux-libc-dev {}): {done}/{n} headers round-tripped \
         ({} of them lose no declaration the comparison does not measure; {only_macros} declare \
         nothing measured; {with_extra} have extra declarations); in them {} structs and unions, \
         {} members and {} constants held equal on x86-64 and i686",
        k.suite,
        k.package,
        done - lost,
        compared[0],
        compared[1],
        compared[2],
    )
    .unwrap();
    if !lost_kinds.is_empty() {
        let kinds: Vec<String> = lost_kinds
            .iter()
            .map(|(kind, (headers, n))| format!("{kind} {n} in {headers}"))
            .collect();
        writeln!(
            out,
            "  lost by the round-tripped headers, not measured: {}",
            kinds.join(", ")
        )
        .unwrap();
    }
    let mut rows: Vec<_> = first.into_iter().collect();
    rows.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    writeln!(
        out,
        "  first  any  only  reason (first: the headers whose first reason it is; any: that \
         have it at all; only: that have no other), e.g."
    )
    .unwrap();
    for (class, headers) in rows {
        let eg: Vec<&str> = headers.iter().take(3).copied().collect();
        writeln!(
            out,
            "  {:5} {:4} {:5}  {class}: {}",
            headers.len(),
            any.get(class).copied().unwrap_or(0),
            only.get(class).copied().unwrap_or(0),
            eg.join(", ")
        )
        .unwrap();
    }
    out
}

#[test]
fn every_header_of_the_package_round_trips_or_says_why() {
    let started = std::time::Instant::now();
    let kernels: Vec<Kernel> = kernels::fetched()
        .into_iter()
        .filter(|k| CORPUS_SUITES.contains(&k.suite))
        .collect();
    let scratch = tempfile::tempdir().unwrap();
    kernels::require_compilers(scratch.path());
    uapigen::clang_proof::load().unwrap_or_else(|e| panic!("{e}"));
    // libclang lists declarations with -nostdinc; <stdint.h> (fuse.h's) is the compiler's,
    // and the C library's headers (<sys/socket.h> ...) glibc's, which gcc's probes find and
    // libclang's listing finds here.
    let stubs = scratch.path().join(STUBS);
    std::fs::create_dir_all(&stubs).unwrap();
    std::fs::write(stubs.join("stdint.h"), uapigen::clang_proof::STDINT_H).unwrap();
    uapigen::libc_stubs::write(&stubs).unwrap();

    let detail = std::env::var_os("UAPIGEN_CORPUS_DETAIL").is_some_and(|v| v == "1");
    let mut report = String::new();
    let mut round_tripped = BTreeSet::new();
    for k in &kernels {
        let results = run_release(k, scratch.path());
        report.push_str(&summary(&k.name(), k, &results));
        report.push('\n');
        for (header, o) in &results {
            match o {
                Outcome::RoundTripped {
                    unmeasured_lost,
                    extra,
                    ..
                } => {
                    round_tripped.insert(format!("{} {header}", k.name()));
                    if detail {
                        let lost = if unmeasured_lost.is_empty() {
                            String::new()
                        } else {
                            let eg: Vec<&str> =
                                unmeasured_lost.iter().take(3).map(String::as_str).collect();
                            format!(
                                ", losing {} not measured: {}",
                                unmeasured_lost.len(),
                                eg.join("; ")
                            )
                        };
                        let extra = if extra.is_empty() {
                            String::new()
                        } else {
                            let eg: Vec<&str> = extra.iter().take(3).map(String::as_str).collect();
                            format!(", with {} extra: {}", extra.len(), eg.join("; "))
                        };
                        writeln!(report, "  {header}: round-tripped{lost}{extra}").unwrap();
                    }
                }
                Outcome::Failed { first, .. } if detail => {
                    let mut lines = first.lines();
                    let said = lines.next().unwrap_or("");
                    // A compiler's first error, after the line that says which compiler failed.
                    let error = lines
                        .find(|l| l.contains("error:"))
                        .map_or(String::new(), |l| format!(" — {}", l.trim()));
                    writeln!(report, "  {header}: {said}{error}").unwrap();
                }
                Outcome::Failed { .. } => {}
            }
        }
    }
    writeln!(
        report,
        "({:.0} s on {} threads)",
        started.elapsed().as_secs_f64(),
        std::thread::available_parallelism().map_or(2, |n| n.get())
    )
    .unwrap();
    println!("{report}");

    let path = common::repo_root().join(RATCHET);
    if std::env::var_os("UAPIGEN_BLESS").is_some_and(|v| v == "1") {
        assert!(
            only().is_none(),
            "UAPIGEN_BLESS rewrites the whole ratchet: unset UAPIGEN_CORPUS_ONLY"
        );
        write_ratchet(&path, &round_tripped);
        return;
    }
    let mut listed = expected(&path);
    if let Some(only) = only() {
        listed.retain(|l| l.split_once(' ').is_some_and(|(_, h)| only.contains(h)));
    }
    let lost: Vec<_> = listed.difference(&round_tripped).collect();
    let new: Vec<_> = round_tripped.difference(&listed).collect();
    let mut diff = String::new();
    for l in &lost {
        writeln!(diff, "- {l}").unwrap();
    }
    for l in &new {
        writeln!(diff, "+ {l}").unwrap();
    }
    assert!(
        lost.is_empty() && new.is_empty(),
        "the round-tripped headers differ from {RATCHET}: {} no longer round-trip (-: a \
         regression), {} newly do (+: add them; UAPIGEN_BLESS=1 rewrites the file):\n{diff}\n{report}",
        lost.len(),
        new.len()
    );
}

#[test]
fn define_bodies_are_read_and_told_apart() {
    let text = "#define A 1\n#define AB\t_IOR('a', 1, \\\n\t\tstruct x) /* c */\n\
                #define C (__C_MAX - 1)\n#define D _BITUL(3)\n# define E (-1)\n";
    assert_eq!(
        define_body(text, "AB").as_deref(),
        Some("_IOR('a', 1, struct x)")
    );
    assert_eq!(define_body(text, "A").as_deref(), Some("1"));
    assert_eq!(define_body(text, "Z"), None);
    let form = |n| define_form(&define_body(text, n).unwrap());
    assert_eq!(
        form("AB"),
        "an ioctl number whose argument type the schema cannot write (a pointer, an array, long, size_t, a struct not above)"
    );
    assert_eq!(form("C"), "an expression (A - 1, A + n, n << A, A | n ...)");
    assert_eq!(
        form("D"),
        "a function-like macro's value (_BITUL(n), K(a, b) ...)"
    );
    assert_eq!(form("E"), "a negative value");
}

#[test]
fn like_messages_are_one_class() {
    assert_eq!(
        import_class("unknown type name '__kernel_size_t'"),
        import_class("unknown type name '__kernel_pid_t'")
    );
    assert_eq!(
        import_class("expected ';' after expression"),
        "compile error: expected '…' after expression"
    );
    assert_eq!(
        import_class("'sys/socket.h' file not found"),
        import_class("'stdlib.h' file not found")
    );
    assert_ne!(
        import_class("'sys/socket.h' file not found"),
        import_class("'linux/x.h' file not found")
    );
}
