//! Where the pieces of the key occur in a text: an index of the pieces by their first
//! bytes (the *anchor*), so a text is read once, left to right, with one bit test per
//! position and a comparison only where an anchor occurs.
//!
//! Every run builds this index for its key (the report is checked before it is
//! written), so building must be cheap: it is a bit set and a hash table of the pieces
//! by anchor, filled in one pass (sorting them cost more). An Aho-Corasick automaton
//! over the same pieces (hundreds of patterns of 8 to 60 bytes) took about 1.5 ms to
//! build on the reference machine, most of an offline run (docs/performance.md).
//! Matching stays linear in the text times the number of pieces in one bucket of the
//! table, which its size (a power of two, at least the number of pieces) keeps small.

/// Bits in the anchor filter (a power of two): with a few hundred to a few thousand
/// anchors, a position of ordinary text passes the filter about 1% of the time.
const FILTER_BITS: usize = 1 << 16;

/// Pieces of key material: spans of the texts they are cut from, which are stored end to
/// end (one allocation for all of them; a piece is not copied, and pieces of one text
/// overlap in it).
#[derive(Clone, Default)]
pub struct Pieces {
    bytes: Vec<u8>,
    /// Where each piece starts and ends in `bytes`.
    spans: Vec<(u32, u32)>,
}

impl Pieces {
    /// Stores a text to cut pieces from; where it starts (for [`Pieces::push_span`]).
    pub fn add_text(&mut self, text: &[u8]) -> usize {
        let at = self.bytes.len();
        self.bytes.extend_from_slice(text);
        at
    }

    /// A piece: bytes `start..end` of the stored texts.
    #[inline]
    pub fn push_span(&mut self, start: usize, end: usize) {
        let n = |x: usize| u32::try_from(x).expect("key material under 4 GiB");
        debug_assert!(start <= end && end <= self.bytes.len());
        self.spans.push((n(start), n(end)));
    }

    /// A piece that is a whole text of its own.
    #[cfg(test)]
    pub fn push(&mut self, piece: &[u8]) {
        let at = self.add_text(piece);
        self.push_span(at, at + piece.len());
    }

    /// Keeps, of the pieces from number `from` on, those `keep` is true for.
    pub fn retain_from(&mut self, from: usize, mut keep: impl FnMut(&[u8]) -> bool) {
        let bytes = &self.bytes;
        let mut i = 0;
        self.spans.retain(|&(s, e)| {
            i += 1;
            i <= from || keep(&bytes[s as usize..e as usize])
        });
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Piece number `i`.
    #[inline]
    pub fn get(&self, i: usize) -> &[u8] {
        let (s, e) = self.spans[i];
        &self.bytes[s as usize..e as usize]
    }

    /// Every piece, in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len()).map(|i| self.get(i))
    }
}

impl Drop for Pieces {
    fn drop(&mut self) {
        // Key material: cleared before the memory is returned.
        zeroize::Zeroize::zeroize(&mut self.bytes);
    }
}

/// The pieces, indexed by their anchor.
#[derive(Clone)]
pub struct PieceIndex {
    /// Bytes in an anchor: the shortest piece's length, at most 8.
    anchor: usize,
    /// One bit per hashed anchor value.
    filter: Vec<u64>,
    /// The first piece of each bucket of anchors ([`NONE`] for none); a power of two long.
    heads: Vec<u32>,
    /// Per piece: the next piece in its bucket.
    next: Vec<u32>,
}

/// No piece.
const NONE: u32 = u32::MAX;

impl PieceIndex {
    /// The index of `pieces` (each at least one byte long). Built in one pass, without
    /// sorting: a run has a thousand or more pieces and builds the index every time.
    pub fn new(pieces: &Pieces) -> PieceIndex {
        let anchor = pieces
            .iter()
            .map(<[u8]>::len)
            .min()
            .unwrap_or(1)
            .clamp(1, 8);
        let n = u32::try_from(pieces.len()).expect("fewer than 2^32 pieces");
        let mut filter = vec![0u64; FILTER_BITS / 64];
        let buckets = pieces.len().next_power_of_two().clamp(64, FILTER_BITS);
        let mut heads = vec![NONE; buckets];
        let mut next = vec![NONE; pieces.len()];
        // From the last piece to the first, so that each bucket lists its pieces in order.
        for i in (0..n).rev() {
            let a = value(&pieces.get(i as usize)[..anchor]);
            set(&mut filter, a);
            let head = &mut heads[bit(a) & (buckets - 1)];
            next[i as usize] = *head;
            *head = i;
        }
        PieceIndex {
            anchor,
            filter,
            heads,
            next,
        }
    }

    /// Calls `found(start, end)` for every occurrence of a piece in `text`, in order of
    /// `start` (occurrences may overlap); stops early when `found` returns false.
    pub fn each_match(
        &self,
        pieces: &Pieces,
        text: &[u8],
        mut found: impl FnMut(usize, usize) -> bool,
    ) {
        if text.len() < self.anchor {
            return;
        }
        // Anchors are read as one 8-byte load and masked to their length; the last
        // positions, with fewer than 8 bytes left, are copied. Most positions stop at the
        // filter: this is the loop every output is read by.
        let mask = u64::MAX >> (8 * (8 - self.anchor));
        for (start, w) in text.windows(8).enumerate() {
            let a = u64::from_le_bytes(w.try_into().expect("8 bytes")) & mask;
            if get(&self.filter, a) && !self.each_piece(pieces, text, start, a, &mut found) {
                return;
            }
        }
        let tail = (text.len() + 1).saturating_sub(8)..=text.len() - self.anchor;
        for start in tail {
            let a = value(&text[start..start + self.anchor]);
            if get(&self.filter, a) && !self.each_piece(pieces, text, start, a, &mut found) {
                return;
            }
        }
    }

    /// Calls `found` for every piece with anchor `a` that occurs at `start`; false when
    /// `found` said to stop.
    fn each_piece(
        &self,
        pieces: &Pieces,
        text: &[u8],
        start: usize,
        a: u64,
        found: &mut impl FnMut(usize, usize) -> bool,
    ) -> bool {
        let mut i = self.heads[bit(a) & (self.heads.len() - 1)];
        // A bucket also holds pieces of other anchors: the comparison tells them apart.
        while i != NONE {
            let piece = pieces.get(i as usize);
            if text[start..].starts_with(piece) && !found(start, start + piece.len()) {
                return false;
            }
            i = self.next[i as usize];
        }
        true
    }
}

/// The anchor's bytes as one number (little-endian, zero-padded).
#[inline]
fn value(bytes: &[u8]) -> u64 {
    if let Ok(whole) = <[u8; 8]>::try_from(bytes) {
        // The usual anchor: no copy.
        return u64::from_le_bytes(whole);
    }
    let mut b = [0u8; 8];
    b[..bytes.len()].copy_from_slice(bytes);
    u64::from_le_bytes(b)
}

/// The filter bit of an anchor value (a multiplicative hash, top 16 bits).
#[inline(always)]
fn bit(a: u64) -> usize {
    (a.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 48) as usize
}

fn set(filter: &mut [u64], a: u64) {
    let b = bit(a);
    filter[b / 64] |= 1 << (b % 64);
}

#[inline(always)]
fn get(filter: &[u64], a: u64) -> bool {
    let b = bit(a);
    filter[b / 64] & (1 << (b % 64)) != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn stored(pieces: &[Vec<u8>]) -> Pieces {
        let mut p = Pieces::default();
        pieces.iter().for_each(|x| p.push(x));
        p
    }

    /// Every (start, end) where a piece occurs, the obvious way.
    fn naive(pieces: &[Vec<u8>], text: &[u8]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for s in 0..text.len() {
            for p in pieces {
                if text[s..].starts_with(p) {
                    out.push((s, s + p.len()));
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn indexed(pieces: &[Vec<u8>], text: &[u8]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let pieces = stored(pieces);
        PieceIndex::new(&pieces).each_match(&pieces, text, |s, e| {
            out.push((s, e));
            true
        });
        out.sort_unstable();
        out.dedup();
        out
    }

    #[test]
    fn finds_pieces_of_different_lengths_and_shared_anchors() {
        let pieces: Vec<Vec<u8>> = ["abcdefgh", "abcdefghij", "%25414243", "xyzxyzxy"]
            .iter()
            .map(|p| p.as_bytes().to_vec())
            .collect();
        let text = b"..abcdefghij..%25414243..xyzxyzxyzxy";
        assert_eq!(indexed(&pieces, text), naive(&pieces, text));
        assert_eq!(indexed(&pieces, text).len(), 5);
        assert!(indexed(&pieces, b"abcdefg").is_empty());
        assert!(indexed(&[], b"anything").is_empty());
    }

    #[test]
    fn stops_when_told() {
        let pieces = stored(&[b"aaaa".to_vec()]);
        let mut n = 0;
        PieceIndex::new(&pieces).each_match(&pieces, b"aaaaaaaaaa", |_, _| {
            n += 1;
            false
        });
        assert_eq!(n, 1);
    }

    proptest! {
        /// The index finds exactly what a naive search finds, over a small alphabet so
        /// that anchors collide and pieces overlap.
        #[test]
        fn agrees_with_a_naive_search(
            pieces in prop::collection::vec(prop::collection::vec(0u8..4, 2..12), 1..20),
            text in prop::collection::vec(0u8..4, 0..200),
        ) {
            prop_assert_eq!(indexed(&pieces, &text), naive(&pieces, &text));
        }
    }
}
