//! The runtime's user/kernel entry points, the VFIO-style envelope (`nesting_op`) and the
//! iommufd ioctls, in any order, on any bytes, over user memory whose mapping ends where the
//! input says and that faults at one chosen byte, against the VT-d model: no panic, no hang,
//! every refusal an errno the kernel returns for these calls.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use uapigen_fuzz::{FaultMem, Input, USER};
use uapigen_runtime::backend::Backend;
use uapigen_runtime::envelope::Container;
use uapigen_runtime::iommufd::Iommufd;
use uapigen_uaccess::Errno;
use vtd_backend::{DeviceConfig, Features, VtdIommu};

const VM: u32 = 1;
const SIDS: [u16; 2] = [0x0200, 0x0300];
/// The iommufd ioctls of v6.8 the model serves, and two it does not.
const CMDS: [u32; 7] = [0x3b80, 0x3b81, 0x3b89, 0x3b8a, 0x3b8d, 0x3b82, 0x3b8e];
const MEM: usize = 4096;

fn allowed(e: Errno) -> bool {
    use Errno::*;
    matches!(
        e,
        EFAULT | EINVAL | E2BIG | EOPNOTSUPP | ENOENT | EBUSY | ENOTTY | ENOSPC | ENOMEM | ENODEV
            | ENOTSUPP
    )
}

fuzz_target!(|data: &[u8]| {
    let mut inp = Input::new(data);
    let features = Features::default();
    let iommu = Arc::new(VtdIommu::new(features));
    iommu.create_vm(VM, 1 << 32).expect("a fresh model takes a VM");
    let ats = inp.u8() & 1 != 0;
    iommu
        .assign_device(VM, SIDS[0], DeviceConfig { ats, ..DeviceConfig::default() })
        .expect("a fresh VM takes a device");
    let backend: Arc<dyn Backend> = iommu.clone();
    let container = Container::new(VM, backend.clone());
    let fd = Iommufd::new(VM, backend);

    let readable = inp.u16() as usize % (MEM + 1);
    let hole = inp.u16() as usize;
    let init = inp.bytes(MEM);
    let mut bytes = vec![0u8; MEM];
    bytes[..init.len()].copy_from_slice(init);
    let mem = FaultMem::with_hole(&bytes, readable, (hole < MEM).then_some(hole));

    for _ in 0..32 {
        let op = inp.u8();
        let arg = USER.wrapping_add(inp.u16() as u64 % (MEM as u64 + 64));
        let r = match op % 8 {
            0 => container.nesting_op(&mem, arg),
            1..=3 => fd.ioctl(&mem, CMDS[inp.u8() as usize % CMDS.len()], arg),
            4 => fd.bind_device(SIDS[inp.u8() as usize % 2]).map(drop),
            5 => fd.attach(inp.u8() as u32 % 8, inp.u8() as u32 % 8),
            6 => match inp.u8() % 3 {
                0 => container.alloc_pasid().map(drop),
                1 => container.free_pasid(inp.u32() % 64),
                _ => container.read_faults(&mem, arg, inp.u8() as usize).map(drop),
            },
            _ => {
                let pasid = inp.u8();
                let _ = iommu.translate(SIDS[0], (pasid & 1 != 0).then_some(pasid as u32 >> 1), inp.u64());
                Ok(())
            }
        };
        if let Err(e) = r {
            assert!(allowed(e.errno), "unexpected errno {:?}: {}", e.errno, e.rule);
        }
        if inp.rest_len() == 0 {
            break;
        }
    }
});
