"""Every check against its own fixtures: pass cases report nothing, fail cases report exactly
the places their EXPECTED file lists."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from catalogue_cases import REPOSITORY, Case, cases, expected_places
from tcop_lint.catalogue import select_checks
from tcop_lint.config import load_settings
from tcop_lint.discovery import discover
from tcop_lint.engine import load_documents, run_checks

CASES = cases()
BUNDLE = "history.bundle"


def as_git_repository(case: Case, destination: Path) -> Path:
    """A case holding history.bundle is a git repository: cloned, with the case's other files
    laid over the work tree as uncommitted changes."""
    subprocess.run(["git", "clone", "-q", str(case.folder / BUNDLE), str(destination)], check=True, capture_output=True)
    shutil.copytree(case.folder, destination, dirs_exist_ok=True, ignore=shutil.ignore_patterns(BUNDLE, "EXPECTED"))
    return destination


def places_reported(case: Case, tmp_path: Path) -> list[str]:
    folder = as_git_repository(case, tmp_path / "repo") if (case.folder / BUNDLE).is_file() else case.folder
    settings, _ = load_settings(folder)
    scope = discover([str(folder)], root=folder, exclude=settings.exclude, use_git=folder != case.folder)
    checks = select_checks([case.check], levels=settings.check_levels)
    run = run_checks(checks, load_documents(scope, settings), settings)
    assert not run.crashes, run.crashes
    return sorted(
        REPOSITORY if f.file is None else f"{f.file}:{f.position.line if f.position else 0}"
        for f in run.findings
        if f.check_id == case.check.id
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixture_case(case: Case, tmp_path: Path) -> None:
    reported = places_reported(case, tmp_path)
    if case.outcome == "pass":
        assert reported == [], f"{case.name} should pass but reported {reported}"
    else:
        expected = expected_places(case)
        assert expected, f"{case.name} has no EXPECTED file listing where the check must report"
        assert reported == expected
