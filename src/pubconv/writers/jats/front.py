"""JATS front matter: the tag-set choice, ``journal-meta`` and ``article-meta``.

The publisher configuration (``pubconv.toml``) has already been merged into the
intermediate's ``meta`` (series title, publisher, ISSN, licence), so everything
here reads only the intermediate and :class:`~pubconv.writers.WriteOptions`.

Choices (documented in ``docs/jats.md``):

* Journal Publishing 1.3 needs a journal title (the series title, else the
  publisher's name), an ISSN and a publisher name; without them the writer
  falls back to Archiving and Interchange 1.3.
* The series label ("COMMENT") is the ``heading`` subject; the series number
  ("207") is the ``elocation-id``: it numbers the article within its series,
  which is what an electronic location identifier is for.
* Dates: ``iso-8601-date`` only on a full date; month, season and year only
  as far as the source gives them.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ...document import Document, children, local, q
from ...errors import PubconvError
from .. import WriteOptions
from .body import ALI, HREF, Converter, jel, plain


@dataclass(frozen=True)
class TagSet:
    """One JATS 1.3 DTD, named by its public identifier and NLM system URL."""

    name: str
    public_id: str
    system_url: str

    @property
    def doctype(self) -> str:
        return f'<!DOCTYPE article PUBLIC "{self.public_id}" "{self.system_url}">'


PUBLISHING = TagSet(
    "Journal Publishing 1.3",
    "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD with MathML3 v1.3 20210610//EN",
    "https://jats.nlm.nih.gov/publishing/1.3/JATS-journalpublishing1-3-mathml3.dtd",
)
ARCHIVING = TagSet(
    "Archiving and Interchange 1.3",
    "-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange DTD with MathML3 v1.3 20210610//EN",
    "https://jats.nlm.nih.gov/archiving/1.3/JATS-archivearticle1-3-mathml3.dtd",
)

#: Elements of ``meta`` this writer knows, by parent; anything else is an error.  The content of
#: titles, bios, notes and the abstract is inline or block content, checked as it is converted.
META_MODEL = {
    "meta": "series title subtitle short-title authors author-notes date doi publisher issn license keywords abstract",
    "series": "label number title",
    "authors": "author",
    "author": "name orcid email affiliation bio",
    "name": "given family",
    "author-notes": "author-note",
    "publisher": "name place",
    "keywords": "keyword",
}
META_MODEL = {parent: frozenset(kids.split()) for parent, kids in META_MODEL.items()}

#: The ``article-type`` values the PMC Style Checker (5.31, ``article-type-content-check``) accepts;
#: any other value is reported there as an error.  JATS itself allows any value.
PMC_ARTICLE_TYPES = frozenset(
    "abstract addendum admin advert announcement article-commentary book-review books-received brief-report "
    "calendar case-report collection correction cover data-paper discussion editorial expression-of-concern "
    "filler in-brief index introduction letter meeting-report methods-article news obituary oration "
    "product-review protocol rapid-communication reply report research-article retraction review-article "
    "systematic-review toc tutorial other".split()
)

#: Output format -> ``self-uri/@content-type``, in the order they are listed.
SELF_URI_TYPES = {"pdf": "pdf", "epub": "epub"}


def journal_title(doc: Document) -> str:
    """The journal title: the series title, else the publisher's name ("" if neither)."""
    return plain(doc.find("p:meta/p:series/p:title")) or plain(doc.find("p:meta/p:publisher/p:name"))


def choose_tagset(doc: Document) -> tuple[TagSet, list[str]]:
    """Journal Publishing when the metadata has what it requires, else Archiving.

    Returns the tag set and, for Archiving, what was missing.
    """
    missing = []
    if not journal_title(doc):
        missing.append("a journal title (series title or publisher name)")
    if not doc.xpath("p:meta/p:issn"):
        missing.append("an ISSN")
    if not plain(doc.find("p:meta/p:publisher/p:name")):
        missing.append("a publisher name")
    return (ARCHIVING if missing else PUBLISHING), missing


def journal_meta(doc: Document) -> etree._Element | None:
    """``journal-meta`` from the series and publisher; None when there is nothing to say."""
    jm = jel("journal-meta")
    title = journal_title(doc)
    if title:
        jel("journal-id", {"journal-id-type": "publisher-id"}, title, parent=jm)
        group = jel("journal-title-group", parent=jm)
        jel("journal-title", None, title, parent=group)
    for issn in doc.xpath("p:meta/p:issn"):
        fmt = issn.get("format")
        # pub-type is the pre-JATS-1.1 form that older PMC checkers still read.
        jel("issn", {"pub-type": "epub" if fmt == "electronic" else "ppub", "publication-format": fmt},
            issn.text.strip(), parent=jm)
    name = plain(doc.find("p:meta/p:publisher/p:name"))
    if name:
        pub = jel("publisher", parent=jm)
        jel("publisher-name", None, name, parent=pub)
        place = plain(doc.find("p:meta/p:publisher/p:place"))
        if place:
            jel("publisher-loc", None, place, parent=pub)
    return jm if len(jm) else None


def article_meta(conv: Converter, doc: Document, options: WriteOptions) -> etree._Element:
    """``article-meta`` in the DTD's order."""
    meta = doc.find("p:meta")
    _check_meta(conv, meta)
    am = jel("article-meta")
    doi = doc.find("p:meta/p:doi")
    if doi is not None:  # exactly as printed: no case folding, no resolver prefix
        jel("article-id", {"pub-id-type": "doi"}, doi.text.strip(), parent=am)

    series = doc.find("p:meta/p:series")
    label = plain(series.find(q("label"))) if series is not None else ""
    if label:
        cats = jel("article-categories", parent=am)
        group = jel("subj-group", {"subj-group-type": "heading"}, parent=cats)
        jel("subject", None, label, parent=group)

    title_group(conv, doc, am)
    contribs(conv, doc, am)
    date = doc.find("p:meta/p:date")
    if date is not None:
        am.append(pub_date(date))
    number = plain(series.find(q("number"))) if series is not None else ""
    if number:
        jel("elocation-id", None, number, parent=am)
    perms = permissions(doc)
    if perms is not None:
        am.append(perms)
    for fmt in SELF_URI_TYPES:
        if options.outputs.get(fmt):
            name = options.outputs[fmt]
            jel("self-uri", {"content-type": SELF_URI_TYPES[fmt], HREF: name}, name, parent=am)
    abstract = doc.find("p:meta/p:abstract")
    if abstract is not None:
        ab = jel("abstract")
        conv.blocks(ab, abstract)
        if len(ab):
            am.append(ab)
    keywords = [plain(k) for k in doc.xpath("p:meta/p:keywords/p:keyword")]
    if any(keywords):
        kg = jel("kwd-group", {"{http://www.w3.org/XML/1998/namespace}lang": doc.lang}, parent=am)
        for kwd in keywords:
            if kwd:
                jel("kwd", None, kwd, parent=kg)
    return am


def _check_meta(conv: Converter, el: etree._Element) -> None:
    allowed = META_MODEL.get(local(el), frozenset())
    for child in children(el):
        if local(child) not in allowed:
            raise conv.unknown(child, f"<{local(el)}>")
        if local(child) in META_MODEL:
            _check_meta(conv, child)


def title_group(conv: Converter, doc: Document, am: etree._Element) -> None:
    group = jel("title-group", parent=am)
    title = jel("article-title", parent=group)
    conv.inline(title, doc.find("p:meta/p:title"))
    if not len(title) and not (title.text or "").strip():
        raise PubconvError("the document has an empty title", doc.pos(doc.find("p:meta/p:title")), "no-title")
    sub = doc.find("p:meta/p:subtitle")
    if sub is not None:
        subtitle = jel("subtitle")
        conv.inline(subtitle, sub)
        if len(subtitle) or (subtitle.text or "").strip():
            group.append(subtitle)
    short = doc.find("p:meta/p:short-title")
    if short is not None and (short.text or "").strip():
        # The running head's title (JATS4R: alt-title with alt-title-type="running-head").
        jel("alt-title", {"alt-title-type": "running-head"}, " ".join(short.text.split()), parent=group)


def contribs(conv: Converter, doc: Document, am: etree._Element) -> None:
    """``contrib-group`` (JATS4R authors) and ``author-notes`` (JATS4R footnotes on authors)."""
    authors = doc.xpath("p:meta/p:authors/p:author")
    notes = {n.get("id"): n for n in doc.xpath("p:meta/p:author-notes/p:author-note")}
    if authors:
        group = jel("contrib-group", {"content-type": "author"}, parent=am)
        for author in authors:
            group.append(contrib(conv, author, notes))
    if notes:
        an = jel("author-notes", parent=am)
        for note_id, note in notes.items():
            fn = jel("fn", {"id": note_id, "fn-type": "other"}, parent=an)
            jel("label", None, note.get("symbol").strip(), parent=fn)
            conv.blocks(fn, note, para_only=True)


def contrib(conv: Converter, author: etree._Element, notes: dict) -> etree._Element:
    c = jel("contrib", {"contrib-type": "author"})
    orcid = author.find(q("orcid"))
    if orcid is not None:
        jel("contrib-id", {"contrib-id-type": "orcid", "authenticated": "false"},
            f"https://orcid.org/{orcid.text.strip()}", parent=c)
    name = jel("name", {"name-style": "western"}, parent=c)
    jel("surname", None, plain(author.find(f"{q('name')}/{q('family')}")), parent=name)
    given = plain(author.find(f"{q('name')}/{q('given')}"))
    if given:
        jel("given-names", None, given, parent=name)
    email = author.find(q("email"))
    if email is not None:
        jel("email", None, email.text.strip(), parent=c)
    for aff in author.findall(q("affiliation")):
        if plain(aff):
            jel("aff", None, plain(aff), parent=c)
    bio = author.find(q("bio"))
    if bio is not None:
        b = jel("bio")
        conv.blocks(b, bio)
        if len(b):
            c.append(b)
    for note_id in (author.get("notes") or "").split():
        if note_id not in notes:
            raise PubconvError(f"author note {note_id!r} is not in the author notes", conv.doc.pos(author),
                               "jats-bad-author-note")
        jel("xref", {"ref-type": "author-notes", "rid": note_id}, notes[note_id].get("symbol").strip(), parent=c)
    return c


def pub_date(date: etree._Element) -> etree._Element:
    """``pub-date`` with what the source gives: a full date gets ``iso-8601-date``."""
    iso = date.get("iso")
    parts = iso.split("-")
    full = len(parts) == 3
    pd = jel("pub-date", {"publication-format": "electronic", "date-type": "pub",
                          "iso-8601-date": iso if full else None})
    season = date.get("season")
    if full:
        jel("day", None, parts[2], parent=pd)
    if len(parts) >= 2:
        jel("month", None, parts[1], parent=pd)
    elif season:  # JATS takes month or season, never both; the month is the more precise
        jel("season", None, season, parent=pd)
    jel("year", None, parts[0], parent=pd)
    return pd


def permissions(doc: Document) -> etree._Element | None:
    """``permissions/license`` (JATS4R permissions): ``ali:license_ref`` when the URL is known."""
    lic = doc.find("p:meta/p:license")
    if lic is None:
        return None
    perms = jel("permissions")
    license_ = jel("license", parent=perms)
    href = (lic.get("href") or "").strip()
    if href:
        jel(f"{{{ALI}}}license_ref", None, href, parent=license_)
    jel("license-p", None, plain(lic), parent=license_)
    return perms
