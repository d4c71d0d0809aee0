"""Shared test fixtures: paths to the project's fixtures and to ../shared."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = Path(os.environ.get("PUBCONV_SHARED", ROOT.parent / "shared"))
SEED = SHARED / "seeds" / "000_bf325db2ee15cea7.txt"
JATS_DTDS = SHARED / "jats"


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", help="rewrite expected files for review")


@pytest.fixture
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


@pytest.fixture(scope="session")
def seed_path() -> Path:
    if not SEED.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"the seed commentary is missing: {SEED}")
        pytest.skip(f"the seed commentary is missing: {SEED}")
    return SEED


@pytest.fixture(scope="session")
def complete_intermediate():
    """The hand-written intermediate that uses every element (fixtures/intermediate/complete)."""
    from pubconv import document

    path = FIXTURES / "intermediate" / "complete" / "complete.pubconv.xml"
    return document.parse(path.read_bytes(), str(path), path.parent)
