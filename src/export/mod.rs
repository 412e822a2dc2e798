//! Export: the store, or one graph of it, in an RDF format.
//!
//! Turtle, N-Triples and RDF/XML hold triples: exported whole, they are the
//! store's default graph, the merge of all named graphs (a triple stated by
//! two sources appears once). N-Quads, TriG and JSON-LD keep every named
//! graph; the default graph is left out of them, since it is derived from
//! those. JSON-LD is compacted with the published context ([`jsonld`]).
//! Canonical output is N-Quads under RDFC-1.0 with its SHA-256, the same
//! bytes for the same graph whatever order it was built in. Output is
//! sorted, so two exports of the same store are byte-identical; writing to a
//! file goes through a temporary file that replaces the target only when
//! complete. This module reads the store; it never writes it.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, GraphNameRef, NamedNode, Quad};
use oxigraph::store::{StorageError, Store};

use std::collections::HashMap;

use oxigraph::model::{NamedNodeRef, NamedOrBlankNode, Term};

pub mod jsonld;

use crate::link::LINKS_GRAPH;
use crate::rdf::emit::{Base, ONTOLOGY_GRAPH};
use crate::rdf::vocab::{jso, owl};

/// The vocabulary an export speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Vocab {
    /// jinsong's own: `jso:` terms, `jsr:` resources.
    #[default]
    Jinsong,
    /// DBpedia's: linked resources as their `dbr:` IRIs, classes and
    /// properties as their `dbo:`/`dbp:` equivalents from the ontology's
    /// alignment axioms (terms without one stay `jso:`).
    Dbpedia,
}

const DBO: &str = "http://dbpedia.org/ontology/";
const DBP: &str = "http://dbpedia.org/property/";
const RDF_TYPE: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("http://www.w3.org/1999/02/22-rdf-syntax-ns#type");

/// Maps jinsong's terms and linked resources to DBpedia's.
struct ToDbpedia {
    resources: HashMap<NamedNode, NamedNode>,
    terms: HashMap<NamedNode, NamedNode>,
}

impl ToDbpedia {
    fn new(store: &Store, base: &Base) -> Result<Self, StorageError> {
        let mut resources = HashMap::new();
        let links = base.graph(LINKS_GRAPH);
        for q in
            store.quads_for_pattern(None, Some(owl::SAME_AS), None, Some(links.as_ref().into()))
        {
            let q = q?;
            if let (NamedOrBlankNode::NamedNode(s), Term::NamedNode(o)) = (q.subject, q.object) {
                resources.insert(s, o);
            }
        }
        // One alignment step per term: equivalence first, then a dbo:
        // superterm, then a dbp: one; a term aligned only to another jso:
        // term takes that term's alignment.
        let onto = base.graph(ONTOLOGY_GRAPH);
        let mut direct: HashMap<NamedNode, (u8, NamedNode)> = HashMap::new();
        for (p, rank) in [
            ("http://www.w3.org/2002/07/owl#equivalentClass", 0u8),
            ("http://www.w3.org/2002/07/owl#equivalentProperty", 0),
            ("http://www.w3.org/2000/01/rdf-schema#subClassOf", 1),
            ("http://www.w3.org/2000/01/rdf-schema#subPropertyOf", 1),
        ] {
            let p = NamedNodeRef::new_unchecked(p);
            for q in store.quads_for_pattern(None, Some(p), None, Some(onto.as_ref().into())) {
                let q = q?;
                let (NamedOrBlankNode::NamedNode(s), Term::NamedNode(o)) = (q.subject, q.object)
                else {
                    continue;
                };
                if !s.as_str().starts_with(jso::NS) {
                    continue;
                }
                let rank = match o.as_str() {
                    x if x.starts_with(DBO) => rank,
                    x if x.starts_with(DBP) => rank + 2,
                    x if x.starts_with(jso::NS) => 9,
                    _ => continue,
                };
                if direct.get(&s).is_none_or(|(r, _)| rank < *r) {
                    direct.insert(s, (rank, o));
                }
            }
        }
        let mut terms = HashMap::new();
        for s in direct.keys() {
            let mut t = s.clone();
            for _ in 0..8 {
                match direct.get(&t) {
                    Some((_, o)) => t = o.clone(),
                    None => break,
                }
                if !t.as_str().starts_with(jso::NS) {
                    terms.insert(s.clone(), t.clone());
                    break;
                }
            }
        }
        Ok(ToDbpedia { resources, terms })
    }

    fn node(&self, n: &NamedNode) -> NamedNode {
        self.resources.get(n).cloned().unwrap_or_else(|| n.clone())
    }

    /// The quad in DBpedia's terms, or None when it is ontology itself.
    fn quad(&self, q: Quad) -> Option<Quad> {
        if q.predicate.as_ref() == owl::SAME_AS
            && let NamedOrBlankNode::NamedNode(local) = &q.subject
            && let Some(target) = self.resources.get(local)
        {
            // dbr:X owl:sameAs jsr:X: the link survives the renaming.
            return Some(Quad::new(
                target.clone(),
                q.predicate,
                local.clone(),
                q.graph_name,
            ));
        }
        let subject = match q.subject {
            NamedOrBlankNode::NamedNode(n) => {
                if n.as_str().starts_with(jso::NS) {
                    return None;
                }
                NamedOrBlankNode::NamedNode(self.node(&n))
            }
            other => other,
        };
        let predicate = self.terms.get(&q.predicate).cloned().unwrap_or(q.predicate);
        let object = match q.object {
            Term::NamedNode(n) if predicate.as_ref() == RDF_TYPE => {
                Term::NamedNode(self.terms.get(&n).cloned().unwrap_or(n))
            }
            Term::NamedNode(n) => Term::NamedNode(self.node(&n)),
            other => other,
        };
        Some(Quad::new(subject, predicate, object, q.graph_name))
    }
}

/// Export formats: the RDF syntaxes Oxigraph writes, and compact JSON-LD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Rdf(RdfFormat),
    /// JSON-LD compacted with `ontology/context.jsonld`.
    JsonLd,
}

impl ExportFormat {
    /// Whether the format keeps named graphs (N-Quads, TriG, JSON-LD).
    pub fn supports_datasets(self) -> bool {
        match self {
            ExportFormat::Rdf(f) => f.supports_datasets(),
            ExportFormat::JsonLd => true,
        }
    }
}

impl FromStr for ExportFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let f = match s.to_ascii_lowercase().as_str() {
            "ttl" | "turtle" => RdfFormat::Turtle,
            "nt" | "ntriples" | "n-triples" => RdfFormat::NTriples,
            "nq" | "nquads" | "n-quads" => RdfFormat::NQuads,
            "trig" => RdfFormat::TriG,
            "rdfxml" | "rdf" | "xml" | "rdf/xml" | "owl" => RdfFormat::RdfXml,
            "jsonld" | "json-ld" | "json" => return Ok(ExportFormat::JsonLd),
            other => {
                return Err(format!(
                    "unknown format {other:?} (expected ttl, nt, nq, trig, rdfxml or jsonld)"
                ));
            }
        };
        Ok(ExportFormat::Rdf(f))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("no graph {0} in the store (see `jinsong stats` for the graphs)")]
    NoGraph(String),
    #[error("invalid graph name {0:?}")]
    BadGraph(String),
    #[error("cannot read the store: {0}")]
    Store(#[from] StorageError),
    #[error("cannot write {path}: {source}")]
    File {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot write the export: {0}")]
    Write(#[from] io::Error),
    #[error("cannot canonicalize the dataset: {0}")]
    Canonical(String),
    #[error(transparent)]
    Context(#[from] jsonld::ContextError),
}

/// A graph given as an IRI or as a name under the base (`wikitext103`, `ontology`).
pub fn graph_iri(name: &str, base: &Base) -> Result<NamedNode, ExportError> {
    if name.contains("://") {
        return NamedNode::new(name.trim_matches(['<', '>']))
            .map_err(|_| ExportError::BadGraph(name.to_owned()));
    }
    Ok(base.graph(name))
}

/// What an export holds: the store or one graph, in which vocabulary.
#[derive(Debug, Clone, Copy)]
pub struct Selection<'a> {
    /// One named graph, or the whole store.
    pub graph: Option<&'a NamedNode>,
    /// Keep named graphs (N-Quads, TriG, JSON-LD, canonical N-Quads), or
    /// write the default graph, the merge (Turtle, N-Triples, RDF/XML).
    pub dataset: bool,
    pub vocab: Vocab,
}

/// The quads of a selection, sorted (graph, subject, predicate, object).
pub fn select(store: &Store, sel: Selection<'_>, base: &Base) -> Result<Vec<Quad>, ExportError> {
    if let Some(g) = sel.graph {
        if !store.contains_named_graph(g)? {
            return Err(ExportError::NoGraph(g.to_string()));
        }
    }
    let quads: Vec<Quad> = match sel.graph {
        Some(g) => store
            .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(g.as_ref())))
            .collect::<Result<_, _>>()?,
        None if sel.dataset => store
            .iter()
            .filter(|q| {
                q.as_ref()
                    .map_or(true, |q| !q.graph_name.is_default_graph())
            })
            .collect::<Result<_, _>>()?,
        None => store
            .quads_for_pattern(None, None, None, Some(GraphNameRef::DefaultGraph))
            .collect::<Result<_, _>>()?,
    };
    let mut quads = match sel.vocab {
        Vocab::Jinsong => quads,
        Vocab::Dbpedia => {
            let map = ToDbpedia::new(store, base)?;
            let onto = GraphName::NamedNode(base.graph(ONTOLOGY_GRAPH));
            quads
                .into_iter()
                .filter(|q| q.graph_name != onto)
                .filter_map(|q| map.quad(q))
                .collect()
        }
    };
    if !sel.dataset {
        // One graph, a set of triples.
        for q in &mut quads {
            q.graph_name = GraphName::DefaultGraph;
        }
    }
    quads.sort_by_cached_key(|q| {
        (
            q.graph_name.to_string(),
            q.subject.to_string(),
            q.predicate.to_string(),
            q.object.to_string(),
        )
    });
    quads.dedup();
    Ok(quads)
}

/// Writes the store (or one graph) to `out`.
pub fn export(
    store: &Store,
    graph: Option<&NamedNode>,
    format: ExportFormat,
    base: &Base,
    vocab: Vocab,
    out: &mut dyn Write,
) -> Result<(), ExportError> {
    let sel = Selection {
        graph,
        dataset: format.supports_datasets(),
        vocab,
    };
    let quads = select(store, sel, base)?;
    write_quads(&quads, format, base, out)
}

/// Writes sorted quads in a format (a triples format drops graph names).
pub fn write_quads(
    quads: &[Quad],
    format: ExportFormat,
    base: &Base,
    out: &mut dyn Write,
) -> Result<(), ExportError> {
    let format = match format {
        ExportFormat::JsonLd => {
            let ctx = jsonld::Context::for_base(base)?;
            jsonld::write(quads, &ctx, out)?;
            return Ok(());
        }
        ExportFormat::Rdf(f) => f,
    };
    let mut serializer = RdfSerializer::from_format(format);
    if matches!(
        format,
        RdfFormat::Turtle | RdfFormat::TriG | RdfFormat::RdfXml
    ) {
        for (p, ns) in base.prefixes() {
            serializer = serializer.with_prefix(p, ns).map_err(io::Error::other)?;
        }
    }
    let mut w = serializer.for_writer(out);
    if format.supports_datasets() {
        for q in quads {
            w.serialize_quad(q)?;
        }
    } else {
        for q in quads {
            w.serialize_triple(q.as_ref())?;
        }
    }
    w.finish()?;
    Ok(())
}

/// Writes the selection as canonical N-Quads (RDFC-1.0, by sophia_c14n) and
/// returns the SHA-256 of exactly the bytes written, in hex: two builds of
/// the same sources give the same bytes whatever the order they were read in.
pub fn canonical(
    store: &Store,
    graph: Option<&NamedNode>,
    base: &Base,
    vocab: Vocab,
    out: &mut dyn Write,
) -> Result<String, ExportError> {
    let sel = Selection {
        graph,
        dataset: true,
        vocab,
    };
    let quads = select(store, sel, base)?;
    let bytes = canonical_nquads(&quads)?;
    out.write_all(&bytes)?;
    Ok(sha256_hex(&bytes))
}

/// RDFC-1.0 canonical N-Quads of a set of quads.
pub fn canonical_nquads(quads: &[Quad]) -> Result<Vec<u8>, ExportError> {
    use sophia_api::source::QuadSource;
    let mut nq = Vec::new();
    let mut w = RdfSerializer::from_format(RdfFormat::NQuads).for_writer(&mut nq);
    for q in quads {
        w.serialize_quad(q)?;
    }
    w.finish()?;
    let text = String::from_utf8(nq).map_err(io::Error::other)?;
    let dataset: sophia_inmem::dataset::LightDataset = sophia_turtle::parser::nq::parse_str(&text)
        .collect_quads()
        .map_err(|e| ExportError::Canonical(e.to_string()))?;
    let mut out = Vec::new();
    sophia_c14n::rdfc10::normalize(&dataset, &mut out)
        .map_err(|e| ExportError::Canonical(e.to_string()))?;
    Ok(out)
}

/// The SHA-256 of bytes, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    crate::sources::hex(&sha2::Sha256::digest(bytes))
}

/// Writes to a file atomically: a temporary file beside it, renamed over
/// the target only once `write` succeeded.
pub fn write_file<T>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<T, ExportError>,
) -> Result<T, ExportError> {
    let file_err = |source| ExportError::File {
        path: path.to_owned(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(file_err)?;
    let value = {
        let mut buf = io::BufWriter::new(tmp.as_file_mut());
        let value = write(&mut buf)?;
        buf.flush().map_err(file_err)?;
        value
    };
    // A temporary file is private (0600); the export gets the target's
    // permissions if it existed, else rw-r--r-- like a file written by `>`.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = std::fs::metadata(path)
            .map(|m| m.permissions())
            .unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644));
        tmp.as_file().set_permissions(perms).map_err(file_err)?;
    }
    tmp.persist(path).map_err(|e| file_err(e.error))?;
    Ok(value)
}

/// Writes an export to a file atomically (temporary file, then rename).
pub fn export_to_file(
    store: &Store,
    graph: Option<&NamedNode>,
    format: ExportFormat,
    base: &Base,
    vocab: Vocab,
    path: &Path,
) -> Result<(), ExportError> {
    write_file(path, |out| export(store, graph, format, base, vocab, out))
}

/// The graph of a quad, as a name under the base when it is one of ours.
pub fn graph_label(g: &GraphName, base: &Base) -> String {
    match g {
        GraphName::NamedNode(n) => n
            .as_str()
            .strip_prefix(&base.graph_prefix())
            .map(str::to_owned)
            .unwrap_or_else(|| n.to_string()),
        GraphName::DefaultGraph => "(default)".to_owned(),
        other => other.to_string(),
    }
}
