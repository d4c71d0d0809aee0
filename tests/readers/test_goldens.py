"""Reader goldens: each fixture source gives exactly its stored intermediate and diagnostics.

For every reader fixture (``fixtures/extracted/<case>/<case>.md``,
``fixtures/authoring/<case>/<case>.md``, both forms of each ``fixtures/twins/<case>/``)
the whole intermediate, as ``pubconv.read`` gives it (reader, transforms,
publisher configuration, schema check), is compared with the stored
``expected.pubconv.xml`` after canonicalisation (C14N 2.0 of the serialized
form: indentation between block elements is layout, whitespace in mixed content
is kept and compared), and the diagnostics with ``expected.diagnostics`` (one
``path:line:col: severity: message [code]`` a line).  In a twin folder the files
are named after the form: ``authoring.expected.pubconv.xml``...

``pytest --update-goldens`` rewrites them from the current readers: read the
diff before committing it.  A case without goldens fails, so a new case cannot
pass by writing its own expectations.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from pubconv import api, document
from pubconv.errors import Collector

from conftest import FIXTURES

SOURCES = sorted(
    [p for form in ("extracted", "authoring") for p in (FIXTURES / form).glob("*/*.md") if p.stem == p.parent.name]
    + [p for p in (FIXTURES / "twins").glob("*/*.md") if p.stem in ("authoring", "extracted")])


def goldens(source: Path) -> tuple[Path, Path]:
    prefix = "expected" if source.stem == source.parent.name else f"{source.stem}.expected"
    return source.with_name(f"{prefix}.pubconv.xml"), source.with_name(f"{prefix}.diagnostics")


def canonical(data: bytes) -> str:
    """C14N 2.0 of the intermediate's one serialized form (layout whitespace normalised, mixed content kept)."""
    root = etree.fromstring(data, document.safe_parser())
    document._strip_layout(root)
    return etree.tostring(etree.fromstring(document.serialize(root)), method="c14n2").decode("utf-8")


def test_every_reader_fixture_is_covered():
    assert len(SOURCES) >= 10
    assert {p.parent.parent.name for p in SOURCES} == {"extracted", "authoring", "twins"}


@pytest.mark.parametrize("source", SOURCES, ids=[str(p.relative_to(FIXTURES)) for p in SOURCES])
def test_reader_gives_the_stored_intermediate_and_diagnostics(source, monkeypatch, update_goldens):
    monkeypatch.chdir(source.parent)  # positions name the file as a user in its folder would
    found = Collector()
    doc = api.read(Path(source.name), report=found)
    got_xml = doc.to_bytes()
    got_diagnostics = "".join(f"{d}\n" for d in found.items)
    xml_file, diagnostics_file = goldens(source)
    if update_goldens:
        xml_file.write_bytes(got_xml)
        diagnostics_file.write_text(got_diagnostics, encoding="utf-8")
    assert xml_file.is_file() and diagnostics_file.is_file(), \
        f"no goldens for {source.name}: run pytest --update-goldens, then read them"
    expected = canonical(xml_file.read_bytes())
    got = canonical(got_xml)
    if got != expected:  # the first difference, not two walls of XML
        i = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))
        pytest.fail(f"intermediate differs at {i}:\n  got:      {got[max(0, i - 100):i + 100]!r}\n"
                    f"  expected: {expected[max(0, i - 100):i + 100]!r}")
    assert got_diagnostics == diagnostics_file.read_text(encoding="utf-8")
