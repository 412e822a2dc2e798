//! The vocabulary contract: every IRI constant of the code is declared in
//! `ontology/jinsong.ttl` with a label and a comment or an alignment, and
//! every `jso:` name a named query uses exists.

use std::collections::BTreeSet;

use jinsong::build::ONTOLOGY_TTL;
use jinsong::rdf::vocab::jso;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::vocab::{rdf, rdfs};
use oxigraph::model::{NamedNode, Quad, Term};

fn ontology() -> Vec<Quad> {
    RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(ONTOLOGY_TTL.as_bytes())
        .collect::<Result<_, _>>()
        .expect("the ontology parses")
}

fn declared() -> BTreeSet<String> {
    ontology()
        .iter()
        .filter(|q| q.predicate == rdf::TYPE)
        .map(|q| q.subject.to_string())
        .collect()
}

#[test]
fn every_jso_constant_is_declared_with_a_label() {
    let quads = ontology();
    let declared = declared();
    for term in jso::ALL {
        let s = format!("<{}>", term.as_str());
        assert!(
            declared.contains(&s),
            "{term} is not declared in ontology/jinsong.ttl"
        );
        let labelled = quads
            .iter()
            .any(|q| q.subject.to_string() == s && q.predicate == rdfs::LABEL);
        assert!(labelled, "{term} has no rdfs:label");
    }
}

#[test]
fn every_declared_term_is_documented_and_every_class_aligned() {
    let quads = ontology();
    for s in declared() {
        if !s.starts_with(&format!("<{}", jso::NS)) {
            continue;
        }
        let has = |p: &str| {
            quads
                .iter()
                .any(|q| q.subject.to_string() == s && q.predicate.as_str().ends_with(p))
        };
        assert!(has("#label"), "{s} label");
        assert!(
            has("#comment")
                || has("#equivalentProperty")
                || has("#subPropertyOf")
                || has("#domain"),
            "{s} comment"
        );
    }
    // Classes align with DBpedia, schema.org or PROV-O.
    for class in [
        jso::CONFLICT,
        jso::BATTLE,
        jso::TREATY,
        jso::POLITY,
        jso::PERSON,
        jso::PLACE,
    ] {
        let aligned = quads.iter().any(|q| {
            q.subject.to_string() == format!("<{}>", class.as_str())
                && (q.predicate.as_str().ends_with("#equivalentClass") || q.predicate.as_str().ends_with("#subClassOf"))
                && matches!(&q.object, Term::NamedNode(n) if n.as_str().starts_with("http://dbpedia.org/ontology/"))
        });
        assert!(aligned, "{class} aligns with the DBpedia ontology");
    }
}

/// Every property says what it applies to and what its values are.
#[test]
fn every_property_has_a_label_comment_domain_and_range() {
    let quads = ontology();
    let properties: BTreeSet<String> = quads
        .iter()
        .filter(|q| {
            q.predicate == rdf::TYPE
                && matches!(&q.object, Term::NamedNode(n)
                    if n.as_str().ends_with("#ObjectProperty") || n.as_str().ends_with("#DatatypeProperty"))
        })
        .map(|q| q.subject.to_string())
        .collect();
    assert!(properties.len() > 30, "{} properties", properties.len());
    for p in &properties {
        for (what, iri) in [
            ("label", rdfs::LABEL),
            ("comment", rdfs::COMMENT),
            ("domain", rdfs::DOMAIN),
            ("range", rdfs::RANGE),
        ] {
            assert!(
                quads
                    .iter()
                    .any(|q| q.subject.to_string() == *p && q.predicate == iri),
                "{p} has no {what}"
            );
        }
    }
}

#[test]
fn named_queries_use_only_declared_terms() {
    let declared = declared();
    for q in jinsong::query::named_queries() {
        for word in q
            .text
            .split(|c: char| !(c.is_alphanumeric() || c == ':' || c == '_'))
        {
            if let Some(local) = word.strip_prefix("jso:") {
                let iri = NamedNode::new(format!("{}{local}", jso::NS)).unwrap();
                assert!(
                    declared.contains(&iri.to_string()),
                    "{}: jso:{local} is not declared",
                    q.name
                );
            }
        }
    }
}
