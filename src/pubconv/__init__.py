"""pubconv: institute commentaries from Markdown to PDF, EPUB 3 and JATS.

The public face is small: :func:`read`, :func:`convert`, :func:`check`, :class:`Document`,
:class:`PubconvError`, :class:`Diagnostic`.  They are imported on first use
(PEP 562), so that ``pubconv --version`` and ``--help`` start without lxml.
"""
try:  # written from git by hatch-vcs when pubconv is built or installed (see pyproject.toml)
    from ._version import __version__
except ImportError:  # a source tree used without installing it (PYTHONPATH=src)
    __version__ = "0.1.0.dev0+unknown"

__all__ = ["convert", "check", "read", "Result", "Document", "Diagnostic", "PubconvError", "SourcePos",
           "__version__"]

_HOMES = {"convert": "api", "check": "api", "read": "api", "Result": "api", "Document": "document",
          "Diagnostic": "errors", "PubconvError": "errors", "SourcePos": "errors"}


def __getattr__(name: str):
    if name in _HOMES:
        from importlib import import_module

        value = getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
