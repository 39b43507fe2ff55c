//! Built by tests/rust_vmm.rs against the rust-vmm profile's crates with `validate` and
//! `zerocopy` on, and against the main profile's crate (generated/rust): the same user bytes
//! through both validators must get the same verdict (the copied bytes, or the errno and the
//! rule), and each case must get the verdict it is there for, so agreeing by accepting
//! everything fails too. The revision sizes are held against the main profile's per-revision
//! validators. Prints one line per case; any disagreement panics.

use iommu_bindings as iommu_vmm;
use iommufd_bindings as vmm;
use vfio_bindings::bindings::vfio as vfio_vmm;
use uapigen_bindings::{iommu as iommu_main, iommufd as main, vfio as vfio_main};
use uapigen_uaccess::{bytes_of, Plain, Rejected, UserMemory};
use zerocopy::{FromBytes, IntoBytes};

const BASE: u64 = 0x10_000;

/// User memory holding `bytes` at `BASE`; anything else faults.
struct Mem(Vec<u8>);

impl UserMemory for Mem {
    fn copy_from_user(&self, dst: &mut [u8], addr: u64) -> usize {
        let mut n = 0;
        for (i, d) in dst.iter_mut().enumerate() {
            let at = addr
                .checked_add(i as u64)
                .and_then(|a| a.checked_sub(BASE))
                .and_then(|o| self.0.get(usize::try_from(o).ok()?));
            match at {
                Some(b) => *d = *b,
                None => break,
            }
            n += 1;
        }
        dst.len() - n
    }
}

type Verdict = Result<Vec<u8>, Rejected>;

fn verdict<T: Plain>(r: Result<T, Rejected>) -> Verdict {
    r.map(|v| bytes_of(&v).to_vec())
}

/// Runs both validators over `bytes` (at `BASE`) and checks they agree and that the verdict
/// is an acceptance exactly when `accept`.
fn case(
    name: &str,
    bytes: &[u8],
    accept: bool,
    ours: impl Fn(&Mem) -> Verdict,
    theirs: impl Fn(&Mem) -> Verdict,
) {
    let mem = Mem(bytes.to_vec());
    let (a, b) = (ours(&mem), theirs(&mem));
    let shown = match &a {
        Ok(v) => format!("accepted ({} bytes)", v.len()),
        Err(r) => format!("rejected -{}: {}", r.errno.name(), r.rule),
    };
    println!("{name}: {shown}");
    assert_eq!(
        a, b,
        "{name}: the rust-vmm crate and the main profile disagree"
    );
    assert_eq!(a.is_ok(), accept, "{name}: {shown}, expected otherwise");
}

/// `v`'s bytes and then `tail`.
fn with_tail(v: &[u8], tail: &[u8]) -> Vec<u8> {
    let mut b = v.to_vec();
    b.extend_from_slice(tail);
    b
}

fn main() {
    let mut cases = 0;
    let mut run = |name: &str,
                   bytes: &[u8],
                   accept,
                   ours: &dyn Fn(&Mem) -> Verdict,
                   theirs: &dyn Fn(&Mem) -> Verdict| {
        case(name, bytes, accept, ours, theirs);
        cases += 1;
    };

    // Size convention: `size` first, copy_struct_from_user, then the content rules.
    let ioas_alloc = |m: &Mem| verdict(vmm::iommu_ioas_alloc::copy_from_user(m, BASE));
    let ioas_alloc_main = |m: &Mem| verdict(main::IommuIoasAlloc::copy_from_user(m, BASE));
    let mut a = vmm::iommu_ioas_alloc::default();
    a.size = 12;
    // zerocopy's view of the bindgen type is the bytes the validators read.
    let bytes = a.as_bytes().to_vec();
    assert_eq!(vmm::iommu_ioas_alloc::read_from_bytes(&bytes).unwrap(), a);
    run(
        "iommu_ioas_alloc valid",
        &bytes,
        true,
        &ioas_alloc,
        &ioas_alloc_main,
    );
    a.size = 8;
    run(
        "iommu_ioas_alloc size below MIN_SIZE",
        a.as_bytes(),
        false,
        &ioas_alloc,
        &ioas_alloc_main,
    );
    a.size = 16;
    run(
        "iommu_ioas_alloc longer, zero tail",
        &with_tail(a.as_bytes(), &[0; 4]),
        true,
        &ioas_alloc,
        &ioas_alloc_main,
    );
    run(
        "iommu_ioas_alloc longer, non-zero tail",
        &with_tail(a.as_bytes(), &[0, 0, 1, 0]),
        false,
        &ioas_alloc,
        &ioas_alloc_main,
    );
    a.size = 12;
    run(
        "iommu_ioas_alloc cut short by a fault",
        &a.as_bytes()[..8],
        false,
        &ioas_alloc,
        &ioas_alloc_main,
    );

    let inval = |m: &Mem| verdict(vmm::iommu_hwpt_invalidate::copy_from_user(m, BASE));
    let inval_main = |m: &Mem| verdict(main::IommuHwptInvalidate::copy_from_user(m, BASE));
    let mut v = vmm::iommu_hwpt_invalidate {
        size: 32,
        hwpt_id: 3,
        ..Default::default()
    };
    run(
        "iommu_hwpt_invalidate valid",
        v.as_bytes(),
        true,
        &inval,
        &inval_main,
    );
    v.__reserved = 1;
    run(
        "iommu_hwpt_invalidate non-zero __reserved",
        v.as_bytes(),
        false,
        &inval,
        &inval_main,
    );
    v.__reserved = 0;
    v.entry_num = 1;
    run(
        "iommu_hwpt_invalidate entries without data_uptr",
        v.as_bytes(),
        false,
        &inval,
        &inval_main,
    );
    v.data_uptr = 0x2000;
    v.entry_len = 24;
    run(
        "iommu_hwpt_invalidate one entry",
        v.as_bytes(),
        true,
        &inval,
        &inval_main,
    );

    let hwpt = |m: &Mem| verdict(vmm::iommu_hwpt_alloc::copy_from_user(m, BASE));
    let hwpt_main = |m: &Mem| verdict(main::IommuHwptAlloc::copy_from_user(m, BASE));
    let mut h = vmm::iommu_hwpt_alloc {
        size: vmm::iommu_hwpt_alloc::SIZE as u32,
        ..Default::default()
    };
    run(
        "iommu_hwpt_alloc valid",
        h.as_bytes(),
        true,
        &hwpt,
        &hwpt_main,
    );
    h.size = vmm::iommu_hwpt_alloc::MIN_SIZE as u32;
    run(
        "iommu_hwpt_alloc at MIN_SIZE",
        h.as_bytes(),
        true,
        &hwpt,
        &hwpt_main,
    );
    h.size = vmm::iommu_hwpt_alloc::SIZE as u32;
    h.__reserved = 7;
    run(
        "iommu_hwpt_alloc non-zero __reserved",
        h.as_bytes(),
        false,
        &hwpt,
        &hwpt_main,
    );
    h.__reserved = 0;
    h.data_type = vmm::iommu_hwpt_data_type_IOMMU_HWPT_DATA_VTD_S1;
    run(
        "iommu_hwpt_alloc driver data of length 0",
        h.as_bytes(),
        false,
        &hwpt,
        &hwpt_main,
    );

    let map_file = |m: &Mem| verdict(vmm::iommu_ioas_map_file::copy_from_user(m, BASE));
    let map_file_main = |m: &Mem| verdict(main::IommuIoasMapFile::copy_from_user(m, BASE));
    let mut f = vmm::iommu_ioas_map_file {
        size: 40,
        length: 4096,
        ..Default::default()
    };
    f.flags = vmm::iommufd_ioas_map_flags_IOMMU_IOAS_MAP_READABLE;
    run(
        "iommu_ioas_map_file valid",
        f.as_bytes(),
        true,
        &map_file,
        &map_file_main,
    );
    f.flags |= 0x8000;
    run(
        "iommu_ioas_map_file unknown flag",
        f.as_bytes(),
        false,
        &map_file,
        &map_file_main,
    );

    // Driver data: the type and the length come with the command.
    let dt = vmm::iommu_hwpt_vtd_s1_invalidate::DATA_TYPE;
    assert_eq!(dt, main::IommuHwptVtdS1Invalidate::DATA_TYPE);
    let s1 = |t: u32, l: u32| {
        move |m: &Mem| {
            verdict(vmm::iommu_hwpt_vtd_s1_invalidate::copy_from_user(
                m, t, BASE, l,
            ))
        }
    };
    let s1_main = |t: u32, l: u32| {
        move |m: &Mem| {
            verdict(main::IommuHwptVtdS1Invalidate::copy_from_user(
                m, t, BASE, l,
            ))
        }
    };
    let mut e = vmm::iommu_hwpt_vtd_s1_invalidate {
        addr: 0x1000,
        npages: 1,
        ..Default::default()
    };
    e.flags = vmm::iommu_hwpt_vtd_s1_invalidate_flags_IOMMU_VTD_INV_FLAGS_LEAF;
    run(
        "iommu_hwpt_vtd_s1_invalidate valid",
        e.as_bytes(),
        true,
        &s1(dt, 24),
        &s1_main(dt, 24),
    );
    run(
        "iommu_hwpt_vtd_s1_invalidate wrong data type",
        e.as_bytes(),
        false,
        &s1(dt + 1, 24),
        &s1_main(dt + 1, 24),
    );
    run(
        "iommu_hwpt_vtd_s1_invalidate short length",
        e.as_bytes(),
        false,
        &s1(dt, 8),
        &s1_main(dt, 8),
    );
    e.flags |= 0x40;
    run(
        "iommu_hwpt_vtd_s1_invalidate unknown flag",
        e.as_bytes(),
        false,
        &s1(dt, 24),
        &s1_main(dt, 24),
    );

    // argsz convention (linux/iommu.h), and a rule through a union member.
    let resp = |m: &Mem| verdict(iommu_vmm::iommu_page_response::copy_from_user(m, BASE));
    let resp_main = |m: &Mem| verdict(iommu_main::IommuPageResponse::copy_from_user(m, BASE));
    let mut p = iommu_vmm::iommu_page_response {
        argsz: 24,
        version: iommu_vmm::IOMMU_PAGE_RESP_VERSION_1,
        ..Default::default()
    };
    run(
        "iommu_page_response valid",
        p.as_bytes(),
        true,
        &resp,
        &resp_main,
    );
    p.flags = 0x100;
    run(
        "iommu_page_response unknown flag",
        p.as_bytes(),
        false,
        &resp,
        &resp_main,
    );
    p.flags = 0;
    p.argsz = 8;
    run(
        "iommu_page_response argsz below minsz",
        p.as_bytes(),
        false,
        &resp,
        &resp_main,
    );
    p.argsz = 24;
    p.version = 2;
    run(
        "iommu_page_response unknown version",
        p.as_bytes(),
        false,
        &resp,
        &resp_main,
    );

    let cache = |m: &Mem| {
        verdict(iommu_vmm::iommu_cache_invalidate_info::copy_from_user(
            m, BASE,
        ))
    };
    let cache_main = |m: &Mem| {
        verdict(iommu_main::IommuCacheInvalidateInfo::copy_from_user(
            m, BASE,
        ))
    };
    let mut c = iommu_vmm::iommu_cache_invalidate_info {
        argsz: iommu_vmm::iommu_cache_invalidate_info::SIZE as u32,
        version: iommu_vmm::IOMMU_CACHE_INVALIDATE_INFO_VERSION_1,
        cache: iommu_vmm::IOMMU_CACHE_INV_TYPE_IOTLB as u8,
        granularity: iommu_vmm::iommu_inv_granularity_IOMMU_INV_GRANU_ADDR as u8,
        ..Default::default()
    };
    run(
        "iommu_cache_invalidate_info valid",
        bytes_of(&c),
        true,
        &cache,
        &cache_main,
    );
    c.granu.addr_info.flags = 0x80;
    run(
        "iommu_cache_invalidate_info unknown addr_info flag",
        bytes_of(&c),
        false,
        &cache,
        &cache_main,
    );

    // VFIO (vfio-bindings' path, `bindings::vfio`): argsz convention, flag rules.
    let map = |m: &Mem| verdict(vfio_vmm::vfio_iommu_type1_dma_map::copy_from_user(m, BASE));
    let map_main = |m: &Mem| verdict(vfio_main::VfioIommuType1DmaMap::copy_from_user(m, BASE));
    let mut d = vfio_vmm::vfio_iommu_type1_dma_map {
        argsz: 32,
        flags: vfio_vmm::VFIO_DMA_MAP_FLAG_READ | vfio_vmm::VFIO_DMA_MAP_FLAG_WRITE,
        vaddr: 0x7f00_0000,
        iova: 0x1000,
        size: 0x1000,
    };
    run(
        "vfio_iommu_type1_dma_map valid",
        bytes_of(&d),
        true,
        &map,
        &map_main,
    );
    d.flags = 0;
    run(
        "vfio_iommu_type1_dma_map neither READ nor WRITE",
        bytes_of(&d),
        false,
        &map,
        &map_main,
    );
    d.flags = vfio_vmm::VFIO_DMA_MAP_FLAG_VADDR | vfio_vmm::VFIO_DMA_MAP_FLAG_READ;
    run(
        "vfio_iommu_type1_dma_map VADDR with READ",
        bytes_of(&d),
        false,
        &map,
        &map_main,
    );
    d.flags = vfio_vmm::VFIO_DMA_MAP_FLAG_READ | 1 << 7;
    run(
        "vfio_iommu_type1_dma_map unknown flag",
        bytes_of(&d),
        false,
        &map,
        &map_main,
    );
    d.flags = vfio_vmm::VFIO_DMA_MAP_FLAG_READ;
    d.argsz = 16;
    run(
        "vfio_iommu_type1_dma_map argsz below MIN_SIZE",
        bytes_of(&d),
        false,
        &map,
        &map_main,
    );

    let irqs = |m: &Mem| verdict(vfio_vmm::vfio_irq_set::copy_from_user(m, BASE));
    let irqs_main = |m: &Mem| verdict(vfio_main::VfioIrqSet::copy_from_user(m, BASE));
    let mut q = vfio_vmm::vfio_irq_set {
        argsz: 20,
        flags: vfio_vmm::VFIO_IRQ_SET_DATA_NONE | vfio_vmm::VFIO_IRQ_SET_ACTION_TRIGGER,
        index: vfio_vmm::VFIO_PCI_MSIX_IRQ_INDEX,
        ..Default::default()
    };
    run("vfio_irq_set valid", bytes_of(&q), true, &irqs, &irqs_main);
    q.flags = vfio_vmm::VFIO_IRQ_SET_DATA_BOOL
        | vfio_vmm::VFIO_IRQ_SET_DATA_EVENTFD
        | vfio_vmm::VFIO_IRQ_SET_ACTION_TRIGGER;
    run(
        "vfio_irq_set two data types",
        bytes_of(&q),
        false,
        &irqs,
        &irqs_main,
    );
    q.flags = vfio_vmm::VFIO_IRQ_SET_ACTION_TRIGGER;
    run(
        "vfio_irq_set no data type",
        bytes_of(&q),
        false,
        &irqs,
        &irqs_main,
    );

    // Each struct's size in each revision, against the main profile's validator of that
    // revision (what it copies is that revision's struct): a zeroed struct whose size field
    // says the latest size is valid for most of them.
    use vmm::uapigen::revisions;
    let mut sizes = 0;
    for s in revisions::STRUCTS {
        assert_eq!(revisions::find(s.name), Some(s));
        assert!(
            s.size[..s.since].iter().all(|n| *n == 0),
            "{}: a size before it existed",
            s.name
        );
        let mut bytes = vec![0u8; 4096];
        bytes[..4].copy_from_slice(&(s.size[revisions::LATEST] as u32).to_ne_bytes());
        let mem = Mem(bytes);
        for r in 0..revisions::COUNT {
            let mut dst = [0u8; 4096];
            let got = main::copy_from_user_by_name(s.name, r, &mem, BASE, (0, 0), &mut dst);
            let at = format!("{} in {}", s.name, revisions::ALL[r].id);
            if r < s.since {
                assert!(
                    got.is_none(),
                    "{at}: the main profile validates it before `since`"
                );
            }
            if let Some(Ok(n)) = got {
                assert_eq!(n, s.size[r], "{at}: size");
                sizes += 1;
            }
        }
        assert!(main::copy_from_user_by_name(
            s.name,
            revisions::COUNT,
            &mem,
            BASE,
            (0, 0),
            &mut [0; 8]
        )
        .is_none());
    }
    assert_eq!(
        revisions::find("iommu_hwpt_alloc").unwrap().size[revisions::LATEST],
        ::core::mem::size_of::<vmm::iommu_hwpt_alloc>()
    );
    assert!(
        sizes >= revisions::COUNT,
        "only {sizes} revision sizes could be compared"
    );
    println!("{cases} cases agree; {sizes} revision sizes agree");
}
