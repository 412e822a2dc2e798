//! Shared test harness: runs the real binary, builds the bundled corpus once,
//! and finds the external tools (rapper, a Python with rdflib and pyoxigraph).
//! A test that needs a missing tool is skipped with a message locally and
//! fails under CI (`CI=true`), where `.ci/run` installs everything.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The result of a run of the binary.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }

    /// Panics with the output unless the run succeeded.
    pub fn success(self) -> Self {
        assert!(
            self.ok(),
            "jinsong failed ({:?}):\n{}\n{}",
            self.code,
            self.stderr,
            self.stdout
        );
        self
    }

    /// Panics unless the run failed cleanly: non-zero exit, one message, no panic.
    pub fn failure(self) -> Self {
        assert!(
            !self.ok(),
            "expected a failure, got success:\n{}",
            self.stdout
        );
        assert!(!self.stderr.contains("panicked"), "panic: {}", self.stderr);
        assert!(
            self.stderr.starts_with("jinsong: error: "),
            "message: {}",
            self.stderr
        );
        assert_eq!(
            self.stderr.trim_end().lines().count(),
            1,
            "one line: {}",
            self.stderr
        );
        self
    }
}

fn from(o: Output) -> Run {
    Run {
        code: o.status.code(),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Runs `jinsong --store STORE ARGS…` in the repository.
pub fn jinsong(store: &Path, args: &[&str]) -> Run {
    jinsong_stdin(store, args, None)
}

pub fn jinsong_stdin(store: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jinsong"));
    cmd.current_dir(repo())
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("JINSONG_STORE")
        .env_remove("JINSONG_BASE_IRI")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the binary runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(input.as_bytes())
            .expect("stdin accepts the query");
    } else {
        drop(child.stdin.take());
    }
    from(child.wait_with_output().expect("the binary finishes"))
}

/// A store of the bundled corpus, built once for the whole test binary.
pub fn shared_store() -> &'static Path {
    static STORE: OnceLock<PathBuf> = OnceLock::new();
    STORE.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("jinsong-shared-")
            .tempdir()
            .expect("a temp dir")
            .keep();
        let store = dir.join("store");
        jinsong(&store, &["build"]).success();
        store
    })
}

/// A fresh temporary directory.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("jinsong-test-")
        .tempdir()
        .expect("a temp dir")
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Whether a required external tool may be missing here; under CI it must not.
pub fn missing(what: &str) -> bool {
    if in_ci() {
        panic!("{what} is required under CI (CI=true); .ci/run installs it");
    }
    eprintln!("skipped: {what} is not installed (run .ci/run to install it)");
    true
}

/// The `rapper` binary (Debian raptor2-utils), if installed.
pub fn rapper() -> Option<PathBuf> {
    which("rapper")
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}

/// A Python interpreter with rdflib and pyoxigraph: `JINSONG_PYTHON`, the
/// venv `.ci/run` makes, or `python3`.
pub fn python() -> Option<PathBuf> {
    static PY: OnceLock<Option<PathBuf>> = OnceLock::new();
    PY.get_or_init(|| {
        let mut candidates: Vec<PathBuf> = Vec::new();
        if let Some(p) = std::env::var_os("JINSONG_PYTHON") {
            candidates.push(p.into());
        }
        if let Some(home) = std::env::var_os("HOME") {
            candidates.push(Path::new(&home).join(".cache/jinsong-venv/bin/python"));
        }
        candidates.extend(which("python3"));
        candidates.into_iter().find(|p| {
            Command::new(p)
                .args(["-c", "import rdflib, pyoxigraph, SPARQLWrapper"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
    })
    .clone()
}

/// Runs a Python script with arguments; returns stdout, panicking on failure.
pub fn run_python(python: &Path, script: &str, args: &[&str]) -> String {
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "python failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs a query with `--format json` and returns its solutions as maps of
/// variable → lexical value.
pub fn select(
    store: &Path,
    query: &str,
    binds: &[&str],
) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut args = vec!["query", query, "--format", "json"];
    for b in binds {
        args.push("--bind");
        args.push(b);
    }
    let run = jinsong(store, &args).success();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("SPARQL JSON results");
    v["results"]["bindings"]
        .as_array()
        .expect("bindings")
        .iter()
        .map(|b| {
            b.as_object()
                .expect("a solution")
                .iter()
                .map(|(k, t)| {
                    (
                        k.clone(),
                        t["value"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .collect()
}

/// A Virtuoso Open Source server (Debian virtuoso-opensource), the engine
/// DBpedia runs on, started on loopback ports in a temporary directory and
/// loaded with N-Triples files. It is killed when dropped.
pub struct Virtuoso {
    child: std::process::Child,
    pub sparql: String,
    isql: PathBuf,
    sql_port: u16,
    _dir: tempfile::TempDir,
}

/// A free loopback port (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Virtuoso {
    /// Starts Virtuoso with `ResultSetMaxRows` = `max_rows` and loads every
    /// `*.nt` file of `data`; None (after `missing`) when it is not installed.
    pub fn start(data: &Path, max_rows: usize) -> Option<Virtuoso> {
        let (Some(server), Some(isql)) = (which("virtuoso-t"), which("isql-vt")) else {
            missing("Virtuoso (Debian virtuoso-opensource: virtuoso-t, isql-vt)");
            return None;
        };
        let data = data.canonicalize().expect("the data directory");
        // Virtuoso 7.2 sometimes dies of a segmentation fault while it starts
        // (seen once in a CI run: "GPF: Dkernel.c:1330 internal error"),
        // before it listens: started again, in a new directory on new ports,
        // up to three times in all. Any other failure is the test's.
        let mut attempt = 1;
        let v = loop {
            match Virtuoso::launch(&server, &isql, &data, max_rows) {
                Ok(v) => break v,
                Err((crashed, why)) if crashed && attempt < 3 => {
                    eprintln!("Virtuoso crashed while starting (attempt {attempt}); again:\n{why}");
                    attempt += 1;
                }
                Err((_, why)) => panic!("{why}"),
            }
        };
        v.isql(&format!(
            "ld_dir('{}', '*.nt', 'http://dbpedia.org'); rdf_loader_run(); checkpoint;",
            data.display()
        ));
        Some(v)
    }

    /// Starts one Virtuoso and waits for its ports. Err says whether it
    /// died of a signal before listening, and why it did not start.
    fn launch(
        server: &Path,
        isql: &Path,
        data: &Path,
        max_rows: usize,
    ) -> Result<Virtuoso, (bool, String)> {
        let dir = tempdir();
        let d = dir.path().display().to_string();
        let sql_port = free_port();
        let http_port = std::iter::repeat_with(free_port)
            .find(|&p| p != sql_port)
            .expect("a second free port");
        let ini = format!(
            "[Database]\nDatabaseFile = {d}/virtuoso.db\nErrorLogFile = {d}/virtuoso.log\n\
             LockFile = {d}/virtuoso.lck\nTransactionFile = {d}/virtuoso.trx\n\
             xa_persistent_file = {d}/virtuoso.pxa\nErrorLogLevel = 7\nFileExtend = 200\n\
             MaxCheckpointRemap = 2000\nStriping = 0\nTempStorage = TempDatabase\n\n\
             [TempDatabase]\nDatabaseFile = {d}/virtuoso-temp.db\nTransactionFile = {d}/virtuoso-temp.trx\n\
             MaxCheckpointRemap = 2000\nStriping = 0\n\n\
             [Parameters]\nServerPort = 127.0.0.1:{sql_port}\nNumberOfBuffers = 10000\nMaxDirtyBuffers = 6000\n\
             DirsAllowed = ., {d}, {}\nThreadsPerQuery = 2\nMaxClientConnections = 5\n\n\
             [HTTPServer]\nServerPort = 127.0.0.1:{http_port}\nServerRoot = /var/lib/virtuoso-opensource-7/vsp\n\
             MaxClientConnections = 5\nServerThreads = 5\n\n\
             [SPARQL]\nResultSetMaxRows = {max_rows}\nMaxQueryExecutionTime = 60\nMaxQueryCostEstimationTime = 400\n",
            data.display()
        );
        let ini_path = dir.path().join("virtuoso.ini");
        std::fs::write(&ini_path, ini).expect("the ini is written");
        let child = Command::new(server)
            .arg("+configfile")
            .arg(&ini_path)
            .arg("+foreground")
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("virtuoso-t starts");
        let mut v = Virtuoso {
            child,
            sparql: format!("http://127.0.0.1:{http_port}/sparql"),
            isql: isql.to_path_buf(),
            sql_port,
            _dir: dir,
        };
        // Wait (at most two minutes: CI's two cores may be busy) for both
        // ports, then load. A failure says why: the log goes with the
        // temporary directory.
        let started = std::time::Instant::now();
        loop {
            let up = std::net::TcpStream::connect(("127.0.0.1", sql_port)).is_ok()
                && std::net::TcpStream::connect(("127.0.0.1", http_port)).is_ok();
            if up {
                break;
            }
            let exited = v.child.try_wait().ok().flatten();
            if exited.is_some() || started.elapsed() > std::time::Duration::from_secs(120) {
                let log = std::fs::read_to_string(format!("{d}/virtuoso.log")).unwrap_or_default();
                let lines: Vec<&str> = log.lines().collect();
                let tail = &lines[lines.len().saturating_sub(30)..];
                // Killed by a signal before it listened: a crash at start.
                let crashed = exited.is_some_and(|e| e.code().is_none());
                return Err((
                    crashed,
                    format!(
                        "Virtuoso did not start on ports {sql_port} and {http_port} in {:.0?} \
                         ({}); the end of its log:\n{}",
                        started.elapsed(),
                        exited.map_or("still running".to_owned(), |e| format!("exited: {e}")),
                        tail.join("\n")
                    ),
                ));
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        Ok(v)
    }
}

impl Virtuoso {
    /// Runs SQL through isql as dba; panics with Virtuoso's answer when it fails.
    pub fn isql(&self, sql: &str) -> String {
        let out = Command::new(&self.isql)
            .arg(format!("127.0.0.1:{}", self.sql_port))
            .args(["dba", "dba"])
            .arg(format!("exec={sql}"))
            .output()
            .expect("isql-vt runs");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success() && !stdout.contains("Error"),
            "Virtuoso refused {sql}:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }
}

impl Drop for Virtuoso {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `jinsong serve` process on a free loopback port, stopped (SIGTERM) when dropped.
pub struct Server {
    child: Option<std::process::Child>,
    pub url: String,
}

impl Server {
    pub fn start(store: &Path, extra: &[&str]) -> Server {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_jinsong"))
            .current_dir(repo())
            .arg("--store")
            .arg(store)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the server prints its address");
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://") && w.ends_with('/'))
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .trim_end_matches('/')
            .to_owned();
        Server {
            child: Some(child),
            url,
        }
    }

    /// Sends SIGTERM and waits: the exit status and stderr.
    pub fn stop(mut self) -> (Option<i32>, String) {
        let child = self.child.take().expect("running");
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let out = child.wait_with_output().expect("the server stops");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// An HTTP response as the tests see it.
pub struct Http {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Http {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request over a plain socket (no redirects followed, so a
/// 303 is seen as such).
pub fn http(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&str>) -> Http {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let mut stream = std::net::TcpStream::connect(host).expect("the server listens");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .expect("a time-out");
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    let body = body.unwrap_or("");
    if method != "GET" {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    // The server may answer (413) before reading a large body: ignore a reset.
    let _ = stream.write_all(req.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {head:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked {
        let mut out = String::new();
        let mut rest = rest;
        while let Some((size, tail)) = rest.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if n == 0 {
                break;
            }
            out.push_str(&tail[..n.min(tail.len())]);
            rest = tail.get(n + 2..).unwrap_or("");
        }
        out
    } else {
        rest.to_owned()
    };
    Http {
        status,
        headers,
        body,
    }
}

/// Percent-encodes a query-string value.
pub fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
