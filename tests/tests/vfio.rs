//! schema/vfio.toml's argsz ioctls, through the generated Rust validators, against what the
//! kernel's handlers do (drivers/vfio/vfio_main.c, device_cdev.c, pci/vfio_pci_core.c,
//! vfio_iommu_type1.c; the handler is named with each case): argsz below minsz, the flag
//! partitions, and the checks that changed between releases (bind's VF token in v6.17,
//! attach/detach's PASID in v6.15).

use uapigen_bindings::vfio;
use uapigen_tests::{Mem, BASE};
use uapigen_uaccess::{bytes_of, Errno, Plain};

fn mem<T: Plain>(v: &T) -> Mem {
    let b = bytes_of(v).to_vec();
    let n = b.len();
    Mem::new(b, n)
}

fn errno<T>(r: Result<T, uapigen_uaccess::Rejected>) -> Option<Errno> {
    r.err().map(|e| e.errno)
}

#[test]
fn argsz_below_minsz_is_einval_and_minsz_is_the_kernels() {
    // vfio_pci_ioctl_get_region_info: minsz = offsetofend(offset), the whole struct.
    assert_eq!(vfio::VfioRegionInfo::MIN_SIZE, 32);
    let mut info = vfio::VfioRegionInfo {
        argsz: 31,
        ..Default::default()
    };
    assert_eq!(
        errno(vfio::VfioRegionInfo::copy_from_user(&mem(&info), BASE)),
        Some(Errno::EINVAL)
    );
    info.argsz = 32;
    assert!(vfio::VfioRegionInfo::copy_from_user(&mem(&info), BASE).is_ok());
    // vfio_pci_ioctl_get_info: offsetofend(num_irqs), not the v6.12 `pad`.
    assert_eq!(vfio::VfioDeviceInfo::MIN_SIZE, 16);
    assert_eq!(vfio::VfioDeviceInfo::SIZE, 24);
    assert_eq!(vfio::v6_1::VfioDeviceInfo::SIZE, 20);
    // vfio_iommu_type1_get_info: offsetofend(iova_pgsizes).
    assert_eq!(vfio::VfioIommuType1Info::MIN_SIZE, 16);
    // vfio_set_irqs_validate_and_prepare: offsetofend(count); data[] follows.
    assert_eq!(vfio::VfioIrqSet::MIN_SIZE, 20);
}

#[test]
fn set_irqs_takes_exactly_one_data_type() {
    let set = |flags: u32| vfio::VfioIrqSet {
        argsz: 20,
        flags,
        ..Default::default()
    };
    let ok = vfio::VFIO_IRQ_SET_DATA_NONE | vfio::VFIO_IRQ_SET_ACTION_TRIGGER;
    assert!(vfio::VfioIrqSet::copy_from_user(&mem(&set(ok)), BASE).is_ok());
    for bad in [
        vfio::VFIO_IRQ_SET_ACTION_TRIGGER,
        vfio::VFIO_IRQ_SET_DATA_NONE | vfio::VFIO_IRQ_SET_DATA_BOOL,
        vfio::VFIO_IRQ_SET_DATA_BOOL | vfio::VFIO_IRQ_SET_DATA_EVENTFD,
        ok | (1 << 6),
    ] {
        assert_eq!(
            errno(vfio::VfioIrqSet::copy_from_user(&mem(&set(bad)), BASE)),
            Some(Errno::EINVAL),
            "flags {bad:#x}"
        );
    }
}

/// GET and SET together only with PROBE (vfio_ioctl_device_feature), then the payload's
/// checks (vfio_check_feature, Linux 7.2.13): MIGRATION is GET-only with an 8-byte struct
/// vfio_device_feature_migration, MIG_DEVICE_STATE GET and SET with an 8-byte struct
/// vfio_device_feature_mig_state; a feature no handler has is -ENOTTY.
#[test]
fn device_feature_get_and_set_only_with_probe() {
    let f = |flags: u32, argsz: u32| vfio::VfioDeviceFeature {
        argsz,
        flags,
        data: [],
    };
    let (get, set, probe) = (
        vfio::VFIO_DEVICE_FEATURE_GET,
        vfio::VFIO_DEVICE_FEATURE_SET,
        vfio::VFIO_DEVICE_FEATURE_PROBE,
    );
    let mig = vfio::VFIO_DEVICE_FEATURE_MIGRATION;
    let state = vfio::VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE;
    for (ok, argsz) in [
        (mig | get, 16),
        (state | get, 16),
        (state | set, 16),
        (state | probe | get | set, 8),
        (mig | probe, 8),
        (mig | probe | get, 8),
    ] {
        assert!(
            vfio::VfioDeviceFeature::copy_from_user(&mem(&f(ok, argsz)), BASE).is_ok(),
            "{ok:#x}"
        );
    }
    for (bad, argsz, e) in [
        (state | get | set, 16, Errno::EINVAL),
        (mig | (1 << 19), 16, Errno::EINVAL),
        (1 << 31, 16, Errno::EINVAL),
        (mig | get, 15, Errno::EINVAL),
        (mig | set, 16, Errno::EINVAL),
        (mig | probe | set, 8, Errno::EINVAL),
        (mig, 16, Errno::EINVAL),
        (0xffff | probe, 8, Errno::ENOTTY),
    ] {
        assert_eq!(
            errno(vfio::VfioDeviceFeature::copy_from_user(
                &mem(&f(bad, argsz)),
                BASE
            )),
            Some(e),
            "{bad:#x}, argsz {argsz}"
        );
    }
    // v6.1's kernel has no DMA_BUF (v7.2): -ENOTTY there, a PROBE succeeds on v7.2's.
    let dma_buf = f(vfio::VFIO_DEVICE_FEATURE_DMA_BUF | probe, 8);
    assert!(vfio::VfioDeviceFeature::copy_from_user(&mem(&dma_buf), BASE).is_ok());
    let old = vfio::v6_1::VfioDeviceFeature {
        argsz: 8,
        flags: dma_buf.flags,
        data: [],
    };
    assert_eq!(
        errno(vfio::v6_1::VfioDeviceFeature::copy_from_user(
            &mem(&old),
            BASE
        )),
        Some(Errno::ENOTTY)
    );
}

#[test]
fn bind_iommufd_takes_the_token_flag_from_v6_17() {
    let b = vfio::VfioDeviceBindIommufd {
        argsz: 24,
        flags: vfio::VFIO_DEVICE_BIND_FLAG_TOKEN,
        iommufd: 3,
        ..Default::default()
    };
    assert!(vfio::VfioDeviceBindIommufd::copy_from_user(&mem(&b), BASE).is_ok());
    let old = vfio::v6_12::VfioDeviceBindIommufd {
        argsz: 16,
        flags: 1,
        iommufd: 3,
        out_devid: 0,
    };
    assert_eq!(
        errno(vfio::v6_12::VfioDeviceBindIommufd::copy_from_user(
            &mem(&old),
            BASE
        )),
        Some(Errno::EINVAL),
        "flags must be 0 before v6.17"
    );
    // `iommufd < 0` is -EINVAL, whatever the release.
    let neg = vfio::VfioDeviceBindIommufd {
        argsz: 24,
        iommufd: -1,
        ..Default::default()
    };
    assert_eq!(
        errno(vfio::VfioDeviceBindIommufd::copy_from_user(
            &mem(&neg),
            BASE
        )),
        Some(Errno::EINVAL)
    );
    let max = vfio::VfioDeviceBindIommufd {
        argsz: 24,
        iommufd: i32::MAX,
        ..Default::default()
    };
    assert!(vfio::VfioDeviceBindIommufd::copy_from_user(&mem(&max), BASE).is_ok());
}

#[test]
fn attach_with_pasid_needs_the_pasid_in_argsz_from_v6_15() {
    let a = |argsz: u32, flags: u32| vfio::VfioDeviceAttachIommufdPt {
        argsz,
        flags,
        pt_id: 7,
        pasid: 5,
    };
    let pasid = vfio::VFIO_DEVICE_ATTACH_PASID;
    assert!(vfio::VfioDeviceAttachIommufdPt::copy_from_user(&mem(&a(12, 0)), BASE).is_ok());
    // vfio_df_ioctl_attach_pt: with the flag, argsz < offsetofend(pasid) is -EINVAL.
    assert_eq!(
        errno(vfio::VfioDeviceAttachIommufdPt::copy_from_user(
            &mem(&a(12, pasid)),
            BASE
        )),
        Some(Errno::EINVAL)
    );
    let got = vfio::VfioDeviceAttachIommufdPt::copy_from_user(&mem(&a(16, pasid)), BASE).unwrap();
    assert_eq!((got.pt_id, got.pasid), (7, 5));
    // v6.12's kernel knows no flag at all.
    let old = vfio::v6_12::VfioDeviceAttachIommufdPt {
        argsz: 12,
        flags: pasid,
        pt_id: 7,
    };
    assert_eq!(
        errno(vfio::v6_12::VfioDeviceAttachIommufdPt::copy_from_user(
            &mem(&old),
            BASE
        )),
        Some(Errno::EINVAL)
    );
}

#[test]
fn dma_map_and_unmap_flag_combinations() {
    let map = |flags: u32| vfio::VfioIommuType1DmaMap {
        argsz: 32,
        flags,
        ..Default::default()
    };
    let (r, w, va) = (
        vfio::VFIO_DMA_MAP_FLAG_READ,
        vfio::VFIO_DMA_MAP_FLAG_WRITE,
        vfio::VFIO_DMA_MAP_FLAG_VADDR,
    );
    for ok in [r, w, r | w, va] {
        assert!(
            vfio::VfioIommuType1DmaMap::copy_from_user(&mem(&map(ok)), BASE).is_ok(),
            "{ok:#x}"
        );
    }
    // vfio_dma_do_map: VADDR with READ/WRITE, or neither, is -EINVAL; so is an unknown flag.
    for bad in [0, va | r, va | w, 1 << 3] {
        assert_eq!(
            errno(vfio::VfioIommuType1DmaMap::copy_from_user(
                &mem(&map(bad)),
                BASE
            )),
            Some(Errno::EINVAL),
            "{bad:#x}"
        );
    }
    let unmap = |flags: u32, iova: u64| vfio::VfioIommuType1DmaUnmap {
        argsz: 24,
        flags,
        iova,
        size: 0,
        data: [],
    };
    let (dirty, all) = (
        vfio::VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP,
        vfio::VFIO_DMA_UNMAP_FLAG_ALL,
    );
    assert!(vfio::VfioIommuType1DmaUnmap::copy_from_user(&mem(&unmap(all, 0)), BASE).is_ok());
    assert!(
        vfio::VfioIommuType1DmaUnmap::copy_from_user(
            &mem(&unmap(all | vfio::VFIO_DMA_UNMAP_FLAG_VADDR, 0)),
            BASE
        )
        .is_ok(),
        "ALL with VADDR is allowed"
    );
    for (bad, iova) in [(all, 0x1000), (dirty | all, 0), (1 << 3, 0)] {
        assert_eq!(
            errno(vfio::VfioIommuType1DmaUnmap::copy_from_user(
                &mem(&unmap(bad, iova)),
                BASE
            )),
            Some(Errno::EINVAL),
            "{bad:#x} iova {iova:#x}"
        );
    }
}

#[test]
fn ioeventfd_takes_one_size_and_fd_from_minus_one() {
    let e = |flags: u32, fd: i32| vfio::VfioDeviceIoeventfd {
        argsz: 32,
        flags,
        fd,
        ..Default::default()
    };
    for size in [1, 2, 4, 8] {
        assert!(vfio::VfioDeviceIoeventfd::copy_from_user(&mem(&e(size, -1)), BASE).is_ok());
    }
    // vfio_pci_ioctl_ioeventfd: hweight8(size) != 1 || fd < -1 is -EINVAL.
    for (flags, fd) in [(0, 3), (3, 3), (0xc, 3), (0x10, 3), (4, -2), (4, i32::MIN)] {
        assert_eq!(
            errno(vfio::VfioDeviceIoeventfd::copy_from_user(
                &mem(&e(flags, fd)),
                BASE
            )),
            Some(Errno::EINVAL),
            "flags {flags:#x} fd {fd}"
        );
    }
}

#[test]
fn dirty_pages_takes_exactly_one_op() {
    let d = |flags: u32| vfio::VfioIommuType1DirtyBitmap {
        argsz: 8,
        flags,
        data: [],
    };
    for ok in [1, 2, 4] {
        assert!(vfio::VfioIommuType1DirtyBitmap::copy_from_user(&mem(&d(ok)), BASE).is_ok());
    }
    for bad in [0, 3, 5, 6, 8] {
        assert_eq!(
            errno(vfio::VfioIommuType1DirtyBitmap::copy_from_user(
                &mem(&d(bad)),
                BASE
            )),
            Some(Errno::EINVAL),
            "{bad:#x}"
        );
    }
}

/// VFIO_IOMMU_GET_INFO's chain as vfio_iommu_type1_get_info builds it (an IOVA range
/// capability with its ranges, then DMA_AVAIL), with the generated builder, and read back
/// with the generated walker as a VMM would: typed capabilities, the ranges behind the first,
/// 8-byte aligned; an argsz too small for the chain gets the size needed and no chain.
#[test]
fn iommu_get_info_capability_chain_builds_and_walks_back() {
    use uapigen_uaccess::bytes_of;
    use vfio::uapigen_caps::{walk, Builder, CapError, Chained, Finished};
    let build = |argsz: u32| {
        let mut scratch = vec![0u8; 256];
        let mut b = Builder::new(vfio::VfioIommuType1Info::CHAIN, &mut scratch);
        let ranges = [
            vfio::VfioIovaRange {
                start: 0,
                end: 0xfedf_ffff,
            },
            vfio::VfioIovaRange {
                start: 0xfef0_0000,
                end: (1 << 48) - 1,
            },
        ];
        let cap = vfio::VfioIommuType1InfoCapIovaRange {
            nr_iovas: 2,
            ..Default::default()
        };
        let tail: Vec<u8> = ranges.iter().flat_map(|r| bytes_of(r).to_vec()).collect();
        b.add_cap(&cap, &tail).unwrap();
        let avail = vfio::VfioIommuType1InfoDmaAvail {
            avail: 65535,
            ..Default::default()
        };
        b.add_cap(&avail, &[]).unwrap();
        let mut info = vfio::VfioIommuType1Info {
            argsz,
            flags: vfio::VFIO_IOMMU_INFO_PGSIZES,
            iova_pgsizes: 0x4000_1000,
            ..Default::default()
        };
        let mut out = vec![0u8; argsz as usize];
        let done = b
            .finish(uapigen_uaccess::bytes_of_mut(&mut info), &mut out)
            .unwrap();
        (done, info, out)
    };
    // 24 + (16 + 2 * 16) + 16 (DMA_AVAIL's 12 bytes, 8-aligned).
    let needed = 24 + 48 + 16;
    let (done, info, out) = build(needed);
    assert_eq!(done, Finished::Fits { len: needed });
    assert_eq!(info.cap_offset, 24);
    assert_ne!(info.flags & vfio::VFIO_IOMMU_INFO_CAPS, 0);
    let caps: Vec<_> = walk::<vfio::VfioIommuType1Info>(&out)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        caps.iter()
            .map(|c| (c.id, c.version, c.offset))
            .collect::<Vec<_>>(),
        [
            (vfio::VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE as u16, 1, 24),
            (vfio::VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL as u16, 1, 72),
        ]
    );
    let (range, tail) = caps[0]
        .get_with_tail::<vfio::VfioIommuType1InfoCapIovaRange>()
        .unwrap();
    assert_eq!(range.nr_iovas, 2);
    assert_eq!(
        &tail[24..32],
        &((1u64 << 48) - 1).to_ne_bytes()[..],
        "the second range's end"
    );
    let avail: vfio::VfioIommuType1InfoDmaAvail = caps[1].get().unwrap();
    assert_eq!(avail.avail, 65535);

    let (done, info, out) = build(24);
    assert_eq!(done, Finished::TooSmall { argsz: needed });
    assert_eq!((info.argsz, info.cap_offset), (needed, 0));
    let steps: Vec<_> = walk::<vfio::VfioIommuType1Info>(&out).collect();
    assert_eq!(steps, vec![Err(CapError::NeedArgsz { argsz: needed })]);
}
