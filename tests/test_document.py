"""The intermediate's contract: schema, one byte form, safe parsing, source positions."""
from __future__ import annotations

import copy

import pytest
from lxml import etree

from pubconv import document
from pubconv.document import E, q
from pubconv.errors import PubconvError

from conftest import FIXTURES

COMPLETE = FIXTURES / "intermediate" / "complete" / "complete.pubconv.xml"


def test_complete_example_is_valid_and_round_trips():
    data = COMPLETE.read_bytes()
    doc = document.parse(data, str(COMPLETE))
    assert doc.to_bytes() == data
    assert document.parse(doc.to_bytes(), "again").to_bytes() == data


def test_docs_example_is_the_complete_fixture():
    """docs/format.md shows the complete example; it must stay valid."""
    text = (FIXTURES.parent / "docs" / "format.md").read_text(encoding="utf-8")
    start = text.index("```xml\n<?xml") + len("```xml\n")
    example = text[start: text.index("\n```", start)].encode()
    document.parse(example, "docs/format.md")


@pytest.mark.parametrize("mutate, message", [
    (lambda r: r.find(q("body")).append(etree.Element(q("blink"))), "blink"),
    (lambda r: r.find(q("meta")).remove(r.find(f"{q('meta')}/{q('title')}")), "title"),
    (lambda r: r.find(f".//{q('note')}").set("n", "zero"), "n"),
    (lambda r: r.find(f".//{q('doi')}").__setattr__("text", "not-a-doi"), "doi"),
])
def test_schema_rejects(mutate, message):
    doc = document.parse(COMPLETE.read_bytes(), "complete.md")
    root = copy.deepcopy(doc.root)
    mutate(root)
    with pytest.raises(PubconvError) as err:
        document.validate(document.Document(root, path="complete.md"))
    assert err.value.code == "schema"


def test_schema_error_names_the_source_line():
    doc = document.parse(COMPLETE.read_bytes(), "complete.md")
    root = etree.fromstring(doc.to_bytes())
    sec = root.find(f".//{q('section')}")
    sec.append(E("p", line=35))  # a block after a subsection is fine; an unknown child is not
    sec.insert(1, etree.Element(q("marquee")))
    with pytest.raises(PubconvError) as err:
        document.validate(document.Document(root, path="c.md"))
    assert err.value.pos.path == "c.md" and err.value.pos.line is not None


def test_each_footnote_is_one_note_element():
    doc = document.parse(COMPLETE.read_bytes(), "c")
    notes = doc.xpath("//p:note")
    assert [n.get("n") for n in notes] == ["1", "2", "3"]
    assert len(notes[1].findall(q("p"))) == 3


@pytest.mark.parametrize("payload", [
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><document>&x;</document>',
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><document>&b;</document>',
    b'<!DOCTYPE document SYSTEM "http://127.0.0.1:9/x.dtd"><document/>',
])
def test_hostile_xml_is_refused(payload):
    with pytest.raises(PubconvError) as err:
        document.parse(payload, "evil.pubconv.xml")
    assert err.value.code == "xml-doctype"


def test_malformed_xml_has_a_position():
    with pytest.raises(PubconvError) as err:
        document.parse(b"<document>\n  <meta>\n</document>", "bad.pubconv.xml")
    assert err.value.code == "xml-syntax" and err.value.pos.line == 3


def test_source_pos_walks_up():
    doc = document.parse(COMPLETE.read_bytes(), "complete.md")
    em = doc.find("p:body/p:section/p:heading/p:em")
    assert str(doc.pos(em)) == "complete.md:33"
