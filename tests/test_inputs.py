"""Builds record every input (issue 12, fault 1): a skipped build is one whose bytes would not change."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pubconv import inputs
from pubconv.cli import main

from conftest import FIXTURES, ROOT

CASE = FIXTURES / "authoring" / "figures-tables"


@pytest.fixture
def paper(tmp_path) -> Path:
    folder = tmp_path / "papers"
    shutil.copytree(CASE, folder)
    return folder / "figures-tables.md"


def build(paper: Path, out: Path, capsys, to: str = "epub") -> str:
    assert main(["convert", str(paper), "--to", to, "-o", str(out), "-j", "1"]) == 0
    return capsys.readouterr().out


def other_png(path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (40, 30), (200, 30, 30)).save(path)


def test_a_changed_image_beside_the_source_is_rebuilt(paper, tmp_path, capsys):
    out = tmp_path / "out"
    build(paper, out, capsys)
    first = (out / "figures-tables.epub").read_bytes()
    assert "skipped" in build(paper, out, capsys)
    other_png(paper.parent / "freight.png")
    assert "->" in build(paper, out, capsys), "the image changed: the build must not be skipped"
    assert (out / "figures-tables.epub").read_bytes() != first
    assert "skipped" in build(paper, out, capsys)


def test_a_changed_logo_is_rebuilt(paper, tmp_path, capsys):
    other_png(paper.parent / "logo.png")
    (paper.parent / "pubconv.toml").write_text('[publisher]\nname = "CRPS"\nlogo = "logo.png"\n', encoding="utf-8")
    out = tmp_path / "out"
    build(paper, out, capsys)
    assert "skipped" in build(paper, out, capsys)
    from PIL import Image

    Image.new("RGB", (40, 30), (0, 90, 200)).save(paper.parent / "logo.png")
    assert "->" in build(paper, out, capsys)


def test_the_key_covers_the_libraries_pubconvs_code_and_the_fonts(paper, monkeypatch):
    keys = inputs.Inputs()
    before = keys.key(paper, ("pdf",), {})
    assert keys.key(paper, ("pdf",), {}) == before
    monkeypatch.setattr(inputs, "library_versions", lambda: (("weasyprint", "71.0"),))
    assert keys.key(paper, ("pdf",), {}) != before
    monkeypatch.undo()
    monkeypatch.setattr(inputs, "code_digest", lambda: "another pubconv")
    assert keys.key(paper, ("pdf",), {}) != before
    monkeypatch.undo()
    monkeypatch.setattr(inputs, "fonts_digest", lambda override: "other fonts")
    assert keys.key(paper, ("pdf",), {}) != before
    assert keys.key(paper, ("epub",), {}) == inputs.Inputs().key(paper, ("epub",), {})  # fonts: PDF only


def test_every_library_that_shapes_the_bytes_is_installed_and_versioned():
    versions = dict(inputs.library_versions())
    assert {"weasyprint", "pydyf", "ebooklib", "lxml", "jinja2", "markdown-it-py", "tinycss2", "fonttools",
            "pyphen"} <= set(versions)
    assert "-" not in versions.values(), versions


def test_the_fonts_are_those_fontconfig_gives_the_themes_families():
    css = (ROOT / "styles" / "print.css").read_text(encoding="utf-8")
    families = inputs.font_families(css)
    assert families[0] == "TeX Gyre Pagella" and "serif" in families and "DejaVu Sans Mono" in families
    assert inputs.font_families('p { font-family: "A B", C !important; } /* font-family: D */') == ("A B", "C")
    files = inputs.font_files(families)
    if files == ("fontconfig not found",):
        if os.environ.get("CI"):
            pytest.fail("fontconfig is required in CI (make sysdeps installs it)")
        pytest.skip("fontconfig (libfontconfig or fc-match) is not installed")
    assert any("texgyrepagella" in Path(f).name.lower() for f in files), files
    assert all(Path(f).is_file() for f in files)


def test_a_theme_override_changes_the_key(paper, tmp_path):
    theme = paper.parent / "house"
    (theme / "styles").mkdir(parents=True)
    (theme / "styles" / "print.css").write_text("body { font-family: serif; }\n", encoding="utf-8")
    (paper.parent / "pubconv.toml").write_text('[theme]\ndir = "house"\n', encoding="utf-8")
    before = inputs.Inputs().key(paper, ("pdf",), {})
    (theme / "styles" / "print.css").write_text("body { font-family: sans-serif; }\n", encoding="utf-8")
    inputs.theme_digest.cache_clear()
    inputs.fonts_digest.cache_clear()
    assert inputs.Inputs().key(paper, ("pdf",), {}) != before
