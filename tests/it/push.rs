//! `jinsong push` against a real Virtuoso Open Source on loopback: the
//! graphs arrive whole (counts and facts read back through Virtuoso's own
//! /sparql), a second push replaces and never duplicates, and a wrong
//! password or an unreachable server fails cleanly.

use std::collections::BTreeMap;

use oxigraph::model::{GraphNameRef, NamedOrBlankNode, Term};

use crate::harness::{Virtuoso, enc, http, jinsong, shared_store, tempdir};

/// Triples per named graph of the store, as `jinsong push` sends them.
fn local_counts() -> BTreeMap<String, usize> {
    let store = jinsong::store::open_read_only(shared_store()).unwrap();
    let mut out = BTreeMap::new();
    for g in store.named_graphs() {
        let NamedOrBlankNode::NamedNode(g) = g.unwrap() else {
            continue;
        };
        if g.as_str().ends_with("/graph/cache/dbpedia") {
            continue;
        }
        let n = store
            .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(g.as_ref())))
            .count();
        out.insert(g.as_str().to_owned(), n);
    }
    out
}

/// A SELECT through Virtuoso's /sparql; the JSON bindings.
fn virtuoso_select(sparql: &str, query: &str) -> Vec<serde_json::Value> {
    let url = format!("{sparql}?query={}", enc(query));
    let r = http(
        "GET",
        &url,
        &[("Accept", "application/sparql-results+json")],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    v["results"]["bindings"].as_array().unwrap().clone()
}

fn remote_counts(sparql: &str) -> BTreeMap<String, usize> {
    virtuoso_select(
        sparql,
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), \"https://w3id.org/jinsong/\")) } GROUP BY ?g",
    )
    .iter()
    .map(|b| {
        (
            b["g"]["value"].as_str().unwrap().to_owned(),
            b["n"]["value"].as_str().unwrap().parse().unwrap(),
        )
    })
    .collect()
}

#[test]
fn push_to_virtuoso_sends_every_graph_once() {
    let empty = tempdir();
    let Some(v) = Virtuoso::start(empty.path(), 100_000) else {
        return;
    };
    // Virtuoso's Graph Store endpoint that takes writes, with Digest authentication.
    let gsp = v.sparql.replace("/sparql", "/sparql-graph-crud-auth");
    let push = |password: &str, extra: &[&str]| {
        let mut args = vec![
            "push",
            "--endpoint",
            &v.sparql,
            "--graph-store",
            &gsp,
            "--user",
            "dba",
            "--password",
            password,
            "--batch-size",
            "2000",
        ];
        args.extend_from_slice(extra);
        jinsong(shared_store(), &args)
    };
    let run = push("dba", &[]).success();
    assert!(
        run.stdout.contains("Verified: each graph at"),
        "{}",
        run.stdout
    );
    let local = local_counts();
    assert!(local.len() >= 7, "{local:?}");
    assert_eq!(remote_counts(&v.sparql), local, "the counts at Virtuoso");

    // A few facts, read back through Virtuoso: a battle's label and its start date.
    let store = jinsong::store::open_read_only(shared_store()).unwrap();
    let q = "SELECT ?g ?b ?l ?d WHERE { GRAPH ?g { ?b a <https://w3id.org/jinsong/ontology#Battle> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l ; <https://w3id.org/jinsong/ontology#startDate> ?d } } ORDER BY ?g ?b LIMIT 5";
    let results = oxigraph::sparql::SparqlEvaluator::new()
        .parse_query(q)
        .unwrap()
        .on_store(&store)
        .execute()
        .unwrap();
    let ours = match results {
        oxigraph::sparql::QueryResults::Solutions(s) => s
            .map(|s| {
                let s = s.unwrap();
                let v = |n: &str| match s.get(n) {
                    Some(Term::NamedNode(x)) => x.as_str().to_owned(),
                    Some(Term::Literal(l)) => l.value().to_owned(),
                    other => format!("{other:?}"),
                };
                (v("g"), v("b"), v("l"), v("d"))
            })
            .collect::<Vec<_>>(),
        _ => unreachable!(),
    };
    assert_eq!(ours.len(), 5);
    let theirs: Vec<(String, String, String, String)> = virtuoso_select(&v.sparql, q)
        .iter()
        .map(|b| {
            let v = |n: &str| b[n]["value"].as_str().unwrap().to_owned();
            (v("g"), v("b"), v("l"), v("d"))
        })
        .collect();
    assert_eq!(theirs, ours, "the same facts through Virtuoso");

    // Pushing again replaces: the counts stay the same.
    push("dba", &[]).success();
    assert_eq!(
        remote_counts(&v.sparql),
        local,
        "a second push duplicates nothing"
    );

    // One graph only.
    let run = push("dba", &["--graph", "wikipedia"]).success();
    assert!(run.stdout.contains("Pushed 1 graphs"), "{}", run.stdout);

    // A wrong password: one clear line, non-zero exit, nothing changed.
    let run = push("wrong", &[]).failure();
    assert!(run.stderr.contains("401"), "{}", run.stderr);
    assert_eq!(remote_counts(&v.sparql), local);
}

#[test]
fn push_to_nowhere_retries_then_fails_cleanly() {
    let port = crate::harness::free_port();
    let url = format!("http://127.0.0.1:{port}/sparql");
    let run = jinsong(
        shared_store(),
        &[
            "push",
            "--endpoint",
            &url,
            "--retries",
            "2",
            "--timeout",
            "2",
        ],
    )
    .failure();
    assert!(
        run.stderr.contains("cannot reach it") && run.stderr.contains("after 3 attempts"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_export_bulk_loads_into_virtuoso_graph_by_graph() {
    // What the README tells a user to do for a first load of a large graph:
    // `jinsong export --format nq`, then Virtuoso's own bulk loader.
    let dir = tempdir();
    let nq = dir.path().join("graph.nq");
    jinsong(
        shared_store(),
        &["export", "--format", "nq", "-o", nq.to_str().unwrap()],
    )
    .success();
    let Some(v) = Virtuoso::start(dir.path(), 100_000) else {
        return;
    };
    let data = dir.path().canonicalize().unwrap();
    v.isql(&format!(
        "ld_dir('{}', 'graph.nq', 'https://w3id.org/jinsong/graph/'); rdf_loader_run(); checkpoint;",
        data.display()
    ));
    let mut remote = remote_counts(&v.sparql);
    remote.retain(|g, _| !g.ends_with("/graph/cache/dbpedia"));
    let local = local_counts();
    assert!(local.len() > 3, "{local:?}");
    assert_eq!(remote, local, "every graph arrives whole, in its own graph");
}
