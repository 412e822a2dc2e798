//! SHACL validation of the store against the data contract
//! (`ontology/shapes.ttl`, or shapes a user brings).
//!
//! Each named graph is validated on its own, together with the ontology
//! (so that `jso:Siege rdfs:subClassOf jso:Battle` holds for `sh:class`):
//! a graph holds what one source states, and "at most one start date" is a
//! claim about one source. The engine is rudof's `shacl` crate (SHACL Core
//! and SHACL-SPARQL constraints, on oxrdf like us), but for the SPARQL
//! constraints that its `sparql` module runs once per graph instead of once
//! per focus node (the same results, without a parse and a plan for each
//! node). This module turns the results into a report that names graphs,
//! prints as text or as a SHACL validation report in Turtle, and tells
//! violations (which fail a build) from warnings (which do not). It reads
//! the store and never writes it.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{BlankNode, Literal, NamedNode, NamedNodeRef, Term, Triple};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
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

mod sparql;

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
    #[error("cannot read {graph} from the store: {message}")]
    Read { graph: String, message: String },
    #[error("no graph {0} in the store (see `jinsong stats` for the graphs)")]
    NoGraph(String),
}

/// Compiled shapes, with the name they were read from.
pub struct Shapes {
    /// What rudof evaluates: every constraint but `graph_constraints`.
    schema: IRSchema,
    /// The SPARQL constraints evaluated once per graph ([`sparql`]).
    graph_constraints: Vec<sparql::GraphConstraint>,
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
        Shapes::compile(ttl, name, true)
    }

    /// [`Shapes::parse`]; with `once_per_graph` false, rudof evaluates every
    /// SPARQL constraint itself, once per focus node (the reference the
    /// tests hold the once-per-graph evaluation to).
    fn compile(ttl: &str, name: &str, once_per_graph: bool) -> Result<Shapes, ValidateError> {
        let err = |message: String| ValidateError::Shapes {
            name: name.to_owned(),
            message,
        };
        let compile = |text: &str, format: &RDFFormat| -> Result<IRSchema, ValidateError> {
            let graph = OxigraphInMemory::from_reader(
                &mut text.as_bytes(),
                name,
                format,
                None,
                &ReaderMode::Strict,
            )
            .map_err(|e| err(e.to_string()))?;
            let ast = ShaclParser::new(graph)
                .parse()
                .map_err(|e| err(e.to_string()))?;
            IRSchema::compile(&ast).map_err(|e| err(e.to_string()))
        };
        let mut schema = compile(ttl, &RDFFormat::Turtle)?;
        // The SPARQL constraints that run once per graph come out of what
        // rudof is given, the rest of the shapes as they are.
        let triples: Vec<Triple> = oxigraph::io::RdfParser::from_format(RdfFormat::Turtle)
            .for_slice(ttl.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| err(e.to_string()))?
            .into_iter()
            .map(Triple::from)
            .collect();
        let (graph_constraints, strip) = if once_per_graph {
            sparql::once_per_graph(&schema, &triples)
        } else {
            Default::default()
        };
        if !strip.is_empty() {
            let mut nt = Vec::new();
            let mut w = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(&mut nt);
            for t in triples.iter().filter(|t| !strip.contains(*t)) {
                w.serialize_triple(t).map_err(|e| err(e.to_string()))?;
            }
            w.finish().map_err(|e| err(e.to_string()))?;
            let nt = String::from_utf8(nt).map_err(|e| err(e.to_string()))?;
            schema = compile(&nt, &RDFFormat::NTriples)?;
        }
        let count = schema.iter_with_targets().count();
        Ok(Shapes {
            schema,
            graph_constraints,
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

/// The triples of a named graph. Read by a query, which decodes only the
/// three terms of each statement (reading its quads decodes the graph's
/// name as well, one more string lookup in the store for each).
fn triples_of(store: &Store, g: &NamedNode) -> Result<Vec<Triple>, ValidateError> {
    let err = |e: String| ValidateError::Read {
        graph: g.to_string(),
        message: e,
    };
    let results = SparqlEvaluator::new()
        .parse_query(&format!(
            "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}"
        ))
        .map_err(|e| err(e.to_string()))?
        .on_store(store)
        .execute()
        .map_err(|e| err(e.to_string()))?;
    match results {
        QueryResults::Graph(triples) => triples
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| err(e.to_string())),
        _ => Ok(Vec::new()),
    }
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
            let own = triples_of(store, &g)?;
            let all: Vec<&Triple> = ontology.iter().chain(&own).collect();
            let mut data = OxigraphInMemory::new();
            for t in &all {
                // Adding a triple to the in-memory graph cannot fail.
                let _ = data.add_triple_ref(&t.subject, &t.predicate, &t.object);
            }
            let engine = |message: String| ValidateError::Engine {
                graph: g.to_string(),
                message,
            };
            let mut findings = sparql::findings(&shapes.graph_constraints, &all).map_err(engine)?;
            findings.extend(validate_graph(data, shapes).map_err(engine)?);
            findings.iter_mut().for_each(stable_shape);
            sort_findings(&mut findings);
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
    Ok(report
        .results()
        .iter()
        .map(|r| Finding {
            severity: severity_of(r.severity()),
            focus: r.focus_node().clone().into(),
            path: r.path().map(|p| match p {
                SHACLPath::Predicate { pred } => pred.as_str().to_owned(),
                other => other.to_string(),
            }),
            value: r.value().cloned().map(Term::from),
            shape: r.source().cloned().map(Term::from),
            component: r.constraint_component().clone().into(),
            message: finding_message(
                r.source()
                    .and_then(|src| shapes.schema.get_shape(src))
                    .and_then(|shape| shape.message()),
                r.message(),
            ),
        })
        .collect())
}

fn severity_of(s: &ShaclSeverity) -> Severity {
    match s {
        ShaclSeverity::Violation => Severity::Violation,
        ShaclSeverity::Warning => Severity::Warning,
        _ => Severity::Info,
    }
}

/// A result's message: the shape's own sh:message when it has one (rudof
/// words Core results itself), else the engine's; the one without a
/// language tag, else the least.
fn finding_message(
    shape: Option<&shacl::types::MessageMap>,
    engine: &shacl::types::MessageMap,
) -> Option<String> {
    let pick = |m: &shacl::types::MessageMap| {
        m.get(None)
            .or_else(|| m.iter().map(|(_, v)| v).min())
            .cloned()
    };
    shape.and_then(pick).or_else(|| pick(engine))
}

/// The findings of a graph in the report's order, each once.
/// A blank-node shape (a property shape, `sh:property [ … ]`) under a
/// label its parse does not choose: the Turtle parser names blank nodes at
/// random, so reports of one store were not the same bytes twice (nor in
/// the same order, which sorts by shape). The label is a digest of what
/// tells the shapes' property shapes apart: the path, the constraint
/// component and the message.
fn stable_shape(f: &mut Finding) {
    use sha2::{Digest, Sha256};
    if !matches!(f.shape, Some(Term::BlankNode(_))) {
        return;
    }
    let component = f.component.to_string();
    let mut h = Sha256::new();
    for part in [
        f.path.as_deref().unwrap_or_default(),
        &component,
        f.message.as_deref().unwrap_or_default(),
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let digest: String = h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    f.shape = Some(BlankNode::new_unchecked(format!("shape{digest}")).into());
}

fn sort_findings(findings: &mut Vec<Finding>) {
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

    /// The contract's SPARQL constraints run once per graph, and find what
    /// rudof finds running each once per focus node: on the test graph that
    /// breaks every shape, the same findings (focus, path, value, shape,
    /// component, message), many of them SPARQL constraints'.
    #[test]
    fn sparql_constraints_once_per_graph_find_what_rudof_finds() {
        use oxigraph::io::RdfParser;
        use oxigraph::model::GraphName;
        let base = Base::new(crate::rdf::emit::DEFAULT_BASE).expect("base");
        let store = Store::new().expect("store");
        let g = base.graph("broken");
        let broken = include_str!("../tests/bad-inputs/shacl-broken.ttl");
        store
            .extend(crate::build::ontology_quads(&base))
            .expect("ontology");
        store
            .extend(
                RdfParser::from_format(RdfFormat::Turtle)
                    .with_default_graph(GraphName::NamedNode(g.clone()))
                    .for_slice(broken.as_bytes())
                    .collect::<Result<Vec<_>, _>>()
                    .expect("the broken graph parses"),
            )
            .expect("broken graph");
        let once = Shapes::contract().expect("shapes");
        let per_node = Shapes::compile(SHAPES_TTL, "ontology/shapes.ttl", false).expect("shapes");
        assert_eq!(once.graph_constraints.len(), 6);
        assert!(per_node.graph_constraints.is_empty());
        assert_eq!(once.count, per_node.count);
        let a = validate(&store, &base, &once, Some(&g)).expect("validates");
        let b = validate(&store, &base, &per_node, Some(&g)).expect("validates");
        let sparql = |r: &Report| {
            r.graphs[0]
                .findings
                .iter()
                .filter(|f| {
                    f.component
                        .to_string()
                        .contains("SPARQLConstraintComponent")
                })
                .count()
        };
        assert!(sparql(&b) >= 10, "{} SPARQL findings", sparql(&b));
        // Property shapes are blank nodes, labelled anew by each compile
        let key = |r: &Report| -> Vec<String> {
            r.graphs[0]
                .findings
                .iter()
                .map(|f| {
                    let shape = match &f.shape {
                        Some(Term::BlankNode(_)) => "a blank node".to_owned(),
                        other => format!("{other:?}"),
                    };
                    format!(
                        "{} {} {:?} {:?} {shape} {} {:?}",
                        f.severity, f.focus, f.path, f.value, f.component, f.message
                    )
                })
                .collect()
        };
        // (Their labels order findings that differ only in the shape.)
        let (mut a, mut b) = (key(&a), key(&b));
        a.sort();
        b.sort();
        let only_a: Vec<_> = a.iter().filter(|x| !b.contains(x)).collect();
        let only_b: Vec<_> = b.iter().filter(|x| !a.contains(x)).collect();
        assert!(
            a == b,
            "once per graph only: {only_a:#?}\nper node only: {only_b:#?}"
        );
    }

    /// A query written with the prefixes its constraint declares
    /// (`sh:prefixes`) runs once per graph too, with them, and finds what
    /// rudof finds.
    #[test]
    fn a_query_with_declared_prefixes_runs_once_per_graph() {
        let ttl = r#"
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
ex: sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
ex:Shape a sh:NodeShape ; sh:targetClass ex:C ;
  sh:sparql [ a sh:SPARQLConstraint ; sh:prefixes ex: ;
    sh:message "{$this} has ex:p {?value}." ;
    sh:select "SELECT $this ?value WHERE { $this ex:p ?value . FILTER(?value > 1) }" ] .
"#;
        let once = Shapes::parse(ttl, "prefixes.ttl").expect("shapes");
        let per_node = Shapes::compile(ttl, "prefixes.ttl", false).expect("shapes");
        assert_eq!(once.graph_constraints.len(), 1);
        let base = Base::new(crate::rdf::emit::DEFAULT_BASE).expect("base");
        let store = Store::new().expect("store");
        let g = base.graph("g");
        let ex = |l: &str| NamedNode::new_unchecked(format!("http://example.org/{l}"));
        let rdf_type = NamedNode::new_unchecked("http://www.w3.org/1999/02/22-rdf-syntax-ns#type");
        for (s, p, o) in [
            ("a", rdf_type.clone(), Term::from(ex("C"))),
            ("a", ex("p"), Term::from(Literal::from(2))),
            ("b", rdf_type.clone(), Term::from(ex("C"))),
            ("b", ex("p"), Term::from(Literal::from(1))),
            ("c", ex("p"), Term::from(Literal::from(3))),
        ] {
            store
                .insert(&oxigraph::model::Quad::new(ex(s), p, o, g.clone()))
                .expect("insert");
        }
        let a = validate(&store, &base, &once, Some(&g)).expect("validates");
        let b = validate(&store, &base, &per_node, Some(&g)).expect("validates");
        assert_eq!(a.graphs[0].findings.len(), 1, "{:?}", a.graphs[0].findings);
        assert_eq!(a.graphs[0].findings, b.graphs[0].findings);
        assert_eq!(
            a.graphs[0].findings[0].message.as_deref(),
            Some("http://example.org/a has ex:p 2.")
        );
    }

    #[test]
    fn a_query_runs_once_per_graph_only_where_it_means_the_same() {
        let runs = sparql::runs_once_per_graph;
        let p = "<http://example.org/p>";
        assert!(runs(&format!(
            "SELECT $this ?value WHERE {{ $this {p} ?value }}"
        )));
        assert!(runs(&format!(
            "SELECT * WHERE {{ ?this {p} ?v . FILTER NOT EXISTS {{ $this {p} 1 }} }}"
        )));
        assert!(runs(&format!(
            "SELECT $this WHERE {{ {{ $this {p} 1 }} UNION {{ $this {p} 2 }} }}"
        )));
        // $this not projected, or not bound by every solution.
        assert!(!runs(&format!(
            "SELECT ?value WHERE {{ $this {p} ?value }}"
        )));
        assert!(!runs(&format!(
            "SELECT $this WHERE {{ FILTER NOT EXISTS {{ $this {p} 1 }} }}"
        )));
        assert!(!runs(&format!(
            "SELECT $this WHERE {{ ?x {p} 1 OPTIONAL {{ $this {p} ?x }} }}"
        )));
        assert!(!runs(&format!(
            "SELECT $this WHERE {{ {{ $this {p} 1 }} UNION {{ ?x {p} 2 }} }}"
        )));
        // Limits, groups, sub-selects, bindings of their own.
        assert!(!runs(&format!(
            "SELECT $this WHERE {{ $this {p} 1 }} LIMIT 1"
        )));
        assert!(!runs(&format!(
            "SELECT $this (COUNT(*) AS ?n) WHERE {{ $this {p} ?v }} GROUP BY $this"
        )));
        assert!(!runs(&format!(
            "SELECT $this WHERE {{ $this {p} ?v . {{ SELECT ?v WHERE {{ ?v {p} 1 }} LIMIT 1 }} }}"
        )));
        assert!(!runs(&format!(
            "SELECT $this WHERE {{ VALUES ?v {{ 1 }} $this {p} ?v }}"
        )));
        assert!(!runs(&format!(
            "SELECT $this WHERE {{ $this {p} ?v MINUS {{ $this {p} 2 }} }}"
        )));
        assert!(!runs(&format!(
            "SELECT $this WHERE {{ $this {p} ?v FILTER EXISTS {{ {{ SELECT ?v WHERE {{ ?v {p} 1 }} LIMIT 1 }} }} }}"
        )));
        assert!(!runs("not a query"));
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
