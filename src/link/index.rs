//! The offline DBpedia index: built from files in DBpedia's own dump formats
//! (N-Triples or Turtle, optionally bzip2-compressed) and kept on disk.
//!
//! Building streams every file once and never holds more than one run of
//! records in memory: relevant triples become text records sorted in runs
//! on disk and merged (an external sort), so millions of labels index in
//! bounded memory. The result is three files:
//!
//! - `resources.jsonl`: one JSON record per DBpedia resource (labels, types
//!   closed under the ontology's subclass axioms, redirect target,
//!   disambiguation flag, years), sorted by IRI;
//! - `iris.fst`: IRI → offset of its record;
//! - `labels.fst`: normalized label key ‖ 0 ‖ record offset, for prefix
//!   lookups of every resource carrying a label.
//!
//! The index lives in `.jinsong-index/` inside the dump directory (or in the
//! user's cache directory when that is read-only) with a manifest of the
//! dump files' names, sizes and modification times; it is rebuilt only when
//! they change.

use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap};
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use fst::{IntoStreamer, Streamer};
use oxigraph::io::{RdfFormat, RdfParseError, RdfParser};
use oxigraph::model::{Term, Triple};
use serde::{Deserialize, Serialize};

use super::normalize::{self, year_of};
use super::{LinkError, Lookup};
use crate::rdf::vocab::dbo;

/// The index format; an index of another version is rebuilt.
const VERSION: u32 = 2;
/// Bytes of records held in memory before a sorted run goes to disk.
const DEFAULT_RUN_BYTES: usize = 64 << 20;
/// The directory, inside the dump directory, that holds the index.
pub const INDEX_DIR: &str = ".jinsong-index";

/// What the index knows of one DBpedia resource.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    pub iri: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// dbo: classes, with every superclass the ontology states.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disambiguation: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub death: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<i32>,
}

/// One fact of a dump that matters for linking, as a sortable record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    Label(String),
    Type(String),
    Redirect(String),
    Disambiguates,
    Birth(i32),
    Death(i32),
    Start(i32),
    End(i32),
}

/// A triple's meaning for linking: a fact about its subject, a subclass
/// axiom, or nothing.
pub enum Relevant {
    Fact(String, Fact),
    SubClass(String, String),
    None,
}

/// Classifies a triple of a DBpedia dump.
pub fn relevant(t: &Triple) -> Relevant {
    let oxigraph::model::NamedOrBlankNode::NamedNode(s) = &t.subject else {
        return Relevant::None;
    };
    let s = s.as_str().to_owned();
    let p = t.predicate.as_str();
    let fact = match (p, &t.object) {
        (RDFS_LABEL, Term::Literal(l)) => match l.language() {
            None | Some("en") => Fact::Label(l.value().to_owned()),
            Some(_) => return Relevant::None,
        },
        (RDF_TYPE, Term::NamedNode(o)) if o.as_str().starts_with(dbo::NS) => {
            Fact::Type(o.as_str().to_owned())
        }
        (RDFS_SUBCLASS_OF, Term::NamedNode(o)) => {
            return Relevant::SubClass(s, o.as_str().to_owned());
        }
        (p, Term::NamedNode(o)) if p == dbo::WIKI_PAGE_REDIRECTS.as_str() => {
            Fact::Redirect(o.as_str().to_owned())
        }
        (p, _) if p == dbo::WIKI_PAGE_DISAMBIGUATES.as_str() => Fact::Disambiguates,
        (p, Term::Literal(l)) => {
            let Some(y) = year_of(l.value()) else {
                return Relevant::None;
            };
            match p.strip_prefix(dbo::NS) {
                Some("birthYear" | "birthDate") => Fact::Birth(y),
                Some("deathYear" | "deathDate") => Fact::Death(y),
                Some("startDate" | "startYear" | "date" | "activeYearsStartYear") => Fact::Start(y),
                Some("endDate" | "endYear" | "activeYearsEndYear") => Fact::End(y),
                _ => return Relevant::None,
            }
        }
        _ => return Relevant::None,
    };
    Relevant::Fact(s, fact)
}

const RDFS_LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";
const RDFS_SUBCLASS_OF: &str = "http://www.w3.org/2000/01/rdf-schema#subClassOf";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

impl Resource {
    /// Adds a fact to the record.
    pub fn add(&mut self, fact: Fact) {
        match fact {
            Fact::Label(l) => {
                if !self.labels.contains(&l) {
                    self.labels.push(l)
                }
            }
            Fact::Type(t) => {
                if !self.types.contains(&t) {
                    self.types.push(t)
                }
            }
            Fact::Redirect(r) => self.redirect = Some(r),
            Fact::Disambiguates => self.disambiguation = true,
            Fact::Birth(y) => self.birth = Some(self.birth.map_or(y, |b| b.min(y))),
            Fact::Death(y) => self.death = Some(self.death.map_or(y, |d| d.max(y))),
            Fact::Start(y) => self.start = Some(self.start.map_or(y, |s| s.min(y))),
            Fact::End(y) => self.end = Some(self.end.map_or(y, |e| e.max(y))),
        }
    }

    /// Closes the types under the subclass axioms and sorts them.
    pub fn close_types(&mut self, ontology: &Ontology) {
        let mut all: BTreeSet<String> = BTreeSet::new();
        for t in &self.types {
            all.extend(ontology.superclasses(t));
        }
        self.types = all.into_iter().collect();
    }
}

/// The subclass axioms of the DBpedia ontology found in the dumps.
#[derive(Debug, Default, Clone)]
pub struct Ontology {
    supers: HashMap<String, Vec<String>>,
}

impl Ontology {
    pub fn add(&mut self, class: String, superclass: String) {
        let v = self.supers.entry(class).or_default();
        if !v.contains(&superclass) {
            v.push(superclass);
        }
    }

    /// The class and all its superclasses.
    pub fn superclasses(&self, class: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut todo = vec![class.to_owned()];
        while let Some(c) = todo.pop() {
            if out.insert(c.clone())
                && let Some(s) = self.supers.get(&c)
            {
                todo.extend(s.iter().cloned());
            }
        }
        out
    }

    pub fn len(&self) -> usize {
        self.supers.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.supers.is_empty()
    }
}

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> LinkError + 'a {
    move |source| LinkError::Io {
        action,
        path: path.to_owned(),
        source,
    }
}

/// The dump files of a directory: `.nt`, `.ttl`, `.nt.bz2`, `.ttl.bz2`, sorted.
pub fn dump_files(dir: &Path) -> Result<Vec<PathBuf>, LinkError> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_err("read the directory", dir))? {
        let entry = entry.map_err(io_err("read the directory", dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if dump_format(&name).is_some() && entry.path().is_file() {
            out.push(entry.path());
        }
    }
    out.sort();
    Ok(out)
}

/// The RDF syntax and compression of a dump file, from its name.
fn dump_format(name: &str) -> Option<(RdfFormat, bool)> {
    let (stem, bz2) = match name.strip_suffix(".bz2") {
        Some(s) => (s, true),
        None => (name, false),
    };
    if stem.ends_with(".nt") {
        Some((RdfFormat::NTriples, bz2))
    } else if stem.ends_with(".ttl") {
        Some((RdfFormat::Turtle, bz2))
    } else {
        None
    }
}

/// Streams the triples of one dump file, stopping at the first malformed
/// line with its number.
pub fn read_dump(
    path: &Path,
    mut each: impl FnMut(Triple) -> Result<(), LinkError>,
) -> Result<u64, LinkError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some((format, bz2)) = dump_format(&name) else {
        return Err(LinkError::NoDumps {
            path: path.to_owned(),
        });
    };
    let file = File::open(path).map_err(io_err("open", path))?;
    let reader: Box<dyn Read> = if bz2 {
        Box::new(bzip2::read::MultiBzDecoder::new(BufReader::with_capacity(
            1 << 16,
            file,
        )))
    } else {
        Box::new(file)
    };
    let mut n = 0;
    for quad in RdfParser::from_format(format).for_reader(BufReader::with_capacity(1 << 16, reader))
    {
        let quad = quad.map_err(|e| match e {
            RdfParseError::Syntax(e) => LinkError::Dump {
                path: path.to_owned(),
                line: e.location().map_or(0, |l| l.start.line + 1),
                message: e.to_string(),
            },
            RdfParseError::Io(source) => LinkError::Io {
                action: "read",
                path: path.to_owned(),
                source,
            },
        })?;
        n += 1;
        each(Triple::new(quad.subject, quad.predicate, quad.object))?;
    }
    Ok(n)
}

/// Escapes a value for a tab-separated run record.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn fact_record(subject: &str, fact: &Fact) -> String {
    let (k, v) = match fact {
        Fact::Label(l) => ('L', escape(l)),
        Fact::Type(t) => ('T', escape(t)),
        Fact::Redirect(r) => ('R', escape(r)),
        Fact::Disambiguates => ('D', String::new()),
        Fact::Birth(y) => ('B', y.to_string()),
        Fact::Death(y) => ('X', y.to_string()),
        Fact::Start(y) => ('S', y.to_string()),
        Fact::End(y) => ('E', y.to_string()),
    };
    format!("{}\t{k}\t{v}", escape(subject))
}

fn parse_record(line: &str) -> Option<(String, Fact)> {
    let mut parts = line.splitn(3, '\t');
    let s = unescape(parts.next()?);
    let k = parts.next()?;
    let v = parts.next().unwrap_or("");
    let year = || v.parse::<i32>().ok();
    let fact = match k {
        "L" => Fact::Label(unescape(v)),
        "T" => Fact::Type(unescape(v)),
        "R" => Fact::Redirect(unescape(v)),
        "D" => Fact::Disambiguates,
        "B" => Fact::Birth(year()?),
        "X" => Fact::Death(year()?),
        "S" => Fact::Start(year()?),
        "E" => Fact::End(year()?),
        _ => return None,
    };
    Some((s, fact))
}

/// An external sort of text lines: sorted runs on disk, merged with dedup.
struct Runs {
    dir: PathBuf,
    prefix: &'static str,
    limit: usize,
    buf: Vec<String>,
    bytes: usize,
    files: Vec<PathBuf>,
}

impl Runs {
    fn new(dir: &Path, prefix: &'static str, limit: usize) -> Self {
        Runs {
            dir: dir.to_owned(),
            prefix,
            limit,
            buf: Vec::new(),
            bytes: 0,
            files: Vec::new(),
        }
    }

    fn push(&mut self, line: String) -> Result<(), LinkError> {
        self.bytes += line.len() + 32;
        self.buf.push(line);
        if self.bytes >= self.limit {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> Result<(), LinkError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.buf.sort_unstable();
        self.buf.dedup();
        let path = self
            .dir
            .join(format!("{}-{}.run", self.prefix, self.files.len()));
        let mut w = BufWriter::new(File::create(&path).map_err(io_err("create", &path))?);
        for line in self.buf.drain(..) {
            w.write_all(line.as_bytes())
                .map_err(io_err("write", &path))?;
            w.write_all(b"\n").map_err(io_err("write", &path))?;
        }
        w.flush().map_err(io_err("write", &path))?;
        self.bytes = 0;
        self.files.push(path);
        Ok(())
    }

    /// Every line pushed, sorted, each once.
    fn merge(
        mut self,
        mut each: impl FnMut(String) -> Result<(), LinkError>,
    ) -> Result<(), LinkError> {
        self.spill()?;
        let mut readers = Vec::new();
        for p in &self.files {
            readers.push(BufReader::new(File::open(p).map_err(io_err("open", p))?).lines());
        }
        let mut heap = BinaryHeap::new();
        for (i, r) in readers.iter_mut().enumerate() {
            if let Some(line) = r.next() {
                heap.push(std::cmp::Reverse((
                    line.map_err(io_err("read", &self.files[i]))?,
                    i,
                )));
            }
        }
        let mut last: Option<String> = None;
        while let Some(std::cmp::Reverse((line, i))) = heap.pop() {
            if let Some(next) = readers[i].next() {
                heap.push(std::cmp::Reverse((
                    next.map_err(io_err("read", &self.files[i]))?,
                    i,
                )));
            }
            if last.as_deref() == Some(line.as_str()) {
                continue;
            }
            each(line.clone())?;
            last = Some(line);
        }
        for p in &self.files {
            let _ = std::fs::remove_file(p);
        }
        Ok(())
    }
}

/// What an index build read and wrote.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IndexStats {
    pub files: usize,
    pub triples: u64,
    pub resources: u64,
    pub labels: u64,
    pub subclass_axioms: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct DumpStamp {
    name: String,
    size: u64,
    modified: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Manifest {
    version: u32,
    dumps: Vec<DumpStamp>,
    stats: IndexStats,
}

fn stamps(files: &[PathBuf]) -> Result<Vec<DumpStamp>, LinkError> {
    files
        .iter()
        .map(|f| {
            let md = std::fs::metadata(f).map_err(io_err("read", f))?;
            Ok(DumpStamp {
                name: f
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                size: md.len(),
                modified: md
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_secs()),
            })
        })
        .collect()
}

/// Builds the index of `files` into `out` (a new directory), holding at
/// most `run_bytes` of records in memory.
pub fn build_index(
    files: &[PathBuf],
    out: &Path,
    run_bytes: usize,
) -> Result<IndexStats, LinkError> {
    std::fs::create_dir_all(out).map_err(io_err("create", out))?;
    let mut stats = IndexStats {
        files: files.len(),
        ..IndexStats::default()
    };
    let mut ontology = Ontology::default();
    let mut facts = Runs::new(out, "facts", run_bytes);
    for f in files {
        stats.triples += read_dump(f, |t| match relevant(&t) {
            Relevant::Fact(s, fact) => facts.push(fact_record(&s, &fact)),
            Relevant::SubClass(c, s) => {
                ontology.add(c, s);
                Ok(())
            }
            Relevant::None => Ok(()),
        })?;
    }
    stats.subclass_axioms = ontology.len();

    // Group the sorted facts by subject into records.
    let res_path = out.join("resources.jsonl");
    let mut res = BufWriter::new(File::create(&res_path).map_err(io_err("create", &res_path))?);
    let iris_path = out.join("iris.fst");
    let mut iris = fst::MapBuilder::new(BufWriter::new(
        File::create(&iris_path).map_err(io_err("create", &iris_path))?,
    ))
    .map_err(|e| bad(&iris_path, e))?;
    let mut labels = Runs::new(out, "labels", run_bytes);
    let mut offset: u64 = 0;
    let mut current: Option<Resource> = None;
    let mut finish = |r: Resource,
                      res: &mut BufWriter<File>,
                      iris: &mut fst::MapBuilder<BufWriter<File>>,
                      labels: &mut Runs,
                      offset: &mut u64|
     -> Result<(), LinkError> {
        let mut r = r;
        r.close_types(&ontology);
        let mut line = serde_json::to_string(&r).map_err(|e| bad(&res_path, e))?;
        line.push('\n');
        res.write_all(line.as_bytes())
            .map_err(io_err("write", &res_path))?;
        iris.insert(r.iri.as_bytes(), *offset)
            .map_err(|e| bad(&iris_path, e))?;
        let mut keys = BTreeSet::new();
        for l in &r.labels {
            keys.extend(normalize::keys(l));
        }
        for k in keys {
            labels.push(format!("{k}\u{0}{:016x}", *offset))?;
        }
        stats.resources += 1;
        *offset += line.len() as u64;
        Ok(())
    };
    facts.merge(|line| {
        let Some((s, fact)) = parse_record(&line) else {
            return Ok(());
        };
        if current.as_ref().is_some_and(|c| c.iri != s)
            && let Some(done) = current.take()
        {
            finish(done, &mut res, &mut iris, &mut labels, &mut offset)?;
        }
        current
            .get_or_insert_with(|| Resource {
                iri: s,
                ..Resource::default()
            })
            .add(fact);
        Ok(())
    })?;
    if let Some(done) = current.take() {
        finish(done, &mut res, &mut iris, &mut labels, &mut offset)?;
    }
    res.flush().map_err(io_err("write", &res_path))?;
    iris.finish().map_err(|e| bad(&iris_path, e))?;

    let labels_path = out.join("labels.fst");
    let mut lb = fst::MapBuilder::new(BufWriter::new(
        File::create(&labels_path).map_err(io_err("create", &labels_path))?,
    ))
    .map_err(|e| bad(&labels_path, e))?;
    labels.merge(|line| {
        let Some((_, hex)) = line.rsplit_once('\u{0}') else {
            return Ok(());
        };
        let off = u64::from_str_radix(hex, 16).map_err(|e| bad(&labels_path, e))?;
        lb.insert(line.as_bytes(), off)
            .map_err(|e| bad(&labels_path, e))?;
        stats.labels += 1;
        Ok(())
    })?;
    lb.finish().map_err(|e| bad(&labels_path, e))?;

    let ont_path = out.join("ontology.json");
    let ont: BTreeMap<&String, &Vec<String>> = ontology.supers.iter().collect();
    std::fs::write(
        &ont_path,
        serde_json::to_vec(&ont).map_err(|e| bad(&ont_path, e))?,
    )
    .map_err(io_err("write", &ont_path))?;
    Ok(stats)
}

fn bad(path: &Path, e: impl std::fmt::Display) -> LinkError {
    LinkError::BadIndex {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

/// An index on disk, memory-mapped.
pub struct Index {
    dir: PathBuf,
    labels: fst::Map<memmap2::Mmap>,
    iris: fst::Map<memmap2::Mmap>,
    resources: memmap2::Mmap,
    pub stats: IndexStats,
    /// Whether this open built (or rebuilt) the index.
    pub built: bool,
}

fn map_file(path: &Path) -> Result<memmap2::Mmap, LinkError> {
    let file = File::open(path).map_err(io_err("open", path))?;
    // SAFETY: the index files are written once, before this open, and an
    // index is replaced by renaming a new directory, never rewritten in place.
    unsafe { memmap2::Mmap::map(&file) }.map_err(io_err("map", path))
}

impl Index {
    /// Opens the index of the dump directory `dir`, building it first when
    /// it is missing or older than the dumps. `dir` may also be an index
    /// directory itself.
    pub fn open(dir: &Path) -> Result<Index, LinkError> {
        Self::open_with(dir, DEFAULT_RUN_BYTES)
    }

    pub fn open_with(dir: &Path, run_bytes: usize) -> Result<Index, LinkError> {
        if !dir.is_dir() {
            return Err(LinkError::MissingIndex {
                path: dir.to_owned(),
            });
        }
        if dir.join("manifest.json").is_file() && dir.join("labels.fst").is_file() {
            return Self::load(dir, false);
        }
        let files = dump_files(dir)?;
        if files.is_empty() {
            return Err(LinkError::NoDumps {
                path: dir.to_owned(),
            });
        }
        let stamps = stamps(&files)?;
        let index_dir = index_location(dir);
        if let Ok(text) = std::fs::read_to_string(index_dir.join("manifest.json"))
            && let Ok(m) = serde_json::from_str::<Manifest>(&text)
            && m.version == VERSION
            && m.dumps == stamps
        {
            return Self::load(&index_dir, false);
        }
        // Build beside, then swap in: a failed build keeps the old index.
        let parent = index_dir.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io_err("create", parent))?;
        let tmp = tempfile::Builder::new()
            .prefix(".jinsong-index-new")
            .tempdir_in(parent)
            .map_err(io_err("create a directory in", parent))?;
        let stats = build_index(&files, tmp.path(), run_bytes)?;
        let manifest = Manifest {
            version: VERSION,
            dumps: stamps,
            stats,
        };
        let mpath = tmp.path().join("manifest.json");
        std::fs::write(
            &mpath,
            serde_json::to_vec_pretty(&manifest).map_err(|e| bad(&mpath, e))?,
        )
        .map_err(io_err("write", &mpath))?;
        let fresh = || {
            std::fs::read_to_string(index_dir.join("manifest.json"))
                .ok()
                .and_then(|t| serde_json::from_str::<Manifest>(&t).ok())
                .is_some_and(|m| m.version == VERSION && m.dumps == manifest.dumps)
        };
        // Another process may have put an equal index in place meanwhile
        // (and may be reading it): keep that one.
        if fresh() {
            return Self::load(&index_dir, false);
        }
        let tmp = tmp.keep();
        if index_dir.exists() {
            let _ = std::fs::remove_dir_all(&index_dir);
        }
        if let Err(e) = std::fs::rename(&tmp, &index_dir) {
            let _ = std::fs::remove_dir_all(&tmp);
            if !fresh() {
                return Err(io_err("move the new index to", &index_dir)(e));
            }
        }
        Self::load(&index_dir, true)
    }

    fn load(dir: &Path, built: bool) -> Result<Index, LinkError> {
        let mpath = dir.join("manifest.json");
        let text = std::fs::read_to_string(&mpath).map_err(io_err("read", &mpath))?;
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| bad(&mpath, e))?;
        if manifest.version != VERSION {
            return Err(bad(
                &mpath,
                format!(
                    "index format {} (this jinsong reads {VERSION})",
                    manifest.version
                ),
            ));
        }
        let lpath = dir.join("labels.fst");
        let ipath = dir.join("iris.fst");
        Ok(Index {
            dir: dir.to_owned(),
            labels: fst::Map::new(map_file(&lpath)?).map_err(|e| bad(&lpath, e))?,
            iris: fst::Map::new(map_file(&ipath)?).map_err(|e| bad(&ipath, e))?,
            resources: map_file(&dir.join("resources.jsonl"))?,
            stats: manifest.stats,
            built,
        })
    }

    /// Where the index lives.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn record(&self, offset: u64) -> Result<Resource, LinkError> {
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        let bytes = self.resources.get(start..).unwrap_or_default();
        let end = bytes
            .iter()
            .position(|b| *b == b'\n')
            .unwrap_or(bytes.len());
        serde_json::from_slice(&bytes[..end]).map_err(|e| bad(&self.dir.join("resources.jsonl"), e))
    }
}

impl Lookup for Index {
    fn by_key(&self, key: &str) -> Result<Vec<Resource>, LinkError> {
        let mut lo = key.as_bytes().to_vec();
        lo.push(0);
        let mut hi = key.as_bytes().to_vec();
        hi.push(1);
        let mut stream = self.labels.range().ge(&lo).lt(&hi).into_stream();
        let mut out = Vec::new();
        while let Some((_, off)) = stream.next() {
            out.push(self.record(off)?);
        }
        Ok(out)
    }

    fn resource(&self, iri: &str) -> Result<Option<Resource>, LinkError> {
        match self.iris.get(iri.as_bytes()) {
            Some(off) => self.record(off).map(Some),
            None => Ok(None),
        }
    }
}

/// Where the index of the dump directory `dir` lives: inside it when it can
/// be written, else in the user's cache directory.
pub fn index_location(dir: &Path) -> PathBuf {
    let inside = dir.join(INDEX_DIR);
    let writable = inside.is_dir()
        || tempfile::Builder::new()
            .prefix(".jinsong-probe")
            .tempfile_in(dir)
            .is_ok();
    if writable {
        return inside;
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in canonical.to_string_lossy().bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    cache
        .join("jinsong")
        .join(format!("dbpedia-index-{h:016x}"))
}

/// An index held in memory, built from triples (what an endpoint returned).
#[derive(Debug, Default)]
pub struct MemoryIndex {
    resources: BTreeMap<String, Resource>,
    by_key: HashMap<String, Vec<String>>,
}

impl MemoryIndex {
    pub fn from_triples<'a>(triples: impl IntoIterator<Item = &'a Triple>) -> MemoryIndex {
        let mut ontology = Ontology::default();
        let mut resources: BTreeMap<String, Resource> = BTreeMap::new();
        for t in triples {
            match relevant(t) {
                Relevant::Fact(s, f) => resources
                    .entry(s.clone())
                    .or_insert_with(|| Resource {
                        iri: s,
                        ..Resource::default()
                    })
                    .add(f),
                Relevant::SubClass(c, s) => ontology.add(c, s),
                Relevant::None => {}
            }
        }
        let mut by_key: HashMap<String, Vec<String>> = HashMap::new();
        for r in resources.values_mut() {
            r.close_types(&ontology);
            let mut keys = BTreeSet::new();
            for l in &r.labels {
                keys.extend(normalize::keys(l));
            }
            for k in keys {
                by_key.entry(k).or_default().push(r.iri.clone());
            }
        }
        MemoryIndex { resources, by_key }
    }

    pub fn len(&self) -> usize {
        self.resources.len()
    }

    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }
}

impl Lookup for MemoryIndex {
    fn by_key(&self, key: &str) -> Result<Vec<Resource>, LinkError> {
        Ok(self
            .by_key
            .get(key)
            .into_iter()
            .flatten()
            .filter_map(|i| self.resources.get(i).cloned())
            .collect())
    }

    fn resource(&self, iri: &str) -> Result<Option<Resource>, LinkError> {
        Ok(self.resources.get(iri).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = r#"<http://dbpedia.org/resource/Song_dynasty> <http://www.w3.org/2000/01/rdf-schema#label> "Song dynasty"@en .
<http://dbpedia.org/resource/Song_dynasty> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://dbpedia.org/ontology/Country> .
<http://dbpedia.org/resource/Song_Dynasty> <http://dbpedia.org/ontology/wikiPageRedirects> <http://dbpedia.org/resource/Song_dynasty> .
<http://dbpedia.org/resource/Song_Dynasty> <http://www.w3.org/2000/01/rdf-schema#label> "Song Dynasty"@en .
<http://dbpedia.org/resource/Song_Dynasty> <http://www.w3.org/2000/01/rdf-schema#label> "Dynastie Song"@fr .
<http://dbpedia.org/ontology/Country> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <http://dbpedia.org/ontology/PopulatedPlace> .
<http://dbpedia.org/resource/Yue_Fei> <http://dbpedia.org/ontology/birthYear> "1103"^^<http://www.w3.org/2001/XMLSchema#gYear> .
"#;

    #[test]
    fn an_index_on_disk_and_in_memory_agree() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.nt"), DUMP).unwrap();
        // A tiny run size forces several runs and a real merge.
        let idx = Index::open_with(dir.path(), 64).unwrap();
        assert!(idx.built);
        assert_eq!(idx.stats.resources, 3);
        let hits = idx.by_key("song").unwrap();
        let iris: Vec<&str> = hits.iter().map(|r| r.iri.as_str()).collect();
        assert_eq!(
            iris,
            [
                "http://dbpedia.org/resource/Song_Dynasty",
                "http://dbpedia.org/resource/Song_dynasty"
            ]
        );
        let song = idx
            .resource("http://dbpedia.org/resource/Song_dynasty")
            .unwrap()
            .unwrap();
        assert!(
            song.types
                .contains(&"http://dbpedia.org/ontology/PopulatedPlace".to_owned())
        );
        let yue = idx
            .resource("http://dbpedia.org/resource/Yue_Fei")
            .unwrap()
            .unwrap();
        assert_eq!(yue.birth, Some(1103));
        // Reused while the dumps are unchanged.
        assert!(!Index::open(dir.path()).unwrap().built);

        let triples: Vec<Triple> = RdfParser::from_format(RdfFormat::NTriples)
            .for_slice(DUMP.as_bytes())
            .map(|q| {
                let q = q.unwrap();
                Triple::new(q.subject, q.predicate, q.object)
            })
            .collect();
        let mem = MemoryIndex::from_triples(&triples);
        assert_eq!(mem.by_key("song").unwrap(), hits);
        assert_eq!(mem.resource(&song.iri).unwrap(), Some(song));
    }

    #[test]
    fn a_malformed_dump_line_is_named_with_its_number() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("b.nt"),
            format!("{DUMP}<http://x> <http://y> oops .\n"),
        )
        .unwrap();
        let err = Index::open(dir.path()).err().expect("an error");
        let text = err.to_string();
        assert!(text.contains("b.nt") && text.contains("line 8"), "{text}");
        assert!(!dir.path().join(INDEX_DIR).exists());
    }

    #[test]
    fn compressed_dumps_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        enc.write_all(DUMP.as_bytes()).unwrap();
        std::fs::write(dir.path().join("c.ttl.bz2"), enc.finish().unwrap()).unwrap();
        let idx = Index::open(dir.path()).unwrap();
        assert_eq!(idx.stats.triples, 7);
    }

    #[test]
    fn run_records_round_trip() {
        for f in [
            Fact::Label("a\tb\\c\nd".into()),
            Fact::Type("http://dbpedia.org/ontology/City".into()),
            Fact::Disambiguates,
            Fact::Birth(-200),
        ] {
            let line = fact_record("http://x/a\tb", &f);
            assert_eq!(parse_record(&line), Some(("http://x/a\tb".to_owned(), f)));
        }
    }
}
