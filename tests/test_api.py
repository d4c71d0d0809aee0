"""The library face: read(), convert(), Result, PubconvError, from Python and from another build tool."""
from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest

import pubconv
from pubconv.errors import PubconvError

from conftest import FIXTURES

SAMPLE = FIXTURES / "sample" / "comment-118.md"


@pytest.fixture
def folder(tmp_path):
    shutil.copytree(SAMPLE.parent, tmp_path / "papers")
    return tmp_path / "papers"


def test_public_names():
    assert set(pubconv.__all__) >= {"convert", "read", "Result", "Document", "Diagnostic", "PubconvError"}


def test_read_applies_the_publisher_configuration(folder):
    doc = pubconv.read(folder / "comment-118.md")
    assert isinstance(doc, pubconv.Document)
    assert doc.root.findtext("{*}meta/{*}publisher/{*}name") == "Centre for Regional Policy Studies"
    assert doc.root.findtext("{*}meta/{*}series/{*}title") == "CRPS Comment"
    assert doc.root.find("{*}meta/{*}issn").get("format") == "electronic"


def test_convert_in_memory_writes_nothing(folder, tmp_path):
    result = pubconv.convert(folder / "comment-118.md", to=["xml", "jats", "epub"], out_dir=tmp_path / "o",
                             write=False)
    assert set(result.data) == {"xml", "jats", "epub"} and result.outputs == {}
    assert result.data["epub"][:2] == b"PK" and b"<article" in result.data["jats"]
    assert not (tmp_path / "o").exists()


def test_convert_writes_and_reports(folder, tmp_path):
    result = pubconv.convert(folder / "comment-118.md", to="xml,jats", out_dir=tmp_path / "o")
    assert result.outputs == {"xml": tmp_path / "o" / "comment-118.pubconv.xml",
                              "jats": tmp_path / "o" / "comment-118.jats.xml"}
    assert all(p.read_bytes() == result.data[k] for k, p in result.outputs.items())
    assert all(isinstance(d, pubconv.Diagnostic) for d in result.diagnostics)


def test_errors_carry_a_position(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: x\nauthors: 3\n---\n\nBody\n", encoding="utf-8")
    with pytest.raises(PubconvError) as err:
        pubconv.convert(bad, to="xml", out_dir=tmp_path / "o")
    assert (err.value.pos.path, err.value.pos.line, err.value.code) == (str(bad), 3, "bad-front-matter")


def test_threads_give_the_same_bytes(folder, tmp_path):
    sources = [folder / "comment-118.md"] * 6

    def one(src):
        return pubconv.convert(src, to=["xml", "jats", "epub"], write=False).data

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(one, sources))
    assert all(r == results[0] for r in results)


def test_from_a_makefile(folder, tmp_path):
    """A second build tool: make, with a pattern rule that calls the library."""
    if not shutil.which("make"):
        pytest.fail("make is not installed")
    (folder / "Makefile").write_text(textwrap.dedent(f"""\
        PY = {sys.executable}
        out/%.jats.xml: %.md
        \t$(PY) -c 'import sys, pubconv; r = pubconv.convert(sys.argv[1], to="jats", out_dir="out"); \\
        print(*r.outputs.values())' $<
        all: out/comment-118.jats.xml
        .DEFAULT_GOAL := all
        """), encoding="utf-8")
    first = subprocess.run(["make"], cwd=folder, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert (folder / "out" / "comment-118.jats.xml").is_file()
    again = subprocess.run(["make"], cwd=folder, capture_output=True, text=True)
    assert "Nothing to be done" in again.stdout or "is up to date" in again.stdout


def test_same_bytes_from_two_folders(tmp_path):
    """Outputs depend on the document, not on where the checkout is: two folders, identical files."""
    data = []
    for where in ("one", "a/much/deeper/two"):
        root = tmp_path / where
        shutil.copytree(FIXTURES / "authoring" / "figures-tables", root / "comments")
        shutil.copy(FIXTURES / "authoring" / "figures-tables" / "freight.png", root / "logo.png")
        (root / "pubconv.toml").write_text('[publisher]\nname = "Test Institute"\nlogo = "logo.png"\n',
                                           encoding="utf-8")
        result = pubconv.convert(root / "comments" / "figures-tables.md", to=["pdf", "epub", "jats", "xml"],
                                 write=False)
        data.append(result.data)
    assert data[0] == data[1]


def test_command_line_options_win_over_the_configuration(folder, tmp_path):
    """pubconv.toml asks for Letter; --paper A4 (the default's value, given explicitly) must still win."""
    from pubconv.cli import main

    with open(folder / "pubconv.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[pdf]\npaper = "Letter"\n')
    sizes = {}
    for name, extra in (("config", []), ("flag", ["--paper", "A4"])):
        out = tmp_path / name
        assert main(["convert", str(folder / "comment-118.md"), "--to", "pdf", "-o", str(out), *extra]) == 0
        info = subprocess.run(["pdfinfo", str(out / "comment-118.pdf")], capture_output=True, text=True).stdout
        sizes[name] = next(line for line in info.splitlines() if line.startswith("Page size:"))
    assert sizes["config"].endswith("(letter)") and sizes["flag"].endswith("(A4)")
