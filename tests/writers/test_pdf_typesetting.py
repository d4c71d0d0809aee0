"""Issue 16: the PDF typeset as a careful typesetter would, read back from the PDFs.

Two builds are shared by the module: fixtures/pdf/accidents (calls at line ends, runs of
calls, a call after a space, bare and long URLs, a DOI given twice, a reference list
ending on a page turn) and fixtures/pdf/mixed-scripts (Hindi, Bengali, Sinhala, Chinese,
emoji, Urdu, Hebrew, Tamil, Thai).  The rest are checks without a layout.
"""
from __future__ import annotations

import re
import subprocess
from io import BytesIO
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from pubconv import api
from pubconv.errors import Collector, PubconvError
from pubconv.writers import WriteOptions, pdf, typography, xhtml
from pubconv.writers.pdf import weasyprint_fixes
from pdf_reading import ADDED_HYPHEN, PT_PER_MM, check_notes, foot_lines, need, pdf_x4_findings

ROOT = Path(__file__).resolve().parents[2]
ACCIDENTS = ROOT / "fixtures" / "pdf" / "accidents" / "accidents.md"
MIXED = ROOT / "fixtures" / "pdf" / "mixed-scripts" / "mixed-scripts.md"
FOOT_HYPHENS = ROOT / "fixtures" / "pdf" / "page-foot-hyphens" / "page-foot-hyphens.md"
SAMPLE = ROOT / "fixtures" / "sample" / "comment-118.md"


def build(path: Path, **options) -> bytes:
    found = Collector()
    data = pdf.write(api.read(path), WriteOptions(**options), found)
    assert not found.errors
    return data


@pytest.fixture(scope="module")
def accidents():
    return build(ACCIDENTS)


@pytest.fixture(scope="module")
def mixed():
    return build(MIXED)


def lines_of(data: bytes, tmp: Path) -> list[list[list[tuple[str, float, float, float, float]]]]:
    """Per page, per line: words as (text, xMin, yMin, xMax, yMax) from pdftotext -bbox."""
    need("pdftotext")
    (tmp / "d.pdf").write_bytes(data)
    xml = subprocess.run(["pdftotext", "-bbox", str(tmp / "d.pdf"), "-"], check=True, capture_output=True).stdout
    root = etree.fromstring(re.sub(rb"<!DOCTYPE[^>]*>", b"", xml), etree.XMLParser(recover=True))
    pages = []
    for page in root.iter("{*}page"):
        rows: dict[float, list] = {}
        for w in page.iter("{*}word"):
            box = (w.text or "", float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")), float(w.get("yMax")))
            key = next((k for k in rows if abs(k - box[4]) < 6), box[4])
            rows.setdefault(key, []).append(box)
        pages.append([sorted(r, key=lambda b: b[1]) for _, r in sorted(rows.items())])
    return pages


def uris(data: bytes) -> list[str]:
    with pikepdf.open(BytesIO(data)) as doc:
        return [str(a.A.URI) for p in doc.pages for a in p.obj.get("/Annots", []) if "/A" in a and "/URI" in a.A]


def page_text(data: bytes, tmp: Path) -> str:
    (tmp / "t.pdf").write_bytes(data)
    return subprocess.run(["pdftotext", "-raw", str(tmp / "t.pdf"), "-"], check=True, capture_output=True,
                          text=True).stdout


# ---------------------------------------------------------------- calls


def test_no_line_starts_with_a_call(accidents, tmp_path):
    for page in lines_of(accidents, tmp_path):
        for line in page:
            if not any(w[4] - w[2] >= 10 for w in line):
                continue  # a note line starts with its number
            first = line[0]
            small = first[4] - first[2] < 9
            assert not (small and re.fullmatch(r"[\d,]+", first[0])), f"a line starts with the call {first[0]!r}"


@pytest.fixture(scope="module")
def sample():
    return build(SAMPLE)


@pytest.mark.parametrize("source", ["accidents", "sample"])
def test_no_word_alone_on_a_line_in_a_paragraph(source, request, tmp_path):
    # WeasyPrint 70's fault (docs/pdf.md): a line broken at its first space, leaving one word or the
    # start of a hyphenated one ("Sev‐" in the accidents, "wa‐" in the sample, with the spaces outside
    # the glue).  A line of one word without a full stop is never a paragraph's end here (a heading
    # is capitalised and not hyphenated).
    body = [line for page in lines_of(request.getfixturevalue(source), tmp_path) for line in page
            if all(10 <= w[4] - w[2] <= 13 for w in line)]
    lonely = [line[0][0] for line in body if len(line) == 1 and re.fullmatch(r"[a-z’]+[-\u2010]?|[A-Za-z’]+[-\u2010]", line[0][0])]
    assert lonely == [], lonely


def test_adjacent_calls_are_separated_and_a_space_before_a_call_is_dropped(accidents, tmp_path):
    pairs = {}
    for page in lines_of(accidents, tmp_path):
        for line in page:
            for a, b in zip(line, line[1:]):
                if a[4] - a[2] >= 10 and b[4] - b[2] < 9 and re.fullmatch(r"[\d,]+", b[0]):
                    pairs[b[0]] = (a[0], b[1] - a[3])
    assert pairs["6,7,8"][0].endswith("it.") and pairs["6,7,8"][1] < 1.0
    assert pairs["9"][0].endswith("word.") and pairs["9"][1] < 1.0  # typed "word. [^a4]": no space kept


# ---------------------------------------------------------------- URLs


def test_bare_urls_become_links_and_break_without_hyphens(accidents, tmp_path):
    links = uris(accidents)
    for url in ("https://www.crps.example.org/publications/working-notes/2023/low-water-planning-and-the-"
                "carnegieendowment-archive?lang=en&format=pdf", "https://www.crps.example.eu/notes",
                "https://data.crps.example.org/api/v2/series/danube-gauges?station=orsova&from=2003-01-01&to="
                "2022-12-31&format=csv"):
        assert url in links, url
    flat = re.sub(r"\s+", "", page_text(accidents, tmp_path))
    for url in re.findall(r"https://\S+?(?= |\n|$)", ACCIDENTS.read_text()):
        url = url.rstrip(".;>")
        if "carnegie" in url or "very/long" in url:
            assert url in flat, f"{url} was cut with a hyphen or lost characters"
    assert "\u2010" not in "".join(re.findall(r"https?://\S+", page_text(accidents, tmp_path)))


def test_a_long_query_string_breaks_only_after_its_separators(tmp_path):
    # Pango alone breaks a URL after "-" and "//" only; past that, the links' overflow-wrap cuts a query
    # string of 110 characters anywhere ("fields=l|evel", with the break points after ? & . switched off).
    url = ("https://data.crps.example.org/series?station=orsova&from=20030101&to=20221231&format=csv"
           "&fields=level,discharge,temperature,ice&units=metric&lang=en")
    source = tmp_path / "u.md"
    source.write_text("---\ntitle: URLs\ndate: 2023-03-14\n---\n\nThe gauge series are at " + url
                      + " for anyone.[^1]\n\n[^1]: And in a note: " + url + "\n", encoding="utf-8")
    data = build(source)
    with pikepdf.open(BytesIO(data)) as doc:
        width = float(doc.pages[0].mediabox[2])
    words = [w for page in lines_of(data, tmp_path) for line in page for w in line]
    assert url in re.sub(r"\s+", "", page_text(data, tmp_path))
    assert max(w[3] for w in words) <= width * (1 - 0.21) + 1, max(words, key=lambda w: w[3])
    lines = page_text(data, tmp_path).splitlines()
    cuts = [(a.split(" ")[-1], b.split(" ")[0]) for a, b in zip(lines, lines[1:]) if a.strip() and b.strip()]
    cuts = [(a, b) for a, b in cuts if a + b in url]
    assert len(cuts) >= 2 and all(a[-1] in "/.-?&" for a, _ in cuts), cuts


def test_lines_with_urls_are_not_stretched(accidents, tmp_path):
    for page in lines_of(accidents, tmp_path):
        for line in page:
            if any("://" in w[0] or "example" in w[0] for w in line) and len(line) > 1:
                size = max(w[4] - w[2] for w in line)
                gaps = [b[1] - a[3] for a, b in zip(line, line[1:])]
                assert max(gaps) < 0.6 * size, (" ".join(w[0] for w in line), gaps)


# ---------------------------------------------------------------- references


def test_reference_entries_keep_their_first_words_and_print_a_doi_once(accidents, tmp_path):
    text = page_text(accidents, tmp_path)
    assert not re.search(r"^(Ignatius|Popescu|Tanasă|Wagner),$", text, re.M)
    assert re.sub(r"\s+", "", text).count("10.5555/hsr.2021.66.4.512") == 1
    assert "https://doi.org/10.5555/hsr.2021.66.4.512" in uris(accidents)


def test_every_reference_entry_joins_its_first_two_words_in_the_print_xhtml():
    """The rule behind "Ignatius," alone on a line, checked where it is applied: at today's measure the
    accidents fixture no longer makes WeasyPrint break there (docs/pdf.md), so the page test above
    cannot catch the rule's loss by itself."""
    from lxml import etree

    html = xhtml.render(api.read(ACCIDENTS), WriteOptions(), Collector(), target="pdf")
    tree = etree.fromstring(html.encode("utf-8"))
    entries = tree.xpath("//*[local-name()='li'][ancestor::*[contains(@class, 'ref')]]")
    assert len(entries) >= 4
    for li in entries:
        assert re.match(r"^\s*\S+\u00a0\S", li.text or ""), li.text


def test_the_last_reference_entry_is_not_alone(accidents, tmp_path):
    pages = page_text(accidents, tmp_path).split("\f")
    last = next(p for p in reversed(pages) if "Wagner, S." in p)
    assert "Tanasă" in last


# ---------------------------------------------------------------- page turns


def hyphenated_feet(data: bytes, tmp: Path, *sizes: float) -> list[int]:
    """Pages (1-based) whose last line (of running text, or of notes with ``8.2, 8.9``) ends in an added hyphen."""
    return [i + 1 for i, line in enumerate(foot_lines(data, tmp, *sizes)) if line.endswith(ADDED_HYPHEN)]


@pytest.mark.parametrize("source", ["page-foot-hyphens", "sample", "seed"])
def test_no_word_is_hyphenated_across_a_page_turn(source, request, tmp_path, monkeypatch):
    path = {"page-foot-hyphens": FOOT_HYPHENS, "sample": SAMPLE}.get(source) or request.getfixturevalue("seed_path")
    monkeypatch.setattr(weasyprint_fixes.FixedLayoutContext, "_pc_whole_words", False)
    unfixed = build(path)
    monkeypatch.undo()
    fixed = build(path)
    assert hyphenated_feet(unfixed, tmp_path), f"{source} no longer ends a page in a hyphen without the rule"
    assert hyphenated_feet(fixed, tmp_path) == []
    check_notes(api.read(path), fixed, tmp_path)
    if source == "page-foot-hyphens":  # a note that runs on overleaf is cut at a whole word too
        assert hyphenated_feet(unfixed, tmp_path, 8.2, 8.9) and hyphenated_feet(fixed, tmp_path, 8.2, 8.9) == []


# ---------------------------------------------------------------- measure, imprint, metadata


def test_measure_is_65_to_75_characters(accidents, tmp_path):
    lengths = [len(" ".join(w[0] for w in line)) for page in lines_of(accidents, tmp_path) for line in page
               if len(line) > 6 and all(10 <= w[4] - w[2] <= 13 for w in line)]
    lengths.sort()
    assert 60 <= lengths[len(lengths) // 2] <= 75, lengths


def test_running_head_from_short_title(accidents, tmp_path):
    page = lines_of(accidents, tmp_path)[1]
    head = " ".join(w[0] for w in page[0])
    assert head.endswith("Accidents a typesetter looks for"), head


def test_title_page_and_imprint(accidents, tmp_path):
    pages = page_text(accidents, tmp_path).split("\f")
    first = pages[0]
    assert "CRPSCOMMENTNO.950" in re.sub(r"\s+", "", first)
    for part in ("Centre for Regional Policy Studies, Vienna", "14 March 2023",
                 "https://doi.org/10.5555/CRPS.ISSN.2791-4410.C950", "ISSN 2791-4410 (online)"):
        assert part in first.replace("\n", " "), part
    end = re.sub(r"\s+", " ", pages[-2] if not pages[-1].strip() else pages[-1])
    assert "© 2023 Jan Novák. Published under CC BY 4.0" in end
    assert "Cite as: Novák, J. (2023). Accidents a typesetter looks for:" in end
    assert "https://creativecommons.org/licenses/by/4.0/" in uris(accidents)


def test_xmp_in_every_build(accidents):
    with pikepdf.open(BytesIO(accidents)) as doc:
        assert "/Filter" not in doc.Root.Metadata
        meta = doc.open_metadata()
        assert meta.get("dc:identifier") == "doi:10.5555/CRPS.ISSN.2791-4410.C950"
        assert "CC BY 4.0" in str(meta.get("dc:rights"))
        assert meta.get("xmpRights:WebStatement") == "https://creativecommons.org/licenses/by/4.0/"
        assert meta.get("{http://prismstandard.org/namespaces/basic/3.0/}doi") == "10.5555/CRPS.ISSN.2791-4410.C950"
        assert meta.get("{http://prismstandard.org/namespaces/basic/3.0/}eIssn") == "2791-4410"


def test_body_text_is_pure_black(accidents):
    with pikepdf.open(BytesIO(accidents)) as doc:
        stream = doc.pages[1].Contents.read_bytes()
    fills = set(re.findall(rb"([\d.]+ [\d.]+ [\d.]+) rg\s+BT", stream)) or set(re.findall(rb"([\d.]+ [\d.]+ [\d.]+) rg", stream))
    assert b"0 0 0" in fills


def test_pdf_x4_with_a_5mm_bleed_and_marks_outside_it(tmp_path):
    data = build(ACCIDENTS, pdf_variant="pdf/x-4", bleed="5mm", crop_marks=True)
    with pikepdf.open(BytesIO(data)) as doc:
        page = doc.pages[0].obj
        trim, bleed, media = ([float(v) for v in page[k]] for k in ("/TrimBox", "/BleedBox", "/MediaBox"))
        assert bleed[0] == pytest.approx(trim[0] - 5 * PT_PER_MM, abs=0.05)
        assert bleed[2] == pytest.approx(trim[2] + 5 * PT_PER_MM, abs=0.05)
        assert media[0] < bleed[0] - 5 and "/Filter" not in doc.Root.Metadata
        assert b"0 0 0 1 scn" in doc.pages[0].Contents.read_bytes()  # K-only black
        assert doc.open_metadata().get("xmpMM:DocumentID").startswith("xmp.did:")
    # Every colour painted is CMYK (rg/RG anywhere, the marks included, or an RGB colour space, is a
    # finding), and the one output intent is the theme's FOGRA39 profile, a registered condition.
    assert pdf_x4_findings(data) == []
    with pikepdf.open(BytesIO(data)) as doc:
        (intent,) = doc.Root.OutputIntents
        assert (str(intent.OutputConditionIdentifier), str(intent.RegistryName)) == ("FOGRA39", "http://www.color.org")
        assert intent.DestOutputProfile.N == 4
    need("pdftoppm")
    (tmp_path / "x.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "72", "-f", "1", "-l", "1", "-gray", str(tmp_path / "x.pdf"),
                    str(tmp_path / "x")], check=True)
    from PIL import Image

    image = Image.open(next(tmp_path.glob("x*.pgm")))
    scale = image.width / (media[2] - media[0])
    left_of_bleed = int((bleed[0] - media[0]) * scale)
    # The bleed band at the top-left corner (between the bleed box and the trim box) is blank; the marks are outside it.
    band = image.crop((left_of_bleed + 1, left_of_bleed + 1, int((trim[0] - media[0]) * scale) - 1,
                       int((trim[0] - media[0]) * scale) - 1))
    assert band.getextrema()[0] > 200
    assert image.crop((0, 0, left_of_bleed, left_of_bleed + 40)).getextrema()[0] < 200


# ---------------------------------------------------------------- scripts and fonts


def test_every_script_has_a_face(mixed):
    with pikepdf.open(BytesIO(mixed)) as doc:
        names = {str(f.get("/BaseFont")).split("+", 1)[-1] for p in doc.pages for f in p.resources.Font.values()}
    for face in ("Devanagari", "Bengali", "Sinhala", "CJK", "Emoji", "Nastaliq-Urdu", "Hebrew", "Tamil", "Thai"):
        assert any(face in n for n in names), (face, names)


def test_rtl_paragraphs_are_set_right_to_left():
    html = xhtml.render(api.read(MIXED), WriteOptions(), Collector(), target="pdf")
    assert html.count('dir="rtl"') == 2 and html.count('lang="ur"') == 1  # Urdu, then Hebrew


def test_a_character_no_font_has_is_an_error(monkeypatch):
    from pubconv.writers.pdf import fonts

    monkeypatch.setattr(fonts, "all_coverage", lambda: fonts.Coverage([(0x20, 0x24F)]))
    with pytest.raises(PubconvError) as err:
        pdf.write(api.read(MIXED), WriteOptions(), Collector())
    assert err.value.code == "missing-glyph"
    assert "U+" in str(err.value) and "install the Debian package fonts-noto-" in str(err.value)
    assert err.value.pos.line == 15  # the Hebrew paragraph: U+05D0 is the first character missing


def test_a_missing_text_face_is_an_error(monkeypatch):
    from pubconv.writers.pdf import fonts

    monkeypatch.setattr(fonts, "face_coverage", lambda family: None)
    with pytest.raises(PubconvError) as err:
        pdf.write(api.read(MIXED), WriteOptions(), Collector())
    assert err.value.code == "missing-font"
    assert "'TeX Gyre Pagella'" in str(err.value) and "fonts-texgyre" in str(err.value)


# ---------------------------------------------------------------- language, no layout


@pytest.mark.parametrize("lang, expected", [
    ("en-US", "“It’s here,” she said, ‘twice’."), ("en-GB", "“It’s here,” she said, ‘twice’."),
    ("de", "„It’s here,“ she said, ‚twice‘."), ("fr", "«\u202fIt’s here,\u202f» she said, “twice”."),
])
def test_quotes_follow_the_language(lang, expected):
    assert typography.smarten_text("\"It's here,\" she said, 'twice'.", "", typography.quotes_for(lang)) == expected


def test_quotes_in_the_pdf_but_not_in_the_intermediate(tmp_path):
    # The extracted form keeps the text as printed (the authoring form smartens it in the reader, unless
    # its front matter says smart: false): the PDF's typography sets the marks of the language.
    source = tmp_path / "q.txt"
    source.write_text("## COMMENT 1 - Quotes\n\nThe Centre's \"working notes\" say so.\n", encoding="utf-8")
    doc = api.read(source)
    assert "Centre's \"working notes\"" in "".join(doc.root.itertext())
    html = xhtml.render(doc, WriteOptions(), Collector(), target="pdf")
    assert "Centre’s “working notes”" in html
    assert 'lang="en-US"' in xhtml.render(api.read(ACCIDENTS), WriteOptions(), Collector(), target="pdf")


def test_autolink_in_the_intermediate():
    doc = api.read(ACCIDENTS)
    hrefs = [link.get("href") for link in doc.xpath("//p:link")]
    assert "https://www.crps.example.eu/notes" in hrefs  # www. gets https://, the full stop is not URL
    assert any(h.startswith("https://www.carnegieendowment.example.org/") for h in hrefs)  # in a note


def test_short_title_is_cut_where_a_phrase_closes():
    title = "Pakistan's vision to reset its ties with the U.S. and the implications for the Afghan peace talks"
    assert xhtml.short_title(title) == "Pakistan's vision to reset its ties with the U.S.…"


def test_url_breaks():
    assert typography.url_breaks("https://a.example.org/x-y?p=1&q=2") == \
        "https://\u200ba.\u200bexample.\u200borg/\u200bx-\u200by?\u200bp=1&\u200bq=2"


# ---------------------------------------------------------------- justification


def body_gaps(data: bytes, tmp: Path) -> list[float]:
    """Word gaps in em of the body lines (11pt words, full lines) except the running head."""
    gaps = []
    for page in lines_of(data, tmp):
        for line in page[1:]:
            if len(line) > 4 and all(10.5 <= w[4] - w[2] <= 12.5 for w in line):
                gaps.extend((b[1] - a[3]) / 11 for a, b in zip(line, line[1:]))
    return sorted(gaps)


def test_no_body_line_opens_up(accidents, tmp_path):
    gaps = body_gaps(accidents, tmp_path)
    assert gaps[-1] < 1.0, gaps[-5:]


def test_sample_justification_is_tight(sample, tmp_path):
    gaps = body_gaps(sample, tmp_path)
    assert gaps[len(gaps) // 2] <= 0.33 and gaps[int(len(gaps) * 0.95)] <= 0.55, gaps[-10:]


def test_seed_lines_after_calls_are_whole(seed_path, tmp_path):
    # On the seed, WeasyPrint alone ended a line at the first hyphenation point after a note
    # call ("improved.¹¹ How-"), leaving a line of two words spread over the measure.
    gaps = body_gaps(build(seed_path), tmp_path)
    assert gaps[-1] < 1.0, gaps[-5:]


def test_fonts_decide_rebuilds(monkeypatch):
    from pubconv import inputs
    from pubconv.writers.pdf import fonts

    keys = inputs.Inputs()
    before = keys.key(ACCIDENTS, ["pdf"], {})
    monkeypatch.setattr(fonts, "fingerprint", lambda: "another set of fonts")
    assert inputs.Inputs().key(ACCIDENTS, ["pdf"], {}) != before
    assert inputs.Inputs().key(ACCIDENTS, ["epub"], {}) == inputs.Inputs().key(ACCIDENTS, ["epub"], {})


def test_hyphenation_follows_language_and_region(tmp_path):
    # The region reaches <html lang>, and WeasyPrint picks Pyphen's dictionary for it.
    import pyphen

    source = ACCIDENTS.read_text().replace("lang: en-US", "lang: en-GB")
    (tmp_path / "gb.md").write_text(source)
    (tmp_path / "pubconv.toml").write_text((ACCIDENTS.parent / "pubconv.toml").read_text())
    html = xhtml.render(api.read(tmp_path / "gb.md"), WriteOptions(), Collector(), target="pdf")
    assert 'lang="en-GB"' in html
    assert pyphen.Pyphen(lang="en_GB").inserted("knowledge") != pyphen.Pyphen(lang="en_US").inserted("knowledge")


def test_pdf_x_without_a_date_is_an_option_error(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    doc = api.read(MIXED)
    date = doc.find("p:meta/p:date")
    date.getparent().remove(date)
    with pytest.raises(PubconvError) as err:
        pdf.write(doc, WriteOptions(pdf_variant="pdf/x-4"), Collector())
    assert err.value.code == "bad-option" and "date" in str(err.value)


def test_pdf_x_colours_are_cmyk_and_greys_are_k_only():
    from pubconv.writers.pdf import cmyk

    css = "a:not(#abc) { color: #7a1f1f; border: 1px solid rgb(153 153 153 / 50%) } p{background:#f4f1ec;color:black}"
    assert cmyk.theme_css(css) == ("a:not(#abc) { color: device-cmyk(0 0.746 0.746 0.522); border: 1px solid "
                                   "device-cmyk(0 0 0 0.4 / 50%) } p{background:device-cmyk(0 0.012 0.033 0.043);"
                                   "color:device-cmyk(0 0 0 1)}")
