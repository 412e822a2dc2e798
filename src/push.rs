//! Push: the store's named graphs sent to a SPARQL 1.1 store that scales
//! out (Virtuoso, which DBpedia runs on, or any store with the Graph Store
//! HTTP protocol), then checked there with a COUNT per graph.
//!
//! Each graph is sent with `PUT ?graph=IRI` (which replaces it, so a second
//! push never duplicates) and, when it is larger than a batch, the rest with
//! `POST ?graph=IRI` (which adds). Triples that mention a blank node travel
//! together in one request: a blank node means the same node only within
//! one request. Transient failures (no connection, 5xx, 429) are retried
//! with a growing pause; Basic and Digest authentication are answered. This
//! module reads the store and never writes it.

use std::time::Duration;

use oxhttp::model::{Body, Method, Request, StatusCode};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphNameRef, NamedNode, Term, Triple};
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParser, SliceQueryResultsParserOutput,
};
use oxigraph::store::{StorageError, Store};

use crate::link::CACHE_GRAPH;
use crate::rdf::emit::Base;

/// How to reach the target store.
#[derive(Debug, Clone)]
pub struct PushOptions {
    /// The SPARQL query endpoint, for the counts afterwards.
    pub endpoint: String,
    /// The Graph Store protocol URL (`?graph=` is added).
    pub graph_store: String,
    pub user: Option<String>,
    pub password: Option<String>,
    /// Triples per request.
    pub batch: usize,
    /// Time-out of one request.
    pub timeout: Duration,
    /// Attempts after the first one, for transient failures.
    pub retries: u32,
    /// The first pause before a retry; it doubles each time.
    pub backoff: Duration,
}

impl PushOptions {
    pub fn new(endpoint: &str) -> PushOptions {
        PushOptions {
            endpoint: endpoint.to_owned(),
            graph_store: endpoint.to_owned(),
            user: None,
            password: None,
            batch: 10_000,
            timeout: Duration::from_secs(60),
            retries: 3,
            backoff: Duration::from_millis(500),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("cannot read the store: {0}")]
    Store(#[from] StorageError),
    #[error("no graph {0} in the store (see `jinsong stats` for the graphs)")]
    NoGraph(String),
    #[error("{url}: {message}")]
    Http { url: String, message: String },
    #[error("verification failed: {graph} holds {remote} triples at {endpoint}, the store {local}")]
    Mismatch {
        graph: String,
        endpoint: String,
        local: usize,
        remote: usize,
    },
}

/// What a push sent, per graph.
#[derive(Debug, Clone, Default)]
pub struct PushReport {
    /// (graph, triples sent, triples counted at the target)
    pub graphs: Vec<(NamedNode, usize, usize)>,
    pub requests: usize,
    pub retries: usize,
    /// Why requests were retried, each reason once.
    pub retry_reasons: Vec<String>,
}

impl PushReport {
    pub fn triples(&self) -> usize {
        self.graphs.iter().map(|g| g.1).sum()
    }
}

/// The graphs a push sends: every named graph but the endpoint cache, or the ones asked for.
pub fn graphs_to_push(
    store: &Store,
    base: &Base,
    only: &[NamedNode],
) -> Result<Vec<NamedNode>, PushError> {
    if !only.is_empty() {
        for g in only {
            if !store.contains_named_graph(g)? {
                return Err(PushError::NoGraph(g.to_string()));
            }
        }
        return Ok(only.to_vec());
    }
    let cache = base.graph(CACHE_GRAPH);
    let mut out = crate::store::named_graphs(store)?;
    out.retain(|g| *g != cache);
    Ok(out)
}

/// Splits a graph's triples into requests of at most `batch` triples; the
/// triples that mention blank nodes form one request of their own.
fn batches(mut triples: Vec<Triple>, batch: usize) -> Vec<Vec<Triple>> {
    let has_blank = |t: &Triple| t.subject.is_blank_node() || t.object.is_blank_node();
    let (blank, mut named): (Vec<Triple>, Vec<Triple>) = triples.drain(..).partition(has_blank);
    named.sort_by_cached_key(|t| t.to_string());
    let mut out: Vec<Vec<Triple>> = named.chunks(batch.max(1)).map(<[Triple]>::to_vec).collect();
    if !blank.is_empty() {
        out.push(blank);
    }
    if out.is_empty() {
        // An empty graph is still PUT, so the target holds it empty.
        out.push(Vec::new());
    }
    out
}

fn ntriples(triples: &[Triple]) -> Result<Vec<u8>, std::io::Error> {
    let mut w = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(Vec::new());
    for t in triples {
        w.serialize_triple(t)?;
    }
    w.finish()
}

/// An HTTP client that retries transient failures and answers Basic and
/// Digest challenges.
struct Http {
    client: oxhttp::Client,
    opts: PushOptions,
    requests: usize,
    retries: usize,
    retry_reasons: Vec<String>,
    /// How to authenticate, once the server said (credentials are only
    /// sent in the scheme a challenge asks for).
    auth: Auth,
}

enum Auth {
    None,
    Basic,
    /// The server's Digest challenge, and the count of requests made with its nonce.
    Digest {
        challenge: String,
        nc: u32,
    },
}

impl Http {
    fn new(opts: &PushOptions) -> Result<Http, PushError> {
        let client = oxhttp::Client::new()
            .with_global_timeout(opts.timeout)
            .with_redirection_limit(3)
            .with_user_agent(concat!("jinsong/", env!("CARGO_PKG_VERSION"), " (push)"))
            .map_err(|e| PushError::Http {
                url: opts.graph_store.clone(),
                message: e.to_string(),
            })?;
        Ok(Http {
            client,
            opts: opts.clone(),
            requests: 0,
            retries: 0,
            retry_reasons: Vec::new(),
            auth: Auth::None,
        })
    }

    /// The `Authorization` header for the scheme the server asked for, if any yet.
    fn authorization(&mut self, method: &Method, uri: &str) -> Option<String> {
        let user = self.opts.user.as_deref()?;
        let password = self.opts.password.as_deref().unwrap_or("");
        match &mut self.auth {
            Auth::None => None,
            Auth::Basic => Some(format!(
                "Basic {}",
                base64_encode(format!("{user}:{password}").as_bytes())
            )),
            Auth::Digest { challenge, nc } => {
                *nc += 1;
                Some(digest_authorization(
                    challenge,
                    user,
                    password,
                    method.as_str(),
                    uri,
                    *nc,
                ))
            }
        }
    }

    /// With credentials, asks once with an empty HEAD request which scheme
    /// the server wants, so that no large body is sent only to be refused
    /// (a server that answers 401 early closes the connection under it).
    fn authenticate(&mut self, url: &str) -> Result<(), PushError> {
        if self.opts.user.is_none() || !matches!(self.auth, Auth::None) {
            return Ok(());
        }
        match self.send(Method::HEAD, url, &[], &[]) {
            // Only a refusal of the credentials matters here: a graph not
            // there yet (404) or a store without HEAD (501) is an answer.
            Err(PushError::Http { message, .. })
                if !(message.starts_with("401") || message.starts_with("403")) =>
            {
                Ok(())
            }
            other => other.map(|_| ()),
        }
    }

    /// Sends a request, retrying transient failures; the status and body.
    fn send(
        &mut self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<(StatusCode, Vec<u8>), PushError> {
        let err = |message: String| PushError::Http {
            url: url.to_owned(),
            message,
        };
        let uri_path = path_and_query(url);
        let mut attempt = 0u32;
        let mut pause = self.opts.backoff;
        let mut challenged = false;
        loop {
            let mut builder = Request::builder().method(method.clone()).uri(url);
            for (k, v) in headers {
                builder = builder.header(*k, *v);
            }
            if let Some(auth) = self.authorization(&method, &uri_path) {
                builder = builder.header("Authorization", auth);
            }
            let request = builder
                .body(Body::from(body.to_vec()))
                .map_err(|e| err(e.to_string()))?;
            self.requests += 1;
            let outcome = self.client.request(request);
            let transient = match outcome {
                Ok(response) => {
                    let status = response.status();
                    if status == StatusCode::UNAUTHORIZED && !challenged && self.opts.user.is_some()
                    {
                        // Answer the challenge once, in the scheme it names
                        // (a stale Digest nonce asks again the same way).
                        let scheme = response
                            .headers()
                            .get("WWW-Authenticate")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned);
                        match scheme {
                            Some(ch)
                                if ch.trim_start().to_ascii_lowercase().starts_with("digest") =>
                            {
                                self.auth = Auth::Digest {
                                    challenge: ch,
                                    nc: 0,
                                };
                                challenged = true;
                                continue;
                            }
                            Some(ch)
                                if ch.trim_start().to_ascii_lowercase().starts_with("basic") =>
                            {
                                self.auth = Auth::Basic;
                                challenged = true;
                                continue;
                            }
                            _ => {}
                        }
                    }
                    let mut body = Vec::new();
                    use std::io::Read;
                    response
                        .into_body()
                        .read_to_end(&mut body)
                        .map_err(|e| err(format!("cannot read the answer: {e}")))?;
                    if status.is_success() {
                        return Ok((status, body));
                    }
                    let text = String::from_utf8_lossy(&body);
                    let text = text.trim();
                    let snippet: String = text.chars().take(300).collect();
                    let message = format!(
                        "{status}{}{snippet}",
                        if snippet.is_empty() { "" } else { ": " }
                    );
                    let transient = matches!(status.as_u16(), 500 | 502 | 503 | 504 | 429);
                    if transient {
                        message
                    } else if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN
                    {
                        let hint = if self.opts.user.is_some() {
                            "the credentials were refused, or this user may not write"
                        } else {
                            "pass --user and --password, or a graph store URL that takes writes"
                        };
                        return Err(err(format!("{message} ({hint})")));
                    } else {
                        return Err(err(message));
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                    ) =>
                {
                    format!("no answer within {:.0?}", self.opts.timeout)
                }
                Err(e) => format!("cannot reach it: {e}"),
            };
            if attempt >= self.opts.retries {
                return Err(err(format!(
                    "{transient} (after {} attempt{})",
                    attempt + 1,
                    if attempt == 0 { "" } else { "s" }
                )));
            }
            attempt += 1;
            self.retries += 1;
            if !self.retry_reasons.contains(&transient) {
                self.retry_reasons.push(transient);
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_secs(30));
        }
    }
}

fn path_and_query(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    match rest.find('/') {
        Some(i) => rest[i..].to_owned(),
        None => "/".to_owned(),
    }
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A parameter of a `WWW-Authenticate: Digest …` challenge.
fn challenge_param(challenge: &str, name: &str) -> Option<String> {
    let rest = challenge.trim_start();
    let rest = rest.get(6..).unwrap_or("");
    let mut s = rest;
    while !s.is_empty() {
        s = s.trim_start_matches([' ', ',']);
        let (key, after) = s.split_once('=')?;
        let key = key.trim();
        let (value, tail) = if let Some(q) = after.strip_prefix('"') {
            let end = q.find('"')?;
            (&q[..end], &q[end + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim(), &after[end..])
        };
        if key.eq_ignore_ascii_case(name) {
            return Some(value.to_owned());
        }
        s = tail;
    }
    None
}

fn md5_hex(s: &str) -> String {
    use md5::Digest;
    md5::Md5::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `Authorization` header answering a Digest challenge (RFC 7616, MD5, qop=auth).
fn digest_authorization(
    challenge: &str,
    user: &str,
    password: &str,
    method: &str,
    uri: &str,
    nc: u32,
) -> String {
    let realm = challenge_param(challenge, "realm").unwrap_or_default();
    let nonce = challenge_param(challenge, "nonce").unwrap_or_default();
    let opaque = challenge_param(challenge, "opaque");
    let qop =
        challenge_param(challenge, "qop").filter(|q| q.split(',').any(|x| x.trim() == "auth"));
    let ha1 = md5_hex(&format!("{user}:{realm}:{password}"));
    let ha2 = md5_hex(&format!("{method}:{uri}"));
    let cnonce = format!("{:016x}", nonce_seed() ^ u64::from(nc));
    let nc = format!("{nc:08x}");
    let mut h =
        format!("Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\"");
    let response = match &qop {
        Some(_) => md5_hex(&format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")),
        None => md5_hex(&format!("{ha1}:{nonce}:{ha2}")),
    };
    if qop.is_some() {
        h.push_str(&format!(", qop=auth, nc={nc}, cnonce=\"{cnonce}\""));
    }
    h.push_str(&format!(", response=\"{response}\", algorithm=MD5"));
    if let Some(o) = opaque {
        h.push_str(&format!(", opaque=\"{o}\""));
    }
    h
}

fn nonce_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
        ^ u64::from(std::process::id())
}

fn graph_url(graph_store: &str, graph: &NamedNode) -> String {
    let enc: String = form_urlencoded::byte_serialize(graph.as_str().as_bytes()).collect();
    let sep = if graph_store.contains('?') { '&' } else { '?' };
    format!("{graph_store}{sep}graph={enc}")
}

/// Counts a graph's triples at the endpoint.
fn remote_count(http: &mut Http, endpoint: &str, graph: &NamedNode) -> Result<usize, PushError> {
    let query = format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{}> {{ ?s ?p ?o }} }}",
        graph.as_str()
    );
    let body: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("query", &query)
        .finish();
    let (_, answer) = http.send(
        Method::POST,
        endpoint,
        &[
            ("Accept", "application/sparql-results+json"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        body.as_bytes(),
    )?;
    let err = |message: String| PushError::Http {
        url: endpoint.to_owned(),
        message,
    };
    let parser = QueryResultsParser::from_format(QueryResultsFormat::Json);
    let SliceQueryResultsParserOutput::Solutions(solutions) = parser
        .for_slice(&answer)
        .map_err(|e| err(format!("not SPARQL results: {e}")))?
    else {
        return Err(err("a boolean answer to a COUNT".into()));
    };
    for s in solutions {
        let s = s.map_err(|e| err(format!("not SPARQL results: {e}")))?;
        if let Some(Term::Literal(l)) = s.get("n") {
            return l
                .value()
                .parse()
                .map_err(|_| err(format!("a count that is not a number: {}", l.value())));
        }
    }
    Err(err("no count in the answer".into()))
}

/// Pushes `graphs` and verifies them; `progress` is told of each request
/// (triples sent so far, of the total).
pub fn push(
    store: &Store,
    graphs: &[NamedNode],
    opts: &PushOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<PushReport, PushError> {
    let mut http = Http::new(opts)?;
    let mut per_graph = Vec::new();
    let mut total = 0;
    for g in graphs {
        let triples: Vec<Triple> = store
            .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(g.as_ref())))
            .map(|q| q.map(Triple::from))
            .collect::<Result<_, _>>()?;
        total += triples.len();
        per_graph.push((g.clone(), triples));
    }
    let mut sent = 0;
    let mut report = PushReport::default();
    progress(0, total);
    for (g, triples) in per_graph {
        let n = triples.len();
        let url = graph_url(&opts.graph_store, &g);
        http.authenticate(&url)?;
        for (i, batch) in batches(triples, opts.batch).into_iter().enumerate() {
            let body = ntriples(&batch).map_err(|e| PushError::Http {
                url: url.clone(),
                message: e.to_string(),
            })?;
            // N-Triples is Turtle, which every Graph Store implementation takes.
            let method = if i == 0 { Method::PUT } else { Method::POST };
            http.send(method, &url, &[("Content-Type", "text/turtle")], &body)?;
            sent += batch.len();
            progress(sent, total);
        }
        report.graphs.push((g, n, 0));
    }
    for entry in &mut report.graphs {
        let remote = remote_count(&mut http, &opts.endpoint, &entry.0)?;
        if remote != entry.1 {
            return Err(PushError::Mismatch {
                graph: entry.0.to_string(),
                endpoint: opts.endpoint.clone(),
                local: entry.1,
                remote,
            });
        }
        entry.2 = remote;
    }
    report.requests = http.requests;
    report.retries = http.retries;
    report.retry_reasons = http.retry_reasons;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{BlankNode, Literal};

    #[test]
    fn blank_node_triples_travel_together() {
        let n = |s: &str| NamedNode::new_unchecked(format!("http://e.org/{s}"));
        let b = BlankNode::new_unchecked("x");
        let mut triples: Vec<Triple> = (0..25)
            .map(|i| Triple::new(n(&format!("s{i}")), n("p"), Literal::from(i)))
            .collect();
        triples.push(Triple::new(n("a"), n("p"), b.clone()));
        triples.push(Triple::new(b.clone(), n("q"), n("c")));
        let out = batches(triples, 10);
        assert_eq!(
            out.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![10, 10, 5, 2]
        );
        assert!(
            out[3]
                .iter()
                .all(|t| t.subject.is_blank_node() || t.object.is_blank_node())
        );
        assert_eq!(batches(Vec::new(), 10).len(), 1, "an empty graph is PUT");
    }

    #[test]
    fn digest_answers_the_rfc_example() {
        // RFC 2617, section 3.5 (MD5, qop=auth).
        let challenge = r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#;
        assert_eq!(
            challenge_param(challenge, "realm").as_deref(),
            Some("testrealm@host.com")
        );
        let ha1 = md5_hex("Mufasa:testrealm@host.com:Circle Of Life");
        let ha2 = md5_hex("GET:/dir/index.html");
        let response = md5_hex(&format!(
            "{ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000001:0a4f113b:auth:{ha2}"
        ));
        assert_eq!(response, "6629fae49393a05397450978507c4ef1");
        let h = digest_authorization(
            challenge,
            "Mufasa",
            "Circle Of Life",
            "GET",
            "/dir/index.html",
            1,
        );
        assert!(h.contains("qop=auth, nc=00000001"), "{h}");
        assert!(
            h.contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""),
            "{h}"
        );
    }

    #[test]
    fn basic_credentials_are_base64() {
        assert_eq!(
            base64_encode(b"Aladdin:open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(base64_encode(b"a"), "YQ==");
        assert_eq!(base64_encode(b"ab"), "YWI=");
    }
}
