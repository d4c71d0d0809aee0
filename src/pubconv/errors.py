"""Source positions, diagnostics and the one error type pubconv raises.

Non-fatal problems are :class:`Diagnostic` values handed to a ``report`` callable
(the library default collects them in a list); fatal ones raise
:class:`PubconvError`.  ``cli.py`` turns both into the exit statuses below, in one place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Literal

Severity = Literal["warning", "error"]

#: Exit statuses of the ``pubconv`` command, documented in the README.
EXIT_OK = 0  #: every document converted (warnings allowed unless --strict)
EXIT_FAILED = 1  #: at least one document had an error (or a warning under --strict)
EXIT_USAGE = 2  #: the command line itself was wrong
EXIT_INTERNAL = 3  #: a bug in pubconv: one line is printed, --debug shows the traceback


# Control characters, line and paragraph separators: escaped in every message, so that a file
# name or a value can never start a line of its own and forge a diagnostic.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with control characters written as escapes (``\\n``, ``\\x07``): one line, always."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


@dataclass(frozen=True)
class SourcePos:
    """A place in a source file; line and column are 1-based and optional.

    ``where`` names the place in a source that has no lines (a Word document's
    ``paragraph 12`` or ``note 3``); it is printed after the path:
    ``c208.docx: paragraph 12``.
    """

    path: str
    line: int | None = None
    column: int | None = None
    where: str | None = None

    def __str__(self) -> str:  # "comments/c207.md:12:3", "c208.docx: paragraph 12"
        head = ":".join(printable(str(p)) for p in (self.path, self.line, self.column) if p is not None)
        return f"{head}: {self.where}" if self.where else head


@dataclass(frozen=True)
class Diagnostic:
    """One message about a source: ``path:line:col: severity: message [code]``."""

    severity: Severity
    code: str
    message: str
    pos: SourcePos | None = None

    def __str__(self) -> str:
        where = f"{self.pos}: " if self.pos is not None else ""
        return f"{where}{self.severity}: {printable(self.message)} [{self.code}]"


Report = Callable[[Diagnostic], None]


class PubconvError(Exception):
    """A fatal problem with an input, with the place it was found.

    ``code`` is a short stable identifier (``no-title``, ``bad-yaml``...) that the
    tests and the documentation use; the message is for people.
    """

    def __init__(self, message: str, pos: SourcePos | None = None, code: str = "error",
                 diagnostics: "list[Diagnostic] | None" = None):
        super().__init__(message)
        self.message = message
        self.pos = pos
        self.code = code
        #: further diagnostics that go with this error (under --strict: every warning, in order)
        self.diagnostics: list[Diagnostic] = list(diagnostics or [])

    @property
    def diagnostic(self) -> Diagnostic:
        return Diagnostic("error", self.code, self.message, self.pos)

    def __str__(self) -> str:
        return str(self.diagnostic)


class Collector:
    """A ``report`` callable that keeps what it is given, in order."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def __call__(self, diagnostic: Diagnostic) -> None:
        self.items.append(diagnostic)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]


def collapse(items: list[Diagnostic]) -> list[Diagnostic]:
    """A diagnostic repeated (same severity, code, message and file) as one, at its first place, with a
    count and the lines it came from (at most ten listed); order kept."""
    groups: dict[tuple, list[Diagnostic]] = {}
    for d in items:
        groups.setdefault((d.severity, d.code, d.message, d.pos.path if d.pos else None), []).append(d)
    out = []
    for same in groups.values():
        first = same[0]
        if len(same) == 1:
            out.append(first)
            continue
        lines = sorted({d.pos.line for d in same if d.pos is not None and d.pos.line is not None})
        where = ""
        if len(lines) > 1:
            shown = ", ".join(str(n) for n in lines[:10]) + (", ..." if len(lines) > 10 else "")
            where = f"; lines {shown}"
        out.append(Diagnostic(first.severity, first.code, f"{first.message} ({len(same)} times{where})", first.pos))
    return out


def warn(report: Report, code: str, message: str, pos: SourcePos | None = None) -> None:
    """Hand a warning to ``report``."""
    report(Diagnostic("warning", code, message, pos))
