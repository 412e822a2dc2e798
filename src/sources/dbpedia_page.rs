//! Reader for DBpedia-style resource pages: a lead paragraph, then an
//! `Attributes | Values` table in which each attribute name stands on its
//! own line and its values follow on `| - value` lines (continuations on the
//! next lines, `*` bullets for multi-valued text, `| |` for an empty value,
//! a bare `|` closing the value).

use super::text::{DocBuilder, lines, trim_range};
use super::{BlockKind, Parsed, SourceReader};

pub(crate) struct DbpediaPageReader;

impl SourceReader for DbpediaPageReader {
    fn parse(&self, original: &str) -> Parsed {
        let mut doc = DocBuilder::new(original);
        let all = lines(original);
        let header = all.iter().position(|r| {
            original[r.clone()]
                .trim_start()
                .starts_with("Attributes | Values")
        });
        let (lead, table) = match header {
            Some(h) => (&all[..h], &all[h + 1..]),
            None => (&all[..], &all[all.len()..]),
        };
        for r in lead {
            let r = trim_range(original, r.clone());
            if !r.is_empty() {
                doc.block(BlockKind::Paragraph, r);
            }
        }

        let mut key: Option<String> = None;
        // Byte ranges of the lines of the value being read.
        let mut value: Vec<std::ops::Range<usize>> = Vec::new();
        let mut in_value = false;
        for r in table {
            let line = &original[r.clone()];
            let t = line.trim();
            if !in_value {
                if t.is_empty() || t.chars().all(|c| c == '-' || c == '|') {
                    continue;
                }
                if let Some(rest) = t.strip_prefix('|') {
                    // A value line for the current key.
                    let rest = rest.trim();
                    if rest.is_empty() || rest == "|" {
                        key = None;
                        continue;
                    }
                    in_value = true;
                    let off = r.start + line.find('|').map_or(0, |i| i + 1);
                    value.push(off..r.end);
                    continue;
                }
                key = Some(t.to_owned());
                continue;
            }
            // Inside a value: a line starting with '|' closes it.
            if t.starts_with('|') {
                flush(&mut doc, key.as_deref().unwrap_or(""), &value);
                value.clear();
                in_value = false;
                key = None;
                continue;
            }
            value.push(r.clone());
        }
        if in_value {
            flush(&mut doc, key.as_deref().unwrap_or(""), &value);
        }
        doc.finish()
    }
}

/// Writes the values of one attribute: each `- ` line or `*` bullet is a value.
fn flush(doc: &mut DocBuilder<'_>, key: &str, value: &[std::ops::Range<usize>]) {
    let original = doc.original;
    let mut items: Vec<std::ops::Range<usize>> = Vec::new();
    for r in value {
        let r = trim_range(original, r.clone());
        let mut start = r.start;
        let mut s = &original[r.clone()];
        let mut new_item = items.is_empty();
        for prefix in ["- ", "-"] {
            if let Some(rest) = s.strip_prefix(prefix) {
                start += prefix.len();
                s = rest;
                new_item = true;
                break;
            }
        }
        let trimmed = s.trim_start();
        start += s.len() - trimmed.len();
        s = trimmed;
        if let Some(rest) = s.strip_prefix('*') {
            start += 1;
            let t = rest.trim_start();
            start += rest.len() - t.len();
            new_item = true;
        }
        let item = start..r.end;
        if item.is_empty() {
            continue;
        }
        match items.last_mut() {
            Some(last) if !new_item => last.end = item.end,
            _ => items.push(item),
        }
    }
    for item in items {
        doc.block(
            BlockKind::Field {
                key: key.to_owned(),
            },
            item,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "Lead text about the war.\nAttributes | Values |\n---|\nrdf:type\n| |\nrdfs:label\n| - The War\n|\nResult\n| - *First result\n*Second result\ncontinued\n|\nabstract\n| - Long text.\n|";

    #[test]
    fn reads_lead_and_fields() {
        let p = DbpediaPageReader.parse(PAGE);
        let fields: Vec<(String, &str)> = p
            .blocks
            .iter()
            .map(|b| {
                let k = match &b.kind {
                    BlockKind::Field { key } => key.clone(),
                    other => format!("{other:?}"),
                };
                (k, &p.text[b.span.clone()])
            })
            .collect();
        assert_eq!(
            fields,
            vec![
                ("Paragraph".to_owned(), "Lead text about the war."),
                ("rdfs:label".to_owned(), "The War"),
                ("Result".to_owned(), "First result"),
                ("Result".to_owned(), "Second result continued"),
                ("abstract".to_owned(), "Long text."),
            ]
        );
        // Offsets point at the original words.
        let b = &p.blocks[3];
        let r = p.map.to_original(b.span.clone());
        assert_eq!(&PAGE[r], "Second result\ncontinued");
    }
}
