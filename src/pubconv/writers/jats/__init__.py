"""The JATS writer: ``<stem>.jats.xml``, JATS 1.3 as a repository expects to receive it.

``write(doc, options, report) -> bytes`` returns one UTF-8, pretty-printed,
deterministic article with a DOCTYPE that names its DTD by public identifier
and NLM system URL: Journal Publishing 1.3 (MathML 3 variant) when the
metadata has a journal title, an ISSN and a publisher name, otherwise
Archiving and Interchange 1.3 with a ``jats-archiving`` warning saying what was
missing.  ``options.article_type`` (default ``other``) becomes
``article/@article-type``; ``options.outputs`` gives ``self-uri`` links to the
PDF and EPUB written beside it.

Nothing empty is written: no element without content (``break`` and a
decorative ``graphic`` aside, whose meaning is their attributes, and a table
cell left blank in the source) and no attribute without a value.  Metadata
that PMC or JATS4R require but the source lacks is left out, with a warning
(``jats-no-date``, ``jats-no-license``, ``jats-article-type``...).  An intermediate element the writer does not know
raises :class:`~pubconv.errors.PubconvError` with its source position.

The mapping, with the reasons for each choice, is in ``docs/jats.md``;
front matter is in ``front``, blocks and inline content in
``body``, references in ``refs``.
"""
from __future__ import annotations

from dataclasses import replace

from lxml import etree

from ...document import Document, children, indent, local
from ...errors import PubconvError, Report, warn
from .. import WriteOptions, check_resources
from . import validate
from .body import HREF, JATS_NSMAP, TITLE, XML_NS, Converter, jel
from .dtd import dtd_catalog, dtd_for  # noqa: F401 - the shipped JATS 1.3 DTDs, for validation
from .front import ARCHIVING, PMC_ARTICLE_TYPES, article_meta, choose_tagset, journal_meta
from .refs import ref_list

#: JATS elements that hold only elements: the serializer indents inside them.
#: Everything else may hold text, and its content is written exactly as built.
ELEMENT_ONLY = frozenset(
    "article front back body journal-meta journal-title-group publisher article-meta article-categories "
    "subj-group title-group contrib-group contrib name author-notes fn pub-date permissions license "
    "abstract kwd-group sec list list-item disp-quote fig caption graphic table-wrap table thead tbody tr "
    "fn-group ref-list ref bio".split()
)


def write(doc: Document, options: WriteOptions, report: Report) -> bytes:
    """The JATS XML of ``doc``: a complete UTF-8 document, DOCTYPE included; its images vetted first."""
    # A graphic whose file is missing or outside the source's folder is refused, as for the PDF; a remote one
    # may stay a URL in the JATS (nothing is fetched: JATS only names it).
    check_resources(doc, replace(options, allow_remote=True))
    return article(doc, options, report)


def article(doc: Document, options: WriteOptions, report: Report) -> bytes:
    """The JATS XML of ``doc``, its image references taken as they are (the deposit package rewrites them
    to the names of the package's members, after vetting the files)."""
    for child in children(doc.root):
        if local(child) not in ("meta", "body", "references"):
            raise PubconvError(f"the JATS writer does not know the element <{local(child)}> in the document",
                               doc.pos(child), "jats-unknown-element")
    tagset, missing = choose_tagset(doc)
    if tagset is ARCHIVING:
        warn(report, "jats-archiving",
             f"the metadata lacks {', '.join(missing)}, which Journal Publishing 1.3 requires: "
             "writing the Archiving and Interchange 1.3 tag set instead (add them in pubconv.toml)",
             doc.pos(doc.find("p:meta")))
    conv = Converter(doc, report)
    article = etree.Element("article", nsmap=JATS_NSMAP)
    article.set("article-type", options.article_type or "other")
    article.set("dtd-version", "1.3")
    article.set(f"{{{XML_NS}}}lang", doc.lang)

    front = jel("front", parent=article)
    jm = journal_meta(doc)
    if jm is not None:
        front.append(jm)
    front.append(article_meta(conv, doc, options))
    _style_warnings(conv, doc, front, tagset, article.get("article-type"))

    body = conv.body(doc.find("p:body"))
    if len(body):
        article.append(body)
    back = jel("back")
    if conv.footnotes:
        group = jel("fn-group", parent=back)
        for fn_id, label, note in conv.footnotes:
            group.append(conv.footnote(fn_id, label, note))
    refs = doc.find("p:references")
    if refs is not None:
        back.append(ref_list(conv, refs))
    if len(back):
        article.append(back)
    title_bare_links(article)
    data = serialize(article, tagset.doctype)
    validate.check_jats(data, doc.pos(doc.root))
    return data


def title_bare_links(article: etree._Element) -> None:
    """JATS4R accessibility: a link whose text is its own URL gets an ``xlink:title`` saying where it goes.

    In a citation that is the cited work's title (or source); elsewhere the site's name.
    """
    for link in article.iter("ext-link", "uri", "self-uri"):
        href = link.get(HREF) or ""
        if link.get(TITLE) or not href or not _is_bare(" ".join("".join(link.itertext()).split()), href):
            continue
        citation = next((a for a in link.iterancestors("mixed-citation")), None)
        title = ""
        if citation is not None:
            for tag in ("article-title", "chapter-title", "source"):
                found = citation.find(tag)
                if found is not None:
                    title = " ".join("".join(found.itertext()).split())
                    break
        link.set(TITLE, title or f"Link to {_host(href)}")


def _is_bare(text: str, href: str) -> bool:
    def norm(u: str) -> str:
        u = u.strip().rstrip("/")
        for prefix in ("https://", "http://", "mailto:"):
            if u.lower().startswith(prefix):
                u = u[len(prefix):]
        return u.lower()
    return bool(text) and norm(text) == norm(href)


def _host(href: str) -> str:
    rest = href.split("://", 1)[-1]
    host = rest.split("/", 1)[0].split("?", 1)[0]
    return host[4:] if host.startswith("www.") else (host or href)


def _style_warnings(conv: Converter, doc: Document, front: etree._Element, tagset, article_type: str) -> None:
    """What the PMC Style Checker would reject, said while the source position is known."""
    if tagset is ARCHIVING:
        return
    am = front.find("article-meta")
    meta = doc.find("p:meta")
    if article_type not in PMC_ARTICLE_TYPES:
        warn(conv.report, "jats-article-type",
             f"article-type {article_type!r} is not one PMC accepts (its Style Checker reports an error); "
             "set article-type in pubconv.toml to one of its values, e.g. 'editorial', 'report', 'discussion' "
             "or 'other'", doc.pos(meta))
    if am.find("article-categories") is None:
        warn(conv.report, "jats-no-category",
             "no series label: the JATS has no article-categories heading, which PMC requires", doc.pos(meta))
    if am.find("elocation-id") is None:
        warn(conv.report, "jats-no-number",
             "no series number: the JATS has no elocation-id (nor pages), which PMC requires", doc.pos(meta))
    if am.find("pub-date") is None:
        warn(conv.report, "jats-no-date", "no date: the JATS has no pub-date, which PMC requires", doc.pos(meta))
    if am.find("permissions") is None:
        warn(conv.report, "jats-no-license",
             "no licence and no copyright: the JATS has no permissions, which JATS4R requires (set license and "
             "license-url, or copyright-holder, under [document] in pubconv.toml)", doc.pos(meta))


def serialize(article: etree._Element, doctype: str) -> bytes:
    """UTF-8 with an XML declaration and DOCTYPE; indentation only inside element-only content."""
    etree.cleanup_namespaces(article, top_nsmap=JATS_NSMAP, keep_ns_prefixes=list(JATS_NSMAP))
    indent(article, ELEMENT_ONLY)
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n'.encode()
    return head + etree.tostring(article, encoding="UTF-8") + b"\n"
