"""The pre-commit hooks, run by the real pre-commit tool in a throwaway git repository.

pre-commit installs pubconv and its dependencies into its own environment with
pip, from the package index: these tests run in ``make test-network``, not in
``make test``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.network

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"

GOOD = "---\ntitle: A good commentary\nauthors: [Ann Lee]\n---\n\nA body.\n"
BAD = "---\ntitle: A bad one\ndate: 31 Febtember 2020\n---\n\nA body.\n"
WARN = "---\ntitle: With a warning\n---\n\nA [dead](#) link.\n"


@pytest.fixture(scope="module")
def pc_home(tmp_path_factory):
    if not PRE_COMMIT.exists() and not shutil.which("pre-commit"):
        pytest.fail("pre-commit is not installed (pip install -e '.[test]')")
    return tmp_path_factory.mktemp("pre-commit-home")


def git(repo: Path, *args, check=True):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=check, env=env)


def pre_commit(repo: Path, home: Path, *args):
    exe = str(PRE_COMMIT) if PRE_COMMIT.exists() else "pre-commit"
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run([exe, *args], cwd=repo, capture_output=True, text=True, env=env)


@pytest.fixture
def repo(tmp_path):
    r = tmp_path / "papers"
    r.mkdir()
    git(r, "init", "-q")
    (r / "pubconv.toml").write_text('[build]\noutput = "site"\n', encoding="utf-8")
    (r / ".gitignore").write_text("site/\n", encoding="utf-8")
    (r / "good.md").write_text(GOOD, encoding="utf-8")
    (r / "bad.md").write_text(BAD, encoding="utf-8")
    (r / "warn.md").write_text(WARN, encoding="utf-8")
    git(r, "add", ".")
    return r


def test_check_hook_passes_good_and_blocks_bad(repo, pc_home):
    ok = pre_commit(repo, pc_home, "try-repo", str(ROOT), "pubconv-check", "--files", "good.md", "warn.md")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "warn.md:5: warning:" in ok.stdout  # warnings are printed as file:line, but do not block
    bad = pre_commit(repo, pc_home, "try-repo", str(ROOT), "pubconv-check", "--files", "good.md", "bad.md")
    assert bad.returncode == 1
    assert "bad.md:3: error: 'date' is not a date" in bad.stdout
    assert "Traceback" not in bad.stdout
    assert not (repo / "site").exists() and not (repo / "out").exists()  # the check writes nothing


def test_check_hook_strict_blocks_warnings(repo, pc_home):
    cfg = repo / ".pre-commit-config.yaml"
    r = pre_commit(repo, pc_home, "try-repo", str(ROOT), "pubconv-check", "--files", "warn.md", "--verbose")
    assert r.returncode == 0
    # the same hook with args: [--strict], as a user configures it
    head = git(ROOT, "rev-parse", "HEAD").stdout.strip()
    cfg.write_text(f"repos:\n- repo: {ROOT}\n  rev: {head}\n  hooks:\n  - id: pubconv-check\n"
                   "    args: [--strict]\n", encoding="utf-8")
    r = pre_commit(repo, pc_home, "run", "--files", "warn.md")
    assert r.returncode == 1, r.stdout
    assert "warn.md:5: error:" in r.stdout and "[strict]" in r.stdout


def test_a_broken_commit_is_refused_with_the_line(repo, pc_home):
    head = git(ROOT, "rev-parse", "HEAD").stdout.strip()
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {ROOT}\n  rev: {head}\n  hooks:\n  - id: pubconv-check\n", encoding="utf-8")
    assert pre_commit(repo, pc_home, "install").returncode == 0
    git(repo, "add", ".")
    r = git(repo, "commit", "-m", "add commentaries", check=False)
    assert r.returncode != 0
    assert "bad.md:3: error: 'date' is not a date" in r.stdout + r.stderr
    assert git(repo, "rev-parse", "--verify", "HEAD", check=False).returncode != 0  # nothing was committed
    (repo / "bad.md").write_text(GOOD, encoding="utf-8")
    git(repo, "add", "bad.md")
    r = git(repo, "commit", "-m", "fixed", check=False)
    assert r.returncode == 0, r.stdout + r.stderr


def test_build_hook_renders_into_the_ignored_folder(repo, pc_home):
    (repo / "bad.md").unlink()
    git(repo, "add", "-A")
    r = pre_commit(repo, pc_home, "try-repo", str(ROOT), "pubconv-build", "--files", "good.md")
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(p.name for p in (repo / "site").iterdir() if not p.name.startswith(".")) == \
        ["good.epub", "good.jats.xml", "good.pdf"]
    assert git(repo, "status", "--porcelain").stdout.count("site") == 0
    (repo / ".gitignore").write_text("", encoding="utf-8")
    r = pre_commit(repo, pc_home, "try-repo", str(ROOT), "pubconv-build", "--files", "good.md")
    assert r.returncode == 1 and "is not ignored by git" in r.stdout
