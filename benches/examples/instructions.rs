//! One validator side called N times, for `scripts/bench-instructions`, which runs this under
//! valgrind's callgrind and counts only the side's own function (`--toggle-collect`):
//! instructions per call, the same on a busy machine as on a quiet one.
//!
//!     instructions <cache_invalidate|hwpt_invalidate> <rust|raw|gen_c|hand_c> N
//!     instructions backend <envelope|envelope_v5_10|floor|array> N
//!
//! `backend`: the runtime and the VT-d model (benches/fixture/backend.rs): an envelope
//! from user bytes to descriptors (the 2020 uAPI's newest revision, its validators called
//! directly; or v5.10, through the generated dispatcher), the same backend call on a validated
//! struct, an iommufd array of 16 entries.

use std::hint::black_box;

use uapigen_bench::*;

// Beside the library, not in it (benches/backend.rs says why).
#[path = "../fixture/backend.rs"]
mod backend;
#[path = "../fixture/sides.rs"]
mod sides;

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
    if input == "backend" {
        run_backend(side, n);
        return;
    }
    let Some(mut input) = sides::Input::new(input) else {
        eprintln!("unknown input {input}");
        std::process::exit(2);
    };
    // SAFETY: the only addresses given are the input's own bytes, for their length.
    let raw = unsafe { RawUser::new() };
    for _ in 0..n {
        let Some(r) = input.call(side, &raw) else {
            eprintln!("unknown side {side}");
            std::process::exit(2);
        };
        assert_eq!(r, 0, "{} {side} refused its valid input", input.name);
    }
}

fn run_backend(side: &str, n: u64) {
    use uapigen_bindings::iommu::{v5_10, v5_13};
    let rev = if side == "envelope_v5_10" {
        v5_10::REVISION
    } else {
        v5_13::REVISION
    };
    let f = backend::Fixture::new(rev);
    for _ in 0..n {
        match side {
            "envelope" | "envelope_v5_10" => f
                .container
                .nesting_op(&f.mem, black_box(f.envelope))
                .unwrap(),
            "floor" => f.backend.cache_invalidate(1, black_box(&f.info)).unwrap(),
            "array" => {
                f.mem.put(f.array_at, &f.array);
                f.fd.ioctl(&f.mem, 0x3b8d, black_box(f.array_at)).unwrap()
            }
            _ => {
                eprintln!("unknown backend path {side}");
                std::process::exit(2);
            }
        }
    }
}
