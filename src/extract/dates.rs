//! Temporal tagging, in the manner of HeidelTime and SUTime: a cascade of
//! small patterns over tokens that recognizes absolute dates ("January 31,
//! 1126", "November 1125", "mid December 1126", "early 1130", "the fall of
//! 1206"), ranges ("1206–1208", "from 1132 to 1134", "between November 26 and
//! 27"), decades and centuries ("the 1130s", "13th century"), durations
//! ("after 260 days"), parenthesised life spans and reigns ("(1068–1123)",
//! "(r. 1100–1127)", "(d. 1217)"), and relative expressions ("the following
//! year", "a decade later", "that same year", "two days after", "in March")
//! that are resolved against an anchor: the last date stated before them.

use std::fmt;
use std::ops::Range;

use super::lexicon::{self, lists};
use super::text::{Tok, TokenKind};

/// A calendar date as precise as the text: a year, a month or a day.
/// Dates are as the source states them (before 1582, the Julian calendar).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl Date {
    pub fn year(year: i32) -> Self {
        Date {
            year,
            month: None,
            day: None,
        }
    }

    pub fn month(year: i32, month: u8) -> Self {
        Date {
            year,
            month: Some(month),
            day: None,
        }
    }

    /// A day date, if the day exists in that month (leap years by the Julian
    /// rule before 1582, as the sources count).
    pub fn day(year: i32, month: u8, day: u8) -> Option<Self> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date {
            year,
            month: Some(month),
            day: Some(day),
        })
    }

    /// XSD lexical form: `1126`, `1126-01`, `1126-01-31` (years padded to 4 digits).
    pub fn lexical(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => format!("{:04}-{m:02}", self.year),
            _ => format!("{:04}", self.year),
        }
    }

    /// The XSD datatype local name: `date`, `gYearMonth` or `gYear`.
    pub fn xsd_type(&self) -> &'static str {
        match (self.month, self.day) {
            (Some(_), Some(_)) => "date",
            (Some(_), None) => "gYearMonth",
            _ => "gYear",
        }
    }

    /// Adds days (day precision only).
    fn plus_days(self, n: i64) -> Option<Date> {
        // Past ten thousand years a day count is no date of history.
        if n.unsigned_abs() > 3_660_000 {
            return None;
        }
        let (mut y, mut m, mut d) = (self.year, self.month?, i64::from(self.day?));
        d += n;
        loop {
            let len = i64::from(days_in_month(y, m));
            if d > len {
                d -= len;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            } else if d < 1 {
                m -= 1;
                if m == 0 {
                    m = 12;
                    y -= 1;
                }
                d += i64::from(days_in_month(y, m));
            } else {
                break;
            }
        }
        Date::day(y, m, d as u8)
    }

    fn plus_months(self, n: i32) -> Option<Date> {
        let m = (i32::from(self.month?) - 1).checked_add(n)?;
        Some(Date::month(
            self.year.checked_add(m.div_euclid(12))?,
            (m.rem_euclid(12) + 1) as u8,
        ))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lexical())
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => {
            let leap = if year < 1582 {
                year % 4 == 0
            } else {
                (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            };
            if leap { 29 } else { 28 }
        }
        _ => 0,
    }
}

/// A duration stated in the text ("260 days").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duration {
    pub amount: u32,
    /// `D`, `M` or `Y`.
    pub unit: char,
}

impl Duration {
    /// ISO 8601 / xsd:duration lexical form (`P260D`).
    pub fn lexical(&self) -> String {
        format!("P{}{}", self.amount, self.unit)
    }
}

/// What a time expression is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeKind {
    /// A point in time (of any precision).
    Point,
    /// A span with a start and an end.
    Range,
    /// A parenthesised year range right after a name: a life or lifespan.
    Lifespan,
    /// `(r. 1100–1127)`.
    Reign,
    /// `(d. 1217)`.
    Death,
    /// `(b. 1930)`.
    Birth,
    /// A period that cannot be typed as a date ("13th century", "the 1130s").
    Period(String),
    /// A length of time ("260 days").
    Duration(Duration),
}

/// A time expression found in a sentence.
#[derive(Debug, Clone)]
pub struct TimeMention {
    pub kind: TimeKind,
    pub start: Option<Date>,
    pub end: Option<Date>,
    /// Byte range in the document text.
    pub span: Range<usize>,
    /// Token indexes in the sentence.
    pub toks: Range<usize>,
    /// Resolved from the anchor rather than stated.
    pub relative: bool,
    /// Inside parentheses.
    pub parenthetical: bool,
    /// Stated with "since", "until" and the like: not the time of the clause.
    pub boundary: Option<&'static str>,
}

impl TimeMention {
    /// Whether this expression can date an event (not a life span, duration or period).
    pub fn is_date(&self) -> bool {
        matches!(self.kind, TimeKind::Point | TimeKind::Range) && self.start.is_some()
    }
}

/// Discourse state: the last stated date.
#[derive(Debug, Default, Clone, Copy)]
pub struct Anchor {
    pub date: Option<Date>,
    /// The month the anchor's season begins in, when a season dated it
    /// ("the autumn of 736"): a later bare month before it is of the next
    /// year ("… ended the siege in January").
    pub season: Option<u8>,
}

fn is_qualifier(t: &Tok<'_>) -> bool {
    t.in_list(lists::DATE_QUALIFIERS)
}

/// Whether token `i` can begin a time expression. Outside parentheses, a
/// token begins one only when it is a number, a month, a season, a word with
/// a digit first ("1130s", "13th"), a qualifier or an article ("early",
/// "the following year"), or a word before a unit or "century" ("three
/// months", "twelfth century"): each pattern of [`match_at`] starts with
/// one. Most tokens are none of these, and are passed over here.
#[inline]
fn may_begin(toks: &[Tok<'_>], i: usize, in_paren: bool) -> bool {
    let Some(cur) = toks.get(i) else { return false };
    in_paren
        || cur.kind == TokenKind::Number
        || cur.lex.month.is_some()
        || cur.lex.season.is_some()
        || lists::DATE_QUALIFIERS.has(&cur.lex)
        || lists::DATE_ARTICLES.has(&cur.lex)
        || cur.text.as_bytes().first().is_some_and(u8::is_ascii_digit)
        || toks
            .get(i + 1)
            .is_some_and(|x| lists::DURATION_UNITS.has(&x.lex) || lists::CENTURY.has(&x.lex))
}

fn year_value(t: &Tok<'_>) -> Option<i32> {
    if t.kind != TokenKind::Number || t.text.contains(',') || t.text.contains('.') {
        return None;
    }
    if !(3..=4).contains(&t.text.len()) {
        return None;
    }
    let y: i32 = t.text.parse().ok()?;
    (100..=2100).contains(&y).then_some(y)
}

fn day_value(t: &Tok<'_>) -> Option<u8> {
    if t.kind != TokenKind::Number || t.text.len() > 2 {
        return None;
    }
    let d: u8 = t.text.parse().ok()?;
    (1..=31).contains(&d).then_some(d)
}

/// The words of tokens as the text spaces them ("February 30, 1142").
fn words(toks: &[Tok<'_>]) -> String {
    let mut out = String::new();
    for (k, t) in toks.iter().enumerate() {
        if k > 0 && toks[k - 1].end < t.start {
            out.push(' ');
        }
        out.push_str(t.text);
    }
    out
}

fn is_dash_tok(t: &Tok<'_>) -> bool {
    t.kind == TokenKind::Punct && matches!(t.text, "–" | "-" | "—" | "‐")
}

/// Words after a bare number that show it is a year, not a count.
const YEAR_FOLLOWERS: &[&str] = &[
    "and", "or", "to", "when", "with", "after", "before", "by", "in", "during", "as", "until",
    "onwards", "onward", "that", "he", "she", "they", "it", "was", "were", "had", "which", "where",
    "but", "the", "a", "an", "at", "on", "for", "from", "while", "is", "are", "his", "her",
    "their", "its", "through", "under", "against", "saw", "both", "all", "so", "then", "led",
    "only", "again", "also", "still", "there", "this", "these", "ad", "ce", "bc", "bce", "whereas",
    "despite", "because", "however", "jointly", "each", "him", "them", "did",
];

/// Nouns that make a number a count, not a year ("in 3000 boats").
pub(crate) const COUNT_NOUNS: &[&str] = &[
    "years",
    "days",
    "months",
    "weeks",
    "men",
    "soldiers",
    "troops",
    "horses",
    "ships",
    "boats",
    "km",
    "kilometres",
    "kilometers",
    "miles",
    "metres",
    "meters",
    "feet",
    "li",
    "taels",
    "people",
    "households",
    "families",
    "cavalry",
    "infantry",
    "arrows",
    "bombs",
    "pieces",
];

/// Nouns after "the YEAR" that make the number a year ("the 1142 peace treaty").
const YEAR_NOUNS: &[&str] = &[
    "treaty",
    "peace",
    "war",
    "campaign",
    "invasion",
    "battle",
    "siege",
    "agreement",
    "truce",
    "revolt",
    "rebellion",
    "uprising",
    "coup",
    "flood",
    "census",
    "edition",
    "election",
];

/// Words before a bare number that show it is a year.
pub(crate) const YEAR_CUES: &[&str] = &[
    "in",
    "since",
    "by",
    "from",
    "to",
    "until",
    "till",
    "before",
    "after",
    "around",
    "circa",
    "c.",
    "year",
    "during",
    "of",
    "early",
    "mid",
    "late",
    "and",
    "or",
    "between",
    "about",
    "ca",
    "c",
    "through",
    "throughout",
    "spring",
    "summer",
    "fall",
    "autumn",
    "winter",
];

/// Finds the time expressions of a sentence, resolving relative ones
/// against `anchor` and moving the anchor to each stated date.
pub fn tag(toks: &[Tok<'_>], anchor: &mut Anchor) -> Vec<TimeMention> {
    let mut out: Vec<TimeMention> = Vec::new();
    let mut paren_depth = 0usize;
    let mut paren_open: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if t.text == "(" {
            paren_depth += 1;
            paren_open.push(i);
        } else if t.text == ")" {
            paren_depth = paren_depth.saturating_sub(1);
            paren_open.pop();
        }
        let in_paren = paren_depth > 0;
        if !may_begin(toks, i, in_paren) {
            i += 1;
            continue;
        }
        if let Some((m, next)) = match_at(toks, i, anchor, in_paren) {
            let mut m = m;
            // A date reckoned before year 1 or past 9999 (a relative date far
            // from its anchor) is no date: XSD could not even write it as the
            // sources count years.
            let in_range = |d: &Option<Date>| d.is_none_or(|d| (1..=9999).contains(&d.year));
            if !(in_range(&m.start) && in_range(&m.end)) {
                i = next.max(i + 1);
                continue;
            }
            m.parenthetical = in_paren;
            // The parenthesis right after a name: a life span, reign, death or birth.
            if in_paren {
                let open = paren_open.last().copied().unwrap_or(0);
                let after_name = open > 0
                    && (toks[open - 1].is_cap()
                        || toks[open - 1].in_list(lists::POLITY_HEADS)
                        || (open > 1
                            && (toks[open - 1].text == "'s" || toks[open - 1].text == "'")
                            && toks[open - 2].is_cap()));
                let first_inside = open + 1 == m.toks.start
                    || (open + 1 < m.toks.start
                        && toks[open + 1..m.toks.start]
                            .iter()
                            .all(|t| t.text == ";" || t.text == "," || t.is_cap() || t.is_word()));
                if m.kind == TimeKind::Range && after_name && first_inside && !m.relative {
                    m.kind = TimeKind::Lifespan;
                }
            }
            let moves_anchor = !matches!(
                m.kind,
                TimeKind::Lifespan
                    | TimeKind::Reign
                    | TimeKind::Death
                    | TimeKind::Birth
                    | TimeKind::Duration(_)
                    | TimeKind::Period(_)
            ) && m.boundary.is_none();
            if moves_anchor {
                if let Some(d) = m.start {
                    anchor.date = Some(d);
                    anchor.season = if d.month.is_none() {
                        toks[m.toks.clone()].iter().find_map(|t| t.lex.season)
                    } else {
                        None
                    };
                }
            }
            out.push(m);
            i = next.max(i + 1);
            continue;
        }
        i += 1;
    }
    out
}

fn mention(
    toks: &[Tok<'_>],
    range: Range<usize>,
    kind: TimeKind,
    start: Option<Date>,
    end: Option<Date>,
    relative: bool,
) -> TimeMention {
    let boundary = range
        .start
        .checked_sub(1)
        .and_then(|p| toks.get(p))
        .and_then(|p| {
            ["since", "until", "till", "before"]
                .into_iter()
                .find(|w| p.is(w))
        });
    TimeMention {
        span: toks[range.start].start..toks[range.end - 1].end,
        toks: range,
        kind,
        start,
        end,
        relative,
        parenthetical: false,
        boundary,
    }
}

/// Tries every pattern at token `i`; returns the mention and the next index.
fn match_at(
    toks: &[Tok<'_>],
    i: usize,
    anchor: &Anchor,
    in_paren: bool,
) -> Option<(TimeMention, usize)> {
    let t = |k: usize| toks.get(k);
    let cur = t(i)?;

    // (r. 1100–1127), (d. 1217), (b. 1930)
    if in_paren && cur.is_any(&["r", "d", "b", "reigned", "died", "born"]) {
        let mut k = i + 1;
        if t(k).is_some_and(|x| x.text == ".") {
            k += 1;
        }
        if let Some(y) = t(k).and_then(year_value) {
            let kind = match cur.lower().as_ref() {
                "r" | "reigned" => TimeKind::Reign,
                "d" | "died" => TimeKind::Death,
                _ => TimeKind::Birth,
            };
            if kind == TimeKind::Reign {
                if let Some((end, next)) = range_end(toks, k + 1, y) {
                    return Some((
                        mention(
                            toks,
                            i..next,
                            kind,
                            Some(Date::year(y)),
                            Some(Date::year(end)),
                            false,
                        ),
                        next,
                    ));
                }
            }
            return Some((
                mention(toks, i..k + 1, kind, Some(Date::year(y)), None, false),
                k + 1,
            ));
        }
    }

    // Qualifier prefix: early / mid / late / the end of / the beginning of.
    let mut q_end = i;
    if is_qualifier(cur) {
        q_end = i + 1;
        if t(q_end).is_some_and(|x| x.text == "-") {
            q_end += 1;
        }
        if t(q_end).is_some_and(|x| x.is("of")) {
            q_end += 1;
        }
        if t(q_end).is_some_and(|x| x.is("the")) {
            q_end += 1;
        }
    }

    // Seasons: "the spring of 1123", "the fall of 1206", "in the fall".
    if cur.lex.season.is_some() {
        if t(i + 1).is_some_and(|x| x.is("of")) {
            if let Some(y) = t(i + 2).and_then(year_value) {
                // "the winter of 1069–1070"
                if let Some((end, next)) = range_end(toks, i + 3, y).filter(|(e, _)| *e == y + 1) {
                    let m = mention(
                        toks,
                        i..next,
                        TimeKind::Range,
                        Some(Date::year(y)),
                        Some(Date::year(end)),
                        false,
                    );
                    return Some((m, next));
                }
                return Some((
                    mention(
                        toks,
                        i..i + 3,
                        TimeKind::Point,
                        Some(Date::year(y)),
                        None,
                        false,
                    ),
                    i + 3,
                ));
            }
        }
        let prev_the = i > 0 && toks[i - 1].is("the");
        let prev_in = i > 1 && toks[i - 2].is_any(&["in", "by", "during"]);
        let next_end = t(i + 1)
            .is_none_or(|x| x.kind == TokenKind::Punct || x.is_any(&["of", "and"]))
            && !t(i + 1).is_some_and(|x| x.is("of"));
        if prev_the && prev_in && next_end {
            if let Some(d) = anchor.date {
                return Some((
                    mention(
                        toks,
                        i - 1..i + 1,
                        TimeKind::Point,
                        Some(Date::year(d.year)),
                        None,
                        true,
                    ),
                    i + 1,
                ));
            }
        }
    }

    let s = q_end;
    let w = t(s)?;

    // Month-led patterns.
    if let Some(month) = w.lex.month {
        // "May" is also a verb: only as a month when a number or year follows,
        // or a preposition precedes.
        let is_may = w.is("may");
        // Month Day (– Day)? ,? Year?
        if let Some(day) = t(s + 1).and_then(day_value) {
            let mut k = s + 2;
            // "November 26 and 27", "June 3–5"
            let mut end_day = None;
            if t(k).is_some_and(|x| x.is("and") || x.is("to") || is_dash_tok(x)) {
                if let Some(d2) = t(k + 1).and_then(day_value) {
                    if d2 > day && t(k + 2).is_none_or(|x| x.lex.month.is_none()) {
                        end_day = Some(d2);
                        k += 2;
                    }
                }
            }
            let mut year = None;
            let mut k2 = k;
            if t(k2).is_some_and(|x| x.text == ",") {
                k2 += 1;
            }
            if let Some(y) = t(k2).and_then(year_value) {
                year = Some(y);
                k = k2 + 1;
            } else if t(k).is_some_and(|x| x.is("of"))
                && t(k + 1).is_some_and(|x| x.is("that") || x.is("the"))
                && t(k + 2).is_some_and(|x| x.is("year") || x.is("same"))
            {
                // "February 23 of that year"
                let mut kk = k + 3;
                if t(kk - 1).is_some_and(|x| x.is("same")) && t(kk).is_some_and(|x| x.is("year")) {
                    kk += 1;
                }
                let y = anchor.date?.year;
                let start = Date::day(y, month, day)?;
                return Some((
                    mention(toks, i..kk, TimeKind::Point, Some(start), Some(start), true),
                    kk,
                ));
            }
            let relative = year.is_none();
            let y = match year {
                Some(y) => y,
                None => resolve_month_year(anchor, month)?,
            };
            let Some(start) = Date::day(y, month, day) else {
                // "February 30, 1142": kept as text, never as a date.
                let text = words(&toks[i..k]);
                return Some((
                    mention(toks, i..k, TimeKind::Period(text), None, None, false),
                    k,
                ));
            };
            let (kind, end) = match end_day {
                Some(d2) => (TimeKind::Range, Date::day(y, month, d2)),
                None => (TimeKind::Point, Some(start)),
            };
            return Some((mention(toks, i..k, kind, Some(start), end, relative), k));
        }
        // Month Year
        if let Some(y) = t(s + 1).and_then(year_value) {
            // "November 1125–13th century" and "May 1122" handled alike.
            let start = Date::month(y, month);
            return Some((
                mention(toks, i..s + 2, TimeKind::Point, Some(start), None, false),
                s + 2,
            ));
        }
        // Month alone, after a preposition or qualifier: resolved from the anchor.
        let prep =
            (q_end > i) || (s > 0 && toks[s - 1].is_any(&["in", "by", "until", "during", "since"]));
        let followed_ok = t(s + 1).is_none_or(|x| {
            x.kind == TokenKind::Punct
                || x.is_any(&[
                    "the", "after", "when", "and", "of", "before", "a", "he", "they", "it",
                ])
        });
        if prep && followed_ok && !is_may {
            // "April of the following year", "March of the same year": the year
            // is the anchor's, or the next, whatever season the anchor was.
            let of_year = t(s + 1).is_some_and(|x| x.is("of"))
                && t(s + 2).is_some_and(|x| x.is_any(&["the", "that"]))
                && t(s + 4).is_some_and(|x| x.is("year"));
            if of_year {
                let next = t(s + 3).is_some_and(|x| x.is_any(&["following", "next"]));
                let same = t(s + 3).is_some_and(|x| x.is("same"));
                if next || same {
                    let y = anchor.date?.year + i32::from(next);
                    let start = Date::month(y, month);
                    let from = if q_end > i { i } else { s };
                    return Some((
                        mention(toks, from..s + 5, TimeKind::Point, Some(start), None, true),
                        s + 5,
                    ));
                }
            }
            let y = resolve_month_year(anchor, month)?;
            let start = Date::month(y, month);
            let from = if q_end > i { i } else { s };
            return Some((
                mention(toks, from..s + 1, TimeKind::Point, Some(start), None, true),
                s + 1,
            ));
        }
        if q_end > i {
            return None;
        }
    }

    // An impossible day before a month and a year ("31 April 1143",
    // "32 May 1143", "0 March 1145"): kept as text, never as a date, and
    // the month and year after it are not taken for a date either.
    if w.kind == TokenKind::Number
        && w.text.len() <= 2
        && w.text.bytes().all(|b| b.is_ascii_digit())
        && let Some(month) = t(s + 1).and_then(|x| x.lex.month)
        && let Some(y) = t(s + 2).and_then(year_value)
        && day_value(w).and_then(|d| Date::day(y, month, d)).is_none()
    {
        let text = words(&toks[i..s + 3]);
        return Some((
            mention(toks, i..s + 3, TimeKind::Period(text), None, None, false),
            s + 3,
        ));
    }

    // Day Month Year: "31 January 1126"
    if let Some(day) = day_value(w) {
        if let Some(month) = t(s + 1).and_then(|x| x.lex.month) {
            if let Some(y) = t(s + 2).and_then(year_value) {
                let d = Date::day(y, month, day)?;
                return Some((
                    mention(toks, i..s + 3, TimeKind::Point, Some(d), Some(d), false),
                    s + 3,
                ));
            }
            // "18 June to 2 September 1686": the year is said once, at the end.
            let sep = t(s + 2).is_some_and(|x| x.is_any(&["to", "until"]) || is_dash_tok(x));
            if sep {
                let d2 = t(s + 3).and_then(day_value);
                let m2 = t(s + 4).and_then(|x| x.lex.month);
                let y = t(s + 5).and_then(year_value);
                if let (Some(d2), Some(m2), Some(y)) = (d2, m2, y) {
                    let end = Date::day(y, m2, d2)?;
                    let start_year = if (month, day) > (m2, d2) { y - 1 } else { y };
                    let start = Date::day(start_year, month, day)?;
                    return Some((
                        mention(
                            toks,
                            i..s + 6,
                            TimeKind::Range,
                            Some(start),
                            Some(end),
                            false,
                        ),
                        s + 6,
                    ));
                }
            }
            // "on 12 August": the year from the story.
            let prep = s > 0 && toks[s - 1].is_any(&["on", "by", "until", "from", "since", "till"]);
            let year_follows = t(s + 2).is_some_and(|x| x.kind == TokenKind::Number);
            if prep && !year_follows {
                let y = resolve_month_year(anchor, month)?;
                let d = Date::day(y, month, day)?;
                return Some((
                    mention(toks, i..s + 2, TimeKind::Point, Some(d), Some(d), true),
                    s + 2,
                ));
            }
        }
    }

    // Decades: "the 1130s", "the early 1160s".
    if w.kind == TokenKind::Word {
        if let Some(num) = w.text.strip_suffix('s') {
            if num.len() == 4 && num.ends_with('0') && num.chars().all(|c| c.is_ascii_digit()) {
                return Some((
                    mention(
                        toks,
                        i..s + 1,
                        TimeKind::Period(format!("{num}s")),
                        None,
                        None,
                        false,
                    ),
                    s + 1,
                ));
            }
        }
        // Centuries: "13th century", "the twelfth century".
        if let Some(n) = t(s + 1)
            .is_some_and(|x| x.is("century"))
            .then(|| lexicon::ordinal(w.text))
            .flatten()
        {
            if (1..=21).contains(&n) {
                let text = words(&toks[i..s + 2]);
                return Some((
                    mention(toks, i..s + 2, TimeKind::Period(text), None, None, false),
                    s + 2,
                ));
            }
        }
    }

    // Year-led patterns.
    if let Some(y) = year_value(w) {
        let prev = s.checked_sub(1).and_then(|p| toks.get(p));
        let cue = q_end > i
            || prev.is_some_and(|p| {
                p.in_list(lists::YEAR_CUES) || p.text == "(" || is_dash_tok(p) || p.text == ","
            })
            || s == 0;
        let the_year_noun =
            prev.is_some_and(|p| p.is("the")) && t(s + 1).is_some_and(|x| x.is_any(YEAR_NOUNS));
        // Ranges: 1206–1208, 1225–27, "from 1132 to 1134", "between 1130 and 1137".
        if let Some((end, next)) = range_end(toks, s + 1, y) {
            let and_ok =
                !t(s + 1).is_some_and(|x| x.is("and")) || prev.is_some_and(|p| p.is("between"));
            let to_ok = !t(s + 1).is_some_and(|x| x.is("to") || x.is("until"))
                || prev.is_some_and(|p| p.is("from"));
            if and_ok
                && to_ok
                && (cue
                    || in_paren
                    || the_year_noun
                    || prev.is_none_or(|p| p.kind == TokenKind::Punct))
            {
                let from = if prev.is_some_and(|p| p.is_any(&["from", "between"])) && q_end == i {
                    s - 1
                } else {
                    i
                };
                return Some((
                    mention(
                        toks,
                        from..next,
                        TimeKind::Range,
                        Some(Date::year(y)),
                        Some(Date::year(end)),
                        false,
                    ),
                    next,
                ));
            }
        }
        let next = t(s + 1);
        let before_all = i.checked_sub(1).and_then(|p| toks.get(p));
        let strong_prep = q_end > i
            || before_all
                .is_some_and(|p| p.is_any(&["in", "since", "until", "till", "during", "from"]));
        let count_noun = next.is_some_and(|x| x.in_list(lists::COUNT_NOUNS));
        let next_ok = next.is_none_or(|x| {
            x.kind == TokenKind::Punct
                || x.is_cap()
                || x.is_any(YEAR_FOLLOWERS)
                || x.kind == TokenKind::Number
        }) || the_year_noun
            || (strong_prep && !count_noun);
        // "an arsenal of 3000 huopao": "of" + count + noun is not a year.
        let of_count = prev.is_some_and(|p| p.is("of"))
            && next.is_some_and(|x| {
                x.kind == TokenKind::Word && !x.is_cap() && !x.is_any(YEAR_FOLLOWERS)
            });
        if (cue || the_year_noun) && next_ok && !of_count {
            return Some((
                mention(
                    toks,
                    i..s + 1,
                    TimeKind::Point,
                    Some(Date::year(y)),
                    None,
                    false,
                ),
                s + 1,
            ));
        }
    }

    // Durations: "260 days", "three months", "more than 10 months", "a year".
    if let Some((d, next)) = duration_at(toks, s) {
        // A duration followed by "later"/"after"/"earlier" is a relative date.
        let later = t(next)
            .is_some_and(|x| x.is_any(&["later", "after", "afterwards", "earlier", "before"]));
        if later {
            let before = t(next).is_some_and(|x| x.is_any(&["earlier", "before"]));
            let after_what = t(next + 1);
            // "two days after the New Year": relative to something we cannot date.
            let open_object = t(next).is_some_and(|x| x.is("after") || x.is("before"))
                && (after_what.is_some_and(|x| x.is_cap())
                    || (after_what.is_some_and(|x| x.is("the"))
                        && t(next + 2).is_some_and(|x| x.is_cap())));
            if !open_object {
                let sign: i32 = if before { -1 } else { 1 };
                if let Some(base) = anchor.date {
                    let resolved = match d.unit {
                        'D' => base.plus_days(i64::from(sign) * i64::from(d.amount)),
                        'M' => base.plus_months(sign * d.amount as i32),
                        _ => i32::try_from(d.amount)
                            .ok()
                            .and_then(|n| base.year.checked_add(sign * n))
                            .map(Date::year),
                    };
                    if let Some(r) = resolved {
                        let point = if d.unit == 'D' { Some(r) } else { None };
                        return Some((
                            mention(toks, i..next + 1, TimeKind::Point, Some(r), point, true),
                            next + 1,
                        ));
                    }
                }
                return None;
            }
        }
        return Some((
            mention(toks, i..next, TimeKind::Duration(d), None, None, false),
            next,
        ));
    }

    // Relative years: "the following year", "the next year", "that (same) year",
    // "later that year", "the previous year", "the next day".
    // Each begins with "the", "that" or "a".
    if let Some(base) = anchor.date.filter(|_| cur.is_any(&["the", "that", "a"])) {
        // The words after it (none of them has a letter whose lower case
        // differs from its ASCII lower case).
        let then = |k: usize, words: &[&str]| toks.get(i + k).is_some_and(|x| x.is_any(words));
        let year = |k: usize| then(k, &["year"]);
        let (delta_years, len, day_delta): (Option<i32>, usize, Option<i64>) = if cur.is("the") {
            if then(1, &["following", "next"]) && year(2) {
                (Some(1), 3, None)
            } else if then(1, &["previous", "preceding"]) && year(2) {
                (Some(-1), 3, None)
            } else if then(1, &["same"]) && year(2) {
                (Some(0), 3, None)
            } else if then(1, &["next", "following"]) && then(2, &["day"]) {
                (None, 3, Some(1))
            } else if then(1, &["previous"]) && then(2, &["day"]) {
                (None, 3, Some(-1))
            } else if year(1) && then(2, &["after"]) {
                (Some(1), 3, None)
            } else {
                (None, 0, None)
            }
        } else if cur.is("that") {
            if then(1, &["same"]) && year(2) {
                (Some(0), 3, None)
            } else if year(1) {
                (Some(0), 2, None)
            } else {
                (None, 0, None)
            }
        } else if then(1, &["decade"]) && then(2, &["later"]) {
            (Some(10), 3, None)
        } else if year(1) && then(2, &["later"]) {
            (Some(1), 3, None)
        } else {
            (None, 0, None)
        };
        if len > 0 {
            if let Some(dy) = delta_years {
                let d = Date::year(base.year.saturating_add(dy));
                return Some((
                    mention(toks, i..i + len, TimeKind::Point, Some(d), None, true),
                    i + len,
                ));
            }
            if let Some(dd) = day_delta {
                if let Some(d) = base.plus_days(dd) {
                    return Some((
                        mention(toks, i..i + len, TimeKind::Point, Some(d), Some(d), true),
                        i + len,
                    ));
                }
            }
        }
    }
    None
}

/// "–1208", "–27", " to 1134", " and 1137" after a start year.
fn range_end(toks: &[Tok<'_>], k: usize, start: i32) -> Option<(i32, usize)> {
    let sep = toks.get(k)?;
    if !(is_dash_tok(sep) || sep.is_any(&["to", "until", "and"])) {
        return None;
    }
    let e = toks.get(k + 1)?;
    if e.kind != TokenKind::Number || e.text.contains(',') {
        return None;
    }
    let v: i32 = e.text.parse().ok()?;
    let end = match e.text.len() {
        2 if is_dash_tok(sep) => start - start % 100 + v,
        3 | 4 => v,
        _ => return None,
    };
    (end >= start && end - start < 1000).then_some((end, k + 2))
}

/// A length of time at `k`: NUMBER/number-word (+ "more than"/"about") + unit.
pub fn duration_at(toks: &[Tok<'_>], k: usize) -> Option<(Duration, usize)> {
    // The unit first: most words are followed by none.
    if !toks.get(k + 1)?.in_list(lists::DURATION_UNITS) {
        return None;
    }
    let t = toks.get(k)?;
    let amount: u32 = if let Some(n) = t.number() {
        u32::try_from(n).ok()?
    } else if t.is_any(&[
        "a", "an", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "twenty", "thirty", "fifty", "hundred",
    ]) {
        lexicon::number_word(t.text)? as u32
    } else {
        return None;
    };
    let u = toks.get(k + 1)?;
    let unit = match u.lower().as_ref() {
        "day" | "days" => 'D',
        "week" | "weeks" => {
            return Some((
                Duration {
                    amount: amount.checked_mul(7)?,
                    unit: 'D',
                },
                k + 2,
            ));
        }
        "month" | "months" => 'M',
        "year" | "years" => 'Y',
        "decade" | "decades" => {
            return Some((
                Duration {
                    amount: amount * 10,
                    unit: 'Y',
                },
                k + 2,
            ));
        }
        _ => return None,
    };
    Some((Duration { amount, unit }, k + 2))
}

/// The year of a month stated without one: the anchor's year, or the next
/// year when the month comes well before the anchor's month.
fn resolve_month_year(anchor: &Anchor, month: u8) -> Option<i32> {
    let a = anchor.date?;
    match a.month.or(anchor.season) {
        Some(am) if month + 2 < am => Some(a.year + 1),
        _ => Some(a.year),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::text::toks_of as toks;

    #[test]
    fn a_token_passed_over_begins_no_time_expression() {
        // Every sentence of the bundled sources, and of these, read with and
        // without a date to reckon from, inside parentheses and out.
        let mut texts: Vec<String> = [
            "In the early 1130s, three months later, the following year, that same year.",
            "The twelfth century; 13th century; a year after; two days before the New Year.",
            "From 1132 to 1134, between 1130 and 1137, 31 April 1143, 18 June to 2 September 1686.",
            "In the spring of 1123, by the fall, in late May 1127, on 12 August, mid-1140.",
            "Huizong (r. 1100–1127) and Wu Xi (d. 1207); the winter of 1069–1070; decades later.",
        ]
        .map(str::to_owned)
        .to_vec();
        let docs = crate::build::read_sources(&[]).expect("bundled sources");
        for d in &docs {
            for r in crate::extract::text::sentences(&d.text, 0) {
                texts.push(d.text[r].to_owned());
            }
        }
        let anchors = [
            Anchor::default(),
            Anchor {
                date: Some(Date::year(1130)),
                season: None,
            },
        ];
        let mut passed_over = 0;
        let mut found = 0;
        for text in &texts {
            let toks = toks(text);
            for i in 0..toks.len() {
                for in_paren in [false, true] {
                    for anchor in &anchors {
                        let m = match_at(&toks, i, anchor, in_paren);
                        if !may_begin(&toks, i, in_paren) {
                            assert!(m.is_none(), "{text:?} at {i}");
                            passed_over += 1;
                        }
                        found += usize::from(m.is_some());
                    }
                }
            }
        }
        assert!(passed_over > 10_000 && found > 100, "{passed_over} {found}");
    }

    /// (text, anchor, expected "start/end" of the first time expression, kind name)
    fn first(text: &str, anchor: Option<Date>) -> Option<(String, String)> {
        let t = toks(text);
        let mut a = Anchor {
            date: anchor,
            season: None,
        };
        let m = tag(&t, &mut a).into_iter().next()?;
        let v = match (&m.start, &m.end) {
            (Some(s), Some(e)) if s != e => format!("{s}/{e}"),
            (Some(s), _) => s.to_string(),
            (None, _) => String::new(),
        };
        let kind = match &m.kind {
            TimeKind::Period(p) => format!("Period({p})"),
            TimeKind::Duration(d) => format!("Duration({})", d.lexical()),
            k => format!("{k:?}"),
        };
        Some((v, kind))
    }

    #[test]
    fn absolute_and_partial_dates() {
        let y1126 = Some(Date::year(1126));
        let cases: &[(&str, Option<Date>, &str, &str)] = &[
            ("in November 1125, dispatching", None, "1125-11", "Point"),
            (
                "Kaifeng was besieged on January 31, 1126.",
                None,
                "1126-01-31",
                "Point",
            ),
            (
                "On January 9 , 1127 , the Jurchens",
                None,
                "1127-01-09",
                "Point",
            ),
            (
                "The Jin assault commenced in mid December 1126.",
                None,
                "1126-12",
                "Point",
            ),
            ("captured Kaifeng in early 1130.", None, "1130", "Point"),
            ("By the fall of 1206, however", None, "1206", "Point"),
            ("In the spring of 1123 the two sides", None, "1123", "Point"),
            ("revanchism (1206–1208) was", None, "1206/1208", "Range"),
            ("Western Xia (1225–27)", None, "1225/1227", "Lifespan"),
            ("dynasty (1115–1234) and", None, "1115/1234", "Lifespan"),
            (
                "the Song emperor Huizong (r. 1100–1127) and",
                None,
                "1100/1127",
                "Reign",
            ),
            ("Bi Zaiyu (d. 1217) captured", None, "1217", "Death"),
            (
                "the Mongol invasions of the 13th century brought",
                None,
                "",
                "Period(13th century)",
            ),
            ("in the 1130s, but", None, "", "Period(1130s)"),
            (
                "He returned again from 1132 to 1134.",
                None,
                "1132/1134",
                "Range",
            ),
            (
                "Between 1130 and 1137, the court",
                None,
                "1130/1137",
                "Range",
            ),
            (
                "between November 26 and 27 during",
                Some(Date::year(1161)),
                "1161-11-26/1161-11-27",
                "Range",
            ),
            ("the 1142 peace treaty by", None, "1142", "Point"),
            (
                "Taiyuan fell after 260 days of siege",
                None,
                "",
                "Duration(P260D)",
            ),
            ("an arsenal of 3000 huopao", None, "", ""),
            ("about 200 kilometres", None, "", ""),
            ("In 1115 he named himself emperor", None, "1115", "Point"),
            (
                "The Treaty of Shaoxing in 1142 settled the boundary",
                None,
                "1142",
                "Point",
            ),
            (
                "general Zhang Jun 's (1086–1154) battle",
                None,
                "1086/1154",
                "Lifespan",
            ),
            ("31 January 1126 was", None, "1126-01-31", "Point"),
            (
                "lasted from 18 June to 2 September 1686, when",
                None,
                "1686-06-18/1686-09-02",
                "Range",
            ),
            (
                "from 20 December to 3 February 1127",
                None,
                "1126-12-20/1127-02-03",
                "Range",
            ),
            (
                "then, on 12 August, the army",
                Some(Date::year(1687)),
                "1687-08-12",
                "Point",
            ),
            ("the 12 August attack", Some(Date::year(1687)), "", ""),
        ];
        for (text, anchor, want, kind) in cases {
            let got = first(text, *anchor);
            if want.is_empty() && kind.is_empty() {
                assert!(got.is_none(), "{text}: {got:?}");
                continue;
            }
            let (v, k) = got.unwrap_or_else(|| panic!("{text}: no time expression"));
            assert_eq!((v.as_str(), k.as_str()), (*want, *kind), "{text}");
        }
        let _ = y1126;
    }

    #[test]
    fn a_bare_month_after_a_later_season_is_of_the_next_year() {
        let dates = |sentences: &[&str]| -> Vec<String> {
            let mut anchor = Anchor::default();
            sentences
                .iter()
                .flat_map(|s| tag(&toks(s), &mut anchor))
                .filter_map(|m| m.start.map(|d| d.to_string()))
                .collect()
        };
        assert_eq!(
            dates(&[
                "In the autumn of 736, the army reached Bela and besieged it.",
                "The army ended the siege in January after 43 days.",
            ]),
            ["0736", "0737-01"]
        );
        assert_eq!(
            dates(&[
                "In the autumn of 736, the army reached Bela and besieged it.",
                "The city fell in October.",
            ]),
            ["0736", "0736-10"]
        );
        // "April of the following year" counts from the season's year.
        assert_eq!(
            dates(&[
                "In the winter of 758 the armies laid siege to Bela.",
                "In April of the following year, the siege was broken.",
            ]),
            ["0758", "0759-04"]
        );
        // A year alone says nothing of the month.
        assert_eq!(
            dates(&["In 736, the army besieged Bela.", "It fell in January."]),
            ["0736", "0736-01"]
        );
    }

    #[test]
    fn relative_dates_resolve_against_the_anchor() {
        let cases: &[(&str, Date, &str)] = &[
            (
                "in the following year jointly captured",
                Date::year(1233),
                "1234",
            ),
            ("A decade later, the Jin launched", Date::year(1207), "1217"),
            ("later that same year, a sign", Date::year(1133), "1133"),
            ("in the preceding year the Jin", Date::year(1233), "1232"),
            ("in the previous year the Jin", Date::year(1233), "1232"),
            ("in the same year the Jin", Date::year(1233), "1233"),
            ("and that year the Jin", Date::year(1233), "1233"),
            (
                "The Following Day they",
                Date::day(1126, 1, 27).unwrap(),
                "1126-01-28",
            ),
            (
                "the previous day they",
                Date::day(1126, 1, 27).unwrap(),
                "1126-01-26",
            ),
            ("the year after, they", Date::year(1141), "1142"),
            ("a year later, they", Date::year(1141), "1142"),
            (
                "Huizong fled Kaifeng the next day",
                Date::day(1126, 1, 27).unwrap(),
                "1126-01-28",
            ),
            (
                "Fancheng fell two days after, and",
                Date::day(1273, 1, 27).unwrap(),
                "1273-01-29",
            ),
            (
                "In February 23 of that year, the Jin",
                Date::year(1122),
                "1122-02-23",
            ),
            (
                "ended the siege in March after 33 days",
                Date::day(1126, 1, 31).unwrap(),
                "1126-03",
            ),
            (
                "In mid December the two armies",
                Date::month(1126, 9),
                "1126-12",
            ),
            (
                "left Kaifeng on October 15, reached",
                Date::year(1161),
                "1161-10-15",
            ),
            (
                "the Jurchen leaders, two years later, the",
                Date::year(1125),
                "1127",
            ),
            ("One month later, however", Date::month(1129, 5), "1129-06"),
            ("and in January the city", Date::month(1126, 12), "1127-01"),
        ];
        for (text, anchor, want) in cases {
            let (v, _) = first(text, Some(*anchor)).unwrap_or_else(|| panic!("{text}: nothing"));
            assert_eq!(v, *want, "{text}");
        }
        // "two days after the New Year" cannot be resolved: only a duration is seen.
        let (_, kind) = first(
            "reached the river, two days after the New Year.",
            Some(Date::day(1126, 1, 27).unwrap()),
        )
        .unwrap();
        assert_eq!(kind, "Duration(P2D)");
        // "two days after the bombardment began": after the event just dated.
        let (v, _) = first(
            "Fancheng fell two days after the bombardment began",
            Some(Date::day(1273, 1, 27).unwrap()),
        )
        .unwrap();
        assert_eq!(v, "1273-01-29");
    }

    #[test]
    fn impossible_dates_are_not_produced() {
        let (v, kind) = first("on February 30, 1142 the", None).unwrap();
        assert_eq!(
            (v.as_str(), kind.as_str()),
            ("", "Period(February 30, 1142)")
        );
        // Day first: the month and year after an impossible day are no date either.
        for (text, kept) in [
            ("on 31 April 1143 the", "Period(31 April 1143)"),
            ("on 32 May 1143 the", "Period(32 May 1143)"),
            ("on 0 March 1145 the", "Period(0 March 1145)"),
            ("on 29 February 1141 the", "Period(29 February 1141)"),
        ] {
            let (v, kind) = first(text, None).unwrap();
            assert_eq!((v.as_str(), kind.as_str()), ("", kept), "{text}");
        }
        let (v, _) = first("on 29 February 1140 the", None).unwrap();
        assert_eq!(v, "1140-02-29", "Julian leap year");
        // Years out of a historical range are not years.
        for text in ["in the year 0 the", "in 99999 a", "in -5 the"] {
            assert!(first(text, None).is_none(), "{text}");
        }
        assert!(Date::day(1140, 2, 29).is_some(), "Julian leap year");
        assert!(
            Date::day(1700, 2, 29).is_none(),
            "Gregorian rule after 1582"
        );
    }

    #[test]
    fn anchor_follows_stated_dates_but_not_life_spans() {
        let t = toks(
            "In 1114, the chieftain Wanyan Aguda (1068–1123) united the tribes. The following year he rebelled.",
        );
        let mut a = Anchor::default();
        let ms = tag(&t, &mut a);
        assert_eq!(ms.len(), 3);
        assert_eq!(ms[1].kind, TimeKind::Lifespan);
        assert_eq!(ms[2].start, Some(Date::year(1115)));
    }
}
