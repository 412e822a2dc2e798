//! `jinsong serve`: the real server on a free loopback port, every route,
//! status code and content type.

use crate::harness::{Server, enc, http, jinsong, shared_store, tempdir};

const COUNT: &str = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }";

fn count_of(json: &str) -> u64 {
    let v: serde_json::Value = serde_json::from_str(json).expect("SPARQL JSON");
    v["results"]["bindings"][0]["n"]["value"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("a count")
}

#[test]
fn the_sparql_protocol_answers_get_post_and_every_format() {
    let s = Server::start(shared_store(), &[]);
    let get = http(
        "GET",
        &format!("{}/sparql?query={}", s.url, enc(COUNT)),
        &[],
        None,
    );
    assert_eq!(get.status, 200, "{}", get.body);
    assert!(
        get.header("content-type")
            .unwrap()
            .starts_with("application/sparql-results+json")
    );
    let all = count_of(&get.body);
    assert!(all > 10_000);

    let form = format!("query={}", enc(COUNT));
    let ct = ("Content-Type", "application/x-www-form-urlencoded");
    for (accept, media, probe) in [
        (
            "application/sparql-results+xml",
            "application/sparql-results+xml",
            "<sparql",
        ),
        ("text/csv", "text/csv", "n\r\n"),
        (
            "text/tab-separated-values",
            "text/tab-separated-values",
            "?n",
        ),
    ] {
        let r = http(
            "POST",
            &format!("{}/sparql", s.url),
            &[ct, ("Accept", accept)],
            Some(&form),
        );
        assert_eq!(r.status, 200, "{accept}: {}", r.body);
        assert!(
            r.header("content-type").unwrap().starts_with(media),
            "{accept}"
        );
        assert!(r.body.contains(probe), "{accept}: {}", r.body);
        assert!(r.body.contains(&all.to_string()), "{accept}");
    }
    let direct = http(
        "POST",
        &format!("{}/sparql?format=json", s.url),
        &[("Content-Type", "application/sparql-query")],
        Some(COUNT),
    );
    assert_eq!(count_of(&direct.body), all);

    // Graphs: Turtle, N-Triples, RDF/XML, JSON-LD by Accept or format.
    let construct = "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a jso:Battle ; rdfs:label ?l }";
    for (accept, media, probe) in [
        ("text/turtle", "text/turtle", "@prefix"),
        (
            "application/n-triples",
            "application/n-triples",
            "<http://www.w3.org/2000/01/rdf-schema#label>",
        ),
        ("application/rdf+xml", "application/rdf+xml", "<rdf:RDF"),
        ("application/ld+json", "application/ld+json", "\"@id\""),
    ] {
        let r = http(
            "GET",
            &format!("{}/sparql?query={}", s.url, enc(construct)),
            &[("Accept", accept)],
            None,
        );
        assert_eq!(r.status, 200, "{accept}: {}", r.body);
        assert!(
            r.header("content-type").unwrap().starts_with(media),
            "{accept}"
        );
        assert!(r.body.contains(probe), "{accept}: {}", r.body);
        assert!(r.body.contains("Battle of Caishi"), "{accept}");
    }
    let nt = http(
        "GET",
        &format!("{}/sparql?query={}&format=nt", s.url, enc(construct)),
        &[],
        None,
    );
    assert!(
        nt.header("content-type")
            .unwrap()
            .starts_with("application/n-triples")
    );

    // default-graph-uri: one source's graph only.
    let blog = "https://w3id.org/jinsong/graph/blog";
    let r = http(
        "GET",
        &format!(
            "{}/sparql?query={}&default-graph-uri={}",
            s.url,
            enc(COUNT),
            enc(blog)
        ),
        &[],
        None,
    );
    let in_blog = count_of(&r.body);
    let export = jinsong(
        shared_store(),
        &["export", "--graph", "blog", "--format", "nt"],
    )
    .success();
    assert_eq!(in_blog as usize, export.stdout.lines().count());
    // named-graph-uri: GRAPH ?g sees only the named ones.
    let r = http(
        "GET",
        &format!(
            "{}/sparql?query={}&named-graph-uri={}",
            s.url,
            enc("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"),
            enc(blog)
        ),
        &[("Accept", "text/csv")],
        None,
    );
    assert_eq!(r.body.trim().lines().count(), 2, "{}", r.body);
}

#[test]
fn bad_requests_get_clear_statuses() {
    let s = Server::start(shared_store(), &["--max-results", "5"]);
    let url = format!("{}/sparql", s.url);
    let r = http(
        "GET",
        &format!("{url}?query={}", enc("SELECT ?x WHERE { ?x a }")),
        &[],
        None,
    );
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("syntax error") && r.body.contains("1:"),
        "{}",
        r.body
    );
    assert_eq!(http("GET", &url, &[], None).status, 400);
    let r = http("POST", &url, &[("Content-Type", "text/plain")], Some("x"));
    assert_eq!(r.status, 415);
    let r = http(
        "POST",
        &url,
        &[("Content-Type", "application/sparql-update")],
        Some("CLEAR ALL"),
    );
    assert_eq!(r.status, 403);
    let r = http(
        "GET",
        &format!(
            "{url}?query={}",
            enc("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
        ),
        &[],
        None,
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("--allow-service"), "{}", r.body);
    let r = http(
        "GET",
        &format!("{url}?query={}", enc(COUNT)),
        &[("Accept", "image/png")],
        None,
    );
    assert_eq!(r.status, 406);
    // The result cap: five rows, and the cap said in X-SPARQL-MaxRows.
    let r = http(
        "GET",
        &format!("{url}?query={}", enc("SELECT ?s WHERE { ?s ?p ?o }")),
        &[("Accept", "text/csv")],
        None,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.body.trim().lines().count(), 6, "{}", r.body);
    assert_eq!(r.header("x-sparql-maxrows"), Some("5"));
    // An oversized body.
    let big = format!("query={}", "x".repeat(2 << 20));
    let r = http(
        "POST",
        &url,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        Some(&big),
    );
    assert_eq!(r.status, 413);
}

#[test]
fn a_query_past_the_time_out_gets_503_and_the_server_stays_up() {
    let s = Server::start(shared_store(), &["--timeout", "1"]);
    let slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }";
    let r = http(
        "GET",
        &format!("{}/sparql?query={}", s.url, enc(slow)),
        &[],
        None,
    );
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(r.body.contains("time-out"), "{}", r.body);
    let r = http(
        "GET",
        &format!("{}/sparql?query={}", s.url, enc(COUNT)),
        &[],
        None,
    );
    assert_eq!(r.status, 200);
}

#[test]
fn resources_dereference_to_pages_and_data() {
    let s = Server::start(shared_store(), &[]);
    let r = http(
        "GET",
        &format!("{}/resource/Battle_of_Caishi", s.url),
        &[("Accept", "text/html")],
        None,
    );
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/page/Battle_of_Caishi"));
    for (accept, ext) in [
        ("text/turtle", "ttl"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "jsonld"),
        ("application/rdf+xml", "rdf"),
    ] {
        let r = http(
            "GET",
            &format!("{}/resource/Battle_of_Caishi", s.url),
            &[("Accept", accept)],
            None,
        );
        assert_eq!(r.status, 303);
        let location = format!("/data/Battle_of_Caishi.{ext}");
        assert_eq!(r.header("location"), Some(location.as_str()));
        let d = http("GET", &format!("{}{location}", s.url), &[], None);
        assert_eq!(d.status, 200, "{location}");
        assert!(
            d.header("content-type").unwrap().starts_with(accept),
            "{location}"
        );
        assert!(d.body.contains("Battle of Caishi"), "{location}");
    }
    // Incoming triples too, and the graph each comes from in N-Quads.
    let nq = http(
        "GET",
        &format!("{}/data/Battle_of_Caishi.nq", s.url),
        &[],
        None,
    )
    .body;
    assert!(nq.contains("<https://w3id.org/jinsong/graph/wikitext103>"));
    assert!(nq.lines().any(|l| l.ends_with("> .")
        && l.contains("/resource/Battle_of_Caishi> <https://w3id.org/jinsong/graph/")));

    let page = http(
        "GET",
        &format!("{}/page/Battle_of_Caishi", s.url),
        &[],
        None,
    );
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    for probe in [
        "About: Battle of Caishi",
        "<th>Attributes</th><th>Values</th>",
        "href=\"/page/Wanyan_Liang\"",
        "href=\"http://dbpedia.org/resource/Battle_of_Caishi\"",
        "[wikitext103]",
        "(bytes ",
        "<span lang=\"en\">Battle of Caishi</span>",
        "(xsd:date)",
    ] {
        assert!(page.body.contains(probe), "{probe}");
    }
    for path in [
        "/page/No_such_thing",
        "/resource/No_such_thing",
        "/data/No_such_thing.ttl",
        "/data/..%2F..%2Fetc%2Fpasswd.ttl",
        "/nowhere",
    ] {
        let r = http("GET", &format!("{}{path}", s.url), &[], None);
        assert_eq!(r.status, 404, "{path}");
        assert!(r.body.contains("Not found"), "{path}");
    }
}

#[test]
fn index_timeline_and_query_pages() {
    let s = Server::start(shared_store(), &[]);
    let index = http("GET", &format!("{}/", s.url), &[], None);
    assert_eq!(index.status, 200);
    for h in ["Conflicts", "Campaigns", "Battles", "Sieges", "Treaties"] {
        assert!(index.body.contains(&format!("<h2>{h} (")), "{h}");
    }
    assert!(index.body.contains("href=\"/page/Battle_of_Caishi\""));

    let page = http("GET", &format!("{}/timeline", s.url), &[], None);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.body.contains("<svg "), "the picture is inline");
    let svg = http("GET", &format!("{}/timeline.svg", s.url), &[], None);
    assert_eq!(svg.status, 200);
    assert!(
        svg.header("content-type")
            .unwrap()
            .starts_with("image/svg+xml")
    );
    assert!(svg.body.starts_with("<svg"));
    for lane in [
        "Polities",
        "Conflicts",
        "Campaigns",
        "Battles",
        "Sieges",
        "Treaties",
    ] {
        assert!(svg.body.contains(&format!(">{lane}</text>")), "{lane}");
    }
    assert!(svg.body.contains("href=\"/page/Battle_of_Caishi\""));
    assert!(svg.body.contains("<rect x="), "spans as bars");
    assert!(svg.body.contains("<circle "), "points as marks");

    let q = http("GET", &format!("{}/query?name=battles", s.url), &[], None);
    assert_eq!(q.status, 200);
    assert!(q.body.contains("<textarea name=\"query\""));
    assert!(
        q.body.contains("PREFIX") || q.body.contains("SELECT"),
        "the named query fills the form"
    );
    let q = http(
        "GET",
        &format!(
            "{}/query?query={}",
            s.url,
            enc("SELECT ?b WHERE { ?b a jso:Battle }")
        ),
        &[],
        None,
    );
    assert!(
        q.body.contains("<td><a href=\"/page/"),
        "results as a table with links"
    );
    let q = http(
        "GET",
        &format!("{}/query?query={}", s.url, enc("SELECT ?x WHERE { ?x a }")),
        &[],
        None,
    );
    assert!(q.body.contains("Error:"));

    // The same picture offline.
    let dir = tempdir();
    let file = dir.path().join("t.svg");
    jinsong(
        shared_store(),
        &["export", "--timeline", file.to_str().unwrap()],
    )
    .success();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), svg.body);
}

#[test]
fn text_from_sources_is_escaped() {
    let dir = tempdir();
    let src = dir.path().join("evil.txt");
    std::fs::write(
        &src,
        "The Battle of <script>alert(1)</script> Hill\n\nThe Battle of Hill was fought in 1200 between the Song and the Jin. <script>alert(2)</script>\n",
    )
    .unwrap();
    let store = dir.path().join("store");
    jinsong(&store, &["build", "--no-link", src.to_str().unwrap()]).success();
    let s = Server::start(&store, &[]);
    for path in [
        "/",
        "/timeline",
        "/timeline.svg",
        "/query?query=SELECT%20%3Fs%20%3Fo%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D",
    ] {
        let r = http("GET", &format!("{}{path}", s.url), &[], None);
        assert!(!r.body.contains("<script>"), "{path}: {}", r.body);
    }
    let q = http(
        "GET",
        &format!(
            "{}/query?query={}",
            s.url,
            enc("SELECT ?o WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), \"script\")) }")
        ),
        &[],
        None,
    );
    assert!(q.body.contains("&lt;script&gt;"), "{}", q.body);
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let s = Server::start(shared_store(), &["--timeout", "2"]);
    assert_eq!(http("GET", &format!("{}/", s.url), &[], None).status, 200);
    // A request in flight when the signal comes still gets its answer.
    let slow = format!(
        "{}/sparql?query={}",
        s.url,
        enc("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    );
    let in_flight = std::thread::spawn(move || http("GET", &slow, &[], None).status);
    std::thread::sleep(std::time::Duration::from_millis(500));
    let (code, stderr) = s.stop();
    assert_eq!(in_flight.join().unwrap(), 503, "answered, by the time-out");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("stopped"), "{stderr}");
}

#[test]
fn real_sparql_clients_use_the_endpoint() {
    let Some(py) = crate::harness::python() else {
        crate::harness::missing("a Python with rdflib and SPARQLWrapper");
        return;
    };
    let s = Server::start(shared_store(), &[]);
    let endpoint = format!("{}/sparql", s.url);
    let script = r#"
import sys
from SPARQLWrapper import SPARQLWrapper, JSON, XML, TURTLE, POST
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
url = sys.argv[1]
w = SPARQLWrapper(url)
w.setQuery('SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/jinsong/ontology#Battle> }')
w.setReturnFormat(JSON)
n = int(w.query().convert()['results']['bindings'][0]['n']['value'])
w.setMethod(POST)
w.setReturnFormat(XML)
xml = w.query().convert()
n_xml = int(xml.getElementsByTagName('literal')[0].firstChild.data)
w = SPARQLWrapper(url)
w.setQuery('CONSTRUCT { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } WHERE { ?s a <https://w3id.org/jinsong/ontology#Battle> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }')
w.setReturnFormat(TURTLE)
g = Graph().parse(data=w.query().convert(), format='turtle')
store = Graph(store=SPARQLStore(url))
rows = list(store.query('SELECT ?s WHERE { ?s a <https://w3id.org/jinsong/ontology#Battle> }'))
print(n, n_xml, len(g), len(rows))
"#;
    let out = crate::harness::run_python(&py, script, &[&endpoint]);
    let figures: Vec<usize> = out
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    assert_eq!(figures.len(), 4, "{out}");
    assert!(figures[0] > 0, "{out}");
    assert!(
        figures.iter().all(|f| *f == figures[0]),
        "every client sees the same battles: {out}"
    );
}

#[test]
fn updates_and_graph_store_writes_need_the_token() {
    // A store of its own: this test writes.
    let dir = tempdir();
    let store = dir.path().join("store");
    jinsong(&store, &["build", "--no-link"]).success();
    let s = Server::start(&store, &["--allow-update", "--token", "s3cret"]);
    let url = format!("{}/sparql", s.url);
    let g = "http://example.org/notes";
    let insert = format!(
        "INSERT DATA {{ GRAPH <{g}> {{ jsr:Battle_of_Caishi rdfs:comment \"a note\"@en }} }}"
    );
    let ct = ("Content-Type", "application/sparql-update");
    assert_eq!(http("POST", &url, &[ct], Some(&insert)).status, 401);
    assert_eq!(
        http(
            "POST",
            &url,
            &[ct, ("Authorization", "Bearer wrong")],
            Some(&insert)
        )
        .status,
        401
    );
    let r = http(
        "POST",
        &url,
        &[ct, ("Authorization", "Bearer s3cret")],
        Some(&insert),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    // The default graph (the merge) sees the new triple.
    let ask = "ASK { jsr:Battle_of_Caishi rdfs:comment \"a note\"@en }";
    let r = http("GET", &format!("{url}?query={}", enc(ask)), &[], None);
    assert!(r.body.contains("true"), "{}", r.body);

    // Graph Store protocol: PUT replaces, GET reads, DELETE removes.
    let gsp = format!("{}/rdf-graphs?graph={}", s.url, enc(g));
    let ttl = "<http://example.org/a> <http://example.org/b> \"c\" .\n";
    let tt = ("Content-Type", "text/turtle");
    assert_eq!(http("PUT", &gsp, &[tt], Some(ttl)).status, 401);
    let r = http(
        "PUT",
        &gsp,
        &[tt, ("Authorization", "Bearer s3cret")],
        Some(ttl),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let r = http("GET", &gsp, &[("Accept", "application/n-triples")], None);
    assert_eq!(r.body.trim(), ttl.trim());
    let r = http("GET", &format!("{url}?query={}", enc(ask)), &[], None);
    assert!(
        r.body.contains("false"),
        "the PUT replaced the note: {}",
        r.body
    );
    let r = http("DELETE", &gsp, &[("Authorization", "Bearer s3cret")], None);
    assert_eq!(r.status, 204);
    assert_eq!(http("GET", &gsp, &[], None).status, 404);

    // Without --allow-update, writing is refused outright.
    drop(s);
    let s = Server::start(&store, &[]);
    let r = http(
        "POST",
        &format!("{}/sparql", s.url),
        &[ct, ("Authorization", "Bearer s3cret")],
        Some(&insert),
    );
    assert_eq!(r.status, 403);
    drop(s);
    // The writes made the store other than its last build: the next build
    // starts from the sources instead of calling the store up to date.
    let run = jinsong(&store, &["build", "--no-link"]).success();
    assert!(run.stdout.starts_with("Built "), "{}", run.stdout);
}

#[test]
fn a_silent_client_is_disconnected() {
    use std::io::{Read, Write};
    let s = Server::start(shared_store(), &["--client-timeout", "1"]);
    let host = s.url.trim_start_matches("http://").to_owned();
    let mut c = std::net::TcpStream::connect(&host).unwrap();
    c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    c.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let started = std::time::Instant::now();
    let mut buf = [0u8; 64];
    // The server closes the half-sent request rather than wait for it.
    let n = c.read(&mut buf).unwrap_or(0);
    assert_eq!(n, 0, "{:?}", String::from_utf8_lossy(&buf[..n]));
    assert!(started.elapsed() < std::time::Duration::from_secs(8));
    // And serves others meanwhile.
    assert_eq!(http("GET", &format!("{}/", s.url), &[], None).status, 200);
}
