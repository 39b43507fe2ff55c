//! One validator side called N times, for `scripts/bench-instructions`, which runs this under
//! valgrind's callgrind and counts only the side's own function (`--toggle-collect`):
//! instructions per call, the same on a busy machine as on a quiet one.
//!
//!     instructions <cache_invalidate|hwpt_invalidate> <rust|raw|gen_c|hand_c> N

use std::hint::black_box;

use uapigen_bench::*;
use uapigen_bindings::{iommu::IommuCacheInvalidateInfo, iommufd::IommuHwptInvalidate};

/// The user bytes start a cache line, as in the criterion bench.
#[repr(align(64))]
struct CacheLine<T>(T);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(input), Some(side), Some(n)) = (
        args.get(1),
        args.get(2),
        args.get(3).and_then(|n| n.parse::<u64>().ok()),
    ) else {
        eprintln!(
            "usage: instructions <cache_invalidate|hwpt_invalidate> <rust|raw|gen_c|hand_c> N"
        );
        std::process::exit(2);
    };
    let bytes = match input.as_str() {
        "cache_invalidate" => cache_invalidate_input(),
        "hwpt_invalidate" => hwpt_invalidate_input(),
        other => {
            eprintln!("unknown input {other}");
            std::process::exit(2);
        }
    };
    let mut line = CacheLine([0u8; 64]);
    line.0[..bytes.len()].copy_from_slice(&bytes);
    let src = &line.0[..bytes.len()];
    let mem = Buffer(src);
    // SAFETY: the only address given is `src`'s, for its length.
    let raw = unsafe { RawUser::new() };
    let mut ci = CacheLine(IommuCacheInvalidateInfo::default());
    let mut hw = CacheLine(IommuHwptInvalidate::default());
    for _ in 0..n {
        let r = match (input.as_str(), side.as_str()) {
            ("cache_invalidate", "rust") => rust_cache_invalidate(&mut ci.0, black_box(&mem)),
            ("cache_invalidate", "raw") => {
                rust_cache_invalidate_raw(&mut ci.0, black_box(&raw), black_box(src.as_ptr()))
            }
            // SAFETY: `dst` is a struct of the type, `src` its readable bytes.
            ("cache_invalidate", "gen_c") => unsafe {
                gen_cache_invalidate(&mut ci.0, black_box(src.as_ptr()))
            },
            // SAFETY: as above.
            ("cache_invalidate", "hand_c") => unsafe {
                hand_cache_invalidate(&mut ci.0, black_box(src.as_ptr()))
            },
            ("hwpt_invalidate", "rust") => rust_hwpt_invalidate(&mut hw.0, black_box(&mem)),
            ("hwpt_invalidate", "raw") => {
                rust_hwpt_invalidate_raw(&mut hw.0, black_box(&raw), black_box(src.as_ptr()))
            }
            // SAFETY: as above.
            ("hwpt_invalidate", "gen_c") => unsafe {
                gen_hwpt_invalidate(&mut hw.0, black_box(src.as_ptr()))
            },
            // SAFETY: as above.
            ("hwpt_invalidate", "hand_c") => unsafe {
                hand_hwpt_invalidate(&mut hw.0, black_box(src.as_ptr()))
            },
            _ => {
                eprintln!("unknown side {side}");
                std::process::exit(2);
            }
        };
        assert_eq!(r, 0, "{input} {side} refused its valid input");
    }
}
