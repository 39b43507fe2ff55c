//! What the runtime asks of an IOMMU driver once the user's bytes are copied and validated.
//!
//! Every method gets the calling VM: a backend must refuse anything that names an object
//! (PASID, domain, device) the VM does not own, with the errno the kernel gives.

use uapigen_bindings::iommu::{
    IommuCacheInvalidateInfo, IommuFault, IommuGpasidBindData, IommuPageResponse,
};
use uapigen_bindings::iommufd::{IommuHwInfoVtd, IommuHwptVtdS1, IommuHwptVtdS1Invalidate};
use uapigen_uaccess::Rejected;

/// A VM: one VFIO container / one iommufd context.
pub type VmId = u32;

/// A PCI requester id (bus << 8 | devfn).
pub type SourceId = u16;

/// A second-level (paging) domain the backend created; the VM's guest-physical address space.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PagingDomain(pub u16);

/// A nested (first-level over second-level) domain the backend created.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NestedDomain(pub u32);

/// Nesting features a VMM checks before it starts (iommu.rst "Feature Checking"). The names
/// follow the doc's `IOMMU_NESTING_FEAT_*`, which never reached a mainline header; the bit
/// values are uapigen's.
pub mod feature {
    /// PASIDs are allocated system-wide (the guest uses host PASIDs).
    pub const SYSWIDE_PASID: u32 = 1 << 0;
    /// A guest page table can be bound to a PASID (`BIND_PGTBL`).
    pub const BIND_PGTBL: u32 = 1 << 1;
    /// A guest PASID table can be bound (not offered by VT-d).
    pub const BIND_PASID_TABLE: u32 = 1 << 2;
    /// Cache invalidations are passed down (`CACHE_INVLD`).
    pub const CACHE_INVLD: u32 = 1 << 3;
    /// Page requests are reported and answered (`PAGE_REQUEST`).
    pub const PAGE_REQUEST: u32 = 1 << 4;
}

/// The answer to the capability query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NestingInfo {
    /// `feature::*` bits.
    pub features: u32,
    /// `IOMMU_PASID_FORMAT_*` of the bind data the backend accepts.
    pub format: u32,
    /// First-level address widths accepted: 48, and 57 when 5-level paging is supported.
    pub addr_widths: &'static [u32],
    /// PASID width in bits.
    pub pasid_bits: u32,
    /// The vendor bind flags (`IOMMU_SVA_VTD_GPASID_*`) accepted.
    pub vendor_flags: u64,
    /// The hardware's capability register (`iommu_hw_info_vtd.cap_reg`).
    pub cap_reg: u64,
    /// The hardware's extended capability register (`iommu_hw_info_vtd.ecap_reg`).
    pub ecap_reg: u64,
}

/// An IOMMU driver behind the uAPI. The runtime has copied and validated every argument
/// with the generated validators; the backend applies the driver's own checks, in the
/// driver's order, and leaves its state unchanged whenever it returns an error.
pub trait Backend: Send + Sync {
    /// The 2020 uAPI's revision the driver plays (an index of schema/iommu.toml's, as
    /// `iommu::v5_10::REVISION`): the container copies the payloads as that revision's kernel
    /// does. The newest by default.
    fn iommu_revision(&self) -> usize {
        uapigen_bindings::iommu::v5_13::REVISION
    }

    /// What the IOMMU supports, for the VMM's capability query.
    fn nesting_info(&self) -> NestingInfo;

    /// Whether `sid` is assigned to `vm`.
    fn owns_device(&self, vm: VmId, sid: SourceId) -> bool;

    /// Allocates a PASID for `vm` (the out-of-tree `VFIO_IOMMU_PASID_REQUEST`, `ioasid_alloc`).
    fn alloc_pasid(&self, vm: VmId) -> Result<u32, Rejected>;
    /// Frees one of `vm`'s PASIDs; a bound PASID is refused with -EBUSY.
    fn free_pasid(&self, vm: VmId, pasid: u32) -> Result<(), Rejected>;

    /// `sva_bind_gpasid` for every device of `vm`'s container, all or nothing.
    fn bind_gpasid(&self, vm: VmId, data: &IommuGpasidBindData) -> Result<(), Rejected>;
    /// `sva_unbind_gpasid(hpasid)` for every device of `vm`'s container.
    fn unbind_gpasid(&self, vm: VmId, hpasid: u64) -> Result<(), Rejected>;
    /// `cache_invalidate` of `vm`'s nesting domain.
    fn cache_invalidate(&self, vm: VmId, info: &IommuCacheInvalidateInfo) -> Result<(), Rejected>;
    /// `page_response` to a page request reported to `vm`.
    fn page_response(&self, vm: VmId, msg: &IommuPageResponse) -> Result<(), Rejected>;
    /// The oldest fault reported to `vm` and not yet read.
    fn peek_fault(&self, vm: VmId) -> Option<IommuFault>;
    /// Marks the oldest fault read.
    fn pop_fault(&self, vm: VmId);

    /// `IOMMU_GET_HW_INFO`'s driver part for a device of `vm`.
    fn hw_info(&self, vm: VmId, sid: SourceId) -> Result<IommuHwInfoVtd, Rejected>;
    /// A paging domain for `vm` (`IOMMU_HWPT_ALLOC` on an IOAS); `nest_parent` allows nested
    /// domains on top of it.
    fn alloc_paging(&self, vm: VmId, nest_parent: bool) -> Result<PagingDomain, Rejected>;
    /// `domain_alloc_user` of a nested domain over `parent`: the driver's checks in its order
    /// (the parent is a nest parent, nesting is supported, `data_type` is its stage-1 type),
    /// and only then `data()`, the copy of the stage-1 data from user memory, as the driver
    /// calls `iommu_copy_struct_from_user` after its checks.
    fn alloc_nested(
        &self,
        vm: VmId,
        parent: PagingDomain,
        data_type: u32,
        data: &mut dyn FnMut() -> Result<IommuHwptVtdS1, Rejected>,
    ) -> Result<NestedDomain, Rejected>;
    /// Destroys a paging domain (nothing nests on it).
    fn free_paging(&self, vm: VmId, domain: PagingDomain) -> Result<(), Rejected>;
    /// Destroys a domain nothing is attached to.
    fn free_nested(&self, vm: VmId, domain: NestedDomain) -> Result<(), Rejected>;
    /// Attaches device `sid` (its RID, PASID 0) to a nested domain: `intel_pasid_setup_nested`.
    fn attach_nested(&self, vm: VmId, sid: SourceId, domain: NestedDomain) -> Result<(), Rejected>;
    /// One validated entry of an `IOMMU_HWPT_INVALIDATE` array.
    fn invalidate_nested(
        &self,
        vm: VmId,
        domain: NestedDomain,
        entry: &IommuHwptVtdS1Invalidate,
    ) -> Result<(), Rejected>;
}
