//! Reader for WikiText-103 tokenized articles.
//!
//! The tokenized form separates punctuation with spaces (`Kaifeng , the`),
//! writes ` @-@ `, ` @,@ `, ` @.@ ` for a hyphen, a thousands separator and a
//! decimal point, marks headings `= = Title = =` (depth = number of `=`),
//! sometimes inside triple-backtick fences, and replaced every non-Latin
//! character by `?`: an en dash between years became `1115 ? 1234`, Chinese
//! names became `(??)`. This reader detokenizes that back to plain English
//! (`Kaifeng, the`, `200,000`, `(1115–1234)`, `De'an`), drops the lost
//! characters, rebuilds the section tree and joins paragraphs that the corpus
//! split in mid-sentence. Paragraphs that were never tokenized pass through
//! unchanged.

use std::ops::Range;

use super::text::{DocBuilder, lines, trim_range};
use super::{BlockKind, Parsed, SourceReader, TextBuilder};

pub(crate) struct WikiTextReader;

/// The depth of a heading line (`= = Title = =` is 2), if it is one.
pub(crate) fn heading_level(line: &str) -> Option<u8> {
    let line = unwrap_caret(line.trim());
    if !line.starts_with('=') || !line.ends_with('=') || line.len() < 3 {
        return None;
    }
    let level = line
        .chars()
        .take_while(|c| *c == '=' || *c == ' ')
        .filter(|c| *c == '=')
        .count();
    let inner = line.trim_matches(|c| c == '=' || c == ' ');
    (!inner.is_empty() && level > 0).then(|| level.min(6) as u8)
}

/// `^{= =} Title = =` (a markup artefact) reads as `= = Title = =`.
fn unwrap_caret(line: &str) -> std::borrow::Cow<'_, str> {
    if let Some(rest) = line.strip_prefix("^{") {
        if let Some(close) = rest.find('}') {
            return format!("{}{}", &rest[..close], &rest[close + 1..]).into();
        }
    }
    line.into()
}

/// Range of the title inside a heading line.
fn heading_title(original: &str, range: Range<usize>) -> Range<usize> {
    let line = &original[range.clone()];
    let mut start = 0;
    if let Some(rest) = line.strip_prefix("^{") {
        if let Some(close) = rest.find('}') {
            start = 2 + close + 1;
        }
    }
    let inner = &line[start..];
    let lead = inner.len() - inner.trim_start_matches(['=', ' ']).len();
    let trail = inner.len() - inner.trim_end_matches(['=', ' ']).len();
    let s = range.start + start + lead;
    let e = (range.end - trail).max(s);
    s..e
}

/// Whether a paragraph line stops in the middle of a sentence.
fn ends_open(s: &str) -> bool {
    let s = s.trim_end();
    !(s.ends_with('.') || s.ends_with('!') || s.ends_with('"') || s.ends_with(". )"))
}

impl SourceReader for WikiTextReader {
    fn parse(&self, original: &str) -> Parsed {
        let mut doc = DocBuilder::new(original);
        let all: Vec<_> = lines(original)
            .into_iter()
            .map(|r| trim_range(original, r))
            .collect();
        // Group paragraph lines that belong together.
        let mut pending: Vec<Range<usize>> = Vec::new();
        let flush = |doc: &mut DocBuilder<'_>, pending: &mut Vec<Range<usize>>| {
            if pending.is_empty() {
                return;
            }
            let parts = std::mem::take(pending);
            let at = parts[0].start;
            doc.block_with(BlockKind::Paragraph, at, |tb| {
                for (i, p) in parts.iter().enumerate() {
                    if i > 0 {
                        tb.replace(" ", parts[i - 1].end..p.start);
                    }
                    detokenize(tb, original, p.clone());
                }
            });
        };
        for r in &all {
            let line = &original[r.clone()];
            if line.is_empty() || line.starts_with("```") {
                continue;
            }
            if let Some(level) = heading_level(line) {
                flush(&mut doc, &mut pending);
                let title = heading_title(original, r.clone());
                doc.block_with(BlockKind::Heading { level }, title.start, |tb| {
                    detokenize(tb, original, title.clone())
                });
                continue;
            }
            let continues = pending.last().is_some_and(|last| {
                ends_open(&original[last.clone()])
                    || line.chars().next().is_some_and(|c| c.is_lowercase())
            });
            if !continues {
                flush(&mut doc, &mut pending);
            }
            pending.push(r.clone());
        }
        flush(&mut doc, &mut pending);
        doc.finish()
    }
}

/// A token of the tokenized text and how it joins its neighbours.
#[derive(Debug)]
struct Piece<'a> {
    /// Output text; `None` keeps the original token.
    text: Option<String>,
    raw: &'a str,
    range: Range<usize>,
    /// No space before this piece.
    glue_left: bool,
    /// No space after this piece.
    glue_right: bool,
    dropped: bool,
}

impl Piece<'_> {
    fn out(&self) -> &str {
        self.text.as_deref().unwrap_or(self.raw)
    }
}

fn is_lost(s: &str) -> bool {
    s.len() >= 2 && s.chars().all(|c| c == '?')
}

/// Replaces runs of 2+ `?` inside a token, and `?` between digits, and
/// drops a lost name at the start of a parenthesis (`(??;` → `(`).
fn clean_token(raw: &str) -> Option<String> {
    if !raw.contains('?') {
        return None;
    }
    let chars: Vec<char> = raw.chars().collect();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '?' {
            let mut j = i;
            while j < chars.len() && chars[j] == '?' {
                j += 1;
            }
            let run = j - i;
            let prev_digit = i > 0 && chars[i - 1].is_ascii_digit();
            let next_digit = chars.get(j).is_some_and(|c| c.is_ascii_digit());
            if run == 1 && prev_digit && (next_digit || j == chars.len()) {
                out.push('–');
            } else if run >= 2 {
                // Lost characters; a separator right after them goes too.
                if matches!(chars.get(j), Some(';') | Some(',')) && out.ends_with('(') {
                    j += 1;
                }
            } else {
                out.push('?');
            }
            i = j;
            continue;
        }
        out.push(c);
        i += 1;
    }
    (out != raw).then_some(out)
}

/// Writes a detokenized version of a tokenized line.
pub(crate) fn detokenize(tb: &mut TextBuilder, original: &str, range: Range<usize>) {
    let line = &original[range.clone()];
    // Split on spaces, keeping ranges.
    let mut pieces: Vec<Piece<'_>> = Vec::new();
    let mut pos = 0;
    for raw in line.split(' ') {
        let start = range.start + pos;
        pos += raw.len() + 1;
        if raw.is_empty() {
            continue;
        }
        pieces.push(Piece {
            text: None,
            raw,
            range: start..start + raw.len(),
            glue_left: false,
            glue_right: false,
            dropped: false,
        });
    }
    let n = pieces.len();
    let mut in_quote = false;
    for i in 0..n {
        let raw = pieces[i].raw;
        match raw {
            "@-@" | "@,@" | "@.@" => {
                pieces[i].text = Some(raw[1..2].to_owned());
                pieces[i].glue_left = true;
                pieces[i].glue_right = true;
            }
            "," | "." | ";" | ":" | "!" | ")" | "]" | "}" | "%" | "'s" | "'" | "n't" | "'re"
            | "'ve" | "'ll" | "'d" | "'m" => pieces[i].glue_left = true,
            "(" | "[" | "{" | "$" => pieces[i].glue_right = true,
            "\"" => {
                if in_quote {
                    pieces[i].glue_left = true;
                } else {
                    pieces[i].glue_right = true;
                }
                in_quote = !in_quote;
            }
            "?" => {
                let prev = i.checked_sub(1).map(|j| pieces[j].raw);
                let next = pieces.get(i + 1).map(|p| p.raw);
                let digit_end = |s: &str| {
                    s.trim_start_matches('(')
                        .chars()
                        .last()
                        .is_some_and(|c| c.is_ascii_digit())
                };
                let digit_start = |s: &str| s.chars().next().is_some_and(|c| c.is_ascii_digit());
                let cap_word = |s: &str| {
                    s.chars().next().is_some_and(|c| c.is_uppercase())
                        && s.chars().all(|c| c.is_alphabetic())
                };
                match (prev, next) {
                    (Some(p), Some(q)) if digit_end(p) && digit_start(q) => {
                        pieces[i].text = Some("–".to_owned());
                        pieces[i].glue_left = true;
                        pieces[i].glue_right = true;
                    }
                    (Some(p), Some(q)) if cap_word(p) && cap_word(q) => {
                        pieces[i].text = Some("–".to_owned());
                        pieces[i].glue_left = true;
                        pieces[i].glue_right = true;
                    }
                    (Some(_), Some(q)) if q.chars().next().is_some_and(|c| c.is_alphanumeric()) => {
                        pieces[i].text = Some("–".to_owned());
                    }
                    _ => pieces[i].glue_left = true,
                }
            }
            _ if is_lost(raw) => {
                pieces[i].dropped = true;
                // `?? ;` inside a parenthesis: the separator goes too.
                let prev_open = i > 0 && pieces[i - 1].raw.ends_with('(');
                if let Some(next) = pieces.get_mut(i + 1) {
                    if prev_open && (next.raw == ";" || next.raw == ",") {
                        next.dropped = true;
                    }
                }
            }
            _ => {
                if raw.starts_with('\'')
                    && raw.len() > 1
                    && raw[1..].starts_with(char::is_lowercase)
                {
                    // `De 'an` → `De'an`.
                    pieces[i].glue_left = true;
                }
                let next_cap = pieces
                    .get(i + 1)
                    .is_some_and(|p| p.raw.chars().next().is_some_and(|c| c.is_uppercase()));
                if let Some(word) = raw.strip_suffix('?') {
                    // `Song? Jin alliance`: a lost dash between two names.
                    if next_cap
                        && word.chars().next().is_some_and(|c| c.is_uppercase())
                        && word.chars().all(|c| c.is_alphabetic())
                    {
                        pieces[i].text = Some(format!("{word}–"));
                        pieces[i].glue_right = true;
                        continue;
                    }
                }
                if let Some(t) = clean_token(raw) {
                    if t.ends_with('–') {
                        pieces[i].glue_right = true;
                    }
                    if t.is_empty() || t == "()" {
                        pieces[i].dropped = true;
                    } else if t == "(" {
                        pieces[i].glue_right = true;
                        if let Some(next) = pieces.get_mut(i + 1) {
                            if next.raw == ";" || next.raw == "," {
                                next.dropped = true;
                            }
                        }
                    }
                    pieces[i].text = Some(t);
                }
            }
        }
    }
    // A parenthesis left empty by dropped tokens goes entirely.
    for i in 0..n {
        if pieces[i].dropped || pieces[i].out() != "(" {
            continue;
        }
        let mut j = i + 1;
        while j < n && pieces[j].dropped {
            j += 1;
        }
        if j < n && pieces[j].out().starts_with(')') && j > i + 1 {
            pieces[i].dropped = true;
            let rest = pieces[j].out()[1..].to_owned();
            if rest.is_empty() {
                pieces[j].dropped = true;
            } else {
                pieces[j].text = Some(rest);
            }
        }
    }
    // Emit.
    let mut prev: Option<usize> = None;
    for i in 0..n {
        if pieces[i].dropped {
            continue;
        }
        if let Some(p) = prev {
            if !(pieces[p].glue_right || pieces[i].glue_left) {
                tb.replace(" ", pieces[p].range.end..pieces[i].range.start);
            }
        }
        match &pieces[i].text {
            None => tb.copy(original, pieces[i].range.clone()),
            Some(t) => tb.replace(t, pieces[i].range.clone()),
        }
        prev = Some(i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detok(s: &str) -> String {
        let mut tb = TextBuilder::new();
        detokenize(&mut tb, s, 0..s.len());
        tb.finish().0
    }

    #[test]
    fn detokenizes_wikitext_103() {
        let cases = [
            ("Kaifeng , the Song capital .", "Kaifeng, the Song capital."),
            ("200 @,@ 000 bolts of silk", "200,000 bolts of silk"),
            ("a one @-@ time payment", "a one-time payment"),
            ("3 @.@ 5 km", "3.5 km"),
            (
                "the Jurchen Jin dynasty (1115 ? 1234) and",
                "the Jurchen Jin dynasty (1115–1234) and",
            ),
            ("The Jin ? Song Wars were", "The Jin–Song Wars were"),
            (
                "Huizong (r . 1100 ? 1127) and",
                "Huizong (r. 1100–1127) and",
            ),
            ("the siege of De 'an in 1132", "the siege of De'an in 1132"),
            ("Tong Guan 's command", "Tong Guan's command"),
            ("the Jurchens ' quick defeat", "the Jurchens' quick defeat"),
            ("Zhang Jue (??) , who", "Zhang Jue, who"),
            (
                "Li Gang (??; 1083 ? 1140) rallied",
                "Li Gang (1083–1140) rallied",
            ),
            (
                "Zhang Bangchang (???? ; 1081 ? 1127) , as",
                "Zhang Bangchang (1081–1127), as",
            ),
            (
                "Yang Qizhong (???; 1102? 1166).",
                "Yang Qizhong (1102–1166).",
            ),
            ("the Jin \" golden \" dynasty", "the Jin \"golden\" dynasty"),
            ("called xingzai ?? . The", "called xingzai. The"),
            ("Zhang Xuan??, a great", "Zhang Xuan, a great"),
            ("dynasty (1115?1234) in", "dynasty (1115–1234) in"),
            (
                "The collapse of the Song? Jin alliance",
                "The collapse of the Song–Jin alliance",
            ),
            ("the Jin ? a forecast", "the Jin – a forecast"),
            (
                "Dasan Pass (???; modern Shaanxi) in",
                "Dasan Pass (modern Shaanxi) in",
            ),
            (
                "In 1114, the chieftain (untokenized).",
                "In 1114, the chieftain (untokenized).",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(detok(input), want, "input: {input}");
        }
    }

    #[test]
    fn headings_and_paragraph_joins() {
        let text = "Intro text , here .\n\n```\n= = = First campaign = = =\n```\n\nKaifeng was besieged . The commander promised to\n\nspare the city .\n\n^{= =} Later = =\n\nMore .";
        let p = WikiTextReader.parse(text);
        let got: Vec<(String, &str)> = p
            .blocks
            .iter()
            .map(|b| (format!("{:?}", b.kind), &p.text[b.span.clone()]))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Paragraph".to_owned(), "Intro text, here."),
                ("Heading { level: 3 }".to_owned(), "First campaign"),
                (
                    "Paragraph".to_owned(),
                    "Kaifeng was besieged. The commander promised to spare the city."
                ),
                ("Heading { level: 2 }".to_owned(), "Later"),
                ("Paragraph".to_owned(), "More."),
            ]
        );
        // "spare" maps into the second line of the original.
        let i = p.text.find("spare").unwrap();
        assert_eq!(&text[p.map.to_original(i..i + 5)], "spare");
        assert_eq!(heading_level("= = = = Siege of Taiyuan = = ="), Some(4));
        assert_eq!(heading_level("= = Second siege = = = ="), Some(2));
        assert_eq!(heading_level("Not = a heading"), None);
    }
}
