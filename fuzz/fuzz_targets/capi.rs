//! The C ABI (`capi`, `include/uapigen/runtime.h`) called as a careless or hostile C
//! program would: null handles and out-pointers, ioctl arguments inside, across the end of and
//! outside the user memory it registered, any command, any bytes. No crash, no access outside
//! the registered memory (ASan), and every return 0 or a negative errno.
#![no_main]

use std::ffi::CStr;
use std::os::raw::{c_int, c_ulong, c_void};

use libfuzzer_sys::fuzz_target;
use uapigen_capi::*;
use uapigen_fuzz::{Call, Input};

const MEM: usize = 4096;
const CMDS: [c_ulong; 6] = [0x3b80, 0x3b81, 0x3b89, 0x3b8a, 0x3b8d, 0x3b8f];

fn ok(ret: c_int) {
    assert!(ret <= 0 && ret > -4096, "not 0 or a negative errno: {ret}");
}

fuzz_target!(|data: &[u8]| {
    // Input: a mode byte, the number of calls, the calls (17 bytes each), then the user
    // memory's contents.
    let mut inp = Input::new(data);
    let mode = inp.u8();
    let ops = Call::read_all(&mut inp);
    let mut user = vec![0u8; MEM];
    let init = inp.bytes(MEM);
    user[..init.len()].copy_from_slice(init);
    let sid = 0x0200u16;
    let base = user.as_mut_ptr();
    // SAFETY: `user` outlives the handle and nothing else touches it during a call.
    let h = unsafe { uapigen_vtd_create(sid, (mode & 1) as c_int, base.cast(), MEM) };
    assert!(!h.is_null());
    for op in &ops {
        let hh = if op.kind & 0x80 != 0 { std::ptr::null_mut() } else { h };
        // Anywhere in and just around the registered memory, or any address at all.
        let arg: *mut c_void = if op.kind & 0x40 != 0 {
            op.q as usize as *mut c_void
        } else {
            base.wrapping_add(op.off as usize % (MEM + 64)).cast()
        };
        let mut out32 = 0u32;
        let mut out64 = 0u64;
        let null_out = op.kind & 0x20 != 0;
        let out32p: *mut u32 = if null_out { std::ptr::null_mut() } else { &mut out32 };
        let out64p: *mut u64 = if null_out { std::ptr::null_mut() } else { &mut out64 };
        // SAFETY: the ABI's contract: handles are null or live, out-pointers null or valid.
        unsafe {
            match op.kind % 8 {
                0 => ok(uapigen_vfio_nesting_op(hh, arg)),
                1..=3 => ok(uapigen_iommufd_ioctl(hh, CMDS[op.a as usize % CMDS.len()], arg)),
                4 => ok(uapigen_iommufd_bind_device(hh, sid, out32p)),
                5 => ok(uapigen_iommufd_attach(hh, op.a as u32 % 8, op.b as u32 % 8)),
                6 => ok(uapigen_vfio_alloc_pasid(hh, out32p)),
                _ => {
                    let pasid = op.w as i32 as i64;
                    ok(uapigen_device_dma(hh, sid, pasid, op.q, out64p));
                    ok(uapigen_cached(hh, sid, pasid, op.q).min(0));
                }
            }
            let why = CStr::from_ptr(uapigen_last_rejection(hh));
            assert!(why.to_str().is_ok());
        }
    }
    // SAFETY: `h` is live and destroyed once.
    unsafe { uapigen_vtd_destroy(h) };
});
