//! SHACL-SPARQL constraints evaluated once per graph.
//!
//! rudof evaluates a SPARQL constraint as one query for each focus node, with
//! `$this` bound by a `VALUES` clause, and parses and plans the query every
//! time: a shape that targets every NIF string of a graph costs a parse and a
//! plan per string, far more than evaluating its patterns. For the
//! constraints where it means the same, this module runs the query once per
//! graph with `$this` free and keeps the solutions whose `?this` is one of the
//! shape's focus nodes, then words each result as rudof does (focus node,
//! `?path`, `?value` or the focus node, the message with its `{?var}` blocks
//! filled in).
//!
//! It means the same when `$this` is bound by a triple pattern that every
//! solution matches (in a basic graph pattern at the query's top level or
//! in every branch of a `UNION`, not under `OPTIONAL`), the query projects it,
//! and nothing in it limits, groups or brings its own bindings (`LIMIT`,
//! `GROUP BY`, a sub-select, `VALUES`, `SERVICE`, `MINUS`): then each
//! solution of the free query with `?this = n` is a solution of the query
//! with `$this` pre-bound to `n`, and the other way round. The shape must
//! be a node shape named by an IRI, with `sh:targetClass`,
//! `sh:targetSubjectsOf` or `sh:targetObjectsOf` targets only,
//! that no other shape refers to (a shape reached through `sh:node` is
//! validated on other nodes than its targets). Every other constraint is
//! left to rudof.

use oxigraph::model::{NamedNode, Term, Triple};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use rudof_rdf::rdf_core::term::Object;
use rustc_hash::FxHashSet;
use shacl::ir::IRComponent;
use shacl::ir::IRSchema;
use shacl::types::{MessageMap, Severity as ShaclSeverity, Target, object_to_message_value};
use spargebra::algebra::GraphPattern;
use spargebra::term::TermPattern;

use super::{Finding, SH, finding_message, severity_of};

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const RDF_FIRST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first";
const SUBCLASS_OF: &str = "http://www.w3.org/2000/01/rdf-schema#subClassOf";

/// What selects a shape's focus nodes.
#[derive(Clone)]
enum Focus {
    Class(Term),
    SubjectsOf(NamedNode),
    ObjectsOf(NamedNode),
}

/// One SPARQL constraint of a targeted node shape, run once per graph.
pub(super) struct GraphConstraint {
    /// The shape, as rudof names it in a result.
    shape: Term,
    /// The shape's own `sh:message`, which a finding shows first.
    shape_message: Option<MessageMap>,
    severity: ShaclSeverity,
    targets: Vec<Focus>,
    /// The query with its prefix declarations, as rudof writes it.
    query: String,
    message: Option<MessageMap>,
    component: Term,
}

/// The SPARQL constraints of `schema` (compiled from `triples`) that can be
/// run once per graph, and the `shape sh:sparql constraint` triples to take
/// out of the shapes that rudof evaluates.
pub(super) fn once_per_graph(
    schema: &IRSchema,
    triples: &[Triple],
) -> (Vec<GraphConstraint>, FxHashSet<Triple>) {
    let mut out = Vec::new();
    let mut strip = FxHashSet::default();
    let sparql = NamedNode::new_unchecked(format!("{SH}sparql"));
    let select = NamedNode::new_unchecked(format!("{SH}select"));
    for (id, shape) in schema.iter_with_targets() {
        let Object::Iri(iri) = id else { continue };
        let name = NamedNode::new_unchecked(iri.as_str());
        if shape.path().is_some() || shape.deactivated().is_some() {
            continue;
        }
        let Some(targets) = shape
            .targets()
            .iter()
            .map(|t| match t {
                Target::Class(c) => Some(Focus::Class(Term::from(c.clone()))),
                Target::SubjectsOf(p) => {
                    Some(Focus::SubjectsOf(NamedNode::new_unchecked(p.as_str())))
                }
                Target::ObjectsOf(p) => {
                    Some(Focus::ObjectsOf(NamedNode::new_unchecked(p.as_str())))
                }
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
        else {
            continue;
        };
        let named = Term::NamedNode(name.clone());
        let referred = triples.iter().any(|t| {
            t.object == named
                && (t.predicate.as_str().starts_with(SH) || t.predicate.as_str() == RDF_FIRST)
        });
        if referred {
            continue;
        }
        for component in shape.components() {
            let IRComponent::BasicSparql(sp) = component else {
                continue;
            };
            let prefixes: String = sp
                .prefixes()
                .map(|p| {
                    p.iter()
                        .map(|(prefix, iri)| format!("PREFIX {prefix}: <{iri}>\n"))
                        .collect()
                })
                .unwrap_or_default();
            let query = format!("{prefixes}{}", sp.select());
            if sp.deactivated() == Some(true) || !runs_once_per_graph(&query) {
                continue;
            }
            // The constraint node that holds this query.
            let Some(node) = triples.iter().find_map(|t| {
                (t.subject == name.clone().into() && t.predicate == sparql)
                    .then(|| t.object.clone())
                    .filter(|c| {
                        triples.iter().any(|s| {
                            Term::from(s.subject.clone()) == *c
                                && s.predicate == select
                                && matches!(&s.object, Term::Literal(l) if l.value() == sp.select())
                        })
                    })
            }) else {
                continue;
            };
            strip.insert(Triple::new(name.clone(), sparql.clone(), node));
            out.push(GraphConstraint {
                shape: Term::from(id.clone()),
                shape_message: shape.message().cloned(),
                severity: shape.severity().clone(),
                targets: targets.clone(),
                query,
                message: sp.message().cloned(),
                component: Term::from(Object::Iri(component.into())),
            });
        }
    }
    (out, strip)
}

/// Whether the query gives, with `$this` free, the solutions it gives with
/// `$this` pre-bound, each with its `?this` (see the module's comment).
pub(super) fn runs_once_per_graph(select: &str) -> bool {
    // A sub-select, VALUES, MINUS or SERVICE anywhere, inside an EXISTS
    // filter too (the algebra walk below does not enter expressions): by
    // the text, which may also refuse a query that only names such a word.
    let upper = select.to_ascii_uppercase();
    if select.contains("$PATH")
        || upper.matches("SELECT").count() > 1
        || ["VALUES", "MINUS", "SERVICE"]
            .iter()
            .any(|w| upper.contains(w))
    {
        return false;
    }
    let Ok(spargebra::Query::Select { pattern, .. }) =
        spargebra::SparqlParser::new().parse_query(select)
    else {
        return false;
    };
    let inner = match &pattern {
        GraphPattern::Project { inner, variables } if variables.iter().any(is_this) => inner,
        _ => return false,
    };
    let mut plain = true;
    check_nested(inner, &mut plain);
    plain && binds_this(inner)
}

fn is_this(v: &spargebra::term::Variable) -> bool {
    v.as_str() == "this"
}

/// Whether every solution of `p` binds `?this` by a triple pattern.
fn binds_this(p: &GraphPattern) -> bool {
    let term_is_this = |t: &TermPattern| matches!(t, TermPattern::Variable(v) if is_this(v));
    match p {
        GraphPattern::Bgp { patterns } => patterns
            .iter()
            .any(|t| term_is_this(&t.subject) || term_is_this(&t.object)),
        GraphPattern::Path {
            subject, object, ..
        } => term_is_this(subject) || term_is_this(object),
        GraphPattern::Join { left, right } => binds_this(left) || binds_this(right),
        GraphPattern::Union { left, right } => binds_this(left) && binds_this(right),
        GraphPattern::LeftJoin { left, .. } => binds_this(left),
        GraphPattern::Filter { inner, .. }
        | GraphPattern::Extend { inner, .. }
        | GraphPattern::OrderBy { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Graph { inner, .. } => binds_this(inner),
        _ => false,
    }
}

/// Clears `plain` when `p` holds anything that limits, groups or brings its
/// own bindings.
fn check_nested(p: &GraphPattern, plain: &mut bool) {
    match p {
        GraphPattern::Bgp { .. } | GraphPattern::Path { .. } => {}
        GraphPattern::Join { left, right }
        | GraphPattern::Union { left, right }
        | GraphPattern::LeftJoin { left, right, .. } => {
            check_nested(left, plain);
            check_nested(right, plain);
        }
        GraphPattern::Filter { inner, .. }
        | GraphPattern::Extend { inner, .. }
        | GraphPattern::OrderBy { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Graph { inner, .. } => check_nested(inner, plain),
        _ => *plain = false,
    }
}

/// The focus nodes of `targets` in `data`: a class's SHACL instances (typed
/// by it or by a subclass of it), the subjects or objects of a predicate.
fn focus_nodes(targets: &[Focus], data: &[&Triple]) -> FxHashSet<Term> {
    let mut out = FxHashSet::default();
    let mut classes: FxHashSet<Term> = FxHashSet::default();
    for t in targets {
        match t {
            Focus::Class(c) => {
                classes.insert(c.clone());
            }
            Focus::SubjectsOf(p) => {
                out.extend(
                    data.iter()
                        .filter(|t| &t.predicate == p)
                        .map(|t| Term::from(t.subject.clone())),
                );
            }
            Focus::ObjectsOf(p) => {
                out.extend(
                    data.iter()
                        .filter(|t| &t.predicate == p)
                        .map(|t| t.object.clone()),
                );
            }
        }
    }
    if !classes.is_empty() {
        // The subclasses, to a fixed point.
        let sub: Vec<(&Term, Term)> = data
            .iter()
            .filter(|t| t.predicate.as_str() == SUBCLASS_OF)
            .map(|t| (&t.object, Term::from(t.subject.clone())))
            .collect();
        loop {
            let more: Vec<Term> = sub
                .iter()
                .filter(|(sup, s)| classes.contains(*sup) && !classes.contains(s))
                .map(|(_, s)| s.clone())
                .collect();
            if more.is_empty() {
                break;
            }
            classes.extend(more);
        }
        out.extend(
            data.iter()
                .filter(|t| t.predicate.as_str() == RDF_TYPE && classes.contains(&t.object))
                .map(|t| Term::from(t.subject.clone())),
        );
    }
    out
}

/// Runs the constraints on one graph's triples (with the ontology's).
pub(super) fn findings(
    constraints: &[GraphConstraint],
    data: &[&Triple],
) -> Result<Vec<Finding>, String> {
    let mut out = Vec::new();
    if constraints.is_empty() {
        return Ok(out);
    }
    let store = Store::new().map_err(|e| e.to_string())?;
    store
        .extend(data.iter().map(|t| {
            (*t).clone()
                .in_graph(oxigraph::model::GraphName::DefaultGraph)
        }))
        .map_err(|e| e.to_string())?;
    for c in constraints {
        let focus = focus_nodes(&c.targets, data);
        if focus.is_empty() {
            continue;
        }
        let results = SparqlEvaluator::new()
            .parse_query(&c.query)
            .map_err(|e| format!("cannot parse the query of {}: {e}", c.shape))?
            .on_store(&store)
            .execute()
            .map_err(|e| e.to_string())?;
        let QueryResults::Solutions(solutions) = results else {
            continue;
        };
        for sol in solutions {
            let sol = sol.map_err(|e| e.to_string())?;
            let Some(this) = sol.get("this") else {
                continue;
            };
            if !focus.contains(this) {
                continue;
            }
            if matches!(sol.get("failure"), Some(Term::Literal(l)) if l.value() == "true") {
                return Err("SPARQL constraint produced a failure".to_owned());
            }
            let resolve = |name: &str| {
                let term = sol.get(name)?;
                Object::try_from(term.clone())
                    .ok()
                    .map(|o| object_to_message_value(&o))
            };
            let message = match sol.get("message") {
                Some(m) => MessageMap::new().with_message(None, m.to_string()),
                None => c
                    .message
                    .as_ref()
                    .map(|m| m.interpolate(resolve))
                    .unwrap_or_default(),
            };
            out.push(Finding {
                severity: severity_of(&c.severity),
                focus: this.clone(),
                path: match sol.get("path") {
                    Some(Term::NamedNode(p)) => Some(p.as_str().to_owned()),
                    _ => None,
                },
                value: Some(sol.get("value").unwrap_or(this).clone()),
                shape: Some(c.shape.clone()),
                component: c.component.clone(),
                message: finding_message(c.shape_message.as_ref(), &message),
            });
        }
    }
    Ok(out)
}
