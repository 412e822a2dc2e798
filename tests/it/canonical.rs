//! Canonical output and graph isomorphism: `export --canonical` gives the
//! same bytes and hash for the same sources read in any order, and every
//! export re-imports to a graph isomorphic (sophia_isomorphism) to the store.

use std::path::Path;

use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfParser, RdfSerializer};
use oxigraph::model::Quad;
use sophia_api::source::{QuadSource, TripleSource};
use sophia_inmem::dataset::LightDataset;
use sophia_inmem::graph::LightGraph;

use crate::harness::{jinsong, repo, shared_store, tempdir};

/// A manifest listing the bundled sources (absolute paths) in `order`.
fn manifest(dir: &Path, order: &[usize]) -> std::path::PathBuf {
    assert_eq!(order.len(), 5, "the bundled manifest has 5 sources");
    manifest_of(dir, order)
}

/// A manifest listing some of the bundled sources (absolute paths, so that
/// every manifest made here names each file the same way), in `order`.
pub fn manifest_of(dir: &Path, order: &[usize]) -> std::path::PathBuf {
    let text = std::fs::read_to_string(repo().join("data/sources.toml")).unwrap();
    let tables: Vec<String> = text
        .split("\n[[source]]\n")
        .skip(1)
        .map(|t| {
            t.lines()
                .map(|l| match l.strip_prefix("file = \"") {
                    Some(rel) => format!(
                        "file = \"{}\"",
                        repo()
                            .join("data")
                            .join(rel.trim_end_matches('"'))
                            .display()
                    ),
                    None => l.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    assert_eq!(tables.len(), 5, "the bundled manifest has 5 sources");
    let mut out = String::new();
    for &i in order {
        out.push_str("[[source]]\n");
        out.push_str(&tables[i]);
        out.push('\n');
    }
    let path = dir.join("sources.toml");
    std::fs::write(&path, out).unwrap();
    path
}

pub fn canonical(store: &Path) -> (String, String) {
    let run = jinsong(store, &["export", "--canonical"]).success();
    let hash = run
        .stderr
        .trim()
        .strip_prefix("sha256 ")
        .unwrap_or_else(|| panic!("a hash on stderr: {}", run.stderr))
        .to_owned();
    (run.stdout, hash)
}

#[test]
fn canonical_output_is_the_same_for_sources_in_any_order() {
    let a = tempdir();
    let b = tempdir();
    let ma = manifest(a.path(), &[0, 1, 2, 3, 4]);
    let mb = manifest(b.path(), &[4, 2, 0, 3, 1]);
    let sa = a.path().join("store");
    let sb = b.path().join("store");
    jinsong(&sa, &["build", ma.to_str().unwrap()]).success();
    jinsong(&sb, &["build", mb.to_str().unwrap()]).success();
    let (ca, ha) = canonical(&sa);
    let (cb, hb) = canonical(&sb);
    assert!(ca.lines().count() > 1000, "a real dataset");
    assert!(ca == cb, "byte-identical canonical N-Quads");
    assert_eq!(ha, hb);
    // The hash is the SHA-256 of exactly the bytes written.
    assert_eq!(ha, jinsong::export::sha256_hex(ca.as_bytes()));
    // With --output, the hash goes to stdout as sha256sum writes it.
    let file = a.path().join("canonical.nq");
    let run = jinsong(
        &sa,
        &["export", "--canonical", "-o", file.to_str().unwrap()],
    )
    .success();
    assert_eq!(run.stdout, format!("{ha}  {}\n", file.display()));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), ca);
}

#[test]
fn canonical_output_is_in_canonical_form() {
    let (c, _) = canonical(shared_store());
    // RDFC-1.0 labels blank nodes c14n0, c14n1, … and sorts the lines.
    let lines: Vec<&str> = c.lines().collect();
    let mut sorted = lines.clone();
    sorted.sort_unstable();
    assert!(lines == sorted, "lines in code point order");
    assert!(c.contains("_:c14n0 "), "blank nodes relabelled");
    assert!(
        !c.contains("_:ontology"),
        "no original blank node label left"
    );
    // Canonicalizing the canonical form again changes nothing.
    let quads: Vec<Quad> = RdfParser::from_format(RdfFormat::NQuads)
        .for_slice(c.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    let again = jinsong::export::canonical_nquads(&quads).unwrap();
    assert!(again == c.as_bytes(), "canonical form is a fixpoint");
}

/// N-Quads text of quads (for sophia's parser).
fn nquads(quads: &[Quad]) -> String {
    let mut w = RdfSerializer::from_format(RdfFormat::NQuads).for_writer(Vec::new());
    for q in quads {
        w.serialize_quad(q).unwrap();
    }
    String::from_utf8(w.finish().unwrap()).unwrap()
}

fn sophia_dataset(quads: &[Quad]) -> LightDataset {
    sophia_turtle::parser::nq::parse_str(&nquads(quads))
        .collect_quads()
        .unwrap()
}

fn sophia_graph(quads: &[Quad]) -> LightGraph {
    let triples: Vec<Quad> = quads
        .iter()
        .map(|q| {
            Quad::new(
                q.subject.clone(),
                q.predicate.clone(),
                q.object.clone(),
                oxigraph::model::GraphName::DefaultGraph,
            )
        })
        .collect();
    sophia_turtle::parser::nt::parse_str(&nquads(&triples))
        .collect_triples()
        .unwrap()
}

fn parse(text: &str, format: RdfFormat) -> Vec<Quad> {
    RdfParser::from_format(format)
        .for_slice(text.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{format} re-import: {e}"))
}

#[test]
fn every_export_reimports_to_an_isomorphic_graph() {
    let store = jinsong::store::open_read_only(shared_store()).unwrap();
    let all: Vec<Quad> = store.iter().collect::<Result<_, _>>().unwrap();
    let (named, default): (Vec<Quad>, Vec<Quad>) = all
        .into_iter()
        .partition(|q| !q.graph_name.is_default_graph());
    // The ontology's class unions are blank nodes: isomorphism, not equality.
    assert!(named.iter().any(|q| q.subject.is_blank_node()));
    let dataset = sophia_dataset(&named);
    let merge = sophia_graph(&default);
    let jsonld = RdfFormat::JsonLd {
        profile: JsonLdProfileSet::empty(),
    };
    for (name, format) in [
        ("nq", RdfFormat::NQuads),
        ("trig", RdfFormat::TriG),
        ("jsonld", jsonld),
    ] {
        let text = jinsong(shared_store(), &["export", "--format", name])
            .success()
            .stdout;
        let back = sophia_dataset(&parse(&text, format));
        assert!(
            sophia_isomorphism::isomorphic_datasets(&dataset, &back).unwrap(),
            "{name} export re-imports to an isomorphic dataset"
        );
    }
    for (name, format) in [
        ("ttl", RdfFormat::Turtle),
        ("nt", RdfFormat::NTriples),
        ("rdfxml", RdfFormat::RdfXml),
    ] {
        let text = jinsong(shared_store(), &["export", "--format", name])
            .success()
            .stdout;
        let back = sophia_graph(&parse(&text, format));
        assert!(
            sophia_isomorphism::isomorphic_graphs(&merge, &back).unwrap(),
            "{name} export re-imports to a graph isomorphic to the merge"
        );
    }
    // The canonical form is isomorphic to the dataset too.
    let (c, _) = canonical(shared_store());
    let back = sophia_dataset(&parse(&c, RdfFormat::NQuads));
    assert!(sophia_isomorphism::isomorphic_datasets(&dataset, &back).unwrap());
}

/// What broke isomorphism would also break here: a graph with one triple
/// fewer is not isomorphic to the store's.
#[test]
fn isomorphism_tells_a_changed_graph() {
    let store = jinsong::store::open_read_only(shared_store()).unwrap();
    let named: Vec<Quad> = store
        .iter()
        .filter_map(Result::ok)
        .filter(|q| !q.graph_name.is_default_graph())
        .collect();
    let fewer = &named[1..];
    assert!(
        !sophia_isomorphism::isomorphic_datasets(&sophia_dataset(&named), &sophia_dataset(fewer))
            .unwrap()
    );
}

/// The JSON-LD export is plain JSON under the published context: short keys.
#[test]
fn jsonld_export_uses_the_published_context() {
    let text = jinsong(
        shared_store(),
        &["export", "--format", "jsonld", "-g", "wikipedia"],
    )
    .success()
    .stdout;
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let published: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("ontology/context.jsonld")).unwrap(),
    )
    .unwrap();
    assert_eq!(doc["@context"], published["@context"]);
    let graph = &doc["@graph"][0];
    assert_eq!(graph["@id"], "jsg:wikipedia");
    let battle = graph["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["@type"] == "Battle" && n.get("startDate").is_some())
        .expect("a dated battle");
    assert!(battle["label"].is_string(), "{battle}");
    assert!(battle["@id"].as_str().unwrap().starts_with("jsr:"));
}
