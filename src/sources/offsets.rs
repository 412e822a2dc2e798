//! The map from a reader's normalized text back to byte offsets of the original file.
//!
//! Readers build their normalized text with a [`TextBuilder`]: every piece of
//! output is either copied from a range of the original bytes or written as a
//! replacement for one (a detokenized ` @-@ ` becomes `-`). The resulting
//! [`OffsetMap`] turns any normalized byte range into the original byte range
//! that produced it, so a fact can always point at the exact words of its source.
//! This module owns nothing else: it does not know any source format.

use std::ops::Range;

/// One piece of normalized text and the original bytes it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    /// Start of the piece in the normalized text.
    norm: usize,
    /// Length of the piece in the normalized text.
    norm_len: usize,
    /// Start of the original range.
    orig: usize,
    /// Length of the original range.
    orig_len: usize,
}

impl Segment {
    /// A copied segment maps byte for byte; a replaced one maps as a whole.
    fn is_copy(&self) -> bool {
        self.norm_len == self.orig_len
    }
}

/// Maps byte offsets of a normalized text to byte offsets of the original file.
#[derive(Debug, Clone, Default)]
pub struct OffsetMap {
    segments: Vec<Segment>,
}

impl OffsetMap {
    /// The original position of a normalized start offset.
    fn start_of(&self, pos: usize) -> usize {
        let i = self
            .segments
            .partition_point(|s| s.norm + s.norm_len <= pos);
        match self.segments.get(i) {
            Some(s) if s.norm <= pos => {
                if s.is_copy() {
                    s.orig + (pos - s.norm)
                } else {
                    s.orig
                }
            }
            Some(s) => s.orig,
            None => self.segments.last().map_or(0, |s| s.orig + s.orig_len),
        }
    }

    /// The original position of a normalized end offset (exclusive).
    fn end_of(&self, pos: usize) -> usize {
        if pos == 0 {
            return self.segments.first().map_or(0, |s| s.orig);
        }
        let last = pos - 1;
        let i = self
            .segments
            .partition_point(|s| s.norm + s.norm_len <= last);
        match self.segments.get(i) {
            Some(s) if s.norm <= last => {
                if s.is_copy() {
                    s.orig + (last - s.norm) + 1
                } else {
                    s.orig + s.orig_len
                }
            }
            Some(s) => s.orig,
            None => self.segments.last().map_or(0, |s| s.orig + s.orig_len),
        }
    }

    /// The original byte range that produced a normalized byte range.
    pub fn to_original(&self, range: Range<usize>) -> Range<usize> {
        let start = self.start_of(range.start);
        let end = self.end_of(range.end).max(start);
        start..end
    }
}

/// Builds a normalized text together with its [`OffsetMap`].
#[derive(Debug, Default)]
pub struct TextBuilder {
    text: String,
    map: OffsetMap,
}

impl TextBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// The normalized text written so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Current length of the normalized text.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Appends `original[range]` unchanged.
    pub fn copy(&mut self, original: &str, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        let piece = &original[range.clone()];
        self.push_segment(piece.len(), range.start, range.len());
        self.text.push_str(piece);
    }

    /// Appends `replacement` standing for the original bytes `range`.
    pub fn replace(&mut self, replacement: &str, range: Range<usize>) {
        if replacement.is_empty() {
            return;
        }
        self.push_segment(replacement.len(), range.start, range.len());
        self.text.push_str(replacement);
    }

    fn push_segment(&mut self, norm_len: usize, orig: usize, orig_len: usize) {
        let norm = self.text.len();
        if let Some(last) = self.map.segments.last_mut()
            && last.is_copy()
            && norm_len == orig_len
            && last.norm + last.norm_len == norm
            && last.orig + last.orig_len == orig
        {
            last.norm_len += norm_len;
            last.orig_len += orig_len;
            return;
        }
        self.map.segments.push(Segment {
            norm,
            norm_len,
            orig,
            orig_len,
        });
    }

    /// Removes trailing ASCII whitespace that was written last.
    pub fn trim_end(&mut self) {
        let trimmed = self.text.trim_end().len();
        if trimmed == self.text.len() {
            return;
        }
        self.text.truncate(trimmed);
        while let Some(last) = self.map.segments.last_mut() {
            if last.norm >= trimmed {
                self.map.segments.pop();
            } else {
                if last.norm + last.norm_len > trimmed {
                    let cut = last.norm + last.norm_len - trimmed;
                    if last.is_copy() {
                        last.orig_len -= cut;
                    }
                    last.norm_len -= cut;
                }
                break;
            }
        }
    }

    pub fn finish(self) -> (String, OffsetMap) {
        (self.text, self.map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copied_and_replaced_ranges_map_back() {
        let original = "Kaifeng , the 200 @,@ 000 men";
        let mut b = TextBuilder::new();
        b.copy(original, 0..7); // "Kaifeng"
        b.copy(original, 8..9); // ","
        b.copy(original, 9..17); // " the 200"
        b.replace(",", 17..22); // " @,@ "
        b.copy(original, 22..29); // "000 men"
        let (text, map) = b.finish();
        assert_eq!(text, "Kaifeng, the 200,000 men");
        // "Kaifeng" maps to itself.
        assert_eq!(map.to_original(0..7), 0..7);
        // "200,000" maps over the separator.
        let s = text.find("200,000").unwrap();
        let r = map.to_original(s..s + 7);
        assert_eq!(&original[r], "200 @,@ 000");
        // "men" at the end.
        let s = text.find("men").unwrap();
        assert_eq!(&original[map.to_original(s..s + 3)], "men");
    }

    #[test]
    fn trim_end_shrinks_the_map() {
        let original = "abc   ";
        let mut b = TextBuilder::new();
        b.copy(original, 0..6);
        b.trim_end();
        b.copy("xyz", 0..0);
        let (text, map) = b.finish();
        assert_eq!(text, "abc");
        assert_eq!(map.to_original(0..3), 0..3);
    }
}
