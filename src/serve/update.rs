//! Writing through the server, off by default: SPARQL 1.1 Update at
//! `/sparql` and the Graph Store HTTP Protocol at `/rdf-graphs`, both behind
//! a bearer token (`--allow-update --token T`). Reading a graph through the
//! Graph Store Protocol needs no token.
//!
//! The default graph is the merge of the named graphs: writes go to named
//! graphs, and after each write the default graph is computed again (a
//! write into the default graph itself is refused).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oxigraph::io::{RdfFormat, RdfParser, RdfSerializer};
use oxigraph::model::{GraphName, GraphNameRef, NamedNode, Quad};
use oxigraph::sparql::SparqlEvaluator;
use oxigraph::store::Store;

use super::{AppState, Shared, text};
use crate::link::merged_graph;

/// Whether a request may write: 403 when writing is off, 401 without the token.
fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), Box<Response>> {
    let Some(token) = &state.opts.update_token else {
        return Err(Box::new(text(
            StatusCode::FORBIDDEN,
            "writing is off on this endpoint (start it with --allow-update --token T)",
        )));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    // Compare without an early exit, so timing tells nothing of the token.
    let ok = given.is_some_and(|g| {
        g.len() == token.len()
            && g.bytes()
                .zip(token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if ok {
        return Ok(());
    }
    let mut r = text(
        StatusCode::UNAUTHORIZED,
        "a bearer token is required to write",
    );
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    Err(Box::new(r))
}

/// Computes the default graph again as the merge of the named graphs.
pub fn remerge(store: &Store, state: &AppState) -> Result<(), oxigraph::store::StorageError> {
    let named: Vec<Quad> = store
        .iter()
        .filter(|q| {
            q.as_ref().map_or(true, |q| match &q.graph_name {
                GraphName::DefaultGraph => false,
                GraphName::NamedNode(n) => merged_graph(&n.clone().into(), &state.base),
                GraphName::BlankNode(b) => merged_graph(&b.clone().into(), &state.base),
            })
        })
        .collect::<Result<_, _>>()?;
    let merged = crate::store::merge(&named);
    let mut tx = store.start_transaction()?;
    tx.clear_graph(GraphNameRef::DefaultGraph)?;
    for q in &merged {
        tx.insert(q);
    }
    tx.commit()?;
    // The store is no longer what the last build made of its sources.
    if let Some(path) = &state.path {
        crate::shards::CacheIndex::forget(path);
    }
    Ok(())
}

/// Runs a SPARQL Update, then recomputes the default graph.
pub async fn run_update(state: Arc<AppState>, headers: &HeaderMap, update: String) -> Response {
    if let Err(r) = authorize(&state, headers) {
        return *r;
    }
    let mut evaluator = SparqlEvaluator::new();
    for (p, ns) in state.base.prefixes() {
        evaluator = match evaluator.with_prefix(p, ns) {
            Ok(e) => e,
            Err(e) => return text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        };
    }
    let prepared = match evaluator.parse_update(&update) {
        Ok(p) => p,
        Err(e) => {
            return text(
                StatusCode::BAD_REQUEST,
                format!("SPARQL syntax error in the update: {e}"),
            );
        }
    };
    let store = state.store.clone();
    let st = state.clone();
    let job = tokio::task::spawn_blocking(move || -> Result<(), String> {
        prepared
            .on_store(&store)
            .execute()
            .map_err(|e| e.to_string())?;
        remerge(&store, &st).map_err(|e| e.to_string())
    });
    match tokio::time::timeout(state.opts.timeout, job).await {
        Err(_) => text(
            StatusCode::SERVICE_UNAVAILABLE,
            "the update ran past the time-out",
        ),
        Ok(Err(e)) => text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Ok(Ok(Err(e))) => text(StatusCode::BAD_REQUEST, format!("update failed: {e}")),
        Ok(Ok(Ok(()))) => StatusCode::NO_CONTENT.into_response(),
    }
}

/// The target graph of a Graph Store Protocol request.
fn target(raw: Option<String>) -> Result<Option<NamedNode>, Box<Response>> {
    let mut graph = None;
    let mut default = false;
    for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "graph" => {
                graph = Some(
                    NamedNode::new(v.as_ref())
                        .map_err(|e| text(StatusCode::BAD_REQUEST, format!("graph {v:?}: {e}")))?,
                )
            }
            "default" => default = true,
            _ => {}
        }
    }
    match (graph, default) {
        (Some(g), false) => Ok(Some(g)),
        (None, true) => Ok(None),
        _ => Err(Box::new(text(
            StatusCode::BAD_REQUEST,
            "name one graph: ?graph=IRI or ?default",
        ))),
    }
}

fn exists(store: &Store, g: &Option<NamedNode>) -> bool {
    match g {
        Some(n) => store.contains_named_graph(n).unwrap_or(false),
        None => true,
    }
}

/// `GET /rdf-graphs?graph=IRI` (or `?default`): the graph, as Turtle or N-Triples.
pub async fn gsp_get(
    State(state): Shared,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let g = match target(raw) {
        Ok(g) => g,
        Err(r) => return *r,
    };
    if !exists(&state.store, &g) {
        return text(StatusCode::NOT_FOUND, "no such graph");
    }
    let format = super::graph_format(None, &headers).unwrap_or(RdfFormat::Turtle);
    let gn = match &g {
        Some(n) => GraphNameRef::NamedNode(n.as_ref()),
        None => GraphNameRef::DefaultGraph,
    };
    let mut w = RdfSerializer::from_format(format).for_writer(Vec::new());
    for q in state.store.quads_for_pattern(None, None, None, Some(gn)) {
        let r = q
            .map_err(std::io::Error::other)
            .and_then(|q| w.serialize_triple(&q.into()));
        if let Err(e) = r {
            return text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
        }
    }
    match w.finish() {
        Ok(b) => super::body_response(format.media_type(), b),
        Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// PUT (replace), POST (add) and DELETE of a named graph.
async fn gsp_write(
    state: Arc<AppState>,
    raw: Option<String>,
    headers: HeaderMap,
    body: Bytes,
    kind: &'static str,
) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return *r;
    }
    let g = match target(raw) {
        Ok(Some(g)) => g,
        Ok(None) => {
            return text(
                StatusCode::BAD_REQUEST,
                "the default graph is the merge of the named graphs: write a named graph",
            );
        }
        Err(r) => return *r,
    };
    let existed = exists(&state.store, &Some(g.clone()));
    let quads: Vec<Quad> = if kind == "DELETE" {
        Vec::new()
    } else {
        let ct = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("text/turtle")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_owned();
        let Some(format) = RdfFormat::from_media_type(&ct).filter(|f| !f.supports_datasets())
        else {
            return text(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("cannot read {ct:?} as a graph"),
            );
        };
        match RdfParser::from_format(format)
            .with_default_graph(g.clone())
            .for_slice(&body)
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(q) => q,
            Err(e) => return text(StatusCode::BAD_REQUEST, e.to_string()),
        }
    };
    if kind == "DELETE" && !existed {
        return text(StatusCode::NOT_FOUND, "no such graph");
    }
    let store = state.store.clone();
    let st = state.clone();
    let job = tokio::task::spawn_blocking(move || -> Result<(), oxigraph::store::StorageError> {
        let mut tx = store.start_transaction()?;
        if kind != "POST" {
            tx.remove_named_graph(g.as_ref())?;
        }
        for q in &quads {
            tx.insert(q);
        }
        tx.commit()?;
        remerge(&store, &st)
    });
    match job.await {
        Ok(Ok(())) if kind == "DELETE" || existed => StatusCode::NO_CONTENT.into_response(),
        Ok(Ok(())) => StatusCode::CREATED.into_response(),
        Ok(Err(e)) => text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

pub async fn gsp_put(State(s): Shared, RawQuery(r): RawQuery, h: HeaderMap, b: Bytes) -> Response {
    gsp_write(s, r, h, b, "PUT").await
}

pub async fn gsp_post(State(s): Shared, RawQuery(r): RawQuery, h: HeaderMap, b: Bytes) -> Response {
    gsp_write(s, r, h, b, "POST").await
}

pub async fn gsp_delete(State(s): Shared, RawQuery(r): RawQuery, h: HeaderMap) -> Response {
    gsp_write(s, r, h, Bytes::new(), "DELETE").await
}
