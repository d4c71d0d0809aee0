"""Deposit-grade JATS: JATS4R's permissions, citations and accessible-links recommendations
(``tests/jats4r_rules.py``), the PMC Style Checker rules and the DTD, on the complete intermediate, the seed,
the sample and every source fixture, each with a publisher configuration that gives a landing page and a
copyright holder.  The rules are shown not to be vacuous by breaking an article on purpose."""
from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import pytest
from lxml import etree

import jats4r_rules
from conftest import FIXTURES, JATS_DTDS
from jats_validate import dtd_errors, pmc_style_errors
from pubconv import document
from pubconv.api import read
from pubconv.document import E
from pubconv.errors import Collector, PubconvError
from pubconv.writers import WriteOptions, jats
from pubconv.writers.jats import validate

XLINK = jats4r_rules.XLINK
TITLE = f"{{{XLINK}}}title"

DEPOSIT_TOML = """\
[publisher]
name = "{name}"
place = "Brussels"
url = "https://publisher.example.org/"

[series.{label}]
title = "{title}"
issn = "2406-5617"

[document]
url = "https://publisher.example.org/{template}/"
copyright-holder = "{name}"
"""


def _write(doc, **options):
    found = Collector()
    data = jats.write(doc, WriteOptions(**options), found)
    return data, etree.fromstring(data.split(b"\n", 2)[2]), found.items


@pytest.fixture(scope="session")
def dtds() -> Path:
    if not (JATS_DTDS / "catalog.xml").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"the JATS 1.3 DTDs are missing: {JATS_DTDS}")
        pytest.skip(f"the JATS 1.3 DTDs are missing: {JATS_DTDS}")
    return JATS_DTDS


def _configured(tmp_path, source, name="Example Policy Institute", label="COMMENT", title="EPI Comment"):
    """Read a copy of ``source`` (with its folder) under a configuration that gives a landing page and holder."""
    folder = tmp_path / "src"
    shutil.copytree(source.parent, folder)
    (folder / "pubconv.toml").write_text(DEPOSIT_TOML.format(name=name, label=label, title=title, template="{stem}"),
                                         encoding="utf-8")
    return read(folder / source.name)


# ---------------------------------------------------------------- the seed and the sample


def test_seed_is_deposit_grade(seed_path, tmp_path, dtds):
    folder = tmp_path / "seed"
    folder.mkdir()
    shutil.copy(seed_path, folder / "c207.txt")
    (folder / "pubconv.toml").write_text(DEPOSIT_TOML.format(
        name="South Asia Democratic Forum", label="COMMENT", title="SADF Comment", template="{series}/{number}"),
        encoding="utf-8")
    doc = read(folder / "c207.txt")
    data, tree, found = _write(doc, outputs={"pdf": "c207.pdf", "epub": "c207.epub"})
    assert dtd_errors(data, dtds) == []
    assert pmc_style_errors(tree) == []
    assert jats4r_rules.all_rules(tree) == []
    am = tree.find("front/article-meta")
    uris = am.findall("self-uri")
    assert uris[0].get(f"{{{XLINK}}}href") == "https://publisher.example.org/COMMENT/207/"  # the landing page first
    assert [u.get("content-type") for u in uris[1:]] == ["pdf", "epub"]
    assert am.findtext("permissions/copyright-holder") == "South Asia Democratic Forum"
    assert am.findtext("permissions/copyright-year") == "2021"
    assert am.find("permissions/license") is None  # no licence is claimed that nobody gave
    assert tree.findtext("front/journal-meta/journal-id") == "sadf-comment"
    assert am.findtext("article-categories/series-title") == "SADF Comment"
    # The references are tagged in place: at least 20 of the 24 with an author, a year and a title.
    refs = tree.findall("back/ref-list/ref/mixed-citation")
    assert len(refs) == 24
    full = [r for r in refs if r.find("person-group") is not None and r.find("year") is not None
            and (r.find("article-title") is not None or r.find("source") is not None)]
    assert len(full) >= 20, [etree.tostring(r, encoding=str) for r in refs if r not in full]
    types = {r.get("publication-type") for r in refs}
    assert {"newspaper", "book", "report", "webpage"} <= types
    # Copyright without a licence is "all rights reserved": complete permissions, nothing to warn about.
    assert "jats-no-license" not in [d.code for d in found]


def test_sample_is_deposit_grade(tmp_path, dtds):
    doc = _configured(tmp_path, FIXTURES / "sample" / "comment-118.md", name="Centre for Regional Policy Studies",
                      title="CRPS Comment")
    data, tree, found = _write(doc, outputs={"pdf": "comment-118.pdf"})
    assert dtd_errors(data, dtds) == []
    assert pmc_style_errors(tree) == []
    assert jats4r_rules.all_rules(tree) == []
    assert found == []
    lic = tree.find("front/article-meta/permissions/license")
    assert lic.get("license-type") == "open-access"
    journal = [r for r in tree.iterfind("back/ref-list/ref/mixed-citation") if r.get("publication-type") == "journal"]
    assert journal and all(r.find(t) is not None for r in journal for t in ("volume", "issue", "fpage", "lpage"))


def _sources():
    sources = [p for p in FIXTURES.glob("**/*.md") if p.name != "README.md" and "bad" not in p.parts]
    return sorted(sources)


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_fixture_meets_the_recommendations(path, tmp_path, dtds):
    doc = _configured(tmp_path, path)
    data, tree, found = _write(doc)
    assert dtd_errors(data, dtds) == []
    assert jats4r_rules.citations(tree) + jats4r_rules.accessible_links(tree) == []
    if doc.find("p:meta/p:date") is None and doc.find("p:meta/p:license") is None:
        # No year to state a copyright with and no licence: nothing is invented, and the writer says so.
        assert jats4r_rules.permissions(tree) == ["permissions: article-meta has no permissions"]
        codes = [d.code for d in found]
        assert "jats-no-license" in codes or "jats-archiving" in codes  # (Archiving has no style warnings)
    else:
        assert jats4r_rules.permissions(tree) == []


def test_complete_intermediate_meets_the_recommendations(complete_intermediate):
    _, tree, _ = _write(complete_intermediate, outputs={"pdf": "c.pdf"})
    assert jats4r_rules.all_rules(tree) == []


# ---------------------------------------------------------------- what the writer chooses


def _mini(*meta, refs=None):
    root = document.new_document("en", src_file="mini.md", form="authoring")
    root.append(E("meta", E("title", "A title", line=1), E("date", iso="2020-05-01", line=2), *meta, line=1))
    root.append(E("body", E("p", "See ", E("link", "https://example.org/x", href="https://example.org/x"), ".",
                            line=3)))
    if refs is not None:
        root.append(refs)
    doc = document.Document(root, "mini.md")
    document.validate(doc)
    return doc


def test_all_rights_reserved_without_a_licence():
    doc = _mini(E("publisher", E("name", "Press")),
                E("copyright", E("statement", "© 2020 Press. All rights reserved.")))
    _, tree, _ = _write(doc)
    perms = tree.find("front/article-meta/permissions")
    assert [c.tag for c in perms] == ["copyright-statement", "copyright-year", "copyright-holder"]
    assert perms.findtext("copyright-statement") == "© 2020 Press. All rights reserved."
    assert jats4r_rules.permissions(tree) == []


def test_a_licence_url_without_a_name_still_reads():
    doc = _mini(E("license", "https://creativecommons.org/licenses/by-nc/4.0/",
                  href="https://creativecommons.org/licenses/by-nc/4.0/"))
    _, tree, _ = _write(doc)
    lic = tree.find("front/article-meta/permissions/license")
    assert "".join(lic.find("license-p").itertext()).startswith("This article is licensed under")
    assert jats4r_rules.permissions(tree) == []


def test_bare_links_get_a_title_and_others_keep_theirs():
    doc = _mini()
    _, tree, _ = _write(doc)
    link = tree.find("body/p/ext-link")
    assert link.get(TITLE) == "Link to example.org"
    assert jats4r_rules.accessible_links(tree) == []


def test_landing_url_template_needs_what_it_names(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "a.md").write_text("---\ntitle: T\n---\n\nText.\n", encoding="utf-8")
    (folder / "pubconv.toml").write_text('[document]\nurl = "https://x.example/{number}/"\n', encoding="utf-8")
    with pytest.raises(PubconvError) as exc:
        read(folder / "a.md")
    assert exc.value.code == "bad-config" and "{number}" in str(exc.value) and exc.value.pos.line == 2
    (folder / "pubconv.toml").write_text('[document]\nurl = "https://x.example/{nope}/"\n', encoding="utf-8")
    with pytest.raises(PubconvError, match="known placeholders"):
        read(folder / "a.md")


def test_front_matter_wins_over_the_configuration(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "a.md").write_text("---\ntitle: T\nurl: https://own.example/a\ncopyright-holder: The Author\n---\n\nX.\n",
                                 encoding="utf-8")
    (folder / "pubconv.toml").write_text('[document]\nurl = "https://x.example/{stem}/"\ncopyright-holder = "P"\n',
                                         encoding="utf-8")
    doc = read(folder / "a.md")
    assert doc.find("p:meta/p:url").text == "https://own.example/a"
    assert doc.find("p:meta/p:copyright/p:holder").text == "The Author"


def test_invalid_jats_is_an_error_at_the_output_line(complete_intermediate):
    data, _, _ = _write(complete_intermediate)
    bad = data.replace(b"<elocation-id>", b"<bogus/><elocation-id>", 1)
    line = bad[: bad.index(b"<article-meta>")].count(b"\n") + 1  # libxml2 names the element whose content is wrong
    with pytest.raises(PubconvError) as exc:
        validate.check_jats(bad, complete_intermediate.pos(complete_intermediate.root))
    assert exc.value.code == "jats-invalid" and exc.value.pos.line == line and "bogus" in str(exc.value)


# ---------------------------------------------------------------- the rules fire


def test_the_rules_catch_what_jats4r_rejects(complete_intermediate):
    _, tree, _ = _write(complete_intermediate, outputs={"pdf": "c.pdf"})
    broken = copy.deepcopy(tree)
    perms = broken.find("front/article-meta/permissions")
    perms.remove(perms.find("copyright-year"))
    lic = perms.find("license")
    lic.set(f"{{{XLINK}}}href", "https://creativecommons.org/licenses/by/4.0")
    cit = broken.find("back/ref-list/ref/mixed-citation")
    cit.set("publication-type", "blog")
    cit.find("person-group").attrib.pop("person-group-type")
    broken.find("front/article-meta/self-uri").attrib.pop(TITLE)
    found = jats4r_rules.all_rules(broken)
    for expected in ("permissions: copyright without copyright-year",
                     "permissions: license xlink:href and ali:license_ref differ",
                     "citations: publication-type 'blog' is not a JATS4R value",
                     "citations: person-group without person-group-type",
                     "accessible links: <self-uri> 'c.pdf' shows its URL and has no xlink:title"):
        assert expected in found, found
    assert jats4r_rules.all_rules(tree) == []


def test_all_rights_reserved_named_as_a_licence_is_not_one():
    doc = _mini(E("publisher", E("name", "Press")), E("license", "All rights reserved"))
    _, tree, _ = _write(doc)
    perms = tree.find("front/article-meta/permissions")
    assert perms.find("license") is None
    assert perms.findtext("copyright-statement") == "© 2020 Press. All rights reserved"
    assert jats4r_rules.permissions(tree) == []
