"""Batch builds: folders, incremental skips, parallel workers, and what is imported when."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pubconv.cli import main

from conftest import FIXTURES


@pytest.fixture
def papers(tmp_path):
    root = tmp_path / "papers"
    (root / "sub").mkdir(parents=True)
    for case, where in (("two-authors", root), ("four-authors", root), ("no-date", root / "sub")):
        shutil.copy(FIXTURES / "extracted" / case / f"{case}.md", where / f"{case}.md")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "skip.md").write_text("not a commentary", encoding="utf-8")
    (root / "README.md").write_text("# about this folder", encoding="utf-8")
    return root


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_folder_incremental_and_force(papers, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["convert", str(papers), "--to", "xml,jats", "-o", str(out), "-j", "1"]) == 0
    first = capsys.readouterr()
    assert "pubconv: 3 converted, 0 skipped, 0 failed" in first.err
    assert sorted(outputs(out)) == sorted(f"{c}.{x}" for c in ("two-authors", "four-authors", "no-date")
                                          for x in ("pubconv.xml", "jats.xml"))
    assert main(["convert", str(papers), "--to", "xml,jats", "-o", str(out)]) == 0
    assert "0 converted, 3 skipped" in capsys.readouterr().err
    # a changed source, a changed configuration, and --force each rebuild
    src = papers / "two-authors.md"
    src.write_text(src.read_text(encoding="utf-8").replace("Shared aquifers", "Shared springs"), encoding="utf-8")
    assert main(["convert", str(papers), "--to", "xml,jats", "-o", str(out)]) == 0
    assert "1 converted, 2 skipped" in capsys.readouterr().err
    (papers / "pubconv.toml").write_text('[publisher]\nname = "Someone"\n', encoding="utf-8")
    assert main(["convert", str(papers), "--to", "xml,jats", "-o", str(out)]) == 0
    assert "3 converted, 0 skipped" in capsys.readouterr().err
    assert main(["convert", str(papers), "--to", "xml,jats", "-o", str(out), "--force"]) == 0
    assert "3 converted, 0 skipped" in capsys.readouterr().err
    # an output deleted by hand is rebuilt
    (out / "no-date.jats.xml").unlink()
    assert main(["convert", str(papers), "--to", "xml,jats", "-o", str(out)]) == 0
    assert "1 converted, 2 skipped" in capsys.readouterr().err


def test_parallel_gives_the_same_bytes(papers, tmp_path):
    assert main(["convert", str(papers), "--to", "xml,jats,epub", "-o", str(tmp_path / "a"), "-j", "1"]) == 0
    assert main(["convert", str(papers), "--to", "xml,jats,epub", "-o", str(tmp_path / "b"), "-j", "2"]) == 0
    assert outputs(tmp_path / "a") == outputs(tmp_path / "b")


def test_one_broken_document_does_not_stop_the_batch(papers, tmp_path, capsys):
    (papers / "broken.md").write_text("---\ntitle: [x\n---\n", encoding="utf-8")
    assert main(["convert", str(papers), "--to", "xml", "-o", str(tmp_path / "o"), "-j", "2"]) == 1
    err = capsys.readouterr().err
    assert "broken.md:3:1: error: front matter is not valid YAML" in err and "3 converted, 0 skipped, 1 failed" in err
    assert len([p for p in (tmp_path / "o").glob("*.pubconv.xml")]) == 3


def test_check_writes_nothing(papers, tmp_path, capsys):
    before = sorted(p for p in papers.rglob("*"))
    os.chdir(tmp_path)
    assert main(["check", str(papers)]) == 0
    assert sorted(p for p in papers.rglob("*")) == before and not (tmp_path / "out").exists()
    assert "3 checked, 0 failed" in capsys.readouterr().err


def _imports(*args) -> str:
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "pubconv", *args], capture_output=True, text=True)
    return r.stderr


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["convert", "--help"]])
def test_fast_start_never_imports_weasyprint(args):
    imported = _imports(*args)
    assert "weasyprint" not in imported
    # Nor the readers, the XML stack or the templates: the public API is imported on first use.
    for module in ("lxml", "pubconv.api", "pubconv.document", "jinja2", "markdown_it"):
        assert f" {module}\n" not in imported, module


def test_check_and_non_pdf_conversions_never_import_weasyprint(papers, tmp_path):
    src = str(papers / "two-authors.md")
    assert "weasyprint" not in _imports("check", src, "-j", "1")
    assert "weasyprint" not in _imports("convert", src, "--to", "xml,jats", "-o", str(tmp_path), "-j", "1")
    # (an EPUB built alone lays the PDF out for its print page list, issue 18: WeasyPrint is loaded then;
    # `pubconv check` builds the EPUB without the page list, above)
