"""Feed every compiled pattern of the readers and transforms adversarial input (run by test_regex_linear.py).

``--shard=K/N`` takes every N-th pattern from the K-th (the test runs one shard per CPU).
Prints one line per pattern and input: ``<seconds> <pattern> <input>``, flushed before the
search starts (``... start``) so that a pattern that never finishes is named by the last line.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
import sys
import time

N = int(__import__("os").environ.get("BATTERY_N", "100000"))
UNITS = [" ", "\t", "\n", "a", "A", "1", ".", ",", ":", ";", "(", ")", "[", "]", "<", ">", "*", "_", "#", "-", "&",
         "/", "\\", "^", "|", "'", "\"", "–", "é",
         "A. ", "A.", "A.-", "Ab ", "Ab, ", "Ab, A. ", "(Ab ", "(a", "a (", "a)", "1 ", "1-", "2019 ", "(2019",
         "doi ", "doi:", "http://", "https://a", "](", "[^", "<sup>", "<sup>1", "</sup>", "**", "__", "\\*",
         "and ", "& ", "et al. ", "p. ", "see ", "No. ", "A A ", "AB 1 ", "a1 ", "a:", ": ", " -", "# ", "## ",
         "10.1234/", "By ", "*_", "Ab (", "Ab (2019", "Ab, 2019; ", "London: ", "A-", "a,"]
PREFIXES = ["## ", "(", "By ", "**", "Wolf, ", "doi: ", "[^", "<sup>", "A ", "See ", "---\n", "References"]
CORES = [" ", "a", "A", "1", "A. ", "Ab, ", "Ab ", "(", "*"]
ENDS = ["", "\x01!"]


def inputs():
    for u in UNITS:
        body = u * (N // len(u))
        for end in ENDS:
            yield f"{u!r}*n+{end!r}", body + end
        yield f"x+{u!r}*n+x", "x" + body + "x"
    for p in PREFIXES:
        for c in CORES:
            body = c * (N // len(c))
            yield f"{p!r}+{c!r}*n+'!'", p + body + "\x01!"


def patterns():
    """(name, pattern) for every module-level ``re.Pattern`` (also inside lists and tuples)."""
    import pubconv.readers
    import pubconv.transforms

    for pkg in (pubconv.readers, pubconv.transforms):
        mods = [pkg] + [importlib.import_module(f"{pkg.__name__}.{i.name}") for i in pkgutil.iter_modules(pkg.__path__)]
        for mod in mods:
            for name, value in sorted(vars(mod).items()):
                found = [value] if isinstance(value, re.Pattern) else \
                    [v for v in value if isinstance(v, re.Pattern)] if isinstance(value, (list, tuple)) else []
                for i, pat in enumerate(found):
                    yield f"{mod.__name__}.{name}" + (f"[{i}]" if isinstance(value, (list, tuple)) else ""), pat


def main(argv: list[str]) -> None:
    only = argv[1] if len(argv) > 1 else None
    cases = list(inputs())
    if "--list" in argv:
        for name, _ in patterns():
            print(name)
        return
    shard = next((a.split("=", 1)[1] for a in argv if a.startswith("--shard=")), "0/1")
    k, n = (int(x) for x in shard.split("/"))
    for i, (name, pat) in enumerate(patterns()):
        if (only and not only.startswith("--") and only not in name) or i % n != k:
            continue
        for label, text in cases:
            print(f"start {name} {label}", flush=True)
            t = time.perf_counter()
            pat.search(text)
            print(f"{time.perf_counter() - t:.4f} {name} {label}", flush=True)


if __name__ == "__main__":
    main(sys.argv)
