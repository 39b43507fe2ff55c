//! Bindings generated at build time by `uapigen::Builder` (see build.rs).
#![no_std]

include!(concat!(env!("OUT_DIR"), "/uapigen.rs"));

#[cfg(test)]
mod tests {
    extern crate std;
    use std::path::Path;

    /// The build script's files are the CLI's, byte for byte.
    #[test]
    fn builder_output_equals_the_cli_output() {
        let out = Path::new(env!("OUT_DIR"));
        let generated = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../generated");
        for (built, cli) in [
            ("iommu.rs", "rust/src/iommu.rs"),
            ("iommufd.rs", "rust/src/iommufd.rs"),
            ("include/uapi/linux/iommu.h", "include/uapi/linux/iommu.h"),
            (
                "include/uapi/linux/iommufd.h",
                "include/uapi/linux/iommufd.h",
            ),
            (
                "include/uapigen/iommufd_validate.h",
                "include/uapigen/iommufd_validate.h",
            ),
            ("include/uapigen/uaccess.h", "include/uapigen/uaccess.h"),
        ] {
            let a = std::fs::read_to_string(out.join(built)).unwrap();
            let b = std::fs::read_to_string(generated.join(cli)).unwrap();
            assert!(a == b, "{built} differs from generated/{cli}");
        }
    }

    /// The modules are usable: layouts, constants and validators.
    #[test]
    fn the_generated_modules_work() {
        use crate::iommufd::{IommuHwptInvalidate, IOMMU_HWPT_INVALIDATE};
        assert_eq!(core::mem::size_of::<IommuHwptInvalidate>(), 32);
        assert_eq!(IOMMU_HWPT_INVALIDATE, 0x3b8d);
        struct Mem([u8; 32]);
        impl uapigen_uaccess::UserMemory for Mem {
            fn copy_from_user(&self, dst: &mut [u8], addr: u64) -> usize {
                let a = addr as usize;
                if a + dst.len() > 32 {
                    return dst.len();
                }
                dst.copy_from_slice(&self.0[a..a + dst.len()]);
                0
            }
        }
        let mut m = Mem([0; 32]);
        m.0[0] = 32;
        assert!(IommuHwptInvalidate::copy_from_user(&m, 0).is_ok());
        m.0[28] = 1; // __reserved
        assert_eq!(
            IommuHwptInvalidate::copy_from_user(&m, 0)
                .unwrap_err()
                .errno,
            uapigen_uaccess::Errno::EOPNOTSUPP
        );
        assert_eq!(crate::iommu::IOMMU_PASID_FORMAT_INTEL_VTD, 1);
    }
}
