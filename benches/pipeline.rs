//! Benchmarks of the main job: the build of the bundled sources (in memory,
//! and into a store), and the extractor alone over a large text (the
//! WikiText-103 article repeated to `JINSONG_BENCH_MB` megabytes, 50 by
//! default), reported as throughput.

use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jinsong::build::{build, build_graph, build_with, read_sources};
use jinsong::rdf::emit::Base;
use jinsong::sources::{Format, SourceMeta, parse_text};

fn bundled(c: &mut Criterion) {
    let base = Base::default();
    let docs = read_sources(&[]).expect("the bundled sources");
    let bytes: usize = docs.iter().map(|d| d.original.len()).sum();
    let mut g = c.benchmark_group("bundled");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(20);
    g.bench_function("read+map+reduce", |b| {
        b.iter(|| {
            let docs = read_sources(&[]).expect("sources");
            build_graph(docs, &base).quads.len()
        })
    });
    g.sample_size(10);
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = dir.path().join("store");
    // `--full`: every iteration maps, reduces and loads anew.
    g.bench_function("whole build into a store", |b| {
        b.iter(|| {
            build_with(&[], &base, &store, None, None, true)
                .expect("a build")
                .quads
        })
    });
    // What a build does when no source changed: hash them, find it up to date.
    g.bench_function("build, nothing changed", |b| {
        b.iter(|| {
            let s = build(&[], &base, &store, None, None).expect("a build");
            assert!(s.up_to_date);
            s.sources.len()
        })
    });
    g.finish();
}

fn large_text(c: &mut Criterion) {
    let mb: usize = std::env::var("JINSONG_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let one = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/sources/003_37bbb4ec0184a137.txt"
    ))
    .expect("the WikiText-103 article");
    let copies = (mb * 1_000_000).div_ceil(one.len() + 2);
    let mut text = String::with_capacity(copies * (one.len() + 2));
    for _ in 0..copies {
        text.push_str(&one);
        text.push_str("\n\n");
    }
    let meta = SourceMeta {
        id: "large".into(),
        path: PathBuf::from("large.txt"),
        format: Some(Format::WikiText103),
        title: None,
        origin: None,
        licence: None,
    };
    let doc = parse_text(meta.clone(), text.clone(), String::new());
    let mut g = c.benchmark_group(format!("wikitext103 x{copies} ({mb} MB)"));
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(10);
    g.bench_function("read (detokenize, sections, offsets)", |b| {
        b.iter(|| {
            parse_text(meta.clone(), text.clone(), String::new())
                .text
                .len()
        })
    });
    g.bench_function("extract", |b| {
        b.iter(|| jinsong::extract::extract_all(std::slice::from_ref(&doc)).len())
    });
    g.finish();
}

criterion_group!(benches, bundled, large_text);
criterion_main!(benches);
