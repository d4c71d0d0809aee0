"""Feed every compiled pattern of the readers and transforms adversarial input (run by test_regex_linear.py).

``--shard=K/N`` takes every N-th (pattern, input) from the K-th (the test runs one shard per CPU).
Each input is searched at two sizes, ``SMALL`` and ``4 * SMALL`` characters: a linear pattern
takes about four times as long on the larger, a quadratic one sixteen times.  When the larger
search takes over ``FLOOR`` seconds and more than ``RATIO`` times the smaller (a super-linear
sign, or a machine busy for a moment), the input is searched once more at ``16 * SMALL`` and
that ratio printed too.  Prints one line per pattern and input:
``<small s> <large s> <ratio at 16 * SMALL or -> <pattern> <input>`` (CPU seconds of the process,
so that a busy machine does not make a linear pattern look super-linear), flushed before the search
starts (``start ...``) so that a pattern that never finishes is named by the last line.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
import sys
import time

SMALL = int(__import__("os").environ.get("BATTERY_N", "5000"))
FLOOR = 0.05  # seconds at 4 * SMALL below which a ratio is timer noise
RATIO = 8.0  # linear: 4; quadratic: 16
UNITS = [" ", "\t", "\n", "a", "A", "1", ".", ",", ":", ";", "(", ")", "[", "]", "<", ">", "*", "_", "#", "-", "&",
         "/", "\\", "^", "|", "'", "\"", "–", "é",
         "A. ", "A.", "A.-", "Ab ", "Ab, ", "Ab, A. ", "(Ab ", "(a", "a (", "a)", "1 ", "1-", "2019 ", "(2019",
         "doi ", "doi:", "http://", "https://a", "](", "[^", "<sup>", "<sup>1", "</sup>", "**", "__", "\\*",
         "and ", "& ", "et al. ", "p. ", "see ", "No. ", "A A ", "AB 1 ", "a1 ", "a:", ": ", " -", "# ", "## ",
         "10.1234/", "By ", "*_", "Ab (", "Ab (2019", "Ab, 2019; ", "London: ", "A-", "a,"]
PREFIXES = ["## ", "(", "By ", "**", "Wolf, ", "doi: ", "[^", "<sup>", "A ", "See ", "---\n", "References"]
CORES = [" ", "a", "A", "1", "A. ", "Ab, ", "Ab ", "(", "*"]
ENDS = ["", "\x01!"]


def inputs(N: int):
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
    cases = [(c, label, small, large)
             for c, ((label, small), (_, large)) in enumerate(zip(inputs(SMALL), inputs(4 * SMALL)))]
    huge: list[str] = []  # the inputs at 16 * SMALL, made when first needed
    if "--list" in argv:
        for name, _ in patterns():
            print(name)
        return
    shard = next((a.split("=", 1)[1] for a in argv if a.startswith("--shard=")), "0/1")
    k, n = (int(x) for x in shard.split("/"))
    probe = next((a.split("=", 1)[1] for a in argv if a.startswith("--probe=")), None)
    found = patterns()
    if probe is not None:  # the test's check that the battery can fail: one pattern, one input
        found, only = [("probe", re.compile(probe))], None
        cases = [case for case in cases if case[1] == f"{' '!r}*n+{chr(1) + '!'!r}"]
    i = -1
    for name, pat in found:
        if only and not only.startswith("--") and only not in name:
            continue
        for c, label, small, large in cases:
            i += 1
            if i % n != k:  # every n-th search: a slow pattern's inputs are shared by the shards
                continue
            print(f"start {name} {label}", flush=True)
            t_small, t_large = _timed(pat, small), _timed(pat, large)
            again = "-"
            if t_large > FLOOR and t_large > RATIO * t_small:
                print(f"start {name} {label} at {16 * SMALL}", flush=True)
                huge = huge or [text for _, text in inputs(16 * SMALL)]
                again = f"{_timed(pat, huge[c]) / t_large:.1f}"
            print(f"{t_small:.4f} {t_large:.4f} {again} {name} {label}", flush=True)


def _timed(pat, text: str) -> float:
    """CPU seconds of one search: the other processes of a busy machine do not count."""
    t = time.process_time()
    pat.search(text)
    return time.process_time() - t


if __name__ == "__main__":
    main(sys.argv)
