"""Print-shop colour for PDF/X: every colour the PDF paints is CMYK, black and greys on K alone.

What this module owns: the one RGB-to-CMYK conversion of the PDF/X builds,
applied twice.  :func:`theme_css` rewrites the colours the theme's stylesheet
gives in RGB (``#7a1f1f``, ``rgb(…)``, ``black``…) as ``device-cmyk(…)``
before WeasyPrint reads it, so links, rules, headings and tints are painted
in DeviceCMYK; :func:`finish_streams` rewrites what WeasyPrint itself still
paints in DeviceRGB (its crop and cross marks, fully transparent fills) in the
PDF's content streams.  Images keep their own colour space.

The conversion is the device one, without a profile: ``k = 1 - max(r, g, b)``
and the rest of each channel on C, M, Y.  A grey (``r = g = b``) is K only,
so black text is ``0 0 0 1``, never four-colour black.
"""
from __future__ import annotations

import re

#: CSS colours by name that a theme is likely to write (CSS Color 4; the rest stay as written).
_NAMED = {"black": (0, 0, 0), "white": (255, 255, 255), "gray": (128, 128, 128), "grey": (128, 128, 128),
          "silver": (192, 192, 192), "dimgray": (105, 105, 105), "dimgrey": (105, 105, 105),
          "darkgray": (169, 169, 169), "darkgrey": (169, 169, 169), "lightgray": (211, 211, 211),
          "lightgrey": (211, 211, 211), "red": (255, 0, 0), "maroon": (128, 0, 0), "navy": (0, 0, 128),
          "blue": (0, 0, 255)}
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)%?"
_COLOUR = re.compile(r"(?<![\w#-])(?:#(?P<hex>[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3,4})(?![\w-])"
                     rf"|rgba?\(\s*(?P<rgb>{_NUMBER}(?:(?:\s*,\s*|\s+){_NUMBER}){{2}})(?:\s*[,/]\s*(?P<alpha>{_NUMBER}))?\s*\)"
                     rf"|(?P<name>{'|'.join(_NAMED)})(?![\w-]))", re.I)
#: A declaration's value: after a colon, up to ``;`` or ``}`` (a selector ends at ``{`` and is left alone).
_VALUE = re.compile(r"(?<=:)[^;{}]*(?=[;}])")
_RGB_OPERATOR = re.compile(rb"^(?P<r>[\d.]+) (?P<g>[\d.]+) (?P<b>[\d.]+) (?P<op>rg|RG)$")


def cmyk(red: float, green: float, blue: float) -> tuple[float, float, float, float]:
    """Device CMYK (0–1) for device RGB (0–1), rounded to 3 decimals; a grey is K only."""
    k = 1 - max(red, green, blue)
    if k >= 1:
        return (0.0, 0.0, 0.0, 1.0)
    c, m, y = ((1 - v - k) / (1 - k) for v in (red, green, blue))
    return tuple(round(v, 3) + 0.0 for v in (c, m, y, k))


def _css_colour(match: re.Match) -> str:
    if match.group("hex"):
        digits = match.group("hex")
        if len(digits) in (3, 4):
            digits = "".join(d * 2 for d in digits)
        values = [int(digits[i:i + 2], 16) / 255 for i in range(0, len(digits), 2)]
        rgb, alpha = values[:3], (f"{values[3]:.3g}" if len(values) == 4 else None)
    elif match.group("rgb"):
        parts = re.split(r"\s*[,\s]\s*", match.group("rgb").strip())
        rgb = [float(p[:-1]) / 100 if p.endswith("%") else float(p) / 255 for p in parts]
        alpha = match.group("alpha")
    else:
        rgb, alpha = [v / 255 for v in _NAMED[match.group("name").lower()]], None
    channels = " ".join(f"{v:g}" for v in cmyk(*rgb))
    return f"device-cmyk({channels}{' / ' + alpha if alpha else ''})"


def theme_css(css: str) -> str:
    """``css`` with every RGB colour in a declaration written as ``device-cmyk(…)``."""
    return _VALUE.sub(lambda value: _COLOUR.sub(_css_colour, value.group(0)), css)


def finish_streams(pdf) -> int:
    """Rewrite DeviceRGB ``rg``/``RG`` operators in the content streams of a pydyf PDF as ``k``/``K``.

    Returns how many were rewritten.  Image streams are left alone.
    """
    count = 0
    for obj in pdf.objects:
        items = getattr(obj, "stream", None)
        if not isinstance(items, list) or getattr(obj, "extra", {}).get("Subtype") == "/Image":
            continue
        for i, item in enumerate(items):
            if not isinstance(item, bytes):
                continue
            match = _RGB_OPERATOR.match(item)
            if match:
                values = cmyk(*(float(match.group(n)) for n in "rgb"))
                operator = b"k" if match.group("op") == b"rg" else b"K"
                items[i] = b" ".join(f"{v:g}".encode() for v in values) + b" " + operator
                count += 1
    return count
