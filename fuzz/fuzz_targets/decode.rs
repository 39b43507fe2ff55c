//! `uapigen decode` on any bytes of any struct of the repository's schemas, with or without
//! driver data's (type, length), and its `--hex` parser on any text: no panic; the verdict is
//! the interpreter's; hex that parses prints back to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use uapigen_fuzz::{families, Input};

fuzz_target!(|data: &[u8]| {
    let mut inp = Input::new(data);
    let fams = families();
    let c = &fams[inp.u8() as usize % fams.len()];
    let s = uapigen::model::StructId(inp.u8() as usize % c.family.structs.len());
    let mode = inp.u8();
    let ud = (mode & 1 != 0).then(|| uapigen::interpret::UserData {
        data_type: inp.u32(),
        len: inp.u32(),
    });
    let rest = inp.rest();
    let bytes = if mode & 2 != 0 {
        let Ok(text) = std::str::from_utf8(rest) else {
            return;
        };
        match uapigen::decode::parse_hex(text) {
            Ok(b) => {
                let again: String = b.iter().map(|x| format!("{x:02x} ")).collect();
                assert_eq!(uapigen::decode::parse_hex(&again).as_ref(), Ok(&b));
                b
            }
            Err(_) => return,
        }
    } else {
        rest.to_vec()
    };
    let d = uapigen::decode::decode_rev(c.latest(), s, &bytes, ud);
    let name = &c.family.struct_(s).name;
    assert!(d.text.starts_with(&format!("struct {name} ")), "{}", d.text);
});
