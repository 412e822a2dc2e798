//! Linking with DBpedia: offline from the bundled dump files, online from a
//! real Virtuoso, the evaluation against the reference links, and the
//! failures that must leave the store's links as they were.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;

use crate::harness::{Virtuoso, free_port, jinsong, repo, tempdir};

const REFERENCE: &str = "tests/links/dbpedia.tsv";

/// Builds the bundled corpus (with links) into a fresh store.
fn built() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempdir();
    let store = dir.path().join("store");
    jinsong(&store, &["build"]).success();
    (dir, store)
}

/// The links graph as sorted N-Quads.
fn links(store: &Path) -> String {
    jinsong(
        store,
        &["export", "--graph", "links/dbpedia", "--format", "nq"],
    )
    .success()
    .stdout
}

fn same_as(store: &Path) -> BTreeSet<String> {
    links(store)
        .lines()
        .filter(|l| l.contains("owl#sameAs"))
        .map(str::to_owned)
        .collect()
}

/// A figure of the evaluation report: "Precision: 0.985 (…)".
fn figure(report: &str, name: &str) -> f64 {
    report
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|rest| rest.trim_start_matches(':').split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in:\n{report}"))
}

#[test]
fn offline_links_meet_the_reference() {
    let (_dir, store) = built();
    let run = jinsong(&store, &["link", "--evaluate", REFERENCE]).success();
    let p = figure(&run.stdout, "Precision");
    let r = figure(&run.stdout, "Recall");
    assert!(p >= 0.98, "precision {p} < 0.98:\n{}", run.stdout);
    assert!(r >= 0.9, "recall {r} < 0.9:\n{}", run.stdout);
}

#[test]
fn build_links_by_default_and_a_second_run_gives_the_same_links() {
    let (_dir, store) = built();
    let first = links(&store);
    assert!(
        first.contains("owl#sameAs> <http://dbpedia.org/resource/"),
        "{first}"
    );
    // Every link has its evidence: score, methods, matched label.
    let n = same_as(&store).len();
    for p in ["#score>", "#matchedLabel>", "#linkTarget>"] {
        assert_eq!(first.lines().filter(|l| l.contains(p)).count(), n, "{p}");
    }
    assert!(first.contains("\"type check\""));
    jinsong(&store, &["link"]).success();
    assert_eq!(links(&store), first);
    // The links are in the default graph too (it is the merge).
    let count = jinsong(
        &store,
        &[
            "query",
            "SELECT (COUNT(*) AS ?n) WHERE { ?s owl:sameAs ?o }",
            "--format",
            "csv",
        ],
    )
    .success()
    .stdout;
    assert_eq!(
        count.lines().nth(1).map(str::trim),
        Some(n.to_string().as_str())
    );

    let plain = tempdir();
    let bare = plain.path().join("store");
    jinsong(&bare, &["build", "--no-link"]).success();
    jinsong(&bare, &["export", "--graph", "links/dbpedia"]).failure();
}

#[test]
fn no_link_is_ever_to_a_redirect_or_disambiguation_page() {
    let (_dir, store) = built();
    let mut bad = BTreeSet::new();
    for dump in ["redirects_en.nt", "disambiguations_en.nt"] {
        let text = std::fs::read_to_string(repo().join("data/dbpedia").join(dump)).unwrap();
        bad.extend(
            text.lines()
                .filter_map(|l| l.split(' ').next())
                .map(str::to_owned),
        );
    }
    for l in same_as(&store) {
        let target = l.split(' ').nth(2).unwrap();
        assert!(!bad.contains(target), "{l}");
    }
    // One local entity per DBpedia resource.
    let targets: Vec<String> = same_as(&store)
        .iter()
        .map(|l| l.split(' ').nth(2).unwrap().to_owned())
        .collect();
    let distinct: BTreeSet<&String> = targets.iter().collect();
    assert_eq!(distinct.len(), targets.len());
}

#[test]
fn a_threshold_of_one_links_less() {
    let (_dir, store) = built();
    let before = same_as(&store).len();
    jinsong(&store, &["link", "--threshold", "1"]).success();
    let after = same_as(&store).len();
    assert!(after < before, "{after} !< {before}");
    jinsong(&store, &["link", "--threshold", "1.5"]).failure();
}

#[test]
fn a_malformed_dump_or_missing_index_fails_and_keeps_the_links() {
    let (_dir, store) = built();
    let before = links(&store);
    let bad = tempdir();
    std::fs::write(
        bad.path().join("labels_en.nt"),
        "<http://dbpedia.org/resource/A> <http://www.w3.org/2000/01/rdf-schema#label> \"A\"@en .\n\
         <http://dbpedia.org/resource/B> <http://www.w3.org/2000/01/rdf-schema#label> \"B\n",
    )
    .unwrap();
    let run = jinsong(
        &store,
        &["link", "--dbpedia-index", bad.path().to_str().unwrap()],
    )
    .failure();
    assert!(
        run.stderr.contains("labels_en.nt: line 2"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("unchanged"), "{}", run.stderr);
    assert_eq!(links(&store), before);

    let run = jinsong(&store, &["link", "--dbpedia-index", "no/such/dir"]).failure();
    assert!(
        run.stderr.contains("no DBpedia index at no/such/dir"),
        "{}",
        run.stderr
    );
    assert_eq!(links(&store), before);

    // A build that cannot link writes no store.
    let fresh = tempdir();
    let s = fresh.path().join("store");
    jinsong(&s, &["build", "--dbpedia-index", "no/such/dir"]).failure();
    assert!(!s.exists());
}

#[test]
fn an_unreachable_or_silent_endpoint_fails_cleanly_and_keeps_the_links() {
    let (_dir, store) = built();
    let before = links(&store);
    let down = format!("http://127.0.0.1:{}/sparql", free_port());
    let run = jinsong(&store, &["link", "--endpoint", &down]).failure();
    assert!(run.stderr.contains("cannot reach it"), "{}", run.stderr);
    assert_eq!(links(&store), before);

    // A server that accepts and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/sparql", listener.local_addr().unwrap());
    let hold = std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(1).flatten() {
            let mut s = stream;
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            held.push(s);
            std::thread::sleep(std::time::Duration::from_secs(4));
        }
    });
    let run = jinsong(&store, &["link", "--endpoint", &url, "--timeout", "1"]).failure();
    assert!(run.stderr.contains("no answer within"), "{}", run.stderr);
    assert_eq!(links(&store), before);
    hold.join().unwrap();
}

#[test]
fn export_in_dbpedias_vocabulary() {
    let (_dir, store) = built();
    let ttl = jinsong(&store, &["export", "--vocab", "dbpedia"])
        .success()
        .stdout;
    assert!(ttl.contains("dbo:startDate"), "dates as dbo:startDate");
    assert!(
        ttl.contains("dbo:combatant"),
        "belligerents as dbo:combatant"
    );
    assert!(
        ttl.contains("a dbo:MilitaryConflict"),
        "classes as dbo: classes"
    );
    assert!(!ttl.contains("jso:startDate"));
    // A linked resource is its dbr: IRI, and says which jsr: it was.
    let linked = same_as(&store);
    let first = linked.iter().next().expect("a link");
    let target = first.split(' ').nth(2).unwrap();
    let name = target.trim_matches(['<', '>']).rsplit('/').next().unwrap();
    assert!(
        ttl.contains(&format!("dbr:{name}")) || ttl.contains(target),
        "{target}"
    );
    assert!(
        ttl.contains("owl:sameAs jsr:")
            || ttl.contains("owl:sameAs <https://w3id.org/jinsong/resource/"),
        "a dbr: resource names its jsr: resource"
    );
}

#[test]
fn service_clauses_are_refused_unless_allowed() {
    let (_dir, store) = built();
    let q = format!(
        "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{}/sparql> {{ ?s ?p ?o }} }}",
        free_port()
    );
    let run = jinsong(&store, &["query", &q]).failure();
    assert!(run.stderr.contains("--allow-service"), "{}", run.stderr);
    // SILENT would swallow an error at evaluation: it is refused before.
    let silent = q.replace("SERVICE", "SERVICE SILENT");
    let run = jinsong(&store, &["query", &silent]).failure();
    assert!(run.stderr.contains("--allow-service"), "{}", run.stderr);
    let run = jinsong(
        &store,
        &["query", &q, "--allow-service", "--service-timeout", "2"],
    )
    .failure();
    assert!(!run.stderr.contains("--allow-service"), "{}", run.stderr);
}

#[test]
fn online_linking_against_virtuoso_matches_offline() {
    // A row cap of 7 makes every candidate query run into Virtuoso's
    // silent truncation, which the client must detect and page around.
    let Some(v) = Virtuoso::start(&repo().join("data/dbpedia"), 7) else {
        return;
    };
    let (_dir, store) = built();
    let offline = same_as(&store);
    let run = jinsong(&store, &["link", "--endpoint", &v.sparql, "--rate", "50"]).success();
    assert!(run.stdout.contains("SPARQL endpoint"), "{}", run.stdout);
    let truncated: usize = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("Endpoint:"))
        .and_then(|l| l.split(", ").nth(2))
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(truncated > 0, "{}", run.stdout);
    let online = same_as(&store);
    // Offline, labels match after normalization ("Grand Canal" finds
    // "Grand Canal (China)", "Siege of Kaifeng" finds "Mongol siege of
    // Kaifeng"); an endpoint is asked for exact spellings, and the bundled
    // dumps have no redirect or disambiguation page leading to these four
    // titles. Nothing else may differ.
    let local = |l: &str| -> String {
        let iri = l.split(' ').next().unwrap().trim_matches(['<', '>']);
        iri.rsplit('/').next().unwrap().to_owned()
    };
    let only_offline: Vec<String> = offline.difference(&online).map(|l| local(l)).collect();
    let expected = ["Grand_Canal", "Jin_dynasty", "Li_Gang", "Siege_of_Kaifeng"];
    let only_online: Vec<&String> = online.difference(&offline).collect();
    assert!(
        only_offline == expected && only_online.is_empty(),
        "{}\nonly offline: {only_offline:#?}\nonly online: {only_online:#?}",
        run.stdout
    );

    // The second run answers from the store's cache: no request.
    let run = jinsong(&store, &["link", "--endpoint", &v.sparql]).success();
    assert!(
        run.stdout.contains("Endpoint:   0 requests"),
        "{}",
        run.stdout
    );
    assert!(same_as(&store) == online, "the cached run links the same");

    // A build asking the endpoint keeps the cache of the store it replaces.
    let run = jinsong(&store, &["build", "--endpoint", &v.sparql]).success();
    assert!(
        run.stdout.contains("from the SPARQL endpoint"),
        "{}",
        run.stdout
    );
    assert!(same_as(&store) == online, "a rebuild links the same");
    let run = jinsong(&store, &["link", "--endpoint", &v.sparql]).success();
    assert!(
        run.stdout.contains("Endpoint:   0 requests"),
        "{}",
        run.stdout
    );

    // A federated query through Virtuoso.
    let q = format!(
        "SELECT ?l WHERE {{ SERVICE <{}> {{ ?s rdfs:label ?l . FILTER(?s = <http://dbpedia.org/resource/Song_dynasty>) }} }}",
        v.sparql
    );
    let run = jinsong(&store, &["query", &q, "--allow-service", "--format", "csv"]).success();
    assert!(run.stdout.contains("Song dynasty"), "{}", run.stdout);
}

#[test]
fn the_conflicts_record_in_dbpedias_terms_has_every_field_of_dbpedias_page() {
    let (_dir, store) = built();
    // The conflict source 000 (a DBpedia page) is about, linked to DBpedia.
    let conflict = same_as(&store)
        .into_iter()
        .find(|l| l.contains("/Jin–Song_Wars> <http://www.w3.org/2002/07/owl#sameAs>"))
        .expect("the war is linked");
    let dbr = conflict.split(' ').nth(2).unwrap().to_owned();
    let nt = jinsong(&store, &["export", "--vocab", "dbpedia", "--format", "nt"])
        .success()
        .stdout;
    let predicates: BTreeSet<String> = nt
        .lines()
        .filter(|l| l.starts_with(&format!("{dbr} ")))
        .filter_map(|l| l.split(' ').nth(1))
        .map(|p| {
            p.trim_matches(['<', '>'])
                .rsplit(['/', '#'])
                .next()
                .unwrap()
                .to_lowercase()
        })
        .collect();
    // The page's field names: a line of its own, followed by a line of values.
    let page =
        std::fs::read_to_string(repo().join("data/sources/000_27dfe7ac813c4f54.txt")).unwrap();
    let lines: Vec<&str> = page.lines().collect();
    let mut fields = Vec::new();
    for w in lines.windows(2) {
        let (name, next) = (w[0].trim(), w[1].trim_start());
        let one_word = !name.is_empty() && !name.contains(char::is_whitespace);
        if next.starts_with('|') && one_word && !name.contains(['|', '*']) && !name.contains("...")
        {
            fields.push(name.rsplit(':').next().unwrap().to_lowercase());
        }
    }
    assert!(fields.len() >= 10, "{fields:?}");
    for f in &fields {
        let found = predicates.contains(f) || (f == "date" && predicates.contains("startdate"));
        assert!(
            found,
            "DBpedia's page has {f}; the export of {dbr} has {predicates:?}"
        );
    }
}
