//! The C functions of the benchmark (built by build.rs) and a `UserMemory` over a plain
//! buffer, as cheap as the memcpy the C side uses for copy_from_user.

use uapigen_bindings::{iommu::IommuCacheInvalidateInfo, iommufd::IommuHwptInvalidate};
use uapigen_uaccess::UserMemory;

extern "C" {
    pub fn gen_cache_invalidate(dst: *mut IommuCacheInvalidateInfo, src: *const u8) -> i32;
    pub fn hand_cache_invalidate(dst: *mut IommuCacheInvalidateInfo, src: *const u8) -> i32;
    pub fn gen_hwpt_invalidate(dst: *mut IommuHwptInvalidate, src: *const u8) -> i32;
    pub fn hand_hwpt_invalidate(dst: *mut IommuHwptInvalidate, src: *const u8) -> i32;
}

/// User memory that is one buffer at address 0.
pub struct Buffer<'a>(pub &'a [u8]);

/// User memory that is the process's own, copied with `memcpy` and no bounds: what the C side's
/// `copy_from_user` is, so the validators are compared on the same memory primitive.
pub struct RawUser(());

impl RawUser {
    /// # Safety
    /// Every address and length the validators are given must be readable memory.
    pub unsafe fn new() -> RawUser {
        RawUser(())
    }
}

impl UserMemory for RawUser {
    #[inline]
    fn copy_from_user(&self, dst: &mut [u8], addr: u64) -> usize {
        // SAFETY: `RawUser::new`'s contract.
        unsafe {
            std::ptr::copy_nonoverlapping(addr as usize as *const u8, dst.as_mut_ptr(), dst.len())
        };
        0
    }
}

impl UserMemory for Buffer<'_> {
    #[inline]
    fn copy_from_user(&self, dst: &mut [u8], addr: u64) -> usize {
        let start = addr as usize;
        match self.0.get(start..start + dst.len()) {
            Some(src) => {
                dst.copy_from_slice(src);
                0
            }
            None => dst.len(),
        }
    }
}

/// A valid ADDR-granularity cache invalidation (56 bytes).
pub fn cache_invalidate_input() -> Vec<u8> {
    let mut b = vec![0u8; 56];
    b[0..4].copy_from_slice(&56u32.to_le_bytes());
    b[4..8].copy_from_slice(&1u32.to_le_bytes());
    b[8] = 3; // IOTLB | DEV_IOTLB
    b[9] = 2; // ADDR
    b[16..20].copy_from_slice(&7u32.to_le_bytes());
    b[32..40].copy_from_slice(&4096u64.to_le_bytes());
    b[40..48].copy_from_slice(&4096u64.to_le_bytes());
    b[48..56].copy_from_slice(&1u64.to_le_bytes());
    b
}

/// A valid IOMMU_HWPT_INVALIDATE (32 bytes).
pub fn hwpt_invalidate_input() -> Vec<u8> {
    let mut b = vec![0u8; 32];
    b[0..4].copy_from_slice(&32u32.to_le_bytes());
    b[4..8].copy_from_slice(&3u32.to_le_bytes());
    b[8..16].copy_from_slice(&0x2000u64.to_le_bytes());
    b[20..24].copy_from_slice(&24u32.to_le_bytes());
    b[24..28].copy_from_slice(&2u32.to_le_bytes());
    b
}

/// The generated Rust validator of `$ty` behind the same opaque `fn(dst, src) -> errno` shape
/// as the C functions, so all three sides pay one call and write the whole struct: `$name`
/// over a [`Buffer`] (the user address space, made once as a kernel's is, as C's `src` is a
/// pointer made once), `$raw` over [`RawUser`] with `src` the address, as in C.
macro_rules! rust_validator {
    ($name:ident, $raw:ident, $ty:ty) => {
        #[inline(never)]
        pub fn $name(dst: &mut $ty, mem: &Buffer) -> i32 {
            match dst.copy_from_user_into(mem, 0) {
                Ok(()) => 0,
                Err(e) => e.errno.to_negative(),
            }
        }

        #[inline(never)]
        pub fn $raw(dst: &mut $ty, mem: &RawUser, src: *const u8) -> i32 {
            match dst.copy_from_user_into(mem, src as usize as u64) {
                Ok(()) => 0,
                Err(e) => e.errno.to_negative(),
            }
        }
    };
}

rust_validator!(
    rust_cache_invalidate,
    rust_cache_invalidate_raw,
    IommuCacheInvalidateInfo
);
rust_validator!(
    rust_hwpt_invalidate,
    rust_hwpt_invalidate_raw,
    IommuHwptInvalidate
);
