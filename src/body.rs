//! Bodies read chunk by chunk up to a limit: a callback's request body and the client's answers. A body
//! over its limit is refused at the first chunk that passes it, before that chunk is copied, so an endless
//! or huge body is never buffered whole.

use crate::error::{Error, Result};

/// A body being received, at most `max` bytes.
///
/// ```
/// use cekmutasi::body::BodyLimit;
/// use cekmutasi::callback::too_large;
/// let mut body = BodyLimit::new(4, too_large);
/// body.push(b"abc").unwrap();
/// assert_eq!(body.push(b"de").unwrap_err().code().as_str(), "body_too_large");
/// ```
#[derive(Debug)]
pub struct BodyLimit {
    max: usize,
    buf: Vec<u8>,
    /// The error of a body past `max`, made from `max` (each kind of body names its own limit).
    over: fn(usize) -> Error,
}

impl BodyLimit {
    /// An empty body that may grow to `max` bytes; `over(max)` is the error past it.
    pub fn new(max: usize, over: fn(usize) -> Error) -> Self {
        BodyLimit { max, buf: Vec::new(), over }
    }

    /// Room for the next chunk of `len` bytes at the end of the body, for the caller to fill (the boundary
    /// copies a JS array straight into it); the limit's error when the body would pass it, and what was
    /// kept so far is dropped.
    pub fn room(&mut self, len: usize) -> Result<&mut [u8]> {
        if len > self.max - self.buf.len() {
            self.buf = Vec::new();
            return Err((self.over)(self.max));
        }
        let start = self.buf.len();
        // Grow by doubling as usual, but never past the limit: a body at the limit holds no more than it.
        if start + len > self.buf.capacity() {
            let want = (start + len).max(self.buf.capacity() * 2).min(self.max);
            self.buf.reserve_exact(want - start);
        }
        self.buf.resize(start + len, 0);
        Ok(&mut self.buf[start..])
    }

    /// Appends a chunk (see [`BodyLimit::room`]).
    pub fn push(&mut self, chunk: &[u8]) -> Result<()> {
        self.room(chunk.len())?.copy_from_slice(chunk);
        Ok(())
    }

    /// The body so far, leaving this one empty.
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }

    /// The body received.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}
