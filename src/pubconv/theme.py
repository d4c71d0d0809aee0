"""The one module that knows where the theme (``styles/``, ``templates/``) lives.

Lookup order: the user's override folder (``[theme] dir`` in pubconv.toml),
then the default theme: inside the installed wheel (``pubconv/_theme/``), or at
the top of a source checkout (editable install).
"""
from __future__ import annotations

from functools import lru_cache
import re
from pathlib import Path

from .errors import PubconvError, SourcePos

import jinja2

_PKG = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def default_dir() -> Path:
    """The folder that holds the default ``styles/`` and ``templates/``."""
    for candidate in (_PKG / "_theme", _PKG.parent.parent):
        if (candidate / "styles").is_dir() and (candidate / "templates").is_dir():
            return candidate
    raise RuntimeError(f"pubconv's default theme is missing (looked in {_PKG / '_theme'})")


def search_path(kind: str, override: Path | None = None) -> list[Path]:
    """Folders to search for ``kind`` (``styles`` or ``templates``), override first."""
    dirs = []
    if override is not None and (Path(override) / kind).is_dir():
        dirs.append(Path(override) / kind)
    dirs.append(default_dir() / kind)
    return dirs


def find(kind: str, name: str, override: Path | None = None) -> Path:
    """The first ``kind/name`` on the search path."""
    for folder in search_path(kind, override):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"theme file not found: {kind}/{name}")


# url(...) and @import "..." in a stylesheet; a target with a scheme (http:, file:, //host) is refused.
_CSS_REF = re.compile(r"""(?:\burl\(\s*+|@import\s++(?:url\(\s*+)?+)(?P<q>['"]?+)(?P<url>[^'")\s;]*+)""", re.I)
_SCHEME = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*+:|//)")


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def read_style(name: str, override: Path | None = None) -> str:
    """The text of a stylesheet, e.g. ``read_style("print.css")``.

    A theme may refer only to files beside it: an ``@import`` or ``url()`` with a scheme
    (``http:``, ``file:``, ``//host``; ``data:`` is allowed) raises ``theme-remote`` with the
    stylesheet's line, before WeasyPrint or an EPUB ever sees it.
    """
    path = find("styles", name, override)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PubconvError(f"cannot read the theme stylesheet: {exc}", SourcePos(_shown(path)), "bad-theme") from None
    for m in _CSS_REF.finditer(text):
        url = m.group("url")
        if _SCHEME.match(url) and not url.lower().startswith("data:"):
            line = text.count("\n", 0, m.start()) + 1
            col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
            raise PubconvError(f"the theme stylesheet refers to {url[:80]!r}; a theme may use only files in its own "
                               "folder", SourcePos(_shown(path), line, col), "theme-remote")
    return text


@lru_cache(maxsize=16)
def jinja_env(override: Path | None = None) -> jinja2.Environment:
    """A Jinja2 environment over the template search path, autoescaping on.

    One per theme folder, kept: compiling the templates costs ~50 ms a
    document.  Jinja2 still reloads a template whose file has changed.
    """
    loader = jinja2.FileSystemLoader([str(p) for p in search_path("templates", override)])
    return jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
