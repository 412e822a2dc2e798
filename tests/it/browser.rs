//! The pages in a real browser: Debian's Chromium, driven by playwright-core
//! (tests/browser/pages.mjs), opens the index, follows a link to a battle's
//! page, checks its Attributes table and the timeline's SVG, and saves
//! screenshots (under the system temp directory, `jinsong-screenshots`).

use std::path::Path;
use std::process::Command;

use crate::harness::{Server, missing, repo, shared_store};

#[test]
fn chromium_reads_the_pages() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let driver = repo().join("tests/browser/node_modules/playwright-core");
    let node_ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !node_ok || !Path::new(&chromium).exists() || !driver.is_dir() {
        missing(
            "Chromium (Debian chromium), Node.js and playwright-core (npm ci --prefix tests/browser)",
        );
        return;
    }
    let s = Server::start(shared_store(), &[]);
    let out = std::env::temp_dir().join("jinsong-screenshots");
    let _ = std::fs::remove_dir_all(&out);
    let run = Command::new("node")
        .arg(repo().join("tests/browser/pages.mjs"))
        .arg(&s.url)
        .arg(&out)
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{}\n{stdout}",
        String::from_utf8_lossy(&run.stderr)
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    let title = seen["title"].as_str().unwrap_or("");
    assert!(
        title.starts_with("About: ") && title.contains("Battle"),
        "{seen}"
    );
    assert_eq!(
        title.strip_prefix("About: "),
        seen["battle"].as_str(),
        "the page of the link clicked"
    );
    assert!(
        seen["battleUrl"].as_str().unwrap_or("").contains("/page/"),
        "{seen}"
    );
    assert_eq!(
        seen["timelineLanes"].as_array().map(Vec::len),
        Some(6),
        "{seen}"
    );
    for shot in ["index.png", "battle.png", "timeline.png"] {
        let bytes = std::fs::read(out.join(shot)).expect("a screenshot");
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 5_000,
            "{shot}"
        );
    }
}
