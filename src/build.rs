//! The main job: map → reduce → load.
//!
//! - Map: each document on its own, read, extracted, resolved and emitted as
//!   its graph (`graph/<id>`), with IRIs minted from names. A pure function
//!   of the file, so it runs in parallel here, or anywhere as `jinsong
//!   extract`, whose N-Quads shards `build` takes as they are.
//! - Reduce ([`crate::reduce`]): one resource per real thing across the
//!   documents (aliases, homonyms, the same event told twice), decided from
//!   the mapped quads alone.
//! - Load: the reduced graphs, `graph/derived` and the ontology, with
//!   Oxigraph's bulk loader, into a new store that replaces the old one only
//!   when everything (linking and validation too) succeeded.
//!
//! Between map and load each graph waits in the map cache on disk (see
//! [`crate::shards`]), so memory holds one document per thread, not the
//! corpus. This module only wires the stages together and counts what they
//! made; each stage lives in its own module.

use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{
    BlankNode, GraphName, GraphNameRef, NamedNode, NamedOrBlankNode, Quad, Term,
};
use oxigraph::store::StorageError;
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use sha2::{Digest, Sha256};

use crate::extract::{self, EventClass};
use crate::link::{self, LinkError};
use crate::rdf::emit::{self, Base, ONTOLOGY_GRAPH};
use crate::rdf::vocab::jso;
use crate::reduce::{self, Kind, Plan, SummaryBuilder};
use crate::resolve;
use crate::shards::{self, ShardError, ShardEvent};
use crate::sources::{self, Document, SourceError, SourceMeta};
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
    #[error(transparent)]
    Shard(#[from] ShardError),
    #[error("source {id:?} is given twice: in {first} and in {second}")]
    DuplicateSource {
        id: String,
        first: PathBuf,
        second: PathBuf,
    },
    #[error("{path}: a shard is already extracted; `jinsong build` takes it as it is")]
    ShardToExtract { path: PathBuf },
    #[error("cannot write the output: {0}")]
    Output(#[source] std::io::Error),
}

/// What a build read and made.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub sources: Vec<SourceRow>,
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

/// The map step: the quads of one document's graph, from that document
/// alone. Resource IRIs are minted from names, so the same name in two
/// documents is the same IRI however and wherever each was mapped.
pub fn map_document(doc: &Document, base: &Base) -> Vec<Quad> {
    let docs = std::slice::from_ref(doc);
    let extractions = extract::extract_all(docs);
    let kb = resolve::resolve(&extractions);
    emit::emit(&kb, docs, base).0
}

/// The paths of a build, split by kind: sources (manifests, directories,
/// text files) and N-Quads shards made by `jinsong extract`.
#[derive(Debug, Default)]
pub struct Inputs {
    pub sources: Vec<SourceMeta>,
    pub shards: Vec<PathBuf>,
}

/// Whether a path is a shard (`.nq`, or `.nq.lz4`).
pub fn is_shard(path: &Path) -> bool {
    let name = path.to_string_lossy();
    name.ends_with(".nq") || name.ends_with(".nq.lz4")
}

/// What `paths` name (the bundled manifest when empty), in id order.
pub fn inputs(paths: &[PathBuf]) -> Result<Inputs, SourceError> {
    let (shards, sources): (Vec<PathBuf>, Vec<PathBuf>) =
        paths.iter().cloned().partition(|p| is_shard(p));
    let sources = if sources.is_empty() && shards.is_empty() {
        vec![bundled_manifest()]
    } else {
        sources
    };
    let mut metas = if sources.is_empty() {
        Vec::new()
    } else {
        sources::collect(&sources)?
    };
    metas.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Inputs {
        sources: metas,
        shards,
    })
}

/// Reads every source of `paths` (the bundled manifest when empty).
pub fn read_sources(paths: &[PathBuf]) -> Result<Vec<Document>, SourceError> {
    inputs(paths)?.sources.iter().map(sources::read).collect()
}

/// A progress bar on stderr for work that takes more than a second, drawn
/// only when stderr is a terminal.
struct Progress {
    bar: ProgressBar,
    started: Instant,
    shown: AtomicBool,
}

impl Progress {
    fn new(total: u64, what: &'static str) -> Self {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {elapsed}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(what);
        Progress {
            bar,
            started: Instant::now(),
            shown: AtomicBool::new(false),
        }
    }

    fn inc(&self, n: u64) {
        self.bar.inc(n);
        if self.started.elapsed() > Duration::from_secs(1)
            && !self.shown.swap(true, Ordering::Relaxed)
            && std::io::stderr().is_terminal()
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    fn phase(&self, what: &'static str, total: u64) {
        self.bar.set_message(what);
        self.bar.set_length(total);
        self.bar.set_position(0);
    }

    fn done(&self) {
        self.bar.finish_and_clear();
    }
}

/// One document graph between the map and the load.
#[derive(Debug)]
pub struct Mapped {
    pub summary: reduce::Summary,
    /// Its quads, in the map cache.
    pub file: PathBuf,
    pub row: SourceRow,
}

/// A source as the build summary lists it.
#[derive(Debug, Clone)]
pub struct SourceRow {
    pub id: String,
    pub format: String,
    /// Bytes of the source file (unknown for a graph read from a shard).
    pub bytes: Option<usize>,
    /// The source file, or the shard the graph came from.
    pub path: PathBuf,
    pub from_shard: bool,
}

/// The map cache file of a graph: its id, made safe for a file name, and a
/// hash of its IRI (two ids that sanitize alike stay apart).
fn cache_file(dir: &Path, graph: &NamedNode, id: &str) -> PathBuf {
    let h = Sha256::digest(graph.as_str().as_bytes());
    dir.join(format!(
        "{}-{}.nq.lz4",
        sources::manifest::sanitize_id(id),
        &sources::hex(&h)[..12]
    ))
}

/// Maps `metas` in parallel (one document per task, each dropped once its
/// quads are in the cache) and reads `shards`, into the map cache `dir`.
fn map_all(
    inputs: &Inputs,
    base: &Base,
    dir: &Path,
    progress: &Progress,
) -> Result<Vec<Mapped>, BuildError> {
    std::fs::create_dir_all(dir).map_err(|source| {
        BuildError::Shard(ShardError::Io {
            action: "create",
            path: dir.to_owned(),
            source,
        })
    })?;
    let mut out: Vec<Mapped> = Vec::with_capacity(inputs.sources.len());
    // Chunks keep the first error the first in id order, and stop soon after it.
    let chunk = 4 * rayon::current_num_threads().max(1);
    for metas in inputs.sources.chunks(chunk) {
        let results: Vec<Result<Mapped, BuildError>> = metas
            .par_iter()
            .map(|meta| {
                let doc = sources::read(meta)?;
                let quads = map_document(&doc, base);
                let graph = base.graph(&meta.id);
                let summary = reduce::summarize(&graph, &quads, base);
                let file = cache_file(dir, &graph, &meta.id);
                shards::write_cached(&file, &quads)?;
                progress.inc(doc.original.len() as u64);
                Ok(Mapped {
                    summary,
                    file,
                    row: SourceRow {
                        id: meta.id.clone(),
                        format: doc.format.name().to_owned(),
                        bytes: Some(doc.original.len()),
                        path: meta.path.clone(),
                        from_shard: false,
                    },
                })
            })
            .collect();
        for r in results {
            out.push(r?);
        }
    }
    for shard in &inputs.shards {
        let mut current: Option<(SummaryBuilder, Vec<Quad>, String, Option<String>)> = None;
        let mut done: Vec<Mapped> = Vec::new();
        shards::read_shard(shard, base, |event| {
            match event {
                ShardEvent::Start(g) => {
                    let id = shards::document_id(g, base).unwrap_or_default().to_owned();
                    current = Some((SummaryBuilder::new(g.clone(), base), Vec::new(), id, None));
                }
                ShardEvent::Quad(q) => {
                    if let Some((b, quads, id, format)) = &mut current {
                        b.add(&q);
                        if q.predicate.as_ref() == jso::FORMAT
                            && q.subject.as_ref() == base.source(id).as_ref().into()
                            && let Term::Literal(l) = &q.object
                        {
                            *format = Some(l.value().to_owned());
                        }
                        quads.push(q);
                    }
                }
                ShardEvent::End(g) => {
                    if let Some((b, quads, id, format)) = current.take() {
                        let file = cache_file(dir, g, &id);
                        shards::write_cached(&file, &quads)?;
                        done.push(Mapped {
                            summary: b.finish(),
                            file,
                            row: SourceRow {
                                id,
                                format: format.unwrap_or_else(|| "?".to_owned()),
                                bytes: None,
                                path: shard.clone(),
                                from_shard: true,
                            },
                        });
                    }
                }
            }
            Ok(())
        })?;
        out.extend(done);
    }
    // One graph per source: the same id from two inputs is an error.
    out.sort_by(|a, b| a.summary.graph.cmp(&b.summary.graph));
    for w in out.windows(2) {
        if w[0].summary.graph == w[1].summary.graph {
            return Err(BuildError::DuplicateSource {
                id: w[0].row.id.clone(),
                first: w[0].row.path.clone(),
                second: w[1].row.path.clone(),
            });
        }
    }
    Ok(out)
}

/// What the load made: counts of the reduced graph.
struct Loaded {
    quads: usize,
    facts: usize,
    graphs: usize,
}

/// The reduced quads of every mapped graph, then `graph/derived` and the
/// ontology, each also into the default graph (the store keeps a triple
/// once however many graphs state it). Quads made equal by the reduce (two
/// names of one thing in one document) are written once.
fn reduced_quads<'a>(
    mapped: &'a [Mapped],
    plan: &'a Plan,
    base: &'a Base,
    counts: &'a mut Loaded,
) -> impl Iterator<Item = Result<Quad, StorageError>> + 'a {
    let prefix = base.resource_prefix();
    let extra = plan
        .derived
        .iter()
        .cloned()
        .chain(ontology_quads(base))
        .collect::<Vec<Quad>>();
    let per_graph = mapped.iter().map(move |m| -> Result<Vec<Quad>, StorageError> {
        let mut out = Vec::new();
        shards::read_cached(&m.file, |q| plan.rewrite(q, &mut out))
            .map_err(|e| StorageError::Io(std::io::Error::other(e.to_string())))?;
        if plan.merges_within(&m.summary.graph) {
            dedup(&mut out);
        }
        Ok(out)
    });
    per_graph
        .chain(std::iter::once(Ok(extra)))
        .flat_map(move |r| -> Vec<Result<Quad, StorageError>> {
            match r {
                Err(e) => vec![Err(e)],
                Ok(quads) => {
                    counts.graphs += usize::from(!quads.is_empty());
                    let mut v = Vec::with_capacity(quads.len() * 2);
                    for q in quads {
                        counts.quads += 1;
                        if matches!(&q.subject, NamedOrBlankNode::NamedNode(n) if n.as_str().starts_with(&prefix))
                        {
                            counts.facts += 1;
                        }
                        let d = Quad::new(
                            q.subject.clone(),
                            q.predicate.clone(),
                            q.object.clone(),
                            GraphName::DefaultGraph,
                        );
                        v.push(Ok(q));
                        v.push(Ok(d));
                    }
                    v
                }
            }
        })
}

/// Drops repeated quads, keeping the first of each.
fn dedup(quads: &mut Vec<Quad>) {
    let mut seen: FxHashSet<Quad> = FxHashSet::default();
    seen.reserve(quads.len());
    quads.retain(|q| seen.insert(q.clone()));
}

/// A built graph, in memory (for tests and benchmarks: `build` streams).
pub struct Built {
    pub quads: Vec<Quad>,
    pub plan: Plan,
    pub summary: Summary,
}

/// Maps, reduces and emits the graph of `docs` in memory. The graph is a
/// function of the set of documents, whatever order they come in.
pub fn build_graph(docs: Vec<Document>, base: &Base) -> Built {
    let mut mapped: Vec<(reduce::Summary, Vec<Quad>)> = docs
        .par_iter()
        .map(|d| {
            let quads = map_document(d, base);
            (reduce::summarize(&base.graph(&d.meta.id), &quads, base), quads)
        })
        .collect();
    mapped.sort_by(|a, b| a.0.graph.cmp(&b.0.graph));
    let summaries: Vec<reduce::Summary> = mapped.iter().map(|m| m.0.clone()).collect();
    let plan = reduce::plan(&summaries, base);
    let mut quads = Vec::new();
    for (_, qs) in mapped {
        let mut out = Vec::new();
        for q in qs {
            plan.rewrite(q, &mut out);
        }
        dedup(&mut out);
        quads.extend(out);
    }
    quads.extend(plan.derived.iter().cloned());
    quads.extend(ontology_quads(base));
    let mut summary = Summary::default();
    for d in &docs {
        summary.sources.push(SourceRow {
            id: d.meta.id.clone(),
            format: d.format.name().to_owned(),
            bytes: Some(d.original.len()),
            path: d.meta.path.clone(),
            from_shard: false,
        });
    }
    count_kinds(&plan, &mut summary);
    summary.quads = quads.len();
    Built {
        quads,
        plan,
        summary,
    }
}

fn count_kinds(plan: &Plan, summary: &mut Summary) {
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
    for (kind, n) in plan.counts() {
        match kind {
            Kind::Entity(c) => *summary.entities.entry(c.name()).or_default() += n,
            Kind::Event(c) => *summary.events.entry(c.name()).or_default() += n,
        }
    }
}

/// `jinsong extract`: the map step alone. Each source's graph, as N-Quads,
/// in id order, to `out` (a shard for `jinsong build`). Sources are mapped
/// in parallel; nothing is kept once written.
pub fn extract_to(
    paths: &[PathBuf],
    base: &Base,
    out: &mut dyn Write,
) -> Result<ExtractSummary, BuildError> {
    let inputs = inputs(paths)?;
    if !inputs.shards.is_empty() {
        return Err(BuildError::ShardToExtract {
            path: inputs.shards[0].clone(),
        });
    }
    if inputs.sources.is_empty() {
        return Err(BuildError::NoSources);
    }
    let total: u64 = inputs
        .sources
        .iter()
        .filter_map(|m| std::fs::metadata(&m.path).ok())
        .map(|m| m.len())
        .sum();
    let progress = Progress::new(total, "extracting");
    let mut summary = ExtractSummary::default();
    let chunk = 4 * rayon::current_num_threads().max(1);
    for metas in inputs.sources.chunks(chunk) {
        let results: Vec<Result<(Vec<u8>, usize, usize), BuildError>> = metas
            .par_iter()
            .map(|meta| {
                let doc = sources::read(meta)?;
                let quads = map_document(&doc, base);
                let mut buf = Vec::new();
                shards::write_nquads(&mut buf, &quads).map_err(|source| {
                    BuildError::Shard(ShardError::Io {
                        action: "write",
                        path: meta.path.clone(),
                        source,
                    })
                })?;
                progress.inc(doc.original.len() as u64);
                Ok((buf, quads.len(), doc.original.len()))
            })
            .collect();
        for r in results {
            let (buf, quads, bytes) = r?;
            out.write_all(&buf).map_err(BuildError::Output)?;
            summary.sources += 1;
            summary.quads += quads;
            summary.bytes += bytes;
        }
    }
    progress.done();
    Ok(summary)
}

/// What `extract_to` wrote.
#[derive(Debug, Default, Clone, Copy)]
pub struct ExtractSummary {
    pub sources: usize,
    pub bytes: usize,
    pub quads: usize,
}

/// The memory the bulk loader may use, in megabytes (its default is 2 GB
/// per thread; a build must stay well under 2 GB in all).
const LOADER_MEMORY_MB: usize = 1024;

/// Builds the store at `store_path` from `paths` (sources and shards), and
/// links it with DBpedia when `linking` says how: everything is mapped,
/// reduced, loaded and linked into a new store first, and the store is
/// replaced only if all of it succeeded.
pub fn build(
    paths: &[PathBuf],
    base: &Base,
    store_path: &Path,
    linking: Option<(&link::Source, &link::Options)>,
    shapes: Option<&crate::validate::Shapes>,
) -> Result<Summary, BuildError> {
    let inputs = inputs(paths)?;
    if inputs.sources.is_empty() && inputs.shards.is_empty() {
        return Err(BuildError::NoSources);
    }
    let mut summary = Summary::default();
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
    let total: u64 = inputs
        .sources
        .iter()
        .filter_map(|m| std::fs::metadata(&m.path).ok())
        .map(|m| m.len())
        .sum();
    let progress = Progress::new(total, "extracting");
    let summary = store::replace_with(store_path, |store, dir| -> Result<Summary, BuildError> {
        let t = Instant::now();
        let mapped = map_all(&inputs, base, &dir.join(shards::MAP_DIR), &progress)?;
        summary.timings.push(("map", t.elapsed()));
        summary.sources = mapped.iter().map(|m| m.row.clone()).collect();
        let t = Instant::now();
        let summaries: Vec<reduce::Summary> = mapped.iter().map(|m| m.summary.clone()).collect();
        let plan = reduce::plan(&summaries, base);
        drop(summaries);
        count_kinds(&plan, &mut summary);
        summary.timings.push(("reduce", t.elapsed()));
        let t = Instant::now();
        progress.phase("loading", mapped.len() as u64);
        let mut counts = Loaded {
            quads: 0,
            facts: 0,
            graphs: 0,
        };
        let write = |source| StoreError::Write {
            path: dir.to_owned(),
            source,
        };
        {
            let mut loader = store
                .bulk_loader()
                .with_max_memory_size_in_megabytes(LOADER_MEMORY_MB);
            let quads = reduced_quads(&mapped, &plan, base, &mut counts);
            loader.load_ok_quads::<StorageError, StorageError>(quads).map_err(write)?;
            loader.load_quads(cached.iter().cloned()).map_err(write)?;
            loader.commit().map_err(write)?;
        }
        progress.done();
        summary.facts = counts.facts;
        summary.quads = counts.quads + cached.len();
        summary.graphs = counts.graphs + usize::from(!cached.is_empty());
        summary.merged = store
            .quads_for_pattern(None, None, None, Some(GraphNameRef::DefaultGraph))
            .count();
        summary.timings.push(("load", t.elapsed()));
        if let Some((source, opts)) = linking {
            let t = Instant::now();
            summary.link = Some(link::link_store(store, base, source, opts)?);
            summary.timings.push(("link", t.elapsed()));
            // The links graph joined the store: count again.
            let merged = store
                .quads_for_pattern(None, None, None, Some(GraphNameRef::DefaultGraph))
                .count();
            summary.graphs = store.named_graphs().count();
            summary.quads = store.len().map_err(LinkError::from)? - merged;
            summary.merged = merged;
        }
        if let Some(shapes) = shapes {
            let t = Instant::now();
            let v = crate::validate::validate(store, base, shapes, None)?;
            summary.timings.push(("validate", t.elapsed()));
            if v.violations() > 0 {
                return Err(BuildError::Invalid {
                    count: v.violations(),
                    first: v.first_violation(base).unwrap_or_default(),
                });
            }
            summary.validation = Some(v);
        }
        Ok(std::mem::take(&mut summary))
    });
    progress.done();
    summary
}
