//! A fault at every byte of every user copy: the call returns -EFAULT and the backend state
//! (PASID tables, caches, queue, pending requests, faults) is exactly what it was, except
//! where the kernel's own semantics say otherwise: an invalidation array that faults at
//! entry k has handled entries 0..k, and says so in `entry_num`.

mod common;

use common::*;
use uapigen_runtime::envelope::op;
use uapigen_uaccess::Errno;
use vtd_backend::prq::PageRequest;
use vtd_backend::{DeviceConfig, Features, VtdIommu};

const SID: u16 = 0x0200;

struct Fixture {
    iommu: std::sync::Arc<VtdIommu>,
    vm: Vm,
    mem: Mem,
    pasid: u32,
    free_pasid: u32,
}

/// A VM with one bound PASID (cached translations, a pending page request) and one free.
fn fixture() -> Fixture {
    let iommu = iommu(Features::default());
    let vm = vm(
        &iommu,
        1,
        SID,
        DeviceConfig {
            pfsid: SID,
            ..DeviceConfig::default()
        },
    );
    let mem = Mem::new(USER_BASE, 8192);
    let pasid = vm.container.alloc_pasid().unwrap();
    let free_pasid = vm.container.alloc_pasid().unwrap();
    op(
        &vm,
        &mem,
        op::BIND_PGTBL,
        &bind_data(pasid as u64, 0x5000, 48, 0),
    )
    .unwrap();
    for vpn in 0..16 {
        iommu.translate(SID, Some(pasid), vpn << 12).unwrap();
    }
    iommu.page_request(PageRequest {
        rid: SID,
        pasid: Some(pasid),
        grpid: 3,
        last: true,
        ..PageRequest::default()
    });
    mem.take_touched();
    Fixture {
        iommu,
        vm,
        mem,
        pasid,
        free_pasid,
    }
}

type Judge<'a> =
    &'a dyn Fn(&Fixture, u64, Result<(), uapigen_uaccess::Rejected>, &vtd_backend::State);

/// Runs `call` once to learn which bytes it touches, then once per byte with a fault there,
/// each time on a fresh fixture, and hands each result to `judge`.
fn every_byte(
    prepare: &dyn Fn(&Fixture),
    call: &dyn Fn(&Fixture) -> Result<(), uapigen_uaccess::Rejected>,
    judge: Judge,
) -> usize {
    let f = fixture();
    prepare(&f);
    f.mem.take_touched();
    call(&f).expect("the clean run succeeds");
    let touched = f.mem.take_touched();
    assert!(!touched.is_empty());
    for at in &touched {
        let f = fixture();
        prepare(&f);
        let before = f.iommu.state();
        f.mem.set_fault(Some(*at));
        let r = call(&f);
        f.mem.set_fault(None);
        judge(&f, *at, r, &before);
    }
    touched.len()
}

fn unchanged(
    f: &Fixture,
    at: u64,
    r: Result<(), uapigen_uaccess::Rejected>,
    before: &vtd_backend::State,
) {
    assert_eq!(
        r.map_err(|e| e.errno),
        Err(Errno::EFAULT),
        "fault at {at:#x}"
    );
    assert!(
        f.iommu.state() == *before,
        "state changed by a fault at {at:#x}"
    );
}

#[test]
fn envelope_ops_fault_at_every_byte_without_changing_state() {
    let n = every_byte(
        &|_| {},
        &|f| {
            op(
                &f.vm,
                &f.mem,
                op::BIND_PGTBL,
                &bind_data(f.free_pasid as u64, 0x6000, 57, 1),
            )
        },
        &unchanged,
    );
    assert_eq!(n, 8 + 72, "envelope + the whole bind data");
    let n = every_byte(
        &|_| {},
        &|f| {
            op(
                &f.vm,
                &f.mem,
                op::UNBIND_PGTBL,
                &bind_data(f.pasid as u64, 0, 48, 0),
            )
        },
        &unchanged,
    );
    assert_eq!(n, 8 + 72);
    let n = every_byte(
        &|_| {},
        &|f| {
            op(
                &f.vm,
                &f.mem,
                op::CACHE_INVLD,
                &inv_addr(3, f.pasid as u64, 0x2000, 4096, 4, true),
            )
        },
        &unchanged,
    );
    assert_eq!(n, 8 + 56);
    let n = every_byte(
        &|_| {},
        &|f| op(&f.vm, &f.mem, op::PAGE_RESP, &page_response(f.pasid, 3, 0)),
        &unchanged,
    );
    assert_eq!(n, 8 + 24);
}

#[test]
fn reading_faults_keeps_a_record_that_could_not_be_written() {
    every_byte(
        &|_| {},
        &|f| {
            let n = f.vm.container.read_faults(&f.mem, USER_BASE + 4096, 1)?;
            assert_eq!(n, 1);
            Ok(())
        },
        &unchanged,
    );
}

/// Device, IOAS and nest-parent hwpt of the fixture's VM: (dev_id, parent hwpt id).
fn iommufd_parent(f: &Fixture) -> (u32, u32) {
    let (dev, _, parent) = nest_parent(&f.vm, &f.mem, USER_BASE + 6000);
    (dev, parent)
}

fn write_nested_alloc(f: &Fixture, dev: u32, parent: u32) {
    f.mem.write(USER_BASE + 512, &vtd_s1(0, 0x7000, 48).0);
    f.mem.write(
        USER_BASE,
        &hwpt_alloc(0, dev, parent, 1, 24, USER_BASE + 512).0,
    );
}

#[test]
fn hwpt_alloc_faults_at_every_byte_and_leaves_no_domain_behind() {
    let n = every_byte(
        &|f| {
            let (dev, parent) = iommufd_parent(f);
            write_nested_alloc(f, dev, parent);
        },
        &|f| f.vm.fd.ioctl(&f.mem, IOMMU_HWPT_ALLOC, USER_BASE),
        &unchanged,
    );
    assert_eq!(
        n,
        40 + 24,
        "command (read, then written back) + vtd_s1 data"
    );
}

#[test]
fn get_hw_info_faults_at_every_byte() {
    every_byte(
        &|f| {
            let (dev, _) = iommufd_parent(f);
            f.mem
                .write(USER_BASE, &hw_info(32, dev, 40, USER_BASE + 1024).0);
        },
        &|f| f.vm.fd.ioctl(&f.mem, IOMMU_GET_HW_INFO, USER_BASE),
        &unchanged,
    );
}

/// A nested hwpt attached to the device, translations for its RID cached, and an array of
/// four invalidations written: returns the hwpt id.
fn nested_with_array(f: &Fixture, entry_num: u32) -> u32 {
    let (dev, parent) = iommufd_parent(f);
    write_nested_alloc(f, dev, parent);
    f.vm.fd.ioctl(&f.mem, IOMMU_HWPT_ALLOC, USER_BASE).unwrap();
    let hwpt = f.mem.u32_at(USER_BASE + 16);
    f.vm.fd.attach(dev, hwpt).unwrap();
    for vpn in 0..16 {
        f.iommu.translate(SID, None, vpn << 12).unwrap();
    }
    for (i, addr) in [0x1000u64, 0x4000, 0x8000, 0xc000].iter().enumerate() {
        f.mem.write(
            USER_BASE + 2048 + 24 * i as u64,
            &Bytes::new(24).u64(0, *addr).u64(8, 2).0,
        );
    }
    f.mem.write(
        USER_BASE,
        &hwpt_invalidate(hwpt, USER_BASE + 2048, entry_num).0,
    );
    hwpt
}

#[test]
fn an_invalidation_array_faulting_at_entry_k_has_handled_exactly_k_entries() {
    // The state after handling exactly k entries, for k = 0..=4.
    let after: Vec<vtd_backend::State> = (0..=4)
        .map(|k| {
            let f = fixture();
            nested_with_array(&f, k);
            f.vm.fd
                .ioctl(&f.mem, IOMMU_HWPT_INVALIDATE, USER_BASE)
                .unwrap();
            f.iommu.state()
        })
        .collect();
    let n = every_byte(
        &|f| {
            nested_with_array(f, 4);
        },
        &|f| f.vm.fd.ioctl(&f.mem, IOMMU_HWPT_INVALIDATE, USER_BASE),
        &|f, at, r, before| {
            assert_eq!(
                r.map_err(|e| e.errno),
                Err(Errno::EFAULT),
                "fault at {at:#x}"
            );
            let entry = at.checked_sub(USER_BASE + 2048).map(|o| o / 24);
            match entry {
                Some(k) => {
                    assert_eq!(
                        f.mem.u32_at(USER_BASE + 24),
                        k as u32,
                        "entry_num after a fault in entry {k}"
                    );
                    assert!(
                        f.iommu.state() == after[k as usize],
                        "state after a fault in entry {k}"
                    );
                }
                None => {
                    // the command itself: nothing handled, nothing written back
                    assert_eq!(f.mem.u32_at(USER_BASE + 24), 4);
                    assert!(f.iommu.state() == *before);
                }
            }
        },
    );
    assert_eq!(n, 32 + 4 * 24);
    assert!(after[0] != after[4], "the entries do invalidate something");
}
