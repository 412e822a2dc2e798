//! Crash safety: `jinsong build` killed with SIGKILL at random moments, 20
//! times; after each kill the store opens and answers exactly as before
//! (a build writes a new store beside the old one and swaps directories
//! only when it is complete; the next command cleans up after a dead one).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::errors::fingerprint;
use crate::harness::{jinsong, repo, tempdir};

/// xorshift64*: reproducible kill times from a seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
    }
}

/// The number of quads in the store's named graphs, as a query answers it.
fn quads(store: &std::path::Path) -> String {
    jinsong(
        store,
        &[
            "query",
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
            "-f",
            "csv",
        ],
    )
    .success()
    .stdout
}

/// Spawns `jinsong build --full` on `store` (a whole build: the sources
/// did not change, so a plain build would find nothing to do), silent.
fn spawn_build(store: &std::path::Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_jinsong"))
        .current_dir(repo())
        .arg("--store")
        .arg(store)
        .arg("build")
        .arg("--full")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the build starts")
}

#[test]
fn a_build_killed_at_any_moment_leaves_the_store_as_it_was() {
    let dir = tempdir();
    let store = dir.path().join("store");
    jinsong(&store, &["build"]).success();
    let before = fingerprint(&store);
    let count = quads(&store);
    // The kill window is the shortest of three rebuilds over the existing
    // store (what every round below runs), so a kill time drawn from it
    // lands in a running build however fast or slow this machine is.
    let mut shortest = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        let status = spawn_build(&store).wait().expect("the build ends");
        assert!(status.success(), "a rebuild succeeds");
        shortest = shortest.min(started.elapsed());
    }
    assert_eq!(fingerprint(&store), before, "a rebuild changes nothing");
    let window = (shortest.as_millis() as u64 * 9 / 10).max(1);
    let seed = std::env::var("JINSONG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x6a69_6e73_6f6e_u64);
    let mut rng = Rng(seed | 1);
    // 20 kills of a running build; a kill that comes after the build ended
    // (a loaded machine) is checked the same way but not counted.
    let (mut interrupted, mut rounds) = (0, 0);
    while interrupted < 20 && rounds < 60 {
        rounds += 1;
        let mut child = spawn_build(&store);
        let at = Duration::from_millis(rng.below(window));
        std::thread::sleep(at);
        if child.try_wait().expect("a status").is_none() {
            interrupted += 1;
        }
        child.kill().ok(); // SIGKILL
        child.wait().expect("the build is gone");
        assert_eq!(
            fingerprint(&store),
            before,
            "round {rounds}: killed after {at:?}, the store holds what it held"
        );
        let again = quads(&store);
        assert_eq!(again, count, "round {rounds}: the same answer");
        // Nothing half-written is left beside the store once a command ran.
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "store")
            .collect();
        assert!(left.is_empty(), "round {rounds}: left behind {left:?}");
    }
    assert_eq!(
        interrupted, 20,
        "only {interrupted} of {rounds} kills hit a running build (window {window} ms)"
    );
    // And a build after all that succeeds.
    jinsong(&store, &["build", "--full"]).success();
    assert_eq!(fingerprint(&store), before);
}
