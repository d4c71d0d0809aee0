"""Bad and hostile input: a clear message with a position, exit status 1, no traceback, nothing written."""
from __future__ import annotations

import http.server
import os
import re
import shutil
import socketserver
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pubconv.cli import main

from conftest import FIXTURES

BAD = FIXTURES / "bad"
CASES = sorted(p for p in BAD.iterdir() if p.is_file() and p.suffix in (".md", ".txt", ".xml") and p.name != "README.md")


#: Per case: wall-clock seconds and address space.  A case that hangs or balloons fails here
#: instead of taking the suite (or the machine) down with it.
CASE_SECONDS = 120
CASE_MEMORY = 2 * 1024 ** 3


def _limits() -> None:  # in the child, before exec
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (CASE_MEMORY, CASE_MEMORY))


def _env() -> dict:
    """This checkout's pubconv first, whatever the child's working folder."""
    import pubconv

    src = str(Path(pubconv.__file__).resolve().parent.parent)
    return dict(os.environ, PYTHONPATH=os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]))


def run_check(name: str, *extra: str, cwd: Path = BAD, command: str = "check"):
    try:
        r = subprocess.run([sys.executable, "-m", "pubconv", command, name, *extra], cwd=cwd, env=_env(),
                           capture_output=True, text=True, timeout=CASE_SECONDS, preexec_fn=_limits)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name}: no answer within {CASE_SECONDS} s")
    lines = [ln for ln in r.stderr.splitlines() if not ln.startswith("pubconv:")]
    return r.returncode, lines, r.stderr


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Path, update_goldens):
    expected = case.with_name(case.name + ".expected")
    # The expected messages are written by hand: a missing file is a failure, never recorded here.
    assert expected.exists(), f"write {expected.name} by hand (see fixtures/bad/README.md)"
    code, lines, stderr = run_check(case.name, "-j", "1")
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    got = "\n".join([f"exit: {code}", *lines]) + "\n"
    if update_goldens:
        expected.write_text(got, encoding="utf-8")
    assert got == expected.read_text(encoding="utf-8")
    assert code in (0, 1)
    for line in lines:  # path:line:col: severity: message [code]
        assert line.startswith(case.name) and line.endswith("]") and (": error: " in line or ": warning: " in line)


FOLDER_CASES = sorted(p for p in BAD.iterdir() if p.is_dir())
_SUMMARY = re.compile(r"^pubconv: \d+ (converted|checked)")


@pytest.mark.parametrize("case", FOLDER_CASES, ids=[c.name for c in FOLDER_CASES])
def test_bad_folder_case(case: Path, tmp_path):
    """A folder case: ``command`` (one argument a line) is run in a copy of the folder; ``expected`` holds
    ``exit: N`` and every line of standard error but the summary; ``expected-files``, when there, lists
    every file the run must leave that the case did not bring (all of them, sorted)."""
    expected = case / "expected"
    assert expected.exists(), f"write {case.name}/expected by hand (see fixtures/bad/README.md)"
    work = tmp_path / case.name
    shutil.copytree(case, work)
    shutil.copy(BAD / "pubconv.toml", tmp_path / "pubconv.toml")  # the publisher, unless the case has its own
    before = {p for p in work.rglob("*") if p.is_file()}
    argv = [ln for ln in (case / "command").read_text(encoding="utf-8").split("\n") if ln]
    try:
        r = subprocess.run([sys.executable, "-m", "pubconv", *argv], cwd=work, env=_env(), capture_output=True,
                           text=True, timeout=CASE_SECONDS, preexec_fn=_limits)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{case.name}: no answer within {CASE_SECONDS} s")
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if not _SUMMARY.match(ln)]
    assert "\n".join([f"exit: {r.returncode}", *lines]) + "\n" == expected.read_text(encoding="utf-8")
    assert r.returncode in (0, 1, 2)
    if (case / "expected-files").exists():
        made = sorted(str(p.relative_to(work)) for p in work.rglob("*") if p.is_file() and p not in before
                      and p.name not in ("expected", "expected-files", "command"))
        want = [ln for ln in (case / "expected-files").read_text(encoding="utf-8").split("\n") if ln]
        kept = [str(p.relative_to(work)) for p in before if p.is_file() and str(p.relative_to(work)) in want]
        assert sorted(made + kept) == sorted(want)
        assert not [p for p in work.rglob("*.tmp")], "a temporary file was left behind"
        for p in before:  # nothing the case brought was changed, unless it is listed as an output
            if str(p.relative_to(work)) not in want:
                assert p.read_bytes() == (case / p.relative_to(work)).read_bytes(), p


def test_every_case_has_expectations():
    missing = [c.name for c in CASES if not c.with_name(c.name + ".expected").exists()]
    assert not missing
    orphans = [e.name for e in BAD.glob("*.expected") if not e.with_name(e.name[: -len(".expected")]).exists()]
    assert not orphans


def test_a_50_mb_source_is_refused_with_the_limit(tmp_path, capsys):
    big = tmp_path / "big.md"
    with open(big, "wb") as fh:
        fh.write(b"---\ntitle: Big\n---\n\n")
        fh.write((b"A line of text that goes on. " * 30 + b"\n\n") * 64000)
    assert big.stat().st_size > 50 * 1024 * 1024
    assert main(["convert", str(big), "--to", "xml", "-o", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert f"{big}: error: source is 5" in err and "the limit is 20 MB [too-large]" in err


def test_symlink_out_of_the_folder_is_refused(tmp_path, capsys):
    secret = tmp_path / "secret.png"
    shutil.copy(BAD / "pixel.png", secret)
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "chart.png").symlink_to(secret)
    (folder / "c.md").write_text("---\ntitle: T\n---\n\n![A chart](chart.png)\n", encoding="utf-8")
    for to in ("epub", "pdf"):
        assert main(["convert", str(folder / "c.md"), "--to", to, "-o", str(tmp_path / "o")]) == 1
        err = capsys.readouterr().err
        assert "c.md:5: error:" in err and "outside" in err
    assert not list((tmp_path / "o").glob("c.*")) if (tmp_path / "o").exists() else True


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list = []

    def do_GET(self):  # noqa: N802 - the stdlib's name
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write((BAD / "pixel.png").read_bytes())

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    _Recorder.hits = []
    with socketserver.TCPServer(("127.0.0.1", 0), _Recorder) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}"
        server.shutdown()


def test_remote_resources_are_never_fetched(tmp_path, http_server, capsys):
    src = tmp_path / "remote.md"
    src.write_text(f"---\ntitle: T\n---\n\n![A chart]({http_server}/chart.png)\n\n"
                   f'<img src="{http_server}/raw.png">\n', encoding="utf-8")
    for to in ("pdf", "epub", "jats", "xml"):
        code = main(["convert", str(src), "--to", to, "-o", str(tmp_path / to)])
        assert code == (0 if to in ("jats", "xml") else 1), capsys.readouterr().err
    err = capsys.readouterr().err
    assert "remote" in err
    assert _Recorder.hits == []


def test_remote_images_only_when_the_user_allows_them(tmp_path, http_server, capsys):
    src = tmp_path / "remote.md"
    src.write_text(f"---\ntitle: T\n---\n\n![A chart]({http_server}/chart.png)\n", encoding="utf-8")
    assert main(["convert", str(src), "--to", "pdf", "-o", str(tmp_path / "o"), "--allow-remote"]) == 0, \
        capsys.readouterr().err
    assert _Recorder.hits == ["/chart.png"]
    # an EPUB must carry its images: no flag lets a remote one in
    assert main(["convert", str(src), "--to", "epub", "-o", str(tmp_path / "o"), "--allow-remote"]) == 1
    assert _Recorder.hits == ["/chart.png"]


def test_output_names_cannot_escape(tmp_path):
    evil = tmp_path / "..md"  # stem "."
    evil.write_text("---\ntitle: T\n---\n\nBody.\n", encoding="utf-8")
    out = tmp_path / "deep" / "out"
    assert main(["convert", str(evil), "--to", "xml", "-o", str(out)]) == 0
    written = {p for p in tmp_path.rglob("*") if p.is_file()} - {evil}
    assert written and all(out in p.parents for p in written)
    # and the writer's own guard, for a name that would leave the folder
    from pubconv import api

    for name in ("../evil.pdf", "sub/evil.pdf", ".."):
        with pytest.raises(api.PubconvError) as err:
            api.write_outputs(out, {name: b"x"}, {name: "pdf"})
        assert err.value.code == "bad-output"
    assert not (tmp_path / "deep" / "evil.pdf").exists()


def test_sources_are_never_modified(tmp_path):
    folder = tmp_path / "p"
    shutil.copytree(FIXTURES / "sample", folder)
    before = {p: p.read_bytes() for p in folder.iterdir()}
    assert main(["convert", str(folder), "--to", "xml,jats,epub", "-o", str(folder / "out")]) == 0
    assert {p: p.read_bytes() for p in before} == before


def test_a_failed_build_keeps_the_previous_output(tmp_path):
    src = tmp_path / "c.md"
    src.write_text("---\ntitle: Good\n---\n\nBody.\n", encoding="utf-8")
    out = tmp_path / "o"
    assert main(["convert", str(src), "--to", "xml,jats", "-o", str(out)]) == 0
    good = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    src.write_text("---\ntitle: [broken\n---\n\nBody.\n", encoding="utf-8")
    assert main(["convert", str(src), "--to", "xml,jats", "-o", str(out)]) == 1
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == good
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*.tmp"))


def test_an_interrupted_write_leaves_no_partial_file(tmp_path, monkeypatch):
    from pubconv import api

    out = tmp_path / "o"
    out.mkdir()
    (out / "a.pdf").write_bytes(b"previous good output")
    real_replace = os.replace
    calls = []

    def flaky_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(api.os, "replace", flaky_replace)
    with pytest.raises(OSError):
        api.write_outputs(out, {"a.epub": b"new epub", "a.pdf": b"new pdf"}, {"a.epub": "epub", "a.pdf": "pdf"})
    assert (out / "a.pdf").read_bytes() == b"previous good output"
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
