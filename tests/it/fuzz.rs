//! The fuzz targets' entry points (`jinsong::fuzzing`) on every input the
//! fuzzers ever crashed on (`tests/bad-inputs/fuzz/<target>/`), and on the
//! seeds they start from (the bundled sources, the fixtures and the bad
//! inputs), so a crash once found stays fixed.

use std::path::{Path, PathBuf};

use jinsong::fuzzing;
use jinsong::sources::Format;

use crate::harness::repo;

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else if p.file_name().is_some_and(|n| n != "README.md") {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn run(target: &str, data: &[u8]) {
    let text = std::str::from_utf8(data).ok();
    match target {
        "read_dbpedia_page" => fuzzing::read_and_extract(data, Format::DbpediaPage),
        "read_article" => fuzzing::read_and_extract(data, Format::Article),
        "read_wikitext" => fuzzing::read_and_extract(data, Format::WikiText103),
        "read_blog" => fuzzing::read_and_extract(data, Format::Blog),
        "dates" => text.into_iter().for_each(fuzzing::dates),
        "quantities" => text.into_iter().for_each(fuzzing::quantities),
        "manifest" => fuzzing::manifest(data),
        other => panic!("no fuzz target {other}"),
    }
}

const TARGETS: &[&str] = &[
    "read_dbpedia_page",
    "read_article",
    "read_wikitext",
    "read_blog",
    "dates",
    "quantities",
    "manifest",
];

#[test]
fn every_input_the_fuzzers_found_is_handled() {
    let root = repo().join("tests/bad-inputs/fuzz");
    for target in TARGETS {
        for f in files(&root.join(target)) {
            let data = std::fs::read(&f).unwrap();
            run(target, &data);
        }
    }
    // No directory for a target that does not exist.
    for f in std::fs::read_dir(&root).unwrap().flatten() {
        let name = f.file_name().to_string_lossy().into_owned();
        assert!(
            name == "README.md" || TARGETS.contains(&name.as_str()),
            "tests/bad-inputs/fuzz/{name} is no fuzz target"
        );
    }
}

#[test]
fn the_seed_inputs_pass_every_target() {
    let mut seeds = files(&repo().join("data/sources"));
    seeds.extend(files(&repo().join("tests/fixtures")));
    seeds.extend(files(&repo().join("tests/bad-inputs")));
    seeds.push(repo().join("data/sources.toml"));
    assert!(seeds.len() > 20, "{} seeds", seeds.len());
    for f in &seeds {
        let data = std::fs::read(f).unwrap();
        for target in TARGETS {
            // Sentences for the recognizers: each line on its own.
            if matches!(*target, "dates" | "quantities") {
                for line in data.split(|&b| b == b'\n').take(2000) {
                    run(target, line);
                }
            } else {
                run(target, &data);
            }
        }
    }
}
