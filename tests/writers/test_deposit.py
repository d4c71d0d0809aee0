"""The deposit package (``--to deposit``): JATS, PDF and images in one zip whose every relative
``self-uri``/``graphic`` href names a member, valid JATS inside, byte-identical on re-run."""
from __future__ import annotations

import io
import shutil
import zipfile

import pytest
from lxml import etree

from conftest import FIXTURES
from pubconv.api import convert
from pubconv.writers.jats import validate

XLINK = "http://www.w3.org/1999/xlink"
HREF = f"{{{XLINK}}}href"


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        return {i.filename: z.read(i) for i in z.infolist()}


def _hrefs(jats: bytes) -> list[str]:
    tree = etree.fromstring(jats.split(b"\n", 2)[2])
    return [el.get(HREF) for el in tree.iter("self-uri", "graphic")]


def _check(data: bytes, stem: str) -> dict[str, bytes]:
    members = _members(data)
    assert list(members)[:2] == [f"{stem}.xml", f"{stem}.pdf"]
    assert members[f"{stem}.pdf"].startswith(b"%PDF-")
    assert validate.jats_errors(members[f"{stem}.xml"]) == []
    for href in _hrefs(members[f"{stem}.xml"]):
        if "://" not in href:  # the landing page is on the web; everything else is in the package
            assert href in members, (href, list(members))
    return members


def test_figures_are_packaged_and_every_href_resolves(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    src = tmp_path / "src"
    shutil.copytree(FIXTURES / "authoring" / "figures-tables", src)
    first = convert(src / "figures-tables.md", to="deposit", out_dir=tmp_path / "out")
    data = first.outputs["deposit"].read_bytes()
    members = _check(data, "figures-tables")
    assert members["freight.png"] == (src / "freight.png").read_bytes()
    jats = members["figures-tables.xml"]
    assert b'content-type="pdf" xlink:href="figures-tables.pdf"' in jats and b'content-type="epub"' not in jats
    again = convert(src / "figures-tables.md", to="deposit", write=False).data["deposit"]
    assert again == data  # byte-identical
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time for i in z.infolist()} == {(2023, 11, 14, 22, 13, 20)}


def test_clashing_image_names_are_renamed_in_the_package(tmp_path):
    src = tmp_path / "src"
    (src / "a").mkdir(parents=True)
    (src / "b").mkdir()
    png = (FIXTURES / "authoring" / "figures-tables" / "freight.png").read_bytes()
    (src / "a" / "chart.png").write_bytes(png)
    (src / "b" / "chart.png").write_bytes(png + b"\0")  # another file with the same name
    (src / "w.md").write_text("---\ntitle: Two charts\ndate: 2021-01-02\n---\n\nText.\n\n"
                              "![First chart, rising.](a/chart.png)\n\n![Second chart, falling.](b/chart.png)\n\n"
                              "![The first again.](a/chart.png)\n", encoding="utf-8")
    data = convert(src / "w.md", to="deposit", write=False).data["deposit"]
    members = _check(data, "w")
    graphics = [h for h in _hrefs(members["w.xml"]) if h.endswith(".png")]
    assert graphics == ["chart.png", "w-fig2.png", "chart.png"]
    assert members["chart.png"] == png and members["w-fig2.png"] == png + b"\0"


def test_a_missing_image_is_an_error_with_its_line(tmp_path):
    (tmp_path / "w.md").write_text("---\ntitle: T\n---\n\n![Alt text.](nothere.png)\n", encoding="utf-8")
    from pubconv.errors import PubconvError

    with pytest.raises(PubconvError) as exc:
        convert(tmp_path / "w.md", to="deposit", write=False)
    assert exc.value.code == "missing-resource" and exc.value.pos.line == 5
