"""The Crossref deposit writer (``--to crossref``): schema validity (Crossref 4.4.2, offline, from
``../shared/crossref``), the work types, the citation list, a deterministic head, and errors that name the
key to set."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from conftest import FIXTURES, SHARED
from pubconv import document
from pubconv.api import convert, read
from pubconv.document import E
from pubconv.errors import Collector, PubconvError
from pubconv.writers import WriteOptions, crossref

CROSSREF = SHARED / "crossref"
CR = {"c": crossref.CR, "jats": crossref.JATS, "ai": crossref.AI}
DEPOSITOR = {"depositor-name": "Example Press", "depositor-email": "doi@example.org", "registrant": "Example Press"}

TOML = """\
[publisher]
name = "{name}"
place = "Brussels"

[series.COMMENT]
title = "{title}"
issn = "2406-5617"

[document]
url = "https://publisher.example.org/comments/{{number}}/"
copyright-holder = "{name}"

[crossref]
depositor-name = "Example Press"
depositor-email = "doi@example.org"
registrant = "{name}"
"""


@pytest.fixture(scope="session")
def schema() -> Path:
    """The Crossref 4.4.2 schema with its offline catalog (tests only; not shipped)."""
    if not (CROSSREF / "crossref" / "crossref4.4.2.xsd").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"the Crossref schema is missing: {CROSSREF}")
        pytest.skip(f"the Crossref schema is missing: {CROSSREF}")
    return CROSSREF


#: A validator process: lxml with XML_CATALOG_FILES (libxml2 reads it once per process, so it gets its own),
#: compiling the schema once and validating each path it is sent; independent of the writer's own check.
_VALIDATOR = """
import sys
from lxml import etree
schema = etree.XMLSchema(etree.parse(sys.argv[1]))
for line in sys.stdin:
    ok = schema.validate(etree.parse(line.strip()))
    for e in ([] if ok else schema.error_log):
        print(f"{e.line}: {e.message}")
    print("\\0", flush=True)
"""


@pytest.fixture(scope="session")
def validator(schema):
    env = {**os.environ, "XML_CATALOG_FILES": str(schema / "catalog.xml")}
    proc = subprocess.Popen([sys.executable, "-c", _VALIDATOR, str(schema / "crossref" / "crossref4.4.2.xsd")],
                            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    yield proc
    proc.stdin.close()
    proc.wait(timeout=60)


@pytest.fixture
def schema_errors(validator, tmp_path):
    """``schema_errors(data)``: the schema's complaints about a deposit ([] when valid)."""
    counter = iter(range(1000))

    def check(data: bytes) -> list[str]:
        path = tmp_path / f"deposit-{next(counter)}.crossref.xml"
        path.write_bytes(data)
        validator.stdin.write(f"{path}\n")
        validator.stdin.flush()
        errors = []
        for line in validator.stdout:
            if line.startswith("\0"):
                return errors
            errors.append(line.rstrip())
        raise AssertionError("the schema validator stopped")

    return check


def _folder(tmp_path, source: Path, name="Example Press", title="EP Comment") -> Path:
    folder = tmp_path / "src"
    shutil.copytree(source.parent, folder, dirs_exist_ok=True)
    if not (folder / source.name).exists():
        shutil.copy(source, folder / source.name)
    (folder / "pubconv.toml").write_text(TOML.format(name=name, title=title), encoding="utf-8")
    return folder / source.name


def _deposit(path: Path) -> tuple[etree._Element, bytes, list]:
    result = convert(path, to="crossref", write=False)
    data = result.data["crossref"]
    return etree.fromstring(data), data, result.diagnostics


# ---------------------------------------------------------------- the seed and the sample


def test_seed_deposit_is_valid_and_cites_in_structure(seed_path, schema, tmp_path, schema_errors):
    folder = tmp_path / "seed"
    folder.mkdir()
    shutil.copy(seed_path, folder / "c207.txt")
    (folder / "pubconv.toml").write_text(TOML.format(name="South Asia Democratic Forum", title="SADF Comment"),
                                         encoding="utf-8")
    root, data, _ = _deposit(folder / "c207.txt")
    assert schema_errors(data) == []
    md = root.find("c:body/c:report-paper/c:report-paper_series_metadata", CR)
    assert md is not None  # a commentary in a numbered series
    assert md.findtext("c:series_metadata/c:titles/c:title", namespaces=CR) == "SADF Comment"
    assert md.findtext("c:series_metadata/c:issn", namespaces=CR) == "2406-5617"
    assert md.findtext("c:publisher_item/c:item_number", namespaces=CR) == "207"
    assert md.findtext("c:doi_data/c:doi", namespaces=CR) == "10.48251/SADF.ISSN.2406-5617.C207"
    assert md.findtext("c:doi_data/c:resource", namespaces=CR) == "https://publisher.example.org/comments/207/"
    assert md.findtext("c:contributors/c:person_name/c:surname", namespaces=CR) == "Wolf"
    citations = md.findall("c:citation_list/c:citation", CR)
    assert len(citations) == 24
    assert all(c.findtext("c:unstructured_citation", namespaces=CR) for c in citations)
    structured = [c for c in citations if c.find("c:author", CR) is not None and c.find("c:cYear", CR) is not None
                  and (c.find("c:article_title", CR) is not None or c.find("c:volume_title", CR) is not None)]
    assert len(structured) >= 20


def test_sample_deposit_is_valid(schema, tmp_path, schema_errors):
    path = _folder(tmp_path, FIXTURES / "sample" / "comment-118.md", name="Centre for Regional Policy Studies",
                   title="CRPS Comment")
    root, data, found = _deposit(path)
    assert schema_errors(data) == []
    md = root.find("c:body/c:report-paper/c:report-paper_series_metadata", CR)
    person = md.find("c:contributors/c:person_name", CR)
    assert person.get("sequence") == "first" and person.get("contributor_role") == "author"
    assert person.findtext("c:ORCID", namespaces=CR) == "https://orcid.org/0000-0002-1825-0097"
    assert person.findtext("c:affiliation", namespaces=CR) == "Centre for Regional Policy Studies, Vienna"
    assert md.findtext("c:publication_date/c:year", namespaces=CR) == "2022"
    # 4.4.2 has no licence slot in report-paper_series_metadata: left out, and said.
    assert md.find("ai:program", CR) is None and "crossref-license" in [d.code for d in found]
    journal = [c for c in md.iterfind("c:citation_list/c:citation", CR) if c.find("c:journal_title", CR) is not None
               and c.find("c:volume", CR) is not None]
    assert journal and journal[0].findtext("c:first_page", namespaces=CR) == "41"
    dois = [c.findtext("c:doi", namespaces=CR) for c in md.iterfind("c:citation_list/c:citation", CR)]
    assert "10.5555/jhp.2019.11.3.41" in dois


# ---------------------------------------------------------------- the kinds of work


def _doc(*meta, source=None):
    root = document.new_document("en", src_file="w.md", form="authoring")
    m = E("meta", E("title", "A title", line=1), E("date", iso="2020-05-01", line=2), *meta,
          E("url", "https://example.org/w"), line=1)
    root.append(m)
    root.append(E("body", E("p", "x", line=3)))
    doc = document.Document(root, "w.md")
    document.validate(doc)
    if source is not None:  # a journal, volume and issue (the reader's meta/source, when it gives one)
        m.append(source)
    return doc


def _write(doc, **settings):
    found = Collector()
    data = crossref.write(doc, WriteOptions(crossref={**DEPOSITOR, **settings}), found)
    return etree.fromstring(data), data, found.items


def test_without_series_issn_a_report_paper_with_its_licence(schema, tmp_path, schema_errors):
    lic = "https://creativecommons.org/licenses/by/4.0/"
    root, data, found = _write(_doc(E("doi", "10.5555/x.1"), E("license", "CC BY 4.0", href=lic)))
    assert schema_errors(data) == [] and found == []
    md = root.find("c:body/c:report-paper/c:report-paper_metadata", CR)
    assert md.findtext("ai:program/ai:license_ref", namespaces=CR) == lic


def test_with_journal_volume_issue_a_journal_article(schema, tmp_path, schema_errors):
    source = E("source", E("journal", "Water Review"), E("volume", "4"), E("issue", "2"), E("fpage", "11"),
               E("lpage", "19"))
    doc = _doc(E("doi", "10.5555/x.2"), E("issn", "2406-5617", format="electronic"),
               E("license", "CC BY 4.0", href="https://creativecommons.org/licenses/by/4.0/"), source=source)
    root, data, _ = _write(doc)
    assert schema_errors(data) == []
    journal = root.find("c:body/c:journal", CR)
    assert journal.findtext("c:journal_metadata/c:full_title", namespaces=CR) == "Water Review"
    assert journal.findtext("c:journal_issue/c:journal_volume/c:volume", namespaces=CR) == "4"
    assert journal.findtext("c:journal_issue/c:issue", namespaces=CR) == "2"
    art = journal.find("c:journal_article", CR)
    assert art.findtext("c:pages/c:first_page", namespaces=CR) == "11"
    assert art.find("ai:program", CR) is not None


# ---------------------------------------------------------------- head, errors


def test_head_is_deterministic_and_follows_source_date_epoch(monkeypatch):
    doc = _doc(E("doi", "10.5555/x.3"))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    a, data_a, _ = _write(doc)
    _, data_b, _ = _write(doc)
    assert data_a == data_b
    assert a.findtext("c:head/c:timestamp", namespaces=CR) == "20200501000000"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    c, _, _ = _write(doc)
    assert c.findtext("c:head/c:timestamp", namespaces=CR) == "20231114221320"
    assert c.findtext("c:head/c:doi_batch_id", namespaces=CR) != a.findtext("c:head/c:doi_batch_id", namespaces=CR)
    assert len(c.findtext("c:head/c:doi_batch_id", namespaces=CR)) <= 100


@pytest.mark.parametrize("missing, key", [("url", "'url' under [document]"), ("depositor-name", "'depositor-name'"),
                                          ("depositor-email", "'depositor-email'"), ("doi", "'doi:'")])
def test_what_is_missing_is_named(missing, key):
    doc = _doc(E("doi", "10.5555/x.4"))
    if missing in ("url", "doi"):
        meta = doc.find("p:meta")
        meta.remove(doc.find(f"p:meta/p:{missing}"))
    settings = {missing: ""} if missing.startswith("depositor") else {}
    with pytest.raises(PubconvError) as exc:
        _write(doc, **settings)
    assert key in str(exc.value) and exc.value.pos is not None


def test_cli_names_the_missing_key(tmp_path, capsys):
    from pubconv.cli import main

    (tmp_path / "a.md").write_text("---\ntitle: T\ndate: 2020-01-01\ndoi: 10.5555/x.5\n---\n\nX.\n", encoding="utf-8")
    (tmp_path / "pubconv.toml").write_text('[document]\nurl = "https://x.example/{stem}/"\n', encoding="utf-8")
    assert main(["convert", str(tmp_path / "a.md"), "--to", "crossref", "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "a.md" in err and "'depositor-name' under [crossref]" in err and "[crossref-no-depositor]" in err
    assert not (tmp_path / "out" / "a.crossref.xml").exists()


def test_schema_failure_is_an_error_at_the_output_line(schema, schema_errors):
    doc = _doc(E("doi", "10.5555/x.6"))
    _, data, _ = _write(doc)
    bad = data.replace(b"<registrant>", b"<bogus/><registrant>", 1)
    line = bad[: bad.index(b"<bogus/>")].count(b"\n") + 1
    with pytest.raises(PubconvError) as exc:
        crossref.check_schema(bad, str(schema), None)
    assert exc.value.code == "crossref-invalid" and exc.value.pos.line == line
    crossref.check_schema(data, str(schema), None)  # the good one passes
    assert schema_errors(bad) and schema_errors(data) == []  # and the tests' own validator is not vacuous


def test_read_applies_the_crossref_table_only_to_the_writer(tmp_path):
    path = _folder(tmp_path, FIXTURES / "sample" / "comment-118.md")
    assert read(path).find("p:meta/p:url").text == "https://publisher.example.org/comments/118/"


def test_abstract_goes_as_jats_abstract(schema, tmp_path, schema_errors):
    doc = _doc(E("doi", "10.5555/x.7"), E("abstract", E("p", "First ", E("em", "point"), "."), E("p", "Second.")))
    root, data, _ = _write(doc)
    assert schema_errors(data) == []
    paras = root.findall("c:body/c:report-paper/c:report-paper_metadata/jats:abstract/jats:p", CR)
    assert [p.text for p in paras] == ["First point.", "Second."]


def test_a_configured_schema_validates_every_deposit(schema, tmp_path, monkeypatch):
    path = _folder(tmp_path, FIXTURES / "sample" / "comment-118.md")
    toml = path.parent / "pubconv.toml"
    rel = os.path.relpath(schema, path.parent)
    toml.write_text(toml.read_text(encoding="utf-8") + f'schema = "{rel}"\n', encoding="utf-8")
    seen = []
    real = crossref.schema_errors
    monkeypatch.setattr(crossref, "schema_errors", lambda data, folder: seen.append(folder) or real(data, folder))
    convert(path, to="crossref", write=False)
    assert seen == [schema / "crossref"]


# ---------------------------------------------------------------- funding (front matter funding:)


FUNDED = """---
title: "Low water"
date: 2022-10-12
doi: 10.5555/x.9
url: https://example.org/x9
title-translations:
  de: {title: "Niedrigwasser", subtitle: "Ein Plan für die Schifffahrt", abstract: "Die Donau *fiel*."}
  fr: "Étiage"
funding:
  - funder: European Commission
    funder-id: https://doi.org/10.13039/501100000780
    award: "101003590"
  - Austrian Science Fund
funding-statement: "Funded by the European Commission (grant 101003590) and the Austrian Science Fund."
abstract: "The Danube fell."
---

Text.
"""


def test_funding_and_translations_in_the_intermediate_jats_and_crossref(schema, tmp_path, schema_errors):
    import jats_validate

    src = tmp_path / "f.md"
    src.write_text(FUNDED, encoding="utf-8")
    result = convert(src, to=["xml", "jats", "crossref"], write=False, options={"crossref": DEPOSITOR})
    doc = document.parse(result.data["xml"], str(src), tmp_path)
    awards = doc.xpath("p:meta/p:funding/p:award")
    assert [(a.findtext("p:funder", namespaces=document.XPATH_NS), a.findtext("p:funder-id", namespaces=document.XPATH_NS),
             a.findtext("p:award-id", namespaces=document.XPATH_NS)) for a in awards] == [
        ("European Commission", "10.13039/501100000780", "101003590"), ("Austrian Science Fund", None, None)]
    jats = result.data["jats"]
    assert jats_validate.dtd_errors(jats, Path(jats_validate.__file__).resolve().parents[1] / "src" / "pubconv"
                                    / "schema" / "jats") == []
    root = jats_validate.parse(jats)
    assert root.xpath("//trans-title-group/@xml:lang") == ["de", "fr"]
    assert root.xpath("//trans-title-group[@xml:lang='de']/trans-subtitle/text()") == ["Ein Plan für die Schifffahrt"]
    assert root.xpath("//trans-abstract/@xml:lang") == ["de"] and root.xpath("//trans-abstract//italic/text()") == ["fiel"]
    groups = root.xpath("//funding-group/award-group")
    assert [g.findtext("funding-source/institution-wrap/institution") for g in groups] == [
        "European Commission", "Austrian Science Fund"]
    assert root.xpath("//institution-id[@institution-id-type='doi']/text()") == ["10.13039/501100000780"]
    assert root.xpath("//award-group/award-id/text()") == ["101003590"]
    assert root.xpath("//funding-statement/text()")[0].startswith("Funded by the European Commission")
    data = result.data["crossref"]
    assert schema_errors(data) == []
    cr = etree.fromstring(data)
    fr = {"fr": "http://www.crossref.org/fundref.xsd"}
    assert cr.xpath("//fr:assertion[@name='funder_name']/text()", namespaces=fr) == [
        "European Commission", "Austrian Science Fund"]
    assert cr.xpath("//fr:assertion[@name='funder_identifier']/text()", namespaces=fr) == [
        "https://doi.org/10.13039/501100000780"]
    assert cr.xpath("//fr:assertion[@name='award_number']/text()", namespaces=fr) == ["101003590"]


@pytest.mark.parametrize("front, words", [
    ("funding: [{funder: X, funder-id: 10.1234/not-fundref}]", "Open Funder Registry"),
    ("funding: [{award: '12'}]", "funder"),
    ("title-translations: {Deutsch: Titel}", "language tag"),
    ("title-translations: [Titel]", "map languages"),
])
def test_bad_funding_or_translations_name_the_key(front, words, tmp_path):
    src = tmp_path / "b.md"
    src.write_text(f"---\ntitle: T\n{front}\n---\n\nText.\n", encoding="utf-8")
    with pytest.raises(PubconvError) as info:
        read(src)
    assert info.value.code == "bad-front-matter" and words in str(info.value) and info.value.pos.line == 3
