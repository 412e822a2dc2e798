//! SPARQL over the store: named queries, parameters, and result formats.
//!
//! The default graph of the store is the merge of its named graphs (see
//! [`crate::store`]), so `?s ?p ?o` sees everything, each triple once, and
//! `GRAPH ?g` shows who says what. The common prefixes (`jso:`, `rdfs:`,
//! `skos:`, `nif:`, ...) are predeclared. SELECT and ASK print an aligned
//! table or a W3C results format; CONSTRUCT and DESCRIBE print RDF.

use std::io::{self, Write};
use std::str::FromStr;

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{Literal, Term, Variable};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use unicode_width::UnicodeWidthStr;

use crate::rdf::emit::Base;

include!(concat!(env!("OUT_DIR"), "/named_queries.rs"));

/// A named query with its header.
#[derive(Debug, Clone)]
pub struct NamedQuery {
    pub name: &'static str,
    pub title: String,
    pub description: String,
    pub params: Vec<String>,
    pub text: &'static str,
}

/// The named queries shipped with jinsong.
pub fn named_queries() -> Vec<NamedQuery> {
    NAMED
        .iter()
        .map(|(name, text)| parse_header(name, text))
        .collect()
}

/// Reads `# title:`, `# description:` (continued on following `#` lines)
/// and `# param:` lines from a query's header comment.
fn parse_header(name: &'static str, text: &'static str) -> NamedQuery {
    let mut q = NamedQuery {
        name,
        title: String::new(),
        description: String::new(),
        params: Vec::new(),
        text,
    };
    let mut in_description = false;
    for line in text.lines() {
        let Some(c) = line.strip_prefix('#') else {
            break;
        };
        let c = c.trim();
        if let Some(v) = c.strip_prefix("title:") {
            q.title = v.trim().to_owned();
            in_description = false;
        } else if let Some(v) = c.strip_prefix("description:") {
            q.description = v.trim().to_owned();
            in_description = true;
        } else if let Some(v) = c.strip_prefix("param:") {
            q.params.push(v.trim().to_owned());
            in_description = false;
        } else if in_description && !c.is_empty() {
            q.description.push(' ');
            q.description.push_str(c);
        } else {
            in_description = false;
        }
    }
    q
}

/// Output formats of `jinsong query`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Results(QueryResultsFormat),
    Rdf(RdfFormat),
}

impl FromStr for OutputFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "table" | "text" => OutputFormat::Table,
            "csv" => OutputFormat::Results(QueryResultsFormat::Csv),
            "tsv" => OutputFormat::Results(QueryResultsFormat::Tsv),
            "json" | "srj" => OutputFormat::Results(QueryResultsFormat::Json),
            "xml" | "srx" => OutputFormat::Results(QueryResultsFormat::Xml),
            "ttl" | "turtle" => OutputFormat::Rdf(RdfFormat::Turtle),
            "nt" | "ntriples" | "n-triples" => OutputFormat::Rdf(RdfFormat::NTriples),
            "nq" | "nquads" | "n-quads" => OutputFormat::Rdf(RdfFormat::NQuads),
            other => {
                return Err(format!(
                    "unknown format {other:?} (expected table, csv, tsv, json, xml for SELECT/ASK; ttl, nt, nq for CONSTRUCT/DESCRIBE)"
                ));
            }
        })
    }
}

/// Errors of a query.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("SPARQL syntax error in {origin}: {message}")]
    Syntax { origin: String, message: String },
    #[error("no named query, file or SPARQL text {0:?} (named queries: {1})")]
    Unknown(String, String),
    #[error("cannot read query {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("invalid --bind {0}")]
    Bind(String),
    #[error("query evaluation failed: {0}")]
    Evaluation(String),
    #[error(
        "{origin} calls a remote endpoint (SERVICE); queries call remote endpoints only with --allow-service"
    )]
    ServiceRefused { origin: String },
    #[error("--format {format} does not fit a {kind} query")]
    FormatMismatch { format: String, kind: &'static str },
    #[error("cannot write results: {0}")]
    Write(#[from] io::Error),
    #[error("{origin} did not finish within {seconds} s (--timeout); it was stopped")]
    Timeout { origin: String, seconds: f64 },
}

/// Where a query's text came from, for messages.
#[derive(Debug, Clone)]
pub struct QueryText {
    pub origin: String,
    pub text: String,
}

/// Resolves a `jinsong query` argument: `-` (stdin), a named query, a file, or SPARQL text.
pub fn resolve_query(
    arg: &str,
    stdin: impl FnOnce() -> io::Result<String>,
) -> Result<QueryText, QueryError> {
    if arg == "-" {
        let text = stdin().map_err(|source| QueryError::Read {
            path: "<stdin>".into(),
            source,
        })?;
        return Ok(QueryText {
            origin: "<stdin>".into(),
            text,
        });
    }
    if let Some((name, text)) = NAMED.iter().find(|(n, _)| *n == arg) {
        return Ok(QueryText {
            origin: format!("queries/{name}.rq"),
            text: (*text).to_owned(),
        });
    }
    let path = std::path::Path::new(arg);
    if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|source| QueryError::Read {
            path: arg.to_owned(),
            source,
        })?;
        return Ok(QueryText {
            origin: arg.to_owned(),
            text,
        });
    }
    let looks_like_sparql = arg.contains(char::is_whitespace) || arg.contains('{');
    if looks_like_sparql {
        return Ok(QueryText {
            origin: "the query".into(),
            text: arg.to_owned(),
        });
    }
    if arg.ends_with(".rq") || arg.ends_with(".sparql") {
        return Err(QueryError::Read {
            path: arg.to_owned(),
            source: io::Error::new(io::ErrorKind::NotFound, "no such file"),
        });
    }
    Err(QueryError::Unknown(
        arg.to_owned(),
        NAMED.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "),
    ))
}

/// Parses `name=value`: the value in N-Triples syntax (`<iri>`, `"text"@en`,
/// `"1126"^^<...#gYear>`), a number, or else a plain string.
pub fn parse_binding(s: &str) -> Result<(Variable, Term), QueryError> {
    let bad = || QueryError::Bind(format!("{s:?}: expected NAME=VALUE"));
    let (name, value) = s.split_once('=').ok_or_else(bad)?;
    let var = Variable::new(name.trim_start_matches(['?', '$'])).map_err(|_| bad())?;
    let term = Term::from_str(value).unwrap_or_else(|_| {
        if let Ok(i) = value.parse::<i64>() {
            Literal::from(i).into()
        } else {
            Literal::new_simple_literal(value).into()
        }
    });
    Ok((var, term))
}

/// Whether a query may call remote endpoints with SERVICE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Services {
    /// SERVICE clauses fail with a message saying how to allow them.
    #[default]
    Refused,
    /// SERVICE clauses call the endpoint over HTTP, with this time-out.
    Allowed(std::time::Duration),
}

/// The SERVICE handler of queries that may not call out.
struct RefuseServices;

/// A SERVICE clause in a query that may not call remote endpoints.
#[derive(Debug, thiserror::Error)]
#[error("SERVICE <{0}> refused: queries call remote endpoints only with --allow-service")]
pub struct ServiceRefused(String);

impl oxigraph::sparql::DefaultServiceHandler for RefuseServices {
    type Error = ServiceRefused;

    fn handle(
        &self,
        service_name: &oxigraph::model::NamedNode,
        _pattern: &spargebra::algebra::GraphPattern,
        _base_iri: Option<&oxiri::Iri<String>>,
    ) -> Result<oxigraph::sparql::QuerySolutionIter<'static>, Self::Error> {
        Err(ServiceRefused(service_name.as_str().to_owned()))
    }
}

/// The SERVICE handler of queries that may call out: a form-encoded POST
/// (which Virtuoso, the engine DBpedia runs on, accepts, unlike a direct
/// `application/sparql-query` POST) through jinsong's SPARQL client.
struct FormServices {
    timeout: std::time::Duration,
    /// When the last call started: calls go one at a time, at most
    /// [`SERVICE_RATE`] a second, however many solutions call them.
    last: std::sync::Mutex<Option<std::time::Instant>>,
}

/// Requests per second a federated query may make.
const SERVICE_RATE: f64 = 4.0;

impl oxigraph::sparql::DefaultServiceHandler for FormServices {
    type Error = crate::link::LinkError;

    fn handle(
        &self,
        service_name: &oxigraph::model::NamedNode,
        pattern: &spargebra::algebra::GraphPattern,
        base_iri: Option<&oxiri::Iri<String>>,
    ) -> Result<oxigraph::sparql::QuerySolutionIter<'static>, Self::Error> {
        let query = spargebra::Query::Select {
            dataset: None,
            pattern: pattern.clone(),
            base_iri: base_iri.cloned(),
        };
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let gap = std::time::Duration::from_secs_f64(1.0 / SERVICE_RATE);
        if let Some(since) = last.map(|l| l.elapsed())
            && since < gap
        {
            std::thread::sleep(gap - since);
        }
        *last = Some(std::time::Instant::now());
        let (variables, rows) = crate::link::endpoint::select_once(
            service_name.as_str(),
            &query.to_string(),
            self.timeout,
        )?;
        Ok(oxigraph::sparql::QuerySolutionIter::new(
            variables.into(),
            rows.into_iter().map(Ok),
        ))
    }
}

/// Whether serialized SPARQL (as spargebra writes it: IRIs in `<>` without
/// spaces, literals in quotes) has a SERVICE keyword outside literals and IRIs.
fn mentions_service(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            q @ ('"' | '\'') => {
                i += 1;
                while i < chars.len() && chars[i] != q {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
            }
            '<' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|c| *c == '>' || c.is_whitespace());
                match end {
                    Some(n) if chars[i + 1 + n] == '>' => i += n + 2,
                    _ => i += 1,
                }
            }
            c if c.is_alphabetic() => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                if word.eq_ignore_ascii_case("service")
                    && (start == 0
                        || chars[start - 1] != '?'
                            && chars[start - 1] != '$'
                            && chars[start - 1] != ':')
                {
                    return true;
                }
            }
            _ => i += 1,
        }
    }
    false
}

/// A parsed query ready to run.
pub fn prepare(
    q: &QueryText,
    binds: &[(Variable, Term)],
    base: &Base,
    services: Services,
) -> Result<oxigraph::sparql::PreparedSparqlQuery, QueryError> {
    prepare_cancellable(q, binds, base, services, None)
}

/// As [`prepare`], with a token that stops the evaluation when cancelled
/// (a time-out).
pub fn prepare_cancellable(
    q: &QueryText,
    binds: &[(Variable, Term)],
    base: &Base,
    services: Services,
    token: Option<oxigraph::sparql::CancellationToken>,
) -> Result<oxigraph::sparql::PreparedSparqlQuery, QueryError> {
    let syntax = |message: String| QueryError::Syntax {
        origin: q.origin.clone(),
        message,
    };
    let mut parser = spargebra::SparqlParser::new();
    for (p, ns) in base.prefixes() {
        parser = parser
            .with_prefix(p, ns)
            .map_err(|e| syntax(e.to_string()))?;
    }
    let mut query = parser
        .parse_query(&q.text)
        .map_err(|e| syntax(e.to_string()))?;
    if !binds.is_empty() {
        bind(&mut query, binds)?;
    }
    // SERVICE SILENT would swallow the refusal of the handler: refuse
    // every SERVICE before evaluation.
    if services == Services::Refused && mentions_service(&query.to_string()) {
        return Err(QueryError::ServiceRefused {
            origin: q.origin.clone(),
        });
    }
    let evaluator = match services {
        Services::Refused => SparqlEvaluator::new().with_default_service_handler(RefuseServices),
        Services::Allowed(timeout) => {
            SparqlEvaluator::new().with_default_service_handler(FormServices {
                timeout,
                last: std::sync::Mutex::new(None),
            })
        }
    };
    let evaluator = match token {
        Some(t) => evaluator.with_cancellation_token(t),
        None => evaluator,
    };
    Ok(evaluator.for_query(query))
}

/// Fills variables by joining a one-row VALUES block under the query's
/// modifiers (projection, ordering, grouping, filters), as an initial binding.
fn bind(query: &mut spargebra::Query, binds: &[(Variable, Term)]) -> Result<(), QueryError> {
    use spargebra::algebra::GraphPattern;
    use spargebra::term::GroundTerm;
    let mut row = Vec::new();
    for (v, t) in binds {
        let text = query.to_string();
        if !text.contains(&format!("?{}", v.as_str()))
            && !text.contains(&format!("${}", v.as_str()))
        {
            return Err(QueryError::Bind(format!(
                "{}: the query has no variable ?{}",
                v,
                v.as_str()
            )));
        }
        row.push(Some(match t {
            Term::NamedNode(n) => GroundTerm::NamedNode(n.clone()),
            Term::Literal(l) => GroundTerm::Literal(l.clone()),
            #[allow(unreachable_patterns)]
            other => {
                return Err(QueryError::Bind(format!(
                    "{v}={other}: only IRIs and literals can be bound"
                )));
            }
        }));
    }
    let values = GraphPattern::Values {
        variables: binds.iter().map(|(v, _)| v.clone()).collect(),
        bindings: vec![row],
    };
    fn inject(p: &mut GraphPattern, values: GraphPattern) {
        match p {
            GraphPattern::Project { inner, .. }
            | GraphPattern::Distinct { inner }
            | GraphPattern::Reduced { inner }
            | GraphPattern::Slice { inner, .. }
            | GraphPattern::OrderBy { inner, .. }
            | GraphPattern::Group { inner, .. }
            | GraphPattern::Extend { inner, .. }
            | GraphPattern::Filter { inner, .. } => inject(inner, values),
            leaf => {
                let old = std::mem::replace(
                    leaf,
                    GraphPattern::Bgp {
                        patterns: Vec::new(),
                    },
                );
                *leaf = GraphPattern::Join {
                    left: Box::new(values),
                    right: Box::new(old),
                };
            }
        }
    }
    match query {
        spargebra::Query::Select { pattern, .. }
        | spargebra::Query::Construct { pattern, .. }
        | spargebra::Query::Describe { pattern, .. }
        | spargebra::Query::Ask { pattern, .. } => inject(pattern, values),
    }
    Ok(())
}

/// Runs a query and writes its results.
pub fn run(
    store: &Store,
    q: &QueryText,
    binds: &[(Variable, Term)],
    format: Option<OutputFormat>,
    base: &Base,
    services: Services,
    out: &mut dyn Write,
) -> Result<(), QueryError> {
    evaluate_into(prepare(q, binds, base, services)?, store, format, base, out)
}

/// Evaluates a prepared query on the store and writes its results.
fn evaluate_into(
    prepared: oxigraph::sparql::PreparedSparqlQuery,
    store: &Store,
    format: Option<OutputFormat>,
    base: &Base,
    out: &mut dyn Write,
) -> Result<(), QueryError> {
    let results = prepared
        .on_store(store)
        .execute()
        .map_err(|e| QueryError::Evaluation(e.to_string()))?;
    write_results(results, format, base, out)
}

/// As [`run`], stopped after `timeout`: the query is evaluated on a worker
/// thread into a buffer, and what it wrote is copied to `out` only when it
/// finished in time. A query past its time-out is cancelled and reported;
/// Oxigraph does not check cancellation everywhere, so the worker may go on
/// until the process exits, which the command line does at once.
#[allow(clippy::too_many_arguments)]
pub fn run_with_timeout(
    store: &Store,
    q: &QueryText,
    binds: &[(Variable, Term)],
    format: Option<OutputFormat>,
    base: &Base,
    services: Services,
    timeout: std::time::Duration,
    out: &mut dyn Write,
) -> Result<(), QueryError> {
    let token = oxigraph::sparql::CancellationToken::new();
    let prepared = prepare_cancellable(q, binds, base, services, Some(token.clone()))?;
    let (tx, rx) = std::sync::mpsc::channel();
    let store = store.clone();
    let base = base.clone();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let result = evaluate_into(prepared, &store, format, &base, &mut buf);
        // The receiver is gone when the query timed out: nothing to do.
        let _ = tx.send(result.map(|()| buf));
    });
    match rx.recv_timeout(timeout) {
        Ok(result) => {
            out.write_all(&result?)?;
            Ok(())
        }
        Err(_) => {
            token.cancel();
            Err(QueryError::Timeout {
                origin: q.origin.clone(),
                seconds: timeout.as_secs_f64(),
            })
        }
    }
}

/// Writes query results in a format.
pub fn write_results(
    results: QueryResults<'_>,
    format: Option<OutputFormat>,
    base: &Base,
    out: &mut dyn Write,
) -> Result<(), QueryError> {
    // JSON, XML and an ASK's CSV end without a newline; a terminal wants one.
    let mut out = LineEnded {
        inner: out,
        last: None,
    };
    write_results_to(results, format, base, &mut out)?;
    if out.last.is_some_and(|b| b != b'\n') {
        out.inner.write_all(b"\n")?;
    }
    Ok(())
}

/// A writer that remembers the last byte written through it.
struct LineEnded<'a> {
    inner: &'a mut dyn Write,
    last: Option<u8>,
}

impl Write for LineEnded<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        if n > 0 {
            self.last = Some(buf[n - 1]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn write_results_to(
    results: QueryResults<'_>,
    format: Option<OutputFormat>,
    base: &Base,
    out: &mut dyn Write,
) -> Result<(), QueryError> {
    match results {
        QueryResults::Solutions(solutions) => {
            let variables: Vec<Variable> = solutions.variables().to_vec();
            match format.unwrap_or(OutputFormat::Table) {
                OutputFormat::Table => {
                    let mut rows = Vec::new();
                    for s in solutions {
                        let s = s.map_err(|e| QueryError::Evaluation(e.to_string()))?;
                        rows.push(
                            variables
                                .iter()
                                .map(|v| {
                                    s.get(v).map(|t| display_term(t, base)).unwrap_or_default()
                                })
                                .collect::<Vec<_>>(),
                        );
                    }
                    let header: Vec<String> =
                        variables.iter().map(|v| v.as_str().to_owned()).collect();
                    write_table(out, &header, &rows)?;
                }
                OutputFormat::Results(f) => {
                    let mut w = QueryResultsSerializer::from_format(f)
                        .serialize_solutions_to_writer(&mut *out, variables)?;
                    for s in solutions {
                        let s = s.map_err(|e| QueryError::Evaluation(e.to_string()))?;
                        w.serialize(&s)?;
                    }
                    w.finish()?;
                }
                OutputFormat::Rdf(f) => {
                    return Err(QueryError::FormatMismatch {
                        format: f.file_extension().to_owned(),
                        kind: "SELECT",
                    });
                }
            }
        }
        QueryResults::Boolean(b) => match format.unwrap_or(OutputFormat::Table) {
            OutputFormat::Table => writeln!(out, "{b}")?,
            OutputFormat::Results(f) => {
                QueryResultsSerializer::from_format(f).serialize_boolean_to_writer(&mut *out, b)?;
            }
            OutputFormat::Rdf(f) => {
                return Err(QueryError::FormatMismatch {
                    format: f.file_extension().to_owned(),
                    kind: "ASK",
                });
            }
        },
        QueryResults::Graph(triples) => {
            let f = match format {
                None | Some(OutputFormat::Table) => RdfFormat::Turtle,
                Some(OutputFormat::Rdf(f)) => f,
                Some(OutputFormat::Results(f)) => {
                    return Err(QueryError::FormatMismatch {
                        format: f.file_extension().to_owned(),
                        kind: "CONSTRUCT/DESCRIBE",
                    });
                }
            };
            let mut s = RdfSerializer::from_format(f);
            if f == RdfFormat::Turtle {
                for (p, ns) in base.prefixes() {
                    s = s
                        .with_prefix(p, ns)
                        .map_err(|e| QueryError::Evaluation(e.to_string()))?;
                }
            }
            let mut w = s.for_writer(&mut *out);
            for t in triples {
                let t = t.map_err(|e| QueryError::Evaluation(e.to_string()))?;
                w.serialize_triple(&t)?;
            }
            w.finish()?;
        }
    }
    Ok(())
}

/// An IRI as a prefixed name when a known prefix fits.
pub fn prefixed(iri: &str, base: &Base) -> String {
    for (p, ns) in base.prefixes() {
        if let Some(rest) = iri.strip_prefix(&ns) {
            // Resource names may hold '/' (none do today) but never start a path.
            let ours = p == "jsr" || p == "jsg";
            if !rest.is_empty() && (ours || !rest.contains(['/', '#'])) {
                return format!("{p}:{rest}");
            }
        }
    }
    format!("<{iri}>")
}

/// A term as a person reads it: prefixed IRIs, literal values without syntax.
pub fn display_term(t: &Term, base: &Base) -> String {
    match t {
        Term::NamedNode(n) => prefixed(n.as_str(), base),
        Term::BlankNode(b) => format!("_:{}", b.as_str()),
        Term::Literal(l) => l.value().replace(['\n', '\r', '\t'], " "),
        #[allow(unreachable_patterns)]
        other => other.to_string(),
    }
}

/// Writes an aligned text table.
pub fn write_table(out: &mut dyn Write, header: &[String], rows: &[Vec<String>]) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.width());
        }
    }
    let line = |out: &mut dyn Write, cells: &[String]| -> io::Result<()> {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(widths[i] - c.width() + 2));
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    line(out, header)?;
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(out, &rule)?;
    for r in rows {
        line(out, r)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bindings_parse_terms_and_plain_values() {
        let (v, t) = parse_binding("place=<http://x/y>").unwrap();
        assert_eq!(v.as_str(), "place");
        assert!(matches!(t, Term::NamedNode(_)));
        let (_, t) = parse_binding("?label=\"Kaifeng\"@en").unwrap();
        assert_eq!(t.to_string(), "\"Kaifeng\"@en");
        let (_, t) = parse_binding("name=Battle of Caishi").unwrap();
        assert_eq!(t.to_string(), "\"Battle of Caishi\"");
        assert!(parse_binding("novalue").is_err());
    }

    #[test]
    fn every_named_query_has_a_header_and_parses() {
        assert!(named_queries().len() >= 12, "at least 12 named queries");
        for q in named_queries() {
            assert!(!q.title.is_empty(), "{} has no title", q.name);
            assert!(!q.description.is_empty(), "{} has no description", q.name);
            let text = QueryText {
                origin: q.name.into(),
                text: q.text.into(),
            };
            let _prepared = prepare(&text, &[], &Base::default(), Services::Refused)
                .unwrap_or_else(|e| panic!("{}: {e}", q.name));
        }
    }

    #[test]
    fn service_is_found_outside_literals_and_iris() {
        assert!(mentions_service(
            "SELECT * WHERE { SERVICE SILENT <http://x/> { ?s ?p ?o } }"
        ));
        assert!(!mentions_service(
            "SELECT * WHERE { ?s ?p \"SERVICE\" . ?service <http://x/SERVICE> ?o }"
        ));
        assert!(mentions_service(
            "SELECT * WHERE { FILTER(?a < 3 && EXISTS { SERVICE <http://x/> { } }) }"
        ));
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let q = QueryText {
            origin: "x.rq".into(),
            text: "SELECT * WHERE {\n  ?s ?p \n}".into(),
        };
        let err = prepare(&q, &[], &Base::default(), Services::Refused)
            .err()
            .expect("a syntax error")
            .to_string();
        assert!(err.contains("x.rq") && err.contains("at 3:"), "{err}");
    }
}
