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
//! No panic unwinds into C: every entry point runs its body under `catch_unwind`. A panic (a
//! bug of the model, never a refusal of the arguments) makes the call return
//! -ENOTRECOVERABLE (NULL from [`uapigen_vtd_create`]) and poisons the handle: every later
//! call on it returns -ENOTRECOVERABLE without running, [`uapigen_last_rejection`] names the
//! panic, and [`uapigen_vtd_destroy`] still frees it. This needs `panic = "unwind"`, cargo's
//! default, in the profile that builds the library.
//!
//! Its C header, `include/uapigen/runtime.h`, is generated from this file by cbindgen
//! (`cbindgen.toml`): the doc comments of the public items are the header's comments.
//! `tests/header.rs` fails when the committed header is not what cbindgen emits;
//! `UAPIGEN_BLESS=1 cargo test -p uapigen-capi --test header` rewrites it.
#![warn(missing_docs)]

use std::cell::{Cell, RefCell};
use std::ffi::{c_char, c_int, c_ulong, c_void, CString};
use std::panic::AssertUnwindSafe;
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
    /// Set when a call panicked: the model may be half-updated, so every later call is
    /// refused with -ENOTRECOVERABLE.
    poisoned: Cell<bool>,
}

impl UapigenVtd {
    fn new(iommu: Arc<VtdIommu>, backend: Arc<dyn Backend>, user: UserRegion) -> Self {
        UapigenVtd {
            container: Container::new(VM, backend.clone()),
            iommufd: Iommufd::new(VM, backend),
            iommu,
            user,
            last_rejection: RefCell::new(CString::default()),
            poisoned: Cell::new(false),
        }
    }

    fn record(&self, text: String) {
        *self.last_rejection.borrow_mut() =
            CString::new(text).unwrap_or_else(|_| c"rule text had a NUL".into());
    }

    /// 0, or the negative errno after recording the rule.
    fn status(&self, r: Result<(), Rejected>) -> c_int {
        match r {
            Ok(()) => 0,
            Err(e) => {
                self.record(format!("{}: {}", e.errno.name(), e.rule));
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

/// Linux's `ENOTRECOVERABLE` (131 on x86, Arm and RISC-V; the other errnos here are Linux's
/// values too): the runtime panicked in this call or an earlier one on the same handle. No
/// errno of the kernel functions the entries stand in for means it, so a C caller can tell a
/// bug of the model from a refusal.
const ENOTRECOVERABLE: c_int = 131;

/// Runs an entry point's body, catching a panic. A panic must not unwind into C: Rust aborts
/// the process when one reaches an `extern "C"` function, which would take the VMM with it.
/// The error is `"<entry> panicked: <message>"`.
fn catch<R>(entry: &'static str, body: impl FnOnce() -> R) -> Result<R, String> {
    // AssertUnwindSafe: after a panic the handle is poisoned, so no later call sees what the
    // panic left half-done.
    std::panic::catch_unwind(AssertUnwindSafe(|| {
        #[cfg(test)]
        test_hook::fire(entry);
        body()
    }))
    .map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("a panic without a message");
        format!("{entry} panicked: {message}")
    })
}

/// An int-returning entry point on a handle: -EINVAL for a null handle, -ENOTRECOVERABLE on
/// a poisoned one (without running `body`) or when `body` panics (the handle is then
/// poisoned and the panic recorded as the last rejection), otherwise `body`'s value.
///
fn on_handle(
    entry: &'static str,
    h: Option<&UapigenVtd>,
    body: impl FnOnce(&UapigenVtd) -> c_int,
) -> c_int {
    let Some(h) = h else {
        return einval();
    };
    if h.poisoned.get() {
        return -ENOTRECOVERABLE;
    }
    match catch(entry, || body(h)) {
        Ok(ret) => ret,
        Err(why) => {
            h.poisoned.set(true);
            h.record(format!("ENOTRECOVERABLE: {why}"));
            -ENOTRECOVERABLE
        }
    }
}

/// [`on_handle`] for an entry point with a result in `*out`: -EINVAL for a null `out`, `f`'s
/// errno (recorded), or 0 with `f`'s value written to `*out`.
///
/// # Safety
/// `out` is null or valid for a write.
unsafe fn with_out<T>(
    entry: &'static str,
    h: Option<&UapigenVtd>,
    out: *mut T,
    f: impl FnOnce(&UapigenVtd) -> Result<T, Rejected>,
) -> c_int {
    on_handle(entry, h, |h| {
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
    })
}

/// Creates the model: a VT-d IOMMU with every feature, one VM with a 4 GiB container domain,
/// device `sid` assigned to it (ATS on when `ats` is non-zero), and `user_len` bytes at
/// `user_mem` as the VM's user memory. NULL when `user_mem` is NULL, or if the model
/// panicked while being built.
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
    catch("uapigen_vtd_create", || {
        if user_mem.is_null() {
            return std::ptr::null_mut();
        }
        let iommu = Arc::new(VtdIommu::new(Features::default()));
        let config = DeviceConfig {
            ats: ats != 0,
            ..DeviceConfig::default()
        };
        if iommu.create_vm(VM, GUEST_MEM).is_err() || iommu.assign_device(VM, sid, config).is_err()
        {
            return std::ptr::null_mut();
        }
        let backend: Arc<dyn Backend> = iommu.clone();
        let user = UserRegion {
            base: user_mem as usize as u64,
            len: user_len as u64,
        };
        Box::into_raw(Box::new(UapigenVtd::new(iommu, backend, user)))
    })
    .unwrap_or(std::ptr::null_mut())
}

/// Frees the model (a poisoned one too).
///
/// # Safety
/// `vtd` is null or a handle from `uapigen_vtd_create()` not yet destroyed.
#[no_mangle]
pub unsafe extern "C" fn uapigen_vtd_destroy(vtd: *mut UapigenVtd) {
    if vtd.is_null() {
        return;
    }
    // SAFETY: the caller's contract; the handle came from Box::into_raw.
    let owned = unsafe { Box::from_raw(vtd) };
    // A panic while dropping leaves the rest of the model unfreed; there is no one to tell.
    let _ = catch("uapigen_vtd_destroy", || drop(owned));
}

/// The rule the last failed call broke (`"EINVAL: ..."`), or the panic that poisoned the
/// handle (`"ENOTRECOVERABLE: ..."`); valid until the next call.
///
/// # Safety
/// `vtd` is null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn uapigen_last_rejection(vtd: *const UapigenVtd) -> *const c_char {
    catch("uapigen_last_rejection", || {
        // SAFETY: the caller's contract.
        match unsafe { vtd.as_ref() } {
            Some(h) => h.last_rejection.borrow().as_ptr(),
            None => c"no handle".as_ptr(),
        }
    })
    .unwrap_or(c"ENOTRECOVERABLE: uapigen_last_rejection panicked".as_ptr())
}

/// `ioctl(iommufd, cmd, arg)` as Linux v6.8 handles it; `arg` must lie in user memory.
///
/// # Safety
/// `vtd` is null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn uapigen_iommufd_ioctl(
    vtd: *const UapigenVtd,
    cmd: c_ulong,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: the caller's contract.
    let h = unsafe { vtd.as_ref() };
    on_handle("uapigen_iommufd_ioctl", h, |h| {
        let Ok(cmd) = u32::try_from(cmd) else {
            return h.status(Err(Rejected::new(Errno::ENOTTY, "not an iommufd ioctl")));
        };
        h.status(h.iommufd.ioctl(&h.user, cmd, arg as usize as u64))
    })
}

/// `VFIO_DEVICE_BIND_IOMMUFD`: binds device `sid` to the iommufd; its object id in
/// `*out_dev_id`.
///
/// # Safety
/// `vtd` is null or a live handle; `out_dev_id` is null or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn uapigen_iommufd_bind_device(
    vtd: *const UapigenVtd,
    sid: u16,
    out_dev_id: *mut u32,
) -> c_int {
    // SAFETY: the caller's contract.
    let h = unsafe { vtd.as_ref() };
    let body = |h: &UapigenVtd| h.iommufd.bind_device(sid);
    // SAFETY: the caller's contract.
    unsafe { with_out("uapigen_iommufd_bind_device", h, out_dev_id, body) }
}

/// `VFIO_DEVICE_ATTACH_IOMMUFD_PT` of a nested hwpt: the device's DMA without PASID goes
/// through the hwpt's stage-1 table.
///
/// # Safety
/// `vtd` is null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn uapigen_iommufd_attach(
    vtd: *const UapigenVtd,
    dev_id: u32,
    hwpt_id: u32,
) -> c_int {
    // SAFETY: the caller's contract.
    let h = unsafe { vtd.as_ref() };
    on_handle("uapigen_iommufd_attach", h, |h| {
        h.status(h.iommufd.attach(dev_id, hwpt_id))
    })
}

/// The VFIO container's PASID allocation (`ioasid_alloc` in the VM's set); the PASID in
/// `*out_pasid`.
///
/// # Safety
/// `vtd` is null or a live handle; `out_pasid` is null or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn uapigen_vfio_alloc_pasid(
    vtd: *const UapigenVtd,
    out_pasid: *mut u32,
) -> c_int {
    // SAFETY: the caller's contract.
    let h = unsafe { vtd.as_ref() };
    let body = |h: &UapigenVtd| h.container.alloc_pasid();
    // SAFETY: the caller's contract.
    unsafe { with_out("uapigen_vfio_alloc_pasid", h, out_pasid, body) }
}

/// The VFIO nesting ioctl: `arg` points at `struct uapigen_nesting_op` in user memory, its
/// payload the 2020 IOMMU uAPI struct the flags name.
///
/// # Safety
/// `vtd` is null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn uapigen_vfio_nesting_op(
    vtd: *const UapigenVtd,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: the caller's contract.
    let h = unsafe { vtd.as_ref() };
    on_handle("uapigen_vfio_nesting_op", h, |h| {
        h.status(h.container.nesting_op(&h.user, arg as usize as u64))
    })
}

/// Device `sid` does DMA to `iova` (`pasid` or `UAPIGEN_NO_PASID`): the IOMMU translates it,
/// filling its IOTLB (and the device TLB under ATS). The host page frame in `*out_host_pfn`;
/// -EFAULT on a translation fault (no present PASID entry).
///
/// # Safety
/// `vtd` is null or a live handle; `out_host_pfn` is null or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn uapigen_device_dma(
    vtd: *const UapigenVtd,
    sid: u16,
    pasid: i64,
    iova: u64,
    out_host_pfn: *mut u64,
) -> c_int {
    // SAFETY: the caller's contract.
    let h = unsafe { vtd.as_ref() };
    let body = |h: &UapigenVtd| {
        let Some(pasid) = UapigenVtd::pasid_index(pasid) else {
            return Err(Rejected::new(
                Errno::EINVAL,
                "pasid is neither -1 nor a u32",
            ));
        };
        h.iommu
            .translate(sid, pasid, iova)
            .map(|t| t.host_pfn)
            .ok_or(Rejected::new(Errno::EFAULT, "DMA translation fault"))
    };
    // SAFETY: the caller's contract.
    unsafe { with_out("uapigen_device_dma", h, out_host_pfn, body) }
}

/// Which caches hold a translation of `iova` for device `sid` and `pasid`
/// (`UAPIGEN_NO_PASID`: the RID's): `UAPIGEN_CACHED_IOTLB` | `UAPIGEN_CACHED_DEVTLB`, or a
/// negative errno.
///
/// # Safety
/// `vtd` is null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn uapigen_cached(
    vtd: *const UapigenVtd,
    sid: u16,
    pasid: i64,
    iova: u64,
) -> c_int {
    let sid: SourceId = sid;
    // SAFETY: the caller's contract.
    let h = unsafe { vtd.as_ref() };
    on_handle("uapigen_cached", h, |h| {
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
    })
}

/// Makes an entry point panic inside its `catch`, so the tests reach every entry's panic path.
#[cfg(test)]
mod test_hook {
    use std::cell::Cell;

    thread_local! {
        /// The entry point that panics next on this thread.
        pub static PANIC_IN: Cell<Option<&'static str>> = const { Cell::new(None) };
    }

    pub fn fire(entry: &'static str) {
        if PANIC_IN.get() == Some(entry) {
            PANIC_IN.set(None);
            panic!("test hook in {entry}");
        }
    }
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

    use uapigen_bindings::iommu::{
        IommuCacheInvalidateInfo, IommuFault, IommuGpasidBindData, IommuPageResponse,
    };
    use uapigen_bindings::iommufd::{IommuHwInfoVtd, IommuHwptVtdS1, IommuHwptVtdS1Invalidate};
    use uapigen_runtime::backend::{NestedDomain, NestingInfo, PagingDomain};

    /// A driver with a bug in every method.
    struct PanickingBackend;

    impl Backend for PanickingBackend {
        fn nesting_info(&self) -> NestingInfo {
            panic!("driver bug in nesting_info")
        }
        fn owns_device(&self, _: VmId, _: SourceId) -> bool {
            panic!("driver bug in owns_device")
        }
        fn alloc_pasid(&self, _: VmId) -> Result<u32, Rejected> {
            panic!("driver bug in alloc_pasid")
        }
        fn free_pasid(&self, _: VmId, _: u32) -> Result<(), Rejected> {
            panic!("driver bug in free_pasid")
        }
        fn bind_gpasid(&self, _: VmId, _: &IommuGpasidBindData) -> Result<(), Rejected> {
            panic!("driver bug in bind_gpasid")
        }
        fn unbind_gpasid(&self, _: VmId, _: u64) -> Result<(), Rejected> {
            panic!("driver bug in unbind_gpasid")
        }
        fn cache_invalidate(&self, _: VmId, _: &IommuCacheInvalidateInfo) -> Result<(), Rejected> {
            panic!("driver bug in cache_invalidate")
        }
        fn page_response(&self, _: VmId, _: &IommuPageResponse) -> Result<(), Rejected> {
            panic!("driver bug in page_response")
        }
        fn peek_fault(&self, _: VmId) -> Option<IommuFault> {
            panic!("driver bug in peek_fault")
        }
        fn pop_fault(&self, _: VmId) {
            panic!("driver bug in pop_fault")
        }
        fn hw_info(&self, _: VmId, _: SourceId) -> Result<IommuHwInfoVtd, Rejected> {
            panic!("driver bug in hw_info")
        }
        fn alloc_paging(&self, _: VmId, _: bool) -> Result<PagingDomain, Rejected> {
            panic!("driver bug in alloc_paging")
        }
        fn alloc_nested(
            &self,
            _: VmId,
            _: PagingDomain,
            _: u32,
            _: &mut dyn FnMut() -> Result<IommuHwptVtdS1, Rejected>,
        ) -> Result<NestedDomain, Rejected> {
            panic!("driver bug in alloc_nested")
        }
        fn free_paging(&self, _: VmId, _: PagingDomain) -> Result<(), Rejected> {
            panic!("driver bug in free_paging")
        }
        fn free_nested(&self, _: VmId, _: NestedDomain) -> Result<(), Rejected> {
            panic!("driver bug in free_nested")
        }
        fn attach_nested(&self, _: VmId, _: SourceId, _: NestedDomain) -> Result<(), Rejected> {
            panic!("driver bug in attach_nested")
        }
        fn invalidate_nested(
            &self,
            _: VmId,
            _: NestedDomain,
            _: &IommuHwptVtdS1Invalidate,
        ) -> Result<(), Rejected> {
            panic!("driver bug in invalidate_nested")
        }
    }

    fn last_rejection(h: *const UapigenVtd) -> String {
        // SAFETY: `h` is live; the text is copied before the next call.
        unsafe { std::ffi::CStr::from_ptr(uapigen_last_rejection(h)) }
            .to_str()
            .unwrap()
            .to_string()
    }

    /// A panic deep in the runtime (the container calls a driver that panics) comes back to
    /// C as -ENOTRECOVERABLE, named by uapigen_last_rejection; the handle refuses every later
    /// call, even one that does not reach the driver, and is still freed. Without the
    /// catch_unwind, the panic reaching `extern "C"` would abort this test binary.
    #[test]
    fn a_panic_in_the_driver_is_an_errno_and_poisons_the_handle() {
        let mut user = [0u8; 64];
        let iommu = Arc::new(VtdIommu::new(Features::default()));
        iommu.create_vm(VM, GUEST_MEM).unwrap();
        iommu
            .assign_device(VM, 0x10, DeviceConfig::default())
            .unwrap();
        let region = UserRegion {
            base: user.as_mut_ptr() as usize as u64,
            len: user.len() as u64,
        };
        let h: *mut UapigenVtd = Box::into_raw(Box::new(UapigenVtd::new(
            iommu,
            Arc::new(PanickingBackend),
            region,
        )));
        let mut pasid = 0xdead_beef_u32;
        // SAFETY: `h` is live and `user` outlives it; `pasid` is valid for a write.
        unsafe {
            assert_eq!(uapigen_vfio_alloc_pasid(h, &mut pasid), -ENOTRECOVERABLE);
            assert_eq!(pasid, 0xdead_beef, "nothing written on a panic");
            assert_eq!(
                last_rejection(h),
                "ENOTRECOVERABLE: uapigen_vfio_alloc_pasid panicked: driver bug in alloc_pasid"
            );
            // DMA goes to the IOMMU model, not the panicking driver, and is refused all the
            // same: the handle is poisoned. The panic stays the recorded reason.
            let mut pfn = 0;
            assert_eq!(
                uapigen_device_dma(h, 0x10, UAPIGEN_NO_PASID, 0, &mut pfn),
                -ENOTRECOVERABLE
            );
            assert_eq!(
                uapigen_cached(h, 0x10, UAPIGEN_NO_PASID, 0),
                -ENOTRECOVERABLE
            );
            assert!(last_rejection(h).contains("driver bug in alloc_pasid"));
            uapigen_vtd_destroy(h);
        }
    }

    /// The header's function names (the entry points cbindgen found in this file).
    fn header_functions() -> Vec<String> {
        let header = include_str!("../include/uapigen/runtime.h");
        // A declaration's line (not a comment's) names it before its `(`.
        let mut names: Vec<String> = header
            .lines()
            .filter(|l| !l.trim_start().starts_with(['*', '/', '#']))
            .filter_map(|l| {
                let name = &l[..l.find('(')?];
                let name = &name[name.rfind([' ', '*'])? + 1..];
                Some(name.to_string())
            })
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Each entry point, with the test hook armed for it, panics inside its `catch` and
    /// returns its panic value; the list is checked against the header, so a new entry point
    /// without a case (or without `catch`) fails here.
    #[test]
    fn every_entry_point_catches_a_panic() {
        type Case = (&'static str, fn(*mut UapigenVtd, *mut u8) -> bool);
        // Each case calls its entry (the hook armed) and says whether it got the panic value.
        // SAFETY (every case): `h` is live, `user` is 64 bytes that outlive it, out-pointers
        // are valid for a write.
        let cases: [Case; 10] = [
            ("uapigen_vtd_create", |_, user| unsafe {
                uapigen_vtd_create(0x10, 1, user.cast(), 64).is_null()
            }),
            ("uapigen_vtd_destroy", |_, user| unsafe {
                // A handle of its own: destroying it must not unwind.
                let own = {
                    test_hook::PANIC_IN.set(None);
                    uapigen_vtd_create(0x10, 1, user.cast(), 64)
                };
                test_hook::PANIC_IN.set(Some("uapigen_vtd_destroy"));
                uapigen_vtd_destroy(own);
                test_hook::PANIC_IN.get().is_none()
            }),
            ("uapigen_last_rejection", |h, _| unsafe {
                std::ffi::CStr::from_ptr(uapigen_last_rejection(h))
                    == c"ENOTRECOVERABLE: uapigen_last_rejection panicked"
            }),
            ("uapigen_iommufd_ioctl", |h, user| unsafe {
                uapigen_iommufd_ioctl(h, 0x3b80, user.cast()) == -ENOTRECOVERABLE
            }),
            ("uapigen_iommufd_bind_device", |h, _| unsafe {
                uapigen_iommufd_bind_device(h, 0x10, &mut 0) == -ENOTRECOVERABLE
            }),
            ("uapigen_iommufd_attach", |h, _| unsafe {
                uapigen_iommufd_attach(h, 1, 2) == -ENOTRECOVERABLE
            }),
            ("uapigen_vfio_alloc_pasid", |h, _| unsafe {
                uapigen_vfio_alloc_pasid(h, &mut 0) == -ENOTRECOVERABLE
            }),
            ("uapigen_vfio_nesting_op", |h, user| unsafe {
                uapigen_vfio_nesting_op(h, user.cast()) == -ENOTRECOVERABLE
            }),
            ("uapigen_device_dma", |h, _| unsafe {
                uapigen_device_dma(h, 0x10, UAPIGEN_NO_PASID, 0, &mut 0) == -ENOTRECOVERABLE
            }),
            ("uapigen_cached", |h, _| unsafe {
                uapigen_cached(h, 0x10, UAPIGEN_NO_PASID, 0) == -ENOTRECOVERABLE
            }),
        ];
        let mut listed: Vec<String> = cases.iter().map(|(n, _)| n.to_string()).collect();
        listed.sort();
        assert_eq!(
            listed,
            header_functions(),
            "a case per entry point of the header"
        );
        for (entry, call) in cases {
            let mut user = [0u8; 64];
            // SAFETY: `user` outlives the handle; each case passes valid out-pointers.
            let h = unsafe { uapigen_vtd_create(0x10, 1, user.as_mut_ptr().cast(), 64) };
            assert!(!h.is_null());
            test_hook::PANIC_IN.set(Some(entry));
            assert!(
                call(h, user.as_mut_ptr()),
                "{entry} did not return its panic value"
            );
            assert_eq!(
                test_hook::PANIC_IN.get(),
                None,
                "{entry} never ran its hook"
            );
            let why = last_rejection(h);
            if why.starts_with("ENOTRECOVERABLE") {
                // A poisoned handle refuses the next call.
                // SAFETY: `h` is live.
                let again = unsafe { uapigen_iommufd_attach(h, 1, 2) };
                assert_eq!(again, -ENOTRECOVERABLE, "{entry}");
                assert_eq!(
                    why,
                    format!("ENOTRECOVERABLE: {entry} panicked: test hook in {entry}")
                );
            }
            // SAFETY: `h` is live and destroyed once.
            unsafe { uapigen_vtd_destroy(h) };
        }
    }
}
