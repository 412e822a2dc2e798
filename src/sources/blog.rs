//! Reader for blog posts: a first line `YEAR || Title`, section headings as
//! bare short lines, paragraphs one per line, and bulleted lists (`- Name`).

use super::article::bullet_prefix;
use super::text::{DocBuilder, is_chrome, is_heading_like, is_prose, lines, trim_range};
use super::{BlockKind, Parsed, SourceReader};

pub(crate) struct BlogReader;

impl SourceReader for BlogReader {
    fn parse(&self, original: &str) -> Parsed {
        let mut doc = DocBuilder::new(original);
        let all: Vec<_> = lines(original)
            .into_iter()
            .map(|r| trim_range(original, r))
            .filter(|r| !r.is_empty())
            .collect();
        let mut rest = &all[..];
        if let Some(first) = all.first() {
            let line = &original[first.clone()];
            if let Some(sep) = line.find("||") {
                let year = first.start..first.start + line[..sep].trim_end().len();
                let title = trim_range(original, first.start + sep + 2..first.end);
                doc.block(BlockKind::Title, title);
                if !year.is_empty() {
                    doc.block(
                        BlockKind::Field {
                            key: "Date".to_owned(),
                        },
                        year,
                    );
                }
                rest = &all[1..];
            }
        }
        for r in rest {
            let line = &original[r.clone()];
            if is_chrome(line) {
                continue;
            }
            if let Some(n) = bullet_prefix(line) {
                doc.block(BlockKind::ListItem, r.start + n..r.end);
            } else if is_prose(line) {
                doc.block(BlockKind::Paragraph, r.clone());
            } else if is_heading_like(line) {
                doc.block(BlockKind::Heading { level: 2 }, r.clone());
            } else {
                doc.block(BlockKind::Caption, r.clone());
            }
        }
        doc.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_title_headings_paragraphs_and_list() {
        let text = "1066 || England Falls\nIn the year 1066, the English king faced two invasions in a few weeks, and lost his life and his kingdom.\nThe battle\nThe armies met near Hastings on October 14, 1066, and fought for the whole day until dusk.\n- Harold Godwinson\n- William the Conqueror";
        let p = BlogReader.parse(text);
        let got: Vec<(String, &str)> = p
            .blocks
            .iter()
            .map(|b| (format!("{:?}", b.kind), &p.text[b.span.clone()]))
            .collect();
        assert_eq!(got[0], ("Title".to_owned(), "England Falls"));
        assert_eq!(got[1], ("Field { key: \"Date\" }".to_owned(), "1066"));
        assert_eq!(got[2].0, "Paragraph");
        assert_eq!(got[3], ("Heading { level: 2 }".to_owned(), "The battle"));
        assert_eq!(got[4].0, "Paragraph");
        assert_eq!(got[5], ("ListItem".to_owned(), "Harold Godwinson"));
        assert_eq!(p.blocks[4].section, Some(0));
    }
}
