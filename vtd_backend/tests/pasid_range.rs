//! A DMA tagged with a PASID the 20-bit PASID space does not have (PCIe carries 20 bits; a
//! caller of the model can pass any u32) is a translation fault, not an out-of-bounds index
//! into the PASID directory. Found by the `capi` fuzz target (FUZZING.md).

mod common;

use common::*;
use vtd_backend::pasid::PASID_MAX;
use vtd_backend::{DeviceConfig, Features};

#[test]
fn a_pasid_beyond_the_pasid_space_faults() {
    let iommu = iommu(Features::default());
    let vm = vm(&iommu, 1, 0x0200, DeviceConfig::default());
    let _ = &vm;
    // Before the fix each of these indexed the 16384-entry directory out of bounds.
    for pasid in [PASID_MAX, PASID_MAX + 1, 22_895_965, u32::MAX] {
        assert!(
            iommu.translate(0x0200, Some(pasid), 0x1000).is_none(),
            "PASID {pasid:#x} translated"
        );
    }
}
