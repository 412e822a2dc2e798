//! What the graph holds, measured against the gold standard and checked fact
//! by fact: extraction, resolution, provenance and NIF offsets.

use std::collections::BTreeSet;

use jinsong::eval::{Gold, evaluate};
use sha2::{Digest, Sha256};

use crate::harness::{jinsong, repo, select, shared_store, tempdir};

#[test]
fn extraction_meets_the_gold_standard() {
    let store = jinsong::store::open_read_only(shared_store()).unwrap();
    let gold = Gold::load(&repo().join("tests/gold")).unwrap();
    let report = evaluate(&store, &gold).unwrap();
    eprintln!("{report}");
    assert!(
        report.event_precision() >= 0.9,
        "event precision {:.3}\n{report}",
        report.event_precision()
    );
    assert!(
        report.event_recall() >= 0.9,
        "event recall {:.3}\n{report}",
        report.event_recall()
    );
    assert!(
        report.start_accuracy() >= 0.9,
        "start dates {:.3}\n{report}",
        report.start_accuracy()
    );
    assert!(
        report.entity_recall() >= 0.9,
        "entity recall {:.3}\n{report}",
        report.entity_recall()
    );
}

/// Articles written apart from the extractor, in all four formats, about other
/// wars. Each was measured once before any rule was changed for it (the
/// README gives those first figures); since then they guard against
/// regressions.
#[test]
fn unseen_articles_come_out_as_well() {
    for name in [
        "wt103_xiangyang",
        "article_imjin",
        "blog_hastings",
        "wt103_anshi",
        "dbpedia_lepanto",
        "article_vienna",
        "blog_constantinople",
    ] {
        let dir = tempdir();
        let store = dir.path().join("store");
        let text = repo().join(format!("tests/fixtures/unseen/{name}.txt"));
        jinsong(&store, &["build", text.to_str().unwrap()]).success();
        let gold =
            Gold::read(&repo().join(format!("tests/fixtures/unseen/{name}.expect.toml"))).unwrap();
        let opened = jinsong::store::open_read_only(&store).unwrap();
        let report = evaluate(&opened, &gold).unwrap();
        eprintln!("{name}: {report}");
        assert!(report.event_recall() >= 0.9, "{name}: {report}");
        assert!(report.event_precision() >= 0.9, "{name}: {report}");
        assert!(report.start_accuracy() >= 0.9, "{name}: {report}");
        assert!(report.entity_recall() >= 0.9, "{name}: {report}");
    }
}

#[test]
fn unseen_dates_places_and_people_are_exact() {
    let dir = tempdir();
    let store = dir.path().join("store");
    let text = repo().join("tests/fixtures/unseen/wt103_xiangyang.txt");
    jinsong(&store, &["build", text.to_str().unwrap()]).success();
    // "two days after the bombardment began" (January 27, 1273)
    let fancheng = select(
        &store,
        "SELECT ?s ?e WHERE { ?x a jso:Siege ; jso:place/rdfs:label \"Fancheng\"@en ; jso:startDate ?s ; jso:endDate ?e }",
        &[],
    );
    assert_eq!(fancheng.len(), 1, "{fancheng:?}");
    assert_eq!(fancheng[0]["s"], "1270");
    assert_eq!(fancheng[0]["e"], "1273-01-29");
    // A reign is not a life: Kublai Khan (1215–1294), (r. 1260–1294).
    let kublai = select(
        &store,
        "SELECT ?b ?d ?r WHERE { ?p rdfs:label \"Kublai Khan\"@en ; jso:birthYear ?b ; jso:deathYear ?d ; jso:reignStart ?r }",
        &[],
    );
    assert_eq!(kublai.len(), 1, "{kublai:?}");
    assert_eq!(
        (
            kublai[0]["b"].as_str(),
            kublai[0]["d"].as_str(),
            kublai[0]["r"].as_str()
        ),
        ("1215", "1294", "1260")
    );
    // "(d. 1279)" gives a death year and no birth year.
    let zhang = select(
        &store,
        "SELECT ?d WHERE { ?p rdfs:label \"Zhang Shijie\"@en ; jso:deathYear ?d FILTER NOT EXISTS { ?p jso:birthYear ?b } }",
        &[],
    );
    assert_eq!(zhang.len(), 1, "{zhang:?}");
    // A gloss names a place's modern name.
    let modern = select(
        &store,
        "SELECT ?m WHERE { ?p rdfs:label \"Lin'an\"@en ; jso:modernName ?m }",
        &[],
    );
    assert!(modern.iter().any(|r| r["m"] == "Hangzhou"), "{modern:?}");
}

#[test]
fn homonyms_stay_apart_and_aliases_join() {
    let store = shared_store();
    let zhangs = select(
        store,
        "SELECT ?p ?b ?d WHERE { ?p rdfs:label \"Zhang Jun\"@en ; jso:birthYear ?b ; jso:deathYear ?d } ORDER BY ?b",
        &[],
    );
    let years: Vec<(&str, &str)> = zhangs
        .iter()
        .map(|r| (r["b"].as_str(), r["d"].as_str()))
        .collect();
    assert_eq!(
        years,
        vec![("1086", "1154"), ("1097", "1164")],
        "{zhangs:?}"
    );
    assert!(
        zhangs[0]["p"].ends_with("Zhang_Jun_(1086–1154)"),
        "{zhangs:?}"
    );
    let alt = |label: &str| -> BTreeSet<String> {
        select(
            store,
            &format!("SELECT ?a WHERE {{ ?e rdfs:label \"{label}\"@en ; skos:altLabel ?a }}"),
            &[],
        )
        .into_iter()
        .map(|r| r["a"].clone())
        .collect()
    };
    let jin = alt("Jin dynasty");
    for a in ["Jin", "Jurchen Jin dynasty"] {
        assert!(jin.contains(a), "Jin dynasty alias {a}: {jin:?}");
    }
    assert!(alt("Wanyan Liang").contains("Prince of Hailing"));
    assert!(alt("Hangzhou").contains("Lin'an"));
    // One IRI per real thing: no second resource is labelled with an alias.
    let lin_an = select(
        store,
        "SELECT ?e WHERE { ?e rdfs:label \"Lin'an\"@en }",
        &[],
    );
    assert!(lin_an.is_empty(), "{lin_an:?}");
}

#[test]
fn the_conflict_record_carries_every_attribute_of_the_dbpedia_page() {
    let rows = select(shared_store(), "conflict-record", &[]);
    let attrs: BTreeSet<&str> = rows.iter().map(|r| r["attribute"].as_str()).collect();
    for a in [
        "rdf:type",
        "rdfs:label",
        "rdfs:comment",
        "dcterms:subject",
        "Date (start)",
        "Caption",
        "Result",
        "combatant",
        "Place",
        "Conflict",
        "abstract",
    ] {
        assert!(attrs.contains(a), "{a} missing from {attrs:?}");
    }
    let value = |a: &str| {
        rows.iter()
            .filter(|r| r["attribute"] == a)
            .map(|r| r["value"].clone())
            .collect::<Vec<_>>()
    };
    assert!(
        value("Result")
            .iter()
            .any(|v| v == "Jurchens conquer northern China")
    );
    assert!(
        value("Caption")
            .iter()
            .any(|v| v == "Song Dynasty and Jin Dynasty")
    );
    assert!(
        value("Date (end, text)")
            .iter()
            .any(|v| v == "13th century")
    );
    assert!(value("Place").iter().any(|v| v == "China"));
    assert!(
        value("dcterms:subject")
            .iter()
            .any(|v| v.contains("12th-century conflicts")),
        "{:?}",
        value("dcterms:subject")
    );
    assert!(value("combatant").len() >= 3, "{:?}", value("combatant"));
}

#[test]
fn every_source_is_a_resource_with_the_hash_of_its_bytes() {
    let rows = select(shared_store(), "sources", &[]);
    assert_eq!(rows.len(), 5);
    for r in &rows {
        let id = r["graph"].rsplit('/').next().unwrap().to_owned();
        let manifest = jinsong::sources::Manifest::load(&repo().join("data/sources.toml")).unwrap();
        let meta = manifest.sources.iter().find(|s| s.id == id).unwrap();
        let bytes = std::fs::read(&meta.path).unwrap();
        let hex: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(r["sha256"], hex, "{id}");
    }
}

/// Every NIF string's anchor is exactly the bytes of the original file at its offsets.
#[test]
fn nif_offsets_point_at_the_exact_words_of_the_original_file() {
    let rows = select(
        shared_store(),
        "SELECT ?g ?b ?e ?a WHERE { GRAPH ?g { ?n nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?a } }",
        &[],
    );
    assert!(rows.len() > 1000, "{} NIF strings", rows.len());
    let manifest = jinsong::sources::Manifest::load(&repo().join("data/sources.toml")).unwrap();
    for r in &rows {
        let id = r["g"].rsplit('/').next().unwrap();
        let meta = manifest.sources.iter().find(|s| s.id == id).unwrap();
        let bytes = std::fs::read(&meta.path).unwrap();
        let (b, e): (usize, usize) = (r["b"].parse().unwrap(), r["e"].parse().unwrap());
        assert!(b <= e && e <= bytes.len(), "{r:?}");
        assert_eq!(&bytes[b..e], r["a"].as_bytes(), "{id} {b}–{e}");
    }
}

#[test]
fn every_event_has_evidence_and_every_mention_its_entity() {
    let store = shared_store();
    let unsupported = select(
        store,
        "SELECT ?e WHERE { VALUES ?c { jso:Battle jso:Siege jso:Treaty jso:Campaign jso:Conflict } GRAPH ?g { ?e a ?c } FILTER NOT EXISTS { GRAPH ?g { ?e jso:evidence ?n } } }",
        &[],
    );
    assert!(
        unsupported.is_empty(),
        "events without evidence in their graph: {unsupported:?}"
    );
    let dangling = select(
        store,
        "SELECT ?n WHERE { ?n itsrdf:taIdentRef ?x FILTER NOT EXISTS { ?x rdfs:label ?l } }",
        &[],
    );
    assert!(dangling.is_empty(), "{dangling:?}");
}

#[test]
fn what_the_blog_claims_stays_its_own() {
    let store = shared_store();
    let jingkang = select(
        store,
        "SELECT ?g WHERE { GRAPH ?g { ?e rdfs:label \"Battle of Jingkang\"@en } }",
        &[],
    );
    assert_eq!(jingkang.len(), 1);
    assert!(jingkang[0]["g"].ends_with("/graph/blog"));
}

#[test]
fn dates_are_typed_as_precisely_as_the_text() {
    let store = shared_store();
    let types = select(
        store,
        "SELECT DISTINCT ?t WHERE { ?e jso:startDate ?d BIND(DATATYPE(?d) AS ?t) }",
        &[],
    );
    let types: BTreeSet<String> = types.into_iter().map(|r| r["t"].clone()).collect();
    let xsd = "http://www.w3.org/2001/XMLSchema#";
    assert_eq!(
        types,
        [
            format!("{xsd}date"),
            format!("{xsd}gYear"),
            format!("{xsd}gYearMonth")
        ]
        .into_iter()
        .collect()
    );
    let taiyuan = select(
        store,
        "SELECT ?s ?e ?d WHERE { GRAPH <https://w3id.org/jinsong/graph/wikitext103> { ?x rdfs:label \"Siege of Taiyuan\"@en ; jso:startDate ?s ; jso:endDate ?e ; jso:duration ?d } }",
        &[],
    );
    assert_eq!(taiyuan.len(), 1, "{taiyuan:?}");
    assert_eq!(
        (
            taiyuan[0]["s"].as_str(),
            taiyuan[0]["e"].as_str(),
            taiyuan[0]["d"].as_str()
        ),
        ("1126-01", "1126-09", "P260D")
    );
}
