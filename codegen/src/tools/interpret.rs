//! The validation semantics, interpreted from the model's validator plans over raw bytes.
//! `uapigen decode` uses it (the generator cannot link the code it generates), and the tests
//! hold it against the generated Rust and C: three implementations of one schema must agree.

use uapigen_uaccess::{check_zeroed_user, copy_in, get_user_u32, Errno, UserMemory};

use crate::ir::*;
use crate::layout::FamilyLayout;
use crate::model::plan::{self, ValidatorPlan};
use crate::model::StructId;

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

/// Copies struct `s` of `family` (a revision's view, laid out as `fl` on x86-64) from `src`
/// by its convention and checks it: the kernel's bytes or its refusal. `user_data` is needed
/// for `convention = "user_data"` only. Lowers the struct's plan for this one call; with a
/// [`crate::Model`] at hand, [`run`] its `RevView::validator` instead.
pub fn copy_from_user(
    family: &Family,
    fl: &FamilyLayout,
    s: StructId,
    mem: &dyn UserMemory,
    src: u64,
    user_data: Option<UserData>,
) -> Result<Vec<u8>, Refusal> {
    let st = family.struct_(s);
    let Some(p) = plan::lower(family, fl, s) else {
        return Err(refuse(
            Errno::EINVAL,
            format!("struct {} has no size convention to copy it by", st.name),
        ));
    };
    run(&p, mem, src, user_data)
}

/// The kernel's copy and checks of a validator plan: the kernel's bytes or its refusal.
pub fn run(
    p: &ValidatorPlan,
    mem: &dyn UserMemory,
    src: u64,
    user_data: Option<UserData>,
) -> Result<Vec<u8>, Refusal> {
    let ksize = p.size as usize;
    let min = p.min_size as usize;
    let mut dst = vec![0u8; ksize];
    match p.convention {
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
                    format!("argsz >= minsz ({} = {min})", p.min_text),
                ));
            }
            for w in &p.size_steps {
                if plan::all(&w.when, &dst) && argsz < w.need as usize {
                    return Err(refuse(Errno::EINVAL, w.text.clone()));
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
            let expected = p.data_type.unwrap_or(0);
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
    // A kernel copying less than the struct (a `ksize`) leaves the rest zero.
    dst.resize(dst.len().max(p.sizeof as usize), 0);
    check_plan(p, &dst)?;
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

/// The schema's rules of struct `s`, in order, on its bytes.
pub fn check(family: &Family, fl: &FamilyLayout, s: StructId, bytes: &[u8]) -> Result<(), Refusal> {
    match plan::lower(family, fl, s) {
        Some(p) => check_plan(&p, bytes),
        None => Ok(()),
    }
}

/// A plan's rules, in order, on the struct's bytes.
pub fn check_plan(p: &ValidatorPlan, bytes: &[u8]) -> Result<(), Refusal> {
    for r in &p.rules {
        if plan::all(&r.when, bytes) && !plan::all(&r.require, bytes) {
            return Err(refuse(r.errno, r.text.clone()));
        }
    }
    if let Some(pp) = &p.payload {
        // The payload's length is argsz - minsz (vfio_ioctl_device_feature): the argsz
        // convention's first member.
        let argsz = read(bytes, 0, 4);
        if let plan::PayloadVerdict::Refuse(errno, why) = pp.check(bytes, argsz) {
            return Err(refuse(errno, why));
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
