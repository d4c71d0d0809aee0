"""The checks behind the EPUB's accessibility claims, made on the finished book during the build.

Each check looks at what a reader will get (the content document as packaged
and the stylesheet), not at what pubconv means to produce, so a theme override
or a stored intermediate that breaks a rule is caught too.  A check returns
:class:`Failure` values; ``meta`` writes a claim only when the checks it rests on
found nothing, and the writer turns every failure into a warning
(``a11y-check``) that names the WCAG criterion and the place.

========================  ======================================================  =================================
check                     what is verified                                        claims that rest on it
========================  ======================================================  =================================
``language``  (3.1.1/2)   the content and nav documents carry ``lang`` and        conformance
                          ``xml:lang`` (the same, well-formed BCP 47 tag), and
                          every element that sets a language sets a
                          well-formed one, both attributes alike
``alt``       (1.1.1)     every ``img`` has a non-empty ``alt``                   conformance, ``alternativeText``
``headings``  (1.3.1)     one ``h1`` first; no heading more than one level        conformance, ``structuralNavigation``
                          deeper than the heading before it
``reflow``    (1.4.10)    the stylesheet lets any word break (``overflow-wrap:    conformance, ``displayTransformability``
                          anywhere`` or ``word-break: break-all`` on ``html`` or
                          ``body``), keeps ``pre`` wrapping, limits images to
                          the width (``max-width: 100%``), lets wide tables
                          scroll in their own box; no ``style`` attribute sets a
                          width or ``white-space: pre``/``nowrap``
========================  ======================================================  =================================

The reflow check is static, so it is checked for real by the tests: each
content document of the sample, the seed and a fixture full of long URLs is laid
out in headless Chromium at 320 CSS px and must not scroll sideways
(``tests/writers/test_epub_reading.py``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from ...namespaces import XHTML, XML_LANG

#: WCAG 2.1 success criteria, by check
CRITERIA = {
    "language": "WCAG 2.1 3.1.1 Language of Page / 3.1.2 Language of Parts",
    "alt": "WCAG 2.1 1.1.1 Non-text Content",
    "headings": "WCAG 2.1 1.3.1 Info and Relationships (heading levels)",
    "reflow": "WCAG 2.1 1.4.10 Reflow",
}
#: BCP 47, the shape only (RFC 5646 "langtag", without checking the registry)
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z]{3}){0,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|\d{3}))?"
                   r"(-([A-Za-z\d]{5,8}|\d[A-Za-z\d]{3}))*(-[A-WY-Za-wy-z\d](-[A-Za-z\d]{2,8})+)*"
                   r"(-[Xx](-[A-Za-z\d]{1,8})+)?$")


@dataclass(frozen=True)
class Failure:
    check: str  #: a key of CRITERIA
    where: str  #: what and where, for the message ("heading 'Flows' (h4 after h2)")
    element: etree._Element | None = None  #: the offending element, to find its source line

    @property
    def criterion(self) -> str:
        return CRITERIA[self.check]


def _h(tag: str) -> str:
    return f"{{{XHTML}}}{tag}"


def _text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def language(root: etree._Element, name: str) -> list[Failure]:
    """``root`` (a content or nav document) and every element in it that sets a language."""
    found = []
    lang, xml_lang = root.get("lang"), root.get(XML_LANG)
    if not lang or not xml_lang or lang != xml_lang or not _LANG.match(lang):
        found.append(Failure("language", f"{name}: the document's language is {lang!r} / xml:lang {xml_lang!r}",
                             root))
    for el in root.iter():
        if el is root or not isinstance(el.tag, str):
            continue
        a, b = el.get("lang"), el.get(XML_LANG)
        if a is None and b is None:
            continue
        if a != b or not a or not _LANG.match(a):
            found.append(Failure("language", f"{name}: <{etree.QName(el).localname}> sets the language "
                                             f"{a!r} / xml:lang {b!r}", el))
    return found


def alt(body: etree._Element) -> list[Failure]:
    return [Failure("alt", f"image {img.get('src')!r} has no alt text", img)
            for img in body.iter(_h("img")) if not (img.get("alt") or "").strip()]


def headings(body: etree._Element) -> list[Failure]:
    found = []
    previous = 0
    names = {_h(f"h{i}"): i for i in range(1, 7)}
    for el in body.iter(*names):
        level = names[el.tag]
        if previous == 0 and level != 1:
            found.append(Failure("headings", f"the first heading {_text(el)!r} is h{level}, not h1", el))
        elif level > previous + 1 and previous:
            found.append(Failure("headings", f"heading {_text(el)!r} is h{level} after h{previous}", el))
        previous = level
    return found


# ---------------------------------------------------------------- reflow


def _declarations(css: str) -> list[tuple[list[str], dict[str, str]]]:
    """``(selectors, {property: value})`` of each style rule of ``css`` (at-rules' rules included)."""
    import tinycss2

    rules = []

    def walk(nodes) -> None:
        for node in nodes:
            if node.type == "qualified-rule":
                selectors = [" ".join(s.split()) for s in tinycss2.serialize(node.prelude).split(",")]
                decls = {}
                for d in tinycss2.parse_declaration_list(node.content, skip_whitespace=True, skip_comments=True):
                    if d.type == "declaration":
                        decls[d.lower_name] = " ".join(tinycss2.serialize(d.value).split()).lower()
                rules.append((selectors, decls))
            elif node.type == "at-rule" and node.content is not None and node.lower_at_keyword in ("media",
                                                                                                     "supports"):
                walk(tinycss2.parse_rule_list(node.content, skip_whitespace=True, skip_comments=True))

    walk(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True))
    return rules


def _value(rules, selector_test, prop: str) -> str | None:
    """The last value given to ``prop`` by a rule with a selector passing ``selector_test``."""
    value = None
    for selectors, decls in rules:
        if prop in decls and any(selector_test(s) for s in selectors):
            value = decls[prop]
    return value


_WIDTH = re.compile(r"(?<![-\w])(min-)?width\s*:\s*(\d+(\.\d+)?)(px|pt|cm|mm|in|pc)")
_NOWRAP = re.compile(r"white-space\s*:\s*(pre|nowrap)\s*(;|$)")


def reflow(body: etree._Element, css: str) -> list[Failure]:
    found = []
    rules = _declarations(css)
    root_sel = lambda s: s in ("html", "body", ":root", "*")  # noqa: E731
    breaks = [_value(rules, root_sel, "overflow-wrap"), _value(rules, root_sel, "word-wrap"),
              _value(rules, root_sel, "word-break")]
    if not ({"anywhere", "break-all"} & {b for b in breaks if b}):
        found.append(Failure("reflow", "the stylesheet does not let long words and URLs break "
                                       "(overflow-wrap: anywhere on body)"))
    if body.find(f".//{_h('pre')}") is not None and _value(rules, lambda s: s.split()[-1:] == ["pre"],
                                                           "white-space") not in ("pre-wrap", "break-spaces"):
        found.append(Failure("reflow", "preformatted text does not wrap (white-space: pre-wrap on pre)",
                             body.find(f".//{_h('pre')}")))
    if body.find(f".//{_h('img')}") is not None and _value(rules, lambda s: s.split()[-1:] == ["img"],
                                                           "max-width") != "100%":
        found.append(Failure("reflow", "images may be wider than the screen (max-width: 100% on img)",
                             body.find(f".//{_h('img')}")))
    for table in body.iter(_h("table")):
        parent = table.getparent()
        scrolls = parent is not None and "table-wrap" in (parent.get("class") or "").split() and \
            _value(rules, lambda s: s.endswith(".table-wrap"), "overflow-x") in ("auto", "scroll")
        if not scrolls:
            found.append(Failure("reflow", "a table may be wider than the screen and does not scroll in its own "
                                           "box (div.table-wrap with overflow-x: auto)", table))
            break
    for el in body.iter():
        style = el.get("style") if isinstance(el.tag, str) else None
        if style and (_WIDTH.search(style) or _NOWRAP.search(style)):
            found.append(Failure("reflow", f"<{etree.QName(el).localname}> has style={style!r}", el))
    return found
