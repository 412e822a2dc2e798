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
use crate::link;
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
    /// The map step alone: each source's graph as N-Quads, without a store.
    ///
    /// A pure function of each file (IRIs are minted from names), so shards
    /// made on many machines, given to `jinsong build` together, end in the
    /// same graph as one build of all the sources.
    Extract(ExtractArgs),
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
    /// Link the store's entities to DBpedia (owl:sameAs, with evidence) in graph/links/dbpedia.
    ///
    /// Offline by default, from DBpedia dump files (data/dbpedia, or
    /// --dbpedia-index DIR); online with --endpoint URL. The previous links
    /// stay when anything fails.
    Link(LinkArgs),
    /// Serve the store over HTTP: a SPARQL endpoint, linked-data pages, a timeline.
    ///
    /// /sparql (SPARQL 1.1 Protocol), /resource/X (303 to /page/X or
    /// /data/X.ttl), /page/X, /data/X.{ttl,nt,jsonld,rdf,nq}, /, /timeline,
    /// /query. Ctrl-C or SIGTERM stops it after in-flight requests finish.
    Serve(ServeArgs),
    /// Check the store against SHACL shapes (the data contract: ontology/shapes.ttl) and print the report.
    ///
    /// Each named graph is validated on its own, with the ontology. The exit
    /// status is 1 when there is a violation; warnings do not change it.
    Validate(ValidateArgs),
    /// Send the store's named graphs to a SPARQL 1.1 store (Graph Store protocol) and check the counts there.
    ///
    /// Each graph is replaced with PUT (and the rest of a large graph added
    /// with POST), so a second push never duplicates; afterwards a COUNT per
    /// graph at --endpoint must equal the store's. For Virtuoso:
    /// --endpoint http://HOST:8890/sparql --graph-store
    /// http://HOST:8890/sparql-graph-crud-auth --user dba --password P.
    Push(PushArgs),
}

#[derive(Debug, Args)]
pub struct PushArgs {
    /// The target's SPARQL query endpoint (the counts are checked there).
    #[arg(long, value_name = "URL")]
    pub endpoint: String,
    /// The target's Graph Store protocol URL [default: the endpoint's URL].
    #[arg(long, value_name = "URL")]
    pub graph_store: Option<String>,
    /// User name for the target (Basic or Digest authentication).
    #[arg(
        long,
        requires = "password",
        env = "JINSONG_PUSH_USER",
        value_name = "U"
    )]
    pub user: Option<String>,
    /// Password for the target.
    #[arg(
        long,
        requires = "user",
        env = "JINSONG_PUSH_PASSWORD",
        hide_env_values = true,
        value_name = "P"
    )]
    pub password: Option<String>,
    /// Push only this graph (repeatable): a source id, `ontology`, `links/dbpedia`, or a graph IRI.
    #[arg(long, short = 'g')]
    pub graph: Vec<String>,
    /// Triples per request.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub batch_size: usize,
    /// Seconds to wait for one answer.
    #[arg(long, default_value_t = 60.0, value_name = "SECONDS")]
    pub timeout: f64,
    /// Times to retry a request that failed for a transient reason (no connection, 5xx, 429).
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub retries: u32,
}

/// Formats of a validation report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// A summary per graph, one line per result.
    #[default]
    Text,
    /// A SHACL validation report (sh:ValidationReport) in Turtle, one per graph.
    Ttl,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Report format.
    #[arg(long, short = 'f', value_enum, default_value_t)]
    pub format: ReportFormat,
    /// Validate only this graph: a source id (`wikipedia`) or a graph IRI.
    #[arg(long, short = 'g')]
    pub graph: Option<String>,
    #[command(flatten)]
    pub shapes: ShapesArgs,
}

/// Which shapes a validation uses.
#[derive(Debug, Args, Clone)]
pub struct ShapesArgs {
    /// SHACL shapes in Turtle [default: the shipped ontology/shapes.ttl].
    #[arg(long, value_name = "FILE")]
    pub shapes: Option<PathBuf>,
}

impl ShapesArgs {
    fn load(&self) -> Result<crate::validate::Shapes> {
        Ok(match &self.shapes {
            Some(path) => crate::validate::Shapes::from_file(path)?,
            None => crate::validate::Shapes::contract()?,
        })
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:7878", value_name = "ADDR")]
    pub bind: String,
    /// Seconds a query may run before it is stopped (503).
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    pub timeout: f64,
    /// Most solutions or triples one query returns (the rest is cut, with X-SPARQL-MaxRows).
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub max_results: usize,
    /// Let queries call remote endpoints with SERVICE.
    #[arg(long)]
    pub allow_service: bool,
    /// Seconds a connection may stay silent (reading or writing) before it is closed.
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    pub client_timeout: f64,
    /// Turn on SPARQL Update and the Graph Store protocol's writes (needs --token).
    #[arg(long, requires = "token")]
    pub allow_update: bool,
    /// The bearer token writes must carry (Authorization: Bearer T).
    #[arg(long, env = "JINSONG_TOKEN", value_name = "T", hide_env_values = true)]
    pub token: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Manifests, directories or files to read (default: the bundled sources).
    pub paths: Vec<PathBuf>,
    /// Write the N-Quads to FILE instead of stdout (replaced only when complete).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Manifests, directories or files to read, and N-Quads shards made by
    /// `jinsong extract` (.nq) (default: the bundled sources).
    pub paths: Vec<PathBuf>,
    /// Build without linking to DBpedia.
    #[arg(long)]
    pub no_link: bool,
    /// Extract every source and load a new store, reusing nothing of the
    /// previous build (by default, only sources whose bytes changed are
    /// extracted again, and only their graphs replaced).
    #[arg(long)]
    pub full: bool,
    /// Keep the new store even when it violates its SHACL shapes.
    #[arg(long, conflicts_with = "shapes")]
    pub no_validate: bool,
    #[command(flatten)]
    pub shapes: ShapesArgs,
    #[command(flatten)]
    pub link: LinkSourceArgs,
}

/// Where link candidates come from, and how sure a link must be.
#[derive(Debug, Args, Clone)]
pub struct LinkSourceArgs {
    /// DBpedia dump files (N-Triples or Turtle, .bz2 too) or an index built from them [default: data/dbpedia].
    #[arg(long, value_name = "DIR", env = "JINSONG_DBPEDIA_INDEX")]
    pub dbpedia_index: Option<PathBuf>,
    /// Ask this SPARQL endpoint for candidates instead of the index (DBpedia's is `https://dbpedia.org/sparql`).
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// The lowest score a link may have (0 to 1).
    #[arg(long, default_value_t = link::DEFAULT_THRESHOLD, value_name = "SCORE")]
    pub threshold: f64,
    /// Endpoint: seconds to wait for an answer.
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    pub timeout: f64,
    /// Endpoint: at most this many requests per second.
    #[arg(long, default_value_t = 4.0, value_name = "N")]
    pub rate: f64,
    /// Endpoint: rows per page (lowered to the server's cap when it has one).
    #[arg(long, default_value_t = 1000, value_name = "ROWS")]
    pub page_size: usize,
    /// Endpoint: ask again for labels the store has cached.
    #[arg(long)]
    pub refresh: bool,
}

impl LinkSourceArgs {
    fn source(&self) -> Result<(link::Source, link::Options)> {
        if !(0.0..=1.0).contains(&self.threshold) {
            anyhow::bail!("--threshold {} is not between 0 and 1", self.threshold);
        }
        let options = link::Options {
            threshold: self.threshold,
        };
        let source = match &self.endpoint {
            Some(url) => {
                let mut o = link::endpoint::EndpointOptions::new(url);
                o.timeout = seconds("--timeout", self.timeout)?;
                if !(self.rate > 0.0 && self.rate <= 100.0) {
                    anyhow::bail!(
                        "--rate {} is not between 0 (excluded) and 100 requests a second",
                        self.rate
                    );
                }
                o.rate = self.rate;
                o.page_size = self.page_size.max(1);
                link::Source::Online {
                    options: o,
                    refresh: self.refresh,
                }
            }
            None => link::Source::Offline(
                self.dbpedia_index
                    .clone()
                    .unwrap_or_else(build::bundled_dbpedia_index),
            ),
        };
        Ok((source, options))
    }
}

#[derive(Debug, Args)]
pub struct LinkArgs {
    #[command(flatten)]
    pub source: LinkSourceArgs,
    /// Then compare the links with reference links (TSV: local IRI, DBpedia IRI) and print precision, recall and F1.
    #[arg(long, value_name = "REFERENCE.tsv")]
    pub evaluate: Option<PathBuf>,
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
    /// Let SERVICE clauses call remote SPARQL endpoints (federated queries).
    #[arg(long)]
    pub allow_service: bool,
    /// Stop the query after this many seconds (it fails with a message) [default: no limit].
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// With --allow-service: seconds to wait for a remote endpoint.
    #[arg(
        long,
        default_value_t = 60.0,
        value_name = "SECONDS",
        requires = "allow_service"
    )]
    pub service_timeout: f64,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Format: ttl (default), nt, rdfxml (triples: the merge of the graphs); nq, trig, jsonld (every named graph).
    #[arg(long, short = 'f', default_value = "ttl")]
    pub format: ExportFormat,
    /// Write canonical N-Quads (RDFC-1.0) and print their SHA-256: the same bytes for the same graph.
    ///
    /// The hash goes to stderr when the N-Quads go to stdout, and to stdout
    /// (`HASH  FILE`, as sha256sum writes it) with --output.
    #[arg(long, conflicts_with = "format")]
    pub canonical: bool,
    /// Only this graph: a source id (`wikitext103`), `ontology`, `derived`, or a graph IRI.
    #[arg(long, short = 'g')]
    pub graph: Option<String>,
    /// Write to FILE instead of stdout (replaced only when complete).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write the SVG timeline of the dated events to FILE instead of RDF.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["graph", "output"])]
    pub timeline: Option<PathBuf>,
    /// Vocabulary: jinsong's own, or DBpedia's (dbr: for linked resources, dbo:/dbp: terms).
    #[arg(long, value_enum, default_value_t = export::Vocab::Jinsong)]
    pub vocab: export::Vocab,
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
            let linking = if args.no_link {
                None
            } else {
                Some(args.link.source()?)
            };
            // An installed binary run outside the source tree has no bundled
            // index: it builds without links and says so, unless told where.
            let mut no_link_note = None;
            let linking = match linking {
                Some((link::Source::Offline(dir), _))
                    if args.link.dbpedia_index.is_none() && !dir.is_dir() =>
                {
                    no_link_note = Some(format!(
                        "no DBpedia index at {}; pass --dbpedia-index DIR or --endpoint URL",
                        dir.display()
                    ));
                    None
                }
                other => other,
            };
            let linking_ref = linking.as_ref().map(|(s, o)| (s, o));
            let shapes = if args.no_validate {
                None
            } else {
                Some(args.shapes.load()?)
            };
            let summary = build::build_with(
                &args.paths,
                &base,
                &cli.store,
                linking_ref,
                shapes.as_ref(),
                args.full,
            )
            .with_context(|| {
                if existed {
                    format!(
                        "build failed; the store at {} is unchanged",
                        cli.store.display()
                    )
                } else {
                    format!("build failed; no store written at {}", cli.store.display())
                }
            })?;
            let mut summary = summary;
            summary.no_link_note = no_link_note;
            print_summary(&mut out, &summary, &cli.store, started.elapsed())?;
        }
        Command::Extract(args) => {
            let started = Instant::now();
            let summary = match &args.output {
                None => {
                    let s = build::extract_to(&args.paths, &base, &mut out)
                        .context("extract failed")?;
                    out.flush()
                        .context("extract failed: cannot write the output")?;
                    s
                }
                Some(path) => extract_to_file(&args.paths, &base, path)
                    .with_context(|| format!("extract failed; {} is unchanged", path.display()))?,
            };
            eprintln!(
                "Extracted {} source{} ({} bytes) to {} quads in {:.2?}",
                summary.sources,
                if summary.sources == 1 { "" } else { "s" },
                summary.bytes,
                summary.quads,
                started.elapsed()
            );
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
            let services = if args.allow_service {
                query::Services::Allowed(seconds("--service-timeout", args.service_timeout)?)
            } else {
                query::Services::Refused
            };
            let _checked = query::prepare(&q, &binds, &base, services)?;
            let store = store::open_read_only(&cli.store)?;
            match args.timeout {
                Some(t) => query::run_with_timeout(
                    &store,
                    &q,
                    &binds,
                    args.format,
                    &base,
                    services,
                    seconds("--timeout", t)?,
                    &mut out,
                )?,
                None => query::run(&store, &q, &binds, args.format, &base, services, &mut out)?,
            }
        }
        Command::Export(args) => {
            let store = store::open_read_only(&cli.store)?;
            if let Some(path) = &args.timeline {
                let svg = crate::serve::timeline_svg(&store, &base)
                    .map_err(anyhow::Error::msg)
                    .context("cannot draw the timeline")?;
                std::fs::write(path, svg)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                return Ok(());
            }
            let graph = args
                .graph
                .as_deref()
                .map(|g| export::graph_iri(g, &base))
                .transpose()?;
            let format = args.format;
            match (&args.output, args.canonical) {
                (Some(path), false) => {
                    export::export_to_file(&store, graph.as_ref(), format, &base, args.vocab, path)
                        .with_context(|| format!("export to {} failed", path.display()))?
                }
                (None, false) => {
                    export::export(&store, graph.as_ref(), format, &base, args.vocab, &mut out)?
                }
                (Some(path), true) => {
                    let hash = export::write_file(path, |w| {
                        export::canonical(&store, graph.as_ref(), &base, args.vocab, w)
                    })
                    .with_context(|| format!("export to {} failed", path.display()))?;
                    writeln!(out, "{hash}  {}", path.display())?;
                }
                (None, true) => {
                    let hash =
                        export::canonical(&store, graph.as_ref(), &base, args.vocab, &mut out)?;
                    out.flush()?;
                    eprintln!("sha256 {hash}");
                }
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
        Command::Link(args) => {
            let (source, options) = args.source.source()?;
            let reference = args
                .evaluate
                .as_deref()
                .map(|p| link::evaluate::Reference::read(p, &base))
                .transpose()?;
            let started = Instant::now();
            let store = store::open(&cli.store)?;
            let report = link::link_store(&store, &base, &source, &options).with_context(|| {
                format!(
                    "linking failed; the links in {} are unchanged",
                    cli.store.display()
                )
            })?;
            crate::shards::CacheIndex::forget_links(&cli.store);
            print_link_report(&mut out, &report, &cli.store, started.elapsed())?;
            if let Some(reference) = reference {
                let links = link::stored_links(&store, &base)?;
                let ev = link::evaluate::evaluate(&links, &reference);
                writeln!(out)?;
                write!(
                    out,
                    "{}",
                    link::evaluate::Display {
                        report: &ev,
                        base: &base
                    }
                )?;
            }
        }
        Command::Serve(args) => {
            let services = if args.allow_service {
                query::Services::Allowed(seconds("--timeout", args.timeout)?)
            } else {
                query::Services::Refused
            };
            let store = if args.allow_update {
                store::open(&cli.store)?
            } else {
                store::open_read_only(&cli.store)?
            };
            let update_token = match (args.allow_update, args.token) {
                (true, Some(t)) if !t.trim().is_empty() => Some(t),
                (true, _) => anyhow::bail!("--allow-update needs a non-empty --token"),
                (false, _) => None,
            };
            let state = std::sync::Arc::new(crate::serve::AppState {
                store,
                path: Some(cli.store.clone()),
                base,
                opts: crate::serve::Options {
                    timeout: seconds("--timeout", args.timeout)?,
                    max_results: args.max_results.max(1),
                    services,
                    update_token,
                    idle: seconds("--client-timeout", args.client_timeout)?,
                    ..crate::serve::Options::default()
                },
            });
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("cannot start the server's runtime")?;
            let served = runtime.block_on(async {
                let listener = tokio::net::TcpListener::bind(&args.bind)
                    .await
                    .with_context(|| format!("cannot listen on {}", args.bind))?;
                let addr = listener.local_addr()?;
                println!("jinsong serves {} at http://{addr}/ (SPARQL at http://{addr}/sparql); Ctrl-C stops it", cli.store.display());
                use std::io::Write as _;
                std::io::stdout().flush()?;
                crate::serve::serve(listener, state, crate::serve::shutdown_signal()).await?;
                eprintln!("jinsong: stopped");
                Ok::<(), anyhow::Error>(())
            });
            // Every request has been answered; a query evaluation that
            // ignores its cancellation is not waited for.
            runtime.shutdown_timeout(std::time::Duration::from_secs(1));
            served?;
        }
        Command::Push(args) => {
            let mut opts = crate::push::PushOptions::new(&args.endpoint);
            if let Some(gs) = &args.graph_store {
                opts.graph_store = gs.clone();
            }
            for (flag, url) in [
                ("--endpoint", &opts.endpoint),
                ("--graph-store", &opts.graph_store),
            ] {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    anyhow::bail!("{flag} {url:?} is not an http:// or https:// URL");
                }
            }
            opts.user = args.user.clone();
            opts.password = args.password.clone();
            if args.batch_size == 0 {
                anyhow::bail!("--batch-size must be at least 1");
            }
            opts.batch = args.batch_size;
            opts.timeout = seconds("--timeout", args.timeout)?;
            opts.retries = args.retries;
            let store = store::open_read_only(&cli.store)?;
            let only = args
                .graph
                .iter()
                .map(|g| export::graph_iri(g, &base))
                .collect::<Result<Vec<_>, _>>()?;
            let graphs = crate::push::graphs_to_push(&store, &base, &only)?;
            let started = Instant::now();
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} pushing {pos}/{len} triples [{bar:30}] {elapsed}",
                )
                .map_err(anyhow::Error::msg)?
                .progress_chars("=> "),
            );
            let report = crate::push::push(&store, &graphs, &opts, &mut |sent, total| {
                bar.set_length(total as u64);
                bar.set_position(sent as u64);
            });
            bar.finish_and_clear();
            let report = report.with_context(|| {
                if args.graph_store.is_none() {
                    format!(
                        "push to {} failed (no --graph-store: the endpoint's URL was taken as the Graph Store protocol URL)",
                        opts.graph_store
                    )
                } else {
                    format!("push to {} failed", opts.graph_store)
                }
            })?;
            writeln!(
                out,
                "Pushed {} graphs ({} triples) to {} in {:.2?}: {} requests, {} retried",
                report.graphs.len(),
                report.triples(),
                opts.graph_store,
                started.elapsed(),
                report.requests,
                report.retries
            )?;
            let width = report
                .graphs
                .iter()
                .map(|g| export::graph_label(&g.0.clone().into(), &base).len() + 6)
                .max()
                .unwrap_or(0);
            for reason in &report.retry_reasons {
                writeln!(out, "  retried after: {reason}")?;
            }
            for (g, local, remote) in &report.graphs {
                let name = format!("graph/{}", export::graph_label(&g.clone().into(), &base));
                writeln!(
                    out,
                    "  {name:<width$} {local:>8} triples, {remote:>8} at the endpoint"
                )?;
            }
            writeln!(
                out,
                "Verified: each graph at {} holds as many triples as the store",
                opts.endpoint
            )?;
        }
        Command::Validate(args) => {
            let shapes = args.shapes.load()?;
            let store = store::open_read_only(&cli.store)?;
            let graph = args
                .graph
                .as_deref()
                .map(|g| export::graph_iri(g, &base))
                .transpose()?;
            let report = crate::validate::validate(&store, &base, &shapes, graph.as_ref())?;
            match args.format {
                ReportFormat::Text => crate::validate::write_text(&report, &base, &mut out)?,
                ReportFormat::Ttl => crate::validate::write_turtle(&report, &base, &mut out)?,
            }
            out.flush()?;
            let v = report.violations();
            if v > 0 {
                anyhow::bail!(
                    "the store violates its shapes: {v} violation{}",
                    if v == 1 { "" } else { "s" }
                );
            }
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

/// A positive number of seconds from an option, as a duration.
fn seconds(option: &str, value: f64) -> Result<std::time::Duration> {
    std::time::Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .with_context(|| format!("{option} {value} is not a positive number of seconds"))
}

fn print_link_report(
    out: &mut dyn Write,
    r: &link::Report,
    store: &std::path::Path,
    elapsed: std::time::Duration,
) -> Result<()> {
    let o = &r.outcome;
    writeln!(
        out,
        "Linked {} of {} entities in {} to DBpedia in {:.2?}",
        o.links.len(),
        o.entities,
        store.display(),
        elapsed
    )?;
    writeln!(out, "Candidates: {}", r.source)?;
    if let Some(t) = &r.traffic {
        writeln!(
            out,
            "Endpoint:   {} requests, {} rows, {} truncated pages asked again",
            t.requests, t.rows, t.truncated
        )?;
    }
    writeln!(
        out,
        "Left out:   {} under the threshold, {} claims of a resource another entity holds",
        o.below_threshold, o.one_to_one_dropped
    )?;
    writeln!(
        out,
        "Written:    {} quads in graph/{}",
        r.quads,
        link::LINKS_GRAPH
    )?;
    for n in &r.notes {
        writeln!(out, "Note:       {n}")?;
    }
    Ok(())
}

/// `jinsong extract -o FILE`: a temporary file beside FILE, renamed over it
/// only when every source was extracted.
fn extract_to_file(
    paths: &[PathBuf],
    base: &crate::rdf::emit::Base,
    path: &std::path::Path,
) -> Result<build::ExtractSummary> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write {}", path.display()))?;
    let summary = {
        let mut w = io::BufWriter::new(tmp.as_file_mut());
        let s = build::extract_to(paths, base, &mut w)?;
        w.flush()
            .with_context(|| format!("cannot write {}", path.display()))?;
        s
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = std::fs::metadata(path)
            .map(|m| m.permissions())
            .unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644));
        tmp.as_file()
            .set_permissions(perms)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(summary)
}

fn print_summary(
    out: &mut dyn Write,
    s: &build::Summary,
    store: &std::path::Path,
    elapsed: std::time::Duration,
) -> Result<()> {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if s.up_to_date {
        writeln!(
            out,
            "{} is up to date: {} source{} unchanged, nothing extracted ({:.2?})",
            store.display(),
            s.sources.len(),
            plural(s.sources.len()),
            elapsed
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "{} {} from {} source{} in {:.2?}",
        if s.incremental.as_ref().is_some_and(|i| i.in_place) {
            "Updated"
        } else {
            "Built"
        },
        store.display(),
        s.sources.len(),
        plural(s.sources.len()),
        elapsed
    )?;
    if let Some(i) = &s.incremental {
        let list = |v: &[String]| {
            if v.len() <= 5 {
                v.join(", ")
            } else {
                format!("{}, … ({} more)", v[..5].join(", "), v.len() - 5)
            }
        };
        // " (a, b)" after a count, nothing when there is none.
        let named = |v: &[String]| {
            if v.is_empty() {
                String::new()
            } else {
                format!(" ({})", list(v))
            }
        };
        let mut line = format!(
            "Changes:  {} source{} extracted{}, {} unchanged (not extracted)",
            i.extracted.len(),
            plural(i.extracted.len()),
            named(&i.extracted),
            i.reused
        );
        if i.in_place {
            line.push_str(&format!(
                "; replaced {} graph{}{}",
                i.replaced.len(),
                plural(i.replaced.len()),
                named(&i.replaced)
            ));
        } else {
            line.push_str("; loaded anew (many graphs changed)");
        }
        if !i.removed.is_empty() {
            line.push_str(&format!("; removed {}", list(&i.removed)));
        }
        writeln!(out, "{line}")?;
    }
    // A corpus of many sources is said in one line per format.
    if s.sources.len() > 20 {
        let mut formats: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
        for r in &s.sources {
            let e = formats.entry(r.format.as_str()).or_default();
            e.0 += 1;
            e.1 += r.bytes.unwrap_or(0);
        }
        for (f, (n, bytes)) in formats {
            writeln!(
                out,
                "  {f:<13} {n:>7} source{} {bytes:>12} bytes",
                plural(n)
            )?;
        }
    }
    for r in s.sources.iter().filter(|_| s.sources.len() <= 20) {
        match r.bytes {
            Some(bytes) if !r.from_shard => writeln!(
                out,
                "  {:<14} {:<13} {bytes:>8} bytes  {}",
                r.id,
                r.format,
                r.path.display()
            )?,
            _ => writeln!(
                out,
                "  {:<14} {:<13} {:>14}  {}",
                r.id,
                r.format,
                "from shard",
                r.path.display()
            )?,
        }
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
        .map(|(n, d)| format!("{n} {:.2?}", d))
        .collect();
    if let Some(l) = &s.link {
        writeln!(
            out,
            "Links:    {} owl:sameAs to DBpedia, from the {}",
            l.outcome.links.len(),
            l.source
        )?;
        for n in &l.notes {
            writeln!(out, "Note:     {n}")?;
        }
    }
    if let Some(n) = &s.no_link_note {
        writeln!(out, "Links:    none ({n})")?;
    }
    if let Some(v) = &s.validation {
        writeln!(
            out,
            "Valid:    {} graphs against {} ({} violations, {} warnings)",
            v.graphs.len(),
            v.shapes,
            v.violations(),
            v.count(crate::validate::Severity::Warning)
        )?;
    }
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
