//! Validator plans: a validated struct's copy and checks at one revision with every size
//! resolved to bytes and every condition lowered to `(offset, size, signedness) op value`, on
//! the x86-64 layout (the host the interpreter and the matrix run on; the generated code
//! computes the same from its own types). The only place a field path is looked up by name.

use crate::ir::*;
use crate::model::layout::{field_at, FamilyLayout};
use crate::model::{FieldRef, StructId};

/// What a validator does, in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatorPlan {
    /// How the kernel copies the struct.
    pub convention: Convention,
    /// `sizeof`: the most the kernel reads as this struct (a `convention_change`'s `ksize`
    /// when less).
    pub size: u64,
    /// The struct's own size at this revision: `size`, or more when the kernel copies less
    /// (the rest of its copy is zero).
    pub sizeof: u64,
    /// The kernel's minimum size, resolved.
    pub min_size: u64,
    /// The minimum size as C writes it (`offsetofend(granu.pasid_info)`).
    pub min_text: String,
    /// argsz only: more size needed when a discriminant says so.
    pub size_steps: Vec<SizeStep>,
    /// For driver data: the data-type constant's value.
    pub data_type: Option<u64>,
    /// The content checks in the kernel's order.
    pub rules: Vec<RulePlan>,
    /// This revision's checks can be written against today's struct type (C validators of old
    /// revisions): see [`locates_all`].
    pub in_latest: bool,
    /// The payloads the flexible array member holds, checked after the rules.
    pub payload: Option<PayloadPlan>,
}

/// A [`Payload`] in bytes: the selector's place, its bits, and per payload its value,
/// operations and minimum size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadPlan {
    /// Offset of the member holding the selector and operation bits.
    pub offset: u64,
    /// Its size in bytes.
    pub size: u64,
    /// The selector's bits.
    pub mask: u64,
    /// The GET bit.
    pub get: u64,
    /// The SET bit.
    pub set: u64,
    /// The PROBE bit.
    pub probe: u64,
    /// What a selector no payload of this revision has returns.
    pub unknown: Errno,
    /// Where the payload starts: the kernel's length is `argsz - base` (`minsz`).
    pub base: u64,
    /// This revision's payloads.
    pub cases: Vec<PayloadCasePlan>,
}

/// One payload of a [`PayloadPlan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadCasePlan {
    /// `field & mask` equals it.
    pub value: u64,
    /// The constant's name, or the number.
    pub name: String,
    /// The supported operations (`get`, `set` bits).
    pub ops: u64,
    /// The kernel's `minsz`: the payload's `sizeof`, or its bytes.
    pub minsz: u64,
    /// The payload's struct, if one describes it.
    pub body: PayloadBody,
}

/// What a payload check decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadVerdict {
    /// Accepted (a PROBE, or a GET or SET with enough bytes): the payload, an index into
    /// [`PayloadPlan::cases`].
    Accept(usize),
    /// Refused with this errno and why.
    Refuse(Errno, String),
}

impl PayloadPlan {
    /// The payload whose value `bytes` select, as an index into `cases`.
    pub fn selected(&self, bytes: &[u8]) -> Option<usize> {
        let sel = read_le(bytes, self.offset, self.size) & self.mask;
        self.cases.iter().position(|c| c.value == sel)
    }

    /// The kernel's checks (vfio_ioctl_device_feature's switch, then vfio_check_feature) on
    /// the struct's `bytes`, whose argsz is `argsz`.
    pub fn check(&self, bytes: &[u8], argsz: u64) -> PayloadVerdict {
        let flags = read_le(bytes, self.offset, self.size);
        let Some(i) = self.selected(bytes) else {
            return PayloadVerdict::Refuse(
                self.unknown,
                format!("no payload is selected by {:#x}", flags & self.mask),
            );
        };
        let c = &self.cases[i];
        let ops = flags & (self.get | self.set);
        if ops & !c.ops != 0 {
            return PayloadVerdict::Refuse(
                Errno::EINVAL,
                format!("{} does not support the operation asked for", c.name),
            );
        }
        if flags & self.probe != 0 {
            return PayloadVerdict::Accept(i);
        }
        if ops == 0 {
            return PayloadVerdict::Refuse(
                Errno::EINVAL,
                format!("{}: without PROBE, GET or SET must be asked for", c.name),
            );
        }
        if argsz < self.base + c.minsz {
            return PayloadVerdict::Refuse(
                Errno::EINVAL,
                format!(
                    "{}: argsz - minsz must be at least the payload's {} bytes",
                    c.name, c.minsz
                ),
            );
        }
        PayloadVerdict::Accept(i)
    }
}

fn read_le(bytes: &[u8], off: u64, size: u64) -> u64 {
    let mut b = [0u8; 8];
    let (off, size) = (off as usize, size.min(8) as usize);
    b[..size].copy_from_slice(&bytes[off..off + size]);
    u64::from_le_bytes(b)
}

/// argsz must reach `need` when every `when` holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeStep {
    /// Conditions on bytes within the minimum size.
    pub when: Vec<Op>,
    /// The size needed.
    pub need: u64,
    /// The check written out, with the size: `offsetofend(...) = 40`.
    pub text: String,
}

/// If every `when` holds, every `require` must, else `errno`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulePlan {
    /// When the rule applies.
    pub when: Vec<Op>,
    /// What must hold.
    pub require: Vec<Op>,
    /// What a violation returns.
    pub errno: Errno,
    /// What the rule says.
    pub text: String,
}

/// One condition on the bytes of a struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    /// The member read (None: not in this revision's struct; the test is then `Never`).
    pub field: Option<FieldRef>,
    /// Offset from the start of the validated struct.
    pub offset: u64,
    /// Size in bytes (of the whole array for an array).
    pub size: u64,
    /// A signed scalar: read sign-extended to 64 bits, as `(__u64)` / `as u64` do.
    pub signed: bool,
    /// An array: only `Zero` and `NonZero` apply, over every byte.
    pub array: bool,
    /// What must hold of the value.
    pub test: Test,
}

/// What an [`Op`] tests of the value it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Test {
    /// `x == v`.
    Eq(u64),
    /// `x != v`.
    Ne(u64),
    /// `x < v`.
    Below(u64),
    /// `x >= v`.
    AtLeast(u64),
    /// `x & v == 0`.
    Lacks(u64),
    /// `x & v == v`.
    Has(u64),
    /// `x & !mask == 0`: only known flags.
    Within(u64),
    /// Every byte zero.
    Zero,
    /// Some byte non-zero.
    NonZero,
    /// `x & (n - 1) == 0`.
    Aligned(u64),
    /// The field is not there: never holds.
    Never,
}

impl Op {
    /// Whether the condition holds of `bytes` (the struct, at least `offset + size` long).
    pub fn holds(&self, bytes: &[u8]) -> bool {
        if self.test == Test::Never {
            return false;
        }
        let (off, size) = (self.offset as usize, self.size as usize);
        if self.array {
            let zero = bytes[off..off + size].iter().all(|b| *b == 0);
            return (self.test == Test::Zero) == zero;
        }
        let mut b = [0u8; 8];
        b[..size].copy_from_slice(&bytes[off..off + size]);
        let mut x = u64::from_le_bytes(b);
        if self.signed && size < 8 {
            let shift = 64 - size * 8;
            x = (((x << shift) as i64) >> shift) as u64;
        }
        match self.test {
            Test::Eq(v) => x == v,
            Test::Ne(v) => x != v,
            Test::Below(v) => x < v,
            Test::AtLeast(v) => x >= v,
            Test::Lacks(v) => x & v == 0,
            Test::Has(v) => x & v == v,
            Test::Within(m) => x & !m == 0,
            Test::Zero => x == 0,
            Test::NonZero => x != 0,
            Test::Aligned(n) => x & (n - 1) == 0,
            Test::Never => false,
        }
    }
}

/// Whether every `op` holds.
pub fn all(ops: &[Op], bytes: &[u8]) -> bool {
    ops.iter().all(|o| o.holds(bytes))
}

/// The plan of struct `s` of `family` (a revision's view) on its x86-64 layout `fl`; None
/// when the struct has no size convention.
pub fn lower(family: &Family, fl: &FamilyLayout, s: StructId) -> Option<ValidatorPlan> {
    let st = family.struct_(s);
    let (Some(convention), Some(v)) = (st.convention, &st.validation) else {
        return None;
    };
    let ops = |conds: &[Cond]| -> Vec<Op> { conds.iter().map(|c| op(family, fl, s, c)).collect() };
    Some(ValidatorPlan {
        convention,
        // What copy_struct_from_user is given as `ksize`: less than sizeof when a revision's
        // kernel copies less (`convention_change`'s `ksize`).
        size: v
            .ksize
            .as_ref()
            .and_then(|k| size_of_ref(family, fl, s, k))
            .unwrap_or(fl.struct_(s).size),
        sizeof: fl.struct_(s).size,
        min_size: size_of_ref(family, fl, s, &v.min_size).unwrap_or_default(),
        min_text: v.min_size.text(),
        size_steps: v
            .min_size_when
            .iter()
            .map(|w| {
                let need = size_of_ref(family, fl, s, &w.size).unwrap_or_default();
                SizeStep {
                    when: ops(&w.when),
                    need,
                    text: format!("{} = {need}", w.text),
                }
            })
            .collect(),
        data_type: v.data_type.as_ref().map(|d| d.1),
        rules: v
            .rules
            .iter()
            .map(|r| RulePlan {
                when: ops(&r.when),
                require: ops(&r.require),
                errno: r.errno,
                text: r.text.clone(),
            })
            .collect(),
        in_latest: true,
        payload: v.payload.as_ref().and_then(|p| {
            let (offset, size, _) = locate(family, fl, s, &p.field)?;
            Some(PayloadPlan {
                offset,
                size,
                mask: p.mask.value,
                get: p.get.value,
                set: p.set.value,
                probe: p.probe.value,
                unknown: p.unknown,
                base: size_of_ref(family, fl, s, &v.min_size).unwrap_or_default(),
                cases: p
                    .cases
                    .iter()
                    .map(|c| PayloadCasePlan {
                        value: c.equals.value,
                        name: c.equals.text(),
                        ops: c.ops,
                        minsz: match c.body {
                            PayloadBody::Struct(ps) => fl.struct_(ps).size,
                            PayloadBody::Bytes(n) => n,
                        },
                        body: c.body,
                    })
                    .collect(),
            })
        }),
    })
}

/// Whether the validator of struct `s` in `family` (laid out as `fl`) can be written against
/// the latest revision's struct, as C's must (C has one struct per name): every field it reads
/// is the latest's member of that name, at the same offset and size, or is only tested for
/// zero (reserved bytes a later revision re-purposed, which C reads by their bytes).
pub fn locates_all(
    family: &Family,
    fl: &FamilyLayout,
    latest: &Family,
    latest_layout: &FamilyLayout,
    s: StructId,
) -> bool {
    family.struct_(s).validation.as_ref().is_some_and(|v| {
        v.rules
            .iter()
            .flat_map(|r| r.when.iter().chain(&r.require))
            .chain(v.min_size_when.iter().flat_map(|w| &w.when))
            .all(|c| {
                let bytes = |f, l| locate(f, l, s, &c.field).map(|(off, size, _)| (off, size));
                let then = bytes(family, fl);
                then.is_some()
                    && (then == bytes(latest, latest_layout)
                        || matches!(c.pred, Pred::Zero | Pred::NonZero))
            })
    })
}

fn op(family: &Family, fl: &FamilyLayout, s: StructId, c: &Cond) -> Op {
    let Some((offset, size, field)) = locate(family, fl, s, &c.field) else {
        return Op {
            field: None,
            offset: 0,
            size: 0,
            signed: false,
            array: false,
            test: Test::Never,
        };
    };
    let array = c.field.len.is_some();
    let test = if array {
        match c.pred {
            Pred::Zero => Test::Zero,
            _ => Test::NonZero,
        }
    } else {
        match &c.pred {
            Pred::Equals(v) => Test::Eq(v.value),
            Pred::NotEquals(v) => Test::Ne(v.value),
            Pred::Below(v) => Test::Below(v.value),
            Pred::Lacks(v) => Test::Lacks(v.value),
            Pred::Has(v) => Test::Has(v.value),
            Pred::AtLeast(v) => Test::AtLeast(v.value),
            Pred::KnownFlags(g) => {
                Test::Within(family.group(*g).values.iter().fold(0, |m, k| m | k.value))
            }
            Pred::Zero => Test::Zero,
            Pred::NonZero => Test::NonZero,
            Pred::Aligned(n) => Test::Aligned(*n),
        }
    };
    Op {
        field: Some(field),
        offset,
        size,
        signed: c.field.scalar.is_some_and(Scalar::is_signed),
        array,
        test,
    }
}

/// Offset and size of the field a path names, from the start of struct `s`, and the member;
/// None when the family (at this revision) has no such field. Found by name: field indices
/// differ between revisions.
pub fn locate(
    family: &Family,
    fl: &FamilyLayout,
    mut s: StructId,
    path: &FieldPath,
) -> Option<(u64, u64, FieldRef)> {
    let mut base: u64 = 0;
    // The member path so far in the struct `s` is now (`a.b`), and the next name: compared
    // with each member's path as `acc.name` without writing it (a condition's field is most
    // often one name: no string, no list of names made per lookup).
    let mut acc = String::new();
    let mut named = path
        .segments
        .iter()
        .filter_map(|seg| seg.c_name.as_deref())
        .peekable();
    while let Some(name) = named.next() {
        let is = |p: &str| {
            if acc.is_empty() {
                p == name
            } else {
                p.len() == acc.len() + 1 + name.len()
                    && p.starts_with(acc.as_str())
                    && p.as_bytes()[acc.len()] == b'.'
                    && p.ends_with(name)
            }
        };
        let (mi, m) = fl
            .struct_(s)
            .members
            .iter()
            .enumerate()
            .find(|(_, m)| is(&m.path))?;
        if named.peek().is_none() {
            let field = FieldRef {
                owner: s,
                member: mi,
            };
            return Some((base.checked_add(m.offset)?, m.size, field));
        }
        if let Some(Field {
            ty: FieldType::Struct(j),
            ..
        }) = field_at(family.struct_(s), &m.index)
        {
            base = base.checked_add(m.offset)?;
            s = *j;
            acc.clear();
        } else {
            if !acc.is_empty() {
                acc.push('.');
            }
            acc.push_str(name);
        }
    }
    None
}

/// A size the way the kernel writes it, in bytes; None when it names a field this revision
/// does not have.
pub fn size_of_ref(family: &Family, fl: &FamilyLayout, s: StructId, r: &SizeRef) -> Option<u64> {
    match r {
        SizeRef::Whole => Some(fl.struct_(s).size),
        SizeRef::OffsetOf(p) => locate(family, fl, s, p).map(|(o, _, _)| o),
        SizeRef::OffsetOfEnd(p) => locate(family, fl, s, p).and_then(|(o, n, _)| o.checked_add(n)),
    }
}
