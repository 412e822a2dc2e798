//! SHACL validation of the store against the data contract
//! (`ontology/shapes.ttl`, or shapes a user brings).
//!
//! Each named graph is validated on its own, together with the ontology
//! (so that `jso:Siege rdfs:subClassOf jso:Battle` holds for `sh:class`):
//! a graph holds what one source states, and "at most one start date" is a
//! claim about one source. The engine is rudof's `shacl` crate (SHACL Core
//! and SHACL-SPARQL constraints, on oxrdf like us); this module turns its
//! results into a report that names graphs, prints as text or as a SHACL
//! validation report in Turtle, and tells violations (which fail a build)
//! from warnings (which do not). It reads the store and never writes it.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{BlankNode, GraphNameRef, Literal, NamedNode, NamedNodeRef, Term, Triple};
use oxigraph::store::{StorageError, Store};
use rudof_rdf::rdf_core::RDFFormat;
use rudof_rdf::rdf_core::SHACLPath;
use rudof_rdf::rdf_impl::{OxigraphInMemory, ReaderMode};
use shacl::ir::IRSchema;
use shacl::rdf::ShaclParser;
use shacl::types::Severity as ShaclSeverity;
use shacl::validator::processor::{GraphValidation, ShaclProcessor};
use shacl::validator::store::Graph;
use shacl::validator::{ShaclConfig, ShaclValidationMode};

use crate::export::graph_label;
use crate::link::CACHE_GRAPH;
use crate::query::prefixed;
use crate::rdf::emit::{Base, ONTOLOGY_GRAPH};

/// The shapes of the data contract, as shipped.
pub const SHAPES_TTL: &str = include_str!("../ontology/shapes.ttl");

const SH: &str = "http://www.w3.org/ns/shacl#";

/// Errors of a validation run: the shapes (input) or the store.
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    #[error("cannot read the shapes {name}: {message}")]
    Shapes { name: String, message: String },
    #[error("cannot read {path}: {source}")]
    ShapesFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the store: {0}")]
    Store(#[from] StorageError),
    #[error("SHACL validation of {graph} failed: {message}")]
    Engine { graph: String, message: String },
    #[error("no graph {0} in the store (see `jinsong stats` for the graphs)")]
    NoGraph(String),
}

/// Compiled shapes, with the name they were read from.
pub struct Shapes {
    schema: IRSchema,
    pub name: String,
    /// Number of shapes with targets (the ones that select focus nodes).
    pub count: usize,
    /// SHA-256 of the shapes' Turtle: a build that validated with the same
    /// shapes need not validate unchanged graphs again.
    pub digest: String,
}

impl Shapes {
    /// The shipped shapes of the data contract.
    pub fn contract() -> Result<Shapes, ValidateError> {
        Shapes::parse(SHAPES_TTL, "ontology/shapes.ttl")
    }

    /// Shapes from a Turtle file.
    pub fn from_file(path: &Path) -> Result<Shapes, ValidateError> {
        let text = std::fs::read_to_string(path).map_err(|source| ValidateError::ShapesFile {
            path: path.to_owned(),
            source,
        })?;
        Shapes::parse(&text, &path.display().to_string())
    }

    /// Shapes from Turtle text.
    pub fn parse(ttl: &str, name: &str) -> Result<Shapes, ValidateError> {
        let err = |message: String| ValidateError::Shapes {
            name: name.to_owned(),
            message,
        };
        let graph = OxigraphInMemory::from_reader(
            &mut ttl.as_bytes(),
            name,
            &RDFFormat::Turtle,
            None,
            &ReaderMode::Strict,
        )
        .map_err(|e| err(e.to_string()))?;
        let ast = ShaclParser::new(graph)
            .parse()
            .map_err(|e| err(e.to_string()))?;
        let schema = IRSchema::compile(&ast).map_err(|e| err(e.to_string()))?;
        let count = schema.iter_with_targets().count();
        Ok(Shapes {
            schema,
            name: name.to_owned(),
            count,
            digest: crate::export::sha256_hex(ttl.as_bytes()),
        })
    }
}

/// How serious a result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Violation,
    Warning,
    Info,
}

impl Severity {
    fn iri(self) -> NamedNode {
        NamedNode::new_unchecked(format!("{SH}{self}"))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Violation => "Violation",
            Severity::Warning => "Warning",
            Severity::Info => "Info",
        })
    }
}

/// One validation result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub focus: Term,
    /// The predicate of a predicate path, else the path as SHACL writes it.
    pub path: Option<String>,
    pub value: Option<Term>,
    pub shape: Option<Term>,
    pub component: Term,
    pub message: Option<String>,
}

/// The results for one named graph.
#[derive(Debug, Clone)]
pub struct GraphReport {
    pub graph: NamedNode,
    pub findings: Vec<Finding>,
}

impl GraphReport {
    /// SHACL's conformance: no result of any severity.
    pub fn conforms(&self) -> bool {
        self.findings.is_empty()
    }
}

/// The results for every graph validated.
#[derive(Debug, Clone)]
pub struct Report {
    pub shapes: String,
    pub shape_count: usize,
    pub graphs: Vec<GraphReport>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.graphs
            .iter()
            .flat_map(|g| &g.findings)
            .filter(|f| f.severity == severity)
            .count()
    }

    pub fn violations(&self) -> usize {
        self.count(Severity::Violation)
    }

    /// The first violation, for a one-line error.
    pub fn first_violation(&self, base: &Base) -> Option<String> {
        self.graphs.iter().find_map(|g| {
            g.findings
                .iter()
                .find(|f| f.severity == Severity::Violation)
                .map(|f| {
                    format!(
                        "{} in graph/{}: {}",
                        short(&f.focus, base),
                        graph_label(&g.graph.clone().into(), base),
                        f.message.as_deref().unwrap_or("violates a shape")
                    )
                })
        })
    }
}

/// The graphs a validation covers: every named graph but the ontology and
/// the endpoint cache, or the one asked for.
fn graphs(
    store: &Store,
    base: &Base,
    only: Option<&NamedNode>,
) -> Result<Vec<NamedNode>, ValidateError> {
    if let Some(g) = only {
        if !store.contains_named_graph(g)? {
            return Err(ValidateError::NoGraph(g.to_string()));
        }
        return Ok(vec![g.clone()]);
    }
    let skip = [base.graph(ONTOLOGY_GRAPH), base.graph(CACHE_GRAPH)];
    let mut out = crate::store::named_graphs(store)?;
    out.retain(|g| !skip.contains(g));
    Ok(out)
}

fn triples_of(store: &Store, g: &NamedNode) -> Result<Vec<Triple>, StorageError> {
    store
        .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(g.as_ref())))
        .map(|q| q.map(Triple::from))
        .collect()
}

/// Validates the store's graphs (or one) against `shapes`.
pub fn validate(
    store: &Store,
    base: &Base,
    shapes: &Shapes,
    only: Option<&NamedNode>,
) -> Result<Report, ValidateError> {
    use rayon::prelude::*;
    let ontology = triples_of(store, &base.graph(ONTOLOGY_GRAPH))?;
    // Each graph on its own, several at once; the reports (and the first
    // error) in the graphs' order.
    let reports: Vec<Result<GraphReport, ValidateError>> = graphs(store, base, only)?
        .into_par_iter()
        .map(|g| {
            let mut data = OxigraphInMemory::new();
            for t in ontology.iter().chain(&triples_of(store, &g)?) {
                // Adding a triple to the in-memory graph cannot fail.
                let _ = data.add_triple_ref(&t.subject, &t.predicate, &t.object);
            }
            let findings =
                validate_graph(data, shapes).map_err(|message| ValidateError::Engine {
                    graph: g.to_string(),
                    message,
                })?;
            Ok(GraphReport { graph: g, findings })
        })
        .collect();
    let reports = reports.into_iter().collect::<Result<Vec<_>, _>>()?;
    Ok(Report {
        shapes: shapes.name.clone(),
        shape_count: shapes.count,
        graphs: reports,
    })
}

fn validate_graph(data: OxigraphInMemory, shapes: &Shapes) -> Result<Vec<Finding>, String> {
    let graph = Graph::try_from(data).map_err(|e| e.to_string())?;
    let mut validation = GraphValidation::new(graph);
    let report = validation
        .validate(
            &shapes.schema,
            &ShaclValidationMode::Native,
            &ShaclConfig::default(),
        )
        .map_err(|e| e.to_string())?;
    let mut findings: Vec<Finding> = report
        .results()
        .iter()
        .map(|r| Finding {
            severity: match r.severity() {
                ShaclSeverity::Violation => Severity::Violation,
                ShaclSeverity::Warning => Severity::Warning,
                _ => Severity::Info,
            },
            focus: r.focus_node().clone().into(),
            path: r.path().map(|p| match p {
                SHACLPath::Predicate { pred } => pred.as_str().to_owned(),
                other => other.to_string(),
            }),
            value: r.value().cloned().map(Term::from),
            shape: r.source().cloned().map(Term::from),
            component: r.constraint_component().clone().into(),
            // The shape's own sh:message when it has one (rudof words Core
            // results itself), else the engine's.
            message: {
                let pick = |m: &shacl::types::MessageMap| {
                    m.get(None)
                        .or_else(|| m.iter().map(|(_, v)| v).min())
                        .cloned()
                };
                r.source()
                    .and_then(|src| shapes.schema.get_shape(src))
                    .and_then(|shape| shape.message())
                    .and_then(pick)
                    .or_else(|| pick(r.message()))
            },
        })
        .collect();
    findings.sort_by_cached_key(|f| {
        (
            f.severity,
            f.focus.to_string(),
            f.path.clone(),
            f.shape.as_ref().map(Term::to_string),
            f.value.as_ref().map(Term::to_string),
            f.message.clone(),
        )
    });
    findings.dedup();
    Ok(findings)
}

/// A term as a prefixed name where one fits (literals as N-Triples).
fn short(t: &Term, base: &Base) -> String {
    match t {
        Term::NamedNode(n) => prefixed(n.as_str(), base),
        other => other.to_string(),
    }
}

/// The report as people read it.
pub fn write_text(report: &Report, base: &Base, out: &mut dyn Write) -> std::io::Result<()> {
    let width = report
        .graphs
        .iter()
        .map(|g| graph_label(&g.graph.clone().into(), base).len() + 6)
        .max()
        .unwrap_or(0);
    writeln!(
        out,
        "Validated {} graph{} against {} ({} shapes)",
        report.graphs.len(),
        if report.graphs.len() == 1 { "" } else { "s" },
        report.shapes,
        report.shape_count
    )?;
    for g in &report.graphs {
        let name = format!("graph/{}", graph_label(&g.graph.clone().into(), base));
        let v = g
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Violation)
            .count();
        let w = g.findings.len() - v;
        if g.conforms() {
            writeln!(out, "  {name:<width$} conforms")?;
        } else {
            writeln!(out, "  {name:<width$} {}", counts(v, w))?;
        }
        for f in &g.findings {
            let path = f
                .path
                .as_deref()
                .map(|p| format!(" {}", prefixed(p, base)))
                .unwrap_or_default();
            let value = f
                .value
                .as_ref()
                .map(|v| format!(" = {}", short(v, base)))
                .unwrap_or_default();
            writeln!(
                out,
                "    {:<9} {}{path}{value}: {}",
                f.severity.to_string(),
                short(&f.focus, base),
                f.message.as_deref().unwrap_or("violates a shape")
            )?;
        }
    }
    let v = report.violations();
    let w = report.count(Severity::Warning) + report.count(Severity::Info);
    writeln!(out, "Result: {}", counts(v, w))?;
    Ok(())
}

fn counts(violations: usize, warnings: usize) -> String {
    let plural = |n: usize, s: &str| format!("{n} {s}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(violations, "violation"),
        plural(warnings, "warning")
    )
}

/// The report as SHACL validation reports in Turtle: one `sh:ValidationReport`
/// per graph, with `jso:dataGraph` naming it.
pub fn write_turtle(report: &Report, base: &Base, out: &mut dyn Write) -> std::io::Result<()> {
    let sh = |l: &str| NamedNode::new_unchecked(format!("{SH}{l}"));
    let rdf_type = NamedNodeRef::new_unchecked("http://www.w3.org/1999/02/22-rdf-syntax-ns#type");
    let mut triples: Vec<Triple> = Vec::new();
    for (i, g) in report.graphs.iter().enumerate() {
        let r = BlankNode::new_unchecked(format!("report{i}"));
        triples.push(Triple::new(r.clone(), rdf_type, sh("ValidationReport")));
        triples.push(Triple::new(
            r.clone(),
            sh("conforms"),
            Literal::from(g.conforms()),
        ));
        triples.push(Triple::new(
            r.clone(),
            crate::rdf::vocab::jso::DATA_GRAPH,
            g.graph.clone(),
        ));
        for (j, f) in g.findings.iter().enumerate() {
            let n = BlankNode::new_unchecked(format!("result{i}_{j}"));
            triples.push(Triple::new(r.clone(), sh("result"), n.clone()));
            triples.push(Triple::new(n.clone(), rdf_type, sh("ValidationResult")));
            triples.push(Triple::new(
                n.clone(),
                sh("resultSeverity"),
                f.severity.iri(),
            ));
            triples.push(Triple::new(n.clone(), sh("focusNode"), f.focus.clone()));
            if let Some(p) = f.path.as_deref().and_then(|p| NamedNode::new(p).ok()) {
                triples.push(Triple::new(n.clone(), sh("resultPath"), p));
            }
            if let Some(v) = &f.value {
                triples.push(Triple::new(n.clone(), sh("value"), v.clone()));
            }
            if let Some(s) = &f.shape {
                triples.push(Triple::new(n.clone(), sh("sourceShape"), s.clone()));
            }
            triples.push(Triple::new(
                n.clone(),
                sh("sourceConstraintComponent"),
                f.component.clone(),
            ));
            if let Some(m) = &f.message {
                triples.push(Triple::new(
                    n.clone(),
                    sh("resultMessage"),
                    Literal::new_simple_literal(m),
                ));
            }
        }
    }
    let mut serializer = RdfSerializer::from_format(RdfFormat::Turtle)
        .with_prefix("sh", SH)
        .map_err(std::io::Error::other)?;
    for (p, ns) in base.prefixes() {
        serializer = serializer
            .with_prefix(p, ns)
            .map_err(std::io::Error::other)?;
    }
    let mut w = serializer.for_writer(out);
    for t in &triples {
        w.serialize_triple(t)?;
    }
    w.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_shapes_compile() {
        let shapes = Shapes::contract().expect("the shapes compile");
        assert!(shapes.count >= 10, "{} shapes", shapes.count);
    }

    #[test]
    fn broken_shapes_are_an_error_that_names_them() {
        let err = Shapes::parse(
            "@prefix sh: <http://www.w3.org/ns/shacl#> . <a> sh:path",
            "mine.ttl",
        )
        .err()
        .expect("an error");
        assert!(err.to_string().contains("mine.ttl"), "{err}");
    }
}
