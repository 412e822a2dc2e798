//! Label normalization for matching, as link-discovery tools do it: case,
//! diacritics, dashes and punctuation are folded, a leading "the" goes, and
//! a parenthesised disambiguation ("Zhang Jun (general)") is kept apart as a
//! qualifier rather than matched.

/// A label, split into its matching key and its parenthesised qualifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// Folded words of the label without its qualifier: "jin dynasty".
    pub key: String,
    /// The text in trailing parentheses, if any: "1115–1234".
    pub qualifier: Option<String>,
}

/// Folds one piece of text: the extractor's key (NFKD without combining
/// marks, lower case, dashes as spaces), then apostrophes dropped and other
/// punctuation as spaces, whitespace collapsed.
pub fn fold(text: &str) -> String {
    let key = crate::extract::norm_key(text);
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        match c {
            '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' => {}
            c if c.is_alphanumeric() => out.push(c),
            _ => {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
            }
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Normalizes a label for matching.
pub fn normalize(label: &str) -> Normalized {
    let trimmed = label.trim();
    let (main, qualifier) = match trimmed.strip_suffix(')').and_then(|t| t.rsplit_once('(')) {
        Some((head, q)) if !head.trim().is_empty() => (head, Some(q.trim().to_owned())),
        _ => (trimmed, None),
    };
    let mut key = fold(main);
    if let Some(rest) = key.strip_prefix("the ") {
        key = rest.to_owned();
    }
    Normalized { key, qualifier }
}

/// Words that name the kind of a polity rather than the polity: "Song
/// dynasty" and "Song" are the same key's variants.
const POLITY_HEADS: &[&str] = &["dynasty"];

/// The keys under which a label is looked up: its key, and the key without
/// a trailing polity head word ("jin dynasty" → "jin") when that leaves a
/// name. The first key is the label's own.
pub fn keys(label: &str) -> Vec<String> {
    let n = normalize(label);
    let mut out = vec![n.key.clone()];
    for head in POLITY_HEADS {
        if let Some(rest) = n.key.strip_suffix(head).map(str::trim_end)
            && !rest.is_empty()
            && rest.len() + 1 < n.key.len()
        {
            out.push(rest.to_owned());
        }
    }
    // An event title with words before its kind: "Mongol siege of X" is
    // also found as "siege of x".
    for kind in EVENT_HEADS {
        if let Some(pos) = n.key.find(kind)
            && pos > 0
            && n.key.as_bytes()[pos - 1] == b' '
        {
            out.push(n.key[pos..].to_owned());
        }
    }
    out.retain(|k| !k.is_empty());
    out.dedup();
    out
}

/// The words that start an event's title after any qualifier.
const EVENT_HEADS: &[&str] = &["siege of ", "battle of ", "sack of ", "treaty of "];

/// Years named in a qualifier such as "1086–1154", "born 1097" or "1232":
/// every run of three or four digits, in order.
pub fn qualifier_years(qualifier: &str) -> Vec<i32> {
    let mut out = Vec::new();
    let mut digits = String::new();
    for c in qualifier.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if (3..=4).contains(&digits.len())
                && let Ok(y) = digits.parse()
            {
                out.push(y);
            }
            digits.clear();
        }
    }
    out
}

/// The year of an xsd:date, gYear or gYearMonth lexical form ("1161-11-26",
/// "-0200", "1103"), if it has one.
pub fn year_of(lexical: &str) -> Option<i32> {
    let (sign, rest) = match lexical.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, lexical),
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 3 {
        return None;
    }
    digits.parse::<i32>().ok().map(|y| sign * y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_fold_case_diacritics_dashes_and_the() {
        let cases = [
            ("Jin–Song Wars", "jin song wars"),
            ("Jin-Song wars", "jin song wars"),
            ("The Battle of Caishi", "battle of caishi"),
            ("Xi'an", "xian"),
            ("Xi’an", "xian"),
            ("Jürchen  campaigns", "jurchen campaigns"),
            ("Jin_dynasty_(1115–1234)", "jin dynasty"),
            ("Lin'an (Hangzhou)", "linan"),
            ("(1234)", "1234"),
        ];
        for (label, key) in cases {
            assert_eq!(normalize(label).key, key, "{label}");
        }
        assert_eq!(
            normalize("Jin dynasty (1115–1234)").qualifier.as_deref(),
            Some("1115–1234")
        );
    }

    #[test]
    fn polity_keys_drop_the_head_word() {
        assert_eq!(keys("Song Dynasty"), vec!["song dynasty", "song"]);
        assert_eq!(keys("Dynasty"), vec!["dynasty"]);
        assert_eq!(keys("Battle of Caishi"), vec!["battle of caishi"]);
        assert_eq!(
            keys("Mongol siege of Kaifeng"),
            vec!["mongol siege of kaifeng", "siege of kaifeng"]
        );
    }

    #[test]
    fn years_come_from_qualifiers_and_lexical_forms() {
        assert_eq!(qualifier_years("1086–1154"), vec![1086, 1154]);
        assert_eq!(qualifier_years("general"), Vec::<i32>::new());
        assert_eq!(qualifier_years("born 1097"), vec![1097]);
        assert_eq!(year_of("1161-11-26"), Some(1161));
        assert_eq!(year_of("-0200"), Some(-200));
        assert_eq!(year_of("1103"), Some(1103));
        assert_eq!(year_of("x"), None);
    }
}
