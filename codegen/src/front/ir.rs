//! The intermediate representation: what every emitter reads. Names are resolved to typed
//! ids ([`StructId`], [`GroupId`], [`DefineId`], [`RevId`]: positions in the family's tables),
//! constant values are evaluated, and every item keeps the byte span it came from so the check
//! stage can point at it. Emitters never change it.

use std::ops::Range;

use crate::diag::Source;
// Re-exported so that a reader of the IR has its ids with it.
pub use super::ids::{
    DefineId, GroupId, MacroId, RevId, RevSet, StringId, StructId, TagAliasId, TypedefId,
};

/// Byte range in the schema file's text.
pub type Span = Range<usize>;

/// One uAPI family: one schema file, one kernel header, its whole revision history.
#[derive(Debug, Clone)]
pub struct Family {
    /// The family name: Rust module and validator header name.
    pub name: String,
    /// The schema text, for diagnostics.
    pub source: std::sync::Arc<Source>,
    /// File name of the schema (`iommu.toml`), used in the generated-file marker.
    pub schema_file: String,
    /// Path below `include/uapi/`, e.g. `linux/iommu.h`.
    pub header: String,
    /// Where the schema writes `header`.
    pub header_span: Span,
    /// The header's include guard.
    pub guard: String,
    /// Where the schema writes `guard`.
    pub guard_span: Span,
    /// SPDX expression of the header's first line.
    pub license: String,
    /// Comment block written below the SPDX line.
    pub description: Option<String>,
    /// Set for a family that is not the kernel's (a series never merged): what it is. The
    /// trees for the kernel, QEMU and rust-vmm leave it out.
    pub proposal: Option<String>,
    /// `c_only = true`: C++ keywords are names here (as in the kernel's linux/keyctl.h), so
    /// the header does not compile as C++.
    pub c_only: bool,
    /// `#include <...>` lines, in order.
    pub includes: Vec<String>,
    /// Headers a program includes before this one (`assumes`): the header uses what they
    /// define without including them (linux/sysctl.h's `size_t`), as the kernel's does; the
    /// proofs include them first, the header does not.
    pub assumes: Vec<String>,
    /// The ones of `includes` the header writes below a constant instead of at the top: (the
    /// header, the constant).
    pub includes_after: Vec<(String, String)>,
    /// The version history, oldest first.
    pub revisions: Vec<Revision>,
    /// Every struct, in schema order.
    pub structs: Vec<Struct>,
    /// `[[flags]]` sets and `[[enum]]`s, in schema order.
    pub groups: Vec<ConstGroup>,
    /// Single `[[define]]`s, in schema order.
    pub defines: Vec<Define>,
    /// `[[macro]]`s, in schema order: C's, which the defines' expressions call.
    pub macros: Vec<MacroDef>,
    /// `[[typedef]]`s, in schema order.
    pub typedefs: Vec<Typedef>,
    /// `[[define]]`s of another name for a struct's tag, in schema order.
    pub tag_aliases: Vec<TagAlias>,
    /// `[[define]]`s of a string, in schema order.
    pub strings: Vec<StringDefine>,
    /// The structs and unions pointers point to that no header defines (`incomplete`), as C
    /// names them (`struct xt_match`, `union i2c_smbus_data`), in the order the schema first
    /// names them.
    pub incomplete: Vec<String>,
    /// The functions pointers point to (`Pointee::Function`), in the order the schema first
    /// writes them.
    pub functions: Vec<FnSig>,
    /// Top-level items in the order the schema lists them (the header's order).
    pub items: Vec<ItemRef>,
    /// The revision this is a view of (`at_revision`); None for the whole history.
    pub revision: Option<RevId>,
}

/// A top-level item of the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemRef {
    /// A struct.
    Struct(StructId),
    /// A flag set or an enum.
    Group(GroupId),
    /// A single define.
    Define(DefineId),
    /// A function-like macro.
    Macro(MacroId),
    /// A typedef.
    Typedef(TypedefId),
    /// A `#define` of another name for a struct's tag.
    TagAlias(TagAliasId),
    /// A `#define` of a string.
    String(StringId),
}

/// One `[[revision]]`.
#[derive(Debug, Clone)]
pub struct Revision {
    /// What `since`/`until` name, and the revision's Rust module name.
    pub id: String,
    /// What people call it (`Linux v6.8`).
    pub label: String,
    /// A stable branch's revision: the revision it branched from (`base` in the schema).
    /// None: a mainline revision.
    pub base: Option<RevId>,
    /// The revision it extends: `base` for a branch's, the mainline revision listed before it
    /// for a mainline one; None for the first.
    pub parent: Option<RevId>,
    /// Itself and its ancestors (through `parent`): the revisions whose changes it has.
    pub line: RevSet,
    /// Where the schema lists it.
    pub span: Span,
}

impl Revision {
    /// Whether an item that begins at `since` and ends at `until` exists in this revision.
    pub fn has(&self, since: RevSet, until: RevSet) -> bool {
        since.meets(self.line) && !until.meets(self.line)
    }
}

pub use uapigen_uaccess::Errno;

/// How the kernel copies a struct from user memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Convention {
    /// First field `__u32 argsz`; minsz checks; bytes beyond the kernel's size are ignored.
    Argsz,
    /// First field `__u32 size`; `copy_struct_from_user`: shorter is zero-filled, longer needs
    /// a zero tail.
    Size,
    /// Driver data whose type and length come from the enclosing command (iommufd's
    /// `iommu_copy_struct_from_user`): length in [min_size, sizeof], then copy_struct_from_user.
    UserData,
}

impl Convention {
    /// The field that carries the user's size, if the struct has one.
    pub fn size_field(self) -> &'static str {
        match self {
            Convention::Argsz => "argsz",
            Convention::Size => "size",
            Convention::UserData => "",
        }
    }

    /// The convention's schema spelling.
    pub fn name(self) -> &'static str {
        match self {
            Convention::Argsz => "argsz",
            Convention::Size => "size",
            Convention::UserData => "user_data",
        }
    }
}

/// A layout the kernel shipped although it is not one layout on every ABI.
#[derive(Debug, Clone)]
pub struct AbiTrap {
    /// Revisions whose layout is the trap.
    pub revisions: Vec<RevId>,
    /// The revisions that fixed the layout (one per line of history that has the fix).
    pub fixed: RevSet,
    /// Why, as the schema says it.
    pub note: String,
}

/// How a struct is copied from user space and checked: everything a validator needs.
#[derive(Debug, Clone)]
pub struct Validation {
    /// The kernel's minimum size (argsz `minsz`, size `min_size`, driver data `min_len`).
    pub min_size: SizeRef,
    /// More size needed when a discriminant says so (argsz only).
    pub min_size_when: Vec<MinSizeWhen>,
    /// For `UserData`: the data-type constant (name, value).
    pub data_type: Option<(String, u64)>,
    /// Content checks in the kernel's order; the first failing decides.
    pub rules: Vec<Rule>,
    /// The payloads the flexible array member holds, checked after the rules.
    pub payload: Option<Payload>,
    /// How later revisions copy the struct, oldest first (`convention_change`); a revision's
    /// view has applied the last one it has (its struct's `convention`, this `ksize`). The
    /// struct's size field keeps the first convention's name (`argsz`).
    pub changes: Vec<ConventionChange>,
    /// copy_struct_from_user's `ksize`, when a revision's kernel copies less than `sizeof`
    /// (set only in a revision's view).
    pub ksize: Option<SizeRef>,
}

/// A convention later revisions copy a struct by (`convention_change`).
#[derive(Debug, Clone)]
pub struct ConventionChange {
    /// The revisions that made the change (one per line of history).
    pub since: RevSet,
    /// The convention from then on.
    pub convention: Convention,
    /// copy_struct_from_user's `ksize`, when not `sizeof`.
    pub ksize: Option<SizeRef>,
}

/// A struct whose flexible array member holds one of several payloads, chosen by the bits
/// `mask` of an integer member, with operation bits beside them: VFIO_DEVICE_FEATURE
/// (drivers/vfio/vfio_main.c, `vfio_ioctl_device_feature`, Linux 7.2). After the struct's
/// rules the kernel picks the payload (`switch (feature.flags & VFIO_DEVICE_FEATURE_MASK)`,
/// a value none has: `unknown`) and checks the request as include/linux/vfio.h's
/// `vfio_check_feature` does: an operation the payload does not support is -EINVAL, PROBE
/// returns 0, neither GET nor SET is -EINVAL, fewer payload bytes (`argsz - minsz`) than its
/// `minsz` is -EINVAL.
#[derive(Debug, Clone)]
pub struct Payload {
    /// The flexible array member's name (`data`).
    pub member: String,
    /// The member the selector and operation bits are read from (`flags`).
    pub field: FieldPath,
    /// The selector's bits (`VFIO_DEVICE_FEATURE_MASK`).
    pub mask: ValueRef,
    /// The operation reading the payload back (`VFIO_DEVICE_FEATURE_GET`).
    pub get: ValueRef,
    /// The operation handing it in (`VFIO_DEVICE_FEATURE_SET`).
    pub set: ValueRef,
    /// Only whether it is supported (`VFIO_DEVICE_FEATURE_PROBE`).
    pub probe: ValueRef,
    /// What a selector no payload has returns.
    pub unknown: Errno,
    /// The payloads, in the schema's order.
    pub cases: Vec<PayloadCase>,
}

/// What one payload is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadBody {
    /// A struct: the kernel's `minsz` is its `sizeof`.
    Struct(StructId),
    /// A size in bytes with no struct (the VF token's `uuid_t`, or none at all).
    Bytes(u64),
}

/// One payload: the selector value, what it holds and which operations it supports.
#[derive(Debug, Clone)]
pub struct PayloadCase {
    /// `field & mask` equals it.
    pub equals: ValueRef,
    /// What the payload is.
    pub body: PayloadBody,
    /// The supported operations: `get`, `set` or both (`supported_ops`).
    pub ops: u64,
    /// The revisions whose kernel has it.
    pub since: RevSet,
    /// The revisions whose kernel no longer has it.
    pub until: RevSet,
    /// The schema's doc.
    pub doc: Option<String>,
    /// Where the schema writes it.
    pub span: Span,
}

/// A size written as the kernel writes it.
#[derive(Debug, Clone)]
pub enum SizeRef {
    /// `sizeof(struct)`.
    Whole,
    /// `offsetof(struct, path)`.
    OffsetOf(FieldPath),
    /// `offsetofend(struct, path)`.
    OffsetOfEnd(FieldPath),
}

impl SizeRef {
    /// The size as C writes it: `offsetofend(granu.pasid_info)`.
    pub fn text(&self) -> String {
        match self {
            SizeRef::Whole => "sizeof".to_string(),
            SizeRef::OffsetOf(p) => crate::names::cat(&["offsetof(", &p.text, ")"]),
            SizeRef::OffsetOfEnd(p) => crate::names::cat(&["offsetofend(", &p.text, ")"]),
        }
    }
}

/// argsz only: `argsz` must reach `size` when every `when` condition holds.
#[derive(Debug, Clone)]
pub struct MinSizeWhen {
    /// Conditions on bytes within `min_size`.
    pub when: Vec<Cond>,
    /// The size needed.
    pub size: SizeRef,
    /// The revisions whose kernel asks for it.
    pub since: RevSet,
    /// The check written out, for `Rejected::rule`.
    pub text: String,
    /// Where the schema writes it.
    pub span: Span,
}

/// If every `when` condition holds, every `require` condition must, else `-errno`.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The conditions under which the rule applies.
    pub when: Vec<Cond>,
    /// What must hold.
    pub require: Vec<Cond>,
    /// What a violation returns.
    pub errno: Errno,
    /// What the rule says, for a rejected user (`uapigen decode`, `Rejected::rule`).
    pub text: String,
    /// The revisions whose kernel began making the check (the struct's, unless the schema
    /// says otherwise).
    pub since: RevSet,
    /// The revisions whose kernel no longer makes it; empty: still made.
    pub until: RevSet,
    /// Where the schema writes it.
    pub span: Span,
}

/// A predicate on one field.
#[derive(Debug, Clone)]
pub struct Cond {
    /// The field read.
    pub field: FieldPath,
    /// What must hold of it.
    pub pred: Pred,
    /// Where the schema writes it.
    pub span: Span,
}

/// What a condition checks of a field's value.
#[derive(Debug, Clone)]
pub enum Pred {
    /// `field == value`.
    Equals(ValueRef),
    /// `field != value`.
    NotEquals(ValueRef),
    /// `field < value`.
    Below(ValueRef),
    /// `field & value == 0`.
    Lacks(ValueRef),
    /// `field & value == value`.
    Has(ValueRef),
    /// `field >= value`.
    AtLeast(ValueRef),
    /// `field & ~mask == 0`, the mask being the OR of the flag set.
    KnownFlags(GroupId),
    /// Every byte zero.
    Zero,
    /// Some byte non-zero.
    NonZero,
    /// `field % n == 0` (n a power of two).
    Aligned(u64),
}

/// A value in a condition: a number, or a constant's value and name.
#[derive(Debug, Clone)]
pub struct ValueRef {
    /// The value.
    pub value: u64,
    /// The constant's name when the schema named one (`U64_MAX` included).
    pub name: Option<String>,
}

impl ValueRef {
    /// The constant's name, or the number.
    pub fn text(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.value.to_string())
    }
}

/// A path to a field from a struct: `granu.addr_info.flags`. Anonymous unions are hops with no
/// C name (Rust still needs their field name).
#[derive(Debug, Clone)]
pub struct FieldPath {
    /// As the schema wrote it (`granu.addr_info.flags`).
    pub text: String,
    /// Each hop from the struct to the field.
    pub segments: Vec<Segment>,
    /// The field's scalar type (None for a struct or union) and array length; conditions apply
    /// only to scalars and arrays of them, sizes to anything.
    pub scalar: Option<Scalar>,
    /// The field is a pointer (`scalar` is None): the ABI's word, which no condition reads.
    pub pointer: bool,
    /// Array length of the field, if an array.
    pub len: Option<u64>,
    /// The field is a flexible array member: beyond `sizeof`, so no condition reads it.
    pub flexible: bool,
    /// The path goes through a packed struct (the one it starts from included): the field
    /// may be unaligned, so Rust reads it by value and never borrows it.
    pub packed: bool,
    /// The `[[flags]]` set of the field.
    pub flags: Option<GroupId>,
}

/// One hop of a field path.
#[derive(Debug, Clone)]
pub struct Segment {
    /// The member name in C (`None`: an anonymous union).
    pub c_name: Option<String>,
    /// The member name in Rust.
    pub rust_name: String,
    /// A union member: Rust reads it in `unsafe`.
    pub in_union: bool,
    /// Index in its container (a struct's fields or a union's members); a struct-typed
    /// segment starts a new container, that struct's fields.
    pub index: usize,
}

impl FieldPath {
    /// The path as C accesses it (anonymous unions have no name to write).
    pub fn c_access(&self) -> String {
        // Joined in place (every C condition reads one): no copy of each name first.
        let mut out = String::with_capacity(self.text.len() + 8);
        for (i, name) in self
            .segments
            .iter()
            .filter_map(|s| s.c_name.as_deref())
            .enumerate()
        {
            if i > 0 {
                out.push('.');
            }
            out.push_str(name);
        }
        out
    }

    /// Whether the path goes through a union member.
    pub fn through_union(&self) -> bool {
        self.segments.iter().any(|s| s.in_union)
    }
}

/// A C struct.
#[derive(Debug, Clone)]
pub struct Struct {
    /// The C tag.
    pub name: String,
    /// Kernel-doc summary (`struct x - summary`).
    pub summary: Option<String>,
    /// Free text after the member list.
    pub doc: Option<String>,
    /// How the kernel copies it from user memory, if it is validated.
    pub convention: Option<Convention>,
    /// Present exactly when `convention` is.
    pub validation: Option<Validation>,
    /// A shipped layout that differs between ABIs, acknowledged.
    pub abi_trap: Option<AbiTrap>,
    /// The revisions that added it (`RevSet`: one per line of history).
    pub since: RevSet,
    /// The members, in order.
    pub fields: Vec<Field>,
    /// `__attribute__((packed))`: each member's alignment is 1 unless the member has its own
    /// `aligned`, as gcc lays it out.
    pub packed: bool,
    /// `__attribute__((aligned(n)))` on the struct: its alignment is at least n (a power of
    /// two), its size a multiple of it.
    pub aligned: Option<u64>,
    /// The constant C writes for `aligned`'s n (`aligned(ALIGN_SIZE)`), if any.
    pub aligned_name: Option<String>,
    /// `#pragma pack(n)` (linux/batadv_packet.h, x86's asm/amd_hsmp.h): each member's
    /// alignment, at any depth, at most n; every `Field::pack` of it says so too.
    pub pack: Option<u64>,
    /// `} EPOLL_PACKED;` (linux/eventpoll.h): packed on the targets where the macro's
    /// condition holds (`packed_on`).
    pub packed_by: Option<PackedBy>,
    /// `__attribute__((deprecated))` (linux/usb/functionfs.h's legacy header, sound/asound.h's
    /// `snd_pcm_sync_id`): no layout changes; only the C header writes it.
    pub deprecated: bool,
    /// `__attribute__((__may_alias__))` (linux/btrfs.h's `btrfs_ioctl_search_header`, which
    /// the kernel reads in place from a buffer): no layout changes; only the C header writes it.
    pub may_alias: bool,
    /// `rust_opaque = true`: its Rust types (both profiles) are its bytes, `[u8; N]` sized and
    /// aligned as C lays it out, as bindgen's opaque types are; C and the proofs are unchanged.
    /// For a layout Rust's `#[repr]` cannot follow (`layout::rust_unfaithful`).
    pub rust_opaque: bool,
    /// A union at file scope (`[[union]]`): every member at offset 0, its size the largest
    /// rounded up to its alignment. It has no size convention, rules or capabilities.
    pub union: bool,
    /// No tag: `typedef struct { ... } NAME;`, whose type is `NAME` (`c_type`).
    pub typedef: bool,
    /// Set on an info struct the kernel follows with a capability chain.
    pub caps: Option<CapChain>,
    /// Set on a struct that is one capability of a chain.
    pub capability: Option<Capability>,
    /// Where the schema writes it.
    /// `extern`: another header (one of `Family::includes`) defines it; this is a copy the
    /// Rust bindings and the checks read, which the C header does not write again.
    pub extern_header: Option<String>,
    /// `#if CONDITION` around it in the C header: <linux/libc-compat.h>'s `__UAPI_DEF_*` macros,
    /// which a C library header included first sets to 0. Everything else reads the item as
    /// the header declares it when no such header came first (every condition true).
    pub libc_compat: Option<String>,
    /// The schema's `when` or `unless`: the struct exists on some targets only (x86's
    /// asm/stat.h's `struct stat64`, i686's). Every target lays it out; the header, the Rust
    /// types, the checks and the proofs read it only where it exists.
    pub when: Option<Box<When>>,
    pub span: Span,
    /// Where the schema writes its name.
    pub name_span: Span,
}

/// A struct member or a union member.
#[derive(Debug, Clone)]
pub struct Field {
    /// `None` for an anonymous union or struct.
    pub name: Option<String>,
    /// The member name in Rust.
    pub rust_name: String,
    /// Its type.
    pub ty: FieldType,
    /// Array length, if the field is an array of a fixed length.
    pub len: Option<u64>,
    /// Set when the field is a flexible array member: the struct's last, laid out at its
    /// element's alignment and counted in no `sizeof` (`len` is then None).
    pub flexible: Option<Flexible>,
    /// `__attribute__((aligned(n)))` on the member (a power of two): gcc raises the member's
    /// alignment to n, or in a packed struct sets it to n.
    pub aligned: Option<u64>,
    /// The constant C writes for `aligned`'s n (linux/target_core_user.h's `ALIGN_SIZE`).
    pub aligned_name: Option<String>,
    /// `__attribute__((aligned(__alignof__(struct X))))` (linux/netfilter_bridge/ebtables.h's
    /// `data[]`): gcc raises the member's alignment to X's on each target, which differs
    /// between targets where X holds a pointer or a `long`.
    pub aligned_of: Option<StructId>,
    /// Its `aligned` is its typedef's (`Typedef::aligned`: `vring_used_elem_t ring[];`),
    /// which C writes in the typedef, not on the member.
    pub typedef_aligned: bool,
    /// Its typedef's `aligned` is below its type's alignment on some target (rdma/ib_user_mad.h's
    /// `typedef unsigned long __attribute__((aligned(4))) packed_ulong;`): gcc lowers it there,
    /// and the Rust type holding the member is `packed(n)`.
    pub typedef_lowers: bool,
    /// Its `len` is its typedef's (`Typedef::len`: `dvd_challenge chal;`), which C writes in
    /// the typedef, not after the member's name.
    pub typedef_len: bool,
    /// The `#pragma pack(n)` of its struct (`Struct::pack`), on every member at any depth:
    /// its alignment at most n, whatever its type or `aligned` ask.
    pub pack: Option<u64>,
    /// Kernel-doc `@name:` text.
    pub doc: Option<String>,
    /// A plain comment line written above the member.
    pub comment: Option<String>,
    /// The revisions that added it (`RevSet`: one per line of history).
    pub since: RevSet,
    /// The first revisions without this field (it was re-purposed then); empty: still present.
    pub until: RevSet,
    /// Bytes that must be zero today and that a later revision may re-purpose.
    pub reserved: bool,
    /// An array's further dimensions, outermost first (`[4][8]`: `len` 4, `dims` `[8]`); an
    /// element of `len` (or of a flexible array) is the scalar times their product.
    pub dims: Vec<u64>,
    /// The `[[flags]]` set whose bits it accepts.
    pub flags: Option<GroupId>,
    /// The `[[enum]]` whose values it holds.
    pub values: Option<GroupId>,
    /// `type = "enum TAG"`: C declares the member with the enum's type (tag `TAG`, the enum
    /// `values` names), laid out as `ty`, the integer C gives that enum (`EnumRepr`).
    pub c_enum: Option<String>,
    /// `type = "canid_t"`: C declares the member with a `[[typedef]]`'s name; `ty` is what
    /// the typedef names.
    pub c_typedef: Option<TypedefId>,
    /// Constants the header defines inside the struct, just before this field.
    pub before: Vec<ItemRef>,
    /// A bitfield's width in bits (`__u8 ihl:4`); the type is an integer scalar, laid out
    /// by the ABI's bitfield rules (`layout::place_struct`). `name` None: padding bits.
    pub bits: Option<u32>,
    /// `__attribute__((packed))` on an inline union or struct (io_uring.h's `union { ... }
    /// __attribute__((packed));`): its members 1-aligned, and so the aggregate.
    pub packed: bool,
    /// A member of a run the header declares per byte order. Bitfields: each byte's in
    /// reverse on a big-endian ABI (`layout::place_struct`), so each keeps its bits in memory.
    /// Other members: the run in reverse there, so each keeps its place in the word they make.
    pub byte_order: bool,
    /// The first member of its run declared per byte order (two runs of members that are not
    /// bitfields may stand side by side, md_p.h's `events` and `cp_events` pairs).
    pub byte_order_starts: bool,
    /// A bitfield of a run declared per byte order that a big-endian ABI declares in reverse
    /// as a whole (`byte_order = "word"`, drbd.h's `drbd_state`, perf_event.h's
    /// `perf_mem_data_src`): the run is one unit of its type, each bitfield keeping its bits
    /// of the unit's value, not of memory.
    pub byte_order_word: bool,
    /// The last bitfield of a run declared per byte order, whole bytes, that the big-endian
    /// declaration leaves out, its bits given to the bitfield ending the byte before there
    /// (`byte_order = "merged"`: linux/icmpv6.h's `reserved2:24`, taken into `reserved:29`).
    pub byte_order_merged: bool,
    /// That bitfield's width in the big-endian declaration, its own and the merged one's
    /// (`reserved`'s 29): the run's bitfield at bit 0 of the byte before a merged one.
    pub big_endian_bits: Option<u32>,
    /// `const` and `volatile` on the member's type: C's qualifiers, which change no layout;
    /// Rust has no form for either (bindgen drops them).
    pub qualifiers: Qualifiers,
    /// An inline union or struct's tag (`struct fork_proc_event { ... } fork;`): C declares
    /// the type where the member is; nothing else in the schema names it.
    pub tag: Option<String>,
    /// `#if CONDITION` around it in the C header: <linux/libc-compat.h>'s `__UAPI_DEF_*` macros,
    /// which a C library header included first sets to 0. Everything else reads the item as
    /// the header declares it when no such header came first (every condition true).
    pub libc_compat: Option<String>,
    /// `len` written as a C expression (`len = "200 - sizeof(unsigned long)"`, `len =
    /// "IFNAMSIZ"`): `len` is its value on the first target.
    pub len_expr: Option<LenExpr>,
    /// The schema's `embeds_flexible = true`: the member is (or is an array of) a struct ending
    /// in a flexible array member, somewhere C forbids it and GNU C takes it (before another
    /// member, in a union, as an array's element): the kernel's own forms, which overlay the
    /// inner array on what follows.
    pub embeds_flexible: bool,
    /// The schema's `when` or `unless`: the member exists on some targets only. Boxed: most
    /// members have none, and every member is moved a few times.
    pub when: Option<Box<When>>,
    /// The call of a declaring `[[macro]]` the header writes for the member (`declared_by`);
    /// the member is what the call expands to.
    pub declared_by: Option<Box<DeclaredBy>>,
    /// Where the schema writes it.
    pub span: Span,
}

/// `RDMA_UAPI_PTR(void *, val_ptr)`: the macro and its arguments as the call writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredBy {
    pub macro_id: MacroId,
    pub args: Vec<String>,
}

/// A member or define declared under `#if CONDITION` (or its `#else`), a test of the
/// architecture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct When {
    /// The condition, on one line, as the header writes it after `#if`.
    pub text: String,
    /// The item is its `#else`'s (`unless`).
    pub negated: bool,
    /// Whether the item exists on each of `layout::TARGETS`.
    pub on: Vec<bool>,
}

impl When {
    /// The condition an `#if` of its own tests: the text, or `!(text)` for an `#else`'s item.
    pub fn tested(&self) -> String {
        if self.negated {
            format!("!({})", self.text)
        } else {
            self.text.clone()
        }
    }

    /// Whether the item exists on `target`.
    pub fn holds(&self, target: &crate::model::layout::Target) -> bool {
        self.on.get(target.index()).copied().unwrap_or(true)
    }

    /// The `target_arch` of each target that has the item, for Rust's `cfg`.
    pub fn arches(&self) -> Vec<&'static str> {
        crate::model::layout::TARGETS
            .iter()
            .zip(&self.on)
            .filter(|(_, on)| **on)
            .map(|(t, _)| t.rust_arch)
            .collect()
    }
}

/// A member's type qualifiers, as C writes them before the type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Qualifiers {
    /// `const`.
    pub konst: bool,
    /// `volatile`.
    pub volatile: bool,
}

impl Qualifiers {
    /// What C writes before the type: `""`, `"const "`, `"volatile "` or `"const volatile "`.
    pub fn c_prefix(self) -> &'static str {
        match (self.konst, self.volatile) {
            (false, false) => "",
            (true, false) => "const ",
            (false, true) => "volatile ",
            (true, true) => "const volatile ",
        }
    }

    /// Either.
    pub fn any(self) -> bool {
        self.konst || self.volatile
    }
}

/// How a header spells a flexible array member; both are laid out alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flexible {
    /// C99's `T name[];`.
    Unsized,
    /// GNU's zero-length array `T name[0];`, which older headers still use.
    ZeroLength,
    /// `__DECLARE_FLEX_ARRAY(T, name);` (<linux/stddef.h>): `T name[]` in an anonymous struct
    /// beside an empty one, which may stand alone in a struct or in a union that ends one.
    Declared,
}

impl Flexible {
    /// The declarator's suffix: `[]` or `[0]`.
    pub fn c_suffix(self) -> &'static str {
        match self {
            Flexible::Unsized | Flexible::Declared => "[]",
            Flexible::ZeroLength => "[0]",
        }
    }
}

/// An array length the header writes as a C integer constant expression: over constants
/// above and `sizeof` of scalar types, so it may differ between ABIs (linux/x25.h's `char
/// device[200-sizeof(unsigned long)]`; asm-generic/ipcbuf.h's `__pad1[4 -
/// sizeof(__kernel_mode_t)]`, 0 where `mode_t` is 32-bit: a zero-length array, not a flexible
/// one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LenExpr {
    /// The text, as the header writes it.
    pub text: String,
    /// Its value on each of `layout::TARGETS`, where they differ.
    pub on: Option<Vec<u64>>,
}

impl Family {
    /// The function `p` points to, directly (`R (*)(P)`) or as a `function` typedef's pointer
    /// (`__signalfn_t *`).
    pub fn to_function(&self, p: &Pointer) -> Option<&FnSig> {
        match p.to {
            Pointee::Function(i) => Some(&self.functions[i]),
            Pointee::Typedef(t) if self.typedefs[t.0].function => match &self.typedefs[t.0].ty {
                FieldType::Pointer(Pointer {
                    to: Pointee::Function(i),
                    ..
                }) => Some(&self.functions[*i]),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether a member of `fields`, at any depth, is a function pointer: Rust derives no
    /// `PartialEq` (nor `Eq`, `Hash`) for it (rustc's `unpredictable_function_pointer_
    /// comparisons`), as bindgen does not.
    pub fn has_fn_pointer(&self, fields: &[Field]) -> bool {
        fields.iter().any(|f| match &f.ty {
            FieldType::Pointer(p) => self.to_function(p).is_some(),
            FieldType::Inline(_, ms) => self.has_fn_pointer(ms),
            FieldType::Struct(i) => self.has_fn_pointer(&self.struct_(*i).fields),
            FieldType::Scalar(_) => false,
        })
    }
}

impl Field {
    /// Whether the member exists on `target` (a `when` or `unless` may leave it out).
    pub fn on(&self, target: &crate::model::layout::Target) -> bool {
        self.when.as_ref().is_none_or(|w| w.holds(target))
    }

    /// The C array suffix of the member: `[6]`, `[]`, `[0]`, or nothing.
    pub fn c_array_suffix(&self) -> String {
        let mut out = match (self.len, self.flexible, &self.len_expr) {
            _ if self.typedef_len => String::new(),
            (_, Some(fl), _) => fl.c_suffix().to_string(),
            (Some(_), None, Some(e)) => format!("[{}]", e.text),
            (Some(n), None, None) => format!("[{n}]"),
            (None, None, _) => String::new(),
        };
        for d in &self.dims {
            out += &format!("[{d}]");
        }
        out
    }

    /// How many of its type one element of the array holds: the product of `dims` (1 for a
    /// one-dimensional array or a single member).
    pub fn row(&self) -> u64 {
        // Saturating: resolve refuses rows past the largest struct, layout past it too.
        self.dims
            .iter()
            .try_fold(1u64, |a, d| a.checked_mul(*d))
            .unwrap_or(u64::MAX)
    }

    /// How many elements `sizeof` counts on `target`: 1 for a single member, 0 for a flexible
    /// array.
    pub fn sized_count(&self, target: &crate::model::layout::Target) -> u64 {
        match (self.len_on(target), self.flexible) {
            (_, Some(_)) => 0,
            (n, None) => n.unwrap_or(1),
        }
    }

    /// The array's longest length on any target.
    pub fn max_len(&self) -> Option<u64> {
        match self.len_expr.as_ref().and_then(|e| e.on.as_ref()) {
            Some(on) => on.iter().copied().max(),
            None => self.len,
        }
    }

    /// The array's length on `target` (`len`, or its `len_expr`'s value there).
    pub fn len_on(&self, target: &crate::model::layout::Target) -> Option<u64> {
        match self.len_expr.as_ref().and_then(|e| e.on.as_ref()) {
            Some(on) => on.get(target.index()).copied(),
            None => self.len,
        }
    }

    /// Whether the member is an array, fixed or flexible.
    pub fn is_array(&self) -> bool {
        self.len.is_some() || self.flexible.is_some()
    }

    /// The name kernel-doc and diagnostics use: the field name, or `(anonymous union)` /
    /// `(anonymous struct)`.
    pub fn display_name(&self) -> &str {
        match (&self.name, &self.ty) {
            (Some(n), _) => n,
            (None, FieldType::Inline(Aggregate::Struct, _)) => "(anonymous struct)",
            (None, FieldType::Inline(Aggregate::Union, _)) => "(anonymous union)",
            // Only a bitfield may be anonymous otherwise (resolve).
            (None, _) => "(padding bits)",
        }
    }
}

/// A member's type.
#[derive(Debug, Clone)]
pub enum FieldType {
    /// An integer type.
    Scalar(Scalar),
    /// An embedded struct; always an earlier one (C needs it complete).
    Struct(StructId),
    /// An aggregate written inline, without a tag: `union { ... } u;`, or an untagged
    /// `struct { ... } s;`; anonymous (its members the enclosing aggregate's, as in C11)
    /// when the field has no name.
    Inline(Aggregate, Vec<Field>),
    /// A pointer: the ABI's word, 4 bytes on i686 and arm, 8 on the 64-bit ABIs (so a struct
    /// holding one differs between ABIs, an `abi_trap`). uAPI structs carry user addresses
    /// as `__aligned_u64`; the older headers (vfio.h's `vfio_bitmap`) shipped pointers.
    Pointer(Pointer),
}

/// `const T __user *`: what a pointer member points to, as the header spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pointer {
    pub to: Pointee,
    /// `const T *`.
    pub konst: bool,
    /// `T __user *`: sparse's address space of user memory (headers_install removes it).
    pub user: bool,
    /// `T **`: a pointer to a pointer to T (linux/sem.h's `struct sem_queue
    /// **sem_pending_last`); `konst` and `user` qualify T.
    pub to_pointer: bool,
}

impl Pointer {
    /// A pointer to `Family::functions`' function `i` (never `const`, `__user` or `**`).
    pub fn function(i: usize) -> Pointer {
        Pointer {
            to: Pointee::Function(i),
            konst: false,
            user: false,
            to_pointer: false,
        }
    }

    /// What the declarator's `*` follows, as the kernel writes it: `const char __user`,
    /// `struct vfio_bitmap`, `void __user`.
    pub fn c_base(&self, family: &Family) -> String {
        let to = match self.to {
            Pointee::Void => "void",
            Pointee::Scalar(s) => s.c_name(),
            Pointee::Struct(i) => return self.spell(&family.struct_(i).c_type()),
            Pointee::Incomplete(i) => return self.spell(&family.incomplete[i]),
            Pointee::Typedef(i) => &family.typedefs[i.0].name,
            Pointee::Function(i) => return family.functions[i].c_around().0,
        };
        self.spell(to)
    }

    fn spell(&self, to: &str) -> String {
        format!(
            "{}{to}{}",
            if self.konst { "const " } else { "" },
            if self.user { " __user" } else { "" }
        )
    }

    /// The declarator's stars: `*`, or `**` for a pointer to a pointer.
    pub fn stars(&self) -> &'static str {
        if self.to_pointer {
            "**"
        } else {
            "*"
        }
    }

    /// The type as the ABI lock and messages name it: `const char *`, without `__user`,
    /// which headers_install removes.
    pub fn c_name(&self, family: &Family) -> String {
        if let Pointee::Function(i) = self.to {
            let (before, after) = family.functions[i].c_around();
            return format!("{before}{after}");
        }
        let user = Pointer {
            user: false,
            ..*self
        };
        format!("{} {}", user.c_base(family), self.stars())
    }
}

/// A function a pointer member points to: `void (*_function)(sigval_t)` (asm-generic/
/// siginfo.h's `sigevent`). Its return and parameter types are types a member may have (or
/// `void`), each with the C spelling the schema gave.
#[derive(Debug, Clone)]
pub struct FnSig {
    /// The return type; None for `void`.
    pub ret: Option<(FieldType, String)>,
    /// The parameters; none for `(void)`.
    pub params: Vec<(FieldType, String)>,
}

impl FnSig {
    /// The return type and the parameter list as C writes them: `R` and `(P, Q)`.
    pub fn c_parts(&self) -> (&str, String) {
        let ret = self.ret.as_ref().map_or("void", |r| r.1.as_str());
        let params = if self.params.is_empty() {
            "void".to_string()
        } else {
            self.params
                .iter()
                .map(|p| p.1.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        (ret, format!("({params})"))
    }

    /// `R (*NAME)(P, Q)`'s parts around the name: `R (*` and `)(P, Q)`.
    pub fn c_around(&self) -> (String, String) {
        let (ret, params) = self.c_parts();
        (format!("{ret} (*"), format!("){params}"))
    }
}

/// The type a pointer points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pointee {
    /// `void *`.
    Void,
    Scalar(Scalar),
    /// A struct of the family, defined above the pointer's struct.
    Struct(StructId),
    /// A struct no header defines (`incomplete = true`): its tag, `Family::incomplete`'s.
    Incomplete(usize),
    /// A `[[typedef]]` above, of a scalar or a struct (linux/virtio_ring.h's `vring_desc_t
    /// *desc`), written by its name.
    Typedef(TypedefId),
    /// A function, `Family::functions`' (a pointer to one is never `const`, `__user` or
    /// `**`).
    Function(usize),
}

/// Which aggregate an inline member is: its members overlap (a union) or follow each other
/// (a struct).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// `struct { ... }`: members in order, each at its alignment.
    Struct,
    /// `union { ... }`: every member at offset 0.
    Union,
}

impl Aggregate {
    /// The C keyword: `struct` or `union`.
    pub fn c_keyword(self) -> &'static str {
        match self {
            Aggregate::Struct => "struct",
            Aggregate::Union => "union",
        }
    }
}

/// The uAPI integer types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// `__u8`.
    U8,
    /// `__u16`.
    U16,
    /// `__u32`.
    U32,
    /// `__u64`: 4-byte aligned inside a struct on i686.
    U64,
    /// `__s8`.
    S8,
    /// `__s16`.
    S16,
    /// `__s32`.
    S32,
    /// `__s64`.
    S64,
    /// `__aligned_u64`: 8-byte aligned on every ABI, unlike `__u64` on i686.
    AlignedU64,
    /// `__le16`: a `__u16` holding a little-endian value (`__bitwise` to sparse).
    Le16,
    /// `__le32`.
    Le32,
    /// `__le64`: 4-byte aligned inside a struct on i686, as `__u64`.
    Le64,
    /// `__be16`: a `__u16` holding a big-endian value.
    Be16,
    /// `__be32`.
    Be32,
    /// `__be64`.
    Be64,
    /// `__aligned_le64`: `__le64` 8-byte aligned on every ABI.
    AlignedLe64,
    /// `__aligned_be64`.
    AlignedBe64,
    /// `char`: 1 byte, signed on x86 and unsigned on arm, aarch64, powerpc, riscv and s390x.
    Char,
    /// `signed char`.
    SChar,
    /// `unsigned char`.
    UChar,
    /// `short`: 2 bytes on every Linux ABI.
    Short,
    /// `unsigned short`.
    UShort,
    /// `int`: 4 bytes on every Linux ABI.
    Int,
    /// `unsigned int`.
    UInt,
    /// `long long`: 8 bytes, 4-byte aligned inside a struct on i686, as `__s64`.
    LongLong,
    /// `unsigned long long`.
    ULongLong,
    /// `long`: the ABI's word, 4 bytes on i686 and arm, 8 on the 64-bit ABIs.
    Long,
    /// `unsigned long`.
    ULong,
    /// `__kernel_long_t` (`long` on every ABI uapigen lays out; x32 is not one).
    KernelLong,
    /// `__kernel_ulong_t`.
    KernelULong,
    /// `__kernel_size_t`: `unsigned int` on 32-bit ABIs, `unsigned long` on 64-bit ones.
    KernelSize,
    /// C's `size_t` (<stddef.h>'s, the ABI's word, unsigned): a header that uses it without
    /// including anything that defines it (linux/sysctl.h) names the header it assumes
    /// included first (`Family::assumes`).
    SizeT,
    /// `__kernel_ssize_t`: `int` or `long`.
    KernelSsize,
    /// `__kernel_ptrdiff_t`: `int` or `long`.
    KernelPtrdiff,
    /// `__kernel_off_t`: `__kernel_long_t`.
    KernelOff,
    /// `__kernel_time_t` (`__kernel_old_time_t`'s old name): `__kernel_long_t`.
    KernelTime,
    /// `__kernel_old_time_t`: `__kernel_long_t`.
    KernelOldTime,
    /// `__kernel_clock_t`: `__kernel_long_t`.
    KernelClock,
    /// `__kernel_suseconds_t`: `__kernel_long_t` (sparc's `int` is not an ABI laid out here).
    KernelSuseconds,
    /// `__kernel_loff_t`: `long long`.
    KernelLoff,
    /// `__kernel_time64_t`: `long long`.
    KernelTime64,
    /// `__kernel_pid_t`: `int`.
    KernelPid,
    /// `__kernel_daddr_t`: `int`.
    KernelDaddr,
    /// `__kernel_timer_t`: `int`.
    KernelTimer,
    /// `__kernel_clockid_t`: `int`.
    KernelClockid,
    /// `__kernel_key_t`: `int`.
    KernelKey,
    /// `__kernel_mqd_t`: `int`.
    KernelMqd,
    /// `__kernel_uid32_t`: `unsigned int`.
    KernelUid32,
    /// `__kernel_gid32_t`: `unsigned int`.
    KernelGid32,
    /// `__kernel_mode_t`, which an architecture may redefine: `unsigned short` on i686 and
    /// arm, `unsigned int` on the other ABIs laid out here (`arch_scalar`).
    KernelMode,
    /// `__kernel_ipc_pid_t`: `unsigned short` on i686 and arm, `int` elsewhere.
    KernelIpcPid,
    /// `__kernel_uid_t`: `unsigned short` on i686 and arm, `unsigned int` elsewhere.
    KernelUid,
    /// `__kernel_gid_t`: as `__kernel_uid_t`.
    KernelGid,
    /// `__kernel_old_uid_t`: `unsigned short` on x86-64, i686, aarch64 and arm, `unsigned
    /// int` on riscv64, powerpc64le and s390x.
    KernelOldUid,
    /// `__kernel_old_gid_t`: as `__kernel_old_uid_t`.
    KernelOldGid,
    /// `__kernel_old_dev_t`: `unsigned long` on x86-64 and powerpc64le, `unsigned short` on
    /// i686, arm and s390x, `unsigned int` on aarch64 and riscv64.
    KernelOldDev,
    /// `__kernel_ino_t`: `__kernel_ulong_t`, but `unsigned int` on s390x.
    KernelIno,
    /// `__sum16` (<linux/types.h>): a `__u16` checksum, `__bitwise`.
    Sum16,
    /// `__wsum`: a `__u32` partial checksum.
    Wsum,
    /// `__poll_t`: an `unsigned int` of `EPOLL*` bits.
    PollT,
    /// `__virtio16` (<linux/virtio_types.h>): a `__u16` in the device's byte order.
    Virtio16,
    /// `__virtio32`.
    Virtio32,
    /// `__virtio64`: 4-byte aligned inside a struct on i686, as `__u64`.
    Virtio64,
    /// <stdint.h>'s `uint8_t` (fuse.h's members; the header includes <stdint.h>).
    Uint8,
    /// `uint16_t`.
    Uint16,
    /// `uint32_t`.
    Uint32,
    /// `uint64_t`: 4-byte aligned inside a struct on i686, as `__u64`.
    Uint64,
    /// `int8_t`.
    Int8,
    /// `int16_t`.
    Int16,
    /// `int32_t`.
    Int32,
    /// `int64_t`: 4-byte aligned inside a struct on i686, as `__s64`.
    Int64,
    /// <linux/socket.h>'s `__kernel_sa_family_t`: an `unsigned short` on every ABI (a
    /// socket address's family; the header includes <linux/socket.h>).
    KernelSaFamily,
    /// `float`: IEEE 754 single precision, 4 bytes (acct.h's `ac_etime`, radeon_drm.h's clear
    /// colours). No rule, flag set, enum or bitfield reads one.
    Float,
    /// `double`: 8 bytes, 4-byte aligned inside a struct on i686 as `long long`.
    Double,
}

impl Scalar {
    /// Every scalar type.
    pub const ALL: [Scalar; 74] = [
        Scalar::U8,
        Scalar::U16,
        Scalar::U32,
        Scalar::U64,
        Scalar::S8,
        Scalar::S16,
        Scalar::S32,
        Scalar::S64,
        Scalar::AlignedU64,
        Scalar::Le16,
        Scalar::Le32,
        Scalar::Le64,
        Scalar::Be16,
        Scalar::Be32,
        Scalar::Be64,
        Scalar::AlignedLe64,
        Scalar::AlignedBe64,
        Scalar::Char,
        Scalar::SChar,
        Scalar::UChar,
        Scalar::Short,
        Scalar::UShort,
        Scalar::Int,
        Scalar::UInt,
        Scalar::LongLong,
        Scalar::ULongLong,
        Scalar::Long,
        Scalar::ULong,
        Scalar::KernelLong,
        Scalar::KernelULong,
        Scalar::KernelSize,
        Scalar::SizeT,
        Scalar::KernelSsize,
        Scalar::KernelPtrdiff,
        Scalar::KernelOff,
        Scalar::KernelTime,
        Scalar::KernelOldTime,
        Scalar::KernelClock,
        Scalar::KernelSuseconds,
        Scalar::KernelLoff,
        Scalar::KernelTime64,
        Scalar::KernelPid,
        Scalar::KernelDaddr,
        Scalar::KernelTimer,
        Scalar::KernelClockid,
        Scalar::KernelKey,
        Scalar::KernelMqd,
        Scalar::KernelUid32,
        Scalar::KernelGid32,
        Scalar::KernelMode,
        Scalar::KernelIpcPid,
        Scalar::KernelUid,
        Scalar::KernelGid,
        Scalar::KernelOldUid,
        Scalar::KernelOldGid,
        Scalar::KernelOldDev,
        Scalar::KernelIno,
        Scalar::Sum16,
        Scalar::Wsum,
        Scalar::PollT,
        Scalar::Virtio16,
        Scalar::Virtio32,
        Scalar::Virtio64,
        Scalar::Uint8,
        Scalar::Uint16,
        Scalar::Uint32,
        Scalar::Uint64,
        Scalar::Int8,
        Scalar::Int16,
        Scalar::Int32,
        Scalar::Int64,
        Scalar::KernelSaFamily,
        Scalar::Float,
        Scalar::Double,
    ];

    /// The C spelling.
    pub fn c_name(self) -> &'static str {
        match self {
            Scalar::U8 => "__u8",
            Scalar::U16 => "__u16",
            Scalar::U32 => "__u32",
            Scalar::U64 => "__u64",
            Scalar::S8 => "__s8",
            Scalar::S16 => "__s16",
            Scalar::S32 => "__s32",
            Scalar::S64 => "__s64",
            Scalar::AlignedU64 => "__aligned_u64",
            Scalar::Le16 => "__le16",
            Scalar::Le32 => "__le32",
            Scalar::Le64 => "__le64",
            Scalar::Be16 => "__be16",
            Scalar::Be32 => "__be32",
            Scalar::Be64 => "__be64",
            Scalar::AlignedLe64 => "__aligned_le64",
            Scalar::AlignedBe64 => "__aligned_be64",
            Scalar::Char => "char",
            Scalar::SChar => "signed char",
            Scalar::UChar => "unsigned char",
            Scalar::Short => "short",
            Scalar::UShort => "unsigned short",
            Scalar::Int => "int",
            Scalar::UInt => "unsigned int",
            Scalar::LongLong => "long long",
            Scalar::ULongLong => "unsigned long long",
            Scalar::Long => "long",
            Scalar::ULong => "unsigned long",
            Scalar::KernelLong => "__kernel_long_t",
            Scalar::KernelULong => "__kernel_ulong_t",
            Scalar::KernelSize => "__kernel_size_t",
            Scalar::SizeT => "size_t",
            Scalar::KernelSsize => "__kernel_ssize_t",
            Scalar::KernelPtrdiff => "__kernel_ptrdiff_t",
            Scalar::KernelOff => "__kernel_off_t",
            Scalar::KernelTime => "__kernel_time_t",
            Scalar::KernelOldTime => "__kernel_old_time_t",
            Scalar::KernelClock => "__kernel_clock_t",
            Scalar::KernelSuseconds => "__kernel_suseconds_t",
            Scalar::KernelLoff => "__kernel_loff_t",
            Scalar::KernelTime64 => "__kernel_time64_t",
            Scalar::KernelPid => "__kernel_pid_t",
            Scalar::KernelDaddr => "__kernel_daddr_t",
            Scalar::KernelTimer => "__kernel_timer_t",
            Scalar::KernelClockid => "__kernel_clockid_t",
            Scalar::KernelKey => "__kernel_key_t",
            Scalar::KernelMqd => "__kernel_mqd_t",
            Scalar::KernelUid32 => "__kernel_uid32_t",
            Scalar::KernelGid32 => "__kernel_gid32_t",
            Scalar::KernelMode => "__kernel_mode_t",
            Scalar::KernelIpcPid => "__kernel_ipc_pid_t",
            Scalar::KernelUid => "__kernel_uid_t",
            Scalar::KernelGid => "__kernel_gid_t",
            Scalar::KernelOldUid => "__kernel_old_uid_t",
            Scalar::KernelOldGid => "__kernel_old_gid_t",
            Scalar::KernelOldDev => "__kernel_old_dev_t",
            Scalar::KernelIno => "__kernel_ino_t",
            Scalar::Sum16 => "__sum16",
            Scalar::Wsum => "__wsum",
            Scalar::PollT => "__poll_t",
            Scalar::Virtio16 => "__virtio16",
            Scalar::Virtio32 => "__virtio32",
            Scalar::Virtio64 => "__virtio64",
            Scalar::Uint8 => "uint8_t",
            Scalar::Uint16 => "uint16_t",
            Scalar::Uint32 => "uint32_t",
            Scalar::Uint64 => "uint64_t",
            Scalar::Int8 => "int8_t",
            Scalar::Int16 => "int16_t",
            Scalar::Int32 => "int32_t",
            Scalar::Int64 => "int64_t",
            Scalar::KernelSaFamily => "__kernel_sa_family_t",
            Scalar::Float => "float",
            Scalar::Double => "double",
        }
    }

    /// Whether the type is the ABI's word (`long` and the kernel's types of its size): 4
    /// bytes on i686 and arm, 8 on the 64-bit ABIs. `size()` is its 64-bit size; a layout
    /// asks its target (`layout::Target::scalar_size`).
    pub fn is_word(self) -> bool {
        matches!(
            self,
            Scalar::Long
                | Scalar::ULong
                | Scalar::KernelLong
                | Scalar::KernelULong
                | Scalar::KernelSize
                | Scalar::SizeT
                | Scalar::KernelSsize
                | Scalar::KernelPtrdiff
                | Scalar::KernelOff
                | Scalar::KernelTime
                | Scalar::KernelOldTime
                | Scalar::KernelClock
                | Scalar::KernelSuseconds
        )
    }

    /// The Rust spelling: a primitive, or a path (`::core::ffi::c_char`, whose signedness is
    /// the target's, as C's `char`).
    pub fn rust_name(self) -> &'static str {
        match self {
            Scalar::Uint8 => "u8",
            Scalar::Uint16 => "u16",
            Scalar::Uint32 => "u32",
            Scalar::Uint64 => "u64",
            Scalar::Int8 => "i8",
            Scalar::Int16 => "i16",
            Scalar::Int32 => "i32",
            Scalar::Int64 => "i64",
            Scalar::KernelSaFamily => "u16",
            Scalar::Float => "f32",
            Scalar::Double => "f64",
            Scalar::U8 | Scalar::UChar => "u8",
            Scalar::Char => "::core::ffi::c_char",
            // The bytes as the kernel lays them out; the byte order is the reader's to apply.
            Scalar::U16
            | Scalar::Le16
            | Scalar::Be16
            | Scalar::UShort
            | Scalar::Sum16
            | Scalar::Virtio16 => "u16",
            Scalar::U32
            | Scalar::Le32
            | Scalar::Be32
            | Scalar::UInt
            | Scalar::Wsum
            | Scalar::PollT
            | Scalar::Virtio32 => "u32",
            Scalar::Virtio64
            | Scalar::U64
            | Scalar::AlignedU64
            | Scalar::Le64
            | Scalar::Be64
            | Scalar::AlignedLe64
            | Scalar::AlignedBe64
            | Scalar::ULongLong => "u64",
            Scalar::S8 | Scalar::SChar => "i8",
            Scalar::S16 | Scalar::Short => "i16",
            Scalar::S32
            | Scalar::Int
            | Scalar::KernelPid
            | Scalar::KernelDaddr
            | Scalar::KernelTimer
            | Scalar::KernelClockid
            | Scalar::KernelKey
            | Scalar::KernelMqd => "i32",
            Scalar::KernelUid32 | Scalar::KernelGid32 => "u32",
            // Per architecture: the alias each module that uses one declares, by C's name.
            Scalar::KernelMode
            | Scalar::KernelIpcPid
            | Scalar::KernelUid
            | Scalar::KernelGid
            | Scalar::KernelOldUid
            | Scalar::KernelOldGid
            | Scalar::KernelOldDev
            | Scalar::KernelIno => self.c_name(),
            Scalar::S64 | Scalar::LongLong | Scalar::KernelLoff | Scalar::KernelTime64 => "i64",
            // The target's own `long`, as C's.
            Scalar::Long
            | Scalar::KernelLong
            | Scalar::KernelSsize
            | Scalar::KernelPtrdiff
            | Scalar::KernelOff
            | Scalar::KernelTime
            | Scalar::KernelOldTime
            | Scalar::KernelClock
            | Scalar::KernelSuseconds => "::core::ffi::c_long",
            Scalar::ULong | Scalar::KernelULong | Scalar::KernelSize => "::core::ffi::c_ulong",
            // As bindgen maps it (`size_t_is_usize`).
            Scalar::SizeT => "usize",
        }
    }

    /// Whether the type is one an architecture's <asm/posix_types.h> defines its own way
    /// (`__kernel_mode_t` ...): its size, and for `__kernel_ipc_pid_t` its signedness, are
    /// the target's (`arch_layout`).
    pub fn is_arch(self) -> bool {
        matches!(
            self,
            Scalar::KernelMode
                | Scalar::KernelIpcPid
                | Scalar::KernelUid
                | Scalar::KernelGid
                | Scalar::KernelOldUid
                | Scalar::KernelOldGid
                | Scalar::KernelOldDev
                | Scalar::KernelIno
        )
    }

    /// Whether the type's size differs between the ABIs laid out here: the word's, or an
    /// architecture's (no rule reads one; no `flags` or `enum` links to one).
    pub fn varies(self) -> bool {
        self.is_word() || self.is_arch()
    }

    /// An architecture's type (`is_arch`) on the target whose Rust `target_arch` is `arch`:
    /// (size, signed), as arch/*/include/uapi/asm/posix_types.h and
    /// include/uapi/asm-generic/posix_types.h of Linux 7.2 define it (x86's
    /// posix_types_32.h and posix_types_64.h, arm's, arm64's, powerpc's under
    /// `__powerpc64__`, s390's; riscv64 takes asm-generic's). `codegen/tests/kernel_types.rs`
    /// holds it to those headers on all 7 targets. (0, false) for any other type.
    pub fn arch_layout(self, arch: &str) -> (u64, bool) {
        // i686 and arm: unsigned short for the 16-bit ids and modes of their old ABIs.
        let short_ids = matches!(arch, "x86" | "arm");
        let long = if matches!(arch, "x86" | "arm") { 4 } else { 8 };
        match self {
            Scalar::KernelMode | Scalar::KernelUid | Scalar::KernelGid => {
                (if short_ids { 2 } else { 4 }, false)
            }
            Scalar::KernelIpcPid => {
                if short_ids {
                    (2, false)
                } else {
                    (4, true)
                }
            }
            // x86-64's and arm64's own `unsigned short`; elsewhere `__kernel_uid_t`.
            Scalar::KernelOldUid | Scalar::KernelOldGid => (
                if short_ids || matches!(arch, "x86_64" | "aarch64") {
                    2
                } else {
                    4
                },
                false,
            ),
            Scalar::KernelOldDev => (
                match arch {
                    "x86_64" | "powerpc64" => 8,
                    "x86" | "arm" | "s390x" => 2,
                    _ => 4,
                },
                false,
            ),
            Scalar::KernelIno => (if arch == "s390x" { 4 } else { long }, false),
            _ => (0, false),
        }
    }

    /// The type a C spelling names.
    pub fn from_c_name(name: &str) -> Option<Scalar> {
        Scalar::ALL.into_iter().find(|s| s.c_name() == name)
    }

    /// Size in bytes.
    pub fn size(self) -> u64 {
        match self {
            Scalar::Uint8 | Scalar::Int8 => 1,
            Scalar::Uint16 | Scalar::Int16 | Scalar::KernelSaFamily => 2,
            Scalar::Uint32 | Scalar::Int32 => 4,
            Scalar::Uint64 | Scalar::Int64 => 8,
            Scalar::U8 | Scalar::S8 | Scalar::Char | Scalar::SChar | Scalar::UChar => 1,
            Scalar::U16
            | Scalar::S16
            | Scalar::Le16
            | Scalar::Be16
            | Scalar::Short
            | Scalar::UShort
            | Scalar::Sum16
            | Scalar::Virtio16 => 2,
            Scalar::U32
            | Scalar::S32
            | Scalar::Le32
            | Scalar::Be32
            | Scalar::Int
            | Scalar::UInt
            | Scalar::KernelPid
            | Scalar::KernelDaddr
            | Scalar::KernelTimer
            | Scalar::KernelClockid
            | Scalar::KernelKey
            | Scalar::KernelMqd
            | Scalar::KernelUid32
            | Scalar::KernelGid32
            | Scalar::Wsum
            | Scalar::PollT
            | Scalar::Virtio32
            | Scalar::Float => 4,
            // On the 64-bit ABIs; `is_word`.
            s if s.is_word() => 8,
            // On x86-64; a layout asks its target (`arch_layout`).
            s if s.is_arch() => s.arch_layout("x86_64").0,
            Scalar::U64
            | Scalar::S64
            | Scalar::AlignedU64
            | Scalar::Le64
            | Scalar::Be64
            | Scalar::AlignedLe64
            | Scalar::AlignedBe64
            | Scalar::LongLong
            | Scalar::ULongLong
            | Scalar::KernelLoff
            | Scalar::KernelTime64
            | Scalar::Virtio64
            | Scalar::Double => 8,
            _ => unreachable!("every word type is matched above"),
        }
    }

    /// Whether the type is 8 bytes with the ABI's 64-bit alignment (4 inside a struct on
    /// i686): `__u64` and its kin, `long long`.
    pub fn is_abi_aligned_64(self) -> bool {
        matches!(
            self,
            Scalar::U64
                | Scalar::S64
                | Scalar::Le64
                | Scalar::Be64
                | Scalar::LongLong
                | Scalar::ULongLong
                | Scalar::KernelLoff
                | Scalar::KernelTime64
                | Scalar::Virtio64
                | Scalar::Uint64
                | Scalar::Int64
                | Scalar::Double
        )
    }

    /// Whether the type is <stdint.h>'s (`uint64_t` ...): the header includes <stdint.h>.
    pub fn is_stdint(self) -> bool {
        matches!(
            self,
            Scalar::Uint8
                | Scalar::Uint16
                | Scalar::Uint32
                | Scalar::Uint64
                | Scalar::Int8
                | Scalar::Int16
                | Scalar::Int32
                | Scalar::Int64
        )
    }

    /// Plain `char`, whose signedness differs between ABIs: rules test it only for zero.
    pub fn is_plain_char(self) -> bool {
        self == Scalar::Char
    }

    /// `float` or `double`: not an integer, so nothing reads its value as one (a rule, a
    /// flag set, an enum, a bitfield, a cast, a payload's selector).
    pub fn is_float(self) -> bool {
        matches!(self, Scalar::Float | Scalar::Double)
    }

    /// Whether the value has a byte order of its own (`__le*`, `__be*`, a checksum's, a
    /// virtio device's): a validator reading it in the host's order would be wrong on the other
    /// kind of host.
    pub fn is_endian(self) -> bool {
        matches!(
            self,
            Scalar::Sum16
                | Scalar::Wsum
                | Scalar::Virtio16
                | Scalar::Virtio32
                | Scalar::Virtio64
                | Scalar::Le16
                | Scalar::Le32
                | Scalar::Le64
                | Scalar::Be16
                | Scalar::Be32
                | Scalar::Be64
                | Scalar::AlignedLe64
                | Scalar::AlignedBe64
        )
    }

    /// Whether the type is 8-byte aligned on every ABI (`__aligned_u64` and its kin).
    pub fn is_aligned_64(self) -> bool {
        matches!(
            self,
            Scalar::AlignedU64 | Scalar::AlignedLe64 | Scalar::AlignedBe64
        )
    }

    /// Whether the type is signed (plain `char` counts as signed: on x86 it is, and nothing
    /// that depends on it is allowed on a `char`).
    pub fn is_signed(self) -> bool {
        matches!(
            self,
            Scalar::S8
                | Scalar::S16
                | Scalar::S32
                | Scalar::S64
                | Scalar::Char
                | Scalar::SChar
                | Scalar::Short
                | Scalar::Int
                | Scalar::LongLong
                | Scalar::Long
                | Scalar::KernelLong
                | Scalar::KernelSsize
                | Scalar::KernelPtrdiff
                | Scalar::KernelOff
                | Scalar::KernelTime
                | Scalar::KernelOldTime
                | Scalar::KernelClock
                | Scalar::KernelSuseconds
                | Scalar::KernelLoff
                | Scalar::KernelTime64
                | Scalar::KernelPid
                | Scalar::KernelDaddr
                | Scalar::KernelTimer
                | Scalar::KernelClockid
                | Scalar::KernelKey
                | Scalar::KernelMqd
                | Scalar::Int8
                | Scalar::Int16
                | Scalar::Int32
                | Scalar::Int64
                | Scalar::Float
                | Scalar::Double
        )
    }
}

/// Whether a group holds bits or values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    /// Bits: a field's valid-flag mask is the OR of its set.
    Flags,
    /// Values: a field holds exactly one of them.
    Enum,
}

/// How a group is written in C.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Style {
    /// A run of `#define NAME value`.
    Define,
    /// `enum tag { ... };`, or `enum { ... };` when the tag is `None`.
    Enum {
        /// The enum tag.
        tag: Option<String>,
    },
}

/// A `[[flags]]` set or an `[[enum]]`.
#[derive(Debug, Clone)]
pub struct ConstGroup {
    /// The set's name (the C enum tag, when written as a tagged enum).
    pub name: String,
    /// Bits or values.
    pub kind: GroupKind,
    /// `#define`s or a C enum.
    pub style: Style,
    /// Kernel-doc summary.
    pub summary: Option<String>,
    /// Free text.
    pub doc: Option<String>,
    /// The revisions that added it (`RevSet`: one per line of history).
    pub since: RevSet,
    /// Its constants, in order.
    pub values: Vec<Constant>,
    /// `past_int = true`: a C enum whose values may go past `int`, as GCC and C23 allow
    /// (the header is then not ISO C before C23).
    pub past_int: bool,
    /// A C enum with a value past 2^63 - 1 (perf_event.h's `PERF_CONTEXT_HV = (__u64)-32`):
    /// GCC's `unsigned long` (`unsigned long long` on ILP32), every value unsigned.
    pub past_i64: bool,
    /// `packed = true`: a C enum `__attribute__((packed))`, the smallest integer type that
    /// holds its values (`EnumRepr`).
    pub packed: bool,
    /// `Some((struct, field index))` when the header defines the group inside a struct.
    pub inside: Option<(StructId, usize)>,
    /// The values the header also defines as themselves (`#define NAME NAME` below each), for
    /// `#ifdef`.
    pub self_defined: Vec<String>,
    /// `#if CONDITION` around it in the C header: <linux/libc-compat.h>'s `__UAPI_DEF_*` macros,
    /// which a C library header included first sets to 0. Everything else reads the item as
    /// the header declares it when no such header came first (every condition true).
    pub libc_compat: Option<String>,
    /// Where a C enum without a tag is declared: alone, as a typedef's type or as its
    /// member's.
    pub decl: EnumDecl,
    /// Where the schema writes it.
    /// `extern`: another header defines the enum (see `Struct::extern_header`).
    pub extern_header: Option<String>,
    pub span: Span,
}

/// Where the header declares a C enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumDecl {
    /// At file scope: `enum TAG { ... };` or `enum { ... };`.
    Alone,
    /// As the type a typedef names, `typedef enum { ... } NAME;` (linux/dvb/audio.h's
    /// `audio_play_state_t`): the group's name is the typedef's, which members name as their
    /// type.
    Typedef,
    /// As the type of the one member that names it, `enum { ... } func;` (drm/drm.h's
    /// `drm_control`): the group's name is the schema's only, which that member names as
    /// `enum NAME`.
    Member,
}

/// The integer type C gives an enum whose values are these (GCC's rule, which C23 made the
/// standard's): `unsigned int` when none is negative and all fit it, `int` when some are
/// negative and all fit it, else the 64-bit type of that signedness (`long` on LP64, `long
/// long` on ILP32: the same values). An enum's values are held as `i64`, a negative one
/// sign-extended in `Constant::value`, unless one is past `i64::MAX` (`ConstGroup::past_i64`):
/// then every value is unsigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumRepr {
    /// Some value is negative.
    pub signed: bool,
    /// 4 or 8; 1 or 2 too for a packed enum.
    pub bytes: u8,
}

impl EnumRepr {
    /// The scalar a member of this enum type is laid out as.
    pub fn scalar(self) -> Scalar {
        match (self.signed, self.bytes) {
            (false, 1) => Scalar::U8,
            (true, 1) => Scalar::S8,
            (false, 2) => Scalar::U16,
            (true, 2) => Scalar::S16,
            (false, 4) => Scalar::U32,
            (true, 4) => Scalar::S32,
            (false, _) => Scalar::U64,
            (true, _) => Scalar::S64,
        }
    }
}

impl EnumRepr {
    /// The C type of this size and sign, as bindgen names an enum's: past `int`, the 64-bit
    /// type of both data models (`unsigned long` on LP64, `unsigned long long` on ILP32).
    pub fn c_scalar(self) -> Scalar {
        match (self.signed, self.bytes) {
            (false, 1) => Scalar::UChar,
            (true, 1) => Scalar::SChar,
            (false, 2) => Scalar::UShort,
            (true, 2) => Scalar::Short,
            (false, 4) => Scalar::UInt,
            (true, 4) => Scalar::Int,
            (false, _) => Scalar::ULongLong,
            (true, _) => Scalar::LongLong,
        }
    }

    /// Rust's primitive of this size and sign.
    pub fn rust_name(self) -> &'static str {
        match (self.signed, self.bytes) {
            (false, 1) => "u8",
            (true, 1) => "i8",
            (false, 2) => "u16",
            (true, 2) => "i16",
            (false, 4) => "u32",
            (true, 4) => "i32",
            (false, _) => "u64",
            (true, _) => "i64",
        }
    }
}

impl ConstGroup {
    /// The type C gives this set written as an enum (see [`EnumRepr`]).
    pub fn enum_repr(&self) -> EnumRepr {
        // A flag set's bits are unsigned whatever its highest bit.
        let signed = self.kind == GroupKind::Enum
            && !self.past_i64
            && self.values.iter().any(|c| (c.value as i64) < 0);
        let fits = |bytes: u32| {
            self.values.iter().all(|c| {
                let bits = 8 * bytes;
                if signed {
                    let v = i128::from(c.value as i64);
                    v >= -(1i128 << (bits - 1)) && v < (1i128 << (bits - 1))
                } else {
                    u128::from(c.value) < (1u128 << bits)
                }
            })
        };
        // GCC's packed enum: the first of char, short and int that holds every value.
        let smallest = if self.packed { [1, 2, 4] } else { [4, 4, 4] };
        EnumRepr {
            signed,
            bytes: smallest
                .into_iter()
                .find(|b| fits(u32::from(*b)))
                .unwrap_or(8),
        }
    }

    /// `c`'s value as this set's C type has it: negative values of a signed enum as such.
    pub fn value_text(&self, c: &Constant) -> String {
        if self.enum_repr().signed {
            (c.value as i64).to_string()
        } else {
            c.value.to_string()
        }
    }
}

/// A named integer constant.
#[derive(Debug, Clone)]
pub struct Constant {
    /// The C name.
    pub name: String,
    /// Its value.
    pub value: u64,
    /// How C writes it.
    pub expr: Expr,
    /// Kernel-doc or trailing comment text.
    pub doc: Option<String>,
    /// A plain comment above the value in a C enum.
    pub comment: Option<String>,
    /// The revisions that added it (`RevSet`: one per line of history).
    pub since: RevSet,
    /// An enum's sentinel value (one past the last valid one), which may move between
    /// revisions; a define's is `Define::sentinel`.
    pub sentinel: bool,
    /// `#if CONDITION` around it in the C header: <linux/libc-compat.h>'s `__UAPI_DEF_*` macros,
    /// which a C library header included first sets to 0. Everything else reads the item as
    /// the header declares it when no such header came first (every condition true).
    pub libc_compat: Option<String>,
    /// A define under an architecture's `#if` (`when`, `unless`): it exists on some targets.
    pub when: Option<Box<When>>,
    /// An enum value the header then defines as an expression of its own name (`redefine`,
    /// linux/pkt_sched.h's `#define __TC_MQPRIO_MODE_MAX (__TC_MQPRIO_MODE_MAX - 1)`), written
    /// below the enum: what C reads of the name from there on (`Redefined::value`); the
    /// enumerator keeps its own value, which Rust's constant has, as bindgen's.
    pub redefined: Option<Redefined>,
    /// Where the schema writes it.
    pub span: Span,
}

impl Constant {
    /// Whether it is a pointer's value (`SIG_DFL`'s `((__sighandler_t)0)`), not an integer.
    pub fn is_pointer(&self) -> bool {
        matches!(&self.expr, Expr::C { types, .. }
            if types[1] == crate::front::cexpr::CType::Pointer)
    }

    /// Whether its expression calls a function-like macro `of` says yes to (<linux/const.h>'s,
    /// <linux/bits.h>'s: the header then includes theirs).
    pub fn calls(&self, of: impl Fn(&str) -> bool) -> bool {
        matches!(&self.expr, Expr::C { macros, .. } if macros.iter().any(|m| of(m)))
    }

    /// Whether it is defined on `target` (a `when` may leave it out).
    pub fn on(&self, target: &crate::model::layout::Target) -> bool {
        self.when.as_ref().is_none_or(|w| w.holds(target))
    }

    /// Whether its value may differ between targets (`Family::value_on`): an ioctl number, a
    /// value of each data model or byte order, or an alias, which may name one.
    pub fn may_vary(&self) -> bool {
        matches!(
            self.expr,
            Expr::Io { .. }
                | Expr::Alias(_)
                | Expr::C { ilp32: Some(_), .. }
                | Expr::C {
                    big_endian: Some(_),
                    ..
                }
                | Expr::C {
                    powerpc: Some(_),
                    ..
                }
        )
    }
}

/// How a constant is written in C; its value is in `Constant::value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// As the schema wrote it (`0x80` stays hex).
    Literal(String),
    /// `(1 << n)`.
    Bit(u32),
    /// `(A | B | ...)`.
    Or(Vec<String>),
    /// Another constant's name.
    Alias(String),
    /// `('c')`.
    Char(char),
    /// A C integer constant expression, as the schema writes it, with its value and type
    /// (the same on every ABI: `resolve` refuses one that is not).
    C {
        /// The text, trimmed.
        text: String,
        /// Its value (negative for a negative `int`, `long` or `long long`).
        value: i128,
        /// Its C type on each data model, `[ILP32, LP64]` (`2147483648` is a `long long` on
        /// i686 and a `long` on x86-64).
        types: [crate::front::cexpr::CType; 2],
        /// The function-like macros it calls (the schema's and <linux/const.h>'s).
        macros: Vec<String>,
        /// Its value on ILP32 where that differs, a `long` of the ABI's word: kvm.h's
        /// `(-1ul)` is 2^64 - 1 on the 64-bit ABIs and 2^32 - 1 on i686 and arm
        /// (`Family::value_on`).
        ilp32: Option<i128>,
        /// Its value on a big-endian target (s390x) where that differs, through
        /// <asm/byteorder.h>'s conversions: linux/if_tunnel.h's `GRE_CSUM`,
        /// `__cpu_to_be16(0x8000)`, is 0x0080 on the little-endian ABIs (`Family::value_on`).
        big_endian: Option<i128>,
        /// Its value on a target that encodes ioctl numbers as powerpc does (ppc64le) where
        /// that differs: an expression over ioctl numbers (linux/sockios.h's `SIOCGSTAMP`,
        /// `((sizeof(struct timeval)) == 8 ? SIOCGSTAMP_OLD : SIOCGSTAMP_NEW)`).
        powerpc: Option<i128>,
    },
    /// `_IO(ty, nr)`, `_IOR(ty, nr, size)`, `_IOW(...)` or `_IOWR(...)`. `Constant::value`
    /// is the generic encoding (asm-generic/ioctl.h), which powerpc's is not:
    /// `Family::value_on` gives a target's.
    Io {
        /// The direction: which macro.
        dir: IoDir,
        /// The ioctl type, as C writes it: a constant's name or an expression (`'V'`).
        ty: String,
        /// The command number, as C writes it: a name, an integer or an expression.
        nr: String,
        /// The argument type, for every direction but `_IO`'s.
        size: Option<IoSize>,
        /// The wrapper macro the header writes the number through (`DRM_IOWR(...)`), whose
        /// expansion `ty`, `nr` and `size` are.
        via: Option<IoVia>,
        /// Written `_IOC(_IOC_NONE, ty, nr, sizeof(size))` (`IoDir::ioc_name`): the one form
        /// of a `_IO` direction with a size, as xen/privcmd.h's numbers have.
        ioc: bool,
    },
    /// An enum member with no initialiser: previous + 1.
    Implicit,
}

impl Expr {
    /// A C expression's value on `target`: each data model's, byte order's or ioctl
    /// encoding's own where it has one (no target is two of ILP32, big-endian and powerpc's);
    /// None for another form.
    pub fn c_value_on(&self, target: &crate::model::layout::Target) -> Option<i128> {
        let Expr::C {
            value,
            ilp32,
            big_endian,
            powerpc,
            ..
        } = self
        else {
            return None;
        };
        let own = if target.long_size == 4 {
            *ilp32
        } else if target.ioc_encoding() == IocEncoding::Powerpc {
            *powerpc
        } else if target.big_endian {
            *big_endian
        } else {
            None
        };
        Some(own.unwrap_or(*value))
    }
}

/// An ioctl number's direction, as the macro that encodes it names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoDir {
    /// `_IO`: no argument copied.
    None,
    /// `_IOR`: the kernel writes the argument, user space reads it.
    Read,
    /// `_IOW`: user space writes the argument, the kernel reads it.
    Write,
    /// `_IOWR`: both.
    ReadWrite,
}

impl IoDir {
    /// The macro: `_IO`, `_IOR`, `_IOW`, `_IOWR`.
    pub fn macro_name(self) -> &'static str {
        match self {
            IoDir::None => "_IO",
            IoDir::Read => "_IOR",
            IoDir::Write => "_IOW",
            IoDir::ReadWrite => "_IOWR",
        }
    }

    /// The direction as `_IOC`'s first argument writes it.
    pub fn ioc_name(self) -> &'static str {
        match self {
            IoDir::None => "_IOC_NONE",
            IoDir::Read => "_IOC_READ",
            IoDir::Write => "_IOC_WRITE",
            IoDir::ReadWrite => "_IOC_READ | _IOC_WRITE",
        }
    }

    /// The direction macro `name` (`_IO` ... `_IOWR`) encodes.
    pub fn of_macro(name: &str) -> Option<IoDir> {
        [IoDir::None, IoDir::Read, IoDir::Write, IoDir::ReadWrite]
            .into_iter()
            .find(|d| d.macro_name() == name)
    }

    /// The direction field's value: asm-generic/ioctl.h's `_IOC_NONE` 0, `_IOC_WRITE` 1,
    /// `_IOC_READ` 2; powerpc's (and mips' and sparc's) `_IOC_NONE` 1, `_IOC_READ` 2,
    /// `_IOC_WRITE` 4.
    pub fn bits(self, enc: IocEncoding) -> u64 {
        let (none, read, write) = match enc {
            IocEncoding::Generic => (0, 2, 1),
            IocEncoding::Powerpc => (1, 2, 4),
        };
        match self {
            IoDir::None => none,
            IoDir::Read => read,
            IoDir::Write => write,
            IoDir::ReadWrite => read | write,
        }
    }
}

/// How an architecture's `asm/ioctl.h` packs an ioctl number: `nr` in bits 0-7 and `type` in
/// 8-15 everywhere; then asm-generic's 14 size bits and 2 direction bits at 30, or powerpc's,
/// mips' and sparc's 13 size bits and 3 direction bits at 29.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IocEncoding {
    /// asm-generic/ioctl.h: x86, arm, arm64, riscv, s390.
    Generic,
    /// arch/powerpc/include/uapi/asm/ioctl.h (mips and sparc alike).
    Powerpc,
}

impl IocEncoding {
    /// Where the direction field starts.
    pub fn dir_shift(self) -> u32 {
        match self {
            IocEncoding::Generic => 30,
            IocEncoding::Powerpc => 29,
        }
    }

    /// The width of the size field.
    pub fn size_bits(self) -> u32 {
        match self {
            IocEncoding::Generic => 14,
            IocEncoding::Powerpc => 13,
        }
    }

    /// `_IOC(dir, type, nr, size)`.
    pub fn encode(self, dir: IoDir, ty: u64, nr: u64, size: u64) -> u64 {
        (dir.bits(self) << self.dir_shift()) | (size << 16) | (ty << 8) | nr
    }
}

/// The argument type of an ioctl number: `sizeof` of it is encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IoSize {
    /// As C writes it: `struct kvm_regs`, `__u32`, `int`.
    pub c: String,
    /// `sizeof` on each target of `layout::TARGETS`, in its order: a plain `__u64` after a
    /// `__u32` makes it 4 bytes smaller on i686, and the number with it. (`resolve` refuses
    /// one that differs between revisions.)
    pub bytes: Vec<u64>,
}

/// An enum value's `redefine`: `#define NAME TEXT` below its enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redefined {
    /// The expression, as written; it names the enumerator, which cpp does not expand again.
    pub text: String,
    /// Its value, one on every target: what C reads of the name below the define.
    pub value: i128,
}

/// `#define nvme_admin_cmd nvme_passthru_cmd` (`[[define]]` with `tag`): another name for a
/// struct's tag, which `struct nvme_admin_cmd` (an ioctl's argument, a member's type) then
/// names. No value: nothing else of the schema reads it as a constant.
#[derive(Debug, Clone)]
pub struct TagAlias {
    /// The name it defines.
    pub name: String,
    /// The struct (or union) whose tag it stands for.
    pub to: StructId,
    /// It stands for the type, keyword and tag (`#define COFF_FILHDR struct COFF_filehdr`,
    /// linux/coff.h): `sizeof(COFF_FILHDR)` is the struct's size, and `struct COFF_FILHDR`
    /// names nothing.
    pub keyword: bool,
    /// A trailing comment.
    pub doc: Option<String>,
    /// Under an architecture's `#if` (x86's asm/sigcontext.h's `#define _fpstate _fpstate_32`
    /// under `#ifdef __i386__`): the name is the other struct's elsewhere, so nothing of the
    /// schema names it; the header writes it in the `#if`.
    pub when: Option<Box<When>>,
    /// Where the schema writes its name.
    pub span: Span,
}

/// `#define ETHTOOL_GENL_NAME "ethtool"` (`[[define]]` with `string`): C string literals and
/// other string defines side by side, one `char` array. No integer: an integer expression
/// takes only its `sizeof` (xattr.h's `sizeof(XATTR_OS2_PREFIX) - 1`).
#[derive(Debug, Clone)]
pub struct StringDefine {
    /// The name it defines.
    pub name: String,
    /// The body, as the schema writes it (`"ethtool"`, `XATTR_SECURITY_PREFIX "evm"`).
    pub text: String,
    /// The array's bytes without its final NUL, as gcc stores them.
    pub bytes: Vec<u8>,
    /// A trailing comment.
    pub doc: Option<String>,
    /// The revisions that added it.
    pub since: RevSet,
    /// `extern`: another header defines it (see `Struct::extern_header`).
    pub extern_header: Option<String>,
    /// Where the schema writes its name.
    pub span: Span,
}

/// `typedef T NAME;` (`[[typedef]]`).
#[derive(Debug, Clone)]
pub struct Typedef {
    /// Its name.
    pub name: String,
    /// What it names: a scalar, a struct or union of the schema, or a pointer (`typedef
    /// __signalfn_t *__sighandler_t;`); of a `function` typedef, a pointer to that function.
    pub ty: FieldType,
    /// `typedef void __signalfn_t(int);`: it names a function type, which a member never has
    /// (a pointer to it, `__signalfn_t *`, is a function pointer).
    pub function: bool,
    /// `typedef enum TAG NAME;` (linux/dvb/frontend.h's `fe_code_rate_t`): the tagged enum,
    /// whose integer `ty` is.
    pub c_enum: Option<(String, GroupId)>,
    /// The comment above it.
    pub doc: Option<String>,
    /// `extern`: another header defines it (see `Struct::extern_header`).
    pub extern_header: Option<String>,
    /// `typedef int __bitwise __kernel_rwf_t;` (linux/fs.h, sound/asound.h): sparse's
    /// `__bitwise`, which <linux/types.h> defines (empty for a compiler), on an integer.
    pub bitwise: bool,
    /// `typedef __u8 dvd_challenge[10];` (linux/cdrom.h): an array of `ty`, which a member of
    /// this type is (`Field::len`, `Field::typedef_len`).
    pub len: Option<u64>,
    /// `__attribute__((aligned(n)))` between its type and name (linux/virtio_ring.h's
    /// `vring_desc_t`): a member of this type is at least n-aligned, as `Field::aligned`
    /// with `Field::typedef_aligned`.
    pub aligned: Option<Aligned>,
    /// Where the schema writes its name.
    pub span: Span,
}

/// A macro the header defines as `__attribute__((packed))` under `#if CONDITION` and empty in
/// its `#else`, written after a struct's closing brace (linux/eventpoll.h's `EPOLL_PACKED`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedBy {
    /// The macro.
    pub name: String,
    /// Where it packs.
    pub when: Box<When>,
}

/// `aligned(n)`'s n, and the constant C writes for it (`VRING_USED_ALIGN_SIZE`), if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aligned {
    /// The alignment, a power of two.
    pub value: u64,
    /// The constant's name, as written in the attribute.
    pub name: Option<String>,
}

/// An ioctl number written through a wrapper macro: `DRM_IOWR(DRM_COMMAND_BASE + 0x03, union
/// drm_amdgpu_bo_list)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IoVia {
    /// The macro (a `[[macro]]` whose body is one ioctl call).
    pub name: String,
    /// Its arguments as the schema writes them, trimmed.
    pub args: Vec<String>,
}

impl IoVia {
    /// The call as C writes it.
    pub fn c(&self) -> String {
        format!("{}({})", self.name, self.args.join(", "))
    }
}

/// A function-like `#define` (`[[macro]]`).
#[derive(Debug, Clone)]
pub struct MacroDef {
    /// Its name.
    pub name: String,
    /// Its parameters, in order.
    pub params: Vec<String>,
    /// Its replacement, as the schema writes it (trimmed).
    pub body: String,
    /// The comment above it.
    pub doc: Option<String>,
    /// `extern`: another header defines it (see `Struct::extern_header`).
    pub extern_header: Option<String>,
    /// `#ifndef NAME` around it: a program's own definition, made first, stands.
    pub ifndef: bool,
    /// Its body declares a member (`__aligned_u64 _name`), for `Field::declared_by`, rather
    /// than being an integer expression or an ioctl wrapper.
    pub declares: bool,
    /// Where the schema writes its name.
    pub span: Span,
}

/// A single `#define`.
#[derive(Debug, Clone)]
pub struct Define {
    /// Its name, value and expression.
    pub constant: Constant,
    /// `Some((struct, field index))` when the header defines it inside a struct.
    pub inside: Option<(StructId, usize)>,
    /// The first revisions without this definition (a sentinel redefined later); empty: current.
    pub until: RevSet,
    /// One past the last valid value (`IOMMU_SVA_VTD_GPASID_LAST`): its value may move when a
    /// revision adds values.
    pub sentinel: bool,
    /// Why the kernel removed it from `until` on (a removal the schema acknowledges).
    pub removed: Option<String>,
    /// `extern`: another header defines it (see `Struct::extern_header`).
    pub extern_header: Option<String>,
    /// `#ifndef NAME` around it (asm-generic/fcntl.h's): a header included before it may
    /// define it first; `constant.value` is this header's default.
    pub ifndef: bool,
    /// The struct an `_IO` number's argument points to (`ioctl = { ..., arg = "struct
    /// iommu_ioas_alloc" }`): the size and argsz conventions' structs carry their own size,
    /// so the number encodes none; the kernel-doc says "ioctl(IOMMU_IOAS_ALLOC)".
    pub arg: Option<StructId>,
}

/// The field a path names in `fields` (of a struct of `family`) as they are in revision `rev`,
/// found by name; None when it does not exist then.
fn field_at_rev<'a>(
    family: &'a Family,
    rev: &Revision,
    fields: &'a [Field],
    path: &FieldPath,
) -> Option<&'a Field> {
    let mut container: &[Field] = fields;
    let mut found = None;
    for seg in &path.segments {
        let mut present = container.iter().filter(|f| f.present_at(rev));
        let f = match &seg.c_name {
            Some(n) => present.find(|f| f.name.as_deref() == Some(n.as_str())),
            None => present.find(|f| f.name.is_none() && f.rust_name == seg.rust_name),
        }?;
        container = match &f.ty {
            FieldType::Inline(_, ms) => ms,
            FieldType::Struct(j) => &family.struct_(*j).fields,
            FieldType::Scalar(_) | FieldType::Pointer(_) => &[],
        };
        found = Some(f);
    }
    found
}

/// The condition as revision `rev` reads it, or None when its field does not exist then. A
/// name may stand for different fields over the history (a re-purposed `__reserved` handing
/// its name to a smaller array), so the field's type is the revision's, not resolve's.
fn cond_at(family: &Family, rev: &Revision, fields: &[Field], mut c: Cond) -> Option<Cond> {
    let f = field_at_rev(family, rev, fields, &c.field)?;
    c.field.scalar = match f.ty {
        FieldType::Scalar(sc) => Some(sc),
        _ => None,
    };
    c.field.pointer = matches!(f.ty, FieldType::Pointer(_));
    c.field.len = f.len;
    c.field.flexible = f.flexible.is_some();
    c.field.flags = f.flags;
    Some(c)
}

impl Field {
    /// A member, not a bitfield, of a run declared per byte order (`byte_order`), which a
    /// big-endian ABI declares in reverse.
    pub fn reversed_member(&self) -> bool {
        self.byte_order && self.bits.is_none()
    }

    /// Whether it carries on the run declared per byte order of the field before it.
    pub fn continues_run(&self) -> bool {
        self.byte_order && !self.byte_order_starts
    }

    /// Whether `p` holds for one of `fields` or, through inline unions and structs, one of
    /// their members.
    pub fn any(fields: &[Field], p: &dyn Fn(&Field) -> bool) -> bool {
        fields
            .iter()
            .any(|f| p(f) || matches!(&f.ty, FieldType::Inline(_, ms) if Field::any(ms, p)))
    }

    /// Whether the member exists in revision `rev`.
    pub fn present_at(&self, rev: &Revision) -> bool {
        rev.has(self.since, self.until)
    }
}

impl Struct {
    /// Whether it exists on `target` (a `when` may leave it out).
    pub fn on(&self, target: &crate::model::layout::Target) -> bool {
        self.when.as_ref().is_none_or(|w| w.holds(target))
    }

    /// Whether it is packed on `target`: `packed`, or `packed_by`'s condition holding there.
    pub fn packed_on(&self, target: &crate::model::layout::Target) -> bool {
        self.packed
            || self
                .packed_by
                .as_ref()
                .is_some_and(|p| p.when.holds(target))
    }

    /// `struct` or `union`: how C declares and names it.
    pub fn keyword(&self) -> &'static str {
        if self.union {
            "union"
        } else {
            "struct"
        }
    }

    /// Its C type: `struct vfio_info_cap_header`, `union bpf_attr`; a typedef'd one's
    /// name (`xfrm_address_t`).
    pub fn c_type(&self) -> String {
        if self.typedef {
            return self.name.clone();
        }
        format!("{} {}", self.keyword(), self.name)
    }

    /// Whether the family view `family` is a revision whose layout of this struct is an
    /// acknowledged ABI trap.
    pub fn trap_at(&self, family: &Family) -> bool {
        matches!((&self.abi_trap, family.revision), (Some(t), Some(r)) if t.revisions.contains(&r))
    }
}

impl Family {
    /// Whether `p` holds for a member of one of its structs, at any depth.
    pub fn any_field(&self, p: &dyn Fn(&Field) -> bool) -> bool {
        self.structs.iter().any(|st| Field::any(&st.fields, p))
    }

    /// The family as it was at revision `rev`: the fields, union members, flag and enum values
    /// and defines that existed then. Struct and group ids are kept (a struct not yet added
    /// keeps its slot; `Struct::since` says whether it exists), so layouts index the same way;
    /// define ids are not (see `DefineId`).
    pub fn at_revision(&self, id: RevId) -> Family {
        let rev = self.rev(id);
        // Moved out of the clone, not cloned again.
        fn fields_at(fields: Vec<Field>, rev: &Revision) -> Vec<Field> {
            // What the header writes above a member that does not exist then (a `__u64` the
            // next revision retypes) stays where it is: above the next member that does.
            let mut carried = Vec::new();
            let mut out = Vec::with_capacity(fields.len());
            for mut f in fields {
                if !f.present_at(rev) {
                    carried.append(&mut f.before);
                    continue;
                }
                if !carried.is_empty() {
                    carried.append(&mut f.before);
                    f.before = std::mem::take(&mut carried);
                }
                if let FieldType::Inline(_, ms) = &mut f.ty {
                    *ms = fields_at(std::mem::take(ms), rev);
                }
                out.push(f);
            }
            out
        }
        let mut fam = self.clone();
        fam.revision = Some(id);
        // Top-level members by index, as the history numbers them → as this revision does.
        let renumber: Vec<Vec<Option<usize>>> = self
            .structs
            .iter()
            .map(|st| {
                let mut next = 0;
                st.fields
                    .iter()
                    .map(|f| {
                        f.present_at(rev).then(|| {
                            next += 1;
                            next - 1
                        })
                    })
                    .collect()
            })
            .collect();
        for st in &mut fam.structs {
            st.fields = fields_at(std::mem::take(&mut st.fields), rev);
        }
        // A chain's members are held by index: this revision's, or no chain when one of them
        // does not exist then.
        for (si, st) in fam.structs.iter_mut().enumerate() {
            if let Some(c) = st.caps.take() {
                let own = &renumber[si];
                let head = &renumber[c.header.0];
                st.caps = (|| {
                    Some(CapChain {
                        offset: own[c.offset]?,
                        flags: own[c.flags]?,
                        id: head[c.id]?,
                        version: head[c.version]?,
                        next: head[c.next]?,
                        ..c
                    })
                })();
            }
        }
        // The kernel of a revision checks only what existed then, through embedded structs
        // too: paths are looked up in the history's fields as they were then.
        for (st, whole) in fam.structs.iter_mut().zip(&self.structs) {
            if !rev.has(st.since, RevSet::EMPTY) {
                st.validation = None;
                st.convention = None;
                continue;
            }
            if let Some(v) = &mut st.validation {
                if let Some(ch) = v
                    .changes
                    .iter()
                    .rev()
                    .find(|ch| rev.has(ch.since, RevSet::EMPTY))
                {
                    st.convention = Some(ch.convention);
                    v.ksize = ch.ksize.clone();
                }
                // The conditions are the family clone's own: moved, not cloned again.
                let at = |cs: Vec<Cond>| -> Option<Vec<Cond>> {
                    cs.into_iter()
                        .map(|c| cond_at(self, rev, &whole.fields, c))
                        .collect()
                };
                v.rules = std::mem::take(&mut v.rules)
                    .into_iter()
                    .filter(|r| rev.has(r.since, r.until))
                    .filter_map(|mut r| {
                        let when = at(std::mem::take(&mut r.when))?;
                        let require = at(std::mem::take(&mut r.require))?;
                        Some(Rule { when, require, ..r })
                    })
                    .collect();
                // A revision's kernel selects only the payloads it has, and only once their
                // struct exists.
                if let Some(p) = &mut v.payload {
                    p.cases.retain(|c| {
                        rev.has(c.since, c.until)
                            && match c.body {
                                PayloadBody::Struct(ps) => {
                                    rev.has(self.structs[ps.0].since, RevSet::EMPTY)
                                }
                                PayloadBody::Bytes(_) => true,
                            }
                    });
                }
                v.min_size_when = std::mem::take(&mut v.min_size_when)
                    .into_iter()
                    .filter(|w| rev.has(w.since, RevSet::EMPTY))
                    .filter_map(|mut w| {
                        Some(MinSizeWhen {
                            when: at(std::mem::take(&mut w.when))?,
                            ..w
                        })
                    })
                    .collect();
            }
        }
        for g in &mut fam.groups {
            g.values.retain(|c| rev.has(c.since, RevSet::EMPTY));
            // An enum value without `=` is the one before it plus one, as C counts it in the
            // header of this revision: a value added later moves those after it (a sentinel).
            if g.kind == GroupKind::Enum {
                let mut next = 0u64;
                for c in &mut g.values {
                    if c.expr == Expr::Implicit {
                        c.value = next;
                    }
                    next = c.value.wrapping_add(1);
                }
            }
        }
        // Items name defines by id (placement), and ids number the view's own defines, so
        // dropping one renumbers those after it.
        let mut index: Vec<Option<DefineId>> = vec![None; fam.defines.len()];
        let mut kept = Vec::new();
        for (slot, d) in index.iter_mut().zip(&fam.defines) {
            if rev.has(d.constant.since, d.until) {
                *slot = Some(DefineId(kept.len()));
                kept.push(d.clone());
            }
        }
        fam.defines = kept;
        let remap = |items: &mut Vec<ItemRef>| {
            items.retain_mut(|it| match it {
                ItemRef::Define(d) => match index[d.0] {
                    Some(n) => {
                        *d = n;
                        true
                    }
                    None => false,
                },
                _ => true,
            })
        };
        remap(&mut fam.items);
        fam.items.retain(|it| match it {
            ItemRef::String(i) => rev.has(self.strings[i.0].since, RevSet::EMPTY),
            _ => true,
        });
        fn remap_fields(fields: &mut [Field], remap: &dyn Fn(&mut Vec<ItemRef>)) {
            for f in fields {
                remap(&mut f.before);
                if let FieldType::Inline(_, ms) = &mut f.ty {
                    remap_fields(ms, remap);
                }
            }
        }
        for st in &mut fam.structs {
            remap_fields(&mut st.fields, &remap);
        }
        fam
    }

    /// Whether another header defines `item` (`extern`): a copy the header does not write.
    pub fn is_extern(&self, item: ItemRef) -> bool {
        self.extern_header_of(item).is_some()
    }

    /// The header whose item `item` is a copy of (`extern`), if it is one.
    pub fn extern_header_of(&self, item: ItemRef) -> Option<&String> {
        match item {
            ItemRef::Struct(i) => self.struct_(i).extern_header.as_ref(),
            ItemRef::Define(i) => self.define(i).extern_header.as_ref(),
            ItemRef::Macro(i) => self.macros[i.0].extern_header.as_ref(),
            ItemRef::Typedef(i) => self.typedefs[i.0].extern_header.as_ref(),
            ItemRef::Group(i) => self.group(i).extern_header.as_ref(),
            ItemRef::String(i) => self.strings[i.0].extern_header.as_ref(),
            ItemRef::TagAlias(_) => None,
        }
    }

    /// Every constant of the family in schema order: groups' values and single defines.
    pub fn constants(&self) -> impl Iterator<Item = &Constant> {
        self.groups
            .iter()
            .flat_map(|g| g.values.iter())
            .chain(self.defines.iter().map(|d| &d.constant))
    }

    /// `c`'s value on `target` (or that of the constant it aliases): an ioctl number's is the
    /// target's encoding of its argument's size there; an expression's is its data model's
    /// or its byte order's where those differ (`Expr::C`'s `ilp32`, `big_endian`); every
    /// other constant has one value. `Constant::value` is x86-64's.
    pub fn value_on(&self, c: &Constant, target: &crate::model::layout::Target) -> u64 {
        // An alias has the value of what it names there.
        let k = self.aliased(c);
        match &k.expr {
            Expr::Io { dir, size, .. } => {
                let i = crate::model::layout::TARGETS
                    .iter()
                    .position(|t| t == target)
                    .unwrap_or(0);
                let bytes = size
                    .as_ref()
                    .map_or(0, |s| s.bytes.get(i).copied().unwrap_or(0));
                let enc = target.ioc_encoding();
                enc.encode(*dir, (k.value >> 8) & 0xff, k.value & 0xff, bytes)
            }
            Expr::C { .. } => k
                .expr
                .c_value_on(target)
                .map_or(c.value, |v| v as i64 as u64),
            _ => c.value,
        }
    }

    /// What C reads of `c`'s name on `target`, below the whole header: its value there, or,
    /// for an enum value the header then #defines as an expression of its name (`redefine`,
    /// linux/pkt_sched.h's `__TC_MQPRIO_MODE_MAX`), that define's.
    pub fn c_reads(&self, c: &Constant, target: &crate::model::layout::Target) -> u64 {
        c.redefined
            .as_ref()
            .map_or_else(|| self.value_on(c, target), |r| r.value as i64 as u64)
    }

    /// The constant an alias names (`Expr::Alias`), if the family has it.
    pub fn alias_target(&self, name: &str) -> Option<&Constant> {
        self.constants().find(|x| x.name == name)
    }

    /// The constant `c` names through its aliases (`c` itself when it is no alias).
    pub fn aliased<'a>(&'a self, c: &'a Constant) -> &'a Constant {
        let mut k = c;
        // An alias names a constant above it, so the chain ends; the bound is for a family
        // `resolve` refused.
        for _ in 0..64 {
            match &k.expr {
                // A name the header redefines below its enum is the define's there: `k`'s
                // own value is what C reads of it.
                Expr::Alias(n) => match self.alias_target(n) {
                    Some(x) if x.redefined.is_none() => k = x,
                    _ => return k,
                },
                _ => return k,
            }
        }
        k
    }

    /// The ioctl number `c` is, directly or as an alias of one.
    pub fn ioctl_of<'a>(&'a self, c: &'a Constant) -> Option<&'a Constant> {
        let k = self.aliased(c);
        matches!(k.expr, Expr::Io { .. }).then_some(k)
    }

    /// The ioctl number that takes struct `s` (`Define::arg`), if the schema links one.
    pub fn ioctl_taking(&self, s: StructId) -> Option<&Define> {
        self.defines.iter().find(|d| d.arg == Some(s))
    }

    /// The struct named `name`.
    pub fn struct_by_name(&self, name: &str) -> Option<&Struct> {
        self.structs.iter().find(|s| s.name == name)
    }

    /// Struct `s`. In a revision's view it may not exist yet (`Struct::since`).
    pub fn struct_(&self, s: StructId) -> &Struct {
        &self.structs[s.0]
    }

    /// Struct `s`, to change: only resolve does, filling a struct in after it is listed.
    pub(crate) fn struct_mut(&mut self, s: StructId) -> &mut Struct {
        &mut self.structs[s.0]
    }

    /// Group `g`.
    pub fn group(&self, g: GroupId) -> &ConstGroup {
        &self.groups[g.0]
    }

    /// Define `d` of this view (define ids are renumbered per revision).
    pub fn define(&self, d: DefineId) -> &Define {
        &self.defines[d.0]
    }

    /// Revision `r` as the schema lists it.
    pub fn rev(&self, r: RevId) -> &Revision {
        &self.revisions[r.0]
    }

    /// Every struct with its id, in schema order (not-yet-added slots included).
    pub fn structs_by_id(&self) -> impl Iterator<Item = (StructId, &Struct)> {
        self.structs
            .iter()
            .enumerate()
            .map(|(i, s)| (StructId(i), s))
    }

    /// Every group with its id, in schema order.
    pub fn groups_by_id(&self) -> impl Iterator<Item = (GroupId, &ConstGroup)> {
        self.groups.iter().enumerate().map(|(i, g)| (GroupId(i), g))
    }

    /// The ids of `revs`, as a message names them: `v6_15` or `v6_15, v6_12_31`.
    pub fn revs_named(&self, revs: RevSet) -> String {
        let ids: Vec<&str> = revs.iter().map(|r| self.rev(r).id.as_str()).collect();
        ids.join(", ")
    }

    /// Every revision with its id, oldest first.
    pub fn revs_by_id(&self) -> impl Iterator<Item = (RevId, &Revision)> {
        self.revisions
            .iter()
            .enumerate()
            .map(|(i, r)| (RevId(i), r))
    }
}

/// An info struct's capability chain, as VFIO's info ioctls return it: the struct, then
/// capabilities, each starting with `header`; `offset` holds the first one's offset from the
/// struct's start, each header's `next` the following one's, 0 ends the chain.
#[derive(Debug, Clone)]
pub struct CapChain {
    /// Index of the `__u32` member holding the first capability's offset (`cap_offset`).
    pub offset: usize,
    /// Index of the `__u32` flags member.
    pub flags: usize,
    /// The constant whose bits in `flags` say the kernel filled a chain.
    pub flag: ValueRef,
    /// The struct every capability starts with.
    pub header: StructId,
    /// Indices in `header` of its `__u16` id, `__u16` version and `__u32` next members.
    pub id: usize,
    /// See `id`.
    pub version: usize,
    /// See `id`.
    pub next: usize,
    /// Every capability's offset is a multiple of it, from `align_since` on.
    pub align: u64,
    /// The revisions from which the kernel rounds capabilities up to `align` (the first by
    /// default).
    pub align_since: RevSet,
    /// Every capability's offset is a multiple of it before `align_since`.
    pub align_before: u64,
    /// Where the schema writes it.
    pub span: Span,
}

/// A struct that is capability `id`, `version` of `of`'s chain; its first member is the
/// chain's header.
#[derive(Debug, Clone)]
pub struct Capability {
    /// The info struct whose chain holds it.
    pub of: StructId,
    /// The capability id.
    pub id: ValueRef,
    /// The capability's version.
    pub version: u16,
    /// Where the schema writes it.
    pub span: Span,
}
