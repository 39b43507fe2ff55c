//! The validation semantics, interpreted straight from the IR over raw bytes. `uapigen decode`
//! uses it (the generator cannot link the code it generates), and the tests hold it against
//! the generated Rust and C: three implementations of one schema must agree.

use uapigen_uaccess::{check_zeroed_user, copy_in, get_user_u32, Errno, UserMemory};

use crate::ir::*;
use crate::layout::{locate, size_of_ref, FamilyLayout};

/// Why the bytes were refused: the errno and the rule, in the schema's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The errno the kernel returns.
    pub errno: Errno,
    /// The rule that failed.
    pub rule: String,
}

fn refuse(errno: Errno, rule: impl Into<String>) -> Refusal {
    Refusal {
        errno,
        rule: rule.into(),
    }
}

/// Driver data's type and length, which the enclosing command supplies.
#[derive(Debug, Clone, Copy)]
pub struct UserData {
    /// The data type constant the command names.
    pub data_type: u32,
    /// The data length the command gives.
    pub len: u32,
}

/// Copies struct `si` from `src` by its convention and checks it: the kernel's bytes or its
/// refusal. `user_data` is needed for `convention = "user_data"` only.
pub fn copy_from_user(
    family: &Family,
    fl: &FamilyLayout,
    si: usize,
    mem: &dyn UserMemory,
    src: u64,
    user_data: Option<UserData>,
) -> Result<Vec<u8>, Refusal> {
    let st = &family.structs[si];
    let (Some(conv), Some(v)) = (st.convention, &st.validation) else {
        return Err(refuse(
            Errno::EINVAL,
            format!("struct {} has no size convention to copy it by", st.name),
        ));
    };
    let ksize = fl.structs[si].size as usize;
    let min = size_of_ref(family, fl, si, &v.min_size).unwrap_or_default() as usize;
    let mut dst = vec![0u8; ksize];
    match conv {
        Convention::Argsz => {
            copy_in(mem, &mut dst[..min], src).map_err(|_| {
                refuse(
                    Errno::EFAULT,
                    "copy_from_user of the first minsz bytes faulted",
                )
            })?;
            let argsz = u32::from_ne_bytes(dst[..4].try_into().unwrap()) as usize;
            if argsz < min {
                return Err(refuse(
                    Errno::EINVAL,
                    format!("argsz >= minsz ({} = {min})", v.min_size.text()),
                ));
            }
            for w in &v.min_size_when {
                let need = size_of_ref(family, fl, si, &w.size).unwrap_or_default() as usize;
                if all(family, fl, si, &dst, &w.when) && argsz < need {
                    return Err(refuse(Errno::EINVAL, format!("{} = {need}", w.text)));
                }
            }
            let end = argsz.min(ksize);
            let at = src
                .checked_add(min as u64)
                .ok_or_else(|| refuse(Errno::EFAULT, "copy_from_user beyond minsz faulted"))?;
            copy_in(mem, &mut dst[min..end], at)
                .map_err(|_| refuse(Errno::EFAULT, "copy_from_user beyond minsz faulted"))?;
        }
        Convention::Size => {
            let usize = get_user_u32(mem, src)
                .map_err(|_| refuse(Errno::EFAULT, "get_user of the size field faulted"))?
                as usize;
            if usize < min {
                return Err(refuse(Errno::EINVAL, "size is below the struct's min_size"));
            }
            struct_from_user(mem, &mut dst, src, usize)?;
        }
        Convention::UserData => {
            let ud = user_data.ok_or_else(|| {
                refuse(Errno::EINVAL, "driver data needs its data type and length")
            })?;
            let expected = v.data_type.as_ref().map_or(0, |d| d.1);
            if ud.data_type as u64 != expected {
                return Err(refuse(
                    Errno::EINVAL,
                    "data type does not match the struct's",
                ));
            }
            let len = ud.len as usize;
            if len < min || ksize < len {
                return Err(refuse(Errno::EINVAL, "length is outside [min_len, sizeof]"));
            }
            struct_from_user(mem, &mut dst, src, len)?;
        }
    }
    check(family, fl, si, &dst)?;
    Ok(dst)
}

fn struct_from_user(
    mem: &dyn UserMemory,
    dst: &mut [u8],
    src: u64,
    usize: usize,
) -> Result<(), Refusal> {
    let ksize = dst.len();
    if usize > ksize {
        let tail = src
            .checked_add(ksize as u64)
            .ok_or_else(|| refuse(Errno::EFAULT, "check_zeroed_user faulted"))?;
        match check_zeroed_user(mem, tail, usize - ksize) {
            Ok(true) => {}
            Ok(false) => {
                return Err(refuse(
                    Errno::E2BIG,
                    "bytes beyond the kernel's struct must be zero",
                ))
            }
            Err(_) => return Err(refuse(Errno::EFAULT, "check_zeroed_user faulted")),
        }
    }
    let n = usize.min(ksize);
    copy_in(mem, &mut dst[..n], src).map_err(|_| refuse(Errno::EFAULT, "copy_from_user faulted"))
}

/// The schema's rules of struct `si`, in order, on its bytes.
pub fn check(family: &Family, fl: &FamilyLayout, si: usize, bytes: &[u8]) -> Result<(), Refusal> {
    let Some(v) = &family.structs[si].validation else {
        return Ok(());
    };
    for r in &v.rules {
        if all(family, fl, si, bytes, &r.when) && !all(family, fl, si, bytes, &r.require) {
            return Err(refuse(r.errno, r.text.clone()));
        }
    }
    Ok(())
}

/// A field's value, native-endian (the layout is the host's, x86-64).
pub fn read(bytes: &[u8], off: u64, size: u64) -> u64 {
    let mut b = [0u8; 8];
    let (off, size) = (off as usize, size as usize);
    b[..size].copy_from_slice(&bytes[off..off + size]);
    u64::from_le_bytes(b)
}

fn all(family: &Family, fl: &FamilyLayout, si: usize, bytes: &[u8], conds: &[Cond]) -> bool {
    conds.iter().all(|c| holds(family, fl, si, bytes, c))
}

fn holds(family: &Family, fl: &FamilyLayout, si: usize, bytes: &[u8], c: &Cond) -> bool {
    let Some((off, size)) = locate(family, fl, si, &c.field) else {
        return false;
    };
    if c.field.len.is_some() {
        let zero = bytes[off as usize..(off + size) as usize]
            .iter()
            .all(|b| *b == 0);
        return matches!(c.pred, Pred::Zero) == zero;
    }
    let mut x = read(bytes, off, size);
    if c.field.scalar.is_some_and(Scalar::is_signed) && size < 8 {
        // As the generated code's `as u64` / `(__u64)` does.
        let shift = 64 - size * 8;
        x = (((x << shift) as i64) >> shift) as u64;
    }
    match &c.pred {
        Pred::Equals(v) => x == v.value,
        Pred::NotEquals(v) => x != v.value,
        Pred::Below(v) => x < v.value,
        Pred::Lacks(v) => x & v.value == 0,
        Pred::Has(v) => x & v.value == v.value,
        Pred::AtLeast(v) => x >= v.value,
        Pred::KnownFlags(g) => {
            x & !family.groups[*g].values.iter().fold(0, |m, k| m | k.value) == 0
        }
        Pred::Zero => x == 0,
        Pred::NonZero => x != 0,
        Pred::Aligned(n) => x & (n - 1) == 0,
    }
}
