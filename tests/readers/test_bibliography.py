"""A CSL-JSON or BibTeX bibliography named in the front matter gives the printed references their exact parts
(fixtures/authoring/bibliography: invented works)."""
from __future__ import annotations

import shutil

import pytest
from lxml import etree

from conftest import FIXTURES
from pubconv.api import read
from pubconv.document import q
from pubconv.errors import Collector, PubconvError
from pubconv.readers import _bibliography
from pubconv.writers import WriteOptions, crossref, jats

CASE = FIXTURES / "authoring" / "bibliography"


def _parts(ref) -> list:
    parsed = ref.find(q("parsed"))
    out = []
    for part in parsed if parsed is not None else []:
        name = etree.QName(part).localname
        if name == "person-group":
            out.append((name, [(p.findtext(q("family")), p.findtext(q("given"))) if etree.QName(p).localname == "name"
                               else ("=", p.text) for p in part]))
        else:
            out.append((name, part.text))
    return out


def _read(tmp_path, bib: str):
    folder = tmp_path / "b"
    shutil.copytree(CASE, folder)
    source = folder / "bibliography.md"
    source.write_text(source.read_text(encoding="utf-8").replace("refs.json", bib), encoding="utf-8")
    found = Collector()
    return read(source, report=found), found.items


@pytest.mark.parametrize("bib", ["refs.json", "refs.bib"])
def test_printed_references_take_the_items_parts(tmp_path, bib):
    doc, found = _read(tmp_path, bib)
    refs = doc.xpath("/p:document/p:references/p:ref")
    assert [r.get("type") for r in refs] == ["report", "journal", "book", "book"]
    assert _parts(refs[0]) == [("person-group", [("=", "Harbour Authority")]), ("year", "2021"),
                               ("source", "Annual report on inland navigation 2020"), ("publisher-loc", "Lagos"),
                               ("publisher-name", "Harbour Authority")]
    # The title as printed (sentence case), not as the bibliography spells it; initials as printed.
    assert _parts(refs[1]) == [("person-group", [("Lind", "A."), ("Varga", "P.")]), ("year", "2019"),
                               ("title", "Floods and forecasts on the lower river"),
                               ("source", "Journal of Water Practice"), ("volume", "11"), ("issue", "3"),
                               ("fpage", "41"), ("lpage", "63")]
    assert refs[1].findtext(q("doi")) == "10.5555/jwp.2019.11.3.41"
    assert _parts(refs[2])[0] == ("person-group", [("Mensah", "Kofi O.")])
    # An entry the bibliography lacks keeps what the printed text gives.
    assert _parts(refs[3])[1:] == [("year", "2022"), ("source", "An entry the bibliography does not have"),
                                   ("publisher-loc", "Riga"), ("publisher-name", "Baltic Hydro")]
    # Citations still link, and the JATS tags every part in place.
    assert len(doc.xpath("//p:cite")) == 3
    data = jats.write(doc, WriteOptions(), Collector())
    tree = etree.fromstring(data.split(b"\n", 2)[2])
    mc = tree.findall("back/ref-list/ref/mixed-citation")[1]
    assert [c.tag for c in mc][:9] == ["person-group", "year", "article-title", "source", "volume", "issue", "fpage",
                                       "lpage", "pub-id"]
    cit = crossref.citation_fields(refs[1])
    assert ("doi", "10.5555/jwp.2019.11.3.41") in cit and ("first_page", "41") in cit


def test_json_and_bibtex_give_the_same_items():
    a = _bibliography.load(CASE / "refs.json", None)
    b = _bibliography.load(CASE / "refs.bib", None)
    keys = ("id", "kind", "authors", "year", "container", "volume", "issue", "fpage", "lpage", "publisher", "place",
            "doi")
    assert [{k: i[k] for k in keys} for i in a] == [{k: i[k] for k in keys} for i in b]
    assert [i["title"].lower() for i in a] == [i["title"].lower() for i in b]


def test_bad_bibliographies_are_errors_with_their_line(tmp_path):
    folder = tmp_path / "b"
    shutil.copytree(CASE, folder)
    (folder / "refs.json").write_text('[\n  {"id": "x",}\n]\n', encoding="utf-8")
    with pytest.raises(PubconvError) as exc:
        read(folder / "bibliography.md")
    assert exc.value.code == "bad-bibliography" and exc.value.pos.line == 2 and exc.value.pos.path.endswith("refs.json")
    (folder / "refs.json").unlink()
    with pytest.raises(PubconvError) as exc:
        read(folder / "bibliography.md")
    assert exc.value.code == "missing-resource" and exc.value.pos.line == 8  # the front matter's key
    src = folder / "bibliography.md"
    src.write_text(src.read_text(encoding="utf-8").replace("refs.json", "../elsewhere.json"), encoding="utf-8")
    with pytest.raises(PubconvError, match="outside"):
        read(src)
    (folder / "refs.bib").write_text("@book{x,\n title = {Never closed\n", encoding="utf-8")
    src.write_text(src.read_text(encoding="utf-8").replace("../elsewhere.json", "refs.bib"), encoding="utf-8")
    with pytest.raises(PubconvError) as exc:
        read(src)
    assert exc.value.code == "bad-bibliography" and exc.value.pos.line == 1


def test_two_matching_items_are_reported_not_guessed(tmp_path):
    folder = tmp_path / "b"
    shutil.copytree(CASE, folder)
    text = (folder / "refs.json").read_text(encoding="utf-8")
    (folder / "refs.json").write_text(text.replace('[\n', '[\n  {"id": "dup", "type": "book", "author": '
                                                   '[{"family": "Mensah"}], "issued": {"date-parts": [[2018]]}, '
                                                   '"title": "The Delta and the State"},\n', 1), encoding="utf-8")
    found = Collector()
    read(folder / "bibliography.md", report=found)
    assert [d.code for d in found.items if d.code.startswith("bib-")] == ["bib-ambiguous"]
