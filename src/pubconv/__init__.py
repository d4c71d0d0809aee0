"""pubconv: institute commentaries from Markdown to PDF, EPUB 3 and JATS.

The public face is small: :func:`read`, :func:`convert`, :class:`Document`,
:class:`PubconvError`, :class:`Diagnostic`.
"""
__version__ = "0.1.0"
