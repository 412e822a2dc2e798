//! The embedded Oxigraph store: a RocksDB directory that the stock `oxigraph`
//! CLI and pyoxigraph of the same version can open.
//!
//! A build never writes into the store in place: it loads a new store beside
//! it and swaps directories only when everything succeeded, so a failed or
//! interrupted build leaves the previous store as it was. This module owns
//! the store's location and its lifecycle; it knows nothing of extraction.
//!
//! The default graph of a store is the RDF merge of its named graphs: each
//! triple that any graph states, once. Queries without FROM see it, in
//! jinsong and in any other tool that opens the store, with set semantics
//! (a union default graph computed at query time would count a triple once
//! per graph that states it).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode, Quad, Triple};
use oxigraph::store::{StorageError, Store};

/// Where the store lives when neither `--store` nor `JINSONG_STORE` says.
pub const DEFAULT_STORE: &str = "jinsong-store";

/// Errors of the store's lifecycle. Each names the directory.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no store at {path} (run `jinsong build` first, or pass --store DIR)")]
    Missing { path: PathBuf },
    #[error("{path} is not a jinsong store (no Oxigraph database in it); refusing to replace it")]
    NotAStore { path: PathBuf },
    #[error(
        "the store at {path} is in use by another process (close it, e.g. stop `jinsong serve`, and retry)"
    )]
    Locked { path: PathBuf },
    #[error("cannot open the store at {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: StorageError,
    },
    #[error("cannot write the new store at {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: StorageError,
    },
    #[error("cannot {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> StoreError + 'a {
    move |source| StoreError::Io {
        action,
        path: path.to_owned(),
        source,
    }
}

/// Whether a directory holds an Oxigraph (RocksDB) database.
fn is_store(path: &Path) -> bool {
    path.join("CURRENT").is_file()
}

fn is_lock_error(e: &StorageError) -> bool {
    let msg = e.to_string().to_lowercase();
    msg.contains("lock") || msg.contains("resource temporarily unavailable")
}

/// Cleans up after a build that was killed: its half-written new store is
/// removed, and if it had already moved the previous store aside without
/// putting the new one in place, the previous store goes back. Only copies
/// left by processes that are no longer running are touched.
pub fn recover(path: &Path) -> Result<(), StoreError> {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Ok(());
    };
    let dir = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(p) => p.to_owned(),
        None => PathBuf::from("."),
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(());
    };
    let mut left: Vec<(PathBuf, bool)> = Vec::new();
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&format!(".{name}.")) else {
            continue;
        };
        let (kind, pid) = match rest.split_once('-') {
            Some((k @ ("new" | "old" | "map"), pid)) => (k, pid),
            _ => continue,
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if pid != std::process::id() && !process_running(pid) {
            left.push((entry.path(), kind == "old"));
        }
    }
    left.sort();
    for (copy, old) in left {
        if old && !path.exists() && is_store(&copy) {
            std::fs::rename(&copy, path).map_err(io("restore the previous store from", &copy))?;
        } else {
            std::fs::remove_dir_all(&copy).map_err(io("remove", &copy))?;
        }
    }
    Ok(())
}

/// Whether a process runs; where that cannot be told, it is taken to run.
fn process_running(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

/// Opens an existing store for reading.
pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
    recover(path)?;
    if !path.exists() {
        return Err(StoreError::Missing {
            path: path.to_owned(),
        });
    }
    if !is_store(path) {
        return Err(StoreError::NotAStore {
            path: path.to_owned(),
        });
    }
    Store::open_read_only(path).map_err(|source| StoreError::Open {
        path: path.to_owned(),
        source,
    })
}

/// Opens an existing store for reading and writing (takes its lock).
pub fn open(path: &Path) -> Result<Store, StoreError> {
    recover(path)?;
    if !path.exists() {
        return Err(StoreError::Missing {
            path: path.to_owned(),
        });
    }
    if !is_store(path) {
        return Err(StoreError::NotAStore {
            path: path.to_owned(),
        });
    }
    Store::open(path).map_err(|source| {
        if is_lock_error(&source) {
            StoreError::Locked {
                path: path.to_owned(),
            }
        } else {
            StoreError::Open {
                path: path.to_owned(),
                source,
            }
        }
    })
}

/// The number of triples in a graph of the store (`None`: the default
/// graph), counted by SPARQL over the store's ids, without reading the
/// terms themselves back.
pub fn count_triples(store: &Store, graph: Option<&NamedNode>) -> Result<usize, StorageError> {
    use oxigraph::sparql::{QueryResults, SparqlEvaluator};
    let pattern = match graph {
        None => "?s ?p ?o".to_owned(),
        Some(g) => format!("GRAPH <{}> {{ ?s ?p ?o }}", g.as_str()),
    };
    let query = format!("SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}");
    let other = |e: &dyn std::fmt::Display| StorageError::Other(e.to_string().into());
    let prepared = SparqlEvaluator::new()
        .parse_query(&query)
        .map_err(|e| other(&e))?;
    let QueryResults::Solutions(mut rows) =
        prepared.on_store(store).execute().map_err(|e| other(&e))?
    else {
        return Ok(0);
    };
    let n = match rows.next() {
        Some(row) => match row.map_err(|e| other(&e))?.get("n") {
            Some(oxigraph::model::Term::Literal(l)) => l.value().parse().unwrap_or(0),
            _ => 0,
        },
        None => 0,
    };
    Ok(n)
}

/// The store's named graphs that are IRIs, sorted.
pub fn named_graphs(store: &Store) -> Result<Vec<NamedNode>, StorageError> {
    let mut out = Vec::new();
    for g in store.named_graphs() {
        if let NamedOrBlankNode::NamedNode(n) = g? {
            out.push(n);
        }
    }
    out.sort();
    Ok(out)
}

/// A sibling path for a new or old copy of the store (`new`, `old`), or
/// for a build's work in progress (`map`); a command that finds one left by
/// a process that died removes it.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "store".to_owned());
    path.with_file_name(format!(".{name}.{suffix}-{}", std::process::id()))
}

/// The merge of the named graphs of `quads`: each distinct triple once, in
/// the default graph.
pub fn merge(quads: &[Quad]) -> Vec<Quad> {
    let mut seen: HashSet<Triple> = HashSet::new();
    let mut out = Vec::new();
    for q in quads.iter().filter(|q| !q.graph_name.is_default_graph()) {
        let t = Triple::new(q.subject.clone(), q.predicate.clone(), q.object.clone());
        if seen.insert(t) {
            out.push(Quad::new(
                q.subject.clone(),
                q.predicate.clone(),
                q.object.clone(),
                GraphName::DefaultGraph,
            ));
        }
    }
    out
}

/// Writes `quads` into a new store and puts it at `path`, replacing the
/// previous store only once the new one is complete.
pub fn replace(path: &Path, quads: impl IntoIterator<Item = Quad>) -> Result<(), StoreError> {
    replace_then(path, quads, |_| Ok::<(), StoreError>(()))
}

/// As [`replace`], running `before_swap` on the new store once it is
/// loaded: when that fails, the new store is thrown away and the previous
/// one stays.
pub fn replace_then<T, E: From<StoreError>>(
    path: &Path,
    quads: impl IntoIterator<Item = Quad>,
    before_swap: impl FnOnce(&Store) -> Result<T, E>,
) -> Result<T, E> {
    replace_with(path, Start::Empty, |store, dir| {
        let write = |source| StoreError::Write {
            path: dir.to_owned(),
            source,
        };
        let mut loader = store.bulk_loader();
        loader.load_quads(quads).map_err(write)?;
        loader.commit().map_err(write)?;
        before_swap(store)
    })
}

/// What a new store starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    Empty,
    /// A copy of the previous store (a RocksDB checkpoint: hard links to
    /// its files, so it costs little), to change in place.
    Previous,
}

/// Makes a new store beside the one at `path` and fills it with `fill`
/// (which gets the new store and its directory, where it may keep files of
/// its own); the new store replaces the previous one only once `fill`
/// succeeded. When it fails, the new store is thrown away and the previous
/// one stays as it was.
pub fn replace_with<T, E: From<StoreError>>(
    path: &Path,
    start: Start,
    fill: impl FnOnce(&Store, &Path) -> Result<T, E>,
) -> Result<T, E> {
    recover(path)?;
    if path.exists()
        && !is_store(path)
        && path.read_dir().map_err(io("read", path))?.next().is_some()
    {
        return Err(StoreError::NotAStore {
            path: path.to_owned(),
        }
        .into());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io("create", parent))?;
    }
    let new = sibling(path, "new");
    if new.exists() {
        std::fs::remove_dir_all(&new).map_err(io("remove", &new))?;
    }
    if is_store(path) {
        // Refuse to pull the store from under a process using it.
        let previous = open(path)?;
        if start == Start::Previous
            && let Err(source) = previous.backup(&new)
        {
            let _ = std::fs::remove_dir_all(&new);
            return Err(StoreError::Write { path: new, source }.into());
        }
    }
    let result = (|| -> Result<T, E> {
        let store = Store::open(&new).map_err(|source| StoreError::Write {
            path: new.clone(),
            source,
        })?;
        let value = fill(&store, &new)?;
        store.flush().map_err(|source| StoreError::Write {
            path: new.clone(),
            source,
        })?;
        drop(store);
        Ok(value)
    })();
    let value = match result {
        Ok(v) => v,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&new);
            return Err(e);
        }
    };
    // Swap: the old store moves aside, the new one takes its place.
    let old = sibling(path, "old");
    let had_old = path.exists();
    if had_old {
        std::fs::rename(path, &old).map_err(|e| {
            let _ = std::fs::remove_dir_all(&new);
            io("move the previous store aside from", path)(e)
        })?;
    }
    if let Err(e) = std::fs::rename(&new, path) {
        if had_old {
            let _ = std::fs::rename(&old, path);
        }
        let _ = std::fs::remove_dir_all(&new);
        return Err(io("move the new store to", path)(e).into());
    }
    if had_old {
        std::fs::remove_dir_all(&old).map_err(io("remove the previous store at", &old))?;
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{GraphName, NamedNode};

    fn quad(s: &str) -> Quad {
        let n = NamedNode::new_unchecked(format!("http://example.com/{s}"));
        Quad::new(n.clone(), n.clone(), n, GraphName::DefaultGraph)
    }

    #[test]
    fn the_merge_holds_each_triple_of_the_named_graphs_once() {
        let n = |s: &str| NamedNode::new_unchecked(format!("http://example.com/{s}"));
        let in_graph = |s: &str, g: &str| Quad::new(n(s), n("p"), n("o"), n(g));
        let quads = vec![
            in_graph("a", "g1"),
            in_graph("a", "g2"),
            in_graph("b", "g2"),
            quad("c"),
        ];
        let merged = merge(&quads);
        assert_eq!(merged.len(), 2);
        assert!(merged.iter().all(|q| q.graph_name.is_default_graph()));
    }

    #[test]
    fn replace_swaps_and_refuses_foreign_directories() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("s");
        replace(&store, vec![quad("a")]).unwrap();
        assert_eq!(open_read_only(&store).unwrap().len().unwrap(), 1);
        replace(&store, vec![quad("b"), quad("c")]).unwrap();
        assert_eq!(open_read_only(&store).unwrap().len().unwrap(), 2);
        // No leftovers beside the store.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");

        let foreign = dir.path().join("mine");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("notes.txt"), "keep me").unwrap();
        assert!(matches!(
            replace(&foreign, vec![quad("a")]),
            Err(StoreError::NotAStore { .. })
        ));
        assert!(foreign.join("notes.txt").exists());
    }

    /// A pid above Linux's largest (2^22): no process has it.
    const DEAD: u32 = 4_194_305;

    #[test]
    fn a_killed_build_is_recovered_from() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("s");
        replace(&store, vec![quad("a")]).unwrap();
        // Killed between moving the old store aside and moving the new one in.
        let old = dir.path().join(format!(".s.old-{DEAD}"));
        let new = dir.path().join(format!(".s.new-{DEAD}"));
        std::fs::rename(&store, &old).unwrap();
        std::fs::create_dir(&new).unwrap();
        std::fs::write(new.join("CURRENT"), "half").unwrap();
        assert_eq!(open_read_only(&store).unwrap().len().unwrap(), 1);
        assert!(!old.exists() && !new.exists());
        // Killed while loading: the half-written copy goes, the store stays.
        std::fs::create_dir(&new).unwrap();
        replace(&store, vec![quad("b"), quad("c")]).unwrap();
        assert!(!new.exists());
        assert_eq!(open_read_only(&store).unwrap().len().unwrap(), 2);
        // A copy of a running process is left alone.
        let running = dir.path().join(".s.new-1");
        std::fs::create_dir(&running).unwrap();
        recover(&store).unwrap();
        assert!(running.exists());
    }

    #[test]
    fn missing_store_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = open_read_only(&dir.path().join("nope"))
            .err()
            .expect("an error");
        assert!(
            err.to_string().contains("run `jinsong build` first"),
            "{err}"
        );
    }
}
