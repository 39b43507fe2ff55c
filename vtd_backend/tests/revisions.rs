//! The runtime and the VT-d model playing an older revision of the schema (issue 17, item 6):
//! the 2020 bind as v5.10's and v5.13's kernels take it, and iommufd as v6.2's, v6.6's and
//! v6.8's do. Each difference asserted here is one the schemas say; nothing else differs.

mod common;

use std::sync::Arc;

use common::*;
use uapigen_bindings::{iommu, iommufd};
use uapigen_runtime::backend::Backend;
use uapigen_runtime::envelope::{op, Container};
use uapigen_runtime::iommufd::Iommufd;
use uapigen_uaccess::Errno;
use vtd_backend::{DeviceConfig, Features, VtdIommu};

const SID: u16 = 0x0310;

fn config() -> DeviceConfig {
    DeviceConfig {
        ats: false,
        ..DeviceConfig::default()
    }
}

/// A VM whose container and iommufd are served by an IOMMU driven as the 2020 uAPI's
/// revision `iommu_rev`, the iommufd playing `iommufd_rev`.
fn vm_at(iommu_rev: usize, iommufd_rev: usize) -> (Arc<VtdIommu>, Container, Iommufd) {
    let iommu = Arc::new(VtdIommu::new(Features::default()).with_iommu_revision(iommu_rev));
    iommu.create_vm(1, 1 << 32).unwrap();
    iommu.assign_device(1, SID, config()).unwrap();
    let backend: Arc<dyn Backend> = iommu.clone();
    let container = Container::new(1, backend.clone());
    let fd = Iommufd::at_revision(1, backend, iommufd_rev);
    (iommu, container, fd)
}

/// `IOMMU_SVA_VTD_GPASID_SRE | IOMMU_SVA_VTD_GPASID_WPE` (bits 0 and 6, REFERENCE §1b).
const SRE_WPE: u64 = 1 | 1 << 6;

#[test]
fn the_2020_bind_refuses_wpe_at_v5_10_and_takes_it_at_v5_13() {
    for (rev, wpe) in [
        (iommu::v5_10::REVISION, false),
        (iommu::v5_13::REVISION, true),
    ] {
        let (iommu, container, _) = vm_at(rev, iommufd::v6_8::REVISION);
        let mem = Mem::new(USER_BASE, 4096);
        // The capability query says what the revision's driver takes.
        assert_eq!(
            container.nesting_info().vendor_flags & (1 << 6) != 0,
            wpe,
            "revision {rev}"
        );
        let pasid = container.alloc_pasid().unwrap();
        mem.write(
            USER_BASE,
            &envelope(
                op::BIND_PGTBL,
                &bind_data(pasid as u64, 0x1234_5000, 48, SRE_WPE),
            ),
        );
        let r = container.nesting_op(&mem, USER_BASE);
        let entry = iommu.with_state(|s| s.devices[&SID].pasid_table.entry(pasid).copied());
        if wpe {
            r.unwrap();
            assert!(
                entry.unwrap().wpe(),
                "v5.13 writes WPE into the PASID entry"
            );
        } else {
            let e = r.unwrap_err();
            assert_eq!(e.errno, Errno::EINVAL, "{e}");
            assert!(e.rule.contains("IOMMU_SVA_VTD_GPASID_LAST"), "{e}");
            assert!(entry.is_none(), "a refused bind writes no entry");
        }
        // Without WPE both bind alike.
        let other = container.alloc_pasid().unwrap();
        mem.write(
            USER_BASE,
            &envelope(op::BIND_PGTBL, &bind_data(other as u64, 0x1234_5000, 48, 1)),
        );
        container.nesting_op(&mem, USER_BASE).unwrap();
    }
}

#[test]
fn iommufd_commands_exist_and_copy_as_each_revision_has_them() {
    let v6_2 = iommufd::v6_2::REVISION;
    let v6_6 = iommufd::v6_6::REVISION;
    let v6_8 = iommufd::v6_8::REVISION;
    for rev in [v6_2, v6_6, v6_8] {
        let (_, _, fd) = vm_at(iommu::v5_13::REVISION, rev);
        let mem = Mem::new(USER_BASE, 8192);
        let dev = fd.bind_device(SID).unwrap();
        // IOAS_ALLOC is in every revision.
        mem.write(USER_BASE, &Bytes::new(12).u32(0, 12).0);
        fd.ioctl(&mem, IOMMU_IOAS_ALLOC, USER_BASE).unwrap();
        let ioas = mem.u32_at(USER_BASE + 8);

        // HWPT_ALLOC came in v6.6 (24 bytes), its driver data in v6.7 (40); a command a
        // revision lacks is -ENOTTY before anything is read.
        mem.write(USER_BASE, &hwpt_alloc(0, dev, ioas, 0, 0, 0).0);
        mem.take_touched();
        let r = fd.ioctl(&mem, IOMMU_HWPT_ALLOC, USER_BASE);
        if rev == v6_2 {
            assert_eq!(r.unwrap_err().errno, Errno::ENOTTY);
            assert_eq!(mem.take_touched(), Vec::<u64>::new());
            continue;
        }
        r.unwrap();
        // v6.6 refuses any flag (NEST_PARENT came in v6.7) with -EOPNOTSUPP.
        mem.write(USER_BASE, &hwpt_alloc(1, dev, ioas, 0, 0, 0).0);
        let r = fd.ioctl(&mem, IOMMU_HWPT_ALLOC, USER_BASE);
        if rev == v6_6 {
            assert_eq!(r.unwrap_err().errno, Errno::EOPNOTSUPP);
        } else {
            r.unwrap();
        }
        let parent = mem.u32_at(USER_BASE + 16);
        // A 40-byte command asking for a nested hwpt: past v6.6's 24 bytes, its non-zero
        // data_type is -E2BIG there (copy_struct_from_user); v6.8 allocates it.
        mem.write(USER_BASE + 512, &vtd_s1(1, 0xabc_d000, 48).0);
        mem.write(
            USER_BASE,
            &hwpt_alloc(0, dev, parent, 1, 24, USER_BASE + 512).0,
        );
        let r = fd.ioctl(&mem, IOMMU_HWPT_ALLOC, USER_BASE);
        if rev == v6_6 {
            assert_eq!(r.unwrap_err().errno, Errno::E2BIG);
        } else {
            r.unwrap();
        }
        // HWPT_INVALIDATE came in v6.8.
        mem.write(
            USER_BASE,
            &hwpt_invalidate(mem.u32_at(USER_BASE + 16), USER_BASE + 1024, 0).0,
        );
        mem.take_touched();
        let r = fd.ioctl(&mem, IOMMU_HWPT_INVALIDATE, USER_BASE);
        if rev == v6_6 {
            assert_eq!(r.unwrap_err().errno, Errno::ENOTTY);
            assert_eq!(mem.take_touched(), Vec::<u64>::new());
        } else {
            r.unwrap();
        }
    }
}

/// The reply is `min(user size, the revision's size)` bytes: v6.6's `iommu_hw_info` is 32
/// bytes, v7.1's 40 (`out_capabilities`), so of a 40-byte command v6.6 writes back 32.
#[test]
fn the_reply_is_cut_to_the_revisions_size() {
    for (rev, written) in [(iommufd::v6_6::REVISION, 32), (iommufd::v7_1::REVISION, 40)] {
        let (_, _, fd) = vm_at(iommu::v5_13::REVISION, rev);
        let mem = Mem::new(USER_BASE, 8192);
        let dev = fd.bind_device(SID).unwrap();
        mem.write(USER_BASE, &hw_info(40, dev, 64, USER_BASE + 1024).0);
        mem.written.lock().unwrap().clear();
        fd.ioctl(&mem, IOMMU_GET_HW_INFO, USER_BASE).unwrap();
        let mut reply: Vec<u64> = mem
            .written
            .lock()
            .unwrap()
            .iter()
            .filter(|a| (USER_BASE..USER_BASE + 40).contains(*a))
            .map(|a| a - USER_BASE)
            .collect();
        reply.sort_unstable();
        reply.dedup();
        assert_eq!(reply, (0..written).collect::<Vec<u64>>(), "revision {rev}");
    }
}
