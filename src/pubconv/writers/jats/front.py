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
* A ``source`` (the journal issue an extracted piece appeared in) gives the
  journal title, ``volume``, ``issue`` and ``fpage``/``lpage`` (which replace
  the ``elocation-id``); affiliations become ``aff`` (numbered ones listed once
  in the ``contrib-group`` and called by ``xref``).
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ...document import Document, children, local, q
from ...errors import PubconvError
from .. import WriteOptions
from ...namespaces import XML_LANG
from .body import ALI, HREF, TITLE, Converter, jel, plain


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
    "meta": "series title subtitle short-title authors author-notes date doi publisher issn license keywords abstract url "
            "copyright source affiliations isbn cover translations funding",
    "translations": "translation",
    "translation": "title subtitle abstract",
    "funding": "award statement",
    "award": "funder funder-id award-id",
    "series": "label number title journal-id journal-title",
    "copyright": "holder statement",
    "authors": "author",
    "author": "name orcid email affiliation bio",
    "name": "given family suffix",
    "source": "journal volume issue fpage lpage elocation date",
    "affiliations": "aff",
    "aff": "institution city country",
    "author-notes": "author-note",
    "publisher": "name place url",
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

#: Output format -> (``self-uri/@content-type``, ``xlink:title``), in the order they are listed.
SELF_URI_TYPES = {"pdf": ("pdf", "The article as PDF"), "epub": ("epub", "The article as EPUB")}


def journal_title(doc: Document) -> str:
    """The journal title: the configured ``journal-title``, else the journal the piece appeared in (``source``),
    else the series title, else the publisher's name ("" if none)."""
    return (plain(doc.find("p:meta/p:series/p:journal-title")) or plain(doc.find("p:meta/p:source/p:journal"))
            or plain(doc.find("p:meta/p:series/p:title")) or plain(doc.find("p:meta/p:publisher/p:name")))


def slug(text: str) -> str:
    """A short identifier without spaces: "SADF Comment" -> "sadf-comment"."""
    out, dash = [], False
    for ch in text.casefold():
        if ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-") or "journal"


def journal_id(doc: Document) -> str:
    """The configured ``journal-id``, else a slug of the journal title."""
    return plain(doc.find("p:meta/p:series/p:journal-id")) or slug(journal_title(doc))


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
        jel("journal-id", {"journal-id-type": "publisher-id"}, journal_id(doc), parent=jm)
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
        url = plain(doc.find("p:meta/p:publisher/p:url"))
        if place or url:
            loc = jel("publisher-loc", None, place + (" " if place and url else ""), parent=pub)
            if url:  # the publisher's website, where JATS has room for it
                jel("uri", {HREF: url, TITLE: f"{name}: website"}, url, parent=loc)
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
    series_title = plain(series.find(q("title"))) if series is not None else ""
    if label or series_title:
        cats = jel("article-categories", parent=am)
        if label:
            group = jel("subj-group", {"subj-group-type": "heading"}, parent=cats)
            jel("subject", None, label, parent=group)
        if series_title:  # JATS 1.3: the series this article belongs to
            jel("series-title", None, series_title, parent=cats)

    title_group(conv, doc, am)
    contribs(conv, doc, am)
    date = doc.find("p:meta/p:date")
    if date is not None:
        am.append(pub_date(date))
    source = doc.find("p:meta/p:source")
    issue_date = source.find(q("date")) if source is not None else None
    if issue_date is not None:  # the issue's own date: JATS4R's "collection" date
        pd = pub_date(issue_date)
        pd.set("publication-format", "print")
        pd.set("date-type", "collection")
        am.append(pd)
    number = plain(series.find(q("number"))) if series is not None else ""
    src = {k: plain(source.find(q(k))) if source is not None else "" for k in
           ("volume", "issue", "fpage", "lpage", "elocation")}
    if src["volume"]:
        jel("volume", None, src["volume"], parent=am)
    if src["issue"]:
        jel("issue", None, src["issue"], parent=am)
    if src["fpage"]:  # JATS takes a page range or an elocation-id, never both
        jel("fpage", None, src["fpage"], parent=am)
        if src["lpage"]:
            jel("lpage", None, src["lpage"], parent=am)
    elif src["elocation"] or number:
        jel("elocation-id", None, src["elocation"] or number, parent=am)
    perms = permissions(doc)
    if perms is not None:
        am.append(perms)
    landing = plain(doc.find("p:meta/p:url"))
    if landing:  # the landing page first: where a reader (and a DOI) should arrive
        jel("self-uri", {HREF: landing, TITLE: "The article's landing page"}, landing, parent=am)
    for fmt, (content_type, title) in SELF_URI_TYPES.items():
        if options.outputs.get(fmt):
            name = options.outputs[fmt]
            jel("self-uri", {"content-type": content_type, HREF: name, TITLE: title}, name, parent=am)
    abstract = doc.find("p:meta/p:abstract")
    if abstract is not None:
        ab = jel("abstract")
        conv.blocks(ab, abstract)
        if len(ab):
            am.append(ab)
    for tr in doc.xpath("p:meta/p:translations/p:translation[p:abstract]"):
        tab = jel("trans-abstract", {XML_LANG: tr.get(XML_LANG)})
        conv.blocks(tab, tr.find(q("abstract")))
        if len(tab):
            am.append(tab)
    keywords = [plain(k) for k in doc.xpath("p:meta/p:keywords/p:keyword")]
    if any(keywords):
        kg = jel("kwd-group", {"kwd-group-type": "author"}, parent=am)  # the article's language is the keywords
        for kwd in keywords:
            if kwd:
                jel("kwd", None, kwd, parent=kg)
    fg = funding_group(doc)
    if fg is not None:
        am.append(fg)
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
    trans_titles(conv, doc, group)  # JATS 1.3 order: article-title, subtitle, trans-title-group, alt-title
    short = doc.find("p:meta/p:short-title")
    if short is not None and (short.text or "").strip():
        # The running head's title (JATS4R: alt-title with alt-title-type="running-head").
        jel("alt-title", {"alt-title-type": "running-head"}, " ".join(short.text.split()), parent=group)


def trans_titles(conv: Converter, doc: Document, group: etree._Element) -> None:
    """``trans-title-group`` per translation (JATS 1.3: after the article title and subtitles)."""
    for tr in doc.xpath("p:meta/p:translations/p:translation"):
        ttg = jel("trans-title-group", {XML_LANG: tr.get(XML_LANG)}, parent=group)
        conv.inline(jel("trans-title", parent=ttg), tr.find(q("title")))
        if tr.find(q("subtitle")) is not None:
            conv.inline(jel("trans-subtitle", parent=ttg), tr.find(q("subtitle")))


def funding_group(doc: Document) -> etree._Element | None:
    """``funding-group``: an ``award-group`` per award (JATS4R funding: the funder's registry DOI as
    ``institution-id``), and the statement as printed."""
    funding = doc.find("p:meta/p:funding")
    if funding is None:
        return None
    fg = jel("funding-group")
    for i, award in enumerate(funding.iterfind(q("award")), 1):
        ag = jel("award-group", {"id": f"award-{i}"}, parent=fg)
        wrap = jel("institution-wrap", parent=jel("funding-source", parent=ag))
        jel("institution", None, plain(award.find(q("funder"))), parent=wrap)
        funder_id = plain(award.find(q("funder-id")))
        if funder_id:
            jel("institution-id", {"institution-id-type": "doi", "vocab": "open-funder-registry",
                                   "vocab-identifier": "10.13039/open_funder_registry"}, funder_id, parent=wrap)
        award_id = plain(award.find(q("award-id")))
        if award_id:
            jel("award-id", None, award_id, parent=ag)
    statement = plain(funding.find(q("statement")))
    if statement:
        jel("funding-statement", None, statement, parent=fg)
    return fg if len(fg) else None


def contribs(conv: Converter, doc: Document, am: etree._Element) -> None:
    """``contrib-group`` (JATS4R authors) and ``author-notes`` (JATS4R footnotes on authors)."""
    authors = doc.xpath("p:meta/p:authors/p:author")
    notes = {n.get("id"): n for n in doc.xpath("p:meta/p:author-notes/p:author-note")}
    if authors:
        group = jel("contrib-group", {"content-type": "author"}, parent=am)
        for author in authors:
            group.append(contrib(conv, author, notes))
        for aff in doc.xpath("p:meta/p:affiliations/p:aff[@label]"):  # numbered: listed once, called by label
            group.append(aff_element(aff))
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
    suffix = plain(author.find(f"{q('name')}/{q('suffix')}"))
    if suffix:
        jel("suffix", None, suffix, parent=name)
    email = author.find(q("email"))
    if email is not None:
        jel("email", None, email.text.strip(), parent=c)
    for aff in author.findall(q("affiliation")):
        if plain(aff):
            jel("aff", None, plain(aff), parent=c)
    for aff_id in (author.get("affs") or "").split():
        aff = conv.doc.root.find(f"{q('meta')}/{q('affiliations')}/{q('aff')}[@id='{aff_id}']")
        if aff is None:
            raise PubconvError(f"affiliation {aff_id!r} is not in the affiliations", conv.doc.pos(author),
                               "jats-bad-affiliation")
        if aff.get("label"):
            jel("xref", {"ref-type": "aff", "rid": aff_id}, aff.get("label"), parent=c)
        else:  # printed under the name, with no mark: the contrib holds it (an id only if one author has it)
            owners = conv.doc.xpath(f"p:meta/p:authors/p:author[contains(concat(' ', @affs, ' '), ' {aff_id} ')]")
            c.append(aff_element(aff, with_id=len(owners) == 1))
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


def aff_element(aff: etree._Element, with_id: bool = True) -> etree._Element:
    """``aff`` with its label, ``institution``, ``city`` and ``country`` (JATS4R affiliations)."""
    out = jel("aff", {"id": aff.get("id") if with_id else None})
    if aff.get("label"):
        jel("label", None, aff.get("label"), parent=out)
    parts = [(k, plain(aff.find(q(k)))) for k in ("institution", "city", "country")]
    first = True
    for tag, text in parts:
        if not text:
            continue
        if not first:
            out[-1].tail = ", "
        jel(tag, None, text, parent=out)
        first = False
    return out


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
    """``permissions`` (JATS4R permissions): copyright statement, year and holder, then the licence.

    The holder defaults to the publisher and the year to the date's; the statement to
    "© YEAR HOLDER".  Copyright is stated when the document or configuration says
    something about rights (a licence, a holder or a statement) and the document has a
    date (JATS4R: a copyright statement goes with its year).  A licence is
    ``license`` with ``xlink:href`` *and* ``ali:license_ref`` (the same URL),
    ``license-type="open-access"`` for a Creative Commons licence, and a readable
    ``license-p``; with no licence, the copyright alone says that rights are reserved.
    """
    lic = doc.find("p:meta/p:license")
    copyright_ = doc.find("p:meta/p:copyright")
    if lic is None and copyright_ is None:
        return None
    reserved = ""
    if lic is not None and not (lic.get("href") or "").strip() and "all rights reserved" in plain(lic).casefold():
        reserved, lic = plain(lic), None  # not a licence: a reservation of rights, said in the statement
    perms = jel("permissions")
    date = doc.find("p:meta/p:date")
    year = date.get("iso")[:4] if date is not None else ""
    holder = plain(doc.find("p:meta/p:copyright/p:holder")) or plain(doc.find("p:meta/p:publisher/p:name"))
    statement = plain(doc.find("p:meta/p:copyright/p:statement"))
    if year and (holder or statement):  # JATS4R: no copyright without its year (the date gives it)
        default = f"© {year} {holder}" + (f". {reserved}" if reserved else "")
        jel("copyright-statement", None, statement or default, parent=perms)
        jel("copyright-year", None, year, parent=perms)
        if holder:
            jel("copyright-holder", None, holder, parent=perms)
    if lic is not None:
        href = (lic.get("href") or "").strip()
        license_ = jel("license", {"license-type": "open-access" if is_creative_commons(href) else None,
                                   HREF: href or None}, parent=perms)
        if href:
            jel(f"{{{ALI}}}license_ref", None, href, parent=license_)
        text = plain(lic)
        p = jel("license-p", None, _license_sentence(text, href), parent=license_)
        if href:
            p.text += " (" if text != href else ""
            link = jel("ext-link", {"ext-link-type": "uri", HREF: href, TITLE: text if text != href else None},
                       href, parent=p)
            link.tail = ")." if text != href else "."
        else:
            p.text += "."
    return perms if len(perms) else None


def is_creative_commons(href: str) -> bool:
    """A Creative Commons licence or public-domain dedication URL."""
    return "creativecommons.org/licenses/" in href or "creativecommons.org/publicdomain/" in href


def _license_sentence(text: str, href: str) -> str:
    """The readable ``license-p``: "This article is licensed under CC BY 4.0"."""
    if href and text == href:
        return "This article is licensed under the licence at "
    return f"This article is licensed under {text}"
