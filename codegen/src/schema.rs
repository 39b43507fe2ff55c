//! Parse stage: the TOML schema as written, every value `Spanned` so later stages can point at
//! the exact line and column a problem comes from. No meaning is given to anything here; that is
//! `resolve`'s job. The format is documented by example in README.md.

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, Error, Source};

pub type S<T> = Spanned<T>;

/// One schema file: one uAPI family (one kernel header).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSchema {
    pub family: S<RawFamily>,
    #[serde(default)]
    pub revision: Vec<S<RawRevision>>,
    #[serde(default, rename = "struct")]
    pub structs: Vec<S<RawStruct>>,
    #[serde(default)]
    pub flags: Vec<S<RawGroup>>,
    #[serde(default, rename = "enum")]
    pub enums: Vec<S<RawGroup>>,
    #[serde(default, rename = "define")]
    pub defines: Vec<S<RawDefine>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFamily {
    pub name: S<String>,
    /// Path of the header below `include/uapi/`, e.g. `linux/iommu.h`.
    pub header: S<String>,
    pub guard: S<String>,
    /// The SPDX expression of the first line.
    pub license: S<String>,
    pub description: Option<S<String>>,
    #[serde(default)]
    pub includes: Vec<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRevision {
    pub id: S<String>,
    pub label: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStruct {
    pub name: S<String>,
    pub summary: Option<S<String>>,
    pub doc: Option<S<String>>,
    /// `argsz` (VFIO / 2020 IOMMU uAPI) or `size` (extensible struct, copy_struct_from_user).
    pub convention: Option<S<String>>,
    pub since: Option<S<String>>,
    pub fields: S<Vec<S<RawField>>>,
    /// The smallest size the kernel accepts: argsz's `minsz`, size's `min_size` (default: the
    /// whole struct), driver data's `min_len`.
    pub min_size: Option<S<RawSizeRef>>,
    /// More size needed when a discriminant (read from the first `min_size` bytes) says so.
    pub min_size_when: Option<S<Vec<S<RawMinSizeWhen>>>>,
    /// Driver data (`convention = "user_data"`): the data-type constant the struct is for.
    pub data_type: Option<S<String>>,
    /// Content checks, in the order the kernel makes them; the first that fails decides.
    #[serde(default)]
    pub rules: Vec<S<RawRule>>,
    /// A layout the kernel shipped although it differs between ABIs (or has a hole):
    /// `{ revisions = ["v6_11"], fixed = "v6_14", note = "..." }`.
    pub abi_trap: Option<S<RawAbiTrap>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAbiTrap {
    /// The revisions whose layout is the trap: their holes and ABI differences are not errors.
    pub revisions: S<Vec<S<String>>>,
    /// The revision that fixed it: its changes to the struct are acknowledged, not breaking.
    pub fixed: Option<S<String>>,
    pub note: S<String>,
}

/// `{ offsetof = "granu" }` or `{ offsetofend = "granu.pasid_info" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSizeRef {
    pub offsetof: Option<S<String>>,
    pub offsetofend: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMinSizeWhen {
    pub when: Vec<S<RawCond>>,
    pub offsetof: Option<S<String>>,
    pub offsetofend: Option<S<String>>,
}

/// `{ when = [conditions], require = [conditions], errno = "EINVAL" }`: if every `when` holds,
/// every `require` must hold, else the struct is refused with `errno`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    #[serde(default)]
    pub when: Vec<S<RawCond>>,
    pub require: S<Vec<S<RawCond>>>,
    pub errno: Option<S<String>>,
    pub doc: Option<S<String>>,
}

/// One predicate on one field: `{ field = "cache", lacks = "IOMMU_CACHE_INV_TYPE_PASID" }`.
/// Values are integers or constant names (`U64_MAX`, `U32_MAX` are built in).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCond {
    pub field: S<String>,
    pub equals: Option<S<toml::Value>>,
    pub not_equals: Option<S<toml::Value>>,
    pub below: Option<S<toml::Value>>,
    pub lacks: Option<S<toml::Value>>,
    /// Only bits of the field's `flags` set.
    pub known_flags: Option<S<bool>>,
    pub zero: Option<S<bool>>,
    pub nonzero: Option<S<bool>>,
    pub aligned: Option<S<i64>>,
}

/// A struct field, or a union member. Exactly one of `type` and `union` is given.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    /// Absent only for an anonymous union.
    pub name: Option<S<String>>,
    #[serde(rename = "type")]
    pub ty: Option<S<String>>,
    /// Array length: `__u8 padding[6]` is `{ name = "padding", type = "__u8", len = 6 }`.
    pub len: Option<S<i64>>,
    pub union: Option<S<Vec<S<RawField>>>>,
    pub doc: Option<S<String>>,
    /// A plain comment line emitted just before the field (`/* Vendor specific data */`).
    pub comment: Option<S<String>>,
    pub since: Option<S<String>>,
    /// The revision that re-purposed this (reserved) field: it exists before it, and the
    /// fields with `since` = that revision take its bytes.
    pub until: Option<S<String>>,
    /// Bytes that must be zero today and may be re-purposed by a later revision.
    pub reserved: Option<S<bool>>,
    /// The `[[flags]]` set whose bits are valid in this field.
    pub flags: Option<S<String>>,
    /// The `[[enum]]` whose values are valid in this field.
    #[serde(rename = "enum")]
    pub values: Option<S<String>>,
    /// Name of the field in Rust (anonymous unions need one; keywords get `r#` on their own).
    pub rust_name: Option<S<String>>,
}

/// A `[[flags]]` set or an `[[enum]]`: named values that belong together.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    pub name: S<String>,
    /// `define` (a run of `#define`s) or `enum` (a C enum).
    pub style: Option<S<String>>,
    /// A C enum with no tag (`enum { ... };`).
    pub anonymous: Option<S<bool>>,
    pub summary: Option<S<String>>,
    pub doc: Option<S<String>>,
    pub since: Option<S<String>>,
    /// `struct.field`: emit inside that struct, just before the field, as kernel headers do.
    pub inside: Option<S<String>>,
    pub values: S<Vec<S<RawValue>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawValue {
    pub name: S<String>,
    pub value: Option<S<i64>>,
    pub bit: Option<S<i64>>,
    /// Same value as another constant, written as its name (`IOMMUFD_CMD_DESTROY = IOMMUFD_CMD_BASE`).
    pub alias: Option<S<String>>,
    pub doc: Option<S<String>>,
    pub since: Option<S<String>>,
}

/// A single `#define`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDefine {
    pub name: S<String>,
    pub doc: Option<S<String>>,
    pub since: Option<S<String>>,
    pub inside: Option<S<String>>,
    pub value: Option<S<i64>>,
    pub bit: Option<S<i64>>,
    /// OR of other constants: `or = ["IOMMU_SVA_VTD_GPASID_CD", ...]`.
    pub or: Option<S<Vec<S<String>>>>,
    /// A character constant: `char = ";"` is `(';')`.
    pub char: Option<S<String>>,
    /// `_IO(type, nr)`: `ioctl = { type = "IOMMUFD_TYPE", nr = "IOMMUFD_CMD_DESTROY" }`.
    pub ioctl: Option<S<RawIoctl>>,
    pub alias: Option<S<String>>,
    /// The revision that redefined it (a sentinel moving): it applies before that revision.
    pub until: Option<S<String>>,
    /// One past the last valid value; may change value in a later revision.
    pub sentinel: Option<S<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIoctl {
    #[serde(rename = "type")]
    pub ty: S<String>,
    pub nr: S<String>,
}

/// Parses one schema file; TOML syntax errors and unknown keys come back located.
pub fn parse(source: &Source) -> Result<RawSchema, Error> {
    toml::from_str::<RawSchema>(&source.text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        Error::Schema(vec![Diagnostic::at(source, span, e.message().trim_end())])
    })
}
