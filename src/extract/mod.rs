//! Extraction: from documents to mentions, entity facts and event frames.
//!
//! Three steps, each general (no fact about any source is written here):
//! 1. [`scan`] splits each document into sentences and tokens, tags time
//!    expressions (resolving relative ones against the discourse) and finds
//!    names with the cues around them.
//! 2. [`NameTable::build`] pools the cues of every mention of a name over the
//!    whole corpus to decide what each name is (a polity, a person, a place,
//!    an event), and learns the corpus's own aliases: "Jin" for "Jin dynasty",
//!    "Jurchen Jin dynasty" for the same, "the Jurchens" for its people.
//! 3. [`frames::extract`] reads each document again, in memory, with those
//!    classes: entity facts (life spans, reigns, capitals, modern names,
//!    allegiance) and event frames (battles, sieges, campaigns, treaties,
//!    with dates, places, sides, commanders, results, terms).
//!
//! Extraction does not decide identity across documents: that is `resolve`.

pub mod dates;
pub mod frames;
pub mod lexicon;
pub mod model;
pub mod names;
pub mod text;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::sources::{BlockKind, Document};
use dates::{Anchor, TimeKind, TimeMention};
pub use model::*;
use names::{DocWords, NameClass, NameMention, Votes};
use text::Tok;

/// Normalizes a name for comparison: lower case, no diacritics, dashes and
/// apostrophes unified, single spaces.
pub fn norm_key(s: &str) -> String {
    if s.is_ascii() {
        // The common case: lower case is all a key needs when there is no
        // dash, backquote, white space other than single spaces between
        // words. The checks are folds, without early exits, so they vectorize.
        let lower = s.to_ascii_lowercase();
        let b = lower.as_bytes();
        let odd_byte = b.iter().fold(false, |odd, &c| {
            odd | (c == b'-') | (c == b'`') | (c != b' ' && c.is_ascii_whitespace())
        });
        let odd_space = b.first() == Some(&b' ')
            || b.last() == Some(&b' ')
            || b.iter()
                .zip(b.get(1..).unwrap_or_default())
                .fold(false, |odd, (x, y)| odd | ((*x == b' ') & (*y == b' ')));
        if !odd_byte && !odd_space {
            return lower;
        }
        // Byte by byte; ASCII in, ASCII out: never the lossy branch.
        let out: Vec<u8> = NormBytes::new(s).collect();
        return String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    }
    let mut out = String::with_capacity(s.len());
    // Whether a space is owed before the next character.
    let mut space = false;
    for ch in s.chars() {
        if ch.is_ascii() {
            push_normalized(ch, &mut space, &mut out);
        } else {
            // Decomposed one character at a time: only combining marks could
            // be reordered across characters, and they are dropped.
            unicode_normalization::char::decompose_compatible(ch, |c| {
                if !unicode_normalization::char::is_combining_mark(c) {
                    push_normalized(c, &mut space, &mut out);
                }
            });
        }
    }
    out
}

/// The bytes of [`norm_key`] of an ASCII text, one at a time: dashes are
/// spaces, backquotes apostrophes, runs of white space one space (none at
/// either end), letters in lower case.
struct NormBytes<'a> {
    bytes: std::str::Bytes<'a>,
    /// A byte already made, waiting behind the space it comes after.
    next: Option<u8>,
    /// Whether a space is owed before the next byte.
    space: bool,
    started: bool,
}

impl<'a> NormBytes<'a> {
    fn new(s: &'a str) -> Self {
        NormBytes {
            bytes: s.bytes(),
            next: None,
            space: false,
            started: false,
        }
    }
}

impl Iterator for NormBytes<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        if let Some(c) = self.next.take() {
            return Some(c);
        }
        loop {
            let c = match self.bytes.next()? {
                b'-' => b' ',
                b'`' => b'\'',
                b => b.to_ascii_lowercase(),
            };
            if c.is_ascii_whitespace() {
                self.space = self.started;
                continue;
            }
            self.started = true;
            if self.space {
                self.space = false;
                self.next = Some(c);
                return Some(b' ');
            }
            return Some(c);
        }
    }
}

/// One character of a decomposed text into its key: dashes are spaces,
/// curly apostrophes straight, runs of white space one space (none at the
/// start; `space` says one is owed), letters in lower case.
#[inline(always)]
fn push_normalized(c: char, space: &mut bool, out: &mut String) {
    let c = match c {
        '–' | '—' | '‐' | '‑' | '-' => ' ',
        '’' | '‘' | '`' => '\'',
        c => c,
    };
    if c.is_whitespace() {
        *space = !out.is_empty();
        return;
    }
    if *space {
        out.push(' ');
        *space = false;
    }
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else {
        out.extend(c.to_lowercase());
    }
}

/// A sentence (or a heading, title or field value) of a document.
#[derive(Debug)]
pub struct Sentence<'d> {
    pub span: Range<usize>,
    pub block: usize,
    /// Its tokens, with their text (made once: the steps read them many times).
    pub toks: Vec<Tok<'d>>,
    pub times: Vec<TimeMention>,
    pub names: Vec<NameMention>,
    /// The discourse date before this sentence.
    pub anchor: Anchor,
}

impl<'d> Sentence<'d> {
    pub fn toks(&self) -> &[Tok<'d>] {
        &self.toks
    }
}

/// A document split into sentences, with names and times found.
#[derive(Debug)]
pub struct Scanned<'d> {
    pub doc: &'d Document,
    pub sentences: Vec<Sentence<'d>>,
}

/// Step 1: sentences, tokens, times, names.
pub fn scan(doc: &Document) -> Scanned<'_> {
    scan_with(doc, None)
}

/// [`scan`], given `doc.text.to_ascii_lowercase()` to take the tokens'
/// lower case from (the rules ask for it often).
pub fn scan_with<'d>(doc: &'d Document, lower: Option<&'d str>) -> Scanned<'d> {
    // Field values read as prose, decided once per block (a block has many sentences).
    let prose: Vec<bool> = doc
        .blocks
        .iter()
        .map(|b| {
            matches!(b.kind, BlockKind::Field { .. }) && names_prose(&doc.text[b.span.clone()])
        })
        .collect();
    let mut units: Vec<(usize, Range<usize>)> = Vec::new();
    for (bi, b) in doc.blocks.iter().enumerate() {
        let text = &doc.text[b.span.clone()];
        match b.kind {
            BlockKind::Paragraph | BlockKind::Caption | BlockKind::ListItem => {
                for s in text::sentences(text, b.span.start) {
                    units.push((bi, s));
                }
            }
            BlockKind::Field { .. } if prose[bi] => {
                for s in text::sentences(text, b.span.start) {
                    units.push((bi, s));
                }
            }
            _ => units.push((bi, b.span.clone())),
        }
    }
    let tokenized: Vec<Vec<Tok<'_>>> = units
        .iter()
        .map(|(_, r)| text::toks_in(&doc.text, lower, r.clone()))
        .collect();
    // Sized for the distinct words of a document, about one in eight of its
    // tokens: the sets do not grow word by word.
    let tokens: usize = tokenized.iter().map(Vec::len).sum();
    let mut words = DocWords::with_capacity(tokens / 8);
    for toks in &tokenized {
        words.observe(toks);
    }
    let mut anchor = Anchor::default();
    let mut sentences = Vec::with_capacity(units.len());
    for ((bi, span), toks) in units.into_iter().zip(tokenized) {
        let narrative = matches!(
            doc.blocks[bi].kind,
            BlockKind::Paragraph | BlockKind::ListItem
        ) || prose[bi];
        let before = anchor;
        let times = if narrative {
            dates::tag(&toks, &mut anchor)
        } else {
            let mut scratch = anchor;
            dates::tag(&toks, &mut scratch)
        };
        let field = match &doc.blocks[bi].kind {
            BlockKind::Field { key } if !narrative => Some(key.as_str()),
            _ => None,
        };
        let names = names::find_names_in(&toks, &times, &words, field);
        sentences.push(Sentence {
            span,
            block: bi,
            toks,
            times,
            names,
            anchor: before,
        });
    }
    Scanned { doc, sentences }
}

/// Whether a field value is prose to read sentence by sentence.
fn names_prose(text: &str) -> bool {
    text.split_whitespace().count() >= 12 && text.contains(". ")
        || text.ends_with('.') && text.split_whitespace().count() >= 12
}

/// The two words of a key of two words (split on its one space), as
/// `key.split(' ')` would give them.
fn two_words_of(key: &str) -> Option<[&str; 2]> {
    let (first, last) = key.split_once(' ')?;
    (!last.contains(' ')).then_some([first, last])
}

/// Step 2: what each name is, from all its mentions in the corpus.
#[derive(Debug, Default)]
pub struct NameTable {
    /// What each key's mentions say: looked up, or walked with its keys
    /// sorted (the build's passes, [`NameTable::polities`]).
    keys: FxHashMap<String, KeyFacts>,
    /// Distinct life spans stated for a person's name (homonyms).
    lifespans: FxHashMap<String, BTreeSet<(i32, i32)>>,
    /// Bare name → polity surface ("jin" → "Jin dynasty").
    bare: FxHashMap<String, String>,
    /// Name with a people's adjective → the polity it names ("jurchen jin dynasty" → "Jin dynasty").
    stripped: FxHashMap<String, String>,
    /// People (singular or plural) → the polity they formed ("jurchens" → "Jin dynasty").
    peoples: FxHashMap<String, String>,
    /// Bare name of a natural feature → its full name ("huai" → "Huai River").
    place_bare: FxHashMap<String, String>,
    /// Last word of a polity's name → the polity ("qi" → "Da Qi").
    suffix: FxHashMap<String, String>,
    /// Classes decided by aliases rather than votes (of keys the table
    /// has).
    forced: FxHashMap<String, NameClass>,
    /// Whether the table is built: each key's [`KeyFacts::class`] is then
    /// its class, looked up rather than worked out.
    built: bool,
}

/// What the mentions of one key say.
#[derive(Debug, Default)]
struct KeyFacts {
    /// What they vote for.
    votes: Votes,
    /// How each way of writing the key is written, and how often (a key
    /// has few).
    surfaces: Vec<(String, usize)>,
    /// Once the table is built, [`NameTable::class_of_key`].
    class: Option<NameClass>,
}

/// Heads of natural features whose first word alone names them too.
const NATURAL_HEADS: &[&str] = &["river", "sea", "lake", "desert", "canal", "mountains"];

impl NameTable {
    pub fn build(docs: &[Scanned<'_>]) -> Self {
        let mut t = NameTable::default();
        let mut plural_people: BTreeSet<String> = BTreeSet::new();
        for d in docs {
            for s in &d.sentences {
                for m in &s.names {
                    let k = &m.key;
                    // Looked up before inserting: most mentions repeat a key.
                    let facts = match t.keys.get_mut(k) {
                        Some(f) => {
                            f.votes.merge(&m.votes);
                            f
                        }
                        None => t.keys.entry(k.clone()).or_insert_with(|| KeyFacts {
                            votes: m.votes,
                            ..KeyFacts::default()
                        }),
                    };
                    match facts.surfaces.iter_mut().find(|(s, _)| *s == m.text) {
                        Some((_, n)) => *n += 1,
                        None => facts.surfaces.push((m.text.clone(), 1)),
                    }
                    if m.people && !plural_people.contains(k) {
                        plural_people.insert(k.clone());
                    }
                    for &li in &m.life {
                        if let (TimeKind::Lifespan, Some(a), Some(b)) =
                            (&s.times[li].kind, s.times[li].start, s.times[li].end)
                        {
                            if b.year - a.year <= 100 {
                                t.lifespans
                                    .entry(k.clone())
                                    .or_default()
                                    .insert((a.year, b.year));
                            }
                        }
                    }
                }
            }
        }
        // Polities named with a head word: their bare name is the same polity.
        let mut keys: Vec<String> = t.keys.keys().cloned().collect();
        keys.sort_unstable();
        let mut by_bare: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for k in &keys {
            if t.class_of_key(k) != Some(NameClass::Polity) {
                continue;
            }
            if let Some(bare) = lexicon::before_polity_head(k) {
                by_bare.entry(bare.to_owned()).or_default().push(k.clone());
            }
        }
        for (bare, fulls) in &by_bare {
            let best = fulls
                .iter()
                .max_by_key(|k| (t.count(k), std::cmp::Reverse((*k).clone())))
                .cloned()
                .unwrap_or_default();
            let surface = t.surface(&best);
            t.bare.insert(bare.clone(), surface.clone());
            for f in fulls {
                if *f != best {
                    t.stripped.insert(f.clone(), surface.clone());
                }
            }
        }
        // A people's adjective before a known polity: "Jurchen Jin dynasty".
        let polity_keys: Vec<String> = keys
            .iter()
            .filter(|k| t.class_of_key(k) == Some(NameClass::Polity))
            .cloned()
            .collect();
        // Names of no class too: "the Tangut Western Xia" is said once, with no cue.
        let candidates: Vec<String> = keys
            .iter()
            .filter(|k| {
                k.contains(' ') && matches!(t.class_of_key(k), Some(NameClass::Polity) | None)
            })
            .cloned()
            .collect();
        // The keys of the bare names' polities (`bare` stays as it is below).
        let bare_polities: FxHashSet<String> = t.bare.values().map(|v| norm_key(v)).collect();
        for k in &candidates {
            // Split the written form on spaces only: "Song–Jin" is one word.
            let surface = t.surface(k);
            let words: Vec<String> = surface.split_whitespace().map(norm_key).collect();
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            for cut in 1..words.len() {
                let rest = words[cut..].join(" ");
                let prefix = &words[..cut];
                if prefix.iter().any(|w| names::DISTINGUISHERS.contains(w)) {
                    break;
                }
                // Only a people's word is an adjective: "Jurchen Jin dynasty",
                // "Khitan Liao" (there are "Khitans"), not "Da Qi".
                let people_word = |w: &str| {
                    plural_people.contains(&format!("{w}s")) || lexicon::looks_like_demonym(w)
                };
                if words.len() < 3 && !prefix.iter().all(|w| people_word(w)) {
                    break;
                }

                let known = t.bare.contains_key(&rest)
                    || (polity_keys.contains(&rest) && rest != *k)
                    || bare_polities.contains(&rest);
                if known && rest.split(' ').count() >= 1 {
                    let target = t.polity_surface(&rest);
                    t.stripped.insert(k.clone(), target.clone());
                    if t.class_of_key(k).is_none() {
                        t.forced.insert(k.clone(), NameClass::Polity);
                    }
                    // The adjective names the people of that polity ("Jurchen",
                    // "the Jurchens"); a phrase ("Han Chinese") only as a whole.
                    if prefix.len() == 1 {
                        t.peoples.insert(prefix[0].to_owned(), target.clone());
                        t.peoples.insert(format!("{}s", prefix[0]), target.clone());
                    } else {
                        t.peoples.insert(prefix.join(" "), target.clone());
                    }
                    break;
                }
            }
        }
        // "William the Conqueror": an epithet after a person's name is a person.
        for k in &keys {
            let mut w = k.split(' ');
            if let (Some(first), Some("the"), Some(_), None) =
                (w.next(), w.next(), w.next(), w.next())
            {
                if t.class_of_key(first) == Some(NameClass::Person) {
                    t.forced.insert(k.clone(), NameClass::Person);
                }
            }
        }
        // "Later Jin", "Southern Song": an order or direction before a known
        // polity's name makes a polity (another one, or a period of it),
        // also where it is said as a land ("trade flourished in the Southern
        // Song") if it is said as a state once ("the Southern Song emperor").
        for k in &keys {
            let Some(w) = two_words_of(k) else { continue };
            if names::DISTINGUISHERS.contains(&w[0])
                && (t.bare.contains_key(w[1]) || t.class_of_key(w[1]) == Some(NameClass::Polity))
                && t.class_of_key(k).is_none_or(|c| {
                    c == NameClass::Polity
                        || t.votes(k).get(c) < 3.0
                        || t.votes(k).get(NameClass::Polity) > 0.0
                })
            {
                t.forced.insert(k.clone(), NameClass::Polity);
            }
        }
        // Natural features named with a head word: "Huai" is the "Huai River".
        for k in &keys {
            if t.class_of_key(k) != Some(NameClass::Place) {
                continue;
            }
            let Some(words) = two_words_of(k) else {
                continue;
            };
            if NATURAL_HEADS.contains(&words[1]) && !t.bare.contains_key(words[0]) {
                let s = t.surface(k);
                t.place_bare.insert(words[0].to_owned(), s);
            }
        }
        // "Qi" for "Da Qi": a polity named by the last word of a two-word name
        // (not "Xia" for "Western Xia", which is another state).
        let single_polities: Vec<String> = keys
            .iter()
            .filter(|k| {
                !k.contains(' ')
                    && matches!(t.class_of_key(k), Some(NameClass::Polity) | None)
                    && !t.bare.contains_key(*k)
                    && !t.peoples.contains_key(*k)
            })
            .cloned()
            .collect();
        // Two-word keys by their last word, in key order.
        let mut two_words: BTreeMap<&str, Vec<(&str, &String)>> = BTreeMap::new();
        for k in &keys {
            if let Some([first, last]) = two_words_of(k) {
                two_words.entry(last).or_default().push((first, k));
            }
        }
        for single in &single_polities {
            if lexicon::looks_like_demonym(single) {
                continue;
            }
            let fulls: Vec<&String> = two_words
                .get(single.as_str())
                .into_iter()
                .flatten()
                .filter(|(first, k)| {
                    !names::DISTINGUISHERS.contains(first)
                        && !t.surface_ref(k).contains('–')
                        && t.class_of_key(first) != Some(NameClass::Polity)
                        && t.class_of_key(k) == Some(NameClass::Polity)
                })
                .map(|(_, k)| *k)
                .collect();
            if let Some(full) = fulls.iter().max_by_key(|k| t.count(k)) {
                let s = t.surface(full);
                t.suffix.insert(single.clone(), s.clone());
                t.forced.insert((*full).clone(), NameClass::Polity);
            }
        }
        // "Mongol and Song troops": the singular of a people that is a polity.
        for p in &plural_people {
            if t.peoples.contains_key(p) || t.class_of_key(p) != Some(NameClass::Polity) {
                continue;
            }
            let singular = p.trim_end_matches('s').to_owned();
            if !t.keys.contains_key(&singular)
                || t.class_of_key(&singular)
                    .is_none_or(|c| c == NameClass::Polity)
            {
                let s = t.surface(p);
                t.peoples.insert(singular, s);
            }
        }
        // "the Mongols" with a "Mongol Empire": the people names the polity.
        for p in &plural_people {
            if t.peoples.contains_key(p) {
                continue;
            }
            let singular = p.trim_end_matches('s');
            if let Some(full) = polity_keys.iter().find(|k| {
                two_words_of(k)
                    .is_some_and(|w| w[0] == singular && lexicon::POLITY_HEADS.contains(&w[1]))
            }) {
                let s = t.surface(full);
                t.peoples.insert(p.clone(), s);
            }
        }
        for k in &keys {
            let class = t.class_of_key(k);
            if let Some(f) = t.keys.get_mut(k) {
                f.class = class;
            }
        }
        t.built = true;
        t
    }

    fn count(&self, key: &str) -> usize {
        self.keys
            .get(key)
            .map_or(0, |f| f.surfaces.iter().map(|(_, n)| n).sum())
    }

    /// The most frequent way a key is written.
    pub fn surface(&self, key: &str) -> String {
        self.surface_ref(key).to_owned()
    }

    fn surface_ref<'s>(&'s self, key: &'s str) -> &'s str {
        self.keys
            .get(key)
            .and_then(|f| {
                f.surfaces
                    .iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                    .map(|(s, _)| s.as_str())
            })
            .unwrap_or(key)
    }

    fn polity_surface(&self, key: &str) -> String {
        if let Some(s) = self.bare.get(key) {
            return s.clone();
        }
        if let Some(s) = self.stripped.get(key) {
            return s.clone();
        }
        self.surface(key)
    }

    /// The class all mentions of a key vote for.
    pub fn class_of_key(&self, key: &str) -> Option<NameClass> {
        // A key the table does not have has no class.
        let facts = self.keys.get(key)?;
        if self.built {
            return facts.class;
        }
        if let Some(c) = self.forced.get(key) {
            return Some(*c);
        }
        let votes = &facts.votes;
        if !key.is_ascii() && key.contains('–')
            || !key.contains(' ')
                && lexicon::looks_like_demonym(key)
                && !self.peoples.contains_key(key)
        {
            // "Chinese", "Korean" as adjectives name peoples, not things.
            return votes.best(2.0).filter(|c| *c != NameClass::Polity);
        }
        votes.best(1.5)
    }

    /// The place a bare name stands for ("Huai" → "Huai River").
    pub fn place_alias(&self, key: &str) -> Option<String> {
        self.place_bare.get(key).cloned()
    }

    pub fn votes(&self, key: &str) -> Votes {
        self.keys.get(key).map(|f| f.votes).unwrap_or_default()
    }

    /// The polity a name stands for through the corpus's own aliases.
    pub fn polity_alias(&self, key: &str) -> Option<String> {
        if let Some(s) = self.stripped.get(key) {
            return Some(s.clone());
        }
        if let Some(s) = self.peoples.get(key) {
            return Some(s.clone());
        }
        if let Some(s) = self.bare.get(key) {
            return Some(s.clone());
        }
        if let Some(s) = self.suffix.get(key) {
            return Some(s.clone());
        }
        None
    }

    /// Whether several people share this name with different life spans.
    pub fn homonym_lifespans(&self, key: &str) -> Option<&BTreeSet<(i32, i32)>> {
        self.lifespans.get(key).filter(|s| s.len() >= 2)
    }

    /// All polity keys known to the table.
    pub fn polities(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .keys
            .keys()
            .filter(|k| self.class_of_key(k) == Some(NameClass::Polity))
            .cloned()
            .collect();
        out.sort_unstable();
        out
    }
}

/// Runs the three steps over a corpus.
pub fn extract_all(docs: &[Document]) -> Vec<Extraction> {
    let lower: Vec<String> = docs.iter().map(|d| d.text.to_ascii_lowercase()).collect();
    let scanned: Vec<Scanned<'_>> = docs
        .iter()
        .zip(&lower)
        .map(|(d, l)| scan_with(d, Some(l)))
        .collect();
    let table = NameTable::build(&scanned);
    scanned.iter().map(|s| frames::extract(s, &table)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn a_direction_before_a_polity_s_name_is_a_polity() {
        // "Southern Liang" said where a place would be, but also as a state.
        let text = "The Liang dynasty fought the Chen dynasty for decades. The Liang \
                    army crossed the river, and the Liang court sent envoys to the Chen.\n\n\
                    The Liang lost the north. The capital of the Southern Liang, \
                    Fenshui, grew. Trade flourished in the Southern Liang. Refugees \
                    fled to the Southern Liang. Rice from the Southern Liang reached \
                    the north. The Southern Liang emperor made peace.";
        let meta = crate::sources::SourceMeta::for_file(std::path::Path::new("t.txt"));
        let doc = crate::sources::parse_text(meta, text.to_owned(), String::new());
        let scanned = [scan(&doc)];
        let table = NameTable::build(&scanned);
        let v = table.votes("southern liang");
        assert!(v.get(NameClass::Place) >= 3.0, "{v:?}");
        assert!(v.get(NameClass::Polity) > 0.0, "{v:?}");
        assert_eq!(
            table.class_of_key("southern liang"),
            Some(NameClass::Polity)
        );
    }

    #[test]
    fn norm_key_folds_case_diacritics_dashes() {
        assert_eq!(norm_key("Jin–Song  Wars"), "jin song wars");
        assert_eq!(norm_key("Lin’an"), "lin'an");
        assert_eq!(norm_key("Zürich"), "zurich");
        assert_eq!(norm_key(" A\u{2011}b\u{00a0} c\u{301}\u{327}–"), "a b c");
    }

    #[test]
    fn norm_key_of_ascii_is_what_the_general_path_makes() {
        // Every string of up to five of these bytes: the ASCII shortcut and
        // the byte loop against the whole-string reference.
        let alphabet = [b'a', b'B', b' ', b'-', b'`', b'\t', b'\n', b'\''];
        let mut strings = vec![Vec::new()];
        for _ in 0..5 {
            let longer: Vec<Vec<u8>> = strings
                .iter()
                .filter(|s| s.len() == strings.last().map_or(0, Vec::len))
                .flat_map(|s| {
                    alphabet.iter().map(move |&b| {
                        let mut t = s.clone();
                        t.push(b);
                        t
                    })
                })
                .collect();
            strings.extend(longer);
        }
        assert_eq!(strings.len(), (0..=5).map(|n| 8usize.pow(n)).sum::<usize>());
        for s in strings {
            let s = String::from_utf8(s).expect("ASCII");
            assert_eq!(norm_key(&s), norm_key_by_string(&s), "{s:?}");
        }
    }

    /// The whole string's NFKD, as `norm_key` once did it for text that is
    /// not ASCII.
    fn norm_key_by_string(s: &str) -> String {
        let mut out = String::new();
        let mut space = false;
        for c in s.nfkd() {
            if unicode_normalization::char::is_combining_mark(c) {
                continue;
            }
            let c = match c {
                '–' | '—' | '‐' | '‑' | '-' => ' ',
                '’' | '‘' | '`' => '\'',
                c => c,
            };
            if c.is_whitespace() {
                space = !out.is_empty();
                continue;
            }
            if space {
                out.push(' ');
                space = false;
            }
            out.extend(c.to_lowercase());
        }
        out
    }

    #[test]
    fn norm_key_of_a_start_starts_norm_key_of_the_whole() {
        for s in [
            "The Jin–Song Wars were a series of conflicts",
            "the  Battle of Zürich\u{301} (1799) ‑ a ‘victory’",
            "A\u{2011}b  Émile –  Ḑ c",
        ] {
            let whole = norm_key(s);
            for (i, _) in s.char_indices() {
                assert!(whole.starts_with(&norm_key(&s[..i])), "{s:?} at {i}");
            }
        }
    }

    #[test]
    fn norm_key_decomposes_each_character_as_the_whole_string_would() {
        // Every character, alone, before a space, and between combining marks
        // of different classes (which NFKD reorders).
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            for s in [
                format!("{c}"),
                format!("a{c} b"),
                format!("e\u{327}{c}\u{301}o"),
                format!("{c}\u{301}\u{327}"),
            ] {
                // ASCII text takes a path of its own, unchanged.
                if !s.is_ascii() {
                    assert_eq!(norm_key(&s), norm_key_by_string(&s), "{:?}", s);
                }
            }
        }
    }
}
