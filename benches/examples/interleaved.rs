//! Each validator side timed in interleaved rounds, for `scripts/bench-interleaved`: every
//! round times N calls of each of the four sides (generated Rust over a bounds-checked
//! buffer, over raw memory, generated C, hand-written kernel-style C), starting at a different
//! side each round, so that whatever else the machine does falls on every side alike. It
//! prints each side's median time per call and, per side, the median over rounds of its ratio
//! to the hand-written C of the same round.
//!
//!     interleaved <cache_invalidate|hwpt_invalidate> ROUNDS N

use std::hint::black_box;
use std::time::Instant;

use uapigen_bench::*;
use uapigen_bindings::{iommu::IommuCacheInvalidateInfo, iommufd::IommuHwptInvalidate};

/// The user bytes start a cache line, as in the criterion bench.
#[repr(align(64))]
struct CacheLine<T>(T);

const SIDES: [&str; 4] = ["rust", "raw", "gen_c", "hand_c"];

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(input), Some(rounds), Some(n)) = (
        args.get(1),
        args.get(2).and_then(|r| r.parse::<usize>().ok()),
        args.get(3).and_then(|n| n.parse::<u64>().ok()),
    ) else {
        eprintln!("usage: interleaved <cache_invalidate|hwpt_invalidate> ROUNDS N");
        std::process::exit(2);
    };
    if rounds == 0 || n == 0 {
        eprintln!("ROUNDS and N must be at least 1");
        std::process::exit(2);
    }
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
    let mut call = |side: &str| -> i32 {
        match (input.as_str(), side) {
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
            _ => unsafe { hand_hwpt_invalidate(&mut hw.0, black_box(src.as_ptr())) },
        }
    };
    // ns per call, per round, per side.
    let mut times: Vec<[f64; 4]> = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let mut t = [0f64; 4];
        for k in 0..SIDES.len() {
            let s = (round + k) % SIDES.len();
            let start = Instant::now();
            for _ in 0..n {
                let r = call(SIDES[s]);
                if r != 0 {
                    eprintln!("{input} {} refused its valid input: {r}", SIDES[s]);
                    std::process::exit(1);
                }
            }
            t[s] = start.elapsed().as_nanos() as f64 / n as f64;
        }
        times.push(t);
    }
    let hand = SIDES.len() - 1;
    print!("{input:<18}");
    for s in 0..SIDES.len() {
        print!(" {:>9.2}", median(times.iter().map(|t| t[s]).collect()));
    }
    for s in 0..hand {
        let ratio = median(times.iter().map(|t| t[s] / t[hand]).collect());
        print!(" {ratio:>8.2}x");
    }
    println!();
}
