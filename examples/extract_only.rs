//! The extractor alone, on one thread: `cargo run --release --example
//! extract_only -- [--runs N] PATH…` reads the sources (a manifest, a
//! directory or files; reading is not timed), then extracts each document
//! on its own, as the map step does, `N` times (3 by default), and prints
//! one JSON line: bytes, the median seconds and MB/s (10^6 bytes).
//! `benches/scale.py` runs it beside spaCy. With `--as-one`, the sources
//! (all of the first one's format) are read as one document, their files
//! one after the other: how the extractor scales within a document.

use std::path::PathBuf;
use std::time::Instant;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut runs = 3;
    if let Some(i) = args.iter().position(|a| a == "--runs") {
        runs = args.get(i + 1).ok_or("--runs N")?.parse()?;
        args.drain(i..i + 2);
    }
    let as_one = match args.iter().position(|a| a == "--as-one") {
        Some(i) => {
            args.remove(i);
            true
        }
        None => false,
    };
    let paths: Vec<PathBuf> = args.iter().map(PathBuf::from).collect();
    let mut docs = jinsong::build::read_sources(&paths)?;
    if as_one && !docs.is_empty() {
        let text: String = docs.iter().map(|d| format!("{}\n\n", d.original)).collect();
        let meta = docs[0].meta.clone();
        docs = vec![jinsong::sources::parse_text(meta, text, String::new())];
    }
    let bytes: usize = docs.iter().map(|d| d.original.len()).sum();
    let mut times = Vec::new();
    let mut found = 0;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        found = 0;
        for d in &docs {
            let x = jinsong::extract::extract_all(std::slice::from_ref(d));
            found += x
                .iter()
                .map(|x| x.events.len() + x.entities().len())
                .sum::<usize>();
        }
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "{{\"documents\": {}, \"bytes\": {bytes}, \"runs\": {}, \"seconds_median\": {median:.4}, \"mb_per_s\": {:.3}, \"events_and_entities\": {found}}}",
        docs.len(),
        times.len(),
        bytes as f64 / 1e6 / median
    );
    Ok(())
}
