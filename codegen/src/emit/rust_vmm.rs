//! The `rust-vmm` profile: a crate per family whose public API is the one bindgen gives the
//! rust-vmm crates (`iommufd-bindings`: `iommufd_bindings::iommufd::iommu_ioas_alloc`, `__u32`
//! aliases, `<enum>_<VALUE>` constants, `__bindgen_anon_N` unions), so a VMM swaps the bindgen
//! crate for this one with `[patch.crates-io]` and changes nothing. How each published crate
//! differs from outside (version, module path, features, FAM wrappers: `vfio-bindings`'
//! `vfio_bindings::bindings::vfio` and `IrqSet`) is data, [`PUBLISHED`]. What uapigen adds is items
//! no bindgen user can name, so it never clashes with that API: layout asserts on every target
//! it lays out for, kernel-doc on constants, the `uapigen` module (`revisions`), and behind
//! cargo features off by default (the crate then has no dependency, as bindgen's has none)
//! zerocopy's derives (`zerocopy`) and the kernel's validators (`validate`).
//!
//! Plain text, not `rust_syntax`: the output is `#[rustfmt::skip]`'d and only has to compile.

mod revisions;
mod validate;

use std::fmt::Write as _;

use crate::emit::rust::{ZEROCOPY_ALL, ZEROCOPY_READ};
use crate::ir::{
    Aggregate, ConstGroup, EnumDecl, Expr, Field, FieldType, GroupId, ItemRef, Pointee, Scalar,
    StructId, Style,
};
use crate::model::layout::TARGETS;
use crate::Model;

/// The published bindgen crate a family's crate stands in for, as its dependents see it from
/// outside: the version they ask for, where its items sit, its features, its FAM wrappers.
/// Data, one row per family, so the emitter has no family's name in its code.
#[derive(Debug, Clone, Copy)]
pub struct Published {
    /// The schema family.
    pub family: &'static str,
    /// The version `[patch.crates-io]` must meet: dependents pin it (`vfio-ioctls` asks for
    /// `=0.7.0`, `iommufd-ioctls` for `0.2.0`).
    pub version: &'static str,
    /// The public module bindgen's module sits in, if not the root (`vfio_bindings::bindings`).
    pub parent: Option<&'static str>,
    /// The items are re-exported at the crate root too (`iommufd_bindings::iommu_ioas_alloc`).
    pub at_root: bool,
    /// Features the published crate declares with no code behind them, declared alike so a
    /// dependent that turns one on still resolves.
    pub empty_features: &'static [&'static str],
    /// vmm-sys-util `FamStructWrapper`s behind feature `fam-wrappers`.
    pub fam: &'static [Fam],
}

/// A `generate_fam_struct_impl!` and the wrapper type over it, as the published crate has them.
#[derive(Debug, Clone, Copy)]
pub struct Fam {
    /// The struct, ending in a flexible array member.
    pub struct_: &'static str,
    /// The entry type the wrapper hands out (bindgen's name or a Rust primitive).
    pub entry: &'static str,
    /// The flexible array member.
    pub array: &'static str,
    /// The member holding the number of entries.
    pub len: &'static str,
    /// Its Rust type.
    pub len_type: &'static str,
    /// The most entries the wrapper allocates.
    pub max: usize,
    /// The `FamStructWrapper<struct_>` alias.
    pub wrapper: &'static str,
    /// What the published wrapper means that the kernel does not, said in the crate's docs.
    pub caveat: &'static str,
}

/// The rust-vmm crates uapigen's are drop-ins for (codegen/tests/rust_vmm.rs builds each
/// one's dependent against it): `iommufd-bindings` 0.2.0 for `iommufd-ioctls` 0.4.0,
/// `vfio-bindings` 0.7.0 for `vfio-ioctls` 0.10.0.
pub const PUBLISHED: &[Published] = &[
    Published {
        family: "iommufd",
        version: "0.2.0",
        parent: None,
        at_root: true,
        empty_features: &[],
        fam: &[],
    },
    Published {
        family: "vfio",
        version: "0.7.0",
        parent: Some("bindings"),
        at_root: false,
        // Left from the crate's per-kernel modules; nothing reads it any more.
        empty_features: &["vfio-v5_0_0"],
        fam: &[Fam {
            struct_: "vfio_irq_set",
            entry: "u8",
            array: "data",
            len: "count",
            len_type: "u32",
            // MSIX_MAX_VECTORS: PCI's limit on MSI-X vectors.
            max: 2048,
            wrapper: "IrqSet",
            caveat: "its length is `count`, so `IrqSet::new(n)` sets `count` to the number of \
                     `data` bytes, where the kernel reads `count` as the number of interrupts \
                     (`data` holds `count` eventfds or booleans): set `count` after filling it",
        }],
    },
];

/// A family without a published crate: the iommufd crate's shape, at the version iommufd's
/// had when the profile began.
const UNPUBLISHED: Published = Published {
    family: "",
    version: "0.2.0",
    parent: None,
    at_root: true,
    empty_features: &[],
    fam: &[],
};

/// The published crate family `m` stands in for.
pub fn published(m: &Model) -> Published {
    published_of(&m.family.name)
}

/// The published crate of the family named `family`.
pub fn published_of(family: &str) -> Published {
    PUBLISHED
        .iter()
        .find(|p| p.family == family)
        .copied()
        .unwrap_or(UNPUBLISHED)
}

/// The crate's package name: the rust-vmm convention, `<family>-bindings`.
pub fn crate_name(m: &Model) -> String {
    format!("{}-bindings", m.family.name)
}

/// Where the family's bindgen module is, from its crate's `src/`: `iommufd.rs`,
/// `bindings/vfio.rs`.
pub fn module_file(family: &str) -> String {
    match published_of(family).parent {
        Some(parent) => format!("{parent}/{family}.rs"),
        None => format!("{family}.rs"),
    }
}

/// `Cargo.toml`. No dependencies by default: bindgen's crates have none, and a VMM's lock file
/// should not grow by swapping them (cargo locks a dependency's optional dependencies only
/// when a feature turns them on). `uaccess` is the path of `uapigen-uaccess` from the crate.
pub fn manifest(m: &Model, uaccess: &str) -> String {
    let p = published(m);
    let (mut feature, mut dependency) = if m.validated() {
        (
            "validate = [\"dep:uapigen-uaccess\"]\n".to_string(),
            format!(
                "uapigen-uaccess = {{ path = {}, optional = true }}\n",
                super::toml_string(uaccess)
            ),
        )
    } else {
        (String::new(), String::new())
    };
    if !p.fam.is_empty() {
        // Not `dep:`: the published crate's spelling, whose implicit `vmm-sys-util` feature
        // a dependent may name.
        feature += "fam-wrappers = [\"vmm-sys-util\"]\n";
        dependency += "vmm-sys-util = { version = \"0.15.0\", optional = true }\n";
    }
    for f in p.empty_features {
        feature += &format!("{f} = []\n");
    }
    format!(
        "# Generated by uapigen from {schema}; do not edit.\n\
         [package]\n\
         name = \"{name}\"\n\
         version = \"{version}\"\n\
         edition = \"2021\"\n\
         description = \"Rust FFI bindings to {family}, generated by uapigen in bindgen's style\"\n\
         license = \"Apache-2.0\"\n\
         \n\
         [lib]\n\
         name = \"{lib}\"\n\
         path = \"src/lib.rs\"\n\
         doctest = false\n\
         \n\
         [features]\n\
         zerocopy = [\"dep:zerocopy\"]\n\
         {feature}\
         \n\
         [dependencies]\n\
         zerocopy = {{ version = \"0.8\", default-features = false, features = [\"derive\"], optional = true }}\n\
         {dependency}",
        schema = m.family.schema_file,
        name = crate_name(m),
        version = p.version,
        family = m.family.name,
        lib = crate_name(m).replace('-', "_"),
    )
}

const ALLOWS: &str = "#[allow(\n    non_camel_case_types,\n    non_upper_case_globals,\n    non_snake_case,\n    dead_code,\n    clippy::all,\n    rustdoc::all\n)]\n#[rustfmt::skip]\n";

/// `src/lib.rs`, as the published crate's: the module where it has it (re-exported at the root
/// if it is), and its FAM wrappers. A wrapper the schema cannot back (no such struct, or no
/// such members) is an error at the schema, not a crate that fails to build.
pub fn lib(m: &Model) -> Result<String, crate::Error> {
    let p = published(m);
    let name = &m.family.name;
    let mut out = format!(
        "// Generated by uapigen from {}; do not edit.\n",
        m.family.schema_file
    );
    for fam in p.fam {
        fam_check(m, fam)?;
    }
    out.push('\n');
    let wrappers = !p.fam.is_empty();
    match p.parent {
        None => {
            out += &format!("{ALLOWS}pub mod {name};\n");
            if p.at_root {
                out += &format!("\npub use {name}::*;\n");
            }
        }
        Some(parent) => {
            let indented: String = ALLOWS.lines().map(|l| format!("    {l}\n")).collect();
            out += &format!("pub mod {parent} {{\n{indented}    pub mod {name};\n");
            if wrappers {
                out += "\n    #[cfg(feature = \"fam-wrappers\")]\n    pub use super::fam_wrappers::*;\n";
            }
            out += "}\n";
            if p.at_root {
                out += &format!("\npub use {parent}::{name}::*;\n");
            }
        }
    }
    if wrappers {
        let module = match p.parent {
            Some(parent) => format!("crate::{parent}::{name}"),
            None => format!("crate::{name}"),
        };
        out += &format!(
            "\n#[cfg(feature = \"fam-wrappers\")]\nmod fam_wrappers {{\n    use {module}::*;\n    use vmm_sys_util::fam::{{FamStruct, FamStructWrapper}};\n"
        );
        for f in p.fam {
            out += &format!(
                "\n    vmm_sys_util::generate_fam_struct_impl!({}, {}, {}, {}, {}, {});\n\n    /// `{0}` behind vmm-sys-util's `FamStructWrapper`; {}.\n    pub type {} = FamStructWrapper<{0}>;\n",
                f.struct_, f.entry, f.array, f.len_type, f.len, f.max, f.caveat, f.wrapper
            );
        }
        out += "}\n";
    }
    Ok(out)
}

/// The schema has the struct of `fam`, ending in its flexible array, with its length member.
fn fam_check(m: &Model, fam: &Fam) -> Result<(), crate::Error> {
    let f = &m.family;
    let fail = |span: std::ops::Range<usize>, why: String| {
        Err(crate::Error::Schema(vec![crate::diag::Diagnostic::at(
            &f.source,
            span,
            format!(
                "the published {} has FAM wrapper `{}` over `{}`, which {why}",
                crate_name(m),
                fam.wrapper,
                fam.struct_
            ),
        )]))
    };
    let Some(s) = f.structs.iter().find(|s| s.name == fam.struct_) else {
        return fail(0..0, "the schema does not define".into());
    };
    let member = |n: &str| s.fields.iter().find(|x| x.name.as_deref() == Some(n));
    let flexible = member(fam.array).is_some_and(|x| x.flexible.is_some());
    if !flexible {
        return fail(
            s.name_span.clone(),
            format!("needs a flexible array member `{}`", fam.array),
        );
    }
    let integer =
        member(fam.len).is_some_and(|x| matches!(x.ty, FieldType::Scalar(_)) && x.len.is_none());
    if !integer {
        return fail(
            s.name_span.clone(),
            format!("needs an integer member `{}`", fam.len),
        );
    }
    Ok(())
}

// What `linux/types.h` declares on the way (asm-generic/int-ll64.h, posix_types.h, types.h):
// bindgen copies it into every crate, so code may name it through this one. `c_long` keeps
// the target's own width where the kernel's `long` has one.
const TYPES_H: &str = r#"pub const __BITS_PER_LONG: u32 = (::std::mem::size_of::<::std::os::raw::c_long>() * 8) as u32;
pub const __BITS_PER_LONG_LONG: u32 = 64;
pub const __FD_SETSIZE: u32 = 1024;
pub type __s8 = ::std::os::raw::c_schar;
pub type __u8 = ::std::os::raw::c_uchar;
pub type __s16 = ::std::os::raw::c_short;
pub type __u16 = ::std::os::raw::c_ushort;
pub type __s32 = ::std::os::raw::c_int;
pub type __u32 = ::std::os::raw::c_uint;
pub type __s64 = ::std::os::raw::c_longlong;
pub type __u64 = ::std::os::raw::c_ulonglong;
#[repr(C)]
#[derive(Debug, Default, Copy, Clone, PartialEq)]
#[cfg_attr(feature = "zerocopy", derive(::zerocopy::FromBytes, ::zerocopy::IntoBytes, ::zerocopy::KnownLayout, ::zerocopy::Immutable))]
pub struct __kernel_fd_set {
    pub fds_bits: [::std::os::raw::c_ulong; 1024 / (8 * ::std::mem::size_of::<::std::os::raw::c_ulong>())],
}
pub type __kernel_sighandler_t = ::std::option::Option<unsafe extern "C" fn(arg1: ::std::os::raw::c_int)>;
pub type __kernel_key_t = ::std::os::raw::c_int;
pub type __kernel_mqd_t = ::std::os::raw::c_int;
pub type __kernel_old_uid_t = ::std::os::raw::c_ushort;
pub type __kernel_old_gid_t = ::std::os::raw::c_ushort;
pub type __kernel_old_dev_t = ::std::os::raw::c_ulong;
pub type __kernel_long_t = ::std::os::raw::c_long;
pub type __kernel_ulong_t = ::std::os::raw::c_ulong;
pub type __kernel_ino_t = __kernel_ulong_t;
pub type __kernel_mode_t = ::std::os::raw::c_uint;
pub type __kernel_pid_t = ::std::os::raw::c_int;
pub type __kernel_ipc_pid_t = ::std::os::raw::c_int;
pub type __kernel_uid_t = ::std::os::raw::c_uint;
pub type __kernel_gid_t = ::std::os::raw::c_uint;
pub type __kernel_suseconds_t = __kernel_long_t;
pub type __kernel_daddr_t = ::std::os::raw::c_int;
pub type __kernel_uid32_t = ::std::os::raw::c_uint;
pub type __kernel_gid32_t = ::std::os::raw::c_uint;
pub type __kernel_size_t = __kernel_ulong_t;
pub type __kernel_ssize_t = __kernel_long_t;
pub type __kernel_ptrdiff_t = __kernel_long_t;
#[repr(C)]
#[derive(Debug, Default, Copy, Clone, PartialEq)]
#[cfg_attr(feature = "zerocopy", derive(::zerocopy::FromBytes, ::zerocopy::IntoBytes, ::zerocopy::KnownLayout, ::zerocopy::Immutable))]
pub struct __kernel_fsid_t {
    pub val: [::std::os::raw::c_int; 2usize],
}
pub type __kernel_off_t = __kernel_long_t;
pub type __kernel_loff_t = ::std::os::raw::c_longlong;
pub type __kernel_uoff_t = ::std::os::raw::c_ulonglong;
pub type __kernel_old_time_t = __kernel_long_t;
pub type __kernel_time_t = __kernel_long_t;
pub type __kernel_time64_t = ::std::os::raw::c_longlong;
pub type __kernel_clock_t = __kernel_long_t;
pub type __kernel_timer_t = ::std::os::raw::c_int;
pub type __kernel_clockid_t = ::std::os::raw::c_int;
pub type __kernel_caddr_t = *mut ::std::os::raw::c_char;
pub type __kernel_uid16_t = ::std::os::raw::c_ushort;
pub type __kernel_gid16_t = ::std::os::raw::c_ushort;
pub type __s128 = i128;
pub type __u128 = u128;
pub type __le16 = __u16;
pub type __be16 = __u16;
pub type __le32 = __u32;
pub type __be32 = __u32;
pub type __le64 = __u64;
pub type __be64 = __u64;
pub type __sum16 = __u16;
pub type __wsum = __u32;
pub type __poll_t = ::std::os::raw::c_uint;
"#;

/// Whether one of `fields` is of a type ending in a flexible array member, at any depth.
fn ends_flexible(m: &Model, fields: &[Field]) -> bool {
    fields.iter().any(|f| match &f.ty {
        FieldType::Struct(id) => {
            let inner = &m.family.structs[id.0].fields;
            inner.last().is_some_and(|l| l.flexible.is_some()) || ends_flexible(m, inner)
        }
        FieldType::Inline(_, ms) => {
            ms.last().is_some_and(|l| l.flexible.is_some()) || ends_flexible(m, ms)
        }
        _ => false,
    })
}

/// Whether `fields` hold a pointer, at any depth.
fn holds_pointer(m: &Model, fields: &[Field]) -> bool {
    fields.iter().any(|f| match &f.ty {
        FieldType::Pointer(_) => true,
        FieldType::Inline(_, ms) => holds_pointer(m, ms),
        FieldType::Struct(id) => holds_pointer(m, &m.family.structs[id.0].fields),
        FieldType::Scalar(_) => false,
    })
}

/// A value per target as a `cfg!` chain, one test per value of the targets that have it
/// (`layout::targets_by`), the value most targets have the `else` (as the default profile's
/// `per_target`); a literal when all agree.
pub(super) fn per_target(value: impl Fn(&'static crate::layout::Target) -> i128) -> String {
    let mut groups = crate::layout::targets_by(value);
    groups.sort_by_key(|(v, _)| *v);
    let Some(common) = groups
        .iter()
        .max_by_key(|(v, arches)| (arches.len(), std::cmp::Reverse(*v)))
        .map(|(v, _)| *v)
    else {
        return "0".to_string();
    };
    if groups.len() == 1 {
        return common.to_string();
    }
    let mut text = format!("{{ {common} }}");
    for (v, arches) in groups.iter().rev().filter(|(v, _)| *v != common) {
        text = format!("if cfg!({}) {{ {v} }} else {text}", arches_pred(arches));
    }
    text
}

/// `#[cfg(target_arch = "x86")]`, or `#[cfg(any(...))]` of several targets.
fn cfg_attr(arches: &[&str]) -> String {
    format!("#[cfg({})]", arches_pred(arches))
}

/// `target_arch = "x86_64"`, or `any(...)` of several: the predicate of `cfg_attr`.
fn arches_pred(arches: &[&str]) -> String {
    let each: Vec<String> = arches
        .iter()
        .map(|a| format!("target_arch = \"{a}\""))
        .collect();
    match each.as_slice() {
        [one] => one.clone(),
        _ => format!("any({})", each.join(", ")),
    }
}

/// `TYPES_H` with each architecture's own types (`__kernel_mode_t` ...) per `target_arch`:
/// bindgen's x86-64 line where x86-64's type is the target's, and the type the target's
/// <asm/posix_types.h> gives elsewhere (`Scalar::arch_layout`), so that a struct holding one
/// is laid out on i686 and arm as the kernel's.
fn types_h() -> String {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        let mut text = TYPES_H.to_string();
        for sc in Scalar::ALL.into_iter().filter(|s| s.is_arch()) {
            let name = sc.c_name();
            let prefix = format!("pub type {name} = ");
            let Some(at) = text.find(&prefix) else {
                continue;
            };
            let end = at + text[at..].find('\n').unwrap_or(0) + 1;
            let x86_64 = sc.arch_layout("x86_64");
            let mut block = String::new();
            for (k, arches) in crate::layout::targets_by(|t| sc.arch_layout(t.rust_arch)) {
                block.push_str(&cfg_attr(&arches));
                block.push('\n');
                if k == x86_64 {
                    block.push_str(&text[at..end]);
                } else {
                    let ty = match k {
                        (2, _) => "c_ushort",
                        (4, true) => "c_int",
                        (4, false) => "c_uint",
                        _ => "c_ulong",
                    };
                    block.push_str(&format!("{prefix}::std::os::raw::{ty};\n"));
                }
            }
            text.replace_range(at..end, &block);
        }
        text
    })
    .clone()
}

// asm-generic/ioctl.h's numbers, which bindgen copies from `linux/ioctl.h`.
const IOCTL_H: &str = r#"pub const _IOC_NRBITS: u32 = 8;
pub const _IOC_TYPEBITS: u32 = 8;
pub const _IOC_SIZEBITS: u32 = 14;
pub const _IOC_DIRBITS: u32 = 2;
pub const _IOC_NRMASK: u32 = 255;
pub const _IOC_TYPEMASK: u32 = 255;
pub const _IOC_SIZEMASK: u32 = 16383;
pub const _IOC_DIRMASK: u32 = 3;
pub const _IOC_NRSHIFT: u32 = 0;
pub const _IOC_TYPESHIFT: u32 = 8;
pub const _IOC_SIZESHIFT: u32 = 16;
pub const _IOC_DIRSHIFT: u32 = 30;
pub const _IOC_NONE: u32 = 0;
pub const _IOC_WRITE: u32 = 1;
pub const _IOC_READ: u32 = 2;
pub const IOC_IN: u32 = 1073741824;
pub const IOC_OUT: u32 = 2147483648;
pub const IOC_INOUT: u32 = 3221225472;
pub const IOCSIZE_MASK: u32 = 1073676288;
pub const IOCSIZE_SHIFT: u32 = 16;
"#;

// bindgen's type for a flexible array member, as it writes it into every crate that has one,
// plus `Copy` and `Clone`: a copy is of the zero bytes `sizeof` counts, which is what the
// validators (`Plain`) copy, and it keeps the header struct `Copy` as the default profile's.
// `repr(transparent)` where bindgen writes `repr(C)`: the same layout (`[T; 0]`'s), and the
// one zerocopy derives `IntoBytes` for without asking `T: Unaligned` (a struct element).
const INCOMPLETE_ARRAY_FIELD: &str = r#"#[repr(transparent)]
#[derive(Default)]
#[cfg_attr(feature = "zerocopy", derive(::zerocopy::FromBytes, ::zerocopy::IntoBytes, ::zerocopy::KnownLayout, ::zerocopy::Immutable))]
pub struct __IncompleteArrayField<T>(::std::marker::PhantomData<T>, [T; 0]);
impl<T> __IncompleteArrayField<T> {
    #[inline]
    pub const fn new() -> Self {
        __IncompleteArrayField(::std::marker::PhantomData, [])
    }
    #[inline]
    pub fn as_ptr(&self) -> *const T {
        self as *const _ as *const T
    }
    #[inline]
    pub fn as_mut_ptr(&mut self) -> *mut T {
        self as *mut _ as *mut T
    }
    #[inline]
    pub unsafe fn as_slice(&self, len: usize) -> &[T] {
        ::std::slice::from_raw_parts(self.as_ptr(), len)
    }
    #[inline]
    pub unsafe fn as_mut_slice(&mut self, len: usize) -> &mut [T] {
        ::std::slice::from_raw_parts_mut(self.as_mut_ptr(), len)
    }
}
impl<T> ::std::fmt::Debug for __IncompleteArrayField<T> {
    fn fmt(&self, fmt: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        fmt.write_str("__IncompleteArrayField")
    }
}
impl<T: Copy> Clone for __IncompleteArrayField<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Copy> Copy for __IncompleteArrayField<T> {}
"#;

// bindgen's storage of a run of bitfields, with its API (`new`, `get_bit`, `set_bit`, `get`,
// `set`: C's allocation order, from each byte's most significant bit on a big-endian target),
// as it writes it into every crate that has a bitfield. `repr(transparent)` where bindgen
// writes `repr(C)`: the same layout, and one zerocopy derives for a generic type.
pub const BITFIELD_UNIT: &str = r#"#[repr(transparent)]
#[derive(Copy, Clone, Debug, Default, Eq, Hash, Ord, PartialEq, PartialOrd)]
#[cfg_attr(feature = "zerocopy", derive(::zerocopy::FromBytes, ::zerocopy::IntoBytes, ::zerocopy::KnownLayout, ::zerocopy::Immutable))]
pub struct __BindgenBitfieldUnit<Storage> {
    storage: Storage,
}
impl<Storage> __BindgenBitfieldUnit<Storage> {
    #[inline]
    pub const fn new(storage: Storage) -> Self {
        Self { storage }
    }
}
impl<Storage> __BindgenBitfieldUnit<Storage>
where
    Storage: AsRef<[u8]> + AsMut<[u8]>,
{
    #[inline]
    pub fn get_bit(&self, index: usize) -> bool {
        let byte = self.storage.as_ref()[index / 8];
        let bit = if cfg!(target_endian = "big") { 7 - (index % 8) } else { index % 8 };
        byte & (1 << bit) != 0
    }
    #[inline]
    pub fn set_bit(&mut self, index: usize, val: bool) {
        let byte = &mut self.storage.as_mut()[index / 8];
        let bit = if cfg!(target_endian = "big") { 7 - (index % 8) } else { index % 8 };
        if val {
            *byte |= 1 << bit;
        } else {
            *byte &= !(1 << bit);
        }
    }
    #[inline]
    pub fn get(&self, bit_offset: usize, bit_width: u8) -> u64 {
        let mut val = 0;
        for i in 0..(bit_width as usize) {
            if self.get_bit(i + bit_offset) {
                let index = if cfg!(target_endian = "big") { bit_width as usize - 1 - i } else { i };
                val |= 1 << index;
            }
        }
        val
    }
    #[inline]
    pub fn set(&mut self, bit_offset: usize, bit_width: u8, val: u64) {
        for i in 0..(bit_width as usize) {
            let index = if cfg!(target_endian = "big") { bit_width as usize - 1 - i } else { i };
            self.set_bit(i + bit_offset, (val >> index) & 1 == 1);
        }
    }
}
"#;

/// `src/<family>.rs`.
pub fn module(m: &Model) -> String {
    let f = &m.family;
    let mut out = format!(
        "// Generated by uapigen from {}; do not edit.\n// The API of bindgen's bindings of <{}>, at {}.\n\n",
        f.schema_file,
        f.header,
        m.latest()
            .revision()
            .map_or(String::from("its only revision"), |r| r.label.clone())
    );
    if f.includes.iter().any(|i| i == "linux/ioctl.h") {
        out.push_str(IOCTL_H);
    }
    // Every uAPI header includes linux/types.h; the aliases are what the structs are made of.
    out.push_str(&types_h());
    // <linux/socket.h>'s, which the header includes for a member of it.
    if f.includes.iter().any(|i| i == "linux/socket.h")
        || f.any_field(&|x| matches!(x.ty, FieldType::Scalar(Scalar::KernelSaFamily)))
    {
        out.push_str("pub type __kernel_sa_family_t = ::std::os::raw::c_ushort;\n");
    }
    if f.structs
        .iter()
        .any(|s| s.fields.iter().any(|x| x.flexible.is_some()))
    {
        out.push_str(INCOMPLETE_ARRAY_FIELD);
    }
    if f.any_field(&|x| x.bits.is_some()) {
        out.push_str(BITFIELD_UNIT);
    }
    let mut e = Emit {
        m,
        out,
        anon_enums: 0,
    };
    for item in &f.items {
        e.item(*item);
    }
    e.out.push_str(&uapigen_module(m));
    e.out
}

/// `pub mod uapigen`: what uapigen adds beyond bindgen's items, under one name bindgen never
/// gives an item.
fn uapigen_module(m: &Model) -> String {
    format!(
        "/// What uapigen adds to bindgen's API: the schema's revisions, and (feature `validate`)\n\
         /// the kernel's validators, which attach to the types as inherent items.\n\
         pub mod uapigen {{\n{}{}}}\n",
        revisions::module(m),
        validate::module(m)
    )
}

struct Emit<'a> {
    m: &'a Model,
    out: String,
    /// bindgen numbers the anonymous enums of a header: `_bindgen_ty_1`, ...
    anon_enums: usize,
}

/// The items the header defines inside `fields`, in order.
fn before(fields: &[Field], out: &mut Vec<ItemRef>) {
    for f in fields {
        out.extend(f.before.iter().copied());
        if let FieldType::Inline(_, ms) = &f.ty {
            before(ms, out);
        }
    }
}

/// bindgen's name for a member whose C name is a Rust keyword: `type` → `type_`.
fn field_name(c: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn",
        "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
        "return", "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe",
        "use", "where", "while", "async", "await", "dyn", "abstract", "become", "box", "do",
        "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
        "gen",
    ];
    if KEYWORDS.contains(&c) {
        format!("{c}_")
    } else {
        c.to_string()
    }
}

/// A define's Rust type, as bindgen infers it from the value.
fn define_type(value: u64, expr: &Expr) -> (&'static str, String) {
    match expr {
        Expr::Char(c) => ("u8", format!("{}u8", *c as u32)),
        // bindgen evaluates a macro in 64-bit arithmetic (the cexpr crate), not in C's types:
        // `(1 << 31)` is 2147483648 to it, where C's `int` wraps to INT_MIN. An expression
        // with no minus and no complement is never negative in that arithmetic, so C's
        // negative 32-bit value of one is the wrap of bindgen's.
        // Over ioctl numbers, which powerpc encodes its own way (linux/sockios.h's
        // `SIOCGSTAMP`): each target's, as bindgen run on each target reads it.
        e @ Expr::C {
            powerpc: Some(_), ..
        } => {
            let on = |t: &'static crate::layout::Target| e.c_value_on(t).unwrap_or(0);
            let widest = crate::layout::TARGETS.iter().map(on).max().unwrap_or(0);
            (crate::emit::rust::int_type_of(widest), per_target(on))
        }
        // Through <asm/byteorder.h>'s conversions: each byte order's own, as bindgen run on
        // each target reads it.
        Expr::C {
            value,
            big_endian: Some(big),
            ..
        } => (
            crate::emit::rust::int_type_of((*value).max(*big)),
            format!("if cfg!(target_endian = \"big\") {{ {big} }} else {{ {value} }}"),
        ),
        // A value of the ABI's word (`(-1ul)`): the target's own, as C's.
        Expr::C {
            value,
            ilp32: Some(small),
            types,
            ..
        } => {
            let wide = matches!(
                types[1],
                crate::front::cexpr::CType::LongLong | crate::front::cexpr::CType::ULongLong
            );
            let int = matches!(
                types[1],
                crate::front::cexpr::CType::Int | crate::front::cexpr::CType::UInt
            );
            let ty = match (wide, types[1].signed()) {
                // bindgen's type of a macro's value (`_NSIG_WORDS`, an `int`).
                _ if int && *value >= 0 && *small >= 0 => "u32",
                _ if int => "i32",
                (true, true) => "i64",
                (true, false) => "u64",
                (false, true) => "::std::os::raw::c_long",
                (false, false) => "::std::os::raw::c_ulong",
            };
            // A size of the data model's: each model's value.
            if crate::emit::rust::is_word_cut(*value, *small) && !wide && !int {
                (ty, crate::emit::rust::word_value(*value, ty))
            } else {
                (
                    ty,
                    format!(
                        "if cfg!(target_pointer_width = \"32\") {{ {small} }} else {{ {value} }}"
                    ),
                )
            }
        }
        Expr::C { value, text, .. }
            if (i128::from(i32::MIN)..0).contains(value) && !text.contains(['-', '~']) =>
        {
            let v = value + (1i128 << 32);
            (crate::emit::rust::int_type_of(v), v.to_string())
        }
        Expr::C { value, .. } => (crate::emit::rust::int_type_of(*value), value.to_string()),
        _ if value <= u64::from(u32::MAX) => ("u32", value.to_string()),
        _ => ("u64", value.to_string()),
    }
}

/// The item's kernel-doc as bindgen carries it into `#[doc]`: `struct x - summary`, a line per
/// member, then the free text; or the free text alone. Empty when the schema has neither.
fn doc_attr<'d>(
    kind: &str,
    name: &str,
    summary: Option<&str>,
    members: impl Iterator<Item = (&'d str, &'d str)>,
    doc: Option<&str>,
) -> String {
    let mut text = String::new();
    if let Some(summary) = summary {
        text += &format!(" {kind} {name} - {summary}\n");
        for (m, d) in members {
            text += &format!(" @{m}: {}\n", d.replace('\n', "\n   "));
        }
    }
    if let Some(doc) = doc {
        if !text.is_empty() {
            text.push('\n');
        }
        for line in doc.lines() {
            text += &format!(" {line}\n");
        }
    }
    let text = text.trim_end_matches('\n');
    if text.is_empty() {
        return String::new();
    }
    // `{:?}` of a str is a Rust string literal: quotes, backslashes and controls escaped.
    format!("#[doc = {text:?}]\n")
}

/// A constant's kernel-doc, as bindgen carries a comment on an enumerator or a define into
/// `#[doc]`; empty without one.
fn const_doc(doc: Option<&str>) -> String {
    match doc {
        Some(d) => {
            let lines: Vec<String> = d
                .lines()
                .map(|l| {
                    if l.is_empty() {
                        String::new()
                    } else {
                        format!(" {l}")
                    }
                })
                .collect();
            format!("#[doc = {:?}]\n", lines.join("\n"))
        }
        None => String::new(),
    }
}

/// One generated Rust type for a struct or one of its unions: what bindgen derives for it.
/// A scalar type as bindgen names it.
fn bindgen_scalar(sc: Scalar) -> &'static str {
    match sc {
        // bindgen spells `__aligned_u64` (and its endian kin) as the base type; the alignment
        // goes on the struct.
        Scalar::AlignedU64 => "__u64",
        Scalar::AlignedLe64 => "__le64",
        Scalar::AlignedBe64 => "__be64",
        // <linux/virtio_types.h>'s, which the preamble has not: their base types.
        Scalar::Virtio16 => "__u16",
        Scalar::Virtio32 => "__u32",
        Scalar::Virtio64 => "__u64",
        // C's own types, as bindgen names them.
        Scalar::Char => "::std::os::raw::c_char",
        Scalar::SChar => "::std::os::raw::c_schar",
        Scalar::UChar => "::std::os::raw::c_uchar",
        Scalar::Short => "::std::os::raw::c_short",
        Scalar::UShort => "::std::os::raw::c_ushort",
        Scalar::Int => "::std::os::raw::c_int",
        Scalar::UInt => "::std::os::raw::c_uint",
        Scalar::LongLong => "::std::os::raw::c_longlong",
        Scalar::ULongLong => "::std::os::raw::c_ulonglong",
        Scalar::Long => "::std::os::raw::c_long",
        Scalar::ULong => "::std::os::raw::c_ulong",
        // <stdint.h>'s, as bindgen maps them: Rust's own integers; and `size_t` as `usize`
        // (`size_t_is_usize`, bindgen's default).
        s if s.is_stdint() => s.rust_name(),
        Scalar::SizeT => "usize",
        // bindgen's `f32` and `f64` (linux/acct.h's `ac_etime`, linux/ppp_defs.h's `ratio`).
        Scalar::Float => "f32",
        Scalar::Double => "f64",
        // The kernel's types by their names, which the bindings' preamble defines as bindgen
        // does.
        other => other.c_name(),
    }
}

struct Shape {
    name: String,
    is_union: bool,
    /// (Rust member name, Rust type, C member name for the layout path, the `#[cfg]` of a
    /// padding member some targets have)
    members: Vec<(String, String, Option<String>, Option<String>)>,
    has_union: bool,
    big_array: bool,
    /// A raw pointer member: no `Default` to derive, no zerocopy byte view.
    pointer: bool,
    /// A function pointer at any depth: no `PartialEq` to derive.
    fn_pointer: bool,
    /// Ends in a flexible array member, whose type derives neither `PartialEq` nor `Default`
    /// through `[T; 0]`'s bounds the way an array does.
    flexible: bool,
    /// `#[repr(C, ...)]`'s modifiers, as the main profile's (`layout::rust_repr`): bindgen
    /// writes `packed`, `packed(n)` and `align(n)` alike.
    repr: crate::layout::RustRepr,
    /// Padding-free with integers all the way down (the model's `into_bytes`): zerocopy's
    /// `IntoBytes` too, not only the reading derives.
    into_bytes: bool,
    /// The named bitfields' accessors: (name, type, run number, first bit as Rust computes
    /// it, width, signed).
    /// (name, type, run, bit, width, signed, the `cfg` of a bitfield under `when`).
    bitfields: Vec<(String, String, usize, String, u32, bool, Option<String>)>,
    /// The enums declared as a member's type (`enum { ... } func;`), with the name bindgen
    /// gives each (`<name>__bindgen_ty_N`, a tagged one's `<name>_<tag>`) and its values'
    /// prefix.
    enums: Vec<(GroupId, String, String)>,
    /// Members some targets leave out (`Field::when`), which a `Debug` impl cannot name.
    only_some: Vec<String>,
    /// Packed on these targets only (`Struct::packed_by`): their `#[cfg_attr]` predicate and
    /// the packed repr.
    packed_on: Option<(String, crate::layout::RustRepr)>,
}

impl Emit<'_> {
    fn item(&mut self, item: ItemRef) {
        let f = &self.m.family;
        match item {
            ItemRef::Struct(s) => {
                // What the header defines inside the struct is a global macro to bindgen:
                // emitted ahead of the struct, as the main profile does.
                let mut inside = Vec::new();
                before(&f.structs[s.0].fields, &mut inside);
                for i in inside {
                    self.item(i);
                }
                let start = self.out.len();
                self.structure(s);
                // A struct of some targets (`when`): each of its items under their `cfg`.
                if let Some(w) = &f.structs[s.0].when {
                    let text = self.out.split_off(start);
                    let attr = format!("{}\n", cfg_attr(&w.arches()));
                    self.out
                        .push_str(&crate::emit::each_item_under(&text, 0, &attr));
                }
            }
            ItemRef::Group(g) => self.group(&f.groups[g.0]),
            // bindgen leaves function-like macros out, and a tag's other name.
            ItemRef::Macro(_) | ItemRef::TagAlias(_) => {}
            ItemRef::String(i) => {
                let d = &f.strings[i.0];
                self.out.push_str(&const_doc(d.doc.as_deref()));
                let _ = writeln!(
                    self.out,
                    "{}",
                    crate::emit::rust::string_const(&d.name, d, true)
                );
            }
            ItemRef::Typedef(t) => {
                let t = &f.typedefs[t.0];
                let named = match &t.ty {
                    // `typedef enum TAG NAME;`: the enum's `pub type TAG`.
                    FieldType::Scalar(_) if t.c_enum.is_some() => t
                        .c_enum
                        .as_ref()
                        .map(|(tag, _)| tag.clone())
                        .unwrap_or_default(),
                    FieldType::Scalar(s) => bindgen_scalar(*s).to_string(),
                    FieldType::Struct(s) => f.structs[s.0].name.clone(),
                    // bindgen makes a function's type the (nullable) function pointer, and a
                    // pointer to it that type again: `pub type __sighandler_t = __signalfn_t;`.
                    FieldType::Pointer(p) => self.pointer(p),
                    FieldType::Inline(..) => {
                        unreachable!("resolve gives a typedef a named type")
                    }
                };
                // bindgen's array alias: `pub type dvd_challenge = [__u8; 10usize];`.
                let named = match t.len {
                    Some(n) => format!("[{named}; {n}usize]"),
                    None => named,
                };
                // `typedef struct foo foo;` is the struct's own name to bindgen.
                if named != t.name {
                    let _ = writeln!(self.out, "pub type {} = {named};", t.name);
                }
            }
            // bindgen does not evaluate `_IO(...)`, nor a name defined as one: the bindgen
            // crates have no ioctl numbers.
            ItemRef::Define(d) if f.ioctl_of(&f.defines[d.0].constant).is_some() => {}
            // Nor a cast to a pointer (`SIG_DFL`'s `((__sighandler_t)0)`).
            ItemRef::Define(d) if f.defines[d.0].constant.is_pointer() => {}
            ItemRef::Define(d) => {
                let c = &f.defines[d.0].constant;
                // Under an architecture's `#if` in C (`when`), as bindgen writes each target's.
                if let Some(w) = &c.when {
                    let _ = writeln!(self.out, "{}", cfg_attr(&w.arches()));
                }
                self.define(&c.name, c.value, &c.expr, c.doc.as_deref());
            }
        }
    }

    fn define(&mut self, name: &str, value: u64, expr: &Expr, doc: Option<&str>) {
        // bindgen does not evaluate `_IO(...)`: the bindgen crates have no ioctl numbers.
        if matches!(expr, Expr::Io { .. }) {
            return;
        }
        let (ty, v) = define_type(value, expr);
        self.out.push_str(&const_doc(doc));
        let _ = writeln!(self.out, "pub const {name}: {ty} = {v};");
    }

    fn group(&mut self, g: &ConstGroup) {
        let tag = match (&g.style, g.decl) {
            (Style::Define, _) => {
                for c in &g.values {
                    self.define(&c.name, c.value, &c.expr, c.doc.as_deref());
                }
                return;
            }
            // Written with its struct, which names it (`Emit::structure`).
            (_, EnumDecl::Member) => return,
            // bindgen names an enum without a tag by the typedef that names it.
            (_, EnumDecl::Typedef) => Some(g.name.clone()),
            (Style::Enum { tag }, EnumDecl::Alone) => tag.clone(),
        };
        self.c_enum(g, tag.map(|t| (t.clone(), format!("{t}_"))));
    }

    /// A C enum as bindgen writes it: its values as constants of `pub type NAME = c_uint;`
    /// (`named`: NAME and the constants' prefix), or of `_bindgen_ty_N` with no prefix.
    fn c_enum(&mut self, g: &ConstGroup, named: Option<(String, String)>) {
        let tag = named.as_ref().map(|(t, _)| t.clone());
        let members = g
            .values
            .iter()
            .filter_map(|c| Some((c.name.as_str(), c.doc.as_deref()?)));
        let doc = match &tag {
            Some(t) => doc_attr("enum", t, g.summary.as_deref(), members, g.doc.as_deref()),
            None => doc_attr("", "", None, std::iter::empty(), g.doc.as_deref()),
        };
        // bindgen gives a C enum the integer type clang gives it (C's rule, `EnumRepr`).
        let enum_repr = g.enum_repr();
        let value = |c: &crate::ir::Constant| {
            if enum_repr.signed {
                (c.value as i64).to_string()
            } else {
                c.value.to_string()
            }
        };
        // Past int, C's type is `unsigned long` on LP64 (bindgen's x86-64 `c_ulong`) and
        // `unsigned long long` on ILP32: 64 bits on both, as `c_ulonglong` is.
        let repr = bindgen_scalar(enum_repr.c_scalar());
        let (ty, prefix) = match named {
            Some((tag, prefix)) => (tag, prefix),
            None => {
                self.anon_enums += 1;
                (format!("_bindgen_ty_{}", self.anon_enums), String::new())
            }
        };
        let family = &self.m.family;
        for c in &g.values {
            self.out.push_str(&const_doc(c.doc.as_deref()));
            // A value that is an ioctl number is each target's, as bindgen run there reads
            // it (powerpc's encoding differs): once per value, under its targets' `cfg`.
            let per = if c.may_vary() {
                crate::layout::targets_by(|t| family.value_on(c, t))
            } else {
                Vec::new()
            };
            if per.len() <= 1 {
                let v = value(c);
                let _ = writeln!(self.out, "pub const {prefix}{}: {ty} = {v};", c.name);
                continue;
            }
            for (v, arches) in per {
                let _ = writeln!(
                    self.out,
                    "{}\npub const {prefix}{}: {ty} = {v};",
                    cfg_attr(&arches),
                    c.name
                );
            }
        }
        let _ = writeln!(self.out, "{doc}pub type {ty} = {repr};");
    }

    fn structure(&mut self, s: StructId) {
        let st = &self.m.family.structs[s.0];
        let members = st
            .fields
            .iter()
            .filter_map(|f| Some((f.name.as_deref()?, f.doc.as_deref()?)));
        let doc = doc_attr(
            st.keyword(),
            &st.name,
            st.summary.as_deref(),
            members,
            st.doc.as_deref(),
        );
        // An opaque type (`Struct::rust_opaque`): its bytes, sized and aligned as C's, as
        // bindgen's opaque types are (`_bindgen_opaque_blob`).
        if st.rust_opaque {
            let l = self.m.layouts[0].struct_(s);
            let shape = Shape {
                name: st.name.clone(),
                is_union: false,
                members: vec![(
                    "_bindgen_opaque_blob".to_string(),
                    format!("[u8; {}usize]", l.size),
                    None,
                    None,
                )],
                has_union: false,
                big_array: l.size > 32,
                pointer: false,
                fn_pointer: false,
                flexible: false,
                repr: crate::layout::RustRepr {
                    packed: None,
                    align: (l.align > 1).then_some(l.align),
                    zero_align: None,
                },
                into_bytes: true,
                bitfields: Vec::new(),
                enums: Vec::new(),
                only_some: Vec::new(),
                packed_on: None,
            };
            self.out.push_str(&doc);
            self.type_def(&shape);
            self.asserts(s, &shape.name, &[]);
            return;
        }
        let mut shapes = Vec::new();
        self.shape(s, &st.name, st.union, &st.fields, &[], &mut shapes);
        shapes[0].repr = crate::layout::rust_repr(&st.fields, st.packed, st.aligned);
        // gcc's `packed, aligned(n)` of members less aligned: a zero-length array at offset 0
        // gives the type its alignment, as bindgen's `_bitfield_align_N` do theirs.
        if let Some(a) = crate::layout::rust_zero_align(&self.m.family, &self.m.layouts, s) {
            shapes[0].members.insert(
                0,
                (
                    "__uapigen_align".to_string(),
                    format!("[{}; 0]", crate::emit::rust::align_type(a)),
                    None,
                    None,
                ),
            );
        }
        // Packed where linux/eventpoll.h's `EPOLL_PACKED` is, as the libc crate's
        // `epoll_event` writes it.
        shapes[0].packed_on = st.packed_by.as_ref().map(|p| {
            (
                arches_pred(&p.when.arches()),
                crate::layout::rust_repr(&st.fields, true, st.aligned),
            )
        });
        // A plain struct's inline structs are plain too (there is no union in it).
        if self.m.latest().into_bytes(s) {
            for sh in &mut shapes {
                sh.into_bytes = true;
            }
        }
        // Its members' enums first, each named after the type that declares it.
        for shape in &shapes {
            for (g, ty, prefix) in &shape.enums {
                let group = &self.m.family.groups[g.0];
                self.c_enum(group, Some((ty.clone(), prefix.clone())));
            }
        }
        self.out.push_str(&doc);
        for (i, shape) in shapes.iter().enumerate() {
            self.type_def(shape);
            self.bitfield_accessors(shape);
            // The asserts of the struct itself: its unions' offsets are its members'.
            if i == 0 {
                self.asserts(s, &shape.name, &st.fields);
            }
        }
    }

    /// The Rust type of `fields` named `name`, after the types of its inline unions and structs
    /// (`<name>__bindgen_ty_N`, as bindgen names them), all pushed to `shapes`, this one first.
    fn shape(
        &self,
        s: StructId,
        name: &str,
        is_union: bool,
        fields: &[Field],
        path: &[usize],
        shapes: &mut Vec<Shape>,
    ) {
        let at = shapes.len();
        // gcc's holes before members aligned past their Rust types, in this aggregate.
        let pads = crate::layout::rust_paddings(&self.m.family, &self.m.layouts, s, path);
        let marks = crate::layout::rust_align_markers(&self.m.family, &self.m.layouts, s, path);
        shapes.push(Shape {
            name: name.to_string(),
            is_union,
            members: Vec::new(),
            has_union: is_union,
            big_array: false,
            pointer: false,
            fn_pointer: false,
            flexible: false,
            repr: crate::layout::rust_repr(fields, false, None),
            into_bytes: false,
            bitfields: Vec::new(),
            enums: Vec::new(),
            only_some: Vec::new(),
            packed_on: None,
        });
        let (mut anon, mut nested) = (0, 0);
        // Bitfields: each run's bytes as bindgen's `__BindgenBitfieldUnit`, the alignment its
        // types give first (where a zero-length array moves nothing), accessors after the type.
        let st = &self.m.family.structs[s.0];
        let runs = crate::layout::runs_among(st, self.m.layouts[0].struct_(s), fields);
        for (k, r) in runs.iter().enumerate() {
            let widest = r
                .named
                .iter()
                .filter_map(|(i, _)| match fields[*i].ty {
                    FieldType::Scalar(sc) => Some(sc),
                    _ => None,
                })
                .max_by_key(|sc| sc.size());
            if let Some(sc) = widest {
                shapes[at].members.push((
                    format!("_bitfield_align_{}", k + 1),
                    format!("[{}; 0]", sc.rust_name()),
                    None,
                    None,
                ));
            }
        }
        // Where the members of the run declared per byte order being written start.
        let mut run_from = 0;
        for (i, f) in fields.iter().enumerate() {
            // gcc's `aligned(__alignof__(struct X))`: X's alignment on each target, from a
            // zero-length array before the member (bindgen, run per target, writes that
            // target's `repr(align(n))` and padding instead).
            for (_, a, arches) in marks.iter().filter(|m| m.0 == i) {
                let cfg = (arches.len() < TARGETS.len()).then(|| cfg_attr(arches));
                shapes[at].members.push((
                    format!("__uapigen_align_{}", f.name.as_deref().unwrap_or_default()),
                    format!("[{}; 0]", crate::emit::rust::align_type(*a)),
                    None,
                    cfg,
                ));
            }
            // gcc's hole before a member aligned past its Rust type, as bindgen spells it on
            // the targets that have it (`layout::rust_padding`).
            for (k, (_, bytes, arches)) in pads.iter().enumerate().filter(|(_, p)| p.0 == i) {
                let cfg = (arches.len() < TARGETS.len()).then(|| cfg_attr(arches));
                shapes[at].members.push((
                    format!("__bindgen_padding_{k}"),
                    format!("[u8; {bytes}usize]"),
                    None,
                    cfg,
                ));
            }
            if let (Some(width), FieldType::Scalar(sc)) = (f.bits, &f.ty) {
                let Some((k, r)) = runs
                    .iter()
                    .enumerate()
                    .find(|(_, r)| (r.first..r.first + r.run.fields).contains(&i))
                else {
                    continue;
                };
                let run = k + 1;
                if r.first == i {
                    shapes[at].members.push((
                        format!("_bitfield_{run}"),
                        format!(
                            "__BindgenBitfieldUnit<[u8; {}usize]>",
                            r.run.end - r.run.start
                        ),
                        None,
                        None,
                    ));
                }
                let (Some(n), Some((_, b))) = (&f.name, r.named.iter().find(|(j, _)| *j == i))
                else {
                    continue;
                };
                // A merged one (`byte_order = "merged"`) keeps its whole bytes: the low bits of
                // what the big-endian declaration merges it into.
                let bit = if f.byte_order && !f.byte_order_merged {
                    // Mirrored in its byte, or in the run (`byte_order = "word"`).
                    let big = if f.byte_order_word {
                        (r.run.end - r.run.start) * 8 - b.bit - u64::from(width)
                    } else {
                        crate::layout::mirrored(b.bit, width)
                    };
                    format!(
                        "if cfg!(target_endian = \"big\") {{ {big} }} else {{ {} }}",
                        b.bit
                    )
                } else {
                    format!("{}", b.bit)
                };
                let ty = match &f.c_enum {
                    Some(tag) => tag.clone(),
                    None => bindgen_scalar(*sc).to_string(),
                };
                let cfg = f.when.as_ref().map(|w| cfg_attr(&w.arches()));
                shapes[at].bitfields.push((
                    field_name(n),
                    ty,
                    run,
                    bit,
                    width,
                    sc.is_signed(),
                    cfg,
                ));
                continue;
            }
            let (ty, sub_union) = match &f.ty {
                // bindgen names a typedef'd member's type by the typedef.
                FieldType::Scalar(_) | FieldType::Struct(_) | FieldType::Pointer(_)
                    if f.c_typedef.is_some() =>
                {
                    (
                        f.c_typedef
                            .map(|t| self.m.family.typedefs[t.0].name.clone())
                            .unwrap_or_default(),
                        false,
                    )
                }
                // An enum declared as this member's type: bindgen numbers it with the
                // untagged unions and structs of the type; a tagged one it names
                // `<type>_<tag>`, its values `<type>_<tag>_VALUE`.
                FieldType::Scalar(_)
                    if f.values.is_some_and(|g| {
                        f.c_enum.is_some() && self.m.family.groups[g.0].decl == EnumDecl::Member
                    }) =>
                {
                    let group = f.values.map(|g| &self.m.family.groups[g.0]);
                    let (ty, prefix) = match group.map(|g| &g.style) {
                        Some(Style::Enum { tag: Some(tag) }) => {
                            let ty = format!("{name}_{tag}");
                            (ty.clone(), format!("{ty}_"))
                        }
                        _ => {
                            nested += 1;
                            (format!("{name}__bindgen_ty_{nested}"), format!("{name}_"))
                        }
                    };
                    if let Some(g) = f.values {
                        shapes[at].enums.push((g, ty.clone(), prefix));
                    }
                    (ty, false)
                }
                // bindgen names an enum member's type by the enum's `pub type TAG = c_uint;`.
                FieldType::Scalar(_) if f.c_enum.is_some() => {
                    (f.c_enum.clone().unwrap_or_default(), false)
                }
                FieldType::Scalar(sc) => (bindgen_scalar(*sc).to_string(), false),
                FieldType::Pointer(p) => (self.pointer(p), false),
                FieldType::Struct(id) => {
                    let inner = &self.m.family.structs[id.0];
                    (inner.name.clone(), self.struct_has_union(*id))
                }
                // bindgen numbers the untagged unions and structs of a type together.
                FieldType::Inline(kind, members) => {
                    // A tagged one bindgen names by its tag, and does not count.
                    let ty = match &f.tag {
                        Some(tag) => tag.clone(),
                        None => {
                            nested += 1;
                            format!("{name}__bindgen_ty_{nested}")
                        }
                    };
                    let before = shapes.len();
                    let inner: Vec<usize> = path.iter().copied().chain([i]).collect();
                    self.shape(s, &ty, *kind == Aggregate::Union, members, &inner, shapes);
                    shapes[before].repr = crate::layout::inline_repr(f, members);
                    (ty, shapes[before].has_union)
                }
            };
            let ty = f
                .dims
                .iter()
                .rev()
                .fold(ty, |t, d| format!("[{t}; {d}usize]"));
            // A length that differs between targets: the member once per length, under the
            // `cfg` of the targets that have it, as bindgen writes each target's.
            let variants: Vec<(Option<u64>, Option<String>)> =
                match f.len_expr.as_ref().and_then(|e| e.on.as_ref()) {
                    Some(on) => crate::layout::targets_by(|t| on[t.index()])
                        .into_iter()
                        .map(|(n, arches)| (Some(n), Some(cfg_attr(&arches))))
                        .collect(),
                    // Under `#if` in C (`when`): where the targets that have it are.
                    None => vec![(f.len, f.when.as_ref().map(|w| cfg_attr(&w.arches())))],
                };
            let tys: Vec<(String, Option<String>)> = variants
                .into_iter()
                .map(|(len, cfg)| {
                    let t = match (len, f.flexible) {
                        (_, Some(_)) => format!("__IncompleteArrayField<{ty}>"),
                        // The typedef's name is the array already (`dvd_challenge`).
                        (Some(_), None) if f.typedef_len => ty.clone(),
                        (Some(n), None) => format!("[{ty}; {n}usize]"),
                        (None, None) => ty.clone(),
                    };
                    (t, cfg)
                })
                .collect();
            let rust = match &f.name {
                Some(n) => field_name(n),
                None => {
                    anon += 1;
                    format!("__bindgen_anon_{anon}")
                }
            };
            let sh = &mut shapes[at];
            sh.has_union |= sub_union;
            sh.big_array |= f.max_len().is_some_and(|n| n > 32) || f.dims.iter().any(|d| *d > 32);
            // A pointer at any depth (an inline union's, bpf.h's `__bpf_md_ptr`'s) leaves the
            // type without zerocopy's derives, as its member's type is.
            sh.pointer |= holds_pointer(self.m, std::slice::from_ref(f));
            // A member of a type ending in a flexible array (at its end, or `embeds_flexible`)
            // has no `PartialEq`, as that type has none.
            sh.flexible |= f.flexible.is_some() || ends_flexible(self.m, std::slice::from_ref(f));
            sh.fn_pointer |= self.m.family.has_fn_pointer(std::slice::from_ref(f));
            if f.when.is_some() {
                sh.only_some.push(rust.clone());
            }
            if f.byte_order && f.byte_order_starts {
                run_from = sh.members.len();
            }
            for (ty, cfg) in tys {
                sh.members.push((rust.clone(), ty, f.name.clone(), cfg));
            }
            // A run declared per byte order ends here: as bindgen reads the header on a
            // little-endian target, and in reverse on a big-endian one.
            if f.byte_order && !fields.get(i + 1).is_some_and(Field::continues_run) {
                let little = "#[cfg(target_endian = \"little\")]".to_string();
                let big: Vec<_> = sh.members[run_from..]
                    .iter_mut()
                    .rev()
                    .map(|m| {
                        m.3 = Some(little.clone());
                        let mut b = m.clone();
                        b.3 = Some("#[cfg(target_endian = \"big\")]".to_string());
                        b
                    })
                    .collect();
                sh.members.extend(big);
            }
        }
    }

    /// A pointer as bindgen writes it: `*mut T`, `*const T`, `*mut *mut T` (`c_void` for
    /// `void` and a struct no header defines, a typedef by its name); a function pointer as
    /// `::std::option::Option<unsafe extern "C" fn(arg1: T, ...) -> R>`, each type by the name
    /// C gives it (a typedef's, a struct's tag).
    fn pointer(&self, p: &crate::ir::Pointer) -> String {
        let f = match p.to {
            Pointee::Function(i) => &self.m.family.functions[i],
            Pointee::Typedef(i) if self.m.family.typedefs[i.0].function => {
                return self.m.family.typedefs[i.0].name.clone()
            }
            to => {
                return format!(
                    "{}*{} {}",
                    if p.to_pointer { "*mut " } else { "" },
                    if p.konst { "const" } else { "mut" },
                    match to {
                        Pointee::Void | Pointee::Incomplete(_) => "::std::os::raw::c_void",
                        Pointee::Scalar(s) => bindgen_scalar(s),
                        Pointee::Struct(id) => &self.m.family.structs[id.0].name,
                        // bindgen's alias, by the typedef's name.
                        Pointee::Typedef(i) => &self.m.family.typedefs[i.0].name,
                        Pointee::Function(_) => unreachable!("matched above"),
                    }
                );
            }
        };
        let one = |(t, text): &(FieldType, String)| -> String {
            match t {
                FieldType::Scalar(s) if Scalar::from_c_name(text) == Some(*s) => {
                    bindgen_scalar(*s).to_string()
                }
                FieldType::Pointer(q) => self.pointer(q),
                // A typedef's or a tag's name, as bindgen names the type.
                _ => text
                    .strip_prefix("struct ")
                    .or_else(|| text.strip_prefix("union "))
                    .unwrap_or(text)
                    .to_string(),
            }
        };
        let params: Vec<String> = f
            .params
            .iter()
            .enumerate()
            .map(|(k, p)| format!("arg{}: {}", k + 1, one(p)))
            .collect();
        let ret = f
            .ret
            .as_ref()
            .map_or(String::new(), |r| format!(" -> {}", one(r)));
        format!(
            "::std::option::Option<unsafe extern \"C\" fn({}){ret}>",
            params.join(", ")
        )
    }

    fn struct_has_union(&self, s: StructId) -> bool {
        fn any(m: &Model, fields: &[Field]) -> bool {
            fields.iter().any(|f| match &f.ty {
                FieldType::Inline(Aggregate::Union, _) => true,
                FieldType::Inline(Aggregate::Struct, ms) => any(m, ms),
                FieldType::Struct(id) => {
                    let inner = &m.family.structs[id.0];
                    inner.union || any(m, &inner.fields)
                }
                FieldType::Scalar(_) | FieldType::Pointer(_) => false,
            })
        }
        let st = &self.m.family.structs[s.0];
        st.union || any(self.m, &st.fields)
    }

    fn type_def(&mut self, sh: &Shape) {
        // `__aligned_u64` is `__u64` in bindgen's API; the alignment it has on i686 (8, where
        // a plain `__u64` member is 4-aligned) goes on the type instead, so the layout is the
        // kernel's on every ABI and field types stay bindgen's.
        let repr_of = |r: &crate::layout::RustRepr| {
            let mut repr = "repr(C".to_string();
            match r.packed {
                Some(1) => repr.push_str(", packed"),
                Some(n) => repr.push_str(&format!(", packed({n})")),
                None => {}
            }
            if let Some(n) = r.align {
                repr.push_str(&format!(", align({n})"));
            }
            repr.push(')');
            repr
        };
        let repr = match &sh.packed_on {
            Some((pred, packed)) => format!(
                "#[cfg_attr({pred}, {})]\n#[cfg_attr(not({pred}), {})]",
                repr_of(packed),
                repr_of(&sh.repr)
            ),
            None => format!("#[{}]", repr_of(&sh.repr)),
        };
        let kw = if sh.is_union { "union" } else { "struct" };
        let plain = !sh.has_union;
        let derives = match (plain, sh.big_array || sh.pointer, sh.flexible) {
            // No `PartialEq` over a function pointer (nor with it in a union).
            (true, _, _) if sh.fn_pointer => "Debug, Copy, Clone",
            // bindgen's `Debug, Default`, and the `Copy, Clone` the validators need.
            (true, false, true) => "Debug, Default, Copy, Clone",
            (true, false, false) => "Debug, Default, Copy, Clone, PartialEq",
            (true, true, true) => "Debug, Copy, Clone",
            (true, true, false) => "Debug, Copy, Clone, PartialEq",
            (false, _, _) => "Copy, Clone",
        };
        // zerocopy derives `IntoBytes` on a union only behind a cfg of its own.
        let zerocopy = if sh.into_bytes {
            ZEROCOPY_ALL
        } else {
            ZEROCOPY_READ
        }
        .join(", ");
        // A raw pointer has no zerocopy byte view.
        let zerocopy = if sh.pointer {
            String::new()
        } else {
            format!("#[cfg_attr(feature = \"zerocopy\", derive({zerocopy}))]\n")
        };
        let _ = writeln!(
            self.out,
            "{repr}\n#[derive({derives})]\n{zerocopy}pub {kw} {} {{",
            sh.name
        );
        for (name, ty, _, cfg) in &sh.members {
            if let Some(cfg) = cfg {
                let _ = writeln!(self.out, "    {cfg}");
            }
            let _ = writeln!(self.out, "    pub {name}: {ty},");
        }
        let _ = writeln!(self.out, "}}");
        let name = &sh.name;
        if !plain || sh.big_array || sh.pointer {
            // As bindgen writes it where it cannot derive: all bytes zero, which every uAPI
            // type (integers and pointers all the way down) is valid as.
            let _ = writeln!(
                self.out,
                "impl Default for {name} {{\n    fn default() -> Self {{\n        let mut s = ::std::mem::MaybeUninit::<Self>::uninit();\n        unsafe {{\n            ::std::ptr::write_bytes(s.as_mut_ptr(), 0, 1);\n            s.assume_init()\n        }}\n    }}\n}}"
            );
        }
        if sh.is_union {
            let _ = writeln!(
                self.out,
                "impl ::std::fmt::Debug for {name} {{\n    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {{\n        write!(f, \"{name} {{{{ union }}}}\")\n    }}\n}}"
            );
        } else if !plain {
            // The members once each (one written per target's length is one member), no
            // padding.
            let mut names: Vec<&str> = sh
                .members
                .iter()
                .map(|m| m.0.as_str())
                .filter(|n| !n.starts_with("__bindgen_padding_"))
                .filter(|n| !sh.only_some.iter().any(|o| o == n))
                .collect();
            names.dedup();
            let fmt: Vec<String> = names.iter().map(|n| format!("{n}: {{:?}}")).collect();
            let args: String = names.iter().map(|n| format!(", self.{n}")).collect();
            let _ = writeln!(
                self.out,
                "impl ::std::fmt::Debug for {name} {{\n    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {{\n        write!(f, \"{name} {{{{ {} }}}}\"{args})\n    }}\n}}",
                fmt.join(", ")
            );
        }
    }

    /// bindgen's accessors of a type's named bitfields: `x()` and `set_x(val)`, through the
    /// run's `__BindgenBitfieldUnit` (a signed one's value sign-extended).
    fn bitfield_accessors(&mut self, sh: &Shape) {
        if sh.bitfields.is_empty() {
            return;
        }
        let _ = writeln!(self.out, "impl {} {{", sh.name);
        for (name, ty, run, bit, width, signed, cfg) in &sh.bitfields {
            let cfg = cfg
                .as_deref()
                .map_or(String::new(), |c| format!("    {c}\n"));
            let read = if *signed {
                format!(
                    "{{
            let unused = 64 - {width};
            ((self._bitfield_{run}.get(({bit}) as usize, {width}u8) << unused) as i64 >> unused) as {ty}
        }}"
                )
            } else {
                format!("self._bitfield_{run}.get(({bit}) as usize, {width}u8) as {ty}")
            };
            let setter = if name.starts_with("r#") {
                format!("set_{}", &name[2..])
            } else {
                format!("set_{name}")
            };
            let _ = writeln!(
                self.out,
                "{cfg}    #[inline]
    pub fn {name}(&self) -> {ty} {{
        {read}
    }}
{cfg}    #[inline]
    pub fn {setter}(&mut self, val: {ty}) {{
        self._bitfield_{run}.set(({bit}) as usize, {width}u8, val as u64)
    }}"
            );
        }
        let _ = writeln!(self.out, "}}");
    }

    /// The kernel's layout of the struct on every ABI uapigen lays out for, checked at compile
    /// time on the one being built (bindgen's asserts hold on x86-64 only).
    fn asserts(&mut self, s: StructId, name: &str, fields: &[Field]) {
        let st = &self.m.family.structs[s.0];
        for (t, target) in TARGETS.iter().enumerate().filter(|(_, t)| st.on(t)) {
            let l = self.m.layouts[t].struct_(s);
            let _ = writeln!(
                self.out,
                "#[cfg(target_arch = \"{}\")]\nconst _: () = {{\n    assert!(::std::mem::size_of::<{name}>() == {});\n    assert!(::std::mem::align_of::<{name}>() == {});",
                target.rust_arch, l.size, l.align
            );
            let mut anon = 0;
            for (i, f) in fields.iter().enumerate() {
                if f.bits.is_some() {
                    continue;
                }
                let rust = match &f.name {
                    Some(n) => field_name(n),
                    None => {
                        anon += 1;
                        format!("__bindgen_anon_{anon}")
                    }
                };
                let Some(ml) = l.members.iter().find(|ml| ml.index == [i]) else {
                    continue;
                };
                let _ = writeln!(
                    self.out,
                    "    assert!(::std::mem::offset_of!({name}, {rust}) == {});",
                    ml.offset
                );
            }
            let _ = writeln!(self.out, "}};");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flex() -> Model {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/schema/flex.toml");
        let source = crate::diag::Source::read(std::path::Path::new(path)).unwrap();
        crate::pipeline(source, "flex.toml").unwrap()
    }

    const IRQ_SET: Fam = Fam {
        struct_: "vfio_irq_set",
        entry: "u8",
        array: "data",
        len: "count",
        len_type: "u32",
        max: 2048,
        wrapper: "IrqSet",
        caveat: "",
    };

    #[test]
    fn a_fam_wrapper_the_schema_cannot_back_is_an_error_at_the_struct() {
        let m = flex();
        assert!(fam_check(&m, &IRQ_SET).is_ok());
        for (fam, why) in [
            (
                Fam {
                    array: "start",
                    ..IRQ_SET
                },
                "needs a flexible array member `start`",
            ),
            (
                Fam {
                    len: "nope",
                    ..IRQ_SET
                },
                "needs an integer member `nope`",
            ),
        ] {
            let err = fam_check(&m, &fam).unwrap_err().to_string();
            assert!(err.contains(why), "{err}");
            // At the struct's name in the schema.
            assert!(err.contains("flex.toml:22:"), "{err}");
        }
        let err = fam_check(
            &m,
            &Fam {
                struct_: "vfio_absent",
                ..IRQ_SET
            },
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("the schema does not define"), "{err}");
    }

    #[test]
    fn every_published_row_names_a_schema_family_and_its_wrappers_hold() {
        for p in PUBLISHED {
            let path = format!("{}/../schema/{}.toml", env!("CARGO_MANIFEST_DIR"), p.family);
            let source = crate::diag::Source::read(std::path::Path::new(&path)).unwrap();
            let m = crate::pipeline(source, &format!("{}.toml", p.family)).unwrap();
            let lib = lib(&m).unwrap();
            assert_eq!(
                module_file(p.family).starts_with("bindings/"),
                p.parent.is_some()
            );
            for f in p.fam {
                assert!(lib.contains(&format!("pub type {} = FamStructWrapper<", f.wrapper)));
            }
        }
    }
}
