//! Online candidates: a polite SPARQL client for DBpedia's endpoint (or any
//! endpoint holding DBpedia's data, such as a local Virtuoso).
//!
//! Politeness: one request at a time, at most `rate` requests per second,
//! a time-out per request, results fetched in pages (`ORDER BY … LIMIT …
//! OFFSET …`) within the server's row cap, and silently truncated answers
//! detected: Virtuoso answers 200 with at most `ResultSetMaxRows` rows and
//! says so only in an `X-SPARQL-MaxRows` header, so a page that comes back
//! with that many rows is fetched again in pages of that size.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use oxhttp::model::{Body, Method, Request, StatusCode};
use oxigraph::model::{Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParser, SliceQueryResultsParserOutput,
};

use super::LinkError;
use super::normalize;
use crate::rdf::vocab::dbo;

/// How to talk to an endpoint.
#[derive(Debug, Clone)]
pub struct EndpointOptions {
    pub url: String,
    /// Time-out of one request.
    pub timeout: Duration,
    /// At most this many requests per second.
    pub rate: f64,
    /// Rows asked for per page.
    pub page_size: usize,
    /// Labels or resources per query.
    pub batch: usize,
}

impl EndpointOptions {
    pub fn new(url: &str) -> Self {
        EndpointOptions {
            url: url.to_owned(),
            timeout: Duration::from_secs(30),
            rate: 4.0,
            page_size: 1000,
            batch: 25,
        }
    }
}

/// What a client did, for the summary.
#[derive(Debug, Clone, Default)]
pub struct Traffic {
    pub requests: usize,
    pub rows: usize,
    /// Pages the server cut short (X-SPARQL-MaxRows) and that were re-asked.
    pub truncated: usize,
}

/// A polite, sequential SPARQL client.
pub struct Client {
    opts: EndpointOptions,
    http: oxhttp::Client,
    last: Cell<Option<Instant>>,
    page: Cell<usize>,
    pub traffic: Cell<(usize, usize, usize)>,
}

fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A row of a SELECT result: its values in the order of the variables.
pub type Row = Vec<Option<Term>>;

impl Client {
    pub fn new(opts: EndpointOptions) -> Result<Client, LinkError> {
        let http = oxhttp::Client::new()
            .with_global_timeout(opts.timeout)
            .with_redirection_limit(3)
            .with_user_agent(concat!(
                "jinsong/",
                env!("CARGO_PKG_VERSION"),
                " (DBpedia linker)"
            ))
            .map_err(|e| LinkError::Endpoint {
                url: opts.url.clone(),
                message: e.to_string(),
            })?;
        let page = opts.page_size.max(1);
        Ok(Client {
            opts,
            http,
            last: Cell::new(None),
            page: Cell::new(page),
            traffic: Cell::new((0, 0, 0)),
        })
    }

    pub fn traffic(&self) -> Traffic {
        let (requests, rows, truncated) = self.traffic.get();
        Traffic {
            requests,
            rows,
            truncated,
        }
    }

    fn err(&self, message: impl Into<String>) -> LinkError {
        LinkError::Endpoint {
            url: self.opts.url.clone(),
            message: message.into(),
        }
    }

    /// Waits so that requests start at most `rate` per second.
    fn pace(&self) {
        if self.opts.rate > 0.0 {
            let gap = Duration::from_secs_f64(1.0 / self.opts.rate);
            if let Some(last) = self.last.get() {
                let since = last.elapsed();
                if since < gap {
                    std::thread::sleep(gap - since);
                }
            }
        }
        self.last.set(Some(Instant::now()));
    }

    /// One request: the rows, and the server's row cap if it stated one.
    fn request(&self, query: &str, vars: &[&str]) -> Result<(Vec<Row>, Option<usize>), LinkError> {
        let (body, max_rows) = self.send(query)?;
        let parsed = QueryResultsParser::from_format(QueryResultsFormat::Json)
            .for_slice(&body)
            .map_err(|e| self.err(format!("not SPARQL JSON results: {e}")))?;
        let SliceQueryResultsParserOutput::Solutions(solutions) = parsed else {
            return Err(self.err("answered a boolean to a SELECT query"));
        };
        let mut rows = Vec::new();
        for s in solutions {
            let s = s.map_err(|e| self.err(format!("not SPARQL JSON results: {e}")))?;
            rows.push(vars.iter().map(|v| s.get(*v).cloned()).collect());
        }
        let (r, n, t) = self.traffic.get();
        self.traffic.set((r, n + rows.len(), t));
        Ok((rows, max_rows))
    }

    /// Sends a query, paced, retrying 429 and 503 twice: the body of the
    /// answer and the server's row cap if it stated one.
    fn send(&self, query: &str) -> Result<(Vec<u8>, Option<usize>), LinkError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            self.pace();
            let (r, rows, t) = self.traffic.get();
            self.traffic.set((r + 1, rows, t));
            let request = Request::builder()
                .method(Method::POST)
                .uri(&self.opts.url)
                .header("Accept", "application/sparql-results+json")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(Body::from(format!("query={}", form_encode(query))))
                .map_err(|e| self.err(e.to_string()))?;
            let started = Instant::now();
            let response = self.http.request(request).map_err(|e| {
                if e.kind() == std::io::ErrorKind::TimedOut
                    || e.kind() == std::io::ErrorKind::WouldBlock
                    || started.elapsed() >= self.opts.timeout
                {
                    self.err(format!(
                        "no answer within {:.0?} (the endpoint is slow or down)",
                        self.opts.timeout
                    ))
                } else {
                    self.err(format!("cannot reach it: {e}"))
                }
            })?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get("Retry-After")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            if (status == StatusCode::TOO_MANY_REQUESTS
                || status == StatusCode::SERVICE_UNAVAILABLE)
                && attempts < 3
            {
                let wait = retry_after.unwrap_or(2).min(30);
                std::thread::sleep(Duration::from_secs(wait));
                continue;
            }
            // Virtuoso's "anytime" answers: 200 with what it found before its
            // time or cost limit, said only in this header.
            if let Some(state) = response.headers().get("X-SQL-State") {
                return Err(self.err(format!(
                    "a partial answer (X-SQL-State: {}, the server's time or cost limit); retry later",
                    state.to_str().unwrap_or("?")
                )));
            }
            let max_rows = response
                .headers()
                .get("X-SPARQL-MaxRows")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<usize>().ok());
            let body = response
                .into_body()
                .to_vec()
                .map_err(|e| self.err(format!("the answer broke off: {e}")))?;
            if !status.is_success() {
                let text = String::from_utf8_lossy(&body);
                let first: String = text.lines().take(3).collect::<Vec<_>>().join(" ");
                return Err(self.err(format!(
                    "HTTP {status}: {}",
                    first.chars().take(300).collect::<String>()
                )));
            }
            return Ok((body, max_rows));
        }
    }

    /// All rows of an ordered SELECT, page by page.
    pub fn select_all(&self, ordered_query: &str, vars: &[&str]) -> Result<Vec<Row>, LinkError> {
        let mut out = Vec::new();
        let mut offset = 0;
        loop {
            let page = self.page.get();
            let q = format!("{ordered_query}\nLIMIT {page}\nOFFSET {offset}");
            let (rows, cap) = self.request(&q, vars)?;
            if let Some(cap) = cap.filter(|c| *c > 0 && *c < page && rows.len() >= *c) {
                // Cut short by the server's row cap: ask again in pages it answers whole.
                self.page.set(cap);
                let (r, n, t) = self.traffic.get();
                self.traffic.set((r, n, t + 1));
                continue;
            }
            let n = rows.len();
            out.extend(rows);
            if n < page {
                return Ok(out);
            }
            offset += n;
        }
    }
}

/// Sends one SELECT query (form-encoded POST, which every SPARQL 1.1 server
/// and Virtuoso accept) and returns its variables and solutions. For
/// federated queries: no paging, the caller's query is sent as it is.
pub fn select_once(
    url: &str,
    query: &str,
    timeout: Duration,
) -> Result<
    (
        Vec<oxigraph::sparql::Variable>,
        Vec<oxigraph::sparql::QuerySolution>,
    ),
    LinkError,
> {
    let mut opts = EndpointOptions::new(url);
    opts.timeout = timeout;
    opts.rate = 0.0;
    let client = Client::new(opts)?;
    let (body, cap) = client.send(query)?;
    let parsed = QueryResultsParser::from_format(QueryResultsFormat::Json)
        .for_slice(&body)
        .map_err(|e| client.err(format!("not SPARQL JSON results: {e}")))?;
    let SliceQueryResultsParserOutput::Solutions(solutions) = parsed else {
        return Err(client.err("answered a boolean to a SELECT query"));
    };
    let variables = solutions.variables().to_vec();
    let rows = solutions
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| client.err(format!("not SPARQL JSON results: {e}")))?;
    if let Some(cap) = cap.filter(|c| rows.len() >= *c) {
        return Err(client.err(format!(
            "the answer was cut at the server's cap of {cap} rows (X-SPARQL-MaxRows); narrow the SERVICE pattern"
        )));
    }
    Ok((variables, rows))
}

const FACTS: &[&str] = &[
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    "http://dbpedia.org/ontology/wikiPageRedirects",
    "http://dbpedia.org/ontology/wikiPageDisambiguates",
    "http://dbpedia.org/ontology/birthYear",
    "http://dbpedia.org/ontology/deathYear",
    "http://dbpedia.org/ontology/birthDate",
    "http://dbpedia.org/ontology/deathDate",
    "http://dbpedia.org/ontology/startDate",
    "http://dbpedia.org/ontology/endDate",
    "http://dbpedia.org/ontology/date",
];

/// The spellings under which a label is asked for: DBpedia's labels are
/// exact strings, so case and dash variants are asked for explicitly.
pub fn spellings(label: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let base = label.trim();
    let mut forms = vec![base.to_owned()];
    // "Siege of De'an (1132)": the qualifier is the local graph's, not the title's.
    if let Some((head, _)) = base.strip_suffix(')').and_then(|b| b.rsplit_once(" (")) {
        forms.push(head.to_owned());
    }
    if let Some(rest) = base
        .strip_prefix("the ")
        .or_else(|| base.strip_prefix("The "))
    {
        forms.push(rest.to_owned());
    }
    for f in forms.clone() {
        let mut c = f.chars();
        if let Some(first) = c.next() {
            forms.push(first.to_uppercase().chain(c).collect());
        }
    }
    for f in forms.clone() {
        if f.ends_with(" Dynasty") {
            forms.push(format!("{} dynasty", &f[..f.len() - " Dynasty".len()]));
        } else if f.ends_with(" dynasty") {
            forms.push(format!("{} Dynasty", &f[..f.len() - " dynasty".len()]));
        } else if !f.contains(' ') {
            forms.push(format!("{f} dynasty"));
        }
    }
    for f in forms {
        if f.contains('-') {
            out.insert(f.replace('-', "\u{2013}"));
        }
        if f.contains('\u{2013}') {
            out.insert(f.replace('\u{2013}', "-"));
        }
        out.insert(f);
    }
    out.retain(|s| !normalize::fold(s).is_empty());
    out
}

fn literal(s: &str) -> String {
    Literal::new_language_tagged_literal_unchecked(s, "en").to_string()
}

fn iri_of(t: &Option<Term>) -> Option<NamedNode> {
    match t {
        Some(Term::NamedNode(n)) => Some(n.clone()),
        _ => None,
    }
}

/// Fetches from the endpoint everything the linker needs about the
/// resources labelled with any spelling of `labels`: their labels, types
/// (with the ontology's superclasses), redirects, disambiguation links and
/// years. Returns the triples.
pub fn fetch(client: &Client, labels: &BTreeSet<String>) -> Result<Vec<Triple>, LinkError> {
    let mut spelled: BTreeSet<String> = BTreeSet::new();
    for l in labels {
        spelled.extend(spellings(l));
    }
    let spelled: Vec<String> = spelled.into_iter().collect();
    let batch = client.opts.batch.max(1);
    let mut subjects: BTreeSet<NamedNode> = BTreeSet::new();
    for chunk in spelled.chunks(batch) {
        let values: Vec<String> = chunk.iter().map(|l| literal(l)).collect();
        let q = format!(
            "SELECT DISTINCT ?s WHERE {{ VALUES ?l {{ {} }} ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l . FILTER(isIRI(?s)) }} ORDER BY ?s",
            values.join(" ")
        );
        for row in client.select_all(&q, &["s"])? {
            if let Some(s) = iri_of(&row[0]) {
                subjects.insert(s);
            }
        }
    }
    let mut triples: Vec<Triple> = Vec::new();
    let mut done: BTreeSet<NamedNode> = BTreeSet::new();
    let mut todo: Vec<NamedNode> = subjects.into_iter().collect();
    let filter = FACTS
        .iter()
        .map(|p| format!("<{p}>"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut types: BTreeSet<NamedNode> = BTreeSet::new();
    while !todo.is_empty() {
        let mut next = Vec::new();
        for chunk in todo.chunks(batch) {
            let values: Vec<String> = chunk.iter().map(|n| n.to_string()).collect();
            let q = format!(
                "SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {} }} ?s ?p ?o . FILTER(?p IN ({filter})) \
                 FILTER(?p != <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> || STRSTARTS(STR(?o), \"{}\")) \
                 FILTER(!isLiteral(?o) || LANG(?o) = \"\" || LANGMATCHES(LANG(?o), \"en\")) }} ORDER BY ?s ?p ?o",
                values.join(" "),
                dbo::NS
            );
            for row in client.select_all(&q, &["s", "p", "o"])? {
                let (Some(s), Some(p), Some(o)) =
                    (iri_of(&row[0]), iri_of(&row[1]), row[2].clone())
                else {
                    continue;
                };
                // Redirect targets and the pages a disambiguation page
                // lists ("Zhang Jun" → "Zhang Jun (general)") are candidates too.
                if (p.as_str() == dbo::WIKI_PAGE_REDIRECTS.as_str()
                    || p.as_str() == dbo::WIKI_PAGE_DISAMBIGUATES.as_str())
                    && let Term::NamedNode(t) = &o
                    && !done.contains(t)
                    && !chunk.contains(t)
                {
                    next.push(t.clone());
                }
                if p.as_str() == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
                    && let Term::NamedNode(t) = &o
                {
                    types.insert(t.clone());
                }
                triples.push(Triple::new(NamedOrBlankNode::NamedNode(s), p, o));
            }
        }
        done.extend(todo.drain(..));
        next.retain(|n| !done.contains(n));
        next.sort();
        next.dedup();
        todo = next;
    }
    // The ontology's subclass axioms above the types seen, to a fixed point.
    let mut seen: BTreeSet<NamedNode> = BTreeSet::new();
    let mut frontier: Vec<NamedNode> = types.into_iter().collect();
    while !frontier.is_empty() {
        let mut next = Vec::new();
        for chunk in frontier.chunks(batch) {
            let values: Vec<String> = chunk.iter().map(|n| n.to_string()).collect();
            let q = format!(
                "SELECT ?c ?super WHERE {{ VALUES ?c {{ {} }} ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?super . FILTER(isIRI(?super)) }} ORDER BY ?c ?super",
                values.join(" ")
            );
            for row in client.select_all(&q, &["c", "super"])? {
                let (Some(c), Some(sup)) = (iri_of(&row[0]), iri_of(&row[1])) else {
                    continue;
                };
                triples.push(Triple::new(
                    c,
                    NamedNode::new_unchecked("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
                    sup.clone(),
                ));
                next.push(sup);
            }
        }
        seen.extend(frontier.drain(..));
        next.retain(|n| !seen.contains(n));
        next.sort();
        next.dedup();
        frontier = next;
    }
    triples.sort_by_key(|t| t.to_string());
    triples.dedup();
    Ok(triples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_cover_case_dash_and_dynasty_variants() {
        let s = spellings("Jin-Song wars");
        assert!(s.contains("Jin–Song wars"), "{s:?}");
        let s = spellings("Song Dynasty");
        assert!(s.contains("Song dynasty"));
        let s = spellings("Song");
        assert!(s.contains("Song dynasty"));
        assert!(spellings("Siege of De'an (1132)").contains("Siege of De'an"));
        let s = spellings("the siege of Kaifeng");
        assert!(s.contains("Siege of Kaifeng"), "{s:?}");
    }

    #[test]
    fn form_encoding_escapes_reserved_bytes() {
        assert_eq!(form_encode("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
    }
}
