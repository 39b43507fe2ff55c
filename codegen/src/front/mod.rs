//! Front end: schema text → the IR. `schema` parses the TOML (with spans), `resolve` turns
//! names into typed ids (`ids`) and evaluates constants (→ `ir`), `names` holds the
//! identifier policy (what a name may be in C and Rust, within and across families). Reads
//! nothing but the text.

pub mod cexpr;
pub mod cstring;
pub mod decl_macro;
pub mod ids;
pub mod ir;
pub mod names;
pub mod resolve;
pub mod schema;
pub mod when;
