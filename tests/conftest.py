"""Shared test fixtures: paths to the project's fixtures and to ../shared."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from epubcheck_client import EpubChecker, _java
from pubconv.writers.jats.dtd import dtd_dir

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
#: ``../shared`` beside the checkout (or $PUBCONV_SHARED): optional; only the seed comes from there.
SHARED = Path(os.environ.get("PUBCONV_SHARED", ROOT.parent / "shared"))
SEED = SHARED / "seeds" / "000_bf325db2ee15cea7.txt"
#: The JATS 1.3 DTDs shipped in the package (src/pubconv/schema/jats).
JATS_DTDS = dtd_dir()
#: A project-owned commentary in the extracted form with the seed's shapes (paragraphs and notes split
#: over page blocks, a note running on, a reference list, dead links): what core tests use instead of
#: the seed.  (``many-notes`` has more of everything, but its PDF costs several seconds.)
EXTRACTED = FIXTURES / "extracted" / "two-authors" / "two-authors.md"


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", help="rewrite expected files for review")


@pytest.fixture
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The real seed commentary in ../shared, used when present: skipped without it, failed under CI=true.

    Core behaviour is tested on project-owned fixtures (``EXTRACTED``); the seed adds a real document.
    """
    if not SEED.is_file():
        message = f"uses ../shared when present: the seed commentary is not at {SEED}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SEED


@pytest.fixture(scope="session", params=["project", "seed"])
def extracted_commentary(request) -> Path:
    """An extracted-form commentary: the project's own (always), then the seed (when ../shared has it)."""
    if request.param == "seed":
        return request.getfixturevalue("seed_path")
    return EXTRACTED


@pytest.fixture(scope="session")
def complete_intermediate():
    """The hand-written intermediate that uses every element (fixtures/intermediate/complete)."""
    from pubconv import document

    path = FIXTURES / "intermediate" / "complete" / "complete.pubconv.xml"
    return document.parse(path.read_bytes(), str(path), path.parent)


@pytest.fixture(scope="session")
def epubchecker():
    java = _java()
    if java is None:
        message = "Java is needed to run EPUBCheck"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    checker = EpubChecker(java)
    yield checker
    checker.close()


@pytest.fixture
def assert_valid(epubchecker, tmp_path):
    """``assert_valid(epub_bytes)``: EPUBCheck reports no fatal error, no error and no warning."""

    def check(data: bytes) -> None:
        path = tmp_path / "book.epub"
        path.write_bytes(data)
        report = epubchecker.check(path)
        problems = [f"{m['severity']} {m['ID']}: {m['message']} at "
                    f"{[(loc['path'], loc['line']) for loc in m['locations']]}"
                    for m in report["messages"] if m["severity"] in ("FATAL", "ERROR", "WARNING")]
        assert problems == []
        checker = report["checker"]
        assert (checker["nFatal"], checker["nError"], checker["nWarning"]) == (0, 0, 0)

    return check
