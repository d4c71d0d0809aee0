"""The command line: names of outputs, exit statuses, messages, never a traceback."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pubconv import document
from pubconv.cli import main

from conftest import FIXTURES

SAMPLE = FIXTURES / "intermediate" / "complete" / "complete.pubconv.xml"


def run(*args, cwd=None):
    """The real command, in a subprocess (as a user runs it)."""
    return subprocess.run([sys.executable, "-m", "pubconv", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, "PYTHONWARNINGS": "ignore"})


def test_convert_to_xml_names_the_output_by_stem(tmp_path, extracted_commentary):
    r = run("convert", extracted_commentary, "--to", "xml", "-o", tmp_path)
    assert r.returncode == 0, r.stderr
    out = tmp_path / (extracted_commentary.name.rsplit(".", 1)[0] + ".pubconv.xml")
    assert out.is_file()
    assert "dead-link" in r.stderr and "Traceback" not in r.stderr
    doc = document.parse(out.read_bytes(), str(out))
    assert len(doc.xpath("//p:note")) == {"two-authors.md": 10, "000_bf325db2ee15cea7.txt": 11}[
        extracted_commentary.name]


def test_xml_source_converts_to_identical_bytes(tmp_path):
    assert main(["convert", str(SAMPLE), "--to", "xml", "-o", str(tmp_path)]) == 0
    assert (tmp_path / "complete.pubconv.xml").read_bytes() == SAMPLE.read_bytes()


def test_md_stem(tmp_path):
    src = tmp_path / "c207.md"
    src.write_text("---\ntitle: T\n---\n\nBody.\n", encoding="utf-8")
    assert main(["convert", str(src), "--to", "xml", "-o", str(tmp_path / "o")]) == 0
    assert [p.name for p in (tmp_path / "o").iterdir() if not p.name.startswith(".")] == ["c207.pubconv.xml"]


def test_error_message_shape_and_exit_status(tmp_path):
    src = tmp_path / "bad.md"
    src.write_text("---\ntitle: ok\n- item\n---\n\nBody.\n", encoding="utf-8")
    r = run("convert", src, "--to", "xml", "-o", tmp_path / "o")
    assert r.returncode == 1
    assert r.stderr.splitlines()[0] == f"{src}:3:1: error: front matter is not valid YAML: " \
        "expected <block end>, but found '-' [bad-yaml]"
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_strict_turns_warnings_into_errors(tmp_path):
    src = tmp_path / "w.md"
    src.write_text("---\ntitle: ok\n---\n\nA [dead](#) link.\n", encoding="utf-8")
    assert main(["convert", str(src), "--to", "xml", "-o", str(tmp_path / "a")]) == 0
    assert main(["convert", str(src), "--to", "xml", "-o", str(tmp_path / "b"), "--strict"]) == 1
    assert not (tmp_path / "b" / "w.pubconv.xml").exists()


def test_from_forces_the_form(tmp_path):
    src = tmp_path / "x.md"
    src.write_text("## COMMENT 9 - A title\n\nBy **Ann Lee**\n\nBody.\n", encoding="utf-8")
    assert main(["convert", str(src), "--to", "xml", "-o", str(tmp_path), "--from", "extracted"]) == 0
    doc = document.parse((tmp_path / "x.pubconv.xml").read_bytes(), "x")
    assert doc.root.get("{https://pubconv.org/ns/source/1}form") == "extracted"
    assert main(["convert", str(src), "--to", "xml", "-o", str(tmp_path), "--from", "authoring"]) == 1


def test_unknown_format_is_a_usage_error(tmp_path, capsys):
    assert main(["convert", str(SAMPLE), "--to", "docx", "-o", str(tmp_path)]) == 2
    assert "unknown output format 'docx'" in capsys.readouterr().err


def test_missing_source(tmp_path, capsys):
    assert main(["convert", str(tmp_path / "nope.md"), "--to", "xml", "-o", str(tmp_path)]) == 1
    assert "nope.md: error: no such file or folder [unreadable]" in capsys.readouterr().err


def test_version_and_help():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("pubconv ")
    r = run("convert", "--help")
    assert r.returncode == 0 and "examples:" in r.stdout


def test_internal_error_is_one_line(tmp_path, monkeypatch, capsys):
    from pubconv import api

    def boom(*a, **k):
        raise ValueError("kaput")

    monkeypatch.setattr(api, "convert", boom)
    assert main(["convert", str(SAMPLE), "--to", "xml", "-o", str(tmp_path)]) == 3
    err = capsys.readouterr().err
    # the document fails alone, named, with one line; the batch still ends with its summary
    assert err.splitlines()[0] == (f"{SAMPLE}: error: internal error: ValueError: kaput "
                                   "(rerun with --debug for the traceback) [internal]")
    assert err.splitlines()[1].startswith("pubconv: 0 converted, 0 skipped, 1 failed")
    with pytest.raises(ValueError):
        main(["convert", str(SAMPLE), "--to", "xml", "-o", str(tmp_path), "--debug"])
