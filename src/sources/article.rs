//! Reader for encyclopedia articles as plain text (a Wikipedia page or a
//! mirror of one): site chrome, the title, infobox fragments (keys such as
//! `Date` or `Result` with their value on the same line or on the following
//! lines and `•` bullets), then the lead and sections whose headings are
//! short bare lines. Picture captions become caption blocks. Citation
//! markers (`[12]`) are dropped from the normalized text.

use super::text::{
    DocBuilder, is_chrome, is_heading_like, is_prose, lines, trim_range, word_count,
};
use super::{BlockKind, Parsed, SourceReader};

pub(crate) struct ArticleReader;

/// Field names of the infobox of an article about a military conflict
/// (Wikipedia's `Infobox military conflict`), and a few general ones.
const INFOBOX_KEYS: &[&str] = &[
    "Date",
    "Location",
    "Place",
    "Result",
    "Territorial changes",
    "Belligerents",
    "Co-belligerents",
    "Commanders and leaders",
    "Units involved",
    "Strength",
    "Casualties and losses",
    "Casualties",
    "Status",
    "Signed",
    "Effective",
    "Parties",
    "Signatories",
    "Founded",
    "Capital",
    "Government",
    "Predecessor",
    "Successor",
];

/// Splits an infobox line into its key and the rest, if it starts with a key.
fn infobox_key(line: &str) -> Option<(&'static str, &str)> {
    for key in INFOBOX_KEYS {
        if let Some(rest) = line.strip_prefix(key) {
            let rest = rest.strip_prefix(':').unwrap_or(rest);
            if rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t') {
                return Some((key, rest.trim()));
            }
        }
    }
    None
}

/// Strips a leading bullet (`•`, `*`, `-`, `·`) and returns the byte length stripped.
pub(crate) fn bullet_prefix(line: &str) -> Option<usize> {
    let t = line.trim_start();
    let lead = line.len() - t.len();
    for b in ["•", "*", "-", "·", "–"] {
        if let Some(rest) = t.strip_prefix(b) {
            if rest.starts_with(' ') || rest.starts_with('\t') {
                let r = rest.trim_start();
                return Some(lead + b.len() + (rest.len() - r.len()));
            }
        }
    }
    None
}

impl SourceReader for ArticleReader {
    fn parse(&self, original: &str) -> Parsed {
        let mut doc = DocBuilder::new(original);
        let all: Vec<_> = lines(original)
            .into_iter()
            .map(|r| trim_range(original, r))
            .collect();
        let lead = all
            .iter()
            .position(|r| is_prose(&original[r.clone()]))
            .unwrap_or(all.len());

        // The part before the lead: title, captions, infobox.
        let mut key: Option<&'static str> = None;
        let mut seen_title = false;
        let mut seen_key = false;
        for r in &all[..lead] {
            let line = &original[r.clone()];
            if is_chrome(line) {
                continue;
            }
            if let Some((k, rest)) = infobox_key(line) {
                seen_key = true;
                if rest.is_empty() {
                    key = Some(k);
                } else {
                    let start = r.end - rest.len();
                    doc.block(BlockKind::Field { key: k.to_owned() }, start..r.end);
                    // A key with its value on its line does not govern the next lines.
                    key = None;
                }
                continue;
            }
            if let Some(n) = bullet_prefix(line) {
                doc.block(
                    BlockKind::Field {
                        key: key.unwrap_or("").to_owned(),
                    },
                    r.start + n..r.end,
                );
                continue;
            }
            if !seen_key {
                let kind = if !seen_title || word_count(line) <= 5 {
                    BlockKind::Title
                } else {
                    BlockKind::Caption
                };
                seen_title = true;
                doc.block(kind, r.clone());
            } else {
                doc.block(
                    BlockKind::Field {
                        key: key.unwrap_or("").to_owned(),
                    },
                    r.clone(),
                );
            }
        }

        // The lead and the body.
        let body = &all[lead..];
        for (i, r) in body.iter().enumerate() {
            let line = &original[r.clone()];
            if is_chrome(line) {
                continue;
            }
            if let Some(n) = bullet_prefix(line) {
                doc.block(BlockKind::ListItem, r.start + n..r.end);
                continue;
            }
            if is_prose(line) {
                doc.block(BlockKind::Paragraph, r.clone());
                continue;
            }
            let followed_by_text = body[i + 1..]
                .iter()
                .map(|n| &original[n.clone()])
                .find(|n| !n.is_empty())
                .is_some_and(|n| !is_chrome(n));
            let kind = if is_heading_like(line) && word_count(line) <= 8 && followed_by_text {
                BlockKind::Heading { level: 2 }
            } else {
                BlockKind::Caption
            };
            doc.block(kind, r.clone());
        }
        doc.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str = "*** Welcome ***\n\nThe Long War\nMap of the lands in 900 with the kingdom in the north\nDate 1125–1234\nLocation China\nResult\n  • The north is conquered [3]\nBelligerents\n\nJin dynasty\n\n  • Da Qi (1133–37)\n\nThe Long War was a series of conflicts between two states that lasted for a century and more. [1] It ended in 1234.\n\nThe first years\n\nA caption of a picture with many words in it\nIn 1125 the first army marched south towards the capital, which it besieged for many months.\n\n...\nWikipedia";

    #[test]
    fn reads_title_infobox_lead_and_sections() {
        let p = ArticleReader.parse(ARTICLE);
        let got: Vec<(String, &str)> = p
            .blocks
            .iter()
            .map(|b| (format!("{:?}", b.kind), &p.text[b.span.clone()]))
            .collect();
        let want: Vec<(&str, &str)> = vec![
            ("Title", "The Long War"),
            (
                "Caption",
                "Map of the lands in 900 with the kingdom in the north",
            ),
            ("Field { key: \"Date\" }", "1125–1234"),
            ("Field { key: \"Location\" }", "China"),
            ("Field { key: \"Result\" }", "The north is conquered"),
            ("Field { key: \"Belligerents\" }", "Jin dynasty"),
            ("Field { key: \"Belligerents\" }", "Da Qi (1133–37)"),
            (
                "Paragraph",
                "The Long War was a series of conflicts between two states that lasted for a century and more. It ended in 1234.",
            ),
            ("Heading { level: 2 }", "The first years"),
            ("Caption", "A caption of a picture with many words in it"),
            (
                "Paragraph",
                "In 1125 the first army marched south towards the capital, which it besieged for many months.",
            ),
        ];
        let got: Vec<(&str, &str)> = got.iter().map(|(k, t)| (k.as_str(), *t)).collect();
        assert_eq!(got, want);
        assert_eq!(p.sections.len(), 1);
        assert_eq!(p.blocks.last().unwrap().section, Some(0));
    }
}
