//! The corpus of bad inputs (`tests/bad-inputs/`, its README lists the
//! cases): each gives one clear message naming the file, line, offset or
//! query position, a non-zero exit and no panic, and the previous store
//! stays exactly as it was. Large inputs are made here, not committed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::errors::{build_fails, fingerprint, small_store};
use crate::harness::{Server, jinsong, repo, select, tempdir};

fn case(name: &str) -> PathBuf {
    repo().join("tests/bad-inputs").join(name)
}

fn arg(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

#[test]
fn an_empty_file_is_refused() {
    let dir = tempdir();
    let (store, before) = small_store(dir.path());
    let run = build_fails(&store, &before, &[arg(&case("empty.txt"))]);
    assert!(
        run.stderr.contains("empty.txt: the file is empty"),
        "{}",
        run.stderr
    );
}

#[test]
fn binary_garbage_is_refused_with_its_offset() {
    let dir = tempdir();
    let (store, before) = small_store(dir.path());
    let run = build_fails(&store, &before, &[arg(&case("binary-garbage.txt"))]);
    assert!(
        run.stderr
            .contains("binary-garbage.txt: not a text file (binary byte 0x"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("at byte offset "), "{}", run.stderr);
}

#[test]
fn invalid_utf8_is_refused_with_its_offset() {
    let dir = tempdir();
    let (store, before) = small_store(dir.path());
    let run = build_fails(&store, &before, &[arg(&case("invalid-utf8.txt"))]);
    assert!(
        run.stderr
            .contains("invalid-utf8.txt: invalid UTF-8 at byte offset 76"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_100_mb_single_line_is_refused_with_its_line() {
    let dir = tempdir();
    let (store, before) = small_store(dir.path());
    let path = dir.path().join("one-line.txt");
    let sentence = "The Jin army besieged Kaifeng in 1126 and the Song court fled south. ";
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    f.write_all(b"= A long line =\n\n").unwrap();
    let mut written = 0;
    while written < 100 << 20 {
        f.write_all(sentence.as_bytes()).unwrap();
        written += sentence.len();
    }
    f.write_all(b"\n").unwrap();
    drop(f);
    let started = Instant::now();
    let run = build_fails(&store, &before, &[arg(&path)]);
    assert!(
        run.stderr.contains("one-line.txt:3: a line of ")
            && run.stderr.contains("longer than the 1048576 bytes"),
        "{}",
        run.stderr
    );
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "refused quickly"
    );
}

#[test]
fn a_10_mb_file_of_headings_is_refused() {
    let dir = tempdir();
    let (store, before) = small_store(dir.path());
    let path = dir.path().join("headings.txt");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut written = 0;
    let mut i = 0;
    while written < 10 << 20 {
        let line = format!(" = = Section {i} of the Jin – Song Wars = = \n");
        f.write_all(line.as_bytes()).unwrap();
        written += line.len();
        i += 1;
    }
    drop(f);
    let run = build_fails(&store, &before, &[arg(&path)]);
    assert!(
        run.stderr.contains("headings.txt: no text to read (")
            && run.stderr.contains("no paragraph"),
        "{}",
        run.stderr
    );
}

/// Impossible dates are text the graph keeps as it is written, never a
/// typed date; years out of range are no dates at all.
#[test]
fn absurd_dates_are_never_typed() {
    let dir = tempdir();
    let store = dir.path().join("store");
    jinsong(
        &store,
        &["build", "--no-link", arg(&case("absurd-dates.txt"))],
    )
    .success();
    let dates = select(
        &store,
        "SELECT ?e ?d WHERE { ?e ?p ?d . FILTER(?p IN (jso:startDate, jso:endDate)) }",
        &[],
    );
    for row in &dates {
        let d = &row["d"];
        assert!(
            ![
                "1142-02", "1143-04", "1143-05", "1145-03", "1145-05", "0000", "99999", "1144-13"
            ]
            .iter()
            .any(|bad| d.starts_with(bad)),
            "a date made from an impossible one: {row:?}"
        );
    }
    let of = |label: &str| {
        select(
            &store,
            "SELECT ?d ?t WHERE { ?e rdfs:label ?l FILTER(STR(?l) = ?name) OPTIONAL { ?e jso:startDate ?d } OPTIONAL { ?e jso:dateText ?t } }",
            &[&format!("name=\"{label}\"")],
        )
    };
    for (event, text) in [
        ("Battle of Nowhere", "February 30, 1142"),
        ("Siege of Elsewhere", "31 April 1143"),
    ] {
        let rows = of(event);
        assert_eq!(rows.len(), 1, "{event}: {rows:?}");
        assert!(
            !rows[0].contains_key("d"),
            "{event} has no typed date: {rows:?}"
        );
        assert_eq!(
            rows[0].get("t").map(String::as_str),
            Some(text),
            "{event} keeps the text"
        );
    }
    for event in ["Battle of Zero", "Treaty of Far", "Battle of Minus"] {
        for row in of(event) {
            assert!(!row.contains_key("d"), "{event} has no date: {row:?}");
        }
    }
    // Every typed date of the store is a real one (SHACL checks datatypes and forms).
    jinsong(&store, &["validate"]).success();
}

/// Numbers that overflow or make no sense are not strengths, casualties or amounts.
#[test]
fn absurd_numbers_are_never_quantities() {
    let dir = tempdir();
    let store = dir.path().join("store");
    jinsong(
        &store,
        &["build", "--no-link", arg(&case("absurd-numbers.txt"))],
    )
    .success();
    let values = select(
        &store,
        "SELECT ?n WHERE { ?x ?p ?n . FILTER(?p IN (jso:strength, jso:casualties, jso:amount)) }",
        &[],
    );
    for v in &values {
        let n: i64 = v["n"]
            .parse()
            .unwrap_or_else(|_| panic!("not an i64: {}", v["n"]));
        assert!(n >= 0, "a negative quantity: {n}");
    }
    assert!(
        !values
            .iter()
            .any(|v| v["n"].starts_with("1844674407") || v["n"].starts_with("9999999")),
        "{values:?}"
    );
    jinsong(&store, &["validate"]).success();
}

#[test]
fn manifest_with_an_unknown_key_is_refused() {
    let dir = tempdir();
    let (store, before) = small_store(dir.path());
    let run = build_fails(&store, &before, &[arg(&case("manifest-unknown-key.toml"))]);
    assert!(
        run.stderr.contains("manifest-unknown-key.toml") && run.stderr.contains("colour"),
        "{}",
        run.stderr
    );
}

#[test]
fn manifest_with_a_missing_file_is_refused() {
    let dir = tempdir();
    let (store, before) = small_store(dir.path());
    let run = build_fails(&store, &before, &[arg(&case("manifest-missing-file.toml"))]);
    assert!(run.stderr.contains("no-such-source.txt"), "{}", run.stderr);
}

#[test]
fn a_manifest_that_is_not_utf8_is_refused() {
    let dir = tempdir();
    let (store, before) = small_store(dir.path());
    let run = build_fails(&store, &before, &[arg(&case("manifest-latin1.toml"))]);
    assert!(
        run.stderr.contains("manifest-latin1.toml") && run.stderr.contains("UTF-8"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_sparql_syntax_error_gives_its_position() {
    let run = jinsong(
        crate::harness::shared_store(),
        &["query", arg(&case("syntax-error.rq"))],
    )
    .failure();
    assert!(
        run.stderr.contains("syntax-error.rq") && run.stderr.contains("error at 3:32"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_query_that_never_ends_is_stopped_by_its_timeout() {
    let started = Instant::now();
    let run = jinsong(
        crate::harness::shared_store(),
        &["query", arg(&case("never-ends.rq")), "--timeout", "1"],
    )
    .failure();
    assert!(
        run.stderr
            .contains("never-ends.rq did not finish within 1 s"),
        "{}",
        run.stderr
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert!(run.stdout.is_empty(), "no partial answer: {}", run.stdout);
}

#[test]
fn a_store_locked_by_another_process_is_refused() {
    let dir = tempdir();
    let (store, before) = small_store(dir.path());
    let server = Server::start(&store, &["--allow-update", "--token", "t"]);
    let run = jinsong(&store, &["build", "--no-link"]).failure();
    assert!(
        run.stderr.contains("is in use by another process"),
        "{}",
        run.stderr
    );
    let link = jinsong(&store, &["link"]).failure();
    assert!(
        link.stderr.contains("is in use by another process"),
        "{}",
        link.stderr
    );
    drop(server);
    assert_eq!(fingerprint(&store), before, "the store is unchanged");
}

/// Runs the binary as an unprivileged user when the tests run as root (root
/// ignores permissions), so a read-only directory is read-only.
fn as_unprivileged(dir: &Path, store: &Path, args: &[&str]) -> (bool, String, String) {
    let bin = dir.join("jinsong");
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    let mut cmd = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(&bin);
        c
    } else {
        Command::new(&bin)
    };
    let out = cmd
        .current_dir(dir)
        .arg("--store")
        .arg(store)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn chmod_r(path: &Path, dirs: u32, files: u32) {
    use std::os::unix::fs::PermissionsExt;
    let mode = if path.is_dir() { dirs } else { files };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    if path.is_dir() {
        for e in std::fs::read_dir(path).unwrap() {
            chmod_r(&e.unwrap().path(), dirs, files);
        }
    }
}

#[test]
fn a_read_only_store_answers_queries_and_refuses_a_build() {
    let dir = tempdir();
    let (store, before) = small_store(dir.path());
    let src = repo().join("data/sources/001_9507694e22ede11f.txt");
    let copy = dir.path().join("source.txt");
    std::fs::copy(&src, &copy).unwrap();
    let bin = dir.path().join("jinsong");
    std::fs::copy(env!("CARGO_BIN_EXE_jinsong"), &bin).unwrap();
    chmod_r(dir.path(), 0o555, 0o444);
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    let (ok, out, err) = as_unprivileged(
        dir.path(),
        &store,
        &[
            "query",
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
            "--format",
            "csv",
        ],
    );
    assert!(ok, "a read-only store answers queries: {err}");
    assert!(
        out.lines()
            .nth(1)
            .is_some_and(|n| n.parse::<usize>().is_ok_and(|n| n > 0)),
        "{out}"
    );
    let (ok, _, err) = as_unprivileged(dir.path(), &store, &["build", "--no-link", arg(&copy)]);
    assert!(!ok, "the build fails");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.starts_with("jinsong: error: ") && err.trim_end().lines().count() == 1,
        "{err}"
    );
    assert!(err.contains("is unchanged"), "{err}");
    chmod_r(dir.path(), 0o755, 0o644);
    assert_eq!(fingerprint(&store), before, "the store is unchanged");
}
