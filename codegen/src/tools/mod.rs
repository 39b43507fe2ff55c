//! Tools: what runs on the model besides emitting. `interpret` (the validation semantics over
//! raw bytes, from validator plans), `decode`, the compatibility `matrix` (and `matrix_c`, its
//! C harness), `pahole`, the libclang layout proof (`clang_proof`), and the two that go the
//! other way, `import` (a kernel header → a schema) and `headers_install`; `lab_matrix`, the
//! matrix's cases for a real kernel and its answers judged; `header_decls` lists
//! what a header declares, for the comparison with the kernel's own headers. `clang` is the one
//! safe wrapper over libclang the proof, `import` and `header_decls` call.

// libclang's `unsafe` stays in `clang`, where its types make the rest safe to write.
#![deny(unsafe_code)]

#[allow(unsafe_code)]
pub(crate) mod clang;

pub mod chain_c;
pub mod chain_matrix;
pub mod clang_proof;
pub mod decode;
pub mod header_decls;
pub mod headers_install;
pub mod import;
pub mod interpret;
pub mod lab_matrix;
pub mod libc_stubs;
pub mod matrix;
pub mod matrix_c;
pub mod pahole;
