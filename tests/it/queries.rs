//! Every named query answers its question: each is run on the bundled corpus
//! and its result checked.

use std::collections::BTreeMap;

use crate::harness::{select, shared_store};

type Rows = Vec<BTreeMap<String, String>>;

fn q(name: &str) -> Rows {
    select(shared_store(), name, &[])
}

fn find(
    rows: &Rows,
    pred: impl Fn(&BTreeMap<String, String>) -> bool,
) -> Option<&BTreeMap<String, String>> {
    rows.iter().find(|r| pred(r))
}

#[test]
fn timeline_orders_every_dated_event() {
    let rows = q("timeline");
    let starts: Vec<&str> = rows.iter().map(|r| r["start"].as_str()).collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted, "in order");
    assert!(
        find(&rows, |r| r["event"] == "Treaty of Shaoxing"
            && r["start"] == "1142-10-11"
            && r["source"] == "wikitext103")
        .is_some()
    );
    assert!(
        find(&rows, |r| r["event"] == "Siege of Caizhou"
            && r["start"] == "1234")
        .is_some()
    );
}

#[test]
fn battles_have_sides_commanders_and_victors() {
    let rows = q("battles");
    let yancheng = find(&rows, |r| r["event"] == "Battle of Yancheng").expect("Yancheng");
    assert_eq!(yancheng["start"], "1140-07-08");
    assert!(
        yancheng["commanders"].contains("Yue Fei") && yancheng["commanders"].contains("Wuzhu"),
        "{yancheng:?}"
    );
    assert!(yancheng["victor"].contains("Song"), "{yancheng:?}");
    // "an army of 100,000 infantry and 15,000 horsemen", led by a Jin commander.
    assert_eq!(yancheng["strength"], "Jin dynasty 115000", "{yancheng:?}");
    assert!(
        rows.iter()
            .any(|r| r.get("casualties").is_some_and(|c| !c.is_empty())),
        "some battle states its casualties"
    );
    let caizhou = find(&rows, |r| r["event"] == "Siege of Caizhou").expect("Caizhou");
    assert_eq!(caizhou["class"], "Siege");
    assert!(caizhou["belligerents"].contains("Mongols"), "{caizhou:?}");
}

#[test]
fn treaties_have_parties_boundaries_and_payments() {
    let rows = q("treaties");
    let shaoxing = find(&rows, |r| {
        r["treaty"] == "Treaty of Shaoxing" && r["source"] == "wikitext103"
    })
    .expect("Shaoxing");
    assert_eq!(shaoxing["date"], "1142-10-11");
    assert_eq!(shaoxing["boundary"], "Huai River");
    assert!(
        shaoxing["indemnities"].contains("250000 taels of silver a year"),
        "{shaoxing:?}"
    );
    assert!(
        shaoxing["indemnities"].contains("250000 packs of silk a year"),
        "{shaoxing:?}"
    );
    assert!(shaoxing["parties"].contains("Jin dynasty"), "{shaoxing:?}");
    let first = find(&rows, |r| {
        r["date"] == "1123" && r["source"] == "wikitext103"
    })
    .expect("the treaty of 1123");
    // The one-time payment is not yearly.
    assert!(
        first["indemnities"].contains("1000000 strings of copper coins;")
            || first["indemnities"].ends_with("1000000 strings of copper coins"),
        "{first:?}"
    );
}

#[test]
fn polities_have_lifespans_capitals_and_makers() {
    let rows = q("polities");
    let jin = find(&rows, |r| r["polity"] == "Jin dynasty").expect("Jin");
    assert_eq!(
        (jin["start"].as_str(), jin["end"].as_str()),
        ("1115", "1234")
    );
    let qi = find(&rows, |r| r["polity"] == "Da Qi").expect("Da Qi");
    assert_eq!(qi["puppetOf"], "Jin dynasty");
    assert!(qi["capitals"].contains("Daming"), "{qi:?}");
    let song = find(&rows, |r| r["polity"].starts_with("Song")).expect("Song");
    assert!(
        song["end"].contains("1279") && song["end"].contains("1276"),
        "both ends stated: {song:?}"
    );
}

#[test]
fn persons_have_lives_reigns_and_allegiance() {
    let rows = q("persons");
    let aguda = find(&rows, |r| r["person"] == "Wanyan Aguda").expect("Aguda");
    assert_eq!(
        (aguda["born"].as_str(), aguda["died"].as_str()),
        ("1068", "1123")
    );
    let huizong = find(&rows, |r| r["person"] == "Huizong").expect("Huizong");
    assert_eq!(
        (huizong["reignStart"].as_str(), huizong["reignEnd"].as_str()),
        ("1100", "1127")
    );
    assert!(huizong["roles"].contains("emperor"));
    let li_gang = find(&rows, |r| r["person"] == "Li Gang").expect("Li Gang");
    assert!(li_gang["allegiance"].contains("Song"), "{li_gang:?}");
}

#[test]
fn commanders_and_where_they_led() {
    let rows = q("commanders");
    assert!(
        find(&rows, |r| r["commander"] == "Yu Yunwen"
            || (r["commander"] == "Wanyan Liang"
                && r["event"] == "Battle of Caishi"))
        .is_some()
    );
    assert!(
        find(&rows, |r| r["commander"] == "Han Shizhong"
            && r["place"] == "Yangzhou")
        .is_some()
    );
}

#[test]
fn siege_durations_as_stated_and_computed() {
    let rows = q("siege-durations");
    let taiyuan = find(&rows, |r| {
        r["siege"] == "Siege of Taiyuan" && r["source"] == "wikitext103"
    })
    .expect("Taiyuan");
    assert_eq!(taiyuan["duration"], "P260D");
    let kaifeng = find(&rows, |r| {
        r["siege"] == "First siege of Kaifeng" && r["source"] == "wikitext103"
    })
    .expect("Kaifeng");
    assert_eq!(kaifeng["duration"], "P33D");
}

#[test]
fn disagreements_between_sources_are_listed() {
    let rows = q("disagreements");
    let has = |subject: &str, aspect: &str, value: &str| {
        rows.iter().any(|r| {
            r["subject"].starts_with(subject) && r["aspect"] == aspect && r["value"] == value
        })
    };
    assert!(
        has("Jin–Song Wars", "end", "13th century") && has("Jin–Song Wars", "end", "1234"),
        "{rows:?}"
    );
    assert!(
        has("Song", "end", "1279") && has("Song", "end", "1276"),
        "{rows:?}"
    );
    assert!(
        has("Second siege of Kaifeng", "start", "1127")
            && has("Second siege of Kaifeng", "start", "1126-12"),
        "{rows:?}"
    );
    let dbkwik = rows.iter().find(|r| r["value"] == "13th century").unwrap();
    assert_eq!(dbkwik["sources"], "dbkwik");
    // Each value's sources in order, each once.
    let lists: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| r["sources"].split(", ").collect())
        .collect();
    assert!(lists.iter().any(|l| l.len() > 2), "{rows:?}");
    for l in &lists {
        let mut sorted = l.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(*l, sorted, "{rows:?}");
    }
}

#[test]
fn places_with_modern_names() {
    let rows = q("places");
    assert!(
        find(&rows, |r| r["place"] == "Yanjing"
            && r["modern"] == "Beijing")
        .is_some(),
        "{rows:?}"
    );
    assert!(
        find(&rows, |r| r["place"] == "Huining"
            && r["modern"] == "Harbin")
        .is_some()
    );
}

#[test]
fn single_source_statements() {
    let rows = q("single-source");
    assert!(
        find(&rows, |r| r["resource"] == "Battle of Jingkang"
            && r["source"] == "blog")
        .is_some()
    );
    assert!(
        find(&rows, |r| r["resource"] == "Jin–Song Wars").is_none(),
        "stated by several"
    );
}

#[test]
fn counts_per_class_and_source() {
    let rows = q("counts");
    let battles = find(&rows, |r| {
        r["source"] == "wikitext103" && r["class"] == "Battle"
    })
    .expect("battles");
    assert!(battles["count"].parse::<u32>().unwrap() >= 10);
    assert!(
        find(&rows, |r| r["source"] == "dbkwik"
            && r["class"] == "Conflict")
        .is_some()
    );
}

#[test]
fn conflict_record_and_sources() {
    let rows = q("conflict-record");
    // The DBpedia page's own values, each from the page's graph.
    for attribute in [
        "rdfs:label",
        "rdfs:comment",
        "abstract",
        "Date (start)",
        "Date (end, text)",
        "Caption",
        "Result",
        "Conflict",
        "combatant",
        "rdf:type",
    ] {
        assert!(
            rows.iter()
                .any(|r| r["attribute"] == attribute && r["sources"].contains("dbkwik")),
            "{attribute} from the DBpedia page"
        );
    }
    let page_abstract = find(&rows, |r| {
        r["attribute"] == "abstract" && r["sources"] == "dbkwik"
    })
    .expect("the page's abstract");
    assert!(
        page_abstract["value"].starts_with("A series of Jurchen military campaigns")
            && page_abstract["value"].ends_with("an end to both the Jin and Song dynasties."),
        "the whole abstract: {page_abstract:?}"
    );
    assert!(
        find(&rows, |r| r["attribute"] == "Conflict"
            && r["value"] == "Jurchen campaigns against the Song Dynasty"
            && r["sources"] == "dbkwik")
        .is_some()
    );
    let sources = q("sources");
    assert!(
        find(&sources, |r| r["format"] == "wikitext103"
            && r["sha256"].len() == 64)
        .is_some()
    );
}

#[test]
fn conflict_record_lists_sources_in_order_and_takes_a_conflict() {
    let rows = q("conflict-record");
    for r in &rows {
        let sources: Vec<&str> = r["sources"].split(", ").collect();
        let mut sorted = sources.clone();
        sorted.sort_unstable();
        assert_eq!(sources, sorted, "in order: {r:?}");
    }
    let all: std::collections::BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| (r["attribute"].clone(), r["value"].clone()))
        .collect();
    // `--bind conflict=…` gives that conflict's record only.
    let conflicts = select(
        shared_store(),
        "SELECT DISTINCT ?c WHERE { GRAPH ?g { ?c a jso:Conflict ; jso:abstract ?a } }",
        &[],
    );
    assert!(!conflicts.is_empty());
    let mut union = std::collections::BTreeSet::new();
    for c in &conflicts {
        let bound = select(
            shared_store(),
            "conflict-record",
            &[&format!("conflict=<{}>", c["c"])],
        );
        assert!(
            bound.iter().any(|r| r["attribute"] == "rdfs:label"),
            "{c:?}"
        );
        if conflicts.len() > 1 {
            assert!(bound.len() < rows.len(), "only {c:?}");
        }
        union.extend(
            bound
                .iter()
                .map(|r| (r["attribute"].clone(), r["value"].clone())),
        );
    }
    assert_eq!(union, all);
    // A battle is no conflict a document is about: no record.
    let battles = q("battles");
    let battle = find(&battles, |r| r["class"] == "Battle").expect("a battle");
    let iri = select(
        shared_store(),
        &format!(
            "SELECT ?e WHERE {{ ?e rdfs:label \"{}\"@en }} LIMIT 1",
            battle["event"]
        ),
        &[],
    );
    let bound = select(
        shared_store(),
        "conflict-record",
        &[&format!("conflict=<{}>", iri[0]["e"])],
    );
    assert!(bound.is_empty(), "{bound:?}");
}
