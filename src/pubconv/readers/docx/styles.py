"""What a paragraph or run *is*, from ``styles.xml`` and ``numbering.xml``.

A style's role comes from its own name or id, else from the style it is based
on (``w:basedOn``), so a custom or localised style built on *Heading 2* is a
level-2 heading.  Word stores its built-in styles under their English names
(``heading 1``) whatever the interface language; the style id may be localised
(``berschrift1``), so names are tried before ids.  An outline level
(``w:outlineLvl``) on the paragraph or its styles also makes a heading.

Character formatting that becomes markup is the run's own and its character
style's (``Strong``, ``Emphasis``); a paragraph style's look (a bold Title, an
italic Quote) is the style, not emphasis.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from .package import w

_ROLE_NAMES = {
    "title": "title", "subtitle": "subtitle",
    "quote": "quote", "intense quote": "quote", "block text": "quote", "quotations": "quote", "quotation": "quote",
    "blockquote": "quote", "block quote": "quote",
    "caption": "caption", "image caption": "caption", "table caption": "caption", "figure caption": "caption",
    "author": "author", "authors": "author", "byline": "author",
    "date": "date", "abstract": "abstract",
    "source code": "code", "html preformatted": "code", "preformatted text": "code", "code": "code",
    "bibliography": "bibliography",
    "toc heading": "toc", "contents heading": "toc", "table of contents": "toc",
}
_HEADING = re.compile(r"^(?:heading|überschrift|titre|titolo|título|kop|rubrik|otsikko|nagłówek|nadpis|"
                      r"заголовок|overskrift)\s*(\d)$")
_TOC = re.compile(r"^(?:toc|contents)\s*\d+$")
_BOOL_OFF = {"0", "false", "off", "none"}
_CHAR_CODE = {"verbatim char", "html code", "source text", "code char", "inline code", "code"}


@dataclass(frozen=True)
class ParaRole:
    """``kind`` is body, heading, title, subtitle, quote, caption, author, date, abstract, code, toc,
    bibliography; ``level`` is the heading level (1-based)."""

    kind: str = "body"
    level: int = 0


@dataclass(frozen=True)
class RunFormat:
    strong: bool = False
    em: bool = False
    underline: bool = False
    strike: bool = False
    vert: str | None = None  #: "sup" or "sub"
    code: bool = False
    hidden: bool = False


def on(el: etree._Element | None) -> bool | None:
    """A toggle property's value: None when absent."""
    if el is None:
        return None
    return (el.get(w("val")) or "true").lower() not in _BOOL_OFF


def _name_role(name: str) -> ParaRole | None:
    name = " ".join(name.lower().replace("_", " ").split())
    m = _HEADING.match(name)
    if m and 1 <= int(m.group(1)) <= 9:
        return ParaRole("heading", int(m.group(1)))
    if name in _ROLE_NAMES:
        return ParaRole(_ROLE_NAMES[name])
    if _TOC.match(name):
        return ParaRole("toc")
    return None


class Styles:
    """Style roles, resolved once per style id through the basedOn chain."""

    def __init__(self, root: etree._Element | None):
        self._styles: dict[str, etree._Element] = {}
        self.default_para: str | None = None
        if root is not None:
            for st in root.iter(w("style")):
                sid = st.get(w("styleId"))
                if sid:
                    self._styles[sid] = st
                if sid and st.get(w("type")) == "paragraph" and st.get(w("default")) in ("1", "true", "on"):
                    self.default_para = sid
        self._roles: dict[str, ParaRole] = {}
        self._runs: dict[str, RunFormat] = {}
        self._props: dict[tuple[str, str], etree._Element | None] = {}

    def chain(self, sid: str | None):
        """The style and those it is based on, nearest first (cycles cut)."""
        seen = set()
        while sid and sid in self._styles and sid not in seen:
            seen.add(sid)
            st = self._styles[sid]
            yield st
            based = st.find(w("basedOn"))
            sid = based.get(w("val")) if based is not None else None

    def name(self, sid: str | None) -> str:
        st = self._styles.get(sid or "")
        n = st.find(w("name")) if st is not None else None
        return (n.get(w("val")) if n is not None else None) or sid or ""

    def role(self, sid: str | None) -> ParaRole:
        sid = sid or self.default_para or ""
        if sid in self._roles:
            return self._roles[sid]
        role = ParaRole()
        for st in self.chain(sid):
            name = st.find(w("name"))
            found = _name_role(name.get(w("val")) if name is not None else "") or _name_role(st.get(w("styleId")))
            if found is None:
                lvl = st.find(f"{w('pPr')}/{w('outlineLvl')}")
                if lvl is not None and (lvl.get(w("val")) or "").isdigit() and int(lvl.get(w("val"))) < 9:
                    found = ParaRole("heading", int(lvl.get(w("val"))) + 1)
            if found is not None:
                role = found
                break
        self._roles[sid] = role
        return role

    def para_property(self, sid: str | None, tag: str) -> etree._Element | None:
        """The nearest ``w:pPr/w:<tag>`` in the paragraph style's chain."""
        key = (sid or self.default_para or "", tag)
        if key not in self._props:
            self._props[key] = next((el for st in self.chain(key[0]) if (el := st.find(
                f"{w('pPr')}/{w(tag)}")) is not None), None)
        return self._props[key]

    def run_format(self, sid: str | None) -> RunFormat:
        """What a character style adds (Strong, Emphasis, Verbatim Char...)."""
        if not sid:
            return RunFormat()
        if sid in self._runs:
            return self._runs[sid]
        props: dict = {}
        chain = list(self.chain(sid))
        for st in reversed(chain):  # base first, nearer styles override
            rpr = st.find(w("rPr"))
            if rpr is not None:
                props.update(run_props(rpr))
        names = {" ".join(self.name(st.get(w("styleId"))).lower().split()) for st in chain}
        if names & _CHAR_CODE:
            props["code"] = True
        if names & {"hyperlink", "followedhyperlink", "followed hyperlink"}:
            props["underline"] = False  # a link's look, not emphasis
        fmt = RunFormat(**props)
        self._runs[sid] = fmt
        return fmt


def run_props(rpr: etree._Element) -> dict:
    """The markup-bearing properties set in one ``w:rPr``."""
    props: dict = {}
    for tag, key in (("b", "strong"), ("bCs", None), ("i", "em"), ("strike", "strike"), ("dstrike", "strike"),
                     ("vanish", "hidden"), ("webHidden", "hidden")):
        value = on(rpr.find(w(tag)))
        if value is not None and key is not None:
            props[key] = value
    u = rpr.find(w("u"))
    if u is not None:
        props["underline"] = (u.get(w("val")) or "single") != "none"
    va = rpr.find(w("vertAlign"))
    if va is not None:
        props["vert"] = {"superscript": "sup", "subscript": "sub"}.get(va.get(w("val")))
    return props


# ---------------------------------------------------------------- numbering


@dataclass(frozen=True)
class ListLevel:
    ordered: bool
    start: int
    list_id: str = ""  #: the abstract numbering: numbering instances that share it continue each other
    restart: bool = False  #: this instance restarts the level (``w:startOverride``)


class Numbering:
    """``numId`` + level -> bullet or ordered, and where it starts."""

    def __init__(self, root: etree._Element | None, styles: Styles):
        self._abstract: dict[str, etree._Element] = {}
        self._nums: dict[str, etree._Element] = {}
        self.styles = styles
        if root is not None:
            for an in root.iter(w("abstractNum")):
                self._abstract[an.get(w("abstractNumId"))] = an
            for num in root.iter(w("num")):
                self._nums[num.get(w("numId"))] = num

    def abstract_id(self, num_id: str, depth: int = 0) -> str | None:
        num = self._nums.get(num_id)
        if num is None:
            return None
        ref = num.find(w("abstractNumId"))
        aid = ref.get(w("val")) if ref is not None else None
        an = self._abstract.get(aid or "")
        link = an.find(w("numStyleLink")) if an is not None else None
        if link is not None and depth < 4:  # a list style: follow it to the numbering it names
            numpr = self.styles.para_property(link.get(w("val")), "numPr")
            nid = numpr.find(w("numId")) if numpr is not None else None
            if nid is not None:
                return self.abstract_id(nid.get(w("val")), depth + 1)
        return aid

    def level(self, num_id: str, ilvl: int) -> ListLevel | None:
        """None when the numbering shows nothing (``numFmt none``) or does not exist."""
        aid = self.abstract_id(num_id)
        an = self._abstract.get(aid or "")
        if an is None:
            return None
        lvl = next((el for el in an.iter(w("lvl")) if el.get(w("ilvl")) == str(ilvl)), None)
        fmt, start = "decimal", 1
        if lvl is not None:
            nf = lvl.find(w("numFmt"))
            fmt = nf.get(w("val")) if nf is not None else "decimal"
            st = lvl.find(w("start"))
            if st is not None and (st.get(w("val")) or "").lstrip("-").isdigit():
                start = int(st.get(w("val")))
        num = self._nums.get(num_id)
        restart = False
        for ov in num.iter(w("lvlOverride")) if num is not None else ():
            if ov.get(w("ilvl")) == str(ilvl):
                so = ov.find(w("startOverride"))
                if so is not None and (so.get(w("val")) or "").isdigit():
                    start, restart = int(so.get(w("val"))), True
        if fmt == "none":
            return None
        return ListLevel(fmt != "bullet", start, aid or "", restart)
