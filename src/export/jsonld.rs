//! Compact JSON-LD: quads written as nodes under jinsong's published context
//! (`ontology/context.jsonld`), so that a web developer reads `"label"`,
//! `"startDate"` and `"belligerent"` as plain JSON keys while any JSON-LD
//! processor expands the document to exactly the same RDF.
//!
//! Neither Oxigraph's JSON-LD serializer (streaming, full IRIs as keys) nor
//! sophia's (expanded form) compacts against a given context, so this module
//! does the part of JSON-LD compaction that the context calls for: a term is
//! used for a value only when the term's coercion (`@type: @id`, a datatype,
//! `@language`) fits that value exactly; any other value goes under the
//! property's compact IRI (`jso:result`) as a full value object. Nothing is
//! lost: the interop tests expand the output with rdflib and Jena and compare
//! graphs. Output is sorted, so two exports of one store are byte-identical.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use oxigraph::model::{GraphName, Literal, NamedOrBlankNode, Quad, Term};
use serde_json::{Map, Value, json};

use crate::rdf::emit::Base;

/// The published context, for the default base IRI.
pub const CONTEXT_JSONLD: &str = include_str!("../../ontology/context.jsonld");

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const XSD_STRING: &str = "http://www.w3.org/2001/XMLSchema#string";
const XSD_INTEGER: &str = "http://www.w3.org/2001/XMLSchema#integer";

/// What a term of the context does to its values.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Coercion {
    /// Values are IRIs written as strings.
    Id,
    /// Values are strings with this language tag.
    Language(String),
    /// Values are strings of this datatype (an expanded IRI).
    Datatype(String),
    /// No coercion: plain strings are xsd:string, integers native numbers.
    None,
}

/// The context, read for compaction.
pub struct Context {
    /// The `@context` object as written into the output.
    object: Map<String, Value>,
    /// Namespace IRI → prefix, longest namespaces first.
    prefixes: Vec<(String, String)>,
    /// Property IRI → (term, coercion), in the context's order.
    properties: HashMap<String, Vec<(String, Coercion)>>,
    /// Class IRI → term.
    classes: HashMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error("the JSON-LD context is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the JSON-LD context has no \"@context\" object")]
    NoContext,
    #[error("the JSON-LD context's term {0:?} is not a string or an object with \"@id\"")]
    BadTerm(String),
}

impl Context {
    /// The published context with the `jsr:` and `jsg:` prefixes moved to `base`.
    pub fn for_base(base: &Base) -> Result<Context, ContextError> {
        let mut doc: Value = serde_json::from_str(CONTEXT_JSONLD)?;
        let object = doc
            .get_mut("@context")
            .and_then(Value::as_object_mut)
            .ok_or(ContextError::NoContext)?;
        object.insert("jsr".into(), Value::String(base.resource_prefix()));
        object.insert("jsg".into(), Value::String(base.graph_prefix()));
        Context::from_object(object.clone())
    }

    fn from_object(object: Map<String, Value>) -> Result<Context, ContextError> {
        // Prefixes first: a term's IRI may be a compact IRI over one of them.
        let mut prefix_of: HashMap<String, String> = HashMap::new();
        for (k, v) in &object {
            if let Value::String(ns) = v
                && !k.contains(':')
                && (ns.ends_with('/') || ns.ends_with('#'))
            {
                prefix_of.insert(k.clone(), ns.clone());
            }
        }
        let expand = |s: &str| -> String {
            match s.split_once(':') {
                Some((p, local)) if !local.starts_with("//") => match prefix_of.get(p) {
                    Some(ns) => format!("{ns}{local}"),
                    None => s.to_owned(),
                },
                _ => s.to_owned(),
            }
        };
        let mut properties: HashMap<String, Vec<(String, Coercion)>> = HashMap::new();
        let mut classes = HashMap::new();
        for (k, v) in &object {
            if prefix_of.contains_key(k) || k.starts_with('@') {
                continue;
            }
            match v {
                Value::String(iri) => {
                    let iri = expand(iri);
                    // Class terms start with a capital, as the ontology's classes do.
                    if k.chars().next().is_some_and(char::is_uppercase) {
                        classes.insert(iri.clone(), k.clone());
                    }
                    properties
                        .entry(iri)
                        .or_default()
                        .push((k.clone(), Coercion::None));
                }
                Value::Object(def) => {
                    let iri = def
                        .get("@id")
                        .and_then(Value::as_str)
                        .ok_or_else(|| ContextError::BadTerm(k.clone()))?;
                    let coercion = match (
                        def.get("@type").and_then(Value::as_str),
                        def.get("@language").and_then(Value::as_str),
                    ) {
                        (Some("@id"), _) => Coercion::Id,
                        (Some(t), _) => Coercion::Datatype(expand(t)),
                        (None, Some(l)) => Coercion::Language(l.to_ascii_lowercase()),
                        (None, None) => Coercion::None,
                    };
                    properties
                        .entry(expand(iri))
                        .or_default()
                        .push((k.clone(), coercion));
                }
                _ => return Err(ContextError::BadTerm(k.clone())),
            }
        }
        let mut prefixes: Vec<(String, String)> =
            prefix_of.into_iter().map(|(p, ns)| (ns, p)).collect();
        prefixes.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.cmp(b)));
        Ok(Context {
            object,
            prefixes,
            properties,
            classes,
        })
    }

    /// `prefix:local` when a prefix covers the IRI, else the IRI itself.
    fn compact_iri(&self, iri: &str) -> String {
        for (ns, p) in &self.prefixes {
            if let Some(local) = iri.strip_prefix(ns.as_str())
                && !local.is_empty()
                && !local.starts_with("//")
            {
                return format!("{p}:{local}");
            }
        }
        iri.to_owned()
    }

    fn node_ref(&self, n: &NamedOrBlankNode) -> String {
        match n {
            NamedOrBlankNode::NamedNode(n) => self.compact_iri(n.as_str()),
            NamedOrBlankNode::BlankNode(b) => format!("_:{}", b.as_str()),
        }
    }

    /// The key and JSON value of one (predicate, object) pair.
    fn entry(&self, predicate: &str, object: &Term) -> (String, Value) {
        if let Some(terms) = self.properties.get(predicate) {
            for (term, coercion) in terms {
                if let Some(v) = self.coerced(coercion, object) {
                    return (term.clone(), v);
                }
            }
        }
        (self.compact_iri(predicate), self.value_object(object))
    }

    /// The value as a term with this coercion writes it, if it fits.
    fn coerced(&self, coercion: &Coercion, object: &Term) -> Option<Value> {
        match (coercion, object) {
            (Coercion::Id, Term::NamedNode(n)) => Some(Value::String(self.compact_iri(n.as_str()))),
            (Coercion::Id, Term::BlankNode(b)) => Some(Value::String(format!("_:{}", b.as_str()))),
            (Coercion::Language(l), Term::Literal(lit))
                if lit.language().is_some_and(|t| t.eq_ignore_ascii_case(l)) =>
            {
                Some(Value::String(lit.value().to_owned()))
            }
            (Coercion::Datatype(dt), Term::Literal(lit))
                if lit.language().is_none() && lit.datatype().as_str() == dt =>
            {
                Some(Value::String(lit.value().to_owned()))
            }
            (Coercion::None, Term::Literal(lit)) => Some(self.plain_literal(lit)),
            (Coercion::None, Term::NamedNode(_) | Term::BlankNode(_)) => {
                Some(self.value_object(object))
            }
            _ => None,
        }
    }

    /// A literal under an uncoerced key.
    fn plain_literal(&self, lit: &Literal) -> Value {
        if let Some(lang) = lit.language() {
            return json!({"@value": lit.value(), "@language": lang});
        }
        let dt = lit.datatype().as_str();
        if dt == XSD_STRING {
            return Value::String(lit.value().to_owned());
        }
        // A native number expands to xsd:integer in its canonical form:
        // only such literals, and only where JSON numbers stay exact.
        if dt == XSD_INTEGER
            && let Ok(n) = lit.value().parse::<i64>()
            && n.to_string() == lit.value()
            && n.unsigned_abs() < (1 << 53)
        {
            return Value::from(n);
        }
        json!({"@value": lit.value(), "@type": self.compact_iri(dt)})
    }

    /// Any term as a full JSON-LD value object.
    fn value_object(&self, object: &Term) -> Value {
        match object {
            Term::NamedNode(n) => json!({"@id": self.compact_iri(n.as_str())}),
            Term::BlankNode(b) => json!({"@id": format!("_:{}", b.as_str())}),
            Term::Literal(lit) => self.plain_literal(lit),
            #[allow(unreachable_patterns)]
            _ => json!({"@value": object.to_string()}),
        }
    }

    /// The type of a node: a class term, a compact IRI, or None when the
    /// object cannot stand under `@type` (a literal or a blank node).
    fn type_name(&self, object: &Term) -> Option<String> {
        match object {
            Term::NamedNode(n) => Some(
                self.classes
                    .get(n.as_str())
                    .cloned()
                    .unwrap_or_else(|| self.compact_iri(n.as_str())),
            ),
            _ => None,
        }
    }
}

/// One graph's nodes: subject → key → values.
type Nodes = BTreeMap<String, BTreeMap<String, Vec<Value>>>;

fn add(nodes: &mut Nodes, ctx: &Context, q: &Quad) {
    let subject = ctx.node_ref(&q.subject);
    let node = nodes.entry(subject).or_default();
    if q.predicate.as_str() == RDF_TYPE
        && let Some(t) = ctx.type_name(&q.object)
    {
        node.entry("@type".into())
            .or_default()
            .push(Value::String(t));
        return;
    }
    let (key, value) = ctx.entry(q.predicate.as_str(), &q.object);
    node.entry(key).or_default().push(value);
}

fn node_list(nodes: Nodes) -> Vec<Value> {
    nodes
        .into_iter()
        .map(|(id, props)| {
            let mut m = Map::new();
            m.insert("@id".into(), Value::String(id));
            // `@type` first, then the keys in order; values sorted, and a
            // single value written without its array.
            let mut props: Vec<(String, Vec<Value>)> = props.into_iter().collect();
            props.sort_by(|a, b| (a.0 != "@type", &a.0).cmp(&(b.0 != "@type", &b.0)));
            for (k, mut values) in props {
                values.sort_by_cached_key(|v| v.to_string());
                values.dedup();
                let v = if values.len() == 1 {
                    values.pop().unwrap_or(Value::Null)
                } else {
                    Value::Array(values)
                };
                m.insert(k, v);
            }
            Value::Object(m)
        })
        .collect()
}

/// Writes `quads` as one compact JSON-LD document. Quads of named graphs
/// become named graph objects (`{"@id": "jsg:…", "@graph": […]}`).
pub fn write(quads: &[Quad], ctx: &Context, out: &mut dyn Write) -> std::io::Result<()> {
    let mut default: Nodes = BTreeMap::new();
    let mut named: BTreeMap<String, Nodes> = BTreeMap::new();
    for q in quads {
        match &q.graph_name {
            GraphName::DefaultGraph => add(&mut default, ctx, q),
            GraphName::NamedNode(g) => add(
                named.entry(ctx.compact_iri(g.as_str())).or_default(),
                ctx,
                q,
            ),
            GraphName::BlankNode(b) => add(
                named.entry(format!("_:{}", b.as_str())).or_default(),
                ctx,
                q,
            ),
        }
    }
    let mut graph = node_list(default);
    for (g, nodes) in named {
        graph.push(json!({"@id": g, "@graph": node_list(nodes)}));
    }
    let doc = json!({
        "@context": Value::Object(ctx.object.clone()),
        "@graph": graph,
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{BlankNode, NamedNode};

    fn base() -> Base {
        Base::new(crate::rdf::emit::DEFAULT_BASE).expect("the default base")
    }

    #[test]
    fn the_published_context_parses() {
        let ctx = Context::for_base(&base()).expect("the context");
        assert_eq!(
            ctx.classes.get("https://w3id.org/jinsong/ontology#Battle"),
            Some(&"Battle".to_owned())
        );
        assert_eq!(
            ctx.compact_iri("https://w3id.org/jinsong/resource/Battle_of_Caishi"),
            "jsr:Battle_of_Caishi"
        );
    }

    #[test]
    fn a_term_is_used_only_when_its_coercion_fits() {
        let ctx = Context::for_base(&base()).expect("the context");
        let label = "http://www.w3.org/2000/01/rdf-schema#label";
        let en = Term::from(Literal::new_language_tagged_literal_unchecked(
            "Caishi", "en",
        ));
        assert_eq!(ctx.entry(label, &en), ("label".into(), json!("Caishi")));
        let zh = Term::from(Literal::new_language_tagged_literal_unchecked("采石", "zh"));
        assert_eq!(
            ctx.entry(label, &zh),
            (
                "rdfs:label".into(),
                json!({"@value": "采石", "@language": "zh"})
            )
        );
        let place = "https://w3id.org/jinsong/ontology#place";
        let iri = Term::from(NamedNode::new_unchecked(
            "https://w3id.org/jinsong/resource/Caishi",
        ));
        assert_eq!(
            ctx.entry(place, &iri),
            ("place".into(), json!("jsr:Caishi"))
        );
        let text = Term::from(Literal::new_simple_literal("Caishi"));
        assert_eq!(
            ctx.entry(place, &text),
            ("jso:place".into(), json!("Caishi"))
        );
        let amount = "https://w3id.org/jinsong/ontology#amount";
        let n = Term::from(Literal::new_typed_literal(
            "250000",
            oxigraph::model::vocab::xsd::INTEGER,
        ));
        assert_eq!(ctx.entry(amount, &n), ("amount".into(), json!(250000)));
        // Not canonical, so not a native number: "007" stays as written.
        let odd = Term::from(Literal::new_typed_literal(
            "007",
            oxigraph::model::vocab::xsd::INTEGER,
        ));
        assert_eq!(
            ctx.entry(amount, &odd),
            (
                "amount".into(),
                json!({"@value": "007", "@type": "xsd:integer"})
            )
        );
        let b = Term::from(BlankNode::new_unchecked("s1"));
        assert_eq!(
            ctx.entry("https://w3id.org/jinsong/ontology#side", &b),
            ("side".into(), json!("_:s1"))
        );
    }
}
