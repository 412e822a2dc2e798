//! Sentences and tokens of normalized text.
//!
//! Offsets are byte offsets into [`crate::sources::Document::text`]; the
//! offset map of the document turns them into offsets of the original file.

use std::borrow::Cow;
use std::ops::Range;

use super::lexicon::{Lex, WordList};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Letters (with inner apostrophes, hyphens and dashes): `De'an`, `Jin–Song`.
    Word,
    /// Digits (with thousands separators or a decimal point): `1125`, `200,000`.
    Number,
    /// Any other single character.
    Punct,
}

/// A token as the tests' reference tokenizer ([`tokenize`]) makes it.
#[cfg(test)]
#[derive(Debug, Clone)]
pub struct Token {
    pub kind: TokenKind,
    /// Byte range in the document text.
    pub span: Range<usize>,
    /// What the cue words say of it (words only).
    pub lex: Lex,
}

/// A token with its text, as the extractor sees it.
#[derive(Debug, Clone, Copy)]
pub struct Tok<'a> {
    pub kind: TokenKind,
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
    pub lex: Lex,
    /// The token in lower case, when it is ASCII and lower case is at hand
    /// without allocating: a slice of the document's lower-cased text, or
    /// of the text itself when the token has no capital.
    pub low: Option<&'a str>,
}

impl<'a> Tok<'a> {
    pub fn is_word(&self) -> bool {
        self.kind == TokenKind::Word
    }

    pub fn is_cap(&self) -> bool {
        self.kind == TokenKind::Word
            && match self.text.as_bytes().first() {
                Some(b) if b.is_ascii() => b.is_ascii_uppercase(),
                _ => self.text.chars().next().is_some_and(char::is_uppercase),
            }
    }

    #[inline(always)]
    pub fn is(&self, s: &str) -> bool {
        // The length first, inline: most words differ in it.
        self.text.len() == s.len() && self.text.eq_ignore_ascii_case(s)
    }

    #[inline]
    pub fn is_any(&self, words: &[&str]) -> bool {
        words.iter().any(|w| self.is(w))
    }

    /// [`Tok::is_any`] of the list's words: for a word, the bit its lexicon
    /// lookup set.
    #[inline]
    pub fn in_list(&self, list: WordList) -> bool {
        if self.kind == TokenKind::Word {
            list.has(&self.lex)
        } else {
            self.is_any(list.words)
        }
    }

    /// The token in lower case, borrowed when it already is (most words).
    pub fn lower(&self) -> Cow<'a, str> {
        if let Some(l) = self.low {
            return Cow::Borrowed(l);
        }
        let t = self.text;
        if !t.is_ascii() {
            Cow::Owned(t.to_lowercase())
        } else if t.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(t.to_ascii_lowercase())
        } else {
            Cow::Borrowed(t)
        }
    }

    /// Calls `f` with the token in lower case (as [`Tok::lower`] gives it),
    /// made on the stack when the token is ASCII.
    pub fn with_lower<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        if let Some(l) = self.low {
            f(l)
        } else if self.text.is_ascii() {
            super::lexicon::with_lower(self.text, f)
        } else {
            f(&self.text.to_lowercase())
        }
    }

    /// Value of a number token (`200,000` → 200000); `None` for decimals.
    pub fn number(&self) -> Option<u64> {
        if self.kind != TokenKind::Number || self.text.contains('.') {
            return None;
        }
        // Digits and thousands separators: the digits' value, or `None`
        // past `u64` (as parsing the digits would say).
        let mut digits = self.text.bytes().filter(|&b| b != b',').peekable();
        digits.peek()?;
        digits.try_fold(0u64, |v, b| {
            let d = char::from(b).to_digit(10)?;
            v.checked_mul(10)?.checked_add(u64::from(d))
        })
    }
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | '‐' | '‑')
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’')
}

#[cfg(test)]
/// Tokens with their text (spans are byte ranges of `text`), as the
/// extractor's patterns see them. `lower`, when given, is
/// `text.to_ascii_lowercase()`: ASCII tokens then take their lower case
/// from it.
pub fn view<'a>(text: &'a str, lower: Option<&'a str>, tokens: &[Token]) -> Vec<Tok<'a>> {
    tokens
        .iter()
        .map(|t| {
            let ascii = text[t.span.clone()].is_ascii();
            tok(text, lower, t.kind, t.span.clone(), ascii, t.lex)
        })
        .collect()
}

/// The tokens of `text[range]` with their text and what the lexicon says of
/// them, the lexicon looked up with the lower case at hand. `lower`, when
/// given, is `text.to_ascii_lowercase()`: ASCII tokens then take their lower
/// case from it.
pub fn toks_in<'a>(text: &'a str, lower: Option<&'a str>, range: Range<usize>) -> Vec<Tok<'a>> {
    // About one token in four bytes: grows rarely.
    let mut out = Vec::with_capacity(range.len() / 4 + 4);
    spans(&text[range.clone()], range.start, |kind, span, ascii| {
        let mut t = tok(text, lower, kind, span, ascii, Lex::default());
        if kind == TokenKind::Word {
            t.lex = match t.low {
                Some(l) => Lex::of_lowercase(l.as_bytes()),
                None => Lex::of(t.text),
            };
        }
        out.push(t);
    });
    out
}

/// One token with its text, and its lower case when it is ASCII (`ascii`
/// says whether it is) and at hand.
#[inline]
fn tok<'a>(
    text: &'a str,
    lower: Option<&'a str>,
    kind: TokenKind,
    span: Range<usize>,
    ascii: bool,
    lex: Lex,
) -> Tok<'a> {
    let s = &text[span.clone()];
    let low = if !ascii {
        None
    } else if let Some(l) = lower.and_then(|l| l.get(span.clone())) {
        Some(l)
    } else if !s.bytes().any(|b| b.is_ascii_uppercase()) {
        Some(s)
    } else {
        None
    };
    Tok {
        kind,
        text: s,
        start: span.start,
        end: span.end,
        lex,
        low,
    }
}

/// The tokens of a whole text, viewed with their text.
pub fn toks_of(text: &str) -> Vec<Tok<'_>> {
    toks_in(text, None, 0..text.len())
}

/// Splits text into tokens; `base` is added to every offset. The tests'
/// reference: the extractor makes its tokens with [`toks_in`], in one pass.
#[cfg(test)]
pub fn tokenize(text: &str, base: usize) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 4 + 4);
    spans(text, base, |kind, span, _| {
        let lex = if kind == TokenKind::Word {
            Lex::of(&text[span.start - base..span.end - base])
        } else {
            Lex::default()
        };
        out.push(Token { kind, span, lex });
    });
    out
}

/// Hands each token's kind, span (plus `base`) and whether it is all ASCII
/// to `emit`. Reads bytes, and decodes a character only where a byte is not
/// ASCII; the tests hold it to [`tokenize_chars`], which reads characters.
fn spans(text: &str, base: usize, mut emit: impl FnMut(TokenKind, Range<usize>, bool)) {
    let b = text.as_bytes();
    let n = b.len();
    // The character at byte `i` (a character boundary) and its length.
    let ch = |i: usize| -> Option<(char, usize)> {
        let x = *b.get(i)?;
        if x < 0x80 {
            Some((char::from(x), 1))
        } else {
            text.get(i..)?.chars().next().map(|c| (c, c.len_utf8()))
        }
    };
    let alpha_at = |i: usize| ch(i).is_some_and(|(c, _)| c.is_alphabetic());
    let digit_at = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let mut i = 0;
    loop {
        // Spaces between words, without decoding.
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        let Some((c, w)) = ch(i) else { break };
        if c.is_whitespace() {
            i += w;
            continue;
        }
        let start = i;
        // Each branch says the token's kind and whether it is ASCII, and
        // leaves `i` at its end; the one call of `emit` below.
        let (kind, ascii) = if c.is_ascii_digit() {
            i += 1;
            while i < n {
                let d = b[i];
                if d.is_ascii_digit() {
                    i += 1;
                } else if d == b',' && (1..=3).all(|k| digit_at(i + k)) && !digit_at(i + 4) {
                    i += 4;
                } else if d == b'.' && digit_at(i + 1) {
                    i += 2;
                } else {
                    break;
                }
            }
            // Ordinals and decades: 13th, 1130s.
            let mut j = i;
            while j < n && b[j].is_ascii_alphabetic() {
                j += 1;
            }
            if j > i && j - i <= 2 {
                i = j;
                (TokenKind::Word, true)
            } else {
                (TokenKind::Number, true)
            }
        } else if c.is_alphabetic() {
            let mut ascii = w == 1;
            i += w;
            loop {
                // A run of ASCII letters and digits, without decoding.
                while b.get(i).is_some_and(u8::is_ascii_alphanumeric) {
                    i += 1;
                }
                let Some((c, w)) = ch(i) else { break };
                if c.is_alphanumeric() {
                    ascii &= w == 1;
                    i += w;
                } else if (is_apostrophe(c) || is_dash(c)) && alpha_at(i + w) {
                    // Possessive 's is its own token.
                    if is_apostrophe(c) && b.get(i + w) == Some(&b's') && !alpha_at(i + w + 1) {
                        break;
                    }
                    // The mark and the letter after it.
                    let next = ch(i + w).map_or(0, |(_, w)| w);
                    ascii &= w == 1 && next == 1;
                    i += w + next;
                } else {
                    break;
                }
            }
            (TokenKind::Word, ascii)
        } else if is_apostrophe(c) && b.get(i + w) == Some(&b's') && !alpha_at(i + w + 1) {
            i += w + 1;
            (TokenKind::Word, w == 1)
        } else {
            i += w;
            (TokenKind::Punct, w == 1)
        };
        emit(kind, base + start..base + i, ascii);
    }
}

/// The characters of a text by index, with their byte offsets.
#[cfg(test)]
trait Chars {
    fn len(&self) -> usize;
    fn ch(&self, i: usize) -> char;
    fn offset(&self, i: usize) -> usize;
    fn get(&self, i: usize) -> Option<char> {
        (i < self.len()).then(|| self.ch(i))
    }
}

#[cfg(test)]
impl Chars for &[(usize, char)] {
    fn len(&self) -> usize {
        <[(usize, char)]>::len(self)
    }
    fn ch(&self, i: usize) -> char {
        self[i].1
    }
    fn offset(&self, i: usize) -> usize {
        self[i].0
    }
}

/// The tests' reference for [`spans`]: the same rules, read character by
/// character from a table of the text's characters.
#[cfg(test)]
fn tokenize_chars(
    text: &str,
    base: usize,
    chars: &impl Chars,
    mut emit: impl FnMut(TokenKind, Range<usize>),
) {
    let n = chars.len();
    let end_of = |i: usize| if i < n { chars.offset(i) } else { text.len() };
    let mut i = 0;
    while i < n {
        let c = chars.ch(i);
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_digit() {
            i += 1;
            while i < n {
                let c = chars.ch(i);
                if c.is_ascii_digit() {
                    i += 1;
                } else if c == ','
                    && (1..=3).all(|k| chars.get(i + k).is_some_and(|x| x.is_ascii_digit()))
                    && !chars.get(i + 4).is_some_and(|x| x.is_ascii_digit())
                {
                    i += 4;
                } else if c == '.' && chars.get(i + 1).is_some_and(|x| x.is_ascii_digit()) {
                    i += 2;
                } else {
                    break;
                }
            }
            // Ordinals and decades: 13th, 1130s.
            let mut j = i;
            while j < n && chars.ch(j).is_ascii_alphabetic() {
                j += 1;
            }
            if j > i && j - i <= 2 {
                i = j;
                emit(
                    TokenKind::Word,
                    base + chars.offset(start)..base + end_of(i),
                );
                continue;
            }
            emit(
                TokenKind::Number,
                base + chars.offset(start)..base + end_of(i),
            );
            continue;
        }
        if c.is_alphabetic() {
            i += 1;
            while i < n {
                let c = chars.ch(i);
                if c.is_alphanumeric() {
                    i += 1;
                } else if (is_apostrophe(c) || is_dash(c))
                    && chars.get(i + 1).is_some_and(|x| x.is_alphabetic())
                {
                    // Possessive 's is its own token.
                    if is_apostrophe(c)
                        && chars.get(i + 1).is_some_and(|x| x == 's')
                        && !chars.get(i + 2).is_some_and(|x| x.is_alphabetic())
                    {
                        break;
                    }
                    i += 2;
                } else {
                    break;
                }
            }
            emit(
                TokenKind::Word,
                base + chars.offset(start)..base + end_of(i),
            );
            continue;
        }
        if is_apostrophe(c)
            && chars.get(i + 1).is_some_and(|x| x == 's')
            && !chars.get(i + 2).is_some_and(|x| x.is_alphabetic())
        {
            i += 2;
            emit(
                TokenKind::Word,
                base + chars.offset(start)..base + end_of(i),
            );
            continue;
        }
        i += 1;
        emit(
            TokenKind::Punct,
            base + chars.offset(start)..base + end_of(i),
        );
    }
}

/// Abbreviations after which a period does not end a sentence.
fn is_abbreviation(word: &str) -> bool {
    let w = word.to_ascii_lowercase();
    matches!(
        w.as_str(),
        "r" | "d"
            | "b"
            | "c"
            | "ca"
            | "fl"
            | "st"
            | "mt"
            | "dr"
            | "mr"
            | "mrs"
            | "ms"
            | "gen"
            | "lt"
            | "col"
            | "capt"
            | "adm"
            | "no"
            | "vol"
            | "pp"
            | "p"
            | "ed"
            | "eds"
            | "e.g"
            | "i.e"
            | "etc"
            | "vs"
            | "approx"
            | "jr"
            | "sr"
            | "ft"
            | "mi"
            | "km"
            | "u.s"
            | "cf"
            | "al"
            | "jan"
            | "feb"
            | "apr"
            | "jun"
            | "jul"
            | "aug"
            | "sep"
            | "sept"
            | "oct"
            | "nov"
            | "dec"
    ) || (word.len() == 1 && word.chars().all(|c| c.is_ascii_uppercase()))
}

/// Splits a block of text into sentence ranges (offsets relative to `text`, plus `base`).
pub fn sentences(text: &str, base: usize) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut depth: i32 = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth = (depth - 1).max(0),
            b'.' | b'!' | b'?' | b';' if depth == 0 || b != b';' => {
                // Look past closing quotes/brackets.
                let mut j = i + 1;
                while j < bytes.len() && matches!(bytes[j], b'"' | b'\'' | b')') {
                    j += 1;
                }
                let at_space = j >= bytes.len() || bytes[j] == b' ' || bytes[j] == b'\n';
                if b == b';' || !at_space || depth > 0 {
                    i += 1;
                    continue;
                }
                // Next non-space character must start a sentence.
                let mut k = j;
                while k < bytes.len() && (bytes[k] == b' ' || bytes[k] == b'\n') {
                    k += 1;
                }
                let next_ok = k >= bytes.len()
                    || text[k..].chars().next().is_some_and(|c| {
                        c.is_uppercase() || c.is_ascii_digit() || c == '"' || c == '('
                    });
                if b == b'.' {
                    let word_start = text[..i]
                        .char_indices()
                        .rev()
                        .find(|&(_, c)| !(c.is_alphanumeric() || c == '.'))
                        .map_or(0, |(p, c)| p + c.len_utf8());
                    let word = &text[word_start..i];
                    if is_abbreviation(word) {
                        i += 1;
                        continue;
                    }
                }
                if next_ok {
                    out.push(base + start..base + j);
                    start = k;
                    i = k;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let rest = text[start..].trim_end();
    if !rest.trim().is_empty() {
        let lead = rest.len() - rest.trim_start().len();
        out.push(base + start + lead..base + start + rest.len());
    }
    out.retain(|r| !r.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<&str> {
        tokenize(s, 0).into_iter().map(|t| &s[t.span]).collect()
    }

    /// [`spans`] against [`tokenize_chars`]: the same tokens, and each
    /// one's ASCII flag is whether its text is ASCII.
    fn assert_spans_as_by_characters(text: &str) {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let mut by_chars = Vec::new();
        tokenize_chars(text, 7, &chars.as_slice(), |k, s| by_chars.push((k, s)));
        let mut by_bytes = Vec::new();
        spans(text, 7, |k, s, ascii| {
            assert_eq!(
                ascii,
                text[s.start - 7..s.end - 7].is_ascii(),
                "{text:?} {s:?}"
            );
            by_bytes.push((k, s));
        });
        assert_eq!(by_bytes, by_chars, "{text:?}");
    }

    #[test]
    fn text_tokenizes_on_bytes_as_through_the_character_table() {
        let texts = [
            "The siege of De'an (1132) cost 200,000 taels; Tong Guan's army.",
            "In 1130s, 13th: 1,000 or 1,0000 men (3.5 li) - the Jin-Song war's end 's",
            "  O'Neil's  men-at-arms, 12ab 1.2.3 a-' 'b ''",
            "",
            "Jin–Song Wars’ end: Zürich’s ÉTÉ, De’an’s gate, a–é é–a ’s ’ś –– é’s",
            "1,2é3 12é 1.é Ωmega\u{a0}x\u{2009}y 1–2 “quoted” a\u{301}b ‐‑—",
        ];
        for text in texts {
            assert_spans_as_by_characters(text);
        }
        // Every string of up to four of these pieces, ASCII or not.
        let pieces = [
            "a", "S", "s", "1", ",", ".", "'", "’", "–", "-", "é", " ", "\u{a0}",
        ];
        let mut strings = vec![String::new()];
        for len in 0..4 {
            let longer: Vec<String> = strings
                .iter()
                .filter(|s| s.chars().count() == len)
                .flat_map(|s| pieces.iter().map(move |p| format!("{s}{p}")))
                .collect();
            strings.extend(longer);
        }
        assert!(strings.len() > 13usize.pow(4));
        for text in &strings {
            assert_spans_as_by_characters(text);
        }
        // And the bundled sources' whole texts.
        let docs = crate::build::read_sources(&[]).expect("bundled sources");
        assert!(!docs.is_empty());
        for d in &docs {
            assert_spans_as_by_characters(&d.text);
        }
    }

    #[test]
    fn a_number_token_has_the_value_of_its_digits() {
        let texts = [
            "0",
            "7",
            "1125",
            "200,000",
            "1,000,000",
            "3.5",
            "18446744073709551615",
            "18446744073709551616",
            "18,446,744,073,709,551,616",
            "99999999999999999999999",
        ];
        for text in texts {
            let toks = toks_of(text);
            assert_eq!(toks.len(), 1, "{text}");
            let parsed = if text.contains('.') {
                None
            } else {
                text.replace(',', "").parse::<u64>().ok()
            };
            assert_eq!(toks[0].number(), parsed, "{text}");
        }
        assert_eq!(toks_of("200,000")[0].number(), Some(200_000));
        assert_eq!(toks_of("men")[0].number(), None);
    }

    #[test]
    fn toks_in_one_pass_are_the_view_of_the_tokens() {
        let text = "The Siege of DE'AN began in May, 1132; Zürich's ÉTÉ and Jin–Song Wars.";
        let lowered = text.to_ascii_lowercase();
        for lower in [None, Some(lowered.as_str())] {
            for range in [0..text.len(), 4..31, 33..text.len()] {
                let tokens = tokenize(&text[range.clone()], range.start);
                let by_view = view(text, lower, &tokens);
                let in_one = toks_in(text, lower, range);
                // Every field: kind, text, span, lexicon facts, lower case.
                assert_eq!(format!("{in_one:?}"), format!("{by_view:?}"));
                // The lexicon did say something of some of them.
                assert!(in_one.iter().any(|t| t.lex != Lex::default()));
            }
        }
    }

    #[test]
    fn a_token_lower_case_is_the_same_with_or_without_the_lowered_text() {
        let text = "The Siege of DE'AN by Tong Guan, Zürich and Jin–Song; ÉTÉ";
        let lowered = text.to_ascii_lowercase();
        let tokens = tokenize(text, 0);
        let with = view(text, Some(&lowered), &tokens);
        let without = view(text, None, &tokens);
        assert_eq!(with.len(), without.len());
        for (a, b) in with.iter().zip(&without) {
            assert_eq!(a.lower(), b.lower());
            assert_eq!(a.lower(), a.text.to_lowercase());
            assert_eq!(a.with_lower(str::to_owned), b.with_lower(str::to_owned));
            // Only an ASCII token with a capital needs the lowered text.
            assert_eq!(a.low.is_some(), a.text.is_ascii());
        }
    }

    #[test]
    fn a_full_stop_after_a_multibyte_character_ends_a_sentence() {
        let text = "He fled –•. Then he came back.";
        let s = sentences(text, 0);
        assert_eq!(s.len(), 2, "{s:?}");
        assert_eq!(&text[s[1].clone()], "Then he came back.");
    }

    #[test]
    fn tokenizes_names_numbers_and_punctuation() {
        assert_eq!(
            toks("The siege of De'an (1132) cost 200,000 taels; Jin–Song Wars, Tong Guan's army."),
            vec![
                "The",
                "siege",
                "of",
                "De'an",
                "(",
                "1132",
                ")",
                "cost",
                "200,000",
                "taels",
                ";",
                "Jin–Song",
                "Wars",
                ",",
                "Tong",
                "Guan",
                "'s",
                "army",
                "."
            ]
        );
        assert_eq!(
            toks("the 1130s and 13th century"),
            vec!["the", "1130s", "and", "13th", "century"]
        );
        assert_eq!(toks("1206–1208"), vec!["1206", "–", "1208"]);
        assert_eq!(
            toks("3.5 km, 1,000 men"),
            vec!["3.5", "km", ",", "1,000", "men"]
        );
        assert_eq!(toks("In 1114, the"), vec!["In", "1114", ",", "the"]);
    }

    #[test]
    fn splits_sentences_but_not_abbreviations() {
        let s = "Huizong (r. 1100–1127) fled. Wu Xi (d. 1207) defected. It fell in Jan. 1127! Then \"peace.\" Done";
        let got: Vec<&str> = sentences(s, 0).into_iter().map(|r| &s[r]).collect();
        assert_eq!(
            got,
            vec![
                "Huizong (r. 1100–1127) fled.",
                "Wu Xi (d. 1207) defected.",
                "It fell in Jan. 1127!",
                "Then \"peace.\"",
                "Done"
            ]
        );
    }
}
