//! `stats`: what the store holds, counted per class, per graph and per source.

use std::collections::BTreeMap;
use std::io::{self, Write};

use oxigraph::model::vocab::rdf;
use oxigraph::model::{GraphName, Term};
use oxigraph::store::{StorageError, Store};

use crate::export::graph_label;
use crate::query::{prefixed, write_table};
use crate::rdf::emit::Base;
use crate::rdf::vocab::jso;

#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    #[error("cannot read the store: {0}")]
    Store(#[from] StorageError),
    #[error("cannot write: {0}")]
    Write(#[from] io::Error),
}

/// Counts of a store.
#[derive(Debug, Default)]
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

pub fn compute(store: &Store, base: &Base) -> Result<Stats, StatsError> {
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
