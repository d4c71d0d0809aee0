"""Batch builds: many sources, skipped when nothing changed, converted in parallel.

A source is skipped when its *build key* is the one recorded at its last
successful build and every output it wrote is still there, unchanged in size
and time.  The key covers everything that decides the output bytes: the
source's bytes, the publisher configuration that applies to it, the theme
(default and override), pubconv's version, the formats and the writer options.
The record lives in ``<out>/.pubconv/state.json``.

Workers are processes (``multiprocessing.Pool``: ``ProcessPoolExecutor`` with
``max_tasks_per_child`` can hang on Python 3.11); each imports WeasyPrint once,
in its initializer, when PDF is among the formats.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from . import __version__
from . import config as config_mod
from . import theme
from .errors import Diagnostic, PubconvError, SourcePos

STATE_DIR = ".pubconv"
STATE_FILE = "state.json"


@dataclass(frozen=True)
class Job:
    """One source to build, and how."""

    source: Path
    formats: tuple[str, ...]
    out_dir: Path
    form: str | None = None
    #: WriteOptions fields given on the command line; they win over pubconv.toml
    options: dict[str, Any] = field(default_factory=dict)
    strict: bool = False
    write: bool = True


@dataclass
class Outcome:
    """What happened to one source: ``converted``, ``checked``, ``skipped`` or ``failed``."""

    source: Path
    status: str
    outputs: dict[str, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    key: str | None = None


def _theme_fingerprint(override: Path | None) -> str:
    h = hashlib.sha256()
    for kind in ("styles", "templates"):
        for folder in theme.search_path(kind, override):
            for f in sorted(folder.rglob("*")):
                if f.is_file():
                    h.update(str(f.relative_to(folder)).encode() + b"\0" + f.read_bytes())
    # The installed fonts decide the PDF too (a new font version, a face installed or removed).
    from .writers.pdf.fonts import fingerprint as fonts_fingerprint

    h.update(fonts_fingerprint().encode())
    return h.hexdigest()


class KeyMaker:
    """Build keys, with the configuration and theme fingerprints computed once per file and folder."""

    def __init__(self) -> None:
        self._configs: dict[Path, tuple[config_mod.Config, bytes]] = {}
        self._themes: dict[Path | None, str] = {}

    def key(self, job: Job) -> str:
        folder = job.source.resolve().parent
        if folder not in self._configs:
            cfg = config_mod.for_source(job.source)
            self._configs[folder] = (cfg, cfg.fingerprint)
        cfg, cfg_bytes = self._configs[folder]
        override = job.options.get("theme_dir") or cfg.relative(cfg.get("theme", "dir"))
        if override not in self._themes:
            self._themes[override] = _theme_fingerprint(override)
        h = hashlib.sha256()
        for part in (__version__, job.source.read_bytes(), cfg_bytes, self._themes[override],
                     ",".join(job.formats), repr(sorted(job.options.items())), str(job.form), str(job.strict),
                     os.environ.get("SOURCE_DATE_EPOCH", "")):
            h.update(part if isinstance(part, bytes) else part.encode())
            h.update(b"\0")
        return h.hexdigest()


class State:
    """The record of successful builds in one output folder."""

    def __init__(self, out_dir: Path):
        self.path = out_dir / STATE_DIR / STATE_FILE
        try:
            self.data: dict = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.data = {}

    @staticmethod
    def _stamp(path: Path) -> list[int] | None:
        try:
            st = path.stat()
        except OSError:
            return None
        return [st.st_size, st.st_mtime_ns]

    def up_to_date(self, job: Job, key: str) -> bool:
        entry = self.data.get(str(job.source.resolve()))
        if not entry or entry.get("key") != key:
            return False
        return all(self._stamp(Path(p)) == stamp for p, stamp in entry.get("outputs", {}).items())

    def record(self, job: Job, key: str, outputs: Iterable[str]) -> None:
        self.data[str(job.source.resolve())] = {
            "key": key, "outputs": {str(Path(p).resolve()): self._stamp(Path(p)) for p in outputs}}

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.data, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)


def run_one(job: Job) -> Outcome:
    """Convert (or check) one source; never raises for a problem in the source."""
    from . import api

    try:
        result = api.convert(job.source, job.formats, job.out_dir, form=job.form, options=job.options,
                             strict=job.strict, write=job.write)
    except PubconvError as exc:
        return Outcome(job.source, "failed", diagnostics=[exc.diagnostic])
    except RecursionError:
        err = PubconvError("the document nests too deeply to be converted", SourcePos(str(job.source)),
                           "too-deep")
        return Outcome(job.source, "failed", diagnostics=[err.diagnostic])
    return Outcome(job.source, "converted" if job.write else "checked",
                   outputs={k: str(v) for k, v in result.outputs.items()}, diagnostics=result.diagnostics)


def _init_worker(formats: tuple[str, ...]) -> None:
    if "pdf" in formats:
        import weasyprint  # noqa: F401 - once per worker, not once per document


def run(jobs: list[Job], *, workers: int = 1, force: bool = False,
        on_outcome: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Build every job; the outcomes are returned in the jobs' order.

    ``on_outcome`` hears of each as it is known: skipped ones first, then the
    others as the workers finish them (in the jobs' order).
    """
    keys = KeyMaker()
    states: dict[Path, State] = {}
    outcomes: list[Outcome | None] = [None] * len(jobs)
    todo: list[tuple[int, str | None]] = []

    def done(i: int, outcome: Outcome) -> None:
        outcomes[i] = outcome
        if on_outcome:
            on_outcome(outcome)

    for i, job in enumerate(jobs):
        key = None
        if job.write:
            state = states.setdefault(job.out_dir, State(job.out_dir))
            try:
                key = keys.key(job)
            except (OSError, PubconvError):
                key = None  # the build itself will report the problem
            if key and not force and state.up_to_date(job, key):
                done(i, Outcome(job.source, "skipped", key=key))
                continue
        todo.append((i, key))
    for (i, key), outcome in zip(todo, _execute([jobs[i] for i, _ in todo], workers)):
        job = jobs[i]
        outcome.key = key
        if job.write and outcome.status == "converted" and key:
            states[job.out_dir].record(job, key, outcome.outputs.values())
        done(i, outcome)
    for state in states.values():
        if state.data:
            state.save()
    return [o for o in outcomes if o is not None]


def _execute(jobs: list[Job], workers: int) -> Iterator[Outcome]:
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield run_one(job)
        return
    formats = tuple(sorted({f for j in jobs for f in j.formats}))
    with multiprocessing.get_context("fork").Pool(min(workers, len(jobs)), initializer=_init_worker,
                                                  initargs=(formats,)) as pool:
        yield from pool.imap(run_one, jobs)
