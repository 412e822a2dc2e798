//! Bad input: one clear message, a non-zero exit, no panic, and the previous
//! store exactly as it was.

use std::path::{Path, PathBuf};

use crate::harness::{Run, jinsong, repo, tempdir};

/// A store of one small source, and its quad count.
pub fn small_store(dir: &Path) -> (PathBuf, String) {
    let store = dir.join("store");
    let src = repo().join("data/sources/001_9507694e22ede11f.txt");
    jinsong(&store, &["build", src.to_str().unwrap()]).success();
    (store.clone(), fingerprint(&store))
}

/// What the store holds, to compare before and after a failed build.
pub fn fingerprint(store: &Path) -> String {
    jinsong(store, &["export", "--format", "nq"])
        .success()
        .stdout
}

pub fn build_fails(store: &Path, before: &str, args: &[&str]) -> Run {
    let mut all = vec!["build"];
    all.extend_from_slice(args);
    let run = jinsong(store, &all).failure();
    assert!(run.stderr.contains("is unchanged"), "{}", run.stderr);
    assert_eq!(
        fingerprint(store),
        before,
        "the previous store is unchanged"
    );
    run
}

#[test]
fn missing_source_names_the_path() {
    let dir = tempdir();
    let (store, before) = small_store(dir.path());
    let run = build_fails(&store, &before, &["no/such/file.txt"]);
    assert!(run.stderr.contains("no/such/file.txt"), "{}", run.stderr);
}

#[test]
fn a_failed_first_build_writes_no_store_and_says_each_cause_once() {
    let dir = tempdir();
    let store = dir.path().join("store");
    let run = jinsong(&store, &["build", "no/such/file.txt"]).failure();
    assert!(run.stderr.contains("no store written"), "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("os error 2").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(!store.exists(), "no store directory is left behind");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(leftovers.is_empty(), "no temporary store is left behind");
}

#[test]
fn empty_and_blank_files_are_refused() {
    let dir = tempdir();
    let (store, before) = small_store(dir.path());
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let run = build_fails(&store, &before, &[empty.to_str().unwrap()]);
    assert!(
        run.stderr.contains("empty.txt: the file is empty"),
        "{}",
        run.stderr
    );
    let blank = dir.path().join("blank.txt");
    std::fs::write(&blank, " \n\n\t\n").unwrap();
    let run = build_fails(&store, &before, &[blank.to_str().unwrap()]);
    assert!(run.stderr.contains("only whitespace"), "{}", run.stderr);
}

#[test]
fn binary_file_is_refused_with_its_offset() {
    let dir = tempdir();
    let (store, before) = small_store(dir.path());
    let bin = dir.path().join("garbage.txt");
    let mut bytes = b"The Jin army".to_vec();
    bytes.extend_from_slice(&[0, 159, 146, 150, 7, 1, 2]);
    std::fs::write(&bin, bytes).unwrap();
    let run = build_fails(&store, &before, &[bin.to_str().unwrap()]);
    assert!(
        run.stderr.contains("garbage.txt") && run.stderr.contains("byte offset 12"),
        "{}",
        run.stderr
    );
}

#[test]
fn invalid_utf8_names_the_file_and_byte_offset() {
    let dir = tempdir();
    let (store, before) = small_store(dir.path());
    let bad = dir.path().join("latin1.txt");
    std::fs::write(&bad, b"The Siege of Taiyuan began in 1126 at Caf\xe9 Gate.").unwrap();
    let run = build_fails(&store, &before, &[bad.to_str().unwrap()]);
    assert!(
        run.stderr
            .contains("latin1.txt: invalid UTF-8 at byte offset 41"),
        "{}",
        run.stderr
    );
}

#[test]
fn malformed_manifests_are_refused() {
    let dir = tempdir();
    let (store, before) = small_store(dir.path());
    let src = repo().join("data/sources/001_9507694e22ede11f.txt");
    let cases = [
        (
            "unknown-key.toml",
            format!(
                "[[source]]\nid = \"a\"\nfile = {:?}\ncolour = \"red\"\n",
                src
            ),
            "unknown field",
        ),
        (
            "syntax.toml",
            "[[source]\nid = ".to_owned(),
            "invalid manifest",
        ),
        (
            "missing-file.toml",
            "[[source]]\nid = \"a\"\nfile = \"nope.txt\"\n".to_owned(),
            "does not exist",
        ),
        (
            "bad-format.toml",
            format!(
                "[[source]]\nid = \"a\"\nfile = {:?}\nformat = \"pdf\"\n",
                src
            ),
            "pdf",
        ),
        (
            "empty.toml",
            "# nothing\n".to_owned(),
            "lists no [[source]]",
        ),
        (
            "dup.toml",
            format!(
                "[[source]]\nid = \"a\"\nfile = {src:?}\n[[source]]\nid = \"a\"\nfile = {src:?}\n"
            ),
            "used twice",
        ),
    ];
    for (name, text, expect) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let run = build_fails(&store, &before, &[path.to_str().unwrap()]);
        assert!(run.stderr.contains(name), "{name}: {}", run.stderr);
        assert!(run.stderr.contains(expect), "{name}: {}", run.stderr);
    }
    let latin = dir.path().join("latin1.toml");
    std::fs::write(&latin, b"[[source]]\nid = \"caf\xe9\"\n").unwrap();
    let run = build_fails(&store, &before, &[latin.to_str().unwrap()]);
    assert!(run.stderr.contains("not valid UTF-8"), "{}", run.stderr);
}

#[test]
fn a_directory_without_sources_is_refused() {
    let dir = tempdir();
    let (store, before) = small_store(dir.path());
    let empty = dir.path().join("nothing-here");
    std::fs::create_dir(&empty).unwrap();
    let run = build_fails(&store, &before, &[empty.to_str().unwrap()]);
    assert!(
        run.stderr.contains("no .txt or .md files"),
        "{}",
        run.stderr
    );
}

#[test]
fn sparql_syntax_errors_give_line_and_column() {
    let dir = tempdir();
    let (store, _) = small_store(dir.path());
    let run = jinsong(&store, &["query", "SELECT * WHERE {\n  ?s ?p\n}"]).failure();
    assert!(run.stderr.contains("SPARQL syntax error"), "{}", run.stderr);
    assert!(
        run.stderr.contains("at 3:"),
        "line and column: {}",
        run.stderr
    );
    let file = dir.path().join("bad.rq");
    std::fs::write(&file, "SELECT ?x WHERE { ?x a }").unwrap();
    let run = jinsong(&store, &["query", file.to_str().unwrap()]).failure();
    assert!(
        run.stderr.contains("bad.rq") && run.stderr.contains("1:"),
        "{}",
        run.stderr
    );
    let unknown = jinsong(&store, &["query", "no-such-query"]).failure();
    assert!(
        unknown.stderr.contains("named queries: "),
        "{}",
        unknown.stderr
    );
}

#[test]
fn a_missing_store_is_reported_not_created() {
    let dir = tempdir();
    let store = dir.path().join("nowhere");
    for args in [
        vec!["query", "timeline"],
        vec!["export"],
        vec!["stats"],
        vec!["describe", "Kaifeng"],
    ] {
        let run = jinsong(&store, &args).failure();
        assert!(run.stderr.contains("no store at"), "{}", run.stderr);
        assert!(!store.exists(), "querying must not create a store");
    }
}

#[test]
fn a_foreign_directory_is_never_replaced() {
    let dir = tempdir();
    let mine = dir.path().join("my-notes");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "keep me").unwrap();
    let run = jinsong(&mine, &["build"]).failure();
    assert!(run.stderr.contains("not a jinsong store"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(mine.join("notes.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn a_stale_build_directory_does_not_block_the_next_build() {
    // What an interrupted build leaves beside the store: a half-written copy.
    let dir = tempdir();
    let (store, before) = small_store(dir.path());
    let stale = dir.path().join(".store.new-1");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("CURRENT"), "half").unwrap();
    assert_eq!(fingerprint(&store), before);
    jinsong(&store, &["build"]).success();
    assert_ne!(
        fingerprint(&store),
        before,
        "the new build replaced the store"
    );
}

#[test]
fn bad_arguments_are_usage_errors() {
    let dir = tempdir();
    let (store, _) = small_store(dir.path());
    let run = jinsong(&store, &["export", "--format", "pdf"]);
    assert_eq!(run.code, Some(2), "clap's usage error");
    assert!(run.stderr.contains("unknown format"), "{}", run.stderr);
    let run = jinsong(&store, &["query", "timeline", "--bind", "novalue"]).failure();
    assert!(run.stderr.contains("--bind"), "{}", run.stderr);
    let run = jinsong(&store, &["--base-iri", "not an iri", "stats"]).failure();
    assert!(run.stderr.contains("invalid base IRI"), "{}", run.stderr);
}
