//! The kernel side of the uAPI, in Rust. A front end takes a user pointer, copies and
//! validates the bytes behind it with the validators uapigen generated from the schema, and
//! hands the typed result to a [`backend::Backend`] (the VT-d model in `vtd_backend/`).
//!
//! - [`envelope`]: the 2020 IOMMU uAPI (`iommu_gpasid_bind_data`, `iommu_cache_invalidate_info`,
//!   `iommu_page_response`) behind the VFIO-style `{argsz, flags, data[]}` envelope of the seed
//!   thread, plus the fault records a VMM reads.
//! - [`iommufd`]: iommufd ioctls as v6.8 handles them (`IOMMU_IOAS_ALLOC`, `IOMMU_HWPT_ALLOC`,
//!   `IOMMU_GET_HW_INFO`, `IOMMU_HWPT_INVALIDATE`, `IOMMU_DESTROY`), at any revision of the
//!   schema (`Iommufd::at_revision`).
//!
//! Both copy at a revision of the schema: the container at its backend's
//! ([`backend::Backend::iommu_revision`]), an iommufd context at its own.
#![warn(missing_docs)]

pub mod backend;
mod bounded;
pub mod envelope;
pub mod iommufd;
mod revision;

pub use uapigen_uaccess::{Errno, Rejected, UserMemory, UserMemoryWrite};
