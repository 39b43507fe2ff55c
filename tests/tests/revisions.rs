//! Old user × new kernel and new user × old kernel, with the per-revision modules the
//! generator emits (`iommufd::v6_6::IommuHwptAlloc` is the 24-byte struct of v6.6, and its
//! `copy_from_user` is the v6.6 kernel's).

use uapigen_bindings::{iommu, iommufd};
use uapigen_tests::{Mem, BASE};
use uapigen_uaccess::{bytes_of, Errno, Plain};

fn user<T: Plain>(v: &T, extra: &[u8]) -> Mem {
    let mut b = bytes_of(v).to_vec();
    b.extend_from_slice(extra);
    let n = b.len();
    Mem::new(b, n)
}

#[test]
fn per_revision_sizes_are_the_published_ones() {
    assert_eq!(iommufd::v6_6::IommuHwptAlloc::SIZE, 24);
    assert_eq!(iommufd::v6_7::IommuHwptAlloc::SIZE, 40);
    assert_eq!(iommufd::v6_8::IommuHwptAlloc::SIZE, 40);
    assert_eq!(iommufd::v6_6::IommuHwInfo::SIZE, 32);
    assert_eq!(iommufd::v6_7::IommuHwInfo::SIZE, 40);
    // The dispatcher's min_size never changes (REFERENCE.md §7).
    assert_eq!(iommufd::v6_6::IommuHwptAlloc::MIN_SIZE, 24);
    assert_eq!(iommufd::v6_8::IommuHwptAlloc::MIN_SIZE, 24);
    assert_eq!(iommu::v5_10::IommuGpasidBindData::SIZE, 72);
    assert_eq!(iommu::v5_13::IommuGpasidBindData::SIZE, 72);
}

#[test]
fn old_user_on_new_kernel_is_zero_filled() {
    let old = iommufd::v6_6::IommuHwptAlloc {
        size: 24,
        flags: 0,
        dev_id: 1,
        pt_id: 2,
        out_hwpt_id: 0,
        __reserved: 0,
    };
    let got = iommufd::IommuHwptAlloc::copy_from_user(&user(&old, &[]), BASE).expect("accepted");
    assert_eq!((got.size, got.dev_id, got.pt_id), (24, 1, 2));
    assert_eq!(
        (got.data_type, got.data_len, got.data_uptr),
        (0, 0, 0),
        "missing tail zero-filled"
    );
}

#[test]
fn new_user_on_old_kernel() {
    // Using only what v6.6 knows: the tail is zero, accepted.
    let mut new = iommufd::v6_7::IommuHwptAlloc {
        size: 40,
        dev_id: 1,
        pt_id: 2,
        ..Default::default()
    };
    assert!(iommufd::v6_6::IommuHwptAlloc::copy_from_user(&user(&new, &[]), BASE).is_ok());
    // Using driver data v6.6 does not know: non-zero bytes past its struct, -E2BIG.
    new.data_type = iommufd::IOMMU_HWPT_DATA_VTD_S1;
    new.data_len = 24;
    new.data_uptr = 0x1000;
    let r = iommufd::v6_6::IommuHwptAlloc::copy_from_user(&user(&new, &[]), BASE);
    assert_eq!(r.map_err(|e| e.errno), Err(Errno::E2BIG));
    // The v6.7 kernel takes it.
    assert!(iommufd::v6_7::IommuHwptAlloc::copy_from_user(&user(&new, &[]), BASE).is_ok());
}

#[test]
fn argsz_kernels_ignore_a_newer_tail_but_not_a_newer_flag() {
    let mut info = iommu::v5_13::IommuCacheInvalidateInfo {
        argsz: 64,
        version: iommu::IOMMU_CACHE_INVALIDATE_INFO_VERSION_1,
        cache: iommu::IOMMU_CACHE_INV_TYPE_IOTLB,
        granularity: iommu::IOMMU_INV_GRANU_DOMAIN,
        ..Default::default()
    };
    // A user struct larger than the kernel's: bytes past 56 are never read, whatever they hold.
    let m = user(&info, &[0xff; 8]);
    assert!(iommu::v5_10::IommuCacheInvalidateInfo::copy_from_user(&m, BASE).is_ok());
    assert_eq!(m.read_end(), 56);
    // A cache type the kernel does not know: -EINVAL.
    info.cache |= 0x8;
    let r = iommu::v5_10::IommuCacheInvalidateInfo::copy_from_user(&user(&info, &[]), BASE);
    assert_eq!(r.err().map(|e| e.errno), Some(Errno::EINVAL));
}
