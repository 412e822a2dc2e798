//! Generic cue words: the configuration of the rule-based extractor.
//!
//! Everything here is a word of English or of the encyclopedic genre
//! (month names, "siege", "Emperor", "River", "dynasty"). No name, date or
//! place of any source belongs here: facts come from the text.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use rustc_hash::FxBuildHasher;

/// Calls `f` with the ASCII lower case of `word`, made on the stack when the
/// word is short (every cue word is), so a lookup allocates nothing.
pub fn with_lower<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    let b = word.as_bytes();
    if !b.iter().any(u8::is_ascii_uppercase) {
        // Already lower case (most words): nothing to copy.
        return f(word);
    }
    let mut buf = [0u8; 32];
    if let Some(buf) = buf.get_mut(..b.len()) {
        buf.copy_from_slice(b);
        buf.make_ascii_lowercase();
        // Lower-casing ASCII bytes keeps UTF-8 valid.
        if let Ok(w) = std::str::from_utf8(buf) {
            return f(w);
        }
    }
    f(&word.to_ascii_lowercase())
}

/// A word list as a set, for lists long enough that a scan costs.
fn set(words: &'static [&'static str]) -> HashSet<&'static str, FxBuildHasher> {
    words.iter().copied().collect()
}

pub const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Month number (1–12) of a month name or common abbreviation.
pub fn month(word: &str) -> Option<u8> {
    with_lower(word, month_lower)
}

fn month_lower(w: &str) -> Option<u8> {
    let w = w.trim_end_matches('.');
    if w.len() < 3 || w.len() > 9 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| *m == w || (w.len() == 3 && m.starts_with(w) && w != "mar" && w != "may"))
        .or(match w {
            "mar" => Some(2),
            "sept" => Some(8),
            _ => None,
        })
        .map(|i| i as u8 + 1)
}

/// The longest word [`Lex::of`] can know.
const LONGEST_KNOWN: usize = 32;

/// The words the lexicon says something of, by their lower case bytes.
static KNOWN: LazyLock<HashMap<&[u8], Lex, FxBuildHasher>> = LazyLock::new(|| {
    let months = MONTHS.iter().flat_map(|m| [*m, &m[..3]]).chain(["sept"]);
    let seasons = ["spring", "summer", "fall", "autumn", "winter"];
    months
        .chain(seasons)
        .chain(STOPWORDS.iter().copied())
        .chain(PERSON_TITLES.iter().copied())
        .chain([SIEGE_VERBS, CAMPAIGN_NOUNS, TREATY_NOUNS, TRIGGER_WORDS].concat())
        .chain(lists::ALL.iter().flat_map(|l| l.words.iter().copied()))
        .map(|w| (w.as_bytes(), Lex::of_lower(w)))
        .filter(|(_, l)| *l != Lex::default())
        .collect()
});

/// A word of at most [`SHORT`] bytes as one number: its bytes and its
/// length (most words, and most words the lexicon knows, are that short).
pub(crate) fn short_key(word: &[u8]) -> Option<u64> {
    // The bytes little-endian in the low seven bytes, the length in the
    // eighth: read as two overlapping numbers (the bytes they share are
    // the same), not byte by byte.
    let n = word.len();
    let bytes = match n {
        0 => 0,
        1 => u64::from(word[0]),
        2..4 => {
            let lo = u16::from_le_bytes([word[0], word[1]]);
            let hi = u16::from_le_bytes([word[n - 2], word[n - 1]]);
            u64::from(lo) | u64::from(hi) << (8 * (n - 2))
        }
        4..=SHORT => {
            let lo = u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
            let hi = u32::from_le_bytes([word[n - 4], word[n - 3], word[n - 2], word[n - 1]]);
            u64::from(lo) | u64::from(hi) << (8 * (n - 4))
        }
        _ => return None,
    };
    Some(bytes | (n as u64) << 56)
}

/// The longest word [`short_key`] makes a number of.
const SHORT: usize = 7;

/// [`KNOWN`]'s words of at most [`SHORT`] bytes, by [`short_key`]: looked
/// up without comparing bytes.
static KNOWN_SHORT: LazyLock<ShortTable> = LazyLock::new(|| {
    ShortTable::new(
        KNOWN
            .iter()
            .filter_map(|(w, l)| Some((short_key(w)?, *l)))
            .collect(),
    )
});

/// A fixed set of [`short_key`]s and their facts, in a table of open
/// addressing at most a quarter full: a lookup (every word token makes one)
/// mostly reads one slot, where a general hash map reads its control bytes
/// first.
struct ShortTable {
    /// (key, facts); key 0 (the empty word, never known) marks a free slot.
    slots: Box<[(u64, Lex)]>,
    /// 64 less the bits of a slot's index: a key's first slot is the top
    /// bits of its product with an odd constant.
    shift: u32,
}

impl ShortTable {
    fn new(entries: Vec<(u64, Lex)>) -> Self {
        let size = (entries.len() * 4).next_power_of_two().max(16);
        let mut t = ShortTable {
            slots: vec![(0, Lex::default()); size].into_boxed_slice(),
            shift: 64 - size.trailing_zeros(),
        };
        for (k, lex) in entries.into_iter().filter(|(k, _)| *k != 0) {
            let mut i = t.first_slot(k);
            while t.slots[i].0 != 0 && t.slots[i].0 != k {
                i = (i + 1) & (size - 1);
            }
            t.slots[i] = (k, lex);
        }
        t
    }

    #[inline]
    fn first_slot(&self, k: u64) -> usize {
        (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    #[inline]
    fn get(&self, k: u64) -> Option<&Lex> {
        let mask = self.slots.len() - 1;
        let mut i = self.first_slot(k);
        loop {
            let (key, lex) = &self.slots[i];
            if *key == 0 {
                return None;
            }
            if *key == k {
                return Some(lex);
            }
            i = (i + 1) & mask;
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.slots.iter().filter(|(k, _)| *k != 0).count()
    }
}

/// What the cue words say of one word: looked up once, when a text is
/// tokenized, since the extractor asks about the same tokens many times.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lex {
    /// [`month`]
    pub month: Option<u8>,
    /// [`season`]
    pub season: Option<u8>,
    /// [`is_stopword`]
    pub stopword: bool,
    /// [`is_person_title`]
    pub person_title: bool,
    /// [`is_trigger_word`]
    pub trigger: bool,
    /// The [`lists`] the word is in, one bit each.
    pub lists: u32,
}

/// A word list the rules ask of many tokens. A word token learns which of
/// these lists it is in when it is tokenized, with its other lexicon facts
/// ([`Lex::lists`]): [`crate::extract::text::Tok::in_list`] is then one bit
/// test, where [`crate::extract::text::Tok::is_any`] walks the words.
#[derive(Debug, Clone, Copy)]
pub struct WordList {
    bit: u32,
    pub words: &'static [&'static str],
}

impl WordList {
    /// List number `index` (below 32) of these words.
    const fn new(index: u32, words: &'static [&'static str]) -> Self {
        WordList {
            bit: 1 << index,
            words,
        }
    }

    /// Whether the lexicon facts `lex` say the word is in this list.
    #[inline]
    pub fn has(&self, lex: &Lex) -> bool {
        lex.lists & self.bit != 0
    }
}

/// The lists tokens know themselves to be in. No listed word has a capital
/// letter (a test holds it), so a token's lower case finds it; a listed word
/// the tokenizer never makes into one token ("emperor's", "c.") is in no
/// token's lists, as `is_any` finds it in no token.
pub mod lists {
    use super::WordList;
    use crate::extract::{dates, frames, names};

    pub const PERSON_VERBS: WordList = WordList::new(0, names::PERSON_VERBS);
    pub const PERSON_POSSESSED: WordList = WordList::new(1, names::PERSON_POSSESSED);
    pub const PLACE_NOUNS_OF: WordList = WordList::new(2, names::PLACE_NOUNS_OF);
    pub const PLACE_VERBS: WordList = WordList::new(3, names::PLACE_VERBS);
    pub const PLACE_PREPS: WordList = WordList::new(4, names::PLACE_PREPS);
    pub const PLACE_NOUNS_BEFORE: WordList = WordList::new(5, names::PLACE_NOUNS_BEFORE);
    pub const POLITY_NOUNS_AFTER: WordList = WordList::new(6, names::POLITY_NOUNS_AFTER);
    pub const POLITY_CONTEXT_BEFORE: WordList = WordList::new(7, names::POLITY_CONTEXT_BEFORE);
    pub const COMPARISON: WordList = WordList::new(8, frames::COMPARISON);
    pub const FORCE_NOUNS: WordList = WordList::new(9, super::FORCE_NOUNS);
    pub const YEAR_CUES: WordList = WordList::new(10, dates::YEAR_CUES);
    pub const COUNT_NOUNS: WordList = WordList::new(11, dates::COUNT_NOUNS);
    pub const RECEIVE_VERBS: WordList = WordList::new(12, names::RECEIVE_VERBS);
    pub const CAPITAL_LEAD: WordList = WordList::new(13, names::CAPITAL_LEAD);
    pub const AUX_WORDS: WordList = WordList::new(14, names::AUX_WORDS);
    pub const SACKED_VERBS: WordList = WordList::new(15, names::SACKED_VERBS);
    pub const POLITY_NOUNS_OF: WordList = WordList::new(16, names::POLITY_NOUNS_OF);
    pub const END_VERBS: WordList = WordList::new(17, frames::END_VERBS);
    pub const DATE_QUALIFIERS: WordList = WordList::new(18, super::DATE_QUALIFIERS);
    pub const DATE_ARTICLES: WordList = WordList::new(19, super::DATE_ARTICLES);
    pub const DURATION_UNITS: WordList = WordList::new(20, super::DURATION_UNITS);
    pub const CENTURY: WordList = WordList::new(21, &["century"]);
    pub const NOT_NAMES: WordList = WordList::new(22, super::NOT_NAMES);
    pub const POLITY_HEADS: WordList = WordList::new(23, super::POLITY_HEADS);
    pub const PLACE_HEADS: WordList = WordList::new(24, super::PLACE_HEADS);
    pub const EVENT_HEADS: WordList = WordList::new(25, super::EVENT_HEADS);
    pub const EVENT_OPENERS: WordList = WordList::new(26, super::EVENT_OPENERS);
    pub const OF_JOINERS: WordList = WordList::new(27, names::OF_JOINERS);
    pub const DIRECTION_ADJECTIVES: WordList = WordList::new(28, names::DIRECTION_ADJECTIVES);

    /// Every list, each with its own bit.
    pub const ALL: &[WordList] = &[
        PERSON_VERBS,
        PERSON_POSSESSED,
        PLACE_NOUNS_OF,
        PLACE_VERBS,
        PLACE_PREPS,
        PLACE_NOUNS_BEFORE,
        POLITY_NOUNS_AFTER,
        POLITY_CONTEXT_BEFORE,
        COMPARISON,
        FORCE_NOUNS,
        YEAR_CUES,
        COUNT_NOUNS,
        RECEIVE_VERBS,
        CAPITAL_LEAD,
        AUX_WORDS,
        SACKED_VERBS,
        POLITY_NOUNS_OF,
        END_VERBS,
        DATE_QUALIFIERS,
        DATE_ARTICLES,
        DURATION_UNITS,
        CENTURY,
        NOT_NAMES,
        POLITY_HEADS,
        PLACE_HEADS,
        EVENT_HEADS,
        EVENT_OPENERS,
        OF_JOINERS,
        DIRECTION_ADJECTIVES,
    ];
}

impl Lex {
    pub fn of(word: &str) -> Lex {
        // Every word the lexicon knows, with what it says of it: one lookup.
        let b = word.as_bytes();
        let mut buf = [0u8; LONGEST_KNOWN];
        let Some(buf) = buf.get_mut(..b.len()) else {
            // Longer than any word the lexicon knows (a test holds it).
            return Lex::default();
        };
        buf.copy_from_slice(b);
        buf.make_ascii_lowercase();
        Lex::of_lowercase(buf)
    }

    /// [`Lex::of`] a word whose ASCII letters are already in lower case.
    pub fn of_lowercase(word: &[u8]) -> Lex {
        match short_key(word) {
            Some(k) => KNOWN_SHORT.get(k),
            None => KNOWN.get(word),
        }
        .copied()
        .unwrap_or_default()
    }

    fn of_lower(w: &str) -> Lex {
        Lex {
            month: month_lower(w),
            season: season_lower(w),
            stopword: STOPWORD_SET.contains(w),
            person_title: PERSON_TITLE_SET.contains(w),
            trigger: is_trigger_word(w),
            lists: lists::ALL
                .iter()
                .filter(|l| l.words.contains(&w))
                .fold(0, |bits, l| bits | l.bit),
        }
    }
}

/// Words before a date that say which part of it: "early 1127", "the end of".
pub const DATE_QUALIFIERS: &[&str] =
    &["early", "mid", "mid-", "late", "middle", "beginning", "end"];

/// The words a relative date begins with: "the following year", "that year",
/// "a year later".
pub const DATE_ARTICLES: &[&str] = &["the", "that", "a"];

/// The units of a duration ("three months").
pub const DURATION_UNITS: &[&str] = &[
    "day", "days", "week", "weeks", "month", "months", "year", "years", "decade", "decades",
];

/// Small number words.
pub fn number_word(word: &str) -> Option<u64> {
    with_lower(word, number_word_lower)
}

fn number_word_lower(word: &str) -> Option<u64> {
    Some(match word {
        "a" | "an" | "one" | "single" => 1,
        "two" | "twice" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "hundred" => 100,
        "few" => 3,
        "several" => 3,
        _ => return None,
    })
}

/// Scale words after a number: "50 million".
pub fn scale_word(word: &str) -> Option<u64> {
    with_lower(word, scale_word_lower)
}

fn scale_word_lower(word: &str) -> Option<u64> {
    Some(match word {
        "hundred" => 100,
        "thousand" => 1_000,
        "million" | "millions" => 1_000_000,
        "billion" => 1_000_000_000,
        _ => return None,
    })
}

/// Ordinal words and their value ("first" → 1, "twelfth" → 12).
pub fn ordinal(word: &str) -> Option<u32> {
    with_lower(word, ordinal_lower)
}

fn ordinal_lower(w: &str) -> Option<u32> {
    const WORDS: [&str; 20] = [
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
        "eleventh",
        "twelfth",
        "thirteenth",
        "fourteenth",
        "fifteenth",
        "sixteenth",
        "seventeenth",
        "eighteenth",
        "nineteenth",
        "twentieth",
    ];
    if let Some(i) = WORDS.iter().position(|x| *x == w) {
        return Some(i as u32 + 1);
    }
    let digits = w.len() - w.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let suffix = &w[digits..];
    if digits > 0 && matches!(suffix, "st" | "nd" | "rd" | "th") {
        return w[..digits].parse().ok();
    }
    None
}

/// Seasons and the month they start in (northern hemisphere).
pub fn season(word: &str) -> Option<u8> {
    with_lower(word, season_lower)
}

fn season_lower(word: &str) -> Option<u8> {
    Some(match word {
        "spring" => 3,
        "summer" => 6,
        "fall" | "autumn" => 9,
        "winter" => 12,
        _ => return None,
    })
}

/// Titles and roles that precede a person's name ("Emperor Huizong",
/// "general Yue Fei"). Lower-cased.
pub const PERSON_TITLES: &[&str] = &[
    "emperor",
    "empress",
    "king",
    "queen",
    "prince",
    "princess",
    "duke",
    "marquis",
    "count",
    "earl",
    "lord",
    "sir",
    "khan",
    "sultan",
    "shah",
    "tsar",
    "czar",
    "pope",
    "general",
    "admiral",
    "marshal",
    "commander",
    "captain",
    "colonel",
    "lieutenant",
    "chancellor",
    "minister",
    "official",
    "officer",
    "commissioner",
    "governor",
    "governor-general",
    "prefect",
    "chieftain",
    "chief",
    "eunuch",
    "regent",
    "diplomat",
    "envoy",
    "historian",
    "scholar",
    "monk",
    "abbot",
    "bishop",
    "archbishop",
    "shogun",
    "daimyo",
    "leader",
    "turncoat",
    "dowager",
    "successor",
    "heir",
    "tsarina",
    "consort",
    "vizier",
    "soldier",
    "engineer",
    "writer",
    "poet",
    "priest",
    "merchant",
    "mercenary",
    "knight",
    "nobleman",
    "ambassador",
    "emissary",
    "bailo",
    "elector",
    "doge",
    "hetman",
    "voivode",
    "caliph",
];

/// Titles that, capitalized, form part of a name ("Emperor Gaozong").
pub fn is_person_title(word: &str) -> bool {
    with_lower(word, |w| PERSON_TITLE_SET.contains(w))
}

static PERSON_TITLE_SET: LazyLock<HashSet<&str, FxBuildHasher>> =
    LazyLock::new(|| set(PERSON_TITLES));

/// Titles that mark a ruler (used for reigns and roles).
pub fn is_ruler_title(word: &str) -> bool {
    with_lower(word, |w| {
        matches!(
            w,
            "emperor"
                | "empress"
                | "king"
                | "queen"
                | "khan"
                | "sultan"
                | "shah"
                | "tsar"
                | "czar"
                | "pope"
                | "caliph"
        )
    })
}

/// Words that end a polity name ("Jin dynasty", "Mongol Empire").
pub const POLITY_HEADS: &[&str] = &[
    "dynasty",
    "empire",
    "kingdom",
    "khanate",
    "sultanate",
    "caliphate",
    "republic",
    "confederation",
    "principality",
    "duchy",
    "shogunate",
    "state",
    "states",
    "tsardom",
    "emirate",
    "khaganate",
    "commonwealth",
    "league",
    "confederacy",
    "electorate",
];

/// The name a polity's head word follows: "jin" of "jin dynasty", "antar"
/// of "antar empire" (keys, in lower case).
pub fn before_polity_head(key: &str) -> Option<&str> {
    key.rsplit_once(' ')
        .filter(|(_, head)| POLITY_HEADS.contains(head))
        .map(|(bare, _)| bare)
}

/// Words that end a place name ("Huai River", "Xianren Pass").
pub const PLACE_HEADS: &[&str] = &[
    "river",
    "pass",
    "sea",
    "desert",
    "mountain",
    "mountains",
    "mount",
    "lake",
    "canal",
    "prefecture",
    "prefectures",
    "province",
    "county",
    "circuit",
    "island",
    "islands",
    "bay",
    "gulf",
    "strait",
    "plain",
    "plateau",
    "valley",
    "fortress",
    "castle",
    "city",
    "bridge",
    "harbour",
    "harbor",
    "port",
    "peninsula",
    "coast",
    "hill",
    "hills",
    "walls",
    "wall",
    "gate",
    "tower",
    "forest",
    "ocean",
    "far east",
    "east",
    "west",
    "asia",
    "europe",
];

/// Words that make a name an event name ("Jin–Song Wars", "Jingkang Incident").
pub const EVENT_HEADS: &[&str] = &[
    "war",
    "wars",
    "battle",
    "siege",
    "campaign",
    "campaigns",
    "incident",
    "rebellion",
    "revolt",
    "uprising",
    "invasion",
    "invasions",
    "offensive",
    "treaty",
    "conquest",
    "massacre",
    "expedition",
];

/// Words introducing a named event ("Battle of", "Treaty of").
pub const EVENT_OPENERS: &[&str] = &[
    "battle", "siege", "treaty", "sack", "fall", "peace", "capture",
];

/// Common capitalized words that are not names even mid-sentence.
pub const NOT_NAMES: &[&str] = &[
    "i", "heaven", "new", "year", "classics", "retired", "ad", "bc", "ce", "bce", "mr", "mrs",
    "dr", "st", "mt", "ok",
];

/// Function words and frequent sentence openers that are never names.
pub const STOPWORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "in",
    "on",
    "at",
    "of",
    "to",
    "for",
    "from",
    "by",
    "with",
    "without",
    "after",
    "before",
    "during",
    "when",
    "while",
    "although",
    "though",
    "this",
    "these",
    "that",
    "those",
    "his",
    "her",
    "their",
    "its",
    "it",
    "he",
    "she",
    "they",
    "we",
    "you",
    "there",
    "many",
    "some",
    "most",
    "both",
    "each",
    "every",
    "all",
    "meanwhile",
    "however",
    "yet",
    "but",
    "and",
    "or",
    "nor",
    "as",
    "since",
    "until",
    "once",
    "even",
    "only",
    "also",
    "among",
    "between",
    "under",
    "over",
    "despite",
    "because",
    "instead",
    "later",
    "early",
    "earlier",
    "contrary",
    "traditional",
    "modern",
    "here",
    "then",
    "thus",
    "so",
    "if",
    "unlike",
    "like",
    "about",
    "around",
    "near",
    "into",
    "upon",
    "within",
    "whose",
    "which",
    "who",
    "whom",
    "what",
    "where",
    "why",
    "how",
    "not",
    "no",
    "one",
    "two",
    "three",
    "another",
    "other",
    "such",
    "several",
    "more",
    "less",
    "further",
    "furthermore",
    "additionally",
    "finally",
    "eventually",
    "initially",
    "subsequently",
    "moreover",
    "nevertheless",
    "afterwards",
    "following",
    "upon",
    "towards",
    "toward",
    "across",
    "through",
    "throughout",
    "along",
    "against",
    "above",
    "below",
    "behind",
    "beyond",
    "inside",
    "outside",
    "join",
    "let",
    "let's",
    "our",
    "us",
    "my",
    "your",
    "is",
    "was",
    "were",
    "be",
    "been",
    "are",
    "had",
    "has",
    "have",
    "do",
    "did",
    "does",
    "by",
    "according",
    "although",
    "whereas",
    "whether",
    "still",
    "now",
    "today",
    "again",
    "almost",
    "barely",
    "nearly",
    "roughly",
    "approximately",
    "first",
    "second",
    "third",
    "last",
    "next",
    "previous",
    "former",
    "latter",
    "new",
    "old",
    "great",
    "greater",
    "notable",
    "reports",
    "records",
    "sources",
    "accounts",
    "historians",
    "scholars",
];

pub fn is_stopword(word: &str) -> bool {
    with_lower(word, |w| STOPWORD_SET.contains(w))
}

static STOPWORD_SET: LazyLock<HashSet<&str, FxBuildHasher>> = LazyLock::new(|| set(STOPWORDS));

/// Nouns for armed forces ("Song forces", "an army of 90,000 soldiers").
pub const FORCE_NOUNS: &[&str] = &[
    "army",
    "armies",
    "forces",
    "force",
    "troops",
    "soldiers",
    "men",
    "infantry",
    "cavalry",
    "horsemen",
    "fleet",
    "navy",
    "vanguard",
    "garrison",
    "militia",
    "militias",
    "warriors",
    "sailors",
    "archers",
    "crossbowmen",
    "knights",
    "ships",
    "vessels",
    "generals",
    "court",
    "envoys",
    "diplomats",
    "officials",
    "emperor",
    "general",
    "armed",
];

/// Units that count fighters (strength).
pub const STRENGTH_UNITS: &[&str] = &[
    "soldiers",
    "men",
    "troops",
    "infantry",
    "cavalry",
    "horsemen",
    "sailors",
    "archers",
    "warriors",
    "crossbowmen",
    "knights",
    "samurai",
    "footmen",
    "infantrymen",
    "cavalrymen",
];

/// Units that count losses.
pub const CASUALTY_UNITS: &[&str] = &[
    "casualties",
    "dead",
    "killed",
    "wounded",
    "losses",
    "deaths",
    "captured",
    "prisoners",
];

/// Units of payments ("taels of silver", "bolts of silk").
pub const MONEY_UNITS: &[&str] = &[
    "taels", "tael", "ounces", "ounce", "bolts", "bolt", "packs", "pack", "strings", "string",
    "pieces", "piece", "pounds", "pound", "marks", "mark", "coins", "bales", "rolls", "bushels",
    "ducats", "florins", "livres", "denarii", "talents", "ryo", "koku",
];

/// Words marking a yearly payment.
pub fn is_yearly(word: &str) -> bool {
    with_lower(word, |w| {
        matches!(
            w,
            "annual" | "annually" | "yearly" | "per" | "each" | "every"
        )
    })
}

/// Words that may open an event frame (lower case), besides the siege
/// verbs, campaign nouns and treaty nouns.
const TRIGGER_WORDS: &[&str] = &[
    "siege",
    "sieges",
    "battle",
    "battles",
    "defeat",
    "defeated",
    "repelled",
    "routed",
    "fought",
    "met",
    "attacked",
    "attack",
    "assault",
    "attempt",
    "raided",
    "pillaged",
    "plundered",
    "ravaged",
    "invaded",
    "invades",
    "war",
    "revolt",
    "rebellion",
    "uprising",
    "rebelled",
    "agreement",
    "capture",
    "captured",
    "take",
    "seize",
    "storm",
];

/// Whether a word (lower case) may open an event frame (checked first: most
/// words open none).
pub fn is_trigger_word(w: &str) -> bool {
    SIEGE_VERBS.contains(&w)
        || CAMPAIGN_NOUNS.contains(&w)
        || TREATY_NOUNS.contains(&w)
        || TRIGGER_WORDS.contains(&w)
}

/// Verbs whose subject attacks and object is the target of an event.
pub const SIEGE_VERBS: &[&str] = &["besieged", "besiege", "besieging", "besieges"];

/// Verbs of capture (they end a siege at the same place).
pub const CAPTURE_VERBS: &[&str] = &[
    "captured",
    "took",
    "seized",
    "fell",
    "sacked",
    "conquered",
    "occupied",
    "retook",
    "recaptured",
    "stormed",
    "overran",
    "breached",
    "surrendered",
];

/// Verbs whose object is a polity being invaded or attacked (campaigns).
pub const INVASION_VERBS: &[&str] = &["invaded", "invade", "invading", "invades"];

/// Words for a campaign in running text.
pub const CAMPAIGN_NOUNS: &[&str] = &[
    "campaign",
    "campaigns",
    "invasion",
    "invasions",
    "offensive",
    "counteroffensive",
    "counter-offensive",
    "expedition",
    "incursion",
    "counterattack",
    "counter-attack",
    "conquest",
];

/// Words for a treaty in running text.
pub const TREATY_NOUNS: &[&str] = &["treaty", "truce", "armistice", "accord", "pact"];

/// Verbs by which a treaty is made.
pub const TREATY_VERBS: &[&str] = &[
    "signed",
    "ratified",
    "agreed",
    "concluded",
    "negotiated",
    "negotiation",
    "settled",
    "reached",
    "sealed",
    "made",
    "set",
];

/// Words of victory and defeat.
pub const WIN_WORDS: &[&str] = &[
    "won",
    "victory",
    "victorious",
    "triumphed",
    "defeated",
    "repelled",
    "routed",
];
pub const LOSE_WORDS: &[&str] = &["lost", "defeat", "defeated", "routed", "repelled"];

/// Relations to a place: "modern Beijing", "present-day Nanchang".
pub fn is_modern_marker(word: &str) -> bool {
    with_lower(word, |w| {
        matches!(
            w,
            "modern" | "modern-day" | "present-day" | "today's" | "now"
        )
    })
}

/// Plural demonyms are recognized by form ("the Jurchens"); these are the
/// common adjectival suffixes of nationality words.
pub fn looks_like_demonym(word: &str) -> bool {
    with_lower(word, |w| {
        ["ese", "ian", "ish", "ic"]
            .iter()
            .any(|s| w.ends_with(s) && w.len() > 4)
            || matches!(
                w,
                "han" | "turk" | "thai" | "arab" | "greek" | "frank" | "norman" | "saxon"
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_lex_says_what_each_lookup_says() {
        let words = MONTHS
            .iter()
            .flat_map(|m| [*m, &m[..3]])
            .chain(["sept", "spring", "summer", "fall", "autumn", "winter"])
            .chain(STOPWORDS.iter().copied())
            .chain(PERSON_TITLES.iter().copied())
            .chain([SIEGE_VERBS, CAMPAIGN_NOUNS, TREATY_NOUNS, TRIGGER_WORDS].concat())
            .chain(lists::ALL.iter().flat_map(|l| l.words.iter().copied()))
            .chain([
                "the", "battle", "Ma", "Mar", "septe", "Jinsong", "Émile", "x",
            ]);
        for w in words {
            for w in [w.to_owned(), w.to_uppercase(), capitalized(w)] {
                let lex = Lex::of(&w);
                assert_eq!(lex.month, month(&w), "{w}");
                assert_eq!(lex.season, season(&w), "{w}");
                assert_eq!(lex.stopword, is_stopword(&w), "{w}");
                assert_eq!(lex.person_title, is_person_title(&w), "{w}");
                assert_eq!(lex.trigger, is_trigger_word(&w.to_lowercase()), "{w}");
            }
        }
        assert_eq!(Lex::of("Sept").month, Some(9));
        assert!(KNOWN.keys().all(|w| w.len() <= LONGEST_KNOWN));
        // Every short word has its own number, and is found by it.
        let short = KNOWN.keys().filter(|w| w.len() <= SHORT).count();
        assert!(short > 100 && KNOWN.len() > short);
        assert_eq!(KNOWN_SHORT.len(), short);
        assert_eq!(
            short_key(b"of"),
            Some(2 << 56 | u64::from(b'f') << 8 | u64::from(b'o'))
        );
        assert_ne!(short_key(b"a"), short_key(b"a\0"));
        for (w, lex) in KNOWN.iter() {
            if let Some(k) = short_key(w) {
                assert_eq!(KNOWN_SHORT.get(k), Some(lex), "{w:?}");
            }
        }
        // Words it does not know, and the empty word, are not found.
        for w in ["", "x", "qz", "granite", "pencil", "zzzzzzz"] {
            assert!(!KNOWN.contains_key(w.as_bytes()), "{w}");
            let k = short_key(w.as_bytes()).expect("a short word");
            assert_eq!(KNOWN_SHORT.get(k), None, "{w}");
        }
        // Each byte in its place, whatever the length.
        for n in 0..=SHORT + 1 {
            let w: Vec<u8> = (0..n as u8).map(|i| 0x81 + 17 * i).collect();
            let by_bytes = w
                .iter()
                .enumerate()
                .fold((n as u64) << 56, |k, (i, &b)| k | u64::from(b) << (8 * i));
            assert_eq!(short_key(&w), (n <= SHORT).then_some(by_bytes), "{n} bytes");
        }
        assert_eq!(short_key(b"besieged"), None);
        assert!(Lex::of("The").stopword);
    }

    #[test]
    fn a_word_knows_its_lists_as_is_any_would_say() {
        use crate::extract::text::toks_in;
        let mut bits = 0;
        for l in lists::ALL {
            assert_eq!(l.bit.count_ones(), 1);
            assert_eq!(bits & l.bit, 0, "{:?}", l.words.first());
            bits |= l.bit;
            // Looked up as the lexicon's other words are: in lower case.
            for w in l.words {
                assert!(!w.bytes().any(|b| b.is_ascii_uppercase()), "{w}");
            }
        }
        // Every token of the bundled sources, of every listed word in three
        // cases, and of some that are not ASCII, read as the extractor reads
        // them (with the lowered text) and without it.
        let docs = crate::build::read_sources(&[]).expect("bundled sources");
        let mut texts: Vec<String> = docs.iter().map(|d| d.text.clone()).collect();
        for l in lists::ALL {
            for w in l.words {
                texts.push(format!(
                    "{w} {} {} ({w}).",
                    w.to_uppercase(),
                    capitalized(w)
                ));
            }
        }
        texts.push("ÉTÉ, Zürich’s army — 1130 men’s Tröops ÀROUND «near»".to_owned());
        let mut checked = 0;
        for text in &texts {
            let lowered = text.to_ascii_lowercase();
            for lower in [None, Some(lowered.as_str())] {
                for t in toks_in(text, lower, 0..text.len()) {
                    for l in lists::ALL {
                        assert_eq!(t.in_list(*l), t.is_any(l.words), "{:?}", t.text);
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 100_000, "{checked}");
    }

    fn capitalized(w: &str) -> String {
        let mut c = w.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect())
            .unwrap_or_default()
    }
}
