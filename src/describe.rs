//! `describe`: a resource as DBpedia's page shows it — "About: label", its
//! type and comment, then Attributes | Values with prefixed names, values
//! grouped by property, each with the sources (named graphs) that state it,
//! and the links that point to it ("is jso:partOf of").

use std::collections::BTreeMap;
use std::io::{self, Write};

use oxigraph::model::vocab::{rdf, rdfs};
use oxigraph::model::{NamedNode, NamedNodeRef, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::{StorageError, Store};
use unicode_width::UnicodeWidthStr;

use crate::export::graph_label;
use crate::query::{display_term, prefixed};
use crate::rdf::emit::Base;
use crate::rdf::vocab::{jso, nif};

#[derive(Debug, thiserror::Error)]
pub enum DescribeError {
    #[error("nothing in the store is called {0:?} (try a label, an alias, or an IRI)")]
    NotFound(String),
    #[error("{name:?} names {} resources: {}; give the IRI of the one you mean", candidates.len(), candidates.join(", "))]
    Ambiguous {
        name: String,
        candidates: Vec<String>,
    },
    #[error("cannot read the store: {0}")]
    Store(String),
    #[error("cannot write: {0}")]
    Write(#[from] io::Error),
}

impl From<StorageError> for DescribeError {
    fn from(e: StorageError) -> Self {
        DescribeError::Store(e.to_string())
    }
}

fn select(store: &Store, query: &str) -> Result<Vec<Vec<Option<Term>>>, DescribeError> {
    let q = SparqlEvaluator::new()
        .parse_query(query)
        .map_err(|e| DescribeError::Store(e.to_string()))?;
    let QueryResults::Solutions(sols) = q
        .on_store(store)
        .execute()
        .map_err(|e| DescribeError::Store(e.to_string()))?
    else {
        return Ok(Vec::new());
    };
    let vars = sols.variables().to_vec();
    let mut out = Vec::new();
    for s in sols {
        let s = s.map_err(|e| DescribeError::Store(e.to_string()))?;
        out.push(vars.iter().map(|v| s.get(v).cloned()).collect());
    }
    Ok(out)
}

fn sparql_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Finds the resource a user means: an IRI, a `jsr:` name, a label or an alias.
pub fn find(store: &Store, name: &str, base: &Base) -> Result<NamedNode, DescribeError> {
    let trimmed = name.trim();
    if let Some(local) = trimmed.strip_prefix("jsr:") {
        return Ok(base.resource(local));
    }
    if trimmed.starts_with('<') || trimmed.contains("://") {
        return NamedNode::new(trimmed.trim_matches(['<', '>']))
            .map_err(|_| DescribeError::NotFound(name.to_owned()));
    }
    // Labels first, then alternative labels; case and spacing do not matter.
    let q = format!(
        "SELECT DISTINCT ?s ?alt WHERE {{ \
           {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l BIND(false AS ?alt) }} \
           UNION {{ ?s <http://www.w3.org/2004/02/skos/core#altLabel> ?l BIND(true AS ?alt) }} \
           FILTER(LCASE(STR(?l)) = LCASE({})) \
           FILTER(STRSTARTS(STR(?s), {})) \
         }}",
        sparql_string(&trimmed.split_whitespace().collect::<Vec<_>>().join(" ")),
        sparql_string(&base.resource_prefix())
    );
    let rows = select(store, &q)?;
    let mut labelled: Vec<NamedNode> = Vec::new();
    let mut aliased: Vec<NamedNode> = Vec::new();
    for r in rows {
        if let (Some(Term::NamedNode(s)), Some(Term::Literal(alt))) = (&r[0], &r[1]) {
            let list = if alt.value() == "true" {
                &mut aliased
            } else {
                &mut labelled
            };
            if !list.contains(s) {
                list.push(s.clone());
            }
        }
    }
    aliased.retain(|a| !labelled.contains(a));
    let pick = if !labelled.is_empty() {
        labelled
    } else {
        aliased
    };
    match pick.len() {
        0 => {
            // A resource name typed directly: "Battle_of_Caishi".
            let direct = base.resource(trimmed);
            if store
                .quads_for_pattern(Some(direct.as_ref().into()), Some(rdf::TYPE), None, None)
                .next()
                .is_some()
            {
                return Ok(direct);
            }
            // "the Prince of Hailing": names are stored without the article.
            let article = trimmed
                .get(..4)
                .is_some_and(|a| a.eq_ignore_ascii_case("the "));
            if article {
                return find(store, &trimmed[4..], base).map_err(|e| match e {
                    DescribeError::NotFound(_) => DescribeError::NotFound(name.to_owned()),
                    other => other,
                });
            }
            Err(DescribeError::NotFound(name.to_owned()))
        }
        1 => Ok(pick.into_iter().next().expect("one")),
        _ => Err(DescribeError::Ambiguous {
            name: name.to_owned(),
            candidates: pick.iter().map(|n| prefixed(n.as_str(), base)).collect(),
        }),
    }
}

/// One value of a record: as shown, the resource it names (if any), and
/// the graphs that state it.
#[derive(Debug, Clone)]
pub struct Value {
    pub text: String,
    pub resource: Option<NamedNode>,
    /// The language tag of a literal.
    pub language: Option<String>,
    pub graphs: Vec<String>,
}

/// A resource's DBpedia-style record: "About: label", its types and
/// comment, then attributes and their values with the graphs stating each.
#[derive(Debug, Clone)]
pub struct Record {
    pub iri: NamedNode,
    pub title: String,
    pub types: Vec<String>,
    pub comment: Option<String>,
    /// (property as shown, the property's IRI if outgoing, values)
    pub attributes: Vec<(String, Vec<Value>)>,
}

/// Prints the DBpedia-style record of `iri`.
pub fn describe(
    store: &Store,
    iri: &NamedNode,
    base: &Base,
    out: &mut dyn Write,
) -> Result<(), DescribeError> {
    let r = record(store, iri, base)?;
    writeln!(out, "About: {}", r.title)?;
    writeln!(out, "{}", r.iri.as_str())?;
    if !r.types.is_empty() {
        writeln!(out, "An entity of type: {}", r.types.join(", "))?;
    }
    if let Some(c) = &r.comment {
        writeln!(out)?;
        writeln!(out, "{}", wrap(c, 100))?;
    }
    writeln!(out)?;
    let width = r
        .attributes
        .iter()
        .map(|(k, _)| k.width())
        .max()
        .unwrap_or(10)
        .max("Attributes".len());
    writeln!(out, "{:width$} | Values", "Attributes")?;
    writeln!(out, "{}-+-{}", "-".repeat(width), "-".repeat(60))?;
    for (prop, values) in &r.attributes {
        let mut first = true;
        for v in values {
            let cell = format!("{}   [{}]", v.text, v.graphs.join(", "));
            let name = if first { prop.as_str() } else { "" };
            writeln!(out, "{name:width$} | {cell}")?;
            first = false;
        }
    }
    Ok(())
}

/// The record of `iri`, from the named graphs (the default graph, their
/// merge, would hide who states what).
pub fn record(store: &Store, iri: &NamedNode, base: &Base) -> Result<Record, DescribeError> {
    let subject = iri.as_ref();
    let mut targets: BTreeMap<String, NamedNode> = BTreeMap::new();
    let mut languages: BTreeMap<String, String> = BTreeMap::new();
    // property → value → graphs
    let mut attrs: BTreeMap<(u8, String), BTreeMap<String, Vec<String>>> = BTreeMap::new();
    let mut label = None;
    let mut comment = None;
    let mut types = Vec::new();
    let mut any = false;
    for q in store.quads_for_pattern(Some(subject.into()), None, None, None) {
        let q = q?;
        if q.graph_name.is_default_graph() {
            // The merge: the named graphs below say who states each value.
            continue;
        }
        any = true;
        let p = q.predicate.as_ref();
        let g = graph_label(&q.graph_name, base);
        if p == rdfs::LABEL && label.is_none() {
            label = Some(display_term(&q.object, base));
        }
        if p == rdfs::COMMENT && comment.is_none() {
            comment = Some(display_term(&q.object, base));
        }
        if p == rdf::TYPE {
            let t = display_term(&q.object, base);
            if !types.contains(&t) {
                types.push(t);
            }
        }
        let value = value_text(store, &q.object, p, base)?;
        if let Term::NamedNode(n) = &q.object
            && p != jso::EVIDENCE
        {
            targets.insert(value.clone(), n.clone());
        }
        if let Term::Literal(l) = &q.object
            && let Some(lang) = l.language()
        {
            languages.insert(value.clone(), lang.to_owned());
        }
        attrs
            .entry(property_key(p, base))
            .or_default()
            .entry(value)
            .or_default()
            .push(g);
    }
    // Incoming links: "is jso:partOf of".
    for q in store.quads_for_pattern(None, None, Some(subject.into()), None) {
        let q = q?;
        if q.graph_name.is_default_graph() {
            continue;
        }
        let p = q.predicate.as_ref();
        if p.as_str().starts_with(nif::NS)
            || p == oxigraph::model::NamedNodeRef::new_unchecked(
                "http://www.w3.org/2005/11/its/rdf#taIdentRef",
            )
        {
            continue;
        }
        any = true;
        let g = graph_label(&q.graph_name, base);
        let text = display_term(&q.subject.clone().into(), base);
        if let oxigraph::model::NamedOrBlankNode::NamedNode(n) = &q.subject {
            targets.insert(text.clone(), n.clone());
        }
        attrs
            .entry((9, format!("is {} of", prefixed(p.as_str(), base))))
            .or_default()
            .entry(text)
            .or_default()
            .push(g);
    }
    if !any {
        return Err(DescribeError::NotFound(iri.to_string()));
    }
    let title = label.unwrap_or_else(|| prefixed(iri.as_str(), base));
    let attributes = attrs
        .into_iter()
        .map(|((_, prop), values)| {
            let values = values
                .into_iter()
                .map(|(text, mut graphs)| {
                    graphs.sort();
                    graphs.dedup();
                    Value {
                        resource: targets.get(&text).cloned(),
                        language: languages.get(&text).cloned(),
                        text,
                        graphs,
                    }
                })
                .collect();
            (prop, values)
        })
        .collect();
    Ok(Record {
        iri: iri.clone(),
        title,
        types,
        comment,
        attributes,
    })
}

/// Orders the record like DBpedia: type and labels first, then the rest.
fn property_key(p: NamedNodeRef<'_>, base: &Base) -> (u8, String) {
    let name = prefixed(p.as_str(), base);
    let rank = match name.as_str() {
        "rdf:type" => 0,
        "rdfs:label" => 1,
        "skos:altLabel" => 2,
        "rdfs:comment" => 3,
        _ => 5,
    };
    (rank, name)
}

/// A value as shown: evidence strings show their words and offsets.
fn value_text(
    store: &Store,
    o: &Term,
    p: NamedNodeRef<'_>,
    base: &Base,
) -> Result<String, DescribeError> {
    if p == jso::EVIDENCE {
        if let Term::NamedNode(n) = o {
            let anchor = store
                .quads_for_pattern(Some(n.as_ref().into()), Some(nif::ANCHOR_OF), None, None)
                .next()
                .transpose()?
                .map(|q| display_term(&q.object, base));
            if let Some(a) = anchor {
                let offsets = n
                    .as_str()
                    .rsplit('#')
                    .next()
                    .unwrap_or("")
                    .trim_start_matches("offset_")
                    .replace('_', "–");
                return Ok(format!("\"{}\" (bytes {offsets})", truncate(&a, 90)));
            }
        }
    }
    let s = display_term(o, base);
    Ok(match o {
        Term::Literal(l)
            if l.datatype().as_str() != "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
                && l.datatype().as_str() != "http://www.w3.org/2001/XMLSchema#string" =>
        {
            format!(
                "{} ({})",
                truncate(&s, 200),
                prefixed(l.datatype().as_str(), base)
            )
        }
        _ => truncate(&s, 200),
    })
}

fn truncate(s: &str, n: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= n {
        return s.to_owned();
    }
    let cut: String = s.chars().take(n).collect();
    format!("{cut}…")
}

fn wrap(s: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for w in s.split_whitespace() {
        if line > 0 && line + 1 + w.len() > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(w);
        line += w.len();
    }
    out
}
