"""The benchmark runner works (``benchmarks/run.py --smoke``); its timings are not tested here."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import corpus  # noqa: E402
import run  # noqa: E402


def test_generated_commentaries_are_the_same_every_time_and_valid(tmp_path):
    import pubconv

    text = corpus.commentary(pages=3, notes=9, seed=3)
    assert text == corpus.commentary(pages=3, notes=9, seed=3)
    assert text != corpus.commentary(pages=3, notes=9, seed=4)
    path = tmp_path / "c.md"
    path.write_text(text, encoding="utf-8")
    doc = pubconv.read(path)
    assert len(doc.xpath("//p:note")) == 9
    assert doc.xpath("/p:document/p:references/p:ref")
    assert doc.xpath("//p:cite[@ref]"), "citations link to the reference list"


def test_the_report_replaces_only_its_own_block(tmp_path):
    path = tmp_path / "performance.md"
    path.write_text(f"# Performance\n\nprose before\n\n{run.START}\nold\n{run.END}\n\nprose after\n", encoding="utf-8")
    run.write_report(f"{run.START}\nnew\n{run.END}\n", path)
    assert path.read_text(encoding="utf-8") == (
        f"# Performance\n\nprose before\n\n{run.START}\nnew\n{run.END}\n\nprose after\n")


@pytest.mark.slow
def test_the_runner_measures_everything_on_tiny_inputs(tmp_path):
    out = tmp_path / "performance.md"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke", "--output", str(out)],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    assert text.startswith(run.START) and text.rstrip().endswith(run.END)
    rows = [line for line in text.splitlines() if re.match(r"\| .* \| (met|\*\*missed\*\*|not measured) \|$", line)]
    # Seed and generated document: PDF, PDF/UA-1 and other formats against WeasyPrint alone (2 x 3),
    # the generated one as a .docx, then batch, Pandoc, no-op, start-up, then the real-shaped documents
    # and their batch against the Pandoc route.
    assert len(rows) == 13, text
    assert not [r for r in rows if r.endswith("| not measured |")], "every comparison must run (pypandoc-binary)"
    assert "Pandoc 3." in text
    for heading in ("### 1–2.", "### 3–5.", "### 6.", "### 7."):
        assert heading in text
    assert re.search(r"\| \d+ MiB \|", text)
