"""The route a publisher would script today without pubconv, for comparison.

For every Markdown file: the pandoc that the ``pypandoc-binary`` package
bundles, run once per format (EPUB 3, JATS, standalone HTML), then the
``weasyprint`` command on that HTML for the PDF.  Two files are processed at a
time, as ``xargs -P 2`` would.  Nothing is tuned against it: these are the
commands' defaults, with only the output format named.

``python benchmarks/pandoc_route.py OUT SRC...`` runs it on its own.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def pandoc_path() -> str | None:
    try:
        import pypandoc
    except ImportError:
        return None
    try:
        return pypandoc.get_pandoc_path()
    except OSError:
        return None


def pandoc_version() -> str | None:
    path = pandoc_path()
    if path is None:
        return None
    out = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
    return out.split()[1] if out else None


def weasyprint_command() -> str:
    here = Path(sys.executable).parent / "weasyprint"
    found = str(here) if here.exists() else shutil.which("weasyprint")
    if not found:
        raise SystemExit("the weasyprint command is not installed")
    return found


def commands(source: Path, out: Path, pandoc: str, weasyprint: str) -> list[list[str]]:
    stem = out / source.stem
    return [
        [pandoc, str(source), "--to", "epub3", "--output", f"{stem}.epub"],
        [pandoc, str(source), "--standalone", "--to", "jats", "--output", f"{stem}.xml"],
        [pandoc, str(source), "--standalone", "--to", "html5", "--output", f"{stem}.html"],
        [weasyprint, f"{stem}.html", f"{stem}.pdf"],
    ]


def convert_one(source: Path, out: Path, pandoc: str, weasyprint: str) -> None:
    for cmd in commands(source, out, pandoc, weasyprint):
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")


def run(sources: list[Path], out: Path, parallel: int = 2) -> float:
    """Convert ``sources`` into ``out`` the Pandoc way; the wall time in seconds."""
    pandoc = pandoc_path()
    if pandoc is None:
        raise SystemExit("pypandoc-binary is not installed (pip install pypandoc-binary)")
    weasyprint = weasyprint_command()
    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(lambda s: convert_one(s, out, pandoc, weasyprint), sources))
    return time.perf_counter() - t


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    seconds = run([Path(a) for a in sys.argv[2:]], Path(sys.argv[1]))
    print(f"{len(sys.argv) - 2} files in {seconds:.2f} s")
