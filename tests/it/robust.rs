//! No input makes the pipeline panic: every bundled source cut short at many
//! points, its lines shuffled, and degenerate texts go through reading,
//! extraction, resolution and emission, in every format.

use jinsong::build::build_graph;
use jinsong::rdf::emit::{Base, DEFAULT_BASE};
use jinsong::sources::{Format, SourceMeta, parse_text};

use crate::harness::repo;

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A number from the environment, for a longer hunt than the default run:
/// `JINSONG_SOUP=20000 JINSONG_SEED=7 cargo test --release --test it robust`.
fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

fn run_all_formats(text: &str) {
    let base = Base::new(DEFAULT_BASE).unwrap();
    for format in [
        Format::DbpediaPage,
        Format::Article,
        Format::WikiText103,
        Format::Blog,
    ] {
        let mut meta = SourceMeta::for_file(std::path::Path::new("t.txt"));
        meta.format = Some(format);
        let doc = parse_text(meta, text.to_owned(), String::new());
        let built = build_graph(vec![doc], &base);
        assert!(built.summary.quads > 0, "{format:?}: at least the ontology");
    }
}

fn sources() -> Vec<String> {
    let dir = repo().join("data/sources");
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    out.sort();
    out
}

#[test]
fn sources_cut_anywhere_do_not_panic() {
    let mut rng = Rng(0x5eed_1125);
    for text in sources() {
        for _ in 0..30 {
            let mut cut = rng.below(text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            run_all_formats(&text[..cut]);
            run_all_formats(&text[cut..]);
        }
    }
}

#[test]
fn sources_with_shuffled_lines_and_words_do_not_panic() {
    let mut rng = Rng(0x1234_5678);
    for text in sources() {
        let mut lines: Vec<&str> = text.lines().collect();
        for i in (1..lines.len()).rev() {
            lines.swap(i, rng.below(i + 1));
        }
        run_all_formats(&lines.join("\n"));
        let mut words: Vec<&str> = text.split(' ').collect();
        for i in (1..words.len()).rev() {
            words.swap(i, rng.below(i + 1));
        }
        run_all_formats(&words.join(" "));
    }
}

#[test]
fn degenerate_texts_do_not_panic() {
    let long_word = "x".repeat(100_000);
    let cases = [
        "(",
        ")",
        "–",
        "1125–",
        "–1234",
        "(1115 ? 1234)",
        "@,@ @-@ @.@",
        " = = = \n = =",
        "Attributes | Values",
        "1126 ||",
        "|| ||",
        "Battle of",
        "Treaty of the",
        "Siege of ( ) in 0",
        "In 99999, the Battle of X was fought on February 30, 1142.",
        "He was born in 0 and died in -5 (r. 1200–1100).",
        "250 @,@ 000 @,@ 000 @,@ 000 @,@ 000 @,@ 000 taels of silver",
        "A decade later. The following year. That same year. Two days after.",
        "The Jin and the Song and the Jin and the Song made peace with with between and.",
        "Emperor Emperor Emperor of of of Song Song Song.",
        "\u{feff}\u{200b}\u{0301}é\u{0301}\u{0301}",
        "…“”‘’—–-·•",
        &long_word,
    ];
    for c in cases {
        run_all_formats(c);
        run_all_formats(&format!("{c}\n{c}\n\n{c}"));
    }
}

#[test]
fn random_token_soup_does_not_panic() {
    const TOKENS: &[&str] = &[
        "Battle",
        "of",
        "Siege",
        "Treaty",
        "the",
        "The",
        "Jin",
        "Song",
        "dynasty",
        "Emperor",
        "General",
        "Zhang",
        "Jun",
        "Kaifeng",
        "river",
        "River",
        "in",
        "on",
        "1126",
        "1127",
        "(",
        ")",
        ",",
        ".",
        ";",
        "–",
        "-",
        "@,@",
        "@-@",
        "=",
        "||",
        "|",
        "between",
        "and",
        "with",
        "against",
        "by",
        "led",
        "defeated",
        "besieged",
        "captured",
        "after",
        "days",
        "260",
        "250",
        "000",
        "taels",
        "silver",
        "a",
        "year",
        "January",
        "31",
        "mid",
        "early",
        "later",
        "following",
        "decade",
        "r.",
        "born",
        "died",
        "who",
        "which",
        "his",
        "He",
        "She",
        "they",
        "Attributes",
        "Values",
        "•",
        "\n",
        "\n\n",
        "known",
        "as",
        "called",
        "Southern",
        "Northern",
        "Western",
        "Xia",
        "Liao",
        "Mongols",
        "campaign",
        "invaded",
        "peace",
        "agreement",
        "war",
        "Wars",
        "first",
        "second",
        "Second",
        "13th",
        "century",
        "Lin’an",
        "De'an",
        "’s",
        "'s",
        "“",
        "”",
        "…",
        "?",
        "??",
        "é",
        "Zürich",
        "Jin–Song",
        "·",
        "[1]",
        "[",
        "]",
        "\"",
        ":",
        "/",
        "1,000",
        "100,000",
        "AD",
        "BC",
        "c.",
        "ca.",
        "St.",
    ];
    let mut rng = Rng(env_or("JINSONG_SEED", 0xdead_beef));
    let rounds = env_or("JINSONG_SOUP", 150);
    for _ in 0..rounds {
        let n = 1 + rng.below(120);
        let text: Vec<&str> = (0..n).map(|_| TOKENS[rng.below(TOKENS.len())]).collect();
        run_all_formats(&text.join(" "));
    }
}

#[test]
fn random_character_soup_does_not_panic() {
    const CHARS: &[char] = &[
        'a', 'B', 'z', ' ', ' ', ' ', '\n', '\n', '\t', '\r', '|', '=', '@', ',', '.', '-', '–',
        '—', '(', ')', '[', ']', '?', '•', '1', '2', '0', '9', '’', '\'', '"', '“', ':', ';', 'é',
        '\u{0301}', '\u{200b}', '中', '😀', '#', '*', '/', '\\',
    ];
    let rounds = env_or("JINSONG_SOUP", 150);
    let mut rng = Rng(env_or("JINSONG_SEED", 0xc0ffee));
    for _ in 0..rounds {
        let n = 1 + rng.below(400);
        let text: String = (0..n).map(|_| CHARS[rng.below(CHARS.len())]).collect();
        run_all_formats(&text);
    }
}
