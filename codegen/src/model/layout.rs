//! Layout stage: size, alignment and offsets of every struct, per target ABI, by the C rules
//! (each member at the next multiple of its alignment, the aggregate rounded up to its largest
//! member alignment). The only ABI difference the uAPI scalar types have on Linux is the
//! alignment of a plain `__u64`/`__s64` inside a struct: 4 on i686, 8 everywhere else here.
//!
//! Every size and offset is computed with checked arithmetic and bounded by `MAX_STRUCT_SIZE`:
//! a struct that would cross it is not laid out further (`StructLayout::too_large` says where),
//! and the check stage refuses the family, so no later stage sees a wrapped or unbounded size.

use crate::ir::*;

/// The largest struct uapigen lays out, in bytes: 1 MiB. The largest real uAPI structs are a
/// page (`struct kvm_xsave`, `struct btrfs_ioctl_search_args` and
/// `struct btrfs_ioctl_vol_args_v2` are 4096 bytes), and an ioctl number can encode at most
/// 16383 (`_IOC_SIZEBITS` is 14), so 1 MiB is far above any real one. Below it every size,
/// offset and sum of two fits the `__u32` argsz/size fields and a 32-bit `usize`, and `decode`
/// allocates at most that much.
pub const MAX_STRUCT_SIZE: u64 = 1 << 20;

/// A target ABI a layout is computed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// The clang/GNU triple, as `uapigen layout --target` takes it.
    pub triple: &'static str,
    /// `target_arch` in Rust, for `cfg!` in the generated assertions.
    pub rust_arch: &'static str,
    /// Alignment of `__u64`/`__s64` as a struct member.
    pub u64_align: u64,
    /// `sizeof(long)`, the ABI's word (`Scalar::is_word`): its size and alignment.
    pub long_size: u64,
    /// An unnamed bitfield (`int :4`, `int :0`) raises the struct's alignment to its type's,
    /// as a named one does: AAPCS's rule, on arm and aarch64 (gcc's `align_anon_bitfield`,
    /// clang's `useZeroLengthBitfieldAlignment`); elsewhere only named bitfields do.
    pub anon_bitfield_aligns: bool,
    /// The ABI allocates bitfields from each byte's most significant bit (s390x): a header's
    /// `__BIG_ENDIAN_BITFIELD` branch is the one taken.
    pub big_endian: bool,
}

/// The Linux ABIs every uAPI struct must agree on. x86-64 is the default and comes first.
pub const TARGETS: &[Target] = &[
    Target {
        triple: "x86_64-linux-gnu",
        rust_arch: "x86_64",
        u64_align: 8,
        long_size: 8,
        anon_bitfield_aligns: false,
        big_endian: false,
    },
    Target {
        triple: "i686-linux-gnu",
        rust_arch: "x86",
        u64_align: 4,
        long_size: 4,
        anon_bitfield_aligns: false,
        big_endian: false,
    },
    Target {
        triple: "aarch64-linux-gnu",
        rust_arch: "aarch64",
        u64_align: 8,
        long_size: 8,
        anon_bitfield_aligns: true,
        big_endian: false,
    },
    Target {
        triple: "arm-linux-gnueabihf",
        rust_arch: "arm",
        u64_align: 8,
        long_size: 4,
        anon_bitfield_aligns: true,
        big_endian: false,
    },
    Target {
        triple: "riscv64-linux-gnu",
        rust_arch: "riscv64",
        u64_align: 8,
        long_size: 8,
        anon_bitfield_aligns: false,
        big_endian: false,
    },
    Target {
        triple: "powerpc64le-linux-gnu",
        rust_arch: "powerpc64",
        u64_align: 8,
        long_size: 8,
        anon_bitfield_aligns: false,
        big_endian: false,
    },
    Target {
        triple: "s390x-linux-gnu",
        rust_arch: "s390x",
        u64_align: 8,
        long_size: 8,
        anon_bitfield_aligns: false,
        big_endian: true,
    },
];

/// The targets grouped by `key`, in `TARGETS` order: each distinct key, with the
/// `target_arch`es of the targets that have it (what a `#[cfg(any(target_arch = ...))]` names).
pub fn targets_by<K: PartialEq>(key: impl Fn(&'static Target) -> K) -> Vec<(K, Vec<&'static str>)> {
    let mut out: Vec<(K, Vec<&'static str>)> = Vec::new();
    for t in TARGETS {
        let k = key(t);
        match out.iter_mut().find(|(g, _)| *g == k) {
            Some((_, arches)) => arches.push(t.rust_arch),
            None => out.push((k, vec![t.rust_arch])),
        }
    }
    out
}

/// `x86_64-linux-gnu`.
pub const DEFAULT_TARGET: &Target = &TARGETS[0];

/// The target of a GNU triple, if uapigen lays out for it.
pub fn target_by_triple(triple: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.triple == triple)
}

/// Everything of a target that a layout depends on: targets with the same rules lay every
/// struct out alike, and `Model::new` computes one table for them all (x86-64's is the
/// aarch64, arm, riscv64, ppc64le and s390x layout too). A fact a layout comes to read of a
/// target (a pointer's size, `long`'s) belongs here, or targets that differ would share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayoutRules {
    u64_align: u64,
    long_size: u64,
    anon_bitfield_aligns: bool,
    big_endian: bool,
    /// The architecture, whose <asm/posix_types.h> sizes `__kernel_mode_t` and its kin.
    arch: Option<&'static str>,
}

impl Target {
    /// Its place in [`TARGETS`] (0 for a target of none).
    pub fn index(&self) -> usize {
        TARGETS.iter().position(|t| t == self).unwrap_or(0)
    }

    /// What a layout reads of this target.
    pub fn layout_rules(&self) -> LayoutRules {
        LayoutRules {
            u64_align: self.u64_align,
            long_size: self.long_size,
            anon_bitfield_aligns: self.anon_bitfield_aligns,
            big_endian: self.big_endian,
            arch: Some(self.rust_arch),
        }
    }

    /// Size of a scalar: its own, or the ABI's word.
    pub fn scalar_size(&self, s: Scalar) -> u64 {
        if s.is_word() {
            self.long_size
        } else if s.is_arch() {
            s.arch_layout(self.rust_arch).0
        } else {
            s.size()
        }
    }

    /// How the target's `asm/ioctl.h` packs an ioctl number: powerpc's own way on ppc64le,
    /// asm-generic's on the others here.
    pub fn ioc_encoding(&self) -> IocEncoding {
        if self.rust_arch.starts_with("powerpc") {
            IocEncoding::Powerpc
        } else {
            IocEncoding::Generic
        }
    }

    /// Size and alignment of a pointer: the ABI's word, as `long` on every Linux ABI.
    pub fn pointer_size(&self) -> u64 {
        self.long_size
    }

    /// Alignment of a scalar as a struct member.
    pub fn scalar_align(&self, s: Scalar) -> u64 {
        match s {
            s if s.is_word() => self.long_size,
            s if s.is_arch() => s.arch_layout(self.rust_arch).0,
            s if s.is_abi_aligned_64() => self.u64_align,
            s if s.is_aligned_64() => 8,
            other => other.size(),
        }
    }
}

/// One member as laid out: top-level fields and, inside inline unions and structs, their
/// members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberLayout {
    /// Dotted path from the struct: `granu.pasid_info`; anonymous unions and structs add no
    /// component.
    pub path: String,
    /// Nesting depth: 0 for a top-level field, 1 inside a union, and so on.
    pub depth: usize,
    /// Offset in bytes.
    pub offset: u64,
    /// Size in bytes.
    pub size: u64,
    /// Alignment in bytes.
    pub align: u64,
    /// Index path through `Struct::fields` and union members, for finding the IR field.
    pub index: Vec<usize>,
    /// True when this member is an inline union or struct (its members follow, one level
    /// deeper).
    pub is_inline: bool,
    /// A bitfield's place: `offset` and `size` are then the bytes its bits touch.
    pub bits: Option<BitPlace>,
}

/// A run of consecutive bitfields: the bytes from where the member before it ends to where its
/// last bit does, which hold them all (what a language without bitfields declares in their
/// place: Rust's `[u8; end - start]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BitRun {
    /// Index path (as `MemberLayout::index`) of its first field.
    pub at_index: Vec<usize>,
    /// How many fields it has (named or not).
    pub fields: usize,
    /// The first byte, from the start of the outermost struct.
    pub start: u64,
    /// The byte after its last bit.
    pub end: u64,
}

/// A run of bitfields among one aggregate's fields, as the Rust emitters hold it.
#[derive(Debug, Clone)]
pub struct RunAmong<'a> {
    /// Index in the fields of its first bitfield.
    pub first: usize,
    /// The run.
    pub run: &'a BitRun,
    /// Each named bitfield: its index in the fields and its bits from the run's first byte.
    pub named: Vec<(usize, BitPlace)>,
}

/// The runs of bitfields among `fields`, struct `st`'s own or one of its inline aggregates',
/// on layout `l`: found by the fields themselves (an inline aggregate's members are a slice
/// of the struct's tree), in order.
pub fn runs_among<'a>(st: &Struct, l: &'a StructLayout, fields: &[Field]) -> Vec<RunAmong<'a>> {
    if fields.iter().all(|f| f.bits.is_none()) {
        return Vec::new();
    }
    let at = |f: &Field| fields.iter().position(|g| std::ptr::eq(g, f));
    let mut out: Vec<RunAmong> = l
        .bit_runs
        .iter()
        .filter_map(|run| {
            let first = field_at(st, &run.at_index).and_then(at)?;
            Some(RunAmong {
                first,
                run,
                named: Vec::new(),
            })
        })
        .collect();
    for m in &l.members {
        let (Some(b), Some(i)) = (m.bits, field_at(st, &m.index).and_then(at)) else {
            continue;
        };
        if let Some(r) = out
            .iter_mut()
            .find(|r| (r.first..r.first + r.run.fields).contains(&i))
        {
            let bit = b.bit - r.run.start * 8;
            r.named.push((i, BitPlace { bit, ..b }));
        }
    }
    out
}

/// A bitfield's first bit in a run declared per byte order, as the other byte order's
/// declaration places it: mirrored within its byte (`byte_order`). Its own inverse.
pub fn mirrored(bit: u64, width: u32) -> u64 {
    bit / 8 * 8 + (8 - bit % 8 - u64::from(width))
}

/// Where a bitfield's bits are, in allocation order (C's: on a big-endian ABI bit 0 is the
/// most significant bit of byte 0, on a little-endian one the least).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BitPlace {
    /// The first bit, from the start of the outermost struct.
    pub bit: u64,
    /// How many bits.
    pub width: u32,
}

/// Padding the compiler would insert: the kernel forbids it in uAPI structs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hole {
    /// Offset in bytes.
    pub offset: u64,
    /// Size in bytes.
    pub size: u64,
    /// The member before the hole (None at the start).
    pub after: Option<String>,
    /// The member after the hole (None at the end).
    pub before: Option<String>,
    /// The member whose index path the hole is reported at.
    pub at_index: Vec<usize>,
    /// Bits that are not whole bytes (next to a bitfield): the first bit and how many; the
    /// hole's `offset` and `size` are then the bytes they touch.
    pub bits: Option<(u64, u64)>,
}

/// One struct's layout on one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructLayout {
    /// `sizeof`.
    pub size: u64,
    /// `alignof`.
    pub align: u64,
    /// Every member, unions' members included, in order.
    pub members: Vec<MemberLayout>,
    /// Implicit padding.
    pub holes: Vec<Hole>,
    /// Each run of consecutive bitfields, its members' included, in order.
    pub bit_runs: Vec<BitRun>,
    /// Set when the struct would be larger than `MAX_STRUCT_SIZE`: the layout stops at the
    /// member that crosses it (`size` is then `MAX_STRUCT_SIZE + 1`, never a wrapped value)
    /// and the check stage refuses the family.
    pub too_large: Option<TooLarge>,
}

/// Where a struct crosses `MAX_STRUCT_SIZE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLarge {
    /// Index path (as `MemberLayout::index`) of the member that crosses it.
    pub at_index: Vec<usize>,
    /// How, in words: `` `x` is 1048576 × 8 bytes = 8388608 bytes ``.
    pub why: String,
    /// The member's type is a struct that is itself too large.
    pub embeds: Option<StructId>,
}

impl StructLayout {
    /// The member at an index path (as `MemberLayout::index`): None for one this target's
    /// compiler leaves out (`Field::when`).
    pub fn member_at(&self, index: &[usize]) -> Option<&MemberLayout> {
        self.members.iter().find(|m| m.index == index)
    }

    /// The member at a dotted path.
    pub fn member(&self, path: &str) -> Option<&MemberLayout> {
        self.members.iter().find(|m| m.path == path)
    }

    /// `offsetofend(struct, path)`.
    pub fn offsetofend(&self, path: &str) -> Option<u64> {
        self.member(path).and_then(|m| m.offset.checked_add(m.size))
    }
}

/// Layouts of every struct of a family on one target, indexed like `Family::structs`.
#[derive(Debug, Clone)]
pub struct FamilyLayout {
    /// The target.
    pub target: &'static Target,
    /// One layout per struct, shared by the targets with the same [`LayoutRules`].
    pub structs: std::sync::Arc<Vec<StructLayout>>,
}

impl FamilyLayout {
    /// The layout of struct `s`.
    pub fn struct_(&self, s: StructId) -> &StructLayout {
        &self.structs[s.0]
    }
}

/// Lays out every struct of `family` on `target`.
pub fn layout_family(family: &Family, target: &'static Target) -> FamilyLayout {
    let mut done: Vec<StructLayout> = Vec::with_capacity(family.structs.len());
    for st in &family.structs {
        // A member a field, at least (grown from empty, a tenth of the layouts' time).
        let mut members = Vec::with_capacity(st.fields.len());
        let mut holes = Vec::new();
        let mut bit_runs = Vec::new();
        let placed = if st.union {
            place_union(
                &st.fields,
                (st.packed_on(target), st.aligned),
                target,
                &done,
                &mut members,
                &mut holes,
                &mut bit_runs,
            )
        } else {
            place_struct(
                &st.fields,
                (st.packed_on(target), st.aligned),
                target,
                &done,
                0,
                "",
                &[],
                0,
                &mut members,
                &mut holes,
                &mut bit_runs,
            )
        };
        let (size, align, too_large) = match placed {
            Ok((size, align)) => (size, align, None),
            Err(t) => (MAX_STRUCT_SIZE + 1, 1, Some(t)),
        };
        done.push(StructLayout {
            size,
            align,
            members,
            holes,
            bit_runs,
            too_large,
        });
    }
    FamilyLayout {
        target,
        structs: std::sync::Arc::new(done),
    }
}

/// `family` laid out on every target of `targets`, in their order: once per distinct
/// [`LayoutRules`], the table shared by the targets that have them.
pub fn layout_targets(family: &Family, targets: &'static [Target]) -> Vec<FamilyLayout> {
    let mut out: Vec<FamilyLayout> = Vec::with_capacity(targets.len());
    // The byte order matters only to a run declared per byte order: without one, s390x lays
    // out as x86-64 and shares its table.
    let ordered = family.any_field(&|f| f.byte_order);
    // The architecture matters only to a member of an architecture's type, an array whose
    // length differs between targets (`4 - sizeof(__kernel_mode_t)`), a member under an
    // architecture's `#if` (`when`), or a struct packed under one (`packed_by`).
    let arch = family.any_field(&|f| {
        matches!(f.ty, FieldType::Scalar(s) if s.is_arch())
            || f.len_expr.as_ref().is_some_and(|e| e.on.is_some())
            || f.when.is_some()
    }) || family.structs.iter().any(|s| s.packed_by.is_some());
    let rules = |t: &Target| LayoutRules {
        big_endian: t.big_endian && ordered,
        arch: Some(t.rust_arch).filter(|_| arch),
        ..t.layout_rules()
    };
    for t in targets {
        let same = out.iter().find(|l| rules(l.target) == rules(t));
        out.push(match same {
            Some(l) => FamilyLayout {
                target: t,
                structs: l.structs.clone(),
            },
            None => layout_family(family, t),
        });
    }
    out
}

/// `x` rounded up to a multiple of `align`; None past `MAX_STRUCT_SIZE` (or u64).
fn round_up(x: u64, align: u64) -> Option<u64> {
    x.div_ceil(align).checked_mul(align)
}

/// `n` bytes as the messages say them.
fn bytes(n: u64) -> String {
    format!("{n} byte{}", if n == 1 { "" } else { "s" })
}

/// Size and alignment of one field's type (array included), each at most `MAX_STRUCT_SIZE`.
/// The error's index path is relative to `f` (empty: `f` itself; `[j, ..]`: union member j).
fn field_shape(f: &Field, target: &Target, done: &[StructLayout]) -> Result<(u64, u64), TooLarge> {
    let (size, align) = element_shape(f, target, done)?;
    // A flexible array member adds its alignment and nothing to the size, as in C.
    let n = f.sized_count(target);
    match size.checked_mul(n).filter(|t| *t <= MAX_STRUCT_SIZE) {
        Some(total) => Ok((total, align)),
        None => Err(TooLarge {
            at_index: Vec::new(),
            why: format!(
                "`{}` is {n} × {} = {}",
                f.display_name(),
                bytes(size),
                size.checked_mul(n)
                    .map_or("more than 2^64 bytes".to_string(), bytes)
            ),
            embeds: None,
        }),
    }
}

/// The size of one element of member `f` on `fl`'s target (of `f` itself where it is no
/// array): a flexible array's too, whose member adds nothing to `sizeof`.
pub fn element_size(f: &Field, fl: &FamilyLayout) -> Option<u64> {
    element_shape(f, fl.target, &fl.structs)
        .ok()
        .map(|(size, _)| size)
}

/// The size and alignment of one element of member `f` (of `f` itself where it is no array; a
/// row of a multi-dimensional array's).
fn element_shape(
    f: &Field,
    target: &Target,
    done: &[StructLayout],
) -> Result<(u64, u64), TooLarge> {
    let here = |why: String| TooLarge {
        at_index: Vec::new(),
        why,
        embeds: None,
    };
    let (size, align) = match &f.ty {
        // A bitfield in a union (bpf.h's `__u64 :64;`; a struct places its bitfields in
        // `place_struct`): its bytes, and its type's alignment if it is named, or where the ABI
        // gives an unnamed bitfield's type to its aggregate.
        FieldType::Scalar(s) if f.bits.is_some() => (
            u64::from(f.bits.unwrap_or(0)).div_ceil(8),
            if f.name.is_some() || target.anon_bitfield_aligns {
                target.scalar_align(*s)
            } else {
                1
            },
        ),
        FieldType::Scalar(s) => (target.scalar_size(*s), target.scalar_align(*s)),
        FieldType::Pointer(_) => (target.pointer_size(), target.pointer_size()),
        FieldType::Struct(i) => {
            // `done` is the layouts so far; the embedded struct is earlier (resolve checks).
            let inner = &done[i.0];
            if inner.too_large.is_some() {
                return Err(TooLarge {
                    embeds: Some(*i),
                    ..here(String::new())
                });
            }
            (inner.size, inner.align)
        }
        // Laid out as a struct of its own would be; its members' offsets are pushed by
        // `push_member`, this is only its shape.
        // An untagged struct's own layout is not its container's packing: gcc packs the members
        // of the struct the attribute is on, and places this one as a member.
        FieldType::Inline(Aggregate::Struct, members) => place_struct(
            members,
            (f.packed, type_aligned(f)),
            target,
            done,
            0,
            "",
            &[],
            0,
            &mut Vec::new(),
            &mut Vec::new(),
            &mut Vec::new(),
        )?,
        FieldType::Inline(Aggregate::Union, members) => {
            let mut size = 0;
            let mut align = 1;
            for (j, m) in members.iter().enumerate() {
                let (s, a) = field_shape(m, target, done).map_err(|mut t| {
                    t.at_index.insert(0, j);
                    t
                })?;
                size = size.max(s);
                // A packed union's members are 1-aligned (none has an `aligned` of its own);
                // `#pragma pack(n)` caps them at n.
                let a = if f.packed { 1 } else { a };
                align = align.max(m.pack.map_or(a, |n| a.min(n)));
            }
            let align = align.max(type_aligned(f).unwrap_or(1));
            // Every member is within the maximum, which is a multiple of any alignment.
            let size = round_up(size, align)
                .filter(|s| *s <= MAX_STRUCT_SIZE)
                .ok_or_else(|| {
                    here(format!("`{}` rounds up past the maximum", f.display_name()))
                })?;
            (size, align)
        }
    };
    // A multi-dimensional array's element is a row of its scalar.
    let size = size
        .checked_mul(f.row())
        .filter(|t| *t <= MAX_STRUCT_SIZE)
        .ok_or_else(|| {
            here(format!(
                "`{}`'s rows are past the maximum",
                f.display_name()
            ))
        })?;
    Ok((size, align))
}

/// A member's alignment in its struct, by gcc's rules, from its type's (`natural`): its own
/// `aligned(n)` raises it (and never lowers it); in a packed struct, the type's alignment
/// is dropped and only what the member asks for itself remains, 1 without. `__aligned_u64`
/// is `__u64 __attribute__((aligned(8)))` (linux/types.h), a member's own attribute, so it
/// stays 8-aligned in a packed struct. `aligned(__alignof__(struct X))` asks for X's
/// alignment on this target (`done`: its layout).
fn member_align(f: &Field, natural: u64, packed: bool, done: &[StructLayout]) -> u64 {
    // A member's own `__attribute__((packed))` (linux/toshiba.h's `ebx`) packs it alone; an
    // inline aggregate's is its type's, already in `natural`.
    let packed = packed || (f.packed && !matches!(f.ty, FieldType::Inline(..)));
    // An aligned typedef's n is its type's alignment, lower or higher (`packed_ulong`,
    // `vring_desc_t`), which a packed struct drops as any type's.
    if let (true, Some(n)) = (f.typedef_aligned, f.aligned) {
        let align = if packed { 1 } else { n };
        return f.pack.map_or(align, |p| align.min(p));
    }
    let own = match &f.ty {
        FieldType::Scalar(s) if s.is_aligned_64() => Some(8),
        _ => None,
    };
    let aligned = f
        .aligned
        .or(f.aligned_of.and_then(|x| done.get(x.0)).map(|l| l.align));
    let own = match (own, aligned) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let align = match (packed, own) {
        (true, own) => own.unwrap_or(1),
        (false, own) => natural.max(own.unwrap_or(1)),
    };
    // `#pragma pack(n)` caps it, the member's own `aligned` too (gcc and clang alike).
    f.pack.map_or(align, |n| align.min(n))
}

fn join(prefix: &str, name: Option<&str>) -> String {
    match (prefix.is_empty(), name) {
        (_, None) => prefix.to_string(),
        (true, Some(n)) => n.to_string(),
        (false, Some(n)) => format!("{prefix}.{n}"),
    }
}

/// Places `fields` from `base`; the size and alignment of what they make, or where they cross
/// `MAX_STRUCT_SIZE` (index paths from the struct). Positions are in bits, where a bitfield
/// may end; every other member starts on a byte.
#[allow(clippy::too_many_arguments)]
fn place_struct(
    fields: &[Field],
    (packed, aligned): (bool, Option<u64>),
    target: &Target,
    done: &[StructLayout],
    base: u64,
    prefix: &str,
    index: &[usize],
    depth: usize,
    members: &mut Vec<MemberLayout>,
    holes: &mut Vec<Hole>,
    runs: &mut Vec<BitRun>,
) -> Result<(u64, u64), TooLarge> {
    // The end of what is placed so far, in bits.
    let mut end: u64 = 0;
    let mut align = 1;
    // The field before, as a hole names it (made into text only when there is a hole).
    let mut prev: Option<(String, &Field)> = None;
    // A run declared per byte order, on a big-endian ABI: each of its bitfields' first bit
    // there (by field index), from where the little-endian declaration puts it.
    let mut mirrored: Vec<(usize, u64)> = Vec::new();
    let hole = |from: u64, to: u64, prev: &Option<(String, &Field)>, before, at_index| Hole {
        offset: base + from / 8,
        size: to.div_ceil(8) - from / 8,
        after: prev.as_ref().map(|(p, pf)| display_path(p, pf)),
        before,
        at_index,
        bits: (from % 8 != 0 || to % 8 != 0).then_some((base * 8 + from, to - from)),
    };
    // A big-endian ABI takes the runs of members declared per byte order in reverse.
    let order = big_endian_order(fields, target);
    for k in 0..fields.len() {
        let i = order.get(k).copied().unwrap_or(k);
        let f = &fields[i];
        // A member under `#if` (`when`) this target's compiler leaves out is not there: the
        // lists of members differ between targets, found by `index`, not by position.
        if !f.on(target) {
            continue;
        }
        let mut idx = Vec::with_capacity(index.len() + 1);
        idx.extend_from_slice(index);
        idx.push(i);
        let path = join(prefix, f.name.as_deref());
        if let (Some(width), FieldType::Scalar(s)) = (f.bits, &f.ty) {
            // Placed in the schema's (little-endian) order; a run declared per byte order
            // takes its mirrored bits on a big-endian ABI, the same bytes.
            let (start, falign) = place_bits(*s, u64::from(width), end, bit_cap(packed, f), target);
            let mut placed = start;
            if f.byte_order && target.big_endian {
                if f.byte_order_starts {
                    mirrored = mirror_run(fields, i, end, packed, target);
                }
                if let Some((_, m)) = mirrored.iter().find(|(k, _)| *k == i) {
                    placed = *m;
                }
            }
            match runs.last_mut() {
                // The last run is this one when the field before is a bitfield: a run of a
                // member's own comes only from a member that is not. It counts the fields it
                // spans, one this target leaves out (`when`) among them.
                Some(r) if i > 0 && fields[i - 1].bits.is_some() => {
                    r.fields = i + 1 - r.at_index.last().copied().unwrap_or(i);
                }
                _ => runs.push(BitRun {
                    at_index: idx.clone(),
                    fields: 1,
                    start: base + end.div_ceil(8),
                    end: 0,
                }),
            }
            let stop = start + u64::from(width);
            if let Some(r) = runs.last_mut() {
                r.end = base + stop.div_ceil(8);
            }
            if start + u64::from(width) > MAX_STRUCT_SIZE * 8 {
                return Err(TooLarge {
                    at_index: idx,
                    why: format!(
                        "`{}` would end past byte {MAX_STRUCT_SIZE}",
                        display_path(&path, f)
                    ),
                    embeds: None,
                });
            }
            if f.name.is_some() || target.anon_bitfield_aligns {
                align = align.max(falign);
            }
            if start > end {
                holes.push(hole(
                    end,
                    start,
                    &prev,
                    Some(display_path(&path, f)),
                    idx.clone(),
                ));
            }
            // The big-endian declaration merges a run's last bitfield into the one ending the
            // byte before (`Field::byte_order_merged`): that one is wider there, this one is
            // not declared.
            let merged = f.byte_order && target.big_endian;
            let width = match f.big_endian_bits {
                Some(w) if merged => w,
                _ => width,
            };
            if f.name.is_some() && !(merged && f.byte_order_merged) {
                members.push(MemberLayout {
                    path: display_path(&path, f),
                    depth,
                    // Its own bytes: a run reversed as a whole moves it to others.
                    offset: base + placed / 8,
                    size: (placed + u64::from(width)).div_ceil(8) - placed / 8,
                    align: target.scalar_align(*s),
                    index: idx.clone(),
                    is_inline: false,
                    bits: Some(BitPlace {
                        bit: base * 8 + placed,
                        width,
                    }),
                });
            }
            // Padding bits end a hole: they are the header's own.
            prev = Some((path, f));
            end = stop;
            continue;
        }
        let (size, falign) = field_shape(f, target, done).map_err(|mut t| {
            t.at_index.splice(0..0, idx.iter().copied());
            t
        })?;
        let falign = member_align(f, falign, packed, done);
        // end and size are each at most MAX_STRUCT_SIZE, so neither sum can wrap; the bound
        // is what is checked.
        let from = end.div_ceil(8);
        let offset = round_up(from, falign)
            .and_then(|o| o.checked_add(size).map(|e| (o, e)))
            .filter(|(_, e)| *e <= MAX_STRUCT_SIZE);
        let Some((offset, field_end)) = offset else {
            return Err(TooLarge {
                at_index: idx,
                why: format!(
                    "`{}` ({}) would end at byte {}",
                    display_path(&path, f),
                    bytes(size),
                    round_up(from, falign)
                        .and_then(|o| o.checked_add(size))
                        .map_or("2^64 or more".to_string(), |e| e.to_string())
                ),
                embeds: None,
            });
        };
        if offset * 8 > end {
            holes.push(hole(
                end,
                offset * 8,
                &prev,
                Some(display_path(&path, f)),
                idx.clone(),
            ));
        }
        push_member(
            f,
            target,
            done,
            base + offset,
            size,
            falign,
            &path,
            &idx,
            depth,
            members,
            holes,
            runs,
        )?;
        prev = Some((path, f));
        end = field_end * 8;
        align = align.max(falign);
    }
    // `aligned(n)` on the struct raises its alignment, and so rounds its size up; below the
    // members' alignment gcc ignores it.
    let align = align.max(aligned.unwrap_or(1));
    // MAX_STRUCT_SIZE is a multiple of every alignment, so rounding stays within it.
    let size = round_up(end.div_ceil(8), align)
        .filter(|s| *s <= MAX_STRUCT_SIZE)
        .ok_or_else(|| TooLarge {
            at_index: index
                .iter()
                .copied()
                .chain([fields.len().saturating_sub(1)])
                .collect(),
            why: "its tail padding would end past the maximum".to_string(),
            embeds: None,
        })?;
    if size * 8 > end {
        // Reported at the last field: that is where the author adds the explicit padding.
        let mut at_index = index.to_vec();
        at_index.push(fields.len().saturating_sub(1));
        holes.push(hole(end, size * 8, &prev, None, at_index));
    }
    Ok((size, align))
}

/// Whether union member `f` (at `index`, the union at byte `offset`) is a bitfield: padding
/// bits (`__u64 :64;`), or a named one (linux/hdreg.h's `unsigned all : 16;`, which only a
/// `rust_opaque` struct holds); then its bytes are a run of bitfields of its own, and a named
/// one a member at the union's first bit, as every member of a union starts there.
fn union_bits(
    f: &Field,
    (offset, size): (u64, u64),
    (path, index, depth): (&str, &[usize], usize),
    target: &Target,
    members: &mut Vec<MemberLayout>,
    runs: &mut Vec<BitRun>,
) -> bool {
    let (Some(width), FieldType::Scalar(s)) = (f.bits, &f.ty) else {
        return false;
    };
    runs.push(BitRun {
        at_index: index.to_vec(),
        fields: 1,
        start: offset,
        end: offset + size,
    });
    if f.name.is_some() {
        members.push(MemberLayout {
            path: display_path(path, f),
            depth,
            offset,
            size: u64::from(width).div_ceil(8),
            align: target.scalar_align(*s),
            index: index.to_vec(),
            is_inline: false,
            bits: Some(BitPlace {
                bit: offset * 8,
                width,
            }),
        });
    }
    true
}

/// Places a file-scope union's members, each at offset 0: its size is the largest member's
/// rounded up to its alignment (the largest member's, or `aligned`), and only that rounding
/// is a hole (a smaller member leaves the union's other bytes to the others, as in C).
fn place_union(
    fields: &[Field],
    (packed, aligned): (bool, Option<u64>),
    target: &Target,
    done: &[StructLayout],
    members: &mut Vec<MemberLayout>,
    holes: &mut Vec<Hole>,
    runs: &mut Vec<BitRun>,
) -> Result<(u64, u64), TooLarge> {
    let (mut widest, mut align) = (0, 1);
    for (j, f) in fields.iter().enumerate() {
        let (size, falign) = field_shape(f, target, done).map_err(|mut t| {
            t.at_index.insert(0, j);
            t
        })?;
        let falign = member_align(f, falign, packed, done);
        widest = widest.max(size);
        align = align.max(falign);
        let here = (join("", f.name.as_deref()), [j]);
        if union_bits(f, (0, size), (&here.0, &here.1, 0), target, members, runs) {
            continue;
        }
        push_member(
            f,
            target,
            done,
            0,
            size,
            falign,
            &join("", f.name.as_deref()),
            &[j],
            0,
            members,
            holes,
            runs,
        )?;
    }
    let align = align.max(aligned.unwrap_or(1));
    let size = round_up(widest, align)
        .filter(|s| *s <= MAX_STRUCT_SIZE)
        .ok_or_else(|| TooLarge {
            at_index: vec![fields.len().saturating_sub(1)],
            why: "its tail padding would end past the maximum".to_string(),
            embeds: None,
        })?;
    if size > widest {
        holes.push(Hole {
            offset: widest,
            size: size - widest,
            after: None,
            before: None,
            at_index: vec![fields.len().saturating_sub(1)],
            bits: None,
        });
    }
    Ok((size, align))
}

/// The order `target`'s declaration has `fields` in, by index, where it is not theirs: on a
/// big-endian ABI each run of members declared per byte order that are not bitfields in
/// reverse (a run of bitfields is mirrored where it is placed, `mirror_run`). Empty (the
/// fields' own order) elsewhere, and for most structs, which have no such run.
fn big_endian_order(fields: &[Field], target: &Target) -> Vec<usize> {
    if !target.big_endian || !fields.iter().any(Field::reversed_member) {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..fields.len()).collect();
    let mut i = 0;
    while i < fields.len() {
        if !fields[i].reversed_member() {
            i += 1;
            continue;
        }
        let end = i
            + 1
            + fields[i + 1..]
                .iter()
                .take_while(|f| f.continues_run())
                .count();
        order[i..end].reverse();
        i = end;
    }
    order
}

/// A run of bitfields declared per byte order, from field `first`, where the last member
/// ended at bit `end`: where the big-endian declaration (each byte's bitfields in reverse, or
/// the run in reverse: `Field::byte_order_word`) puts each, by field index. Its little-endian
/// places must tile whole bytes, no bitfield across two, or for a run in reverse one unit of
/// its type (`byte_order_misfit` refuses any other, and this returns nothing for it): then
/// each keeps its bits in memory, or of the unit's value.
fn mirror_run(
    fields: &[Field],
    first: usize,
    end: u64,
    packed: bool,
    target: &Target,
) -> Vec<(usize, u64)> {
    let mut out = Vec::new();
    let mut at = end;
    let word = fields[first].byte_order_word;
    for (k, f) in fields.iter().enumerate().skip(first) {
        let (Some(w), FieldType::Scalar(s), true) = (f.bits, &f.ty, f.byte_order) else {
            break;
        };
        let w = u64::from(w);
        // As a little-endian ABI of the same rules places it.
        let (start, _) = place_bits(*s, w, at, bit_cap(packed, f), target);
        // One the big-endian declaration merges into the bitfield before is whole bytes,
        // which stay where they are.
        let whole = f.byte_order_merged && start % 8 == 0 && w % 8 == 0;
        if start != at || w == 0 || (!word && !whole && start / 8 != (start + w - 1) / 8) {
            return Vec::new();
        }
        out.push((
            k,
            if word || whole {
                start
            } else {
                mirrored(start, w as u32)
            },
        ));
        at = start + w;
    }
    if end % 8 != 0 || at % 8 != 0 {
        return Vec::new();
    }
    // Reversed as a whole (`byte_order_word`): one unit of its type, from a unit's start,
    // each bitfield where the unit's value keeps its bits.
    if word {
        let unit = match fields[first].ty {
            FieldType::Scalar(s) => s.size() * 8,
            _ => 0,
        };
        if unit == 0 || at - end != unit || end % unit != 0 {
            return Vec::new();
        }
        for (k, start) in out.iter_mut() {
            let w = u64::from(fields[*k].bits.unwrap_or(0));
            *start = end + (unit - (*start - end) - w);
        }
    }
    out
}

/// Where a run declared per byte order does not tile whole bytes, on the first target's
/// layout: the index path of the bitfield and why. Reversing such a run per byte would move
/// its bitfields in memory on a big-endian ABI, so the header's two declarations would not be
/// one ABI.
pub fn byte_order_misfit(
    family: &Family,
    fl: &FamilyLayout,
    s: StructId,
) -> Option<(Vec<usize>, String)> {
    let st = family.struct_(s);
    let l = fl.struct_(s);
    for run in &l.bit_runs {
        let Some(f0) = field_at(st, &run.at_index) else {
            continue;
        };
        let (parent, i0) = run.at_index.split_at(run.at_index.len() - 1);
        let siblings: &[Field] = if parent.is_empty() {
            &st.fields
        } else {
            match field_at(st, parent).map(|p| &p.ty) {
                Some(FieldType::Inline(_, ms)) => ms,
                _ => continue,
            }
        };
        let run_fields = &siblings[i0[0]..i0[0] + run.fields];
        let ordered = run_fields.iter().filter(|f| f.byte_order).count();
        if ordered == 0 {
            continue;
        }
        if ordered != run_fields.len() {
            return Some((
                run.at_index.clone(),
                format!(
                    "the run of bitfields from `{}` is declared per byte order in part: every \
                     bitfield of the run has `byte_order`, or none",
                    f0.display_name()
                ),
            ));
        }
        if f0.byte_order_word {
            if let Some(why) = word_misfit(run_fields, run) {
                return Some((run.at_index.clone(), why));
            }
            continue;
        }
        // Its bits on this (little-endian) target, in order.
        let mut at = run.start * 8;
        let mut bits = 0;
        for (k, f) in run_fields.iter().enumerate() {
            let w = u64::from(f.bits.unwrap_or(0));
            let mut index = parent.to_vec();
            index.push(i0[0] + k);
            let start = l
                .members
                .iter()
                .find(|m| m.index == index)
                .and_then(|m| m.bits)
                .map_or(at, |b| b.bit);
            let why = if w == 0 {
                Some("a zero-width bitfield".to_string())
            } else if start != at {
                Some(format!("bits {at} to {} are not its own", start - 1))
            } else if f.byte_order_merged && (start % 8 != 0 || w % 8 != 0) {
                Some(format!(
                    "merged on a big-endian ABI, it is whole bytes, and here it is bits {start} \
                     to {}",
                    start + w - 1
                ))
            } else if !f.byte_order_merged && start / 8 != (start + w - 1) / 8 {
                Some(format!(
                    "it crosses from byte {} to byte {}",
                    start / 8,
                    (start + w - 1) / 8
                ))
            } else {
                None
            };
            if let Some(why) = why {
                return Some((
                    index,
                    format!(
                        "`{}` in a run declared per byte order: {why}; such a run's bitfields \
                         tile whole bytes, each within one, so that reversing each byte's keeps \
                         every bitfield's bits",
                        f.display_name()
                    ),
                ));
            }
            at = start + w;
            bits += w;
        }
        if bits % 8 != 0 {
            return Some((
                run.at_index.clone(),
                format!(
                    "the run of bitfields from `{}` declared per byte order takes {bits} bits, \
                     not whole bytes",
                    f0.display_name()
                ),
            ));
        }
    }
    None
}

/// Why a run of bitfields reversed as a whole on a big-endian ABI (`byte_order = "word"`) is
/// not one unit of one type from the unit's start, which reversing keeps each bitfield's bits
/// of the unit's value only then; None when it is.
fn word_misfit(run_fields: &[Field], run: &BitRun) -> Option<String> {
    let f0 = &run_fields[0];
    let FieldType::Scalar(ty) = f0.ty else {
        return None;
    };
    let unit = ty.size();
    let name = f0.display_name();
    if let Some(f) = run_fields
        .iter()
        .find(|f| !matches!(f.ty, FieldType::Scalar(t) if t == ty))
    {
        return Some(format!(
            "the run of bitfields from `{name}` is reversed as a whole (`byte_order = \"word\"`) \
             and `{}` has another type: such a run is one unit of one type",
            f.display_name()
        ));
    }
    if run_fields.iter().any(|f| f.bits == Some(0)) {
        return Some(format!(
            "the run of bitfields from `{name}` is reversed as a whole (`byte_order = \"word\"`) \
             and has a zero-width bitfield: such a run is one unit of one type"
        ));
    }
    let bytes = run.end - run.start;
    let bits: u64 = run_fields
        .iter()
        .map(|f| u64::from(f.bits.unwrap_or(0)))
        .sum();
    (bits != unit * 8 || bytes != unit || run.start % unit != 0).then(|| {
        format!(
            "the run of bitfields from `{name}` is reversed as a whole (`byte_order = \"word\"`) \
             and takes {bits} bits from byte {}: such a run is one {unit}-byte unit of its type, \
             every bit its bitfields', from the unit's start, so that each keeps its bits of \
             the unit's value",
            run.start
        )
    })
}

/// The cap on a bitfield's alignment in its struct: 1 in a packed struct, n under `#pragma
/// pack(n)` (`Field::pack`). Either way gcc and clang place it at the next bit, across any
/// unit of its type; `:0` still moves to the next unit.
fn bit_cap(packed: bool, f: &Field) -> Option<u64> {
    if packed {
        Some(1)
    } else {
        f.pack
    }
}

/// Where gcc places a bitfield of type `s` and `width` bits when what is before it ends at bit
/// `end`, and the alignment it gives the struct if it counts (a named one; an unnamed one on
/// AAPCS). gcc's `place_field` on every ABI here (`PCC_BITFIELD_TYPE_MATTERS`): a bitfield
/// spans no more units of its type's alignment than the type itself does, or it moves to the
/// next unit (stor-layout.cc, `excess_unit_span`); the alignment is the member alignment
/// (`__u64`'s is 4 on i686, so there it may straddle 8 bytes). With a `cap` (`bit_cap`) it
/// takes the next bit and aligns the struct at most that much. `:0` moves to the next unit of
/// its type, capped or not.
fn place_bits(s: Scalar, width: u64, end: u64, cap: Option<u64>, target: &Target) -> (u64, u64) {
    let talign = target.scalar_align(s);
    let unit = talign * 8;
    let type_bits = target.scalar_size(s) * 8;
    if width == 0 {
        return (end.div_ceil(unit) * unit, talign);
    }
    if let Some(n) = cap {
        return (end, talign.min(n));
    }
    let spans = (end % unit + width).div_ceil(unit);
    let start = if spans > type_bits / unit {
        end.div_ceil(unit) * unit
    } else {
        end
    };
    (start, talign)
}

fn display_path(path: &str, f: &Field) -> String {
    if path.is_empty() || f.name.is_none() {
        // Anonymous structs are told apart by their first member's name, which is unique
        // among the struct's (C11 flattens them): a struct may have several, and the lock
        // matches members by path. (An anonymous union keeps the name its locks publish.)
        let shown = match &f.ty {
            FieldType::Inline(Aggregate::Struct, ms) if f.name.is_none() => match first_name(ms) {
                Some(n) => format!("(anonymous struct {n})"),
                None => f.display_name().to_string(),
            },
            _ => f.display_name().to_string(),
        };
        if path.is_empty() {
            shown
        } else {
            format!("{path}.{shown}")
        }
    } else {
        path.to_string()
    }
}

/// The first member name of `fields`, through anonymous members.
fn first_name(fields: &[Field]) -> Option<&str> {
    fields.iter().find_map(|f| match (&f.name, &f.ty) {
        (Some(n), _) => Some(n.as_str()),
        (None, FieldType::Inline(_, ms)) => first_name(ms),
        (None, _) => None,
    })
}

#[allow(clippy::too_many_arguments)]
fn push_member(
    f: &Field,
    target: &Target,
    done: &[StructLayout],
    offset: u64,
    size: u64,
    align: u64,
    path: &str,
    idx: &[usize],
    depth: usize,
    members: &mut Vec<MemberLayout>,
    holes: &mut Vec<Hole>,
    runs: &mut Vec<BitRun>,
) -> Result<(), TooLarge> {
    let is_inline = matches!(f.ty, FieldType::Inline(..));
    members.push(MemberLayout {
        path: display_path(path, f),
        depth,
        offset,
        size,
        align,
        index: idx.to_vec(),
        is_inline,
        bits: None,
    });
    if let FieldType::Inline(Aggregate::Struct, ms) = &f.ty {
        // Its members in order with C's padding between them: a hole inside it is a hole of
        // the struct, as is its own tail padding.
        place_struct(
            ms,
            (f.packed, type_aligned(f)),
            target,
            done,
            offset,
            path,
            idx,
            depth + 1,
            members,
            holes,
            runs,
        )?;
    }
    if let FieldType::Inline(Aggregate::Union, ms) = &f.ty {
        // Members smaller than the union are fine (unused union bytes); only the union's own
        // tail padding, from rounding its size up, is a hole.
        let mut widest = 0;
        for (j, m) in ms.iter().enumerate() {
            let mut midx = idx.to_vec();
            midx.push(j);
            let (msize, malign) = field_shape(m, target, done).map_err(|mut t| {
                t.at_index.splice(0..0, midx.iter().copied());
                t
            })?;
            let malign = if f.packed { 1 } else { malign };
            let malign = m.pack.map_or(malign, |n| malign.min(n));
            widest = widest.max(msize);
            let mpath = join(path, m.name.as_deref());
            let at = (mpath.as_str(), midx.as_slice(), depth + 1);
            if union_bits(m, (offset, msize), at, target, members, runs) {
                continue;
            }
            push_member(
                m,
                target,
                done,
                offset,
                msize,
                malign,
                &mpath,
                &midx,
                depth + 1,
                members,
                holes,
                runs,
            )?;
        }
        let one = size / f.len_on(target).unwrap_or(1).max(1);
        if one > widest {
            holes.push(Hole {
                offset: offset + widest,
                size: one - widest,
                after: Some(display_path(path, f)),
                before: None,
                at_index: idx.to_vec(),
                bits: None,
            });
        }
    }
    Ok(())
}

/// The `#[repr(C, ...)]` modifiers of a struct's Rust type. Rust has no member alignment and
/// forbids `packed` and `align` on one type, so gcc's attributes map onto one of them:
/// a packed struct is `packed`, or `packed(n)` when a member or the struct asks for n; any
/// other struct asking for an alignment (`aligned`, a member's `aligned`, a `__aligned_u64`,
/// which Rust's `u64` is not on i686) is `align(n)`. [`rust_unfaithful`] says when the type
/// so written would not be the C struct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RustRepr {
    /// `packed` (`Some(1)`) or `packed(n)`.
    pub packed: Option<u64>,
    /// `align(n)`.
    pub align: Option<u64>,
    /// A zero-length array of an integer of this alignment at offset 0, where `packed(n)`
    /// leaves the type less aligned than gcc's `packed, aligned(n)` (`rust_zero_align`;
    /// `rust_repr` never sets it).
    pub zero_align: Option<u64>,
}

/// The Rust repr of a struct or union with these members; `packed` and `aligned` are the
/// struct's (a union has neither).
pub fn rust_repr(fields: &[Field], packed: bool, aligned: Option<u64>) -> RustRepr {
    // What the members ask for themselves: their `aligned`, and `__aligned_u64` (a member
    // attribute in linux/types.h), also inside a union member, whose Rust type gets it too.
    // In a packed struct a typedef's alignment is its type's, which gcc drops like any.
    fn asked(fields: &[Field], packed: bool) -> u64 {
        fields
            .iter()
            .map(|f| {
                let ty = match &f.ty {
                    FieldType::Scalar(s) if s.is_aligned_64() => 8,
                    FieldType::Inline(_, ms) => asked(ms, false),
                    _ => 1,
                };
                // A typedef lowering the type's alignment asks for none (`packed(n)` below).
                match f.typedef_lowers || (packed && f.typedef_aligned) {
                    true => ty,
                    false => ty.max(f.aligned.unwrap_or(1)),
                }
            })
            .max()
            .unwrap_or(1)
    }
    // `#pragma pack(n)` is Rust's `packed(n)`: each member at most n-aligned.
    if let Some(n) = fields.iter().find_map(|f| f.pack) {
        return RustRepr {
            packed: Some(n),
            align: None,
            zero_align: None,
        };
    }
    // A member of a typedef lowering its type's alignment to n (`packed_ulong`): Rust caps
    // the type's alignment by the holder's `packed(n)`. `rust_unfaithful` says when another
    // member then moves.
    let lowered = fields
        .iter()
        .filter(|f| f.typedef_lowers)
        .filter_map(|f| f.aligned)
        .min();
    if let (false, Some(n)) = (packed, lowered) {
        return RustRepr {
            packed: Some(n),
            align: None,
            zero_align: None,
        };
    }
    let n = asked(fields, packed).max(aligned.unwrap_or(1));
    match (packed, n) {
        (true, n) => RustRepr {
            packed: Some(n),
            align: None,
            zero_align: None,
        },
        (false, 1) => RustRepr {
            packed: None,
            align: None,
            zero_align: None,
        },
        (false, n) => RustRepr {
            packed: None,
            align: Some(n),
            zero_align: None,
        },
    }
}

/// The Rust repr of the type of inline member `f` (a `union = [...]` or `struct = [...]`
/// holding `members`): its `packed`, and an anonymous one's `aligned`, which C writes on the
/// type (a named one's is the member's, after its name).
pub fn inline_repr(f: &Field, members: &[Field]) -> RustRepr {
    rust_repr(members, f.packed, type_aligned(f))
}

/// Whether a Rust type of this repr (or one it holds) is `align(n)`: a packed type may not
/// hold one (E0588).
fn holds_rust_align(family: &Family, fields: &[Field]) -> Option<String> {
    for f in fields {
        match &f.ty {
            FieldType::Struct(i) => {
                let inner = family.struct_(*i);
                let repr = rust_repr(&inner.fields, inner.packed, inner.aligned);
                if repr.align.is_some() {
                    return Some(format!(
                        "`struct {}` is `#[repr(C, align(..))]`",
                        inner.name
                    ));
                }
                if let Some(why) = holds_rust_align(family, &inner.fields) {
                    return Some(why);
                }
            }
            FieldType::Inline(kind, ms) => {
                if inline_repr(f, ms).align.is_some() {
                    return Some(format!(
                        "the {} `{}` is `#[repr(C, align(..))]`",
                        kind.c_keyword(),
                        f.display_name()
                    ));
                }
                if let Some(why) = holds_rust_align(family, ms) {
                    return Some(why);
                }
            }
            FieldType::Scalar(_) | FieldType::Pointer(_) => {}
        }
    }
    None
}

/// Where the struct's Rust type, `#[repr(C)]` with [`rust_repr`]'s modifiers, would not be
/// the C struct gcc lays out on `fl`'s target: the index path of the member (empty: the
/// struct) and why. Rust places each member at its type's alignment (capped at n by
/// `packed(n)`), with no member alignment of its own, so a member gcc places otherwise
/// (its `aligned` moving it past a hole, `__aligned_u64` in a packed struct on i686) has no
/// faithful Rust type; nor has a packed struct holding an `align(n)` type, which Rust refuses.
pub fn rust_unfaithful(
    family: &Family,
    fl: &FamilyLayout,
    s: StructId,
) -> Option<(Vec<usize>, String)> {
    let c = fl.struct_(s);
    if c.too_large.is_some() {
        return None;
    }
    let level = Level::of(family, fl, s, &[])?;
    level.unfaithful(family, fl, &mut Vec::new(), &mut None, true)
}

/// The bytes of padding the struct's Rust type holds before each of its members on `fl`'s
/// target, as (field index, bytes): where a member's alignment (its `aligned(n)`, a
/// `__aligned_u64` on i686) puts it past where Rust would, in a struct that is not packed.
/// Rust has no member alignment, so the type spells gcc's hole out, as bindgen does
/// (`__bindgen_padding_N`), on the targets that have it. Empty for a struct with no Rust type.
/// `path` is the aggregate's: empty for the struct, a field's index path for an inline
/// `struct = [...]` of it (whose Rust type is one of its own).
pub fn rust_padding(
    family: &Family,
    fl: &FamilyLayout,
    s: StructId,
    path: &[usize],
) -> Vec<(usize, u64)> {
    if fl.struct_(s).too_large.is_some() {
        return Vec::new();
    }
    // Most aggregates have no member asking for an alignment of its own: settled before the
    // level (and its repr) is built.
    let Some(fields) = members_at(family.struct_(s), path) else {
        return Vec::new();
    };
    if !fields
        .iter()
        .any(|f| asks_alignment(f, fl.target.u64_align))
    {
        return Vec::new();
    }
    let Some(level) = Level::of(family, fl, s, path) else {
        return Vec::new();
    };
    if level.union || level.repr.align.is_none() {
        return Vec::new();
    }
    let mut pads = Vec::new();
    match level.unfaithful(family, fl, &mut pads, &mut None, false) {
        None => pads,
        Some(_) => Vec::new(),
    }
}

/// The alignment the Rust type of packed struct `s` takes from a zero-length array of an
/// integer of that alignment (`[u32; 0]`), at offset 0, where gcc's `packed, aligned(n)`
/// makes it more aligned than its members are in Rust's `packed(n)` on some target
/// (sound/compress_params.h's `snd_dec_flac`); None for any other struct.
pub fn rust_zero_align(family: &Family, layouts: &[FamilyLayout], s: StructId) -> Option<u64> {
    let st = family.struct_(s);
    if st.union || !st.packed || st.aligned.is_none_or(|a| a < 2) {
        return None;
    }
    layouts.iter().find_map(|fl| {
        if fl.struct_(s).too_large.is_some() {
            return None;
        }
        let level = Level::of(family, fl, s, &[])?;
        let mut zero = None;
        match level.unfaithful(family, fl, &mut Vec::new(), &mut zero, false) {
            None => zero,
            Some(_) => None,
        }
    })
}

/// Padding bytes before a struct's member on some targets: (field index, bytes, the targets'
/// `target_arch`es), in field order.
pub type Padding = (usize, u64, Vec<&'static str>);

/// `rust_padding` on every target of `layouts`, the targets that agree together.
pub fn rust_paddings(
    family: &Family,
    layouts: &[FamilyLayout],
    s: StructId,
    path: &[usize],
) -> Vec<Padding> {
    let mut pads: Vec<Padding> = Vec::new();
    // Most structs have no member asking for an alignment of its own on any target.
    let st = family.struct_(s);
    let (union, fields) = match path {
        [] => (st.union, st.fields.as_slice()),
        _ => match field_at(st, path).map(|f| &f.ty) {
            Some(FieldType::Inline(kind, ms)) => (*kind == Aggregate::Union, ms.as_slice()),
            _ => return pads,
        },
    };
    let least = TARGETS.iter().map(|t| t.u64_align).min().unwrap_or(8);
    if union || !fields.iter().any(|f| asks_alignment(f, least)) {
        return pads;
    }
    // Targets that share a layout table (and so its rules, `u64`'s alignment among them)
    // share the answer.
    let mut seen: Vec<(&std::sync::Arc<Vec<StructLayout>>, Vec<(usize, u64)>)> = Vec::new();
    for fl in layouts {
        let known = seen
            .iter()
            .find(|(t, _)| std::sync::Arc::ptr_eq(t, &fl.structs))
            .map(|(_, p)| p.clone());
        let here = match known {
            Some(p) => p,
            None => {
                let p = rust_padding(family, fl, s, path);
                seen.push((&fl.structs, p.clone()));
                p
            }
        };
        for (i, bytes) in here {
            match pads.iter_mut().find(|p| p.0 == i && p.1 == bytes) {
                Some(p) => p.2.push(fl.target.rust_arch),
                None => pads.push((i, bytes, vec![fl.target.rust_arch])),
            }
        }
    }
    pads.sort_by_key(|p| p.0);
    pads
}

/// The members of the aggregate at `path` in `st`: its own (empty path), or an inline union's
/// or struct's; None for a path to anything else.
fn members_at<'a>(st: &'a Struct, path: &[usize]) -> Option<&'a [Field]> {
    match path {
        [] => Some(&st.fields),
        _ => match field_at(st, path).map(|f| &f.ty) {
            Some(FieldType::Inline(_, ms)) => Some(ms),
            _ => None,
        },
    }
}

/// The alignment markers the Rust type of an aggregate of struct `s` (`path`, as
/// `rust_paddings`) holds before its members aligned as another struct
/// (`Field::aligned_of`): (field index, alignment, the targets' `target_arch`es), in field
/// order. A zero-length array of the integer of that alignment (`align_integer`) moves
/// the member and aligns the type as gcc's `aligned(__alignof__(struct X))` does, on each
/// target its own.
pub fn rust_align_markers(
    family: &Family,
    layouts: &[FamilyLayout],
    s: StructId,
    path: &[usize],
) -> Vec<Padding> {
    let Some(fields) = members_at(family.struct_(s), path) else {
        return Vec::new();
    };
    let mut marks: Vec<Padding> = Vec::new();
    for (i, f, x) in fields
        .iter()
        .enumerate()
        .filter_map(|(i, f)| Some((i, f, f.aligned_of?)))
    {
        // Not where the member is left out (`when`): the marker would align what is there.
        for fl in layouts.iter().filter(|fl| f.on(fl.target)) {
            let a = fl.structs[x.0].align;
            match marks.iter_mut().find(|m| m.0 == i && m.1 == a) {
                Some(m) => m.2.push(fl.target.rust_arch),
                None => marks.push((i, a, vec![fl.target.rust_arch])),
            }
        }
    }
    marks
}

/// The Rust integer of size `a` (1, 2, 4 or 8), whose zero-length array gives a type its
/// alignment where it is `a`-aligned (`integer_aligned`): the packed types' `zero_align` and
/// the members' `rust_align_markers`.
pub fn align_integer(a: u64) -> Option<&'static str> {
    match a {
        1 => Some("u8"),
        2 => Some("u16"),
        4 => Some("u32"),
        8 => Some("u64"),
        _ => None,
    }
}

/// Whether `align_integer(a)` is `a`-aligned on `target`: not 8 where `u64` is 4-aligned
/// (i686), nor past 8.
fn integer_aligned(a: u64, target: &Target) -> bool {
    align_integer(a).is_some() && (a != 8 || target.u64_align == 8)
}

/// Whether member `f` asks for an alignment Rust's type of it may lack where `u64` is
/// `u64_align`-aligned: its own `aligned(n)`, or a `__aligned_u64` where Rust's `u64` is less
/// aligned (4, i686).
fn asks_alignment(f: &Field, u64_align: u64) -> bool {
    f.aligned.is_some()
        || f.aligned_of.is_some()
        || (u64_align < 8 && matches!(f.ty, FieldType::Scalar(sc) if sc.is_aligned_64()))
}

/// `rust_unfaithful`, collecting the padding members (`rust_padding`) that make the Rust type
/// the C struct.
/// An inline aggregate's own `aligned`: an anonymous one's is its type's (`union { ... }
/// __attribute__((aligned(8)));`, bpf.h's `__bpf_md_ptr`), so the type's size is a multiple
/// of it; a named one's is the member's, after its name, and leaves the type as it is.
fn type_aligned(f: &Field) -> Option<u64> {
    f.name.is_none().then_some(f.aligned).flatten()
}

/// Whether inline aggregate `f`'s Rust type is C's by construction: no packing, no member
/// (at any depth) with an alignment of its own or bits, so `#[repr(C)]` places each as gcc
/// does. Such a one needs no walk of its own.
fn plain_inline(f: &Field) -> bool {
    fn plain(ms: &[Field]) -> bool {
        ms.iter().all(|m| {
            !m.packed
                && m.pack.is_none()
                && m.aligned.is_none()
                && m.aligned_of.is_none()
                && m.bits.is_none()
                && match &m.ty {
                    FieldType::Scalar(s) => !s.is_aligned_64(),
                    FieldType::Inline(_, inner) => plain(inner),
                    FieldType::Struct(_) | FieldType::Pointer(_) => true,
                }
        })
    }
    match &f.ty {
        FieldType::Inline(_, ms) => {
            !f.packed
                && f.pack.is_none()
                && f.aligned.is_none()
                && f.aligned_of.is_none()
                && plain(ms)
        }
        _ => false,
    }
}

/// One aggregate whose Rust type is a type of its own: a struct, or an inline `struct = [...]`
/// or `union = [...]` of it, with what C made of it on one target.
struct Level<'a> {
    fields: &'a [Field],
    repr: RustRepr,
    union: bool,
    /// Its index path in the struct (empty: the struct).
    path: Vec<usize>,
    /// Where C put it, and its size and alignment there.
    base: u64,
    size: u64,
    align: u64,
    /// The struct's layout, whose members and runs this one's are among.
    c: &'a StructLayout,
}

impl<'a> Level<'a> {
    /// The aggregate at `path` of struct `s` on `fl`'s target (None: no inline aggregate
    /// there, or a member this target leaves out).
    fn of(
        family: &'a Family,
        fl: &'a FamilyLayout,
        s: StructId,
        path: &[usize],
    ) -> Option<Level<'a>> {
        let st = family.struct_(s);
        let c = fl.struct_(s);
        let root = Level {
            fields: &st.fields,
            repr: rust_repr(&st.fields, st.packed_on(fl.target), st.aligned),
            union: st.union,
            path: Vec::new(),
            base: 0,
            size: c.size,
            align: c.align,
            c,
        };
        if path.is_empty() {
            return Some(root);
        }
        Level::of_inline(&root, field_at(st, path)?, path.to_vec(), fl)
    }

    /// Where its Rust type would not be what C made of it (the index path of the member, from
    /// the struct, and why), collecting the padding members that make it so (`pads`, by field
    /// index); `deep`: its inline aggregates' types too.
    fn unfaithful(
        &self,
        family: &Family,
        fl: &FamilyLayout,
        pads: &mut Vec<(usize, u64)>,
        zero_align: &mut Option<u64>,
        deep: bool,
    ) -> Option<(Vec<usize>, String)> {
        let at = |i: usize| {
            let mut p = self.path.clone();
            p.push(i);
            p
        };
        let repr = self.repr;
        if repr.packed.is_some() {
            for (i, f) in self.fields.iter().enumerate() {
                if let Some(why) = holds_rust_align(family, std::slice::from_ref(f)) {
                    return Some((
                        at(i),
                        format!("Rust refuses a packed type holding an aligned one (E0588): {why}"),
                    ));
                }
            }
        }
        let target = fl.target;
        if deep {
            for (i, f) in self.fields.iter().enumerate() {
                if !f.on(target) || !matches!(f.ty, FieldType::Inline(..)) || plain_inline(f) {
                    continue;
                }
                let inner = Level::of_inline(self, f, at(i), fl)?;
                if let Some(bad) = inner.unfaithful(family, fl, &mut Vec::new(), &mut None, true) {
                    return Some(bad);
                }
            }
        }
        let mut end = 0;
        let mut align = 1;
        let depth = self.path.len();
        let own = |index: &[usize]| index.len() == depth + 1 && index.starts_with(&self.path);
        // The fields' own members, in field order (each followed by its inline struct's).
        let mut tops = self.c.members.iter().filter(|m| own(&m.index));
        let rust_shape = |f: &Field| -> Option<(u64, u64)> {
            let (size, natural) = field_shape(f, target, &fl.structs).ok()?;
            // Rust's u64 is 4-aligned on i686 whatever the C attribute said; padding bits are
            // bytes.
            let natural = match &f.ty {
                FieldType::Scalar(_) if f.bits.is_some() => 1,
                FieldType::Scalar(sc) if sc.is_aligned_64() => target.u64_align,
                _ => natural,
            };
            Some((size, repr.packed.map_or(natural, |p| natural.min(p))))
        };
        if self.union {
            // A Rust union: every field at 0, the widest rounded up to the alignment.
            let mut size = 0;
            for f in self.fields.iter().filter(|f| f.on(target)) {
                let (s, a) = rust_shape(f)?;
                size = size.max(s);
                align = align.max(a);
            }
            let align = align.max(repr.align.unwrap_or(1));
            let size = round_up(size, align)?;
            return ((size, align) != (self.size, self.align)).then(|| {
                (
                    self.path.clone(),
                    format!(
                        "gcc makes it {} with alignment {}, a Rust union {} with alignment {align}",
                        bytes(self.size),
                        self.align,
                        bytes(size)
                    ),
                )
            });
        }
        let mut runs = self.c.bit_runs.iter().filter(|r| own(&r.at_index));
        // A big-endian target's Rust type declares a run per byte order in reverse, as C does.
        let order = big_endian_order(self.fields, target);
        for k in 0..self.fields.len() {
            let i = order.get(k).copied().unwrap_or(k);
            let f = &self.fields[i];
            // Rust's member is under the `cfg` of the targets that have it (`Field::when`).
            if !f.on(target) {
                continue;
            }
            if let (Some(_), FieldType::Scalar(sc)) = (f.bits, &f.ty) {
                // A run is its bytes (`[u8; n]`, where Rust's offset is) and, at offset 0, a
                // zero-length array of its named bitfields' type for their alignment.
                if f.name.is_some() {
                    let a = target.scalar_align(*sc);
                    align = align.max(repr.packed.map_or(a, |p| a.min(p)));
                }
                if i > 0 && self.fields[i - 1].bits.is_some() {
                    continue;
                }
                let run = runs.next()?;
                if run.start - self.base != end {
                    return Some((
                        at(i),
                        format!(
                            "the bitfields from `{}` start at byte {} in C, and their bytes would \
                             be at byte {end} in Rust",
                            f.display_name(),
                            run.start - self.base
                        ),
                    ));
                }
                end = run.end - self.base;
                continue;
            }
            let Ok((size, natural)) = field_shape(f, target, &fl.structs) else {
                return None;
            };
            // An inline union's padding bits are bytes in Rust: where the ABI aligns the union
            // by their type (arm's, aarch64's), its Rust type is less aligned. (Most unions
            // have none, and a Rust type aligned as C's.)
            if let FieldType::Inline(Aggregate::Union, ms) = &f.ty {
                if ms.iter().any(|m| m.bits.is_some()) && !f.packed {
                    let rust = ms
                        .iter()
                        .filter(|m| m.bits.is_none())
                        .filter_map(|m| field_shape(m, target, &fl.structs).ok())
                        .map(|(_, a)| a)
                        .chain(inline_repr(f, ms).align)
                        .max()
                        .unwrap_or(1);
                    if rust < natural {
                        return Some((
                            at(i),
                            format!(
                                "the union `{}` is {natural}-aligned by its padding bits' type \
                                 in C, {rust}-aligned in Rust, where they are bytes",
                                f.display_name()
                            ),
                        ));
                    }
                }
            }
            // Rust's u64 is 4-aligned on i686 whatever the C attribute said.
            let natural = match &f.ty {
                FieldType::Scalar(sc) if sc.is_aligned_64() => target.u64_align,
                _ => natural,
            };
            let mut a = repr.packed.map_or(natural, |p| natural.min(p));
            // `aligned(__alignof__(struct X))`: a zero-length array before it aligns it as
            // X is here (`rust_align_markers`), where an integer is that aligned.
            if let Some(x) = f.aligned_of {
                let xa = fl.structs[x.0].align;
                if !integer_aligned(xa, target) {
                    return Some((
                        at(i),
                        format!(
                            "`{}` is {xa}-aligned as `{}` is, and no Rust integer is",
                            f.display_name(),
                            family.struct_(x).name
                        ),
                    ));
                }
                a = a.max(xa);
            }
            let mut offset = round_up(end, a)?;
            let c_offset = tops.find(|m| m.index[depth] == i)?.offset - self.base;
            if offset < c_offset && repr.packed.is_none() && repr.align.is_some() {
                pads.push((i, c_offset - offset));
                offset = c_offset;
            }
            if offset != c_offset {
                return Some((
                    at(i),
                    format!(
                        "`{}` is at byte {c_offset} in C, and would be at byte {offset} in Rust, \
                         which has no member alignment",
                        f.display_name()
                    ),
                ));
            }
            end = offset + size;
            align = align.max(a);
        }
        let mut align = align.max(repr.align.unwrap_or(1));
        // `packed, aligned(4)` of members less aligned (sound/compress_params.h's
        // `snd_dec_flac`, all `__u16`s): `packed(4)` places them as gcc does, and a
        // zero-length array of a 4-aligned integer gives the type gcc's alignment, where
        // `packed(4)` lets it (Rust takes no `align` beside `packed`).
        if repr.packed.is_some_and(|p| self.align <= p) && align < self.align {
            if integer_aligned(self.align, target) {
                *zero_align = Some(self.align);
                align = self.align;
            }
        }
        let size = round_up(end, align)?;
        if (size, align) != (self.size, self.align) {
            return Some((
                self.path.clone(),
                format!(
                    "gcc makes it {} with alignment {}, Rust's `#[repr(C{}{})]` would make it {} \
                     with alignment {align}",
                    bytes(self.size),
                    self.align,
                    repr.packed.map_or(String::new(), |p| if p == 1 {
                        ", packed".into()
                    } else {
                        format!(", packed({p})")
                    }),
                    repr.align
                        .map_or(String::new(), |a| format!(", align({a})")),
                    bytes(size),
                ),
            ));
        }
        None
    }

    /// Inline member `f` of `outer`, at `path` (None: `f` is no inline aggregate, or a member
    /// this target leaves out). An array of them is one element's.
    fn of_inline(
        outer: &Level<'a>,
        f: &'a Field,
        path: Vec<usize>,
        fl: &FamilyLayout,
    ) -> Option<Level<'a>> {
        let FieldType::Inline(kind, ms) = &f.ty else {
            return None;
        };
        let at = outer.c.members.iter().find(|m| m.index == path)?;
        let (size, align) = element_shape(f, fl.target, &fl.structs).ok()?;
        Some(Level {
            fields: ms,
            repr: inline_repr(f, ms),
            union: *kind == Aggregate::Union,
            path,
            base: at.offset,
            size,
            align,
            c: outer.c,
        })
    }
}

/// Where the bitfields of struct `s` are placed otherwise on some target than on the first:
/// a run's length in bytes, or a bitfield's bits within its run. One Rust type holds a run's
/// bytes and reads each bitfield at one place, so such a struct has no Rust type (a `__u64`
/// bitfield may straddle 4-byte units on i686 and not elsewhere). The index path of the run's
/// first field, the target and what differs.
pub fn bitfields_differ(
    family: &Family,
    layouts: &[FamilyLayout],
    s: StructId,
) -> Option<(Vec<usize>, &'static str, String)> {
    let (first, rest) = layouts.split_first()?;
    let base = first.struct_(s);
    if base.bit_runs.is_empty() || base.too_large.is_some() {
        return None;
    }
    let st = family.struct_(s);
    // Per run: its length and its bitfields' bits from its first byte; a run declared per byte
    // order by the bits its little-endian declaration gives (the big-endian one mirrors each
    // within its byte: the same bits in memory, which the Rust accessors read).
    // A bitfield under `when` is in the runs of the targets that have it only: its bits are
    // compared where both targets have it (`Field::on`), by index path.
    type Bits = Vec<(Vec<usize>, u64, u32)>;
    let shape = |fl: &FamilyLayout| -> Vec<(Vec<usize>, u64, Bits)> {
        let l = fl.struct_(s);
        l.bit_runs
            .iter()
            .map(|r| {
                let (parent, first) = r.at_index.split_at(r.at_index.len() - 1);
                let bits = l
                    .members
                    .iter()
                    .filter(|m| {
                        m.index.len() == r.at_index.len()
                            && m.index[..m.index.len() - 1] == *parent
                            && (first[0]..first[0] + r.fields).contains(&m.index[m.index.len() - 1])
                    })
                    .filter_map(|m| {
                        let b = m.bits?;
                        let f = field_at(st, &m.index)?;
                        // A merged bitfield is not declared on a big-endian ABI, and the one
                        // it merges into is wider there: each is compared at its own width,
                        // where the little-endian declaration has it.
                        if f.byte_order_merged {
                            return None;
                        }
                        let b = BitPlace {
                            width: f.bits.unwrap_or(b.width),
                            ..b
                        };
                        let bit = match (fl.target.big_endian, f.byte_order, f.byte_order_word) {
                            // The run reversed as a whole: mirrored within it.
                            (true, true, true) => {
                                (r.start + r.end) * 8 - b.bit - u64::from(b.width)
                            }
                            (true, true, false) => mirrored(b.bit, b.width),
                            _ => b.bit,
                        };
                        Some((m.index.clone(), bit - r.start * 8, b.width))
                    })
                    .collect();
                (r.at_index.clone(), r.end - r.start, bits)
            })
            .collect()
    };
    let want = shape(first);
    for fl in rest {
        let l = fl.struct_(s);
        if l.too_large.is_some() {
            continue;
        }
        let got = shape(fl);
        let agree = |w: &(Vec<usize>, u64, Bits), g: &(Vec<usize>, u64, Bits)| {
            let both = |a: &Bits, b: &Bits| {
                a.iter().all(|(i, bit, width)| {
                    b.iter()
                        .find(|(j, ..)| j == i)
                        .is_none_or(|(_, b2, w2)| (b2, w2) == (bit, width))
                })
            };
            // Each named bitfield is in both, or under a `when` that leaves it out of one.
            let present = |a: &Bits, other: &FamilyLayout| {
                a.iter().all(|(i, ..)| {
                    field_at(st, i).is_some_and(|f| !f.on(other.target))
                        || other.struct_(s).members.iter().any(|m| &m.index == i)
                })
            };
            w.0 == g.0
                && w.1 == g.1
                && both(&w.2, &g.2)
                && present(&w.2, fl)
                && present(&g.2, first)
        };
        for (w, g) in want.iter().zip(&got) {
            if !agree(w, g) {
                let name = field_at(st, &w.0).map_or("?", |f| f.display_name());
                return Some((
                    w.0.clone(),
                    fl.target.triple,
                    format!(
                        "the bitfields from `{name}` take {} bytes on {} and {} on {}, or their \
                         bits are elsewhere in them",
                        w.1, first.target.triple, g.1, fl.target.triple
                    ),
                ));
            }
        }
    }
    None
}

/// Offset and size of the field a path names, from the start of struct `s`; None when the
/// family (at this revision) has no such field. For the check stage and callers outside the
/// model; what comes after the model reads validator plans instead.
pub fn locate(
    family: &Family,
    fl: &FamilyLayout,
    s: StructId,
    path: &FieldPath,
) -> Option<(u64, u64)> {
    crate::model::plan::locate(family, fl, s, path).map(|(o, n, _)| (o, n))
}

/// A size the way the kernel writes it (`offsetof`, `offsetofend`, `sizeof`), in bytes; None
/// when it names a field this revision does not have.
pub fn size_of_ref(family: &Family, fl: &FamilyLayout, s: StructId, r: &SizeRef) -> Option<u64> {
    crate::model::plan::size_of_ref(family, fl, s, r)
}

/// The IR field an index path (from `MemberLayout::index`) points at.
/// `offsetof(struct S, designator)` on `fl`'s target: the designator's names through the
/// members (an anonymous union's or struct's members by their own names, as C reaches them)
/// and into a member of struct type; or why there is none (no such member, a bitfield, an
/// array's element).
pub fn offset_of(
    family: &Family,
    fl: &FamilyLayout,
    s: StructId,
    designator: &str,
) -> Result<u64, String> {
    let (mut st, mut base, mut rest) = (s, 0u64, designator);
    loop {
        let sl = fl.struct_(st);
        let m = sl
            .members
            .iter()
            .filter(|m| {
                !m.path.is_empty()
                    && (rest == m.path
                        || rest
                            .strip_prefix(m.path.as_str())
                            .is_some_and(|r| r.starts_with('.')))
            })
            .max_by_key(|m| m.path.len())
            .ok_or_else(|| format!("`{}` has no member `{rest}`", family.struct_(st).name))?;
        if m.bits.is_some() {
            return Err(format!("`{}` is a bitfield, which has no offset", m.path));
        }
        if rest == m.path {
            return Ok(base + m.offset);
        }
        let f = field_at(family.struct_(st), &m.index)
            .ok_or_else(|| format!("no member `{}`", m.path))?;
        match f.ty {
            FieldType::Struct(inner) if f.len.is_none() && f.flexible.is_none() => {
                base += m.offset;
                rest = &rest[m.path.len() + 1..];
                st = inner;
            }
            _ => {
                return Err(format!(
                    "`{}` is no member of struct type to name `{}` in",
                    m.path,
                    &rest[m.path.len() + 1..]
                ))
            }
        }
    }
}

pub fn field_at<'a>(st: &'a Struct, index: &[usize]) -> Option<&'a Field> {
    let (first, rest) = index.split_first()?;
    let mut f = st.fields.get(*first)?;
    for i in rest {
        match &f.ty {
            FieldType::Inline(_, ms) => f = ms.get(*i)?,
            _ => return None,
        }
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Source;

    fn family(fields: &str) -> Family {
        let text = format!(
            "[family]\nname = \"t\"\nheader = \"linux/t.h\"\nguard = \"G\"\nlicense = \"L\"\n[[revision]]\nid = \"r\"\n\
             [[struct]]\nname = \"s\"\nfields = [{fields}]\n"
        );
        let source = Source::new("t.toml", text);
        let raw = crate::schema::parse(&source).unwrap();
        crate::resolve::resolve(raw, source, "t.toml").unwrap()
    }

    /// 2^20 elements of 2^20 elements of 8 bytes: 2^43 bytes in the first array already, so
    /// the layout stops there on every target, and the embedding struct is refused with it.
    #[test]
    fn a_layout_never_wraps_nor_passes_the_maximum() {
        let text = "[family]\nname = \"t\"\nheader = \"linux/t.h\"\nguard = \"G\"\nlicense = \"L\"\n\
                    [[revision]]\nid = \"r\"\n\
                    [[struct]]\nname = \"a\"\nfields = [{ name = \"h\", type = \"__u32\" }, { name = \"x\", type = \"__u64\", len = 1048576 }]\n\
                    [[struct]]\nname = \"b\"\nfields = [{ name = \"y\", type = \"struct a\", len = 1048576 }]\n";
        let source = Source::new("t.toml", text);
        let raw = crate::schema::parse(&source).unwrap();
        let f = crate::resolve::resolve(raw, source, "t.toml").unwrap();
        for t in TARGETS {
            let l = layout_family(&f, t);
            let a = &l.structs[0];
            assert_eq!(a.size, MAX_STRUCT_SIZE + 1, "{}", t.triple);
            assert_eq!(a.members.len(), 1, "laid out up to `x` only");
            let too = a.too_large.as_ref().unwrap();
            assert_eq!(too.at_index, vec![1]);
            assert_eq!(too.why, "`x` is 1048576 × 8 bytes = 8388608 bytes");
            let b = l.structs[1].too_large.as_ref().unwrap();
            assert_eq!((b.at_index.clone(), b.embeds), (vec![0], Some(StructId(0))));
        }
    }

    /// The shared tables are what laying out on each target gives, for every schema in the
    /// repository at every revision (the C types, `__u64`'s i686 alignment, unions, arrays).
    #[test]
    fn targets_with_the_same_rules_share_what_each_would_compute() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema");
        let models = crate::lay_out_dir(std::path::Path::new(dir)).unwrap();
        assert!(models.len() >= 2);
        for m in &models {
            for (f, shared) in &m.revisions {
                for (t, l) in TARGETS.iter().zip(shared.iter()) {
                    assert_eq!(l.target, t);
                    assert_eq!(*l.structs, *layout_family(f, t).structs, "{}", t.triple);
                }
            }
        }
        let i686 = target_by_triple("i686-linux-gnu").unwrap();
        assert_ne!(i686.layout_rules(), DEFAULT_TARGET.layout_rules());
    }

    #[test]
    fn plain_u64_is_4_aligned_on_i686_only() {
        let f = family("{ name = \"a\", type = \"__u32\" }, { name = \"b\", type = \"__u64\" }");
        let x86_64 = &layout_family(&f, target_by_triple("x86_64-linux-gnu").unwrap()).structs[0];
        let i686 = &layout_family(&f, target_by_triple("i686-linux-gnu").unwrap()).structs[0];
        assert_eq!(
            (
                x86_64.size,
                x86_64.align,
                x86_64.member("b").unwrap().offset
            ),
            (16, 8, 8)
        );
        assert_eq!(x86_64.holes.len(), 1);
        assert_eq!(
            (i686.size, i686.align, i686.member("b").unwrap().offset),
            (12, 4, 4)
        );
        assert!(i686.holes.is_empty());
    }

    /// As gcc lays out `struct { __u32 a; __u64 b[]; }`: `b` at its element's alignment, no
    /// size, its alignment the struct's; so 8 bytes with a hole on x86-64 and 4 on i686.
    #[test]
    fn a_flexible_array_member_has_an_offset_and_alignment_and_no_size() {
        for spelling in ["flexible = true", "len = 0"] {
            let f = family(&format!(
                "{{ name = \"a\", type = \"__u32\" }}, {{ name = \"b\", type = \"__u64\", {spelling} }}"
            ));
            let at = |triple: &str| {
                let l = &layout_family(&f, target_by_triple(triple).unwrap()).structs[0];
                let b = l.member("b").unwrap();
                (l.size, l.align, b.offset, b.size, l.holes.len())
            };
            assert_eq!(at("x86_64-linux-gnu"), (8, 8, 8, 0, 1), "{spelling}");
            assert_eq!(at("i686-linux-gnu"), (4, 4, 4, 0, 0), "{spelling}");
        }
        let f = family(
            "{ name = \"argsz\", type = \"__u32\" }, { name = \"flags\", type = \"__u32\" }, \
             { name = \"data\", type = \"__u8\", flexible = true }",
        );
        for t in TARGETS {
            let l = &layout_family(&f, t).structs[0];
            assert_eq!((l.size, l.align), (8, 4), "{}", t.triple);
            assert_eq!(l.offsetofend("data"), Some(8));
            assert!(l.holes.is_empty());
        }
    }

    /// gcc's rules, as `gcc -m64`/`-m32` print them: in a packed struct a member's own
    /// `aligned(4)` holds even below its type's 8, and `__aligned_u64` keeps its 8; outside
    /// one, `aligned(2)` below the type's alignment is ignored; a struct's `aligned` below its
    /// members' is too, and a packed one with `aligned(2)` is 2-aligned.
    fn shape(attrs: &str, fields: &str, triple: &str) -> (u64, u64, Vec<u64>) {
        let text = format!(
            "[family]\nname = \"t\"\nheader = \"linux/t.h\"\nguard = \"G\"\nlicense = \"L\"\n\
             [[revision]]\nid = \"r\"\n[[struct]]\nname = \"s\"\n{attrs}\nfields = [{fields}]\n"
        );
        let source = Source::new("t.toml", text);
        let raw = crate::schema::parse(&source).unwrap();
        let f = crate::resolve::resolve(raw, source, "t.toml").unwrap();
        let l = &layout_family(&f, target_by_triple(triple).unwrap()).structs[0];
        let offsets = l.members.iter().map(|m| m.offset).collect();
        (l.size, l.align, offsets)
    }

    #[test]
    fn packing_and_alignment_follow_gcc() {
        let (a, b) = (
            "{ name = \"a\", type = \"__u8\" }",
            "name = \"b\", type = \"__u64\"",
        );
        for triple in ["x86_64-linux-gnu", "i686-linux-gnu"] {
            let packed = "packed = true";
            assert_eq!(
                shape(packed, &format!("{a}, {{ {b} }}"), triple),
                (9, 1, vec![0, 1])
            );
            assert_eq!(
                shape(packed, &format!("{a}, {{ {b}, aligned = 4 }}"), triple),
                (12, 4, vec![0, 4])
            );
            assert_eq!(
                shape(
                    packed,
                    &format!("{a}, {{ name = \"b\", type = \"__aligned_u64\" }}"),
                    triple
                ),
                (16, 8, vec![0, 8])
            );
            assert_eq!(
                shape(
                    "packed = true\naligned = 2",
                    &format!("{a}, {{ name = \"b\", type = \"__u32\" }}"),
                    triple
                ),
                (6, 2, vec![0, 1])
            );
        }
        assert_eq!(
            shape(
                "",
                &format!("{a}, {{ {b}, aligned = 2 }}"),
                "x86_64-linux-gnu"
            ),
            (16, 8, vec![0, 8])
        );
        assert_eq!(
            shape(
                "",
                &format!("{a}, {{ {b}, aligned = 2 }}"),
                "i686-linux-gnu"
            ),
            (12, 4, vec![0, 4])
        );
        assert_eq!(
            shape("aligned = 4", &format!("{{ {b} }}"), "x86_64-linux-gnu"),
            (8, 8, vec![0])
        );
        assert_eq!(
            shape("aligned = 4", &format!("{{ {b} }}"), "i686-linux-gnu"),
            (8, 4, vec![0])
        );
    }

    #[test]
    fn aligned_u64_is_8_aligned_everywhere() {
        let f = family(
            "{ name = \"a\", type = \"__u32\" }, { name = \"b\", type = \"__aligned_u64\" }",
        );
        for t in TARGETS {
            let l = &layout_family(&f, t).structs[0];
            assert_eq!(
                (l.size, l.align, l.member("b").unwrap().offset),
                (16, 8, 8),
                "{}",
                t.triple
            );
            assert_eq!(
                l.holes,
                vec![Hole {
                    offset: 4,
                    size: 4,
                    after: Some("a".into()),
                    before: Some("b".into()),
                    at_index: vec![1],
                    bits: None,
                }]
            );
        }
    }

    #[test]
    fn union_members_share_the_offset_and_the_union_takes_the_widest() {
        let f = family(
            "{ name = \"x\", type = \"__u32\" }, { name = \"pad\", type = \"__u32\" }, \
             { name = \"u\", union = [{ name = \"a\", type = \"__u8\" }, { name = \"b\", type = \"__u64\", len = 2 }] }",
        );
        let l = &layout_family(&f, DEFAULT_TARGET).structs[0];
        assert_eq!(l.size, 24);
        assert_eq!(l.member("u.a").map(|m| (m.offset, m.size)), Some((8, 1)));
        assert_eq!(l.member("u.b").map(|m| (m.offset, m.size)), Some((8, 16)));
        assert_eq!(l.offsetofend("u.b"), Some(24));
        assert!(
            l.holes.is_empty(),
            "a member smaller than its union is not a hole"
        );
    }
}
