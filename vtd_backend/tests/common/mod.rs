//! Shared by the end-to-end tests: a user address space that can fault at any byte, byte
//! builders that lay structs out from REFERENCE.md's offsets (not from the generated types,
//! so a wrong generated layout fails here), and a VM fixture.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use uapigen_runtime::backend::{Backend, SourceId, VmId};
use uapigen_runtime::envelope::Container;
use uapigen_runtime::iommufd::Iommufd;
use uapigen_uaccess::{UserMemory, UserMemoryWrite};
use vtd_backend::{DeviceConfig, Features, VtdIommu};

/// User memory: `data` at `base`; `fault_at` makes that one byte unreadable and unwritable. Records the lowest and highest byte touched.
pub struct Mem {
    pub base: u64,
    pub data: Mutex<Vec<u8>>,
    fault_at: Mutex<Option<u64>>,
    pub touched: Mutex<Vec<u64>>,
    /// Every byte address written, in order.
    pub written: Mutex<Vec<u64>>,
}

impl Mem {
    /// Makes byte `at` unreadable and unwritable (`None`: every byte works).
    pub fn set_fault(&self, at: Option<u64>) {
        *self.fault_at.lock().unwrap() = at;
    }

    pub fn new(base: u64, len: usize) -> Mem {
        Mem {
            base,
            data: Mutex::new(vec![0; len]),
            fault_at: Mutex::new(None),
            touched: Mutex::new(Vec::new()),
            written: Mutex::new(Vec::new()),
        }
    }

    pub fn write(&self, addr: u64, bytes: &[u8]) {
        let off = (addr - self.base) as usize;
        self.data.lock().unwrap()[off..off + bytes.len()].copy_from_slice(bytes);
    }

    pub fn read(&self, addr: u64, len: usize) -> Vec<u8> {
        let off = (addr - self.base) as usize;
        self.data.lock().unwrap()[off..off + len].to_vec()
    }

    pub fn u32_at(&self, addr: u64) -> u32 {
        u32::from_ne_bytes(self.read(addr, 4).try_into().unwrap())
    }

    pub fn u64_at(&self, addr: u64) -> u64 {
        u64::from_ne_bytes(self.read(addr, 8).try_into().unwrap())
    }

    fn ok(&self, a: u64) -> bool {
        a >= self.base
            && a - self.base < self.data.lock().unwrap().len() as u64
            && *self.fault_at.lock().unwrap() != Some(a)
    }

    /// Every byte address read or written since the last call, sorted and deduplicated.
    pub fn take_touched(&self) -> Vec<u64> {
        let mut t = std::mem::take(&mut *self.touched.lock().unwrap());
        t.sort_unstable();
        t.dedup();
        t
    }
}

impl UserMemory for Mem {
    fn copy_from_user(&self, dst: &mut [u8], addr: u64) -> usize {
        for (i, d) in dst.iter_mut().enumerate() {
            let a = addr + i as u64;
            if !self.ok(a) {
                return dst.len() - i;
            }
            self.touched.lock().unwrap().push(a);
            *d = self.data.lock().unwrap()[(a - self.base) as usize];
        }
        0
    }
}

impl UserMemoryWrite for Mem {
    fn copy_to_user(&self, addr: u64, src: &[u8]) -> usize {
        for (i, s) in src.iter().enumerate() {
            let a = addr + i as u64;
            if !self.ok(a) {
                return src.len() - i;
            }
            self.touched.lock().unwrap().push(a);
            self.written.lock().unwrap().push(a);
            self.data.lock().unwrap()[(a - self.base) as usize] = *s;
        }
        0
    }
}

/// Little-endian byte image of a struct, filled at REFERENCE.md offsets.
pub struct Bytes(pub Vec<u8>);

impl Bytes {
    pub fn new(len: usize) -> Bytes {
        Bytes(vec![0; len])
    }
    pub fn u8(mut self, off: usize, v: u8) -> Self {
        self.0[off] = v;
        self
    }
    pub fn u32(mut self, off: usize, v: u32) -> Self {
        self.0[off..off + 4].copy_from_slice(&v.to_le_bytes());
        self
    }
    pub fn u64(mut self, off: usize, v: u64) -> Self {
        self.0[off..off + 8].copy_from_slice(&v.to_le_bytes());
        self
    }
}

/// `struct iommu_gpasid_bind_data` (REFERENCE §1b, 72 bytes): argsz 0, version 4, format 8,
/// addr_width 12, flags 16, gpgd 24, hpasid 32, gpasid 40, padding 48, vendor.vtd 56
/// (flags 56, pat 64, emt 68).
pub fn bind_data(hpasid: u64, gpgd: u64, addr_width: u32, vtd_flags: u64) -> Bytes {
    Bytes::new(72)
        .u32(0, 72)
        .u32(4, 1)
        .u32(8, 1)
        .u32(12, addr_width)
        .u64(24, gpgd)
        .u64(32, hpasid)
        .u64(40, hpasid)
        .u64(56, vtd_flags)
}

/// `struct iommu_cache_invalidate_info` (REFERENCE §1b, 56 bytes): argsz 0, version 4,
/// cache 8, granularity 9, padding 10, granu 16: pasid_info {flags 16, archid 20, pasid 24};
/// addr_info {flags 16, archid 20, pasid 24, addr 32, granule_size 40, nb_granules 48}.
pub fn inv_pasid(cache: u8, pasid: u64) -> Bytes {
    Bytes::new(56)
        .u32(0, 56)
        .u32(4, 1)
        .u8(8, cache)
        .u8(9, 1)
        .u32(16, 1)
        .u64(24, pasid)
}

pub fn inv_addr(cache: u8, pasid: u64, addr: u64, granule: u64, n: u64, leaf: bool) -> Bytes {
    Bytes::new(56)
        .u32(0, 56)
        .u32(4, 1)
        .u8(8, cache)
        .u8(9, 2)
        .u32(16, 1 | if leaf { 4 } else { 0 })
        .u64(24, pasid)
        .u64(32, addr)
        .u64(40, granule)
        .u64(48, n)
}

pub fn inv_domain(cache: u8) -> Bytes {
    Bytes::new(56).u32(0, 56).u32(4, 1).u8(8, cache).u8(9, 0)
}

/// `struct iommu_page_response` (REFERENCE §1b, 24 bytes).
pub fn page_response(pasid: u32, grpid: u32, code: u32) -> Bytes {
    Bytes::new(24)
        .u32(0, 24)
        .u32(4, 1)
        .u32(8, 1)
        .u32(12, pasid)
        .u32(16, grpid)
        .u32(20, code)
}

/// The envelope `{argsz, flags, data[]}` around a payload.
pub fn envelope(op: u32, payload: &Bytes) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&(8 + payload.0.len() as u32).to_le_bytes());
    v.extend_from_slice(&op.to_le_bytes());
    v.extend_from_slice(&payload.0);
    v
}

pub const USER_BASE: u64 = 0x10_0000;

/// One VM with one device, a container and an iommufd.
pub struct Vm {
    pub id: VmId,
    pub sid: SourceId,
    pub container: Container,
    pub fd: Iommufd,
}

pub fn iommu(features: Features) -> Arc<VtdIommu> {
    Arc::new(VtdIommu::new(features))
}

pub fn vm(iommu: &Arc<VtdIommu>, id: VmId, sid: SourceId, config: DeviceConfig) -> Vm {
    iommu.create_vm(id, 1 << 32).unwrap();
    iommu.assign_device(id, sid, config).unwrap();
    let backend: Arc<dyn Backend> = iommu.clone();
    Vm {
        id,
        sid,
        container: Container::new(id, backend.clone()),
        fd: Iommufd::new(id, backend),
    }
}

/// Runs an envelope op from fresh user memory.
pub fn op(vm: &Vm, mem: &Mem, op: u32, payload: &Bytes) -> Result<(), uapigen_uaccess::Rejected> {
    mem.write(USER_BASE, &envelope(op, payload));
    vm.container.nesting_op(mem, USER_BASE)
}

/// iommufd ioctl numbers (REFERENCE §7: `_IO(';', nr)` = `0x3b00 | nr`).
pub const IOMMU_DESTROY: u32 = 0x3b80;
pub const IOMMU_IOAS_ALLOC: u32 = 0x3b81;
pub const IOMMU_HWPT_ALLOC: u32 = 0x3b89;
pub const IOMMU_GET_HW_INFO: u32 = 0x3b8a;
pub const IOMMU_HWPT_INVALIDATE: u32 = 0x3b8d;

/// `struct iommu_hwpt_alloc` (40, v6.7+): size 0, flags 4, dev_id 8, pt_id 12, out_hwpt_id 16,
/// __reserved 20, data_type 24, data_len 28, data_uptr 32.
pub fn hwpt_alloc(
    flags: u32,
    dev: u32,
    pt: u32,
    data_type: u32,
    data_len: u32,
    data_uptr: u64,
) -> Bytes {
    Bytes::new(40)
        .u32(0, 40)
        .u32(4, flags)
        .u32(8, dev)
        .u32(12, pt)
        .u32(24, data_type)
        .u32(28, data_len)
        .u64(32, data_uptr)
}

/// `struct iommu_hwpt_invalidate` (32): size 0, hwpt_id 4, data_uptr 8, data_type 16 (VT-d
/// stage 1, 0), entry_len 20 (24), entry_num 24, __reserved 28.
pub fn hwpt_invalidate(hwpt: u32, array: u64, entry_num: u32) -> Bytes {
    Bytes::new(32)
        .u32(0, 32)
        .u32(4, hwpt)
        .u64(8, array)
        .u32(20, 24)
        .u32(24, entry_num)
}

/// `struct iommu_hw_info` of `size` bytes (32 in v6.8, 40 from v6.17): size 0, flags 4,
/// dev_id 8, data_len 12, data_uptr 16.
pub fn hw_info(size: usize, dev: u32, data_len: u32, data_uptr: u64) -> Bytes {
    Bytes::new(size)
        .u32(0, size as u32)
        .u32(8, dev)
        .u32(12, data_len)
        .u64(16, data_uptr)
}

/// `struct iommu_hwpt_vtd_s1` (24): flags 0, pgtbl_addr 8, addr_width 16, __reserved 20.
pub fn vtd_s1(flags: u64, pgtbl_addr: u64, addr_width: u32) -> Bytes {
    Bytes::new(24)
        .u64(0, flags)
        .u64(8, pgtbl_addr)
        .u32(16, addr_width)
}

/// Binds `sid` to the VM's iommufd, allocates an IOAS (`iommu_ioas_alloc` (12): size, flags,
/// out_ioas_id) and a nest-parent paging hwpt on it, using user memory at `at`:
/// (dev_id, ioas_id, parent hwpt_id).
pub fn nest_parent(vm: &Vm, mem: &Mem, at: u64) -> (u32, u32, u32) {
    let dev = vm.fd.bind_device(vm.sid).unwrap();
    mem.write(at, &Bytes::new(12).u32(0, 12).0);
    vm.fd.ioctl(mem, IOMMU_IOAS_ALLOC, at).unwrap();
    let ioas = mem.u32_at(at + 8);
    mem.write(at, &hwpt_alloc(1, dev, ioas, 0, 0, 0).0);
    vm.fd.ioctl(mem, IOMMU_HWPT_ALLOC, at).unwrap();
    (dev, ioas, mem.u32_at(at + 16))
}
