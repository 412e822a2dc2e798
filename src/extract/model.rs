//! What extraction produces for one document: entity mentions with their
//! stated facts, and event frames with their arguments. Entities are named
//! by a resolution key (their fullest surface form in the corpus); the
//! resolve stage turns keys into one IRI per real thing.

use std::collections::BTreeSet;
use std::ops::Range;

use rustc_hash::FxHashMap;

use super::dates::{Date, Duration};

/// Classes of entities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityClass {
    Polity,
    Person,
    Place,
}

impl EntityClass {
    pub fn name(self) -> &'static str {
        match self {
            EntityClass::Polity => "Polity",
            EntityClass::Person => "Person",
            EntityClass::Place => "Place",
        }
    }
}

/// Classes of events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventClass {
    Conflict,
    Campaign,
    Battle,
    Siege,
    Treaty,
}

impl EventClass {
    pub fn name(self) -> &'static str {
        match self {
            EventClass::Conflict => "Conflict",
            EventClass::Campaign => "Campaign",
            EventClass::Battle => "Battle",
            EventClass::Siege => "Siege",
            EventClass::Treaty => "Treaty",
        }
    }

    /// Classes that can name the same event (a siege is a battle, a campaign a conflict).
    pub fn family(self) -> u8 {
        match self {
            EventClass::Conflict | EventClass::Campaign => 0,
            EventClass::Battle | EventClass::Siege => 1,
            EventClass::Treaty => 2,
        }
    }
}

/// One mention of an entity in the text.
#[derive(Debug, Clone)]
pub struct Mention {
    /// Resolution key of the entity mentioned.
    pub key: String,
    pub class: EntityClass,
    /// The words as written (normalized text).
    pub surface: String,
    /// Byte range in the document text.
    pub span: Range<usize>,
}

/// A year stated for an entity, with where it was stated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stated<T> {
    pub value: T,
    pub span: Range<usize>,
}

/// What a document states about an entity.
#[derive(Debug, Clone, Default)]
pub struct EntityFacts {
    pub aliases: BTreeSet<String>,
    pub birth: Option<Stated<i32>>,
    pub death: Option<Stated<i32>>,
    pub reign: Option<Stated<(i32, i32)>>,
    /// A polity's span of existence (a source may state two).
    pub lifespans: Vec<Stated<(i32, i32)>>,
    pub capitals: BTreeSet<String>,
    pub allegiance: BTreeSet<String>,
    pub puppet_of: BTreeSet<String>,
    pub roles: BTreeSet<String>,
    pub modern_names: BTreeSet<String>,
}

/// An entity as one document states it.
#[derive(Debug, Clone)]
pub struct Entity {
    pub key: String,
    pub class: EntityClass,
    pub facts: EntityFacts,
}

/// One side of an engagement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Side {
    pub polity: Option<String>,
    pub commanders: BTreeSet<String>,
    pub strength: Option<u64>,
    pub casualties: Option<u64>,
}

/// A payment stipulated by a treaty or agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indemnity {
    pub amount: u64,
    pub unit: String,
    pub commodity: Option<String>,
    /// `P1Y` for a yearly payment.
    pub period: Option<String>,
    pub span: Range<usize>,
}

/// How a start date was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum DateSource {
    #[default]
    None,
    /// The date of the discourse (the last stated date), in narrative text.
    Discourse,
    /// Stated in the same sentence as the event.
    Stated,
    /// Stated with a verb of beginning, or in a parenthesis after the name.
    Explicit,
}

/// An event as one document states it.
#[derive(Debug, Clone)]
pub struct Event {
    pub class: EventClass,
    /// The name the text gives it ("Battle of Caishi"), if any.
    pub name: Option<String>,
    /// Other names the text gives it.
    pub aliases: BTreeSet<String>,
    pub ordinal: Option<u32>,
    pub start: Option<Date>,
    pub start_source: DateSource,
    pub end: Option<Date>,
    /// Dates that cannot be typed ("13th century").
    pub date_text: Option<String>,
    pub end_text: Option<String>,
    pub duration: Option<Duration>,
    pub place: Option<String>,
    /// Polities that attacked, and that were attacked.
    pub attackers: BTreeSet<String>,
    pub targets: BTreeSet<String>,
    pub belligerents: BTreeSet<String>,
    pub commanders: BTreeSet<String>,
    pub sides: Vec<Side>,
    pub victor: Option<String>,
    pub result: Vec<String>,
    /// Index (in this document) of the event it is part of.
    pub part_of: Option<usize>,
    pub parties: BTreeSet<String>,
    pub boundary: BTreeSet<String>,
    pub indemnities: Vec<Indemnity>,
    /// Sentences that state it (byte ranges in the document text).
    pub evidence: Vec<Range<usize>>,
    /// Where its name is written.
    pub mentions: Vec<Range<usize>>,
    /// The document is about this event.
    pub subject: bool,
    /// Record fields (DBpedia-style page, infobox).
    pub record: Record,
    /// Section index whose heading names this event.
    pub section: Option<usize>,
    /// The noun that named it in running text or in its heading ("campaign", "expedition").
    pub noun: Option<String>,
}

/// The fields of a resource record that are not otherwise modelled.
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub comment: Option<String>,
    pub abstract_: Option<String>,
    pub caption: Vec<String>,
    pub types: Vec<String>,
    pub subjects: Vec<String>,
    pub conflict: Vec<String>,
    pub place_text: Vec<String>,
}

impl Event {
    pub fn new(class: EventClass) -> Self {
        Event {
            class,
            name: None,
            aliases: BTreeSet::new(),
            ordinal: None,
            start: None,
            start_source: DateSource::None,
            end: None,
            date_text: None,
            end_text: None,
            duration: None,
            place: None,
            attackers: BTreeSet::new(),
            targets: BTreeSet::new(),
            belligerents: BTreeSet::new(),
            commanders: BTreeSet::new(),
            sides: Vec::new(),
            victor: None,
            result: Vec::new(),
            part_of: None,
            parties: BTreeSet::new(),
            boundary: BTreeSet::new(),
            indemnities: Vec::new(),
            evidence: Vec::new(),
            mentions: Vec::new(),
            subject: false,
            record: Record::default(),
            section: None,
            noun: None,
        }
    }
}

/// Everything extracted from one document.
#[derive(Debug, Default)]
pub struct Extraction {
    pub source: String,
    pub mentions: Vec<Mention>,
    /// Added by [`Extraction::entity`] only, which indexes them by key.
    entities: Vec<Entity>,
    pub events: Vec<Event>,
    /// Where each key is in `entities`.
    placed: FxHashMap<String, usize>,
}

impl Extraction {
    /// Nothing extracted yet from the source `source`.
    pub fn new(source: String) -> Self {
        Extraction {
            source,
            ..Extraction::default()
        }
    }

    /// The entity with `key`, created with `class` if new. Its key is not
    /// to be changed through the reference: it is how it is found.
    pub fn entity(&mut self, key: &str, class: EntityClass) -> &mut Entity {
        let i = match self.placed.get(key) {
            Some(&i) => i,
            None => {
                self.entities.push(Entity {
                    key: key.to_owned(),
                    class,
                    facts: EntityFacts::default(),
                });
                self.placed.insert(key.to_owned(), self.entities.len() - 1);
                self.entities.len() - 1
            }
        };
        let e = &mut self.entities[i];
        debug_assert_eq!(e.key, key, "an entity's key was changed");
        e
    }

    /// The entities, in the order they were first named.
    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }

    /// The entity with `key`, if there is one.
    pub fn get(&self, key: &str) -> Option<&Entity> {
        self.placed.get(key).map(|&i| &self.entities[i])
    }

    pub fn class_of(&self, key: &str) -> Option<EntityClass> {
        self.get(key).map(|e| e.class)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entity_is_made_once_and_found_by_its_key() {
        let mut x = Extraction::default();
        x.entity("jin", EntityClass::Polity)
            .facts
            .aliases
            .insert("Jin".into());
        x.entity("kaifeng", EntityClass::Place);
        // The first class stays; the facts are the same entity's.
        assert_eq!(
            x.entity("jin", EntityClass::Place).class,
            EntityClass::Polity
        );
        assert!(
            x.entity("jin", EntityClass::Polity)
                .facts
                .aliases
                .contains("Jin")
        );
        x.entity("yangzhou", EntityClass::Place);
        assert_eq!(
            x.entity("kaifeng", EntityClass::Polity).class,
            EntityClass::Place
        );
        let keys: Vec<&str> = x.entities().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["jin", "kaifeng", "yangzhou"]);
        assert_eq!(x.get("kaifeng").map(|e| e.class), Some(EntityClass::Place));
        assert_eq!(x.class_of("jin"), Some(EntityClass::Polity));
        assert!(x.get("song").is_none() && x.class_of("song").is_none());
    }
}
