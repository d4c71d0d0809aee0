"""One definition each (issue 12): the parser, the namespaces, SOURCE_DATE_EPOCH and the language tables."""
from __future__ import annotations

import ast
from pathlib import Path

from pubconv import languages, namespaces

SRC = Path(__file__).resolve().parent.parent / "src" / "pubconv"
MODULES = sorted(p for p in SRC.rglob("*.py") if "schema" not in p.parts)


def _strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef)) and n.body
                  and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def where(predicate) -> list[str]:
    return sorted(str(p.relative_to(SRC)) for p in MODULES if predicate(p))


def test_one_xml_parser():
    # document.safe_parser for everything; the JATS DTD validation is the one parser that loads a DTD.
    assert where(lambda p: "XMLParser(" in p.read_text(encoding="utf-8")) == ["document.py", "writers/jats/dtd.py"]


def test_each_namespace_is_spelled_once():
    uris = [v for k, v in vars(namespaces).items() if k.isupper() and v.startswith("http")]
    assert len(uris) >= 10
    spelled = where(lambda p: any(u in s for s in _strings(p) for u in uris))
    assert spelled == ["namespaces.py"]


def test_source_date_epoch_is_validated_in_one_place():
    # inputs.py only puts the raw value into the build key.
    assert where(lambda p: "SOURCE_DATE_EPOCH" in _strings(p)) == ["epoch.py", "inputs.py"]


def test_one_mixed_content_appender():
    assert where(lambda p: '.tail or "") + ' in p.read_text(encoding="utf-8")) == \
        ["document.py", "writers/pdf/split.py"]  # split.py moves a removed node's tail to the text before it


def test_the_language_tables_are_complete():
    for lang in languages.MONTHS:
        assert len(languages.MONTHS[lang].split()) == 12, lang
        assert set(languages.SEASONS[lang]) == {"Spring", "Summer", "Autumn", "Winter"}, lang
        assert set(languages.LABELS[lang]) == set(languages.LABELS["en"]), lang
        assert lang in languages.DATE_PATTERNS
    assert languages.format_date("2021-03-01", None, "fr-BE") == "1er mars 2021"
    assert languages.format_date("2021", "Autumn", "xx") == "Autumn 2021"
    assert languages.READ_MONTHS["sept"] == languages.READ_MONTHS["september"] == 9
