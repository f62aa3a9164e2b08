"""The wheel deploy/install.sh installs a hall or a kiosk from carries everything the code reads beside
itself: the fonts, the web pages, the voice packs, the migrations, the catalogue.

Under a real systemd an installed hall once started without its certificate fonts: they lay in a folder
outside every package, found in a checkout and missing from the installed code.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def _shipped_packages() -> list[str]:
    return [name.rstrip("*") for name in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]]


def _tracked(*paths: str) -> list[str]:
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--", *paths], capture_output=True,
                            check=True, timeout=60)
    return [name for name in listed.stdout.decode("utf-8").split("\0") if name]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The names in the wheel built from the tracked files, as install.sh's copy of a checkout holds them."""
    source = tmp_path_factory.mktemp("source")
    files = [name for name in _tracked(".") if not name.startswith("tests/")]
    archive = str(source / "src.tar")
    subprocess.run(["tar", "-C", str(ROOT), "-cf", archive, "--", *files], check=True, timeout=120)
    subprocess.run(["tar", "-C", str(source), "-xf", archive], check=True, timeout=120)
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                            "--no-build-isolation", "--wheel-dir", str(out), str(source)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    [path] = out.glob("*.whl")
    with zipfile.ZipFile(path) as opened:
        return set(opened.namelist())


def test_every_file_of_the_packages_is_in_the_wheel(wheel: set[str]) -> None:
    # READMEs inside packages are notes for developers (where a font or a data file comes from).
    wanted = [name for name in _tracked(*_shipped_packages()) if not name.endswith(".md")]
    assert len(wanted) > 300
    assert [name for name in wanted if name not in wheel] == []


def test_the_fonts_and_pages_the_services_open_are_there(wheel: set[str]) -> None:
    import gov_fonts

    for font in (gov_fonts.REGULAR, gov_fonts.BOLD, gov_fonts.FONT_DIR / "OFL.txt"):
        assert f"gov_fonts/{font.name}" in wheel
        assert font.is_file()
    assert {"hall_server/web/static/favicon.svg", "hall_server/web/pages/console/index.html"} <= wheel
