//! The kernel's user-copy primitives, in Rust, over a `UserMemory` that plays the user's
//! address space. The generated validators call these; a test's `UserMemory` can fault at any
//! byte and records every byte read, so "never reads a byte the convention does not allow"
//! is checkable.
//!
//! Semantics follow `include/linux/uaccess.h` (v5.10 and v6.8) and, for driver data,
//! `include/linux/iommu.h` (v6.8): see REFERENCE.md §2 and §6.
#![warn(missing_docs)]
#![no_std]

use core::fmt;

/// The errnos a uAPI copy or check can produce. Values are Linux's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum Errno {
    /// No such file or directory: no such object.
    ENOENT = 2,
    /// Argument list too long: a newer struct with non-zero bytes this kernel does not know.
    E2BIG = 7,
    /// Out of memory.
    ENOMEM = 12,
    /// Permission denied: the object belongs to someone else.
    EACCES = 13,
    /// Bad address: a user copy faulted.
    EFAULT = 14,
    /// Device or resource busy.
    EBUSY = 16,
    /// No such device.
    ENODEV = 19,
    /// Invalid argument.
    EINVAL = 22,
    /// Inappropriate ioctl for device: an unknown command.
    ENOTTY = 25,
    /// No space left on device: an allocator is exhausted.
    ENOSPC = 28,
    /// Operation not supported: a flag or feature this kernel does not have.
    EOPNOTSUPP = 95,
    /// The kernel-internal `ENOTSUPP` (524), which some drivers leak to user space
    /// (`intel_svm_bind_gpasid` for a non-PCI device).
    ENOTSUPP = 524,
}

impl Errno {
    /// The value a kernel function returns: `-EINVAL` is `-22`.
    pub fn to_negative(self) -> i32 {
        -(self as i32)
    }

    /// The errno's name (`"EINVAL"`).
    pub fn name(self) -> &'static str {
        match self {
            Errno::ENOENT => "ENOENT",
            Errno::E2BIG => "E2BIG",
            Errno::ENOMEM => "ENOMEM",
            Errno::EACCES => "EACCES",
            Errno::EFAULT => "EFAULT",
            Errno::EBUSY => "EBUSY",
            Errno::ENODEV => "ENODEV",
            Errno::EINVAL => "EINVAL",
            Errno::ENOTTY => "ENOTTY",
            Errno::ENOSPC => "ENOSPC",
            Errno::EOPNOTSUPP => "EOPNOTSUPP",
            Errno::ENOTSUPP => "ENOTSUPP",
        }
    }

    /// Every errno, in value order.
    pub const ALL: [Errno; 12] = [
        Errno::ENOENT,
        Errno::E2BIG,
        Errno::ENOMEM,
        Errno::EACCES,
        Errno::EFAULT,
        Errno::EBUSY,
        Errno::ENODEV,
        Errno::EINVAL,
        Errno::ENOTTY,
        Errno::ENOSPC,
        Errno::EOPNOTSUPP,
        Errno::ENOTSUPP,
    ];

    /// The errno of a kernel return value (`-22` is `EINVAL`).
    pub fn from_negative(v: i32) -> Option<Errno> {
        Errno::ALL.into_iter().find(|e| e.to_negative() == v)
    }
}

/// Why a validator refused the user's bytes: the errno the kernel returns and the rule, in the
/// schema's words, that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// What the caller gets back, negated.
    pub errno: Errno,
    /// The rule that was broken, in the schema's words.
    pub rule: &'static str,
}

impl Rejected {
    /// A refusal with `errno` for breaking `rule`.
    pub const fn new(errno: Errno, rule: &'static str) -> Self {
        Rejected { errno, rule }
    }
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "-{}: {}", self.errno.name(), self.rule)
    }
}

/// A user address space.
pub trait UserMemory {
    /// Copies `dst.len()` bytes from user address `addr` and returns how many bytes were *not*
    /// copied, like the kernel's `copy_from_user`: on a fault, a prefix of `dst` holds what was
    /// read. An address range that wraps around is a fault.
    fn copy_from_user(&self, dst: &mut [u8], addr: u64) -> usize;
}

/// A user address space the kernel also writes to (`copy_to_user`, `clear_user`). Takes `&self`:
/// user memory is shared, so implementations that are written from several threads bring
/// their own synchronisation.
pub trait UserMemoryWrite: UserMemory {
    /// Copies `src` to user address `addr` and returns how many bytes were *not* copied; on a
    /// fault, a prefix of `src` has been written.
    fn copy_to_user(&self, addr: u64, src: &[u8]) -> usize;
}

impl<M: UserMemoryWrite + ?Sized> UserMemoryWrite for &M {
    fn copy_to_user(&self, addr: u64, src: &[u8]) -> usize {
        (**self).copy_to_user(addr, src)
    }
}

/// `copy_to_user` of all of `src`; `Err` on any byte not written (an address range that wraps
/// around is a fault).
#[inline]
pub fn copy_out<M: UserMemoryWrite + ?Sized>(mem: &M, addr: u64, src: &[u8]) -> Result<(), Fault> {
    if src.is_empty() {
        return Ok(());
    }
    match addr.checked_add(src.len() as u64 - 1) {
        Some(_) if mem.copy_to_user(addr, src) == 0 => Ok(()),
        _ => Err(Fault),
    }
}

/// `clear_user(addr, len)`: writes `len` zero bytes, 64 at a time.
pub fn clear_user<M: UserMemoryWrite + ?Sized>(
    mem: &M,
    addr: u64,
    len: usize,
) -> Result<(), Fault> {
    let zeros = [0u8; 64];
    let mut done = 0;
    while done < len {
        let n = (len - done).min(zeros.len());
        copy_out(mem, add(addr, done).ok_or(Fault)?, &zeros[..n])?;
        done += n;
    }
    Ok(())
}

impl<M: UserMemory + ?Sized> UserMemory for &M {
    fn copy_from_user(&self, dst: &mut [u8], addr: u64) -> usize {
        (**self).copy_from_user(dst, addr)
    }
}

/// A `#[repr(C)]` type made only of integers (and arrays, structs and unions of them) with no
/// padding, so any bytes are a valid value and its bytes can be viewed and written.
///
/// # Safety
/// Implement only for such types; uapigen does it for generated uAPI types, whose layout it
/// proves hole-free on every target.
pub unsafe trait Plain: Copy + Default + 'static {}

/// The bytes of a value.
pub fn bytes_of<T: Plain>(v: &T) -> &[u8] {
    // SAFETY: `Plain` types have no padding, so every byte is initialised.
    unsafe { core::slice::from_raw_parts(v as *const T as *const u8, core::mem::size_of::<T>()) }
}

/// The bytes of a value, writable.
pub fn bytes_of_mut<T: Plain>(v: &mut T) -> &mut [u8] {
    // SAFETY: `Plain` types accept any bytes and have no padding.
    unsafe { core::slice::from_raw_parts_mut(v as *mut T as *mut u8, core::mem::size_of::<T>()) }
}

/// A user access hit an address that cannot be read (the kernel's -EFAULT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault;

fn add(addr: u64, off: usize) -> Option<u64> {
    addr.checked_add(off as u64)
}

/// `copy_from_user` into a byte range of `dst`; `Err` on any byte not copied.
#[inline]
pub fn copy_in<M: UserMemory + ?Sized>(mem: &M, dst: &mut [u8], addr: u64) -> Result<(), Fault> {
    if dst.is_empty() {
        return Ok(());
    }
    match addr.checked_add(dst.len() as u64 - 1) {
        Some(_) if mem.copy_from_user(dst, addr) == 0 => Ok(()),
        _ => Err(Fault),
    }
}

/// `get_user()` of a `u32` (the size field of both conventions).
#[inline]
pub fn get_user_u32<M: UserMemory + ?Sized>(mem: &M, addr: u64) -> Result<u32, Fault> {
    let mut b = [0u8; 4];
    copy_in(mem, &mut b, addr)?;
    Ok(u32::from_ne_bytes(b))
}

/// `check_zeroed_user(addr, len)`: `Ok(true)` when all `len` bytes are zero, `Ok(false)` at the
/// first non-zero byte, `Err` when a byte faults before a non-zero one is seen. Reads in
/// address order, 64 bytes at a time, never past `addr + len`.
// Out of line, as the kernel's is: inlined, its 64-byte buffer and loop make every caller's
// common path (no tail to check) save registers and set up a stack frame.
#[inline(never)]
pub fn check_zeroed_user<M: UserMemory + ?Sized>(
    mem: &M,
    addr: u64,
    len: usize,
) -> Result<bool, Fault> {
    let mut buf = [0u8; 64];
    let mut done = 0;
    while done < len {
        let n = (len - done).min(buf.len());
        let at = add(addr, done).ok_or(Fault)?;
        let chunk = &mut buf[..n];
        let missing = if at.checked_add(n as u64 - 1).is_some() {
            mem.copy_from_user(chunk, at)
        } else {
            n
        };
        // The copied prefix is judged first: a non-zero byte before the fault wins.
        if chunk[..n - missing].iter().any(|b| *b != 0) {
            return Ok(false);
        }
        if missing != 0 {
            return Err(Fault);
        }
        done += n;
    }
    Ok(true)
}

/// The argsz convention's copy (v5.10 `iommu_uapi_cache_invalidate` and friends), in place:
/// zero the struct (the kernel's `= { 0 }`), copy `minsz` bytes, let the caller check `argsz`,
/// then copy `min(argsz, sizeof) - minsz` more. Bytes beyond the kernel's size are never read.
pub struct ArgszCopy;

impl ArgszCopy {
    /// Step 1: `dst` zeroed, its first `minsz` bytes copied from `src`.
    #[inline]
    pub fn head<T: Plain, M: UserMemory + ?Sized>(
        mem: &M,
        dst: &mut T,
        src: u64,
        minsz: usize,
    ) -> Result<(), Rejected> {
        *dst = T::default();
        copy_in(mem, &mut bytes_of_mut(dst)[..minsz], src).map_err(|_| {
            Rejected::new(
                Errno::EFAULT,
                "copy_from_user of the first minsz bytes faulted",
            )
        })
    }

    /// Step 2: the rest the user's argsz covers, up to the kernel's size.
    #[inline]
    pub fn tail<T: Plain, M: UserMemory + ?Sized>(
        mem: &M,
        dst: &mut T,
        src: u64,
        minsz: usize,
        argsz: u32,
    ) -> Result<(), Rejected> {
        // argsz >= minsz is the caller's check; clamping keeps a forgotten one from panicking.
        let end = (argsz as usize).min(core::mem::size_of::<T>()).max(minsz);
        let at = add(src, minsz).ok_or(Rejected::new(
            Errno::EFAULT,
            "copy_from_user beyond minsz faulted",
        ))?;
        copy_in(mem, &mut bytes_of_mut(dst)[minsz..end], at)
            .map_err(|_| Rejected::new(Errno::EFAULT, "copy_from_user beyond minsz faulted"))
    }
}

/// Zeroes `dst` and returns `r`: every byte of the result is written on error paths too.
#[inline]
fn zeroed_on<T: Plain>(dst: &mut T, r: Rejected) -> Result<(), Rejected> {
    *dst = T::default();
    Err(r)
}

/// `copy_struct_from_user(dst, sizeof(T), src, usize)`, in place: a shorter user struct is
/// zero-filled; a longer one must have an all-zero tail (else -E2BIG), checked before the
/// copy, as the kernel does. Every byte of `dst` is written on every path.
#[inline]
pub fn copy_struct_from_user<T: Plain, M: UserMemory + ?Sized>(
    mem: &M,
    dst: &mut T,
    src: u64,
    usize: usize,
) -> Result<(), Rejected> {
    if usize > core::mem::size_of::<T>() {
        return copy_longer_struct_from_user(mem, dst, src, usize, core::mem::size_of::<T>());
    }
    copy_struct_prefix(mem, dst, src, usize)
}

/// A user struct longer than the kernel's (`ksize` bytes, at most `sizeof(T)`): its tail must
/// be zero, then the kernel's size is copied and the rest of `dst` zeroed. Kept out of line
/// so the common path (the sizes agree) stays a leaf function with no stack frame.
// Not `#[cold]`: measured, that made the iommufd array path 33% slower (1.21 → 1.62 µs).
#[inline(never)]
fn copy_longer_struct_from_user<T: Plain, M: UserMemory + ?Sized>(
    mem: &M,
    dst: &mut T,
    src: u64,
    usize: usize,
    ksize: usize,
) -> Result<(), Rejected> {
    let zero = match add(src, ksize) {
        Some(tail) => check_zeroed_user(mem, tail, usize - ksize),
        None => Err(Fault),
    };
    match zero {
        Ok(true) => copy_struct_prefix(mem, dst, src, ksize),
        Ok(false) => zeroed_on(
            dst,
            Rejected::new(
                Errno::E2BIG,
                "bytes beyond the kernel's struct must be zero",
            ),
        ),
        Err(Fault) => zeroed_on(
            dst,
            Rejected::new(Errno::EFAULT, "check_zeroed_user faulted"),
        ),
    }
}

/// Copies the first `n` (at most `sizeof(T)`) bytes and zero-fills the rest.
#[inline]
fn copy_struct_prefix<T: Plain, M: UserMemory + ?Sized>(
    mem: &M,
    dst: &mut T,
    src: u64,
    n: usize,
) -> Result<(), Rejected> {
    let bytes = bytes_of_mut(dst);
    // The common case, a user of the kernel's own size: the whole struct, a length known when
    // compiled, which becomes a few moves where a `memcpy` call of `n` bytes was (callgrind:
    // iommu_hwpt_invalidate 44 → 30 instructions a call).
    let copied = if n >= bytes.len() {
        copy_in(mem, bytes, src)
    } else {
        bytes[n..].fill(0);
        copy_in(mem, &mut bytes[..n], src)
    };
    if copied.is_err() {
        return zeroed_on(dst, Rejected::new(Errno::EFAULT, "copy_from_user faulted"));
    }
    Ok(())
}

/// The bits of the member that selects a payload and asks for an operation on it: `(mask, get,
/// set, probe)` (VFIO_DEVICE_FEATURE_MASK, _GET, _SET, _PROBE).
pub type PayloadBits = (u64, u64, u64, u64);

/// The payload checks of a struct whose flexible array member holds a payload (VFIO's
/// `VFIO_DEVICE_FEATURE`), after its rules: `selected` is the payload `flags & mask` selects,
/// `(supported_ops, minsz)`, or None (`unknown` is returned, drivers/vfio/pci/vfio_pci_core.c
/// `vfio_pci_core_ioctl_feature`'s -ENOTTY); then include/linux/vfio.h's
/// `vfio_check_feature` (Linux 7.2) on `flags` and the payload's length `argsz - base`
/// (`feature.argsz - minsz`, drivers/vfio/vfio_main.c `vfio_ioctl_device_feature`).
#[inline]
pub fn check_payload(
    flags: u64,
    argsz: u64,
    bits: PayloadBits,
    base: u64,
    selected: Option<(u64, u64)>,
    unknown: Errno,
) -> Result<(), Rejected> {
    let (_, get, set, probe) = bits;
    let Some((ops, minsz)) = selected else {
        return Err(Rejected::new(
            unknown,
            "no payload is selected by these bits",
        ));
    };
    if flags & (get | set) & !ops != 0 {
        return Err(Rejected::new(
            Errno::EINVAL,
            "the payload does not support the operation asked for",
        ));
    }
    if flags & probe != 0 {
        return Ok(());
    }
    if flags & (get | set) == 0 {
        return Err(Rejected::new(
            Errno::EINVAL,
            "without PROBE, GET or SET must be asked for",
        ));
    }
    if argsz < base.saturating_add(minsz) {
        return Err(Rejected::new(
            Errno::EINVAL,
            "argsz - minsz is shorter than the payload",
        ));
    }
    Ok(())
}

/// The size convention's entry (the iommufd ioctl dispatcher, `iommufd_fops_ioctl`): read the
/// user's size, refuse it below `min_size`, then `copy_struct_from_user`.
#[inline]
pub fn size_copy<T: Plain, M: UserMemory + ?Sized>(
    mem: &M,
    dst: &mut T,
    src: u64,
    min_size: usize,
) -> Result<(), Rejected> {
    let usize = user_size(mem, dst, src, min_size)?;
    copy_struct_from_user(mem, dst, src, usize)
}

/// `size_copy` where the kernel hands copy_struct_from_user a `ksize` below `sizeof(T)`
/// (vfio.h's VFIO_DEVICE_BIND_IOMMUFD in v6.17 and v6.18 passed `minsz`, 2f03f21fe751 fixed
/// it): a user struct past `ksize` bytes needs a zero tail (else -E2BIG), and `dst` past them
/// stays zero. `ksize` above `sizeof(T)` is `sizeof(T)`.
#[inline]
pub fn size_copy_ksize<T: Plain, M: UserMemory + ?Sized>(
    mem: &M,
    dst: &mut T,
    src: u64,
    min_size: usize,
    ksize: usize,
) -> Result<(), Rejected> {
    let ksize = ksize.min(core::mem::size_of::<T>());
    let usize = user_size(mem, dst, src, min_size)?;
    if usize > ksize {
        return copy_longer_struct_from_user(mem, dst, src, usize, ksize);
    }
    copy_struct_prefix(mem, dst, src, usize)
}

/// The size convention's size: `get_user` of the first `u32`, at least `min_size`; `dst`
/// zeroed when it is refused.
#[inline]
fn user_size<T: Plain, M: UserMemory + ?Sized>(
    mem: &M,
    dst: &mut T,
    src: u64,
    min_size: usize,
) -> Result<usize, Rejected> {
    let refused = match get_user_u32(mem, src) {
        Ok(s) if s as usize >= min_size => return Ok(s as usize),
        Ok(_) => Rejected::new(Errno::EINVAL, "size is below the struct's min_size"),
        Err(Fault) => Rejected::new(Errno::EFAULT, "get_user of the size field faulted"),
    };
    *dst = T::default();
    Err(refused)
}

/// Driver data (v6.8 `__iommu_copy_struct_from_user`): the type must match, the length must
/// be at least `min_len` and at most the kernel's size (a longer one is -EINVAL, not -E2BIG),
/// then `copy_struct_from_user`.
#[inline]
pub fn user_data_copy<T: Plain, M: UserMemory + ?Sized>(
    mem: &M,
    dst: &mut T,
    expected_type: u32,
    data_type: u32,
    uptr: u64,
    len: usize,
    min_len: usize,
) -> Result<(), Rejected> {
    if data_type != expected_type {
        return zeroed_on(
            dst,
            Rejected::new(Errno::EINVAL, "data type does not match the struct's"),
        );
    }
    if len < min_len || core::mem::size_of::<T>() < len {
        return zeroed_on(
            dst,
            Rejected::new(Errno::EINVAL, "length is outside [min_len, sizeof]"),
        );
    }
    copy_struct_from_user(mem, dst, uptr, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `readable` bytes of `data` at `base`; anything else faults.
    struct Mem<'a> {
        base: u64,
        data: &'a [u8],
        readable: usize,
    }

    impl UserMemory for Mem<'_> {
        fn copy_from_user(&self, dst: &mut [u8], addr: u64) -> usize {
            for (i, d) in dst.iter_mut().enumerate() {
                let off = addr.wrapping_add(i as u64).wrapping_sub(self.base) as usize;
                if addr.wrapping_add(i as u64) < self.base
                    || off >= self.readable.min(self.data.len())
                {
                    return dst.len() - i;
                }
                *d = self.data[off];
            }
            0
        }
    }

    #[test]
    fn check_zeroed_user_reports_a_nonzero_byte_before_a_later_fault() {
        let data = [0u8, 0, 5, 0, 0, 0];
        let m = Mem {
            base: 100,
            data: &data,
            readable: 4,
        };
        assert_eq!(check_zeroed_user(&m, 100, 6), Ok(false));
        let m = Mem {
            base: 100,
            data: &data,
            readable: 2,
        };
        assert_eq!(check_zeroed_user(&m, 100, 6), Err(Fault));
        let zeros = [0u8; 200];
        let m = Mem {
            base: 0,
            data: &zeros,
            readable: 200,
        };
        assert_eq!(check_zeroed_user(&m, 0, 200), Ok(true));
        assert_eq!(check_zeroed_user(&m, 0, 201), Err(Fault));
    }

    #[test]
    fn wrapping_addresses_fault() {
        let zeros = [0u8; 8];
        let m = Mem {
            base: u64::MAX - 3,
            data: &zeros,
            readable: 8,
        };
        assert_eq!(check_zeroed_user(&m, u64::MAX - 3, 8), Err(Fault));
        assert_eq!(get_user_u32(&m, u64::MAX - 3), Ok(0));
        assert_eq!(get_user_u32(&m, u64::MAX - 2), Err(Fault));
    }

    /// vfio.h's `vfio_device_bind_iommufd` of v6.17: 24 bytes, of which the kernel copied 16.
    #[repr(C)]
    #[derive(Clone, Copy, Default, Debug, PartialEq)]
    struct Bind {
        argsz: u32,
        flags: u32,
        iommufd: i32,
        out_devid: u32,
        token_uuid_ptr: u64,
    }
    // SAFETY: integers only, no padding (4 * 4 + 8 bytes, 8-aligned).
    unsafe impl Plain for Bind {}

    /// The user's 32 bytes: the struct, then 8 more, zero but for the last.
    fn bind_bytes(argsz: u32, ptr: u64, last: u8) -> [u8; 32] {
        let mut b = [0u8; 32];
        for (i, w) in [argsz, 1, 3, 0].iter().enumerate() {
            b[4 * i..4 * i + 4].copy_from_slice(&w.to_ne_bytes());
        }
        b[16..24].copy_from_slice(&ptr.to_ne_bytes());
        b[31] = last;
        b
    }

    #[test]
    fn size_copy_ksize_copies_ksize_bytes_and_wants_zero_past_them() {
        let run = |data: &[u8], readable: usize| {
            let m = Mem {
                base: 0x1000,
                data,
                readable,
            };
            let mut d = Bind {
                token_uuid_ptr: 7,
                ..Bind::default()
            };
            size_copy_ksize(&m, &mut d, 0x1000, 16, 16)
                .map(|()| d)
                .map_err(|e| e.errno)
        };
        let want = Bind {
            argsz: 16,
            flags: 1,
            iommufd: 3,
            ..Bind::default()
        };
        assert_eq!(run(&bind_bytes(16, 0xdead, 0), 24), Ok(want));
        // Past ksize: zero is taken (and not copied), anything else is -E2BIG.
        let long = Bind { argsz: 24, ..want };
        assert_eq!(run(&bind_bytes(24, 0, 0), 24), Ok(long));
        assert_eq!(run(&bind_bytes(24, 0xdead, 0), 24), Err(Errno::E2BIG));
        assert_eq!(run(&bind_bytes(32, 0, 1), 32), Err(Errno::E2BIG));
        // Below min_size, an unreadable size or tail.
        assert_eq!(run(&bind_bytes(15, 0, 0), 24), Err(Errno::EINVAL));
        assert_eq!(run(&bind_bytes(16, 0, 0), 3), Err(Errno::EFAULT));
        assert_eq!(run(&bind_bytes(24, 0, 0), 20), Err(Errno::EFAULT));
        // A ksize past sizeof is sizeof: the plain size convention.
        let data = bind_bytes(24, 9, 0);
        let m = Mem {
            base: 0,
            data: &data,
            readable: 24,
        };
        let mut d = Bind::default();
        size_copy_ksize(&m, &mut d, 0, 16, 100).unwrap();
        assert_eq!(d.token_uuid_ptr, 9);
    }

    #[test]
    fn errno_values_are_linux() {
        assert_eq!(Errno::EINVAL.to_negative(), -22);
        assert_eq!(Errno::from_negative(-95), Some(Errno::EOPNOTSUPP));
        assert_eq!(Errno::from_negative(-1), None);
        assert_eq!(Errno::from_negative(-13), Some(Errno::EACCES));
        assert_eq!(Errno::ENOTSUPP.to_negative(), -524);
    }
}
