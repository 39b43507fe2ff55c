//! A C ABI over the runtime and the VT-d model, so a C VMM built
//! against the generated headers runs its ioctls against the Rust runtime: the bytes the C
//! compiler laid out are the bytes the generated Rust validators check.
//!
//! User memory is one region the caller hands over at creation (its "address space"): every
//! user pointer in an argument, including pointers inside structs (`data_uptr`), must lie in
//! it; a pointer or a length that reaches outside it faults (-EFAULT), as an unmapped user
//! address would. So a malicious `argsz` cannot make the runtime read the caller's memory out
//! of bounds.
//!
//! Every function returns 0 or a negative errno, as the kernel function it stands in for does;
//! [`uapigen_last_rejection`] names the rule the last error broke.
//!
//! Its C header, `include/uapigen/runtime.h`, is generated from this file by cbindgen
//! (`cbindgen.toml`): the doc comments of the public items are the header's comments.
//! `tests/header.rs` fails when the committed header is not what cbindgen emits;
//! `UAPIGEN_BLESS=1 cargo test -p uapigen-capi --test header` rewrites it.
#![warn(missing_docs)]

use std::cell::RefCell;
use std::ffi::{c_char, c_int, c_ulong, c_void, CString};
use std::sync::Arc;

use uapigen_runtime::backend::{Backend, SourceId, VmId};
use uapigen_runtime::envelope::{self, Container};
use uapigen_runtime::iommufd::Iommufd;
use uapigen_uaccess::{Errno, Rejected, UserMemory, UserMemoryWrite};
use vtd_backend::driver::PASID_RID2PASID;
use vtd_backend::{DeviceConfig, Features, VtdIommu};

/// The VM every handle models: one VM, one container, one iommufd.
const VM: VmId = 1;
/// Guest memory of the VM's container domain: 4 GiB.
const GUEST_MEM: u64 = 1 << 32;
const VTD_PAGE_SHIFT: u32 = 12;

// The header's constants are written as literals, since cbindgen copies a constant's expression
// into C; these assertions keep them the runtime's.

/// The flag bits of `struct uapigen_nesting_op` that name the payload; the others must be zero.
pub const UAPIGEN_NESTING_OP_MASK: u32 = 0xffff;
/// Payload `struct iommu_gpasid_bind_data`: bind a guest page table to a PASID.
pub const UAPIGEN_NESTING_OP_BIND_PGTBL: u32 = 0;
/// Payload `struct iommu_gpasid_bind_data`: unbind its `hpasid`.
pub const UAPIGEN_NESTING_OP_UNBIND_PGTBL: u32 = 1;
/// Payload `struct iommu_cache_invalidate_info`.
pub const UAPIGEN_NESTING_OP_CACHE_INVLD: u32 = 2;
/// Payload `struct iommu_page_response`.
pub const UAPIGEN_NESTING_OP_PAGE_RESP: u32 = 3;
const _: () = {
    assert!(UAPIGEN_NESTING_OP_MASK == envelope::NESTING_OP_MASK);
    assert!(UAPIGEN_NESTING_OP_BIND_PGTBL == envelope::op::BIND_PGTBL);
    assert!(UAPIGEN_NESTING_OP_UNBIND_PGTBL == envelope::op::UNBIND_PGTBL);
    assert!(UAPIGEN_NESTING_OP_CACHE_INVLD == envelope::op::CACHE_INVLD);
    assert!(UAPIGEN_NESTING_OP_PAGE_RESP == envelope::op::PAGE_RESP);
    assert!(std::mem::size_of::<UapigenNestingOp>() == envelope::ENVELOPE_MINSZ as usize);
};

/// A DMA request without PASID (through the RID's PASID entry).
pub const UAPIGEN_NO_PASID: i64 = -1;

/// `uapigen_cached()`: the IOMMU's IOTLB holds the translation.
pub const UAPIGEN_CACHED_IOTLB: c_int = 1 << 0;
/// `uapigen_cached()`: the device's TLB (ATS) holds the translation.
pub const UAPIGEN_CACHED_DEVTLB: c_int = 1 << 1;

/// The VFIO nesting ioctl's envelope (the seed thread, Alex Williamson, April 2020): the low
/// 16 bits of `flags` name the payload in `data` (`UAPIGEN_NESTING_OP_*`), the other bits must
/// be zero; `argsz` covers the envelope and the payload, and the payload's own `argsz` may not
/// reach past it.
// `data[]`, the flexible array member, is cbindgen.toml's: cbindgen writes no Rust type as one.
#[repr(C)]
pub struct UapigenNestingOp {
    /// The envelope's and the payload's size.
    pub argsz: u32,
    /// `UAPIGEN_NESTING_OP_*` in the low 16 bits.
    pub flags: u32,
}

/// The caller's user memory: `len` bytes at `base`.
struct UserRegion {
    base: u64,
    len: u64,
}

impl UserRegion {
    /// How many bytes from `addr` (at most `want`) lie in the region.
    fn accessible(&self, addr: u64, want: usize) -> usize {
        match addr.checked_sub(self.base) {
            Some(off) if off < self.len => (self.len - off).min(want as u64) as usize,
            _ => 0,
        }
    }
}

impl UserMemory for UserRegion {
    fn copy_from_user(&self, dst: &mut [u8], addr: u64) -> usize {
        let n = self.accessible(addr, dst.len());
        // SAFETY: `[addr, addr + n)` lies in the region the caller promised is valid memory
        // for the handle's lifetime (uapigen_vtd_create's contract).
        unsafe { std::ptr::copy_nonoverlapping(addr as usize as *const u8, dst.as_mut_ptr(), n) };
        dst.len() - n
    }
}

impl UserMemoryWrite for UserRegion {
    fn copy_to_user(&self, addr: u64, src: &[u8]) -> usize {
        let n = self.accessible(addr, src.len());
        // SAFETY: as in copy_from_user; the region is writable by the same contract.
        unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), addr as usize as *mut u8, n) };
        src.len() - n
    }
}

/// A VT-d IOMMU with one VM, the VM's VFIO container and iommufd, and the caller's user
/// memory. Opaque to C.
pub struct UapigenVtd {
    iommu: Arc<VtdIommu>,
    container: Container,
    iommufd: Iommufd,
    user: UserRegion,
    last_rejection: RefCell<CString>,
}

impl UapigenVtd {
    /// 0, or the negative errno after recording the rule.
    fn status(&self, r: Result<(), Rejected>) -> c_int {
        match r {
            Ok(()) => 0,
            Err(e) => {
                let text = format!("{}: {}", e.errno.name(), e.rule);
                *self.last_rejection.borrow_mut() =
                    CString::new(text).unwrap_or_else(|_| c"rule text had a NUL".into());
                e.errno.to_negative()
            }
        }
    }

    fn pasid_index(pasid: i64) -> Option<Option<u32>> {
        match pasid {
            UAPIGEN_NO_PASID => Some(None),
            p => u32::try_from(p).ok().map(Some),
        }
    }
}

fn einval() -> c_int {
    Errno::EINVAL.to_negative()
}

/// # Safety
/// `h` is null or a live handle from `uapigen_vtd_create()`.
unsafe fn handle<'a>(h: *const UapigenVtd) -> Option<&'a UapigenVtd> {
    // SAFETY: the caller's contract.
    unsafe { h.as_ref() }
}

/// Runs `f` on the handle and writes its value to `*out`: 0, or -EINVAL for a null handle or
/// `out`, or `f`'s errno (recorded).
///
/// # Safety
/// `h` is null or a live handle; `out` is null or valid for a write.
unsafe fn with_out<T>(
    h: *const UapigenVtd,
    out: *mut T,
    f: impl FnOnce(&UapigenVtd) -> Result<T, Rejected>,
) -> c_int {
    // SAFETY: the caller's contract.
    let Some(h) = (unsafe { handle(h) }) else {
        return einval();
    };
    if out.is_null() {
        return einval();
    }
    match f(h) {
        Ok(v) => {
            // SAFETY: checked non-null; the caller's contract.
            unsafe { out.write(v) };
            0
        }
        Err(e) => h.status(Err(e)),
    }
}

/// Creates the model: a VT-d IOMMU with every feature, one VM with a 4 GiB container domain,
/// device `sid` assigned to it (ATS on when `ats` is non-zero), and `user_len` bytes at
/// `user_mem` as the VM's user memory. NULL when `user_mem` is NULL.
///
/// # Safety
/// `user_mem` must be valid for reads and writes of `user_len` bytes until
/// `uapigen_vtd_destroy()`, and not accessed by another thread during a call.
#[no_mangle]
pub unsafe extern "C" fn uapigen_vtd_create(
    sid: u16,
    ats: c_int,
    user_mem: *mut c_void,
    user_len: usize,
) -> *mut UapigenVtd {
    if user_mem.is_null() {
        return std::ptr::null_mut();
    }
    let iommu = Arc::new(VtdIommu::new(Features::default()));
    let config = DeviceConfig {
        ats: ats != 0,
        ..DeviceConfig::default()
    };
    if iommu.create_vm(VM, GUEST_MEM).is_err() || iommu.assign_device(VM, sid, config).is_err() {
        return std::ptr::null_mut();
    }
    let backend: Arc<dyn Backend> = iommu.clone();
    Box::into_raw(Box::new(UapigenVtd {
        container: Container::new(VM, backend.clone()),
        iommufd: Iommufd::new(VM, backend),
        iommu,
        user: UserRegion {
            base: user_mem as usize as u64,
            len: user_len as u64,
        },
        last_rejection: RefCell::new(CString::default()),
    }))
}

/// Frees the model.
///
/// # Safety
/// `h` is null or a handle from `uapigen_vtd_create()` not yet destroyed.
#[no_mangle]
pub unsafe extern "C" fn uapigen_vtd_destroy(h: *mut UapigenVtd) {
    if !h.is_null() {
        // SAFETY: the caller's contract; the handle came from Box::into_raw.
        drop(unsafe { Box::from_raw(h) });
    }
}

/// The rule the last failed call broke (`"EINVAL: ..."`); valid until the next call.
///
/// # Safety
/// `h` is null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn uapigen_last_rejection(h: *const UapigenVtd) -> *const c_char {
    // SAFETY: the caller's contract.
    match unsafe { handle(h) } {
        Some(h) => h.last_rejection.borrow().as_ptr(),
        None => c"no handle".as_ptr(),
    }
}

/// `ioctl(iommufd, cmd, arg)` as Linux v6.8 handles it; `arg` must lie in user memory.
///
/// # Safety
/// `h` is null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn uapigen_iommufd_ioctl(
    h: *const UapigenVtd,
    cmd: c_ulong,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: the caller's contract.
    let Some(h) = (unsafe { handle(h) }) else {
        return einval();
    };
    let Ok(cmd) = u32::try_from(cmd) else {
        return h.status(Err(Rejected::new(Errno::ENOTTY, "not an iommufd ioctl")));
    };
    h.status(h.iommufd.ioctl(&h.user, cmd, arg as usize as u64))
}

/// `VFIO_DEVICE_BIND_IOMMUFD`: binds device `sid` to the iommufd; its object id in
/// `*out_dev_id`.
///
/// # Safety
/// `h` is null or a live handle; `out_dev_id` is null or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn uapigen_iommufd_bind_device(
    h: *const UapigenVtd,
    sid: u16,
    out_dev_id: *mut u32,
) -> c_int {
    // SAFETY: the caller's contract.
    unsafe { with_out(h, out_dev_id, |h| h.iommufd.bind_device(sid)) }
}

/// `VFIO_DEVICE_ATTACH_IOMMUFD_PT` of a nested hwpt: the device's DMA without PASID goes
/// through the hwpt's stage-1 table.
///
/// # Safety
/// `h` is null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn uapigen_iommufd_attach(
    h: *const UapigenVtd,
    dev_id: u32,
    hwpt_id: u32,
) -> c_int {
    // SAFETY: the caller's contract.
    let Some(h) = (unsafe { handle(h) }) else {
        return einval();
    };
    h.status(h.iommufd.attach(dev_id, hwpt_id))
}

/// The VFIO container's PASID allocation (`ioasid_alloc` in the VM's set); the PASID in
/// `*out_pasid`.
///
/// # Safety
/// `h` is null or a live handle; `out_pasid` is null or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn uapigen_vfio_alloc_pasid(
    h: *const UapigenVtd,
    out_pasid: *mut u32,
) -> c_int {
    // SAFETY: the caller's contract.
    unsafe { with_out(h, out_pasid, |h| h.container.alloc_pasid()) }
}

/// The VFIO nesting ioctl: `arg` points at `struct uapigen_nesting_op` (`{argsz, flags,
/// data[]}`) in user memory, its payload the 2020 IOMMU uAPI struct the flags name.
///
/// # Safety
/// `h` is null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn uapigen_vfio_nesting_op(h: *const UapigenVtd, arg: *mut c_void) -> c_int {
    // SAFETY: the caller's contract.
    let Some(h) = (unsafe { handle(h) }) else {
        return einval();
    };
    h.status(h.container.nesting_op(&h.user, arg as usize as u64))
}

/// Device `sid` does DMA to `iova` (`pasid` or `UAPIGEN_NO_PASID`): the IOMMU translates it,
/// filling its IOTLB (and the device TLB under ATS). The host page frame in `*out_host_pfn`;
/// -EFAULT on a translation fault (no present PASID entry).
///
/// # Safety
/// `h` is null or a live handle; `out_host_pfn` is null or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn uapigen_device_dma(
    h: *const UapigenVtd,
    sid: u16,
    pasid: i64,
    iova: u64,
    out_host_pfn: *mut u64,
) -> c_int {
    let Some(pasid) = UapigenVtd::pasid_index(pasid) else {
        return einval();
    };
    // SAFETY: the caller's contract.
    unsafe {
        with_out(h, out_host_pfn, |h| {
            h.iommu
                .translate(sid, pasid, iova)
                .map(|t| t.host_pfn)
                .ok_or(Rejected::new(Errno::EFAULT, "DMA translation fault"))
        })
    }
}

/// Which caches hold a translation of `iova` for device `sid` and `pasid`
/// (`UAPIGEN_NO_PASID`: the RID's): `UAPIGEN_CACHED_IOTLB` | `UAPIGEN_CACHED_DEVTLB`, or a
/// negative errno.
///
/// # Safety
/// `h` is null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn uapigen_cached(
    h: *const UapigenVtd,
    sid: u16,
    pasid: i64,
    iova: u64,
) -> c_int {
    let sid: SourceId = sid;
    // SAFETY: the caller's contract.
    let Some(h) = (unsafe { handle(h) }) else {
        return einval();
    };
    let Some(pasid) = UapigenVtd::pasid_index(pasid) else {
        return einval();
    };
    let vpn = iova >> VTD_PAGE_SHIFT;
    let index = pasid.unwrap_or(PASID_RID2PASID);
    h.iommu.with_state(|s| {
        let Some(dev) = s.devices.get(&sid) else {
            return Errno::ENODEV.to_negative();
        };
        let iotlb = dev
            .pasid_table
            .entry(index)
            .filter(|e| e.present())
            .is_some_and(|e| s.hw.iotlb.lookup(e.did(), index, vpn).is_some());
        let devtlb = s.hw.devtlb.lookup(sid, pasid, vpn).is_some();
        let mut cached = 0;
        if iotlb {
            cached |= UAPIGEN_CACHED_IOTLB;
        }
        if devtlb {
            cached |= UAPIGEN_CACHED_DEVTLB;
        }
        cached
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_memory_is_exactly_the_region() {
        let mut buf = [7u8; 16];
        let base = buf.as_mut_ptr() as usize as u64;
        let region = UserRegion { base, len: 16 };
        let mut dst = [0u8; 8];
        assert_eq!(region.copy_from_user(&mut dst, base), 0);
        assert_eq!(dst, [7; 8]);
        // Straddling the end: the first 4 bytes copied, 4 not.
        let mut dst = [0u8; 8];
        assert_eq!(region.copy_from_user(&mut dst, base + 12), 4);
        assert_eq!(dst, [7, 7, 7, 7, 0, 0, 0, 0]);
        // Below, at the end, and where addr + len wraps: nothing.
        assert_eq!(region.copy_from_user(&mut dst, base - 1), 8);
        assert_eq!(region.copy_from_user(&mut dst, base + 16), 8);
        assert_eq!(region.copy_from_user(&mut dst, u64::MAX - 2), 8);
        assert_eq!(region.copy_to_user(base + 14, &[1, 2, 3, 4]), 2);
        assert_eq!(buf[14..], [1, 2]);
    }

    #[test]
    fn errors_name_their_rule_and_null_is_refused() {
        let mut user = [0u8; 64];
        // SAFETY: `user` outlives the handle; nothing else touches it during the calls.
        unsafe {
            assert!(uapigen_vtd_create(0x10, 1, std::ptr::null_mut(), 64).is_null());
            let h = uapigen_vtd_create(0x10, 1, user.as_mut_ptr().cast(), user.len());
            assert!(!h.is_null());
            // An unknown iommufd command: -ENOTTY, and the rule says so.
            let ret = uapigen_iommufd_ioctl(h, 0x3b00 | 0x7f, user.as_mut_ptr().cast());
            assert_eq!(ret, -25);
            let why = std::ffi::CStr::from_ptr(uapigen_last_rejection(h));
            assert!(why.to_str().unwrap().starts_with("ENOTTY: "), "{why:?}");
            // A device the VM was not given.
            let mut id = 0;
            assert_eq!(uapigen_iommufd_bind_device(h, 0x11, &mut id), -22);
            assert_eq!(uapigen_iommufd_bind_device(h, 0x10, &mut id), 0);
            assert_eq!(
                uapigen_iommufd_ioctl(std::ptr::null(), 0, std::ptr::null_mut()),
                -22
            );
            uapigen_vtd_destroy(h);
        }
    }
}
