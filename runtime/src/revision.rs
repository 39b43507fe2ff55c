//! A struct copied as one revision's kernel copies it: through the generated
//! `copy_from_user_by_name` of its family, which runs that revision's validator (its size,
//! its convention, its rules), into today's struct, zero past the revision's size.

use uapigen_uaccess::{bytes_of_mut, Plain, Rejected, UserMemory};

/// A family's generated `copy_from_user_by_name`.
pub(crate) type ByName =
    fn(&str, usize, &dyn UserMemory, u64, (u32, u32), &mut [u8]) -> Option<Result<usize, Rejected>>;

/// `&dyn UserMemory` of a memory that may be unsized.
struct Dyn<'a, M: ?Sized>(&'a M);

impl<M: UserMemory + ?Sized> UserMemory for Dyn<'_, M> {
    fn copy_from_user(&self, dst: &mut [u8], addr: u64) -> usize {
        self.0.copy_from_user(dst, addr)
    }
}

/// Struct `name` at user address `src`, as revision `rev` copies it, and that revision's size
/// of it: `Ok(None)` when the revision has no such struct (nothing is read then); `user_data`
/// is the (type, length) driver data comes with.
pub(crate) fn copy_at<T: Plain, M: UserMemory + ?Sized>(
    by_name: ByName,
    name: &str,
    rev: usize,
    mem: &M,
    src: u64,
    user_data: (u32, u32),
) -> Result<Option<(T, usize)>, Rejected> {
    let mut v = T::default();
    let size = copy_bytes_at(
        by_name,
        name,
        rev,
        mem,
        src,
        user_data,
        bytes_of_mut(&mut v),
    )?;
    Ok(size.map(|size| (v, size)))
}

/// `copy_at` into bytes (`dst`, zero past what the revision copies): how many the revision's
/// struct has, `Ok(None)` when the revision has no such struct.
pub(crate) fn copy_bytes_at<M: UserMemory + ?Sized>(
    by_name: ByName,
    name: &str,
    rev: usize,
    mem: &M,
    src: u64,
    user_data: (u32, u32),
    dst: &mut [u8],
) -> Result<Option<usize>, Rejected> {
    by_name(name, rev, &Dyn(mem), src, user_data, dst).transpose()
}

/// A memory every read of which faults.
struct Faulting;

impl UserMemory for Faulting {
    fn copy_from_user(&self, dst: &mut [u8], _addr: u64) -> usize {
        dst.len()
    }
}

/// Whether revision `rev` has struct `name`: the dispatcher asked with a memory that faults
/// (it reads nothing for a struct the revision lacks).
pub(crate) fn exists(by_name: ByName, name: &str, rev: usize) -> bool {
    by_name(name, rev, &Faulting, 0, (0, 0), &mut []).is_some()
}
