"""Tiny .docx packages written by hand for the reader's unit tests (tests/readers/test_docx.py).

``package(body_xml, ...)`` zips a WordprocessingML body with whatever parts a case needs;
``p(text, style=...)`` and ``r(text, rpr=...)`` write paragraphs and runs.
"""
from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NSDECL = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
          'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
          'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
          'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
          'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"')
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_PARTS = {"styles": "styles.xml", "numbering": "numbering.xml", "footnotes": "footnotes.xml",
          "endnotes": "endnotes.xml", "comments": "comments.xml"}


def r(text: str, rpr: str = "") -> str:
    return f'<w:r>{f"<w:rPr>{rpr}</w:rPr>" if rpr else ""}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def p(*content: str, style: str | None = None, ppr: str = "") -> str:
    runs = "".join(c if c.startswith("<") else r(c) for c in content)
    props = (f'<w:pStyle w:val="{style}"/>' if style else "") + ppr
    return f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}{runs}</w:p>"


def style(sid: str, name: str, based_on: str | None = None, kind: str = "paragraph", extra: str = "") -> str:
    based = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    return f'<w:style w:type="{kind}" w:styleId="{sid}"><w:name w:val="{name}"/>{based}{extra}</w:style>'


def styles(*defs: str) -> str:
    return f'<w:styles {NSDECL}>{"".join(defs)}</w:styles>'


def notes(kind: str, *items: tuple[str, str], separators: bool = True) -> str:
    """``notes("footnote", ("1", p(...)), ...)``; Word's separator notes first unless told not to."""
    sep = (f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
           f'<w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
           f'</w:{kind}>') if separators else ""
    body = "".join(f'<w:{kind} w:id="{i}">{content}</w:{kind}>' for i, content in items)
    return f"<w:{kind}s {NSDECL}>{sep}{body}</w:{kind}s>"


def package(body: str, *, parts: dict[str, str] | None = None, rels: str = "", core: str | None = None,
            members: dict[str, bytes | str] | None = None, document: str | None = None) -> bytes:
    """A .docx: ``parts`` maps styles/numbering/footnotes/endnotes/comments to their XML."""
    parts = parts or {}
    doc_rels = "".join(f'<Relationship Id="rId{kind}" Type="{REL}/{kind}" Target="{_PARTS[kind]}"/>'
                       for kind in parts) + rels
    files: dict[str, bytes | str] = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                               'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                               '<Default Extension="png" ContentType="image/png"/></Types>',
        "_rels/.rels": f'<?xml version="1.0"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                       f'Type="{REL}/officeDocument" Target="word/document.xml"/>'
                       + (f'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
                          f'relationships/metadata/core-properties" Target="docProps/core.xml"/>' if core else "")
                       + "</Relationships>",
        "word/document.xml": document if document is not None else
        f'<?xml version="1.0"?><w:document {NSDECL}><w:body>{body}</w:body></w:document>',
        "word/_rels/document.xml.rels": f'<?xml version="1.0"?><Relationships xmlns="{PKG}">{doc_rels}</Relationships>',
    }
    for kind, xml in parts.items():
        files[f"word/{_PARTS[kind]}"] = xml
    if core:
        files["docProps/core.xml"] = (
            '<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/'
            f'dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{core}</cp:coreProperties>')
    files.update(members or {})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()
