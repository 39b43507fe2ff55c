//! A model of an Intel VT-d IOMMU and its Linux driver, behind the uapigen runtime's
//! [`Backend`](uapigen_runtime::backend::Backend) trait: scalable-mode PASID tables with real
//! entry bits, a queued-invalidation ring of real descriptors, IOTLB / PASID-cache /
//! device-TLB models those descriptors act on, page requests and page-group responses, and
//! per-VM ownership of PASIDs, domains and devices.
#![warn(missing_docs)]

pub mod cache;
pub mod descriptor;
pub mod driver;
pub mod pasid;
pub mod prq;
pub mod queue;
pub mod regs;

pub use driver::{DeviceConfig, State, VtdIommu};
pub use regs::Features;
