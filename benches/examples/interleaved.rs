//! Each validator side timed in interleaved rounds, for `scripts/bench-interleaved`: every
//! round times N calls of each of the four sides (generated Rust over a bounds-checked
//! buffer, over raw memory, generated C, hand-written kernel-style C), starting at a different
//! side each round, so that whatever else the machine does falls on every side alike. It
//! prints each side's median time per call and, per side, the median over rounds of its ratio
//! to the hand-written C of the same round.
//!
//!     interleaved <cache_invalidate|hwpt_invalidate> ROUNDS N

use std::time::Instant;

use uapigen_bench::RawUser;

// Beside the library, not in it (benches/backend.rs says why).
#[path = "../fixture/sides.rs"]
mod sides;

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
    let Some(mut input) = sides::Input::new(input) else {
        eprintln!("unknown input {input}");
        std::process::exit(2);
    };
    // SAFETY: the only addresses given are the input's own bytes, for their length.
    let raw = unsafe { RawUser::new() };
    // ns per call, per round, per side.
    let mut times: Vec<[f64; 4]> = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let mut t = [0f64; 4];
        for k in 0..SIDES.len() {
            let s = (round + k) % SIDES.len();
            let start = Instant::now();
            for _ in 0..n {
                let r = input.call(SIDES[s], &raw);
                if r != Some(0) {
                    eprintln!("{} {} refused its valid input: {r:?}", input.name, SIDES[s]);
                    std::process::exit(1);
                }
            }
            t[s] = start.elapsed().as_nanos() as f64 / n as f64;
        }
        times.push(t);
    }
    let hand = SIDES.len() - 1;
    print!("{:<18}", input.name);
    for s in 0..SIDES.len() {
        print!(" {:>9.2}", median(times.iter().map(|t| t[s]).collect()));
    }
    for s in 0..hand {
        let ratio = median(times.iter().map(|t| t[s] / t[hand]).collect());
        print!(" {ratio:>8.2}x");
    }
    println!();
}
