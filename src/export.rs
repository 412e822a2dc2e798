//! Export: the store, or one graph of it, in an RDF format.
//!
//! Turtle and N-Triples hold triples: exported whole, they are the store's
//! default graph, the merge of all named graphs (a triple stated by two
//! sources appears once). N-Quads and TriG keep every named graph; the
//! default graph is left out of them, since it is derived from those. Output
//! is sorted, so two exports of the same store are byte-identical; writing to
//! a file goes through a temporary file that replaces the target only when
//! complete.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, GraphNameRef, NamedNode, Quad, Triple};
use oxigraph::store::{StorageError, Store};

use std::collections::HashMap;

use oxigraph::model::{NamedNodeRef, NamedOrBlankNode, Term};

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

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportFormat(pub RdfFormat);

impl FromStr for ExportFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let f = match s.to_ascii_lowercase().as_str() {
            "ttl" | "turtle" => RdfFormat::Turtle,
            "nt" | "ntriples" | "n-triples" => RdfFormat::NTriples,
            "nq" | "nquads" | "n-quads" => RdfFormat::NQuads,
            "trig" => RdfFormat::TriG,
            other => {
                return Err(format!(
                    "unknown format {other:?} (expected ttl, nt, nq or trig)"
                ));
            }
        };
        Ok(ExportFormat(f))
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
}

/// A graph given as an IRI or as a name under the base (`wikitext103`, `ontology`).
pub fn graph_iri(name: &str, base: &Base) -> Result<NamedNode, ExportError> {
    if name.contains("://") {
        return NamedNode::new(name.trim_matches(['<', '>']))
            .map_err(|_| ExportError::BadGraph(name.to_owned()));
    }
    Ok(base.graph(name))
}

/// Writes the store (or one graph) to `out`.
pub fn export(
    store: &Store,
    graph: Option<&NamedNode>,
    format: RdfFormat,
    base: &Base,
    vocab: Vocab,
    out: &mut dyn Write,
) -> Result<(), ExportError> {
    if let Some(g) = graph {
        if !store.contains_named_graph(g)? {
            return Err(ExportError::NoGraph(g.to_string()));
        }
    }
    let quads: Vec<Quad> = match graph {
        Some(g) => store
            .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(g.as_ref())))
            .collect::<Result<_, _>>()?,
        None if format.supports_datasets() => store
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
    let quads = match vocab {
        Vocab::Jinsong => quads,
        Vocab::Dbpedia => {
            let map = ToDbpedia::new(store, base)?;
            let onto = GraphName::NamedNode(base.graph(ONTOLOGY_GRAPH));
            let mut mapped: Vec<Quad> = quads
                .into_iter()
                .filter(|q| q.graph_name != onto)
                .filter_map(|q| map.quad(q))
                .collect();
            mapped.sort_by_cached_key(|q| q.to_string());
            mapped.dedup();
            mapped
        }
    };
    let mut serializer = RdfSerializer::from_format(format);
    if matches!(format, RdfFormat::Turtle | RdfFormat::TriG) {
        for (p, ns) in base.prefixes() {
            serializer = serializer.with_prefix(p, ns).map_err(io::Error::other)?;
        }
    }
    let mut w = serializer.for_writer(out);
    if format.supports_datasets() {
        let mut sorted: Vec<Quad> = quads;
        sorted.sort_by_cached_key(|q| {
            (
                q.graph_name.to_string(),
                q.subject.to_string(),
                q.predicate.to_string(),
                q.object.to_string(),
            )
        });
        for q in &sorted {
            w.serialize_quad(q)?;
        }
    } else {
        // One graph, a set of triples.
        let mut list: Vec<Triple> = quads.into_iter().map(Triple::from).collect();
        list.sort_by_cached_key(|t| {
            (
                t.subject.to_string(),
                t.predicate.to_string(),
                t.object.to_string(),
            )
        });
        for t in &list {
            w.serialize_triple(t)?;
        }
    }
    w.finish()?;
    Ok(())
}

/// Writes an export to a file atomically (temporary file, then rename).
pub fn export_to_file(
    store: &Store,
    graph: Option<&NamedNode>,
    format: RdfFormat,
    base: &Base,
    vocab: Vocab,
    path: &Path,
) -> Result<(), ExportError> {
    let file_err = |source| ExportError::File {
        path: path.to_owned(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(file_err)?;
    {
        let mut buf = io::BufWriter::new(tmp.as_file_mut());
        export(store, graph, format, base, vocab, &mut buf)?;
        buf.flush().map_err(file_err)?;
    }
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
    Ok(())
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
