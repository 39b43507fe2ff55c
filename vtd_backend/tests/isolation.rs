//! Two VMs on one IOMMU: every attempt by one to bind, unbind, invalidate, answer for or
//! name the other's PASIDs, domains and devices is refused with the kernel's errno, and
//! changes nothing.

mod common;

use common::*;
use uapigen_runtime::envelope::op;
use uapigen_uaccess::Errno;
use vtd_backend::prq::PageRequest;
use vtd_backend::{DeviceConfig, Features};

#[test]
fn one_vm_cannot_touch_anothers_pasids_domains_or_devices() {
    let iommu = iommu(Features::default());
    let a = vm(&iommu, 1, 0x0100, DeviceConfig::default());
    let b = vm(&iommu, 2, 0x0200, DeviceConfig::default());
    let mem = Mem::new(USER_BASE, 8192);
    let pa = a.container.alloc_pasid().unwrap();
    let pa_unbound = a.container.alloc_pasid().unwrap();
    let pb = b.container.alloc_pasid().unwrap();
    op(
        &a,
        &mem,
        op::BIND_PGTBL,
        &bind_data(pa as u64, 0x3000, 48, 0),
    )
    .unwrap();
    op(
        &b,
        &mem,
        op::BIND_PGTBL,
        &bind_data(pb as u64, 0x3000, 48, 0),
    )
    .unwrap();
    for vpn in 0..8 {
        iommu.translate(0x0100, Some(pa), vpn << 12).unwrap();
    }
    iommu.page_request(PageRequest {
        rid: 0x0100,
        pasid: Some(pa),
        grpid: 9,
        last: true,
        ..PageRequest::default()
    });
    // A's nested hwpt through iommufd
    let (dev, ioas, parent) = nest_parent(&a, &mem, USER_BASE);

    let before = iommu.state();
    let refused = |what: &str, r: Result<(), uapigen_uaccess::Rejected>, errno: Errno| {
        assert_eq!(r.map_err(|e| e.errno), Err(errno), "{what}");
        assert!(iommu.state() == before, "{what} changed the state");
    };
    // 2020 uAPI: A's PASIDs are EACCES to B (ioasid_find with B's set)
    refused(
        "bind A's PASID",
        op(
            &b,
            &mem,
            op::BIND_PGTBL,
            &bind_data(pa_unbound as u64, 0x3000, 48, 0),
        ),
        Errno::EACCES,
    );
    refused(
        "bind A's bound PASID",
        op(
            &b,
            &mem,
            op::BIND_PGTBL,
            &bind_data(pa as u64, 0x3000, 48, 0),
        ),
        Errno::EACCES,
    );
    refused(
        "unbind A's PASID",
        op(&b, &mem, op::UNBIND_PGTBL, &bind_data(pa as u64, 0, 48, 0)),
        Errno::EACCES,
    );
    refused(
        "invalidate A's PASID",
        op(&b, &mem, op::CACHE_INVLD, &inv_pasid(1, pa as u64)),
        Errno::EACCES,
    );
    refused(
        "invalidate A's addresses",
        op(
            &b,
            &mem,
            op::CACHE_INVLD,
            &inv_addr(3, pa as u64, 0, 4096, 8, false),
        ),
        Errno::EACCES,
    );
    refused(
        "answer A's page request",
        op(&b, &mem, op::PAGE_RESP, &page_response(pa, 9, 0)),
        Errno::EACCES,
    );
    refused("free A's PASID", b.container.free_pasid(pa), Errno::EACCES);
    refused(
        "an unallocated PASID",
        op(&b, &mem, op::UNBIND_PGTBL, &bind_data(4000, 0, 48, 0)),
        Errno::ENOENT,
    );
    assert_eq!(
        b.container.read_faults(&mem, USER_BASE + 4096, 4).unwrap(),
        0,
        "B sees none of A's faults"
    );
    // iommufd: B cannot bind A's device; A's object ids mean nothing in B's context
    assert_eq!(b.fd.bind_device(0x0100).unwrap_err().errno, Errno::EINVAL);
    mem.write(USER_BASE, &hwpt_invalidate(parent, USER_BASE + 2048, 0).0);
    refused(
        "invalidate A's hwpt",
        b.fd.ioctl(&mem, IOMMU_HWPT_INVALIDATE, USER_BASE),
        Errno::ENOENT,
    );
    mem.write(USER_BASE, &hw_info(32, dev, 24, USER_BASE + 1024).0);
    refused(
        "hw_info of A's device",
        b.fd.ioctl(&mem, IOMMU_GET_HW_INFO, USER_BASE),
        Errno::ENOENT,
    );
    mem.write(USER_BASE, &Bytes::new(8).u32(0, 8).u32(4, parent).0);
    refused(
        "destroy A's hwpt",
        b.fd.ioctl(&mem, IOMMU_DESTROY, USER_BASE),
        Errno::ENOENT,
    );
    mem.write(
        USER_BASE,
        &Bytes::new(40)
            .u32(0, 40)
            .u32(4, 1)
            .u32(8, dev)
            .u32(12, ioas)
            .0,
    );
    refused(
        "allocate on A's IOAS",
        b.fd.ioctl(&mem, IOMMU_HWPT_ALLOC, USER_BASE),
        Errno::ENOENT,
    );
    // B's own operations still work and touch only B
    op(&b, &mem, op::CACHE_INVLD, &inv_pasid(1, pb as u64)).unwrap();
    let after = iommu.state();
    assert_eq!(after.devices[&0x0100], before.devices[&0x0100]);
    assert_eq!(
        after.hw.iotlb, before.hw.iotlb,
        "A's translations survive B's flush"
    );
}
