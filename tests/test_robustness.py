"""Issue 14: batches, atomic sets, the build record, collisions, trust boundaries (classes 4-7, 9-11).

The cases that need a setup a fixture file cannot hold (a read-only folder, a failing rename,
a FIFO, a closed pipe, Ctrl-C, a file name with a newline) live here; the others are folder
cases in ``fixtures/bad``.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pubconv import api, build
from pubconv.cli import main

DOC = "---\nseries: COMMENT\nnumber: 1\ntitle: A test\ndate: 2021-03-03\n---\n\nBody text.\n"


def _env() -> dict:
    import pubconv

    src = str(Path(pubconv.__file__).resolve().parent.parent)
    return dict(os.environ, PYTHONPATH=src)


def _sources(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        p = folder / f"d{i}.md"
        p.write_text(DOC, encoding="utf-8")
        out.append(p)
    return out


# ---------------------------------------------------------------- class 4: one failure never stops a batch

@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_output_folder_fails_each_document_alone(tmp_path, capsys):
    _sources(tmp_path / "src", 2)
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        assert main(["convert", str(tmp_path / "src"), "--to", "xml", "-o", str(out), "-j", "1"]) == 1
    finally:
        out.chmod(0o755)
    err = capsys.readouterr().err
    assert err.count("[write-failed]") == 2 and "0 converted, 0 skipped, 2 failed" in err


def test_an_output_folder_that_is_a_file_fails_each_document_alone(tmp_path, capsys):
    _sources(tmp_path / "src", 2)
    (tmp_path / "out").write_text("a file, not a folder")
    assert main(["convert", str(tmp_path / "src"), "--to", "xml", "-o", str(tmp_path / "out"), "-j", "1"]) == 1
    err = capsys.readouterr().err
    assert err.count("[write-failed]") == 2 and "0 converted, 0 skipped, 2 failed" in err
    assert "Traceback" not in err


def test_paper_too_large_or_too_small_is_refused_before_rendering(tmp_path, capsys):
    src = _sources(tmp_path / "src", 1)[0]
    for paper in ("1mm 1mm", "30mm 30mm", "60mm 60mm", "99999mm 99999mm"):
        assert main(["convert", str(src), "--to", "pdf", "--paper", paper, "-o", str(tmp_path / "o")]) == 1
        assert "[bad-option]" in capsys.readouterr().err


def test_a_write_error_fails_that_document_and_the_rest_go_on(tmp_path, monkeypatch, capsys):
    srcs = _sources(tmp_path / "src", 3)
    real = api.write_outputs

    def disk_full(out_dir, files, formats):
        if any(name.startswith("d1.") for name in files):
            raise OSError(28, "No space left on device")
        return real(out_dir, files, formats)

    monkeypatch.setattr(api, "write_outputs", disk_full)
    out = tmp_path / "out"
    assert main(["convert", str(tmp_path / "src"), "--to", "xml", "-o", str(out), "-j", "1"]) == 1
    err = capsys.readouterr().err
    assert f"{srcs[1]}: error: cannot write the outputs: No space left on device" in err
    assert "2 converted, 0 skipped, 1 failed" in err
    state = json.loads((out / ".pubconv" / "state.json").read_text())
    assert sorted(Path(k).name for k in state) == ["d0.md", "d2.md"]


def test_a_document_that_raises_fails_alone(tmp_path, monkeypatch, capsys):
    _sources(tmp_path / "src", 3)
    real = api.convert

    def flaky(source, *a, **k):
        if Path(source).name == "d0.md":
            raise KeyError("bug")
        return real(source, *a, **k)

    monkeypatch.setattr(api, "convert", flaky)
    assert main(["convert", str(tmp_path / "src"), "--to", "xml", "-o", str(tmp_path / "out"), "-j", "1"]) == 3
    err = capsys.readouterr().err
    assert "d0.md: error: internal error: KeyError" in err and "2 converted, 0 skipped, 1 failed" in err
    assert (tmp_path / "out" / ".pubconv" / "state.json").exists()


def test_closed_stdout_pipe_does_not_stop_the_batch(tmp_path):
    _sources(tmp_path / "src", 4)
    cmd = (f"{sys.executable} -m pubconv convert {tmp_path / 'src'} --to xml -o {tmp_path / 'out'} -j 1 "
           f"| head -1; echo \"status=${{PIPESTATUS[0]}}\"")
    r = subprocess.run(["bash", "-c", cmd], env=_env(), capture_output=True, text=True, timeout=120)
    assert "status=0" in r.stdout, r.stderr
    assert "Traceback" not in r.stderr and "BrokenPipe" not in r.stderr
    assert len(list((tmp_path / "out").glob("*.pubconv.xml"))) == 4
    assert "4 converted" in r.stderr


def test_ctrl_c_saves_the_state_and_exits_130(tmp_path):
    _sources(tmp_path / "src", 12)
    out = tmp_path / "out"
    p = subprocess.Popen([sys.executable, "-m", "pubconv", "convert", str(tmp_path / "src"), "--to", "xml,epub",
                          "-o", str(out), "-j", "2"], env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, start_new_session=True)
    first = p.stdout.readline()  # one document built and recorded: now interrupt the rest
    assert " -> " in first, first
    os.killpg(p.pid, signal.SIGINT)  # as a terminal does: the whole process group
    _, err = p.communicate(timeout=60)
    if p.returncode == 0:
        pytest.skip("the batch finished before the interrupt arrived")
    assert p.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    state = json.loads((out / ".pubconv" / "state.json").read_text())
    assert state  # what was built before the interrupt is recorded


# ---------------------------------------------------------------- class 5: atomic sets

def test_a_failed_rename_rolls_the_whole_set_back(tmp_path, monkeypatch):
    out = tmp_path / "o"
    out.mkdir()
    (out / "a.epub").write_bytes(b"old epub")
    (out / "a.pdf").write_bytes(b"old pdf")
    real = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(dst)
        if Path(dst).name == "a.pdf" and not str(src).endswith(".old.tmp") and ".a.pdf." in str(src):
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(api.os, "replace", flaky)
    with pytest.raises(OSError):
        api.write_outputs(out, {"a.epub": b"new epub", "a.pdf": b"new pdf"}, {"a.epub": "epub", "a.pdf": "pdf"})
    assert (out / "a.epub").read_bytes() == b"old epub" and (out / "a.pdf").read_bytes() == b"old pdf"
    assert sorted(p.name for p in out.iterdir()) == ["a.epub", "a.pdf"]


def test_a_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    out = tmp_path / "o"

    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fd, mode):
            self.fh = real_fdopen(fd, mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(api.os, "fdopen", Full)
    with pytest.raises(OSError):
        api.write_outputs(out, {"a.pdf": b"x"}, {"a.pdf": "pdf"})
    assert list(out.iterdir()) == []


# ---------------------------------------------------------------- class 6: the build record

@pytest.mark.parametrize("content", ["null", "[]", "{\"x\": 5}", "{\"x\": {\"key\": 1}}", "not json", "folder"])
def test_a_state_of_the_wrong_shape_is_discarded_with_a_warning(tmp_path, capsys, content):
    src = _sources(tmp_path / "src", 1)[0]
    state = tmp_path / "out" / ".pubconv" / "state.json"
    state.parent.mkdir(parents=True)
    if content == "folder":
        state.mkdir()
    else:
        state.write_text(content)
    code = main(["convert", str(src), "--to", "xml", "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert "[bad-state]" in err and "Traceback" not in err
    assert code == 0  # the document is built; a folder in the record's place is warned about, not replaced
    if content != "folder":
        assert isinstance(json.loads(state.read_text()), dict)
        assert main(["convert", str(src), "--to", "xml", "-o", str(tmp_path / "out")]) == 0
        assert "skipped" in capsys.readouterr().out


def test_state_is_never_written_through_a_symlink(tmp_path, capsys):
    src = _sources(tmp_path / "src", 1)[0]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / ".pubconv").symlink_to(elsewhere)
    main(["convert", str(src), "--to", "xml", "-o", str(tmp_path / "out")])
    assert list(elsewhere.iterdir()) == []
    assert "[state-not-saved]" in capsys.readouterr().err


def test_state_is_pruned_of_sources_that_are_gone(tmp_path):
    a, b = _sources(tmp_path / "src", 2)
    out = tmp_path / "out"
    assert main(["convert", str(tmp_path / "src"), "--to", "xml", "-o", str(out), "-j", "1"]) == 0
    b.unlink()
    assert main(["convert", str(a), "--to", "xml", "-o", str(out)]) == 0
    assert [Path(k).name for k in json.loads((out / ".pubconv" / "state.json").read_text())] == ["d0.md"]


# ---------------------------------------------------------------- class 7: outputs

def test_outputs_recorded_in_a_state_are_not_sources(tmp_path, capsys):
    _sources(tmp_path / "p", 1)
    out = tmp_path / "p" / "build"
    assert main(["convert", str(tmp_path / "p"), "--to", "xml", "-o", str(out)]) == 0
    capsys.readouterr()
    # a scan of the whole project (another output folder) must not take build/d0.pubconv.xml for a source
    assert main(["convert", str(tmp_path / "p"), "--to", "jats", "-o", str(tmp_path / "other"), "-j", "1"]) == 0
    assert sorted(p.name for p in (tmp_path / "other").glob("*.xml")) == ["d0.jats.xml"]


def test_dash_o_names_one_file(tmp_path):
    src = _sources(tmp_path / "src", 1)[0]
    target = tmp_path / "made" / "final.pubconv.xml"
    assert main(["convert", str(src), "-o", str(target)]) == 0
    assert target.exists() and [p.name for p in target.parent.iterdir() if p.is_file()] == ["final.pubconv.xml"]


def test_dash_o_file_with_several_sources_is_a_usage_error(tmp_path, capsys):
    _sources(tmp_path / "src", 2)
    assert main(["convert", str(tmp_path / "src"), "-o", str(tmp_path / "x.pdf")]) == 2
    assert "names a pdf file" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


# ---------------------------------------------------------------- class 9: endless work

def test_devices_and_fifos_are_not_read(tmp_path, capsys):
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    assert main(["check", str(fifo), "/dev/zero", "-j", "1"]) == 1
    err = capsys.readouterr().err
    assert err.count("not a regular file") == 2


def test_never_called_notes_are_found_in_one_pass(tmp_path):
    from pubconv.errors import Collector
    from pubconv.readers import read_bytes

    notes = "\n\n".join(f"[^n{i}]: Note {i}." for i in range(3000))
    found = Collector()
    t = time.process_time()
    read_bytes(f"---\ntitle: T\n---\n\nBody.\n\n{notes}\n".encode(), "n.md", found)
    assert time.process_time() - t < 20  # was quadratic: minutes at this size on a loaded machine
    lines = [d.pos.line for d in found.warnings if d.code == "uncalled-note"]
    assert len(lines) == 3000 and lines[:2] == [7, 9]


# ---------------------------------------------------------------- class 10: messages

def test_a_newline_in_a_file_name_cannot_forge_a_line(tmp_path, capsys):
    src = tmp_path / "a\nb.md: error: forged [x].md"
    src.write_text(DOC, encoding="utf-8")
    assert main(["check", str(src), "-j", "1"]) == 1
    err = capsys.readouterr().err
    assert "\\nb.md: error: forged" in err and not any(ln.startswith("b.md") for ln in err.splitlines())


def test_repeated_warnings_collapse_with_a_count():
    from pubconv.errors import Diagnostic, SourcePos, collapse

    d = Diagnostic("warning", "x", "same", SourcePos("a.md", 3))
    out = collapse([d] * 300 + [Diagnostic("warning", "y", "other")])
    assert [str(x) for x in out] == ["a.md:3: warning: same (300 times) [x]", "warning: other [y]"]
    spread = [Diagnostic("warning", "x", "same", SourcePos("a.md", n)) for n in range(5, 30)]
    assert [str(x) for x in collapse(spread)] == [
        "a.md:5: warning: same (25 times; lines 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, ...) [x]"]


def test_a_note_called_hundreds_of_times_warns_once(tmp_path):
    src = tmp_path / "calls.md"
    calls = "\n".join("Again[^a]." for _ in range(300))
    src.write_text(f"---\ntitle: T\n---\n\nFirst[^a].\n{calls}\n\n[^a]: The note.\n", encoding="utf-8")
    result = api.convert(src, ["xml"], write=False)
    dup = [d for d in result.diagnostics if d.code == "duplicate-call"]
    assert len(dup) == 1 and "(300 times" in dup[0].message


def test_strict_library_error_carries_every_warning(tmp_path):
    src = tmp_path / "w.md"
    src.write_text("---\ntitle: T\ndoi: 10.1/x\n---\n\nA [lost](#) link.\n\n[^9]: never called\n", encoding="utf-8")
    with pytest.raises(api.PubconvError) as err:
        api.convert(src, ["xml"], write=False, strict=True)
    codes = [d.code for d in err.value.diagnostics]
    assert {"bad-doi", "dead-link", "uncalled-note"} <= set(codes)


# ---------------------------------------------------------------- class 11: trust boundaries

def test_allow_outside_lets_the_logo_in(tmp_path):
    project = tmp_path / "project"
    src = _sources(project, 1)[0]
    (tmp_path / "logo.png").write_bytes((Path(__file__).parent.parent / "fixtures/bad/pixel.png").read_bytes())
    (project / "pubconv.toml").write_text('[publisher]\nname = "X"\nlogo = "../logo.png"\n', encoding="utf-8")
    assert main(["check", str(src), "-j", "1"]) == 1
    assert main(["check", str(src), "-j", "1", "--allow-outside"]) == 0


# ---------------------------------------------------------------- class 3: values outside the source

@pytest.mark.parametrize("epoch", ["99999999999999999999", "-5", "1e3"])
def test_source_date_epoch_out_of_range_is_a_message(tmp_path, monkeypatch, capsys, epoch):
    src = _sources(tmp_path / "src", 1)[0]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    assert main(["convert", str(src), "--to", "epub", "-o", str(tmp_path / "o")]) == 1
    assert "SOURCE_DATE_EPOCH" in capsys.readouterr().err


@pytest.mark.parametrize("line", ['name = "a\\u0007b"', "name = " + "9" * 5000, 'name = "\\ud800"', "name = 5"])
def test_bad_values_in_pubconv_toml_are_messages(tmp_path, capsys, line):
    src = _sources(tmp_path / "src", 1)[0]
    (tmp_path / "src" / "pubconv.toml").write_text(f"[publisher]\n{line}\n", encoding="utf-8")
    assert main(["check", str(src), "-j", "1"]) == 1
    err = capsys.readouterr().err
    assert "pubconv.toml" in err and "[bad-config]" in err and "internal error" not in err


def test_an_unrecorded_intermediate_in_the_output_folder_is_not_replaced(tmp_path, capsys):
    src = _sources(tmp_path, 1)[0]
    theirs = tmp_path / "d0.pubconv.xml"
    theirs.write_bytes(b"<not ours/>")
    assert main(["convert", str(src), "--to", "xml", "-o", str(tmp_path)]) == 1
    assert "[output-collision]" in capsys.readouterr().err and theirs.read_bytes() == b"<not ours/>"
    out = tmp_path / "out"  # its own earlier output, recorded, is replaced as usual
    assert main(["convert", str(src), "--to", "xml", "-o", str(out)]) == 0
    assert main(["convert", str(src), "--to", "xml", "-o", str(out), "--force"]) == 0
