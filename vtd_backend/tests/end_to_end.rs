//! From raw user bytes to descriptor bits: envelope / iommufd bytes → generated validators →
//! VT-d driver model → the queued-invalidation descriptors and PASID-entry bits, checked
//! against values computed here from REFERENCE.md's field positions (§5, §8), and the
//! cached translations each invalidation drops.

mod common;

use common::*;
use uapigen_runtime::envelope::op;
use uapigen_uaccess::Errno;
use vtd_backend::descriptor::QiDesc;
use vtd_backend::{DeviceConfig, Features};

const SID: u16 = 0x0310; // bus 3, devfn 0x10
const PFSID: u16 = 0x0abc;
const QDEP: u16 = 0x15;

fn config(ats: bool) -> DeviceConfig {
    DeviceConfig {
        pfsid: PFSID,
        ats,
        qdep: QDEP,
        ..DeviceConfig::default()
    }
}

// ---- REFERENCE §5 field positions, written out here ----
fn eiotlb(pasid: u64, did: u64, gran: u64, addr: u64, ih: u64, am: u64) -> (u64, u64) {
    let qw0 = (pasid << 32) | (did << 16) | (gran << 4) | 0x6;
    let qw1 = if gran == 2 {
        0
    } else {
        (addr & !0xfff) | (ih << 6) | (am & 0x3f)
    };
    (qw0, qw1)
}
fn pfsid_bits(f: u64) -> u64 {
    ((f & 0xf) << 12) | (((f >> 4) & 0xfff) << 52)
}
fn deiotlb(sid: u64, pasid: u64, qdep: u64, qw1: u64) -> (u64, u64) {
    let qw0 = ((pasid & 0xfffff) << 32)
        | ((sid & 0xffff) << 16)
        | ((qdep & 0x1f) << 4)
        | 0x8
        | pfsid_bits(PFSID as u64);
    (qw0, qw1)
}
fn pc(did: u64, pasid: u64) -> (u64, u64) {
    ((pasid << 32) | (did << 16) | (1 << 4) | 0x7, 0)
}

/// The descriptors after `mark` without the invalidation waits, as (qw0, qw1); asserts a
/// wait (type 5, status write of QI_DONE = 2) follows every other descriptor.
fn flushes(iommu: &vtd_backend::VtdIommu, mark: u64) -> Vec<(u64, u64)> {
    let descs: Vec<QiDesc> = iommu.with_state(|s| s.hw.since(mark));
    let mut out = Vec::new();
    for pair in descs.chunks(2) {
        assert_eq!(
            pair.len(),
            2,
            "every descriptor is followed by its wait: {descs:x?}"
        );
        assert_eq!(pair[1].qw0, (2 << 32) | (1 << 5) | 0x5, "wait descriptor");
        assert_eq!((pair[0].qw2, pair[0].qw3), (0, 0));
        out.push((pair[0].qw0, pair[0].qw1));
    }
    out
}

struct Bound {
    iommu: std::sync::Arc<vtd_backend::VtdIommu>,
    vm: Vm,
    mem: Mem,
    pasid: u32,
    did: u16,
}

fn bound(ats: bool, vtd_flags: u64, addr_width: u32) -> Bound {
    let iommu = iommu(Features::default());
    let vm = vm(&iommu, 1, SID, config(ats));
    let mem = Mem::new(USER_BASE, 4096);
    let pasid = vm.container.alloc_pasid().unwrap();
    op(
        &vm,
        &mem,
        op::BIND_PGTBL,
        &bind_data(pasid as u64, 0x1234_5000, addr_width, vtd_flags),
    )
    .unwrap();
    let did = iommu.with_state(|s| s.devices[&SID].pasid_table.entry(pasid).unwrap().did());
    Bound {
        iommu,
        vm,
        mem,
        pasid,
        did,
    }
}

#[test]
fn bind_writes_the_nested_pasid_entry_and_flushes_it() {
    let iommu = iommu(Features::default());
    let vm = vm(&iommu, 1, SID, config(true));
    let mem = Mem::new(USER_BASE, 4096);
    let pasid = vm.container.alloc_pasid().unwrap();
    let mark = iommu.with_state(|s| s.hw.mark());
    // SRE | EAFE | WPE, 5-level
    op(
        &vm,
        &mem,
        op::BIND_PGTBL,
        &bind_data(pasid as u64, 0x7654_3000, 57, 0b100_0011),
    )
    .unwrap();
    let s = iommu.state();
    let e = s.devices[&SID].pasid_table.entry(pasid).unwrap().val;
    let did = e[1] & 0xffff;
    assert_eq!(e[0] & 1, 1, "P");
    assert_eq!((e[0] >> 6) & 0x7, 3, "PGTT nested");
    assert_eq!(
        e[0] & !0xfff,
        s.paging[&(did as u16)].slptptr,
        "SLPTPTR of the parent"
    );
    assert_eq!((e[0] >> 2) & 0x7, 2, "AW of the parent");
    assert_eq!(e[1] & (1 << 23), 1 << 23, "PWSNP with snoop control");
    assert_eq!(e[2] & 1, 1, "SRE");
    assert_eq!((e[2] >> 2) & 0x3, 1, "FLPM 5-level");
    assert_eq!((e[2] >> 4) & 1, 1, "WPE");
    assert_eq!((e[2] >> 7) & 1, 1, "EAFE");
    assert_eq!(e[2] & !0xfff, 0x7654_3000, "FLPTR");
    assert_eq!(e[1] & 0xffff_ffff_fe00_0000, 0, "no memory-type bits");
    assert!(did >= 2, "DIDs 0 and 1 are reserved");
    // directory entry: present, pointing at a page-aligned table
    let de = s.devices[&SID].pasid_table.dir_entry(pasid);
    assert_eq!(de & 1, 1);
    assert_eq!(
        flushes(&iommu, mark),
        vec![
            pc(did, pasid as u64),
            eiotlb(pasid as u64, did, 2, 0, 0, 0),
            deiotlb(
                SID as u64,
                pasid as u64,
                QDEP as u64,
                (1 << 11) | (((1u64 << 63) - 1) & !0xfff)
            ),
        ]
    );
}

#[test]
fn bind_refuses_what_the_driver_refuses_and_changes_nothing() {
    let cases: &[(Features, u64, u32, u64, Errno)] = &[
        (Features::default(), 0x1000, 47, 0, Errno::EINVAL), // addr_width
        (
            Features {
                five_level: false,
                ..Features::default()
            },
            0x1000,
            57,
            0,
            Errno::EINVAL,
        ),
        (
            Features {
                supervisor_requests: false,
                ..Features::default()
            },
            0x1000,
            48,
            1,
            Errno::EINVAL,
        ),
        (
            Features {
                extended_access_flag: false,
                ..Features::default()
            },
            0x1000,
            48,
            2,
            Errno::EINVAL,
        ),
        (Features::default(), 0x1000, 48, 1 << 2, Errno::EINVAL), // PCD: memory type
        (Features::default(), 0x1000, 48, 1 << 5, Errno::EINVAL), // CD
        (Features::default(), 0x1000, 48, 1 << 7, Errno::EINVAL), // beyond GPASID_LAST
        (Features::default(), 1 << 40, 48, 0, Errno::EINVAL),     // gpgd beyond max_addr
    ];
    for (features, gpgd, aw, flags, errno) in cases {
        let iommu = iommu(*features);
        let vm = vm(&iommu, 1, SID, config(true));
        let mem = Mem::new(USER_BASE, 4096);
        let pasid = vm.container.alloc_pasid().unwrap();
        let before = iommu.state();
        let r = op(
            &vm,
            &mem,
            op::BIND_PGTBL,
            &bind_data(pasid as u64, *gpgd, *aw, *flags),
        );
        assert_eq!(
            r.map_err(|e| e.errno),
            Err(*errno),
            "{features:?} gpgd {gpgd:#x} aw {aw} flags {flags:#x}"
        );
        assert_eq!(iommu.state(), before);
    }
    // hpasid 0, beyond PASID_MAX, not allocated, bound twice
    let b = bound(true, 0, 48);
    let before = b.iommu.state();
    for (hpasid, errno) in [
        (0, Errno::EINVAL),
        (0x10_0000, Errno::EINVAL),
        (77, Errno::ENOENT),
        (b.pasid as u64, Errno::EBUSY),
    ] {
        let r = op(
            &b.vm,
            &b.mem,
            op::BIND_PGTBL,
            &bind_data(hpasid, 0x1000, 48, 0),
        );
        assert_eq!(r.map_err(|e| e.errno), Err(errno), "hpasid {hpasid}");
        assert_eq!(b.iommu.state(), before);
    }
    // format 0 passes the core but not VT-d; argsz 56 passes the core but not VT-d (72)
    let data = bind_data(b.pasid as u64, 0x1000, 48, 0).u32(8, 0);
    assert_eq!(
        op(&b.vm, &b.mem, op::BIND_PGTBL, &data).unwrap_err().errno,
        Errno::EINVAL
    );
    let mut short = bind_data(b.pasid as u64, 0x1000, 48, 0).u32(0, 56);
    short.0.truncate(56);
    let r = op(&b.vm, &b.mem, op::BIND_PGTBL, &short).unwrap_err();
    assert_eq!(
        (r.errno, r.rule),
        (Errno::EINVAL, "argsz < offsetofend(vendor.vtd) (72)")
    );
    assert_eq!(b.iommu.state(), before);
}

/// Fills the IOTLB (and device TLB) with pages 0..64 of `pasid` and of another PASID.
fn populate(b: &Bound, other: u32) {
    for vpn in 0..64u64 {
        assert!(b.iommu.translate(SID, Some(b.pasid), vpn << 12).is_some());
        assert!(b.iommu.translate(SID, Some(other), vpn << 12).is_some());
    }
}

fn cached(b: &Bound, pasid: u32) -> (Vec<u64>, Vec<u64>) {
    b.iommu.with_state(|s| {
        let iotlb = (0..64)
            .filter(|v| s.hw.iotlb.lookup(b.did, pasid, *v).is_some())
            .collect();
        let devtlb = (0..64)
            .filter(|v| s.hw.devtlb.lookup(SID, Some(pasid), *v).is_some())
            .collect();
        (iotlb, devtlb)
    })
}

fn bound_with_other(ats: bool) -> (Bound, u32) {
    let b = bound(ats, 0, 48);
    let other = b.vm.container.alloc_pasid().unwrap();
    op(
        &b.vm,
        &b.mem,
        op::BIND_PGTBL,
        &bind_data(other as u64, 0x9000, 48, 0),
    )
    .unwrap();
    populate(&b, other);
    (b, other)
}

#[test]
fn every_supported_cache_type_and_granularity_gives_the_drivers_descriptors() {
    let all: Vec<u64> = (0..64).collect();
    for ats in [false, true] {
        // IOTLB × PASID: PASID-selective non-global flush; with ATS the device TLB too (addr 0,
        // size order 52: every page).
        let (b, other) = bound_with_other(ats);
        let mark = b.iommu.with_state(|s| s.hw.mark());
        op(
            &b.vm,
            &b.mem,
            op::CACHE_INVLD,
            &inv_pasid(1, b.pasid as u64),
        )
        .unwrap();
        let p = b.pasid as u64;
        let mut want = vec![eiotlb(p, b.did as u64, 2, 0, 0, 0)];
        if ats {
            want.push(deiotlb(
                SID as u64,
                p,
                QDEP as u64,
                (1 << 11) | (((1u64 << 63) - 1) & !0xfff),
            ));
        }
        assert_eq!(flushes(&b.iommu, mark), want, "IOTLB × PASID, ats {ats}");
        assert_eq!(cached(&b, b.pasid), (vec![], vec![]));
        assert_eq!(
            cached(&b, other),
            (all.clone(), if ats { all.clone() } else { vec![] })
        );

        // IOTLB × ADDR: 8 KiB granules × 3 = 6 pages → size order 3 (8 pages), address
        // aligned down to 32 KiB by the AM; LEAF → IH.
        let (b, other) = bound_with_other(ats);
        let mark = b.iommu.with_state(|s| s.hw.mark());
        op(
            &b.vm,
            &b.mem,
            op::CACHE_INVLD,
            &inv_addr(1, b.pasid as u64, 0x1a000, 0x2000, 3, true),
        )
        .unwrap();
        let mut want = vec![eiotlb(p, b.did as u64, 3, 0x18000, 1, 3)];
        if ats {
            // device TLB: address as given, bits 12..14 set, bit 14 clear, S
            want.push(deiotlb(
                SID as u64,
                p,
                QDEP as u64,
                ((0x1a000 | 0x3000) & !0x4000) | (1 << 11),
            ));
        }
        assert_eq!(flushes(&b.iommu, mark), want, "IOTLB × ADDR, ats {ats}");
        let dropped: Vec<u64> = (0x18..0x20).collect();
        let kept: Vec<u64> = all
            .iter()
            .copied()
            .filter(|v| !dropped.contains(v))
            .collect();
        let devtlb_kept: Vec<u64> = all
            .iter()
            .copied()
            .filter(|v| !(0x18..0x20).contains(v))
            .collect();
        assert_eq!(
            cached(&b, b.pasid),
            (kept, if ats { devtlb_kept } else { vec![] })
        );
        assert_eq!(cached(&b, other).0, all);

        // DEV_IOTLB × ADDR: only the device TLB, one page (size order 0: no S bit).
        let (b, other) = bound_with_other(ats);
        let mark = b.iommu.with_state(|s| s.hw.mark());
        op(
            &b.vm,
            &b.mem,
            op::CACHE_INVLD,
            &inv_addr(2, b.pasid as u64, 0x5000, 0x1000, 1, false),
        )
        .unwrap();
        let want = if ats {
            vec![deiotlb(SID as u64, p, QDEP as u64, 0x5000)]
        } else {
            vec![]
        };
        assert_eq!(flushes(&b.iommu, mark), want, "DEV_IOTLB × ADDR, ats {ats}");
        let (iotlb, devtlb) = cached(&b, b.pasid);
        assert_eq!(iotlb, all);
        if ats {
            assert_eq!(
                devtlb,
                all.iter().copied().filter(|v| *v != 5).collect::<Vec<_>>()
            );
        }
        assert_eq!(cached(&b, other).0, all);

        // IOTLB|DEV_IOTLB × ADDR: the IOTLB flush falls through to the device TLB (with ATS),
        // then the DEV_IOTLB bit flushes it again, as v5.10 does.
        let (b, _) = bound_with_other(ats);
        let mark = b.iommu.with_state(|s| s.hw.mark());
        op(
            &b.vm,
            &b.mem,
            op::CACHE_INVLD,
            &inv_addr(3, b.pasid as u64, 0x4000, 0x1000, 2, false),
        )
        .unwrap();
        let dev = deiotlb(SID as u64, p, QDEP as u64, 0x4000 | (1 << 11));
        let want = if ats {
            vec![eiotlb(p, b.did as u64, 3, 0x4000, 0, 1), dev, dev]
        } else {
            vec![eiotlb(p, b.did as u64, 3, 0x4000, 0, 1)]
        };
        assert_eq!(
            flushes(&b.iommu, mark),
            want,
            "IOTLB|DEV_IOTLB × ADDR, ats {ats}"
        );
        assert_eq!(
            cached(&b, b.pasid).0,
            all.iter()
                .copied()
                .filter(|v| !(4..6).contains(v))
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn unsupported_cache_and_granularity_pairs_are_refused_before_any_flush() {
    // v5.10 returns 0 here (and may flush the cache types before the bad one); uapigen
    // returns -EINVAL and flushes nothing.
    let (b, _) = bound_with_other(true);
    let before = b.iommu.state();
    let p = b.pasid as u64;
    for payload in [
        inv_domain(1),
        inv_domain(4),
        inv_pasid(2, p),
        inv_pasid(4, p),
        inv_pasid(3, p),
        inv_addr(5, p, 0, 4096, 1, false), // IOTLB|PASID × ADDR: the core refuses
    ] {
        let r = op(&b.vm, &b.mem, op::CACHE_INVLD, &payload);
        assert_eq!(
            r.map_err(|e| e.errno),
            Err(Errno::EINVAL),
            "{:?}",
            &payload.0[8..10]
        );
        assert_eq!(b.iommu.state(), before);
    }
}

#[test]
fn page_request_becomes_a_fault_record_and_the_response_a_page_group_response() {
    use vtd_backend::prq::PageRequest;
    let b = bound(true, 0, 48);
    let req = PageRequest {
        rid: SID,
        pasid: Some(b.pasid),
        addr: 0x4321_5678,
        read: true,
        write: true,
        grpid: 0x1a5,
        last: true,
        ..PageRequest::default()
    };
    b.iommu.page_request(req);
    // the page request descriptor, from svm.c's page_req_dsc bit fields
    let d = b.iommu.with_state(|s| *s.prq.last().unwrap());
    assert_eq!(
        d[0],
        0x1 | (1 << 8) | ((SID as u64) << 16) | ((b.pasid as u64) << 32)
    );
    assert_eq!(d[1], 0b011 | (1 << 2) | (0x1a5 << 3) | 0x4321_5000);
    // the VMM reads an iommu_fault (REFERENCE §1a: type 0, prm at 8: flags 8, pasid 12,
    // grpid 16, perm 20, addr 24)
    let buf = USER_BASE + 1024;
    assert_eq!(b.vm.container.read_faults(&b.mem, buf, 4).unwrap(), 1);
    assert_eq!(b.mem.u32_at(buf), 2, "IOMMU_FAULT_PAGE_REQ");
    assert_eq!(
        b.mem.u32_at(buf + 8),
        1 | 2 | 8,
        "PASID_VALID | LAST_PAGE | NEEDS_PASID"
    );
    assert_eq!(b.mem.u32_at(buf + 12), b.pasid);
    assert_eq!(b.mem.u32_at(buf + 16), 0x1a5);
    assert_eq!(b.mem.u32_at(buf + 20), 1 | 2, "READ | WRITE");
    assert_eq!(b.mem.u64_at(buf + 24), 0x4321_5000);
    assert_eq!(b.vm.container.read_faults(&b.mem, buf, 4).unwrap(), 0);
    // FAILURE (2) reaches the hardware as VT-d's Response Failure 0xF
    let mark = b.iommu.with_state(|s| s.hw.mark());
    op(
        &b.vm,
        &b.mem,
        op::PAGE_RESP,
        &page_response(b.pasid, 0x1a5, 2),
    )
    .unwrap();
    let qw0 = ((b.pasid as u64) << 32) | ((SID as u64) << 16) | (0xf << 12) | (1 << 4) | 0x9;
    let qw1 = (0x1a5 << 3) | (1 << 2);
    assert_eq!(flushes(&b.iommu, mark), vec![(qw0, qw1)]);
    // answered once: a second response finds nothing pending
    let r = op(
        &b.vm,
        &b.mem,
        op::PAGE_RESP,
        &page_response(b.pasid, 0x1a5, 0),
    );
    assert_eq!(r.unwrap_err().errno, Errno::EINVAL);
}

#[test]
fn page_requests_nobody_can_answer_get_invalid_request() {
    use vtd_backend::prq::PageRequest;
    let b = bound(false, 0, 48);
    let mark = b.iommu.with_state(|s| s.hw.mark());
    b.iommu.page_request(PageRequest {
        rid: SID,
        pasid: Some(999),
        grpid: 7,
        last: true,
        priv_data: Some([0x11, 0x22]),
        ..PageRequest::default()
    });
    let descs = b.iommu.with_state(|s| s.hw.since(mark));
    assert_eq!(
        descs[0].qw0,
        (999 << 32) | ((SID as u64) << 16) | (1 << 12) | (1 << 5) | (1 << 4) | 0x9
    );
    assert_eq!(descs[0].qw1, (7 << 3) | (1 << 2));
    assert_eq!(
        (descs[0].qw2, descs[0].qw3),
        (0x11, 0x22),
        "private data returned"
    );
    assert_eq!(
        b.vm.container
            .read_faults(&b.mem, USER_BASE + 1024, 1)
            .unwrap(),
        0
    );
}

// ---- iommufd ----

pub struct Nested {
    pub iommu: std::sync::Arc<vtd_backend::VtdIommu>,
    pub vm: Vm,
    pub mem: Mem,
    pub hwpt: u32,
    pub did: u16,
}

/// IOAS → nest-parent paging hwpt → nested hwpt with `iommu_hwpt_vtd_s1` → attached.
pub fn nested(ats: bool) -> Nested {
    let iommu = iommu(Features::default());
    let vm = vm(&iommu, 1, SID, config(ats));
    let mem = Mem::new(USER_BASE, 8192);
    let (dev, _, parent) = nest_parent(&vm, &mem, USER_BASE);
    mem.write(USER_BASE + 512, &vtd_s1(1 | 4, 0xabc_d000, 48).0);
    mem.write(
        USER_BASE,
        &hwpt_alloc(0, dev, parent, 1, 24, USER_BASE + 512).0,
    );
    vm.fd.ioctl(&mem, IOMMU_HWPT_ALLOC, USER_BASE).unwrap();
    let hwpt = mem.u32_at(USER_BASE + 16);
    vm.fd.attach(dev, hwpt).unwrap();
    let did = iommu.with_state(|s| s.devices[&SID].pasid_table.entry(0).unwrap().did());
    Nested {
        iommu,
        vm,
        mem,
        hwpt,
        did,
    }
}

/// `iommu_hwpt_invalidate` (32): size 0, hwpt_id 4, data_uptr 8, data_type 16, entry_len 20,
/// entry_num 24, __reserved 28; entries `iommu_hwpt_vtd_s1_invalidate` (24): addr 0,
/// npages 8, flags 16, __reserved 20.
pub fn invalidate(
    n: &Nested,
    entries: &[(u64, u64, u32)],
    arg: u64,
    array: u64,
) -> Result<(), uapigen_uaccess::Rejected> {
    for (i, (addr, npages, flags)) in entries.iter().enumerate() {
        n.mem.write(
            array + 24 * i as u64,
            &Bytes::new(24)
                .u64(0, *addr)
                .u64(8, *npages)
                .u32(16, *flags)
                .0,
        );
    }
    n.mem
        .write(arg, &hwpt_invalidate(n.hwpt, array, entries.len() as u32).0);
    n.vm.fd.ioctl(&n.mem, IOMMU_HWPT_INVALIDATE, arg)
}

#[test]
fn nested_attach_writes_the_rid_pasid_entry() {
    let n = nested(true);
    let e = n
        .iommu
        .with_state(|s| s.devices[&SID].pasid_table.entry(0).unwrap().val);
    assert_eq!(e[0] & 1, 1);
    assert_eq!((e[0] >> 6) & 7, 3);
    assert_eq!(e[2] & 1, 1, "SRE");
    assert_eq!((e[2] >> 4) & 1, 1, "WPE with SRE");
    assert_eq!((e[2] >> 2) & 3, 0, "FLPM 4-level");
    assert_eq!(e[2] & !0xfff, 0xabc_d000);
}

/// From v6.8 a nested domain's PASID entry and flushes carry its own DID, not the parent's
/// (REFERENCE §8; 111bf85c68f6, `did = domain_id_iommu(domain, iommu)`): two nested domains on
/// one parent, each attached to a device, have two DIDs, neither the parent's, and each one's
/// invalidation flushes under its own; one attached nowhere has nothing cached and flushes
/// nothing (`intel_nested_flush_cache` walks the IOMMUs it is attached to).
#[test]
fn nested_domains_carry_their_own_dids() {
    const SID2: u16 = 0x0318;
    let iommu = iommu(Features::default());
    let vm = vm(&iommu, 1, SID, config(false));
    iommu.assign_device(1, SID2, config(false)).unwrap();
    let mem = Mem::new(USER_BASE, 8192);
    let (dev, _, parent) = nest_parent(&vm, &mem, USER_BASE);
    let dev2 = vm.fd.bind_device(SID2).unwrap();
    let nested = || {
        mem.write(USER_BASE + 512, &vtd_s1(0, 0xabc_d000, 48).0);
        mem.write(
            USER_BASE,
            &hwpt_alloc(0, dev, parent, 1, 24, USER_BASE + 512).0,
        );
        vm.fd.ioctl(&mem, IOMMU_HWPT_ALLOC, USER_BASE).unwrap();
        mem.u32_at(USER_BASE + 16)
    };
    let (a, b, idle) = (nested(), nested(), nested());
    vm.fd.attach(dev, a).unwrap();
    vm.fd.attach(dev2, b).unwrap();
    let did_of =
        |sid: u16| iommu.with_state(|s| s.devices[&sid].pasid_table.entry(0).unwrap().did()) as u64;
    let parent_did = match vm.fd.object(parent) {
        Some(uapigen_runtime::iommufd::Object::Paging { domain, .. }) => domain.0 as u64,
        other => panic!("the parent is {other:?}"),
    };
    let (did_a, did_b) = (did_of(SID), did_of(SID2));
    assert!(did_a != did_b && did_a != parent_did && did_b != parent_did);
    assert!(did_a >= 2 && did_b >= 2, "DIDs 0 and 1 are reserved");
    // Everything (addr 0, npages all) of each, and of the one attached nowhere.
    let flush = |hwpt: u32| {
        mem.write(USER_BASE + 2048, &Bytes::new(24).u64(8, u64::MAX).0);
        mem.write(USER_BASE, &hwpt_invalidate(hwpt, USER_BASE + 2048, 1).0);
        let mark = iommu.with_state(|s| s.hw.mark());
        vm.fd.ioctl(&mem, IOMMU_HWPT_INVALIDATE, USER_BASE).unwrap();
        assert_eq!(mem.u32_at(USER_BASE + 24), 1, "entry_num written back");
        flushes(&iommu, mark)
    };
    assert_eq!(flush(a), vec![eiotlb(0, did_a, 2, 0, 0, 0)]);
    assert_eq!(flush(b), vec![eiotlb(0, did_b, 2, 0, 0, 0)]);
    assert_eq!(flush(idle), vec![]);
}

#[test]
fn iommufd_invalidation_arrays_give_the_drivers_descriptors() {
    for ats in [false, true] {
        let n = nested(ats);
        for vpn in 0..64u64 {
            n.iommu.translate(SID, None, vpn << 12).unwrap();
        }
        let mark = n.iommu.with_state(|s| s.hw.mark());
        let entries = [(0x3000, 1, 0), (0x10000, 5, 1), (0, u64::MAX, 0)];
        invalidate(&n, &entries[..2], USER_BASE, USER_BASE + 2048).unwrap();
        assert_eq!(n.mem.u32_at(USER_BASE + 24), 2, "entry_num written back");
        let did = n.did as u64;
        // qi_flush_dev_iotlb (no PASID): sid << 32, qdep << 16, type 3, PFSID split, S = bit 0
        let diotlb = |qw1: u64| {
            (
                ((SID as u64) << 32) | ((QDEP as u64) << 16) | 0x3 | pfsid_bits(PFSID as u64),
                qw1,
            )
        };
        let mut want = vec![eiotlb(0, did, 3, 0x3000, 0, 0)];
        if ats {
            want.push(diotlb(0x3000));
        }
        // 5 pages → AM 3 (8 pages); address 0x10000 is aligned
        want.push(eiotlb(0, did, 3, 0x10000, 1, 3));
        if ats {
            want.push(diotlb((0x10000 | 0x3000) | 1));
        }
        assert_eq!(flushes(&n.iommu, mark), want, "ats {ats}");
        let left: Vec<u64> = n.iommu.with_state(|s| {
            (0..64)
                .filter(|v| s.hw.iotlb.lookup(n.did, 0, *v).is_some())
                .collect()
        });
        let want_left: Vec<u64> = (0..64)
            .filter(|v| *v != 3 && !(0x10..0x18).contains(v))
            .collect();
        assert_eq!(left, want_left);
        // everything
        let mark = n.iommu.with_state(|s| s.hw.mark());
        invalidate(&n, &entries[2..], USER_BASE, USER_BASE + 2048).unwrap();
        let mut want = vec![eiotlb(0, did, 2, 0, 0, 0)];
        if ats {
            want.push(diotlb(((1u64 << 63) - 1) & !0xfff | 1));
        }
        assert_eq!(flushes(&n.iommu, mark), want);
        assert!(n
            .iommu
            .with_state(|s| s.hw.iotlb.is_empty() && s.hw.devtlb.is_empty()));
    }
}

#[test]
fn a_failing_entry_stops_the_array_and_entry_num_counts_the_ones_handled() {
    let cases: &[((u64, u64, u32), Errno)] = &[
        ((0x1001, 1, 0), Errno::EINVAL),        // not 4 KiB aligned
        ((0x1000, u64::MAX, 0), Errno::EINVAL), // everything, but addr != 0
        ((0x1000, 1, 2), Errno::EOPNOTSUPP),    // unknown flag
    ];
    for (bad, errno) in cases {
        let n = nested(true);
        let r = invalidate(
            &n,
            &[(0x1000, 1, 0), (0x2000, 1, 0), *bad, (0x3000, 1, 0)],
            USER_BASE,
            USER_BASE + 2048,
        );
        assert_eq!(r.map_err(|e| e.errno), Err(*errno));
        assert_eq!(
            n.mem.u32_at(USER_BASE + 24),
            2,
            "two handled before {bad:?}"
        );
    }
    // probing: entry_num 0 succeeds and writes 0 back; a wrong data_type is -EINVAL
    let n = nested(true);
    invalidate(&n, &[], USER_BASE, USER_BASE + 2048).unwrap();
    assert_eq!(n.mem.u32_at(USER_BASE + 24), 0);
    n.mem.write(USER_BASE + 16, &7u32.to_le_bytes());
    assert_eq!(
        n.vm.fd
            .ioctl(&n.mem, IOMMU_HWPT_INVALIDATE, USER_BASE)
            .unwrap_err()
            .errno,
        Errno::EINVAL
    );
    // entry_len other than 24 is -EINVAL at the first entry (v6.8's exact-size rule)
    invalidate(&n, &[(0x1000, 1, 0)], USER_BASE, USER_BASE + 2048).unwrap();
    n.mem.write(USER_BASE + 20, &32u32.to_le_bytes());
    assert_eq!(
        n.vm.fd
            .ioctl(&n.mem, IOMMU_HWPT_INVALIDATE, USER_BASE)
            .unwrap_err()
            .errno,
        Errno::EINVAL
    );
    assert_eq!(n.mem.u32_at(USER_BASE + 24), 0);
}

/// v6.8's iommufd_hwpt_invalidate sends its own refusals (`__reserved`, an array without
/// address or entry_len) to its `out:` label, which writes entry_num = 0 back; only a failed
/// copy of the command writes nothing (found against the lab's kernels: tests/lab_sequences.rs).
#[test]
fn the_handlers_refusals_write_entry_num_0_back() {
    let n = nested(true);
    let entries = [(0x1000, 1, 0), (0x2000, 1, 0)];
    for (at, value, errno) in [
        (28, 1u64, Errno::EOPNOTSUPP), // __reserved
        (8, 0, Errno::EINVAL),         // data_uptr
        (20, 0, Errno::EINVAL),        // entry_len
    ] {
        invalidate(&n, &entries, USER_BASE, USER_BASE + 2048).unwrap();
        n.mem.write(USER_BASE + 24, &2u32.to_le_bytes());
        n.mem.write(
            USER_BASE + at,
            &value.to_le_bytes()[..if at == 8 { 8 } else { 4 }],
        );
        let r = n.vm.fd.ioctl(&n.mem, IOMMU_HWPT_INVALIDATE, USER_BASE);
        assert_eq!(r.map_err(|e| e.errno), Err(errno), "byte {at} = {value}");
        assert_eq!(n.mem.u32_at(USER_BASE + 24), 0, "byte {at} = {value}");
    }
    // A size below min_size: the dispatcher refuses before the handler, nothing written.
    n.mem.write(USER_BASE, &16u32.to_le_bytes());
    n.mem.write(USER_BASE + 24, &2u32.to_le_bytes());
    let r = n.vm.fd.ioctl(&n.mem, IOMMU_HWPT_INVALIDATE, USER_BASE);
    assert_eq!(r.map_err(|e| e.errno), Err(Errno::EINVAL));
    assert_eq!(n.mem.u32_at(USER_BASE + 24), 2);
}

/// Object ids come from an `XA_FLAGS_ALLOC1` xarray (iommufd_object_alloc): the lowest free,
/// so a destroyed object's id is handed out again; a pt_id naming nothing is -EINVAL
/// (iommufd_hwpt_alloc).
#[test]
fn ids_are_the_lowest_free_and_an_unknown_pt_id_is_einval() {
    let iommu = iommu(Features::default());
    let vm = vm(&iommu, 1, SID, config(false));
    let mem = Mem::new(USER_BASE, 4096);
    let (dev, ioas, parent) = nest_parent(&vm, &mem, USER_BASE);
    assert_eq!((dev, ioas, parent), (1, 2, 3));
    mem.write(USER_BASE, &Bytes::new(8).u32(0, 8).u32(4, parent).0);
    vm.fd.ioctl(&mem, IOMMU_DESTROY, USER_BASE).unwrap();
    mem.write(USER_BASE, &hwpt_alloc(0, dev, ioas, 0, 0, 0).0);
    vm.fd.ioctl(&mem, IOMMU_HWPT_ALLOC, USER_BASE).unwrap();
    assert_eq!(
        mem.u32_at(USER_BASE + 16),
        parent,
        "the destroyed parent's id again"
    );
    mem.write(USER_BASE, &hwpt_alloc(0, dev, 0x7fff_ffff, 0, 0, 0).0);
    let r = vm.fd.ioctl(&mem, IOMMU_HWPT_ALLOC, USER_BASE);
    assert_eq!(r.map_err(|e| e.errno), Err(Errno::EINVAL));
}

#[test]
fn get_hw_info_returns_the_models_registers() {
    let n = nested(true);
    let info = n.vm.fd.nesting_info();
    // iommu_hw_info v6.8 (32): size 0, flags 4, dev_id 8, data_len 12, data_uptr 16,
    // out_data_type 24, __reserved 28; user buffer of 32 bytes prefilled with 0xff
    n.mem.write(USER_BASE + 1024, &[0xff; 32]);
    n.mem
        .write(USER_BASE, &hw_info(32, 1, 32, USER_BASE + 1024).0);
    n.vm.fd.ioctl(&n.mem, IOMMU_GET_HW_INFO, USER_BASE).unwrap();
    assert_eq!(
        n.mem.u32_at(USER_BASE + 12),
        24,
        "data_len: what the kernel has"
    );
    assert_eq!(
        n.mem.u32_at(USER_BASE + 24),
        1,
        "IOMMU_HW_INFO_TYPE_INTEL_VTD"
    );
    // iommu_hw_info_vtd (24): flags 0, __reserved 4, cap_reg 8, ecap_reg 16
    assert_eq!(n.mem.u64_at(USER_BASE + 1024 + 8), info.cap_reg);
    assert_eq!(n.mem.u64_at(USER_BASE + 1024 + 16), info.ecap_reg);
    assert_eq!(
        n.mem.read(USER_BASE + 1024 + 24, 8),
        vec![0; 8],
        "trailing bytes cleared"
    );
    assert_eq!(info.ecap_reg >> 26 & 1, 1, "ecap_nest");
    assert_eq!(info.cap_reg >> 60 & 1, 1, "5-level");
}

#[test]
fn the_envelope_is_checked_before_its_payload() {
    let b = bound(true, 0, 48);
    let before = b.iommu.state();
    let payload = inv_addr(1, b.pasid as u64, 0, 4096, 1, false);
    let run = |env: Vec<u8>| {
        b.mem.write(USER_BASE, &env);
        b.vm.container
            .nesting_op(&b.mem, USER_BASE)
            .map_err(|e| (e.errno, e.rule))
    };
    let mut env = envelope(op::CACHE_INVLD, &payload);
    env[0..4].copy_from_slice(&7u32.to_le_bytes());
    assert_eq!(
        run(env).unwrap_err().0,
        Errno::EINVAL,
        "argsz below offsetofend(flags)"
    );
    let mut env = envelope(op::CACHE_INVLD, &payload);
    env[4..8].copy_from_slice(&(op::CACHE_INVLD | 1 << 16).to_le_bytes());
    assert_eq!(
        run(env).unwrap_err().0,
        Errno::EINVAL,
        "flags outside the op mask"
    );
    assert_eq!(
        run(envelope(4, &payload)).unwrap_err().0,
        Errno::EINVAL,
        "unknown op"
    );
    // the payload claims 56 bytes, the envelope carries 40 of them
    let mut env = envelope(op::CACHE_INVLD, &payload);
    env[0..4].copy_from_slice(&(8u32 + 40).to_le_bytes());
    assert_eq!(
        run(env).unwrap_err(),
        (
            Errno::EINVAL,
            "the payload's argsz reaches past the envelope's argsz"
        )
    );
    assert_eq!(b.iommu.state(), before);
    // a payload validator's own verdicts come through unchanged: argsz below its minsz
    let short = inv_addr(1, b.pasid as u64, 0, 4096, 1, false).u32(0, 8);
    assert_eq!(
        run(envelope(op::CACHE_INVLD, &short)).unwrap_err(),
        (Errno::EINVAL, "argsz >= minsz (offsetof(granu) = 16)")
    );
    assert_eq!(run(envelope(op::CACHE_INVLD, &payload)), Ok(()));
}

#[test]
fn the_capability_query_reports_what_the_model_supports() {
    use uapigen_runtime::backend::feature;
    let full = iommu(Features::default());
    let v = vm(&full, 1, SID, config(true));
    let info = v.container.nesting_info();
    assert_eq!(info.addr_widths, &[48, 57]);
    assert_eq!(info.pasid_bits, 20);
    assert_eq!(info.features & feature::PAGE_REQUEST, feature::PAGE_REQUEST);
    assert_eq!(info.vendor_flags, 0b100_0011, "SRE | EAFE | WPE");
    let small = iommu(Features {
        five_level: false,
        page_requests: false,
        supervisor_requests: false,
        ..Features::default()
    });
    let v = vm(&small, 1, SID, config(true));
    let info = v.container.nesting_info();
    assert_eq!(info.addr_widths, &[48]);
    assert_eq!(info.features & feature::PAGE_REQUEST, 0);
    assert_eq!(info.vendor_flags, 0b100_0010);
    assert_eq!(info.ecap_reg >> 31 & 1, 0, "ecap_srs clear");
}

#[test]
fn unbind_clears_the_entry_and_drops_exactly_that_pasids_cached_state() {
    let (b, other) = bound_with_other(true);
    let did = b.did;
    let cached_entry = |p: u32| {
        b.iommu
            .with_state(|s| s.hw.pasid_cache.lookup(did, p).is_some())
    };
    assert!(
        cached_entry(b.pasid) && cached_entry(other),
        "translations fetched both PASID entries"
    );
    let mark = b.iommu.with_state(|s| s.hw.mark());
    op(
        &b.vm,
        &b.mem,
        op::UNBIND_PGTBL,
        &bind_data(b.pasid as u64, 0, 48, 0),
    )
    .unwrap();
    let p = b.pasid as u64;
    assert_eq!(
        flushes(&b.iommu, mark),
        vec![
            pc(did as u64, p),
            eiotlb(p, did as u64, 2, 0, 0, 0),
            deiotlb(
                SID as u64,
                p,
                QDEP as u64,
                (1 << 11) | (((1u64 << 63) - 1) & !0xfff)
            ),
        ]
    );
    assert_eq!(
        b.iommu
            .with_state(|s| s.devices[&SID].pasid_table.entry(b.pasid).copied()),
        Some(Default::default())
    );
    assert!(!cached_entry(b.pasid) && cached_entry(other));
    assert_eq!(cached(&b, b.pasid), (vec![], vec![]));
    assert_eq!(cached(&b, other).0.len(), 64);
    assert!(
        b.iommu.translate(SID, Some(b.pasid), 0).is_none(),
        "no translation without the entry"
    );
    // unbinding again is 0, as v5.10's pasid_to_svm_sdev finds nothing to do
    let before = b.iommu.state();
    op(
        &b.vm,
        &b.mem,
        op::UNBIND_PGTBL,
        &bind_data(b.pasid as u64, 0, 48, 0),
    )
    .unwrap();
    assert_eq!(b.iommu.state(), before);
}

/// A nested `IOMMU_HWPT_ALLOC` wrong in several ways fails on the first check v6.8 makes:
/// `iommufd_hwpt_nested_alloc` (the parent is a nest parent: -EINVAL), then
/// `intel_nested_domain_alloc` (the data type: -EOPNOTSUPP), and only then the data is copied
/// (a fault: -EFAULT). The data is not read before the checks pass.
#[test]
fn nested_alloc_checks_come_in_the_kernels_order() {
    let iommu = iommu(Features::default());
    let vm = vm(&iommu, 1, SID, config(true));
    let mem = Mem::new(USER_BASE, 8192);
    let (dev, ioas, parent) = nest_parent(&vm, &mem, USER_BASE);
    mem.write(USER_BASE, &hwpt_alloc(0, dev, ioas, 0, 0, 0).0);
    vm.fd.ioctl(&mem, IOMMU_HWPT_ALLOC, USER_BASE).unwrap();
    let plain = mem.u32_at(USER_BASE + 16);
    // Valid stage-1 data, so only an early read of it could make a wrong request pass.
    let data = USER_BASE + 512;
    mem.write(data, &vtd_s1(0, 0xabc_d000, 48).0);
    let before = iommu.state();
    let alloc = |pt: u32, data_type: u32| {
        mem.write(USER_BASE, &hwpt_alloc(0, dev, pt, data_type, 24, data).0);
        mem.take_touched();
        let r = vm.fd.ioctl(&mem, IOMMU_HWPT_ALLOC, USER_BASE);
        let read_data = mem
            .take_touched()
            .iter()
            .any(|a| (data..data + 24).contains(a));
        (r.map_err(|e| (e.errno, e.rule)), read_data)
    };
    // Not a nest parent, a wrong type and faulting data: the parent decides.
    let (r, read) = alloc(plain, 7);
    assert_eq!(r, Err((Errno::EINVAL, "the parent is not a nest parent")));
    assert!(!read);
    // A nest parent, a wrong type and faulting data: the type decides.
    let (r, read) = alloc(parent, 7);
    assert_eq!(
        r,
        Err((Errno::EOPNOTSUPP, "data_type is not IOMMU_HWPT_DATA_VTD_S1"))
    );
    assert!(!read);
    // Everything right but the data: the copy faults.
    mem.set_fault(Some(data + 20));
    let (r, read) = alloc(parent, 1);
    assert_eq!(r.unwrap_err().0, Errno::EFAULT);
    assert!(read, "the data is read once the checks pass");
    mem.set_fault(None);
    assert_eq!(
        iommu.state(),
        before,
        "a refused allocation changes nothing"
    );
}
