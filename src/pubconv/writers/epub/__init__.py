"""The EPUB 3 writer: ``write(doc, options, report) -> bytes``.

Translate once, package twice: the content is the XHTML that
``_xhtml.render(..., target="epub")`` makes for the PDF writer too; this module
only packages it.  The package holds

``EPUB/content.xhtml``  the whole commentary in one document (title page, body,
                        footnotes as ``aside`` after the block that calls them,
                        references), so that every note is in the same file as
                        its call, after it: what iBooks and Kobo need for pop-ups;
``EPUB/cover.xhtml``    the cover (``cover.py``: the user's image or one drawn from the metadata);
``EPUB/nav.xhtml``      table of contents, landmarks and the print edition's page list;
``EPUB/toc.ncx``        the same table of contents for EPUB 2 reading systems;
``EPUB/epub.css``       ``theme.read_style("epub.css", options.theme_dir)``;
``EPUB/images/``        the images, read only from inside ``doc.base_dir``;
``EPUB/content.opf``    the package document, with the metadata of ``meta``.

ebooklib builds the package document, the NCX and the archive; the archive is
then rewritten by ``writers/archive.py`` so that two runs give the same bytes (ebooklib
stamps the clock into entries and ``dcterms:modified``), and the package
document gets what ebooklib cannot write: ``xml:lang`` on ``package``, no
re-declared reserved prefixes.  The build time is ``SOURCE_DATE_EPOCH``, else
the document's date; the clock is never read.

Of ``options``, ``theme_dir`` may supply ``styles/epub.css``; ``certified_by``,
``certifier_credential``, ``certifier_report`` and ``unlocked`` go into the
accessibility metadata; ``cover`` is the cover image; ``page_list`` asks for the
print page numbers (the PDF's layout: ``writers/pdf/pages.py``, which also reads
the layout options).  ``allow_remote`` does not apply: an EPUB carries its
images, so remote ones are always refused.

The accessibility claims are written only when the checks of ``checks.py`` on
the finished book found nothing (docs/epub.md, "Claims and the checks behind
them"); each failure is an ``a11y-check`` warning naming the WCAG criterion.

Fatal problems (an image outside the source folder or missing) raise
:class:`PubconvError` with the source line; images without alt text and links
to files outside the package are warnings handed to ``report``.
"""
from __future__ import annotations

import io
from datetime import timezone

from lxml import etree

from ... import theme
from ...document import Document, safe_parser, text_of
from ...errors import PubconvError, Report, SourcePos, warn
from ...namespaces import NCX as NCX_NS, OPF as OPF_NS, XML_LANG
from .. import WriteOptions
from . import checks as _checks
from . import content as content_mod
from . import cover as _cover
from . import meta
from . import pagebreaks as _pagebreaks
from .. import archive as _zip

FOLDER = "EPUB"
OPF_PATH = f"{FOLDER}/content.opf"
NCX_PATH = f"{FOLDER}/toc.ncx"
COVER_PAGE = "cover.xhtml"

#: ebooklib's writer options: no page list built from every element with an id
#: and an epub:type (footnotes included), no EPUB 2 guide, our own nav.
EBOOKLIB_OPTIONS = {"epub3_pages": False, "epub2_guide": False, "epub3_landmark": False, "raise_exceptions": True}


def write(doc: Document, options: WriteOptions, report: Report) -> bytes:
    """The EPUB 3 file for ``doc``, as bytes (identical for identical input)."""
    from .. import xhtml as _xhtml  # imported here: the PDF and EPUB writers share it, the JATS writer does not need it

    images = content_mod.check_images(doc, report)
    html = _xhtml.render(doc, options, report, target="epub")
    extra = {}
    if options.logo is not None:  # the template shows it; the user named it in the configuration
        logo = options.logo.resolve()
        images.setdefault(logo, content_mod.load_image(logo, logo.name, SourcePos(str(logo)), len(images) + 1))
        extra[str(options.logo)] = logo
    content = content_mod.prepare(html, doc, images, report, extra)
    page_ids = _page_breaks(doc, options, content, report)
    css = theme.read_style("epub.css", options.theme_dir)
    front = _cover.cover(doc, options, len(images) + 1)
    landmarks = [("cover", f"{COVER_PAGE}#cover", content_mod.cover_label(doc.lang)), *content.landmarks]
    nav = content_mod.nav_document(doc, content.toc, landmarks, page_ids)
    cover_page = content_mod.cover_document(doc, front.image.name, front.alt)
    _verify(doc, options, content, css, report, warned={i.name for i in images.values()},
            others={content_mod.NAV: nav, COVER_PAGE: cover_page})

    def assemble(when):
        book = _book(doc, content, nav, cover_page, css, images, front, options)
        from ebooklib import epub

        raw = io.BytesIO()
        # Without "mtime" ebooklib reads the clock (local time, labelled Z); it does not reach the zip entries.
        epub.write_epub(raw, book, {**EBOOKLIB_OPTIONS, "mtime": when.astimezone(timezone.utc).replace(tzinfo=None)})
        members = _zip.read_members(raw.getvalue())
        members[OPF_PATH] = fix_package(members[OPF_PATH], doc.lang, meta.w3c_datetime(when))
        members[NCX_PATH] = fix_ncx(members[NCX_PATH], doc.lang)
        return members

    # dcterms:modified follows the content: a digest of every member as it would be without the stamp.
    stamp = meta.modified(doc, {})
    members = assemble(stamp)
    digest = b"".join(name.encode() + b"\0" + data for name, data in sorted(members.items()))
    when = meta.modified(doc, content=digest)
    if when != stamp:  # the stamp is in the package document only: set it there, the rest is built
        members[OPF_PATH] = fix_package(members[OPF_PATH], doc.lang, meta.w3c_datetime(when))
    return _zip.write_container(members, when, opf_path=OPF_PATH)


def _page_breaks(doc: Document, options: WriteOptions, content, report: Report) -> list[tuple[int, str]]:
    """Mark where each page of the PDF begins; ``(number, id)`` of each marker, or [] without a page list."""
    if not options.page_list:
        return []
    from ..pdf import pages as _pages

    try:
        pages = _pages.print_pages(doc, options)
    except PubconvError as exc:
        warn(report, "no-page-list", f"the EPUB has no print page numbers: the PDF could not be laid out "
             f"({exc.message})", exc.pos or SourcePos(doc.path))
        return []
    placed = _pagebreaks.mark(content.body, pages)
    if len(placed) != pages.count:
        missing = sorted(set(range(1, pages.count + 1)) - {n for n, _ in placed})
        warn(report, "no-page-list", f"the EPUB has no print page numbers: the start of PDF page(s) "
             f"{', '.join(map(str, missing[:5]))} was not found in its text", SourcePos(doc.path))
        for marker in content.body.xpath(".//*[@role='doc-pagebreak']"):
            marker.tag = "pubconv-dropped-marker"
        etree.strip_tags(content.body, "pubconv-dropped-marker")  # empty: only their tails stay
        return []
    return placed


def _verify(doc: Document, options: WriteOptions, content, css: str, report: Report,
            warned: set[str] = frozenset(), others: dict[str, bytes] | None = None) -> None:
    """Run the checks behind the claims; record what failed and warn about each failure.

    Images of the document without alt text had their ``missing-alt`` warning at their
    source line already (``warned``: their package names); they are not reported twice.
    """
    body = content.body
    failures = (_checks.language(content.root, content_mod.CONTENT) + _checks.alt(body) + _checks.headings(body)
                + _checks.reflow(body, css))
    for name, data in (others or {}).items():  # the nav and cover documents: language and alt text too
        other = etree.fromstring(data, safe_parser())
        failures += _checks.language(other, name) + _checks.alt(other)
    a11y = content.a11y
    a11y.failed = frozenset(f.check for f in failures)
    a11y.page_list = bool(body.xpath(".//*[@role='doc-pagebreak']"))
    a11y.unlocked = options.unlocked
    publisher = " ".join(text_of(doc.find("p:meta/p:publisher/p:name")).split())
    a11y.certifier = (options.certified_by or publisher or "").strip()
    for failure in failures:
        if failure.check == "alt" and failure.element is not None and failure.element.get("src") in warned:
            continue
        warn(report, "a11y-check", f"{failure.criterion}: {failure.where}; the EPUB does not claim "
             "conformance to WCAG 2.1 AA", _source_of(doc, failure.element))
    if not failures and not a11y.certifier and a11y.images_without_alt == 0:
        warn(report, "a11y-check", "no one to name as a11y:certifiedBy (set [publisher] name or [epub] "
             "certified-by); the EPUB does not claim conformance to WCAG 2.1 AA", SourcePos(doc.path))


def _source_of(doc: Document, element) -> SourcePos:
    """The source position of the intermediate element an XHTML element came from (by id), else the file."""
    while element is not None:
        ident = element.get("id")
        if ident:
            found = doc.root.xpath("//*[@id=$ident]", ident=ident)
            if found:
                return doc.pos(found[0])
        element = element.getparent()
    return SourcePos(doc.path)


def _book(doc, content, nav: bytes, cover_page: bytes, css: str, images, front, options):
    from ebooklib import epub

    book = epub.EpubBook()
    book.FOLDER_NAME = FOLDER
    meta.apply(book, doc, content.a11y, options)

    style = epub.EpubItem(uid="css", file_name="epub.css", media_type="text/css", content=css.encode("utf-8"))
    book.add_item(style)
    cover_image = epub.EpubItem(uid="cover-image", file_name=front.image.name, media_type=front.image.media_type,
                                content=front.image.data)
    cover_image.properties = ["cover-image"]
    book.add_item(cover_image)
    # Calibre and older Kobo firmware look for the EPUB 2 convention too.
    book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})
    cover_item = epub.EpubItem(uid="cover", file_name=COVER_PAGE, media_type="application/xhtml+xml",
                               content=cover_page)
    book.add_item(cover_item)
    text = epub.EpubItem(uid="content", file_name=content_mod.CONTENT, media_type="application/xhtml+xml",
                         content=content.xhtml)
    text.properties = list(content.properties)
    book.add_item(text)
    nav_item = epub.EpubItem(uid="nav", file_name=content_mod.NAV, media_type="application/xhtml+xml",
                             content=nav)
    nav_item.properties = ["nav"]
    book.add_item(nav_item)
    for n, image in enumerate(images.values(), start=1):
        book.add_item(epub.EpubItem(uid=f"img-{n}", file_name=image.name, media_type=image.media_type,
                                    content=image.data))
    book.add_item(epub.EpubNcx())
    book.toc = _ncx_toc(content.toc)
    book.spine = [cover_item, text]
    return book


def _ncx_toc(entries, counter=None) -> list:
    """The nav's table of contents in ebooklib's shape (for ``toc.ncx``), with stable ids."""
    from ebooklib import epub

    counter = counter if counter is not None else [0]
    result = []
    for entry in entries:
        counter[0] += 1
        if entry.children:
            result.append((epub.Section(entry.title, entry.href), _ncx_toc(entry.children, counter)))
        else:
            result.append(epub.Link(entry.href, entry.title, f"nav-{counter[0]}"))
    return result


def fix_package(opf: bytes, lang: str, modified: str) -> bytes:
    """The package document as ebooklib wrote it, with ``xml:lang``, exactly one ``dcterms:modified``
    (``modified``), and without re-declared reserved prefixes."""
    parser = safe_parser(remove_blank_text=True)
    root = etree.fromstring(opf, parser)
    root.set(XML_LANG, lang)
    stamps = root.xpath("opf:metadata/opf:meta[@property='dcterms:modified']", namespaces={"opf": OPF_NS})
    for extra in stamps[1:]:
        extra.getparent().remove(extra)
    for generator in root.xpath("opf:metadata/opf:meta[@name='generator'][@content!='pubconv']",
                                namespaces={"opf": OPF_NS}):
        generator.getparent().remove(generator)  # ebooklib names itself; the generator is pubconv
    stamps[0].text = modified
    # "rendition:" is reserved in EPUB 3; declaring it again is reported by EPUBCheck.
    prefixes = [p for p in _prefix_pairs(root.get("prefix", "")) if p[0] != "rendition"]
    if prefixes:
        root.set("prefix", " ".join(f"{name}: {uri}" for name, uri in prefixes))
    else:
        root.attrib.pop("prefix", None)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def fix_ncx(ncx: bytes, lang: str) -> bytes:
    """The NCX as ebooklib wrote it, with ``xml:lang`` and the real ``dtb:depth`` (ebooklib writes 0)."""
    parser = safe_parser()
    root = etree.fromstring(ncx, parser)
    root.set(XML_LANG, lang)
    ns = {"n": NCX_NS}
    depth = max((len(p.xpath("ancestor-or-self::n:navPoint", namespaces=ns))
                 for p in root.iterfind(".//n:navPoint", ns)), default=1)
    for el in root.xpath("n:head/n:meta[@name='dtb:depth']", namespaces=ns):
        el.set("content", str(depth))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _prefix_pairs(value: str) -> list[tuple[str, str]]:
    tokens = value.split()
    return [(tokens[i].rstrip(":"), tokens[i + 1]) for i in range(0, len(tokens) - 1, 2)]
