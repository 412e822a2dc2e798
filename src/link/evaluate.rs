//! Links measured against reference links: precision, recall and F1, with
//! every false positive and false negative named.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use super::LinkError;
use crate::rdf::emit::Base;

/// Reference links: local IRI → DBpedia IRI.
#[derive(Debug, Clone, Default)]
pub struct Reference {
    pub links: BTreeMap<String, String>,
}

const DBR: &str = "http://dbpedia.org/resource/";

/// Expands `jsr:Name`, `dbr:Name`, `<IRI>` and bare names to full IRIs.
fn expand(term: &str, default_prefix: &str, base: &Base) -> String {
    let t = term.trim();
    if let Some(inner) = t.strip_prefix('<').and_then(|t| t.strip_suffix('>')) {
        return inner.to_owned();
    }
    if let Some(name) = t.strip_prefix("jsr:") {
        return format!("{}{name}", base.resource_prefix());
    }
    if let Some(name) = t.strip_prefix("dbr:") {
        return format!("{DBR}{name}");
    }
    if t.contains("://") {
        return t.to_owned();
    }
    format!("{default_prefix}{}", t.replace(' ', "_"))
}

impl Reference {
    /// Reads a TSV of (local, dbpedia) rows. A header row (`local`),
    /// blank lines and `#` comments are skipped; names may be full IRIs,
    /// `<IRI>`, `jsr:`/`dbr:` names or bare resource names.
    pub fn read(path: &Path, base: &Base) -> Result<Reference, LinkError> {
        let text = std::fs::read_to_string(path).map_err(|source| LinkError::Io {
            action: "read",
            path: path.to_owned(),
            source,
        })?;
        let mut out = Reference::default();
        let mut first = true;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |message: String| LinkError::Reference {
                path: path.to_owned(),
                line: i + 1,
                message,
            };
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 2 {
                return Err(err(format!(
                    "expected two tab-separated columns (local, dbpedia), found {:?}",
                    line
                )));
            }
            if std::mem::take(&mut first) && cols[0].trim().eq_ignore_ascii_case("local") {
                continue;
            }
            let local = expand(cols[0], &base.resource_prefix(), base);
            let target = expand(cols[1], DBR, base);
            if let Some(old) = out.links.insert(local.clone(), target.clone())
                && old != target
            {
                return Err(err(format!("{local} is linked twice ({old} and {target})")));
            }
        }
        Ok(out)
    }
}

/// The evaluation of a set of links.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub true_positives: usize,
    /// (local, linked to, the reference's target if any)
    pub false_positives: Vec<(String, String, Option<String>)>,
    /// (local, the reference's target)
    pub false_negatives: Vec<(String, String)>,
    pub links: usize,
    pub reference: usize,
}

impl Report {
    pub fn precision(&self) -> f64 {
        ratio(self.true_positives, self.links)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.true_positives, self.reference)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Compares `links` with the reference.
pub fn evaluate(links: &BTreeSet<(String, String)>, reference: &Reference) -> Report {
    let mut r = Report {
        links: links.len(),
        reference: reference.links.len(),
        ..Report::default()
    };
    let linked: BTreeMap<&str, &str> = links
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    for (local, target) in links {
        match reference.links.get(local) {
            Some(t) if t == target => r.true_positives += 1,
            other => r
                .false_positives
                .push((local.clone(), target.clone(), other.cloned())),
        }
    }
    for (local, target) in &reference.links {
        if linked.get(local.as_str()) != Some(&target.as_str()) {
            r.false_negatives.push((local.clone(), target.clone()));
        }
    }
    r
}

/// The report with short names: `jsr:` for local resources, `dbr:` for DBpedia's.
pub struct Display<'a> {
    pub report: &'a Report,
    pub base: &'a Base,
}

impl fmt::Display for Display<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.report;
        let prefix = self.base.resource_prefix();
        let short = |iri: &str| {
            if let Some(n) = iri.strip_prefix(&prefix) {
                format!("jsr:{n}")
            } else if let Some(n) = iri.strip_prefix(DBR) {
                format!("dbr:{n}")
            } else {
                format!("<{iri}>")
            }
        };
        writeln!(
            f,
            "Links:     {} (reference: {}, correct: {})",
            r.links, r.reference, r.true_positives
        )?;
        writeln!(
            f,
            "Precision: {:.3} ({}/{})",
            r.precision(),
            r.true_positives,
            r.links
        )?;
        writeln!(
            f,
            "Recall:    {:.3} ({}/{})",
            r.recall(),
            r.true_positives,
            r.reference
        )?;
        writeln!(f, "F1:        {:.3}", r.f1())?;
        if !r.false_positives.is_empty() {
            writeln!(f, "False positives:")?;
            for (local, target, expected) in &r.false_positives {
                match expected {
                    Some(e) => writeln!(
                        f,
                        "  {} → {} (reference: {})",
                        short(local),
                        short(target),
                        short(e)
                    )?,
                    None => writeln!(
                        f,
                        "  {} → {} (not in the reference)",
                        short(local),
                        short(target)
                    )?,
                }
            }
        }
        if !r.false_negatives.is_empty() {
            writeln!(f, "False negatives:")?;
            for (local, target) in &r.false_negatives {
                writeln!(f, "  {} → {}", short(local), short(target))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_recall_and_f1_count_wrong_targets_as_both() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ref.tsv");
        std::fs::write(
            &path,
            "# reference\nlocal\tdbpedia\njsr:A\tdbr:A\njsr:B\thttp://dbpedia.org/resource/B\n# note\n<https://w3id.org/jinsong/resource/C>\tdbr:C\n",
        )
        .unwrap();
        let base = Base::default();
        let reference = Reference::read(&path, &base).unwrap();
        assert_eq!(reference.links.len(), 3);
        let r = |n: &str| format!("{}{n}", base.resource_prefix());
        let d = |n: &str| format!("{DBR}{n}");
        let links: BTreeSet<(String, String)> =
            [(r("A"), d("A")), (r("B"), d("X")), (r("D"), d("D"))].into();
        let report = evaluate(&links, &reference);
        assert_eq!(report.true_positives, 1);
        assert_eq!(report.false_positives.len(), 2);
        assert_eq!(report.false_negatives.len(), 2);
        assert!((report.precision() - 1.0 / 3.0).abs() < 1e-9);
        let text = Display {
            report: &report,
            base: &base,
        }
        .to_string();
        assert!(text.contains("jsr:B → dbr:X (reference: dbr:B)"), "{text}");
    }

    #[test]
    fn a_malformed_reference_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ref.tsv");
        std::fs::write(&path, "local\tdbpedia\njsr:A dbr:A\n").unwrap();
        let err = Reference::read(&path, &Base::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("ref.tsv: line 2"), "{err}");
    }
}
