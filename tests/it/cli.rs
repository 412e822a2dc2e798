//! The commands, as a user runs them.

use std::io::Read;
use std::process::{Command, Stdio};

use oxigraph::io::{RdfFormat, RdfParser};

use crate::harness::{jinsong, jinsong_stdin, repo, shared_store, tempdir};

#[test]
fn build_prints_a_summary_and_writes_an_oxigraph_store() {
    let dir = tempdir();
    let store = dir.path().join("store");
    let run = jinsong(&store, &["build"]).success();
    assert!(run.stdout.contains("from 5 sources"), "{}", run.stdout);
    for id in ["dbkwik", "piglix", "wikipedia", "wikitext103", "blog"] {
        assert!(
            run.stdout.contains(id),
            "source {id} listed: {}",
            run.stdout
        );
    }
    for word in [
        "Entities:",
        "Polity",
        "Person",
        "Place",
        "Events:",
        "Battle",
        "Siege",
        "Treaty",
        "Facts:",
        "Quads:",
        "Time:",
    ] {
        assert!(run.stdout.contains(word), "{word} in {}", run.stdout);
    }
    assert!(store.join("CURRENT").is_file(), "a RocksDB store");
    // Nothing left beside the store.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["store".to_owned()]);
}

#[test]
fn build_reads_given_files_and_directories_detecting_formats() {
    let dir = tempdir();
    let store = dir.path().join("store");
    let fixtures = repo().join("tests/fixtures/unseen");
    let run = jinsong(&store, &["build", fixtures.to_str().unwrap()]).success();
    let texts = std::fs::read_dir(&fixtures)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "txt")
        })
        .count();
    assert!(
        run.stdout.contains(&format!("from {texts} sources")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("dbpedia-page"), "{}", run.stdout);
    assert!(
        run.stdout.contains("wikitext103"),
        "format detected: {}",
        run.stdout
    );
    assert!(run.stdout.contains("article"), "{}", run.stdout);
    assert!(run.stdout.contains("blog"), "{}", run.stdout);
    let one = repo().join("data/sources/003_37bbb4ec0184a137.txt");
    let run = jinsong(&store, &["build", one.to_str().unwrap()]).success();
    assert!(run.stdout.contains("from 1 source in"), "{}", run.stdout);
}

#[test]
fn store_location_comes_from_the_environment_when_not_given() {
    let dir = tempdir();
    let store = dir.path().join("env-store");
    let out = Command::new(env!("CARGO_BIN_EXE_jinsong"))
        .current_dir(repo())
        .arg("build")
        .env("JINSONG_STORE", &store)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(store.join("CURRENT").is_file());
}

#[test]
fn named_query_prints_an_aligned_table() {
    let run = jinsong(shared_store(), &["query", "timeline"]).success();
    let mut lines = run.stdout.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("start"), "{header}");
    let rule = lines.next().unwrap();
    assert!(rule.starts_with("---"), "{rule}");
    // Columns are aligned: every "end" column starts at the same offset.
    let col = header.find("end").unwrap();
    let caishi = run
        .stdout
        .lines()
        .find(|l| l.contains("Battle of Caishi") && l.contains("wikitext103"))
        .expect("the Battle of Caishi dated by the WikiText-103 article");
    assert!(caishi.starts_with("1161-11-26"), "{caishi}");
    assert_eq!(&caishi[col..col + 10], "1161-11-27", "{caishi}");
}

#[test]
fn query_results_in_every_w3c_format() {
    let store = shared_store();
    let q = "SELECT ?e WHERE { ?e a jso:Siege } ORDER BY ?e LIMIT 3";
    let csv = jinsong(store, &["query", q, "--format", "csv"])
        .success()
        .stdout;
    assert!(csv.starts_with("e\r\n") || csv.starts_with("e\n"), "{csv}");
    assert_eq!(csv.lines().count(), 4);
    let tsv = jinsong(store, &["query", q, "--format", "tsv"])
        .success()
        .stdout;
    assert!(tsv.starts_with("?e"), "{tsv}");
    assert!(tsv.contains("<https://w3id.org/jinsong/resource/"), "{tsv}");
    let json = jinsong(store, &["query", q, "--format", "json"])
        .success()
        .stdout;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["head"]["vars"][0], "e");
    assert_eq!(v["results"]["bindings"].as_array().unwrap().len(), 3);
    let xml = jinsong(store, &["query", q, "--format", "xml"])
        .success()
        .stdout;
    assert!(xml.contains("<sparql") && xml.contains("<result>"), "{xml}");
    let ask = jinsong(store, &["query", "ASK { ?s a jso:Treaty }"])
        .success()
        .stdout;
    assert_eq!(ask.trim(), "true");
    let ask_json = jinsong(store, &["query", "ASK { ?s a jso:Treaty }", "-f", "json"])
        .success()
        .stdout;
    assert!(ask_json.contains("\"boolean\":true"), "{ask_json}");
    // Every output ends its last line, so a shell prompt starts on its own.
    for out in [&json, &xml, &ask_json] {
        assert!(out.ends_with('\n'), "{out}");
    }
}

#[test]
fn construct_prints_turtle_or_ntriples() {
    let store = shared_store();
    let q = "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a jso:Treaty ; rdfs:label ?l }";
    let ttl = jinsong(store, &["query", q]).success().stdout;
    assert!(
        ttl.contains("@prefix rdfs:") || ttl.contains("PREFIX rdfs:"),
        "{ttl}"
    );
    let triples: Vec<_> = RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(ttl.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(triples.len() >= 8, "{} triples", triples.len());
    let nt = jinsong(store, &["query", q, "--format", "nt"])
        .success()
        .stdout;
    assert_eq!(nt.lines().count(), triples.len());
    assert!(nt.lines().all(|l| l.ends_with(" .")));
    let err = jinsong(store, &["query", q, "--format", "csv"]).failure();
    assert!(err.stderr.contains("--format csv"), "{}", err.stderr);
}

#[test]
fn queries_come_from_files_text_and_stdin_alike() {
    let store = shared_store();
    let text = "SELECT (COUNT(*) AS ?n) WHERE { ?s a jso:Battle }";
    let dir = tempdir();
    let file = dir.path().join("count.rq");
    std::fs::write(&file, text).unwrap();
    let a = jinsong(store, &["query", text, "-f", "csv"])
        .success()
        .stdout;
    let b = jinsong(store, &["query", file.to_str().unwrap(), "-f", "csv"])
        .success()
        .stdout;
    let c = jinsong_stdin(store, &["query", "-", "-f", "csv"], Some(text))
        .success()
        .stdout;
    assert_eq!(a, b);
    assert_eq!(a, c);
    let n: u32 = a.lines().nth(1).unwrap().trim().parse().unwrap();
    assert!(n >= 10, "{n} battles");
}

#[test]
fn bind_fills_a_variable_of_a_named_query() {
    let rows = crate::harness::select(
        shared_store(),
        "evidence",
        &["label=\"Battle of Caishi\"@en"],
    );
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| !r["words"].is_empty()));
    assert!(
        rows.iter()
            .any(|r| r["words"].contains("between November 26 and 27")),
        "{rows:?}"
    );
    // Without the binding the query covers everything; with another label, other words.
    let other = crate::harness::select(
        shared_store(),
        "evidence",
        &["label=\"Treaty of Shaoxing\"@en"],
    );
    assert!(other.iter().any(|r| r["words"].contains("ratified")));
    assert!(
        !other
            .iter()
            .any(|r| r["words"].contains("between November 26 and 27"))
    );
}

#[test]
fn query_list_shows_the_named_queries() {
    let run = jinsong(shared_store(), &["query", "--list"]).success();
    for name in [
        "timeline",
        "battles",
        "treaties",
        "disagreements",
        "conflict-record",
    ] {
        assert!(run.stdout.contains(name), "{name}: {}", run.stdout);
    }
}

fn parse_count(data: &[u8], format: RdfFormat) -> usize {
    RdfParser::from_format(format)
        .for_slice(data)
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("{format} export parses: {e}"))
        .len()
}

#[test]
fn exports_in_every_format_hold_the_dataset() {
    let store = shared_store();
    let quads = jinsong(store, &["export", "--format", "nq"])
        .success()
        .stdout;
    let n_quads = parse_count(quads.as_bytes(), RdfFormat::NQuads);
    let trig = jinsong(store, &["export", "--format", "trig"])
        .success()
        .stdout;
    assert_eq!(parse_count(trig.as_bytes(), RdfFormat::TriG), n_quads);
    let nt = jinsong(store, &["export", "--format", "nt"])
        .success()
        .stdout;
    let n_triples = parse_count(nt.as_bytes(), RdfFormat::NTriples);
    let ttl = jinsong(store, &["export"]).success().stdout;
    assert!(
        ttl.starts_with("@prefix") || ttl.starts_with("PREFIX"),
        "Turtle with prefixes"
    );
    assert_eq!(parse_count(ttl.as_bytes(), RdfFormat::Turtle), n_triples);
    // The union of the graphs: a triple stated by several sources appears once.
    assert!(n_triples < n_quads, "{n_triples} triples, {n_quads} quads");
    let stats = jinsong(store, &["stats"]).success().stdout;
    assert!(
        stats.contains(&format!("total quads: {n_quads}")),
        "{stats}"
    );
    assert!(
        stats.contains(&format!("default graph: {n_triples} triples")),
        "{stats}"
    );
    // Queries see the same merge: each triple once, however many sources state it.
    let count = jinsong(
        store,
        &[
            "query",
            "--format",
            "csv",
            "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
        ],
    )
    .success()
    .stdout;
    assert_eq!(count, format!("n\r\n{n_triples}\r\n"));
    // Exports are deterministic.
    assert_eq!(ttl, jinsong(store, &["export"]).success().stdout);
}

#[test]
fn export_of_one_graph_and_to_a_file() {
    let store = shared_store();
    let nq = jinsong(
        store,
        &["export", "--graph", "wikitext103", "--format", "nq"],
    )
    .success()
    .stdout;
    assert!(!nq.is_empty());
    assert!(
        nq.lines()
            .all(|l| l.ends_with("<https://w3id.org/jinsong/graph/wikitext103> ."))
    );
    let dir = tempdir();
    let out = dir.path().join("onto.ttl");
    jinsong(
        store,
        &["export", "-g", "ontology", "-o", out.to_str().unwrap()],
    )
    .success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("jso:Battle"),
        "{}",
        &text[..200.min(text.len())]
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode, 0o644,
            "a new export is readable by others, as with `>`"
        );
    }
    let err = jinsong(store, &["export", "-g", "nosuchsource"]).failure();
    assert!(err.stderr.contains("no graph"), "{}", err.stderr);
}

#[test]
fn describe_prints_a_dbpedia_style_record() {
    let store = shared_store();
    let run = jinsong(store, &["describe", "Battle of Caishi"]).success();
    let out = run.stdout;
    assert!(out.starts_with("About: Battle of Caishi"), "{out}");
    assert!(
        out.contains("Attributes") && out.contains("| Values"),
        "{out}"
    );
    let date = out
        .lines()
        .find(|l| l.starts_with("jso:startDate"))
        .expect("a start date row");
    assert!(date.contains("1161") && date.contains("["), "{date}");
    assert!(
        out.lines()
            .any(|l| l.contains("1161-11-26") && l.contains("[wikitext103]")),
        "{out}"
    );
    assert!(
        out.contains("jso:place") && out.contains("jsr:Caishi"),
        "{out}"
    );
    assert!(out.contains("jso:evidence"), "{out}");
    // By alias and by IRI.
    let alias = jinsong(store, &["describe", "Lin'an"]).success().stdout;
    assert!(alias.starts_with("About: Hangzhou"), "{alias}");
    let titled = jinsong(store, &["describe", "the Prince of Hailing"])
        .success()
        .stdout;
    assert!(titled.starts_with("About: Wanyan Liang"), "{titled}");
    let iri = jinsong(
        store,
        &[
            "describe",
            "https://w3id.org/jinsong/resource/Treaty_of_Shaoxing",
        ],
    )
    .success()
    .stdout;
    assert!(iri.starts_with("About: Treaty of Shaoxing"), "{iri}");
    let missing = jinsong(store, &["describe", "Battle of Nowhere At All"]).failure();
    assert!(
        missing.stderr.contains("nothing in the store is called"),
        "{}",
        missing.stderr
    );
}

#[test]
fn stats_count_classes_graphs_and_sources() {
    let out = jinsong(shared_store(), &["stats"]).success().stdout;
    for word in [
        "jso:Battle",
        "jso:Polity",
        "ontology",
        "wikitext103",
        "dbkwik",
        "total quads",
    ] {
        assert!(out.contains(word), "{word}: {out}");
    }
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    // `jinsong export | head -c 100`
    let mut child = Command::new(env!("CARGO_BIN_EXE_jinsong"))
        .current_dir(repo())
        .args(["--store"])
        .arg(shared_store())
        .args(["export", "--format", "nt"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut buf = [0u8; 100];
    child.stdout.as_mut().unwrap().read_exact(&mut buf).unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

/// Regression: extraction iterated hash maps, so two builds of the same
/// sources could differ. They must be byte-identical.
#[test]
fn two_builds_of_the_same_sources_are_identical() {
    let dir = tempdir();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    jinsong(&a, &["build"]).success();
    jinsong(&b, &["build"]).success();
    let ea = jinsong(&a, &["export", "--format", "nq"]).success().stdout;
    let eb = jinsong(&b, &["export", "--format", "nq"]).success().stdout;
    assert!(ea == eb, "the exports differ");
}

/// `--base-iri` mints every resource and graph under it, and the `jsr:` and
/// `jsg:` prefixes of queries, tables and exports follow it.
#[test]
fn another_base_iri_moves_resources_graphs_and_prefixes() {
    let dir = tempdir();
    let store = dir.path().join("store");
    let src = repo().join("data/sources/001_9507694e22ede11f.txt");
    let base = "http://example.org/wars/";
    let with_base = |args: &[&str]| {
        let mut all = vec!["--base-iri", base];
        all.extend_from_slice(args);
        jinsong(&store, &all).success().stdout
    };
    with_base(&["build", src.to_str().unwrap()]);
    let ask = with_base(&["query", "ASK { jsr:Kaifeng a jso:Place }"]);
    assert_eq!(ask.trim(), "true");
    let iri = with_base(&[
        "query",
        "--format",
        "csv",
        "SELECT ?s WHERE { ?s rdfs:label \"Kaifeng\"@en }",
    ]);
    assert!(
        iri.contains("http://example.org/wars/resource/Kaifeng"),
        "{iri}"
    );
    let ttl = with_base(&["export"]);
    assert!(
        ttl.contains("@prefix jsr: <http://example.org/wars/resource/>"),
        "{}",
        &ttl[..ttl.len().min(2000)]
    );
    assert!(
        !ttl.contains("w3id.org/jinsong/resource"),
        "no resource under the default base"
    );
    let table = with_base(&["query", "SELECT ?s WHERE { ?s a jso:Place }"]);
    assert!(table.contains("jsr:Kaifeng"), "{table}");
}
