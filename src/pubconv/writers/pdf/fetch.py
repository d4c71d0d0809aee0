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

from ... import svg

#: The base URL the PDF's XHTML is rendered against, and the URL of the logo. WeasyPrint names
#: each image in the PDF after its URL: with the real folder in it, the same document built in
#: two checkouts would give two different files.  The fetcher maps these back to real paths.
SOURCE_URL = "file:///pubconv-source/"
LOGO_URL = "file:///pubconv-logo/"


class SafeFetcher(URLFetcher):
    """Serves only vetted files; ``refused`` lists the URLs it turned away.

    ``files`` are single files checked in advance (the images), ``roots`` are
    folders whose files may be read (the theme's ``styles/``), ``remote`` are
    http(s) URLs let through by ``--allow-remote``.
    """

    def __init__(self, files: set[Path], roots: list[Path], remote: frozenset[str] = frozenset(),
                 source_dir: Path | None = None, logo: Path | None = None, **kwargs):
        kwargs.setdefault("fail_on_errors", True)
        kwargs.setdefault("allowed_protocols", ("file", "http", "https") if remote else ("file",))
        super().__init__(**kwargs)
        self.files = {Path(f).resolve() for f in files}
        self.roots = [Path(r).resolve() for r in roots]
        self.remote = frozenset(remote)
        self.source_dir = Path(source_dir).resolve() if source_dir is not None else None
        self.logo = Path(logo).resolve() if logo is not None else None
        self.refused: list[str] = []
        self.asked: list[str] = []  # every URL asked for, served or refused
        self.served: list[tuple] = []  # every local file served: its stamp (path, mtime, size), in order

    def key(self) -> tuple:
        """What decides the fetcher's answers: two fetchers with the same key serve the same files."""
        return (frozenset(self.files), tuple(self.roots), self.remote, self.source_dir, self.logo)

    def fetch(self, url, headers=None):
        self.asked.append(url)
        if url in self.remote:
            return super().fetch(url, headers)
        if not url.lower().startswith("file:"):
            self.refused.append(url)
            raise ValueError(f"pubconv refuses to fetch {url!r}")
        try:
            if self.logo is not None and url == LOGO_URL + self.logo.name:
                path = self.logo
            elif self.source_dir is not None and url.startswith(SOURCE_URL):
                path = (self.source_dir / url2pathname(urlsplit(url).path[len("/pubconv-source/"):])).resolve()
            else:
                path = Path(url2pathname(urlsplit(url).path)).resolve()
        except (OSError, RuntimeError):  # a symlink loop
            self.refused.append(url)
            raise ValueError(f"pubconv cannot resolve {url!r}") from None
        allowed = path in self.files or any(path.is_relative_to(root) for root in self.roots)
        if not allowed or not path.is_file():
            self.refused.append(url)
            raise ValueError(f"pubconv refuses to read {path}: not a vetted file")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.served.append(stamp(path))
        data = path.read_bytes()
        if path.suffix.lower() == ".svg":  # WeasyPrint would follow an SVG's own references: clean it first
            try:
                data = svg.sanitize(data)[0]
            except ValueError as exc:
                self.refused.append(url)
                raise ValueError(f"pubconv refuses the SVG {path.name}: {exc}") from None
        return URLFetcherResponse(url, data, {"Content-Type": mime})


def stamp(path: Path) -> tuple:
    """What tells a file's versions apart without reading it: (path, modification time, size); (path, None,
    None) for a file gone."""
    try:
        st = path.stat()
    except OSError:
        return (path, None, None)
    return (path, st.st_mtime_ns, st.st_size)


def make_fetcher(images: dict[str, Path | str], styles_dirs: list[Path], allow_remote: bool,
                 source_dir: Path | None = None, logo: Path | None = None) -> SafeFetcher:
    """A fetcher for the vetted ``images`` (``{src: path or allowed URL}``), the logo and the theme."""
    files = {p for p in images.values() if isinstance(p, Path)} | ({Path(logo).resolve()} if logo else set())
    remote = frozenset(u for u in images.values() if isinstance(u, str)) if allow_remote else frozenset()
    return SafeFetcher(files, styles_dirs, remote, source_dir=source_dir, logo=logo)
