"""Generated commentaries for the benchmarks: any length, any number of footnotes, always the same text.

``commentary(pages, notes, seed)`` writes a commentary in the authoring form
(YAML front matter, CommonMark, ``[^n]`` footnotes, an author-date reference
list with citations in the text) that sets to roughly ``pages`` A4 pages in
the default theme.  The prose is nonsense built from a fixed vocabulary by a
seeded ``random.Random``: the same arguments always give the same bytes, on
every machine, so timings from different runs compare the same work.

Notes vary as real ones do: most are a sentence or two, one in eight is a
long discursive note (which the PDF writer may have to split across pages),
and some carry a URL.  ``batch(folder, count)`` writes ``count`` short
commentaries of the size of a typical institute comment (3–5 pages, 6–14
notes) plus the ``pubconv.toml`` a publisher would have.

``real_shaped(seed)`` and ``real_batch(folder, count)`` write commentaries with
the proportions of the long pieces institutes publish (issue 21): 10–20 pages,
50–90 notes of 1–8 lines, a third of them holding long URLs, and one note in
twenty-five of 14–24 lines, which runs on over a page when it is called low.
"""
from __future__ import annotations

import random
from pathlib import Path

#: Words per A4 page of body text and notes together, in the default theme (measured: see
#: ``docs/performance.md``, where the page count of every generated PDF is printed).
WORDS_PER_PAGE = 560

_NOUNS = """policy market region border reform budget treaty council parliament agency ministry court
commission strategy network corridor port fleet harbour tariff subsidy quota levy fund loan bond grant
sector industry supply demand price wage labour migration energy grid pipeline reactor turbine
climate drought flood river basin coast harvest grain fertiliser railway highway freight cargo
institution mandate competence procedure standard regulation directive guideline framework programme
agreement alliance partnership summit negotiation dialogue mediation sanction embargo export import
deficit surplus inflation currency reserve debt credit investment capital infrastructure capacity
security defence deterrence doctrine border census survey estimate forecast trend indicator index
household citizen voter party coalition government opposition election mandate campaign majority""".split()
_ADJECTIVES = """regional national European federal local common joint modest limited broad narrow
strategic economic political legal fiscal monetary social industrial agricultural maritime inland
urgent gradual partial uneven durable fragile credible coherent binding voluntary formal informal
new former current future recent early late long short high low rising falling stable volatile""".split()
_VERBS = """shapes limits expands reduces protects weakens strengthens delays accelerates replaces
requires allows prevents funds monitors regulates coordinates finances reviews measures supports
undermines reflects affects follows precedes shows suggests confirms questions complicates""".split()
_CONNECTIVES = ["However", "Moreover", "In practice", "At the same time", "For this reason", "Even so",
                "In the meantime", "By contrast", "As a result", "Above all", "Until now", "In short"]
_PLACES = ["Vienna", "Bratislava", "Budapest", "Belgrade", "Bucharest", "Sofia", "Warsaw", "Prague",
           "Ljubljana", "Zagreb", "Tallinn", "Riga", "Vilnius", "Helsinki", "Lisbon", "Athens"]
_FAMILIES = ["Albrecht", "Berger", "Costa", "Dimitrov", "Eriksson", "Fischer", "García", "Horváth",
             "Ivanova", "Jensen", "Kowalski", "Lindqvist", "Moreau", "Novák", "Oliveira", "Petrović",
             "Quinn", "Rossi", "Schmidt", "Tanaka", "Ungureanu", "Varga", "Weber", "Young", "Zielińska"]
_GIVEN = ["Anna", "Boris", "Clara", "David", "Elena", "Filip", "Greta", "Henrik", "Irena", "Jonas",
          "Katarina", "Lukas", "Maria", "Nikola", "Olga", "Pavel", "Sofia", "Tomas"]
_JOURNALS = ["Journal of European Public Policy Studies", "Regional Studies Review",
             "Comparative Governance Quarterly", "Security and Defence Papers", "Energy Policy Letters"]


class _Writer:
    def __init__(self, seed: int):
        self.r = random.Random(seed)
        self.words = 0

    def phrase(self) -> str:
        r = self.r
        return f"the {r.choice(_ADJECTIVES)} {r.choice(_NOUNS)}"

    def sentence(self, citations: list[str] | None = None) -> str:
        r = self.r
        parts = [self.phrase(), r.choice(_VERBS), self.phrase()]
        for _ in range(r.randint(0, 3)):
            parts += [r.choice(["of", "in", "for", "with", "across", "beyond"]), self.phrase()]
        if r.random() < 0.3:
            parts.insert(0, r.choice(_CONNECTIVES) + ",")
        if r.random() < 0.15:
            parts += ["in", r.choice(_PLACES)]
        if r.random() < 0.1:
            parts += ["since", str(r.randint(1990, 2023))]
        text = " ".join(parts)
        text = text[0].upper() + text[1:]
        if citations and r.random() < 0.12:
            text += f" ({r.choice(citations)})"
        self.words += len(text.split())
        return text + "."

    def sentences(self, low: int, high: int, citations: list[str] | None = None) -> str:
        return " ".join(self.sentence(citations) for _ in range(self.r.randint(low, high)))


def _references(w: _Writer, count: int) -> tuple[list[str], list[str]]:
    """(reference entries, citation strings that match them), sorted as a reference list is."""
    r = w.r
    entries, cites = [], []
    used = set()
    while len(entries) < count:
        family = r.choice(_FAMILIES)
        year = r.randint(2005, 2023)
        if (family, year) in used:
            continue
        used.add((family, year))
        given = r.choice(_GIVEN)
        title = w.phrase().removeprefix("the ").capitalize() + ": " + w.phrase() + " " + r.choice(
            ["in Europe", "after the crisis", "and its limits", "since the enlargement"])
        if r.random() < 0.5:
            journal = r.choice(_JOURNALS)
            vol, first = r.randint(3, 40), r.randint(1, 400)
            where = (f"{journal}, {vol}({r.randint(1, 4)}), {first}–{first + r.randint(8, 30)}. "
                     f"<https://doi.org/10.5555/bench.{year}.{vol}.{first}>")
        else:
            where = f"{r.choice(_PLACES)}: Institute for Policy Studies."
            if r.random() < 0.7:
                where += f" <https://ips.example.org/publications/{family.lower()}-{year}>"
        entries.append(f"{family}, {given[0]}. ({year}). {title}. {where}")
        cites.append(f"{family}, {year}")
    order = sorted(range(count), key=lambda i: entries[i])
    return [entries[i] for i in order], [cites[i] for i in order]


#: Words in a line of a note, in the default theme (8.5 pt on the A4 measure).
WORDS_PER_NOTE_LINE = 15
_HOSTS = ["www.consilium.europa.eu", "ec.europa.eu", "www.oecd-ilibrary.org", "data.worldbank.org",
          "www.europarl.europa.eu", "eur-lex.europa.eu", "www.iea.org", "papers.ssrn.com"]


def _long_url(r: random.Random) -> str:
    """A URL as real notes cite them: a long path, dates, a slug, sometimes a query."""
    slug = "-".join(r.choice(_NOUNS + _ADJECTIVES) for _ in range(r.randint(5, 10)))
    url = (f"https://{r.choice(_HOSTS)}/{r.choice(['en', 'media', 'publications', 'documents'])}/"
           f"{r.randint(2012, 2023)}/{r.randint(1, 12):02d}/{slug}")
    if r.random() < 0.5:
        url += f"/{r.choice(['annex', 'pdf', 'full-text'])}-{r.randint(1, 40)}.pdf"
    if r.random() < 0.4:
        url += f"?lang=en&ref={r.choice(_NOUNS)}_{r.randint(1000, 99999)}&format=pdf"
    return url


def _real_note(w: _Writer, cites: list[str]) -> str:
    """A note of 1–8 lines (one in 25: 14–24 lines), a third of them with one or two long URLs."""
    r = w.r
    lines = r.randint(14, 24) if r.random() < 0.04 else r.randint(1, 8)
    target, start = lines * WORDS_PER_NOTE_LINE - r.randint(0, 8), w.words
    parts = []
    while w.words - start < max(6, target):
        parts.append(w.sentence(cites))
    if r.random() < 1 / 3:
        for _ in range(r.randint(1, 2)):
            parts.append(f"Available at <{_long_url(r)}> (accessed {r.randint(1, 28)} "
                         f"{r.choice(['March', 'May', 'October'])} {r.randint(2019, 2024)}).")
    return " ".join(parts)


def commentary(pages: float = 4, notes: int = 10, seed: int = 1, number: int = 1, shape: str = "short") -> str:
    """A commentary in the authoring form that sets to about ``pages`` A4 pages with ``notes`` footnotes.

    ``shape`` is ``"short"`` (the batch's notes: a sentence or two, one in eight long) or ``"real"``
    (:func:`_real_note`).
    """
    w = _Writer(seed)
    r = w.r
    refs, cites = _references(w, max(3, min(40, int(pages * 3))))
    budget = int(pages * WORDS_PER_PAGE) - 250  # the title block and reference list take about 250 words
    note_texts = []
    for i in range(notes):
        if shape == "real":
            note_texts.append(_real_note(w, cites))
            continue
        if i % 8 == 5:
            text = w.sentences(8, 14, cites)  # a long, discursive note
        else:
            text = w.sentences(1, 3, cites)
        if r.random() < 0.15:
            text += f" See <https://data.example.org/series/{seed}/{i + 1}>."
        note_texts.append(text)
    # The body gets what the notes left of the budget; calls are spread evenly through it.
    body_words = max(120, budget - w.words)
    w.words = 0
    paragraphs: list[list[str]] = []
    while w.words < body_words:
        paragraphs.append([w.sentence(cites) for _ in range(r.randint(3, 7))])
    places = [(i, j) for i, para in enumerate(paragraphs) for j in range(len(para))]
    step = len(places) / max(notes, 1)
    for n in range(1, notes + 1):  # calls spread evenly, each after a sentence (several may share one)
        i, j = places[min(len(places) - 1, int((n - 1) * step + r.random() * step))]
        paragraphs[i][j] += f"[^{n}]"
    body = []
    for i, para in enumerate(paragraphs):
        if i and i % 6 == 0:
            body.append("## " + w.phrase().removeprefix("the ").capitalize() + " " + r.choice(
                ["and the way ahead", "in question", "under pressure", "at a turning point"]))
        body.append(" ".join(para))
    given, family = r.choice(_GIVEN), r.choice(_FAMILIES)
    front = "\n".join([
        "---",
        "series: COMMENT",
        f"number: {number}",
        f'title: "{w.phrase().removeprefix("the ").capitalize()} and {w.phrase()}"',
        f'subtitle: "Why {w.phrase()} needs {w.phrase()}"',
        "authors:",
        f'  - name: "{given} {family}"',
        '    affiliation: "Institute for Policy Studies"',
        f'    bio: "**{given} {family}** is a Senior Fellow at the Institute for Policy Studies."',
        f"date: {2015 + seed % 9}-{1 + seed % 12:02d}-{1 + seed % 28:02d}",
        f"doi: 10.5555/IPS.BENCH.{seed}",
        "lang: en",
        "---",
    ])
    notes_md = [f"[^{n}]: {text}" for n, text in enumerate(note_texts, start=1)]
    return "\n\n".join([front, *body, *notes_md, "## References", *refs]) + "\n"


PUBLISHER_TOML = """\
[publisher]
name = "Institute for Policy Studies"
place = "Vienna"

[series.COMMENT]
title = "IPS Comment"
issn = "2791-4410"
"""


def batch(folder: Path, count: int = 100, pages: float = 4) -> list[Path]:
    """``count`` commentaries of a few pages each in ``folder``, with its ``pubconv.toml``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pubconv.toml").write_text(PUBLISHER_TOML, encoding="utf-8")
    paths = []
    for i in range(count):
        r = random.Random(10_000 + i)
        text = commentary(pages=pages * r.uniform(0.75, 1.25), notes=r.randint(6, 14), seed=10_000 + i,
                          number=100 + i)
        path = folder / f"comment-{100 + i}.md"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def real_shaped(seed: int, scale: float = 1.0) -> tuple[str, float, int]:
    """(text, pages asked, notes) of a commentary shaped like the long pieces institutes publish.

    ``scale`` shrinks pages and notes together (the benchmark's smoke run uses tiny ones).
    """
    r = random.Random(20_000 + seed)
    pages, notes = r.uniform(10, 20) * scale, max(4, round(r.randint(50, 90) * scale))
    return commentary(pages=pages, notes=notes, seed=20_000 + seed, number=500 + seed, shape="real"), pages, notes


def real_batch(folder: Path, count: int = 13, scale: float = 1.0) -> list[Path]:
    """``count`` real-shaped commentaries (:func:`real_shaped`) in ``folder``, with its ``pubconv.toml``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pubconv.toml").write_text(PUBLISHER_TOML, encoding="utf-8")
    paths = []
    for i in range(count):
        path = folder / f"piece-{500 + i}.md"
        path.write_text(real_shaped(i, scale)[0], encoding="utf-8")
        paths.append(path)
    return paths
