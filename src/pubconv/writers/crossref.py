"""The Crossref deposit writer: ``<stem>.crossref.xml``, a Crossref deposit (schema 4.4.2).

``write(doc, options, report) -> bytes`` returns one ``doi_batch`` registering the
document's DOI:

* a piece in a numbered series is a ``report-paper`` with
  ``report-paper_series_metadata`` (the series' title and ISSNs in
  ``series_metadata``, the number as ``publisher_item/item_number``);
* a piece with a journal, volume or issue (``meta/source``, when a reader gives
  one) is a ``journal_article`` in a ``journal`` with its ``journal_issue``;
* anything else is a ``report-paper`` with ``report-paper_metadata``.

Each carries contributors (with ORCID and affiliations), titles, the abstract as
``jats:abstract``, the publication date, the publisher, the licence as
``ai:program`` where the schema has room for it, ``doi_data`` (the DOI and the
landing page, ``meta/url``) and a ``citation_list``: every reference with the
fields its entry was tagged with (first author, year, titles, volume, issue,
first page, DOI) and always its printed text as ``unstructured_citation``.

The head is deterministic: ``timestamp`` is ``SOURCE_DATE_EPOCH`` when set, else
the document's date, as ``YYYYMMDDhhmmss``; ``doi_batch_id`` is derived from the
DOI and the timestamp.  Crossref ignores a deposit whose timestamp is not newer
than the last one for the DOI, so a corrected re-deposit needs a later
``SOURCE_DATE_EPOCH``.  Depositor and registrant come from ``[crossref]`` in
``pubconv.toml``; a missing DOI, landing URL or depositor is an error that names
the key to set.

When the Crossref schema is at hand (``[crossref] schema`` or the
``PUBCONV_CROSSREF_SCHEMA`` environment variable: a folder with
``crossref4.4.2.xsd``, or its ``catalog.xml``), the output is validated against
it, offline, and a failure is an error with the output's line.  The schema is
not shipped with pubconv.
"""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from lxml import etree

from ..document import Document, affiliations_of, indent, local, q, safe_parser, text_of
from ..epoch import source_date_epoch
from ..errors import PubconvError, Report, SourcePos, warn
from . import WriteOptions

CR = "http://www.crossref.org/schema/4.4.2"
JATS = "http://www.ncbi.nlm.nih.gov/JATS1"
AI = "http://www.crossref.org/AccessIndicators.xsd"
FR = "http://www.crossref.org/fundref.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {None: CR, "jats": JATS, "ai": AI, "fr": FR, "xsi": XSI}
SCHEMA_LOCATION = f"{CR} https://www.crossref.org/schemas/crossref4.4.2.xsd"

#: Elements that hold only elements: indented on output.
ELEMENT_ONLY = frozenset(
    [f"{{{CR}}}{t}" for t in (
        "doi_batch head depositor body report-paper report-paper_series_metadata report-paper_metadata "
        "series_metadata contributors person_name titles publication_date publisher publisher_item doi_data "
        "citation_list citation journal journal_metadata journal_issue journal_volume journal_article pages").split()]
    + [f"{{{JATS}}}abstract", f"{{{AI}}}program", f"{{{FR}}}program"])

#: Crossref 4.4.2's ``language`` attribute values (ISO 639-1, as its schema lists them).
LANGUAGES = frozenset(
    "en fr de es it pt nl sv da no fi is ga cy ru pl cs sk sl hr sr bg uk el tr ar he fa ur hi bn ta te zh ja ko "
    "id ms th vi la ca eu gl et lv lt hu ro mk sq af sw".split())


def _el(parent, tag: str, text: str | None = None, **attrs) -> etree._Element:
    el = etree.SubElement(parent, tag if tag.startswith("{") else f"{{{CR}}}{tag}")
    for key, value in attrs.items():  # Crossref's attribute names are Python names (media_type, ...)
        if value is not None:
            el.set(key, str(value))
    if text is not None:
        el.text = text
    return el


def _plain(el) -> str:
    return " ".join(text_of(el).split()) if el is not None else ""


def write(doc: Document, options: WriteOptions, report: Report) -> bytes:
    """The deposit as UTF-8 bytes (see the module docstring)."""
    settings = dict(options.crossref or {})
    meta = doc.find("p:meta")
    meta_pos = doc.pos(meta)
    doi = _plain(doc.find("p:meta/p:doi"))
    if not doi:
        raise PubconvError("a Crossref deposit needs the document's DOI: add 'doi:' to the front matter",
                           meta_pos, "crossref-no-doi")
    url = _plain(doc.find("p:meta/p:url"))
    if not url:
        raise PubconvError("a Crossref deposit needs the landing page: set 'url' under [document] in pubconv.toml "
                           "(a template such as \"https://example.org/comments/{number}/\") or 'url:' in the "
                           "front matter", meta_pos, "crossref-no-url")
    for key in ("depositor-name", "depositor-email"):
        if not (settings.get(key) or "").strip():
            raise PubconvError(f"a Crossref deposit needs '{key}' under [crossref] in pubconv.toml", meta_pos,
                               "crossref-no-depositor")
    registrant = (settings.get("registrant") or "").strip() or _plain(doc.find("p:meta/p:publisher/p:name"))
    if not registrant:
        raise PubconvError("a Crossref deposit needs 'registrant' under [crossref] in pubconv.toml (or a publisher "
                           "name)", meta_pos, "crossref-no-registrant")

    stamp = timestamp(doc)
    root = etree.Element(f"{{{CR}}}doi_batch", nsmap=NSMAP)
    root.set("version", "4.4.2")
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    head = _el(root, "head")
    _el(head, "doi_batch_id", batch_id(doi, stamp))
    _el(head, "timestamp", stamp)
    dep = _el(head, "depositor")
    _el(dep, "depositor_name", settings["depositor-name"].strip())
    _el(dep, "email_address", settings["depositor-email"].strip())
    _el(head, "registrant", registrant)
    body = _el(root, "body")

    source = doc.find("p:meta/p:source")
    if source is not None and _source_part(source, "journal", "title") and \
            (_source_part(source, "volume") or _source_part(source, "issue")):
        _journal_article(body, doc, source, doi, url, report)
    else:
        _report_paper(body, doc, doi, url, report)

    indent(root, ELEMENT_ONLY)
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8") + b"\n"
    check_schema(data, settings.get("schema"), meta_pos)
    return data


# ---------------------------------------------------------------- head


def timestamp(doc: Document) -> str:
    """``YYYYMMDDhhmmss`` from ``SOURCE_DATE_EPOCH``, else the document's date (at midnight UTC)."""
    built = source_date_epoch(pos=SourcePos(doc.path))
    if built is not None:
        return built.strftime("%Y%m%d%H%M%S")
    date = doc.find("p:meta/p:date")
    if date is None:
        raise PubconvError("a Crossref deposit needs a date: add 'date:' to the front matter (or set "
                           "SOURCE_DATE_EPOCH)", doc.pos(doc.find("p:meta")), "crossref-no-date")
    parts = (date.get("iso").split("-") + ["01", "01"])[:3]
    return "".join(parts) + "000000"


def batch_id(doi: str, stamp: str) -> str:
    """A batch id that names the DOI and the timestamp (at most 100 characters, as the schema allows)."""
    digest = hashlib.sha256(f"{doi}\0{stamp}".encode()).hexdigest()[:12]
    safe = "".join(ch if ch.isalnum() or ch in ".-_" else "-" for ch in doi.split("/", 1)[-1])
    return f"pubconv-{safe[:60]}-{stamp}-{digest}"


# ---------------------------------------------------------------- the work


def _report_paper(body, doc: Document, doi: str, url: str, report: Report) -> None:
    rp = _el(body, "report-paper")
    series = doc.find("p:meta/p:series")
    series_title = _plain(series.find(q("title"))) if series is not None else ""
    issns = doc.xpath("p:meta/p:issn")
    lang = _language(doc)
    if series_title and issns:
        md = _el(rp, "report-paper_series_metadata", language=lang)
        sm = _el(md, "series_metadata")
        titles = _el(sm, "titles")
        _el(titles, "title", series_title)
        for issn in issns:
            _el(sm, "issn", issn.text.strip(), media_type="electronic" if issn.get("format") == "electronic"
                else "print")
        _contributors(md, doc)
        _titles(md, doc)
        _abstract(md, doc)
        _publication_date(md, doc)
        _publisher(md, doc)
        _item_number(md, series)
        if doc.find("p:meta/p:funding/p:award") is not None:
            warn(report, "crossref-funding",
                 "Crossref schema 4.4.2 has no place for funder data on a report in a series; the deposit "
                 "leaves it out (the JATS has it)", doc.pos(doc.find("p:meta/p:funding")))
        if doc.find("p:meta/p:license") is not None:
            # 4.4.2 has no licence in report-paper_series_metadata (5.x has); say so rather than misplace it.
            warn(report, "crossref-license",
                 "Crossref schema 4.4.2 has no place for a licence on a report in a series; the deposit "
                 "leaves it out (the JATS has it)", doc.pos(doc.find("p:meta")))
        _doi_data(md, doi, url)
        _citations(md, doc)
    else:
        md = _el(rp, "report-paper_metadata", language=lang)
        _contributors(md, doc)
        _titles(md, doc)
        _abstract(md, doc)
        _publication_date(md, doc)
        _publisher(md, doc)
        _item_number(md, series)
        _funding(md, doc)
        _license(md, doc)
        _doi_data(md, doi, url)
        _citations(md, doc)


def _journal_article(body, doc: Document, source, doi: str, url: str, report: Report) -> None:
    journal = _el(body, "journal")
    jm = _el(journal, "journal_metadata", language=_language(doc))
    _el(jm, "full_title", _source_part(source, "journal", "title"))
    for issn in doc.xpath("p:meta/p:issn"):
        _el(jm, "issn", issn.text.strip(), media_type="electronic" if issn.get("format") == "electronic"
            else "print")
    ji = _el(journal, "journal_issue")
    _publication_date(ji, doc)
    volume = _source_part(source, "volume")
    if volume:
        _el(_el(ji, "journal_volume"), "volume", volume)
    issue = _source_part(source, "issue")
    if issue:
        _el(ji, "issue", issue)
    art = _el(journal, "journal_article", publication_type="full_text")
    _titles(art, doc)
    _contributors(art, doc)
    _abstract(art, doc)
    _publication_date(art, doc)
    fpage = _source_part(source, "fpage", "first-page")
    if fpage:
        pages = _el(art, "pages")
        _el(pages, "first_page", fpage)
        lpage = _source_part(source, "lpage", "last-page")
        if lpage:
            _el(pages, "last_page", lpage)
    _funding(art, doc)
    _license(art, doc)
    _doi_data(art, doi, url)
    _citations(art, doc)


def _source_part(source, *names: str) -> str:
    """The text of the first child of ``meta/source`` with one of ``names``."""
    for name in names:
        found = source.find(q(name))
        if found is not None and _plain(found):
            return _plain(found)
    return ""


def _language(doc: Document) -> str | None:
    lang = doc.lang.split("-")[0].lower()
    return lang if lang in LANGUAGES else None


def _contributors(parent, doc: Document) -> None:
    authors = doc.xpath("p:meta/p:authors/p:author")
    if not authors:
        return
    group = _el(parent, "contributors")
    for i, author in enumerate(authors):
        person = _el(group, "person_name", sequence="first" if i == 0 else "additional", contributor_role="author")
        given = _plain(author.find(f"{q('name')}/{q('given')}"))
        if given:
            _el(person, "given_name", given)
        _el(person, "surname", _plain(author.find(f"{q('name')}/{q('family')}")))
        for aff in affiliations_of(author)[:5]:
            _el(person, "affiliation", aff)
        orcid = author.find(q("orcid"))
        if orcid is not None:
            _el(person, "ORCID", f"https://orcid.org/{orcid.text.strip()}")


def _titles(parent, doc: Document) -> None:
    titles = _el(parent, "titles")
    _el(titles, "title", _plain(doc.find("p:meta/p:title")))
    subtitle = _plain(doc.find("p:meta/p:subtitle"))
    if subtitle:
        _el(titles, "subtitle", subtitle)


def _abstract(parent, doc: Document) -> None:
    abstract = doc.find("p:meta/p:abstract")
    if abstract is None:
        return
    paras = [_plain(b) for b in abstract if isinstance(b.tag, str) and _plain(b)]
    if paras:
        ab = _el(parent, f"{{{JATS}}}abstract")
        for text in paras:
            _el(ab, f"{{{JATS}}}p", text)


def _publication_date(parent, doc: Document) -> None:
    date = doc.find("p:meta/p:date")
    if date is None:
        raise PubconvError("a Crossref deposit needs a publication date: add 'date:' to the front matter",
                           doc.pos(doc.find("p:meta")), "crossref-no-date")
    parts = date.get("iso").split("-")
    pd = _el(parent, "publication_date", media_type="online")
    if len(parts) >= 2:
        _el(pd, "month", parts[1])
    if len(parts) == 3:
        _el(pd, "day", parts[2])
    _el(pd, "year", parts[0])


def _publisher(parent, doc: Document) -> None:
    name = _plain(doc.find("p:meta/p:publisher/p:name"))
    if name:
        pub = _el(parent, "publisher")
        _el(pub, "publisher_name", name)
        place = _plain(doc.find("p:meta/p:publisher/p:place"))
        if place:
            _el(pub, "publisher_place", place)


def _item_number(parent, series) -> None:
    number = _plain(series.find(q("number"))) if series is not None else ""
    if number:
        _el(_el(parent, "publisher_item"), "item_number", number[:32])


def _funding(parent, doc: Document) -> None:
    """FundRef: one ``fundgroup`` per award, the funder's name with its registry DOI, and the award number."""
    awards = doc.xpath("p:meta/p:funding/p:award")
    if not awards:
        return
    program = _el(parent, f"{{{FR}}}program", name="fundref")
    for award in awards:
        group = _el(program, f"{{{FR}}}assertion", name="fundgroup")
        funder = _el(group, f"{{{FR}}}assertion", _plain(award.find(q("funder"))), name="funder_name")
        funder_id = _plain(award.find(q("funder-id")))
        if funder_id:
            _el(funder, f"{{{FR}}}assertion", f"https://doi.org/{funder_id}", name="funder_identifier")
        award_id = _plain(award.find(q("award-id")))
        if award_id:
            _el(group, f"{{{FR}}}assertion", award_id, name="award_number")


def _license(parent, doc: Document) -> None:
    lic = doc.find("p:meta/p:license")
    href = (lic.get("href") or "").strip() if lic is not None else ""
    if href:
        program = _el(parent, f"{{{AI}}}program", name="AccessIndicators")
        _el(program, f"{{{AI}}}license_ref", href, applies_to="vor")


def _doi_data(parent, doi: str, url: str) -> None:
    dd = _el(parent, "doi_data")
    _el(dd, "doi", doi)
    _el(dd, "resource", url)


# ---------------------------------------------------------------- citations

#: ``ref/@type`` -> the citation field that holds the ``source`` (container or the work's own title).
SOURCE_FIELD = {"journal": "journal_title", "newspaper": "journal_title", "web": "journal_title",
                "book": "volume_title", "chapter": "volume_title", "report": "volume_title", "other": "volume_title"}


def _citations(parent, doc: Document) -> None:
    refs = doc.xpath("/p:document/p:references/p:ref")
    if not refs:
        return
    cl = _el(parent, "citation_list")
    for ref in refs:
        citation = _el(cl, "citation", key=ref.get("id"))
        for name, value in citation_fields(ref):
            _el(citation, name, value)


def citation_fields(ref) -> list[tuple[str, str]]:
    """``(crossref element, text)`` for one reference: the tagged fields, then the printed text."""
    parsed = ref.find(q("parsed"))
    kind = ref.get("type")
    fields: list[tuple[str, str]] = []

    def part(name: str) -> str:
        return _plain(parsed.find(q(name))) if parsed is not None else ""

    if parsed is not None:
        group = parsed.find(q("person-group"))
        if group is not None and len(group):
            first = group[0]
            author = _plain(first.find(q("family"))) if local(first) == "name" else _plain(first)
            if author:
                fields.append(("author", author))
        year = part("year")
        if year:
            fields.append(("cYear", year[:4]))
        title, source = part("title"), part("source")
        if title:
            fields.append(("article_title", title))
        if source:
            fields.append((SOURCE_FIELD.get(kind, "volume_title"), source))
        if part("series"):
            fields.append(("series_title", part("series")))
        for name, field in (("volume", "volume"), ("issue", "issue"), ("fpage", "first_page")):
            if part(name):
                fields.append((field, part(name)))
    doi = ref.find(q("doi"))
    if doi is not None and doi.text:
        fields.append(("doi", doi.text.strip()))
    fields.append(("unstructured_citation", _plain(ref.find(q("text")))))
    return fields


# ---------------------------------------------------------------- schema validation (when available)

_local = threading.local()


def schema_dir(configured: str | None) -> Path | None:
    """The folder of ``crossref4.4.2.xsd`` named by the configuration or ``PUBCONV_CROSSREF_SCHEMA``."""
    for value in (configured, os.environ.get("PUBCONV_CROSSREF_SCHEMA")):
        if not value:
            continue
        path = Path(value)
        if path.is_file():  # the catalog or the xsd itself
            path = path.parent
        for folder in (path, path / "crossref"):
            if (folder / "crossref4.4.2.xsd").is_file():
                return folder
    return None


class _Catalog(etree.Resolver):
    """The ``rewriteURI``/``rewriteSystem`` entries of an OASIS XML catalog, offline."""

    def __init__(self, catalog: Path):
        super().__init__()
        self.rules: list[tuple[str, Path]] = []
        if catalog.is_file():
            tree = etree.parse(str(catalog), safe_parser())
            for entry in tree.getroot():
                if not isinstance(entry.tag, str):
                    continue
                start = entry.get("uriStartString") or entry.get("systemIdStartString")
                prefix = entry.get("rewritePrefix")
                if start and prefix:
                    self.rules.append((start, catalog.parent / prefix))

    def resolve(self, url, public_id, context):
        for start, target in self.rules:
            if url and url.startswith(start):
                return self.resolve_filename(str(target / url[len(start):]), context)
        return None


def _schema(folder: Path) -> etree.XMLSchema:
    cache = getattr(_local, "schemas", None)
    if cache is None:
        cache = _local.schemas = {}
    if folder not in cache:
        parser = safe_parser()  # the schema's imports come through the catalog below, from disk
        for candidate in (folder / "catalog.xml", folder.parent / "catalog.xml"):
            if candidate.is_file():
                parser.resolvers.add(_Catalog(candidate))
                break
        cache[folder] = etree.XMLSchema(etree.parse(str(folder / "crossref4.4.2.xsd"), parser))
    return cache[folder]


def schema_errors(data: bytes, folder: Path) -> list[tuple[int, str]]:
    """``(line, message)`` for each schema error of a deposit ([] when valid)."""
    schema = _schema(folder)
    tree = etree.fromstring(data, safe_parser())
    if schema.validate(tree):
        return []
    return [(e.line, e.message) for e in schema.error_log]


def check_schema(data: bytes, configured: str | None, pos: SourcePos | None) -> None:
    """Validate against the Crossref schema when it is available; an error names the output's line."""
    folder = schema_dir(configured)
    if folder is None:
        return
    errors = schema_errors(data, folder)
    if errors:
        line, message = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        where = pos.path if pos is not None else "<document>"
        raise PubconvError(f"the Crossref deposit written for this document is not valid against "
                           f"crossref4.4.2.xsd at line {line} of the output: {message}{more}",
                           SourcePos(f"{where} -> crossref", line), "crossref-invalid")
