//! Other tools read what jinsong writes: exports re-import to the same graph
//! (Oxigraph, rdflib, rapper), and pyoxigraph opens the store itself and
//! gives the same answers to the named queries.

use std::collections::{BTreeSet, HashSet};
use std::process::Command;

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Quad, Triple};

use crate::harness::{jinsong, missing, python, rapper, run_python, shared_store, tempdir};

fn export(format: &str) -> String {
    jinsong(shared_store(), &["export", "--format", format])
        .success()
        .stdout
}

/// The quads of the store's named graphs: what N-Quads and TriG exports hold.
fn store_quads() -> HashSet<Quad> {
    let store = jinsong::store::open_read_only(shared_store()).unwrap();
    let all: Vec<Quad> = store.iter().collect::<Result<_, _>>().unwrap();
    all.into_iter()
        .filter(|q| !q.graph_name.is_default_graph())
        .collect()
}

/// The store's default graph is the merge of its named graphs.
#[test]
fn the_default_graph_is_the_merge_of_the_named_graphs() {
    let store = jinsong::store::open_read_only(shared_store()).unwrap();
    let default: HashSet<Triple> = store
        .quads_for_pattern(
            None,
            None,
            None,
            Some(oxigraph::model::GraphNameRef::DefaultGraph),
        )
        .map(|q| q.map(Triple::from))
        .collect::<Result<_, _>>()
        .unwrap();
    let merged: HashSet<Triple> = store_quads().into_iter().map(Triple::from).collect();
    assert!(!merged.is_empty());
    assert!(
        default == merged,
        "{} vs {} triples",
        default.len(),
        merged.len()
    );
}

#[test]
fn every_export_reimports_to_the_same_graph() {
    let quads = store_quads();
    let triples: HashSet<Triple> = quads
        .iter()
        .map(|q| Triple::new(q.subject.clone(), q.predicate.clone(), q.object.clone()))
        .collect();
    for (name, format) in [("nq", RdfFormat::NQuads), ("trig", RdfFormat::TriG)] {
        let parsed: HashSet<Quad> = RdfParser::from_format(format)
            .for_slice(export(name).as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(parsed == quads, "{name} export is the dataset");
    }
    for (name, format) in [("nt", RdfFormat::NTriples), ("ttl", RdfFormat::Turtle)] {
        let parsed: HashSet<Triple> = RdfParser::from_format(format)
            .for_slice(export(name).as_bytes())
            .map(|q| q.map(Triple::from))
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            parsed == triples,
            "{name} export is the union of the graphs"
        );
    }
}

#[test]
fn rapper_parses_every_export() {
    let Some(rapper) = rapper() else {
        if missing("rapper (Debian raptor2-utils)") {
            return;
        }
        unreachable!()
    };
    let dir = tempdir();
    let quads = store_quads().len();
    let triples: HashSet<Triple> = store_quads()
        .into_iter()
        .map(|q| Triple::new(q.subject, q.predicate, q.object))
        .collect();
    for (ext, syntax, expected) in [
        ("ttl", "turtle", triples.len()),
        ("nt", "ntriples", triples.len()),
        ("rdfxml", "rdfxml", triples.len()),
        ("nq", "nquads", quads),
        ("trig", "trig", quads),
    ] {
        let path = dir.path().join(format!("out.{ext}"));
        std::fs::write(&path, export(ext)).unwrap();
        let out = Command::new(&rapper)
            .args(["-i", syntax, "-c"])
            .arg(&path)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "rapper {ext}: {err}");
        let n: usize = err
            .lines()
            .find_map(|l| l.split("returned ").nth(1))
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("rapper's count: {err}"));
        assert_eq!(n, expected, "rapper {ext}");
    }
}

/// rdflib reads every export: the triple and quad counts, and isomorphism
/// of the triple formats with each other and of every named graph of the
/// dataset formats (N-Quads, TriG, JSON-LD) with each other.
const RDFLIB: &str = r#"
import sys, json, rdflib
from rdflib.compare import isomorphic
d = sys.argv[1]
graphs = {f: rdflib.Graph().parse(d + "/out." + f, format=fmt)
          for f, fmt in [("ttl", "turtle"), ("nt", "nt"), ("rdfxml", "xml")]}
sets = {}
for f, fmt in [("nq", "nquads"), ("trig", "trig"), ("jsonld", "json-ld")]:
    ds = rdflib.Dataset()
    ds.parse(d + "/out." + f, format=fmt)
    sets[f] = ds
count = lambda ds: sum(1 for _ in ds.quads((None, None, None, None)))
names = lambda ds: sorted(str(g.identifier) for g in ds.graphs() if len(g) > 0)
out = {"triples": {f: len(g) for f, g in graphs.items()},
       "quads": {f: count(ds) for f, ds in sets.items()},
       "graphs": {f: names(ds) for f, ds in sets.items()},
       "iso_triples": all(isomorphic(graphs["ttl"], g) for g in graphs.values())}
iso = True
for name in names(sets["nq"]):
    ref = sets["nq"].graph(rdflib.URIRef(name))
    for f in ["trig", "jsonld"]:
        iso = iso and isomorphic(ref, sets[f].graph(rdflib.URIRef(name)))
out["iso_graphs"] = iso
print(json.dumps(out))
"#;

#[test]
fn rdflib_parses_every_export_to_isomorphic_graphs() {
    let Some(py) = python() else {
        if missing("a Python with rdflib and pyoxigraph") {
            return;
        }
        unreachable!()
    };
    let dir = tempdir();
    for ext in ["ttl", "nt", "rdfxml", "nq", "trig", "jsonld"] {
        std::fs::write(dir.path().join(format!("out.{ext}")), export(ext)).unwrap();
    }
    let out = run_python(&py, RDFLIB, &[dir.path().to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let quads = store_quads();
    let triples: HashSet<Triple> = quads
        .iter()
        .map(|q| Triple::new(q.subject.clone(), q.predicate.clone(), q.object.clone()))
        .collect();
    for f in ["ttl", "nt", "rdfxml"] {
        assert_eq!(v["triples"][f], triples.len(), "{f}: {out}");
    }
    let graphs: BTreeSet<String> = quads
        .iter()
        .map(|q| match &q.graph_name {
            oxigraph::model::GraphName::NamedNode(n) => n.as_str().to_owned(),
            other => other.to_string(),
        })
        .collect();
    for f in ["nq", "trig", "jsonld"] {
        assert_eq!(v["quads"][f], quads.len(), "{f}: {out}");
        let theirs: BTreeSet<String> = v["graphs"][f]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(theirs, graphs, "{f}: the named graphs");
    }
    assert_eq!(
        v["iso_triples"], true,
        "Turtle, N-Triples and RDF/XML are isomorphic"
    );
    assert_eq!(
        v["iso_graphs"], true,
        "N-Quads, TriG and JSON-LD graphs are isomorphic"
    );
}

const PYOXIGRAPH: &str = r#"
import sys, json, pyoxigraph
store = pyoxigraph.Store.read_only(sys.argv[1])
prefixes = json.loads(sys.argv[2])
query = open(sys.argv[3]).read()
res = store.query(query, prefixes=prefixes)
rows = []
for s in res:
    rows.append({v.value: str(s[v]) for v in res.variables if s[v] is not None})
print(json.dumps(rows))
"#;

/// The store opens in pyoxigraph of the same version, and every named query
/// gives there what it gives in jinsong.
#[test]
fn pyoxigraph_opens_the_store_and_agrees_on_every_named_query() {
    let Some(py) = python() else {
        if missing("a Python with rdflib and pyoxigraph") {
            return;
        }
        unreachable!()
    };
    let mut prefixes = serde_json::Map::new();
    for (p, ns) in jinsong::rdf::vocab::PREFIXES {
        prefixes.insert((*p).to_owned(), serde_json::Value::String((*ns).to_owned()));
    }
    prefixes.insert("jsr".into(), "https://w3id.org/jinsong/resource/".into());
    let prefixes = serde_json::Value::Object(prefixes).to_string();
    for q in jinsong::query::named_queries() {
        let dir = tempdir();
        let file = dir.path().join(format!("{}.rq", q.name));
        std::fs::write(&file, q.text).unwrap();
        let out = run_python(
            &py,
            PYOXIGRAPH,
            &[
                shared_store().to_str().unwrap(),
                &prefixes,
                file.to_str().unwrap(),
            ],
        );
        let theirs: Vec<serde_json::Map<String, serde_json::Value>> =
            serde_json::from_str(&out).unwrap();
        let theirs: BTreeSet<String> = theirs
            .iter()
            .map(|r| serde_json::Value::Object(r.clone()).to_string())
            .collect();
        // jinsong's answers, as N-Triples-style terms.
        let run = jinsong(shared_store(), &["query", q.name, "--format", "json"]).success();
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let ours: BTreeSet<String> = v["results"]["bindings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                let mut m = serde_json::Map::new();
                for (k, t) in b.as_object().unwrap() {
                    m.insert(k.clone(), serde_json::Value::String(term(t)));
                }
                serde_json::Value::Object(m).to_string()
            })
            .collect();
        assert!(!ours.is_empty(), "{} has results", q.name);
        assert_eq!(ours, theirs, "{}: jinsong and pyoxigraph differ", q.name);
    }
}

/// A SPARQL JSON term written as pyoxigraph's `str()` writes terms.
fn term(t: &serde_json::Value) -> String {
    let value = t["value"].as_str().unwrap_or_default();
    match t["type"].as_str() {
        Some("uri") => format!("<{value}>"),
        Some("bnode") => format!("_:{value}"),
        _ => {
            let lit = oxigraph::model::Literal::new_simple_literal(value).to_string();
            if let Some(lang) = t.get("xml:lang").and_then(|l| l.as_str()) {
                format!("{lit}@{lang}")
            } else if let Some(dt) = t
                .get("datatype")
                .and_then(|d| d.as_str())
                .filter(|d| *d != "http://www.w3.org/2001/XMLSchema#string")
            {
                format!("{lit}^^<{dt}>")
            } else {
                lit
            }
        }
    }
}
