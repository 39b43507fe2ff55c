//! The runtime and the VT-d model: invalidations per second from user bytes to descriptors,
//! next to the same backend call on an already-validated struct (the floor the front end
//! adds to), and IOTLB lookups at 10^3, 10^5, 10^6 and 10^7 cached translations.

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
// Not the library's: a module of the library would change how the validators it holds are
// compiled, and so their instruction counts.
#[path = "../fixture/backend.rs"]
mod backend;
use backend::Fixture;
use vtd_backend::cache::{Iotlb, Translation};

fn invalidations(c: &mut Criterion) {
    let f = Fixture::new(uapigen_bindings::iommu::v5_13::REVISION);
    let mut g = c.benchmark_group("invalidate");
    g.throughput(Throughput::Elements(1));
    g.bench_function("envelope → validator → backend → descriptors", |b| {
        b.iter(|| {
            f.container
                .nesting_op(&f.mem, black_box(f.envelope))
                .unwrap()
        })
    });
    g.bench_function("backend only (validated struct)", |b| {
        b.iter(|| f.backend.cache_invalidate(1, black_box(&f.info)).unwrap())
    });
    g.throughput(Throughput::Elements(16));
    g.bench_function("iommufd array of 16 → descriptors", |b| {
        b.iter_batched(
            || f.mem.put(f.array_at, &f.array),
            |()| f.fd.ioctl(&f.mem, 0x3b8d, black_box(f.array_at)).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn iotlb_lookup(c: &mut Criterion) {
    let mut g = c.benchmark_group("iotlb lookup");
    for n in [1_000u64, 100_000, 1_000_000, 10_000_000] {
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
