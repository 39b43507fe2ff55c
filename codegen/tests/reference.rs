//! Every size, offset and constant that ../shared/REFERENCE.md §1 (v5.10 iommu.h) and §6/§7
//! (iommufd.h) gives, checked twice: against the IR's layout, and by the C compiler against the
//! committed generated headers (so the headers, not just the generator, carry the kernel's bytes).

mod common;

use common::*;

/// (struct, sizeof, [(member, offset, size)]) as REFERENCE.md gives them for x86-64.
type Expect = (&'static str, u64, &'static [(&'static str, u64, u64)]);

const IOMMU: &[Expect] = &[
    (
        "iommu_fault_unrecoverable",
        32,
        &[
            ("reason", 0, 4),
            ("flags", 4, 4),
            ("pasid", 8, 4),
            ("perm", 12, 4),
            ("addr", 16, 8),
            ("fetch_addr", 24, 8),
        ],
    ),
    (
        "iommu_fault_page_request",
        40,
        &[
            ("flags", 0, 4),
            ("pasid", 4, 4),
            ("grpid", 8, 4),
            ("perm", 12, 4),
            ("addr", 16, 8),
            ("private_data", 24, 16),
        ],
    ),
    (
        "iommu_fault",
        64,
        &[
            ("type", 0, 4),
            ("padding", 4, 4),
            ("event", 8, 32),
            ("prm", 8, 40),
            ("padding2", 8, 56),
        ],
    ),
    (
        "iommu_inv_pasid_info",
        16,
        &[("flags", 0, 4), ("archid", 4, 4), ("pasid", 8, 8)],
    ),
    (
        "iommu_inv_addr_info",
        40,
        &[
            ("flags", 0, 4),
            ("archid", 4, 4),
            ("pasid", 8, 8),
            ("addr", 16, 8),
            ("granule_size", 24, 8),
            ("nb_granules", 32, 8),
        ],
    ),
    (
        "iommu_gpasid_bind_data_vtd",
        16,
        &[("flags", 0, 8), ("pat", 8, 4), ("emt", 12, 4)],
    ),
    (
        "iommu_page_response",
        24,
        &[
            ("argsz", 0, 4),
            ("version", 4, 4),
            ("flags", 8, 4),
            ("pasid", 12, 4),
            ("grpid", 16, 4),
            ("code", 20, 4),
        ],
    ),
    (
        "iommu_cache_invalidate_info",
        56,
        &[
            ("argsz", 0, 4),
            ("version", 4, 4),
            ("cache", 8, 1),
            ("granularity", 9, 1),
            ("padding", 10, 6),
            ("granu", 16, 40),
            ("granu.pasid_info", 16, 16),
            ("granu.addr_info", 16, 40),
        ],
    ),
    (
        "iommu_gpasid_bind_data",
        72,
        &[
            ("argsz", 0, 4),
            ("version", 4, 4),
            ("format", 8, 4),
            ("addr_width", 12, 4),
            ("flags", 16, 8),
            ("gpgd", 24, 8),
            ("hpasid", 32, 8),
            ("gpasid", 40, 8),
            ("padding", 48, 8),
            ("vendor", 56, 16),
            ("vendor.vtd", 56, 16),
        ],
    ),
];

const IOMMUFD: &[Expect] = &[
    ("iommu_destroy", 8, &[("size", 0, 4), ("id", 4, 4)]),
    (
        "iommu_ioas_alloc",
        12,
        &[("size", 0, 4), ("flags", 4, 4), ("out_ioas_id", 8, 4)],
    ),
    ("iommu_iova_range", 16, &[("start", 0, 8), ("last", 8, 8)]),
    (
        "iommu_ioas_iova_ranges",
        32,
        &[
            ("size", 0, 4),
            ("ioas_id", 4, 4),
            ("num_iovas", 8, 4),
            ("__reserved", 12, 4),
            ("allowed_iovas", 16, 8),
            ("out_iova_alignment", 24, 8),
        ],
    ),
    (
        "iommu_ioas_allow_iovas",
        24,
        &[
            ("size", 0, 4),
            ("ioas_id", 4, 4),
            ("num_iovas", 8, 4),
            ("__reserved", 12, 4),
            ("allowed_iovas", 16, 8),
        ],
    ),
    (
        "iommu_ioas_map",
        40,
        &[
            ("size", 0, 4),
            ("flags", 4, 4),
            ("ioas_id", 8, 4),
            ("__reserved", 12, 4),
            ("user_va", 16, 8),
            ("length", 24, 8),
            ("iova", 32, 8),
        ],
    ),
    (
        "iommu_ioas_copy",
        40,
        &[
            ("size", 0, 4),
            ("flags", 4, 4),
            ("dst_ioas_id", 8, 4),
            ("src_ioas_id", 12, 4),
            ("length", 16, 8),
            ("dst_iova", 24, 8),
            ("src_iova", 32, 8),
        ],
    ),
    (
        "iommu_ioas_unmap",
        24,
        &[
            ("size", 0, 4),
            ("ioas_id", 4, 4),
            ("iova", 8, 8),
            ("length", 16, 8),
        ],
    ),
    (
        "iommu_option",
        24,
        &[
            ("size", 0, 4),
            ("option_id", 4, 4),
            ("op", 8, 2),
            ("__reserved", 10, 2),
            ("object_id", 12, 4),
            ("val64", 16, 8),
        ],
    ),
    (
        "iommu_vfio_ioas",
        12,
        &[
            ("size", 0, 4),
            ("ioas_id", 4, 4),
            ("op", 8, 2),
            ("__reserved", 10, 2),
        ],
    ),
    (
        "iommu_hwpt_vtd_s1",
        24,
        &[
            ("flags", 0, 8),
            ("pgtbl_addr", 8, 8),
            ("addr_width", 16, 4),
            ("__reserved", 20, 4),
        ],
    ),
    (
        "iommu_hwpt_alloc",
        40,
        &[
            ("size", 0, 4),
            ("flags", 4, 4),
            ("dev_id", 8, 4),
            ("pt_id", 12, 4),
            ("out_hwpt_id", 16, 4),
            ("__reserved", 20, 4),
            ("data_type", 24, 4),
            ("data_len", 28, 4),
            ("data_uptr", 32, 8),
        ],
    ),
    (
        "iommu_hw_info_vtd",
        24,
        &[
            ("flags", 0, 4),
            ("__reserved", 4, 4),
            ("cap_reg", 8, 8),
            ("ecap_reg", 16, 8),
        ],
    ),
    (
        "iommu_hw_info",
        40,
        &[
            ("size", 0, 4),
            ("flags", 4, 4),
            ("dev_id", 8, 4),
            ("data_len", 12, 4),
            ("data_uptr", 16, 8),
            ("out_data_type", 24, 4),
            ("__reserved", 28, 4),
            ("out_capabilities", 32, 8),
        ],
    ),
    (
        "iommu_hwpt_set_dirty_tracking",
        16,
        &[
            ("size", 0, 4),
            ("flags", 4, 4),
            ("hwpt_id", 8, 4),
            ("__reserved", 12, 4),
        ],
    ),
    (
        "iommu_hwpt_get_dirty_bitmap",
        48,
        &[
            ("size", 0, 4),
            ("hwpt_id", 4, 4),
            ("flags", 8, 4),
            ("__reserved", 12, 4),
            ("iova", 16, 8),
            ("length", 24, 8),
            ("page_size", 32, 8),
            ("data", 40, 8),
        ],
    ),
    (
        "iommu_hwpt_vtd_s1_invalidate",
        24,
        &[
            ("addr", 0, 8),
            ("npages", 8, 8),
            ("flags", 16, 4),
            ("__reserved", 20, 4),
        ],
    ),
    (
        "iommu_hwpt_invalidate",
        32,
        &[
            ("size", 0, 4),
            ("hwpt_id", 4, 4),
            ("data_uptr", 8, 8),
            ("data_type", 16, 4),
            ("entry_len", 20, 4),
            ("entry_num", 24, 4),
            ("__reserved", 28, 4),
        ],
    ),
];

/// What REFERENCE.md §7 gives for the latest revisions (v6.11 to v6.17), where it differs from
/// v6.8 or is new: the committed header is the latest revision.
const IOMMUFD_LATEST: &[Expect] = &[
    (
        "iommu_hwpt_alloc",
        48,
        &[
            ("data_uptr", 32, 8),
            ("fault_id", 40, 4),
            ("__reserved2", 44, 4),
        ],
    ),
    (
        "iommu_hw_info",
        40,
        &[
            ("out_data_type", 24, 4),
            ("in_data_type", 24, 4),
            ("out_max_pasid_log2", 28, 1),
            ("__reserved", 29, 3),
            ("out_capabilities", 32, 8),
        ],
    ),
    (
        "iommu_fault_alloc",
        16,
        &[
            ("size", 0, 4),
            ("flags", 4, 4),
            ("out_fault_id", 8, 4),
            ("out_fault_fd", 12, 4),
        ],
    ),
    (
        "iommu_hwpt_page_response",
        8,
        &[("cookie", 0, 4), ("code", 4, 4)],
    ),
    (
        "iommu_viommu_alloc",
        40,
        &[
            ("size", 0, 4),
            ("flags", 4, 4),
            ("type", 8, 4),
            ("dev_id", 12, 4),
            ("hwpt_id", 16, 4),
            ("out_viommu_id", 20, 4),
            ("data_len", 24, 4),
            ("__reserved", 28, 4),
            ("data_uptr", 32, 8),
        ],
    ),
    (
        "iommu_vdevice_alloc",
        24,
        &[
            ("size", 0, 4),
            ("viommu_id", 4, 4),
            ("dev_id", 8, 4),
            ("out_vdevice_id", 12, 4),
            ("virt_id", 16, 8),
        ],
    ),
];

const IOMMUFD_LATEST_CONSTANTS: &[(&str, u64)] = &[
    ("IOMMU_FAULT_QUEUE_ALLOC", 0x3b8e),
    ("IOMMU_IOAS_MAP_FILE", 0x3b8f),
    ("IOMMU_VIOMMU_ALLOC", 0x3b90),
    ("IOMMU_VDEVICE_ALLOC", 0x3b91),
    ("IOMMU_IOAS_CHANGE_PROCESS", 0x3b92),
    ("IOMMU_VEVENTQ_ALLOC", 0x3b93),
    ("IOMMU_HW_QUEUE_ALLOC", 0x3b94),
    ("IOMMU_HWPT_FAULT_ID_VALID", 4),
    ("IOMMU_HWPT_ALLOC_PASID", 8),
    ("IOMMU_HW_CAP_PCI_PASID_EXEC", 2),
    ("IOMMU_HW_CAP_PCI_PASID_PRIV", 4),
    ("IOMMU_HW_INFO_TYPE_DEFAULT", 0),
    ("IOMMUFD_PAGE_RESP_SUCCESS", 0),
    ("IOMMUFD_PAGE_RESP_INVALID", 1),
    ("IOMMU_HWPT_DATA_ARM_SMMUV3", 2),
    ("IOMMU_HW_INFO_TYPE_ARM_SMMUV3", 2),
    ("IOMMU_VIOMMU_TYPE_ARM_SMMUV3", 1),
    ("IOMMU_HW_INFO_FLAG_INPUT_TYPE", 1),
];

/// The latest iommufd revision against §7, in the IR.
#[test]
fn iommufd_latest_revision_matches_reference_7() {
    let families = real_families();
    let c = family(&families, "iommufd");
    for (name, size, members) in IOMMUFD_LATEST {
        let si = c
            .family
            .structs
            .iter()
            .position(|s| s.name == *name)
            .unwrap_or_else(|| panic!("{name}"));
        for l in c.layouts.iter() {
            assert_eq!(l.structs[si].size, *size, "{name} on {}", l.target.triple);
            for (path, off, msize) in *members {
                let m = l.structs[si]
                    .member(path)
                    .unwrap_or_else(|| panic!("{name}.{path}"));
                assert_eq!((m.offset, m.size), (*off, *msize), "{name}.{path}");
            }
        }
    }
    for (name, value) in IOMMUFD_LATEST_CONSTANTS {
        assert_eq!(
            c.family
                .constants()
                .find(|k| k.name == *name)
                .map(|k| k.value),
            Some(*value),
            "{name}"
        );
    }
}

const IOMMU_CONSTANTS: &[(&str, u64)] = &[
    ("IOMMU_FAULT_PERM_READ", 1),
    ("IOMMU_FAULT_PERM_WRITE", 2),
    ("IOMMU_FAULT_PERM_EXEC", 4),
    ("IOMMU_FAULT_PERM_PRIV", 8),
    ("IOMMU_FAULT_DMA_UNRECOV", 1),
    ("IOMMU_FAULT_PAGE_REQ", 2),
    ("IOMMU_FAULT_REASON_UNKNOWN", 0),
    ("IOMMU_FAULT_REASON_PASID_FETCH", 1),
    ("IOMMU_FAULT_REASON_BAD_PASID_ENTRY", 2),
    ("IOMMU_FAULT_REASON_PASID_INVALID", 3),
    ("IOMMU_FAULT_REASON_WALK_EABT", 4),
    ("IOMMU_FAULT_REASON_PTE_FETCH", 5),
    ("IOMMU_FAULT_REASON_PERMISSION", 6),
    ("IOMMU_FAULT_REASON_ACCESS", 7),
    ("IOMMU_FAULT_REASON_OOR_ADDRESS", 8),
    ("IOMMU_FAULT_UNRECOV_PASID_VALID", 1),
    ("IOMMU_FAULT_UNRECOV_ADDR_VALID", 2),
    ("IOMMU_FAULT_UNRECOV_FETCH_ADDR_VALID", 4),
    ("IOMMU_FAULT_PAGE_REQUEST_PASID_VALID", 1),
    ("IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE", 2),
    ("IOMMU_FAULT_PAGE_REQUEST_PRIV_DATA", 4),
    ("IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID", 8),
    ("IOMMU_PAGE_RESP_SUCCESS", 0),
    ("IOMMU_PAGE_RESP_INVALID", 1),
    ("IOMMU_PAGE_RESP_FAILURE", 2),
    ("IOMMU_PAGE_RESP_VERSION_1", 1),
    ("IOMMU_PAGE_RESP_PASID_VALID", 1),
    ("IOMMU_INV_GRANU_DOMAIN", 0),
    ("IOMMU_INV_GRANU_PASID", 1),
    ("IOMMU_INV_GRANU_ADDR", 2),
    ("IOMMU_INV_GRANU_NR", 3),
    ("IOMMU_INV_ADDR_FLAGS_PASID", 1),
    ("IOMMU_INV_ADDR_FLAGS_ARCHID", 2),
    ("IOMMU_INV_ADDR_FLAGS_LEAF", 4),
    ("IOMMU_INV_PASID_FLAGS_PASID", 1),
    ("IOMMU_INV_PASID_FLAGS_ARCHID", 2),
    ("IOMMU_CACHE_INVALIDATE_INFO_VERSION_1", 1),
    ("IOMMU_CACHE_INV_TYPE_IOTLB", 1),
    ("IOMMU_CACHE_INV_TYPE_DEV_IOTLB", 2),
    ("IOMMU_CACHE_INV_TYPE_PASID", 4),
    ("IOMMU_CACHE_INV_TYPE_NR", 3),
    ("IOMMU_GPASID_BIND_VERSION_1", 1),
    ("IOMMU_PASID_FORMAT_INTEL_VTD", 1),
    ("IOMMU_PASID_FORMAT_LAST", 2),
    ("IOMMU_SVA_GPASID_VAL", 1),
    ("IOMMU_SVA_VTD_GPASID_SRE", 1),
    ("IOMMU_SVA_VTD_GPASID_EAFE", 2),
    ("IOMMU_SVA_VTD_GPASID_PCD", 4),
    ("IOMMU_SVA_VTD_GPASID_PWT", 8),
    ("IOMMU_SVA_VTD_GPASID_EMTE", 16),
    ("IOMMU_SVA_VTD_GPASID_CD", 32),
    ("IOMMU_SVA_VTD_GPASID_LAST", 64),
    ("IOMMU_SVA_VTD_GPASID_MTS_MASK", 0x3c),
];

const IOMMUFD_CONSTANTS: &[(&str, u64)] = &[
    ("IOMMUFD_TYPE", 0x3b),
    ("IOMMUFD_CMD_BASE", 0x80),
    ("IOMMUFD_CMD_DESTROY", 0x80),
    ("IOMMUFD_CMD_IOAS_ALLOC", 0x81),
    ("IOMMUFD_CMD_IOAS_ALLOW_IOVAS", 0x82),
    ("IOMMUFD_CMD_IOAS_COPY", 0x83),
    ("IOMMUFD_CMD_IOAS_IOVA_RANGES", 0x84),
    ("IOMMUFD_CMD_IOAS_MAP", 0x85),
    ("IOMMUFD_CMD_IOAS_UNMAP", 0x86),
    ("IOMMUFD_CMD_OPTION", 0x87),
    ("IOMMUFD_CMD_VFIO_IOAS", 0x88),
    ("IOMMUFD_CMD_HWPT_ALLOC", 0x89),
    ("IOMMUFD_CMD_GET_HW_INFO", 0x8a),
    ("IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING", 0x8b),
    ("IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP", 0x8c),
    ("IOMMUFD_CMD_HWPT_INVALIDATE", 0x8d),
    ("IOMMU_DESTROY", 0x3b80),
    ("IOMMU_IOAS_ALLOC", 0x3b81),
    ("IOMMU_IOAS_ALLOW_IOVAS", 0x3b82),
    ("IOMMU_IOAS_COPY", 0x3b83),
    ("IOMMU_IOAS_IOVA_RANGES", 0x3b84),
    ("IOMMU_IOAS_MAP", 0x3b85),
    ("IOMMU_IOAS_UNMAP", 0x3b86),
    ("IOMMU_OPTION", 0x3b87),
    ("IOMMU_VFIO_IOAS", 0x3b88),
    ("IOMMU_HWPT_ALLOC", 0x3b89),
    ("IOMMU_GET_HW_INFO", 0x3b8a),
    ("IOMMU_HWPT_SET_DIRTY_TRACKING", 0x3b8b),
    ("IOMMU_HWPT_GET_DIRTY_BITMAP", 0x3b8c),
    ("IOMMU_HWPT_INVALIDATE", 0x3b8d),
    ("IOMMU_IOAS_MAP_FIXED_IOVA", 1),
    ("IOMMU_IOAS_MAP_WRITEABLE", 2),
    ("IOMMU_IOAS_MAP_READABLE", 4),
    ("IOMMU_OPTION_RLIMIT_MODE", 0),
    ("IOMMU_OPTION_HUGE_PAGES", 1),
    ("IOMMU_OPTION_OP_SET", 0),
    ("IOMMU_OPTION_OP_GET", 1),
    ("IOMMU_VFIO_IOAS_GET", 0),
    ("IOMMU_VFIO_IOAS_SET", 1),
    ("IOMMU_VFIO_IOAS_CLEAR", 2),
    ("IOMMU_HWPT_ALLOC_NEST_PARENT", 1),
    ("IOMMU_HWPT_ALLOC_DIRTY_TRACKING", 2),
    ("IOMMU_VTD_S1_SRE", 1),
    ("IOMMU_VTD_S1_EAFE", 2),
    ("IOMMU_VTD_S1_WPE", 4),
    ("IOMMU_HWPT_DATA_NONE", 0),
    ("IOMMU_HWPT_DATA_VTD_S1", 1),
    ("IOMMU_HW_INFO_TYPE_NONE", 0),
    ("IOMMU_HW_INFO_TYPE_INTEL_VTD", 1),
    ("IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17", 1),
    ("IOMMU_HW_CAP_DIRTY_TRACKING", 1),
    ("IOMMU_HWPT_DIRTY_TRACKING_ENABLE", 1),
    ("IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR", 1),
    ("IOMMU_HWPT_INVALIDATE_DATA_VTD_S1", 0),
    ("IOMMU_VTD_INV_FLAGS_LEAF", 1),
];

/// The revision REFERENCE.md describes: v5.10 for iommu (its first), v6.8 for iommufd (its
/// latest).
fn described(c: &uapigen::Checked) -> (&uapigen::ir::Family, &[uapigen::layout::FamilyLayout]) {
    let id = if c.family.name == "iommu" {
        "v5_10"
    } else {
        "v6_8"
    };
    let r = c
        .history
        .revisions
        .iter()
        .position(|r| r.id == id)
        .expect("revision");
    let (f, l) = &c.revisions[r];
    (f, l)
}

fn check_layouts(family_name: &str, expect: &[Expect]) {
    let families = real_families();
    let c = family(&families, family_name);
    let (fam, layouts) = described(c);
    let (_, rev) = c
        .history
        .revs_by_id()
        .find(|(_, r)| {
            r.id == if family_name == "iommu" {
                "v5_10"
            } else {
                "v6_8"
            }
        })
        .unwrap();
    assert_eq!(
        fam.structs
            .iter()
            .filter(|s| rev.has(s.since, Default::default()))
            .count(),
        expect.len(),
        "{family_name}: every struct of the revision is in the table"
    );
    for (name, size, members) in expect {
        let si = fam
            .structs
            .iter()
            .position(|s| s.name == *name)
            .unwrap_or_else(|| panic!("{name} missing"));
        // One layout on every ABI: the same numbers on each target.
        for layout in layouts {
            let l = &layout.structs[si];
            assert_eq!(
                l.size, *size,
                "sizeof(struct {name}) on {}",
                layout.target.triple
            );
            assert!(
                l.holes.is_empty(),
                "{name} has holes on {}",
                layout.target.triple
            );
            for (path, off, msize) in *members {
                let m = l
                    .member(path)
                    .unwrap_or_else(|| panic!("{name}.{path} missing"));
                assert_eq!(
                    (m.offset, m.size),
                    (*off, *msize),
                    "{name}.{path} on {}",
                    layout.target.triple
                );
            }
        }
        let top_level = layouts[0].structs[si]
            .members
            .iter()
            .filter(|m| m.depth == 0)
            .count();
        let listed = members.iter().filter(|(p, _, _)| !p.contains('.')).count();
        // Members of an anonymous union sit at depth 1 but are named like top-level ones.
        assert!(
            top_level <= listed,
            "{name}: a member REFERENCE lists is missing from the table"
        );
    }
}

fn check_constants(family_name: &str, expect: &[(&str, u64)]) {
    let families = real_families();
    let c = family(&families, family_name);
    let (fam, _) = described(c);
    for (name, value) in expect {
        let k = fam
            .constants()
            .find(|k| k.name == *name)
            .unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(k.value, *value, "{name}");
    }
    assert_eq!(
        fam.constants().count(),
        expect.len(),
        "{family_name}: every constant is in the table"
    );
}

/// The second iommu revision (REFERENCE.md §1d): WPE is bit 6 and LAST moves to bit 7.
#[test]
fn iommu_second_revision_adds_wpe_and_moves_last() {
    let families = real_families();
    let c = family(&families, "iommu");
    let value =
        |f: &uapigen::ir::Family, n: &str| f.constants().find(|k| k.name == n).map(|k| k.value);
    let (v5_10, _) = &c.revisions[0];
    let latest = &c.family;
    assert_eq!(c.history.revisions[1].id, "v5_13");
    assert_eq!(
        (
            value(v5_10, "IOMMU_SVA_VTD_GPASID_WPE"),
            value(v5_10, "IOMMU_SVA_VTD_GPASID_LAST")
        ),
        (None, Some(1 << 6))
    );
    assert_eq!(
        (
            value(latest, "IOMMU_SVA_VTD_GPASID_WPE"),
            value(latest, "IOMMU_SVA_VTD_GPASID_LAST")
        ),
        (Some(1 << 6), Some(1 << 7))
    );
}

#[test]
fn iommu_v5_10_layouts_match_reference() {
    check_layouts("iommu", IOMMU);
}

#[test]
fn iommufd_layouts_match_reference() {
    check_layouts("iommufd", IOMMUFD);
}

#[test]
fn iommu_v5_10_constants_match_reference() {
    check_constants("iommu", IOMMU_CONSTANTS);
}

#[test]
fn iommufd_constants_match_reference() {
    check_constants("iommufd", IOMMUFD_CONSTANTS);
}

/// The C compiler, reading the committed headers, agrees with REFERENCE.md.
#[test]
fn committed_headers_carry_reference_bytes() {
    let mut c = String::from(
        "#include <stddef.h>\n#include <linux/iommu.h>\n#include <linux/iommufd.h>\n\n",
    );
    // The header is the latest revision: §7's later facts replace v6.8's for the structs
    // that changed (checked per member below).
    let changed: Vec<&str> = IOMMUFD_LATEST.iter().map(|(n, _, _)| *n).collect();
    let v6_8 = IOMMUFD.iter().filter(|(n, _, _)| !changed.contains(n));
    for (name, size, members) in IOMMU.iter().chain(v6_8).chain(IOMMUFD_LATEST) {
        c.push_str(&format!(
            "_Static_assert(sizeof(struct {name}) == {size}, \"sizeof {name}\");\n"
        ));
        for (path, off, msize) in *members {
            c.push_str(&format!(
                "_Static_assert(offsetof(struct {name}, {path}) == {off}, \"{name}.{path}\");\n\
                 _Static_assert(sizeof(((struct {name} *)0)->{path}) == {msize}, \"size {name}.{path}\");\n"
            ));
        }
    }
    // The committed header is the latest revision: LAST has moved there (checked per revision
    // above); every other constant is the same in both.
    for (name, value) in IOMMU_CONSTANTS
        .iter()
        .chain(IOMMUFD_CONSTANTS)
        .chain(IOMMUFD_LATEST_CONSTANTS)
        .filter(|(n, _)| *n != "IOMMU_SVA_VTD_GPASID_LAST")
    {
        c.push_str(&format!(
            "_Static_assert({name} == {value}ULL, \"{name}\");\n"
        ));
    }
    c.push_str("_Static_assert(IOMMU_SVA_VTD_GPASID_LAST == (1 << 7), \"LAST\");\n");
    c.push_str("_Static_assert(IOMMU_SVA_VTD_GPASID_WPE == (1 << 6), \"WPE\");\n");
    c.push_str("int main(void) { return 0; }\n");
    let include = repo_root().join("generated/include/uapi");
    let exe = compile(
        "cc",
        "reference.c",
        &c,
        &["-std=c11", "-Wall", "-Wextra", "-Werror"],
        &include,
    );
    run(&exe);
}

/// REFERENCE.md §7: v6.11's `iommu_hwpt_pgfault` is 40 bytes with a hole at 20 on x86-64 and
/// 36 bytes on i686 (the acknowledged trap); v6.14's is 40 bytes on both, `__reserved` at 20.
#[test]
fn pgfault_trap_and_fix_match_reference_7() {
    let families = real_families();
    let c = family(&families, "iommufd");
    let rev = |id: &str| c.history.revisions.iter().position(|r| r.id == id).unwrap();
    let at = |r: usize, triple: &str| {
        let (fam, layouts) = &c.revisions[r];
        let si = fam
            .structs
            .iter()
            .position(|s| s.name == "iommu_hwpt_pgfault")
            .unwrap();
        let l = layouts.iter().find(|l| l.target.triple == triple).unwrap();
        let s = &l.structs[si];
        (
            s.size,
            s.member("addr").unwrap().offset,
            s.holes
                .iter()
                .map(|h| (h.offset, h.size))
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        at(rev("v6_11"), "x86_64-linux-gnu"),
        (40, 24, vec![(20, 4)])
    );
    assert_eq!(at(rev("v6_11"), "i686-linux-gnu"), (36, 20, vec![]));
    assert_eq!(at(rev("v6_14"), "x86_64-linux-gnu"), (40, 24, vec![]));
    assert_eq!(at(rev("v6_14"), "i686-linux-gnu"), (40, 24, vec![]));
    let (fam, layouts) = &c.revisions[rev("v6_14")];
    let si = fam
        .structs
        .iter()
        .position(|s| s.name == "iommu_hwpt_pgfault")
        .unwrap();
    assert_eq!(
        layouts[0].structs[si]
            .member("__reserved")
            .map(|m| (m.offset, m.size)),
        Some((20, 4))
    );
}
