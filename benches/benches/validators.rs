//! copy+validate of one user struct: generated Rust, generated C, hand-written kernel-style
//! C, side by side in one run. `cargo bench -p uapigen-bench`; numbers in BENCHMARKS.md.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use uapigen_bench::*;
use uapigen_bindings::{iommu::IommuCacheInvalidateInfo, iommufd::IommuHwptInvalidate};

fn cache_invalidate(c: &mut Criterion) {
    let input = cache_invalidate_input();
    let mut g = c.benchmark_group("iommu_cache_invalidate_info (ADDR)");
    // All three are opaque `fn(dst, src) -> errno` calls that write the whole struct.
    g.bench_function("generated Rust", |b| {
        let mut dst = IommuCacheInvalidateInfo::default();
        b.iter(|| assert_eq!(rust_cache_invalidate(&mut dst, black_box(&input)), 0))
    });
    g.bench_function("generated C", |b| {
        let mut dst = IommuCacheInvalidateInfo::default();
        b.iter(|| unsafe {
            assert_eq!(gen_cache_invalidate(&mut dst, black_box(input.as_ptr())), 0)
        })
    });
    g.bench_function("hand-written C", |b| {
        let mut dst = IommuCacheInvalidateInfo::default();
        b.iter(|| unsafe {
            assert_eq!(
                hand_cache_invalidate(&mut dst, black_box(input.as_ptr())),
                0
            )
        })
    });
    g.finish();
}

fn hwpt_invalidate(c: &mut Criterion) {
    let input = hwpt_invalidate_input();
    let mut g = c.benchmark_group("iommu_hwpt_invalidate");
    g.bench_function("generated Rust", |b| {
        let mut dst = IommuHwptInvalidate::default();
        b.iter(|| assert_eq!(rust_hwpt_invalidate(&mut dst, black_box(&input)), 0))
    });
    g.bench_function("generated C", |b| {
        let mut dst = IommuHwptInvalidate::default();
        b.iter(|| unsafe {
            assert_eq!(gen_hwpt_invalidate(&mut dst, black_box(input.as_ptr())), 0)
        })
    });
    g.bench_function("hand-written C", |b| {
        let mut dst = IommuHwptInvalidate::default();
        b.iter(|| unsafe {
            assert_eq!(hand_hwpt_invalidate(&mut dst, black_box(input.as_ptr())), 0)
        })
    });
    g.finish();
}

criterion_group!(benches, cache_invalidate, hwpt_invalidate);
criterion_main!(benches);
