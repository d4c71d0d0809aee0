"""The theme: found the same way in a checkout and in an installed wheel; a user's folder overrides it."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

import pubconv
from pubconv import theme

from conftest import FIXTURES

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = FIXTURES / "sample"


def test_default_theme_has_the_files_the_writers_use():
    for kind, name in (("styles", "print.css"), ("styles", "epub.css"), ("templates", "document.xhtml.j2")):
        assert theme.find(kind, name).is_file()


def test_override_folder_wins(tmp_path):
    folder = tmp_path / "papers"
    shutil.copytree(SAMPLE, folder)
    (folder / "house" / "styles").mkdir(parents=True)
    (folder / "house" / "templates").mkdir()
    css = theme.read_style("epub.css") + "\n/* house style of the test institute */\n"
    (folder / "house" / "styles" / "epub.css").write_text(css, encoding="utf-8")
    tpl = theme.find("templates", "titlepage.xhtml.j2").read_text(encoding="utf-8")
    marker = '<p class="house-marker">House template</p>'
    (folder / "house" / "templates" / "titlepage.xhtml.j2").write_text(marker + "\n" + tpl, encoding="utf-8")
    with open(folder / "pubconv.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[theme]\ndir = "house"\n')
    data = pubconv.convert(folder / "comment-118.md", to="epub", write=False).data["epub"]
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as z:
        names = z.namelist()
        css_name = next(n for n in names if n.endswith("epub.css"))
        content = next(n for n in names if n.endswith("content.xhtml"))
        assert b"house style of the test institute" in z.read(css_name)
        assert b"House template" in z.read(content)


@pytest.mark.network
def test_installed_wheel_finds_its_theme(tmp_path):
    """Build the wheel, install it in a fresh venv, convert from another folder (pip downloads: make test-network)."""
    dist = tmp_path / "dist"
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    wheel = next(dist.glob("pubconv-*.whl"))
    # The version comes from the repository (hatch-vcs): a tag, or the commit it was built from.
    head = subprocess.run(["git", "rev-parse", "--short=7", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    if head.returncode == 0:
        version = wheel.name.split("-")[1]
        assert version != "0.1.0" and (f"+g{head.stdout.strip()}" in version or "+" not in version), version
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    assert {"pubconv/_theme/styles/print.css", "pubconv/_theme/templates/document.xhtml.j2",
            "pubconv/schema/pubconv.rng", "pubconv/schema/jats/catalog.xml",
            "pubconv/schema/jats/publishing/1.3/JATS-journalpublishing1-3-mathml3.dtd"} <= names
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    r = subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    work = tmp_path / "elsewhere"
    shutil.copytree(SAMPLE, work / "papers")
    r = subprocess.run([str(env_dir / "bin" / "pubconv"), "convert", "papers/comment-118.md", "--to", "pdf,epub",
                        "-o", "built"], cwd=work, capture_output=True, text=True,
                       env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")})
    assert r.returncode == 0, r.stderr
    fonts = subprocess.run(["pdffonts", str(work / "built" / "comment-118.pdf")], capture_output=True, text=True)
    assert "Pagella" in fonts.stdout  # print.css was found: its text face is embedded
    assert (work / "built" / "comment-118.epub").stat().st_size > 0
    imported = subprocess.run([str(py), "-c", "import pubconv, sys; print(pubconv.__file__)"], cwd=work,
                              capture_output=True, text=True).stdout
    assert str(env_dir) in imported  # the wheel's copy, not the checkout
