//! The runtime's user/kernel entry points, the VFIO-style envelope (`nesting_op`) and the
//! iommufd ioctls, in any order, on any bytes, over user memory whose mapping ends where the
//! input says and that faults at one chosen byte, against the VT-d model: no panic, no hang,
//! every refusal an errno the kernel returns for these calls.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use uapigen_fuzz::{Call, FaultMem, Input, USER};
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
    // Input: a mode byte, the mapped length, the faulting byte, the number of calls, the calls
    // (17 bytes each), then the user memory's contents: so the calls come first and a short
    // input still makes several.
    let mut inp = Input::new(data);
    let mode = inp.u8();
    let readable = if mode & 2 != 0 { inp.u16() as usize % (MEM + 1) } else { MEM };
    let hole = inp.u16() as usize % MEM;
    let ops = Call::read_all(&mut inp);
    let mut bytes = vec![0u8; MEM];
    let init = inp.bytes(MEM);
    bytes[..init.len()].copy_from_slice(init);
    let mem = FaultMem::with_hole(&bytes, readable, (mode & 4 != 0).then_some(hole));

    let iommu = Arc::new(VtdIommu::new(Features::default()));
    iommu.create_vm(VM, 1 << 32).expect("a fresh model takes a VM");
    let config = DeviceConfig { ats: mode & 1 != 0, ..DeviceConfig::default() };
    iommu.assign_device(VM, SIDS[0], config).expect("a fresh VM takes a device");
    let backend: Arc<dyn Backend> = iommu.clone();
    let container = Container::new(VM, backend.clone());
    let fd = Iommufd::new(VM, backend);

    for op in &ops {
        let arg = USER.wrapping_add(op.off as u64 % (MEM as u64 + 64));
        let r = match op.kind % 8 {
            0 => container.nesting_op(&mem, arg),
            1..=3 => fd.ioctl(&mem, CMDS[op.a as usize % CMDS.len()], arg),
            4 => fd.bind_device(SIDS[op.a as usize % 2]).map(drop),
            5 => fd.attach(op.a as u32 % 8, op.b as u32 % 8),
            6 => match op.a % 3 {
                0 => container.alloc_pasid().map(drop),
                1 => container.free_pasid(op.w % 64),
                _ => container.read_faults(&mem, arg, op.b as usize).map(drop),
            },
            _ => {
                let pasid = (op.a & 1 != 0).then_some(op.w % 64);
                let _ = iommu.translate(SIDS[0], pasid, op.q);
                Ok(())
            }
        };
        if let Err(e) = r {
            assert!(allowed(e.errno), "unexpected errno {:?}: {}", e.errno, e.rule);
        }
    }
});
