"""Typography applied when the XHTML is rendered (the intermediate and JATS keep the source text).

* :func:`smarten` turns straight quotes into the document language's quotation
  marks and apostrophes into ’, walking the text of an XHTML tree in reading
  order (a quote's side depends on the character before it, which may sit in
  another element).  Code and URLs are left alone.
* :func:`url_breaks` adds break opportunities (U+200B, which no PDF reader
  copies as text) after ``/ . - ? &`` in a URL, so that a long URL breaks there,
  never inside a word, and never with a hyphen.

Quotation marks by language (primary, secondary), from CLDR's
``quotationStart``/``quotationEnd``; a language not listed uses English marks.
"""
from __future__ import annotations

import re
import unicodedata

from lxml import etree

from .. import languages
from ..namespaces import XHTML as _XHTML

#: Elements whose text is never touched.
_SKIP = frozenset({"code", "pre", "kbd", "samp", "script", "style"})
_URL_TEXT = re.compile(r"^(?:https?://|ftp://|www\.)\S+$", re.I)


def quotes_for(lang: str) -> tuple[str, str, str, str]:
    """The quotation marks of ``lang`` (``languages.QUOTES``)."""
    return tuple(languages.quotes(lang))


def _is_word(ch: str) -> bool:
    return bool(ch) and unicodedata.category(ch)[0] in "LN"


def _opens(prev: str) -> bool:
    """A quote after ``prev`` opens: at the start, after a space, an opening bracket or a dash."""
    return not prev or prev.isspace() or prev in "([{<“‘„‚«‹—–-/\u00a0\u202f" or \
        unicodedata.category(prev) in ("Ps", "Pi", "Zs")


def smarten_text(text: str, prev: str, marks: tuple[str, str, str, str]) -> str:
    """``text`` with straight quotes made typographic; ``prev`` is the character before it."""
    if "'" not in text and '"' not in text:
        return text
    out = []
    o1, c1, o2, c2 = marks
    for i, ch in enumerate(text):
        before = text[i - 1] if i else prev
        after = text[i + 1] if i + 1 < len(text) else ""
        if ch == "'":
            if _is_word(before) and _is_word(after):
                out.append("’")                      # don't, l’eau, O’Neill
            elif after.isdigit() and _opens(before) and not (i + 2 < len(text) and text[i + 2:i + 3].isdigit()
                                                              and text[i + 3:i + 4] == "'"):
                out.append("’")                      # ’90s
            elif _opens(before):
                out.append(o2)
            else:
                out.append(c2)
        elif ch == '"':
            out.append(o1 if _opens(before) else c1)
        else:
            out.append(ch)
    return "".join(out)


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _is_url_anchor(node: etree._Element) -> bool:
    return _local(node) == "a" and not len(node) and bool(_URL_TEXT.match((node.text or "").strip()))


def smarten(root: etree._Element, lang: str) -> None:
    """Make the quotes in every text node under ``root`` typographic, in reading order, for ``lang``."""
    marks = quotes_for(lang)
    prev = ""

    def walk(node: etree._Element) -> None:
        nonlocal prev
        skip = _local(node) in _SKIP or _is_url_anchor(node)
        if node.text:
            if not skip:
                node.text = smarten_text(node.text, prev, marks)
            prev = node.text[-1]
        if not skip:
            for child in node:
                if isinstance(child.tag, str):
                    walk(child)
                if child.tail:
                    child.tail = smarten_text(child.tail, prev, marks)
                    prev = child.tail[-1]
        else:
            text = "".join(node.itertext())
            prev = text[-1] if text else prev

    walk(root)


_BREAK_AFTER = re.compile(r"(/+|[.\-?&](?=.))")


def url_breaks(url: str) -> str:
    """``url`` with a zero-width space after each ``/`` (run), ``.``, ``-``, ``?``, ``&`` (not at the end)."""
    head = re.match(r"^[a-z][a-z0-9+.-]*://", url, re.I)
    start = head.end() if head else 0
    body = _BREAK_AFTER.sub(lambda m: m.group(1) + "\u200b", url[start:])
    return url[:start] + ("\u200b" if head else "") + body.rstrip("\u200b")


def looks_like_url(text: str) -> bool:
    """Whether a link's text is a URL as typed (``https://…``, ``www.…``)."""
    return bool(_URL_TEXT.match(text.strip()))
