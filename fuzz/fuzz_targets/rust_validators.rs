//! Every generated Rust validator, differential against the IR interpreter: the same verdict
//! (the kernel's bytes or its errno) and the same furthest byte read, on any bytes, any
//! readable prefix and any driver-data (type, length).
#![no_main]

use libfuzzer_sys::fuzz_target;
use uapigen_fuzz::ValidatorCase;

fuzz_target!(|data: &[u8]| {
    let case = ValidatorCase::from_bytes(data);
    let (want, want_end) = case.interpreted();
    let (got, got_end) = case.rust();
    assert_eq!(got, want, "{:?}: the generated Rust and the interpreter disagree", case.pair);
    assert_eq!(got_end, want_end, "{:?}: they read different extents", case.pair);
});
