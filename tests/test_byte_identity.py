"""No behaviour change from the house move (issue 12): the same bytes as before it, for every format.

The hashes below were taken on 2026-12-02 from commit 8239c2f, the last commit
before the reorganisation (writers in folders, readers/xml.py, transforms/),
in a temporary worktree (``git worktree add /tmp/pre 8239c2f``), with
``PYTHONPATH=/tmp/pre/src``, ``SOURCE_DATE_EPOCH=1700000000`` and
``pubconv.convert(source, ["pdf", "epub", "jats", "xml"], write=False)``, on the
machine and library versions recorded in ``RECORDED_WITH``; the reorganised
tree gave the same hashes then.

They pin today's output.  Changed by the merge of issue 18 (the EPUB: claims, page list, cover,
imprint; the PDF and EPUB: a reference whose URL is its DOI prints it once, not twice).  A deliberate change of the output (a writer, the
theme, the reader) must update them in the same commit, with the reason in its
message; an unexplained difference is a regression.  On a machine whose
libraries or fonts differ from the recorded ones the bytes legitimately
differ, and the test says so in its skip reason.
"""
from __future__ import annotations

import hashlib

import pytest

import pubconv
from pubconv import inputs

from conftest import FIXTURES

FORMATS = ("pdf", "epub", "jats", "xml")
EPOCH = "1700000000"

HASHES = {
    "sample": {
        "pdf": "1e9c30ee4d7c60d1a0ffd2c751ae7d9151d8d56daf1ff8576eb83885f8205913",
        "epub": "9d297bbff01705f3918f3e37815bf5ef12734564be4c5a56de6f8c8d3cd0ab99",
        "jats": "f686d90fd60108595904814e20719dc163ca23a6c7a2d84ed52d5c3d223cb7a1",
        "xml": "50739d82c4e327977aee8d5a3d384d4d9c659cd24252a6f6a74bc61981d20bcd",
    },
    "seed": {
        "pdf": "ea3a62598c7f66c51ab022a149e96b4dc00303eea757219672eb8806a10b0318",
        "epub": "96d36567b8d5b3dfa6a665b9f2b15236a613e8e9a06a3568895893476345b8df",
        "jats": "01bfc7bdcc9ad225c1fe711a5a6d7270d897ba4aacdea279a52275544525a509",
        "xml": "ad9c1e558067a66710d1244dfb67c81d2f2419f5ad6a8fe11759242a86405178",
    },
}

#: What else decides the bytes: the libraries, and the font files the default theme's families resolved to.
RECORDED_WITH = {
    "libraries": {"weasyprint": "70.0", "pydyf": "0.13.0", "tinycss2": "1.5.1", "tinyhtml5": "2.1.0",
                  "cssselect2": "0.10.1", "fonttools": "4.68.0", "pyphen": "0.18.1", "pillow": "13.0.0",
                  "ebooklib": "0.20", "lxml": "6.1.3", "jinja2": "3.1.6", "markupsafe": "3.0.4",
                  "markdown-it-py": "4.3.0", "mdit-py-plugins": "0.7.0", "pyyaml": "6.0.4"},
    "families": ("TeX Gyre Pagella", "Palatino Linotype", "Palatino", "URW Palladio L", "DejaVu Serif", "serif",
                 "DejaVu Sans Mono", "monospace"),
    "fonts": "fa9228f8feca62a06e47b515d0aa0c6f0d63d3682f70d47ed2230f4b6c7021ea",
}


def _same_environment() -> str | None:
    libraries = dict(inputs.library_versions())
    other = {k: (v, libraries.get(k)) for k, v in RECORDED_WITH["libraries"].items() if libraries.get(k) != v}
    if other:
        return f"the hashes were recorded with other library versions (recorded, here): {other}"
    if inputs.families_digest(RECORDED_WITH["families"]) != RECORDED_WITH["fonts"]:
        return "the hashes were recorded with other font files (fontconfig resolves the theme's families otherwise)"
    return None


@pytest.fixture
def source(request):
    if request.param == "seed":
        return request.getfixturevalue("seed_path")
    return FIXTURES / "sample" / "comment-118.md"


@pytest.mark.parametrize("source", ["sample", "seed"], indirect=True)
def test_outputs_have_the_bytes_recorded_before_the_reorganisation(source, monkeypatch, request):
    why = _same_environment()
    if why:
        pytest.skip(why)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    data = pubconv.convert(source, list(FORMATS), write=False).data
    got = {name: hashlib.sha256(data[name]).hexdigest() for name in FORMATS}
    assert got == HASHES[request.node.callspec.params["source"]]
