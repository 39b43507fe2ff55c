//! The generated Rust validators do not touch the heap, accepted or rejected: a counting
//! global allocator sees no allocation during the calls.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use uapigen_bindings::{
    iommu::IommuCacheInvalidateInfo, iommufd::IommuHwptInvalidate,
    iommufd::IommuHwptVtdS1Invalidate,
};
use uapigen_uaccess::UserMemory;

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A buffer at address 0 that records nothing (recording would allocate).
struct Buffer<'a>(&'a [u8]);

impl UserMemory for Buffer<'_> {
    fn copy_from_user(&self, dst: &mut [u8], addr: u64) -> usize {
        let start = (addr as usize).min(self.0.len());
        let n = dst.len().min(self.0.len() - start);
        dst[..n].copy_from_slice(&self.0[start..start + n]);
        dst.len() - n
    }
}

#[test]
fn validators_do_not_allocate() {
    let mut ci = [0u8; 64];
    ci[0] = 56;
    ci[4] = 1;
    ci[8] = 1;
    ci[9] = 2;
    let mut hi = [0u8; 40];
    hi[0] = 40;
    let vi = [0u8; 24];
    let mut a = IommuCacheInvalidateInfo::default();
    let mut b = IommuHwptInvalidate::default();
    let mut c = IommuHwptVtdS1Invalidate::default();

    let before = ALLOCS.load(Ordering::SeqCst);
    let ok = a.copy_from_user_into(&Buffer(&ci), 0).is_ok()
        && b.copy_from_user_into(&Buffer(&hi), 0).is_ok()
        && c.copy_from_user_into(&Buffer(&vi), 0, 0, 24).is_ok();
    // Rejections: a bad version, a short buffer (fault), a non-zero tail (-E2BIG).
    ci[4] = 2;
    let rejected = a.copy_from_user_into(&Buffer(&ci), 0).is_err()
        && a.copy_from_user_into(&Buffer(&ci[..20]), 0).is_err()
        && {
            hi[39] = 1;
            b.copy_from_user_into(&Buffer(&hi), 0).is_err()
        };
    let after = ALLOCS.load(Ordering::SeqCst);
    assert!(ok && rejected);
    assert_eq!(after - before, 0, "allocations on the validation path");
}
