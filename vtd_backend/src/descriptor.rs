//! Queued-invalidation descriptors, bit for bit: REFERENCE.md §5 (`include/linux/intel-iommu.h`,
//! v5.10). Each builder is the driver function named in its doc comment; a descriptor is
//! `struct qi_desc` (four u64), of which the 128-bit descriptors use `qw0` and `qw1`.

/// VT-d pages are 4 KiB.
pub const VTD_PAGE_SHIFT: u32 = 12;
/// The page-frame bits of an address.
pub const VTD_PAGE_MASK: u64 = !((1u64 << VTD_PAGE_SHIFT) - 1);

/// Context-cache invalidation.
pub const QI_CC_TYPE: u64 = 0x1;
/// IOTLB invalidation.
pub const QI_IOTLB_TYPE: u64 = 0x2;
/// Device-TLB invalidation.
pub const QI_DIOTLB_TYPE: u64 = 0x3;
/// Interrupt-entry-cache invalidation.
pub const QI_IEC_TYPE: u64 = 0x4;
/// Invalidation wait.
pub const QI_IWD_TYPE: u64 = 0x5;
/// PASID-based IOTLB invalidation.
pub const QI_EIOTLB_TYPE: u64 = 0x6;
/// PASID-cache invalidation.
pub const QI_PC_TYPE: u64 = 0x7;
/// PASID-based device-TLB invalidation.
pub const QI_DEIOTLB_TYPE: u64 = 0x8;
/// Page group response.
pub const QI_PGRP_RESP_TYPE: u64 = 0x9;
/// Page stream response.
pub const QI_PSTRM_RESP_TYPE: u64 = 0xa;

/// PASID-based IOTLB granularity: every non-global page of a PASID.
pub const QI_GRAN_NONG_PASID: u64 = 2;
/// PASID-based IOTLB granularity: pages of a PASID (page-selective-within-PASID).
pub const QI_GRAN_PSI_PASID: u64 = 3;
/// PASID-cache granularity: every PASID of a domain.
pub const QI_PC_ALL_PASIDS: u64 = 0;
/// PASID-cache granularity: one PASID.
pub const QI_PC_PASID_SEL: u64 = 1;
/// PASID-based device-TLB descriptor's G bit set: global mappings, every PASID.
pub const QI_DEV_IOTLB_GRAN_ALL: u64 = 1;
/// PASID-based device-TLB descriptor's G bit clear: the one PASID.
pub const QI_DEV_IOTLB_GRAN_PASID_SEL: u64 = 0;
/// Device-TLB invalidations in flight per device (`QI_DEV_EIOTLB_MAX_INVS`).
pub const QI_DEV_EIOTLB_MAX_INVS: u16 = 32;

/// Page response: success.
pub const QI_RESP_SUCCESS: u64 = 0x0;
/// Page response: invalid request.
pub const QI_RESP_INVALID: u64 = 0x1;
/// Page response: response failure.
pub const QI_RESP_FAILURE: u64 = 0xf;

/// `QI_IWD_STATUS_DATA(d)` is `d << 32`, `QI_IWD_STATUS_WRITE` bit 5, `QI_IWD_FENCE` bit 6
/// (`include/linux/intel-iommu.h` v5.10); `QI_DONE` is 2 (its `enum { QI_FREE, QI_IN_USE,
/// QI_DONE, QI_ABORT }`).
pub const QI_IWD_STATUS_WRITE: u64 = 1 << 5;
/// Invalidation wait: fence.
pub const QI_IWD_FENCE: u64 = 1 << 6;
/// The value an invalidation wait writes to its status slot.
pub const QI_DONE: u64 = 2;

/// `struct qi_desc`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct QiDesc {
    /// Bits 63:0.
    pub qw0: u64,
    /// Bits 127:64.
    pub qw1: u64,
    /// Bits 191:128 (256-bit descriptors only).
    pub qw2: u64,
    /// Bits 255:192 (256-bit descriptors only).
    pub qw3: u64,
}

impl QiDesc {
    /// The descriptor type (bits 3:0).
    pub fn ty(&self) -> u64 {
        self.qw0 & 0xf
    }
}

/// `ilog2(__roundup_pow_of_two(npages))`: the address mask (AM) covering `npages` pages.
/// `npages` above 2^63 has no power of two in a u64; the kernel's `__roundup_pow_of_two` is
/// undefined there, the model uses 63 (the AM field keeps 6 bits).
pub fn npages_to_am(npages: u64) -> u32 {
    if npages <= 1 {
        0
    } else {
        (64 - (npages - 1).leading_zeros()).min(63)
    }
}

/// `qi_flush_piotlb(iommu, did, pasid, addr, npages, ih)`: `npages == u64::MAX` (the driver's
/// -1) is PASID-selective (non-global) invalidation, anything else page-selective with
/// `AM = ilog2(roundup_pow_of_two(npages))` and `addr` aligned down to the AM (the driver warns
/// and aligns). `None` for `npages == 0` (the driver warns and submits nothing).
pub fn piotlb(did: u16, pasid: u32, addr: u64, npages: u64, ih: bool) -> Option<QiDesc> {
    if npages == 0 {
        return None;
    }
    let qw0_common = ((pasid as u64) << 32) | ((did as u64) << 16) | QI_EIOTLB_TYPE;
    if npages == u64::MAX {
        return Some(QiDesc {
            qw0: qw0_common | (QI_GRAN_NONG_PASID << 4),
            ..QiDesc::default()
        });
    }
    let am = npages_to_am(npages);
    let align_mask = if VTD_PAGE_SHIFT + am >= 64 {
        u64::MAX
    } else {
        (1u64 << (VTD_PAGE_SHIFT + am)) - 1
    };
    let addr = addr & !align_mask;
    Some(QiDesc {
        qw0: qw0_common | (QI_GRAN_PSI_PASID << 4),
        qw1: (addr & VTD_PAGE_MASK) | ((ih as u64) << 6) | (am as u64 & 0x3f),
        ..QiDesc::default()
    })
}

/// The PFSID split of `QI_DEV_EIOTLB_PFSID` / `QI_DEV_IOTLB_PFSID`: bits 3:0 at 15:12, bits
/// 15:4 at 63:52.
fn pfsid_bits(pfsid: u16) -> u64 {
    (((pfsid as u64) & 0xf) << 12) | ((((pfsid as u64) >> 4) & 0xfff) << 52)
}

/// The S-bit range encoding of device-TLB invalidations (VT-d spec 6.5.2.6): with
/// `size_order` > 0, address bits `12 .. 12+size_order-2` are set, bit `12+size_order-1` is
/// clear, and the S bit says "more than one page".
fn devtlb_addr(addr: u64, size_order: u32, s_bit: u64) -> u64 {
    let mut qw1 = addr & VTD_PAGE_MASK;
    if size_order > 0 {
        let top = VTD_PAGE_SHIFT + size_order - 1; // the bit that must be 0
        let ones = if top >= 64 {
            u64::MAX
        } else {
            (1u64 << top) - 1
        };
        qw1 |= ones & VTD_PAGE_MASK;
        if top < 64 {
            qw1 &= !(1u64 << top);
        }
        qw1 |= s_bit;
    }
    qw1
}

/// `qi_flush_dev_iotlb_pasid(iommu, sid, pfsid, pasid, qdep, addr, size_order)` (v5.10):
/// PASID-based device-TLB invalidation.
pub fn dev_iotlb_pasid(
    sid: u16,
    pfsid: u16,
    pasid: u32,
    qdep: u16,
    addr: u64,
    size_order: u32,
) -> QiDesc {
    QiDesc {
        qw0: (((pasid as u64) & 0xfffff) << 32)
            | ((sid as u64) << 16)
            | (((qdep as u64) & 0x1f) << 4)
            | QI_DEIOTLB_TYPE
            | pfsid_bits(pfsid),
        qw1: devtlb_addr(addr, size_order, 1 << 11),
        ..QiDesc::default()
    }
}

/// `qi_flush_dev_iotlb(iommu, sid, pfsid, qdep, addr, mask)` (v6.8; what a nested domain's
/// user invalidation sends for its RID): device-TLB invalidation without PASID. Fields from
/// `include/linux/intel-iommu.h` v5.10: `QI_DEV_IOTLB_SID(sid)` `sid << 32`,
/// `QI_DEV_IOTLB_QDEP(q)` `(q & 0x1f) << 16`, `QI_DEV_IOTLB_SIZE` bit 0, and a `qdep` of
/// `QI_DEV_IOTLB_MAX_INVS` (32) or more sent as 0.
pub fn dev_iotlb(sid: u16, pfsid: u16, qdep: u16, addr: u64, mask: u32) -> QiDesc {
    let qdep = if qdep >= QI_DEV_EIOTLB_MAX_INVS {
        0
    } else {
        qdep
    };
    QiDesc {
        qw0: ((sid as u64) << 32)
            | (((qdep as u64) & 0x1f) << 16)
            | QI_DIOTLB_TYPE
            | pfsid_bits(pfsid),
        qw1: devtlb_addr(addr, mask, 1),
        ..QiDesc::default()
    }
}

/// `pasid_cache_invalidation_with_pasid(iommu, did, pasid)`: PASID-selective PASID-cache
/// invalidation.
pub fn pasid_cache(did: u16, pasid: u32, gran: u64) -> QiDesc {
    QiDesc {
        qw0: ((pasid as u64) << 32) | ((did as u64) << 16) | (gran << 4) | QI_PC_TYPE,
        ..QiDesc::default()
    }
}

/// The invalidation wait descriptor `qi_submit_sync` appends: write `QI_DONE` to the status
/// address when everything before it has completed.
pub fn wait(status_addr: u64) -> QiDesc {
    QiDesc {
        qw0: (QI_DONE << 32) | QI_IWD_STATUS_WRITE | QI_IWD_TYPE,
        qw1: status_addr,
        ..QiDesc::default()
    }
}

/// The page group response (`intel_svm_page_response`, v5.10): `QI_PGRP_PASID`,
/// `QI_PGRP_DID(rid)` (the requester id), `QI_PGRP_PASID_P`, `QI_PGRP_PDP`,
/// `QI_PGRP_RESP_CODE`, `QI_PGRP_IDX`, `QI_PGRP_LPIG`; private data in qw2/qw3.
#[allow(clippy::too_many_arguments)]
pub fn page_group_response(
    rid: u16,
    pasid: u32,
    pasid_present: bool,
    priv_data: Option<[u64; 2]>,
    resp_code: u64,
    grpid: u32,
    last_page: bool,
) -> QiDesc {
    let [qw2, qw3] = priv_data.unwrap_or([0, 0]);
    QiDesc {
        qw0: ((pasid as u64) << 32)
            | ((rid as u64) << 16)
            | (resp_code << 12)
            | ((priv_data.is_some() as u64) << 5)
            | ((pasid_present as u64) << 4)
            | QI_PGRP_RESP_TYPE,
        qw1: ((grpid as u64) << 3) | ((last_page as u64) << 2),
        qw2,
        qw3,
    }
}

/// The byte range (first page, page count) a device-TLB descriptor's address covers.
pub fn devtlb_range(qw1: u64, s_bit: u64) -> (u64, u64) {
    let addr = qw1 & VTD_PAGE_MASK;
    if qw1 & s_bit == 0 {
        return (addr >> VTD_PAGE_SHIFT, 1);
    }
    // The lowest clear bit at or above 12 gives the size: bit 12+k clear means 2^(k+1) pages.
    let ones = (!(addr >> VTD_PAGE_SHIFT)).trailing_zeros();
    if ones >= 52 {
        return (0, u64::MAX);
    }
    let pages = 1u64 << (ones + 1);
    ((addr >> VTD_PAGE_SHIFT) & !(pages - 1), pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_masks_round_up_to_a_power_of_two() {
        let cases = [
            (1, 0),
            (2, 1),
            (3, 2),
            (4, 2),
            (5, 3),
            (512, 9),
            (513, 10),
            (1 << 40, 40),
        ];
        for (npages, am) in cases {
            assert_eq!(npages_to_am(npages), am, "{npages} pages");
        }
    }

    /// Every size order encodes to the range it names, at every aligned address.
    #[test]
    fn device_tlb_ranges_decode_to_what_was_encoded() {
        for order in 0..20u32 {
            for base in [0u64, 1 << 20, 0x7_0000_0000] {
                let addr = base & !((1u64 << (VTD_PAGE_SHIFT + order)) - 1);
                let d = dev_iotlb_pasid(1, 2, 3, 4, addr, order);
                assert_eq!(
                    devtlb_range(d.qw1, 1 << 11),
                    (addr >> VTD_PAGE_SHIFT, 1u64 << order),
                    "order {order}"
                );
                let d = dev_iotlb(1, 2, 4, addr, order);
                assert_eq!(
                    devtlb_range(d.qw1, 1),
                    (addr >> VTD_PAGE_SHIFT, 1u64 << order),
                    "order {order}"
                );
            }
        }
        let all = dev_iotlb_pasid(1, 2, 3, 4, 0, 52);
        assert_eq!(devtlb_range(all.qw1, 1 << 11).1, 1u64 << 52);
    }
}
