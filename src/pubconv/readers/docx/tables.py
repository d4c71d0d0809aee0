"""Tables: header rows (``w:tblHeader``), cells as inline content, merged and nested cells reported."""
from __future__ import annotations

from lxml import etree

from ...document import E, append
from .inline import is_empty, strip_edges
from .package import w


class TableReader:
    """The table part of :class:`~pubconv.readers.docx.body.BodyReader`."""

    def _table(self, tbl: etree._Element) -> etree._Element | None:
        where = self.scope.peek(self.para_no)
        head, body = [], []
        for tr in tbl.iter(w("tr")):
            if _owner_table(tr) is not tbl:
                continue
            trpr = tr.find(w("trPr"))
            if trpr is not None and trpr.find(w("ins")) is not None:
                self._revision("ins")
            if trpr is not None and trpr.find(w("del")) is not None:  # a tracked row deletion: accepted
                self._revision("del")
                for _ in tr.iter(w("p")):
                    self._count()
                continue
            row = E("row")
            for tc in tr.iter(w("tc")):
                if _owner_table(tc) is not tbl:
                    continue
                row.append(self._cell(tc))
            if not len(row):
                continue
            header = tr.find(f"{w('trPr')}/{w('tblHeader')}")
            if header is not None and (header.get(w("val")) or "1") not in ("0", "false", "off") and not body:
                head.append(row)
            else:
                body.append(row)
        if not head and not body:
            return None
        if not head and len(body) > 1 and _all_strong(body[0]):
            head, body = [body[0]], body[1:]  # a first row set in bold is the header row Word was not told of
        if not body:
            head, body = [], head
        self.tables += 1
        table = E("table", where=where, id=f"table-{self.tables}")
        if head:
            table.append(E("thead", *head))
        table.append(E("tbody", *body))
        return table

    def _cell(self, tc: etree._Element) -> etree._Element:
        cell = E("cell")
        tcpr = tc.find(w("tcPr"))
        if tcpr is not None:
            span = tcpr.find(w("gridSpan"))
            vmerge = tcpr.find(w("vMerge"))
            if (span is not None and span.get(w("val")) not in (None, "1")) or vmerge is not None:
                self.note_once("docx-merged-cells")
            if vmerge is not None and vmerge.get(w("val")) != "restart":
                for p in tc.iter(w("p")):
                    self._count()
                return cell
        first = True
        for p in tc.iter(w("p")):
            self._count()
            if _owner_table(p) is not _owner_table(tc):
                self.note_once("docx-nested-table")
            piece = E("p")
            self._inline(p, piece, figures=None)
            strip_edges(piece)
            if is_empty(piece):
                continue
            if not first:
                cell.append(E("br"))
            append(cell, piece.text, *list(piece))
            if first:
                jc = p.find(f"{w('pPr')}/{w('jc')}")
                # left is the default: only what differs from it is kept
                align = {"center": "center", "right": "right", "end": "right"}.get(
                    jc.get(w("val")) if jc is not None else "")
                if align:
                    cell.set("align", align)
            first = False
        return cell


def _owner_table(el: etree._Element) -> etree._Element | None:
    for anc in el.iterancestors(w("tbl")):
        return anc
    return None


def _all_strong(row: etree._Element) -> bool:
    """Every non-empty cell of the row is bold throughout (and at least one is not empty)."""
    filled = [c for c in row if not is_empty(c)]
    return bool(filled) and all(len(c) == 1 and c[0].tag.endswith("}strong") and not (c.text or "").strip()
                                and not (c[0].tail or "").strip() for c in filled)
