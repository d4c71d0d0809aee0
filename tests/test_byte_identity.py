"""No behaviour change from the house move (issue 12): the same bytes as before it, for every format.

The hashes below were taken on 2026-12-02 from commit 8239c2f, the last commit
before the reorganisation (writers in folders, readers/xml.py, transforms/),
in a temporary worktree (``git worktree add /tmp/pre 8239c2f``), with
``PYTHONPATH=/tmp/pre/src``, ``SOURCE_DATE_EPOCH=1700000000`` and
``pubconv.convert(source, ["pdf", "epub", "jats", "xml"], write=False)``, on the
machine and library versions recorded in ``RECORDED_WITH``; the reorganised
tree gave the same hashes then.

They pin today's output.  Re-recorded on 2026-12-02 after the round that followed the reorganisation
changed the outputs on purpose (issues 13, 15-20: header fields and affiliations, deposit metadata and
tagged references, typesetting, imprint and XMP, tagged-PDF structure, EPUB claims, page list and cover,
numbered figures and smart punctuation), with the same command.  EPUB hashes re-recorded for issue 19's
translated titles: ``epub.css`` gained the ``p.trans-title`` rule (the only member that changed).  PDF and EPUB hashes
re-recorded for issue 16's fix 4 (a page no longer ends in a word hyphenated by hyphenation: the
sample's page 1 and the seed's page 2 move a line, and the EPUB's page list follows the PDF's pages), on a
machine whose font files digest differently from the first recording (``RECORDED_WITH`` updated).  EPUB hashes
re-recorded for issue 21: the generated cover is an 8-bit palette PNG drawn in palette indices (the same
picture, 168 ms to 35 ms; ``images/cover.png`` is the only member that changed).  A deliberate change of the output (a writer, the
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
        "pdf": "aa86181d9a9211dc1d0914f34c8ca74ab8ed674b989f1dafd4b79ae2218437c5",
        "epub": "89c57d603f900092ac9ebd6d960999f4d4696bb249c728292448b6b23e8308ad",
        "jats": "fe7d3cc2b25a544a15570ae57b927eeafae4ed6260d91e946b42ab87fedc65a2",
        "xml": "959bfe6e9fadcdc7901a62005d66af054f98122ba2922dc4150cecee398ab805",
    },
    "seed": {
        "pdf": "8cc0776736f731f3f779bbd126a3360d6f8560a3e9ee1a48d17b52be817d25c7",
        "epub": "78874fd51f813625e2b0bb3ccdcb3bcb96ee701618d343597c362f5f34e9e110",
        "jats": "c8d1f76c34101221661081ee6e3611456f18aacfb582067edd1ad7c7b15fbbc6",
        "xml": "99e1cc8ecfe59e396fab876775a95d5d1c90e01475b59b064bb02a7baa42a459",
    },
}

#: What else decides the bytes: the libraries, and the font files the default theme's families resolved to.
RECORDED_WITH = {
    "libraries": {"weasyprint": "70.0", "pydyf": "0.13.0", "tinycss2": "1.5.1", "tinyhtml5": "2.1.0",
                  "cssselect2": "0.10.1", "fonttools": "4.68.0", "pyphen": "0.18.1", "pillow": "13.0.0",
                  "ebooklib": "0.20", "lxml": "6.1.3", "jinja2": "3.1.6", "markupsafe": "3.0.4",
                  "markdown-it-py": "4.3.0", "mdit-py-plugins": "0.7.0", "pyyaml": "6.0.4"},
    "families": ('monospace', 'TeX Gyre Pagella', 'Palatino Linotype', 'Palatino', 'URW Palladio L', 'Noto Serif',
                 'Noto Serif Devanagari', 'Noto Serif Bengali', 'Noto Serif Sinhala', 'Noto Serif Tamil',
                 'Noto Serif Thai', 'Noto Serif Hebrew', 'Noto Naskh Arabic', 'Noto Serif CJK SC', 'DejaVu Serif',
                 'serif', 'DejaVu Sans Mono', 'Noto Nastaliq Urdu'),
    "fonts": "4a7b215ba213f5e147f4a863f07d278f9dc6f407e98ba308db2d4d00d138e6c0",
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
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    data = pubconv.convert(source, list(FORMATS), write=False).data
    got = {name: hashlib.sha256(data[name]).hexdigest() for name in FORMATS}
    expected = HASHES[request.node.callspec.params["source"]]
    if got != expected:
        # Compared first, so that equal bytes pass wherever they are made; a difference is excused
        # only where the libraries or the font files differ from the recorded ones.
        why = _same_environment()
        if why:
            pytest.skip(f"{why}; differing: {sorted(k for k in FORMATS if got[k] != expected[k])}")
    assert got == expected


def test_a_pdf_with_emoji_is_the_same_twice(monkeypatch):
    """fontTools stamps the emoji font it saves with the clock unless pubconv sets the build's time."""
    import io
    import time

    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    from pubconv.writers.pdf.font_stamps import font_time

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    source = FIXTURES / "pdf" / "mixed-scripts" / "mixed-scripts.md"
    first = pubconv.convert(source, ["pdf"], write=False).data["pdf"]
    time.sleep(1.1)  # the font's time is in seconds
    assert pubconv.convert(source, ["pdf"], write=False).data["pdf"] == first
    stamps = []
    for page in PdfReader(io.BytesIO(first)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is not None and "/FontFile2" in descriptor.get_object():
                    data = descriptor.get_object()["/FontFile2"].get_object().get_data()
                    if "Emoji" in str(descriptor.get_object().get("/FontName")):
                        stamps.append(TTFont(io.BytesIO(data))["head"].modified)
    # The emoji font went through fontTools, and carries the document's date (2023-05-04), not the clock's.
    assert stamps and set(stamps) == {font_time("2023-05-04")}


@pytest.mark.parametrize("w3c, expected", [
    ("2021", "2021-01-01"), ("2019-05", "2019-05-01"), ("2023-05-04", "2023-05-04"),
    ("2023-11-14T22:13:20Z", "2023-11-14T22:13:20"), (None, "1970-01-01"),
])
def test_font_time_reads_every_precision_of_a_document_date(w3c, expected):
    from datetime import datetime, timezone

    from fontTools.misc.timeTools import epoch_diff

    from pubconv.writers.pdf.font_stamps import font_time

    assert font_time(w3c) + epoch_diff == int(datetime.fromisoformat(expected).replace(tzinfo=timezone.utc).timestamp())
