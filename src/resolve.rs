//! Resolution: one entity per real thing across all sources.
//!
//! Entities of the documents are merged by their normalized key and by the
//! aliases the texts give them ("Wanyan Liang (the Prince of Hailing)",
//! "Hangzhou ... renamed Lin'an"); homonyms stay apart because extraction
//! qualifies them by their life spans. Events are merged by name (compared
//! through the corpus's aliases: "Jurchen campaigns against the Song Dynasty"
//! and "Jin campaigns against the Song dynasty" are one name), then by what
//! they are: the same siege at the same place in the same years, the treaty
//! of the same year, the campaign of the same sides and year. What each
//! source states stays with that source: a resolved event keeps one statement
//! per source, and the emitter writes each into its source's graph.
//! Labels and IRI names are chosen here, DBpedia-style.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::extract::{
    DateSource, EntityClass, EntityFacts, Event, EventClass, Extraction, Mention, Side, norm_key,
};

/// An entity of the knowledge graph.
#[derive(Debug, Clone)]
pub struct Entity {
    pub label: String,
    /// DBpedia-style resource name (`Zhang_Jun_(1086–1154)`).
    pub name: String,
    pub class: EntityClass,
    /// Every other surface form, over all sources.
    pub alt_labels: BTreeSet<String>,
    /// What each source states about it, with entity references as indexes.
    pub facts: BTreeMap<String, Facts>,
    /// Mentions per source.
    pub mentions: BTreeMap<String, Vec<Mention>>,
}

/// [`EntityFacts`] with references resolved to entity indexes.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub aliases: BTreeSet<String>,
    pub birth: Option<i32>,
    pub death: Option<i32>,
    pub reign: Option<(i32, i32)>,
    pub lifespans: BTreeSet<(i32, i32)>,
    pub capitals: BTreeSet<usize>,
    pub allegiance: BTreeSet<usize>,
    pub puppet_of: BTreeSet<usize>,
    pub roles: BTreeSet<String>,
    pub modern_names: BTreeSet<String>,
}

/// An event of the knowledge graph.
#[derive(Debug, Clone)]
pub struct ResolvedEvent {
    pub label: String,
    pub name: String,
    pub class: EventClass,
    pub alt_labels: BTreeSet<String>,
    /// What each source states about it.
    pub statements: BTreeMap<String, Statement>,
    /// Index of the event it is part of.
    pub part_of: Option<usize>,
    /// The subject of at least one document.
    pub subject: bool,
}

/// One source's statement of an event, with references as entity indexes.
#[derive(Debug, Clone)]
pub struct Statement {
    pub event: Event,
    pub place: Option<usize>,
    pub belligerents: BTreeSet<usize>,
    pub attackers: BTreeSet<usize>,
    pub targets: BTreeSet<usize>,
    pub commanders: BTreeSet<usize>,
    pub victor: Option<usize>,
    pub parties: BTreeSet<usize>,
    pub boundary: BTreeSet<usize>,
    pub sides: Vec<ResolvedSide>,
    pub part_of: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct ResolvedSide {
    pub polity: Option<usize>,
    pub commanders: BTreeSet<usize>,
    pub strength: Option<u64>,
    pub casualties: Option<u64>,
}

/// The resolved knowledge base.
#[derive(Debug, Default)]
pub struct KnowledgeBase {
    pub entities: Vec<Entity>,
    pub events: Vec<ResolvedEvent>,
}

impl KnowledgeBase {
    pub fn entity_by_label(&self, label: &str) -> Option<usize> {
        self.entities.iter().position(|e| e.label == label)
    }
}

/// Resolves the extractions of a corpus into one knowledge base.
pub fn resolve(extractions: &[Extraction]) -> KnowledgeBase {
    let mut kb = KnowledgeBase::default();
    let ids = resolve_entities(extractions, &mut kb);
    resolve_events(extractions, &ids, &mut kb);
    name_resources(&mut kb);
    kb
}

/// (source, local key) → entity index.
type EntityIds = HashMap<(String, String), usize>;

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind((0..n).collect())
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[b.max(a)] = a.min(b);
        }
    }
}

/// The key entities are merged by: the normalized name, with "northern X"
/// read as "North X" (DBpedia's "North China" is northern China).
pub(crate) fn entity_key(name: &str) -> String {
    let k = norm_key(name);
    for (adj, dir) in [
        ("northern ", "north "),
        ("southern ", "south "),
        ("eastern ", "east "),
        ("western ", "west "),
        ("northeastern ", "northeast "),
        ("northwestern ", "northwest "),
        ("southeastern ", "southeast "),
        ("southwestern ", "southwest "),
    ] {
        if let Some(rest) = k.strip_prefix(adj) {
            return format!("{dir}{rest}");
        }
    }
    k
}

/// A person's key with its life-span qualifier split off.
pub(crate) fn split_qualifier(key: &str) -> (&str, Option<&str>) {
    if let Some(open) = key.rfind(" (") {
        if key.ends_with(')')
            && key[open + 2..key.len() - 1]
                .chars()
                .any(|c| c.is_ascii_digit())
        {
            return (&key[..open], Some(&key[open + 1..]));
        }
    }
    (key, None)
}

fn resolve_entities(extractions: &[Extraction], kb: &mut KnowledgeBase) -> EntityIds {
    // Nodes: distinct normalized keys.
    let mut node_of: HashMap<String, usize> = HashMap::new();
    let mut keys: Vec<String> = Vec::new();
    let mut node = |k: &str, keys: &mut Vec<String>| -> usize {
        let n = entity_key(k);
        let len = node_of.len();
        *node_of.entry(n).or_insert_with(|| {
            keys.push(k.to_owned());
            len
        })
    };
    let mut local: Vec<(String, String, usize)> = Vec::new();
    for x in extractions {
        for e in x.entities() {
            let id = node(&e.key, &mut keys);
            local.push((x.source.clone(), e.key.clone(), id));
        }
    }
    // Aliases that are themselves entity keys join their entities.
    let mut uf = UnionFind::new(keys.len());
    for x in extractions {
        for e in x.entities() {
            let a = node_of[&entity_key(&e.key)];
            for alias in &e.facts.aliases {
                if let Some(&b) = node_of.get(&entity_key(alias)) {
                    let (ka, kb_) = (&keys[a], &keys[b]);
                    // Never join two homonyms told apart by their life spans.
                    let (na, qa) = split_qualifier(ka);
                    let (nb, qb) = split_qualifier(kb_);
                    if qa.is_some() && qb.is_some() && qa != qb {
                        continue;
                    }
                    if qa.is_some() != qb.is_some() && norm_key(na) == norm_key(nb) {
                        continue;
                    }
                    uf.union(a, b);
                }
            }
        }
    }
    // Clusters → entities.
    let mut cluster_entity: HashMap<usize, usize> = HashMap::new();
    let mut surfaces: Vec<BTreeMap<String, (BTreeSet<String>, usize)>> = Vec::new();
    let mut classes: Vec<BTreeMap<EntityClass, usize>> = Vec::new();
    let mut ids: EntityIds = HashMap::new();
    for (source, key, n) in &local {
        let root = uf.find(*n);
        let idx = *cluster_entity.entry(root).or_insert_with(|| {
            kb.entities.push(Entity {
                label: String::new(),
                name: String::new(),
                class: EntityClass::Place,
                alt_labels: BTreeSet::new(),
                facts: BTreeMap::new(),
                mentions: BTreeMap::new(),
            });
            surfaces.push(BTreeMap::new());
            classes.push(BTreeMap::new());
            kb.entities.len() - 1
        });
        ids.insert((source.clone(), key.clone()), idx);
        let entry = surfaces[idx].entry(key.clone()).or_default();
        entry.0.insert(source.clone());
    }
    for x in extractions {
        for m in &x.mentions {
            if let Some(&idx) = ids.get(&(x.source.clone(), m.key.clone())) {
                let entry = surfaces[idx].entry(m.key.clone()).or_default();
                entry.1 += 1;
                *classes[idx].entry(m.class).or_default() += 1;
                kb.entities[idx]
                    .mentions
                    .entry(x.source.clone())
                    .or_default()
                    .push(m.clone());
            }
        }
        for e in x.entities() {
            if let Some(&idx) = ids.get(&(x.source.clone(), e.key.clone())) {
                *classes[idx].entry(e.class).or_default() += 1;
            }
        }
    }
    // Label: the key written by most sources, then most often; class: the most voted.
    for (idx, e) in kb.entities.iter_mut().enumerate() {
        let best = surfaces[idx]
            .iter()
            .max_by(|a, b| {
                (a.1.0.len(), a.1.1, std::cmp::Reverse(a.0.len()))
                    .cmp(&(b.1.0.len(), b.1.1, std::cmp::Reverse(b.0.len())))
                    .then_with(|| b.0.cmp(a.0))
            })
            .map(|(k, _)| k.clone())
            .unwrap_or_default();
        e.label = best;
        e.class = classes[idx]
            .iter()
            .max_by_key(|(c, n)| (**n, std::cmp::Reverse(**c)))
            .map(|(c, _)| *c)
            .unwrap_or(EntityClass::Place);
        for k in surfaces[idx].keys() {
            if *k != e.label {
                e.alt_labels.insert(split_qualifier(k).0.to_owned());
            }
        }
    }
    // Facts per source, with references resolved.
    for x in extractions {
        for e in x.entities() {
            let Some(&idx) = ids.get(&(x.source.clone(), e.key.clone())) else {
                continue;
            };
            let facts = resolve_facts(&x.source, &e.facts, &ids);
            let label = kb.entities[idx].label.clone();
            let ent = &mut kb.entities[idx];
            for a in &facts.aliases {
                if *a != label && split_qualifier(&label).0 != a {
                    ent.alt_labels.insert(a.clone());
                }
            }
            let slot = ent.facts.entry(x.source.clone()).or_default();
            merge_facts(slot, facts);
        }
        for m in &x.mentions {
            if let Some(&idx) = ids.get(&(x.source.clone(), m.key.clone())) {
                let label = kb.entities[idx].label.clone();
                if m.surface != label && split_qualifier(&label).0 != m.surface {
                    kb.entities[idx].alt_labels.insert(m.surface.clone());
                }
            }
        }
    }
    ids
}

fn resolve_facts(source: &str, f: &EntityFacts, ids: &EntityIds) -> Facts {
    let look = |k: &String| ids.get(&(source.to_owned(), k.clone())).copied();
    Facts {
        aliases: f.aliases.clone(),
        birth: f.birth.as_ref().map(|s| s.value),
        death: f.death.as_ref().map(|s| s.value),
        reign: f.reign.as_ref().map(|s| s.value),
        lifespans: f.lifespans.iter().map(|s| s.value).collect(),
        capitals: f.capitals.iter().filter_map(look).collect(),
        allegiance: f.allegiance.iter().filter_map(look).collect(),
        puppet_of: f.puppet_of.iter().filter_map(look).collect(),
        roles: f.roles.clone(),
        modern_names: f.modern_names.clone(),
    }
}

fn merge_facts(a: &mut Facts, b: Facts) {
    a.aliases.extend(b.aliases);
    a.birth = a.birth.or(b.birth);
    a.death = a.death.or(b.death);
    a.reign = a.reign.or(b.reign);
    a.lifespans.extend(b.lifespans);
    a.capitals.extend(b.capitals);
    a.allegiance.extend(b.allegiance);
    a.puppet_of.extend(b.puppet_of);
    a.roles.extend(b.roles);
    a.modern_names.extend(b.modern_names);
}

/// A name compared through entity labels: "Jurchen campaigns against the Song
/// Dynasty" and "Jin campaigns against the Song dynasty" give the same
/// signature. `entity` says which entity a normalized phrase of one to three
/// words names, if any.
pub(crate) fn name_signature(name: &str, entity: impl Fn(&str) -> Option<usize>) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let mut matched = false;
        for len in (1..=3).rev() {
            if i + len > words.len() {
                continue;
            }
            if let Some(e) = entity(&norm_key(&words[i..i + len].join(" "))) {
                out.push(format!("#{e}"));
                i += len;
                matched = true;
                break;
            }
        }
        if !matched {
            let w = norm_key(words[i]);
            if w != "the" && w != "dynasty" && w != "of" {
                out.push(w);
            }
            i += 1;
        }
    }
    out.join(" ")
}

/// [`name_signature`] with the entities one source names, then any source's.
fn signature(
    name: &str,
    source: &str,
    words_to_entity: &HashMap<(String, String), usize>,
) -> String {
    name_signature(name, |phrase| {
        words_to_entity
            .get(&(source.to_owned(), phrase.to_owned()))
            .or_else(|| words_to_entity.get(&(String::new(), phrase.to_owned())))
            .copied()
    })
}

fn resolve_events(extractions: &[Extraction], ids: &EntityIds, kb: &mut KnowledgeBase) {
    // Surface forms of entities, for name signatures.
    let mut words_to_entity: HashMap<(String, String), usize> = HashMap::new();
    for x in extractions {
        for m in &x.mentions {
            if let Some(&i) = ids.get(&(x.source.clone(), m.key.clone())) {
                words_to_entity.insert((x.source.clone(), norm_key(&m.surface)), i);
                words_to_entity.insert((String::new(), norm_key(&m.surface)), i);
            }
        }
    }
    for (i, e) in kb.entities.iter().enumerate() {
        words_to_entity.insert((String::new(), norm_key(&e.label)), i);
    }
    // Statements with resolved references.
    struct Local {
        source: String,
        st: Statement,
        signatures: BTreeSet<String>,
        rank: u8,
    }
    let mut locals: Vec<Local> = Vec::new();
    for x in extractions {
        let look = |k: &String| ids.get(&(x.source.clone(), k.clone())).copied();
        for e in &x.events {
            let st = Statement {
                event: e.clone(),
                place: e.place.as_ref().and_then(look),
                belligerents: e.belligerents.iter().filter_map(look).collect(),
                attackers: e.attackers.iter().filter_map(look).collect(),
                targets: e.targets.iter().filter_map(look).collect(),
                commanders: e.commanders.iter().filter_map(look).collect(),
                victor: e.victor.as_ref().and_then(look),
                parties: e.parties.iter().filter_map(look).collect(),
                boundary: e.boundary.iter().filter_map(look).collect(),
                sides: e
                    .sides
                    .iter()
                    .map(|s: &Side| ResolvedSide {
                        polity: s.polity.as_ref().and_then(look),
                        commanders: s.commanders.iter().filter_map(look).collect(),
                        strength: s.strength,
                        casualties: s.casualties,
                    })
                    .collect(),
                part_of: None,
            };
            let mut signatures = BTreeSet::new();
            for n in e.name.iter().chain(e.aliases.iter()) {
                signatures.insert(signature(n, &x.source, &words_to_entity));
            }
            let rank = if e.subject {
                0
            } else if e.name.is_some() {
                1
            } else if e.start.is_some() && e.start_source >= DateSource::Stated {
                2
            } else if e.start.is_some() || e.end.is_some() {
                3
            } else {
                4
            };
            locals.push(Local {
                source: x.source.clone(),
                st,
                signatures,
                rank,
            });
        }
    }
    // Local part_of indexes point into their own document: remember the mapping.
    let mut doc_offsets: HashMap<String, usize> = HashMap::new();
    {
        let mut off = 0;
        for x in extractions {
            doc_offsets.insert(x.source.clone(), off);
            off += x.events.len();
        }
    }
    let mut order: Vec<usize> = (0..locals.len()).collect();
    order.sort_by_key(|&i| (locals[i].rank, i));
    // Clusters: merged view + member local indexes.
    let mut clusters: Vec<(Statement, BTreeSet<String>, Vec<usize>)> = Vec::new();
    let mut cluster_of: Vec<usize> = vec![usize::MAX; locals.len()];
    for &li in &order {
        let l = &locals[li];
        let mut best: Option<(usize, u8)> = None;
        for (ci, (view, sigs, members)) in clusters.iter().enumerate() {
            // One statement per source and event: a source's two events stay two.
            if members.iter().any(|&m| locals[m].source == l.source) {
                continue;
            }
            if let Some(score) = compatible(view, sigs, &l.st, &l.signatures) {
                let earlier = |other: usize| {
                    let y = |c: usize| year_span(&clusters[c].0.event).map_or(i32::MAX, |s| s.0);
                    y(ci) < y(other)
                };
                if best.is_none_or(|(b, s)| score > s || (score == s && earlier(b))) {
                    best = Some((ci, score));
                }
            }
        }
        match best {
            Some((ci, _)) => {
                let (view, sigs, members) = &mut clusters[ci];
                merge_view(view, &l.st);
                sigs.extend(l.signatures.iter().cloned());
                members.push(li);
                cluster_of[li] = ci;
            }
            None => {
                clusters.push((l.st.clone(), l.signatures.clone(), vec![li]));
                cluster_of[li] = clusters.len() - 1;
            }
        }
    }
    // Resolved events.
    for (view, _, members) in &clusters {
        let mut statements = BTreeMap::new();
        let mut alt = BTreeSet::new();
        for &m in members {
            let l = &locals[m];
            let mut st = l.st.clone();
            st.part_of =
                l.st.event
                    .part_of
                    .map(|p| cluster_of[doc_offsets[&l.source] + p]);
            alt.extend(l.st.event.name.iter().cloned());
            alt.extend(l.st.event.aliases.iter().cloned());
            statements.insert(l.source.clone(), st);
        }
        let part_of = majority(statements.values().filter_map(|s| s.part_of));
        kb.events.push(ResolvedEvent {
            label: String::new(),
            name: String::new(),
            class: view.event.class,
            alt_labels: alt,
            statements,
            part_of,
            subject: members.iter().any(|&m| locals[m].st.event.subject),
        });
    }
    for (i, e) in kb.events.iter_mut().enumerate() {
        if e.part_of == Some(i) {
            e.part_of = None;
        }
        for st in e.statements.values_mut() {
            if st.part_of == Some(i) {
                st.part_of = None;
            }
        }
    }
}

fn majority(values: impl Iterator<Item = usize>) -> Option<usize> {
    let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|(v, n)| (*n, std::cmp::Reverse(*v)))
        .map(|(v, _)| v)
}

fn year_span(e: &Event) -> Option<(i32, i32)> {
    let s = e.start.or(e.end)?;
    Some((s.year, e.end.map_or(s.year, |x| x.year).max(s.year)))
}

/// Whether a statement can join a cluster, and how well (higher is better).
fn compatible(
    view: &Statement,
    sigs: &BTreeSet<String>,
    st: &Statement,
    st_sigs: &BTreeSet<String>,
) -> Option<u8> {
    let a = &view.event;
    let b = &st.event;
    if a.class.family() != b.class.family() {
        return None;
    }
    let overlap = |x: &BTreeSet<usize>, y: &BTreeSet<usize>| x.iter().any(|v| y.contains(v));
    let years = |slack: i32| match (year_span(a), year_span(b)) {
        (Some((a0, a1)), Some((b0, b1))) => a0 - slack <= b1 && b0 - slack <= a1,
        _ => true,
    };
    let ordinals = match (a.ordinal, b.ordinal) {
        (Some(x), Some(y)) => x == y,
        (Some(x), None) | (None, Some(x)) => x <= 1,
        (None, None) => true,
    };
    // The same name.
    if sigs.iter().any(|s| !s.is_empty() && st_sigs.contains(s)) {
        return Some(10);
    }
    // Two different names are two events.
    if a.name.is_some() && b.name.is_some() && !(a.subject && b.subject) {
        return None;
    }
    if a.subject != b.subject && (a.subject || b.subject) {
        // A document's subject is named; others join it by name only.
        return None;
    }
    if a.class.family() == 0
        && a.class != b.class
        && !(a.subject || b.subject)
        && a.name.is_none() != b.name.is_none()
    {
        // A campaign is part of a war, not the war.
        return None;
    }
    if a.subject && b.subject {
        let sides = overlap(&view.belligerents, &st.belligerents);
        return (sides && years(0) && a.class == b.class).then_some(5);
    }
    if !ordinals {
        return None;
    }
    let dated = |e: &Event| e.start_source >= DateSource::Stated || e.end.is_some();
    match a.class.family() {
        1 => {
            if view.place.is_none() || view.place != st.place {
                return None;
            }
            let both_dated = dated(a) && dated(b);
            if !years(if both_dated { 0 } else { 1 }) {
                return None;
            }
            Some(if year_span(a).is_some() && year_span(b).is_some() {
                6
            } else {
                3
            })
        }
        2 => match (a.start, b.start) {
            (Some(x), Some(y)) if x.year == y.year => Some(6),
            _ => None,
        },
        _ => {
            let conflict =
                overlap(&view.attackers, &st.targets) || overlap(&view.targets, &st.attackers);
            if conflict {
                return None;
            }
            let same_leader = overlap(&view.commanders, &st.commanders);
            let sides =
                overlap(&view.attackers, &st.attackers) || overlap(&view.targets, &st.targets);
            let both_sides =
                overlap(&view.attackers, &st.attackers) && overlap(&view.targets, &st.targets);
            let spans = year_span(a).zip(year_span(b));
            if sides && spans.is_some() && years(if both_sides { 1 } else { 0 }) {
                return Some(5);
            }
            if same_leader && years(1) {
                return Some(4);
            }
            // An undated statement of the same sides joins a dated event (the
            // earliest, when several fit: see `resolve_events`).
            if both_sides && spans.is_none() && year_span(a).is_some() != year_span(b).is_some() {
                return Some(2);
            }
            None
        }
    }
}

/// Widens a cluster's view with a new statement (for later comparisons only).
fn merge_view(view: &mut Statement, st: &Statement) {
    let a = &mut view.event;
    let b = &st.event;
    if a.name.is_none() {
        a.name = b.name.clone();
    }
    if a.start.is_none() {
        a.start = b.start;
        a.start_source = b.start_source;
    }
    if a.end.is_none() {
        a.end = b.end;
    }
    if a.ordinal.is_none() {
        a.ordinal = b.ordinal;
    }
    a.subject |= b.subject;
    if view.place.is_none() {
        view.place = st.place;
    }
    view.belligerents.extend(st.belligerents.iter().copied());
    view.attackers.extend(st.attackers.iter().copied());
    view.targets.extend(st.targets.iter().copied());
    view.commanders.extend(st.commanders.iter().copied());
}

/// Chooses labels and DBpedia-style resource names for entities and events.
fn name_resources(kb: &mut KnowledgeBase) {
    // Entities: label as written; the resource name adds a qualifier for homonyms.
    let mut used: HashMap<String, usize> = HashMap::new();
    for e in &mut kb.entities {
        let (plain, qualifier) = split_qualifier(&e.label);
        let plain = plain.to_owned();
        let mut name = resource_name(&e.label);
        if let Some(q) = qualifier {
            e.alt_labels.remove(&plain);
            name = resource_name(&format!("{plain} {q}"));
            e.label = plain;
        }
        *used.entry(name.clone()).or_default() += 1;
        e.name = name;
    }
    // Same name twice (a place and a polity of the same name): qualify by class.
    let dup: BTreeSet<String> = used
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(k, _)| k.clone())
        .collect();
    for e in &mut kb.entities {
        if dup.contains(&e.name) {
            e.name = format!("{}_({})", e.name, e.class.name().to_lowercase());
        }
    }
    let entity_labels: Vec<String> = kb.entities.iter().map(|e| short_polity(&e.label)).collect();
    let taken: BTreeSet<String> = kb.entities.iter().map(|e| e.name.clone()).collect();

    // Events: the name most sources give, else a descriptive label.
    let mut labels: Vec<String> = Vec::new();
    for ev in &kb.events {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for st in ev.statements.values() {
            if let Some(n) = &st.event.name {
                *counts.entry(n.clone()).or_default() += 2;
            }
            for a in &st.event.aliases {
                if a.split_whitespace()
                    .skip(1)
                    .any(|w| w.chars().next().is_some_and(char::is_uppercase))
                {
                    *counts.entry(a.clone()).or_default() += 1;
                }
            }
        }
        let named = counts
            .iter()
            .max_by(|a, b| {
                a.1.cmp(b.1)
                    .then_with(|| b.0.len().cmp(&a.0.len()))
                    .then_with(|| b.0.cmp(a.0))
            })
            .map(|(n, _)| n.clone());
        labels.push(named.unwrap_or_else(|| describe(ev, &entity_labels, kb)));
    }
    // Events of one label told apart by the text's own count: "First Battle of
    // Yanjing", "Second Battle of Yanjing".
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, l) in labels.iter().enumerate() {
        groups.entry(resource_name(l)).or_default().push(i);
    }
    for members in groups.values() {
        if members.len() < 2 {
            continue;
        }
        let ordinals: Vec<Option<u32>> = members
            .iter()
            .map(|&i| {
                kb.events[i]
                    .statements
                    .values()
                    .find_map(|s| s.event.ordinal)
            })
            .collect();
        let distinct: BTreeSet<u32> = ordinals.iter().flatten().copied().collect();
        if distinct.len() == members.len() {
            for (k, &i) in members.iter().enumerate() {
                if let Some(o) = ordinals[k] {
                    let word = ORDINALS.get(o as usize - 1).copied().unwrap_or("Later");
                    let l = &labels[i];
                    let lower_first = l
                        .chars()
                        .next()
                        .map(|c| c.to_lowercase().collect::<String>() + &l[c.len_utf8()..]);
                    labels[i] = format!(
                        "{word} {}",
                        if l.starts_with("Battle") || l.starts_with("Siege") {
                            l.clone()
                        } else {
                            lower_first.unwrap_or_default()
                        }
                    );
                }
            }
        }
    }
    // Unique resource names: qualify repeats by year.
    let mut seen: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, l) in labels.iter().enumerate() {
        seen.entry(resource_name(l)).or_default().push(i);
    }
    for (i, ev) in kb.events.iter_mut().enumerate() {
        let mut label = labels[i].clone();
        let base = resource_name(&label);
        if seen[&base].len() > 1 || taken.contains(&base) {
            if let Some(y) = first_year(ev) {
                label = format!("{label} ({y})");
            }
        }
        ev.alt_labels.remove(&label);
        ev.name = resource_name(&label);
        ev.label = label;
    }
    // Still equal: number them.
    let mut count: HashMap<String, usize> = HashMap::new();
    for ev in &mut kb.events {
        let n = count.entry(ev.name.clone()).or_default();
        *n += 1;
        if *n > 1 {
            ev.name = format!("{}_{}", ev.name, n);
        }
    }
}

const ORDINALS: [&str; 10] = [
    "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth",
];

fn first_year(ev: &ResolvedEvent) -> Option<i32> {
    ev.statements
        .values()
        .filter_map(|s| s.event.start.or(s.event.end))
        .map(|d| d.year)
        .min()
}

/// "Jin dynasty" → "Jin" for composing event labels.
fn short_polity(label: &str) -> String {
    for head in [
        " dynasty", " Dynasty", " Empire", " empire", " Kingdom", " kingdom",
    ] {
        if let Some(s) = label.strip_suffix(head) {
            return s.to_owned();
        }
    }
    label.to_owned()
}

/// A descriptive label for an unnamed event: "Siege of Taiyuan", "Battle of
/// Ningbo", "Jin invasion of the Song", "Song–Jin treaty of 1123".
fn describe(ev: &ResolvedEvent, short: &[String], kb: &KnowledgeBase) -> String {
    let pick = |f: &dyn Fn(&Statement) -> Option<usize>| -> Option<usize> {
        majority(ev.statements.values().filter_map(f))
    };
    let place = pick(&|s| s.place).map(|i| kb.entities[i].label.clone());
    let ordinal = ev
        .statements
        .values()
        .find_map(|s| s.event.ordinal)
        .filter(|o| *o >= 2);
    let year = first_year(ev);
    let ord_word = |o: u32| {
        [
            "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth",
            "Tenth",
        ]
        .get(o as usize - 1)
        .copied()
        .unwrap_or("Later")
    };
    let attackers: BTreeSet<usize> = ev
        .statements
        .values()
        .flat_map(|s| s.attackers.iter().copied())
        .collect();
    let targets: BTreeSet<usize> = ev
        .statements
        .values()
        .flat_map(|s| s.targets.iter().copied())
        .filter(|t| !attackers.contains(t))
        .collect();
    // Names in alphabetical order: the label is the same in every document
    // that tells the event, whatever order it met the names in.
    let list = |s: &BTreeSet<usize>| {
        let mut names: Vec<String> = s.iter().map(|i| short[*i].clone()).collect();
        names.sort();
        names.dedup();
        names.join("–")
    };
    match ev.class {
        EventClass::Siege => match (place, ordinal) {
            (Some(p), Some(o)) => format!("{} siege of {p}", ord_word(o)),
            (Some(p), None) => format!("Siege of {p}"),
            _ => format!(
                "Siege{}",
                year.map(|y| format!(" of {y}")).unwrap_or_default()
            ),
        },
        EventClass::Battle => match place {
            Some(p) => format!("Battle of {p}"),
            None => format!(
                "Battle{}",
                year.map(|y| format!(" of {y}")).unwrap_or_default()
            ),
        },
        EventClass::Treaty => {
            let parties: BTreeSet<usize> = ev
                .statements
                .values()
                .flat_map(|s| s.parties.iter().copied())
                .collect();
            let p = list(&parties);
            match (p.is_empty(), year) {
                (false, Some(y)) => format!("{p} treaty of {y}"),
                (true, Some(y)) => format!("Treaty of {y}"),
                (false, None) => format!("{p} treaty"),
                (true, None) => "Treaty".to_owned(),
            }
        }
        EventClass::Campaign | EventClass::Conflict => {
            let noun = if ev.class == EventClass::Campaign {
                "campaign"
            } else {
                "war"
            };
            let a = list(&attackers);
            let t = list(&targets);
            let ord = ordinal
                .map(|o| format!("{} ", ord_word(o)))
                .unwrap_or_default();
            let base = match (a.is_empty(), t.is_empty()) {
                (false, false) => format!("{ord}{a} {noun} against the {t}"),
                (false, true) => format!("{ord}{a} {noun}"),
                (true, false) => format!("{ord}{noun} against the {t}"),
                (true, true) => format!("{ord}{noun}"),
            };
            let mut s = base;
            if let Some(c) = s.get(..1) {
                s = c.to_uppercase() + &s[1..];
            }
            match year {
                Some(y) => format!("{s} of {y}"),
                None => s,
            }
        }
    }
}

/// DBpedia-style resource name: spaces as underscores, first letter upper case.
pub fn resource_name(label: &str) -> String {
    let mut s: String = label.split_whitespace().collect::<Vec<_>>().join("_");
    if let Some(first) = s.chars().next() {
        let upper: String = first.to_uppercase().collect();
        s = upper + &s[first.len_utf8()..];
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names_are_dbpedia_style() {
        assert_eq!(resource_name("battle of Caishi"), "Battle_of_Caishi");
        assert_eq!(
            resource_name("Zhang Jun (1086–1154)"),
            "Zhang_Jun_(1086–1154)"
        );
        assert_eq!(resource_name("Lin'an"), "Lin'an");
    }

    #[test]
    fn qualifiers_split() {
        assert_eq!(
            split_qualifier("Zhang Jun (1086–1154)"),
            ("Zhang Jun", Some("(1086–1154)"))
        );
        assert_eq!(
            split_qualifier("Da Qi (Great Qi)"),
            ("Da Qi (Great Qi)", None)
        );
    }
}
