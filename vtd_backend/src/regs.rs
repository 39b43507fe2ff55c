//! Capability and extended-capability register bits the model reports and the driver checks.
//!
//! Bit positions are those of `include/linux/intel-iommu.h` (v5.10; the same in
//! `drivers/iommu/intel/iommu.h` v6.8): `cap_5lp_support` (bit 60, v6.8 `cap_fl5lp_support`),
//! `ecap_srs` 31, `ecap_eafs` 34, `ecap_nest` 26, `ecap_prs` 29, `ecap_pasid` 40,
//! `ecap_pss` 39:35, `ecap_smts` 43, `ecap_flts` 47, `ecap_dev_iotlb_support` 2, `ecap_qis` 1,
//! `ecap_sc_support` 7, `cap_caching_mode` 7, `cap_mgaw` 21:16, `cap_sagaw` 12:8, `cap_ndoms` 2:0.

/// `cap_ndoms`: 2^(4 + 2*n) domain ids.
pub const CAP_ND_SHIFT: u32 = 0;
/// Caching mode.
pub const CAP_CM: u64 = 1 << 7;
/// `cap_sagaw`: supported second-level address widths (bits 12:8).
pub const CAP_SAGAW_SHIFT: u32 = 8;
/// `cap_mgaw`: maximum guest address width - 1 (bits 21:16).
pub const CAP_MGAW_SHIFT: u32 = 16;
/// First-level 1 GiB pages.
pub const CAP_FL1GP: u64 = 1 << 56;
/// First-level 5-level paging.
pub const CAP_5LP: u64 = 1 << 60;

/// Queued invalidation.
pub const ECAP_QIS: u64 = 1 << 1;
/// Device-TLB (ATS) support.
pub const ECAP_DT: u64 = 1 << 2;
/// Snoop control.
pub const ECAP_SC: u64 = 1 << 7;
/// Nested translation.
pub const ECAP_NEST: u64 = 1 << 26;
/// Page requests.
pub const ECAP_PRS: u64 = 1 << 29;
/// Supervisor requests.
pub const ECAP_SRS: u64 = 1 << 31;
/// Extended accessed flag.
pub const ECAP_EAFS: u64 = 1 << 34;
/// `ecap_pss`: PASID size - 1 (bits 39:35).
pub const ECAP_PSS_SHIFT: u32 = 35;
/// PASID support.
pub const ECAP_PASID: u64 = 1 << 40;
/// Scalable mode.
pub const ECAP_SMTS: u64 = 1 << 43;
/// First-level translation.
pub const ECAP_FLTS: u64 = 1 << 47;

/// What the modelled IOMMU supports; turned into CAP_REG / ECAP_REG values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Features {
    /// First-level 5-level paging (57-bit) support.
    pub five_level: bool,
    /// Supervisor requests (SRE may be set).
    pub supervisor_requests: bool,
    /// Extended access flag (EAFE may be set).
    pub extended_access_flag: bool,
    /// Page requests (PRI) support.
    pub page_requests: bool,
    /// Snoop control: PWSNP is set in nested PASID entries.
    pub snoop_control: bool,
}

impl Default for Features {
    fn default() -> Self {
        Features {
            five_level: true,
            supervisor_requests: true,
            extended_access_flag: true,
            page_requests: true,
            snoop_control: true,
        }
    }
}

impl Features {
    /// CAP_REG: 16-bit domain ids (`ND` = 6 gives 2^16), MGAW 57, SAGAW 4-level, caching mode,
    /// 1 GiB first-level pages, 5-level paging if supported.
    pub fn cap_reg(&self) -> u64 {
        let mut cap = (6 << CAP_ND_SHIFT)
            | CAP_CM
            | (0b0_0100 << CAP_SAGAW_SHIFT)
            | ((57 - 1) << CAP_MGAW_SHIFT)
            | CAP_FL1GP;
        if self.five_level {
            cap |= CAP_5LP;
        }
        cap
    }

    /// ECAP_REG: queued invalidation, device TLBs, nesting, 20-bit PASIDs (PSS = 19),
    /// scalable mode, first-level translation, and the optional features.
    pub fn ecap_reg(&self) -> u64 {
        let mut ecap = ECAP_QIS
            | ECAP_DT
            | ECAP_NEST
            | (19 << ECAP_PSS_SHIFT)
            | ECAP_PASID
            | ECAP_SMTS
            | ECAP_FLTS;
        if self.supervisor_requests {
            ecap |= ECAP_SRS;
        }
        if self.extended_access_flag {
            ecap |= ECAP_EAFS;
        }
        if self.page_requests {
            ecap |= ECAP_PRS;
        }
        if self.snoop_control {
            ecap |= ECAP_SC;
        }
        ecap
    }
}

/// 5-level first-level paging (`cap_5lp_support`).
pub fn cap_5lp_support(cap: u64) -> bool {
    cap & CAP_5LP != 0
}

/// Supervisor requests (`ecap_srs`).
pub fn ecap_srs(ecap: u64) -> bool {
    ecap & ECAP_SRS != 0
}

/// Extended accessed flag (`ecap_eafs`).
pub fn ecap_eafs(ecap: u64) -> bool {
    ecap & ECAP_EAFS != 0
}

/// Nested translation (`ecap_nest`).
pub fn ecap_nest(ecap: u64) -> bool {
    ecap & ECAP_NEST != 0
}
