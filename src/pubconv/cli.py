"""The ``pubconv`` command: a thin layer over :mod:`pubconv.api`.

``main(argv)`` returns the exit status (see :mod:`pubconv.errors`) and never
lets a traceback reach the user unless ``--debug`` asks for it.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from . import __version__
from .errors import (EXIT_FAILED, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, Diagnostic, PubconvError, SourcePos,
                     printable)

SOURCE_SUFFIXES = (".md", ".markdown", ".txt", ".pubconv.xml", ".docx")
EXIT_INTERRUPTED = 130  #: Ctrl-C, as shells report SIGINT

EPILOG = """\
examples:
  pubconv convert comments/c207.md                  PDF, EPUB and JATS into ./out
  pubconv convert comments/ --to pdf -o build       every source under comments/, PDF only
  pubconv convert c207.md --to xml -o out           the canonical intermediate (out/c207.pubconv.xml)
  pubconv convert c207.md --to pdf --pdf-variant pdf/a-3b --paper Letter
  pubconv check comments/*.md --strict              read and validate everything, write nothing

exit status: 0 done; 1 a document had an error (or a warning under --strict);
2 bad command line; 3 internal error (rerun with --debug for the traceback).
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pubconv", description="Convert commentaries (Markdown) to PDF, EPUB 3 and JATS.",
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"pubconv {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("sources", nargs="+", metavar="SRC", help="source files or folders (searched recursively)")
    common.add_argument("--from", dest="form", choices=["authoring", "extracted", "xml", "docx"],
                        help="force the source form (default: .docx is Word, .pubconv.xml the intermediate, "
                             "front matter means authoring, else extracted)")
    common.add_argument("--strict", action="store_true", help="treat warnings as errors")
    common.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    common.add_argument("--allow-outside", action="store_true",
                        help="let pubconv.toml name a logo or an output folder outside its own folder")

    conv = sub.add_parser("convert", parents=[common], help="convert sources", epilog=EPILOG,
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    conv.add_argument("--to", default="pdf,epub,jats",
                      help="comma list of pdf, epub, jats, xml, crossref, deposit (default: %(default)s)")
    conv.add_argument("-o", "--output", metavar="DIR",
                      help="output folder (default: [build] output in pubconv.toml, else ./out); or, for one "
                           "source, the file to write (x.pdf, x.epub, x.jats.xml, x.pubconv.xml)")
    conv.add_argument("-j", "--jobs", type=int, metavar="N", help="worker processes (default: number of CPUs)")
    conv.add_argument("--force", action="store_true", help="rebuild sources that have not changed")
    conv.add_argument("--pre-commit", action="store_true",
                      help="as the pubconv-build hook: refuse an output folder that git does not ignore")
    conv.add_argument("--paper", help="A4 (default), Letter, or a CSS size such as '170mm 240mm'")
    conv.add_argument("--pdf-variant", choices=["pdf/a-3b", "pdf/a-3a", "pdf/ua-1", "pdf/ua-2", "pdf/x-4"],
                      help="archival (PDF/A-3b, tagged PDF/A-3a), accessible (PDF/UA-1, PDF/UA-2) or print-shop (PDF/X-4) PDF")
    conv.add_argument("--bleed", help="bleed for print, a CSS length such as 3mm")
    conv.add_argument("--crop-marks", action="store_true", help="draw crop marks (for a print shop)")
    conv.add_argument("--allow-remote", action="store_true",
                      help="let the PDF fetch http(s) images (never done otherwise; an EPUB always refuses them)")

    chk = sub.add_parser("check", parents=[common], help="read, build everything in memory, validate; write nothing",
                   epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    chk.add_argument("-j", "--jobs", type=int, metavar="N", help="worker processes (default: number of CPUs)")
    return p


def find_sources(args: list[str], skip: Path | None = None) -> tuple[list[Path], list[Diagnostic]]:
    """Files named on the command line, and every source inside named folders."""
    found: list[Path] = []
    problems: list[Diagnostic] = []
    skip_resolved = skip.resolve() if skip is not None else None
    recorded: dict[Path, set[str]] = {}  # folder -> outputs its build record lists

    def is_output(f: Path) -> bool:
        """Written by pubconv, as the build record of its folder says (an output folder found in a scan)."""
        from .build import STATE_DIR, read_state_outputs

        folder = f.parent
        if folder not in recorded:
            recorded[folder] = read_state_outputs(folder) if (folder / STATE_DIR).is_dir() else set()
        return str(f.resolve()) in recorded[folder]

    for arg in args:
        path = Path(arg)
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                rel = f.relative_to(path).parts
                if any(part.startswith(".") for part in rel) or not f.is_file():
                    continue
                if skip_resolved is not None and skip_resolved in f.resolve().parents:
                    continue
                if is_output(f):
                    continue
                # "~$c208.docx" is the lock file Word keeps beside an open document
                if f.name.lower().endswith(SOURCE_SUFFIXES) and f.name.lower() not in ("readme.md", "changelog.md") \
                        and not f.name.startswith("~$"):
                    found.append(f)
        elif path.exists():
            found.append(path)
        else:
            problems.append(PubconvError("no such file or folder", SourcePos(arg), "unreadable").diagnostic)
    return list(dict.fromkeys(found)), problems


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return _run(args)
    except PubconvError as exc:  # a problem before any document was tried (pubconv.toml, say)
        print(exc.diagnostic, file=sys.stderr)
        return EXIT_USAGE if exc.code == "usage" else EXIT_FAILED
    except KeyboardInterrupt:
        print("pubconv: interrupted; the build record is saved", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the one place internal errors are turned into a message
        if args.debug:
            raise
        print(f"pubconv: internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)",
              file=sys.stderr)
        return EXIT_INTERNAL


def _run(args) -> int:
    from . import api, build

    if args.command == "convert":
        try:
            formats = api.parse_formats(args.to)
        except PubconvError as exc:
            print(f"pubconv: error: {exc.message}", file=sys.stderr)
            return EXIT_USAGE
        # Only what the user gave: anything left out comes from pubconv.toml, then the defaults.
        given = {"paper": args.paper, "pdf_variant": args.pdf_variant, "bleed": args.bleed,
                 "crop_marks": args.crop_marks or None, "allow_remote": args.allow_remote or None}
        base = {k: v for k, v in given.items() if v is not None}
        if args.paper is not None or args.bleed is not None:  # command-line errors: exit 2, before any work
            from .writers import WriteOptions
            from .writers.pdf import page_style

            try:
                page_style(WriteOptions(paper=args.paper, bleed=args.bleed), room=False)
            except PubconvError as exc:
                print(f"pubconv: error: --paper/--bleed: {printable(exc.message)}", file=sys.stderr)
                return EXIT_USAGE
        names = None
        target = _output_file(args.output)
        if target is not None:
            fmt = target[0]
            if len(args.sources) != 1 or Path(args.sources[0]).is_dir() or \
                    (args.to != "pdf,epub,jats" and formats != [fmt]):
                print(f"pubconv: error: -o {printable(args.output)} names a {fmt} file: give one source file and "
                      f"at most --to {fmt}, or name a folder", file=sys.stderr)
                return EXIT_USAGE
            formats, names = [fmt], {fmt: target[1].name}
    else:
        # check = convert minus writing: the publishing formats, the PDF checked without WeasyPrint (api.check)
        formats, base, names = list(api.CHECK_FORMATS), {}, None
    if args.allow_outside:
        base = dict(base, allow_outside=True)
    try:
        out_dir = _output_dir(args)
    except PubconvError as exc:  # the configuration that names the output folder is wrong
        print(exc.diagnostic, file=sys.stderr)
        return EXIT_FAILED
    if getattr(args, "pre_commit", False) and not _git_ignores(out_dir):
        print(f"pubconv: error: the output folder '{out_dir}' is not ignored by git; add '{out_dir}/' to "
              ".gitignore (or set [build] output in pubconv.toml)", file=sys.stderr)
        return EXIT_FAILED
    sources, problems = find_sources(args.sources, skip=out_dir if args.command == "convert" else None)
    for d in problems:
        print(d, file=sys.stderr)
    if not sources and not problems:
        print("pubconv: error: no sources found", file=sys.stderr)
        return EXIT_FAILED
    jobs = [build.Job(src, tuple(formats), out_dir, form=args.form, options=base, strict=args.strict,
                      write=args.command == "convert", names=names, debug=args.debug) for src in sources]
    workers = args.jobs if args.jobs else (os.cpu_count() or 1)
    bar = None
    if len(jobs) > 1 and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=len(jobs), unit="doc", file=sys.stderr, leave=False)

    pipe = {"open": True}

    def say(line: str, err: bool = True) -> None:
        """Print one line; a reader that went away (``| head -1``) stops the printing, not the batch."""
        if bar is not None and err:
            bar.write(line)
            return
        if not pipe["open"] and not err:
            return
        try:
            print(line, file=sys.stderr if err else sys.stdout, flush=not err)
        except BrokenPipeError:
            if not err:
                pipe["open"] = False
                _silence_stdout()

    def report(outcome: build.Outcome) -> None:
        for d in outcome.diagnostics:
            say(str(d))
        if bar is not None:
            bar.update(1)
        elif outcome.status == "converted":
            say(printable(f"{outcome.source} -> {', '.join(outcome.outputs.values())}"), err=False)
        elif outcome.status != "failed":
            say(printable(f"{outcome.source}: {outcome.status}"), err=False)

    started = time.monotonic()
    try:
        outcomes = build.run(jobs, workers=workers, force=getattr(args, "force", False), on_outcome=report,
                             report=lambda d: say(str(d)))
    finally:
        if bar is not None:
            bar.close()
    counts = {s: sum(1 for o in outcomes if o.status == s) for s in ("converted", "checked", "skipped", "failed")}
    failed = counts["failed"] + len(problems)
    if len(jobs) + len(problems) > 1 or failed:
        done = "converted" if args.command == "convert" else "checked"
        parts = [f"{counts[done]} {done}"] + ([f"{counts['skipped']} skipped"] if args.command == "convert" else [])
        say(f"pubconv: {', '.join(parts)}, {failed} failed in {time.monotonic() - started:.1f}s")
    if any(o.internal for o in outcomes):
        return EXIT_INTERNAL
    return EXIT_FAILED if failed else EXIT_OK


def _silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so that Python's exit does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


#: ``-o`` names one output file when it ends with a format's suffix (as Pandoc users expect).
_FILE_SUFFIXES = {".pubconv.xml": "xml", ".jats.xml": "jats", ".pdf": "pdf", ".epub": "epub"}


def _output_file(output: str | None) -> tuple[str, Path] | None:
    if not output or Path(output).is_dir():
        return None
    for suffix, fmt in _FILE_SUFFIXES.items():
        if output.lower().endswith(suffix) and len(Path(output).name) > len(suffix):
            return fmt, Path(output)
    return None


def _git_ignores(folder: Path) -> bool:
    import subprocess

    try:
        r = subprocess.run(["git", "check-ignore", "-q", str(folder / "x.pdf")], capture_output=True)
    except OSError:  # no git: nothing to protect
        return True
    return r.returncode != 1


def _output_dir(args) -> Path:
    if getattr(args, "output", None):
        target = _output_file(args.output)
        return target[1].parent if target is not None else Path(args.output)
    from . import config as config_mod

    first = Path(args.sources[0])
    cfg = config_mod.for_source(first if first.is_dir() else first.parent / "x")
    out = cfg.get("build", "output")
    if not out:
        return Path("out")
    folder = cfg.relative(out)
    if cfg.path is not None and not args.allow_outside:
        try:
            inside = folder.resolve().is_relative_to(cfg.path.parent.resolve())
        except (OSError, RuntimeError, ValueError):
            inside = False
        if not inside:
            raise PubconvError(f"[build] output {out!r} is outside the configuration's folder; a configuration "
                               "may not make pubconv write elsewhere (pass --allow-outside to allow it)",
                               config_mod.key_pos(cfg.path, "output"), "outside-config")
    return folder
