"""Module globals of a library replaced only while pubconv needs them: the one mechanism for it.

What this module owns: :class:`Swap`.  WeasyPrint and fontTools look some
functions up as module globals, with no hook a subclass can reach; pubconv
points such a name at a *dispatcher* (which acts for pubconv's own thread or
layout and calls the library's original otherwise) while at least one pubconv
scope is open, in any thread, and puts the original back when the last one
closes.  Used by ``weasyprint_fixes`` (the layout) and ``font_stamps`` (fonts
saved while writing).
"""
from __future__ import annotations

import threading
from contextlib import contextmanager


class Swap:
    """``names`` ((module, attribute name, dispatcher), ...) swapped in for as long as a scope is open."""

    def __init__(self, *names):
        self.names = names
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: list = []

    @contextmanager
    def scope(self):
        with self._lock:
            if self._depth == 0:
                self._saved = [getattr(module, name) for module, name, _ in self.names]
                for module, name, dispatcher in self.names:
                    setattr(module, name, dispatcher)
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0:
                    for (module, name, _), original in zip(self.names, self._saved):
                        setattr(module, name, original)
                    self._saved = []
