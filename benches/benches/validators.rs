//! copy+validate of one user struct: generated Rust, generated C, hand-written kernel-style
//! C, side by side in one run. `cargo bench -p uapigen-bench`; numbers in BENCHMARKS.md.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use uapigen_bench::*;
use uapigen_bindings::{iommu::IommuCacheInvalidateInfo, iommufd::IommuHwptInvalidate};

/// Every side's `dst` and the user bytes start a cache line: a struct straddling two lines
/// made one side's numbers jump between runs (12.9 / 16.2 ns) with where it happened to lie.
#[repr(align(64))]
struct CacheLine<T>(T);

fn cache_invalidate(c: &mut Criterion) {
    let bytes = cache_invalidate_input();
    let mut line = CacheLine([0u8; 64]);
    line.0[..bytes.len()].copy_from_slice(&bytes);
    let input = &line.0[..bytes.len()];
    let mut g = c.benchmark_group("iommu_cache_invalidate_info (ADDR)");
    // All three are opaque `fn(dst, src) -> errno` calls that write the whole struct.
    g.bench_function("generated Rust", |b| {
        let mut dst = CacheLine(IommuCacheInvalidateInfo::default());
        let mem = Buffer(input);
        b.iter(|| assert_eq!(rust_cache_invalidate(&mut dst.0, black_box(&mem)), 0))
    });
    g.bench_function("generated Rust, raw user memory", |b| {
        let mut dst = CacheLine(IommuCacheInvalidateInfo::default());
        // SAFETY: the only address given is `input`'s, for its length.
        let mem = unsafe { RawUser::new() };
        b.iter(|| {
            assert_eq!(
                rust_cache_invalidate_raw(&mut dst.0, black_box(&mem), black_box(input.as_ptr())),
                0
            )
        })
    });
    g.bench_function("generated C", |b| {
        let mut dst = CacheLine(IommuCacheInvalidateInfo::default());
        b.iter(|| unsafe {
            assert_eq!(
                gen_cache_invalidate(&mut dst.0, black_box(input.as_ptr())),
                0
            )
        })
    });
    g.bench_function("hand-written C", |b| {
        let mut dst = CacheLine(IommuCacheInvalidateInfo::default());
        b.iter(|| unsafe {
            assert_eq!(
                hand_cache_invalidate(&mut dst.0, black_box(input.as_ptr())),
                0
            )
        })
    });
    g.finish();
}

fn hwpt_invalidate(c: &mut Criterion) {
    let bytes = hwpt_invalidate_input();
    let mut line = CacheLine([0u8; 64]);
    line.0[..bytes.len()].copy_from_slice(&bytes);
    let input = &line.0[..bytes.len()];
    let mut g = c.benchmark_group("iommu_hwpt_invalidate");
    g.bench_function("generated Rust", |b| {
        let mut dst = CacheLine(IommuHwptInvalidate::default());
        let mem = Buffer(input);
        b.iter(|| assert_eq!(rust_hwpt_invalidate(&mut dst.0, black_box(&mem)), 0))
    });
    g.bench_function("generated Rust, raw user memory", |b| {
        let mut dst = CacheLine(IommuHwptInvalidate::default());
        // SAFETY: the only address given is `input`'s, for its length.
        let mem = unsafe { RawUser::new() };
        b.iter(|| {
            assert_eq!(
                rust_hwpt_invalidate_raw(&mut dst.0, black_box(&mem), black_box(input.as_ptr())),
                0
            )
        })
    });
    g.bench_function("generated C", |b| {
        let mut dst = CacheLine(IommuHwptInvalidate::default());
        b.iter(|| unsafe {
            assert_eq!(
                gen_hwpt_invalidate(&mut dst.0, black_box(input.as_ptr())),
                0
            )
        })
    });
    g.bench_function("hand-written C", |b| {
        let mut dst = CacheLine(IommuHwptInvalidate::default());
        b.iter(|| unsafe {
            assert_eq!(
                hand_hwpt_invalidate(&mut dst.0, black_box(input.as_ptr())),
                0
            )
        })
    });
    g.finish();
}

criterion_group!(benches, cache_invalidate, hwpt_invalidate);
criterion_main!(benches);
