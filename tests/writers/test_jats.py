"""The JATS writer (pubconv.writers.jats): DTD validity, metadata, footnotes, references, nothing empty."""
from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import FIXTURES, JATS_DTDS
from jats_validate import (
    NSX,
    XLINK,
    dangling_rids,
    dtd_errors,
    dtd_errors_against,
    empty_things,
    jats4r_errors,
    parse,
    pmc_style_errors,
)
from pubconv import document
from pubconv.api import read
from pubconv.document import E, q
from pubconv.errors import Collector, PubconvError
from pubconv.writers import WriteOptions, jats
from pubconv.writers.jats.front import ARCHIVING, PUBLISHING

HREF = f"{{{XLINK}}}href"


@pytest.fixture(scope="session")
def dtds() -> Path:
    """The JATS 1.3 DTDs shipped in the package: never skipped, they are part of pubconv."""
    assert (JATS_DTDS / "catalog.xml").is_file(), f"the shipped JATS 1.3 DTDs are missing: {JATS_DTDS}"
    return JATS_DTDS


def write(doc, **options):
    found = Collector()
    data = jats.write(doc, WriteOptions(**options), found)
    return data, parse(data), found.items


def clone(doc):
    return document.Document(copy.deepcopy(doc.root), doc.path, doc.base_dir)


def text(el) -> str:
    """Whitespace-normalized string value, footnote calls included."""
    return " ".join("".join(el.itertext()).split())


def mini(*body, meta=(), refs=None, date="2021-03-03"):
    """A small valid intermediate: a title, optional extra metadata, the given body blocks."""
    root = document.new_document("en", src_file="mini.md", form="authoring")
    m = E("meta", E("title", "A title", line=1), line=1)
    if date:
        m.append(E("date", iso=date, line=2))
    for el in meta:
        m.append(el)
    root.append(m)
    root.append(E("body", *body))
    if refs is not None:
        root.append(refs)
    doc = document.Document(root, "mini.md")
    document.validate(doc)
    return doc


def assert_clean(data: bytes, tree, dtd_root: Path) -> None:
    assert dtd_errors(data, dtd_root) == []
    assert empty_things(tree) == []
    assert dangling_rids(tree) == []


# ---------------------------------------------------------------- validity and tag set


def test_complete_is_valid_journal_publishing(complete_intermediate, dtds):
    data, tree, found = write(complete_intermediate, outputs={"pdf": "complete.pdf", "epub": "complete.epub"},
                              article_type="other")
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE article PUBLIC "')
    info = tree.getroottree().docinfo
    assert info.public_id == PUBLISHING.public_id
    assert info.system_url == "https://jats.nlm.nih.gov/publishing/1.3/JATS-journalpublishing1-3-mathml3.dtd"
    assert_clean(data, tree, dtds)
    assert found == []
    assert tree.get("dtd-version") == "1.3" and tree.get("article-type") == "other"
    assert pmc_style_errors(tree) == []
    assert jats4r_errors(tree) == []


def test_default_article_type_is_one_pmc_knows(complete_intermediate):
    _, tree, found = write(complete_intermediate)
    assert tree.get("article-type") == "other"
    assert [d.code for d in found] == [] and pmc_style_errors(tree) == []


def test_an_article_type_pmc_does_not_know_is_a_warning(complete_intermediate):
    _, tree, found = write(complete_intermediate, article_type="commentary")
    assert tree.get("article-type") == "commentary"
    assert [d.code for d in found] == ["jats-article-type"]
    assert pmc_style_errors(tree) == ["article-type attribute check: unknown article-type value 'commentary'"]


def test_archiving_fallback_when_issn_and_publisher_missing(complete_intermediate, dtds):
    doc = clone(complete_intermediate)
    meta = doc.find("p:meta")
    for el in doc.xpath("p:meta/p:issn | p:meta/p:publisher"):
        meta.remove(el)
    data, tree, found = write(doc)
    assert [d.code for d in found] == ["jats-archiving"]
    assert "an ISSN" in found[0].message and "a publisher name" in found[0].message
    assert found[0].pos.path.endswith("complete.pubconv.xml")
    assert tree.getroottree().docinfo.public_id == ARCHIVING.public_id
    assert_clean(data, tree, dtds)
    # The fallback is needed: the same article is not valid Journal Publishing.
    assert dtd_errors_against(data, dtds / "publishing/1.3/JATS-journalpublishing1-3-mathml3.dtd")
    # The series title still gives a journal title.
    assert tree.findtext("front/journal-meta/journal-title-group/journal-title") == "SADF Focus"


def test_archiving_without_any_journal_metadata(dtds):
    data, tree, found = write(mini(E("p", "Text.", line=3)))
    assert [d.code for d in found] == ["jats-archiving"]
    assert tree.find("front/journal-meta") is None
    assert_clean(data, tree, dtds)


def _readable(path: Path) -> bool:
    """Fixtures meant to be read: everything but the bad-input cases whose expected exit is not 0."""
    expected = path.with_name(path.name + ".expected")
    parts = path.relative_to(FIXTURES).parts
    if parts[0] == "bad" and len(parts) > 2:  # a folder case of fixtures/bad: test_bad_input.py runs it
        return False
    return not expected.exists() or expected.read_text(encoding="utf-8").startswith("exit: 0")


def _fixture_intermediates():
    # Not the reader goldens (expected*.pubconv.xml): each is its source's intermediate, checked from the source.
    return sorted(p for p in FIXTURES.glob("**/*.pubconv.xml") if _readable(p) and "expected" not in p.name)


@pytest.mark.parametrize("path", _fixture_intermediates(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_fixture_intermediate_is_valid(path, dtds):
    doc = document.parse(path.read_bytes(), str(path), path.parent)
    data, tree, found = write(doc)
    assert_clean(data, tree, dtds)
    assert tree.getroottree().docinfo.public_id == (
        ARCHIVING.public_id if any(d.code == "jats-archiving" for d in found) else PUBLISHING.public_id)


def test_deterministic(complete_intermediate):
    first = jats.write(complete_intermediate, WriteOptions(), Collector())
    again = document.parse(complete_intermediate.to_bytes(), complete_intermediate.path)
    assert jats.write(again, WriteOptions(), Collector()) == first
    assert jats.write(complete_intermediate, WriteOptions(), Collector()) == first


def test_pretty_printed_without_touching_mixed_content(complete_intermediate):
    data, tree, _ = write(complete_intermediate)
    lines = data.decode("utf-8").splitlines()
    assert "    <journal-meta>" in lines and "      <article-meta>" not in lines
    # A paragraph's text is exactly the intermediate's: no indentation slipped inside.
    p = tree.find("body/p")
    assert p.text.startswith("Since 1960") and p[0].tail.startswith(" It is often called")


# ---------------------------------------------------------------- metadata (XPath)


def test_journal_meta(complete_intermediate):
    _, tree, _ = write(complete_intermediate)
    jm = tree.find("front/journal-meta")
    assert jm.findtext("journal-id[@journal-id-type='publisher-id']") == "sadf-focus"  # a slug of the title
    issn = jm.find("issn")
    assert issn.text == "2406-5617"
    assert issn.get("publication-format") == "electronic" and issn.get("pub-type") == "epub"
    assert jm.findtext("publisher/publisher-name") == "South Asia Democratic Forum"
    assert jm.findtext("publisher/publisher-loc") == "Brussels"


def test_print_issn_typed(complete_intermediate):
    doc = clone(complete_intermediate)
    doc.find("p:meta/p:issn").set("format", "print")
    _, tree, _ = write(doc)
    issn = tree.find("front/journal-meta/issn")
    assert (issn.get("publication-format"), issn.get("pub-type")) == ("print", "ppub")


def test_article_meta(complete_intermediate):
    _, tree, _ = write(complete_intermediate, outputs={"pdf": "c.pdf", "epub": "c.epub", "jats": "c.jats.xml"})
    am = tree.find("front/article-meta")
    assert am.findtext("article-id[@pub-id-type='doi']") == "10.48251/SADF.ISSN.2406-5617.F85"
    assert am.findtext("article-categories/subj-group[@subj-group-type='heading']/subject") == "FOCUS"
    assert am.findtext("elocation-id") == "85"
    assert text(am.find("title-group/article-title")) == "Water, power and the Indus basin: a reassessment"
    assert am.find("title-group/article-title/italic").text == "Indus"
    assert am.findtext("title-group/subtitle") == "Notes on a treaty under strain"
    assert [(s.get("content-type"), s.get(HREF), s.text) for s in am.findall("self-uri")] == [
        ("pdf", "c.pdf", "c.pdf"), ("epub", "c.epub", "c.epub")]
    assert text(am.find("abstract")).startswith("The Indus Waters Treaty has survived three wars.")
    assert [k.text for k in am.findall("kwd-group/kwd")] == ["Indus Waters Treaty", "water security"]
    lic = am.find("permissions/license")
    assert lic.findtext("ali:license_ref", namespaces=NSX) == "https://creativecommons.org/licenses/by/4.0/"
    # JATS4R permissions: the URL in both places, the type, a readable sentence; copyright from the publisher.
    assert lic.get(HREF) == lic.findtext("ali:license_ref", namespaces=NSX)
    assert lic.get("license-type") == "open-access"
    assert text(lic.find("license-p")) == \
        "This article is licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)."
    perms = am.find("permissions")
    assert [c.tag for c in perms] == ["copyright-statement", "copyright-year", "copyright-holder", "license"]
    assert perms.findtext("copyright-year") == complete_intermediate.find("p:meta/p:date").get("iso")[:4]
    assert perms.findtext("copyright-holder") == tree.findtext("front/journal-meta/publisher/publisher-name")
    assert am.find("kwd-group").get("kwd-group-type") == "author"
    assert am.find("kwd-group").get("{http://www.w3.org/XML/1998/namespace}lang") is None
    assert all(s.get(f"{{{XLINK}}}title") for s in am.findall("self-uri"))


def test_contributors_and_author_notes(complete_intermediate):
    _, tree, _ = write(complete_intermediate)
    contribs = tree.findall("front/article-meta/contrib-group/contrib")
    assert [(c.findtext("name/surname"), c.findtext("name/given-names")) for c in contribs] == [
        ("Gonçalves-Pérez", "Ana"), ("van der Berg", "Rahul")]
    first, second = contribs
    assert first.findtext("contrib-id[@contrib-id-type='orcid']") == "https://orcid.org/0000-0002-1825-0097"
    assert first.findtext("email") == "ana@example.org"
    assert first.findtext("aff") == "South Asia Democratic Forum, Brussels"
    assert "Senior Fellow at SADF" in text(first.find("bio"))
    xref = first.find("xref[@ref-type='author-notes']")
    assert xref.text == "*"
    note = tree.find(f"front/article-meta/author-notes/fn[@id='{xref.get('rid')}']")
    assert note.findtext("label") == "*" and text(note.find("p")) == "The views expressed are the author’s own."
    # Only what the source says: no ORCID, email, aff or note invented for the second author.
    for tag in ("contrib-id", "email", "aff", "xref"):
        assert second.find(tag) is None


@pytest.mark.parametrize(
    ("iso", "season", "expected", "iso_attr"),
    [
        ("2021-03-03", None, [("day", "03"), ("month", "03"), ("year", "2021")], "2021-03-03"),
        ("2021-03", None, [("month", "03"), ("year", "2021")], None),
        ("2021", "Spring", [("season", "Spring"), ("year", "2021")], None),
        ("2021", None, [("year", "2021")], None),
    ],
)
def test_dates_as_printed(iso, season, expected, iso_attr):
    doc = mini(E("p", "Text.", line=3), date=None, meta=[E("date", iso=iso, season=season, line=2)])
    _, tree, _ = write(doc)
    pd = tree.find("front/article-meta/pub-date")
    assert [(c.tag, c.text) for c in pd] == expected
    assert pd.get("iso-8601-date") == iso_attr
    assert pd.get("date-type") == "pub" and pd.get("publication-format") == "electronic"


def test_no_date_invents_none():
    _, tree, _ = write(mini(E("p", "Text.", line=3), date=None))
    assert tree.find("front/article-meta/pub-date") is None


def test_article_type_option(complete_intermediate):
    _, tree, _ = write(complete_intermediate, article_type="editorial")
    assert tree.get("article-type") == "editorial"


def test_style_warnings_for_missing_pmc_parts(complete_intermediate):
    doc = clone(complete_intermediate)
    meta = doc.find("p:meta")
    meta.remove(doc.find("p:meta/p:date"))
    doc.find("p:meta/p:series").remove(doc.find("p:meta/p:series/p:number"))
    _, tree, found = write(doc, article_type="editorial")
    assert [d.code for d in found] == ["jats-no-number", "jats-no-date"]
    assert {e.split(":")[0] for e in pmc_style_errors(tree)} == {"fpage check", "pub-date check"}


# ---------------------------------------------------------------- footnotes


def test_footnotes_in_back_once_with_their_text(complete_intermediate):
    _, tree, _ = write(complete_intermediate)
    notes = complete_intermediate.xpath("//p:note")
    fns = tree.findall("back/fn-group/fn")
    assert len(fns) == len(notes) == 3
    for note, fn in zip(notes, fns):
        n = note.get("n")
        assert fn.get("id") == f"fn-{n}" and fn.findtext("label") == n
        assert [text(p) for p in fn.findall("p")] == [
            " ".join(document.text_of(p).split()) for p in note.findall(q("p"))]
        calls = tree.xpath(f"//xref[@ref-type='fn'][@rid='{fn.get('id')}']")
        assert len(calls) == 1 and calls[0].text == n
    assert len(tree.findall("back/fn-group/fn[2]/p")) == 3  # the three-paragraph note
    # Each note's text appears once in the whole article: in back, not at its call.
    assert text(tree).count("The treaty was signed in Karachi") == 1


def test_footnote_ids_do_not_clash_with_other_ids():
    doc = mini(E("section", E("heading", "Head", line=3),
                 E("p", "Text.", E("note", E("p", "Note.", line=5), id="n1", n="1", line=5), line=4),
                 id="fn-1", level="2", line=3))
    _, tree, _ = write(doc)
    fn = tree.find("back/fn-group/fn")
    assert fn.get("id") == "fn-1-2" and tree.find("body/sec").get("id") == "fn-1"
    assert dangling_rids(tree) == []


def test_note_inside_link_called_right_after_it(dtds):
    doc = mini(E("p", "See ", E("link", "the site", E("note", E("p", "Visited 2021.", line=4), id="n1", n="1",
                                                        line=4), href="https://example.org/"), ".", line=3))
    data, tree, _ = write(doc)
    p = tree.find("body/p")
    assert [c.tag for c in p] == ["ext-link", "xref"]
    assert text(p.find("ext-link")) == "the site" and p[1].tail == "."
    assert_clean(data, tree, dtds)


def test_blocks_in_a_footnote_are_wrapped_in_p(dtds):
    note = E("note", E("p", "Two points:", line=4),
             E("list", E("item", E("p", "one", line=5), line=5), type="bullet", line=5), id="n1", n="1", line=4)
    data, tree, _ = write(mini(E("p", "Text.", note, line=3)))
    assert tree.find("back/fn-group/fn/p/list/list-item/p").text == "one"
    assert_clean(data, tree, dtds)


# ---------------------------------------------------------------- references


def test_references_keep_printed_text(complete_intermediate):
    _, tree, _ = write(complete_intermediate)
    refs = complete_intermediate.xpath("/p:document/p:references/p:ref")
    jrefs = tree.findall("back/ref-list/ref")
    assert tree.findtext("back/ref-list/title") == "References"
    assert [r.get("id") for r in jrefs] == [r.get("id") for r in refs]
    types = {"journal": "journal", "book": "book", "web": "webpage"}
    for ref, jref in zip(refs, jrefs):
        mc = jref.find("mixed-citation")
        assert mc.get("publication-type") == types[ref.get("type")]
        printed = " ".join(document.text_of(ref.find(q("text"))).split())
        # The printed text, plus the identifiers it does not print (Dawn's URL), after a space.
        extra = [v for v in (ref.findtext(q("doi")), ref.findtext(q("url"))) if v and v not in printed]
        assert text(mc) == " ".join([printed, *extra])


def test_reference_parts_tagged(complete_intermediate):
    _, tree, _ = write(complete_intermediate)
    ali, briscoe, dawn = (r.find("mixed-citation") for r in tree.findall("back/ref-list/ref"))
    pg = ali.find("person-group[@person-group-type='author']")
    assert [(n.findtext("surname"), n.findtext("given-names")) for n in pg.findall("string-name")] == [
        ("Ali", "S."), ("Khan", "M.")]
    assert text(pg) == "Ali, S., & Khan, M."
    assert ali.findtext("year") == "2019"
    assert ali.findtext("pub-id[@pub-id-type='doi']") == "10.2166/wp.2019.001"
    assert len(ali.findall("pub-id")) == 1  # printed once, tagged once
    assert briscoe.findtext("person-group/string-name/surname") == "Briscoe"
    assert dawn.findtext("person-group/collab") == "Dawn" and dawn.findtext("year") == "2021"
    link = dawn.find("ext-link[@ext-link-type='uri']")
    assert link.get(HREF) == link.text == "https://www.dawn.com/news/1608342"


def _ref_doc(printed, parsed=(), ref_type="journal", url=None, doi=None):
    ref = E("ref", E("text", *printed), id="r1", type=ref_type, line=9)
    if url:
        ref.append(E("url", url))
    if doi:
        ref.append(E("doi", doi))
    if parsed:
        ref.append(E("parsed", *parsed))
    refs = E("references", E("heading", "References"), ref, line=8)
    return mini(E("p", "As shown ", E("cite", "(Smith 2020)", ref="r1"), ".", line=3), refs=refs)


def test_reference_parts_not_found_are_not_tagged(dtds):
    parsed = [E("person-group", E("name", E("given", "John"), E("family", "Smith"))), E("year", "2020"),
              E("title", "A title that is not printed"), E("source", "Journal")]
    data, tree, _ = write(_ref_doc(["J. Smyth, 2020. Another title. ", E("em", "Journal"), "."], parsed))
    mc = tree.find("back/ref-list/ref/mixed-citation")
    assert mc.find("person-group") is None and mc.find("article-title") is None
    assert mc.findtext("year") == "2020" and mc.find("source/italic").text == "Journal"
    assert text(mc) == "J. Smyth, 2020. Another title. Journal."
    assert_clean(data, tree, dtds)


def test_reference_given_name_first_and_title(dtds):
    parsed = [E("person-group", E("name", E("given", "John"), E("family", "Smith")),
                E("name", E("given", "Mary"), E("family", "Jones"))),
              E("year", "2020"), E("title", "Rivers and borders"), E("source", "Water Policy")]
    printed = ["John Smith and Mary Jones (2020) Rivers and borders. ", E("em", "Water Policy"), " 3."]
    data, tree, _ = write(_ref_doc(printed, parsed, doi="10.1000/xyz", url="https://example.org/x"))
    mc = tree.find("back/ref-list/ref/mixed-citation")
    names = mc.findall("person-group/string-name")
    assert [(n.findtext("given-names"), n.findtext("surname")) for n in names] == [
        ("John", "Smith"), ("Mary", "Jones")]
    assert mc.findtext("article-title") == "Rivers and borders"
    # Neither DOI nor URL is printed: they are added at the end, once each.
    assert text(mc) == "John Smith and Mary Jones (2020) Rivers and borders. Water Policy 3. 10.1000/xyz " \
                       "https://example.org/x"
    assert mc.findtext("pub-id[@pub-id-type='doi']") == "10.1000/xyz"
    assert_clean(data, tree, dtds)
    # The in-text citation links to the reference.
    xref = tree.find("body/p/xref[@ref-type='bibr']")
    assert xref.get("rid") == "r1" and xref.text == "(Smith 2020)"


def test_identifiers_printed_inside_a_link_are_not_added_again(dtds):
    url = "https://doi.org/10.1000/xyz"
    data, tree, _ = write(_ref_doc(["Smith (2020). Title. ", E("link", url, href=url)], [E("year", "2020")],
                                   doi="10.1000/xyz", url=url))
    mc = tree.find("back/ref-list/ref/mixed-citation")
    assert text(mc) == f"Smith (2020). Title. {url}"
    assert [(a.get(HREF), a.text) for a in mc.findall("ext-link")] == [(url, url)]
    assert_clean(data, tree, dtds)


def test_doi_printed_in_italic_stays_italic_text(dtds):
    data, tree, _ = write(_ref_doc(["Report. ", E("em", "10.1000/x.2019")], doi="10.1000/x.2019"))
    mc = tree.find("back/ref-list/ref/mixed-citation")
    assert mc.find("pub-id") is None and mc.findtext("italic") == "10.1000/x.2019"  # pub-id holds text only
    assert text(mc) == "Report. 10.1000/x.2019"
    assert_clean(data, tree, dtds)


def test_reference_without_text_raises_with_position():
    with pytest.raises(PubconvError) as info:
        jats.write(_ref_doc([" "]), WriteOptions(), Collector())
    assert info.value.code == "jats-empty-ref" and str(info.value.pos) == "mini.md:9"


def test_year_with_a_letter_keeps_it_and_says_the_year():
    _, tree, _ = write(_ref_doc(["Smith (2020a). Title."], [E("year", "2020a")], ref_type="other"))
    year = tree.find("back/ref-list/ref/mixed-citation/year")
    assert (year.text, year.get("iso-8601-date")) == ("2020a", "2020")
    assert jats4r_errors(tree) == ["permissions: article-meta has no permissions"]


def test_year_inside_a_doi_is_not_the_year():
    parsed = [E("year", "2019")]
    _, tree, _ = write(_ref_doc(["Report. doi:10.1000/x.2019.5 (2019)."], parsed, ref_type="report"))
    mc = tree.find("back/ref-list/ref/mixed-citation")
    assert mc.findtext("year") == "2019" and mc.find("year").tail == ")."


# ---------------------------------------------------------------- body


def test_body_elements(dtds, tmp_path):
    (tmp_path / "a.jpg").write_bytes(b"\xff\xd8\xff\xd9")  # the graphic must exist: the writer vets it
    body = [
        E("p", "Line one", E("br"), "line two with ", E("code", "x = 1"), ".", line=3),
        E("list", E("item", E("p", "third", line=4), line=4), E("item", line=5),
          E("item", E("p", "fourth", line=6), E("list", E("item", E("p", "inner", line=7), line=7),
                                                 type="bullet", line=7), line=6),
          type="ordered", start="3", line=4),
        E("codeblock", "print(1)\n", language="python", line=8),
        E("codeblock", "plain\n", line=9),
        E("figure", E("image", src="a.jpg", alt="", line=10), line=10),
        E("hr", line=11),
    ]
    doc = mini(*body)
    doc.base_dir = tmp_path
    data, tree, found = write(doc)
    b = tree.find("body")
    assert b.find("p").text == "Line one\nline two with " and b.findtext("p/monospace") == "x = 1"
    items = b.findall("list[@list-type='order']/list-item")
    assert [i.findtext("label") for i in items] == ["3.", "5."]  # the empty item is left out, numbering kept
    assert items[1].find("list[@list-type='bullet']/list-item/p").text == "inner"
    assert b.find("code[@language='python']").text == "print(1)\n"
    assert b.find("preformat[@preformat-type='code']").text == "plain\n"
    graphic = b.find("fig/graphic")
    assert graphic.get(HREF) == "a.jpg" and graphic.get("mime-subtype") == "jpeg" and graphic.find("alt-text") is None
    assert sorted(d.code for d in found) == ["jats-archiving", "jats-empty-item", "jats-hr"]
    assert_clean(data, tree, dtds)


def test_unknown_element_raises_with_position():
    doc = mini(E("p", "Text.", line=3))
    doc.find("p:body").append(E("aside", E("p", "x"), line=7))
    with pytest.raises(PubconvError) as info:
        jats.write(doc, WriteOptions(), Collector())
    assert info.value.code == "jats-unknown-element" and "<aside>" in info.value.message
    assert str(info.value.pos) == "mini.md:7"


def test_unknown_metadata_element_raises_with_position(complete_intermediate):
    doc = clone(complete_intermediate)
    doc.find("p:meta/p:authors/p:author/p:name").append(E("nickname", "Ana"))
    with pytest.raises(PubconvError) as info:
        jats.write(doc, WriteOptions(), Collector())
    assert "<nickname>" in info.value.message and info.value.pos.line == 8


def test_unknown_inline_element_raises_with_position():
    doc = mini(E("p", "Text.", line=3))
    doc.find("p:body/p:p").append(E("blink", "x"))
    with pytest.raises(PubconvError) as info:
        jats.write(doc, WriteOptions(), Collector())
    assert str(info.value.pos) == "mini.md:3"


# ---------------------------------------------------------------- style checker rules


def test_style_rules_catch_what_pmc_rejects(complete_intermediate):
    """The XPath rules are not vacuous: break the article and they say so."""
    _, tree, _ = write(complete_intermediate, article_type="other")
    for attr in ("pub-type", "publication-format"):
        del tree.find("front/journal-meta/issn").attrib[attr]
    tree.find("front/article-meta").remove(tree.find("front/article-meta/article-categories"))
    tree.find("back/ref-list/ref/mixed-citation").attrib.pop("publication-type")
    etree.SubElement(tree.find("body"), "p")
    rules = {e.split(":")[0] for e in pmc_style_errors(tree)}
    assert rules == {"issn pub-type check", "subject-group checking", "publication-type check",
                     "empty-element-check"}


# ---------------------------------------------------------------- the seed


SEED_TOML = """\
[publisher]
name = "South Asia Democratic Forum"
place = "Brussels"

[series.COMMENT]
title = "SADF Comment"
issn = "2406-5617"
"""


@pytest.fixture
def seed_doc(seed_path, tmp_path):
    src = tmp_path / "c207.md"
    shutil.copyfile(seed_path, src)
    (tmp_path / "pubconv.toml").write_text(SEED_TOML, encoding="utf-8")
    return read(src)


def test_seed_is_valid_and_complete(seed_doc, dtds):
    data, tree, found = write(seed_doc, outputs={"pdf": "c207.pdf", "epub": "c207.epub"}, article_type="other")
    assert tree.getroottree().docinfo.public_id == PUBLISHING.public_id, [str(d) for d in found]
    assert_clean(data, tree, dtds)
    # With an article-type PMC knows, the Style Checker's rules find nothing.
    assert pmc_style_errors(tree) == []
    # The seed's configuration gives no licence: the one JATS4R rule it cannot meet, and the writer says so.
    assert set(jats4r_errors(tree)) <= {"permissions: article-meta has no permissions"}
    if tree.find("front/article-meta/permissions") is None:
        assert "jats-no-license" in [d.code for d in found]
    am = tree.find("front/article-meta")
    assert am.findtext("article-id[@pub-id-type='doi']") == "10.48251/SADF.ISSN.2406-5617.C207"
    assert am.findtext("article-categories/subj-group/subject") == "COMMENT"
    assert am.findtext("elocation-id") == "207"
    assert am.find("pub-date").get("iso-8601-date") == "2021-03-03"
    assert am.findtext("contrib-group/contrib/name/surname") == "Wolf"
    assert tree.findtext("front/journal-meta/journal-title-group/journal-title") == "SADF Comment"
    assert tree.findtext("front/journal-meta/issn[@publication-format='electronic']") == "2406-5617"
    # Each footnote and each reference once, with its text.
    notes = seed_doc.xpath("//p:note")
    fns = tree.findall("back/fn-group/fn")
    assert len(fns) == len(notes) > 0
    for note, fn in zip(notes, fns):
        body = " ".join(document.text_of(note).split())
        assert " ".join("".join(t for p in fn.findall("p") for t in p.itertext()).split()) == body
        assert len(tree.xpath(f"//xref[@rid='{fn.get('id')}']")) == 1
    refs = seed_doc.xpath("/p:document/p:references/p:ref")
    jrefs = tree.findall("back/ref-list/ref")
    assert len(jrefs) == len(refs)
    for ref, jref in zip(refs, jrefs):
        printed = " ".join(document.text_of(ref.find(q("text"))).split())
        assert text(jref.find("mixed-citation")).startswith(printed)
    assert not re.search(rb"<(\w[\w-]*)[^>]*></\1>", data)


# ---------------------------------------------------------------- every source fixture, both tag sets

FIXTURE_TOML = """\
[publisher]
name = "Fixture Publisher"
place = "Brussels"
issn = "2406-5617"
"""


def _source_fixtures():
    # .txt is a source only in the bad-input corpus (beside its .expected); elsewhere it is a listing.
    sources = [p for p in FIXTURES.glob("**/*.md") if p.name != "README.md"]
    sources += [p for p in FIXTURES.glob("**/*.txt") if p.with_name(p.name + ".expected").exists()]
    return sorted(p for p in sources if _readable(p))


@pytest.mark.parametrize("configured", [False, True], ids=["as-is", "publisher-configured"])
@pytest.mark.parametrize("path", _source_fixtures(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_source_fixture_is_valid(path, configured, dtds, tmp_path):
    folder = tmp_path / "src"
    shutil.copytree(path.parent, folder)
    if configured:
        (folder / "pubconv.toml").write_text(FIXTURE_TOML, encoding="utf-8")
    doc = read(folder / path.name)
    data, tree, found = write(doc)
    assert_clean(data, tree, dtds)
    codes = [d.code for d in found]
    # As-is, the tag set depends on the fixture's own metadata and configuration, and the
    # warning says which; with the publisher configured it is always Journal Publishing.
    archiving = "jats-archiving" in codes
    assert not (configured and archiving)
    expected = ARCHIVING if archiving else PUBLISHING
    assert tree.getroottree().docinfo.public_id == expected.public_id, codes
    # Every note and reference of the source is in the JATS once.
    assert len(tree.findall("back/fn-group/fn")) == len(doc.xpath("//p:note"))
    assert len(tree.findall("back/ref-list/ref")) == len(doc.xpath("/p:document/p:references/p:ref"))
    if not archiving:
        rules = {e.split(":")[0] for e in pmc_style_errors(tree)}
        # What PMC would still reject is exactly what the writer warned about.
        warned = {"jats-no-category": "subject-group checking", "jats-no-number": "fpage check",
                  "jats-no-date": "pub-date check", "jats-article-type": "article-type attribute check"}
        assert rules == {rule for code, rule in warned.items() if code in codes}


# ---------------------------------------------------------------- any inline content (property)


_words = st.text(alphabet=st.sampled_from(list("ab éß–“ ")), min_size=0, max_size=6)
_visible = _words.filter(lambda s: s.strip())


def _inline(depth: int):
    leaf = st.one_of(
        _words,
        st.builds(lambda t: E("code", t), _words),
        st.just("<br>"),
        st.just("<note>"),
    )
    if depth == 0:
        return st.lists(leaf, max_size=4)
    inner = _inline(depth - 1)
    wrapped = st.one_of(
        st.builds(lambda tag, kids: (tag, kids), st.sampled_from(["em", "strong", "sub", "sup"]), inner),
        st.builds(lambda t, kids: ("link", [t, *kids]), _visible, inner),
        st.builds(lambda t, kids: ("cite", [t, *kids]), _visible, inner),
    )
    return st.lists(st.one_of(leaf, wrapped), max_size=4)


def _build(parent, items, counter):
    for item in items:
        if item == "<br>":
            parent.append(E("br"))
        elif item == "<note>":
            counter[0] += 1
            n = counter[0]
            parent.append(E("note", E("p", f"note {n}", line=20 + n), id=f"n{n}", n=str(n), line=20 + n))
        elif isinstance(item, str):
            document.append(parent, item)
        elif isinstance(item, tuple):
            tag, kids = item
            attrs = {"href": "https://example.org/"} if tag == "link" else {"ref": "r1"} if tag == "cite" else {}
            el = E(tag, **attrs)
            _build(el, kids, counter)
            parent.append(el)
        else:
            parent.append(item)


def _expected_text(el) -> str:
    """Reading text of intermediate inline content: notes left out, a line break as a newline."""
    out = [el.text or ""]
    for child in el:
        if child.tag == q("br"):
            out.append("\n")
        elif child.tag != q("note"):
            out.append(_expected_text(child))
        out.append(child.tail or "")
    return "".join(out)


def _jats_text(el) -> str:
    """Reading text of JATS content: footnote calls left out, ``break`` as a newline."""
    out = [el.text or ""]
    for child in el:
        if child.tag == "break":
            out.append("\n")
        elif not (child.tag == "xref" and child.get("ref-type") == "fn"):
            out.append(_jats_text(child))
        out.append(child.tail or "")
    return "".join(out)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=_inline(2))
def test_any_inline_content_is_kept_valid_and_complete(items, dtds):
    para = E("p", line=3)
    counter = [0]
    _build(para, items, counter)
    refs = E("references", E("heading", "References"),
             E("ref", E("text", "Smith (2020)."), id="r1", type="other", line=9), line=8)
    doc = mini(E("p", "Lead.", line=2), para, refs=refs)
    data, tree, _ = write(doc)
    assert_clean(data, tree, dtds)
    assert " ".join(_expected_text(para).split()) == " ".join(
        "".join(_jats_text(p) for p in tree.findall("body/p")[1:]).split())
    assert len(tree.findall("back/fn-group/fn")) == counter[0]
    assert len(tree.xpath("//xref[@ref-type='fn']")) == counter[0]


# ---------------------------------------------------------------- golden


def test_complete_matches_golden(complete_intermediate, update_goldens):
    """The whole article, compared after C14N 2.0 (whitespace in mixed content kept)."""
    golden = FIXTURES / "intermediate" / "complete" / "complete.expected.jats.xml"
    data = jats.write(complete_intermediate, WriteOptions(outputs={"pdf": "complete.pdf", "epub": "complete.epub"}),
                      Collector())
    if update_goldens or not golden.exists():
        golden.write_bytes(data)
        if not update_goldens:
            pytest.fail(f"golden file was missing and has been written for review: {golden}")
    expected = golden.read_bytes()
    assert data.split(b"<article ")[0] == expected.split(b"<article ")[0]  # declaration and DOCTYPE
    assert etree.canonicalize(data.decode("utf-8")) == etree.canonicalize(expected.decode("utf-8"))


_ref_words = st.sampled_from(["Ali", "S.", "Khan", "M.", "&", "and", ",", "(2019)", "2019", "2019a", "Flows",
                              "fences", ".", "Water", "Policy", "10.1000/x.2019", "https://e.org/2019", " "])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    runs=st.lists(st.tuples(st.booleans(), st.lists(_ref_words, min_size=1, max_size=6).map(" ".join)),
                  min_size=1, max_size=4).filter(lambda runs: any(t.strip() for _, t in runs)),
    names=st.lists(st.tuples(st.sampled_from(["Ali", "Khan", "Smith"]), st.sampled_from(["S.", "M.", ""])),
                   max_size=3),
    year=st.sampled_from([None, "2019", "2019a", "2020"]),
    title=st.sampled_from([None, "Flows", "Water Policy", "Missing title"]),
    source=st.sampled_from([None, "Water Policy", "Policy"]),
    doi=st.sampled_from([None, "10.1000/x.2019", "10.1000/absent"]),
)
def test_reference_tagging_never_changes_the_printed_text(runs, names, year, title, source, doi, dtds):
    printed = [E("em", t) if italic else t for italic, t in runs]
    parsed = []
    if names:
        group = E("person-group")
        for family, given in names:
            group.append(E("name", E("given", given), E("family", family)) if given else
                         E("name", E("family", family)))
        parsed.append(group)
    parsed += [E(tag, value) for tag, value in (("year", year), ("title", title), ("source", source)) if value]
    doc = _ref_doc(printed, parsed, doi=doi)
    data, tree, _ = write(doc)
    assert_clean(data, tree, dtds)
    mc = tree.find("back/ref-list/ref/mixed-citation")
    expected = "".join(document.text_of(doc.find("p:references/p:ref/p:text")).split())
    got = "".join("".join(mc.itertext()).split())
    if doi and doi not in "".join(document.text_of(doc.find("p:references/p:ref/p:text")).split()):
        expected += doi  # the one addition: an identifier the printed text lacks
    assert got == expected
    # Tagged parts hold exactly what the intermediate parsed.
    for el, value in (("year", year), ("article-title", title), ("source", source)):
        for found in mc.iter(el):
            assert " ".join("".join(found.itertext()).split()) == value


# ---------------------------------------------------------------- the shipped DTDs


def test_the_package_ships_the_jats_dtds_and_their_catalog():
    from pubconv.writers.jats import dtd_catalog, dtd_for

    assert dtd_catalog().is_file() and dtd_catalog().parent == JATS_DTDS
    for tagset in (PUBLISHING, ARCHIVING):
        assert dtd_for(tagset.public_id).is_file(), tagset.public_id
    assert dtd_for("-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v9.9//EN") is None
    bad = (b'<?xml version="1.0"?>\n<!DOCTYPE article PUBLIC "' + PUBLISHING.public_id.encode() + b'" "x.dtd">\n'
           b'<article><no-such-element/></article>')
    assert dtd_errors(bad)


def test_jats_alone_refuses_a_missing_image_like_the_other_formats(tmp_path):
    import pubconv

    source = tmp_path / "m.md"
    source.write_text("---\ntitle: T\n---\n\nText.\n\n![A gauge](gauge.png)\n", encoding="utf-8")
    with pytest.raises(PubconvError) as info:
        pubconv.convert(source, to=["jats"], write=False)
    assert info.value.code == "missing-resource" and info.value.pos.line == 7


# ---------------------------------------------------------------- extracted headers (issue 13)


def test_source_affiliations_suffix_and_title_note_are_valid_jats(dtds, tmp_path):
    """The journal issue, numbered and unnumbered affiliations, a name suffix and a title note, DTD-valid."""
    src = (FIXTURES / "extracted" / "journal-doi" / "journal-doi.md").read_text(encoding="utf-8")
    src = src.replace("By Wei Li and William Smith", "By Wei Li<sup>a</sup> and William Smith III<sup>b</sup>\n\n"
                      "<sup>a</sup> Institute of Hydrology, Vienna, Austria\n\n<sup>b</sup> Danube Flood Forum, Budapest")
    src = src.replace("## SPECIAL COMMENTARY - Rivers without borders: sharing data on floods",
                      "## SPECIAL COMMENTARY - Rivers without borders<sup>1</sup>")
    src = src.replace("<sup>1</sup> In the floods", "<sup>1</sup> An earlier version was a talk.\n\n"
                      "<sup>2</sup> In the floods").replace("data that could warn of them often do.<sup>1</sup>",
                                                           "data that could warn of them often do.<sup>2</sup>")
    src = src.replace("for the servers.<sup>2</sup>", "for the servers.<sup>3</sup>").replace(
        "<sup>2</sup> The cost", "<sup>3</sup> The cost")
    (tmp_path / "j.md").write_text(src, encoding="utf-8")
    (tmp_path / "pubconv.toml").write_text('[publisher]\nname = "Danube Press"\nissn = "1234-5679"\n', encoding="utf-8")
    found = Collector()
    doc = read(tmp_path / "j.md", report=found)
    assert [d.code for d in found.items] == ["inferred-series"], [str(d) for d in found.items]
    data, tree, found = write(doc)
    assert tree.getroottree().docinfo.public_id == PUBLISHING.public_id, [str(d) for d in found]
    assert_clean(data, tree, dtds)
    assert dangling_rids(tree) == []
    am = tree.find("front/article-meta")
    assert tree.findtext("front/journal-meta/journal-title-group/journal-title") == "Journal of Water Affairs"
    assert (am.findtext("volume"), am.findtext("issue")) == ("52", "3")
    assert am.find("elocation-id") is None and am.find("fpage") is None
    assert [pd.get("date-type") for pd in am.findall("pub-date")] == ["pub", "collection"]
    assert am.find("pub-date[@date-type='collection']/season").text == "Autumn"
    names = [(c.findtext("name/surname"), c.findtext("name/suffix"), c.find("xref[@ref-type='aff']").get("rid"))
             for c in am.findall("contrib-group/contrib")]
    assert names == [("Li", None, "aff-1"), ("Smith", "III", "aff-2")]
    affs = [(a.findtext("label"), a.findtext("institution"), a.findtext("city"), a.findtext("country"))
            for a in am.findall("contrib-group/aff")]
    assert affs == [("a", "Institute of Hydrology", "Vienna", "Austria"), ("b", "Danube Flood Forum", "Budapest", None)]
    title = am.find("title-group/article-title")
    assert title.find("xref").get("rid") == "fn-1" and "[^" not in text(title)
    assert [fn.findtext("label") for fn in tree.findall("back/fn-group/fn")] == ["1", "2", "3"]
