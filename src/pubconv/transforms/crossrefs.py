"""Cross-references: links to ``#id`` and ``@fig:x``-style references resolved to what they point at.

Targets are the sections (their heading's ``{#id}``, else ``sec-N``), figures and
tables (``{#fig:x}``, ``Table: … {#tbl:x}``, else ``figure-N`` / ``table-N``),
reference entries (``ref-N``) and notes (``fn-N``).

* ``[see the method](#method)`` becomes an ``xref`` keeping the author's words;
* ``@fig:basin``, ``@tbl:cargo``, ``@sec:method`` become an ``xref`` whose text is
  made here: "Figure 2", "Table 1" (in the document's language), or the
  section's heading;
* a link or reference to an id the document does not have is an error in the
  authoring form (the author can fix it), a warning in the extracted form (the
  text is kept, without the link).

Runs after the figures and tables are numbered.
"""
from __future__ import annotations

import re

from lxml import etree

from .. import languages
from ..document import E, Document, q, text_of, unwrap
from ..errors import PubconvError, Report, warn

#: ``@fig:x``, ``@tbl:x``, ``@sec:x`` (pandoc-crossref's prefixes), not inside an e-mail address.
_REFERENCE = re.compile(r"(?<![\w@.])@(fig|tbl|sec|table):([A-Za-z][\w-]{0,100}(?:\.[\w-]{1,100}){0,5})")
_SKIP = {q("code"), q("link"), q("xref"), q("cite")}
_PREFIX_TYPE = {"fig": "fig", "tbl": "table", "table": "table", "sec": "sec"}


def _targets(root: etree._Element) -> dict[str, tuple[str, etree._Element]]:
    found = {}
    for kind, tag in (("sec", "section"), ("fig", "figure"), ("table", "table"), ("ref", "ref"), ("note", "note")):
        for el in root.iter(q(tag)):
            if el.get("id"):
                found[el.get("id")] = (kind, el)
    return found


def _generated_text(kind: str, target: etree._Element, lang: str) -> str:
    if kind in ("fig", "table"):
        # a no-break space: "Figure" and its number stay on one line
        return f"{languages.label('figure' if kind == 'fig' else 'table', lang)}\u00a0{target.get('n')}"
    if kind == "sec":
        return " ".join(text_of(target.find(q("heading"))).split())
    return target.get("n") or target.get("id")


def resolve(doc: Document, report: Report, *, strict: bool) -> None:
    """Turn ``#id`` links and ``@fig:x`` references into ``xref`` elements (see the module docstring)."""
    root = doc.root
    targets = _targets(root)

    def missing(what: str, el: etree._Element) -> None:
        message = f"{what} points at no section, figure or table of this document"
        if strict:
            raise PubconvError(message + " (give the target an id with {#id}, or fix the name)", doc.pos(el),
                               "unknown-target")
        warn(report, "unknown-target", message + "; its text is kept without the link", doc.pos(el))

    for link in list(root.iter(q("link"))):
        href = link.get("href", "")
        if not href.startswith("#") or href == "#":
            continue
        wanted = href[1:]
        target = targets.get(wanted) or targets.get(re.sub(r"[^\w.-]", "-", wanted))
        if target is None:
            missing(f"the link to {href!r}", link)
            unwrap(link)
            continue
        kind, el = target
        xref = E("xref", ref=el.get("id"), type=kind)
        xref.text, xref.tail = link.text, link.tail
        for child in list(link):
            xref.append(child)
        if not text_of(xref).strip():
            xref.text = (xref.text or "") + _generated_text(kind, el, doc.lang)
        link.getparent().replace(link, xref)

    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.tag in _SKIP or any(a.tag in _SKIP for a in el.iterancestors()):
            continue
        _references_in(el, "text", targets, doc, missing)
        for child in list(el):  # a child's tail is the parent's text, whatever the child is
            if isinstance(child.tag, str):
                _references_in(child, "tail", targets, doc, missing, parent=el)


def _references_in(el, attr, targets, doc, missing, parent=None) -> None:
    text = getattr(el, attr)
    if not text or "@" not in text:
        return
    pieces, last = [], 0
    for m in _REFERENCE.finditer(text):
        prefix, name = m.group(1), m.group(2)
        wanted_type = _PREFIX_TYPE[prefix]
        target = targets.get(f"{prefix}-{name}") or targets.get(name)
        if target is None or target[0] != wanted_type:
            missing(f"the reference {m.group()!r}", parent if parent is not None else el)
            continue
        kind, target_el = target
        pieces.append(text[last:m.start()])
        pieces.append(E("xref", _generated_text(kind, target_el, doc.lang), ref=target_el.get("id"), type=kind))
        last = m.end()
    if not pieces:
        return
    pieces.append(text[last:])
    if attr == "text":
        el.text = pieces[0] or None
        at = 0
    else:
        el.tail = pieces[0] or None
        at = parent.index(el) + 1
        el = parent
    for i in range(1, len(pieces), 2):
        xref, after = pieces[i], pieces[i + 1]
        xref.tail = after or None
        el.insert(at, xref)
        at += 1
