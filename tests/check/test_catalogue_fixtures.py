"""Every check against its own fixtures: pass cases report nothing, fail cases report exactly
what their EXPECTED file lists (run pytest with --update-fixtures to rewrite those files)."""

from __future__ import annotations

from pathlib import Path

import pytest
from catalogue_cases import Case, cases

from tcop_lint.testing import check_fixture

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=str)
def test_fixture_case(case: Case, tmp_path: Path, update_fixtures: bool) -> None:
    check_fixture(case, tmp_path, update=update_fixtures)
