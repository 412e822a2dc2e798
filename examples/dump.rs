//! What the extractor found in each source, for debugging its rules.
//!
//! `cargo run --release --example dump [SOURCE_ID]` prints the events of every
//! bundled source (or of one). Environment: `FILES=a.txt,b.txt` reads those
//! files instead of the manifest; `VOTES=key,…` prints the class votes of
//! names; `TIMES=needle` prints the dates and names of sentences containing
//! the needle; `ENT=1` also prints entities.

use jinsong::sources::{self, Manifest};
use std::path::Path;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let metas = match std::env::var("FILES") {
        Ok(f) => sources::collect(
            &f.split(',')
                .map(std::path::PathBuf::from)
                .collect::<Vec<_>>(),
        )?,
        Err(_) => Manifest::load(Path::new("data/sources.toml"))?.sources,
    };
    let docs = metas
        .iter()
        .map(sources::read)
        .collect::<std::result::Result<Vec<_>, _>>()?;
    // As the map step does it: each document on its own.
    let ex: Vec<_> = docs
        .iter()
        .flat_map(|d| jinsong::extract::extract_all(std::slice::from_ref(d)))
        .collect();
    if let Ok(keys) = std::env::var("VOTES") {
        for d in &docs {
            let sc = [jinsong::extract::scan(d)];
            let t = jinsong::extract::NameTable::build(&sc);
            for k in keys.split(',') {
                println!(
                    "VOTES {} {k}: {:?} class={:?} alias={:?}",
                    d.meta.id,
                    t.votes(k),
                    t.class_of_key(k),
                    t.polity_alias(k)
                );
            }
        }
        return Ok(());
    }
    let only = std::env::args().nth(1);
    if let Ok(needle) = std::env::var("TIMES") {
        for d in &docs {
            let sc = jinsong::extract::scan(d);
            for s in &sc.sentences {
                let text = &d.text[s.span.clone()];
                if text.contains(&needle) {
                    println!("{text}");
                    for t in &s.times {
                        println!(
                            "   {:?} {:?} {:?} paren={} rel={} b={:?}",
                            t.kind, t.start, t.end, t.parenthetical, t.relative, t.boundary
                        );
                    }
                    for n in &s.names {
                        println!("   name {:?} {:?}", n.text, n.votes);
                    }
                }
            }
        }
        return Ok(());
    }
    for (d, x) in docs.iter().zip(&ex) {
        if only.as_deref().is_some_and(|o| o != x.source) {
            continue;
        }
        println!(
            "=== {} ({} entities, {} events)",
            x.source,
            x.entities().len(),
            x.events.len()
        );
        for e in &x.events {
            println!(
                "  {:?} name={:?} ord={:?} start={:?}({:?}) end={:?} dt={:?} place={:?} att={:?} tgt={:?} bel={:?} cmd={:?} victor={:?} dur={:?} parties={:?} boundary={:?} ind={:?} partof={:?} subj={}",
                e.class,
                e.name,
                e.ordinal,
                e.start.map(|d| d.to_string()),
                e.start_source,
                e.end.map(|d| d.to_string()),
                e.date_text,
                e.place,
                e.attackers,
                e.targets,
                e.belligerents,
                e.commanders,
                e.victor,
                e.duration,
                e.parties,
                e.boundary,
                e.indemnities
                    .iter()
                    .map(|i| format!("{} {} {:?} {:?}", i.amount, i.unit, i.commodity, i.period))
                    .collect::<Vec<_>>(),
                e.part_of,
                e.subject
            );
            for ev in &e.evidence {
                println!("      | {}", &d.text[ev.clone()]);
            }
        }
        if std::env::var("ENT").is_ok() {
            for e in x.entities() {
                println!("  {:?} {:?} {:?}", e.class, e.key, e.facts);
            }
        }
    }
    Ok(())
}
