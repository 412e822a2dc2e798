//! Source readers: from the bytes of a file to a [`Document`].
//!
//! A document is the normalized text of one source (detokenized, without
//! site chrome or citation markers), split into blocks (title, headings,
//! paragraphs, captions, list items, infobox or record fields) inside a
//! section tree, together with an [`OffsetMap`] back to the original bytes.
//! Each of the four formats has a reader behind the [`SourceReader`] trait;
//! the format comes from the manifest or is detected from the content.
//! Readers do not extract facts: they only say where the text is and what
//! kind of block it is. Nothing downstream knows which format a block came from.

mod article;
mod blog;
mod dbpedia_page;
pub mod manifest;
mod offsets;
mod text;
mod wikitext;

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sha2::{Digest, Sha256};

pub use manifest::{Manifest, SourceMeta};
pub use offsets::{OffsetMap, TextBuilder};

/// The source formats jinsong reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// A DBpedia-style resource page: a lead, then an `Attributes | Values` table.
    DbpediaPage,
    /// An encyclopedia article as plain text, with infobox fragments before the lead.
    Article,
    /// An article in WikiText-103 tokenized form.
    #[serde(rename = "wikitext103")]
    WikiText103,
    /// A blog post: `YEAR || Title`, bare-line headings, a closing bullet list.
    Blog,
}

impl Format {
    pub const ALL: [Format; 4] = [
        Format::DbpediaPage,
        Format::Article,
        Format::WikiText103,
        Format::Blog,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::DbpediaPage => "dbpedia-page",
            Format::Article => "article",
            Format::WikiText103 => "wikitext103",
            Format::Blog => "blog",
        }
    }

    /// Guesses the format of a text from its content.
    pub fn detect(text: &str) -> Format {
        if text
            .lines()
            .any(|l| l.trim_start().starts_with("Attributes | Values"))
        {
            return Format::DbpediaPage;
        }
        if let Some(first) = text.lines().next() {
            let first = first.trim();
            if let Some((year, rest)) = first.split_once("||") {
                if year.trim().chars().all(|c| c.is_ascii_digit()) && !rest.trim().is_empty() {
                    return Format::Blog;
                }
            }
        }
        let wt_markers = text.matches(" @-@ ").count()
            + text.matches(" @,@ ").count()
            + text.matches(" @.@ ").count();
        let wt_headings = text
            .lines()
            .filter(|l| wikitext::heading_level(l.trim()).is_some())
            .count();
        let spaced_commas = text.matches(" , ").count();
        let commas = text.matches(',').count().max(1);
        if wt_markers > 0 || wt_headings > 0 || spaced_commas * 2 > commas {
            return Format::WikiText103;
        }
        Format::Article
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                format!(
                    "unknown format {s:?} (expected one of: {})",
                    Format::ALL.map(Format::name).join(", ")
                )
            })
    }
}

/// What a block of a document is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockKind {
    /// The document's own title (or a name of its subject given before the text).
    Title,
    /// A section heading; `level` 1 is the top.
    Heading { level: u8 },
    /// Running prose.
    Paragraph,
    /// A picture caption or another short line that is not prose.
    Caption,
    /// An item of a bulleted list in the body.
    ListItem,
    /// One value of an infobox or record field (`key` as the source writes it).
    Field { key: String },
}

/// A block of normalized text.
#[derive(Debug, Clone)]
pub struct Block {
    pub kind: BlockKind,
    /// Byte range in [`Document::text`].
    pub span: Range<usize>,
    /// Index into [`Document::sections`] of the innermost enclosing section.
    pub section: Option<usize>,
}

/// A node of the section tree.
#[derive(Debug, Clone)]
pub struct Section {
    pub title: String,
    pub level: u8,
    pub parent: Option<usize>,
    /// Byte range of the heading in [`Document::text`].
    pub heading: Range<usize>,
}

/// What a reader produces from the text of a file.
#[derive(Debug, Default)]
pub struct Parsed {
    pub text: String,
    pub map: OffsetMap,
    pub blocks: Vec<Block>,
    pub sections: Vec<Section>,
}

/// A reader for one source format. Readers never fail on content they do not
/// understand: unknown lines become paragraphs.
pub trait SourceReader {
    fn parse(&self, original: &str) -> Parsed;
}

/// Returns the reader for a format.
pub fn reader_for(format: Format) -> Box<dyn SourceReader> {
    match format {
        Format::DbpediaPage => Box::new(dbpedia_page::DbpediaPageReader),
        Format::Article => Box::new(article::ArticleReader),
        Format::WikiText103 => Box::new(wikitext::WikiTextReader),
        Format::Blog => Box::new(blog::BlogReader),
    }
}

/// One source, read.
#[derive(Debug)]
pub struct Document {
    pub meta: SourceMeta,
    pub format: Format,
    /// SHA-256 of the original bytes, lower-case hex.
    pub sha256: String,
    /// The original file content.
    pub original: String,
    /// Normalized text; blocks point into it.
    pub text: String,
    pub map: OffsetMap,
    pub blocks: Vec<Block>,
    pub sections: Vec<Section>,
}

impl Document {
    /// Text of a normalized range.
    pub fn slice(&self, range: Range<usize>) -> &str {
        &self.text[range]
    }

    /// Original byte range of a normalized range.
    pub fn original_range(&self, range: Range<usize>) -> Range<usize> {
        self.map.to_original(range)
    }

    /// Original text of a normalized range (as the file has it).
    pub fn original_text(&self, range: Range<usize>) -> &str {
        let r = self.original_range(range);
        self.original.get(r).unwrap_or("")
    }

    /// The block whose span holds `range`. Blocks are made in text order,
    /// apart (a blank line between two), so only the last one to start at or
    /// before `range` can hold it.
    pub fn block_of(&self, range: &Range<usize>) -> Option<usize> {
        let k = self
            .blocks
            .partition_point(|b| b.span.start <= range.start)
            .checked_sub(1)?;
        let b = &self.blocks[k];
        (range.end <= b.span.end).then_some(k)
    }

    /// The heading path of a section, outermost first.
    pub fn section_path(&self, mut section: Option<usize>) -> Vec<&Section> {
        let mut path = Vec::new();
        while let Some(i) = section {
            let Some(s) = self.sections.get(i) else { break };
            path.push(s);
            section = s.parent;
        }
        path.reverse();
        path
    }

    /// The title of the document: its first title block, if any.
    pub fn title(&self) -> Option<&str> {
        self.blocks
            .iter()
            .find(|b| b.kind == BlockKind::Title)
            .map(|b| self.slice(b.span.clone()))
    }
}

/// Errors reading a source. Each names the file.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: the file is empty")]
    Empty { path: PathBuf },
    #[error("{path}: not a text file (binary byte 0x{byte:02x} at byte offset {offset})")]
    Binary {
        path: PathBuf,
        offset: usize,
        byte: u8,
    },
    #[error("{path}: invalid UTF-8 at byte offset {offset}")]
    InvalidUtf8 { path: PathBuf, offset: usize },
    #[error("{path}: no text to read (only whitespace)")]
    Blank { path: PathBuf },
    #[error(
        "{path}:{line}: a line of {bytes} bytes, longer than the {max} bytes a line of text may have (is this a text file?)"
    )]
    LineTooLong {
        path: PathBuf,
        line: usize,
        bytes: usize,
        max: usize,
    },
    #[error(
        "{path}: no text to read ({headings} headings and titles, no paragraph, list item or field)"
    )]
    OnlyHeadings { path: PathBuf, headings: usize },
    #[error("{path}: not a directory, .txt or .md file")]
    NotASource { path: PathBuf },
    #[error("{path}: no .txt or .md files in this directory")]
    EmptyDirectory { path: PathBuf },
    #[error(transparent)]
    Manifest(#[from] manifest::ManifestError),
}

/// Checks that bytes are a UTF-8 text file and returns the text.
pub fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, SourceError> {
    if bytes.is_empty() {
        return Err(SourceError::Empty {
            path: path.to_owned(),
        });
    }
    // NUL and most C0 controls never occur in text files.
    if let Some(offset) = bytes
        .iter()
        .position(|&b| b == 0 || (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c)))
    {
        return Err(SourceError::Binary {
            path: path.to_owned(),
            offset,
            byte: bytes[offset],
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| SourceError::InvalidUtf8 {
        path: path.to_owned(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    if text.trim().is_empty() {
        return Err(SourceError::Blank {
            path: path.to_owned(),
        });
    }
    for (i, line) in text.split('\n').enumerate() {
        if line.len() > MAX_LINE {
            return Err(SourceError::LineTooLong {
                path: path.to_owned(),
                line: i + 1,
                bytes: line.len(),
                max: MAX_LINE,
            });
        }
    }
    Ok(text)
}

/// The longest line a source may have: a paragraph of a megabyte is
/// already far past any prose; a longer line is data or garbage, and
/// would cost the sentence splitter time for nothing.
pub const MAX_LINE: usize = 1 << 20;

/// Reads one source described by `meta`.
pub fn read(meta: &SourceMeta) -> Result<Document, SourceError> {
    let bytes = read_bytes(meta)?;
    let sha256 = sha256_hex(&bytes);
    read_from(meta, bytes, sha256)
}

/// The bytes of a source's file.
pub fn read_bytes(meta: &SourceMeta) -> Result<Vec<u8>, SourceError> {
    std::fs::read(&meta.path).map_err(|source| SourceError::Io {
        path: meta.path.clone(),
        source,
    })
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Reads a source from the bytes of its file (and their SHA-256).
pub fn read_from(
    meta: &SourceMeta,
    bytes: Vec<u8>,
    sha256: String,
) -> Result<Document, SourceError> {
    let original = decode(&meta.path, bytes)?;
    let doc = parse_text(meta.clone(), original, sha256);
    if !doc.blocks.iter().any(|b| {
        matches!(
            b.kind,
            BlockKind::Paragraph
                | BlockKind::ListItem
                | BlockKind::Field { .. }
                | BlockKind::Caption
        )
    }) {
        return Err(SourceError::OnlyHeadings {
            path: meta.path.clone(),
            headings: doc.blocks.len(),
        });
    }
    Ok(doc)
}

/// Parses already-decoded text (used by [`read`], benches and tests).
pub fn parse_text(meta: SourceMeta, original: String, sha256: String) -> Document {
    let format = meta.format.unwrap_or_else(|| Format::detect(&original));
    let parsed = reader_for(format).parse(&original);
    Document {
        meta: SourceMeta {
            format: Some(format),
            ..meta
        },
        format,
        sha256,
        original,
        text: parsed.text,
        map: parsed.map,
        blocks: parsed.blocks,
        sections: parsed.sections,
    }
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Expands command-line paths into source descriptions: a manifest file
/// (`*.toml`) contributes its sources; a directory contributes its manifest
/// (`sources.toml`, beside or inside it) if it has one, else every `.txt` and
/// `.md` file in it (sorted, format detected); a file contributes itself.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<SourceMeta>, SourceError> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| SourceError::Io {
            path: path.clone(),
            source,
        })?;
        if meta.is_dir() {
            let inside = path.join("sources.toml");
            if inside.is_file() {
                out.extend(Manifest::load(&inside)?.sources);
                continue;
            }
            let mut files = Vec::new();
            let entries = std::fs::read_dir(path).map_err(|source| SourceError::Io {
                path: path.clone(),
                source,
            })?;
            for entry in entries {
                let entry = entry.map_err(|source| SourceError::Io {
                    path: path.clone(),
                    source,
                })?;
                let p = entry.path();
                if p.is_file() && is_text_source(&p) {
                    files.push(p);
                }
            }
            if files.is_empty() {
                return Err(SourceError::EmptyDirectory { path: path.clone() });
            }
            files.sort();
            out.extend(files.iter().map(|p| SourceMeta::for_file(p)));
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.extend(Manifest::load(path)?.sources);
        } else if is_text_source(path) {
            out.push(SourceMeta::for_file(path));
        } else {
            return Err(SourceError::NotASource { path: path.clone() });
        }
    }
    manifest::dedupe_ids(&mut out);
    Ok(out)
}

fn is_text_source(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("txt") || e.eq_ignore_ascii_case("md"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_of_a_range_is_the_first_block_holding_it() {
        let docs = crate::build::read_sources(&[]).expect("the bundled sources");
        assert!(!docs.is_empty());
        let mut checked = 0;
        for doc in &docs {
            let by_scan = |r: &Range<usize>| {
                doc.blocks
                    .iter()
                    .position(|b| b.span.start <= r.start && r.end <= b.span.end)
            };
            // Every range whose ends are a block's ends or next to them,
            // empty ones included, and each sentence-sized step of the text.
            let mut points: Vec<usize> = doc
                .blocks
                .iter()
                .flat_map(|b| [b.span.start, b.span.end])
                .flat_map(|x| [x.saturating_sub(1), x, x + 1])
                .chain((0..doc.text.len()).step_by(37))
                .filter(|&x| x <= doc.text.len())
                .collect();
            points.sort_unstable();
            points.dedup();
            for (i, &a) in points.iter().enumerate() {
                for &b in points[i..].iter().take(12) {
                    let r = a..b;
                    assert_eq!(doc.block_of(&r), by_scan(&r), "{} {r:?}", doc.meta.id);
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
    }

    #[test]
    fn detects_each_format_from_content() {
        assert_eq!(
            Format::detect("Lead.\nAttributes | Values |\n---|\n"),
            Format::DbpediaPage
        );
        assert_eq!(
            Format::detect("1066 || The Norman Conquest\nText."),
            Format::Blog
        );
        assert_eq!(
            Format::detect("The army of 90 @,@ 000 soldiers , led by him , fell ."),
            Format::WikiText103
        );
        assert_eq!(
            Format::detect(" = = History = = \nSome text , more text ."),
            Format::WikiText103
        );
        assert_eq!(
            Format::detect("The Jin–Song Wars\nDate 1125–1234\nThe wars were long, and bloody."),
            Format::Article
        );
    }

    #[test]
    fn decode_rejects_binary_and_bad_utf8_with_offsets() {
        let p = Path::new("x.txt");
        assert!(matches!(
            decode(p, b"ab\0cd".to_vec()),
            Err(SourceError::Binary { offset: 2, .. })
        ));
        assert!(matches!(
            decode(p, b"abc\xffdef".to_vec()),
            Err(SourceError::InvalidUtf8 { offset: 3, .. })
        ));
        assert!(matches!(
            decode(p, Vec::new()),
            Err(SourceError::Empty { .. })
        ));
        assert!(matches!(
            decode(p, b" \n\n ".to_vec()),
            Err(SourceError::Blank { .. })
        ));
    }
}
