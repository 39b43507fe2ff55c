//! The Intel VT-d driver side: the checks `intel_svm_bind_gpasid`, `intel_pasid_setup_nested`,
//! `intel_iommu_sva_invalidate`, `intel_svm_page_response` (v5.10) and the iommufd nested
//! domain code (v6.8) make, in their order, and the PASID-table writes and invalidation
//! descriptors that follow. REFERENCE.md §2, §5, §6 and §8.
//!
//! Every operation checks everything first and only then changes state, so an error leaves
//! the PASID tables, the caches and the queue exactly as they were.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Mutex, MutexGuard};

use uapigen_bindings::iommu::*;
use uapigen_bindings::iommufd::{
    IommuHwInfoVtd, IommuHwptVtdS1, IommuHwptVtdS1Invalidate, IOMMU_HWPT_DATA_VTD_S1,
    IOMMU_VTD_INV_FLAGS_LEAF, IOMMU_VTD_S1_EAFE, IOMMU_VTD_S1_SRE, IOMMU_VTD_S1_WPE,
};
use uapigen_runtime::backend::{
    feature, Backend, NestedDomain, NestingInfo, PagingDomain, SourceId, VmId,
};
use uapigen_uaccess::{bytes_of, Errno, Rejected};

use crate::cache::Translation;
use crate::descriptor::{
    self, npages_to_am, QI_PC_PASID_SEL, QI_RESP_FAILURE, QI_RESP_INVALID, QI_RESP_SUCCESS,
    VTD_PAGE_SHIFT,
};
use crate::pasid::*;
use crate::prq::PageRequest;
use crate::queue::Hardware;
use crate::regs::{self, Features};

/// `ADDR_WIDTH_4LEVEL`: a 4-level first-level table.
pub const ADDR_WIDTH_4LEVEL: u32 = 48;
/// `ADDR_WIDTH_5LEVEL`: a 5-level first-level table.
pub const ADDR_WIDTH_5LEVEL: u32 = 57;
/// Domain ids 0 and 1 (`FLPT_DEFAULT_DID`) are reserved.
pub const NUM_RESERVED_DID: u16 = 2;
/// `IOMMU_NO_PASID` / `PASID_RID2PASID`: requests without PASID use PASID entry 0.
pub const PASID_RID2PASID: u32 = 0;
/// The PASID-granularity device-TLB size order (`64 - VTD_PAGE_SHIFT`): everything.
pub const DEVTLB_ALL_ORDER: u32 = 64 - VTD_PAGE_SHIFT;

fn reject(errno: Errno, why: &'static str) -> Rejected {
    Rejected::new(errno, why)
}

/// How a device was assigned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceConfig {
    /// Physical function source id (the device's own for a PF).
    pub pfsid: u16,
    /// ATS enabled: the device caches translations and needs device-TLB invalidations.
    pub ats: bool,
    /// ATS invalidation queue depth.
    pub qdep: u16,
    /// A PCI device (bind refuses others with -ENOTSUPP).
    pub pci: bool,
    /// `pci_max_pasids()`: bind needs the full 20 bits.
    pub max_pasids: u32,
}

impl Default for DeviceConfig {
    fn default() -> Self {
        DeviceConfig {
            pfsid: 0,
            ats: true,
            qdep: 16,
            pci: true,
            max_pasids: PASID_MAX,
        }
    }
}

/// A page request reported to a VM and waiting for its response (`iommu_fault_param`'s
/// pending list; only last-page-in-group requests wait).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PendingRequest {
    /// The device that asked.
    pub sid: SourceId,
    /// The request as the VM reads it.
    pub prm: IommuFaultPageRequest,
}

/// An assigned device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    /// The VM it is assigned to.
    pub vm: VmId,
    /// How it was assigned.
    pub config: DeviceConfig,
    /// Its scalable-mode PASID table.
    pub pasid_table: PasidTable,
    /// PASIDs bound to guest page tables on this device.
    pub bound: BTreeSet<u32>,
    /// The nested domain attached to the RID, if any.
    pub nested: Option<NestedDomain>,
}

/// A second-level (paging) domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    /// The VM that owns it.
    pub vm: VmId,
    /// Allocated as a nest parent (`IOMMU_HWPT_ALLOC_NEST_PARENT`, or a container's domain).
    pub nest_parent: bool,
    /// Second-level page-table root.
    pub slptptr: u64,
    /// Second-level address width (the PASID entry's AW field value).
    pub aw: u64,
    /// The highest guest-physical address mapped (`dmar_domain->max_addr`).
    pub max_addr: u64,
}

/// A nested domain: a guest stage-1 table on a nest parent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nested {
    /// The VM that owns it.
    pub vm: VmId,
    /// The parent (stage-2) domain.
    pub parent: PagingDomain,
    /// The guest's stage-1 table, as `IOMMU_HWPT_ALLOC` gave it.
    pub s1: IommuHwptVtdS1,
    /// The devices attached to it.
    pub devices: BTreeSet<SourceId>,
    /// Its own domain id, from its first attach on (v6.8's `domain_attach_iommu`): the PASID
    /// entries and flushes of a nested domain carry it, not the parent's (REFERENCE §8,
    /// 111bf85c68f6); before an attach nothing of it is cached, so nothing is flushed.
    pub did: Option<u16>,
}

/// What the model keeps per VM.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Vm {
    /// The container's nesting domain (the 2020 path).
    pub container: Option<PagingDomain>,
    /// `iommu_fault` records reported and not yet read, as their 64 bytes.
    pub faults: VecDeque<[u8; 64]>,
    /// Page requests reported and not yet answered.
    pub pending: Vec<PendingRequest>,
}

/// Everything the model holds; `Clone + Eq` so a test can prove an error changed nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// What the IOMMU supports.
    pub features: Features,
    /// CAP_REG.
    pub cap: u64,
    /// ECAP_REG.
    pub ecap: u64,
    /// Caches and the invalidation queue.
    pub hw: Hardware,
    /// Assigned devices by source id.
    pub devices: BTreeMap<SourceId, Device>,
    /// VMs by id.
    pub vms: BTreeMap<VmId, Vm>,
    /// The PASID allocator: each allocated PASID and the VM (ioasid set) it belongs to.
    pub pasids: BTreeMap<u32, VmId>,
    /// Paging domains by domain id.
    pub paging: BTreeMap<u16, Paging>,
    /// Nested domains by id.
    pub nested: BTreeMap<u32, Nested>,
    next_nested: u32,
    /// Page request descriptors received, oldest first.
    pub prq: Vec<[u64; 4]>,
}

/// The modelled IOMMU and its driver. One lock serialises it, as the driver's `pasid_mutex`
/// and the queue's `q_lock` do.
pub struct VtdIommu {
    state: Mutex<State>,
    /// The 2020 uAPI's revision the driver was built against (`iommu::v5_10::REVISION` ...):
    /// its header's `IOMMU_SVA_VTD_GPASID_LAST` bounds the vendor flags a bind may set.
    iommu_revision: usize,
}

impl VtdIommu {
    /// An IOMMU with `features`, no VM and no device.
    pub fn new(features: Features) -> Self {
        VtdIommu {
            state: Mutex::new(State {
                features,
                cap: features.cap_reg(),
                ecap: features.ecap_reg(),
                hw: Hardware::default(),
                devices: BTreeMap::new(),
                vms: BTreeMap::new(),
                pasids: BTreeMap::new(),
                paging: BTreeMap::new(),
                nested: BTreeMap::new(),
                next_nested: 1,
                prq: Vec::new(),
            }),
            iommu_revision: v5_13::REVISION,
        }
    }

    /// The same IOMMU driven as the kernel of the 2020 uAPI's revision `rev` (an index of
    /// the schema's, `iommu::v5_10::REVISION`) drove it.
    pub fn with_iommu_revision(mut self, rev: usize) -> Self {
        self.iommu_revision = rev;
        self
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock is a bug in the model; the state is still usable
        // for the test that reports it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of the whole state.
    pub fn state(&self) -> State {
        self.lock().clone()
    }

    /// Runs `f` on the state without copying it.
    pub fn with_state<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&self.lock())
    }

    /// Creates VM `vm` with a VFIO container whose nesting domain maps `guest_mem` bytes of
    /// guest-physical memory.
    pub fn create_vm(&self, vm: VmId, guest_mem: u64) -> Result<PagingDomain, Rejected> {
        let mut s = self.lock();
        if s.vms.contains_key(&vm) {
            return Err(reject(Errno::EBUSY, "the VM exists"));
        }
        let did = s.alloc_did()?;
        s.paging.insert(
            did,
            Paging {
                vm,
                nest_parent: true,
                slptptr: 0x8000_0000 + ((did as u64) << VTD_PAGE_SHIFT),
                aw: 2,
                max_addr: guest_mem.saturating_sub(1),
            },
        );
        s.vms.insert(
            vm,
            Vm {
                container: Some(PagingDomain(did)),
                ..Vm::default()
            },
        );
        Ok(PagingDomain(did))
    }

    /// Assigns device `sid` to `vm`.
    pub fn assign_device(
        &self,
        vm: VmId,
        sid: SourceId,
        config: DeviceConfig,
    ) -> Result<(), Rejected> {
        let mut s = self.lock();
        if !s.vms.contains_key(&vm) {
            return Err(reject(Errno::ENOENT, "no such VM"));
        }
        if s.devices.contains_key(&sid) {
            return Err(reject(Errno::EBUSY, "the device is assigned already"));
        }
        s.devices.insert(
            sid,
            Device {
                vm,
                config,
                pasid_table: PasidTable::default(),
                bound: BTreeSet::new(),
                nested: None,
            },
        );
        Ok(())
    }

    /// Device DMA at `iova` with `pasid` (`None`: a request without PASID, through PASID
    /// entry 0). The PASID entry is fetched into the PASID cache; an IOTLB miss walks the
    /// guest's first-level table (modelled: page `p` of a table rooted at `r` maps to host page
    /// `r / 4096 + p`) and fills the IOTLB, and an ATS device keeps the translation in its
    /// device TLB. `None` when the PASID entry is not present (a translation fault).
    pub fn translate(&self, sid: SourceId, pasid: Option<u32>, iova: u64) -> Option<Translation> {
        let mut s = self.lock();
        let index = pasid.unwrap_or(PASID_RID2PASID);
        let dev = s.devices.get(&sid)?;
        let entry = *dev.pasid_table.entry(index)?;
        if !entry.present() {
            return None;
        }
        let ats = dev.config.ats;
        let did = entry.did();
        let vpn = iova >> VTD_PAGE_SHIFT;
        s.hw.pasid_cache.insert(did, index, entry.val);
        let t = match s.hw.iotlb.lookup(did, index, vpn) {
            Some(t) => t,
            None => {
                let t = Translation {
                    host_pfn: (entry.flptr() >> VTD_PAGE_SHIFT).wrapping_add(vpn),
                    writable: true,
                };
                s.hw.iotlb.insert(did, index, vpn, t);
                t
            }
        };
        if ats {
            s.hw.devtlb.insert(sid, pasid, vpn, t);
        }
        Some(t)
    }

    /// A device sends a page request. The driver reports it to the VM that bound the PASID
    /// (`intel_svm_prq_report`); a request it cannot route (no PASID, PASID not bound on
    /// the device) is answered at once with Invalid Request when it needs an answer, as
    /// `prq_event_thread`'s `bad_req` path does.
    pub fn page_request(&self, req: PageRequest) {
        let mut s = self.lock();
        let desc = req.encode();
        s.prq.push(desc);
        let req = PageRequest::decode(desc);
        let owner = match (req.pasid, s.devices.get(&req.rid)) {
            (Some(p), Some(dev)) if dev.bound.contains(&p) => Some(dev.vm),
            _ => None,
        };
        let Some(vm) = owner else {
            if req.last || req.priv_data.is_some() {
                let d = descriptor::page_group_response(
                    req.rid,
                    req.pasid.unwrap_or(0),
                    req.pasid.is_some(),
                    req.priv_data,
                    QI_RESP_INVALID,
                    req.grpid as u32,
                    req.last,
                );
                s.hw.submit_sync(&[d]);
            }
            return;
        };
        let mut prm = IommuFaultPageRequest {
            flags: IOMMU_FAULT_PAGE_REQUEST_PASID_VALID | IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID,
            pasid: req.pasid.unwrap_or(0),
            grpid: req.grpid as u32,
            perm: (if req.read { IOMMU_FAULT_PERM_READ } else { 0 })
                | (if req.write { IOMMU_FAULT_PERM_WRITE } else { 0 })
                | (if req.exec { IOMMU_FAULT_PERM_EXEC } else { 0 })
                | (if req.privileged {
                    IOMMU_FAULT_PERM_PRIV
                } else {
                    0
                }),
            addr: req.addr,
            private_data: [0; 2],
        };
        if req.last {
            prm.flags |= IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE;
        }
        if let Some(data) = req.priv_data {
            // Private data needs a response as the last page does (svm.c).
            prm.flags |= IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE | IOMMU_FAULT_PAGE_REQUEST_PRIV_DATA;
            prm.private_data = data;
        }
        let mut fault = IommuFault {
            r#type: IOMMU_FAULT_PAGE_REQ,
            ..IommuFault::default()
        };
        fault.data.prm = prm;
        let mut bytes = [0u8; 64];
        bytes.copy_from_slice(bytes_of(&fault));
        let v = s.vms.get_mut(&vm).expect("a bound device's VM exists");
        v.faults.push_back(bytes);
        if prm.flags & IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE != 0 {
            v.pending.push(PendingRequest { sid: req.rid, prm });
        }
    }
}

impl State {
    fn alloc_did(&mut self) -> Result<u16, Rejected> {
        (NUM_RESERVED_DID..=u16::MAX)
            .find(|d| {
                !self.paging.contains_key(d) && !self.nested.values().any(|n| n.did == Some(*d))
            })
            .ok_or(reject(Errno::ENOSPC, "no free domain id"))
    }

    /// `ioasid_find(vm's set, pasid)`: -ENOENT when the PASID is not allocated, -EACCES when it
    /// belongs to another VM (`drivers/iommu/ioasid.c`, v5.10).
    fn check_owner(&self, vm: VmId, pasid: u64) -> Result<u32, Rejected> {
        match u32::try_from(pasid)
            .ok()
            .and_then(|p| self.pasids.get(&p).map(|o| (p, o)))
        {
            None => Err(reject(Errno::ENOENT, "the PASID is not allocated")),
            Some((_, owner)) if *owner != vm => {
                Err(reject(Errno::EACCES, "the PASID belongs to another VM"))
            }
            Some((p, _)) => Ok(p),
        }
    }

    fn vm_devices(&self, vm: VmId) -> Vec<SourceId> {
        self.devices
            .iter()
            .filter(|(_, d)| d.vm == vm)
            .map(|(sid, _)| *sid)
            .collect()
    }

    fn container(&self, vm: VmId) -> Result<(u16, Paging), Rejected> {
        let did = self
            .vms
            .get(&vm)
            .and_then(|v| v.container)
            .ok_or(reject(Errno::ENODEV, "the VM has no container"))?
            .0;
        Ok((did, self.paging[&did]))
    }

    /// FLPM for a first-level address width: 48 → 4-level; 57 → 5-level only with
    /// `cap_5lp_support`; anything else -EINVAL.
    fn flpm(&self, addr_width: u32) -> Result<u64, Rejected> {
        match addr_width {
            ADDR_WIDTH_4LEVEL => Ok(FLPM_4LEVEL),
            ADDR_WIDTH_5LEVEL if regs::cap_5lp_support(self.cap) => Ok(FLPM_5LEVEL),
            ADDR_WIDTH_5LEVEL => Err(reject(Errno::EINVAL, "5-level paging is not supported")),
            _ => Err(reject(Errno::EINVAL, "addr_width must be 48 or 57")),
        }
    }

    /// The flushes after a PASID entry changes (REFERENCE §8): PASID cache, IOTLB and device
    /// TLB for that PASID, each its own synchronous submission.
    fn flush_pasid(&mut self, sid: SourceId, did: u16, pasid: u32) {
        self.hw
            .submit_sync(&[descriptor::pasid_cache(did, pasid, QI_PC_PASID_SEL)]);
        if let Some(d) = descriptor::piotlb(did, pasid, 0, u64::MAX, false) {
            self.hw.submit_sync(&[d]);
        }
        let c = self.devices[&sid].config;
        if c.ats {
            let d = if pasid == PASID_RID2PASID {
                descriptor::dev_iotlb(sid, c.pfsid, c.qdep, 0, DEVTLB_ALL_ORDER)
            } else {
                descriptor::dev_iotlb_pasid(sid, c.pfsid, pasid, c.qdep, 0, DEVTLB_ALL_ORDER)
            };
            self.hw.submit_sync(&[d]);
        }
    }

    /// `intel_svm_bind_gpasid` + `intel_pasid_setup_nested` + `intel_pasid_setup_bind_data`
    /// checks for one device, without changing anything.
    fn check_bind(
        &self,
        sid: SourceId,
        data: &IommuGpasidBindData,
        paging: &Paging,
    ) -> Result<u32, Rejected> {
        let dev = &self.devices[&sid];
        if !dev.config.pci {
            return Err(reject(Errno::ENOTSUPP, "not a PCI device"));
        }
        if dev.config.max_pasids != PASID_MAX {
            return Err(reject(
                Errno::EINVAL,
                "the device does not support 20-bit PASIDs",
            ));
        }
        if data.hpasid == 0 || data.hpasid >= PASID_MAX as u64 {
            return Err(reject(Errno::EINVAL, "hpasid is outside (0, PASID_MAX)"));
        }
        let pasid = self.check_owner(dev.vm, data.hpasid)?;
        if dev.bound.contains(&pasid) {
            return Err(reject(
                Errno::EBUSY,
                "the device and PASID are bound already",
            ));
        }
        if !regs::ecap_nest(self.ecap) {
            return Err(reject(Errno::EINVAL, "no nested translation (ecap_nest)"));
        }
        if dev.pasid_table.entry(pasid).is_some_and(|e| e.present()) {
            return Err(reject(Errno::EBUSY, "the PASID entry is present"));
        }
        self.flpm(data.addr_width)?;
        if data.gpgd > paging.max_addr {
            return Err(reject(
                Errno::EINVAL,
                "gpgd is beyond the domain's max_addr",
            ));
        }
        // SAFETY: every bit pattern is a valid `vtd`; the union has one member.
        let flags = unsafe { data.vendor.vtd }.flags;
        if flags & IOMMU_SVA_VTD_GPASID_SRE != 0 && !regs::ecap_srs(self.ecap) {
            return Err(reject(Errno::EINVAL, "SRE needs ecap_srs"));
        }
        if flags & IOMMU_SVA_VTD_GPASID_EAFE != 0 && !regs::ecap_eafs(self.ecap) {
            return Err(reject(Errno::EINVAL, "EAFE needs ecap_eafs"));
        }
        if flags & IOMMU_SVA_VTD_GPASID_MTS_MASK != 0 {
            return Err(reject(Errno::EINVAL, "no memory type support"));
        }
        Ok(pasid)
    }

    /// Writes a nested PASID entry (REFERENCE §8) and flushes.
    #[allow(clippy::too_many_arguments)]
    /// Writes a nested PASID entry over paging domain `parent`, carrying domain id `did`
    /// (the parent's for the 2020 bind, the nested domain's own for iommufd), and flushes it.
    fn setup_nested(
        &mut self,
        sid: SourceId,
        pasid: u32,
        parent: u16,
        did: u16,
        flptr: u64,
        flpm: u64,
        sre: bool,
        eafe: bool,
        wpe: bool,
    ) {
        let paging = self.paging[&parent];
        let snoop = self.ecap & regs::ECAP_SC != 0;
        let mut e = PasidEntry::default();
        e.set_flptr(flptr);
        e.set_flpm(flpm);
        if sre {
            e.set_sre();
        }
        if eafe {
            e.set_eafe();
        }
        if wpe {
            e.set_wpe();
        }
        e.set_did(did);
        e.set_slptptr(paging.slptptr);
        e.set_aw(paging.aw);
        if snoop {
            e.set_pwsnp();
        }
        e.set_pgtt(PASID_ENTRY_PGTT_NESTED);
        e.set_present();
        *self
            .devices
            .get_mut(&sid)
            .expect("checked device")
            .pasid_table
            .entry_mut(pasid) = e;
        self.flush_pasid(sid, did, pasid);
    }

    fn teardown(&mut self, sid: SourceId, did: u16, pasid: u32) {
        let dev = self.devices.get_mut(&sid).expect("checked device");
        dev.pasid_table.clear(pasid);
        self.flush_pasid(sid, did, pasid);
    }
}

/// The generic page response code in the VT-d response field. v5.10 wrote the generic code
/// unchanged, so FAILURE (2) reached the hardware as a reserved value; VT-d's Response
/// Failure is 0xF (`QI_RESP_FAILURE`).
pub fn vtd_response_code(code: u32) -> Option<u64> {
    match code {
        IOMMU_PAGE_RESP_SUCCESS => Some(QI_RESP_SUCCESS),
        IOMMU_PAGE_RESP_INVALID => Some(QI_RESP_INVALID),
        IOMMU_PAGE_RESP_FAILURE => Some(QI_RESP_FAILURE),
        _ => None,
    }
}

/// `inv_type_granu_table` (REFERENCE §5): the VT-d granularity for a cache-type bit index
/// and a uAPI granularity, `None` where the driver has -EINVAL.
pub fn vtd_granularity(cache_bit: u32, granularity: u8) -> Option<u64> {
    match (cache_bit, granularity) {
        (0, IOMMU_INV_GRANU_PASID) => Some(descriptor::QI_GRAN_NONG_PASID),
        (0, IOMMU_INV_GRANU_ADDR) => Some(descriptor::QI_GRAN_PSI_PASID),
        (1, IOMMU_INV_GRANU_ADDR) => Some(descriptor::QI_DEV_IOTLB_GRAN_PASID_SEL),
        _ => None,
    }
}

/// `order_base_2(granule_size * nb_granules >> VTD_PAGE_SHIFT)` (the driver's `to_vtd_size`,
/// u64 arithmetic as in C).
pub fn to_vtd_size(granule_size: u64, nb_granules: u64) -> u32 {
    let pages = granule_size.wrapping_mul(nb_granules) >> VTD_PAGE_SHIFT;
    if pages <= 1 {
        0
    } else {
        64 - (pages - 1).leading_zeros()
    }
}

/// `IOMMU_SVA_VTD_GPASID_LAST` in the header of revision `rev`: one past the last vendor flag
/// the driver takes.
fn vendor_flags_last(rev: usize) -> u64 {
    if rev == v5_10::REVISION {
        v5_10::IOMMU_SVA_VTD_GPASID_LAST as u64
    } else {
        IOMMU_SVA_VTD_GPASID_LAST as u64
    }
}

impl Backend for VtdIommu {
    fn iommu_revision(&self) -> usize {
        self.iommu_revision
    }

    fn nesting_info(&self) -> NestingInfo {
        let s = self.lock();
        let mut features = feature::SYSWIDE_PASID | feature::BIND_PGTBL | feature::CACHE_INVLD;
        if s.features.page_requests {
            features |= feature::PAGE_REQUEST;
        }
        // v5.10's driver knew no WPE (its `IOMMU_SVA_VTD_GPASID_LAST` is bit 6's).
        let mut vendor_flags =
            (vendor_flags_last(self.iommu_revision) - 1) & IOMMU_SVA_VTD_GPASID_WPE;
        if regs::ecap_srs(s.ecap) {
            vendor_flags |= IOMMU_SVA_VTD_GPASID_SRE;
        }
        if regs::ecap_eafs(s.ecap) {
            vendor_flags |= IOMMU_SVA_VTD_GPASID_EAFE;
        }
        NestingInfo {
            features,
            format: IOMMU_PASID_FORMAT_INTEL_VTD,
            addr_widths: if regs::cap_5lp_support(s.cap) {
                &[ADDR_WIDTH_4LEVEL, ADDR_WIDTH_5LEVEL]
            } else {
                &[ADDR_WIDTH_4LEVEL]
            },
            pasid_bits: 20,
            vendor_flags,
            cap_reg: s.cap,
            ecap_reg: s.ecap,
        }
    }

    fn owns_device(&self, vm: VmId, sid: SourceId) -> bool {
        self.lock().devices.get(&sid).is_some_and(|d| d.vm == vm)
    }

    fn alloc_pasid(&self, vm: VmId) -> Result<u32, Rejected> {
        let mut s = self.lock();
        if !s.vms.contains_key(&vm) {
            return Err(reject(Errno::ENOENT, "no such VM"));
        }
        // ioasid_alloc(set, 1, PASID_MAX - 1): the lowest free PASID; 0 is RID2PASID.
        let mut want = 1u32;
        for p in s.pasids.keys() {
            if *p == want {
                want += 1;
            } else if *p > want {
                break;
            }
        }
        if want >= PASID_MAX {
            return Err(reject(Errno::ENOSPC, "no free PASID"));
        }
        s.pasids.insert(want, vm);
        Ok(want)
    }

    fn free_pasid(&self, vm: VmId, pasid: u32) -> Result<(), Rejected> {
        let mut s = self.lock();
        s.check_owner(vm, pasid as u64)?;
        if s.devices.values().any(|d| d.bound.contains(&pasid)) {
            return Err(reject(Errno::EBUSY, "the PASID is bound"));
        }
        s.pasids.remove(&pasid);
        Ok(())
    }

    fn bind_gpasid(&self, vm: VmId, data: &IommuGpasidBindData) -> Result<(), Rejected> {
        let mut s = self.lock();
        if data.format != IOMMU_PASID_FORMAT_INTEL_VTD {
            return Err(reject(
                Errno::EINVAL,
                "format is not IOMMU_PASID_FORMAT_INTEL_VTD",
            ));
        }
        if (data.argsz as usize) < core::mem::size_of::<IommuGpasidBindData>() {
            return Err(reject(
                Errno::EINVAL,
                "argsz < offsetofend(vendor.vtd) (72)",
            ));
        }
        // SAFETY: the union has one member; any bits are a valid value.
        let vflags = unsafe { data.vendor.vtd }.flags;
        if vflags & !(vendor_flags_last(self.iommu_revision) - 1) != 0 {
            return Err(reject(
                Errno::EINVAL,
                "vendor flags beyond IOMMU_SVA_VTD_GPASID_LAST",
            ));
        }
        let (did, paging) = s.container(vm)?;
        let sids = s.vm_devices(vm);
        if sids.is_empty() {
            return Err(reject(Errno::ENODEV, "no device in the container"));
        }
        let mut pasid = 0;
        for sid in &sids {
            pasid = s.check_bind(*sid, data, &paging)?;
        }
        let flpm = s.flpm(data.addr_width)?;
        for sid in sids {
            // The 2020 bind's domain is the second-level one: the entry carries its DID.
            s.setup_nested(
                sid,
                pasid,
                did,
                did,
                data.gpgd,
                flpm,
                vflags & IOMMU_SVA_VTD_GPASID_SRE != 0,
                vflags & IOMMU_SVA_VTD_GPASID_EAFE != 0,
                vflags & IOMMU_SVA_VTD_GPASID_WPE != 0,
            );
            s.devices
                .get_mut(&sid)
                .expect("checked")
                .bound
                .insert(pasid);
        }
        Ok(())
    }

    fn unbind_gpasid(&self, vm: VmId, hpasid: u64) -> Result<(), Rejected> {
        let mut s = self.lock();
        // v5.10 truncates the u64 hpasid to a 32-bit ioasid_t before this check; uapigen
        // checks the whole value, so 2^32 + 5 is not PASID 5.
        if hpasid == u32::MAX as u64 || hpasid >= PASID_MAX as u64 {
            return Err(reject(Errno::EINVAL, "hpasid is not a valid PASID"));
        }
        let pasid = s.check_owner(vm, hpasid)?;
        let (did, _) = s.container(vm)?;
        for sid in s.vm_devices(vm) {
            if !s.devices[&sid].bound.contains(&pasid) {
                continue;
            }
            s.teardown(sid, did, pasid);
            s.devices
                .get_mut(&sid)
                .expect("listed")
                .bound
                .remove(&pasid);
            // intel_svm_drain_prq: nothing of this PASID stays pending.
            let v = s.vms.get_mut(&vm).expect("the VM exists");
            v.pending
                .retain(|p| !(p.sid == sid && p.prm.pasid == pasid));
        }
        Ok(())
    }

    fn cache_invalidate(&self, vm: VmId, info: &IommuCacheInvalidateInfo) -> Result<(), Rejected> {
        let mut s = self.lock();
        let (did, _) = s.container(vm)?;
        let granularity = info.granularity;
        // SAFETY: plain-integer union members.
        let (pasid_info, addr_info) = unsafe { (info.granu.pasid_info, info.granu.addr_info) };
        // v5.10 logs and returns 0 for a (cache type, granularity) its table lacks, after
        // flushing the cache types before it; uapigen refuses the request before any flush.
        for bit in 0..IOMMU_CACHE_INV_TYPE_NR {
            if info.cache & (1 << bit) != 0 && vtd_granularity(bit, granularity).is_none() {
                return Err(reject(
                    Errno::EINVAL,
                    "the cache type does not support this granularity (inv_type_granu_table)",
                ));
            }
        }
        let pasid = if granularity == IOMMU_INV_GRANU_PASID
            && pasid_info.flags & IOMMU_INV_PASID_FLAGS_PASID != 0
        {
            s.check_owner(vm, pasid_info.pasid)?
        } else if granularity == IOMMU_INV_GRANU_ADDR
            && addr_info.flags & IOMMU_INV_ADDR_FLAGS_PASID != 0
        {
            s.check_owner(vm, addr_info.pasid)?
        } else {
            0
        };
        let size = if granularity == IOMMU_INV_GRANU_ADDR {
            to_vtd_size(addr_info.granule_size, addr_info.nb_granules)
        } else {
            0
        };
        let ih = addr_info.flags & IOMMU_INV_ADDR_FLAGS_LEAF != 0;
        let State { devices, hw, .. } = &mut *s;
        for (&sid, dev) in devices.iter().filter(|(_, d)| d.vm == vm) {
            let c = dev.config;
            for bit in 0..IOMMU_CACHE_INV_TYPE_NR {
                if info.cache & (1 << bit) == 0 {
                    continue;
                }
                let granu = vtd_granularity(bit, granularity).expect("checked above");
                let mut dev_iotlb = bit == 1;
                if bit == 0 {
                    let npages = if granu == descriptor::QI_GRAN_NONG_PASID {
                        u64::MAX
                    } else {
                        1u64 << size
                    };
                    if let Some(d) = descriptor::piotlb(did, pasid, addr_info.addr, npages, ih) {
                        hw.submit_sync(&[d]);
                    }
                    // With ATS the IOTLB case falls through to the device TLB.
                    dev_iotlb = c.ats;
                }
                if dev_iotlb && c.ats {
                    let (addr, order) = if granularity == IOMMU_INV_GRANU_PASID {
                        (0, DEVTLB_ALL_ORDER)
                    } else {
                        (addr_info.addr, size)
                    };
                    hw.submit_sync(&[descriptor::dev_iotlb_pasid(
                        sid, c.pfsid, pasid, c.qdep, addr, order,
                    )]);
                }
            }
        }
        Ok(())
    }

    fn page_response(&self, vm: VmId, msg: &IommuPageResponse) -> Result<(), Rejected> {
        let mut s = self.lock();
        if msg.flags & IOMMU_PAGE_RESP_PASID_VALID != 0 {
            s.check_owner(vm, msg.pasid as u64)?;
        }
        let code = vtd_response_code(msg.code).ok_or(reject(
            Errno::EINVAL,
            "code is not an iommu_page_response_code",
        ))?;
        let v = s.vms.get(&vm).ok_or(reject(Errno::ENODEV, "no such VM"))?;
        if v.pending.is_empty() {
            return Err(reject(Errno::EINVAL, "no page request is pending"));
        }
        // A request that needs a PASID matches only a response carrying the same one; a
        // response with a PASID to a request without one has its PASID dropped by the core,
        // which changes nothing here (the VT-d response is built from the request).
        let found = v.pending.iter().position(|p| {
            p.prm.grpid == msg.grpid
                && (p.prm.flags & IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID == 0
                    || (msg.flags & IOMMU_PAGE_RESP_PASID_VALID != 0 && msg.pasid == p.prm.pasid))
        });
        let i = found.ok_or(reject(
            Errno::EINVAL,
            "no pending page request matches grpid/pasid",
        ))?;
        let p = v.pending[i];
        // intel_svm_page_response
        let prm = p.prm;
        let pasid_present = prm.flags & IOMMU_FAULT_PAGE_REQUEST_PASID_VALID != 0;
        if !pasid_present {
            return Err(reject(Errno::EINVAL, "the request carried no PASID"));
        }
        if prm.pasid == 0 || prm.pasid >= PASID_MAX {
            return Err(reject(Errno::EINVAL, "the request's PASID is out of range"));
        }
        let private = prm.flags & IOMMU_FAULT_PAGE_REQUEST_PRIV_DATA != 0;
        let last = prm.flags & IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE != 0;
        s.vms.get_mut(&vm).expect("looked up").pending.remove(i);
        if last || private {
            let d = descriptor::page_group_response(
                p.sid,
                prm.pasid,
                pasid_present,
                private.then_some(prm.private_data),
                code,
                prm.grpid,
                last,
            );
            s.hw.submit_sync(&[d]);
        }
        Ok(())
    }

    fn peek_fault(&self, vm: VmId) -> Option<IommuFault> {
        let s = self.lock();
        let bytes = s.vms.get(&vm)?.faults.front()?;
        let mut f = IommuFault::default();
        uapigen_uaccess::bytes_of_mut(&mut f).copy_from_slice(bytes);
        Some(f)
    }

    fn pop_fault(&self, vm: VmId) {
        if let Some(v) = self.lock().vms.get_mut(&vm) {
            v.faults.pop_front();
        }
    }

    fn free_paging(&self, vm: VmId, domain: PagingDomain) -> Result<(), Rejected> {
        let mut s = self.lock();
        match s.paging.get(&domain.0) {
            Some(p) if p.vm == vm => {}
            _ => return Err(reject(Errno::ENOENT, "no such domain")),
        }
        if s.nested.values().any(|n| n.parent == domain)
            || s.vms.get(&vm).is_some_and(|v| v.container == Some(domain))
        {
            return Err(reject(Errno::EBUSY, "the domain is in use"));
        }
        s.paging.remove(&domain.0);
        Ok(())
    }

    fn hw_info(&self, vm: VmId, sid: SourceId) -> Result<IommuHwInfoVtd, Rejected> {
        let s = self.lock();
        if s.devices.get(&sid).is_none_or(|d| d.vm != vm) {
            return Err(reject(Errno::ENOENT, "no such device"));
        }
        Ok(IommuHwInfoVtd {
            flags: 0,
            __reserved: 0,
            cap_reg: s.cap,
            ecap_reg: s.ecap,
        })
    }

    fn alloc_paging(&self, vm: VmId, nest_parent: bool) -> Result<PagingDomain, Rejected> {
        let mut s = self.lock();
        let max_addr = s
            .vms
            .get(&vm)
            .and_then(|v| v.container)
            .map(|c| s.paging[&c.0].max_addr)
            .ok_or(reject(Errno::ENOENT, "no such VM"))?;
        let did = s.alloc_did()?;
        s.paging.insert(
            did,
            Paging {
                vm,
                nest_parent,
                slptptr: 0x8000_0000 + ((did as u64) << VTD_PAGE_SHIFT),
                aw: 2,
                max_addr,
            },
        );
        Ok(PagingDomain(did))
    }

    /// v6.8: `iommufd_hwpt_nested_alloc` refuses a parent that is not a nest parent
    /// (-EINVAL); `intel_iommu_domain_alloc_user` needs nesting support (-EOPNOTSUPP);
    /// `intel_nested_domain_alloc` needs the VT-d stage-1 type (-EOPNOTSUPP), then copies the
    /// data (`iommu_copy_struct_from_user`).
    fn alloc_nested(
        &self,
        vm: VmId,
        parent: PagingDomain,
        data_type: u32,
        data: &mut dyn FnMut() -> Result<IommuHwptVtdS1, Rejected>,
    ) -> Result<NestedDomain, Rejected> {
        let mut s = self.lock();
        match s.paging.get(&parent.0) {
            Some(p) if p.vm == vm && p.nest_parent => {}
            Some(p) if p.vm == vm => {
                return Err(reject(Errno::EINVAL, "the parent is not a nest parent"))
            }
            _ => return Err(reject(Errno::ENOENT, "no such parent domain")),
        }
        if !regs::ecap_nest(s.ecap) {
            return Err(reject(
                Errno::EOPNOTSUPP,
                "no nested translation (ecap_nest)",
            ));
        }
        if data_type != IOMMU_HWPT_DATA_VTD_S1 {
            return Err(reject(
                Errno::EOPNOTSUPP,
                "data_type is not IOMMU_HWPT_DATA_VTD_S1",
            ));
        }
        let s1 = &data()?;
        let id = s.next_nested;
        s.next_nested += 1;
        s.nested.insert(
            id,
            Nested {
                vm,
                parent,
                s1: *s1,
                devices: BTreeSet::new(),
                did: None,
            },
        );
        Ok(NestedDomain(id))
    }

    fn free_nested(&self, vm: VmId, domain: NestedDomain) -> Result<(), Rejected> {
        let mut s = self.lock();
        match s.nested.get(&domain.0) {
            Some(n) if n.vm == vm && n.devices.is_empty() => {
                s.nested.remove(&domain.0);
                Ok(())
            }
            Some(n) if n.vm == vm => Err(reject(Errno::EBUSY, "devices are attached")),
            _ => Err(reject(Errno::ENOENT, "no such domain")),
        }
    }

    fn attach_nested(&self, vm: VmId, sid: SourceId, domain: NestedDomain) -> Result<(), Rejected> {
        let mut s = self.lock();
        let n = match s.nested.get(&domain.0) {
            Some(n) if n.vm == vm => n.clone(),
            _ => return Err(reject(Errno::ENOENT, "no such domain")),
        };
        if s.devices.get(&sid).is_none_or(|d| d.vm != vm) {
            return Err(reject(Errno::ENOENT, "no such device"));
        }
        // intel_pasid_setup_nested (v6.8)
        let flpm = s.flpm(n.s1.addr_width)?;
        if n.s1.flags & IOMMU_VTD_S1_SRE != 0 && !regs::ecap_srs(s.ecap) {
            return Err(reject(Errno::EINVAL, "SRE needs ecap_srs"));
        }
        if n.s1.flags & IOMMU_VTD_S1_EAFE != 0 && !regs::ecap_eafs(s.ecap) {
            return Err(reject(Errno::EINVAL, "EAFE needs ecap_eafs"));
        }
        if s.devices[&sid]
            .pasid_table
            .entry(PASID_RID2PASID)
            .is_some_and(|e| e.present())
        {
            return Err(reject(Errno::EBUSY, "the device's PASID entry is present"));
        }
        let sre = n.s1.flags & IOMMU_VTD_S1_SRE != 0;
        // intel_pasid_setup_nested (v6.8): `did = domain_id_iommu(domain, iommu)`, the nested
        // domain's own, given at its first attach.
        let did = match n.did {
            Some(d) => d,
            None => s.alloc_did()?,
        };
        s.setup_nested(
            sid,
            PASID_RID2PASID,
            n.parent.0,
            did,
            n.s1.pgtbl_addr,
            flpm,
            sre,
            n.s1.flags & IOMMU_VTD_S1_EAFE != 0,
            // WPE only together with SRE.
            sre && n.s1.flags & IOMMU_VTD_S1_WPE != 0,
        );
        s.devices.get_mut(&sid).expect("checked").nested = Some(domain);
        let n = s.nested.get_mut(&domain.0).expect("checked");
        n.devices.insert(sid);
        n.did = Some(did);
        Ok(())
    }

    fn invalidate_nested(
        &self,
        vm: VmId,
        domain: NestedDomain,
        entry: &IommuHwptVtdS1Invalidate,
    ) -> Result<(), Rejected> {
        let mut guard = self.lock();
        // Disjoint borrows: the domain and devices are read while the hardware runs the
        // descriptors, with no copy of the domain per array entry.
        let State {
            nested,
            devices,
            hw,
            ..
        } = &mut *guard;
        let n = match nested.get(&domain.0) {
            Some(n) if n.vm == vm => n,
            _ => return Err(reject(Errno::ENOENT, "no such domain")),
        };
        // intel_nested_flush_cache (v6.8): a PASID-based IOTLB flush of the RID's entries,
        // then the device TLB of every attached ATS device. npages 0 sends nothing (the driver
        // warns; its device-TLB mask would be undefined).
        if entry.npages == 0 {
            return Ok(());
        }
        // Only a domain attached somewhere has a DID and anything cached under it.
        let Some(did) = n.did else {
            return Ok(());
        };
        let ih = entry.flags & IOMMU_VTD_INV_FLAGS_LEAF != 0;
        if let Some(d) = descriptor::piotlb(did, PASID_RID2PASID, entry.addr, entry.npages, ih) {
            hw.submit_sync(&[d]);
        }
        let mask = if entry.npages == u64::MAX {
            DEVTLB_ALL_ORDER
        } else {
            npages_to_am(entry.npages)
        };
        for sid in &n.devices {
            let c = devices[sid].config;
            if c.ats {
                hw.submit_sync(&[descriptor::dev_iotlb(
                    *sid, c.pfsid, c.qdep, entry.addr, mask,
                )]);
            }
        }
        Ok(())
    }
}
