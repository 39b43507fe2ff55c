//! Every mistake a schema author can make gets a located message — file:line:col, the offending
//! line and a caret — and a non-zero exit, never a panic. Each case says where the error must
//! point: the first occurrence of `at` in the schema text.

mod common;

use std::process::Command;

use uapigen::{Error, Source};

const HEAD: &str = r#"[family]
name = "t"
header = "linux/t.h"
guard = "_UAPI_T_H"
license = "GPL-2.0 WITH Linux-syscall-note"

[[revision]]
id = "r1"
"#;

struct Case {
    name: &'static str,
    body: &'static str,
    /// Text the error must point at (its first occurrence in the schema).
    at: &'static str,
    /// Words the message must contain.
    says: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "unknown type",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u31\" }]\n",
        at: "\"__u31\"",
        says: "unknown type `__u31`",
    },
    Case {
        name: "duplicate field",
        body: "[[struct]]\nname = \"s\"\nfields = [\n  { name = \"a\", type = \"__u32\" },\n  { name = \"a\", type = \"__u16\" },\n  { name = \"b\", type = \"__u16\" },\n]\n",
        at: "{ name = \"a\", type = \"__u16\" }",
        says: "two fields named `a`",
    },
    Case {
        name: "duplicate field through an anonymous union",
        body: "[[struct]]\nname = \"s\"\nfields = [\n  { name = \"a\", type = \"__u32\" },\n  { union = [{ name = \"a\", type = \"__u32\" }] },\n]\n",
        at: "{ name = \"a\", type = \"__u32\" }]",
        says: "two fields named `a`",
    },
    Case {
        name: "unknown key",
        body: "[[struct]]\nname = \"s\"\nsise = 4\nfields = [{ name = \"a\", type = \"__u32\" }]\n",
        at: "sise",
        says: "unknown field `sise`",
    },
    Case {
        name: "flag bit used twice",
        body: "[[flags]]\nname = \"f\"\nvalues = [{ name = \"A\", bit = 0 }, { name = \"B\", bit = 0 }]\n",
        at: "{ name = \"B\", bit = 0 }",
        says: "already used by `A`",
    },
    Case {
        name: "flag wider than its field",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u8\", flags = \"f\" }, { name = \"b\", type = \"__u8\" }]\n\n[[flags]]\nname = \"f\"\nvalues = [{ name = \"LOW\", bit = 0 }, { name = \"HIGH\", bit = 8 }]\n",
        at: "{ name = \"HIGH\", bit = 8 }",
        says: "does not fit in `s.a`, a 8-bit field",
    },
    Case {
        name: "enum value clash",
        body: "[[enum]]\nname = \"e\"\nvalues = [{ name = \"X\", value = 1 }, { name = \"Y\", value = 1 }]\n",
        at: "{ name = \"Y\", value = 1 }",
        says: "`Y` = 1 clashes with `X`",
    },
    Case {
        name: "implicit enum value clash",
        body: "[[enum]]\nname = \"e\"\nvalues = [{ name = \"X\", value = 1 }, { name = \"Y\", value = 0 }, { name = \"Z\" }]\n",
        at: "{ name = \"Z\" }",
        says: "`Z` = 1 clashes with `X`",
    },
    Case {
        name: "implicit padding hole",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }, { name = \"b\", type = \"__u64\" }]\n",
        at: "{ name = \"b\", type = \"__u64\" }",
        says: "implicit padding hole in struct `s`: 4 bytes at offset 4 between `a` and `b`",
    },
    Case {
        name: "tail padding",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__aligned_u64\" }, { name = \"b\", type = \"__u32\" }]\n",
        at: "{ name = \"b\", type = \"__u32\" }",
        says: "4 bytes at offset 12 after `b` (tail padding)",
    },
    Case {
        name: "union tail padding",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"u\", union = [{ name = \"a\", type = \"__u32\", len = 3 }, { name = \"b\", type = \"__aligned_u64\" }] }]\n",
        at: "{ name = \"u\"",
        says: "4 bytes at offset 12 after `u` (tail padding)",
    },
    Case {
        name: "unknown struct",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"struct nope\" }]\n",
        at: "\"struct nope\"",
        says: "unknown struct `nope`",
    },
    Case {
        name: "struct used before it is defined",
        body: "[[struct]]\nname = \"outer\"\nfields = [{ name = \"a\", type = \"struct inner\" }]\n\n[[struct]]\nname = \"inner\"\nfields = [{ name = \"x\", type = \"__u32\" }]\n",
        at: "\"struct inner\"",
        says: "unknown struct `inner`",
    },
    Case {
        name: "union with no members",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"u\", union = [] }]\n",
        at: "[] }",
        says: "a union needs at least one member",
    },
    Case {
        name: "struct with no fields",
        body: "[[struct]]\nname = \"s\"\nfields = []\n",
        at: "[]",
        says: "struct `s` has no fields",
    },
    Case {
        name: "since names an unknown revision",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", since = \"r9\" }]\n",
        at: "\"r9\"",
        says: "`since` names revision `r9`, which the family does not list",
    },
    Case {
        name: "struct defined twice",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"b\", type = \"__u32\" }]\n",
        at: "\"s\"\nfields = [{ name = \"b\"",
        says: "struct `s` is defined twice (first at line 11)",
    },
    Case {
        name: "constant defined twice",
        body: "[[define]]\nname = \"K\"\nvalue = 1\n\n[[define]]\nname = \"K\"\nvalue = 2\n",
        at: "\"K\"\nvalue = 2",
        says: "constant `K` is defined twice (first at line 11)",
    },
    Case {
        name: "argsz convention without argsz first",
        body: "[[struct]]\nname = \"s\"\nconvention = \"argsz\"\nmin_size = { offsetofend = \"argsz\" }\nfields = [{ name = \"flags\", type = \"__u32\" }, { name = \"argsz\", type = \"__u32\" }]\n",
        at: "{ name = \"flags\"",
        says: "its first field must be `__u32 argsz`",
    },
    Case {
        name: "unknown convention",
        body: "[[struct]]\nname = \"s\"\nconvention = \"length\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n",
        at: "\"length\"",
        says: "unknown size convention `length`",
    },
    Case {
        name: "inside names a missing field",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[define]]\nname = \"K\"\ninside = \"s.b\"\nvalue = 1\n",
        at: "\"s.b\"",
        says: "struct `s` has no top-level field `b`",
    },
    Case {
        name: "define with two values",
        body: "[[define]]\nname = \"K\"\nvalue = 1\nbit = 2\n",
        at: "[[define]]",
        says: "needs exactly one of `value`, `bit`, `or`, `char`, `ioctl`, `alias`, `expr` (it has 2)",
    },
    Case {
        name: "ioctl with an unknown direction",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[define]]\nname = \"IOC\"\nioctl = { type = \"T\", nr = 1, dir = \"x\", size = \"__u32\" }\n",
        at: "\"x\"",
        says: "unknown ioctl direction `x`",
    },
    Case {
        name: "_IO with an argument type",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[define]]\nname = \"IOC\"\nioctl = { type = \"T\", nr = 1, size = \"__u32\" }\n",
        at: "\"__u32\"",
        says: "`_IO` has no argument, so no `size`",
    },
    Case {
        name: "_IOR without an argument type",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[define]]\nname = \"IOC\"\nioctl = { type = \"T\", nr = 1, dir = \"r\" }\n",
        at: "{ type",
        says: "`_IOR` needs `size`",
    },
    Case {
        name: "ioctl number over 8 bits",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[define]]\nname = \"IOC\"\nioctl = { type = \"T\", nr = 256, dir = \"w\", size = \"int\" }\n",
        at: "256",
        says: "must fit in 8 bits (it is 256)",
    },
    Case {
        name: "ioctl number expression names an unknown constant",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[define]]\nname = \"IOC\"\nioctl = { type = \"T\", nr = \"BASE + 1\", dir = \"w\", size = \"int\" }\n",
        at: "BASE",
        says: "unknown constant `BASE`",
    },
    Case {
        name: "negative ioctl number",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[define]]\nname = \"IOC\"\nioctl = { type = \"T\", nr = \"0 - 1\" }\n",
        at: "\"0 - 1\"",
        says: "is negative (-1)",
    },
    Case {
        name: "ioctl type that is not a string or integer",
        body: "[[define]]\nname = \"IOC\"\nioctl = { type = true, nr = 1 }\n",
        at: "true",
        says: "a constant's name, an integer or a C expression",
    },
    Case {
        name: "ioctl argument type is an unknown struct",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[define]]\nname = \"IOC\"\nioctl = { type = \"T\", nr = 1, dir = \"r\", size = \"struct nope\" }\n",
        at: "\"struct nope\"",
        says: "unknown struct `nope`",
    },
    Case {
        name: "ioctl argument type larger than the size field",
        body: "[[struct]]\nname = \"big\"\nfields = [{ name = \"a\", type = \"__u8\", len = 16384 }]\n\n[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[define]]\nname = \"IOC\"\nioctl = { type = \"T\", nr = 1, dir = \"w\", size = \"struct big\" }\n",
        at: "\"struct big\"",
        says: "is 16384 bytes: an ioctl number's size field holds at most 16383",
    },
    Case {
        name: "an _IOC argument type larger than asm-generic's size field",
        body: "[[struct]]\nname = \"big\"\nfields = [{ name = \"a\", type = \"__u8\", len = 16384 }]\n\n[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[define]]\nname = \"IOC\"\nioctl = { ioc = true, type = \"T\", nr = 1, dir = \"none\", size = \"struct big\" }\n",
        at: "\"struct big\"",
        says: "is 16384 bytes: an ioctl number's size field holds at most 16383",
    },
    Case {
        name: "an ioctl argument pointing to a tag that is no C identifier",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[define]]\nname = \"IOC\"\nioctl = { type = \"T\", nr = 1, dir = \"r\", size = \"struct 9x *\" }\n",
        at: "\"struct 9x *\"",
        says: "`9x` is not a C identifier",
    },
    Case {
        name: "an ioctl define through a macro written as _IOC",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[macro]]\nname = \"W\"\nparams = [\"nr\", \"type\"]\nbody = \"_IOWR(T, nr, type)\"\n\n[[define]]\nname = \"D\"\nioctl = { macro = \"W\", ioc = true, args = [\"1\", \"int\"] }\n",
        at: "true, args",
        says: "`ioc` with `macro`",
    },
    Case {
        name: "a constant computed from an ioctl number",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[define]]\nname = \"IOC\"\nioctl = { type = \"T\", nr = 1 }\n\n[[define]]\nname = \"M\"\nor = [\"IOC\"]\n",
        at: "\"IOC\"]",
        says: "`IOC` is an ioctl number, which powerpc encodes differently",
    },
    Case {
        name: "an expression computed from an ioctl number of a size per ABI",
        body: "[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"i686\" }\nfields = [{ name = \"a\", type = \"__u32\" }, { name = \"b\", type = \"__u64\" }]\n\n[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[define]]\nname = \"IOC\"\nioctl = { type = \"T\", nr = 1, dir = \"r\", size = \"struct s\" }\n\n[[define]]\nname = \"M\"\nexpr = \"IOC + 1\"\n",
        at: "IOC +",
        says: "`IOC` is an ioctl number whose argument's size differs between ABIs",
    },
    Case {
        name: "ioctl argument type that grows in a later revision",
        body: "[[revision]]\nid = \"r2\"\n\n[[struct]]\nname = \"g\"\nfields = [{ name = \"a\", type = \"__u32\" }, { name = \"b\", type = \"__u32\", since = \"r2\" }]\n\n[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[define]]\nname = \"IOC\"\nioctl = { type = \"T\", nr = 1, dir = \"w\", size = \"struct g\" }\n",
        at: "\"struct g\"",
        says: "`struct g` is 4 bytes on x86_64-linux-gnu in `r1` but 8 in `r2`: the ioctl number or constant takes one size",
    },
    Case {
        name: "or names an unknown constant",
        body: "[[define]]\nname = \"A\"\nbit = 1\n\n[[define]]\nname = \"M\"\nor = [\"A\", \"B\"]\n",
        at: "\"B\"",
        says: "unknown constant `B`",
    },
    Case {
        name: "flags link names an enum",
        body: "[[enum]]\nname = \"e\"\nvalues = [{ name = \"X\" }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", flags = \"e\" }]\n",
        at: "\"e\" }",
        says: "`flags = \"e\"` names a [[enum]]",
    },
    Case {
        name: "bit out of range",
        body: "[[flags]]\nname = \"f\"\nvalues = [{ name = \"A\", bit = 64 }]\n",
        at: "64",
        says: "bit 64 is out of range (0 to 63)",
    },
    Case {
        name: "anonymous non-union field",
        body: "[[struct]]\nname = \"s\"\nfields = [{ type = \"__u32\" }]\n",
        at: "{ type",
        says: "only a union, a `struct = [...]` or padding bits (`bits`) may be anonymous",
    },
    Case {
        name: "extern from a header not included",
        body: "[[define]]\nname = \"A\"\nvalue = 1\nextern = \"drm/drm.h\"\n",
        at: "\"drm/drm.h\"",
        says: "constant `A` is `extern = \"drm/drm.h\"`, which is not one of the family's `includes`",
    },
    Case {
        name: "extern struct with a convention",
        body: "[[struct]]\nname = \"s\"\nextern = \"linux/types.h\"\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }]\n",
        at: "\"size\"\nfields",
        says: "struct `s` is extern (another header's): a size convention is that header's schema's to say",
    },
    Case {
        name: "ioctl argument array of length 0",
        body: "[[define]]\nname = \"A\"\nioctl = { type = \"'A'\", nr = 1, dir = \"r\", size = \"int[0]\" }\n",
        at: "\"int[0]\"",
        says: "`int[0]`: an argument's array length is an integer from 1 to 4096",
    },
    Case {
        name: "ioctl argument array of two dimensions",
        body: "[[define]]\nname = \"A\"\nioctl = { type = \"'A'\", nr = 1, dir = \"r\", size = \"int[2][3]\" }\n",
        at: "\"int[2][3]\"",
        says: "`int[2][3]`: an argument's array has one dimension",
    },
    Case {
        name: "ioctl argument array too large for the size field",
        body: "[[define]]\nname = \"A\"\nioctl = { type = \"'A'\", nr = 1, dir = \"r\", size = \"__u64[4096]\" }\n",
        at: "\"__u64[4096]\"",
        says: "`__u64[4096]` is 32768 bytes: an ioctl number's size field holds at most 16383",
    },
    Case {
        name: "member of an unknown enum type",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"k\", type = \"enum nowhere\" }]\n",
        at: "\"enum nowhere\"",
        says: "unknown enum `nowhere`",
    },
    Case {
        name: "member of an enum type linked to another enum",
        body: "[[enum]]\nname = \"e\"\nvalues = [{ name = \"A\" }]\n\n[[enum]]\nname = \"f\"\nvalues = [{ name = \"B\" }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"k\", type = \"enum e\", enum = \"f\" }]\n",
        at: "\"f\" }]",
        says: "the member is an `enum e`: `enum = \"f\"` names another",
    },
    Case {
        name: "member of an enum whose type a later revision changes",
        body: "[[revision]]\nid = \"r2\"\n\n[[enum]]\nname = \"e\"\nvalues = [{ name = \"A\" }, { name = \"M\", value = -1, since = \"r2\" }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"k\", type = \"enum e\" }]\n",
        at: "{ name = \"k\", type = \"enum e\" }",
        says: "`s.k` is an `enum e`, which C makes a `__u32` in this revision: the enum's type changed between revisions, and the member's size or sign with it",
    },
    Case {
        name: "a bitfield wider than its type",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u8\", bits = 9 }, { name = \"b\", type = \"__u8\" }]\n",
        at: "9 }",
        says: "`bits = 9`: a `__u8` bitfield has 0 to 8 bits",
    },
    Case {
        name: "a long bitfield past 32 bits",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"unsigned long\", bits = 40 }]\n",
        at: "40 }",
        says: "`bits = 40`: a `unsigned long` bitfield has 0 to 32 bits",
    },
    Case {
        name: "a named bitfield of no bits",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", bits = 0 }]\n",
        at: "0 }",
        says: "a named bitfield has at least one bit",
    },
    Case {
        name: "a bitfield of a struct",
        body: "[[struct]]\nname = \"t\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"m\", type = \"struct t\", bits = 3 }]\n",
        at: "3 }",
        says: "a bitfield's type is an integer type (`__u32`, `int` ...), not a struct, union or pointer",
    },
    Case {
        name: "a bitfield of a byte-order type",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__be32\", bits = 3 }]\n",
        at: "3 }",
        says: "`__be32` cannot be a bitfield's type",
    },
    Case {
        name: "a bitfield of a float",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"float\", bits = 3 }]\n",
        at: "3 }",
        says: "`float` cannot be a bitfield's type: a bitfield's type is an integer type",
    },
    Case {
        name: "a rule on a double",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nrules = [{ require = [{ field = \"d\", zero = true }] }]\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"pad\", type = \"__u32\" }, { name = \"d\", type = \"double\" }]\n",
        at: "\"d\", zero",
        says: "`d` is a `double`: conditions read integers, and no rule reads a floating-point member",
    },
    Case {
        name: "flags on a float",
        body: "[[flags]]\nname = \"f\"\nvalues = [{ name = \"F_A\", bit = 0 }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"fl\", type = \"float\", flags = \"f\" }]\n",
        at: "{ name = \"fl\"",
        says: "`flags = \"f\"` needs an unsigned integer field of one size on every ABI, but `s.fl` is not one",
    },
    Case {
        name: "a bitfield of plain char",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"char\", bits = 3 }]\n",
        at: "3 }",
        says: "`char` cannot be a bitfield's type",
    },
    Case {
        name: "an array of bitfields",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", bits = 3, len = 2 }]\n",
        at: "3, len",
        says: "a bitfield takes no `len`",
    },
    Case {
        name: "a bitfield with flags",
        body: "[[flags]]\nname = \"f\"\nvalues = [{ name = \"F_A\", bit = 0 }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", bits = 3, flags = \"f\" }]\n",
        at: "3, flags",
        says: "a bitfield takes no `flags`",
    },
    Case {
        name: "a bitfield directly in a union",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"u\", union = [{ name = \"a\", type = \"__u32\", bits = 3 }, { name = \"b\", type = \"__u32\" }] }]\n",
        at: "3 }",
        says: "a bitfield directly in a union is not supported",
    },
    Case {
        name: "padding bits in a union that are not whole bytes",
        body: "[[union]]\nname = \"u\"\nfields = [{ name = \"a\", type = \"__u32\" }, { type = \"__u32\", bits = 12 }]\n",
        at: "12 }",
        says: "a bitfield directly in a union is not supported, but for unnamed padding bits of whole bytes (`__u64 :64;`)",
    },
    Case {
        name: "padding bits that align a union in C and not in Rust",
        body: "[[union]]\nname = \"u\"\nfields = [{ name = \"a\", type = \"__u16\" }, { type = \"__u32\", bits = 32 }]\n",
        at: "\"u\"",
        says: "has no Rust type of its layout on aarch64-linux-gnu: gcc makes it 4 bytes with alignment 4, a Rust union 4 bytes with alignment 2",
    },
    Case {
        name: "aligned on a named member of a union",
        body: "[[struct]]\nname = \"s\"\nfields = [{ union = [{ name = \"a\", type = \"__u32\", aligned = 8 }, { name = \"b\", type = \"__u32\" }] }]\n",
        at: "8 }",
        says: "`aligned` on a union member has no Rust spelling",
    },
    Case {
        name: "a rule on a bitfield",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nmin_size = { offsetofend = \"a\" }\nrules = [{ require = [{ field = \"b\", zero = true }] }]\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"a\", type = \"__u32\" }, { name = \"b\", type = \"__u32\", bits = 3 }, { type = \"__u32\", bits = 29 }]\n",
        at: "\"b\", zero",
        says: "`b` is a bitfield (`: 3`): no condition or size reads one",
    },
    Case {
        name: "bits placed otherwise on i686",
        body: "[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"as shipped\" }\nfields = [{ name = \"lo\", type = \"__u64\", bits = 38 }, { name = \"hi\", type = \"__u64\", bits = 30 }]\n",
        at: "{ name = \"lo\"",
        says: "struct `s` has no Rust type of its bitfields on i686-linux-gnu: the bitfields from `lo` take 12 bytes on x86_64-linux-gnu and 9 on i686-linux-gnu",
    },
    Case {
        name: "padding bits the header leaves",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u8\", bits = 3 }, { name = \"b\", type = \"__u8\" }]\n",
        at: "{ name = \"b\"",
        says: "implicit padding hole in struct `s`: 5 bits at bit 3 between `a` and `b`",
    },
    Case {
        name: "bitfield accessors defined twice",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"x\", type = \"__u8\", bits = 4 }, { name = \"set_x\", type = \"__u8\", bits = 4 }]\n",
        at: "{ name = \"set_x\"",
        says: "the Rust type of struct `s` would have two methods `set_x`: the bitfield `set_x`'s accessor and another",
    },
    Case {
        name: "a union with a size convention",
        body: "[[union]]\nname = \"u\"\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }]\n",
        at: "\"size\"\nfields",
        says: "union `u` has a size convention: only a struct does",
    },
    Case {
        name: "a union with a flexible array member",
        body: "[[union]]\nname = \"u\"\nfields = [{ name = \"a\", type = \"__u32\" }, { name = \"d\", type = \"__u8\", flexible = true }]\n",
        at: "true }",
        says: "union `u` has a flexible array member: only a struct may end in one",
    },
    Case {
        name: "a bitfield of a union's own",
        body: "[[union]]\nname = \"u\"\nfields = [{ name = \"a\", type = \"__u32\", bits = 3 }, { name = \"b\", type = \"__u32\" }]\n",
        at: "3 }",
        says: "a bitfield directly in a union is not supported",
    },
    Case {
        name: "struct naming a union",
        body: "[[union]]\nname = \"u\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"m\", type = \"struct u\" }]\n",
        at: "\"struct u\"",
        says: "`u` is a union: write `union u`",
    },
    Case {
        name: "union naming a struct",
        body: "[[struct]]\nname = \"t\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"m\", type = \"union t\" }]\n",
        at: "\"union t\"",
        says: "`t` is a struct: write `struct t`",
    },
    Case {
        name: "unknown union",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"m\", type = \"union nowhere\" }]\n",
        at: "\"union nowhere\"",
        says: "unknown union `nowhere`",
    },
    Case {
        name: "a union and a struct of one tag",
        body: "[[struct]]\nname = \"t\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[union]]\nname = \"t\"\nfields = [{ name = \"b\", type = \"__u32\" }]\n",
        at: "\"t\"\nfields = [{ name = \"b\"",
        says: "union `t` is defined twice (first at line 11, struct `t`)",
    },
    Case {
        name: "a run of one member declared per byte order",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u16\", byte_order = true }, { name = \"b\", type = \"__u16\" }]\n",
        at: "true }",
        says: "`a` is a run of one member declared per byte order: it is the same in either order",
    },
    Case {
        name: "byte_order on a union's members",
        body: "[[union]]\nname = \"u\"\nfields = [{ name = \"a\", type = \"__u16\", byte_order = true }, { name = \"b\", type = \"__u16\", byte_order = true }]\n",
        at: "true }, { name = \"b\"",
        says: "`byte_order` on a union's member: every member of a union starts at offset 0",
    },
    Case {
        name: "byte_order on an inline struct",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", byte_order = true, struct = [{ name = \"x\", type = \"__u16\" }] }, { name = \"b\", type = \"__u16\", byte_order = true }]\n",
        at: "true, struct",
        says: "`byte_order` on an inline union or struct: the header declares per byte order a run of bitfields, or a run of integer members",
    },
    Case {
        name: "a byte_order label on a bitfield",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u8\", bits = 4, byte_order = \"x\" }, { name = \"b\", type = \"__u8\", bits = 4, byte_order = true }]\n",
        at: "\"x\" }",
        says: "a `byte_order` label names a run of members that are not bitfields",
    },
    Case {
        name: "a run reversed as a whole that is not one unit",
        body: "[[struct]]\nname = \"s\"\nfields = [\n{ name = \"a\", type = \"__u32\", bits = 4, byte_order = \"word\" },\n{ name = \"b\", type = \"__u32\", bits = 12, byte_order = \"word\" },\n{ name = \"c\", type = \"__u16\" }]\n",
        at: "{ name = \"a\"",
        says: "struct `s`: the run of bitfields from `a` is reversed as a whole (`byte_order = \"word\"`) and takes 16 bits from byte 0: such a run is one 4-byte unit of its type",
    },
    Case {
        name: "a run of bitfields reversed both ways",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u8\", bits = 4, byte_order = \"word\" }, { name = \"b\", type = \"__u8\", bits = 4, byte_order = true }]\n",
        at: "true }",
        says: "a run of bitfields declared per byte order is reversed per byte (`true`) or as a whole (`\"word\"`)",
    },
    Case {
        name: "a byte_order label on two runs",
        body: "[[struct]]\nname = \"s\"\nfields = [\n{ name = \"a\", type = \"__u32\", byte_order = \"w\" },\n{ name = \"b\", type = \"__u32\", byte_order = \"w\" },\n{ name = \"c\", type = \"__u32\" },\n{ name = \"d\", type = \"__u32\" },\n{ name = \"e\", type = \"__u32\", byte_order = \"w\" },\n{ name = \"f\", type = \"__u32\", byte_order = \"w\" }]\n",
        at: "\"w\" },\n{ name = \"f\"",
        says: "`byte_order` label `w` names a second run (the first at line 13): one label each run",
    },
    Case {
        name: "an empty byte_order label",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u16\", byte_order = \"\" }, { name = \"b\", type = \"__u16\", byte_order = \"\" }]\n",
        at: "\"\" }, { name = \"b\"",
        says: "an empty `byte_order` label",
    },
    Case {
        name: "a byte-order bitfield across two bytes",
        body: "[[struct]]\nname = \"s\"\nfields = [\n{ name = \"a\", type = \"__u16\", bits = 4, byte_order = true },\n{ name = \"b\", type = \"__u16\", bits = 8, byte_order = true },\n{ name = \"c\", type = \"__u16\", bits = 4, byte_order = true }]\n",
        at: "{ name = \"b\"",
        says: "struct `s`: `b` in a run declared per byte order: it crosses from byte 0 to byte 1",
    },
    Case {
        name: "a run declared per byte order in part",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u8\", bits = 4, byte_order = true }, { name = \"b\", type = \"__u8\", bits = 4 }]\n",
        at: "{ name = \"a\"",
        says: "struct `s`: the run of bitfields from `a` is declared per byte order in part",
    },
    Case {
        name: "a byte-order run of part of a byte",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u8\", bits = 4, byte_order = true }, { name = \"b\", type = \"__u8\", bits = 3, byte_order = true }, { type = \"__u8\", bits = 1 }]\n",
        at: "{ name = \"a\"",
        says: "is declared per byte order in part",
    },
    Case {
        name: "a flexible array member of an unknown macro",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"n\", type = \"__u32\" }, { name = \"d\", type = \"__u8\", flexible = \"FLEX\" }]\n",
        at: "\"FLEX\"",
        says: "`flexible = \"FLEX\"`: a flexible array member is `true` (`T name[];`) or \"__DECLARE_FLEX_ARRAY\"",
    },
    Case {
        name: "a declared flexible array member in a union before the end",
        body: "[[struct]]\nname = \"s\"\nfields = [{ union = [{ name = \"a\", type = \"__u32\" }, { name = \"d\", type = \"__u8\", flexible = \"__DECLARE_FLEX_ARRAY\" }] }, { name = \"n\", type = \"__u32\" }]\n",
        at: "{ name = \"d\"",
        says: "`d` is a flexible array member inside a union: C allows one only as the last member of a struct",
    },
    Case {
        name: "a declared flexible array member with dims",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"n\", type = \"__u32\" }, { name = \"d\", type = \"__u8\", flexible = \"__DECLARE_FLEX_ARRAY\", dims = [6] }]\n",
        at: "[6]",
        says: "`__DECLARE_FLEX_ARRAY(TYPE, NAME)` declares `TYPE NAME[]`: it takes no `aligned` or `dims`",
    },
    Case {
        name: "a member packed alone that lowers its struct's alignment",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"n\", type = \"__u32\", packed = true }]\n",
        at: "\"s\"",
        says: "struct `s` has no Rust type of its layout on x86_64-linux-gnu: gcc makes it 4 bytes with alignment 1, Rust's `#[repr(C)]` would make it 4 bytes with alignment 4",
    },
    Case {
        name: "const on an inline union",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"u\", const = true, union = [{ name = \"a\", type = \"__u32\" }] }]\n",
        at: "true, union",
        says: "`const` qualifies a member's type; an inline union's members take it one by one",
    },
    Case {
        name: "volatile on padding bits",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", bits = 4 }, { type = \"__u32\", bits = 28, volatile = true }]\n",
        at: "true }",
        says: "`volatile` on padding bits: only a named member takes a qualifier",
    },
    Case {
        name: "a const member of a struct with a size convention",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nmin_size = { offsetofend = \"v\" }\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"v\", type = \"__u32\", const = true }]\n",
        at: "{ name = \"v\", type",
        says: "a `const` member in struct `s`, which has a size convention: the code uapigen generates for it fills the struct by assignment",
    },
    Case {
        name: "a const member inside an inline struct of a struct with rules",
        body: "[[struct]]\nname = \"s\"\nconvention = \"argsz\"\nmin_size = { offsetofend = \"flags\" }\nrules = [{ require = [{ field = \"flags\", zero = true }] }]\nfields = [{ name = \"argsz\", type = \"__u32\" }, { name = \"flags\", type = \"__u32\" }, { struct = [{ name = \"k\", type = \"__u64\", const = true }] }]\n",
        at: "{ name = \"k\"",
        says: "a `const` member in struct `s`, which has a size convention",
    },
    Case {
        name: "a member of a function type",
        body: "[[typedef]]\nname = \"f_t\"\ntype = \"void (int)\"\n\n[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"pointers\" }\nfields = [{ name = \"f\", type = 'f_t' }]\n",
        at: "'f_t'",
        says: "`f_t` is a function type: no member has one",
    },
    Case {
        name: "a parameter of a function type",
        body: "[[typedef]]\nname = \"f_t\"\ntype = \"void (int)\"\n\n[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"pointers\" }\nfields = [{ name = \"f\", type = \"void (*)(f_t)\" }]\n",
        at: "\"void (*)(f_t)\"",
        says: "a parameter of function type `f_t`",
    },
    Case {
        name: "sizeof a function type",
        body: "[[typedef]]\nname = \"f_t\"\ntype = \"void (int)\"\n\n[[define]]\nname = \"F_SIZE\"\nexpr = \"sizeof(f_t)\"\n",
        at: "sizeof(f_t)",
        says: "`f_t` is a function type, which has no size",
    },
    Case {
        name: "a function type with ()",
        body: "[[typedef]]\nname = \"f_t\"\ntype = \"void ()\"\n",
        at: "\"void ()\"",
        says: "function type `void ()`: `()`",
    },
    Case {
        name: "len on a typedef of a pointer",
        body: "[[typedef]]\nname = \"p_t\"\ntype = \"void *\"\nlen = 2\n",
        at: "2\n",
        says: "`len` on typedef `p_t` of a pointer or a function",
    },
    Case {
        name: "a const pointer to a function type",
        body: "[[typedef]]\nname = \"f_t\"\ntype = \"void (int)\"\n\n[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"pointers\" }\nfields = [{ name = \"f\", type = \"const f_t *\" }]\n",
        at: "\"const f_t *\"",
        says: "a pointer to a function is neither `const` nor `**`",
    },
    Case {
        name: "a pointer to a typedef of a pointer",
        body: "[[typedef]]\nname = \"p_t\"\ntype = \"void *\"\n\n[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"pointers\" }\nfields = [{ name = \"f\", type = \"p_t *\" }]\n",
        at: "\"p_t *\"",
        says: "a pointer to a typedef of a pointer",
    },
    Case {
        name: "an alias of a pointer value",
        body: "[[typedef]]\nname = \"p_t\"\ntype = \"void *\"\n\n[[define]]\nname = \"P_NULL\"\nexpr = \"((p_t)0)\"\n\n[[define]]\nname = \"P_NIL\"\nalias = 'P_NULL'\n",
        at: "'P_NULL'",
        says: "`P_NULL` is a pointer's value (a cast to a typedef of a pointer): no other define names it",
    },
    Case {
        name: "an expr naming a pointer value",
        body: "[[typedef]]\nname = \"p_t\"\ntype = \"void *\"\n\n[[define]]\nname = \"P_NULL\"\nexpr = \"((p_t)0)\"\n\n[[define]]\nname = \"P_NIL\"\nexpr = '(P_NULL)'\n",
        at: "(P_NULL)'",
        says: "`P_NULL` is a pointer's value",
    },
    Case {
        name: "a pointer value as an operand",
        body: "[[typedef]]\nname = \"p_t\"\ntype = \"void *\"\n\n[[define]]\nname = \"P_ONE\"\nexpr = \"((p_t)0) + 1\"\n",
        at: "((p_t)0)",
        says: "a pointer value (a cast to a typedef of a pointer) is an operand of nothing",
    },
    Case {
        name: "a typedef of a typedef",
        body: "[[typedef]]\nname = 'a_t'\ntype = \"__u32\"\n\n[[typedef]]\nname = \"b_t\"\ntype = \"a_t\"\n",
        at: "\"a_t\"\n",
        says: "a typedef of the typedef `a_t`",
    },
    Case {
        name: "a typedef defined twice",
        body: "[[typedef]]\nname = \"a_t\"\ntype = \"__u32\"\n\n[[typedef]]\nname = \"a_t\"\ntype = \"__u16\"\n",
        at: "\"a_t\"\ntype = \"__u16",
        says: "`a_t` is defined twice",
    },
    Case {
        name: "a typedef named as a type the schema knows",
        body: "[[typedef]]\nname = \"__u32\"\ntype = \"__u16\"\n",
        at: "\"__u32\"",
        says: "`__u32` is one of the types the schema knows: a typedef names another",
    },
    Case {
        name: "a typedef of a struct below it",
        body: "[[typedef]]\nname = \"s_t\"\ntype = \"struct s\"\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n",
        at: "\"struct s\"",
        says: "unknown struct `s`",
    },
    Case {
        name: "a member of a typedef below it",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"a_t\" }]\n\n[[typedef]]\nname = \"a_t\"\ntype = \"__u32\"\n",
        at: "\"a_t\" }",
        says: "unknown type `a_t`",
    },
    Case {
        name: "an extern typedef of a header not included",
        body: "[[typedef]]\nname = \"canid_t\"\ntype = \"__u32\"\nextern = \"linux/can.h\"\n",
        at: "\"linux/can.h\"",
        says: "typedef `canid_t` is `extern = \"linux/can.h\"`, which is not one of the family's `includes`",
    },
    Case {
        name: "sizeof of a type laid out otherwise on two ABIs of one data model",
        body: "[[struct]]\nname = \"p\"\nabi_trap = { revisions = [\"r1\"], note = \"i686\" }\nfields = [{ name = \"a\", type = \"__u32\" }, { name = \"b\", type = \"__u64\" }]\n\n[[define]]\nname = \"W\"\nexpr = \"(sizeof(struct p) * 2)\"\n",
        at: "sizeof(struct p)",
        says: "`sizeof(struct p)` is 16 bytes on x86_64-linux-gnu but 12 on i686-linux-gnu: a constant has one value on every ABI, or one per data model (ILP32, LP64)",
    },
    Case {
        name: "sizeof of an unknown struct",
        body: "[[define]]\nname = \"W\"\nexpr = \"sizeof(struct nowhere)\"\n",
        at: "sizeof(struct nowhere)",
        says: "unknown struct `nowhere`",
    },
    Case {
        name: "sizeof of what is not a type",
        body: "[[define]]\nname = \"A\"\nvalue = 1\n\n[[define]]\nname = \"W\"\nexpr = \"sizeof(A + 1)\"\n",
        at: "sizeof(A +",
        says: "`sizeof(...)` of what is not a type name",
    },
    Case {
        name: "sizeof in an ioctl number",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[define]]\nname = \"IO\"\nioctl = { type = \"T\", nr = \"sizeof(__u32)\" }\n",
        at: "sizeof(__u32)",
        says: "`sizeof`, `offsetof` and `__alignof__` are not taken here: only a `[[define]]`'s `expr` may",
    },
    Case {
        name: "a tag on a scalar member",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", tag = \"t\" }]\n",
        at: "\"t\" }",
        says: "`tag` names a `struct = [...]` or `union = [...]` member's type",
    },
    Case {
        name: "a tag on an anonymous inline struct",
        body: "[[struct]]\nname = \"s\"\nfields = [{ tag = \"t\", struct = [{ name = \"a\", type = \"__u32\" }] }]\n",
        at: "\"t\", struct",
        says: "a tagged struct without a member name declares only the type, which C11 does not make an anonymous member: name the member",
    },
    Case {
        name: "an inline tag that is a struct's name",
        body: "[[struct]]\nname = \"t\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"b\", tag = \"t\", struct = [{ name = \"a\", type = \"__u32\" }] }]\n",
        at: "\"t\", struct",
        says: "`t` is already a struct or union tag of this schema",
    },
    Case {
        name: "a struct named as an inline tag above",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"b\", tag = \"t\", struct = [{ name = \"a\", type = \"__u32\" }] }]\n\n[[struct]]\nname = \"t\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n",
        at: "\"t\"\nfields",
        says: "`t` is already the tag of an inline struct or union above",
    },
    Case {
        name: "a typedef'd struct with a size convention",
        body: "[[struct]]\nname = \"s_t\"\ntypedef = true\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }]\n",
        at: "true\nconvention",
        says: "`s_t` is a typedef'd struct without a tag, which has a size convention: only a tagged struct does",
    },
    Case {
        name: "struct NAME of a typedef'd struct",
        body: "[[struct]]\nname = \"p_t\"\ntypedef = true\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"p\", type = \"struct p_t\" }]\n",
        at: "\"struct p_t\"",
        says: "`p_t` has no tag (`typedef = true`): write `p_t`",
    },
    Case {
        name: "a flexible-ending struct embedded before another member",
        body: "[[struct]]\nname = \"l\"\nfields = [{ name = \"n\", type = \"__u32\" }, { name = \"d\", type = \"__u32\", flexible = true }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"list\", type = \"struct l\" }, { name = \"after\", type = \"__u32\" }]\n",
        at: "{ name = \"list\"",
        says: "`list` embeds `struct l`, which ends in the flexible array member `d`: C allows such a struct only as a whole object, never inside another",
    },
    Case {
        name: "an enum declared as a typedef's and a member's type",
        body: "[[enum]]\nname = \"e\"\ntypedef = true\nmember = true\nvalues = [{ name = \"A\" }]\n",
        at: "true\nvalues",
        says: "an enum is declared as a typedef's type or as a member's, not both",
    },
    Case {
        name: "an enum declared as a member's type that no member has",
        body: "[[enum]]\nname = \"e\"\nmember = true\nvalues = [{ name = \"A\" }]\n",
        at: "[[enum]]",
        says: "enum `e` is declared as a member's type (`member = true`), and no member has `type = \"enum e\"`",
    },
    Case {
        name: "an enum declared as a member's type that two members have",
        body: "[[enum]]\nname = \"e\"\nmember = true\nvalues = [{ name = \"A\" }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"enum e\" }, { name = \"b\", type = \"enum e\" }]\n",
        at: "\"enum e\" }]",
        says: "enum `e` is declared as one member's type (`member = true`), the member at line",
    },
    Case {
        name: "a merged bitfield that does not end its run",
        body: "[[struct]]\nname = \"s\"\nfields = [\n  { name = \"a\", type = \"__u32\", bits = 8, byte_order = true },\n  { name = \"b\", type = \"__u32\", bits = 8, byte_order = \"merged\" },\n  { name = \"c\", type = \"__u32\", bits = 16, byte_order = true },\n]\n",
        at: "\"merged\" }",
        says: "`byte_order = \"merged\"` on `b`: it is the last bitfield of its run",
    },
    Case {
        name: "a merged bitfield that is not whole bytes",
        body: "[[struct]]\nname = \"s\"\nfields = [\n  { name = \"a\", type = \"__u32\", bits = 4, byte_order = true },\n  { name = \"b\", type = \"__u32\", bits = 4, byte_order = true },\n  { name = \"c\", type = \"__u32\", bits = 4, byte_order = \"merged\" },\n  { type = \"__u32\", bits = 20 },\n]\n",
        at: "\"merged\" }",
        says: "on `c`: it is whole bytes after the run's first (here bits 8 to 11 of the run)",
    },
    Case {
        name: "a merged bitfield that starts its run",
        body: "[[struct]]\nname = \"s\"\nfields = [\n  { name = \"a\", type = \"__u32\", bits = 32, byte_order = \"merged\" },\n]\n",
        at: "\"merged\" }",
        says: "on `a`: it is whole bytes after the run's first (here bits 0 to 31 of the run)",
    },
    Case {
        name: "a merged bitfield after an unnamed one",
        body: "[[struct]]\nname = \"s\"\nfields = [\n  { name = \"a\", type = \"__u32\", bits = 8, byte_order = true },\n  { type = \"__u32\", bits = 8, byte_order = true },\n  { name = \"d\", type = \"__u32\", bits = 16, byte_order = \"merged\" },\n]\n",
        at: "\"merged\" }",
        says: "on `d`: a named bitfield of the run starts the byte before it, which takes its bits",
    },
    Case {
        name: "an alignment per target of an unknown struct",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"d\", type = \"__u8\", len = 4, aligned = \"__alignof__(struct nope)\" }]\n",
        at: "\"__alignof__(struct nope)\"",
        says: "unknown",
    },
    Case {
        name: "an alignment per target of a scalar",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"d\", type = \"__u8\", len = 4, aligned = \"__alignof__(__u32)\" }]\n",
        at: "\"__alignof__(__u32)\"",
        says: "`__alignof__` takes `struct NAME` or `union NAME` of one defined above",
    },
    Case {
        name: "an alignment per target on a struct",
        body: "[[struct]]\nname = \"a\"\nfields = [{ name = \"x\", type = \"__u32\" }]\n\n[[struct]]\nname = \"s\"\naligned = \"__alignof__(struct a)\"\nfields = [{ name = \"d\", type = \"__u32\" }]\n",
        at: "\"__alignof__(struct a)\"\nfields",
        says: "`aligned = \"__alignof__(struct a)\"` on a struct",
    },
    Case {
        name: "an alignment per target on a bitfield",
        body: "[[struct]]\nname = \"a\"\nfields = [{ name = \"x\", type = \"__u32\" }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"d\", type = \"__u32\", bits = 3, aligned = \"__alignof__(struct a)\" }, { type = \"__u32\", bits = 29 }]\n",
        at: "3, aligned = \"__alignof__",
        says: "a bitfield takes no `aligned`",
    },
    Case {
        name: "an alignment per target in a union",
        body: "[[struct]]\nname = \"a\"\nfields = [{ name = \"x\", type = \"__u32\" }]\n\n[[union]]\nname = \"u\"\nfields = [{ name = \"d\", type = \"__u32\", aligned = \"__alignof__(struct a)\" }]\n",
        at: "{ name = \"d\"",
        says: "`d` has an alignment per target (`__alignof__`) in a union",
    },
    Case {
        name: "an alignment per target in a packed struct",
        body: "[[struct]]\nname = \"a\"\nfields = [{ name = \"x\", type = \"__u32\" }]\n\n[[struct]]\nname = \"s\"\npacked = true\nfields = [{ name = \"c\", type = \"__u8\" }, { name = \"d\", type = \"__u32\", aligned = \"__alignof__(struct a)\" }]\n",
        at: "{ name = \"d\"",
        says: "`d` has an alignment per target (`__alignof__`) in a packed struct",
    },
    Case {
        name: "tagged on an enum not declared as a member's type",
        body: "[[enum]]\nname = \"e\"\ntagged = true\nvalues = [{ name = \"A\" }]\n",
        at: "true\nvalues",
        says: "`tagged = true` on `e`, which is not declared as a member's type",
    },
    Case {
        name: "an enum both tagged and anonymous",
        body: "[[enum]]\nname = \"e\"\nmember = true\ntagged = true\nanonymous = true\nvalues = [{ name = \"A\" }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"enum e\" }]\n",
        at: "true\nvalues",
        says: "an enum is `tagged` or `anonymous`, not both",
    },
    Case {
        name: "a tagged member enum whose tag a struct has",
        body: "[[struct]]\nname = \"e\"\nfields = [{ name = \"x\", type = \"__u32\" }]\n\n[[enum]]\nname = \"e\"\nmember = true\ntagged = true\nvalues = [{ name = \"A\" }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"enum e\" }]\n",
        at: "[[enum]]",
        says: "enum `e` is `e` in the generated C, as is struct `e` (line",
    },
    Case {
        name: "typedef = true on a run of defines",
        body: "[[enum]]\nname = \"e\"\nstyle = \"define\"\ntypedef = true\nvalues = [{ name = \"A\" }]\n",
        at: "true\nvalues",
        says: "`typedef = true` declares a C enum: `e` is a run of #defines",
    },
    Case {
        name: "a typedef of an unknown enum",
        body: "[[typedef]]\nname = \"t\"\ntype = \"enum nope\"\n",
        at: "\"enum nope\"",
        says: "unknown enum `nope`",
    },
    Case {
        name: "a comment on a value of an enum declared as a member's type",
        body: "[[enum]]\nname = \"e\"\nmember = true\nvalues = [{ name = \"A\", comment = \"hi\" }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"enum e\" }]\n",
        at: "{ name = \"A\", comment",
        says: "`A`: a value of an enum declared as a member's type has no `comment` or `libc_compat` (a `doc` is its trailing comment)",
    },
    Case {
        name: "enum NAME of a typedef'd enum",
        body: "[[enum]]\nname = \"e_t\"\ntypedef = true\nvalues = [{ name = \"A\" }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"enum e_t\" }]\n",
        at: "\"enum e_t\"",
        says: "`e_t` names an enum without a tag (`typedef = true`): write `type = \"e_t\"`",
    },
    Case {
        name: "a rule reading an array whose length differs between targets",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nabi_trap = { revisions = [\"r1\"], note = \"word\" }\nrules = [{ require = [{ field = \"pad\", zero = true }] }]\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"pad\", type = \"__u8\", len = \"12 - sizeof(long)\" }]\n",
        at: "\"pad\", zero",
        says: "`pad` is an array whose length differs between targets (`len = \"12 - sizeof(long)\"`): no rule or size reads it",
    },
    Case {
        name: "a len expression taking a struct's size",
        body: "[[struct]]\nname = \"l\"\nfields = [{ name = \"n\", type = \"__u32\" }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u8\", len = \"sizeof(struct l)\" }]\n",
        at: "sizeof(struct l)\"",
        says: "`sizeof(struct l)` in a `len`: only a scalar type's or a pointer's size is taken here",
    },
    Case {
        name: "a len expression naming no constant above",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u8\", len = \"NOPE + 1\" }]\n",
        at: "NOPE + 1",
        says: "unknown constant `NOPE`: an expression may only use constants defined above it",
    },
    Case {
        name: "a negative len expression",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u8\", len = \"4 - 8\" }]\n",
        at: "\"4 - 8\"",
        says: "array length `4 - 8` is -4 on x86_64-linux-gnu: an array's length is 0 to 1048576",
    },
    Case {
        name: "a len expression of the ABI's word without an abi_trap",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u8\", len = \"8 - sizeof(long)\" }]\n",
        at: "{ name = \"a\"",
        says: "struct `s` has a different layout on i686-linux-gnu than on x86_64-linux-gnu: `a` is at offset 0 (size 4) there and at 0 (size 0) here",
    },
    Case {
        name: "embeds_flexible on a struct that ends in no flexible array member",
        body: "[[struct]]\nname = \"l\"\nfields = [{ name = \"n\", type = \"__u32\" }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"list\", type = \"struct l\", embeds_flexible = true }, { name = \"after\", type = \"__u32\" }]\n",
        at: "{ name = \"list\"",
        says: "`embeds_flexible` on `list`: `struct l` ends in no flexible array member",
    },
    Case {
        name: "embeds_flexible on a scalar",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"n\", type = \"__u32\", embeds_flexible = true }, { name = \"after\", type = \"__u32\" }]\n",
        at: "{ name = \"n\"",
        says: "`embeds_flexible` on `n`, which is no `struct NAME`: it is for a member that is a struct ending in a flexible array member",
    },
    Case {
        name: "a flexible-ending struct as a flexible array's element",
        body: "[[struct]]\nname = \"l\"\nfields = [{ name = \"n\", type = \"__u32\" }, { name = \"d\", type = \"__u32\", flexible = true }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"count\", type = \"__u32\" }, { name = \"lists\", type = \"struct l\", flexible = true }]\n",
        at: "{ name = \"lists\"",
        says: "`lists` embeds `struct l`, which ends in the flexible array member `d`: C allows such a struct only as a whole object, never inside another",
    },
    Case {
        name: "a size convention on a struct ending in another's flexible array member",
        body: "[[struct]]\nname = \"l\"\nfields = [{ name = \"n\", type = \"__u32\" }, { name = \"d\", type = \"__u32\", flexible = true }]\n\n[[struct]]\nname = \"s\"\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"list\", type = \"struct l\" }]\n",
        at: "\"size\"\nfields",
        says: "struct `s` ends in `list`, whose `struct l` ends in the flexible array member `d`: a size convention bounds only a flexible array member of the struct's own",
    },
    Case {
        name: "a typedef named as a typedef'd struct",
        body: "[[struct]]\nname = 'p_t'\ntypedef = true\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[typedef]]\nname = \"p_t\"\ntype = \"__u32\"\n",
        at: "\"p_t\"\ntype",
        says: "`p_t` is defined twice",
    },
    Case {
        name: "a typedef'd struct named as a typedef above",
        body: "[[typedef]]\nname = 'p_t'\ntype = \"__u32\"\n\n[[struct]]\nname = \"p_t\"\ntypedef = true\nfields = [{ name = \"a\", type = \"__u32\" }]\n",
        at: "true\nfields",
        says: "`p_t` is already a `[[typedef]]` above",
    },
    Case {
        name: "a size convention on a struct ending in a union holding another's flexible array member",
        body: "[[struct]]\nname = \"l\"\nfields = [{ name = \"n\", type = \"__u32\" }, { name = \"d\", type = \"__u32\", flexible = true }]\n\n[[struct]]\nname = \"s\"\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"u\", union = [{ name = \"list\", type = \"struct l\" }, { name = \"w\", type = \"__u32\" }] }]\n",
        at: "\"size\"\nfields",
        says: "struct `s` ends in `list`, whose `struct l` ends in the flexible array member `d`",
    },
    Case {
        name: "a typedef named as a Rust primitive",
        body: "[[typedef]]\nname = \"u32\"\ntype = \"__u32\"\n",
        at: "\"u32\"",
        says: "typedef name `u32` would be a Rust type alias hiding the primitive type `u32`, which the bindings use",
    },
    Case {
        name: "a typedef named as a struct's Rust type",
        body: "[[struct]]\nname = \"my_req\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[typedef]]\nname = \"MyReq\"\ntype = \"__u32\"\n",
        at: "\"MyReq\"",
        says: "`MyReq` is the Rust type of struct `my_req`: its Rust alias would clash",
    },
    Case {
        name: "a struct whose Rust type is a typedef above",
        body: "[[typedef]]\nname = \"MyReq\"\ntype = \"__u32\"\n\n[[struct]]\nname = \"my_req\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n",
        at: "\"my_req\"",
        says: "struct `my_req`'s Rust type `MyReq` is a `[[typedef]]` above",
    },
    Case {
        name: "an inline tag whose Rust type is a struct's",
        body: "[[struct]]\nname = \"my_geo\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"g\", tag = \"my__geo\", struct = [{ name = \"a\", type = \"__u32\" }] }]\n",
        at: "\"my__geo\"",
        says: "`my__geo`'s Rust type `MyGeo` is struct `my_geo`'s too",
    },
    Case {
        name: "a struct whose Rust type is an inline tag's",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"g\", tag = \"my__geo\", struct = [{ name = \"a\", type = \"__u32\" }] }]\n\n[[struct]]\nname = \"my_geo\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n",
        at: "\"my_geo\"",
        says: "struct `my_geo`'s Rust type `MyGeo` is the inline tag `my__geo`'s too",
    },
    Case {
        name: "a rule testing a constant of the ABI's word",
        body: "[[define]]\nname = \"ALL\"\nexpr = \"(~0UL)\"\n\n[[struct]]\nname = \"s\"\nconvention = \"size\"\nmin_size = { offsetofend = \"v\" }\nrules = [{ require = [{ field = \"v\", below = \"ALL\" }] }]\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"pad\", type = \"__u32\" }, { name = \"v\", type = \"__u64\" }]\n",
        at: "\"ALL\" }",
        says: "`ALL` has a value per ABI (a `long` of the ABI's word)",
    },
    Case {
        name: "a constant whose value is not one cut to the word",
        body: "[[define]]\nname = \"HIGH\"\nexpr = \"(~0UL >> 16)\"\n",
        at: "\"(~0UL",
        says: "is 281474976710655 on x86-64 and the other 64-bit ABIs but 65535 on i686 and arm: a constant has one value on every ABI",
    },
    Case {
        name: "libc_compat without <linux/libc-compat.h>",
        body: "[[define]]\nname = \"X\"\nvalue = 1\nlibc_compat = \"__UAPI_DEF_IF_IFREQ\"\n",
        at: "\"__UAPI_DEF_IF_IFREQ\"",
        says: "`libc_compat` tests <linux/libc-compat.h>'s macros, which the family does not include",
    },
    Case {
        name: "a member both in an #if and in its #else",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", when = \"defined(__i386__)\", unless = \"defined(__i386__)\" }]\n",
        at: "\"defined(__i386__)\" }",
        says: "`unless` with `when`: an item is in the `#if` or in its `#else`",
    },
    Case {
        name: "when with libc_compat",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", libc_compat = \"__UAPI_DEF_X\", when = \"defined(__i386__)\" }]\n",
        at: "\"__UAPI_DEF_X\"",
        says: "`libc_compat` with `when`: an item is under one condition",
    },
    Case {
        name: "an opaque Rust type on a validated struct",
        body: "[[struct]]\nname = \"s\"\nrust_opaque = true\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }]\n",
        at: "\"size\"\nfields",
        says: "a size convention on struct `s`, whose Rust type is opaque",
    },
    Case {
        name: "a rule reading a member of an opaque struct",
        body: "[[struct]]\nname = \"o\"\nrust_opaque = true\nfields = [{ name = \"x\", type = \"__u32\" }]\n\n[[struct]]\nname = \"s\"\nconvention = \"size\"\nfields = [\n  { name = \"size\", type = \"__u32\" },\n  { name = \"inner\", type = \"struct o\" },\n]\nrules = [{ require = [{ field = \"inner.x\", zero = true }] }]\n",
        at: "\"inner.x\"",
        says: "`inner` is a `struct o`, whose Rust type is opaque: the Rust validators cannot read `inner.x`",
    },
    Case {
        name: "an opaque Rust type of a struct whose size differs between targets",
        body: "[[struct]]\nname = \"s\"\nrust_opaque = true\nabi_trap = { revisions = [\"r1\"], note = \"long\" }\nfields = [{ name = \"a\", type = \"long\" }]\n",
        at: "\"s\"\nrust_opaque",
        says: "struct `s` is 8 bytes 8-aligned on x86_64-linux-gnu but 4 bytes 4-aligned on i686-linux-gnu: its opaque Rust type has one size and alignment",
    },
    Case {
        name: "when testing a byte-order macro the C library defines on either byte order",
        body: "[[define]]\nname = \"D\"\nvalue = 1\nwhen = \"defined(__LITTLE_ENDIAN)\"\n",
        at: "\"defined(__LITTLE_ENDIAN)\"",
        says: "fails on s390x-linux-gnu where only <asm/byteorder.h> defines the byte order, and holds where the C library's <endian.h> came first",
    },
    Case {
        name: "when testing a macro uapigen does not know per target",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", when = \"defined(__or1k__)\" }]\n",
        at: "\"defined(__or1k__)\"",
        says: "tests `__or1k__`, whose value uapigen does not know on each target",
    },
    Case {
        name: "when that holds on every target",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", when = \"__BITS_PER_LONG >= 32\" }]\n",
        at: "\"__BITS_PER_LONG >= 32\"",
        says: "holds on every target uapigen lays out: the item is everywhere",
    },
    Case {
        name: "when that is not a condition",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", when = \"defined(__i386__\" }]\n",
        at: "\"defined(__i386__\"",
        says: "has `defined(` without its `)`",
    },
    Case {
        name: "a bitfield under a condition that moves the bits after it",
        body: "[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"bits\" }\nfields = [\n  { name = \"a\", type = \"__u32\", bits = 1 },\n  { name = \"b\", type = \"__u32\", bits = 1, when = \"defined(__x86_64__)\" },\n  { name = \"c\", type = \"__u32\", bits = 1 },\n]\n",
        at: "{ name = \"a\"",
        says: "struct `s` has no Rust type of its bitfields on i686-linux-gnu: the bitfields from `a` take 1 bytes on x86_64-linux-gnu and 1 on i686-linux-gnu, or their bits are elsewhere in them",
    },
    Case {
        name: "a bitfield under a condition x86-64 fails",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", bits = 1, when = \"defined(__i386__)\" }, { type = \"__u32\", bits = 31 }]\n",
        at: "\"defined(__i386__)\"",
        says: "a bitfield under a condition x86-64 fails: uapigen writes a bitfield's accessors from x86-64's layout",
    },
    Case {
        name: "when on an inline struct of bitfields x86-64 leaves out",
        body: "[[struct]]\nname = \"s\"\nfields = [\n  { name = \"u\", struct = [{ name = \"a\", type = \"__u32\", bits = 3 }], when = \"defined(__i386__)\" },\n  { name = \"c\", type = \"__u32\" },\n]\n",
        at: "\"defined(__i386__)\"",
        says: "a condition x86-64 fails on an inline union or struct holding bitfields",
    },
    Case {
        name: "when on a member of an inline union",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"u\", union = [{ name = \"a\", type = \"__u32\", when = \"defined(__x86_64__)\" }, { name = \"b\", type = \"__u32\" }] }]\n",
        at: "\"defined(__x86_64__)\"",
        says: "a condition on a member of an inline union or struct",
    },
    Case {
        name: "two members of one name on a common target",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", when = \"defined(__i386__)\" }, { name = \"a\", type = \"__u32\", when = \"__BITS_PER_LONG == 32\" }]\n",
        at: "{ name = \"a\", type = \"__u32\", when = \"__BITS",
        says: "`s` has two fields named `a`",
    },
    Case {
        name: "a third member of one name on a target the first has",
        body: "[[struct]]\nname = \"s\"\nfields = [\n  { name = \"a\", type = \"__u32\", when = \"defined(__i386__)\" },\n  { name = \"a\", type = \"__u64\", unless = \"defined(__i386__)\" },\n  { name = \"a\", type = \"__u16\", when = \"defined(__ILP32__)\" },\n]\n",
        at: "{ name = \"a\", type = \"__u16\"",
        says: "`s` has two fields named `a` (first at line 13)",
    },
    Case {
        name: "a size convention over a member under #if",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"a\", type = \"__u32\", when = \"defined(__x86_64__)\" }]\n",
        at: "\"size\"\nfields",
        says: "has a size convention and a member under `#if` (`a`)",
    },
    Case {
        name: "a define under when written inside a struct",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[define]]\nname = \"A\"\nvalue = 1\ninside = \"s.a\"\nwhen = \"defined(__i386__)\"\n",
        at: "\"s.a\"",
        says: "a define under `when` or `unless` is written at file scope",
    },
    Case {
        name: "two defines of one name on a common target",
        body: "[[define]]\nname = \"A\"\nvalue = 1\nwhen = \"defined(__i386__)\"\n\n[[define]]\nname = \"A\"\nvalue = 2\nwhen = \"__BITS_PER_LONG == 32\"\n",
        at: "\"A\"\nvalue = 2",
        says: "constant `A` is defined twice (first at line 11, on a target both conditions hold on)",
    },
    Case {
        name: "a define under when after one of every target",
        body: "[[define]]\nname = \"A\"\nvalue = 1\n\n[[define]]\nname = \"A\"\nvalue = 2\nwhen = \"defined(__i386__)\"\n",
        at: "\"A\"\nvalue = 2",
        says: "constant `A` is defined twice (first at line 11, which is on every target)",
    },
    Case {
        name: "a define of every target after one under when",
        body: "[[define]]\nname = \"A\"\nvalue = 1\nwhen = \"defined(__i386__)\"\n\n[[define]]\nname = \"A\"\nvalue = 2\n",
        at: "\"A\"\nvalue = 2",
        says: "constant `A` is defined twice (first at line 11, under `when`)",
    },
    Case {
        name: "a constant computed from a define under when",
        body: "[[define]]\nname = \"A\"\nvalue = 1\nwhen = \"defined(__i386__)\"\n\n[[define]]\nname = \"B\"\nexpr = \"A + 1\"\n",
        at: "A + 1",
        says: "unknown constant `A`",
    },
    Case {
        name: "a constant naming defines under when and unless of two values on one data model",
        body: "[[define]]\nname = \"A\"\nvalue = 1\nwhen = \"defined(__i386__)\"\n\n[[define]]\nname = \"A\"\nvalue = 2\nunless = \"defined(__i386__)\"\n\n[[define]]\nname = \"B\"\nexpr = \"(A)\"\n",
        at: "(A)",
        says: "unknown constant `A`",
    },
    Case {
        name: "a constant naming defines under when that leave a target out",
        body: "[[define]]\nname = \"A\"\nvalue = 1\nwhen = \"__BITS_PER_LONG == 64\"\n\n[[define]]\nname = \"A\"\nvalue = 1\nwhen = \"defined(__i386__)\"\n\n[[define]]\nname = \"B\"\nexpr = \"(A)\"\n",
        at: "(A)",
        says: "unknown constant `A`",
    },
    Case {
        name: "a call of a macro taking sizeof with too many arguments",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[macro]]\nname = \"SZ\"\nparams = [\"n\"]\nbody = \"(sizeof(struct s) + (n))\"\n\n[[define]]\nname = \"M\"\nexpr = \"SZ(1, 2)\"\n",
        at: "SZ(1, 2)",
        says: "`SZ` takes 1 argument, given 2",
    },
    Case {
        name: "a tag under when named again on a common target",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[define]]\nname = \"t\"\nwhen = \"defined(__i386__)\"\ntag = \"s\"\n\n[[define]]\nname = \"t\"\nwhen = \"__BITS_PER_LONG == 32\"\ntag = \"s\"\n",
        at: "\"t\"\nwhen = \"__BITS",
        says: "`t` is defined twice",
    },
    Case {
        name: "a tag under when of a struct of fewer targets",
        body: "[[struct]]\nname = \"s\"\nwhen = \"defined(__i386__)\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[define]]\nname = \"t\"\nwhen = \"__BITS_PER_LONG == 32\"\ntag = \"s\"\ndoc = \"d\"\n",
        at: "\"s\"\ndoc",
        says: "struct `s` exists only where `defined(__i386__)` holds, not on arm-linux-gnueabihf",
    },
    Case {
        name: "a struct named through a tag under when",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[define]]\nname = \"t\"\nwhen = \"defined(__i386__)\"\ntag = \"s\"\n\n[[struct]]\nname = \"u\"\nfields = [{ name = \"b\", type = \"struct t\" }]\n",
        at: "\"struct t\"",
        says: "unknown struct `t`",
    },
    Case {
        name: "redefine on a value of a run of defines",
        body: "[[flags]]\nname = \"f\"\nvalues = [{ name = \"F_A\", bit = 0, redefine = \"(F_A - 1)\" }]\n",
        at: "\"(F_A - 1)\"",
        says: "`F_A` is a #define already: `redefine` is a C enum value's",
    },
    Case {
        name: "redefine of a value per data model",
        body: "[[enum]]\nname = \"e\"\nvalues = [{ name = \"E_A\", redefine = \"(E_A + __BITS_PER_LONG)\" }]\n",
        at: "\"(E_A + __BITS_PER_LONG)\"",
        says: "has a value per target: a `redefine` has one on every target",
    },
    Case {
        name: "redefine beside self_define",
        body: "[[enum]]\nname = \"e\"\nvalues = [{ name = \"E_A\", self_define = true, redefine = \"(E_A - 1)\" }]\n",
        at: "{ name = \"E_A\"",
        says: "`E_A`: `self_define` or `redefine`, one #define of the name",
    },
    Case {
        name: "an extern enum that is a run of defines",
        body: "[[flags]]\nname = \"f\"\nextern = \"linux/types.h\"\nvalues = [{ name = \"F_A\", bit = 0 }]\n",
        at: "\"linux/types.h\"\nvalues",
        says: "`extern` on `f`, a run of #defines: a copy is another header's C enum, declared at file scope",
    },
    Case {
        name: "an extern enum declared as a member's type",
        body: "[[enum]]\nname = \"e\"\nmember = true\nextern = \"linux/types.h\"\nvalues = [{ name = \"E_A\", value = 0 }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"e\", type = \"enum e\" }]\n",
        at: "\"linux/types.h\"\nvalues",
        says: "`extern` on `e`, declared as a member's type",
    },
    Case {
        name: "an extern enum of a header the family does not include",
        body: "[[enum]]\nname = \"e\"\nextern = \"drm/drm.h\"\nvalues = [{ name = \"E_A\", value = 0 }]\n",
        at: "\"drm/drm.h\"",
        says: "enum `e` is `extern = \"drm/drm.h\"`, which is not one of the family's `includes`",
    },
    Case {
        name: "libc_compat naming another macro",
        body: "[[struct]]\nname = \"s\"\nlibc_compat = \"defined(FOO)\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n",
        at: "\"defined(FOO)\"",
        says: "names `defined`, not a `__UAPI_DEF_*` macro of <linux/libc-compat.h>",
    },
    Case {
        name: "libc_compat unbalanced",
        body: "[[enum]]\nname = \"e\"\nlibc_compat = \"(__UAPI_DEF_A || __UAPI_DEF_B\"\nvalues = [{ name = \"E_A\", value = 1 }]\n",
        at: "\"(__UAPI_DEF_A",
        says: "is incomplete",
    },
    Case {
        name: "libc_compat with two operators",
        body: "[[define]]\nname = \"X\"\nvalue = 1\nlibc_compat = \"__UAPI_DEF_A && || __UAPI_DEF_B\"\n",
        at: "\"__UAPI_DEF_A &&",
        says: "has `||` without an operand before it",
    },
    Case {
        name: "libc_compat empty",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", libc_compat = \" \" }]\n",
        at: "\" \" }",
        says: "`libc_compat = \" \"` is empty",
    },
    Case {
        name: "libc_compat on an extern copy",
        body: "[[define]]\nname = \"X\"\nvalue = 1\nextern = \"linux/a.h\"\nlibc_compat = \"__UAPI_DEF_A\"\n",
        at: "\"__UAPI_DEF_A\"",
        says: "`libc_compat` on an `extern` copy: its own header writes the condition",
    },
    Case {
        name: "libc_compat on a value of a #define set",
        body: "[[flags]]\nname = \"f\"\nvalues = [{ name = \"F_A\", bit = 0, libc_compat = \"__UAPI_DEF_A\" }]\n",
        at: "\"__UAPI_DEF_A\"",
        says: "`F_A` is a #define of the set `f`: `libc_compat` on a value is a C enum value's",
    },
    Case {
        name: "libc_compat on a define inside a struct",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[define]]\nname = \"S_A\"\nvalue = 1\ninside = \"s.a\"\nlibc_compat = \"__UAPI_DEF_A\"\n",
        at: "\"__UAPI_DEF_A\"",
        says: "`libc_compat` on a constant written `inside` a struct",
    },
    Case {
        name: "libc_compat on a bitfield declared per byte order",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u8\", bits = 4, byte_order = true, libc_compat = \"__UAPI_DEF_A\" }, { name = \"b\", type = \"__u8\", bits = 4, byte_order = true }]\n",
        at: "\"__UAPI_DEF_A\"",
        says: "`libc_compat` on a bitfield declared per byte order",
    },
    Case {
        name: "incomplete on a struct the schema defines",
        body: "[[struct]]\nname = \"a\"\nfields = [{ name = \"x\", type = \"__u32\" }]\n\n[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"a pointer\" }\nfields = [{ name = \"p\", type = \"struct a *\", incomplete = true }]\n",
        at: "\"struct a *\"",
        says: "`incomplete` on a pointer to `struct a`, which the schema defines: drop it",
    },
    Case {
        name: "incomplete on a member that is not a pointer",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"p\", type = \"__u64\", incomplete = true }]\n",
        at: "true }",
        says: "`incomplete` is for a pointer to a struct or union no header defines",
    },
    Case {
        name: "incomplete pointer to a union the schema defines",
        body: "[[union]]\nname = \"u\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"p\", type = \"union u *\", incomplete = true }]\n",
        at: "\"union u *\"",
        says: "`incomplete` on a pointer to `union u`, which the schema defines: drop it",
    },
    Case {
        name: "self_define on a define",
        body: "[[flags]]\nname = \"f\"\nvalues = [{ name = \"F_A\", bit = 0, self_define = true }]\n",
        at: "true }",
        says: "`F_A` is a #define already: `self_define` is a C enum value's `#define F_A F_A`",
    },
    Case {
        name: "dims without an array",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"m\", type = \"__u32\", dims = [4] }]\n",
        at: "[4]",
        says: "`dims` are an array's further dimensions: it needs `len` or `flexible`",
    },
    Case {
        name: "dims of a pointer",
        body: "[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"words\" }\nfields = [{ name = \"m\", type = \"void *\", len = 2, dims = [2] }]\n",
        at: "[2] }]",
        says: "a multi-dimensional array's element is a scalar type or a `struct NAME`",
    },
    Case {
        name: "dimensions whose product overflows",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"m\", type = \"__u8\", len = 1, dims = [65536, 65536, 65536, 65536, 65536] }]\n",
        at: "[65536, 65536",
        says: "a row of these dimensions is past 1 MiB (1048576), the largest struct",
    },
    Case {
        name: "a row past the largest struct",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"m\", type = \"__u64\", len = 1, dims = [1024, 1024] }]\n",
        at: "{ name = \"m\", type = \"__u64\"",
        says: "struct `s` is larger than the maximum struct size (1048576 bytes, 1 MiB): `m`'s rows are past the maximum",
    },
    Case {
        name: "a dimension of 0",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"m\", type = \"__u32\", len = 2, dims = [0] }]\n",
        at: "0] }]",
        says: "a dimension is an integer from 1 to 65536 (it is 0)",
    },
    Case {
        name: "defines in terms of each other",
        body: "[[define]]\nname = \"X\"\nexpr = \"(Y + 1)\"\n\n[[define]]\nname = \"Y\"\nexpr = \"(X + 1)\"\n",
        at: "\"X\"",
        says: "`X` is defined in terms of itself (a cycle of #defines)",
    },
    Case {
        name: "enum value naming a define below it",
        body: "[[enum]]\nname = \"e\"\nvalues = [{ name = \"A\", alias = \"LATER\" }]\n\n[[define]]\nname = \"LATER\"\nvalue = 1\n",
        at: "\"LATER\" }",
        says: "unknown constant `LATER`",
    },
    Case {
        name: "C enum value beyond int",
        body: "[[flags]]\nname = \"f\"\nstyle = \"enum\"\nvalues = [{ name = \"A\", bit = 31 }]\n",
        at: "{ name = \"A\", bit = 31 }",
        says: "`A` = 2147483648 does not fit in a C enum (int)",
    },
    Case {
        name: "negative C enum value beyond int",
        body: "[[enum]]\nname = \"e\"\nvalues = [{ name = \"A\", value = -2147483649 }]\n",
        at: "{ name = \"A\", value = -2147483649 }",
        says: "`A` = -2147483649 does not fit in a C enum (int)",
    },
    Case {
        name: "past_int on #defines",
        body: "[[enum]]\nname = \"e\"\nstyle = \"define\"\npast_int = true\nvalues = [{ name = \"A\", value = 1 }]\n",
        at: "true",
        says: "`e` is a run of #defines: `past_int` is for a C enum",
    },
    Case {
        name: "C enum value past 2^63 - 1 beside a negative one",
        body: "[[enum]]\nname = \"e\"\npast_int = true\nvalues = [{ name = \"A\", value = -1 }, { name = \"B\", expr = \"(__u64)-32\" }]\n",
        at: "{ name = \"B\"",
        says: "`B` is past 2^63 - 1 and `A` is negative: no C integer type holds every value of `e`",
    },
    Case {
        name: "C enum value past 2^63 - 1 without past_int",
        body: "[[enum]]\nname = \"e\"\nvalues = [{ name = \"A\", expr = \"(__u64)-32\" }]\n",
        at: "{ name = \"A\"",
        says: "`A` = 18446744073709551584 does not fit in a C enum (int)",
    },
    Case {
        name: "ioctl on a value written as a #define",
        body: "[[flags]]\nname = \"f\"\nvalues = [{ name = \"A\", ioctl = { type = \"'r'\", nr = 1 } }]\n",
        at: "{ type = \"'r'\", nr = 1 }",
        says: "`A`: `ioctl` on a value is a C enum's",
    },
    Case {
        name: "an enum value counted on from an ioctl number",
        body: "[[enum]]\nname = \"e\"\nvalues = [{ name = \"A\", ioctl = { type = \"'r'\", nr = 1 } }, { name = \"B\" }]\n",
        at: "{ name = \"B\" }",
        says: "`B` has no value, and C would count on from `A`, an ioctl number, which differs between targets",
    },
    Case {
        name: "an expr naming the byte order's own name",
        body: "[[define]]\nname = \"A\"\nexpr = \"(__UAPIGEN_BIG_ENDIAN__ + 1)\"\n",
        at: "__UAPIGEN_BIG_ENDIAN__ + 1",
        says: "`__UAPIGEN_BIG_ENDIAN__` is uapigen's own, which <asm/byteorder.h>'s conversions",
    },
    Case {
        name: "or naming a constant of each byte order",
        body: "[[define]]\nname = \"A\"\nexpr = \"__cpu_to_be16(0x8000)\"\n\n[[define]]\nname = \"B\"\nor = [\"A\"]\n",
        at: "\"A\"]",
        says: "`A` has a value of its own on a big-endian ABI",
    },
    Case {
        name: "an ioctl array length over an unknown constant",
        body: "[[define]]\nname = \"G\"\nioctl = { type = \"'j'\", nr = 1, dir = \"r\", size = \"__u16[NOPE - 1]\" }\n",
        at: "\"__u16[NOPE - 1]\"",
        says: "`__u16[NOPE - 1]`: an argument's array length is an integer from 1 to 4096, or a constant above of such a value, or an expression over constants above",
    },
    Case {
        name: "an enum value counted on from one of each byte order",
        body: "[[enum]]\nname = \"e\"\nvalues = [{ name = \"A\", expr = \"__cpu_to_be16(1)\" }, { name = \"B\" }]\n",
        at: "{ name = \"B\" }",
        says: "`B` has no value, and C would count on from `A`, whose value differs between targets",
    },
    Case {
        name: "C enum value counted past 2^63 - 1",
        body: "[[enum]]\nname = \"e\"\npast_int = true\nvalues = [{ name = \"A\", value = 9223372036854775807 }, { name = \"B\" }]\n",
        at: "{ name = \"B\" }",
        says: "`B` = 0x8000000000000000: C counts on from 2^63 - 1, the largest `long long`, and cannot",
    },
    Case {
        name: "expr on a value written as a #define",
        body: "[[enum]]\nname = \"e\"\nstyle = \"define\"\nvalues = [{ name = \"A\", expr = \"(1 << 2)\" }]\n",
        at: "\"(1 << 2)\"",
        says: "`A`: `expr` on a value is a C enum's",
    },
    Case {
        name: "an enum value with value and expr",
        body: "[[enum]]\nname = \"e\"\nvalues = [{ name = \"A\", value = 4, expr = \"(1 << 2)\" }]\n",
        at: "{ name = \"A\"",
        says: "`A` gives more than one of `value`, `bit`, `alias`, `expr` and `ioctl`",
    },
    Case {
        name: "negative value in a #define set",
        body: "[[enum]]\nname = \"e\"\nstyle = \"define\"\nvalues = [{ name = \"A\", value = -1 }]\n",
        at: "-1",
        says: "negative value -1: uAPI constants here are unsigned",
    },
    Case {
        name: "negative flag",
        body: "[[flags]]\nname = \"f\"\nvalues = [{ name = \"A\", value = -1 }]\n",
        at: "-1",
        says: "negative value -1: uAPI constants here are unsigned",
    },
    Case {
        name: "negative enum value in an unsigned field",
        body: "[[enum]]\nname = \"e\"\nvalues = [{ name = \"A\", value = -1 }]\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"k\", type = \"__u32\", enum = \"e\" }]\n",
        at: "{ name = \"A\", value = -1 }",
        says: "`A` = -1 is negative, and `s.k` is unsigned",
    },
    Case {
        name: "doc on an anonymous union",
        body: "[[struct]]\nname = \"s\"\nfields = [{ union = [{ name = \"a\", type = \"__u32\" }], doc = \"lost\" }]\n",
        at: "\"lost\"",
        says: "an anonymous union has no name kernel-doc can document",
    },
    Case {
        name: "doc on an anonymous struct",
        body: "[[struct]]\nname = \"s\"\nfields = [{ struct = [{ name = \"a\", type = \"__u32\" }], doc = \"lost\" }]\n",
        at: "\"lost\"",
        says: "an anonymous struct has no name kernel-doc can document",
    },
    Case {
        name: "inline struct and union in one field",
        body: "[[struct]]\nname = \"s\"\nfields = [{ union = [{ name = \"a\", type = \"__u32\" }], struct = [{ name = \"b\", type = \"__u32\" }] }]\n",
        at: "[{ name = \"b\"",
        says: "a field has either `union` or `struct`, not both",
    },
    Case {
        name: "inline struct with a type",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"x\", type = \"__u32\", struct = [{ name = \"b\", type = \"__u32\" }] }]\n",
        at: "[{ name = \"b\"",
        says: "a field has either `type` or `struct`, not both",
    },
    Case {
        name: "empty inline struct",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }, { name = \"x\", struct = [] }]\n",
        at: "[] }",
        says: "a struct needs at least one member",
    },
    Case {
        name: "duplicate field through an anonymous struct in an anonymous union",
        body: "[[struct]]\nname = \"s\"\nfields = [\n  { name = \"lo\", type = \"__u64\" },\n  { union = [{ struct = [{ name = \"hi\", type = \"__u32\" }, { name = \"lo\", type = \"__u32\" }] }] },\n]\n",
        at: "{ name = \"lo\", type = \"__u32\" }",
        says: "two fields named `lo`",
    },
    Case {
        name: "hole inside an inline struct",
        body: "[[struct]]\nname = \"s\"\nfields = [\n  { name = \"a\", type = \"__u64\" },\n  { name = \"in\", struct = [{ name = \"b\", type = \"__u8\" }, { name = \"c\", type = \"__u32\" }] },\n]\n",
        at: "{ name = \"c\", type = \"__u32\" }",
        says: "hole",
    },
    Case {
        name: "flexible array member inside an inline struct that does not end its struct",
        body: "[[struct]]\nname = \"s\"\nfields = [\n  { name = \"n\", type = \"__u32\" },\n  { struct = [{ name = \"m\", type = \"__u32\" }, { name = \"d\", type = \"__u8\", flexible = true }] },\n  { name = \"after\", type = \"__u32\" },\n]\n",
        at: "{ name = \"d\", type = \"__u8\", flexible = true }",
        says: "a flexible array member inside an inline struct",
    },
    Case {
        name: "rule path into an inline struct's missing member",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nrules = [{ require = [{ field = \"in.z\", zero = true }] }]\nfields = [\n  { name = \"size\", type = \"__u32\" },\n  { name = \"in\", struct = [{ name = \"b\", type = \"__u32\" }] },\n]\n",
        at: "\"in.z\"",
        says: "has no field `z`",
    },
    Case {
        name: "rule on a whole inline struct",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nrules = [{ require = [{ field = \"in\", zero = true }] }]\nfields = [\n  { name = \"size\", type = \"__u32\" },\n  { name = \"in\", struct = [{ name = \"b\", type = \"__u32\" }] },\n]\n",
        at: "\"in\"",
        says: "is a struct or union",
    },
    Case {
        name: "argsz convention without min_size",
        body: "[[struct]]\nname = \"s\"\nconvention = \"argsz\"\nfields = [{ name = \"argsz\", type = \"__u32\" }]\n",
        at: "\"argsz\"\nfields",
        says: "uses the `argsz` convention and needs `min_size`",
    },
    Case {
        name: "rule on an unknown field",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }]\nrules = [{ require = [{ field = \"flagz\", zero = true }] }]\n",
        at: "\"flagz\"",
        says: "struct `s` has no field `flagz`",
    },
    Case {
        name: "known_flags on a field without a flag set",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"f\", type = \"__u32\" }]\nrules = [{ require = [{ field = \"f\", known_flags = true }] }]\n",
        at: "true }] }]",
        says: "`f` has no `flags` set",
    },
    Case {
        name: "condition with two predicates",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"f\", type = \"__u32\" }]\nrules = [{ require = [{ field = \"f\", zero = true, nonzero = true }] }]\n",
        at: "{ field = \"f\"",
        says: "a condition needs exactly one of",
    },
    Case {
        name: "unknown errno",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }]\nrules = [{ require = [{ field = \"size\", nonzero = true }], errno = \"ENOSPC\" }]\n",
        at: "\"ENOSPC\"",
        says: "errno `ENOSPC` is not one a validator returns",
    },
    Case {
        name: "discriminant outside min_size",
        body: "[[struct]]\nname = \"s\"\nconvention = \"argsz\"\nmin_size = { offsetofend = \"argsz\" }\nmin_size_when = [{ when = [{ field = \"kind\", equals = 1 }], offsetofend = \"kind\" }]\nfields = [{ name = \"argsz\", type = \"__u32\" }, { name = \"kind\", type = \"__u32\" }]\n",
        at: "{ field = \"kind\"",
        says: "`kind` (bytes 4..8) is not within min_size (4 bytes)",
    },
    Case {
        name: "rules without a convention",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }]\nrules = [{ require = [{ field = \"a\", zero = true }] }]\n",
        at: "{ require",
        says: "has validation settings but no `convention`",
    },
    Case {
        name: "alignment not a power of two",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }]\nrules = [{ require = [{ field = \"size\", aligned = 12 }] }]\n",
        at: "12",
        says: "alignment 12 is not a power of two",
    },
    Case {
        name: "abi_trap on a revision without a trap",
        body: "[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"n\" }\nfields = [{ name = \"a\", type = \"__u32\" }, { name = \"b\", type = \"__u32\" }]\n",
        at: "\"s\"\nabi_trap",
        says: "`abi_trap` lists revision r1, but its layout there is one layout on every ABI (size, alignment, members' offsets and sizes) with no hole",
    },
    Case {
        name: "TOML syntax error",
        body: "[[struct]]\nname = \"s\nfields = []\n",
        at: "\nfields = []",
        says: "",
    },
    Case {
        name: "field name is not a C identifier",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"2x\", type = \"__u32\" }]\n",
        at: "\"2x\"",
        says: "field name `2x` is not a C identifier",
    },
    Case {
        name: "revision id that cannot name a module",
        body: "[[revision]]\nid = \"5.10\"\n",
        at: "\"5.10\"",
        says: "revision id `5.10` is not a C identifier",
    },
    // Stable branches: `base` on a revision, `since`/`until` lists (docs/schema.md).
    Case {
        name: "base names an unknown revision",
        body: "[[revision]]\nid = \"b\"\nbase = \"r9\"\n\n[[revision]]\nid = \"r2\"\n",
        at: "\"r9\"",
        says: "`base` names revision `r9`, which the family does not list",
    },
    Case {
        name: "a stable branch's revision listed last",
        body: "[[revision]]\nid = \"b\"\nbase = \"r1\" # 6.12.y\n",
        at: "\"r1\" #",
        says: "the last revision listed, `b`, is a stable branch's (it has a `base`)",
    },
    Case {
        name: "since lists two revisions of one line",
        body: "[[revision]]\nid = \"r2\"\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", since = [\"r1\", \"r2\"] }]\n",
        at: "\"r2\"]",
        says: "`since` lists `r1` and `r2`, one of which has the other's changes",
    },
    Case {
        name: "since lists no revision",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", since = [] }]\n",
        at: "[] }",
        says: "`since` lists no revision",
    },
    Case {
        name: "since is neither an id nor a list",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", since = 3 }]\n",
        at: "3 }",
        says: "a revision id, or a list of revision ids",
    },
    Case {
        name: "until on a line the field never began on",
        body: "[[revision]]\nid = \"b\"\nbase = \"r1\"\n\n[[revision]]\nid = \"r2\"\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }, { name = \"z\", type = \"__u32\", since = \"r2\", until = \"b\" }]\n",
        at: "\"b\" }",
        says: "`until` names `b`, which does not come after the field's `since` on its line of history",
    },
    Case {
        name: "a comment on a value written as a #define",
        body: "[[flags]]\nname = \"f\"\nvalues = [{ name = \"F_A\", bit = 0, comment = \"above\" }]\n",
        at: "\"above\"",
        says: "`F_A` is a #define: a `comment` is written above an enum value",
    },
    Case {
        name: "an ordering on a plain char",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nrules = [{ require = [{ field = \"c\", below = 9 }] }]\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"c\", type = \"char\" }, { name = \"pad\", type = \"__u8\", len = 3 }]\n",
        at: "\"c\", below",
        says: "`c` is a plain char, signed on x86 and unsigned on arm: only `zero` and `nonzero` apply to it",
    },
    Case {
        name: "a rule on a word",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nabi_trap = { revisions = [\"r1\"], note = \"words\" }\nrules = [{ require = [{ field = \"n\", zero = true }] }]\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"n\", type = \"__kernel_size_t\" }]\n",
        at: "\"n\", zero",
        says: "`n` is a __kernel_size_t, 4 bytes on i686 and arm and 8 on the 64-bit ABIs: no rule reads it",
    },
    Case {
        name: "a rule on an architecture's type",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nabi_trap = { revisions = [\"r1\"], note = \"modes\" }\nrules = [{ require = [{ field = \"m\", zero = true }] }]\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"m\", type = \"__kernel_mode_t\" }]\n",
        at: "\"m\", zero",
        says: "`m` is a __kernel_mode_t, whose size each architecture's <asm/posix_types.h> sets (2 bytes on i686 and arm): no rule reads it",
    },
    Case {
        name: "flags on an architecture's type",
        body: "[[flags]]\nname = \"f\"\nvalues = [{ name = \"F_A\", bit = 0 }]\n\n[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"modes\" }\nfields = [{ name = \"fl\", type = \"__kernel_uid_t\", flags = \"f\" }]\n",
        at: "{ name = \"fl\"",
        says: "`flags = \"f\"` needs an unsigned integer field of one size on every ABI, but `s.fl` is not one",
    },
    Case {
        name: "flags on a word",
        body: "[[flags]]\nname = \"f\"\nvalues = [{ name = \"F_A\", bit = 0 }]\n\n[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"words\" }\nfields = [{ name = \"fl\", type = \"unsigned long\", flags = \"f\" }]\n",
        at: "{ name = \"fl\"",
        says: "`flags = \"f\"` needs an unsigned integer field of one size on every ABI, but `s.fl` is not one",
    },
    Case {
        name: "a rule that ends where it begins",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nrules = [{ require = [{ field = \"a\", zero = true }], until = \"r1\" }]\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"a\", type = \"__u32\" }]\n",
        at: "\"r1\" }]",
        says: "`until` names `r1`, which does not come after the rule's `since` on its line of history",
    },
    Case {
        name: "a backport that leaves the replaced field in the branch",
        body: "[[revision]]\nid = \"b\"\nbase = \"r1\"\n\n[[revision]]\nid = \"r2\"\n\n[[struct]]\nname = \"s\"\nfields = [\n  { name = \"a\", type = \"__u32\" },\n  { name = \"__reserved\", type = \"__u32\", until = \"r2\" },\n  { name = \"__reserved\", type = \"__u32\", since = [\"r2\", \"b\"] },\n]\n",
        at: "{ name = \"__reserved\", type = \"__u32\", since",
        says: "`s` has two fields named `__reserved`",
    },
    // Found by codegen/tests/mutations.rs: each was accepted and its C or Rust did not compile.
    Case {
        name: "a condition a field can never meet (gcc: comparison always false)",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nmin_size = { offsetofend = \"a\" }\nrules = [{ require = [{ field = \"a\", not_equals = 9007199254740992 }] }]\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"a\", type = \"__u32\" }]\n",
        at: "9007199254740992",
        says: "this condition on `a` is always true: 9007199254740992 is more than a __u32 holds (4294967295)",
    },
    Case {
        name: "an unsigned field below 0",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nmin_size = { offsetofend = \"a\" }\nrules = [{ require = [{ field = \"a\", below = 0 }] }]\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"a\", type = \"__u8\" }, { name = \"p\", type = \"__u8\", len = 3 }]\n",
        at: "0 }",
        says: "is always false: a __u8 is never below 0",
    },
    Case {
        name: "flag bits beyond the field",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nmin_size = { offsetofend = \"a\" }\nrules = [{ require = [{ field = \"a\", lacks = 256 }] }]\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"a\", type = \"__u8\" }, { name = \"p\", type = \"__u8\", len = 3 }]\n",
        at: "256",
        says: "meaningless: 256 has bits a __u8 does not have",
    },
    Case {
        name: "a path into an array of structs",
        body: "[[struct]]\nname = \"r\"\nfields = [{ name = \"length\", type = \"__u32\" }]\n\n[[struct]]\nname = \"s\"\nconvention = \"size\"\nmin_size = { offsetofend = \"a\" }\nrules = [{ require = [{ field = \"a.length\", equals = 1 }] }]\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"a\", type = \"struct r\", len = 2 }, { name = \"p\", type = \"__u32\" }]\n",
        at: "\"a.length\"",
        says: "`a` is an array, so `a.length` cannot go into it",
    },
    Case {
        name: "convention_change of a struct not argsz",
        body: "[[revision]]\nid = \"r2\"\n\n[[revision]]\nid = \"r3\"\n\n[[struct]]\nname = \"s\"\nconvention = \"size\"\nmin_size = { offsetofend = \"out\" }\nconvention_change = [{ since = 'r2', convention = \"size\" }]\nfields = [{ name = \"argsz\", type = \"__u32\" }, { name = \"flags\", type = \"__u32\" }, { name = \"out\", type = \"__u32\" }, { name = \"p\", type = \"__u32\", since = \"r2\" }]\n",
        at: "[{ since",
        says: "`convention_change` needs `convention = \"argsz\"`",
    },
    Case {
        name: "convention_change to another convention",
        body: "[[revision]]\nid = \"r2\"\n\n[[revision]]\nid = \"r3\"\n\n[[struct]]\nname = \"s\"\nconvention = \"argsz\"\nmin_size = { offsetofend = \"out\" }\nconvention_change = [{ since = 'r2', convention = \"user_data\" }]\nfields = [{ name = \"argsz\", type = \"__u32\" }, { name = \"flags\", type = \"__u32\" }, { name = \"out\", type = \"__u32\" }, { name = \"p\", type = \"__u32\", since = \"r2\" }]\n",
        at: "\"user_data\"",
        says: "`convention_change` to `user_data`: only \"size\" is known",
    },
    Case {
        name: "convention_change without since",
        body: "[[revision]]\nid = \"r2\"\n\n[[revision]]\nid = \"r3\"\n\n[[struct]]\nname = \"s\"\nconvention = \"argsz\"\nmin_size = { offsetofend = \"out\" }\nconvention_change = [{ convention = \"size\" }]\nfields = [{ name = \"argsz\", type = \"__u32\" }, { name = \"flags\", type = \"__u32\" }, { name = \"out\", type = \"__u32\" }, { name = \"p\", type = \"__u32\", since = \"r2\" }]\n",
        at: "{ convention = \"size\" }",
        says: "a `convention_change` needs `since`",
    },
    Case {
        name: "convention_change at the struct's first revision",
        body: "[[revision]]\nid = \"r2\"\n\n[[revision]]\nid = \"r3\"\n\n[[struct]]\nname = \"s\"\nconvention = \"argsz\"\nmin_size = { offsetofend = \"out\" }\nconvention_change = [{ since = 'r1', convention = \"size\" }]\nfields = [{ name = \"argsz\", type = \"__u32\" }, { name = \"flags\", type = \"__u32\" }, { name = \"out\", type = \"__u32\" }, { name = \"p\", type = \"__u32\", since = \"r2\" }]\n",
        at: "'r1'",
        says: "is not later than the struct or the change before it",
    },
    Case {
        name: "convention_change out of order",
        body: "[[revision]]\nid = \"r2\"\n\n[[revision]]\nid = \"r3\"\n\n[[struct]]\nname = \"s\"\nconvention = \"argsz\"\nmin_size = { offsetofend = \"out\" }\nconvention_change = [{ since = 'r3', convention = \"size\" }, { since = 'r2', convention = \"size\" }]\nfields = [{ name = \"argsz\", type = \"__u32\" }, { name = \"flags\", type = \"__u32\" }, { name = \"out\", type = \"__u32\" }, { name = \"p\", type = \"__u32\", since = \"r2\" }]\n",
        at: "'r2'",
        says: "is not later than the struct or the change before it",
    },
    Case {
        name: "convention_change listing none",
        body: "[[revision]]\nid = \"r2\"\n\n[[revision]]\nid = \"r3\"\n\n[[struct]]\nname = \"s\"\nconvention = \"argsz\"\nmin_size = { offsetofend = \"out\" }\nconvention_change = []\nfields = [{ name = \"argsz\", type = \"__u32\" }, { name = \"flags\", type = \"__u32\" }, { name = \"out\", type = \"__u32\" }, { name = \"p\", type = \"__u32\", since = \"r2\" }]\n",
        at: "[]",
        says: "`convention_change` lists no change",
    },
    Case {
        name: "convention_change with min_size_when",
        body: "[[revision]]\nid = \"r2\"\n\n[[revision]]\nid = \"r3\"\n\n[[struct]]\nname = \"s\"\nconvention = \"argsz\"\nmin_size = { offsetofend = \"out\" }\nmin_size_when = [{ when = [{ field = \"flags\", equals = 1 }], offsetofend = \"p\" }]\nconvention_change = [{ since = 'r2', convention = \"size\" }]\nfields = [{ name = \"argsz\", type = \"__u32\" }, { name = \"flags\", type = \"__u32\" }, { name = \"out\", type = \"__u32\" }, { name = \"p\", type = \"__u32\", since = \"r2\" }]\n",
        at: "[{ when",
        says: "has a `convention_change` and what only the argsz convention has",
    },
    Case {
        name: "convention_change's ksize below min_size",
        body: "[[revision]]\nid = \"r2\"\n\n[[revision]]\nid = \"r3\"\n\n[[struct]]\nname = \"s\"\nconvention = \"argsz\"\nmin_size = { offsetofend = \"out\" }\nconvention_change = [{ since = 'r2', convention = \"size\", ksize = { offsetof = \"flags\" } }]\nfields = [{ name = \"argsz\", type = \"__u32\" }, { name = \"flags\", type = \"__u32\" }, { name = \"out\", type = \"__u32\" }, { name = \"p\", type = \"__u32\", since = \"r2\" }]\n",
        at: "\"s\"",
        says: "ksize offsetof(flags) (4) is not between min_size (12) and the struct's size (16)",
    },
    Case {
        name: "convention_change's ksize of no field",
        body: "[[revision]]\nid = \"r2\"\n\n[[revision]]\nid = \"r3\"\n\n[[struct]]\nname = \"s\"\nconvention = \"argsz\"\nmin_size = { offsetofend = \"out\" }\nconvention_change = [{ since = 'r2', convention = \"size\", ksize = { offsetofend = \"nope\" } }]\nfields = [{ name = \"argsz\", type = \"__u32\" }, { name = \"flags\", type = \"__u32\" }, { name = \"out\", type = \"__u32\" }, { name = \"p\", type = \"__u32\", since = \"r2\" }]\n",
        at: "\"nope\"",
        says: "nope",
    },
    Case {
        name: "a pointer of three levels",
        body: "[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"pointers\" }\nfields = [{ name = \"p\", type = \"char ***\" }]\n",
        at: "\"char ***\"",
        says: "more than two levels of `*`",
    },
    Case {
        name: "a pointer to a qualified pointer",
        body: "[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"pointers\" }\nfields = [{ name = \"p\", type = \"char * const *\" }]\n",
        at: "\"char * const *\"",
        says: "unknown pointer type `char * const *`",
    },
    Case {
        name: "a function pointer without (*)",
        body: "[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"pointers\" }\nfields = [{ name = \"f\", type = \"void (*f)(int)\" }]\n",
        at: "\"void (*f)(int)\"",
        says: "no `(*)` (the schema writes the type without the member's name)",
    },
    Case {
        name: "a function pointer with ...",
        body: "[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"pointers\" }\nfields = [{ name = \"f\", type = \"int (*)(int, ...)\" }]\n",
        at: "\"int (*)(int, ...)\"",
        says: "a parameter that is a function pointer, or `...`",
    },
    Case {
        name: "a function pointer with ()",
        body: "[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"pointers\" }\nfields = [{ name = \"f\", type = \"int (*)()\" }]\n",
        at: "\"int (*)()\"",
        says: "write `(void)`",
    },
    Case {
        name: "a function pointer's unknown parameter",
        body: "[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"pointers\" }\nfields = [{ name = \"f\", type = \"void (*)(sigval_t)\" }]\n",
        at: "\"void (*)(sigval_t)\"",
        says: "unknown type `sigval_t`",
    },
    Case {
        name: "an array of function pointers",
        body: "[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"pointers\" }\nfields = [{ name = \"f\", type = \"void (*)(int)\", len = 2 }]\n",
        at: "\"void (*)(int)\"",
        says: "an array of function pointers",
    },
    Case {
        name: "a const function pointer",
        body: "[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"pointers\" }\nfields = [{ name = \"f\", type = \"void (*)(int)\", incomplete = true }]\n",
        at: "\"void (*)(int)\"",
        says: "`incomplete` is for a pointer to a struct no header defines",
    },
    Case {
        name: "__alignof__ of a struct",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[define]]\nname = \"S_AL\"\nexpr = \"__alignof__(struct s)\"\n",
        at: "__alignof__(struct s)",
        says: "`__alignof__(struct s)`: the schema takes the alignment of a scalar type or a pointer",
    },
    Case {
        name: "__alignof__ that differs within a data model",
        body: "[[define]]\nname = \"S_AL\"\nexpr = \"__alignof__(__u64)\"\n",
        at: "__alignof__(__u64)",
        says: "`__alignof__(__u64)` is 8 bytes on x86_64-linux-gnu but 4 on i686-linux-gnu",
    },
    Case {
        name: "min_size_when without a condition",
        body: "[[struct]]\nname = \"s\"\nconvention = \"argsz\"\nmin_size = { offsetofend = \"flags\" }\nmin_size_when = [{ when = [], offsetofend = \"a\" }]\nfields = [{ name = \"argsz\", type = \"__u32\" }, { name = \"flags\", type = \"__u32\" }, { name = \"a\", type = \"__u32\" }, { name = \"p\", type = \"__u32\" }]\n",
        at: "{ when = [], offsetofend",
        says: "a `min_size_when` entry needs at least one `when` condition",
    },
    Case {
        name: "a value test on a fixed-byte-order field",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nmin_size = { offsetofend = \"v\" }\nfields = [\n  { name = \"size\", type = \"__u32\" },\n  { name = \"v\", type = \"__be32\" },\n]\nrules = [{ require = [{ field = \"v\", equals = 1 }] }]\n",
        at: "\"v\", equals",
        says: "`v` is a __be32: only `zero` and `nonzero` apply to it",
    },
    Case {
        name: "a value test on a virtio field (the device's byte order)",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nmin_size = { offsetofend = \"v\" }\nfields = [\n  { name = \"size\", type = \"__u32\" },\n  { name = \"v\", type = \"__virtio32\" },\n]\nrules = [{ require = [{ field = \"v\", has = 1 }] }]\n",
        at: "\"v\", has",
        says: "`v` is a __virtio32: only `zero` and `nonzero` apply to it",
    },
    Case {
        name: "a struct alignment that is not a power of two",
        body: "[[struct]]\nname = \"s\"\naligned = 12\nfields = [{ name = \"a\", type = \"__u32\" }]\n",
        at: "12",
        says: "`aligned = 12` on a struct: an alignment is a power of two from 1 to 4096",
    },
    Case {
        name: "a member alignment of zero",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", aligned = 0 }]\n",
        at: "0 }",
        says: "`aligned = 0` on a member: an alignment is a power of two",
    },
    Case {
        name: "a member alignment past a page",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", aligned = 8192 }]\n",
        at: "8192",
        says: "`aligned = 8192` on a member",
    },
    Case {
        name: "packed written as a number",
        body: "[[struct]]\nname = \"s\"\npacked = 1\nfields = [{ name = \"a\", type = \"__u32\" }]\n",
        at: "1\n",
        says: "invalid type: integer `1`, expected a boolean",
    },
    Case {
        name: "an aligned union member",
        body: "[[struct]]\nname = \"s\"\nfields = [\n  { name = \"u\", union = [{ name = \"a\", type = \"__u32\", aligned = 8 }, { name = \"b\", type = \"__u64\" }] },\n]\n",
        at: "8 }",
        says: "`aligned` on a union member has no Rust spelling",
    },
    Case {
        name: "a packed struct holding an aligned one",
        body: "[[struct]]\nname = \"a\"\naligned = 8\nfields = [{ name = \"x\", type = \"__u32\" }, { name = \"y\", type = \"__u32\" }]\n\n[[struct]]\nname = \"b\"\npacked = true\nfields = [\n  { name = \"h\", type = \"__u32\" },\n  { name = \"inner\", type = \"struct a\" },\n]\n",
        at: "{ name = \"inner\"",
        says: "Rust refuses a packed type holding an aligned one (E0588): `struct a` is `#[repr(C, align(..))]`",
    },
    Case {
        name: "a packed struct with an __aligned_u64 Rust cannot align on i686",
        body: "[[struct]]\nname = \"s\"\npacked = true\nfields = [\n  { name = \"a\", type = \"__u64\" },\n  { name = \"b\", type = \"__aligned_u64\" },\n]\n",
        at: "\"s\"",
        says: "struct `s` has no Rust type of its layout on i686-linux-gnu: gcc makes it 16 bytes with alignment 8, Rust's `#[repr(C, packed(8))]` would make it 16 bytes with alignment 4",
    },
    Case {
        name: "a flexible array member that is not last",
        body: "[[struct]]\nname = \"s\"\nfields = [\n  { name = \"argsz\", type = \"__u32\" },\n  { name = \"data\", type = \"__u8\", flexible = true },\n  { name = \"flags\", type = \"__u32\" },\n]\n",
        at: "{ name = \"data\"",
        says: "`data` is a flexible array member, so it must be the last member of `s`",
    },
    Case {
        name: "a flexible array member inside a union",
        body: "[[struct]]\nname = \"s\"\nfields = [\n  { name = \"n\", type = \"__u32\" },\n  { name = \"u\", union = [{ name = \"a\", type = \"__u32\" }, { name = \"b\", type = \"__u8\", flexible = true }] },\n]\n",
        at: "{ name = \"b\"",
        says: "`b` is a flexible array member inside a union",
    },
    Case {
        name: "a struct with a flexible array member embedded in another",
        body: "[[struct]]\nname = \"env\"\nfields = [\n  { name = \"argsz\", type = \"__u32\" },\n  { name = \"data\", type = \"__u8\", flexible = true },\n]\n\n[[struct]]\nname = \"outer\"\nfields = [\n  { name = \"head\", type = \"struct env\" },\n  { name = \"tail\", type = \"__u32\" },\n]\n",
        at: "{ name = \"head\"",
        says: "`head` embeds `struct env`, which ends in the flexible array member `data`",
    },
    Case {
        name: "a struct with a flexible array member as a flexible array's element",
        body: "[[struct]]\nname = \"env\"\nfields = [\n  { name = \"argsz\", type = \"__u32\" },\n  { name = \"data\", type = \"__u8\", flexible = true },\n]\n\n[[struct]]\nname = \"outer\"\nfields = [\n  { name = \"n\", type = \"__u32\" },\n  { name = \"all\", type = \"struct env\", flexible = true },\n]\n",
        at: "{ name = \"all\"",
        says: "`all` embeds `struct env`",
    },
    Case {
        name: "a flexible array member alone in its struct",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"data\", type = \"__u8\", flexible = true }]\n",
        at: "{ name = \"data\"",
        says: "the only member of `s`",
    },
    Case {
        name: "a flexible array member with a length",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"n\", type = \"__u32\" }, { name = \"data\", type = \"__u8\", len = 4, flexible = true }]\n",
        at: "true }",
        says: "takes no `len`",
    },
    Case {
        name: "a flexible union",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"n\", type = \"__u32\" }, { name = \"u\", flexible = true, union = [{ name = \"a\", type = \"__u32\" }] }]\n",
        at: "true, union",
        says: "a flexible array member's element is a scalar, a `struct NAME` or an inline struct, not a union",
    },
    Case {
        name: "a field path into a flexible array of an inline struct",
        body: "[[struct]]\nname = \"s\"\nconvention = \"argsz\"\nmin_size = { offsetofend = \"r.a\" }\nfields = [{ name = \"argsz\", type = \"__u32\" }, { name = \"r\", flexible = true, struct = [{ name = \"a\", type = \"__u32\" }] }]\n",
        at: "\"r.a\"",
        says: "`r` is an array, so `r.a` cannot go into it",
    },
    Case {
        name: "an anonymous flexible inline struct",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"n\", type = \"__u32\" }, { flexible = true, struct = [{ name = \"a\", type = \"__u32\" }] }]\n",
        at: "{ flexible",
        says: "an array of an inline union or struct needs a `name`",
    },
    Case {
        name: "an anonymous array of an inline struct",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"n\", type = \"__u32\" }, { len = 3, struct = [{ name = \"a\", type = \"__u32\" }] }]\n",
        at: "{ len = 3",
        says: "an array of an inline union or struct needs a `name`",
    },
    Case {
        name: "a condition on a flexible array member",
        body: "[[struct]]\nname = \"s\"\nconvention = \"argsz\"\nmin_size = { offsetof = \"data\" }\nfields = [{ name = \"argsz\", type = \"__u32\" }, { name = \"data\", type = \"__u8\", flexible = true }]\nrules = [{ require = [{ field = \"data\", zero = true }] }]\n",
        at: "\"data\", zero",
        says: "`data` is a flexible array member: its elements lie past `sizeof`",
    },
    Case {
        name: "offsetofend of a flexible array member",
        body: "[[struct]]\nname = \"s\"\nconvention = \"argsz\"\nmin_size = { offsetofend = \"data\" }\nfields = [{ name = \"argsz\", type = \"__u32\" }, { name = \"data\", type = \"__u8\", flexible = true }]\n",
        at: "\"data\" }",
        says: "`data` is a flexible array member, which has no end",
    },
    Case {
        name: "a path into a flexible array of structs",
        body: "[[struct]]\nname = \"e\"\nfields = [{ name = \"x\", type = \"__u32\" }]\n\n[[struct]]\nname = \"s\"\nconvention = \"argsz\"\nmin_size = { offsetof = \"es.x\" }\nfields = [{ name = \"argsz\", type = \"__u32\" }, { name = \"es\", type = \"struct e\", flexible = true }]\n",
        at: "\"es.x\"",
        says: "`es` is an array, so `es.x` cannot go into it",
    },
    Case {
        name: "caps.align_before without align_since",
        body: "[[struct]]\nname = \"h\"\nfields = [{ name = \"id\", type = \"__u16\" }, { name = \"version\", type = \"__u16\" }, { name = \"next\", type = \"__u32\" }]\n\n[[struct]]\nname = \"i\"\nconvention = \"argsz\"\nmin_size = { offsetofend = \"cap_offset\" }\ncaps = { offset = \"cap_offset\", flag = \"I_CAPS\", header = \"h\", align_before = 4 }\nfields = [{ name = \"argsz\", type = \"__u32\" }, { name = \"flags\", type = \"__u32\" }, { name = \"cap_offset\", type = \"__u32\" }, { name = \"pad\", type = \"__u32\" }]\n\n[[define]]\nname = \"I_CAPS\"\nbit = 0\n",
        at: "4 }\nfields",
        says: "`align_before` needs `align_since`",
    },
    Case {
        name: "a macro body that is not an integer expression",
        body: "[[macro]]\nname = \"M\"\nparams = [\"x\"]\nbody = \"#x\"\n",
        at: "#x\"",
        says: "`#` makes a string of its operand, which the schema cannot check",
    },
    Case {
        name: "a member declared by no macro",
        body: "[[macro]]\nname = \"P\"\nparams = [\"_type\", \"_name\"]\nbody = \"__aligned_u64 _name\"\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"p\", type = \"__aligned_u64\", declared_by = { macro = \"Q\", args = [\"void *\", \"p\"] } }]\n",
        at: "\"Q\"",
        says: "`declared_by` names `Q`, no `[[macro]]` above",
    },
    Case {
        name: "a member declared by an expression macro",
        body: "[[macro]]\nname = \"E\"\nparams = [\"x\"]\nbody = \"((x) + 1)\"\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"p\", type = \"__u32\", declared_by = { macro = \"E\", args = [\"p\"] } }]\n",
        at: "\"E\", args",
        says: "`declared_by` names `E`, a `[[macro]]` whose body is an expression",
    },
    Case {
        name: "a declaring macro given too few arguments",
        body: "[[macro]]\nname = \"P\"\nparams = [\"_type\", \"_name\"]\nbody = \"__aligned_u64 _name\"\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"p\", type = \"__aligned_u64\", declared_by = { macro = \"P\", args = [\"p\"] } }]\n",
        at: "{ macro = \"P\", args = [\"p\"] }",
        says: "`P` takes 2 arguments (_type, _name), and `declared_by` gives 1",
    },
    Case {
        name: "a declaring macro whose expansion is another member",
        body: "[[macro]]\nname = \"P\"\nparams = [\"_type\", \"_name\"]\nbody = \"__aligned_u64 _name\"\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"p\", type = \"__u64\", declared_by = { macro = \"P\", args = [\"void *\", \"p\"] } }]\n",
        at: "{ macro = \"P\", args = [\"void *\", \"p\"] }",
        says: "`P(void *, p)` declares `__aligned_u64 p`, and the member is `__u64 p`",
    },
    Case {
        name: "a declaring macro called with another name",
        body: "[[macro]]\nname = \"P\"\nparams = [\"_type\", \"_name\"]\nbody = \"__aligned_u64 _name\"\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"p\", type = \"__aligned_u64\", declared_by = { macro = \"P\", args = [\"void *\", \"q\"] } }]\n",
        at: "{ macro = \"P\", args = [\"void *\", \"q\"] }",
        says: "declares `__aligned_u64 q`, and the member is `__aligned_u64 p`",
    },
    Case {
        name: "a declaring macro's argument with a comma",
        body: "[[macro]]\nname = \"P\"\nparams = [\"_type\", \"_name\"]\nbody = \"__aligned_u64 _name\"\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"p\", type = \"__aligned_u64\", declared_by = { macro = \"P\", args = [\"a, b\", \"p\"] } }]\n",
        at: "\"a, b\"",
        says: "the argument `a, b`: a comma outside parentheses splits it in two",
    },
    Case {
        name: "a declared member with bits",
        body: "[[macro]]\nname = \"P\"\nparams = [\"_type\", \"_name\"]\nbody = \"__aligned_u64 _name\"\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"p\", type = \"__u32\", bits = 3, declared_by = { macro = \"P\", args = [\"void *\", \"p\"] } }]\n",
        at: "{ macro = \"P\"",
        says: "not with `bits`",
    },
    Case {
        name: "the old offsetof without a cast",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"n\", type = \"__u32\" }, { name = \"m\", type = \"__u32\" }]\n\n[[define]]\nname = \"D\"\nexpr = \"(&((struct s *)0)->m)\"\n",
        at: "&((struct",
        says: "`&` takes an address, which is no integer constant",
    },
    Case {
        name: "an expression calling a declaring macro",
        body: "[[macro]]\nname = \"P\"\nparams = [\"_type\", \"_name\"]\nbody = \"__aligned_u64 _name\"\n\n[[define]]\nname = \"D\"\nexpr = \"P(int, x)\"\n",
        at: "P(int, x)",
        says: "`P` declares a member (`declared_by`): no expression calls it",
    },
    Case {
        name: "a packed bitfield",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", bits = 3, packed = true }, { name = \"b\", type = \"__u32\", bits = 29 }]\n",
        at: "true }, { name = \"b\"",
        says: "`packed` on a bitfield or a flexible array member",
    },
    Case {
        name: "a packed run of defines",
        body: "[[flags]]\nname = \"f\"\npacked = true\nvalues = [{ name = \"F_A\", bit = 0 }]\n",
        at: "true\nvalues",
        says: "`f` is a run of #defines: `packed` is for a C enum",
    },
    Case {
        name: "a macro parameter listed twice",
        body: "[[macro]]\nname = \"M\"\nparams = [\"a\", \"b\", \"a\"]\nbody = \"a\"\n",
        at: "\"a\"]",
        says: "parameter `a` is listed twice",
    },
    Case {
        name: "a macro called with the wrong number of arguments",
        body: "[[macro]]\nname = \"M\"\nparams = [\"x\"]\nbody = \"((x) + 1)\"\n\n[[define]]\nname = \"D\"\nexpr = \"2 * M(1, 2)\"\n",
        at: "M(1, 2)",
        says: "`M` takes 1 argument, given 2",
    },
    Case {
        name: "an ioctl of an enum the schema has not",
        body: "[[define]]\nname = \"D\"\nioctl = { type = \"'E'\", nr = 1, dir = \"r\", size = \"enum nowhere\" }\n",
        at: "\"enum nowhere\"",
        says: "unknown enum `nowhere`",
    },
    Case {
        name: "a tag of no struct",
        body: "[[define]]\nname = \"old\"\ntag = \"nowhere\"\n",
        at: "\"nowhere\"",
        says: "unknown struct `nowhere`",
    },
    Case {
        name: "a tag with a value",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[define]]\nname = \"old\"\ntag = \"s\"\nvalue = 1\n",
        at: "1\n",
        says: "`value` with `tag`: `old` is another name for a struct's tag, no constant",
    },
    Case {
        name: "a tag alias named as a struct",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[struct]]\nname = \"t\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[define]]\nname = \"t\"\ntag = \"s\"\n",
        at: "\"t\"\ntag",
        says: "`t` is defined twice",
    },
    Case {
        name: "a string that is a bare word",
        body: "[[define]]\nname = \"N\"\nstring = \"ethtool\"\n",
        at: "ethtool\"",
        says: "unknown string define `ethtool`",
    },
    Case {
        name: "an empty string define",
        body: "[[define]]\nname = \"N\"\nstring = \" \"\n",
        at: "\" \"",
        says: "an empty string define: write `\"\"` for an empty string",
    },
    Case {
        name: "a string's hex escape past a char",
        body: "[[define]]\nname = \"N\"\nstring = '\"a\\x41b\"'\n",
        at: "\\x41b",
        says: "`\\x41b` is past a `char` (255): C reads every hexadecimal digit after `\\x`",
    },
    Case {
        name: "a string without its closing quote",
        body: "[[define]]\nname = \"N\"\nstring = '\"abc'\n",
        at: "\"abc'",
        says: "a string literal without its closing `\"`",
    },
    Case {
        name: "a wide string",
        body: "[[define]]\nname = \"N\"\nstring = 'L\"abc\"'\n",
        at: "L\"abc",
        says: "`L\"` is a wide or Unicode string literal",
    },
    Case {
        name: "a string joined with an operator",
        body: "[[define]]\nname = \"N\"\nstring = '\"a\" + 1'\n",
        at: "+ 1",
        says: "`+` is not part of a string define",
    },
    Case {
        name: "a string naming an integer",
        body: "[[define]]\nname = \"A\"\nvalue = 1\n\n[[define]]\nname = \"N\"\nstring = '\"a\" A'\n",
        at: "A'",
        says: "`A` is an integer constant, no string",
    },
    Case {
        name: "a string naming one below it",
        body: "[[define]]\nname = \"N\"\nstring = 'M \"a\"'\n\n[[define]]\nname = \"M\"\nstring = '\"b\"'\n",
        at: "M \"a\"",
        says: "unknown string define `M`",
    },
    Case {
        name: "a string with when",
        body: "[[define]]\nname = \"N\"\nstring = '\"a\"'\nwhen = \"defined(__x86_64__)\"\n",
        at: "\"defined(__x86_64__)\"",
        says: "`when` with `string`: a string define takes only `doc`, `since` and `extern` beside it",
    },
    Case {
        name: "a string and a value",
        body: "[[define]]\nname = \"N\"\nstring = '\"a\"'\nvalue = 3\n",
        at: "3\n",
        says: "`value` with `string`",
    },
    Case {
        name: "a string named as a constant",
        body: "[[define]]\nname = \"N\"\nstring = '\"a\"'\n\n[[define]]\nname = \"N\"\nvalue = 1\n",
        at: "\"N\"\nvalue",
        says: "constant `N` is defined twice (a string define, a `packed_by` macro or a `tag` define above has its name)",
    },
    Case {
        name: "a macro named as a string",
        body: "[[define]]\nname = \"N\"\nstring = '\"a\"'\n\n[[macro]]\nname = \"N\"\nparams = [\"x\"]\nbody = \"(x)\"\n",
        at: "\"N\"\nparams",
        says: "`N` is defined twice",
    },
    Case {
        name: "an integer expression reading a string",
        body: "[[define]]\nname = \"N\"\nstring = '\"a\"'\n\n[[define]]\nname = \"M\"\nexpr = \"N + 1\"\n",
        at: "N + 1",
        says: "`N` is a string define: an integer expression takes only its `sizeof(N)`",
    },
    Case {
        name: "an aligned typedef lowering its struct's alignment",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u64\" }]\n\n[[typedef]]\nname = \"s_t\"\ntype = \"struct s\"\naligned = 4\n",
        at: "4\n",
        says: "`aligned = 4` on typedef `s_t` lowers the alignment of `struct s` (8 on some target)",
    },
    Case {
        name: "a typedef lowering an alignment, held with a member it would move",
        body: "[[typedef]]\nname = \"ul4\"\ntype = \"unsigned long\"\naligned = 4\n\n[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"words\" }\nfields = [{ name = \"a\", type = \"__u32\" }, { name = \"m\", type = \"ul4\" }, { name = \"x\", type = \"__aligned_u64\" }]\n",
        at: "{ name = \"x\"",
        says: "struct `s` has no Rust type of its layout on x86_64-linux-gnu: `x` is at byte 16 in C, and would be at byte 12 in Rust",
    },
    Case {
        name: "a field of an ioctl number no constant above has",
        body: "[[define]]\nname = \"N\"\nexpr = \"_IOC_NR(NOWHERE) + 1\"\n",
        at: "_IOC_NR(NOWHERE)",
        says: "unknown constant `NOWHERE`: an ioctl number defined above",
    },
    Case {
        name: "the size field of an ioctl number, which powerpc encodes otherwise",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[define]]\nname = \"IOC\"\nioctl = { type = \"T\", nr = 1, dir = \"w\", size = \"int\" }\n\n[[define]]\nname = \"N\"\nexpr = \"_IOC_SIZE(IOC)\"\n",
        at: "_IOC_SIZE(IOC)",
        says: "`_IOC_SIZE(...)` takes a field powerpc encodes otherwise",
    },
    Case {
        name: "an ioctl's arg on a number with a direction",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"flags\", type = \"__u32\" }]\n\n[[struct]]\nname = \"p\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[define]]\nname = \"IOC\"\nioctl = { type = \"'T'\", nr = 1, dir = \"w\", size = \"int\", arg = \"struct s\" }\n",
        at: "\"struct s\" }",
        says: "`arg` names the struct of an `_IO` number, which encodes no argument",
    },
    Case {
        name: "an ioctl's arg that is no struct",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"flags\", type = \"__u32\" }]\n\n[[struct]]\nname = \"p\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[define]]\nname = \"IOC\"\nioctl = { type = \"'T'\", nr = 1, arg = \"int\" }\n",
        at: "\"int\" }",
        says: "`arg = \"int\"`: write `struct NAME`",
    },
    Case {
        name: "an ioctl's arg naming no struct",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"flags\", type = \"__u32\" }]\n\n[[struct]]\nname = \"p\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[define]]\nname = \"IOC\"\nioctl = { type = \"'T'\", nr = 1, arg = \"struct nowhere\" }\n",
        at: "\"struct nowhere\"",
        says: "unknown struct `nowhere` (defined above)",
    },
    Case {
        name: "an ioctl's arg of a struct with no size convention",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"flags\", type = \"__u32\" }]\n\n[[struct]]\nname = \"p\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[define]]\nname = \"IOC\"\nioctl = { type = \"'T'\", nr = 1, arg = \"struct p\" }\n",
        at: "\"struct p\"",
        says: "`struct p` has no size convention",
    },
    Case {
        name: "two ioctls taking one struct",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"flags\", type = \"__u32\" }]\n\n[[struct]]\nname = \"p\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[define]]\nname = \"A\"\nioctl = { type = \"'T'\", nr = 1, arg = \"struct s\" }\n\n[[define]]\nname = \"B\"\nioctl = { type = \"'T'\", nr = 2, arg = 'struct s' }\n",
        at: "'struct s'",
        says: "`struct s` is `A`'s `arg` already",
    },
    Case {
        name: "a define standing for the type of a struct that is a union",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[define]]\nname = \"S_T\"\ntag = \"union s\"\n",
        at: "\"union s\"",
        says: "unknown union `s`",
    },
    Case {
        name: "struct before a define that stands for a type",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[define]]\nname = \"S_T\"\ntag = \"struct s\"\n\n[[define]]\nname = \"N\"\nexpr = \"sizeof(struct S_T)\"\n",
        at: "sizeof(struct S_T)",
        says: "unknown struct `S_T`",
    },
    Case {
        name: "aligned by an unknown constant",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", aligned = \"NOWHERE\" }]\n",
        at: "\"NOWHERE\"",
        says: "unknown constant `NOWHERE`",
    },
    Case {
        name: "aligned by a constant that is no power of two",
        body: "[[define]]\nname = \"A\"\nvalue = 12\n\n[[struct]]\nname = \"s\"\naligned = \"A\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n",
        at: "\"A\"\nfields",
        says: "`aligned = A` on a struct: an alignment is a power of two from 1 to 4096, as gcc's `__attribute__((aligned(n)))` takes it (it is 12)",
    },
    Case {
        name: "aligned on a member of an aligned typedef",
        body: "[[typedef]]\nname = \"w_t\"\ntype = \"__u32\"\naligned = 8\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"w_t\", aligned = 16 }]\n",
        at: "16 }",
        says: "`aligned` on a member of an aligned typedef: the typedef gives its alignment",
    },
    Case {
        name: "a pointer to an array typedef",
        body: "[[typedef]]\nname = \"a_t\"\ntype = \"__u8\"\nlen = 4\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"p\", type = \"a_t *\" }]\n",
        at: "\"a_t *\"",
        says: "unknown pointer type `a_t *`",
    },
    Case {
        name: "offsetof a member no struct has",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[define]]\nname = \"O\"\nexpr = \"offsetof(struct s, b)\"\n",
        at: "offsetof(struct s, b)",
        says: "`offsetof(struct s, b)` in `r1`: `s` has no member `b`",
    },
    Case {
        name: "offsetof a bitfield",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", bits = 3 }, { name = \"b\", type = \"__u32\", bits = 5 }]\n\n[[define]]\nname = \"O\"\nexpr = \"offsetof(struct s, b)\"\n",
        at: "offsetof(struct s, b)",
        says: "`b` is a bitfield, which has no offset",
    },
    Case {
        name: "offsetof an array element",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\", len = 2 }]\n\n[[define]]\nname = \"O\"\nexpr = \"offsetof(struct s, a[1])\"\n",
        at: "offsetof(struct s, a[1])",
        says: "`offsetof(TYPE, MEMBER)` takes a struct type and a member's name, or names joined by `.`",
    },
    Case {
        name: "offsetof an unknown struct",
        body: "[[define]]\nname = \"O\"\nexpr = \"offsetof(struct nowhere, a)\"\n",
        at: "offsetof(struct nowhere, a)",
        says: "`offsetof(struct nowhere, a)`: unknown struct `nowhere`",
    },
    Case {
        name: "a define under when naming one on fewer targets",
        body: "[[define]]\nname = \"A\"\nvalue = 3\nwhen = \"defined(__x86_64__)\"\n\n[[define]]\nname = \"B\"\nexpr = \"A + 1\"\nwhen = \"__BITS_PER_LONG == 64\"\n",
        at: "A + 1",
        says: "unknown constant `A`",
    },
    Case {
        name: "packed_by with packed",
        body: "[[struct]]\nname = \"s\"\npacked = true\npacked_by = { macro = \"P\", when = \"defined(__x86_64__)\" }\nfields = [{ name = \"a\", type = \"__u32\" }]\n",
        at: "true\npacked_by",
        says: "`packed` with `packed_by`: the macro gives the struct its packing",
    },
    Case {
        name: "packed_by's macro under two conditions",
        body: "[[struct]]\nname = \"s\"\npacked_by = { macro = \"P\", when = \"defined(__x86_64__)\" }\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[struct]]\nname = \"t\"\npacked_by = { macro = \"P\", when = \"defined(__i386__)\" }\nfields = [{ name = \"a\", type = \"__u32\" }]\n",
        at: "\"defined(__i386__)\"",
        says: "`P` packs under `defined(__x86_64__)` above: one macro, one condition",
    },
    Case {
        name: "packed_by on every target",
        body: "[[struct]]\nname = \"s\"\npacked_by = { macro = \"P\", when = \"__CHAR_BIT__ == 8\" }\nfields = [{ name = \"a\", type = \"__u32\" }]\n",
        at: "\"__CHAR_BIT__ == 8\"",
        says: "`when = ",
    },
    Case {
        name: "packed_by's macro named as a constant",
        body: "[[define]]\nname = \"P\"\nvalue = 1\n\n[[struct]]\nname = \"s\"\npacked_by = { macro = \"P\", when = \"defined(__x86_64__)\" }\nfields = [{ name = \"a\", type = \"__u32\" }]\n",
        at: "\"P\", when",
        says: "`P` is defined twice",
    },
    Case {
        name: "ifndef under when",
        body: "[[define]]\nname = \"N\"\nvalue = 1\nwhen = \"defined(__x86_64__)\"\nifndef = true\n",
        at: "true\n",
        says: "`ifndef` with `when`: a define under `#ifndef NAME` is written at file scope, once, on every target",
    },
    Case {
        name: "a pack that is no power of two",
        body: "[[struct]]\nname = \"s\"\npack = 3\nfields = [{ name = \"a\", type = \"__u32\" }]\n",
        at: "3\n",
        says: "`pack = 3`: `#pragma pack(n)` takes a power of two from 1 to 16",
    },
    Case {
        name: "pack with packed",
        body: "[[struct]]\nname = \"s\"\npack = 2\npacked = true\nfields = [{ name = \"a\", type = \"__u32\" }]\n",
        at: "true\n",
        says: "`packed` with `pack`: a struct is laid out by one of them",
    },
    Case {
        name: "an array typedef of a struct",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[typedef]]\nname = \"s_t\"\ntype = \"struct s\"\nlen = 2\n",
        at: "2\n",
        says: "`len` on typedef `s_t`: a typedef of an array has a scalar element",
    },
    Case {
        name: "a length on a member of an array typedef",
        body: "[[typedef]]\nname = \"c_t\"\ntype = \"__u8\"\nlen = 10\n\n[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"c_t\", len = 2 }]\n",
        at: "{ name = \"a\"",
        says: "a member of an array typedef (`10` elements) is that array: it takes no `len`, `flexible`, `dims` or `bits`",
    },
    Case {
        name: "bitwise on a typedef of a struct",
        body: "[[struct]]\nname = \"s\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[typedef]]\nname = \"s_t\"\ntype = \"struct s\"\nbitwise = true\n",
        at: "true\n",
        says: "`bitwise` on typedef `s_t`: `__bitwise` restricts an integer type",
    },
    Case {
        name: "a paste that ends a macro's body",
        body: "[[macro]]\nname = \"M\"\nparams = [\"x\"]\nbody = \"x ##\"\n",
        at: "##\"",
        says: "`##` pastes the tokens on either side of it: it cannot begin or end a body",
    },
    Case {
        name: "a paste that makes no token",
        body: "[[define]]\nname = \"A\"\nvalue = 1\n\n[[macro]]\nname = \"M\"\nparams = [\"x\"]\nbody = \"(x ## +1)\"\n\n[[define]]\nname = \"D\"\nexpr = \"M(A)\"\n",
        at: "M(A)",
        says: "`M` pastes `A` and `+` into `A+`, which is not one token",
    },
    Case {
        name: "a paste that names no constant",
        body: "[[define]]\nname = \"K_A\"\nvalue = 1\n\n[[macro]]\nname = \"M\"\nparams = [\"x\"]\nbody = \"(K_ ## x)\"\n\n[[define]]\nname = \"D\"\nexpr = \"M(B)\"\n",
        at: "M(B)",
        says: "unknown constant `K_B`",
    },
    Case {
        name: "a call of a macro not defined above",
        body: "[[define]]\nname = \"D\"\nexpr = \"BIT(3)\"\n",
        at: "BIT(3)",
        says: "`BIT(...)` calls no function-like macro defined above it",
    },
    Case {
        name: "a macro named as <linux/const.h>'s",
        body: "[[macro]]\nname = \"_BITUL\"\nparams = [\"x\"]\nbody = \"(1UL << (x))\"\n",
        at: "\"_BITUL\"",
        says: "`_BITUL` is a macro of the headers the generated header includes",
    },
    Case {
        name: "a constant named as a macro above it",
        body: "[[macro]]\nname = \"N\"\nparams = []\nbody = \"2\"\n\n[[define]]\nname = \"M\"\nvalue = 1\n\n[[macro]]\nname = \"M2\"\nparams = []\nbody = \"3\"\n\n[[define]]\nname = \"N\"\nvalue = 1\n",
        at: "\"N\"\nvalue",
        says: "constant `N` is defined twice (a `[[macro]]` above has its name)",
    },
    Case {
        name: "a macro defined twice",
        body: "[[define]]\nname = \"M\"\nvalue = 1\n\n[[macro]]\nname = \"M\"\nparams = []\nbody = \"2\"\n",
        at: "\"M\"\nparams",
        says: "`M` is defined twice",
    },
    Case {
        name: "an ioctl wrapper given the wrong number of arguments",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[macro]]\nname = \"W\"\nparams = [\"nr\", \"type\"]\nbody = \"_IOWR(T, nr, type)\"\n\n[[define]]\nname = \"D\"\nioctl = { macro = \"W\", args = [\"1\"] }\n",
        at: "[\"1\"]",
        says: "`W` takes 2 arguments (nr, type), given 1",
    },
    Case {
        name: "an ioctl wrapper's argument type that is not a type",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[macro]]\nname = \"W\"\nparams = [\"nr\", \"type\"]\nbody = \"_IOWR(T, nr, type)\"\n\n[[define]]\nname = \"D\"\nioctl = { macro = \"W\", args = [\"1\", \"long double\"] }\n",
        at: "\"long double\"",
        says: "unknown type `long double`",
    },
    Case {
        name: "an ioctl wrapper's argument type of a struct not defined",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[macro]]\nname = \"W\"\nparams = [\"nr\", \"type\"]\nbody = \"_IOWR(T, nr, type)\"\n\n[[define]]\nname = \"D\"\nioctl = { macro = \"W\", args = [\"1\", \"struct nope\"] }\n",
        at: "\"struct nope\"",
        says: "unknown struct `nope`",
    },
    Case {
        name: "an ioctl wrapper given a type for a number",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[macro]]\nname = \"W\"\nparams = [\"nr\", \"type\"]\nbody = \"_IOWR(T, nr, type)\"\n\n[[define]]\nname = \"D\"\nioctl = { macro = \"W\", args = [\"struct s\", \"int\"] }\n",
        at: "\"struct s\"",
        says: "`struct s` is a type, and `W`'s parameter `nr` takes a number",
    },
    Case {
        name: "an ioctl wrapper's number argument that is not an expression",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[macro]]\nname = \"W\"\nparams = [\"nr\", \"type\"]\nbody = \"_IOWR(T, nr, type)\"\n\n[[define]]\nname = \"D\"\nioctl = { macro = \"W\", args = [\"1 +\", \"int\"] }\n",
        at: "\", \"int\"] }",
        says: "expected an operand",
    },
    Case {
        name: "an ioctl wrapper's argument that names an ioctl number",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[macro]]\nname = \"W\"\nparams = [\"nr\", \"type\"]\nbody = \"_IOWR(T, nr, type)\"\n\n[[define]]\nname = \"IOC\"\nioctl = { type = \"T\", nr = 1 }\n\n[[define]]\nname = \"D\"\nioctl = { macro = \"W\", args = [\"IOC\", \"int\"] }\n",
        at: "IOC\", \"int",
        says: "`IOC` is an ioctl number",
    },
    Case {
        name: "an ioctl wrapper's number past 8 bits",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[macro]]\nname = \"W\"\nparams = [\"nr\", \"type\"]\nbody = \"_IOWR(T, nr, type)\"\n\n[[define]]\nname = \"D\"\nioctl = { macro = \"W\", args = [\"0x100\", \"int\"] }\n",
        at: "[\"0x100\"",
        says: "an ioctl's `nr` must fit in 8 bits (it is 256)",
    },
    Case {
        name: "an ioctl wrapper's argument that is not a string",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[macro]]\nname = \"W\"\nparams = [\"nr\", \"type\"]\nbody = \"_IOWR(T, nr, type)\"\n\n[[define]]\nname = \"D\"\nioctl = { macro = \"W\", args = [1, \"int\"] }\n",
        at: "1, \"int\"",
        says: "invalid type: integer `1`, expected a string",
    },
    Case {
        name: "a body that calls an ioctl macro and adds to it",
        body: "[[macro]]\nname = \"W\"\nparams = [\"nr\", \"type\"]\nbody = \"_IOW('T', nr, type) + 1\"\n",
        at: "+ 1\"",
        says: "a body that calls `_IOW` is exactly one call of it",
    },
    Case {
        name: "a body that calls an ioctl macro inside another's argument",
        body: "[[macro]]\nname = \"W\"\nparams = [\"nr\"]\nbody = \"_IO('T', _IO('U', nr))\"\n",
        at: "_IO('U",
        says: "a body that calls `_IO` is exactly one call of it",
    },
    Case {
        name: "an ioctl call with too few arguments in a macro",
        body: "[[macro]]\nname = \"W\"\nparams = [\"nr\", \"type\"]\nbody = \"_IOR('T', nr)\"\n",
        at: "_IOR('T', nr)\"",
        says: "`_IOR` takes 3 arguments, given 2",
    },
    Case {
        name: "an ioctl wrapper whose size argument is no parameter",
        body: "[[macro]]\nname = \"W\"\nparams = [\"nr\"]\nbody = \"_IOR('T', nr, struct x)\"\n",
        at: "struct x)",
        says: "size argument `struct x` is not one of the macro's parameters",
    },
    Case {
        name: "an ioctl wrapper's type parameter used in its number",
        body: "[[macro]]\nname = \"W\"\nparams = [\"nr\", \"type\"]\nbody = \"_IOWR('T', nr + type, type)\"\n",
        at: "type, type",
        says: "parameter `type` is `_IOWR`'s size argument, a type",
    },
    Case {
        name: "an ioctl wrapper that pastes tokens",
        body: "[[macro]]\nname = \"W\"\nparams = [\"dir\", \"nr\"]\nbody = \"_IO ## dir('T', nr)\"\n",
        at: "## dir",
        says: "`##` in a body that calls `_IO`: a wrapper passes its arguments on as they are",
    },
    Case {
        name: "a macro named as <linux/ioctl.h>'s",
        body: "[[macro]]\nname = \"_IOWR\"\nparams = [\"t\", \"nr\", \"size\"]\nbody = \"_IOC(3, t, nr, sizeof(size))\"\n",
        at: "\"_IOWR\"",
        says: "`_IOWR` is a macro of the headers the generated header includes",
    },
    Case {
        name: "an ioctl wrapper called in an expression",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[macro]]\nname = \"W\"\nparams = [\"nr\", \"type\"]\nbody = \"_IOWR(T, nr, type)\"\n\n[[define]]\nname = \"D\"\nexpr = \"W(1, int) | 1\"\n",
        at: "W(1, int)",
        says: "`W` is an ioctl macro (its body is `_IOWR(...)`)",
    },
    Case {
        name: "an integer macro whose expansion calls an ioctl wrapper",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[macro]]\nname = \"W\"\nparams = [\"nr\", \"type\"]\nbody = \"_IOWR(T, nr, type)\"\n\n[[macro]]\nname = \"K\"\nparams = [\"n\"]\nbody = \"W(n, int)\"\n\n[[define]]\nname = \"D\"\nexpr = \"K(1)\"\n",
        at: "K(1)",
        says: "`W` is an ioctl macro",
    },
    Case {
        name: "an ioctl define through a macro not defined above",
        body: "[[define]]\nname = \"D\"\nioctl = { macro = \"W\", args = [\"1\"] }\n\n[[macro]]\nname = \"W\"\nparams = [\"nr\"]\nbody = \"_IO('T', nr)\"\n",
        at: "\"W\", args",
        says: "unknown macro `W`",
    },
    Case {
        name: "an ioctl define through an integer macro",
        body: "[[macro]]\nname = \"K\"\nparams = [\"n\"]\nbody = \"((n) + 1)\"\n\n[[define]]\nname = \"D\"\nioctl = { macro = \"K\", args = [\"1\"] }\n",
        at: "\"K\", args",
        says: "`K` is not an ioctl wrapper macro",
    },
    Case {
        name: "an ioctl define through a wrapper that forwards to no macro",
        body: "[[macro]]\nname = \"F\"\nparams = [\"d\", \"n\"]\nbody = \"DRM_##d(n, int)\"\n\n[[define]]\nname = \"D\"\nioctl = { macro = \"F\", args = [\"IOWR\", \"1\"] }\n",
        at: "[\"IOWR\"",
        says: "`F(IOWR, 1)`: `DRM_IOWR` is no macro defined above it and no ioctl macro",
    },
    Case {
        name: "an ioctl define through a wrapper that forwards to an integer macro",
        body: "[[macro]]\nname = \"K\"\nparams = [\"n\"]\nbody = \"((n) + 1)\"\n\n[[macro]]\nname = \"F\"\nparams = [\"m\", \"n\"]\nbody = \"m(n)\"\n\n[[define]]\nname = \"D\"\nioctl = { macro = \"F\", args = [\"K\", \"1\"] }\n",
        at: "[\"K\"",
        says: "`F(K, 1)`: `K(1)` is no ioctl wrapper call",
    },
    Case {
        name: "an ioctl define through a wrapper whose paste makes no token",
        body: "[[macro]]\nname = \"F\"\nparams = [\"d\", \"n\"]\nbody = \"W##d(n, int)\"\n\n[[define]]\nname = \"D\"\nioctl = { macro = \"F\", args = [\"+\", \"1\"] }\n",
        at: "[\"+\"",
        says: "`##` pastes `W` and `+` into `W+`, which is not one token",
    },
    Case {
        name: "an ioctl define through a wrapper that reaches _IOR without its size",
        body: "[[macro]]\nname = \"F\"\nparams = [\"m\", \"n\"]\nbody = \"m(0x40, n)\"\n\n[[define]]\nname = \"D\"\nioctl = { macro = \"F\", args = [\"_IOR\", \"1\"] }\n",
        at: "[\"_IOR\"",
        says: "`_IOR` takes 3 arguments (type, nr, size), given 2",
    },
    Case {
        name: "an ioctl define through a wrapper that forwards a number where the type goes",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[macro]]\nname = \"W\"\nparams = [\"nr\", \"type\"]\nbody = \"_IOWR(T, nr, type)\"\n\n[[macro]]\nname = \"F\"\nparams = [\"n\"]\nbody = \"W(struct x, n)\"\n\n[[define]]\nname = \"D\"\nioctl = { macro = \"F\", args = [\"1\"] }\n",
        at: "[\"1\"]",
        says: "`struct x` is a type, and `W`'s parameter `nr` takes a number",
    },
    Case {
        name: "an ioctl define through a macro that also gives the number",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[macro]]\nname = \"W\"\nparams = [\"nr\", \"type\"]\nbody = \"_IOWR(T, nr, type)\"\n\n[[define]]\nname = \"D\"\nioctl = { macro = \"W\", nr = 1, args = [\"1\", \"int\"] }\n",
        at: "1, args",
        says: "`nr` with `macro`: the wrapper macro gives the ioctl's type, number and direction",
    },
    Case {
        name: "an ioctl define through a macro without its arguments",
        body: "[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[macro]]\nname = \"W\"\nparams = [\"nr\", \"type\"]\nbody = \"_IOWR(T, nr, type)\"\n\n[[define]]\nname = \"D\"\nioctl = { macro = \"W\" }\n",
        at: "{ macro = \"W\" }",
        says: "`macro = \"W\"` needs `args`",
    },
    Case {
        name: "an ioctl define with arguments and no macro",
        body: "[[define]]\nname = \"D\"\nioctl = { type = \"'T'\", nr = 1, args = [\"1\"] }\n",
        at: "[\"1\"]",
        says: "`args` are a wrapper macro's arguments",
    },
    Case {
        name: "an ioctl define without its type",
        body: "[[define]]\nname = \"D\"\nioctl = { nr = 1 }\n",
        at: "{ nr = 1 }",
        says: "`ioctl` needs `type`",
    },
    Case {
        name: "an ioctl wrapper's argument type that grows in a later revision",
        body: "[[revision]]\nid = \"r2\"\n\n[[struct]]\nname = \"g\"\nfields = [{ name = \"a\", type = \"__u32\" }, { name = \"b\", type = \"__u32\", since = \"r2\" }]\n\n[[define]]\nname = \"T\"\nchar = \"T\"\n\n[[macro]]\nname = \"W\"\nparams = [\"nr\", \"type\"]\nbody = \"_IOWR(T, nr, type)\"\n\n[[define]]\nname = \"D\"\nioctl = { macro = \"W\", args = [\"1\", \"struct g\"] }\n",
        at: "\"struct g\"",
        says: "`struct g` is 4 bytes on x86_64-linux-gnu in `r1` but 8 in `r2`",
    },
    Case {
        name: "a struct's condition that holds on every target",
        body: "[[struct]]\nname = \"s\"\nwhen = \"__BITS_PER_LONG >= 32\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n",
        at: "\"__BITS_PER_LONG >= 32\"",
        says: "holds on every target",
    },
    Case {
        name: "a struct's when and unless",
        body: "[[struct]]\nname = \"s\"\nwhen = \"defined(__i386__)\"\nunless = \"defined(__i386__)\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n",
        at: "\"defined(__i386__)\"\nfields",
        says: "`unless` with `when`",
    },
    Case {
        name: "a struct of some targets with a size convention",
        body: "[[struct]]\nname = \"s\"\nconvention = \"size\"\nwhen = \"defined(__i386__)\"\nfields = [{ name = \"size\", type = \"__u32\" }]\n",
        at: "\"size\"",
        says: "a size convention on struct `s`, which has `when`",
    },
    Case {
        name: "a struct of some targets with libc_compat",
        body: "[[struct]]\nname = \"s\"\nlibc_compat = \"__UAPI_DEF_X\"\nunless = \"defined(__i386__)\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n",
        at: "\"__UAPI_DEF_X\"",
        says: "`libc_compat` with `unless`",
    },
    Case {
        name: "a member's own condition in a struct of some targets",
        body: "[[struct]]\nname = \"s\"\nwhen = \"__BITS_PER_LONG != 64\"\nfields = [{ name = \"a\", type = \"__u32\" }, { name = \"b\", type = \"__u32\", when = \"defined(__i386__)\" }]\n",
        at: "{ name = \"b\"",
        says: "`b` has a condition of its own in struct `s`, which has `when`",
    },
    Case {
        name: "a member of every target naming a struct of some",
        body: "[[struct]]\nname = \"st\"\nwhen = \"defined(__i386__)\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[struct]]\nname = \"h\"\nfields = [{ name = \"x\", type = \"struct st\" }]\n",
        at: "{ name = \"x\"",
        says: "struct `st` exists only where `defined(__i386__)` holds, not on x86_64-linux-gnu",
    },
    Case {
        name: "a pointer to a struct of some targets",
        body: "[[struct]]\nname = \"st\"\nwhen = \"defined(__i386__)\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[struct]]\nname = \"h\"\nfields = [{ name = \"p\", type = \"struct st *\" }]\n",
        at: "{ name = \"p\"",
        says: "struct `st` exists only where",
    },
    Case {
        name: "a struct under a wider condition holding one of some targets",
        body: "[[struct]]\nname = \"st\"\nwhen = \"defined(__i386__)\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[struct]]\nname = \"h\"\nwhen = \"__BITS_PER_LONG != 64\"\nfields = [{ name = \"x\", type = \"struct st\", len = 2 }]\n",
        at: "{ name = \"x\"",
        says: "not on arm-linux-gnueabihf",
    },
    Case {
        name: "sizeof a struct of some targets in a define of every target",
        body: "[[struct]]\nname = \"st\"\nwhen = \"defined(__i386__)\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[define]]\nname = \"D\"\nexpr = \"sizeof(struct st)\"\n",
        at: "sizeof(struct st)",
        says: "struct `st` exists only where",
    },
    Case {
        name: "an ioctl of a struct of some targets in a define of every target",
        body: "[[struct]]\nname = \"st\"\nwhen = \"defined(__i386__)\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[define]]\nname = \"D\"\nioctl = { type = \"0x3B\", nr = 1, dir = \"r\", size = \"struct st\" }\n",
        at: "\"struct st\" }",
        says: "struct `st` exists only where",
    },
    Case {
        name: "a typedef of a struct of some targets",
        body: "[[struct]]\nname = \"st\"\nwhen = \"defined(__i386__)\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[typedef]]\nname = \"st_t\"\ntype = \"struct st\"\n",
        at: "\"struct st\"",
        says: "struct `st` exists only where",
    },
    Case {
        name: "a constant inside a struct of some targets",
        body: "[[struct]]\nname = \"st\"\nwhen = \"defined(__i386__)\"\nfields = [{ name = \"a\", type = \"__u32\" }]\n\n[[define]]\nname = \"D\"\nvalue = 1\ninside = \"st.a\"\n",
        at: "\"st.a\"",
        says: "`inside` struct `st`, which exists on some targets only",
    },
    Case {
        name: "a size_t member without assumes",
        body: "[[struct]]\nname = \"s\"\nabi_trap = { revisions = [\"r1\"], note = \"word\" }\nfields = [{ name = \"n\", type = \"size_t\" }]\n",
        at: "{ name = \"n\", type = \"size_t\" }",
        says: "`size_t` is the C library's, and the header includes nothing that defines it",
    },
    Case {
        name: "a size_t typedef without assumes",
        body: "[[typedef]]\nname = \"sz_t\"\ntype = \"size_t\"\n",
        at: "\"size_t\"",
        says: "`size_t` is the C library's",
    },
];

fn line_col(text: &str, at: &str) -> (usize, usize) {
    let offset = text
        .find(at)
        .unwrap_or_else(|| panic!("`{at}` not in schema"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = offset - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}

/// Loads `text` as `bad.toml`: None when it is refused with a message containing `says`,
/// located at the first occurrence of `at` with the line shown and a caret; else what went wrong.
fn located(name: &str, text: &str, at: &str, says: &str) -> Option<String> {
    let result = std::panic::catch_unwind(|| {
        uapigen::load_source(Source::new("bad.toml", text.to_string()), "bad.toml")
    });
    let diags = match result {
        Err(_) => return Some(format!("{name}: panicked")),
        Ok(Ok(_)) => return Some(format!("{name}: accepted")),
        Ok(Err(Error::Schema(d))) => d,
        Ok(Err(other)) => return Some(format!("{name}: unlocated error {other}")),
    };
    let (line, col) = line_col(text, at);
    let Some(d) = diags.iter().find(|d| d.message.contains(says)) else {
        return Some(format!(
            "{name}: no message says {says:?}; got:\n{}",
            Error::Schema(diags.clone())
        ));
    };
    let rendered = d.to_string();
    let prefix = format!("bad.toml:{line}:{col}: error: ");
    let source_line = text.lines().nth(line - 1).unwrap();
    if !rendered.starts_with(&prefix) || !rendered.contains(&format!("{line} | {source_line}")) {
        return Some(format!(
            "{name}: expected {prefix}… showing line {line}; got:\n{rendered}"
        ));
    }
    if !rendered
        .lines()
        .last()
        .is_some_and(|l| l.contains('^') || l.contains("= note"))
    {
        return Some(format!("{name}: no caret:\n{rendered}"));
    }
    None
}

#[test]
fn every_bad_schema_gets_a_located_message() {
    assert!(CASES.len() >= 15);
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|case| {
            let text = format!("{HEAD}\n{}", case.body);
            located(case.name, &text, case.at, case.says)
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases wrong:\n\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n\n")
    );
}

/// All errors of a file come out in one run, not one per run.
#[test]
fn errors_are_reported_together() {
    let text = format!(
        "{HEAD}\n[[struct]]\nname = \"s\"\nfields = [{{ name = \"a\", type = \"__u31\" }}, {{ name = \"b\", type = \"__u32\", since = \"r9\" }}]\n"
    );
    let Err(Error::Schema(diags)) = uapigen::load_source(Source::new("bad.toml", text), "bad.toml")
    else {
        panic!("must fail")
    };
    assert_eq!(diags.len(), 2, "{diags:?}");
}

#[test]
fn cli_exits_non_zero_with_the_location() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("schema");
    std::fs::create_dir(&schema).unwrap();
    let text = format!("{HEAD}\n{}", CASES[0].body);
    std::fs::write(schema.join("bad.toml"), &text).unwrap();
    let (line, col) = line_col(&text, CASES[0].at);
    for sub in ["generate", "check"] {
        let out = Command::new(env!("CARGO_BIN_EXE_uapigen"))
            .arg(sub)
            .arg("--schema")
            .arg(&schema)
            .arg("--out")
            .arg(dir.path().join("out"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{sub}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "bad.toml:{line}:{col}: error: unknown type `__u31`"
            )),
            "{sub}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            !dir.path().join("out").exists(),
            "{sub} wrote output for a bad schema"
        );
    }
}

/// `HEAD` with `[family]` key `key` set to the TOML value `value`.
fn head_with(key: &str, value: &str) -> String {
    let mut out = String::new();
    let mut replaced = false;
    for line in HEAD.lines() {
        if line.starts_with(&format!("{key} = ")) {
            out.push_str(&format!("{key} = {value}\n"));
            replaced = true;
        } else {
            out.push_str(line);
            out.push('\n');
            if line == "[family]" && !["name", "header", "guard", "license"].contains(&key) {
                out.push_str(&format!("{key} = {value}\n"));
                replaced = true;
            }
        }
    }
    assert!(replaced, "{key}");
    out
}

fn assert_all_located(cases: &[(String, String, String, String)]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(name, text, at, says)| located(name, text, at, says))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases wrong:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// `self`, `Self`, `super`, `crate` and `_` have no raw identifier in Rust (`r#self` is not
/// Rust): wherever a schema name becomes a Rust identifier they are refused, at the name.
/// (They used to panic in the Rust emitter.)
#[test]
fn names_rust_has_no_identifier_for_are_refused() {
    let mut cases = Vec::new();
    for kw in ["self", "Self", "super", "crate", "_"] {
        let q = format!("\"{kw}\"");
        let raw = format!("cannot be a Rust identifier, not even a raw one (r#{kw})");
        cases.push((
            format!("field {kw}"),
            format!(
                "{HEAD}\n[[struct]]\nname = \"s\"\nfields = [{{ name = {q}, type = \"__u32\" }}]\n"
            ),
            q.clone(),
            format!("field name `{kw}` {raw}; give the field a `rust_name`"),
        ));
        cases.push((
            format!("rust_name {kw}"),
            format!("{HEAD}\n[[struct]]\nname = \"s\"\nfields = [{{ name = \"a\", rust_name = {q}, type = \"__u32\" }}]\n"),
            q.clone(),
            format!("rust_name `{kw}` {raw}"),
        ));
        cases.push((
            format!("define {kw}"),
            format!("{HEAD}\n[[define]]\nname = {q}\nvalue = 1\n"),
            q.clone(),
            format!("constant name `{kw}` {raw}"),
        ));
        cases.push((
            format!("flag {kw}"),
            format!("{HEAD}\n[[flags]]\nname = \"f\"\nvalues = [{{ name = {q}, bit = 0 }}]\n"),
            q.clone(),
            format!("constant name `{kw}` {raw}"),
        ));
        cases.push((
            format!("revision {kw}"),
            format!("{HEAD}\n[[revision]]\nid = {q}\n"),
            q.clone(),
            format!("revision id `{kw}` {raw}"),
        ));
        cases.push((
            format!("family {kw}"),
            head_with("name", &q),
            q.clone(),
            format!("family name `{kw}` {raw}"),
        ));
    }
    cases.push((
        "struct _".into(),
        format!("{HEAD}\n[[struct]]\nname = \"_\"\nfields = [{{ name = \"a\", type = \"__u32\" }}]\n"),
        "\"_\"".into(),
        "struct name `_` has no Rust type name: CamelCase drops its underscores and nothing is left".into(),
    ));
    cases.push((
        "struct self_".into(),
        format!("{HEAD}\n[[struct]]\nname = \"self_\"\nfields = [{{ name = \"a\", type = \"__u32\" }}]\n"),
        "\"self_\"".into(),
        "struct name `self_`: its Rust type name `Self` is a Rust keyword".into(),
    ));
    cases.push((
        "enum tag _1".into(),
        format!("{HEAD}\n[[enum]]\nname = \"_1\"\nvalues = [{{ name = \"A\" }}]\n"),
        "\"_1\"".into(),
        "enum tag `_1` has no Rust type name: its CamelCase `1` starts with a digit".into(),
    ));
    assert_all_located(&cases);
}

/// C (C11 and C23) and C++ keywords are refused wherever a name reaches the headers, which are
/// compiled as C and as C++.
#[test]
fn c_and_cpp_keywords_are_refused() {
    let mut cases = Vec::new();
    for kw in [
        "int",
        "extern",
        "else",
        "_Bool",
        "bool",
        "true",
        "static_assert",
        "typeof",
        "nullptr",
        "constexpr",
        "thread_local",
        "alignas",
    ] {
        let q = format!("\"{kw}\"");
        cases.push((
            format!("field {kw}"),
            format!(
                "{HEAD}\n[[struct]]\nname = \"s\"\nfields = [{{ name = {q}, type = \"__u32\" }}]\n"
            ),
            q.clone(),
            format!("field name `{kw}` is a C keyword"),
        ));
        cases.push((
            format!("struct {kw}"),
            format!(
                "{HEAD}\n[[struct]]\nname = {q}\nfields = [{{ name = \"a\", type = \"__u32\" }}]\n"
            ),
            q.clone(),
            format!("struct name `{kw}` is a C keyword"),
        ));
        cases.push((
            format!("define {kw}"),
            format!("{HEAD}\n[[define]]\nname = {q}\nvalue = 1\n"),
            q.clone(),
            format!("constant name `{kw}` is a C keyword"),
        ));
    }
    for kw in [
        "class",
        "new",
        "this",
        "template",
        "namespace",
        "and",
        "private",
    ] {
        let q = format!("\"{kw}\"");
        cases.push((
            format!("field {kw}"),
            format!("{HEAD}\n[[struct]]\nname = \"s\"\nfields = [{{ name = {q}, type = \"__u32\" }}]\n"),
            q.clone(),
            format!("field name `{kw}` is a C++ keyword: the generated headers are also compiled as C++"),
        ));
    }
    cases.push((
        "enum tag extern".into(),
        format!("{HEAD}\n[[enum]]\nname = \"extern\"\nvalues = [{{ name = \"A\" }}]\n"),
        "\"extern\"".into(),
        "enum tag `extern` is a C keyword".into(),
    ));
    cases.push((
        "guard int".into(),
        head_with("guard", "\"int\""),
        "\"int\"".into(),
        "include guard `int` is a C keyword".into(),
    ));
    cases.push((
        "an include below no constant".into(),
        head_with(
            "includes",
            "[\"linux/types.h\", { header = \"linux/if.h\", after = \"NOPE\" }]",
        ),
        "{ header".into(),
        "`after = \"NOPE\"`: no constant of that name at file scope".into(),
    ));
    cases.push((
        "field NULL".into(),
        format!("{HEAD}\n[[struct]]\nname = \"s\"\nfields = [{{ name = \"NULL\", type = \"__u32\" }}]\n"),
        "\"NULL\"".into(),
        "field name `NULL` is a name the generated C uses".into(),
    ));
    // An errno the validators return, in a family that has validators (one without may
    // define it: asm-generic/errno-base.h).
    cases.push((
        "constant E2BIG beside validators".into(),
        format!("{HEAD}\n[[struct]]\nname = \"s\"\nconvention = \"size\"\nfields = [{{ name = \"size\", type = \"__u32\" }}, {{ name = \"a\", type = \"__u32\" }}]\n\n[[define]]\nname = \"E2BIG\"\nvalue = 7\n"),
        "\"E2BIG\"".into(),
        "constant name `E2BIG` is a name the generated C uses: the validators of this family's structs return it, as <errno.h> defines it".into(),
    ));
    assert_all_located(&cases);
}

/// Names that are each fine but would be one identifier of the generated C or Rust: refused
/// at the second, with a note at the first.
#[test]
fn names_that_collide_in_the_output_are_refused() {
    let st = "[[struct]]\nname = \"s\"\nfields = [{ name = \"flags\", type = \"__u32\" }]\n";
    let validated = "[[struct]]\nname = \"s\"\nconvention = \"size\"\nfields = [{ name = \"size\", type = \"__u32\" }, { name = \"a\", type = \"__u32\" }]\n";
    let cases: Vec<(String, String, String, String)> = [
        (
            "constant named like a member",
            format!("{HEAD}\n{st}\n[[define]]\nname = \"flags\"\nvalue = 1\n"),
            "\"flags\"\nvalue",
            "constant `flags` has the name of member `flags` of `s` (line 12): a #define would replace it",
        ),
        (
            "flag named like a member",
            format!("{HEAD}\n{st}\n[[flags]]\nname = \"f\"\nvalues = [{{ name = \"flags\", bit = 0 }}]\n"),
            "{ name = \"flags\", bit = 0 }",
            "constant `flags` has the name of member `flags` of `s`",
        ),
        (
            "constant named like a struct",
            format!("{HEAD}\n{st}\n[[define]]\nname = \"s\"\nvalue = 1\n"),
            "\"s\"\nvalue",
            "constant `s` has the name of struct `s` (line 11)",
        ),
        (
            "constant named like the guard",
            format!("{HEAD}\n[[define]]\nname = \"_UAPI_T_H\"\nvalue = 1\n"),
            "\"_UAPI_T_H\"\nvalue",
            "constant `_UAPI_T_H` is `_UAPI_T_H` in the generated C, as is the include guard (line 4)",
        ),
        (
            "constant named like a validator",
            format!("{HEAD}\n{validated}\n[[define]]\nname = \"s_check\"\nvalue = 1\n"),
            "\"s_check\"",
            "constant `s_check` is `s_check` in the generated C, as is the validator of struct `s` (line 11)",
        ),
        (
            "constant named like a validator's parameter",
            format!("{HEAD}\n[[define]]\nname = \"len\"\nvalue = 1\n"),
            "\"len\"",
            "constant name `len` is a parameter or variable of the generated validators",
        ),
        (
            "constant in the validators' prefix",
            format!("{HEAD}\n[[define]]\nname = \"UAPIGEN_T_R1\"\nvalue = 1\n"),
            "\"UAPIGEN_T_R1\"",
            "constant name `UAPIGEN_T_R1`: names starting with `uapigen_` are the generated validators'",
        ),
        (
            "enum tag named like a struct",
            format!("{HEAD}\n{st}\n[[enum]]\nname = \"s\"\nvalues = [{{ name = \"A\" }}]\n"),
            "[[enum]]",
            "enum `s` is `s` in the generated C, as is struct `s` (line 11)",
        ),
        (
            "two structs one Rust type",
            format!("{HEAD}\n[[struct]]\nname = \"a_b\"\nfields = [{{ name = \"x\", type = \"__u32\" }}]\n\n[[struct]]\nname = \"a__b\"\nfields = [{{ name = \"x\", type = \"__u32\" }}]\n"),
            "\"a__b\"",
            "struct `a__b` is `AB` in the generated Rust, as is struct `a_b` (line 11)",
        ),
        (
            "a union type named like a struct",
            format!("{HEAD}\n[[struct]]\nname = \"a_b\"\nfields = [{{ name = \"x\", type = \"__u32\" }}]\n\n[[struct]]\nname = \"a\"\nfields = [{{ name = \"b\", union = [{{ name = \"x\", type = \"__u32\" }}] }}]\n"),
            "{ name = \"b\", union",
            "the union `b` of `A` is `AB` in the generated Rust, as is struct `a_b` (line 11)",
        ),
        (
            "two fields one Rust name",
            format!("{HEAD}\n[[struct]]\nname = \"s\"\nfields = [{{ name = \"a\", type = \"__u32\" }}, {{ name = \"b\", rust_name = \"a\", type = \"__u32\" }}]\n"),
            "{ name = \"b\"",
            "field `b` of `S` is `a` in the generated Rust, as is field `a`",
        ),
        (
            "two revisions one C name",
            format!("{HEAD}\n[[revision]]\nid = \"R1\"\n"),
            "[[revision]]\nid = \"R1\"",
            "revision `R1` is `UAPIGEN_T_R1` in the generated C, as is revision `r1` (line 7)",
        ),
        (
            "a revision named like a primitive type",
            format!("{HEAD}\n[[revision]]\nid = \"u32\"\n"),
            "\"u32\"",
            "revision id `u32` names a Rust module that would hide the primitive type `u32`",
        ),
        (
            "a revision named like a struct's Rust type",
            format!("{HEAD}\n[[revision]]\nid = \"S\"\n\n[[struct]]\nname = \"s\"\nfields = [{{ name = \"a\", type = \"__u32\" }}]\n"),
            "\"s\"\nfields",
            "struct `s` is `S` in the generated Rust, as is revision `S` (line 10)",
        ),
        (
            "family lib",
            head_with("name", "\"lib\""),
            "\"lib\"",
            "family name `lib` would write rust/src/lib.rs, a file the generated crate (or uapigen::Builder) already uses",
        ),
        (
            "family main",
            head_with("name", "\"main\""),
            "\"main\"",
            "family name `main` would write rust/src/main.rs",
        ),
        (
            "family uapigen",
            head_with("name", "\"uapigen\""),
            "\"uapigen\"",
            "family name `uapigen` would write rust/src/uapigen.rs",
        ),
    ]
    .into_iter()
    .map(|(n, t, a, s)| (n.to_string(), t, a.to_string(), s.to_string()))
    .collect();
    assert_all_located(&cases);
}

/// Text the output writes into a file name, an `#include`, the SPDX line or a comment, refused
/// where escaping cannot make it safe.
#[test]
fn text_that_cannot_be_written_safely_is_refused() {
    let st = |extra: &str| {
        format!("{HEAD}\n[[struct]]\nname = \"s\"\n{extra}\nfields = [{{ name = \"a\", type = \"__u32\" }}]\n")
    };
    let cases: Vec<(String, String, String, String)> = [
        (
            "header with a newline",
            head_with("header", "\"linux/t\\n#include <evil.h>\\n.h\""),
            "\"linux/t",
            "header \"linux/t\\n#include <evil.h>\\n.h\" contains \"\\n\": only letters, digits, `_`, `.`, `-` and `/` are allowed",
        ),
        (
            "header outside include/uapi",
            head_with("header", "\"linux/../../t.h\""),
            "\"linux/../../t.h\"",
            "header \"linux/../../t.h\" has an empty, `.` or `..` component",
        ),
        (
            "absolute header",
            head_with("header", "\"/etc/t.h\""),
            "\"/etc/t.h\"",
            "header \"/etc/t.h\" is absolute",
        ),
        (
            "include that closes the bracket",
            head_with("includes", "[\"linux/types.h>\\n#define x\"]"),
            "\"linux/types.h>",
            "include \"linux/types.h>\\n#define x\" contains \">\"",
        ),
        (
            "licence that ends the comment",
            head_with("license", "\"GPL-2.0 */ int injected; /*\""),
            "\"GPL-2.0 */",
            "license \"GPL-2.0 */ int injected; /*\" contains \"*\": an SPDX expression is license ids, WITH, AND, OR and parentheses",
        ),
        (
            "licence on two lines",
            head_with("license", "\"GPL-2.0\\nint injected;\""),
            "\"GPL-2.0\\n",
            "contains \"\\n\"",
        ),
        (
            "summary on two lines",
            st("summary = \"one\\ntwo\""),
            "\"one\\ntwo\"",
            "a summary must be one line",
        ),
        (
            "label on two lines",
            format!("{HEAD}\n[[revision]]\nid = \"r2\"\nlabel = \"v2\\n*/\"\n"),
            "\"v2\\n*/\"",
            "a revision's label must be one line",
        ),
        (
            "control character in a doc",
            st("doc = \"bell \\u0007\""),
            "\"bell",
            "a doc contains the control character U+0007",
        ),
        (
            "carriage return in a description",
            head_with("description", "\"a\\rb\""),
            "\"a\\rb\"",
            "the description contains the control character U+000D",
        ),
        (
            "bidi override in a doc",
            st("doc = \"abc \\u202E cba\""),
            "\"abc",
            "a doc contains the control character U+202E",
        ),
        (
            "a doc line ending in a backslash",
            st("doc = \"one *\\\\\\n/ two\""),
            "\"one",
            "a doc has a line ending in a backslash, which C joins with the next line",
        ),
        (
            "a field comment on two lines",
            format!("{HEAD}\n[[struct]]\nname = \"s\"\nfields = [{{ name = \"a\", type = \"__u32\", comment = \"x\\ny\" }}]\n"),
            "\"x\\ny\"",
            "a comment must be one line",
        ),
    ]
    .into_iter()
    .map(|(n, t, a, s)| (n.to_string(), t, a.to_string(), s.to_string()))
    .collect();
    assert_all_located(&cases);
}

/// A uAPI header in `uapigen/` would replace uapigen's own `uapigen/uaccess.h` for the
/// validators that include it (found by codegen/tests/mutations.rs).
#[test]
fn a_header_in_uapigens_own_folder_is_refused() {
    let text = HEAD.replace("linux/t.h", "uapigen/uaccess.h");
    let failure = located(
        "header in uapigen/",
        &text,
        "\"uapigen/uaccess.h\"",
        "is in uapigen/, where uapigen's own headers are",
    );
    assert!(failure.is_none(), "{}", failure.unwrap());
}

/// A chain as caps.toml writes it; each case below breaks one thing of it.
const CAPS: &str = r#"
[[revision]]
id = "r2"

[[struct]]
name = "hdr"
fields = [
  { name = "id", type = "__u16" },
  { name = "version", type = "__u16" },
  { name = "next", type = "__u32" },
]

[[struct]]
name = "info"
convention = "argsz"
min_size = { offsetofend = "cap_offset" }
caps = { offset = "cap_offset", flag = "INFO_FLAG_CAPS", header = "hdr" }
fields = [
  { name = "argsz", type = "__u32" },
  { name = "flags", type = "__u32", flags = "info_flags" },
  { name = "index", type = "__u32" },
  { name = "cap_offset", type = "__u32" },
]

[[flags]]
name = "info_flags"
values = [
  { name = "INFO_FLAG_READ", bit = 0 },
  { name = "INFO_FLAG_CAPS", bit = 3 },
]

[[define]]
name = "OTHER"
value = 16

[[define]]
name = "ZERO"
value = 0

[[define]]
name = "CAP_A"
value = 1

[[struct]]
name = "cap_a"
capability = { of = "info", id = "CAP_A", version = 1 }
fields = [
  { name = "header", type = "struct hdr" },
  { name = "a", type = "__u32" },
  { name = "b", type = "__u32" },
]
"#;

/// Every mistake in a `caps` or `capability` key is refused at the key, with what is wrong.
#[test]
fn capability_chain_mistakes_are_located() {
    let caps_line = r#"caps = { offset = "cap_offset", flag = "INFO_FLAG_CAPS", header = "hdr" }"#;
    let cap_line = r#"capability = { of = "info", id = "CAP_A", version = 1 }"#;
    // A table's span is its value's.
    let (caps_value, cap_value) = (&caps_line[7..], &cap_line[13..]);
    // (name, text replaced, replacement, where the error points, what it says)
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        ("unknown offset member", "offset = \"cap_offset\"", "offset = \"cap_ofset\"", "\"cap_ofset\"", "struct `info` has no member `cap_ofset` (caps.offset"),
        ("offset not a __u32", "{ name = \"cap_offset\", type = \"__u32\" }", "{ name = \"cap_offset\", type = \"__u16\" },\n  { name = \"pad\", type = \"__u16\" }", "\"cap_offset\", flag", "`info.cap_offset` (caps.offset, the first capability's offset) must be a __u32"),
        ("unknown flags member", caps_line, r#"caps = { offset = "cap_offset", flags = "flagz", flag = "INFO_FLAG_CAPS", header = "hdr" }"#, "\"flagz\"", "struct `info` has no member `flagz` (caps.flags"),
        ("flags member not a __u32", "{ name = \"flags\", type = \"__u32\", flags = \"info_flags\" }", "{ name = \"flags\", type = \"__u16\", flags = \"info_flags\" },\n  { name = \"pad\", type = \"__u16\" }", caps_value, "`info.flags` (caps.flags"),
        ("unknown flag", "flag = \"INFO_FLAG_CAPS\"", "flag = \"NOPE\"", "\"NOPE\"", "unknown constant `NOPE`"),
        ("flag not of the flags set", "flag = \"INFO_FLAG_CAPS\"", "flag = \"OTHER\"", "\"OTHER\"", "caps.flag `OTHER` is not in `info_flags`"),
        ("flag zero", "flag = \"INFO_FLAG_CAPS\"", "flag = \"ZERO\"", "\"ZERO\"", "caps.flag `ZERO` is 0x0"),
        ("unknown header", "header = \"hdr\"", "header = \"hdr2\"", "\"hdr2\"", "unknown struct `hdr2` (caps.header)"),
        ("header is the info struct", "header = \"hdr\"", "header = \"info\"", "\"info\" }", "cannot be its own chain's header"),
        ("header lacks next", "{ name = \"next\", type = \"__u32\" }", "{ name = \"nxt\", type = \"__u32\" }", "\"hdr\" }", "struct `hdr` has no member `next` (caps.next"),
        ("header id not a __u16", "{ name = \"id\", type = \"__u16\" },\n  { name = \"version\", type = \"__u16\" },", "{ name = \"id\", type = \"__u32\" },\n  { name = \"version\", type = \"__u32\" },", "\"hdr\" }", "`hdr.id` (caps.id, the capability id) must be a __u16"),
        ("named header member missing", caps_line, r#"caps = { offset = "cap_offset", flag = "INFO_FLAG_CAPS", header = "hdr", version = "ver" }"#, "\"ver\"", "struct `hdr` has no member `ver` (caps.version"),
        ("caps without argsz", "convention = \"argsz\"\nmin_size = { offsetofend = \"cap_offset\" }\n", "", caps_value, "has caps but not `convention = \"argsz\"`"),
        ("alignment not a power of two", caps_line, r#"caps = { offset = "cap_offset", flag = "INFO_FLAG_CAPS", header = "hdr", align = 12 }"#, "12", "caps.align 12 is not a power of two"),
        ("unknown caps key", caps_line, r#"caps = { offset = "cap_offset", flag = "INFO_FLAG_CAPS", header = "hdr", first = 1 }"#, "first", "unknown field `first`"),
        ("capability of an unknown struct", "of = \"info\"", "of = \"nope\"", "\"nope\"", "unknown struct `nope` (capability.of)"),
        ("capability of a struct without a chain", "of = \"info\"", "of = \"hdr\"", "\"hdr\", id", "struct `hdr` has no capability chain"),
        ("capability id too large", "id = \"CAP_A\"", "id = 70000", "70000", "capability id 70000 does not fit the header's __u16 id"),
        ("capability id unknown", "id = \"CAP_A\"", "id = \"CAP_B\"", "\"CAP_B\"", "unknown constant `CAP_B`"),
        ("capability version too large", "version = 1 }", "version = 65536 }", "65536", "capability version 65536 does not fit"),
        ("capability not starting with the header", "{ name = \"header\", type = \"struct hdr\" },\n  { name = \"a\", type = \"__u32\" },\n  { name = \"b\", type = \"__u32\" },", "{ name = \"a\", type = \"__u32\" },\n  { name = \"b\", type = \"__u32\" },", cap_value, "capability struct `cap_a` does not begin with `struct hdr`"),
        ("chain member removed", "{ name = \"cap_offset\", type = \"__u32\" },", "{ name = \"cap_offset\", type = \"__u32\", until = \"r2\" },\n  { name = \"cap_offset2\", type = \"__u32\", since = \"r2\" },", "\"cap_offset\", flag", "`info.cap_offset` (caps.offset, the first capability's offset) no longer exists"),
        ("info struct with an abi_trap", "convention = \"argsz\"\nmin_size", "abi_trap = { revisions = [\"r2\"], note = \"x\" }\nconvention = \"argsz\"\nmin_size", caps_value, "struct `info` of a capability chain has an abi_trap in the latest revision"),
        ("capability with an opaque Rust type", cap_line, "rust_opaque = true\ncapability = { of = \"info\", id = \"CAP_A\", version = 1 }", cap_value, "a capability chain on struct `cap_a`, whose Rust type is opaque"),
        ("capability with an abi_trap", cap_line, "abi_trap = { revisions = [\"r2\"], note = \"x\" }\ncapability = { of = \"info\", id = \"CAP_A\", version = 1 }", cap_value, "struct `cap_a` of a capability chain has an abi_trap in the latest revision"),
        ("capability defined twice", "\n[[struct]]\nname = \"cap_a\"", "\n[[struct]]\nname = \"cap_b\"\ncapability = { of = \"info\", id = 1, version = 1 }\nfields = [{ name = \"header\", type = \"struct hdr\" }]\n\n[[struct]]\nname = \"cap_a\"", cap_value, "capability CAP_A version 1 of `info` is defined twice (first at line"),
    ];
    let all: Vec<(String, String, String, String)> = cases
        .iter()
        .map(|(name, from, to, at, says)| {
            let body = CAPS.replacen(from, to, 1);
            assert_ne!(body, CAPS, "{name}: `{from}` not in the schema");
            (
                name.to_string(),
                format!("{HEAD}{body}"),
                at.to_string(),
                says.to_string(),
            )
        })
        .collect();
    assert_all_located(&all);
    // The schema itself, and one naming its header's members, are accepted.
    let named = CAPS
        .replace("\"next\", type", "\"nxt\", type")
        .replace(caps_line, r#"caps = { offset = "cap_offset", flag = "INFO_FLAG_CAPS", header = "hdr", next = "nxt", align = 4 }"#);
    for text in [CAPS.to_string(), named] {
        uapigen::load_source(Source::new("ok.toml", format!("{HEAD}{text}")), "ok.toml")
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

/// A feature ioctl as golden/schema/payload.toml writes it; each case below breaks one thing.
const PAYLOAD: &str = r#"
[[revision]]
id = "r2"

[[struct]]
name = "feat"
convention = "argsz"
min_size = { offsetofend = "flags" }
payload = { member = "data", field = "flags", mask = "F_MASK", get = "F_GET", set = "F_SET", probe = "F_PROBE" }
payloads = [
  { equals = "F_TOKEN", size = 16, supported_ops = ["F_SET"] },
  { equals = "F_STATE", struct = "state", supported_ops = ["F_GET", "F_SET"] },
  { equals = "F_SIZE", struct = "later", supported_ops = ["F_GET"], since = "r2" },
]
fields = [
  { name = "argsz", type = "__u32" },
  { name = "flags", type = "__u32" },
  { name = "pad", type = "__u8", len = 4 },
  { name = "data", type = "__u8", flexible = true },
]

[[define]]
name = "F_MASK"
value = 0xffff

[[define]]
name = "F_GET"
bit = 16

[[define]]
name = "F_SET"
bit = 17

[[define]]
name = "F_PROBE"
bit = 18

[[define]]
name = "F_LOW"
bit = 3

[[define]]
name = "F_HIGH"
expr = "0x100000000ULL"

[[define]]
name = "F_TOKEN"
value = 0

[[define]]
name = "F_STATE"
value = 1

[[define]]
name = "F_SIZE"
value = 2

[[define]]
name = "F_OUTSIDE"
value = 0x10000

[[struct]]
name = "state"
fields = [{ name = "state", type = "__u32" }, { name = "fd", type = "__s32" }]

[[struct]]
name = "later"
since = "r2"
fields = [{ name = "length", type = "__aligned_u64" }]
"#;

/// Every mistake in a `payload` or `payloads` key is refused at the key, with what is wrong.
#[test]
fn feature_payload_mistakes_are_located() {
    let head = r#"payload = { member = "data", field = "flags", mask = "F_MASK", get = "F_GET", set = "F_SET", probe = "F_PROBE" }"#;
    let head_value = &head["payload = ".len()..];
    let token = r#"{ equals = "F_TOKEN", size = 16, supported_ops = ["F_SET"] }"#;
    // (name, text replaced, replacement, where the error points, what it says)
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        ("payload without payloads", "payloads = [\n  { equals = \"F_TOKEN\", size = 16, supported_ops = [\"F_SET\"] },\n  { equals = \"F_STATE\", struct = \"state\", supported_ops = [\"F_GET\", \"F_SET\"] },\n  { equals = \"F_SIZE\", struct = \"later\", supported_ops = [\"F_GET\"], since = \"r2\" },\n]\n", "", head_value, "has `payload` but no `payloads`"),
        ("misspelt payloads", "payloads = [", "payloadz = [", "payloadz", "unknown field `payloadz`"),
        ("payloads without payload", head, "", "[\n  { equals", "has `payloads` but no `payload`"),
        ("payload without a convention", "convention = \"argsz\"\nmin_size = { offsetofend = \"flags\" }\n", "", head_value, "struct `feat` has validation settings but no `convention`"),
        ("payload on a size struct", "convention = \"argsz\"", "convention = \"size\"", head_value, "has a payload but not `convention = \"argsz\"`"),
        ("unknown member", "member = \"data\"", "member = \"dat\"", "\"dat\"", "struct `feat` has no member `dat` (payload.member)"),
        ("member not flexible", "member = \"data\"", "member = \"pad\"", "\"pad\", field", "`feat.pad` (payload.member) is not a flexible array member"),
        ("unknown field", "field = \"flags\"", "field = \"flagz\"", "\"flagz\"", "struct `feat` has no field `flagz`"),
        ("field an array", "field = \"flags\"", "field = \"pad\"", "\"pad\", mask", "`feat.pad` (payload.field) must be an integer member"),
        ("field big-endian", "{ name = \"flags\", type = \"__u32\" }", "{ name = \"flags\", type = \"__be32\" }", "\"flags\", mask", "`feat.flags` (payload.field) must be an integer member the validators read"),
        ("unknown mask", "mask = \"F_MASK\"", "mask = \"F_MASQ\"", "\"F_MASQ\"", "unknown constant `F_MASQ`"),
        ("zero bit", "probe = \"F_PROBE\"", "probe = \"F_TOKEN\"", "\"F_TOKEN\" }", "payload.probe `F_TOKEN` is 0x0: it must be non-zero bits of `feat.flags`"),
        ("bit wider than the field", "set = \"F_SET\"", "set = \"F_HIGH\"", "\"F_HIGH\"", "payload.set `F_HIGH` is 0x100000000"),
        ("operation inside the mask", "get = \"F_GET\"", "get = \"F_LOW\"", "\"F_LOW\"", "payload.get `F_LOW` shares bits with payload.mask"),
        ("two operations one bit", "set = \"F_SET\"", "set = \"F_GET\"", "\"F_GET\", probe", "payload.set `F_GET` shares bits with payload.get"),
        ("unknown errno", "probe = \"F_PROBE\" }", "probe = \"F_PROBE\", unknown = \"ENOENT\" }", "\"ENOENT\"", "payload.unknown `ENOENT` is not an errno for an unknown payload"),
        ("unknown payload key", head, r#"payload = { member = "data", field = "flags", mask = "F_MASK", get = "F_GET", set = "F_SET", probe = "F_PROBE", select = 1 }"#, "select", "unknown field `select`"),
        ("selector outside the mask", "equals = \"F_TOKEN\"", "equals = \"F_OUTSIDE\"", "\"F_OUTSIDE\"", "has bits outside payload.mask `F_MASK`"),
        ("unknown selector", "equals = \"F_TOKEN\"", "equals = \"F_TOKN\"", "\"F_TOKN\"", "unknown constant `F_TOKN`"),
        ("struct and size", "size = 16, supported_ops", "size = 16, struct = \"state\", supported_ops", token.split(',').next().unwrap(), "exactly one of `struct` and `size`"),
        ("neither struct nor size", "size = 16, supported_ops", "supported_ops", "{ equals = \"F_TOKEN\", supported_ops", "exactly one of `struct` and `size`"),
        ("unknown struct", "struct = \"state\"", "struct = \"stat\"", "\"stat\"", "unknown struct `stat` (payloads.struct)"),
        ("its own payload", "struct = \"state\"", "struct = \"feat\"", "\"feat\", supported_ops", "struct `feat` cannot be its own payload"),
        ("size too large", "size = 16", "size = 2000000", "2000000", "a payload's size is 0 to 1048576 bytes"),
        ("negative size", "size = 16", "size = -1", "-1", "a payload's size is 0 to 1048576 bytes"),
        ("no operation", "supported_ops = [\"F_SET\"] }", "supported_ops = [] }", "[] }", "at least one operation"),
        ("operation not get or set", "supported_ops = [\"F_SET\"] }", "supported_ops = [\"F_PROBE\"] }", "\"F_PROBE\"] }", "`F_PROBE` is not an operation of the payload: use payload.get `F_GET` or payload.set `F_SET`"),
        ("operation twice", "supported_ops = [\"F_GET\", \"F_SET\"]", "supported_ops = [\"F_GET\", \"F_GET\"]", "\"F_GET\"]", "operation `F_GET` is listed twice"),
        ("selector twice", "equals = \"F_STATE\"", "equals = \"F_TOKEN\"", "\"F_TOKEN\", struct", "`F_TOKEN` already selects a payload in revision r1 (line"),
        ("payload before its struct", ", since = \"r2\" }", " }", "{ equals = \"F_SIZE\"", "payload `F_SIZE` is in revision r1, before struct `later` exists"),
        ("unknown since", "since = \"r2\" }", "since = \"r3\" }", "\"r3\"", "`since` names revision `r3`, which the family does not list"),
        ("until before since", "since = \"r2\" }", "since = \"r2\", until = \"r1\" }", "\"r1\" }", "`until` names `r1`, which does not come after the payload's `since`"),
    ];
    let all: Vec<(String, String, String, String)> = cases
        .iter()
        .map(|(name, from, to, at, says)| {
            let body = PAYLOAD.replacen(from, to, 1);
            assert_ne!(body, PAYLOAD, "{name}: `{from}` not in the schema");
            (
                name.to_string(),
                format!("{HEAD}{body}"),
                at.to_string(),
                says.to_string(),
            )
        })
        .collect();
    assert_all_located(&all);
    // The schema itself is accepted.
    uapigen::load_source(
        Source::new("ok.toml", format!("{HEAD}{PAYLOAD}")),
        "ok.toml",
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

/// `c_only = true` (the kernel's linux/keyctl.h, virtio_net.h): C++ keywords may be names of a
/// header that is C only, and the header writes them; C keywords stay refused.
#[test]
fn a_c_only_family_may_name_cpp_keywords() {
    let text = format!(
        "{}\n[[struct]]\nname = \"s\"\nfields = [{{ name = \"class\", type = \"__u32\" }}, {{ name = \"private\", type = \"__u32\" }}]\n",
        head_with("c_only", "true")
    );
    let c = uapigen::load_source(Source::new("bad.toml", text), "bad.toml")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(c.family.c_only);
    let header =
        uapigen::emit::c_header::emit(&c.family, &uapigen::emit::Templates::new(None).unwrap())
            .unwrap();
    assert!(header.contains("\t__u32 class;\n"), "{header}");
    let text = format!(
        "{}\n[[struct]]\nname = \"s\"\nfields = [{{ name = \"int\", type = \"__u32\" }}]\n",
        head_with("c_only", "true")
    );
    assert_eq!(
        located(
            "c_only int",
            &text,
            "\"int\"",
            "field name `int` is a C keyword"
        ),
        None
    );
}
