//! Emission: the resolved knowledge base as quads.
//!
//! One named graph per source (`graph/<id>`) holds exactly what that source
//! states, with the source's own resource (title, origin, format, licence,
//! SHA-256) and the NIF strings of every mention and evidence sentence, with
//! byte offsets into the original file. The source's `foaf:primaryTopic` is
//! the event the document is about. `graph/derived` (what jinsong infers
//! across sources) is the reduce's, in `crate::reduce`.
//! The ontology graph is loaded by the store from `ontology/jinsong.ttl`.

use std::collections::BTreeSet;
use std::ops::Range;

use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{GraphName, Literal, NamedNode, NamedNodeRef, Quad, Term};

use super::vocab::{PREFIXES, dcterms, foaf, itsrdf, jso, nif, prov, skos};
use crate::extract::{EntityClass, EventClass};
use crate::resolve::{KnowledgeBase, Statement};
use crate::sources::Document;

/// The IRIs of resources and graphs under a base.
#[derive(Debug, Clone)]
pub struct Base {
    root: String,
}

/// The default base IRI.
pub const DEFAULT_BASE: &str = "https://w3id.org/jinsong/";

impl Default for Base {
    fn default() -> Self {
        Base {
            root: DEFAULT_BASE.to_owned(),
        }
    }
}

/// An invalid `--base-iri`.
#[derive(Debug, thiserror::Error)]
#[error("invalid base IRI {iri:?}: {message}")]
pub struct BaseError {
    pub iri: String,
    pub message: String,
}

impl Base {
    /// A base IRI; it must be absolute and end with `/` or `#`.
    pub fn new(root: &str) -> Result<Self, BaseError> {
        let err = |message: &str| BaseError {
            iri: root.to_owned(),
            message: message.to_owned(),
        };
        NamedNode::new(root).map_err(|e| err(&e.to_string()))?;
        if !root.ends_with('/') && !root.ends_with('#') {
            return Err(err("it must end with '/' or '#'"));
        }
        Ok(Base {
            root: root.to_owned(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.root
    }

    fn node(&self, path: &str, name: &str) -> NamedNode {
        NamedNode::new_unchecked(format!("{}{path}{}", self.root, escape_iri(name)))
    }

    /// `resource/Category:<name>`: a DBpedia-style category.
    pub fn category(&self, name: &str) -> NamedNode {
        self.node("resource/Category:", name)
    }

    /// `resource/<name>`
    pub fn resource(&self, name: &str) -> NamedNode {
        self.node("resource/", name)
    }

    /// `graph/<id>`
    pub fn graph(&self, id: &str) -> NamedNode {
        self.node("graph/", id)
    }

    /// `source/<id>`: the source document as a resource.
    pub fn source(&self, id: &str) -> NamedNode {
        self.node("source/", id)
    }

    /// A NIF string of a source: `doc/<id>#offset_<begin>_<end>`.
    pub fn nif(&self, id: &str, r: &Range<usize>) -> NamedNode {
        NamedNode::new_unchecked(format!(
            "{}doc/{}#offset_{}_{}",
            self.root,
            escape_iri(id),
            r.start,
            r.end
        ))
    }

    /// The prefix of resource IRIs.
    pub fn resource_prefix(&self) -> String {
        format!("{}resource/", self.root)
    }

    pub fn graph_prefix(&self) -> String {
        format!("{}graph/", self.root)
    }

    /// The common prefixes and this base's own: `jsr:` for resources, `jsg:`
    /// for graphs. Queries predeclare them and output uses them.
    pub fn prefixes(&self) -> Vec<(&'static str, String)> {
        let mut out: Vec<(&'static str, String)> = PREFIXES
            .iter()
            .map(|(p, ns)| (*p, (*ns).to_owned()))
            .collect();
        out.push(("jsr", self.resource_prefix()));
        out.push(("jsg", self.graph_prefix()));
        out
    }
}

/// Percent-encodes what an IRI path segment cannot hold.
pub fn escape_iri(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            ' ' => out.push('_'),
            '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`' | '#' | '?' | '%' => {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c if c.is_control() => {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Named graphs jinsong writes besides one per source.
pub const ONTOLOGY_GRAPH: &str = "ontology";
pub const DERIVED_GRAPH: &str = "derived";

fn en(s: &str) -> Literal {
    Literal::new_language_tagged_literal_unchecked(s, "en")
}

fn typed(v: impl Into<String>, t: NamedNodeRef<'_>) -> Literal {
    Literal::new_typed_literal(v, t)
}

fn gyear(y: i32) -> Literal {
    typed(format!("{y:04}"), xsd::G_YEAR)
}

fn date_literal(d: &crate::extract::dates::Date) -> Literal {
    let t = match d.xsd_type() {
        "date" => xsd::DATE,
        "gYearMonth" => xsd::G_YEAR_MONTH,
        _ => xsd::G_YEAR,
    };
    typed(d.lexical(), t)
}

struct Out<'a> {
    base: &'a Base,
    quads: Vec<Quad>,
    /// FxHash: with SipHash, hashing these quads was an eighth of the map step.
    seen: rustc_hash::FxHashSet<Quad>,
}

impl Out<'_> {
    fn add(&mut self, s: &NamedNode, p: NamedNodeRef<'_>, o: impl Into<Term>, g: &NamedNode) {
        let q = Quad::new(s.clone(), p, o, GraphName::NamedNode(g.clone()));
        if self.seen.insert(q.clone()) {
            self.quads.push(q);
        }
    }
}

/// Counts of what was emitted.
#[derive(Debug, Default, Clone)]
pub struct EmitStats {
    pub facts: usize,
}

/// All quads of a knowledge base built from `docs`.
pub fn emit(kb: &KnowledgeBase, docs: &[Document], base: &Base) -> (Vec<Quad>, EmitStats) {
    let mut out = Out {
        base,
        quads: Vec::new(),
        seen: Default::default(),
    };
    let entity_iri: Vec<NamedNode> = kb.entities.iter().map(|e| base.resource(&e.name)).collect();
    let event_iri: Vec<NamedNode> = kb.events.iter().map(|e| base.resource(&e.name)).collect();

    for doc in docs {
        let id = &doc.meta.id;
        let g = base.graph(id);
        let src = base.source(id);
        // The source document.
        out.add(&g, prov::WAS_DERIVED_FROM, src.clone(), &g);
        out.add(&src, rdf::TYPE, jso::SOURCE, &g);
        out.add(&src, rdf::TYPE, prov::ENTITY, &g);
        if let Some(t) = &doc.meta.title {
            out.add(&src, dcterms::TITLE, en(t), &g);
        }
        if let Some(o) = &doc.meta.origin {
            if let Ok(n) = NamedNode::new(o.as_str()) {
                out.add(&src, prov::HAD_PRIMARY_SOURCE, n, &g);
            }
        }
        if let Some(l) = &doc.meta.licence {
            out.add(&src, dcterms::LICENSE, Literal::new_simple_literal(l), &g);
        }
        out.add(
            &src,
            jso::FORMAT,
            Literal::new_simple_literal(doc.format.name()),
            &g,
        );
        out.add(
            &src,
            jso::SHA256,
            Literal::new_simple_literal(&doc.sha256),
            &g,
        );
        out.add(
            &src,
            jso::FILE,
            Literal::new_simple_literal(doc.meta.path.to_string_lossy()),
            &g,
        );
        // The NIF context: the whole original text.
        let ctx = base.nif(id, &(0..doc.original.len()));
        out.add(&ctx, rdf::TYPE, nif::CONTEXT, &g);
        out.add(&ctx, rdf::TYPE, nif::RFC5147_STRING, &g);
        out.add(
            &ctx,
            nif::IS_STRING,
            Literal::new_simple_literal(&doc.original),
            &g,
        );
        out.add(&ctx, nif::BEGIN_INDEX, typed("0", xsd::INTEGER), &g);
        out.add(
            &ctx,
            nif::END_INDEX,
            typed(doc.original.len().to_string(), xsd::INTEGER),
            &g,
        );
        out.add(&ctx, prov::WAS_DERIVED_FROM, src.clone(), &g);
        if let Some(o) = &doc.meta.origin {
            if let Ok(n) = NamedNode::new(o.as_str()) {
                out.add(&ctx, nif::SOURCE_URL, n, &g);
            }
        }
    }

    // Entities: what each source states, and where.
    for (i, e) in kb.entities.iter().enumerate() {
        let iri = &entity_iri[i];
        let class = match e.class {
            EntityClass::Polity => jso::POLITY,
            EntityClass::Person => jso::PERSON,
            EntityClass::Place => jso::PLACE,
        };
        let sources: BTreeSet<&String> = e.mentions.keys().chain(e.facts.keys()).collect();
        for source in sources {
            let Some(doc) = docs.iter().find(|d| d.meta.id == *source) else {
                continue;
            };
            let g = base.graph(source);
            out.add(iri, rdf::TYPE, class, &g);
            out.add(iri, rdfs::LABEL, en(&e.label), &g);
            let mut surfaces: BTreeSet<String> = BTreeSet::new();
            for m in e.mentions.get(source).into_iter().flatten() {
                surfaces.insert(m.surface.clone());
                mention(&mut out, doc, &m.span, iri, &g, nif::PHRASE);
            }
            if let Some(f) = e.facts.get(source) {
                surfaces.extend(f.aliases.iter().cloned());
                if let Some(y) = f.birth {
                    out.add(iri, jso::BIRTH_YEAR, gyear(y), &g);
                }
                if let Some(y) = f.death {
                    out.add(iri, jso::DEATH_YEAR, gyear(y), &g);
                }
                if let Some((a, b)) = f.reign {
                    out.add(iri, jso::REIGN_START, gyear(a), &g);
                    out.add(iri, jso::REIGN_END, gyear(b), &g);
                }
                for (a, b) in &f.lifespans {
                    out.add(iri, jso::START_DATE, gyear(*a), &g);
                    out.add(iri, jso::END_DATE, gyear(*b), &g);
                }
                for c in &f.capitals {
                    out.add(iri, jso::CAPITAL, entity_iri[*c].clone(), &g);
                }
                for c in &f.allegiance {
                    if *c != i {
                        out.add(iri, jso::ALLEGIANCE, entity_iri[*c].clone(), &g);
                    }
                }
                for c in &f.puppet_of {
                    if *c != i {
                        out.add(iri, jso::PUPPET_OF, entity_iri[*c].clone(), &g);
                    }
                }
                for r in &f.roles {
                    out.add(iri, jso::ROLE, en(r), &g);
                }
                for m in &f.modern_names {
                    out.add(iri, jso::MODERN_NAME, en(m), &g);
                }
            }
            for s in surfaces {
                if s != e.label {
                    out.add(iri, skos::ALT_LABEL, en(&s), &g);
                }
            }
        }
    }

    // Events.
    let mut facts = 0;
    for (i, ev) in kb.events.iter().enumerate() {
        let iri = &event_iri[i];
        let class = match ev.class {
            EventClass::Conflict => jso::CONFLICT,
            EventClass::Campaign => jso::CAMPAIGN,
            EventClass::Battle => jso::BATTLE,
            EventClass::Siege => jso::SIEGE,
            EventClass::Treaty => jso::TREATY,
        };
        for (source, st) in &ev.statements {
            let Some(doc) = docs.iter().find(|d| d.meta.id == *source) else {
                continue;
            };
            let g = base.graph(source);
            facts += 1;
            out.add(iri, rdf::TYPE, class, &g);
            if st.event.subject {
                // What the document is about, as DBpedia says of a page.
                out.add(&base.source(source), foaf::PRIMARY_TOPIC, iri.clone(), &g);
            }
            out.add(iri, rdfs::LABEL, en(&ev.label), &g);
            statement(
                &mut out,
                doc,
                ev.label.as_str(),
                st,
                iri,
                &g,
                &entity_iri,
                &event_iri,
            );
        }
    }

    let stats = EmitStats { facts };
    (out.quads, stats)
}

/// A NIF string for a mention or sentence, linked to what it names.
fn mention(
    out: &mut Out<'_>,
    doc: &Document,
    span: &Range<usize>,
    target: &NamedNode,
    g: &NamedNode,
    kind: NamedNodeRef<'_>,
) -> NamedNode {
    let orig = doc.original_range(span.clone());
    let n = out.base.nif(&doc.meta.id, &orig);
    let ctx = out.base.nif(&doc.meta.id, &(0..doc.original.len()));
    out.add(&n, rdf::TYPE, kind, g);
    out.add(&n, rdf::TYPE, nif::RFC5147_STRING, g);
    out.add(
        &n,
        nif::ANCHOR_OF,
        Literal::new_simple_literal(doc.original.get(orig.clone()).unwrap_or("")),
        g,
    );
    out.add(
        &n,
        nif::BEGIN_INDEX,
        typed(orig.start.to_string(), xsd::INTEGER),
        g,
    );
    out.add(
        &n,
        nif::END_INDEX,
        typed(orig.end.to_string(), xsd::INTEGER),
        g,
    );
    out.add(&n, nif::REFERENCE_CONTEXT, ctx, g);
    if kind == nif::PHRASE {
        out.add(&n, itsrdf::TA_IDENT_REF, target.clone(), g);
    }
    n
}

#[allow(clippy::too_many_arguments)]
fn statement(
    out: &mut Out<'_>,
    doc: &Document,
    label: &str,
    st: &Statement,
    iri: &NamedNode,
    g: &NamedNode,
    entity_iri: &[NamedNode],
    event_iri: &[NamedNode],
) {
    let e = &st.event;
    for n in e.name.iter().chain(e.aliases.iter()) {
        if n != label {
            out.add(iri, skos::ALT_LABEL, en(n), g);
        }
    }
    if let Some(d) = &e.start {
        out.add(iri, jso::START_DATE, date_literal(d), g);
    }
    // A one-day event has the same start and end.
    let end = e.end.or_else(|| {
        e.start.filter(|d| {
            d.day.is_some() && matches!(e.class, EventClass::Battle | EventClass::Treaty)
        })
    });
    if let Some(d) = &end {
        out.add(iri, jso::END_DATE, date_literal(d), g);
    }
    if let Some(t) = &e.date_text {
        out.add(iri, jso::DATE_TEXT, en(t), g);
    }
    if let Some(t) = &e.end_text {
        out.add(iri, jso::END_DATE_TEXT, en(t), g);
    }
    if let Some(d) = &e.duration {
        out.add(iri, jso::DURATION, typed(d.lexical(), xsd::DURATION), g);
    }
    if let Some(p) = st.place {
        out.add(iri, jso::PLACE_PROP, entity_iri[p].clone(), g);
    }
    if let Some(p) = st.part_of {
        out.add(iri, jso::PART_OF, event_iri[p].clone(), g);
    }
    for b in &st.belligerents {
        out.add(iri, jso::BELLIGERENT, entity_iri[*b].clone(), g);
    }
    for b in &st.attackers {
        out.add(iri, jso::ATTACKER, entity_iri[*b].clone(), g);
    }
    for c in &st.commanders {
        out.add(iri, jso::COMMANDER, entity_iri[*c].clone(), g);
    }
    if let Some(v) = st.victor {
        out.add(iri, jso::VICTOR, entity_iri[v].clone(), g);
    }
    for r in &e.result {
        out.add(iri, jso::RESULT, en(r), g);
    }
    for s in &st.sides {
        let Some(p) = s.polity else { continue };
        let side = NamedNode::new_unchecked(format!(
            "{}#side_{}",
            iri.as_str(),
            local_name(&entity_iri[p])
        ));
        out.add(iri, jso::SIDE_PROP, side.clone(), g);
        out.add(&side, rdf::TYPE, jso::SIDE, g);
        out.add(&side, jso::POLITY_PROP, entity_iri[p].clone(), g);
        for c in &s.commanders {
            out.add(&side, jso::COMMANDER, entity_iri[*c].clone(), g);
        }
        if let Some(n) = s.strength {
            out.add(&side, jso::STRENGTH, typed(n.to_string(), xsd::INTEGER), g);
        }
        if let Some(n) = s.casualties {
            out.add(
                &side,
                jso::CASUALTIES,
                typed(n.to_string(), xsd::INTEGER),
                g,
            );
        }
    }
    for p in &st.parties {
        out.add(iri, jso::PARTY, entity_iri[*p].clone(), g);
    }
    for b in &st.boundary {
        out.add(iri, jso::BOUNDARY, entity_iri[*b].clone(), g);
    }
    for (k, ind) in e.indemnities.iter().enumerate() {
        let node = NamedNode::new_unchecked(format!(
            "{}#indemnity_{}_{}",
            iri.as_str(),
            doc.meta.id,
            k + 1
        ));
        out.add(iri, jso::INDEMNITY_PROP, node.clone(), g);
        out.add(&node, rdf::TYPE, jso::INDEMNITY, g);
        out.add(
            &node,
            jso::AMOUNT,
            typed(ind.amount.to_string(), xsd::INTEGER),
            g,
        );
        out.add(&node, jso::UNIT, en(&ind.unit), g);
        if let Some(c) = &ind.commodity {
            out.add(&node, jso::COMMODITY, en(c), g);
        }
        if let Some(p) = &ind.period {
            out.add(&node, jso::PERIOD, typed(p.clone(), xsd::DURATION), g);
        }
        // The words of the payment name it, and are a NIF phrase that identifies it.
        out.add(&node, rdfs::LABEL, en(doc.slice(ind.span.clone())), g);
        let n = mention(out, doc, &ind.span, &node, g, nif::PHRASE);
        out.add(&node, jso::EVIDENCE, n, g);
    }
    // Record fields.
    if let Some(c) = &e.record.comment {
        out.add(iri, rdfs::COMMENT, en(c), g);
    } else if let Some(first) = e
        .evidence
        .iter()
        .find(|r| doc.slice((*r).clone()).split_whitespace().count() >= 5)
    {
        // One sentence of this source that states the event.
        out.add(iri, rdfs::COMMENT, en(doc.slice(first.clone())), g);
    }
    if let Some(a) = &e.record.abstract_ {
        out.add(iri, jso::ABSTRACT, en(a), g);
    }
    for c in &e.record.caption {
        out.add(iri, jso::CAPTION, en(c), g);
    }
    for c in &e.record.conflict {
        out.add(iri, jso::CONFLICT_NAME, en(c), g);
    }
    // Evidence sentences and name mentions.
    for ev in &e.evidence {
        let n = mention(out, doc, ev, iri, g, nif::SENTENCE);
        out.add(iri, jso::EVIDENCE, n, g);
    }
    for m in &e.mentions {
        mention(out, doc, m, iri, g, nif::PHRASE);
    }
}

fn local_name(n: &NamedNode) -> &str {
    let s = n.as_str();
    s.rsplit('/').next().unwrap_or(s)
}
