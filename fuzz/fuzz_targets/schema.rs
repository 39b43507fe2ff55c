//! The schema front end on any text: parse → resolve → layout → check → emit, in memory, for
//! every profile. Never a panic or an internal error; a refusal is located; an accepted
//! schema gives the same files twice.
#![no_main]

use libfuzzer_sys::fuzz_target;
use uapigen::emit::{RustCrate, Templates};
use uapigen::plan::Tree;
use uapigen::profile::Profile;
use uapigen::{Error, Source};

fn templates() -> &'static Templates {
    static T: std::sync::OnceLock<Templates> = std::sync::OnceLock::new();
    T.get_or_init(|| Templates::new(None).expect("built-in templates"))
}

/// The built-in templates rendered through handlebars: what the C emitters' direct writers
/// must match byte for byte.
fn handlebars() -> &'static Templates {
    static T: std::sync::OnceLock<Templates> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        Templates::new(None)
            .expect("built-in templates")
            .through_handlebars()
    })
}

fn emit_with(
    c: &uapigen::Checked,
    profile: Profile,
    templates: &Templates,
) -> Result<uapigen::Output, String> {
    let tree = Tree::of(profile, RustCrate::default());
    uapigen::plan(std::slice::from_ref(c), &tree)
        .and_then(|plan| plan.emit(templates))
        .map_err(|e| e.to_string())
}

fn emit(c: &uapigen::Checked, profile: Profile) -> Result<uapigen::Output, String> {
    emit_with(c, profile, templates())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match uapigen::load_source(Source::new("fuzz.toml", text), "fuzz.toml") {
        Ok(c) => {
            for profile in [Profile::Generated, Profile::Kernel, Profile::Qemu] {
                let first = emit(&c, profile);
                // The other profiles are the same emitters; once is enough for determinism.
                if profile == Profile::Generated {
                    assert_eq!(first, emit(&c, profile), "output differs between two runs");
                }
                // The C headers are written without handlebars unless a template is
                // overridden: the built-in templates rendered through it give the same bytes.
                assert_eq!(
                    first,
                    emit_with(&c, profile, handlebars()),
                    "the C written directly differs from the templates' rendering"
                );
                // The Rust emitter lays its code out itself: syn must parse it and prettyplease
                // print it back unchanged (codegen/tests/rust_layout.rs, on any schema). That
                // it compiles is codegen/tests/mutations.rs's to show.
                if let Ok(out) = &first {
                    for (path, text) in &out.files {
                        if path.ends_with(".rs") {
                            let file = syn::parse_file(text)
                                .unwrap_or_else(|e| panic!("{path} does not parse: {e}"));
                            assert!(
                                prettyplease::unparse(&file) == *text,
                                "{path} is not laid out as prettyplease lays it out"
                            );
                        }
                    }
                }
                if let Err(e) = &first {
                    assert!(!e.contains("internal error"), "{e}");
                }
            }
        }
        Err(Error::Schema(diags)) => {
            for d in diags {
                assert!(d.line >= 1 && d.col >= 1 && d.path == "fuzz.toml", "{d}");
            }
        }
        Err(Error::Internal(e)) => panic!("internal error: {e}"),
        Err(_) => {}
    }
});
