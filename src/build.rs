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

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{BlankNode, GraphName, NamedNode, NamedOrBlankNode, Quad, Term};
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use sha2::{Digest, Sha256};

use crate::extract::{self, EventClass};
use crate::link::{self, LinkError};
use crate::rdf::emit::{self, Base, DERIVED_GRAPH, ONTOLOGY_GRAPH};
use crate::rdf::vocab::jso;
use crate::reduce::{self, Kind, Plan, Summaries, SummaryBuilder};
use crate::resolve;
use crate::shards::{self, CacheIndex, CachedGraph, CachedSource, ShardError, ShardEvent};
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
    /// What was reused from the previous build, when there was one.
    pub incremental: Option<Incremental>,
    /// Nothing changed since the previous build: nothing was done.
    pub up_to_date: bool,
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
    pub graph: NamedNode,
    /// Its quads and summary, by file name in the map cache.
    pub file: String,
    pub summary_file: String,
    /// SHA-256 of its map output.
    pub content: String,
    /// The source file it was mapped from (`None`: read from a shard).
    pub source: Option<CachedSource>,
    /// Taken from the previous build's map cache, not extracted.
    pub reused: bool,
    pub row: SourceRow,
}

/// A progress bar over the bytes of the sources to extract.
fn extract_progress(sources: &[SourceMeta]) -> Progress {
    let total = sources
        .iter()
        .filter_map(|m| std::fs::metadata(&m.path).ok())
        .map(|m| m.len())
        .sum();
    Progress::new(total, "extracting")
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

/// The map cache's file names of a graph: its id, made safe for a file
/// name, and a hash of its IRI (two ids that sanitize alike stay apart).
fn cache_names(graph: &NamedNode, id: &str) -> (String, String) {
    let h = Sha256::digest(graph.as_str().as_bytes());
    let stem = format!(
        "{}-{}",
        sources::manifest::sanitize_id(id),
        &sources::hex(&h)[..12]
    );
    (format!("{stem}.nq.lz4"), format!("{stem}.summary.json"))
}

fn cache_io<'a>(
    action: &'static str,
    path: &'a Path,
) -> impl FnOnce(std::io::Error) -> BuildError + 'a {
    move |source| {
        BuildError::Shard(ShardError::Io {
            action,
            path: path.to_owned(),
            source,
        })
    }
}

/// How a source is described in the map cache.
fn cached_source(meta: &SourceMeta, sha256: String) -> CachedSource {
    CachedSource {
        path: meta.path.to_string_lossy().into_owned(),
        sha256,
        format: meta.format.map(|f| f.name().to_owned()),
        title: meta.title.clone(),
        origin: meta.origin.clone(),
        licence: meta.licence.clone(),
    }
}

/// A file of the previous map cache, linked (or else copied) into the new one.
fn reuse_file(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::hard_link(from, to).or_else(|_| std::fs::copy(from, to).map(|_| ()))
}

/// The previous build's map output for `meta`, if its file, bytes and
/// description are unchanged: its files go into `dir`.
fn reuse(
    meta: &SourceMeta,
    source: &CachedSource,
    previous: Option<(&CacheIndex, &Path)>,
    dir: &Path,
) -> Option<(Mapped, reduce::Summary)> {
    let (index, old_dir) = previous?;
    let entry = index.graphs.iter().find(|g| g.id == meta.id)?;
    if entry.source.as_ref() != Some(source) {
        return None;
    }
    let summary =
        reduce::Summary::from_json(&std::fs::read_to_string(old_dir.join(&entry.summary)).ok()?)?;
    reuse_file(&old_dir.join(&entry.file), &dir.join(&entry.file)).ok()?;
    reuse_file(&old_dir.join(&entry.summary), &dir.join(&entry.summary)).ok()?;
    let mapped = Mapped {
        graph: summary.graph.clone(),
        file: entry.file.clone(),
        summary_file: entry.summary.clone(),
        content: entry.content.clone(),
        source: Some(source.clone()),
        reused: true,
        row: SourceRow {
            id: meta.id.clone(),
            format: entry.format_name.clone(),
            bytes: entry.bytes,
            path: meta.path.clone(),
            from_shard: false,
        },
    };
    Some((mapped, summary))
}

/// Writes a mapped graph's quads and summary into the map cache `dir`.
fn cache_graph(
    dir: &Path,
    graph: &NamedNode,
    id: &str,
    quads: &[Quad],
    summary: &reduce::Summary,
) -> Result<(String, String, String), BuildError> {
    let (file, summary_file) = cache_names(graph, id);
    let content = shards::write_cached(&dir.join(&file), quads)?;
    let path = dir.join(&summary_file);
    std::fs::write(&path, summary.to_json()).map_err(cache_io("write", &path))?;
    Ok((file, summary_file, content))
}

/// Maps `inputs` into the map cache `dir`: each source in parallel (one
/// document per task, dropped once its quads are written), unless the
/// previous build's cache has it unchanged; then the graphs of the shards.
fn map_all(
    inputs: &Inputs,
    base: &Base,
    dir: &Path,
    progress: &Progress,
    previous: Option<(&CacheIndex, &Path)>,
) -> Result<(Vec<Mapped>, Summaries), BuildError> {
    std::fs::create_dir_all(dir).map_err(cache_io("create", dir))?;
    let mut out: Vec<Mapped> = Vec::with_capacity(inputs.sources.len());
    let mut summaries = Summaries::default();
    // Chunks keep the first error the first in id order, and stop soon
    // after it; they are long enough that a long document does not leave
    // the other threads idle at their ends.
    let chunk = 32 * rayon::current_num_threads().max(1);
    for metas in inputs.sources.chunks(chunk) {
        let results: Vec<Result<(Mapped, reduce::Summary), BuildError>> = metas
            .par_iter()
            .map(|meta| {
                let bytes = sources::read_bytes(meta)?;
                let len = bytes.len() as u64;
                let sha = sources::sha256_hex(&bytes);
                let source = cached_source(meta, sha.clone());
                if let Some(m) = reuse(meta, &source, previous, dir) {
                    progress.inc(len);
                    return Ok(m);
                }
                let doc = sources::read_from(meta, bytes, sha)?;
                let quads = map_document(&doc, base);
                let graph = base.graph(&meta.id);
                let summary = reduce::summarize(&graph, &quads, base);
                let (file, summary_file, content) =
                    cache_graph(dir, &graph, &meta.id, &quads, &summary)?;
                progress.inc(len);
                let mapped = Mapped {
                    graph,
                    file,
                    summary_file,
                    content,
                    source: Some(source),
                    reused: false,
                    row: SourceRow {
                        id: meta.id.clone(),
                        format: doc.format.name().to_owned(),
                        bytes: Some(doc.original.len()),
                        path: meta.path.clone(),
                        from_shard: false,
                    },
                };
                Ok((mapped, summary))
            })
            .collect();
        for r in results {
            let (mapped, summary) = r?;
            out.push(mapped);
            summaries.push(summary);
        }
    }
    for shard in &inputs.shards {
        let mut current: Option<(SummaryBuilder, Vec<Quad>, String, Option<String>)> = None;
        let mut done: Vec<Mapped> = Vec::new();
        let mut failed: Option<BuildError> = None;
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
                        let summary = b.finish();
                        match cache_graph(dir, g, &id, &quads, &summary) {
                            Ok((file, summary_file, content)) => {
                                done.push(Mapped {
                                    graph: g.clone(),
                                    file,
                                    summary_file,
                                    content,
                                    source: None,
                                    reused: false,
                                    row: SourceRow {
                                        id,
                                        format: format.unwrap_or_else(|| "?".to_owned()),
                                        bytes: None,
                                        path: shard.clone(),
                                        from_shard: true,
                                    },
                                });
                                summaries.push(summary);
                            }
                            Err(e) => failed = Some(e),
                        }
                    }
                }
            }
            Ok(())
        })?;
        if let Some(e) = failed {
            return Err(e);
        }
        out.extend(done);
    }
    // One graph per source: the same id from two inputs is an error.
    out.sort_by(|a, b| a.graph.cmp(&b.graph));
    for w in out.windows(2) {
        if w[0].graph == w[1].graph {
            return Err(BuildError::DuplicateSource {
                id: w[0].row.id.clone(),
                first: w[0].row.path.clone(),
                second: w[1].row.path.clone(),
            });
        }
    }
    Ok((out, summaries))
}

/// One mapped graph, reduced: its quads read back from the map cache `dir`
/// and rewritten by the plan (quads made equal by the reduce, two names of
/// one thing in one document, written once).
fn reduced_graph(m: &Mapped, plan: &Plan, dir: &Path) -> Result<Vec<Quad>, ShardError> {
    let mut out = Vec::new();
    shards::read_cached(&dir.join(&m.file), |q| plan.rewrite(q, &mut out))?;
    if plan.merges_within(&m.graph) {
        dedup(&mut out);
    }
    Ok(out)
}

/// Quads, and facts (quads about resources), of a graph.
fn count(quads: &[Quad], prefix: &str) -> (usize, usize) {
    let facts = quads
        .iter()
        .filter(|q| matches!(&q.subject, NamedOrBlankNode::NamedNode(n) if n.as_str().starts_with(prefix)))
        .count();
    (quads.len(), facts)
}

/// Each quad, and its triple in the default graph (the store keeps a triple
/// once however many graphs state it).
fn with_default(quads: Vec<Quad>) -> impl Iterator<Item = Quad> {
    quads.into_iter().flat_map(|q| {
        let d = Quad::new(
            q.subject.clone(),
            q.predicate.clone(),
            q.object.clone(),
            GraphName::DefaultGraph,
        );
        [q, d]
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
            (
                reduce::summarize(&base.graph(&d.meta.id), &quads, base),
                quads,
            )
        })
        .collect();
    mapped.sort_by(|a, b| a.0.graph.cmp(&b.0.graph));
    let mut summaries = Summaries::default();
    let mut graphs = Vec::with_capacity(mapped.len());
    for (s, qs) in mapped {
        summaries.push(s);
        graphs.push(qs);
    }
    let plan = reduce::plan(summaries, base);
    let mut quads = Vec::new();
    for qs in graphs {
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
    let progress = extract_progress(&inputs.sources);
    let mut summary = ExtractSummary::default();
    // Each chunk's N-Quads wait in memory to be written in id order.
    let chunk = 16 * rayon::current_num_threads().max(1);
    for metas in inputs.sources.chunks(chunk) {
        let results: Vec<Result<Extracted, BuildError>> = metas
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

/// One source extracted: its N-Quads, quads and bytes.
type Extracted = (Vec<u8>, usize, usize);

/// What `extract_to` wrote.
#[derive(Debug, Default, Clone, Copy)]
pub struct ExtractSummary {
    pub sources: usize,
    pub bytes: usize,
    pub quads: usize,
}

/// The memory the bulk loader may use, in megabytes (its default is 2 GB
/// per thread; a build must stay well under 2 GB in all).
const LOADER_MEMORY_MB: usize = 512;

/// A build with more changed graphs than this share of all is loaded anew
/// rather than changed in place (one transaction per graph).
const INCREMENTAL_SHARE: f64 = 0.25;

/// What an incremental build did.
#[derive(Debug, Clone, Default)]
pub struct Incremental {
    /// Sources whose map output was taken from the previous build.
    pub reused: usize,
    /// Sources read and extracted (new or changed).
    pub extracted: Vec<String>,
    /// Graphs replaced in the store (document graphs and `derived`).
    pub replaced: Vec<String>,
    /// Graphs of sources no longer built, removed.
    pub removed: Vec<String>,
    /// Whether the store was changed in place (else loaded anew).
    pub in_place: bool,
}

/// What makes the binary: a new build of it may extract differently, so
/// nothing it did not map itself is reused.
fn binary_fingerprint() -> String {
    let exe = std::env::current_exe().ok();
    let meta = exe.as_ref().and_then(|p| std::fs::metadata(p).ok());
    let mtime = meta
        .as_ref()
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!(
        "{} {} {} {mtime}",
        env!("CARGO_PKG_VERSION"),
        exe.map(|p| p.display().to_string()).unwrap_or_default(),
        meta.map_or(0, |m| m.len())
    )
}

/// What linking and validation read, so that a build with the same
/// settings and files need not link or validate unchanged graphs again.
fn options_digest(
    linking: Option<(&link::Source, &link::Options)>,
    shapes: Option<&crate::validate::Shapes>,
) -> String {
    let mut text = String::new();
    match linking {
        None => text.push_str("no links\n"),
        Some((link::Source::Online { .. }, _)) => {
            // An endpoint's answers can change at any time.
            text.push_str(&format!("online {:?}\n", Instant::now()));
        }
        Some((link::Source::Offline(dir), opts)) => {
            text.push_str(&format!("offline {} {}\n", dir.display(), opts.threshold));
            let mut files: Vec<String> = std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|e| {
                    let m = e.metadata().ok()?;
                    let t = m
                        .modified()
                        .ok()?
                        .duration_since(std::time::UNIX_EPOCH)
                        .ok()?;
                    Some(format!(
                        "{} {} {}",
                        e.file_name().to_string_lossy(),
                        m.len(),
                        t.as_nanos()
                    ))
                })
                .collect();
            files.sort();
            text.push_str(&files.join("\n"));
        }
    }
    match shapes {
        None => text.push_str("\nno validation"),
        Some(s) => text.push_str(&format!("\nshapes {}", s.digest)),
    }
    crate::export::sha256_hex(text.as_bytes())
}

/// Removes a directory when dropped, unless it was taken elsewhere.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        if self.0.exists() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

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
    build_with(paths, base, store_path, linking, shapes, false)
}

/// As [`build`]. Unless `full`, the previous build's map cache is used:
/// sources whose bytes and description are unchanged are not extracted
/// again, and when few graphs changed the previous store is copied and only
/// those graphs are replaced in it. Nothing at all is done when nothing
/// changed.
pub fn build_with(
    paths: &[PathBuf],
    base: &Base,
    store_path: &Path,
    linking: Option<(&link::Source, &link::Options)>,
    shapes: Option<&crate::validate::Shapes>,
    full: bool,
) -> Result<Summary, BuildError> {
    let inputs = inputs(paths)?;
    if inputs.sources.is_empty() && inputs.shards.is_empty() {
        return Err(BuildError::NoSources);
    }
    store::recover(store_path)?;
    let binary = binary_fingerprint();
    let options = options_digest(linking, shapes);
    let previous = if full || !store_path.join("CURRENT").is_file() {
        None
    } else {
        CacheIndex::load(store_path).filter(|i| i.binary == binary && i.base == base.as_str())
    };
    let mut summary = Summary::default();
    // Nothing changed: nothing to do.
    if let Some(index) = &previous
        && inputs.shards.is_empty()
        && index.options == options
        && let Some(rows) = unchanged(&inputs.sources, index)?
    {
        summary.up_to_date = true;
        summary.sources = rows;
        summary.graphs = index.graphs.len();
        summary.quads = index.graphs.iter().map(|g| g.quads).sum();
        return Ok(summary);
    }
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
    let progress = extract_progress(&inputs.sources);

    // Map, into a scratch directory beside the store.
    let t = Instant::now();
    let scratch = Scratch(store::sibling(store_path, "map"));
    if scratch.0.exists() {
        std::fs::remove_dir_all(&scratch.0).map_err(cache_io("remove", &scratch.0))?;
    }
    let old_dir = store_path.join(shards::MAP_DIR);
    let (mapped, summaries) = map_all(
        &inputs,
        base,
        &scratch.0,
        &progress,
        previous.as_ref().map(|i| (i, old_dir.as_path())),
    )?;
    summary.timings.push(("map", t.elapsed()));
    summary.sources = mapped.iter().map(|m| m.row.clone()).collect();

    // Reduce.
    let t = Instant::now();
    let plan = reduce::plan(summaries, base);
    count_kinds(&plan, &mut summary);
    let mappings: Vec<String> = mapped
        .iter()
        .map(|m| plan.mapping_digest(&m.graph))
        .collect();
    let derived_digest = crate::export::sha256_hex(
        plan.derived
            .iter()
            .map(|q| q.to_string() + "\n")
            .collect::<String>()
            .as_bytes(),
    );
    summary.timings.push(("reduce", t.elapsed()));

    // What changed since the previous build.
    let old_graphs: HashMap<&str, &CachedGraph> = previous
        .iter()
        .flat_map(|i| i.graphs.iter())
        .map(|g| (g.graph.as_str(), g))
        .collect();
    let changed: Vec<usize> = (0..mapped.len())
        .filter(|&i| {
            old_graphs
                .get(mapped[i].graph.as_str())
                .is_none_or(|o| o.content != mapped[i].content || o.mapping != mappings[i])
        })
        .collect();
    let new_graphs: HashSet<&str> = mapped.iter().map(|m| m.graph.as_str()).collect();
    let removed: Vec<NamedNode> = old_graphs
        .keys()
        .filter(|g| !new_graphs.contains(*g))
        .map(|g| NamedNode::new_unchecked(*g))
        .collect();
    let derived_changed = previous
        .as_ref()
        .is_none_or(|i| i.derived != derived_digest);
    let in_place = previous.is_some()
        && ((changed.len() + removed.len()) as f64) <= INCREMENTAL_SHARE * mapped.len() as f64;
    if previous.is_some() {
        let mut replaced: Vec<String> = changed
            .iter()
            .map(|&i| format!("graph/{}", mapped[i].row.id))
            .collect();
        if derived_changed {
            replaced.push(format!("graph/{DERIVED_GRAPH}"));
        }
        summary.incremental = Some(Incremental {
            reused: mapped.iter().filter(|m| m.reused).count(),
            extracted: mapped
                .iter()
                .filter(|m| !m.reused && !m.row.from_shard)
                .map(|m| m.row.id.clone())
                .collect(),
            replaced,
            removed: removed
                .iter()
                .map(|g| {
                    format!(
                        "graph/{}",
                        shards::document_id(g, base).unwrap_or(g.as_str())
                    )
                })
                .collect(),
            in_place,
        });
    }
    let start = if in_place {
        store::Start::Previous
    } else {
        store::Start::Empty
    };

    let prefix = base.resource_prefix();
    let built = store::replace_with(
        store_path,
        start,
        |store, dir| -> Result<Summary, BuildError> {
            let map_dir = dir.join(shards::MAP_DIR);
            std::fs::rename(&scratch.0, &map_dir).map_err(cache_io("move", &scratch.0))?;
            let t = Instant::now();
            let mut counts: Vec<(usize, usize)> = mapped
                .iter()
                .map(|m| {
                    old_graphs
                        .get(m.graph.as_str())
                        .map_or((0, 0), |o| (o.quads, o.facts))
                })
                .collect();
            let write = |source| StoreError::Write {
                path: dir.to_owned(),
                source,
            };
            // How the default graph grows in place (it is counted anew after a load).
            let mut default_delta: isize = 0;
            if in_place {
                progress.phase("replacing", changed.len() as u64);
                for &i in &changed {
                    let quads = reduced_graph(&mapped[i], &plan, &map_dir)?;
                    counts[i] = count(&quads, &prefix);
                    default_delta += link::replace_graph(store, &mapped[i].graph, &quads, base)?;
                    progress.inc(1);
                }
                for g in &removed {
                    default_delta += link::replace_graph(store, g, &[], base)?;
                }
                if derived_changed {
                    default_delta += link::replace_graph(
                        store,
                        &base.graph(DERIVED_GRAPH),
                        &plan.derived,
                        base,
                    )?;
                }
                // What a whole build would not have: links when this one does
                // not link, a cache of answers when it does not ask an endpoint.
                if linking.is_none() {
                    default_delta +=
                        link::replace_graph(store, &base.graph(link::LINKS_GRAPH), &[], base)?;
                }
                if !matches!(
                    linking,
                    Some((link::Source::Online { refresh: false, .. }, _))
                ) {
                    link::replace_graph(store, &base.graph(link::CACHE_GRAPH), &[], base)?;
                }
            } else {
                progress.phase("loading", mapped.len() as u64);
                let mut failed: Option<ShardError> = None;
                let per_graph = mapped.iter().enumerate().flat_map(|(i, m)| {
                    let quads = match reduced_graph(m, &plan, &map_dir) {
                        Ok(q) => q,
                        Err(e) => {
                            failed.get_or_insert(e);
                            Vec::new()
                        }
                    };
                    counts[i] = count(&quads, &prefix);
                    progress.inc(1);
                    with_default(quads)
                });
                let extra = plan
                    .derived
                    .iter()
                    .cloned()
                    .chain(ontology_quads(base))
                    .collect::<Vec<Quad>>();
                let mut loader = store
                    .bulk_loader()
                    .with_max_memory_size_in_megabytes(LOADER_MEMORY_MB);
                loader
                    .load_quads(
                        per_graph
                            .chain(with_default(extra))
                            .chain(cached.iter().cloned()),
                    )
                    .map_err(write)?;
                if let Some(e) = failed {
                    return Err(e.into());
                }
                loader.commit().map_err(write)?;
            }
            progress.done();
            summary
                .timings
                .push((if in_place { "replace" } else { "load" }, t.elapsed()));
            // Flushing waits until RocksDB has compacted the files the loader
            // ingested; queries on a compacted store are about ten times faster
            // (10 MB corpus: `query counts` 9.9 s before, 1.0 s after), and the
            // linking, validation and counts below read it.
            let t = Instant::now();
            store.flush().map_err(write)?;
            summary.timings.push(("compact", t.elapsed()));
            if let Some((source, opts)) = linking {
                let t = Instant::now();
                // The links graph's triples are its own (no document states
                // owl:sameAs): the default graph changes by its size.
                let links = base.graph(link::LINKS_GRAPH);
                let before = store::count_triples(store, Some(&links)).map_err(LinkError::from)?;
                summary.link = Some(link::link_store(store, base, source, opts)?);
                let after = store::count_triples(store, Some(&links)).map_err(LinkError::from)?;
                default_delta += after as isize - before as isize;
                summary.timings.push(("link", t.elapsed()));
            }
            // Validation: every graph, or after a change in place with the same
            // settings, the graphs that changed (and the links).
            if let Some(shapes) = shapes {
                let t = Instant::now();
                let all = !in_place || previous.as_ref().is_none_or(|i| i.options != options);
                let v = if all {
                    crate::validate::validate(store, base, shapes, None)?
                } else {
                    let mut graphs: Vec<NamedNode> =
                        changed.iter().map(|&i| mapped[i].graph.clone()).collect();
                    if derived_changed {
                        graphs.push(base.graph(DERIVED_GRAPH));
                    }
                    if linking.is_some() {
                        graphs.push(base.graph(link::LINKS_GRAPH));
                    }
                    let mut report: Option<crate::validate::Report> = None;
                    for g in &graphs {
                        let r = crate::validate::validate(store, base, shapes, Some(g))?;
                        match &mut report {
                            Some(all) => all.graphs.extend(r.graphs),
                            None => report = Some(r),
                        }
                    }
                    match report {
                        Some(r) => r,
                        None => crate::validate::validate(
                            store,
                            base,
                            shapes,
                            Some(&base.graph(DERIVED_GRAPH)),
                        )?,
                    }
                };
                summary.timings.push(("validate", t.elapsed()));
                if v.violations() > 0 {
                    return Err(BuildError::Invalid {
                        count: v.violations(),
                        first: v.first_violation(base).unwrap_or_default(),
                    });
                }
                summary.validation = Some(v);
            }
            // Counts: the document graphs' from the reduce, the rest from the store.
            let t = Instant::now();
            let count_in = |g: Option<&NamedNode>| {
                store::count_triples(store, g).map_err(|source| StoreError::Write {
                    path: dir.to_owned(),
                    source,
                })
            };
            let others = [
                base.graph(DERIVED_GRAPH),
                base.graph(ONTOLOGY_GRAPH),
                base.graph(link::LINKS_GRAPH),
                base.graph(link::CACHE_GRAPH),
            ];
            let mut in_others = 0;
            for g in &others {
                in_others += count_in(Some(g))?;
            }
            summary.quads = counts.iter().map(|c| c.0).sum::<usize>() + in_others;
            summary.facts = counts.iter().map(|c| c.1).sum::<usize>() + plan.derived.len();
            summary.graphs = store.named_graphs().count();
            summary.merged = match previous.as_ref().and_then(|i| i.merged) {
                Some(merged) if in_place => (merged as isize + default_delta).max(0) as usize,
                _ => count_in(None)?,
            };
            summary.timings.push(("count", t.elapsed()));
            // The map cache's index, for the next build.
            CacheIndex {
                format: shards::CACHE_FORMAT,
                binary: binary.clone(),
                base: base.as_str().to_owned(),
                options: options.clone(),
                derived: derived_digest.clone(),
                merged: Some(summary.merged),
                graphs: mapped
                    .iter()
                    .zip(&mappings)
                    .zip(&counts)
                    .map(|((m, mapping), &(quads, facts))| CachedGraph {
                        graph: m.graph.as_str().to_owned(),
                        id: m.row.id.clone(),
                        file: m.file.clone(),
                        summary: m.summary_file.clone(),
                        content: m.content.clone(),
                        mapping: mapping.clone(),
                        source: m.source.clone(),
                        quads,
                        facts,
                        format_name: m.row.format.clone(),
                        bytes: m.row.bytes,
                        path: m.row.path.to_string_lossy().into_owned(),
                    })
                    .collect(),
            }
            .save(&map_dir)?;
            Ok(std::mem::take(&mut summary))
        },
    );
    progress.done();
    built
}

/// The sources' rows when every one is as the previous build read it (same
/// set, same files, bytes and descriptions); `None` when one changed.
fn unchanged(
    metas: &[SourceMeta],
    index: &CacheIndex,
) -> Result<Option<Vec<SourceRow>>, BuildError> {
    if metas.len() != index.graphs.len() {
        return Ok(None);
    }
    let by_id: HashMap<&str, &CachedGraph> =
        index.graphs.iter().map(|g| (g.id.as_str(), g)).collect();
    let mut rows = Vec::with_capacity(metas.len());
    for meta in metas {
        let Some(g) = by_id.get(meta.id.as_str()) else {
            return Ok(None);
        };
        let bytes = sources::read_bytes(meta)?;
        let source = cached_source(meta, sources::sha256_hex(&bytes));
        if g.source.as_ref() != Some(&source) {
            return Ok(None);
        }
        rows.push(SourceRow {
            id: meta.id.clone(),
            format: g.format_name.clone(),
            bytes: g.bytes,
            path: meta.path.clone(),
            from_shard: false,
        });
    }
    Ok(Some(rows))
}
