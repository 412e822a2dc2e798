//! Vocabulary: one module of IRI constants per namespace, as `oxrdf::vocab`.
//!
//! The `jso` names are the vocabulary contract users' queries depend on;
//! each is declared in `ontology/jinsong.ttl` (a test checks it).

macro_rules! namespace {
    ($(#[$doc:meta])* $module:ident, $ns:literal, { $($name:ident = $local:literal),* $(,)? }) => {
        $(#[$doc])*
        pub mod $module {
            use oxigraph::model::NamedNodeRef;

            /// The namespace IRI.
            pub const NS: &str = $ns;

            $(
                pub const $name: NamedNodeRef<'static> =
                    NamedNodeRef::new_unchecked(concat!($ns, $local));
            )*

            /// Every term of this module.
            pub const ALL: &[NamedNodeRef<'static>] = &[$($name),*];
        }
    };
}

namespace!(
    /// The jinsong ontology.
    jso, "https://w3id.org/jinsong/ontology#", {
    CONFLICT = "Conflict",
    CAMPAIGN = "Campaign",
    BATTLE = "Battle",
    SIEGE = "Siege",
    TREATY = "Treaty",
    POLITY = "Polity",
    PERSON = "Person",
    PLACE = "Place",
    SIDE = "Side",
    INDEMNITY = "Indemnity",
    SOURCE = "Source",
    ABSTRACT = "abstract",
    START_DATE = "startDate",
    END_DATE = "endDate",
    DATE_TEXT = "dateText",
    END_DATE_TEXT = "endDateText",
    DURATION = "duration",
    PLACE_PROP = "place",
    PART_OF = "partOf",
    BELLIGERENT = "belligerent",
    ATTACKER = "attacker",
    COMMANDER = "commander",
    RESULT = "result",
    VICTOR = "victor",
    SIDE_PROP = "side",
    POLITY_PROP = "polity",
    STRENGTH = "strength",
    CASUALTIES = "casualties",
    PARTY = "party",
    BOUNDARY = "boundary",
    INDEMNITY_PROP = "indemnity",
    AMOUNT = "amount",
    UNIT = "unit",
    COMMODITY = "commodity",
    PERIOD = "period",
    CAPITAL = "capital",
    PUPPET_OF = "puppetOf",
    BIRTH_YEAR = "birthYear",
    DEATH_YEAR = "deathYear",
    REIGN_START = "reignStart",
    REIGN_END = "reignEnd",
    ALLEGIANCE = "allegiance",
    ROLE = "role",
    MODERN_NAME = "modernName",
    CAPTION = "caption",
    CONFLICT_NAME = "conflict",
    EVIDENCE = "evidence",
    FORMAT = "format",
    SHA256 = "sha256",
    FILE = "file",
    LINK = "Link",
    LINK_SUBJECT = "linkSubject",
    LINK_TARGET = "linkTarget",
    SCORE = "score",
    METHOD = "method",
    MATCHED_LABEL = "matchedLabel",
    MATCHED_RESOURCE = "matchedResource",
    FETCH = "Fetch",
    ENDPOINT = "endpoint",
    QUERIED_LABEL = "queriedLabel",
    DATA_GRAPH = "dataGraph",
});

namespace!(
    /// NIF 2.0 core.
    nif, "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#", {
    CONTEXT = "Context",
    PHRASE = "Phrase",
    SENTENCE = "Sentence",
    STRING = "String",
    RFC5147_STRING = "RFC5147String",
    BEGIN_INDEX = "beginIndex",
    END_INDEX = "endIndex",
    ANCHOR_OF = "anchorOf",
    REFERENCE_CONTEXT = "referenceContext",
    IS_STRING = "isString",
    SOURCE_URL = "sourceUrl",
});

namespace!(
    /// Internationalization Tag Set.
    itsrdf, "http://www.w3.org/2005/11/its/rdf#", {
    TA_IDENT_REF = "taIdentRef",
});

namespace!(
    /// PROV-O.
    prov, "http://www.w3.org/ns/prov#", {
    ENTITY = "Entity",
    WAS_DERIVED_FROM = "wasDerivedFrom",
    HAD_PRIMARY_SOURCE = "hadPrimarySource",
});

namespace!(
    /// SKOS.
    skos, "http://www.w3.org/2004/02/skos/core#", {
    ALT_LABEL = "altLabel",
    PREF_LABEL = "prefLabel",
    CONCEPT = "Concept",
});

namespace!(
    /// DCMI terms.
    dcterms, "http://purl.org/dc/terms/", {
    TITLE = "title",
    LICENSE = "license",
    SOURCE = "source",
    SUBJECT = "subject",
    FORMAT = "format",
});

namespace!(
    /// FOAF: a source document's `foaf:primaryTopic` is the event it is about.
    foaf, "http://xmlns.com/foaf/0.1/", {
    PRIMARY_TOPIC = "primaryTopic",
});

namespace!(
    /// OWL.
    owl, "http://www.w3.org/2002/07/owl#", {
    SAME_AS = "sameAs",
});

namespace!(
    /// The DBpedia ontology.
    dbo, "http://dbpedia.org/ontology/", {
    MILITARY_CONFLICT = "MilitaryConflict",
    TREATY = "Treaty",
    COUNTRY = "Country",
    PERSON = "Person",
    PLACE = "Place",
    WIKI_PAGE_REDIRECTS = "wikiPageRedirects",
    WIKI_PAGE_DISAMBIGUATES = "wikiPageDisambiguates",
});

/// Prefixes written in Turtle and shown by `describe`.
pub const PREFIXES: &[(&str, &str)] = &[
    ("jso", jso::NS),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("owl", owl::NS),
    ("skos", skos::NS),
    ("dcterms", dcterms::NS),
    ("foaf", foaf::NS),
    ("prov", prov::NS),
    ("nif", nif::NS),
    ("itsrdf", itsrdf::NS),
    ("dbo", dbo::NS),
    ("dbr", "http://dbpedia.org/resource/"),
    ("dbp", "http://dbpedia.org/property/"),
    ("schema", "https://schema.org/"),
];
