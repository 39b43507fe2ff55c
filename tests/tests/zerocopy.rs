//! The generated types are zerocopy types as generated, with no hand edits: a VMM reads them
//! from bytes and writes them as bytes, and the bytes are the ones the validators' `Plain`
//! view and REFERENCE.md's offsets give.

use uapigen_bindings::iommu::IommuCacheInvalidateInfo;
use uapigen_bindings::iommufd::{v6_8, IommuHwptAlloc, IommuHwptVtdS1Invalidate};
use zerocopy::{FromBytes, IntoBytes};

fn put(bytes: &mut [u8], off: usize, v: &[u8]) {
    bytes[off..off + v.len()].copy_from_slice(v);
}

#[test]
fn a_struct_round_trips_through_bytes() {
    // struct iommu_hwpt_alloc of v6.8 (40 bytes): size 0, flags 4, dev_id 8, pt_id 12,
    // out_hwpt_id 16, __reserved 20, data_type 24, data_len 28, data_uptr 32.
    let mut bytes = [0u8; 40];
    put(&mut bytes, 0, &40u32.to_ne_bytes());
    put(&mut bytes, 4, &1u32.to_ne_bytes());
    put(&mut bytes, 8, &3u32.to_ne_bytes());
    put(&mut bytes, 12, &2u32.to_ne_bytes());
    put(&mut bytes, 24, &1u32.to_ne_bytes());
    put(&mut bytes, 28, &24u32.to_ne_bytes());
    put(&mut bytes, 32, &0x1000u64.to_ne_bytes());
    let a = v6_8::IommuHwptAlloc::read_from_bytes(&bytes).unwrap();
    assert_eq!(
        (
            a.size,
            a.flags,
            a.dev_id,
            a.pt_id,
            a.data_type,
            a.data_len,
            a.data_uptr
        ),
        (40, 1, 3, 2, 1, 24, 0x1000)
    );
    assert_eq!(a.as_bytes(), &bytes);
    assert_eq!(uapigen_uaccess::bytes_of(&a), &bytes);
    // Today's struct is 48 bytes: a 40-byte image is not one.
    assert!(IommuHwptAlloc::read_from_bytes(&bytes).is_err());
    let mut today = [0u8; 48];
    today[..40].copy_from_slice(&bytes);
    assert_eq!(IommuHwptAlloc::read_from_bytes(&today).unwrap().dev_id, 3);
}

#[test]
fn an_array_of_entries_is_a_slice_of_the_type() {
    // IOMMU_HWPT_INVALIDATE's array: entry k's addr at 24 * k.
    let mut bytes = [0u8; 72];
    for k in 0..3 {
        put(&mut bytes, 24 * k, &((k as u64 + 1) << 12).to_ne_bytes());
        put(&mut bytes, 24 * k + 8, &1u64.to_ne_bytes());
    }
    let entries = <[IommuHwptVtdS1Invalidate]>::ref_from_bytes(&bytes).unwrap();
    let addrs: Vec<u64> = entries.iter().map(|e| e.addr).collect();
    assert_eq!(addrs, [0x1000, 0x2000, 0x3000]);
    assert_eq!(entries.as_bytes(), &bytes);
    assert!(<[IommuHwptVtdS1Invalidate]>::ref_from_bytes(&bytes[..70]).is_err());
}

#[test]
fn a_struct_with_a_union_reads_from_bytes() {
    // struct iommu_cache_invalidate_info (56): argsz 0, version 4, cache 8, granularity 9,
    // granu.addr_info at 16 (addr at 32). zerocopy derives IntoBytes on unions only behind a
    // cfg, so these types read from bytes and give theirs through `Plain`.
    let mut bytes = [0u8; 56];
    put(&mut bytes, 0, &56u32.to_ne_bytes());
    put(&mut bytes, 4, &1u32.to_ne_bytes());
    bytes[8] = 1;
    bytes[9] = 2;
    put(&mut bytes, 32, &0x7000u64.to_ne_bytes());
    let info = IommuCacheInvalidateInfo::read_from_bytes(&bytes).unwrap();
    assert_eq!(
        (info.argsz, info.version, info.cache, info.granularity),
        (56, 1, 1, 2)
    );
    // SAFETY: every bit pattern is a valid member of the union.
    assert_eq!(unsafe { info.granu.addr_info.addr }, 0x7000);
    assert_eq!(uapigen_uaccess::bytes_of(&info), &bytes);
}
