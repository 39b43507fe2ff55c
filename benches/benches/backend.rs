//! The runtime and the VT-d model: invalidations per second from user bytes to descriptors,
//! next to the same backend call on an already-validated struct (the floor the front end
//! adds to), and IOTLB lookups at 10^3, 10^5 and 10^6 cached translations.

use std::sync::Arc;

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use uapigen_bindings::iommu::IommuCacheInvalidateInfo;
use uapigen_runtime::backend::Backend;
use uapigen_runtime::envelope::{op, Container};
use uapigen_runtime::iommufd::Iommufd;
use uapigen_uaccess::{bytes_of_mut, UserMemory, UserMemoryWrite};
use vtd_backend::cache::{Iotlb, Translation};
use vtd_backend::{DeviceConfig, Features, VtdIommu};

/// User memory as one buffer at `BASE`; writes go through a `RefCell`-free raw copy because
/// the bench is single-threaded.
struct Mem {
    data: std::cell::UnsafeCell<Vec<u8>>,
}
const BASE: u64 = 0x1000;

impl Mem {
    fn put(&self, addr: u64, bytes: &[u8]) {
        assert_eq!(self.copy_to_user(addr, bytes), 0);
    }
}

impl UserMemory for Mem {
    fn copy_from_user(&self, dst: &mut [u8], addr: u64) -> usize {
        // SAFETY: single-threaded; no write is in progress.
        let data = unsafe { &*self.data.get() };
        match addr.checked_sub(BASE).map(|o| o as usize) {
            Some(o) if o + dst.len() <= data.len() => {
                dst.copy_from_slice(&data[o..o + dst.len()]);
                0
            }
            _ => dst.len(),
        }
    }
}

impl UserMemoryWrite for Mem {
    fn copy_to_user(&self, addr: u64, src: &[u8]) -> usize {
        // SAFETY: single-threaded; no read is in progress.
        let data = unsafe { &mut *self.data.get() };
        match addr.checked_sub(BASE).map(|o| o as usize) {
            Some(o) if o + src.len() <= data.len() => {
                data[o..o + src.len()].copy_from_slice(src);
                0
            }
            _ => src.len(),
        }
    }
}

fn le32(v: u32) -> [u8; 4] {
    v.to_le_bytes()
}

fn invalidations(c: &mut Criterion) {
    let iommu = Arc::new(VtdIommu::new(Features::default()));
    iommu.create_vm(1, 1 << 32).unwrap();
    iommu
        .assign_device(1, 0x100, DeviceConfig::default())
        .unwrap();
    let backend: Arc<dyn Backend> = iommu.clone();
    let container = Container::new(1, backend.clone());
    let pasid = container.alloc_pasid().unwrap();
    let mem = Mem {
        data: std::cell::UnsafeCell::new(vec![0; 8192]),
    };
    // envelope + iommu_gpasid_bind_data (REFERENCE §1b offsets)
    let mut bind = vec![0u8; 80];
    bind[0..4].copy_from_slice(&le32(80));
    bind[4..8].copy_from_slice(&le32(op::BIND_PGTBL));
    bind[8..12].copy_from_slice(&le32(72));
    bind[12..16].copy_from_slice(&le32(1));
    bind[16..20].copy_from_slice(&le32(1));
    bind[20..24].copy_from_slice(&le32(48));
    bind[32..40].copy_from_slice(&0x5000u64.to_le_bytes());
    bind[40..48].copy_from_slice(&(pasid as u64).to_le_bytes());
    mem.put(BASE, &bind);
    container.nesting_op(&mem, BASE).unwrap();
    // envelope + iommu_cache_invalidate_info: IOTLB|DEV_IOTLB × ADDR, 4 pages
    let mut inv = vec![0u8; 64];
    inv[0..4].copy_from_slice(&le32(64));
    inv[4..8].copy_from_slice(&le32(op::CACHE_INVLD));
    inv[8..12].copy_from_slice(&le32(56));
    inv[12..16].copy_from_slice(&le32(1));
    inv[16] = 3;
    inv[17] = 2;
    inv[24..28].copy_from_slice(&le32(1));
    inv[32..40].copy_from_slice(&(pasid as u64).to_le_bytes());
    inv[40..48].copy_from_slice(&0x40_0000u64.to_le_bytes());
    inv[48..56].copy_from_slice(&4096u64.to_le_bytes());
    inv[56..64].copy_from_slice(&4u64.to_le_bytes());
    mem.put(BASE + 256, &inv);

    let mut g = c.benchmark_group("invalidate");
    g.throughput(Throughput::Elements(1));
    g.bench_function("envelope → validator → backend → descriptors", |b| {
        b.iter(|| container.nesting_op(&mem, black_box(BASE + 256)).unwrap())
    });
    let mut info = IommuCacheInvalidateInfo::default();
    bytes_of_mut(&mut info).copy_from_slice(&inv[8..64]);
    g.bench_function("backend only (validated struct)", |b| {
        b.iter(|| backend.cache_invalidate(1, black_box(&info)).unwrap())
    });

    // iommufd: a nested hwpt and a 16-entry invalidation array
    let fd = Iommufd::new(1, backend.clone());
    let dev = fd.bind_device(0x100).unwrap();
    let cmd = |bytes: &[(usize, u64, usize)], len: usize| {
        let mut v = vec![0u8; len];
        for (off, val, w) in bytes {
            v[*off..*off + *w].copy_from_slice(&val.to_le_bytes()[..*w]);
        }
        v
    };
    mem.put(BASE + 1024, &cmd(&[(0, 12, 4)], 12));
    fd.ioctl(&mem, 0x3b81, BASE + 1024).unwrap();
    let ioas = u32::from_le_bytes(read(&mem, BASE + 1032));
    mem.put(
        BASE + 1024,
        &cmd(
            &[
                (0, 40, 4),
                (4, 1, 4),
                (8, dev as u64, 4),
                (12, ioas as u64, 4),
            ],
            40,
        ),
    );
    fd.ioctl(&mem, 0x3b89, BASE + 1024).unwrap();
    let parent = u32::from_le_bytes(read(&mem, BASE + 1040));
    mem.put(BASE + 2048, &cmd(&[(8, 0x7000, 8), (16, 48, 4)], 24));
    mem.put(
        BASE + 1024,
        &cmd(
            &[
                (0, 40, 4),
                (8, dev as u64, 4),
                (12, parent as u64, 4),
                (24, 1, 4),
                (28, 24, 4),
                (32, BASE + 2048, 8),
            ],
            40,
        ),
    );
    fd.ioctl(&mem, 0x3b89, BASE + 1024).unwrap();
    let hwpt = u32::from_le_bytes(read(&mem, BASE + 1040));
    fd.attach(dev, hwpt).unwrap();
    for i in 0..16u64 {
        mem.put(
            BASE + 4096 + 24 * i,
            &cmd(&[(0, i << 16, 8), (8, 16, 8)], 24),
        );
    }
    let array = cmd(
        &[
            (0, 32, 4),
            (4, hwpt as u64, 4),
            (8, BASE + 4096, 8),
            (20, 24, 4),
            (24, 16, 4),
        ],
        32,
    );
    g.throughput(Throughput::Elements(16));
    g.bench_function("iommufd array of 16 → descriptors", |b| {
        b.iter_batched(
            || mem.put(BASE + 3072, &array),
            |()| fd.ioctl(&mem, 0x3b8d, black_box(BASE + 3072)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn read(mem: &Mem, addr: u64) -> [u8; 4] {
    let mut b = [0u8; 4];
    assert_eq!(mem.copy_from_user(&mut b, addr), 0);
    b
}

fn iotlb_lookup(c: &mut Criterion) {
    let mut g = c.benchmark_group("iotlb lookup");
    for n in [1_000u64, 100_000, 1_000_000] {
        let mut iotlb = Iotlb::default();
        // spread over 4 domains × 16 PASIDs
        for i in 0..n {
            iotlb.insert(
                (2 + i % 4) as u16,
                (i / 4 % 16) as u32,
                i,
                Translation {
                    host_pfn: i,
                    writable: true,
                },
            );
        }
        let mut k = 0u64;
        g.bench_function(format!("{n} entries"), |b| {
            b.iter(|| {
                k = (k + 7919) % n;
                black_box(iotlb.lookup((2 + k % 4) as u16, (k / 4 % 16) as u32, k)).unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, invalidations, iotlb_lookup);
criterion_main!(benches);
