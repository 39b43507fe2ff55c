//! The caches the invalidation descriptors act on: IOTLB, PASID cache and device TLBs.
//!
//! Each is an ordered map keyed so that every invalidation granularity is one key range:
//! lookups are O(log n) and an invalidation costs O(log n + entries dropped).

use std::collections::BTreeMap;

/// A cached translation: the page it maps to and the access it allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Translation {
    pub host_pfn: u64,
    pub writable: bool,
}

/// IOTLB entries for first-level (PASID-tagged) translations, keyed by (DID, PASID, page).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Iotlb {
    entries: BTreeMap<(u16, u32, u64), Translation>,
}

impl Iotlb {
    pub fn insert(&mut self, did: u16, pasid: u32, vpn: u64, t: Translation) {
        self.entries.insert((did, pasid, vpn), t);
    }

    pub fn lookup(&self, did: u16, pasid: u32, vpn: u64) -> Option<Translation> {
        self.entries.get(&(did, pasid, vpn)).copied()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Drops the entries of `did`/`pasid` in pages `[first, first + count)` (all pages when
    /// `count` is `u64::MAX`); returns how many were dropped.
    pub fn invalidate(&mut self, did: u16, pasid: u32, first: u64, count: u64) -> usize {
        let last = first.saturating_add(count.saturating_sub(1));
        let doomed: Vec<_> = self
            .entries
            .range((did, pasid, first)..=(did, pasid, last))
            .map(|(k, _)| *k)
            .collect();
        for k in &doomed {
            self.entries.remove(k);
        }
        doomed.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&(u16, u32, u64), &Translation)> {
        self.entries.iter()
    }
}

/// The PASID cache: PASID-table entries the hardware has fetched, keyed by (DID, PASID).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PasidCache {
    entries: BTreeMap<(u16, u32), [u64; 8]>,
}

impl PasidCache {
    pub fn insert(&mut self, did: u16, pasid: u32, entry: [u64; 8]) {
        self.entries.insert((did, pasid), entry);
    }

    pub fn lookup(&self, did: u16, pasid: u32) -> Option<[u64; 8]> {
        self.entries.get(&(did, pasid)).copied()
    }

    /// `QI_PC_PASID_SEL`: one PASID of `did`; `QI_PC_ALL_PASIDS`: every PASID of `did`.
    pub fn invalidate(&mut self, did: u16, pasid: Option<u32>) -> usize {
        let (lo, hi) = match pasid {
            Some(p) => ((did, p), (did, p)),
            None => ((did, 0), (did, u32::MAX)),
        };
        let doomed: Vec<_> = self.entries.range(lo..=hi).map(|(k, _)| *k).collect();
        for k in &doomed {
            self.entries.remove(k);
        }
        doomed.len()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Device TLBs (ATS translation caches in the endpoints), keyed by (source id, PASID, page);
/// translations requested without PASID are kept under `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceTlb {
    entries: BTreeMap<(u16, Option<u32>, u64), Translation>,
}

impl DeviceTlb {
    pub fn insert(&mut self, sid: u16, pasid: Option<u32>, vpn: u64, t: Translation) {
        self.entries.insert((sid, pasid, vpn), t);
    }

    pub fn lookup(&self, sid: u16, pasid: Option<u32>, vpn: u64) -> Option<Translation> {
        self.entries.get(&(sid, pasid, vpn)).copied()
    }

    pub fn invalidate(&mut self, sid: u16, pasid: Option<u32>, first: u64, count: u64) -> usize {
        let last = first.saturating_add(count.saturating_sub(1));
        let doomed: Vec<_> = self
            .entries
            .range((sid, pasid, first)..=(sid, pasid, last))
            .map(|(k, _)| *k)
            .collect();
        for k in &doomed {
            self.entries.remove(k);
        }
        doomed.len()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
