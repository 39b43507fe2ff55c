//! Macros whose body declares a member (`#define RDMA_UAPI_PTR(_type, _name) __aligned_u64
//! _name`, sound/emu10k1.h's `__EMU10K1_DECLARE_BITMAP(name, bits)`): the shape of such a body,
//! and a call's expansion, which the member it declares must be token for token.

/// The tokens of C text: identifiers and numbers whole, every other character alone,
/// whitespace dropped. Two texts with these tokens are one declaration to the compiler, but
/// for operators split across spaces, which no declaration the schema writes has.
pub fn tokens(text: &str) -> Vec<&str> {
    pieces(text)
        .filter(|p| !p.starts_with(char::is_whitespace))
        .collect()
}

/// `text` cut into identifiers and numbers whole and every other character alone, whitespace
/// included: joined, they are `text`.
fn pieces(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let c = rest.chars().next()?;
        let len = if c.is_ascii_alphanumeric() || c == '_' {
            rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len())
        } else {
            c.len_utf8()
        };
        let (piece, tail) = rest.split_at(len);
        rest = tail;
        Some(piece)
    })
}

/// Why `body` declares no member as the schema writes one, or None when it does: type words
/// (identifiers and `*`, a word last), then one of `params` as the name, then at most one
/// `[...]`.
pub fn shape(params: &[String], body: &str) -> Option<String> {
    let t = tokens(body);
    if t.iter().any(|x| matches!(*x, "#" | ";" | "{" | "}")) {
        return Some("a declaration's body has no `#`, `;`, `{` or `}`".to_string());
    }
    // The name: the parameter before a trailing `[...]`, or the last token.
    let end = match t.last() {
        Some(&"]") => t.iter().position(|x| *x == "[")?,
        _ => t.len(),
    };
    if t[end..].iter().filter(|x| **x == "[").count() > 1 {
        return Some("it declares at most one array dimension".to_string());
    }
    let Some(name) = end.checked_sub(1).map(|i| t[i]) else {
        return Some("it is empty".to_string());
    };
    if !params.iter().any(|p| p == name) {
        return Some(format!(
            "`{name}`, where the declared name goes, is no parameter"
        ));
    }
    let ty = &t[..end - 1];
    // An operator is no type word: `sizeof x` is an expression.
    let word = |x: &&str| {
        x.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && !matches!(
                *x,
                "sizeof" | "_Alignof" | "__alignof__" | "alignof" | "defined"
            )
    };
    if ty.is_empty() || !ty.iter().all(|x| *x == "*" || word(x)) {
        return Some("the words before the name are no type (identifiers and `*`)".to_string());
    }
    // A word right before the name, which no expression has (`a * b` is one): the type is
    // told from an expression by it, so no pointer is declared this way.
    if !ty.last().is_some_and(word) {
        return Some("a word of its type stands right before the name (no `*` there)".to_string());
    }
    None
}

/// Why `arg` cannot be one argument of a call as written, or None: its parentheses and
/// brackets balance and no comma stands outside them.
pub fn arg_problem(arg: &str) -> Option<&'static str> {
    let mut depth = 0i32;
    for t in tokens(arg) {
        match t {
            "(" | "[" => depth += 1,
            ")" | "]" => depth -= 1,
            "," if depth == 0 => return Some("a comma outside parentheses splits it in two"),
            _ => {}
        }
        if depth < 0 {
            return Some("a closing parenthesis without its opening one");
        }
    }
    if depth != 0 {
        return Some("its parentheses do not balance");
    }
    if tokens(arg).is_empty() {
        return Some("it is empty");
    }
    None
}

/// The body with each parameter replaced by its argument, the rest as the body writes it.
pub fn expand(params: &[String], body: &str, args: &[String]) -> String {
    pieces(body)
        .map(|t| match params.iter().position(|p| p == t) {
            Some(i) => args.get(i).map_or(t, String::as_str),
            None => t,
        })
        .collect()
}

/// A declaration `shape` accepts, as (type, name, the array's length as written): `unsigned
/// long map[(0x200) / 8]` is ("unsigned long", "map", Some("(0x200) / 8")); `[]` gives
/// Some("").
pub fn parts(decl: &str) -> Option<(String, String, Option<String>)> {
    let decl = decl.trim();
    let (head, array) = match decl.strip_suffix(']') {
        Some(d) => {
            let open = d.find('[')?;
            (&d[..open], Some(d[open + 1..].trim().to_string()))
        }
        None => (decl, None),
    };
    let t = tokens(head);
    let (name, ty) = t.split_last()?;
    Some((ty.join(" "), name.to_string(), array))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn declaring_bodies_are_told_from_others() {
        let ps = p(&["_type", "_name"]);
        assert_eq!(shape(&ps, "__aligned_u64 _name"), None);
        assert_eq!(
            shape(
                &p(&["name", "bits"]),
                "unsigned long name[(bits) / (sizeof(unsigned long) * 8)]"
            ),
            None
        );
        assert!(shape(&ps, "_type * _name").is_some());
        assert!(shape(&p(&["a", "b"]), "a * b").is_some());
        assert!(shape(&p(&["x"]), "sizeof x").is_some());
        assert!(shape(&ps, "__aligned_u64 x").is_some());
        assert!(shape(&ps, "_name").is_some());
        assert!(shape(&ps, "__u64 _name; __u64 y").is_some());
        assert!(shape(&ps, "((_name) + 1)").is_some());
        assert!(shape(&ps, "__u8 _name[2][3]").is_some());
        assert!(shape(&ps, "").is_some());
    }

    #[test]
    fn a_call_expands_token_for_token() {
        let ps = p(&["name", "bits"]);
        let body = "unsigned long name[(bits) / (sizeof(unsigned long) * 8)]";
        let got = expand(&ps, body, &p(&["gpr_valid", "0x200"]));
        assert_eq!(
            tokens(&got),
            tokens("unsigned long gpr_valid[(0x200)/(sizeof(unsigned long)*8)]")
        );
        assert_eq!(
            parts(&got),
            Some((
                "unsigned long".to_string(),
                "gpr_valid".to_string(),
                Some("(0x200) / (sizeof(unsigned long) * 8)".to_string())
            ))
        );
        assert_eq!(arg_problem("void *"), None);
        assert_eq!(arg_problem("f(a, b)"), None);
        assert!(arg_problem("a, b").is_some());
        assert!(arg_problem("(a").is_some());
        assert!(arg_problem(" ").is_some());
    }
}
