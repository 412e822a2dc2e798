//! The offline DBpedia index at scale: builds the index of a synthetic
//! DBpedia labels file (2 million lines by default, in DBpedia's N-Triples
//! dump format) and prints the build time, the peak memory of the process,
//! the index size, and the median time of a label lookup.
//!
//! `cargo bench --bench link_index` (JINSONG_BENCH_LINES=N for another size).

use std::io::{BufWriter, Write};
use std::time::{Duration, Instant};

use jinsong::link::Lookup;
use jinsong::link::index::Index;
use jinsong::link::normalize;

/// A reproducible xorshift generator: the same names every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const SYLLABLES: &[&str] = &[
    "an", "ba", "chen", "da", "fei", "gao", "han", "jin", "kai", "lin", "ming", "ning", "ou",
    "ping", "qin", "ren", "song", "tang", "wu", "xia", "yang", "zhao", "zhou", "liu", "huai",
    "jiang",
];
const HEADS: &[&str] = &[
    "",
    "",
    "",
    "Battle of ",
    "Siege of ",
    "Treaty of ",
    "",
    "River ",
];
const TAILS: &[&str] = &[
    "",
    "",
    "",
    " dynasty",
    " Province",
    " (general)",
    " County",
    "",
];

fn name(rng: &mut Rng, i: u64) -> String {
    let mut words = Vec::new();
    for _ in 0..(1 + rng.next() % 3) {
        let mut w = String::new();
        for _ in 0..(1 + rng.next() % 2) {
            w.push_str(rng.pick(SYLLABLES));
        }
        let mut c = w.chars();
        let first = c
            .next()
            .map(|f| f.to_uppercase().collect::<String>())
            .unwrap_or_default();
        words.push(format!("{first}{}", c.as_str()));
    }
    // The number keeps names distinct, as titles are.
    format!(
        "{}{} {i}{}",
        rng.pick(HEADS),
        words.join(" "),
        rng.pick(TAILS)
    )
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn main() {
    let lines: u64 = std::env::var("JINSONG_BENCH_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000_000);
    let dir = tempfile::tempdir().expect("a temp dir");
    let dump = dir.path().join("labels_en.nt");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut labels = Vec::new();
    {
        let mut w = BufWriter::new(std::fs::File::create(&dump).expect("the dump"));
        for i in 0..lines {
            let label = name(&mut rng, i);
            let iri = label.replace(' ', "_");
            writeln!(
                w,
                "<http://dbpedia.org/resource/{iri}> <http://www.w3.org/2000/01/rdf-schema#label> \"{label}\"@en ."
            )
            .expect("written");
            if i % 2000 == 0 {
                labels.push(label);
            }
        }
        w.flush().expect("written");
    }
    let bytes = std::fs::metadata(&dump).map(|m| m.len()).unwrap_or(0);
    let rss_before = peak_rss_mib();

    let t = Instant::now();
    let index = Index::open(dir.path()).expect("the index builds");
    let build = t.elapsed();
    let rss = peak_rss_mib();
    let size = dir_size(index.dir());

    // Lookups: batches of the sampled labels; the median batch, per lookup.
    let keys: Vec<String> = labels.iter().map(|l| normalize::normalize(l).key).collect();
    let mut found = 0;
    let mut per_lookup: Vec<Duration> = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        for k in &keys {
            found += index.by_key(k).expect("a lookup").len();
        }
        per_lookup.push(t.elapsed() / keys.len().max(1) as u32);
    }
    per_lookup.sort();
    let misses: Vec<String> = keys.iter().map(|k| format!("{k} zz")).collect();
    let t = Instant::now();
    for k in &misses {
        assert!(index.by_key(k).expect("a lookup").is_empty());
    }
    let miss = t.elapsed() / misses.len().max(1) as u32;
    assert!(found >= keys.len() * 21, "every sampled label is found");

    println!(
        "link_index: synthetic DBpedia labels file, {lines} lines, {:.1} MiB",
        bytes as f64 / (1 << 20) as f64
    );
    println!(
        "  index build        {:.2?} ({:.0} lines/s)",
        build,
        lines as f64 / build.as_secs_f64()
    );
    println!("  peak RSS           {rss:.0} MiB (before the build: {rss_before:.0} MiB)");
    println!(
        "  index on disk      {:.1} MiB ({} resources, {} label keys)",
        size as f64 / (1 << 20) as f64,
        index.stats.resources,
        index.stats.labels
    );
    println!(
        "  lookup (hit)       median {:.2} µs over 21 runs of {} labels",
        per_lookup[per_lookup.len() / 2].as_secs_f64() * 1e6,
        keys.len()
    );
    println!("  lookup (miss)      {:.2} µs", miss.as_secs_f64() * 1e6);
}
