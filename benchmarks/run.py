"""pubconv benchmarks: ``make bench`` (``.venv/bin/python benchmarks/run.py [--quick|--smoke]``).

Writes its results, with the machine, the versions and the date, between the
``results`` markers of ``docs/performance.md`` (``--output`` to write
elsewhere).  Every comparison is measured in the same run, as a ratio of
medians; runs of the two sides are interleaved so that a slow spell of the
machine hits both.

Inputs: the seed commentary (``../shared/seeds/000_bf325db2ee15cea7.txt``,
extracted form), a generated 50-page commentary with 300 footnotes and a
generated batch of 100 commentaries (``corpus.py``: same bytes every time).

1. PDF overhead over the floor: ``pubconv.convert(src, ["pdf"])`` against
   WeasyPrint alone (``HTML(...).render(...).write_pdf(...)``, as released)
   rendering the finished XHTML and CSS that pubconv handed to WeasyPrint
   last, in this process; also against WeasyPrint with pubconv's footnote
   fixes.  Counts the layouts pubconv asked WeasyPrint for.
2. EPUB + JATS + XML (one ``convert``) as a share of the PDF conversion.
3. The batch to PDF, EPUB and JATS with ``pubconv convert --jobs 1`` and ``--jobs 2``.
4. The Pandoc route on the same batch (``pandoc_route.py``).
5. A no-op rebuild of the batch, and the start-up of ``pubconv --version``.
6. Peak RSS of whole conversions, and how time and memory grow from 1 to 50 pages.
7. Real-shaped documents (``corpus.real_shaped``: 10–20 pages, 50–90 notes of 1–8
   lines, a third with long URLs): the PDF against WeasyPrint alone, per page and
   per note, and a batch of them in three formats against the Pandoc route.

``--smoke`` runs every measurement once on tiny inputs (a test does this);
its numbers mean nothing.  Without the seed (a clone with no ``../shared``) it
uses ``fixtures/extracted/many-notes`` instead; the full run needs the seed.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import inspect
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import pandoc_route  # noqa: E402

SEED = Path(os.environ.get("PUBCONV_SHARED", ROOT.parent / "shared")) / "seeds" / "000_bf325db2ee15cea7.txt"
#: ``--smoke`` without the seed (a clone without ../shared): a project-owned extracted commentary.
STAND_IN = ROOT / "fixtures" / "extracted" / "many-notes" / "many-notes.md"
REPORT = ROOT / "docs" / "performance.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
PUBCONV = [sys.executable, "-m", "pubconv"]
FORMATS = "pdf,epub,jats"


@dataclass
class Plan:
    """How much to measure: the full run, ``--quick`` or ``--smoke``."""

    name: str
    runs: int  # repetitions of each in-process measurement
    batch_runs: int  # repetitions of each batch (they take minutes)
    batch_size: int
    long_pages: float
    long_notes: int
    growth: tuple[int, ...]  # page counts for the growth table
    startup_runs: int = 15
    real_docs: int = 4  # real-shaped documents measured one at a time, in this process
    real_batch: int = 13  # real-shaped documents in the batch compared with the Pandoc route
    real_scale: float = 1.0  # their size (smoke: tiny)


PLANS = {
    "full": Plan("full", runs=5, batch_runs=3, batch_size=100, long_pages=50, long_notes=300,
                 growth=(1, 2, 5, 10, 20, 50)),
    "quick": Plan("quick", runs=3, batch_runs=1, batch_size=100, long_pages=50, long_notes=300,
                  growth=(1, 5, 20, 50), real_docs=2),
    "smoke": Plan("smoke", runs=1, batch_runs=1, batch_size=4, long_pages=2, long_notes=12, growth=(1, 2),
                  startup_runs=2, real_docs=1, real_batch=2, real_scale=0.15),
}


@dataclass
class Results:
    plan: Plan
    rows: list[tuple[str, str, str, bool | None]] = field(default_factory=list)  # targets
    sections: list[str] = field(default_factory=list)

    def target(self, what: str, measured: str, target: str, met: bool | None) -> None:
        self.rows.append((what, measured, target, met))

    def section(self, title: str, lines: list[str]) -> None:
        self.sections.append(f"### {title}\n\n" + "\n".join(lines) + "\n")


def median_of(fn, runs: int) -> float:
    return statistics.median(_times(fn, runs))


def _times(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def interleaved(*functions, runs: int) -> list[float]:
    """The median time of each function, run in turn ``runs`` times each."""
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(runs):
        for fn, spent in zip(functions, times):
            spent += _times(fn, 1)
    return [statistics.median(t) for t in times]


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ 1 + 2: one document in this process


class PdfProbe:
    """Watches one PDF conversion: the layouts it asks for and what it finally hands WeasyPrint."""

    def __init__(self) -> None:
        from pubconv.writers.pdf import notes as _pdf_notes

        self.mod = _pdf_notes
        self.layouts = 0
        self.final_html: str | None = None
        self.inputs: tuple | None = None
        self._render, self._with_notes = _pdf_notes._render, _pdf_notes.render_with_notes

    def __enter__(self) -> "PdfProbe":
        from lxml import etree

        def render(tree, *args, **kwargs):
            self.layouts += 1
            self.final_html = etree.tostring(tree, encoding="unicode")
            return self._render(tree, *args, **kwargs)

        def with_notes(doc, html, css, fetcher, styles_dir, variant, report):
            self.inputs = (css, fetcher, styles_dir, variant)
            return self._with_notes(doc, html, css, fetcher, styles_dir, variant, report)

        self.mod._render, self.mod.render_with_notes = render, with_notes
        return self

    def __exit__(self, *exc) -> None:
        self.mod._render, self.mod.render_with_notes = self._render, self._with_notes


class Phases:
    """Where one PDF conversion's time goes: wall time inside each stage, by wrapping its function."""

    def __init__(self) -> None:
        import weasyprint
        from weasyprint import document as wp_document
        from weasyprint.layout import LayoutContext

        from pubconv.writers.pdf import notes as _pdf_notes, weasyprint_fixes
        from pubconv.writers.pdf.weasyprint_fixes import FixedLayoutContext

        self.spent: dict[str, float] = {}
        # pubconv lays out through weasyprint_fixes.render (which calls HTML.render only when the fixes
        # are off, and is then timed once, as "render"); HTML.render is WeasyPrint alone's.
        render = (weasyprint_fixes, "render") if weasyprint_fixes.in_force() else (weasyprint.HTML, "render")
        self.targets = [
            ("parse", weasyprint.HTML, "__init__"),
            ("css", weasyprint.CSS, "__init__"),
            ("render", *render),
            ("layout", wp_document, "layout_document"),
            ("notes", LayoutContext, "_update_footnote_area"),
            ("notes", FixedLayoutContext, "_update_footnote_area"),  # pubconv's own: not on top of the above
            ("read", _pdf_notes.Layout, "read"),
            ("write", wp_document.Document, "write_pdf"),
        ]
        self.saved: list = []

    def __enter__(self) -> "Phases":
        for label, owner, name in self.targets:
            original = owner.__dict__[name]
            self.saved.append((owner, name, original))
            setattr(owner, name, self._timed(label, original))
        return self

    def _timed(self, label: str, original):
        function = original.__func__ if isinstance(original, (classmethod, staticmethod)) else original

        if inspect.isgeneratorfunction(function):  # WeasyPrint's layout_document yields pages
            def timed(*args, **kwargs):
                steps = function(*args, **kwargs)
                while True:
                    t = time.perf_counter()
                    try:
                        item = next(steps)
                    except StopIteration:
                        return
                    finally:
                        self.spent[label] = self.spent.get(label, 0.0) + time.perf_counter() - t
                    yield item
            return timed

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.spent[label] = self.spent.get(label, 0.0) + time.perf_counter() - t
        return type(original)(timed) if isinstance(original, (classmethod, staticmethod)) else timed

    def __exit__(self, *exc) -> None:
        for owner, name, original in reversed(self.saved):
            setattr(owner, name, original)

    def rows(self, total: float) -> list[tuple[str, float]]:
        g = self.spent.get
        weasy = g("parse", 0) + g("css", 0) + g("render", 0) + g("write", 0)
        return [
            ("pubconv: read the source, check it, write the XHTML", total - weasy - g("read", 0)),
            ("WeasyPrint: parse the XHTML and the CSS", g("parse", 0) + g("css", 0)),
            ("WeasyPrint: style and boxes", g("render", 0) - g("layout", 0)),
            ("WeasyPrint: lay out the pages, all layouts", g("layout", 0)),
            ("… of which laying out the note areas (each time a note is added)", g("notes", 0)),
            ("pubconv: read the laid-out pages back (note checks)", g("read", 0)),
            ("WeasyPrint: draw and write the PDF (fonts subset, compressed)", g("write", 0)),
        ]


def weasyprint_alone(html: str, inputs: tuple, target: Path):
    """A function that renders ``html`` with WeasyPrint alone: parse, lay out once, write the PDF."""
    from weasyprint import CSS, HTML

    from pubconv.writers import pdf
    from pubconv.writers.pdf import notes as _pdf_notes
    from pubconv.writers.pdf import weasyprint_fixes as _weasyprint_fixes

    css, fetcher, styles_dir, variant = inputs
    options = pdf._pdf_options(variant)

    def run() -> None:
        stylesheet = CSS(string=_pdf_notes.stylesheet_text(css), base_url=styles_dir.as_uri() + "/",
                         url_fetcher=fetcher)
        html_doc = HTML(string=html, base_url=_pdf_notes.SOURCE_URL, url_fetcher=fetcher)
        # pubconv's fixes apply to pubconv's layer only; suspended() gives WeasyPrint as released.
        document = _weasyprint_fixes.render(html_doc, stylesheets=[stylesheet], pdf_variant=variant,
                                            pdf_tags=options["pdf_tags"])
        document.write_pdf(target, **options)
    return run


def measure_document(name: str, source: Path, out: Path, plan: Plan, variant: str | None = None) -> dict:
    """PDF against WeasyPrint alone for one source; ``variant`` (e.g. ``pdf/ua-1``) for both sides."""
    import pubconv
    from pubconv.writers.pdf import weasyprint_fixes as _weasyprint_fixes

    out.mkdir(parents=True, exist_ok=True)
    options = {"pdf_variant": variant} if variant else None

    def convert_pdf() -> None:
        pubconv.convert(source, ["pdf"], out, options=options)

    def convert_others() -> None:
        pubconv.convert(source, ["epub", "jats", "xml"], out)

    with PdfProbe() as probe:
        convert_pdf()  # warm-up: imports, fonts; also captures the finished XHTML
    pages = _pdf_pages(out / (source.stem + ".pdf"))
    floor = weasyprint_alone(probe.final_html, probe.inputs, out / "floor.pdf")

    def released() -> None:
        with _weasyprint_fixes.suspended():
            floor()

    floor()
    released()
    t_pubconv, t_released, t_fixed = interleaved(convert_pdf, released, floor, runs=plan.runs)
    convert_others()
    t_others = median_of(convert_others, plan.runs)
    with Phases() as phases:
        total = median_of(convert_pdf, 1)
    notes = len(pubconv.read(source).xpath("//p:note"))
    return {"name": name, "pages": pages, "notes": notes, "layouts": probe.layouts, "pubconv": t_pubconv,
            "floor": t_released, "fixed": t_fixed, "others": t_others, "phases": phases.rows(total),
            "total": total}


def measure_docx(long_md: Path, work: Path, plan: Plan) -> dict | None:
    """Reading the long commentary as a .docx (written by Pandoc from it) against its PDF.

    None when Pandoc (pypandoc-binary) is not installed.
    """
    import pubconv

    sys.path.insert(0, str(ROOT / "fixtures" / "docx"))
    import make as docx_make

    if docx_make.pandoc_path() is None:
        return None
    folder = work / "docx"
    folder.mkdir(parents=True, exist_ok=True)
    source = docx_make.markdown_to_docx(docx_make.markdown_from(pubconv.read(long_md).root), folder / "long.docx")
    out = folder / "out"

    def read() -> None:
        pubconv.read(source)

    def pdf() -> None:
        pubconv.convert(source, ["pdf"], out)

    pdf()  # warm-up
    t_read, t_pdf = interleaved(read, pdf, runs=plan.runs)
    doc = pubconv.read(source)
    return {"read": t_read, "pdf": t_pdf, "notes": len(doc.xpath("//p:note")), "pages": _pdf_pages(out / "long.pdf"),
            "bytes": source.stat().st_size}


def _pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


# ------------------------------------------------------------------ 3-5: batches, as a user runs them


def run_cli(args: list[str]) -> float:
    t = time.perf_counter()
    proc = subprocess.run([*PUBCONV, *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"pubconv {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return time.perf_counter() - t


def measure_batch(src: Path, work: Path, plan: Plan) -> dict:
    times: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(plan.batch_runs):
        for jobs in (1, 2):
            out = work / f"out-j{jobs}"
            shutil.rmtree(out, ignore_errors=True)
            log(f"  batch: {plan.batch_size} documents, --jobs {jobs}")
            times[jobs].append(run_cli(["convert", str(src), "--to", FORMATS, "-o", str(out), "-j", str(jobs)]))
    noop = median_of(lambda: run_cli(["convert", str(src), "--to", FORMATS, "-o", str(work / "out-j2")]),
                     max(plan.runs, 3))
    return {"j1": statistics.median(times[1]), "j2": statistics.median(times[2]), "noop": noop}


def measure_pandoc(src: Path, work: Path, plan: Plan) -> dict | None:
    if pandoc_route.pandoc_path() is None:
        return None
    out = work / "pandoc"
    times = []
    for _ in range(plan.batch_runs):
        shutil.rmtree(out, ignore_errors=True)
        log(f"  the Pandoc route: {len(list(src.glob('*.md')))} documents, two at a time")
        times.append(pandoc_route.run(sorted(src.glob("*.md")), out, parallel=2))
    return {"time": statistics.median(times), "pandoc": pandoc_route.pandoc_version()}


def startup(plan: Plan) -> float:
    exe = Path(sys.executable).parent / "pubconv"
    cmd = [str(exe), "--version"] if exe.exists() else [*PUBCONV, "--version"]
    subprocess.run(cmd, check=True, capture_output=True)
    return median_of(lambda: subprocess.run(cmd, check=True, capture_output=True), plan.startup_runs)


# ------------------------------------------------------------------ 6: memory and growth


#: Runs a command and prints its wall time and peak RSS.  A small launcher, because a child forked
#: straight from this (large) process would report this process's pages as its own peak.
_LAUNCHER = """
import resource, subprocess, sys, time
t = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - t
sys.stderr.buffer.write(code.stderr)
print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(code.returncode)
"""


def child(args: list[str]) -> tuple[float, int]:
    """Wall time and peak RSS (bytes) of one ``pubconv`` process."""
    proc = subprocess.run([sys.executable, "-c", _LAUNCHER, *PUBCONV, *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"pubconv {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    wall, rss = proc.stdout.split()
    return float(wall), int(rss) * 1024  # Linux reports kilobytes


def measure_growth(work: Path, plan: Plan) -> list[dict]:
    rows = []
    for pages in plan.growth:
        folder = work / f"growth-{pages}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "pubconv.toml").write_text(corpus.PUBLISHER_TOML, encoding="utf-8")
        src = folder / f"p{pages}.md"
        src.write_text(corpus.commentary(pages=pages, notes=6 * pages, seed=pages), encoding="utf-8")
        log(f"  growth: {pages} page(s)")
        wall, rss = child(["convert", str(src), "--to", FORMATS, "-o", str(folder / "out"), "-j", "1"])
        rows.append({"asked": pages, "pages": _pdf_pages(folder / "out" / f"p{pages}.pdf"),
                     "notes": 6 * pages, "time": wall, "rss": rss})
    return rows


# ------------------------------------------------------------------ the report


def versions() -> list[str]:
    import pubconv

    def v(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return [f"pubconv {pubconv.__version__} (commit {commit}{', with local changes' if dirty else ''})",
            f"Python {platform.python_version()}",
            *(f"{d} {v(d)}" for d in ("weasyprint", "pydyf", "tinycss2", "lxml", "EbookLib", "markdown-it-py",
                                      "Jinja2", "pypandoc-binary")),
            f"pandoc {pandoc_route.pandoc_version() or 'not installed'}"]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        pass
    return f"{cpu}, {os.cpu_count()} CPUs{mem}; {platform.system()} {platform.release()}"


def ok(met: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "not measured"}[met]


def render(res: Results, when: str) -> str:
    lines = [START, "",
             f"Measured on {when} with `benchmarks/run.py` (plan: {res.plan.name}).", "",
             f"- Machine: {machine()}",
             f"- Versions: {'; '.join(versions())}", "",
             "| what | measured | target | |", "|---|---|---|---|"]
    lines += [f"| {what} | {measured} | {target} | {ok(met)} |" for what, measured, target, met in res.rows]
    lines += ["", *res.sections, END]
    return "\n".join(lines) + "\n"


def write_report(text: str, path: Path) -> None:
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in old and END in old:
        new = old[:old.index(START)] + text + old[old.index(END) + len(END) + 1:]
    else:
        new = old + ("\n" if old else "") + text
    tmp = path.with_suffix(".tmp")
    tmp.write_text(new, encoding="utf-8")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_const", const="quick", dest="plan", help="fewer repetitions")
    ap.add_argument("--smoke", action="store_const", const="smoke", dest="plan",
                    help="every measurement once on tiny inputs (for the test suite; numbers mean nothing)")
    ap.add_argument("--output", type=Path, default=REPORT, help="report to write (default: %(default)s)")
    args = ap.parse_args(argv)
    plan = PLANS[args.plan or "full"]
    when = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    res = Results(plan)
    with tempfile.TemporaryDirectory(prefix="pubconv-bench-") as tmp:
        work = Path(tmp)
        measure_all(plan, work, res)
    write_report(render(res, when), args.output)
    log(f"wrote {args.output}")
    return 0


def measure_all(plan: Plan, work: Path, res: Results) -> None:
    # Inputs
    docs = work / "docs"
    docs.mkdir()
    (docs / "pubconv.toml").write_text(corpus.PUBLISHER_TOML, encoding="utf-8")
    inputs = []
    if SEED.exists():
        seed = docs / "seed.txt"
        shutil.copy(SEED, seed)
        inputs.append(("the seed (extracted form)", seed))
    elif plan.name == "smoke":
        # A clone without ../shared: the project's own commentary in the extracted form stands in,
        # so that the smoke run still measures an extracted source.
        seed = docs / "extracted.md"
        shutil.copy(STAND_IN, seed)
        inputs.append(("fixtures/extracted/many-notes (the seed is missing)", seed))
    else:
        raise SystemExit(f"the seed is missing: {SEED}")
    long_doc = docs / "long.md"
    long_doc.write_text(corpus.commentary(plan.long_pages, plan.long_notes, seed=50), encoding="utf-8")
    inputs.append((f"generated, {plan.long_pages:g} pages asked, {plan.long_notes} notes", long_doc))
    batch = work / "batch"
    corpus.batch(batch, plan.batch_size)

    # 1, 2
    log("one document at a time, in this process")
    per_doc = [measure_document(name, path, work / "one", plan) for name, path in inputs]
    tagged = [measure_document(f"{name}, PDF/UA-1", path, work / "ua", plan, variant="pdf/ua-1")
              for name, path in inputs]
    rows = ["| input | PDF pages | layouts | pubconv PDF | WeasyPrint alone | ratio | WeasyPrint with pubconv's "
            "fixes | EPUB+JATS+XML | share |", "|---|---|---|---|---|---|---|---|---|"]
    for d in per_doc:
        ratio, share = d["pubconv"] / d["floor"], d["others"] / d["pubconv"]
        rows.append(f"| {d['name']} | {d['pages']} | {d['layouts']} | {fmt_s(d['pubconv'])} | {fmt_s(d['floor'])} "
                    f"| {ratio:.2f}x | {fmt_s(d['fixed'])} ({d['pubconv'] / d['fixed']:.2f}x) "
                    f"| {fmt_s(d['others'])} | {share:.1%} |")
        res.target(f"PDF time over WeasyPrint alone: {d['name']}", f"{ratio:.2f}x", "≤ 1.10x", ratio <= 1.10)
    for d in tagged:  # WeasyPrint alone tags too (its own tagging); pubconv adds notes, order, artifacts
        ratio = d["pubconv"] / d["floor"]
        rows.append(f"| {d['name']} | {d['pages']} | {d['layouts']} | {fmt_s(d['pubconv'])} | {fmt_s(d['floor'])} "
                    f"| {ratio:.2f}x | {fmt_s(d['fixed'])} ({d['pubconv'] / d['fixed']:.2f}x) | | |")
        res.target(f"PDF time over WeasyPrint alone: {d['name']}", f"{ratio:.2f}x", "≤ 1.10x", ratio <= 1.10)
    for d in per_doc:
        share = d["others"] / d["pubconv"]
        res.target(f"EPUB + JATS + XML as a share of the PDF: {d['name']}", f"{share:.1%}", "≤ 10%",
                   share <= 0.10)
    res.section("1–2. One document: PDF against WeasyPrint alone, and the other formats", [
        f"Medians of {plan.runs} run(s), pubconv and WeasyPrint alone interleaved, in one process after a "
        "warm-up. *pubconv PDF* is `pubconv.convert(src, ['pdf'], out)`: read, check, lay out (as many "
        "times as *layouts* says), write. *WeasyPrint alone* parses the finished XHTML and CSS that pubconv "
        "handed WeasyPrint last, lays it out once and writes the PDF, with WeasyPrint as released (the "
        "target's ratio); the next column is the same with pubconv's two footnote fixes in force "
        "(`writers/pdf/weasyprint_fixes.py`), and pubconv's time over it. *EPUB+JATS+XML* is one "
        "`convert(src, ['epub', 'jats', 'xml'], out)`, reading included; *share* is of the pubconv PDF time.",
        "", *rows])
    lines = ["One more pubconv PDF conversion of each, with a timer around each stage (the timers cost a little):",
             "", "| stage | " + " | ".join(d["name"] for d in per_doc) + " |",
             "|---|" + "---|" * len(per_doc)]
    for i, (label, _) in enumerate(per_doc[0]["phases"]):
        lines.append(f"| {label} | " + " | ".join(
            f"{fmt_s(d['phases'][i][1])} ({d['phases'][i][1] / d['total']:.0%})" for d in per_doc) + " |")
    res.section("Where the time of a PDF goes", lines)
    log("the long commentary as a Word document")
    dx = measure_docx(long_doc, work, plan)
    if dx is not None:
        share = dx["read"] / dx["pdf"]
        res.target(f"Reading a .docx of {dx['pages']} PDF pages with {dx['notes']} notes, as a share of its PDF",
                   f"{share:.1%} ({fmt_s(dx['read'])} of {fmt_s(dx['pdf'])})", "< 10%", share < 0.10)
    else:
        res.target("Reading a .docx as a share of its PDF", "pypandoc-binary not installed", "< 10%", None)

    # 3, 4, 5
    log("batches, through the command line")
    b = measure_batch(batch, work, plan)
    speedup = b["j1"] / b["j2"]
    res.target(f"Batch of {plan.batch_size} to PDF+EPUB+JATS, --jobs 2 against --jobs 1", f"{speedup:.2f}x faster",
               "≥ 1.7x", speedup >= 1.7)
    p = measure_pandoc(batch, work, plan)
    if p is not None:
        vs = p["time"] / b["j2"]
        res.target("pubconv --jobs 2 against the Pandoc route", f"{vs:.2f}x faster", "≥ 2x", vs >= 2)
    else:
        res.target("pubconv --jobs 2 against the Pandoc route", "pypandoc-binary not installed", "≥ 2x", None)
    res.target(f"No-op rebuild of the {plan.batch_size}", fmt_s(b["noop"]), "< 1 s", b["noop"] < 1)
    t_start = startup(plan)
    res.target("Start-up: `pubconv --version`", fmt_s(t_start), "< 150 ms", t_start < 0.150)
    per = b["j2"] / plan.batch_size
    lines = [f"{plan.batch_size} generated commentaries of 3–5 pages with 6–14 notes each "
             f"(`benchmarks/corpus.py`), medians of {plan.batch_runs} run(s), each into an empty folder.", "",
             "| route | wall time | per document |", "|---|---|---|",
             f"| `pubconv convert --to pdf,epub,jats --jobs 1` | {fmt_s(b['j1'])} | {fmt_s(b['j1'] / plan.batch_size)} |",
             f"| `pubconv convert --to pdf,epub,jats --jobs 2` | {fmt_s(b['j2'])} | {fmt_s(per)} |"]
    if p is not None:
        lines.append(f"| Pandoc {p['pandoc']} (EPUB, JATS, HTML) + `weasyprint` command, two files at a time "
                     f"| {fmt_s(p['time'])} | {fmt_s(p['time'] / plan.batch_size)} |")
    lines += [f"| no-op rebuild (all {plan.batch_size} skipped) | {fmt_s(b['noop'])} | |",
              f"| `pubconv --version` | {fmt_s(t_start)} | |"]
    res.section("3–5. Batches, the Pandoc route, no-op rebuild and start-up", lines)

    # 6
    log("memory and growth, one process per conversion")
    growth = measure_growth(work, plan)
    rows = ["| pages asked | PDF pages | notes | time (whole process) | time per PDF page | peak RSS |",
            "|---|---|---|---|---|---|"]
    rows += [f"| {g['asked']} | {g['pages']} | {g['notes']} | {fmt_s(g['time'])} | {fmt_s(g['time'] / g['pages'])} "
             f"| {g['rss'] / 2**20:.0f} MiB |" for g in growth]
    mem = []
    for name, path in inputs:
        wall, rss = child(["convert", str(path), "--to", FORMATS, "-o", str(work / "mem"), "-j", "1"])
        mem.append(f"| {name} | {fmt_s(wall)} | {rss / 2**20:.0f} MiB |")
    res.section("6. Memory, and growth from 1 to 50 pages", [
        "Each row is one `pubconv convert --to pdf,epub,jats -j 1` process (start-up and imports "
        "included); peak RSS from `wait4`.", "",
        "| input | time | peak RSS |", "|---|---|---|", *mem, "",
        "Generated commentaries with six notes a page:", "", *rows])

    # 7
    measure_real(plan, work, res, [d for d in per_doc if d["name"].startswith("the seed")])


def measure_real(plan: Plan, work: Path, res: Results, seed_rows: list[dict]) -> None:
    """Section 7: real-shaped documents one at a time (per page, per note) and as a batch."""
    log("real-shaped documents")
    paths = corpus.real_batch(work / "real", plan.real_batch, plan.real_scale)
    docs = [measure_document(f"real-shaped {p.stem}", p, work / "one-real", plan) for p in paths[:plan.real_docs]]
    rows = ["| input | PDF pages | notes | layouts | pubconv PDF | per page | per note | WeasyPrint alone "
            "| ratio | WeasyPrint with pubconv's fixes | … of the PDF: note areas |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for d in [*docs, *seed_rows]:
        areas = dict(d["phases"]).get("… of which laying out the note areas (each time a note is added)", 0.0)
        rows.append(f"| {d['name']} | {d['pages']} | {d['notes']} | {d['layouts']} | {fmt_s(d['pubconv'])} "
                    f"| {fmt_s(d['pubconv'] / d['pages'])} | {fmt_s(d['pubconv'] / max(d['notes'], 1))} "
                    f"| {fmt_s(d['floor'])} | {d['pubconv'] / d['floor']:.2f}x | {fmt_s(d['fixed'])} "
                    f"| {areas / d['total']:.0%} |")
    worst = max(d["pubconv"] / d["floor"] for d in docs)
    res.target(f"PDF time over WeasyPrint alone: real-shaped documents (worst of {len(docs)})", f"{worst:.2f}x",
               "≤ 0.75x", worst <= 0.75)
    j2 = []
    for _ in range(plan.batch_runs):
        out = work / "real-out"
        shutil.rmtree(out, ignore_errors=True)
        log(f"  real-shaped batch: {len(paths)} documents, --jobs 2")
        j2.append(run_cli(["convert", str(work / "real"), "--to", FORMATS, "-o", str(out), "-j", "2"]))
    t_j2 = statistics.median(j2)
    p = measure_pandoc(work / "real", work, plan)
    lines = [f"| `pubconv convert --to pdf,epub,jats --jobs 2` | {fmt_s(t_j2)} | {fmt_s(t_j2 / len(paths))} |"]
    if p is not None:
        vs = t_j2 / p["time"]
        res.target(f"Batch of {len(paths)} real-shaped documents, three formats, --jobs 2, over the Pandoc route",
                   f"{vs:.2f}x", "≤ 0.5x", vs <= 0.5)
        lines.append(f"| Pandoc {p['pandoc']} (EPUB, JATS, HTML) + `weasyprint` command, two files at a time "
                     f"| {fmt_s(p['time'])} | {fmt_s(p['time'] / len(paths))} |")
    else:
        res.target(f"Batch of {len(paths)} real-shaped documents, three formats, --jobs 2, over the Pandoc route",
                   "pypandoc-binary not installed", "≤ 0.5x", None)
    res.section("7. Real-shaped documents, per page and per note", [
        f"Commentaries shaped like the long pieces institutes publish (`corpus.real_shaped`: 10–20 pages asked, "
        f"50–90 notes of 1–8 lines, a third of them with long URLs, one in 25 of 14–24 lines), measured as in "
        f"1–2 (medians of {plan.runs} interleaved run(s)); the seed for comparison. *per page* and *per note* "
        "divide the pubconv PDF time; the last column is the share of the PDF spent measuring note areas.", "",
        *rows, "", f"The batch: all {len(paths)} of them, into an empty folder, medians of {plan.batch_runs} "
        "run(s).", "", "| route | wall time | per document |", "|---|---|---|", *lines])


if __name__ == "__main__":
    raise SystemExit(main())
