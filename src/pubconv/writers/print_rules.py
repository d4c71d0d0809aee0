"""The typesetter's line-breaking rules for the PDF, applied to the shared XHTML tree (target "pdf").

* :func:`glue_calls`: a note call is glued to the word before it (U+2060 WORD
  JOINER) and to the calls right after it, which get a separator; it never
  starts a line, and a space typed before it is dropped;
* :func:`break_urls`: URLs break only after ``/ . - ? &`` (U+200B), never with a
  hyphen, and the block holding one is set ragged-right;
* :func:`keep_first_words`: a reference entry's first line holds at least two words;
* :func:`set_direction`: a block whose first strong character is right-to-left
  gets ``dir="rtl"`` (and ``lang="ur"`` when it has letters only Urdu uses, so
  that it is set in Nastaliq).

Two of these move a space into an inline box: WeasyPrint 70 mis-breaks a line
whose only break before (or after) an inline box is a space outside it (see
``docs/pdf.md``, "What WeasyPrint 70 cannot do").
"""
from __future__ import annotations

import re
import unicodedata

from lxml import etree

from . import typography

from ..namespaces import XHTML
#: HTML void elements (never hold a word).
VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


def apply(root: etree._Element) -> None:
    """Every rule that works on a fragment of the PDF's XHTML."""
    glue_calls(root)
    break_urls(root)
    set_direction(root)


_A = f"{{{XHTML}}}a"
_SPAN = f"{{{XHTML}}}span"
#: Blocks whose lines are set ragged-right when they hold a URL (a URL line cannot be justified well).
_URL_BLOCKS = frozenset({"p", "li", "figcaption", "td", "th", "caption", "blockquote"})


def _classes(el: etree._Element | None) -> list[str]:
    return (el.get("class") or "").split() if el is not None and isinstance(el.tag, str) else []


def _shallow(el: etree._Element) -> etree._Element:
    copy = etree.Element(el.tag)
    for key, value in el.attrib.items():
        if key != "id":
            copy.set(key, value)
    return copy


def _split_last_word(el: etree._Element) -> etree._Element | None:
    """Move the last word of ``el`` (an inline element just before a call) into a copy of ``el``.

    Returns the copy (or ``el`` itself, detached, when it holds a single word),
    or ``None`` when ``el`` ends with a space or is not plain inline text.
    """
    if etree.QName(el).localname in VOID or {"footnote", "fn-call", "fn-glue"} & set(_classes(el)):
        return None
    if len(el):
        last = el[-1]
        tail = last.tail or ""
        if tail:
            if tail != tail.rstrip():
                return None
            m = re.search(r"\S+$", tail)
            last.tail = tail[:m.start()] or None
            copy = _shallow(el)
            copy.text = m.group(0)
            return copy
        inner = _split_last_word(last)
        if inner is None:
            return None
        copy = _shallow(el)
        copy.append(inner)
        return copy
    text = el.text or ""
    if not text.strip() or text != text.rstrip():
        return None
    m = re.search(r"\S+$", text)
    if m.start() == 0:
        el.getparent().remove(el)  # one word: the element itself moves (el.tail is empty: a call follows)
        return el
    el.text = text[:m.start()]
    copy = _shallow(el)
    copy.text = m.group(0)
    return copy


def glue_calls(root: etree._Element) -> None:
    """Wrap each note call (with the word before it, its note, and calls right after it) in ``span.fn-glue``.

    The glue is ``white-space: nowrap`` in print.css, so the line can break
    neither before a call nor between adjacent calls, which get a separator
    (``span.fn-sep``).  A space typed before a call is dropped.
    """
    for call in list(root.iter(_A)):
        if "fn-call" not in _classes(call) or "fn-glue" in _classes(call.getparent()):
            continue
        parent = call.getparent()
        members, last = [call], call
        while True:
            nxt = last.getnext()
            if nxt is not None and nxt.tag == _SPAN and "footnote" in _classes(nxt) and not last.tail:
                members.append(nxt)
            elif nxt is not None and nxt.tag == _A and "fn-call" in _classes(nxt) and not (last.tail or "").strip():
                last.tail = None
                sep = etree.Element(_SPAN)
                sep.set("class", "fn-sep")
                sep.text = "\u2060,\u2060"
                members.append(sep)
                members.append(nxt)
            else:
                break
            last = nxt
        tail, last.tail = last.tail, None
        glue = etree.Element(_SPAN)
        glue.set("class", "fn-glue")
        prev = call.getprevious()
        before = (parent.text if prev is None else prev.tail) or ""
        stripped = before.rstrip()
        word = re.search(r"\S+$", stripped)
        if word:
            # U+2060 WORD JOINER: no line break between the word and the call (nowrap on the span
            # would trip WeasyPrint 70, which then breaks the line at its first space instead).
            glue.text = word.group(0) + "\u2060"
            stripped = stripped[:word.start()]
            if stripped.endswith(" "):
                # The space before the word goes inside the glue: WeasyPrint 70 mis-breaks a line
                # whose only break before an inline box is the space ending the text before it
                # (it breaks at the line's first space instead; the same for URL links below).
                glue.text = " " + glue.text
                stripped = stripped[:-1]
        if prev is None:
            parent.text = stripped or None
        else:
            prev.tail = stripped or None
            if not word and not stripped:
                moved = _split_last_word(prev)
                if moved is not None:
                    glue.append(moved)
                    moved.tail = "\u2060"
        index = parent.index(call)
        for member in members:
            glue.append(member)
        if tail and tail[0] == " ":
            # And the space after the note goes inside too: with the break after a note only in the
            # text that follows, WeasyPrint 70 ends the line at that text's *next* break ("¹¹ How-").
            last.tail, tail = " ", tail[1:] or None
        glue.tail = tail
        parent.insert(index, glue)


def break_urls(root: etree._Element) -> None:
    """URL link texts get break opportunities after ``/ . - ? &``; their block is set ragged-right."""
    for a in root.iter(_A):
        if len(a) or not a.text or not typography.looks_like_url(a.text):
            continue
        a.text = typography.url_breaks(a.text)
        # WeasyPrint 70 breaks such a line after its *first* word when the URL cannot start on it
        # and the only break before it is the space ending the text before the link ("Gul," alone
        # on a line).  With that space inside the link, the break is the link's own and lands right.
        prev = a.getprevious()
        before = a.getparent().text if prev is None else prev.tail
        if before and before[-1] == " ":
            if prev is None:
                a.getparent().text = before[:-1]
            else:
                prev.tail = before[:-1]
            a.text = " " + a.text
        if "url" not in _classes(a):
            a.set("class", " ".join(_classes(a) + ["url"]))
        for block in a.iterancestors():
            name = etree.QName(block).localname
            if name in _URL_BLOCKS or "fn-p" in _classes(block) or "fn-li" in _classes(block):
                if "has-url" not in _classes(block):
                    block.set("class", " ".join(_classes(block) + ["has-url"]))
                break


def keep_first_words(li: etree._Element) -> None:
    """A reference entry never breaks after its first word ("Ignatius," alone on a line)."""
    if li.text:
        li.text = re.sub(r"^(\s*\S+)[ \t\n]+(?=\S)", "\\1\u00a0", li.text, count=1)


_DIR_BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption", "td", "th"})


#: ٹ ڈ ڑ ں ھ ہ ے: letters of Urdu that Arabic does not use.
_URDU_LETTERS = frozenset("\u0679\u0688\u0691\u06ba\u06be\u06c1\u06d2")


def set_direction(root: etree._Element) -> None:
    """``dir="rtl"`` on each block whose first strong character is right-to-left (Arabic, Hebrew, Urdu...)."""
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        if etree.QName(node).localname not in _DIR_BLOCKS and "fn-p" not in _classes(node):
            continue
        for ch in "".join(node.itertext()):
            kind = unicodedata.bidirectional(ch)
            if kind in ("L", "R", "AL"):
                if kind != "L":
                    node.set("dir", "rtl")
                    text = "".join(node.itertext())
                    if node.get("lang") is None and any(c in _URDU_LETTERS for c in text):
                        # Letters Arabic does not use: Urdu, to be set in Nastaliq (print.css :lang(ur)).
                        node.set("lang", "ur")
                break
