"""pubconv: institute commentaries from Markdown to PDF, EPUB 3 and JATS.

The public face is small: :func:`read`, :func:`convert`, :class:`Document`,
:class:`PubconvError`, :class:`Diagnostic`.
"""
__version__ = "0.1.0"

from .api import Result, convert, read
from .document import Document
from .errors import Diagnostic, PubconvError, SourcePos

__all__ = ["convert", "read", "Result", "Document", "Diagnostic", "PubconvError", "SourcePos", "__version__"]
