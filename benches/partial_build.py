#!/usr/bin/env python3
"""A build of a corpus too large for this machine's disk, taken as far as the
disk allows: peak RSS (VmHWM, sampled each second), when the map and reduce
end (the map cache moves into the new store), how much store was written;
the build is stopped (SIGKILL, which a build survives: the next command
removes what it left) when less than --min-free-gb is left.

    cargo build --release
    python3 benches/partial_build.py --size 1000 [--work /tmp/jscale]
"""
import argparse, os, shutil, signal, subprocess, sys, time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def dir_size(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=1000, help="corpus size in MB")
    ap.add_argument("--work", default="/tmp/jinsong-scale", help="where the corpus and store go")
    ap.add_argument("--min-free-gb", type=float, default=12.0)
    args = ap.parse_args()
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    jinsong = target / "release" / "jinsong"
    if not jinsong.exists():
        sys.exit(f"partial_build.py: {jinsong} is missing; run `cargo build --release` first")
    work = Path(args.work)
    corpus = work / f"corpus-{args.size}MB"
    if not (corpus / "sources.toml").exists():
        subprocess.run([sys.executable, REPO / "tools" / "gencorpus.py", "--out", corpus,
                        "--size", f"{args.size}MB", "--seed", "42"], check=True)
    name = f"store-{args.size}MB"
    store = work / name
    shutil.rmtree(store, ignore_errors=True)
    started = time.monotonic()
    p = subprocess.Popen([jinsong, "--store", store, "build", "--full", "--no-link", "--no-validate",
                          corpus / "sources.toml"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    map_dir, new_dir = work / f".{name}.map-{p.pid}", work / f".{name}.new-{p.pid}"
    peak, mapping, reduced, stopped = 0, False, None, False
    while p.poll() is None:
        time.sleep(1)
        try:
            for line in open(f"/proc/{p.pid}/status"):
                if line.startswith("VmHWM"):
                    peak = max(peak, int(line.split()[1]) // 1024)
        except OSError:
            pass
        mapping = mapping or map_dir.exists()
        if mapping and reduced is None and (new_dir / "jinsong-map").exists():
            reduced = time.monotonic() - started
            print(f"map and reduce done after {reduced:.0f} s; peak RSS so far {peak:,} MB", flush=True)
        free = shutil.disk_usage(work).free
        if free < args.min_free_gb * 1e9:
            written = dir_size(new_dir) - dir_size(new_dir / "jinsong-map")
            print(f"{free / 1e9:.1f} GB of disk left after {time.monotonic() - started:.0f} s, "
                  f"{written / 1e9:.1f} GB of store written: stopped", flush=True)
            p.send_signal(signal.SIGKILL)
            stopped = True
            break
    out, err = p.communicate()
    print(f"exit status {p.returncode} after {time.monotonic() - started:.0f} s; "
          f"peak RSS {peak:,} MB{' (stopped)' if stopped else ''}")
    if not stopped:
        print(out[-3000:], err[-3000:])
    shutil.rmtree(new_dir, ignore_errors=True)
    shutil.rmtree(map_dir, ignore_errors=True)
    shutil.rmtree(store, ignore_errors=True)


if __name__ == "__main__":
    main()
