//! `uapigen import HEADER.h`: libclang reads an existing uAPI header and writes a schema
//! skeleton — structs (nested, named and anonymous unions, arrays), enums, `#define` integer
//! constants (a define inside a struct is placed `inside` it, above the field that follows),
//! doc comments — for a human to finish (size conventions, flag links, rules, revisions).
//!
//! A skeleton that is silently wrong is worse than none: what the schema cannot write as the
//! header has it is refused at its `header:line:col`, and what is written is proved (it loads,
//! libclang's layout of the header on every target and C's value of every constant match it)
//! before it is returned.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use super::clang::{
    self, untagged, Cursor, CursorKind, Detail, File, TranslationUnit, Type, TypeKind,
};
use crate::clang_proof::{c_args, compare, evaluate_on, measure, KernelTypes};
use crate::diag::{Diagnostic, Error, Source};
use crate::ir::{Aggregate, EnumDecl, Scalar};
use crate::layout::{DEFAULT_TARGET, TARGETS};
use crate::model::TargetId;

mod adopt;
mod byte_order;
mod collect;
mod defines;
mod ioctl;
mod kernel_doc;
mod merge;
mod names;
mod pack;
mod regions;
mod render;
mod types;
mod verify;
mod walk;

use adopt::*;
use byte_order::*;
use collect::*;
use defines::*;
use ioctl::*;
use kernel_doc::*;
use merge::*;
use names::*;
use pack::*;
use regions::*;
use render::*;
use types::*;
use verify::*;
use walk::*;

/// An enum declared as a member's type, written above its struct as an `[[enum]]` with
/// `member = true`.
#[derive(Debug, Clone)]
struct MemberEnum {
    /// Its tag, or for one without a tag the member's path with `_` for `.`.
    name: String,
    /// `enum what { ... } what;` (6.1's linux/cn_proc.h): `tagged = true`.
    tagged: bool,
    /// (name, value, where in the header).
    values: Vec<(String, i64, u32)>,
}

#[derive(Debug, Clone)]
struct Field {
    /// The flag set the bit defines above it make (filled in by `render`).
    flags: Option<String>,
    /// The `#if` conditions on <linux/libc-compat.h>'s macros around it inside its struct
    /// (filled in by `render`).
    libc_compat: Option<String>,
    /// Under an architecture's `#if` (`when`), or in its `#else` (`unless`: true).
    when: Option<(String, bool)>,
    /// A pointer to a struct no header defines (`struct xt_match *`).
    incomplete: bool,
    name: Option<String>,
    ty: Option<String>,
    /// A fixed array's length; `Some(0)` is an old header's `x[0]`, written `len = 0`.
    len: Option<u64>,
    /// A flexible array member, `x[]`.
    flexible: bool,
    /// A multi-dimensional array's further dimensions (`x[4][8]`: `len` 4, `dims` `[8]`).
    dims: Vec<u64>,
    /// An inline union or untagged struct: its members.
    inline: Option<(Aggregate, Vec<Field>)>,
    /// The member's own `__attribute__((aligned(n)))`.
    aligned: Option<String>,
    doc: Option<String>,
    offset: u32,
    /// The member path, for messages (`req.u.ring`).
    path: String,
    /// The struct this member's type names (`struct NAME`), which must be defined above.
    struct_ref: Option<String>,
    /// A bitfield's width.
    bits: Option<u32>,
    /// A member the header declares per byte order (`byte_order`).
    byte_order: bool,
    /// Its run's label, where two runs that are not bitfields stand side by side (md_p.h's
    /// `events_lo`/`events_hi` and `cp_events_lo`/`cp_events_hi`): its first member's name.
    byte_order_label: Option<String>,
    /// A bitfield of a run the big-endian branch declares in reverse as a whole
    /// (`byte_order = "word"`, drbd.h's `drbd_state`).
    byte_order_word: bool,
    /// The last bitfield of such a run, which the big-endian branch merges into another
    /// (`byte_order = "merged"`).
    byte_order_merged: bool,
    /// A flexible array member declared with `__DECLARE_FLEX_ARRAY()`.
    declared: bool,
    /// An inline union or struct's `__attribute__((packed))`.
    packed: bool,
    /// `const` on its type.
    konst: bool,
    /// `volatile` on its type.
    volatile: bool,
    /// The typedef this member's type names (`canid_t`), which must be defined above.
    typedef_ref: Option<String>,
    /// An inline union or struct's tag (`struct fork_proc_event { ... } fork;`).
    tag: Option<String>,
    /// A struct ending in a flexible array member, embedded (`embeds_flexible`).
    embeds_flexible: bool,
    /// An enum declared as this member's type (`enum { ... } func;`, `enum what { ... }
    /// what;`): the `[[enum]]` (`member = true`) written above the struct.
    member_enum: Option<MemberEnum>,
    /// A fixed array's length as the header writes it, when not a number (`IFNAMSIZ`, `200 -
    /// sizeof(unsigned long)`); kept by `render` when the schema can write it (`len_texts`).
    len_text: Option<String>,
    /// Declared by a call of a function-like macro (`RDMA_UAPI_PTR(void *, val_ptr);`): the
    /// macro and its arguments as written (`declared_by`).
    declared_by: Option<(String, Vec<String>)>,
}

/// Something import cannot write faithfully: where in the header, and why.
#[derive(Debug, Clone)]
struct Problem {
    offset: u32,
    len: usize,
    message: String,
}

#[derive(Debug, Clone)]
enum Item {
    Struct {
        name: String,
        /// A union at file scope (`[[union]]`).
        union: bool,
        /// No tag, named by a typedef (`typedef struct { ... } NAME;`).
        typedef: bool,
        /// Another header's struct this header's structs hold (`extern`): that header.
        extern_header: Option<String>,
        doc: Option<String>,
        /// `__attribute__((packed))`.
        packed: bool,
        /// `} EPOLL_PACKED;`: a macro packing it under an architecture's `#if` (the macro,
        /// the condition where it packs).
        packed_by: Option<(String, String)>,
        /// `__attribute__((aligned(n)))`.
        aligned: Option<String>,
        /// The `#pragma pack(n)` it is under (`directives`).
        pack: Option<u64>,
        /// `__attribute__((deprecated))` and `__attribute__((__may_alias__))`.
        deprecated: bool,
        may_alias: bool,
        fields: Vec<Field>,
        start: u32,
        end: u32,
        problems: Vec<Problem>,
        /// Declared in one branch of an architecture's `#if` at file scope (x86's asm/stat.h's
        /// `struct stat64`): the condition, and whether it is the `#else`'s (`unless`).
        when: Option<(String, bool)>,
    },
    Enum {
        name: Option<String>,
        doc: Option<String>,
        /// (name, value, where in the header).
        values: Vec<(String, i64, u32)>,
        /// Its values written other than by number (`Enumerators::forms`).
        forms: Vec<(String, String)>,
        /// Its values the header defines as themselves (`#define X X` for `#ifdef`).
        self_defined: Vec<String>,
        /// Its values the header defines below it as an expression of their name
        /// (linux/pkt_sched.h's `#define __TC_MQPRIO_MODE_MAX (__TC_MQPRIO_MODE_MAX - 1)`):
        /// (name, expression).
        redefined: Vec<(String, String)>,
        /// Declared alone, as a typedef's type (`typedef enum { ... } NAME;`) or as a member's.
        decl: EnumDecl,
        /// Declared as a member's type with its tag (`enum what { ... } what;`): `tagged`.
        tagged: bool,
        /// Another header's enum this header's members name (`extern`): that header.
        extern_header: Option<String>,
        /// `} __attribute__((packed));` (linux/usb/ch11.h's `hub_led_mode`).
        packed: bool,
    },
    Define {
        name: String,
        value: String,
        offset: u32,
        /// Another header's constant this header's use (`extern`): the header, as included.
        extern_header: Option<String>,
    },
    /// A function-like macro whose body is an integer expression over its parameters, or
    /// one ioctl call passing its type parameter on (drm.h's `DRM_IOWR`).
    Macro {
        name: String,
        params: Vec<String>,
        body: String,
        doc: Option<String>,
        /// Another header's macro this header's defines call (`extern`): that header.
        extern_header: Option<String>,
        /// `#ifndef NAME` ... `#endif` around another header's (`guarded_defines`); this
        /// header's own is read in `render`.
        ifndef: bool,
    },
    /// `typedef T NAME;` of a type a member may have (`[[typedef]]`).
    Typedef {
        name: String,
        ty: String,
        /// `typedef int __bitwise NAME;`.
        bitwise: bool,
        /// `typedef struct vring_desc __attribute__((aligned(16))) vring_desc_t;`: the
        /// schema's text for n.
        aligned: Option<String>,
        /// Another header's typedef this header's members name (`extern`): that header.
        extern_header: Option<String>,
    },
    /// A define in a form the importer does not read: listed for the author.
    Skipped { name: String },
    /// A declaration or directive the schema has no form for, which changes nothing import
    /// writes (a function, a variable, a typedef, a `_Static_assert`, a `#pragma`, a branch
    /// the preprocessor skipped ...): listed for the author as `what` and `why`.
    NotImported { what: String, why: String },
}

struct State {
    items: Vec<(u32, Item)>,
    /// Refusals of enums and defines: kept whatever `--struct` selects, as their items are.
    problems: Vec<Problem>,
    /// The header's text.
    source: String,
    /// The `#include <...>` directives the preprocessor took, in order.
    includes: Vec<String>,
    /// Where each of `includes` the header wrote is, by header.
    include_at: HashMap<String, u32>,
    /// The object-like macros of the other headers the translation unit read (not uapigen's
    /// own stubs), by name: their schema form and their header as a program includes it.
    others: HashMap<String, (String, String)>,
    /// The structs those headers define, by tag: as items of their own header, and that
    /// header as a program includes it.
    other_structs: HashMap<String, (Item, String)>,
    /// The text of each header of `other_structs`, by header as a program includes it.
    other_sources: HashMap<String, String>,
    /// The tagged enums those headers define, likewise (i915_drm.h's members name drm.h's
    /// `enum drm_vblank_seq_type`).
    other_enums: HashMap<String, (Item, String)>,
    /// The typedefs of the headers it includes that the schema can write: (what each names,
    /// the header), for an `extern` copy when this header's members name one.
    other_typedefs: HashMap<String, OtherTypedef>,
    /// This header's structs and unions without a tag that no typedef has named yet.
    untagged: Vec<(u32, Item)>,
    /// Their function-like macros a `[[macro]]` can hold, by name, likewise.
    other_macros: HashMap<String, (Item, String)>,
    /// The header's function-like macros a `[[macro]]` cannot hold, by name: why, for the
    /// defines that call them.
    unreadable_macros: HashMap<String, String>,
}

/// libclang's errors, with a note on the first of each kind that says why a kernel header
/// may not compile here.
fn explain(mut errors: Vec<Diagnostic>, header: &Path) -> Vec<Diagnostic> {
    let mut said = [false; 2];
    let file = header
        .file_name()
        .map_or(String::new(), |f| f.to_string_lossy().into_owned());
    for d in &mut errors {
        if Path::new(&d.path).file_name() != header.file_name() {
            d.notes.push(format!("in a header {file} includes"));
        }
        if d.message.starts_with("unknown type name") && !said[0] {
            said[0] = true;
            d.notes.push(
                "uapigen reads the header with -nostdinc against its own <linux/types.h>, which \
                 has the schema's types only (__u8 … __u64, __s8 … __s64, __aligned_u64, \
                 __le16 … __be64, __aligned_le64, __aligned_be64, the __kernel_* types alike \
                 on every ABI): the kernel's others (__kernel_uid_t, __virtio16, ...) are not \
                 types a schema can write"
                    .to_string(),
            );
        } else if d.message.contains("file not found") && !said[1] {
            said[1] = true;
            d.notes.push(
                "uapigen reads the header with -nostdinc: it finds its own <linux/types.h>, \
                 <linux/ioctl.h> and <linux/const.h>, the folder above the header's, and each -I DIR; pass the \
                 folder that holds this file with -I"
                    .to_string(),
            );
        }
    }
    errors
}

/// What the header declares and directs, as libclang reads it with `args`; a header that
/// does not compile is refused with libclang's errors.
/// `path` as a program includes it: a kernel header is a folder and a file (`linux/can.h`,
/// `asm/kvm.h`), so of its paths relative to `dirs` the shortest with a folder
/// (`/usr/include/x86_64-linux-gnu/asm/x.h` is `asm/x.h`, not `x86_64-linux-gnu/asm/x.h`;
/// `/usr/include/linux/can.h` is `linux/can.h` when `/usr/include/linux` is a folder too).
fn include_name(path: &str, dirs: &[&Path]) -> Option<String> {
    let path = Path::new(path);
    dirs.iter()
        .filter_map(|d| path.strip_prefix(d).ok())
        .filter(|rel| rel.components().count() >= 2)
        .filter(|rel| {
            rel.components()
                .all(|c| matches!(c, std::path::Component::Normal(_)))
        })
        .min_by_key(|rel| rel.components().count())
        .map(|rel| rel.to_string_lossy().into_owned())
}

/// A C library header's name as a program includes it (`time.h`, `sys/socket.h`), where `path`
/// is one of the stubs under `libc`.
fn libc_name(path: &str, libc: &Path) -> Option<String> {
    let rel = Path::new(path).strip_prefix(libc).ok()?;
    rel.components()
        .all(|c| matches!(c, std::path::Component::Normal(_)))
        .then(|| rel.to_string_lossy().into_owned())
}

fn read(
    header: &Path,
    args: &[String],
    source: String,
    include: &[&Path],
    (stub, libc): (&Path, &Path),
) -> Result<State, Error> {
    let include_name =
        |path: &str, dirs: &[&Path]| include_name(path, dirs).or_else(|| libc_name(path, libc));
    let path = header.display().to_string();
    let Some(tu) = TranslationUnit::parse(&path, None, args, Detail::Preprocessor)? else {
        return Err(Error::Usage(format!(
            "libclang could not parse {}",
            header.display()
        )));
    };
    let errors = tu.errors("");
    if !errors.is_empty() {
        return Err(Error::Schema(explain(errors, header)));
    }
    let mut state = State {
        items: Vec::new(),
        problems: Vec::new(),
        source,
        includes: Vec::new(),
        include_at: HashMap::new(),
        others: HashMap::new(),
        other_structs: HashMap::new(),
        other_sources: HashMap::new(),
        other_enums: HashMap::new(),
        other_typedefs: HashMap::new(),
        untagged: Vec::new(),
        other_macros: HashMap::new(),
        unreadable_macros: HashMap::new(),
    };
    let main_file = tu.file(&path);
    let mut texts: HashMap<String, Option<String>> = HashMap::new();
    // Each other header's defines alone under `#ifndef NAME` (`guarded_defines`).
    let mut guards: HashMap<String, HashSet<String>> = HashMap::new();
    tu.cursor().visit_children(|c| {
        // Another header's struct or union, by its tag or (`typedef struct { ... } NAME;`) the
        // typedef's name, for an `extern` copy.
        let record = match (c.kind(), untagged_record(c)) {
            (CursorKind::Typedef, Some(decl)) => Some((decl, true)),
            (CursorKind::Struct | CursorKind::Union, _)
                if c.is_definition() && !untagged(&c.spelling()) =>
            {
                Some((c, false))
            }
            _ => None,
        };
        if let Some((decl, typedef)) = record {
            let place = decl.location().spelling();
            if place.file.is_some() && place.file != main_file {
                let file = place.file.map(|f| f.name()).unwrap_or_default();
                let text = texts
                    .entry(file.clone())
                    .or_insert_with(|| Source::read(Path::new(&file)).ok().map(|s| s.text));
                // uapigen's <linux/types.h> holds <asm-generic/posix_types.h>'s one struct,
                // `__kernel_fsid_t` (statfs.h's, fanotify.h's), copied as <linux/types.h>'s.
                let header = include_name(&file, include).or_else(|| {
                    Path::new(&file)
                        .strip_prefix(stub)
                        .is_ok_and(|rel| rel == Path::new("linux/types.h"))
                        .then(|| "linux/types.h".to_string())
                });
                if let (Some(h), Some(text)) = (header, text.as_deref()) {
                    let mut item = struct_item(decl, c.spelling(), place.offset, place.file, text);
                    if let Item::Struct {
                        typedef: t, pack, ..
                    } = &mut item
                    {
                        *t = typedef;
                        *pack = pack_at(text, place.offset);
                    }
                    state
                        .other_sources
                        .entry(h.clone())
                        .or_insert_with(|| text.to_string());
                    state.other_structs.insert(c.spelling(), (item, h));
                }
            }
        }
        if c.kind() == CursorKind::Enum && c.is_definition() && !untagged(&c.spelling()) {
            let place = c.location().spelling();
            if place.file.is_some() && place.file != main_file {
                let other = place.file.and_then(|f| include_name(&f.name(), include));
                let e = Enumerators::of(c);
                if let (Some(h), true) = (other, e.problems.is_empty()) {
                    let item = Item::Enum {
                        name: Some(c.spelling()),
                        doc: None,
                        values: e.values,
                        forms: e.forms,
                        self_defined: Vec::new(),
                        redefined: Vec::new(),
                        decl: EnumDecl::Alone,
                        tagged: false,
                        packed: attributes_of(c).iter().any(|a| a == "attribute(packed)"),
                        extern_header: None,
                    };
                    state.other_enums.insert(c.spelling(), (item, h));
                }
            }
        }
        if c.kind() == CursorKind::Typedef {
            let place = c.location().spelling();
            if place.file.is_some() && place.file != main_file {
                let other = place.file.and_then(|f| include_name(&f.name(), include));
                // Not the kernel's own (`__kernel_mode_t`, which i386 redefines); a header's
                // own of that spelling is its (cxl/features.h's `__uapi_uuid_t`).
                let own = Scalar::from_c_name(&c.spelling()).is_some();
                if let (Some(h), Some(ty), false) = (other, typedef_target(c), own) {
                    // The first of a C library's typedefs that two of its headers declare
                    // (`time_t`: <time.h>'s, <sys/types.h>'s): the one a program included first.
                    state
                        .other_typedefs
                        .entry(c.spelling())
                        .or_insert(OtherTypedef {
                            ty,
                            bitwise: is_bitwise(c),
                            aligned: typedef_aligned(c),
                            header: h,
                        });
                }
            }
        }
        if c.kind() == CursorKind::MacroDefinition {
            let place = c.location().spelling();
            if place.file.is_some() && place.file != main_file {
                let other = place.file.and_then(|f| include_name(&f.name(), include));
                if c.is_function_like_macro() {
                    if let (Some(h), mut m @ Item::Macro { .. }) =
                        (other, function_like(c, c.spelling()))
                    {
                        let file = place.file.map(|f| f.name()).unwrap_or_default();
                        let guarded = guards.entry(file.clone()).or_insert_with(|| {
                            Source::read(Path::new(&file))
                                .map(|s| guarded_defines(&s.text))
                                .unwrap_or_default()
                        });
                        if let Item::Macro { ifndef, .. } = &mut m {
                            *ifndef = guarded.contains(&c.spelling());
                        }
                        state.other_macros.insert(c.spelling(), (m, h));
                    }
                } else if let (Some(h), DefineForm::Value(v)) = (other, define_value(c)) {
                    state.others.insert(c.spelling(), (v, h));
                }
            }
        }
        collect_top(c, main_file, &mut state)
    });
    // Those no typedef named (`struct { ... } x;`): refused as they are.
    let untagged = std::mem::take(&mut state.untagged);
    state.items.extend(untagged);
    let skipped = skipped_ranges(&tu, main_file);
    directives(&tu, main_file, &skipped, &mut state);
    for (start, end) in skipped {
        let first = state.source.get(start as usize..).unwrap_or("");
        let first = first.lines().next().unwrap_or("").trim();
        let lines = state.source.get(start as usize..end as usize).unwrap_or("");
        let item = Item::NotImported {
            what: format!("`{first}` … ({} lines)", lines.lines().count().max(1)),
            why: "the preprocessor skipped them (on x86_64, as a program that includes the \
                  header sees it): nothing in them is imported"
                .to_string(),
        };
        state.items.push((start, item));
    }
    Ok(state)
}

/// Reads `header` (its own `#include <linux/types.h>` etc. resolved against uapigen's kernel
/// type definitions and `include`) and returns a schema skeleton for it.
pub fn import(header: &Path, include: &[&Path], family: &str) -> Result<String, Error> {
    import_structs(header, include, family, &[])
}

/// Like `import`, keeping only the named structs (and the structs they embed); enums and
/// defines are all kept. An empty list keeps everything.
///
/// What the schema cannot write as the header has it (a bitfield, a flexible or
/// multi-dimensional array, a pointer, a type that is not the kernel's, `packed` or another
/// layout attribute, an anonymous struct, a tagged or file-scope union, a value past 2^63 - 1,
/// a shift C leaves undefined, ...) is refused: `Error::Schema` with every declaration at its
/// `header:line:col`. What it writes is proved before it is returned: the skeleton loads with
/// every check of `uapigen generate`, and libclang lays the original header out exactly as the
/// skeleton on every target.
pub fn import_structs(
    header: &Path,
    include: &[&Path],
    family: &str,
    only: &[String],
) -> Result<String, Error> {
    // A header that uses the C library's `size_t`, `struct timeval` or `IFNAMSIZ` without
    // including anything that defines it (linux/sysctl.h, linux/sockios.h, linux/hdlc/ioctl.h)
    // is read after the header that does, as a program that compiles has it; the skeleton
    // says so (`assumes`). Each round adds at least one of `ASSUMED`'s headers.
    let mut assumes: Vec<&'static str> = Vec::new();
    // A skeleton that lists as not imported a define taking `sizeof` of the C library's type
    // (linux/lp.h's `sizeof(time_t)`): kept if assuming that type's header does not make a
    // skeleton that holds (lp.h's define then computes with an ioctl number).
    let mut without: Option<String> = None;
    loop {
        // What the header's defines take `sizeof` of (vm_sockets.h's `sizeof(time_t)`).
        let mut wanted = Vec::new();
        let r = import_assuming(header, include, family, only, &assumes, &mut wanted);
        let mut more: Vec<&'static str> = match &r {
            Err(Error::Schema(d)) => assumable(d, &assumes),
            _ => Vec::new(),
        };
        for h in wanted {
            if !assumes.contains(&h) && !more.contains(&h) {
                more.push(h);
            }
        }
        match r {
            Ok(skeleton) if !more.is_empty() => without = Some(skeleton),
            Err(e) if more.is_empty() => return without.ok_or(e),
            r if more.is_empty() => return r,
            _ => {}
        }
        assumes.extend(more);
    }
}

/// Whether `name` is another header's typedef of a scalar the schema copies: a uAPI header's
/// (`other_scalar_typedef`) or the C library's (vm_sockets.h's `time_t`, <sys/types.h>'s
/// through <sys/socket.h>), whose header the schema then includes (or `assumes`).
fn copied_scalar_typedef(others: &HashMap<String, OtherTypedef>, name: &str) -> bool {
    other_scalar_typedef(others, name)
        || others.get(name).is_some_and(|t| {
            crate::libc_stubs::HEADERS
                .iter()
                .any(|(h, _)| *h == t.header)
                && Scalar::from_c_name(&t.ty).is_some()
        })
}

/// The header of `ASSUMED` that declares `name` (a type, a constant, or `struct TAG`).
fn assumed_header(name: &str) -> Option<&'static str> {
    ASSUMED
        .iter()
        .find_map(|&(n, h)| (n == name || n.ends_with('_') && name.starts_with(n)).then_some(h))
}

/// What a uAPI header may take from the C library without including it, and the header of
/// uapigen's C library stubs (`libc_stubs`) that a program includes first for it.
const ASSUMED: &[(&str, &str)] = &[
    ("size_t", "stddef.h"),
    ("NULL", "stddef.h"),
    ("time_t", "time.h"),
    ("struct timespec", "time.h"),
    ("struct timeval", "sys/time.h"),
    ("struct sockaddr", "sys/socket.h"),
    ("MSG_", "sys/socket.h"),
    ("IFNAMSIZ", "net/if.h"),
    ("uint8_t", "stdint.h"),
    ("uint16_t", "stdint.h"),
    ("uint32_t", "stdint.h"),
    ("uint64_t", "stdint.h"),
    ("int8_t", "stdint.h"),
    ("int16_t", "stdint.h"),
    ("int32_t", "stdint.h"),
    ("int64_t", "stdint.h"),
];

/// The headers of `ASSUMED` whose names the diagnostics say are missing (clang's `unknown
/// type name 'size_t'`, `incomplete type 'struct sockaddr'`; the schema's `unknown struct
/// `timeval``), but for those already assumed.
fn assumable(diagnostics: &[Diagnostic], assumes: &[&str]) -> Vec<&'static str> {
    let mut more: Vec<&'static str> = Vec::new();
    for d in diagnostics {
        for &(name, h) in ASSUMED {
            let tag = name.strip_prefix("struct ");
            // `quoted` then `close`: a prefix (`MSG_`) names any of its family.
            let named = |quoted: &str, close: char| {
                d.message.match_indices(quoted).any(|(at, _)| {
                    name.ends_with('_') || d.message[at + quoted.len()..].starts_with(close)
                })
            };
            let missing = match tag {
                Some(t) => {
                    named(&format!("'struct {t}"), '\'') || named(&format!("struct `{t}"), '`')
                }
                None => named(&format!("'{name}"), '\''),
            };
            if missing && !assumes.contains(&h) && !more.contains(&h) {
                more.push(h);
            }
        }
    }
    more
}

/// `import_structs`, reading the header after the C library headers of `assumes`.
fn import_assuming(
    header: &Path,
    include: &[&Path],
    family: &str,
    only: &[String],
    assumes: &[&'static str],
    wanted: &mut Vec<&'static str>,
) -> Result<String, Error> {
    if !is_identifier(family) {
        return Err(Error::Usage(format!(
            "family name {family:?} (--family, or the header's file name) is not a C identifier \
             (ASCII letters, digits and `_`, not starting with a digit): it names the schema, \
             the Rust module and the include guard; pass --family NAME"
        )));
    }
    let file = header
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !file.ends_with(".h")
        || file.len() < 3
        || !file
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
    {
        return Err(Error::Usage(format!(
            "{}: the file name must be NAME.h (ASCII letters, digits, `_`, `-` and `.`): it \
             becomes the schema's `header = \"linux/NAME.h\"`",
            header.display()
        )));
    }
    clang::load()?;
    let types = KernelTypes::new()?;
    let stub = types.dir.clone();
    // A regular file of bounded size in UTF-8, as every file uapigen reads: a FIFO under a
    // header's name must not block libclang, nor a device fill memory.
    let source = Source::read(header)?.text;
    // The C library's stubs last: a tree's own headers come first. A struct of theirs is
    // another header's (an `extern` copy, `extern = "sys/time.h"`).
    let dirs: Vec<&Path> = std::iter::once(stub.as_path())
        .chain(include.iter().copied())
        .chain(std::iter::once(types.libc.as_path()))
        .collect();
    let mut flags = vec!["-fparse-all-comments", "-ferror-limit=0"];
    for a in assumes {
        flags.extend(["-include", a]);
    }
    let args = c_args(DEFAULT_TARGET, &dirs, &flags);
    let mut state = read(header, &args, source.clone(), include, (&stub, &types.libc))?;
    // Members under an architecture's `#if` that x86-64 skips: read on the other targets too.
    let regions = arch_regions(&source);
    // So are another header's structs declared per architecture (x86's asm/ptrace.h's
    // `pt_regs`, which bpf_perf_event.h's `bpf_perf_event_data` holds), for their copies.
    let other_regions: HashMap<String, Vec<ArchRegion>> = state
        .other_sources
        .iter()
        .map(|(h, text)| (h.clone(), arch_regions(text)))
        .filter(|(_, r)| r.iter().any(|r| !r.other))
        .collect();
    let per_arch: Vec<String> = state
        .other_structs
        .iter()
        .filter(|(_, (item, h))| {
            let (Item::Struct { start, end, .. }, Some(rs)) = (item, other_regions.get(h)) else {
                return false;
            };
            rs.iter().any(|r| {
                !r.other && (r.start < *start && *end <= r.end || *start < r.start && r.end <= *end)
            })
        })
        .map(|(tag, _)| tag.clone())
        .collect();
    if regions.iter().any(|r| !r.other) || !per_arch.is_empty() {
        let mut extra = Vec::new();
        for t in &crate::layout::TARGETS[1..] {
            let args = c_args(t, &dirs, &flags);
            extra.push(read(
                header,
                &args,
                source.clone(),
                include,
                (&stub, &types.libc),
            )?);
        }
        merge_arch_members(&mut state, &extra, &regions);
        split_arch_types(&mut state, &extra, &regions);
        for tag in &per_arch {
            let theirs: Vec<&Item> = extra
                .iter()
                .filter_map(|x| Some(&x.other_structs.get(tag)?.0))
                .collect();
            if let Some((item, h)) = state.other_structs.get_mut(tag) {
                merge_struct(item, &theirs, &other_regions[h.as_str()]);
            }
        }
    }
    if !only.is_empty() {
        let missing: Vec<&String> = only
            .iter()
            .filter(|n| {
                !state
                    .items
                    .iter()
                    .any(|(_, i)| matches!(i, Item::Struct { name, .. } if name == *n))
            })
            .collect();
        if !missing.is_empty() {
            return Err(Error::Usage(format!(
                "{} defines no struct {}",
                header.display(),
                missing
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        // Keep the named structs and, transitively, the structs they embed.
        let mut keep: Vec<String> = only.to_vec();
        let mut i = 0;
        while i < keep.len() {
            let name = keep[i].clone();
            if let Some((_, Item::Struct { fields, .. })) = state
                .items
                .iter()
                .find(|(_, it)| matches!(it, Item::Struct { name: n, .. } if *n == name))
            {
                for t in all_fields(fields).filter_map(|f| f.struct_ref.as_ref()) {
                    if !keep.contains(t) {
                        keep.push(t.clone());
                    }
                }
            }
            i += 1;
        }
        state.items.retain(|(_, it)| match it {
            Item::Struct { name, .. } => keep.contains(name),
            _ => true,
        });
    }
    // A define naming something that is not a constant defined above it (`#define T __u32`,
    // a name from another header) is a form the schema cannot write: listed for the author.
    // libclang visits the macros before the declarations: back to the header's order.
    state.items.sort_by_key(|(o, _)| *o);
    expand_declared(&mut state);
    // A #define is expanded where it is used: it may name a define or struct the header has
    // below it (userfaultfd.h). Those are taken as defined unless they are themselves not
    // imported, in which case the pass runs again without them.
    let original = state.items.clone();
    let mut later: HashSet<String> = original
        .iter()
        .flat_map(|(_, i)| match i {
            // A string define is no integer an expression above may name.
            Item::Define { value, .. } if value.starts_with("string = ") => Vec::new(),
            Item::Define { name, .. } => vec![name.clone()],
            Item::Enum { values, .. } => values.iter().map(|(n, _, _)| n.clone()).collect(),
            _ => Vec::new(),
        })
        .collect();
    let string_names: HashSet<String> = original
        .iter()
        .filter_map(|(_, i)| match i {
            Item::Define { name, value, .. } if value.starts_with("string = ") => {
                Some(name.clone())
            }
            _ => None,
        })
        .collect();
    let later_structs: HashSet<String> = original
        .iter()
        .filter_map(|(_, i)| match i {
            Item::Struct { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    // Other headers' constants the header's defines use, each after those it uses; and
    // their structs the header's structs hold or its ioctls name.
    let mut externs: Vec<(String, String, String)>;
    let mut extern_structs: Vec<(String, Item, String)>;
    // Another header's tagged enums whose values a define names (xt_conntrack.h's
    // `IP_CT_NUMBER`): copied as `extern` enums, located at the first such define.
    let mut define_enums: Vec<(String, u32)>;
    // And their function-like macros the header's defines call (drm.h's `DRM_IOWR`).
    let mut extern_macros: Vec<(Item, String)>;
    // The typedefs the header defines, anywhere (a `#define` expands where it is used): an
    // ioctl may name one as its argument type.
    let typedef_names: HashSet<String> = state
        .items
        .iter()
        .filter_map(|(_, i)| match i {
            Item::Typedef { name, .. }
            | Item::Enum {
                name: Some(name),
                decl: EnumDecl::Typedef,
                ..
            }
            | Item::Struct {
                name,
                typedef: true,
                ..
            } => Some(name.clone()),
            _ => None,
        })
        .collect();
    let mut rounds = 0;
    loop {
        state.items = original.clone();
        externs = Vec::new();
        extern_structs = Vec::new();
        define_enums = Vec::new();
        extern_macros = Vec::new();
        let mut lost: Vec<String> = Vec::new();
        // Each define taken on the strength of names below it, with those names.
        let mut forward: Vec<(String, Vec<String>)> = Vec::new();
        let mut known: Vec<String> = Vec::new();
        let mut structs: Vec<String> = Vec::new();
        let mut c_enums: Vec<String> = Vec::new();
        let mut macros: HashMap<String, crate::front::cexpr::Macro> = HashMap::new();
        let mut self_defines: Vec<String> = Vec::new();
        // `#define X (X - 1)` below an enum's `X` (the value's `redefine`): (name, expression).
        let mut redefines: Vec<(String, String)> = Vec::new();
        // The values of the C enums above, at file scope.
        let mut enumerators: HashSet<String> = HashSet::new();
        // The defines above that stand for a struct's type (`COFF_FILHDR`), which `sizeof` takes.
        let mut type_defines: Vec<String> = Vec::new();
        // The string defines above, which a string define may join.
        let mut strings: Vec<String> = Vec::new();
        // A tag's other name is one on every target (vbox_vmmdev_types.h's, per word size,
        // stays the author's to write).
        let arch = arch_regions(&state.source);
        for (at, item) in state.items.iter_mut() {
            let per_arch = arch.iter().any(|r| r.start < *at && *at < r.end);
            if let Item::Enum { name: Some(n), .. } = item {
                c_enums.push(n.clone());
            }
            if let Item::Enum {
                values,
                decl: EnumDecl::Alone | EnumDecl::Typedef,
                ..
            } = item
            {
                enumerators.extend(values.iter().map(|(n, ..)| n.clone()));
            }
            // Another header's macro a member is declared by (mlx5-abi.h's `RDMA_UAPI_PTR`).
            if let Item::Struct { fields, .. } = item {
                for (m, _) in all_fields(fields).filter_map(|f| f.declared_by.as_ref()) {
                    let call = format!("{m}()");
                    adopt_macros(&call, &state.other_macros, &mut macros, &mut extern_macros);
                }
            }
            if let Item::Define { value, .. } = item {
                if let Some(text) = expr_text(value) {
                    adopt_macros(&text, &state.other_macros, &mut macros, &mut extern_macros);
                    adopt_forwarded(&text, &state.other_macros, &mut macros, &mut extern_macros);
                }
                if let Some(v) = wrapper_form(value, &macros) {
                    *value = v;
                }
            }
            match item {
                Item::Struct { name, .. } => structs.push(name.clone()),
                // `_IOR(..., enum TAG)`: a tagged enum of this header's above, which the schema
                // writes as a C enum.
                Item::Define { name, value, .. }
                    if define_enum(value).is_some_and(|t| !c_enums.contains(&t)) =>
                {
                    let t = define_enum(value).unwrap_or_default();
                    lost.push(name.clone());
                    *item = Item::NotImported {
                        what: format!("#define {name}"),
                        why: format!(
                            "its argument type is `enum {t}`, which is not an enum this header \
                             defines above it; add it by hand"
                        ),
                    };
                }
                // `#define COFF_FILHDR struct COFF_filehdr` of a struct that is not above.
                Item::Define { name, value, .. }
                    if form_str(value, "tag").is_some_and(|t| {
                        per_arch
                            || !t
                                .split_once(' ')
                                .is_some_and(|(_, tag)| structs.iter().any(|s| s == tag))
                    }) =>
                {
                    let t = form_str(value, "tag").unwrap_or_default();
                    lost.push(name.clone());
                    *item = Item::NotImported {
                        what: format!("#define {name}"),
                        why: format!(
                            "it names the type `{t}`, which is not a struct this header defines \
                             above it (or it is under an architecture's `#if`); add it by hand"
                        ),
                    };
                }
                // ... of one above: a type `sizeof` may take below.
                Item::Define { name, value, .. } if form_str(value, "tag").is_some() => {
                    type_defines.push(name.clone());
                }
                // `#define nvme_admin_cmd nvme_passthru_cmd`: another name for a struct's tag
                // above, which `struct nvme_admin_cmd` below then names.
                // Under an architecture's `#if` (asm/sigcontext.h's `#define _fpstate
                // _fpstate_32`), a name of one struct there and another elsewhere, which no
                // item of the schema may name.
                Item::Define { name, value, .. }
                    if alias_of(value).is_some_and(|t| structs.contains(&t)) =>
                {
                    let t = alias_of(value).unwrap_or_default();
                    *value = format!("tag = {}", toml_str(&t));
                    if !per_arch {
                        structs.push(name.clone());
                    }
                }
                // `#define NAME OTHER` of a string define above (or another header's, copied
                // as `extern`): a string too.
                Item::Define { name, value, .. }
                    if !per_arch
                        && alias_of(value).is_some_and(|t| {
                            adopt_string(&t, &state.others, &mut strings, &mut externs)
                        }) =>
                {
                    let t = alias_of(value).unwrap_or_default();
                    *value = format!("string = {}", toml_text(&t));
                    strings.push(name.clone());
                }
                Item::Define { name, value, .. } if value.starts_with("string = ") => {
                    let names = define_names(value, &macros, &typedef_names).unwrap_or_default();
                    for n in &names {
                        adopt_string(n, &state.others, &mut strings, &mut externs);
                    }
                    let why = if per_arch {
                        Some(
                            "a string define under an architecture's `#if`: the schema's string \
                             defines are the same on every target; add it by hand"
                                .to_string(),
                        )
                    } else {
                        names.iter().find(|n| !strings.contains(n)).map(|n| {
                            format!(
                                "it joins `{n}`, which is no string define this header defines \
                                 above it; add it by hand"
                            )
                        })
                    };
                    match why {
                        Some(why) => {
                            lost.push(name.clone());
                            *item = Item::NotImported {
                                what: format!("#define {name}"),
                                why,
                            };
                        }
                        None => strings.push(name.clone()),
                    }
                }
                // A macro named as an enum constant above it (legal C: only a call expands it)
                // would be a second definition of the name in the schema.
                Item::Macro { name, .. } if known.contains(name) => {
                    *item = Item::NotImported {
                        what: format!("#define {name}(...)"),
                        why: format!(
                            "a function-like macro named as the constant `{name}` above it: the \
                         schema has one definition a name; add it by hand"
                        ),
                    };
                }
                Item::Macro {
                    name, params, body, ..
                } => {
                    if let Ok(m) = crate::front::cexpr::Macro::new(params.clone(), body) {
                        macros.insert(name.clone(), m);
                    }
                }
                Item::Enum { values, .. } => known.extend(values.iter().map(|(n, _, _)| n.clone())),
                Item::Define { name, value, .. }
                    if define_typedef_arg(value).is_some_and(|t| {
                        // <stddef.h>'s `size_t` is the schema's own (the ABI's word).
                        t != "size_t"
                            && !typedef_names.contains(&t)
                            && !other_scalar_typedef(&state.other_typedefs, &t)
                    }) =>
                {
                    let t = define_typedef_arg(value).unwrap_or_default();
                    lost.push(name.clone());
                    *item = Item::NotImported {
                        what: format!("#define {name}"),
                        why: format!(
                            "its argument type `{t}` is neither a struct nor a type the schema \
                             knows (a typedef of this header's)"
                        ),
                    };
                }
                Item::Define { name, value, .. }
                    if define_struct(value).is_some_and(|s| {
                        !structs.contains(&s)
                            && !later_structs.contains(&s)
                            && !adopt_struct(
                                &s,
                                &state.other_structs,
                                &mut structs,
                                &mut extern_structs,
                                0,
                            )
                    }) =>
                {
                    let s = define_struct(value).unwrap_or_default();
                    lost.push(name.clone());
                    *item = Item::NotImported {
                        what: format!("#define {name}"),
                        why: format!(
                            "its argument type is `struct {s}`, which is not a struct this header \
                         defines above it; add it by hand"
                        ),
                    };
                }
                Item::Define { name, value, .. } => {
                    let names = match define_names(value, &macros, &typedef_names) {
                        Ok(n) => n,
                        Err(why) => {
                            let text = expr_text(value).unwrap_or_default();
                            let unreadable = called(&text).into_iter().find_map(|m| {
                                let why = state.unreadable_macros.get(m)?;
                                (!macros.contains_key(m)).then(|| {
                                    format!("it calls `{m}`, which is not imported: {why}")
                                })
                            });
                            lost.push(name.clone());
                            *item = Item::NotImported {
                                what: format!("#define {name}"),
                                why: match unreadable {
                                    Some(u) => format!("{u}; add it by hand"),
                                    None => format!(
                                        "{why} (a function-like macro of another header, or one \
                                         whose body is not an integer expression); add it by hand"
                                    ),
                                },
                            };
                            continue;
                        }
                    };
                    // A cast to what is no type of the schema (a function pointer's typedef,
                    // the kernel's internal `u64`) is no integer constant the schema writes.
                    if let Some(t) = cast_types(value, &macros, &typedef_names)
                        .into_iter()
                        .find(|t| !typedef_names.contains(t))
                    {
                        lost.push(name.clone());
                        *item = Item::NotImported {
                            what: format!("#define {name}"),
                            why: format!(
                                "it casts to `{t}`, which is no type the schema has (a scalar of \
                                 the kernel's, or a typedef of an integer this header defines \
                                 above it); add it by hand"
                            ),
                        };
                        continue;
                    }
                    // `sizeof(NAME)` of what is neither a type nor a constant of the schema's
                    // above it (socket.h's `sizeof(time_t)`, the C library's type).
                    if let Some(t) = sizeof_names(value).into_iter().find(|t| {
                        Scalar::from_c_name(t).is_none()
                            && !typedef_names.contains(t)
                            && !copied_scalar_typedef(&state.other_typedefs, t)
                            && !type_defines.contains(t)
                            && !strings.contains(t)
                            && !known.contains(t)
                    }) {
                        wanted.extend(assumed_header(&t).filter(|h| !assumes.contains(h)));
                        lost.push(name.clone());
                        *item = Item::NotImported {
                            what: format!("#define {name}"),
                            why: format!(
                                "it takes `sizeof({t})`, and `{t}` is no type the schema has nor \
                                 a constant this header defines above it (a type of the C \
                                 library's); add it by hand"
                            ),
                        };
                        continue;
                    }
                    // `sizeof(struct TAG)` of another header's struct (linux/sockios.h's
                    // `struct timeval`, the C library's): copied as a member's would be.
                    for t in sizeof_tags(value) {
                        if !structs.contains(&t) && !later_structs.contains(&t) {
                            adopt_struct(
                                &t,
                                &state.other_structs,
                                &mut structs,
                                &mut extern_structs,
                                0,
                            );
                        }
                    }
                    if names == [name.as_str()] && value.starts_with("alias = ") {
                        // `#define X X` under an enum's `X`, so that `#ifdef X` sees it: the
                        // enum value's `self_define`.
                        self_defines.push(name.clone());
                    } else if let Some(text) = expr_text(value)
                        .filter(|_| names.contains(name) && enumerators.contains(name) && !per_arch)
                    {
                        redefines.push((name.clone(), text));
                    } else if let Some(n) = names.iter().find(|n| {
                        !known.iter().any(|k| k == *n)
                            && !crate::front::cexpr::is_word_bits(n)
                            && !(later.contains(*n) && *n != name)
                            && !adopt(
                                n,
                                &state.others,
                                &macros,
                                &mut known,
                                &mut externs,
                                &mut |t| {
                                    structs.iter().any(|s| s == t)
                                        || adopt_struct(
                                            t,
                                            &state.other_structs,
                                            &mut structs,
                                            &mut extern_structs,
                                            0,
                                        )
                                },
                                0,
                            )
                            && !adopt_enum(
                                n,
                                &state.other_enums,
                                &mut known,
                                &mut define_enums,
                                *at,
                            )
                    }) {
                        lost.push(name.clone());
                        let why = if string_names.contains(n) {
                            format!(
                                "it uses `{n}`, a string define, as an integer (an expression \
                                 takes a string only through `sizeof`); add it by hand"
                            )
                        } else {
                            format!(
                                "it uses `{n}`, which is not a constant this header defines \
                                 above it (a type, or another header's); add it by hand"
                            )
                        };
                        *item = Item::NotImported {
                            what: format!("#define {name}"),
                            why,
                        };
                    } else {
                        let below: Vec<String> = names
                            .iter()
                            .filter(|n| !known.iter().any(|k| k == *n) && later.contains(*n))
                            .cloned()
                            .collect();
                        if !below.is_empty() {
                            forward.push((name.clone(), below));
                        }
                        known.push(name.clone());
                    }
                }
                _ => {}
            }
        }
        // Each `#define X (X - 1)` is its enum value's `redefine`, no define of its own.
        if !redefines.is_empty() {
            for (_, item) in state.items.iter_mut() {
                if let Item::Enum {
                    values, redefined, ..
                } = item
                {
                    redefined.extend(
                        redefines
                            .iter()
                            .filter(|(n, _)| values.iter().any(|(v, ..)| v == n))
                            .cloned(),
                    );
                }
            }
            state.items.retain(|(_, it)| {
                !matches!(it, Item::Define { name, extern_header: None, .. }
                    if redefines.iter().any(|(n, _)| n == name))
            });
        }
        // Each `#define X X` is its enum value's `self_define`, no define of its own.
        if !self_defines.is_empty() {
            for (_, item) in state.items.iter_mut() {
                if let Item::Enum {
                    values,
                    self_defined,
                    ..
                } = item
                {
                    self_defined.extend(
                        self_defines
                            .iter()
                            .filter(|n| {
                                values.iter().any(|(v, ..)| v == *n) && !self_defined.contains(n)
                            })
                            .cloned()
                            .collect::<Vec<_>>(),
                    );
                }
            }
            let enum_values: HashSet<String> = state
                .items
                .iter()
                .filter_map(|(_, it)| match it {
                    Item::Enum { self_defined, .. } => Some(self_defined.iter().cloned()),
                    _ => None,
                })
                .flatten()
                .collect();
            state.items.retain(|(_, it)| {
                !matches!(it, Item::Define { name, extern_header: None, .. } if enum_values.contains(name))
            });
            // A self-define of no enum value here (another header's) is listed, as before.
            for n in self_defines.iter().filter(|n| !enum_values.contains(*n)) {
                if let Some((_, item)) = state
                    .items
                    .iter_mut()
                    .find(|(_, it)| matches!(it, Item::Define { name, .. } if name == n))
                {
                    lost.push(n.clone());
                    *item = Item::NotImported {
                        what: format!("`#define {n} {n}`"),
                        why: "a name defined as itself (for `#ifdef`), of no enum value of this \
                              header: the schema has no form for it"
                            .to_string(),
                    };
                }
            }
        }
        // A define not imported takes with it every define that named it from above, and
        // those that named them (a queue over the uses: a chain costs its length).
        let mut used_by: HashMap<&str, Vec<&str>> = HashMap::new();
        for (n, below) in &forward {
            for b in below {
                used_by.entry(b.as_str()).or_default().push(n.as_str());
            }
        }
        let mut gone: HashSet<String> = lost.iter().cloned().collect();
        let mut queue: Vec<String> = lost;
        while let Some(g) = queue.pop() {
            for u in used_by.get(g.as_str()).into_iter().flatten() {
                if gone.insert(u.to_string()) {
                    queue.push(u.to_string());
                }
            }
        }
        let before = later.len();
        later.retain(|n| !gone.contains(n));
        rounds += 1;
        // Bounded: after a few rounds, no define may name what is below it.
        if rounds >= 4 {
            later.clear();
        }
        if later.len() == before {
            break;
        }
    }
    // The copies come first (above every use), and the schema includes their headers: the
    // constants, then the macros (which name them where they are called).
    for (k, (mut item, h)) in extern_macros.into_iter().enumerate() {
        if !state.includes.contains(&h) {
            state.includes.push(h.clone());
        }
        if let Item::Macro { extern_header, .. } = &mut item {
            *extern_header = Some(h);
        }
        state.items.insert(k, (0, item));
    }
    insert_extern_defines(&mut state, externs);
    let src = Source::new(header.display().to_string(), source.clone());
    let refuse = |problems: Vec<Problem>| -> Error {
        let mut diags: Vec<(u32, Diagnostic)> = problems
            .into_iter()
            .map(|p| {
                let start = p.offset as usize;
                (
                    p.offset,
                    Diagnostic::at(&src, start..start + p.len.max(1), p.message),
                )
            })
            .collect();
        diags.sort_by_key(|(o, _)| *o);
        diags.dedup_by(|a, b| a.1 == b.1);
        Error::Schema(diags.into_iter().map(|(_, d)| d).collect())
    };
    let mut problems = std::mem::take(&mut state.problems);
    let regions = compat_regions(&source);
    for r in regions.iter().filter(|r| r.other_branch) {
        problems.push(Problem {
            offset: r.start,
            len: 1,
            message: format!(
                "`#if {}` has an `#else` or `#elif`: the schema's `libc_compat` writes an item \
                 inside `#if CONDITION` only",
                r.condition
            ),
        });
    }
    let mut pointers_out: Vec<(String, String)> = Vec::new();
    let mut defined: Vec<String> = extern_structs.iter().map(|(n, ..)| n.clone()).collect();
    let mut seen: HashSet<String> = state
        .items
        .iter()
        .filter_map(|(_, i)| match i {
            Item::Typedef { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    for (_, item) in &state.items {
        match item {
            Item::Struct {
                name,
                fields,
                problems: own,
                ..
            } => {
                problems.extend(own.iter().cloned());
                for f in all_fields(fields) {
                    let mut adopted = |t: &str, defined: &mut Vec<String>| {
                        defined.iter().any(|d| d == t)
                            || adopt_struct(
                                t,
                                &state.other_structs,
                                defined,
                                &mut extern_structs,
                                0,
                            )
                    };
                    // A pointer needs no layout of what it points to: to a tagged struct
                    // that is not one of this header's above (itself, one below, another
                    // header's), C's incomplete type. A typedef's struct has no tag to name.
                    let ty = f.ty.as_deref().unwrap_or("");
                    let tagged_pointer = ty.ends_with('*')
                        && ["struct ", "const struct ", "union ", "const union "]
                            .iter()
                            .any(|p| ty.starts_with(p));
                    if let Some(t) = f.struct_ref.as_deref().filter(|_| tagged_pointer) {
                        if !defined.iter().any(|d| d == t) {
                            pointers_out.push((f.path.clone(), t.to_string()));
                        }
                        continue;
                    }
                    if let Some(t) = f
                        .struct_ref
                        .as_deref()
                        .filter(|t| !adopted(t, &mut defined))
                    {
                        let message = match state.other_structs.get(t) {
                            // Another header's, which its copy cannot be (or one it holds).
                            Some((Item::Struct { problems: p, .. }, h)) => format!(
                                "`{}` has type `{}` of <{h}>, which an `extern` copy \
                                 cannot write: {}",
                                f.path,
                                f.ty.as_deref().unwrap_or(t),
                                p.first().map_or(
                                    "a struct it holds cannot be copied".to_string(),
                                    |p| p.message.clone()
                                )
                            ),
                            _ => format!(
                                "`{}` has type `{}`, which this header does not define above it \
                                 at file scope: the schema's `struct NAME` and `union NAME` are \
                                 of the same schema, defined above",
                                f.path,
                                f.ty.as_deref().unwrap_or(t),
                            ),
                        };
                        problems.push(Problem {
                            offset: f.offset,
                            len: f.name.as_ref().map_or(1, String::len),
                            message,
                        });
                    }
                }
                defined.push(name.clone());
            }
            _ => {}
        }
    }
    fn mark(fields: &mut [Field], paths: &HashSet<String>) {
        for f in fields {
            if paths.contains(&f.path) {
                f.incomplete = true;
                f.struct_ref = None;
            }
            if let Some((_, ms)) = &mut f.inline {
                mark(ms, paths);
            }
        }
    }
    // A struct copied from another header for a member below is above every item: a pointer
    // to it names it.
    let pointers_out: HashSet<String> = pointers_out
        .into_iter()
        .filter(|(_, t)| !extern_structs.iter().any(|(n, ..)| n == t))
        .map(|(path, _)| path)
        .collect();
    if !pointers_out.is_empty() {
        for (_, item) in &mut state.items {
            if let Item::Struct { fields, .. } = item {
                mark(fields, &pointers_out);
            }
        }
    }
    // A copied struct's array length naming a constant of its header (rdma/ib_user_mad.h's
    // `IB_USER_MAD_LONGS_PER_METHOD_MASK`, one per word size) copies that constant too, above
    // it, and so does one of the header's own structs naming another header's (hdlc/ioctl.h's
    // `IFNAMSIZ`): the length keeps its name; without one, it is written as a number
    // (`len_texts`).
    let mut known: Vec<String> = state
        .items
        .iter()
        .filter_map(|(_, i)| match i {
            Item::Define { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    let mut len_externs: Vec<(String, String, String)> = Vec::new();
    let own = state.items.iter().map(|(_, item)| item);
    for item in extern_structs.iter().map(|(_, item, _)| item).chain(own) {
        let Item::Struct { fields, .. } = item else {
            continue;
        };
        for text in all_fields(fields).filter_map(|f| f.len_text.as_deref()) {
            for n in len_names(text) {
                adopt(
                    &n,
                    &state.others,
                    &HashMap::new(),
                    &mut known,
                    &mut len_externs,
                    &mut |_| false,
                    0,
                );
            }
        }
    }
    insert_extern_defines(&mut state, len_externs);
    // Another header's typedefs the members name, copied as `extern` items; and those of a
    // scalar an ioctl's argument names (v4l2-subdev.h's `_IOR('V', 23, v4l2_std_id)`).
    let mut extern_typedefs: Vec<(String, OtherTypedef)> = Vec::new();
    for (_, item) in &state.items {
        let Item::Define { value, .. } = item else {
            continue;
        };
        // ... or a define takes the `sizeof` of (vm_sockets.h's `sizeof(time_t)`, <time.h>'s).
        let named = define_typedef_arg(value)
            .into_iter()
            .chain(sizeof_names(value));
        for t in named {
            if let (Some(other), false) = (state.other_typedefs.get(&t), seen.contains(&t)) {
                if copied_scalar_typedef(&state.other_typedefs, &t) {
                    seen.insert(t.clone());
                    extern_typedefs.push((t.clone(), other.clone()));
                }
            }
        }
    }
    let copied_structs = extern_structs.iter().map(|(_, i, _)| i);
    for item in state.items.iter().map(|(_, i)| i).chain(copied_structs) {
        let Item::Struct { fields, .. } = item else {
            continue;
        };
        for t in all_fields(fields).filter_map(|f| f.typedef_ref.as_ref()) {
            // This header's own, or one copied already, is not copied again.
            if let (Some(other), false) = (state.other_typedefs.get(t), seen.contains(t)) {
                seen.insert(t.clone());
                extern_typedefs.push((t.clone(), other.clone()));
            }
        }
    }
    // A copied typedef of a pointer to another typedef (`__sighandler_t`, `__signalfn_t *`)
    // after a copy of that one.
    let mut k = 0;
    while k < extern_typedefs.len() {
        let to = extern_typedefs[k]
            .1
            .ty
            .strip_suffix('*')
            .map(|b| b.trim().trim_start_matches("const ").to_string());
        if let Some(to) = to {
            if let (Some(other), false) = (state.other_typedefs.get(&to), seen.contains(&to)) {
                seen.insert(to.clone());
                extern_typedefs.insert(k, (to, other.clone()));
                continue;
            }
        }
        k += 1;
    }
    if !problems.is_empty() {
        return Err(refuse(problems));
    }
    // Another header's enums that members name (`enum TAG`, no enum of this header's): copies
    // before the copied structs, which may name them too, located at the first such member.
    let own_enums: HashSet<String> = state
        .items
        .iter()
        .filter_map(|(_, i)| match i {
            Item::Enum { name: Some(n), .. } => Some(n.clone()),
            _ => None,
        })
        .collect();
    let mut extern_enums: Vec<(Item, String, u32)> = Vec::new();
    for (tag, at) in &define_enums {
        if let (false, Some((e, h))) = (own_enums.contains(tag), state.other_enums.get(tag)) {
            extern_enums.push((e.clone(), h.clone(), *at));
        }
    }
    let holders = state
        .items
        .iter()
        .map(|(_, i)| i)
        .chain(extern_structs.iter().map(|(_, i, _)| i));
    for item in holders {
        let Item::Struct { fields, .. } = item else {
            continue;
        };
        for f in all_fields(fields) {
            let Some(tag) = f.ty.as_deref().and_then(|t| t.strip_prefix("enum ")) else {
                continue;
            };
            let copied = extern_enums
                .iter()
                .any(|(i, ..)| matches!(i, Item::Enum { name: Some(n), .. } if n == tag));
            if own_enums.contains(tag) || copied {
                continue;
            }
            if let Some((e, h)) = state.other_enums.get(tag) {
                extern_enums.push((e.clone(), h.clone(), f.offset));
            }
        }
    }
    // The copied structs after the copied constants, each after the structs it holds.
    let copies = state
        .items
        .iter()
        .take_while(|(_, i)| {
            matches!(
                i,
                Item::Define {
                    extern_header: Some(_),
                    ..
                } | Item::Macro {
                    extern_header: Some(_),
                    ..
                }
            )
        })
        .count();
    // A copy's lines are located where the header uses it: what is refused in a copy is
    // the member that holds it.
    let users: Vec<u32> = extern_structs
        .iter()
        .map(|(n, ..)| user_offset(n, &state.items, &extern_structs, 8))
        .collect();
    let enums = extern_enums.len();
    for (k, (mut item, h, user)) in extern_enums.into_iter().enumerate() {
        if !state.includes.contains(&h) {
            state.includes.push(h.clone());
        }
        if let Item::Enum {
            extern_header,
            values,
            ..
        } = &mut item
        {
            *extern_header = Some(h);
            for v in values.iter_mut() {
                v.2 = user;
            }
        }
        state.items.insert(copies + k, (0, item));
    }
    let copies = copies + enums;
    for (k, (_, mut item, h)) in extern_structs.into_iter().enumerate() {
        if !state.includes.contains(&h) {
            state.includes.push(h.clone());
        }
        if let Item::Struct {
            extern_header,
            start,
            end,
            fields,
            ..
        } = &mut item
        {
            *extern_header = Some(h);
            (*start, *end) = (0, 0);
            set_offsets(fields, users[k]);
        }
        state.items.insert(copies + k, (0, item));
    }
    // A typedef of a scalar before the copied structs, which may hold it; of a struct, right
    // after that struct, as another copied struct may hold it too (linux/cciss_defs.h's
    // `SCSI3Addr_struct`, held by `_PhysDevAddr_struct`).
    let after = copies
        + state.items[copies..]
            .iter()
            .take_while(|(o, _)| *o == 0)
            .count();
    let (mut before, mut behind) = (copies, after);
    for (
        name,
        OtherTypedef {
            ty,
            bitwise,
            aligned,
            header: h,
        },
    ) in extern_typedefs
    {
        if !state.includes.contains(&h) {
            state.includes.push(h.clone());
        }
        let names_struct = ty.starts_with("struct ") || ty.starts_with("union ");
        let tag = ty.split_once(' ').map_or("", |(_, t)| t).to_string();
        let item = Item::Typedef {
            name,
            ty,
            bitwise,
            aligned,
            extern_header: Some(h),
        };
        if names_struct {
            let at = state.items[copies..behind]
                .iter()
                .position(|(_, i)| matches!(i, Item::Struct { name, .. } if *name == tag))
                .map_or(behind, |p| copies + p + 1);
            state.items.insert(at, (0, item));
        } else {
            state.items.insert(before, (0, item));
            before += 1;
        }
        behind += 1;
    }
    let offsets: BTreeMap<String, u32> = state
        .items
        .iter()
        .filter_map(|(o, it)| match it {
            Item::Struct { name, .. } => Some((name.clone(), *o)),
            _ => None,
        })
        .collect();
    // What a program includes first, the header does not include.
    state.includes.retain(|h| !assumes.contains(&h.as_str()));
    let (skeleton, spans) = render(
        family,
        header,
        &source,
        state.items,
        &state.includes,
        &state.include_at,
        &regions,
        assumes,
    );
    let skeleton = verify(
        &skeleton,
        &spans,
        &offsets,
        family,
        header,
        &stub,
        &dirs[1..],
        &source,
        &refuse,
        assumes,
    )?;
    drop(types);
    Ok(skeleton)
}
