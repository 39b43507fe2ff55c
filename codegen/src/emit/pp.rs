//! Oppen's pretty-printing algorithm ("Pretty Printing", Derek C. Oppen, 1980), as rustc's
//! `pp.rs` and prettyplease's `algorithm.rs` implement it, with prettyplease's margins: the
//! Rust emitter lays its output out with the same boxes and breaks prettyplease would use, so
//! the bindings read as prettyplease prints them without parsing the code back with syn.
//!
//! A `Begin`/`End` pair is a box; a `Break` inside it is a space (or nothing) when the whole
//! box fits on the line, and a newline when it does not (every break of a consistent box, or
//! only those that must, in an inconsistent one).

use std::ops::{Index, IndexMut};

/// prettyplease's line width: 89 columns before a break is forced.
pub const MARGIN: isize = 89;
/// Every line keeps at least this much room, however deep it is indented.
pub const MIN_SPACE: isize = 60;
/// A hard break's size: no box containing one fits.
pub const SIZE_INFINITY: isize = 0xffff;
/// One level of block indentation.
pub const INDENT: isize = 4;

#[derive(Clone, Copy, PartialEq)]
enum Breaks {
    Consistent,
    Inconsistent,
}

#[derive(Clone, Copy, Default)]
pub struct BreakToken {
    pub offset: isize,
    pub blank_space: usize,
    pub pre_break: Option<char>,
    pub post_break: Option<char>,
    pub no_break: Option<char>,
    pub if_nonempty: bool,
    pub never_break: bool,
}

#[derive(Clone, Copy)]
struct BeginToken {
    offset: isize,
    breaks: Breaks,
}

#[derive(Clone, Copy)]
enum Token {
    /// Text at `start..start + len` of the printer's arena.
    Text(u32, u32),
    Static(&'static str),
    Break(BreakToken),
    Begin(BeginToken),
    End,
}

#[derive(Clone, Copy)]
struct Entry {
    token: Token,
    size: isize,
}

#[derive(Clone, Copy)]
enum Frame {
    Fits,
    Broken(usize, Breaks),
}

pub struct Printer {
    out: String,
    /// Columns left on the current line.
    space: isize,
    /// Tokens scanned but not yet printed; `first` is the absolute index of `buf[0]`.
    buf: Queue<Entry>,
    /// The text of the buffered `Text` tokens (one allocation, not one per token).
    arena: String,
    first: usize,
    left_total: isize,
    right_total: isize,
    /// Absolute indices of the open `Begin`s and pending `Break`s whose size is not known yet.
    scan_stack: Queue<usize>,
    print_stack: Vec<Frame>,
    indent: usize,
    /// Indentation owed to the next printed text (so no line ends in blanks).
    pending_indentation: usize,
}

impl Printer {
    /// A printer whose lines start at column `indent`, as inside `indent / 4` blocks.
    pub fn new(capacity: usize, indent: usize) -> Self {
        Printer {
            out: String::with_capacity(capacity),
            space: (MARGIN - indent as isize).max(MIN_SPACE),
            // Room for what a statement buffers: a printer is made per item, and growing
            // these from empty was 1 % of a generation.
            buf: Queue::with_capacity(256),
            arena: String::with_capacity(1024),
            first: 0,
            left_total: 0,
            right_total: 0,
            scan_stack: Queue::with_capacity(64),
            print_stack: Vec::with_capacity(16),
            indent,
            pending_indentation: indent,
        }
    }

    pub fn eof(mut self) -> String {
        if !self.scan_stack.is_empty() {
            self.check_stack(0);
            self.advance_left();
        }
        self.out
    }

    fn push(&mut self, entry: Entry) -> usize {
        self.buf.push(entry);
        self.first + self.buf.len() - 1
    }

    fn at(&mut self, index: usize) -> &mut Entry {
        let i = index - self.first;
        &mut self.buf[i]
    }

    fn clear(&mut self) {
        self.first += self.buf.len();
        self.buf.clear();
        self.arena.clear();
    }

    fn scan_begin(&mut self, token: BeginToken) {
        if self.scan_stack.is_empty() {
            self.left_total = 1;
            self.right_total = 1;
            self.clear();
        }
        let right = self.push(Entry {
            token: Token::Begin(token),
            size: -self.right_total,
        });
        self.scan_stack.push(right);
    }

    fn scan_end(&mut self) {
        if self.scan_stack.is_empty() {
            self.print_end();
            return;
        }
        if let Some(Entry {
            token: Token::Break(b),
            ..
        }) = self.buf.last()
        {
            let b = *b;
            let n = self.buf.len();
            if n >= 2 && matches!(self.buf[n - 2].token, Token::Begin(_)) {
                // An empty box: drop it with its break.
                self.buf.pop();
                self.buf.pop();
                self.scan_stack.pop();
                self.scan_stack.pop();
                self.right_total -= b.blank_space as isize;
                return;
            }
            if b.if_nonempty {
                self.buf.pop();
                self.scan_stack.pop();
                self.right_total -= b.blank_space as isize;
            }
        }
        let right = self.push(Entry {
            token: Token::End,
            size: -1,
        });
        self.scan_stack.push(right);
    }

    fn scan_break(&mut self, token: BreakToken) {
        if self.scan_stack.is_empty() {
            self.left_total = 1;
            self.right_total = 1;
            self.clear();
        } else {
            self.check_stack(0);
        }
        let right = self.push(Entry {
            token: Token::Break(token),
            size: -self.right_total,
        });
        self.scan_stack.push(right);
        self.right_total += token.blank_space as isize;
    }

    fn scan_token(&mut self, token: Token, len: isize) {
        if self.scan_stack.is_empty() {
            let Token::Static(s) = token else {
                unreachable!("arena text is only made while scanning")
            };
            self.print_str(s);
        } else {
            self.push(Entry { token, size: len });
            self.right_total += len;
            self.check_stream();
        }
    }

    /// Moves the indentation of the last break (or does nothing after a `Begin`).
    pub fn offset(&mut self, offset: isize) {
        if let Some(Entry {
            token: Token::Break(b),
            ..
        }) = self.buf.last_mut()
        {
            b.offset += offset;
        }
    }

    fn check_stream(&mut self) {
        while self.right_total - self.left_total > self.space {
            if self.scan_stack[0] == self.first {
                self.scan_stack.pop_front();
                self.buf[0].size = SIZE_INFINITY;
            }
            self.advance_left();
            if self.buf.is_empty() {
                break;
            }
        }
    }

    fn advance_left(&mut self) {
        while self.buf[0].size >= 0 {
            let left = self.buf.pop_front().unwrap();
            self.first += 1;
            match left.token {
                Token::Text(start, len) => {
                    self.left_total += left.size;
                    self.print_indent();
                    let (start, len) = (start as usize, len as usize);
                    self.out.push_str(&self.arena[start..start + len]);
                    self.space -= len as isize;
                }
                Token::Static(s) => {
                    self.left_total += left.size;
                    self.print_str(s);
                }
                Token::Break(b) => {
                    self.left_total += b.blank_space as isize;
                    self.print_break(b, left.size);
                }
                Token::Begin(b) => self.print_begin(b, left.size),
                Token::End => self.print_end(),
            }
            if self.buf.is_empty() {
                self.arena.clear();
                break;
            }
        }
    }

    fn check_stack(&mut self, mut depth: usize) {
        while let Some(&index) = self.scan_stack.last() {
            let right_total = self.right_total;
            let entry = self.at(index);
            match entry.token {
                Token::Begin(_) => {
                    if depth == 0 {
                        break;
                    }
                    entry.size += right_total;
                    self.scan_stack.pop();
                    depth -= 1;
                }
                Token::End => {
                    entry.size = 1;
                    self.scan_stack.pop();
                    depth += 1;
                }
                Token::Break(_) => {
                    entry.size += right_total;
                    self.scan_stack.pop();
                    if depth == 0 {
                        break;
                    }
                }
                Token::Text(..) | Token::Static(_) => {
                    unreachable!("text is never on the scan stack")
                }
            }
        }
    }

    fn print_begin(&mut self, token: BeginToken, size: isize) {
        if size > self.space {
            self.print_stack
                .push(Frame::Broken(self.indent, token.breaks));
            self.indent = (self.indent as isize + token.offset).max(0) as usize;
        } else {
            self.print_stack.push(Frame::Fits);
        }
    }

    fn print_end(&mut self) {
        if let Some(Frame::Broken(indent, _)) = self.print_stack.pop() {
            self.indent = indent;
        }
    }

    fn print_break(&mut self, token: BreakToken, size: isize) {
        let fits = token.never_break
            || match self.print_stack.last() {
                Some(Frame::Fits) => true,
                Some(Frame::Broken(_, Breaks::Consistent)) => false,
                Some(Frame::Broken(_, Breaks::Inconsistent)) | None => size <= self.space,
            };
        if fits {
            self.pending_indentation += token.blank_space;
            self.space -= token.blank_space as isize;
            if let Some(c) = token.no_break {
                self.out.push(c);
                self.space -= c.len_utf8() as isize;
            }
        } else {
            if let Some(pre) = token.pre_break {
                self.print_indent();
                self.out.push(pre);
            }
            self.out.push('\n');
            let indent = self.indent as isize + token.offset;
            self.pending_indentation = indent.max(0) as usize;
            self.space = (MARGIN - indent).max(MIN_SPACE);
            if let Some(post) = token.post_break {
                self.print_indent();
                self.out.push(post);
                self.space -= post.len_utf8() as isize;
            }
        }
    }

    fn print_str(&mut self, s: &str) {
        self.print_indent();
        self.out.push_str(s);
        self.space -= s.len() as isize;
    }

    fn print_indent(&mut self) {
        const SPACES: &str = "                                                                ";
        while self.pending_indentation > 0 {
            let n = self.pending_indentation.min(SPACES.len());
            self.out.push_str(&SPACES[..n]);
            self.pending_indentation -= n;
        }
    }

    // The vocabulary the layout is written in (prettyplease's `convenience.rs`).

    pub fn ibox(&mut self, indent: isize) {
        self.scan_begin(BeginToken {
            offset: indent,
            breaks: Breaks::Inconsistent,
        });
    }

    pub fn cbox(&mut self, indent: isize) {
        self.scan_begin(BeginToken {
            offset: indent,
            breaks: Breaks::Consistent,
        });
    }

    pub fn end(&mut self) {
        self.scan_end();
    }

    pub fn word(&mut self, s: &'static str) {
        self.scan_token(Token::Static(s), s.len() as isize);
    }

    pub fn text(&mut self, s: &str) {
        if self.scan_stack.is_empty() {
            self.print_str(s);
            return;
        }
        let start = self.arena.len() as u32;
        self.arena.push_str(s);
        self.scan_token(Token::Text(start, s.len() as u32), s.len() as isize);
    }

    pub fn brk(&mut self, token: BreakToken) {
        self.scan_break(token);
    }

    pub fn zerobreak(&mut self) {
        self.scan_break(BreakToken::default());
    }

    pub fn space(&mut self) {
        self.scan_break(BreakToken {
            blank_space: 1,
            ..BreakToken::default()
        });
    }

    pub fn nbsp(&mut self) {
        self.word(" ");
    }

    pub fn hardbreak(&mut self) {
        self.scan_break(BreakToken {
            blank_space: SIZE_INFINITY as usize,
            ..BreakToken::default()
        });
    }

    pub fn hardbreak_if_nonempty(&mut self) {
        self.scan_break(BreakToken {
            blank_space: SIZE_INFINITY as usize,
            if_nonempty: true,
            ..BreakToken::default()
        });
    }

    /// `,` and a space between items; a `,` only if the list breaks after the last.
    pub fn trailing_comma(&mut self, is_last: bool) {
        if is_last {
            self.scan_break(BreakToken {
                pre_break: Some(','),
                ..BreakToken::default()
            });
        } else {
            self.word(",");
            self.space();
        }
    }

    pub fn neverbreak(&mut self) {
        self.scan_break(BreakToken {
            never_break: true,
            ..BreakToken::default()
        });
    }
}

/// A queue that empties often (whenever everything scanned has printed): a `Vec` read from
/// `head`, without `VecDeque`'s ring arithmetic on every access (a third of the printer's
/// instructions went to it).
struct Queue<T> {
    items: Vec<T>,
    head: usize,
}

impl<T: Copy> Queue<T> {
    fn with_capacity(capacity: usize) -> Self {
        Queue {
            items: Vec::with_capacity(capacity),
            head: 0,
        }
    }

    fn len(&self) -> usize {
        self.items.len() - self.head
    }

    fn is_empty(&self) -> bool {
        self.head == self.items.len()
    }

    fn push(&mut self, item: T) {
        self.items.push(item);
    }

    fn pop(&mut self) -> Option<T> {
        if self.is_empty() {
            return None;
        }
        let item = self.items.pop();
        if self.is_empty() {
            self.clear();
        }
        item
    }

    fn pop_front(&mut self) -> Option<T> {
        let item = *self.items.get(self.head)?;
        self.head += 1;
        if self.is_empty() {
            self.clear();
        } else if self.head >= 4096 && 2 * self.head >= self.items.len() {
            // What has printed, when the queue has not emptied for long.
            self.items.drain(..self.head);
            self.head = 0;
        }
        Some(item)
    }

    fn last(&self) -> Option<&T> {
        self.items[self.head..].last()
    }

    fn last_mut(&mut self) -> Option<&mut T> {
        self.items[self.head..].last_mut()
    }

    fn clear(&mut self) {
        self.items.clear();
        self.head = 0;
    }
}

impl<T> Index<usize> for Queue<T> {
    type Output = T;

    fn index(&self, i: usize) -> &T {
        &self.items[self.head + i]
    }
}

impl<T> IndexMut<usize> for Queue<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.items[self.head + i]
    }
}
