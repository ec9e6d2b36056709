//! Reading JSON documents: a small pull reader, and the path-aware reading state of the readers built on it.
//!
//! Our users need errors such as `content.data[1].amount`, and amounts that never pass through a float. The
//! readers in this crate walk a document with [`Reader`] (objects member by member, arrays element by
//! element, leaves as their literal text), keep the current path in a [`Ctx`], and leave a precise
//! [`Error`] behind when they stop.
//!
//! Why not serde_json's reader: its generic visitors, its error messages and the float formatting they
//! pull in were two fifths of the `.wasm` users load, for documents whose every leaf we read from its text
//! anyway. serde_json still writes JSON, and is the reference this reader is tested against (the same
//! documents accepted, the same nesting refused, the same strings decoded): the tests at the end of this
//! file, and the `json` fuzz target through [`probe`].

use crate::error::{Error, ErrorCode};
use std::borrow::Cow;
use std::fmt::Write;

/// Declares the member names a reader knows as an enum, from one list: `of` finds a name's variant (with
/// `else Other`: `Other` for any other name; without: `None`), `name` spells a variant, `NAMES` lists the
/// names in order. Readers match on the enum with no wildcard arm for known names, so a name added to a
/// list without its arm in the reader is a compile error. Option sets (no `else`) also implement
/// [`OptionNames`], for [`option_members`].
macro_rules! names {
    ($(#[$meta:meta])* $vis:vis enum $E:ident { $($(#[$vm:meta])* $V:ident = $s:literal),+ $(,)? } else $Other:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $E { $($(#[$vm])* #[doc = concat!("`", $s, "`")] $V,)+ /** Any other name. */ $Other }
        #[allow(dead_code)]
        impl $E {
            /// The known names, in order.
            pub(crate) const NAMES: &'static [&'static str] = &[$($s),+];
            /// The variant of a member name.
            pub(crate) fn of(name: &str) -> $E {
                match name { $($s => $E::$V,)+ _ => $E::$Other }
            }
            /// The member name (empty for any other).
            pub(crate) fn name(self) -> &'static str {
                match self { $($E::$V => $s,)+ $E::$Other => "" }
            }
        }
    };
    ($(#[$meta:meta])* $vis:vis enum $E:ident { $($(#[$vm:meta])* $V:ident = $s:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $E { $($(#[$vm])* #[doc = concat!("`", $s, "`")] $V),+ }
        impl $E {
            /// Every option, in order.
            pub const ALL: &'static [$E] = &[$($E::$V),+];
            /// Its JS spelling.
            pub fn name(self) -> &'static str {
                match self { $($E::$V => $s),+ }
            }
        }
        impl $crate::json::OptionNames for $E {
            fn name(self) -> &'static str {
                $E::name(self)
            }
        }
    };
}
pub(crate) use names;

/// An option set declared with [`names!`].
pub trait OptionNames: Copy + PartialEq + 'static {
    /// Its JS spelling.
    fn name(self) -> &'static str;
}

/// The deepest nesting of arrays and objects a walk enters (as serde_json's default limit).
pub(crate) const MAX_DEPTH: usize = 127;

/// A JSON value's text, checked as JSON: a string with its quotes, a number, `true`, an object… And
/// whether it is a string the reader found without escapes (then read without looking for them again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Raw<'a>(&'a str, bool);

impl<'a> Raw<'a> {
    pub(crate) fn get(self) -> &'a str {
        self.0
    }

    /// A string's inside, to be read as a number's text (`"15000"` as `15000`), for integers given as digit
    /// strings; `None` for anything but a string. An escape inside is then simply not a number.
    pub(crate) fn quoted_number(self) -> Option<Raw<'a>> {
        self.0.strip_prefix('"')?.strip_suffix('"').map(|inner| Raw(inner, false))
    }
}

/// The walk stopped: at a syntax error (found again, with its place, by [`read_document`]), at a bad
/// value (recorded in the [`Ctx`]), or past the nesting limit (recorded in the [`Reader`]).
#[derive(Debug)]
pub(crate) struct Stop;

/// Where a value starts, and how deep: see [`Reader::mark`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    pos: usize,
    depth: usize,
}

/// A pull reader over one JSON text. Containers are walked with [`Reader::members`] and
/// [`Reader::elements`]; any value can be taken whole with [`Reader::raw`] or passed over with
/// [`Reader::skip`]. No recursion: any depth of input is read in constant stack.
pub(crate) struct Reader<'a> {
    text: &'a str,
    pos: usize,
    /// Containers entered by `members` / `elements` around the current value.
    depth: usize,
    /// The walk stopped at the nesting limit.
    too_deep: bool,
    /// The walk stopped at a member name that is not Unicode (a lone surrogate escape).
    bad_name: bool,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Reader { text, pos: 0, depth: 0, too_deep: false, bad_name: false }
    }

    /// Where a value read from this text ([`Raw`]) starts and ends in it, in bytes.
    pub(crate) fn span(&self, raw: Raw<'a>) -> (usize, usize) {
        let start = raw.get().as_ptr() as usize - self.text.as_ptr() as usize;
        (start, start + raw.get().len())
    }

    fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Skips whitespace; the next byte.
    fn ws(&mut self) -> Option<u8> {
        while let Some(c) = self.byte() {
            if !matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(c);
            }
            self.pos += 1;
        }
        None
    }

    /// The first byte of the next value (`{`, `[`, `"`, a digit…): what kind of value it is.
    pub(crate) fn peek(&mut self) -> Result<u8, Stop> {
        self.ws().ok_or(Stop)
    }

    /// Where the next value starts.
    fn position(&mut self) -> usize {
        self.ws();
        self.pos
    }

    /// The place of the next value, to read it later with [`Reader::revisit`].
    pub(crate) fn mark(&mut self) -> Mark {
        Mark { pos: self.position(), depth: self.depth }
    }

    /// Only whitespace is left.
    pub(crate) fn end(&mut self) -> Result<(), Stop> {
        match self.ws() {
            None => Ok(()),
            Some(_) => Err(Stop),
        }
    }

    fn eat(&mut self, c: u8) -> Result<(), Stop> {
        if self.ws() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(Stop)
        }
    }

    fn enter(&mut self, extra: usize) -> Result<(), Stop> {
        if self.depth + extra >= MAX_DEPTH {
            self.too_deep = true;
            return Err(Stop);
        }
        Ok(())
    }

    /// Walks the object that comes next (the caller has seen `{`), calling `each` with every member's name;
    /// `each` must read the member's value.
    pub(crate) fn members(
        &mut self,
        mut each: impl FnMut(&mut Self, Cow<'a, str>) -> Result<(), Stop>,
    ) -> Result<(), Stop> {
        self.container(b'{', |r, _| {
            let name = r.name()?;
            each(r, name)
        })
    }

    /// Walks the array that comes next (the caller has seen `[`), calling `each` with every element's
    /// index; `each` must read the element.
    pub(crate) fn elements(&mut self, each: impl FnMut(&mut Self, usize) -> Result<(), Stop>) -> Result<(), Stop> {
        self.container(b'[', each)
    }

    /// An object or array opened by `open`, one `item` at a time, within the nesting limit.
    fn container(&mut self, open: u8, mut item: impl FnMut(&mut Self, usize) -> Result<(), Stop>) -> Result<(), Stop> {
        let close = open + 2; // `{` → `}`, `[` → `]`
        self.enter(0)?;
        self.eat(open)?;
        self.depth += 1;
        if self.ws() != Some(close) {
            let mut i = 0;
            loop {
                item(self, i)?;
                i += 1;
                match self.ws() {
                    Some(b',') => self.pos += 1,
                    Some(c) if c == close => break,
                    _ => return Err(Stop),
                }
            }
        }
        self.pos += 1;
        self.depth -= 1;
        Ok(())
    }

    /// A member name, decoded, and its colon.
    fn name(&mut self) -> Result<Cow<'a, str>, Stop> {
        let (inner, escaped) = self.key()?;
        if !escaped {
            return Ok(Cow::Borrowed(inner));
        }
        unescape(inner).map(Cow::Owned).ok_or_else(|| {
            self.bad_name = true;
            Stop
        })
    }

    /// The next value whole, checked as JSON (at any depth: nothing in it is walked).
    pub(crate) fn raw(&mut self) -> Result<Raw<'a>, Stop> {
        let start = self.position();
        // A string or a number (almost every value a reader takes whole) without the walk of containers.
        let plain = match self.byte() {
            Some(b'"') => !self.string()?,
            Some(b'-' | b'0'..=b'9') => {
                self.number()?;
                false
            }
            _ => {
                self.value(false)?;
                false
            }
        };
        Ok(Raw(&self.text[start..self.pos], plain))
    }

    /// Passes over the next value, checked as JSON and within the nesting limit.
    pub(crate) fn skip(&mut self) -> Result<(), Stop> {
        self.value(true)
    }

    /// Goes back to `at` (marked earlier), to read the value there again.
    pub(crate) fn rewind(&mut self, at: Mark) {
        self.pos = at.pos;
        self.depth = at.depth;
    }

    /// The next value's text, checked as JSON and within the nesting limit.
    pub(crate) fn raw_checked(&mut self) -> Result<Raw<'a>, Stop> {
        let start = self.position();
        self.value(true)?;
        Ok(Raw(&self.text[start..self.pos], false))
    }

    /// Reads the value at `at` (marked earlier) with `read`, at the depth it has there, then comes back here.
    pub(crate) fn revisit<T>(&mut self, at: Mark, read: impl FnOnce(&mut Self) -> Result<T, Stop>) -> Result<T, Stop> {
        let (pos, outer) = (self.pos, self.depth);
        self.pos = at.pos;
        self.depth = at.depth;
        let v = read(self)?;
        self.pos = pos;
        self.depth = outer;
        Ok(v)
    }

    /// One value; `limited`: its nesting counts towards [`MAX_DEPTH`]. Containers are tracked on a stack
    /// of closing brackets, not by recursion.
    fn value(&mut self, limited: bool) -> Result<(), Stop> {
        let mut open = Open::default();
        loop {
            match self.peek()? {
                c @ (b'{' | b'[') => {
                    if limited {
                        self.enter(open.len)?;
                    }
                    self.pos += 1;
                    let close = c + 2; // `{` → `}`, `[` → `]`
                    if self.ws() == Some(close) {
                        self.pos += 1;
                    } else {
                        open.push(close);
                        if close == b'}' {
                            self.key()?;
                        }
                        continue;
                    }
                }
                b'"' => {
                    self.string()?;
                }
                b'-' | b'0'..=b'9' => self.number()?,
                b't' => self.word("true")?,
                b'f' => self.word("false")?,
                b'n' => self.word("null")?,
                _ => return Err(Stop),
            }
            // A value ended: close what it ends, or go on to the next member or element.
            loop {
                let Some(close) = open.last() else { return Ok(()) };
                match self.ws() {
                    Some(b',') => {
                        self.pos += 1;
                        if close == b'}' {
                            self.key()?;
                        }
                        break;
                    }
                    Some(c) if c == close => {
                        self.pos += 1;
                        open.pop();
                    }
                    _ => return Err(Stop),
                }
            }
        }
    }

    /// A member name as written (between its quotes), whether it has escapes, and its colon.
    fn key(&mut self) -> Result<(&'a str, bool), Stop> {
        if self.ws() != Some(b'"') {
            return Err(Stop);
        }
        let start = self.pos;
        let escaped = self.string()?;
        let inner = &self.text[start + 1..self.pos - 1];
        self.eat(b':')?;
        Ok((inner, escaped))
    }

    /// Passes over a string (at its opening quote); whether it has escapes. Escapes are checked for form
    /// only: a `\u` escape that is half a surrogate pair is JSON, and refused where the string is decoded.
    fn string(&mut self) -> Result<bool, Stop> {
        let b = self.text.as_bytes();
        let mut i = self.pos + 1;
        let mut escaped = false;
        loop {
            // Plain bytes (most of every string) by a table: one load and one test each.
            while b.get(i).is_some_and(|&c| PLAIN[c as usize]) {
                i += 1;
            }
            match b.get(i) {
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    match b.get(i + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                        Some(b'u') if b.len() > i + 5 && b[i + 2..i + 6].iter().all(u8::is_ascii_hexdigit) => i += 6,
                        _ => {
                            self.pos = i;
                            return Err(Stop);
                        }
                    }
                }
                Some(c) if *c >= 0x20 => i += 1,
                _ => {
                    self.pos = i; // a control character, or the end
                    return Err(Stop);
                }
            }
        }
        self.pos = i + 1;
        Ok(escaped)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<(), Stop> {
        let b = self.text.as_bytes();
        let digits = |i: &mut usize| {
            let start = *i;
            while b.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i > start
        };
        let mut i = self.pos;
        if b[i] == b'-' {
            i += 1;
        }
        let ok = match b.get(i) {
            Some(b'0') => {
                i += 1;
                true
            }
            _ => digits(&mut i),
        };
        let ok =
            ok && (b.get(i) != Some(&b'.') || {
                i += 1;
                digits(&mut i)
            }) && (!matches!(b.get(i), Some(b'e' | b'E')) || {
                i += 1;
                if matches!(b.get(i), Some(b'+' | b'-')) {
                    i += 1;
                }
                digits(&mut i)
            });
        self.pos = i;
        if ok {
            Ok(())
        } else {
            Err(Stop)
        }
    }

    fn word(&mut self, w: &str) -> Result<(), Stop> {
        if self.text[self.pos..].starts_with(w) {
            self.pos += w.len();
            Ok(())
        } else {
            Err(Stop)
        }
    }
}

/// Bytes that stand for themselves inside a JSON string: neither its closing quote, nor an escape's
/// backslash, nor a control character.
const PLAIN: [bool; 256] = {
    let mut t = [true; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = false;
        c += 1;
    }
    t[b'"' as usize] = false;
    t[b'\\' as usize] = false;
    t
};

/// The closing brackets of the containers [`Reader::value`] is inside, innermost last: a bit each for the
/// first 128 (no allocation for a value of ordinary depth: one was a fifth of the ledger's reading), a
/// byte each beyond (a value's own nesting is only limited when asked).
#[derive(Default)]
struct Open {
    /// Bit `i`: the container at depth `i` is an object.
    objects: u128,
    len: usize,
    deeper: Vec<u8>,
}

impl Open {
    fn push(&mut self, close: u8) {
        match self.len {
            n @ 0..=127 if close == b'}' => self.objects |= 1 << n,
            n @ 0..=127 => self.objects &= !(1 << n),
            _ => self.deeper.push(close),
        }
        self.len += 1;
    }

    fn last(&self) -> Option<u8> {
        match self.len {
            0 => None,
            n @ 1..=128 => Some(if self.objects >> (n - 1) & 1 == 1 { b'}' } else { b']' }),
            _ => self.deeper.last().copied(),
        }
    }

    fn pop(&mut self) {
        if self.len > 128 {
            self.deeper.pop();
        }
        self.len -= 1;
    }
}

/// The text of a JSON string's inside with its escapes decoded; `None` when a `\u` escape is half a
/// surrogate pair (not Unicode). `inner` is checked JSON (see [`Reader::string`]).
pub(crate) fn unescape(inner: &str) -> Option<String> {
    let mut out = String::with_capacity(inner.len());
    let mut rest = inner;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let b = rest.as_bytes();
        let hex = |at: usize| {
            let h = rest.get(at..at + 4).filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))?;
            u32::from_str_radix(h, 16).ok()
        };
        let mut used = 2;
        let c = match b.get(i + 1)? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = hex(i + 2)?;
                used = 6;
                if (0xD800..0xDC00).contains(&hi) {
                    // A high surrogate counts only with the low one right after it.
                    if rest.get(i + 6..i + 8) != Some("\\u") {
                        return None;
                    }
                    let lo = hex(i + 8).filter(|lo| (0xDC00..0xE000).contains(lo))?;
                    used = 12;
                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
                } else {
                    char::from_u32(hi)? // a lone low surrogate is no char
                }
            }
            _ => return None,
        };
        out.push(c);
        rest = &rest[i + used..];
    }
    out.push_str(rest);
    Some(out)
}

/// `text` (one checked JSON value) without any member named `__proto__`, at any depth. `JSON.parse` makes
/// such a member an own property, and an `Object.assign` or spread copy of the object then changes its
/// prototype: a document read for JavaScript must not carry one. Without recursion (a kept value may nest
/// deeper than the readers walk); the text is returned as it is when it cannot hold one (the usual case).
pub(crate) fn without_proto(text: &str) -> Cow<'_, str> {
    // The name spelt out, or with a `\u` escape in it: any other escape decodes to a character not in it.
    // (A plain scan: `str::contains` brings a two-way searcher of 2 KB into the module for this.)
    let b = text.as_bytes();
    if !b.windows(9).any(|w| w == b"__proto__") && !b.windows(2).any(|w| w == b"\\u") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    // Per open container: is it an object, and has an item been written (a comma is due before the next)?
    let mut open: Vec<(bool, bool)> = Vec::new();
    let mut i = 0;
    let string_end = |mut j: usize| {
        j += 1;
        while b[j] != b'"' {
            j += if b[j] == b'\\' { 2 } else { 1 };
        }
        j + 1
    };
    // The end of the value that starts at `j`.
    let value_end = |mut j: usize| match b[j] {
        b'"' => string_end(j),
        b'{' | b'[' => {
            let mut depth = 0usize;
            loop {
                match b[j] {
                    b'"' => {
                        j = string_end(j);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => depth -= 1,
                    _ => {}
                }
                j += 1;
                if depth == 0 {
                    return j;
                }
            }
        }
        _ => {
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                j += 1;
            }
            j
        }
    };
    let skip_ws = |mut j: usize| {
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        j
    };
    // Before an item: the comma it needs in its container.
    let item = |open: &mut Vec<(bool, bool)>, out: &mut String| {
        if let Some((_, written)) = open.last_mut() {
            if *written {
                out.push(',');
            }
            *written = true;
        }
    };
    while i < b.len() {
        i = skip_ws(i);
        if i >= b.len() {
            break;
        }
        match b[i] {
            b',' => i += 1,
            b'{' | b'[' => {
                item(&mut open, &mut out);
                open.push((b[i] == b'{', false));
                out.push(b[i] as char);
                i += 1;
            }
            b'}' | b']' => {
                open.pop();
                out.push(b[i] as char);
                i += 1;
            }
            _ if open.last().is_some_and(|(object, _)| *object) => {
                // A member: its name, a colon, its value (which the next turns copy, or which is passed over).
                let end = string_end(i);
                let name = &text[i..end];
                let colon = skip_ws(end);
                let value = skip_ws(colon + 1);
                if unescape(&name[1..name.len() - 1]).as_deref() == Some("__proto__") {
                    i = value_end(value);
                    continue;
                }
                item(&mut open, &mut out);
                out.push_str(name);
                out.push(':');
                // The value itself: a container is walked by the loop, anything else copied whole.
                if matches!(b[value], b'{' | b'[') {
                    open.push((b[value] == b'{', false));
                    out.push(b[value] as char);
                    i = value + 1;
                } else {
                    let end = value_end(value);
                    out.push_str(&text[value..end]);
                    i = end;
                }
            }
            _ => {
                item(&mut open, &mut out);
                let end = value_end(i);
                out.push_str(&text[i..end]);
                i = end;
            }
        }
    }
    Cow::Owned(out)
}

/// `text` is one JSON value (any depth).
pub(crate) fn is_json(text: &str) -> bool {
    syntax_error(text).is_none()
}

/// Checks that `text` is one JSON value (any depth); on failure, where: (line, column), both from 1.
fn syntax_error(text: &str) -> Option<(usize, usize)> {
    let mut r = Reader::new(text);
    if r.value(false).and_then(|_| r.end()).is_ok() {
        return None;
    }
    // At the end of the text, the place is its last character.
    let at = r.pos.min(text.len().saturating_sub(1));
    let before = &text.as_bytes()[..at];
    let line = before.iter().filter(|&&c| c == b'\n').count() + 1;
    let column = at - before.iter().rposition(|&c| c == b'\n').map_or(0, |p| p + 1) + 1;
    Some((line, column))
}

/// One step of a path: a member name or an array index.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) enum Seg {
    #[default]
    Root,
    Key(&'static str),
    Index(usize),
}

// The deepest path a reader builds: `content.data[i].amount`, or an endpoint's nested result shapes (the
// endpoint table's test holds its shapes within this).
pub(crate) const MAX_SEGS: usize = 8;

/// Reading state: where we are, and the first precise error met.
#[derive(Debug, Default)]
pub(crate) struct Ctx {
    // The documents we read nest three levels (`content.data[i]`): a fixed array, no allocation per read.
    segs: [Seg; MAX_SEGS],
    depth: usize,
    err: Option<Error>,
    /// The code of a bad member: `invalid_payload` in a callback, `invalid_params` in a caller's arguments.
    code: Option<ErrorCode>,
}

impl Ctx {
    /// A walk whose bad members are `code` and whose paths start at `root`.
    fn rooted(code: ErrorCode, root: Seg) -> Ctx {
        let mut ctx = Ctx { code: Some(code), ..Ctx::default() };
        ctx.push(root);
        ctx
    }

    pub(crate) fn push(&mut self, seg: Seg) {
        assert!(self.depth < MAX_SEGS, "path deeper than the readers nest");
        self.segs[self.depth] = seg;
        self.depth += 1;
    }

    pub(crate) fn pop(&mut self) {
        self.depth -= 1;
    }

    /// How deep the path is now, to come back to with [`Ctx::recover`].
    pub(crate) fn level(&self) -> usize {
        self.depth
    }

    /// After a walk of the value at path `level` stopped at a bad value (a bad member, or a member name
    /// that is not Unicode): its error, the path back at `level`, and the walk free to go on (a callback row
    /// is left out and the next one read). `None` when the text is not JSON or too deep: that is not
    /// recovered from.
    pub(crate) fn recover(&mut self, level: usize, r: &mut Reader<'_>) -> Option<Error> {
        let err = match self.err.take() {
            Some(err) => err,
            None if std::mem::take(&mut r.bad_name) => {
                self.depth = level;
                Error::new(self.code(), BAD_NAME).at(self.path(None))
            }
            None => return None,
        };
        self.depth = level;
        Some(err)
    }

    /// The current path, optionally extended by one member name: `content.data[1].amount`.
    pub(crate) fn path(&self, last: Option<&str>) -> String {
        fn push_key(buf: &mut String, k: &str) {
            if !buf.is_empty() {
                buf.push('.');
            }
            buf.push_str(k);
        }
        let mut buf = String::new();
        for seg in &self.segs[..self.depth] {
            match *seg {
                Seg::Root => {}
                Seg::Key(k) => push_key(&mut buf, k),
                Seg::Index(i) => {
                    let _ = write!(buf, "[{i}]");
                }
            }
        }
        if let Some(k) = last {
            push_key(&mut buf, k);
        }
        buf
    }

    /// Records a bad member at the current path (plus `last`), with the document's error code.
    #[cold]
    #[inline(never)]
    pub(crate) fn invalid(&mut self, last: Option<&str>, message: &str) -> Stop {
        self.fail(self.code(), last, message)
    }

    /// The error code of a bad member in this document.
    pub(crate) fn code(&self) -> ErrorCode {
        self.code.unwrap_or(ErrorCode::InvalidPayload)
    }

    /// Records an error at the current path (plus `last`) and stops the walk. Only the first error is
    /// kept: it is the one nearest the start of the document. Cold, and not inlined into the readers: the
    /// path and message building stays out of the code every valid document runs.
    #[cold]
    #[inline(never)]
    pub(crate) fn fail(&mut self, code: ErrorCode, last: Option<&str>, message: &str) -> Stop {
        if self.err.is_none() {
            self.err = Some(Error::new(code, message).at(self.path(last)));
        }
        Stop
    }

    /// Stops unless the next value opens with `open` (`{` or `[`): it must be `what`.
    pub(crate) fn expect(&mut self, r: &mut Reader<'_>, open: u8, what: &str) -> Result<(), Stop> {
        if r.peek()? == open {
            Ok(())
        } else {
            Err(self.must_be(what))
        }
    }

    /// Reads the array that comes next (it must be `what`), each element by `item` with `[i]` on the path.
    pub(crate) fn elements<'de>(
        &mut self,
        r: &mut Reader<'de>,
        what: &str,
        mut item: impl FnMut(&mut Ctx, &mut Reader<'de>) -> Result<(), Stop>,
    ) -> Result<(), Stop> {
        self.expect(r, b'[', what)?;
        r.elements(|r, i| {
            self.push(Seg::Index(i));
            item(self, r)?;
            self.pop();
            Ok(())
        })
    }

    #[cold]
    #[inline(never)]
    fn must_be(&mut self, what: &str) -> Stop {
        self.invalid(None, &format!("must be {what}"))
    }
}

/// Runs a reader over `text` and turns any failure into the SDK's error: `invalid_json` when the text is
/// not JSON at all (checked before blaming the payload), else the precise payload error with its path.
pub(crate) fn read_document<'de, T>(
    text: &'de str,
    read: impl FnOnce(&mut Ctx, &mut Reader<'de>) -> Result<T, Stop>,
) -> Result<T, Error> {
    read_document_as(text, ErrorCode::InvalidPayload, Seg::Root, read)
}

/// [`read_document`] for a caller's arguments: bad members are `code` (e.g. `invalid_params`), and paths
/// start at `root` (e.g. `invoices`).
pub(crate) fn read_document_as<'de, T>(
    text: &'de str,
    code: ErrorCode,
    root: Seg,
    read: impl FnOnce(&mut Ctx, &mut Reader<'de>) -> Result<T, Stop>,
) -> Result<T, Error> {
    let mut ctx = Ctx::rooted(code, root);
    let mut r = Reader::new(text);
    let result = read(&mut ctx, &mut r).and_then(|v| r.end().map(|_| v));
    result.map_err(|Stop| {
        if let Some((line, column)) = syntax_error(text) {
            let message = format!("body is not valid JSON (line {line}, column {column})");
            return Error::new(if code == ErrorCode::InvalidPayload { ErrorCode::InvalidJson } else { code }, message);
        }
        stopped(ctx, &r, code)
    })
}

/// [`read_document_as`] for the value at the reader's place in a document already known to be JSON (an
/// envelope's payload): paths start at `root`.
pub(crate) fn read_value_as<'de, T>(
    r: &mut Reader<'de>,
    code: ErrorCode,
    root: Seg,
    read: impl FnOnce(&mut Ctx, &mut Reader<'de>) -> Result<T, Stop>,
) -> Result<T, Error> {
    let mut ctx = Ctx::rooted(code, root);
    read(&mut ctx, r).map_err(|Stop| stopped(ctx, r, code))
}

const BAD_NAME: &str = "a member name is not a Unicode string (lone surrogate escape)";

/// The error a walk of JSON text stopped at: the one recorded, else a bad member name or the depth limit.
#[cold]
fn stopped(ctx: Ctx, r: &Reader<'_>, code: ErrorCode) -> Error {
    if let Some(err) = ctx.err {
        return err;
    }
    if r.bad_name {
        return Error::new(code, BAD_NAME).at(ctx.path(None));
    }
    debug_assert!(r.too_deep, "a walk stops at a syntax error, a recorded error, a bad name or the depth limit");
    Error::new(ErrorCode::InvalidJson, "JSON is nested too deeply (127 levels at most)")
}

/// Largest integer a JS number holds exactly (2^53 - 1): ids and timestamps beyond it would be corrupted
/// silently on the JS side, so they are refused.
pub(crate) const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A JSON string's value; borrowed when it has no escapes.
pub(crate) fn read_string(raw: Raw<'_>) -> Result<Cow<'_, str>, &'static str> {
    let text = raw.get();
    if !text.starts_with('"') {
        return Err("must be a string");
    }
    let inner = &text[1..text.len() - 1];
    if !raw.1 && inner.contains('\\') {
        unescape(inner).map(Cow::Owned).ok_or("must be a string of valid Unicode")
    } else {
        Ok(Cow::Borrowed(inner))
    }
}

/// A non-negative integer within JS's safe range, written as a plain JSON integer.
pub(crate) fn read_safe_uint(raw: Raw<'_>) -> Result<u64, &'static str> {
    let text = raw.get();
    digits_value(text.as_bytes()).ok_or(if text.starts_with('-') {
        "must not be negative"
    } else {
        "must be an integer"
    })?
}

/// The value of a run of ASCII digits within JS's safe range, in one pass: `None` when `digits` is empty or
/// holds anything else, `Some(Err)` past the range (any number of digits: the value stops growing there).
fn digits_value(digits: &[u8]) -> Option<Result<u64, &'static str>> {
    if digits.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        v = (v * 10 + u64::from(b - b'0')).min(MAX_SAFE_INTEGER + 1);
    }
    Some(if v <= MAX_SAFE_INTEGER { Ok(v) } else { Err("is out of the safe integer range (2^53 - 1)") })
}

/// An integer within JS's safe range, possibly negative.
pub(crate) fn read_safe_int(raw: Raw<'_>) -> Result<i64, &'static str> {
    let text = raw.get();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, text),
    };
    let v = digits_value(digits.as_bytes()).ok_or("must be an integer")?? as i64;
    Ok(if negative { -v } else { v })
}

pub(crate) fn is_null(raw: Raw<'_>) -> bool {
    raw.get() == "null"
}

/// Walks the JSON object `text` member by member, calling `each` with every member's name and value (in
/// order; a repeated name comes again). `false` when `text` is not one JSON object.
pub(crate) fn each_member<'a>(text: &'a str, mut each: impl FnMut(&str, Raw<'a>)) -> bool {
    let mut r = Reader::new(text);
    r.peek().ok() == Some(b'{')
        && r.members(|r, name| {
            each(&name, r.raw()?);
            Ok(())
        })
        .and_then(|_| r.end())
        .is_ok()
}

/// The value of the first member named `name` of the JSON object `text`; `None` when it has none, or
/// `text` is not one JSON object.
pub(crate) fn first_member<'a>(text: &'a str, name: &str) -> Option<Raw<'a>> {
    let mut found = None;
    let object = each_member(text, |k, v| {
        if k == name && found.is_none() {
            found = Some(v);
        }
    });
    found.filter(|_| object)
}

/// Walks the JSON array `text` element by element. `false` when `text` is not one JSON array.
pub(crate) fn each_element<'a>(text: &'a str, mut each: impl FnMut(Raw<'a>)) -> bool {
    let mut r = Reader::new(text);
    r.peek().ok() == Some(b'[')
        && r.elements(|r, _| {
            each(r.raw()?);
            Ok(())
        })
        .and_then(|_| r.end())
        .is_ok()
}

/// The members of an options object, each checked against `known`: a member not in `known` is an error
/// (a typo must not fall back to a default silently), and `null` members count as absent.
pub(crate) fn option_members<'a, E: OptionNames>(
    text: Option<&'a str>,
    root: &str,
    known: &[E],
    code: ErrorCode,
) -> Result<Vec<(E, Raw<'a>)>, Error> {
    let Some(text) = text else { return Ok(Vec::new()) };
    let names: Vec<&str> = known.iter().map(|o| o.name()).collect();
    Ok(known_members(text, root, &names, code)?.into_iter().map(|(i, raw)| (known[i], raw)).collect())
}

/// [`option_members`] by position in `names`: one copy of the walk for every option set (module size).
fn known_members<'a>(
    text: &'a str,
    root: &str,
    names: &[&str],
    code: ErrorCode,
) -> Result<Vec<(usize, Raw<'a>)>, Error> {
    let mut out = Vec::new();
    let mut unknown = None;
    let object = each_member(text, |key, value| match names.iter().position(|n| *n == key) {
        Some(i) if !is_null(value) => out.push((i, value)),
        Some(_) => {}
        None => {
            unknown.get_or_insert_with(|| key.to_string());
        }
    });
    if !object {
        return Err(Error::new(code, "must be an object").at(root));
    }
    if let Some(key) = unknown {
        let message = format!("unknown option (known: {})", names.join(", "));
        return Err(Error::new(code, message).at(format!("{root}.{key}")));
    }
    Ok(out)
}

/// What the reader decides, for tests and the `json` fuzz target (which hold serde_json's answers against
/// these). Not part of the SDK's API.
#[cfg(any(test, feature = "fuzzing"))]
pub mod probe {
    use super::{read_string, Reader, Stop};

    /// `text` is one JSON value (at any depth).
    pub fn is_json(text: &str) -> bool {
        super::syntax_error(text).is_none()
    }

    /// `text` is one JSON value whose every array and object a walk enters within the nesting limit,
    /// and whose every string (names too) is Unicode: what reading it into a tree takes.
    pub fn walks(text: &str) -> bool {
        fn walk(r: &mut Reader<'_>) -> Result<(), Stop> {
            match r.peek()? {
                b'{' => r.members(|r, _| walk(r)),
                b'[' => r.elements(|r, _| walk(r)),
                _ => read_string(r.raw()?)
                    .map(drop)
                    .or_else(|e| if e == "must be a string" { Ok(()) } else { Err(Stop) }),
            }
        }
        let mut r = Reader::new(text);
        walk(&mut r).and_then(|_| r.end()).is_ok()
    }

    /// The value of `text` when it is one JSON string of Unicode text.
    pub fn string(text: &str) -> Option<String> {
        let mut r = Reader::new(text);
        let raw = r.raw().ok()?;
        r.end().ok()?;
        read_string(raw).ok().map(|s| s.into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::probe::{is_json, string, walks};
    use proptest::prelude::*;

    fn serde_is_json(text: &str) -> bool {
        serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
    }

    /// serde_json reads numbers into floats when it builds a tree, and refuses those past f64's range;
    /// our reader never converts them. Documents with such numbers are left out of the comparison.
    fn serde_walks(text: &str) -> Option<bool> {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(_) => Some(true),
            Err(e) if e.to_string().starts_with("number out of range") => None,
            Err(_) => Some(false),
        }
    }

    /// The reader keeps the brackets it must close as bits for the first 128 levels and as bytes deeper:
    /// at every depth, on both sides of that line, a close must be the one its open asks for.
    #[test]
    fn containers_close_in_order_at_any_depth() {
        for (depth, kinds) in [1usize, 2, 127, 128, 129, 130, 300].into_iter().flat_map(|d| [(d, 0), (d, 1)]) {
            // Objects every third level, or everywhere else: each level is an object in one of the two.
            let object = |i: usize| (i % 3 == 0) == (kinds == 0);
            let opens: String = (0..depth).map(|i| if object(i) { "{\"k\":" } else { "[" }).collect();
            let closes: Vec<&str> = (0..depth).rev().map(|i| if object(i) { "}" } else { "]" }).collect();
            assert!(is_json(&format!("{opens}1{}", closes.concat())), "{depth} levels");
            for at in [0, depth / 2, depth - 1, depth.saturating_sub(129), depth.saturating_sub(128)] {
                let mut wrong = closes.clone();
                wrong[at] = if wrong[at] == "}" { "]" } else { "}" };
                assert!(!is_json(&format!("{opens}1{}", wrong.concat())), "{depth} levels, close {at} swapped");
            }
            assert!(!is_json(&format!("{opens}1{}", closes[1..].concat())), "{depth} levels, one left open");
        }
    }

    /// JSON-ish text: the tokens JSON is made of, right and wrong, in any order.
    fn tokens() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            " ",
            "\n",
            "\t",
            "\"a\"",
            "\"\"",
            "\"\\u00e9\\n\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud83d\\ude00\"",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\u{1}\"",
            "\"é\"",
            "\"",
            "\\",
            "0",
            "-0",
            "01",
            "1.5",
            "1.",
            ".5",
            "-",
            "1e5",
            "1E+5",
            "1e-",
            "1e400",
            "123456789012345678901234567890",
            "true",
            "false",
            "null",
            "nul",
            "tru",
            "\u{a0}",
            "\u{0}",
            "\r",
            "x",
        ]);
        prop::collection::vec(piece, 0..24).prop_map(|p| p.concat())
    }

    /// Valid JSON documents, then one byte of them changed, dropped or doubled.
    fn documents() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            (-1e6f64..1e6).prop_map(serde_json::Value::from),
            "\\PC{0,8}".prop_map(serde_json::Value::from),
        ];
        let value = leaf.prop_recursive(6, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
                prop::collection::vec(("\\PC{0,6}", inner), 0..6)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        });
        (value, any::<prop::sample::Index>(), 0u8..4, any::<u8>()).prop_map(|(v, at, how, byte)| {
            let mut b = serde_json::to_string_pretty(&v).unwrap().into_bytes();
            let i = at.index(b.len());
            match how {
                0 => {}
                1 => b[i] = byte % 0x80,
                2 => drop(b.remove(i)),
                _ => b.insert(i, b[i]),
            }
            String::from_utf8(b).unwrap_or_default()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn accepts_what_serde_json_accepts(text in prop_oneof![tokens(), documents()]) {
            prop_assert_eq!(is_json(&text), serde_is_json(&text), "{:?}", text);
            if let Some(want) = serde_walks(&text) {
                prop_assert_eq!(walks(&text), want, "{:?}", text);
            }
        }

        #[test]
        fn decodes_strings_as_serde_json(text in tokens()) {
            let text = format!("\"{}\"", text.replace('"', ""));
            prop_assert_eq!(string(&text), serde_json::from_str::<String>(&text).ok(), "{:?}", text);
        }
    }

    fn strip_proto(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.remove("__proto__");
                m.values_mut().for_each(strip_proto);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip_proto),
            _ => {}
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn without_proto_drops_that_member_and_keeps_the_rest(
            v in {
                let leaf = prop_oneof![
                    Just(serde_json::Value::Null),
                    any::<i64>().prop_map(serde_json::Value::from),
                    prop::sample::select(vec!["__proto__", "a\"}", "\\u", "é"]).prop_map(serde_json::Value::from),
                ];
                leaf.prop_recursive(5, 40, 5, |inner| {
                    prop_oneof![
                        prop::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::from),
                        prop::collection::vec((prop::sample::select(vec!["__proto__", "a", "b\n", "__proto_"]), inner), 0..5)
                            .prop_map(|m| serde_json::Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
                    ]
                })
            },
            pretty in any::<bool>(),
            escaped in any::<bool>(),
        ) {
            let mut text = if pretty { serde_json::to_string_pretty(&v).unwrap() } else { serde_json::to_string(&v).unwrap() };
            if escaped {
                text = text.replace("\"__proto__\":", "\"__pro\\u0074o__\":");
            }
            let mut want = v.clone();
            strip_proto(&mut want);
            let got = super::without_proto(&text);
            prop_assert_eq!(serde_json::from_str::<serde_json::Value>(&got).unwrap(), want, "{}", text);
        }
    }

    #[test]
    fn without_proto_examples() {
        let cases = [
            (r#"{"a":1,"__proto__":{"x":1},"b":[1,{"__proto__":2,"c":3}]}"#, r#"{"a":1,"b":[1,{"c":3}]}"#),
            (r#"{ "__pro\u0074o__" : [1, {"y": "}"}] , "k" : "__proto__" }"#, r#"{"k":"__proto__"}"#),
            (r#"[{"__proto__":null}]"#, r#"[{}]"#),
            (r#"{"a":"\u0041"}"#, r#"{"a":"\u0041"}"#),
            (r#"{"a":true}"#, r#"{"a":true}"#),
        ];
        for (text, want) in cases {
            assert_eq!(super::without_proto(text), want, "{text}");
        }
        // Any depth, without recursion.
        let deep = format!("{}{{\"__proto__\":1}}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(super::without_proto(&deep), format!("{}{{}}{}", "[".repeat(100_000), "]".repeat(100_000)));
    }

    #[test]
    fn nesting_limit_is_serde_jsons() {
        for depth in [1, 126, 127, 128, 129, 100_000] {
            let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            assert!(is_json(&text), "{depth}: any depth is JSON");
            assert_eq!(walks(&text), depth <= 127, "{depth}");
            assert_eq!(serde_walks(&text), Some(depth <= 127), "{depth}");
        }
    }
}
