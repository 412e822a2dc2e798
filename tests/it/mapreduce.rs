//! Map, reduce, load: `jinsong extract` is a pure function of each file,
//! and shards extracted apart, built together, give the same graph as one
//! build of all the sources.

use std::path::Path;

use crate::canonical::{canonical, manifest_of};
use crate::errors::fingerprint;
use crate::harness::{jinsong, repo, tempdir};

fn extract(dir: &Path, sources: &[usize], name: &str) -> std::path::PathBuf {
    let sub = dir.join(format!("{name}.d"));
    std::fs::create_dir_all(&sub).unwrap();
    let manifest = manifest_of(&sub, sources);
    let out = dir.join(format!("{name}.nq"));
    let run = jinsong(
        &dir.join("unused-store"),
        &[
            "extract",
            manifest.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
    )
    .success();
    assert!(run.stdout.is_empty(), "the shard goes to the file");
    assert!(run.stderr.starts_with("Extracted "), "{}", run.stderr);
    assert!(!dir.join("unused-store").exists(), "extract makes no store");
    out
}

#[test]
fn three_shards_extracted_apart_build_the_same_graph_as_one_build() {
    let dir = tempdir();
    let one = dir.path().join("one");
    let all = manifest_of(dir.path(), &[0, 1, 2, 3, 4]);
    jinsong(&one, &["build", all.to_str().unwrap()]).success();
    // Three machines, three shards; a build of the shards together.
    let shards = [
        extract(dir.path(), &[3], "a"),
        extract(dir.path(), &[0, 4], "b"),
        extract(dir.path(), &[1, 2], "c"),
    ];
    let reduced = dir.path().join("reduced");
    let mut args = vec!["build"];
    args.extend(shards.iter().map(|p| p.to_str().unwrap()));
    let run = jinsong(&reduced, &args).success();
    assert!(run.stdout.contains("from shard"), "{}", run.stdout);
    let (a, ha) = canonical(&one);
    let (b, hb) = canonical(&reduced);
    assert!(a.lines().count() > 1000, "a real dataset");
    assert!(a == b, "the same canonical N-Quads");
    assert_eq!(ha, hb);
    // Shards and sources mix: one source read here, the rest from shards.
    let mixed = dir.path().join("mixed");
    let only = manifest_of(&dir.path().join("b.d"), &[0, 4]);
    jinsong(
        &mixed,
        &[
            "build",
            shards[0].to_str().unwrap(),
            only.to_str().unwrap(),
            shards[2].to_str().unwrap(),
        ],
    )
    .success();
    assert_eq!(canonical(&mixed).1, ha);
}

#[test]
fn extraction_is_a_function_of_each_file() {
    let dir = tempdir();
    // All five, twice: byte-identical.
    let first = extract(dir.path(), &[0, 1, 2, 3, 4], "all");
    let again = extract(dir.path(), &[4, 3, 2, 1, 0], "again");
    let all = std::fs::read_to_string(&first).unwrap();
    assert!(
        all == std::fs::read_to_string(&again).unwrap(),
        "two extractions are byte-identical"
    );
    // A document's graph does not depend on what else was extracted with it.
    let alone = std::fs::read_to_string(extract(dir.path(), &[3], "alone")).unwrap();
    let graph = "<https://w3id.org/jinsong/graph/wikitext103> .";
    let within: Vec<&str> = all.lines().filter(|l| l.ends_with(graph)).collect();
    assert!(within.len() > 1000, "{} quads", within.len());
    assert!(
        within == alone.lines().collect::<Vec<_>>(),
        "wikitext103's quads are the same alone and among the others"
    );
    // The same name in two documents is the same IRI, minted apart.
    let jin = "<https://w3id.org/jinsong/resource/Jin_dynasty> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>";
    let graphs = all.lines().filter(|l| l.starts_with(jin)).count();
    assert!(graphs >= 3, "Jin dynasty typed in {graphs} graphs");
}

#[test]
fn extract_writes_stdout_and_refuses_what_is_not_a_source() {
    let dir = tempdir();
    let store = dir.path().join("store");
    let run = jinsong(
        &store,
        &["extract", "tests/fixtures/unseen/article_imjin.txt"],
    )
    .success();
    assert!(run.stdout.lines().count() > 100);
    assert!(run.stdout.lines().all(|l| l.ends_with(" .")));
    let run = jinsong(&store, &["extract", "tests/bad-inputs/empty.txt"]).failure();
    assert!(run.stderr.contains("empty.txt"), "{}", run.stderr);
    // -o FILE is replaced only when every source was extracted.
    let out = dir.path().join("out.nq");
    std::fs::write(&out, "previous\n").unwrap();
    let run = jinsong(
        &store,
        &[
            "extract",
            "tests/fixtures/unseen/article_imjin.txt",
            "tests/bad-inputs/invalid-utf8.txt",
            "-o",
            out.to_str().unwrap(),
        ],
    )
    .failure();
    assert!(run.stderr.contains("invalid-utf8.txt"), "{}", run.stderr);
    assert!(run.stderr.contains("is unchanged"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous\n");
}

#[test]
fn bad_shards_are_refused_and_the_store_kept() {
    let dir = tempdir();
    let store = dir.path().join("store");
    let imjin = "tests/fixtures/unseen/article_imjin.txt";
    jinsong(&store, &["build", imjin, "--no-link"]).success();
    let before = fingerprint(&store);
    let good = jinsong(&store, &["extract", imjin]).success().stdout;
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "default.nq",
            "<http://a.example/s> <http://a.example/p> <http://a.example/o> .\n".to_owned(),
            "quad 1: a triple in the default graph",
        ),
        ("syntax.nq", format!("{good}<oops\n"), "not N-Quads"),
        (
            "split.nq",
            {
                // The graph's first quad again after another graph.
                let first = good.lines().next().unwrap();
                let other = first.replace("graph/article_imjin", "graph/other");
                format!("{good}{other}\n{first}\n")
            },
            "again, after other graphs",
        ),
        (
            "foreign.nq",
            good.replace(
                "https://w3id.org/jinsong/graph/",
                "http://elsewhere.example/graph/",
            ),
            "another --base-iri",
        ),
        ("twice.nq", good.clone(), "is given twice"),
    ];
    for (name, text, expect) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let mut args = vec!["build", "--no-link", path.to_str().unwrap()];
        if name == "twice.nq" {
            args.push(imjin);
        }
        let run = jinsong(&store, &args).failure();
        assert!(run.stderr.contains(expect), "{name}: {}", run.stderr);
        assert!(run.stderr.contains(name), "{name} named: {}", run.stderr);
        assert_eq!(
            fingerprint(&store),
            before,
            "{name}: the store is unchanged"
        );
    }
    // A shard of no document graph (an export) is refused too.
    let export = dir.path().join("export.nq");
    jinsong(
        &store,
        &["export", "--format", "nq", "-o", export.to_str().unwrap()],
    )
    .success();
    let run = jinsong(&store, &["build", export.to_str().unwrap()]).failure();
    assert!(run.stderr.contains("export.nq"), "{}", run.stderr);
    assert_eq!(fingerprint(&store), before);
    let _ = repo();
}

/// A copy of the bundled sources (files and manifest) in `dir`.
fn copy_sources(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("data");
    std::fs::create_dir_all(data.join("sources")).unwrap();
    std::fs::copy(repo().join("data/sources.toml"), data.join("sources.toml")).unwrap();
    for e in std::fs::read_dir(repo().join("data/sources")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), data.join("sources").join(e.file_name())).unwrap();
    }
    data.join("sources.toml")
}

#[test]
fn a_rebuild_extracts_only_the_sources_that_changed() {
    let dir = tempdir();
    let manifest = copy_sources(dir.path());
    let m = manifest.to_str().unwrap();
    let store = dir.path().join("store");
    let first = jinsong(&store, &["build", m]).success();
    assert!(
        first.stderr.is_empty(),
        "quiet when stderr is not a terminal: {}",
        first.stderr
    );
    let before = fingerprint(&store);
    // Unchanged sources: nothing is extracted, nothing written.
    let files = |p: &Path| -> Vec<(String, std::time::SystemTime)> {
        let mut v: Vec<_> = std::fs::read_dir(p)
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    e.metadata().unwrap().modified().unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let untouched = files(&store);
    let run = jinsong(&store, &["build", m]).success();
    assert!(
        run.stdout
            .contains("is up to date: 5 sources unchanged, nothing extracted"),
        "{}",
        run.stdout
    );
    assert_eq!(
        files(&store),
        untouched,
        "the store's files are not touched"
    );
    // One source changes: only it is extracted, only its graph replaced.
    let blog = dir.path().join("data/sources/004_da9b563e93d3046d.txt");
    let mut text = std::fs::read_to_string(&blog).unwrap();
    text.push_str("\nThe Battle of Qingshui was fought near Xiangyang in 1150 between the Song and the Jin.\n");
    std::fs::write(&blog, text).unwrap();
    let run = jinsong(&store, &["build", m]).success();
    assert!(run.stdout.starts_with("Updated "), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "1 source extracted (blog), 4 unchanged (not extracted); replaced 1 graph (graph/blog)"
        ),
        "{}",
        run.stdout
    );
    let qingshui = jinsong(
        &store,
        &[
            "query",
            "SELECT ?g WHERE { GRAPH ?g { ?b rdfs:label \"Battle of Qingshui\"@en } }",
            "-f",
            "csv",
        ],
    )
    .success();
    assert!(
        qingshui.stdout.contains("graph/blog"),
        "{}",
        qingshui.stdout
    );
    assert_ne!(fingerprint(&store), before);
    // The same graph as a whole build of the same sources, and the same counts.
    let whole = dir.path().join("whole");
    let full = jinsong(&whole, &["build", m]).success();
    assert_eq!(canonical(&store).1, canonical(&whole).1);
    let quads = |out: &str| {
        out.lines()
            .find(|l| l.starts_with("Quads:"))
            .map(str::to_owned)
    };
    assert_eq!(quads(&run.stdout), quads(&full.stdout));
    // A source leaves the manifest: its graph goes, the rest stays.
    let text = std::fs::read_to_string(&manifest).unwrap();
    let kept: Vec<&str> = text
        .split("\n[[source]]\n")
        .filter(|t| !t.contains("id = \"piglix\""))
        .collect();
    std::fs::write(&manifest, kept.join("\n[[source]]\n")).unwrap();
    let run = jinsong(&store, &["build", m]).success();
    assert!(
        run.stdout.contains("0 sources extracted, 4 unchanged"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("removed graph/piglix"),
        "{}",
        run.stdout
    );
    let whole = dir.path().join("whole4");
    jinsong(&whole, &["build", m]).success();
    assert_eq!(canonical(&store).1, canonical(&whole).1);
    // --full reuses nothing, and gives the same graph.
    let run = jinsong(&store, &["build", "--full", m]).success();
    assert!(run.stdout.starts_with("Built "), "{}", run.stdout);
    assert_eq!(canonical(&store).1, canonical(&whole).1);
}

#[test]
fn a_failed_rebuild_keeps_the_store_and_its_cache() {
    let dir = tempdir();
    let manifest = copy_sources(dir.path());
    let m = manifest.to_str().unwrap();
    let store = dir.path().join("store");
    jinsong(&store, &["build", m, "--no-link"]).success();
    let before = fingerprint(&store);
    let blog = dir.path().join("data/sources/004_da9b563e93d3046d.txt");
    let good = std::fs::read(&blog).unwrap();
    std::fs::write(&blog, b"\xff\xfe not text").unwrap();
    let run = jinsong(&store, &["build", m, "--no-link"]).failure();
    assert!(run.stderr.contains("is unchanged"), "{}", run.stderr);
    assert_eq!(fingerprint(&store), before);
    // Nothing half-made is left beside the store.
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // The source mended: the store is up to date again, with nothing extracted.
    std::fs::write(&blog, good).unwrap();
    let run = jinsong(&store, &["build", m, "--no-link"]).success();
    assert!(run.stdout.contains("is up to date"), "{}", run.stdout);
}

#[test]
fn a_build_after_link_links_again_as_its_options_say() {
    let dir = tempdir();
    let manifest = copy_sources(dir.path());
    let m = manifest.to_str().unwrap();
    let store = dir.path().join("store");
    jinsong(&store, &["build", m]).success();
    let built = canonical(&store).1;
    // `link` with settings of its own rewrites the links graph in place.
    jinsong(&store, &["link", "--threshold", "1"]).success();
    assert_ne!(canonical(&store).1, built, "the links changed");
    // The next build is not up to date: it links as its options say, and
    // gives the graph it gave before.
    let run = jinsong(&store, &["build", m]).success();
    assert!(run.stdout.starts_with("Updated "), "{}", run.stdout);
    assert!(run.stdout.contains("0 sources extracted"), "{}", run.stdout);
    assert_eq!(canonical(&store).1, built);
    let run = jinsong(&store, &["build", m]).success();
    assert!(run.stdout.contains("is up to date"), "{}", run.stdout);
}
