//! Building blocks shared by the readers: assembling blocks and sections into
//! a normalized text, cleaning a line (whitespace runs, citation markers),
//! and telling prose from short lines.

use std::ops::Range;

use super::{Block, BlockKind, OffsetMap, Parsed, Section, TextBuilder};

/// Assembles a [`Parsed`] document block by block.
pub(crate) struct DocBuilder<'a> {
    pub original: &'a str,
    tb: TextBuilder,
    blocks: Vec<Block>,
    sections: Vec<Section>,
    /// Open sections, outermost first.
    stack: Vec<usize>,
}

impl<'a> DocBuilder<'a> {
    pub fn new(original: &'a str) -> Self {
        DocBuilder {
            original,
            tb: TextBuilder::new(),
            blocks: Vec::new(),
            sections: Vec::new(),
            stack: Vec::new(),
        }
    }

    /// Adds a block whose text is written by `write`; empty blocks are dropped.
    pub fn block_with(
        &mut self,
        kind: BlockKind,
        at: usize,
        write: impl FnOnce(&mut TextBuilder),
    ) -> Option<usize> {
        if !self.tb.is_empty() {
            self.tb.replace("\n\n", at..at);
        }
        let start = self.tb.len();
        write(&mut self.tb);
        self.tb.trim_end();
        if self.tb.len() <= start {
            // Nothing written: trim_end also dropped the separator.
            return None;
        }
        let span = start..self.tb.len();
        if let BlockKind::Heading { level } = kind {
            while let Some(&top) = self.stack.last() {
                if self.sections[top].level >= level {
                    self.stack.pop();
                } else {
                    break;
                }
            }
            let title = self.tb.text()[span.clone()].to_owned();
            self.sections.push(Section {
                title,
                level,
                parent: self.stack.last().copied(),
                heading: span.clone(),
            });
            self.stack.push(self.sections.len() - 1);
        }
        let section = self.stack.last().copied();
        self.blocks.push(Block {
            kind,
            span,
            section,
        });
        Some(self.blocks.len() - 1)
    }

    /// Adds a block from an original range, cleaned with [`write_clean`].
    pub fn block(&mut self, kind: BlockKind, range: Range<usize>) -> Option<usize> {
        let original = self.original;
        self.block_with(kind, range.start, |tb| write_clean(tb, original, range))
    }

    pub fn finish(self) -> Parsed {
        let (text, map): (String, OffsetMap) = self.tb.finish();
        Parsed {
            text,
            map,
            blocks: self.blocks,
            sections: self.sections,
        }
    }
}

/// Writes `original[range]` with whitespace runs collapsed to one space,
/// leading and trailing whitespace dropped, and citation markers (`[12]`,
/// `[citation needed]`) removed.
pub(crate) fn write_clean(tb: &mut TextBuilder, original: &str, range: Range<usize>) {
    let bytes = original.as_bytes();
    let mut i = range.start;
    let end = range.end;
    // Skip leading whitespace.
    while i < end && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    let mut run_start = i;
    while i < end {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            let ws_start = i;
            while i < end && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            // A citation marker after the whitespace swallows it.
            if i < end && bytes[i] == b'[' {
                if let Some(m) = citation_marker_len(&original[i..end]) {
                    tb.copy(original, run_start..ws_start);
                    i += m;
                    run_start = i;
                    continue;
                }
            }
            if i >= end {
                tb.copy(original, run_start..ws_start);
                run_start = end;
                break;
            }
            if i - ws_start == 1 && b == b' ' {
                continue;
            }
            tb.copy(original, run_start..ws_start);
            tb.replace(" ", ws_start..i);
            run_start = i;
            continue;
        }
        if b == b'[' {
            if let Some(m) = citation_marker_len(&original[i..end]) {
                tb.copy(original, run_start..i);
                i += m;
                run_start = i;
                continue;
            }
        }
        i += 1;
    }
    if run_start < end {
        tb.copy(original, run_start..end);
    }
}

/// Length of a citation marker at the start of `s`: `[12]`, `[a]`, `[citation needed]`.
pub(crate) fn citation_marker_len(s: &str) -> Option<usize> {
    let close = s.find(']')?;
    let inner = &s[1..close];
    let ok = (!inner.is_empty() && inner.len() <= 4 && inner.chars().all(|c| c.is_ascii_digit()))
        || (inner.len() == 1 && inner.chars().all(|c| c.is_ascii_lowercase()))
        || matches!(
            inner,
            "citation needed" | "clarification needed" | "when?" | "who?" | "note"
        );
    ok.then_some(close + 1)
}

/// Lines with their byte ranges (without the line break).
pub(crate) fn lines(original: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in original.bytes().enumerate() {
        if b == b'\n' {
            let mut end = i;
            if end > start && original.as_bytes()[end - 1] == b'\r' {
                end -= 1;
            }
            out.push(start..end);
            start = i + 1;
        }
    }
    if start < original.len() {
        out.push(start..original.len());
    }
    out
}

/// A range with surrounding whitespace removed.
pub(crate) fn trim_range(original: &str, range: Range<usize>) -> Range<usize> {
    let s = &original[range.clone()];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead == s.len() {
        return range.start..range.start;
    }
    range.start + lead..range.end - trail
}

/// Number of words in a line.
pub(crate) fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Whether a line reads as prose: long, with a sentence end.
pub(crate) fn is_prose(s: &str) -> bool {
    let s = s.trim();
    let words = word_count(s);
    words >= 12 && (s.ends_with('.') || s.ends_with('"') || s.ends_with(')') || s.contains(". "))
        || words >= 25
}

/// Site chrome that mirrors add around an article.
pub(crate) fn is_chrome(s: &str) -> bool {
    let s = s.trim();
    s.is_empty()
        || s == "..."
        || s == "…"
        || (s.starts_with("***") && s.ends_with("***"))
        || matches!(
            s,
            "Wikipedia"
                | "From Wikipedia, the free encyclopedia"
                | "Jump to navigation"
                | "Contents"
        )
}

/// A short line that can be a heading: a few words, no sentence punctuation.
pub(crate) fn is_heading_like(s: &str) -> bool {
    let s = s.trim();
    let words = word_count(s);
    (1..=10).contains(&words)
        && !s.ends_with('.')
        && !s.ends_with(',')
        && !s.ends_with(':')
        && !s.ends_with(';')
        && !s.contains(", ")
        && s.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(s: &str) -> String {
        let mut tb = TextBuilder::new();
        write_clean(&mut tb, s, 0..s.len());
        tb.finish().0
    }

    #[test]
    fn cleaning_drops_citations_and_collapses_space() {
        assert_eq!(clean("  a  b [1] c.[12] d "), "a b c. d");
        assert_eq!(clean("x [citation needed]."), "x.");
        assert_eq!(clean("[Map]"), "[Map]");
    }

    #[test]
    fn cleaned_text_maps_back() {
        let s = "Lies [2] here";
        let mut tb = TextBuilder::new();
        write_clean(&mut tb, s, 0..s.len());
        let (t, map) = tb.finish();
        assert_eq!(t, "Lies here");
        let i = t.find("here").unwrap();
        assert_eq!(&s[map.to_original(i..i + 4)], "here");
    }
}
