//! The C walker of a family's capability chains, in its validator header: the Rust walker
//! (`rust_caps.rs`) step for step, so that both refuse a chain for one reason, with one
//! errno, at one offset (`tests/tests/caps.rs` runs both on the same buffers). Sizes and
//! offsets are the header's own `sizeof` and `offsetof`.

use crate::emit::c_comment;
use crate::model::caps::Chain;
use crate::model::Model;

/// The walker's text, or nothing when the family has no chain.
pub fn emit(model: &Model) -> String {
    if model.caps.is_empty() {
        return String::new();
    }
    let family = &model.family;
    let f = &family.name;
    let mut out = format!(
        r#"/*
 * Capability chains (VFIO's cap_offset). An info ioctl returns its struct and,
 * when the struct's caps flag is set, a chain of capabilities: the struct's first
 * offset points at the first, each header's next at the following one, 0 ends
 * it, every offset from the start of the buffer (vfio_info_cap_add() and
 * vfio_info_cap_shift(), drivers/vfio/vfio_main.c).
 *
 * uapigen_<info>_cap_next() walks one: start with a zeroed struct
 * uapigen_{f}_cap_walk and call it until it returns 0 (the end) or an error.
 * Return: 1 with the capability in *w (id, version, offset, len: its bytes up
 * to the next one or the buffer's end), 0 at the end, or
 *   -EINVAL    the buffer is shorter than the info struct (w->offset: its
 *              length), or a capability starts inside the info struct or the
 *              capability before it, or at an offset not a multiple of the
 *              chain's alignment (w->offset: that offset);
 *   -ENOSPC    the kernel set the caps flag, left the first offset 0 and asks
 *              for more than the buffer holds (w->offset: its argsz);
 *   -ELOOP     a next offset points back to its capability or before it;
 *   -EOVERFLOW a capability's header, or its known struct, runs past the buffer.
 * Every offset is checked before it is read; a walk ends after at most
 * len / sizeof(header) steps.
 */
struct uapigen_{f}_cap_walk {{
	__u16 id;	/* the capability's id */
	__u16 version;	/* its version */
	__u32 len;	/* its bytes, header included */
	__u64 offset;	/* its offset, or what an error reports */
	__u32 at;	/* the current capability's offset; 0 before the first */
	__u64 end;	/* where its header or known struct ends */
	int done;
}};

/*
 * The kernel's side, for a user-space device model answering an info ioctl:
 * struct uapigen_{f}_cap_chain keeps a chain being built (the kernel's
 * struct vfio_info_cap) in the caller's buffer: set buf and room, zero the
 * rest. uapigen_<info>_cap_add() appends a capability as vfio_info_cap_add()
 * does, uapigen_<info>_cap_finish() answers as VFIO_DEVICE_GET_REGION_INFO does.
 */
struct uapigen_{f}_cap_chain {{
	unsigned char *buf;	/* where the chain is kept */
	size_t room;		/* its bytes */
	size_t size;		/* the chain's size so far */
	size_t last;		/* the last capability's offset in buf */
	int any;		/* whether one was added */
}};

static inline void uapigen_{f}_cap_put32(unsigned char *b, __u32 v)
{{
	memcpy(b, &v, sizeof(v));
}}

static inline __u16 uapigen_{f}_cap_u16(const unsigned char *b)
{{
	__u16 v;

	memcpy(&v, b, sizeof(v));
	return v;
}}

static inline __u32 uapigen_{f}_cap_u32(const unsigned char *b)
{{
	__u32 v;

	memcpy(&v, b, sizeof(v));
	return v;
}}
"#
    );
    for chain in &model.caps {
        out.push_str(&walker(model, chain));
        out.push_str(&builder(model, chain));
    }
    out
}

fn walker(model: &Model, c: &Chain) -> String {
    let family = &model.family;
    let f = &family.name;
    let info = &family.struct_(c.info).name;
    let header = &family.struct_(c.header).name;
    let hf = |i: usize| {
        family.struct_(c.header).fields[i]
            .name
            .clone()
            .expect("a named member")
    };
    let chain_ir = family.struct_(c.info).caps.as_ref().expect("a chain");
    let field = |i: usize| {
        family.struct_(c.info).fields[i]
            .name
            .clone()
            .expect("a named member")
    };
    let (id, version, next) = (hf(chain_ir.id), hf(chain_ir.version), hf(chain_ir.next));
    let flag = c.flag.text();
    let mut needs = String::new();
    for k in &c.known {
        needs.push_str(&format!(
            "\telse if (id == {} && version == {})\n\t\tend += sizeof(struct {});\n",
            k.id.text(),
            k.version,
            family.struct_(k.cap).name
        ));
    }
    let needs = needs.replacen("\telse if", "\tif", 1);
    let known_tail = if c.known.is_empty() {
        format!("\tend += sizeof(struct {header});\n")
    } else {
        format!("{needs}\telse\n\t\tend += sizeof(struct {header});\n")
    };
    format!(
        r#"
/**
 * {next_fn}() - The next capability of struct {info}'s chain
 * @buf: the info struct, then its chain, as the ioctl returned them
 * @len: the bytes of @buf (the argsz it was called with)
 * @w: the walk, zeroed before the first call
 *
 * Capabilities start with struct {header}; the flag is {flag}, the
 * alignment {align}. The known ones must fit in @buf whole:
{known} */
static inline int {next_fn}(const void *buf, size_t len,
		struct {walk} *w)
{{
	const unsigned char *b = (const unsigned char *)buf;
	__u32 offset, next;
	__u64 floor, end;
	__u16 id, version;

	if (w->done)
		return 0;
	w->done = 1;
	if (w->at == 0) {{
		if (len < sizeof(struct {info})) {{
			w->offset = len;
			return -EINVAL;
		}}
		if (!(uapigen_{f}_cap_u32(b + offsetof(struct {info}, {flags})) & ({flag})))
			return 0;
		offset = uapigen_{f}_cap_u32(b + offsetof(struct {info}, {cap_offset}));
		if (offset == 0) {{
			/* vfio_pci_core.c: argsz too small for the chain, argsz says how much */
			__u32 argsz = uapigen_{f}_cap_u32(b + offsetof(struct {info}, argsz));

			if (argsz > len) {{
				w->offset = argsz;
				return -ENOSPC;
			}}
			return 0;
		}}
		floor = sizeof(struct {info});
	}} else {{
		offset = uapigen_{f}_cap_u32(b + w->at + offsetof(struct {header}, {next}));
		if (offset == 0)
			return 0;
		if (offset <= w->at) {{
			w->offset = offset;
			return -ELOOP;
		}}
		floor = w->end;
	}}
	w->offset = offset;
	if (offset < floor || offset % {align} != 0)
		return -EINVAL;
	if ((__u64)offset + sizeof(struct {header}) > len)
		return -EOVERFLOW;
	id = uapigen_{f}_cap_u16(b + offset + offsetof(struct {header}, {id}));
	version = uapigen_{f}_cap_u16(b + offset + offsetof(struct {header}, {version}));
	next = uapigen_{f}_cap_u32(b + offset + offsetof(struct {header}, {next}));
	end = offset;
{known_tail}	if (end > len)
		return -EOVERFLOW;
	w->len = (next > offset && next <= len ? next : (__u32)len) - offset;
	w->id = id;
	w->version = version;
	w->at = offset;
	w->end = end;
	w->done = 0;
	return 1;
}}
"#,
        known = c
            .known
            .iter()
            .map(|k| format!(
                " *   struct {} ({} version {})\n",
                family.struct_(k.cap).name,
                c_comment(&k.id.text()),
                k.version
            ))
            .collect::<String>(),
        flags = field(chain_ir.flags),
        cap_offset = field(chain_ir.offset),
        // What every revision's chain is aligned to: older kernels rounded less.
        align = c.walk_align,
        next_fn = walker_fn(info),
        walk = walk_struct(f),
    )
}

/// The C walker of info struct `info`'s chain: `uapigen_<info>_cap_next()`.
pub(crate) fn walker_fn(info: &str) -> String {
    format!("uapigen_{info}_cap_next")
}

/// The walk state the family's walkers share: `struct uapigen_<family>_cap_walk`.
pub(crate) fn walk_struct(family: &str) -> String {
    format!("uapigen_{family}_cap_walk")
}

fn builder(model: &Model, c: &Chain) -> String {
    let family = &model.family;
    let f = &family.name;
    let info = &family.struct_(c.info).name;
    let header = &family.struct_(c.header).name;
    let chain_ir = family.struct_(c.info).caps.as_ref().expect("a chain");
    let hf = |i: usize| {
        family.struct_(c.header).fields[i]
            .name
            .clone()
            .expect("a named member")
    };
    let field = |i: usize| {
        family.struct_(c.info).fields[i]
            .name
            .clone()
            .expect("a named member")
    };
    format!(
        r#"
/**
 * uapigen_{info}_cap_add() - Append a capability to struct {info}'s chain
 * @c: the chain
 * @id: the capability's id
 * @version: its version
 * @cap: its bytes, struct {header} first (id, version and next are written here)
 * @len: their length; rounded up to {align} and zero-filled, as vfio_info_cap_add()
 *       does (drivers/vfio/vfio_main.c)
 *
 * Return: the capability's offset in the chain, -EINVAL when @len is shorter
 * than the header, -ENOMEM when @c->room cannot hold it (the kernel's krealloc).
 */
static inline long uapigen_{info}_cap_add(struct uapigen_{f}_cap_chain *c,
		__u16 id, __u16 version, const void *cap, size_t len)
{{
	size_t size = (len + {align} - 1) / {align} * {align};
	size_t at = c->size;

	if (len < sizeof(struct {header}))
		return -EINVAL;
	if (c->room < at || c->room - at < size)
		return -ENOMEM;
	memcpy(c->buf + at, cap, len);
	memset(c->buf + at + len, 0, size - len);
	memcpy(c->buf + at + offsetof(struct {header}, {id}), &id, sizeof(id));
	memcpy(c->buf + at + offsetof(struct {header}, {version}), &version, sizeof(version));
	uapigen_{f}_cap_put32(c->buf + at + offsetof(struct {header}, {next}), 0);
	if (c->any)
		uapigen_{f}_cap_put32(c->buf + c->last + offsetof(struct {header}, {next}), (__u32)at);
	c->any = 1;
	c->last = at;
	c->size = at + size;
	return (long)at;
}}

/**
 * uapigen_{info}_cap_finish() - Answer with struct {info} and its chain
 * @c: the chain
 * @info: the struct to answer with, argsz the caller's; updated as written
 * @out: the caller's buffer
 * @out_len: its bytes, at least @info->argsz
 *
 * As vfio_pci_core.c's VFIO_DEVICE_GET_REGION_INFO: no capability, the struct
 * alone; a chain that fits argsz follows the struct, moved there as
 * vfio_info_cap_shift() does, {flag} set and {cap_offset} =
 * sizeof(struct {info}); one that does not leaves the bytes past the struct
 * alone, sets {flag}, {cap_offset} 0 and argsz to the size needed. At most
 * argsz bytes of the struct are written.
 *
 * Return: 0 no capability, 1 the chain fits, 2 it does not (argsz says how
 * much it needs), -EINVAL when @out_len is below argsz.
 */
static inline int uapigen_{info}_cap_finish(const struct uapigen_{f}_cap_chain *c,
		struct {info} *info, void *out, size_t out_len)
{{
	unsigned char *o = (unsigned char *)out;
	size_t argsz = info->argsz;
	size_t needed = sizeof(*info) + c->size;
	int ret = 0;

	if (out_len < argsz)
		return -EINVAL;
	if (c->size) {{
		info->{flags} |= {flag};
		if (argsz < needed) {{
			info->argsz = (__u32)needed;
			info->{cap_offset} = 0;
			ret = 2;
		}} else {{
			size_t at = 0;

			memcpy(o + sizeof(*info), c->buf, c->size);
			for (;;) {{
				unsigned char *next = o + sizeof(*info) + at + offsetof(struct {header}, {next});
				__u32 n = uapigen_{f}_cap_u32(next);

				if (n == 0)
					break;
				uapigen_{f}_cap_put32(next, (__u32)(n + sizeof(*info)));
				at = n;
			}}
			info->{cap_offset} = sizeof(*info);
			ret = 1;
		}}
	}}
	memcpy(o, info, argsz < sizeof(*info) ? argsz : sizeof(*info));
	return ret;
}}
"#,
        id = hf(chain_ir.id),
        version = hf(chain_ir.version),
        next = hf(chain_ir.next),
        flags = field(chain_ir.flags),
        cap_offset = field(chain_ir.offset),
        flag = c.flag.text(),
        align = c.align,
    )
}

/// `header` (the rendered validator header) with the walker before its closing `#endif`.
pub fn splice(model: &Model, header: String) -> String {
    let walker = emit(model);
    if walker.is_empty() {
        return header;
    }
    match header.rfind("\n#endif") {
        Some(at) => {
            let mut out = String::with_capacity(header.len() + walker.len());
            out.push_str(&header[..at]);
            out.push_str(&walker);
            out.push_str(&header[at..]);
            out
        }
        None => header + &walker,
    }
}
