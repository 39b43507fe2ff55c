//! Scalable-mode PASID directory and tables with the real 512-bit entries (REFERENCE.md §8,
//! `drivers/iommu/intel/pasid.[ch]`).

use crate::descriptor::VTD_PAGE_MASK;

/// PASIDs are 20 bits.
pub const PASID_MAX: u32 = 0x10_0000;
/// `PASID_PDE_SHIFT`: a directory entry points at a table of 64 PASID entries.
pub const PASID_PDE_SHIFT: u32 = 6;
/// PASID entries per table.
pub const PASID_TABLE_ENTRIES: usize = 1 << PASID_PDE_SHIFT;
/// Directory entries.
pub const PASID_DIR_ENTRIES: usize = (PASID_MAX >> PASID_PDE_SHIFT) as usize;

/// P (bit 0) of a directory entry and of a PASID entry.
pub const PASID_PTE_PRESENT: u64 = 1;
/// FPD, fault processing disable (bit 1 of a PASID entry).
pub const PASID_PTE_FPD: u64 = 1 << 1;

/// PGTT values (`val[0]` bits 8:6).
pub const PASID_ENTRY_PGTT_FL_ONLY: u64 = 1;
/// PGTT: second-level only.
pub const PASID_ENTRY_PGTT_SL_ONLY: u64 = 2;
/// PGTT: nested.
pub const PASID_ENTRY_PGTT_NESTED: u64 = 3;
/// PGTT: pass-through.
pub const PASID_ENTRY_PGTT_PT: u64 = 4;

/// FLPM values (`val[2]` bits 3:2).
pub const FLPM_4LEVEL: u64 = 0;
/// FLPM: 5-level.
pub const FLPM_5LEVEL: u64 = 1;

/// The "physical" address the model gives PASID tables: table `n` sits at
/// `PASID_TABLE_BASE + n * 4096`, so directory entries carry real page-frame bits.
pub const PASID_TABLE_BASE: u64 = 0x4000_0000;

fn set_bits(word: &mut u64, lo: u32, width: u32, value: u64) {
    let mask = if width == 64 {
        u64::MAX
    } else {
        ((1u64 << width) - 1) << lo
    };
    *word = (*word & !mask) | ((value << lo) & mask);
}

fn get_bits(word: u64, lo: u32, width: u32) -> u64 {
    if width == 64 {
        word
    } else {
        (word >> lo) & ((1u64 << width) - 1)
    }
}

/// One 512-bit scalable-mode PASID entry, `u64 val[8]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PasidEntry {
    /// The 512 bits.
    pub val: [u64; 8],
}

impl PasidEntry {
    /// P: present.
    pub fn present(&self) -> bool {
        self.val[0] & PASID_PTE_PRESENT != 0
    }
    /// Sets P.
    pub fn set_present(&mut self) {
        self.val[0] |= PASID_PTE_PRESENT;
    }
    /// Fault processing disable (bit 1).
    pub fn fpd(&self) -> bool {
        self.val[0] & PASID_PTE_FPD != 0
    }
    /// Second-level address width (bits 4:2).
    pub fn aw(&self) -> u64 {
        get_bits(self.val[0], 2, 3)
    }
    /// Sets AW.
    pub fn set_aw(&mut self, aw: u64) {
        set_bits(&mut self.val[0], 2, 3, aw);
    }
    /// Translation type (bits 8:6).
    pub fn pgtt(&self) -> u64 {
        get_bits(self.val[0], 6, 3)
    }
    /// Sets PGTT.
    pub fn set_pgtt(&mut self, pgtt: u64) {
        set_bits(&mut self.val[0], 6, 3, pgtt);
    }
    /// Second-level page-table pointer (bits 63:12), a page-aligned address.
    pub fn slptptr(&self) -> u64 {
        self.val[0] & VTD_PAGE_MASK
    }
    /// Sets SLPTPTR (the address's page-frame bits).
    pub fn set_slptptr(&mut self, addr: u64) {
        self.val[0] = (self.val[0] & !VTD_PAGE_MASK) | (addr & VTD_PAGE_MASK);
    }
    /// Domain id (bits 79:64: `val[1]` 15:0).
    pub fn did(&self) -> u16 {
        get_bits(self.val[1], 0, 16) as u16
    }
    /// Sets DID.
    pub fn set_did(&mut self, did: u16) {
        set_bits(&mut self.val[1], 0, 16, did as u64);
    }
    /// Page-walk snoop (bit 87: `val[1]` bit 23).
    pub fn pwsnp(&self) -> bool {
        self.val[1] & (1 << 23) != 0
    }
    /// Sets PWSNP.
    pub fn set_pwsnp(&mut self) {
        self.val[1] |= 1 << 23;
    }
    /// Page snoop (bit 88: `val[1]` bit 24).
    pub fn pgsnp(&self) -> bool {
        self.val[1] & (1 << 24) != 0
    }
    /// Supervisor request enable (bit 128: `val[2]` bit 0).
    pub fn sre(&self) -> bool {
        self.val[2] & 1 != 0
    }
    /// Sets SRE.
    pub fn set_sre(&mut self) {
        self.val[2] |= 1;
    }
    /// First-level paging mode (bits 131:130: `val[2]` 3:2).
    pub fn flpm(&self) -> u64 {
        get_bits(self.val[2], 2, 2)
    }
    /// Sets FLPM.
    pub fn set_flpm(&mut self, flpm: u64) {
        set_bits(&mut self.val[2], 2, 2, flpm);
    }
    /// Write protect enable (bit 132: `val[2]` bit 4).
    pub fn wpe(&self) -> bool {
        self.val[2] & (1 << 4) != 0
    }
    /// Sets WPE.
    pub fn set_wpe(&mut self) {
        self.val[2] |= 1 << 4;
    }
    /// Extended access flag enable (bit 135: `val[2]` bit 7).
    pub fn eafe(&self) -> bool {
        self.val[2] & (1 << 7) != 0
    }
    /// Sets EAFE.
    pub fn set_eafe(&mut self) {
        self.val[2] |= 1 << 7;
    }
    /// First-level page-table pointer (bits 191:140: `val[2]` 63:12).
    pub fn flptr(&self) -> u64 {
        self.val[2] & VTD_PAGE_MASK
    }
    /// Sets FLPTR (the address's page-frame bits).
    pub fn set_flptr(&mut self, addr: u64) {
        self.val[2] = (self.val[2] & !VTD_PAGE_MASK) | (addr & VTD_PAGE_MASK);
    }
    /// The memory-type bits: `val[1]` bits 63:25 (CD 25, EMTE 26, EMT 29:27, PWT 30, PCD 31,
    /// PAT 63:32 in v5.10's `pasid_set_*` helpers). The nested setups here refuse every
    /// memory-type request, so these stay zero; tests assert it.
    pub fn memory_type_bits(&self) -> u64 {
        self.val[1] & 0xffff_ffff_fe00_0000
    }
}

/// A device's PASID directory and the tables it points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasidTable {
    /// Directory entries: bit 0 present, bits 63:12 the table's address.
    dir: Vec<u64>,
    tables: Vec<Box<[PasidEntry; PASID_TABLE_ENTRIES]>>,
}

impl Default for PasidTable {
    fn default() -> Self {
        PasidTable {
            dir: vec![0; PASID_DIR_ENTRIES],
            tables: Vec::new(),
        }
    }
}

impl PasidTable {
    /// The directory entry for `pasid` (index `pasid >> 6`); 0 (not present) past the
    /// directory: a PASID of 20 bits or more has no entry, and a DMA tagged with one faults.
    pub fn dir_entry(&self, pasid: u32) -> u64 {
        self.dir
            .get((pasid >> PASID_PDE_SHIFT) as usize)
            .copied()
            .unwrap_or(0)
    }

    fn table_index(&self, pasid: u32) -> Option<usize> {
        let de = self.dir_entry(pasid);
        (de & PASID_PTE_PRESENT != 0)
            .then(|| (((de & VTD_PAGE_MASK) - PASID_TABLE_BASE) >> 12) as usize)
    }

    /// The entry for `pasid`, if its table exists (`intel_pasid_get_entry`).
    pub fn entry(&self, pasid: u32) -> Option<&PasidEntry> {
        let t = self.table_index(pasid)?;
        Some(&self.tables[t][(pasid as usize) & (PASID_TABLE_ENTRIES - 1)])
    }

    /// The entry for `pasid`, allocating its table (and directory entry) on first use.
    pub fn entry_mut(&mut self, pasid: u32) -> &mut PasidEntry {
        let t = match self.table_index(pasid) {
            Some(t) => t,
            None => {
                self.tables
                    .push(Box::new([PasidEntry::default(); PASID_TABLE_ENTRIES]));
                let t = self.tables.len() - 1;
                self.dir[(pasid >> PASID_PDE_SHIFT) as usize] =
                    (PASID_TABLE_BASE + ((t as u64) << 12)) | PASID_PTE_PRESENT;
                t
            }
        };
        &mut self.tables[t][(pasid as usize) & (PASID_TABLE_ENTRIES - 1)]
    }

    /// `intel_pasid_clear_entry`: the entry becomes all zero.
    pub fn clear(&mut self, pasid: u32) {
        if let Some(t) = self.table_index(pasid) {
            self.tables[t][(pasid as usize) & (PASID_TABLE_ENTRIES - 1)] = PasidEntry::default();
        }
    }

    /// The PASIDs whose entries are present, in order.
    pub fn present(&self) -> Vec<u32> {
        let mut out = Vec::new();
        for (d, de) in self.dir.iter().enumerate() {
            if de & PASID_PTE_PRESENT == 0 {
                continue;
            }
            let t = (((de & VTD_PAGE_MASK) - PASID_TABLE_BASE) >> 12) as usize;
            for (i, e) in self.tables[t].iter().enumerate() {
                if e.present() {
                    out.push(((d as u32) << PASID_PDE_SHIFT) | i as u32);
                }
            }
        }
        out
    }
}
