//! The timeline: an SVG, rendered on the server, of every dated event (one
//! lane per class; spans as bars, single dates as marks) and the polities'
//! lifespans, each linking to its page.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use oxigraph::model::Term;
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;

use super::Shared;
use super::html::{escape, path_escape};
use crate::link::normalize::year_of;
use crate::rdf::emit::Base;

/// One item on the timeline.
#[derive(Debug, Clone)]
struct Item {
    iri: String,
    label: String,
    lane: usize,
    start: i32,
    end: i32,
}

const LANES: &[(&str, &str)] = &[
    ("Polity", "Polities"),
    ("Conflict", "Conflicts"),
    ("Campaign", "Campaigns"),
    ("Battle", "Battles"),
    ("Siege", "Sieges"),
    ("Treaty", "Treaties"),
];

fn items(store: &Store) -> Result<Vec<Item>, String> {
    let q = "PREFIX jso: <https://w3id.org/jinsong/ontology#> \
             PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> \
             SELECT ?e ?c (SAMPLE(?l) AS ?label) (MIN(STR(?s)) AS ?start) (MAX(STR(?x)) AS ?end) WHERE { \
             VALUES ?c { jso:Polity jso:Conflict jso:Campaign jso:Battle jso:Siege jso:Treaty } \
             ?e a ?c ; rdfs:label ?l ; jso:startDate ?s . OPTIONAL { ?e jso:endDate ?x } } GROUP BY ?e ?c";
    let results = SparqlEvaluator::new()
        .parse_query(q)
        .map_err(|e| e.to_string())?
        .on_store(store)
        .execute()
        .map_err(|e| e.to_string())?;
    let QueryResults::Solutions(rows) = results else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for r in rows {
        let r = r.map_err(|e| e.to_string())?;
        let s = |v: &str| -> String {
            match r.get(v) {
                Some(Term::NamedNode(n)) => n.as_str().to_owned(),
                Some(Term::Literal(l)) => l.value().to_owned(),
                _ => String::new(),
            }
        };
        let class = s("c");
        let Some(lane) = LANES
            .iter()
            .position(|(c, _)| class.ends_with(&format!("#{c}")))
        else {
            continue;
        };
        let Some(start) = year_of(&s("start")) else {
            continue;
        };
        let end = year_of(&s("end")).filter(|e| *e >= start).unwrap_or(start);
        out.push(Item {
            iri: s("e"),
            label: s("label"),
            lane,
            start,
            end,
        });
    }
    out.sort_by(|a, b| (a.lane, a.start, &a.label).cmp(&(b.lane, b.start, &b.label)));
    Ok(out)
}

/// The timeline of the store as an SVG document.
pub fn timeline_svg(store: &Store, base: &Base) -> Result<String, String> {
    let items = items(store)?;
    // The span drawn: the events', not the polities' (a dynasty can last
    // centuries around a war).
    let events: Vec<&Item> = items.iter().filter(|i| i.lane > 0).collect();
    let (from, to) = match (
        events.iter().map(|i| i.start).min(),
        events.iter().map(|i| i.end).max(),
    ) {
        (Some(a), Some(b)) => (a - 2, b + 2),
        _ => (0, 1),
    };
    let width = 1200.0_f64;
    let left = 110.0_f64;
    let row = 14.0_f64;
    let x = |y: i32| {
        left + (f64::from(y.clamp(from, to) - from)) / f64::from((to - from).max(1))
            * (width - left - 20.0)
    };
    // Rows within a lane: an item goes to the first row where it fits.
    let mut lanes: Vec<Vec<Vec<(f64, f64)>>> = vec![Vec::new(); LANES.len()];
    let mut placed = Vec::new();
    for it in &items {
        let (x0, x1) = (x(it.start), x(it.end).max(x(it.start) + 4.0));
        let label_width = 5.8 * it.label.chars().count() as f64 + 8.0;
        // A label that would run off the right edge goes left of its mark.
        let left_label = x0 + label_width > width - 4.0;
        let (a, b) = if left_label {
            (x0 - label_width, x1)
        } else {
            (x0, (x0 + label_width).max(x1))
        };
        let rows = &mut lanes[it.lane];
        let r = rows
            .iter()
            .position(|used| used.iter().all(|(ua, ub)| a > *ub + 2.0 || b < *ua - 2.0))
            .unwrap_or_else(|| {
                rows.push(Vec::new());
                rows.len() - 1
            });
        rows[r].push((a, b));
        placed.push((it, r, x0, x1, left_label));
    }
    let mut lane_top = Vec::new();
    let mut y = 40.0;
    for rows in &lanes {
        lane_top.push(y);
        y += (rows.len().max(1) as f64) * row + 16.0;
    }
    let height = y + 30.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"10\">\n\
         <title>Timeline, {from}–{to}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n"
    );
    // Decades as grid lines.
    let mut decade = from - from.rem_euclid(10);
    while decade <= to {
        if decade >= from {
            let gx = x(decade);
            svg.push_str(&format!(
                "<line x1=\"{gx:.1}\" y1=\"24\" x2=\"{gx:.1}\" y2=\"{:.1}\" stroke=\"#eee\"/><text x=\"{gx:.1}\" y=\"20\" text-anchor=\"middle\" fill=\"#666\">{decade}</text>\n",
                height - 20.0
            ));
        }
        decade += 10;
    }
    for (i, (_, name)) in LANES.iter().enumerate() {
        svg.push_str(&format!(
            "<text x=\"8\" y=\"{:.1}\" font-weight=\"bold\" class=\"lane\">{name}</text>\n",
            lane_top[i] + 10.0
        ));
    }
    let colors = [
        "#8c6d31", "#b22222", "#d2691e", "#1f5fa8", "#6a3d9a", "#2e8b57",
    ];
    let prefix = base.resource_prefix();
    for (it, r, x0, x1, left_label) in placed {
        let top = lane_top[it.lane] + r as f64 * row;
        let href = match it.iri.strip_prefix(&prefix) {
            Some(n) => format!("/page/{}", path_escape(n)),
            None => it.iri.clone(),
        };
        let when = if it.end > it.start {
            format!("{}–{}", it.start, it.end)
        } else {
            it.start.to_string()
        };
        let color = colors[it.lane % colors.len()];
        let mark = if it.end > it.start {
            format!(
                "<rect x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"8\" rx=\"2\" fill=\"{color}\" opacity=\"0.75\"/>",
                top + 2.0,
                (x1 - x0).max(2.0)
            )
        } else {
            format!(
                "<circle cx=\"{x0:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{color}\"/>",
                top + 6.0
            )
        };
        svg.push_str(&format!(
            "<a href=\"{}\" xlink:href=\"{}\" class=\"event\"><title>{} ({when})</title>{mark}<text x=\"{:.1}\" y=\"{:.1}\"{}>{}</text></a>\n",
            escape(&href),
            escape(&href),
            escape(&it.label),
            if left_label { x0 - 6.0 } else { x0 + 6.0 },
            top + 10.0,
            if left_label { " text-anchor=\"end\"" } else { "" },
            escape(&it.label)
        ));
    }
    svg.push_str("</svg>\n");
    Ok(svg)
}

/// The timeline of the served store, drawn on a worker thread.
async fn render(state: &super::AppState) -> Result<String, Response> {
    let store = state.store.clone();
    let base = state.base.clone();
    let fail = |e: String| (axum::http::StatusCode::INTERNAL_SERVER_ERROR, e).into_response();
    match tokio::task::spawn_blocking(move || timeline_svg(&store, &base)).await {
        Ok(r) => r.map_err(fail),
        Err(e) => Err(fail(e.to_string())),
    }
}

/// `/timeline.svg`: the picture alone.
pub async fn svg(State(state): Shared) -> Response {
    match render(&state).await {
        Ok(svg) => (
            [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
            svg,
        )
            .into_response(),
        Err(r) => r,
    }
}

/// `/timeline`: a page with the picture inline, so its links work as links.
pub async fn handler(State(state): Shared) -> Response {
    match render(&state).await {
        Ok(svg) => axum::response::Html(super::html::layout(
            "Timeline",
            &format!(
                "<h1>Timeline</h1><p class=\"g\">Spans are bars, single dates are marks; each links to its page. <a href=\"/timeline.svg\">SVG</a></p>\n{svg}"
            ),
        ))
        .into_response(),
        Err(r) => r,
    }
}
