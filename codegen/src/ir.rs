//! The intermediate representation: what every emitter reads. Names are resolved to indices,
//! constant values are evaluated, and every item keeps the byte span it came from so the check
//! stage can point at it. Emitters never change it.

use std::ops::Range;

use crate::diag::Source;

pub type Span = Range<usize>;

#[derive(Debug, Clone)]
pub struct Family {
    pub name: String,
    pub source: Source,
    /// File name of the schema (`iommu.toml`), used in the generated-file marker.
    pub schema_file: String,
    /// Path below `include/uapi/`, e.g. `linux/iommu.h`.
    pub header: String,
    pub guard: String,
    pub license: String,
    pub description: Option<String>,
    pub includes: Vec<String>,
    pub revisions: Vec<Revision>,
    pub structs: Vec<Struct>,
    pub groups: Vec<ConstGroup>,
    pub defines: Vec<Define>,
    /// Top-level items in the order the schema lists them (the header's order).
    pub items: Vec<ItemRef>,
    /// The revision this is a view of (`at_revision`); None for the whole history.
    pub revision: Option<RevisionIdx>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemRef {
    Struct(usize),
    Group(usize),
    Define(usize),
}

#[derive(Debug, Clone)]
pub struct Revision {
    pub id: String,
    pub label: String,
    pub span: Span,
}

/// Index into `Family::revisions`.
pub type RevisionIdx = usize;

pub use uapigen_uaccess::Errno;

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
    pub revisions: Vec<RevisionIdx>,
    pub fixed: Option<RevisionIdx>,
    pub note: String,
}

/// How a struct is copied from user space and checked: everything a validator needs.
#[derive(Debug, Clone)]
pub struct Validation {
    pub min_size: SizeRef,
    pub min_size_when: Vec<MinSizeWhen>,
    /// For `UserData`: the data-type constant (name, value).
    pub data_type: Option<(String, u64)>,
    pub rules: Vec<Rule>,
}

/// A size written as the kernel writes it.
#[derive(Debug, Clone)]
pub enum SizeRef {
    /// `sizeof(struct)`.
    Whole,
    OffsetOf(FieldPath),
    OffsetOfEnd(FieldPath),
}

impl SizeRef {
    pub fn text(&self) -> String {
        match self {
            SizeRef::Whole => "sizeof".to_string(),
            SizeRef::OffsetOf(p) => format!("offsetof({})", p.text),
            SizeRef::OffsetOfEnd(p) => format!("offsetofend({})", p.text),
        }
    }
}

#[derive(Debug, Clone)]
pub struct MinSizeWhen {
    pub when: Vec<Cond>,
    pub size: SizeRef,
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub when: Vec<Cond>,
    pub require: Vec<Cond>,
    pub errno: Errno,
    /// What the rule says, for a rejected user (`uapigen decode`, `Rejected::rule`).
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Cond {
    pub field: FieldPath,
    pub pred: Pred,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Pred {
    Equals(ValueRef),
    NotEquals(ValueRef),
    Below(ValueRef),
    Lacks(ValueRef),
    /// `field & ~mask == 0`, the mask being the OR of the flag set (index into `groups`).
    KnownFlags(usize),
    Zero,
    NonZero,
    Aligned(u64),
}

#[derive(Debug, Clone)]
pub struct ValueRef {
    pub value: u64,
    /// The constant's name when the schema named one (`U64_MAX` included).
    pub name: Option<String>,
}

impl ValueRef {
    pub fn text(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.value.to_string())
    }
}

/// A path to a field from a struct: `granu.addr_info.flags`. Anonymous unions are hops with no
/// C name (Rust still needs their field name).
#[derive(Debug, Clone)]
pub struct FieldPath {
    pub text: String,
    pub segments: Vec<Segment>,
    /// The field's scalar type (None for a struct or union) and array length; conditions apply
    /// only to scalars and arrays of them, sizes to anything.
    pub scalar: Option<Scalar>,
    pub len: Option<u64>,
    pub flags: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Segment {
    pub c_name: Option<String>,
    pub rust_name: String,
    /// A union member: Rust reads it in `unsafe`.
    pub in_union: bool,
    /// Index in its container (a struct's fields or a union's members); a struct-typed
    /// segment starts a new container, that struct's fields.
    pub index: usize,
}

impl FieldPath {
    pub fn c_access(&self) -> String {
        self.segments
            .iter()
            .filter_map(|s| s.c_name.clone())
            .collect::<Vec<_>>()
            .join(".")
    }

    pub fn through_union(&self) -> bool {
        self.segments.iter().any(|s| s.in_union)
    }
}

#[derive(Debug, Clone)]
pub struct Struct {
    pub name: String,
    pub summary: Option<String>,
    pub doc: Option<String>,
    pub convention: Option<Convention>,
    /// Present exactly when `convention` is.
    pub validation: Option<Validation>,
    /// A shipped layout that differs between ABIs, acknowledged.
    pub abi_trap: Option<AbiTrap>,
    pub since: RevisionIdx,
    pub fields: Vec<Field>,
    pub span: Span,
    pub name_span: Span,
}

#[derive(Debug, Clone)]
pub struct Field {
    /// `None` for an anonymous union.
    pub name: Option<String>,
    pub rust_name: String,
    pub ty: FieldType,
    /// Array length, if the field is an array.
    pub len: Option<u64>,
    pub doc: Option<String>,
    pub comment: Option<String>,
    pub since: RevisionIdx,
    /// First revision without this field (it was re-purposed then); None: still present.
    pub until: Option<RevisionIdx>,
    pub reserved: bool,
    pub flags: Option<usize>,
    pub values: Option<usize>,
    /// Constants the header defines inside the struct, just before this field.
    pub before: Vec<ItemRef>,
    pub span: Span,
}

impl Field {
    /// The name kernel-doc and diagnostics use: the field name, or `(anonymous union)`.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or("(anonymous union)")
    }
}

#[derive(Debug, Clone)]
pub enum FieldType {
    Scalar(Scalar),
    /// Index into `Family::structs`; always an earlier struct (C needs it complete).
    Struct(usize),
    Union(Vec<Field>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    U8,
    U16,
    U32,
    U64,
    S8,
    S16,
    S32,
    S64,
    /// `__aligned_u64`: 8-byte aligned on every ABI, unlike `__u64` on i686.
    AlignedU64,
}

impl Scalar {
    pub const ALL: [Scalar; 9] = [
        Scalar::U8,
        Scalar::U16,
        Scalar::U32,
        Scalar::U64,
        Scalar::S8,
        Scalar::S16,
        Scalar::S32,
        Scalar::S64,
        Scalar::AlignedU64,
    ];

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
        }
    }

    pub fn rust_name(self) -> &'static str {
        match self {
            Scalar::U8 => "u8",
            Scalar::U16 => "u16",
            Scalar::U32 => "u32",
            Scalar::U64 | Scalar::AlignedU64 => "u64",
            Scalar::S8 => "i8",
            Scalar::S16 => "i16",
            Scalar::S32 => "i32",
            Scalar::S64 => "i64",
        }
    }

    pub fn from_c_name(name: &str) -> Option<Scalar> {
        Scalar::ALL.into_iter().find(|s| s.c_name() == name)
    }

    pub fn size(self) -> u64 {
        match self {
            Scalar::U8 | Scalar::S8 => 1,
            Scalar::U16 | Scalar::S16 => 2,
            Scalar::U32 | Scalar::S32 => 4,
            Scalar::U64 | Scalar::S64 | Scalar::AlignedU64 => 8,
        }
    }

    pub fn is_signed(self) -> bool {
        matches!(self, Scalar::S8 | Scalar::S16 | Scalar::S32 | Scalar::S64)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    /// Bits: a field's valid-flag mask is the OR of its set.
    Flags,
    /// Values: a field holds exactly one of them.
    Enum,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Style {
    /// A run of `#define NAME value`.
    Define,
    /// `enum tag { ... };`, or `enum { ... };` when the tag is `None`.
    Enum { tag: Option<String> },
}

#[derive(Debug, Clone)]
pub struct ConstGroup {
    pub name: String,
    pub kind: GroupKind,
    pub style: Style,
    pub summary: Option<String>,
    pub doc: Option<String>,
    pub since: RevisionIdx,
    pub values: Vec<Constant>,
    /// `Some((struct, field))` when the header defines the group inside a struct.
    pub inside: Option<(usize, usize)>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Constant {
    pub name: String,
    pub value: u64,
    pub expr: Expr,
    pub doc: Option<String>,
    pub since: RevisionIdx,
    pub span: Span,
}

/// How a constant is written in C; its value is in `Constant::value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// As the schema wrote it (`0x80` stays hex).
    Literal(String),
    Bit(u32),
    Or(Vec<String>),
    Alias(String),
    Char(char),
    Io {
        ty: String,
        nr: String,
    },
    /// An enum member with no initialiser: previous + 1.
    Implicit,
}

#[derive(Debug, Clone)]
pub struct Define {
    pub constant: Constant,
    pub inside: Option<(usize, usize)>,
    /// First revision without this definition (a sentinel redefined later); None: current.
    pub until: Option<RevisionIdx>,
    /// One past the last valid value (`IOMMU_SVA_VTD_GPASID_LAST`): its value may move when a
    /// revision adds values.
    pub sentinel: bool,
}

/// Whether `fields` (of a struct, among `structs`) has the field a path names, by name.
fn has_path(structs: &[Struct], fields: &[Field], path: &FieldPath) -> bool {
    let mut container: Vec<Field> = fields.to_vec();
    for seg in &path.segments {
        let found = match &seg.c_name {
            Some(n) => container
                .iter()
                .find(|f| f.name.as_deref() == Some(n.as_str()))
                .cloned(),
            None => container
                .iter()
                .find(|f| f.name.is_none() && f.rust_name == seg.rust_name)
                .cloned(),
        };
        let Some(f) = found else { return false };
        container = match &f.ty {
            FieldType::Union(ms) => ms.clone(),
            FieldType::Struct(j) => structs[*j].fields.clone(),
            FieldType::Scalar(_) => Vec::new(),
        };
    }
    true
}

impl Field {
    pub fn present_at(&self, rev: RevisionIdx) -> bool {
        self.since <= rev && self.until.is_none_or(|u| rev < u)
    }
}

impl Struct {
    /// Whether the family view `family` is a revision whose layout of this struct is an
    /// acknowledged ABI trap.
    pub fn trap_at(&self, family: &Family) -> bool {
        matches!((&self.abi_trap, family.revision), (Some(t), Some(r)) if t.revisions.contains(&r))
    }
}

impl Family {
    /// The family as it was at revision `rev`: the fields, union members, flag and enum values
    /// and defines that existed then. Struct indices are kept (a struct not yet added keeps
    /// its slot; `Struct::since` says whether it exists), so layouts index the same way.
    pub fn at_revision(&self, rev: RevisionIdx) -> Family {
        fn fields_at(fields: &[Field], rev: RevisionIdx) -> Vec<Field> {
            fields
                .iter()
                .filter(|f| f.present_at(rev))
                .map(|f| {
                    let mut f = f.clone();
                    if let FieldType::Union(ms) = &f.ty {
                        f.ty = FieldType::Union(fields_at(ms, rev));
                    }
                    f
                })
                .collect()
        }
        let mut fam = self.clone();
        fam.revision = Some(rev);
        for st in &mut fam.structs {
            st.fields = fields_at(&st.fields, rev);
        }
        // The kernel of a revision checks only what existed then.
        let structs = fam.structs.clone();
        for st in &mut fam.structs {
            if st.since > rev {
                st.validation = None;
                st.convention = None;
                continue;
            }
            if let Some(v) = &mut st.validation {
                let present = |c: &Cond| has_path(&structs, &st.fields, &c.field);
                v.rules
                    .retain(|r| r.when.iter().chain(&r.require).all(present));
                v.min_size_when.retain(|w| w.when.iter().all(present));
            }
        }
        for g in &mut fam.groups {
            g.values.retain(|c| c.since <= rev);
        }
        // Defines are referred to by index (placement), so drop them with a remap.
        let mut index = vec![None; fam.defines.len()];
        let mut kept = Vec::new();
        for (i, d) in fam.defines.iter().enumerate() {
            if d.constant.since <= rev && d.until.is_none_or(|u| rev < u) {
                index[i] = Some(kept.len());
                kept.push(d.clone());
            }
        }
        fam.defines = kept;
        let remap = |items: &mut Vec<ItemRef>| {
            items.retain_mut(|it| match it {
                ItemRef::Define(i) => match index[*i] {
                    Some(n) => {
                        *i = n;
                        true
                    }
                    None => false,
                },
                _ => true,
            })
        };
        remap(&mut fam.items);
        fn remap_fields(fields: &mut [Field], remap: &dyn Fn(&mut Vec<ItemRef>)) {
            for f in fields {
                remap(&mut f.before);
                if let FieldType::Union(ms) = &mut f.ty {
                    remap_fields(ms, remap);
                }
            }
        }
        for st in &mut fam.structs {
            remap_fields(&mut st.fields, &remap);
        }
        fam
    }

    /// Every constant of the family in schema order: groups' values and single defines.
    pub fn constants(&self) -> impl Iterator<Item = &Constant> {
        self.groups
            .iter()
            .flat_map(|g| g.values.iter())
            .chain(self.defines.iter().map(|d| &d.constant))
    }

    pub fn struct_by_name(&self, name: &str) -> Option<&Struct> {
        self.structs.iter().find(|s| s.name == name)
    }
}
