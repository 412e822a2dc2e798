//! Entry points for the fuzz targets (`tests/fuzz`, cargo-fuzz) and for the
//! regression test that replays every input they found: each runs one
//! stage on arbitrary input and panics only when an invariant of that stage
//! fails (a span outside its text, an end before its start), so a crash is
//! always a bug. Nothing here is used by the pipeline itself.

use std::path::Path;

use crate::extract::{self, dates, frames, text};
use crate::sources::{self, Format, SourceMeta};

/// A source reader on any bytes: decoding (refusals are fine), parsing in
/// `format`, then extraction of the document.
pub fn read_and_extract(data: &[u8], format: Format) {
    let path = Path::new("fuzz.txt");
    let Ok(original) = sources::decode(path, data.to_vec()) else {
        return;
    };
    let mut meta = SourceMeta::for_file(path);
    meta.format = Some(format);
    let doc = sources::parse_text(meta, original, String::new());
    for b in &doc.blocks {
        assert!(
            b.span.start <= b.span.end && b.span.end <= doc.text.len(),
            "block span {:?}",
            b.span
        );
        assert!(doc.text.is_char_boundary(b.span.start) && doc.text.is_char_boundary(b.span.end));
        let orig = doc.original_range(b.span.clone());
        assert!(
            orig.start <= orig.end && orig.end <= doc.original.len(),
            "original span {orig:?}"
        );
    }
    let extractions = extract::extract_all(std::slice::from_ref(&doc));
    let _ = crate::resolve::resolve(&extractions);
}

/// The temporal tagger on a text taken as one sentence.
pub fn dates(text: &str) {
    let toks = text::toks_of(text);
    let mut anchor = dates::Anchor::default();
    for m in dates::tag(&toks, &mut anchor) {
        assert!(
            m.span.start <= m.span.end && m.span.end <= text.len(),
            "span {:?}",
            m.span
        );
        assert!(
            m.toks.start < m.toks.end && m.toks.end <= toks.len(),
            "tokens {:?}",
            m.toks
        );
        if let (Some(s), Some(e)) = (m.start, m.end) {
            // Both are typed dates; their lexical forms must be valid XSD.
            for d in [s, e] {
                let lex = d.lexical();
                assert!(!lex.is_empty() && !lex.starts_with('-'), "lexical {lex:?}");
            }
        }
    }
}

/// The quantity recognizer on a text taken as one sentence.
pub fn quantities(text: &str) {
    let toks = text::toks_of(text);
    for (_, unit, range) in frames::quantities(&toks) {
        assert!(
            range.start < range.end && range.end <= toks.len(),
            "tokens {range:?}"
        );
        assert!(!unit.is_empty());
    }
}

/// The manifest parser on any bytes (refusals are fine).
pub fn manifest(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = sources::Manifest::parse(Path::new("fuzz.toml"), text);
    }
}
