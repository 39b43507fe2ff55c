//! The caches the invalidation descriptors act on: IOTLB, PASID cache and device TLBs.
//!
//! Each is keyed so that every invalidation granularity is one key range: an invalidation
//! costs O(log n + entries dropped). IOTLB lookups, the hot path, are O(1).

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Removes the keys in `lo..=hi` from `map`; returns how many.
fn drop_range<K: Ord + Copy, V>(map: &mut BTreeMap<K, V>, lo: K, hi: K) -> usize {
    // Most flushes find nothing cached: no list of keys to drop is allocated for them.
    if map.range(lo..=hi).next().is_none() {
        return 0;
    }
    let doomed: Vec<K> = map.range(lo..=hi).map(|(k, _)| *k).collect();
    for k in &doomed {
        map.remove(k);
    }
    doomed.len()
}

/// A cached translation: the page it maps to and the access it allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Translation {
    /// The host page frame.
    pub host_pfn: u64,
    /// Whether writes are allowed.
    pub writable: bool,
}

/// IOTLB entries for first-level (PASID-tagged) translations, keyed by (DID, PASID, page).
///
/// Lookups go through a hash map (O(1): one probe, whatever the size); invalidations
/// through an ordered index of the pages each (DID, PASID) has cached, so a page-selective
/// flush costs O(log n + pages dropped) and never scans the whole IOTLB.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Iotlb {
    entries: HashMap<(u16, u32, u64), Translation>,
    pages: BTreeMap<(u16, u32), BTreeSet<u64>>,
}

impl Iotlb {
    /// Caches a translation of page `vpn` of (DID, PASID).
    pub fn insert(&mut self, did: u16, pasid: u32, vpn: u64, t: Translation) {
        if self.entries.insert((did, pasid, vpn), t).is_none() {
            self.pages.entry((did, pasid)).or_default().insert(vpn);
        }
    }

    /// The cached translation of page `vpn` of (DID, PASID).
    pub fn lookup(&self, did: u16, pasid: u32, vpn: u64) -> Option<Translation> {
        self.entries.get(&(did, pasid, vpn)).copied()
    }

    /// Entries cached.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Drops the entries of `did`/`pasid` in pages `[first, first + count)` (all pages when
    /// `count` is `u64::MAX`); returns how many were dropped.
    pub fn invalidate(&mut self, did: u16, pasid: u32, first: u64, count: u64) -> usize {
        let Some(pages) = self.pages.get_mut(&(did, pasid)) else {
            return 0;
        };
        let last = first.saturating_add(count.saturating_sub(1));
        let doomed: Vec<u64> = pages.range(first..=last).copied().collect();
        for vpn in &doomed {
            pages.remove(vpn);
            self.entries.remove(&(did, pasid, *vpn));
        }
        if pages.is_empty() {
            self.pages.remove(&(did, pasid));
        }
        doomed.len()
    }

    /// Every entry, in (DID, PASID, page) order.
    pub fn iter(&self) -> impl Iterator<Item = ((u16, u32, u64), Translation)> + '_ {
        self.pages.iter().flat_map(move |((did, pasid), pages)| {
            pages
                .iter()
                .map(move |vpn| ((*did, *pasid, *vpn), self.entries[&(*did, *pasid, *vpn)]))
        })
    }
}

/// The PASID cache: PASID-table entries the hardware has fetched, keyed by (DID, PASID).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PasidCache {
    entries: BTreeMap<(u16, u32), [u64; 8]>,
}

impl PasidCache {
    /// Caches a PASID entry of (DID, PASID).
    pub fn insert(&mut self, did: u16, pasid: u32, entry: [u64; 8]) {
        self.entries.insert((did, pasid), entry);
    }

    /// The cached PASID entry of (DID, PASID).
    pub fn lookup(&self, did: u16, pasid: u32) -> Option<[u64; 8]> {
        self.entries.get(&(did, pasid)).copied()
    }

    /// `QI_PC_PASID_SEL`: one PASID of `did`; `QI_PC_ALL_PASIDS`: every PASID of `did`.
    pub fn invalidate(&mut self, did: u16, pasid: Option<u32>) -> usize {
        let (lo, hi) = match pasid {
            Some(p) => ((did, p), (did, p)),
            None => ((did, 0), (did, u32::MAX)),
        };
        drop_range(&mut self.entries, lo, hi)
    }

    /// Entries cached.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is cached.
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
    /// Caches a translation in device `sid`'s TLB.
    pub fn insert(&mut self, sid: u16, pasid: Option<u32>, vpn: u64, t: Translation) {
        self.entries.insert((sid, pasid, vpn), t);
    }

    /// Device `sid`'s cached translation of page `vpn`.
    pub fn lookup(&self, sid: u16, pasid: Option<u32>, vpn: u64) -> Option<Translation> {
        self.entries.get(&(sid, pasid, vpn)).copied()
    }

    /// Drops `count` pages from `first` of device `sid` and `pasid`; how many were cached.
    pub fn invalidate(&mut self, sid: u16, pasid: Option<u32>, first: u64, count: u64) -> usize {
        let last = first.saturating_add(count.saturating_sub(1));
        drop_range(&mut self.entries, (sid, pasid, first), (sid, pasid, last))
    }

    /// Entries cached.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The IOTLB against a plain list under a pseudo-random mix of inserts and range
    /// invalidations: lookups and contents agree after every step.
    #[test]
    fn iotlb_matches_a_naive_model() {
        let mut iotlb = Iotlb::default();
        let mut naive: Vec<((u16, u32, u64), Translation)> = Vec::new();
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let (did, pasid, vpn) = (2 + (next() % 3) as u16, (next() % 4) as u32, next() % 128);
            if next() % 3 == 0 {
                let count = [1, 2, 8, 64, u64::MAX][(next() % 5) as usize];
                let dropped = iotlb.invalidate(did, pasid, vpn, count);
                let before = naive.len();
                naive.retain(|((d, p, v), _)| {
                    !(*d == did && *p == pasid && *v >= vpn && *v - vpn < count)
                });
                assert_eq!(dropped, before - naive.len());
            } else {
                let t = Translation {
                    host_pfn: next(),
                    writable: true,
                };
                iotlb.insert(did, pasid, vpn, t);
                naive.retain(|(k, _)| *k != (did, pasid, vpn));
                naive.push(((did, pasid, vpn), t));
            }
            assert_eq!(iotlb.len(), naive.len());
        }
        naive.sort_by_key(|(k, _)| *k);
        assert_eq!(iotlb.iter().collect::<Vec<_>>(), naive);
    }
}
