//! Several vCPU threads invalidate while others bind and unbind: the final state is the one
//! the operations imply, whatever the interleaving.

mod common;

use std::sync::Arc;

use common::*;
use uapigen_runtime::envelope::op;
use uapigen_uaccess::Errno;
use vtd_backend::{DeviceConfig, Features};

#[test]
fn concurrent_invalidations_binds_and_unbinds_end_consistent() {
    let iommu = iommu(Features::default());
    let v = Arc::new(vm(&iommu, 1, 0x0100, DeviceConfig::default()));
    let pasids: Vec<u32> = (0..4).map(|_| v.container.alloc_pasid().unwrap()).collect();
    std::thread::scope(|s| {
        // two binders: each owns two PASIDs and binds/unbinds them 200 times, ending bound
        // for the first and unbound for the second
        for t in 0..2 {
            let (v, iommu, mine) = (v.clone(), iommu.clone(), [pasids[2 * t], pasids[2 * t + 1]]);
            s.spawn(move || {
                let mem = Mem::new(USER_BASE, 4096);
                for round in 0..200 {
                    for p in mine {
                        op(
                            &v,
                            &mem,
                            op::BIND_PGTBL,
                            &bind_data(p as u64, 0x4000 + round * 0x1000, 48, 0),
                        )
                        .unwrap();
                        for vpn in 0..4 {
                            iommu.translate(0x0100, Some(p), vpn << 12).unwrap();
                        }
                        op(&v, &mem, op::UNBIND_PGTBL, &bind_data(p as u64, 0, 48, 0)).unwrap();
                    }
                }
                op(
                    &v,
                    &mem,
                    op::BIND_PGTBL,
                    &bind_data(mine[0] as u64, 0x4000, 48, 0),
                )
                .unwrap();
            });
        }
        // three invalidating vCPUs: every PASID, ADDR and PASID granularity; each call
        // either succeeds or meets nothing wrong with the request itself
        for t in 0..3u64 {
            let (v, iommu, pasids) = (v.clone(), iommu.clone(), pasids.clone());
            s.spawn(move || {
                let mem = Mem::new(USER_BASE, 4096);
                for i in 0..400u64 {
                    let p = pasids[((i + t) % 4) as usize];
                    let r = if i % 2 == 0 {
                        op(
                            &v,
                            &mem,
                            op::CACHE_INVLD,
                            &inv_addr(3, p as u64, (i % 16) << 12, 4096, 2, false),
                        )
                    } else {
                        op(&v, &mem, op::CACHE_INVLD, &inv_pasid(1, p as u64))
                    };
                    assert_eq!(r, Ok(()));
                    let _ = iommu.translate(0x0100, Some(p), (i % 8) << 12);
                }
            });
        }
    });
    let s = iommu.state();
    let dev = &s.devices[&0x0100];
    let want: Vec<u32> = vec![pasids[0], pasids[2]];
    assert_eq!(dev.bound.iter().copied().collect::<Vec<_>>(), want);
    assert_eq!(
        dev.pasid_table.present(),
        want,
        "PASID entries present exactly for the bound PASIDs"
    );
    // no cached translation survives for a PASID whose entry is gone
    for ((_, pasid, _), _) in s.hw.iotlb.iter() {
        assert!(
            want.contains(&pasid),
            "IOTLB entry for unbound PASID {pasid}"
        );
    }
    for p in [pasids[1], pasids[3]] {
        assert_eq!(v.container.free_pasid(p), Ok(()));
    }
    assert_eq!(
        v.container.free_pasid(pasids[0]).unwrap_err().errno,
        Errno::EBUSY
    );
}
