//! Map outputs on disk: the N-Quads of document graphs.
//!
//! Two kinds of files hold them. A *shard* is what `jinsong extract` writes:
//! plain N-Quads, the graphs of many documents one after the other, made
//! anywhere and read by `jinsong build`. The *map cache* is where a build
//! keeps each document's graph between the map and the load (and for the
//! next build, which re-extracts only what changed): one LZ4-compressed
//! N-Quads file per graph, in the store's own directory (`jinsong-map/`),
//! so that it is swapped in and out together with the store.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use oxigraph::io::{RdfFormat, RdfParseError, RdfParser, RdfSerializer};
use oxigraph::model::vocab::rdf;
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode, Quad, Term};

use crate::rdf::emit::{Base, DERIVED_GRAPH, ONTOLOGY_GRAPH};
use crate::rdf::vocab::jso;

/// The map cache's directory inside a store.
pub const MAP_DIR: &str = "jinsong-map";

/// The map cache's index, in [`MAP_DIR`]: what each graph was made from.
pub const INDEX_FILE: &str = "index.json";

/// Version of the map cache's layout.
pub const CACHE_FORMAT: u32 = 3;

/// What a build left in its map cache, for the next build to reuse.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct CacheIndex {
    pub format: u32,
    /// The binary that made it (a new extractor maps everything again).
    pub binary: String,
    pub base: String,
    /// Linking and validation settings, and what they read.
    pub options: String,
    /// Digest of `graph/derived`.
    pub derived: String,
    /// Triples of the store's default graph, when nothing but builds wrote
    /// the store since it was counted.
    pub merged: Option<usize>,
    pub graphs: Vec<CachedGraph>,
}

/// One document graph of the map cache.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CachedGraph {
    pub graph: String,
    pub id: String,
    /// File names in the map cache: the quads and the summary.
    pub file: String,
    pub summary: String,
    /// SHA-256 of the map output's N-Quads.
    pub content: String,
    /// What the reduce made of its resources (`Plan::mapping_digest`).
    pub mapping: String,
    /// The source file it was mapped from; `None` for a graph of a shard.
    pub source: Option<CachedSource>,
    /// Quads and facts of the reduced graph.
    pub quads: usize,
    pub facts: usize,
    /// The build summary's row.
    pub format_name: String,
    pub bytes: Option<usize>,
    pub path: String,
}

/// A source as a build read it: the same file, bytes and description map
/// to the same graph.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CachedSource {
    pub path: String,
    pub sha256: String,
    pub format: Option<String>,
    pub title: Option<String>,
    pub origin: Option<String>,
    pub licence: Option<String>,
}

impl CacheIndex {
    /// The index of the store at `store`, if it has one this binary can use.
    pub fn load(store: &Path) -> Option<CacheIndex> {
        let text = std::fs::read_to_string(store.join(MAP_DIR).join(INDEX_FILE)).ok()?;
        let index: CacheIndex = serde_json::from_str(&text).ok()?;
        (index.format == CACHE_FORMAT).then_some(index)
    }

    /// After `jinsong link` rewrote the links graph in place, with settings
    /// of its own: the next build still reuses the map cache, but links again
    /// as its options say (the store is not up to date with them) and counts
    /// the default graph anew.
    pub fn forget_links(store: &Path) {
        if let Some(mut index) = CacheIndex::load(store) {
            index.merged = None;
            index.options = String::new();
            let _ = index.save(&store.join(MAP_DIR));
        }
    }

    /// After a write the build did not make (SPARQL Update, Graph Store
    /// protocol): the store is no longer what the map cache describes, so
    /// the next build starts from the sources.
    pub fn forget(store: &Path) {
        let _ = std::fs::remove_file(store.join(MAP_DIR).join(INDEX_FILE));
    }

    pub fn save(&self, dir: &Path) -> Result<(), ShardError> {
        let path = dir.join(INDEX_FILE);
        let text = serde_json::to_string(self)
            .map_err(|e| io("write", &path)(std::io::Error::other(e)))?;
        std::fs::write(&path, text).map_err(io("write", &path))
    }
}

/// Errors reading or writing map outputs. Each names the file.
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    #[error("{path}: cannot {action}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: not N-Quads: {message}")]
    Syntax {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error(
        "{path}: quad {quad}: a triple in the default graph; a shard holds document graphs only"
    )]
    DefaultGraph { path: PathBuf, quad: u64 },
    #[error(
        "{path}: graph <{graph}> is not a document graph under {prefix} (was the shard made with another --base-iri?)"
    )]
    ForeignGraph {
        path: PathBuf,
        graph: String,
        prefix: String,
    },
    #[error(
        "{path}: graph <{graph}> has no source description (<{source_iri}> a jso:Source); shards are made by `jinsong extract`"
    )]
    NotADocument {
        path: PathBuf,
        graph: String,
        source_iri: String,
    },
    #[error(
        "{path}: quad {quad}: graph <{graph}> again, after other graphs; a shard holds each graph in one run (as `jinsong extract` writes it)"
    )]
    Split {
        path: PathBuf,
        quad: u64,
        graph: String,
    },
}

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> ShardError + 'a {
    move |source| ShardError::Io {
        action,
        path: path.to_owned(),
        source,
    }
}

/// Writes quads as N-Quads.
pub fn write_nquads(w: impl Write, quads: &[Quad]) -> std::io::Result<()> {
    let mut s = RdfSerializer::from_format(RdfFormat::NQuads).for_writer(w);
    for q in quads {
        s.serialize_quad(q)?;
    }
    s.finish()?.flush()
}

/// Writes one graph's quads into the map cache file `path`; returns the
/// SHA-256 of their N-Quads (what the graph held before the reduce).
pub fn write_cached(path: &Path, quads: &[Quad]) -> Result<String, ShardError> {
    let mut text = Vec::new();
    write_nquads(&mut text, quads).map_err(io("write", path))?;
    let digest = crate::export::sha256_hex(&text);
    let file = File::create(path).map_err(io("create", path))?;
    let mut enc = lz4_flex::frame::FrameEncoder::new(BufWriter::with_capacity(1 << 16, file));
    enc.write_all(&text).map_err(io("write", path))?;
    let mut inner = enc
        .finish()
        .map_err(|e| io("write", path)(std::io::Error::other(e)))?;
    inner.flush().map_err(io("write", path))?;
    Ok(digest)
}

/// Reads a map cache file, one quad at a time. The cache holds only what
/// jinsong wrote itself (shards are checked when they are copied in), so it
/// is parsed without validating IRIs again.
pub fn read_cached(path: &Path, mut each: impl FnMut(Quad)) -> Result<(), ShardError> {
    let file = File::open(path).map_err(io("open", path))?;
    let dec = lz4_flex::frame::FrameDecoder::new(BufReader::with_capacity(1 << 16, file));
    for q in RdfParser::from_format(RdfFormat::NQuads)
        .lenient()
        .for_reader(BufReader::with_capacity(1 << 16, dec))
    {
        each(q.map_err(|e| parse_error(path, e))?);
    }
    Ok(())
}

fn parse_error(path: &Path, e: RdfParseError) -> ShardError {
    match e {
        RdfParseError::Syntax(e) => ShardError::Syntax {
            path: path.to_owned(),
            line: e.location().map_or(0, |l| l.start.line + 1),
            message: e.to_string(),
        },
        RdfParseError::Io(source) => ShardError::Io {
            action: "read",
            path: path.to_owned(),
            source,
        },
    }
}

/// The source id of a document graph (`graph/<id>`), if it is one.
pub fn document_id<'a>(graph: &'a NamedNode, base: &Base) -> Option<&'a str> {
    let prefix = base.graph_prefix();
    let id = graph.as_str().strip_prefix(prefix.as_str())?;
    let reserved = [ONTOLOGY_GRAPH, DERIVED_GRAPH];
    (!id.is_empty() && !reserved.contains(&id) && !id.contains('/')).then_some(id)
}

/// What a shard holds, in order.
#[derive(Debug)]
pub enum ShardEvent<'a> {
    /// A graph's run starts.
    Start(&'a NamedNode),
    Quad(Quad),
    /// The graph's run ended.
    End(&'a NamedNode),
}

/// Reads a shard, calling `each` with every graph's start, quads and end.
/// Checks that every graph is a document graph of `base` (it describes its
/// source) and comes in one run.
pub fn read_shard(
    path: &Path,
    base: &Base,
    mut each: impl FnMut(ShardEvent<'_>) -> Result<(), ShardError>,
) -> Result<(), ShardError> {
    let file = File::open(path).map_err(io("open", path))?;
    let mut reader: Box<dyn Read> = Box::new(file);
    if path.extension().is_some_and(|e| e == "lz4") {
        reader = Box::new(lz4_flex::frame::FrameDecoder::new(reader));
    }
    let mut current: Option<(NamedNode, bool)> = None;
    let mut done: HashSet<NamedNode> = HashSet::new();
    let finish = |current: &mut Option<(NamedNode, bool)>,
                  each: &mut dyn FnMut(ShardEvent<'_>) -> Result<(), ShardError>|
     -> Result<(), ShardError> {
        if let Some((g, described)) = current.take() {
            if !described {
                let id = document_id(&g, base).unwrap_or_default();
                return Err(ShardError::NotADocument {
                    path: path.to_owned(),
                    graph: g.as_str().to_owned(),
                    source_iri: base.source(id).as_str().to_owned(),
                });
            }
            each(ShardEvent::End(&g))?;
        }
        Ok(())
    };
    for (n, q) in RdfParser::from_format(RdfFormat::NQuads)
        .for_reader(BufReader::with_capacity(1 << 16, reader))
        .enumerate()
    {
        let quad_number = n as u64 + 1;
        let q = q.map_err(|e| parse_error(path, e))?;
        let GraphName::NamedNode(g) = &q.graph_name else {
            return Err(ShardError::DefaultGraph {
                path: path.to_owned(),
                quad: quad_number,
            });
        };
        if current.as_ref().is_none_or(|(c, _)| c != g) {
            if done.contains(g) {
                return Err(ShardError::Split {
                    path: path.to_owned(),
                    quad: quad_number,
                    graph: g.as_str().to_owned(),
                });
            }
            finish(&mut current, &mut each)?;
            let Some(_) = document_id(g, base) else {
                return Err(ShardError::ForeignGraph {
                    path: path.to_owned(),
                    graph: g.as_str().to_owned(),
                    prefix: base.graph_prefix(),
                });
            };
            done.insert(g.clone());
            each(ShardEvent::Start(g))?;
            current = Some((g.clone(), false));
        }
        if let Some((g, described)) = &mut current
            && let (NamedOrBlankNode::NamedNode(s), Term::NamedNode(o)) = (&q.subject, &q.object)
            && q.predicate.as_ref() == rdf::TYPE
            && o.as_ref() == jso::SOURCE
            && Some(s.as_str())
                == document_id(g, base)
                    .map(|id| base.source(id))
                    .as_ref()
                    .map(|n| n.as_str())
        {
            *described = true;
        }
        each(ShardEvent::Quad(q))?;
    }
    finish(&mut current, &mut each)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_graphs_read_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.nq.lz4");
        let n = |s: &str| NamedNode::new_unchecked(format!("http://example.com/{s}"));
        let quads = vec![
            Quad::new(n("a"), n("p"), n("b"), n("g")),
            Quad::new(
                n("a"),
                n("p"),
                oxigraph::model::Literal::new_language_tagged_literal_unchecked("x \"y\"", "en"),
                n("g"),
            ),
        ];
        write_cached(&path, &quads).unwrap();
        let mut back = Vec::new();
        read_cached(&path, |q| back.push(q)).unwrap();
        assert_eq!(back, quads);
    }

    #[test]
    fn shards_hold_document_graphs_in_one_run() {
        let base = Base::default();
        let dir = tempfile::tempdir().unwrap();
        let g = |id: &str| base.graph(id);
        let src = |id: &str| Quad::new(base.source(id), rdf::TYPE, jso::SOURCE, g(id));
        let read = |quads: &[Quad]| -> Result<Vec<String>, ShardError> {
            let path = dir.path().join("s.nq");
            write_nquads(File::create(&path).unwrap(), quads).unwrap();
            let mut graphs = Vec::new();
            read_shard(&path, &base, |e| {
                if let ShardEvent::Start(g) = e {
                    graphs.push(g.as_str().to_owned());
                }
                Ok(())
            })?;
            Ok(graphs)
        };
        assert_eq!(read(&[src("a"), src("b")]).unwrap().len(), 2);
        let err = read(&[src("a"), src("b"), src("a")]).unwrap_err();
        assert!(matches!(err, ShardError::Split { quad: 3, .. }), "{err}");
        let lone = Quad::new(base.source("c"), rdf::TYPE, jso::PERSON, g("c"));
        let err = read(&[lone]).unwrap_err();
        assert!(matches!(err, ShardError::NotADocument { .. }), "{err}");
        let err = read(&[Quad::new(
            base.source("o"),
            rdf::TYPE,
            jso::SOURCE,
            g(ONTOLOGY_GRAPH),
        )])
        .unwrap_err();
        assert!(matches!(err, ShardError::ForeignGraph { .. }), "{err}");
    }
}
