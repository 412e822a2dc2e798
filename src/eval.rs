//! Evaluation of a built graph against a gold standard written by reading
//! the sources (`tests/gold/events.tsv`, `tests/gold/entities.tsv`).
//!
//! The graph is read from the store with SPARQL, so what is measured is what
//! users get. Extracted events are matched one-to-one to gold events: by name
//! (label or alternative label), else by place and year, else (for treaties
//! and campaigns without place) by year and sides. Reported: event precision
//! and recall, the share of matched events whose start date is exactly the
//! gold one, and entity recall, with every miss and false positive listed.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use oxigraph::model::Term;
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;

use crate::extract::norm_key;

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Format {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("query failed: {0}")]
    Query(String),
}

#[derive(Debug, Clone)]
pub struct GoldEvent {
    pub class: String,
    pub names: Vec<String>,
    pub start: String,
    pub end: String,
    pub places: Vec<String>,
    pub belligerents: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct GoldEntity {
    pub class: String,
    pub names: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Gold {
    pub events: Vec<GoldEvent>,
    pub entities: Vec<GoldEntity>,
}

fn read_tsv(path: &Path) -> Result<Vec<HashMap<String, String>>, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|source| EvalError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .ok_or_else(|| EvalError::Format {
            path: path.to_owned(),
            line: 1,
            message: "empty file".into(),
        })?
        .split('\t')
        .collect();
    let mut rows = Vec::new();
    for (i, line) in lines.enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        if cells.len() > header.len() {
            return Err(EvalError::Format {
                path: path.to_owned(),
                line: i + 2,
                message: format!("{} cells for {} columns", cells.len(), header.len()),
            });
        }
        rows.push(
            header
                .iter()
                .enumerate()
                .map(|(k, h)| {
                    (
                        (*h).to_owned(),
                        cells.get(k).copied().unwrap_or("").trim().to_owned(),
                    )
                })
                .collect(),
        );
    }
    Ok(rows)
}

fn split(s: &str) -> Vec<String> {
    s.split('|')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

#[derive(Debug, serde::Deserialize)]
struct Expect {
    #[serde(default)]
    event: Vec<ExpectEvent>,
    #[serde(default)]
    entity: Vec<ExpectEntity>,
}

#[derive(Debug, serde::Deserialize)]
struct ExpectEvent {
    class: String,
    label: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    belligerents: Vec<String>,
}

#[derive(Debug, serde::Deserialize)]
struct ExpectEntity {
    class: String,
    label: String,
    #[serde(default)]
    aliases: Vec<String>,
}

impl Gold {
    /// Reads a gold standard: a directory with `events.tsv` and
    /// `entities.tsv`, or a `.toml` file of `[[event]]` and `[[entity]]` tables.
    pub fn read(path: &Path) -> Result<Gold, EvalError> {
        if path.extension().is_some_and(|e| e == "toml") {
            Self::load_toml(path)
        } else {
            Self::load(path)
        }
    }

    /// Reads expectations written as TOML (`[[event]]`, `[[entity]]`).
    pub fn load_toml(path: &Path) -> Result<Gold, EvalError> {
        let text = std::fs::read_to_string(path).map_err(|source| EvalError::Io {
            path: path.to_owned(),
            source,
        })?;
        let x: Expect = toml::from_str(&text).map_err(|e| EvalError::Format {
            path: path.to_owned(),
            line: 0,
            message: e.to_string(),
        })?;
        let entities: Vec<GoldEntity> = x
            .entity
            .into_iter()
            .map(|e| GoldEntity {
                class: e.class,
                names: std::iter::once(e.label).chain(e.aliases).collect(),
            })
            .collect();
        let aliases_of = |label: &str| -> Vec<String> {
            entities
                .iter()
                .find(|e| e.names[0] == label)
                .map(|e| e.names.clone())
                .unwrap_or_else(|| vec![label.to_owned()])
        };
        let events = x
            .event
            .into_iter()
            .map(|e| GoldEvent {
                class: e.class,
                names: std::iter::once(e.label).chain(e.aliases).collect(),
                start: e.start,
                end: e.end,
                places: if e.place.is_empty() {
                    vec![]
                } else {
                    aliases_of(&e.place)
                },
                belligerents: e.belligerents.iter().flat_map(|b| aliases_of(b)).collect(),
            })
            .collect();
        Ok(Gold { events, entities })
    }

    /// Reads `events.tsv` and `entities.tsv` from a directory.
    pub fn load(dir: &Path) -> Result<Gold, EvalError> {
        let entities: Vec<GoldEntity> = read_tsv(&dir.join("entities.tsv"))?
            .into_iter()
            .map(|r| {
                let mut names = vec![r["label"].clone()];
                names.extend(split(&r["aliases"]));
                GoldEntity {
                    class: r["class"].clone(),
                    names,
                }
            })
            .collect();
        let aliases_of = |label: &str| -> Vec<String> {
            entities
                .iter()
                .find(|e| e.names[0] == label)
                .map(|e| e.names.clone())
                .unwrap_or_else(|| vec![label.to_owned()])
        };
        let events = read_tsv(&dir.join("events.tsv"))?
            .into_iter()
            .map(|r| {
                let mut names = vec![r["label"].clone()];
                names.extend(split(&r["aliases"]));
                GoldEvent {
                    class: r["class"].clone(),
                    names,
                    start: r["start"].clone(),
                    end: r["end"].clone(),
                    places: if r["place"].is_empty() {
                        vec![]
                    } else {
                        aliases_of(&r["place"])
                    },
                    belligerents: split(&r["belligerents"])
                        .iter()
                        .flat_map(|b| aliases_of(b))
                        .collect(),
                }
            })
            .collect();
        Ok(Gold { events, entities })
    }
}

/// An event as the graph holds it.
#[derive(Debug, Clone)]
pub struct GraphEvent {
    pub iri: String,
    pub class: String,
    pub names: Vec<String>,
    pub starts: Vec<String>,
    pub ends: Vec<String>,
    pub places: Vec<String>,
    pub belligerents: Vec<String>,
}

const EVENTS_QUERY: &str = r#"
PREFIX jso: <https://w3id.org/jinsong/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?e ?class
  (GROUP_CONCAT(DISTINCT ?name; separator="|") AS ?names)
  (GROUP_CONCAT(DISTINCT STR(?start); separator="|") AS ?starts)
  (GROUP_CONCAT(DISTINCT STR(?end); separator="|") AS ?ends)
  (GROUP_CONCAT(DISTINCT ?pname; separator="|") AS ?places)
  (GROUP_CONCAT(DISTINCT ?bname; separator="|") AS ?bels)
WHERE {
  VALUES ?class { jso:Conflict jso:Campaign jso:Battle jso:Siege jso:Treaty }
  ?e a ?class .
  { ?e rdfs:label ?name } UNION { ?e skos:altLabel ?name }
  OPTIONAL { ?e jso:startDate ?start }
  OPTIONAL { ?e jso:endDate ?end }
  OPTIONAL { ?e jso:place ?p . { ?p rdfs:label ?pname } UNION { ?p skos:altLabel ?pname } }
  OPTIONAL { { ?e jso:belligerent ?b } UNION { ?e jso:party ?b } { ?b rdfs:label ?bname } UNION { ?b skos:altLabel ?bname } }
}
GROUP BY ?e ?class
"#;

const ENTITIES_QUERY: &str = r#"
PREFIX jso: <https://w3id.org/jinsong/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?e ?class (GROUP_CONCAT(DISTINCT ?name; separator="|") AS ?names)
WHERE {
  VALUES ?class { jso:Polity jso:Person jso:Place }
  ?e a ?class .
  { ?e rdfs:label ?name } UNION { ?e skos:altLabel ?name }
}
GROUP BY ?e ?class
"#;

fn rows(store: &Store, query: &str) -> Result<Vec<HashMap<String, String>>, EvalError> {
    let q = SparqlEvaluator::new()
        .parse_query(query)
        .map_err(|e| EvalError::Query(e.to_string()))?;
    let QueryResults::Solutions(solutions) = q
        .on_store(store)
        .execute()
        .map_err(|e| EvalError::Query(e.to_string()))?
    else {
        return Err(EvalError::Query("not a SELECT".into()));
    };
    let mut out = Vec::new();
    for s in solutions {
        let s = s.map_err(|e| EvalError::Query(e.to_string()))?;
        let mut row = HashMap::new();
        for (v, t) in s.iter() {
            let text = match t {
                Term::NamedNode(n) => n.as_str().to_owned(),
                Term::Literal(l) => l.value().to_owned(),
                other => other.to_string(),
            };
            row.insert(v.as_str().to_owned(), text);
        }
        out.push(row);
    }
    Ok(out)
}

fn local(iri: &str) -> String {
    iri.rsplit(['#', '/']).next().unwrap_or(iri).to_owned()
}

/// Reads the events of the graph.
pub fn graph_events(store: &Store) -> Result<Vec<GraphEvent>, EvalError> {
    Ok(rows(store, EVENTS_QUERY)?
        .into_iter()
        .map(|r| {
            let get = |k: &str| r.get(k).map(|s| split(s)).unwrap_or_default();
            GraphEvent {
                iri: r.get("e").cloned().unwrap_or_default(),
                class: local(r.get("class").map(String::as_str).unwrap_or("")),
                names: get("names"),
                starts: get("starts"),
                ends: get("ends"),
                places: get("places"),
                belligerents: get("bels"),
            }
        })
        .collect())
}

fn family(c: &str) -> u8 {
    match c {
        "Conflict" | "Campaign" => 0,
        "Battle" | "Siege" => 1,
        _ => 2,
    }
}

fn keys(v: &[String]) -> BTreeSet<String> {
    v.iter().map(|s| norm_key(s)).collect()
}

fn years(starts: &[String], ends: &[String]) -> Option<(i32, i32)> {
    let ys: Vec<i32> = starts
        .iter()
        .chain(ends.iter())
        .filter_map(|s| s.get(..4).and_then(|y| y.parse().ok()))
        .collect();
    Some((*ys.iter().min()?, *ys.iter().max()?))
}

/// How well a graph event matches a gold event (0: not at all).
fn score(g: &GoldEvent, x: &GraphEvent) -> u8 {
    if family(&g.class) != family(&x.class) {
        return 0;
    }
    if !keys(&g.names).is_disjoint(&keys(&x.names)) {
        return 4;
    }
    let gy = years(std::slice::from_ref(&g.start), std::slice::from_ref(&g.end));
    let xy = years(&x.starts, &x.ends);
    let overlap = match (gy, xy) {
        (Some((a0, a1)), Some((b0, b1))) => Some(a0 <= b1 && b0 <= a1),
        _ => None,
    };
    let place = !g.places.is_empty() && !keys(&g.places).is_disjoint(&keys(&x.places));
    if place {
        return match overlap {
            Some(true) => 3,
            Some(false) => 0,
            None => 1,
        };
    }
    if !g.places.is_empty() && !x.places.is_empty() {
        return 0;
    }
    let sides = !keys(&g.belligerents).is_disjoint(&keys(&x.belligerents));
    let same_start_year = gy.is_some() && xy.is_some() && gy.map(|y| y.0) == xy.map(|y| y.0);
    match family(&g.class) {
        2 if same_start_year => 2,
        0 if same_start_year && sides => 2,
        _ => 0,
    }
}

/// The evaluation's figures and lists.
#[derive(Debug, Default)]
pub struct Report {
    pub gold_events: usize,
    pub graph_events: usize,
    pub matched: Vec<(usize, String, bool)>,
    pub missed: Vec<String>,
    pub false_positives: Vec<String>,
    pub dates_checked: usize,
    pub dates_right: usize,
    pub wrong_dates: Vec<String>,
    pub gold_entities: usize,
    pub entities_found: usize,
    pub missed_entities: Vec<String>,
}

impl Report {
    pub fn event_precision(&self) -> f64 {
        ratio(self.matched.len(), self.graph_events)
    }
    pub fn event_recall(&self) -> f64 {
        ratio(self.matched.len(), self.gold_events)
    }
    pub fn start_accuracy(&self) -> f64 {
        ratio(self.dates_right, self.dates_checked)
    }
    pub fn entity_recall(&self) -> f64 {
        ratio(self.entities_found, self.gold_entities)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "events: precision {:.3} ({}/{}), recall {:.3} ({}/{})",
            self.event_precision(),
            self.matched.len(),
            self.graph_events,
            self.event_recall(),
            self.matched.len(),
            self.gold_events
        )?;
        writeln!(
            f,
            "start dates exactly right: {:.3} ({}/{})",
            self.start_accuracy(),
            self.dates_right,
            self.dates_checked
        )?;
        writeln!(
            f,
            "entities: recall {:.3} ({}/{})",
            self.entity_recall(),
            self.entities_found,
            self.gold_entities
        )?;
        for m in &self.missed {
            writeln!(f, "  missed event: {m}")?;
        }
        for m in &self.false_positives {
            writeln!(f, "  false positive: {m}")?;
        }
        for m in &self.wrong_dates {
            writeln!(f, "  wrong start: {m}")?;
        }
        for m in &self.missed_entities {
            writeln!(f, "  missed entity: {m}")?;
        }
        Ok(())
    }
}

/// Compares the graph in `store` with `gold`.
pub fn evaluate(store: &Store, gold: &Gold) -> Result<Report, EvalError> {
    let xs = graph_events(store)?;
    // Pairs by how well they match; among equals, those that agree on the
    // start date first (two battles at one place in one year are told apart).
    let mut pairs: Vec<(u8, bool, usize, usize)> = Vec::new();
    for (gi, g) in gold.events.iter().enumerate() {
        for (xi, x) in xs.iter().enumerate() {
            let s = score(g, x);
            if s > 0 {
                let same_start = !g.start.is_empty() && x.starts.contains(&g.start);
                pairs.push((s, same_start, gi, xi));
            }
        }
    }
    pairs.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(b.1.cmp(&a.1))
            .then(a.2.cmp(&b.2))
            .then(a.3.cmp(&b.3))
    });
    let mut g_used = vec![false; gold.events.len()];
    let mut x_used = vec![false; xs.len()];
    let mut report = Report {
        gold_events: gold.events.len(),
        graph_events: xs.len(),
        ..Report::default()
    };
    for (_, _, gi, xi) in pairs {
        if g_used[gi] || x_used[xi] {
            continue;
        }
        g_used[gi] = true;
        x_used[xi] = true;
        let g = &gold.events[gi];
        let x = &xs[xi];
        let mut right = false;
        if !g.start.is_empty() {
            report.dates_checked += 1;
            right = x.starts.contains(&g.start);
            if right {
                report.dates_right += 1;
            } else {
                report.wrong_dates.push(format!(
                    "{} (gold {}, graph {})",
                    g.names[0],
                    g.start,
                    if x.starts.is_empty() {
                        "none".into()
                    } else {
                        x.starts.join("|")
                    }
                ));
            }
        }
        report.matched.push((gi, x.iri.clone(), right));
    }
    for (gi, g) in gold.events.iter().enumerate() {
        if !g_used[gi] {
            report
                .missed
                .push(format!("{} {} ({})", g.class, g.names[0], g.start));
        }
    }
    for (xi, x) in xs.iter().enumerate() {
        if !x_used[xi] {
            report.false_positives.push(format!(
                "{} <{}> ({})",
                x.class,
                x.iri,
                x.starts.join("|")
            ));
        }
    }
    // Entities.
    let ents = rows(store, ENTITIES_QUERY)?;
    let mut by_class: HashMap<String, Vec<BTreeSet<String>>> = HashMap::new();
    for r in &ents {
        let class = local(r.get("class").map(String::as_str).unwrap_or(""));
        by_class.entry(class).or_default().push(keys(&split(
            r.get("names").map(String::as_str).unwrap_or(""),
        )));
    }
    report.gold_entities = gold.entities.len();
    for g in &gold.entities {
        let gk = keys(&g.names);
        let found = by_class
            .get(&g.class)
            .is_some_and(|v| v.iter().any(|names| !names.is_disjoint(&gk)));
        if found {
            report.entities_found += 1;
        } else {
            report
                .missed_entities
                .push(format!("{} {}", g.class, g.names[0]));
        }
    }
    Ok(report)
}
