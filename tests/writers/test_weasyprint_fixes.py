"""The fix pubconv applies to WeasyPrint's layout (``writers/_weasyprint_fixes.py``).

``fixtures/pdf/orphan-notes`` is a generated commentary (``benchmarks/corpus.py``)
on which WeasyPrint 70, unfixed, moves note 4 off its call's page to fit a
paragraph's second line at the foot of page 1.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from weasyprint import CSS, HTML
from weasyprint.layout import block

import pubconv
from pubconv import theme
from pubconv.errors import Collector
from pubconv.writers import WriteOptions, _pdf_notes, _weasyprint_fixes, _xhtml

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "pdf" / "orphan-notes" / "orphan-notes.md"


@pytest.fixture
def layouts(monkeypatch):
    """A list that gets one entry per layout the PDF writer asks WeasyPrint for."""
    seen: list[int] = []
    render = _pdf_notes._render

    def counting(*args, **kwargs):
        seen.append(1)
        return render(*args, **kwargs)

    monkeypatch.setattr(_pdf_notes, "_render", counting)
    return seen


def test_the_fix_is_in_force_for_the_pinned_weasyprint():
    assert _weasyprint_fixes.applied
    assert block._linebox_layout is not _weasyprint_fixes.original
    assert _weasyprint_fixes.apply()  # idempotent


def test_unfixed_weasyprint_moves_a_note_and_costs_a_second_layout(layouts, monkeypatch):
    problems = []
    first_problem = _pdf_notes.first_problem
    monkeypatch.setattr(_pdf_notes, "first_problem",
                        lambda *a, **k: problems.append(first_problem(*a, **k)) or problems[-1])
    monkeypatch.setattr(block, "_linebox_layout", _weasyprint_fixes.original)
    result = pubconv.convert(FIXTURE, ["pdf"], write=False)
    assert result.diagnostics == []
    assert ("fn-4", "fn-4", "moved to another page than its call") in problems
    assert len(layouts) >= 2


def test_fixed_weasyprint_keeps_every_note_with_its_call_in_one_layout(layouts):
    result = pubconv.convert(FIXTURE, ["pdf"], write=False)
    assert result.diagnostics == []
    assert len(layouts) == 1


def test_the_fix_changes_nothing_for_notes_with_another_policy(tmp_path):
    doc = pubconv.read(FIXTURE)
    html = _xhtml.render(doc, WriteOptions(), Collector(), target="pdf")
    css = theme.read_style("print.css") + "\n.footnote { footnote-policy: auto; }\n"

    def pdf() -> bytes:
        return HTML(string=html).render(stylesheets=[CSS(string=css)]).write_pdf(pdf_identifier=True)

    fixed = pdf()
    block._linebox_layout, kept = _weasyprint_fixes.original, block._linebox_layout
    try:
        unfixed = pdf()
    finally:
        block._linebox_layout = kept
    assert fixed == unfixed
