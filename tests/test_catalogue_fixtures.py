"""Every check against its own fixtures: pass cases report nothing, fail cases report exactly
the places their EXPECTED file lists."""

from __future__ import annotations

import pytest

from catalogue_cases import REPOSITORY, Case, cases, expected_places
from tcop_lint.catalogue import select_checks
from tcop_lint.config import load_settings
from tcop_lint.discovery import discover
from tcop_lint.engine import load_documents, run_checks

CASES = cases()


def places_reported(case: Case) -> list[str]:
    settings, _ = load_settings(case.folder)
    scope = discover([str(case.folder)], root=case.folder, exclude=settings.exclude, use_git=False)
    checks = select_checks([case.check], levels=settings.check_levels)
    run = run_checks(checks, load_documents(scope, settings), settings)
    assert not run.crashes, run.crashes
    return sorted(
        REPOSITORY if f.file is None else f"{f.file}:{f.position.line if f.position else 0}"
        for f in run.findings
        if f.check_id == case.check.id
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixture_case(case: Case) -> None:
    reported = places_reported(case)
    if case.outcome == "pass":
        assert reported == [], f"{case.name} should pass but reported {reported}"
    else:
        expected = expected_places(case)
        assert expected, f"{case.name} has no EXPECTED file listing where the check must report"
        assert reported == expected
