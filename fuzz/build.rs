//! Writes the table of every validated (struct, revision) of the repository's schemas, for
//! Rust (`OUT_DIR/pairs.rs`) and for C (`OUT_DIR/c_dispatch.c`), and compiles the C validators
//! of `generated/include` behind one dispatch function. Under cargo fuzz (`--cfg fuzzing`) the
//! C is built with clang, libFuzzer's coverage, AddressSanitizer and UndefinedBehaviorSanitizer
//! (trapping, so no UBSan runtime is needed beside Rust's ASan one).

use std::fmt::Write as _;
use std::path::PathBuf;

use uapigen::ir::Convention;

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("..");
    let schema = root.join("schema");
    let include = root.join("generated/include");
    println!("cargo:rerun-if-changed={}", schema.display());
    println!("cargo:rerun-if-changed={}", include.display());
    println!("cargo:rerun-if-changed=src/c_memory.h");
    let families = uapigen::load_dir(&schema).unwrap_or_else(|e| panic!("{e}"));

    let mut rust = String::from(
        "/// Every validated (family, struct, struct id, revision, driver data, its type).\n\
         pub static PAIRS: &[Pair] = &[\n",
    );
    let mut c = String::from("#include \"c_memory.h\"\n");
    for f in &families {
        writeln!(c, "#include <uapigen/{}_validate.h>", f.family.name).unwrap();
    }
    c.push_str(
        "\n/* Runs validator `idx` of the table on the `readable` bytes at `user`; the furthest byte it\n\
         * read in `*read_end`, what it left in `*dst` in `out` (`out_len` must be sizeof). */\n\
         int uapigen_fuzz_c_copy(unsigned idx, const unsigned char *user, size_t readable,\n\
         \t\t\t__u32 type, __u32 len, unsigned char *out, size_t out_len, size_t *read_end)\n\
         {\n\tconst void *src = user;\n\tint ret;\n\n\tuapigen_fuzz_user = user;\n\
         \tuapigen_fuzz_readable = readable;\n\tuapigen_fuzz_read_end = 0;\n\tswitch (idx) {\n",
    );
    let mut idx = 0;
    for f in &families {
        for (si, st) in f.family.structs_by_id() {
            let Some(v) = &st.validation else { continue };
            let user_data = st.convention == Some(Convention::UserData);
            let data_type = v.data_type.as_ref().map_or(0, |d| d.1 as u32);
            for (r, rev) in f.history.revs_by_id() {
                // The revisions with a C validator (see `ValidatorPlan::in_latest`).
                if !f.rev(r).validator(si).is_some_and(|p| p.in_latest) {
                    continue;
                }
                writeln!(
                    rust,
                    "    Pair {{ family: {:?}, name: {:?}, si: uapigen::model::StructId({}), rev: uapigen::model::RevId({}), user_data: {user_data}, data_type: {data_type} }},",
                    f.family.name, st.name, si.0, r.0
                )
                .unwrap();
                let args = if user_data { "src, type, len" } else { "src" };
                writeln!(
                    c,
                    "\tcase {idx}: {{\n\t\tstruct {n} *dst = malloc(sizeof(*dst));\n\n\
                     \t\tif (!dst || out_len != sizeof(*dst))\n\t\t\tabort();\n\
                     \t\tmemset(dst, 0xa5, sizeof(*dst));\n\
                     \t\tret = {n}__{id}_copy_from_user(dst, {args});\n\
                     \t\tmemcpy(out, dst, sizeof(*dst));\n\t\tfree(dst);\n\t\t*read_end = uapigen_fuzz_read_end;\n\t\treturn ret;\n\t}}",
                    n = st.name,
                    id = rev.id
                )
                .unwrap();
                idx += 1;
            }
        }
    }
    rust.push_str("];\n\n");
    rust.push_str(
        "/// The generated Rust crate's `copy_from_user_by_name` of `family`.\n\
         pub fn rust_copy_by_name(family: &str, name: &str, rev: usize, mem: &dyn uapigen_uaccess::UserMemory, \
         src: u64, user_data: (u32, u32), dst: &mut [u8]) -> Option<Result<usize, uapigen_uaccess::Rejected>> {\n\
         \tmatch family {\n",
    );
    for f in &families {
        writeln!(
            rust,
            "\t\t{:?} => uapigen_bindings::{}::copy_from_user_by_name(name, rev, mem, src, user_data, dst),",
            f.family.name, f.family.name
        )
        .unwrap();
    }
    rust.push_str("\t\t_ => None,\n\t}\n}\n");
    c.push_str("\t}\n\t(void)type;\n\t(void)len;\n\tabort();\n\treturn ret;\n}\n");

    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out.join("pairs.rs"), rust).unwrap();
    let c_file = out.join("c_dispatch.c");
    std::fs::write(&c_file, c).unwrap();

    let mut build = cc::Build::new();
    build
        .file(&c_file)
        .include("src")
        .include(&include)
        .include(include.join("uapi"))
        .flag("-std=gnu11")
        .warnings_into_errors(true);
    if std::env::var_os("CARGO_CFG_FUZZING").is_some() {
        build
            .compiler("clang")
            .flag("-fsanitize=fuzzer-no-link,address,undefined")
            .flag("-fsanitize-trap=undefined")
            .flag("-fno-sanitize-recover=all");
    }
    build.compile("uapigen_fuzz_c");
}
