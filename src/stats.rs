//! `stats`: what the store holds, counted per class, per graph and per source.

use std::collections::BTreeMap;
use std::io::{self, Write};

use oxigraph::model::vocab::rdf;
use oxigraph::model::{GraphName, NamedNode, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::{StorageError, Store};

use crate::export::graph_label;
use crate::query::{prefixed, write_table};
use crate::rdf::emit::Base;
use crate::rdf::vocab::jso;

#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    #[error("cannot read the store: {0}")]
    Store(#[from] StorageError),
    #[error("cannot count the store's quads: {0}")]
    Count(String),
    #[error("cannot write: {0}")]
    Write(#[from] io::Error),
}

/// Counts of a store.
#[derive(Debug, Default, PartialEq)]
pub struct Stats {
    /// Distinct resources per class (union of graphs).
    pub classes: BTreeMap<String, usize>,
    /// Quads per named graph.
    pub graphs: BTreeMap<String, usize>,
    /// Triples of the default graph, the merge of the named graphs.
    pub merged: usize,
    /// Per source graph: resources of each jinsong class it states.
    pub sources: BTreeMap<String, BTreeMap<String, usize>>,
    /// Quads in named graphs.
    pub quads: usize,
}

const CLASSES: [&str; 8] = [
    "Conflict", "Campaign", "Battle", "Siege", "Treaty", "Polity", "Person", "Place",
];

/// Counts a store. The quads are counted by SPARQL, which reads the
/// store's indexes without spelling out each term (reading every quad as
/// terms took about seven minutes on a 100 MB corpus's store); the two
/// counts run side by side, and only the type statements are read as terms.
pub fn compute(store: &Store, base: &Base) -> Result<Stats, StatsError> {
    let (graphs, merged, typed) = std::thread::scope(|scope| {
        let graphs = scope.spawn(|| graph_counts(store));
        let merged = scope.spawn(|| crate::store::count_triples(store, None));
        let typed = typed_resources(store, base);
        fn join<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
            h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
        }
        (join(graphs), join(merged), typed)
    });
    let mut st = typed?;
    for (g, n) in graphs? {
        *st.graphs.entry(graph_label(&g, base)).or_default() += n;
        st.quads += n;
    }
    st.merged = merged?;
    Ok(st)
}

/// The quads of each named graph.
fn graph_counts(store: &Store) -> Result<Vec<(GraphName, usize)>, StatsError> {
    let err = |e: &dyn std::fmt::Display| StatsError::Count(e.to_string());
    let prepared = SparqlEvaluator::new()
        .parse_query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        .map_err(|e| err(&e))?;
    let QueryResults::Solutions(solutions) =
        prepared.on_store(store).execute().map_err(|e| err(&e))?
    else {
        return Err(StatsError::Count("not a SELECT".into()));
    };
    let mut out = Vec::new();
    for s in solutions {
        let s = s.map_err(|e| err(&e))?;
        let n = match s.get("n") {
            Some(Term::Literal(l)) => l
                .value()
                .parse::<usize>()
                .map_err(|e| StatsError::Count(format!("{l}: {e}")))?,
            other => return Err(StatsError::Count(format!("a count of {other:?}"))),
        };
        let g = match s.get("g") {
            Some(Term::NamedNode(n)) => GraphName::NamedNode(n.clone()),
            Some(Term::BlankNode(b)) => GraphName::BlankNode(b.clone()),
            other => return Err(StatsError::Count(format!("a graph named {other:?}"))),
        };
        out.push((g, n));
    }
    Ok(out)
}

/// The resources of each class (in any named graph) and what each source
/// graph types, read from the type statements alone.
fn typed_resources(store: &Store, base: &Base) -> Result<Stats, StatsError> {
    let mut st = Stats::default();
    for c in CLASSES {
        let class = NamedNode::new_unchecked(format!("{}{c}", jso::NS));
        let mut subjects = std::collections::BTreeSet::new();
        for q in store.quads_for_pattern(None, Some(rdf::TYPE), Some(class.as_ref().into()), None) {
            let q = q?;
            if q.graph_name.is_default_graph() {
                continue;
            }
            subjects.insert(q.subject.to_string());
            let g = graph_label(&q.graph_name, base);
            if matches!(q.graph_name, GraphName::NamedNode(_)) && g != "ontology" {
                *st.sources
                    .entry(g)
                    .or_default()
                    .entry(c.to_owned())
                    .or_default() += 1;
            }
        }
        st.classes.insert(c.to_owned(), subjects.len());
    }
    Ok(st)
}

pub fn print(st: &Stats, base: &Base, out: &mut dyn Write) -> Result<(), StatsError> {
    let rows: Vec<Vec<String>> = CLASSES
        .iter()
        .map(|c| {
            vec![
                prefixed(&format!("{}{c}", jso::NS), base),
                st.classes[*c].to_string(),
            ]
        })
        .collect();
    write_table(out, &["class".into(), "resources".into()], &rows)?;
    writeln!(out)?;
    let rows: Vec<Vec<String>> = st
        .graphs
        .iter()
        .map(|(g, n)| vec![g.clone(), n.to_string()])
        .collect();
    write_table(out, &["graph".into(), "quads".into()], &rows)?;
    writeln!(out, "total quads: {}", st.quads)?;
    writeln!(
        out,
        "default graph: {} triples (the merge of the named graphs)",
        st.merged
    )?;
    writeln!(out)?;
    let mut header = vec!["source".to_owned()];
    header.extend(CLASSES.iter().map(|c| (*c).to_owned()));
    let rows: Vec<Vec<String>> = st
        .sources
        .iter()
        .map(|(s, counts)| {
            let mut r = vec![s.clone()];
            r.extend(
                CLASSES
                    .iter()
                    .map(|c| counts.get(*c).copied().unwrap_or(0).to_string()),
            );
            r
        })
        .collect();
    write_table(out, &header, &rows)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every quad read as terms, as [`compute`] counted before: the tests' reference.
    fn compute_by_scan(store: &Store, base: &Base) -> Result<Stats, StatsError> {
        let mut st = Stats::default();
        let mut typed: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
        for q in store.iter() {
            let q = q?;
            if q.graph_name.is_default_graph() {
                // The merge repeats what the named graphs say.
                st.merged += 1;
                continue;
            }
            st.quads += 1;
            let g = graph_label(&q.graph_name, base);
            *st.graphs.entry(g.clone()).or_default() += 1;
            if q.predicate == rdf::TYPE {
                if let Term::NamedNode(c) = &q.object {
                    if let Some(local) = c.as_str().strip_prefix(jso::NS) {
                        if CLASSES.contains(&local) {
                            typed
                                .entry(local.to_owned())
                                .or_default()
                                .insert(q.subject.to_string());
                            if matches!(q.graph_name, GraphName::NamedNode(_)) && g != "ontology" {
                                *st.sources
                                    .entry(g)
                                    .or_default()
                                    .entry(local.to_owned())
                                    .or_default() += 1;
                            }
                        }
                    }
                }
            }
        }
        for c in CLASSES {
            st.classes
                .insert(c.to_owned(), typed.get(c).map_or(0, |s| s.len()));
        }
        Ok(st)
    }

    #[test]
    fn counts_are_what_reading_every_quad_says() {
        use oxigraph::model::{BlankNode, Literal, Quad};
        let base = Base::default();
        let store = Store::new().expect("an in-memory store");
        let graph = |id: &str| GraphName::NamedNode(base.graph(id));
        let class = |c: &str| NamedNode::new_unchecked(format!("{}{c}", jso::NS));
        let other = NamedNode::new_unchecked("http://example.org/Thing");
        let label = NamedNode::new_unchecked("http://www.w3.org/2000/01/rdf-schema#label");
        let r = |n: &str| base.resource(n);
        let blank_graph = GraphName::BlankNode(BlankNode::default());
        let mut quads = Vec::new();
        // The same battle in two sources, a person in one, a class of no
        // interest, the ontology's own statements, a blank-node graph, and
        // the merge in the default graph.
        for g in [graph("a"), graph("b")] {
            quads.push(Quad::new(
                r("Battle_of_X"),
                rdf::TYPE,
                class("Battle"),
                g.clone(),
            ));
            quads.push(Quad::new(
                r("Battle_of_X"),
                label.clone(),
                Literal::new_language_tagged_literal_unchecked("Battle of X", "en"),
                g,
            ));
        }
        quads.push(Quad::new(r("Y"), rdf::TYPE, class("Person"), graph("a")));
        quads.push(Quad::new(r("Z"), rdf::TYPE, other.clone(), graph("b")));
        quads.push(Quad::new(
            r("W"),
            rdf::TYPE,
            class("Place"),
            graph("ontology"),
        ));
        quads.push(Quad::new(r("V"), rdf::TYPE, class("Siege"), blank_graph));
        quads.push(Quad::new(
            r("Battle_of_X"),
            rdf::TYPE,
            class("Battle"),
            GraphName::DefaultGraph,
        ));
        quads.push(Quad::new(
            r("U"),
            rdf::TYPE,
            class("Treaty"),
            GraphName::DefaultGraph,
        ));
        for q in &quads {
            store.insert(q).expect("insert");
        }
        let fast = compute(&store, &base).expect("counts");
        assert_eq!(fast, compute_by_scan(&store, &base).expect("scan"));
        assert_eq!(fast.quads, 8);
        assert_eq!(fast.merged, 2);
        assert_eq!(fast.classes["Battle"], 1);
        assert_eq!(fast.classes["Siege"], 1);
        assert_eq!(fast.classes["Treaty"], 0);
        assert_eq!(fast.sources["a"]["Battle"], 1);
        assert!(!fast.sources.contains_key("ontology"));
    }
}
