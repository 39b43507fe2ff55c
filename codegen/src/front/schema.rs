//! Parse stage: the TOML schema as written, every value `Spanned` so later stages can point at
//! the exact line and column a problem comes from. No meaning is given to anything here; that is
//! `resolve`'s job. The format is documented by example in README.md.

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, Error, Source};

/// A value with the byte range it came from.
pub type S<T> = Spanned<T>;

/// One schema file: one uAPI family (one kernel header).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSchema {
    /// `[family]`.
    pub family: S<RawFamily>,
    /// `[[revision]]`, oldest first.
    #[serde(default)]
    pub revision: Vec<S<RawRevision>>,
    /// `[[struct]]`.
    #[serde(default, rename = "struct")]
    pub structs: Vec<S<RawStruct>>,
    /// `[[union]]`: a union at file scope (`union bpf_attr { ... };`), with a struct's keys.
    #[serde(default, rename = "union")]
    pub unions: Vec<S<RawStruct>>,
    /// `[[flags]]`.
    #[serde(default)]
    pub flags: Vec<S<RawGroup>>,
    /// `[[enum]]`.
    #[serde(default, rename = "enum")]
    pub enums: Vec<S<RawGroup>>,
    /// `[[define]]`.
    #[serde(default, rename = "define")]
    pub defines: Vec<S<RawDefine>>,
    /// `[[macro]]`: function-like macros.
    #[serde(default, rename = "macro")]
    pub macros: Vec<S<RawMacro>>,
    /// `[[typedef]]`: another name for a scalar, struct or union type.
    #[serde(default, rename = "typedef")]
    pub typedefs: Vec<S<RawTypedef>>,
}

/// `[[typedef]]`: `typedef __u32 canid_t;` (linux/can.h), for the members that name it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTypedef {
    /// The C name.
    pub name: S<String>,
    /// What it names: a type a member may have (`__u32`, `unsigned short`, `struct NAME`,
    /// `union NAME`), not an array, a pointer or another typedef.
    #[serde(rename = "type")]
    pub ty: S<String>,
    /// A comment above it.
    pub doc: Option<S<String>>,
    /// Another header defines it (`extern = "linux/can.h"`): a copy, not written again.
    #[serde(rename = "extern")]
    pub extern_header: Option<S<String>>,
    /// `typedef int __bitwise __kernel_rwf_t;`: a type sparse keeps apart from other integers.
    pub bitwise: Option<S<bool>>,
    /// `typedef __u8 dvd_challenge[10];`: an array of `type`.
    pub len: Option<S<i64>>,
    /// `typedef struct vring_desc __attribute__((aligned(16))) vring_desc_t;`: a member of
    /// it at least n-aligned.
    pub aligned: Option<S<RawAligned>>,
}

/// `[[macro]]`: a function-like macro whose body is an integer expression over its
/// parameters (`#define K(t, v) (((t) << 8) | (v))`), for the defines written with it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMacro {
    /// The C name.
    pub name: S<String>,
    /// The parameters, in order (`[]` for `NAME()`).
    pub params: S<Vec<S<String>>>,
    /// The replacement, written as given: C tokens of an integer expression.
    pub body: S<String>,
    /// A comment above it.
    pub doc: Option<S<String>>,
    /// Another header defines it (`extern = "drm/drm.h"`): a copy, not written again.
    #[serde(rename = "extern")]
    pub extern_header: Option<S<String>>,
    /// `#ifndef NAME` around it: a program's own definition, made first, stands
    /// (rdma/ib_user_ioctl_verbs.h's `RDMA_UAPI_PTR`).
    pub ifndef: Option<S<bool>>,
}

/// `[family]`: the header.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFamily {
    /// The family name (a C identifier).
    pub name: S<String>,
    /// Path of the header below `include/uapi/`, e.g. `linux/iommu.h`.
    pub header: S<String>,
    /// The include guard.
    pub guard: S<String>,
    /// The SPDX expression of the first line.
    pub license: S<String>,
    /// A comment block below the SPDX line.
    pub description: Option<S<String>>,
    /// `#include <...>` lines: a header path, or `{ header, after }` for one the header writes
    /// below the constant `after` (linux/if.h's <linux/hdlc/ioctl.h>, which needs `IFNAMSIZ`).
    #[serde(default)]
    pub includes: Vec<S<RawInclude>>,
    /// Headers a program includes before this one, which the header uses without including
    /// them (linux/sysctl.h's `size_t`: `assumes = ["stddef.h"]`).
    #[serde(default)]
    pub assumes: Vec<S<String>>,
    /// What the family is when it is not (yet) the kernel's: a proposal's header, left out of
    /// the kernel, QEMU and rust-vmm trees.
    pub proposal: Option<S<String>>,
    /// The header is C only, as the kernel's is: it names something with a C++ keyword
    /// (linux/keyctl.h's `private`, linux/virtio_net.h's `class`).
    pub c_only: Option<S<bool>>,
}

/// `[[revision]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRevision {
    /// What `since`/`until` name (a C identifier).
    pub id: S<String>,
    /// What people call it; defaults to the id.
    pub label: Option<S<String>>,
    /// A stable branch's revision: the id of the revision it branched from. Without it, a
    /// mainline revision, extending the mainline revision listed before it.
    pub base: Option<S<String>>,
}

/// One entry of a struct's `convention_change`:
/// `{ since = "v6_17", convention = "size", ksize = { offsetofend = "out_devid" } }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConventionChange {
    /// The revision from which the kernel copies it so.
    pub since: Option<S<RawRevs>>,
    /// The convention from then on.
    pub convention: S<String>,
    /// copy_struct_from_user's `ksize` when it is not `sizeof` (default: the whole struct).
    pub ksize: Option<S<RawSizeRef>>,
}

/// `[[struct]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStruct {
    /// The C tag.
    pub name: S<String>,
    /// Kernel-doc summary.
    pub summary: Option<S<String>>,
    /// Free text after the member list.
    pub doc: Option<S<String>>,
    /// `argsz` (VFIO / 2020 IOMMU uAPI) or `size` (extensible struct, copy_struct_from_user).
    pub convention: Option<S<String>>,
    /// How later revisions' kernels copy it, when not as `convention` says (vfio.h's
    /// `vfio_device_bind_iommufd`: argsz until v6.17, copy_struct_from_user since).
    pub convention_change: Option<S<Vec<S<RawConventionChange>>>>,
    /// The revision that added it.
    pub since: Option<S<RawRevs>>,
    /// The members, in order.
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
    /// No tag: `typedef struct { ... } NAME;` (linux/xfrm.h's `xfrm_address_t`, linux/elf.h's
    /// `Elf64_Ehdr`); its type is `NAME`.
    pub typedef: Option<S<bool>>,
    /// `__attribute__((packed))`: every member at the next byte, the struct 1-aligned.
    pub packed: Option<S<bool>>,
    /// `#pragma pack(n)` around it: no member (at any depth) more than n-aligned.
    pub pack: Option<S<i64>>,
    /// `} EPOLL_PACKED;` of a macro that is `__attribute__((packed))` under an architecture's
    /// `#if` and empty in its `#else` (linux/eventpoll.h): packed where the condition holds.
    pub packed_by: Option<S<RawPackedBy>>,
    /// `__attribute__((deprecated))`: a compiler warns where a program names it.
    pub deprecated: Option<S<bool>>,
    /// `__attribute__((__may_alias__))`: a compiler assumes it may alias any other type.
    pub may_alias: Option<S<bool>>,
    /// Its Rust types are opaque: its bytes, sized and aligned as C's, no members (a layout
    /// no `#[repr]` follows: linux/sctp.h's `packed, aligned(4)` holding a misaligned `__u32`).
    pub rust_opaque: Option<S<bool>>,
    /// `__attribute__((aligned(n)))` on the struct: at least n-aligned, its size a multiple.
    pub aligned: Option<S<RawAligned>>,
    /// The struct is an info struct the kernel follows with a capability chain (VFIO's
    /// `cap_offset`): `{ offset = "cap_offset", flag = "VFIO_REGION_INFO_FLAG_CAPS", header =
    /// "vfio_info_cap_header" }`.
    pub caps: Option<Box<S<RawCaps>>>,
    /// The struct is one capability of a chain: `{ of = "vfio_region_info", id =
    /// "VFIO_REGION_INFO_CAP_SPARSE_MMAP", version = 1 }`.
    pub capability: Option<Box<S<RawCapability>>>,
    /// The struct's flexible array member holds a payload chosen by a masked field (VFIO's
    /// `VFIO_DEVICE_FEATURE`): `{ member = "data", field = "flags", mask =
    /// "VFIO_DEVICE_FEATURE_MASK", get = "...", set = "...", probe = "..." }`.
    pub payload: Option<Box<S<RawPayload>>>,
    /// The payloads `payload` selects, one per value of the masked field.
    pub payloads: Option<S<Vec<S<RawPayloadCase>>>>,
    /// Another header defines it (`extern = "linux/time_types.h"`): a copy, not written again.
    #[serde(rename = "extern")]
    pub extern_header: Option<S<String>>,
    /// A condition on <linux/libc-compat.h>'s `__UAPI_DEF_*` macros (`libc_compat =
    /// "__UAPI_DEF_IF_IFREQ"`): the header writes the item inside `#if CONDITION`, so that a
    /// C library header included first (glibc's <net/if.h>) turns the kernel's copy off.
    pub libc_compat: Option<S<String>>,
    /// `#if CONDITION` around the whole struct, a test of the architecture (x86's
    /// asm/stat.h's `struct stat64` under `#ifdef __i386__`): it exists on the targets where
    /// the condition holds (`front::when`).
    pub when: Option<S<String>>,
    /// The struct of that condition's `#else`: it exists where the condition fails.
    pub unless: Option<S<String>>,
}

/// `payload = { member, field, mask, get, set, probe, unknown }`: how the kernel picks what the
/// flexible array member holds (drivers/vfio/vfio_main.c, `vfio_ioctl_device_feature`: `switch
/// (feature.flags & VFIO_DEVICE_FEATURE_MASK)`) and checks the request
/// (include/linux/vfio.h, `vfio_check_feature`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPayload {
    /// The flexible array member holding the payload (`data`).
    pub member: S<String>,
    /// The integer member the selector and the operation bits are read from (`flags`).
    pub field: S<String>,
    /// The constant whose bits of `field` select the payload (`VFIO_DEVICE_FEATURE_MASK`).
    pub mask: S<String>,
    /// The operation bit that reads the payload back (`VFIO_DEVICE_FEATURE_GET`).
    pub get: S<String>,
    /// The operation bit that hands the payload in (`VFIO_DEVICE_FEATURE_SET`).
    pub set: S<String>,
    /// The bit that asks only whether the payload and the operations are supported
    /// (`VFIO_DEVICE_FEATURE_PROBE`).
    pub probe: S<String>,
    /// What a value no payload has returns (default `ENOTTY`).
    pub unknown: Option<S<String>>,
}

/// One payload: `{ equals = "VFIO_DEVICE_FEATURE_MIGRATION", struct =
/// "vfio_device_feature_migration", ops = ["VFIO_DEVICE_FEATURE_GET"] }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPayloadCase {
    /// The value of `field & mask` that selects it: a constant name or a number.
    pub equals: S<toml::Value>,
    /// The payload's struct: the kernel's `minsz` is its `sizeof`.
    #[serde(rename = "struct")]
    pub record: Option<S<String>>,
    /// The payload's size in bytes when no struct describes it (`uuid_t`: 16; none: 0).
    pub size: Option<S<i64>>,
    /// The operations it supports, `get` and/or `set` of `payload` (vfio_check_feature's
    /// `supported_ops`).
    pub supported_ops: S<Vec<S<String>>>,
    /// The revision whose kernel added it.
    pub since: Option<S<RawRevs>>,
    /// The revision whose kernel no longer has it.
    pub until: Option<S<RawRevs>>,
    /// What it is, and where the kernel handles it.
    pub doc: Option<S<String>>,
}

/// `caps = { offset, flag, header, ... }`: where an info struct's capability chain starts,
/// which flag says the kernel filled it, and the struct every capability begins with.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCaps {
    /// The `__u32` member holding the first capability's offset from the struct's start.
    pub offset: S<String>,
    /// The constant whose bit in `flags` says the struct supports a chain.
    pub flag: S<String>,
    /// The `__u32` member `flag` is a bit of (default `flags`).
    pub flags: Option<S<String>>,
    /// The struct every capability starts with (`vfio_info_cap_header`).
    pub header: S<String>,
    /// The header's `__u16` capability id member (default `id`).
    pub id: Option<S<String>>,
    /// The header's `__u16` version member (default `version`).
    pub version: Option<S<String>>,
    /// The header's `__u32` member with the next capability's offset, 0 at the end (default
    /// `next`).
    pub next: Option<S<String>>,
    /// The alignment of every capability's offset (default 8: `vfio_info_cap_add()` rounds
    /// each capability up to `sizeof(u64)` since commit a881b496941f, "vfio: align capability
    /// structures").
    pub align: Option<S<i64>>,
    /// The revision from which the kernel rounds each capability up to `align` (default: the
    /// first); before it, each capability follows the one before it unrounded.
    pub align_since: Option<S<RawRevs>>,
    /// What every capability's offset is a multiple of in the revisions before `align_since`
    /// (default 1): what the sizes of the kernel's capabilities then made it.
    pub align_before: Option<S<i64>>,
}

/// `capability = { of, id, version }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCapability {
    /// The info struct whose chain holds it.
    pub of: S<String>,
    /// The capability id: a constant name or a number.
    pub id: S<toml::Value>,
    /// The capability's version.
    pub version: S<i64>,
}

/// `since`, `until`, `fixed`: a revision id, or a list of them when the change reached several
/// lines of history (`since = ["v6_15", "v6_12_31"]`: mainline v6.15, and the 6.12 stable
/// branch from 6.12.31, which backported it).
#[derive(Debug)]
pub enum RawRevs {
    /// `since = "v6_15"`: its span is the `S<RawRevs>`'s.
    One(String),
    Many(Vec<S<String>>),
}

impl<'de> Deserialize<'de> for RawRevs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawRevs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a revision id, or a list of revision ids")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawRevs, E> {
                Ok(RawRevs::One(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<RawRevs, A::Error> {
                let mut ids = Vec::new();
                while let Some(id) = seq.next_element::<S<String>>()? {
                    ids.push(id);
                }
                Ok(RawRevs::Many(ids))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// `abi_trap = { revisions, fixed, note }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAbiTrap {
    /// The revisions whose layout is the trap: their holes and ABI differences are not errors.
    pub revisions: S<Vec<S<String>>>,
    /// The revision that fixed it: its changes to the struct are acknowledged, not breaking.
    pub fixed: Option<S<RawRevs>>,
    /// Why.
    pub note: S<String>,
}

/// `{ offsetof = "granu" }` or `{ offsetofend = "granu.pasid_info" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSizeRef {
    /// `offsetof(struct, path)`.
    pub offsetof: Option<S<String>>,
    /// `offsetofend(struct, path)`.
    pub offsetofend: Option<S<String>>,
}

/// `{ when = [...], offsetof|offsetofend = "path" }`: argsz must reach the size when every condition holds.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMinSizeWhen {
    /// The conditions.
    pub when: Vec<S<RawCond>>,
    /// `offsetof(struct, path)`.
    pub offsetof: Option<S<String>>,
    /// `offsetofend(struct, path)`.
    pub offsetofend: Option<S<String>>,
    /// The revision whose kernel began asking for it (default: the struct's).
    pub since: Option<S<RawRevs>>,
}

/// `{ when = [conditions], require = [conditions], errno = "EINVAL" }`: if every `when` holds,
/// every `require` must hold, else the struct is refused with `errno`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    /// Conditions under which the rule applies.
    #[serde(default)]
    pub when: Vec<S<RawCond>>,
    /// What must hold.
    pub require: S<Vec<S<RawCond>>>,
    /// `EINVAL` (default), `EOPNOTSUPP` or `E2BIG`.
    pub errno: Option<S<String>>,
    /// The rule's text for a rejected user (default: the conditions written out).
    pub doc: Option<S<String>>,
    /// The revisions whose kernel began making this check (default: the struct's).
    pub since: Option<S<RawRevs>>,
    /// The revisions whose kernel no longer makes it.
    pub until: Option<S<RawRevs>>,
}

/// One predicate on one field: `{ field = "cache", lacks = "IOMMU_CACHE_INV_TYPE_PASID" }`.
/// Values are integers or constant names (`U64_MAX`, `U32_MAX` are built in).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCond {
    /// The member path the predicate reads.
    pub field: S<String>,
    /// `field == value`.
    pub equals: Option<S<toml::Value>>,
    /// `field != value`.
    pub not_equals: Option<S<toml::Value>>,
    /// `field < value`.
    pub below: Option<S<toml::Value>>,
    /// `field & value == 0`.
    pub lacks: Option<S<toml::Value>>,
    /// `field & value == value`: every bit of `value` set.
    pub has: Option<S<toml::Value>>,
    /// `field >= value` (a size a flag needs: `{ field = "size", at_least = 88 }`).
    pub at_least: Option<S<toml::Value>>,
    /// Only bits of the field's `flags` set.
    pub known_flags: Option<S<bool>>,
    /// Every byte zero.
    pub zero: Option<S<bool>>,
    /// Some byte non-zero.
    pub nonzero: Option<S<bool>>,
    /// `field % n == 0`.
    pub aligned: Option<S<i64>>,
}

/// A struct field, or a union member. Exactly one of `type`, `union` and `struct` is given.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    /// Absent only for an anonymous union or struct.
    pub name: Option<S<String>>,
    /// `__u8` … `__s64`, `__aligned_u64`, or `struct NAME`.
    #[serde(rename = "type")]
    pub ty: Option<S<String>>,
    /// Array length: `__u8 padding[6]` is `{ name = "padding", type = "__u8", len = 6 }`;
    /// `len = 0` is an old header's zero-length array `__u8 data[0]`, a flexible array member.
    /// A string is the length as a C expression, written so: `len = "IFNAMSIZ"`, `len = "200 -
    /// sizeof(unsigned long)"`.
    pub len: Option<S<RawLen>>,
    /// A flexible array member, `__u8 data[]`: the struct's last member, in no `sizeof`;
    /// `"__DECLARE_FLEX_ARRAY"` declares it with <linux/stddef.h>'s macro, which lets a union
    /// at the end of the struct hold it.
    pub flexible: Option<S<RawFlexible>>,
    /// An array's further dimensions, outermost first: `__u32 m[4][8]` is `len = 4, dims =
    /// [8]`; `__u8 addr[][6]` is `flexible = true, dims = [6]`.
    pub dims: Option<S<Vec<S<i64>>>>,
    /// A union of these members.
    pub union: Option<S<Vec<S<RawField>>>>,
    /// An untagged struct of these members (`struct { ... } s;`, or `struct { ... };`).
    #[serde(rename = "struct")]
    pub record: Option<S<Vec<S<RawField>>>>,
    /// Kernel-doc `@name:` text.
    pub doc: Option<S<String>>,
    /// A plain comment line emitted just before the field (`/* Vendor specific data */`).
    pub comment: Option<S<String>>,
    /// The revision that added it.
    pub since: Option<S<RawRevs>>,
    /// The revision that re-purposed this (reserved) field: it exists before it, and the
    /// fields with `since` = that revision take its bytes.
    pub until: Option<S<RawRevs>>,
    /// Bytes that must be zero today and may be re-purposed by a later revision.
    pub reserved: Option<S<bool>>,
    /// The `[[flags]]` set whose bits are valid in this field.
    pub flags: Option<S<String>>,
    /// The `[[enum]]` whose values are valid in this field.
    #[serde(rename = "enum")]
    pub values: Option<S<String>>,
    /// Name of the field in Rust (anonymous unions need one; keywords get `r#` on their own).
    pub rust_name: Option<S<String>>,
    /// `__attribute__((aligned(n)))` on the member: at least n-aligned (in a packed struct,
    /// exactly n).
    pub aligned: Option<S<RawAligned>>,
    /// A bitfield's width: `__u8 ihl:4` is `{ name = "ihl", type = "__u8", bits = 4 }`; without
    /// a name, padding bits (`__u32 :4`); `bits = 0` (unnamed) moves what follows to the next
    /// unit of the type.
    pub bits: Option<S<i64>>,
    /// A bitfield the header declares per byte order (ip.h's `#if
    /// defined(__LITTLE_ENDIAN_BITFIELD)`): in this order on a little-endian ABI, each byte's
    /// bitfields in the reverse order on a big-endian one, so every bitfield keeps its bits in
    /// memory. On a member that is not a bitfield (if_packet.h's `fanout_args`), `true` or a
    /// label: a run of such members, one label each, declared in reverse on a big-endian ABI,
    /// so each keeps its place in the word they make (md_p.h's two `events_lo`/`events_hi`
    /// pairs are two runs, two labels).
    pub byte_order: Option<S<RawByteOrder>>,
    /// `} __attribute__((packed));` on a `union = [...]` or `struct = [...]` member.
    pub packed: Option<S<bool>>,
    /// `const __u64 data;` (sed-opal.h): the kernel's struct is read-only to user space.
    #[serde(rename = "const")]
    pub konst: Option<S<bool>>,
    /// `volatile unsigned int lock;` (drm.h, which headers_install writes `__volatile__`).
    pub volatile: Option<S<bool>>,
    /// A tag for a `struct = [...]` or `union = [...]` member: `struct fork_proc_event { ... }
    /// fork;` (linux/cn_proc.h), a struct defined where the member is declared.
    pub tag: Option<S<String>>,
    /// A pointer to a struct no header defines (`struct xt_match *`, the kernel's own type
    /// behind a uAPI pointer): C's incomplete type, which the schema has no layout of.
    pub incomplete: Option<S<bool>>,
    /// A condition on <linux/libc-compat.h>'s `__UAPI_DEF_*` macros (`libc_compat =
    /// "__UAPI_DEF_IF_IFREQ"`): the header writes the item inside `#if CONDITION`, so that a
    /// C library header included first (glibc's <net/if.h>) turns the kernel's copy off.
    pub libc_compat: Option<S<String>>,
    /// The member is a struct that ends in a flexible array member (or an array of them),
    /// where ISO C allows none: before another member (x_tables.h's `xt_standard_target`), in
    /// a union (jffs2.h), as an array's element (igmp.h's `grec[]`). GNU C lays out the
    /// struct's fixed part; the inner array overlays what follows.
    pub embeds_flexible: Option<S<bool>>,
    /// `#if CONDITION` around the member, a test of the architecture (`when =
    /// "__BITS_PER_LONG == 64"`, `"defined(__i386__)"`): it exists on the targets where the
    /// condition holds (`front::when`).
    pub when: Option<S<String>>,
    /// The member of that condition's `#else`: it exists where the condition fails.
    pub unless: Option<S<String>>,
    /// Declared by a call of a `[[macro]]` whose body declares a member, which the header
    /// writes in its place: `declared_by = { macro = "RDMA_UAPI_PTR", args = ["void *",
    /// "val_ptr"] }` is `RDMA_UAPI_PTR(void *, val_ptr);`.
    pub declared_by: Option<S<RawDeclaredBy>>,
}

/// `declared_by = { macro, args }`: a call of a declaring `[[macro]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeclaredBy {
    /// The `[[macro]]`.
    #[serde(rename = "macro")]
    pub macro_name: S<String>,
    /// Its arguments as the call writes them, in the order of its `params`.
    pub args: Vec<S<String>>,
}

/// One of `[family] includes`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawInclude {
    /// At the top, with the others.
    Top(String),
    /// Below a constant.
    After(RawIncludeAfter),
}

/// `{ header = "linux/hdlc/ioctl.h", after = "ALTIFNAMSIZ" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIncludeAfter {
    pub header: String,
    /// The constant (a `[[define]]`, or a value of a set) right below which the header writes
    /// the `#include`.
    pub after: String,
}

impl RawInclude {
    /// The header's path.
    pub fn header(&self) -> &str {
        match self {
            RawInclude::Top(h) => h,
            RawInclude::After(a) => &a.header,
        }
    }
}

/// `packed_by = { macro = "EPOLL_PACKED", when = "defined(__x86_64__)" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPackedBy {
    /// The macro the header defines and writes after the closing brace.
    #[serde(rename = "macro")]
    pub name: S<String>,
    /// Where it is `__attribute__((packed))`: a test of the architecture, as `when`'s.
    pub when: S<String>,
}

/// `byte_order`: `true`, or a run's label (two runs side by side are two labels).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawByteOrder {
    Bool(bool),
    Label(String),
}

/// `aligned`'s n: a number, or the name of a constant above (linux/virtio_ring.h's
/// `aligned(VRING_USED_ALIGN_SIZE)`), which C writes so.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawAligned {
    Int(i64),
    Name(String),
}

impl std::fmt::Display for RawAligned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RawAligned::Int(n) => write!(f, "{n}"),
            RawAligned::Name(n) => f.write_str(n),
        }
    }
}

/// An array's `len`: a number, or a C integer constant expression.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawLen {
    Int(i64),
    Expr(String),
}

impl std::fmt::Display for RawLen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RawLen::Int(n) => write!(f, "{n}"),
            RawLen::Expr(e) => write!(f, "{e:?}"),
        }
    }
}

/// `flexible = true`, or the macro that declares the member (`"__DECLARE_FLEX_ARRAY"`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawFlexible {
    /// `true`: `T name[];`.
    On(bool),
    /// The kernel's macro's name.
    Macro(String),
}

/// A `[[flags]]` set or an `[[enum]]`: named values that belong together.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    /// The set's name.
    pub name: S<String>,
    /// `define` (a run of `#define`s) or `enum` (a C enum).
    pub style: Option<S<String>>,
    /// A C enum with no tag (`enum { ... };`).
    pub anonymous: Option<S<bool>>,
    /// `typedef enum { ... } NAME;`: an enum without a tag, named by a typedef of the
    /// group's name, which a member's `type` names.
    pub typedef: Option<S<bool>>,
    /// `enum { ... } member;`: an enum without a tag, declared as the type of the one member
    /// whose `type` is `enum NAME` (NAME the group's).
    pub member: Option<S<bool>>,
    /// With `member`: `enum NAME { ... } member;`, the enum declared there with NAME as its
    /// tag (linux/cn_proc.h's `enum what` of 6.1), which C gives file scope.
    pub tagged: Option<S<bool>>,
    /// A C enum whose values may go past `int` (GCC's extension, standard since C23).
    pub past_int: Option<S<bool>>,
    /// `} __attribute__((packed));`: GCC lays the enum out as the smallest integer type that
    /// holds its values (linux/usb/ch11.h's `hub_led_mode`, an `unsigned char`).
    pub packed: Option<S<bool>>,
    /// Kernel-doc summary.
    pub summary: Option<S<String>>,
    /// Free text.
    pub doc: Option<S<String>>,
    /// The revision that added it.
    pub since: Option<S<RawRevs>>,
    /// `struct.field`: emit inside that struct, just before the field, as kernel headers do.
    pub inside: Option<S<String>>,
    /// The constants.
    pub values: S<Vec<S<RawValue>>>,
    /// A condition on <linux/libc-compat.h>'s `__UAPI_DEF_*` macros (`libc_compat =
    /// "__UAPI_DEF_IF_IFREQ"`): the header writes the item inside `#if CONDITION`, so that a
    /// C library header included first (glibc's <net/if.h>) turns the kernel's copy off.
    pub libc_compat: Option<S<String>>,
    /// Another header defines the enum (`extern = "drm/drm.h"`): a copy for the members that
    /// name it (i915_drm.h's `enum drm_vblank_seq_type seqtype`), not written again.
    #[serde(rename = "extern")]
    pub extern_header: Option<S<String>>,
}

/// One value of a `[[flags]]` set or an `[[enum]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawValue {
    /// The C name.
    pub name: S<String>,
    /// The value, written as given.
    pub value: Option<S<i64>>,
    /// `(1 << bit)`.
    pub bit: Option<S<i64>>,
    /// Same value as another constant, written as its name (`IOMMUFD_CMD_DESTROY = IOMMUFD_CMD_BASE`).
    pub alias: Option<S<String>>,
    /// A C enum's value as a C integer constant expression, written as given
    /// (perf_event.h's `PERF_CONTEXT_HV = (__u64)-32`).
    pub expr: Option<S<String>>,
    /// A C enum's value that is an ioctl number (binder.h's `BR_ERROR = _IOR('r', 0,
    /// __s32)`), as a `[[define]]`'s `ioctl`: its value is each target's encoding.
    pub ioctl: Option<S<RawIoctl>>,
    /// Kernel-doc or trailing comment text.
    pub doc: Option<S<String>>,
    /// A plain comment written above the value in the C enum (`/* TEGRA241_CMDQV
    /// requirements ... */`).
    pub comment: Option<S<String>>,
    /// The revision that added it.
    pub since: Option<S<RawRevs>>,
    /// One past the last valid value of an enum (`VFIO_AP_NUM_IRQS`): counted as C counts it
    /// in each revision, it moves when a value is added before it.
    pub sentinel: Option<S<bool>>,
    /// An enum's value the header also defines as itself, `#define NAME NAME` right below
    /// it, so that `#ifdef NAME` sees it (kvm.h's `kvm_device_type`).
    pub self_define: Option<S<bool>>,
    /// An enum's value the header then defines as a C expression of its name, `#define NAME
    /// (NAME - 1)` below the enum (linux/pkt_sched.h's `__TC_MQPRIO_MODE_MAX`): what C reads
    /// of the name from there on.
    pub redefine: Option<S<String>>,
    /// A condition on <linux/libc-compat.h>'s `__UAPI_DEF_*` macros (`libc_compat =
    /// "__UAPI_DEF_IF_IFREQ"`): the header writes the item inside `#if CONDITION`, so that a
    /// C library header included first (glibc's <net/if.h>) turns the kernel's copy off.
    pub libc_compat: Option<S<String>>,
}

/// A single `#define`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDefine {
    /// The C name.
    pub name: S<String>,
    /// A trailing comment.
    pub doc: Option<S<String>>,
    /// The revision that added it.
    pub since: Option<S<RawRevs>>,
    /// `struct.field`: write it inside that struct, above the field.
    pub inside: Option<S<String>>,
    /// The value, written as given.
    pub value: Option<S<i64>>,
    /// `(1 << bit)`.
    pub bit: Option<S<i64>>,
    /// OR of other constants: `or = ["IOMMU_SVA_VTD_GPASID_CD", ...]`.
    pub or: Option<S<Vec<S<String>>>>,
    /// A character constant: `char = ";"` is `(';')`.
    pub char: Option<S<String>>,
    /// An ioctl number: `ioctl = { type = "IOMMUFD_TYPE", nr = "IOMMUFD_CMD_DESTROY" }` is
    /// `_IO(...)`; with `dir` and `size`, `_IOR`, `_IOW` or `_IOWR`.
    pub ioctl: Option<S<RawIoctl>>,
    /// Another constant's name: `#define NAME OTHER`.
    pub alias: Option<S<String>>,
    /// A struct's or union's tag above it: `#define nvme_admin_cmd nvme_passthru_cmd`, so
    /// that `struct nvme_admin_cmd` names it.
    pub tag: Option<S<String>>,
    /// A C integer constant expression, written as given: `expr = "(1ULL << 40) - 1"`.
    pub expr: Option<S<String>>,
    /// A string: C string literals and string defines above, side by side, written as given
    /// (`string = '"ethtool"'`).
    pub string: Option<S<String>>,
    /// The revision that redefined it (a sentinel moving): it applies before that revision.
    pub until: Option<S<RawRevs>>,
    /// One past the last valid value; may change value in a later revision.
    pub sentinel: Option<S<bool>>,
    /// Why a kernel release removed it, with `until` naming that release (vfio.h's
    /// `VFIO_TYPE1_NESTING_IOMMU`, renamed `__VFIO_RESERVED_TYPE1_NESTING_IOMMU` after 6.12).
    pub removed: Option<S<String>>,
    /// Another header defines it (`extern = "linux/elf-em.h"`): a copy, not written again.
    #[serde(rename = "extern")]
    pub extern_header: Option<S<String>>,
    /// A condition on <linux/libc-compat.h>'s `__UAPI_DEF_*` macros (`libc_compat =
    /// "__UAPI_DEF_IF_IFREQ"`): the header writes the item inside `#if CONDITION`, so that a
    /// C library header included first (glibc's <net/if.h>) turns the kernel's copy off.
    pub libc_compat: Option<S<String>>,
    /// `#if CONDITION` around it, a test of the architecture (`front::when`): x86's
    /// asm/auxvec.h defines `AT_SYSINFO` under `#ifdef __i386__`.
    pub when: Option<S<String>>,
    /// It is defined in that condition's `#else` (asm/bitsperlong.h's `__BITS_PER_LONG` 32).
    pub unless: Option<S<String>>,
    /// `#ifndef NAME` around it: an architecture's header may define it first
    /// (asm-generic/fcntl.h's `O_DIRECT`), and its value then holds.
    pub ifndef: Option<S<bool>>,
}

impl RawDefine {
    /// Each key given beside `name` and `doc`, with where: what a define of no integer (`tag`,
    /// `string`) checks against the few it takes.
    pub fn keys_given(&self) -> Vec<(std::ops::Range<usize>, &'static str)> {
        fn at<T>(
            x: &Option<S<T>>,
            key: &'static str,
        ) -> Option<(std::ops::Range<usize>, &'static str)> {
            x.as_ref().map(|x| (x.span(), key))
        }
        [
            at(&self.value, "value"),
            at(&self.bit, "bit"),
            at(&self.or, "or"),
            at(&self.char, "char"),
            at(&self.ioctl, "ioctl"),
            at(&self.alias, "alias"),
            at(&self.tag, "tag"),
            at(&self.expr, "expr"),
            at(&self.string, "string"),
            at(&self.inside, "inside"),
            at(&self.since, "since"),
            at(&self.until, "until"),
            at(&self.sentinel, "sentinel"),
            at(&self.removed, "removed"),
            at(&self.extern_header, "extern"),
            at(&self.libc_compat, "libc_compat"),
            at(&self.when, "when"),
            at(&self.unless, "unless"),
            at(&self.ifndef, "ifndef"),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// `ioctl = { type, nr, dir, size }`: `_IO(type, nr)`, `_IOR(type, nr, size)`, ...; or
/// `ioctl = { macro, args }`: a call of an ioctl wrapper macro (`DRM_IOWR(nr, type)`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIoctl {
    /// The ioctl type: a constant name or a C expression (`"'V'"`).
    #[serde(rename = "type")]
    pub ty: Option<S<toml::Value>>,
    /// The command number: a constant name, an integer or a C expression (`"VFIO_BASE + 0"`).
    pub nr: Option<S<toml::Value>>,
    /// `"none"` (the default), `"r"`, `"w"` or `"rw"`: `_IO`, `_IOR`, `_IOW`, `_IOWR`.
    pub dir: Option<S<String>>,
    /// The argument type, as C writes it: `struct NAME` or a scalar type (`__u32`, `int`).
    pub size: Option<S<String>>,
    /// Written `_IOC(_IOC_DIR, type, nr, sizeof(size))`, as xen/privcmd.h writes its numbers:
    /// the form that takes `"none"` with a size (and no `size`: `0`).
    pub ioc: Option<S<bool>>,
    /// An ioctl wrapper macro (a `[[macro]]` whose body is one `_IO`...`_IOWR` call) the
    /// number is written through, instead of `type`, `nr`, `dir` and `size`.
    #[serde(rename = "macro")]
    pub via: Option<S<String>>,
    /// The wrapper's arguments, as C writes them, one per parameter: C integer expressions,
    /// and the argument type at its size parameter.
    pub args: Option<S<Vec<S<String>>>>,
    /// `struct NAME`, the argument of an `_IO` number whose struct carries its own size
    /// (iommufd.h's, vfio.h's argsz ioctls), which the number does not encode.
    pub arg: Option<S<String>>,
}

/// Parses one schema file; TOML syntax errors and unknown keys come back located.
pub fn parse(source: &Source) -> Result<RawSchema, Error> {
    toml::from_str::<RawSchema>(&source.text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        Error::Schema(vec![Diagnostic::at(source, span, e.message().trim_end())])
    })
}
