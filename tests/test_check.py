"""``pubconv check`` is ``convert`` minus writing: what convert refuses, check refuses (issue 12, fault 2)."""
from __future__ import annotations

import pytest

import pubconv
from pubconv import writers
from pubconv.cli import main
from pubconv.errors import Collector, PubconvError
from pubconv.writers import WriteOptions, check_option, pdf

from conftest import FIXTURES

DOC = """---
title: A short commentary
authors:
  - name: Ada Quill
date: 2021-03-04
---

The river was low that summer.[^1]

[^1]: As the gauges showed.{inner}
{more}"""


def source(tmp_path, *, nested=False, config=None):
    folder = tmp_path / "src"
    folder.mkdir(exist_ok=True)
    text = DOC.format(inner="[^2]" if nested else "", more="\n[^2]: A note inside the note.\n" if nested else "")
    path = folder / "c.md"
    path.write_text(text, encoding="utf-8")
    if config is not None:
        (folder / "pubconv.toml").write_text(config, encoding="utf-8")
    return path


def test_a_note_inside_a_note_fails_check_as_it_fails_convert(tmp_path, capsys):
    path = source(tmp_path, nested=True)
    with pytest.raises(PubconvError) as by_convert:
        pubconv.convert(path, to="pdf", write=False)
    assert main(["check", str(path), "-j", "1"]) == 1
    err = capsys.readouterr().err
    assert f"{path}:12: error: footnote 2 is inside another footnote" in err and "[nested-note]" in err
    assert by_convert.value.code == "nested-note"


def test_check_passes_what_convert_passes(tmp_path):
    path = source(tmp_path)
    result = pubconv.check(path)
    assert set(result.data) == {"xml", "epub", "jats"}  # the PDF is checked, not laid out
    assert pubconv.convert(path, to="pdf", write=False).data["pdf"].startswith(b"%PDF")


@pytest.mark.parametrize("table, key, value, col", [
    ("pdf", "paper", '"huge"', 9),
    ("pdf", "paper", '"A4; } body { display: none"', 9),
    ("pdf", "variant", '"pdf/z-9"', 11),
    ("pdf", "bleed", '"3 mm"', 9),
    ("pdf", "crop-marks", '"yes"', 14),
    ("series.COMMENT", "issn", '"1234"', 8),
])
def test_a_bad_configuration_value_is_reported_at_its_line(tmp_path, capsys, table, key, value, col):
    config = f'[publisher]\nname = "Test Institute"\n\n[{table}]\n{key} = {value}\n'
    path = source(tmp_path, config=config)
    for command in (["check", str(path)], ["convert", str(path), "--to", "epub", "-o", str(tmp_path / "o")]):
        assert main([*command, "-j", "1"]) == 1
        err = capsys.readouterr().err
        assert f"pubconv.toml:5:{col}: error: " in err and "[bad-config]" in err, err
        assert "internal error" not in err
    assert not (tmp_path / "o").exists()


def test_a_configuration_position_finds_the_right_table(tmp_path):
    from pubconv import config

    toml = tmp_path / "pubconv.toml"
    toml.write_text('[publisher]\nissn = "2049-3630"\n\n[series."A B"]\n  issn = "12"\n', encoding="utf-8")
    with pytest.raises(PubconvError) as err:
        config.load(toml)
    assert (err.value.pos.line, err.value.pos.column, err.value.code) == (5, 10, "bad-config")
    assert str(config.key_pos(toml, "issn", "publisher")) == f"{toml}:2:1"
    (tmp_path / "pyproject.toml").write_text('[tool.pubconv.pdf]\npaper = "x"\n', encoding="utf-8")
    with pytest.raises(PubconvError) as err:
        config.load(tmp_path / "pyproject.toml")
    assert (err.value.pos.line, err.value.pos.column) == (2, 9)


def test_a_theme_folder_that_does_not_exist_is_a_configuration_error(tmp_path):
    path = source(tmp_path, config='[theme]\ndir = "nowhere"\n')
    with pytest.raises(PubconvError) as err:
        pubconv.check(path)
    assert (err.value.code, err.value.pos.line) == ("bad-config", 2)


@pytest.mark.parametrize("options", [{"paper": "huge"}, {"pdf_variant": "pdf/z-9"}, {"bleed": "lots"}])
def test_the_pdf_writers_check_raises_what_its_write_raises(complete_intermediate, options):
    with pytest.raises(PubconvError) as by_write:
        pdf.write(complete_intermediate, WriteOptions(**options), Collector())
    with pytest.raises(PubconvError) as by_check:
        pdf.check(complete_intermediate, WriteOptions(**options), Collector())
    assert (by_check.value.code, by_check.value.message) == (by_write.value.code, by_write.value.message)


def test_source_date_epoch_has_one_check_for_every_writer(complete_intermediate, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    for name in ("pdf", "epub"):
        with pytest.raises(PubconvError) as err:
            writers.writer(name).check(complete_intermediate, WriteOptions(), Collector()) if name == "pdf" else \
                writers.writer(name).write(complete_intermediate, WriteOptions(), Collector())
        assert err.value.code == "bad-source-date-epoch", name


def test_the_variant_list_is_weasyprints():
    from weasyprint.pdf import VARIANTS

    assert set(writers.PDF_VARIANTS) == {v for v in VARIANTS if not v.startswith("debug")}
    assert check_option("pdf_variant", " PDF/A-3B ") == "pdf/a-3b"


BAD = FIXTURES / "bad"
# (slow-* cases are long documents that must finish in linear time, not errors: test_bad_input times them)
BAD_CASES = sorted(p for p in BAD.iterdir() if p.is_file() and p.suffix in (".md", ".txt", ".xml")
                   and p.name != "README.md" and not p.name.startswith("slow-"))


@pytest.mark.slow
def test_on_every_bad_input_check_fails_exactly_when_convert_fails():
    """The general rule over the project's collection of bad inputs (each PDF laid out once)."""
    differ = []
    for case in BAD_CASES:
        outcomes = []
        for run in (lambda: pubconv.check(case), lambda: pubconv.convert(case, write=False)):
            try:
                run()
                outcomes.append(None)
            except PubconvError as exc:
                outcomes.append(exc.code)
        if outcomes[0] != outcomes[1]:
            differ.append((case.name, *outcomes))
    assert BAD_CASES and differ == []
