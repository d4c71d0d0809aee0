"""The publisher's logo from pubconv.toml: on the PDF's and the EPUB's title page; a missing one is an error."""
from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import pikepdf
import pytest

import pubconv
from pubconv.errors import PubconvError

from conftest import FIXTURES


@pytest.fixture
def with_logo(tmp_path):
    """The sample commentary in a folder, with the logo one folder up, beside the configuration."""
    root = tmp_path / "institute"
    shutil.copytree(FIXTURES / "sample", root / "comments")
    shutil.move(root / "comments" / "pubconv.toml", root / "pubconv.toml")
    shutil.copy(FIXTURES / "authoring" / "figures-tables" / "freight.png", root / "logo.png")
    with open(root / "pubconv.toml", "a", encoding="utf-8") as fh:
        fh.write('\n')
    text = (root / "pubconv.toml").read_text(encoding="utf-8")
    (root / "pubconv.toml").write_text(text.replace("[publisher]\n", '[publisher]\nlogo = "logo.png"\n', 1),
                                       encoding="utf-8")
    return root / "comments" / "comment-118.md"


def test_logo_on_the_pdf_title_page(with_logo):
    out = pubconv.convert(with_logo, to="pdf", out_dir=with_logo.parent.parent / "out").outputs["pdf"]
    listing = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True, check=True).stdout
    drawn = [line.split() for line in listing.splitlines()[2:]]
    assert [row[0] for row in drawn] == ["1"]  # one image, drawn on page 1
    with pikepdf.open(out) as pdf:
        assert pdf.pages[0].get_images()


def test_logo_in_the_epub(with_logo, assert_valid):
    data = pubconv.convert(with_logo, to="epub", write=False).data["epub"]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        logos = [n for n in z.namelist() if n.endswith("-logo.png")]
        content = next(z.read(n) for n in z.namelist() if n.endswith("content.xhtml"))
    assert len(logos) == 1
    assert b'class="logo"' in content and b'alt="Centre for Regional Policy Studies"' in content
    assert_valid(data)


def test_a_missing_logo_is_a_configuration_error(with_logo):
    (with_logo.parent.parent / "logo.png").unlink()
    with pytest.raises(PubconvError) as err:
        pubconv.convert(with_logo, to="pdf", write=False)
    assert err.value.code == "bad-config" and err.value.pos.line == 2
    assert err.value.pos.path.endswith("pubconv.toml")
