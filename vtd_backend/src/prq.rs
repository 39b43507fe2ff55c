//! Page requests: the 256-bit page request descriptor a device's PRI message becomes
//! (`struct page_req_dsc`, `drivers/iommu/intel/svm.c` v5.10: qw0 `type:8, pasid_present:1,
//! priv_data_present:1, rsvd:6, rid:16, pasid:20, exe_req:1, pm_req:1`; qw1 `rd_req:1,
//! wr_req:1, lpig:1, prg_index:9, addr:52`; then `priv_data[2]`).

/// The descriptor type the model writes in bits 7:0 (VT-d spec "page request descriptor",
/// type 01h; Linux never reads the field).
pub const PRQ_DESC_TYPE: u64 = 0x1;

/// A page request as the device sends it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PageRequest {
    /// Requester id (bus << 8 | devfn).
    pub rid: u16,
    /// The PASID, if the request carries one.
    pub pasid: Option<u32>,
    /// The faulting address (its page is what counts).
    pub addr: u64,
    /// Read access requested.
    pub read: bool,
    /// Write access requested.
    pub write: bool,
    /// Execute access requested.
    pub exec: bool,
    /// Privileged-mode access requested.
    pub privileged: bool,
    /// Page request group index (9 bits).
    pub grpid: u16,
    /// Last page in group.
    pub last: bool,
    /// Private data the response must echo, if any.
    pub priv_data: Option<[u64; 2]>,
}

impl PageRequest {
    /// The page request descriptor, `[qw0, qw1, qw2, qw3]`.
    pub fn encode(&self) -> [u64; 4] {
        let qw0 = PRQ_DESC_TYPE
            | ((self.pasid.is_some() as u64) << 8)
            | ((self.priv_data.is_some() as u64) << 9)
            | ((self.rid as u64) << 16)
            | (((self.pasid.unwrap_or(0) as u64) & 0xfffff) << 32)
            | ((self.exec as u64) << 52)
            | ((self.privileged as u64) << 53);
        let qw1 = (self.read as u64)
            | ((self.write as u64) << 1)
            | ((self.last as u64) << 2)
            | (((self.grpid as u64) & 0x1ff) << 3)
            | (self.addr & !0xfff);
        let [qw2, qw3] = self.priv_data.unwrap_or([0, 0]);
        [qw0, qw1, qw2, qw3]
    }

    /// What the driver reads back out of a descriptor.
    pub fn decode(d: [u64; 4]) -> PageRequest {
        let pasid_present = d[0] & (1 << 8) != 0;
        let priv_present = d[0] & (1 << 9) != 0;
        PageRequest {
            rid: (d[0] >> 16) as u16,
            pasid: pasid_present.then_some(((d[0] >> 32) & 0xfffff) as u32),
            addr: d[1] & !0xfff,
            read: d[1] & 1 != 0,
            write: d[1] & 2 != 0,
            exec: d[0] & (1 << 52) != 0,
            privileged: d[0] & (1 << 53) != 0,
            grpid: ((d[1] >> 3) & 0x1ff) as u16,
            last: d[1] & 4 != 0,
            priv_data: priv_present.then_some([d[2], d[3]]),
        }
    }
}
