//! The source manifest (`data/sources.toml`): one `[[source]]` table per file,
//! with a stable id (the name of its named graph), the file, its format and
//! what is known about it (title, origin URL, licence).
//!
//! The manifest is strict: unknown keys, duplicate ids and missing files are
//! errors that name the manifest and the entry.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::Format;

/// What is known about one source before it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceMeta {
    /// Stable id: names the source's graph (`graph/<id>`) and its resource.
    pub id: String,
    pub path: PathBuf,
    /// `None`: detect from the content.
    pub format: Option<Format>,
    pub title: Option<String>,
    pub origin: Option<String>,
    pub licence: Option<String>,
}

impl SourceMeta {
    /// Description of a file given on the command line: the id comes from the file name.
    pub fn for_file(path: &Path) -> Self {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        SourceMeta {
            id: sanitize_id(&stem),
            path: path.to_owned(),
            format: None,
            title: None,
            origin: None,
            licence: None,
        }
    }
}

/// Turns a file name into an id usable in an IRI path segment.
pub fn sanitize_id(name: &str) -> String {
    let mut id: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if id.is_empty() {
        id.push_str("source");
    }
    id
}

/// Makes ids unique by suffixing repeats with `-2`, `-3`, ...
pub fn dedupe_ids(sources: &mut [SourceMeta]) {
    let mut seen = HashSet::new();
    for s in sources.iter_mut() {
        if !seen.insert(s.id.clone()) {
            let mut n = 2;
            while !seen.insert(format!("{}-{n}", s.id)) {
                n += 1;
            }
            s.id = format!("{}-{n}", s.id);
        }
    }
}

/// A parsed manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub path: PathBuf,
    pub sources: Vec<SourceMeta>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    #[serde(default)]
    source: Vec<RawSource>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: String,
    file: PathBuf,
    format: Option<Format>,
    title: Option<String>,
    origin: Option<String>,
    licence: Option<String>,
}

/// Errors in a manifest. Each names the manifest file.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("{path}: cannot read manifest: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: manifest is not valid UTF-8 (byte offset {offset})")]
    InvalidUtf8 { path: PathBuf, offset: usize },
    #[error("{path}: invalid manifest: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("{path}: manifest lists no [[source]]")]
    NoSources { path: PathBuf },
    #[error("{path}: source {id:?}: invalid id (use letters, digits, '-', '_' or '.')")]
    BadId { path: PathBuf, id: String },
    #[error("{path}: source id {id:?} is used twice")]
    DuplicateId { path: PathBuf, id: String },
    #[error("{path}: source {id:?}: file {file} does not exist")]
    MissingFile {
        path: PathBuf,
        id: String,
        file: PathBuf,
    },
}

impl Manifest {
    /// Loads and checks a manifest; file paths are relative to its directory.
    pub fn load(path: &Path) -> Result<Self, ManifestError> {
        let bytes = std::fs::read(path).map_err(|source| ManifestError::Io {
            path: path.to_owned(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|e| ManifestError::InvalidUtf8 {
            path: path.to_owned(),
            offset: e.utf8_error().valid_up_to(),
        })?;
        Self::parse(path, &text)
    }

    /// Parses manifest text; `path` locates relative files and names errors.
    pub fn parse(path: &Path, text: &str) -> Result<Self, ManifestError> {
        let raw: RawManifest = toml::from_str(text).map_err(|e| ManifestError::Syntax {
            path: path.to_owned(),
            message: e.to_string().trim_end().replace('\n', " "),
        })?;
        if raw.source.is_empty() {
            return Err(ManifestError::NoSources {
                path: path.to_owned(),
            });
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut seen = HashSet::new();
        let mut sources = Vec::with_capacity(raw.source.len());
        for s in raw.source {
            if s.id.is_empty() || sanitize_id(&s.id) != s.id.to_ascii_lowercase() {
                return Err(ManifestError::BadId {
                    path: path.to_owned(),
                    id: s.id,
                });
            }
            if !seen.insert(s.id.clone()) {
                return Err(ManifestError::DuplicateId {
                    path: path.to_owned(),
                    id: s.id,
                });
            }
            let file = dir.join(&s.file);
            if !file.is_file() {
                return Err(ManifestError::MissingFile {
                    path: path.to_owned(),
                    id: s.id,
                    file,
                });
            }
            sources.push(SourceMeta {
                id: s.id,
                path: file,
                format: s.format,
                title: s.title,
                origin: s.origin,
                licence: s.licence,
            });
        }
        Ok(Manifest {
            path: path.to_owned(),
            sources,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_rejected_with_the_manifest_name() {
        let err = Manifest::parse(
            Path::new("m.toml"),
            "[[source]]\nid = \"a\"\nfile = \"a.txt\"\ncolour = \"red\"\n",
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("m.toml: invalid manifest"), "{msg}");
        assert!(msg.contains("colour"), "{msg}");
    }

    #[test]
    fn unknown_format_is_rejected() {
        let err = Manifest::parse(
            Path::new("m.toml"),
            "[[source]]\nid = \"a\"\nfile = \"a.txt\"\nformat = \"pdf\"\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("pdf"), "{err}");
    }

    #[test]
    fn missing_file_names_the_entry() {
        let err = Manifest::parse(
            Path::new("/nonexistent/m.toml"),
            "[[source]]\nid = \"a\"\nfile = \"a.txt\"\n",
        )
        .unwrap_err();
        assert!(matches!(err, ManifestError::MissingFile { .. }), "{err}");
        assert!(err.to_string().contains("\"a\""));
    }

    #[test]
    fn ids_from_file_names_are_sanitized_and_deduplicated() {
        let mut v = vec![
            SourceMeta::for_file(Path::new("dir/My File.txt")),
            SourceMeta::for_file(Path::new("other/My File.txt")),
        ];
        dedupe_ids(&mut v);
        assert_eq!(v[0].id, "my-file");
        assert_eq!(v[1].id, "my-file-2");
    }
}
