//! The main job: sources → extraction → resolution → quads → a new store.
//!
//! This module only wires the stages together and counts what they made;
//! each stage lives in its own module.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{BlankNode, GraphName, GraphNameRef, NamedOrBlankNode, Quad, Term};

use crate::extract::{self, EntityClass, EventClass, Extraction};
use crate::link::{self, LinkError};
use crate::rdf::emit::{self, Base, ONTOLOGY_GRAPH};
use crate::resolve::{self, KnowledgeBase};
use crate::sources::{self, Document, SourceError};
use crate::store::{self, StoreError};

/// The ontology, as shipped.
pub const ONTOLOGY_TTL: &str = include_str!("../ontology/jinsong.ttl");

/// The bundled manifest, relative to the working directory.
pub const DEFAULT_MANIFEST: &str = "data/sources.toml";

/// The bundled manifest of the source tree this binary was built from.
pub fn bundled_manifest() -> PathBuf {
    let local = PathBuf::from(DEFAULT_MANIFEST);
    if local.is_file() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_MANIFEST)
}

/// The bundled offline DBpedia index (dump files) of the source tree.
pub fn bundled_dbpedia_index() -> PathBuf {
    let local = PathBuf::from(DEFAULT_DBPEDIA_INDEX);
    if local.is_dir() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_DBPEDIA_INDEX)
}

/// The bundled DBpedia dump files, relative to the working directory.
pub const DEFAULT_DBPEDIA_INDEX: &str = "data/dbpedia";

/// Errors of a build: which side failed, input or output.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("linking with DBpedia failed: {0}")]
    Link(#[from] LinkError),
    #[error("no sources to read")]
    NoSources,
    #[error(
        "the new graph violates its SHACL shapes: {count} violation{} (first: {first}); `jinsong build --no-validate` keeps it, `jinsong validate` reports every one",
        if *count == 1 { "" } else { "s" }
    )]
    Invalid { count: usize, first: String },
    #[error(transparent)]
    Validate(#[from] crate::validate::ValidateError),
}

/// What a build read and made.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    /// (id, format, bytes, path)
    pub sources: Vec<(String, String, usize, PathBuf)>,
    pub entities: BTreeMap<&'static str, usize>,
    pub events: BTreeMap<&'static str, usize>,
    pub facts: usize,
    pub quads: usize,
    pub graphs: usize,
    /// Triples of the default graph, the merge of the named graphs.
    pub merged: usize,
    pub timings: Vec<(&'static str, Duration)>,
    /// What linking did, when it ran.
    pub link: Option<link::Report>,
    /// Why a build that was to link did not.
    pub no_link_note: Option<String>,
    /// The SHACL report of the new store, when it was validated.
    pub validation: Option<crate::validate::Report>,
}

impl Summary {
    pub fn total_time(&self) -> Duration {
        self.timings.iter().map(|(_, d)| *d).sum()
    }
}

/// Reads every source of `paths` (the bundled manifest when empty).
pub fn read_sources(paths: &[PathBuf]) -> Result<Vec<Document>, SourceError> {
    let paths = if paths.is_empty() {
        vec![bundled_manifest()]
    } else {
        paths.to_vec()
    };
    let metas = sources::collect(&paths)?;
    metas.iter().map(sources::read).collect()
}

/// The ontology's quads, in `graph/ontology`. Its blank nodes (class
/// unions) get the same ids in every build, so builds stay byte-identical.
pub fn ontology_quads(base: &Base) -> Vec<Quad> {
    let g = GraphName::NamedNode(base.graph(ONTOLOGY_GRAPH));
    let mut ids: HashMap<BlankNode, BlankNode> = HashMap::new();
    let mut stable = |b: BlankNode| {
        let n = ids.len();
        ids.entry(b)
            .or_insert_with(|| BlankNode::new_unchecked(format!("ontology{n}")))
            .clone()
    };
    RdfParser::from_format(RdfFormat::Turtle)
        .with_default_graph(g)
        .for_slice(ONTOLOGY_TTL.as_bytes())
        .filter_map(Result::ok)
        .map(|mut q| {
            if let NamedOrBlankNode::BlankNode(b) = q.subject {
                q.subject = stable(b).into();
            }
            if let Term::BlankNode(b) = q.object {
                q.object = stable(b).into();
            }
            q
        })
        .collect()
}

/// A built graph, before it is stored.
pub struct Built {
    pub docs: Vec<Document>,
    pub extractions: Vec<Extraction>,
    pub kb: KnowledgeBase,
    pub quads: Vec<Quad>,
    pub summary: Summary,
}

/// Extracts, resolves and emits the graph of `docs`. The documents are
/// taken in the order of their source ids, whatever order they were listed
/// in: the graph is a function of the set of sources (resolution lets the
/// first document that names a thing choose its label).
pub fn build_graph(mut docs: Vec<Document>, base: &Base) -> Built {
    docs.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
    let mut summary = Summary::default();
    for d in &docs {
        summary.sources.push((
            d.meta.id.clone(),
            d.format.name().to_owned(),
            d.original.len(),
            d.meta.path.clone(),
        ));
    }
    let t = Instant::now();
    let extractions = extract::extract_all(&docs);
    summary.timings.push(("extract", t.elapsed()));
    let t = Instant::now();
    let kb = resolve::resolve(&extractions);
    summary.timings.push(("resolve", t.elapsed()));
    let t = Instant::now();
    let (mut quads, stats) = emit::emit(&kb, &docs, base);
    quads.extend(ontology_quads(base));
    summary.timings.push(("emit", t.elapsed()));
    for e in &kb.entities {
        let c = match e.class {
            EntityClass::Polity => "Polity",
            EntityClass::Person => "Person",
            EntityClass::Place => "Place",
        };
        *summary.entities.entry(c).or_default() += 1;
    }
    for e in &kb.events {
        *summary.events.entry(e.class.name()).or_default() += 1;
    }
    for c in ["Polity", "Person", "Place"] {
        summary.entities.entry(c).or_default();
    }
    for c in [
        EventClass::Conflict,
        EventClass::Campaign,
        EventClass::Battle,
        EventClass::Siege,
        EventClass::Treaty,
    ] {
        summary.events.entry(c.name()).or_default();
    }
    let prefix = base.resource_prefix();
    summary.facts = quads
        .iter()
        .filter(|q| matches!(&q.subject, NamedOrBlankNode::NamedNode(n) if n.as_str().starts_with(&prefix)))
        .count();
    let _ = stats;
    summary.quads = quads.len();
    summary.graphs = quads
        .iter()
        .map(|q| q.graph_name.clone())
        .collect::<std::collections::HashSet<_>>()
        .len();
    Built {
        docs,
        extractions,
        kb,
        quads,
        summary,
    }
}

/// Builds the store at `store_path` from `paths`, and links it with DBpedia
/// when `linking` says how: everything is read, built and linked first, and
/// the store is replaced only if all of it succeeded.
pub fn build(
    paths: &[PathBuf],
    base: &Base,
    store_path: &Path,
    linking: Option<(&link::Source, &link::Options)>,
    shapes: Option<&crate::validate::Shapes>,
) -> Result<Summary, BuildError> {
    let t = Instant::now();
    let docs = read_sources(paths)?;
    if docs.is_empty() {
        return Err(BuildError::NoSources);
    }
    let read = t.elapsed();
    let built = build_graph(docs, base);
    let mut summary = built.summary;
    summary.timings.insert(0, ("read", read));
    let t = Instant::now();
    let merged = store::merge(&built.quads);
    summary.merged = merged.len();
    // What an endpoint answered before stays cached in the new store.
    let mut cached: Vec<Quad> = Vec::new();
    if let Some((link::Source::Online { refresh: false, .. }, _)) = linking
        && store_path.exists()
        && let Ok(old) = store::open_read_only(store_path)
    {
        let g = base.graph(link::CACHE_GRAPH);
        // A cache that cannot be read is only a cache: the endpoint is asked again.
        cached = old
            .quads_for_pattern(None, None, None, Some(g.as_ref().into()))
            .collect::<Result<_, _>>()
            .unwrap_or_default();
    }
    let mut link_time = Duration::ZERO;
    let mut validate_time = Duration::ZERO;
    let mut counts = None;
    let (link, validation) = store::replace_then(
        store_path,
        built.quads.into_iter().chain(merged).chain(cached),
        |store| -> Result<_, BuildError> {
            let mut report = None;
            if let Some((source, opts)) = linking {
                let t = Instant::now();
                report = Some(link::link_store(store, base, source, opts)?);
                link_time = t.elapsed();
                // The links graph (and a cache) joined the store: count again.
                let merged = store
                    .quads_for_pattern(None, None, None, Some(GraphNameRef::DefaultGraph))
                    .count();
                let graphs = store.named_graphs().count();
                counts = Some((
                    store.len().map_err(LinkError::from)? - merged,
                    graphs,
                    merged,
                ));
            }
            let mut validation = None;
            if let Some(shapes) = shapes {
                let t = Instant::now();
                let v = crate::validate::validate(store, base, shapes, None)?;
                validate_time = t.elapsed();
                if v.violations() > 0 {
                    return Err(BuildError::Invalid {
                        count: v.violations(),
                        first: v.first_violation(base).unwrap_or_default(),
                    });
                }
                validation = Some(v);
            }
            Ok((report, validation))
        },
    )?;
    summary.link = link;
    summary.validation = validation;
    summary
        .timings
        .push(("store", t.elapsed() - link_time - validate_time));
    if summary.link.is_some() {
        summary.timings.push(("link", link_time));
    }
    if summary.validation.is_some() {
        summary.timings.push(("validate", validate_time));
    }
    if let Some((quads, graphs, merged)) = counts {
        (summary.quads, summary.graphs, summary.merged) = (quads, graphs, merged);
    }
    Ok(summary)
}
