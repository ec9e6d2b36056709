//! Resident open invoices, stored compactly for matchers that hold a million of them.
//!
//! Each invoice is one fixed-size [`Slot`] in chunks (no reallocation copies, so memory grows by what is
//! added, not by doubling); ids and references live in a text arena; two open-addressing tables of `u32`
//! slot numbers index them by exact amount (one entry per distinct amount, invoices of equal amount
//! chained) and by id. Measured in `benches/matching.mjs`.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;

/// "No slot": the end of a chain, an empty table entry.
const NONE: u32 = u32::MAX;
/// A table entry whose slot was removed.
const GONE: u32 = u32::MAX - 1;
const CHUNK: usize = 4096;
/// Ids and references longer than this are refused (they would not fit the arena's chunks).
pub const MAX_TEXT: usize = 1024;
const ARENA_CHUNK: usize = 1 << 16;

/// One invoice. Absent bounds are stored as `i64::MIN` / `i64::MAX`; absent strings as interned 0.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slot {
    pub cents: i64,
    pub created_at: i64,
    pub expires_at: i64,
    id: Text,
    reference: Text,
    pub service_code: u32,
    pub account_number: u32,
    next_same_amount: u32,
}

/// A string in the arena: chunk-relative offset; `len == u16::MAX` means none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Text {
    at: u32,
    len: u16,
}

const NO_TEXT: Text = Text { at: 0, len: u16::MAX };

/// Text that never moves: chunks of 64 KiB, a string never crosses a chunk.
#[derive(Debug, Default)]
struct Arena {
    chunks: Vec<String>,
    live: usize,
}

impl Arena {
    fn push(&mut self, s: &str) -> Text {
        debug_assert!(s.len() <= MAX_TEXT);
        if self.chunks.last().is_none_or(|c| c.len() + s.len() > ARENA_CHUNK) {
            self.chunks.push(String::with_capacity(ARENA_CHUNK));
        }
        let chunk = self.chunks.len() - 1;
        let c = &mut self.chunks[chunk];
        let at = (chunk * ARENA_CHUNK + c.len()) as u32;
        c.push_str(s);
        self.live += s.len();
        Text { at, len: s.len() as u16 }
    }

    fn get(&self, t: Text) -> Option<&str> {
        if t.len == u16::MAX {
            return None;
        }
        let (chunk, offset) = (t.at as usize / ARENA_CHUNK, t.at as usize % ARENA_CHUNK);
        Some(&self.chunks[chunk][offset..offset + t.len as usize])
    }

    fn release(&mut self, t: Text) {
        if t.len != u16::MAX {
            self.live -= t.len as usize;
        }
    }

    fn size(&self) -> usize {
        self.chunks.len() * ARENA_CHUNK
    }
}

/// Open addressing over `u32` slot numbers; keys are recomputed from the slots, so an entry is 4 bytes.
#[derive(Debug, Default)]
struct Table {
    entries: Vec<u32>,
    used: usize,
    gone: usize,
}

impl Table {
    fn mask(&self) -> usize {
        self.entries.len() - 1
    }

    /// The position holding a slot for which `is` holds.
    fn find(&self, hash: u64, is: impl Fn(u32) -> bool) -> Option<usize> {
        if self.entries.is_empty() {
            return None;
        }
        let mut pos = hash as usize & self.mask();
        loop {
            match self.entries[pos] {
                NONE => return None,
                GONE => {}
                slot if is(slot) => return Some(pos),
                _ => {}
            }
            pos = (pos + 1) & self.mask();
        }
    }

    /// Inserts a slot known not to be present; `hash_of` rehashes existing slots when the table grows.
    fn insert(&mut self, hash: u64, slot: u32, hash_of: impl Fn(u32) -> u64) {
        if (self.used + self.gone + 1) * 8 > self.entries.len() * 7 {
            self.resize(hash_of);
        }
        let mut pos = hash as usize & self.mask();
        while self.entries[pos] < GONE {
            pos = (pos + 1) & self.mask();
        }
        if self.entries[pos] == GONE {
            self.gone -= 1;
        }
        self.entries[pos] = slot;
        self.used += 1;
    }

    fn resize(&mut self, hash_of: impl Fn(u32) -> u64) {
        // Twice the size when mostly full of live entries; the same size when tombstones are the clutter.
        let cap = if (self.used + 1) * 2 > self.entries.len() {
            (self.entries.len() * 2).max(16)
        } else {
            self.entries.len()
        };
        self.rebuild(cap, hash_of);
    }

    /// Room for `additional` more slots without growing on the way (each growth hashes every slot again).
    fn reserve(&mut self, additional: usize, hash_of: impl Fn(u32) -> u64) {
        let needed = ((self.used + additional) * 8 / 7 + 1).next_power_of_two().max(16);
        if needed > self.entries.len() {
            self.rebuild(needed, hash_of);
        }
    }

    /// The live slots placed again in a table of `cap` entries (a power of two), without tombstones.
    fn rebuild(&mut self, cap: usize, hash_of: impl Fn(u32) -> u64) {
        let old = std::mem::replace(&mut self.entries, vec![NONE; cap]);
        self.gone = 0;
        for slot in old.into_iter().filter(|s| *s < GONE) {
            let mut pos = hash_of(slot) as usize & (cap - 1);
            while self.entries[pos] != NONE {
                pos = (pos + 1) & (cap - 1);
            }
            self.entries[pos] = slot;
        }
    }

    fn set(&mut self, pos: usize, slot: u32) {
        self.entries[pos] = slot;
    }

    fn remove(&mut self, pos: usize) {
        self.entries[pos] = GONE;
        self.used -= 1;
        self.gone += 1;
    }

    #[cfg(test)]
    fn size(&self) -> usize {
        self.entries.len() * 4
    }
}

/// The open invoices of a matcher.
#[derive(Debug)]
pub(crate) struct Invoices {
    /// Each of `CHUNK` slots' capacity, filled as invoices come (never reallocated: a chunk is allocated
    /// whole, and written only as far as it is used, so a matcher of one invoice costs no 4096-slot fill).
    chunks: Vec<Vec<Slot>>,
    count: usize,
    free: Vec<u32>,
    text: Arena,
    by_amount: Table,
    by_id: Table,
    strings: HashMap<Box<str>, u32>,
    hasher: Seeded,
    live: usize,
}

/// The tables' hash: a multiply and fold per 8 bytes from a random seed. SipHash (std's) cost more than
/// the probes themselves; keys here are the merchant's own invoice ids and amounts, and the seed keeps
/// their positions unpredictable from outside.
#[derive(Debug)]
struct Seeded(u64);

impl Seeded {
    fn new() -> Self {
        Seeded(RandomState::new().hash_one(0x5eed_u64))
    }

    fn word(&self, x: u64) -> u64 {
        mix(x ^ self.0)
    }

    fn text(&self, s: &str) -> u64 {
        let mut h = self.0 ^ s.len() as u64;
        for chunk in s.as_bytes().chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            h = mix(h ^ u64::from_le_bytes(word));
        }
        h
    }
}

/// A slot's amount hash, as the amount table rehashes its slots (the fields, not `&self`: the table is
/// borrowed mutably meanwhile).
fn amount_hash_of<'a>(chunks: &'a [Vec<Slot>], hasher: &'a Seeded) -> impl Fn(u32) -> u64 + 'a {
    move |s| hasher.word(slot_of(chunks, s).cents as u64)
}

/// A slot's id hash, as the id table rehashes its slots.
fn id_hash_of<'a>(chunks: &'a [Vec<Slot>], hasher: &'a Seeded, text: &'a Arena) -> impl Fn(u32) -> u64 + 'a {
    move |s| hasher.text(text.get(slot_of(chunks, s).id).expect("id"))
}

/// Slot `i` of these chunks.
fn slot_of(chunks: &[Vec<Slot>], i: u32) -> &Slot {
    &chunks[i as usize / CHUNK][i as usize % CHUNK]
}

/// Fibonacci hashing, with the high half folded down: the tables index by the low bits, which a multiply
/// alone leaves poor (amounts in whole rupiah are multiples of 100 cents).
fn mix(x: u64) -> u64 {
    let h = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^ (h >> 32)
}

impl Default for Invoices {
    fn default() -> Self {
        Invoices {
            chunks: Vec::new(),
            count: 0,
            free: Vec::new(),
            text: Arena::default(),
            by_amount: Table::default(),
            by_id: Table::default(),
            strings: HashMap::new(),
            hasher: Seeded::new(),
            live: 0,
        }
    }
}

/// What [`Invoices::insert`] takes.
pub(crate) struct NewInvoice<'a> {
    pub id: &'a str,
    pub cents: i64,
    pub created_at: i64,
    pub expires_at: i64,
    /// Already lower-cased.
    pub reference: Option<&'a str>,
    pub service_code: Option<&'a str>,
    pub account_number: Option<&'a str>,
}

impl Invoices {
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn slot(&self, i: u32) -> &Slot {
        slot_of(&self.chunks, i)
    }

    fn slot_mut(&mut self, i: u32) -> &mut Slot {
        &mut self.chunks[i as usize / CHUNK][i as usize % CHUNK]
    }

    pub fn id(&self, i: u32) -> &str {
        self.text.get(self.slot(i).id).expect("every slot has an id")
    }

    pub fn reference(&self, i: u32) -> Option<&str> {
        self.text.get(self.slot(i).reference)
    }

    fn hash_id(&self, id: &str) -> u64 {
        self.hasher.text(id)
    }

    fn hash_amount(&self, cents: i64) -> u64 {
        self.hasher.word(cents as u64)
    }

    /// The interned number of a service code or account; 0 for none. `None`: no invoice ever named it.
    pub fn find_string(&self, s: Option<&str>) -> Option<u32> {
        s.map_or(Some(0), |s| self.strings.get(s).copied())
    }

    fn intern(&mut self, s: Option<&str>) -> u32 {
        let Some(s) = s else { return 0 };
        if let Some(&n) = self.strings.get(s) {
            return n;
        }
        let n = self.strings.len() as u32 + 1;
        self.strings.insert(s.into(), n);
        n
    }

    pub fn contains_id(&self, id: &str) -> bool {
        self.by_id.find(self.hash_id(id), |s| self.id(s) == id).is_some()
    }

    /// The slots of the invoices with exactly this amount.
    pub fn with_amount(&self, cents: i64) -> impl Iterator<Item = u32> + '_ {
        let head = match self.by_amount.find(self.hash_amount(cents), |s| self.slot(s).cents == cents) {
            Some(pos) => self.by_amount.entries[pos],
            None => NONE,
        };
        std::iter::successors(Some(head).filter(|h| *h != NONE), |&i| {
            Some(self.slot(i).next_same_amount).filter(|n| *n != NONE)
        })
    }

    /// Room for `additional` more invoices in the indexes, so that adding them never rehashes the ones in.
    pub fn reserve(&mut self, additional: usize) {
        // An upper bound for amounts: invoices of one amount share an entry.
        self.by_amount.reserve(additional, amount_hash_of(&self.chunks, &self.hasher));
        self.by_id.reserve(additional, id_hash_of(&self.chunks, &self.hasher, &self.text));
    }

    /// Adds an invoice whose id is known to be absent and whose strings fit `MAX_TEXT`.
    pub fn insert(&mut self, inv: NewInvoice<'_>) -> u32 {
        let id = self.text.push(inv.id);
        let reference = inv.reference.map_or(NO_TEXT, |r| self.text.push(r));
        let service_code = self.intern(inv.service_code);
        let account_number = self.intern(inv.account_number);
        let i = match self.free.pop() {
            Some(i) => i,
            None => {
                if self.count % CHUNK == 0 {
                    self.chunks.push(Vec::with_capacity(CHUNK));
                }
                let blank = Slot {
                    cents: 0,
                    created_at: 0,
                    expires_at: 0,
                    id: NO_TEXT,
                    reference: NO_TEXT,
                    service_code: 0,
                    account_number: 0,
                    next_same_amount: NONE,
                };
                self.chunks.last_mut().expect("a chunk with room").push(blank);
                self.count += 1;
                (self.count - 1) as u32
            }
        };
        let hash = self.hash_amount(inv.cents);
        let head_pos = self.by_amount.find(hash, |s| self.slot(s).cents == inv.cents);
        let next_same_amount = head_pos.map_or(NONE, |p| self.by_amount.entries[p]);
        *self.slot_mut(i) = Slot {
            cents: inv.cents,
            created_at: inv.created_at,
            expires_at: inv.expires_at,
            id,
            reference,
            service_code,
            account_number,
            next_same_amount,
        };
        // The new invoice becomes the head of its amount's chain.
        match head_pos {
            Some(p) => self.by_amount.set(p, i),
            None => self.by_amount.insert(hash, i, amount_hash_of(&self.chunks, &self.hasher)),
        }
        let id_hash = self.hash_id(inv.id);
        self.by_id.insert(id_hash, i, id_hash_of(&self.chunks, &self.hasher, &self.text));
        self.live += 1;
        i
    }

    /// Removes the invoice with this id; `false` when there is none.
    pub fn remove_id(&mut self, id: &str) -> bool {
        match self.by_id.find(self.hash_id(id), |s| self.id(s) == id) {
            Some(pos) => {
                let i = self.by_id.entries[pos];
                self.remove_slot(i);
                true
            }
            None => false,
        }
    }

    /// Removes a resident invoice from both indexes and frees its slot.
    pub fn remove_slot(&mut self, i: u32) {
        let slot = *self.slot(i);
        let id_hash = self.hash_id(self.id(i));
        let id_pos = self.by_id.find(id_hash, |s| s == i).expect("resident id is indexed");
        self.by_id.remove(id_pos);
        let amount_pos =
            self.by_amount.find(self.hash_amount(slot.cents), |s| self.slot(s).cents == slot.cents).expect("indexed");
        let head = self.by_amount.entries[amount_pos];
        if head == i {
            match slot.next_same_amount {
                NONE => self.by_amount.remove(amount_pos),
                next => self.by_amount.set(amount_pos, next),
            }
        } else {
            // Chains are short (equal amounts are what unique codes avoid): walk to the predecessor.
            let mut prev = head;
            while self.slot(prev).next_same_amount != i {
                prev = self.slot(prev).next_same_amount;
            }
            self.slot_mut(prev).next_same_amount = slot.next_same_amount;
        }
        self.text.release(slot.id);
        self.text.release(slot.reference);
        self.slot_mut(i).id = NO_TEXT;
        self.free.push(i);
        self.live -= 1;
        self.compact_text_if_sparse();
    }

    /// The arena only grows; once less than half of it is live, rewrite it with the live strings.
    fn compact_text_if_sparse(&mut self) {
        if self.text.size() < 4 * ARENA_CHUNK || self.text.live * 2 > self.text.size() {
            return;
        }
        let mut fresh = Arena::default();
        for c in 0..self.chunks.len() {
            for k in 0..self.chunks[c].len() {
                let s = self.chunks[c][k];
                if s.id == NO_TEXT {
                    continue;
                }
                let id = fresh.push(self.text.get(s.id).expect("id"));
                let reference = self.text.get(s.reference).map_or(NO_TEXT, |r| fresh.push(r));
                let slot = &mut self.chunks[c][k];
                slot.id = id;
                slot.reference = reference;
            }
        }
        self.text = fresh;
    }

    /// Bytes held by the store (for the tests of its compactness).
    #[cfg(test)]
    pub fn heap_bytes(&self) -> usize {
        self.chunks.len() * CHUNK * std::mem::size_of::<Slot>()
            + self.text.size()
            + self.by_amount.size()
            + self.by_id.size()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(id: &str, cents: i64) -> NewInvoice<'_> {
        NewInvoice {
            id,
            cents,
            created_at: i64::MIN,
            expires_at: i64::MAX,
            reference: None,
            service_code: None,
            account_number: None,
        }
    }

    fn chain(s: &Invoices, cents: i64) -> Vec<String> {
        s.with_amount(cents).map(|i| s.id(i).to_string()).collect()
    }

    #[test]
    fn chains_by_amount_and_removal_anywhere() {
        let mut s = Invoices::default();
        for id in ["a", "b", "c"] {
            s.insert(new(id, 100));
        }
        s.insert(new("d", 200));
        assert_eq!(chain(&s, 100), ["c", "b", "a"]);
        assert!(s.remove_id("b"));
        assert_eq!(chain(&s, 100), ["c", "a"]);
        assert!(s.remove_id("c"));
        assert!(s.remove_id("a"));
        assert!(chain(&s, 100).is_empty());
        assert!(!s.remove_id("a"));
        assert_eq!((s.len(), chain(&s, 200)), (1, vec!["d".to_string()]));
        // A freed slot is reused, with its own text.
        s.insert(new("e", 100));
        assert_eq!(chain(&s, 100), ["e"]);
        assert!(s.contains_id("e") && !s.contains_id("a"));
    }

    #[test]
    fn many_inserts_and_removes_stay_consistent() {
        let mut s = Invoices::default();
        let ids: Vec<String> = (0..50_000).map(|i| format!("INV-{i}")).collect();
        for (i, id) in ids.iter().enumerate() {
            s.insert(new(id, (i % 1000) as i64));
        }
        for id in ids.iter().step_by(2) {
            assert!(s.remove_id(id));
        }
        assert_eq!(s.len(), 25_000);
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(s.contains_id(id), i % 2 == 1, "{id}");
        }
        let total: usize = (0..1000).map(|c| s.with_amount(c).count()).sum();
        assert_eq!(total, 25_000);
        // Remove the rest: the arena compacts and every lookup still holds.
        for id in ids.iter().skip(1).step_by(2).take(20_000) {
            assert!(s.remove_id(id));
        }
        assert_eq!(s.len(), 5_000);
        assert!(s.contains_id("INV-49999"));
        assert_eq!(s.id(s.with_amount(999).next().unwrap()), "INV-49999");
        assert!(s.text.size() <= 4 * ARENA_CHUNK, "arena was not compacted: {}", s.text.size());
    }

    /// Room reserved for a batch: adding it never grows a table (each growth hashes every invoice again),
    /// and every invoice, old and new, is found after.
    #[test]
    fn reserve_then_insert_never_regrows() {
        let mut s = Invoices::default();
        for i in 0..100 {
            s.insert(new(&format!("OLD-{i}"), i % 7));
        }
        s.reserve(10_000);
        let sizes = (s.by_id.size(), s.by_amount.size());
        assert_eq!(sizes.0, 16_384 * 4, "10,100 entries at <= 7/8 load");
        for i in 0..10_000 {
            s.insert(new(&format!("NEW-{i}"), 1_000 + i));
        }
        assert_eq!((s.by_id.size(), s.by_amount.size()), sizes);
        assert!((0..100).all(|i| s.contains_id(&format!("OLD-{i}"))));
        assert!((0..10_000).all(|i| s.contains_id(&format!("NEW-{i}"))));
        assert_eq!(s.with_amount(3).count(), 14);
        assert_eq!(s.with_amount(1_005).map(|i| s.id(i).to_string()).collect::<Vec<_>>(), ["NEW-5"]);
        // Reserving less than there is room for changes nothing.
        s.reserve(1);
        assert_eq!((s.by_id.size(), s.by_amount.size()), sizes);
    }

    #[test]
    fn compact_per_invoice() {
        let mut s = Invoices::default();
        let n = 200_000;
        for i in 0..n {
            s.insert(new(&format!("INV-{i:07}"), i as i64));
        }
        let per = s.heap_bytes() as f64 / n as f64;
        // Slots (56 bytes natively, fewer in wasm32), 11-byte ids, two 4-byte tables at <= 7/8 load.
        assert!(per < 90.0, "{per} bytes per invoice");
        assert_eq!(s.by_id.size(), s.by_amount.size());
    }
}
