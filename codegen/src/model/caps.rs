//! The facts of every capability chain, in bytes: where the info struct keeps its flags and
//! first offset, where the header keeps id, version and next, and each known capability's
//! id, version and `sizeof`. Taken from x86-64's layout of the latest revision; the check
//! stage has held every such struct to one layout on every ABI.

use super::layout::FamilyLayout;
use crate::ir::*;

/// One info struct's chain.
#[derive(Debug, Clone)]
pub struct Chain {
    /// The info struct.
    pub info: StructId,
    /// `sizeof` the info struct: where the kernel puts the first capability.
    pub info_size: u64,
    /// Offset of the `__u32` flags member.
    pub flags_offset: u64,
    /// The bits saying the kernel filled a chain.
    pub flag: ValueRef,
    /// Offset of the `__u32` first-capability offset (`cap_offset`).
    pub cap_offset_offset: u64,
    /// Offset of `__u32 argsz` (the struct's convention is argsz, so it is 0).
    pub argsz_offset: u64,
    /// The header struct.
    pub header: StructId,
    /// `sizeof` the header.
    pub header_size: u64,
    /// Offsets in the header of `__u16 id`, `__u16 version`, `__u32 next`.
    pub id_offset: u64,
    /// See `id_offset`.
    pub version_offset: u64,
    /// See `id_offset`.
    pub next_offset: u64,
    /// The kernel rounds each capability up to it (the latest revision's, as the builder).
    pub align: u64,
    /// Every capability's offset is a multiple of it in every revision: what the walker
    /// checks (`align`, or `align_before` when older kernels did not round).
    pub walk_align: u64,
    /// Per revision, oldest first: whether its kernel rounds capabilities up to `align`
    /// (before `align_since` each follows the one before it unrounded).
    pub rounds: Vec<bool>,
    /// The capabilities the schema knows, in schema order.
    pub known: Vec<KnownCap>,
}

/// A capability struct of a chain.
#[derive(Debug, Clone)]
pub struct KnownCap {
    /// The struct.
    pub cap: StructId,
    /// Its id.
    pub id: ValueRef,
    /// Its version.
    pub version: u16,
    /// Its `sizeof`: the bytes a walker needs before it hands the struct out.
    pub size: u64,
}

/// The offset of top-level member `index` of `s`.
fn offset_of(l: &FamilyLayout, s: StructId, index: usize) -> u64 {
    l.struct_(s)
        .members
        .iter()
        .find(|m| m.index == [index])
        .map(|m| m.offset)
        .expect("a top-level member is laid out")
}

/// Every chain of `family` (its latest revision) and its capabilities, laid out by `l`.
pub fn chains(family: &Family, l: &FamilyLayout) -> Vec<Chain> {
    family
        .structs_by_id()
        .filter_map(|(s, st)| {
            let c = st.caps.as_ref()?;
            let known = family
                .structs_by_id()
                .filter_map(|(k, kst)| {
                    let cap = kst.capability.as_ref().filter(|cap| cap.of == s)?;
                    Some(KnownCap {
                        cap: k,
                        id: cap.id.clone(),
                        version: cap.version,
                        size: l.struct_(k).size,
                    })
                })
                .collect();
            Some(Chain {
                info: s,
                info_size: l.struct_(s).size,
                flags_offset: offset_of(l, s, c.flags),
                flag: c.flag.clone(),
                cap_offset_offset: offset_of(l, s, c.offset),
                argsz_offset: 0,
                header: c.header,
                header_size: l.struct_(c.header).size,
                id_offset: offset_of(l, c.header, c.id),
                version_offset: offset_of(l, c.header, c.version),
                next_offset: offset_of(l, c.header, c.next),
                align: c.align,
                walk_align: if family
                    .revisions
                    .iter()
                    .all(|r| r.has(c.align_since, RevSet::EMPTY))
                {
                    c.align
                } else {
                    c.align_before
                },
                rounds: family
                    .revisions
                    .iter()
                    .map(|r| r.has(c.align_since, RevSet::EMPTY))
                    .collect(),
                known,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::Source;

    /// golden/schema/caps.toml in bytes: Linux 7.2's vfio_region_info (cap_offset at 12,
    /// sizeof 32) and its two capabilities (16 bytes each, `areas[]` adding nothing).
    #[test]
    fn the_golden_chain_in_bytes() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/schema/caps.toml");
        let text = std::fs::read_to_string(path).unwrap();
        let model = crate::load_source(Source::new("caps.toml", text), "caps.toml").unwrap();
        let [c] = &model.caps[..] else {
            panic!("one chain: {:?}", model.caps)
        };
        let at = (
            c.info_size,
            c.flags_offset,
            c.cap_offset_offset,
            c.header_size,
            c.id_offset,
            c.version_offset,
            c.next_offset,
            c.align,
        );
        assert_eq!(at, (32, 4, 12, 8, 0, 2, 4, 8));
        assert_eq!(c.flag.value, 1 << 3);
        let known: Vec<_> = c
            .known
            .iter()
            .map(|k| (k.id.text(), k.version, k.size))
            .collect();
        assert_eq!(
            known,
            [
                ("VFIO_REGION_INFO_CAP_SPARSE_MMAP".to_string(), 1, 16),
                ("VFIO_REGION_INFO_CAP_TYPE".to_string(), 1, 16)
            ]
        );
    }
}
