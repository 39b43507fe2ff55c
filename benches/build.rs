// Compiles the C side of the benchmark: the generated validators and the hand-written
// kernel-style baseline, with the same flags, into one static library.
fn main() {
    println!("cargo:rerun-if-changed=c/bench.c");
    println!("cargo:rerun-if-changed=../generated/include");
    cc::Build::new()
        .file("c/bench.c")
        .include("../generated/include/uapi")
        .include("../generated/include")
        .opt_level(2)
        .warnings_into_errors(true)
        .compile("uapigen_bench_c");
}
