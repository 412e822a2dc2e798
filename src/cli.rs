//! The command line: clap types (their doc comments are the help) and the
//! dispatch from parsed arguments to the library. This is the binary's edge:
//! errors get their context here.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::build;
use crate::describe;
use crate::eval;
use crate::export::{self, ExportFormat};
use crate::query::{self, OutputFormat};
use crate::rdf::emit::{Base, DEFAULT_BASE};
use crate::stats;
use crate::store::{self, DEFAULT_STORE};

/// jinsong: encyclopedia-style sources about a historical conflict → a
/// linked-data knowledge graph in an embedded Oxigraph store.
#[derive(Debug, Parser)]
#[command(name = "jinsong", version, propagate_version = true)]
pub struct Cli {
    /// The store directory (an Oxigraph RocksDB store).
    #[arg(long, global = true, env = "JINSONG_STORE", default_value = DEFAULT_STORE, value_name = "DIR")]
    pub store: PathBuf,

    /// Base IRI of resources (`<BASE>resource/`) and graphs (`<BASE>graph/`).
    #[arg(long, global = true, env = "JINSONG_BASE_IRI", default_value = DEFAULT_BASE, value_name = "IRI")]
    pub base_iri: String,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the knowledge graph from sources into a new store.
    ///
    /// Reads the bundled sources (data/sources.toml) when no PATH is given.
    /// A PATH is a manifest (.toml), a directory (its sources.toml, or every
    /// .txt/.md file in it, format detected from the content) or a file.
    /// The store is replaced only when everything succeeded.
    Build(BuildArgs),
    /// Run a SPARQL query: a named query (`timeline`), a .rq file, SPARQL text, or `-` for stdin.
    Query(QueryArgs),
    /// Export the store, or one graph of it, as RDF.
    Export(ExportArgs),
    /// Print a resource as DBpedia's page does (a label, an alias or an IRI).
    Describe(DescribeArgs),
    /// Count resources per class, quads per graph, and what each source states.
    Stats,
    /// Measure the graph against a gold standard (events.tsv, entities.tsv).
    Evaluate(EvaluateArgs),
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Manifests, directories or files to read (default: the bundled sources).
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// A named query, a .rq file, SPARQL text, or `-` to read stdin.
    #[arg(required_unless_present = "list")]
    pub query: Option<String>,
    /// Output format: table (default), csv, tsv, json, xml; ttl (default), nt, nq for graphs.
    #[arg(long, short = 'f')]
    pub format: Option<OutputFormat>,
    /// Fill a variable of the query: NAME=VALUE (`<IRI>`, `"literal"@en`, a number or plain text).
    #[arg(long = "bind", short = 'b', value_name = "NAME=VALUE")]
    pub binds: Vec<String>,
    /// List the named queries.
    #[arg(long)]
    pub list: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Format: ttl (default), nt, nq, trig.
    #[arg(long, short = 'f', default_value = "ttl")]
    pub format: ExportFormat,
    /// Only this graph: a source id (`wikitext103`), `ontology`, `derived`, or a graph IRI.
    #[arg(long, short = 'g')]
    pub graph: Option<String>,
    /// Write to FILE instead of stdout (replaced only when complete).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// A label ("Battle of Caishi"), an alias ("Lin'an"), a `jsr:` name or an IRI.
    pub name: String,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Directory with events.tsv and entities.tsv, or a .toml file of `[[event]]` and `[[entity]]` tables.
    #[arg(default_value = "tests/gold")]
    pub gold: PathBuf,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let base = Base::new(&cli.base_iri)?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match cli.command {
        Command::Build(args) => {
            let started = Instant::now();
            let existed = cli.store.exists();
            let summary = build::build(&args.paths, &base, &cli.store).with_context(|| {
                if existed {
                    format!(
                        "build failed; the store at {} is unchanged",
                        cli.store.display()
                    )
                } else {
                    format!("build failed; no store written at {}", cli.store.display())
                }
            })?;
            print_summary(&mut out, &summary, &cli.store, started.elapsed())?;
        }
        Command::Query(args) => {
            if args.list {
                let rows: Vec<Vec<String>> = query::named_queries()
                    .into_iter()
                    .map(|q| vec![q.name.to_owned(), q.title, q.params.join("; ")])
                    .collect();
                query::write_table(
                    &mut out,
                    &["name".into(), "title".into(), "parameters".into()],
                    &rows,
                )?;
                out.flush()?;
                return Ok(());
            }
            let arg = args.query.as_deref().unwrap_or_default();
            let q = query::resolve_query(arg, || {
                let mut s = String::new();
                io::stdin().read_to_string(&mut s)?;
                Ok(s)
            })?;
            let binds = args
                .binds
                .iter()
                .map(|b| query::parse_binding(b))
                .collect::<Result<Vec<_>, _>>()?;
            // Check the query before opening the store: a syntax error is reported as such.
            let _checked = query::prepare(&q, &binds, &base)?;
            let store = store::open_read_only(&cli.store)?;
            query::run(&store, &q, &binds, args.format, &base, &mut out)?;
        }
        Command::Export(args) => {
            let store = store::open_read_only(&cli.store)?;
            let graph = args
                .graph
                .as_deref()
                .map(|g| export::graph_iri(g, &base))
                .transpose()?;
            match &args.output {
                Some(path) => {
                    export::export_to_file(&store, graph.as_ref(), args.format.0, &base, path)
                        .with_context(|| format!("export to {} failed", path.display()))?
                }
                None => export::export(&store, graph.as_ref(), args.format.0, &base, &mut out)?,
            }
        }
        Command::Describe(args) => {
            let store = store::open_read_only(&cli.store)?;
            let iri = describe::find(&store, &args.name, &base)?;
            describe::describe(&store, &iri, &base, &mut out)?;
        }
        Command::Stats => {
            let store = store::open_read_only(&cli.store)?;
            let st = stats::compute(&store, &base)?;
            stats::print(&st, &base, &mut out)?;
        }
        Command::Evaluate(args) => {
            let store = store::open_read_only(&cli.store)?;
            let gold = eval::Gold::read(&args.gold)?;
            let report = eval::evaluate(&store, &gold)?;
            write!(out, "{report}")?;
        }
    }
    out.flush()?;
    Ok(())
}

fn print_summary(
    out: &mut dyn Write,
    s: &build::Summary,
    store: &std::path::Path,
    elapsed: std::time::Duration,
) -> Result<()> {
    writeln!(
        out,
        "Built {} from {} source{} in {:.2?}",
        store.display(),
        s.sources.len(),
        if s.sources.len() == 1 { "" } else { "s" },
        elapsed
    )?;
    for (id, format, bytes, path) in &s.sources {
        writeln!(
            out,
            "  {id:<14} {format:<13} {bytes:>8} bytes  {}",
            path.display()
        )?;
    }
    let ent: Vec<String> = s.entities.iter().map(|(c, n)| format!("{n} {c}")).collect();
    let ev: Vec<String> = s.events.iter().map(|(c, n)| format!("{n} {c}")).collect();
    writeln!(
        out,
        "Entities: {} ({})",
        s.entities.values().sum::<usize>(),
        ent.join(", ")
    )?;
    writeln!(
        out,
        "Events:   {} ({})",
        s.events.values().sum::<usize>(),
        ev.join(", ")
    )?;
    writeln!(out, "Facts:    {} (triples about resources)", s.facts)?;
    writeln!(
        out,
        "Quads:    {} in {} graphs (+ {} triples in the default graph, their merge)",
        s.quads, s.graphs, s.merged
    )?;
    let t: Vec<String> = s
        .timings
        .iter()
        .map(|(n, d)| format!("{n} {:.0?}", d))
        .collect();
    writeln!(out, "Time:     {}", t.join(", "))?;
    Ok(())
}

/// The error and its causes, joined by ": ", leaving out a cause whose text
/// the message before it already ends with ("cannot read: No such file").
pub fn error_message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.ends_with(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// Whether an error (or its cause) is a closed pipe: `jinsong export | head` is not a failure.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            || c.to_string().contains("Broken pipe")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn causes_already_in_the_message_are_said_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e = anyhow::Error::new(crate::sources::SourceError::Io {
            path: "a.txt".into(),
            source: io,
        })
        .context("build failed");
        assert_eq!(
            error_message(&e),
            "build failed: a.txt: cannot read: no such file"
        );
    }
}
