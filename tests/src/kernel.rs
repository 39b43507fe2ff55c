//! The kernel's behaviour, written by hand from REFERENCE.md (§2: v5.10 iommu.c; §6/§7: the
//! iommufd ioctl path, `copy_struct_from_user`, `__iommu_copy_struct_from_user`, and the v6.8
//! handlers) and from the iommufd handlers' source (drivers/iommu/iommufd/{ioas.c, main.c,
//! vfio_compat.c, device.c, hw_pagetable.c, fault.c, eventq.c, viommu.c}) of each release
//! named, with the offsets of the uAPI header. It does not read the schema: it is the
//! independent side the generated validators are held against. Each handler is modelled up
//! to its first step that depends on the environment (an object lookup, a capability) or on
//! the ABI (`>= ULONG_MAX` → -EOVERFLOW), which is where the validators stop too.

use uapigen_uaccess::{Errno, UserMemory};

use crate::BASE;

type R = Result<Vec<u8>, Errno>;

fn u8_at(b: &[u8], o: usize) -> u64 {
    b[o] as u64
}
fn u16_at(b: &[u8], o: usize) -> u64 {
    u16::from_le_bytes(b[o..o + 2].try_into().unwrap()) as u64
}
fn u32_at(b: &[u8], o: usize) -> u64 {
    u32::from_le_bytes(b[o..o + 4].try_into().unwrap()) as u64
}
fn u64_at(b: &[u8], o: usize) -> u64 {
    u64::from_le_bytes(b[o..o + 8].try_into().unwrap())
}

/// `copy_from_user(dst, BASE + off, dst.len())` == 0.
fn copy(mem: &dyn UserMemory, dst: &mut [u8], off: usize) -> bool {
    dst.is_empty() || mem.copy_from_user(dst, BASE + off as u64) == 0
}

/// Byte by byte, the way REFERENCE.md describes check_zeroed_user: the first non-zero byte
/// gives -E2BIG, a fault before it -EFAULT.
fn check_zeroed_user(mem: &dyn UserMemory, off: usize, len: usize) -> Result<(), Errno> {
    for i in 0..len {
        let mut b = [0u8];
        if mem.copy_from_user(&mut b, BASE + (off + i) as u64) != 0 {
            return Err(Errno::EFAULT);
        }
        if b[0] != 0 {
            return Err(Errno::E2BIG);
        }
    }
    Ok(())
}

fn copy_struct_from_user(mem: &dyn UserMemory, ksize: usize, usize: usize) -> R {
    let mut dst = vec![0u8; ksize];
    if usize > ksize {
        check_zeroed_user(mem, ksize, usize - ksize)?;
    }
    let n = usize.min(ksize);
    if !copy(mem, &mut dst[..n], 0) {
        return Err(Errno::EFAULT);
    }
    Ok(dst)
}

/// The v5.10 two-step copy: a zeroed struct, `minsz` bytes, `argsz < minsz` → -EINVAL, then
/// `needs(head, argsz)` (the struct's own size checks), then `min(argsz, size) - minsz` more.
fn argsz_copy(
    mem: &dyn UserMemory,
    minsz: usize,
    size: usize,
    needs: impl Fn(&[u8], usize) -> bool,
) -> R {
    let mut d = vec![0u8; size];
    if !copy(mem, &mut d[..minsz], 0) {
        return Err(Errno::EFAULT);
    }
    let argsz = u32_at(&d, 0) as usize;
    if argsz < minsz || !needs(&d, argsz) {
        return Err(Errno::EINVAL);
    }
    let end = argsz.min(size);
    if !copy(mem, &mut d[minsz..end], minsz) {
        return Err(Errno::EFAULT);
    }
    Ok(d)
}

/// v5.10 `iommu_uapi_cache_invalidate` + `iommu_check_cache_invl_data` (REFERENCE.md §2):
/// minsz 16; PASID granularity needs argsz >= 32, ADDR >= 56.
pub fn cache_invalidate(mem: &dyn UserMemory) -> R {
    let d = argsz_copy(mem, 16, 56, |d, argsz| match u8_at(d, 9) {
        1 => argsz >= 32,
        2 => argsz >= 56,
        _ => true,
    })?;
    let granularity = u8_at(&d, 9);
    let cache = u8_at(&d, 8);
    let bad = u32_at(&d, 4) != 1
        || cache & !0x7 != 0
        || granularity >= 3
        || (granularity == 2 && (cache & 0x4 != 0 || u32_at(&d, 16) & !0x7 != 0))
        || (granularity == 1 && u32_at(&d, 16) & !0x3 != 0)
        || (granularity == 0 && cache & 0x2 != 0)
        || d[10..16].iter().any(|b| *b != 0);
    if bad {
        return Err(Errno::EINVAL);
    }
    Ok(d)
}

/// v5.10 `iommu_sva_prepare_bind_data` + `iommu_check_bind_data`: minsz 56 (offsetof
/// vendor), sizeof 72.
pub fn gpasid_bind(mem: &dyn UserMemory) -> R {
    let d = argsz_copy(mem, 56, 72, |_, _| true)?;
    let bad = u32_at(&d, 4) != 1
        || u32_at(&d, 8) >= 2
        || u64_at(&d, 16) & !0x1 != 0
        || d[48..56].iter().any(|b| *b != 0);
    if bad {
        return Err(Errno::EINVAL);
    }
    Ok(d)
}

/// No v5.10 user copy exists for the page response; uapigen's choice (minsz = the whole 24
/// bytes) with `iommu_page_response()`'s checks: version 1, flags within PASID_VALID.
/// The nesting series v7's `vfio_iommu_type1_nesting_op` (`vfio_iommu_type1_ioctl`): minsz
/// `offsetofend(flags)`, `argsz < minsz || flags & ~VFIO_NESTING_OP_MASK` is -EINVAL; the
/// envelope is those 8 bytes, `data[]` the op's to copy.
pub fn nesting_op(mem: &dyn UserMemory) -> R {
    let d = argsz_copy(mem, 8, 8, |_, _| true)?;
    if u32_at(&d, 4) & !0xffff != 0 {
        return Err(Errno::EINVAL);
    }
    Ok(d)
}

pub fn page_response(mem: &dyn UserMemory) -> R {
    let d = argsz_copy(mem, 24, 24, |_, _| true)?;
    if u32_at(&d, 4) != 1 || u32_at(&d, 8) & !0x1 != 0 {
        return Err(Errno::EINVAL);
    }
    Ok(d)
}

/// The iommufd dispatcher: get_user(size), size < min_size → -EINVAL, copy_struct_from_user.
fn ucmd(mem: &dyn UserMemory, min_size: usize, ksize: usize) -> R {
    let mut s = [0u8; 4];
    if !copy(mem, &mut s, 0) {
        return Err(Errno::EFAULT);
    }
    let usize = u32::from_le_bytes(s) as usize;
    if usize < min_size {
        return Err(Errno::EINVAL);
    }
    copy_struct_from_user(mem, ksize, usize)
}

/// IOMMU_HWPT_ALLOC, min_size offsetofend(__reserved) = 24 from v6.6 on; sizeof 24 (v6.6), 40
/// (v6.7: data_type, data_len, data_uptr), 48 (v6.11: fault_id, __reserved2). hw_pagetable.c's
/// iommufd_hwpt_alloc, before iommufd_get_device():
/// - v6.6 (4ff542163397 "iommufd: Add IOMMU_HWPT_ALLOC"): `if (cmd->flags || cmd->__reserved)
///   return -EOPNOTSUPP;` (flags at 4, `__reserved` at 20);
/// - v6.7: flags are checked later (iommufd_hwpt_paging_alloc, after the lookups); `if
///   (cmd->__reserved) return -EOPNOTSUPP; if (cmd->data_type == IOMMU_HWPT_DATA_NONE &&
///   cmd->data_len) return -EINVAL;` (data_type at 24, data_len at 28);
/// - v6.8 (7adc0c1cfa77 "iommufd: Reject non-zero data_type if no data_len is provided",
///   also in 6.7.7): `|| (cmd->data_type != IOMMU_HWPT_DATA_NONE && !cmd->data_len)` → -EINVAL.
///
/// `__reserved2` is never read by the kernel.
pub fn hwpt_alloc(mem: &dyn UserMemory, rev: &str) -> R {
    if !since(rev, "v6_7") {
        let d = ucmd(mem, 24, 24)?;
        if u32_at(&d, 4) != 0 || u32_at(&d, 20) != 0 {
            return Err(Errno::EOPNOTSUPP);
        }
        return Ok(d);
    }
    let d = ucmd(mem, 24, if since(rev, "v6_11") { 48 } else { 40 })?;
    if u32_at(&d, 20) != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    let (data_type, data_len) = (u32_at(&d, 24), u32_at(&d, 28));
    if data_type == 0 && data_len != 0 {
        return Err(Errno::EINVAL);
    }
    if since(rev, "v6_8") && data_type != 0 && data_len == 0 {
        return Err(Errno::EINVAL);
    }
    Ok(d)
}

/// IOMMU_HWPT_INVALIDATE: min_size = sizeof = 32; `__reserved` → -EOPNOTSUPP;
/// entry_num without data_uptr or entry_len → -EINVAL.
pub fn hwpt_invalidate(mem: &dyn UserMemory) -> R {
    let d = ucmd(mem, 32, 32)?;
    if u32_at(&d, 28) != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    if u32_at(&d, 24) != 0 && (u64_at(&d, 8) == 0 || u32_at(&d, 20) == 0) {
        return Err(Errno::EINVAL);
    }
    Ok(d)
}

/// IOMMU_GET_HW_INFO, min_size offsetofend(v6.6's __reserved) = 32; sizeof 32 (v6.6), 40 from
/// v6.7 (out_capabilities). device.c's iommufd_get_hw_info, before the device lookup:
/// - v6.6 to v6.14: `if (cmd->flags || cmd->__reserved) return -EOPNOTSUPP;`, `__reserved`
///   the `__u32` at 28;
/// - v6.15 ("iommufd: Extend IOMMU_GET_HW_INFO to report PASID capability", backported to
///   6.12.31): byte 28 becomes out_max_pasid_log2, and `if (cmd->flags || cmd->__reserved[0]
///   || cmd->__reserved[1] || cmd->__reserved[2])`, bytes 29 to 31;
/// - v6.17 (IOMMU_HW_INFO_FLAG_INPUT_TYPE): `if (cmd->flags & ~SUPPORTED_FLAGS)` (bit 0), then
///   the same `__reserved[]` check, both -EOPNOTSUPP.
pub fn hw_info(mem: &dyn UserMemory, rev: &str) -> R {
    let d = ucmd(mem, 32, if since(rev, "v6_7") { 40 } else { 32 })?;
    let known = if since(rev, "v6_17") { 0x1 } else { 0 };
    let reserved = if since(rev, "v6_15") || rev == "v6_12_31" {
        d[29..32].iter().any(|b| *b != 0)
    } else {
        u32_at(&d, 28) != 0
    };
    if u32_at(&d, 4) & !known != 0 || reserved {
        return Err(Errno::EOPNOTSUPP);
    }
    Ok(d)
}

/// IOMMU_IOAS_MAP (min_size = sizeof = 40): iommufd_ioas_map refuses a flag other than
/// FIXED_IOVA | WRITEABLE | READABLE, or a non-zero `__reserved`, with -EOPNOTSUPP; its next
/// check (-EOVERFLOW against ULONG_MAX) depends on the ABI and is the handler's; then, from
/// v6.11 (commit 996dc53ac289, which the lab's 7.2 kernel showed), flags with neither
/// READABLE nor WRITEABLE are -EINVAL, before the IOAS is looked up.
pub fn ioas_map(mem: &dyn UserMemory, rev: &str) -> R {
    let d = ucmd(mem, 40, 40)?;
    if u32_at(&d, 4) & !0x7 != 0 || u32_at(&d, 12) != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    read_or_write(&d, rev)?;
    Ok(d)
}

/// IOAS_MAP's, IOAS_COPY's and IOAS_MAP_FILE's READABLE-or-WRITEABLE -EINVAL (flags the
/// `__u32` at 4: WRITEABLE 2, READABLE 4), from v6.11.
fn read_or_write(d: &[u8], rev: &str) -> Result<(), Errno> {
    if since(rev, "v6_11") && u32_at(d, 4) & 0x6 == 0 {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

/// IOMMU_DESTROY: IOCTL_OP(..., id), min_size = sizeof = 8; iommufd_destroy() goes straight to
/// iommufd_object_remove(), so nothing is checked at copy time.
pub fn destroy(mem: &dyn UserMemory) -> R {
    ucmd(mem, 8, 8)
}

/// IOMMU_IOAS_ALLOC (min_size = sizeof = 12): iommufd_ioas_alloc_ioctl's
/// `if (cmd->flags) return -EOPNOTSUPP;`, flags the `__u32` at 4.
pub fn ioas_alloc(mem: &dyn UserMemory) -> R {
    let d = ucmd(mem, 12, 12)?;
    if u32_at(&d, 4) != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    Ok(d)
}

/// IOMMU_IOAS_IOVA_RANGES (min_size offsetofend(out_iova_alignment) = sizeof = 32):
/// iommufd_ioas_iova_ranges refuses a non-zero `__reserved` (the `__u32` at 12) before it
/// looks the IOAS up.
pub fn ioas_iova_ranges(mem: &dyn UserMemory) -> R {
    let d = ucmd(mem, 32, 32)?;
    if u32_at(&d, 12) != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    Ok(d)
}

/// IOMMU_IOAS_ALLOW_IOVAS (min_size offsetofend(allowed_iovas) = sizeof = 24):
/// iommufd_ioas_allow_iovas, `__reserved` at 12 as above.
pub fn ioas_allow_iovas(mem: &dyn UserMemory) -> R {
    let d = ucmd(mem, 24, 24)?;
    if u32_at(&d, 12) != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    Ok(d)
}

/// IOMMU_IOAS_COPY (min_size offsetofend(src_iova) = sizeof = 40): iommufd_ioas_copy refuses
/// a flag other than FIXED_IOVA | WRITEABLE | READABLE; unlike IOAS_MAP it has no
/// `__reserved`. Its next check (-EOVERFLOW against ULONG_MAX) depends on the ABI; then
/// READABLE-or-WRITEABLE, as IOAS_MAP's.
pub fn ioas_copy(mem: &dyn UserMemory, rev: &str) -> R {
    let d = ucmd(mem, 40, 40)?;
    if u32_at(&d, 4) & !0x7 != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    read_or_write(&d, rev)?;
    Ok(d)
}

/// IOMMU_IOAS_UNMAP (min_size offsetofend(length) = sizeof = 24): iommufd_ioas_unmap looks
/// the IOAS up first; its iova/length checks come after, so nothing at copy time.
pub fn ioas_unmap(mem: &dyn UserMemory) -> R {
    ucmd(mem, 24, 24)
}

/// IOMMU_OPTION (min_size offsetofend(val64) = sizeof = 24; option_id at 4, op the `__u16` at
/// 8, `__reserved` the `__u16` at 10, object_id at 12). main.c's iommufd_option: `__reserved`
/// → -EOPNOTSUPP; switch on option_id: RLIMIT_MODE (0) goes to iommufd_option_rlimit_mode,
/// HUGE_PAGES (1) to iommufd_ioas_option, which looks object_id up before reading op, any
/// other → -EOPNOTSUPP. iommufd_option_rlimit_mode: object_id → -EOPNOTSUPP; GET succeeds;
/// SET asks capable(CAP_SYS_RESOURCE) next (the environment's); another op → -EOPNOTSUPP.
pub fn option(mem: &dyn UserMemory) -> R {
    let d = ucmd(mem, 24, 24)?;
    let (option_id, op, reserved, object_id) =
        (u32_at(&d, 4), u16_at(&d, 8), u16_at(&d, 10), u32_at(&d, 12));
    if reserved != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    match option_id {
        0 => {
            if object_id != 0 {
                return Err(Errno::EOPNOTSUPP);
            }
            match op {
                0 | 1 => Ok(d),
                _ => Err(Errno::EOPNOTSUPP),
            }
        }
        1 => Ok(d),
        _ => Err(Errno::EOPNOTSUPP),
    }
}

/// IOMMU_VFIO_IOAS (min_size offsetofend(__reserved) = sizeof = 12; op the `__u16` at 8,
/// `__reserved` the `__u16` at 10): vfio_compat.c's iommufd_vfio_ioas refuses `__reserved`,
/// then switches on op: GET, SET, CLEAR (0, 1, 2), anything else -EOPNOTSUPP.
pub fn vfio_ioas(mem: &dyn UserMemory) -> R {
    let d = ucmd(mem, 12, 12)?;
    if u16_at(&d, 10) != 0 || u16_at(&d, 8) > 2 {
        return Err(Errno::EOPNOTSUPP);
    }
    Ok(d)
}

/// IOMMU_HWPT_SET_DIRTY_TRACKING (min_size offsetofend(__reserved) = sizeof = 16):
/// iommufd_hwpt_set_dirty_tracking refuses a flag other than DIRTY_TRACKING_ENABLE (bit 0)
/// and does not look at its `__reserved` at all.
pub fn hwpt_set_dirty_tracking(mem: &dyn UserMemory) -> R {
    let d = ucmd(mem, 16, 16)?;
    if u32_at(&d, 4) & !0x1 != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    Ok(d)
}

/// IOMMU_HWPT_GET_DIRTY_BITMAP (min_size offsetofend(data) = sizeof = 48; flags at 8 after
/// hwpt_id, `__reserved` at 12): iommufd_hwpt_get_dirty_bitmap refuses a flag other than
/// NO_CLEAR (bit 0) or a non-zero `__reserved` before the lookup.
pub fn hwpt_get_dirty_bitmap(mem: &dyn UserMemory) -> R {
    let d = ucmd(mem, 48, 48)?;
    if u32_at(&d, 8) & !0x1 != 0 || u32_at(&d, 12) != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    Ok(d)
}

/// v6.11 IOMMU_FAULT_QUEUE_ALLOC (min_size offsetofend(out_fault_fd) = sizeof = 16):
/// fault.c's iommufd_fault_alloc, `if (cmd->flags) return -EOPNOTSUPP;`.
pub fn fault_alloc(mem: &dyn UserMemory) -> R {
    let d = ucmd(mem, 16, 16)?;
    if u32_at(&d, 4) != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    Ok(d)
}

/// v6.13 IOMMU_VIOMMU_ALLOC (min_size offsetofend(out_viommu_id) = 24; sizeof 24, 40 from
/// v6.17 with data_len, `__reserved`, data_uptr — that `__reserved` is not checked):
/// viommu.c's iommufd_viommu_alloc_ioctl, `if (cmd->flags || cmd->type ==
/// IOMMU_VIOMMU_TYPE_DEFAULT) return -EOPNOTSUPP;` (type at 8, DEFAULT = 0), then the device
/// lookup.
pub fn viommu_alloc(mem: &dyn UserMemory, rev: &str) -> R {
    let d = ucmd(mem, 24, if since(rev, "v6_17") { 40 } else { 24 })?;
    if u32_at(&d, 4) != 0 || u32_at(&d, 8) == 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    Ok(d)
}

/// v6.13 IOMMU_VDEVICE_ALLOC (min_size offsetofend(virt_id) = sizeof = 24):
/// iommufd_vdevice_alloc_ioctl's only check before the vIOMMU lookup is `virt_id >
/// ULONG_MAX` (-EINVAL), which never fails on a 64-bit kernel and is the ABI's.
pub fn vdevice_alloc(mem: &dyn UserMemory) -> R {
    ucmd(mem, 24, 24)
}

/// v6.13 IOMMU_IOAS_MAP_FILE (min_size offsetofend(iova) = sizeof = 40):
/// iommufd_ioas_map_file refuses a flag other than FIXED_IOVA | WRITEABLE | READABLE; its
/// next check is -EOVERFLOW against ULONG_MAX (the ABI's, left to the handler), and after it
/// the READABLE-or-WRITEABLE -EINVAL, before the IOAS is looked up.
pub fn ioas_map_file(mem: &dyn UserMemory) -> R {
    let d = ucmd(mem, 40, 40)?;
    if u32_at(&d, 4) & !0x7 != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    read_or_write(&d, "v6_13")?;
    Ok(d)
}

/// v6.13 IOMMU_IOAS_CHANGE_PROCESS (min_size offsetofend(__reserved) = sizeof = 8):
/// iommufd_ioas_change_process refuses a non-zero `__reserved` first.
pub fn ioas_change_process(mem: &dyn UserMemory) -> R {
    let d = ucmd(mem, 8, 8)?;
    if u32_at(&d, 4) != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    Ok(d)
}

/// v6.15 IOMMU_VEVENTQ_ALLOC (min_size offsetofend(out_veventq_fd) = 28, sizeof 32):
/// eventq.c's iommufd_veventq_alloc, `if (cmd->flags || cmd->__reserved || cmd->type ==
/// IOMMU_VEVENTQ_TYPE_DEFAULT) return -EOPNOTSUPP; if (!cmd->veventq_depth) return -EINVAL;`
/// (flags 4, type 12, veventq_depth 16, `__reserved` 28), then the vIOMMU lookup.
pub fn veventq_alloc(mem: &dyn UserMemory) -> R {
    let d = ucmd(mem, 28, 32)?;
    if u32_at(&d, 4) != 0 || u32_at(&d, 28) != 0 || u32_at(&d, 12) == 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    if u32_at(&d, 16) == 0 {
        return Err(Errno::EINVAL);
    }
    Ok(d)
}

/// v6.17 IOMMU_HW_QUEUE_ALLOC (min_size offsetofend(length) = sizeof = 40):
/// iommufd_hw_queue_alloc_ioctl, `if (cmd->flags || cmd->type ==
/// IOMMU_HW_QUEUE_TYPE_DEFAULT) return -EOPNOTSUPP; if (!cmd->length) return -EINVAL;`
/// (flags 4, type 12, length 32). Its next check, `nesting_parent_iova + length - 1`
/// overflowing (-EOVERFLOW), is one no rule can state; the model stops before it.
pub fn hw_queue_alloc(mem: &dyn UserMemory) -> R {
    let d = ucmd(mem, 40, 40)?;
    if u32_at(&d, 4) != 0 || u32_at(&d, 12) == 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    if u64_at(&d, 32) == 0 {
        return Err(Errno::EINVAL);
    }
    Ok(d)
}

/// Mainline iommufd releases, oldest first.
const MAINLINE: &[&str] = &[
    "v6_2", "v6_6", "v6_7", "v6_8", "v6_11", "v6_13", "v6_14", "v6_15", "v6_17", "v7_0", "v7_1",
];

/// Whether the kernel of revision `rev` has mainline release `release`'s changes. The stable
/// 6.12.y revisions are on v6.11's line (6.12 changed no iommufd uAPI); their backports are
/// named where they matter.
fn since(rev: &str, release: &str) -> bool {
    let line = match rev {
        "v6_12_14" | "v6_12_31" => "v6_11",
        r => r,
    };
    let at = |r: &str| {
        MAINLINE
            .iter()
            .position(|m| *m == r)
            .unwrap_or_else(|| panic!("no kernel model for revision {r}"))
    };
    at(line) >= at(release)
}

/// The kernel release each iommufd model above describes: v6.8, or the release that added
/// the command when it is younger (the handlers named there are that release's).
pub fn revision(name: &str) -> &'static str {
    match name {
        "iommu_page_response" | "iommu_cache_invalidate_info" | "iommu_gpasid_bind_data" => "v5_10",
        "iommu_fault_alloc" => "v6_11",
        "iommu_viommu_alloc"
        | "iommu_vdevice_alloc"
        | "iommu_ioas_map_file"
        | "iommu_ioas_change_process" => "v6_13",
        "iommu_veventq_alloc" => "v6_15",
        "iommu_hw_queue_alloc" => "v6_17",
        "vfio_iommu_type1_nesting_op" => "v7",
        _ => "v6_8",
    }
}

/// `__iommu_copy_struct_from_user` (v6.8): type, then len in [min_len, sizeof], then
/// copy_struct_from_user.
fn user_data(
    mem: &dyn UserMemory,
    expected: u32,
    ty: u32,
    len: u32,
    min_len: usize,
    ksize: usize,
) -> R {
    if ty != expected || (len as usize) < min_len || ksize < len as usize {
        return Err(Errno::EINVAL);
    }
    copy_struct_from_user(mem, ksize, len as usize)
}

/// `iommu_hwpt_vtd_s1` as intel_nested_domain_alloc copies it (type VTD_S1 = 1, 24 bytes).
pub fn vtd_s1(mem: &dyn UserMemory, ty: u32, len: u32) -> R {
    user_data(mem, 1, ty, len, 24, 24)
}

/// One `iommu_hwpt_vtd_s1_invalidate` entry (type 0, 24 bytes) and
/// intel_nested_cache_invalidate_user's checks.
pub fn vtd_s1_invalidate(mem: &dyn UserMemory, ty: u32, len: u32) -> R {
    let d = user_data(mem, 0, ty, len, 24, 24)?;
    let (addr, npages, flags, reserved) =
        (u64_at(&d, 0), u64_at(&d, 8), u32_at(&d, 16), u32_at(&d, 20));
    if flags & !0x1 != 0 || reserved != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    if addr & 0xfff != 0 || (npages == u64::MAX && addr != 0) {
        return Err(Errno::EINVAL);
    }
    Ok(d)
}

/// The model for a struct name.
///
/// A name may carry the revision to model, `iommu_hwpt_alloc@v6_6` (iommufd, no driver data);
/// without it, `revision(name)`'s. The handlers not taking a revision check the same at every
/// revision where the command exists (sizes included).
pub fn model(name: &str, mem: &dyn UserMemory, ud: Option<(u32, u32)>) -> R {
    let (t, l) = ud.unwrap_or((0, 0));
    let (name, rev) = match name.split_once('@') {
        Some((n, r)) => (n, r),
        None => (name, revision(name)),
    };
    match name {
        "iommu_page_response" => page_response(mem),
        "iommu_cache_invalidate_info" => cache_invalidate(mem),
        "iommu_gpasid_bind_data" => gpasid_bind(mem),
        "iommu_hwpt_alloc" => hwpt_alloc(mem, rev),
        "iommu_hwpt_invalidate" => hwpt_invalidate(mem),
        "iommu_hw_info" => hw_info(mem, rev),
        "iommu_ioas_map" => ioas_map(mem, rev),
        "iommu_destroy" => destroy(mem),
        "iommu_ioas_alloc" => ioas_alloc(mem),
        "iommu_ioas_iova_ranges" => ioas_iova_ranges(mem),
        "iommu_ioas_allow_iovas" => ioas_allow_iovas(mem),
        "iommu_ioas_copy" => ioas_copy(mem, rev),
        "iommu_ioas_unmap" => ioas_unmap(mem),
        "iommu_option" => option(mem),
        "iommu_vfio_ioas" => vfio_ioas(mem),
        "iommu_hwpt_set_dirty_tracking" => hwpt_set_dirty_tracking(mem),
        "iommu_hwpt_get_dirty_bitmap" => hwpt_get_dirty_bitmap(mem),
        "iommu_fault_alloc" => fault_alloc(mem),
        "iommu_viommu_alloc" => viommu_alloc(mem, rev),
        "iommu_vdevice_alloc" => vdevice_alloc(mem),
        "iommu_ioas_map_file" => ioas_map_file(mem),
        "iommu_ioas_change_process" => ioas_change_process(mem),
        "iommu_veventq_alloc" => veventq_alloc(mem),
        "iommu_hw_queue_alloc" => hw_queue_alloc(mem),
        "vfio_iommu_type1_nesting_op" => nesting_op(mem),
        "iommu_hwpt_vtd_s1" => vtd_s1(mem, t, l),
        "iommu_hwpt_vtd_s1_invalidate" => vtd_s1_invalidate(mem, t, l),
        other => panic!("no kernel model for {other}"),
    }
}
