"""Reading a PDF back, for the PDF writer's tests: words per page, note text per page, call pages.

Per-page text comes from poppler's ``pdftotext -bbox`` (words with their boxes):
footnote words are the small words below the last body line of a page, so the
notes of the whole document, read page after page, must equal the notes of the
intermediate in order (nothing lost, nothing twice).  Link annotations give the
page of each call.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from pubconv.document import text_of

PT_PER_MM = 72 / 25.4


def need(tool: str) -> str:
    found = shutil.which(tool)
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"{tool} (poppler-utils) is required in CI")
    pytest.skip(f"{tool} (poppler-utils) is not installed")



def words_by_page(data: bytes, tmp: Path) -> list[list[tuple[str, float, float, float]]]:
    """Per page: (word, yMin, yMax, height) in reading order, in PDF points from the top."""
    need("pdftotext")
    src = tmp / "doc.pdf"
    src.write_bytes(data)
    xml = subprocess.run(["pdftotext", "-bbox", str(src), "-"], check=True, capture_output=True).stdout
    xml = re.sub(rb"<!DOCTYPE[^>]*>", b"", xml)
    root = etree.fromstring(xml, etree.XMLParser(recover=True))
    pages = []
    for page in root.iter("{*}page"):
        words = []
        for w in page.iter("{*}word"):
            y0, y1 = float(w.get("yMin")), float(w.get("yMax"))
            words.append((w.text or "", y0, y1, y1 - y0))
        pages.append(words)
    return pages


#: The hyphen WeasyPrint adds where it breaks a word (``hyphenate-character``: U+2010).
ADDED_HYPHEN = "\u2010"


def foot_lines(data: bytes, tmp: Path, low: float = 9.2, high: float = 99.0, top_mm: float = 24,
               bottom_mm: float = 26) -> list[str]:
    """The text of each page's last line of words ``low``–``high`` points tall, "" for a page without.

    Lines are the words inside the margins that share a baseline.  The
    defaults read the running text, set at 9pt or more (word boxes over 9.2pt:
    the body, the references); ``8.2, 8.9`` reads the notes (8.5pt).
    """
    out = []
    with pikepdf.open(BytesIO(data)) as pdf_file:
        heights = [float(p.mediabox[3]) - float(p.mediabox[1]) for p in pdf_file.pages]
    for words, height in zip(words_by_page(data, tmp), heights):
        top, bottom = top_mm * PT_PER_MM, height - bottom_mm * PT_PER_MM
        text = [w for w in words if w[1] >= top - 1 and w[2] <= bottom + 1 and low <= w[3] <= high]
        if not text:
            out.append("")
            continue
        foot = max(w[2] for w in text)
        out.append(" ".join(w[0] for w in text if abs(w[2] - foot) < 3))
    return out


def squeeze(text: str) -> str:
    """Compare text without spaces and hyphens (line breaks and hyphenation vary), any quote as ``'``.

    The PDF sets quotes by the document's language; the intermediate keeps them as typed.
    """
    text = re.sub("[\"\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u00ab\u00bb\u2039\u203a]", "'", text)
    return re.sub(r"[\s\u00ad\u2010\u2011\u200b\u202f-]+", "", text)


def note_text_by_page(data: bytes, tmp: Path, top_mm: float = 24, bottom_mm: float = 26) -> list[str]:
    """The footnote text of each page: note-size words below the last body-size word, inside the margins."""
    out = []
    with pikepdf.open(BytesIO(data)) as pdf_file:
        heights = [float(p.mediabox[3]) - float(p.mediabox[1]) for p in pdf_file.pages]
    for words, height in zip(words_by_page(data, tmp), heights):
        top, bottom = top_mm * PT_PER_MM, height - bottom_mm * PT_PER_MM
        inside = [w for w in words if w[1] >= top - 1 and w[2] <= bottom + 1]
        body = [w for w in inside if w[3] >= 10]
        floor = max((w[2] for w in body), default=top)
        # The theme sets notes at 8.5pt (a word box of ~8.56pt); tables, captions
        # and references are 9pt or more, the body 10.5pt.
        out.append("".join(w[0] for w in inside if w[1] >= floor - 0.5 and 8.2 <= w[3] <= 8.9))
    return out


def call_pages(data: bytes) -> dict[str, int]:
    """{note number: page index} from the links of the calls (``#fn-N``)."""
    found = {}
    with pikepdf.open(BytesIO(data)) as pdf_file:
        for index, page in enumerate(pdf_file.pages):
            for annot in page.obj.get("/Annots", []):
                dest = annot.get("/Dest")
                if dest is not None and re.fullmatch(r"fn-\d+", str(dest)):
                    n = str(dest)[3:]
                    found.setdefault(n, index)
                    rect = [float(v) for v in annot["/Rect"]]
                    assert abs(rect[3] - rect[1]) > 2, "a call's link must have a clickable height"
    return found


def expected_notes(doc) -> list[tuple[str, str]]:
    return [(n.get("n"), squeeze(n.get("n") + text_of(n, notes=True))) for n in doc.xpath("//p:note")]


def note_pages(doc, data: bytes, tmp: Path) -> dict[str, list[int]]:
    """{note number: pages holding its text}, checking that the pages hold every note once, whole, in order.

    A page's note area is: the rest of the notes continued from the page before
    (in order, the last of them possibly going on again), then the notes called
    on the page, any of which may go on to the next page.  Anything else (a
    lost piece, a duplicate, a swap) fails.
    """
    pages = [squeeze(t) for t in note_text_by_page(data, tmp)]
    notes = expected_notes(doc)
    assert notes, "the document has notes"
    where: dict[str, list[int]] = {}
    queue = list(notes)
    pending: list[tuple[str, str]] = []  # (number, text still to print), in order

    def take(index: int, n: str, text: str, pos: int, expected: str) -> tuple[int, str]:
        """Match ``expected`` (or its start, at the page end or before other notes) at ``pos``."""
        rest = text[pos:]
        if rest.startswith(expected):
            return pos + len(expected), ""
        common = len(os.path.commonprefix([rest, expected]))
        assert common == len(rest) or common >= 20, f"page {index + 1}: expected note {n}, found {rest[:60]!r}"
        return pos + common, expected[common:]

    for index, text in enumerate(pages):
        pos = 0
        carried, pending = pending, []
        while carried and pos < len(text):
            n, rest = carried.pop(0)
            where[n].append(index)
            pos, left = take(index, n, text, pos, rest)
            if left:
                pending.append((n, left))
                break  # later continuations wait for this one to end
        pending.extend(carried)
        if pending and pos < len(text):
            assert not carried, f"page {index + 1}: notes after an unfinished continuation"
        while pos < len(text):
            assert queue, f"page {index + 1}: text after the last note: {text[pos:pos + 60]!r}"
            n, full = queue.pop(0)
            where[n] = [index]
            pos, left = take(index, n, text, pos, full)
            if left:
                pending.append((n, left))
    assert not pending, f"notes cut short at the end: {[n for n, _ in pending]}"
    assert not queue, f"notes never printed: {[n for n, _ in queue]}"
    return where


def check_notes(doc, data: bytes, tmp: Path) -> dict[str, list[int]]:
    """Every note once, whole, in order, starting on the page of its call.

    The one exception, as in LaTeX: a note called on a page whose notes run on
    overleaf starts where the note before it ends, on a later page (it cannot
    start earlier and keep the order).
    """
    where = note_pages(doc, data, tmp)
    calls = call_pages(data)
    assert sorted(calls, key=int) == sorted(where, key=int)
    order = sorted(where, key=int)
    feet = None
    for i, n in enumerate(order):
        pages = where[n]
        assert pages == list(range(pages[0], pages[0] + len(pages))), f"note {n} skips a page: {pages}"
        if pages[0] == calls[n]:
            continue
        assert i > 0 and pages[0] > calls[n], f"note {n} starts on page {pages[0] + 1}, its call is on page {calls[n] + 1}"
        end = where[order[i - 1]][-1]
        if pages[0] == end:
            continue
        # Or on the next page, when the note before it was carried past this one's call and fills
        # its last page to the foot: no two lines of this one fit below it.
        feet = _note_feet(data, tmp) if feet is None else feet
        assert pages[0] == end + 1 and end > calls[n] and feet[end], \
            f"note {n} starts on page {pages[0] + 1}, its call is on page {calls[n] + 1}"
    return where


def _note_feet(data: bytes, tmp: Path, bottom_mm: float = 26, lines: float = 2) -> list[bool]:
    """Per page: whether its last note line is within ``lines`` note lines of the foot of its content box."""
    out = []
    with pikepdf.open(BytesIO(data)) as pdf_file:
        heights = [float(p.mediabox[3]) - float(p.mediabox[1]) for p in pdf_file.pages]
    for words, height in zip(words_by_page(data, tmp), heights):
        bottom = height - bottom_mm * PT_PER_MM
        notes = [w for w in words if w[2] <= bottom + 1 and 8.2 <= w[3] <= 8.9]
        out.append(bool(notes) and bottom - max(w[2] for w in notes) < lines * 8.5 * 1.4)
    return out


# ---------------------------------------------------------------- PDF/X-4, as far as pikepdf can tell

#: Colour spaces that paint in RGB: never in a PDF/X-4 page for a CMYK output intent outside images.
_RGB_SPACES = ("/DeviceRGB", "/CalRGB")


def _space_is_rgb(space, resources) -> bool:
    if isinstance(space, pikepdf.Name):
        if str(space) in _RGB_SPACES:
            return True
        named = resources.get("/ColorSpace", {}).get(str(space)) if resources is not None else None
        return named is not None and _space_is_rgb(named, None)
    if isinstance(space, pikepdf.Array) and len(space):
        head = str(space[0])
        if head == "/ICCBased":
            return int(space[1].get("/N", 0)) == 3
        if head == "/Indexed":
            return _space_is_rgb(space[1], resources)
        return head in _RGB_SPACES
    return False


def rgb_painting(pdf_file: pikepdf.Pdf) -> list[str]:
    """Every place a page (or a form, pattern, transparency group it uses) paints in RGB; images are not looked at."""
    found: list[str] = []
    seen: set = set()

    def walk(stream, resources, where: str) -> None:
        if stream.objgen != (0, 0):
            if stream.objgen in seen:
                return
            seen.add(stream.objgen)
        group = stream.get("/Group") if isinstance(stream, (pikepdf.Stream, pikepdf.Dictionary)) else None
        if group is not None and "/CS" in group and _space_is_rgb(group.CS, resources):
            found.append(f"{where}: transparency group in {group.CS}")
        for operands, operator in pikepdf.parse_content_stream(stream):
            op = str(operator)
            if op in ("rg", "RG"):
                found.append(f"{where}: {op} {' '.join(str(v) for v in operands)}")
            elif op in ("cs", "CS") and _space_is_rgb(operands[0], resources):
                found.append(f"{where}: {op} {operands[0]}")
        for kind in ("/XObject", "/Pattern"):
            for name, obj in (resources.get(kind, {}) if resources is not None else {}).items():
                if obj.get("/Subtype") == "/Form" or obj.get("/PatternType") == 1:
                    walk(obj, obj.get("/Resources", resources), f"{where} {name}")

    for number, page in enumerate(pdf_file.pages, start=1):
        walk(page.obj, page.obj.get("/Resources"), f"page {number}")
    return found


def pdf_x4_findings(data: bytes) -> list[str]:
    """What keeps ``data`` from being PDF/X-4 (ISO 15930-7), for the requirements a file can be checked on alone.

    Checked: PDF 1.6 at most; no encryption; a trailer /ID; Info /Title, /CreationDate,
    /ModDate and /Trapped (True or False) matching the XMP's dc:title, xmp:CreateDate and
    pdf:Trapped; XMP pdfxid:GTS_PDFXVersion "PDF/X-4", xmpMM:DocumentID, xmpMM:VersionID and
    xmpMM:RenditionClass; exactly one GTS_PDFX OutputIntent with an OutputConditionIdentifier
    and an embedded output (prtr) ICC profile; each page a TrimBox or an ArtBox (not both)
    inside the MediaBox, and a BleedBox (if any) between them; every font embedded; no RGB
    painting outside images (``rgb_painting``); no JavaScript.  Not checked: images, halftones
    and transfer functions (WeasyPrint writes none), annotations inside the bleed box, and
    whatever a validator such as veraPDF knows beyond this list.
    """
    found: list[str] = []
    with pikepdf.open(BytesIO(data)) as pdf_file:
        if float(pdf_file.pdf_version) > 1.6:
            found.append(f"PDF {pdf_file.pdf_version} (PDF/X-4 is PDF 1.6)")
        if pdf_file.is_encrypted:
            found.append("encrypted")
        if "/ID" not in pdf_file.trailer:
            found.append("no /ID in the trailer")
        info = pdf_file.docinfo
        for key in ("/Title", "/CreationDate", "/ModDate"):
            if key not in info:
                found.append(f"Info has no {key}")
        if str(info.get("/Trapped")) not in ("/True", "/False"):
            found.append(f"Info /Trapped is {info.get('/Trapped')}, not True or False")
        meta = pdf_file.open_metadata()
        if meta.get("pdfxid:GTS_PDFXVersion") != "PDF/X-4":
            found.append(f"XMP pdfxid:GTS_PDFXVersion is {meta.get('pdfxid:GTS_PDFXVersion')!r}")
        for key in ("xmpMM:DocumentID", "xmpMM:VersionID", "xmpMM:RenditionClass", "xmp:CreateDate"):
            if not meta.get(key):
                found.append(f"XMP has no {key}")
        if meta.get("dc:title") != str(info.get("/Title")):
            found.append("XMP dc:title differs from Info /Title")
        if str(meta.get("pdf:Trapped")) != str(info.get("/Trapped")).lstrip("/"):
            found.append("XMP pdf:Trapped differs from Info /Trapped")
        created = str(info.get("/CreationDate", "")).removeprefix("D:")
        if created[:8] != str(meta.get("xmp:CreateDate", "")).replace("-", "")[:8]:
            found.append("XMP xmp:CreateDate differs from Info /CreationDate")
        intents = [i for i in pdf_file.Root.get("/OutputIntents", []) if i.get("/S") == "/GTS_PDFX"]
        if len(intents) != 1:
            found.append(f"{len(intents)} GTS_PDFX OutputIntents (PDF/X-4 needs exactly one)")
        for intent in intents:
            profile = intent.get("/DestOutputProfile")
            if "/OutputConditionIdentifier" not in intent:
                found.append("the OutputIntent has no OutputConditionIdentifier")
            if profile is None:
                found.append("the OutputIntent has no embedded DestOutputProfile")
            elif profile.read_bytes()[12:16] != b"prtr":
                found.append("the OutputIntent's profile is not an output (prtr) profile")
        for number, page in enumerate(pdf_file.pages, start=1):
            boxes = {k: [float(v) for v in page.obj[k]] for k in ("/MediaBox", "/TrimBox", "/ArtBox", "/BleedBox")
                     if k in page.obj}
            finished = boxes.get("/TrimBox") or boxes.get("/ArtBox")
            if finished is None or ("/TrimBox" in boxes and "/ArtBox" in boxes):
                found.append(f"page {number}: not exactly one of TrimBox and ArtBox")
                continue

            def inside(inner, outer) -> bool:
                return (inner[0] >= outer[0] - 0.01 and inner[1] >= outer[1] - 0.01
                        and inner[2] <= outer[2] + 0.01 and inner[3] <= outer[3] + 0.01)

            outer = boxes.get("/BleedBox", boxes["/MediaBox"])
            if not inside(finished, outer) or not inside(outer, boxes["/MediaBox"]):
                found.append(f"page {number}: the trim, bleed and media boxes do not nest")
            for font in page.resources.get("/Font", {}).values():
                descriptors = [font.get("/FontDescriptor")] + [
                    d.get("/FontDescriptor") for d in font.get("/DescendantFonts", [])]
                if font.get("/Subtype") != "/Type3" and not any(
                        d is not None and any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                        for d in descriptors):
                    found.append(f"page {number}: font {font.get('/BaseFont')} is not embedded")
        found += rgb_painting(pdf_file)
        if "/JavaScript" in pdf_file.Root.get("/Names", {}) or "/AA" in pdf_file.Root:
            found.append("JavaScript or additional actions")
    return found
