"""The wheel carries the catalogue, its fixtures and the licence data, and works from them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = out.glob("tcop_lint-*.whl")
    return built


def test_the_wheel_ships_every_check_with_its_fixtures_and_the_licence_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    source_checks = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "checks").glob("**/check.yaml"))
    assert source_checks
    assert {"tcop_lint/" + name for name in source_checks} <= names
    assert any(n.startswith("tcop_lint/checks/") and "/fixtures/fail/" in n for n in names)
    assert "tcop_lint/licences/data/licences.json" in names
    assert any(n.startswith("tcop_lint/licences/data/texts/") for n in names)
    assert not any(n.startswith(("tests/", "examples/")) for n in names)


def test_the_installed_layout_loads_the_packaged_catalogue(wheel: Path, tmp_path: Path) -> None:
    zipfile.ZipFile(wheel).extractall(tmp_path)
    code = (
        "from tcop_lint.check.catalogue import builtin_checks_dir, load_catalogue;"
        "d = builtin_checks_dir(); print(d); print(len(load_catalogue([d])))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    folder, count = done.stdout.split()
    assert Path(folder) == tmp_path / "tcop_lint" / "checks"
    assert int(count) == len(list((ROOT / "checks").glob("**/check.yaml")))
