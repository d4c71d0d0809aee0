"""The library face of pubconv: :func:`read`, :func:`convert` and :func:`check`.

It strings the stages together: configuration, reader (with the transforms and
the schema check), writer options, writers in memory, atomic writing.  All are
plain functions with no global state: every call makes its own
parsers, validators and diagnostics list, so they are safe to call from
threads.  Problems that stop a document raise :class:`~pubconv.errors.PubconvError`
(with a source position); everything else is a :class:`~pubconv.errors.Diagnostic`
in the result.
"""
from __future__ import annotations

import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Mapping

from . import config as config_mod
from . import readers
from .document import Document
from .errors import Collector, Diagnostic, PubconvError, Report, SourcePos, collapse, printable
from .inputs import document_resources
from .writers import FORMATS, WriteOptions, writer

DEFAULT_FORMATS = ("pdf", "epub", "jats")
#: What ``check`` builds by default: the publishing formats and the intermediate.  The deposit formats
#: (``crossref``, ``deposit``) need a DOI, a landing page and a depositor; check them by asking for them.
CHECK_FORMATS = ("xml", "pdf", "epub", "jats")


@dataclass
class Result:
    """What :func:`convert` did for one source."""

    source: Path
    #: format name -> path written (empty when ``write=False``)
    outputs: dict[str, Path] = field(default_factory=dict)
    #: format name -> the output's bytes
    data: dict[str, bytes] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: the files the document read besides its source and configuration (its images), for build records
    resources: list[Path] = field(default_factory=list)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


def stem(source: Path) -> str:
    """The output stem: ``c207.md`` -> ``c207``; ``x.pubconv.xml`` -> ``x``."""
    name = source.name
    if name.endswith(".pubconv.xml"):
        return name[: -len(".pubconv.xml")]
    return Path(name).stem or name


def read(source: str | os.PathLike, *, form: str | None = None, config: config_mod.Config | None = None,
         report: Report | None = None) -> Document:
    """Read a source into the canonical intermediate, with the publisher configuration applied.

    ``form`` forces ``authoring``, ``extracted`` or ``xml``; ``config`` defaults to the
    ``pubconv.toml`` found above the source; warnings go to ``report`` (default: dropped,
    use :func:`convert` or pass a :class:`~pubconv.errors.Collector` to keep them).
    """
    path = Path(source)
    cfg = config if config is not None else config_mod.for_source(path)
    report = report if report is not None else Collector()
    lang = cfg.get("document", "language", "en")
    return readers.read_source(path, report, form=form, lang=lang, config=cfg)


def options_for(doc: Document, cfg: config_mod.Config,
                overrides: Mapping[str, Any] | None = None) -> WriteOptions:
    """Writer options: the configuration's, with ``overrides`` (field name -> value) winning."""
    overrides = dict(overrides or {})
    allow_outside = bool(overrides.pop("allow_outside", False))
    theme = cfg.get("theme", "dir")
    logo = cfg.relative(cfg.get("publisher", "logo"))
    if logo is not None and cfg.path is not None and not allow_outside \
            and not _inside(logo, cfg.path.parent):
        # A repository's configuration must not make a build read files elsewhere on the machine.
        raise PubconvError(f"the logo {cfg.get('publisher', 'logo')!r} is outside the configuration's folder; "
                           "move it there, or pass --allow-outside", config_mod.key_pos(cfg.path, "logo"),
                           "outside-config")
    if logo is not None and not logo.is_file():
        raise PubconvError(f"the logo named in the configuration does not exist: {cfg.get('publisher', 'logo')}",
                           config_mod.key_pos(cfg.path, "logo", "publisher", value=True), "bad-config")
    opts = WriteOptions(
        paper=cfg.get("pdf", "paper", "A4"),
        pdf_variant=cfg.get("pdf", "variant"),
        bleed=cfg.get("pdf", "bleed"),
        crop_marks=cfg.get("pdf", "crop-marks", False),
        article_type=config_mod.article_type(doc.root, cfg),
        theme_dir=cfg.relative(theme),
        logo=logo.resolve() if logo is not None else None,
        crossref=_crossref_settings(cfg),
        certified_by=cfg.get("epub", "certified-by"),
        certifier_credential=cfg.get("epub", "certifier-credential"),
        certifier_report=cfg.get("epub", "certifier-report"),
        unlocked=cfg.get("epub", "unlocked", False),
        cover=_config_file(cfg, "epub", "cover"),
        page_list=cfg.get("epub", "page-list", True),
    )
    return replace(opts, **overrides)


def _inside(path: Path, folder: Path) -> bool:
    """Is ``path`` (symbolic links resolved) inside ``folder``?"""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):
        return False


def _crossref_settings(cfg: config_mod.Config) -> dict[str, str]:
    """``[crossref]``, with its ``schema`` path made absolute (relative to the configuration file)."""
    settings = dict(cfg.data.get("crossref", {}))
    if settings.get("schema"):
        settings["schema"] = str(cfg.relative(settings["schema"]).resolve())
    return settings


def _config_file(cfg: config_mod.Config, table: str, key: str) -> Path | None:
    """A file named in the configuration (relative to it), which must exist."""
    path = cfg.relative(cfg.get(table, key))
    if path is not None and not path.is_file():
        raise PubconvError(f"the file named by [{table}] {key} does not exist: {cfg.get(table, key)}",
                           config_mod.key_pos(cfg.path, key), "bad-config")
    return path.resolve() if path is not None else None


def render(doc: Document, to: Iterable[str], options: WriteOptions, report: Report, *,
           check_only: bool = False) -> dict[str, bytes]:
    """Each requested format's bytes, in memory.

    With ``check_only``, a writer that has a ``check()`` (the PDF writer) is only
    checked, and gives no bytes; the others are built in memory as usual, the EPUB
    without its print page list (which would lay the PDF out).
    """
    if check_only:
        options = replace(options, page_list=False)
    out = {}
    # PDF and EPUB render the same XHTML, and so report the same problems: each writer's diagnostics are
    # passed on only beyond what an earlier writer already reported (a problem found 300 times by one
    # writer is still 300 times, for the count that collapse() gives).
    reported: Counter = Counter()
    # The PDF first: the EPUB's page list then reuses its layout (writers/pdf/pages.py).
    for name in sorted(to, key=lambda n: n != "pdf"):
        module = writer(name)
        mine = Collector()
        try:
            if check_only and hasattr(module, "check"):
                module.check(doc, options, mine)
            else:
                out[name] = module.write(doc, options, mine)
        finally:
            counts = Counter(mine.items)
            for d in mine.items:
                if counts[d] > reported[d]:
                    report(d)
                    reported[d] += 1
    return {name: out[name] for name in to if name in out}


def convert(source: str | os.PathLike, to: Iterable[str] | str = DEFAULT_FORMATS, out_dir: str | os.PathLike = "out",
            *, form: str | None = None, options: Mapping[str, Any] | None = None, strict: bool = False,
            write: bool = True, config: config_mod.Config | None = None,
            names: Mapping[str, str] | None = None) -> Result:
    """Convert one source to each format in ``to`` and (unless ``write=False``) write
    ``out_dir/<stem><suffix>`` for each, atomically: all formats are rendered in memory
    first, then each file goes to a ``*.tmp`` beside its target and is renamed into place.

    ``options`` are :class:`~pubconv.writers.WriteOptions` fields that win over the
    configuration, e.g. ``{"paper": "Letter", "pdf_variant": "pdf/a-3b"}``.
    ``names`` (format -> file name) replaces ``<stem><suffix>`` for the formats it names.
    Raises PubconvError on an error in the source, or on any warning when ``strict``
    (its ``diagnostics`` then carry every warning, in order).
    """
    path = Path(source)
    result, files = _build(path, parse_formats(to), form, options, strict, config, check_only=False, names=names)
    if write:
        result.outputs = write_outputs(Path(out_dir), {files[k]: v for k, v in result.data.items()},
                                       {files[k]: k for k in result.data})
    return result


def check(source: str | os.PathLike, to: Iterable[str] | str = CHECK_FORMATS, *, form: str | None = None,
          options: Mapping[str, Any] | None = None, strict: bool = False,
          config: config_mod.Config | None = None) -> Result:
    """:func:`convert` minus writing: every error ``convert`` would raise for ``to``, raised here too.

    The configuration and the options are checked, the document read and
    validated, and each format built in memory, except that a writer with a
    ``check()`` (the PDF writer: no WeasyPrint, no layout) is only checked; the
    result carries the diagnostics and the bytes of the formats built.
    """
    return _build(Path(source), parse_formats(to), form, options, strict, config, check_only=True)[0]


def _build(path: Path, to: list[str], form: str | None, options: Mapping[str, Any] | None, strict: bool,
           config: config_mod.Config | None, *, check_only: bool,
           names: Mapping[str, str] | None = None) -> tuple[Result, dict[str, str]]:
    """Read ``path`` and render (or check) each format in memory: what convert and check share.

    Returns the result and the output file name of each format.
    """
    if printable(path.name) != path.name:
        # Output names, JATS self-uris and EPUB manifests are made from it: no control characters there.
        raise PubconvError("the file name has control characters or bytes that are not UTF-8; rename the file",
                           SourcePos(str(path)), "bad-name")
    found = Collector()
    cfg = config if config is not None else config_mod.for_source(path)
    doc = read(path, form=form, config=cfg, report=found)
    names = {name: (names or {}).get(name) or stem(path) + FORMATS[name].suffix for name in to}
    opts = options_for(doc, cfg, options)
    opts = replace(opts, outputs={k: v for k, v in names.items() if k in ("pdf", "epub")} | dict(opts.outputs))
    data = render(doc, to, opts, found, check_only=check_only)
    result = Result(path, data=data, diagnostics=collapse(found.items), resources=document_resources(doc))
    if strict and result.warnings:
        n = len(result.warnings)
        first = result.warnings[0]
        raise PubconvError(f"{n} warning{'s' if n != 1 else ''} under --strict (all listed); first: {first.message}",
                           first.pos or SourcePos(str(path)), "strict", diagnostics=result.warnings)
    return result, names


def parse_formats(to: Iterable[str] | str) -> list[str]:
    names = [t.strip() for t in (to.split(",") if isinstance(to, str) else to) if t.strip()]
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise PubconvError(f"unknown output format {unknown[0] if unknown else ''!r} "
                           f"(known: {', '.join(FORMATS)})", None, "usage")
    return list(dict.fromkeys(names))


def write_outputs(out_dir: Path, files: dict[str, bytes], formats: dict[str, str]) -> dict[str, Path]:
    """Write each ``name -> bytes`` into ``out_dir`` as one set: all of them or none; never outside it.

    Every file is first written to a temporary file created exclusively, with a random name,
    inside ``out_dir``; only when all are written are they renamed into place.  If a rename
    fails, the files already replaced are put back as they were (and new ones removed), so a
    document's formats always come from one build.  Temporary files are removed on every path.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    root = out_dir.resolve()
    for name in files:
        if (root / name).parent != root or name in ("", ".", ".."):
            raise PubconvError(f"output name {name!r} would leave the output folder", None, "bad-output")
    temps: list[Path] = []  # every temporary file made, whatever happens next
    staged: list[tuple[str, Path]] = []
    backups: dict[str, Path | None] = {}  # name -> the previous file (kept aside), or None if there was none
    done: list[str] = []
    try:
        for name, data in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=root)
            temps.append(Path(tmp))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o644)
            staged.append((name, Path(tmp)))
        for name, _ in staged:
            target = root / name
            if target.is_symlink() or target.is_file():
                fd, keep = tempfile.mkstemp(prefix=f".{name}.", suffix=".old.tmp", dir=root)
                os.close(fd)
                temps.append(Path(keep))
                os.replace(target, keep)  # a rename: the old bytes stay as they were
                backups[name] = Path(keep)
            else:
                backups[name] = None
            done.append(name)
            os.replace(dict(staged)[name], target)
        return {formats[name]: out_dir / name for name, _ in staged}
    except BaseException:
        for name in reversed(done):  # roll back: the previous set comes back whole
            try:
                if backups.get(name) is not None:
                    os.replace(backups[name], root / name)
                elif (root / name).exists():
                    (root / name).unlink()
            except OSError:
                pass
        raise
    finally:
        for tmp in temps:
            try:
                tmp.unlink()
            except FileNotFoundError:
                pass
            except OSError:
                pass
