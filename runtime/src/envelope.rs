//! The 2020 IOMMU uAPI behind a VFIO-style envelope (the seed thread, Alex Williamson,
//! April 2020): `struct { __u32 argsz; __u32 flags; __u8 data[]; }`, the low 16 flag bits
//! naming the payload (partitioned "like we do for DEVICE_FEATURE"), the payload in `data[]`.
//!
//! The envelope is `struct vfio_iommu_type1_nesting_op` of schema/vfio_nesting.toml, copied
//! and checked by its generated validator (argsz at least `offsetofend(flags)`, no flag bit
//! outside the op mask); the payload is handed on as a user pointer and copied by the
//! generated validator of its struct, which reads its own `argsz` ("choice #2"). The payload
//! may not reach past the envelope's `argsz`: the validator reads through a view bounded by
//! it, so the sizes are fetched once and a payload that claims more is refused (-EINVAL).

use std::sync::Arc;

use uapigen_bindings::iommu::{
    self, IommuCacheInvalidateInfo, IommuFault, IommuGpasidBindData, IommuPageResponse,
};
use uapigen_bindings::vfio_nesting::{self, VfioIommuType1NestingOp};
use uapigen_uaccess::{bytes_of, copy_out, Errno, Plain, Rejected, UserMemory, UserMemoryWrite};

use crate::backend::{Backend, NestingInfo, VmId};
use crate::bounded::Bounded;
use crate::revision::copy_at;

/// `offsetofend(envelope, flags)`: the envelope's minimum size.
pub const ENVELOPE_MINSZ: u32 = VfioIommuType1NestingOp::MIN_SIZE as u32;
/// The flag bits that name the payload; the rest must be zero.
pub const NESTING_OP_MASK: u32 = vfio_nesting::VFIO_NESTING_OP_MASK;

/// Payload kinds (the low 16 flag bits): the schema's `VFIO_IOMMU_NESTING_OP_*`.
pub mod op {
    use uapigen_bindings::vfio_nesting as n;
    /// `struct iommu_gpasid_bind_data`: bind a guest page table to a PASID.
    pub const BIND_PGTBL: u32 = n::VFIO_IOMMU_NESTING_OP_BIND_PGTBL;
    /// `struct iommu_gpasid_bind_data`: unbind `hpasid`.
    pub const UNBIND_PGTBL: u32 = n::VFIO_IOMMU_NESTING_OP_UNBIND_PGTBL;
    /// `struct iommu_cache_invalidate_info`.
    pub const CACHE_INVLD: u32 = n::VFIO_IOMMU_NESTING_OP_CACHE_INVLD;
    /// `struct iommu_page_response`.
    pub const PAGE_RESP: u32 = n::VFIO_IOMMU_NESTING_OP_PAGE_RESP;
}

/// Payload `name` at user address `data`, through `view`, as revision `rev` copies it: the
/// newest revision's by `newest`, its validator called directly, an older one's through the
/// generated dispatcher.
fn payload<T: Plain, M: UserMemory + ?Sized>(
    view: &Bounded<'_, M>,
    rev: usize,
    data: u64,
    name: &str,
    newest: impl FnOnce(&mut T, &Bounded<'_, M>) -> Result<(), Rejected>,
) -> Result<T, Rejected> {
    let copied = if rev == iommu::v5_13::REVISION {
        let mut d = T::default();
        newest(&mut d, view).map(|()| Some((d, 0)))
    } else {
        copy_at(iommu::copy_from_user_by_name, name, rev, view, data, (0, 0))
    };
    match copied {
        Ok(Some((d, _))) => Ok(d),
        Ok(None) => Err(Rejected::new(
            Errno::EINVAL,
            "no such payload in the backend's revision",
        )),
        Err(e) if e.errno == Errno::EFAULT && view.overrun.get() => Err(Rejected::new(
            Errno::EINVAL,
            "the payload's argsz reaches past the envelope's argsz",
        )),
        Err(e) => Err(e),
    }
}

/// One VM's VFIO container, as the 2020 uAPI sees it.
pub struct Container {
    vm: VmId,
    backend: Arc<dyn Backend>,
}

impl Container {
    /// VM `vm`'s container, served by `backend`.
    pub fn new(vm: VmId, backend: Arc<dyn Backend>) -> Self {
        Container { vm, backend }
    }

    /// The VM the container belongs to.
    pub fn vm(&self) -> VmId {
        self.vm
    }

    /// The capability query a VMM makes before it starts (iommu.rst "Feature Checking").
    pub fn nesting_info(&self) -> NestingInfo {
        self.backend.nesting_info()
    }

    /// Allocates a PASID in the VM's set.
    pub fn alloc_pasid(&self) -> Result<u32, Rejected> {
        self.backend.alloc_pasid(self.vm)
    }

    /// Frees one of the VM's PASIDs.
    pub fn free_pasid(&self, pasid: u32) -> Result<(), Rejected> {
        self.backend.free_pasid(self.vm, pasid)
    }

    /// The nesting ioctl: reads the envelope at user address `arg`, then the payload its
    /// flags name, and calls the backend.
    pub fn nesting_op<M: UserMemory + ?Sized>(&self, mem: &M, arg: u64) -> Result<(), Rejected> {
        let env = VfioIommuType1NestingOp::copy_from_user(mem, arg)?;
        let (argsz, flags) = (env.argsz, env.flags);
        let data = arg + ENVELOPE_MINSZ as u64;
        let view = Bounded {
            mem,
            end: arg.saturating_add(argsz as u64),
            overrun: Default::default(),
        };
        // Each payload as the backend's revision of the 2020 uAPI copies it.
        let rev = self.backend.iommu_revision();
        match flags & NESTING_OP_MASK {
            op::BIND_PGTBL | op::UNBIND_PGTBL => {
                let d = payload(
                    &view,
                    rev,
                    data,
                    "iommu_gpasid_bind_data",
                    |d: &mut IommuGpasidBindData, v| d.copy_from_user_into(v, data),
                )?;
                if flags & NESTING_OP_MASK == op::BIND_PGTBL {
                    self.backend.bind_gpasid(self.vm, &d)
                } else {
                    self.backend.unbind_gpasid(self.vm, d.hpasid)
                }
            }
            op::CACHE_INVLD => {
                let d = payload(
                    &view,
                    rev,
                    data,
                    "iommu_cache_invalidate_info",
                    |d: &mut IommuCacheInvalidateInfo, v| d.copy_from_user_into(v, data),
                )?;
                self.backend.cache_invalidate(self.vm, &d)
            }
            op::PAGE_RESP => {
                let d = payload(
                    &view,
                    rev,
                    data,
                    "iommu_page_response",
                    |d: &mut IommuPageResponse, v| d.copy_from_user_into(v, data),
                )?;
                self.backend.page_response(self.vm, &d)
            }
            _ => Err(Rejected::new(Errno::EINVAL, "unknown envelope op")),
        }
    }

    /// Copies up to `max` pending fault records (`struct iommu_fault`, 64 bytes each) to user
    /// address `buf` and returns how many. A record leaves the queue only once it is written;
    /// a fault on the first record is -EFAULT, on a later one the count so far.
    pub fn read_faults<M: UserMemoryWrite + ?Sized>(
        &self,
        mem: &M,
        buf: u64,
        max: usize,
    ) -> Result<usize, Rejected> {
        let size = core::mem::size_of::<IommuFault>() as u64;
        let mut n = 0;
        while n < max {
            let Some(f) = self.backend.peek_fault(self.vm) else {
                break;
            };
            let at = (n as u64)
                .checked_mul(size)
                .and_then(|o| buf.checked_add(o))
                .ok_or(Rejected::new(Errno::EFAULT, "fault buffer wraps"));
            match at.and_then(|at| {
                copy_out(mem, at, bytes_of(&f))
                    .map_err(|_| Rejected::new(Errno::EFAULT, "copy_to_user of a fault faulted"))
            }) {
                Ok(()) => {
                    self.backend.pop_fault(self.vm);
                    n += 1;
                }
                Err(e) if n == 0 => return Err(e),
                Err(_) => break,
            }
        }
        Ok(n)
    }
}
