"""The EPUB as a browser and Ace by DAISY see it: reflow at 320 CSS px, and Ace's accessibility checks.

Both need tools outside Python: Debian's Chromium (``apt-get install chromium``) and Ace
(``npm install --ignore-scripts`` in ``tools/ace``, which ``make test`` runs).  Without them these
tests are skipped with the reason, except under ``CI=true``, where a missing tool is a failure.

One browser process lays out every content document (``tools/ace/reflow.js``); Ace runs once per
book.  Each tool is first shown a broken book and must object, so a tool that silently passes
cannot go unnoticed.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from pubconv import config as config_mod
from pubconv import document
from pubconv.api import options_for, read
from pubconv.errors import Collector
from pubconv.writers import WriteOptions, epub

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
ACE_DIR = ROOT / "tools" / "ace"
WIDTH = 320  # CSS px: WCAG 2.1 1.4.10 Reflow


def _missing(what: str) -> None:
    message = f"{what} (run `make test`, or see docs/epub.md, 'Checking an EPUB by hand')"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium() -> str:
    found = os.environ.get("PUPPETEER_EXECUTABLE_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found or not Path(found).exists():
        _missing("Chromium is not installed (apt-get install chromium)")
    if not shutil.which("node") or not (ACE_DIR / "node_modules" / "puppeteer").is_dir():
        _missing("node and tools/ace/node_modules are needed (npm install --ignore-scripts in tools/ace)")
    return found


@pytest.fixture(scope="session")
def ace(chromium) -> Path:
    cli = ACE_DIR / "node_modules" / ".bin" / "ace-cli"
    if not cli.exists():
        _missing("Ace by DAISY is not installed (npm install --ignore-scripts in tools/ace)")
    return cli


def _books(seed: Path | None) -> dict[str, bytes]:
    """The books every test here looks at: the sample, the long-URL fixture, the complete
    intermediate, a fixture with figures and tables, and the seed when it is there."""
    books = {}
    for name, path in [("sample", FIXTURES / "sample" / "comment-118.md"),
                       ("long-urls", FIXTURES / "epub" / "long-urls" / "long-urls.md"),
                       ("figures-tables", FIXTURES / "authoring" / "figures-tables" / "figures-tables.md")]:
        doc = read(path)
        options = options_for(doc, config_mod.for_source(path))
        if doc.find("p:meta/p:publisher") is None:  # someone must stand behind the claim Ace is to check
            options = replace(options, certified_by="The publisher")
        books[name] = epub.write(doc, options, Collector())
    path = FIXTURES / "intermediate" / "complete" / "complete.pubconv.xml"
    books["complete"] = epub.write(document.parse(path.read_bytes(), str(path), path.parent),
                                   WriteOptions(), Collector())
    if seed is not None:
        books["seed"] = epub.write(read(seed), WriteOptions(certified_by="The publisher"), Collector())
    return books


@pytest.fixture(scope="session")
def books(request) -> dict[str, bytes]:
    seed = None
    try:
        seed = request.getfixturevalue("seed_path")
    except pytest.skip.Exception:
        pass
    return _books(seed)


def _unpack(data: bytes, folder: Path) -> list[Path]:
    """Unzip a book; its XHTML documents in spine order (then the nav)."""
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as archive:
        archive.extractall(folder)
    opf = etree.parse(str(folder / "EPUB" / "content.opf"))
    ns = {"opf": "http://www.idpf.org/2007/opf"}
    hrefs = {i.get("id"): i.get("href") for i in opf.iterfind(".//opf:item", ns)}
    spine = [folder / "EPUB" / hrefs[r.get("idref")] for r in opf.iterfind(".//opf:itemref", ns)]
    nav = [folder / "EPUB" / i.get("href") for i in opf.iterfind(".//opf:item", ns)
           if "nav" in (i.get("properties") or "").split()]
    return spine + nav


def _without_wrapping(css: str) -> str:
    return css.replace("overflow-wrap: anywhere;", "overflow-wrap: normal;")


def test_no_content_document_scrolls_sideways_at_320_px(books, chromium, tmp_path):
    pages: dict[str, Path] = {}
    for name, data in books.items():
        for page in _unpack(data, tmp_path / name):
            pages[f"{name}/{page.name}"] = page
    # The control: the long-URL book with a stylesheet that does not let words break must overflow.
    control = _unpack(books["long-urls"], tmp_path / "control")
    css = tmp_path / "control" / "EPUB" / "epub.css"
    css.write_text(_without_wrapping(css.read_text(encoding="utf-8")), encoding="utf-8")
    control_page = next(p for p in control if p.name == "content.xhtml")
    shots = os.environ.get("PUBCONV_SCREENSHOTS", "-")  # a folder to keep the screenshots in, for a look
    run = subprocess.run(["node", str(ACE_DIR / "reflow.js"), str(WIDTH), shots, str(control_page),
                          *map(str, pages.values())],
                         capture_output=True, text=True, timeout=600, cwd=ACE_DIR,
                         env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium})
    assert run.returncode == 0, run.stderr[-2000:]
    measured = json.loads(run.stdout)
    assert measured[str(control_page)]["overflows"], "the reflow measurement did not see a known overflow"
    too_wide = {name: measured[str(path)]["overflows"] for name, path in pages.items()
                if measured[str(path)]["overflows"] or measured[str(path)]["right"] > WIDTH + 0.5}
    assert too_wide == {}
    assert len(pages) >= 3 * len(books)  # cover, content and nav of every book were laid out


def _ace(cli: Path, chromium: str, book: Path, out: Path) -> dict:
    run = subprocess.run([str(cli), "-f", "-s", "-o", str(out), str(book)], capture_output=True, text=True,
                         timeout=600, cwd=ACE_DIR, env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium})
    report = out / "report.json"
    assert report.exists(), (run.stdout[-1500:], run.stderr[-1500:])
    return json.loads(report.read_text(encoding="utf-8"))


def _violations(report: dict) -> list[str]:
    found = []
    for doc in report.get("assertions", []):
        for a in doc.get("assertions", []):
            if a.get("earl:result", {}).get("earl:outcome") == "fail":
                found.append(f"{doc['earl:testSubject']['url']}: {a['earl:test']['dct:title']} "
                             f"({a['earl:test'].get('earl:impact')})")
    return found


def test_ace_reports_no_violation(books, ace, chromium, tmp_path):
    # The control: a book with an image without alt text and a page without a language.
    broken_dir = tmp_path / "broken"
    _unpack(books["complete"], broken_dir)
    content = broken_dir / "EPUB" / "content.xhtml"
    text = content.read_text(encoding="utf-8")
    content.write_text(text.replace('alt="Map of the Indus basin with the six rivers"', ""), encoding="utf-8")
    broken = tmp_path / "broken.epub"
    _zip_folder(broken_dir, broken)
    assert _violations(_ace(ace, chromium, broken, tmp_path / "ace-broken")), "Ace did not see a missing alt"

    failures = {}
    for name, data in books.items():
        path = tmp_path / f"{name}.epub"
        path.write_bytes(data)
        report = _ace(ace, chromium, path, tmp_path / f"ace-{name}")
        if _violations(report) or report["earl:result"]["earl:outcome"] != "pass":
            failures[name] = _violations(report)
        missing = set(report["a11y-metadata"]["missing"]) - {"a11y:certifierCredential", "a11y:certifierReport"}
        assert missing == set(), (name, missing)
    assert failures == {}


def _zip_folder(folder: Path, target: Path) -> None:
    with zipfile.ZipFile(target, "w") as archive:
        archive.write(folder / "mimetype", "mimetype", compress_type=zipfile.ZIP_STORED)
        for f in sorted(folder.rglob("*")):
            if f.is_file() and f.name != "mimetype":
                archive.write(f, str(f.relative_to(folder)), compress_type=zipfile.ZIP_DEFLATED)
