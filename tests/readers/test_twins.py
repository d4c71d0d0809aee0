"""A commentary in the authoring form and its twin in the extracted form give the same intermediate,
apart from source positions."""
from __future__ import annotations

import pytest
from lxml import etree

from pubconv.document import SRC_NS, serialize
from pubconv.errors import Collector
from pubconv.readers import read_source

from conftest import FIXTURES

TWINS = sorted(p for p in (FIXTURES / "twins").glob("*") if (p / "authoring.md").is_file())


def without_positions(root) -> bytes:
    root = etree.fromstring(serialize(root))
    for el in root.iter():
        for key in [k for k in el.attrib if k.startswith(f"{{{SRC_NS}}}")]:
            del el.attrib[key]
    return etree.tostring(root, method="c14n2")


def test_there_are_twins():
    assert len(TWINS) >= 2


@pytest.mark.parametrize("case", TWINS, ids=[p.name for p in TWINS])
def test_twins_give_the_same_intermediate(case):
    a = read_source(case / "authoring.md", Collector())
    e = read_source(case / "extracted.md", Collector())
    assert a.root.get(f"{{{SRC_NS}}}form") == "authoring" and e.root.get(f"{{{SRC_NS}}}form") == "extracted"
    left, right = without_positions(a.root).decode(), without_positions(e.root).decode()
    if left != right:  # show the first difference, not two walls of XML
        i = next(i for i, (x, y) in enumerate(zip(left, right)) if x != y)
        pytest.fail(f"differ at {i}:\n  authoring: {left[max(0, i - 80):i + 80]!r}\n"
                    f"  extracted: {right[max(0, i - 80):i + 80]!r}")
