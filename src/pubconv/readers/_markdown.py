"""CommonMark (+ tables, footnotes) to pubconv elements, shared by both Markdown readers.

The extracted-form reader first rewrites its text into this dialect (page-break
footnote blocks become ``[^n]`` definitions, split paragraphs become one), so
both forms go through the same code here.  Positions: every block element gets
``src:line`` through ``origin``, the map from the text given here back to the
lines of the user's file.

What it makes of raw HTML: ``<sup> <sub> <em> <i> <strong> <b> <br>`` become the
matching elements; HTML comments are dropped; anything else is kept as visible
text and reported once (``raw-html``), so no markup from the source ever reaches
an output as markup.

The authoring form (``extended=True``) also reads ``~sub~``, ``^sup^``,
``~~strike~~``, spans with a language (``[texte]{lang=fr}``), ``{#id}`` on
headings, images and ``Table:`` captions, definition lists, and (unless the front
matter says ``smart: false``) typographic quotes for the document's language,
dashes (``--``, ``---``) and ellipses (``...``).  TeX math (``$x^2$``,
``$$…$$``) is refused with a ``math-unsupported`` error rather than printed with
its dollar signs.  The extracted form keeps plain CommonMark: in text pulled out
of a PDF, ``~`` and ``^`` are characters, not markup.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.subscript import sub_plugin
from mdit_py_plugins.superscript import superscript_plugin

from .. import languages
from ..document import LANG, E, append, q, text_of
from ..errors import PubconvError, Report, SourcePos, warn

#: Headings that start the reference list (compared without case and trailing colon).
REFERENCE_HEADINGS = ("references", "bibliography", "select bibliography", "sources", "works cited", "notes",
                      "literature", "reference list", "notes and references")

_HTML_TAGS = {"sup": "sup", "sub": "sub", "em": "em", "i": "em", "strong": "strong", "b": "strong"}
_HTML_TAG = re.compile(r"^<(/?+)([a-zA-Z]++)\s*+(/?+)>$")
_URLISH = re.compile(r"^(https?://|www\.)\S+$")
#: Link targets that would run code or embed data in a reader: the text stays, the link goes.
_UNSAFE_LINK = re.compile(r"^\s*(javascript|vbscript|data|file):", re.I)
_UNDEFINED_CALL = re.compile(r"\[\^([^\]\s\[]{1,200}+)\]")
_FOOTNOTE_REF = re.compile(r"\[\^[^\s\]]{1,200}+\]")
_DEFINITION = re.compile(r"^\s*+\[\^([^\]]{1,200}+)\]:")
_ALIGN = re.compile(r"text-align:(\w++)")
_HTML_COMMENT = re.compile(r"^<!--.*-->$", re.S)
#: The id of a ``{#id}`` at the end of a heading or caption (Pandoc's attribute syntax, the id only).
_ID = re.compile(r"[A-Za-z][\w:.-]{0,100}")
_TABLE_CAPTION = re.compile(r"^(?:Table)?:\s+")
_DASHES = re.compile(r"(?<!-)---(?!-)|(?<!-)--(?!-)|\.\.\.")
_DASH_FOR = {"---": "\u2014", "--": "\u2013", "...": "\u2026"}


def smart_id(raw: str) -> str:
    """An XML id for a user's ``{#id}``: ``fig:basin`` -> ``fig-basin`` (ids may not hold ``:``)."""
    return re.sub(r"[^\w.-]", "-", raw)


def _dashes_rule(state) -> None:
    """``--`` en dash, ``---`` em dash, ``...`` ellipsis, in text only (markdown-it's own
    ``replacements`` would also turn "(c)" into "©", a list label in policy writing)."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        for child in token.children:
            if child.type == "text" and ("--" in child.content or "..." in child.content):
                child.content = _DASHES.sub(lambda m: _DASH_FOR[m.group()], child.content)


#: Deeper nesting (lists in lists, quotes in quotes, emphasis in emphasis) is refused:
#: markdown-it silently drops whatever lies deeper than its limit, so we set the
#: limit just above ours and fail loudly when a document reaches it.
MAX_NESTING = 40


def _parser(extended: bool = False, lang: str = "en", smart: bool = True) -> MarkdownIt:
    # One parser per reader call: markdown-it keeps per-parse state in env only,
    # but a fresh instance keeps the readers free of shared mutable state.
    options = {"html": True, "maxNesting": MAX_NESTING + 4}
    if extended and smart:
        options.update(typographer=True, quotes=languages.quotes(lang))
    md = MarkdownIt("commonmark", options)
    # Accept every link and image target here, so that a javascript: link or a
    # file: image is seen and reported (below, and by the resource check) instead
    # of silently staying Markdown text.
    md.validateLink = lambda url: True
    md.enable("table").use(footnote_plugin)
    # The plugin's footnote_ref scans from every "[^" to the next space or "]": quadratic on a run of
    # "[^[^[^..." (issue 14, class 1). A bounded look first keeps it linear; labels are short.
    original = md.inline.ruler.__rules__[md.inline.ruler.__find__("footnote_ref")].fn

    def footnote_ref(state, silent):
        if not _FOOTNOTE_REF.match(state.src, state.pos, state.posMax):
            return False
        return original(state, silent)

    md.inline.ruler.at("footnote_ref", footnote_ref)
    if extended:
        md.enable("strikethrough").use(sub_plugin).use(superscript_plugin).use(attrs_plugin, spans=True)
        md.use(deflist_plugin).use(dollarmath_plugin, allow_space=False, allow_digits=False)
        if smart:
            md.enable("smartquotes")
            md.core.ruler.push("pubconv_dashes", _dashes_rule)
    return md


def is_reference_heading(text: str) -> bool:
    return text.strip().rstrip(":").strip().lower() in REFERENCE_HEADINGS


@dataclass
class Body:
    """What the builder makes of a Markdown body."""

    blocks: list  #: flat: block elements and ("heading", level, element) markers
    references: etree._Element | None = None  #: the ``references`` element, refs unparsed
    entries: list = field(default_factory=list)  #: (text element, url, line) per reference entry


def _check_depth(tokens, builder: "MarkdownBuilder") -> None:
    line = None
    for tok in tokens:
        if tok.map:
            line = tok.map[0]
        deepest = max([tok.level] + [c.level for c in tok.children or []])
        if deepest >= MAX_NESTING:
            raise PubconvError(f"nesting deeper than {MAX_NESTING} levels (lists, quotes or emphasis inside each "
                               "other) is not supported", builder.pos(builder.line(line)), "too-deep")


class MarkdownBuilder:
    """Turns Markdown text into pubconv block elements, reporting through ``report``.

    ``origin[i]`` is the 1-based source line of line ``i`` of the text; without it
    lines count from ``first_line``.
    """

    def __init__(self, path: str, report: Report, origin: list[int] | None = None, first_line: int = 1, *,
                 extended: bool = False, lang: str = "en", smart: bool = True):
        self.path = path
        self.report = report
        self.origin = origin
        self.first_line = first_line
        self.extended = extended
        self.md = _parser(extended, lang, smart)
        self.dead_links: list[int] = []
        self.raw_html: list[int] = []
        self.note_count = 0
        self._notes: dict[str, SyntaxTreeNode] = {}
        self._called: set[str] = set()
        #: number notes by their label when it is a number (the extracted form keeps printed numbers)
        self.printed_numbers = False
        self._env: dict | None = None  # the body's env, so that a title parsed later sees its notes
        self._dry = False  # reading a heading's plain text: calls are not taken

    # ------------------------------------------------------------ positions

    def line(self, index: int | None) -> int | None:
        if index is None:
            return None
        if self.origin is not None:
            return self.origin[min(index, len(self.origin) - 1)] if self.origin else None
        return index + self.first_line

    def pos(self, line: int | None) -> SourcePos:
        return SourcePos(self.path, line)

    # ------------------------------------------------------------ entry points

    def body(self, text: str) -> Body:
        """Blocks of a whole body, with footnotes placed at their calls and the reference list apart."""
        env: dict = {}
        self._env = env
        tokens = self.md.parse(text, env)
        _check_depth(tokens, self)
        tree = SyntaxTreeNode(tokens)
        blocks_nodes = []
        for node in tree.children:
            if node.type == "footnote_block":
                for fn in node.children:
                    self._notes.setdefault(fn.meta["label"], fn)
            else:
                blocks_nodes.append(node)
        out = Body(blocks=[])
        in_refs = False
        for node in blocks_nodes:
            if node.type == "heading" and is_reference_heading(self._plain(node)):
                in_refs = True
                out.references = E("references", E("heading", self._plain(node).strip().rstrip(":").strip()),
                                   line=self.line(node.map[0]))
                continue
            if in_refs:
                self._reference_entries(node, out.entries)
            elif node.type == "heading":
                heading = E("heading", line=self.line(node.map[0]))
                self._inline(node.children[0], heading)
                if self.extended:
                    self._take_id(heading)
                out.blocks.append(("heading", int(node.tag[1]), heading))
            else:
                out.blocks.extend(self._block(node))
        if self.extended:
            _table_captions(out.blocks, self)
        defined_at: dict[str, int] = {}  # label -> first line defining it: one pass, not one per note
        for i, ln in enumerate(text.split("\n")):
            m = _DEFINITION.match(ln)
            if m:
                defined_at.setdefault(m.group(1), i)
        for key, ident in env.get("footnotes", {}).get("refs", {}).items():
            if ident == -1:  # defined, never called: markdown-it drops it, so find its line ourselves
                label = key[1:]
                at = defined_at.get(label)
                warn(self.report, "uncalled-note", f"footnote [{label}] is never called; it is left out",
                     self.pos(self.line(at)))
        self._finish()
        return out

    def _tree(self, text: str) -> SyntaxTreeNode:
        # After body(), a fragment (the title) is parsed with the body's footnote definitions in view.
        tokens = self.md.parse(text, self._env) if self._env is not None else self.md.parse(text)
        _check_depth(tokens, self)
        return SyntaxTreeNode(tokens)

    def blocks(self, text: str) -> list[etree._Element]:
        """Blocks of a fragment (a bio, an abstract); headings become paragraphs."""
        tree = self._tree(text)
        out: list[etree._Element] = []
        for node in tree.children:
            if node.type == "heading":
                p = E("p", line=self.line(node.map[0]))
                self._inline(node.children[0], p)
                out.append(p)
            elif node.type != "footnote_block":
                out.extend(self._block(node))
        self._finish()
        return out

    def inline(self, text: str, container: etree._Element) -> etree._Element:
        """Fill ``container`` with the inline content of one line of Markdown."""
        tree = self._tree(text)
        first = True
        for node in tree.children:
            if node.type in ("paragraph", "heading"):
                if not first:
                    append(container, " ")
                self._inline(node.children[0], container)
                first = False
            elif node.type != "footnote_block":
                append(container, self._source_text(node).strip())
        self._finish()
        return container

    def _finish(self) -> None:
        if self.dead_links:
            lines = ", ".join(str(n) for n in sorted(set(self.dead_links)))
            n = len(self.dead_links)
            warn(self.report, "dead-link",
                 f"{n} link{'s' if n != 1 else ''} had lost {'their targets' if n != 1 else 'its target'} "
                 f"('(#)'); kept as plain text (line{'s' if len(set(self.dead_links)) != 1 else ''} {lines})",
                 self.pos(self.dead_links[0]))
            self.dead_links = []
        if self.raw_html:
            lines = ", ".join(str(n) for n in sorted(set(self.raw_html)))
            warn(self.report, "raw-html",
                 f"raw HTML is not passed through; {len(self.raw_html)} tag(s) kept as visible text (lines {lines})",
                 self.pos(self.raw_html[0]))
            self.raw_html = []

    # ------------------------------------------------------------ blocks

    def _block(self, node: SyntaxTreeNode) -> list[etree._Element]:
        line = self.line(node.map[0]) if node.map else None
        kind = node.type
        if kind == "paragraph":
            inline = node.children[0]
            image = self._lone_image(inline)
            if image is not None:
                return [self._figure(image, line)]
            p = E("p", line=line)
            self._inline(inline, p, line)
            return [p] if (p.text or len(p)) else []
        if kind in ("bullet_list", "ordered_list"):
            lst = E("list", line=line, type="ordered" if kind == "ordered_list" else "bullet")
            if kind == "ordered_list":
                lst.set("start", str(node.attrs.get("start", 1)))
            for item in node.children:
                el = E("item", line=self.line(item.map[0]) if item.map else line)
                for child in item.children:
                    append(el, *self._block(child))
                lst.append(el)
            return [lst]
        if kind == "blockquote":
            quote = E("quote", line=line)
            for child in node.children:
                append(quote, *self._block(child))
            return [quote] if len(quote) else []
        if kind in ("fence", "code_block"):
            lang = (node.info or "").strip().split(" ")[0] or None
            return [E("codeblock", node.content, line=line, language=lang)]
        if kind == "hr":
            return [E("hr", line=line)]
        if kind == "table":
            return [self._table(node, line)]
        if kind == "html_block":
            if _HTML_COMMENT.match(node.content.strip()):
                return []  # an author's comment: dropped, as authors expect
            self.raw_html.append(line)
            return [E("p", node.content.strip(), line=line)]
        if kind == "dl":
            deflist = E("deflist", line=line)
            for child in node.children:
                if child.type == "dt":
                    term = E("term", line=self.line(child.map[0]) if child.map else line)
                    self._inline(child.children[0], term)
                    deflist.append(term)
                else:  # dd
                    definition = E("def")
                    for grandchild in child.children:
                        append(definition, *self._block(grandchild))
                    if not len(definition):
                        definition.append(E("p", ""))
                    deflist.append(definition)
            return [deflist]
        if kind in ("math_block", "math_block_label"):
            raise self._math_error(line)
        if kind == "heading":  # only reached inside containers (a heading in a list item)
            p = E("p", line=line)
            self._inline(node.children[0], p, line)
            return [p]
        raise AssertionError(f"unhandled Markdown block {kind!r}")  # pragma: no cover - parser is fixed

    def _lone_image(self, inline: SyntaxTreeNode) -> SyntaxTreeNode | None:
        kids = [c for c in inline.children if not (c.type == "text" and not c.content.strip())]
        return kids[0] if len(kids) == 1 and kids[0].type == "image" else None

    def _figure(self, image: SyntaxTreeNode, line: int | None) -> etree._Element:
        alt = "".join(self._source_text(c) for c in image.children)
        fig = E("figure", E("image", src=image.attrs.get("src", ""), alt=alt, line=line), line=line,
                id=smart_id(str(image.attrs["id"])) if image.attrs.get("id") else None)
        title = image.attrs.get("title")
        if title:
            cap = E("caption")
            self.inline(title, cap)
            fig.append(cap)
        return fig

    def _table(self, node: SyntaxTreeNode, line: int | None) -> etree._Element:
        table = E("table", line=line)
        for section in node.children:
            sect = E(section.type)  # thead / tbody
            for tr in section.children:
                row = E("row")
                for cell in tr.children:
                    style = cell.attrs.get("style", "")
                    m = _ALIGN.search(str(style))
                    c = E("cell", align=m.group(1) if m else None)
                    if cell.children:
                        self._inline(cell.children[0], c, line)
                    row.append(c)
                sect.append(row)
            table.append(sect)
        if table.find(q("tbody")) is None:  # a header-only table: its rows become the body
            thead = table.find(q("thead"))
            thead.tag = q("tbody")
        return table

    # ------------------------------------------------------------ references

    def _reference_entries(self, node: SyntaxTreeNode, entries: list) -> None:
        if node.type in ("bullet_list", "ordered_list"):
            for item in node.children:
                for child in item.children:
                    self._reference_entries(child, entries)
            return
        line = self.line(node.map[0]) if node.map else None
        if node.type != "paragraph":
            warn(self.report, "reference-shape", "a reference entry should be one paragraph; kept as text",
                 self.pos(line))
            text = E("text", self._source_text(node).strip())
            entries.append((text, None, line))
            return
        text = E("text")
        self._inline(node.children[0], text, line)
        url = _pop_trailing_url(text)
        if (text.text or len(text)) or url:
            entries.append((text, url, line))

    # ------------------------------------------------------------ inline

    def _inline(self, node: SyntaxTreeNode, container: etree._Element, line: int | None = None) -> None:
        if line is None and node.map:
            line = self.line(node.map[0])
        stack = [container]
        self._inline_nodes(node.children, stack, line)

    def _inline_nodes(self, nodes, stack: list, line: int | None) -> None:
        for node in nodes:
            top = stack[-1]
            kind = node.type
            if kind == "text":
                append(top, node.content)
            elif kind == "softbreak":
                append(top, " ")
            elif kind == "hardbreak":
                top.append(E("br"))
            elif kind in ("em", "strong", "sub", "sup", "s"):
                el = E("strike" if kind == "s" else kind)
                top.append(el)
                self._inline_nodes(node.children, stack + [el], line)
            elif kind == "span":
                lang = str(node.attrs.get("lang", "")).strip()
                other = sorted(k for k in node.attrs if k != "lang")
                if other or not lang:
                    warn(self.report, "unknown-attribute", f"span attributes {other or ['(none)']} are not used "
                         "(only lang=..., as in [texte]{lang=fr}); the text is kept", self.pos(line))
                if lang:
                    el = E("span")
                    el.set(LANG, lang)
                    top.append(el)
                    self._inline_nodes(node.children, stack + [el], line)
                else:
                    self._inline_nodes(node.children, stack, line)
            elif kind in ("math_inline", "math_inline_double"):
                raise self._math_error(line)
            elif kind == "code_inline":
                top.append(E("code", node.content))
            elif kind == "link":
                href = str(node.attrs.get("href", "")).strip()
                if href in ("", "#"):
                    self.dead_links.append(line)
                    self._inline_nodes(node.children, stack, line)
                elif not _parses(href):
                    warn(self.report, "bad-link", f"link target is not a valid URL: {href[:80]!r}; its text kept",
                         self.pos(line))
                    self._inline_nodes(node.children, stack, line)
                elif _UNSAFE_LINK.match(href):
                    warn(self.report, "unsafe-link", f"link to {href.split(':')[0]}: removed, its text kept",
                         self.pos(line))
                    self._inline_nodes(node.children, stack, line)
                else:
                    el = E("link", href=href)
                    top.append(el)
                    self._inline_nodes(node.children, stack + [el], line)
            elif kind == "image":
                alt = "".join(self._source_text(c) for c in node.children)
                warn(self.report, "inline-image",
                     "an image inside running text is kept as its alt text; put it in a paragraph of its own",
                     self.pos(line))
                append(top, alt)
            elif kind == "html_inline":
                self._html_inline(node.content, stack, line)
            elif kind == "footnote_ref":
                self._note_call(node.meta["label"], top, line)
            elif kind == "footnote_anchor":
                pass
            else:  # strikethrough and other syntax the schema has no place for: keep the text
                append(top, self._source_text(node))
        # close any HTML element left open (<sup> without </sup>): the text stays inside it

    def _html_inline(self, tag: str, stack: list, line: int | None) -> None:
        if _HTML_COMMENT.match(tag.strip()):
            return
        m = _HTML_TAG.match(tag.strip())
        name = m.group(2).lower() if m else None
        if m and name == "br":
            stack[-1].append(E("br"))
            return
        if m and name in _HTML_TAGS:
            want = _HTML_TAGS[name]
            if m.group(1):  # closing
                if len(stack) > 1 and etree.QName(stack[-1]).localname == want:
                    stack.pop()
                return
            if not m.group(3):
                if len(stack) > MAX_NESTING:
                    raise PubconvError(f"inline HTML tags nested deeper than {MAX_NESTING} levels are not "
                                       "supported", self.pos(line), "too-deep")
                el = E(want)
                stack[-1].append(el)
                stack.append(el)
            return
        self.raw_html.append(line)
        append(stack[-1], tag)

    def _note_call(self, label: str, top: etree._Element, line: int | None) -> None:
        if self._dry:
            return
        if label not in self._notes:  # a fragment's call whose definition is not in view: keep it visible
            append(top, f"[^{label}]")
            return
        if label in self._called:
            warn(self.report, "duplicate-call",
                 f"footnote [{label}] is called more than once; only the first call gets the note", self.pos(line))
            return
        self._called.add(label)
        fn = self._notes[label]
        self.note_count += 1
        n = int(label) if self.printed_numbers and label.isdigit() else self.note_count
        first = fn.children[0].map[0] if fn.children and fn.children[0].map else None
        note = E("note", id=f"fn-{n}", n=n, line=self.line(first) if first is not None else line)
        for child in fn.children:
            append(note, *self._block(child))
        if not len(note):
            warn(self.report, "empty-note", f"footnote {n} is empty", self.pos(line))
            note.append(E("p", ""))
        top.append(note)

    # ------------------------------------------------------------ helpers

    def _math_error(self, line: int | None) -> PubconvError:
        return PubconvError("TeX math ($...$ or $$...$$) is not supported; write the formula as text (with ~sub~ and "
                            "^sup^) or as an image with alt text, or escape the dollar signs (\\$)",
                            self.pos(line), "math-unsupported")

    def _take_id(self, el: etree._Element) -> str | None:
        """Remove a trailing ``{#id}`` from ``el``'s text and set it as ``el``'s id."""
        last = el[-1] if len(el) else None
        text = (last.tail if last is not None else el.text) or ""
        stripped = text.rstrip()  # string methods, not a search from every position: linear on any input
        start = stripped.rfind("{#")
        if not stripped.endswith("}") or start < 0 or not _ID.fullmatch(stripped, start + 2, len(stripped) - 1):
            return None
        rest = stripped[:start].rstrip() or None
        if last is not None:
            last.tail = rest
        else:
            el.text = rest
        el.set("id", smart_id(stripped[start + 2:-1]))
        return el.get("id")

    def _plain(self, node: SyntaxTreeNode) -> str:
        el = E("heading")
        if node.children:
            self._dry = True  # only the text is wanted: a note called here is taken when the heading is built
            try:
                self._inline(node.children[0], el)
            finally:
                self._dry = False
        return text_of(el)

    def _source_text(self, node: SyntaxTreeNode) -> str:
        if node.type in ("text", "code_inline", "html_inline", "html_block", "code_block", "fence"):
            return node.content
        return "".join(self._source_text(c) for c in node.children)


def _table_captions(blocks: list, builder: MarkdownBuilder) -> None:
    """Pandoc's ``Table: caption`` (or ``: caption``) paragraph right after or before a table becomes its caption."""
    for i, block in enumerate(list(blocks)):
        if isinstance(block, tuple) or block.tag != q("p") or not _TABLE_CAPTION.match(block.text or ""):
            continue
        for j in (i + 1, i - 1):
            if 0 <= j < len(blocks) and not isinstance(blocks[j], tuple) and blocks[j].tag == q("table") \
                    and blocks[j].find(q("caption")) is None:
                table = blocks[j]
                caption = E("caption")
                caption.text = _TABLE_CAPTION.sub("", block.text, count=1)
                for child in list(block):
                    caption.append(child)
                if builder._take_id(caption):
                    table.set("id", caption.attrib.pop("id"))
                table.insert(0, caption)
                blocks[i] = None
                break
    blocks[:] = [b for b in blocks if b is not None]


def _pop_trailing_url(text: etree._Element) -> str | None:
    """Take a URL written at the end of a reference entry (``<https://..>`` or ``[url](url)``) out of its text."""
    if not len(text):
        return None
    last = text[-1]
    if last.tag != q("link") or (last.tail or "").strip():
        return None
    label = text_of(last).strip()
    href = last.get("href")
    if not (_URLISH.match(label) or label.replace("\\", "") == href):
        return None
    text.remove(last)
    # strip the whitespace the URL leaves behind
    if len(text):
        text[-1].tail = (text[-1].tail or "").rstrip() or None
    else:
        text.text = (text.text or "").rstrip() or None
    return href


def _parses(url: str) -> bool:
    try:
        urlsplit(url)
    except ValueError:  # "http://[::1"
        return False
    return True


def undefined_calls(text: str) -> list[str]:
    """Labels written as ``[^x]`` that survive as plain text (calls with no footnote)."""
    return _UNDEFINED_CALL.findall(text)
