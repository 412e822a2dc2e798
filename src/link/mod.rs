//! Cross-linking with DBpedia: `owl:sameAs` links from the store's
//! entities and events to DBpedia resources, each with its evidence.
//!
//! Candidates come from a [`Lookup`]: the offline [`index::Index`] built
//! from DBpedia dump files, or a [`index::MemoryIndex`] of what a SPARQL
//! endpoint returned ([`endpoint`]). Matching does what link-discovery
//! frameworks do: normalized labels and aliases ([`normalize`]), redirects
//! followed, disambiguation pages never targets, a type check (a battle
//! links to a `dbo:MilitaryConflict`, never to the place it is named
//! after), a date check (persons' years, events' years), a score with a
//! threshold, and a one-to-one constraint per DBpedia resource.

pub mod endpoint;
pub mod evaluate;
pub mod index;
pub mod normalize;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

use oxigraph::model::{
    GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term, Triple,
};
use oxigraph::store::{StorageError, Store};

use crate::rdf::emit::Base;
pub use crate::rdf::vocab::dbo;
use crate::rdf::vocab::{jso, owl, skos};
use index::Resource;

/// The graph that holds the links, under the base's `graph/`.
pub const LINKS_GRAPH: &str = "links/dbpedia";
/// The graph that caches what an endpoint returned, under `graph/`.
pub const CACHE_GRAPH: &str = "cache/dbpedia";
/// The default `--threshold`.
pub const DEFAULT_THRESHOLD: f64 = 0.8;

const RDF_TYPE: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("http://www.w3.org/1999/02/22-rdf-syntax-ns#type");
const RDFS_LABEL: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("http://www.w3.org/2000/01/rdf-schema#label");
const XSD_DECIMAL: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("http://www.w3.org/2001/XMLSchema#decimal");

/// Errors of linking. Each names the file, directory or endpoint.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("no DBpedia index at {path} (pass --dbpedia-index DIR, or --no-link to skip linking)")]
    MissingIndex { path: PathBuf },
    #[error("{path}: no DBpedia dump files in it (.nt, .ttl, .nt.bz2 or .ttl.bz2)")]
    NoDumps { path: PathBuf },
    #[error("{path}: line {line}: malformed dump: {message}")]
    Dump {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("the DBpedia index at {path} is damaged ({message}); delete it to rebuild it")]
    BadIndex { path: PathBuf, message: String },
    #[error("cannot {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("SPARQL endpoint {url}: {message}")]
    Endpoint { url: String, message: String },
    #[error("{path}: line {line}: {message}")]
    Reference {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("the store: {0}")]
    Storage(#[from] StorageError),
}

/// Where candidates come from.
pub trait Lookup {
    /// Every resource carrying a label whose normalized key is `key`.
    fn by_key(&self, key: &str) -> Result<Vec<Resource>, LinkError>;
    /// A resource by IRI.
    fn resource(&self, iri: &str) -> Result<Option<Resource>, LinkError>;
}

/// The classes that get links, and the DBpedia class each must match.
fn target_class(class: &str) -> Option<NamedNodeRef<'static>> {
    Some(match class {
        "Conflict" | "Campaign" | "Battle" | "Siege" => dbo::MILITARY_CONFLICT,
        "Treaty" => dbo::TREATY,
        "Polity" => dbo::COUNTRY,
        "Person" => dbo::PERSON,
        "Place" => dbo::PLACE,
        _ => return None,
    })
}

/// The jinsong classes that get links.
pub const LINKED_CLASSES: &[NamedNodeRef<'static>] = &[
    jso::POLITY,
    jso::PERSON,
    jso::PLACE,
    jso::CONFLICT,
    jso::CAMPAIGN,
    jso::BATTLE,
    jso::SIEGE,
    jso::TREATY,
];

/// A local entity as the linker sees it.
#[derive(Debug, Clone, Default)]
pub struct Entity {
    pub iri: String,
    /// The jinsong class's local name (the most specific one).
    pub class: String,
    pub label: String,
    pub aliases: Vec<String>,
    pub birth: Option<i32>,
    pub death: Option<i32>,
    pub start: Option<i32>,
    pub end: Option<i32>,
    /// Years a person is known to have been alive in (reign years).
    pub active: Vec<i32>,
    /// Whether a person is a monarch (role or title "emperor").
    pub emperor: bool,
    /// Short names of the polities a person served ("Jin" for "Jin dynasty").
    pub allegiance: Vec<String>,
}

impl Entity {
    fn is_event(&self) -> bool {
        matches!(
            self.class.as_str(),
            "Conflict" | "Campaign" | "Battle" | "Siege" | "Treaty"
        )
    }

    /// Every label under which the entity is looked up.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.label.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

fn literal_year(t: &Term) -> Option<i32> {
    match t {
        Term::Literal(l) => normalize::year_of(l.value()),
        _ => None,
    }
}

/// Reads the entities of the linked classes from the store's default graph.
pub fn entities(store: &Store) -> Result<Vec<Entity>, LinkError> {
    let dg = GraphNameRef::DefaultGraph;
    let mut by_iri: BTreeMap<String, Entity> = BTreeMap::new();
    // Most general first, so a Siege (also a Battle) ends as a Siege.
    for class in [
        jso::POLITY,
        jso::PERSON,
        jso::PLACE,
        jso::CONFLICT,
        jso::TREATY,
        jso::CAMPAIGN,
        jso::BATTLE,
        jso::SIEGE,
    ] {
        for q in store.quads_for_pattern(None, Some(RDF_TYPE), Some(class.into()), Some(dg)) {
            let q = q?;
            let NamedOrBlankNode::NamedNode(s) = q.subject else {
                continue;
            };
            let local = class.as_str().trim_start_matches(jso::NS).to_owned();
            by_iri
                .entry(s.as_str().to_owned())
                .or_insert_with(|| Entity {
                    iri: s.as_str().to_owned(),
                    ..Entity::default()
                })
                .class = local;
        }
    }
    for e in by_iri.values_mut() {
        let s = NamedNodeRef::new_unchecked(&e.iri);
        let objects = |p: NamedNodeRef<'_>| -> Result<Vec<Term>, StorageError> {
            store
                .quads_for_pattern(Some(s.into()), Some(p), None, Some(dg))
                .map(|q| q.map(|q| q.object))
                .collect()
        };
        let mut labels: Vec<String> = objects(RDFS_LABEL)?
            .into_iter()
            .filter_map(|t| match t {
                Term::Literal(l) => Some(l.value().to_owned()),
                _ => None,
            })
            .collect();
        labels.sort();
        let mut labels = labels.into_iter();
        e.label = labels.next().unwrap_or_default();
        e.aliases = labels.collect();
        for t in objects(skos::ALT_LABEL)? {
            if let Term::Literal(l) = t
                && !e.aliases.iter().any(|a| a == l.value())
                && e.label != l.value()
            {
                e.aliases.push(l.value().to_owned());
            }
        }
        e.aliases.sort();
        let first = |p| -> Result<Option<i32>, StorageError> {
            Ok(objects(p)?.iter().filter_map(literal_year).min())
        };
        let last = |p| -> Result<Option<i32>, StorageError> {
            Ok(objects(p)?.iter().filter_map(literal_year).max())
        };
        e.birth = first(jso::BIRTH_YEAR)?;
        e.death = last(jso::DEATH_YEAR)?;
        e.start = first(jso::START_DATE)?;
        e.end = last(jso::END_DATE)?;
        for p in [jso::REIGN_START, jso::REIGN_END] {
            e.active.extend(objects(p)?.iter().filter_map(literal_year));
        }
        e.emperor = objects(jso::ROLE)?
            .iter()
            .any(|t| matches!(t, Term::Literal(l) if l.value().eq_ignore_ascii_case("emperor")))
            || e.labels().any(|l| l.starts_with("Emperor "));
        for t in objects(jso::ALLEGIANCE)? {
            if let Term::NamedNode(p) = t {
                e.allegiance.push(p.as_str().to_owned());
            }
        }
    }
    // Allegiances as the polities' short names.
    let short: HashMap<String, Vec<String>> = by_iri
        .values()
        .filter(|e| e.class == "Polity")
        .map(|e| (e.iri.clone(), polity_short_names(e)))
        .collect();
    for e in by_iri.values_mut() {
        let iris = std::mem::take(&mut e.allegiance);
        e.allegiance = iris
            .iter()
            .flat_map(|i| short.get(i).cloned().unwrap_or_default())
            .collect();
    }
    Ok(by_iri
        .into_values()
        .filter(|e| !e.label.is_empty())
        .collect())
}

/// The one-word names of a polity: "Jin" for "Jin dynasty" or an alias "Jin".
fn polity_short_names(e: &Entity) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in e.labels() {
        let l = l
            .strip_suffix(" dynasty")
            .or_else(|| l.strip_suffix(" Dynasty"))
            .unwrap_or(l);
        if !l.contains(' ')
            && l.chars().next().is_some_and(char::is_uppercase)
            && !out.iter().any(|o| o == l)
        {
            out.push(l.to_owned());
        }
    }
    out
}

/// A proposed link and its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub local: String,
    pub target: String,
    pub score: f64,
    /// What supported it: label, alias, redirect, type check, date check.
    pub methods: Vec<&'static str>,
    /// The DBpedia label that matched.
    pub matched_label: String,
    /// The resource whose label matched (a redirect page when followed).
    pub matched_resource: String,
}

/// Options of a linking run.
#[derive(Debug, Clone)]
pub struct Options {
    pub threshold: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threshold: DEFAULT_THRESHOLD,
        }
    }
}

/// Years agree when they differ by at most one (calendars, new-year dates).
fn years_agree(a: i32, b: i32) -> bool {
    (a - b).abs() <= 1
}

/// The date evidence between a local entity and a candidate: Some(true)
/// when some year agrees and none disagrees, Some(false) when one
/// disagrees, None when there is nothing to compare.
fn date_check(e: &Entity, r: &Resource, qualifier_years: &[i32]) -> Option<bool> {
    let mut pairs: Vec<(i32, i32)> = Vec::new();
    let (r_first, r_last) = match e.class.as_str() {
        "Person" => (r.birth, r.death),
        "Polity" => (r.start, r.end),
        _ => (r.start, r.end.or(r.start)),
    };
    let (r_first, r_last) = match (r_first, r_last, qualifier_years) {
        (None, None, [a, b, ..]) => (Some(*a), Some(*b)),
        (None, None, [a]) => (Some(*a), None),
        other => (other.0, other.1),
    };
    if e.class == "Person" {
        if let (Some(a), Some(b)) = (e.birth, r_first) {
            pairs.push((a, b));
        }
        if let (Some(a), Some(b)) = (e.death, r_last) {
            pairs.push((a, b));
        }
        // Reign years lie within the candidate's life.
        if let (Some(b), Some(d)) = (r_first, r_last) {
            for y in &e.active {
                pairs.push(if b - 1 <= *y && *y <= d + 1 {
                    (*y, *y)
                } else {
                    (*y, b)
                });
            }
        }
    } else if e.class == "Polity" {
        if let (Some(a), Some(b)) = (e.start, r_first) {
            pairs.push((a, b));
        }
        if let (Some(a), Some(b)) = (e.end, r_last) {
            pairs.push((a, b));
        }
    } else if e.is_event() {
        // The local start must fall within the candidate's span.
        if let (Some(a), Some(b)) = (e.start, r_first) {
            let end = r_last.unwrap_or(b).max(b);
            if a + 1 >= b && a <= end + 1 {
                pairs.push((a, a));
            } else {
                pairs.push((a, b));
            }
        }
    }
    if pairs.is_empty() {
        return None;
    }
    Some(pairs.iter().all(|(a, b)| years_agree(*a, *b)))
}

/// Scores one candidate for one entity; None when a check rules it out.
fn score(
    e: &Entity,
    candidate: &Resource,
    matched: &Resource,
    matched_label: &str,
    via_alias: bool,
    via_variant: bool,
) -> Option<Link> {
    if candidate.disambiguation || candidate.redirect.is_some() {
        return None;
    }
    let mut methods = Vec::new();
    let mut s = if via_alias || via_variant { 0.6 } else { 0.7 };
    methods.push(if via_alias { "alias" } else { "label" });
    if matched.iri != candidate.iri {
        s -= 0.05;
        methods.push("redirect");
    }
    let wanted = target_class(&e.class)?;
    if !candidate.types.is_empty() {
        if !candidate.types.iter().any(|t| t == wanted.as_str()) {
            return None;
        }
        s += 0.2;
        methods.push("type check");
    }
    let qualifier = normalize::normalize(matched_label)
        .qualifier
        .map(|q| normalize::qualifier_years(&q))
        .unwrap_or_default();
    match date_check(e, candidate, &qualifier) {
        Some(true) => {
            s += 0.1;
            methods.push("date check");
        }
        Some(false) => return None,
        None => {}
    }
    Some(Link {
        local: e.iri.clone(),
        target: candidate.iri.clone(),
        score: (s * 100.0_f64).round() / 100.0,
        methods,
        matched_label: matched_label.to_owned(),
        matched_resource: matched.iri.clone(),
    })
}

/// A spelling under which an entity is looked up.
struct Query {
    label: String,
    /// An alias rather than the entity's label.
    alias: bool,
    /// Not a name the text states but one built from it ("Emperor Shizong
    /// of Jin", "Battle of X" for "Siege of X"): its links need the years
    /// to agree.
    derived: bool,
}

/// The spellings of an entity: its labels, and for monarchs and events the
/// forms encyclopedia titles give them.
fn queries(e: &Entity, polities: &[String]) -> Vec<Query> {
    let mut out: Vec<Query> = e
        .labels()
        .enumerate()
        .map(|(i, l)| Query {
            label: l.to_owned(),
            alias: i > 0,
            derived: false,
        })
        .collect();
    if e.class == "Person" && e.emperor {
        // Chinese monarchs are titled "Emperor <temple name> of <dynasty>".
        let names: Vec<&str> = e
            .labels()
            .map(|l| l.strip_prefix("Emperor ").unwrap_or(l))
            .filter(|l| !l.contains(' '))
            .collect();
        let dynasties = if e.allegiance.is_empty() {
            polities
        } else {
            &e.allegiance
        };
        for n in names {
            for d in dynasties {
                out.push(Query {
                    label: format!("Emperor {n} of {d}"),
                    alias: true,
                    derived: true,
                });
            }
        }
    }
    if e.is_event() {
        for l in e.labels().map(str::to_owned).collect::<Vec<_>>() {
            for (a, b) in [("Siege of ", "Battle of "), ("Battle of ", "Siege of ")] {
                if let Some(rest) = l.strip_prefix(a) {
                    out.push(Query {
                        label: format!("{b}{rest}"),
                        alias: true,
                        derived: true,
                    });
                }
            }
        }
    }
    out
}

/// The best candidate of one entity, penalized by its close rivals.
fn best_for(e: &Entity, lookup: &dyn Lookup, ctx: &Context) -> Result<Option<Link>, LinkError> {
    let mut found: HashMap<String, Link> = HashMap::new();
    for q in queries(e, &ctx.polities) {
        let own = normalize::normalize(&q.label).key;
        for key in normalize::keys(&q.label) {
            for hit in lookup.by_key(&key)? {
                let candidate = match &hit.redirect {
                    Some(target) => match lookup.resource(target)? {
                        Some(t) => t,
                        None => continue,
                    },
                    None => hit.clone(),
                };
                let label = hit
                    .labels
                    .iter()
                    .find(|l| normalize::keys(l).contains(&key))
                    .cloned()
                    .unwrap_or_default();
                let matched_key = normalize::normalize(&label).key;
                // A trimmed form ("siege of x" of "Mongol siege of X") on either side.
                let variant = key != own || matched_key != key;
                let derived = q.derived || (e.is_event() && (matched_key != key || key != own));
                let Some(mut link) = score(e, &candidate, &hit, &label, q.alias, variant) else {
                    continue;
                };
                if derived && !link.methods.contains(&"date check") {
                    continue;
                }
                if let Some(era) = ctx.era
                    && outside_era(e, &candidate, era)
                {
                    link.score -= 0.15;
                }
                let keep = found
                    .get(&link.target)
                    .is_none_or(|old| link.score > old.score);
                if keep {
                    found.insert(link.target.clone(), link);
                }
            }
        }
    }
    let mut all: Vec<Link> = found.into_values().collect();
    all.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.target.cmp(&b.target)));
    let Some(mut best) = all.first().cloned() else {
        return Ok(None);
    };
    let rivals = all[1..]
        .iter()
        .filter(|l| l.score >= best.score - 0.1 + 1e-9)
        .count();
    best.score -= 0.15 * rivals as f64;
    best.score = (best.score * 100.0).round() / 100.0;
    Ok(Some(best))
}

/// What the whole graph says that helps judge one entity's candidates.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The first and last years of the graph's dated events.
    pub era: Option<(i32, i32)>,
    /// The short names of the graph's polities.
    pub polities: Vec<String>,
}

impl Context {
    pub fn of(entities: &[Entity]) -> Context {
        let years: Vec<i32> = entities
            .iter()
            .filter(|e| e.is_event())
            .filter_map(|e| e.start)
            .collect();
        let era = years.iter().min().copied().zip(years.iter().max().copied());
        let mut polities: Vec<String> = entities
            .iter()
            .filter(|e| e.class == "Polity")
            .flat_map(polity_short_names)
            .collect();
        polities.sort();
        polities.dedup();
        Context { era, polities }
    }
}

/// Margin, in years, around the graph's era within which an undated
/// entity's candidate is unsurprising.
const ERA_MARGIN: i32 = 150;

/// Whether a candidate lived or happened far from the era the graph is
/// about, while the entity itself has no years to check it by: a person
/// who died centuries before any event of the sources is likely a homonym.
fn outside_era(e: &Entity, r: &Resource, (first, last): (i32, i32)) -> bool {
    let own_years =
        e.birth.is_some() || e.death.is_some() || e.start.is_some() || !e.active.is_empty();
    if own_years {
        return false;
    }
    let (from, to) = match (r.birth.or(r.start), r.death.or(r.end)) {
        (Some(a), Some(b)) => (a, b),
        (Some(a), None) | (None, Some(a)) => (a, a),
        (None, None) => return false,
    };
    to < first - ERA_MARGIN || from > last + ERA_MARGIN
}

/// What a linking run found.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub entities: usize,
    pub links: Vec<Link>,
    /// Entities whose best candidate scored under the threshold.
    pub below_threshold: usize,
    /// Links dropped because another entity claimed the same resource.
    pub one_to_one_dropped: usize,
}

/// Links `entities` against `lookup`: best candidate per entity, the
/// threshold, then one local entity per DBpedia resource (the best; on a
/// tie, none).
pub fn link(
    entities: &[Entity],
    lookup: &dyn Lookup,
    opts: &Options,
) -> Result<Outcome, LinkError> {
    let mut out = Outcome {
        entities: entities.len(),
        ..Outcome::default()
    };
    let mut by_target: BTreeMap<String, Vec<Link>> = BTreeMap::new();
    let ctx = Context::of(entities);
    for e in entities {
        if let Some(best) = best_for(e, lookup, &ctx)? {
            if best.score + 1e-9 >= opts.threshold {
                by_target.entry(best.target.clone()).or_default().push(best);
            } else {
                out.below_threshold += 1;
            }
        }
    }
    for (_, mut claims) in by_target {
        claims.sort_by(|a, b| b.score.total_cmp(&a.score));
        let tie = claims.len() > 1 && (claims[0].score - claims[1].score).abs() < 1e-9;
        out.one_to_one_dropped += claims.len() - usize::from(!tie);
        if !tie {
            out.links.push(claims.swap_remove(0));
        }
    }
    out.links.sort_by(|a, b| a.local.cmp(&b.local));
    Ok(out)
}

/// The quads of the links graph for `links`.
pub fn link_quads(links: &[Link], base: &Base) -> Vec<Quad> {
    let g = GraphName::NamedNode(base.graph(LINKS_GRAPH));
    let mut out = Vec::new();
    let prefix = base.resource_prefix();
    for l in links {
        let local = NamedNode::new_unchecked(&l.local);
        let target = NamedNode::new_unchecked(&l.target);
        let name = l.local.strip_prefix(&prefix).unwrap_or(&l.local);
        let ev = NamedNode::new_unchecked(format!("{}link/dbpedia/{name}", base.as_str()));
        let mut add = |s: &NamedNode, p: NamedNodeRef<'_>, o: Term| {
            out.push(Quad::new(s.clone(), p, o, g.clone()));
        };
        add(&local, owl::SAME_AS, target.clone().into());
        add(&ev, RDF_TYPE, jso::LINK.into());
        add(&ev, jso::LINK_SUBJECT, local.into());
        add(&ev, jso::LINK_TARGET, target.into());
        add(
            &ev,
            jso::SCORE,
            Literal::new_typed_literal(format!("{:.2}", l.score), XSD_DECIMAL).into(),
        );
        for m in &l.methods {
            add(&ev, jso::METHOD, Literal::new_simple_literal(*m).into());
        }
        add(
            &ev,
            jso::MATCHED_LABEL,
            Literal::new_language_tagged_literal_unchecked(&l.matched_label, "en").into(),
        );
        add(
            &ev,
            jso::MATCHED_RESOURCE,
            NamedNode::new_unchecked(&l.matched_resource).into(),
        );
    }
    out
}

/// Whether the default graph is the merge of `graph`: every named graph
/// but the endpoint cache.
pub fn merged_graph(graph: &NamedOrBlankNode, base: &Base) -> bool {
    graph.to_string() != format!("<{}>", base.graph(CACHE_GRAPH).as_str())
}

/// Replaces the quads of `graph` with `quads` in one transaction, keeping
/// the default graph the merge of the named graphs: a triple leaves it only
/// when no other merged graph states it.
pub fn replace_graph(
    store: &Store,
    graph: &NamedNode,
    quads: &[Quad],
    base: &Base,
) -> Result<isize, LinkError> {
    replace_graphs(store, &[(graph, quads)], base)
}

/// As [`replace_graph`], for several graphs in one transaction. Returns by
/// how many triples the default graph grew (or shrank).
pub fn replace_graphs(
    store: &Store,
    graphs: &[(&NamedNode, &[Quad])],
    base: &Base,
) -> Result<isize, LinkError> {
    let mut delta: isize = 0;
    let mut tx = store.start_transaction()?;
    for (graph, quads) in graphs {
        let graph: &NamedNode = graph;
        let g = GraphNameRef::NamedNode(graph.as_ref());
        let old: Vec<Quad> = store
            .quads_for_pattern(None, None, None, Some(g))
            .collect::<Result<_, _>>()?;
        let merges = merged_graph(&NamedOrBlankNode::NamedNode(graph.clone()), base);
        let new_triples: HashSet<Triple> = quads
            .iter()
            .map(|q| Triple::new(q.subject.clone(), q.predicate.clone(), q.object.clone()))
            .collect();
        for q in &old {
            tx.remove(q);
            let t = Triple::new(q.subject.clone(), q.predicate.clone(), q.object.clone());
            if !merges || new_triples.contains(&t) {
                continue;
            }
            let elsewhere = store
                .quads_for_pattern(
                    Some(q.subject.as_ref()),
                    Some(q.predicate.as_ref()),
                    Some(q.object.as_ref()),
                    None,
                )
                .map(|o| {
                    o.map(|o| match &o.graph_name {
                        GraphName::DefaultGraph => false,
                        GraphName::NamedNode(n) => {
                            n != graph
                                && merged_graph(&NamedOrBlankNode::NamedNode(n.clone()), base)
                        }
                        GraphName::BlankNode(_) => true,
                    })
                })
                .collect::<Result<Vec<bool>, _>>()?
                .into_iter()
                .any(|b| b);
            if !elsewhere {
                tx.remove(&Quad::new(
                    q.subject.clone(),
                    q.predicate.clone(),
                    q.object.clone(),
                    GraphName::DefaultGraph,
                ));
                delta -= 1;
            }
        }
        let mut added: HashSet<&Quad> = HashSet::new();
        for q in quads.iter() {
            tx.insert(q);
            if merges && added.insert(q) {
                let d = Quad::new(
                    q.subject.clone(),
                    q.predicate.clone(),
                    q.object.clone(),
                    GraphName::DefaultGraph,
                );
                if !store.contains(&d)? {
                    delta += 1;
                }
                tx.insert(&d);
            }
        }
    }
    tx.commit()?;
    Ok(delta)
}

/// Writes `links` as the store's links graph, replacing the previous links.
pub fn write_links(store: &Store, links: &[Link], base: &Base) -> Result<usize, LinkError> {
    let quads = link_quads(links, base);
    replace_graph(store, &base.graph(LINKS_GRAPH), &quads, base)?;
    Ok(quads.len())
}

/// The links in a store: (local IRI, DBpedia IRI).
pub fn stored_links(store: &Store, base: &Base) -> Result<BTreeSet<(String, String)>, LinkError> {
    let g = base.graph(LINKS_GRAPH);
    let mut out = BTreeSet::new();
    for q in store.quads_for_pattern(None, Some(owl::SAME_AS), None, Some(g.as_ref().into())) {
        let q = q?;
        if let (NamedOrBlankNode::NamedNode(s), Term::NamedNode(o)) = (&q.subject, &q.object) {
            out.insert((s.as_str().to_owned(), o.as_str().to_owned()));
        }
    }
    Ok(out)
}

/// Where candidates come from in a run.
#[derive(Debug, Clone)]
pub enum Source {
    /// A directory of DBpedia dump files (or a built index).
    Offline(PathBuf),
    /// A SPARQL endpoint; `refresh` ignores what the store cached.
    Online {
        options: endpoint::EndpointOptions,
        refresh: bool,
    },
}

/// What a linking run did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub outcome: Outcome,
    /// Quads written to the links graph.
    pub quads: usize,
    /// Where the candidates came from, in words.
    pub source: String,
    /// The endpoint's traffic, when online.
    pub traffic: Option<endpoint::Traffic>,
    /// Labels answered from the store's cache, when online.
    pub cached_labels: usize,
    /// What the user should know about the run (a weak index, say).
    pub notes: Vec<String>,
}

/// What the store's cache graph holds: the endpoint, the labels asked
/// for, and the triples it answered.
type Cache = (Option<String>, BTreeSet<String>, Vec<Triple>);

/// Reads the store's cache graph.
fn read_cache(store: &Store, base: &Base) -> Result<Cache, LinkError> {
    let g = base.graph(CACHE_GRAPH);
    let mut url = None;
    let mut labels = BTreeSet::new();
    let mut triples = Vec::new();
    for q in store.quads_for_pattern(None, None, None, Some(g.as_ref().into())) {
        let q = q?;
        if q.subject == NamedOrBlankNode::NamedNode(g.clone()) {
            match (&q.predicate, &q.object) {
                (p, Term::NamedNode(u)) if p.as_ref() == jso::ENDPOINT => {
                    url = Some(u.as_str().to_owned())
                }
                (p, Term::Literal(l)) if p.as_ref() == jso::QUERIED_LABEL => {
                    labels.insert(l.value().to_owned());
                }
                _ => {}
            }
        } else {
            triples.push(Triple::new(q.subject, q.predicate, q.object));
        }
    }
    Ok((url, labels, triples))
}

/// Links the store's entities and writes the links graph (and, online, the
/// cache graph). Nothing is written when any step fails.
pub fn link_store(
    store: &Store,
    base: &Base,
    source: &Source,
    opts: &Options,
) -> Result<Report, LinkError> {
    let ents = entities(store)?;
    let mut report = Report::default();
    let outcome = match source {
        Source::Offline(dir) => {
            let idx = index::Index::open(dir)?;
            report.source = format!(
                "offline index of {} ({} {} resources, {} label keys)",
                dir.display(),
                if idx.built { "built:" } else { "reused:" },
                idx.stats.resources,
                idx.stats.labels
            );
            if idx.stats.subclass_axioms == 0 {
                report.notes.push(format!(
                    "{} has no rdfs:subClassOf axioms (add the DBpedia ontology file): only candidates typed with dbo:MilitaryConflict, dbo:Treaty, dbo:Country, dbo:Person or dbo:Place themselves pass the type check",
                    dir.display()
                ));
            }
            link(&ents, &idx, opts)?
        }
        Source::Online { options, refresh } => {
            let (url, cached, mut triples) = read_cache(store, base)?;
            let usable = !refresh && url.as_deref() == Some(options.url.as_str());
            let (mut cached, triples_kept) = if usable {
                (cached, std::mem::take(&mut triples))
            } else {
                (BTreeSet::new(), Vec::new())
            };
            let ctx = Context::of(&ents);
            let wanted: BTreeSet<String> = ents
                .iter()
                .flat_map(|e| queries(e, &ctx.polities))
                .map(|q| q.label)
                .collect();
            let missing: BTreeSet<String> = wanted.difference(&cached).cloned().collect();
            report.cached_labels = wanted.len() - missing.len();
            let client = endpoint::Client::new(options.clone())?;
            let fetched = if missing.is_empty() {
                Vec::new()
            } else {
                endpoint::fetch(&client, &missing)?
            };
            report.traffic = Some(client.traffic());
            let mut all: Vec<Triple> = triples_kept;
            all.extend(fetched);
            all.sort_by_key(|t| t.to_string());
            all.dedup();
            let mem = index::MemoryIndex::from_triples(&all);
            report.source = format!(
                "SPARQL endpoint {} ({} resources, {} labels from the store's cache)",
                options.url,
                mem.len(),
                report.cached_labels
            );
            let outcome = link(&ents, &mem, opts)?;
            cached.extend(missing);
            let g = base.graph(CACHE_GRAPH);
            let gn = GraphName::NamedNode(g.clone());
            let mut quads: Vec<Quad> = all
                .into_iter()
                .map(|t| Quad::new(t.subject, t.predicate, t.object, gn.clone()))
                .collect();
            quads.push(Quad::new(g.clone(), RDF_TYPE, jso::FETCH, gn.clone()));
            quads.push(Quad::new(
                g.clone(),
                jso::ENDPOINT,
                NamedNode::new(&options.url).map_err(|e| LinkError::Endpoint {
                    url: options.url.clone(),
                    message: e.to_string(),
                })?,
                gn.clone(),
            ));
            for l in cached {
                quads.push(Quad::new(
                    g.clone(),
                    jso::QUERIED_LABEL,
                    Literal::new_language_tagged_literal_unchecked(l, "en"),
                    gn.clone(),
                ));
            }
            let links = link_quads(&outcome.links, base);
            report.quads = links.len();
            replace_graphs(
                store,
                &[(&g, &quads), (&base.graph(LINKS_GRAPH), &links)],
                base,
            )?;
            report.outcome = outcome;
            return Ok(report);
        }
    };
    report.quads = write_links(store, &outcome.links, base)?;
    report.outcome = outcome;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(iri: &str, label: &str, types: &[&str]) -> Resource {
        Resource {
            iri: format!("http://dbpedia.org/resource/{iri}"),
            labels: vec![label.to_owned()],
            types: types
                .iter()
                .map(|t| format!("http://dbpedia.org/ontology/{t}"))
                .collect(),
            ..Resource::default()
        }
    }

    struct Mem(Vec<Resource>);
    impl Lookup for Mem {
        fn by_key(&self, key: &str) -> Result<Vec<Resource>, LinkError> {
            Ok(self
                .0
                .iter()
                .filter(|r| {
                    r.labels
                        .iter()
                        .any(|l| normalize::keys(l).iter().any(|k| k == key))
                })
                .cloned()
                .collect())
        }
        fn resource(&self, iri: &str) -> Result<Option<Resource>, LinkError> {
            Ok(self.0.iter().find(|r| r.iri == iri).cloned())
        }
    }

    fn entity(name: &str, class: &str) -> Entity {
        Entity {
            iri: format!(
                "https://w3id.org/jinsong/resource/{}",
                name.replace(' ', "_")
            ),
            class: class.to_owned(),
            label: name.to_owned(),
            ..Entity::default()
        }
    }

    #[test]
    fn a_battle_never_links_to_the_place_it_is_named_after() {
        let idx = Mem(vec![
            res("Caishi", "Caishi", &["Place", "Settlement"]),
            res(
                "Battle_of_Caishi",
                "Battle of Caishi",
                &["MilitaryConflict", "Event"],
            ),
        ]);
        let out = link(
            &[
                entity("Battle of Caishi", "Battle"),
                entity("Caishi", "Battle"),
            ],
            &idx,
            &Options::default(),
        )
        .unwrap();
        assert_eq!(out.links.len(), 1);
        assert!(out.links[0].target.ends_with("/Battle_of_Caishi"));
        assert!(out.links[0].methods.contains(&"type check"));
    }

    #[test]
    fn homonyms_link_by_their_years_or_not_at_all() {
        let mut a = res("Zhang_Jun_(general)", "Zhang Jun (general)", &["Person"]);
        a.birth = Some(1086);
        a.death = Some(1154);
        let mut b = res(
            "Zhang_Jun_(chancellor)",
            "Zhang Jun (chancellor)",
            &["Person"],
        );
        b.birth = Some(1097);
        b.death = Some(1164);
        let mut dis = res("Zhang_Jun", "Zhang Jun", &[]);
        dis.disambiguation = true;
        let idx = Mem(vec![a, b, dis]);
        let mut older = entity("Zhang Jun", "Person");
        older.iri.push_str("_(1086–1154)");
        older.birth = Some(1086);
        older.death = Some(1154);
        let undated = entity("Zhang Jun", "Person");
        let out = link(&[older, undated], &idx, &Options::default()).unwrap();
        assert_eq!(out.links.len(), 1, "{:?}", out.links);
        assert!(out.links[0].local.ends_with("(1086–1154)"));
        assert!(out.links[0].target.ends_with("(general)"));
        assert!(out.links[0].methods.contains(&"date check"));
    }

    #[test]
    fn redirects_are_followed_and_never_targets() {
        let mut r = res("Song_Dynasty", "Song Dynasty", &[]);
        r.redirect = Some("http://dbpedia.org/resource/Song_dynasty".into());
        let idx = Mem(vec![r, res("Song_dynasty", "Song dynasty", &["Country"])]);
        let mut e = entity("Song", "Polity");
        e.aliases = vec!["Song Dynasty".into()];
        let out = link(&[e], &idx, &Options::default()).unwrap();
        assert_eq!(out.links.len(), 1);
        assert!(out.links[0].target.ends_with("/Song_dynasty"));
    }

    #[test]
    fn the_threshold_and_one_to_one_hold() {
        let idx = Mem(vec![res("Xiangyang", "Xiangyang", &[])]);
        let out = link(&[entity("Xiangyang", "Place")], &idx, &Options::default()).unwrap();
        assert!(out.links.is_empty(), "untyped label match is under 0.8");
        let out = link(
            &[entity("Xiangyang", "Place")],
            &idx,
            &Options { threshold: 0.7 },
        )
        .unwrap();
        assert_eq!(out.links.len(), 1);
        let idx = Mem(vec![res("Xiangyang", "Xiangyang", &["Place"])]);
        let mut twin = entity("Xiangyang", "Place");
        twin.iri.push_str("_(2)");
        let out = link(
            &[entity("Xiangyang", "Place"), twin],
            &idx,
            &Options::default(),
        )
        .unwrap();
        assert!(out.links.is_empty(), "a tie for one resource links neither");
        assert_eq!(out.one_to_one_dropped, 2);
    }

    #[test]
    fn events_of_another_century_do_not_link() {
        let mut later = res(
            "Battle_of_Xiangyang",
            "Battle of Xiangyang",
            &["MilitaryConflict"],
        );
        later.start = Some(1267);
        later.end = Some(1273);
        let idx = Mem(vec![later]);
        let mut e = entity("Battle of Xiangyang", "Battle");
        e.start = Some(1134);
        assert!(
            link(&[e.clone()], &idx, &Options::default())
                .unwrap()
                .links
                .is_empty()
        );
        e.start = Some(1268);
        assert_eq!(
            link(&[e], &idx, &Options::default()).unwrap().links.len(),
            1
        );
    }
}
