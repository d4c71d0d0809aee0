"""The EPUB's cover: the user's image, or one drawn from the metadata.

:func:`cover` returns the image for the package: the file named by the
front matter's ``cover:`` (``meta/cover/@src``, resolved under the source
folder like any image), else ``[epub] cover`` (``options.cover``), else a PNG
of :data:`SIZE` drawn with Pillow from the theme and the metadata: the series
label and number in a band at the top, the title, subtitle, authors, and the
publisher's logo and name at the foot.

Stores ask for a tall raster image (Apple: at least 1400 px wide; Kobo and
Google: 1600 × 2560 is the common recommendation), so the generated cover is
1600 × 2560 PNG.  Pillow writes the same bytes for the same input (no time or
text chunks are written), so the EPUB stays reproducible.  The text face is
the theme's (TeX Gyre Pagella, found with fontconfig's usual folders); without
it Pillow's own scalable face is used.

The colours are the theme's: ``styles/cover.toml`` in a ``[theme] dir`` override
may set ``background``, ``band`` and ``ink`` (``#rrggbb``).
"""
from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path

from ... import theme
from ...document import XPATH_NS, Document, text_of
from ...errors import SourcePos
from . import content as content_mod

SIZE = (1600, 2560)
MARGIN = 140
COLOURS = {"background": "#fbf9f4", "band": "#1f3a5f", "ink": "#1a1a1a", "band_ink": "#ffffff"}
FONT_DIRS = ("/usr/share/texmf/fonts/opentype/public/tex-gyre", "/usr/share/fonts/opentype/tex-gyre",
             "/usr/share/fonts", "/usr/local/share/fonts")
FACES = {"regular": "texgyrepagella-regular.otf", "bold": "texgyrepagella-bold.otf",
         "italic": "texgyrepagella-italic.otf"}


@dataclass(frozen=True)
class Cover:
    image: content_mod.Image
    generated: bool
    alt: str


def _font_file(face: str) -> Path | None:
    for folder in FONT_DIRS:
        base = Path(folder)
        if not base.is_dir():
            continue
        direct = base / FACES[face]
        if direct.is_file():
            return direct
        found = sorted(base.rglob(FACES[face]))
        if found:
            return found[0]
    return None


def _font(face: str, size: int):
    from PIL import ImageFont

    path = _font_file(face)
    if path is not None:
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def _colours(theme_dir: Path | None) -> dict[str, str]:
    colours = dict(COLOURS)
    for folder in reversed(theme.search_path("styles", theme_dir)):
        spec = folder / "cover.toml"
        if spec.is_file():
            if sys.version_info >= (3, 11):
                import tomllib
            else:  # pragma: no cover
                import tomli as tomllib
            data = tomllib.loads(spec.read_text(encoding="utf-8"))
            colours.update({k: v for k, v in data.items() if k in COLOURS and isinstance(v, str)})
    return colours


def _wrap(draw, text: str, font, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(lines[-1] + " " + word, font=font) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _fit(draw, text: str, face: str, size: int, width: int, max_lines: int):
    """The largest size (from ``size`` down) at which ``text`` fits in ``max_lines`` lines."""
    while True:
        font = _font(face, size)
        lines = _wrap(draw, text, font, width)
        if len(lines) <= max_lines or size <= 36:
            return font, lines, size
        size = int(size * 0.9)


def generate(doc: Document, logo: Path | None, theme_dir: Path | None) -> bytes:
    """A PNG cover of :data:`SIZE` from the metadata (deterministic bytes).

    The cover is drawn in palette indices (one byte a pixel, anti-aliased): the band is index 0 and
    its text is drawn with index 127, the page below it is 128 and its text 255, so an edge pixel
    of a letter gets the index in between that its coverage gives.  The palette maps 0–127 from
    the band's colour to its ink and 128–255 from the background to the ink.  An 8-bit PNG of that
    is a third of the data of an RGB one and encodes several times faster, and its steps of 1/127
    between two colours are finer than an eye sees.  With a logo (any colours) the cover is RGB.
    """
    from PIL import Image, ImageColor, ImageDraw

    colours = {k: ImageColor.getrgb(v)[:3] for k, v in _colours(theme_dir).items()}
    width, height = SIZE
    text_width = width - 2 * MARGIN
    band_height = 520
    img = Image.new("L", SIZE, 0)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, band_height, width, height), fill=128)
    ink = 127  # in the band; 255 below it

    series = doc.find("p:meta/p:series")
    label = series_title = number = ""
    if series is not None:
        for child in series:
            name = child.tag.rsplit("}", 1)[-1]
            if name == "title":
                series_title = " ".join(text_of(child).split())
            elif name == "number":
                number = " ".join(text_of(child).split())
            elif name == "label":
                label = " ".join(text_of(child).split())
    y = 170
    if label or number:
        font = _font("bold", 120)
        draw.text((MARGIN, y), " ".join(p for p in (label, number) if p), font=font, fill=ink)
        y += 150
    if series_title:
        font, lines, size = _fit(draw, series_title, "regular", 64, text_width, 2)
        for line in lines:
            draw.text((MARGIN, y), line, font=font, fill=ink)
            y += int(size * 1.25)

    y = band_height + 220
    ink = 255
    title = " ".join(doc.title.split())
    font, lines, size = _fit(draw, title, "bold", 132, text_width, 6)
    for line in lines:
        draw.text((MARGIN, y), line, font=font, fill=ink)
        y += int(size * 1.2)
    subtitle = " ".join(text_of(doc.find("p:meta/p:subtitle")).split())
    if subtitle:
        y += 50
        font, lines, size = _fit(draw, subtitle, "italic", 76, text_width, 5)
        for line in lines:
            draw.text((MARGIN, y), line, font=font, fill=ink)
            y += int(size * 1.25)
    authors = [" ".join(p for p in (text_of(a.find("p:name/p:given", XPATH_NS)),
                                    text_of(a.find("p:name/p:family", XPATH_NS))) if p.strip())
               for a in doc.xpath("p:meta/p:authors/p:author")]
    if authors:
        y += 110
        font, lines, size = _fit(draw, ", ".join(" ".join(a.split()) for a in authors), "regular", 80,
                                 text_width, 4)
        for line in lines:
            draw.text((MARGIN, y), line, font=font, fill=ink)
            y += int(size * 1.3)

    foot = height - MARGIN
    publisher = " ".join(text_of(doc.find("p:meta/p:publisher/p:name")).split())
    if publisher:
        font, lines, size = _fit(draw, publisher, "regular", 60, text_width, 2)
        for line in reversed(lines):
            foot -= int(size * 1.3)
            draw.text((MARGIN, foot), line, font=font, fill=ink)

    img.putpalette([c for pair in (("band", "band_ink"), ("background", "ink")) for step in range(128)
                    for c in _blend(colours[pair[0]], colours[pair[1]], step / 127)])
    if logo is not None and logo.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif", ".webp"):
        img = img.convert("RGB")
        with Image.open(logo) as mark:
            mark = mark.convert("RGBA")
            mark.thumbnail((text_width, 260))
            top = foot - 40 - mark.height
            img.paste(mark, (MARGIN, top), mark)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=False, compress_level=3)  # 6: 2.5x the time for 20% less
    return out.getvalue()


def _blend(start: tuple, end: tuple, t: float) -> tuple[int, ...]:
    return tuple(round(a + (b - a) * t) for a, b in zip(start, end))


def cover(doc: Document, options, number: int) -> Cover:
    """The cover image for the package (``number`` makes its package name unique)."""
    title = " ".join(doc.title.split())
    alt = f"{content_mod.cover_label(doc.lang)}: {title}"  # in the book's language, like the page around it
    element = doc.find("p:meta/p:cover")
    if element is not None:
        src, pos = element.get("src", ""), doc.pos(element)
        target = content_mod._resolve(src, Path(doc.base_dir).resolve(), pos)
        image = content_mod.load_image(target, src, pos, number)
        return Cover(_renamed(image, "cover"), False, alt)
    if options.cover is not None:
        path = Path(options.cover).resolve()
        image = content_mod.load_image(path, str(options.cover), SourcePos(str(options.cover)), number)
        return Cover(_renamed(image, "cover"), False, alt)
    data = generate(doc, options.logo, options.theme_dir)
    image = content_mod.Image(Path("cover.png"), "images/cover.png", "image/png", data)
    return Cover(image, True, alt)


def _renamed(image: content_mod.Image, stem: str) -> content_mod.Image:
    suffix = Path(image.name).suffix
    return content_mod.Image(image.path, f"images/{stem}{suffix}", image.media_type, image.data)
