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

/// The published JSON-LD context (`ontology/context.jsonld`) has a short
/// key for every class and property of the ontology, and each key's
/// coercion fits the property's range: object properties are `@id`, English
/// text `@language: en`, a single datatype that datatype; union-ranged and
/// integer properties are left plain (dates as value objects, integers as
/// JSON numbers).
#[test]
fn the_jsonld_context_covers_the_ontology_and_fits_its_ranges() {
    let ctx: serde_json::Value =
        serde_json::from_str(jinsong::export::jsonld::CONTEXT_JSONLD).expect("the context is JSON");
    let ctx = ctx["@context"].as_object().expect("an @context object");
    let expand = |s: &str| -> String {
        match s.split_once(':') {
            Some((p, l)) => match ctx.get(p).and_then(|v| v.as_str()) {
                Some(ns) => format!("{ns}{l}"),
                None => s.to_owned(),
            },
            None => s.to_owned(),
        }
    };
    let quads = ontology();
    let objects = |s: &str, p: &str| -> Vec<String> {
        quads
            .iter()
            .filter(|q| q.subject.to_string() == format!("<{s}>") && q.predicate.as_str() == p)
            .map(|q| match &q.object {
                Term::NamedNode(n) => n.as_str().to_owned(),
                other => other.to_string(),
            })
            .collect()
    };
    let rdf_type = rdf::TYPE.as_str();
    let range = rdfs::RANGE.as_str();
    for term in jso::ALL {
        let iri = term.as_str();
        let local = &iri[jso::NS.len()..];
        let def = ctx
            .get(local)
            .unwrap_or_else(|| panic!("no key {local:?} in ontology/context.jsonld"));
        let (id, coercion) = match def {
            serde_json::Value::String(s) => (expand(s), None),
            d => (expand(d["@id"].as_str().expect("an @id")), Some(d.clone())),
        };
        assert_eq!(id, iri, "{local}");
        let types = objects(iri, rdf_type);
        let ranges = objects(iri, range);
        let c = |k: &str| {
            coercion
                .as_ref()
                .and_then(|d| d.get(k))
                .and_then(|v| v.as_str())
        };
        if types.iter().any(|t| t.ends_with("#ObjectProperty")) {
            assert_eq!(c("@type"), Some("@id"), "{local} is an object property");
        } else if types.iter().any(|t| t.ends_with("#DatatypeProperty")) {
            match ranges.first().map(String::as_str) {
                Some("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString") => {
                    assert_eq!(c("@language"), Some("en"), "{local} is English text")
                }
                Some(
                    dt @ ("http://www.w3.org/2001/XMLSchema#gYear"
                    | "http://www.w3.org/2001/XMLSchema#duration"
                    | "http://www.w3.org/2001/XMLSchema#decimal"),
                ) => {
                    assert_eq!(c("@type").map(expand), Some(dt.to_owned()), "{local}")
                }
                _ => assert!(coercion.is_none(), "{local} is left plain"),
            }
        } else {
            assert!(coercion.is_none(), "the class {local} is a plain key");
        }
    }
}
