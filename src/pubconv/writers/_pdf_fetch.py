"""The only way WeasyPrint reads anything while pubconv renders a PDF.

:class:`SafeFetcher` serves vetted files: those under the theme's ``styles/``
folders and the images that ``pdf.check_resources`` resolved in advance (inside
the source's folder, symlinks resolved).  Anything else -- http(s), ``data:``,
a path outside those places -- raises before a request is made.  The fetcher is
built with ``fail_on_errors`` so that a refusal stops the rendering instead of
leaving a hole in the page (WeasyPrint otherwise logs and goes on).

WeasyPrint 70 takes a fetcher as a :class:`weasyprint.urls.URLFetcher`
subclass given to ``HTML(...)`` / ``CSS(...)``; one given to ``write_pdf`` is
ignored.
"""
from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse


class SafeFetcher(URLFetcher):
    """Serves only vetted files; ``refused`` lists the URLs it turned away.

    ``files`` are single files checked in advance (the images), ``roots`` are
    folders whose files may be read (the theme's ``styles/``), ``remote`` are
    http(s) URLs let through by ``--allow-remote``.
    """

    def __init__(self, files: set[Path], roots: list[Path], remote: frozenset[str] = frozenset(), **kwargs):
        kwargs.setdefault("fail_on_errors", True)
        kwargs.setdefault("allowed_protocols", ("file", "http", "https") if remote else ("file",))
        super().__init__(**kwargs)
        self.files = {Path(f).resolve() for f in files}
        self.roots = [Path(r).resolve() for r in roots]
        self.remote = frozenset(remote)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url in self.remote:
            return super().fetch(url, headers)
        if not url.lower().startswith("file:"):
            self.refused.append(url)
            raise ValueError(f"pubconv refuses to fetch {url!r}")
        try:
            path = Path(url2pathname(urlsplit(url).path)).resolve()
        except (OSError, RuntimeError):  # a symlink loop
            self.refused.append(url)
            raise ValueError(f"pubconv cannot resolve {url!r}") from None
        allowed = path in self.files or any(path.is_relative_to(root) for root in self.roots)
        if not allowed or not path.is_file():
            self.refused.append(url)
            raise ValueError(f"pubconv refuses to read {path}: not a vetted file")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})


def make_fetcher(images: dict[str, Path | str], styles_dirs: list[Path], allow_remote: bool) -> SafeFetcher:
    """A fetcher for the vetted ``images`` (``{src: path or allowed URL}``) and the theme."""
    files = {p for p in images.values() if isinstance(p, Path)}
    remote = frozenset(u for u in images.values() if isinstance(u, str)) if allow_remote else frozenset()
    return SafeFetcher(files, styles_dirs, remote)
