//! Reduce: one resource per real thing across documents.
//!
//! The map step ([`crate::build::map_document`], `jinsong extract`) states
//! each document on its own and mints resource IRIs from names, so the same
//! name in two documents is already the same IRI, without coordination. What
//! only the whole corpus can tell is decided here, from those quads and
//! nothing else (shards made on many machines reduce exactly as one build):
//!
//! - aliases: a resource that one document calls by a name another document
//!   uses as its label ("Wanyan Liang", also "the Prince of Hailing") is
//!   one resource, unless one is a person and the documents take the other
//!   name mostly for something else (a place, a polity);
//! - homonyms: one person's name with different life spans in different
//!   documents is several people (`Zhang_Jun_(1086–1154)`);
//! - events: the same name, the same siege at the same place in the same
//!   years, the treaty of the same year, the campaign of the same sides and
//!   years are one event; two events of one document never merge;
//! - labels: the one most documents use; every other name a document gives
//!   stays as its `skos:altLabel`.
//!
//! [`Summary`] is what a document's graph tells the reduce (built from its
//! quads by [`SummaryBuilder`]); [`Plan`] is the decision, which rewrites each
//! graph's quads ([`Plan::rewrite`]) and adds `graph/derived`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use indexmap::IndexSet;
use oxigraph::model::vocab::{rdf, rdfs};
use oxigraph::model::{GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};

use rustc_hash::{FxBuildHasher, FxHashMap};

use crate::extract::lexicon::before_polity_head;
use crate::extract::{EntityClass, EventClass, norm_key};
use crate::rdf::emit::{Base, DERIVED_GRAPH};
use crate::rdf::vocab::{dcterms, foaf, itsrdf, jso, skos};
use crate::resolve::{entity_key, resource_name, split_qualifier};

/// What a resource is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Entity(EntityClass),
    Event(EventClass),
}

impl Kind {
    const ALL: [Kind; 8] = [
        Kind::Entity(EntityClass::Polity),
        Kind::Entity(EntityClass::Person),
        Kind::Entity(EntityClass::Place),
        Kind::Event(EventClass::Conflict),
        Kind::Event(EventClass::Campaign),
        Kind::Event(EventClass::Battle),
        Kind::Event(EventClass::Siege),
        Kind::Event(EventClass::Treaty),
    ];

    /// The ontology's class of this kind.
    pub fn class(self) -> oxigraph::model::NamedNodeRef<'static> {
        match self {
            Kind::Entity(EntityClass::Polity) => jso::POLITY,
            Kind::Entity(EntityClass::Person) => jso::PERSON,
            Kind::Entity(EntityClass::Place) => jso::PLACE,
            Kind::Event(EventClass::Conflict) => jso::CONFLICT,
            Kind::Event(EventClass::Campaign) => jso::CAMPAIGN,
            Kind::Event(EventClass::Battle) => jso::BATTLE,
            Kind::Event(EventClass::Siege) => jso::SIEGE,
            Kind::Event(EventClass::Treaty) => jso::TREATY,
        }
    }

    fn of(class: &NamedNode) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.class() == class.as_ref())
    }
}

/// One resource as one document's graph states it. References are indexes
/// into the same graph's resources.
#[derive(Debug, Clone)]
pub struct Res {
    pub iri: NamedNode,
    pub kind: Kind,
    pub label: String,
    pub alt: Vec<String>,
    /// NIF phrases of the document that name it.
    pub mentions: u32,
    pub birth: Option<i32>,
    pub death: Option<i32>,
    /// Years of the first start and end dates stated.
    pub start: Option<i32>,
    pub end: Option<i32>,
    /// Their months, when they have one.
    pub start_month: Option<u8>,
    pub end_month: Option<u8>,
    pub place: Option<u32>,
    pub belligerents: Vec<u32>,
    pub attackers: Vec<u32>,
    pub commanders: Vec<u32>,
    /// The document is about it (`foaf:primaryTopic` of its source).
    pub subject: bool,
}

/// What the reduce needs of one document's graph.
#[derive(Debug, Clone)]
pub struct Summary {
    pub graph: NamedNode,
    /// Sorted by IRI.
    pub res: Vec<Res>,
}

#[derive(Debug, Default)]
struct ResBuilder {
    kinds: BTreeSet<Kind>,
    label: Option<String>,
    alt: BTreeSet<String>,
    birth: Option<i32>,
    death: Option<i32>,
    /// (year, month or 0) of the first start and end dates.
    start: Option<(i32, u8)>,
    end: Option<(i32, u8)>,
    place: Option<NamedNode>,
    belligerents: BTreeSet<NamedNode>,
    attackers: BTreeSet<NamedNode>,
    commanders: BTreeSet<NamedNode>,
}

/// Reads a graph's quads, one at a time, into its [`Summary`].
#[derive(Debug)]
pub struct SummaryBuilder {
    graph: NamedNode,
    prefix: String,
    // FxHash: these maps take every quad of the map step.
    res: FxHashMap<NamedNode, ResBuilder>,
    mentions: FxHashMap<NamedNode, u32>,
    subjects: BTreeSet<NamedNode>,
}

/// The year of an `xsd:date`, `xsd:gYearMonth` or `xsd:gYear` lexical form.
fn year_of(lexical: &str) -> Option<i32> {
    let (sign, rest) = match lexical.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, lexical),
    };
    let digits: &str = &rest[..rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len())];
    digits.parse::<i32>().ok().map(|y| sign * y)
}

/// The year and month (0 for none) of an `xsd:date`, `xsd:gYearMonth` or
/// `xsd:gYear` lexical form.
fn year_month_of(lexical: &str) -> Option<(i32, u8)> {
    let year = year_of(lexical)?;
    let after = lexical.trim_start_matches('-');
    let month = after
        .split_once('-')
        .and_then(|(_, m)| m.get(..2)?.parse::<u8>().ok())
        .filter(|m| (1..=12).contains(m))
        .unwrap_or(0);
    Some((year, month))
}

fn take_min<T: Ord + Copy>(slot: &mut Option<T>, v: Option<T>) {
    if let Some(v) = v {
        *slot = Some(slot.map_or(v, |s| s.min(v)));
    }
}

impl SummaryBuilder {
    pub fn new(graph: NamedNode, base: &Base) -> Self {
        SummaryBuilder {
            graph,
            prefix: base.resource_prefix(),
            res: FxHashMap::default(),
            mentions: FxHashMap::default(),
            subjects: BTreeSet::new(),
        }
    }

    /// Whether an IRI names a resource (not a side, an indemnity or a category).
    fn is_resource(&self, iri: &str) -> bool {
        iri.strip_prefix(&self.prefix)
            .is_some_and(|rest| !rest.contains('#') && !rest.starts_with("Category:"))
    }

    pub fn add(&mut self, q: &Quad) {
        let p = q.predicate.as_ref();
        if p == itsrdf::TA_IDENT_REF {
            if let Term::NamedNode(o) = &q.object {
                *self.mentions.entry(o.clone()).or_default() += 1;
            }
            return;
        }
        if p == foaf::PRIMARY_TOPIC {
            if let Term::NamedNode(o) = &q.object {
                self.subjects.insert(o.clone());
            }
            return;
        }
        let NamedOrBlankNode::NamedNode(s) = &q.subject else {
            return;
        };
        if !self.is_resource(s.as_str()) {
            return;
        }
        let lit = match &q.object {
            Term::Literal(l) => Some(l.value()),
            _ => None,
        };
        let node = match &q.object {
            Term::NamedNode(n) => Some(n.clone()),
            _ => None,
        };
        let r = self.res.entry(s.clone()).or_default();
        if p == rdf::TYPE {
            if let Some(k) = node.as_ref().and_then(Kind::of) {
                r.kinds.insert(k);
            }
        } else if p == rdfs::LABEL {
            if let Some(l) = lit {
                r.label = Some(l.to_owned());
            }
        } else if p == skos::ALT_LABEL {
            if let Some(l) = lit {
                r.alt.insert(l.to_owned());
            }
        } else if p == jso::BIRTH_YEAR {
            take_min(&mut r.birth, lit.and_then(year_of));
        } else if p == jso::DEATH_YEAR {
            take_min(&mut r.death, lit.and_then(year_of));
        } else if p == jso::START_DATE {
            take_min(&mut r.start, lit.and_then(year_month_of));
        } else if p == jso::END_DATE {
            take_min(&mut r.end, lit.and_then(year_month_of));
        } else if p == jso::PLACE_PROP {
            if r.place.is_none() {
                r.place = node;
            }
        } else if p == jso::BELLIGERENT {
            r.belligerents.extend(node);
        } else if p == jso::ATTACKER {
            r.attackers.extend(node);
        } else if p == jso::COMMANDER {
            r.commanders.extend(node);
        }
    }

    pub fn finish(self) -> Summary {
        let mut res: Vec<(NamedNode, ResBuilder)> = self
            .res
            .into_iter()
            .filter(|(_, b)| !b.kinds.is_empty() && b.label.is_some())
            .collect();
        res.sort_by(|a, b| a.0.cmp(&b.0));
        let index: FxHashMap<&NamedNode, u32> = res
            .iter()
            .enumerate()
            .map(|(i, (n, _))| (n, i as u32))
            .collect();
        let refs = |set: &BTreeSet<NamedNode>| -> Vec<u32> {
            set.iter().filter_map(|n| index.get(n).copied()).collect()
        };
        let out: Vec<Res> = res
            .iter()
            .map(|(iri, b)| {
                // A resource typed twice keeps its most specific class
                // (Siege before Battle, Campaign before Conflict).
                let kind = b
                    .kinds
                    .iter()
                    .copied()
                    .max_by_key(|k| match k {
                        Kind::Event(EventClass::Siege) | Kind::Event(EventClass::Campaign) => 1,
                        _ => 0,
                    })
                    .unwrap_or(Kind::Entity(EntityClass::Place));
                Res {
                    iri: iri.clone(),
                    kind,
                    label: b.label.clone().unwrap_or_default(),
                    alt: b.alt.iter().cloned().collect(),
                    mentions: self.mentions.get(iri).copied().unwrap_or(0),
                    birth: b.birth,
                    death: b.death,
                    start: b.start.map(|d| d.0),
                    end: b.end.map(|d| d.0),
                    start_month: b.start.map(|d| d.1).filter(|&m| m > 0),
                    end_month: b.end.map(|d| d.1).filter(|&m| m > 0),
                    place: b.place.as_ref().and_then(|p| index.get(p).copied()),
                    belligerents: refs(&b.belligerents),
                    attackers: refs(&b.attackers),
                    commanders: refs(&b.commanders),
                    subject: self.subjects.contains(iri),
                }
            })
            .collect();
        Summary {
            graph: self.graph,
            res: out,
        }
    }
}

/// A [`Res`] as the map cache keeps it (JSON beside the graph's quads).
#[derive(serde::Serialize, serde::Deserialize)]
struct ResOnDisk {
    iri: String,
    kind: String,
    label: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    alt: Vec<String>,
    mentions: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    birth: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    death: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    start: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    end: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    start_month: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    end_month: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    place: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    belligerents: Vec<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    attackers: Vec<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    commanders: Vec<u32>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    subject: bool,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct SummaryOnDisk {
    graph: String,
    res: Vec<ResOnDisk>,
}

impl Summary {
    /// The summary as JSON, for the map cache.
    pub fn to_json(&self) -> String {
        let disk = SummaryOnDisk {
            graph: self.graph.as_str().to_owned(),
            res: self
                .res
                .iter()
                .map(|r| ResOnDisk {
                    iri: r.iri.as_str().to_owned(),
                    kind: r.kind.class().as_str().to_owned(),
                    label: r.label.clone(),
                    alt: r.alt.clone(),
                    mentions: r.mentions,
                    birth: r.birth,
                    death: r.death,
                    start: r.start,
                    end: r.end,
                    start_month: r.start_month,
                    end_month: r.end_month,
                    place: r.place,
                    belligerents: r.belligerents.clone(),
                    attackers: r.attackers.clone(),
                    commanders: r.commanders.clone(),
                    subject: r.subject,
                })
                .collect(),
        };
        serde_json::to_string(&disk).unwrap_or_default()
    }

    /// A summary read back from [`Summary::to_json`]; `None` when the text is
    /// not one (the graph is then mapped again).
    pub fn from_json(text: &str) -> Option<Summary> {
        let disk: SummaryOnDisk = serde_json::from_str(text).ok()?;
        let graph = NamedNode::new(disk.graph).ok()?;
        let n = disk.res.len() as u32;
        let mut res = Vec::with_capacity(disk.res.len());
        for r in disk.res {
            let refs_ok = r
                .place
                .iter()
                .chain(&r.belligerents)
                .chain(&r.attackers)
                .chain(&r.commanders)
                .all(|&i| i < n);
            if !refs_ok {
                return None;
            }
            res.push(Res {
                iri: NamedNode::new(r.iri).ok()?,
                kind: Kind::of(&NamedNode::new(r.kind).ok()?)?,
                label: r.label,
                alt: r.alt,
                mentions: r.mentions,
                birth: r.birth,
                death: r.death,
                start: r.start,
                end: r.end,
                start_month: r.start_month,
                end_month: r.end_month,
                place: r.place,
                belligerents: r.belligerents,
                attackers: r.attackers,
                commanders: r.commanders,
                subject: r.subject,
            });
        }
        // The plan finds a graph's resources by IRI, in this order.
        if res.windows(2).any(|w| w[0].iri >= w[1].iri) {
            return None;
        }
        Some(Summary { graph, res })
    }
}

/// The summary of one graph's quads (all of them in that graph).
pub fn summarize(graph: &NamedNode, quads: &[Quad], base: &Base) -> Summary {
    let mut b = SummaryBuilder::new(graph.clone(), base);
    for q in quads {
        b.add(q);
    }
    b.finish()
}

/// A string of the summaries, by its place in [`Names`].
type Sym = u32;

/// No resource, no cluster.
const NONE: u32 = u32::MAX;

/// No year stated.
const NO_YEAR: i32 = i32::MIN;

/// Strings kept once each: the same IRIs and labels recur across thousands
/// of documents.
#[derive(Debug, Default)]
struct Names(IndexSet<Box<str>, FxBuildHasher>);

impl Names {
    fn intern(&mut self, s: &str) -> Sym {
        match self.0.get_index_of(s) {
            Some(i) => i as Sym,
            None => self.0.insert_full(s.into()).0 as Sym,
        }
    }

    fn get(&self, s: Sym) -> &str {
        self.0.get_index(s as usize).map_or("", |b| b)
    }
}

/// A [`Res`] as [`Summaries`] keep it: its strings in [`Names`], its lists
/// in [`Summaries::lists`], its years [`NO_YEAR`] when not stated.
#[derive(Debug, Clone, Copy)]
struct Node {
    iri: Sym,
    label: Sym,
    mentions: u32,
    /// Birth, death, start and end: years, and the start and end with their
    /// month, sixteen a year (month 0 when it has none).
    years: [i32; 4],
    /// Index of the place in the graph's resources, or [`NONE`].
    place: u32,
    /// Bounds of its alternative labels, belligerents, attackers and
    /// commanders in [`Summaries::lists`].
    lists: [u32; 5],
    kind: Kind,
    subject: bool,
}

impl Node {
    fn year(&self, i: usize) -> Option<i32> {
        Some(self.years[i]).filter(|&y| y != NO_YEAR)
    }

    fn birth(&self) -> Option<i32> {
        self.year(0)
    }

    fn death(&self) -> Option<i32> {
        self.year(1)
    }

    fn start(&self) -> Option<i32> {
        self.year(2).map(|d| d.div_euclid(16))
    }

    fn end(&self) -> Option<i32> {
        self.year(3).map(|d| d.div_euclid(16))
    }

    /// The start and the end as months (twelve a year), each when it has one.
    fn months(&self) -> (Option<i32>, Option<i32>) {
        let month = |i: usize| {
            let d = self.year(i)?;
            let m = d.rem_euclid(16);
            (m > 0).then(|| d.div_euclid(16) * 12 + m - 1)
        };
        (month(2), month(3))
    }

    fn place(&self) -> Option<u32> {
        Some(self.place).filter(|&p| p != NONE)
    }
}

/// Every document's [`Summary`], as the reduce holds them until the plan:
/// strings once each, numbers in flat arrays (a 1 GB corpus has millions of
/// resources).
#[derive(Debug, Default)]
pub struct Summaries {
    names: Names,
    /// Each graph, with the range of its resources in `nodes`.
    graphs: Vec<(NamedNode, u32, u32)>,
    nodes: Vec<Node>,
    lists: Vec<u32>,
}

impl Summaries {
    /// Adds a document's summary.
    pub fn push(&mut self, s: Summary) {
        let first = self.nodes.len() as u32;
        for r in s.res {
            let mut lists = [self.lists.len() as u32; 5];
            for a in &r.alt {
                let a = self.names.intern(a);
                self.lists.push(a);
            }
            lists[1] = self.lists.len() as u32;
            self.lists.extend(&r.belligerents);
            lists[2] = self.lists.len() as u32;
            self.lists.extend(&r.attackers);
            lists[3] = self.lists.len() as u32;
            self.lists.extend(&r.commanders);
            lists[4] = self.lists.len() as u32;
            let year = |y: Option<i32>| y.unwrap_or(NO_YEAR);
            // A start or end with its month: sixteen a year.
            // (A year past ±134 million, which no date states, is dropped.)
            let dated = |y: Option<i32>, m: Option<u8>| {
                let m = m.filter(|m| (1..=12).contains(m)).unwrap_or(0);
                y.and_then(|y| y.checked_mul(16)?.checked_add(i32::from(m)))
                    .filter(|&d| d != NO_YEAR)
                    .unwrap_or(NO_YEAR)
            };
            let node = Node {
                iri: self.names.intern(r.iri.as_str()),
                label: self.names.intern(&r.label),
                mentions: r.mentions,
                years: [
                    year(r.birth),
                    year(r.death),
                    dated(r.start, r.start_month),
                    dated(r.end, r.end_month),
                ],
                place: r.place.unwrap_or(NONE),
                lists,
                kind: r.kind,
                subject: r.subject,
            };
            self.nodes.push(node);
        }
        self.graphs
            .push((s.graph, first, self.nodes.len() as u32 - first));
    }

    fn list(&self, r: &Node, i: usize) -> &[u32] {
        self.lists
            .get(r.lists[i] as usize..r.lists[i + 1] as usize)
            .unwrap_or(&[])
    }

    fn alt(&self, r: &Node) -> &[Sym] {
        self.list(r, 0)
    }

    fn belligerents(&self, r: &Node) -> &[u32] {
        self.list(r, 1)
    }

    fn attackers(&self, r: &Node) -> &[u32] {
        self.list(r, 2)
    }

    fn commanders(&self, r: &Node) -> &[u32] {
        self.list(r, 3)
    }
}

struct UnionFind(Vec<u32>);

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind((0..n as u32).collect())
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.0[x as usize] != x {
            let up = self.0[self.0[x as usize] as usize];
            self.0[x as usize] = up;
            x = up;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[a.max(b) as usize] = a.min(b);
        }
    }
}

/// A resource of the reduced graph.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub iri: NamedNode,
    pub label: String,
    pub kind: Kind,
}

/// The reduce's decision: which resource each document's resource is, and
/// what the derived graph holds.
#[derive(Debug)]
pub struct Plan {
    prefix: String,
    /// Each graph, by its place in the order of graph IRIs.
    graphs: HashMap<NamedNode, u32>,
    /// The IRIs of the resources (the rest of the summaries' strings go
    /// with them: the labels are a small part).
    names: Names,
    /// Graph g's resources are nodes `first[g]..first[g + 1]`, in IRI order.
    first: Vec<u32>,
    /// Each node's IRI and cluster ([`NONE`]: none).
    iris: Vec<Sym>,
    cluster_of: Vec<u32>,
    pub clusters: Vec<Cluster>,
    /// Graphs where two resources became one (their quads may repeat).
    merged_within: Vec<bool>,
    /// `graph/derived`: categories of the conflicts documents are about.
    pub derived: Vec<Quad>,
}

/// A person's life span from the qualifier of its IRI (`Zhang_Jun_(1086–1154)`)
/// or from the years the graph states.
fn life(iri: &str, r: &Node) -> Option<(i32, i32)> {
    let local = iri.rsplit('/').next().unwrap_or("");
    if let Some(open) = local.rfind("_(")
        && local.ends_with(')')
    {
        let inner = &local[open + 2..local.len() - 1];
        let mut parts = inner.split(['–', '-']).filter(|s| !s.is_empty());
        if let (Some(a), Some(b), None) = (parts.next(), parts.next(), parts.next())
            && let (Ok(a), Ok(b)) = (a.parse(), b.parse())
        {
            return Some((a, b));
        }
    }
    r.birth().zip(r.death())
}

/// An event's span of years.
fn span(start: Option<i32>, end: Option<i32>) -> Option<(i32, i32)> {
    let s = start.or(end)?;
    Some((s, end.map_or(s, |e| e.max(s))))
}

/// An event label without the year a document added to tell two apart
/// ("Siege of Taiyuan (1126)"): the year is chosen again for the corpus.
fn event_base_label(label: &str) -> &str {
    if let Some(open) = label.rfind(" (")
        && label.ends_with(')')
        && label[open + 2..label.len() - 1]
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-')
    {
        return &label[..open];
    }
    label
}

/// What a cluster of event statements says so far, for comparisons.
#[derive(Debug, Clone)]
struct View {
    class: EventClass,
    subject: bool,
    span: Option<(i32, i32)>,
    /// The start and end months ([`Node::months`]), each when it has one.
    months: (Option<i32>, Option<i32>),
    start: Option<i32>,
    place: Option<u32>,
    belligerents: BTreeSet<u32>,
    attackers: BTreeSet<u32>,
    targets: BTreeSet<u32>,
    commanders: BTreeSet<u32>,
    signatures: BTreeSet<Sym>,
    graphs: BTreeSet<u32>,
    /// The count a label starts with ("Second siege of Kaifeng").
    ordinal: Option<u32>,
}

/// The count an event's label starts with: "Second Jin campaign" → 2.
fn ordinal(label: &str) -> Option<u32> {
    let first = label.split_whitespace().next()?.to_lowercase();
    ORDINALS
        .iter()
        .position(|o| o.eq_ignore_ascii_case(&first))
        .map(|i| i as u32 + 1)
}

const ORDINALS: [&str; 10] = [
    "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth",
];

fn overlap(a: &BTreeSet<u32>, b: &BTreeSet<u32>) -> bool {
    a.iter().any(|x| b.contains(x))
}

/// What a cluster of event statements and a statement that can join it
/// share, by the rules of [`compatible`]: a name, a place, a treaty's year,
/// a side in a year, a commander, a pair of attacker and target, or a side
/// of two documents' subjects. The clusters are indexed by these keys, so a
/// statement is compared with the few clusters it could join, not all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Name(Sym),
    Place(u32),
    TreatyYear(i32),
    SideYear(u32, i32),
    Commander(u32),
    Pair(u32, u32),
    SubjectSide(u32),
}

/// The keys of a view; `slack` widens its years (clusters are indexed with
/// the one year of slack the rules allow, statements look up their own).
fn keys(v: &View, slack: i32) -> Vec<Key> {
    let mut out: Vec<Key> = v.signatures.iter().copied().map(Key::Name).collect();
    if v.subject {
        out.extend(v.belligerents.iter().map(|&b| Key::SubjectSide(b)));
    }
    match v.class.family() {
        1 => out.extend(v.place.map(Key::Place)),
        2 => out.extend(v.start.map(Key::TreatyYear)),
        _ => {
            let sides: BTreeSet<u32> = v
                .belligerents
                .iter()
                .chain(&v.attackers)
                .chain(&v.targets)
                .copied()
                .collect();
            if let Some((a, b)) = v.span {
                // Wars can be long: a side's years past a century are not
                // indexed one by one.
                let (a, b) = (a - slack, b.min(a + 100) + slack);
                for &s in &sides {
                    out.extend((a..=b).map(|y| Key::SideYear(s, y)));
                }
            }
            out.extend(v.commanders.iter().map(|&c| Key::Commander(c)));
            for &a in &v.attackers {
                for &t in &v.targets {
                    out.push(Key::Pair(a, t));
                }
            }
        }
    }
    out
}

/// Whether a statement can join a cluster, and how well (higher is better).
fn compatible(view: &View, st: &View) -> Option<u8> {
    if view.class.family() != st.class.family() {
        return None;
    }
    // Months apart: two sieges of one city in one year, one lifted in
    // February, the next begun in November, whatever their names.
    let ends_before = |x: (Option<i32>, Option<i32>), y: (Option<i32>, Option<i32>)| matches!((x.1, y.0), (Some(end), Some(start)) if end < start);
    if view.class.family() == 1
        && (ends_before(view.months, st.months) || ends_before(st.months, view.months))
    {
        return None;
    }
    let years = |slack: i32| match (view.span, st.span) {
        (Some((a0, a1)), Some((b0, b1))) => a0 - slack <= b1 && b0 - slack <= a1,
        _ => true,
    };
    // The same name (compared through entities), in compatible years: a
    // label can be a description ("Siege of Taiyuan") that two sieges share.
    if view.signatures.iter().any(|s| st.signatures.contains(s)) && years(2) {
        return Some(10);
    }
    if view.subject != st.subject {
        // A document's subject is named; others join it by name only.
        return None;
    }
    if view.subject && st.subject {
        let sides = overlap(&view.belligerents, &st.belligerents);
        return (sides && years(0) && view.class == st.class).then_some(5);
    }
    if view.class.family() == 0 && view.class != st.class {
        // A campaign is part of a war, not the war.
        return None;
    }
    // "The second siege of X" is not the first one, nor an uncounted one.
    let ordinals = match (view.ordinal, st.ordinal) {
        (Some(x), Some(y)) => x == y,
        (Some(x), None) | (None, Some(x)) => x <= 1,
        (None, None) => true,
    };
    if !ordinals {
        return None;
    }
    match view.class.family() {
        1 => {
            if view.place.is_none() || view.place != st.place {
                return None;
            }
            let both = view.span.is_some() && st.span.is_some();
            if !years(if both { 0 } else { 1 }) {
                return None;
            }
            Some(if both { 6 } else { 3 })
        }
        2 => match (view.start, st.start) {
            (Some(x), Some(y)) if x == y => Some(6),
            _ => None,
        },
        _ => {
            if overlap(&view.attackers, &st.targets) || overlap(&view.targets, &st.attackers) {
                return None;
            }
            let sides =
                overlap(&view.attackers, &st.attackers) || overlap(&view.targets, &st.targets);
            let both_sides =
                overlap(&view.attackers, &st.attackers) && overlap(&view.targets, &st.targets);
            let dated = view.span.is_some() && st.span.is_some();
            if sides && dated && years(if both_sides { 1 } else { 0 }) {
                return Some(5);
            }
            if overlap(&view.commanders, &st.commanders) && years(1) {
                return Some(4);
            }
            if both_sides && view.span.is_some() != st.span.is_some() {
                return Some(2);
            }
            None
        }
    }
}

fn ordinal_suffix(n: i32) -> String {
    let s = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{s}")
}

/// Whether `full` names a state (or its people) after the place `key`
/// (`place_docs` counts the documents that take the key for a place; it
/// is asked only when it matters): `<head> of <key>` says
/// the key is a place ("principality of antar", "antar"); `<key> <head>`,
/// with a polity's head word ("antar empire"), and a people's plural
/// ("antars") do not ("tal dynasty", "tal": a document may take the
/// state's name for its land), so they take two documents that read the
/// key as a place.
fn named_after(full: &str, key: &str, place_docs: impl FnOnce() -> usize) -> bool {
    full.strip_suffix(key)
        .is_some_and(|head| head.ends_with(" of "))
        || (full.strip_suffix('s') == Some(key) || before_polity_head(full) == Some(key))
            && place_docs() >= 2
}

/// The kind most mentioned among `nodes` (each counts its mentions and
/// one for being stated); on a tie, the first in [`Kind`]'s order.
fn most_mentioned<'a>(nodes: impl Iterator<Item = &'a Node>) -> Option<Kind> {
    let mut counts: BTreeMap<Kind, u32> = BTreeMap::new();
    for r in nodes {
        *counts.entry(r.kind).or_default() += r.mentions + 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(k, c)| (c, std::cmp::Reverse(k)))
        .map(|(k, _)| k)
}

fn en(s: &str) -> Literal {
    Literal::new_language_tagged_literal_unchecked(s, "en")
}

/// Decides the reduce of `summaries` (one per document graph; their order
/// does not matter: they are taken in the order of their graph IRIs).
pub fn plan(sums: Summaries, base: &Base) -> Plan {
    let mut order: Vec<usize> = (0..sums.graphs.len()).collect();
    order.sort_by(|&a, &b| sums.graphs[a].0.cmp(&sums.graphs[b].0));
    // Nodes: every (graph, resource), numbered in the order of the graphs.
    let mut first: Vec<u32> = Vec::with_capacity(order.len() + 1);
    let mut node_graph: Vec<u32> = Vec::with_capacity(sums.nodes.len());
    for (g, &o) in order.iter().enumerate() {
        first.push(node_graph.len() as u32);
        node_graph.extend(std::iter::repeat_n(g as u32, sums.graphs[o].2 as usize));
    }
    first.push(node_graph.len() as u32);
    let n_nodes = node_graph.len();
    let res = |n: u32| -> &Node {
        let g = node_graph[n as usize] as usize;
        &sums.nodes[(sums.graphs[order[g]].1 + n - first[g]) as usize]
    };
    let text = |s: Sym| sums.names.get(s);
    let label = |n: u32| text(res(n).label);
    // The node of a graph's resource.
    let node = |g: u32, i: u32| -> Option<u32> {
        let (a, b) = (first[g as usize], first[g as usize + 1]);
        (i < b - a).then_some(a + i)
    };
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut cluster_of: Vec<u32> = vec![NONE; n_nodes];

    // Entities: the same key is one entity, unless persons of that name
    // have different life spans; an alias that is another entity's key
    // joins the two.
    let entity_nodes: Vec<u32> = (0..n_nodes as u32)
        .filter(|&n| matches!(res(n).kind, Kind::Entity(_)))
        .collect();
    let key_of = |n: u32| entity_key(split_qualifier(label(n)).0);
    let mut by_key: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for &n in &entity_nodes {
        by_key.entry(key_of(n)).or_default().push(n);
    }
    let person_life = |n: u32| match res(n).kind {
        Kind::Entity(EntityClass::Person) => life(text(res(n).iri), res(n)),
        _ => None,
    };
    let place = Kind::Entity(EntityClass::Place);
    let polity = Kind::Entity(EntityClass::Polity);
    // The documents that take a key for a place.
    let place_docs = |members: &[u32]| {
        let graphs: BTreeSet<u32> = members
            .iter()
            .filter(|&&n| res(n).kind == place)
            .map(|&n| node_graph[n as usize])
            .collect();
        graphs.len()
    };
    // The keys of places a state (or its people) is named after, as a
    // state's name and its other name say: "Principality of Antar" and
    // "Antar", or "Ilün Empire" and "Ilün", either as the label.
    let mut named_for: BTreeSet<String> = BTreeSet::new();
    for &n in entity_nodes.iter().filter(|&&n| res(n).kind == polity) {
        let own = key_of(n);
        for &a in sums.alt(res(n)) {
            let alt = entity_key(text(a));
            let (full, short) = if alt.len() > own.len() {
                (&alt, &own)
            } else {
                (&own, &alt)
            };
            if !named_for.contains(short)
                && by_key
                    .get(short)
                    .is_some_and(|m| named_after(full, short, || place_docs(m)))
            {
                named_for.insert(short.clone());
            }
        }
    }
    // Whether a key names a place and a state named after it too.
    let named_after_it = |key: &str, members: &[u32]| {
        named_for.contains(key)
            && members.iter().any(|&n| res(n).kind == place)
            && members.iter().any(|&n| res(n).kind == polity)
    };
    let mut split: BTreeSet<String> = BTreeSet::new();
    let mut uf = UnionFind::new(n_nodes);
    let mut homonyms: BTreeSet<String> = BTreeSet::new();
    let mut qualifier: HashMap<u32, (i32, i32)> = HashMap::new();
    for (key, members) in &by_key {
        let lives: BTreeSet<(i32, i32)> = members.iter().filter_map(|&n| person_life(n)).collect();
        if lives.len() >= 2 {
            homonyms.insert(key.clone());
            let mut first: BTreeMap<Option<(i32, i32)>, u32> = BTreeMap::new();
            for &n in members {
                let l = person_life(n);
                if let Some(l) = l {
                    qualifier.insert(n, l);
                }
                let f = *first.entry(l).or_insert(n);
                uf.union(f, n);
            }
        } else if named_after_it(key, members) {
            // A city and the state named after it ("Antioch", also the
            // "Principality of Antioch"): one entity of each class.
            let mut first: BTreeMap<Kind, u32> = BTreeMap::new();
            for &n in members {
                let f = *first.entry(res(n).kind).or_insert(n);
                uf.union(f, n);
            }
            split.insert(key.clone());
        } else {
            for &n in &members[1..] {
                uf.union(members[0], n);
            }
        }
    }
    // An alias joins the entity of that name, unless one of the two is a
    // person and the documents take the other mostly for something else:
    // "Bohemond (the Prince of Antioch)" is not the city of Antioch. (A place
    // and a polity of one name join: a document may take a state's name
    // for its land.) But a state named after a place ("Principality of
    // Antioch", also "Antioch"; "Ilün Empire", also "Ilün", where several
    // documents tell of the city of Ilün) joins only the state of that
    // name, not what the documents take mostly for a place: the city it is
    // named after.
    let person = Kind::Entity(EntityClass::Person);
    let mut key_class: HashMap<String, Option<Kind>> = HashMap::new();
    for &n in &entity_nodes {
        for &a in sums.alt(res(n)) {
            let k = entity_key(text(a));
            if homonyms.contains(&k) || k == key_of(n) {
                continue;
            }
            if let Some(other) = by_key.get(&k) {
                // Of a key split by class, the entity of this one's class.
                let of_class = split
                    .contains(&k)
                    .then(|| other.iter().find(|&&o| res(o).kind == res(n).kind))
                    .flatten();
                // A state's other name that is a place some state is named
                // after names the state, whichever state this is.
                let of_it = res(n).kind == polity && named_for.contains(&k);
                let class = key_class
                    .entry(k)
                    .or_insert_with(|| most_mentioned(other.iter().map(|&o| res(o))));
                if let Some(&o) = of_class {
                    uf.union(n, o);
                } else if (*class == Some(person)) == (res(n).kind == person)
                    && !(of_it && *class == Some(place))
                {
                    uf.union(n, other[0]);
                }
            }
        }
    }
    drop(key_class);
    drop(by_key);
    let mut roots: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for &n in &entity_nodes {
        roots.entry(uf.find(n)).or_default().push(n);
    }
    drop(uf);
    let mut names: HashMap<String, Vec<usize>> = HashMap::new();
    for members in roots.values() {
        // Label: the one most documents use, then most often, then the
        // shortest; class: the most mentioned.
        let mut labels: BTreeMap<&str, (BTreeSet<u32>, u32)> = BTreeMap::new();
        for &n in members {
            let r = res(n);
            let e = labels.entry(split_qualifier(text(r.label)).0).or_default();
            e.0.insert(node_graph[n as usize]);
            e.1 += r.mentions;
        }
        let label = labels
            .iter()
            .max_by(|a, b| {
                (a.1.0.len(), a.1.1, std::cmp::Reverse(a.0.len()))
                    .cmp(&(b.1.0.len(), b.1.1, std::cmp::Reverse(b.0.len())))
                    .then_with(|| b.0.cmp(a.0))
            })
            .map(|(l, _)| (*l).to_owned())
            .unwrap_or_default();
        let kind = most_mentioned(members.iter().map(|&n| res(n)))
            .unwrap_or(Kind::Entity(EntityClass::Place));
        let name = match members.iter().find_map(|n| qualifier.get(n)) {
            Some((a, b)) => resource_name(&format!("{label} ({a}–{b})")),
            None => resource_name(&label),
        };
        let c = clusters.len();
        names.entry(name.clone()).or_default().push(c);
        clusters.push(Cluster {
            iri: NamedNode::new_unchecked(name),
            label,
            kind,
        });
        for &n in members {
            cluster_of[n as usize] = c as u32;
        }
    }
    drop(roots);
    // Two entities of one name (a place and a polity): qualify by class.
    for members in names.values().filter(|m| m.len() > 1) {
        for &c in members {
            if let Kind::Entity(class) = clusters[c].kind {
                let n = clusters[c].iri.as_str().to_owned();
                clusters[c].iri =
                    NamedNode::new_unchecked(format!("{n}_({})", class.name().to_lowercase()));
            }
        }
    }
    drop(names);
    let entity_clusters = clusters.len() as u32;
    // Until the events are decided, only entity nodes have clusters.
    let entity_of = |cluster_of: &[u32], g: u32, i: u32| -> Option<u32> {
        node(g, i)
            .map(|n| cluster_of[n as usize])
            .filter(|&c| c < entity_clusters)
    };

    // Events. Names are compared through entities: a word or phrase that
    // names an entity (in this document, or as the entity's label) stands
    // for that entity ("Jurchen campaigns" and "Jin campaigns"). Each
    // event's names become signatures here, a document at a time.
    let mut global_words: HashMap<String, u32> = HashMap::new();
    for (c, cl) in clusters.iter().enumerate() {
        global_words.insert(norm_key(&cl.label), c as u32);
    }
    let mut signatures = Names::default();
    // Node n's signatures: `sig_list[sig_at[n]..sig_at[n + 1]]`.
    let mut sig_at: Vec<u32> = Vec::with_capacity(n_nodes + 1);
    let mut sig_list: Vec<Sym> = Vec::new();
    let mut local_words: HashMap<String, u32> = HashMap::new();
    for g in 0..order.len() as u32 {
        let nodes = first[g as usize]..first[g as usize + 1];
        local_words.clear();
        for n in nodes.clone() {
            let r = res(n);
            if let Kind::Entity(_) = r.kind {
                let c = cluster_of[n as usize];
                for &w in std::iter::once(&r.label).chain(sums.alt(r)) {
                    local_words.insert(norm_key(text(w)), c);
                }
            }
        }
        for n in nodes {
            sig_at.push(sig_list.len() as u32);
            let r = res(n);
            if let Kind::Event(_) = r.kind {
                let mut sigs: Vec<Sym> = std::iter::once(event_base_label(text(r.label)))
                    .chain(sums.alt(r).iter().map(|&a| text(a)))
                    .map(|s| {
                        crate::resolve::name_signature(s, |phrase| {
                            local_words
                                .get(phrase)
                                .or_else(|| global_words.get(phrase))
                                .map(|&c| c as usize)
                        })
                    })
                    .filter(|s| !s.is_empty())
                    .map(|s| signatures.intern(&s))
                    .collect();
                sigs.sort_unstable();
                sigs.dedup();
                sig_list.extend(sigs);
            }
        }
    }
    sig_at.push(sig_list.len() as u32);
    drop(local_words);
    drop(global_words);
    let mut event_nodes: Vec<(u8, u32)> = Vec::new();
    for n in 0..n_nodes as u32 {
        let r = res(n);
        if let Kind::Event(_) = r.kind {
            let rank = if r.subject {
                0
            } else if r.start().is_some() || r.end().is_some() {
                1
            } else {
                2
            };
            event_nodes.push((rank, n));
        }
    }
    event_nodes.sort();
    let mut views: Vec<View> = Vec::new();
    let mut members: Vec<Vec<u32>> = Vec::new();
    // Key → the clusters indexed under it. A view's keys only grow as
    // statements join it, so a cluster is indexed under the keys its view
    // has now and did not have before.
    let mut index: HashMap<Key, Vec<u32>> = HashMap::new();
    fn add_keys(index: &mut HashMap<Key, Vec<u32>>, ci: usize, had: Vec<Key>, view: &View) {
        let mut had: HashSet<Key> = had.into_iter().collect();
        for k in keys(view, 1) {
            if had.insert(k) {
                index.entry(k).or_default().push(ci as u32);
            }
        }
    }
    for &(_, n) in &event_nodes {
        let g = node_graph[n as usize];
        let r = res(n);
        let Kind::Event(class) = r.kind else { continue };
        let ents = |v: &[u32]| -> BTreeSet<u32> {
            v.iter()
                .filter_map(|&i| entity_of(&cluster_of, g, i))
                .collect()
        };
        let belligerents = ents(sums.belligerents(r));
        let attackers = ents(sums.attackers(r));
        let targets: BTreeSet<u32> = belligerents.difference(&attackers).copied().collect();
        let st = View {
            class,
            subject: r.subject,
            span: span(r.start(), r.end()),
            months: r.months(),
            start: r.start(),
            place: r.place().and_then(|i| entity_of(&cluster_of, g, i)),
            belligerents,
            attackers,
            targets,
            commanders: ents(sums.commanders(r)),
            signatures: sig_list[sig_at[n as usize] as usize..sig_at[n as usize + 1] as usize]
                .iter()
                .copied()
                .collect(),
            graphs: BTreeSet::from([g]),
            ordinal: ordinal(text(r.label)),
        };
        let mut best: Option<(usize, u8)> = None;
        // Only the clusters that share a key with the statement can match it
        // (see `keys`); taken in cluster order, as a full scan would.
        let mut candidates: Vec<u32> = keys(&st, 0)
            .iter()
            .filter_map(|k| index.get(k))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        for ci in candidates {
            let ci = ci as usize;
            let view = &views[ci];
            // One statement per document and event: a document's two events stay two.
            if view.graphs.contains(&g) {
                continue;
            }
            if let Some(score) = compatible(view, &st) {
                let first = |c: usize| views[c].span.map_or(i32::MAX, |s| s.0);
                if best.is_none_or(|(b, s)| score > s || (score == s && first(ci) < first(b))) {
                    best = Some((ci, score));
                }
            }
        }
        match best {
            Some((ci, _)) => {
                let had = keys(&views[ci], 1);
                let v = &mut views[ci];
                v.place = v.place.or(st.place);
                v.start = v.start.or(st.start);
                v.span = v.span.or(st.span);
                v.months = (v.months.0.or(st.months.0), v.months.1.or(st.months.1));
                v.ordinal = v.ordinal.or(st.ordinal);
                v.subject |= st.subject;
                v.belligerents.extend(st.belligerents);
                v.attackers.extend(st.attackers);
                v.targets.extend(st.targets);
                v.commanders.extend(st.commanders);
                v.signatures.extend(st.signatures);
                v.graphs.insert(g);
                members[ci].push(n);
                add_keys(&mut index, ci, had, &views[ci]);
            }
            None => {
                add_keys(&mut index, views.len(), Vec::new(), &st);
                views.push(st);
                members.push(vec![n]);
            }
        }
    }
    drop(index);
    drop(sig_list);
    drop(sig_at);
    // Event labels: the name most documents give, a name given as an alias
    // counting half; then the shortest. Two events that would take one
    // label keep it apart where a document told them apart: "Siege of
    // Kaifeng" (1232) and the "First siege of Kaifeng", which most
    // documents, knowing no other, call the "Siege of Kaifeng".
    let mut candidates: Vec<Vec<(String, u32)>> = Vec::new();
    let mut first_years: Vec<Option<i32>> = Vec::new();
    for m in &members {
        let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
        for &n in m {
            let r = res(n);
            *counts.entry(event_base_label(text(r.label))).or_default() += 2;
            for &a in sums.alt(r) {
                let a = text(a);
                if a.split_whitespace()
                    .skip(1)
                    .any(|w| w.chars().next().is_some_and(char::is_uppercase))
                {
                    *counts.entry(a).or_default() += 1;
                }
            }
        }
        let mut ranked: Vec<(String, u32)> =
            counts.into_iter().map(|(l, n)| (l.to_owned(), n)).collect();
        ranked.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| a.0.len().cmp(&b.0.len()))
                .then_with(|| a.0.cmp(&b.0))
        });
        candidates.push(ranked);
        first_years.push(
            m.iter()
                .filter_map(|&n| res(n).start().or(res(n).end()))
                .min(),
        );
    }
    let mut event_labels: Vec<String> = candidates
        .iter()
        .map(|c| c.first().map(|x| x.0.clone()).unwrap_or_default())
        .collect();
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (ci, l) in event_labels.iter().enumerate() {
        by_name.entry(resource_name(l)).or_default().push(ci);
    }
    let used: BTreeSet<String> = by_name.keys().cloned().collect();
    for (name, group) in &by_name {
        if group.len() < 2 {
            continue;
        }
        // An alternative label that no other event has.
        let alternative = |ci: usize| -> Option<String> {
            candidates[ci]
                .iter()
                .skip(1)
                .map(|c| &c.0)
                .find(|l| {
                    let n = resource_name(l);
                    n != *name && !used.contains(&n)
                })
                .cloned()
        };
        let without: Vec<usize> = group
            .iter()
            .copied()
            .filter(|&c| alternative(c).is_none())
            .collect();
        // The event that keeps the label: the only one without another,
        // else the one most documents call so.
        let keeper = match without.len() {
            0 => group
                .iter()
                .copied()
                .max_by_key(|&c| (candidates[c][0].1, std::cmp::Reverse(c))),
            1 => Some(without[0]),
            _ => None,
        };
        for &ci in group {
            if Some(ci) != keeper
                && let Some(alt) = alternative(ci)
            {
                event_labels[ci] = alt;
            }
        }
    }
    let taken: BTreeSet<String> = clusters.iter().map(|c| c.iri.as_str().to_owned()).collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for l in &event_labels {
        *seen.entry(resource_name(l)).or_default() += 1;
    }
    let mut count: HashMap<String, usize> = HashMap::new();
    for (ci, m) in members.iter().enumerate() {
        let mut label = event_labels[ci].clone();
        let base_name = resource_name(&label);
        if seen[&base_name] > 1 || taken.contains(&base_name) {
            if let Some(y) = first_years[ci] {
                label = format!("{label} ({y})");
            }
        }
        let mut name = resource_name(&label);
        let k = count.entry(name.clone()).or_default();
        *k += 1;
        if *k > 1 {
            name = format!("{name}_{k}");
        }
        let c = clusters.len() as u32;
        clusters.push(Cluster {
            iri: NamedNode::new_unchecked(name),
            label,
            kind: Kind::Event(views[ci].class),
        });
        for &n in m {
            cluster_of[n as usize] = c;
        }
    }
    // Full IRIs, and each document's resources mapped to them.
    for c in &mut clusters {
        c.iri = base.resource(c.iri.as_str());
    }
    let mut merged_within = vec![false; order.len()];
    let mut in_graph: Vec<u32> = Vec::new();
    for (g, merged) in merged_within.iter_mut().enumerate() {
        in_graph.clear();
        in_graph.extend(
            cluster_of[first[g] as usize..first[g + 1] as usize]
                .iter()
                .filter(|&&c| c != NONE),
        );
        in_graph.sort_unstable();
        *merged = in_graph.windows(2).any(|w| w[0] == w[1]);
    }

    // Derived: categories of the conflicts documents are about, as DBpedia
    // files a war under "Wars involving X" and "Nth-century conflicts".
    let dg = GraphName::NamedNode(base.graph(DERIVED_GRAPH));
    let mut derived: BTreeMap<String, Quad> = BTreeMap::new();
    let mut put = |q: Quad| {
        derived.insert(q.to_string(), q);
    };
    for (ci, m) in members.iter().enumerate() {
        let cluster = &clusters[entity_clusters as usize + ci];
        if views[ci].class != EventClass::Conflict || !views[ci].subject {
            continue;
        }
        let mut cats: BTreeSet<String> = BTreeSet::new();
        for &n in m {
            let g = node_graph[n as usize];
            let r = res(n);
            for &b in sums.belligerents(r) {
                if let Some(e) = entity_of(&cluster_of, g, b) {
                    cats.insert(format!("Wars involving the {}", clusters[e as usize].label));
                }
            }
            let end = r.end().or(r.start());
            if let (Some(a), Some(b)) = (r.start(), end) {
                let (ca, cb) = ((a - 1) / 100 + 1, (b - 1) / 100 + 1);
                for c in ca..=cb.min(ca + 5) {
                    cats.insert(format!("{}-century conflicts", ordinal_suffix(c)));
                }
            }
        }
        for c in cats {
            let cat = base.category(&c);
            let q = |s: &NamedNode, pr, o: Term| Quad::new(s.clone(), pr, o, dg.clone());
            put(q(
                &cluster.iri,
                dcterms::SUBJECT.into_owned(),
                cat.clone().into(),
            ));
            put(q(
                &cat,
                rdf::TYPE.into_owned(),
                skos::CONCEPT.into_owned().into(),
            ));
            put(q(&cat, rdfs::LABEL.into_owned(), en(&c).into()));
            put(q(&cat, skos::PREF_LABEL.into_owned(), en(&c).into()));
        }
    }
    let iris: Vec<Sym> = (0..n_nodes as u32).map(|n| res(n).iri).collect();
    let graphs = order
        .iter()
        .enumerate()
        .map(|(g, &o)| (sums.graphs[o].0.clone(), g as u32))
        .collect();
    Plan {
        prefix: base.resource_prefix(),
        graphs,
        names: sums.names,
        first,
        iris,
        cluster_of,
        clusters,
        merged_within,
        derived: derived.into_values().collect(),
    }
}

impl Plan {
    /// The resource a document's resource is, if it is one.
    fn cluster(&self, g: u32, iri: &str) -> Option<&Cluster> {
        let (a, b) = (
            *self.first.get(g as usize)? as usize,
            *self.first.get(g as usize + 1)? as usize,
        );
        let k = self.iris[a..b]
            .binary_search_by(|&s| self.names.get(s).cmp(iri))
            .ok()?;
        self.clusters.get(self.cluster_of[a + k] as usize)
    }

    /// A document's IRI in the reduced graph: resources, and the sides and
    /// payments named after them (`Battle_of_X#side_Jin_dynasty`).
    fn map_iri(&self, g: u32, n: &NamedNode) -> Option<NamedNode> {
        let s = n.as_str();
        let rest = s.strip_prefix(&self.prefix)?;
        match rest.split_once('#') {
            None => self.cluster(g, s).map(|c| c.iri.clone()),
            Some((head, frag)) => {
                let head_iri = format!("{}{head}", self.prefix);
                let event = self.cluster(g, &head_iri)?;
                let frag = match frag.strip_prefix("side_") {
                    Some(polity) => {
                        let p = format!("{}{polity}", self.prefix);
                        match self.cluster(g, &p) {
                            Some(c) => format!(
                                "side_{}",
                                c.iri.as_str().strip_prefix(&self.prefix).unwrap_or(polity)
                            ),
                            None => frag.to_owned(),
                        }
                    }
                    None => frag.to_owned(),
                };
                Some(NamedNode::new_unchecked(format!(
                    "{}#{frag}",
                    event.iri.as_str()
                )))
            }
        }
    }

    /// Rewrites one quad of a document graph into `out` (none, one, or two
    /// quads: a label the reduce replaced stays as an alternative label).
    /// Quads of graphs the plan does not know pass unchanged.
    pub fn rewrite(&self, q: Quad, out: &mut Vec<Quad>) {
        let GraphName::NamedNode(gn) = &q.graph_name else {
            out.push(q);
            return;
        };
        let Some(&g) = self.graphs.get(gn) else {
            out.push(q);
            return;
        };
        let subject_cluster = match &q.subject {
            NamedOrBlankNode::NamedNode(s) => self.cluster(g, s.as_str()),
            _ => None,
        };
        let subject = match &q.subject {
            NamedOrBlankNode::NamedNode(s) => self
                .map_iri(g, s)
                .map_or_else(|| q.subject.clone(), NamedOrBlankNode::from),
            _ => q.subject.clone(),
        };
        let p = q.predicate.as_ref();
        // One class per resource: the one the documents mostly say.
        if let (Some(c), Term::NamedNode(o)) = (subject_cluster, &q.object)
            && p == rdf::TYPE
            && Kind::of(o).is_some()
        {
            out.push(Quad::new(
                subject,
                q.predicate,
                c.kind.class(),
                q.graph_name,
            ));
            return;
        }
        if let (Some(c), Term::Literal(l)) = (subject_cluster, &q.object) {
            if p == rdfs::LABEL {
                out.push(Quad::new(
                    subject.clone(),
                    q.predicate.clone(),
                    en(&c.label),
                    q.graph_name.clone(),
                ));
                if l.value() != c.label {
                    out.push(Quad::new(
                        subject,
                        skos::ALT_LABEL,
                        en(l.value()),
                        q.graph_name,
                    ));
                }
                return;
            }
            if p == skos::ALT_LABEL && l.value() == c.label {
                return;
            }
        }
        let object = match &q.object {
            Term::NamedNode(o) => self
                .map_iri(g, o)
                .map_or_else(|| q.object.clone(), Term::from),
            _ => q.object.clone(),
        };
        out.push(Quad::new(subject, q.predicate, object, q.graph_name));
    }

    /// Whether two resources of graph `g` became one, so that its rewritten
    /// quads may repeat.
    pub fn merges_within(&self, g: &NamedNode) -> bool {
        self.graphs
            .get(g)
            .is_some_and(|&i| self.merged_within[i as usize])
    }

    /// A digest of what the reduce made of graph `g`'s resources (their
    /// IRIs, labels and classes): a graph whose map output and digest are
    /// both unchanged reduces to the same quads as before.
    pub fn mapping_digest(&self, graph: &NamedNode) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        let nodes = match self.graphs.get(graph) {
            Some(&g) => self.first[g as usize] as usize..self.first[g as usize + 1] as usize,
            None => 0..0,
        };
        for n in nodes {
            h.update(self.names.get(self.iris[n]).as_bytes());
            h.update([0]);
            if let Some(c) = self.clusters.get(self.cluster_of[n] as usize) {
                h.update(c.iri.as_str().as_bytes());
                h.update([0]);
                h.update(c.label.as_bytes());
                h.update([0]);
                h.update(c.kind.class().as_str().as_bytes());
            }
            h.update([1]);
        }
        crate::sources::hex(&h.finalize())
    }

    /// How many resources of each kind the reduced graph has.
    pub fn counts(&self) -> BTreeMap<Kind, usize> {
        let mut out = BTreeMap::new();
        for c in &self.clusters {
            *out.entry(c.kind).or_default() += 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_of_xsd_dates() {
        assert_eq!(year_of("1161-11-26"), Some(1161));
        assert_eq!(year_of("1161-11"), Some(1161));
        assert_eq!(year_of("0960"), Some(960));
        assert_eq!(year_of("-0005"), Some(-5));
        assert_eq!(year_of("x"), None);
    }

    #[test]
    fn event_labels_lose_the_year_a_document_added() {
        assert_eq!(
            event_base_label("Siege of Taiyuan (1126)"),
            "Siege of Taiyuan"
        );
        assert_eq!(event_base_label("Da Qi (Great Qi)"), "Da Qi (Great Qi)");
        assert_eq!(event_base_label("Battle of Caishi"), "Battle of Caishi");
    }

    fn res(base: &Base, name: &str, kind: Kind, label: &str) -> Res {
        Res {
            iri: base.resource(name),
            kind,
            label: label.to_owned(),
            alt: Vec::new(),
            mentions: 1,
            birth: None,
            death: None,
            start: None,
            end: None,
            start_month: None,
            end_month: None,
            place: None,
            belligerents: Vec::new(),
            attackers: Vec::new(),
            commanders: Vec::new(),
            subject: false,
        }
    }

    fn with_alt(mut r: Res, alt: &str) -> Res {
        r.alt = vec![alt.to_owned()];
        r
    }

    /// The plan of documents given as (graph id, resources).
    fn plan_of(base: &Base, docs: &[(&str, Vec<Res>)]) -> Plan {
        let mut sums = Summaries::default();
        for (g, r) in docs {
            sums.push(Summary {
                graph: base.graph(g),
                res: r.clone(),
            });
        }
        plan(sums, base)
    }

    /// The cluster of resource `name` of graph `g`.
    fn cluster_in<'p>(plan: &'p Plan, base: &Base, g: &str, name: &str) -> Option<&'p Cluster> {
        plan.cluster(plan.graphs[&base.graph(g)], base.resource(name).as_str())
    }

    #[test]
    fn an_alias_joins_a_person_only_to_a_name_documents_take_for_a_person() {
        let base = Base::default();
        let person = Kind::Entity(EntityClass::Person);
        let place = Kind::Entity(EntityClass::Place);
        let polity = Kind::Entity(EntityClass::Polity);
        let docs = [
            // A person also called by the place it is prince of.
            (
                "a",
                vec![with_alt(res(&base, "Ann_Lee", person, "Ann Lee"), "Qar")],
            ),
            ("b", vec![res(&base, "Qar", place, "Qar")]),
            ("c", vec![res(&base, "Qar", place, "Qar")]),
            // A person's other name, a person elsewhere.
            (
                "d",
                vec![with_alt(
                    res(&base, "Bo_Chen", person, "Bo Chen"),
                    "Chen Bo",
                )],
            ),
            ("e", vec![res(&base, "Chen_Bo", person, "Chen Bo")]),
            // A state also called by the name of its land: one resource.
            (
                "f",
                vec![with_alt(
                    res(&base, "Tal_dynasty", polity, "Tal dynasty"),
                    "Tal",
                )],
            ),
            ("g", vec![res(&base, "Tal", place, "Tal")]),
        ];
        let plan = plan_of(&base, &docs);
        let cluster = |g: &str, name: &str| {
            let c = cluster_in(&plan, &base, g, name);
            c.map(|c| (c.label.clone(), c.kind))
        };
        assert_eq!(cluster("a", "Ann_Lee"), Some(("Ann Lee".into(), person)));
        assert_eq!(cluster("b", "Qar"), Some(("Qar".into(), place)));
        assert_eq!(cluster("e", "Chen_Bo"), cluster("d", "Bo_Chen"));
        assert_eq!(cluster("g", "Tal"), cluster("f", "Tal_dynasty"));
    }

    #[test]
    fn a_state_named_after_a_city_is_not_the_city() {
        let base = Base::default();
        let place = Kind::Entity(EntityClass::Place);
        let polity = Kind::Entity(EntityClass::Polity);
        let docs = [
            // The city of Antar, and the Principality of Antar, which some
            // documents call "Antar" and others by its full name.
            ("a", vec![res(&base, "Antar", place, "Antar")]),
            ("b", vec![res(&base, "Antar", place, "Antar")]),
            (
                "c",
                vec![with_alt(
                    res(&base, "Antar", polity, "Antar"),
                    "Principality of Antar",
                )],
            ),
            (
                "d",
                vec![with_alt(
                    res(
                        &base,
                        "Principality_of_Antar",
                        polity,
                        "Principality of Antar",
                    ),
                    "Antar",
                )],
            ),
            // A kingdom named after a city no document calls a state.
            (
                "e",
                vec![with_alt(
                    res(&base, "Kingdom_of_Bel", polity, "Kingdom of Bel"),
                    "Bel",
                )],
            ),
            ("f", vec![res(&base, "Bel", place, "Bel")]),
            // A duchy most documents call by its city's name.
            ("g", vec![res(&base, "Ord", place, "Ord")]),
            (
                "h",
                vec![with_alt(res(&base, "Ord", polity, "Ord"), "Duchy of Ord")],
            ),
            (
                "i",
                vec![with_alt(res(&base, "Ord", polity, "Ord"), "Duchy of Ord")],
            ),
            (
                "j",
                vec![with_alt(
                    res(&base, "Duchy_of_Ord", polity, "Duchy of Ord"),
                    "Ord",
                )],
            ),
            // An empire named after its city, "Tarn Empire" or "Tarn".
            ("k", vec![res(&base, "Tarn", place, "Tarn")]),
            ("l", vec![res(&base, "Tarn", place, "Tarn")]),
            (
                "m",
                vec![with_alt(
                    res(&base, "Tarn_Empire", polity, "Tarn Empire"),
                    "Tarn",
                )],
            ),
            (
                "n",
                vec![with_alt(res(&base, "Tarn", polity, "Tarn"), "Tarn Empire")],
            ),
            // The city of Vesk and the Vesk Empire's people, "the Vesks",
            // whom one document calls "Vesk" too and another takes for the
            // empire.
            (
                "r",
                vec![with_alt(res(&base, "Vesks", polity, "Vesks"), "Vesk")],
            ),
            (
                "s",
                vec![with_alt(
                    res(&base, "Vesk_Empire", polity, "Vesk Empire"),
                    "Vesks",
                )],
            ),
            ("t", vec![res(&base, "Vesk", place, "Vesk")]),
            ("u", vec![res(&base, "Vesk", place, "Vesk")]),
            // The city of Dol, and the Dol dynasty, which one document
            // calls "Dol" without its full name.
            ("v", vec![res(&base, "Dol", place, "Dol")]),
            ("w", vec![res(&base, "Dol", place, "Dol")]),
            (
                "x",
                vec![with_alt(
                    res(&base, "Dol_dynasty", polity, "Dol dynasty"),
                    "Dol",
                )],
            ),
            ("y", vec![res(&base, "Dol", polity, "Dol")]),
            // An emirate named after a city no document calls a state.
            (
                "o",
                vec![with_alt(
                    res(&base, "Nadfar_Emirate", polity, "Nadfar Emirate"),
                    "Nadfar",
                )],
            ),
            ("p", vec![res(&base, "Nadfar", place, "Nadfar")]),
            ("q", vec![res(&base, "Nadfar", place, "Nadfar")]),
            // "The Emirate", also called "Nadfar" in its document.
            (
                "z",
                vec![with_alt(res(&base, "Emirate", polity, "Emirate"), "Nadfar")],
            ),
        ];
        let plan = plan_of(&base, &docs);
        let cluster = |g: &str, name: &str| {
            let c = cluster_in(&plan, &base, g, name);
            c.map(|c| (c.iri.as_str().to_owned(), c.kind))
        };
        let tarn = cluster("k", "Tarn");
        assert_eq!(tarn.as_ref().map(|c| c.1), Some(place));
        assert_eq!(cluster("l", "Tarn"), tarn);
        let empire = cluster("m", "Tarn_Empire");
        assert_eq!(empire.as_ref().map(|c| c.1), Some(polity));
        assert_ne!(empire, tarn);
        assert_eq!(cluster("n", "Tarn"), empire);
        let vesk = cluster("t", "Vesk");
        assert_eq!(vesk.as_ref().map(|c| c.1), Some(place));
        assert_eq!(cluster("u", "Vesk"), vesk);
        let vesks = cluster("r", "Vesks");
        assert_eq!(vesks.as_ref().map(|c| c.1), Some(polity));
        assert_eq!(cluster("s", "Vesk_Empire"), vesks);
        let dol = cluster("v", "Dol");
        assert_eq!(dol.as_ref().map(|c| c.1), Some(place));
        assert_eq!(cluster("w", "Dol"), dol);
        let dynasty = cluster("x", "Dol_dynasty");
        assert_eq!(dynasty.as_ref().map(|c| c.1), Some(polity));
        assert_eq!(cluster("y", "Dol"), dynasty);
        let nadfar = cluster("p", "Nadfar");
        assert_eq!(nadfar.as_ref().map(|c| c.1), Some(place));
        assert_eq!(cluster("q", "Nadfar"), nadfar);
        let emirate = cluster("o", "Nadfar_Emirate");
        assert_eq!(emirate.as_ref().map(|c| c.1), Some(polity));
        assert_ne!(emirate, nadfar);
        assert_ne!(cluster("z", "Emirate"), nadfar);
        let city = cluster("a", "Antar");
        assert_eq!(city.as_ref().map(|c| c.1), Some(place));
        assert_eq!(cluster("b", "Antar"), city);
        let state = cluster("c", "Antar");
        assert_eq!(state.as_ref().map(|c| c.1), Some(polity));
        assert_ne!(state, city);
        assert_eq!(cluster("d", "Principality_of_Antar"), state);
        assert_eq!(cluster("e", "Kingdom_of_Bel").map(|c| c.1), Some(polity));
        assert_eq!(cluster("f", "Bel").map(|c| c.1), Some(place));
        let duchy = cluster("h", "Ord");
        assert_eq!(duchy.as_ref().map(|c| c.1), Some(polity));
        assert_eq!(cluster("j", "Duchy_of_Ord"), duchy);
        assert_eq!(cluster("g", "Ord").map(|c| c.1), Some(place));
    }

    #[test]
    fn two_sieges_months_apart_are_two() {
        let base = Base::default();
        let place = Kind::Entity(EntityClass::Place);
        let siege = |start: (i32, Option<u8>), end: (i32, Option<u8>)| {
            let mut s = res(
                &base,
                "Siege_of_Ruvo",
                Kind::Event(EventClass::Siege),
                "Siege of Ruvo",
            );
            (s.start, s.start_month) = (Some(start.0), start.1);
            (s.end, s.end_month) = (Some(end.0), end.1);
            s.place = Some(0);
            vec![res(&base, "Ruvo", place, "Ruvo"), s]
        };
        let docs = [
            // Besieged in January 860, fallen in February.
            ("a", siege((860, Some(1)), (860, Some(2)))),
            // Besieged again in November 860, fallen in March 861.
            ("b", siege((860, Some(11)), (861, Some(3)))),
            // The first siege again, and one told by its years only.
            ("c", siege((860, Some(1)), (860, Some(3)))),
            ("d", siege((860, None), (860, None))),
            // Begun in November 860, fallen in 861 (no month): after February.
            ("e", siege((860, Some(11)), (861, None))),
        ];
        let plan = plan_of(&base, &docs);
        let cluster = |g: &str| cluster_in(&plan, &base, g, "Siege_of_Ruvo").map(|c| c.iri.clone());
        assert!(cluster("a").is_some());
        assert_ne!(cluster("a"), cluster("b"));
        assert_eq!(cluster("a"), cluster("c"));
        assert!(cluster("d") == cluster("a") || cluster("d") == cluster("b"));
        assert_ne!(cluster("e"), cluster("a"));
        // The same city either way.
        assert_eq!(
            cluster_in(&plan, &base, "a", "Ruvo").map(|c| c.iri.clone()),
            cluster_in(&plan, &base, "b", "Ruvo").map(|c| c.iri.clone())
        );
    }

    #[test]
    fn a_year_no_date_states_is_dropped_not_wrapped() {
        let base = Base::default();
        let mut r = res(&base, "X", Kind::Event(EventClass::Siege), "X");
        (r.start, r.start_month) = (Some(999_999_999), Some(5));
        (r.end, r.end_month) = (Some(-5), Some(3));
        let mut sums = Summaries::default();
        sums.push(Summary {
            graph: base.graph("a"),
            res: vec![r],
        });
        let n = &sums.nodes[0];
        assert_eq!(n.start(), None);
        assert_eq!(n.end(), Some(-5));
        assert_eq!(n.months(), (None, Some(-5 * 12 + 2)));
    }

    #[test]
    fn months_of_xsd_dates() {
        assert_eq!(year_month_of("1161-11-26"), Some((1161, 11)));
        assert_eq!(year_month_of("1161-11"), Some((1161, 11)));
        assert_eq!(year_month_of("0960"), Some((960, 0)));
        assert_eq!(year_month_of("-0005-03"), Some((-5, 3)));
        assert_eq!(year_month_of("x"), None);
    }

    #[test]
    fn a_resource_takes_56_bytes_in_the_summaries() {
        // The README's figure for the reduce's memory.
        assert_eq!(std::mem::size_of::<Node>(), 56);
    }

    #[test]
    fn summaries_keep_each_string_once_and_every_list() {
        let base = Base::default();
        let qar = res(&base, "Qar", Kind::Entity(EntityClass::Polity), "Qar");
        let mut battle = res(
            &base,
            "Battle_of_X",
            Kind::Event(EventClass::Battle),
            "Battle of X",
        );
        battle.alt = vec!["Qar".to_owned(), "X".to_owned()];
        battle.belligerents = vec![0];
        battle.commanders = vec![0, 0];
        battle.start = Some(1140);
        battle.place = Some(0);
        let mut sums = Summaries::default();
        for g in ["a", "b"] {
            sums.push(Summary {
                graph: base.graph(g),
                res: vec![qar.clone(), battle.clone()],
            });
        }
        // Two documents' IRIs, labels and aliases: Qar's IRI, "Qar",
        // Battle_of_X's IRI, "Battle of X", "X".
        assert_eq!(sums.names.0.len(), 5);
        let b = &sums.nodes[3];
        let alt: Vec<&str> = sums.alt(b).iter().map(|&s| sums.names.get(s)).collect();
        assert_eq!(alt, ["Qar", "X"]);
        assert_eq!(sums.belligerents(b), [0]);
        assert!(sums.attackers(b).is_empty());
        assert_eq!(sums.commanders(b), [0, 0]);
        assert_eq!(
            (b.start(), b.end(), b.birth(), b.place()),
            (Some(1140), None, None, Some(0))
        );
    }

    #[test]
    fn the_plan_maps_each_graphs_resources_whatever_order_they_come_in() {
        let base = Base::default();
        let summary = |g: &str, names: &[(&str, &str)]| Summary {
            graph: base.graph(g),
            res: names
                .iter()
                .map(|(n, l)| res(&base, n, Kind::Entity(EntityClass::Person), l))
                .collect(),
        };
        let docs = [
            summary("b", &[("Ann_Lee", "Ann Lee")]),
            summary("a", &[("Ann_Lee", "Ann Lee"), ("Bo_Chen", "Bo Chen")]),
        ];
        let mut digests = Vec::new();
        for order in [[0, 1], [1, 0]] {
            let mut sums = Summaries::default();
            for i in order {
                sums.push(docs[i].clone());
            }
            let plan = plan(sums, &base);
            assert_eq!(plan.clusters.len(), 2);
            let ann = base.resource("Ann_Lee");
            for g in [base.graph("a"), base.graph("b")] {
                let i = plan.graphs[&g];
                let c = plan.cluster(i, ann.as_str()).map(|c| c.label.as_str());
                assert_eq!(c, Some("Ann Lee"));
            }
            let bo = base.resource("Bo_Chen");
            assert!(
                plan.cluster(plan.graphs[&base.graph("b")], bo.as_str())
                    .is_none()
            );
            digests.push((
                plan.mapping_digest(&base.graph("a")),
                plan.mapping_digest(&base.graph("b")),
            ));
        }
        assert_eq!(digests[0], digests[1]);
        assert_ne!(digests[0].0, digests[0].1);
    }
}
