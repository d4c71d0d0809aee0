"""Batch builds: many sources, skipped when nothing changed, converted in parallel.

A source is skipped when its *build key* is the one recorded at its last
successful build, the files its document read (its images) still have the
recorded bytes, and every output it wrote is still there, unchanged in size
and time.  What goes into the key is ``inputs.py``'s business: the source,
its configuration, logo, theme and fonts, the versions of pubconv and of the
libraries that shape the bytes, the formats and the options.  The record
lives in ``<out>/.pubconv/state.json``.

Workers are processes (``multiprocessing.Pool``: ``ProcessPoolExecutor`` with
``max_tasks_per_child`` can hang on Python 3.11); each imports WeasyPrint once,
in its initializer, when PDF is among the formats.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import signal
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from . import inputs
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
    #: format -> output file name, instead of ``<stem><suffix>`` (``-o x.pdf``)
    names: dict[str, str] | None = None
    #: let an internal error raise (``--debug``) instead of failing the document
    debug: bool = False

    @property
    def output_names(self) -> dict[str, str]:
        from .api import stem
        from .writers import FORMATS

        return dict(self.names) if self.names else {f: stem(self.source) + FORMATS[f].suffix for f in self.formats}


@dataclass
class Outcome:
    """What happened to one source: ``converted``, ``checked``, ``skipped`` or ``failed``."""

    source: Path
    status: str
    outputs: dict[str, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    key: str | None = None
    #: the files the document read besides its source (its images), recorded by content
    resources: list[str] = field(default_factory=list)
    #: a bug in pubconv, not a problem in the source
    internal: bool = False


class KeyMaker:
    """Build keys (``inputs.Inputs``), with each configuration read once per folder."""

    def __init__(self) -> None:
        self._inputs = inputs.Inputs()

    def key(self, job: Job) -> str:
        if not job.source.is_file():
            raise PubconvError("not a regular file", SourcePos(str(job.source)), "unreadable")
        return self._inputs.key(job.source, job.formats, job.options, job.form, job.strict)


class State:
    """The record of successful builds in one output folder.

    A record that cannot be used (unreadable, not JSON, the wrong shape, a folder in its
    place) is discarded with a warning (``problems``) and the folder is rebuilt; saving goes
    through a temporary file created exclusively, with a random name, inside the state's own
    folder, and never through a symbolic link.
    """

    def __init__(self, out_dir: Path):
        self.path = out_dir / STATE_DIR / STATE_FILE
        self.problems: list[Diagnostic] = []
        self.data: dict = {}
        if not self.path.exists() and not self.path.is_symlink():
            return
        try:
            if self.path.is_symlink() or not self.path.is_file():
                raise ValueError("not a regular file")
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not _state_shape(data):
                raise ValueError("not a record of builds")
            self.data = data
        except (OSError, ValueError, RecursionError) as exc:
            self.problems.append(Diagnostic("warning", "bad-state", f"the build record is unusable ({exc}); "
                                            "it is discarded and every source rebuilt", SourcePos(str(self.path))))

    @staticmethod
    def _stamp(path: Path) -> list[int] | None:
        try:
            st = path.stat()
        except OSError:
            return None
        return [st.st_size, st.st_mtime_ns]

    def up_to_date(self, job: Job, key: str) -> bool:
        entry = self.data.get(str(job.source.resolve()))
        if not entry or entry.get("key") != key or "resources" not in entry:
            return False
        if inputs.changed(entry["resources"]):
            return False
        return all(self._stamp(Path(p)) == stamp for p, stamp in entry.get("outputs", {}).items())

    def record(self, job: Job, key: str, outputs: Iterable[str], resources: Iterable[str] = ()) -> None:
        self.data[str(job.source.resolve())] = {
            "key": key, "outputs": {str(Path(p).resolve()): self._stamp(Path(p)) for p in outputs},
            "resources": inputs.digests(resources)}

    def forget(self, job: Job) -> None:
        self.data.pop(str(job.source.resolve()), None)

    def outputs(self) -> set[str]:
        """Every file this folder's record says pubconv wrote (absolute paths)."""
        return {p for entry in self.data.values() for p in entry.get("outputs", {})}

    def save(self) -> None:
        """Write the record (pruned of sources that no longer exist); raises OSError."""
        self.data = {src: entry for src, entry in self.data.items() if Path(src).is_file()}
        folder = self.path.parent
        if folder.is_symlink() or self.path.is_symlink():
            raise OSError(f"{folder} or its state file is a symbolic link; not followed")
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".state.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(self.data, indent=1, sort_keys=True))
            os.replace(tmp, self.path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


def _state_shape(data) -> bool:
    if not isinstance(data, dict):
        return False
    for src, entry in data.items():
        if not (isinstance(entry, dict) and isinstance(entry.get("key"), str)
                and isinstance(entry.get("outputs", {}), dict)):
            return False
        for out, stamp in entry.get("outputs", {}).items():
            if not (stamp is None or (isinstance(stamp, list) and len(stamp) == 2
                                      and all(isinstance(x, int) for x in stamp))):
                return False
    return True


def read_state_outputs(folder: Path) -> set[str]:
    """The outputs recorded in ``folder/.pubconv/state.json`` (empty when there is no usable record)."""
    state = State(folder)
    return state.outputs() if not state.problems else set()


def run_one(job: Job) -> Outcome:
    """Convert (or check) one source; never raises: whatever goes wrong is this document's alone."""
    from . import api

    try:
        if job.write:
            result = api.convert(job.source, job.formats, job.out_dir, form=job.form, options=job.options,
                                 strict=job.strict, names=job.names)
        else:
            result = api.check(job.source, job.formats, form=job.form, options=job.options, strict=job.strict)
    except PubconvError as exc:
        if exc.pos is None:  # an option or a writer's limit: still name the document it stopped
            exc.pos = SourcePos(str(job.source))
        return Outcome(job.source, "failed", diagnostics=[exc.diagnostic, *exc.diagnostics])
    except RecursionError:
        err = PubconvError("the document nests too deeply to be converted", SourcePos(str(job.source)),
                           "too-deep")
        return Outcome(job.source, "failed", diagnostics=[err.diagnostic])
    except MemoryError:
        err = PubconvError("not enough memory to convert this document", SourcePos(str(job.source)), "no-memory")
        return Outcome(job.source, "failed", diagnostics=[err.diagnostic])
    except OSError as exc:  # disk full, a read-only output folder...
        where = exc.filename if isinstance(exc.filename, str) else str(job.out_dir)
        err = PubconvError(f"cannot write the outputs: {exc.strerror or exc} ({where}); the previous outputs "
                           "are unchanged", SourcePos(str(job.source)), "write-failed")
        return Outcome(job.source, "failed", diagnostics=[err.diagnostic])
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a bug in pubconv (or a library's BaseException): this document
        # fails, the batch goes on
        if job.debug:
            raise
        err = PubconvError(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)",
                           SourcePos(str(job.source)), "internal")
        return Outcome(job.source, "failed", diagnostics=[err.diagnostic], internal=True)
    return Outcome(job.source, "converted" if job.write else "checked",
                   outputs={k: str(v) for k, v in result.outputs.items()}, diagnostics=result.diagnostics,
                   resources=[str(p) for p in result.resources])


def _init_worker(formats: tuple[str, ...]) -> None:
    # Ctrl-C is the parent's to handle (it saves the state and stops the pool): no worker tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if "pdf" in formats:
        import weasyprint  # noqa: F401 - once per worker, not once per document


def run(jobs: list[Job], *, workers: int = 1, force: bool = False,
        on_outcome: Callable[[Outcome], None] | None = None,
        report: Callable[[Diagnostic], None] | None = None) -> list[Outcome]:
    """Build every job; the outcomes are returned in the jobs' order.

    ``on_outcome`` hears of each as it is known: skipped ones first, then the
    others as the workers finish them (in the jobs' order).  ``report`` hears of
    problems with the batch itself (an unusable build record, one that cannot be saved).
    Jobs whose outputs would collide, or overwrite a source, fail before anything is
    written.  The build records are saved whatever happens, Ctrl-C included
    (``KeyboardInterrupt`` is re-raised after saving).
    """
    report = report or (lambda d: None)
    keys = KeyMaker()
    states: dict[Path, State] = {}
    outcomes: list[Outcome | None] = [None] * len(jobs)
    todo: list[tuple[int, str | None]] = []

    def done(i: int, outcome: Outcome) -> None:
        outcomes[i] = outcome
        if on_outcome:
            on_outcome(outcome)

    blocked = _collisions(jobs)
    try:
        for i, job in enumerate(jobs):
            if i in blocked:
                done(i, Outcome(job.source, "failed", diagnostics=[blocked[i]]))
                continue
            key = None
            if job.write:
                if job.out_dir not in states:
                    states[job.out_dir] = State(job.out_dir)
                    for d in states[job.out_dir].problems:
                        report(d)
                state = states[job.out_dir]
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
                states[job.out_dir].record(job, key, outcome.outputs.values(), outcome.resources)
            elif job.write and outcome.status == "failed":
                states[job.out_dir].forget(job)
            done(i, outcome)
    finally:
        for state in states.values():
            if not state.data and not state.path.exists():
                continue  # nothing built, nothing recorded before: leave the folder as it was
            try:
                state.save()
            except OSError as exc:
                report(Diagnostic("warning", "state-not-saved", f"the build record cannot be saved: "
                                  f"{exc.strerror or exc}; the next run rebuilds everything", SourcePos(str(state.path))))
    return [o for o in outcomes if o is not None]


def _collisions(jobs: list[Job]) -> dict[int, Diagnostic]:
    """Jobs that must not run: their outputs would be another job's, or a source of the batch.

    The rule (docs/robustness.md): outputs are named after the source's stem, flat in the output
    folder; when two sources would give the same output file, the first (in the order given)
    is built and the others fail, naming it.  An output that would replace a source fails.
    """
    sources = {j.source.resolve(): j.source for j in jobs}
    owner: dict[Path, Job] = {}
    blocked: dict[int, Diagnostic] = {}
    recorded: dict[Path, set[str]] = {}
    for i, job in enumerate(jobs):
        if not job.write:
            continue
        folder = job.out_dir.resolve()
        for name in job.output_names.values():
            target = folder / name
            if target not in sources and name.endswith(".pubconv.xml") and target.is_file():
                # An existing intermediate that no build record lists may be someone's source: not replaced.
                if folder not in recorded:
                    recorded[folder] = read_state_outputs(job.out_dir) if (job.out_dir / STATE_DIR).is_dir() \
                        else set()
                if str(target) not in recorded[folder]:
                    sources[target] = job.out_dir / name
            if target in sources:
                blocked[i] = PubconvError(f"its output {name} would overwrite the source {sources[target]}; "
                                          "choose another output folder", SourcePos(str(job.source)),
                                          "output-collision").diagnostic
                break
            other = owner.get(target)
            if other is not None and other.source.resolve() != job.source.resolve():
                blocked[i] = PubconvError(f"its output {name} would overwrite that of {other.source} (outputs are "
                                          "named after the source); rename one or convert them separately",
                                          SourcePos(str(job.source)), "output-collision").diagnostic
                break
        if i not in blocked:
            for name in job.output_names.values():
                owner.setdefault(folder / name, job)
    return blocked


def _execute(jobs: list[Job], workers: int) -> Iterator[Outcome]:
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield run_one(job)
        return
    formats = tuple(sorted({f for j in jobs for f in j.formats}))
    pool = multiprocessing.get_context("fork").Pool(min(workers, len(jobs)), initializer=_init_worker,
                                                    initargs=(formats,))
    try:
        yield from pool.imap(run_one, jobs)
        pool.close()
    finally:
        pool.terminate()  # on Ctrl-C or any exit: no worker outlives the batch
        pool.join()
