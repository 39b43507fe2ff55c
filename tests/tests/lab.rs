//! The real-kernel lab (scripts/lab, issue 16): Debian bookworm's stock 6.1 kernel in QEMU, an
//! emulated e1000e bound to vfio-pci behind an emulated Intel IOMMU, asked through
//! lab/guest/vfio_probe (compiled against the generated vfio.h). What the kernel answered is
//! checked against vfio.h's sizes and ids, the generated validators and the generated
//! capability-chain walker. One boot serves every test here.
//!
//! Nothing is skipped: without qemu, the packages or the mirror, every test fails and says why
//! (scripts/setup installs what the lab needs).

use std::sync::OnceLock;

use uapigen_bindings::vfio;
use uapigen_bindings::vfio::uapigen_caps::{walk, CapError};
use uapigen_tests::lab::{self, Lab};
use uapigen_tests::{Mem, BASE};
use uapigen_uaccess::{bytes_of, Errno, Plain};

const EINVAL: i32 = 22;
const EFAULT: i32 = 14;
/// What vfio_probe puts outside argsz, so a kernel write there shows.
const FILL: u8 = 0xa5;
/// e1000e's MSI-X table lives in BAR3 (QEMU's hw/net/e1000e.c), so vfio-pci gives that region
/// a capability chain (VFIO_REGION_INFO_CAP_MSIX_MAPPABLE).
const MSIX_BAR: u32 = vfio::VFIO_PCI_BAR3_REGION_INDEX;

fn with_argsz<T: Plain>(v: &T, argsz: u32, len: usize) -> Vec<u8> {
    let mut b = bytes_of(v).to_vec();
    b.resize(len, 0);
    b[..4].copy_from_slice(&argsz.to_ne_bytes());
    b
}

/// Cases sent through vfio_probe's case file, built from the generated Rust types: (ioctl,
/// user buffer). The buffer ends at a guard page in the guest, so a kernel that believes an
/// argsz larger than the buffer faults (EFAULT) instead of writing past it.
fn file_cases() -> Vec<(&'static str, Vec<u8>)> {
    let info = vfio::VfioDeviceInfo::default();
    let region = vfio::VfioRegionInfo {
        index: MSIX_BAR,
        ..Default::default()
    };
    let iommu = vfio::VfioIommuType1Info::default();
    let (di, ri, ii) = (
        vfio::VfioDeviceInfo::SIZE,
        vfio::VfioRegionInfo::SIZE,
        vfio::VfioIommuType1Info::SIZE,
    );
    vec![
        // argsz one below minsz, then at minsz: the generated validators' boundary.
        (
            "VFIO_DEVICE_GET_INFO",
            with_argsz(&info, vfio::VfioDeviceInfo::MIN_SIZE as u32 - 1, di),
        ),
        (
            "VFIO_DEVICE_GET_INFO",
            with_argsz(&info, vfio::VfioDeviceInfo::MIN_SIZE as u32, di),
        ),
        (
            "VFIO_DEVICE_GET_REGION_INFO",
            with_argsz(&region, vfio::VfioRegionInfo::MIN_SIZE as u32 - 1, ri),
        ),
        (
            "VFIO_DEVICE_GET_REGION_INFO",
            with_argsz(&region, vfio::VfioRegionInfo::MIN_SIZE as u32, ri),
        ),
        // A lying argsz: room for the chain claimed, the struct's size given.
        ("VFIO_DEVICE_GET_REGION_INFO", with_argsz(&region, 4096, ri)),
        ("VFIO_IOMMU_GET_INFO", with_argsz(&iommu, u32::MAX, ii)),
    ]
}

fn lab() -> &'static Lab {
    static LAB: OnceLock<Result<Lab, String>> = OnceLock::new();
    match LAB.get_or_init(|| lab::run(&[], &file_cases())) {
        Ok(lab) => lab,
        Err(e) => panic!("the real-kernel lab did not run: {e}"),
    }
}

#[test]
fn the_guest_is_debian_6_1_with_the_device_behind_vfio_pci() {
    let lab = lab();
    let has = |s: &str| lab.setup.iter().any(|l| l.contains(s));
    assert!(has("kernel 6.1."), "{:?}", lab.setup);
    assert!(has("type1v2=1"), "{:?}", lab.setup);
    assert!(has("container group device ready"), "{:?}", lab.setup);
    // Every built-in sweep ran: 5 argsz values per ioctl and index, plus the re-asks.
    assert!(
        lab.builtin.len() >= 5 * (2 + 10 + 6 + 1),
        "{} cases",
        lab.builtin.len()
    );
}

#[test]
fn device_get_info_refuses_below_minsz_and_writes_only_minsz() {
    let lab = lab();
    let (min, size) = (
        vfio::VfioDeviceInfo::MIN_SIZE as u32,
        vfio::VfioDeviceInfo::SIZE as u32,
    );
    for argsz in [0, min - 1] {
        let c = lab.find("VFIO_DEVICE_GET_INFO", argsz, None);
        assert_eq!((c.ret, c.errno), (-1, EINVAL), "{c:?}");
    }
    let c = lab.find("VFIO_DEVICE_GET_INFO", min, None);
    assert!(c.ok(), "{c:?}");
    let flags = c.u32_at(4);
    assert_ne!(flags & vfio::VFIO_DEVICE_FLAGS_PCI, 0, "{c:?}");
    assert_eq!(
        flags & vfio::VFIO_DEVICE_FLAGS_CAPS,
        0,
        "an x86 PCI device has no info caps"
    );
    assert_eq!(c.u32_at(8), vfio::VFIO_PCI_NUM_REGIONS, "num_regions");
    assert_eq!(
        c.u32_at(12),
        5,
        "num_irqs: VFIO_PCI_NUM_IRQS in 6.1 (INTx, MSI, MSI-X, ERR, REQ)"
    );
    // vfio_pci_core_ioctl's copy_to_user(arg, &info, minsz): nothing past argsz is touched.
    assert!(c.out[min as usize..].iter().all(|&b| b == FILL), "{c:?}");
    let c = lab.find("VFIO_DEVICE_GET_INFO", size, None);
    assert!(
        c.ok() && c.u32_at(16) == 0,
        "cap_offset 0 without caps: {c:?}"
    );
}

#[test]
fn region_info_bounds_and_the_msix_bar_chain() {
    let lab = lab();
    let name = "VFIO_DEVICE_GET_REGION_INFO";
    let min = vfio::VfioRegionInfo::MIN_SIZE as u32;
    let at = std::mem::offset_of!(vfio::VfioRegionInfo, index);
    for i in 0..vfio::VFIO_PCI_VGA_REGION_INDEX {
        let c = lab.find(name, min, Some((at, i)));
        assert!(c.ok(), "region {i}: {c:?}");
        let caps = c.u32_at(4) & vfio::VFIO_REGION_INFO_FLAG_CAPS != 0;
        assert_eq!(caps, i == MSIX_BAR, "only the MSI-X BAR has a chain: {c:?}");
        let c = lab.find(name, min - 1, Some((at, i)));
        assert_eq!(
            (c.ret, c.errno),
            (-1, EINVAL),
            "region {i} below minsz: {c:?}"
        );
    }
    // Index 8 is below num_regions (9) but this is no VGA device: vfio_pci_ioctl_get_region_info
    // refuses it (`if (!vdev->has_vga) return -EINVAL`), as it refuses index 9.
    for i in [vfio::VFIO_PCI_VGA_REGION_INDEX, vfio::VFIO_PCI_NUM_REGIONS] {
        let c = lab.find(name, min, Some((at, i)));
        assert_eq!((c.ret, c.errno), (-1, EINVAL), "region {i}: {c:?}");
    }

    // Too small for the chain: the flag set, cap_offset 0, argsz raised to what it needs; the
    // generated walker says so.
    let short = lab.find(name, min, Some((at, MSIX_BAR)));
    let needed = short.u32_at(0);
    assert_eq!(
        needed,
        min + 8,
        "the chain is one header-only capability: {short:?}"
    );
    assert_eq!(short.u32_at(12), 0, "cap_offset: {short:?}");
    let walked: Vec<_> = walk::<vfio::VfioRegionInfo>(&short.out).collect();
    assert_eq!(walked, vec![Err(CapError::NeedArgsz { argsz: needed })]);

    // With the room it asked for: MSIX_MAPPABLE right after the struct.
    let full = lab.find(name, needed, Some((at, MSIX_BAR)));
    assert!(full.ok() && full.u32_at(12) == min, "{full:?}");
    let caps: Vec<_> = walk::<vfio::VfioRegionInfo>(&full.out)
        .map(|c| c.map(|c| (c.id as u32, c.version, c.offset)))
        .collect();
    assert_eq!(
        caps,
        vec![Ok((vfio::VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 1, min))]
    );
}

#[test]
fn irq_info_counts_and_flags() {
    let lab = lab();
    let name = "VFIO_DEVICE_GET_IRQ_INFO";
    let min = vfio::VfioIrqInfo::MIN_SIZE as u32;
    let at = std::mem::offset_of!(vfio::VfioIrqInfo, index);
    let get = |i: u32| {
        let c = lab.find(name, min, Some((at, i)));
        assert!(c.ok(), "irq {i}: {c:?}");
        (c.u32_at(4), c.u32_at(12))
    };
    use vfio::{VFIO_IRQ_INFO_AUTOMASKED as AUTO, VFIO_IRQ_INFO_EVENTFD as EV};
    use vfio::{VFIO_IRQ_INFO_MASKABLE as MASK, VFIO_IRQ_INFO_NORESIZE as NORESIZE};
    assert_eq!(get(0), (EV | MASK | AUTO, 1), "INTx");
    assert_eq!(get(1), (EV | NORESIZE, 1), "MSI: e1000e's one vector");
    assert_eq!(get(2), (EV | NORESIZE, 5), "MSI-X: e1000e's five vectors");
    for argsz in [0, min - 1] {
        let c = lab.find(name, argsz, Some((at, 0)));
        assert_eq!((c.ret, c.errno), (-1, EINVAL), "{c:?}");
    }
    let c = lab.find(name, min, Some((at, 5)));
    assert_eq!((c.ret, c.errno), (-1, EINVAL), "index num_irqs: {c:?}");
}

#[test]
fn iommu_get_info_asks_for_its_chain_then_the_walker_reads_it() {
    let lab = lab();
    let name = "VFIO_IOMMU_GET_INFO";
    let (min, size) = (
        vfio::VfioIommuType1Info::MIN_SIZE as u32,
        vfio::VfioIommuType1Info::SIZE,
    );
    for argsz in [0, min - 1] {
        let c = lab.find(name, argsz, None);
        assert_eq!((c.ret, c.errno), (-1, EINVAL), "{c:?}");
    }
    let c = lab.find(name, min, None);
    assert!(c.ok(), "{c:?}");
    assert_eq!(
        c.u32_at(4),
        vfio::VFIO_IOMMU_INFO_PGSIZES | vfio::VFIO_IOMMU_INFO_CAPS
    );
    let needed = c.u32_at(0);
    assert!(needed as usize > size, "argsz written back: {c:?}");
    // copy_to_user(arg, &info, min(argsz, sizeof)): cap_offset and pad are past argsz here.
    assert!(c.out[min as usize..].iter().all(|&b| b == FILL), "{c:?}");
    let c = lab.find(name, size as u32, None);
    assert!(
        c.ok() && c.u32_at(0) == needed && c.u32_at(16) == 0,
        "{c:?}"
    );
    assert_eq!(
        walk::<vfio::VfioIommuType1Info>(&c.out).collect::<Vec<_>>(),
        vec![Err(CapError::NeedArgsz { argsz: needed })]
    );

    let full = lab.find(name, needed, None);
    assert!(full.ok() && full.u32_at(16) as usize == size, "{full:?}");
    // The chain as the kernel laid it out, read without the generated walker's checks.
    let mut raw = Vec::new();
    let mut at = full.u32_at(16) as usize;
    while at != 0 && raw.len() < 8 {
        let id = u16::from_ne_bytes(full.out[at..at + 2].try_into().unwrap());
        raw.push((id as u32, at as u32));
        at = full.u32_at(at + 4) as usize;
    }
    // 6.1's vfio_iommu_type1_get_info adds migration, DMA-available, then IOVA ranges.
    let ids: Vec<u32> = raw.iter().map(|&(id, _)| id).collect();
    assert_eq!(
        ids,
        vec![
            vfio::VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION,
            vfio::VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL,
            vfio::VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE
        ]
    );
    // Linux 6.1's vfio_info_cap_add() (drivers/vfio/vfio_main.c:1705) does not round a
    // capability's size up to 8 (7.2's does: `size = ALIGN(size, sizeof(u64))`, line 1577):
    // the 12-byte DMA_AVAIL leaves IOVA_RANGE at a 4-aligned offset. schema/vfio.toml says so
    // (`align_since = "v6_12"`, `align_before = 4`), and the generated walker, which takes
    // what every revision's kernel lays out, reads the whole chain.
    let walked: Vec<_> = walk::<vfio::VfioIommuType1Info>(&full.out)
        .map(|c| c.map(|c| (c.id as u32, c.offset)))
        .collect();
    assert_eq!(raw[2].1 % 8, 4, "IOVA_RANGE's offset: {raw:?}");
    assert_eq!(walked, raw.iter().map(|&r| Ok(r)).collect::<Vec<_>>());

    // The IOVA ranges themselves: the emulated VT-d reserves the interrupt window.
    let (range, tail) = full.out[raw[2].1 as usize..]
        .split_at(std::mem::size_of::<vfio::VfioIommuType1InfoCapIovaRange>());
    let nr = u32::from_ne_bytes(range[8..12].try_into().unwrap());
    assert!(nr >= 2, "nr_iovas {nr}");
    let first_end = u64::from_ne_bytes(tail[8..16].try_into().unwrap());
    assert_eq!(
        first_end, 0xfedf_ffff,
        "the first range ends below the MSI window"
    );
}

/// The generated validator's verdict on the bytes of a case (the kernel's first step).
fn validator(name: &str, bytes: &[u8]) -> Option<Errno> {
    let mem = Mem::new(bytes.to_vec(), bytes.len());
    let r = match name {
        "VFIO_DEVICE_GET_INFO" => vfio::VfioDeviceInfo::copy_from_user(&mem, BASE).err(),
        "VFIO_DEVICE_GET_REGION_INFO" => vfio::VfioRegionInfo::copy_from_user(&mem, BASE).err(),
        "VFIO_IOMMU_GET_INFO" => vfio::VfioIommuType1Info::copy_from_user(&mem, BASE).err(),
        _ => unreachable!("{name}"),
    };
    r.map(|e| e.errno)
}

#[test]
fn case_file_cases_agree_with_the_generated_validators() {
    let lab = lab();
    let sent = file_cases();
    let got: Vec<(i32, Option<i32>)> = lab
        .file
        .iter()
        .zip(&sent)
        .map(|(c, (name, bytes))| {
            assert_eq!(&c.name, name);
            (c.errno, validator(name, bytes).map(|e| e as i32))
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (EINVAL, Some(EINVAL)),
            (0, None),
            (EINVAL, Some(EINVAL)),
            // At minsz the MSI-X BAR's chain does not fit: 0 and the argsz it needs.
            (0, None),
            // The validators accept a large argsz (they read no more than the struct); the
            // kernel then writes the chain where argsz said there was room: a fault.
            (EFAULT, None),
            (EFAULT, None),
        ]
    );
    assert_eq!(
        lab.file[3].u32_at(0),
        vfio::VfioRegionInfo::MIN_SIZE as u32 + 8
    );
}

#[test]
fn dma_map_and_unmap_at_each_argsz() {
    lab::check_dma(lab());
}
