//! Property tests on random bytes, random size fields and random fault points: the generated
//! validators never panic, never read outside what the convention allows, and agree with the
//! kernel model, bytes included (so no byte of the result is left unwritten: the model
//! zero-fills, and a stale byte would differ).

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use uapigen_tests::*;

/// (struct, sizeof, convention's read bound for a size value, driver data type if any)
fn table() -> Vec<(&'static str, usize)> {
    STRUCTS
        .iter()
        .map(|n| {
            let (c, si) = view(n);
            (*n, c.layouts[0].struct_(si).size as usize)
        })
        .collect()
}

fn bound(name: &str, ksize: usize, v: usize) -> usize {
    let (c, si) = view(name);
    let st = c.family.struct_(si);
    let val = st.validation.as_ref().unwrap();
    let min =
        uapigen::layout::size_of_ref(c.family, &c.layouts[0], si, &val.min_size).unwrap() as usize;
    match st.convention.unwrap() {
        uapigen::ir::Convention::Argsz => min.max(v.min(ksize)),
        uapigen::ir::Convention::Size => 4usize.max(v),
        uapigen::ir::Convention::UserData => v,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn random_inputs(
        which in 0usize..STRUCTS.len(),
        mut bytes in proptest::collection::vec(any::<u8>(), 0..200),
        size in prop_oneof![0u32..200, any::<u32>()],
        readable in 0usize..220,
        data_type in 0u32..3,
    ) {
        let (name, ksize) = table()[which];
        let (c, si) = view(name);
        let conv = c.family.struct_(si).convention.unwrap();
        if conv != uapigen::ir::Convention::UserData && bytes.len() >= 4 {
            bytes[..4].copy_from_slice(&size.to_le_bytes());
        }
        let ud = (conv == uapigen::ir::Convention::UserData).then_some((data_type, size));
        let m = Mem::new(bytes.clone(), readable);
        let kernel = kernel::model(name, &m, ud);
        let m = Mem::new(bytes.clone(), readable);
        let (rust_out, _) = rust(name, &m, ud);
        prop_assert_eq!(&rust_out, &kernel);
        let v = if conv == uapigen::ir::Convention::UserData || bytes.len() >= 4 { size as usize } else { 0 };
        prop_assert!(m.read_end() as usize <= bound(name, ksize, v).max(4), "read {} of {}", m.read_end(), name);
        prop_assert_eq!(interpreted(name, &Mem::new(bytes.clone(), readable), ud), kernel);
    }
}

/// The same kind of random inputs through the C harness, in one batch.
#[test]
fn random_inputs_through_c() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (
        0usize..STRUCTS.len(),
        proptest::collection::vec(any::<u8>(), 0..200),
        0u32..200,
        0usize..220,
        0u32..3,
    );
    let mut cases = Vec::new();
    for _ in 0..5000 {
        let (which, mut bytes, size, readable, data_type) =
            strategy.new_tree(&mut runner).unwrap().current();
        let name = STRUCTS[which];
        let (c, si) = view(name);
        let conv = c.family.struct_(si).convention.unwrap();
        if conv != uapigen::ir::Convention::UserData && bytes.len() >= 4 {
            bytes[..4].copy_from_slice(&size.to_le_bytes());
        }
        let ud = (conv == uapigen::ir::Convention::UserData).then_some((data_type, size));
        cases.push(Case {
            name,
            data: bytes,
            readable,
            ud,
        });
    }
    let results = CHarness::get().run(&cases);
    for (case, (c_out, _, _)) in cases.iter().zip(results) {
        let kernel = kernel::model(
            case.name,
            &Mem::new(case.data.clone(), case.readable),
            case.ud,
        );
        assert_eq!(
            c_out, kernel,
            "{} readable={} bytes={:02x?}",
            case.name, case.readable, case.data
        );
    }
}
