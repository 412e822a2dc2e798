//! The human pages: the index, a resource's DBpedia-style page, the query
//! form, and the 404 page. Every text from the store is escaped; pages work
//! without JavaScript.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use oxigraph::model::Term;
use oxigraph::sparql::QueryResults;

use super::{AppState, Shared};
use crate::describe;
use crate::query::{self, display_term};

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a resource name for a path.
pub fn path_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'('
            | b')'
            | b',' => out.push(b as char),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

const STYLE: &str = "body{font-family:sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#222}\
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}\
th{background:#f3f3f3}.g{color:#777;font-size:.85em}.iri{color:#555;font-family:monospace}\
textarea{width:100%;font-family:monospace}nav a{margin-right:1em}";

pub fn layout(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head>\
         <body><nav><a href=\"/\">Index</a><a href=\"/timeline\">Timeline</a><a href=\"/query\">Query</a></nav>\n{body}\n</body></html>\n",
        escape(title)
    )
}

/// The local name of a resource IRI, if it is one of ours.
fn local_name<'a>(state: &AppState, iri: &'a str) -> Option<&'a str> {
    iri.strip_prefix(&state.base.resource_prefix())
}

/// A link to a term: our resources to their pages, others to themselves.
fn term_link(state: &AppState, iri: &str, text: &str) -> String {
    match local_name(state, iri) {
        Some(name) => format!(
            "<a href=\"/page/{}\">{}</a>",
            path_escape(name),
            escape(text)
        ),
        None => format!("<a href=\"{}\">{}</a>", escape(iri), escape(text)),
    }
}

fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    (
        status,
        Html(layout(
            title,
            &format!("<h1>{}</h1><p>{}</p>", escape(title), escape(message)),
        )),
    )
        .into_response()
}

/// The 404 page for a path.
pub fn not_found_page(_state: &AppState, path: &str) -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        "Not found",
        &format!("Nothing is known of {path} in this graph."),
    )
}

pub async fn not_found(State(state): Shared, uri: axum::http::Uri) -> Response {
    not_found_page(&state, uri.path())
}

/// Runs a SELECT of the page's own, with the server's time-out.
async fn select(state: &Arc<AppState>, text: String) -> Result<Vec<Vec<Option<Term>>>, String> {
    super::evaluate(
        state,
        "the page's query",
        text,
        |_| {},
        |results| match results {
            QueryResults::Solutions(s) => {
                let vars = s.variables().to_vec();
                s.map(|r| {
                    r.map(|r| vars.iter().map(|v| r.get(v).cloned()).collect())
                        .map_err(|e| e.to_string())
                })
                .collect()
            }
            _ => Err("not a SELECT query".to_owned()),
        },
    )
    .await
    .map_err(|f| f.to_string())
}

fn lexical(t: &Option<Term>) -> String {
    match t {
        Some(Term::Literal(l)) => l.value().to_owned(),
        Some(Term::NamedNode(n)) => n.as_str().to_owned(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// `/`: the conflicts, campaigns, battles, sieges and treaties, by start.
pub async fn index(State(state): Shared) -> Response {
    let rows = match select(
        &state,
        "SELECT ?e ?c (SAMPLE(?l) AS ?label) (MIN(STR(?s)) AS ?start) WHERE { \
         VALUES ?c { jso:Conflict jso:Campaign jso:Battle jso:Siege jso:Treaty } \
         ?e a ?c ; rdfs:label ?l . OPTIONAL { ?e jso:startDate ?s } } \
         GROUP BY ?e ?c ORDER BY ?start ?label"
            .to_owned(),
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return error_page(StatusCode::SERVICE_UNAVAILABLE, "Index unavailable", &e),
    };
    let mut body = String::from("<h1>The graph</h1>");
    for (class, heading) in [
        ("Conflict", "Conflicts"),
        ("Campaign", "Campaigns"),
        ("Battle", "Battles"),
        ("Siege", "Sieges"),
        ("Treaty", "Treaties"),
    ] {
        let of_class: Vec<&Vec<Option<Term>>> = rows
            .iter()
            .filter(|r| lexical(&r[1]).ends_with(&format!("#{class}")))
            .collect();
        body.push_str(&format!("<h2>{heading} ({})</h2><ul>", of_class.len()));
        for r in of_class {
            let iri = lexical(&r[0]);
            let start = lexical(&r[3]);
            body.push_str(&format!(
                "<li>{}{}</li>",
                term_link(&state, &iri, &lexical(&r[2])),
                if start.is_empty() {
                    String::new()
                } else {
                    format!(" <span class=\"g\">{}</span>", escape(&start))
                }
            ));
        }
        body.push_str("</ul>");
    }
    Html(layout("jinsong", &body)).into_response()
}

/// `/page/X`: the DBpedia-style page of a resource.
pub async fn page(State(state): Shared, Path(name): Path<String>) -> Response {
    let Some(iri) = super::known_resource(&state, &name) else {
        return not_found_page(&state, &format!("/page/{name}"));
    };
    let record = match describe::record(&state.store, &iri, &state.base) {
        Ok(r) => r,
        Err(describe::DescribeError::NotFound(_)) => {
            return not_found_page(&state, &format!("/page/{name}"));
        }
        Err(e) => return error_page(StatusCode::INTERNAL_SERVER_ERROR, "Error", &e.to_string()),
    };
    let mut body = format!(
        "<h1>About: {}</h1><p class=\"iri\">{}</p>",
        escape(&record.title),
        escape(record.iri.as_str())
    );
    if !record.types.is_empty() {
        body.push_str(&format!(
            "<p>An entity of type: {}</p>",
            escape(&record.types.join(", "))
        ));
    }
    if let Some(c) = &record.comment {
        body.push_str(&format!("<p>{}</p>", escape(c)));
    }
    body.push_str("<table><tr><th>Attributes</th><th>Values</th></tr>");
    for (prop, values) in &record.attributes {
        let cells: Vec<String> = values
            .iter()
            .map(|v| {
                let shown = match (&v.resource, &v.language) {
                    (Some(n), _) => term_link(&state, n.as_str(), &v.text),
                    (None, Some(lang)) => format!(
                        "<span lang=\"{0}\">{1}</span> <span class=\"g\">({0})</span>",
                        escape(lang),
                        escape(&v.text)
                    ),
                    (None, None) => escape(&v.text),
                };
                format!(
                    "<li>{shown} <span class=\"g\">[{}]</span></li>",
                    escape(&v.graphs.join(", "))
                )
            })
            .collect();
        body.push_str(&format!(
            "<tr><td>{}</td><td><ul>{}</ul></td></tr>",
            escape(prop),
            cells.join("")
        ));
    }
    body.push_str("</table>");
    let n = path_escape(&name);
    body.push_str(&format!(
        "<p class=\"g\">Data: <a href=\"/data/{n}.ttl\">Turtle</a> · <a href=\"/data/{n}.nt\">N-Triples</a> · \
         <a href=\"/data/{n}.jsonld\">JSON-LD</a> · <a href=\"/data/{n}.rdf\">RDF/XML</a> · <a href=\"/data/{n}.nq\">N-Quads (with graphs)</a></p>"
    ));
    Html(layout(&format!("About: {}", record.title), &body)).into_response()
}

/// `/query`: a form, the named queries as examples, and the results as a table.
pub async fn query_form(State(state): Shared, RawQuery(raw): RawQuery) -> Response {
    let mut text = None;
    let mut named = None;
    for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "query" => text = Some(v.into_owned()),
            "name" => named = Some(v.into_owned()),
            _ => {}
        }
    }
    let queries = query::named_queries();
    if text.is_none()
        && let Some(n) = &named
        && let Some(q) = queries.iter().find(|q| q.name == n)
    {
        text = Some(q.text.to_owned());
    }
    let mut body = String::from("<h1>Query</h1><form method=\"get\" action=\"/query\">");
    body.push_str(&format!(
        "<textarea name=\"query\" rows=\"12\">{}</textarea><p><button type=\"submit\">Run</button></p></form>",
        escape(text.as_deref().unwrap_or("SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10"))
    ));
    body.push_str("<details><summary>Named queries</summary><ul>");
    for q in &queries {
        body.push_str(&format!(
            "<li><a href=\"/query?name={}\">{}</a>: {}</li>",
            path_escape(q.name),
            escape(q.name),
            escape(&q.title)
        ));
    }
    body.push_str("</ul></details>");
    if let Some(t) = text {
        match run_table(&state, t).await {
            Ok(table) => body.push_str(&table),
            Err(e) => body.push_str(&format!("<p><strong>Error:</strong> {}</p>", escape(&e))),
        }
    }
    Html(layout("Query", &body)).into_response()
}

/// A result table: column names, and rows of (text shown, IRI to link).
type Table = (Vec<String>, Vec<Vec<(String, Option<String>)>>);

async fn run_table(state: &Arc<AppState>, text: String) -> Result<String, String> {
    let base = state.base.clone();
    let cap = state.opts.max_results;
    let work = move |results: QueryResults<'static>| -> Result<Table, String> {
        let cell = |t: &Term| -> (String, Option<String>) {
            let iri = match t {
                Term::NamedNode(n) => Some(n.as_str().to_owned()),
                _ => None,
            };
            (display_term(t, &base), iri)
        };
        match results {
            QueryResults::Boolean(b) => {
                Ok((vec!["result".into()], vec![vec![(b.to_string(), None)]]))
            }
            QueryResults::Solutions(s) => {
                let vars = s.variables().to_vec();
                let mut rows = Vec::new();
                for r in s.take(cap) {
                    let r = r.map_err(|e| e.to_string())?;
                    rows.push(
                        vars.iter()
                            .map(|v| r.get(v).map(cell).unwrap_or((String::new(), None)))
                            .collect(),
                    );
                }
                Ok((vars.iter().map(|v| v.as_str().to_owned()).collect(), rows))
            }
            QueryResults::Graph(g) => {
                let mut rows = Vec::new();
                for t in g.take(cap) {
                    let t = t.map_err(|e| e.to_string())?;
                    rows.push(vec![
                        cell(&t.subject.clone().into()),
                        cell(&t.predicate.clone().into()),
                        cell(&t.object),
                    ]);
                }
                Ok((
                    vec!["subject".into(), "predicate".into(), "object".into()],
                    rows,
                ))
            }
        }
    };
    let (header, rows) = super::evaluate(state, "the query", text, |_| {}, work)
        .await
        .map_err(|f| f.to_string())?;
    let mut out = format!("<p>{} rows</p><table><tr>", rows.len());
    for h in &header {
        out.push_str(&format!("<th>{}</th>", escape(h)));
    }
    out.push_str("</tr>");
    for r in rows {
        out.push_str("<tr>");
        for (text, iri) in r {
            let shown = match iri {
                Some(i) => term_link(state, &i, &text),
                None => escape(&text),
            };
            out.push_str(&format!("<td>{shown}</td>"));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    Ok(out)
}
