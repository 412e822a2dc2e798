//! Step 3 of extraction: entity facts and event frames, sentence by sentence.
//!
//! In the GATE/ACE tradition, a trigger opens a frame: a named event
//! ("Battle of Caishi", "the siege of De'an", "Treaty of Shaoxing"), a verb
//! ("besieged Taiyuan", "invaded the Song", "X fell"), or an event noun with a
//! date ("a peace treaty was signed on November 2, 1208", "a new military
//! offensive in December 1129"). Its arguments are filled from the mentions of
//! the same sentence by type and position ("led by", "near", "against"), then
//! from the section whose heading names the event, then from the discourse
//! (the current date, the city last named). Hypothetical and negated
//! mentions ("could invade", "a treaty never materialized") open no frame.
//! Record and infobox fields describe the document's subject.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::ops::Range;
use std::rc::Rc;
use std::sync::LazyLock;

use rustc_hash::{FxHashMap, FxHashSet};

use super::dates::{Date, TimeKind, TimeMention};
use super::lexicon::{self, lists};
use super::model::*;
use super::names::{NameClass, NameMention, join};
use super::text::{Tok, TokenKind};
use super::{NameTable, Scanned, Sentence, norm_key};
use crate::sources::BlockKind;

/// What a name in a sentence turned out to be.
#[derive(Debug, Clone)]
struct RName {
    toks: Range<usize>,
    span: Range<usize>,
    surface: String,
    key: String,
    kind: Kind,
    possessive: bool,
    title: Option<String>,
    modifier: Option<String>,
    life: Vec<usize>,
    /// The name with its capitalized title ("Emperor Taizu of Song").
    titled: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Entity(EntityClass),
    Event,
}

impl RName {
    fn is(&self, c: EntityClass) -> bool {
        self.kind == Kind::Entity(c)
    }
}

/// What a new event mention says about the event it refers to.
struct Probe {
    class: EventClass,
    name: Option<String>,
    place: Option<String>,
    ordinal: Option<u32>,
    attackers: Vec<String>,
    /// "a new offensive", "another attack": not the event already being told.
    fresh: bool,
    /// The trigger noun ("campaign", "expedition").
    noun: Option<String>,
    /// Where the trigger is written (byte range in the document text).
    at: Option<Range<usize>>,
}

/// Words before a trigger that make it hypothetical, negated or planned.
const IRREALIS: &[&str] = &[
    "could",
    "would",
    "might",
    "should",
    "planned",
    "plan",
    "plans",
    "planning",
    "preparations",
    "prepare",
    "prepared",
    "tried",
    "try",
    "attempt",
    "attempted",
    "expecting",
    "expected",
    "forgo",
    "news",
    "instead",
    "rather",
    "intended",
    "intending",
    "willing",
    "if",
    "hoped",
    "hope",
    "proposal",
    "proposed",
    "never",
    "not",
    "no",
    "avoid",
    "avoided",
    "justification",
    "supported",
    "sought",
    "seek",
    "threat",
    "feared",
    "fear",
    "without",
    "continuing",
    "unless",
    "whether",
    "wanted",
    "want",
    "demanded",
    "demand",
    "opposition",
    "opponents",
    "rumour",
    "rumor",
    "violated",
    "violating",
    "broken",
    "broke",
    "reneged",
    "critic",
];

/// Verbs that end a siege or campaign: "fell", "was lifted".
pub(crate) const END_VERBS: &[&str] = &[
    "fell",
    "ended",
    "ending",
    "surrendered",
    "broke",
    "broken",
    "raised",
    "lifted",
    "withdrew",
    "captured",
    "took",
    "recaptured",
];

/// Words that compare with another era ("rivaled a victory at the Battle of X").
pub(crate) const COMPARISON: &[&str] = &[
    "rivaled",
    "rivalled",
    "rival",
    "similarly",
    "similar",
    "compared",
    "likened",
    "reminiscent",
    "comparable",
];

/// Event nouns that are never events by themselves.
fn event_noun_class(w: &str) -> Option<EventClass> {
    let w = w.to_lowercase();
    Some(match w.as_str() {
        "siege" => EventClass::Siege,
        "battle" | "battles" => EventClass::Battle,
        "campaign" | "invasion" | "offensive" | "counteroffensive" | "counter-offensive"
        | "expedition" | "incursion" | "counterattack" | "counter-attack" => EventClass::Campaign,
        "war" | "revolt" | "rebellion" | "uprising" => EventClass::Conflict,
        "treaty" | "truce" | "armistice" | "pact" => EventClass::Treaty,
        _ => return None,
    })
}

/// Extracts entity facts and events from one scanned document.
pub fn extract(sc: &Scanned<'_>, table: &NameTable) -> Extraction {
    let mut f = Frames {
        sc,
        table,
        out: Extraction::new(sc.doc.meta.id.clone()),
        persons: Persons::default(),
        last_place: None,
        homonyms: FxHashMap::default(),
        section_events: BTreeMap::new(),
        current: None,
        subject: None,
        last_subject_person: None,
        resolved: Vec::new(),
        definitions: Vec::new(),
        trigger_at: None,
        told: FxHashMap::default(),
        sentence_keys: (0..sc.sentences.len()).map(|_| OnceCell::new()).collect(),
        names: EventNames::default(),
        families: Default::default(),
        told_here: Vec::new(),
    };
    f.run();
    f.out
}

struct Frames<'a> {
    sc: &'a Scanned<'a>,
    table: &'a NameTable,
    out: Extraction,
    /// Persons mentioned so far.
    persons: Persons,
    /// The place mentioned last.
    last_place: Option<String>,
    /// Choice made for a homonym's name: norm key → entity key.
    homonyms: FxHashMap<String, String>,
    /// Section index → event its heading names.
    section_events: BTreeMap<usize, usize>,
    /// The event being told: (event index, block index, sentence index).
    current: Option<(usize, usize, usize)>,
    subject: Option<usize>,
    last_subject_person: Option<String>,
    /// Resolved names per sentence.
    resolved: Vec<Rc<[RName]>>,
    /// Sentences that define the subject ("The X were a series of conflicts ...").
    definitions: Vec<usize>,
    /// The trigger word being read.
    trigger_at: Option<Range<usize>>,
    /// Normalized sentence → events it was read as stating.
    told: FxHashMap<String, Vec<usize>>,
    /// Each sentence's normalized text, made when first asked for.
    sentence_keys: Vec<OnceCell<String>>,
    /// The events told so far, by the keys of their names and aliases.
    names: EventNames,
    /// The events told so far of each family ([`EventClass::family`], which
    /// an event keeps), in order.
    families: [Vec<usize>; 3],
    /// The events the sentence being read has told, in the order it told
    /// them.
    told_here: Vec<usize>,
}

/// Events by the keys ([`norm_key`]) of their names and aliases, so that a
/// name read is matched without comparing it with every event told so far.
/// Kept whole by [`Frames::push_event`], [`Frames::name_event`] and
/// [`Frames::alias_event`], the only ways an event gets a name or an alias
/// while sentences are read, and made anew when consolidation renumbers
/// the events.
#[derive(Default, Debug, PartialEq)]
struct EventNames {
    /// Name key → the events of that name, in increasing order.
    named: FxHashMap<String, Vec<usize>>,
    /// Name or alias key → the events of that name or alias, in increasing
    /// order, each once.
    known: FxHashMap<String, Vec<usize>>,
}

impl EventNames {
    fn of(events: &[Event]) -> Self {
        let mut names = EventNames::default();
        for (i, e) in events.iter().enumerate() {
            names.index(i, e);
        }
        names
    }

    /// Indexes event `i`'s name and aliases (again: it is idempotent).
    fn index(&mut self, i: usize, e: &Event) {
        if let Some(n) = &e.name {
            self.name(i, n);
        }
        for a in &e.aliases {
            self.alias(i, a);
        }
    }

    fn name(&mut self, i: usize, name: &str) {
        let k = norm_key(name);
        add_sorted(self.named.entry(k.clone()).or_default(), i);
        add_sorted(self.known.entry(k).or_default(), i);
    }

    fn alias(&mut self, i: usize, alias: &str) {
        add_sorted(self.known.entry(norm_key(alias)).or_default(), i);
    }

    /// The events whose name has the key `key`, first told first.
    fn named(&self, key: &str) -> &[usize] {
        self.named.get(key).map_or(&[], Vec::as_slice)
    }

    /// The events whose name or an alias has the key `key`, first told first.
    fn known(&self, key: &str) -> &[usize] {
        self.known.get(key).map_or(&[], Vec::as_slice)
    }
}

/// The events of each family, in order.
fn families_of(events: &[Event]) -> [Vec<usize>; 3] {
    let mut families: [Vec<usize>; 3] = Default::default();
    for (i, e) in events.iter().enumerate() {
        families[usize::from(e.class.family())].push(i);
    }
    families
}

fn add_sorted(v: &mut Vec<usize>, i: usize) {
    if let Err(at) = v.binary_search(&i) {
        v.insert(at, i);
    }
}

/// The persons a document has mentioned, and which was mentioned last
/// under each of the words a lone surname or given name can be.
#[derive(Default)]
struct Persons {
    /// Mentions so far.
    count: u64,
    /// Each person's key → its last mention's number.
    last: FxHashMap<String, u64>,
    /// First and last word of a person's name (of two words or more, a
    /// parenthesis left out) → the persons with that word.
    by_word: FxHashMap<String, Vec<String>>,
}

impl Persons {
    fn mentioned(&mut self, key: &str) {
        self.count += 1;
        if let Some(n) = self.last.get_mut(key) {
            *n = self.count;
            return;
        }
        self.last.insert(key.to_owned(), self.count);
        let words: Vec<&str> = key.split(' ').filter(|x| !x.starts_with('(')).collect();
        // "Prince of Hailing", "John of Austria": what follows "of" is the
        // place a person is of, which its name alone names ("Hailing"), not
        // the person.
        let of_place = words.contains(&"of");
        if let [first, .., last] = words[..] {
            let ends: &[&str] = if first == last || of_place {
                &[first]
            } else {
                &[first, last]
            };
            for w in ends {
                self.by_word
                    .entry((*w).to_owned())
                    .or_default()
                    .push(key.to_owned());
            }
        }
    }

    /// The person mentioned last whose name starts or ends with `word`.
    fn last_named(&self, word: &str) -> Option<&str> {
        self.by_word
            .get(word)?
            .iter()
            .max_by_key(|k| self.last.get(k.as_str()))
            .map(String::as_str)
    }
}

impl<'a> Frames<'a> {
    fn text(&self) -> &'a str {
        &self.sc.doc.text
    }

    /// Adds an event, its name and aliases indexed; returns its index.
    fn push_event(&mut self, e: Event) -> usize {
        let i = self.out.events.len();
        self.names.index(i, &e);
        self.families[usize::from(e.class.family())].push(i);
        self.out.events.push(e);
        i
    }

    /// Names event `i`, which had no name.
    fn name_event(&mut self, i: usize, name: String) {
        debug_assert!(self.out.events[i].name.is_none());
        self.names.name(i, &name);
        self.out.events[i].name = Some(name);
    }

    /// Gives event `i` another name.
    fn alias_event(&mut self, i: usize, alias: String) {
        self.names.alias(i, &alias);
        self.out.events[i].aliases.insert(alias);
    }

    /// The normalized text of sentence `si` ([`norm_key`]).
    fn sentence_key(&self, si: usize) -> &str {
        self.sentence_keys[si]
            .get_or_init(|| norm_key(&self.text()[self.sc.sentences[si].span.clone()]))
    }

    fn run(&mut self) {
        let n = self.sc.sentences.len();
        self.find_subject();
        for si in 0..n {
            self.told_here.clear();
            let names = self.resolve_names(si);
            self.resolved.push(names.into());
            self.entity_facts(si);
            self.record_fields(si);
            self.section_heading(si);
            self.events(si);
            self.remember_discourse(si);
            // The indexes of the events (by name, by family) are kept whole as
            // events are told.
            #[cfg(test)]
            {
                assert_eq!(
                    self.names,
                    EventNames::of(&self.out.events),
                    "sentence {si}"
                );
                assert_eq!(self.families, families_of(&self.out.events));
            }
        }
        self.finish_subject();
        self.section_dates();
        self.consolidate();
        self.starts_from_durations();
        self.part_of();
    }

    /// "took Kaifeng in February 1233 after a siege of more than 10 months":
    /// an end and a duration give the start's year (no more precise than that,
    /// since durations are often approximate).
    fn starts_from_durations(&mut self) {
        for e in &mut self.out.events {
            let (None, Some(end), Some(d)) = (e.start, e.end, e.duration) else {
                continue;
            };
            let year = match d.unit {
                'Y' => Some(end.year - d.amount as i32),
                'M' => end
                    .month
                    .map(|m| (end.year * 12 + i32::from(m) - 1 - d.amount as i32).div_euclid(12)),
                'D' => match (end.month, end.day) {
                    (Some(m), Some(day)) => {
                        let ordinal = days_before_month(end.year, m) + i32::from(day);
                        let mut year = end.year;
                        let mut left = d.amount as i32 - ordinal;
                        while left >= 0 {
                            year -= 1;
                            left -= days_in_year(year);
                        }
                        Some(year)
                    }
                    _ => None,
                },
                _ => None,
            };
            if let Some(y) = year {
                e.start = Some(Date::year(y));
                e.start_source = DateSource::Discourse;
            }
        }
    }

    // ----- names -----

    fn resolve_names(&mut self, si: usize) -> Vec<RName> {
        let s = &self.sc.sentences[si];
        let toks = s.toks();
        let mut out = Vec::with_capacity(s.names.len());
        for m in &s.names {
            if let Some(r) = self.resolve_name(s, m) {
                out.push(r);
            }
        }
        // A title's modifier is a polity or people: "Song general Li Gang".
        for r in &mut out {
            if let Some(mr) = s
                .names
                .iter()
                .find(|m| m.toks == r.toks)
                .and_then(|m| m.modifier.clone())
            {
                let text = join(toks, mr);
                let k = norm_key(&text);
                if let Some(p) = self.table.polity_alias(&k) {
                    r.modifier = Some(p);
                } else if self.table.class_of_key(&k) == Some(NameClass::Polity) {
                    r.modifier = Some(self.table.surface(&k));
                }
            }
        }
        // "Emperor Taizu of Song": the titled name is another name of the person.
        for r in &mut out {
            if !r.is(EntityClass::Person) || r.toks.start == 0 {
                continue;
            }
            let t = &toks[r.toks.start - 1];
            if t.is_cap() && lexicon::is_ruler_title(t.text) {
                let mut titled = format!("{} {}", t.text, r.surface);
                let k = r.toks.end;
                if toks.get(k).is_some_and(|x| x.is("of")) {
                    let j = if toks.get(k + 1).is_some_and(|x| x.is("the")) {
                        k + 2
                    } else {
                        k + 1
                    };
                    if let Some(p) = s.names.iter().find(|m| m.toks.start == j) {
                        titled = format!("{titled} of {}", p.text);
                    }
                }
                r.titled = Some(titled);
            }
        }
        // "Duke of Normandy", "Prince of Hailing": the domain of a title is a place.
        let mut domains = Vec::new();
        for r in &out {
            if !r.is(EntityClass::Person) {
                continue;
            }
            let words: Vec<&str> = r.surface.split_whitespace().collect();
            if words.len() >= 3 && words[1] == "of" && lexicon::is_person_title(words[0]) {
                let place = words[2..].join(" ");
                let place = place.strip_prefix("the ").unwrap_or(&place).to_owned();
                let k = norm_key(&place);
                if self.table.polity_alias(&k).is_some()
                    || self.table.class_of_key(&k) == Some(NameClass::Polity)
                {
                    continue;
                }
                let start = r.span.end - place.len();
                domains.push(RName {
                    toks: r.toks.end..r.toks.end,
                    span: start..r.span.end,
                    surface: place.clone(),
                    key: self.table.surface(&k),
                    kind: Kind::Entity(EntityClass::Place),
                    possessive: false,
                    title: None,
                    modifier: None,
                    life: Vec::new(),
                    titled: None,
                });
            }
        }
        for d in domains {
            self.out.mentions.push(Mention {
                key: d.key.clone(),
                class: EntityClass::Place,
                surface: d.surface.clone(),
                span: d.span.clone(),
            });
            self.out.entity(&d.key, EntityClass::Place);
        }
        // Record entity mentions.
        for r in &out {
            if let Kind::Entity(c) = r.kind {
                self.out.mentions.push(Mention {
                    key: r.key.clone(),
                    class: c,
                    surface: r.surface.clone(),
                    span: r.span.clone(),
                });
                let e = self.out.entity(&r.key, c);
                // Copied only when new: most mentions repeat an alias.
                if r.surface != r.key && !e.facts.aliases.contains(&r.surface) {
                    e.facts.aliases.insert(r.surface.clone());
                }
                if let Some(t) = r.titled.as_ref().filter(|t| !e.facts.aliases.contains(*t)) {
                    e.facts.aliases.insert(t.clone());
                }
            }
        }
        out
    }

    fn resolve_name(&mut self, s: &Sentence<'_>, m: &NameMention) -> Option<RName> {
        let k = m.key.as_str();
        let base = |key: String, kind: Kind| RName {
            toks: m.toks.clone(),
            span: m.span.clone(),
            surface: m.text.clone(),
            key,
            kind,
            possessive: m.possessive,
            title: m.title.clone(),
            modifier: None,
            life: m.life.clone(),
            titled: None,
        };
        if m.head == Some(NameClass::Event) {
            return Some(base(m.text.clone(), Kind::Event));
        }
        // "Song–Jin" names two polities, not one thing.
        if !m.text.is_ascii()
            && m.text.contains('–')
            && m.text
                .split('–')
                .all(|p| self.table.polity_alias(&norm_key(p)).is_some())
        {
            return None;
        }
        if let Some(p) = self.table.place_alias(k) {
            if m.title.is_none() {
                return Some(base(p, Kind::Entity(EntityClass::Place)));
            }
        }
        let local = m.votes.best(3.0);
        let global = self.table.class_of_key(k);
        // The corpus's own polity aliases: "Jin", "Jurchen Jin dynasty", "the Jurchens".
        if local != Some(NameClass::Person) && m.title.is_none() {
            if let Some(p) = self.table.polity_alias(k) {
                return Some(base(p, Kind::Entity(EntityClass::Polity)));
            }
        }
        // A surname or given name alone refers to a person named before;
        // not a ruler's one name ("Emperor Ming" is not the general Ming
        // Wei named before).
        let strong_other = matches!(global, Some(NameClass::Polity) | Some(NameClass::Place))
            && self.table.votes(k).get(global.unwrap_or(NameClass::Place)) >= 3.0;
        let ruler = m.title.as_deref().is_some_and(lexicon::is_ruler_title);
        if m.toks.len() == 1
            && !strong_other
            && !ruler
            && local != Some(NameClass::Place)
            && local != Some(NameClass::Polity)
        {
            if let Some(p) = self.persons.last_named(&m.text) {
                return Some(base(p.to_owned(), Kind::Entity(EntityClass::Person)));
            }
        }
        // "Chinese", "Korean": a people's adjective names no entity of its own.
        if m.toks.len() == 1 && lexicon::looks_like_demonym(k) {
            return None;
        }
        let class = match (local, global) {
            (Some(l), Some(g)) if l != g && m.votes.get(l) >= 4.0 && m.votes.get(g) < 1.0 => {
                Some(l)
            }
            (_, Some(g)) => Some(g),
            (l, None) => l.or_else(|| m.votes.best(2.0)),
        };
        let class = match class? {
            NameClass::Event => return Some(base(m.text.clone(), Kind::Event)),
            NameClass::Polity => EntityClass::Polity,
            NameClass::Person => EntityClass::Person,
            NameClass::Place => EntityClass::Place,
        };
        let mut key = self.table.surface(k);
        if class == EntityClass::Person {
            if let Some(spans) = self.table.homonym_lifespans(k) {
                let own = m.life.iter().find_map(|&li| {
                    match (&s.times[li].kind, s.times[li].start, s.times[li].end) {
                        (TimeKind::Lifespan, Some(a), Some(b)) => Some((a.year, b.year)),
                        _ => None,
                    }
                });
                key = match own {
                    Some((a, b)) if spans.contains(&(a, b)) => {
                        let q = format!("{key} ({a}–{b})");
                        self.homonyms.insert(k.to_owned(), q.clone());
                        q
                    }
                    _ => self.homonyms.get(k).cloned().unwrap_or(key),
                };
            }
        }
        Some(base(key, Kind::Entity(class)))
    }

    fn remember_discourse(&mut self, si: usize) {
        let names = &self.resolved[si];
        let toks = &self.sc.sentences[si].toks;
        let mut first_person = None;
        for r in names.iter() {
            match r.kind {
                Kind::Entity(EntityClass::Person) => {
                    self.persons.mentioned(&r.key);
                    if first_person.is_none() {
                        first_person = Some(r.key.clone());
                    }
                }
                Kind::Entity(EntityClass::Place) if !modern_gloss(toks, r) => {
                    self.last_place = Some(r.key.clone());
                }
                _ => {}
            }
        }
        if first_person.is_some() {
            self.last_subject_person = first_person;
        }
    }

    // ----- entity facts -----

    fn entity_facts(&mut self, si: usize) {
        let s = &self.sc.sentences[si];
        let toks = s.toks();
        let names = Rc::clone(&self.resolved[si]);
        let in_belligerent_field = matches!(
            &self.sc.doc.blocks[s.block].kind,
            BlockKind::Field { key } if !key.eq_ignore_ascii_case("rdfs:label")
        );
        for r in names.iter() {
            let Kind::Entity(class) = r.kind else {
                continue;
            };
            // Life spans, reigns, deaths, births.
            for &li in &r.life {
                let t = &s.times[li];
                let span = t.span.clone();
                let e = self.out.entity(&r.key, class);
                match (&t.kind, t.start, t.end) {
                    (TimeKind::Lifespan, Some(a), Some(b)) if !in_belligerent_field => {
                        match class {
                            EntityClass::Person => {
                                e.facts.birth.get_or_insert(Stated {
                                    value: a.year,
                                    span: span.clone(),
                                });
                                e.facts.death.get_or_insert(Stated {
                                    value: b.year,
                                    span,
                                });
                            }
                            EntityClass::Polity => {
                                if !e
                                    .facts
                                    .lifespans
                                    .iter()
                                    .any(|l| l.value == (a.year, b.year))
                                {
                                    e.facts.lifespans.push(Stated {
                                        value: (a.year, b.year),
                                        span,
                                    });
                                }
                            }
                            EntityClass::Place => {}
                        }
                    }
                    (TimeKind::Reign, Some(a), Some(b)) if class == EntityClass::Person => {
                        e.facts.reign.get_or_insert(Stated {
                            value: (a.year, b.year),
                            span,
                        });
                    }
                    (TimeKind::Death, Some(a), _) if class == EntityClass::Person => {
                        e.facts.death.get_or_insert(Stated {
                            value: a.year,
                            span,
                        });
                    }
                    (TimeKind::Birth, Some(a), _) if class == EntityClass::Person => {
                        e.facts.birth.get_or_insert(Stated {
                            value: a.year,
                            span,
                        });
                    }
                    _ => {}
                }
            }
            if class == EntityClass::Person {
                if let Some(t) = &r.title {
                    self.out.entity(&r.key, class).facts.roles.insert(t.clone());
                }
                if let Some(p) = &r.modifier {
                    if *p != r.key {
                        self.out
                            .entity(&r.key, class)
                            .facts
                            .allegiance
                            .insert(p.clone());
                    }
                }
                // "Emperor Huizong of the Song"
                let after = r.toks.end;
                if r.title.is_some() && toks.get(after).is_some_and(|t| t.is("of")) {
                    let k = if toks.get(after + 1).is_some_and(|t| t.is("the")) {
                        after + 2
                    } else {
                        after + 1
                    };
                    if let Some(p) = names
                        .iter()
                        .find(|n| n.toks.start == k && n.is(EntityClass::Polity))
                    {
                        self.out
                            .entity(&r.key, class)
                            .facts
                            .allegiance
                            .insert(p.key.clone());
                    }
                }
                // "Wuzhu commanded the main Jin army": who leads a polity's force serves it.
                if toks
                    .get(after)
                    .is_some_and(|t| t.is_any(&["commanded", "led", "headed"]))
                {
                    let mut k = after + 1;
                    while k < after + 4
                        && toks
                            .get(k)
                            .is_some_and(|t| t.kind == TokenKind::Word && !t.is_cap())
                    {
                        k += 1;
                    }
                    if let Some(p) = names.iter().find(|n| {
                        n.toks.start == k
                            && n.is(EntityClass::Polity)
                            && toks
                                .get(n.toks.end)
                                .is_some_and(|t| t.in_list(lists::FORCE_NOUNS))
                    }) {
                        self.out
                            .entity(&r.key, class)
                            .facts
                            .allegiance
                            .insert(p.key.clone());
                    }
                }
            }
        }
        // Appositions: "X (the Y)", "X (Y)", and "X (modern Y)".
        for r in names.iter() {
            let Kind::Entity(class) = r.kind else {
                continue;
            };
            let mut k = r.toks.end;
            if r.possessive {
                continue;
            }
            if toks.get(k).is_none_or(|t| t.text != "(") {
                continue;
            }
            k += 1;
            let modern = toks
                .get(k)
                .is_some_and(|t| lexicon::is_modern_marker(t.text))
                || (toks.get(k).is_some_and(|t| t.is("modern"))
                    && toks.get(k + 1).is_some_and(|t| t.is("day")));
            if modern {
                while toks
                    .get(k)
                    .is_some_and(|t| t.kind != TokenKind::Word || !t.is_cap())
                {
                    k += 1;
                }
                if let Some(y) = names.iter().find(|n| n.toks.start == k) {
                    if class == EntityClass::Place {
                        let surface = y.surface.clone();
                        self.out
                            .entity(&r.key, class)
                            .facts
                            .modern_names
                            .insert(surface);
                    }
                }
                continue;
            }
            if toks.get(k).is_some_and(|t| t.is("the")) {
                k += 1;
            }
            while toks.get(k).is_some_and(|t| t.text == "\"") {
                k += 1;
            }
            // "Wanyan Liang (the Prince of Hailing)", "Da Chu (Great Chu)": another
            // name of the same thing, whatever the other name was typed as alone.
            if let Some(y) = s
                .names
                .iter()
                .find(|n| n.toks.start == k && n.toks.start > r.toks.end)
            {
                let closes = toks[y.toks.end..].iter().take(2).any(|t| t.text == ")");
                let resolved = names.iter().find(|n| n.toks == y.toks);
                let compatible = resolved.is_none_or(|x| x.kind == r.kind);
                if closes && compatible && y.text != r.key {
                    let surface = y.text.clone();
                    let alias = resolved.map(|x| x.key.clone());
                    let e = self.out.entity(&r.key, class);
                    e.facts.aliases.insert(surface);
                    if let Some(a) = alias {
                        if a != r.key {
                            e.facts.aliases.insert(a);
                        }
                    }
                }
            }
        }
        // "... was renamed Lin'an": an alias of the city last named.
        for (i, t) in toks.iter().enumerate() {
            if t.is("renamed") {
                // The new name, whatever it was typed as alone (it names a place).
                let s = &self.sc.sentences[si];
                if let Some(y) = s.names.iter().find(|n| n.toks.start == i + 1) {
                    let y_key = names
                        .iter()
                        .find(|n| n.toks == y.toks)
                        .map(|n| n.key.clone())
                        .unwrap_or_else(|| y.text.clone());
                    let prev = names
                        .iter()
                        .rfind(|n| n.toks.end <= i && n.is(EntityClass::Place) && n.key != y_key)
                        .map(|n| n.key.clone())
                        .or_else(|| self.last_place.clone());
                    if let Some(p) = prev {
                        let e = self.out.entity(&p, EntityClass::Place);
                        e.facts.aliases.insert(y.text.clone());
                        e.facts.aliases.insert(y_key);
                    }
                }
            }
        }
        self.capitals(toks, &names);
        self.puppets(toks, &names);
    }

    fn capitals(&mut self, toks: &[Tok<'_>], names: &[RName]) {
        let at = |k: usize| names.iter().find(|n| n.toks.start == k);
        let ending = |k: usize| names.iter().find(|n| n.toks.end == k);
        for (i, t) in toks.iter().enumerate() {
            if !t.is("capital") {
                continue;
            }
            // The polity before "capital", possibly with one adjective: "the Song western capital".
            let mut polity = None;
            for back in 1..=3 {
                if i < back {
                    break;
                }
                if let Some(n) = ending(i - back + 1).filter(|n| n.is(EntityClass::Polity)) {
                    polity = Some(n.key.clone());
                    break;
                }
                if (toks[i - back].kind != TokenKind::Word || toks[i - back].is_cap()) && back > 1 {
                    break;
                }
            }
            // "capital of (the) P"
            if polity.is_none() && toks.get(i + 1).is_some_and(|x| x.is("of")) {
                let k = if toks.get(i + 2).is_some_and(|x| x.is("the")) {
                    i + 3
                } else {
                    i + 2
                };
                polity = at(k)
                    .filter(|n| n.is(EntityClass::Polity))
                    .map(|n| n.key.clone());
                // "the Liao Western Capital of Datong": "of" introduces the city.
                if polity.is_none() {
                    if let Some(c) = at(k).filter(|n| n.is(EntityClass::Place)) {
                        let owner = names
                            .iter()
                            .rfind(|n| {
                                n.toks.end <= i && n.toks.end + 3 >= i && n.is(EntityClass::Polity)
                            })
                            .map(|n| n.key.clone());
                        if let Some(p) = owner {
                            let city = c.key.clone();
                            self.out
                                .entity(&p, EntityClass::Polity)
                                .facts
                                .capitals
                                .insert(city);
                        }
                        continue;
                    }
                }
            }
            let Some(polity) = polity else { continue };
            // The city: right after ("capital Kaifeng", "capital, Hangzhou", "capital at X",
            // "capital of the P, X"), or before ("Kaifeng, the Song capital").
            let mut city = None;
            let mut k = i + 1;
            if toks.get(k).is_some_and(|x| x.is("of")) {
                while k < toks.len() && toks[k].text != "," && k < i + 6 {
                    k += 1;
                }
            }
            while toks
                .get(k)
                .is_some_and(|x| x.text == "," || x.is("at") || x.is("was") || x.is("is"))
            {
                k += 1;
            }
            if let Some(c) = at(k).filter(|n| n.is(EntityClass::Place)) {
                city = Some(c.key.clone());
            }
            if city.is_none() {
                // "Kaifeng, the Song capital" / "Daming ... was the first capital of Qi" /
                // "instated Beijing as the Jin main capital"
                let before: Vec<&RName> = names
                    .iter()
                    .filter(|n| n.toks.end <= i && n.is(EntityClass::Place) && n.toks.end + 8 >= i)
                    .collect();
                // "Daming in Hebei was the first capital of Qi": the place the
                // clause is about, not the region that locates it.
                let mut pick = before.len().checked_sub(1);
                while let Some(k) = pick {
                    // Names may overlap (a place inside a longer name): no gap then.
                    if k > 0
                        && toks
                            .get(before[k - 1].toks.end..before[k].toks.start)
                            .is_some_and(|gap| gap.iter().all(|x| x.is("in")))
                    {
                        pick = Some(k - 1);
                    } else {
                        break;
                    }
                }
                if let Some(c) = pick.map(|k| before[k]) {
                    // "Kaifeng, the Song capital", "Kaifeng, former capital of",
                    // "Daming in Hebei was the first capital", "instated Beijing
                    // as the Jin main capital" — not "ancient China, as the
                    // Song Dynasty's capital was relocated".
                    let gap = &toks[c.toks.end..i];
                    let in_polity = |k: usize| {
                        names.iter().any(|n| {
                            n.is(EntityClass::Polity) && n.toks.contains(&(c.toks.end + k))
                        })
                    };
                    let allowed = gap.iter().enumerate().all(|(k, x)| {
                        in_polity(k)
                            || x.text == "'s"
                            || x.is_any(&[
                                "the",
                                "former",
                                "first",
                                "new",
                                "old",
                                "main",
                                "western",
                                "eastern",
                                "northern",
                                "southern",
                                "temporary",
                                "imperial",
                                "was",
                                "became",
                                "remained",
                                "is",
                                "in",
                            ])
                            || (x.text == "," && k == 0)
                            || (x.is("as") && k == 0)
                            || names.iter().any(|n| {
                                n.is(EntityClass::Place) && n.toks.contains(&(c.toks.end + k))
                            })
                    });
                    let linked = gap.first().is_some_and(|x| x.text == "," || x.is("as"))
                        || gap
                            .iter()
                            .any(|x| x.is_any(&["was", "became", "remained", "is"]));
                    if allowed && linked {
                        city = Some(c.key.clone());
                    }
                }
            }
            if let Some(c) = city {
                if c != polity {
                    self.out
                        .entity(&polity, EntityClass::Polity)
                        .facts
                        .capitals
                        .insert(c);
                }
            }
        }
    }

    fn puppets(&mut self, toks: &[Tok<'_>], names: &[RName]) {
        if !toks.iter().any(|t| t.is("puppet")) {
            return;
        }
        let polities: Vec<&RName> = names.iter().filter(|n| n.is(EntityClass::Polity)).collect();
        // The created polity: after "established", "create", "installed", "founded", "set up".
        let created = polities.iter().find(|n| {
            n.toks.start > 0
                && toks[n.toks.start.saturating_sub(3)..n.toks.start]
                    .iter()
                    .any(|t| {
                        t.is_any(&[
                            "established",
                            "create",
                            "created",
                            "founded",
                            "proclaimed",
                            "formed",
                            "creating",
                        ])
                    })
        });
        let Some(created) = created else { return };
        if let Some(maker) = polities
            .iter()
            .find(|n| n.key != created.key && n.toks.start < created.toks.start)
        {
            let m = maker.key.clone();
            self.out
                .entity(&created.key, EntityClass::Polity)
                .facts
                .puppet_of
                .insert(m);
        }
    }

    // ----- the document's subject -----

    fn find_subject(&mut self) {
        let doc = self.sc.doc;
        let mut names: Vec<String> = Vec::new();
        for b in &doc.blocks {
            let text = &doc.text[b.span.clone()];
            match &b.kind {
                BlockKind::Title => names.push(strip_the(text)),
                BlockKind::Field { key }
                    if key.eq_ignore_ascii_case("rdfs:label")
                        || key.eq_ignore_ascii_case("label") =>
                {
                    names.push(strip_the(text))
                }
                _ => {}
            }
        }
        names.retain(|n| !n.is_empty());
        // Without a title, the first sentence may define its subject: "The X were a ...".
        if names.is_empty() {
            if let Some(s) = self
                .sc
                .sentences
                .iter()
                .find(|s| doc.blocks[s.block].kind == BlockKind::Paragraph)
            {
                let toks = s.toks();
                let start = usize::from(toks.first().is_some_and(|t| t.is("the")));
                if let Some(m) = s.names.iter().find(|m| m.toks.start == start) {
                    if toks
                        .get(m.toks.end)
                        .is_some_and(|t| t.is_any(&["was", "were", "is", "are"]))
                    {
                        names.push(m.text.clone());
                    }
                }
            }
        }
        if names.is_empty() {
            return;
        }
        // The class: from the lead's definition "X was a battle", else from the name.
        let mut class = None;
        let keys: Vec<String> = names.iter().map(|n| norm_key(n)).collect();
        for (si, s) in self.sc.sentences.iter().enumerate() {
            if !matches!(
                doc.blocks[s.block].kind,
                BlockKind::Paragraph | BlockKind::Field { .. }
            ) {
                continue;
            }
            let toks = s.toks();
            if let Some(c) = definition_class(toks, &keys) {
                class.get_or_insert(c);
                self.definitions.push(si);
            }
        }
        if class.is_none() {
            for n in &names {
                class = class_from_name(n);
                if class.is_some() {
                    break;
                }
            }
        }
        let Some(class) = class else { return };
        let mut e = Event::new(class);
        e.subject = true;
        // The name written in the lead's definition wins, then the infobox title.
        let mut ordered = names.clone();
        ordered.sort_by_key(|n| std::cmp::Reverse(self.defined_in_lead(n)));
        e.name = Some(ordered[0].clone());
        for n in &ordered[1..] {
            e.aliases.insert(n.clone());
        }
        // "Jin–Song Wars": the parts of a dashed name are its sides.
        self.subject = Some(self.push_event(e));
    }

    fn defined_in_lead(&self, name: &str) -> bool {
        let k = norm_key(name);
        let the_k = format!("the {k}");
        (0..self.sc.sentences.len().min(40)).any(|si| {
            let t = self.sentence_key(si);
            t.starts_with(&k) || t.starts_with(&the_k)
        })
    }

    fn record_fields(&mut self, si: usize) {
        let Some(subj) = self.subject else { return };
        let s = &self.sc.sentences[si];
        let block = &self.sc.doc.blocks[s.block];
        let BlockKind::Field { key } = &block.kind else {
            return;
        };
        let key = key.to_lowercase();
        let value = self.text()[s.span.clone()].to_owned();
        let names = Rc::clone(&self.resolved[si]);
        // A prose field (comment, abstract) is kept whole, from its first sentence.
        let first = s.span.start == block.span.start;
        let block_text = self.text()[block.span.clone()].trim().to_owned();
        let e = &mut self.out.events[subj];
        match key.as_str() {
            "date" => {
                let mut times = s
                    .times
                    .iter()
                    .filter(|t| t.start.is_some() || matches!(t.kind, TimeKind::Period(_)));
                if let Some(t) = times.next() {
                    match &t.kind {
                        TimeKind::Period(p) => e.date_text = Some(p.clone()),
                        _ => {
                            e.start = t.start;
                            e.start_source = DateSource::Explicit;
                            if t.kind == TimeKind::Range || t.kind == TimeKind::Lifespan {
                                e.end = t.end;
                            }
                        }
                    }
                }
                if let Some(t) = times.next() {
                    match &t.kind {
                        TimeKind::Period(p) => e.end_text = Some(p.clone()),
                        _ => {
                            if e.end.is_none() {
                                e.end = t.start;
                            }
                        }
                    }
                }
                e.evidence.push(s.span.clone());
            }
            "location" | "place" => {
                e.record.place_text.push(value);
                if let Some(p) = names.iter().find(|n| n.is(EntityClass::Place)) {
                    e.place = Some(p.key.clone());
                }
            }
            "result" => e.result.push(value),
            "caption" => e.record.caption.push(value),
            "rdfs:comment" | "comment" if first => e.record.comment = Some(block_text),
            "abstract" | "dbo:abstract" if first => e.record.abstract_ = Some(block_text),
            "rdf:type" => e.record.types.push(value),
            "dcterms:subject" => e.record.subjects.push(value),
            "conflict" => e.record.conflict.push(value),
            "rdfs:label" | "label" => {}
            "belligerents" | "combatant" | "combatants" | "co-belligerents" => {
                for n in names.iter().filter(|n| n.is(EntityClass::Polity)) {
                    e.belligerents.insert(n.key.clone());
                }
            }
            "commanders and leaders" | "commander" | "commanders" => {
                for n in names.iter().filter(|n| n.is(EntityClass::Person)) {
                    e.commanders.insert(n.key.clone());
                }
            }
            "" => {
                // An unlabelled infobox line: a polity name is a belligerent, a clause a result.
                let words = value.split_whitespace().count();
                let polities: Vec<&RName> =
                    names.iter().filter(|n| n.is(EntityClass::Polity)).collect();
                let lower_words = value
                    .split_whitespace()
                    .filter(|w| w.chars().next().is_some_and(|c| c.is_lowercase()))
                    .count();
                if !polities.is_empty() && lower_words <= 1 {
                    for p in polities {
                        e.belligerents.insert(p.key.clone());
                    }
                } else if words >= 3 && lower_words >= 2 {
                    e.result.push(value);
                }
            }
            _ => {}
        }
    }

    fn finish_subject(&mut self) {
        let Some(subj) = self.subject else { return };
        // The lead's definition: "The X were a series of conflicts between A and B".
        let e = &self.out.events[subj];
        let keys: Vec<String> = std::iter::once(e.name.as_deref().unwrap_or_default())
            .chain(e.aliases.iter().map(String::as_str))
            .map(norm_key)
            .collect();
        for si in 0..self.sc.sentences.len() {
            let s = &self.sc.sentences[si];
            if !matches!(
                self.sc.doc.blocks[s.block].kind,
                BlockKind::Paragraph | BlockKind::Field { .. }
            ) {
                continue;
            }
            let toks = s.toks();
            let names = &self.resolved[si];
            if definition_class(toks, &keys).is_some() {
                if let Some(b) = toks.iter().position(|t| t.is("between")) {
                    let ps: Vec<String> = names
                        .iter()
                        .filter(|n| n.toks.start > b && n.is(EntityClass::Polity))
                        .map(|n| n.key.clone())
                        .collect();
                    let span = s.span.clone();
                    let block = self.sc.doc.blocks[s.block].span.clone();
                    let lead = self.text()[block].to_owned();
                    let e = &mut self.out.events[subj];
                    e.belligerents.extend(ps);
                    e.evidence.insert(0, span);
                    if e.record.abstract_.is_none() {
                        e.record.abstract_ = Some(lead);
                    }
                }
                break;
            }
        }
    }

    /// Heading events without a date take the first date their section states.
    fn section_dates(&mut self) {
        let mut pairs: Vec<(usize, usize)> =
            self.section_events.iter().map(|(s, e)| (*s, *e)).collect();
        // Deepest sections first: a section with sub-sections is dated by them.
        pairs.sort_by_key(|(s, _)| std::cmp::Reverse(self.sc.doc.sections[*s].level));
        // Each section's paragraphs' sentences, in order.
        let mut paragraphs: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
        for (si, s) in self.sc.sentences.iter().enumerate() {
            let b = &self.sc.doc.blocks[s.block];
            if let Some(section) = b.section.filter(|_| b.kind == BlockKind::Paragraph) {
                paragraphs.entry(section).or_default().push(si);
            }
        }
        for (section, ev) in pairs {
            if self.out.events[ev].start.is_some()
                || self.out.events[ev].start_source == DateSource::Explicit
            {
                continue;
            }
            let descends = |mut s: Option<usize>| {
                while let Some(x) = s {
                    if x == section {
                        return true;
                    }
                    s = self.sc.doc.sections[x].parent;
                }
                false
            };
            // The earliest event its own sides began in the section ("Song–Jin
            // war": the Jin attacked the Song in 1217, not the Mongols in 1211).
            let sides = self.out.events[ev].belligerents.clone();
            if !sides.is_empty() {
                let in_section = |e: &Event| {
                    e.evidence
                        .first()
                        .and_then(|r| self.sc.doc.block_of(r))
                        .is_some_and(|b| descends(self.sc.doc.blocks[b].section))
                };
                let earliest = self
                    .out
                    .events
                    .iter()
                    .enumerate()
                    .filter(|(k, e)| {
                        *k != ev
                            && !e.attackers.is_empty()
                            && e.attackers.iter().all(|a| sides.contains(a))
                            && in_section(e)
                    })
                    .filter(|(_, e)| e.start_source >= DateSource::Stated)
                    .filter_map(|(_, e)| e.start)
                    .min();
                if let Some(d) = earliest {
                    let e = &mut self.out.events[ev];
                    e.start = Some(d);
                    e.start_source = DateSource::Stated;
                    continue;
                }
            }
            let first = paragraphs
                .get(&section)
                .into_iter()
                .flatten()
                .find_map(|&si| {
                    let s = &self.sc.sentences[si];
                    s.times
                        .iter()
                        .find(|t| {
                            t.is_date()
                                && t.boundary.is_none()
                                && !t.relative
                                && t.kind != TimeKind::Lifespan
                        })
                        .map(|t| (t.start, s.span.clone()))
                });
            if let Some((Some(d), span)) = first {
                let e = &mut self.out.events[ev];
                e.start = Some(d);
                e.start_source = DateSource::Stated;
                e.evidence.push(span);
                continue;
            }
            let earliest_child = self
                .section_events
                .iter()
                .filter(|(s, e)| **s != section && **e != ev && descends(Some(**s)))
                .filter_map(|(_, e)| self.out.events[*e].start)
                .min();
            if let Some(d) = earliest_child.filter(|_| self.out.events[ev].start.is_none()) {
                let e = &mut self.out.events[ev];
                e.start = Some(d);
                e.start_source = DateSource::Stated;
                continue;
            }
        }
    }

    /// Merges events of this document that are the same event told twice
    /// (a lead that summarizes a section, a record that repeats its lead).
    fn consolidate(&mut self) {
        let n = self.out.events.len();
        // Each event is compared with the earlier ones not merged into
        // another, first told first, of its family and not the subject
        // (`same_event` is false for any other); each event's keys are made once.
        let keys: Vec<EventKeys> = self.out.events.iter().map(EventKeys::of).collect();
        let mut into: Vec<usize> = (0..n).collect();
        let mut roots: [Vec<usize>; 3] = Default::default();
        for j in 0..n {
            let b = &self.out.events[j];
            if b.subject {
                continue;
            }
            let family = &mut roots[usize::from(b.class.family())];
            match family
                .iter()
                .find(|&&i| same_event(&self.out.events[i], &keys[i], b, &keys[j]))
            {
                Some(&i) => into[j] = i,
                None => family.push(j),
            }
        }
        if into.iter().enumerate().all(|(k, v)| k == *v) {
            return;
        }
        let mut events: Vec<Option<Event>> = std::mem::take(&mut self.out.events)
            .into_iter()
            .map(Some)
            .collect();
        for j in (0..n).rev() {
            if into[j] != j {
                let e = events[j].take().expect("each event is merged once");
                let target = events[into[j]].as_mut().expect("targets are kept");
                merge_event(target, e);
            }
        }
        let mut new_index = vec![0; n];
        let mut kept = Vec::new();
        for (k, e) in events.into_iter().enumerate() {
            if let Some(e) = e {
                new_index[k] = kept.len();
                kept.push(e);
            }
        }
        for k in 0..n {
            new_index[k] = new_index[into[k]];
        }
        self.names = EventNames::of(&kept);
        self.families = families_of(&kept);
        self.out.events = kept;
        self.subject = self.subject.map(|s| new_index[s]);
        for v in self.section_events.values_mut() {
            *v = new_index[*v];
        }
        for e in &mut self.out.events {
            e.part_of = e.part_of.map(|p| new_index[p]);
        }
    }

    /// Battles, sieges and campaigns are part of the campaign whose section
    /// holds them, or else of the document's subject when within its span.
    fn part_of(&mut self) {
        let subj = self.subject;
        let n = self.out.events.len();
        for i in 0..n {
            if Some(i) == subj || self.out.events[i].part_of.is_some() {
                continue;
            }
            let class = self.out.events[i].class;
            if !matches!(
                class,
                EventClass::Battle | EventClass::Siege | EventClass::Campaign
            ) {
                continue;
            }
            // The section tree: the nearest enclosing section that names another event.
            let mut parent = None;
            if let Some(evidence) = self.out.events[i].evidence.first() {
                let block = self.sc.doc.block_of(evidence);
                let mut section = block.and_then(|b| self.sc.doc.blocks[b].section);
                while let Some(sec) = section {
                    if let Some(&ev) = self.section_events.get(&sec) {
                        if ev != i
                            && matches!(
                                self.out.events[ev].class,
                                EventClass::Campaign | EventClass::Conflict
                            )
                        {
                            parent = Some(ev);
                            break;
                        }
                    }
                    section = self.sc.doc.sections[sec].parent;
                }
            }
            let parent = parent.or(subj.filter(|&s| {
                let sub = &self.out.events[s];
                if !matches!(sub.class, EventClass::Conflict | EventClass::Campaign) {
                    return false;
                }
                let e = &self.out.events[i];
                match (e.start.or(e.end), sub.start) {
                    (Some(d), Some(a)) => {
                        let end = sub.end.map_or(i32::MAX, |x| x.year);
                        d.year >= a.year && d.year <= end
                    }
                    _ => false,
                }
            }));
            if let Some(p) = parent {
                if p != i && self.within(i, p) {
                    self.out.events[i].part_of = Some(p);
                }
            }
        }
    }

    /// Whether event `i` lies within the span of event `p` (unknown spans pass).
    fn within(&self, i: usize, p: usize) -> bool {
        let e = &self.out.events[i];
        let c = &self.out.events[p];
        match (e.start.or(e.end), c.start) {
            (Some(d), Some(a)) => d.year >= a.year && d.year <= c.end.map_or(i32::MAX, |x| x.year),
            _ => true,
        }
    }

    // ----- events -----

    /// A heading that names an event opens a frame for its section.
    fn section_heading(&mut self, si: usize) {
        let s = &self.sc.sentences[si];
        let block = &self.sc.doc.blocks[s.block];
        let BlockKind::Heading { .. } = block.kind else {
            return;
        };
        let Some(section) = block.section else { return };
        let toks = s.toks();
        let Some(ti) = toks
            .iter()
            .position(|t| event_noun_class(t.text).is_some() || t.is_any(&["invades", "invaded"]))
        else {
            return;
        };
        // The event noun heads a name: only capitalized words, ordinals, "of",
        // "'s" and a leading "the" before it ("First siege of Kaifeng",
        // "Prince of Hailing's campaign"), not a description ("The reasons
        // behind the invasion").
        let name_like = toks[..ti].iter().enumerate().all(|(k, t)| {
            t.is_cap() && !(k == 0 && t.is("the"))
                || lexicon::ordinal(t.text).is_some()
                || t.is("of")
                || t.text == "'s"
                || t.text == "'"
        });
        let noun = toks[ti].lower();
        if !name_like || (noun.ends_with('s') && noun != "invades" && noun != "siege") {
            return;
        }
        let class = event_noun_class(&noun).unwrap_or(EventClass::Campaign);
        // Only the part with the event noun: "Song counteroffensive and the peace process".
        let end = toks
            .iter()
            .enumerate()
            .skip(ti)
            .find(|(_, t)| t.is("and"))
            .map_or(toks.len(), |(a, _)| a);
        let heading = self.text()[s.span.clone()].to_owned();
        let name = join(toks, 0..end);
        let names = Rc::clone(&self.resolved[si]);
        let has_proper = names.iter().any(|n| {
            n.toks.start < end
                && n.kind != Kind::Event
                && !(n.toks.start == 0 && lexicon::ordinal(toks[0].text).is_some())
        }) || names.iter().any(|n| n.kind == Kind::Event);
        let mut place = None;
        let mut attackers = Vec::new();
        let mut targets = Vec::new();
        let mut commanders = Vec::new();
        match class {
            EventClass::Siege | EventClass::Battle => {
                place = names
                    .iter()
                    .find(|n| n.toks.start > ti && n.is(EntityClass::Place))
                    .map(|n| n.key.clone());
            }
            _ => {
                for n in names.iter().filter(|n| n.is(EntityClass::Polity)) {
                    if n.toks.start < ti {
                        attackers.push(n.key.clone());
                    } else if n.toks.start > ti
                        && n.toks.start <= ti + 3
                        && (toks[ti].is_any(&["invades", "invaded"])
                            || toks[ti + 1..n.toks.start]
                                .iter()
                                .any(|x| x.is_any(&["against", "with", "on", "of"])))
                    {
                        targets.push(n.key.clone());
                    }
                }
                commanders.extend(
                    names
                        .iter()
                        .filter(|n| n.is(EntityClass::Person) && n.possessive)
                        .map(|n| n.key.clone()),
                );
            }
        }
        // "Song–Jin war": the polities of a dashed compound are its sides.
        let mut sides = Vec::new();
        for t in &toks[..end] {
            if t.text.contains('–') && t.is_cap() {
                for part in t.text.split('–') {
                    if let Some(p) = self.table.polity_alias(&norm_key(part)) {
                        sides.push(p);
                    }
                }
            }
        }
        let ordinal = toks[..ti].iter().find_map(|t| lexicon::ordinal(t.text));
        // A heading that is only the noun ("Siege", "Battle") names the event of
        // that kind the document last named, or none.
        let bare = !has_proper
            && place.is_none()
            && ordinal.is_none()
            && sides.is_empty()
            && attackers.is_empty()
            && targets.is_empty()
            && toks[..end]
                .iter()
                .filter(|t| t.kind == TokenKind::Word)
                .count()
                == 1;
        if bare {
            let Some(idx) = self
                .out
                .events
                .iter()
                .rposition(|e| e.class == class && e.name.is_some())
            else {
                return;
            };
            self.section_events.insert(section, idx);
            self.current = Some((idx, s.block, si));
            return;
        }
        let display = if has_proper { Some(name.clone()) } else { None };
        let idx = match display.as_ref().and_then(|n| {
            self.names
                .named(&norm_key(n))
                .iter()
                .copied()
                .find(|&i| self.out.events[i].class.family() == class.family())
        }) {
            Some(i) => i,
            None => {
                let mut e = Event::new(class);
                e.name = display;
                e.place = place.clone();
                e.ordinal = ordinal;
                self.push_event(e)
            }
        };
        let e = &mut self.out.events[idx];
        e.section = Some(section);
        if !e.evidence.contains(&s.span) {
            e.evidence.push(s.span.clone());
        }
        e.noun.get_or_insert_with(|| noun.clone().into_owned());
        e.mentions.push(s.span.clone());
        if e.place.is_none() {
            e.place = place;
        }
        e.attackers.extend(attackers.iter().cloned());
        e.targets.extend(targets.iter().cloned());
        e.belligerents
            .extend(attackers.into_iter().chain(targets).chain(sides));
        e.commanders.extend(commanders);
        if !has_proper {
            self.alias_event(idx, heading);
        }
        self.section_events.insert(section, idx);
        self.current = Some((idx, s.block, si));
    }

    /// The event a section names, for a sentence in that section or below.
    fn section_event(&self, si: usize, class: Option<EventClass>) -> Option<usize> {
        let mut section = self.sc.doc.blocks[self.sc.sentences[si].block].section;
        while let Some(sec) = section {
            if let Some(&ev) = self.section_events.get(&sec) {
                if class.is_none_or(|c| self.out.events[ev].class.family() == c.family()) {
                    return Some(ev);
                }
            }
            section = self.sc.doc.sections[sec].parent;
        }
        None
    }

    fn in_body(&self, si: usize) -> bool {
        let b = &self.sc.doc.blocks[self.sc.sentences[si].block];
        b.section.is_some() && b.kind == BlockKind::Paragraph
    }

    fn events(&mut self, si: usize) {
        let s = &self.sc.sentences[si];
        let block = &self.sc.doc.blocks[s.block];
        let prose_field = matches!(&block.kind, BlockKind::Field { key } if {
            let k = key.to_lowercase();
            k.contains("comment") || k.contains("abstract")
        });
        if !matches!(block.kind, BlockKind::Paragraph | BlockKind::ListItem) && !prose_field {
            return;
        }
        let toks = s.toks();
        let names = Rc::clone(&self.resolved[si]);
        let comparison = toks.iter().any(|t| t.in_list(lists::COMPARISON));
        let mut triggered: Vec<usize> = Vec::new();

        // Named events.
        for r in names.iter().filter(|n| n.kind == Kind::Event) {
            if comparison {
                continue;
            }
            if let Some(idx) = self.named_event(si, toks, &names, r) {
                triggered.push(idx);
            }
        }
        // Trigger words.
        for i in 0..toks.len() {
            if (toks[i].is_cap() && i > 0) || !may_trigger(&toks[i]) {
                continue;
            }
            if names
                .iter()
                .any(|n| n.kind == Kind::Event && n.toks.contains(&i))
            {
                continue;
            }
            self.trigger_at = Some(toks[i].start..toks[i].end);
            if let Some(idx) = self.trigger(si, toks, &names, i) {
                if !triggered.contains(&idx) {
                    triggered.push(idx);
                }
            }
            self.trigger_at = None;
        }
        // Ends of sieges and campaigns told in this sentence.
        self.ends(si, toks, &names);
        // Arguments shared by every frame of the sentence.
        for &idx in &triggered {
            self.fill_common(si, toks, &names, idx);
        }
        // The story goes on with the most specific event just told.
        let specific = triggered
            .iter()
            .copied()
            .max_by_key(|&i| match self.out.events[i].class {
                EventClass::Battle | EventClass::Siege => 2,
                EventClass::Treaty => 1,
                _ => 0,
            });
        if let Some(ev) = specific {
            self.current = Some((ev, s.block, si));
            return;
        }
        if comparison {
            return;
        }
        // A sentence continuing the story: the next sentence of the paragraph,
        // or one that refers back ("the battle", "the siege", "the treaty").
        let refers = |class: EventClass| {
            let nouns: &[&str] = match class {
                EventClass::Battle => &["battle", "battlefield", "victory", "defeat", "engagement"],
                EventClass::Siege => &[
                    "siege",
                    "city",
                    "assault",
                    "besiegers",
                    "defenders",
                    "walls",
                ],
                EventClass::Treaty => &["treaty", "agreement", "terms", "peace"],
                _ => &["campaign", "invasion", "offensive", "war"],
            };
            toks.windows(2)
                .any(|w| w[0].is_any(&["the", "this", "that"]) && w[1].is_any(nouns))
        };
        let target = match self.current {
            Some((ev, block, prev)) => {
                let class = self.out.events[ev].class;
                let same_section = self.sc.doc.blocks[block].section
                    == s.block
                        .checked_sub(0)
                        .and_then(|b| self.sc.doc.blocks[b].section);
                if (block == s.block && prev + 1 == si)
                    || ((block == s.block || same_section) && refers(class))
                {
                    Some(ev)
                } else {
                    None
                }
            }
            None => None,
        };
        let target = target.or_else(|| {
            self.section_event(si, None).filter(|&ev| {
                matches!(
                    self.out.events[ev].class,
                    EventClass::Battle | EventClass::Siege | EventClass::Treaty
                )
            })
        });
        // "On April 6, 1453, the siege began in earnest": the one siege named so far.
        let target = target.or_else(|| {
            let says = toks
                .windows(2)
                .any(|w| w[0].is("the") && w[1].is_any(&["siege", "battle"]));
            if !says {
                return None;
            }
            let class = if toks.iter().any(|t| t.is("siege")) {
                EventClass::Siege
            } else {
                EventClass::Battle
            };
            let named: Vec<usize> = (0..self.out.events.len())
                .filter(|&k| self.out.events[k].class == class && self.out.events[k].name.is_some())
                .collect();
            (named.len() == 1).then(|| named[0])
        });
        if let Some(ev) = target {
            if self.continuation(si, toks, &names, ev) {
                if let Some(cur) = &mut self.current {
                    if cur.0 == ev {
                        cur.2 = si;
                    }
                }
            }
        }
    }

    /// A named event mention: "Battle of Caishi", "Treaty of Shaoxing", "Jin–Song Wars".
    fn named_event(
        &mut self,
        si: usize,
        toks: &[Tok<'_>],
        names: &[RName],
        r: &RName,
    ) -> Option<usize> {
        // "The An Lushan Rebellion, also known as the An–Shi Rebellion": another
        // name of the event named before it in the sentence.
        let mut b = r.toks.start;
        if b > 0 && toks[b - 1].is("the") {
            b -= 1;
        }
        let known_as = b >= 2 && toks[b - 1].is("as") && toks[b - 2].is("known")
            || b >= 1 && toks[b - 1].is("called");
        if known_as {
            let earlier = names
                .iter()
                .filter(|n| n.kind == Kind::Event && n.toks.end < b)
                .find_map(|n| self.names.named(&norm_key(&n.surface)).first().copied());
            if let Some(idx) = earlier {
                self.alias_event(idx, r.surface.clone());
                return Some(idx);
            }
        }
        let words: Vec<&str> = r.surface.split_whitespace().collect();
        // "Second Battle of X": the second event of the name after the ordinal.
        let ordinal = (words.len() >= 3)
            .then(|| lexicon::ordinal(words[0]))
            .flatten();
        let words = &words[usize::from(ordinal.is_some())..];
        let first = words.first()?.to_lowercase();
        let last = words.last()?.to_lowercase();
        let (class, place) = if words.len() >= 3 && words[1].eq_ignore_ascii_case("of") {
            let class = match first.as_str() {
                "battle" => EventClass::Battle,
                // "Fall of Constantinople", "Sack of Rome": a city taken.
                "siege" | "fall" | "sack" | "capture" => EventClass::Siege,
                "treaty" | "peace" => EventClass::Treaty,
                _ => return None,
            };
            let rest = words[2..].join(" ");
            let rest = rest.strip_prefix("the ").unwrap_or(&rest).to_owned();
            (class, Some(rest))
        } else {
            let class = match last.as_str() {
                "war" | "wars" => EventClass::Conflict,
                "campaign" | "campaigns" | "invasion" | "invasions" | "offensive" => {
                    EventClass::Campaign
                }
                "rebellion" | "revolt" | "uprising" => EventClass::Conflict,
                "treaty" => EventClass::Treaty,
                _ => return None,
            };
            (class, None)
        };
        // A named event mentioned only to compare or in a plan opens nothing.
        if irrealis_before(toks, r.toks.start) {
            return None;
        }
        // A treaty is often named after an era or a ruler, not where it was made.
        let place = place.filter(|_| class != EventClass::Treaty);
        let place_key = place.map(|p| {
            let k = norm_key(&p);
            let key = self.table.surface(&k);
            let key = if self.table.votes(&k) == Default::default() {
                p.clone()
            } else {
                key
            };
            self.out.entity(&key, EntityClass::Place);
            self.out.mentions.push(Mention {
                key: key.clone(),
                class: EntityClass::Place,
                surface: p.clone(),
                span: r.span.end - p.len()..r.span.end,
            });
            key
        });
        let name = r.surface.clone();
        // A parenthesised date right after the name: "the Battle of Caishi (1161)".
        let s = &self.sc.sentences[si];
        let paren = toks.get(r.toks.end).is_some_and(|t| t.text == "(");
        let own = s.times.iter().find(|t| {
            paren && t.toks.start == r.toks.end + 1 && (t.is_date() || t.kind == TimeKind::Lifespan)
        });
        // "The Battle of X, fought on 16 June 1483", then "the Battle of X
        // (1546)": a year far from the stated dates of every event of that
        // name is another event of the same name.
        let year = own.and_then(|t| t.start).map(|d| d.year);
        let another = year.is_some_and(|y| {
            let mut same = self
                .names
                .known(&norm_key(&name))
                .iter()
                .map(|&i| &self.out.events[i])
                .filter(|e| e.class.family() == class.family())
                .peekable();
            same.peek().is_some()
                && same.all(|e| match (e.start.or(e.end), e.end.or(e.start)) {
                    (Some(a), Some(b)) if e.start_source >= DateSource::Stated => {
                        y < a.year - 1 || y > b.year + 1
                    }
                    _ => false,
                })
        });
        let idx = if another {
            let mut e = Event::new(class);
            e.place = place_key.clone();
            e.ordinal = ordinal;
            let idx = self.push_event(e);
            self.told_here.push(idx);
            idx
        } else {
            self.find_or_add(si, class, Some(name.clone()), place_key.clone(), ordinal)
        };
        let e = &mut self.out.events[idx];
        e.mentions.push(r.span.clone());
        if e.place.is_none() {
            e.place = place_key;
        }
        if e.name.is_none() {
            self.name_event(idx, name);
        } else if e.name.as_deref() != Some(&r.surface) {
            self.alias_event(idx, r.surface.clone());
        }
        if let Some(t) = own {
            let (a, b) = (t.start, t.end);
            let e = &mut self.out.events[idx];
            if e.start_source < DateSource::Explicit {
                e.start = a;
                e.start_source = DateSource::Explicit;
                if t.kind != TimeKind::Point {
                    e.end = b;
                }
            }
        }
        let _ = (toks, names);
        Some(idx)
    }

    /// A trigger word at token `i`, a token that [`may_trigger`].
    fn trigger(&mut self, si: usize, toks: &[Tok<'_>], names: &[RName], i: usize) -> Option<usize> {
        let t = toks[i];
        let w = t.lower();
        let w: &str = &w;
        if !lexicon::is_trigger_word(w) {
            return None;
        }
        // An attempt on a city is an attack, even if it failed: "tried to capture X in 1218".
        if i >= 2
            && toks[i - 1].is("to")
            && toks[i - 2].is_any(&["tried", "attempted"])
            && t.is_any(&["capture", "captured", "take", "seize", "storm"])
        {
            return self.attempt(si, toks, names, i);
        }
        if irrealis_before(toks, i) {
            return None;
        }
        if lexicon::SIEGE_VERBS.contains(&w) || w == "siege" || w == "sieges" {
            return self.siege_trigger(si, toks, names, i);
        }
        if matches!(
            w,
            "battle" | "battles" | "defeat" | "defeated" | "repelled" | "routed" | "fought" | "met"
        ) {
            return self.battle_trigger(si, toks, names, i);
        }
        if w == "attacked" {
            return self.attack(si, toks, names, i);
        }
        // "the Jin cities of Dengzhou and Tangzhou were pillaged twice by a Song
        // army", "Song armed groups raided Jin settlements": raids, with a date.
        if matches!(w, "raided" | "pillaged" | "plundered" | "ravaged") {
            return self.raid(si, toks, names, i);
        }
        // "Another attack failed in the fall": a second engagement where the last one was.
        if w == "attack" || w == "assault" || w == "attempt" {
            return self.another(si, toks, names, i);
        }
        // "In the last of the three campaigns, in early 1221": one of a series.
        let partitive = w.ends_with('s')
            && i >= 3
            && toks[i - 2].is("the")
            && toks[i - 3].is("of")
            && lexicon::number_word(toks[i - 1].text).is_some();
        let campaign_noun =
            lexicon::CAMPAIGN_NOUNS.contains(&w) && (!w.ends_with('s') || partitive);
        let invasion_verb = w == "invaded" || w == "invades";
        if campaign_noun || invasion_verb {
            return self.campaign_trigger(si, toks, names, i, invasion_verb);
        }
        if matches!(w, "war" | "revolt" | "rebellion" | "uprising" | "rebelled") {
            return self.war_trigger(si, toks, names, i);
        }
        let treaty_noun = lexicon::TREATY_NOUNS.contains(&w)
            || (w == "agreement" && i > 0 && (toks[i - 1].is("peace") || toks[i - 1].is_cap()));
        if treaty_noun {
            return self.treaty_trigger(si, toks, names, i);
        }
        None
    }

    /// "Another attack failed in the fall": a new engagement at the place of the
    /// battle or siege just told, counted after it.
    fn another(&mut self, si: usize, toks: &[Tok<'_>], names: &[RName], i: usize) -> Option<usize> {
        let again = i > 0 && toks[i - 1].is_any(&["another", "second", "third"]);
        if !again
            || names
                .iter()
                .any(|n| n.is(EntityClass::Place) && n.toks.start > i)
        {
            return None;
        }
        let (cur, block, _) = self.current?;
        let s = &self.sc.sentences[si];
        let e = &self.out.events[cur];
        if block != s.block || e.class != EventClass::Battle {
            return None;
        }
        let place = e.place.clone()?;
        let ordinal = e.ordinal.unwrap_or(1) + 1;
        nearest_date(s, i)?;
        let idx = self.find_or_add(si, EventClass::Battle, None, Some(place), Some(ordinal));
        if self.out.events[cur].ordinal.is_none() {
            self.out.events[cur].ordinal = Some(1);
        }
        Some(idx)
    }

    /// A raid: "X raided Y settlements in DATE", "Y were pillaged by an X army".
    fn raid(&mut self, si: usize, toks: &[Tok<'_>], names: &[RName], i: usize) -> Option<usize> {
        let s = &self.sc.sentences[si];
        nearest_date(s, i)?;
        let passive = i > 0 && toks[i - 1].is_any(&["was", "were", "been"]);
        let (attackers, targets): (Vec<String>, Vec<String>) = if passive {
            // "... were pillaged twice by a Song army commanded by Zhao Fang"
            let by = toks[i..].iter().position(|t| t.is("by")).map(|p| i + p)?;
            let att: Vec<String> = names
                .iter()
                .filter(|n| {
                    n.is(EntityClass::Polity) && n.toks.start > by && n.toks.start <= by + 3
                })
                .map(|n| n.key.clone())
                .collect();
            let tgt: Vec<String> = names
                .iter()
                .filter(|n| n.is(EntityClass::Polity) && n.toks.end <= i)
                .map(|n| n.key.clone())
                .collect();
            (att, tgt)
        } else {
            let att = subject_polities(toks, names, i);
            let tgt: Vec<String> = names
                .iter()
                .filter(|n| n.is(EntityClass::Polity) && n.toks.start > i && n.toks.start <= i + 3)
                .map(|n| n.key.clone())
                .collect();
            (att, tgt)
        };
        if attackers.is_empty() {
            return None;
        }
        let idx = self.find_or_add_with(
            si,
            Probe {
                class: EventClass::Campaign,
                name: None,
                place: None,
                ordinal: None,
                attackers,
                fresh: true,
                noun: Some("raid".to_owned()),
                at: None,
            },
        );
        let e = &mut self.out.events[idx];
        for t in targets {
            if !e.attackers.contains(&t) {
                e.targets.insert(t.clone());
                e.belligerents.insert(t);
            }
        }
        // Commanders: "by a Song army commanded by Zhao Fang".
        for n in names
            .iter()
            .filter(|n| n.is(EntityClass::Person) && n.toks.start > i)
        {
            if toks[n.toks.start.saturating_sub(3)..n.toks.start]
                .iter()
                .any(|t| t.is_any(&["commanded", "led"]))
            {
                e.commanders.insert(n.key.clone());
            }
        }
        Some(idx)
    }

    /// An attack that failed: "The Jin tried to capture Suizhou again in 1218".
    fn attempt(&mut self, si: usize, toks: &[Tok<'_>], names: &[RName], i: usize) -> Option<usize> {
        // i is the verb after "tried to" / "attempted to"
        let s = &self.sc.sentences[si];
        nearest_date(s, i)?;
        let mut k = i + 1;
        if toks.get(k).is_some_and(|t| t.is("the")) {
            k += 1;
        }
        let place = names
            .iter()
            .find(|n| n.toks.start == k && n.is(EntityClass::Place))?
            .key
            .clone();
        let attackers = subject_polities(toks, names, i);
        if attackers.is_empty() {
            return None;
        }
        let idx = self.find_or_add_with(
            si,
            Probe {
                class: EventClass::Battle,
                name: None,
                place: Some(place),
                ordinal: None,
                attackers,
                fresh: false,
                noun: Some("attack".to_owned()),
                at: None,
            },
        );
        Some(idx)
    }

    /// "besieged X", "X was besieged", "siege of X", "laid siege to X", "took X after a siege".
    fn siege_trigger(
        &mut self,
        si: usize,
        toks: &[Tok<'_>],
        names: &[RName],
        i: usize,
    ) -> Option<usize> {
        let w = toks[i].lower();
        let w: &str = &w;
        let name_at = |k: usize| names.iter().find(|n| n.toks.start == k);
        let mut place = None;
        let mut k = i + 1;
        let mut steps = 0;
        while k < toks.len() && steps < 5 {
            let x = toks[k];
            if let Some(n) = name_at(k).filter(|n| n.is(EntityClass::Polity)) {
                // "the Song town of Chuzhou"
                k = n.toks.end;
                steps += 1;
                continue;
            }
            if x.is_any(&["of", "against", "to", "the", "a"]) {
                k += 1;
                steps += 1;
                continue;
            }
            if x.is_any(&[
                "city",
                "town",
                "capital",
                "fortress",
                "castle",
                "stronghold",
            ]) {
                if !toks.get(k + 1).is_some_and(|y| y.is("of")) {
                    place = self.anaphoric_place(si, toks, names, i);
                }
                k += 1;
                steps += 1;
                continue;
            }
            break;
        }
        if let Some(p) = name_at(k).filter(|n| n.is(EntityClass::Place)) {
            place = Some(p.key.clone());
        } else if let Some(who) = name_at(k).filter(|n| n.is(EntityClass::Person)) {
            // "laid siege to An Qingxu in Yecheng": a person held out at a place.
            let at = who.toks.end;
            if toks.get(at).is_some_and(|x| x.is_any(&["in", "at"])) {
                if let Some(p) = name_at(at + 1).filter(|n| n.is(EntityClass::Place)) {
                    place = Some(p.key.clone());
                }
            }
        }
        let mut date_is_end = false;
        let mut also: Vec<String> = Vec::new();
        if place.is_none() && w == "besieged" {
            // "Kaifeng was besieged", "the city, which was besieged",
            // "The cities of Taiyuan and the Song capital of Kaifeng were besieged".
            let before: Vec<&RName> = names
                .iter()
                .filter(|n| n.toks.end <= i && n.is(EntityClass::Place) && !modern_gloss(toks, n))
                .collect();
            if let Some(p) = before
                .last()
                .filter(|p| outside_parens(&toks[p.toks.end..i]) <= 6)
            {
                place = Some(p.key.clone());
                let mut k = before.len() - 1;
                while k > 0 {
                    // Names may overlap (a place inside a longer name): no gap then.
                    let Some(gap) = toks.get(before[k - 1].toks.end..before[k].toks.start) else {
                        break;
                    };
                    if gap.len() <= 6
                        && gap.iter().any(|x| x.is("and") || x.text == ",")
                        && !gap.iter().any(|x| x.is_any(&["was", "were", "which"]))
                    {
                        also.push(before[k - 1].key.clone());
                        k -= 1;
                    } else {
                        break;
                    }
                }
            } else if toks[..i]
                .iter()
                .rev()
                .take(6)
                .any(|x| x.is_any(&["city", "town", "capital", "which"]))
            {
                place = self.anaphoric_place(si, toks, names, i);
            }
        }
        if place.is_none() && w == "siege" {
            // "took Kaifeng after a siege of more than 10 months"
            let captured = names
                .iter()
                .rfind(|n| n.toks.end <= i && n.is(EntityClass::Place))
                .filter(|p| {
                    toks[p.toks.start.saturating_sub(2)..p.toks.start]
                        .iter()
                        .any(|x| x.is_any(lexicon::CAPTURE_VERBS))
                });
            if let Some(p) = captured {
                place = Some(p.key.clone());
                date_is_end = true;
            } else if i > 0 && toks[i - 1].is("the") {
                // "the siege": the siege the section tells.
                return self.section_event(si, Some(EventClass::Siege));
            } else {
                return None;
            }
        }
        let place = place?;
        let ordinal =
            ordinal_before(toks, i).or_else(|| (i > 0 && toks[i - 1].is("again")).then_some(2));
        let attackers = self.attackers_of(toks, names, i);
        for other in also {
            let idx = self.find_or_add_with(
                si,
                Probe {
                    class: EventClass::Siege,
                    name: None,
                    place: Some(other),
                    ordinal,
                    attackers: attackers.clone(),
                    fresh: false,
                    noun: None,
                    at: None,
                },
            );
            self.fill_common(si, toks, names, idx);
        }
        let idx = self.find_or_add_with(
            si,
            Probe {
                class: EventClass::Siege,
                name: None,
                place: Some(place),
                ordinal,
                attackers,
                fresh: false,
                noun: None,
                at: None,
            },
        );
        if date_is_end {
            let s = &self.sc.sentences[si];
            if let Some(d) = nearest_date(s, i).and_then(|t| t.start) {
                let e = &mut self.out.events[idx];
                e.end.get_or_insert(d);
                // This sentence's date closes the siege: it must not also open it.
                if e.start.is_none() {
                    e.start_source = DateSource::Explicit;
                }
                // The date closes the siege; it does not open it.
                e.mentions.push(toks[i].start..toks[i].end);
            }
        }
        Some(idx)
    }

    /// "battle(s) at/near/of X", "a defeat at X", "defeated by Y near X", "repelled ... at X".
    fn battle_trigger(
        &mut self,
        si: usize,
        toks: &[Tok<'_>],
        names: &[RName],
        i: usize,
    ) -> Option<usize> {
        let w = toks[i].lower();
        let w: &str = &w;
        let noun = matches!(w, "battle" | "battles" | "defeat");
        // A verb in a sentence that names its battle tells of that battle:
        // "crushed the army ... at the Battle of Fulford, fought at Fulford just outside York".
        if !noun
            && names.iter().any(|n| {
                n.kind == Kind::Event
                    && head_word(&n.surface).is_some_and(|f| {
                        f.eq_ignore_ascii_case("battle") || f.eq_ignore_ascii_case("siege")
                    })
            })
        {
            return None;
        }
        // "the armies of A and B met at Stamford Bridge": only armies meet in battle.
        if w == "met"
            && !toks[..i]
                .iter()
                .rev()
                .take(14)
                .any(|t| t.is_any(&["armies", "army", "forces", "fleets", "fleet", "troops"]))
        {
            return None;
        }
        // "Lepanto was the last great naval battle in the Mediterranean": a
        // predicate that ranks a battle already named, not a new one.
        if noun {
            let from = i.saturating_sub(6);
            if let Some(c) = toks[from..i]
                .iter()
                .rposition(|t| t.is_any(&["was", "is", "remains", "became", "remained"]))
            {
                let ranked = toks[from + c + 1..i].iter().any(|t| {
                    t.is_any(&[
                        "last",
                        "first",
                        "largest",
                        "greatest",
                        "biggest",
                        "bloodiest",
                        "only",
                        "final",
                        "most",
                    ])
                });
                // "The Second Battle of X was a naval battle fought … near Y":
                // what the battle named before the verb was, not another one.
                let named_before = names
                    .iter()
                    .any(|n| n.kind == Kind::Event && n.toks.end <= from + c);
                if ranked || named_before {
                    return None;
                }
            }
        }
        let window = if noun { 6 } else { 12 };
        let mut places = Vec::new();
        let mut k = i + 1;
        // ", which had come out from its base at Lepanto,": a place of something else.
        let mut relative = false;
        while k < toks.len() && k <= i + window {
            let x = toks[k];
            if x.text == ";" || x.text == "." || (x.text == "," && noun && k > i + 1) {
                break;
            }
            if x.is_any(&["which", "who", "whose"]) && toks[k - 1].text == "," {
                relative = true;
            } else if relative && x.text == "," {
                relative = false;
            }
            if relative {
                k += 1;
                continue;
            }
            let prep = x.is_any(&["at", "near", "outside"])
                || (noun && x.is_any(&["of", "in"]) && k == i + 1);
            if prep {
                if let Some(p) = names
                    .iter()
                    .find(|n| n.toks.start > k && n.toks.start <= k + 2 && n.is(EntityClass::Place))
                {
                    // "near modern Laohekou" is a gloss, not a battlefield; "at
                    // Dingjiazhou near Wuhu": the second place locates the first.
                    let locator = places.last().is_some()
                        && names.iter().any(|q| {
                            q.toks.end + 2 >= k && q.toks.end <= k && q.is(EntityClass::Place)
                        });
                    if !locator
                        && !toks[k + 1..p.toks.start]
                            .iter()
                            .any(|y| lexicon::is_modern_marker(y.text))
                    {
                        places.push(p.key.clone());
                        if noun {
                            break;
                        }
                    }
                }
            }
            k += 1;
        }
        if places.is_empty() {
            return None;
        }
        let ordinal = ordinal_before(toks, i);
        let mut last = None;
        let n_places = places.len();
        let mut from = i;
        for (pi, place) in places.into_iter().enumerate() {
            let idx = self.find_or_add(si, EventClass::Battle, None, Some(place.clone()), ordinal);
            self.outcome(toks, names, i, idx);
            // "repelled by X near A and by Y at B": X led at A, Y at B.
            let at = names
                .iter()
                .find(|n| n.key == place && n.toks.start > from)
                .map_or(from, |n| n.toks.start);
            if n_places > 1 {
                let by_person = names
                    .iter()
                    .filter(|n| {
                        n.is(EntityClass::Person) && n.toks.start > from && n.toks.end <= at
                    })
                    .find(|n| n.toks.start > 0 && toks[n.toks.start - 1].is("by"));
                if let Some(c) = by_person {
                    let key = c.key.clone();
                    let side = self.polity_of(c);
                    let e = &mut self.out.events[idx];
                    e.commanders.insert(key.clone());
                    if let Some(p) = side {
                        e.belligerents.insert(p.clone());
                        add_side(e, &p, Some(key), None, None);
                    }
                }
                if pi + 1 < n_places {
                    self.fill_common(si, toks, names, idx);
                }
            }
            from = at;
            last = Some(idx);
        }
        last
    }

    /// "invaded the Song", "a new military offensive", "launched a campaign against X".
    fn campaign_trigger(
        &mut self,
        si: usize,
        toks: &[Tok<'_>],
        names: &[RName],
        i: usize,
        invasion_verb: bool,
    ) -> Option<usize> {
        let s = &self.sc.sentences[si];
        let date = nearest_date(s, i);
        // Attackers: polities right before; targets: "against X", "of X", the object of "invaded".
        let mut attackers = Vec::new();
        let mut targets = Vec::new();
        let mut by_commander = None;
        // The attacker: a polity right before the noun ("Jin campaign", "Song
        // counteroffensive"), "by X" after it, or the subject of the clause.
        if let Some(n) = names.iter().find(|n| {
            n.toks.end <= i
                && n.toks.end + 3 >= i
                && n.is(EntityClass::Polity)
                && toks[n.toks.end..i].iter().all(|x| {
                    x.kind == TokenKind::Word && !x.is_any(&["against", "with", "of", "and"])
                })
        }) {
            attackers.push(n.key.clone());
        } else {
            attackers.extend(subject_polities(toks, names, i));
        }
        // "A campaign against the Song by the fourth Jin emperor, Wanyan Liang":
        // the person and the polity after "by".
        let after_by = |n: &&RName| {
            n.toks.start > i
                && n.toks.start <= i + 12
                && toks[i..n.toks.start].iter().any(|x| x.is("by"))
        };
        let by_person = names
            .iter()
            .filter(after_by)
            .find(|n| n.is(EntityClass::Person));
        let by_polity = names
            .iter()
            .filter(after_by)
            .find(|n| n.is(EntityClass::Polity));
        for by in by_person.into_iter().chain(by_polity) {
            if by.is(EntityClass::Person) {
                by_commander = Some(by.key.clone());
            }
            if let Some(p) = self.polity_of(by) {
                if !attackers.contains(&p) {
                    attackers.push(p);
                }
            }
        }
        for n in names.iter().filter(|n| n.is(EntityClass::Polity)) {
            if n.toks.start > i && n.toks.start <= i + 4 {
                let between = &toks[i + 1..n.toks.start];
                if invasion_verb || between.iter().any(|x| x.is_any(&["against", "of", "on"])) {
                    targets.push(n.key.clone());
                    break;
                }
            }
        }
        let commander = by_commander.is_some()
            || names.iter().any(|n| {
                n.is(EntityClass::Person)
                    && (n.possessive && n.toks.end + 1 == i
                        || n.toks.start > i && toks[i..n.toks.start].iter().any(|x| x.is("by")))
            });
        let ordinal = ordinal_before(toks, i);
        let fresh = toks[i.saturating_sub(3)..i]
            .iter()
            .any(|t| t.is_any(&["new", "another", "fresh", "renewed", "further"]));
        let launched_any = toks[..i].iter().rev().take(6).any(|x| {
            x.is_any(&[
                "launched",
                "began",
                "started",
                "initiated",
                "commenced",
                "mounted",
            ])
        }) || toks[i + 1..]
            .iter()
            .take(3)
            .any(|x| x.is_any(&["began", "started", "commenced", "followed"]));
        // Outside the narrative (a lead), an undated campaign must be told as
        // begun or led by someone: "a road for the conquest of the Ming" is not one.
        let undated_ok = launched_any || commander || invasion_verb;
        if date.is_none() {
            // An undated campaign needs something that singles it out.
            let launched = toks[..i].iter().rev().take(6).any(|x| {
                x.is_any(&[
                    "launched",
                    "began",
                    "started",
                    "initiated",
                    "commenced",
                    "mounted",
                ])
            }) || toks[i + 1..]
                .iter()
                .take(3)
                .any(|x| x.is_any(&["began", "started", "commenced", "followed"]));
            let singled_out = !targets.is_empty()
                || commander
                || ordinal.is_some()
                || invasion_verb
                || (launched && !attackers.is_empty());
            if !(singled_out
                && (launched || self.in_body(si) || invasion_verb || !targets.is_empty()))
            {
                return None;
            }
            // "yet when the Jurchens invaded that area": a clause about another time.
            let clause = toks[..i]
                .iter()
                .rposition(|t| t.text == "," || t.text == ";")
                .map_or(0, |p| p + 1);
            if invasion_verb
                && toks[clause..i].iter().any(|t| {
                    t.is_any(&[
                        "when", "whenever", "while", "as", "because", "since", "if", "once",
                        "until",
                    ])
                })
            {
                return None;
            }
        }
        attackers.retain(|a| !targets.contains(a));
        // "A second expedition to rescue Taiyuan": the place it went for.
        let purpose = toks.get(i + 1).is_some_and(|t| t.is("to"))
            && toks.get(i + 2).is_some_and(|t| {
                t.is_any(&[
                    "rescue",
                    "relieve",
                    "reinforce",
                    "capture",
                    "retake",
                    "recover",
                    "take",
                    "besiege",
                    "attack",
                    "seize",
                ])
            });
        let along = toks[i + 1..]
            .iter()
            .take(5)
            .position(|t| t.is_any(&["along", "up", "down"]))
            .map(|p| i + 1 + p);
        let place = purpose
            .then(|| {
                names.iter().find(|n| {
                    n.toks.start > i + 2 && n.toks.start <= i + 4 && n.is(EntityClass::Place)
                })
            })
            .flatten()
            .or_else(|| {
                along.and_then(|a| {
                    names.iter().find(|n| {
                        n.toks.start > a && n.toks.start <= a + 2 && n.is(EntityClass::Place)
                    })
                })
            })
            .map(|n| n.key.clone());
        let noun = (!invasion_verb).then(|| toks[i].lower().into_owned());
        // A name the text gives: "the Yangtze campaign", "the Bunroku campaign"
        // (a name that is no polity or person before the noun), or "a brutal
        // campaign known as the Harrying of the North".
        let s = &self.sc.sentences[si];
        let mut name = None;
        if !invasion_verb && !toks[i].lower().ends_with('s') {
            if let Some(raw) = s
                .names
                .iter()
                .find(|m| m.toks.end == i && m.title.is_none())
            {
                let resolved = names.iter().find(|n| n.toks == raw.toks);
                let other = resolved.is_none_or(|n| n.is(EntityClass::Place));
                if other && ordinal.is_none() {
                    name = Some(format!("{} {}", raw.text, toks[i].text));
                }
            }
            if toks.get(i + 1).is_some_and(|t| t.is("known"))
                && toks.get(i + 2).is_some_and(|t| t.is("as"))
            {
                let mut k = i + 3;
                if toks.get(k).is_some_and(|t| t.is("the")) {
                    k += 1;
                }
                let start = k;
                while k < toks.len()
                    && (toks[k].is_cap()
                        || (toks[k].is_any(&["of", "the"])
                            && toks.get(k + 1).is_some_and(|t| t.is_cap() || t.is("the"))))
                {
                    k += 1;
                }
                if k > start {
                    name = Some(join(toks, start..k));
                }
            }
        }
        // "the Norman conquest of England", "the Jin invasion of the Song
        // Dynasty": the words of the text make a label for it.
        let mut described = None;
        if name.is_none()
            && s.names.iter().any(|m| m.toks.end == i)
            && toks.get(i + 1).is_some_and(|t| t.is("of"))
        {
            let mut k = i + 2;
            if toks.get(k).is_some_and(|t| t.is("the")) {
                k += 1;
            }
            if let Some(obj) = s.names.iter().find(|m| m.toks.start == k) {
                let adj = s
                    .names
                    .iter()
                    .find(|m| m.toks.end == i)
                    .map_or(i - 1, |m| m.toks.start);
                described = Some(join(toks, adj..obj.toks.end));
            }
        }
        if !undated_ok && name.is_none() && !self.in_body(si) && date.is_none() {
            return None;
        }
        let idx = self.find_or_add_with(
            si,
            Probe {
                class: if toks[i].is("conquest") {
                    EventClass::Conflict
                } else {
                    EventClass::Campaign
                },
                name: name.clone(),
                place: None,
                ordinal,
                attackers,
                fresh,
                noun,
                at: None,
            },
        );
        let e = &self.out.events[idx];
        if let Some(name) = name.filter(|_| e.name.is_none() && !e.subject) {
            self.name_event(idx, name);
        }
        if let Some(d) = described {
            self.alias_event(idx, d);
        }
        let e = &mut self.out.events[idx];
        if e.place.is_none() {
            e.place = place;
        }
        if let Some(c) = by_commander {
            e.commanders.insert(c);
        }
        for t in targets {
            e.targets.insert(t.clone());
            e.belligerents.insert(t);
        }
        Some(idx)
    }

    /// A war declared, a revolt led: a conflict with a date.
    fn war_trigger(
        &mut self,
        si: usize,
        toks: &[Tok<'_>],
        names: &[RName],
        i: usize,
    ) -> Option<usize> {
        let w = toks[i].lower();
        let w: &str = &w;
        let s = &self.sc.sentences[si];
        nearest_date(s, i)?;
        let declared = toks.iter().any(|x| {
            x.is_any(&[
                "declared",
                "declaration",
                "launched",
                "began",
                "started",
                "led",
            ])
        }) || w == "rebelled";
        if !declared {
            return None;
        }
        let mut attackers = Vec::new();
        let mut target = None;
        for n in names.iter().filter(|n| n.is(EntityClass::Polity)) {
            if n.toks.start > i
                && target.is_none()
                && toks[i + 1..n.toks.start]
                    .iter()
                    .any(|x| x.is_any(&["against", "with"]))
            {
                target = Some(n.key.clone());
            } else if n.toks.end <= i {
                attackers.push(n.key.clone());
            }
        }
        if let Some(t) = &target {
            attackers.retain(|a| a != t);
        }
        let idx = self.find_or_add_with(
            si,
            Probe {
                class: EventClass::Conflict,
                name: None,
                place: None,
                ordinal: None,
                attackers,
                fresh: false,
                noun: None,
                at: None,
            },
        );
        if let Some(t) = target {
            let e = &mut self.out.events[idx];
            e.targets.insert(t.clone());
            e.belligerents.insert(t);
        }
        Some(idx)
    }

    /// "treaty", "truce", "peace agreement": made on a date, or named after a place.
    fn treaty_trigger(
        &mut self,
        si: usize,
        toks: &[Tok<'_>],
        names: &[RName],
        i: usize,
    ) -> Option<usize> {
        let w = toks[i].lower();
        let w: &str = &w;
        if toks[i + 1..]
            .iter()
            .take(3)
            .any(|x| x.is_any(&["never", "not"]))
        {
            return None;
        }
        let s = &self.sc.sentences[si];
        let date = nearest_date(s, i);
        // "the Shaoxing treaty", "the Kaifeng agreement": named by a place.
        if let Some(p) = (i > 0)
            .then(|| {
                names
                    .iter()
                    .find(|n| n.toks.end == i && n.is(EntityClass::Place))
            })
            .flatten()
        {
            let name = if w == "treaty" {
                format!("Treaty of {}", p.surface)
            } else {
                format!("{} {}", p.surface, w)
            };
            let idx = self.find_or_add(si, EventClass::Treaty, Some(name.clone()), None, None);
            let e = &self.out.events[idx];
            if e.name.is_none() {
                self.name_event(idx, name);
            } else if e.name.as_deref() != Some(name.as_str()) {
                self.alias_event(idx, name);
            }
            return Some(idx);
        }
        let making = toks.iter().any(|x| x.is_any(lexicon::TREATY_VERBS))
            || (i > 0 && toks[i - 1].kind == TokenKind::Number)
            || (i > 1 && toks[i - 2].kind == TokenKind::Number)
            || toks[..i]
                .iter()
                .rev()
                .take(3)
                .any(|x| x.is_any(&["first", "second", "third"]));
        if date.is_none() || !making {
            return None;
        }
        let ordinal = ordinal_before(toks, i);
        Some(self.find_or_add(si, EventClass::Treaty, None, None, ordinal))
    }

    /// The polities acting before a trigger in its clause ("the Jurchens besieged").
    fn attackers_of(&self, toks: &[Tok<'_>], names: &[RName], i: usize) -> Vec<String> {
        // Passive: "were besieged by the Jurchens".
        if i > 0 && toks[i - 1].is_any(&["was", "were", "been"]) {
            return names
                .iter()
                .filter(|n| n.toks.start > i && n.toks.start <= i + 4 && n.is(EntityClass::Polity))
                .filter(|n| toks[i + 1..n.toks.start].iter().any(|x| x.is("by")))
                .map(|n| n.key.clone())
                .take(1)
                .collect();
        }
        subject_polities(toks, names, i)
    }

    /// "attacked X": a battle when X is one city, a campaign against polities or regions.
    fn attack(&mut self, si: usize, toks: &[Tok<'_>], names: &[RName], i: usize) -> Option<usize> {
        let mut k = i + 1;
        if toks.get(k).is_some_and(|x| x.is("the")) {
            k += 1;
        }
        let obj = names.iter().find(|n| n.toks.start == k)?;
        let s = &self.sc.sentences[si];
        let date = nearest_date(s, i);
        let two_places = obj.is(EntityClass::Place)
            && toks.get(obj.toks.end).is_some_and(|x| x.is("and"))
            && names
                .iter()
                .any(|n| n.toks.start == obj.toks.end + 1 && n.is(EntityClass::Place));
        let region = toks.get(obj.toks.end).is_some_and(|x| {
            x.is_any(&[
                "circuits",
                "circuit",
                "region",
                "regions",
                "province",
                "provinces",
                "prefectures",
            ])
        });
        let attackers = self.attackers_of(toks, names, i);
        if obj.is(EntityClass::Polity) || two_places || region {
            if date.is_none() && !self.in_body(si) {
                return None;
            }
            let idx = self.find_or_add_with(
                si,
                Probe {
                    class: EventClass::Campaign,
                    name: None,
                    place: None,
                    ordinal: None,
                    attackers,
                    fresh: false,
                    noun: None,
                    at: None,
                },
            );
            let e = &mut self.out.events[idx];
            if obj.is(EntityClass::Polity) {
                e.targets.insert(obj.key.clone());
                e.belligerents.insert(obj.key.clone());
            }
            return Some(idx);
        }
        if obj.is(EntityClass::Place) && date.is_some() {
            let idx = self.find_or_add_with(
                si,
                Probe {
                    class: EventClass::Battle,
                    name: None,
                    place: Some(obj.key.clone()),
                    ordinal: None,
                    attackers,
                    fresh: false,
                    noun: None,
                    at: None,
                },
            );
            return Some(idx);
        }
        None
    }

    /// The city a sentence refers to as "the city": the section's siege, or the last place.
    fn anaphoric_place(
        &self,
        si: usize,
        toks: &[Tok<'_>],
        names: &[RName],
        before: usize,
    ) -> Option<String> {
        if let Some(ev) = self.section_event(si, None) {
            if let Some(p) = &self.out.events[ev].place {
                return Some(p.clone());
            }
        }
        names
            .iter()
            .rfind(|n| n.toks.end <= before && n.is(EntityClass::Place) && !modern_gloss(toks, n))
            .map(|n| n.key.clone())
            .or_else(|| self.last_place.clone())
    }

    /// Who won: "X defeated Y", "Y lost", "Y was defeated", "won a decisive victory".
    fn outcome(&mut self, toks: &[Tok<'_>], names: &[RName], i: usize, idx: usize) {
        let actors: Vec<&RName> = names
            .iter()
            .filter(|n| {
                n.toks.end <= i
                    && matches!(
                        n.kind,
                        Kind::Entity(EntityClass::Polity | EntityClass::Person)
                    )
            })
            .collect();
        // "Yue Fei directed his cavalry to attack the Jurchen soldiers and won":
        // the subject of the sentence, not the last name before the verb.
        let subject = actors
            .first()
            .filter(|n| n.toks.start <= 2)
            .or(actors.last())
            .copied();
        let w = toks[i].lower();
        let w: &str = &w;
        let passive = i > 0 && toks[i - 1].is_any(&["was", "were"]);
        let lost = toks[..i]
            .iter()
            .rev()
            .take(4)
            .any(|t| t.is_any(&["lost", "suffered"]))
            || w == "lost";
        let won = toks[..i].iter().rev().take(4).any(|t| t.is_any(&["won"]))
            || w == "won"
            || w == "victory"
            || (w == "defeated" && !passive)
            || (w == "repelled" && !passive);
        let Some(subj) = subject else { return };
        let side = self.polity_of(subj);
        let Some(side) = side else { return };
        let e = &mut self.out.events[idx];
        e.belligerents.insert(side.clone());
        if won {
            e.victor = Some(side);
        } else if lost || passive {
            // The other side won, if there is exactly one.
            let others: Vec<String> = e
                .belligerents
                .iter()
                .filter(|b| **b != side)
                .cloned()
                .collect();
            if others.len() == 1 {
                e.victor = Some(others[0].clone());
            }
        }
    }

    fn polity_of(&self, n: &RName) -> Option<String> {
        match n.kind {
            Kind::Entity(EntityClass::Polity) => Some(n.key.clone()),
            Kind::Entity(EntityClass::Person) => n.modifier.clone().or_else(|| {
                self.out
                    .get(&n.key)
                    .and_then(|e| e.facts.allegiance.iter().next().cloned())
            }),
            _ => None,
        }
    }

    /// Who "the two sides" (or "the two states", "both empires" …) are in
    /// sentence `si`: the belligerents of the event told last up to it
    /// (treaties aside) that has two, else of the article's subject. Two
    /// once the corpus's aliases are followed: "the Nafas" are the "Nafa
    /// Sultanate", so a battle of the Nafa Sultanate, the Nafas and Jatay
    /// has two sides. Each side is the belligerent that is its own alias,
    /// else the first of its names.
    fn two_sides(&self, si: usize) -> Option<Vec<String>> {
        let here = self.sc.sentences[si].span.start;
        // Each event by the last sentence up to this one that told it, latest first.
        let mut told: Vec<(usize, usize)> = self
            .out
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| e.class != EventClass::Treaty)
            .filter_map(|(i, e)| {
                let last = e.evidence.iter().map(|r| r.start).filter(|&s| s <= here);
                last.max().map(|s| (s, i))
            })
            .collect();
        told.sort_unstable_by(|a, b| b.cmp(a));
        told.into_iter()
            .map(|(_, i)| i)
            .chain(self.subject)
            .filter(|&ev| self.out.events[ev].class != EventClass::Treaty)
            .find_map(|ev| {
                // (the polity, the belligerent that stands for it)
                let mut sides: Vec<(String, &String)> = Vec::new();
                for b in &self.out.events[ev].belligerents {
                    let polity = self
                        .table
                        .polity_alias(&norm_key(b))
                        .unwrap_or_else(|| b.clone());
                    match sides.iter_mut().find(|(p, _)| *p == polity) {
                        Some(side) if *b == polity => side.1 = b,
                        Some(_) => {}
                        None => sides.push((polity, b)),
                    }
                }
                (sides.len() == 2).then(|| sides.into_iter().map(|(_, b)| b.clone()).collect())
            })
    }

    /// Finds the event of this document that a new mention refers to, or adds it.
    fn find_or_add(
        &mut self,
        si: usize,
        class: EventClass,
        name: Option<String>,
        place: Option<String>,
        ordinal: Option<u32>,
    ) -> usize {
        self.find_or_add_with(
            si,
            Probe {
                class,
                name,
                place,
                ordinal,
                attackers: Vec::new(),
                fresh: false,
                noun: None,
                at: self.trigger_at.clone(),
            },
        )
    }

    fn find_or_add_with(&mut self, si: usize, p: Probe) -> usize {
        let idx = self.find_event(si, &p).unwrap_or_else(|| {
            let mut e = Event::new(p.class);
            e.name = p.name.clone();
            e.place = p.place.clone();
            e.ordinal = p.ordinal;
            self.push_event(e)
        });
        if !self.told_here.contains(&idx) {
            self.told_here.push(idx);
        }
        let e = &mut self.out.events[idx];
        if e.ordinal.is_none() {
            e.ordinal = p.ordinal;
        }
        if e.noun.is_none() {
            e.noun = p.noun.clone();
        }
        if let Some(at) = p.at.clone().or_else(|| self.trigger_at.clone()) {
            if !e.mentions.contains(&at) {
                e.mentions.push(at);
            }
        }
        if e.place.is_none() {
            e.place = p.place;
        }
        if p.class == EventClass::Siege && e.class == EventClass::Battle && e.name.is_none() {
            e.class = EventClass::Siege;
        }
        let subject = e.subject;
        for a in p.attackers {
            if !subject {
                e.attackers.insert(a.clone());
            }
            e.belligerents.insert(a);
        }
        idx
    }

    fn find_event(&self, si: usize, p: &Probe) -> Option<usize> {
        let s = &self.sc.sentences[si];
        let stated = s
            .times
            .iter()
            .filter(|t| t.is_date() && t.boundary.is_none())
            .map(|t| t.start)
            .next()
            .flatten();
        // In narrative, an undated sentence speaks of the time just told.
        let date = stated.or_else(|| {
            self.in_body(si)
                .then(|| s.anchor.date.map(|d| Date::year(d.year)))
                .flatten()
        });
        let family = p.class.family();
        // The sentence that defines the document's subject speaks of the
        // subject: "The X were a series of conflicts", "The Siege of X was a
        // siege of X".
        if self.definitions.contains(&si) {
            // A battle, siege or treaty article's definition may name
            // another event ("… that confirmed the Treaty of Torvi").
            if let Some(subj) = self.subject.filter(|&i| {
                let e = &self.out.events[i];
                p.name.is_none() && (family == 0 || e.class == p.class)
            }) {
                return Some(subj);
            }
        }
        let events = &self.out.events;
        let same_family = |e: &Event| e.class.family() == family;
        // 1. The same name.
        if let Some(n) = &p.name {
            let known = self.names.known(&norm_key(n));
            if let Some(&i) = known.iter().find(|&&i| same_family(&events[i])) {
                return Some(i);
            }
        }
        // 2. The same sentence told again (a lead repeated as comment and abstract).
        let text = self.sentence_key(si);
        if let Some(&i) = self.told.get(text).into_iter().flatten().find(|&&i| {
            let e = &events[i];
            same_family(e)
                && (p.name.is_none() || e.name == p.name)
                && (p.place.is_none() || e.place == p.place)
                && !e.evidence.contains(&s.span)
        }) {
            return Some(i);
        }
        let ord_ok = |e: &Event| match (p.ordinal, e.ordinal) {
            (Some(a), Some(b)) => a == b,
            (Some(a), None) | (None, Some(a)) => a <= 1,
            (None, None) => true,
        };
        let year_ok = |e: &Event, slack: i32| match (date, e.start.or(e.end)) {
            (Some(a), Some(b)) => {
                (a.year - b.year).abs() <= slack
                    || e.end.is_some_and(|x| a.year <= x.year && a.year >= b.year)
            }
            _ => true,
        };
        // A battle or siege that has ended does not begin again: a battle,
        // or a sentence that tells a siege begin or end ("besieged", "laid
        // siege", "began", "took"), dated past its end (to the month, or to
        // the year; an end not told yet is where its start and length put
        // it), is another ("Berthor fell in February 860", then "Berthor
        // was besieged on November 7, 860"); a siege only recalled is not.
        let begins = s.toks().iter().enumerate().any(|(k, t)| {
            t.is_any(lexicon::SIEGE_VERBS)
                || t.is_any(lexicon::CAPTURE_VERBS)
                || t.is_any(&["began", "begun", "started"])
                || t.is("laid") && s.toks().get(k + 1).is_some_and(|n| n.is("siege"))
        });
        let after_end = |e: &Event| {
            (begins || p.class == EventClass::Battle)
                && matches!((stated, e.end.or_else(|| end_year_of_duration(e))),
                    (Some(a), Some(x)) if past(a, x))
        };
        let attackers_ok = |e: &Event| {
            p.attackers.is_empty()
                || e.belligerents.is_empty()
                || p.attackers
                    .iter()
                    .all(|a| e.belligerents.contains(a) || e.attackers.contains(a))
        };
        // 3. The event the section's heading names.
        if let Some(sec) = self.section_event(si, Some(p.class)) {
            let e = &events[sec];
            let ok = match family {
                1 => {
                    (p.place.is_none() || e.place.is_none() || e.place == p.place)
                        && ord_ok(e)
                        && !after_end(e)
                }
                2 => year_ok(e, 0),
                _ => {
                    // "A second expedition" in the section "Second campaign" is another event.
                    let nouns_ok = match (&p.noun, &e.noun) {
                        (Some(a), Some(b)) => a == b || p.ordinal.is_none(),
                        _ => true,
                    };
                    !e.subject
                        && !p.fresh
                        && p.class == e.class
                        && nouns_ok
                        && ord_ok(e)
                        && attackers_ok(e)
                        && p.name.is_none()
                        && year_ok(e, 1)
                }
            };
            if ok {
                return Some(sec);
            }
        }
        // An undated campaign with no side named, told right after another: the same one.
        if family == 0 && p.attackers.is_empty() && p.name.is_none() && stated.is_none() && !p.fresh
        {
            if let Some((ev, block, _)) = self.current {
                if block == s.block && events[ev].class.family() == 0 && !events[ev].subject {
                    return Some(ev);
                }
            }
        }
        // 4. Another event of the document with the same place or attackers
        // and time: none unless the probe has what its family is matched by.
        let matchable = match family {
            1 => p.place.is_some(),
            2 => date.is_some(),
            _ => p.name.is_none() && !p.fresh && date.is_some() && !p.attackers.is_empty(),
        };
        if !matchable {
            return None;
        }
        // An event this sentence has told already is the one it goes on
        // about ("The Siege of X began …, when Y laid siege to X"), before
        // an earlier one of the same place and time (the Battle of X).
        let here = self
            .told_here
            .iter()
            .copied()
            .filter(|&i| events[i].class.family() == family);
        let told = here.clone().count();
        here.chain(self.families[usize::from(family)].iter().copied())
            .enumerate()
            .find(|&(k, i)| {
                let e = &events[i];
                // An ordinal said once in the sentence is the event's: "The
                // Second siege of X began …, when Y laid siege to X".
                // A battle or siege the document is about is the one its
                // text tells of, unnamed, at its place in its year ("In July
                // 864, the army reached Bela and besieged it" in "Siege of
                // Bela", or in "Third Siege of Bela": the lead need not say
                // the ordinal); a siege told in "Battle of Bela" is another.
                if e.subject {
                    return family == 1
                        && (p.ordinal.is_none() || p.ordinal == e.ordinal)
                        && p.name.is_none()
                        && p.class == e.class
                        && e.place.is_some()
                        && e.place == p.place
                        && date.is_some()
                        && e.start.or(e.end).is_some()
                        && year_ok(e, 0)
                        && !after_end(e);
                }
                let ordinal_ok = ord_ok(e) || (k < told && p.ordinal.is_none());
                if !ordinal_ok {
                    return false;
                }
                if e.name.is_some() && p.name.is_some() {
                    return false;
                }
                // What `matchable` asked of the probe holds here.
                match family {
                    1 => e.place == p.place && year_ok(e, 1) && !after_end(e),
                    2 => matches!((date, e.start), (Some(a), Some(b)) if a.year == b.year),
                    _ => {
                        e.name.is_none()
                            && e.class == p.class
                            && e.start.or(e.end).is_some()
                            && p.attackers.iter().any(|a| e.attackers.contains(a))
                            && year_ok(e, 1)
                    }
                }
            })
            .map(|(_, i)| i)
    }

    /// Dates, commanders, strengths and belligerents for a frame from its sentence.
    fn fill_common(&mut self, si: usize, toks: &[Tok<'_>], names: &[RName], idx: usize) {
        let s = &self.sc.sentences[si];
        let span = s.span.clone();
        let in_body = self.in_body(si);
        // The date nearest to the event's own words.
        let anchor_tok = self.out.events[idx]
            .mentions
            .iter()
            .rev()
            .find(|m| span.start <= m.start && m.end <= span.end)
            .and_then(|m| toks.iter().position(|t| t.start == m.start))
            .or_else(|| trigger_token(toks, self.out.events[idx].class))
            .unwrap_or(0);
        let date = nearest_date(s, anchor_tok);
        {
            let key = self.sentence_key(si).to_owned();
            let told = self.told.entry(key).or_default();
            if !told.contains(&idx) {
                told.push(idx);
            }
            let e = &mut self.out.events[idx];
            if !e.evidence.contains(&span) {
                e.evidence.push(span.clone());
            }
            if let Some(t) = date {
                let explicit = toks[t.toks.start.saturating_sub(6)..t.toks.start]
                    .iter()
                    .any(|x| {
                        x.is_any(&[
                            "began",
                            "begun",
                            "started",
                            "commenced",
                            "launched",
                            "initiated",
                            "opened",
                            "declared",
                        ])
                    })
                    || toks[..anchor_tok]
                        .iter()
                        .rev()
                        .take(6)
                        .any(|x| x.is_any(&["began", "started", "commenced", "launched"]))
                    || t.kind == TimeKind::Range;
                let source = if explicit {
                    DateSource::Explicit
                } else {
                    DateSource::Stated
                };
                // A start already found more surely stays unless refined.
                let better = better_start(e.start, e.start_source, t.start, source)
                    && (e.start.is_some() || e.start_source <= source);
                if better {
                    e.start = t.start;
                    e.start_source = source;
                    let span = t.kind == TimeKind::Range || (t.end.is_some() && t.end != t.start);
                    let one_day = t.end.is_some()
                        && e.end.is_none()
                        && matches!(e.class, EventClass::Battle | EventClass::Treaty);
                    if span || one_day {
                        e.end = t.end;
                    }
                }
            } else if let Some(p) = s
                .times
                .iter()
                .find_map(|t| match &t.kind {
                    TimeKind::Period(p) if t.boundary.is_none() && !t.parenthetical => Some(p),
                    _ => None,
                })
                .filter(|_| e.start.is_none() && e.date_text.is_none())
            {
                // A time the sentence states that cannot be typed ("13th
                // century", "February 30, 1142"): kept as the text says it.
                e.date_text = Some(p.clone());
            } else if e.start.is_none() && in_body {
                // The time of the narrative: the last date this sentence states, or before it.
                let last = s
                    .times
                    .iter()
                    .filter(|t| t.is_date() && t.boundary.is_none() && t.kind != TimeKind::Lifespan)
                    .filter_map(|t| t.start)
                    .next_back();
                if let Some(a) = last.or(s.anchor.date) {
                    e.start = Some(Date::year(a.year));
                    e.start_source = DateSource::Discourse;
                }
            }
        }
        // Commanders: "led by X", "commanded by X", "under the command of X",
        // "X's army", a titled commander, or the person who is the subject.
        let trig = trigger_token(toks, self.out.events[idx].class).unwrap_or(anchor_tok);
        for n in names.iter().filter(|n| n.is(EntityClass::Person)) {
            let before = &toks[n.toks.start.saturating_sub(4)..n.toks.start];
            let cue = before
                .iter()
                .any(|x| x.is_any(&["led", "commanded", "command", "under", "headed"]))
                && before.iter().any(|x| x.is_any(&["by", "of", "under"]));
            let poss = n.possessive
                && toks.get(n.toks.end + 1).is_some_and(|x| {
                    x.is_any(&[
                        "army", "armies", "troops", "forces", "fleet", "command", "battle",
                        "campaign", "men", "cavalry", "navy",
                    ])
                });
            let military_title = n
                .title
                .as_deref()
                .is_some_and(|t| matches!(t, "general" | "commander" | "admiral" | "marshal"));
            let subject = n.toks.end <= trig
                && !toks[n.toks.end..trig]
                    .iter()
                    .any(|x| x.text == "," || x.text == ";" || x.is("who") || x.is("which"));
            let leads_after = toks.get(n.toks.end).is_some_and(|x| {
                x.is_any(&[
                    "led",
                    "commanded",
                    "directed",
                    "launched",
                    "attacked",
                    "besieged",
                    "defeated",
                    "invaded",
                    "won",
                    "lost",
                ])
            });
            if cue || poss || subject || leads_after || military_title {
                let key = n.key.clone();
                let side = self.polity_of(n);
                let e = &mut self.out.events[idx];
                e.commanders.insert(key.clone());
                if let Some(p) = side {
                    e.belligerents.insert(p.clone());
                    add_side(e, &p, Some(key), None, None);
                }
            }
        }
        // "He lost the Battle of Caishi": the pronoun is the last subject named.
        if toks.first().is_some_and(|t| t.is_any(&["he", "she"]))
            && !names
                .iter()
                .any(|n| n.is(EntityClass::Person) && n.toks.start < trig)
        {
            if let Some(p) = self.last_subject_person.clone() {
                self.out.events[idx].commanders.insert(p);
            }
        }
        // Belligerents of battles and sieges: polities acting in the sentence.
        if self.out.events[idx].class != EventClass::Treaty {
            for n in names.iter().filter(|n| n.is(EntityClass::Polity)) {
                let next = toks.get(n.toks.end);
                let acting = next.is_some_and(|x| {
                    x.in_list(lists::FORCE_NOUNS) || x.kind == TokenKind::Word && !x.is_cap()
                }) || toks[..n.toks.start]
                    .iter()
                    .rev()
                    .take(2)
                    .any(|x| x.is_any(&["against", "by", "with"]));
                let capital_of = next.is_some_and(|x| x.is("capital"));
                if acting && !capital_of {
                    self.out.events[idx].belligerents.insert(n.key.clone());
                }
            }
            // "fought between X (1526–1891) and Y": both sides, whatever follows them.
            for n in between_polities(toks, names, trig) {
                self.out.events[idx].belligerents.insert(n.key.clone());
            }
        } else {
            // Parties of a treaty: "X made peace with Y", "a treaty between X and Y";
            // else the polities of the sentence, else of the previous one.
            let mut parties = treaty_parties(toks, names, trig);
            if parties.is_empty() {
                parties = names
                    .iter()
                    .filter(|n| n.is(EntityClass::Polity))
                    .map(|n| n.key.clone())
                    .collect();
            }
            for t in toks.iter().filter(|t| t.text.contains('–') && t.is_cap()) {
                for part in t.text.split('–') {
                    if let Some(p) = self.table.polity_alias(&norm_key(part)) {
                        parties.push(p);
                    }
                }
            }
            let both = toks.windows(2).any(|w| {
                (w[0].is("two") || w[0].is("both"))
                    && w[1].is_any(&[
                        "empires",
                        "sides",
                        "states",
                        "dynasties",
                        "parties",
                        "countries",
                        "kingdoms",
                    ])
            });
            // The two sides of a treaty already told are its parties:
            // nothing to look for around the sentence.
            let known = both && self.out.events[idx].parties.len() >= 2;
            if both && !known && parties.len() < 2 {
                if let Some(sides) = self.two_sides(si) {
                    parties = sides;
                }
            }
            if parties.len() < 2 && si > 0 && !known {
                if let Some(prev) = self.resolved.get(si - 1) {
                    for n in prev.iter().filter(|n| n.is(EntityClass::Polity)) {
                        if !parties.contains(&n.key) {
                            parties.push(n.key.clone());
                        }
                    }
                }
            }
            let e = &mut self.out.events[idx];
            for p in parties {
                e.parties.insert(p);
            }
            self.treaty_terms(si, toks, names, idx);
        }
        self.quantities(si, toks, names, idx);
        // Durations: "after 260 days of siege".
        for t in &self.sc.sentences[si].times {
            if let TimeKind::Duration(d) = t.kind {
                let after = t.toks.start > 0
                    && toks[t.toks.start - 1].is_any(&["after", "of", "than", "for", "lasted"]);
                if after
                    && matches!(
                        self.out.events[idx].class,
                        EventClass::Siege | EventClass::Battle
                    )
                {
                    self.out.events[idx].duration.get_or_insert(d);
                }
            }
        }
    }

    /// Boundaries and payments of a treaty.
    fn treaty_terms(&mut self, _si: usize, toks: &[Tok<'_>], names: &[RName], idx: usize) {
        if let Some(b) = toks
            .iter()
            .position(|t| t.is_any(&["boundary", "border", "frontier"]))
        {
            // "along the Huai River" after, or the place the sentence designates before.
            let after = names.iter().find(|n| {
                n.toks.start > b
                    && n.is(EntityClass::Place)
                    && toks[b..n.toks.start]
                        .iter()
                        .any(|x| x.is_any(&["along", "at", "on"]))
            });
            let before = names
                .iter()
                .filter(|n| n.toks.end <= b && n.is(EntityClass::Place))
                .find(|n| {
                    !toks[n.toks.start.saturating_sub(2)..n.toks.start]
                        .iter()
                        .any(|x| x.is("of"))
                });
            if let Some(p) = after.or(before) {
                self.out.events[idx].boundary.insert(p.key.clone());
            }
        }
        for q in money(toks) {
            // Yearly when the payment it belongs to is: "an annual indemnity of A and B",
            // but not "as well as a one-time payment of C".
            let at = toks
                .iter()
                .position(|t| t.start == q.span.start)
                .unwrap_or(0);
            let head = toks[..at].iter().rposition(|t| {
                t.is_any(&[
                    "indemnity",
                    "tribute",
                    "payment",
                    "payments",
                    "pay",
                    "paid",
                    "indemnities",
                ])
            });
            let yearly = head.is_some_and(|h| {
                toks[h.saturating_sub(3)..h]
                    .iter()
                    .any(|t| lexicon::is_yearly(t.text) && !t.is_any(&["each", "per", "every"]))
                    || toks[h..at]
                        .iter()
                        .any(|t| t.is_any(&["annual", "yearly", "annually"]))
            }) || toks[at..]
                .iter()
                .take(8)
                .any(|t| t.is_any(&["annually", "yearly"]))
                || toks
                    .windows(2)
                    .any(|w| w[0].is_any(&["each", "every", "per"]) && w[1].is("year"));
            let e = &mut self.out.events[idx];
            if !e.indemnities.iter().any(|x| x.span == q.span) {
                e.indemnities.push(Indemnity {
                    period: yearly.then(|| "P1Y".to_owned()),
                    ..q
                });
            }
        }
    }

    /// Strength and casualties in the sentence: "an army of 100,000 infantry and 15,000 horsemen".
    fn quantities(&mut self, _si: usize, toks: &[Tok<'_>], names: &[RName], idx: usize) {
        if !matches!(
            self.out.events[idx].class,
            EventClass::Battle | EventClass::Siege
        ) {
            return;
        }
        let mut k = 0;
        while k < toks.len() {
            let Some((value, unit, next)) = count_at(toks, k) else {
                k += 1;
                continue;
            };
            let strength = lexicon::STRENGTH_UNITS.contains(&unit.as_str());
            let casualties = lexicon::CASUALTY_UNITS.contains(&unit.as_str());
            if !strength && !casualties {
                k = next;
                continue;
            }
            // Sum "100,000 infantry and 15,000 horsemen".
            let mut total = value;
            let mut end = next;
            while toks.get(end).is_some_and(|t| t.is("and")) {
                if let Some((v2, u2, n2)) = count_at(toks, end + 1) {
                    if lexicon::STRENGTH_UNITS.contains(&u2.as_str()) == strength {
                        total += v2;
                        end = n2;
                        continue;
                    }
                }
                break;
            }
            // Whose: a polity right before the unit ("18,000 Song soldiers"), before
            // "army of" ("Jurchen army of 400,000"), or the sentence's subject.
            let inside = names
                .iter()
                .find(|n| n.toks.start > k && n.toks.end < next && n.is(EntityClass::Polity))
                .map(|n| n.key.clone());
            let army_of =
                (k >= 3 && toks[k - 1].is("of") && toks[k - 2].is_any(&["army", "force", "fleet"]))
                    .then(|| {
                        names
                            .iter()
                            .find(|n| n.toks.end == k - 2 && (n.is(EntityClass::Polity)))
                            .map(|n| n.key.clone())
                    })
                    .flatten();
            let with = toks[k.saturating_sub(4)..k].iter().any(|t| t.is("with"));
            let subject = names
                .iter()
                .filter(|n| n.toks.end <= k)
                .find(|n| {
                    matches!(
                        n.kind,
                        Kind::Entity(EntityClass::Polity | EntityClass::Person)
                    )
                })
                .and_then(|n| self.polity_of(n));
            let owner = inside
                .or(army_of)
                .or(if with || casualties { subject } else { None });
            if let Some(p) = owner {
                let e = &mut self.out.events[idx];
                e.belligerents.insert(p.clone());
                if strength {
                    add_side(e, &p, None, Some(total), None);
                } else {
                    add_side(e, &p, None, None, Some(total));
                }
            }
            k = end;
        }
    }

    /// A sentence without its own frame that goes on telling event `idx`.
    /// Returns whether it said something about it.
    fn continuation(&mut self, si: usize, toks: &[Tok<'_>], names: &[RName], idx: usize) -> bool {
        let class = self.out.events[idx].class;
        let span = self.sc.sentences[si].span.clone();
        let mut told = false;
        // "It began on 16 December 755 ... and ended on 17 February 763": the
        // event just named, its dates made precise.
        let it = toks.first().is_some_and(|t| t.is("it"))
            || toks.len() > 2 && toks[0].is("the") && event_noun_class(toks[1].text) == Some(class);
        if it {
            let s = &self.sc.sentences[si];
            for (v, t) in toks.iter().enumerate() {
                let begins = t.is_any(&["began", "started", "commenced"]);
                let ends = t.is_any(&["ended", "finished", "concluded"]);
                if !begins && !ends {
                    continue;
                }
                let Some(d) = s
                    .times
                    .iter()
                    .filter(|m| m.is_date() && m.toks.start > v && m.toks.start <= v + 3)
                    .find_map(|m| m.start)
                else {
                    continue;
                };
                let e = &mut self.out.events[idx];
                let cur = if begins { e.start } else { e.end };
                let better = cur.is_none_or(|c| refines(d, c) && precision(d) > precision(c));
                if better {
                    if begins {
                        e.start = Some(d);
                        e.start_source = DateSource::Explicit;
                    } else {
                        e.end = Some(d);
                    }
                    told = true;
                }
            }
        }
        // "Armies led by Wanyan Liang left Kaifeng on October 15": the campaign its
        // commander began in 1161 set out on a day of that year.
        if class == EventClass::Campaign {
            let e = &self.out.events[idx];
            let ours = names.iter().any(|n| e.commanders.contains(&n.key));
            let moved = toks.windows(2).position(|w| {
                w[0].is_any(&["left", "departed"]) || w[0].is("set") && w[1].is("out")
            });
            let s = &self.sc.sentences[si];
            if let (true, Some(v)) = (ours, moved) {
                if let (Some(cur), Some(d)) = (e.start, nearest_date(s, v).and_then(|t| t.start)) {
                    if refines(d, cur) && precision(d) > precision(cur) {
                        self.out.events[idx].start = Some(d);
                        told = true;
                    }
                }
            }
        }
        // "The assault commenced in mid December 1126": the start of the event told.
        if matches!(class, EventClass::Battle | EventClass::Siege) {
            if let Some(v) = toks
                .iter()
                .position(|t| t.is_any(&["commenced", "began", "started", "opened"]))
            {
                let noun = toks[..v].iter().any(|t| {
                    t.is_any(&[
                        "assault",
                        "attack",
                        "bombardment",
                        "siege",
                        "fighting",
                        "blockade",
                    ])
                });
                let s = &self.sc.sentences[si];
                if let Some(d) = noun
                    .then(|| nearest_date(s, v))
                    .flatten()
                    .and_then(|t| t.start)
                {
                    let e = &mut self.out.events[idx];
                    if e.start_source < DateSource::Explicit && e.end.is_none_or(|x| d <= x) {
                        e.start = Some(d);
                        e.start_source = DateSource::Explicit;
                        told = true;
                    }
                }
            }
            // "They were built by soldiers under the command of Chen Gui, who led the Song army"
            for n in names.iter().filter(|n| n.is(EntityClass::Person)) {
                let before = &toks[n.toks.start.saturating_sub(4)..n.toks.start];
                let cue = before
                    .iter()
                    .any(|x| x.is_any(&["led", "commanded", "command", "headed"]))
                    && before.iter().any(|x| x.is_any(&["by", "of"]));
                let leads = toks
                    .get(n.toks.end)
                    .is_some_and(|x| x.is_any(&["led", "commanded"]))
                    || toks[n.toks.end..].iter().take(3).any(|x| x.is("who"))
                        && toks[n.toks.end..]
                            .iter()
                            .take(5)
                            .any(|x| x.is_any(&["led", "commanded"]));
                if cue || leads {
                    let key = n.key.clone();
                    let side = self.polity_of(n);
                    let e = &mut self.out.events[idx];
                    e.commanders.insert(key.clone());
                    if let Some(p) = side {
                        e.belligerents.insert(p.clone());
                        add_side(e, &p, Some(key), None, None);
                    }
                    told = true;
                }
            }
        }
        if class != EventClass::Treaty
            && toks.iter().any(|t| {
                t.is_any(&[
                    "won",
                    "victory",
                    "victorious",
                    "lost",
                    "defeated",
                    "casualties",
                    "defeat",
                ])
            })
        {
            if let Some(i) = toks
                .iter()
                .position(|t| t.is_any(&["won", "victory", "lost", "defeated"]))
            {
                self.outcome(toks, names, i, idx);
                if toks[i].is("won") || toks[i].is("victory") {
                    for n in names
                        .iter()
                        .filter(|n| n.is(EntityClass::Person) && n.toks.end <= i)
                    {
                        let k = n.key.clone();
                        self.out.events[idx].commanders.insert(k);
                    }
                }
            }
            self.quantities(si, toks, names, idx);
            told = true;
        }
        if class == EventClass::Treaty
            && toks.iter().any(|t| {
                t.is_any(&[
                    "treaty",
                    "terms",
                    "pay",
                    "tribute",
                    "indemnity",
                    "boundary",
                    "border",
                ])
            })
        {
            self.treaty_terms(si, toks, names, idx);
            told = true;
        }
        if told && !self.out.events[idx].evidence.contains(&span) {
            self.out.events[idx].evidence.push(span);
        }
        told
    }

    /// "X fell in September 1126", "captured X", "ended the siege in March", "ending the Siege of X".
    fn ends(&mut self, si: usize, toks: &[Tok<'_>], names: &[RName]) {
        let s = &self.sc.sentences[si];
        // "held out until March 7, 861, when Berthor was captured": the date
        // the clause after "until" tells of is the end.
        let until_when = |x: &TimeMention| {
            matches!(x.boundary, Some("until" | "till"))
                && toks[x.toks.end..].iter().take(2).any(|t| t.is("when"))
        };
        for (i, t) in toks.iter().enumerate() {
            let end_verb = t.in_list(lists::END_VERBS);
            if !end_verb {
                continue;
            }
            // Which siege or campaign: a place near the verb, or "the siege", or a named event.
            let near_place = names
                .iter()
                .filter(|n| {
                    n.is(EntityClass::Place)
                        && (n.toks.end <= i && n.toks.end + 3 >= i
                            || n.toks.start > i && n.toks.start <= i + 3)
                })
                .min_by_key(|n| {
                    if n.toks.start > i {
                        n.toks.start - i
                    } else {
                        i - n.toks.end
                    }
                });
            let the_siege = toks[i + 1..].iter().take(3).any(|x| x.is("siege"));
            let named = names.iter().find(|n| {
                n.kind == Kind::Event
                    && (n.toks.start > i && n.toks.start <= i + 2
                        || n.toks.end <= i && n.toks.end + 2 >= i)
            });
            let date = s
                .times
                .iter()
                .filter(|x| x.is_date() && (x.boundary.is_none() || until_when(x)))
                .min_by_key(|x| {
                    let k = x.toks.start;
                    k.abs_diff(i)
                });
            let target = if let Some(n) = named {
                self.names.known(&norm_key(&n.surface)).first().copied()
            } else if let Some(p) = near_place {
                // The siege of that place the section tells of (unless it
                // ended before this date), or else the last one told that has
                // not ended.
                let at_p = |e: &Event| {
                    e.class == EventClass::Siege && e.place.as_deref() == Some(p.key.as_str())
                };
                let past_end = |e: &Event| {
                    date.and_then(|d| d.start)
                        .is_some_and(|d| e.end.is_some_and(|x| past(d, x)))
                };
                self.section_event(si, Some(EventClass::Siege))
                    .filter(|&sec| at_p(&self.out.events[sec]) && !past_end(&self.out.events[sec]))
                    .or_else(|| {
                        self.out
                            .events
                            .iter()
                            .rposition(|e| at_p(e) && e.end.is_none())
                    })
                    .or_else(|| {
                        // Or the one that ended then: "Bela fell in August
                        // 864" after a record's "5 July 864 – 6 August 864".
                        let d = date.and_then(|d| d.start).filter(|d| d.month.is_some())?;
                        self.out
                            .events
                            .iter()
                            .rposition(|e| at_p(e) && e.end.is_some_and(|x| same_time(d, x)))
                    })
            } else if the_siege || t.is("broke") {
                self.section_event(si, Some(EventClass::Siege)).or_else(|| {
                    self.current
                        .map(|c| c.0)
                        .filter(|&c| self.out.events[c].class == EventClass::Siege)
                })
            } else {
                None
            };
            let Some(target) = target else { continue };
            if !matches!(
                self.out.events[target].class,
                EventClass::Siege | EventClass::Campaign | EventClass::Conflict
            ) {
                continue;
            }
            let span = s.span.clone();
            let e = &mut self.out.events[target];
            let mut closed = false;
            if let Some(d) = date.and_then(|d| d.start) {
                // A city that falls closes the siege being told, not one of years
                // before: the siege must have been told nearby (or be named here).
                let told_nearby = e
                    .evidence
                    .iter()
                    .chain(e.mentions.iter())
                    .any(|r| r.end <= span.start && span.start - r.end < 2_000);
                let within_years = e.start.is_none_or(|st| d.year - st.year <= 2);
                let soon =
                    named.is_some() || told_nearby || within_years || e.class != EventClass::Siege;
                if soon
                    && e.start
                        .is_none_or(|st| d >= st || d.year == st.year && d.month >= st.month)
                    && e.end.is_none_or(|x| {
                        precision(d) > precision(x) && d.year == x.year || e.end == e.start
                    })
                {
                    e.end = Some(d);
                    closed = true;
                } else if d.month.is_some() && e.end.is_some_and(|x| same_time(d, x)) {
                    // The end it has, told again.
                    closed = true;
                }
                if closed && !e.evidence.contains(&span) {
                    e.evidence.push(span.clone());
                }
            } else {
                closed = the_siege || named.is_some();
            }
            if closed && e.class == EventClass::Siege {
                for tm in &s.times {
                    if let TimeKind::Duration(d) = tm.kind {
                        e.duration.get_or_insert(d);
                    }
                }
            }
        }
    }
}

/// An event's names and place as keys ([`norm_key`]), for [`same_event`].
struct EventKeys {
    name: Option<String>,
    aliases: Vec<String>,
    place: Option<String>,
    /// What a name "Battle of X" or "Siege of X" is named for: X.
    named_for: Option<String>,
}

impl EventKeys {
    fn of(e: &Event) -> Self {
        let name = e.name.as_deref().map(norm_key);
        let named_for = name.as_deref().and_then(|k| {
            ["battle of ", "siege of ", "the battle of ", "the siege of "]
                .iter()
                .find_map(|p| k.strip_prefix(p).map(str::to_owned))
        });
        EventKeys {
            name,
            aliases: e.aliases.iter().map(|a| norm_key(a)).collect(),
            place: e.place.as_deref().map(norm_key),
            named_for,
        }
    }
}

/// Whether `a` and `b` (with their keys `ka`, `kb`) are one event told twice.
/// The word an event's name starts with after an ordinal: "Battle" of
/// "Battle of X" and of "Second Battle of X".
fn head_word(name: &str) -> Option<&str> {
    let mut words = name.split_whitespace();
    let first = words.next()?;
    match lexicon::ordinal(first) {
        Some(_) => words.next(),
        None => Some(first),
    }
}

/// The year an event that has no end ends in, by its start and duration
/// ("besieged X in early October 1532 and captured it after 60 days": 1532).
fn end_year_of_duration(e: &Event) -> Option<Date> {
    let (start, d) = (e.start?, e.duration?);
    // No siege lasts ten thousand years: a larger number is not a length.
    let amount = i32::try_from(d.amount).ok().filter(|&a| a < 3_660_000)?;
    let year = match d.unit {
        'Y' => start.year.checked_add(amount)?,
        'M' => {
            let month = i32::from(start.month.unwrap_or(12)) - 1;
            start
                .year
                .checked_mul(12)?
                .checked_add(month)?
                .checked_add(amount)?
                .div_euclid(12)
        }
        'D' => {
            // Counted from the start's day, or from its month's (or year's) last.
            let ordinal = match (start.month, start.day) {
                (Some(m), Some(day)) => days_before_month(start.year, m) + i32::from(day),
                (Some(m), None) => days_before_month(start.year, m.saturating_add(1)),
                _ => days_in_year(start.year),
            };
            let mut year = start.year;
            let mut left = ordinal.checked_add(amount)?;
            while left > days_in_year(year) {
                left -= days_in_year(year);
                year += 1;
            }
            year
        }
        _ => return None,
    };
    Some(Date::year(year))
}

/// Whether date `d` lies past date `end`: a later year, or a later month of
/// its year when both have one.
fn past(d: Date, end: Date) -> bool {
    d.year > end.year
        || d.year == end.year && matches!((d.month, end.month), (Some(a), Some(b)) if a > b)
}

/// Whether one event ends before the other starts, to the month where both
/// have one, else to the year: a siege lifted in February and one begun in
/// November of the same year are two, and so are one that ended in December
/// 1532 and one begun in 1533.
fn months_apart(a: &Event, b: &Event) -> bool {
    let before = |x: &Event, y: &Event| matches!((x.end, y.start), (Some(end), Some(start)) if past(start, end));
    before(a, b) || before(b, a)
}

fn same_event(a: &Event, ka: &EventKeys, b: &Event, kb: &EventKeys) -> bool {
    if a.class.family() != b.class.family() || a.subject || b.subject {
        return false;
    }
    // A campaign is part of a war, not the war.
    if a.class.family() == 0 && a.class != b.class && a.name.is_some() != b.name.is_some() {
        return false;
    }
    // Two events first told in one sentence were told apart on purpose.
    if !a.evidence.is_empty() && a.evidence.first() == b.evidence.first() && a.name == b.name {
        return false;
    }
    let span = |e: &Event| {
        e.start
            .or(e.end)
            .map(|s| (s.year, e.end.map_or(s.year, |x| x.year)))
    };
    if let (Some(kx), Some(ky)) = (&ka.name, &kb.name) {
        if kx != ky
            && !ka
                .aliases
                .iter()
                .chain(&kb.aliases)
                .any(|al| al == kx || al == ky)
        {
            return false;
        }
        // One name, two events: "the Battle of X, fought on 16 June 1483"
        // and "the Battle of X (1546)" (dates each stated with the event,
        // not taken from the narrative), or two ordinals of one place.
        let own = |e: &Event| e.start_source >= DateSource::Stated;
        let apart = own(a)
            && own(b)
            && matches!((span(a), span(b)), (Some((a0, a1)), Some((b0, b1)))
                if a0 > b1 + 1 || b0 > a1 + 1);
        let ordinals_differ = matches!((a.ordinal, b.ordinal), (Some(x), Some(y)) if x != y);
        return !apart && !ordinals_differ;
    }
    let stated = |e: &Event| e.start_source >= DateSource::Stated || e.end.is_some();
    let ord_ok = match (a.ordinal, b.ordinal) {
        (Some(x), Some(y)) => x == y,
        // "The Third siege of X" and a siege of X told without its ordinal
        // (a lead's "Y laid siege to X in April 1120"): one siege when
        // both are dated and begin at the same time.
        (Some(x), None) | (None, Some(x)) => {
            x <= 1
                || a.class.family() == 1
                    && stated(a)
                    && stated(b)
                    && matches!((a.start, b.start), (Some(p), Some(q)) if same_time(p, q))
        }
        (None, None) => true,
    };
    if !ord_ok {
        return false;
    }
    let years = |slack: i32| match (span(a), span(b)) {
        (Some((a0, a1)), Some((b0, b1))) => a0 - slack <= b1 && b0 - slack <= a1,
        _ => true,
    };
    // "the Battle of Lepanto" and a battle told at Lepanto.
    let named_for = |kx: &EventKeys, y: &Event, ky: &EventKeys| {
        kx.named_for
            .as_ref()
            .is_some_and(|at| y.name.is_none() && ky.place.as_ref() == Some(at))
    };
    match a.class.family() {
        1 => {
            (a.place.is_some() && a.place == b.place
                || named_for(ka, b, kb)
                || named_for(kb, a, ka))
                && years(if stated(a) && stated(b) { 0 } else { 1 })
                && !months_apart(a, b)
        }
        2 => matches!((span(a), span(b)), (Some((x, _)), Some((y, _))) if x == y),
        _ => {
            let overlap = |x: &std::collections::BTreeSet<String>,
                           y: &std::collections::BTreeSet<String>| {
                x.iter().any(|v| y.contains(v))
            };
            let same_targets = overlap(&a.targets, &b.targets);
            let same_attackers = overlap(&a.attackers, &b.attackers);
            let sides = same_targets || same_attackers;
            let both_sides = same_targets && same_attackers;
            let led_by_same = overlap(&a.commanders, &b.commanders);
            // The same month stated: "First campaign" and "attacked the Song in November 1125".
            let same_month = a.class == b.class
                && matches!((a.start, b.start), (Some(x), Some(y)) if x.month.is_some() && x.year == y.year && x.month == y.month);
            // No side, commander or month in common: two events, whatever
            // else they share (each way below needs one of these).
            if !sides && !led_by_same && !same_month {
                return false;
            }
            let conflict = overlap(&a.attackers, &b.targets) || overlap(&a.targets, &b.attackers);
            // An undated mention of the same sides, led by no one named, is the
            // event they already fought (the earlier one: `a` comes first).
            let undated = span(b).is_none()
                && span(a).is_some()
                && b.commanders.is_empty()
                && b.name.is_none();
            !conflict
                && ((sides
                    && span(a).is_some()
                    && span(b).is_some()
                    && years(if both_sides { 1 } else { 0 }))
                    || (led_by_same && years(1))
                    || same_month
                    || (both_sides && undated))
        }
    }
}

/// Folds event `b` into event `a`.
fn merge_event(a: &mut Event, b: Event) {
    match (&a.name, b.name) {
        (None, Some(n)) => a.name = Some(n),
        (Some(x), Some(n)) if *x != n => {
            a.aliases.insert(n);
        }
        _ => {}
    }
    a.aliases.extend(b.aliases);
    if a.ordinal.is_none() {
        a.ordinal = b.ordinal;
    }
    if better_start(a.start, a.start_source, b.start, b.start_source) {
        a.start = b.start;
        a.start_source = b.start_source;
    }
    match (a.end, b.end) {
        (None, e) => a.end = e,
        (Some(x), Some(y)) if x.year == y.year && precision(y) > precision(x) => a.end = Some(y),
        _ => {}
    }
    if a.date_text.is_none() {
        a.date_text = b.date_text;
    }
    if a.end_text.is_none() {
        a.end_text = b.end_text;
    }
    if a.duration.is_none() {
        a.duration = b.duration;
    }
    if a.place.is_none() {
        a.place = b.place;
    }
    a.attackers.extend(b.attackers);
    a.targets.extend(b.targets);
    a.belligerents.extend(b.belligerents);
    a.commanders.extend(b.commanders);
    for s in b.sides {
        if let Some(p) = &s.polity {
            add_side(a, p, None, s.strength, s.casualties);
            for c in s.commanders {
                add_side(a, p, Some(c), None, None);
            }
        }
    }
    if a.victor.is_none() {
        a.victor = b.victor;
    }
    for r in b.result {
        if !a.result.contains(&r) {
            a.result.push(r);
        }
    }
    a.parties.extend(b.parties);
    a.boundary.extend(b.boundary);
    for i in b.indemnities {
        if !a.indemnities.iter().any(|x| x.span == i.span) {
            a.indemnities.push(i);
        }
    }
    for e in b.evidence {
        if !a.evidence.contains(&e) {
            a.evidence.push(e);
        }
    }
    a.mentions.extend(b.mentions);
    if a.section.is_none() {
        a.section = b.section;
    }
    if a.part_of.is_none() {
        a.part_of = b.part_of;
    }
}

/// Whether a new start date (`new`, found as `ns`) should replace the current one.
/// A more precise date of the same year refines; a date found more surely
/// replaces; of two alike, the earlier starts the event.
fn better_start(cur: Option<Date>, cs: DateSource, new: Option<Date>, ns: DateSource) -> bool {
    let Some(n) = new else { return false };
    let Some(c) = cur else { return true };
    if c.year == n.year && refines(n, c) && precision(n) > precision(c) {
        return true;
    }
    if c.year == n.year && refines(c, n) && precision(c) > precision(n) {
        return false;
    }
    ns > cs || (ns == cs && n < c)
}

/// Whether date `a` lies within the period that date `b` names.
fn refines(a: Date, b: Date) -> bool {
    a.year == b.year
        && b.month.is_none_or(|m| a.month == Some(m))
        && b.day.is_none_or(|d| a.day == Some(d))
}

/// Whether two dates can be the same day: one refines the other ("August
/// 864" and "6 August 864").
fn same_time(a: Date, b: Date) -> bool {
    refines(a, b) || refines(b, a)
}

fn precision(d: Date) -> u8 {
    match (d.month, d.day) {
        (Some(_), Some(_)) => 3,
        (Some(_), None) => 2,
        _ => 1,
    }
}

fn add_side(
    e: &mut Event,
    polity: &str,
    commander: Option<String>,
    strength: Option<u64>,
    casualties: Option<u64>,
) {
    let side = match e
        .sides
        .iter()
        .position(|s| s.polity.as_deref() == Some(polity))
    {
        Some(i) => &mut e.sides[i],
        None => {
            e.sides.push(Side {
                polity: Some(polity.to_owned()),
                ..Side::default()
            });
            let last = e.sides.len() - 1;
            &mut e.sides[last]
        }
    };
    if let Some(c) = commander {
        side.commanders.insert(c);
    }
    if strength.is_some() && side.strength.is_none() {
        side.strength = strength;
    }
    if casualties.is_some() && side.casualties.is_none() {
        side.casualties = casualties;
    }
}

/// Whether a token could be a trigger word: a word, and for an ASCII word
/// what the lexicon said when it was tokenized (others are looked up).
#[inline]
fn may_trigger(t: &Tok<'_>) -> bool {
    t.kind == TokenKind::Word && (t.lex.trigger || !t.text.is_ascii())
}

/// The token of a frame's trigger word in a sentence.
fn trigger_token(toks: &[Tok<'_>], class: EventClass) -> Option<usize> {
    toks.iter().position(|t| {
        let w = t.lower();
        let w: &str = &w;
        match class {
            EventClass::Siege => w.starts_with("besieg") || w == "siege",
            EventClass::Battle => matches!(
                w,
                "battle" | "battles" | "defeat" | "defeated" | "attacked" | "repelled"
            ),
            EventClass::Campaign => {
                lexicon::CAMPAIGN_NOUNS.contains(&w)
                    || lexicon::INVASION_VERBS.contains(&w)
                    || w == "attacked"
            }
            EventClass::Conflict => matches!(
                w,
                "war" | "revolt" | "rebellion" | "uprising" | "rebelled" | "wars"
            ),
            EventClass::Treaty => lexicon::TREATY_NOUNS.contains(&w) || w == "agreement",
        }
    })
}

/// The parties a treaty sentence names around its trigger `trig`: the polities
/// after "between" ("a treaty between X and Y"), or the subject before the
/// trigger and the polities after "with" ("X reached an agreement with Y").
/// Empty when the sentence has neither shape.
fn treaty_parties(toks: &[Tok<'_>], names: &[RName], trig: usize) -> Vec<String> {
    let polity = |n: &&RName| n.is(EntityClass::Polity);
    let mut parties: Vec<String> = Vec::new();
    let mut push = |k: &String| {
        if !parties.contains(k) {
            parties.push(k.clone());
        }
    };
    let between = between_polities(toks, names, trig);
    if !between.is_empty() {
        between.iter().for_each(|n| push(&n.key));
        return parties;
    }
    let Some(w) = (trig..toks.len()).find(|&i| toks[i].is("with")) else {
        return parties;
    };
    let end = clause_end(toks, w);
    let after: Vec<&RName> = names
        .iter()
        .filter(polity)
        .filter(|n| n.toks.start > w && n.toks.end <= end)
        .collect();
    if after.is_empty() {
        return parties;
    }
    // The subject: the nearest polity before the trigger in the same clause.
    let subject = names.iter().filter(polity).rev().find(|n| {
        n.toks.end <= trig
            && !toks[n.toks.end..trig]
                .iter()
                .any(|t| t.text == "," || t.text == ";" || t.is_any(&["who", "which", "that"]))
    });
    if let Some(s) = subject {
        push(&s.key);
    }
    after.iter().for_each(|n| push(&n.key));
    parties
}

/// The polities after "between" near trigger `trig`, to the end of its
/// clause, when there are two or more: the sides of "a battle between X
/// and Y", "fought between X (1526–1891) and Y", the parties of "a treaty
/// between X and Y". Empty otherwise.
fn between_polities<'n>(toks: &[Tok<'_>], names: &'n [RName], trig: usize) -> Vec<&'n RName> {
    let Some(b) = (trig.saturating_sub(3)..toks.len()).find(|&i| toks[i].is("between")) else {
        return Vec::new();
    };
    let end = clause_end(toks, b);
    let after: Vec<&RName> = names
        .iter()
        .filter(|n| n.is(EntityClass::Polity) && n.toks.start > b && n.toks.end <= end)
        .collect();
    if after.len() >= 2 { after } else { Vec::new() }
}

/// Where the clause that token `from` is in ends: at ";" or "but", "while",
/// "whereas" after it, else at the sentence's end.
fn clause_end(toks: &[Tok<'_>], from: usize) -> usize {
    toks[from..]
        .iter()
        .position(|t| t.text == ";" || t.is_any(&["but", "while", "whereas"]))
        .map_or(toks.len(), |p| from + p)
}

/// Days in a year of the calendar the sources use: Julian before 1582.
fn days_in_year(year: i32) -> i32 {
    let gregorian = year > 1582;
    if year % 4 == 0 && (!gregorian || year % 100 != 0 || year % 400 == 0) {
        366
    } else {
        365
    }
}

/// Days of `year` before the first of month `m` (1–12).
fn days_before_month(year: i32, m: u8) -> i32 {
    const DAYS: [i32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let leap = i32::from(days_in_year(year) == 366);
    (1..m.min(13))
        .map(|k| DAYS[usize::from(k - 1)] + if k == 2 { leap } else { 0 })
        .sum()
}

/// The date of the sentence nearest to token `i` (not a boundary like "since 938").
fn nearest_date<'s>(s: &'s Sentence<'_>, i: usize) -> Option<&'s TimeMention> {
    s.times
        .iter()
        .filter(|t| t.is_date() && t.boundary.is_none() && t.kind != TimeKind::Lifespan)
        // "Hangzhou (January 22, 1130)": the date of what happened to that
        // name, unless that name is the event's own.
        .filter(|t| {
            !t.parenthetical
                || s.names
                    .iter()
                    .rfind(|n| {
                        n.toks.end < t.toks.start
                            && n.toks.end + 4 >= t.toks.start
                            && matches!(
                                n.votes.best(1.5),
                                Some(NameClass::Place | NameClass::Person | NameClass::Event)
                            )
                    })
                    .is_none_or(|owner| owner.toks.start <= i + 1 && i < owner.toks.end + 2)
        })
        .min_by_key(|t| {
            let k = t.toks.start;
            // "in 1210 and attacked the Jin in 1211": the date after the trigger wins a tie.
            let d = if k > i { k - i } else { (i - k) + 3 };
            // Dates in the same clause are nearer.
            d
        })
}

/// The polity that is the subject of the clause holding token `i`: the nearest
/// polity before it in its clause, or the first polity of the sentence.
fn subject_polity(toks: &[Tok<'_>], names: &[RName], i: usize) -> Option<String> {
    let clause = toks[..i]
        .iter()
        .rposition(|t| {
            t.text == "," || t.text == ";" || t.is("but") || t.is("while") || t.is("whereas")
        })
        .map_or(0, |p| p + 1);
    let polities: Vec<&RName> = names
        .iter()
        .filter(|n| n.is(EntityClass::Polity) && n.toks.end <= i)
        .collect();
    polities
        .iter()
        .rev()
        .find(|n| {
            n.toks.start >= clause
                && toks.get(n.toks.end..i).is_some_and(|gap| {
                    !gap.iter()
                        .any(|x| x.is_any(&["against", "with", "of", "to", "from"]))
                })
        })
        .or_else(|| polities.first().filter(|n| n.toks.start <= 3))
        .map(|n| n.key.clone())
}

/// The subject polity and those coordinated with it ("Qi and Jin initiated").
fn subject_polities(toks: &[Tok<'_>], names: &[RName], i: usize) -> Vec<String> {
    let Some(first) = subject_polity(toks, names, i) else {
        return Vec::new();
    };
    let mut out = vec![first.clone()];
    let Some(head) = names
        .iter()
        .rev()
        .find(|n| n.key == first && n.toks.end <= i)
    else {
        return out;
    };
    let mut start = head.toks.start;
    while start >= 2 && (toks[start - 1].is("and") || toks[start - 1].text == ",") {
        match names
            .iter()
            .find(|n| n.toks.end == start - 1 && n.is(EntityClass::Polity))
        {
            Some(n) => {
                if !out.contains(&n.key) {
                    out.push(n.key.clone());
                }
                start = n.toks.start;
            }
            None => break,
        }
    }
    out
}

/// Whether a name is a gloss of the place before it, by its modern name:
/// inside "(modern …)" ("Bela (modern Torvi, Zhejiang)", "(present-day
/// Torvi)") or after ", modern".
fn modern_gloss(toks: &[Tok<'_>], n: &RName) -> bool {
    let marker = |k: usize| {
        toks.get(k)
            .is_some_and(|t| lexicon::is_modern_marker(t.text))
    };
    let start = n.toks.start;
    if start >= 2 && marker(start - 1) && toks[start - 2].text == "," {
        return true;
    }
    for k in (0..start).rev() {
        match toks[k].text {
            "(" => return marker(k + 1),
            ")" => return false,
            _ => {}
        }
    }
    false
}

/// The number of tokens not inside a parenthesis: "Bela (modern Torvi,
/// Hebei) and besieged" is as near as "Bela and besieged".
fn outside_parens(toks: &[Tok<'_>]) -> usize {
    let mut depth = 0usize;
    let mut n = 0;
    for t in toks {
        match t.text {
            "(" => depth += 1,
            ")" => depth = depth.saturating_sub(1),
            _ if depth == 0 => n += 1,
            _ => {}
        }
    }
    n
}

fn ordinal_before(toks: &[Tok<'_>], i: usize) -> Option<u32> {
    toks[i.saturating_sub(3)..i].iter().rev().find_map(|t| {
        if t.is_cap() && lexicon::ordinal(t.text).is_none() {
            return None;
        }
        lexicon::ordinal(t.text).filter(|n| *n <= 10)
    })
}

fn irrealis_before(toks: &[Tok<'_>], i: usize) -> bool {
    let start = i.saturating_sub(5);
    // Stop at clause boundaries.
    let from = toks[start..i]
        .iter()
        .rposition(|t| t.text == ";" || t.text == ".")
        .map_or(start, |p| start + p + 1);
    // `Tok::is_any(IRREALIS)`, as one lookup: the words are ASCII lower case.
    toks[from..i]
        .iter()
        .any(|t| t.text.is_ascii() && t.with_lower(|w| IRREALIS_SET.contains(w)))
}

static IRREALIS_SET: LazyLock<FxHashSet<&'static str>> =
    LazyLock::new(|| IRREALIS.iter().copied().collect());

/// "The X was a battle", "The X were a series of conflicts": the class of the
/// definition. `keys` are the subject's names, normalized ([`norm_key`]).
fn definition_class(toks: &[Tok<'_>], keys: &[String]) -> Option<EventClass> {
    let toks = &toks[..toks.len().min(40)];
    // Most sentences are told apart by their first word: the normalized
    // text below starts with the first word's key `f`, so a key it starts
    // with is a prefix of `f` or has `f` as a prefix.
    let f = norm_key(&toks.first()?.lower());
    let compatible = |f: &str| {
        keys.iter()
            .any(|k| k.starts_with(f) || f.starts_with(k.as_str()))
    };
    let may_start = if f == "the" {
        // "The X was …": the text goes on with the second word's key `f2`,
        // after "the " (a key may start with "the" itself).
        let f2 = toks
            .get(1)
            .map(|t| norm_key(&t.lower()))
            .unwrap_or_default();
        f2.is_empty()
            || keys
                .iter()
                .any(|k| k.starts_with("the") || "the ".starts_with(k.as_str()))
            || compatible(&f2)
    } else {
        f.is_empty() || f.starts_with("the ") || f == "a" || f.starts_with("a ") || compatible(&f)
    };
    if !may_start {
        return None;
    }
    // Only the start of the normalized words is compared, and normalizing
    // the first words gives the start of normalizing them all (`norm_key`
    // only appends): normalize the words a comparison can reach.
    let reach = keys.iter().map(String::len).max().unwrap_or(0) + "a series of ".len();
    let join = |toks: &[Tok<'_>]| {
        let mut joined = String::new();
        for (k, t) in toks.iter().enumerate() {
            if joined.len() > 2 * reach {
                return (joined, k);
            }
            if k > 0 {
                joined.push(' ');
            }
            joined.push_str(&t.lower());
        }
        (joined, toks.len())
    };
    let (joined, used) = join(toks);
    let mut j = norm_key(&joined);
    if j.len() < reach && used < toks.len() {
        let all: Vec<Cow<'_, str>> = toks.iter().map(|t| t.lower()).collect();
        j = norm_key(&all.join(" "));
    }
    let after = |prefix: &str, k: &str| j.strip_prefix(prefix).is_some_and(|r| r.starts_with(k));
    let word_is = |k: usize, w: &str| toks.get(k).is_some_and(|t| t.lower() == w);
    let starts = keys
        .iter()
        .any(|k| j.starts_with(k.as_str()) || after("the ", k) || after("a series of ", k))
        || word_is(0, "a") && word_is(1, "series");
    if !starts {
        return None;
    }
    let text: Vec<Cow<'_, str>> = toks.iter().map(|t| t.lower()).collect();
    let verb = text
        .iter()
        .position(|w| w == "was" || w == "were" || w == "is" || w == "are" || w == "began");
    let from = verb.unwrap_or(0);
    for w in &text[from..] {
        match w.as_ref() {
            "conflicts" | "wars" | "war" | "conflict" | "series" | "campaigns" => {
                return Some(EventClass::Conflict);
            }
            "campaign" | "invasion" | "offensive" => return Some(EventClass::Campaign),
            "battle" | "engagement" => return Some(EventClass::Battle),
            "siege" | "blockade" => return Some(EventClass::Siege),
            "treaty" | "agreement" | "peace" => return Some(EventClass::Treaty),
            _ => {}
        }
    }
    None
}

/// The class an event's name implies ("Battle of X", "X Wars", "X campaign").
fn class_from_name(n: &str) -> Option<EventClass> {
    let w = n.split_whitespace().collect::<Vec<_>>();
    let last = w.last().map(|x| x.to_lowercase()).unwrap_or_default();
    let first = w.first().map(|x| x.to_lowercase()).unwrap_or_default();
    let class = match (first.as_str(), last.as_str()) {
        ("battle", _) => Some(EventClass::Battle),
        ("siege" | "fall" | "sack" | "capture", _)
            if w.get(1).is_some_and(|x| x.eq_ignore_ascii_case("of")) =>
        {
            Some(EventClass::Siege)
        }
        ("treaty" | "peace", _) => Some(EventClass::Treaty),
        (_, "wars" | "war" | "campaigns" | "conflicts" | "invasions" | "conquest") => {
            Some(EventClass::Conflict)
        }
        (_, "campaign" | "invasion" | "offensive") => Some(EventClass::Campaign),
        _ => None,
    };
    // "Jurchen campaigns against the Song Dynasty"
    class.or_else(|| {
        w.iter()
            .any(|x| x.eq_ignore_ascii_case("campaigns") || x.eq_ignore_ascii_case("wars"))
            .then_some(EventClass::Conflict)
    })
}

fn strip_the(s: &str) -> String {
    let s = s.trim();
    s.strip_prefix("The ").unwrap_or(s).to_owned()
}

/// A count with a unit at token `k`: "100,000 infantry", "50 million taels", "one million strings".
fn count_at(toks: &[Tok<'_>], k: usize) -> Option<(u64, String, usize)> {
    let t = toks.get(k)?;
    let mut value = if let Some(n) = t.number() {
        n
    } else if t.kind == TokenKind::Word && !t.is_cap() {
        let v = lexicon::number_word(t.text)?;
        if t.is_any(&["a", "an", "few", "several", "single"]) {
            return None;
        }
        v
    } else {
        return None;
    };
    let mut j = k + 1;
    if let Some(s) = toks.get(j).and_then(|x| lexicon::scale_word(x.text)) {
        value = value.checked_mul(s)?;
        j += 1;
    }
    // Skip one adjective or polity name: "18,000 Song soldiers", "7000 incendiary arrows".
    for unit_at in j..j + 2 {
        let u = toks.get(unit_at)?;
        let w = u.lower();
        let w: &str = &w;
        if lexicon::STRENGTH_UNITS.contains(&w)
            || lexicon::CASUALTY_UNITS.contains(&w)
            || lexicon::MONEY_UNITS.contains(&w)
        {
            return Some((value, w.to_owned(), unit_at + 1));
        }
        if u.kind != TokenKind::Word {
            return None;
        }
    }
    None
}

/// Every count with a unit in a sentence (the quantity recognizer on its
/// own): value, unit and the token range it covers.
pub fn quantities(toks: &[Tok<'_>]) -> Vec<(u64, String, Range<usize>)> {
    (0..toks.len())
        .filter_map(|k| count_at(toks, k).map(|(v, u, next)| (v, u, k..next)))
        .collect()
}

/// Payments in a sentence: "250,000 taels of silver", "one million strings of copper coins".
fn money(toks: &[Tok<'_>]) -> Vec<Indemnity> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < toks.len() {
        if let Some((value, unit, next)) = count_at(toks, k) {
            if lexicon::MONEY_UNITS.contains(&unit.as_str()) && value > 0 {
                let mut commodity = None;
                let mut end = next;
                if toks.get(next).is_some_and(|t| t.is("of")) {
                    let mut j = next + 1;
                    let mut words = Vec::new();
                    while let Some(t) = toks.get(j) {
                        if t.kind != TokenKind::Word
                            || t.is_any(&[
                                "and", "to", "from", "as", "for", "the", "in", "each", "every",
                                "per", "annually",
                            ])
                        {
                            break;
                        }
                        words.push(t.text);
                        j += 1;
                        if words.len() == 2 {
                            break;
                        }
                    }
                    if !words.is_empty() {
                        commodity = Some(words.join(" "));
                        end = j;
                    }
                }
                out.push(Indemnity {
                    amount: value,
                    unit: unit.clone(),
                    commodity,
                    period: None,
                    span: toks[k].start..toks[end - 1].end,
                });
                k = end;
                continue;
            }
            k = next;
            continue;
        }
        k += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::{SourceMeta, parse_text};

    #[test]
    fn event_names_give_the_events_of_a_name_first_told_first() {
        let event = |name: Option<&str>, aliases: &[&str]| {
            let mut e = Event::new(EventClass::Battle);
            e.name = name.map(str::to_owned);
            e.aliases = aliases.iter().map(|a| a.to_string()).collect();
            e
        };
        let mut events = vec![
            event(Some("Battle of Tangdao"), &[]),
            event(None, &["the Tangdao fight"]),
            event(Some("Battle of Caishi"), &["Caishi battle"]),
        ];
        let mut names = EventNames::of(&events);
        // Case, dashes and spacing do not matter: the keys are norm keys.
        assert_eq!(names.named(&norm_key("battle  of TANGDAO")), [0]);
        assert_eq!(names.known(&norm_key("Battle of Tangdao")), [0]);
        assert!(names.named(&norm_key("the Tangdao fight")).is_empty());
        assert_eq!(names.known(&norm_key("the Tangdao-fight")), [1]);
        assert_eq!(names.known(&norm_key("Caishi battle")), [2]);
        // An event named or aliased later takes its place by its index.
        events.push(event(Some("Battle of Tangdao"), &[]));
        names.index(3, &events[3]);
        events[1].name = Some("Battle of Tangdao".into());
        names.name(1, "Battle of Tangdao");
        events[2].aliases.insert("Battle of Tangdao".into());
        names.alias(2, "Battle of Tangdao");
        assert_eq!(names.named(&norm_key("Battle of Tangdao")), [0, 1, 3]);
        assert_eq!(names.known(&norm_key("Battle of Tangdao")), [0, 1, 2, 3]);
        // Indexing again changes nothing, and the index is the one made whole.
        names.index(2, &events[2]);
        assert_eq!(names, EventNames::of(&events));
        assert!(names.known("battle of yancheng").is_empty());
    }

    #[test]
    fn a_lone_name_is_the_person_mentioned_last_with_it() {
        // Against the list it replaces: every person in the order of their
        // last mention, searched from the end.
        fn by_list(list: &[&str], w: &str) -> Option<String> {
            list.iter()
                .rev()
                .find(|p| {
                    let words: Vec<&str> = p.split(' ').filter(|x| !x.starts_with('(')).collect();
                    let last = !words.contains(&"of") && words[words.len() - 1] == w;
                    words.len() >= 2 && (words[0] == w || last)
                })
                .map(|p| p.to_string())
        }
        let pool = [
            "Yue Fei",
            "Han Shizhong",
            "Yue Yun",
            "Zhang (general) Jun",
            "Wuzhu",
            "Li Li",
            "Fei Yue",
            "Han",
            "Prince of Hailing",
            "John of Austria",
        ];
        let words = [
            "Yue",
            "Fei",
            "Han",
            "Shizhong",
            "Jun",
            "(general)",
            "Wuzhu",
            "Li",
            "Zhang",
            "Prince",
            "Hailing",
            "John",
            "Austria",
        ];
        let mut persons = Persons::default();
        let mut list: Vec<&str> = Vec::new();
        let mut x = 7u32;
        for _ in 0..200 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let p = pool[(x >> 16) as usize % pool.len()];
            persons.mentioned(p);
            list.retain(|q| *q != p);
            list.push(p);
            for w in words {
                assert_eq!(
                    persons.last_named(w).map(str::to_owned),
                    by_list(&list, w),
                    "{w}"
                );
            }
        }
        assert_eq!(persons.last_named("Wuzhu"), None);
        // The place a person is of is not the person named alone.
        assert_eq!(persons.last_named("Hailing"), None);
        assert_eq!(persons.last_named("Austria"), None);
        assert_eq!(persons.last_named("John"), Some("John of Austria"));
    }

    #[test]
    fn irrealis_before_says_what_is_any_says() {
        // The set lookup stands for `is_any(IRREALIS)`: it needs the words
        // in ASCII lower case, and must answer as the list does in any case.
        assert!(
            IRREALIS
                .iter()
                .all(|w| w.is_ascii() && w.to_ascii_lowercase() == *w)
        );
        // No clause boundary in it: the five words before each token count.
        let text = "Could WOULD never Ne  ver NOT notably no, Rather if-then fight";
        let toks = crate::extract::text::toks_of(text);
        for i in 0..toks.len() {
            let by_list = toks[i.saturating_sub(5)..i]
                .iter()
                .any(|t| t.is_any(IRREALIS));
            assert_eq!(irrealis_before(&toks, i), by_list, "{i}");
        }
        assert!(irrealis_before(&toks, 2));
        assert!(!irrealis_before(&toks, 0));
    }

    fn events(text: &str) -> Vec<Event> {
        let meta = SourceMeta::for_file(std::path::Path::new("t.txt"));
        let doc = parse_text(meta, text.to_owned(), String::new());
        crate::extract::extract_all(&[doc])
            .into_iter()
            .flat_map(|x| x.events)
            .collect()
    }

    fn parties(text: &str) -> Vec<Vec<String>> {
        events(text)
            .into_iter()
            .filter(|e| e.class == EventClass::Treaty)
            .map(|e| e.parties.into_iter().collect())
            .collect()
    }

    #[test]
    fn treaty_parties_are_the_subject_and_who_it_was_made_with() {
        let text = "The Liang dynasty fought the Chen dynasty for decades. \
                    Before they could invade the Chen dynasty, the Liang dynasty \
                    reached a peace agreement with the Wei dynasty in 1124.";
        assert_eq!(parties(text), vec![vec!["Liang dynasty", "Wei dynasty"]]);
    }

    #[test]
    fn a_commander_of_a_polity_army_brings_its_strength_to_that_side() {
        let text = "The Liang dynasty fought the Chen dynasty for decades. \
                    Meanwhile, Gaoming commanded the main Liang army. \
                    On July 8, 1140, at the Battle of Fenshui, Gaoming launched a surprise \
                    attack on Chen forces with an army of 100,000 infantry and 15,000 horsemen.";
        let battle = events(text)
            .into_iter()
            .find(|e| e.class == EventClass::Battle)
            .expect("the battle");
        let side = battle
            .sides
            .iter()
            .find(|s| s.polity.as_deref() == Some("Liang dynasty"))
            .expect("the Liang side");
        assert_eq!(side.strength, Some(115_000));
    }

    #[test]
    fn an_end_and_a_duration_give_the_start_year() {
        let text = "The Liang dynasty fought the Chen dynasty for decades. \
                    In February 1233, the Liang dynasty took Fenshui after a siege of \
                    more than 10 months.";
        let siege = events(text)
            .into_iter()
            .find(|e| e.class == EventClass::Siege)
            .expect("the siege");
        assert_eq!(siege.end.map(|d| d.to_string()).as_deref(), Some("1233-02"));
        assert_eq!(siege.start.map(|d| d.to_string()).as_deref(), Some("1232"));
        assert_eq!(days_before_month(1300, 3), 60, "a Julian leap year");
        assert_eq!(days_before_month(1700, 3), 59, "not a Gregorian one");
    }

    #[test]
    fn two_events_of_one_name_or_place_keep_their_own_dates() {
        let starts = |text: &str, class: EventClass| -> Vec<(Option<String>, Option<String>)> {
            let mut v: Vec<_> = events(text)
                .into_iter()
                .filter(|e| e.class == class)
                .map(|e| (e.name, e.start.map(|d| d.to_string())))
                .collect();
            v.sort();
            v
        };
        // A siege of the place a battle was fought at, a year later.
        let text = "The Liang dynasty fought the Chen dynasty for decades.\n\n\
                    The Battle of Fenshui was fought on January 24, 1335 between the \
                    Liang dynasty and the Chen dynasty. The battle ended with a victory \
                    for the Liang dynasty.\n\n\
                    The Siege of Fenshui began on May 19, 1336, when Gao Ren laid siege \
                    to Fenshui with 25,000 soldiers.";
        assert_eq!(
            starts(text, EventClass::Battle),
            [(Some("Battle of Fenshui".into()), Some("1335-01-24".into()))]
        );
        assert_eq!(
            starts(text, EventClass::Siege),
            [(Some("Siege of Fenshui".into()), Some("1336-05-19".into()))]
        );
        // Two battles of one name, sixty years apart.
        let text = "The Liang dynasty fought the Chen dynasty for decades.\n\n\
                    The Battle of Fenshui, fought on 16 June 1483 near Lüyang, ended \
                    with a victory for the Liang dynasty.\n\n\
                    The Chen dynasty defeated the Liang dynasty at the Battle of \
                    Fenshui (1546).";
        let battles = starts(text, EventClass::Battle);
        assert_eq!(battles.len(), 2, "{battles:?}");
        let years: Vec<_> = battles.iter().map(|(_, s)| s.as_deref()).collect();
        assert_eq!(years, [Some("1483-06-16"), Some("1546")]);
    }

    #[test]
    fn a_negotiator_for_one_side_is_not_the_other_side() {
        // "X for A and Y for B": Y is coordinated with X, not with A.
        let text = "The Liang dynasty fought the Republic of Chen for decades. The \
                    Treaty of Bela was signed in 866. The treaty was negotiated by \
                    General Gao Ren for the Republic of Chen and Wu Ting for the \
                    Liangs. The Liang dynasty ceded two prefectures.";
        let meta = SourceMeta::for_file(std::path::Path::new("t.txt"));
        let doc = parse_text(meta, text.to_owned(), String::new());
        let x = crate::extract::extract_all(&[doc]);
        let class = |key: &str| {
            x.iter()
                .flat_map(|x| x.entities())
                .find(|e| e.key == key)
                .map(|e| e.class)
        };
        assert_eq!(class("Republic of Chen"), Some(EntityClass::Polity));
        assert_ne!(class("Wu Ting"), Some(EntityClass::Polity));
    }

    #[test]
    fn a_siege_told_without_its_ordinal_is_the_ordinal_one() {
        let sieges = |text: &str| -> Vec<(Option<String>, Option<u32>, Option<String>)> {
            let mut v: Vec<_> = events(text)
                .into_iter()
                .filter(|e| e.class == EventClass::Siege)
                .map(|e| (e.name, e.ordinal, e.start.map(|d| d.to_string())))
                .collect();
            v.sort();
            v
        };
        // The lead tells the third siege without its ordinal; its section
        // names it. One siege, the third; a siege of Bela in another year,
        // or in another month of that year, stays another.
        let text = "The Liang dynasty fought the Chen dynasty for decades. Wu Ting \
                    laid siege to Bela in April 866. The Liang dynasty took Bela in \
                    early May 866 after a siege of 54 days. Gao Ren had besieged Bela \
                    in June 861.\n\n\
                    Third siege of Bela\n\n\
                    Wu Ting laid siege to Bela in April 866. The Liang dynasty took \
                    Bela in early May 866 after a siege of 54 days.";
        assert_eq!(
            sieges(text),
            [
                (None, None, Some("0861-06".into())),
                (
                    Some("Third siege of Bela".into()),
                    Some(3),
                    Some("0866-04".into())
                ),
            ]
        );
        let text = "The Liang dynasty fought the Chen dynasty for decades. Gao Ren \
                    besieged Bela in April 866.\n\n\
                    Third siege of Bela\n\n\
                    Wu Ting laid siege to Bela in November 866. The Liang dynasty \
                    took Bela in December 866 after a siege of 30 days.";
        assert_eq!(
            sieges(text),
            [
                (None, None, Some("0866-04".into())),
                (
                    Some("Third siege of Bela".into()),
                    Some(3),
                    Some("0866-11".into())
                ),
            ]
        );
    }

    #[test]
    fn a_treaty_article_s_definition_is_its_treaty() {
        // "X was a peace treaty signed … between A and B" defines the
        // article's treaty; it is not another treaty between A and B.
        let treaties = |text: &str| -> Vec<Option<String>> {
            let mut v: Vec<_> = events(text)
                .into_iter()
                .filter(|e| e.class == EventClass::Treaty)
                .map(|e| e.name)
                .collect();
            v.sort();
            v
        };
        let text = "The Treaty of Bela was a peace treaty signed on 28 February 864 \
                    between the Liang dynasty and the Chen dynasty. It ended the \
                    Liang\u{2013}Chen War.\n\n\
                    Background\n\n\
                    The Liang dynasty fought the Chen dynasty for decades. The Liang \
                    dynasty ceded two prefectures to the Chen.";
        assert_eq!(treaties(text), [Some("Treaty of Bela".to_owned())]);
        // Another treaty the definition names is another.
        let text = "The Treaty of Bela was a peace treaty signed on 28 February 864 \
                    between the Liang dynasty and the Chen dynasty that confirmed the \
                    Treaty of Torvi. It ended the Liang\u{2013}Chen War.\n\n\
                    Background\n\n\
                    The Liang dynasty fought the Chen dynasty for decades. The Liang \
                    dynasty ceded two prefectures to the Chen.";
        assert_eq!(
            treaties(text),
            [
                Some("Treaty of Bela".to_owned()),
                Some("Treaty of Torvi".to_owned())
            ]
        );
    }

    #[test]
    fn a_siege_article_s_lead_tells_of_its_siege() {
        // The article's subject, defined in its first sentence and dated in
        // the next: the lead's siege at its city in its year is the subject,
        // and the city's fall in the month it ended tells of it again.
        let text = "The Siege of Bela was a siege of Bela during the Liang\u{2013}Chen \
                    War. It began on 5 July 864 and ended on 6 August 864. In July \
                    864, the Liang army under Gao Ren reached Bela and besieged it. \
                    Bela fell in August 864, after 29 days of siege.\n\n\
                    Later sieges\n\n\
                    Bela was besieged on 3 November 864. The Chen army under Wu Ting \
                    held out until the spring.\n\n\
                    In May 866, the Liang army under Wu Ting besieged Bela. The \
                    siege was lifted in June 866.";
        let sieges: Vec<Event> = events(text)
            .into_iter()
            .filter(|e| e.class == EventClass::Siege)
            .collect();
        let dated: Vec<(Option<String>, Option<String>, usize)> = sieges
            .iter()
            .map(|e| {
                (
                    e.start.map(|d| d.to_string()),
                    e.end.map(|d| d.to_string()),
                    e.evidence.len(),
                )
            })
            .collect();
        assert_eq!(
            dated,
            [
                (Some("0864-07-05".into()), Some("0864-08-06".into()), 4),
                (Some("0864-11-03".into()), None, 1),
                (Some("0866-05".into()), None, 1),
            ],
            "{sieges:#?}"
        );
        assert_eq!(sieges[0].name.as_deref(), Some("Siege of Bela"));
        assert!(sieges[0].duration.is_some());
        // The same for an article on the third siege of a city: its lead
        // tells it without the ordinal.
        let text = "The Third Siege of Bela was a siege of Bela during the \
                    Liang\u{2013}Chen War. It began on 5 July 864 and ended on 6 \
                    August 864. In July 864, the Liang army under Gao Ren reached \
                    Bela and besieged it.\n\n\
                    Background\n\n\
                    The Liang dynasty fought the Chen dynasty for decades. In 850, \
                    the Chen army under Wu Ting besieged Bela.";
        let mut sieges: Vec<(Option<String>, Option<String>)> = events(text)
            .into_iter()
            .filter(|e| e.class == EventClass::Siege)
            .map(|e| (e.name, e.start.map(|d| d.to_string())))
            .collect();
        sieges.sort();
        assert_eq!(
            sieges,
            [
                (None, Some("0850".into())),
                (
                    Some("Third Siege of Bela".into()),
                    Some("0864-07-05".into())
                ),
            ]
        );
        // An article that dates nothing: a siege it tells is not its own
        // unless the time says so.
        let text = "The Siege of Bela was a siege of Bela during the Liang\u{2013}Chen \
                    War.\n\n\
                    Background\n\n\
                    In 850, the Chen army under Wu Ting besieged Bela. The siege \
                    was lifted in the spring.";
        let sieges = events(text)
            .into_iter()
            .filter(|e| e.class == EventClass::Siege)
            .count();
        assert_eq!(sieges, 2);
    }

    #[test]
    fn a_city_s_modern_name_is_not_where_it_was_besieged() {
        let places = |text: &str| -> Vec<Option<String>> {
            events(text)
                .into_iter()
                .filter(|e| e.class == EventClass::Siege)
                .map(|e| e.place)
                .collect()
        };
        // "besieged it": the city the army reached, not its gloss.
        let text = "The Liang dynasty fought the Chen dynasty for decades.\n\n\
                    In July 864, the Liang army under Gao Ren reached Bela (modern \
                    Torvi) and besieged it.";
        assert_eq!(places(text), [Some("Bela".to_owned())]);
        let text = "The Liang dynasty fought the Chen dynasty for decades.\n\n\
                    In July 864, Gao Ren marched on Bela (present-day Torvi). The \
                    city was besieged for two months.";
        assert_eq!(places(text), [Some("Bela".to_owned())]);
        let text = "The Liang dynasty fought the Chen dynasty for decades.\n\n\
                    In July 864, Gao Ren marched on Bela (modern Torvi), and the \
                    city was besieged.";
        assert_eq!(places(text), [Some("Bela".to_owned())]);
        let text = "The Liang dynasty fought the Chen dynasty for decades.\n\n\
                    In July 864, the Liang army under Gao Ren reached Bela (modern \
                    Torvi, Hebei) and besieged it.";
        assert_eq!(places(text), [Some("Bela".to_owned())]);
        // A place named by its modern name alone is where it was.
        let text = "The Liang dynasty fought the Chen dynasty for decades.\n\n\
                    In July 864, the Liang army under Gao Ren reached modern Torvi and \
                    besieged it.";
        assert_eq!(places(text), [Some("Torvi".to_owned())]);
    }

    #[test]
    fn two_sieges_of_one_city_in_one_year_are_two() {
        let sieges = |text: &str| -> Vec<(Option<String>, Option<String>, Option<String>)> {
            let mut v: Vec<_> = events(text)
                .into_iter()
                .filter(|e| e.class == EventClass::Siege)
                .map(|e| {
                    (
                        e.name,
                        e.start.map(|d| d.to_string()),
                        e.end.map(|d| d.to_string()),
                    )
                })
                .collect();
            v.sort();
            v
        };
        // Lifted in February, begun again in November: a siege that has
        // ended does not begin again. The second one ends when "held out
        // until" says, in the next sentence.
        let text = "The Liang dynasty fought the Chen dynasty for decades.\n\n\
                    In 860, Gao Ren laid siege to Bela with 19,000 soldiers. \
                    Overwhelmed, Bela fell in February 860, after 33 days of siege.\n\n\
                    Bela was besieged on November 7, 860. The defenders under Wu Ting \
                    held out until March 7, 861, when Bela was captured.";
        assert_eq!(
            sieges(text),
            [
                (None, Some("0860".into()), Some("0860-02".into())),
                (None, Some("0860-11-07".into()), Some("0861-03-07".into())),
            ]
        );
        // The siege a section tells of is the one its city's capture ends,
        // not a later siege of the city told before.
        let text = "The Liang dynasty fought the Chen dynasty for decades. The Third \
                    siege of Bela (871) ended the war.\n\n\
                    Second siege of Bela\n\n\
                    Bela was besieged on 14 November 869. The defenders under Wu Ting \
                    held out until 11 December 869, when Bela was captured.\n\n\
                    Third siege of Bela\n\n\
                    A relief army under Gao Ren arrived in October 871, and the siege \
                    was lifted.";
        let second = sieges(text)
            .into_iter()
            .find(|s| s.0.as_deref() == Some("Second siege of Bela"));
        assert_eq!(
            second,
            Some((
                Some("Second siege of Bela".into()),
                Some("0869-11-14".into()),
                Some("0869-12-11".into())
            ))
        );
        let third = sieges(text)
            .into_iter()
            .find(|s| s.0.as_deref() == Some("Third siege of Bela"));
        assert!(third.is_some());
        assert_ne!(third.and_then(|s| s.2), Some("0869-12-11".into()));
        // Both sieges in one section: the capture after the first one's end
        // ends the second.
        let text = "The Liang dynasty fought the Chen dynasty for decades.\n\n\
                    Sieges of Bela\n\n\
                    In 860, Gao Ren laid siege to Bela with 19,000 soldiers. \
                    Overwhelmed, Bela fell in February 860, after 33 days of siege. \
                    Bela was besieged on November 7, 860. The defenders under Wu Ting \
                    held out until March 7, 861, when Bela was captured.";
        assert_eq!(
            sieges(text)
                .into_iter()
                .map(|s| (s.1, s.2))
                .collect::<Vec<_>>(),
            [
                (Some("0860".into()), Some("0860-02".into())),
                (Some("0860-11-07".into()), Some("0861-03-07".into())),
            ]
        );
        // A siege told again after its end, not begun again, is the same.
        let text = "The Liang dynasty fought the Chen dynasty for decades.\n\n\
                    In 860, Gao Ren laid siege to Bela with 19,000 soldiers. \
                    Overwhelmed, Bela fell in February 860, after 33 days of siege. \
                    In April 860, the siege of Bela was remembered in a poem.";
        assert_eq!(sieges(text).len(), 1, "{:?}", sieges(text));
    }

    #[test]
    fn an_ordinal_names_another_event_of_the_same_place() {
        let battles = |text: &str| -> Vec<(String, Option<String>, Option<String>)> {
            let mut v: Vec<_> = events(text)
                .into_iter()
                .filter(|e| e.class.family() == 1)
                .map(|e| {
                    (
                        e.name.unwrap_or_default(),
                        e.start.map(|d| d.to_string()),
                        e.end.map(|d| d.to_string()),
                    )
                })
                .collect();
            v.sort();
            v
        };
        // Two battles of one place, the second named with its ordinal; a
        // verb in the sentence naming it tells of it, not of a battle near Bela.
        let text = "The Liang dynasty fought the Chen dynasty for decades.\n\n\
                    The Battle of Fenshui was fought in 1490 between the Liang dynasty \
                    and the Chen dynasty.\n\n\
                    The Second Battle of Fenshui, fought on April 14, 1498 near Bela, \
                    ended with a victory for the Liang dynasty.\n\n\
                    The Siege of Bela began on December 22, 1498, when Gao Ren laid \
                    siege to Bela with 25,000 soldiers. Bela fell in February 1499, \
                    after 35 days of siege.";
        assert_eq!(
            battles(text),
            [
                ("Battle of Fenshui".into(), Some("1490".into()), None),
                (
                    "Second Battle of Fenshui".into(),
                    Some("1498-04-14".into()),
                    Some("1498-04-14".into())
                ),
                (
                    "Siege of Bela".into(),
                    Some("1498-12-22".into()),
                    Some("1499-02".into())
                ),
            ]
        );
        // What a named battle was ("a naval battle … near Y") is not a
        // battle at Y.
        let text = "The Liang dynasty fought the Chen dynasty for decades.\n\n\
                    The Third Battle of Fenshui (959) was fought between the Liang \
                    dynasty and the Chen dynasty.\n\n\
                    The Second Battle of Fenshui was a naval battle fought on 13 August \
                    956 near Khaartai.";
        assert_eq!(
            battles(text),
            [
                (
                    "Second Battle of Fenshui".into(),
                    Some("0956-08-13".into()),
                    Some("0956-08-13".into())
                ),
                ("Third Battle of Fenshui".into(), Some("0959".into()), None),
            ]
        );
        // "laid siege" in the sentence that tells the second siege is the
        // second siege, not the first one of the place.
        let text = "The Liang dynasty fought the Chen dynasty for decades.\n\n\
                    In 598, Gao Ren laid siege to Bela with 89,000 soldiers. The Liang \
                    dynasty took Bela in May 599 after a siege of 27 days. The Second \
                    siege of Bela began on November 10, 599, when General Gao Wei laid \
                    siege to Bela with 78,000 soldiers.";
        let sieges: Vec<_> = battles(text)
            .into_iter()
            .map(|(_, start, end)| (start, end))
            .collect();
        assert_eq!(
            sieges,
            [
                (Some("0598".into()), Some("0599-05".into())),
                (Some("0599-11-10".into()), None),
            ]
        );
    }

    #[test]
    fn a_ruler_s_one_name_is_not_a_person_named_before() {
        let text = "The Liang dynasty fought the Chen dynasty for decades.\n\n\
                    In the fall of 1510, General Gao Wei (1463–1523) crossed the river \
                    and met the Chen army near Fenshui.\n\n\
                    Emperor Gao (r. 1301–1336) of the Liang dynasty came to the throne \
                    at the age of 29.";
        let meta = SourceMeta::for_file(std::path::Path::new("t.txt"));
        let doc = parse_text(meta, text.to_owned(), String::new());
        let x = crate::extract::extract_all(&[doc]);
        let mut persons: Vec<&str> = x[0]
            .entities()
            .iter()
            .filter(|e| e.class == EntityClass::Person)
            .map(|e| e.key.as_str())
            .collect();
        persons.sort_unstable();
        assert_eq!(persons, ["Gao", "Gao Wei"]);
    }

    #[test]
    fn a_campaign_starts_the_day_its_commander_sets_out() {
        let text = "The Liang dynasty fought the Chen dynasty for decades. \
                    Emperor Gaoming of Liang began the invasion in 1161 without declaring war. \
                    Liang armies led by Gaoming left Fenshui on October 15, and marched south.";
        let campaign = events(text)
            .into_iter()
            .find(|e| e.class == EventClass::Campaign)
            .expect("the campaign");
        assert_eq!(
            campaign.start.map(|d| d.to_string()).as_deref(),
            Some("1161-10-15")
        );
    }

    fn belligerents(text: &str, name: &str) -> Vec<String> {
        let e = events(text)
            .into_iter()
            .find(|e| e.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no event {name}"));
        e.belligerents.into_iter().collect()
    }

    #[test]
    fn both_sides_after_between_are_belligerents_whatever_follows_them() {
        // "the Duchy of Wei (1050–1200)": a side followed by its years, not
        // by a verb or a force, is a side all the same.
        let text = "The Liang–Wei War (1101–1105) was fought between the Liang dynasty \
                    and the Duchy of Wei (1050–1200).";
        let b = belligerents(text, "Liang–Wei War");
        assert_eq!(b.len(), 2, "{b:?}");
        assert!(b.iter().any(|p| p.contains("Wei")), "{b:?}");
        assert!(b.contains(&"Liang dynasty".to_owned()), "{b:?}");
    }

    #[test]
    fn a_sultanate_of_a_place_is_one_name() {
        let text = "The Liang–Rammah War (1101–1105) was fought between the Liang dynasty \
                    and the Sultanate of Rammah. The Sultanate of Rammah launched a \
                    campaign against the Liang dynasty in 1102.";
        let b = belligerents(text, "Liang–Rammah War");
        assert!(!b.contains(&"Sultanate".to_owned()), "{b:?}");
        assert_eq!(b.len(), 2, "{b:?}");
    }

    #[test]
    fn the_two_sides_are_those_of_the_war_told_last() {
        // The article's subject is a war of Liang and Chen; the treaty ends
        // another war, of Liang and Wei, told just before it, and the
        // sentence before the treaty names only one of them.
        let text = "The Liang–Chen War (1080–1090) was fought between the Liang dynasty \
                    and the Chen dynasty. The Liang dynasty won the Battle of Huaiyin in 1085.\n\n\
                    The Liang–Wei War (1101–1105) was fought between the Liang dynasty and \
                    the Wei dynasty (1050–1200). The Wei dynasty besieged Shouzhou in 1104. \
                    In 1105 the two sides concluded the Treaty of Shouzhou, which set the \
                    border along the Huai River.";
        assert_eq!(parties(text), vec![vec!["Liang dynasty", "Wei dynasty"]]);
        // A people's name beside its state is the same side: the battle's
        // belligerents are the Liang Sultanate, the Liangs and Wei, two sides.
        let text = "The Battle of Shouzhou was fought on 9 January 1104 between the Liang \
                    Sultanate (1026–1191) and the Principality of Wei (1003–1146). In mid \
                    January 1104, Liang and Wei forces met at Shouzhou, near Kirug; the \
                    engagement is known as the Battle of Shouzhou. The Liangs lost about \
                    14,000 men. The Treaty of Kirug in 1105 settled the boundary between \
                    the two states along the Huai River.";
        assert_eq!(belligerents(text, "Battle of Shouzhou").len(), 3);
        assert_eq!(parties(text), vec![vec!["Liang Sultanate", "Wei"]]);
    }

    #[test]
    fn the_two_sides_of_a_treaty_already_told_are_its_parties() {
        let text = "In 1123 the Liang dynasty and the Chen dynasty concluded the Treaty of \
                    Huaiyin. In 1124 the Wei dynasty fought the Liang dynasty at the Battle of \
                    Shouzhou. This put tension between the two states, because the Treaty of \
                    Huaiyin had forbidden both sides from harboring defectors.";
        assert_eq!(parties(text), vec![vec!["Chen dynasty", "Liang dynasty"]]);
    }

    #[test]
    fn a_siege_begun_in_a_year_after_another_ended_is_another() {
        let sieges = |text: &str| {
            let mut starts: Vec<String> = events(text)
                .into_iter()
                .filter(|e| e.class == EventClass::Siege)
                .map(|e| e.start.map(|d| d.to_string()).unwrap_or_default())
                .collect();
            starts.sort();
            starts
        };
        // The first one's end told, to the month; the second's year only.
        let text = "Shouzhou was besieged on October 20, 1132. The Liangs took Shouzhou \
                    in December 1132 after a siege of two months. The Liang dynasty began \
                    a siege against Shouzhou in 1133, which fell after 26 days.";
        assert_eq!(sieges(text), ["1132-10-20", "1133"]);
        // No end told yet: its start and length say it was over by then.
        let text = "The Liangs besieged Shouzhou in early October 1132 and captured it \
                    after 60 days. The Liang dynasty began a siege against Shouzhou in \
                    1133, which fell after 26 days.";
        assert_eq!(sieges(text), ["1132-10", "1133"]);
    }

    #[test]
    fn the_war_a_siege_article_defines_its_siege_in_is_another_event() {
        let text = "Siege of Ruvel\n\nThe Siege of Ruvel (964) was a siege of Ruvel during \
                    the Torvi War. In 964, the Liang dynasty besieged Ruvel.\n";
        let ev = events(text);
        let subject = ev
            .iter()
            .find(|e| e.subject)
            .expect("the siege is the subject");
        assert_eq!(subject.class, EventClass::Siege);
        assert!(
            ev.iter()
                .any(|e| e.class == EventClass::Conflict && e.name.as_deref() == Some("Torvi War")),
            "{:?}",
            ev.iter().map(|e| (&e.class, &e.name)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn treaty_parties_follow_between() {
        let text = "The Liang dynasty fought the Chen dynasty for decades. \
                    In 1142 the Wei dynasty watched as a treaty between the \
                    Liang dynasty and the Chen dynasty set the border at the Huai River.";
        assert_eq!(parties(text), vec![vec!["Chen dynasty", "Liang dynasty"]]);
    }
}
