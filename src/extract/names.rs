//! Mention detection: proper names in a sentence, and the cues around each
//! name that say what it names.
//!
//! A name is a run of capitalized words (with `of` inside titles and event
//! names: "Battle of Caishi", "Prince of Hailing"), split at person titles
//! ("Song Emperor Lizong" → modifier "Song", title "Emperor", name "Lizong").
//! A sentence-initial word counts only if the document never uses it in
//! lower case. Each mention collects weighted votes for a class from generic
//! cues: head words ("dynasty", "River"), titles, life spans, prepositions
//! ("near X"), verbs ("besieged X", "X abdicated"), appositions ("X (modern
//! Y)"). The votes of all mentions of a name, over the whole corpus, decide
//! its class (see [`super::NameTable`]).

use std::ops::Range;

use rustc_hash::FxHashSet;

use super::dates::{TimeKind, TimeMention};
use super::lexicon::{self, POLITY_HEADS, lists};
use super::text::{Tok, TokenKind};

/// The classes a name can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NameClass {
    Polity,
    Person,
    Place,
    Event,
}

impl NameClass {
    pub const ALL: [NameClass; 4] = [
        NameClass::Polity,
        NameClass::Person,
        NameClass::Place,
        NameClass::Event,
    ];

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Weighted class votes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Votes(pub [f32; 4]);

impl Votes {
    pub fn add(&mut self, class: NameClass, w: f32) {
        self.0[class.index()] += w;
    }

    pub fn merge(&mut self, other: &Votes) {
        for i in 0..4 {
            self.0[i] += other.0[i];
        }
    }

    pub fn get(&self, class: NameClass) -> f32 {
        self.0[class.index()]
    }

    /// The winning class, if its score reaches `min` and beats the runner-up.
    pub fn best(&self, min: f32) -> Option<NameClass> {
        let mut best = None;
        let mut best_score = 0.0f32;
        let mut second = 0.0f32;
        for c in NameClass::ALL {
            let s = self.get(c);
            if s > best_score {
                second = best_score;
                best_score = s;
                best = Some(c);
            } else if s > second {
                second = s;
            }
        }
        if best_score >= min && best_score > second {
            best
        } else {
            None
        }
    }
}

/// A name found in a sentence.
#[derive(Debug, Clone)]
pub struct NameMention {
    /// Token indexes (in the sentence) of the name proper.
    pub toks: Range<usize>,
    /// The name as written (normalized text).
    pub text: String,
    /// [`super::norm_key`] of `text`, made once the mention is final.
    pub key: String,
    /// Byte range in the document text.
    pub span: Range<usize>,
    /// [`head_class`] of its tokens: the class its head word gives.
    pub head: Option<NameClass>,
    /// Lower-case title before the name ("emperor", "general").
    pub title: Option<String>,
    /// Tokens of a capitalized modifier before the title ("Song" in "Song general Li Gang").
    pub modifier: Option<Range<usize>>,
    /// Followed by `'s`.
    pub possessive: bool,
    /// Votes of the cues around this mention.
    pub votes: Votes,
    /// A parenthesised life span, reign, death or birth right after the name
    /// (index into the sentence's time mentions).
    pub life: Vec<usize>,
    /// Plural of a people used as an agent ("the Jurchens").
    pub people: bool,
}

/// What the scanner knows of the whole document before it reads a sentence.
/// Its words borrow from the document's text.
#[derive(Debug, Default)]
pub struct DocWords<'d> {
    /// Words that occur in lower case somewhere.
    pub lower: WordSet<'d>,
    /// Words that occur capitalized somewhere other than at the start of a sentence.
    pub cap_mid: WordSet<'d>,
    /// "John of Austria (1547–1578)": names of the form "X of Y" that a
    /// parenthesised number follows somewhere, as (X, Y).
    pub named_of: FxHashSet<(&'d str, &'d str)>,
}

/// A set of words. A word of up to seven bytes is kept as one number, as
/// the lexicon keys its short words: most words are that short, and a
/// number is hashed and compared without reading the text.
#[derive(Debug, Default)]
pub struct WordSet<'d> {
    short: FxHashSet<u64>,
    long: FxHashSet<&'d str>,
}

impl<'d> WordSet<'d> {
    pub fn reserve(&mut self, words: usize) {
        self.short.reserve(words);
    }

    pub fn insert(&mut self, word: &'d str) {
        match lexicon::short_key(word.as_bytes()) {
            Some(k) => self.short.insert(k),
            None => self.long.insert(word),
        };
    }

    pub fn contains(&self, word: &str) -> bool {
        match lexicon::short_key(word.as_bytes()) {
            Some(k) => self.short.contains(&k),
            None => self.long.contains(word),
        }
    }
}

impl<'d> DocWords<'d> {
    /// Room for about `words` distinct lower-case words.
    pub fn with_capacity(words: usize) -> Self {
        let mut w = DocWords::default();
        w.lower.reserve(words);
        w.cap_mid.reserve(words / 4);
        w
    }

    pub fn observe(&mut self, toks: &[Tok<'d>]) {
        for w in toks.windows(5) {
            if w[0].is_cap()
                && w[1].is("of")
                && w[2].is_cap()
                && w[3].text == "("
                && w[4].text.starts_with(|c: char| c.is_ascii_digit())
                && !w[0].in_list(lists::OF_JOINERS)
                && !w[0].lex.person_title
                && !w[0].in_list(lists::POLITY_HEADS)
            {
                self.named_of.insert((w[0].text, w[2].text));
            }
        }
        let mut first = true;
        for t in toks {
            if t.kind != TokenKind::Word {
                if t.text != "\"" && t.text != "(" {
                    first = false;
                }
                continue;
            }
            if t.is_cap() {
                if !first {
                    self.cap_mid.insert(t.text);
                }
            } else {
                self.lower.insert(t.text);
            }
            first = false;
        }
    }
}

/// Words that join two capitalized parts of one name with "of".
pub(crate) const OF_JOINERS: &[&str] = &[
    "battle",
    "siege",
    "treaty",
    "prince",
    "princess",
    "duke",
    "duchess",
    "king",
    "queen",
    "emperor",
    "empress",
    "earl",
    "count",
    "lord",
    "marquis",
    "peace",
    "sack",
    "kingdom",
    "republic",
    "empire",
    "duchy",
    "principality",
    "sultanate",
    "caliphate",
    "khanate",
    "bay",
    "gulf",
    "sea",
    "isle",
    "isles",
    "strait",
    "cape",
    "lake",
    "mount",
    "province",
    "city",
    "mandate",
    "declaration",
    "edict",
    "conquest",
    "capture",
    "massacre",
    "burning",
    "bishop",
    "archbishop",
    "university",
    "museum",
    "temple",
    "fall",
    "battles",
    "sieges",
    "truce",
    "prefecture",
    "tsardom",
    "emirate",
    "khaganate",
    "electorate",
    "elector",
    "doge",
];

/// Endings of the epithets that complete a ruler's name ("the Conqueror",
/// "the Confessor", "the Great", "the Bold", "the Younger").
const EPITHETS_END: &[&str] = &[
    "or",
    "er",
    "great",
    "bold",
    "fair",
    "pious",
    "wise",
    "good",
    "elder",
    "younger",
    "red",
    "black",
    "just",
    "lionheart",
    "magnificent",
    "terrible",
    "brave",
    "saint",
    "ant",
    "ist",
];

/// Directional and ordinal words that make a different name ("Later Jin", "Western Xia").
pub const DISTINGUISHERS: &[&str] = &[
    "later", "former", "northern", "southern", "eastern", "western", "great", "upper", "lower",
    "new", "old", "little", "greater", "first", "second", "third", "north", "south", "east",
    "west", "central", "inner", "outer", "supreme", "middle",
];

/// Lower-case particles inside personal names.
const NAME_PARTICLES: &[&str] = &[
    "de", "da", "di", "del", "della", "do", "dos", "das", "du", "van", "von", "der", "den", "ibn",
    "bin", "bint", "ben", "al", "el",
];

/// A regnal number: "II", "V", "XIV" (not "I", which is also a pronoun).
fn is_regnal_number(w: &str) -> bool {
    !w.is_empty() && w != "I" && w.chars().all(|c| matches!(c, 'I' | 'V' | 'X'))
}

fn is_month(t: &Tok<'_>) -> bool {
    t.lex.month.is_some() && t.text.len() > 3
}

fn sentence_initial_at(toks: &[Tok<'_>], k: usize) -> bool {
    toks[..k]
        .iter()
        .all(|p| p.kind == TokenKind::Punct && (p.text == "\"" || p.text == "(" || p.text == "'"))
}

/// Whether token `k` can be part of a name.
fn is_name_token(toks: &[Tok<'_>], k: usize, words: &DocWords) -> bool {
    let t = &toks[k];
    if !t.is_cap() {
        return false;
    }
    // "Leopold I (1640–1705)": a regnal number, not the pronoun.
    if t.text == "I" {
        let after_name = k > 0 && toks[k - 1].is_cap() && !toks[k - 1].lex.stopword;
        let then = toks.get(k + 1);
        return after_name
            && then.is_none_or(|n| n.kind != TokenKind::Word || n.is_any(&["of", "and"]));
    }
    // A word that is never a name, or an adjective made from a name
    // ("Chinese-style", "Song-controlled").
    // The dash test on bytes first ('–' begins with 0xE2): few words have one.
    let dashed = || t.text.bytes().any(|b| b == b'-' || b == 0xE2);
    let not_name = t.in_list(lists::NOT_NAMES)
        || dashed()
            && t.with_lower(|lower| {
                lower.rsplit_once(['-', '–']).is_some_and(|(_, tail)| {
                    [
                        "style",
                        "led",
                        "based",
                        "controlled",
                        "occupied",
                        "speaking",
                        "born",
                        "like",
                        "ruled",
                        "held",
                        "dominated",
                        "backed",
                        "inspired",
                        "allied",
                        "era",
                        "period",
                        "language",
                    ]
                    .contains(&tail)
                })
            });
    if not_name || is_month(t) {
        return false;
    }
    // "May" only as a name when not a month.
    if t.is("may") && toks.get(k + 1).is_some_and(|n| n.kind == TokenKind::Number) {
        return false;
    }
    let sentence_initial = sentence_initial_at(toks, k);
    if t.lex.stopword {
        // A capitalized function word is a name only where an article cannot
        // be: "An Bing (d. 1221) was given", "to An Bing".
        let next_name = toks
            .get(k + 1)
            .is_some_and(|n| n.is_cap() && !n.lex.stopword);
        let then_paren = toks.get(k + 2).is_some_and(|n| n.text == "(");
        let short = t.text.len() <= 3
            && !matches!(
                t.lower().as_ref(),
                "the"
                    | "in"
                    | "on"
                    | "at"
                    | "of"
                    | "to"
                    | "by"
                    | "for"
                    | "as"
                    | "his"
                    | "her"
                    | "its"
                    | "and"
                    | "but"
                    | "yet"
                    | "nor"
                    | "or"
                    | "so"
                    | "if"
                    | "we"
                    | "he"
                    | "she"
                    | "it"
                    | "no"
                    | "not"
                    | "all"
                    | "one"
                    | "two"
                    | "who"
                    | "why"
                    | "how"
                    | "now"
            );
        return short && next_name && (!sentence_initial || then_paren);
    }
    if sentence_initial {
        if words.cap_mid.contains(t.text) {
            return true;
        }
        let lower = t.lower();
        if words.lower.contains(lower.as_ref()) {
            return false;
        }
        let next_cap = toks.get(k + 1).is_some_and(|n| n.is_cap());
        // "Fearing the approaching army", "Surprised by the news", "Barely one
        // month": participles and adverbs — but "Daming in Hebei" is a city.
        let object_follows = toks.get(k + 1).is_some_and(|n| {
            n.is_any(&[
                "the", "a", "an", "his", "her", "their", "its", "this", "these", "that", "those",
                "him", "them", "by", "with", "to", "one", "two", "three", ",",
            ])
        });
        if !next_cap
            && ((lower.ends_with("ing") && object_follows)
                || lower.ends_with("ed")
                || lower.ends_with("ly"))
        {
            return false;
        }
        // "Soldier morale sank": a common noun whose plural the document uses.
        if words.lower.contains(format!("{lower}s").as_str()) {
            return false;
        }
        // "Contemporaneous Song accounts": an adjective opening a sentence.
        let adjective = [
            "ous", "ive", "ful", "less", "ary", "ory", "ical", "able", "ible",
        ]
        .iter()
        .any(|s| lower.ends_with(s) && lower.len() > s.len() + 3);
        if adjective && next_cap {
            return false;
        }
        return true;
    }
    true
}

/// The singular of a plural title ("generals" → "general").
fn title_of(t: &Tok<'_>) -> Option<String> {
    let l = t.lower();
    if lexicon::is_person_title(&l) || KIN.contains(&l.as_ref()) {
        return Some(l.into_owned());
    }
    let singular = l
        .strip_suffix("es")
        .filter(|s| lexicon::is_person_title(s))
        .or_else(|| l.strip_suffix('s').filter(|s| lexicon::is_person_title(s)));
    singular.map(str::to_owned)
}

/// Finds the names of a sentence.
pub fn find_names(toks: &[Tok<'_>], times: &[TimeMention], words: &DocWords) -> Vec<NameMention> {
    find_names_in(toks, times, words, None)
}

/// Keys of record or infobox fields whose values name the sides of a conflict.
pub fn is_side_field(key: &str) -> bool {
    matches!(
        key.to_ascii_lowercase().as_str(),
        "belligerents"
            | "co-belligerents"
            | "combatant"
            | "combatants"
            | "parties"
            | "signatories"
            | ""
    )
}

/// Like [`find_names`], for the value of a record field with key `field`:
/// a parenthesis there is a period of involvement, not a life span, and a
/// name in a field of sides is a polity.
pub fn find_names_in(
    toks: &[Tok<'_>],
    times: &[TimeMention],
    words: &DocWords,
    field: Option<&str>,
) -> Vec<NameMention> {
    let n = toks.len();
    let mut runs: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    while i < n {
        // The capital first, inline: most tokens have none.
        if !toks[i].is_cap() || !is_name_token(toks, i, words) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        loop {
            if j < n && is_name_token(toks, j, words) {
                j += 1;
                continue;
            }
            // A particle between parts of a name: "Álvaro de Bazán", "Ziyad ibn Salih".
            if j + 1 < n
                && !toks[j].is_cap()
                && NAME_PARTICLES.contains(&toks[j].text)
                && is_name_token(toks, j + 1, words)
                && !toks[j + 1].lex.stopword
            {
                j += 2;
                continue;
            }
            // A regnal number and its realm: "Philip II of Spain".
            if j + 1 < n
                && toks[j].is("of")
                && j - i <= 3
                && is_regnal_number(toks[j - 1].text)
                && toks[j + 1].is_cap()
                && !is_month(&toks[j + 1])
                && !toks[j + 1].lex.stopword
            {
                j += 2;
                continue;
            }
            // "John of Austria (1547–1578)": a name and its place of origin, as
            // a life span after it shows somewhere in the document.
            if j + 1 < n
                && j - i == 1
                && toks[j].is("of")
                && words.named_of.contains(&(toks[i].text, toks[j + 1].text))
            {
                j += 2;
                continue;
            }
            // "of" (and "of the") inside a title or event name.
            if j < n && toks[j].is("of") && toks[j - 1].in_list(lists::OF_JOINERS) {
                let k = if toks.get(j + 1).is_some_and(|t| t.is("the")) {
                    j + 2
                } else {
                    j + 1
                };
                if k < n && toks[k].is_cap() && !is_month(&toks[k]) && !toks[k].lex.stopword {
                    j = k + 1;
                    continue;
                }
            }
            // An epithet: "Edward the Confessor", "William the Conqueror".
            if j + 1 < n
                && toks[j].is("the")
                && toks[j + 1].is_cap()
                && !toks[j + 1].lex.stopword
                && !toks[j + 1].lex.person_title
                && !is_month(&toks[j + 1])
                && toks[j - 1].is_cap()
                && !toks[j - 1].lex.person_title
                && !toks
                    .get(j + 2)
                    .is_some_and(|t| t.is_cap() || t.text == "'s")
                && EPITHETS_END
                    .iter()
                    .any(|e| toks[j + 1].lower().ends_with(e))
            {
                j += 2;
                continue;
            }
            break;
        }
        // A lower-case polity head: "Jin dynasty" (not "a Chinese-style dynasty").
        let compound_adjective = toks[j - 1]
            .text
            .rsplit(['-', '–'])
            .next()
            .is_some_and(|w| w.chars().next().is_some_and(char::is_lowercase));
        if j < n
            && !compound_adjective
            && toks[j].in_list(lists::POLITY_HEADS)
            && !toks[j].is_cap()
            && toks[j].is("dynasty")
        {
            j += 1;
        }
        // An ordinal names another event of the same name: "the Second
        // Battle of X", "the Third Anglo–Dutch War" (it is a stopword, so
        // the run starts after it).
        let start = if i > 0
            && toks[i - 1].is_cap()
            && lexicon::ordinal(toks[i - 1].text).is_some()
            && head_class(toks, &(i..j)) == Some(NameClass::Event)
        {
            i - 1
        } else {
            i
        };
        runs.push(start..j);
        i = j;
    }

    let mut out = Vec::with_capacity(runs.len());
    for run in runs {
        split_run(toks, run, &mut out);
    }
    for m in &mut out {
        m.possessive = toks
            .get(m.toks.end)
            .is_some_and(|t| t.text == "'s" || t.text == "'" || t.text == "’s");
        // A plural people used as an agent: "the Jurchens".
        let single = m.toks.len() == 1;
        // Not a Latin or Greek singular: "the Bosphorus", "the Peloponnesus", "the Tigris".
        let plural =
            m.text.ends_with('s') && !["us", "is", "ss", "os"].iter().any(|e| m.text.ends_with(e));
        if single && plural && m.title.is_none() {
            let prev_the = m.toks.start > 0 && toks[m.toks.start - 1].is("the");
            if prev_the && m.text.len() > 4 {
                m.people = true;
            }
        }
        // Life spans and reigns right after the name.
        for (ti, t) in times.iter().enumerate().filter(|_| field.is_none()) {
            if !matches!(
                t.kind,
                TimeKind::Lifespan | TimeKind::Reign | TimeKind::Death | TimeKind::Birth
            ) {
                continue;
            }
            if t.toks.start <= m.toks.end {
                continue;
            }
            // "(" directly after the name, possibly after other parenthesised words.
            let open = toks[m.toks.end..t.toks.start]
                .iter()
                .position(|x| x.text == "(");
            if let Some(o) = open {
                let abs = m.toks.end + o;
                let between_ok = abs == m.toks.end
                    || (abs == m.toks.end + 1
                        && (toks[m.toks.end].text == "'s" || toks[m.toks.end].text == "'"));
                let inside_ok = toks[abs + 1..t.toks.start].iter().all(|x| x.text != ")");
                if between_ok && inside_ok {
                    m.life.push(ti);
                }
            }
        }
    }
    let own: Vec<Votes> = (0..out.len())
        .map(|k| cue_votes(toks, times, &out, k))
        .collect();
    // A list shares its context: "across Hebei, Henan, and Shandong", "the
    // cities of Hangzhou and Suzhou". Head words stay each name's own.
    let groups = coordination_groups(toks, &out);
    for (k, m) in out.iter_mut().enumerate() {
        let mut v = own[k];
        for &j in &groups[k] {
            if j != k {
                let mut ctx = own[j];
                ctx.0[NameClass::Event.index()] = 0.0;
                for c in NameClass::ALL {
                    ctx.0[c.index()] = ctx.0[c.index()].min(3.0);
                }
                v.merge(&scaled(&ctx, 0.75));
            }
        }
        m.votes.merge(&v);
    }
    // "northern China", "eastern Hubei": a region of a place, a place itself.
    let mut regions = Vec::new();
    for m in &mut out {
        let Some(prev) = m.toks.start.checked_sub(1).map(|p| &toks[p]) else {
            continue;
        };
        if !prev.is_cap() && prev.in_list(lists::DIRECTION_ADJECTIVES) && m.title.is_none() {
            m.votes.add(NameClass::Place, 2.0);
            let mut region = m.clone();
            region.toks = m.toks.start - 1..m.toks.end;
            region.head = head_class(toks, &region.toks);
            region.span = prev.start..m.span.end;
            region.text = format!("{} {}", prev.text, m.text);
            region.votes = Votes::default();
            region.votes.add(NameClass::Place, 4.0);
            regions.push(region);
        }
    }
    out.extend(regions);
    // "Jin dynasty", "Western Xia (1225–27)" listed as sides in an infobox.
    if field.is_some_and(is_side_field) && toks.iter().filter(|t| t.is_word()).count() <= 6 {
        for m in &mut out {
            m.votes.add(NameClass::Polity, 3.0);
        }
    }
    // "John of Austria", "Uluç Ali" listed as commanders.
    if field.is_some_and(is_commander_field) && toks.iter().filter(|t| t.is_word()).count() <= 6 {
        for m in &mut out {
            m.votes.add(NameClass::Person, 3.0);
        }
    }
    for m in &mut out {
        m.key = super::norm_key(&m.text);
    }
    out
}

/// Keys of record or infobox fields whose values name commanders.
pub fn is_commander_field(key: &str) -> bool {
    matches!(
        key.to_ascii_lowercase().as_str(),
        "commander" | "commanders" | "commanders and leaders" | "leader" | "leaders"
    )
}

/// Lower-case words of direction that make a region of a place ("northern China").
pub const DIRECTION_ADJECTIVES: &[&str] = &[
    "northern",
    "southern",
    "eastern",
    "western",
    "northeastern",
    "northwestern",
    "southeastern",
    "southwestern",
    "central",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
];

fn scaled(v: &Votes, f: f32) -> Votes {
    let mut out = *v;
    for x in &mut out.0 {
        *x *= f;
    }
    out
}

/// Whether "A and B" are the ends of two parallel phrases, not a list: "X
/// for A and B (…) for C" has the word before A again after B, so B is
/// coordinated with X.
fn parallel_phrases(toks: &[Tok<'_>], a: &Range<usize>, b: &Range<usize>) -> bool {
    let mut k = a.start;
    if k > 0 && toks[k - 1].is("the") {
        k -= 1;
    }
    let Some(before) = k.checked_sub(1).map(|k| &toks[k]) else {
        return false;
    };
    if before.kind != TokenKind::Word || before.is_cap() || before.is("and") {
        return false;
    }
    let mut after = b.end;
    if toks.get(after).is_some_and(|t| t.text == "(") {
        while toks.get(after).is_some_and(|t| t.text != ")") {
            after += 1;
        }
        after += 1;
    }
    toks.get(after)
        .is_some_and(|t| t.text.eq_ignore_ascii_case(before.text))
}

/// For each name, the names coordinated with it in a list ("A, B, and C").
fn coordination_groups(toks: &[Tok<'_>], names: &[NameMention]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by_key(|&k| names[k].toks.start);
    let mut group_of: Vec<usize> = (0..names.len()).collect();
    for w in order.windows(2) {
        let (a, b) = (w[0], w[1]);
        let gap = &toks[names[a].toks.end.min(names[b].toks.start)..names[b].toks.start];
        let joins = !gap.is_empty()
            && gap.len() <= 3
            && gap
                .iter()
                .all(|t| t.text == "," || t.is("and") || t.is("or") || t.is("then"))
            && gap
                .iter()
                .any(|t| t.text == "," || t.is("and") || t.is("or"));
        if joins
            && names[a].title.is_none() == names[b].title.is_none()
            && !parallel_phrases(toks, &names[a].toks, &names[b].toks)
        {
            group_of[b] = group_of[a];
        }
    }
    (0..names.len())
        .map(|k| {
            (0..names.len())
                .filter(|&j| group_of[j] == group_of[k])
                .collect()
        })
        .collect()
}

/// Splits a capitalized run at titles into modifier, title and name.
fn split_run(toks: &[Tok<'_>], run: Range<usize>, out: &mut Vec<NameMention>) {
    // Find a capitalized title inside the run, followed by the name.
    let mut title_at = None;
    for k in run.clone() {
        if toks[k].lex.person_title && k + 1 < run.end && !toks[k + 1].is("of") {
            title_at = Some(k);
            break;
        }
    }
    let (modifier, title, name) = match title_at {
        Some(k) => {
            let modifier = (k > run.start).then_some(run.start..k);
            (modifier, Some(toks[k].lower().into_owned()), k + 1..run.end)
        }
        None => {
            // A lower-case title right before the run ("general Yue Fei",
            // "the Song official Yu Yunwen", "emperor, Wanyan Liang").
            let mut title = None;
            let mut modifier = None;
            let mut p = run.start;
            if p > 0
                && toks[p - 1].text == ","
                && p > 1
                && title_of(&toks[p - 2]).is_some()
                && !toks[p - 2].is_cap()
            {
                p -= 1;
            }
            if p > 0 {
                if let Some(t) = title_of(&toks[p - 1]) {
                    // "General Meng Gong led": a capitalized title at the start of
                    // a sentence was left out of the run.
                    if !toks[p - 1].is_cap() || sentence_initial_at(toks, p - 1) {
                        title = Some(t);
                        // A capitalized modifier right before the title: "Song general".
                        let mut q = p - 1;
                        while q > 0 && toks[q - 1].is_cap() && !toks[q - 1].lex.stopword {
                            q -= 1;
                        }
                        if q < p - 1 {
                            modifier = Some(q..p - 1);
                        }
                    }
                }
            }
            // A title list: "the Song generals Yue Fei, Han Shizhong, and others".
            if title.is_none() {
                let mut q = run.start;
                while q >= 2 && (toks[q - 1].text == "," || toks[q - 1].is("and")) {
                    // Walk back over the previous names of the list.
                    let mut r = q - 1;
                    if toks[r].is("and") && r > 0 && toks[r - 1].text == "," {
                        r -= 1;
                    }
                    let mut s = r;
                    while s > 0 && toks[s - 1].is_cap() {
                        s -= 1;
                    }
                    if s == r || s == 0 {
                        break;
                    }
                    if let Some(t) = title_of(&toks[s - 1]) {
                        if toks[s - 1].lower() != t || toks[s - 1].lower().ends_with('s') {
                            title = Some(t);
                            // "the Song generals Yue Fei, Han Shizhong": the modifier too.
                            let mut q = s - 1;
                            while q > 0 && toks[q - 1].is_cap() && !toks[q - 1].lex.stopword {
                                q -= 1;
                            }
                            if q < s - 1 {
                                modifier = Some(q..s - 1);
                            }
                        }
                        break;
                    }
                    q = s;
                }
            }
            // "under the Venetian Agostino Barbarigo": a people's adjective before
            // the name of someone who leads (not "parts of the Russian Far East").
            let heads = toks[run.clone()]
                .iter()
                .any(|t| t.in_list(lists::POLITY_HEADS));
            if title.is_none()
                && modifier.is_none()
                && run.len() >= 3
                && run.start > 1
                && toks[run.start - 1].is("the")
                && toks[run.start - 2].is_any(&["under", "by", "with"])
                && lexicon::looks_like_demonym(toks[run.start].text)
                && !heads
            {
                (Some(run.start..run.start + 1), None, run.start + 1..run.end)
            } else {
                (modifier, title, run.clone())
            }
        }
    };
    if name.is_empty() {
        return;
    }
    // A name that is only a title word ("Emperor") is not a name.
    if name.len() == 1 && toks[name.start].lex.person_title {
        return;
    }
    let text = join(toks, name.clone());
    out.push(NameMention {
        span: toks[name.start].start..toks[name.end - 1].end,
        head: head_class(toks, &name),
        toks: name,
        text,
        key: String::new(),
        title,
        modifier,
        possessive: false,
        votes: Votes::default(),
        life: Vec::new(),
        people: false,
    });
}

/// The text of a token range as written (single spaces, no space before punctuation).
pub fn join(toks: &[Tok<'_>], r: Range<usize>) -> String {
    // At most the text the tokens span: one space for any gap.
    let span = match (
        toks.get(r.start),
        r.end.checked_sub(1).and_then(|e| toks.get(e)),
    ) {
        (Some(a), Some(b)) if r.start < r.end => b.end.saturating_sub(a.start),
        _ => 0,
    };
    let mut s = String::with_capacity(span);
    for (k, t) in toks[r.clone()].iter().enumerate() {
        if k > 0 && t.start > toks[r.start + k - 1].end {
            s.push(' ');
        }
        s.push_str(t.text);
    }
    s
}

/// The class a head word gives: "Huai River" is a place, "Jin dynasty" a polity.
/// The head words are word lists: each token knows whether it is one.
pub fn head_class(toks: &[Tok<'_>], r: &Range<usize>) -> Option<NameClass> {
    // "Second Battle of X" is an event as "Battle of X" is.
    let ordinal = r.len() >= 3 && lexicon::ordinal(toks[r.start].text).is_some();
    let r = &(if ordinal { r.start + 1 } else { r.start }..r.end);
    let (first, last) = (&toks[r.start], &toks[r.end - 1]);
    let of_after_first = r.len() >= 3 && toks[r.start + 1].is("of");
    if of_after_first && first.in_list(lists::EVENT_OPENERS) {
        return Some(NameClass::Event);
    }
    // "Jin–Song Wars", "Jingkang Incident"
    if r.len() >= 2 && last.in_list(lists::EVENT_HEADS) && last.is_cap() {
        return Some(NameClass::Event);
    }
    if last.in_list(lists::POLITY_HEADS) && r.len() >= 2 && !last.is("state") {
        return Some(NameClass::Polity);
    }
    // "Ilkhanate", "Golden Horde Khanate": a polity's head written into the word.
    if ["khanate", "sultanate", "caliphate", "emirate", "shogunate"]
        .iter()
        .any(|h| ends_with_ignore_ascii_case(last.text, h))
    {
        return Some(NameClass::Polity);
    }
    if r.len() >= 2 && (last.in_list(lists::PLACE_HEADS) || last.is("capital")) {
        return Some(NameClass::Place);
    }
    // "Kingdom of X", "Empire of X"
    if of_after_first && first.in_list(lists::POLITY_HEADS) {
        return Some(NameClass::Polity);
    }
    None
}

/// Whether `text` ends with the lower-case ASCII `suffix`, in any case.
fn ends_with_ignore_ascii_case(text: &str, suffix: &str) -> bool {
    text.len() >= suffix.len()
        && text.as_bytes()[text.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

pub(crate) const PERSON_VERBS: &[&str] = &[
    "abdicated",
    "assassinated",
    "executed",
    "died",
    "reigned",
    "enthroned",
    "born",
    "poisoned",
    "imprisoned",
    "promoted",
    "retired",
    "remarked",
    "noted",
    "said",
    "wrote",
    "recounted",
    "believed",
    "believes",
    "argued",
    "claimed",
    "named",
    "demoted",
    "fled",
    "escaped",
    "committed",
    "purged",
    "resigned",
    "succeeded",
    "married",
    "relented",
    "refused",
    "hesitated",
    "ordered",
    "commanded",
    "directed",
    "proposed",
    "recommended",
    "criticized",
    "convinced",
    "pressured",
    "entreated",
    "rallied",
    "studied",
    "inherited",
];
pub(crate) const PERSON_POSSESSED: &[&str] = &[
    "command",
    "army",
    "armies",
    "troops",
    "forces",
    "fleet",
    "successor",
    "brother",
    "son",
    "sons",
    "mother",
    "father",
    "wife",
    "orders",
    "order",
    "reign",
    "death",
    "execution",
    "expulsion",
    "supervision",
    "accomplice",
    "position",
    "reputation",
    "policies",
    "demise",
    "defection",
    "success",
    "plan",
    "edicts",
    "assassination",
    "poor",
    "relationships",
    "mishandling",
    "exploits",
    "imperial",
    "political",
    "gratitude",
    "title",
    "superior",
    "military",
    "aggressive",
    "emulation",
    "ships",
    "cavalry",
    "enemies",
];
/// Kinship nouns: "a great-grandson of Zhang Zai".
const KIN: &[&str] = &[
    "son",
    "sons",
    "daughter",
    "daughters",
    "brother",
    "brothers",
    "sister",
    "father",
    "mother",
    "wife",
    "husband",
    "grandson",
    "granddaughter",
    "nephew",
    "niece",
    "uncle",
    "cousin",
    "descendant",
    "descendants",
    "heir",
    "widow",
    "grandfather",
    "great-grandson",
];

/// Nouns before "of X" that make X a place: "the cities of Hangzhou and Suzhou".
pub(crate) const PLACE_NOUNS_OF: &[&str] = &[
    "earldom",
    "duchy",
    "realm",
    "principality",
    "lordship",
    "south",
    "north",
    "east",
    "west",
    "southwest",
    "northwest",
    "southeast",
    "northeast",
    "bank",
    "banks",
    "city",
    "cities",
    "town",
    "towns",
    "prefecture",
    "prefectures",
    "province",
    "provinces",
    "outskirts",
    "walls",
    "gates",
    "region",
    "capital",
    "control",
    "coast",
    "mountains",
    "prefect",
    "governor",
    "governors",
    "islands",
    "lands",
    "areas",
    "port",
    "fortress",
    "county",
    "counties",
    "circuit",
    "circuits",
    "harbor",
    "harbour",
    "shores",
];

/// Nouns of an apposition that make a name a place: "Jiangxi, the area where".
const APPOSITION_PLACES: &[&str] = &[
    "area",
    "region",
    "city",
    "town",
    "capital",
    "province",
    "prefecture",
    "river",
    "county",
    "valley",
    "port",
    "village",
    "fortress",
    "seat",
    "site",
    "island",
    "pass",
    "stronghold",
    "refuge",
    "gateway",
    "castle",
    "harbor",
    "harbour",
    "strait",
    "peninsula",
    "citadel",
    "fort",
];

pub(crate) const PLACE_VERBS: &[&str] = &[
    "crossed",
    "cross",
    "crossing",
    "besieged",
    "besiege",
    "besieging",
    "captured",
    "capture",
    "capturing",
    "took",
    "take",
    "taking",
    "seized",
    "seize",
    "retook",
    "recaptured",
    "pillaged",
    "plundered",
    "sacked",
    "entered",
    "reached",
    "fortified",
    "fortifying",
    "evacuated",
    "vacated",
    "approached",
    "occupied",
    "relocated",
    "looted",
    "defended",
    "defending",
    "reclaim",
    "rescue",
    "exposing",
    "recover",
    "annexed",
    "pillage",
];
const PLACE_PREPS_STRONG: &[&str] = &["near", "towards", "toward", "at"];
pub(crate) const PLACE_PREPS: &[&str] = &[
    "up", "down", "in", "to", "from", "into", "across", "through", "via", "outside", "inside",
    "around", "beyond", "behind", "beneath", "below", "above", "along",
];
pub(crate) const PLACE_NOUNS_BEFORE: &[&str] = &[
    "city",
    "town",
    "prefecture",
    "prefectures",
    "province",
    "capital",
    "region",
    "county",
    "village",
    "fortress",
    "port",
    "river",
    "mountains",
    "island",
    "valley",
    "circuit",
];
pub(crate) const POLITY_NOUNS_AFTER: &[&str] = &[
    "forces",
    "army",
    "armies",
    "troops",
    "court",
    "emperor",
    "emperors",
    "general",
    "generals",
    "government",
    "navy",
    "fleet",
    "officials",
    "official",
    "diplomats",
    "envoys",
    "territory",
    "rule",
    "state",
    "empire",
    "dynasty",
    "side",
    "soldiers",
    "prince",
    "princes",
    "royalty",
    "vassal",
    "tribute",
    "loyalists",
    "commanders",
    "leadership",
    "control",
    "armed",
    "raids",
    "history",
    "capital",
    "economy",
    "military",
    "imperial",
    "ambassadors",
    "accounts",
    "historians",
    "dowager",
    "officer",
    "refugees",
    "emperor's",
    "insurgency",
    "alliance",
    "allies",
    "demands",
    "positions",
    "settlements",
    "prefectures",
    "armed",
    "defenses",
    "morale",
];
pub(crate) const POLITY_CONTEXT_BEFORE: &[&str] = &[
    "against",
    "between",
    "allied",
    "alliance",
    "vassal",
    "defeat",
    "ally",
    "allies",
    "neighbors",
    "neighbour",
    "neighbor",
    "overlords",
    "with",
    "and",
];

/// Verbs of getting land: "the emperor received Transylvania".
pub(crate) const RECEIVE_VERBS: &[&str] = &[
    "received",
    "recovered",
    "ceded",
    "annexed",
    "regained",
    "kept",
    "gained",
    "occupied",
    "conquered",
    "evacuated",
    "cede",
    "annex",
    "recover",
];

/// Words between a place and "capital": "Daming in Hebei was the first capital".
pub(crate) const CAPITAL_LEAD: &[&str] = &[
    "was",
    "became",
    "remained",
    "the",
    "first",
    "new",
    "main",
    "former",
    "second",
    "temporary",
    "as",
    "in",
];

/// Auxiliaries and adverbs between a name and its verb: "X was assassinated".
pub(crate) const AUX_WORDS: &[&str] = &[
    "was",
    "were",
    "had",
    "has",
    "is",
    "also",
    "then",
    "finally",
    "eventually",
    "later",
    "himself",
    "personally",
    "been",
    "successfully",
];

/// What is done to a place: "X was besieged", "was sacked".
pub(crate) const SACKED_VERBS: &[&str] = &[
    "besieged", "captured", "taken", "looted", "sacked", "pillaged", "renamed", "expanded",
    "founded",
];

/// Nouns before "of" and a polity: "the state of X", "the founder of X".
pub(crate) const POLITY_NOUNS_OF: &[&str] = &[
    "state",
    "dynasty",
    "empire",
    "kingdom",
    "court",
    "emperor",
    "throne",
    "vassal",
    "subject",
    "subjects",
    "founder",
    "army",
    "armies",
    "legitimacy",
];

/// Votes from the context of mention `k`.
fn cue_votes(toks: &[Tok<'_>], times: &[TimeMention], names: &[NameMention], k: usize) -> Votes {
    use NameClass::*;
    let m = &names[k];
    let mut v = Votes::default();
    let r = &m.toks;
    let prev = |d: usize| r.start.checked_sub(d).and_then(|p| toks.get(p));
    let next = |d: usize| toks.get(r.end + d - 1);

    if let Some(c) = m.head {
        v.add(c, 6.0);
    }
    if m.title.is_some() {
        v.add(Person, 5.0);
    }
    // "Prince of Hailing": a title with "of".
    if r.len() >= 3 && toks[r.start + 1].is("of") && toks[r.start].lex.person_title {
        v.add(Person, 5.0);
    }
    for &ti in &m.life {
        match times[ti].kind {
            TimeKind::Reign | TimeKind::Death | TimeKind::Birth => v.add(Person, 5.0),
            TimeKind::Lifespan => {
                if let (Some(s), Some(e)) = (times[ti].start, times[ti].end) {
                    if e.year - s.year <= 100 {
                        v.add(Person, 1.5);
                    } else {
                        v.add(Polity, 2.0);
                    }
                }
            }
            _ => {}
        }
    }
    if m.people {
        v.add(Polity, 3.0);
    }
    // Possessive + a noun people have: "Tong Guan's command".
    if m.possessive {
        if let Some(n) = toks.get(r.end + 1) {
            if n.in_list(lists::PERSON_POSSESSED) {
                v.add(Person, 2.0);
            }
        }
    }
    // "The city we now know as Istanbul": a place's other name.
    if prev(1).is_some_and(|t| t.is("as"))
        && prev(2).is_some_and(|t| t.is_any(&["known", "know", "called", "renamed"]))
        && (3..9).any(|d| {
            prev(d).is_some_and(|t| {
                t.is_any(&[
                    "city", "town", "capital", "village", "port", "fortress", "place",
                ])
            })
        })
    {
        v.add(Place, 3.0);
    }
    // "some lands in the Peloponnese", "islands off the X": land is somewhere.
    {
        let (p, before) = if prev(1).is_some_and(|t| t.is("the")) {
            (prev(2), prev(3))
        } else {
            (prev(1), prev(2))
        };
        if p.is_some_and(|t| t.is_any(&["in", "of", "off", "across"]))
            && before.is_some_and(|t| {
                t.is_any(&[
                    "lands",
                    "islands",
                    "cities",
                    "towns",
                    "territories",
                    "provinces",
                    "villages",
                    "regions",
                    "fortresses",
                    "ports",
                ])
            })
        {
            v.add(Place, 1.0);
        }
    }
    // "most of Hungary", "parts of the Russian Far East": a share of land.
    {
        let (p1, p2) = if prev(1).is_some_and(|t| t.is("the")) {
            (prev(2), prev(3))
        } else {
            (prev(1), prev(2))
        };
        if p1.is_some_and(|t| t.is("of"))
            && p2.is_some_and(|t| t.is_any(&["most", "part", "parts", "much", "rest", "all"]))
        {
            v.add(Place, 2.0);
        }
        // "the emperor received Transylvania", "the Commonwealth recovered Podolia".
        if p1.is_some_and(|t| t.in_list(lists::RECEIVE_VERBS)) {
            v.add(Place, 1.5);
        }
    }
    // "led by X", "commanded by X", "under X", "by general X"
    if let (Some(p1), Some(p2)) = (prev(1), prev(2)) {
        if p1.is("by")
            && p2.is_any(&[
                "led",
                "commanded",
                "headed",
                "defeated",
                "analysis",
                "repelled",
                "killed",
            ])
        {
            v.add(Person, 2.0);
        }
        if p1.is("of")
            && (p2.is_any(&["command", "death", "favor", "orders", "successor"])
                || KIN.contains(&p2.lower().as_ref())
                || p2.lower().ends_with("-grandson")
                || p2.lower().ends_with("-son"))
        {
            v.add(Person, 2.0);
        }
    }
    // An apposition says what a name is: "Tianzuo, the last emperor of the
    // Liao", "Jiangxi, the area where", "Li Cheng, a Song turncoat".
    // A parenthesis between the name and its apposition is skipped: "Da Qi
    // (the "Great Qi"), their second attempt at a puppet state".
    let mut skip = 0;
    if next(1).is_some_and(|t| t.text == "(") {
        let mut d = 2;
        while next(d).is_some_and(|t| t.text != ")") && d < 12 {
            d += 1;
        }
        if next(d).is_some_and(|t| t.text == ")") {
            skip = d;
        }
    }
    let nx = |d: usize| next(d + skip);
    if nx(1).is_some_and(|t| t.text == ",")
        && nx(2).is_some_and(|t| t.is_any(&["the", "a", "an", "his", "her", "its", "their"]))
    {
        let mut d = 3;
        while nx(d).is_some_and(|t| {
            t.kind == TokenKind::Word
                && !t.is_any(&[
                    "of", "who", "which", "and", "to", "in", "for", "from", "on", "with", "by",
                ])
                && !(t.is("at") && nx(d - 1).is_none_or(|p| !p.is("attempt")))
        }) && d < 10
        {
            if let Some(t) = nx(d) {
                let w = t.lower();
                let w: &str = &w;
                if lexicon::is_person_title(w)
                    || lexicon::is_person_title(w.trim_end_matches('s'))
                    || KIN.contains(&w)
                {
                    v.add(Person, 4.0);
                    break;
                }
                if APPOSITION_PLACES.contains(&w) {
                    v.add(Place, 4.0);
                    break;
                }
                if POLITY_HEADS.contains(&w) {
                    v.add(Polity, 4.0);
                    break;
                }
            }
            d += 1;
        }
    }
    // "an officer named Li Qiong", "a man called X"
    if prev(1).is_some_and(|t| t.is_any(&["named", "called"]))
        && prev(2).is_some_and(|t| {
            t.lex.person_title
                || t.is_any(&["man", "woman", "boy", "girl", "monk", "son", "daughter"])
        })
    {
        v.add(Person, 4.0);
    }
    // "the battle of Tangdao", "the siege of Qizhou": what is fought over is a place.
    if prev(1).is_some_and(|t| t.is("of"))
        && prev(2).is_some_and(|t| {
            t.is_any(&[
                "battle",
                "siege",
                "sack",
                "fall",
                "capture",
                "defence",
                "defense",
                "relief",
                "recapture",
            ])
        })
    {
        v.add(Place, 4.0);
    }
    // "Shaoxing further south"
    if next(1).is_some_and(|t| t.is_any(&["further", "farther"]))
        && next(2).is_some_and(|t| {
            t.is_any(&[
                "south",
                "north",
                "east",
                "west",
                "inland",
                "upstream",
                "downstream",
            ])
        })
    {
        v.add(Place, 3.0);
    }
    // "Daming in Hebei was the first capital of Qi", "Kaifeng, the capital"
    {
        let mut d = 1;
        while d < 8
            && next(d).is_some_and(|t| {
                t.in_list(lists::CAPITAL_LEAD)
                    || t.text == ","
                    || (d > 1
                        && t.is_cap()
                        && next(d - 1).is_some_and(|p| p.is("in") || p.is_cap()))
            })
        {
            d += 1;
        }
        if d > 1 && next(d).is_some_and(|t| t.is("capital")) {
            v.add(Place, 3.0);
        }
    }
    // "X, who" / "X who"
    let who_at = if next(1).is_some_and(|t| t.text == ",") {
        2
    } else {
        1
    };
    if next(who_at).is_some_and(|t| t.is("who")) {
        v.add(Person, 2.0);
    }
    // Verbs after the name.
    let mut d = 1;
    if m.possessive {
        d = 0;
    } else {
        // Skip a parenthesis and auxiliaries: "X (1068–1123) united", "X was assassinated".
        while let Some(t) = next(d) {
            if t.text == "(" {
                while next(d).is_some_and(|x| x.text != ")") {
                    d += 1;
                }
                d += 1;
                continue;
            }
            if t.in_list(lists::AUX_WORDS) {
                d += 1;
                continue;
            }
            break;
        }
    }
    if d > 0 {
        if let Some(t) = next(d) {
            if t.in_list(lists::PERSON_VERBS) {
                v.add(Person, 2.0);
            }
            if t.is_any(&["fell", "surrendered"]) && !m.possessive {
                v.add(Place, 2.0);
            }
            if t.in_list(lists::SACKED_VERBS) && next(1).is_some_and(|x| x.is("was")) {
                v.add(Place, 3.0);
            }
        }
    }
    // "the Han and Tang empires", "the Song and Tang dynasties"
    let plural_heads = ["dynasties", "empires", "kingdoms", "states"];
    if next(1).is_some_and(|t| t.is_any(&plural_heads))
        || (next(1).is_some_and(|t| t.is("and"))
            && next(2).is_some_and(|t| t.is_cap())
            && next(3).is_some_and(|t| t.is_any(&plural_heads)))
    {
        v.add(Polity, 3.0);
    }
    // Words right after the name: "Song forces", "Jin army".
    if !m.possessive && m.title.is_none() {
        if let Some(n1) = next(1) {
            if n1.kind == TokenKind::Word && !n1.is_cap() && n1.in_list(lists::POLITY_NOUNS_AFTER) {
                v.add(Polity, 1.5);
            }
        }
    }
    // Prepositions before the name.
    if let Some(p1) = prev(1) {
        let p1_the = p1.is("the");
        let before = if p1_the { prev(2) } else { Some(p1) };
        if let Some(b) = before {
            if b.is_any(PLACE_PREPS_STRONG) {
                v.add(Place, 2.0);
            } else if b.in_list(lists::PLACE_PREPS) && m.title.is_none() {
                v.add(Place, 1.5);
            }
            if b.in_list(lists::PLACE_VERBS) {
                v.add(Place, 3.0);
            }
            if b.in_list(lists::PLACE_NOUNS_BEFORE) && !p1_the {
                v.add(Place, 3.0);
            }
            if b.in_list(lists::POLITY_CONTEXT_BEFORE) && p1_the {
                v.add(Polity, 1.0);
            }
        }
        // "south of X", "bank of the X", "city of X", "state of X"
        let (p1, p2i) = if p1.is("the") && prev(2).is_some_and(|t| t.is("of")) {
            (prev(2).unwrap_or(p1), 3)
        } else {
            (p1, 2)
        };
        if p1.is("of") {
            if let Some(p2) = prev(p2i) {
                if p2.in_list(lists::PLACE_NOUNS_OF) {
                    v.add(Place, 3.0);
                }
                // "the army of Song", but "the Jin army of Wuzhu": an army
                // a polity's own already is the army its commander leads.
                let led =
                    p2.is("army") && prev(p2i + 1).is_some_and(|t| t.is_cap() && !t.lex.stopword);
                if led {
                    v.add(Person, 2.0);
                } else if p2.in_list(lists::POLITY_NOUNS_OF) {
                    v.add(Polity, 2.0);
                }
            }
        }
        // "the Song capital Kaifeng", "capital, Hangzhou"
        if p1.is("capital") || (p1.text == "," && prev(2).is_some_and(|x| x.is("capital"))) {
            v.add(Place, 3.0);
        }
        // "modern Beijing", "present-day Nanchang"
        if lexicon::is_modern_marker(p1.text)
            || (p1.is("day") && prev(2).is_some_and(|x| x.is("modern")))
        {
            v.add(Place, 4.0);
        }
    }
    // "a fleet of 73 ships under Wakisaka Yasuharu", "Japanese forces under X":
    // forces are under a person.
    if prev(1).is_some_and(|t| t.is("under"))
        && prev(2).is_some_and(|t| {
            t.in_list(lists::FORCE_NOUNS) || t.is_any(&["ships", "vessels", "men", "warships"])
        })
        && !m.possessive
        && m.head.is_none()
    {
        v.add(Person, 3.0);
    }
    // "X (modern Y)": X is a place.
    if next(1).is_some_and(|t| t.text == "(") {
        let inner = next(2);
        let inner2 = next(3);
        if inner.is_some_and(|t| lexicon::is_modern_marker(t.text))
            || (inner.is_some_and(|t| t.is("modern")) && inner2.is_some_and(|t| t.is("day")))
            || inner
                .is_some_and(|t| t.is_any(&["on", "in", "south", "north", "east", "west", "near"]))
        {
            v.add(Place, 4.0);
        }
    }
    // "X in Y": both places when Y is followed by punctuation or a date.
    if next(1).is_some_and(|t| t.is("in"))
        && next(2).is_some_and(|t| t.is_cap())
        && !names
            .iter()
            .any(|o| o.toks.start == r.end + 1 && o.title.is_some())
    {
        v.add(Place, 0.5);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::dates::{Anchor, tag};
    use crate::extract::text::toks_of as toks;

    fn names(s: &str) -> Vec<(String, Option<NameClass>, Option<String>)> {
        let t = toks(s);
        let mut words = DocWords::default();
        words.observe(&t);
        let times = tag(&t, &mut Anchor::default());
        find_names(&t, &times, &words)
            .into_iter()
            .map(|m| (m.text, m.votes.best(1.0), m.title))
            .collect()
    }

    #[test]
    fn titles_split_names_and_vote_person() {
        let got = names("Emperor Huizong of the Song abdicated and the Song general Li Gang fled.");
        assert_eq!(
            got[0],
            (
                "Huizong".into(),
                Some(NameClass::Person),
                Some("emperor".into())
            )
        );
        assert!(got.iter().any(|(n, c, t)| n == "Li Gang"
            && *c == Some(NameClass::Person)
            && t.as_deref() == Some("general")));
        let got = names("The armies of Song Emperor Lizong (r. 1224–1264) marched.");
        assert!(
            got.iter()
                .any(|(n, c, _)| n == "Lizong" && *c == Some(NameClass::Person)),
            "{got:?}"
        );
        let got = names("It was led by the Prince of Hailing in person.");
        assert!(
            got.iter()
                .any(|(n, c, _)| n == "Prince of Hailing" && *c == Some(NameClass::Person)),
            "{got:?}"
        );
    }

    #[test]
    fn an_army_of_a_polity_is_led_by_the_name_after_it() {
        let class = |s: &str, n: &str| {
            names(s)
                .into_iter()
                .find(|(x, _, _)| x == n)
                .and_then(|(_, c, _)| c)
        };
        // A polity's army "of" someone: its commander.
        assert_eq!(
            class(
                "Ostrava defeated the Qarlan army of Tobu Vesk.",
                "Tobu Vesk"
            ),
            Some(NameClass::Person)
        );
        // The army "of" a polity, also where a sentence begins with it.
        assert_eq!(
            class("Ostrava defeated the army of Qarlan.", "Qarlan"),
            Some(NameClass::Polity)
        );
        assert_eq!(
            class("The army of Qarlan was defeated.", "Qarlan"),
            Some(NameClass::Polity)
        );
    }

    #[test]
    fn heads_and_context_vote_place_and_polity() {
        let got = names(
            "The boundary ran along the Huai River, and the Jin dynasty besieged Taiyuan near Datong.",
        );
        let class = |n: &str| got.iter().find(|(x, _, _)| x == n).and_then(|(_, c, _)| *c);
        assert_eq!(class("Huai River"), Some(NameClass::Place));
        assert_eq!(class("Jin dynasty"), Some(NameClass::Polity));
        assert_eq!(class("Taiyuan"), Some(NameClass::Place));
        assert_eq!(class("Datong"), Some(NameClass::Place));
        let got = names("They reached the Battle of Caishi and the Jin–Song Wars.");
        assert!(
            got.iter()
                .any(|(n, c, _)| n == "Battle of Caishi" && *c == Some(NameClass::Event))
        );
        assert!(
            got.iter()
                .any(|(n, c, _)| n == "Jin–Song Wars" && *c == Some(NameClass::Event))
        );
    }

    #[test]
    fn an_ordinal_is_part_of_an_event_s_name() {
        let got = names(
            "The Second Battle of Fenshui began. Third Battle of Lüyang was fought before \
             the Second Qarlan War, in the second year of the Liang dynasty.",
        );
        let class = |n: &str| got.iter().find(|(x, _, _)| x == n).map(|(_, c, _)| *c);
        assert_eq!(
            class("Second Battle of Fenshui"),
            Some(Some(NameClass::Event))
        );
        assert_eq!(
            class("Third Battle of Lüyang"),
            Some(Some(NameClass::Event))
        );
        assert_eq!(class("Second Qarlan War"), Some(Some(NameClass::Event)));
        // Not before a name that is not an event's.
        assert_eq!(class("Liang dynasty"), Some(Some(NameClass::Polity)));
        assert!(got.iter().all(|(n, _, _)| !n.starts_with("second")));
    }

    #[test]
    fn sentence_initial_common_words_are_not_names() {
        let t = toks("Surprised by the news, the general was surprised.");
        let mut words = DocWords::default();
        words.observe(&t);
        let times = tag(&t, &mut Anchor::default());
        assert!(find_names(&t, &times, &words).is_empty());
    }
}
