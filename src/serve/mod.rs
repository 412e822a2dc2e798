//! `jinsong serve`: the store through DBpedia's three doors: a SPARQL 1.1
//! Protocol endpoint (`/sparql`), dereferenceable resource IRIs
//! (`/resource/X` → 303 → `/page/X` or `/data/X.ttl`), and human pages
//! (`/page/X`, `/`, `/timeline`, `/query`).
//!
//! Queries run on blocking threads with a time-out (a cancellation token
//! stops the evaluation) and a cap on the rows or triples returned; bodies
//! are capped; SERVICE is refused unless allowed. No path from a request
//! reaches the filesystem: resources are looked up in the store only.

mod html;
mod timeline;
mod update;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode, Quad, Triple};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{CancellationToken, QueryResults};
use oxigraph::store::Store;

use crate::query::{self, QueryText, Services};
use crate::rdf::emit::Base;

pub use timeline::timeline_svg;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Options {
    pub timeout: Duration,
    /// Most solutions or triples one query returns.
    pub max_results: usize,
    /// Largest request body, in bytes.
    pub max_body: usize,
    pub services: Services,
    /// The bearer token that allows SPARQL Update and Graph Store writes;
    /// None: writing is off.
    pub update_token: Option<String>,
    /// A connection that sends or takes nothing for this long is closed,
    /// so a slow client cannot hold it open.
    pub idle: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(10),
            max_results: 10_000,
            max_body: 1 << 20,
            services: Services::Refused,
            update_token: None,
            idle: Duration::from_secs(30),
        }
    }
}

/// What every handler shares.
pub struct AppState {
    pub store: Store,
    pub base: Base,
    pub opts: Options,
    /// The store's directory, whose map cache a write makes stale.
    pub path: Option<std::path::PathBuf>,
}

type Shared = State<Arc<AppState>>;

/// The routes over a store.
pub fn router(state: Arc<AppState>) -> Router {
    let limit = state.opts.max_body;
    Router::new()
        .route("/", get(html::index))
        .route("/sparql", get(sparql_get).post(sparql_post))
        .route("/resource/{*name}", get(resource))
        .route("/page/{*name}", get(html::page))
        .route("/data/{*file}", get(data))
        .route("/timeline", get(timeline::handler))
        .route("/timeline.svg", get(timeline::svg))
        .route("/query", get(html::query_form))
        .route(
            "/rdf-graphs",
            get(update::gsp_get)
                .put(update::gsp_put)
                .post(update::gsp_post)
                .delete(update::gsp_delete),
        )
        .fallback(html::not_found)
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

/// A listener whose connections time out when idle (reading or writing).
struct Guarded {
    inner: tokio::net::TcpListener,
    idle: Duration,
}

impl axum::serve::Listener for Guarded {
    type Io = std::pin::Pin<Box<tokio_io_timeout::TimeoutStream<tokio::net::TcpStream>>>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    let mut s = tokio_io_timeout::TimeoutStream::new(stream);
                    s.set_read_timeout(Some(self.idle));
                    s.set_write_timeout(Some(self.idle));
                    return (Box::pin(s), addr);
                }
                // Out of file descriptors and the like: wait, then go on.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// Serves until `shutdown` resolves; in-flight requests finish first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let idle = state.opts.idle;
    let app = router(state);
    let listener = Guarded {
        inner: listener,
        idle,
    };
    axum::serve(listener, app.into_make_service())
        .with_graceful_shutdown(shutdown)
        .await
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

fn text(status: StatusCode, message: impl Into<String>) -> Response {
    let mut body = message.into();
    body.push('\n');
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

/// The parameters of a protocol request.
#[derive(Debug, Default)]
struct Params {
    query: Option<String>,
    default_graphs: Vec<String>,
    named_graphs: Vec<String>,
    format: Option<String>,
    update: Option<String>,
}

fn params(pairs: &[u8], into: &mut Params) {
    for (k, v) in form_urlencoded::parse(pairs) {
        match k.as_ref() {
            "query" => into.query = Some(v.into_owned()),
            "default-graph-uri" => into.default_graphs.push(v.into_owned()),
            "named-graph-uri" => into.named_graphs.push(v.into_owned()),
            "format" | "output" => into.format = Some(v.into_owned()),
            "update" => into.update = Some(v.into_owned()),
            _ => {}
        }
    }
}

async fn sparql_get(State(state): Shared, RawQuery(q): RawQuery, headers: HeaderMap) -> Response {
    let mut p = Params::default();
    params(q.unwrap_or_default().as_bytes(), &mut p);
    if p.query.is_none() {
        // A browser at /sparql with no query gets the form.
        if wants_html(&headers) {
            return html::query_form(State(state), RawQuery(None)).await;
        }
        return text(StatusCode::BAD_REQUEST, "missing the query parameter");
    }
    run_protocol(state, p, &headers).await
}

async fn sparql_post(
    State(state): Shared,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut p = Params::default();
    params(q.unwrap_or_default().as_bytes(), &mut p);
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match content_type.as_str() {
        "application/x-www-form-urlencoded" => params(&body, &mut p),
        "application/sparql-query" => match String::from_utf8(body.to_vec()) {
            Ok(s) => p.query = Some(s),
            Err(_) => return text(StatusCode::BAD_REQUEST, "the query is not UTF-8"),
        },
        "application/sparql-update" => {
            return match String::from_utf8(body.to_vec()) {
                Ok(u) => update::run_update(state, &headers, u).await,
                Err(_) => text(StatusCode::BAD_REQUEST, "the update is not UTF-8"),
            };
        }
        other => {
            return text(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "unsupported Content-Type {other:?}: use application/x-www-form-urlencoded or application/sparql-query"
                ),
            );
        }
    }
    if let Some(u) = p.update.take() {
        return update::run_update(state, &headers, u).await;
    }
    if p.query.is_none() {
        return text(StatusCode::BAD_REQUEST, "missing the query parameter");
    }
    run_protocol(state, p, &headers).await
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"))
}

/// The media types a client accepts, best first (q-values honoured).
fn accepted(headers: &HeaderMap) -> Vec<String> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Vec::new();
    };
    let mut items: Vec<(f32, usize, String)> = accept
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut bits = part.split(';');
            let media = bits.next()?.trim().to_ascii_lowercase();
            let mut q = 1.0;
            for b in bits {
                if let Some(v) = b.trim().strip_prefix("q=") {
                    q = v.trim().parse().unwrap_or(0.0);
                }
            }
            (q > 0.0 && !media.is_empty()).then_some((q, i, media))
        })
        .collect();
    items.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    items.into_iter().map(|(_, _, m)| m).collect()
}

/// The result format of solutions and booleans, by `format` then Accept.
fn results_format(format: Option<&str>, headers: &HeaderMap) -> Option<QueryResultsFormat> {
    if let Some(f) = format {
        return match f.to_ascii_lowercase().as_str() {
            "json" | "application/sparql-results+json" | "application/json" => {
                Some(QueryResultsFormat::Json)
            }
            "xml" | "application/sparql-results+xml" => Some(QueryResultsFormat::Xml),
            "csv" | "text/csv" => Some(QueryResultsFormat::Csv),
            "tsv" | "text/tab-separated-values" => Some(QueryResultsFormat::Tsv),
            _ => None,
        };
    }
    let accepted = accepted(headers);
    if accepted.is_empty() {
        return Some(QueryResultsFormat::Json);
    }
    for m in accepted {
        let f = match m.as_str() {
            "application/sparql-results+json" | "application/json" => QueryResultsFormat::Json,
            "application/sparql-results+xml" | "application/xml" | "text/xml" => {
                QueryResultsFormat::Xml
            }
            "text/csv" => QueryResultsFormat::Csv,
            "text/tab-separated-values" => QueryResultsFormat::Tsv,
            "*/*" | "application/*" => QueryResultsFormat::Json,
            _ => continue,
        };
        return Some(f);
    }
    None
}

/// The RDF format of a graph, by `format` (or file extension) then Accept.
fn graph_format(format: Option<&str>, headers: &HeaderMap) -> Option<RdfFormat> {
    let by_name = |f: &str| -> Option<RdfFormat> {
        Some(match f.to_ascii_lowercase().as_str() {
            "ttl" | "turtle" | "text/turtle" => RdfFormat::Turtle,
            "nt" | "ntriples" | "n-triples" | "application/n-triples" => RdfFormat::NTriples,
            "rdf" | "rdfxml" | "xml" | "application/rdf+xml" => RdfFormat::RdfXml,
            "jsonld" | "json-ld" | "json" | "application/ld+json" => RdfFormat::JsonLd {
                profile: JsonLdProfileSet::empty(),
            },
            _ => return None,
        })
    };
    if let Some(f) = format {
        return by_name(f);
    }
    let accepted = accepted(headers);
    if accepted.is_empty() {
        return Some(RdfFormat::Turtle);
    }
    for m in accepted {
        if m == "*/*" || m == "text/*" {
            return Some(RdfFormat::Turtle);
        }
        if let Some(f) = by_name(&m) {
            return Some(f);
        }
    }
    None
}

/// The outcome of a query evaluation on a blocking thread.
enum Outcome {
    Solutions(
        Vec<oxigraph::sparql::Variable>,
        Vec<oxigraph::sparql::QuerySolution>,
        bool,
    ),
    Boolean(bool),
    Graph(Vec<Triple>, bool),
}

/// Why a query gave no results.
pub(crate) enum Failed {
    /// It does not parse (or is refused, as SERVICE is).
    Syntax(String),
    /// Its evaluation failed.
    Evaluation(String),
    /// It ran past the time-out and was cancelled.
    TimedOut(Duration),
    /// The worker thread was lost.
    Crashed(String),
}

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failed::Syntax(m) | Failed::Crashed(m) => f.write_str(m),
            Failed::Evaluation(m) => write!(f, "query evaluation failed: {m}"),
            Failed::TimedOut(d) => write!(
                f,
                "the query ran longer than the server's time-out of {d:?} and was stopped"
            ),
        }
    }
}

impl Failed {
    /// The HTTP answer for the failure.
    fn response(&self) -> Response {
        let status = match self {
            Failed::Syntax(_) | Failed::Evaluation(_) => StatusCode::BAD_REQUEST,
            Failed::TimedOut(_) => StatusCode::SERVICE_UNAVAILABLE,
            Failed::Crashed(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        text(status, self.to_string())
    }
}

/// Prepares a query (the server's prefixes and SERVICE policy, a
/// cancellation token), lets `adjust` set its dataset, and runs it with
/// `work` over its results on a worker thread, cancelling it at the
/// server's time-out.
pub(crate) async fn evaluate<T: Send + 'static>(
    state: &AppState,
    origin: &str,
    text: String,
    adjust: impl FnOnce(&mut oxigraph::sparql::PreparedSparqlQuery),
    work: impl FnOnce(QueryResults<'static>) -> Result<T, String> + Send + 'static,
) -> Result<T, Failed> {
    let q = QueryText {
        origin: origin.to_owned(),
        text,
    };
    let token = CancellationToken::new();
    let mut prepared = query::prepare_cancellable(
        &q,
        &[],
        &state.base,
        state.opts.services,
        Some(token.clone()),
    )
    .map_err(|e| Failed::Syntax(e.to_string()))?;
    adjust(&mut prepared);
    let store = state.store.clone();
    let job = tokio::task::spawn_blocking(move || {
        let results = prepared
            .on_store(&store)
            .execute()
            .map_err(|e| e.to_string())?;
        work(results)
    });
    match tokio::time::timeout(state.opts.timeout, job).await {
        Err(_) => {
            token.cancel();
            Err(Failed::TimedOut(state.opts.timeout))
        }
        Ok(Err(join)) => Err(Failed::Crashed(join.to_string())),
        Ok(Ok(r)) => r.map_err(Failed::Evaluation),
    }
}

/// The IRIs of a repeated protocol parameter.
fn iris(values: &[String], param: &str) -> Result<Vec<NamedNode>, Box<Response>> {
    values
        .iter()
        .map(|g| {
            NamedNode::new(g)
                .map_err(|e| Box::new(text(StatusCode::BAD_REQUEST, format!("{param} {g:?}: {e}"))))
        })
        .collect()
}

async fn run_protocol(state: Arc<AppState>, p: Params, headers: &HeaderMap) -> Response {
    let (default, named) = match (
        iris(&p.default_graphs, "default-graph-uri"),
        iris(&p.named_graphs, "named-graph-uri"),
    ) {
        (Ok(d), Ok(n)) => (d, n),
        (Err(r), _) | (_, Err(r)) => return *r,
    };
    let cap = state.opts.max_results;
    let adjust = |prepared: &mut oxigraph::sparql::PreparedSparqlQuery| {
        if !default.is_empty() {
            prepared
                .dataset_mut()
                .set_default_graph(default.into_iter().map(GraphName::NamedNode).collect());
        }
        if !named.is_empty() {
            prepared.dataset_mut().set_available_named_graphs(
                named.into_iter().map(NamedOrBlankNode::NamedNode).collect(),
            );
        }
    };
    let work = move |results: QueryResults<'static>| -> Result<Outcome, String> {
        Ok(match results {
            QueryResults::Boolean(b) => Outcome::Boolean(b),
            QueryResults::Solutions(solutions) => {
                let vars = solutions.variables().to_vec();
                let mut rows = Vec::new();
                let mut cut = false;
                for s in solutions {
                    if rows.len() == cap {
                        cut = true;
                        break;
                    }
                    rows.push(s.map_err(|e| e.to_string())?);
                }
                Outcome::Solutions(vars, rows, cut)
            }
            QueryResults::Graph(triples) => {
                let mut out = Vec::new();
                let mut cut = false;
                for t in triples {
                    if out.len() == cap {
                        cut = true;
                        break;
                    }
                    out.push(t.map_err(|e| e.to_string())?);
                }
                Outcome::Graph(out, cut)
            }
        })
    };
    let text_of_query = p.query.clone().unwrap_or_default();
    let outcome = match evaluate(&state, "the query", text_of_query, adjust, work).await {
        Ok(o) => o,
        Err(f) => return f.response(),
    };
    let fmt = p.format.as_deref();
    let mut response = match outcome {
        Outcome::Graph(triples, cut) => {
            let Some(format) = graph_format(fmt, headers) else {
                return text(
                    StatusCode::NOT_ACCEPTABLE,
                    "no acceptable RDF format: text/turtle, application/n-triples, application/rdf+xml or application/ld+json",
                );
            };
            match serialize_triples(&triples, format, &state.base) {
                Ok(body) => capped(body_response(format.media_type(), body), cut, cap),
                Err(e) => return text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
            }
        }
        other => {
            let Some(format) = results_format(fmt, headers) else {
                return text(
                    StatusCode::NOT_ACCEPTABLE,
                    "no acceptable result format: application/sparql-results+json, application/sparql-results+xml, text/csv or text/tab-separated-values",
                );
            };
            let (body, cut) = match serialize_results(other, format) {
                Ok(b) => b,
                Err(e) => return text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
            };
            capped(body_response(format.media_type(), body), cut, cap)
        }
    };
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    response
}

/// Marks a cut answer as Virtuoso does: the row cap in `X-SPARQL-MaxRows`.
fn capped(mut r: Response, cut: bool, cap: usize) -> Response {
    if cut && let Ok(v) = HeaderValue::from_str(&cap.to_string()) {
        r.headers_mut().insert("X-SPARQL-MaxRows", v);
    }
    r
}

fn body_response(media: &str, body: Vec<u8>) -> Response {
    let media = match media {
        m if m.starts_with("text/") || m.contains("json") || m.contains("xml") => {
            format!("{m}; charset=utf-8")
        }
        m => m.to_owned(),
    };
    let mut r = body.into_response();
    if let Ok(v) = HeaderValue::from_str(&media) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r
}

fn serialize_results(o: Outcome, format: QueryResultsFormat) -> std::io::Result<(Vec<u8>, bool)> {
    let s = QueryResultsSerializer::from_format(format);
    match o {
        Outcome::Boolean(b) => Ok((s.serialize_boolean_to_writer(Vec::new(), b)?, false)),
        Outcome::Solutions(vars, rows, cut) => {
            let mut w = s.serialize_solutions_to_writer(Vec::new(), vars)?;
            for r in &rows {
                w.serialize(r)?;
            }
            Ok((w.finish()?, cut))
        }
        Outcome::Graph(..) => Err(std::io::Error::other("a graph is not a result set")),
    }
}

fn serialize_triples(
    triples: &[Triple],
    format: RdfFormat,
    base: &Base,
) -> std::io::Result<Vec<u8>> {
    let mut serializer = RdfSerializer::from_format(format);
    if matches!(format, RdfFormat::Turtle | RdfFormat::TriG) {
        for (p, ns) in base.prefixes() {
            serializer = serializer
                .with_prefix(p, ns)
                .map_err(std::io::Error::other)?;
        }
    }
    let mut w = serializer.for_writer(Vec::new());
    for t in triples {
        w.serialize_triple(t)?;
    }
    w.finish()
}

/// The IRI of a resource name from a path, if the store knows it.
fn known_resource(state: &AppState, name: &str) -> Option<NamedNode> {
    let iri = state.base.resource(name);
    let subject: NamedOrBlankNode = iri.clone().into();
    let known = state
        .store
        .quads_for_pattern(Some(subject.as_ref()), None, None, None)
        .next()
        .is_some()
        || state
            .store
            .quads_for_pattern(None, None, Some(iri.as_ref().into()), None)
            .next()
            .is_some();
    known.then_some(iri)
}

/// `/resource/X`: 303 to the page for browsers, to the data for RDF clients.
async fn resource(State(state): Shared, Path(name): Path<String>, headers: HeaderMap) -> Response {
    if known_resource(&state, &name).is_none() {
        return html::not_found_page(&state, &format!("/resource/{name}"));
    }
    let target = if wants_html(&headers) || accepted(&headers).is_empty() {
        format!("/page/{}", html::path_escape(&name))
    } else {
        let ext = match graph_format(None, &headers) {
            Some(RdfFormat::NTriples) => "nt",
            Some(RdfFormat::RdfXml) => "rdf",
            Some(RdfFormat::JsonLd { .. }) => "jsonld",
            _ => "ttl",
        };
        format!("/data/{}.{ext}", html::path_escape(&name))
    };
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(&target) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    r
}

/// The description of a resource: every quad it is subject or object of,
/// in the named graph that states it.
pub fn description(
    store: &Store,
    iri: &NamedNode,
) -> Result<Vec<Quad>, oxigraph::store::StorageError> {
    let subject: NamedOrBlankNode = iri.clone().into();
    let mut out: Vec<Quad> = store
        .quads_for_pattern(Some(subject.as_ref()), None, None, None)
        .chain(store.quads_for_pattern(None, None, Some(iri.as_ref().into()), None))
        .filter(|q| {
            q.as_ref()
                .map_or(true, |q| !q.graph_name.is_default_graph())
        })
        .collect::<Result<_, _>>()?;
    out.sort_by_cached_key(|q| q.to_string());
    out.dedup();
    Ok(out)
}

/// `/data/X.ttl` (or `.nt`, `.jsonld`, `.rdf`, `.nq`, `.trig`).
async fn data(State(state): Shared, Path(file): Path<String>) -> Response {
    let Some((name, ext)) = file.rsplit_once('.') else {
        return html::not_found_page(&state, &format!("/data/{file}"));
    };
    let format = match ext {
        "nq" => RdfFormat::NQuads,
        "trig" => RdfFormat::TriG,
        other => match graph_format(Some(other), &HeaderMap::new()) {
            Some(f) => f,
            None => return html::not_found_page(&state, &format!("/data/{file}")),
        },
    };
    let Some(iri) = known_resource(&state, name) else {
        return html::not_found_page(&state, &format!("/data/{file}"));
    };
    let quads = match description(&state.store, &iri) {
        Ok(q) => q,
        Err(e) => return text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let body = if format.supports_datasets() {
        let mut serializer = RdfSerializer::from_format(format);
        if format == RdfFormat::TriG {
            for (p, ns) in state.base.prefixes() {
                serializer = match serializer.with_prefix(p, ns) {
                    Ok(s) => s,
                    Err(e) => return text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
                };
            }
        }
        let mut w = serializer.for_writer(Vec::new());
        let result = quads
            .iter()
            .try_for_each(|q| w.serialize_quad(q))
            .and_then(|()| w.finish());
        match result {
            Ok(b) => b,
            Err(e) => return text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        }
    } else {
        // Triples (each once) for the triple formats; N-Quads and TriG say the graph.
        let mut triples: Vec<Triple> = quads.into_iter().map(Triple::from).collect();
        triples.sort_by_cached_key(|t| t.to_string());
        triples.dedup();
        match serialize_triples(&triples, format, &state.base) {
            Ok(b) => b,
            Err(e) => return text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        }
    };
    body_response(format.media_type(), body)
}
