//! Path-aware reading of JSON documents.
//!
//! serde's derived readers report "invalid type at line 1 column 80"; our users need
//! `content.data[1].amount`. The readers in this crate walk the document with hand-written visitors
//! that keep the current path in a [`Ctx`], read each leaf from its literal text (so amounts never pass
//! through a float), and leave a precise [`Error`] behind when they stop.

use crate::error::{Error, ErrorCode};
use serde::de;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt::Write;

/// One step of a path: a member name or an array index.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) enum Seg {
    #[default]
    Root,
    Key(&'static str),
    Index(usize),
}

const MAX_DEPTH: usize = 5;

/// Reading state: where we are, the first precise error met, and what the walk learnt on the way.
#[derive(Debug, Default)]
pub(crate) struct Ctx {
    // The documents we read nest three levels (`content.data[i]`): a fixed array, no allocation per read.
    segs: [Seg; MAX_DEPTH],
    depth: usize,
    err: Option<Error>,
    /// The normalised document differs from the input (unknown members, nulls, amounts not written as
    /// two-decimal strings): a plain `JSON.parse` of the input would not give the validated value.
    pub(crate) altered: bool,
    /// Mutations read.
    pub(crate) rows: usize,
    /// The code of a bad member: `invalid_payload` in a callback, `invalid_params` in a caller's arguments.
    code: Option<ErrorCode>,
    /// What the reader that started last expects ("an object", …): the message when serde itself finds
    /// the wrong kind of value there.
    pub(crate) expected: &'static str,
}

impl Ctx {
    pub(crate) fn not_canonical(&mut self) {
        self.altered = true;
    }

    pub(crate) fn push(&mut self, seg: Seg) {
        assert!(self.depth < MAX_DEPTH, "path deeper than the readers nest");
        self.segs[self.depth] = seg;
        self.depth += 1;
    }

    pub(crate) fn pop(&mut self) {
        self.depth -= 1;
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
    pub(crate) fn invalid<E: de::Error>(&mut self, last: Option<&str>, message: &str) -> E {
        self.fail(self.code(), last, message)
    }

    fn code(&self) -> ErrorCode {
        self.code.unwrap_or(ErrorCode::InvalidPayload)
    }

    /// Records a payload error at the current path (plus `last`) and returns the serde error that stops
    /// the walk. Only the first error is kept: it is the one nearest the start of the document.
    pub(crate) fn fail<E: de::Error>(&mut self, code: ErrorCode, last: Option<&str>, message: &str) -> E {
        if self.err.is_none() {
            self.err = Some(Error::new(code, message).at(self.path(last)));
        }
        E::custom("stopped")
    }
}

/// Runs a reader over `text` and turns any failure into the SDK's error: `invalid_json` when the text is
/// not JSON at all (checked before blaming the payload), else the precise payload error with its path.
pub(crate) fn read_document<'de, T>(
    text: &'de str,
    read: impl FnOnce(&mut Ctx, &mut serde_json::Deserializer<serde_json::de::StrRead<'de>>) -> serde_json::Result<T>,
) -> Result<T, Error> {
    read_document_as(text, ErrorCode::InvalidPayload, Seg::Root, read)
}

/// [`read_document`] for a caller's arguments: bad members are `code` (e.g. `invalid_params`), and paths
/// start at `root` (e.g. `invoices`).
pub(crate) fn read_document_as<'de, T>(
    text: &'de str,
    code: ErrorCode,
    root: Seg,
    read: impl FnOnce(&mut Ctx, &mut serde_json::Deserializer<serde_json::de::StrRead<'de>>) -> serde_json::Result<T>,
) -> Result<T, Error> {
    let mut ctx = Ctx { code: Some(code), ..Ctx::default() };
    ctx.push(root);
    let mut de = serde_json::Deserializer::from_str(text);
    let result = read(&mut ctx, &mut de).and_then(|v| de.end().map(|_| v));
    result.map_err(|e| classify(text, e, ctx))
}

fn classify(text: &str, e: serde_json::Error, ctx: Ctx) -> Error {
    // serde_json's own messages are not used: formatting them would pull its message tables (and
    // std::io's) into the wasm module. Line and column say enough about broken JSON.
    if let Err(syntax) = serde_json::from_str::<de::IgnoredAny>(text) {
        let message = format!("body is not valid JSON (line {}, column {})", syntax.line(), syntax.column());
        return Error::new(
            if ctx.code() == ErrorCode::InvalidPayload { ErrorCode::InvalidJson } else { ctx.code() },
            message,
        );
    }
    if let Some(err) = ctx.err {
        return err;
    }
    if e.is_data() {
        // serde met the wrong kind of value where a reader began (an array where an object belongs).
        return Error::new(ctx.code(), format!("must be {}", ctx.expected)).at(ctx.path(None));
    }
    // Valid JSON that the reader still refused on syntax grounds: only the nesting limit does that.
    Error::new(ErrorCode::InvalidJson, "JSON is nested too deeply (127 levels at most)")
}

/// Largest integer a JS number holds exactly (2^53 - 1): ids and timestamps beyond it would be corrupted
/// silently on the JS side, so they are refused.
pub(crate) const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A JSON string's value; borrowed when it has no escapes.
pub(crate) fn read_string(raw: &RawValue) -> Result<Cow<'_, str>, &'static str> {
    let text = raw.get();
    if !text.starts_with('"') {
        return Err("must be a string");
    }
    let inner = &text[1..text.len() - 1];
    if inner.contains('\\') {
        // Escapes (and lone surrogates, which are refused) are decoded by serde_json itself.
        serde_json::from_str::<String>(text).map(Cow::Owned).map_err(|_| "must be a string of valid Unicode")
    } else {
        Ok(Cow::Borrowed(inner))
    }
}

/// A non-negative integer within JS's safe range, written as a plain JSON integer.
pub(crate) fn read_safe_uint(raw: &RawValue) -> Result<u64, &'static str> {
    let text = raw.get();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(if text.starts_with('-') { "must not be negative" } else { "must be an integer" });
    }
    match text.parse::<u64>() {
        Ok(v) if v <= MAX_SAFE_INTEGER => Ok(v),
        _ => Err("is out of the safe integer range (2^53 - 1)"),
    }
}

/// An integer within JS's safe range, possibly negative.
pub(crate) fn read_safe_int(raw: &RawValue) -> Result<i64, &'static str> {
    let text = raw.get();
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("must be an integer");
    }
    match text.parse::<i64>() {
        Ok(v) if v.unsigned_abs() <= MAX_SAFE_INTEGER => Ok(v),
        _ => Err("is out of the safe integer range (2^53 - 1)"),
    }
}

/// Skips a value we do not read, within serde_json's nesting limit (serde's `IgnoredAny` would skip any
/// depth): nesting of 128 levels or more is refused wherever it is.
pub(crate) struct Skip;

impl<'de> de::DeserializeSeed<'de> for Skip {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(Skip)
    }
}

impl<'de> de::Visitor<'de> for Skip {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    // Nested values go through `Skip` again, so every level passes serde_json's depth check.
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key_seed(Skip)?.is_some() {
            map.next_value_seed(Skip)?;
        }
        Ok(())
    }
}

pub(crate) fn is_null(raw: &RawValue) -> bool {
    raw.get() == "null"
}

/// The members of a JSON object, as (name, raw value), in order. `None` when `text` is not an object.
/// For small option objects: each caller reads the values with the leaf readers above.
pub(crate) fn members(text: &str) -> Option<Vec<(String, &RawValue)>> {
    struct Members;
    impl<'de> de::Visitor<'de> for Members {
        type Value = Vec<(String, &'de RawValue)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                out.push((key, map.next_value()?));
            }
            Ok(out)
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    de::Deserializer::deserialize_map(&mut de, Members).ok()
}

/// The members of an options object, each checked against `known`: a member not in `known` is an error
/// (a typo must not fall back to a default silently), and `null` members count as absent.
pub(crate) fn option_members<'a>(
    text: Option<&'a str>,
    root: &str,
    known: &[&str],
    code: ErrorCode,
) -> Result<Vec<(String, &'a RawValue)>, Error> {
    let Some(text) = text else { return Ok(Vec::new()) };
    let members = members(text).ok_or_else(|| Error::new(code, "must be an object").at(root))?;
    for (key, _) in &members {
        if !known.contains(&key.as_str()) {
            let message = format!("unknown option (known: {})", known.join(", "));
            return Err(Error::new(code, message).at(format!("{root}.{key}")));
        }
    }
    Ok(members.into_iter().filter(|(_, v)| !is_null(v)).collect())
}
