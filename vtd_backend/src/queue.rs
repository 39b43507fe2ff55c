//! The invalidation queue: a ring of `QI_LENGTH` descriptors that the driver fills at the tail
//! (`qi_submit_sync`) and the hardware consumes from the head, acting on the caches.

use crate::cache::{DeviceTlb, Iotlb, PasidCache};
use crate::descriptor::*;

/// `QI_LENGTH`: the ring holds 256 descriptors.
pub const QI_LENGTH: usize = 256;

/// Where the model's `desc_status` words live: slot `i` at `QI_STATUS_BASE + 4 * i`, the
/// address an invalidation wait descriptor writes `QI_DONE` to.
pub const QI_STATUS_BASE: u64 = 0x7f00_0000;

/// A page group response the hardware delivered to a device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DeliveredResponse {
    /// The device answered.
    pub rid: u16,
    /// The PASID, if the response carries one.
    pub pasid: Option<u32>,
    /// Page request group index.
    pub grpid: u32,
    /// VT-d response code.
    pub code: u64,
    /// Last page in group.
    pub last_page: bool,
    /// Private data echoed back.
    pub priv_data: Option<[u64; 2]>,
}

/// The caches and the queue: what the hardware holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hardware {
    /// The IOTLB.
    pub iotlb: Iotlb,
    /// The PASID cache.
    pub pasid_cache: PasidCache,
    /// Every device's TLB.
    pub devtlb: DeviceTlb,
    ring: Vec<QiDesc>,
    status: Vec<u32>,
    /// Descriptors ever written; the tail is `submitted % QI_LENGTH`.
    submitted: u64,
    /// Page group responses the devices received, oldest first.
    pub responses: Vec<DeliveredResponse>,
}

impl Default for Hardware {
    fn default() -> Self {
        Hardware {
            iotlb: Iotlb::default(),
            pasid_cache: PasidCache::default(),
            devtlb: DeviceTlb::default(),
            ring: vec![QiDesc::default(); QI_LENGTH],
            status: vec![0; QI_LENGTH],
            submitted: 0,
            responses: Vec::new(),
        }
    }
}

impl Hardware {
    /// How many descriptors were ever submitted: a mark for [`Hardware::since`].
    pub fn mark(&self) -> u64 {
        self.submitted
    }

    /// The descriptors submitted after `mark`, oldest first (at most the ring's length).
    pub fn since(&self, mark: u64) -> Vec<QiDesc> {
        let n = (self.submitted - mark).min(QI_LENGTH as u64);
        (self.submitted - n..self.submitted)
            .map(|i| self.ring[(i % QI_LENGTH as u64) as usize])
            .collect()
    }

    /// `qi_submit_sync`: writes `descs` and an invalidation wait descriptor at the tail, and
    /// the hardware executes them in order before the call returns.
    pub fn submit_sync(&mut self, descs: &[QiDesc]) {
        if descs.is_empty() {
            return;
        }
        let wait_slot = ((self.submitted + descs.len() as u64) % QI_LENGTH as u64) as usize;
        for d in descs
            .iter()
            .copied()
            .chain(std::iter::once(wait(QI_STATUS_BASE + 4 * wait_slot as u64)))
        {
            let slot = (self.submitted % QI_LENGTH as u64) as usize;
            self.ring[slot] = d;
            self.submitted += 1;
            self.execute(d);
        }
    }

    fn execute(&mut self, d: QiDesc) {
        match d.ty() {
            QI_EIOTLB_TYPE => {
                let did = (d.qw0 >> 16) as u16;
                let pasid = ((d.qw0 >> 32) & 0xfffff) as u32;
                match (d.qw0 >> 4) & 0x3 {
                    QI_GRAN_NONG_PASID => {
                        self.iotlb.invalidate(did, pasid, 0, u64::MAX);
                    }
                    QI_GRAN_PSI_PASID => {
                        let am = (d.qw1 & 0x3f) as u32;
                        let pages = 1u64.checked_shl(am).unwrap_or(u64::MAX);
                        let first = (d.qw1 >> VTD_PAGE_SHIFT) & !(pages.wrapping_sub(1));
                        self.iotlb.invalidate(did, pasid, first, pages);
                    }
                    _ => {}
                }
            }
            QI_DEIOTLB_TYPE => {
                let sid = (d.qw0 >> 16) as u16;
                let pasid = ((d.qw0 >> 32) & 0xfffff) as u32;
                let (first, pages) = devtlb_range(d.qw1, 1 << 11);
                self.devtlb.invalidate(sid, Some(pasid), first, pages);
            }
            QI_DIOTLB_TYPE => {
                let sid = (d.qw0 >> 32) as u16;
                let (first, pages) = devtlb_range(d.qw1, 1);
                self.devtlb.invalidate(sid, None, first, pages);
            }
            QI_PC_TYPE => {
                let did = (d.qw0 >> 16) as u16;
                let pasid = (d.qw0 >> 32) as u32;
                let selective = (d.qw0 >> 4) & 0x3 == QI_PC_PASID_SEL;
                self.pasid_cache.invalidate(did, selective.then_some(pasid));
            }
            QI_IWD_TYPE => {
                let slot = ((d.qw1 - QI_STATUS_BASE) / 4) as usize % QI_LENGTH;
                self.status[slot] = (d.qw0 >> 32) as u32;
            }
            QI_PGRP_RESP_TYPE => {
                let pasid_present = d.qw0 & (1 << 4) != 0;
                let pdp = d.qw0 & (1 << 5) != 0;
                self.responses.push(DeliveredResponse {
                    rid: (d.qw0 >> 16) as u16,
                    pasid: pasid_present.then_some(((d.qw0 >> 32) & 0xfffff) as u32),
                    grpid: ((d.qw1 >> 3) & 0x1ff) as u32,
                    code: (d.qw0 >> 12) & 0xf,
                    last_page: d.qw1 & (1 << 2) != 0,
                    priv_data: pdp.then_some([d.qw2, d.qw3]),
                });
            }
            // The model's driver never writes other types; real hardware would raise an
            // invalidation queue error (IQE).
            _ => {}
        }
    }
}
