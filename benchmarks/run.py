"""pubconv benchmarks: `make bench` (or `.venv/bin/python benchmarks/run.py [--quick]`).

Measures, on this machine:
  * reading: the seed commentary (extracted form) and the sample (authoring form) into the intermediate;
  * each writer on the sample: xml, jats, epub, pdf;
  * a batch: converting 100 commentaries to xml+jats+epub with 1 and with N worker processes;
  * the no-op run: the same 100 again, all skipped (the incremental build's promise: well under a second);
  * start-up: `pubconv --version`.
Times are wall-clock medians of several runs; compare numbers from the same machine only.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "fixtures" / "sample" / "comment-118.md"
SEED = ROOT.parent / "shared" / "seeds" / "000_bf325db2ee15cea7.txt"
PUBCONV = [sys.executable, "-m", "pubconv"]


def timed(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def row(name: str, seconds: float) -> None:
    print(f"{name:<58} {seconds * 1000:10.1f} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = ap.parse_args()
    rep = 3 if args.quick else 7

    import pubconv
    from pubconv import api
    from pubconv.errors import Collector

    print(f"pubconv {pubconv.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")
    if SEED.exists():
        row("read seed (extracted form, 11 notes, 24 refs)", timed(lambda: pubconv.read(SEED, report=Collector()), rep))
    row("read sample (authoring form)", timed(lambda: pubconv.read(SAMPLE, report=Collector()), rep))
    doc = pubconv.read(SAMPLE)
    opts = api.options_for(doc, pubconv.config.for_source(SAMPLE))
    for fmt in ("xml", "jats", "epub", "pdf"):
        api.render(doc, [fmt], opts, Collector())  # warm up (imports, caches)
        row(f"write {fmt} (sample)", timed(lambda f=fmt: api.render(doc, [f], opts, Collector()), rep))

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "papers"
        src.mkdir()
        shutil.copy(SAMPLE.parent / "pubconv.toml", src / "pubconv.toml")
        text = SAMPLE.read_text(encoding="utf-8")
        for i in range(100):
            (src / f"c{i:03d}.md").write_text(text.replace("number: 118", f"number: {i}"), encoding="utf-8")
        for jobs in (1, os.cpu_count() or 1):
            out = Path(tmp) / f"out{jobs}"
            t = time.perf_counter()
            subprocess.run([*PUBCONV, "convert", str(src), "--to", "xml,jats,epub", "-o", str(out), "-j", str(jobs)],
                           check=True, capture_output=True)
            row(f"batch: 100 documents to xml+jats+epub, {jobs} worker(s)", time.perf_counter() - t)
        noop = timed(lambda: subprocess.run([*PUBCONV, "convert", str(src), "--to", "xml,jats,epub", "-o",
                                             str(Path(tmp) / "out1")], check=True, capture_output=True), rep)
        row("no-op: the same 100 again, all skipped (whole command)", noop)
    row("start-up: pubconv --version", timed(lambda: subprocess.run([*PUBCONV, "--version"], check=True,
                                                                     capture_output=True), rep))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
