//! Every generated C validator (built with libFuzzer's coverage, ASan and UBSan), differential
//! against the generated Rust one: the same errno, the same bytes in `*dst` (the revision's
//! struct, zero beyond it), the same furthest byte read. The user's bytes are a heap block of
//! exactly the readable length, so a read the copy primitive did not bound is an ASan report.
#![no_main]

use libfuzzer_sys::fuzz_target;
use uapigen_fuzz::ValidatorCase;

extern "C" {
    #[allow(clippy::too_many_arguments)]
    fn uapigen_fuzz_c_copy(
        idx: u32,
        user: *const u8,
        readable: usize,
        data_type: u32,
        len: u32,
        out: *mut u8,
        out_len: usize,
        read_end: *mut usize,
    ) -> i32;
}

fuzz_target!(|data: &[u8]| {
    let case = ValidatorCase::from_bytes(data);
    let user: Vec<u8> = case.user[..case.readable].to_vec();
    let mut out = vec![0u8; case.today_size()];
    let mut read_end = 0usize;
    // SAFETY: `user` holds `readable` bytes, `out` is sizeof the struct, the index is in range.
    let ret = unsafe {
        uapigen_fuzz_c_copy(
            case.index as u32,
            user.as_ptr(),
            user.len(),
            case.user_data.0,
            case.user_data.1,
            out.as_mut_ptr(),
            out.len(),
            &mut read_end,
        )
    };
    let (rust, rust_end) = case.rust();
    match rust {
        Ok(bytes) => {
            assert_eq!(ret, 0, "{:?}: Rust accepts, C returns {ret}", case.pair);
            assert_eq!(&out[..bytes.len()], &bytes[..], "{:?}: different bytes", case.pair);
            assert!(
                out[bytes.len()..].iter().all(|b| *b == 0),
                "{:?}: C leaves non-zero bytes past the revision's struct",
                case.pair
            );
        }
        Err(errno) => assert_eq!(
            ret,
            errno.to_negative(),
            "{:?}: Rust refuses with {errno:?}, C returns {ret}",
            case.pair
        ),
    }
    assert_eq!(read_end as u64, rust_end, "{:?}: they read different extents", case.pair);
});
